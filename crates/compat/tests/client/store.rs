// Store data: custom data types, access from the host, from host functions
// and from contexts, `into_data`, and several stores side by side.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// The host state of an embedding.
struct State {
    name: String,
    calls: u32,
    log: Vec<String>,
}

/// A struct as store data, changed by host functions and by the host.
pub fn store_struct_data() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "hit", |mut caller: Caller<'_, State>, n: i32| {
        let state = caller.data_mut();
        state.calls += 1;
        let line = format!("{} got {n}", state.name);
        state.log.push(line);
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "hit" (func $hit (param i32)))
            (func (export "run") (param i32) local.get 0 call $hit))"#,
    )?;
    let mut store = Store::new(&engine, State { name: "first".into(), calls: 0, log: Vec::new() });
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, ()>(&mut store, "run")?;
    run.call(&mut store, 1)?;
    store.data_mut().name = "second".into();
    run.call(&mut store, 2)?;
    let calls = store.data().calls;
    let state = store.into_data();
    assert_eq!(calls, 2);
    assert_eq!(state.log, ["first got 1", "second got 2"]);
    Ok(format!("{calls} {:?}", state.log))
}

/// Store data through `AsContext`/`AsContextMut` in generic helpers.
pub fn store_contexts() -> Result<String> {
    fn read(cx: impl AsContext<Data = u64>) -> u64 {
        *cx.as_context().data()
    }
    fn bump(mut cx: impl AsContextMut<Data = u64>) {
        *cx.as_context_mut().data_mut() += 1;
    }
    let engine = Engine::default();
    let mut store = Store::new(&engine, 10u64);
    bump(&mut store);
    let direct = read(&store);
    let f = Func::wrap(&mut store, |mut caller: Caller<'_, u64>| {
        bump(&mut caller);
        read(&caller) as i64
    });
    let from_host = f.typed::<(), i64>(&store)?.call(&mut store, ())?;
    let last = read(&mut store);
    assert_eq!((direct, from_host, last), (11, 12, 12));
    Ok(format!("{direct} {from_host} {last}"))
}

/// Two stores of one engine share a module but not their state.
pub fn store_isolation() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory (export "m") 1)
            (func (export "put") (param i32) i32.const 0 local.get 0 i32.store8)
            (func (export "get") (result i32) i32.const 0 i32.load8_u))"#,
    )?;
    let mut a = Store::new(&engine, "a");
    let mut b = Store::new(&engine, "b");
    let ia = Instance::new(&mut a, &module, &[])?;
    let ib = Instance::new(&mut b, &module, &[])?;
    ia.get_typed_func::<i32, ()>(&mut a, "put")?.call(&mut a, 5)?;
    ib.get_typed_func::<i32, ()>(&mut b, "put")?.call(&mut b, 6)?;
    let va = ia.get_typed_func::<(), i32>(&mut a, "get")?.call(&mut a, ())?;
    let vb = ib.get_typed_func::<(), i32>(&mut b, "get")?.call(&mut b, ())?;
    assert_eq!((va, vb), (5, 6));
    assert_eq!((*a.data(), *b.data()), ("a", "b"));
    Ok(format!("{va} {vb}"))
}
