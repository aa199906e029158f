//! Async calls: `CallFuture` from `Func`/`TypedFunc::call_async`, async
//! instantiation, fuel and epoch yielding, cancellation, and async host
//! functions.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use std::time::Duration;

use wasmtime_mbt::*;

const MIXED: &str = r#"(module
    (func (export "mix") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
        local.get 3 f64.const 0.5 f64.add
        local.get 2 f32.const 2 f32.mul
        local.get 1 i64.const 1 i64.sub
        local.get 0 i32.const 1 i32.add)
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "spin") (loop br 0))
    (func (export "count") (param i32) (result i32)
        (loop
            local.get 0 i32.const 1 i32.sub local.tee 0
            br_if 0)
        i32.const 7)
    (func (export "boom") unreachable)
    (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
    (func (export "id_ext") (param externref) (result externref) local.get 0))"#;

fn setup(engine: &Engine) -> (Store<()>, Instance) {
    let module = Module::new(engine, MIXED).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine).instantiate_async(&mut store, &module).wait().unwrap();
    (store, instance)
}

fn fuel_engine() -> Engine {
    Engine::new(Config::new().consume_fuel(true)).unwrap()
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn mixed_params_and_results() {
    let engine = Engine::default();
    let (mut store, instance) = setup(&engine);

    // Typed, through pollster.
    let mix = instance.get_typed_func::<(i32, i64, f32, f64), (f64, f32, i64, i32)>(&mut store, "mix").unwrap();
    let future = mix.call_async(&mut store, (41, -5, 1.25, 2.0));
    assert_send(&future);
    assert_eq!(pollster::block_on(future).unwrap(), (2.5, 2.5, -6, 42));

    // Dynamic, with `wait`.
    let func = instance.get_func(&mut store, "mix").unwrap();
    let params = [Val::I32(i32::MAX), Val::I64(i64::MIN + 1), Val::from(-3.0f32), Val::from(1e300f64)];
    let mut results = [Val::I32(0), Val::I32(0), Val::I32(0), Val::I32(0)];
    func.call_async(&mut store, &params, &mut results).wait().unwrap();
    // The wrong number of result slots fails from the first poll.
    let err = func.call_async(&mut store, &params, &mut [Val::I32(0)]).wait().unwrap_err();
    assert!(err.to_string().contains("expected 4 results, got 1"), "{err}");
    assert_eq!(results[0].f64(), Some(1e300 + 0.5));
    assert_eq!(results[1].f32(), Some(-6.0));
    assert_eq!(results[2].i64(), Some(i64::MIN));
    assert_eq!(results[3].i32(), Some(i32::MIN));

    // By hand: a call that never yields finishes in one poll.
    let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
    let mut call = add.call_async(&mut store, (2, 3));
    assert!(!call.is_finished());
    assert!(call.poll_once());
    assert!(call.is_finished());
    assert!(call.poll_once(), "stays finished");
    assert_eq!(call.wait().unwrap(), 5);

    // The sync API still works on this store.
    assert_eq!(add.call(&mut store, (1, 1)).unwrap(), 2);
}

#[test]
fn references_round_trip() {
    let engine = Engine::default();
    let (mut store, instance) = setup(&engine);
    let id = instance.get_func(&mut store, "id_ext").unwrap();
    let r = ExternRef::new(&mut store, 1234u64).unwrap();
    let mut out = [Val::ExternRef(None)];
    id.call_async(&mut store, &[Val::ExternRef(Some(r))], &mut out).wait().unwrap();
    let back = out[0].externref().unwrap().unwrap();
    assert_eq!(back.data(&store).unwrap().unwrap().downcast_ref::<u64>(), Some(&1234));

    let typed = id.typed::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&store).unwrap();
    let r = ExternRef::new(&mut store, "typed").unwrap();
    let back = typed.call_async(&mut store, Some(r)).wait().unwrap().unwrap();
    assert_eq!(back.data(&store).unwrap().unwrap().downcast_ref::<&str>(), Some(&"typed"));
    assert!(typed.call_async(&mut store, None).wait().unwrap().is_none());
}

