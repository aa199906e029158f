//! Running modules on their own OS threads: [`Job`] calls one export,
//! [`WasiJob`] runs a WASI command with captured output; both hand back a
//! [`JobHandle`] to [`join`](JobHandle::join) or
//! [`interrupt`](JobHandle::interrupt). A [`JobSet`] runs many jobs and
//! hands their outcomes back in the order they finish.
//!
//! Jobs may share one [`SharedMemory`]: a job's module that imports
//! `env.mem` gets the memory given by [`Job::shared_memory`] (or
//! [`JobSet::with_shared_memory`]), so parallel jobs work on one buffer and
//! synchronise with wasm atomics (`i32.atomic.rmw.add`,
//! `memory.atomic.wait32`/`memory.atomic.notify`).
//!
//! Each job gets a fresh `Store<()>` on its thread. Interruption uses epoch
//! interruption, so the engine must be built with
//! [`Config::epoch_interruption(true)`](crate::Config::epoch_interruption)
//! for [`JobHandle::interrupt`] to stop running wasm (without it, interrupt
//! only takes effect before the guest starts). Interrupting one job does
//! not stop other jobs: each job's store checks its own flag whenever the
//! engine's epoch advances. The epoch itself is engine-wide, though, so
//! interrupting a job *while it runs* advances it for every store on the
//! engine, as [`Engine::increment_epoch`] does: a store with an epoch
//! deadline and no callback may trap with [`Trap::Interrupt`] sooner.
//! Interrupting a job that has not started its guest, or has finished,
//! leaves the epoch alone. A job blocked in `memory.atomic.wait32`/`wait64`
//! is not woken by an interrupt: it stops once a `memory.atomic.notify`
//! (from another job) or its timeout wakes it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::{
    DirPerms, Engine, Error, Extern, FilePerms, I32Exit, Instance, Linker, Module, Result, SharedMemory, Store, Trap, UpdateDeadline, Val,
    WasiConfig,
};

/// The module a job runs: already compiled, wasm/WAT bytes compiled on the
/// job's thread, or precompiled bytes deserialized there (a compile or
/// deserialize error then comes back from [`JobHandle::join`]).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let wat = r#"(module (func (export "one") (result i32) i32.const 1))"#;
/// let compiled = Module::new(&engine, wat)?;
/// let precompiled = compiled.serialize()?;
/// // SAFETY: the bytes were just serialized by Wasmtime, on this machine.
/// let sources = [JobModule::from(&compiled), JobModule::from(wat), unsafe { JobModule::precompiled(precompiled) }];
/// for source in sources {
///     assert_eq!(Job::spawn(&engine, source, "one", vec![]).join()?[0].i32(), Some(1));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub enum JobModule {
    /// A compiled module; it must belong to the job's engine.
    Compiled(Module),
    /// A binary module or WAT text, compiled by the job.
    Bytes(Vec<u8>),
    /// Bytes from [`Module::serialize`] or [`Engine::precompile_module`],
    /// deserialized by the job; made by the `unsafe`
    /// [`JobModule::precompiled`].
    Precompiled(PrecompiledModule),
}

/// Precompiled module bytes that their maker vouched for; see
/// [`JobModule::precompiled`], the only way to make one. Cloning shares
/// the bytes.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let bytes = engine.precompile_module(br#"(module)"#)?;
/// // SAFETY: the bytes were just produced by this engine.
/// let JobModule::Precompiled(p) = (unsafe { JobModule::precompiled(bytes.clone()) }) else { unreachable!() };
/// assert_eq!(p.as_bytes(), &bytes[..]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PrecompiledModule(Arc<[u8]>);

impl PrecompiledModule {
    /// The serialized module.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for PrecompiledModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrecompiledModule({} bytes)", self.0.len())
    }
}

impl From<Module> for JobModule {
    fn from(m: Module) -> JobModule {
        JobModule::Compiled(m)
    }
}

impl From<&Module> for JobModule {
    fn from(m: &Module) -> JobModule {
        JobModule::Compiled(m.clone())
    }
}

impl From<Vec<u8>> for JobModule {
    fn from(b: Vec<u8>) -> JobModule {
        JobModule::Bytes(b)
    }
}

