// Client cases of `HeapType`'s concrete variants, which carry their types:
// reading them from a module (recursive types included), building host
// function types from them, the precise types of values, and subtyping.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`). Concrete
// types are not printed: `wasmtime` prints their engine type index.

use wasmtime::*;

fn gc_engine() -> Result<Engine> {
    Engine::new(Config::new().wasm_gc(true).wasm_function_references(true))
}

const RECURSIVE: &str = r#"(module
    (rec (type $list (struct (field i32) (field (ref null $list)))))
    (type $f (func (param (ref null $f)) (result i32)))
    (type $arr (array (mut i8)))
    (func $self (export "self") (type $f) (ref.is_null (local.get 0)))
    (func (export "take") (param (ref null $list) (ref $arr)) (result (ref null $list)) (local.get 0))
    (global (export "g") (ref null $list) (ref.null $list))
    (table (export "t") 1 (ref null $f))
    (elem declare func $self))"#;

/// Concrete types read from a module: a recursive struct type whose field
/// refers to itself, a function type whose parameter is its own type, an
/// array type, a global and a table of concrete types.
pub fn concrete_types_from_module() -> Result<String> {
    let engine = gc_engine()?;
    let module = Module::new(&engine, RECURSIVE)?;
    let mut out = Vec::new();

    let ExternType::Func(f) = module.get_export("self").unwrap() else { panic!("func") };
    let param = f.param(0).unwrap();
    let ValType::Ref(r) = &param else { panic!("ref") };
    out.push(format!("{} {} {}", r.is_nullable(), r.heap_type().is_concrete_func(), r.heap_type().top()));
    // The parameter's type is the function's own type.
    let inner = r.heap_type().unwrap_concrete_func();
    out.push(format!("{} {}", FuncType::eq(inner, &f), HeapType::eq(r.heap_type(), &HeapType::ConcreteFunc(f.clone()))));
    out.push(format!("{} {}", inner.params().len(), inner.result(0).unwrap()));

    let ExternType::Func(take) = module.get_export("take").unwrap() else { panic!("func") };
    let list = take.param(0).unwrap().unwrap_ref().heap_type().unwrap_concrete_struct().clone();
    let arr = take.param(1).unwrap().unwrap_ref().heap_type().unwrap_concrete_array().clone();
    out.push(format!("{} {} {:?}", list.fields().len(), list.field(0).unwrap().element_type(), arr.mutability()));
    out.push(format!("{}", arr.element_type().is_i8()));
    // The second field refers to the struct type itself, two levels down too.
    let next = list.field(1).unwrap().element_type().unwrap_val_type().unwrap_ref().heap_type().clone();
    let next_next = next.unwrap_concrete_struct().field(1).unwrap().element_type().unwrap_val_type().unwrap_ref().heap_type().clone();
    out.push(format!(
        "{} {} {}",
        HeapType::eq(&next, &HeapType::ConcreteStruct(list.clone())),
        HeapType::eq(&next_next, &next),
        StructType::eq(next.unwrap_concrete_struct(), &list)
    ));
    // Subtyping around the concrete types.
    let s = HeapType::ConcreteStruct(list.clone());
    let a = HeapType::ConcreteArray(arr.clone());
    out.push(format!(
        "{} {} {} {} {} {}",
        s.matches(&HeapType::Struct),
        s.matches(&HeapType::Eq),
        s.matches(&HeapType::Any),
        HeapType::None.matches(&s),
        s.matches(&a),
        HeapType::Struct.matches(&s)
    ));
    out.push(format!("{} {:?} {:?}", take.result(0).unwrap().matches(&take.param(0).unwrap()), s.top(), a.bottom()));

    let ExternType::Global(g) = module.get_export("g").unwrap() else { panic!("global") };
    out.push(format!("{}", HeapType::eq(g.content().unwrap_ref().heap_type(), &s)));
    let ExternType::Table(t) = module.get_export("t").unwrap() else { panic!("table") };
    out.push(format!("{} {}", t.element().is_nullable(), FuncType::eq(t.element().heap_type().unwrap_concrete_func(), &f)));
    // Accessors of the other variants.
    out.push(format!(
        "{} {} {} {}",
        s.as_concrete_func().is_none(),
        s.as_concrete_array().is_none(),
        a.as_concrete_struct().is_none(),
        s.as_concrete_exn().is_none()
    ));
    let seen = out.join("; ");
    let expected = "true true func; true true; 1 i32; 2 i32 Var; true; true true true; \
                    true true true true false false; true Any None; true; true true; true true true true";
    assert_eq!(seen, expected);
    Ok(seen)
}

