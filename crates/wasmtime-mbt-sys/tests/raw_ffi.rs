//! The C API, driven through raw FFI only: what a C user of the headers does.

use std::ffi::c_void;
use std::ptr;

use wasmtime_mbt_sys::*;

const ADD_WAT: &str = r#"(module (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add))"#;

/// Reads an owned `wasm_byte_vec_t` into a `Vec<u8>` and deletes it.
unsafe fn take_bytes(mut vec: wasm_byte_vec_t) -> Vec<u8> {
    let bytes = if vec.size == 0 { Vec::new() } else { std::slice::from_raw_parts(vec.data.cast::<u8>(), vec.size).to_vec() };
    wasm_byte_vec_delete(&mut vec);
    bytes
}

/// Reads and frees an owned error, or returns `None` for a null pointer.
unsafe fn take_error(error: *mut wasmtime_error_t) -> Option<String> {
    if error.is_null() {
        return None;
    }
    let mut message = wasm_name_t::default();
    wasmtime_error_message(error, &mut message);
    wasmtime_error_delete(error);
    Some(String::from_utf8(take_bytes(message)).unwrap())
}

unsafe fn take_trap(trap: *mut wasm_trap_t) -> Option<String> {
    if trap.is_null() {
        return None;
    }
    let mut message = wasm_message_t::default();
    wasm_trap_message(trap, &mut message);
    wasm_trap_delete(trap);
    Some(String::from_utf8_lossy(&take_bytes(message)).trim_end_matches('\0').to_string())
}

unsafe fn wat2wasm(wat: &str) -> Result<Vec<u8>, String> {
    let mut out = wasm_byte_vec_t::default();
    match take_error(wasmtime_wat2wasm(wat.as_ptr().cast(), wat.len(), &mut out)) {
        Some(message) => Err(message),
        None => Ok(take_bytes(out)),
    }
}

/// An engine and a store on it, deleted on drop.
struct Fixture {
    engine: *mut wasm_engine_t,
    store: *mut wasmtime_store_t,
}

impl Fixture {
    unsafe fn new(config: *mut wasm_config_t) -> Fixture {
        let engine = if config.is_null() { wasm_engine_new() } else { wasm_engine_new_with_config(config) };
        assert!(!engine.is_null());
        let store = wasmtime_store_new(engine, ptr::null_mut(), None);
        assert!(!store.is_null());
        Fixture { engine, store }
    }

    unsafe fn context(&self) -> *mut wasmtime_context_t {
        wasmtime_store_context(self.store)
    }

    unsafe fn module(&self, wat: &str) -> *mut wasmtime_module_t {
        let wasm = wat2wasm(wat).unwrap();
        let mut module = ptr::null_mut();
        assert_eq!(take_error(wasmtime_module_new(self.engine, wasm.as_ptr(), wasm.len(), &mut module)), None);
        module
    }

    unsafe fn export_func(&self, instance: &wasmtime_instance_t, name: &str) -> wasmtime_func_t {
        let mut item = wasmtime_extern_t::default();
        assert!(wasmtime_instance_export_get(self.context(), instance, name.as_ptr().cast(), name.len(), &mut item));
        assert_eq!(item.kind, WASMTIME_EXTERN_FUNC as wasmtime_extern_kind_t);
        item.of.func
    }

    unsafe fn instantiate(&self, module: *mut wasmtime_module_t, imports: &[wasmtime_extern_t]) -> wasmtime_instance_t {
        let mut instance = wasmtime_instance_t::default();
        let mut trap = ptr::null_mut();
        let error = wasmtime_instance_new(self.context(), module, imports.as_ptr(), imports.len(), &mut instance, &mut trap);
        assert_eq!(take_error(error), None);
        assert_eq!(take_trap(trap), None);
        instance
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        unsafe {
            wasmtime_store_delete(self.store);
            wasm_engine_delete(self.engine);
        }
    }
}

fn i32_val(v: i32) -> wasmtime_val_t {
    wasmtime_val_t { kind: WASMTIME_I32 as wasmtime_valkind_t, of: wasmtime_valunion_t { i32_: v } }
}

