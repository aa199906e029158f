//! Issue 15, "Wrong results": each scenario read from the code, as a test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use wasmtime_mbt::*;

fn epoch_engine() -> Engine {
    Engine::new(Config::new().epoch_interruption(true)).unwrap()
}

const SPIN: &str = r#"(module (func (export "spin") (loop br 0)))"#;

/// 8: the epoch callback's `Trap` comes back as that trap, on every call path.
#[test]
fn epoch_callback_trap_keeps_its_code() {
    let engine = epoch_engine();
    let module = Module::new(&engine, SPIN).unwrap();
    let mut store = Store::new(&engine, ());
    store.epoch_deadline_callback(|_| Err(Trap::Interrupt.into()));
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    for path in ["typed", "dynamic", "async"] {
        store.set_epoch_deadline(1);
        engine.increment_epoch();
        let err = match path {
            "typed" => spin.call(&mut store, ()).unwrap_err(),
            "dynamic" => spin.func().call(&mut store, &[], &mut []).unwrap_err(),
            _ => spin.call_async(&mut store, ()).wait().unwrap_err(),
        };
        assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt), "{path}: {err:?}");
    }
}

/// 10: interrupting a finished job leaves the engine's epoch alone, so a
/// store with a deadline and no callback is not tripped by it.
#[test]
fn interrupting_a_finished_job_does_not_trip_other_stores() {
    let engine = epoch_engine();
    let job = Job::spawn(&engine, r#"(module (func (export "one") (result i32) i32.const 1))"#, "one", vec![]);
    let interrupter = job.interrupter();
    assert_eq!(job.join().unwrap()[0].i32(), Some(1));
    let module = Module::new(&engine, r#"(module (func (export "one") (result i32) i32.const 1))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let one = Instance::new(&mut store, &module, &[]).unwrap().get_typed_func::<(), i32>(&mut store, "one").unwrap();
    store.set_epoch_deadline(1);
    interrupter.interrupt();
    assert!(interrupter.is_interrupted());
    assert_eq!(one.call(&mut store, ()).unwrap(), 1);
}

/// Counts drops of externref host data.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// 10: a host function whose second result fails the store check must not
/// leak the root of its first (the data is collected once unreferenced).
#[test]
fn failed_host_results_do_not_leak_externref_roots() {
    let engine = Engine::default();
    let mut other = Store::new(&engine, ());
    let foreign = ExternRef::new(&mut other, 0u8).unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new(&engine, [], [ValType::EXTERNREF, ValType::EXTERNREF]);
    let d = drops.clone();
    let f = Func::new(&mut store, ty, move |mut caller, _, results| {
        results[0] = Val::ExternRef(Some(ExternRef::new(&mut caller, Counted(d.clone()))?));
        results[1] = Val::ExternRef(Some(foreign));
        Ok(())
    });
    let mut out = [Val::ExternRef(None), Val::ExternRef(None)];
    let err = f.call(&mut store, &[], &mut out).unwrap_err();
    assert!(err.to_string().contains("wrong store"), "{err:?}");
    store.gc(None).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "the first result's root leaked");
}

/// 10: the same for arguments: a later argument from another store must
/// not leak what the earlier ones rooted.
#[test]
fn failed_arguments_do_not_leak_externref_roots() {
    let engine = Engine::default();
    let mut other = Store::new(&engine, ());
    let foreign = ExternRef::new(&mut other, 0u8).unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, r#"(module (func (export "f") (param externref externref)))"#).unwrap();
    let f = Instance::new(&mut store, &module, &[]).unwrap().get_func(&mut store, "f").unwrap();
    {
        // The host's own root of `mine` ends with this scope.
        let mut scope = RootScope::new(&mut store);
        let mine = ExternRef::new(&mut scope, Counted(drops.clone())).unwrap();
        let args = [Val::ExternRef(Some(mine)), Val::ExternRef(Some(foreign))];
        assert!(f.call(&mut scope, &args, &mut []).is_err());
        assert!(f.call_async(&mut scope, &args, &mut []).wait().is_err());
        let typed = f.typed::<(Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>), ()>(&scope).unwrap();
        assert!(typed.call(&mut scope, (Some(mine), Some(foreign))).is_err());
    }
    store.gc(None).unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "a root of the first argument leaked");
}
