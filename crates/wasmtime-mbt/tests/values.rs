//! Values: numbers (NaN payloads included) and v128 round-trip through wasm
//! functions and globals; funcrefs in tables and as parameters; externrefs
//! into wasm and back, whose host data is dropped with the store; anyref.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use wasmtime_mbt::*;

const IDENTITY: &str = r#"(module
    (func (export "i32") (param i32) (result i32) local.get 0)
    (func (export "i64") (param i64) (result i64) local.get 0)
    (func (export "f32") (param f32) (result f32) local.get 0)
    (func (export "f64") (param f64) (result f64) local.get 0)
    (func (export "v128") (param v128) (result v128) local.get 0)
    (func (export "funcref") (param funcref) (result funcref) local.get 0)
    (func (export "externref") (param externref) (result externref) local.get 0)
    (global (export "gi32") (mut i32) (i32.const 0))
    (global (export "gi64") (mut i64) (i64.const 0))
    (global (export "gf32") (mut f32) (f32.const 0))
    (global (export "gf64") (mut f64) (f64.const 0))
    (global (export "gv128") (mut v128) (v128.const i64x2 0 0))
    (func (export "read_gf32") (result f32) global.get 2)
    (func (export "write_gf64") (param f64) local.get 0 global.set 3))"#;

fn identity() -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, IDENTITY).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    (store, instance)
}

/// Calls the one-parameter, one-result export `name` with `v` dynamically.
fn echo(store: &mut Store<()>, instance: &Instance, name: &str, v: Val) -> Val {
    let f = instance.get_func(&mut *store, name).unwrap();
    let mut out = [Val::I32(-1)];
    f.call(&mut *store, &[v], &mut out).unwrap();
    let [out] = out;
    out
}

const F32_NANS: [u32; 4] = [0x7fc0_0000, 0x7fc0_1234, 0xffc0_0001, 0x7fa0_0005 /* signalling */];
const F64_NANS: [u64; 3] = [0x7ff8_0000_0000_0000, 0x7ff8_dead_beef_0001, 0xfff4_0000_0000_0042 /* signalling */];

#[test]
fn numbers_round_trip_through_dynamic_calls() {
    let (mut store, instance) = identity();
    for v in [0, 1, -1, i32::MIN, i32::MAX] {
        assert_eq!(echo(&mut store, &instance, "i32", Val::I32(v)).i32(), Some(v));
    }
    for v in [0, -1, i64::MIN, i64::MAX, 0x1234_5678_9abc_def0] {
        assert_eq!(echo(&mut store, &instance, "i64", Val::I64(v)).i64(), Some(v));
    }
    for bits in [0, 0x8000_0000 /* -0.0 */, 1.5f32.to_bits(), f32::INFINITY.to_bits(), 1 /* subnormal */]
        .into_iter()
        .chain(F32_NANS)
    {
        let out = echo(&mut store, &instance, "f32", Val::F32(bits));
        assert!(matches!(out, Val::F32(b) if b == bits), "f32 {bits:#x} came back as {out:?}");
    }
    for bits in [0, 0x8000_0000_0000_0000, 2.25f64.to_bits(), f64::NEG_INFINITY.to_bits()].into_iter().chain(F64_NANS) {
        let out = echo(&mut store, &instance, "f64", Val::F64(bits));
        assert!(matches!(out, Val::F64(b) if b == bits), "f64 {bits:#x} came back as {out:?}");
    }
    for v in [0u128, u128::MAX, 0x0011_2233_4455_6677_8899_aabb_ccdd_eeff] {
        let out = echo(&mut store, &instance, "v128", Val::V128(V128::from(v)));
        assert_eq!(out.v128().map(V128::as_u128), Some(v));
    }
}

#[test]
fn numbers_round_trip_through_typed_calls() {
    let (mut store, instance) = identity();
    let f32_id = instance.get_typed_func::<f32, f32>(&mut store, "f32").unwrap();
    let f64_id = instance.get_typed_func::<f64, f64>(&mut store, "f64").unwrap();
    for bits in F32_NANS {
        assert_eq!(f32_id.call(&mut store, f32::from_bits(bits)).unwrap().to_bits(), bits);
    }
    for bits in F64_NANS {
        assert_eq!(f64_id.call(&mut store, f64::from_bits(bits)).unwrap().to_bits(), bits);
    }
    let i64_id = instance.get_typed_func::<u64, u64>(&mut store, "i64").unwrap();
    assert_eq!(i64_id.call(&mut store, u64::MAX).unwrap(), u64::MAX);
    let v128_id = instance.get_typed_func::<V128, V128>(&mut store, "v128").unwrap();
    let v = 0xfedc_ba98_7654_3210_0123_4567_89ab_cdefu128;
    assert_eq!(v128_id.call(&mut store, V128::from(v)).unwrap().as_u128(), v);
}

