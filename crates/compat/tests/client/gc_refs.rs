// GC objects and exceptions: structs and arrays made by the host and by
// wasm, their fields on both sides, downcasts between `anyref`, `eqref`,
// `i31ref`, `structref` and `arrayref`, misuse refused with an `Err`,
// objects kept alive by their roots across collections, and exceptions
// thrown by the host (caught by wasm) or by wasm (taken by the host).
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

fn gc_engine() -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_gc(true).wasm_function_references(true).wasm_exceptions(true);
    Engine::new(&config)
}

fn pair_type(engine: &Engine) -> Result<StructType> {
    StructType::new(engine, [FieldType::new(Mutability::Var, StorageType::ValType(ValType::I32)), FieldType::new(Mutability::Var, StorageType::I8)])
}

const GC_WAT: &str = r#"(module
    (type $pair (struct (field (mut i32)) (field (mut i8))))
    (type $bytes (array (mut i8)))
    (func (export "new_pair") (param i32 i32) (result (ref null struct))
        (struct.new $pair (local.get 0) (local.get 1)))
    (func (export "first") (param (ref null struct)) (result i32)
        (struct.get $pair 0 (ref.cast (ref $pair) (local.get 0))))
    (func (export "set_first") (param (ref null struct) i32)
        (struct.set $pair 0 (ref.cast (ref $pair) (local.get 0)) (local.get 1)))
    (func (export "new_bytes") (param i32 i32) (result (ref null array))
        (array.new $bytes (local.get 0) (local.get 1)))
    (func (export "byte") (param (ref null array) i32) (result i32)
        (array.get_u $bytes (ref.cast (ref $bytes) (local.get 0)) (local.get 1))))"#;

/// A struct made by the host: fields read, written, and its type.
pub fn struct_host_fields() -> Result<String> {
    let engine = gc_engine()?;
    let mut store = Store::new(&engine, ());
    let ty = pair_type(&engine)?;
    let pre = StructRefPre::new(&mut store, ty.clone());
    let s = StructRef::new(&mut store, &pre, &[Val::I32(10), Val::I32(300)])?;
    let a = s.field(&mut store, 0)?.unwrap_i32();
    let b = s.field(&mut store, 1)?.unwrap_i32();
    s.set_field(&mut store, 0, Val::I32(-4))?;
    let all: Vec<i32> = s.fields(&mut store)?.map(|v| v.unwrap_i32()).collect();
    let same_ty = StructType::eq(&s.ty(&store)?, &ty) && s.matches_ty(&store, &ty)?;
    let shown = ty.to_string();
    assert_eq!((a, b, all.clone(), same_ty), (10, 44, vec![-4, 44], true));
    Ok(format!("{a} {b} {all:?} {same_ty} {shown}"))
}

/// An array made by the host: length, elements, and its type.
pub fn array_host_elems() -> Result<String> {
    let engine = gc_engine()?;
    let mut store = Store::new(&engine, ());
    let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::ValType(ValType::I64)));
    let pre = ArrayRefPre::new(&mut store, ty.clone());
    let a = ArrayRef::new(&mut store, &pre, &Val::I64(7), 4)?;
    a.set(&mut store, 3, Val::I64(-1))?;
    let len = a.len(&store)?;
    let elems: Vec<i64> = a.elems(&mut store)?.map(|v| v.unwrap_i64()).collect();
    let same_ty = ArrayType::eq(&a.ty(&store)?, &ty);
    assert_eq!((len, elems.clone(), same_ty), (4, vec![7, 7, 7, -1], true));
    Ok(format!("{len} {elems:?} {same_ty} {ty}"))
}

