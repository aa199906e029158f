//! Jobs: modules running on their own threads, with WASI output captured.

use std::time::{Duration, Instant};

use wasmtime_mbt::*;

fn epoch_engine() -> Engine {
    Engine::new(Config::new().epoch_interruption(true)).unwrap()
}

const ADD: &str = r#"(module (func (export "add") (param i64 i64) (result i64)
    local.get 0 local.get 1 i64.add))"#;

const SPIN: &str = r#"(module (func (export "spin") (loop br 0)))"#;

/// Echoes stdin, then its arguments and environment, to stdout; writes
/// "err:" and its argument count to stderr; exits with its argument count.
const WASI_GUEST: &str = r#"(module
    (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 512) "err:")
    (func $write (param $fd i32) (param $ptr i32) (param $len i32)
        (i32.store (i32.const 0) (local.get $ptr))
        (i32.store (i32.const 4) (local.get $len))
        (if (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable)))
    (func (export "_start") (local $n i32) (local $argc i32)
        (loop $l
            (i32.store (i32.const 0) (i32.const 4096))
            (i32.store (i32.const 4) (i32.const 4096))
            (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
            (local.set $n (i32.load (i32.const 8)))
            (if (local.get $n) (then (call $write (i32.const 1) (i32.const 4096) (local.get $n)) (br $l))))
        (if (call $args_sizes_get (i32.const 16) (i32.const 20)) (then unreachable))
        (local.set $argc (i32.load (i32.const 16)))
        (if (call $args_get (i32.const 256) (i32.const 1024)) (then unreachable))
        (call $write (i32.const 1) (i32.const 1024) (i32.load (i32.const 20)))
        (if (call $environ_sizes_get (i32.const 16) (i32.const 20)) (then unreachable))
        (if (call $environ_get (i32.const 256) (i32.const 1024)) (then unreachable))
        (call $write (i32.const 1) (i32.const 1024) (i32.load (i32.const 20)))
        (i32.store8 (i32.const 516) (i32.add (i32.const 48) (local.get $argc)))
        (call $write (i32.const 2) (i32.const 512) (i32.const 5))
        (call $proc_exit (local.get $argc))))"#;

#[test]
fn job_returns_results() {
    let engine = Engine::default();
    let job = Job::spawn(&engine, ADD, "add", vec![Val::I64(40), Val::I64(2)]);
    let results = job.join().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].i64(), Some(42));

    // A compiled module, and binary bytes, work too.
    let module = Module::new(&engine, ADD).unwrap();
    assert_eq!(Job::spawn(&engine, &module, "add", vec![Val::I64(1), Val::I64(2)]).join().unwrap()[0].i64(), Some(3));
    let wasm = wat2wasm(ADD.as_bytes()).unwrap();
    assert_eq!(Job::spawn(&engine, wasm, "add", vec![Val::I64(5), Val::I64(5)]).join().unwrap()[0].i64(), Some(10));
}

#[test]
fn job_errors_come_from_join() {
    let engine = Engine::default();
    let err = Job::spawn(&engine, "(module (func i32.bogus))", "f", vec![]).join().unwrap_err();
    assert!(err.to_string().contains("i32.bogus"), "{err}");
    let err = Job::spawn(&engine, b"\0asm garbage", "f", vec![]).join().unwrap_err();
    assert!(!err.to_string().is_empty());

    let err = Job::spawn(&engine, ADD, "missing", vec![]).join().unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    let err = Job::spawn(&engine, ADD, "add", vec![Val::I32(1)]).join().unwrap_err();
    assert!(!err.to_string().is_empty());

    let trap = r#"(module (func (export "f") unreachable))"#;
    let err = Job::spawn(&engine, trap, "f", vec![]).join().unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));

    let imports = r#"(module (import "host" "f" (func)) (func (export "f")))"#;
    assert!(Job::spawn(&engine, imports, "f", vec![]).join().is_err());

    // A module compiled on another engine.
    let other = Module::new(&Engine::default(), ADD).unwrap();
    assert!(Job::spawn(&engine, other, "add", vec![Val::I64(1), Val::I64(1)]).join().is_err());
}

