// Host functions: `Linker::func_wrap` and `Func::wrap`, with and without a
// `Caller`, store data from host code, host errors, re-entry into wasm.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// Whether `err`, with everything it wraps, mentions `text`.
fn mentions(err: &Error, text: &str) -> bool {
    format!("{err:?}").contains(text)
}

/// A closure without a `Caller`, defined in a `Linker` and imported by wasm.
pub fn linker_func_wrap() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "double", |x: i32| x * 2)?;
    linker.func_wrap("env", "widen", |x: i32| -> i64 { i64::from(x) << 32 })?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "double" (func $double (param i32) (result i32)))
            (import "env" "widen" (func $widen (param i32) (result i64)))
            (func (export "run") (param i32) (result i32) local.get 0 call $double i32.const 1 i32.add)
            (func (export "wide") (param i32) (result i64) local.get 0 call $widen))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?.call(&mut store, 20)?;
    let wide = instance.get_typed_func::<i32, i64>(&mut store, "wide")?.call(&mut store, 3)?;
    assert_eq!((run, wide), (41, 3 << 32));
    Ok(format!("{run} {wide}"))
}

/// Host functions with a `Caller` reading and changing the store's data.
pub fn caller_store_data() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::<Vec<i32>>::new(&engine);
    linker.func_wrap("env", "log", |mut caller: Caller<'_, Vec<i32>>, x: i32| caller.data_mut().push(x))?;
    linker.func_wrap("env", "count", |caller: Caller<'_, Vec<i32>>| caller.data().len() as i32)?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "log" (func $log (param i32)))
            (import "env" "count" (func $count (result i32)))
            (func (export "run") (result i32)
                i32.const 1 call $log
                i32.const 2 call $log
                i32.const 3 call $log
                call $count))"#,
    )?;
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module)?;
    let count = instance.get_typed_func::<(), i32>(&mut store, "run")?.call(&mut store, ())?;
    assert_eq!(count, 3);
    store.data_mut().push(100);
    let data = store.into_data();
    assert_eq!(data, [1, 2, 3, 100]);
    Ok(format!("{count} {data:?}"))
}

/// `Func::wrap` values given to `Instance::new` as imports, in order.
pub fn func_wrap_imports() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "" "a" (func $a (result i32)))
            (import "" "b" (func $b (param i32 i32) (result i32)))
            (func (export "run") (result i32) call $a i32.const 5 call $b))"#,
    )?;
    let mut store = Store::new(&engine, 10i32);
    let a = Func::wrap(&mut store, |caller: Caller<'_, i32>| *caller.data());
    let b = Func::wrap(&mut store, |x: i32, y: i32| x - y);
    let instance = Instance::new(&mut store, &module, &[a.into(), b.into()])?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
    let first = run.call(&mut store, ())?;
    *store.data_mut() = 50;
    let second = run.call(&mut store, ())?;
    // The wrapped functions can be called from the host too.
    let direct = b.typed::<(i32, i32), i32>(&store)?.call(&mut store, (1, 2))?;
    assert_eq!((first, second, direct), (5, 45, -1));
    Ok(format!("{first} {second} {direct}"))
}

/// A host function returning multiple values.
pub fn host_multi_value() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "divmod", |a: i32, b: i32| (a / b, a % b))?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "divmod" (func $divmod (param i32 i32) (result i32 i32)))
            (func (export "run") (param i32 i32) (result i32 i32) local.get 0 local.get 1 call $divmod))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let (q, r) = instance.get_typed_func::<(i32, i32), (i32, i32)>(&mut store, "run")?.call(&mut store, (17, 5))?;
    assert_eq!((q, r), (3, 2));
    Ok(format!("{q} {r}"))
}

/// A host function with many parameters of mixed types.
pub fn host_many_params() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap(
        "env",
        "sum",
        |a: i32, b: i64, c: f32, d: f64, e: i32, f: i64, g: f32, h: f64, i: i32, j: i64| -> f64 {
            f64::from(a) + b as f64 + f64::from(c) + d + f64::from(e) + f as f64 + f64::from(g) + h + f64::from(i) + j as f64
        },
    )?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "sum" (func $sum (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64) (result f64)))
            (func (export "run") (result f64)
                i32.const 1 i64.const 2 f32.const 3 f64.const 4 i32.const 5
                i64.const 6 f32.const 7 f64.const 8 i32.const 9 i64.const 10
                call $sum))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let sum = instance.get_typed_func::<(), f64>(&mut store, "run")?.call(&mut store, ())?;
    assert_eq!(sum, 55.0);
    Ok(format!("{sum}"))
}

/// A host function returning `Err` stops the wasm call with that error;
/// `bail!` and `Error::msg` both work.
pub fn host_error() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "check", |x: i32| -> Result<i32> {
        if x < 0 {
            bail!("negative input: {}", x);
        }
        if x == 0 {
            return Err(Error::msg("zero input"));
        }
        Ok(x * 10)
    })?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "check" (func $check (param i32) (result i32)))
            (func (export "run") (param i32) (result i32) local.get 0 call $check))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
    let ok = run.call(&mut store, 4)?;
    let negative = run.call(&mut store, -3).unwrap_err();
    let zero = run.call(&mut store, 0).unwrap_err();
    assert_eq!(ok, 40);
    assert!(mentions(&negative, "negative input: -3"), "{negative:?}");
    assert!(mentions(&zero, "zero input"), "{zero:?}");
    // The instance is still usable after a host error.
    let again = run.call(&mut store, 1)?;
    assert_eq!(again, 10);
    Ok(format!("{ok} {again} {} {}", mentions(&negative, "negative input: -3"), mentions(&zero, "zero input")))
}

/// A host function calling back into the instance through its `Caller`.
pub fn host_reenters_wasm() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "twice", |mut caller: Caller<'_, ()>, x: i32| -> Result<i32> {
        let inc = caller.get_export("inc").and_then(|e| e.into_func()).expect("export `inc`");
        let inc = inc.typed::<i32, i32>(&caller)?;
        let once = inc.call(&mut caller, x)?;
        inc.call(&mut caller, once)
    })?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "twice" (func $twice (param i32) (result i32)))
            (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
            (func (export "run") (param i32) (result i32) local.get 0 call $twice))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?.call(&mut store, 40)?;
    assert_eq!(run, 42);
    Ok(format!("{run}"))
}

/// A host function sees the engine of its store through the `Caller`.
pub fn caller_engine() -> Result<String> {
    let engine = Engine::default();
    let other = Engine::default();
    let mut store = Store::new(&engine, (engine.clone(), other.clone()));
    let check = Func::wrap(&mut store, |caller: Caller<'_, (Engine, Engine)>| -> i32 {
        let (mine, other) = caller.data();
        i32::from(Engine::same(caller.engine(), mine)) * 10 + i32::from(Engine::same(caller.engine(), other))
    });
    let seen = check.typed::<(), i32>(&store)?.call(&mut store, ())?;
    assert_eq!(seen, 10);
    assert!(Engine::same(store.engine(), &engine));
    Ok(format!("{seen}"))
}
