//! Functions: host functions from closures (`Func::wrap`) and with dynamic
//! signatures (`Func::new`), `Caller`, typed and untyped calls, and every
//! misuse of a call being an `Err` rather than a crash.

use wasmtime_mbt::*;

#[track_caller]
fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "expected {needle:?} in {haystack:?}");
}

/// A module importing `host.f` of the given WAT signature, exporting `run`
/// with the same signature which forwards its parameters to the import.
fn forwarder(engine: &Engine, params: &[&str], results: &[&str]) -> Module {
    let p = params.join(" ");
    let r = results.join(" ");
    let gets: String = (0..params.len()).map(|i| format!("local.get {i} ")).collect();
    Module::new(
        engine,
        format!(
            r#"(module (import "host" "f" (func $f (param {p}) (result {r})))
                (func (export "run") (param {p}) (result {r}) {gets} call $f))"#
        ),
    )
    .unwrap()
}

#[test]
fn wrap_zero_params() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, || 7i32);
    assert_eq!(f.ty(&store), FuncType::new(&engine, [], [ValType::I32]));
    assert_eq!(f.typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap(), 7);

    let unit = Func::wrap(&mut store, || {});
    assert_eq!(unit.ty(&store), FuncType::new(&engine, [], []));
    unit.call(&mut store, &[], &mut []).unwrap();
}

#[test]
fn wrap_one_param_called_from_wasm() {
    let engine = Engine::default();
    let module = forwarder(&engine, &["i64"], &["i64"]);
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, |x: i64| x * 3);
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<i64, i64>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, 14).unwrap(), 42);
    assert_eq!(run.call(&mut store, -5).unwrap(), -15);
}

#[test]
fn wrap_sixteen_params() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    #[allow(clippy::too_many_arguments)]
    let f = Func::wrap(
        &mut store,
        |a1: i32, a2: i32, a3: i32, a4: i32, a5: i32, a6: i32, a7: i32, a8: i32,
         a9: i32, a10: i32, a11: i32, a12: i32, a13: i32, a14: i32, a15: i32, a16: i64| {
            // Weighted so that a swapped argument changes the result.
            let v = [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15];
            v.iter().enumerate().map(|(i, x)| (i as i64 + 1) * *x as i64).sum::<i64>() + 1000 * a16
        },
    );
    let ty = f.ty(&store);
    assert_eq!(ty.params().len(), 16);
    assert_eq!(ty.param(15), Some(ValType::I64));
    assert_eq!(ty.params().filter(|t| *t == ValType::I32).count(), 15);
    assert_eq!(ty.results().collect::<Vec<_>>(), [ValType::I64]);

    // Expected: sum of (i+1)*(i+1) for i in 0..15 plus 1000*16.
    let expected: i64 = (1..=15).map(|i: i64| i * i).sum::<i64>() + 16_000;

    // Typed call with a 16-tuple.
    let typed = f
        .typed::<(i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i64), i64>(&store)
        .unwrap();
    let out = typed.call(&mut store, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)).unwrap();
    assert_eq!(out, expected);

    // Dynamic call.
    let mut args: Vec<Val> = (1..=15).map(Val::I32).collect();
    args.push(Val::I64(16));
    let mut results = [Val::I64(0)];
    f.call(&mut store, &args, &mut results).unwrap();
    assert_eq!(results[0].i64(), Some(expected));

    // From wasm.
    let mut params = vec!["i32"; 15];
    params.push("i64");
    let module = forwarder(&engine, &params, &["i64"]);
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_func(&mut store, "run").unwrap();
    let mut results = [Val::I64(0)];
    run.call(&mut store, &args, &mut results).unwrap();
    assert_eq!(results[0].i64(), Some(expected));
}

