// Pending client case: infallible Memory::size / data_size / ty.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// `memory.size(&store)`, `memory.data_size(&store)` and
/// `memory.ty(&store).maximum()` as plain values.
pub fn memory_size_plain() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (memory (export "m") 2 5))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let memory = instance.get_memory(&mut store, "m").unwrap();
    let pages: u64 = memory.size(&store);
    let bytes: usize = memory.data_size(&store);
    let max = memory.ty(&store).maximum();
    assert_eq!((pages, bytes, max), (2, 2 * 65536, Some(5)));
    Ok(format!("{pages} {bytes} {max:?}"))
}