impl From<&[u8]> for JobModule {
    fn from(b: &[u8]) -> JobModule {
        JobModule::Bytes(b.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for JobModule {
    fn from(b: &[u8; N]) -> JobModule {
        JobModule::Bytes(b.to_vec())
    }
}

impl From<&str> for JobModule {
    fn from(s: &str) -> JobModule {
        JobModule::Bytes(s.as_bytes().to_vec())
    }
}

impl From<String> for JobModule {
    fn from(s: String) -> JobModule {
        JobModule::Bytes(s.into_bytes())
    }
}

impl JobModule {
    /// Bytes made by [`Module::serialize`] or [`Engine::precompile_module`],
    /// for the job to load with [`Module::deserialize`] on its thread
    /// (an incompatible engine or Wasmtime version is an `Err` from
    /// [`JobHandle::join`]).
    ///
    /// # Safety
    /// Those of [`Module::deserialize`], which the job calls: the bytes are
    /// trusted to be machine code produced by Wasmtime (only a
    /// version/configuration header is checked, so untrusted bytes mean
    /// arbitrary code execution), of a module without continuation types.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let bytes = engine.precompile_module(br#"(module (func (export "f") (result i64) i64.const 7))"#)?;
    /// // SAFETY: the bytes were just produced by this engine.
    /// let module = unsafe { JobModule::precompiled(bytes) };
    /// assert_eq!(Job::spawn(&engine, module, "f", vec![]).join()?[0].i64(), Some(7));
    /// # Ok(()) }
    /// ```
    pub unsafe fn precompiled(bytes: impl Into<Vec<u8>>) -> JobModule {
        JobModule::Precompiled(PrecompiledModule(bytes.into().into()))
    }

    fn compile(self, engine: &Engine) -> Result<Module> {
        match self {
            JobModule::Compiled(m) => Ok(m),
            JobModule::Bytes(b) => Module::new(engine, b),
            // SAFETY: a `PrecompiledModule` is only made by the `unsafe`
            // `JobModule::precompiled`, whose caller vouched for the bytes
            // as `Module::deserialize` requires.
            JobModule::Precompiled(p) => unsafe { Module::deserialize(engine, &p.0[..]) },
        }
    }
}

/// Stops a job from any thread; see [`JobHandle::interrupter`].
#[derive(Clone, Debug)]
pub struct Interrupter {
    flag: Arc<AtomicBool>,
    /// Whether the job's guest may be running (the epoch needs a bump to
    /// reach it).
    running: Arc<AtomicBool>,
    engine: Engine,
}

impl Interrupter {
    /// Asks the job to stop: running wasm traps with
    /// [`Trap::Interrupt`] at its next epoch check (the engine needs
    /// epoch interruption), and a job that has not started wasm yet does
    /// not start it. Harmless once the job finished.
    ///
    /// While the guest runs, this increments the engine's epoch, which is
    /// engine-wide: like [`Engine::increment_epoch`], it advances every
    /// store on the engine, so a store with an epoch deadline and no
    /// callback may trap with [`Trap::Interrupt`] sooner. Other jobs are
    /// not stopped (each checks its own flag). Before the guest starts and
    /// after the job finished, the epoch is left alone.
    pub fn interrupt(&self) {
        self.flag.store(true, Ordering::SeqCst);
        // The job sets `running` before it checks the flag, so either it
        // sees the flag, or this sees `running` and bumps the epoch.
        if self.running.load(Ordering::SeqCst) {
            self.engine.increment_epoch();
        }
    }

    /// Whether [`interrupt`](Interrupter::interrupt) was called.
    pub fn is_interrupted(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

/// A running job, as `std::thread::JoinHandle`: [`join`](JobHandle::join)
/// waits for its outcome. Dropping the handle detaches the job (it keeps
/// running); call [`interrupt`](JobHandle::interrupt) first to stop it.
#[derive(Debug)]
pub struct JobHandle<R> {
    thread: JoinHandle<Result<R>>,
    interrupter: Interrupter,
}

impl<R> JobHandle<R> {
    /// Waits for the job and returns its outcome: the results, or the
    /// compile error, trap, or other error that ended it. An interrupted
    /// job's error has [`Trap::Interrupt`] as its
    /// [`root_cause`](Error::root_cause).
    pub fn join(self) -> Result<R> {
        match self.thread.join() {
            Ok(result) => result,
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                Err(Error::msg(format!("job panicked: {msg}")))
            }
        }
    }

    /// Stops the job; see [`Interrupter::interrupt`].
    pub fn interrupt(&self) {
        self.interrupter.interrupt()
    }

    /// A handle that can interrupt this job from other threads.
    pub fn interrupter(&self) -> Interrupter {
        self.interrupter.clone()
    }

    /// Whether the job has finished (so [`join`](JobHandle::join) will not block).
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }
}

/// Settings shared by [`Job`] and [`WasiJob`].
#[derive(Debug, Clone)]
struct Common {
    engine: Engine,
    module: JobModule,
    fuel: Option<u64>,
    shared_memory: Option<SharedMemory>,
}

impl Common {
    fn new(engine: &Engine, module: JobModule) -> Common {
        Common { engine: engine.clone(), module, fuel: None, shared_memory: None }
    }

    /// Runs `body` in a fresh store on a new thread, with fuel and
    /// per-job epoch interruption set up. `done`, if any, is told when
    /// the thread is about to end (also when it panics).
    fn spawn<R, F>(self, name: &str, done: Option<Done>, body: F) -> JobHandle<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store<()>, Module, Option<SharedMemory>) -> Result<R> + Send + 'static,
    {
        let flag = Arc::new(AtomicBool::new(false));
        let running = Arc::new(AtomicBool::new(false));
        let interrupter = Interrupter { flag: flag.clone(), running: running.clone(), engine: self.engine.clone() };
        let run = move || -> Result<R> {
            // Dropped last, on return or unwind.
            let _done = done;
            let Common { engine, module, fuel, shared_memory } = self;
            let module = module.compile(&engine)?;
            let mut store = Store::new(&engine, ());
            if let Some(fuel) = fuel {
                store.set_fuel(fuel)?;
            }
            let f = flag.clone();
            store.epoch_deadline_callback(move |_| {
                if f.load(Ordering::SeqCst) {
                    Err(Error::msg("job interrupted"))
                } else {
                    Ok(UpdateDeadline::Continue(1))
                }
            });
            // Set before the flag is checked, so an `interrupt` after the
            // check always reaches this deadline.
            store.set_epoch_deadline(1);
            running.store(true, Ordering::SeqCst);
            if flag.load(Ordering::SeqCst) {
                running.store(false, Ordering::SeqCst);
                return Err(interrupted());
            }
            let outcome = body(&mut store, module, shared_memory);
            running.store(false, Ordering::SeqCst);
            outcome.map_err(|e| if flag.load(Ordering::SeqCst) && e.downcast_ref::<I32Exit>().is_none() { interrupted() } else { e })
        };
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(run)
            .expect("failed to spawn a job thread");
        JobHandle { thread, interrupter }
    }
}

/// Tells a [`JobSet`] that one of its jobs finished, when dropped at the
/// end of the job's thread (a panic included).
struct Done {
    id: JobId,
    tx: Sender<JobId>,
}

impl Drop for Done {
    fn drop(&mut self) {
        // A detached set's receiver is gone; nobody is waiting then.
        let _ = self.tx.send(self.id);
    }
}

/// Instantiates a job's module: its only allowed import is `env.mem`,
/// given the job's shared memory.
fn instantiate(store: &mut Store<()>, module: &Module, memory: Option<SharedMemory>) -> Result<Instance> {
    let mut imports = Vec::new();
    for import in module.imports() {
        if (import.module(), import.name()) != ("env", "mem") {
            return Err(Error::msg(format!(
                "a job's module may import only `env.mem`, a shared memory; this one imports `{}.{}`",
                import.module(),
                import.name()
            )));
        }
        let memory = memory.clone().ok_or_else(|| {
            Error::msg("the module imports `env.mem` but the job has no shared memory (see `Job::shared_memory`, `JobSet::with_shared_memory`)")
        })?;
        imports.push(Extern::SharedMemory(memory));
    }
    Instance::new(store, module, &imports)
}

fn interrupted() -> Error {
    Error::new(Trap::Interrupt)
}

/// Calls one export of a module on its own thread, in a fresh store.
///
/// The module's only import may be `env.mem`, a shared memory, given by
/// [`Job::shared_memory`] (or [`JobSet::with_shared_memory`]). Arguments
/// and results of [`spawn_call`](Job::spawn_call) are numbers
/// (`i32`, `i64`, `f32`, `f64`, `v128`) or null references; a non-null
/// reference result is an `Err` since its store is gone with the job.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::new(Config::new().epoch_interruption(true))?;
/// let add = r#"(module (func (export "add") (param i32 i32) (result i32)
///     local.get 0 local.get 1 i32.add))"#;
/// let job = Job::spawn(&engine, add, "add", vec![Val::I32(2), Val::I32(3)]);
/// assert_eq!(job.join()?[0].i32(), Some(5));
///
/// // A runaway guest, stopped from outside.
/// let spin = Job::spawn(&engine, r#"(module (func (export "spin") (loop br 0)))"#, "spin", vec![]);
/// spin.interrupt();
/// assert_eq!(spin.join().unwrap_err().downcast_ref::<Trap>(), Some(&Trap::Interrupt));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Job {
    common: Common,
}

impl Job {
    /// A job running `module` (compiled, or wasm/WAT bytes) on `engine`.
    pub fn new(engine: &Engine, module: impl Into<JobModule>) -> Job {
        Job { common: Common::new(engine, module.into()) }
    }