#[test]
fn wrap_multi_value_results() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, |a: i32, b: i64| (b, a, a as f32 / 2.0, b as f64 * 1.5));
    assert_eq!(
        f.ty(&store),
        FuncType::new(&engine, [ValType::I32, ValType::I64], [ValType::I64, ValType::I32, ValType::F32, ValType::F64])
    );
    let typed = f.typed::<(i32, i64), (i64, i32, f32, f64)>(&store).unwrap();
    assert_eq!(typed.call(&mut store, (3, 4)).unwrap(), (4, 3, 1.5, 6.0));

    // Through wasm, which returns the four values.
    let module = forwarder(&engine, &["i32", "i64"], &["i64", "i32", "f32", "f64"]);
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<(i32, i64), (i64, i32, f32, f64)>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, (-8, 2)).unwrap(), (2, -8, -4.0, 3.0));
}

#[test]
fn unsigned_types_map_to_wasm_integers() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, |a: u32, b: u64| (a.wrapping_add(1), b.wrapping_add(1)));
    assert_eq!(f.ty(&store), FuncType::new(&engine, [ValType::I32, ValType::I64], [ValType::I32, ValType::I64]));
    let typed = f.typed::<(u32, u64), (u32, u64)>(&store).unwrap();
    assert_eq!(typed.call(&mut store, (u32::MAX, u64::MAX)).unwrap(), (0, 0));
    // The same function seen as signed.
    let signed = f.typed::<(i32, i64), (i32, i64)>(&store).unwrap();
    assert_eq!(signed.call(&mut store, (-2, -2)).unwrap(), (-1, -1));
}

#[derive(Default)]
struct Counter {
    calls: u32,
    last: i32,
}

#[test]
fn caller_data_and_data_mut() {
    let engine = Engine::default();
    let module = forwarder(&engine, &["i32"], &["i32"]);
    let mut store = Store::new(&engine, Counter::default());
    let f = Func::wrap(&mut store, |mut caller: Caller<'_, Counter>, x: i32| {
        let before = caller.data().calls;
        let data = caller.data_mut();
        data.calls += 1;
        data.last = x;
        before as i32
    });
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, 10).unwrap(), 0);
    assert_eq!(run.call(&mut store, 20).unwrap(), 1);
    assert_eq!(store.data().calls, 2);
    assert_eq!(store.data().last, 20);
}

#[test]
fn caller_get_export_memory_and_func() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "sum" (func $sum (param i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "\01\02\03\04\05")
            (func (export "double") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
            (func (export "run") (result i32) i32.const 16 i32.const 5 call $sum))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let sum = Func::wrap(&mut store, |mut caller: Caller<'_, ()>, ptr: i32, len: i32| -> Result<i32> {
        let memory = caller.get_export("memory").and_then(Extern::into_memory).ok_or_else(|| Error::msg("no memory"))?;
        assert!(caller.get_export("nope").is_none());
        assert!(caller.get_export("memory").unwrap().into_func().is_none());
        let bytes = &memory.data(&caller)[ptr as usize..(ptr + len) as usize];
        let total: i32 = bytes.iter().map(|b| *b as i32).sum();
        // Write the total back into memory and re-enter wasm through the caller.
        memory.data_mut(&mut caller)[0] = total as u8;
        let double = caller.get_export("double").and_then(Extern::into_func).unwrap();
        let double = double.typed::<i32, i32>(&caller)?;
        double.call(&mut caller, total)
    });
    let instance = Instance::new(&mut store, &module, &[sum.into()]).unwrap();
    let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 30);
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    assert_eq!(memory.data(&store)[0], 15);
}

#[test]
fn caller_fuel() {
    let engine = Engine::new(Config::new().consume_fuel(true)).unwrap();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "f" (func $f (result i64)))
            (func (export "run") (result i64) call $f))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, |mut caller: Caller<'_, ()>| -> Result<i64> {
        let fuel = caller.get_fuel()?;
        caller.set_fuel(5_000)?;
        Ok(fuel as i64)
    });
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<(), i64>(&mut store, "run").unwrap();
    store.set_fuel(10_000).unwrap();
    let seen = run.call(&mut store, ()).unwrap();
    assert!(seen > 0 && seen < 10_000, "fuel seen by the host: {seen}");
    let left = store.get_fuel().unwrap();
    assert!(left <= 5_000 && left > 4_000, "fuel left after the host reset it: {left}");
}

