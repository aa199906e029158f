//! The compatibility target (issue 12 item 4): ordinary Wasmtime embedder
//! code, written once against `use wasmtime::*;` in `tests/client/*.rs`, is
//! compiled twice — against the native `wasmtime` crate (module `native`)
//! and against `wasmtime_mbt` renamed to `wasmtime` (module `mbt`) — and
//! every case must give the same outcome on both.
//!
//! Each case is a `pub fn name() -> wasmtime::Result<String>` that asserts
//! its own expected values and returns a description of what it saw; the
//! `#[test]` for it runs the mbt build and, with the `native` feature (the
//! default, bundled build), the native build too and compares the two
//! descriptions. Without `native` (`--no-default-features`, a prebuilt
//! library) only the mbt half runs, still checked by the case's own asserts.
//!
//! Cases that do not compile against the current wasmtime-mbt API live in
//! `tests/client-pending/` (one case per file): with `native` they are
//! compiled and run against the native crate only, so they stay valid
//! Wasmtime code until they can move to `tests/client/`. See the crate's
//! README for the list and the reason for each.

/// Declares one module per client file under the current module, each
/// including `tests/client/<file>.rs` with `wasmtime` bound to the parent's
/// `wasmtime` (the native crate or `wasmtime_mbt`).
macro_rules! client_files {
    ($dir:literal: $($file:ident),* $(,)?) => {$(
        #[doc = concat!("The client code of `tests/", $dir, "/", stringify!($file), ".rs`.")]
        #[allow(dead_code, unused_imports)]
        pub mod $file {
            use super::wasmtime;
            include!(concat!($dir, "/", stringify!($file), ".rs"));
        }
    )*};
}

/// The client files of `tests/client/`, in both builds.
macro_rules! all_client_files {
    () => {
        client_files!("client": calls, host, traps, memory, globals, tables, interrupts, modules, refs, linking, store, drop_in, gc, gc_refs, signatures, async_calls, component, api_items, engine, concrete_types);
    };
}

/// The client code built against the native `wasmtime` crate.
#[cfg(feature = "native")]
mod native {
    use wasmtime;
    all_client_files!();
}

/// The client code built against `wasmtime_mbt`, under the name `wasmtime`.
mod mbt {
    use wasmtime_mbt as wasmtime;
    all_client_files!();
}

/// The cases of `tests/client-pending/` (one per file, the function named as
/// the file), built against the native crate only.
#[cfg(feature = "native")]
mod pending {
    // Unused while no case is pending.
    #[allow(unused_imports)]
    use wasmtime;
    client_files!(
        "client-pending":
    );
}

/// Checks one case: the mbt outcome must be `Ok`; with `native`, the native
/// outcome too, and equal to it.
fn check(name: &str, mbt: Result<String, String>, native: Option<Result<String, String>>) {
    let mbt = mbt.unwrap_or_else(|e| panic!("{name}: wasmtime-mbt failed: {e}"));
    if let Some(native) = native {
        let native = native.unwrap_or_else(|e| panic!("{name}: native wasmtime failed: {e}"));
        assert_eq!(mbt, native, "{name}: wasmtime-mbt and native wasmtime disagree");
    }
}

/// One `#[test]` per case, in a module per client file.
macro_rules! cases {
    ($($file:ident { $($case:ident),* $(,)? })*) => {$(
        #[doc = concat!("The tests of `tests/client/", stringify!($file), ".rs`.")]
        mod $file {$(
            #[test]
            fn $case() {
                let mbt = crate::mbt::$file::$case().map_err(|e| format!("{e:?}"));
                #[cfg(feature = "native")]
                let native = Some(crate::native::$file::$case().map_err(|e| format!("{e:?}")));
                #[cfg(not(feature = "native"))]
                let native = None;
                crate::check(concat!(stringify!($file), "::", stringify!($case)), mbt, native);
            }
        )*}
    )*};
}