    /// Runs with this much fuel; the engine needs
    /// [`Config::consume_fuel`](crate::Config::consume_fuel) (else `join`
    /// returns the error). Running out traps with
    /// [`Trap::OutOfFuel`].
    pub fn fuel(mut self, fuel: u64) -> Job {
        self.common.fuel = Some(fuel);
        self
    }

    /// Links `memory` as the module's `env.mem` import. Clones of one
    /// [`SharedMemory`] are the same memory, so every job given a clone
    /// works on the same bytes; the memory must come from the job's engine
    /// and match the import's type (else the job's outcome is the `Err`).
    /// A module that does not import `env.mem` ignores it; one that does
    /// needs it.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_threads(true).shared_memory(true))?;
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1))?;
    /// let bump = r#"(module (import "env" "mem" (memory 1 1 shared))
    ///     (func (export "bump") (result i32)
    ///         (i32.atomic.rmw.add (i32.const 0) (i32.const 1))))"#;
    /// let job = Job::new(&engine, bump).shared_memory(memory.clone());
    /// let handles: Vec<_> = (0..4).map(|_| job.clone().spawn_call("bump", vec![])).collect();
    /// let mut seen: Vec<i32> = handles.into_iter().map(|h| h.join().unwrap()[0].unwrap_i32()).collect();
    /// seen.sort();
    /// assert_eq!(seen, [0, 1, 2, 3]); // each job saw the others' additions
    /// # Ok(()) }
    /// ```
    pub fn shared_memory(mut self, memory: SharedMemory) -> Job {
        self.common.shared_memory = Some(memory);
        self
    }

    /// Starts a thread calling `export` with `args`.
    pub fn spawn_call(self, export: &str, args: Vec<Val>) -> JobHandle<Vec<Val>> {
        self.spawn_call_inner(export, args, None)
    }

    fn spawn_call_inner(self, export: &str, args: Vec<Val>, done: Option<Done>) -> JobHandle<Vec<Val>> {
        let export = export.to_string();
        self.common.spawn(&format!("wasm job `{export}`"), done, move |store, module, memory| {
            for arg in &args {
                check_portable(arg, "argument")?;
            }
            let instance = instantiate(store, &module, memory)?;
            let func = instance
                .get_func(&mut *store, &export)
                .ok_or_else(|| Error::msg(format!("module has no function export `{export}`")))?;
            let ty = func.ty(&*store);
            let mut results: Vec<Val> = ty.result_types().iter().map(Val::placeholder).collect();
            func.call(&mut *store, &args, &mut results)?;
            for r in &results {
                check_portable(r, "result")?;
            }
            Ok(results)
        })
    }

    /// Starts a thread that instantiates the module in a fresh store and
    /// runs `f` with the store and the instance; `f`'s outcome is the
    /// job's. For typed calls, several calls, or reading exports.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let square = r#"(module (func (export "square") (param i64) (result i64)
    ///     local.get 0 local.get 0 i64.mul))"#;
    /// let job = Job::new(&engine, square).spawn_with(|store, instance| {
    ///     let square = instance.get_typed_func::<i64, i64>(&mut *store, "square")?;
    ///     (1..=3).map(|n| square.call(&mut *store, n)).sum::<Result<i64>>()
    /// });
    /// assert_eq!(job.join()?, 1 + 4 + 9);
    /// # Ok(()) }
    /// ```
    pub fn spawn_with<R, F>(self, f: F) -> JobHandle<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store<()>, Instance) -> Result<R> + Send + 'static,
    {
        self.spawn_with_inner(f, None)
    }

    fn spawn_with_inner<R, F>(self, f: F, done: Option<Done>) -> JobHandle<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store<()>, Instance) -> Result<R> + Send + 'static,
    {
        self.common.spawn("wasm job", done, move |store, module, memory| {
            let instance = instantiate(store, &module, memory)?;
            f(store, instance)
        })
    }

    /// Starts a thread calling `export` of `module` with `args`; shorthand
    /// for `Job::new(engine, module).spawn_call(export, args)`.
    pub fn spawn(engine: &Engine, module: impl Into<JobModule>, export: &str, args: Vec<Val>) -> JobHandle<Vec<Val>> {
        Job::new(engine, module).spawn_call(export, args)
    }
}