/// Structs and arrays made by wasm (`struct.new`, `array.new`), their
/// fields written and read on both sides, and a host struct given to wasm.
pub fn struct_array_from_wasm() -> Result<String> {
    let engine = gc_engine()?;
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, GC_WAT)?;
    let instance = Instance::new(&mut store, &module, &[])?;
    let new_pair = instance.get_typed_func::<(i32, i32), Option<Rooted<StructRef>>>(&mut store, "new_pair")?;
    let first = instance.get_typed_func::<Option<Rooted<StructRef>>, i32>(&mut store, "first")?;
    let set_first = instance.get_typed_func::<(Option<Rooted<StructRef>>, i32), ()>(&mut store, "set_first")?;
    let s = new_pair.call(&mut store, (5, 0x1234))?.unwrap();
    let fields = (s.field(&mut store, 0)?.unwrap_i32(), s.field(&mut store, 1)?.unwrap_i32());
    s.set_field(&mut store, 0, Val::I32(77))?;
    let seen_by_wasm = first.call(&mut store, Some(s))?;
    set_first.call(&mut store, (Some(s), 99))?;
    let seen_by_host = s.field(&mut store, 0)?.unwrap_i32();
    let pre = StructRefPre::new(&mut store, pair_type(&engine)?);
    let host = StructRef::new(&mut store, &pre, &[Val::I32(123), Val::I32(0)])?;
    let host_in_wasm = first.call(&mut store, Some(host))?;

    let new_bytes = instance.get_func(&mut store, "new_bytes").unwrap();
    let mut out = [Val::AnyRef(None)];
    new_bytes.call(&mut store, &[Val::I32(0x1ab), Val::I32(3)], &mut out)?;
    let a = out[0].unwrap_anyref().unwrap().unwrap_array(&store)?;
    a.set(&mut store, 1, Val::I32(9))?;
    let byte = instance.get_typed_func::<(Option<Rooted<ArrayRef>>, i32), i32>(&mut store, "byte")?;
    let arr = (a.len(&store)?, a.get(&mut store, 2)?.unwrap_i32(), byte.call(&mut store, (Some(a), 1))?);
    let oob_trap = byte.call(&mut store, (Some(a), 3)).unwrap_err().downcast_ref::<Trap>().copied();
    assert_eq!((fields, seen_by_wasm, seen_by_host, host_in_wasm, arr), ((5, 0x34), 77, 99, 123, (3, 0xab, 9)));
    assert_eq!(oob_trap, Some(Trap::ArrayOutOfBounds));
    Ok(format!("{fields:?} {seen_by_wasm} {seen_by_host} {host_in_wasm} {arr:?} {oob_trap:?}"))
}

/// Downcasts and upcasts between `anyref`, `eqref`, `i31`, `structref`
/// and `arrayref`, and their `Val`/`Ref` forms.
pub fn gc_downcasts() -> Result<String> {
    let engine = gc_engine()?;
    let mut store = Store::new(&engine, ());
    let spre = StructRefPre::new(&mut store, pair_type(&engine)?);
    let apre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Const, StorageType::I16)));
    let s = StructRef::new(&mut store, &spre, &[Val::I32(1), Val::I32(2)])?;
    let a = ArrayRef::new(&mut store, &apre, &Val::I32(3), 1)?;
    let i = AnyRef::from_i31(&mut store, I31::wrapping_u32(4));
    let sa = s.to_anyref();
    let s_kinds = (sa.is_struct(&store)?, sa.is_eqref(&store)?, sa.is_array(&store)?, sa.is_i31(&store)?, sa.as_array(&store)?.is_none());
    let se = sa.unwrap_eqref(&mut store)?;
    let s_field = se.unwrap_struct(&store)?.field(&mut store, 1)?.unwrap_i32();
    let same = Rooted::ref_eq(&store, &sa, &se.to_anyref())?;
    let aa: Rooted<AnyRef> = a.into();
    let a_kinds = (aa.is_array(&store)?, aa.as_struct(&store)?.is_none());
    let a_elem = a.to_eqref().unwrap_array(&store)?.get(&mut store, 0)?.unwrap_i32();
    let ie = i.as_eqref(&mut store)?.unwrap();
    let i_kinds = (ie.as_i31(&store)?.map(|v| v.get_u32()), ie.is_struct(&store)?, ie.is_array(&store)?);
    let e = EqRef::from_i31(&mut store, I31::wrapping_i32(-9)).to_anyref().unwrap_i31(&store)?.get_i32();
    let v = Val::from(s).unwrap_anyref().unwrap().is_struct(&store)?;
    let r = Ref::from(a).unwrap_any().unwrap().is_array(&store)?;
    assert_eq!((s_kinds, s_field, same, a_kinds, a_elem, i_kinds, e, v, r), ((true, true, false, false, true), 2, true, (true, true), 3, (Some(4), false, false), -9, true, true));
    Ok(format!("{s_kinds:?} {s_field} {same} {a_kinds:?} {a_elem} {i_kinds:?} {e} {v} {r}"))
}

