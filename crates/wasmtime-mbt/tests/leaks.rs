//! Leaks (issue 9): creating and dropping stores with everything in them —
//! an instance, a host function, an `ExternRef` (scoped and owned roots), a
//! table, a trap — must not grow the
//! process's memory. RSS is read from `/proc/self/statm` after a warm-up and
//! again at the end.
//!
//! `WASMTIME_MBT_LEAK_ITERS` overrides the iteration count (10,000); the
//! `.ci/leakcheck` script runs this test with a small count under valgrind,
//! where the RSS bound is not checked (valgrind's own memory dominates).
//! `WASMTIME_MBT_LEAK_SELFTEST` makes it leak one box on purpose, to prove
//! that the script catches a definite leak.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use wasmtime_mbt::*;

const WAT: &str = r#"(module
    (import "host" "touch" (func $touch (param externref) (result i32)))
    (memory (export "m") 1)
    (table 1 externref)
    (func (export "run") (param externref) (result i32)
        i32.const 0 local.get 0 table.set
        i32.const 0 table.get call $touch)
    (func (export "trap") unreachable))"#;

/// Resident set size in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn iterations() -> usize {
    std::env::var("WASMTIME_MBT_LEAK_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// One store's whole life: host func (via Linker and via Func::wrap), an
/// externref through wasm and a table, a trap, then drop.
fn one_round(engine: &Engine, linker: &Linker<Arc<AtomicUsize>>, pre: &InstancePre<Arc<AtomicUsize>>, counter: &Arc<AtomicUsize>, i: usize) {
    let mut store = Store::new(engine, counter.clone());
    let instance = if i % 2 == 0 { pre.instantiate(&mut store).unwrap() } else { linker.instantiate(&mut store, pre.module()).unwrap() };
    let run = instance.get_typed_func::<Option<Rooted<ExternRef>>, i32>(&mut store, "run").unwrap();
    let payload = ExternRef::new(&mut store, vec![i as u8; 64]).unwrap();
    assert_eq!(run.call(&mut store, Some(payload)).unwrap(), 64);
    let wrapped = Func::wrap(&mut store, move |caller: Caller<'_, Arc<AtomicUsize>>, x: i32| {
        caller.data().fetch_add(1, Ordering::Relaxed);
        x + 1
    });
    assert_eq!(wrapped.typed::<i32, i32>(&store).unwrap().call(&mut store, 1).unwrap(), 2);
    let trap = instance.get_typed_func::<(), ()>(&mut store, "trap").unwrap();
    assert_eq!(trap.call(&mut store, ()).unwrap_err().downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));
    // An owned root made in a scope, put in a host table, outliving the store.
    let owned = {
        let mut scope = RootScope::new(&mut store);
        ExternRef::new(&mut scope, vec![1u8; 16]).unwrap().to_owned_rooted(&mut scope).unwrap()
    };
    let table = Table::new(&mut store, TableType::new(RefType::EXTERNREF, 2, None), Ref::Extern(None)).unwrap();
    let rooted = owned.to_rooted(&mut store);
    table.fill(&mut store, 0, rooted.into(), 2).unwrap();
    drop(store);
    drop(owned);
}

#[test]
fn creating_and_dropping_stores_does_not_leak() {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT).unwrap();
    let mut linker = Linker::<Arc<AtomicUsize>>::new(&engine);
    linker
        .func_wrap("host", "touch", |mut caller: Caller<'_, Arc<AtomicUsize>>, r: Option<Rooted<ExternRef>>| -> Result<i32> {
            caller.data().fetch_add(1, Ordering::Relaxed);
            let r = r.ok_or_else(|| Error::msg("null externref"))?;
            let len = r.data(&caller)?.and_then(|d| d.downcast_ref::<Vec<u8>>()).map_or(-1, |v| v.len() as i32);
            let _ = caller.get_export("m");
            let _ = caller.as_context_mut();
            Ok(len)
        })
        .unwrap();
    let pre = linker.instantiate_pre(&module).unwrap();
    let counter = Arc::new(AtomicUsize::new(0));

    let total = iterations();
    let warmup = (total / 10).max(1);
    for i in 0..warmup {
        one_round(&engine, &linker, &pre, &counter, i);
    }
    let before = rss();
    for i in warmup..total {
        one_round(&engine, &linker, &pre, &counter, i);
    }
    let after = rss();
    assert_eq!(counter.load(Ordering::Relaxed), 2 * total);
    // Every host closure and store data clone was dropped with its store.
    assert_eq!(Arc::strong_count(&counter), 1);

    // Self-test of `.ci/leakcheck`: a deliberate definite leak, which the
    // script must report (`.ci/leakcheck --selftest`).
    if std::env::var_os("WASMTIME_MBT_LEAK_SELFTEST").is_some() {
        let leaked = Box::into_raw(Box::new([7u8; 100]));
        std::hint::black_box(leaked);
    }

    let growth = after.saturating_sub(before);
    eprintln!("leaks: {total} rounds, RSS {} KiB -> {} KiB (+{} KiB)", before / 1024, after / 1024, growth / 1024);
    if total >= 1000 {
        assert!(growth < 16 << 20, "RSS grew by {} KiB over {} rounds", growth / 1024, total - warmup);
    }
}