/// Host function types built from concrete types, checked against a
/// module's imports by the engine's type registry; the precise types of
/// function and struct values.
pub fn concrete_host_func_types() -> Result<String> {
    let engine = gc_engine()?;
    let module = Module::new(
        &engine,
        r#"(module
            (type $s (struct (field i32)))
            (import "host" "get" (func $get (param (ref $s)) (result i32)))
            (func (export "run") (param i32) (result i32)
                (call $get (struct.new $s (local.get 0))))
            (func (export "make") (result (ref $s)) (struct.new $s (i32.const 5))))"#,
    )?;
    let s_ty = StructType::new(&engine, [FieldType::new(Mutability::Const, StorageType::ValType(ValType::I32))])?;
    let param = ValType::Ref(RefType::new(false, HeapType::ConcreteStruct(s_ty.clone())));
    let host_ty = FuncType::new(&engine, [param.clone()], [ValType::I32]);
    let mut store = Store::new(&engine, ());
    let get = Func::new(&mut store, host_ty.clone(), |mut caller, args, results| {
        let s = args[0].unwrap_anyref().unwrap().unwrap_struct(&caller)?;
        results[0] = Val::I32(s.field(&mut caller, 0)?.unwrap_i32() * 2);
        Ok(())
    });
    let mut out = Vec::new();
    let ty = get.ty(&store);
    out.push(format!("{} {}", FuncType::eq(&ty, &host_ty), ValType::eq(&ty.param(0).unwrap(), &param)));
    let instance = Instance::new(&mut store, &module, &[get.into()])?;
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
    out.push(run.call(&mut store, 21)?.to_string());

    // A value's precise type is concrete.
    let val_ty = Val::FuncRef(Some(get)).ty(&store)?;
    out.push(format!("{}", FuncType::eq(val_ty.unwrap_ref().heap_type().unwrap_concrete_func(), &host_ty)));
    let made = instance.get_func(&mut store, "make").unwrap();
    let mut res = [Val::I32(0)];
    made.call(&mut store, &[], &mut res)?;
    let any = res[0].unwrap_anyref().unwrap();
    let heap = any.ty(&store)?;
    out.push(format!("{} {}", HeapType::eq(&heap, &HeapType::ConcreteStruct(s_ty.clone())), any.matches_ty(&store, &HeapType::ConcreteStruct(s_ty.clone()))?));
    out.push(format!("{}", res[0].matches_ty(&store, &param)?));

    // A host function of a different struct type does not satisfy the import.
    let other = StructType::new(&engine, [FieldType::new(Mutability::Var, StorageType::ValType(ValType::I32))])?;
    let wrong_ty = FuncType::new(&engine, [ValType::Ref(RefType::new(false, HeapType::ConcreteStruct(other.clone())))], [ValType::I32]);
    let wrong = Func::new(&mut store, wrong_ty, |_, _, results| {
        results[0] = Val::I32(0);
        Ok(())
    });
    out.push(format!("{}", Instance::new(&mut store, &module, &[wrong.into()]).is_err()));
    out.push(format!("{} {}", StructType::eq(&s_ty, &other), HeapType::ConcreteStruct(other).matches(&HeapType::ConcreteStruct(s_ty))));
    let seen = out.join("; ");
    assert_eq!(seen, "true true; 42; true; true true; true; true; false false");
    Ok(seen)
}

/// Matching concrete types of two engines panics, as `wasmtime`.
pub fn concrete_types_of_two_engines() -> Result<String> {
    let (e1, e2) = (Engine::default(), Engine::default());
    let a = HeapType::ConcreteFunc(FuncType::new(&e1, [], []));
    let b = HeapType::ConcreteFunc(FuncType::new(&e2, [], []));
    let panics = |f: &mut dyn FnMut()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    let foreign = ValType::Ref(RefType::new(true, b.clone()));
    let field = FieldType::new(Mutability::Var, StorageType::ValType(foreign.clone()));
    let mut store = Store::new(&e1, ());
    let seen = [
        panics(&mut || { a.matches(&b); }),
        // Types built on one engine from another engine's concrete types.
        panics(&mut || drop(FuncType::new(&e1, [foreign.clone()], []))),
        panics(&mut || drop(StructType::new(&e1, [field.clone()]))),
        panics(&mut || drop(ArrayType::new(&e1, field.clone()))),
        // A value checked against another engine's type.
        panics(&mut || drop(Val::I32(1).matches_ty(&mut store, &foreign))),
        // Each on its own engine is fine; abstract types belong to no engine.
        panics(&mut || drop(FuncType::new(&e2, [foreign.clone()], []))),
        a.matches(&HeapType::Func),
        // A global or table of another engine's type is an `Err`.
        Global::new(&mut store, GlobalType::new(foreign.clone(), Mutability::Const), Val::FuncRef(None)).is_err(),
        Table::new(&mut store, TableType::new(RefType::new(true, b.clone()), 1, None), Ref::Func(None)).is_err(),
    ];
    assert_eq!(seen, [true, true, true, true, true, false, true, true, true]);
    Ok(format!("{seen:?}"))
}
