// Pending client case: adding context with wasmtime::error::Context.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

use wasmtime::error::Context as _;

/// `.context(..)` on results and options, `.with_context(..)` lazily.
pub fn error_context() -> Result<String> {
    let engine = Engine::default();
    let err = Module::new(&engine, "(module (func (result i32)))").context("compiling the plugin").unwrap_err();
    let outer = err.to_string();
    let chain = format!("{err:#}");
    let missing: Option<i32> = None;
    let none = missing.with_context(|| format!("no value for {}", "key")).unwrap_err().to_string();
    assert_eq!(outer, "compiling the plugin");
    assert!(chain.starts_with("compiling the plugin: "));
    assert_eq!(none, "no value for key");
    Ok(format!("{outer} / {none}"))
}
