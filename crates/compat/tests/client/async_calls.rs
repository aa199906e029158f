// Client cases of async calls as `wasmtime`'s `async fn`s:
// `TypedFunc::call_async(&mut store, params).await`, `Func::call_async` with
// a results slice, failures from the first poll, `Instance::new_async`,
// `Linker::instantiate_async` and `InstancePre::instantiate_async`. Driven
// by a std-only `block_on` (no yielding here, so one poll finishes each).

use wasmtime::*;

/// Polls `future` to completion with a no-op waker.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "boom") unreachable))"#;

/// `f.call_async(&mut store, params).await?` on a typed function, and a
/// trap through it.
pub fn typed_call_async_await() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, ADD)?;
    let mut store = Store::new(&engine, ());
    let (sum, trapped) = block_on(async {
        let instance = Linker::new(&engine).instantiate_async(&mut store, &module).await?;
        let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add")?;
        let sum = add.call_async(&mut store, (40, 2)).await?;
        let boom = instance.get_typed_func::<(), ()>(&mut store, "boom")?;
        let err = boom.call_async(&mut store, ()).await.unwrap_err();
        Ok::<_, Error>((sum, err.downcast_ref::<Trap>().copied()))
    })?;
    assert_eq!((sum, trapped), (42, Some(Trap::UnreachableCodeReached)));
    Ok(format!("{sum} {trapped:?}"))
}

/// `Func::call_async(&mut store, &params, &mut results).await`, and a
/// wrong number of arguments failing when polled.
pub fn func_call_async_results() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, ADD)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let add = instance.get_func(&mut store, "add").expect("add");
    let mut results = [Val::I32(0)];
    block_on(add.call_async(&mut store, &[Val::I32(5), Val::I32(6)], &mut results))?;
    let sum = results[0].unwrap_i32();
    let arity = block_on(add.call_async(&mut store, &[Val::I32(5)], &mut results)).is_err();
    assert_eq!((sum, arity), (11, true));
    Ok(format!("{sum} {arity}"))
}

/// `Instance::new_async` with an import, and with a missing one.
pub fn instance_new_async() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "" "seven" (func $s (result i32))) (func (export "run") (result i32) call $s))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let seven = Func::wrap(&mut store, || 7i32);
    let instance = block_on(Instance::new_async(&mut store, &module, &[seven.into()]))?;
    let value = block_on(instance.get_typed_func::<(), i32>(&mut store, "run")?.call_async(&mut store, ()))?;
    let missing = block_on(Instance::new_async(&mut store, &module, &[])).is_err();
    assert_eq!((value, missing), (7, true));
    Ok(format!("{value} {missing}"))
}

/// `InstancePre::instantiate_async` in two stores, and a start function
/// that traps inside `Linker::instantiate_async`.
pub fn instantiate_async_pre_and_start_trap() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "base", |caller: Caller<'_, i32>| *caller.data())?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "base" (func $b (result i32))) (func (export "get") (result i32) call $b))"#,
    )?;
    let pre = linker.instantiate_pre(&module)?;
    let mut values = Vec::new();
    for base in [10, 20] {
        let mut store = Store::new(&engine, base);
        let instance = block_on(pre.instantiate_async(&mut store))?;
        values.push(block_on(instance.get_typed_func::<(), i32>(&mut store, "get")?.call_async(&mut store, ()))?);
    }
    let traps = Module::new(&engine, r#"(module (func $s unreachable) (start $s))"#)?;
    let mut store = Store::new(&engine, 0);
    let err = block_on(linker.instantiate_async(&mut store, &traps)).unwrap_err();
    let trap = err.downcast_ref::<Trap>().copied();
    assert_eq!(values, [10, 20]);
    assert_eq!(trap, Some(Trap::UnreachableCodeReached));
    Ok(format!("{values:?} {trap:?}"))
}

/// `Store::gc_async`, `Caller::gc` from a host function, and no pending
/// exception afterwards.
pub fn gc_async_and_caller_gc() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, 0u32);
    let kept = ExternRef::new(&mut store, 5u8)?;
    block_on(store.gc_async(None))?;
    let collect = Func::wrap(&mut store, |mut caller: Caller<'_, u32>| -> Result<()> {
        caller.gc(None)?;
        *caller.data_mut() += 1;
        Ok(())
    });
    collect.typed::<(), ()>(&store)?.call(&mut store, ())?;
    let value = *kept.data(&store)?.unwrap().downcast_ref::<u8>().unwrap();
    let pending = store.has_pending_exception();
    assert_eq!((value, *store.data(), pending), (5, 1, false));
    Ok(format!("{value} {} {pending}", store.data()))
}

/// Under a multi-threaded tokio runtime: `block_on` a future that borrows
/// the store while wasm yields every 1,000 units of fuel, and `spawn` (which
/// needs `Send + 'static`) tasks that own their stores.
pub fn tokio_block_on_and_spawn() -> Result<String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build()?;
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(
        &engine,
        r#"(module (func (export "count") (param i32) (result i32) (local i32)
            (loop local.get 1 i32.const 1 i32.add local.set 1
                  local.get 1 local.get 0 i32.lt_u br_if 0)
            local.get 1))"#,
    )?;
    let mut store = Store::new(&engine, ());
    store.set_fuel(u64::MAX)?;
    store.fuel_async_yield_interval(Some(1_000))?;
    let counted = runtime.block_on(async {
        let instance = Instance::new_async(&mut store, &module, &[]).await?;
        let count = instance.get_typed_func::<i32, i32>(&mut store, "count")?;
        count.call_async(&mut store, 100_000).await
    })?;
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let (engine, module) = (engine.clone(), module.clone());
            runtime.spawn(async move {
                let mut store = Store::new(&engine, ());
                store.set_fuel(10_000_000)?;
                store.fuel_async_yield_interval(Some(500))?;
                let instance = Instance::new_async(&mut store, &module, &[]).await?;
                let count = instance.get_typed_func::<i32, i32>(&mut store, "count")?;
                count.call_async(&mut store, 1_000 * (i + 1)).await
            })
        })
        .collect();
    let mut spawned = Vec::new();
    for task in tasks {
        spawned.push(runtime.block_on(task).map_err(Error::new)??);
    }
    assert_eq!((counted, &spawned[..]), (100_000, &[1_000, 2_000, 3_000, 4_000][..]));
    Ok(format!("{counted} {spawned:?}"))
}
