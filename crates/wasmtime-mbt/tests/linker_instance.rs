//! Linker and Instance: defining items, shadowing, instantiating (directly,
//! through a linker, pre-instantiated in many stores), exports, missing or
//! mistyped imports, and objects from another store or engine.

use wasmtime_mbt::*;

#[track_caller]
fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "expected {needle:?} in {haystack:?}");
}

const USES_ENV: &str = r#"(module
    (import "env" "add" (func $add (param i32 i32) (result i32)))
    (import "env" "mem" (memory 1))
    (import "env" "base" (global $base i32))
    (func (export "run") (param i32) (result i32)
        local.get 0 global.get $base call $add
        (i32.load8_u (i32.const 0)) i32.add))"#;

#[test]
fn linker_define_func_wrap_and_instantiate() {
    let engine = Engine::default();
    let module = Module::new(&engine, USES_ENV).unwrap();
    let mut store = Store::new(&engine, ());
    let mem = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    mem.write(&mut store, 0, &[5]).unwrap();
    let base = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(100)).unwrap();

    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "add", |a: i32, b: i32| a + b).unwrap();
    linker.define(&mut store, "env", "mem", mem).unwrap();
    linker.define(&mut store, "env", "base", base).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, 1).unwrap(), 106);

    // `get` returns what was defined.
    let got = linker.get(&mut store, "env", "mem").unwrap().into_memory().unwrap();
    assert_eq!(got.data(&store)[0], 5);
    let add = linker.get(&mut store, "env", "add").unwrap().into_func().unwrap();
    assert_eq!(add.typed::<(i32, i32), i32>(&store).unwrap().call(&mut store, (2, 3)).unwrap(), 5);
    assert!(linker.get(&mut store, "env", "nope").is_err());
    assert!(linker.get(&mut store, "nope", "add").is_err());
    assert!(Engine::same(linker.engine(), &engine));
}

#[test]
fn linker_func_new() {
    let engine = Engine::default();
    let module = Module::new(&engine, USES_ENV).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_new("env", "add", FuncType::new(&engine, [ValType::I32, ValType::I32], [ValType::I32]), |_, args, results| {
            results[0] = Val::I32(args[0].i32().unwrap() * args[1].i32().unwrap());
            Ok(())
        })
        .unwrap();
    let mem = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let base = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(3)).unwrap();
    linker.define(&mut store, "env", "mem", mem).unwrap().define(&mut store, "env", "base", base).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, 7).unwrap(), 21);
}

#[test]
fn missing_import_is_err_naming_it() {
    let engine = Engine::default();
    let module = Module::new(&engine, USES_ENV).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_contains(&err.to_string(), "env");
    assert_contains(&err.to_string(), "add");
    assert!(linker.instantiate_pre(&module).is_err());

    linker.func_wrap("env", "add", |a: i32, b: i32| a + b).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_contains(&err.to_string(), "mem");

    // A definition of the wrong type is an error too.
    linker.func_wrap("env", "mem", || {}).unwrap();
    let base = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(0)).unwrap();
    linker.define(&mut store, "env", "base", base).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_contains(&err.to_string(), "mem");
    assert!(linker.instantiate_pre(&module).is_err());
}

#[test]
fn shadowing_requires_allow_shadowing() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "env" "f" (func $f (result i32))) (func (export "run") (result i32) call $f))"#,
    )
    .unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "f", || 1i32).unwrap();
    let err = linker.func_wrap("env", "f", || 2i32).unwrap_err();
    assert_contains(&err.to_string(), "f");
    assert!(linker.func_new("env", "f", FuncType::new(&engine, [], [ValType::I32]), |_, _, _| Ok(())).is_err());

    // The first definition is still in place.
    let mut store = Store::new(&engine, ());
    let run = linker.instantiate(&mut store, &module).unwrap().get_typed_func::<(), i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 1);

    linker.allow_shadowing(true);
    linker.func_wrap("env", "f", || 2i32).unwrap();
    let run = linker.instantiate(&mut store, &module).unwrap().get_typed_func::<(), i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 2);

    linker.allow_shadowing(false);
    assert!(linker.func_wrap("env", "f", || 3i32).is_err());
}

