// Pending client case: WasmBacktrace frames through downcast_ref::<WasmBacktrace>().
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// The wasm frames of a trap, innermost first, with their function names.
pub fn wasm_backtrace_frames() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module $m
            (func $inner unreachable)
            (func $outer (export "run") call $inner))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let err = instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ()).unwrap_err();
    let trace = err.downcast_ref::<WasmBacktrace>().expect("a backtrace");
    let names: Vec<Option<&str>> = trace.frames().iter().map(|f| f.func_name()).collect();
    assert_eq!(names, [Some("inner"), Some("outer")]);
    Ok(format!("{names:?}"))
}
