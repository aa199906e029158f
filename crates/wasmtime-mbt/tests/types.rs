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
    let imports = module.imports();
    assert_eq!(imports[0].ty, ExternType::Func(FuncType::new([ValType::V128], [ValType::V128])));
    let ExternType::Global(g) = &imports[1].ty else { panic!("global import") };
    assert_eq!(g.content(), ValType::Ref(RefType { nullable: true, heap_type: HeapType::Eq }));
    let exports = module.exports();
    assert_eq!(exports[1].ty, ExternType::Func(FuncType::new([ValType::AnyRef], [ValType::reference(true, HeapType::I31)])));
    let ExternType::Func(concrete) = &exports[2].ty else { panic!("func export") };
    assert_eq!(concrete.params(), &[ValType::Ref(RefType { nullable: true, heap_type: HeapType::ConcreteStruct })]);
    let ExternType::Global(nf) = &exports[3].ty else { panic!("global export") };
    assert_eq!(nf.content(), ValType::Ref(RefType { nullable: false, heap_type: HeapType::Func }));
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
    let dynamic = Func::new(&mut store, FuncType::new([ValType::V128], [ValType::V128]), |_, args, results| {
        results[0] = Val::V128(V128::from(args[0].v128().unwrap().as_u128() + 1));
        Ok(())
    })?;
    let mut out = [Val::I32(0)];
    dynamic.call(&mut store, &[Val::V128(V128::from(41u128))], &mut out)?;
    assert_eq!(out[0].v128().map(V128::as_u128), Some(42));
    Ok(())
}

#[test]
fn anyref_host_function_types_work_and_concrete_ones_are_an_error() -> Result<()> {
    let mut store = Store::new(&Engine::default(), ());
    let f = Func::new(&mut store, FuncType::new([ValType::AnyRef], [ValType::I32]), |_, args, results| {
        results[0] = Val::I32(args[0].anyref().is_some() as i32);
        Ok(())
    })?;
    assert_eq!(f.ty(&store)?.params(), &[ValType::AnyRef]);
    let concrete = ValType::Ref(RefType { nullable: true, heap_type: HeapType::ConcreteFunc });
    let err = Func::new(&mut store, FuncType::new([concrete], []), |_, _, _| Ok(())).unwrap_err();
    assert!(err.to_string().contains("concrete"), "{err}");
    Ok(())
}
