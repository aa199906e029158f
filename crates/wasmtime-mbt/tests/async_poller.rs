//! Calls that own their store: `OwnedCallFuture`, `spawn_call`, `Poller`.

use std::sync::mpsc;
use std::time::Duration;

use wasmtime_mbt::*;

const WAT: &str = r#"(module
    (import "host" "recv" (func $recv (result i32)))
    (func (export "mul") (param i32 i64) (result i64)
        local.get 0 i64.extend_i32_s local.get 1 i64.mul)
    (func (export "spin") (loop br 0))
    (func (export "recv_plus") (param i32) (result i32) call $recv local.get 0 i32.add)
    (func (export "boom") unreachable))"#;

/// Store data: channels the `recv` host function reads from.
#[derive(Default)]
struct Data {
    id: i64,
    receivers: Vec<mpsc::Receiver<i32>>,
}

/// A future ready with the first message of `rx`.
struct Recv(mpsc::Receiver<i32>);

impl std::future::Future for Recv {
    type Output = Result<Vec<Val>>;
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        match self.0.try_recv() {
            Ok(v) => std::task::Poll::Ready(Ok(vec![Val::I32(v)])),
            Err(mpsc::TryRecvError::Empty) => std::task::Poll::Pending,
            Err(mpsc::TryRecvError::Disconnected) => std::task::Poll::Ready(Err(Error::msg("sender gone"))),
        }
    }
}

struct Env {
    engine: Engine,
    module: Module,
    linker: Linker<Data>,
}

fn env(fuel: bool) -> Env {
    let engine = Engine::new(Config::new().consume_fuel(fuel)).unwrap();
    let module = Module::new(&engine, WAT).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_new_async("host", "recv", FuncType::new(&engine, [], [ValType::I32]), |mut caller: Caller<'_, Data>, _: &[Val]| {
            Recv(caller.data_mut().receivers.remove(0))
        })
        .unwrap();
    Env { engine, module, linker }
}

impl Env {
    fn store(&self, id: i64) -> (Store<Data>, Instance) {
        let mut store = Store::new(&self.engine, Data { id, receivers: Vec::new() });
        if self.engine_has_fuel() {
            store.set_fuel(1 << 40).unwrap();
            store.fuel_async_yield_interval(Some(1_000)).unwrap();
        }
        let instance = self.linker.instantiate_async(&mut store, &self.module).wait().unwrap();
        (store, instance)
    }

    fn engine_has_fuel(&self) -> bool {
        Store::new(&self.engine, ()).set_fuel(1).is_ok()
    }
}

#[test]
fn poller_runs_100_calls_in_100_stores() {
    let env = env(false);
    let poller = Poller::new(Duration::from_micros(50));
    let mut handles = Vec::new();
    for i in 0..100 {
        let (mut store, instance) = env.store(i);
        if i % 2 == 0 {
            let mul = instance.get_typed_func::<(i32, i64), i64>(&mut store, "mul").unwrap();
            handles.push((i, Some(poller.submit(store, (mul, (i as i32, 3)))), None));
        } else {
            let mul = instance.get_func(&mut store, "mul").unwrap();
            handles.push((i, None, Some(poller.submit(store, (mul, vec![Val::I32(i as i32), Val::I64(-2)])))));
        }
    }
    for (i, typed, dynamic) in handles {
        if let Some(h) = typed {
            let (store, result) = h.join();
            assert_eq!(store.data().id, i);
            assert_eq!(result.unwrap(), i * 3);
        }
        if let Some(h) = dynamic {
            let (store, result) = h.join();
            assert_eq!(store.data().id, i);
            assert_eq!(result.unwrap()[0].i64(), Some(i * -2));
        }
    }
}

#[test]
fn poller_round_robin_with_waiting_host_calls() {
    let env = env(false);
    let poller = Poller::new(Duration::from_micros(100));
    let mut senders = Vec::new();
    let mut handles = Vec::new();
    for i in 0..20 {
        let (mut store, instance) = env.store(i);
        let (tx, rx) = mpsc::channel();
        store.data_mut().receivers.push(rx);
        senders.push(tx);
        let f = instance.get_typed_func::<i32, i32>(&mut store, "recv_plus").unwrap();
        handles.push(poller.submit(store, (f, i as i32)));
    }
    // Answer in reverse order from another thread: every job must wait.
    let feeder = std::thread::spawn(move || {
        for (i, tx) in senders.into_iter().enumerate().rev() {
            std::thread::sleep(Duration::from_millis(1));
            tx.send(1000 * i as i32).unwrap();
        }
    });
    let mut handles: Vec<_> = handles.into_iter().map(Some).collect();
    let mut done = 0;
    while done < handles.len() {
        for (i, slot) in handles.iter_mut().enumerate() {
            if let Some(handle) = slot.take() {
                match handle.try_join() {
                    Ok((store, result)) => {
                        assert_eq!(store.data().id, i as i64);
                        assert_eq!(result.unwrap(), 1001 * i as i32);
                        done += 1;
                    }
                    Err(handle) => *slot = Some(handle),
                }
            }
        }
        std::thread::yield_now();
    }
    feeder.join().unwrap();
    poller.finish();
}

