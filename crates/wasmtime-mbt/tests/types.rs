//! Types that the plain `wasm.h` type API cannot describe (it aborts the
//! process on them) go through Wasmtime's extended API instead.

use wasmtime_mbt::*;

const SIMD_GC: &str = r#"(module
    (type $s (struct (field i32)))
    (import "env" "v" (func (param v128) (result v128)))
    (import "env" "g" (global (ref null eq)))
    (func (export "id") (param v128) (result v128) local.get 0)
    (func (export "any") (param anyref) (result (ref null i31)) ref.null i31)
    (func (export "concrete") (param (ref null $s)))
    (global (export "nf") (ref func) (ref.func 0)))"#;

#[test]
fn imports_and_exports_with_v128_and_gc_types_do_not_abort() -> Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, SIMD_GC)?;
    let imports: Vec<_> = module.imports().collect();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0].ty(), ExternType::Func(FuncType::new(&engine, [ValType::V128], [ValType::V128])));
    let ExternType::Global(g) = imports[1].ty() else { panic!("global import") };
    assert_eq!(*g.content(), ValType::Ref(RefType::new(true, HeapType::Eq)));
    assert_eq!(*g.content(), ValType::EQREF);
    let exports: Vec<_> = module.exports().collect();
    assert_eq!(exports.len(), 4);
    assert_eq!(
        exports[1].ty(),
        ExternType::Func(FuncType::new(&engine, [ValType::ANYREF], [ValType::Ref(RefType::new(true, HeapType::I31))]))
    );
    let ExternType::Func(concrete) = exports[2].ty() else { panic!("func export") };
    let param = concrete.param(0).unwrap();
    let st = param.unwrap_ref().heap_type().unwrap_concrete_struct();
    assert_eq!(st.fields().map(|f| f.element_type().to_string()).collect::<Vec<_>>(), ["i32"]);
    assert!(Engine::same(st.engine(), &engine));
    assert_eq!(concrete.to_string(), "(type (func (param (ref null (concrete struct)))))");
    let ExternType::Global(nf) = exports[3].ty() else { panic!("global export") };
    assert_eq!(*nf.content(), ValType::Ref(RefType::new(false, HeapType::Func)));
    assert_eq!(nf.content().to_string(), "(ref func)");
    Ok(())
}

#[test]
fn v128_host_functions_and_typed_calls_round_trip() -> Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "env" "swap" (func $swap (param v128) (result v128)))
        (func (export "run") (param v128) (result v128) local.get 0 call $swap))"#)?;
    let mut store = Store::new(&engine, ());
    let swap = Func::wrap(&mut store, |v: V128| V128::from(v.as_u128().rotate_left(64)));
    let instance = Instance::new(&mut store, &module, &[swap.into()])?;
    let run = instance.get_typed_func::<V128, V128>(&mut store, "run")?;
    assert_eq!(run.call(&mut store, V128::from(1u128))?.as_u128(), 1u128 << 64);
    let dynamic = Func::new(&mut store, FuncType::new(&engine, [ValType::V128], [ValType::V128]), |_, args, results| {
        results[0] = Val::V128(V128::from(args[0].unwrap_v128().as_u128() + 1));
        Ok(())
    });
    let mut out = [Val::I32(0)];
    dynamic.call(&mut store, &[Val::V128(V128::from(41u128))], &mut out)?;
    assert_eq!(out[0].v128().map(V128::as_u128), Some(42));
    Ok(())
}

