//! GC rooting as `wasmtime`'s: `Rooted<T>` handles valid until their scope
//! ends, `OwnedRooted<T>` until dropped, host calls rooting in a scope of
//! their own, stale and wrong-store handles refused, and nothing kept alive
//! longer than its root.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use wasmtime_mbt::*;

/// Host data that counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn unrooted(err: Error) -> bool {
    err.to_string().contains("has been unrooted")
}

#[track_caller]
fn wrong_store_panic<R>(f: impl FnOnce() -> R) {
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).err().expect("a panic");
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with wrong store"));
}

#[test]
fn nested_scopes_unroot_in_lifo_order() {
    let mut store = Store::<()>::default();
    let a = ExternRef::new(&mut store, 1u8).unwrap();
    let (b, c);
    {
        let mut s1 = RootScope::new(&mut store);
        b = ExternRef::new(&mut s1, 2u8).unwrap();
        {
            let mut s2 = RootScope::new(&mut s1);
            c = ExternRef::new(&mut s2, 3u8).unwrap();
            assert!(a.data(&s2).is_ok() && b.data(&s2).is_ok() && c.data(&s2).is_ok());
        }
        assert!(b.data(&s1).is_ok());
        assert!(unrooted(c.data(&s1).unwrap_err()));
        // A root pushed where `c` was is a new generation: `c` stays stale.
        let d = ExternRef::new(&mut s1, 4u8).unwrap();
        assert!(!Rooted::rooted_eq(c, d));
        assert!(unrooted(c.data(&s1).unwrap_err()));
        assert_eq!(d.data(&s1).unwrap().unwrap().downcast_ref::<u8>(), Some(&4));
    }
    assert!(a.data(&store).is_ok());
    assert!(unrooted(b.data(&store).unwrap_err()));
    // Every use of a stale handle is the same `Err`, never a crash.
    assert!(unrooted(b.to_owned_rooted(&mut store).unwrap_err()));
    assert!(unrooted(b.to_raw(&mut store).unwrap_err()));
    let f = Func::wrap(&mut store, |_: Option<Rooted<ExternRef>>| {});
    assert!(unrooted(f.call(&mut store, &[b.into()], &mut []).unwrap_err()));
    let typed = f.typed::<Option<Rooted<ExternRef>>, ()>(&store).unwrap();
    assert!(unrooted(typed.call(&mut store, Some(b)).unwrap_err()));
}

#[test]
fn references_of_another_store_panic_in_accessors_and_are_err_in_calls() {
    let mut one = Store::<()>::default();
    let mut two = Store::new(one.engine(), ());
    let r = ExternRef::new(&mut one, ()).unwrap();
    let owned = r.to_owned_rooted(&mut one).unwrap();
    let any = AnyRef::from_i31(&mut one, I31::wrapping_u32(1));
    wrong_store_panic(|| r.data(&two).map(drop));
    wrong_store_panic(|| r.data_mut(&mut two).map(drop));
    wrong_store_panic(|| r.to_owned_rooted(&mut two).map(drop));
    wrong_store_panic(|| owned.data(&two).map(drop));
    wrong_store_panic(|| owned.to_rooted(&mut two));
    wrong_store_panic(|| any.as_i31(&two).map(drop));
    wrong_store_panic(|| Rooted::ref_eq(&two, &r, &r).map(drop));
    let f = Func::wrap(&mut two, |_: Option<Rooted<ExternRef>>| {});
    assert!(f.call(&mut two, &[r.into()], &mut []).unwrap_err().to_string().contains("wrong store"));
    let typed = f.typed::<Option<OwnedRooted<ExternRef>>, ()>(&two).unwrap();
    assert!(typed.call(&mut two, Some(owned.clone())).unwrap_err().to_string().contains("wrong store"));
    // Both stores still work.
    assert!(owned.data(&one).unwrap().is_some());
    typed.call(&mut two, None).unwrap();
}

#[test]
fn owned_roots_keep_data_alive_exactly_until_dropped() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut store = Store::<()>::default();
    let owned = {
        let mut scope = RootScope::new(&mut store);
        ExternRef::new(&mut scope, Counted(drops.clone())).unwrap().to_owned_rooted(&mut scope).unwrap()
    };
    let again = owned.clone();
    store.gc(None).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(owned);
    store.gc(None).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 0, "a clone still roots it");
    // A `Rooted` from an owned root lives in the scope it was made in.
    {
        let mut scope = RootScope::new(&mut store);
        let r = again.to_rooted(&mut scope);
        assert!(Rooted::ref_eq(&scope, &r, &again).unwrap());
    }
    drop(again);
    store.gc(None).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "unrooted with its last owner and collected");
    // Many short-lived owned roots: slots are reused, and each handle still
    // finds its own object.
    let mut keep = Vec::new();
    for i in 0..100u32 {
        let mut scope = RootScope::new(&mut store);
        let o = ExternRef::new(&mut scope, i).unwrap().to_owned_rooted(&mut scope).unwrap();
        if i % 10 == 0 {
            keep.push((i, o));
        }
    }
    for (i, o) in &keep {
        assert_eq!(o.data(&store).unwrap().unwrap().downcast_ref::<u32>(), Some(i));
    }
}

