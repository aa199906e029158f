//! `Func::call`'s fast path (a per-store signature cache and
//! `wasmtime_func_call_unchecked`): every value kind it handles comes back
//! intact, what it cannot decide takes the checked path with Wasmtime's
//! errors, and the cache stays valid while re-entrant calls fill it.

use wasmtime_mbt::*;

const IDENTITIES: &str = r#"(module
    (type $t (func (result i32)))
    (func (export "i32") (param i32) (result i32) local.get 0)
    (func (export "i64") (param i64) (result i64) local.get 0)
    (func (export "f32") (param f32) (result f32) local.get 0)
    (func (export "f64") (param f64) (result f64) local.get 0)
    (func (export "v128") (param v128) (result v128) local.get 0)
    (func (export "funcref") (param funcref) (result funcref) local.get 0)
    (func (export "externref") (param externref) (result externref) local.get 0)
    (func (export "anyref") (param anyref) (result anyref) local.get 0)
    (func (export "mixed") (param i32 i64 f32 f64) (result f64 i32)
        local.get 3 local.get 0)
    (func $seven (type $t) i32.const 7)
    (elem declare func $seven)
    ;; Types the cache does not decide: a non-null and a concrete reference.
    (func (export "nonnull") (param (ref extern)) (result (ref extern)) local.get 0)
    (func (export "concrete") (result (ref $t)) ref.func $seven)
    (func (export "many") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
        (result i32)
        local.get 0 local.get 19 i32.add))"#;

fn setup() -> (Store<()>, Instance) {
    let mut config = Config::new();
    config.wasm_gc(true).wasm_function_references(true);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, IDENTITIES).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    (store, instance)
}

/// Calls export `name` with `params`, twice (a cache miss, then a hit),
/// and returns the results of both.
fn call_twice(store: &mut Store<()>, instance: &Instance, name: &str, params: &[Val], n_results: usize) -> Result<[Vec<Val>; 2]> {
    let f = instance.get_func(&mut *store, name).unwrap();
    let mut first = vec![Val::I32(0); n_results];
    f.call(&mut *store, params, &mut first)?;
    let mut second = vec![Val::I32(0); n_results];
    f.call(&mut *store, params, &mut second)?;
    Ok([first, second])
}

#[test]
fn every_cached_kind_round_trips() -> Result<()> {
    let (mut store, instance) = setup();
    for (name, val) in [
        ("i32", Val::I32(-7)),
        ("i64", Val::I64(i64::MIN + 3)),
        ("f32", Val::F32(f32::NAN.to_bits() | 1)),
        ("f64", Val::F64((-0.0f64).to_bits())),
        ("v128", Val::V128(V128::from(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210))),
    ] {
        let [a, b] = call_twice(&mut store, &instance, name, &[val], 1)?;
        for got in [&a[0], &b[0]] {
            assert_eq!(format!("{got:?}"), format!("{val:?}"), "{name}");
        }
    }

    // References: the same object comes back, and nulls stay null.
    let ext = ExternRef::new(&mut store, 42u64)?;
    let [a, b] = call_twice(&mut store, &instance, "externref", &[Val::ExternRef(Some(ext))], 1)?;
    for got in [a, b] {
        let back = got[0].unwrap_externref().expect("non-null");
        assert_eq!(back.data(&store)?.and_then(|d| d.downcast_ref::<u64>()), Some(&42));
    }
    let [a, _] = call_twice(&mut store, &instance, "externref", &[Val::ExternRef(None)], 1)?;
    assert!(a[0].unwrap_externref().is_none());

    let i31 = AnyRef::from_i31(&mut store, I31::wrapping_u32(99));
    let [a, b] = call_twice(&mut store, &instance, "anyref", &[Val::AnyRef(Some(i31))], 1)?;
    for got in [a, b] {
        assert_eq!(got[0].unwrap_anyref().expect("non-null").as_i31(&store)?.map(|i| i.get_u32()), Some(99));
    }

    let target = instance.get_func(&mut store, "i32").unwrap();
    let [a, b] = call_twice(&mut store, &instance, "funcref", &[Val::FuncRef(Some(target))], 1)?;
    for got in [a, b] {
        let f = got[0].unwrap_funcref().expect("non-null");
        assert_eq!(f.typed::<i32, i32>(&store)?.call(&mut store, 5)?, 5);
    }
    let [a, _] = call_twice(&mut store, &instance, "funcref", &[Val::FuncRef(None)], 1)?;
    assert!(a[0].unwrap_funcref().is_none());

    let [a, b] = call_twice(&mut store, &instance, "mixed", &[Val::I32(1), Val::I64(2), Val::F32(3f32.to_bits()), Val::F64(4f64.to_bits())], 2)?;
    assert_eq!((a[0].unwrap_f64(), a[1].unwrap_i32()), (4.0, 1));
    assert_eq!((b[0].unwrap_f64(), b[1].unwrap_i32()), (4.0, 1));

    // More values than the fast path keeps on the stack.
    let params: Vec<Val> = (0..20).map(Val::I32).collect();
    let [a, b] = call_twice(&mut store, &instance, "many", &params, 1)?;
    assert_eq!((a[0].unwrap_i32(), b[0].unwrap_i32()), (19, 19));
    Ok(())
}

#[test]
fn what_the_cache_cannot_decide_takes_the_checked_path() -> Result<()> {
    let (mut store, instance) = setup();
    let ext = ExternRef::new(&mut store, "x")?;
    let [a, _] = call_twice(&mut store, &instance, "nonnull", &[Val::ExternRef(Some(ext))], 1)?;
    assert!(a[0].unwrap_externref().is_some());
    let err = call_twice(&mut store, &instance, "nonnull", &[Val::ExternRef(None)], 1).unwrap_err();
    assert!(format!("{err:?}").contains("type mismatch"), "{err:?}");

    let [a, _] = call_twice(&mut store, &instance, "concrete", &[], 1)?;
    let f = a[0].unwrap_funcref().expect("non-null");
    assert_eq!(f.typed::<(), i32>(&store)?.call(&mut store, ())?, 7);
    Ok(())
}