#[test]
fn host_err_becomes_trap_with_message() {
    let engine = Engine::default();
    let module = forwarder(&engine, &["i32"], &["i32"]);
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, |x: i32| -> Result<i32> {
        if x < 0 {
            bail!("negative input: {x}")
        }
        Ok(x + 1)
    });
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, 1).unwrap(), 2);

    let err = run.call(&mut store, -3).unwrap_err();
    // As in `wasmtime`: the host's error itself, with the wasm backtrace as
    // context.
    assert_contains(&format!("{err:?}"), "negative input: -3");
    assert_eq!(err.root_cause().to_string(), "negative input: -3");
    assert!(err.downcast_ref::<WasmBacktrace>().is_some(), "{err:?}");
    assert_eq!(err.downcast_ref::<Trap>(), None);
    // The store still works.
    assert_eq!(run.call(&mut store, 5).unwrap(), 6);
}

#[test]
fn host_err_message_reaches_caller_even_if_not_a_trap_variant() {
    // Weaker form of the previous test, which holds whichever variant is used.
    let mut store = Store::new(&Engine::default(), ());
    let f = Func::wrap(&mut store, || -> Result<()> { Err(Error::msg("plain failure")) });
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    assert_contains(&err.to_string(), "plain failure");
    let err = f.typed::<(), ()>(&store).unwrap().call(&mut store, ()).unwrap_err();
    assert_contains(&err.to_string(), "plain failure");
}

#[test]
fn host_trap_code_passes_through() {
    let engine = Engine::default();
    let module = forwarder(&engine, &[], &[]);
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, || -> Result<()> { Err(Trap::IntegerOverflow.into()) });
    // Called directly...
    let err = f.typed::<(), ()>(&store).unwrap().call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerOverflow), "{err:?}");
    // ...and through wasm, whose frame shows in the trace.
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_func(&mut store, "run").unwrap();
    let err = run.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerOverflow), "{err:?}");
    assert!(!err.downcast_ref::<WasmBacktrace>().unwrap().frames().is_empty());
}

#[test]
fn host_panic_becomes_trap_and_store_survives() {
    let engine = Engine::default();
    let module = forwarder(&engine, &["i32"], &["i32"]);
    let mut store = Store::new(&engine, 0u32);
    let f = Func::wrap(&mut store, |mut caller: Caller<'_, u32>, x: i32| -> i32 {
        *caller.data_mut() += 1;
        if x == 13 {
            panic!("unlucky number {x}");
        }
        if x == 14 {
            std::panic::panic_any(14u8); // a non-string payload
        }
        x * 2
    });
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run").unwrap();

    // As in `wasmtime`, the panic is resumed in the caller, payload and all.
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.call(&mut store, 13))).unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("unlucky number 13"));

    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.call(&mut store, 14))).unwrap_err();
    assert_eq!(payload.downcast_ref::<u8>(), Some(&14));

    // The store and the function keep working after both panics.
    assert_eq!(run.call(&mut store, 21).unwrap(), 42);
    assert_eq!(*store.data(), 3);

    // A direct (not through wasm) call of the panicking function too.
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f.call(&mut store, &[Val::I32(13)], &mut [Val::I32(0)]))).unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("unlucky number 13"));
    assert_eq!(f.typed::<i32, i32>(&store).unwrap().call(&mut store, 1).unwrap(), 2);
}

#[test]
fn func_new_dynamic() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, 100i64);
    let ty = FuncType::new(&engine, [ValType::I32, ValType::I64], [ValType::F64, ValType::I32]);
    let f = Func::new(&mut store, ty.clone(), |caller, args, results| {
        assert_eq!(args.len(), 2);
        let sum = args[0].i32().unwrap() as i64 + args[1].i64().unwrap() + *caller.data();
        // Results start as zeros of the right types.
        assert_eq!(results[0].f64(), Some(0.0));
        assert_eq!(results[1].i32(), Some(0));
        results[0] = Val::from(sum as f64);
        results[1] = Val::I32(args.len() as i32);
        Ok(())
    });
    assert_eq!(f.ty(&store), ty);

    let mut out = [Val::I32(0), Val::I32(0)];
    f.call(&mut store, &[Val::I32(1), Val::I64(2)], &mut out).unwrap();
    assert_eq!(out[0].f64(), Some(103.0));
    assert_eq!(out[1].i32(), Some(2));

    let typed = f.typed::<(i32, i64), (f64, i32)>(&store).unwrap();
    assert_eq!(typed.call(&mut store, (5, 5)).unwrap(), (110.0, 2));

    let module = forwarder(&engine, &["i32", "i64"], &["f64", "i32"]);
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<(i32, i64), (f64, i32)>(&mut store, "run").unwrap();
    *store.data_mut() = 0;
    assert_eq!(run.call(&mut store, (-1, -2)).unwrap(), (-3.0, 2));
}