/// `Err` for a value that cannot cross into or out of a job's store.
fn check_portable(v: &Val, what: &str) -> Result<()> {
    match v {
        Val::FuncRef(Some(_)) | Val::ExternRef(Some(_)) | Val::AnyRef(Some(_)) | Val::ExnRef(Some(_)) => {
            Err(Error::msg(format!("a job {what} must be a number or a null reference, not a {} reference", v.kind_name())))
        }
        _ => Ok(()),
    }
}

/// What a finished [`WasiJob`] produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WasiOutput {
    /// 0 when `_start` returned, else the status given to `proc_exit`.
    pub exit_code: i32,
    /// Everything written to stdout.
    pub stdout: Vec<u8>,
    /// Everything written to stderr.
    pub stderr: Vec<u8>,
}

/// Runs a WASI command's `_start` on its own thread with captured
/// stdout/stderr, in a fresh store.
///
/// Settings are recorded and applied on the job's thread; an invalid one
/// (a NUL in an argument, a missing preopened directory, …) makes
/// [`JobHandle::join`] return the `Err`, as does a compile error or trap.
/// A `proc_exit(n)` is not an error: it is `exit_code: n`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let echo = r#"(module
///     (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
///     (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
///     (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
///     (memory (export "memory") 1)
///     (func (export "_start")
///         (i32.store (i32.const 0) (i32.const 64))    ;; iov.buf
///         (i32.store (i32.const 4) (i32.const 1024))  ;; iov.len
///         (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 4)))
///         (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
///         (call $exit (i32.const 7))))"#;
/// let out = WasiJob::new(&engine, echo).stdin(b"ping".to_vec()).spawn().join()?;
/// assert_eq!(out, WasiOutput { exit_code: 7, stdout: b"ping".to_vec(), stderr: vec![] });
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WasiJob {
    common: Common,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Vec<u8>,
    preopens: Vec<(PathBuf, String, DirPerms, FilePerms)>,
}

