//! The `api_sequence` check: a sequence of safe-API operations decoded from
//! the input — stores, linkers, host functions, memories, tables, globals,
//! instantiation, calls, grows, cross-store use, dropped stores, async
//! calls polled and dropped, WASI on and off — run on `wasmtime_mbt` and,
//! where the native crate defines the result, on native `wasmtime` too.
//!
//! It must never abort; every operation's outcome (value, error with its
//! trap code, or panic such as "object used with the wrong store") must be
//! the same on both; and once everything is dropped, no C object may be
//! left ([`wasmtime_mbt::live_c_objects`]) and every host closure and
//! `ExternRef` payload must have been dropped ([`Guard`]).

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use arbitrary::Unstructured;
use wasmtime_mbt as mbt;

/// Most operations run per input.
const MAX_OPS: usize = 48;
/// Fuel given to a new store (both crates count it identically).
const FUEL: u64 = 20_000;

/// Host closures and `ExternRef` payloads alive on the mbt side.
static GUARDS: AtomicUsize = AtomicUsize::new(0);

/// Counts itself alive; captured by mbt host closures and carried by mbt
/// `ExternRef`s, so that a finalizer C never ran shows up as a leak.
#[derive(Debug)]
pub struct Guard;

impl Guard {
    fn new() -> Guard {
        GUARDS.fetch_add(1, Ordering::SeqCst);
        Guard
    }
}

impl Clone for Guard {
    fn clone(&self) -> Guard {
        Guard::new()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        GUARDS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The payload of an mbt `ExternRef`.
struct Payload(u32, #[allow(dead_code)] Guard);

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that stays silent for the panics this check
/// expects and catches (libFuzzer's own hook aborts on any panic).
pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info)
            }
        }));
    });
}

/// Runs `f`, turning a panic into `Err(message)`.
fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    QUIET.with(|q| q.set(true));
    let r = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    r.map_err(|p| p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default())
}

/// One operation's outcome, comparable across the crates.
#[derive(Debug, PartialEq, Eq)]
enum Out {
    Ok(String),
    /// An error; its trap code if it is a trap.
    Err(Option<String>),
    /// A panic; messages are compared for the "wrong store" family only.
    Panic(bool),
    /// mbt only: the error a panicking host function turns into.
    HostPanicErr,
}

fn panic_out(message: &str) -> Out {
    Out::Panic(message.contains("wrong store"))
}

fn mbt_out<V: std::fmt::Debug>(r: Result<mbt::Result<V>, String>) -> Out {
    match r {
        Ok(Ok(v)) => Out::Ok(format!("{v:?}")),
        Ok(Err(e)) if format!("{e:#}").contains("host function panicked") => Out::HostPanicErr,
        Ok(Err(e)) => Out::Err(e.downcast_ref::<mbt::Trap>().map(|t| format!("{t:?}"))),
        Err(p) => panic_out(&p),
    }
}

fn native_out<V: std::fmt::Debug>(r: Result<wasmtime::Result<V>, String>) -> Out {
    match r {
        Ok(Ok(v)) => Out::Ok(format!("{v:?}")),
        Ok(Err(e)) => Out::Err(e.downcast_ref::<wasmtime::Trap>().map(|t| format!("{t:?}"))),
        Err(p) => panic_out(&p),
    }
}

/// The engines and modules, made once per process (they count in the
/// baseline of live C objects).
struct Shared {
    mbt: mbt::Engine,
    native: wasmtime::Engine,
    /// (mbt, native) pairs of [`MODULES`].
    modules: Vec<(mbt::Module, wasmtime::Module)>,
    wasi: mbt::Module,
}

