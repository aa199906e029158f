// Client cases of native signatures: `UnknownImportError`, `Memory::data_and_store_mut`,
// `Instance::exports` as an iterator, `Linker::get` as a `Result`, `Store::limiter` with a
// closure, `Store::gc(None)`, `Store::epoch_deadline_trap`, and `Module::deserialize` of owned
// bytes. They began in `tests/client-pending/` and moved here when wasmtime-mbt caught up.

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

/// A host function borrowing guest memory and its store data at once.
pub fn memory_data_and_store_mut() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "save", |mut caller: Caller<'_, Vec<u8>>, ptr: i32, len: i32| {
        let memory = caller.get_export("memory").unwrap().into_memory().unwrap();
        let (data, saved) = memory.data_and_store_mut(&mut caller);
        saved.extend_from_slice(&data[ptr as usize..][..len as usize]);
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "save" (func $save (param i32 i32)))
            (memory (export "memory") 1) (data (i32.const 3) "abc")
            (func (export "run") i32.const 3 i32.const 3 call $save))"#,
    )?;
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module)?;
    instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ())?;
    let saved = String::from_utf8(store.into_data())?;
    assert_eq!(saved, "abc");
    Ok(saved)
}

/// An instance's exports by name, and calling the functions among them.
pub fn instance_exports_iter() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "a") (result i32) i32.const 1) (memory (export "m") 1) (func (export "b") (result i32) i32.const 2))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let names: Vec<String> = instance.exports(&mut store).map(|e| e.name().to_string()).collect();
    let funcs: Vec<Func> = instance.exports(&mut store).filter_map(|e| e.into_func()).collect();
    let mut values = Vec::new();
    for f in funcs {
        values.push(f.typed::<(), i32>(&store)?.call(&mut store, ())?);
    }
    assert_eq!(names, ["a", "m", "b"]);
    assert_eq!(values, [1, 2]);
    Ok(format!("{names:?} {values:?}"))
}

/// Items looked up in a `Linker` with `?` and `.into_func()`.
pub fn linker_get_result() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "add2", |x: i32| x + 2)?;
    let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    linker.define(&mut store, "env", "memory", memory)?;
    let add2 = linker.get(&mut store, "env", "add2")?.into_func().expect("a func");
    let three = add2.typed::<i32, i32>(&store)?.call(&mut store, 1)?;
    let missing = linker.get(&mut store, "env", "nope").is_err();
    let is_memory = matches!(linker.get(&mut store, "env", "memory")?, Extern::Memory(_));
    assert_eq!(three, 3);
    assert!(missing && is_memory);
    Ok(format!("{three} {missing} {is_memory}"))
}

/// Store data holding the limits.
struct Limited {
    limits: StoreLimits,
}

/// `store.limiter(|s| &mut s.limits)` caps memory growth.
pub fn store_limiter_closure() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (memory (export "m") 1) (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#)?;
    let mut store = Store::new(&engine, Limited { limits: StoreLimitsBuilder::new().memory_size(2 << 16).build() });
    store.limiter(|s| &mut s.limits);
    let instance = Instance::new(&mut store, &module, &[])?;
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
    let ok = grow.call(&mut store, 1)?;
    let refused = grow.call(&mut store, 1)?;
    assert_eq!((ok, refused), (1, -1));
    Ok(format!("{ok} {refused}"))
}

/// An explicit collection with `store.gc(None)` keeps live externrefs.
pub fn store_gc_none() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let kept = ExternRef::new(&mut store, 99u8)?;
    store.gc(None)?;
    let value = *kept.data(&store)?.unwrap().downcast_ref::<u8>().unwrap();
    assert_eq!(value, 99);
    Ok(format!("{value}"))
}

/// Going back to trapping on the deadline after a callback was set, and a
/// callback asking to interrupt.
pub fn epoch_deadline_trap_explicit() -> Result<String> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, r#"(module (func (export "f")))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_typed_func::<(), ()>(&mut store, "f")?;
    store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Interrupt));
    store.set_epoch_deadline(0);
    let interrupted = f.call(&mut store, ()).unwrap_err().downcast::<Trap>()? == Trap::Interrupt;
    store.epoch_deadline_trap();
    let trapped = f.call(&mut store, ()).unwrap_err().downcast::<Trap>()? == Trap::Interrupt;
    store.set_epoch_deadline(1);
    let runs = f.call(&mut store, ()).is_ok();
    assert!(interrupted && trapped && runs);
    Ok(format!("{interrupted} {trapped} {runs}"))
}

/// `Module::deserialize(&engine, bytes)` with the serialized `Vec` by value.
pub fn deserialize_owned_bytes() -> Result<String> {
    let engine = Engine::default();
    let bytes = Module::new(&engine, r#"(module (func (export "f") (result i32) i32.const 11))"#)?.serialize()?;
    // SAFETY: the bytes were just produced by `serialize` with this engine.
    let module = unsafe { Module::deserialize(&engine, bytes)? };
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let value = instance.get_typed_func::<(), i32>(&mut store, "f")?.call(&mut store, ())?;
    assert_eq!(value, 11);
    Ok(format!("{value}"))
}

/// `Linker::get_by_import` for each import, then
/// `define_unknown_imports_as_default_values` for the missing ones.
pub fn linker_get_by_import_and_default_values() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "one", || 1i32)?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "one" (func $one (result i32))) (import "env" "zero" (func $zero (result i64)))
            (import "env" "g" (global $g i32)) (import "env" "m" (memory 1))
            (func (export "run") (result i64) call $one i64.extend_i32_s call $zero i64.add global.get $g i64.extend_i32_s i64.add)
            (func (export "size") (result i32) memory.size))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let found: Vec<bool> = module.imports().map(|i| linker.get_by_import(&mut store, &i).is_some()).collect();
    linker.define_unknown_imports_as_default_values(&mut store, &module)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<(), i64>(&mut store, "run")?.call(&mut store, ())?;
    let size = instance.get_typed_func::<(), i32>(&mut store, "size")?.call(&mut store, ())?;
    assert_eq!(found, [true, false, false, false]);
    assert_eq!((run, size), (1, 1));
    Ok(format!("{found:?} {run} {size}"))
}