#[test]
fn job_reference_results_are_rejected() {
    let engine = Engine::default();
    let null = r#"(module (func (export "f") (result funcref) ref.null func))"#;
    assert!(matches!(Job::spawn(&engine, null, "f", vec![]).join().unwrap()[..], [Val::FuncRef(None)]));
    let nonnull = r#"(module (func $g) (elem declare func $g) (func (export "f") (result funcref) ref.func $g))"#;
    let err = Job::spawn(&engine, nonnull, "f", vec![]).join().unwrap_err();
    assert!(err.to_string().contains("reference"), "{err}");
}

#[test]
fn interrupt_infinite_loop() {
    let engine = epoch_engine();
    let job = Job::spawn(&engine, SPIN, "spin", vec![]);
    std::thread::sleep(Duration::from_millis(50));
    assert!(!job.is_finished());
    let start = Instant::now();
    job.interrupt();
    let err = job.join().unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt), "{err}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn interrupt_before_start_and_after_finish() {
    let engine = epoch_engine();
    let job = Job::spawn(&engine, SPIN, "spin", vec![]);
    job.interrupt();
    assert_eq!(job.join().unwrap_err().downcast_ref::<Trap>(), Some(&Trap::Interrupt));

    let job = Job::spawn(&engine, ADD, "add", vec![Val::I64(1), Val::I64(1)]);
    while !job.is_finished() {
        std::thread::yield_now();
    }
    job.interrupt();
    assert_eq!(job.join().unwrap()[0].i64(), Some(2));
}

#[test]
fn interrupting_one_job_spares_the_others() {
    let engine = epoch_engine();
    let spinners: Vec<_> = (0..3).map(|_| Job::spawn(&engine, SPIN, "spin", vec![])).collect();
    // A job that counts to a large number, then returns.
    let count = r#"(module (func (export "count") (param i32) (result i32) (local $i i32)
        (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
        local.get $i))"#;
    let counter = Job::spawn(&engine, count, "count", vec![Val::I32(50_000_000)]);
    std::thread::sleep(Duration::from_millis(20));
    let interrupter = spinners[0].interrupter();
    std::thread::spawn(move || interrupter.interrupt()).join().unwrap();
    let mut spinners = spinners.into_iter();
    assert_eq!(spinners.next().unwrap().join().unwrap_err().downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    std::thread::sleep(Duration::from_millis(20));
    let rest: Vec<_> = spinners.collect();
    assert!(rest.iter().all(|j| !j.is_finished()), "other jobs must keep running");
    assert_eq!(counter.join().unwrap()[0].i32(), Some(50_000_000));
    for job in rest {
        job.interrupt();
        assert_eq!(job.join().unwrap_err().downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    }
}

#[test]
fn fuel_stops_a_job() {
    let engine = Engine::new(Config::new().consume_fuel(true).epoch_interruption(true)).unwrap();
    let err = Job::new(&engine, SPIN).fuel(10_000).spawn_call("spin", vec![]).join().unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel), "{err}");
    let ok = Job::new(&engine, ADD).fuel(10_000).spawn_call("add", vec![Val::I64(2), Val::I64(2)]).join().unwrap();
    assert_eq!(ok[0].i64(), Some(4));
    // Fuel on an engine without fuel is an error from join.
    assert!(Job::new(&epoch_engine(), ADD).fuel(1).spawn_call("add", vec![Val::I64(0), Val::I64(0)]).join().is_err());
}

