// Pending client case: matching a trap with downcast_ref::<Trap>().
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// A trap is recognised with `err.downcast_ref::<Trap>()`.
pub fn trap_downcast_ref() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f") unreachable))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let err = instance.get_typed_func::<(), ()>(&mut store, "f")?.call(&mut store, ()).unwrap_err();
    let trap = err.downcast_ref::<Trap>().copied();
    assert_eq!(trap, Some(Trap::UnreachableCodeReached));
    Ok(format!("{trap:?}"))
}
