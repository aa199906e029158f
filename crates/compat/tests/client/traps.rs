// Traps: each common trap is an `Err` from the call whose message names the
// cause, the instance stays usable, and start-function traps fail
// instantiation. (Matching on `Trap` values with `downcast_ref::<Trap>()`
// is in `tests/client-pending/`.)
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// Whether `err`, with everything it wraps, mentions `text`.
fn mentions(err: &Error, text: &str) -> bool {
    format!("{err:?}").contains(text)
}

/// Runs the export `name` of a fresh instance of `wat` with no arguments
/// and says whether it trapped with a message mentioning `text`.
fn trap_of(wat: &str, name: &str, text: &str) -> Result<bool> {
    let engine = Engine::default();
    let module = Module::new(&engine, wat)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let func = instance.get_func(&mut store, name).expect("the export");
    let mut results = vec![Val::I32(0); 1];
    let err = func.call(&mut store, &[], &mut results).expect_err("a trap");
    assert!(mentions(&err, text), "{err:?}");
    Ok(mentions(&err, text))
}

/// `unreachable`.
pub fn trap_unreachable() -> Result<String> {
    let hit = trap_of(r#"(module (func (export "f") (result i32) unreachable))"#, "f", "unreachable")?;
    Ok(format!("{hit}"))
}

/// Integer division by zero and signed overflow.
pub fn trap_integer_division() -> Result<String> {
    let zero = trap_of(
        r#"(module (func (export "f") (result i32) i32.const 1 i32.const 0 i32.div_u))"#,
        "f",
        "integer divide by zero",
    )?;
    let overflow = trap_of(
        r#"(module (func (export "f") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s))"#,
        "f",
        "integer overflow",
    )?;
    Ok(format!("{zero} {overflow}"))
}

/// Out-of-bounds memory access.
pub fn trap_memory_out_of_bounds() -> Result<String> {
    let hit = trap_of(
        r#"(module (memory 1) (func (export "f") (result i32) i32.const 65536 i32.load))"#,
        "f",
        "out of bounds memory access",
    )?;
    Ok(format!("{hit}"))
}

/// Float-to-int conversion of NaN and of a too-large value.
pub fn trap_bad_conversion() -> Result<String> {
    let nan = trap_of(
        r#"(module (func (export "f") (result i32) f32.const nan i32.trunc_f32_s))"#,
        "f",
        "invalid conversion to integer",
    )?;
    let big = trap_of(
        r#"(module (func (export "f") (result i32) f64.const 1e100 i32.trunc_f64_s))"#,
        "f",
        "integer overflow",
    )?;
    Ok(format!("{nan} {big}"))
}

/// Unbounded recursion exhausts the wasm stack; the store survives it.
pub fn trap_stack_overflow() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func $f (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $f)
            (func (export "ok") (result i32) i32.const 1))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_typed_func::<i32, i32>(&mut store, "f")?;
    let err = f.call(&mut store, 0).unwrap_err();
    let exhausted = mentions(&err, "call stack exhausted");
    assert!(exhausted, "{err:?}");
    let ok = instance.get_typed_func::<(), i32>(&mut store, "ok")?.call(&mut store, ())?;
    assert_eq!(ok, 1);
    Ok(format!("{exhausted} {ok}"))
}

/// `call_indirect` of a null entry, of a wrong signature and out of bounds.
pub fn trap_call_indirect() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (type $i (func (result i32)))
            (type $v (func))
            (table 3 funcref)
            (elem (i32.const 0) $one)
            (func $one (result i32) i32.const 1)
            (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $i))
            (func (export "call_v") (param i32) local.get 0 call_indirect (type $v)))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let call = instance.get_typed_func::<i32, i32>(&mut store, "call")?;
    let call_v = instance.get_typed_func::<i32, ()>(&mut store, "call_v")?;
    let one = call.call(&mut store, 0)?;
    let null = mentions(&call.call(&mut store, 1).unwrap_err(), "uninitialized element");
    let bounds = mentions(&call.call(&mut store, 5).unwrap_err(), "undefined element");
    let mismatch = mentions(&call_v.call(&mut store, 0).unwrap_err(), "indirect call type mismatch");
    assert_eq!(one, 1);
    assert!(null && bounds && mismatch, "{null} {bounds} {mismatch}");
    Ok(format!("{one} {null} {bounds} {mismatch}"))
}

/// A trap in the start function fails `Instance::new`.
pub fn trap_in_start_function() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func $start unreachable) (start $start))"#)?;
    let mut store = Store::new(&engine, ());
    let err = Instance::new(&mut store, &module, &[]).unwrap_err();
    let hit = mentions(&err, "unreachable");
    assert!(hit, "{err:?}");
    Ok(format!("{hit}"))
}

/// A trap in wasm called from a host function called from wasm unwinds
/// through the host function back to the outer caller.
pub fn trap_through_host() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "call_back", |mut caller: Caller<'_, ()>| -> Result<()> {
        let boom = caller.get_export("boom").unwrap().into_func().unwrap();
        boom.call(&mut caller, &[], &mut [])
    })?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "call_back" (func $cb))
            (func (export "boom") unreachable)
            (func (export "run") call $cb))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let err = instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ()).unwrap_err();
    let hit = mentions(&err, "unreachable");
    assert!(hit, "{err:?}");
    Ok(format!("{hit}"))
}