#[test]
fn fuel_yields_cancel_and_reuse() {
    let engine = fuel_engine();
    let module = Module::new(&engine, MIXED).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(1 << 40).unwrap();
    store.fuel_async_yield_interval(Some(1_000)).unwrap();
    let instance = Linker::new(&engine).instantiate_async(&mut store, &module).wait().unwrap();
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();

    let before = store.get_fuel().unwrap();
    let mut call = spin.call_async(&mut store, ());
    for _ in 0..100 {
        assert!(!call.poll_once(), "an infinite loop must keep yielding");
    }
    drop(call); // cancels the call
    let used = before - store.get_fuel().unwrap();
    assert!(used >= 100 * 1_000, "fuel used: {used}");

    // The store runs further calls fine.
    assert_eq!(add.call_async(&mut store, (20, 22)).wait().unwrap(), 42);
    let func = instance.get_func(&mut store, "add").unwrap();
    let mut sum = [Val::I32(0)];
    pollster::block_on(func.call_async(&mut store, &[Val::I32(1), Val::I32(2)], &mut sum)).unwrap();
    assert_eq!(sum[0].i32(), Some(3));
    // ... but only async ones, once it yields.
    let err = func.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut [Val::I32(0)]).unwrap_err();
    assert!(err.to_string().contains("_async"), "{err}");

    // Cancelling twice in a row, and after a partial run, also works.
    for _ in 0..3 {
        let mut call = spin.call_async(&mut store, ());
        assert!(!call.poll_once());
    }
    // A bounded loop yields several times, then finishes with its result.
    let count = instance.get_typed_func::<i32, i32>(&mut store, "count").unwrap();
    let mut call = count.call_async(&mut store, 100_000);
    let mut pending = 0;
    while !call.poll_once() {
        pending += 1;
    }
    assert!(pending > 10, "pending polls: {pending}");
    assert_eq!(call.wait().unwrap(), 7);
}

#[test]
fn fuel_runs_out_with_yielding() {
    let engine = fuel_engine();
    let (mut store, instance) = setup(&engine);
    store.set_fuel(50_000).unwrap();
    store.as_context_mut().fuel_async_yield_interval(Some(1_000)).unwrap();
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let err = spin.call_async(&mut store, ()).wait().unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel), "{err:?}");
    store.set_fuel(10_000).unwrap();
    let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
    assert_eq!(add.call_async(&mut store, (1, 2)).wait().unwrap(), 3);
}

#[test]
fn fuel_async_yield_interval_errors() {
    let mut store = Store::new(&Engine::default(), ());
    let err = store.fuel_async_yield_interval(Some(100)).unwrap_err();
    assert!(err.to_string().contains("fuel is not configured"), "{err}");
    let mut store = Store::new(&fuel_engine(), ());
    assert!(store.fuel_async_yield_interval(Some(0)).is_err());
    store.fuel_async_yield_interval(Some(10)).unwrap();
    store.fuel_async_yield_interval(None).unwrap();
}

#[test]
fn epoch_yields_from_another_thread() {
    let engine = Engine::new(Config::new().epoch_interruption(true)).unwrap();
    let (mut store, instance) = setup(&engine);
    store.set_epoch_deadline(1);
    store.epoch_deadline_async_yield_and_update(1);

    let stop = Arc::new(AtomicBool::new(false));
    let ticker = {
        let (engine, stop) = (engine.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1));
                engine.increment_epoch();
            }
        })
    };

    // An infinite loop yields at every tick; cancel it after a few.
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let mut call = spin.call_async(&mut store, ());
    for _ in 0..5 {
        assert!(!call.poll_once());
    }
    drop(call);

    // A long bounded loop yields and still computes its result.
    let count = instance.get_typed_func::<i32, i32>(&mut store, "count").unwrap();
    let mut call = count.call_async(&mut store, 300_000_000);
    let mut pending = 0;
    while !call.poll_once() {
        pending += 1;
    }
    assert_eq!(call.wait().unwrap(), 7);
    stop.store(true, Ordering::Relaxed);
    ticker.join().unwrap();
    assert!(pending >= 1, "expected at least one epoch yield");

    let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
    assert_eq!(add.call_async(&mut store, (2, 2)).wait().unwrap(), 4);
}