impl WasiJob {
    /// A job running the WASI command `module` on `engine`, with no
    /// arguments, environment, stdin, or directories.
    pub fn new(engine: &Engine, module: impl Into<JobModule>) -> WasiJob {
        WasiJob {
            common: Common::new(engine, module.into()),
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
            preopens: Vec::new(),
        }
    }

    /// Appends an argument; see [`WasiConfig::arg`].
    pub fn arg(mut self, arg: impl Into<String>) -> WasiJob {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments; see [`WasiConfig::args`].
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> WasiJob {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable; see [`WasiConfig::env`].
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> WasiJob {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Sets the bytes stdin reads.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> WasiJob {
        self.stdin = bytes.into();
        self
    }

    /// Grants a host directory; see [`WasiConfig::preopen_dir`].
    pub fn preopen_dir(mut self, host_path: impl Into<PathBuf>, guest_path: impl Into<String>, dir_perms: DirPerms, file_perms: FilePerms) -> WasiJob {
        self.preopens.push((host_path.into(), guest_path.into(), dir_perms, file_perms));
        self
    }

    /// Runs with this much fuel; see [`Job::fuel`].
    pub fn fuel(mut self, fuel: u64) -> WasiJob {
        self.common.fuel = Some(fuel);
        self
    }

    /// Defines `memory` as `env.mem` for the command; see
    /// [`Job::shared_memory`].
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_threads(true).shared_memory(true))?;
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1))?;
    /// let command = r#"(module (import "env" "mem" (memory 1 1 shared))
    ///     (memory (export "memory") 1)
    ///     (func (export "_start") (i32.atomic.store (i32.const 0) (i32.const 99))))"#;
    /// WasiJob::new(&engine, command).shared_memory(memory.clone()).spawn().join()?;
    /// let word = Job::new(&engine, r#"(module (import "env" "mem" (memory 1 1 shared))
    ///     (func (export "get") (result i32) (i32.atomic.load (i32.const 0))))"#)
    ///     .shared_memory(memory)
    ///     .spawn_call("get", vec![])
    ///     .join()?;
    /// assert_eq!(word[0].i32(), Some(99));
    /// # Ok(()) }
    /// ```
    pub fn shared_memory(mut self, memory: SharedMemory) -> WasiJob {
        self.common.shared_memory = Some(memory);
        self
    }

    /// Starts the thread.
    pub fn spawn(self) -> JobHandle<WasiOutput> {
        self.spawn_inner(None)
    }

    fn spawn_inner(self, done: Option<Done>) -> JobHandle<WasiOutput> {
        let WasiJob { common, args, env, stdin, preopens } = self;
        common.spawn("wasi job", done, move |store, module, memory| {
            let mut wasi = WasiConfig::new();
            wasi.args(&args)?.envs(env)?.stdin_bytes(stdin);
            for (host, guest, dir_perms, file_perms) in &preopens {
                wasi.preopen_dir(host, guest, *dir_perms, *file_perms)?;
            }
            let stdout = wasi.capture_stdout();
            let stderr = wasi.capture_stderr();
            store.set_wasi(wasi)?;
            let mut linker = Linker::new(store.engine());
            linker.define_wasi()?;
            if let Some(memory) = memory {
                linker.define(&mut *store, "env", "mem", memory)?;
            }
            let exit_code = crate::wasi::exit_code(linker.run_command(&mut *store, &module))?;
            Ok(WasiOutput { exit_code, stdout: stdout.take(), stderr: stderr.take() })
        })
    }
}

