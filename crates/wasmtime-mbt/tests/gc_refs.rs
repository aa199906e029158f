//! GC structs and arrays as `wasmtime`'s: made by the host and by wasm,
//! fields read and written on both sides, downcasts between `anyref`,
//! `eqref`, `i31ref`, `structref` and `arrayref`, misuse refused with an
//! `Err` or a panic (never an abort), and objects kept alive by their roots
//! across collections.

use wasmtime_mbt::*;

fn gc_engine() -> Engine {
    Engine::new(Config::new().wasm_gc(true).wasm_function_references(true)).unwrap()
}

fn i32_struct(engine: &Engine, mutability: Mutability) -> StructType {
    StructType::new(engine, [FieldType::new(mutability, ValType::I32.into()), FieldType::new(Mutability::Var, StorageType::I8)]).unwrap()
}

const WAT: &str = r#"(module
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
        (array.get_u $bytes (ref.cast (ref $bytes) (local.get 0)) (local.get 1)))
    (func (export "len") (param (ref null array)) (result i32)
        (array.len (local.get 0)))
    (func (export "i31") (param i32) (result anyref) (ref.i31 (local.get 0))))"#;

#[test]
fn host_struct_fields_read_and_written() -> Result<()> {
    let engine = gc_engine();
    let mut store = Store::new(&engine, ());
    let ty = i32_struct(&engine, Mutability::Var);
    let pre = StructRefPre::new(&mut store, ty.clone());
    let s = StructRef::new(&mut store, &pre, &[Val::I32(10), Val::I32(300)])?;
    assert_eq!(s.field(&mut store, 0)?.unwrap_i32(), 10);
    assert_eq!(s.field(&mut store, 1)?.unwrap_i32(), 300 & 0xff);
    s.set_field(&mut store, 0, Val::I32(-4))?;
    assert_eq!(s.fields(&mut store)?.map(|v| v.unwrap_i32()).collect::<Vec<_>>(), [-4, 44]);
    let got = s.ty(&store)?;
    assert!(StructType::eq(&got, &ty) && s.matches_ty(&store, &ty)?);
    assert_eq!(got.to_string(), "(struct (field (mut i32)) (field (mut i8)))");
    Ok(())
}

#[test]
fn host_array_elements_read_and_written() -> Result<()> {
    let engine = gc_engine();
    let mut store = Store::new(&engine, ());
    let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, ValType::I64.into()));
    let pre = ArrayRefPre::new(&mut store, ty.clone());
    let a = ArrayRef::new(&mut store, &pre, &Val::I64(7), 5)?;
    assert_eq!(a.len(&store)?, 5);
    a.set(&mut store, 4, Val::I64(-1))?;
    assert_eq!(a.elems(&mut store)?.map(|v| v.unwrap_i64()).collect::<Vec<_>>(), [7, 7, 7, 7, -1]);
    assert!(ArrayType::eq(&a.ty(&store)?, &ty));
    Ok(())
}