#[test]
fn numbers_round_trip_through_globals() {
    let (mut store, instance) = identity();
    let g = |store: &mut Store<()>, name| instance.get_global(store, name).unwrap();

    let gi32 = g(&mut store, "gi32");
    gi32.set(&mut store, Val::I32(i32::MIN)).unwrap();
    assert_eq!(gi32.get(&mut store).i32(), Some(i32::MIN));

    let gi64 = g(&mut store, "gi64");
    gi64.set(&mut store, Val::I64(-7)).unwrap();
    assert_eq!(gi64.get(&mut store).i64(), Some(-7));

    // Host writes a NaN, wasm reads it back bit-exactly.
    let gf32 = g(&mut store, "gf32");
    let read = instance.get_typed_func::<(), f32>(&mut store, "read_gf32").unwrap();
    for bits in F32_NANS {
        gf32.set(&mut store, Val::F32(bits)).unwrap();
        assert!(matches!(gf32.get(&mut store), Val::F32(b) if b == bits));
        assert_eq!(read.call(&mut store, ()).unwrap().to_bits(), bits);
    }

    // Wasm writes a NaN, the host reads it back bit-exactly.
    let gf64 = g(&mut store, "gf64");
    let write = instance.get_typed_func::<f64, ()>(&mut store, "write_gf64").unwrap();
    for bits in F64_NANS {
        write.call(&mut store, f64::from_bits(bits)).unwrap();
        assert!(matches!(gf64.get(&mut store), Val::F64(b) if b == bits));
    }

    let gv128 = g(&mut store, "gv128");
    assert_eq!(gv128.get(&mut store).v128().map(V128::as_u128), Some(0));
    gv128.set(&mut store, Val::V128(V128::from(u128::MAX - 5))).unwrap();
    assert_eq!(gv128.get(&mut store).v128().map(V128::as_u128), Some(u128::MAX - 5));

    // Host-created globals keep NaN payloads too.
    let ty = GlobalType::new(ValType::F64, Mutability::Const);
    let host = Global::new(&mut store, ty, Val::F64(F64_NANS[1])).unwrap();
    assert!(matches!(host.get(&mut store), Val::F64(b) if b == F64_NANS[1]));
}

#[test]
fn val_accessors_and_defaults() {
    assert_eq!(Val::from(3i32).i32(), Some(3));
    assert_eq!(Val::from(3i64).i64(), Some(3));
    assert_eq!(Val::from(1.5f32).f32(), Some(1.5));
    assert_eq!(Val::from(2.5f64).f64(), Some(2.5));
    assert_eq!(Val::from(9u128).v128().map(V128::as_u128), Some(9));
    assert_eq!(Val::I32(1).f32(), None);
    assert_eq!(Val::F32(0).i32(), None);
    assert!(Val::I64(0).v128().is_none());
    let store = Store::<()>::default();
    for ty in [ValType::I32, ValType::I64, ValType::F32, ValType::F64, ValType::V128, ValType::FUNCREF, ValType::EXTERNREF, ValType::ANYREF] {
        let v = Val::default_for_ty(&ty).unwrap();
        assert!(v.matches_ty(&store, &ty).unwrap(), "{ty}");
        if !ty.is_ref() {
            assert_eq!(v.ty(&store).unwrap(), ty);
        }
    }
    assert_eq!(Val::default_for_ty(&ValType::F64).unwrap().f64(), Some(0.0));
    assert!(Val::default_for_ty(&ValType::EXTERNREF).unwrap().externref().unwrap().is_none());
    assert!(matches!(Val::default_for_ty(&ValType::FUNCREF), Some(Val::FuncRef(None))));
    assert!(matches!(Val::default_for_ty(&ValType::I31REF), Some(Val::AnyRef(None))));
    assert!(Val::default_for_ty(&ValType::Ref(RefType::new(false, HeapType::Extern))).is_none());
    assert!(matches!(Val::default_for_ty(&ValType::EXNREF), Some(Val::ExnRef(None))));
}