cases! {
    calls {
        typed_add, typed_numeric_types, typed_signature_mismatch, dynamic_call, multi_value_typed,
        multi_value_dynamic, v128_typed, funcref_typed, funcref_returned, val_copy,
    }
    host {
        linker_func_wrap, caller_store_data, func_wrap_imports, host_multi_value, host_many_params,
        host_error, host_reenters_wasm, caller_engine,
    }
    traps {
        trap_unreachable, trap_integer_division, trap_memory_out_of_bounds, trap_bad_conversion,
        trap_stack_overflow, trap_call_indirect, trap_in_start_function, trap_through_host,
    }
    memory {
        memory_read_write, memory_access_out_of_bounds, memory_grow, memory_host_created, memory_from_caller, memory_type_limits,
    }
    globals {
        global_host_created, global_exported_set, global_shared_between_instances, global_import_type_mismatch,
    }
    tables {
        table_shared_between_instances, table_grow_from_wasm, table_host_api,
    }
    interrupts {
        fuel_consumption, fuel_exhaustion, fuel_from_host, fuel_disabled, epoch_deadline_trap,
        epoch_deadline_callback,
    }
    modules {
        module_text_and_binary, module_invalid, module_serialize_roundtrip, module_precompile,
        instance_exports_by_kind, module_many_instances,
    }
    refs {
        externref_roundtrip, externref_table_and_global, externref_host_data_in_store, externref_typed_rooted,
    }
    linking {
        linker_instance_exports, linker_define_and_get, linker_shadowing, linker_instance_pre,
        linker_module_and_default, linker_unknown_imports, linker_import_type_mismatch,
    }
    store {
        store_struct_data, store_contexts, store_isolation,
    }
    gc {
        root_scope_lifetimes, owned_rooted_in_store_data, ref_values, table_fill_and_copy, anyref_i31_values, owned_rooted_typed,
    }
    gc_refs {
        struct_host_fields, array_host_elems, struct_array_from_wasm, gc_downcasts, gc_misuse_errors,
        gc_rooting_survives_collection, exn_host_throw_caught, exn_uncaught_take_pending,
    }
    signatures {
        unknown_import_error, memory_data_and_store_mut, instance_exports_iter, linker_get_result,
        store_limiter_closure, store_gc_none, epoch_deadline_trap_explicit, deserialize_owned_bytes,
        linker_get_by_import_and_default_values, unknown_import_error_pre, export_types_and_memory_pointer,
        raw_unchecked_functions, tags_imported_and_exported,
    }
    async_calls {
        typed_call_async_await, func_call_async_results, instance_new_async, instantiate_async_pre_and_start_trap,
        gc_async_and_caller_gc, tokio_block_on_and_spawn,
    }
    component {
        component_values_dynamic, component_values_map, component_values_typed, component_host_functions, component_host_error,
        component_missing_import, component_linker_shadowing, component_resources, component_reflection,
        component_serialize_roundtrip, component_bad_input, component_derives, component_flags_macro,
    }
    api_items {
        bottom_refs_typed, code_builder_and_precompiled, code_from_files, extern_type_default_values,
        raw_values_and_small_items, memory_access_error_type, array_fixed_and_i8_slices, host_memory_creator,
    }
    concrete_types {
        concrete_types_from_module, concrete_host_func_types, concrete_types_of_two_engines,
    }
    engine {
        engine_getters_default, engine_getters_fuel_and_stacks, engine_getters_memory, engine_getters_cranelift,
        pooling_config_getters, engine_getters_features, engine_getters_target_and_config, engine_weak_upgrade,
        wasm_features_surface,
    }
    drop_in {
        trap_downcast_ref, trap_code_compare, host_error_downcast, question_mark_foreign_error, error_context, val_unwrap_accessors, memory_size_plain, global_get_plain, func_new_dynamic, linker_func_new, func_type_reflection, module_imports_exports, wasm_backtrace_frames, val_ty_store, null_refs,
    }
}

/// One native-only `#[test]` per pending case.
macro_rules! pending_cases {
    ($($case:ident),* $(,)?) => {
        /// The pending cases, run on the native crate only.
        #[cfg(feature = "native")]
        mod pending_on_native {$(
            #[test]
            fn $case() {
                let native = crate::pending::$case::$case().map_err(|e| format!("{e:?}"));
                native.unwrap_or_else(|e| panic!("{}: native wasmtime failed: {e}", stringify!($case)));
            }
        )*}
    };
}

pending_cases! {
}