#[test]
fn host_calls_unroot_what_they_received_when_they_return() {
    let drops = Arc::new(AtomicUsize::new(0));
    let seen: Arc<Mutex<Option<Rooted<ExternRef>>>> = Arc::default();
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    let keep = seen.clone();
    linker
        .func_wrap("host", "see", move |caller: Caller<'_, ()>, r: Option<Rooted<ExternRef>>| -> Result<i32> {
            let r = r.unwrap();
            assert!(r.data(&caller)?.is_some());
            *keep.lock().unwrap() = Some(r);
            Ok(1)
        })
        .unwrap();
    let dynamic_seen = seen.clone();
    let ty = FuncType::new(&engine, [ValType::EXTERNREF], []);
    linker
        .func_new("host", "see_dyn", ty, move |_, args, _| {
            *dynamic_seen.lock().unwrap() = args[0].unwrap_externref().copied();
            Ok(())
        })
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "see" (func $see (param externref) (result i32)))
            (import "host" "see_dyn" (func $see_dyn (param externref)))
            (func (export "run") (param externref) (result i32)
                local.get 0 call $see_dyn local.get 0 call $see))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<Option<OwnedRooted<ExternRef>>, i32>(&mut store, "run").unwrap();
    let owned = {
        let mut scope = RootScope::new(&mut store);
        ExternRef::new(&mut scope, Counted(drops.clone())).unwrap().to_owned_rooted(&mut scope).unwrap()
    };
    // Called at top level: only the host calls' own scopes can unroot what
    // they were given.
    for _ in 0..3 {
        assert_eq!(run.call(&mut store, Some(owned.clone())).unwrap(), 1);
    }
    let leaked = seen.lock().unwrap().take().unwrap();
    assert!(unrooted(leaked.data(&store).unwrap_err()), "the handle kept by the host is stale");
    drop(owned);
    store.gc(None).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "no root is left behind by the host calls");
}

#[test]
fn results_of_calls_are_rooted_in_the_caller_scope() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "id") (param externref) (result externref) local.get 0))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let id = instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut store, "id").unwrap();
    let outer = ExternRef::new(&mut store, 5i64).unwrap();
    let inner = {
        let mut scope = RootScope::new(&mut store);
        let back = id.call(&mut scope, Some(outer)).unwrap().unwrap();
        assert!(Rooted::ref_eq(&scope, &back, &outer).unwrap());
        back
    };
    assert!(unrooted(inner.data(&store).unwrap_err()));
    assert_eq!(outer.data(&store).unwrap().unwrap().downcast_ref::<i64>(), Some(&5));
}

#[test]
fn rooted_values_are_send_and_sync_and_val_is_copy() {
    fn send_sync<T: Send + Sync>() {}
    fn copy<T: Copy>() {}
    send_sync::<Rooted<ExternRef>>();
    send_sync::<OwnedRooted<AnyRef>>();
    send_sync::<Ref>();
    copy::<Val>();
    copy::<Rooted<ExnRef>>();
}

#[test]
fn exnrefs_from_wasm_are_rooted_and_passed_back() {
    let engine = Engine::new(Config::new().wasm_exceptions(true)).unwrap();
    let module = Module::new(
        &engine,
        r#"(module (tag $t (param i32))
            (func (export "catch") (param i32) (result exnref)
                (block $h (result exnref)
                    (try_table (catch_all_ref $h) (throw $t (local.get 0)))
                    unreachable))
            (func (export "rethrow") (param exnref) (result i32)
                (block $h (result i32)
                    (try_table (catch $t $h) (throw_ref (local.get 0)))
                    unreachable)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let catch = instance.get_typed_func::<i32, Option<Rooted<ExnRef>>>(&mut store, "catch").unwrap();
    let rethrow = instance.get_typed_func::<Option<Rooted<ExnRef>>, i32>(&mut store, "rethrow").unwrap();
    let exn = {
        let mut scope = RootScope::new(&mut store);
        let exn = catch.call(&mut scope, 42).unwrap().unwrap();
        assert_eq!(rethrow.call(&mut scope, Some(exn)).unwrap(), 42);
        // Dynamically, as a `Val`, and kept past the scope as an owned root.
        let f = instance.get_func(&mut scope, "rethrow").unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut scope, &[Val::ExnRef(Some(exn))], &mut out).unwrap();
        assert_eq!(out[0].unwrap_i32(), 42);
        exn.to_owned_rooted(&mut scope).unwrap()
    };
    let again = exn.to_rooted(&mut store);
    assert_eq!(rethrow.call(&mut store, Some(again)).unwrap(), 42);
    let raw = again.to_raw(&mut store).unwrap();
    let from_raw = ExnRef::from_raw(&mut store, raw).unwrap();
    assert!(Rooted::ref_eq(&store, &from_raw, &exn).unwrap());
    // The precise type is the exception's own concrete type, as `wasmtime`'s.
    let ty = Ref::from(again).ty(&store).unwrap();
    assert_eq!(ty, RefType::new(false, HeapType::ConcreteExn(again.ty(&store).unwrap())));
    assert!(ty.matches(&RefType::EXNREF) && ty.heap_type().unwrap_concrete_exn().fields().len() == again.ty(&store).unwrap().fields().len());
}
