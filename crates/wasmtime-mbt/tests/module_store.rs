//! Modules (compile, validate, serialize/deserialize, imports/exports) and
//! stores (host data, thread-safety markers, gc, use from another thread).

use std::path::PathBuf;

use wasmtime_mbt::*;

#[track_caller]
fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "expected {needle:?} in {haystack:?}");
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmtime-mbt-module-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const ADDER: &str = r#"(module
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#;

fn call_add(engine: &Engine, module: &Module) -> i32 {
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, module, &[]).unwrap();
    instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap().call(&mut store, (40, 2)).unwrap()
}

#[test]
fn bad_wat_and_garbage_bytes_are_err() {
    let engine = Engine::default();
    let err = Module::new(&engine, "(module (func (export \"f\") (result i32) i32.const))").unwrap_err();
    assert!(err.downcast_ref::<Trap>().is_none() && err.downcast_ref::<WasmBacktrace>().is_none(), "{err:?}");
    assert!(!err.to_string().is_empty());
    assert!(Module::new(&engine, "(module").is_err());
    assert!(Module::new(&engine, "").is_err());
    assert!(Module::new(&engine, [0xff, 0xfe, 0x00, 0x01]).is_err());
    assert!(Module::new(&engine, b"\0asm\x01\0\0\0\xff\xff\xff").is_err());
    assert!(Module::from_binary(&engine, b"(module)").is_err(), "from_binary does not accept text");
    // Well-formed but invalid: type error.
    let err = Module::new(&engine, r#"(module (func (result i32) i64.const 1))"#).unwrap_err();
    assert_contains(&format!("{err:#}"), "type mismatch");
}

#[test]
fn validate() {
    let engine = Engine::default();
    Module::validate(&engine, ADDER.as_bytes()).unwrap();
    Module::validate(&engine, &wat2wasm(ADDER.as_bytes()).unwrap()).unwrap();
    assert!(Module::validate(&engine, b"(module (func (result i32)))").is_err());
    assert!(Module::validate(&engine, b"\0asm\x01\0\0\0\x01").is_err());
    assert!(Module::validate(&engine, b"garbage").is_err());
    // Validation follows the engine's features.
    let no_simd = Engine::new(Config::new().wasm_simd(false).wasm_relaxed_simd(false)).unwrap();
    let simd = br#"(module (func (param v128) (result v128) local.get 0))"#;
    Module::validate(&engine, simd).unwrap();
    assert!(Module::validate(&no_simd, simd).is_err());
}

#[test]
fn wat2wasm_and_binary_modules() {
    let engine = Engine::default();
    let wasm = wat2wasm(ADDER.as_bytes()).unwrap();
    assert!(wasm.starts_with(b"\0asm"));
    let module = Module::new(&engine, &wasm).unwrap();
    assert_eq!(call_add(&engine, &module), 42);
    let module = Module::from_binary(&engine, &wasm).unwrap();
    assert_eq!(call_add(&engine, &module), 42);
    assert!(wat2wasm(b"(module (func $x) (func $x))").is_err());
}

#[test]
fn serialize_deserialize_round_trip() {
    let engine = Engine::default();
    let module = Module::new(&engine, ADDER).unwrap();
    let bytes = module.serialize().unwrap();
    assert!(!bytes.is_empty());
    // SAFETY: produced just above by this engine.
    let back = unsafe { Module::deserialize(&engine, &bytes) }.unwrap();
    let exports = |m: &Module| m.exports().map(|e| (e.name().to_string(), e.ty())).collect::<Vec<_>>();
    assert_eq!(exports(&back), exports(&module));
    assert_eq!(exports(&back).len(), 1);
    assert_eq!(call_add(&engine, &back), 42);

    // Engine::precompile_module gives loadable bytes too, also on a second
    // engine with the same configuration.
    let pre = engine.precompile_module(ADDER.as_bytes()).unwrap();
    let other = Engine::default();
    // SAFETY: produced by an engine with the same configuration.
    let back = unsafe { Module::deserialize(&other, &pre) }.unwrap();
    assert_eq!(call_add(&other, &back), 42);
    assert!(engine.precompile_module(b"(module (func (result i32)))").is_err());

    // From a file.
    let dir = temp_dir("serialize");
    let path = dir.join("adder.cwasm");
    std::fs::write(&path, &bytes).unwrap();
    // SAFETY: the file holds bytes serialized by this engine and is not changed.
    let from_file = unsafe { Module::deserialize_file(&engine, &path) }.unwrap();
    assert_eq!(call_add(&engine, &from_file), 42);
    // SAFETY: the path does not exist; nothing is loaded.
    assert!(unsafe { Module::deserialize_file(&engine, dir.join("missing.cwasm")) }.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deserialize_garbage_or_incompatible_is_err() {
    let engine = Engine::default();
    // SAFETY: Wasmtime checks the header before trusting anything; these
    // bytes are rejected there.
    unsafe {
        assert!(Module::deserialize(&engine, b"").is_err());
        assert!(Module::deserialize(&engine, b"definitely not a module").is_err());
        assert!(Module::deserialize(&engine, &wat2wasm(ADDER.as_bytes()).unwrap()).is_err(), "plain wasm is not serialized code");
    }
    // Compiled for an incompatible configuration.
    let fuel = Engine::new(Config::new().consume_fuel(true)).unwrap();
    let bytes = fuel.precompile_module(ADDER.as_bytes()).unwrap();
    // SAFETY: produced by Wasmtime; the header check rejects the mismatch.
    let err = unsafe { Module::deserialize(&engine, &bytes) }.unwrap_err();
    assert!(!err.to_string().is_empty());
}

#[test]
fn imports_and_exports_with_types() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "f" (func (param i32 i64) (result f32)))
            (import "env" "mem" (memory 1 4))
            (import "other" "tab" (table 2 funcref))
            (import "other" "g" (global (mut f64)))
            (func (export "run") (param externref) (result funcref) ref.null func)
            (memory (export "memory") 2)
            (table (export "table") 3 7 externref)
            (global (export "const") i64 (i64.const 0)))"#,
    )
    .unwrap();

    assert_eq!(module.imports().len(), 4);
    let imports: Vec<ImportType<'_>> = module.imports().collect();
    let names: Vec<_> = imports.iter().map(|i| (i.module(), i.name())).collect();
    assert_eq!(names, [("env", "f"), ("env", "mem"), ("other", "tab"), ("other", "g")]);
    assert_eq!(imports[0].ty(), ExternType::Func(FuncType::new(&engine, [ValType::I32, ValType::I64], [ValType::F32])));
    let ExternType::Memory(mem) = imports[1].ty() else { panic!("{:?}", imports[1]) };
    assert_eq!((mem.minimum(), mem.maximum(), mem.is_64(), mem.is_shared()), (1, Some(4), false, false));
    let ExternType::Table(tab) = imports[2].ty() else { panic!("{:?}", imports[2]) };
    assert_eq!((tab.element(), tab.minimum(), tab.maximum()), (&RefType::FUNCREF, 2, None));
    assert_eq!(imports[3].ty(), ExternType::Global(GlobalType::new(ValType::F64, Mutability::Var)));

    let exports: Vec<ExportType<'_>> = module.exports().collect();
    let names: Vec<_> = exports.iter().map(|e| e.name()).collect();
    assert_eq!(names, ["run", "memory", "table", "const"]);
    assert_eq!(exports[0].ty(), ExternType::Func(FuncType::new(&engine, [ValType::EXTERNREF], [ValType::FUNCREF])));
    assert_eq!(module.get_export("run"), Some(exports[0].ty()));
    assert_eq!(module.get_export("nope"), None);
    let ExternType::Memory(mem) = exports[1].ty() else { panic!() };
    assert_eq!((mem.minimum(), mem.maximum()), (2, None));
    let ExternType::Table(tab) = exports[2].ty() else { panic!() };
    assert_eq!((tab.element(), tab.minimum(), tab.maximum()), (&RefType::EXTERNREF, 3, Some(7)));
    assert_eq!(exports[3].ty(), ExternType::Global(GlobalType::new(ValType::I64, Mutability::Const)));

    let empty = Module::new(&engine, "(module)").unwrap();
    assert!(empty.imports().len() == 0 && empty.exports().len() == 0);
    assert!(empty.imports().next().is_none() && empty.exports().next().is_none());
}

