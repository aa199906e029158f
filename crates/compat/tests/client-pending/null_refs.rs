// Pending client case: Val::null_func_ref() / Val::null_extern_ref().
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// Null references made with the `Val` constructors, checked by wasm.
pub fn null_refs() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "nulls") (param funcref externref) (result i32)
            (i32.add (ref.is_null (local.get 0)) (ref.is_null (local.get 1)))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let nulls = instance.get_func(&mut store, "nulls").unwrap();
    let mut results = [Val::I32(0)];
    nulls.call(&mut store, &[Val::null_func_ref(), Val::null_extern_ref()], &mut results)?;
    let count = results[0].unwrap_i32();
    assert_eq!(count, 2);
    Ok(format!("{count}"))
}
