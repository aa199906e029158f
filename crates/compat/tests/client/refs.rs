// Reference values: externrefs carrying host data through wasm, null
// references, and externref globals and tables used from wasm.
// Typed `Option<Rooted<ExternRef>>` signatures in wasm calls and host functions.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// An externref made by the host goes through a wasm identity function and
/// comes back with its host data.
pub fn externref_roundtrip() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "id") (param externref) (result externref) local.get 0)
            (func (export "is_null") (param externref) (result i32) local.get 0 ref.is_null))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let id = instance.get_func(&mut store, "id").unwrap();
    let is_null = instance.get_func(&mut store, "is_null").unwrap();

    let hello = ExternRef::new(&mut store, String::from("hello"))?;
    let mut results = [Val::I32(0)];
    id.call(&mut store, &[Val::ExternRef(Some(hello))], &mut results)?;
    let back = results[0].externref().expect("an externref value").expect("not null");
    let data = back.data(&store)?.expect("host data");
    let text = data.downcast_ref::<String>().expect("a String").clone();
    let not_int = data.downcast_ref::<i32>().is_none();
    assert_eq!(text, "hello");
    assert!(not_int);

    let mut flags = [Val::I32(-1)];
    is_null.call(&mut store, &[Val::ExternRef(None)], &mut flags)?;
    let null = flags[0].i32().unwrap();
    let hello = ExternRef::new(&mut store, 5u64)?;
    is_null.call(&mut store, &[Val::ExternRef(Some(hello))], &mut flags)?;
    let non_null = flags[0].i32().unwrap();
    assert_eq!((null, non_null), (1, 0));
    Ok(format!("{text} {not_int} {null} {non_null}"))
}

/// Externrefs stored in a wasm table and a wasm global, read back later.
pub fn externref_table_and_global() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (table $t 4 externref)
            (global $g (mut externref) (ref.null extern))
            (func (export "put") (param i32 externref) local.get 0 local.get 1 table.set $t)
            (func (export "take") (param i32) (result externref) local.get 0 table.get $t)
            (func (export "set_g") (param externref) local.get 0 global.set $g)
            (func (export "get_g") (result externref) global.get $g))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let put = instance.get_func(&mut store, "put").unwrap();
    let take = instance.get_func(&mut store, "take").unwrap();
    let set_g = instance.get_func(&mut store, "set_g").unwrap();
    let get_g = instance.get_func(&mut store, "get_g").unwrap();
    for (i, word) in ["zero", "one", "two"].into_iter().enumerate() {
        let r = ExternRef::new(&mut store, word)?;
        put.call(&mut store, &[Val::I32(i as i32), Val::ExternRef(Some(r))], &mut [])?;
    }
    let r = ExternRef::new(&mut store, 1234i32)?;
    set_g.call(&mut store, &[Val::ExternRef(Some(r))], &mut [])?;

    let mut words = Vec::new();
    for i in [2, 0, 1, 3] {
        let mut out = [Val::I32(0)];
        take.call(&mut store, &[Val::I32(i)], &mut out)?;
        let word = match out[0].externref().unwrap() {
            Some(r) => *r.data(&store)?.unwrap().downcast_ref::<&str>().unwrap(),
            None => "null",
        };
        words.push(word);
    }
    let mut out = [Val::I32(0)];
    get_g.call(&mut store, &[], &mut out)?;
    let g = *out[0].externref().unwrap().unwrap().data(&store)?.unwrap().downcast_ref::<i32>().unwrap();
    let out_of_bounds = take.call(&mut store, &[Val::I32(4)], &mut out).is_err();
    assert_eq!(words, ["two", "zero", "one", "null"]);
    assert_eq!(g, 1234);
    assert!(out_of_bounds);
    Ok(format!("{words:?} {g} {out_of_bounds}"))
}

/// Externrefs swapped through a wasm global across calls, the previous
/// one's host data read back each time and kept in the store's data.
pub fn externref_host_data_in_store() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, Vec::<String>::new());
    let module = Module::new(
        &engine,
        r#"(module
            (global (export "g") (mut externref) (ref.null extern))
            (func (export "swap") (param externref) (result externref)
                global.get 0 local.get 0 global.set 0))"#,
    )?;
    let instance = Instance::new(&mut store, &module, &[])?;
    let swap = instance.get_func(&mut store, "swap").unwrap();
    let mut seen = Vec::new();
    for n in 1..=3u32 {
        let r = ExternRef::new(&mut store, n)?;
        let mut out = [Val::I32(0)];
        swap.call(&mut store, &[Val::ExternRef(Some(r))], &mut out)?;
        let previous = match out[0].externref().unwrap() {
            Some(r) => r.data(&store)?.unwrap().downcast_ref::<u32>().copied(),
            None => None,
        };
        seen.push(previous);
        store.data_mut().push(format!("{previous:?}"));
    }
    assert_eq!(seen, [None, Some(1), Some(2)]);
    Ok(format!("{seen:?} {:?}", store.data()))
}

/// Externrefs through typed wasm calls and typed host functions.
pub fn externref_typed_rooted() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "len", |caller: Caller<'_, ()>, r: Option<Rooted<ExternRef>>| -> Result<i32> {
        let r = r.expect("non-null");
        Ok(r.data(&caller)?.unwrap().downcast_ref::<String>().unwrap().len() as i32)
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "len" (func $len (param externref) (result i32)))
            (func (export "id") (param externref) (result externref) local.get 0)
            (func (export "len") (param externref) (result i32) local.get 0 call $len))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let id = instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut store, "id")?;
    let len = instance.get_typed_func::<Option<Rooted<ExternRef>>, i32>(&mut store, "len")?;
    let r = ExternRef::new(&mut store, String::from("hello"))?;
    let back = id.call(&mut store, Some(r))?.unwrap();
    let text = back.data(&store)?.unwrap().downcast_ref::<String>().unwrap().clone();
    let n = len.call(&mut store, Some(back))?;
    assert_eq!((text.as_str(), n), ("hello", 5));
    Ok(format!("{text} {n}"))
}
