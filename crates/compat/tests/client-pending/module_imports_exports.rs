// Pending client case: Module::imports()/exports() as iterators of ImportType/ExportType with methods.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// A module's imports and exports, as the usual iterator chains.
pub fn module_imports_exports() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "f" (func (param i32)))
            (import "env" "m" (memory 1))
            (func (export "run"))
            (global (export "g") i32 (i32.const 0)))"#,
    )?;
    let imports: Vec<String> = module.imports().map(|i| format!("{}::{}", i.module(), i.name())).collect();
    let first_params = module.imports().next().unwrap().ty().unwrap_func().params().len();
    let memory_import = module.imports().nth(1).unwrap().ty().memory().is_some();
    let exports: Vec<&str> = module.exports().map(|e| e.name()).collect();
    assert_eq!(imports, ["env::f", "env::m"]);
    assert_eq!(exports, ["run", "g"]);
    assert_eq!(first_params, 1);
    assert!(memory_import);
    Ok(format!("{imports:?} {exports:?} {first_params} {memory_import}"))
}
