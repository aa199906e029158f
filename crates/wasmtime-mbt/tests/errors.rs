//! The error API is `wasmtime`'s own: `?` on any `std::error::Error`,
//! `error::Context`, the macros in all their forms, `anyhow` interop, and a
//! host function's error coming back from wasm as the very same value.

use std::fmt;

use wasmtime_mbt::error::Context as _;
use wasmtime_mbt::*;

#[derive(Debug, PartialEq)]
struct MyError(u32);

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "my error {}", self.0)
    }
}

impl std::error::Error for MyError {}

fn engine_and_forwarder() -> (Engine, Module) {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "" "f" (func $f)) (func (export "run") call $f))"#).unwrap();
    (engine, module)
}

#[test]
fn host_error_comes_back_as_the_same_value_with_a_backtrace() {
    let (engine, module) = engine_and_forwarder();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, || -> Result<()> { Err(MyError(7).into()) });
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<(), ()>(&mut store, "run").unwrap();
    let err = run.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<MyError>(), Some(&MyError(7)), "{err:?}");
    assert!(err.root_cause().is::<MyError>());
    let frames = err.downcast_ref::<WasmBacktrace>().unwrap().frames();
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].func_index(), 1);
    assert_eq!(format!("{err:#}").matches("my error 7").count(), 1, "{err:#}");
    assert_eq!(err.downcast::<MyError>().unwrap(), MyError(7));

    // Called directly, there are no wasm frames: the error is unchanged.
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    assert!(err.downcast_ref::<WasmBacktrace>().is_none());
    assert_eq!(err.to_string(), "my error 7");
}

#[test]
fn question_mark_context_and_macros() {
    fn read(path: &str) -> Result<Vec<u8>> {
        Ok(std::fs::read(path)?)
    }
    let err = read("/no/such/file").unwrap_err();
    assert!(err.is::<std::io::Error>());

    let err = read("/no/such/file").context("reading the module").unwrap_err();
    assert_eq!(err.to_string(), "reading the module");
    assert!(err.chain().count() == 2 && err.root_cause().is::<std::io::Error>());
    let none: Option<u8> = None;
    assert_eq!(none.with_context(|| format!("missing {}", 1)).unwrap_err().to_string(), "missing 1");

    fn check(n: i32) -> Result<i32> {
        ensure!(n != 0);
        ensure!(n > 0, "negative: {n}");
        if n > 100 {
            bail!(MyError(n as u32));
        }
        Ok(n)
    }
    assert_eq!(check(0).unwrap_err().to_string(), "Condition failed: `n != 0`");
    assert_eq!(check(-1).unwrap_err().to_string(), "negative: -1");
    assert_eq!(check(101).unwrap_err().downcast_ref::<MyError>(), Some(&MyError(101)));
    assert!(format_err!(MyError(2)).is::<MyError>());
    assert_eq!(format_err!("{} {x}", 1, x = 2).to_string(), "1 2");
    assert_eq!(Error::msg("m").context("c").to_string(), "c");
    assert_eq!(format!("{:#}", Error::msg("m").context("c")), "c: m");
}

#[test]
fn anyhow_interop_and_boxing() {
    let err: anyhow::Error = Error::new(MyError(3)).into();
    assert_eq!(err.to_string(), "my error 3");
    let back = Error::from_anyhow(anyhow::anyhow!("from anyhow"));
    assert_eq!(back.to_string(), "from anyhow");
    let boxed: Box<dyn std::error::Error + Send + Sync> = Error::new(MyError(4)).into();
    assert_eq!(boxed.to_string(), "my error 4");
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Error>();
    assert_send_sync::<WasmBacktrace>();
    assert_send_sync::<FrameInfo>();
    assert_send_sync::<Trap>();
    assert_send_sync::<I32Exit>();
    assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
}

#[test]
fn trap_from_a_host_function_keeps_its_code_through_wasm() {
    let (engine, module) = engine_and_forwarder();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, || -> Result<()> { Err(Trap::OutOfFuel.into()) });
    let instance = Instance::new(&mut store, &module, &[f.into()]).unwrap();
    let run = instance.get_typed_func::<(), ()>(&mut store, "run").unwrap();
    let err = run.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel));
    assert!(err.to_string().starts_with("error while executing at wasm backtrace:"), "{err}");
    assert_eq!(err.root_cause().to_string(), "wasm trap: all fuel consumed by WebAssembly");
}

#[test]
fn memory_fault_context_is_kept() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (memory 1) (func (export "f") (drop (i32.load (i32.const 70000)))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let err = instance.get_typed_func::<(), ()>(&mut store, "f").unwrap().call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::MemoryOutOfBounds));
    // Wasmtime's messages, outermost first, the trap last.
    let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    assert!(chain[0].starts_with("error while executing at wasm backtrace:"), "{chain:?}");
    assert_eq!(chain.last().unwrap(), "wasm trap: out of bounds memory access");
}

#[test]
fn epoch_callback_error_comes_back_as_the_same_value() {
    let engine = Engine::new(Config::new().epoch_interruption(true)).unwrap();
    let module = Module::new(&engine, r#"(module (func (export "spin") (loop br 0)))"#).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|_| Err(MyError(9).into()));
    let spin = Instance::new(&mut store, &module, &[]).unwrap().get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    engine.increment_epoch();
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<MyError>(), Some(&MyError(9)), "{err:?}");
    assert!(err.downcast_ref::<WasmBacktrace>().is_some(), "{err:?}");

    // A panic in the callback is resumed in the caller, as in `wasmtime`.
    store.epoch_deadline_callback(|_| panic!("no"));
    store.set_epoch_deadline(1);
    engine.increment_epoch();
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| spin.call(&mut store, ()))).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"no"));
}