#[test]
fn wasm_made_objects_seen_by_host_and_back() -> Result<()> {
    let engine = gc_engine();
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, WAT)?;
    let instance = Instance::new(&mut store, &module, &[])?;

    // struct.new in wasm, fields read and written by the host.
    let new_pair = instance.get_typed_func::<(i32, i32), Option<Rooted<StructRef>>>(&mut store, "new_pair")?;
    let s = new_pair.call(&mut store, (5, 0x1234))?.unwrap();
    assert_eq!(s.field(&mut store, 0)?.unwrap_i32(), 5);
    assert_eq!(s.field(&mut store, 1)?.unwrap_i32(), 0x34);
    s.set_field(&mut store, 0, Val::I32(77))?;
    let first = instance.get_typed_func::<Option<Rooted<StructRef>>, i32>(&mut store, "first")?;
    assert_eq!(first.call(&mut store, Some(s))?, 77);
    // Written by wasm, read by the host.
    let set_first = instance.get_typed_func::<(Option<Rooted<StructRef>>, i32), ()>(&mut store, "set_first")?;
    set_first.call(&mut store, (Some(s), 99))?;
    assert_eq!(s.field(&mut store, 0)?.unwrap_i32(), 99);
    let wasm_ty = s.ty(&store)?;
    assert_eq!(wasm_ty.fields().len(), 2);
    assert!(wasm_ty.field(1).unwrap().element_type().is_i8());

    // A host-made struct of the same (canonical) type is accepted by wasm.
    let pre = StructRefPre::new(&mut store, i32_struct(&engine, Mutability::Var));
    let host = StructRef::new(&mut store, &pre, &[Val::I32(123), Val::I32(0)])?;
    assert_eq!(first.call(&mut store, Some(host))?, 123);

    // array.new in wasm; the dynamic API too.
    let new_bytes = instance.get_func(&mut store, "new_bytes").unwrap();
    let mut out = [Val::null_any_ref()];
    new_bytes.call(&mut store, &[Val::I32(0x1ab), Val::I32(3)], &mut out)?;
    let a = out[0].unwrap_anyref().unwrap().unwrap_array(&store)?;
    assert_eq!(a.len(&store)?, 3);
    assert_eq!(a.get(&mut store, 2)?.unwrap_i32(), 0xab);
    a.set(&mut store, 1, Val::I32(9))?;
    let byte = instance.get_typed_func::<(Option<Rooted<ArrayRef>>, i32), i32>(&mut store, "byte")?;
    assert_eq!(byte.call(&mut store, (Some(a), 1))?, 9);
    let len = instance.get_typed_func::<Option<Rooted<ArrayRef>>, i32>(&mut store, "len")?;
    assert_eq!(len.call(&mut store, Some(a))?, 3);
    // Out of bounds in wasm is a trap.
    let err = byte.call(&mut store, (Some(a), 3)).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::ArrayOutOfBounds));
    Ok(())
}

#[test]
fn downcasts_between_any_eq_i31_struct_array() -> Result<()> {
    let engine = gc_engine();
    let mut store = Store::new(&engine, ());
    let spre = StructRefPre::new(&mut store, i32_struct(&engine, Mutability::Const));
    let apre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Const, StorageType::I16)));
    let s = StructRef::new(&mut store, &spre, &[Val::I32(1), Val::I32(2)])?;
    let a = ArrayRef::new(&mut store, &apre, &Val::I32(3), 1)?;
    let i = AnyRef::from_i31(&mut store, I31::wrapping_u32(4));

    let sa = s.to_anyref();
    assert!(sa.is_struct(&store)? && sa.is_eqref(&store)? && !sa.is_array(&store)? && !sa.is_i31(&store)?);
    assert!(sa.as_array(&store)?.is_none());
    // The precise type, by identity in the engine's registry: an equal
    // struct type made again is the same type, a different one is not.
    assert_eq!(sa.ty(&store)?, HeapType::ConcreteStruct(i32_struct(&engine, Mutability::Const)));
    assert_ne!(sa.ty(&store)?, HeapType::ConcreteStruct(i32_struct(&engine, Mutability::Var)));
    assert_eq!(sa.ty(&store)?.unwrap_concrete_struct().fields().len(), 2);
    let se = sa.unwrap_eqref(&mut store)?;
    assert!(se.is_struct(&store)? && !se.is_i31(&store)? && se.as_array(&store)?.is_none());
    assert_eq!(se.unwrap_struct(&store)?.field(&mut store, 1)?.unwrap_i32(), 2);
    assert!(Rooted::ref_eq(&store, &sa, &se.to_anyref())?);

    let aa: Rooted<AnyRef> = a.into();
    assert!(aa.is_array(&store)? && aa.as_struct(&store)?.is_none());
    let ae: Rooted<EqRef> = a.to_eqref();
    assert_eq!(ae.unwrap_array(&store)?.get(&mut store, 0)?.unwrap_i32(), 3);
    let i16_array = ArrayType::new(&engine, FieldType::new(Mutability::Const, StorageType::I16));
    assert_eq!(ae.ty(&store)?, HeapType::ConcreteArray(i16_array));
    assert!(ae.ty(&store)?.unwrap_concrete_array().element_type().is_i16());

    let ie = i.as_eqref(&mut store)?.unwrap();
    assert_eq!(ie.as_i31(&store)?, Some(I31::wrapping_u32(4)));
    assert!(!ie.is_struct(&store)? && ie.as_struct(&store)?.is_none());
    let e = EqRef::from_i31(&mut store, I31::wrapping_i32(-9));
    assert_eq!(e.to_anyref().unwrap_i31(&store)?.get_i32(), -9);

    // Wrong-kind unwraps panic, as in `wasmtime`.
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| i.unwrap_struct(&store))).is_err());
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ie.unwrap_array(&store))).is_err());

    // Val and Ref carry them as `anyref`s.
    let v = Val::from(s);
    assert!(v.unwrap_anyref().unwrap().is_struct(&store)?);
    assert!(Ref::from(a).unwrap_any().unwrap().is_array(&store)?);
    assert!(matches!(Val::from(None::<Rooted<StructRef>>), Val::AnyRef(None)));

    // i31 from wasm, downcast on the host.
    let module = Module::new(&engine, WAT)?;
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_typed_func::<i32, Option<Rooted<AnyRef>>>(&mut store, "i31")?;
    let r = f.call(&mut store, 21)?.unwrap();
    assert_eq!(r.unwrap_eqref(&mut store)?.unwrap_i31(&store)?.get_u32(), 21);
    Ok(())
}