/// Module 0 imports everything from "host"; module 1 exports a memory, a
/// global, a table and functions and imports nothing.
const MODULES: [&str; 2] = [
    r#"(module
        (import "host" "f" (func $f (param i32) (result i32)))
        (import "host" "m" (memory 1))
        (import "host" "g" (global (mut i32)))
        (import "host" "t" (table 1 funcref))
        (type $sig (func (param i32) (result i32)))
        (func (export "call_host") (param i32) (result i32) local.get 0 call $f)
        (func (export "load") (param i32) (result i32) local.get 0 i32.load)
        (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
        (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
        (func (export "gset") (param i32) local.get 0 global.set 0)
        (func (export "gget") (result i32) global.get 0)
        (func (export "tcall") (param i32 i32) (result i32) local.get 1 local.get 0 call_indirect (type $sig))
        (func (export "spin") (param i32) (loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0))
        (func (export "ext") (param externref) (result externref) local.get 0))"#,
    r#"(module
        (memory (export "m") 1 4)
        (global (export "g") (mut i32) (i32.const 5))
        (table (export "t") 2 funcref)
        (func $id (export "id") (param i32) (result i32) local.get 0)
        (elem (i32.const 0) $id)
        (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
        (func (export "spin") (param i32) (loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0))
        (func (export "ext") (param externref) (result externref) local.get 0))"#,
];

/// A WASI command (mbt only: the native side has no WASI here).
const WASI: &str = r#"(module
    (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 8) "hi\n")
    (func (export "write") (result i32)
        (i32.store (i32.const 0) (i32.const 8)) (i32.store (i32.const 4) (i32.const 3))
        (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
    (func (export "exit") (param i32) local.get 0 call $exit)
    (func (export "_start")))"#;

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut mc = mbt::Config::new();
        mc.consume_fuel(true);
        let mut nc = wasmtime::Config::new();
        nc.consume_fuel(true);
        let mbt = mbt::Engine::new(&mc).expect("mbt engine");
        let native = wasmtime::Engine::new(&nc).expect("native engine");
        let modules: Vec<(mbt::Module, wasmtime::Module)> =
            MODULES.iter().map(|w| (mbt::Module::new(&mbt, w).expect("mbt module"), wasmtime::Module::new(&native, w).expect("native module"))).collect();
        let wasi = mbt::Module::new(&mbt, WASI).expect("wasi module");
        // A module reads its import and export types on first use and keeps
        // them (a function type keeps its C type): read them now, so that
        // the C objects they hold are in every check's baseline.
        for m in modules.iter().map(|(m, _)| m).chain([&wasi]) {
            m.imports().for_each(drop);
            m.exports().for_each(drop);
        }
        Shared { mbt, native, modules, wasi }
    })
}

/// An object on both sides, and the store it was made in.
enum Obj {
    Memory(mbt::Memory, wasmtime::Memory),
    Table(mbt::Table, wasmtime::Table),
    Global(mbt::Global, wasmtime::Global),
    Func(mbt::Func, wasmtime::Func),
    Instance(mbt::Instance, wasmtime::Instance),
}

impl Obj {
    fn externs(&self) -> Option<(mbt::Extern, wasmtime::Extern)> {
        Some(match self {
            Obj::Memory(a, b) => ((*a).into(), (*b).into()),
            Obj::Table(a, b) => ((*a).into(), (*b).into()),
            Obj::Global(a, b) => ((*a).into(), (*b).into()),
            Obj::Func(a, b) => ((*a).into(), (*b).into()),
            Obj::Instance(..) => return None,
        })
    }
}

type Stores = (mbt::Store<u64>, wasmtime::Store<u64>);

#[derive(Default)]
struct World {
    stores: Vec<Option<Stores>>,
    objs: Vec<(usize, Obj)>,
    linkers: Vec<(mbt::Linker<u64>, wasmtime::Linker<u64>)>,
    /// Operations run, for statistics.
    ops: usize,
}

/// A host function on both sides: `kind` 0 returns `x * 3` and counts the
/// call in the store's data, 1 returns an error, 2 panics.
fn host_funcs(kind: u8, ms: &mut mbt::Store<u64>, ns: &mut wasmtime::Store<u64>) -> (mbt::Func, wasmtime::Func) {
    let guard = Guard::new();
    let m = mbt::Func::wrap(ms, move |mut c: mbt::Caller<'_, u64>, x: i32| -> mbt::Result<i32> {
        let _ = &guard;
        *c.data_mut() += 1;
        match kind {
            0 => Ok(x.wrapping_mul(3)),
            1 => Err(mbt::Error::msg("host error")),
            _ => panic!("host panic"),
        }
    });
    let n = wasmtime::Func::wrap(ns, move |mut c: wasmtime::Caller<'_, u64>, x: i32| -> wasmtime::Result<i32> {
        *c.data_mut() += 1;
        match kind {
            0 => Ok(x.wrapping_mul(3)),
            1 => Err(wasmtime::Error::msg("host error")),
            _ => panic!("host panic"),
        }
    });
    (m, n)
}