#[test]
fn traps_carry_their_code() {
    let engine = Engine::default();
    let (mut store, instance) = setup(&engine);
    let boom = instance.get_typed_func::<(), ()>(&mut store, "boom").unwrap();
    let err = boom.call_async(&mut store, ()).wait().unwrap_err();
    assert!(err.root_cause().is::<Trap>(), "{err:?}");
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));

    let div = instance.get_func(&mut store, "div").unwrap();
    let mut ok = [Val::I32(0)];
    let err = pollster::block_on(div.call_async(&mut store, &[Val::I32(1), Val::I32(0)], &mut ok)).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerDivisionByZero));
    div.call_async(&mut store, &[Val::I32(9), Val::I32(3)], &mut ok).wait().unwrap();
    assert_eq!(ok[0].i32(), Some(3));
}

#[test]
fn failed_starts_are_errors() {
    let engine = Engine::default();
    let (mut store, instance) = setup(&engine);
    let (mut other, other_instance) = setup(&engine);
    let add = instance.get_func(&mut store, "add").unwrap();

    // Wrong arity: an `Err` from the first poll, which finishes the future.
    let mut sum = [Val::I32(0)];
    let mut call = add.call_async(&mut store, &[Val::I32(1)], &mut sum);
    assert!(call.poll_once());
    assert!(call.is_finished());
    let err = call.wait().unwrap_err();
    assert!(err.to_string().contains("expected 2 arguments, got 1"), "{err}");
    // Wrong argument type: an `Err` from Wasmtime, through the future.
    let err = add.call_async(&mut store, &[Val::I32(1), Val::I64(2)], &mut sum).wait().unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), None, "{err:?}");
    // Wrong store: the function panics (as in `wasmtime`, where the first
    // poll does), a reference argument is an `Err`.
    let wrong_store = |f: &mut dyn FnMut()| {
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with the wrong store"));
    };
    wrong_store(&mut || drop(add.call_async(&mut other, &[Val::I32(1), Val::I32(2)], &mut sum).wait()));
    let typed = add.typed::<(i32, i32), i32>(&store).unwrap();
    wrong_store(&mut || drop(typed.call_async(&mut other, (1, 2)).wait()));
    let foreign = ExternRef::new(&mut other, ()).unwrap();
    let id = instance.get_func(&mut store, "id_ext").unwrap();
    assert!(id.call_async(&mut store, &[Val::ExternRef(Some(foreign))], &mut [Val::ExternRef(None)]).wait().is_err());
    let id_typed = id.typed::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&store).unwrap();
    assert!(id_typed.call_async(&mut store, Some(foreign)).wait().is_err());

    // Both stores still work.
    assert_eq!(typed.call_async(&mut store, (1, 2)).wait().unwrap(), 3);
    let other_add = other_instance.get_typed_func::<(i32, i32), i32>(&mut other, "add").unwrap();
    assert_eq!(other_add.call_async(&mut other, (3, 4)).wait().unwrap(), 7);

    // Instantiation failures.
    let needs_import = Module::new(&engine, r#"(module (import "host" "f" (func)))"#).unwrap();
    let linker = Linker::new(&engine);
    let err = linker.instantiate_async(&mut store, &needs_import).wait().unwrap_err();
    assert!(err.to_string().contains("host"), "{err}");
    let other_engine = Engine::default();
    let foreign_module = Module::new(&other_engine, "(module)").unwrap();
    assert!(linker.instantiate_async(&mut store, &foreign_module).wait().is_err());
    assert!(Linker::<()>::new(&other_engine).instantiate_async(&mut store, &Module::new(&engine, "(module)").unwrap()).wait().is_err());
    let start_traps = Module::new(&engine, r#"(module (func $s unreachable) (start $s))"#).unwrap();
    let err = linker.instantiate_async(&mut store, &start_traps).wait().unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));
}

