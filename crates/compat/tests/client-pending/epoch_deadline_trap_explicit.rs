// Pending client case: Store::epoch_deadline_trap and UpdateDeadline::Interrupt.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// Going back to trapping on the deadline after a callback was set, and a
/// callback asking to interrupt.
pub fn epoch_deadline_trap_explicit() -> Result<String> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, r#"(module (func (export "f")))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_typed_func::<(), ()>(&mut store, "f")?;
    store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Interrupt));
    store.set_epoch_deadline(0);
    let interrupted = f.call(&mut store, ()).unwrap_err().downcast::<Trap>()? == Trap::Interrupt;
    store.epoch_deadline_trap();
    let trapped = f.call(&mut store, ()).unwrap_err().downcast::<Trap>()? == Trap::Interrupt;
    store.set_epoch_deadline(1);
    let runs = f.call(&mut store, ()).is_ok();
    assert!(interrupted && trapped && runs);
    Ok(format!("{interrupted} {trapped} {runs}"))
}