/// A small scalar argument; often an edge value.
fn int(u: &mut Unstructured<'_>) -> i32 {
    match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => *u.choose(&[0, 1, -1, 4, 65532, 65536, i32::MIN, i32::MAX]).unwrap_or(&0),
        _ => u.int_in_range(-8..=70_000).unwrap_or(0),
    }
}

impl World {
    fn pick_store(&self, u: &mut Unstructured<'_>) -> Option<usize> {
        let live: Vec<usize> = (0..self.stores.len()).filter(|i| self.stores[*i].is_some()).collect();
        u.choose(&live).ok().copied()
    }

    fn pick_obj(&self, u: &mut Unstructured<'_>) -> Option<usize> {
        (!self.objs.is_empty()).then(|| u.choose_index(self.objs.len()).ok()).flatten()
    }

    /// The store an operation on object `o` runs in: usually its own, on
    /// purpose sometimes another (cross-store use must panic on both).
    fn store_for(&self, u: &mut Unstructured<'_>, o: usize) -> Option<usize> {
        let own = self.objs[o].0;
        if self.stores[own].is_some() && !u.ratio(1, 6).unwrap_or(false) {
            Some(own)
        } else {
            self.pick_store(u)
        }
    }

    fn compare(&self, what: &str, m: Out, n: Out) {
        if m == n {
            return;
        }
        if let Some(finding) = known_divergence(&m, &n) {
            if !strict() {
                return;
            }
            panic!("{what}: {finding}: mbt {m:?}, native {n:?}");
        }
        panic!("{what}: mbt and native differ: mbt {m:?}, native {n:?}");
    }