#[test]
fn func_new_wrong_result_type_is_an_error_not_a_crash() {
    let engine = Engine::default();
    let module = forwarder(&engine, &[], &["i32"]);
    let mut store = Store::new(&engine, ());
    let f = Func::new(&mut store, FuncType::new(&engine, [], [ValType::I32]), |_, _, results| {
        results[0] = Val::I64(1);
        Ok(())
    });
    let err = f.call(&mut store, &[], &mut [Val::I32(0)]).unwrap_err();
    assert_contains(&err.to_string(), "host function result 0");

    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
    let err = run.call(&mut store, ()).unwrap_err();
    assert_contains(&err.root_cause().to_string(), "host function result 0");

    // A funcref result from another store is refused too.
    let mut other = Store::new(&engine, ());
    let foreign = Func::wrap(&mut other, || {});
    let g = Func::new(&mut store, FuncType::new(&engine, [], [ValType::FUNCREF]), move |_, _, results| {
        results[0] = Val::FuncRef(Some(foreign));
        Ok(())
    });
    assert!(g.call(&mut store, &[], &mut [Val::FuncRef(None)]).is_err());

    // The store still works.
    let ok = Func::wrap(&mut store, || 1i32);
    assert_eq!(ok.typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap(), 1);
}

#[test]
fn func_new_err_becomes_an_error_and_panic_is_resumed() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let e = Func::new(&mut store, FuncType::new(&engine, [], []), |_, _, _| Err(Error::msg("dynamic failure")));
    assert_contains(&e.call(&mut store, &[], &mut []).unwrap_err().to_string(), "dynamic failure");
    let p = Func::new(&mut store, FuncType::new(&engine, [], []), |_, _, _| panic!("dynamic panic"));
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.call(&mut store, &[], &mut []))).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"dynamic panic"));
    let c = Func::new(&mut store, FuncType::new(&engine, [], []), |_, _, _| Err(Trap::OutOfFuel.into()));
    assert_eq!(c.call(&mut store, &[], &mut []).unwrap_err().downcast_ref::<Trap>(), Some(&Trap::OutOfFuel));
}

#[test]
fn wrong_arity_and_types_on_dynamic_call() {
    let mut store = Store::new(&Engine::default(), ());
    let f = Func::wrap(&mut store, |a: i32, b: i32| a + b);
    let mut one = [Val::I32(0)];

    let err = f.call(&mut store, &[Val::I32(1)], &mut one).unwrap_err();
    assert_contains(&err.to_string(), "expected 2 arguments, got 1");
    let err = f.call(&mut store, &[Val::I32(1), Val::I32(2), Val::I32(3)], &mut one).unwrap_err();
    assert_contains(&err.to_string(), "expected 2 arguments, got 3");
    let err = f.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut []).unwrap_err();
    assert_contains(&err.to_string(), "expected 1 results, got 0");
    let err = f.call(&mut store, &[Val::I32(1), Val::I64(2)], &mut one).unwrap_err();
    assert_contains(&err.to_string(), "argument type mismatch");
    let err = f.call(&mut store, &[Val::F32(0), Val::I32(2)], &mut one).unwrap_err();
    assert_contains(&err.to_string(), "argument type mismatch");
    let err = f.call(&mut store, &[Val::FuncRef(None), Val::I32(2)], &mut one).unwrap_err();
    assert_contains(&err.to_string(), "argument type mismatch");
    assert_eq!(err.downcast_ref::<Trap>(), None);

    // None of these called the function or broke the store.
    f.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut one).unwrap();
    assert_eq!(one[0].i32(), Some(3));
}

