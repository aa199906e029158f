//! Faults (issue 9): wasm and host code failing in every way we know, each
//! surviving as an `Err` with the right code or message, and the store
//! usable afterwards.
//!
//! Faults survived: 9 — stack overflow (wasm recursion), stack overflow
//! through host frames, infinite loop stopped by fuel, infinite loop stopped
//! by an epoch bump from another thread, host closure panic (`Func::wrap`),
//! host closure panic (`Func::new`), host closure `Err`, a trap inside nested
//! host→wasm→host calls propagating its code, a nested host panic.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime_mbt::*;

/// The message of the panic `f` must raise (a host panic is resumed in the
/// caller once C has returned, as in `wasmtime`).
#[track_caller]
fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).err().expect("expected a panic");
    payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned()).unwrap_or_else(|| "<non-string payload>".into())
}

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#;

#[track_caller]
fn assert_usable<T: 'static>(store: &mut Store<T>) {
    let module = Module::new(store.engine(), ADD).unwrap();
    let instance = Instance::new(&mut *store, &module, &[]).unwrap();
    let add = instance.get_typed_func::<(i32, i32), i32>(&mut *store, "add").unwrap();
    assert_eq!(add.call(&mut *store, (40, 2)).unwrap(), 42);
}

fn instance<T: 'static>(store: &mut Store<T>, linker: &Linker<T>, wat: &str) -> Instance {
    let module = Module::new(store.engine(), wat).unwrap();
    linker.instantiate(store, &module).unwrap()
}

#[test]
fn stack_overflow_traps_and_the_store_survives() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let i = instance(&mut store, &Linker::new(&engine), r#"(module (func $f (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $f))"#);
    let f = i.get_typed_func::<i32, i32>(&mut store, "f").unwrap();
    for _ in 0..3 {
        let err = f.call(&mut store, 0).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::StackOverflow), "{err:?}");
    }
    assert_usable(&mut store);
}

#[test]
fn stack_overflow_through_host_frames_traps() {
    // wasm -> host -> wasm -> host ... until the wasm stack limit is hit.
    let engine = Engine::new(Config::new().max_wasm_stack(256 * 1024)).unwrap();
    let mut linker = Linker::<u32>::new(&engine);
    linker
        .func_wrap("host", "again", |mut caller: Caller<'_, u32>| -> Result<()> {
            *caller.data_mut() += 1;
            let f = caller.get_export("f").and_then(Extern::into_func).unwrap();
            f.call(&mut caller, &[], &mut [])
        })
        .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let i = instance(&mut store, &linker, r#"(module (import "host" "again" (func $again)) (func (export "f") call $again))"#);
    let f = i.get_typed_func::<(), ()>(&mut store, "f").unwrap();
    let err = f.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::StackOverflow), "{err:?}");
    assert!(*store.data() > 10, "recursed {} times", store.data());
    assert_usable(&mut store);
}

const SPIN: &str = r#"(module (func (export "spin") (loop br 0)))"#;

#[test]
fn infinite_loop_is_stopped_by_fuel() {
    let engine = Engine::new(Config::new().consume_fuel(true)).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(100_000).unwrap();
    let i = instance(&mut store, &Linker::new(&engine), SPIN);
    let spin = i.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel), "{err:?}");
    assert_eq!(store.get_fuel().unwrap(), 0);
    store.set_fuel(100_000).unwrap();
    assert_usable(&mut store);
}

#[test]
fn infinite_loop_is_stopped_by_an_epoch_from_another_thread() {
    let engine = Engine::new(Config::new().epoch_interruption(true)).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);
    let i = instance(&mut store, &Linker::new(&engine), SPIN);
    let spin = i.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let ticker = std::thread::spawn({
        let (engine, done) = (engine.clone(), done.clone());
        move || {
            // Bounded: at most 10 s of ticking.
            for _ in 0..1000 {
                if done.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
                engine.increment_epoch();
            }
        }
    });
    let start = Instant::now();
    let err = spin.call(&mut store, ()).unwrap_err();
    done.store(true, Ordering::SeqCst);
    ticker.join().unwrap();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(10));
    store.set_epoch_deadline(1_000_000);
    assert_usable(&mut store);
}

#[test]
fn host_panic_is_resumed_in_the_caller() {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("host", "boom", |x: i32| -> i32 { panic!("kaboom {x}") }).unwrap();
    linker
        .func_new("host", "boom_dyn", FuncType::new(&engine, [], []), |_, _, _| -> Result<()> { std::panic::panic_any(String::from("dynamic kaboom")) })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let i = instance(
        &mut store,
        &linker,
        r#"(module (import "host" "boom" (func $b (param i32) (result i32))) (import "host" "boom_dyn" (func $d))
            (func (export "run") (result i32) i32.const 7 call $b)
            (func (export "run_dyn") call $d))"#,
    );
    let run = i.get_typed_func::<(), i32>(&mut store, "run").unwrap();
    for _ in 0..3 {
        assert_eq!(panic_of(|| run.call(&mut store, ())), "kaboom 7");
        // Through the dynamic call (its fast path) as well.
        let dynamic = i.get_func(&mut store, "run").unwrap();
        assert_eq!(panic_of(|| dynamic.call(&mut store, &[], &mut [Val::I32(0)])), "kaboom 7");
    }
    let run_dyn = i.get_func(&mut store, "run_dyn").unwrap();
    assert_eq!(panic_of(|| run_dyn.call(&mut store, &[], &mut [])), "dynamic kaboom");
    // A panicking host func called directly from Rust, too.
    let direct = Func::wrap(&mut store, || -> () { panic!("direct") });
    assert_eq!(panic_of(|| direct.call(&mut store, &[], &mut [])), "direct");
    assert_usable(&mut store);
}

