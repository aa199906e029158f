//! What the criterion benches of this crate share (`mod common;` in each):
//! criterion settings and test modules.

#![allow(dead_code)] // Each bench binary uses a part.

use std::time::Duration;

use criterion::Criterion;
use wasmtime_mbt as mbt;
use wasmtime_mbt::sys;

/// A "medium" module: `n` functions with locals, a loop, branches and calls.
pub fn medium_wat(n: usize) -> String {
    let mut wat = String::from("(module\n  (memory (export \"mem\") 1)\n  (global $acc (mut i32) (i32.const 0))\n");
    for i in 0..n {
        let call_prev = if i == 0 { String::new() } else { format!("local.get 2 local.get 0 call $f{} local.set 2", i - 1) };
        wat.push_str(&format!(
            r#"  (func $f{i} (export "f{i}") (param i32 i32) (result i32) (local i32 i64)
    local.get 0 local.get 1 i32.add local.set 2
    (block $done (loop $top
      local.get 1 i32.eqz br_if $done
      local.get 2 i32.const {k} i32.mul i32.const 7 i32.rem_u
      local.get 2 i32.const 3 i32.shl i32.xor local.set 2
      local.get 3 local.get 2 i64.extend_i32_u i64.add i64.const 1 i64.rotl local.set 3
      local.get 1 i32.const 1 i32.sub local.set 1
      br $top))
    (if (i32.gt_u (local.get 2) (i32.const {k}))
      (then (i32.store (i32.and (local.get 2) (i32.const 1020)) (local.get 0)))
      (else (global.set $acc (i32.add (global.get $acc) (i32.load (i32.const 64))))))
    {call_prev}
    local.get 2 local.get 3 i32.wrap_i64 i32.add)
"#,
            k = i * 31 + 5,
        ));
    }
    wat.push_str(")\n");
    wat
}

pub fn wasm(wat: &str) -> Vec<u8> {
    mbt::wat2wasm(wat.as_bytes()).expect("valid WAT")
}

/// The crate's criterion settings: short cases (0.5 s warm-up, 2 s
/// measurement, 20 samples) so a suite takes minutes on a 2-core machine,
/// and no plots (criterion is built without plotters).
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .without_plots()
}

/// Component calls: `add: func(a: u32, b: u32) -> u32` and
/// `echo: func(s: string) -> string` (through a bump `cabi_realloc`).
pub const COMPONENT_WAT: &str = r#"(component
  (core module $m
    (memory (export "mem") 1)
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 8) (local.get 0))
      (i32.store (i32.const 12) (local.get 1))
      (i32.const 8)))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "mem")) (realloc (core func $i "cabi_realloc")))))"#;

/// `COMPONENT_WAT`'s `add` through the raw C API: the only component call
/// path C has (`wasmtime_component_func_call`, converting to and from
/// dynamic `Val`s inside Wasmtime), with stack buffers — the floor of any
/// C-API binding. Its own engine and store, leaked (bench set-up).
pub fn raw_component_add() -> impl FnMut(u32, u32) -> u32 {
    fn ok(error: *mut sys::wasmtime_error_t) {
        assert!(error.is_null(), "raw_component_add: the C call failed");
    }
    fn u32_val(x: u32) -> sys::wasmtime_component_val_t {
        sys::wasmtime_component_val_t { kind: sys::WASMTIME_COMPONENT_U32 as u8, of: sys::wasmtime_component_valunion_t { u32_: x } }
    }
    let bytes = wasm(COMPONENT_WAT);
    // SAFETY: plain C API use; everything is leaked at exit.
    unsafe {
        let engine = sys::wasm_engine_new();
        let store = sys::wasmtime_store_new(engine, std::ptr::null_mut(), None);
        let ctx = sys::wasmtime_store_context(store);
        let mut component = std::ptr::null_mut();
        ok(sys::wasmtime_component_new(engine, bytes.as_ptr(), bytes.len(), &mut component));
        let linker = sys::wasmtime_component_linker_new(engine);
        let mut instance = sys::wasmtime_component_instance_t::default();
        ok(sys::wasmtime_component_linker_instantiate(linker, ctx, component, &mut instance));
        let index = sys::wasmtime_component_instance_get_export_index(&instance, ctx, std::ptr::null(), c"add".as_ptr(), 3);
        let mut add = sys::wasmtime_component_func_t::default();
        assert!(!index.is_null() && sys::wasmtime_component_instance_get_func(&instance, ctx, index, &mut add));
        move |a, b| {
            let args = [u32_val(a), u32_val(b)];
            let mut results = [u32_val(0)];
            ok(sys::wasmtime_component_func_call(&add, ctx, args.as_ptr(), 2, results.as_mut_ptr(), 1));
            // Scalars own nothing: no `wasmtime_component_val_delete`.
            assert_eq!(u32::from(results[0].kind), sys::WASMTIME_COMPONENT_U32);
            results[0].of.u32_
        }
    }
}