/// Names one job of a [`JobSet`]: its place in the set's spawn order.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let mut set = JobSet::new();
/// let ids = set.spawn_n(2, &Job::new(&engine, "(module (func (export \"f\")))"), "f", &[]);
/// assert_eq!(ids.iter().map(|id| id.index()).collect::<Vec<_>>(), [0, 1]);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(usize);

impl JobId {
    /// How many jobs the set had spawned before this one.
    pub fn index(self) -> usize {
        self.0
    }
}

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "job {}", self.0)
    }
}

/// Many jobs, each on its own OS thread, whose outcomes come back in the
/// order the jobs **finish** (each job's thread tells the set when it is
/// done): [`join_next`](JobSet::join_next) waits for the next one,
/// [`try_join`](JobSet::try_join) takes one only if it has finished,
/// [`join`](JobSet::join) waits for all, [`detach`](JobSet::detach) lets
/// them run on without the set.
///
/// `R` is what a job gives back: `Vec<Val>` for [`spawn`](JobSet::spawn) /
/// [`spawn_n`](JobSet::spawn_n), [`WasiOutput`] for
/// [`spawn_wasi`](JobSet::spawn_wasi), anything for
/// [`spawn_with`](JobSet::spawn_with). A job that fails to compile, traps,
/// is interrupted or panics gives an `Err` for that job alone; the set and
/// the joining thread carry on. Dropping the set detaches its jobs, as
/// dropping a [`JobHandle`] does.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::new(Config::new().wasm_threads(true).shared_memory(true))?;
/// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1))?;
/// let count = Module::new(&engine, r#"(module (import "env" "mem" (memory 1 1 shared))
///     (func (export "count") (param $n i32) (local $i i32)
///         (loop $l
///             (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
///             (local.tee $i (i32.add (local.get $i) (i32.const 1)))
///             (br_if $l (i32.lt_u (local.get $n))))))"#)?;
/// let mut set = JobSet::with_shared_memory(memory.clone());
/// set.spawn_n(4, &Job::new(&engine, &count), "count", &[Val::I32(1000)]);
/// assert_eq!(set.len(), 4);
/// for (_id, outcome) in set.join() {
///     outcome?;
/// }
/// let total = Job::new(&engine, r#"(module (import "env" "mem" (memory 1 1 shared))
///     (func (export "get") (result i32) (i32.atomic.load (i32.const 0))))"#)
///     .shared_memory(memory)
///     .spawn_call("get", vec![])
///     .join()?;
/// assert_eq!(total[0].i32(), Some(4000));
/// # Ok(()) }
/// ```
pub struct JobSet<R> {
    running: HashMap<JobId, JobHandle<R>>,
    tx: Sender<JobId>,
    rx: Receiver<JobId>,
    next: usize,
    shared_memory: Option<SharedMemory>,
}

impl<R> std::fmt::Debug for JobSet<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut ids: Vec<_> = self.running.keys().collect();
        ids.sort();
        f.debug_struct("JobSet").field("running", &ids).field("shared_memory", &self.shared_memory).finish()
    }
}

impl<R: Send + 'static> Default for JobSet<R> {
    fn default() -> Self {
        JobSet::new()
    }
}

