// Compiles a module with raw `wasmtime-mbt-sys` calls and calls `add(40, 2)`.
//
// Run with `cargo run -p wasmtime-mbt-sys --example add`. The out-of-workspace
// check in `tests/sys-consumer` builds this same file as its `main.rs`.

use std::ptr;
use wasmtime_mbt_sys::*;

fn main() {
    let wat = r#"(module (func (export "add") (param i32 i32) (result i32)
        local.get 0 local.get 1 i32.add))"#;
    // SAFETY: every object is created, used on this thread and deleted once;
    // each error pointer is checked for null before anything else is used.
    unsafe {
        let mut wasm = wasm_byte_vec_t::default();
        assert!(wasmtime_wat2wasm(wat.as_ptr().cast(), wat.len(), &mut wasm).is_null());
        let engine = wasm_engine_new();
        let store = wasmtime_store_new(engine, ptr::null_mut(), None);
        let context = wasmtime_store_context(store);
        let mut module = ptr::null_mut();
        assert!(wasmtime_module_new(engine, wasm.data.cast(), wasm.size, &mut module).is_null());
        wasm_byte_vec_delete(&mut wasm);
        let mut instance = wasmtime_instance_t::default();
        let mut trap = ptr::null_mut();
        assert!(wasmtime_instance_new(context, module, ptr::null(), 0, &mut instance, &mut trap).is_null());
        assert!(trap.is_null());
        let mut add = wasmtime_extern_t::default();
        assert!(wasmtime_instance_export_get(context, &instance, c"add".as_ptr(), 3, &mut add));
        let mut raw = [wasmtime_val_raw_t { i32_: 40 }, wasmtime_val_raw_t { i32_: 2 }];
        assert!(wasmtime_func_call_unchecked(context, &add.of.func, raw.as_mut_ptr(), 2, &mut trap).is_null());
        assert!(trap.is_null());
        println!("add(40, 2) = {}", raw[0].i32_);
        wasmtime_module_delete(module);
        wasmtime_store_delete(store);
        wasm_engine_delete(engine);
    }
}