#[test]
fn instance_pre_instantiate_async() {
    let engine = Engine::default();
    let module = Module::new(&engine, MIXED).unwrap();
    let pre = Linker::<u8>::new(&engine).instantiate_pre(&module).unwrap();
    for i in 0..3 {
        let mut store = Store::new(&engine, i);
        let instance = pollster::block_on(pre.instantiate_async(&mut store)).unwrap();
        let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
        assert_eq!(add.call_async(&mut store, (i as i32, 1)).wait().unwrap(), i as i32 + 1);
    }
    let mut foreign = Store::new(&Engine::default(), 0u8);
    assert!(pre.instantiate_async(&mut foreign).wait().is_err());
}

/// Ready with `value` after returning `Pending` `n` times; counts its polls.
struct After {
    n: u32,
    value: i32,
    polls: Arc<AtomicUsize>,
}

impl Future for After {
    type Output = Result<Vec<Val>>;
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        if self.n == 0 {
            return Poll::Ready(Ok(vec![Val::I32(self.value)]));
        }
        self.n -= 1;
        Poll::Pending
    }
}

/// Ready with the first message on `rx` (a `Receiver` polled without
/// wakeups); sets `dropped` when dropped.
struct Recv {
    rx: mpsc::Receiver<i32>,
    dropped: Arc<AtomicBool>,
}

impl Future for Recv {
    type Output = Result<Vec<Val>>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match self.rx.try_recv() {
            Ok(v) => Poll::Ready(Ok(vec![Val::I32(v)])),
            Err(mpsc::TryRecvError::Empty) => Poll::Pending,
            Err(mpsc::TryRecvError::Disconnected) => Poll::Ready(Err(Error::msg("sender gone"))),
        }
    }
}

impl Drop for Recv {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

struct Host {
    polls: Arc<AtomicUsize>,
    receivers: Vec<mpsc::Receiver<i32>>,
    dropped: Arc<AtomicBool>,
}

const IMPORTS: &str = r#"(module
    (import "host" "after" (func $after (param i32 i32) (result i32)))
    (import "host" "recv" (func $recv (result i32)))
    (import "host" "fail" (func $fail (param i32)))
    (import "host" "wrong" (func $wrong (result i32)))
    (import "host" "sync" (func $sync (param i32) (result i32)))
    (func (export "after") (param i32 i32) (result i32)
        local.get 0 local.get 1 call $after i32.const 1 i32.add)
    (func (export "recv") (result i32) call $recv)
    (func (export "fail") (param i32) local.get 0 call $fail)
    (func (export "wrong") (result i32) call $wrong)
    (func (export "sync_then_async") (param i32) (result i32)
        local.get 0 call $sync i32.const 0 call $after))"#;

fn host_linker(engine: &Engine) -> Linker<Host> {
    let mut linker = Linker::<Host>::new(engine);
    linker
        .func_new_async("host", "after", FuncType::new(engine, [ValType::I32, ValType::I32], [ValType::I32]), |caller, args| After {
            n: args[1].i32().unwrap() as u32,
            value: args[0].i32().unwrap(),
            polls: caller.data().polls.clone(),
        })
        .unwrap();
    linker
        .func_new_async("host", "recv", FuncType::new(engine, [], [ValType::I32]), |mut caller, _| Recv {
            rx: caller.data_mut().receivers.remove(0),
            dropped: caller.data().dropped.clone(),
        })
        .unwrap();
    linker
        .func_new_async("host", "fail", FuncType::new(engine, [ValType::I32], []), |_, args| {
            let how = args[0].i32().unwrap();
            if how == 0 {
                panic!("panic in the closure");
            }
            async move {
                match how {
                    1 => Err(Error::msg("error from the future")),
                    2 => panic!("panic in the future"),
                    _ => Err(Trap::IntegerOverflow.into()),
                }
            }
        })
        .unwrap();
    linker.func_new_async("host", "wrong", FuncType::new(engine, [], [ValType::I32]), |_, _| async { Ok(vec![Val::I64(1)]) }).unwrap();
    linker.func_wrap("host", "sync", |x: i32| x * 10).unwrap();
    linker
}

