//! Running modules on their own OS threads: [`Job`] calls one export,
//! [`WasiJob`] runs a WASI command with captured output; both hand back a
//! [`JobHandle`] to [`join`](JobHandle::join) or
//! [`interrupt`](JobHandle::interrupt).
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
//! leaves the epoch alone.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::{DirPerms, Engine, Error, FilePerms, Instance, Linker, Module, Result, Store, Trap, I32Exit, UpdateDeadline, Val, WasiConfig};

/// The module a job runs: already compiled, or wasm/WAT bytes compiled on
/// the job's thread (a compile error then comes back from
/// [`JobHandle::join`]).
#[derive(Debug, Clone)]
pub enum JobModule {
    /// A compiled module; it must belong to the job's engine.
    Compiled(Module),
    /// A binary module or WAT text, compiled by the job.
    Bytes(Vec<u8>),
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
    fn compile(self, engine: &Engine) -> Result<Module> {
        match self {
            JobModule::Compiled(m) => Ok(m),
            JobModule::Bytes(b) => Module::new(engine, b),
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
}

impl Common {
    /// Runs `body` in a fresh store on a new thread, with fuel and
    /// per-job epoch interruption set up.
    fn spawn<R, F>(self, name: &str, body: F) -> JobHandle<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store<()>, Module) -> Result<R> + Send + 'static,
    {
        let flag = Arc::new(AtomicBool::new(false));
        let running = Arc::new(AtomicBool::new(false));
        let interrupter = Interrupter { flag: flag.clone(), running: running.clone(), engine: self.engine.clone() };
        let run = move || -> Result<R> {
            let Common { engine, module, fuel } = self;
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
            let outcome = body(&mut store, module);
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

fn interrupted() -> Error {
    Error::new(Trap::Interrupt)
}

/// Calls one export of a module on its own thread, in a fresh store.
///
/// The module must not have imports. Arguments and results are numbers
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
        Job { common: Common { engine: engine.clone(), module: module.into(), fuel: None } }
    }

    /// Runs with this much fuel; the engine needs
    /// [`Config::consume_fuel`](crate::Config::consume_fuel) (else `join`
    /// returns the error). Running out traps with
    /// [`Trap::OutOfFuel`].
    pub fn fuel(mut self, fuel: u64) -> Job {
        self.common.fuel = Some(fuel);
        self
    }

    /// Starts a thread calling `export` with `args`.
    pub fn spawn_call(self, export: &str, args: Vec<Val>) -> JobHandle<Vec<Val>> {
        let export = export.to_string();
        self.common.spawn(&format!("wasm job `{export}`"), move |store, module| {
            for arg in &args {
                check_portable(arg, "argument")?;
            }
            let instance = Instance::new(&mut *store, &module, &[])?;
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
            common: Common { engine: engine.clone(), module: module.into(), fuel: None },
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

    /// Starts the thread.
    pub fn spawn(self) -> JobHandle<WasiOutput> {
        let WasiJob { common, args, env, stdin, preopens } = self;
        common.spawn("wasi job", move |store, module| {
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
            let exit_code = crate::wasi::exit_code(linker.run_command(&mut *store, &module))?;
            Ok(WasiOutput { exit_code, stdout: stdout.take(), stderr: stderr.take() })
        })
    }
}