/// Misuse that `wasmtime` refuses with an `Err`: out-of-bounds indices,
/// values of the wrong type, immutable fields, wrong arity, values of
/// another store, unrooted references.
pub fn gc_misuse_errors() -> Result<String> {
    let engine = gc_engine()?;
    let mut store = Store::new(&engine, ());
    let mut other = Store::new(&engine, ());
    let ty = StructType::new(&engine, [FieldType::new(Mutability::Const, StorageType::ValType(ValType::I32)), FieldType::new(Mutability::Var, StorageType::ValType(ValType::ANYREF))])?;
    let pre = StructRefPre::new(&mut store, ty);
    let s = StructRef::new(&mut store, &pre, &[Val::I32(1), Val::AnyRef(None)])?;
    let foreign = AnyRef::from_i31(&mut other, I31::default());
    let apre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Const, StorageType::ValType(ValType::F32))));
    let a = ArrayRef::new(&mut store, &apre, &Val::F32(0), 2)?;
    let stale = {
        let mut scope = RootScope::new(&mut store);
        StructRef::new(&mut scope, &pre, &[Val::I32(1), Val::AnyRef(None)])?
    };
    let errs = [
        s.field(&mut store, 2).is_err(),
        s.set_field(&mut store, 0, Val::I32(0)).is_err(),
        s.set_field(&mut store, 1, Val::I64(0)).is_err(),
        s.set_field(&mut store, 1, Val::from(foreign)).is_err(),
        StructRef::new(&mut store, &pre, &[Val::I32(1)]).is_err(),
        StructRef::new(&mut store, &pre, &[Val::I64(1), Val::AnyRef(None)]).is_err(),
        ArrayRef::new(&mut store, &apre, &Val::I32(0), 1).is_err(),
        a.get(&mut store, 2).is_err(),
        a.set(&mut store, 0, Val::F32(0)).is_err(),
        stale.field(&mut store, 0).is_err(),
    ];
    s.set_field(&mut store, 1, Val::from(s))?;
    let self_ref = s.field(&mut store, 1)?.unwrap_anyref().unwrap().unwrap_struct(&store)?;
    let cyclic = Rooted::ref_eq(&store, &self_ref, &s)?;
    assert!(errs.iter().all(|e| *e) && cyclic);
    Ok(format!("{errs:?} {cyclic}"))
}

/// Objects stay alive through collections while rooted: by a `Rooted`, an
/// `OwnedRooted`, or only by an array element.
pub fn gc_rooting_survives_collection() -> Result<String> {
    let engine = gc_engine()?;
    let mut store = Store::new(&engine, ());
    let pre = StructRefPre::new(&mut store, pair_type(&engine)?);
    let apre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::ValType(ValType::ANYREF))));
    let s = StructRef::new(&mut store, &pre, &[Val::I32(11), Val::I32(12)])?;
    let owned = StructRef::new(&mut store, &pre, &[Val::I32(21), Val::I32(22)])?.to_owned_rooted(&mut store)?;
    let a = ArrayRef::new(&mut store, &apre, &Val::AnyRef(None), 2)?;
    {
        let mut scope = RootScope::new(&mut store);
        let inner = StructRef::new(&mut scope, &pre, &[Val::I32(31), Val::I32(32)])?;
        a.set(&mut scope, 1, Val::from(inner))?;
    }
    for _ in 0..50 {
        let mut scope = RootScope::new(&mut store);
        StructRef::new(&mut scope, &pre, &[Val::I32(0), Val::I32(0)])?;
    }
    store.gc(None)?;
    let seen = (
        s.field(&mut store, 0)?.unwrap_i32(),
        owned.field(&mut store, 1)?.unwrap_i32(),
        a.get(&mut store, 1)?.unwrap_anyref().unwrap().unwrap_struct(&store)?.field(&mut store, 0)?.unwrap_i32(),
        a.get(&mut store, 0)?.unwrap_anyref().is_none(),
    );
    let owned_eq: OwnedRooted<EqRef> = owned.into();
    let still_struct = owned_eq.is_struct(&store)?;
    assert_eq!((seen, still_struct), ((11, 22, 31, true), true));
    Ok(format!("{seen:?} {still_struct}"))
}

