// Pending client case: infallible Global::get / Global::ty.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// `global.get(&mut store).unwrap_i32()` and `global.ty(&store)` as plain values.
pub fn global_get_plain() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let global = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(3))?;
    global.set(&mut store, Val::I32(4))?;
    let value = global.get(&mut store).unwrap_i32();
    let ty = global.ty(&store);
    let var = ty.mutability() == Mutability::Var;
    let is_i32 = ty.content().is_i32();
    assert_eq!(value, 4);
    assert!(var && is_i32);
    Ok(format!("{value} {var} {is_i32}"))
}