#[test]
fn poller_drop_cancels_and_returns_stores() {
    let env = env(true);
    let poller = Poller::new(Duration::ZERO);
    let mut spinning = Vec::new();
    for i in 0..5 {
        let (mut store, instance) = env.store(i);
        let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
        spinning.push(poller.submit(store, (spin, ())));
    }
    // Round-robin: a quick job finishes although the spinning ones never do.
    let (mut store, instance) = env.store(99);
    let mul = instance.get_typed_func::<(i32, i64), i64>(&mut store, "mul").unwrap();
    let (_, result) = poller.submit(store, (mul, (6, 7))).join();
    assert_eq!(result.unwrap(), 42);

    drop(poller);
    for (i, handle) in spinning.into_iter().enumerate() {
        let (mut store, result) = handle.join();
        assert_eq!(store.data().id, i as i64);
        assert!(result.unwrap_err().to_string().contains("cancelled"));
        // The store is usable after the cancelled call.
        let instance = env.linker.instantiate_async(&mut store, &env.module).wait().unwrap();
        let mul = instance.get_typed_func::<(i32, i64), i64>(&mut store, "mul").unwrap();
        assert_eq!(mul.call_async(&mut store, (2, 21)).wait().unwrap(), 42);
    }
}

#[test]
fn poller_reports_traps_and_start_errors() {
    let env = env(false);
    let poller = Poller::default();
    let (mut store, instance) = env.store(1);
    let boom = instance.get_typed_func::<(), ()>(&mut store, "boom").unwrap();
    let mul = instance.get_func(&mut store, "mul").unwrap();
    let (store, result) = poller.submit(store, (boom, ())).join();
    assert_eq!(result.unwrap_err().downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));

    // A function from another store: the call cannot start.
    let (mut other, other_instance) = env.store(2);
    let foreign = other_instance.get_typed_func::<(), ()>(&mut other, "boom").unwrap();
    let (store, result) = poller.submit(store, (foreign, ())).join();
    assert!(result.is_err());
    assert_eq!(store.data().id, 1);
    // Wrong arity through the dynamic API.
    let (_, result) = poller.submit(store, (mul, vec![])).join();
    assert!(result.is_err());
}

#[test]
fn spawn_call_moves_the_store_to_a_thread() {
    let env = env(true);
    let (mut store, instance) = env.store(7);
    let (tx, rx) = mpsc::channel();
    store.data_mut().receivers.push(rx);
    let f = instance.get_typed_func::<i32, i32>(&mut store, "recv_plus").unwrap();
    let thread = spawn_call(store, (f, 5), Duration::from_micros(100));
    std::thread::sleep(Duration::from_millis(10));
    assert!(!thread.is_finished());
    tx.send(10).unwrap();
    let (store, result) = thread.join();
    assert_eq!(result.unwrap(), 15);
    assert_eq!(store.data().id, 7);
}

#[test]
fn owned_call_future_on_threads_and_pollster() {
    // (Under tokio: the compat target's `tokio_block_on_and_spawn`.)
    let env = env(true);
    let mut tasks = Vec::new();
    let mut senders = Vec::new();
    for i in 0..16 {
        let (mut store, instance) = env.store(i);
        let (tx, rx) = mpsc::channel();
        store.data_mut().receivers.push(rx);
        senders.push(tx);
        let f = instance.get_typed_func::<i32, i32>(&mut store, "recv_plus").unwrap();
        // A thread requires `Send + 'static`, as `tokio::spawn` does.
        let future = OwnedCallFuture::new(store, (f, i as i32));
        tasks.push(std::thread::spawn(move || pollster::block_on(future)));
    }
    for (i, tx) in senders.into_iter().enumerate() {
        tx.send(100 * i as i32).unwrap();
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let (store, result) = task.join().unwrap();
        assert_eq!(store.data().id, i as i64);
        assert_eq!(result.unwrap(), 101 * i as i32);
    }

    // pollster.
    let (mut store, instance) = env.store(1);
    let mul = instance.get_typed_func::<(i32, i64), i64>(&mut store, "mul").unwrap();
    let (store, result) = pollster::block_on(OwnedCallFuture::new(store, (mul, (3, 5))));
    assert_eq!(result.unwrap(), 15);

    // A call that cannot start finishes at once, with the store.
    let future = OwnedCallFuture::new(store, (*mul.func(), vec![Val::I32(1)]));
    assert!(future.is_finished());
    let (store, result) = future.wait();
    assert!(result.is_err());

    // Cancelling keeps the store.
    let spin = instance.get_typed_func::<(), ()>(&mut Store::new(&env.engine, Data::default()), "spin");
    assert!(spin.is_err(), "instance from another store");
    let mut store = store;
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let mut future = OwnedCallFuture::new(store, (spin, ()));
    assert!(!future.poll_once());
    let mut store = future.cancel();
    assert_eq!(mul.call_async(&mut store, (2, 2)).wait().unwrap(), 4);
    // Dropping an unfinished one drops its store.
    let mut future = OwnedCallFuture::new(store, (spin, ()));
    assert!(!future.poll_once());
    drop(future);
}

