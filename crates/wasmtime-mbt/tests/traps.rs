//! Traps: each kind of wasm trap surfaces as an `Error` whose root cause is
//! the exact `Trap`, with Wasmtime's message, and a `WasmBacktrace` whose
//! frames carry names from the name section; the store stays usable after a
//! trap.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime_mbt::*;

/// Instantiates `wat` in a fresh default store and calls the `() -> ()`
/// export `name`, which must fail; returns the error.
fn call_err(wat: &str, name: &str) -> Error {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance.get_typed_func::<(), ()>(&mut store, name).unwrap();
    f.call(&mut store, ()).expect_err("the call should trap")
}

#[track_caller]
fn assert_trap(err: &Error, code: Trap) {
    assert_eq!(err.downcast_ref::<Trap>(), Some(&code), "wrong trap code in {err:?}");
    assert!(err.root_cause().is::<Trap>(), "the trap should be the root cause: {err:?}");
    assert_eq!(err.root_cause().to_string(), code.to_string());
    assert!(!err.to_string().is_empty());
}

/// The frames of the error's `WasmBacktrace`.
#[track_caller]
fn frames(err: &Error) -> &[FrameInfo] {
    err.downcast_ref::<WasmBacktrace>().expect("a trap from wasm has a backtrace").frames()
}

#[test]
fn unreachable_has_code_message_and_named_frames() {
    let err = call_err(
        r#"(module $my_mod
            (func $outer (export "run") call $middle)
            (func $middle call $inner)
            (func $inner unreachable))"#,
        "run",
    );
    assert_trap(&err, Trap::UnreachableCodeReached);
    assert!(format!("{err:?}").contains("unreachable"), "{err:?}");
    assert!(err.root_cause().to_string().contains("unreachable"), "{err:?}");

    let trace = frames(&err);
    assert_eq!(trace.len(), 3, "{trace:?}");
    let names: Vec<_> = trace.iter().map(|f| f.func_name()).collect();
    assert_eq!(names, [Some("inner"), Some("middle"), Some("outer")], "innermost frame first");
    let indices: Vec<_> = trace.iter().map(|f| f.func_index()).collect();
    assert_eq!(indices, [2, 1, 0]);
    for frame in trace {
        assert_eq!(frame.module_name(), Some("my_mod"));
        assert!(frame.module_offset().unwrap() > 0);
        assert!(frame.func_offset().is_some());
    }
    // As in `wasmtime`: the backtrace is the outermost message, and shows
    // each frame.
    let shown = err.to_string();
    assert!(shown.starts_with("error while executing at wasm backtrace:"), "{shown}");
    assert!(shown.contains("my_mod!inner") && shown.contains("my_mod!outer"), "{shown}");
}

#[test]
fn frames_without_names_have_none() {
    let err = call_err(r#"(module (func (export "f") unreachable))"#, "f");
    assert_trap(&err, Trap::UnreachableCodeReached);
    let frame = &frames(&err)[0];
    assert_eq!(frame.func_index(), 0);
    assert_eq!(frame.module_name(), None);
    // The export name may be used as a fallback, but never a wrong name.
    assert!(matches!(frame.func_name(), None | Some("f")), "{frame:?}");
}

#[test]
fn integer_divide_by_zero_and_overflow() {
    let wat = r#"(module
        (func (export "div0") (drop (i32.div_s (i32.const 1) (i32.const 0))))
        (func (export "rem0") (drop (i64.rem_u (i64.const 1) (i64.const 0))))
        (func (export "ovf") (drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))))"#;
    assert_trap(&call_err(wat, "div0"), Trap::IntegerDivisionByZero);
    assert_trap(&call_err(wat, "rem0"), Trap::IntegerDivisionByZero);
    assert_trap(&call_err(wat, "ovf"), Trap::IntegerOverflow);
}

#[test]
fn bad_float_to_int_conversion() {
    let err = call_err(r#"(module (func (export "f") (drop (i32.trunc_f32_s (f32.const nan)))))"#, "f");
    assert_trap(&err, Trap::BadConversionToInteger);
}

#[test]
fn memory_out_of_bounds() {
    let wat = r#"(module (memory 1)
        (func (export "load") (drop (i32.load (i32.const 65536))))
        (func (export "store") (i64.store (i32.const 65532) (i64.const 1)))
        (func (export "ok") (drop (i32.load (i32.const 65532)))))"#;
    assert_trap(&call_err(wat, "load"), Trap::MemoryOutOfBounds);
    assert_trap(&call_err(wat, "store"), Trap::MemoryOutOfBounds);
}

#[test]
fn stack_overflow_from_infinite_recursion() {
    let err = call_err(
        r#"(module (func $rec (export "rec") (call $rec)))"#,
        "rec",
    );
    assert_trap(&err, Trap::StackOverflow);
}

#[test]
fn stack_overflow_with_small_max_wasm_stack() {
    let engine = Engine::new(Config::new().max_wasm_stack(64 * 1024)).unwrap();
    let module = Module::new(
        &engine,
        r#"(module (func $rec (export "rec") (param i32) (result i32)
            local.get 0 i32.eqz
            if (result i32) i32.const 0
            else local.get 0 i32.const 1 i32.sub call $rec i32.const 1 i32.add end))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let rec = instance.get_typed_func::<i32, i32>(&mut store, "rec").unwrap();
    assert_eq!(rec.call(&mut store, 10).unwrap(), 10);
    let err = rec.call(&mut store, 10_000_000).unwrap_err();
    assert_trap(&err, Trap::StackOverflow);
    // The store survives the overflow.
    assert_eq!(rec.call(&mut store, 100).unwrap(), 100);
}

