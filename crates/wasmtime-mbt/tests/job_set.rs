//! Job sets (issue 16): parallel jobs over one shared memory, joined in
//! completion order.
//!
//! Orderings are made deterministic through the shared memory itself: a
//! job that waits on a flag (`memory.atomic.wait32`) cannot finish before
//! the test sets the flag, so no assertion depends on timing. Where a test
//! waits for something that should happen at once, a generous deadline
//! turns a hang into a failure.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wasmtime_mbt::*;

/// Longer than anything here should take, even on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(120);

/// Word 0: a flag jobs wait on. Word 4: a counter jobs add to. Word 8:
/// how many `wait_for` calls have returned.
const SHARED: &str = r#"(module
    (import "env" "mem" (memory 1 1 shared))
    ;; Adds 1 to the counter, $n times.
    (func (export "add") (param $n i32) (local $i i32)
        (block $done (loop $l
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l))))
    (func (export "total") (result i32) (i32.atomic.load (i32.const 4)))
    ;; Sleeps until the flag is at least $n; counts itself out; returns $n.
    (func (export "wait_for") (param $n i32) (result i32) (local $v i32)
        (block $done (loop $l
            (local.set $v (i32.atomic.load (i32.const 0)))
            (br_if $done (i32.ge_s (local.get $v) (local.get $n)))
            (drop (memory.atomic.wait32 (i32.const 0) (local.get $v) (i64.const -1)))
            (br $l)))
        (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 1)))
        (local.get $n))
    ;; Sets the flag and wakes every waiter.
    (func (export "set_flag") (param $v i32)
        (i32.atomic.store (i32.const 0) (local.get $v))
        (drop (memory.atomic.notify (i32.const 0) (i32.const -1))))
    (func (export "trap") unreachable))"#;

const FLAG: usize = 0;
const COUNTER: usize = 4;
const FINISHED: usize = 8;

fn engine() -> Engine {
    Engine::new(Config::new().wasm_threads(true).shared_memory(true).epoch_interruption(true)).unwrap()
}

struct Fixture {
    engine: Engine,
    memory: SharedMemory,
    module: Module,
}

impl Fixture {
    fn new() -> Fixture {
        let engine = engine();
        let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1)).unwrap();
        let module = Module::new(&engine, SHARED).unwrap();
        Fixture { engine, memory, module }
    }

    fn job(&self) -> Job {
        Job::new(&self.engine, &self.module)
    }

    /// Sets the flag from wasm, waking `wait_for` jobs (the C API has no
    /// host-side notify).
    fn set_flag(&self, v: i32) {
        self.job().shared_memory(self.memory.clone()).spawn_call("set_flag", vec![Val::I32(v)]).join().unwrap();
    }

    /// A word of the shared memory, read by the host.
    fn word(&self, offset: usize) -> i32 {
        word(&self.memory, offset)
    }

    /// Sets the flag high after `DEADLINE` unless dropped first, so a
    /// wrong join order fails an assertion instead of hanging.
    fn watchdog(&self) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        let (engine, module, memory) = (self.engine.clone(), self.module.clone(), self.memory.clone());
        let thread = std::thread::spawn(move || {
            if rx.recv_timeout(DEADLINE) == Err(mpsc::RecvTimeoutError::Timeout) {
                Job::new(&engine, &module).shared_memory(memory).spawn_call("set_flag", vec![Val::I32(1000)]).join().unwrap();
            }
        });
        Watchdog { tx, thread: Some(thread) }
    }
}

fn word(memory: &SharedMemory, offset: usize) -> i32 {
    let cell = &memory.data()[offset..offset + 4];
    // SAFETY: the word is 4-byte aligned (the memory is page-aligned) and
    // lives as long as `memory`; every access to it, from wasm or here, is
    // atomic.
    unsafe { AtomicI32::from_ptr(cell.as_ptr().cast_mut().cast()) }.load(Ordering::SeqCst)
}

struct Watchdog {
    tx: mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.tx.send(());
        let _ = self.thread.take().unwrap().join();
    }
}

