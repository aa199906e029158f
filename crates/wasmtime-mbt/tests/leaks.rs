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

/// A component that takes and returns compound values, calls a dynamic and
/// a typed host function, and makes and drops host resources.
const COMPONENT: &str = r#"(component
    (import "res" (type $r (sub resource)))
    (import "new" (func $new (param "rep" u32) (result (own $r))))
    (import "echo" (func $echo (param "s" string) (result string)))
    (core module $mem
        (memory (export "mem") 1)
        (global $bump (mut i32) (i32.const 1024))
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
            (local $p i32)
            (if (i32.gt_u (i32.add (global.get $bump) (local.get 3)) (i32.const 60000))
                (then (global.set $bump (i32.const 1024))))
            (local.set $p (global.get $bump))
            (global.set $bump (i32.and (i32.add (i32.add (local.get $p) (local.get 3)) (i32.const 7)) (i32.const -8)))
            (local.get $p)))
    (core instance $mem (instantiate $mem))
    (core func $new_l (canon lower (func $new)))
    (core func $echo_l (canon lower (func $echo) (memory (core memory $mem "mem")) (realloc (core func $mem "cabi_realloc"))))
    (core func $drop (canon resource.drop $r))
    (core module $m
        (import "" "mem" (memory 1))
        (import "" "new" (func $new (param i32) (result i32)))
        (import "" "echo" (func $echo (param i32 i32 i32)))
        (import "" "drop" (func $drop (param i32)))
        (func (export "id") (param i32 i32) (result i32)
            (i32.store (i32.const 8) (local.get 0))
            (i32.store (i32.const 12) (local.get 1))
            (i32.const 8))
        (func (export "echo") (param i32 i32) (result i32)
            (call $echo (local.get 0) (local.get 1) (i32.const 16))
            (i32.const 16))
        (func (export "cycle") (param i32) (call $drop (call $new (local.get 0))))
        (func (export "make") (param i32) (result i32) (call $new (local.get 0))))
    (core instance $i (instantiate $m (with "" (instance
        (export "mem" (memory $mem "mem"))
        (export "new" (func $new_l)) (export "echo" (func $echo_l)) (export "drop" (func $drop))))))
    (type $rec' (record (field "name" string) (field "tags" (list string)) (field "opt" (option (tuple u8 string)))))
    (export $rec "rec" (type $rec'))
    (func (export "id") (param "x" (list $rec)) (result (list $rec))
        (canon lift (core func $i "id") (memory (core memory $mem "mem")) (realloc (core func $mem "cabi_realloc"))))
    (func (export "echo") (param "s" string) (result string)
        (canon lift (core func $i "echo") (memory (core memory $mem "mem")) (realloc (core func $mem "cabi_realloc"))))
    (func (export "cycle") (param "rep" u32) (canon lift (core func $i "cycle")))
    (func (export "make") (param "rep" u32) (result (own $r)) (canon lift (core func $i "make"))))"#;

struct Res;

/// One store's life with a component: compound values both ways, host
/// functions (one failing), resources made, dropped by the guest and by the
/// host, then drop.
fn component_round(linker: &component::Linker<Arc<AtomicUsize>>, component: &component::Component, counter: &Arc<AtomicUsize>, i: usize) {
    use component::Val;
    let mut store = Store::new(component.engine(), counter.clone());
    let instance = linker.instantiate(&mut store, component).unwrap();
    let rec = Val::Record(vec![
        ("name".into(), Val::String(format!("n{i}"))),
        ("tags".into(), Val::List(vec![Val::String("a".into()), Val::String("bb".into())])),
        ("opt".into(), Val::Option(Some(Box::new(Val::Tuple(vec![Val::U8(1), Val::String("t".into())]))))),
    ]);
    let arg = Val::List(vec![rec.clone(), rec]);
    let mut out = [Val::Bool(false)];
    instance.get_func(&mut store, "id").unwrap().call(&mut store, &[arg.clone()], &mut out).unwrap();
    assert_eq!(out[0], arg);
    let echo = instance.get_typed_func::<(&str,), (String,)>(&mut store, "echo").unwrap();
    assert_eq!(echo.call(&mut store, ("hi",)).unwrap().0, "hi!");
    instance.get_typed_func::<(u32,), ()>(&mut store, "cycle").unwrap().call(&mut store, (1,)).unwrap();
    let make = instance.get_func(&mut store, "make").unwrap();
    make.call(&mut store, &[Val::U32(2)], &mut out).unwrap();
    let Val::Resource(r) = &out[0] else { panic!() };
    r.clone().resource_drop(&mut store).unwrap();
    // A failing host function (an error kept in the store, then returned).
    assert!(echo.call(&mut store, ("fail",)).is_err());
    drop(store);
}

#[test]
fn component_rounds_do_not_leak() {
    let engine = Engine::default();
    let component = component::Component::new(&engine, COMPONENT).unwrap();
    let mut linker = component::Linker::<Arc<AtomicUsize>>::new(&engine);
    linker
        .root()
        .resource("res", component::ResourceType::host::<Res>(), |cx, _| {
            cx.data().fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
        .unwrap();
    linker.root().func_wrap("new", |_, (rep,): (u32,)| Ok((component::Resource::<Res>::new_own(rep),))).unwrap();
    linker
        .root()
        .func_new("echo", |_, _, args, results| {
            let component::Val::String(s) = &args[0] else { panic!() };
            if s == "fail" {
                bail!("echo failed");
            }
            results[0] = component::Val::String(format!("{s}!"));
            Ok(())
        })
        .unwrap();
    let counter = Arc::new(AtomicUsize::new(0));
    let total = iterations() / 10;
    let warmup = (total / 10).max(1);
    for i in 0..warmup {
        component_round(&linker, &component, &counter, i);
    }
    let before = rss();
    for i in warmup..total {
        component_round(&linker, &component, &counter, i);
    }
    let after = rss();
    // Two destructor calls a round: the guest's drop and the host's.
    assert_eq!(counter.load(Ordering::Relaxed), 2 * total);
    assert_eq!(Arc::strong_count(&counter), 1);
    let growth = after.saturating_sub(before);
    eprintln!("component leaks: {total} rounds, RSS {} KiB -> {} KiB (+{} KiB)", before / 1024, after / 1024, growth / 1024);
    if total >= 1000 {
        assert!(growth < 16 << 20, "RSS grew by {} KiB over {} rounds", growth / 1024, total - warmup);
    }
}
