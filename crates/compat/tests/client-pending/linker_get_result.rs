// Pending client case: Linker::get returning Result<Extern>.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// Items looked up in a `Linker` with `?` and `.into_func()`.
pub fn linker_get_result() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "add2", |x: i32| x + 2)?;
    let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    linker.define(&mut store, "env", "memory", memory)?;
    let add2 = linker.get(&mut store, "env", "add2")?.into_func().expect("a func");
    let three = add2.typed::<i32, i32>(&store)?.call(&mut store, 1)?;
    let missing = linker.get(&mut store, "env", "nope").is_err();
    let is_memory = matches!(linker.get(&mut store, "env", "memory")?, Extern::Memory(_));
    assert_eq!(three, 3);
    assert!(missing && is_memory);
    Ok(format!("{three} {missing} {is_memory}"))
}