#[test]
fn val_unwrap_accessors_return_values_and_panic_on_the_wrong_kind() {
    assert_eq!(Val::I32(-4).unwrap_i32(), -4);
    assert_eq!(Val::I64(1 << 40).unwrap_i64(), 1 << 40);
    assert_eq!(Val::from(0.25f32).unwrap_f32(), 0.25);
    assert_eq!(Val::from(-0.5f64).unwrap_f64(), -0.5);
    assert_eq!(Val::from(7u128).unwrap_v128(), V128::from(7u128));
    assert!(Val::null_func_ref().unwrap_funcref().is_none());
    assert!(Val::null_extern_ref().unwrap_externref().is_none());
    assert!(Val::null_any_ref().unwrap_anyref().is_none());
    let message = |f: fn()| {
        let panic = std::panic::catch_unwind(f).unwrap_err();
        panic.downcast_ref::<&str>().map(|s| s.to_string()).or(panic.downcast_ref::<String>().cloned()).unwrap()
    };
    assert_eq!(message(|| { let _ = Val::I64(0).unwrap_i32(); }), "expected i32");
    assert_eq!(message(|| { let _ = Val::I32(0).unwrap_i64(); }), "expected i64");
    assert_eq!(message(|| { let _ = Val::I32(0).unwrap_f32(); }), "expected f32");
    assert_eq!(message(|| { let _ = Val::I32(0).unwrap_f64(); }), "expected f64");
    assert_eq!(message(|| { let _ = Val::I32(0).unwrap_v128(); }), "expected V128");
    assert_eq!(message(|| { let _ = Val::I32(0).unwrap_funcref(); }), "expected funcref");
    assert_eq!(message(|| { let _ = Val::null_func_ref().unwrap_externref(); }), "expected externref");
    assert_eq!(message(|| { let _ = Val::null_extern_ref().unwrap_anyref(); }), "expected anyref");
    // The null constructors are `const`.
    const NULL: Val = Val::null_func_ref();
    assert!(matches!(NULL, Val::FuncRef(None)));
    assert!(matches!(Val::null_ref(&HeapType::NoExtern), Val::ExternRef(None)));
    assert!(matches!(Val::null_ref(&HeapType::Struct), Val::AnyRef(None)));
    assert_eq!(u128::from(V128::from(11u128)), 11);
    assert!(matches!(Val::from(None::<Rooted<AnyRef>>), Val::AnyRef(None)));
}

#[test]
fn val_ty_and_matches_ty_follow_wasmtime() -> Result<()> {
    let mut store = Store::<()>::default();
    assert_eq!(Val::null_func_ref().ty(&store)?, ValType::NULLFUNCREF);
    // wasmtime 48 reports a null externref as `nullfuncref` too.
    assert_eq!(Val::null_extern_ref().ty(&store)?, ValType::NULLFUNCREF);
    assert_eq!(Val::null_any_ref().ty(&store)?, ValType::NULLREF);
    let f = Func::wrap(&mut store, |x: i32| x);
    let fv = Val::from(f);
    let i32_to_i32 = FuncType::new(store.engine(), [ValType::I32], [ValType::I32]);
    assert_eq!(fv.ty(&store)?, ValType::Ref(RefType::new(false, HeapType::ConcreteFunc(i32_to_i32))));
    let e = Val::from(ExternRef::new(&mut store, 1u8)?);
    assert_eq!(e.ty(&store)?, ValType::EXTERNREF);
    let a = Val::from(AnyRef::from_i31(&mut store, I31::wrapping_u32(3)));
    assert_eq!(a.ty(&store)?, ValType::Ref(RefType::new(false, HeapType::I31)));

    let non_null_func = ValType::Ref(RefType::new(false, HeapType::Func));
    assert!(fv.matches_ty(&store, &ValType::FUNCREF)? && fv.matches_ty(&store, &non_null_func)?);
    assert!(!fv.matches_ty(&store, &ValType::NULLFUNCREF)? && !fv.matches_ty(&store, &ValType::EXTERNREF)?);
    assert!(Val::null_func_ref().matches_ty(&store, &ValType::NULLFUNCREF)?);
    assert!(!Val::null_func_ref().matches_ty(&store, &non_null_func)?);
    assert!(e.matches_ty(&store, &ValType::EXTERNREF)? && !e.matches_ty(&store, &ValType::NULLEXTERNREF)?);
    assert!(a.matches_ty(&store, &ValType::ANYREF)? && a.matches_ty(&store, &ValType::I31REF)?);
    assert!(!a.matches_ty(&store, &ValType::FUNCREF)? && !a.matches_ty(&store, &ValType::STRUCTREF)?);
    assert!(a.matches_ty(&store, &ValType::EQREF)? && !a.matches_ty(&store, &ValType::NULLREF)?);
    assert!(Val::I32(0).matches_ty(&store, &ValType::I32)? && !Val::I32(0).matches_ty(&store, &ValType::FUNCREF)?);
    assert!(!Val::null_any_ref().matches_ty(&store, &ValType::I32)?);
    Ok(())
}