#[test]
fn module_from_file() {
    let engine = Engine::default();
    let dir = temp_dir("from-file");
    let wat = dir.join("adder.wat");
    std::fs::write(&wat, ADDER).unwrap();
    assert_eq!(call_add(&engine, &Module::from_file(&engine, &wat).unwrap()), 42);
    let wasm = dir.join("adder.wasm");
    std::fs::write(&wasm, wat2wasm(ADDER.as_bytes()).unwrap()).unwrap();
    assert_eq!(call_add(&engine, &Module::from_file(&engine, &wasm).unwrap()), 42);
    let err = Module::from_file(&engine, dir.join("missing.wat")).unwrap_err();
    assert_contains(&err.to_string(), "missing.wat");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn modules_are_shared_across_threads() {
    let engine = Engine::default();
    let module = Module::new(&engine, ADDER).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let engine = engine.clone();
            let module = module.clone();
            std::thread::spawn(move || call_add(&engine, &module))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 42);
    }
    // A module compiled on another thread.
    let engine2 = engine.clone();
    let compiled = std::thread::spawn(move || Module::new(&engine2, ADDER).unwrap()).join().unwrap();
    assert_eq!(call_add(&engine, &compiled), 42);
    assert!(Engine::same(compiled.engine(), &engine));
}

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