#[test]
fn wasi_jobs_in_parallel() {
    let engine = Engine::default();
    let module = Module::new(&engine, WASI_GUEST).unwrap();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let job = WasiJob::new(&engine, &module)
                .stdin(format!("input {i}\n").repeat(1000 * (i + 1)))
                .arg("prog")
                .args((0..i).map(|k| format!("a{k}")))
                .env("JOB", i.to_string());
            (i, job.spawn())
        })
        .collect();
    for (i, handle) in handles {
        let out = handle.join().unwrap();
        let mut expected = format!("input {i}\n").repeat(1000 * (i + 1)).into_bytes();
        expected.extend(b"prog\0");
        for k in 0..i {
            expected.extend(format!("a{k}\0").as_bytes());
        }
        expected.extend(format!("JOB={i}\0").as_bytes());
        assert_eq!(out.exit_code, i as i32 + 1);
        assert_eq!(out.stdout, expected, "job {i}");
        assert_eq!(out.stderr, format!("err:{}", i + 1).as_bytes());
    }
}

#[test]
fn wasi_job_exit_zero_and_plain_return() {
    let engine = Engine::default();
    let exit0 = r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $e (param i32)))
        (memory (export "memory") 1) (func (export "_start") (call $e (i32.const 0))))"#;
    assert_eq!(WasiJob::new(&engine, exit0).spawn().join().unwrap(), WasiOutput::default());
    let ret = r#"(module (memory (export "memory") 1) (func (export "_start")))"#;
    assert_eq!(WasiJob::new(&engine, ret).spawn().join().unwrap().exit_code, 0);
}

#[test]
fn wasi_job_errors() {
    let engine = epoch_engine();
    let err = WasiJob::new(&engine, "(module (func i32.bogus))").spawn().join().unwrap_err();
    assert!(err.to_string().contains("i32.bogus"), "{err}");
    let err = WasiJob::new(&engine, WASI_GUEST).arg("a\0b").spawn().join().unwrap_err();
    assert!(err.to_string().contains("NUL"), "{err}");
    let err = WasiJob::new(&engine, WASI_GUEST)
        .preopen_dir("/no/such/dir", "/d", DirPerms::READ, FilePerms::READ)
        .spawn()
        .join()
        .unwrap_err();
    assert!(err.to_string().contains("/no/such/dir"), "{err}");
    let trap = r#"(module (memory (export "memory") 1) (func (export "_start") unreachable))"#;
    assert_eq!(WasiJob::new(&engine, trap).spawn().join().unwrap_err().downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));
    let no_start = r#"(module (memory (export "memory") 1))"#;
    assert!(WasiJob::new(&engine, no_start).spawn().join().unwrap_err().to_string().contains("_start"));

    // An interrupted WASI job.
    let spin = r#"(module (memory (export "memory") 1) (func (export "_start") (loop br 0)))"#;
    let job = WasiJob::new(&engine, spin).spawn();
    std::thread::sleep(Duration::from_millis(20));
    job.interrupt();
    assert_eq!(job.join().unwrap_err().downcast_ref::<Trap>(), Some(&Trap::Interrupt));
}

#[test]
fn wasi_job_with_preopen() {
    let dir = std::env::temp_dir().join(format!("wasmtime-mbt-job-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Creates `hello.txt` in the preopen (fd 3) containing "hi".
    let wat = r#"(module
        (import "wasi_snapshot_preview1" "path_open"
            (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (data (i32.const 64) "hello.txt")
        (data (i32.const 96) "hi")
        (func (export "_start") (local $e i32)
            (local.set $e (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 9)
                (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 32)))
            (if (local.get $e) (then (call $exit (local.get $e))))
            (i32.store (i32.const 0) (i32.const 96))
            (i32.store (i32.const 4) (i32.const 2))
            (call $exit (call $write (i32.load (i32.const 32)) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
    let out = WasiJob::new(&Engine::default(), wat)
        .preopen_dir(&dir, "/", DirPerms::all(), FilePerms::all())
        .spawn()
        .join()
        .unwrap();
    assert_eq!(out.exit_code, 0);
    assert_eq!(std::fs::read(dir.join("hello.txt")).unwrap(), b"hi");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn handles_are_send() {
    fn send<T: Send>() {}
    send::<JobHandle<Vec<Val>>>();
    send::<JobHandle<WasiOutput>>();
    send::<Interrupter>();
    send::<Job>();
    send::<WasiJob>();
}