#[test]
fn anyref_and_concrete_host_function_types_work_and_cont_ones_are_an_error() -> Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = Func::new(&mut store, FuncType::new(&engine, [ValType::ANYREF], [ValType::I32]), |_, args, results| {
        results[0] = Val::I32(args[0].unwrap_anyref().is_some() as i32);
        Ok(())
    });
    assert_eq!(f.ty(&store).params().collect::<Vec<_>>(), [ValType::ANYREF]);
    let inner = FuncType::new(&engine, [ValType::I32], []);
    let concrete = ValType::Ref(RefType::new(true, HeapType::ConcreteFunc(inner.clone())));
    let g = Func::try_new(&mut store, FuncType::new(&engine, [concrete.clone()], []), |_, _, _| Ok(()))?;
    assert_eq!(g.ty(&store).params().collect::<Vec<_>>(), [concrete]);
    assert_eq!(g.ty(&store).param(0).unwrap().unwrap_ref().heap_type().unwrap_concrete_func(), &inner);
    let cont = FuncType::new(&engine, [], [ValType::CONTREF]);
    let err = Func::try_new(&mut store, cont, |_, _, _| Ok(())).unwrap_err();
    assert!(err.to_string().contains("no C API equivalent"), "{err}");
    Ok(())
}

#[test]
#[should_panic(expected = "reference type (ref null cont) has no C API equivalent")]
fn func_new_with_an_undescribable_type_panics() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new(&engine, [ValType::CONTREF], []);
    Func::new(&mut store, ty, |_, _, _| Ok(()));
}

#[test]
#[should_panic(expected = "assertion failed: ty.comes_from_same_engine(engine)")]
fn func_new_with_a_type_of_another_engine_panics() {
    let mut store = Store::new(&Engine::default(), ());
    let ty = FuncType::new(&Engine::default(), [], []);
    Func::new(&mut store, ty, |_, _, _| Ok(()));
}

#[test]
#[should_panic(expected = "assertion failed: ty.comes_from_same_engine(self.engine())")]
fn linker_func_new_with_a_type_of_another_engine_panics() {
    let mut linker = Linker::<()>::new(&Engine::default());
    let ty = FuncType::new(&Engine::default(), [], []);
    let _ = linker.func_new("m", "f", ty, |_, _, _| Ok(()));
}

#[test]
fn valtype_has_the_native_shape_constants_and_text_forms() {
    let all = [
        (ValType::EXTERNREF, "(ref null extern)"),
        (ValType::NULLEXTERNREF, "(ref null noextern)"),
        (ValType::FUNCREF, "(ref null func)"),
        (ValType::NULLFUNCREF, "(ref null nofunc)"),
        (ValType::ANYREF, "(ref null any)"),
        (ValType::EQREF, "(ref null eq)"),
        (ValType::I31REF, "(ref null i31)"),
        (ValType::ARRAYREF, "(ref null array)"),
        (ValType::STRUCTREF, "(ref null struct)"),
        (ValType::NULLREF, "(ref null none)"),
        (ValType::CONTREF, "(ref null cont)"),
        (ValType::NULLCONTREF, "(ref null nocont)"),
        (ValType::EXNREF, "(ref null exn)"),
        (ValType::NULLEXNREF, "(ref null noexn)"),
    ];
    for (ty, text) in all {
        assert_eq!(ty.to_string(), text);
        assert_eq!(format!("{ty:?}"), text);
        let r = ty.unwrap_ref();
        assert!(r.is_nullable());
        assert_eq!(ValType::from(r.clone()), ty);
        assert!(ty.is_ref() && !ty.is_num());
        // Every constant matches its hierarchy's top and the bottom matches it.
        let top = ValType::Ref(RefType::new(true, r.heap_type().top()));
        let bottom = ValType::Ref(RefType::new(true, r.heap_type().bottom()));
        assert!(ty.matches(&top), "{ty} <: {top}");
        assert!(bottom.matches(&ty), "{bottom} <: {ty}");
        assert!(ValType::eq(&ty, &ty));
        // The C API has no continuation values, so `cont` types have no default here.
        let representable = !matches!(r.heap_type().top(), HeapType::Cont);
        let default = ty.default_value();
        assert_eq!(default.is_some(), representable, "{ty}");
        if let Some(v) = default {
            assert!(v.matches_ty(Store::<()>::default(), &ty).unwrap(), "{ty}");
        }
    }
    for (ty, text) in [(ValType::I32, "i32"), (ValType::I64, "i64"), (ValType::F32, "f32"), (ValType::F64, "f64"), (ValType::V128, "v128")] {
        assert_eq!(ty.to_string(), text);
        assert!(ty.as_ref().is_none() && !ty.is_ref());
    }
    let preds = |t: &ValType| [t.is_i32(), t.is_i64(), t.is_f32(), t.is_f64(), t.is_v128()];
    assert_eq!(preds(&ValType::I32), [true, false, false, false, false]);
    assert_eq!(preds(&ValType::I64), [false, true, false, false, false]);
    assert_eq!(preds(&ValType::F32), [false, false, true, false, false]);
    assert_eq!(preds(&ValType::F64), [false, false, false, true, false]);
    assert_eq!(preds(&ValType::V128), [false, false, false, false, true]);
    assert!(ValType::FUNCREF.is_funcref() && !ValType::NULLFUNCREF.is_funcref());
    assert!(ValType::EXTERNREF.is_externref() && !ValType::FUNCREF.is_externref());
    assert!(ValType::ANYREF.is_anyref() && !ValType::EQREF.is_anyref());
    assert!(ValType::CONTREF.is_contref());
    // A native-style match on `ValType::Ref` covers every reference type.
    let describe = |t: ValType| match t {
        ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 | ValType::V128 => "num",
        ValType::Ref(r) if r.heap_type().is_func() => "func",
        ValType::Ref(_) => "other ref",
    };
    assert_eq!((describe(ValType::FUNCREF), describe(ValType::EXTERNREF), describe(ValType::I32)), ("func", "other ref", "num"));
}

