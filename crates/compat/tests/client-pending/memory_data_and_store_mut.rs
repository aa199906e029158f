// Pending client case: Memory::data_and_store_mut in a host function.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// A host function borrowing guest memory and its store data at once.
pub fn memory_data_and_store_mut() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "save", |mut caller: Caller<'_, Vec<u8>>, ptr: i32, len: i32| {
        let memory = caller.get_export("memory").unwrap().into_memory().unwrap();
        let (data, saved) = memory.data_and_store_mut(&mut caller);
        saved.extend_from_slice(&data[ptr as usize..][..len as usize]);
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "save" (func $save (param i32 i32)))
            (memory (export "memory") 1) (data (i32.const 3) "abc")
            (func (export "run") i32.const 3 i32.const 3 call $save))"#,
    )?;
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module)?;
    instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ())?;
    let saved = String::from_utf8(store.into_data())?;
    assert_eq!(saved, "abc");
    Ok(saved)
}