#[test]
fn version_is_the_pinned_wasmtime_c_api_impl_version() {
    let manifest = include_str!("../Cargo.toml");
    let pinned = manifest
        .lines()
        .find(|l| l.starts_with("wasmtime-c-api-impl"))
        .and_then(|l| l.split("\"=").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("Cargo.toml pins wasmtime-c-api-impl with =x.y.z");
    assert!(!wasmtime_version().is_empty());
    assert_eq!(wasmtime_version(), pinned);
    assert_eq!(
        format!("{WASMTIME_VERSION_MAJOR}.{WASMTIME_VERSION_MINOR}.{WASMTIME_VERSION_PATCH}"),
        pinned
    );
}

#[test]
fn engine_and_store_are_created_and_deleted() {
    unsafe {
        let fixture = Fixture::new(ptr::null_mut());
        assert!(!fixture.context().is_null());
    }
}

#[test]
fn config_with_debug_info_and_fuel_gives_an_engine_and_fuel_round_trips() {
    unsafe {
        let config = wasm_config_new();
        wasmtime_config_debug_info_set(config, true);
        wasmtime_config_consume_fuel_set(config, true);
        let fixture = Fixture::new(config);
        assert_eq!(take_error(wasmtime_context_set_fuel(fixture.context(), 12_345)), None);
        let mut fuel = 0;
        assert_eq!(take_error(wasmtime_context_get_fuel(fixture.context(), &mut fuel)), None);
        assert_eq!(fuel, 12_345);
    }
}

#[test]
fn fuel_without_consume_fuel_is_an_error_not_an_abort() {
    unsafe {
        let fixture = Fixture::new(ptr::null_mut());
        let message = take_error(wasmtime_context_set_fuel(fixture.context(), 1)).expect("an error");
        assert!(message.contains("fuel"), "{message}");
    }
}

#[test]
fn wat2wasm_accepts_valid_text_and_reports_invalid_text() {
    unsafe {
        let wasm = wat2wasm("(module)").unwrap();
        assert_eq!(wasm, b"\0asm\x01\0\0\0");
        let message = wat2wasm("(module (func (result i32) i32.bogus))").unwrap_err();
        assert!(message.contains("i32.bogus") || message.contains("unknown operator"), "{message}");
    }
}

#[test]
fn add_is_called_with_checked_and_unchecked_calls() {
    unsafe {
        let fixture = Fixture::new(ptr::null_mut());
        let module = fixture.module(ADD_WAT);
        let instance = fixture.instantiate(module, &[]);
        let add = fixture.export_func(&instance, "add");

        let args = [i32_val(40), i32_val(2)];
        let mut results = [i32_val(0)];
        let mut trap = ptr::null_mut();
        let error = wasmtime_func_call(fixture.context(), &add, args.as_ptr(), 2, results.as_mut_ptr(), 1, &mut trap);
        assert_eq!(take_error(error), None);
        assert_eq!(take_trap(trap), None);
        assert_eq!(results[0].of.i32_, 42);

        let mut raw = [wasmtime_val_raw_t { i32_: 7 }, wasmtime_val_raw_t { i32_: -10 }];
        let error = wasmtime_func_call_unchecked(fixture.context(), &add, raw.as_mut_ptr(), raw.len(), &mut trap);
        assert_eq!(take_error(error), None);
        assert_eq!(take_trap(trap), None);
        assert_eq!(raw[0].i32_, -3);

        // Wrong arity through the checked path is an error, not a crash.
        let error = wasmtime_func_call(fixture.context(), &add, args.as_ptr(), 1, results.as_mut_ptr(), 1, &mut trap);
        assert!(take_error(error).is_some());
        wasmtime_module_delete(module);
    }
}

unsafe extern "C" fn double_it(
    env: *mut c_void,
    _caller: *mut wasmtime_caller_t,
    args: *const wasmtime_val_t,
    nargs: usize,
    results: *mut wasmtime_val_t,
    nresults: usize,
) -> *mut wasm_trap_t {
    assert_eq!((nargs, nresults), (1, 1));
    *env.cast::<u32>() += 1;
    *results = i32_val((*args).of.i32_ * 2);
    ptr::null_mut()
}

#[test]
fn host_function_import_is_called_from_wasm() {
    unsafe {
        let fixture = Fixture::new(ptr::null_mut());
        let module = fixture.module(
            r#"(module (import "host" "double" (func $d (param i32) (result i32)))
                 (func (export "run") (param i32) (result i32) local.get 0 call $d))"#,
        );
        let mut calls = 0u32;
        let ty = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
        let mut func = wasmtime_func_t::default();
        wasmtime_func_new(fixture.context(), ty, Some(double_it), (&mut calls as *mut u32).cast(), None, &mut func);
        wasm_functype_delete(ty);
        let import = wasmtime_extern_t { kind: WASMTIME_EXTERN_FUNC as wasmtime_extern_kind_t, of: wasmtime_extern_union_t { func } };
        let instance = fixture.instantiate(module, &[import]);
        let run = fixture.export_func(&instance, "run");
        let mut raw = [wasmtime_val_raw_t { i32_: 21 }];
        let mut trap = ptr::null_mut();
        assert_eq!(take_error(wasmtime_func_call_unchecked(fixture.context(), &run, raw.as_mut_ptr(), 1, &mut trap)), None);
        assert_eq!(take_trap(trap), None);
        assert_eq!(raw[0].i32_, 42);
        assert_eq!(calls, 1);
        wasmtime_module_delete(module);
    }
}