#[test]
fn reftype_and_heaptype_subtyping_follows_wasmtime() {
    let engine = Engine::default();
    let non_null = |h| RefType::new(false, h);
    let concrete_func = HeapType::ConcreteFunc(FuncType::new(&engine, [], []));
    let concrete_array = HeapType::ConcreteArray(ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8)));
    let concrete_struct = HeapType::ConcreteStruct(StructType::new(&engine, []).unwrap());
    let concrete_exn = HeapType::ConcreteExn(ExnType::new(&engine, []).unwrap());
    assert!(non_null(HeapType::Func).matches(&RefType::FUNCREF));
    assert!(!RefType::FUNCREF.matches(&non_null(HeapType::Func)));
    assert!(RefType::eq(&RefType::new(true, HeapType::Any), &RefType::ANYREF));
    assert!(!RefType::eq(&RefType::I31REF, &RefType::EQREF));
    assert_eq!(non_null(HeapType::Extern).to_string(), "(ref extern)");
    assert_eq!(format!("{:?}", RefType::FUNCREF), "(ref null func)");
    use HeapType as H;
    let any_hierarchy = [H::None, H::I31, concrete_struct.clone(), H::Struct, concrete_array.clone(), H::Array, H::Eq, H::Any];
    for h in any_hierarchy {
        assert!(h.matches(&H::Any), "{h} <: any");
        assert!(H::None.matches(&h), "none <: {h}");
        assert!(!h.matches(&H::Func) && !h.matches(&H::Extern) && !h.matches(&H::Exn));
        assert_eq!((h.top(), h.bottom()), (H::Any, H::None));
    }
    assert!(!H::I31.matches(&H::Struct) && !H::Struct.matches(&H::Array) && !H::Eq.matches(&H::I31));
    assert!(H::NoFunc.matches(&concrete_func) && concrete_func.matches(&H::Func) && !H::Func.matches(&concrete_func));
    assert!(H::NoExtern.matches(&H::Extern) && !H::Extern.matches(&H::NoExtern));
    assert!(H::NoExn.matches(&concrete_exn) && concrete_exn.matches(&H::Exn));
    assert!(H::NoCont.matches(&H::Cont) && !H::Cont.matches(&H::Func));
    assert!(H::eq(&H::Eq, &H::Eq) && !H::eq(&H::Eq, &H::Any));
    let tops = [H::Any, H::Extern, H::Func, H::Cont, H::Exn];
    let bottoms = [H::None, H::NoExtern, H::NoFunc, H::NoCont, H::NoExn];
    for (t, b) in tops.iter().zip(&bottoms) {
        assert!(t.is_top() && !t.is_bottom() && b.is_bottom() && !b.is_top());
        assert_eq!((t.top(), t.bottom(), b.top()), (t.clone(), b.clone(), t.clone()));
    }
    for h in [&concrete_func, &concrete_array, &concrete_struct, &concrete_exn] {
        assert!(h.is_concrete() && !h.is_abstract());
    }
    assert!(H::Func.is_abstract() && !H::Cont.is_concrete_cont());
    let checks = [
        (H::Extern.is_extern(), H::Func.is_extern()),
        (H::Func.is_func(), concrete_func.is_func()),
        (H::NoFunc.is_no_func(), H::Func.is_no_func()),
        (H::Any.is_any(), H::Eq.is_any()),
        (H::I31.is_i31(), H::Eq.is_i31()),
        (H::None.is_none(), H::NoExtern.is_none()),
        (H::Cont.is_cont(), H::NoCont.is_cont()),
        (H::Exn.is_exn(), H::NoExn.is_exn()),
        (H::NoExn.is_no_exn(), H::Exn.is_no_exn()),
        (concrete_func.is_concrete_func(), H::Func.is_concrete_func()),
        (concrete_array.is_concrete_array(), H::Array.is_concrete_array()),
        (concrete_struct.is_concrete_struct(), H::Struct.is_concrete_struct()),
        (concrete_exn.is_concrete_exn(), H::Exn.is_concrete_exn()),
    ];
    for (i, (yes, no)) in checks.into_iter().enumerate() {
        assert!(yes && !no, "predicate {i}");
    }
}