#[test]
fn linker_instance_and_module_register_exports() {
    let engine = Engine::default();
    let provider = Module::new(
        &engine,
        r#"(module
            (memory (export "mem") 1)
            (global (export "base") i32 (i32.const 1000))
            (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
    )
    .unwrap();
    let consumer = Module::new(&engine, USES_ENV).unwrap();

    // Via `Linker::instance`.
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let provided = Instance::new(&mut store, &provider, &[]).unwrap();
    linker.instance(&mut store, "env", provided).unwrap();
    let instance = linker.instantiate(&mut store, &consumer).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, 1).unwrap(), 1001);
    // The consumer shares the provider's memory.
    provided.get_memory(&mut store, "mem").unwrap().write(&mut store, 0, &[9]).unwrap();
    assert_eq!(run.call(&mut store, 1).unwrap(), 1010);
    // Registering the same name again needs shadowing.
    assert!(linker.instance(&mut store, "env", provided).is_err());

    // Via `Linker::module`.
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.module(&mut store, "env", &provider).unwrap();
    let instance = linker.instantiate(&mut store, &consumer).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, 2).unwrap(), 1002);
    assert!(linker.get(&mut store, "env", "add").unwrap().into_func().is_some());
}

#[test]
fn linker_get_default() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::<u32>::new(&engine);
    linker.func_wrap("host", "hit", |mut caller: Caller<'_, u32>| *caller.data_mut() += 1).unwrap();
    let with_default = Module::new(
        &engine,
        r#"(module (import "host" "hit" (func $hit)) (func (export "") call $hit))"#,
    )
    .unwrap();
    let with_start = Module::new(
        &engine,
        r#"(module (import "host" "hit" (func $hit)) (func (export "_start") call $hit call $hit))"#,
    )
    .unwrap();
    let none = Module::new(&engine, r#"(module (func (export "other") unreachable))"#).unwrap();
    let instance = linker.instantiate(&mut store, &with_default).unwrap();
    linker.instance(&mut store, "a", instance).unwrap();
    let instance = linker.instantiate(&mut store, &with_start).unwrap();
    linker.instance(&mut store, "b", instance).unwrap();
    let instance = linker.instantiate(&mut store, &none).unwrap();
    linker.instance(&mut store, "c", instance).unwrap();

    let a = linker.get_default(&mut store, "a").unwrap();
    a.call(&mut store, &[], &mut []).unwrap();
    assert_eq!(*store.data(), 1);
    let b = linker.get_default(&mut store, "b").unwrap();
    b.call(&mut store, &[], &mut []).unwrap();
    assert_eq!(*store.data(), 3);
    // No default: a no-op function.
    let c = linker.get_default(&mut store, "c").unwrap();
    c.call(&mut store, &[], &mut []).unwrap();
    assert_eq!(*store.data(), 3);
}

#[test]
fn define_unknown_imports_as_traps() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "known" (func $known (result i32)))
            (import "env" "unknown" (func $unknown (param i32) (result i32)))
            (func (export "known") (result i32) call $known)
            (func (export "unknown") (result i32) i32.const 1 call $unknown))"#,
    )
    .unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "known", || 5i32).unwrap();
    linker.define_unknown_imports_as_traps(&module).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let known = instance.get_typed_func::<(), i32>(&mut store, "known").unwrap();
    let unknown = instance.get_typed_func::<(), i32>(&mut store, "unknown").unwrap();
    assert_eq!(known.call(&mut store, ()).unwrap(), 5, "defined imports are untouched");
    let err = unknown.call(&mut store, ()).unwrap_err();
    assert_contains(&err.to_string(), "unknown");
    // The store survives.
    assert_eq!(known.call(&mut store, ()).unwrap(), 5);
}

#[test]
fn instantiate_pre_in_several_stores_with_data() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "next" (func $next (result i32)))
            (func (export "run") (result i32) call $next call $next i32.add))"#,
    )
    .unwrap();
    let mut linker = Linker::<i32>::new(&engine);
    linker
        .func_wrap("host", "next", |mut caller: Caller<'_, i32>| {
            *caller.data_mut() += 1;
            *caller.data()
        })
        .unwrap();
    let pre = linker.instantiate_pre(&module).unwrap();
    assert_eq!(pre.module().exports().next().unwrap().name(), "run");
    // The pre-instance is independent of the linker afterwards.
    drop(linker);

    for start in [0, 10, 100] {
        let mut store = Store::new(&engine, start);
        let instance = pre.instantiate(&mut store).unwrap();
        let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), 2 * start + 3);
        assert_eq!(store.into_data(), start + 2);
    }

    // Several instances in one store share its data.
    let mut store = Store::new(&engine, 0);
    let a = pre.instantiate(&mut store).unwrap();
    let b = pre.instantiate(&mut store).unwrap();
    let run_a = a.get_typed_func::<(), i32>(&mut store, "run").unwrap();
    let run_b = b.get_typed_func::<(), i32>(&mut store, "run").unwrap();
    assert_eq!(run_a.call(&mut store, ()).unwrap(), 3);
    assert_eq!(run_b.call(&mut store, ()).unwrap(), 7);
}

