// Pending client case: copying Val values (Val: Copy).
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// A result `Val` copied out of the results slice and passed twice.
pub fn val_copy() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "seven") (result i32) i32.const 7)
            (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let seven = instance.get_func(&mut store, "seven").unwrap();
    let add = instance.get_func(&mut store, "add").unwrap();
    let mut results = [Val::I32(0)];
    seven.call(&mut store, &[], &mut results)?;
    let v = results[0];
    add.call(&mut store, &[v, v], &mut results)?;
    let sum = results[0].i32().unwrap();
    assert_eq!(sum, 14);
    Ok(format!("{sum}"))
}
