// Calling wasm exports: typed and dynamic calls, every numeric type,
// multi-value results, v128 and funcref values.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// A typed `(i32, i32) -> i32` call of an exported function.
pub fn typed_add() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "add") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.add))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add")?;
    let a = add.call(&mut store, (2, 3))?;
    let b = add.call(&mut store, (i32::MAX, 1))?;
    assert_eq!(a, 5);
    assert_eq!(b, i32::MIN);
    Ok(format!("{a} {b}"))
}

/// Typed calls with `i64`, `f32` and `f64` parameters and results.
pub fn typed_numeric_types() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "mul64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul)
            (func (export "sqrt32") (param f32) (result f32) local.get 0 f32.sqrt)
            (func (export "half64") (param f64) (result f64) local.get 0 f64.const 0.5 f64.mul)
            (func (export "nothing")))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let mul64 = instance.get_typed_func::<(i64, i64), i64>(&mut store, "mul64")?;
    let sqrt32 = instance.get_typed_func::<f32, f32>(&mut store, "sqrt32")?;
    let half64 = instance.get_typed_func::<f64, f64>(&mut store, "half64")?;
    let nothing = instance.get_typed_func::<(), ()>(&mut store, "nothing")?;
    let m = mul64.call(&mut store, (1 << 40, 3))?;
    let s = sqrt32.call(&mut store, 2.25)?;
    let h = half64.call(&mut store, 7.0)?;
    nothing.call(&mut store, ())?;
    assert_eq!(m, 3 << 40);
    assert_eq!(s, 1.5);
    assert_eq!(h, 3.5);
    Ok(format!("{m} {s} {h}"))
}

/// A typed function with the wrong signature is refused, the right one is not.
pub fn typed_signature_mismatch() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f") (param i32) (result i64) i64.const 1))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let wrong_params = instance.get_typed_func::<i64, i64>(&mut store, "f").is_err();
    let wrong_results = instance.get_typed_func::<i32, i32>(&mut store, "f").is_err();
    let missing = instance.get_typed_func::<i32, i64>(&mut store, "g").is_err();
    let right = instance.get_typed_func::<i32, i64>(&mut store, "f").is_ok();
    assert!(wrong_params && wrong_results && missing && right);
    Ok(format!("{wrong_params} {wrong_results} {missing} {right}"))
}

/// A dynamic call through `Func::call` with `Val` slices.
pub fn dynamic_call() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "mix") (param i32 i64 f32 f64) (result f64)
            local.get 0 f64.convert_i32_s
            local.get 1 f64.convert_i64_s f64.add
            local.get 2 f64.promote_f32 f64.add
            local.get 3 f64.add))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let mix = instance.get_func(&mut store, "mix").expect("export `mix`");
    let params = [Val::I32(1), Val::I64(20), Val::F32(0.5f32.to_bits()), Val::F64(100.25f64.to_bits())];
    let mut results = [Val::I32(0)];
    mix.call(&mut store, &params, &mut results)?;
    let value = results[0].f64().expect("an f64 result");
    assert_eq!(value, 121.75);
    // Wrong arity and wrong types are errors, not traps or panics.
    let wrong_arity = mix.call(&mut store, &params[..2], &mut results).is_err();
    let wrong_type = mix.call(&mut store, &[Val::I64(1), Val::I64(2), Val::I32(3), Val::I32(4)], &mut results).is_err();
    let no_room = mix.call(&mut store, &params, &mut []).is_err();
    assert!(wrong_arity && wrong_type && no_room);
    Ok(format!("{value} {wrong_arity} {wrong_type} {no_room}"))
}

/// Multi-value results through a typed call.
pub fn multi_value_typed() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "swap") (param i32 i64) (result i64 i32)
            local.get 1 local.get 0))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let swap = instance.get_typed_func::<(i32, i64), (i64, i32)>(&mut store, "swap")?;
    let (a, b) = swap.call(&mut store, (7, -8))?;
    assert_eq!((a, b), (-8, 7));
    Ok(format!("{a} {b}"))
}

/// Multi-value results through a dynamic call.
pub fn multi_value_dynamic() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "three") (param i32) (result i32 i32 i32)
            local.get 0
            local.get 0 i32.const 1 i32.add
            local.get 0 i32.const 2 i32.add))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let three = instance.get_func(&mut store, "three").unwrap();
    let mut results = vec![Val::I32(0); 3];
    three.call(&mut store, &[Val::I32(10)], &mut results)?;
    let values: Vec<i32> = results.iter().map(|v| v.i32().unwrap()).collect();
    assert_eq!(values, [10, 11, 12]);
    Ok(format!("{values:?}"))
}

/// `v128` values through a typed call (`V128` from and to `u128`).
pub fn v128_typed() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "add") (param v128 v128) (result v128)
            local.get 0 local.get 1 i32x4.add))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let add = instance.get_typed_func::<(V128, V128), V128>(&mut store, "add")?;
    let a = V128::from(0x0000_0004_0000_0003_0000_0002_0000_0001u128);
    let b = V128::from(0x0000_0010_0000_0010_0000_0010_0000_0010u128);
    let sum = add.call(&mut store, (a, b))?.as_u128();
    assert_eq!(sum, 0x0000_0014_0000_0013_0000_0012_0000_0011);
    Ok(format!("{sum:#x}"))
}

/// `funcref` values: a host function passed to wasm as `Option<Func>` and
/// called there through a table, and null checked with `ref.is_null`.
pub fn funcref_typed() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (type $t (func (result i32)))
            (table 1 funcref)
            (func (export "is_null") (param funcref) (result i32) local.get 0 ref.is_null)
            (func (export "call") (param funcref) (result i32)
                i32.const 0 local.get 0 table.set
                i32.const 0 call_indirect (type $t)))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let is_null = instance.get_typed_func::<Option<Func>, i32>(&mut store, "is_null")?;
    let call = instance.get_typed_func::<Option<Func>, i32>(&mut store, "call")?;
    let host = Func::wrap(&mut store, || 42i32);
    let null = is_null.call(&mut store, None)?;
    let not_null = is_null.call(&mut store, Some(host))?;
    let called = call.call(&mut store, Some(host))?;
    assert_eq!((null, not_null, called), (1, 0, 42));
    Ok(format!("{null} {not_null} {called}"))
}

/// A funcref returned by wasm (`ref.func`) and called from the host.
pub fn funcref_returned() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func $seven (result i32) i32.const 7)
            (elem declare func $seven)
            (func (export "get") (result funcref) ref.func $seven))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let get = instance.get_typed_func::<(), Option<Func>>(&mut store, "get")?;
    let func = get.call(&mut store, ())?.expect("a non-null funcref");
    let seven = func.typed::<(), i32>(&store)?.call(&mut store, ())?;
    let mut results = [Val::I32(0)];
    func.call(&mut store, &[], &mut results)?;
    let dynamic = results[0].i32().unwrap();
    assert_eq!((seven, dynamic), (7, 7));
    Ok(format!("{seven} {dynamic}"))
}

/// A result `Val` copied out of the results slice and passed twice.
pub fn val_copy() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "seven") (result i32) i32.const 7)
            (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let seven = instance.get_func(&mut store, "seven").unwrap();
    let add = instance.get_func(&mut store, "add").unwrap();
    let mut results = [Val::I32(0)];
    seven.call(&mut store, &[], &mut results)?;
    let v = results[0];
    add.call(&mut store, &[v, v], &mut results)?;
    let sum = results[0].i32().unwrap();
    assert_eq!(sum, 14);
    Ok(format!("{sum}"))
}
