// Pending client case: Module::deserialize of an owned Vec<u8> (impl AsRef<[u8]>).
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// `Module::deserialize(&engine, bytes)` with the serialized `Vec` by value.
pub fn deserialize_owned_bytes() -> Result<String> {
    let engine = Engine::default();
    let bytes = Module::new(&engine, r#"(module (func (export "f") (result i32) i32.const 11))"#)?.serialize()?;
    // SAFETY: the bytes were just produced by `serialize` with this engine.
    let module = unsafe { Module::deserialize(&engine, bytes)? };
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let value = instance.get_typed_func::<(), i32>(&mut store, "f")?.call(&mut store, ())?;
    assert_eq!(value, 11);
    Ok(format!("{value}"))
}