#[test]
fn thread_safety_markers() {
    assert_send::<Store<u32>>();
    assert_send::<Store<Vec<String>>>();
    assert_send::<Engine>();
    assert_sync::<Engine>();
    assert_send::<Module>();
    assert_sync::<Module>();
    assert_send::<Func>();
    assert_sync::<Func>();
    assert_send::<Linker<u32>>();
    assert_sync::<Linker<u32>>();
    assert_send::<InstancePre<u32>>();
    assert_sync::<InstancePre<u32>>();
    assert_send::<Instance>();
    assert_send::<Memory>();
    assert_send::<Table>();
    assert_send::<Global>();
    assert_send::<ExternRef>();
    assert_send::<TypedFunc<i32, i32>>();
    assert_send::<Error>();
    assert_sync::<Error>();
    assert_send::<Trap>();
}

#[test]
fn store_moves_to_another_thread() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "h" "inc" (func $inc)) (func (export "run") call $inc call $inc))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let inc = Func::wrap(&mut store, |mut caller: Caller<'_, u32>| *caller.data_mut() += 1);
    let instance = Instance::new(&mut store, &module, &[inc.into()]).unwrap();
    let run = instance.get_typed_func::<(), ()>(&mut store, "run").unwrap();
    run.call(&mut store, ()).unwrap();
    let store = std::thread::spawn(move || {
        let mut store = store;
        run.call(&mut store, ()).unwrap();
        store
    })
    .join()
    .unwrap();
    assert_eq!(store.into_data(), 4);
}

#[test]
fn store_data_data_mut_into_data_and_contexts() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, vec![1, 2]);
    store.data_mut().push(3);
    assert_eq!(store.data(), &[1, 2, 3]);
    assert!(Engine::same(store.engine(), &engine));
    {
        let ctx = store.as_context();
        assert_eq!(ctx.data().len(), 3);
        assert!(Engine::same(ctx.engine(), &engine));
    }
    {
        let mut ctx = store.as_context_mut();
        ctx.data_mut().push(4);
        // Contexts work wherever a store does.
        let f = Func::wrap(&mut ctx, |caller: Caller<'_, Vec<i32>>| caller.data().len() as i32);
        let typed = f.typed::<(), i32>(&ctx).unwrap();
        assert_eq!(typed.call(&mut ctx, ()).unwrap(), 4);
    }
    assert_eq!(store.into_data(), vec![1, 2, 3, 4]);
}