/// `try_join` until a job has finished, or panics after `DEADLINE`.
fn next_finished<R: Send + 'static>(set: &mut JobSet<R>) -> (JobId, Result<R>) {
    let start = Instant::now();
    loop {
        if let Some(done) = set.try_join() {
            return done;
        }
        assert!(start.elapsed() < DEADLINE, "no job finished within {DEADLINE:?}");
        std::thread::yield_now();
    }
}

#[test]
fn atomic_adds_into_one_shared_memory_are_exact() {
    let f = Fixture::new();
    let wasm = wat2wasm(SHARED.as_bytes()).unwrap();
    let serialized = f.module.serialize().unwrap();
    // The same kernel from each source a job takes: compiled, WAT, binary,
    // precompiled.
    let sources: Vec<JobModule> = vec![
        (&f.module).into(),
        SHARED.into(),
        wasm.into(),
        // SAFETY: serialized by this engine just above.
        unsafe { JobModule::precompiled(serialized) },
    ];
    let mut set = JobSet::with_shared_memory(f.memory.clone());
    let mut ids = Vec::new();
    for source in sources {
        ids.extend(set.spawn_n(2, &Job::new(&f.engine, source), "add", &[Val::I32(100_000)]));
    }
    assert_eq!(set.len(), 8);
    assert_eq!(ids.iter().map(|id| id.index()).collect::<Vec<_>>(), (0..8).collect::<Vec<_>>());
    let outcomes = set.join();
    assert_eq!(outcomes.len(), 8);
    let mut joined: Vec<JobId> = outcomes.into_iter().map(|(id, r)| (id, r.unwrap()).0).collect();
    joined.sort();
    assert_eq!(joined, ids);
    // Every job added into the same memory: 8 × 100,000, none lost.
    assert_eq!(f.word(COUNTER), 800_000);
    let total = f.job().shared_memory(f.memory.clone()).spawn_call("total", vec![]).join().unwrap();
    assert_eq!(total[0].i32(), Some(800_000));
}

#[test]
fn outcomes_come_in_completion_order() {
    let f = Fixture::new();
    let _watchdog = f.watchdog();
    let job = f.job();
    let mut set = JobSet::with_shared_memory(f.memory.clone());
    // Spawned in the reverse of the order they can finish: waiting[0]
    // waits for the flag to reach 3, waiting[2] for 1.
    let waiting: Vec<JobId> = (1..=3).rev().map(|n| set.spawn(&job, "wait_for", vec![Val::I32(n)])).collect();
    let quick = set.spawn(&job, "total", vec![]);
    // Only `quick` can finish while the flag is 0, though it was spawned last.
    let (first, outcome) = set.join_next().unwrap();
    assert_eq!(first, quick);
    assert_eq!(outcome.unwrap()[0].i32(), Some(0));
    for n in 1..=3 {
        assert!(set.try_join().is_none(), "no job can finish before the flag reaches {n}");
        assert_eq!(f.word(FINISHED), n - 1);
        f.set_flag(n);
        assert_eq!(f.word(FLAG), n);
        let (id, outcome) = set.join_next().unwrap();
        assert_eq!(id, waiting[3 - n as usize], "the job waiting for {n} finishes next");
        assert_eq!(outcome.unwrap()[0].i32(), Some(n));
    }
    assert!(set.is_empty());
    assert!(set.join_next().is_none());
    assert!(set.try_join().is_none());
}

#[test]
fn try_join_before_and_after_a_job_finishes() {
    let f = Fixture::new();
    let _watchdog = f.watchdog();
    let mut set = JobSet::with_shared_memory(f.memory.clone());
    assert!(set.try_join().is_none(), "an empty set has nothing to join");
    let id = set.spawn(&f.job(), "wait_for", vec![Val::I32(1)]);
    // Blocked on the flag: not finished, and try_join does not wait.
    assert!(set.try_join().is_none());
    assert_eq!(set.len(), 1);
    assert_eq!(f.word(FINISHED), 0);
    f.set_flag(1);
    let (done, outcome) = next_finished(&mut set);
    assert_eq!(done, id);
    assert_eq!(outcome.unwrap()[0].i32(), Some(1));
    assert!(set.is_empty());
    assert!(set.try_join().is_none());
}

