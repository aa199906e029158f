// Globals: host-created globals imported by wasm, exported globals set by
// the host, mutability checks. (Reading a global's value or type from the
// host, `global.get(..).unwrap_i32()`, is in `tests/client-pending/`.)
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// A mutable global made by the host, imported, read and written by wasm and
/// set again by the host.
pub fn global_host_created() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let counter = Global::new(&mut store, GlobalType::new(ValType::I64, Mutability::Var), Val::I64(100))?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "counter" (global $c (mut i64)))
            (func (export "bump") (result i64)
                global.get $c i64.const 1 i64.add global.set $c global.get $c))"#,
    )?;
    let instance = Instance::new(&mut store, &module, &[counter.into()])?;
    let bump = instance.get_typed_func::<(), i64>(&mut store, "bump")?;
    let first = bump.call(&mut store, ())?;
    counter.set(&mut store, Val::I64(-10))?;
    let second = bump.call(&mut store, ())?;
    assert_eq!((first, second), (101, -9));
    Ok(format!("{first} {second}"))
}

/// An exported global set by the host; setting an immutable one or with the
/// wrong type fails.
pub fn global_exported_set() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (global $g (export "g") (mut f32) (f32.const 1.5))
            (global (export "k") i32 (i32.const 7))
            (func (export "get") (result f32) global.get $g))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let g = instance.get_global(&mut store, "g").expect("global g");
    let k = instance.get_global(&mut store, "k").expect("global k");
    let get = instance.get_typed_func::<(), f32>(&mut store, "get")?;
    let before = get.call(&mut store, ())?;
    g.set(&mut store, Val::F32(2.25f32.to_bits()))?;
    let after = get.call(&mut store, ())?;
    let immutable = k.set(&mut store, Val::I32(8)).is_err();
    let wrong_type = g.set(&mut store, Val::I32(1)).is_err();
    let missing = instance.get_global(&mut store, "get").is_none();
    assert_eq!((before, after), (1.5, 2.25));
    assert!(immutable && wrong_type && missing);
    Ok(format!("{before} {after} {immutable} {wrong_type} {missing}"))
}

/// A global exported by one instance, imported by another (through a `Linker`).
pub fn global_shared_between_instances() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let provider = Module::new(&engine, r#"(module (global (export "g") (mut i32) (i32.const 5)))"#)?;
    let provider = linker.instantiate(&mut store, &provider)?;
    linker.instance(&mut store, "provider", provider)?;
    let user = Module::new(
        &engine,
        r#"(module
            (import "provider" "g" (global $g (mut i32)))
            (func (export "double") global.get $g i32.const 2 i32.mul global.set $g)
            (func (export "get") (result i32) global.get $g))"#,
    )?;
    let user = linker.instantiate(&mut store, &user)?;
    user.get_typed_func::<(), ()>(&mut store, "double")?.call(&mut store, ())?;
    let g = provider.get_global(&mut store, "g").unwrap();
    g.set(&mut store, Val::I32(21))?;
    user.get_typed_func::<(), ()>(&mut store, "double")?.call(&mut store, ())?;
    let value = user.get_typed_func::<(), i32>(&mut store, "get")?.call(&mut store, ())?;
    assert_eq!(value, 42);
    Ok(format!("{value}"))
}

/// Importing a global with the wrong type or mutability is refused.
pub fn global_import_type_mismatch() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "" "g" (global (mut i32))))"#)?;
    let mut store = Store::new(&engine, ());
    let immutable = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(1))?;
    let other_type = Global::new(&mut store, GlobalType::new(ValType::I64, Mutability::Var), Val::I64(1))?;
    let good = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(1))?;
    let a = Instance::new(&mut store, &module, &[immutable.into()]).is_err();
    let b = Instance::new(&mut store, &module, &[other_type.into()]).is_err();
    let c = Instance::new(&mut store, &module, &[good.into()]).is_ok();
    // A value of the wrong type for the global's own type is refused too.
    let bad_init = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::F64(0)).is_err();
    assert!(a && b && c && bad_init);
    Ok(format!("{a} {b} {c} {bad_init}"))
}