fn host_store(engine: &Engine) -> Store<Host> {
    Store::new(engine, Host { polls: Arc::default(), receivers: Vec::new(), dropped: Arc::default() })
}

#[test]
fn async_host_function_completes_after_n_polls() {
    let engine = Engine::default();
    let module = Module::new(&engine, IMPORTS).unwrap();
    let linker = host_linker(&engine);
    let mut store = host_store(&engine);
    let instance = linker.instantiate_async(&mut store, &module).wait().unwrap();
    let after = instance.get_typed_func::<(i32, i32), i32>(&mut store, "after").unwrap();

    for n in [0, 1, 5, 50] {
        let mut call = after.call_async(&mut store, (100, n));
        let mut pending = 0;
        while !call.poll_once() {
            pending += 1;
        }
        assert_eq!(pending, n);
        assert_eq!(call.wait().unwrap(), 101);
    }
    assert_eq!(store.data().polls.load(Ordering::SeqCst), 1 + 2 + 6 + 51);

    // Sync host functions still work inside an async call.
    let mixed = instance.get_typed_func::<i32, i32>(&mut store, "sync_then_async").unwrap();
    assert_eq!(pollster::block_on(mixed.call_async(&mut store, 4)).unwrap(), 40);

    // A store with async host functions needs the async entry points
    // (`TypedFunc::call` is refused too; see the test further down).
    let err = after.func().call(&mut store, &[Val::I32(1), Val::I32(0)], &mut [Val::I32(0)]).unwrap_err();
    assert!(err.to_string().contains("_async"), "{err}");
    let mut sync_store = host_store(&engine);
    assert!(linker.instantiate(&mut sync_store, &module).is_err());
}

/// `IMPORTS` instantiated with the async host functions of `host_linker`,
/// and its `recv` export.
fn async_host_instance() -> (Store<Host>, Instance, TypedFunc<(), i32>) {
    let engine = Engine::default();
    let module = Module::new(&engine, IMPORTS).unwrap();
    let linker = host_linker(&engine);
    let mut store = host_store(&engine);
    let instance = linker.instantiate_async(&mut store, &module).wait().unwrap();
    let recv = instance.get_typed_func::<(), i32>(&mut store, "recv").unwrap();
    (store, instance, recv)
}

#[test]
fn async_host_function_fed_by_another_thread() {
    let (mut store, _, recv) = async_host_instance();

    let (tx, rx) = mpsc::channel();
    store.data_mut().receivers.push(rx);
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        tx.send(77).unwrap();
    });
    let mut call = recv.call_async(&mut store, ());
    let mut pending = 0u64;
    while !call.poll_once() {
        pending += 1;
        std::thread::sleep(Duration::from_micros(100));
    }
    assert!(pending > 0);
    assert_eq!(call.wait().unwrap(), 77);
    sender.join().unwrap();
    assert!(store.data().dropped.load(Ordering::SeqCst));
}

#[test]
fn cancelling_a_pending_async_host_call_drops_its_future() {
    let (mut store, instance, recv) = async_host_instance();

    let (tx, rx) = mpsc::channel::<i32>();
    store.data_mut().receivers.push(rx);
    let mut call = recv.call_async(&mut store, ());
    for _ in 0..10 {
        assert!(!call.poll_once());
    }
    drop(call);
    assert!(store.data().dropped.load(Ordering::SeqCst), "cancelling must drop the host future");
    drop(tx);

    let after = instance.get_typed_func::<(i32, i32), i32>(&mut store, "after").unwrap();
    assert_eq!(after.call_async(&mut store, (1, 2)).wait().unwrap(), 2);
}