impl<R: Send + 'static> JobSet<R> {
    /// An empty set.
    ///
    /// ```
    /// let set = wasmtime_mbt::JobSet::<Vec<wasmtime_mbt::Val>>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JobSet<R> {
        let (tx, rx) = channel();
        JobSet { running: HashMap::new(), tx, rx, next: 0, shared_memory: None }
    }

    /// An empty set whose jobs get `memory` as their `env.mem` import,
    /// unless a job has its own ([`Job::shared_memory`],
    /// [`WasiJob::shared_memory`]), which wins.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_threads(true).shared_memory(true))?;
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1))?;
    /// let mut set = JobSet::with_shared_memory(memory.clone());
    /// set.spawn(&Job::new(&engine, r#"(module (import "env" "mem" (memory 1 1 shared))
    ///     (func (export "size") (result i32) memory.size))"#), "size", vec![]);
    /// let (_, size) = set.join_next().unwrap();
    /// assert_eq!(size?[0].i32(), Some(1));
    /// assert!(set.shared_memory().is_some());
    /// # Ok(()) }
    /// ```
    pub fn with_shared_memory(memory: SharedMemory) -> JobSet<R> {
        JobSet { shared_memory: Some(memory), ..JobSet::new() }
    }

    /// The memory given by [`with_shared_memory`](JobSet::with_shared_memory).
    ///
    /// ```
    /// assert!(wasmtime_mbt::JobSet::<()>::new().shared_memory().is_none());
    /// ```
    pub fn shared_memory(&self) -> Option<&SharedMemory> {
        self.shared_memory.as_ref()
    }

    /// How many jobs have not been joined yet (running or finished).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut set = JobSet::new();
    /// set.spawn(&Job::new(&Engine::default(), "(module (func (export \"f\")))"), "f", vec![]);
    /// assert_eq!(set.len(), 1);
    /// set.join_next();
    /// assert_eq!(set.len(), 0);
    /// # Ok(()) }
    /// ```
    pub fn len(&self) -> usize {
        self.running.len()
    }

    /// Whether every job has been joined (or none spawned).
    ///
    /// ```
    /// assert!(wasmtime_mbt::JobSet::<()>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// The next id, and what tells the set when that job is done.
    fn next_done(&mut self) -> Done {
        let id = JobId(self.next);
        self.next += 1;
        Done { id, tx: self.tx.clone() }
    }

    fn insert(&mut self, id: JobId, handle: JobHandle<R>) -> JobId {
        self.running.insert(id, handle);
        id
    }

    /// The job's own memory, else the set's.
    fn with_memory(&self, mut common: Common) -> Common {
        if common.shared_memory.is_none() {
            common.shared_memory = self.shared_memory.clone();
        }
        common
    }

    /// Starts `job` on its own thread with [`Job::spawn_with`]'s `f`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let job = Job::new(&engine, r#"(module (global (export "g") i32 (i32.const 5)))"#);
    /// let mut set = JobSet::new();
    /// set.spawn_with(&job, |store, instance| Ok(instance.get_global(&mut *store, "g").unwrap().get(&mut *store).unwrap_i32()));
    /// set.spawn_with(&job, |_, _| -> Result<i32> { panic!("oops") });
    /// let mut outcomes: Vec<_> = set.join().into_iter().map(|(_, r)| r.map_err(|e| e.to_string())).collect();
    /// outcomes.sort();
    /// assert_eq!(outcomes, [Ok(5), Err("job panicked: oops".to_string())]);
    /// # Ok(()) }
    /// ```
    pub fn spawn_with<F>(&mut self, job: &Job, f: F) -> JobId
    where
        F: FnOnce(&mut Store<()>, Instance) -> Result<R> + Send + 'static,
    {
        let done = self.next_done();
        let id = done.id;
        let job = Job { common: self.with_memory(job.common.clone()) };
        let handle = job.spawn_with_inner(f, Some(done));
        self.insert(id, handle)
    }

    /// Interrupts every job not joined yet; see [`Interrupter::interrupt`].
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().epoch_interruption(true))?;
    /// let mut set = JobSet::new();
    /// set.spawn_n(2, &Job::new(&engine, r#"(module (func (export "spin") (loop br 0)))"#), "spin", &[]);
    /// set.interrupt_all();
    /// for (_, outcome) in set.join() {
    ///     assert_eq!(outcome.unwrap_err().downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn interrupt_all(&self) {
        for handle in self.running.values() {
            handle.interrupt();
        }
    }

    /// Takes the finished job `id` out of the set; `None` for an id it
    /// does not hold (a job whose thread could not start).
    fn take(&mut self, id: JobId) -> Option<(JobId, Result<R>)> {
        let handle = self.running.remove(&id)?;
        // Its thread has told us it is ending: this join waits for no guest.
        Some((id, handle.join()))
    }

    /// Waits for the next job to finish and returns its id and outcome;
    /// `None` if the set is empty. Outcomes come in the order jobs finish,
    /// not the order they were spawned.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let mut set = JobSet::new();
    /// let id = set.spawn(&Job::new(&engine, "(module (func (export \"f\") (result i32) i32.const 3))"), "f", vec![]);
    /// let (done, outcome) = set.join_next().unwrap();
    /// assert_eq!((done, outcome?[0].i32()), (id, Some(3)));
    /// assert!(set.join_next().is_none());
    /// # Ok(()) }
    /// ```
    pub fn join_next(&mut self) -> Option<(JobId, Result<R>)> {
        if self.running.is_empty() {
            return None;
        }
        loop {
            // `self.tx` keeps the channel open, and every job in `running`
            // sends its id once.
            let id = self.rx.recv().expect("the set holds a sender");
            if let Some(done) = self.take(id) {
                return Some(done);
            }
        }
    }

    /// The id and outcome of a job that has finished, without waiting;
    /// `None` if no job not yet joined has finished (or the set is empty).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().epoch_interruption(true))?;
    /// let mut set = JobSet::new();
    /// set.spawn(&Job::new(&engine, r#"(module (func (export "spin") (loop br 0)))"#), "spin", vec![]);
    /// assert!(set.try_join().is_none()); // it never finishes by itself
    /// set.interrupt_all();
    /// let (_, outcome) = loop {
    ///     if let Some(done) = set.try_join() { break done; }
    ///     std::thread::yield_now();
    /// };
    /// assert!(outcome.is_err());
    /// # Ok(()) }
    /// ```
    pub fn try_join(&mut self) -> Option<(JobId, Result<R>)> {
        loop {
            match self.rx.try_recv() {
                Ok(id) => {
                    if let Some(done) = self.take(id) {
                        return Some(done);
                    }
                }
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => unreachable!("the set holds a sender"),
            }
        }
    }

    /// Waits for every job; their ids and outcomes in the order they
    /// finished.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let mut set = JobSet::new();
    /// for n in 0..3 {
    ///     set.spawn(&Job::new(&engine, "(module (func (export \"id\") (param i32) (result i32) local.get 0))"), "id", vec![Val::I32(n)]);
    /// }
    /// let mut got: Vec<i32> = set.join().into_iter().map(|(_, r)| r.unwrap()[0].unwrap_i32()).collect();
    /// got.sort();
    /// assert_eq!(got, [0, 1, 2]);
    /// # Ok(()) }
    /// ```
    pub fn join(mut self) -> Vec<(JobId, Result<R>)> {
        let mut out = Vec::with_capacity(self.running.len());
        while let Some(done) = self.join_next() {
            out.push(done);
        }
        out
    }

    /// Drops the set without waiting: its jobs run on to the end, and
    /// their outcomes are dropped. Interrupt them first
    /// ([`interrupt_all`](JobSet::interrupt_all)) to stop them. Dropping
    /// the set does the same; this says so.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().epoch_interruption(true))?;
    /// let mut set = JobSet::new();
    /// set.spawn(&Job::new(&engine, r#"(module (func (export "spin") (loop br 0)))"#), "spin", vec![]);
    /// set.interrupt_all();
    /// set.detach(); // returns at once; the job's thread ends by itself
    /// # Ok(()) }
    /// ```
    pub fn detach(self) {
        drop(self)
    }
}

