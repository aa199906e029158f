//! Load (issue 15): many threads sharing one `Engine` and `Module`, each
//! creating, instantiating, calling and dropping stores with host closures;
//! 10⁶ host calls in all; a `Poller` driving 1,000 calls at once. Every
//! result is checked, and resident memory must stay bounded (see
//! `RSS_GROWTH_BOUND_MIB` and `docs/RELIABILITY.md`, "Load").
//!
//! The counts are the issue's by default. `WASMTIME_MBT_LOAD_SCALE=n`
//! divides the store and call counts by `n` (for a quick local run); the
//! memory bound is only asserted at full scale.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime_mbt::*;

const THREADS: usize = 8;
const STORES_PER_THREAD: usize = 1_000;
/// 8 × 1,000 stores × 125 = 10⁶ host calls.
const HOST_CALLS_PER_STORE: i32 = 125;
const POLLER_CALLS: usize = 1_000;

/// How much resident memory may grow, at its peak and at the end, over
/// what it was after a warm-up round, across the whole run (8,000 stores,
/// then 1,000 concurrent async calls with a fiber stack each), in MiB. Measured on x86_64 Linux: see
/// `docs/RELIABILITY.md`, "Load". A leak of one store (its instance, memory
/// and closures) per iteration would exceed it many times over.
const RSS_GROWTH_BOUND_MIB: u64 = 64;

fn scale() -> usize {
    std::env::var("WASMTIME_MBT_LOAD_SCALE").ok().and_then(|s| s.parse().ok()).filter(|&n| n > 0).unwrap_or(1)
}

/// A memory figure of this process from `/proc/self/status`, in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resident memory now (`VmRSS`), in KiB.
fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

/// Calls `host.add` `n` times, accumulating `x`, with a memory to make each
/// instance cost something.
const ADDER: &str = r#"(module
    (import "host" "add" (func $add (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "run") (param $n i32) (param $x i32) (result i32)
        (local $acc i32)
        (block $done (loop $l
            (br_if $done (i32.eqz (local.get $n)))
            (local.set $acc (call $add (local.get $acc) (local.get $x)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $l)))
        local.get $acc))"#;

/// One store's life: a host closure (capturing the shared counter), an
/// instance, one call making `HOST_CALLS_PER_STORE` host calls, checked.
fn one_store(engine: &Engine, module: &Module, total: &Arc<AtomicU64>, x: i32) {
    let mut store = Store::new(engine, 0u32);
    let total = total.clone();
    let add = Func::wrap(&mut store, move |mut caller: Caller<'_, u32>, a: i32, b: i32| {
        *caller.data_mut() += 1;
        total.fetch_add(1, Ordering::Relaxed);
        a.wrapping_add(b)
    });
    let instance = Instance::new(&mut store, module, &[add.into()]).unwrap();
    let run = instance.get_typed_func::<(i32, i32), i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, (HOST_CALLS_PER_STORE, x)).unwrap(), x.wrapping_mul(HOST_CALLS_PER_STORE));
    assert_eq!(store.into_data(), HOST_CALLS_PER_STORE as u32);
}

/// Each call enters (counting itself in flight), then spins, yielding on
/// fuel, until every call has entered: so all of them are in flight at once.
const WAITER: &str = r#"(module
    (import "host" "enter" (func $enter))
    (import "host" "all_entered" (func $all (result i32)))
    (func (export "run") (param $x i32) (result i32)
        call $enter
        (block $done (loop $l
            (br_if $done (call $all))
            (br $l)))
        (i32.mul (local.get $x) (i32.const 3))))"#;

#[test]
fn stores_threads_host_calls_and_a_poller_under_load() {
    let scale = scale();
    let stores_per_thread = STORES_PER_THREAD / scale;
    let poller_calls = POLLER_CALLS / scale;

    let engine = Engine::default();
    let module = Module::new(&engine, ADDER).unwrap();
    let total = Arc::new(AtomicU64::new(0));

    // Warm-up: the allocator's and Wasmtime's one-time costs.
    for i in 0..100 {
        one_store(&engine, &module, &total, i);
    }
    let before = rss_kib();
    total.store(0, Ordering::SeqCst);

    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (engine, module, total) = (engine.clone(), module.clone(), total.clone());
            std::thread::spawn(move || {
                for i in 0..stores_per_thread {
                    one_store(&engine, &module, &total, (t * 1_000_003 + i) as i32);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(total.load(Ordering::SeqCst), (THREADS * stores_per_thread) as u64 * HOST_CALLS_PER_STORE as u64);
    let after_threads = rss_kib();

    // The poller: every call in flight at once.
    let fuel_engine = Engine::new(Config::new().consume_fuel(true)).unwrap();
    let waiter = Module::new(&fuel_engine, WAITER).unwrap();
    let entered = Arc::new(AtomicUsize::new(0));
    let mut linker = Linker::<usize>::new(&fuel_engine);
    let e = entered.clone();
    linker.func_wrap("host", "enter", move || {
        e.fetch_add(1, Ordering::SeqCst);
    }).unwrap();
    let e = entered.clone();
    linker.func_wrap("host", "all_entered", move || (e.load(Ordering::SeqCst) == poller_calls) as i32).unwrap();
    let poller = Poller::new(Duration::from_micros(50));
    let handles: Vec<_> = (0..poller_calls)
        .map(|i| {
            let mut store = Store::new(&fuel_engine, i);
            store.set_fuel(u64::MAX / 2).unwrap();
            store.fuel_async_yield_interval(Some(1_000)).unwrap();
            let instance = linker.instantiate_async(&mut store, &waiter).wait().unwrap();
            let run = instance.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
            poller.submit(store, (run, i as i32))
        })
        .collect();
    for handle in handles {
        let (store, result) = handle.join();
        assert_eq!(result.unwrap(), 3 * *store.data() as i32);
    }
    assert_eq!(entered.load(Ordering::SeqCst), poller_calls);
    poller.finish();
    let after_poller = rss_kib();

    if let (Some(before), Some(after_threads), Some(after_poller)) = (before, after_threads, after_poller) {
        let growth = |kib: u64| kib.saturating_sub(before) / 1024;
        eprintln!(
            "load: RSS {} MiB after warm-up; +{} MiB after {} stores on {THREADS} threads; +{} MiB after {poller_calls} poller calls",
            before / 1024,
            growth(after_threads),
            THREADS * stores_per_thread,
            growth(after_poller),
        );
        let peak = status_kib("VmHWM:").unwrap_or(0);
        eprintln!("load: peak RSS {} MiB", peak / 1024);
        if scale == 1 {
            // Both what is left at the end and the peak while 8 stores and
            // then 1,000 fibers were live.
            assert!(growth(after_threads.max(after_poller)) <= RSS_GROWTH_BOUND_MIB, "resident memory grew beyond the bound");
            assert!(growth(peak) <= RSS_GROWTH_BOUND_MIB, "peak resident memory beyond the bound");
        }
    }
}