#[test]
fn into_data_drops_wasm_objects_but_returns_data() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    struct Flag(Arc<AtomicUsize>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let mut store = Store::new(&Engine::default(), String::from("data"));
    let flag = Flag(drops.clone());
    Func::wrap(&mut store, move || {
        let _ = &flag;
    });
    let _ = ExternRef::new(&mut store, Flag(drops.clone())).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    assert_eq!(store.into_data(), "data");
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn gc_runs() {
    let mut store = Store::new(&Engine::default(), ());
    store.gc(None).unwrap();
    let _r = ExternRef::new(&mut store, 5u8).unwrap();
    store.gc(None).unwrap();
    store.gc(None).unwrap();
}

#[test]
fn many_stores_on_one_engine_are_isolated() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (global $g (mut i32) (i32.const 0))
            (func (export "bump") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) global.get $g))"#,
    )
    .unwrap();
    let mut stores: Vec<_> = (0..3).map(|_| Store::new(&engine, ())).collect();
    let bumps: Vec<_> = stores
        .iter_mut()
        .map(|s| Instance::new(&mut *s, &module, &[]).unwrap().get_typed_func::<(), i32>(&mut *s, "bump").unwrap())
        .collect();
    assert_eq!(bumps[0].call(&mut stores[0], ()).unwrap(), 1);
    assert_eq!(bumps[0].call(&mut stores[0], ()).unwrap(), 2);
    assert_eq!(bumps[1].call(&mut stores[1], ()).unwrap(), 1);
    assert_eq!(bumps[2].call(&mut stores[2], ()).unwrap(), 1);
    // Each typed function is bound to its own store (another panics, as in
    // `wasmtime`).
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bumps[0].call(&mut stores[1], ()))).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with the wrong store"));
}

#[test]
fn store_default_and_try_new() {
    let store = Store::<Vec<u32>>::default();
    assert!(store.data().is_empty());
    let engine = Engine::default();
    let store = Store::try_new(&engine, 7u64).unwrap();
    assert_eq!(*store.data(), 7);
    assert!(Engine::same(store.engine(), &engine));
}

#[test]
fn module_exports_are_cached_and_shared_by_clones() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f") (param i64)) (memory (export "m") 1))"#).unwrap();
    let clone = module.clone();
    assert!(Module::same(&module, &clone));
    assert!(!Module::same(&module, &Module::new(&engine, "(module)").unwrap()));
    // The names borrow from the module: the same bytes through every clone.
    let a = module.exports().next().unwrap().name();
    let b = clone.exports().next().unwrap().name();
    assert!(std::ptr::eq(a, b));
    assert_eq!(module.get_export("f").unwrap().unwrap_func().param(0), Some(ValType::I64));
    assert_eq!(module.get_export("m").unwrap().unwrap_memory().minimum(), 1);
    let mut exports = module.exports();
    assert_eq!(exports.len(), 2);
    exports.next();
    assert_eq!(exports.len(), 1);
}

#[test]
fn extern_ty_reports_each_kind_and_panics_on_the_wrong_store() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) i32.const 0) (memory (export "m") 2)
            (table (export "t") 1 externref) (global (export "g") (mut f32) (f32.const 0)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let ty = |name: &str, store: &mut Store<()>| instance.get_export(&mut *store, name).unwrap().ty(&*store);
    assert_eq!(ty("f", &mut store).unwrap_func().results().collect::<Vec<_>>(), [ValType::I32]);
    assert_eq!(ty("m", &mut store).unwrap_memory().minimum(), 2);
    assert_eq!(ty("t", &mut store).unwrap_table().element(), &RefType::EXTERNREF);
    assert_eq!(*ty("g", &mut store).unwrap_global().content(), ValType::F32);
    // Each matches the module's declared export type.
    for export in module.exports() {
        assert_eq!(ty(export.name(), &mut store), export.ty());
    }
    let other = Store::new(&engine, ());
    let memory = instance.get_export(&mut store, "m").unwrap();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| memory.ty(&other))).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with the wrong store"));
}
