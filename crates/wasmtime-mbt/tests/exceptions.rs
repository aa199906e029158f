//! Wasm exceptions as `wasmtime`'s: a host function throws with
//! `Store::throw`/`StoreContextMut::throw` and wasm catches it in a
//! `try_table`; an exception wasm does not catch fails the call with a
//! `ThrownException`, and `take_pending_exception` gives the `ExnRef` with
//! its tag and fields.

use wasmtime_mbt::*;

fn exn_engine() -> Engine {
    Engine::new(Config::new().wasm_gc(true).wasm_exceptions(true)).unwrap()
}

const WAT: &str = r#"(module
    (import "host" "tag" (tag $e (param i32 i64)))
    (import "host" "throw" (func $throw (param i32)))
    (func (export "catch_host") (param i32) (result i32)
        (block $h (result i32 i64)
            (try_table (catch $e $h)
                (call $throw (local.get 0)))
            (return (i32.const -1)))
        drop)
    (func (export "catch_ref") (param i32) (result exnref)
        (block $h (result exnref)
            (try_table (catch_all_ref $h)
                (call $throw (local.get 0)))
            (return (ref.null exn))))
    (func (export "throw_uncaught") (param i32)
        (throw $e (local.get 0) (i64.const 77)))
    (func (export "rethrow") (param exnref)
        (throw_ref (local.get 0)))
    (func (export "pass_through") (param i32)
        (call $throw (local.get 0))))"#;

struct Env {
    store: Store<()>,
    tag: Tag,
    instance: Instance,
}

fn setup() -> Result<Env> {
    let engine = exn_engine();
    let mut store = Store::new(&engine, ());
    let tag_ty = TagType::new(FuncType::new(&engine, [ValType::I32, ValType::I64], []));
    let tag = Tag::new(&mut store, &tag_ty)?;
    let module = Module::new(&engine, WAT)?;
    let mut linker = Linker::new(&engine);
    linker.define(&mut store, "host", "tag", tag)?;
    linker.func_wrap("host", "throw", move |mut caller: Caller<'_, ()>, x: i32| -> Result<()> {
        if x < 0 {
            return Err(Error::msg("plain host error"));
        }
        let ty = ExnType::from_tag_type(&tag.ty(&caller))?;
        let pre = ExnRefPre::new(&mut caller, ty);
        let exn = ExnRef::new(&mut caller, &pre, &tag, &[Val::I32(x), Val::I64(i64::from(x) * 10)])?;
        caller.as_context_mut().throw(exn)
    })?;
    let instance = linker.instantiate(&mut store, &module)?;
    Ok(Env { store, tag, instance })
}

#[test]
fn host_throw_is_caught_by_try_table() -> Result<()> {
    let Env { mut store, instance, .. } = setup()?;
    let f = instance.get_typed_func::<i32, i32>(&mut store, "catch_host")?;
    assert_eq!(f.call(&mut store, 5)?, 5);
    assert_eq!(f.call(&mut store, 6)?, 6);
    assert!(!store.has_pending_exception());
    // A plain host error is not an exception: it is not caught.
    let err = f.call(&mut store, -1).unwrap_err();
    assert!(format!("{err:?}").contains("plain host error") && !err.is::<ThrownException>());
    assert!(!store.has_pending_exception());
    // Still usable afterwards.
    assert_eq!(f.call(&mut store, 8)?, 8);
    Ok(())
}

#[test]
fn caught_exnref_carries_tag_and_fields() -> Result<()> {
    let Env { mut store, instance, tag } = setup()?;
    let f = instance.get_typed_func::<i32, Option<Rooted<ExnRef>>>(&mut store, "catch_ref")?;
    let exn = f.call(&mut store, 3)?.unwrap();
    assert!(Tag::eq(&exn.tag(&mut store)?, &tag, &store));
    assert_eq!(exn.field(&mut store, 0)?.unwrap_i32(), 3);
    assert_eq!(exn.field(&mut store, 1)?.unwrap_i64(), 30);
    assert!(exn.field(&mut store, 2).is_err());
    assert_eq!(exn.fields(&mut store)?.len(), 2);
    let ty = exn.ty(&store)?;
    assert_eq!(ty.fields().len(), 2);
    assert_eq!(ty.tag_type().ty().params().collect::<Vec<_>>(), [ValType::I32, ValType::I64]);
    // Rethrown by wasm and uncaught: back as the pending exception.
    let rethrow = instance.get_typed_func::<Option<Rooted<ExnRef>>, ()>(&mut store, "rethrow")?;
    let err = rethrow.call(&mut store, Some(exn)).unwrap_err();
    assert!(err.is::<ThrownException>());
    let again = store.take_pending_exception().unwrap();
    assert!(Rooted::ref_eq(&store, &again, &exn)?);
    Ok(())
}