#[test]
fn functype_takes_an_engine_and_iterates_by_value() {
    let engine = Engine::default();
    let ty = FuncType::new(&engine, [ValType::I32, ValType::FUNCREF], [ValType::F64]);
    assert!(Engine::same(ty.engine(), &engine));
    let params = ty.params();
    assert_eq!(params.len(), 2);
    assert_eq!(params.collect::<Vec<_>>(), [ValType::I32, ValType::FUNCREF]);
    assert_eq!(ty.results().len(), 1);
    assert_eq!((ty.param(0), ty.param(1), ty.param(2)), (Some(ValType::I32), Some(ValType::FUNCREF), None));
    assert_eq!((ty.result(0), ty.result(1)), (Some(ValType::F64), None));
    assert_eq!(ty.to_string(), "(type (func (param i32 (ref null func)) (result f64)))");
    assert_eq!(FuncType::new(&engine, [], []).to_string(), "(type (func))");
    let same = FuncType::new(&engine, [ValType::I32, ValType::FUNCREF], [ValType::F64]);
    assert!(ty.matches(&same) && FuncType::eq(&ty, &same));
    let other = FuncType::new(&engine, [ValType::I32], [ValType::F64]);
    assert!(!ty.matches(&other) && !other.matches(&ty));
    // Function types read back from the C API keep the engine.
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, |_: i32, _: Option<Func>| 0.0f64);
    let read = f.ty(&store);
    assert!(Engine::same(read.engine(), &engine));
    assert!(read.matches(&ty) && f.matches_ty(&store, &ty) && !f.matches_ty(&store, &other));
}

#[test]
#[should_panic(expected = "type used with the wrong engine")]
fn functype_matches_across_engines_panics() {
    let a = FuncType::new(&Engine::default(), [], []);
    let b = FuncType::new(&Engine::default(), [], []);
    a.matches(&b);
}