#[test]
fn async_host_function_failures_trap() {
    let (mut store, instance, _) = async_host_instance();
    let fail = instance.get_typed_func::<i32, ()>(&mut store, "fail").unwrap();

    // Host errors come back as the host's error with the wasm backtrace,
    // as from sync host functions.
    let err = fail.call_async(&mut store, 1).wait().unwrap_err();
    assert!(err.downcast_ref::<WasmBacktrace>().is_some(), "{err:?}");
    assert!(err.root_cause().to_string().contains("error from the future"), "{err:?}");
    // A panic (in the closure or its future) is resumed by the poll that
    // finishes the call, as `wasmtime`'s fiber resumes it in the poll.
    for (how, message) in [(0, "panic in the closure"), (2, "panic in the future")] {
        let mut call = fail.call_async(&mut store, how);
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call.poll_once())).unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&message));
        drop(call);
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fail.call_async(&mut store, how).wait())).unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&message));
    }
    let err = fail.call_async(&mut store, 3).wait().unwrap_err();
    assert!(err.downcast_ref::<WasmBacktrace>().is_some(), "{err:?}");
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerOverflow), "{err:?}");

    let wrong = instance.get_typed_func::<(), i32>(&mut store, "wrong").unwrap();
    let err = wrong.call_async(&mut store, ()).wait().unwrap_err();
    assert!(err.downcast_ref::<WasmBacktrace>().is_some(), "{err:?}");
    assert!(err.root_cause().to_string().contains("result 0 has type"), "{err:?}");

    // The store is fine afterwards.
    let after = instance.get_typed_func::<(i32, i32), i32>(&mut store, "after").unwrap();
    assert_eq!(after.call_async(&mut store, (5, 1)).wait().unwrap(), 6);
}

#[test]
fn typed_sync_call_in_a_store_with_async_host_functions_is_an_error_not_an_abort() -> Result<()> {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_new_async("host", "f", FuncType::new(&engine, [], [ValType::I32]), |_caller, _args| async { Ok(vec![Val::I32(7)]) })?;
    let module = Module::new(&engine, r#"(module (import "host" "f" (func $f (result i32)))
        (func (export "run") (result i32) call $f))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate_async(&mut store, &module).wait()?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
    let err = run.call(&mut store, ()).unwrap_err();
    // `wasmtime`'s message (`validate_sync_call`).
    assert_eq!(err.to_string(), "store configuration requires that `*_async` functions are used instead");
    assert_eq!(run.call_async(&mut store, ()).wait()?, 7);
    Ok(())
}

#[test]
fn typed_async_host_functions_get_caller_data_and_return_tuples_or_traps() -> Result<()> {
    let engine = Engine::default();
    let mut linker = Linker::<i64>::new(&engine);
    linker.func_wrap_async("host", "divmod", |caller: Caller<'_, i64>, (a, b): (i64, i64)| {
        let bias = *caller.data();
        async move {
            After { n: 3, value: 0, polls: Arc::default() }.await?;
            if b == 0 {
                return Err(Error::msg("division by zero in the host"));
            }
            Ok((a / b + bias, a % b))
        }
    })?;
    let module = Module::new(&engine, r#"(module (import "host" "divmod" (func $dm (param i64 i64) (result i64 i64)))
        (func (export "run") (param i64 i64) (result i64 i64) local.get 0 local.get 1 call $dm))"#)?;
    let mut store = Store::new(&engine, 100);
    let instance = linker.instantiate_async(&mut store, &module).wait()?;
    let run = instance.get_typed_func::<(i64, i64), (i64, i64)>(&mut store, "run")?;
    let mut future = run.call_async(&mut store, (17, 5));
    let mut pending = 0;
    while !future.poll_once() {
        pending += 1;
    }
    assert!(pending >= 3, "the host future yielded {pending} times");
    assert_eq!(future.wait()?, (103, 2));
    let err = run.call_async(&mut store, (1, 0)).wait().unwrap_err();
    assert!(err.downcast_ref::<WasmBacktrace>().is_some(), "{err:?}");
    assert_eq!(err.root_cause().to_string(), "division by zero in the host", "{err:?}");
    Ok(())
}