#[test]
fn detach_does_not_wait_and_the_jobs_run_on() {
    let f = Fixture::new();
    let _watchdog = f.watchdog();
    let mut set = JobSet::with_shared_memory(f.memory.clone());
    set.spawn_n(2, &f.job(), "wait_for", &[Val::I32(1)]);
    let mut dropped = JobSet::with_shared_memory(f.memory.clone());
    dropped.spawn(&f.job(), "wait_for", vec![Val::I32(1)]);
    // Neither job can finish before the flag is set, so if `detach` (or
    // dropping) waited for them it would not return.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        set.detach();
        drop(dropped);
        tx.send(()).unwrap();
    });
    rx.recv_timeout(DEADLINE).expect("detach and drop return without waiting for their jobs");
    assert_eq!(f.word(FINISHED), 0);
    // Released, the detached jobs run to their end.
    f.set_flag(1);
    let start = Instant::now();
    while f.word(FINISHED) < 3 {
        assert!(start.elapsed() < DEADLINE, "detached jobs did not finish");
        std::thread::yield_now();
    }
    assert_eq!(f.word(FINISHED), 3);
}

#[test]
fn a_failing_job_is_an_err_for_that_job_alone() {
    let f = Fixture::new();
    let e = &f.engine;
    let mut set = JobSet::with_shared_memory(f.memory.clone());
    let ok = set.spawn(&f.job(), "add", vec![Val::I32(10)]);
    let trap = set.spawn(&f.job(), "trap", vec![]);
    let missing = set.spawn(&f.job(), "no_such_export", vec![]);
    let bad_wat = set.spawn(&Job::new(e, "(module (func i32.bogus))"), "f", vec![]);
    let other_import = set.spawn(&Job::new(e, r#"(module (import "host" "f" (func)) (func (export "f")))"#), "f", vec![]);
    let too_big = set.spawn(&Job::new(e, r#"(module (import "env" "mem" (memory 2 2 shared)) (func (export "f")))"#), "f", vec![]);
    let not_shared = set.spawn(&Job::new(e, r#"(module (import "env" "mem" (memory 1)) (func (export "f")))"#), "f", vec![]);
    let panicked = set.spawn_with(&f.job(), |_, _| -> Result<Vec<Val>> { panic!("a bug in the job") });
    let mut outcomes: HashMap<JobId, Result<Vec<Val>>> = set.join().into_iter().collect();
    assert_eq!(outcomes.len(), 8);
    let mut err = |id: JobId| outcomes.remove(&id).unwrap().unwrap_err();
    assert_eq!(err(trap).downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));
    let e = err(missing);
    assert!(e.to_string().contains("no_such_export"), "{e}");
    let e = err(bad_wat);
    assert!(e.to_string().contains("i32.bogus"), "{e}");
    let e = err(other_import);
    assert!(e.to_string().contains("`host.f`"), "{e}");
    assert!(!err(too_big).to_string().is_empty());
    assert!(!err(not_shared).to_string().is_empty());
    let e = err(panicked);
    assert_eq!(e.to_string(), "job panicked: a bug in the job");
    // The job that worked did its work, and its outcome is intact.
    assert!(outcomes.remove(&ok).unwrap().unwrap().is_empty());
    assert_eq!(f.word(COUNTER), 10);
}

#[test]
fn env_mem_needs_a_shared_memory() {
    let f = Fixture::new();
    let mut set = JobSet::new();
    assert!(set.shared_memory().is_none());
    set.spawn(&f.job(), "total", vec![]);
    let e = set.join_next().unwrap().1.unwrap_err();
    assert!(e.to_string().contains("`env.mem`") && e.to_string().contains("no shared memory"), "{e}");
    // A memory of another engine is refused, as natively.
    let e = Job::new(&engine(), SHARED).shared_memory(f.memory.clone()).spawn_call("total", vec![]).join().unwrap_err();
    assert!(e.to_string().contains("cross-`Store`"), "{e}");
    // A module without the import ignores the memory.
    let plain = Job::new(&f.engine, r#"(module (func (export "f") (result i32) i32.const 1))"#).shared_memory(f.memory.clone());
    assert_eq!(plain.spawn_call("f", vec![]).join().unwrap()[0].i32(), Some(1));
}

#[test]
fn a_jobs_own_memory_wins_over_the_sets() {
    let f = Fixture::new();
    let own = SharedMemory::new(&f.engine, MemoryType::shared(1, 1)).unwrap();
    let mut set = JobSet::with_shared_memory(f.memory.clone());
    set.spawn(&f.job().shared_memory(own.clone()), "add", vec![Val::I32(5)]);
    set.spawn(&f.job(), "add", vec![Val::I32(7)]);
    for (_, outcome) in set.join() {
        outcome.unwrap();
    }
    assert_eq!((word(&own, COUNTER), f.word(COUNTER)), (5, 7));
}

#[test]
fn precompiled_modules() {
    let f = Fixture::new();
    let bytes = f.module.serialize().unwrap();
    // SAFETY: serialized by this engine just above.
    let job = Job::new(&f.engine, unsafe { JobModule::precompiled(bytes.clone()) }).shared_memory(f.memory.clone());
    let mut set = JobSet::new();
    set.spawn_n(3, &job, "add", &[Val::I32(1000)]);
    for (_, outcome) in set.join() {
        outcome.unwrap();
    }
    assert_eq!(f.word(COUNTER), 3000);
    // Bytes serialized for a differently configured engine are refused by
    // the job (the header check), as an Err from join.
    let fuel = Engine::new(Config::new().wasm_threads(true).shared_memory(true).consume_fuel(true)).unwrap();
    // SAFETY: Wasmtime's own output; only its configuration differs.
    let err = Job::new(&fuel, unsafe { JobModule::precompiled(bytes) }).spawn_call("total", vec![]).join().unwrap_err();
    assert!(err.to_string().contains("fuel"), "{err}");
}

#[test]
fn interrupt_all_stops_spinning_jobs() {
    let f = Fixture::new();
    let spin = Job::new(&f.engine, r#"(module (func (export "spin") (loop br 0)))"#);
    let mut set = JobSet::new();
    let ids = set.spawn_n(3, &spin, "spin", &[]);
    assert!(set.try_join().is_none(), "spinning jobs never finish by themselves");
    set.interrupt_all();
    let mut joined = Vec::new();
    for (id, outcome) in set.join() {
        assert_eq!(outcome.unwrap_err().downcast_ref::<Trap>(), Some(&Trap::Interrupt));
        joined.push(id);
    }
    joined.sort();
    assert_eq!(joined, ids);
}

#[test]
fn wasi_jobs_in_a_set_share_the_memory() {
    let f = Fixture::new();
    let command = r#"(module
        (import "env" "mem" (memory 1 1 shared))
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "_start")
            (call $exit (i32.add (i32.const 1) (i32.atomic.rmw.add (i32.const 4) (i32.const 1))))))"#;
    let job = WasiJob::new(&f.engine, command);
    let mut set = JobSet::with_shared_memory(f.memory.clone());
    for _ in 0..4 {
        set.spawn_wasi(&job);
    }
    // Each command saw the others' additions: exit codes 1..=4, once each.
    let mut codes: Vec<i32> = set.join().into_iter().map(|(_, r)| r.unwrap().exit_code).collect();
    codes.sort();
    assert_eq!(codes, [1, 2, 3, 4]);
    assert_eq!(f.word(COUNTER), 4);
}

#[test]
fn job_sets_are_send() {
    fn send<T: Send>() {}
    send::<JobSet<Vec<Val>>>();
    send::<JobSet<WasiOutput>>();
    send::<JobId>();
    send::<JobModule>();
}
