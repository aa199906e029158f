// Pending client case: Val::ty(&store) returning Result<ValType>.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// The types of values, asked of the store.
pub fn val_ty_store() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, || {});
    let int = Val::I32(1).ty(&store)?.is_i32();
    let float = Val::F64(0).ty(&store)?.is_f64();
    let func = Val::FuncRef(Some(f)).ty(&store)?.is_ref();
    assert!(int && float && func);
    Ok(format!("{int} {float} {func}"))
}