#[test]
fn misuse_is_an_err_or_a_panic_not_an_abort() -> Result<()> {
    let engine = gc_engine();
    let mut store = Store::new(&engine, ());
    let mut other = Store::new(&engine, ());
    let pre = StructRefPre::new(&mut store, i32_struct(&engine, Mutability::Const));
    let s = StructRef::new(&mut store, &pre, &[Val::I32(1), Val::I32(2)])?;

    // Out of bounds, wrong type, immutable field, wrong arity: `Err`.
    assert!(s.field(&mut store, 2).is_err());
    assert!(s.set_field(&mut store, 1, Val::I32(0)).is_ok());
    assert!(s.set_field(&mut store, 0, Val::I32(0)).unwrap_err().to_string().contains("not mutable"));
    assert!(s.set_field(&mut store, 1, Val::I64(0)).is_err());
    assert!(s.set_field(&mut store, 5, Val::I32(0)).is_err());
    assert!(StructRef::new(&mut store, &pre, &[Val::I32(1)]).is_err());
    assert!(StructRef::new(&mut store, &pre, &[Val::F32(0), Val::I32(2)]).is_err());
    let apre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Const, ValType::F32.into())));
    assert!(ArrayRef::new(&mut store, &apre, &Val::I32(0), 1).is_err());
    let a = ArrayRef::new(&mut store, &apre, &Val::from(1.0f32), 2)?;
    assert!(a.get(&mut store, 2).is_err());
    assert!(a.set(&mut store, 0, Val::from(2.0f32)).is_err(), "immutable array");

    // Values of another store: `Err`.
    let foreign = AnyRef::from_i31(&mut other, I31::default());
    let vpre = StructRefPre::new(&mut store, StructType::new(&engine, [FieldType::new(Mutability::Var, ValType::ANYREF.into())])?);
    assert!(StructRef::new(&mut store, &vpre, &[Val::from(foreign)]).is_err());
    let vs = StructRef::new(&mut store, &vpre, &[Val::null_any_ref()])?;
    assert!(vs.set_field(&mut store, 0, Val::from(foreign)).is_err());
    // A reference field holding another object.
    vs.set_field(&mut store, 0, Val::from(s))?;
    let back = vs.field(&mut store, 0)?.unwrap_anyref().unwrap().unwrap_struct(&store)?;
    assert!(Rooted::ref_eq(&store, &back, &s)?);

    // An object or allocator of another store: a panic, as in `wasmtime`.
    let panics = |f: &mut dyn FnMut()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    assert!(panics(&mut || drop(s.field(&mut other, 0))));
    assert!(panics(&mut || drop(a.len(&other))));
    assert!(panics(&mut || drop(StructRef::new(&mut other, &pre, &[Val::I32(1), Val::I32(2)]))));
    // A type of another engine.
    let engine2 = gc_engine();
    let ty2 = StructType::new(&engine2, [])?;
    assert!(panics(&mut || drop(StructRefPre::new(&mut store, ty2.clone()))));

    // A field of a concrete reference type: the type reads back.
    let concrete = ValType::Ref(RefType::new(true, HeapType::ConcreteStruct(StructType::new(&engine, [])?)));
    let outer = StructType::new(&engine, [FieldType::new(Mutability::Var, concrete.clone().into())])?;
    assert_eq!(outer.field(0).unwrap().element_type().unpack(), &concrete);
    // Too many fields: `Err`.
    assert!(StructType::new(&engine, (0..10_001).map(|_| FieldType::new(Mutability::Var, StorageType::I8))).is_err());

    // An unrooted reference: `Err`.
    let stale = {
        let mut scope = RootScope::new(&mut store);
        StructRef::new(&mut scope, &pre, &[Val::I32(1), Val::I32(2)])?
    };
    assert!(stale.field(&mut store, 0).unwrap_err().to_string().contains("unrooted"));
    Ok(())
}