#[test]
fn extern_type_accessors_and_conversions() {
    let engine = Engine::default();
    let f = ExternType::from(FuncType::new(&engine, [ValType::I32], []));
    let g = ExternType::from(GlobalType::new(ValType::I64, Mutability::Var));
    let t = ExternType::from(TableType::new(RefType::FUNCREF, 1, Some(2)));
    let m = ExternType::from(MemoryType::new(3, None));
    assert_eq!(f.unwrap_func().params().len(), 1);
    assert!(f.global().is_none() && f.table().is_none() && f.memory().is_none());
    assert!(g.unwrap_global().mutability().is_var() && g.func().is_none());
    assert_eq!(t.unwrap_table().maximum(), Some(2));
    assert!(t.memory().is_none());
    assert_eq!(m.unwrap_memory().minimum(), 3);
    assert!(m.table().is_none());
    assert!(std::panic::catch_unwind(|| m.unwrap_func().params().len()).is_err());
    assert!(Mutability::Const.is_const() && !Mutability::Const.is_var());
}

#[test]
fn memory_type_builder_validates_and_reads_back() -> Result<()> {
    let ty = MemoryType::builder().min(2).max(Some(9)).build()?;
    assert_eq!((ty.minimum(), ty.maximum(), ty.is_64(), ty.is_shared(), ty.page_size_log2()), (2, Some(9), false, false, 16));
    assert_eq!(ty, MemoryType::new(2, Some(9)));
    let ty = MemoryTypeBuilder::new().memory64(true).min(1 << 33).build()?;
    assert!(ty.is_64());
    assert_eq!(ty.minimum(), 1 << 33);
    let ty = MemoryTypeBuilder::default().max(Some(4)).shared(true).build()?;
    assert!(ty.is_shared());
    let ty = MemoryTypeBuilder::new().page_size_log2(0).min(10).build()?;
    assert_eq!((ty.page_size(), ty.page_size_log2()), (1, 0));
    assert!(MemoryTypeBuilder::new().shared(true).build().is_err());
    assert!(MemoryTypeBuilder::new().min(3).max(Some(2)).build().is_err());
    assert!(MemoryTypeBuilder::new().min(1 << 20).build().is_err()); // past 4 GiB for 32-bit
    assert!(MemoryTypeBuilder::new().page_size_log2(12).build().is_err());
    Ok(())
}

#[test]
fn recursive_concrete_types_are_read_lazily_and_printed_hashed_compared_without_looping() -> Result<()> {
    use std::collections::HashSet;
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (rec (type $t (struct (field (ref null $t)))))
            (type $f (func (param (ref null $f))))
            (func (export "f") (type $f))
            (func (export "t") (param (ref null $t))))"#,
    )?;
    let ExternType::Func(f) = module.get_export("f").unwrap() else { panic!("func") };
    let ExternType::Func(t) = module.get_export("t").unwrap() else { panic!("func") };
    // Ten levels down the recursion, still the same types.
    let mut heap = f.param(0).unwrap().unwrap_ref().heap_type().clone();
    for _ in 0..10 {
        heap = heap.unwrap_concrete_func().param(0).unwrap().unwrap_ref().heap_type().clone();
    }
    assert_eq!(heap, HeapType::ConcreteFunc(f.clone()));
    let st = t.param(0).unwrap().unwrap_ref().heap_type().clone();
    let inner = st.unwrap_concrete_struct().field(0).unwrap().element_type().unpack().unwrap_ref().heap_type().clone();
    assert_eq!(inner, st);
    // Printing, hashing and comparing never look into a concrete type.
    assert_eq!(f.to_string(), "(type (func (param (ref null (concrete func)))))");
    assert_eq!(st.unwrap_concrete_struct().to_string(), "(struct (field (ref null (concrete struct))))");
    assert!(format!("{f:?} {st:?}").contains("concrete"));
    let set: HashSet<ValType> = [f.param(0).unwrap(), t.param(0).unwrap(), f.param(0).unwrap()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert_ne!(heap, st);
    // Types of another engine are unequal (`matches` panics instead, as `wasmtime`).
    let other = HeapType::ConcreteFunc(FuncType::new(&Engine::default(), [], []));
    assert_ne!(other, HeapType::ConcreteFunc(FuncType::new(&engine, [], [])));
    assert_eq!(HeapType::ConcreteFunc(FuncType::new(&engine, [], [])), HeapType::ConcreteFunc(FuncType::new(&engine, [], [])));
    Ok(())
}
