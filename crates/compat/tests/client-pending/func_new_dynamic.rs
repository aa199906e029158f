// Pending client case: Func::new with FuncType::new(&engine, ..).
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// A dynamically typed host function made with `Func::new`.
pub fn func_new_dynamic() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new(&engine, [ValType::I32, ValType::I32], [ValType::I32]);
    let add = Func::new(&mut store, ty, |_caller, params, results| {
        results[0] = Val::I32(params[0].unwrap_i32() + params[1].unwrap_i32());
        Ok(())
    });
    let sum = add.typed::<(i32, i32), i32>(&store)?.call(&mut store, (20, 22))?;
    assert_eq!(sum, 42);
    Ok(format!("{sum}"))
}