#[test]
fn config_target_accepts_a_valid_triple_and_rejects_an_invalid_one() {
    unsafe {
        let config = wasm_config_new();
        assert_eq!(take_error(wasmtime_config_target_set(config, c"x86_64-unknown-linux-gnu".as_ptr())), None);
        let message = take_error(wasmtime_config_target_set(config, c"not-a-real-triple-at-all".as_ptr())).expect("an error");
        assert!(!message.is_empty());
        assert!(message.contains("not-a-real-triple-at-all") || message.to_lowercase().contains("unrecognized"), "{message}");
        wasm_config_delete(config);
    }
}

#[test]
fn async_call_is_polled_to_completion() {
    unsafe {
        let fixture = Fixture::new(ptr::null_mut());
        let module = fixture.module(ADD_WAT);
        let mut instance = wasmtime_instance_t::default();
        let linker = wasmtime_linker_new(fixture.engine);
        let mut trap = ptr::null_mut();
        let mut error = ptr::null_mut();
        let future = wasmtime_linker_instantiate_async(linker, fixture.context(), module, &mut instance, &mut trap, &mut error);
        while !wasmtime_call_future_poll(future) {}
        wasmtime_call_future_delete(future);
        assert_eq!(take_error(error), None);
        assert_eq!(take_trap(trap), None);

        let add = fixture.export_func(&instance, "add");
        let args = [i32_val(5), i32_val(6)];
        let mut results = [i32_val(0)];
        let future = wasmtime_func_call_async(fixture.context(), &add, args.as_ptr(), 2, results.as_mut_ptr(), 1, &mut trap, &mut error);
        assert!(!future.is_null());
        let mut polls = 0;
        while !wasmtime_call_future_poll(future) {
            polls += 1;
            assert!(polls < 1_000, "a trivial call must finish");
        }
        wasmtime_call_future_delete(future);
        assert_eq!(take_error(error), None);
        assert_eq!(take_trap(trap), None);
        assert_eq!(results[0].of.i32_, 11);
        wasmtime_linker_delete(linker);
        wasmtime_module_delete(module);
    }
}

#[test]
fn headers_are_exported_to_dependents() {
    let include = std::path::Path::new(INCLUDE_DIR);
    for header in ["wasm.h", "wasi.h", "wasmtime.h", "wasmtime/conf.h", "wasmtime/async.h", "wasmtime/component.h"] {
        assert!(include.join(header).is_file(), "{header}");
    }
    let conf = std::fs::read_to_string(include.join("wasmtime/conf.h")).unwrap();
    assert!(conf.contains("#define WASMTIME_FEATURE_ASYNC"));
    assert!(!conf.contains("#cmakedefine"));
}