#[test]
fn indirect_calls_null_bad_signature_and_out_of_bounds() {
    let wat = r#"(module
        (type $v (func))
        (table 3 funcref)
        (elem (i32.const 1) $takes_i32)
        (func $takes_i32 (param i32))
        (func (export "null") (call_indirect (type $v) (i32.const 0)))
        (func (export "sig") (call_indirect (type $v) (i32.const 1)))
        (func (export "oob") (call_indirect (type $v) (i32.const 7))))"#;
    assert_trap(&call_err(wat, "null"), Trap::IndirectCallToNull);
    assert_trap(&call_err(wat, "sig"), Trap::BadSignature);
    assert_trap(&call_err(wat, "oob"), Trap::TableOutOfBounds);
}

#[test]
fn out_of_fuel() {
    let engine = Engine::new(Config::new().consume_fuel(true)).unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "spin") (loop br 0))
            (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();

    store.set_fuel(10_000).unwrap();
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_trap(&err, Trap::OutOfFuel);
    assert_eq!(store.get_fuel().unwrap(), 0);

    // Without fuel even a trivial function cannot run...
    assert_trap(&add.call(&mut store, (1, 2)).unwrap_err(), Trap::OutOfFuel);
    // ...and with fuel it runs and consumes some.
    store.set_fuel(1_000).unwrap();
    assert_eq!(add.call(&mut store, (1, 2)).unwrap(), 3);
    let left = store.get_fuel().unwrap();
    assert!(left < 1_000 && left > 0, "fuel left: {left}");
}

#[test]
fn fuel_requires_consume_fuel() {
    let mut store = Store::new(&Engine::default(), ());
    assert!(store.set_fuel(1).is_err());
    assert!(store.get_fuel().is_err());
}

#[test]
fn epoch_interrupt_from_another_thread() {
    let engine = Engine::new(Config::new().epoch_interruption(true)).unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "spin") (loop br 0))
            (func (export "one") (result i32) i32.const 1))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let one = instance.get_typed_func::<(), i32>(&mut store, "one").unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let ticker = {
        let engine = engine.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
                engine.increment_epoch();
            }
        })
    };
    let err = spin.call(&mut store, ()).unwrap_err();
    done.store(true, Ordering::SeqCst);
    ticker.join().unwrap();
    assert_trap(&err, Trap::Interrupt);

    // A fresh deadline lets the store run again.
    store.set_epoch_deadline(1_000_000);
    assert_eq!(one.call(&mut store, ()).unwrap(), 1);
}

#[test]
fn trap_in_start_function_fails_instantiation() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func $s unreachable) (start $s))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let err = Instance::new(&mut store, &module, &[]).unwrap_err();
    assert_trap(&err, Trap::UnreachableCodeReached);
}

#[test]
fn store_is_usable_after_a_trap() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory (export "m") 1)
            (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let div = instance.get_typed_func::<(i32, i32), i32>(&mut store, "div").unwrap();
    for _ in 0..3 {
        assert_trap(&div.call(&mut store, (1, 0)).unwrap_err(), Trap::IntegerDivisionByZero);
        assert_eq!(div.call(&mut store, (9, 3)).unwrap(), 3);
    }
}

#[test]
fn dynamic_call_trap_is_error_trap() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f") (param i32) unreachable))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance.get_func(&mut store, "f").unwrap();
    let err = f.call(&mut store, &[Val::I32(0)], &mut []).unwrap_err();
    assert_trap(&err, Trap::UnreachableCodeReached);
    assert_eq!(frames(&err).len(), 1);
}

#[test]
fn non_trap_errors_have_no_trap_code() {
    let err = Error::msg("plain");
    assert_eq!(err.downcast_ref::<Trap>(), None);
    assert!(err.downcast_ref::<WasmBacktrace>().is_none());
    let err = Module::new(&Engine::default(), "(module (func i32.bogus))").unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), None);
    assert!(err.downcast_ref::<WasmBacktrace>().is_none());
}

#[test]
fn trap_from_code_round_trips_every_code() {
    for code in [
        Trap::StackOverflow,
        Trap::MemoryOutOfBounds,
        Trap::HeapMisaligned,
        Trap::TableOutOfBounds,
        Trap::IndirectCallToNull,
        Trap::BadSignature,
        Trap::IntegerOverflow,
        Trap::IntegerDivisionByZero,
        Trap::BadConversionToInteger,
        Trap::UnreachableCodeReached,
        Trap::Interrupt,
        Trap::OutOfFuel,
        Trap::NullReference,
    ] {
        assert_eq!(Trap::from_u8(code as u8), Some(code));
        assert!(code.to_string().starts_with("wasm trap: "), "{code}");
        let err = Error::from(code);
        assert_eq!(err.downcast_ref::<Trap>(), Some(&code));
        assert_eq!(err.to_string(), code.to_string());
    }
}
