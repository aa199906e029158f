// Pending client case: a host function's own error type recovered with downcast_ref.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// The host's own error type.
#[derive(Debug, PartialEq)]
pub struct Refused(pub i32);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// A host error comes back from the call as the same value.
pub fn host_error_downcast() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f", |x: i32| -> Result<()> { Err(Refused(x).into()) })?;
    let module = Module::new(&engine, r#"(module (import "env" "f" (func $f (param i32))) (func (export "run") i32.const 9 call $f))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let err = instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ()).unwrap_err();
    let refused = err.downcast_ref::<Refused>();
    assert_eq!(refused, Some(&Refused(9)));
    Ok(format!("{refused:?}"))
}