#[test]
#[should_panic(expected = "object used with the wrong store")]
fn val_ty_of_a_reference_from_another_store_panics() {
    let mut a = Store::<()>::default();
    let b = Store::new(a.engine(), ());
    let f = Func::wrap(&mut a, || {});
    let _ = Val::from(f).ty(&b);
}

#[test]
fn val_matches_ty_of_a_reference_from_another_store_panics() {
    let mut a = Store::<()>::default();
    let b = Store::new(a.engine(), ());
    let r = Val::from(ExternRef::new(&mut a, ()).unwrap());
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.matches_ty(&b, &ValType::EXTERNREF))).unwrap_err();
    // wasmtime's message for a rooted GC reference (no "the").
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with wrong store"));
    // Numbers and nulls belong to no store.
    assert!(Val::I32(1).matches_ty(&b, &ValType::I32).unwrap());
    assert!(Val::null_extern_ref().matches_ty(&b, &ValType::EXTERNREF).unwrap());
}

#[test]
fn funcref_as_param_result_and_in_tables() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (type $ii (func (param i32) (result i32)))
            (table $t (export "table") 4 funcref)
            (func $double (export "double") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
            (elem (i32.const 0) $double)
            (func (export "call_at") (param i32 i32) (result i32)
                local.get 1 local.get 0 call_indirect (type $ii))
            (func (export "call_ref") (param funcref i32) (result i32)
                (table.set $t (i32.const 3) (local.get 0))
                (call_indirect (type $ii) (local.get 1) (i32.const 3)))
            (func (export "is_null") (param funcref) (result i32) local.get 0 ref.is_null)
            (func (export "get") (param i32) (result funcref) local.get 0 table.get $t))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let table = instance.get_table(&mut store, "table").unwrap();
    let call_at = instance.get_typed_func::<(i32, i32), i32>(&mut store, "call_at").unwrap();
    let call_ref = instance.get_typed_func::<(Option<Func>, i32), i32>(&mut store, "call_ref").unwrap();
    let is_null = instance.get_typed_func::<Option<Func>, i32>(&mut store, "is_null").unwrap();
    let get = instance.get_typed_func::<i32, Option<Func>>(&mut store, "get").unwrap();

    // The wasm function placed by the elem segment.
    assert_eq!(call_at.call(&mut store, (0, 21)).unwrap(), 42);
    // A host function placed by the host, called indirectly by wasm.
    let add100 = Func::wrap(&mut store, |x: i32| x + 100);
    table.set(&mut store, 1, add100.into()).unwrap();
    assert_eq!(call_at.call(&mut store, (1, 1)).unwrap(), 101);
    // Passed as a parameter.
    let neg = Func::wrap(&mut store, |x: i32| -x);
    assert_eq!(call_ref.call(&mut store, (Some(neg), 5)).unwrap(), -5);
    assert!(table.get(&mut store, 3).unwrap().unwrap_func().is_some());
    assert_eq!(is_null.call(&mut store, None).unwrap(), 1);
    assert_eq!(is_null.call(&mut store, Some(neg)).unwrap(), 0);
    // Returned from wasm, then called by the host.
    let got = get.call(&mut store, 1).unwrap().expect("non-null");
    assert_eq!(got.typed::<i32, i32>(&store).unwrap().call(&mut store, 1).unwrap(), 101);
    assert!(get.call(&mut store, 2).unwrap().is_none());
    // The same through dynamic calls.
    let mut out = [Val::I32(0)];
    instance.get_func(&mut store, "is_null").unwrap().call(&mut store, &[Val::FuncRef(None)], &mut out).unwrap();
    assert_eq!(out[0].i32(), Some(1));
    let echo = instance.get_func(&mut store, "get").unwrap();
    let mut out = [Val::FuncRef(None)];
    echo.call(&mut store, &[Val::I32(0)], &mut out).unwrap();
    let double = out[0].funcref().unwrap().unwrap();
    assert_eq!(double.typed::<i32, i32>(&store).unwrap().call(&mut store, 8).unwrap(), 16);
}