#[test]
fn host_error_becomes_a_trap_with_its_message_or_code() {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("host", "fail", |x: i32| -> Result<i32> { bail!("refused {x}") }).unwrap();
    linker.func_wrap("host", "code", || -> Result<()> { Err(Trap::IntegerOverflow.into()) }).unwrap();
    let mut store = Store::new(&engine, ());
    let i = instance(
        &mut store,
        &linker,
        r#"(module (import "host" "fail" (func $f (param i32) (result i32))) (import "host" "code" (func $c))
            (func (export "run") (result i32) i32.const 3 call $f)
            (func (export "code") call $c))"#,
    );
    let err = i.get_typed_func::<(), i32>(&mut store, "run").unwrap().call(&mut store, ()).unwrap_err();
    assert_eq!(err.root_cause().to_string(), "refused 3", "{err:?}");
    let err = i.get_typed_func::<(), ()>(&mut store, "code").unwrap().call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerOverflow), "{err:?}");
    assert_usable(&mut store);
}

/// host `outer` calls wasm `inner`, which calls host `leaf`; `leaf` does
/// what `Leaf` says.
const NESTED: &str = r#"(module
    (import "host" "outer" (func $outer (param i32) (result i32)))
    (import "host" "leaf" (func $leaf (param i32) (result i32)))
    (func (export "start") (param i32) (result i32) local.get 0 call $outer)
    (func (export "inner") (param i32) (result i32) local.get 0 call $leaf)
    (func (export "div") (param i32) (result i32) i32.const 10 local.get 0 i32.div_s))"#;

fn nested_linker(engine: &Engine) -> Linker<Vec<&'static str>> {
    let mut linker = Linker::<Vec<&'static str>>::new(engine);
    linker
        .func_wrap("host", "outer", |mut caller: Caller<'_, Vec<&'static str>>, x: i32| -> Result<i32> {
            caller.data_mut().push("outer");
            let inner = caller.get_export("inner").and_then(Extern::into_func).unwrap();
            let inner = inner.typed::<i32, i32>(&caller)?;
            let r = inner.call(&mut caller, x);
            caller.data_mut().push(if r.is_ok() { "outer ok" } else { "outer saw err" });
            r
        })
        .unwrap();
    linker
        .func_wrap("host", "leaf", |mut caller: Caller<'_, Vec<&'static str>>, x: i32| -> Result<i32> {
            caller.data_mut().push("leaf");
            match x {
                0 => {
                    // A wasm trap with a code, deep inside.
                    let div = caller.get_export("div").and_then(Extern::into_func).unwrap();
                    div.typed::<i32, i32>(&caller)?.call(&mut caller, 0)
                }
                1 => panic!("leaf panicked"),
                _ => Ok(x * 2),
            }
        })
        .unwrap();
    linker
}

#[test]
fn trap_in_nested_host_wasm_host_calls_keeps_its_code() {
    let engine = Engine::default();
    let linker = nested_linker(&engine);
    let mut store = Store::new(&engine, Vec::new());
    let i = instance(&mut store, &linker, NESTED);
    let start = i.get_typed_func::<i32, i32>(&mut store, "start").unwrap();
    assert_eq!(start.call(&mut store, 21).unwrap(), 42);
    store.data_mut().clear();
    let err = start.call(&mut store, 0).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerDivisionByZero), "{err:?}");
    assert_eq!(*store.data(), ["outer", "leaf", "outer saw err"]);
    assert_eq!(start.call(&mut store, 5).unwrap(), 10);
    assert_usable(&mut store);
}

#[test]
fn nested_host_panic_is_resumed_at_each_level() {
    let engine = Engine::default();
    let linker = nested_linker(&engine);
    let mut store = Store::new(&engine, Vec::new());
    let i = instance(&mut store, &linker, NESTED);
    let start = i.get_typed_func::<i32, i32>(&mut store, "start").unwrap();
    // As in `wasmtime`: resumed in `outer` (its `call` of `inner`
    // panics, so it sees no error), then again in the caller of `start`.
    assert_eq!(panic_of(|| start.call(&mut store, 1)), "leaf panicked");
    assert_eq!(*store.data(), ["outer", "leaf"]);
    assert_eq!(start.call(&mut store, 4).unwrap(), 8);
    assert_usable(&mut store);
}