    fn step(&mut self, u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
        self.ops += 1;
        let sh = shared();
        match u.int_in_range(0..=21u8)? {
            0 | 1 => {
                let mut ms = mbt::Store::new(&sh.mbt, 0u64);
                let mut ns = wasmtime::Store::new(&sh.native, 0u64);
                ms.set_fuel(FUEL).expect("fuel");
                ns.set_fuel(FUEL).expect("fuel");
                self.stores.push(Some((ms, ns)));
            }
            2 => {
                if let Some(s) = self.pick_store(u) {
                    self.stores[s] = None;
                }
            }
            3 => {
                let Some(s) = self.pick_store(u) else { return Ok(()) };
                let (min, max) = (u.int_in_range(0..=3u32)?, u.int_in_range(0..=5u32)?);
                let max = u.arbitrary::<bool>()?.then_some(max);
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let m = catch(|| mbt::Memory::new(&mut *ms, mbt::MemoryType::new(min, max)));
                let n = catch(|| wasmtime::Memory::new(&mut *ns, wasmtime::MemoryType::new(min, max)));
                if let (Ok(Ok(a)), Ok(Ok(b))) = (&m, &n) {
                    self.objs.push((s, Obj::Memory(*a, *b)));
                }
                self.compare("Memory::new", mbt_out(m.map(|r| r.map(|_| ()))), native_out(n.map(|r| r.map(|_| ()))));
            }
            4 => {
                let Some(s) = self.pick_store(u) else { return Ok(()) };
                let (min, max) = (u.int_in_range(0..=3u32)?, u.int_in_range(0..=5u32)?);
                let max = u.arbitrary::<bool>()?.then_some(max);
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let m = catch(|| mbt::Table::new(&mut *ms, mbt::TableType::new(mbt::RefType::FUNCREF, min, max), mbt::Ref::Func(None)));
                let n = catch(|| wasmtime::Table::new(&mut *ns, wasmtime::TableType::new(wasmtime::RefType::FUNCREF, min, max), wasmtime::Ref::Func(None)));
                if let (Ok(Ok(a)), Ok(Ok(b))) = (&m, &n) {
                    self.objs.push((s, Obj::Table(*a, *b)));
                }
                self.compare("Table::new", mbt_out(m.map(|r| r.map(|_| ()))), native_out(n.map(|r| r.map(|_| ()))));
            }
            5 => {
                let Some(s) = self.pick_store(u) else { return Ok(()) };
                let mutable = u.arbitrary::<bool>()?;
                let v = int(u);
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let mm = if mutable { mbt::Mutability::Var } else { mbt::Mutability::Const };
                let nm = if mutable { wasmtime::Mutability::Var } else { wasmtime::Mutability::Const };
                let m = catch(|| mbt::Global::new(&mut *ms, mbt::GlobalType::new(mbt::ValType::I32, mm), mbt::Val::I32(v)));
                let n = catch(|| wasmtime::Global::new(&mut *ns, wasmtime::GlobalType::new(wasmtime::ValType::I32, nm), wasmtime::Val::I32(v)));
                if let (Ok(Ok(a)), Ok(Ok(b))) = (&m, &n) {
                    self.objs.push((s, Obj::Global(*a, *b)));
                }
                self.compare("Global::new", mbt_out(m.map(|r| r.map(|_| ()))), native_out(n.map(|r| r.map(|_| ()))));
            }
            6 => {
                let Some(s) = self.pick_store(u) else { return Ok(()) };
                let kind = u.int_in_range(0..=2u8)?;
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let (a, b) = host_funcs(kind, ms, ns);
                self.objs.push((s, Obj::Func(a, b)));
            }
            7 => {
                // Instantiate module 1 (no imports) or module 0 with imports
                // picked from the objects (of any store).
                let Some(s) = self.pick_store(u) else { return Ok(()) };
                let which = u.int_in_range(0..=1usize)?;
                let mut mi = Vec::new();
                let mut ni = Vec::new();
                if which == 0 {
                    for _ in 0..4 {
                        let Some(o) = self.pick_obj(u) else { return Ok(()) };
                        let Some((a, b)) = self.objs[o].1.externs() else { return Ok(()) };
                        mi.push(a);
                        ni.push(b);
                    }
                }
                let (mm, nm) = &sh.modules[which];
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let m = catch(|| mbt::Instance::new(&mut *ms, mm, &mi));
                let n = catch(|| wasmtime::Instance::new(&mut *ns, nm, &ni));
                if let (Ok(Ok(a)), Ok(Ok(b))) = (&m, &n) {
                    self.objs.push((s, Obj::Instance(*a, *b)));
                }
                self.compare("Instance::new", mbt_out(m.map(|r| r.map(|_| ()))), native_out(n.map(|r| r.map(|_| ()))));
            }
            8 => {
                self.linkers.push((mbt::Linker::new(&sh.mbt), wasmtime::Linker::new(&sh.native)));
            }
            9 => {
                // Define an object in a linker, under one of module 0's
                // import names (maybe the wrong kind), from some store.
                if self.linkers.is_empty() {
                    return Ok(());
                }
                let l = u.choose_index(self.linkers.len())?;
                let Some(o) = self.pick_obj(u) else { return Ok(()) };
                let Some(s) = self.store_for(u, o) else { return Ok(()) };
                let name = *u.choose(&["f", "m", "g", "t"])?;
                let Some((a, b)) = self.objs[o].1.externs() else { return Ok(()) };
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let (ml, nl) = &mut self.linkers[l];
                ml.allow_shadowing(true);
                nl.allow_shadowing(true);
                let m = catch(|| ml.define(&mut *ms, "host", name, a).map(|_| ()));
                let n = catch(|| nl.define(&mut *ns, "host", name, b).map(|_| ()));
                self.compare("Linker::define", mbt_out(m), native_out(n));
            }
            10 => {
                if self.linkers.is_empty() {
                    return Ok(());
                }
                let l = u.choose_index(self.linkers.len())?;
                let kind = u.int_in_range(0..=2u8)?;
                let guard = Guard::new();
                let (ml, nl) = &mut self.linkers[l];
                ml.allow_shadowing(true);
                nl.allow_shadowing(true);
                let m = ml
                    .func_wrap("host", "f", move |mut c: mbt::Caller<'_, u64>, x: i32| -> mbt::Result<i32> {
                        let _ = &guard;
                        *c.data_mut() += 1;
                        match kind {
                            0 => Ok(x ^ 0x55),
                            1 => Err(mbt::Error::msg("linker host error")),
                            _ => panic!("linker host panic"),
                        }
                    })
                    .map(|_| ());
                let n = nl
                    .func_wrap("host", "f", move |mut c: wasmtime::Caller<'_, u64>, x: i32| -> wasmtime::Result<i32> {
                        *c.data_mut() += 1;
                        match kind {
                            0 => Ok(x ^ 0x55),
                            1 => Err(wasmtime::Error::msg("linker host error")),
                            _ => panic!("linker host panic"),
                        }
                    })
                    .map(|_| ());
                self.compare("Linker::func_wrap", mbt_out(Ok(m)), native_out(Ok(n)));
            }
            11 => {
                if self.linkers.is_empty() {
                    return Ok(());
                }
                let l = u.choose_index(self.linkers.len())?;
                let Some(s) = self.pick_store(u) else { return Ok(()) };
                let which = u.int_in_range(0..=1usize)?;
                let (mm, nm) = &sh.modules[which];
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let (ml, nl) = &self.linkers[l];
                // A linker may hold memories and tables of other stores
                // (issue 15, item 4: once an abort inside C, now the "wrong
                // store" panic on both crates).
                let m = catch(|| ml.instantiate(&mut *ms, mm));
                let n = catch(|| nl.instantiate(&mut *ns, nm));
                if let (Ok(Ok(a)), Ok(Ok(b))) = (&m, &n) {
                    self.objs.push((s, Obj::Instance(*a, *b)));
                }
                self.compare("Linker::instantiate", mbt_out(m.map(|r| r.map(|_| ()))), native_out(n.map(|r| r.map(|_| ()))));
            }
            12..=15 => self.call(u)?,
            16 => {
                let Some(o) = self.pick_obj(u) else { return Ok(()) };
                let Some(s) = self.store_for(u, o) else { return Ok(()) };
                let delta = u.int_in_range(0..=3u64)?;
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                match &self.objs[o].1 {
                    Obj::Memory(a, b) => {
                        let m = catch(|| a.grow(&mut *ms, delta));
                        let n = catch(|| b.grow(&mut *ns, delta));
                        self.compare("Memory::grow", mbt_out(m), native_out(n));
                    }
                    Obj::Table(a, b) => {
                        let m = catch(|| a.grow(&mut *ms, delta, mbt::Ref::Func(None)));
                        let n = catch(|| b.grow(&mut *ns, delta, wasmtime::Ref::Func(None)));
                        self.compare("Table::grow", mbt_out(m), native_out(n));
                    }
                    _ => {}
                }
            }
            17 => {
                // Read or write memory, get or set a global or table slot.
                let Some(o) = self.pick_obj(u) else { return Ok(()) };
                let Some(s) = self.store_for(u, o) else { return Ok(()) };
                let offset = u.int_in_range(0..=70_000usize)?;
                let v = int(u);
                let write = u.arbitrary::<bool>()?;
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                match &self.objs[o].1 {
                    Obj::Memory(a, b) => {
                        let (mut x, mut y) = ([0u8; 8], [0u8; 8]);
                        let m = catch(|| if write { a.write(&mut *ms, offset, &v.to_le_bytes()).map_err(mbt::Error::from) } else { a.read(&*ms, offset, &mut x).map_err(mbt::Error::from) }.map(|()| x));
                        let n = catch(|| if write { b.write(&mut *ns, offset, &v.to_le_bytes()).map_err(wasmtime::Error::from) } else { b.read(&*ns, offset, &mut y).map_err(wasmtime::Error::from) }.map(|()| y));
                        self.compare("Memory::read/write", mbt_out(m), native_out(n));
                    }
                    Obj::Global(a, b) => {
                        let m = catch(|| if write { a.set(&mut *ms, mbt::Val::I32(v)).map(|()| None) } else { Ok(a.get(&mut *ms).i32()) });
                        let n = catch(|| if write { b.set(&mut *ns, wasmtime::Val::I32(v)).map(|()| None) } else { Ok(b.get(&mut *ns).i32()) });
                        self.compare("Global::get/set", mbt_out(m), native_out(n));
                    }
                    Obj::Table(a, b) => {
                        let i = u64::from(v as u32 % 8);
                        let m = catch(|| if write { a.set(&mut *ms, i, mbt::Ref::Func(None)).map(|()| None) } else { Ok(a.get(&mut *ms, i).map(|r| r.is_null())) });
                        let n = catch(|| if write { b.set(&mut *ns, i, wasmtime::Ref::Func(None)).map(|()| None) } else { Ok(b.get(&mut *ns, i).map(|r| r.is_null())) });
                        self.compare("Table::get/set", mbt_out(m), native_out(n));
                    }
                    _ => {}
                }
            }
            18 => {
                let Some(s) = self.pick_store(u) else { return Ok(()) };
                let fuel = u.int_in_range(0..=FUEL)?;
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let m = catch(|| ms.set_fuel(fuel).and_then(|()| ms.get_fuel()));
                let n = catch(|| ns.set_fuel(fuel).and_then(|()| ns.get_fuel()));
                self.compare("set_fuel/get_fuel", mbt_out(m), native_out(n));
            }
            19 => self.async_call(u)?,
            20 => self.wasi(u)?,
            _ => {
                // Garbage collection and the store's data (host calls count
                // themselves there).
                let Some(s) = self.pick_store(u) else { return Ok(()) };
                let (ms, ns) = self.stores[s].as_mut().unwrap();
                let m = catch(|| ms.gc(None).map(|()| *ms.data()));
                let n = catch(|| ns.gc(None).map(|()| *ns.data()));
                self.compare("gc/data", mbt_out(m), native_out(n));
            }
        }
        Ok(())
    }

    /// Calls an instance's export or a host function, dynamically or typed,
    /// maybe in the wrong store.
    fn call(&mut self, u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
        let Some(o) = self.pick_obj(u) else { return Ok(()) };
        let Some(s) = self.store_for(u, o) else { return Ok(()) };
        let (mf, nf) = match &self.objs[o].1 {
            Obj::Func(a, b) => (*a, *b),
            Obj::Instance(a, b) => {
                let names = ["call_host", "load", "store", "grow", "gset", "gget", "tcall", "spin", "ext", "id", "div"];
                let name = *u.choose(&names)?;
                let own = self.objs[o].0;
                let Some((ms, ns)) = self.stores[own].as_mut() else { return Ok(()) };
                let (Some(a), Some(b)) = (a.get_func(&mut *ms, name), b.get_func(&mut *ns, name)) else { return Ok(()) };
                (a, b)
            }
            _ => return Ok(()),
        };
        let typed = u.arbitrary::<bool>()?;
        let (x, y) = (int(u), int(u));
        let with_ext = u.arbitrary::<bool>()?;
        let (ms, ns) = self.stores[s].as_mut().unwrap();
        let mty = catch(|| mf.ty(&*ms));
        let nty = catch(|| nf.ty(&*ns));
        let (Ok(mty), Ok(nty)) = (mty, nty) else {
            // Wrong store: both must panic.
            let m = catch(|| mf.ty(&*ms)).map(|_| Ok::<_, mbt::Error>(()));
            let n = catch(|| nf.ty(&*ns)).map(|_| Ok::<_, wasmtime::Error>(()));
            self.compare("Func::ty", mbt_out(m), native_out(n));
            return Ok(());
        };
        let params: Vec<mbt::ValType> = mty.params().collect();
        let margs: Vec<mbt::Val> = params
            .iter()
            .enumerate()
            .map(|(i, t)| match t {
                mbt::ValType::I32 => mbt::Val::I32(if i == 0 { x } else { y }),
                _ if with_ext => mbt::Val::ExternRef(mbt::ExternRef::new(&mut *ms, Payload(x as u32, Guard::new())).ok()),
                _ => mbt::Val::ExternRef(None),
            })
            .collect();
        let nargs: Vec<wasmtime::Val> = nty
            .params()
            .enumerate()
            .map(|(i, t)| match t {
                wasmtime::ValType::I32 => wasmtime::Val::I32(if i == 0 { x } else { y }),
                _ if with_ext => wasmtime::Val::ExternRef(wasmtime::ExternRef::new(&mut *ns, x as u32).ok()),
                _ => wasmtime::Val::ExternRef(None),
            })
            .collect();
        let nres = nty.results().len();
        let m = catch(|| -> mbt::Result<String> {
            match (typed, params.as_slice(), mty.results().len()) {
                (true, [mbt::ValType::I32], 1) => mf.typed::<i32, i32>(&*ms)?.call(&mut *ms, x).map(|r| format!("[I32({r})]")),
                (true, [mbt::ValType::I32, mbt::ValType::I32], 0) => mf.typed::<(i32, i32), ()>(&*ms)?.call(&mut *ms, (x, y)).map(|()| "[]".into()),
                (true, [mbt::ValType::I32], 0) => mf.typed::<i32, ()>(&*ms)?.call(&mut *ms, x).map(|()| "[]".into()),
                _ => {
                    let mut out: Vec<mbt::Val> = mty.results().map(|_| mbt::Val::I32(0)).collect();
                    mf.call(&mut *ms, &margs, &mut out)?;
                    Ok(describe_mbt(ms, &out))
                }
            }
        });
        let n = catch(|| -> wasmtime::Result<String> {
            let mut out: Vec<wasmtime::Val> = (0..nres).map(|_| wasmtime::Val::I32(0)).collect();
            nf.call(&mut *ns, &nargs, &mut out)?;
            Ok(describe_native(ns, &out))
        });
        self.compare("call", mbt_out(m), native_out(n));
        Ok(())
    }

    /// mbt only: an async call polled a few times, then dropped or finished.
    fn async_call(&mut self, u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
        let Some(o) = self.pick_obj(u) else { return Ok(()) };
        let Obj::Instance(a, _) = &self.objs[o].1 else { return Ok(()) };
        let a = *a;
        let own = self.objs[o].0;
        let Some(s) = self.store_for(u, o) else { return Ok(()) };
        let polls = u.int_in_range(0..=4u8)?;
        let n = u.int_in_range(0..=5000i32)?;
        let interval = u.int_in_range(1..=500u64)?;
        let Some((ms, _)) = self.stores[own].as_mut() else { return Ok(()) };
        let Some(spin) = a.get_func(&mut *ms, "spin") else { return Ok(()) };
        let (ms, ns) = self.stores[s].as_mut().unwrap();
        // Finding 4 was this harness's: the interval makes a store require
        // `*_async` entry points from then on (in both crates), so a later
        // sync call failed on the mbt side only. The native store gets it
        // too (its call is not mirrored: no async here).
        let _ = ns.fuel_async_yield_interval(Some(interval));
        let _ = ns.fuel_async_yield_interval(None);
        let r = catch(|| -> mbt::Result<()> {
            ms.fuel_async_yield_interval(Some(interval))?;
            let mut fut = std::pin::pin!(spin.call_async(&mut *ms, &[mbt::Val::I32(n)], &mut []));
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            for _ in 0..polls {
                if fut.as_mut().poll(&mut cx).is_ready() {
                    break;
                }
            }
            Ok(())
        });
        if let Err(p) = r {
            assert!(p.contains("wrong store"), "async call panicked: {p}");
        }
        let _ = ms.fuel_async_yield_interval(None);
        Ok(())
    }

    /// mbt only: WASI imports linked, the store's WASI context set or not.
    fn wasi(&mut self, u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
        let Some(s) = self.pick_store(u) else { return Ok(()) };
        let set = u.arbitrary::<bool>()?;
        let export = *u.choose(&["write", "exit", "_start"])?;
        let typed = u.arbitrary::<bool>()?;
        let code = u.int_in_range(0..=3i32)?;
        // Without `set_wasi`, typed calls included (issue 15, item 5: an
        // empty WASI context is installed, nothing aborts).
        let sh = shared();
        let (ms, _) = self.stores[s].as_mut().unwrap();
        let r = catch(|| -> mbt::Result<()> {
            let mut linker = mbt::Linker::<u64>::new(&sh.mbt);
            linker.define_wasi()?;
            if set {
                let mut config = mbt::WasiConfig::new();
                let _ = config.capture_stdout();
                ms.set_wasi(config)?;
            }
            let instance = linker.instantiate(&mut *ms, &sh.wasi)?;
            let f = instance.get_func(&mut *ms, export).expect("export");
            match (export, typed) {
                ("write", true) => f.typed::<(), i32>(&*ms)?.call(&mut *ms, ()).map(drop),
                ("exit", true) => f.typed::<i32, ()>(&*ms)?.call(&mut *ms, code),
                (_, true) => f.typed::<(), ()>(&*ms)?.call(&mut *ms, ()),
                ("exit", false) => f.call(&mut *ms, &[mbt::Val::I32(code)], &mut []),
                ("write", false) => f.call(&mut *ms, &[], &mut [mbt::Val::I32(0)]),
                _ => f.call(&mut *ms, &[], &mut []),
            }
        });
        if let Err(p) = r {
            panic!("WASI call panicked: {p}");
        }
        Ok(())
    }
}

