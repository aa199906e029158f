// Pending client case: Func::ty as a plain FuncType with iterator params()/results() and Display.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// A function's type read back from the host.
pub fn func_type_reflection() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f") (param i32 f64) (result i64) i64.const 0))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_func(&mut store, "f").unwrap();
    let ty = f.ty(&store);
    let params: Vec<String> = ty.params().map(|t| t.to_string()).collect();
    let results = ty.results().len();
    assert_eq!(params, ["i32", "f64"]);
    assert_eq!(results, 1);
    Ok(format!("{params:?} {results}"))
}