#[test]
fn wrong_typed_signature_is_err() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f") (param i32) (result i64) i64.const 0) (memory (export "m") 1))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    assert!(instance.get_typed_func::<i32, i64>(&mut store, "f").is_ok());
    assert!(instance.get_typed_func::<i32, i32>(&mut store, "f").is_err());
    assert!(instance.get_typed_func::<i64, i64>(&mut store, "f").is_err());
    assert!(instance.get_typed_func::<(), i64>(&mut store, "f").is_err());
    assert!(instance.get_typed_func::<(i32, i32), i64>(&mut store, "f").is_err());
    assert!(instance.get_typed_func::<i32, (i64, i64)>(&mut store, "f").is_err());
    assert!(instance.get_typed_func::<u32, u64>(&mut store, "f").is_ok());
    let err = instance.get_typed_func::<(), ()>(&mut store, "missing").unwrap_err();
    assert_contains(&err.to_string(), "missing");
    // A memory is not a function.
    assert!(instance.get_typed_func::<(), ()>(&mut store, "m").is_err());
    assert!(instance.get_func(&mut store, "m").is_none());

    let f = Func::wrap(&mut store, |x: f32| x);
    assert!(f.typed::<f32, f32>(&store).is_ok());
    assert!(f.typed::<f64, f64>(&store).is_err());
    assert!(f.typed::<i32, i32>(&store).is_err());
}

#[test]
fn funcs_from_another_store_panic_and_their_refs_are_err() {
    let engine = Engine::default();
    let mut store1 = Store::new(&engine, ());
    let mut store2 = Store::new(&engine, ());
    let f1 = Func::wrap(&mut store1, |x: i32| x);
    let typed1 = f1.typed::<i32, i32>(&store1).unwrap();

    // Like wasmtime, using the function itself with another store panics
    // (before any C call).
    let wrong_store = |f: &mut dyn FnMut()| {
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with the wrong store"));
    };
    wrong_store(&mut || drop(f1.call(&mut store2, &[Val::I32(1)], &mut [Val::I32(0)])));
    wrong_store(&mut || drop(f1.ty(&store2)));
    wrong_store(&mut || { let _ = f1.matches_ty(&store2, &f1.ty(&store1)); });
    wrong_store(&mut || drop(f1.typed::<i32, i32>(&store2)));
    wrong_store(&mut || drop(typed1.call(&mut store2, 1)));
    // SAFETY: never reaches C (the store check panics first).
    wrong_store(&mut || drop(unsafe { f1.call_unchecked(&mut store2, &mut [ValRaw::i32(1)]) }));

    // A funcref argument from another store.
    let takes = Func::wrap(&mut store2, |f: Option<Func>| f.is_some() as i32);
    let err = takes.call(&mut store2, &[Val::FuncRef(Some(f1))], &mut [Val::I32(0)]);
    assert!(err.is_err());
    assert!(takes.typed::<Option<Func>, i32>(&store2).unwrap().call(&mut store2, Some(f1)).is_err());

    // A host closure returning a funcref from another store traps.
    let leak = Func::wrap(&mut store2, move || Some(f1));
    let err = leak.typed::<(), Option<Func>>(&store2).unwrap().call(&mut store2, ());
    assert!(err.is_err());

    // Importing a function from another store.
    let module = forwarder(&engine, &["i32"], &["i32"]);
    assert!(Instance::new(&mut store2, &module, &[f1.into()]).is_err());

    // Both stores are fine afterwards.
    assert_eq!(typed1.call(&mut store1, 9).unwrap(), 9);
    let mut out = [Val::I32(0)];
    takes.call(&mut store2, &[Val::FuncRef(None)], &mut out).unwrap();
    assert_eq!(out[0].i32(), Some(0));
}