/// The differences already found and listed in `docs/RELIABILITY.md`
/// (each with a regression test in `crates/compat/tests/differential.rs`),
/// tolerated unless `WASMTIME_MBT_FUZZ_STRICT=1`, so that the fuzzer looks
/// for new ones. None today: findings 1 (wrong-store use returned `Err`
/// where native panics) and 2 (a host panic returned as `Err` where native
/// resumes it) are fixed.
fn known_divergence(m: &Out, n: &Out) -> Option<&'static str> {
    let _ = (m, n);
    None
}

fn strict() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("WASMTIME_MBT_FUZZ_STRICT").is_some_and(|v| v == "1"))
}

fn describe_mbt(store: &mbt::Store<u64>, vals: &[mbt::Val]) -> String {
    let parts: Vec<String> = vals
        .iter()
        .map(|v| match v {
            mbt::Val::I32(x) => format!("I32({x})"),
            mbt::Val::ExternRef(None) => "ExternRef(None)".into(),
            mbt::Val::ExternRef(Some(r)) => format!("ExternRef({:?})", r.data(store).ok().flatten().and_then(|d| d.downcast_ref::<Payload>()).map(|p| p.0)),
            other => format!("{other:?}"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn describe_native(store: &wasmtime::Store<u64>, vals: &[wasmtime::Val]) -> String {
    let parts: Vec<String> = vals
        .iter()
        .map(|v| match v {
            wasmtime::Val::I32(x) => format!("I32({x})"),
            wasmtime::Val::ExternRef(None) => "ExternRef(None)".into(),
            wasmtime::Val::ExternRef(Some(r)) => format!("ExternRef({:?})", r.data(store).ok().flatten().and_then(|d| d.downcast_ref::<u32>()).copied()),
            other => format!("{other:?}"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// What one run did, for statistics.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub ops: usize,
    pub stores: usize,
}

/// The check: runs the sequence, drops everything, and asserts that no C
/// object and no host closure or `ExternRef` payload is left. Panics on any
/// difference or leak.
///
/// The counts are process-wide: nothing else may create or drop wasmtime-mbt
/// objects while this runs.
pub fn check(data: &[u8]) -> Summary {
    install_panic_hook();
    let _ = shared();
    let (c_before, guards_before) = (mbt::live_c_objects(), GUARDS.load(Ordering::SeqCst));
    let mut u = Unstructured::new(data);
    let mut world = World::default();
    while !u.is_empty() && world.ops < MAX_OPS {
        if world.step(&mut u).is_err() {
            break;
        }
    }
    let summary = Summary { ops: world.ops, stores: world.stores.len() };
    // Objects first (plain handles), then linkers (they own host closures),
    // then the stores.
    world.objs.clear();
    world.linkers.clear();
    world.stores.clear();
    drop(world);
    assert_eq!(mbt::live_c_objects(), c_before, "C objects left alive after every store was dropped");
    assert_eq!(GUARDS.load(Ordering::SeqCst), guards_before, "host closures or ExternRef payloads never dropped");
    summary
}