/// Host data that counts its drops.
struct Tracked {
    value: u64,
    drops: Arc<AtomicUsize>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

fn tracked(value: u64, drops: &Arc<AtomicUsize>) -> Tracked {
    Tracked { value, drops: drops.clone() }
}

fn value_of(r: &ExternRef, store: &Store<()>) -> u64 {
    r.data(store).unwrap().expect("host data").downcast_ref::<Tracked>().expect("a Tracked").value
}

#[test]
fn externref_into_wasm_and_back() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (mut store, instance) = identity();
    let r = ExternRef::new(&mut store, tracked(7, &drops)).unwrap();
    assert_eq!(value_of(&r, &store), 7);

    // Dynamic call.
    let out = echo(&mut store, &instance, "externref", Val::ExternRef(Some(r)));
    let back = out.externref().unwrap().expect("non-null");
    assert_eq!(value_of(back, &store), 7);
    assert!(Rooted::ref_eq(&store, &r, back).unwrap(), "the same object comes back");
    assert!(echo(&mut store, &instance, "externref", Val::ExternRef(None)).externref().unwrap().is_none());

    // Typed call, nullable and non-null signatures.
    let id = instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut store, "externref").unwrap();
    let back = id.call(&mut store, Some(r)).unwrap().expect("non-null");
    assert_eq!(value_of(&back, &store), 7);
    assert!(id.call(&mut store, None).unwrap().is_none());
    assert!(instance.get_typed_func::<Rooted<ExternRef>, Rooted<ExternRef>>(&mut store, "externref").is_err(), "(ref extern) is not externref");
    let owned = instance.get_typed_func::<Option<OwnedRooted<ExternRef>>, Option<OwnedRooted<ExternRef>>>(&mut store, "externref").unwrap();
    let arg = r.to_owned_rooted(&mut store).unwrap();
    let kept = owned.call(&mut store, Some(arg)).unwrap().unwrap();
    assert_eq!(value_of(&kept, &store), 7);

    // Through a host function.
    let host = Func::wrap(&mut store, |mut caller: Caller<'_, ()>, r: Option<Rooted<ExternRef>>| -> Result<Option<Rooted<ExternRef>>> {
        let Some(r) = r else { return Ok(None) };
        let data = r.data(&caller)?.unwrap().downcast_ref::<Tracked>().unwrap();
        let (value, drops) = (data.value, data.drops.clone());
        Ok(Some(ExternRef::new(&mut caller, Tracked { value: value + 1, drops })?))
    });
    let host = host.typed::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&store).unwrap();
    let next = host.call(&mut store, Some(back)).unwrap().unwrap();
    assert_eq!(value_of(&next, &store), 8);
    assert!(host.call(&mut store, None).unwrap().is_none());
    assert_eq!(drops.load(Ordering::SeqCst), 0, "nothing dropped while the store lives");
}

#[test]
fn externref_data_is_dropped_with_the_store() {
    let drops = Arc::new(AtomicUsize::new(0));
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (global $g (export "g") (mut externref) (ref.null extern))
            (func (export "keep") (param externref) local.get 0 global.set $g))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let keep = instance.get_typed_func::<Option<Rooted<ExternRef>>, ()>(&mut store, "keep").unwrap();

    // One kept only by wasm (the global), one held by the host past the
    // store (an owned root), one rooted in a scope that is left.
    {
        let mut scope = RootScope::new(&mut store);
        let kept_by_wasm = ExternRef::new(&mut scope, tracked(1, &drops)).unwrap();
        keep.call(&mut scope, Some(kept_by_wasm)).unwrap();
    }
    let held = ExternRef::new(&mut store, tracked(2, &drops)).unwrap().to_owned_rooted(&mut store).unwrap();
    {
        let mut scope = RootScope::new(&mut store);
        ExternRef::new(&mut scope, tracked(3, &drops)).unwrap();
    }
    store.gc(None).unwrap();

    let g = instance.get_global(&mut store, "g").unwrap();
    let from_global = g.get(&mut store);
    assert_eq!(value_of(from_global.externref().unwrap().unwrap(), &store), 1, "the global still holds its externref");
    assert_eq!(value_of(&held, &store), 2);

    drop(store);
    assert_eq!(drops.load(Ordering::SeqCst), 3, "every host data is dropped with the store");
    // Dropping an owned root that outlived its store is harmless.
    drop(held);
    assert_eq!(drops.load(Ordering::SeqCst), 3);
}