/// `UnknownImportError` from `instantiate_pre`, with the import's type.
pub fn unknown_import_error_pre() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "env" "mem" (memory 2)))"#)?;
    let err = Linker::<()>::new(&engine).instantiate_pre(&module).err().expect("an error");
    let unknown = err.downcast_ref::<UnknownImportError>().expect("an UnknownImportError");
    let minimum = unknown.ty().memory().map(|m| m.minimum());
    assert_eq!((unknown.module(), unknown.name(), minimum), ("env", "mem", Some(2)));
    Ok(format!("{} {} {minimum:?} {err}", unknown.module(), unknown.name()))
}

/// `Export::ty` of an instance's exports, and a memory's page size and
/// base pointer.
pub fn export_types_and_memory_pointer() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (memory (export "m") 1 3) (global (export "g") i64 (i64.const 0)))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let names: Vec<String> = instance
        .exports(&mut store)
        .map(|e| e.name().to_string())
        .collect();
    let memory = instance.get_memory(&mut store, "m").expect("m");
    let ty = Extern::from(memory).ty(&store);
    let (page, log2) = (memory.page_size(&store), memory.page_size_log2(&store));
    let same = memory.data_ptr(&store) == memory.data_mut(&mut store).as_mut_ptr();
    assert_eq!(names, ["m", "g"]);
    assert_eq!((ty.memory().and_then(|m| m.maximum()), page, log2, same), (Some(3), 65536, 16, true));
    Ok(format!("{names:?} {page} {log2} {same}"))
}

/// Raw values: `Func::new_unchecked`, `Linker::func_new_unchecked`,
/// `Func::call_unchecked` and `Func::to_raw`/`from_raw`.
pub fn raw_unchecked_functions() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new(&engine, [ValType::I32, ValType::I64], [ValType::I64]);
    // SAFETY: reads an i32 and an i64, writes one i64, as `ty` says.
    let mix = unsafe {
        Func::new_unchecked(&mut store, ty.clone(), |_, vals| {
            let (a, b) = (vals[0].assume_init().get_i32(), vals[1].assume_init().get_i64());
            vals[0].write(ValRaw::i64(a as i64 * b));
            Ok(())
        })
    };
    let mut vals = [ValRaw::i32(6), ValRaw::i64(7)];
    // SAFETY: two slots holding (i32, i64) for (i32, i64) -> i64.
    unsafe { mix.call_unchecked(&mut store, &mut vals)? };
    let product = vals[0].get_i64();
    let raw = mix.to_raw(&mut store);
    // SAFETY: `raw` came from `to_raw` in this store.
    let back = unsafe { Func::from_raw(&mut store, raw) }.expect("a function");
    let again = back.typed::<(i32, i64), i64>(&store)?.call(&mut store, (2, 21))?;
    let mut linker = Linker::new(&engine);
    // SAFETY: as for `mix`.
    unsafe {
        linker.func_new_unchecked("env", "mix", ty, |_, vals| {
            let (a, b) = (vals[0].assume_init().get_i32(), vals[1].assume_init().get_i64());
            vals[0].write(ValRaw::i64(a as i64 + b));
            Ok(())
        })?
    };
    let module = Module::new(
        &engine,
        r#"(module (import "env" "mix" (func $m (param i32 i64) (result i64))) (func (export "run") (result i64) i32.const 1 i64.const 2 call $m))"#,
    )?;
    let instance = linker.instantiate(&mut store, &module)?;
    let sum = instance.get_typed_func::<(), i64>(&mut store, "run")?.call(&mut store, ())?;
    assert_eq!((product, again, sum), (42, 42, 3));
    Ok(format!("{product} {again} {sum}"))
}

/// Exception tags: a host `Tag` imported and re-exported, a module's own
/// tag, `Tag::eq`, and `ExternType::Tag` in module imports.
pub fn tags_imported_and_exported() -> Result<String> {
    let mut config = Config::new();
    config.wasm_exceptions(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(
        &engine,
        r#"(module (import "" "t" (tag $t (param i32))) (export "again" (tag $t)) (tag (export "own") (param i64 i64)))"#,
    )?;
    let import_params = match module.imports().next().map(|i| i.ty()) {
        Some(ExternType::Tag(ty)) => ty.ty().params().len(),
        _ => 99,
    };
    let mut store = Store::new(&engine, ());
    let tag = Tag::new(&mut store, &TagType::new(FuncType::new(&engine, [ValType::I32], [])))?;
    let instance = Instance::new(&mut store, &module, &[tag.into()])?;
    let again = instance.get_export(&mut store, "again").and_then(Extern::into_tag).expect("a tag");
    let own = instance.get_export(&mut store, "own").and_then(Extern::into_tag).expect("a tag");
    let same = Tag::eq(&tag, &again, &store);
    let different = !Tag::eq(&tag, &own, &store);
    let own_params = own.ty(&store).ty().params().len();
    assert_eq!((import_params, same, different, own_params), (1, true, true, 2));
    Ok(format!("{import_params} {same} {different} {own_params}"))
}
