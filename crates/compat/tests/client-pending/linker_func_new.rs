// Pending client case: Linker::func_new with FuncType::new(&engine, ..).
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// A dynamically typed host function defined with `Linker::func_new`.
pub fn linker_func_new() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    let ty = FuncType::new(&engine, [ValType::I64], [ValType::I64, ValType::I64]);
    linker.func_new("env", "split", ty, |_caller, params, results| {
        let x = params[0].unwrap_i64();
        results[0] = Val::I64(x >> 32);
        results[1] = Val::I64(x & 0xffff_ffff);
        Ok(())
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "split" (func $s (param i64) (result i64 i64)))
            (func (export "run") (param i64) (result i64 i64) local.get 0 call $s))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let (hi, lo) = instance.get_typed_func::<i64, (i64, i64)>(&mut store, "run")?.call(&mut store, (5 << 32) | 7)?;
    assert_eq!((hi, lo), (5, 7));
    Ok(format!("{hi} {lo}"))
}