#[test]
fn gc_collects_unreachable_externrefs() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut store = Store::new(&Engine::default(), ());
    let owned = {
        let mut scope = RootScope::new(&mut store);
        ExternRef::new(&mut scope, tracked(1, &drops)).unwrap().to_owned_rooted(&mut scope).unwrap()
    };
    let clone = owned.clone();
    drop(owned);
    store.gc(None).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 0, "still rooted by the clone");
    assert_eq!(value_of(&clone, &store), 1);
    drop(clone);
    store.gc(None).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "unrooted and collected");
}

#[test]
fn externref_with_wrong_store() {
    let engine = Engine::default();
    let module = Module::new(&engine, IDENTITY).unwrap();
    let mut store1 = Store::new(&engine, ());
    let mut store2 = Store::new(&engine, ());
    let r1 = ExternRef::new(&mut store1, String::from("one")).unwrap();
    // Accessors panic, as wasmtime's.
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r1.data(&store2).map(|_| ()))).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with wrong store"));
    assert_eq!(r1.data(&store1).unwrap().unwrap().downcast_ref::<String>().unwrap(), "one");

    // Passing it into a function of the other store is an `Err`.
    let instance2 = Instance::new(&mut store2, &module, &[]).unwrap();
    let f = instance2.get_func(&mut store2, "externref").unwrap();
    assert!(f.call(&mut store2, &[Val::ExternRef(Some(r1))], &mut [Val::ExternRef(None)]).is_err());
    let typed = instance2.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut store2, "externref").unwrap();
    assert!(typed.call(&mut store2, Some(r1)).is_err());
    // As a global or table value of the other store.
    let ty = GlobalType::new(ValType::EXTERNREF, Mutability::Var);
    assert!(Global::new(&mut store2, ty, Val::ExternRef(Some(r1))).is_err());
    let table_ty = TableType::new(RefType::EXTERNREF, 1, None);
    assert!(Table::new(&mut store2, table_ty, Ref::Extern(Some(r1))).is_err());
    // Store 2 still works.
    assert!(typed.call(&mut store2, None).unwrap().is_none());
}

#[test]
fn externref_in_tables_and_globals() {
    let mut store = Store::new(&Engine::default(), ());
    let a = ExternRef::new(&mut store, 10u32).unwrap();
    let table = Table::new(&mut store, TableType::new(RefType::EXTERNREF, 2, Some(4)), Ref::Extern(Some(a))).unwrap();
    let got = table.get(&mut store, 1).unwrap();
    assert_eq!(got.unwrap_extern().unwrap().data(&store).unwrap().unwrap().downcast_ref::<u32>(), Some(&10));
    table.set(&mut store, 0, Ref::Extern(None)).unwrap();
    assert!(table.get(&mut store, 0).unwrap().unwrap_extern().is_none());
    assert!(table.set(&mut store, 0, Ref::Func(None)).is_err());

    let g = Global::new(&mut store, GlobalType::new(ValType::EXTERNREF, Mutability::Var), Val::ExternRef(None)).unwrap();
    assert!(g.get(&mut store).externref().unwrap().is_none());
    g.set(&mut store, Val::ExternRef(Some(a))).unwrap();
    let v = g.get(&mut store);
    assert_eq!(v.externref().unwrap().unwrap().data(&store).unwrap().unwrap().downcast_ref::<u32>(), Some(&10));
}

#[test]
fn anyref_i31() {
    let mut store = Store::new(&Engine::default(), ());
    let r = AnyRef::from_i31(&mut store, I31::wrapping_u32(0x7fff_ffff));
    assert_eq!(r.unwrap_i31(&store).unwrap().get_u32(), 0x7fff_ffff);
    assert_eq!(r.unwrap_i31(&store).unwrap().get_i32(), -1);
    assert!(r.is_i31(&store).unwrap() && r.is_eqref(&store).unwrap());
    assert!(!r.is_struct(&store).unwrap() && !r.is_array(&store).unwrap());
    // Only the low 31 bits are kept.
    let r = AnyRef::from_i31(&mut store, I31::wrapping_u32(0x8000_0003));
    assert_eq!(r.as_i31(&store).unwrap(), I31::new_u32(3));

    let other = Store::new(&Engine::default(), ());
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.as_i31(&other).map(|_| ()))).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with wrong store"));
}
