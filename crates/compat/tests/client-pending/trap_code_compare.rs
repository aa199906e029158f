// Pending client case: comparing trap codes by value after downcast::<Trap>().
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// `err.downcast::<Trap>()?` and comparisons with `Trap` variants.
pub fn trap_code_compare() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (memory 1)
            (func (export "div") (param i32) (result i32) i32.const 1 local.get 0 i32.div_u)
            (func (export "oob") (result i32) i32.const -1 i32.load))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let div = instance.get_typed_func::<i32, i32>(&mut store, "div")?;
    let oob = instance.get_typed_func::<(), i32>(&mut store, "oob")?;
    let a = div.call(&mut store, 0).unwrap_err().downcast::<Trap>()?;
    let b = oob.call(&mut store, ()).unwrap_err().downcast::<Trap>()?;
    assert_eq!(a, Trap::IntegerDivisionByZero);
    assert_eq!(b, Trap::MemoryOutOfBounds);
    Ok(format!("{a:?} {b:?}"))
}
