// Pending client case: Val::unwrap_* accessors.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// Results read with `unwrap_i32`, `unwrap_i64`, `unwrap_f32`, `unwrap_f64`.
pub fn val_unwrap_accessors() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32 i64 f32 f64)
            i32.const 1 i64.const 2 f32.const 3.5 f64.const 4.25))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_func(&mut store, "f").unwrap();
    let mut results = [Val::I32(0), Val::I32(0), Val::I32(0), Val::I32(0)];
    f.call(&mut store, &[], &mut results)?;
    let values = (results[0].unwrap_i32(), results[1].unwrap_i64(), results[2].unwrap_f32(), results[3].unwrap_f64());
    assert_eq!(values, (1, 2, 3.5, 4.25));
    Ok(format!("{values:?}"))
}