#[test]
fn instance_pre_from_another_thread() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "h" "v" (func $v (result i64))) (func (export "run") (result i64) call $v))"#).unwrap();
    let mut linker = Linker::<i64>::new(&engine);
    linker.func_wrap("h", "v", |caller: Caller<'_, i64>| *caller.data()).unwrap();
    let pre = std::sync::Arc::new(linker.instantiate_pre(&module).unwrap());
    let handles: Vec<_> = (0..4i64)
        .map(|i| {
            let pre = pre.clone();
            let engine = engine.clone();
            std::thread::spawn(move || {
                let mut store = Store::new(&engine, i * 11);
                let instance = pre.instantiate(&mut store).unwrap();
                instance.get_typed_func::<(), i64>(&mut store, "run").unwrap().call(&mut store, ()).unwrap()
            })
        })
        .collect();
    let results: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results, [0, 11, 22, 33]);
}

#[test]
fn instance_exports() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "f") (result i32) i32.const 1)
            (memory (export "m") 1)
            (table (export "t") 2 funcref)
            (global (export "g") i32 (i32.const 4)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let exports: Vec<_> = instance.exports(&mut store).map(|e| (e.name().to_string(), e.into_extern())).collect();
    let names: Vec<_> = exports.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["f", "m", "t", "g"]);
    assert!(matches!(exports[0].1, Extern::Func(_)));
    assert!(matches!(exports[1].1, Extern::Memory(_)));
    assert!(matches!(exports[2].1, Extern::Table(_)));
    assert!(matches!(exports[3].1, Extern::Global(_)));

    assert!(instance.get_func(&mut store, "f").is_some());
    assert!(instance.get_memory(&mut store, "m").is_some());
    assert!(instance.get_table(&mut store, "t").is_some());
    assert_eq!(instance.get_global(&mut store, "g").unwrap().get(&mut store).i32(), Some(4));
    // Wrong kinds and missing names.
    assert!(instance.get_memory(&mut store, "f").is_none());
    assert!(instance.get_func(&mut store, "g").is_none());
    assert!(instance.get_table(&mut store, "m").is_none());
    assert!(instance.get_global(&mut store, "t").is_none());
    assert!(instance.get_export(&mut store, "missing").is_none());
}

#[test]
fn instance_new_import_checks() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "" "f" (func (param i32))) (import "" "g" (global i32)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, |_: i32| {});
    let wrong_f = Func::wrap(&mut store, |_: i64| {});
    let g = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(0)).unwrap();
    Instance::new(&mut store, &module, &[f.into(), g.into()]).unwrap();

    let err = Instance::new(&mut store, &module, &[f.into()]).unwrap_err();
    assert_contains(&err.to_string(), "expected 2 imports, found 1");
    assert!(Instance::new(&mut store, &module, &[f.into(), g.into(), g.into()]).is_err());
    assert!(Instance::new(&mut store, &module, &[g.into(), f.into()]).is_err(), "kinds swapped");
    assert!(Instance::new(&mut store, &module, &[wrong_f.into(), g.into()]).is_err(), "wrong signature");
}

