//! Issue 15: paths where safe code used to abort the process (a Wasmtime
//! panic behind the C API, or a Rust panic unwinding into C). Each
//! scenario runs in a child process (`common/isolate.rs`), so a regression
//! fails one test instead of taking the test binary down; the child asserts
//! the outcome `wasmtime` itself has (a panic with its message, or an `Err`).
//!
//! Run in both link modes: the prebuilt library is built with
//! `panic = "abort"`, so Wasmtime-side panics abort there even where the
//! bundled build would unwind.

#[macro_use]
#[path = "common/isolate.rs"]
mod isolate;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use wasmtime_mbt::*;

/// The message of a caught panic.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

#[track_caller]
fn assert_panics_with<R>(f: impl FnOnce() -> R, message: &str) {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic with {message:?}"),
        Err(payload) => assert_eq!(panic_message(payload), message),
    }
}

/// `wasmtime` 48.0.8's `validate_sync_call` message for a blocking call on the fiber.
const NATIVE_ON_FIBER: &str = "cannot do blocking `call` from an async context";

const CROSS_STORE: &str = "cross-`Store` instantiation is not currently supported";

// ------------------------------------------------------- 4: cross-store items in a linker

/// A linker with one item of store `a` defined as `m`/`x`; `b` is another store.
fn linker_with(item: impl FnOnce(&mut Store<()>) -> Extern) -> (Engine, Linker<()>, Store<()>) {
    let engine = Engine::default();
    let mut a = Store::new(&engine, ());
    let item = item(&mut a);
    let mut linker = Linker::new(&engine);
    linker.define(&mut a, "m", "x", item).unwrap();
    (engine, linker, a)
}