/// A poll interval no test may ever wait out: a call that only finished
/// after it would hang the test instead.
const NEVER: Duration = Duration::from_secs(3600);

#[test]
fn idle_poller_wakes_on_submit_whatever_its_interval() {
    // The thread sleeps on its channel while it has no job, so each
    // submission is run at once, not after `poll_interval`.
    let env = env(false);
    let poller = Poller::new(NEVER);
    for i in 0..20 {
        if i % 5 == 0 {
            // Let the thread go idle (parked on the channel) first.
            std::thread::sleep(Duration::from_millis(2));
        }
        let (mut store, instance) = env.store(i);
        let mul = instance.get_typed_func::<(i32, i64), i64>(&mut store, "mul").unwrap();
        let (store, result) = poller.submit(store, (mul, (i as i32, 5))).join();
        assert_eq!(result.unwrap(), 5 * i);
        assert_eq!(store.data().id, i);
    }
    // `finish` and the drop with nothing pending return at once too.
    poller.finish();
    drop(Poller::new(NEVER));
}

#[test]
fn submit_wakes_a_poller_waiting_on_pending_calls() {
    let env = env(false);
    let poller = Poller::new(NEVER);
    // A call that stays pending until its host function gets a message.
    let (mut store, instance) = env.store(1);
    let (tx, rx) = mpsc::channel();
    store.data_mut().receivers.push(rx);
    let recv_plus = instance.get_typed_func::<i32, i32>(&mut store, "recv_plus").unwrap();
    let pending = poller.submit(store, (recv_plus, 1));

    // The poller now waits up to `poll_interval` for the pending call, but
    // a new job cuts the wait short, and runs.
    for i in 2..6 {
        let (mut store, instance) = env.store(i);
        let mul = instance.get_typed_func::<(i32, i64), i64>(&mut store, "mul").unwrap();
        let (_, result) = poller.submit(store, (mul, (i as i32, 7))).join();
        assert_eq!(result.unwrap(), 7 * i);
    }
    let pending = pending.try_join().expect_err("the host function has had no message");

    // Each round polls every job: once the message is there, the next
    // submission's round finishes the pending call too.
    tx.send(41).unwrap();
    let (mut store, instance) = env.store(6);
    let mul = instance.get_typed_func::<(i32, i64), i64>(&mut store, "mul").unwrap();
    let (_, result) = poller.submit(store, (mul, (6, 6))).join();
    assert_eq!(result.unwrap(), 36);
    let (store, result) = pending.join();
    assert_eq!(result.unwrap(), 42);
    assert_eq!(store.data().id, 1);
}

#[test]
fn dropping_a_poller_with_pending_calls_does_not_wait_out_the_interval() {
    let env = env(false);
    let poller = Poller::new(NEVER);
    let (mut store, instance) = env.store(3);
    let (_tx, rx) = mpsc::channel();
    store.data_mut().receivers.push(rx);
    let recv_plus = instance.get_typed_func::<i32, i32>(&mut store, "recv_plus").unwrap();
    let pending = poller.submit(store, (recv_plus, 1));
    // Make sure the job has reached the thread and is pending there.
    let (mut store, instance) = env.store(4);
    let mul = instance.get_typed_func::<(i32, i64), i64>(&mut store, "mul").unwrap();
    assert_eq!(poller.submit(store, (mul, (2, 3))).join().1.unwrap(), 6);
    // The disconnect wakes the thread, which cancels the pending call.
    drop(poller);
    let (store, result) = pending.join();
    assert!(result.unwrap_err().to_string().contains("cancelled"));
    assert_eq!(store.data().id, 3);
}