#[test]
fn instances_and_linker_items_from_another_store() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f")) (memory (export "m") 1))"#).unwrap();
    let mut store1 = Store::new(&engine, ());
    let mut store2 = Store::new(&engine, ());
    let instance1 = Instance::new(&mut store1, &module, &[]).unwrap();

    assert!(instance1.get_export(&mut store2, "f").is_none());
    assert!(instance1.get_func(&mut store2, "f").is_none());
    assert_eq!(instance1.exports(&mut store2).len(), 0);
    assert!(instance1.get_typed_func::<(), ()>(&mut store2, "f").is_err());

    let mut linker = Linker::new(&engine);
    assert!(linker.instance(&mut store2, "x", instance1).is_err());
    // As in `wasmtime`, defining an item with another store panics.
    let wrong_store = |f: &mut dyn FnMut()| {
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with the wrong store"));
    };
    let f1 = instance1.get_func(&mut store1, "f").unwrap();
    wrong_store(&mut || drop(linker.define(&mut store2, "x", "f", f1)));
    let m1 = instance1.get_memory(&mut store1, "m").unwrap();
    wrong_store(&mut || drop(linker.define(&mut store2, "x", "m", m1)));

    // Defined in store 1, then used to instantiate in store 2.
    linker.define(&mut store1, "x", "f", f1).unwrap();
    let user = Module::new(&engine, r#"(module (import "x" "f" (func)))"#).unwrap();
    assert!(linker.instantiate(&mut store2, &user).is_err());
    assert!(linker.instantiate(&mut store1, &user).is_ok());
}

#[test]
fn modules_from_another_engine() {
    let engine1 = Engine::default();
    let engine2 = Engine::default();
    let module2 = Module::new(&engine2, r#"(module (func (export "f")))"#).unwrap();
    let mut store1 = Store::new(&engine1, ());
    let err = Instance::new(&mut store1, &module2, &[]).unwrap_err();
    assert_contains(&err.to_string(), "Engine");

    let linker1 = Linker::<()>::new(&engine1);
    assert!(linker1.instantiate_pre(&module2).is_err());
    assert!(linker1.instantiate(&mut store1, &module2).is_err());

    // A pre-instance on engine 2 into a store on engine 1.
    let linker2 = Linker::<()>::new(&engine2);
    let pre2 = linker2.instantiate_pre(&module2).unwrap();
    assert!(pre2.instantiate(&mut store1).is_err());
    // Linker on engine 1, module and store on engine 2.
    let mut store2 = Store::new(&engine2, ());
    assert!(linker1.instantiate(&mut store2, &module2).is_err());
}

#[test]
fn linker_module_with_store_of_another_engine_is_err() {
    let engine1 = Engine::default();
    let engine2 = Engine::default();
    let module2 = Module::new(&engine2, r#"(module (func (export "f")))"#).unwrap();
    let mut store2 = Store::new(&engine2, ());
    let mut linker1 = Linker::<()>::new(&engine1);
    assert!(linker1.module(&mut store2, "m", &module2).is_err());
}

#[test]
fn linker_get_with_store_of_another_engine_is_err() {
    let engine1 = Engine::default();
    let engine2 = Engine::default();
    let mut linker1 = Linker::<()>::new(&engine1);
    linker1.func_wrap("m", "f", || {}).unwrap();
    let mut store2 = Store::new(&engine2, ());
    assert!(linker1.get(&mut store2, "m", "f").is_err());
    linker1.func_wrap("m", "", || {}).unwrap();
    assert!(linker1.get_default(&mut store2, "m").is_err());
}

#[test]
fn define_unknown_imports_as_traps_with_module_of_another_engine_is_err() {
    let engine1 = Engine::default();
    let engine2 = Engine::default();
    let module2 = Module::new(&engine2, r#"(module (import "a" "b" (func)))"#).unwrap();
    let mut linker1 = Linker::<()>::new(&engine1);
    assert!(linker1.define_unknown_imports_as_traps(&module2).is_err());
}

#[test]
fn linker_clone_is_independent() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "e" "f" (func $f (result i32))) (func (export "run") (result i32) call $f))"#).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    let empty_clone = linker.clone();
    linker.func_wrap("e", "f", || 1i32).unwrap();
    let full_clone = linker.clone();
    linker.allow_shadowing(true).func_wrap("e", "f", || 2i32).unwrap();

    let mut store = Store::new(&engine, ());
    assert!(empty_clone.instantiate(&mut store, &module).is_err());
    let run = |linker: &Linker<()>, store: &mut Store<()>| {
        let i = linker.instantiate(&mut *store, &module).unwrap();
        i.get_typed_func::<(), i32>(&mut *store, "run").unwrap().call(&mut *store, ()).unwrap()
    };
    assert_eq!(run(&full_clone, &mut store), 1);
    assert_eq!(run(&linker, &mut store), 2);
}
