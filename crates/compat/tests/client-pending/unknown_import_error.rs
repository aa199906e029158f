// Pending client case: UnknownImportError through downcast_ref.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// A missing import reported as an `UnknownImportError` naming it.
pub fn unknown_import_error() -> Result<String> {
    let engine = Engine::default();
    let linker = Linker::<()>::new(&engine);
    let module = Module::new(&engine, r#"(module (import "env" "gone" (func)))"#)?;
    let mut store = Store::new(&engine, ());
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    let unknown = err.downcast_ref::<UnknownImportError>().expect("an UnknownImportError");
    let (module_name, name) = (unknown.module().to_string(), unknown.name().to_string());
    assert_eq!((module_name.as_str(), name.as_str()), ("env", "gone"));
    Ok(format!("{module_name} {name}"))
}