isolated! {
    /// `wasmtime` panics in `Linker::instantiate` (sizing the memory with
    /// the wrong store); C would abort.
    fn cross_store_memory_in_linker_panics() {
        let (engine, linker, _a) = linker_with(|a| Memory::new(a, MemoryType::new(1, None)).unwrap().into());
        let module = Module::new(&engine, r#"(module (import "m" "x" (memory 1)))"#).unwrap();
        let mut b = Store::new(&engine, ());
        assert_panics_with(|| linker.instantiate(&mut b, &module), "object used with the wrong store");
        // The async entry point sizes the imports the same way.
        assert_panics_with(|| drop(linker.instantiate_async(&mut b, &module)), "object used with the wrong store");
        // The store is still usable.
        assert!(Linker::new(&engine).instantiate(&mut b, &Module::new(&engine, "(module)").unwrap()).is_ok());
    }
}

isolated! {
    fn cross_store_table_in_linker_panics() {
        let (engine, linker, _a) =
            linker_with(|a| Table::new(a, TableType::new(RefType::FUNCREF, 1, None), Ref::Func(None)).unwrap().into());
        let module = Module::new(&engine, r#"(module (import "m" "x" (table 1 funcref)))"#).unwrap();
        let mut b = Store::new(&engine, ());
        assert_panics_with(|| linker.instantiate(&mut b, &module), "object used with the wrong store");
    }
}

isolated! {
    /// Fuzzing finding 8: `wasmtime` sizes a memory or table of another
    /// store as soon as every import is found by name, before checking the
    /// imports' types, so a mistyped import still panics; only an unknown
    /// import is an `Err` first.
    fn cross_store_memory_panics_before_the_type_check() {
        let (engine, linker, _a) = linker_with(|a| Memory::new(a, MemoryType::new(1, None)).unwrap().into());
        let mut b = Store::new(&engine, ());
        for wat in [
            r#"(module (import "m" "x" (func)))"#,
            r#"(module (import "m" "x" (memory 2)))"#,
            r#"(module (import "m" "x" (table 1 funcref)))"#,
        ] {
            let module = Module::new(&engine, wat).unwrap();
            assert_panics_with(|| linker.instantiate(&mut b, &module), "object used with the wrong store");
        }
        let module = Module::new(&engine, r#"(module (import "m" "x" (memory 1)) (import "m" "y" (func)))"#).unwrap();
        let err = linker.instantiate(&mut b, &module).unwrap_err();
        assert!(format!("{err:?}").contains("unknown import: `m::y` has not been defined"), "{err:?}");
        // A global of another store under a mistyped import: the type error.
        let (engine, linker, _a) =
            linker_with(|a| Global::new(a, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(1)).unwrap().into());
        let module = Module::new(&engine, r#"(module (import "m" "x" (global i64)))"#).unwrap();
        let mut b = Store::new(&engine, ());
        let err = linker.instantiate(&mut b, &module).unwrap_err();
        assert!(format!("{err:?}").contains("incompatible import type"), "{err:?}");
    }
}

isolated! {
    /// Globals and functions are not sized: `wasmtime` returns an `Err`.
    fn cross_store_global_and_func_in_linker_are_errors() {
        let (engine, linker, _a) =
            linker_with(|a| Global::new(a, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(1)).unwrap().into());
        let module = Module::new(&engine, r#"(module (import "m" "x" (global i32)))"#).unwrap();
        let mut b = Store::new(&engine, ());
        let err = linker.instantiate(&mut b, &module).unwrap_err();
        assert_eq!(err.to_string(), CROSS_STORE);
        let (engine, linker, _a) = linker_with(|a| Func::wrap(a, || {}).into());
        let module = Module::new(&engine, r#"(module (import "m" "x" (func)))"#).unwrap();
        let mut b = Store::new(&engine, ());
        assert_eq!(linker.instantiate(&mut b, &module).unwrap_err().to_string(), CROSS_STORE);
        assert_eq!(linker.instantiate_pre(&module).unwrap().instantiate(&mut b).unwrap_err().to_string(), CROSS_STORE);
    }
}

isolated! {
    /// The same memory reached through `Linker::instance` of store `a`.
    fn cross_store_instance_in_linker_panics() {
        let engine = Engine::default();
        let mut a = Store::new(&engine, ());
        let exporter = Module::new(&engine, r#"(module (memory (export "mem") 1) (global (export "g") i32 (i32.const 3)))"#).unwrap();
        let instance = Instance::new(&mut a, &exporter, &[]).unwrap();
        let mut linker = Linker::new(&engine);
        linker.instance(&mut a, "exp", instance).unwrap();
        let mut b = Store::new(&engine, ());
        let mem = Module::new(&engine, r#"(module (import "exp" "mem" (memory 1)))"#).unwrap();
        assert_panics_with(|| linker.instantiate(&mut b, &mem), "object used with the wrong store");
        let global = Module::new(&engine, r#"(module (import "exp" "g" (global i32)))"#).unwrap();
        assert_eq!(linker.instantiate(&mut b, &global).unwrap_err().to_string(), CROSS_STORE);
        // A missing import is still reported first, as in `wasmtime`.
        let missing = Module::new(&engine, r#"(module (import "exp" "mem" (memory 1)) (import "exp" "nope" (func)))"#).unwrap();
        let err = linker.instantiate(&mut b, &missing).unwrap_err();
        assert!(format!("{err:#}").contains("unknown import"), "{err:#}");
        // In the store that owns them, the items link.
        assert!(linker.instantiate(&mut a, &mem).is_ok());
    }
}

// ------------------------------------------------------- 5: WASI without `set_wasi`

const WASI_ENV: &str = r#"(module
    (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "run") (result i32) i32.const 0 i32.const 4 call $sizes))"#;

fn wasi_linker(engine: &Engine) -> Linker<()> {
    let mut linker = Linker::new(engine);
    linker.define_wasi().unwrap();
    linker
}

isolated! {
    fn wasi_without_context_typed_call() {
        let engine = Engine::default();
        let module = Module::new(&engine, WASI_ENV).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = wasi_linker(&engine).instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), 0);
    }
}

isolated! {
    fn wasi_without_context_start_function() {
        let engine = Engine::default();
        let module = Module::new(
            &engine,
            r#"(module
                (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
                (memory (export "memory") 1)
                (func $start i32.const 0 i32.const 4 call $sizes drop)
                (start $start))"#,
        )
        .unwrap();
        let mut store = Store::new(&engine, ());
        wasi_linker(&engine).instantiate(&mut store, &module).unwrap();
        let mut other = Store::new(&engine, ());
        wasi_linker(&engine).instantiate_pre(&module).unwrap().instantiate(&mut other).unwrap();
    }
}

isolated! {
    fn wasi_without_context_call_async() {
        let engine = Engine::default();
        let module = Module::new(&engine, WASI_ENV).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = wasi_linker(&engine).instantiate_async(&mut store, &module).wait().unwrap();
        let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
        assert_eq!(run.call_async(&mut store, ()).wait().unwrap(), 0);
        let run = instance.get_func(&mut store, "run").unwrap();
        let mut out = [Val::I32(-1)];
        run.call_async(&mut store, &[], &mut out).wait().unwrap();
        assert_eq!(out[0].i32(), Some(0));
    }
}

// ------------------------------------------------------- 6: panicking `Drop` run by C

/// Panics when dropped; counts its drops first.
struct Bomb(Arc<AtomicUsize>);

impl Drop for Bomb {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("bomb dropped");
    }
}

fn bomb() -> (Bomb, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    (Bomb(count.clone()), count)
}

isolated! {
    fn panicking_drop_of_a_host_closure() {
        let (b, count) = bomb();
        let mut store = Store::new(&Engine::default(), ());
        Func::wrap(&mut store, move || {
            let _ = &b;
        });
        drop(store);
        assert_eq!(count.load(Ordering::SeqCst), 1);

        let (b, count) = bomb();
        let mut store = Store::new(&Engine::default(), ());
        let ty = FuncType::new(store.engine(), [], []);
        Func::new(&mut store, ty, move |_, _, _| {
            let _ = &b;
            Ok(())
        });
        drop(store);
        assert_eq!(count.load(Ordering::SeqCst), 1);

        let (b, count) = bomb();
        let mut linker = Linker::<()>::new(&Engine::default());
        linker.func_wrap("m", "f", move || {
            let _ = &b;
        }).unwrap();
        drop(linker);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
}

isolated! {
    fn panicking_drop_of_externref_data() {
        let (b, count) = bomb();
        let mut store = Store::new(&Engine::default(), ());
        {
            let mut scope = RootScope::new(&mut store);
            ExternRef::new(&mut scope, b).unwrap();
        }
        store.gc(None).unwrap();
        drop(store);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
}

isolated! {
    fn panicking_drop_of_the_epoch_callback() {
        let engine = Engine::new(Config::new().epoch_interruption(true)).unwrap();
        let (b, count) = bomb();
        let mut store = Store::new(&engine, ());
        store.epoch_deadline_callback(move |_| {
            let _ = &b;
            Ok(UpdateDeadline::Continue(1))
        });
        // Replacing the callback drops the first one.
        store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Continue(1)));
        assert_eq!(count.load(Ordering::SeqCst), 1);
        drop(store);
    }
}

/// A panic payload whose own `Drop` panics.
struct BombPayload;

impl Drop for BombPayload {
    fn drop(&mut self) {
        panic!("payload dropped");
    }
}

isolated! {
    fn panic_payload_with_panicking_drop_in_the_epoch_callback() {
        let engine = Engine::new(Config::new().epoch_interruption(true)).unwrap();
        let module = Module::new(&engine, r#"(module (func (export "spin") (loop br 0)))"#).unwrap();
        let mut store = Store::new(&engine, ());
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|_| std::panic::panic_any(BombPayload));
        let spin = Instance::new(&mut store, &module, &[]).unwrap().get_typed_func::<(), ()>(&mut store, "spin").unwrap();
        engine.increment_epoch();
        // As in `wasmtime`, the panic is resumed in the caller once C has
        // returned; the payload (whose `Drop` panics) is the caller's.
        let payload = catch_unwind(AssertUnwindSafe(|| spin.call(&mut store, ()))).unwrap_err();
        assert!(payload.is::<BombPayload>());
        std::mem::forget(payload);
    }
}

isolated! {
    fn panic_payload_with_panicking_drop_in_a_host_function() {
        let mut store = Store::new(&Engine::default(), ());
        let f = Func::wrap(&mut store, || -> i32 { std::panic::panic_any(BombPayload) });
        let typed = f.typed::<(), i32>(&store).unwrap();
        // Resumed in the caller, as in `wasmtime` (see above).
        let payload = catch_unwind(AssertUnwindSafe(|| typed.call(&mut store, ()))).unwrap_err();
        assert!(payload.is::<BombPayload>());
        std::mem::forget(payload);
        let payload = catch_unwind(AssertUnwindSafe(|| f.call(&mut store, &[], &mut [Val::I32(0)]))).unwrap_err();
        assert!(payload.is::<BombPayload>());
        std::mem::forget(payload);
        // The store is still usable.
        let ok = Func::wrap(&mut store, || 7i32);
        assert_eq!(ok.typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap(), 7);
    }
}

// ------------------------------------------------------- 7: continuation types

/// A module whose exported function takes a continuation reference.
const CONT: &str = r#"(module
    (type $ft (func))
    (type $ct (cont $ft))
    (func (export "f") (param (ref null $ct)))
    (func (export "g") (param i32) (result i32) local.get 0))"#;

fn stack_switching_engine() -> Engine {
    Engine::new(Config::new().wasm_stack_switching(true).wasm_function_references(true).wasm_exceptions(true)).unwrap()
}

isolated! {
    /// The C API aborts describing a continuation type
    /// (`wasmtime_valtype_new`: "missing support for contref"), so a module
    /// whose types use them is refused with an `Err` before any of its
    /// types reach C (exports, `Func::ty`, `get_typed_func`).
    fn continuation_types_never_reach_the_c_api() {
        let engine = stack_switching_engine();
        let err = Module::new(&engine, CONT).unwrap_err();
        assert!(err.to_string().contains("continuation"), "{err:?}");
        // Abstract `contref` in a signature too.
        let err = Module::new(&engine, r#"(module (func (export "h") (param contref)))"#).unwrap_err();
        assert!(err.to_string().contains("continuation"), "{err:?}");
        // Modules without continuation types still work on this engine.
        let module = Module::new(&engine, r#"(module (func (export "g") (param i32) (result i32) local.get 0))"#).unwrap();
        let mut store = Store::new(&engine, ());
        let g = Instance::new(&mut store, &module, &[]).unwrap().get_typed_func::<i32, i32>(&mut store, "g").unwrap();
        assert_eq!(g.call(&mut store, 7).unwrap(), 7);
    }
}

// ------------------------------------------------------- 2: blocking calls from async contexts

const NATIVE_ASYNC_REQUIRED: &str = "store configuration requires that `*_async` functions are used instead";

/// An engine with fuel; a module whose `spin` burns fuel for `n` iterations
/// and whose `outer` calls the host import `host.inner`.
fn fuel_setup() -> (Engine, Module) {
    let engine = Engine::new(Config::new().consume_fuel(true)).unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "inner" (func $inner (result i32)))
            (func (export "spin") (param $n i32) (result i32)
                (loop $l (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n)))
                i32.const 7)
            (func (export "outer") (result i32) call $inner))"#,
    )
    .unwrap();
    (engine, module)
}

/// Runs `outer` with `call_async`; its host import makes a synchronous
/// typed call and a synchronous dynamic call of `spin`, and records their
/// errors, which are returned.
fn nested_blocking_calls(fuel_yield: bool) -> Vec<String> {
    type Data = (Option<Instance>, Vec<String>);
    let (engine, module) = fuel_setup();
    let mut linker = Linker::<Data>::new(&engine);
    linker
        .func_wrap("host", "inner", |mut caller: Caller<'_, Data>| -> Result<i32> {
            let instance = caller.data().0.unwrap();
            let spin = instance.get_typed_func::<i32, i32>(&mut caller, "spin")?;
            let typed = spin.call(&mut caller, 10_000).err().map(|e| e.to_string()).unwrap_or_default();
            let dynamic =
                spin.func().call(&mut caller, &[Val::I32(10_000)], &mut [Val::I32(0)]).err().map(|e| e.to_string()).unwrap_or_default();
            caller.data_mut().1.extend([typed, dynamic]);
            Ok(1)
        })
        .unwrap();
    let mut store = Store::new(&engine, (None, Vec::new()));
    store.set_fuel(u64::MAX / 2).unwrap();
    if fuel_yield {
        store.fuel_async_yield_interval(Some(1_000)).unwrap();
    }
    let instance = linker.instantiate_async(&mut store, &module).wait().unwrap();
    store.data_mut().0 = Some(instance);
    let outer = instance.get_typed_func::<(), i32>(&mut store, "outer").unwrap();
    assert_eq!(outer.call_async(&mut store, ()).wait().unwrap(), 1);
    store.into_data().1
}

isolated! {
    /// A host function inside `call_async` making a synchronous
    /// `TypedFunc::call` whose wasm hits a fuel yield: the outer fiber would
    /// suspend with the host frame live (and the `Send` future could be
    /// resumed on another thread). `wasmtime` refuses it because the store
    /// requires `*_async` entry points once it yields (as C does for
    /// `Func::call`); so must the typed path.
    fn blocking_typed_call_inside_call_async_is_refused() {
        assert_eq!(nested_blocking_calls(true), [NATIVE_ASYNC_REQUIRED; 2]);
        // A store that never yields may not either: `wasmtime` 48.0.8 refuses
        // any blocking call on the fiber (its bundled C API does so for
        // `Func::call`; a 48.0.0 library does not, so the crate checks).
        assert_eq!(nested_blocking_calls(false), [NATIVE_ON_FIBER; 2]);
    }
}

isolated! {
    /// A store configured to yield (fuel or epochs) only runs wasm through
    /// `*_async`, on the typed path as on the dynamic one.
    fn yielding_store_refuses_blocking_typed_calls() {
        let (engine, module) = fuel_setup();
        let mut linker = Linker::<()>::new(&engine);
        linker.func_wrap("host", "inner", || 1i32).unwrap();
        let mut store = Store::new(&engine, ());
        store.set_fuel(u64::MAX / 2).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let spin = instance.get_typed_func::<i32, i32>(&mut store, "spin").unwrap();
        assert_eq!(spin.call(&mut store, 10).unwrap(), 7);
        store.fuel_async_yield_interval(Some(1_000)).unwrap();
        assert_eq!(spin.call(&mut store, 10_000).unwrap_err().to_string(), NATIVE_ASYNC_REQUIRED);
        let err = spin.func().call(&mut store, &[Val::I32(10_000)], &mut [Val::I32(0)]).unwrap_err();
        assert_eq!(err.to_string(), NATIVE_ASYNC_REQUIRED);
        assert_eq!(spin.call_async(&mut store, 10_000).wait().unwrap(), 7);

        let engine = Engine::new(Config::new().epoch_interruption(true)).unwrap();
        let module = Module::new(&engine, r#"(module (func (export "one") (result i32) i32.const 1))"#).unwrap();
        let mut store = Store::new(&engine, ());
        let one = Instance::new(&mut store, &module, &[]).unwrap().get_typed_func::<(), i32>(&mut store, "one").unwrap();
        store.set_epoch_deadline(1);
        store.epoch_deadline_async_yield_and_update(1);
        assert_eq!(one.call(&mut store, ()).unwrap_err().to_string(), NATIVE_ASYNC_REQUIRED);
        assert_eq!(one.call_async(&mut store, ()).wait().unwrap(), 1);
    }
}