#[test]
fn rooted_objects_survive_collections() -> Result<()> {
    let engine = gc_engine();
    let mut store = Store::new(&engine, ());
    let pre = StructRefPre::new(&mut store, i32_struct(&engine, Mutability::Var));
    let apre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Var, ValType::ANYREF.into())));
    let s = StructRef::new(&mut store, &pre, &[Val::I32(11), Val::I32(12)])?;
    let owned = StructRef::new(&mut store, &pre, &[Val::I32(21), Val::I32(22)])?.to_owned_rooted(&mut store)?;
    let a = ArrayRef::new(&mut store, &apre, &Val::null_any_ref(), 2)?;
    // The array is the only root of this struct.
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
    store.gc(None)?;
    assert_eq!(s.field(&mut store, 0)?.unwrap_i32(), 11);
    assert_eq!(owned.field(&mut store, 1)?.unwrap_i32(), 22);
    let inner = a.get(&mut store, 1)?.unwrap_anyref().unwrap().unwrap_struct(&store)?;
    assert_eq!(inner.field(&mut store, 0)?.unwrap_i32(), 31);
    let owned_any: OwnedRooted<AnyRef> = owned.clone().to_anyref();
    assert!(owned_any.is_struct(&store)?);
    let owned_eq: OwnedRooted<EqRef> = owned.into();
    assert!(owned_eq.is_struct(&store)?);
    Ok(())
}

#[test]
fn host_functions_take_and_return_structs() -> Result<()> {
    let engine = gc_engine();
    let mut store = Store::new(&engine, ());
    let pre = StructRefPre::new(&mut store, i32_struct(&engine, Mutability::Var));
    let s = StructRef::new(&mut store, &pre, &[Val::I32(40), Val::I32(0)])?;
    let double = Func::wrap(&mut store, |mut caller: Caller<'_, ()>, s: Option<Rooted<StructRef>>| -> Result<i32> {
        let s = s.unwrap();
        let v = s.field(&mut caller, 0)?.unwrap_i32();
        s.set_field(&mut caller, 0, Val::I32(v * 2))?;
        Ok(v)
    });
    let typed = double.typed::<Option<Rooted<StructRef>>, i32>(&store)?;
    assert_eq!(typed.call(&mut store, Some(s))?, 40);
    assert_eq!(s.field(&mut store, 0)?.unwrap_i32(), 80);
    Ok(())
}