impl JobSet<Vec<Val>> {
    /// Starts a thread calling `export` of `job` with `args`, as
    /// [`Job::spawn_call`].
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let add = Job::new(&engine, r#"(module (func (export "add") (param i32 i32) (result i32)
    ///     local.get 0 local.get 1 i32.add))"#);
    /// let mut set = JobSet::new();
    /// let a = set.spawn(&add, "add", vec![Val::I32(1), Val::I32(2)]);
    /// let b = set.spawn(&add, "add", vec![Val::I32(3), Val::I32(4)]);
    /// let mut sums: Vec<_> = set.join().into_iter().map(|(id, r)| (id, r.unwrap()[0].unwrap_i32())).collect();
    /// sums.sort();
    /// assert_eq!(sums, [(a, 3), (b, 7)]);
    /// # Ok(()) }
    /// ```
    pub fn spawn(&mut self, job: &Job, export: &str, args: Vec<Val>) -> JobId {
        let done = self.next_done();
        let id = done.id;
        let job = Job { common: self.with_memory(job.common.clone()) };
        let handle = job.spawn_call_inner(export, args, Some(done));
        self.insert(id, handle)
    }

    /// Starts `n` copies of the same call, each on its own thread with its
    /// own store; their ids in spawn order. A job from bytes compiles (or
    /// deserializes) them once per copy: give it a compiled [`Module`] to
    /// compile once.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, "(module (func (export \"f\") (result i32) i32.const 1))")?;
    /// let mut set = JobSet::new();
    /// let ids = set.spawn_n(8, &Job::new(&engine, &module), "f", &[]);
    /// assert_eq!((ids.len(), set.len()), (8, 8));
    /// let total: i32 = set.join().into_iter().map(|(_, r)| r.unwrap()[0].unwrap_i32()).sum();
    /// assert_eq!(total, 8);
    /// # Ok(()) }
    /// ```
    pub fn spawn_n(&mut self, n: usize, job: &Job, export: &str, args: &[Val]) -> Vec<JobId> {
        (0..n).map(|_| self.spawn(job, export, args.to_vec())).collect()
    }
}

impl JobSet<WasiOutput> {
    /// Starts a WASI command, as [`WasiJob::spawn`].
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let exit = r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    ///     (memory (export "memory") 1)
    ///     (func (export "_start") (call $exit (i32.const 3))))"#;
    /// let mut set = JobSet::new();
    /// set.spawn_wasi(&WasiJob::new(&engine, exit));
    /// assert_eq!(set.join_next().unwrap().1?.exit_code, 3);
    /// # Ok(()) }
    /// ```
    pub fn spawn_wasi(&mut self, job: &WasiJob) -> JobId {
        let done = self.next_done();
        let id = done.id;
        let mut job = job.clone();
        job.common = self.with_memory(job.common);
        let handle = job.spawn_inner(Some(done));
        self.insert(id, handle)
    }
}