#[test]
fn uncaught_wasm_throw_is_thrown_exception() -> Result<()> {
    let Env { mut store, instance, tag } = setup()?;
    let f = instance.get_typed_func::<i32, ()>(&mut store, "throw_uncaught")?;
    let err = f.call(&mut store, 12).unwrap_err();
    assert!(err.is::<ThrownException>(), "{err:?}");
    assert!(store.has_pending_exception());
    let exn = store.take_pending_exception().unwrap();
    assert!(!store.has_pending_exception());
    assert!(store.take_pending_exception().is_none());
    assert!(Tag::eq(&exn.tag(&mut store)?, &tag, &store));
    assert_eq!(exn.fields(&mut store)?.map(|v| v.i64().unwrap_or_else(|| i64::from(v.unwrap_i32()))).collect::<Vec<_>>(), [12, 77]);
    // The dynamic API too.
    let func = instance.get_func(&mut store, "throw_uncaught").unwrap();
    let err = func.call(&mut store, &[Val::I32(1)], &mut []).unwrap_err();
    assert!(err.is::<ThrownException>());
    assert_eq!(store.take_pending_exception().unwrap().field(&mut store, 0)?.unwrap_i32(), 1);
    Ok(())
}

#[test]
fn host_throw_through_wasm_reaches_the_host() -> Result<()> {
    let Env { mut store, instance, tag } = setup()?;
    let f = instance.get_typed_func::<i32, ()>(&mut store, "pass_through")?;
    let err = f.call(&mut store, 4).unwrap_err();
    assert!(err.is::<ThrownException>(), "{err:?}");
    let exn = store.take_pending_exception().unwrap();
    assert!(Tag::eq(&exn.tag(&mut store)?, &tag, &store));
    assert_eq!(exn.field(&mut store, 1)?.unwrap_i64(), 40);
    Ok(())
}

#[test]
fn host_made_exceptions_and_misuse() -> Result<()> {
    let Env { mut store, tag, .. } = setup()?;
    let engine = store.engine().clone();
    let ty = ExnType::from_tag_type(&tag.ty(&store))?;
    let pre = ExnRefPre::new(&mut store, ty.clone());
    // Wrong arity or field type: `Err`.
    assert!(ExnRef::new(&mut store, &pre, &tag, &[Val::I32(1)]).is_err());
    assert!(ExnRef::new(&mut store, &pre, &tag, &[Val::I64(1), Val::I64(1)]).is_err());
    // A tag whose type is not the allocator's: `Err`.
    let other_tag = Tag::new(&mut store, &TagType::new(FuncType::new(&engine, [], [])))?;
    assert!(ExnRef::new(&mut store, &pre, &other_tag, &[Val::I32(1), Val::I64(1)]).is_err());
    // Another store's tag or allocator: a panic, as in `wasmtime`.
    let mut other = Store::new(&engine, ());
    let foreign_tag = Tag::new(&mut other, &ty.tag_type())?;
    let panics = |f: &mut dyn FnMut()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    assert!(panics(&mut || drop(ExnRef::new(&mut store, &pre, &foreign_tag, &[Val::I32(1), Val::I64(1)]))));
    assert!(panics(&mut || drop(ExnRef::new(&mut other, &pre, &foreign_tag, &[Val::I32(1), Val::I64(1)]))));
    // Thrown and taken on the host, surviving a collection while pending.
    let exn = ExnRef::new(&mut store, &pre, &tag, &[Val::I32(5), Val::I64(6)])?;
    assert!(store.throw::<i32>(exn).unwrap_err().is::<ThrownException>());
    store.gc(None)?;
    let taken = store.take_pending_exception().unwrap();
    assert_eq!(taken.field(&mut store, 1)?.unwrap_i64(), 6);
    // Throwing an unrooted exception: `Err`, nothing pending.
    let stale = {
        let mut scope = RootScope::new(&mut store);
        ExnRef::new(&mut scope, &pre, &tag, &[Val::I32(0), Val::I64(0)])?
    };
    let err = store.throw::<()>(stale).unwrap_err();
    assert!(!err.is::<ThrownException>() && !store.has_pending_exception());
    assert!(panics(&mut || drop(taken.field(&mut other, 0))));
    Ok(())
}
