// Linking: `Linker::instance`, `module`, `define`, `get_default`,
// shadowing, `instantiate_pre`, unknown imports, import type checks.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// Whether `err`, with everything it wraps, mentions `text`.
fn mentions(err: &Error, text: &str) -> bool {
    format!("{err:?}").contains(text)
}

/// One instance's exports linked into another by name with `Linker::instance`.
pub fn linker_instance_exports() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let math = Module::new(
        &engine,
        r#"(module
            (func (export "square") (param i32) (result i32) local.get 0 local.get 0 i32.mul)
            (memory (export "memory") 1))"#,
    )?;
    let math = linker.instantiate(&mut store, &math)?;
    linker.instance(&mut store, "math", math)?;
    let user = Module::new(
        &engine,
        r#"(module
            (import "math" "square" (func $square (param i32) (result i32)))
            (import "math" "memory" (memory 1))
            (func (export "run") (param i32) (result i32)
                i32.const 0 local.get 0 call $square i32.store
                i32.const 0 i32.load))"#,
    )?;
    let user = linker.instantiate(&mut store, &user)?;
    let run = user.get_typed_func::<i32, i32>(&mut store, "run")?.call(&mut store, 12)?;
    let memory = math.get_memory(&mut store, "memory").unwrap();
    let stored = memory.data(&store)[0];
    assert_eq!((run, stored), (144, 144));
    Ok(format!("{run} {stored}"))
}

/// `Linker::define` of host-made items imported by wasm.
/// (`Linker::get`, a `Result` natively, is in `tests/client-pending/`.)
pub fn linker_define_and_get() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let global = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(40))?;
    let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    let func = Func::wrap(&mut store, |x: i32| x + 2);
    linker.define(&mut store, "env", "base", global)?;
    linker.define(&mut store, "env", "memory", memory)?;
    linker.define(&mut store, "env", "add2", func)?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "base" (global $base i32))
            (import "env" "memory" (memory 1))
            (import "env" "add2" (func $add2 (param i32) (result i32)))
            (func (export "run") (result i32) global.get $base call $add2))"#,
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "run")?.call(&mut store, ())?;
    let direct = func.typed::<i32, i32>(&store)?.call(&mut store, 1)?;
    // Defining a name already defined is an error.
    let duplicate = linker.define(&mut store, "env", "base", global).is_err();
    assert_eq!((run, direct), (42, 3));
    assert!(duplicate);
    Ok(format!("{run} {direct} {duplicate}"))
}

/// Defining a name twice is an error unless shadowing is allowed; then the
/// later definition wins.
pub fn linker_shadowing() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f", || 1i32)?;
    let duplicate = linker.func_wrap("env", "f", || 2i32).is_err();
    linker.allow_shadowing(true);
    linker.func_wrap("env", "f", || 3i32)?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "f" (func $f (result i32))) (func (export "run") (result i32) call $f))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let value = instance.get_typed_func::<(), i32>(&mut store, "run")?.call(&mut store, ())?;
    assert!(duplicate);
    assert_eq!(value, 3);
    Ok(format!("{duplicate} {value}"))
}

/// `Linker::instantiate_pre` once, `InstancePre::instantiate` in several stores.
pub fn linker_instance_pre() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "id", |caller: Caller<'_, i32>| *caller.data())?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "id" (func $id (result i32))) (func (export "run") (result i32) call $id))"#,
    )?;
    let pre = linker.instantiate_pre(&module)?;
    let mut ids = Vec::new();
    for id in [7, 8, 9] {
        let mut store = Store::new(&engine, id);
        let instance = pre.instantiate(&mut store)?;
        ids.push(instance.get_typed_func::<(), i32>(&mut store, "run")?.call(&mut store, ())?);
    }
    assert_eq!(ids, [7, 8, 9]);
    Ok(format!("{ids:?}"))
}

/// `Linker::module` with a command module and `Linker::get_default` to run it.
pub fn linker_module_and_default() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, Vec::new());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "report", |mut caller: Caller<'_, Vec<i32>>, x: i32| caller.data_mut().push(x))?;
    let library = Module::new(
        &engine,
        r#"(module (func (export "twice") (param i32) (result i32) local.get 0 i32.const 2 i32.mul))"#,
    )?;
    linker.module(&mut store, "lib", &library)?;
    let command = Module::new(
        &engine,
        r#"(module
            (import "lib" "twice" (func $twice (param i32) (result i32)))
            (import "host" "report" (func $report (param i32)))
            (func (export "_start") i32.const 21 call $twice call $report))"#,
    )?;
    linker.module(&mut store, "cmd", &command)?;
    let start = linker.get_default(&mut store, "cmd")?;
    start.typed::<(), ()>(&store)?.call(&mut store, ())?;
    let reported = store.data().clone();
    assert_eq!(reported, [42]);
    Ok(format!("{reported:?}"))
}

/// A missing import is an instantiation error naming it;
/// `define_unknown_imports_as_traps` turns it into a trapping stub.
pub fn linker_unknown_imports() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "missing" (func $m))
            (func (export "ok") (result i32) i32.const 1)
            (func (export "bad") call $m))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    let named = mentions(&err, "unknown import") && mentions(&err, "env::missing");
    assert!(named, "{err:?}");
    linker.define_unknown_imports_as_traps(&module)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let ok = instance.get_typed_func::<(), i32>(&mut store, "ok")?.call(&mut store, ())?;
    let trapped = instance.get_typed_func::<(), ()>(&mut store, "bad")?.call(&mut store, ()).is_err();
    assert_eq!(ok, 1);
    assert!(trapped);
    Ok(format!("{named} {ok} {trapped}"))
}

/// An import of the wrong function type is refused at instantiation.
pub fn linker_import_type_mismatch() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f", |x: i64| x)?;
    let module = Module::new(&engine, r#"(module (import "env" "f" (func (param i32) (result i32))))"#)?;
    let mut store = Store::new(&engine, ());
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    let mismatch = mentions(&err, "incompatible import type");
    assert!(mismatch, "{err:?}");
    // The same through `Instance::new` with an explicit import list.
    let f = Func::wrap(&mut store, |x: i64| x);
    let direct = Instance::new(&mut store, &module, &[f.into()]).is_err();
    let too_few = Instance::new(&mut store, &module, &[]).is_err();
    assert!(direct && too_few);
    Ok(format!("{mismatch} {direct} {too_few}"))
}