const EXN_WAT: &str = r#"(module
    (import "host" "tag" (tag $e (param i32 i64)))
    (import "host" "throw" (func $throw (param i32)))
    (func (export "catch_host") (param i32) (result i32)
        (block $h (result i32 i64)
            (try_table (catch $e $h)
                (call $throw (local.get 0)))
            (return (i32.const -1)))
        drop)
    (func (export "throw_uncaught") (param i32)
        (throw $e (local.get 0) (i64.const 77))))"#;

fn exn_instance(store: &mut Store<()>) -> Result<(Tag, Instance)> {
    let engine = store.engine().clone();
    let tag = Tag::new(&mut *store, &TagType::new(FuncType::new(&engine, [ValType::I32, ValType::I64], [])))?;
    let module = Module::new(&engine, EXN_WAT)?;
    let mut linker = Linker::new(&engine);
    linker.define(&mut *store, "host", "tag", tag)?;
    linker.func_wrap("host", "throw", move |mut caller: Caller<'_, ()>, x: i32| -> Result<()> {
        let ty = ExnType::from_tag_type(&tag.ty(&caller))?;
        let pre = ExnRefPre::new(&mut caller, ty);
        let exn = ExnRef::new(&mut caller, &pre, &tag, &[Val::I32(x), Val::I64(i64::from(x) * 10)])?;
        caller.as_context_mut().throw(exn)
    })?;
    let instance = linker.instantiate(&mut *store, &module)?;
    Ok((tag, instance))
}

/// A host function throws (`StoreContextMut::throw`); wasm catches it in a
/// `try_table` and gets the payload.
pub fn exn_host_throw_caught() -> Result<String> {
    let engine = gc_engine()?;
    let mut store = Store::new(&engine, ());
    let (_tag, instance) = exn_instance(&mut store)?;
    let f = instance.get_typed_func::<i32, i32>(&mut store, "catch_host")?;
    let got = (f.call(&mut store, 5)?, f.call(&mut store, 6)?);
    let pending = store.has_pending_exception();
    assert_eq!((got, pending), ((5, 6), false));
    Ok(format!("{got:?} {pending}"))
}

/// Wasm throws and does not catch: the call fails with a
/// `ThrownException`, and `take_pending_exception` gives the exception with
/// its tag and fields.
pub fn exn_uncaught_take_pending() -> Result<String> {
    let engine = gc_engine()?;
    let mut store = Store::new(&engine, ());
    let (tag, instance) = exn_instance(&mut store)?;
    let f = instance.get_typed_func::<i32, ()>(&mut store, "throw_uncaught")?;
    let err = f.call(&mut store, 12).unwrap_err();
    let thrown = err.is::<ThrownException>();
    let pending = store.has_pending_exception();
    let exn = store.take_pending_exception().unwrap();
    let after = (store.has_pending_exception(), store.take_pending_exception().is_none());
    let same_tag = Tag::eq(&exn.tag(&mut store)?, &tag, &store);
    let fields = (exn.field(&mut store, 0)?.unwrap_i32(), exn.field(&mut store, 1)?.unwrap_i64(), exn.fields(&mut store)?.len());
    let oob = exn.field(&mut store, 2).is_err();
    let ty_fields = exn.ty(&store)?.fields().len();
    // A host-made exception, thrown and taken on the host.
    let exn_ty = ExnType::from_tag_type(&tag.ty(&store))?;
    let pre = ExnRefPre::new(&mut store, exn_ty);
    let mine = ExnRef::new(&mut store, &pre, &tag, &[Val::I32(1), Val::I64(2)])?;
    let host_thrown = store.throw::<()>(mine).unwrap_err().is::<ThrownException>();
    let host_taken = store.take_pending_exception().unwrap().field(&mut store, 1)?.unwrap_i64();
    let bad_arity = ExnRef::new(&mut store, &pre, &tag, &[Val::I32(1)]).is_err();
    assert_eq!((thrown, pending, after, same_tag, fields, oob, ty_fields), (true, true, (false, true), true, (12, 77, 2), true, 2));
    assert_eq!((host_thrown, host_taken, bad_arity), (true, 2, true));
    Ok(format!("{thrown} {pending} {after:?} {same_tag} {fields:?} {oob} {ty_fields} {host_thrown} {host_taken} {bad_arity}"))
}