#[test]
fn wrong_counts_and_types_keep_wasmtimes_errors_after_a_cached_call() -> Result<()> {
    let (mut store, instance) = setup();
    let f = instance.get_func(&mut store, "mixed").unwrap();
    let good = [Val::I32(1), Val::I64(2), Val::F32(0), Val::F64(0)];
    let mut out = [Val::I32(0), Val::I32(0)];
    f.call(&mut store, &good, &mut out)?; // cached now

    let err = f.call(&mut store, &good[..3], &mut out).unwrap_err();
    assert!(err.to_string().contains("expected 4 arguments, got 3"), "{err}");
    let err = f.call(&mut store, &good, &mut out[..1]).unwrap_err();
    assert!(err.to_string().contains("expected 2 results, got 1"), "{err}");
    let err = f.call(&mut store, &[Val::I64(1), Val::I64(2), Val::F32(0), Val::F64(0)], &mut out).unwrap_err();
    assert!(format!("{err:?}").contains("type mismatch"), "{err:?}");
    let err = f.call(&mut store, &[Val::I32(1), Val::I64(2), Val::F32(0), Val::ExternRef(None)], &mut out).unwrap_err();
    assert!(format!("{err:?}").contains("type mismatch"), "{err:?}");

    // A reference from another store is an error, and leaks nothing.
    let mut other = Store::new(store.engine(), ());
    let foreign = ExternRef::new(&mut other, 1u8)?;
    let ext = instance.get_func(&mut store, "externref").unwrap();
    let mut one = [Val::I32(0)];
    ext.call(&mut store, &[Val::ExternRef(None)], &mut one)?; // cached
    assert!(ext.call(&mut store, &[Val::ExternRef(Some(foreign))], &mut one).is_err());
    let g = instance.get_func(&mut store, "funcref").unwrap();
    let foreign_func = Func::wrap(&mut other, || {});
    g.call(&mut store, &[Val::FuncRef(None)], &mut one)?; // cached
    assert!(g.call(&mut store, &[Val::FuncRef(Some(foreign_func))], &mut one).is_err());

    // The store still works.
    f.call(&mut store, &good, &mut out)?;
    assert_eq!(out[1].unwrap_i32(), 1);
    Ok(())
}

#[test]
fn traps_and_host_errors_come_back_through_the_fast_path() -> Result<()> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "" "fail" (func $fail (param i32) (result i32)))
            (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
            (func (export "host") (param i32) (result i32) local.get 0 call $fail))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let fail = Func::wrap(&mut store, |x: i32| -> Result<i32> { if x < 0 { bail!("negative {x}") } else { Ok(x * 2) } });
    let instance = Instance::new(&mut store, &module, &[fail.into()])?;
    let div = instance.get_func(&mut store, "div").unwrap();
    let host = instance.get_func(&mut store, "host").unwrap();
    let mut out = [Val::I32(0)];
    for _ in 0..2 {
        div.call(&mut store, &[Val::I32(7), Val::I32(2)], &mut out)?;
        assert_eq!(out[0].unwrap_i32(), 3);
        let err = div.call(&mut store, &[Val::I32(7), Val::I32(0)], &mut out).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerDivisionByZero), "{err:?}");
        host.call(&mut store, &[Val::I32(4)], &mut out)?;
        assert_eq!(out[0].unwrap_i32(), 8);
        let err = host.call(&mut store, &[Val::I32(-1)], &mut out).unwrap_err();
        assert!(err.root_cause().to_string().contains("negative -1"), "{err:?}");
    }
    Ok(())
}

/// A host function, run inside a fast-path call, calls many functions the
/// cache has not seen (so the cache grows and rehashes under the outer
/// call), then the outer call's results are read through its cached kinds.
#[test]
fn the_cache_grows_under_a_running_call() -> Result<()> {
    let engine = Engine::default();
    let mut wat = String::from(r#"(module (import "" "inner" (func $inner (param i32) (result i32)))
        (func (export "outer") (param i32 i64) (result i64 i32)
            local.get 1 local.get 0 call $inner)"#);
    for i in 0..200 {
        wat.push_str(&format!("(func (export \"f{i}\") (param i32) (result i32) local.get 0 i32.const {i} i32.add)"));
    }
    wat.push(')');
    let module = Module::new(&engine, &wat)?;
    let mut linker = Linker::<Option<Instance>>::new(&engine);
    linker.func_wrap("", "inner", |mut caller: Caller<'_, Option<Instance>>, x: i32| -> Result<i32> {
        let instance = caller.data().expect("set");
        let mut sum = 0;
        for i in 0..200 {
            let f = instance.get_func(&mut caller, &format!("f{i}")).unwrap();
            let mut out = [Val::I32(0)];
            f.call(&mut caller, &[Val::I32(x)], &mut out)?;
            sum += out[0].unwrap_i32() - x;
        }
        Ok(sum)
    })?;
    let mut store = Store::new(&engine, None);
    let instance = linker.instantiate(&mut store, &module)?;
    *store.data_mut() = Some(instance);
    let outer = instance.get_func(&mut store, "outer").unwrap();
    let mut out = [Val::I32(0), Val::I32(0)];
    for round in 0..2 {
        outer.call(&mut store, &[Val::I32(round), Val::I64(-5)], &mut out)?;
        assert_eq!((out[0].unwrap_i64(), out[1].unwrap_i32()), (-5, (0..200).sum::<i32>()));
    }
    Ok(())
}
