// GC references and their rooting: `RootScope` and `Rooted<T>` lifetimes,
// `OwnedRooted<T>` across scopes and in store data, `Ref` values with
// `Table::fill`/`Table::copy`, `anyref`/`i31` and typed `OwnedRooted`/`I31`
// signatures.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// A `Rooted` made in a `RootScope` is unrooted when the scope is dropped;
/// one made at top level lives with the store; `to_owned_rooted` keeps a
/// scoped one alive past its scope.
pub fn root_scope_lifetimes() -> Result<String> {
    let mut store = Store::<()>::default();
    let outer = ExternRef::new(&mut store, 1u32)?;
    let inner;
    let owned = {
        let mut scope = RootScope::new(&mut store);
        inner = ExternRef::new(&mut scope, 2u32)?;
        let inside = inner.data(&scope)?.is_some();
        assert!(inside);
        inner.to_owned_rooted(&mut scope)?
    };
    let outer_ok = outer.data(&store)?.and_then(|d| d.downcast_ref::<u32>()).copied();
    let inner_err = inner.data(&store).is_err();
    let owned_ok = owned.data(&store)?.and_then(|d| d.downcast_ref::<u32>()).copied();
    let again = owned.to_rooted(&mut store);
    let same = Rooted::ref_eq(&store, &again, &owned)?;
    let distinct_roots = !Rooted::rooted_eq(again, outer);
    assert_eq!((outer_ok, inner_err, owned_ok, same, distinct_roots), (Some(1), true, Some(2), true, true));
    Ok(format!("{outer_ok:?} {inner_err} {owned_ok:?} {same} {distinct_roots}"))
}

/// `OwnedRooted` values kept in store data, and `data_mut` through them.
pub fn owned_rooted_in_store_data() -> Result<String> {
    let mut store = Store::<Option<OwnedRooted<ExternRef>>>::default();
    let x = {
        let mut scope = RootScope::new(&mut store);
        let x = ExternRef::new(&mut scope, 1234usize)?;
        x.to_owned_rooted(&mut scope)?
    };
    *store.data_mut() = Some(x.clone());
    *x.data_mut(&mut store)?.unwrap().downcast_mut::<usize>().unwrap() += 1;
    let held = store.data().as_ref().unwrap().clone();
    let value = *held.data(&store)?.unwrap().downcast_ref::<usize>().unwrap();
    assert_eq!(value, 1235);
    Ok(format!("{value}"))
}

/// `Ref` values: constructors, queries, types and `Val` conversions.
pub fn ref_values() -> Result<String> {
    let mut store = Store::<()>::default();
    let e = ExternRef::new(&mut store, "e")?;
    let f = Func::wrap(&mut store, || {});
    let refs = [Ref::from(e), Ref::from(f), Ref::null(&HeapType::Any), Ref::Extern(None), Ref::Func(None)];
    let mut out = Vec::new();
    for r in &refs {
        let ty = r.ty(&store)?;
        let val = Val::from(r.clone());
        let back = val.ref_().expect("a reference");
        out.push(format!(
            "{}{}{}{} null={} nullable={} matches_top={} same={}",
            u8::from(r.is_extern()),
            u8::from(r.is_func()),
            u8::from(r.is_any()),
            u8::from(r.is_exn()),
            r.is_null(),
            ty.is_nullable(),
            r.matches_ty(&store, &RefType::new(true, ty.heap_type().top()))?,
            back.is_null() == r.is_null(),
        ));
    }
    assert!(refs[0].unwrap_extern().is_some() && refs[1].unwrap_func().is_some() && refs[2].unwrap_any().is_none());
    Ok(out.join("; "))
}

/// `Table::fill` and `Table::copy` (overlapping and across tables), with
/// their bounds and type errors.
pub fn table_fill_and_copy() -> Result<String> {
    let mut store = Store::<()>::default();
    let a = Table::new(&mut store, TableType::new(RefType::EXTERNREF, 6, None), Ref::Extern(None))?;
    let b = Table::new(&mut store, TableType::new(RefType::EXTERNREF, 3, None), Ref::Extern(None))?;
    for i in 0..3u64 {
        let r = ExternRef::new(&mut store, i)?;
        a.set(&mut store, i, r.into())?;
    }
    let seven = ExternRef::new(&mut store, 7u64)?;
    b.fill(&mut store, 1, seven.into(), 2)?;
    Table::copy(&mut store, &a, 1, &a, 0, 3)?; // overlapping, forwards
    Table::copy(&mut store, &a, 4, &b, 1, 2)?;
    let mut cells = Vec::new();
    for i in 0..a.size(&store) {
        let r = a.get(&mut store, i).unwrap();
        cells.push(match r.unwrap_extern() {
            Some(r) => format!("{}", r.data(&store)?.unwrap().downcast_ref::<u64>().unwrap()),
            None => "null".to_string(),
        });
    }
    let fill_oob = b.fill(&mut store, 2, Ref::Extern(None), 2).is_err();
    let copy_oob = Table::copy(&mut store, &a, 5, &b, 0, 2).is_err();
    let funcs = Table::new(&mut store, TableType::new(RefType::FUNCREF, 1, None), Ref::Func(None))?;
    let copy_type = Table::copy(&mut store, &funcs, 0, &a, 0, 1).is_err();
    let fill_type = funcs.fill(&mut store, 0, Ref::Extern(None), 1).is_err();
    let cells = cells.join(",");
    assert_eq!(cells, "0,0,1,2,7,7");
    assert!(fill_oob && copy_oob && copy_type && fill_type);
    Ok(format!("{cells} {fill_oob} {copy_oob} {copy_type} {fill_type}"))
}

