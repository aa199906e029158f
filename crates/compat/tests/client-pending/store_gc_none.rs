// Pending client case: Store::gc(None).
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// An explicit collection with `store.gc(None)` keeps live externrefs.
pub fn store_gc_none() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let kept = ExternRef::new(&mut store, 99u8)?;
    store.gc(None)?;
    let value = *kept.data(&store)?.unwrap().downcast_ref::<u8>().unwrap();
    assert_eq!(value, 99);
    Ok(format!("{value}"))
}