#[test]
fn funcref_params_and_results_through_host() {
    let mut store = Store::new(&Engine::default(), ());
    let inc = Func::wrap(&mut store, |x: i32| x + 1);
    let apply = Func::wrap(&mut store, |mut caller: Caller<'_, ()>, f: Option<Func>, x: i32| -> Result<i32> {
        match f {
            Some(f) => f.typed::<i32, i32>(&caller)?.call(&mut caller, x),
            None => Ok(-1),
        }
    });
    let apply = apply.typed::<(Option<Func>, i32), i32>(&store).unwrap();
    assert_eq!(apply.call(&mut store, (Some(inc), 41)).unwrap(), 42);
    assert_eq!(apply.call(&mut store, (None, 41)).unwrap(), -1);

    let get = Func::wrap(&mut store, move || Some(inc));
    let got = get.typed::<(), Option<Func>>(&store).unwrap().call(&mut store, ()).unwrap().unwrap();
    assert_eq!(got.typed::<i32, i32>(&store).unwrap().call(&mut store, 1).unwrap(), 2);
}

#[test]
fn host_calls_nest() {
    // wasm -> host -> wasm -> host, the inner host seeing the same store data.
    let engine = Engine::default();
    let mut linker = Linker::<Vec<&'static str>>::new(&engine);
    linker
        .func_wrap("host", "outer", |mut caller: Caller<'_, Vec<&'static str>>| -> Result<i32> {
            caller.data_mut().push("outer");
            let inner = caller.get_export("inner").and_then(Extern::into_func).unwrap();
            let v = inner.typed::<(), i32>(&caller)?.call(&mut caller, ())?;
            caller.data_mut().push("outer done");
            Ok(v + 1)
        })
        .unwrap()
        .func_wrap("host", "leaf", |mut caller: Caller<'_, Vec<&'static str>>| {
            caller.data_mut().push("leaf");
            10
        })
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "outer" (func $outer (result i32)))
            (import "host" "leaf" (func $leaf (result i32)))
            (func (export "inner") (result i32) call $leaf)
            (func (export "run") (result i32) call $outer))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 11);
    assert_eq!(store.data(), &["outer", "leaf", "outer done"]);
}

#[test]
fn host_panic_is_resumed_in_the_caller() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let catch = |f: &mut dyn FnMut()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
    let p = Func::wrap(&mut store, || -> i32 { panic!("wrapped panic") });
    let typed = p.typed::<(), i32>(&store).unwrap();
    let payload = catch(&mut || drop(typed.call(&mut store, ())));
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"wrapped panic"));
    let p = Func::new(&mut store, FuncType::new(&engine, [], []), |_, _, _| panic!("dynamic panic"));
    let payload = catch(&mut || drop(p.call(&mut store, &[], &mut [])));
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"dynamic panic"));
    // The store keeps working.
    assert_eq!(Func::wrap(&mut store, || 3i32).typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap(), 3);
}

#[test]
fn func_new_with_v128() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new(&engine, [ValType::V128], [ValType::V128]);
    let f = Func::new(&mut store, ty.clone(), |_, args, results| {
        let v = args[0].v128().unwrap().as_u128();
        results[0] = Val::V128(V128::from(v.rotate_left(8)));
        Ok(())
    });
    assert_eq!(f.ty(&store), ty);
    let mut out = [Val::V128(V128::default())];
    f.call(&mut store, &[Val::V128(V128::from(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10))], &mut out).unwrap();
    assert_eq!(out[0].v128().unwrap().as_u128(), 0x0203_0405_0607_0809_0a0b_0c0d_0e0f_1001);
    let typed = f.typed::<V128, V128>(&store).unwrap();
    assert_eq!(typed.call(&mut store, V128::from(1)).unwrap().as_u128(), 0x100);
}

#[test]
fn host_closure_is_dropped_with_the_store() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    struct Flag(Arc<AtomicUsize>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let flag = Flag(drops.clone());
    let f = Func::wrap(&mut store, move || flag.0.load(Ordering::SeqCst) as i32);
    let flag = Flag(drops.clone());
    Func::new(&mut store, FuncType::new(&engine, [], []), move |_, _, _| {
        let _ = &flag;
        Ok(())
    });
    assert_eq!(f.typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap(), 0);
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(store);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}