/// `anyref`s holding `i31`s: from the host, through wasm, and typed as
/// `I31`, `Option<I31>` and `Option<Rooted<AnyRef>>`.
pub fn anyref_i31_values() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "make") (param i32) (result i31ref) local.get 0 ref.i31)
            (func (export "get_s") (param i31ref) (result i32) local.get 0 i31.get_s)
            (func (export "id") (param anyref) (result anyref) local.get 0))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let make = instance.get_typed_func::<i32, Option<I31>>(&mut store, "make")?;
    let get_s = instance.get_typed_func::<Option<I31>, i32>(&mut store, "get_s")?;
    let id = instance.get_typed_func::<Option<Rooted<AnyRef>>, Option<Rooted<AnyRef>>>(&mut store, "id")?;
    let made = make.call(&mut store, -5)?.unwrap();
    let signed = get_s.call(&mut store, Some(I31::wrapping_u32(0x7fff_fffe)))?;
    let host = AnyRef::from_i31(&mut store, I31::wrapping_i32(-3));
    let back = id.call(&mut store, Some(host))?.unwrap();
    let value = back.unwrap_i31(&store)?.get_i32();
    let kinds = (back.is_i31(&store)?, back.is_eqref(&store)?, back.is_struct(&store)?, back.is_array(&store)?);
    let none = id.call(&mut store, None)?.is_none();
    let wide = I31::new_i32(1 << 30).is_none();
    let types = format!("{} {} {}", back.ty(&store)?, Val::from(back).ty(&store)?, Ref::from(back).ty(&store)?);
    let matches = (back.matches_ty(&store, &HeapType::Eq)?, back.matches_ty(&store, &HeapType::Array)?);
    assert_eq!((made.get_i32(), signed, value, none, wide), (-5, -2, -3, true, true));
    Ok(format!("{} {} {signed} {value} {kinds:?} {none} {wide} {types} {matches:?}", made.get_i32(), made.get_u32()))
}

/// `OwnedRooted<ExternRef>` as typed parameters and results of wasm and
/// host functions, a non-null `Rooted<ExternRef>` signature, and subtyping
/// in typed signatures.
pub fn owned_rooted_typed() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "wrap", |mut caller: Caller<'_, ()>, n: i32| -> Result<OwnedRooted<ExternRef>> {
        ExternRef::new(&mut caller, n * 10)?.to_owned_rooted(&mut caller)
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "wrap" (func $wrap (param i32) (result (ref extern))))
            (func (export "wrap") (param i32) (result (ref extern)) local.get 0 call $wrap)
            (func (export "id") (param (ref extern)) (result (ref extern)) local.get 0)
            (func (export "nullable_id") (param externref) (result externref) local.get 0))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let wrap = instance.get_typed_func::<i32, OwnedRooted<ExternRef>>(&mut store, "wrap")?;
    let id = instance.get_typed_func::<Rooted<ExternRef>, Rooted<ExternRef>>(&mut store, "id")?;
    let owned = wrap.call(&mut store, 4)?;
    let rooted = owned.to_rooted(&mut store);
    let back = id.call(&mut store, rooted)?;
    let n = *back.data(&store)?.unwrap().downcast_ref::<i32>().unwrap();
    let nullable_refused = instance.get_typed_func::<Option<Rooted<ExternRef>>, Rooted<ExternRef>>(&mut store, "id").is_err();
    // Subtyping, as for any typed function: a non-null parameter may be
    // given for a nullable one and a non-null result taken as nullable, not
    // the other way round.
    let sub = instance.get_typed_func::<Rooted<ExternRef>, Option<Rooted<ExternRef>>>(&mut store, "nullable_id")?;
    let through = sub.call(&mut store, back)?.is_some();
    let widened = instance.get_typed_func::<Rooted<ExternRef>, Option<Rooted<ExternRef>>>(&mut store, "id").is_ok();
    let narrowed = instance.get_typed_func::<Rooted<ExternRef>, Rooted<ExternRef>>(&mut store, "nullable_id").is_err();
    assert_eq!((n, nullable_refused, through, widened, narrowed), (40, true, true, true, true));
    Ok(format!("{n} {nullable_refused} {through} {widened} {narrowed}"))
}
