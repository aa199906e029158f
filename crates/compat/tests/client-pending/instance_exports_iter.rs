// Pending client case: Instance::exports() as an iterator of Export.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// An instance's exports by name, and calling the functions among them.
pub fn instance_exports_iter() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "a") (result i32) i32.const 1) (memory (export "m") 1) (func (export "b") (result i32) i32.const 2))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let names: Vec<String> = instance.exports(&mut store).map(|e| e.name().to_string()).collect();
    let funcs: Vec<Func> = instance.exports(&mut store).filter_map(|e| e.into_func()).collect();
    let mut values = Vec::new();
    for f in funcs {
        values.push(f.typed::<(), i32>(&store)?.call(&mut store, ())?);
    }
    assert_eq!(names, ["a", "m", "b"]);
    assert_eq!(values, [1, 2]);
    Ok(format!("{names:?} {values:?}"))
}
