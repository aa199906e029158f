//! Compile-fail examples that pin down the API's soundness guarantees.
//!
//! This module has no items: it is documentation whose examples are tests.
//! Each guarantee is shown twice: a `compile_fail` example of the misuse the
//! type system rejects, and a compiling example of the allowed pattern.
//! `cargo test -p wasmtime-mbt --doc soundness` runs them all.
//!
//! # A `Store` is not `Sync`
//!
//! Every operation on a store needs `&mut` (or a shared borrow that the C
//! side treats as exclusive), so two threads must never share one. Sharing
//! `&Store` across threads does not compile:
//!
//! ```compile_fail,E0277
//! fn assert_sync<T: Sync>() {}
//! // error[E0277]: `*mut wasmtime_context` cannot be shared between threads safely
//! assert_sync::<wasmtime_mbt::Store<()>>();
//! ```
//!
//! Allowed: moving the store to another thread (it is `Send`), or sharing it
//! behind a `Mutex`, which hands out one `&mut` at a time.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use wasmtime_mbt::{Engine, Store};
//! let store = Store::new(&Engine::default(), 1u32);
//! let store = std::thread::spawn(move || store).join().unwrap();
//! let shared = Arc::new(Mutex::new(store));
//! let other = Arc::clone(&shared);
//! std::thread::spawn(move || *other.lock().unwrap().data_mut() += 1).join().unwrap();
//! assert_eq!(*shared.lock().unwrap().data(), 2);
//! ```
//!
//! # `Memory::data` borrows the store
//!
//! Growing a memory may move it, so the slice from [`Memory::data`] must
//! not be used after `grow(&mut store, ..)`: the slice keeps the store
//! borrowed.
//!
//! ```compile_fail,E0502
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::*;
//! let mut store = Store::new(&Engine::default(), ());
//! let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
//! let bytes = memory.data(&store);
//! // error[E0502]: cannot borrow `store` as mutable because it is also borrowed as immutable
//! memory.grow(&mut store, 1)?;
//! println!("{}", bytes[0]);
//! # Ok(()) }
//! ```
//!
//! Allowed: finish with the slice (or copy out of it) before growing, then
//! borrow again.
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::*;
//! let mut store = Store::new(&Engine::default(), ());
//! let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
//! let first = memory.data(&store)[0];
//! memory.grow(&mut store, 1)?;
//! assert_eq!(memory.data(&store).len(), 2 * 65536);
//! assert_eq!(first, 0);
//! # Ok(()) }
//! ```
//!
//! # A `Caller` cannot escape its host call
//!
//! A [`Caller`] is valid only while the host function runs; its lifetime is
//! tied to the call, so storing it anywhere that outlives the call does not
//! compile.
//!
//! ```compile_fail,E0521
//! use std::cell::RefCell;
//! use wasmtime_mbt::*;
//! thread_local!(static ESCAPED: RefCell<Option<Caller<'static, ()>>> = RefCell::new(None));
//! let mut store = Store::new(&Engine::default(), ());
//! // error[E0521]: borrowed data escapes outside of closure (`Caller<'_, ()>` is not `'static`)
//! Func::wrap(&mut store, |caller: Caller<'_, ()>| ESCAPED.with(|slot| *slot.borrow_mut() = Some(caller)));
//! ```
//!
//! Allowed: take what you need out of the caller — host data, or a `Func`
//! handle, which is a plain `Copy` value checked against its store at each
//! use.
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use std::sync::Mutex;
//! use wasmtime_mbt::*;
//! static SAVED: Mutex<Option<Func>> = Mutex::new(None);
//! let engine = Engine::default();
//! let mut linker = Linker::<()>::new(&engine);
//! linker.func_wrap("host", "save", |mut caller: Caller<'_, ()>| {
//!     *SAVED.lock().unwrap() = caller.get_export("seven").and_then(Extern::into_func);
//! })?;
//! let module = Module::new(&engine, r#"(module (import "host" "save" (func $save))
//!     (func (export "seven") (result i32) i32.const 7) (start $save))"#)?;
//! let mut store = Store::new(&engine, ());
//! linker.instantiate(&mut store, &module)?;
//! let seven = SAVED.lock().unwrap().take().unwrap();
//! assert_eq!(seven.typed::<(), i32>(&store)?.call(&mut store, ())?, 7);
//! # Ok(()) }
//! ```
//!
//! # A `Store` of non-`Send` data is not `Send`
//!
//! `Store<T>` is `Send` only when `T` is: host functions of the store may
//! touch `T` from whichever thread runs the store.
//!
//! ```compile_fail,E0277
//! use std::rc::Rc;
//! use wasmtime_mbt::{Engine, Store};
//! let store = Store::new(&Engine::default(), Rc::new(5));
//! // error[E0277]: `Rc<i32>` cannot be sent between threads safely
//! std::thread::spawn(move || drop(store));
//! ```
//!
//! Allowed: `Arc` (or any `Send` data) in a store that moves between threads.
//!
//! ```
//! use std::sync::Arc;
//! use wasmtime_mbt::{Engine, Store};
//! let store = Store::new(&Engine::default(), Arc::new(5));
//! let data = std::thread::spawn(move || store.into_data()).join().unwrap();
//! assert_eq!(*data, 5);
//! ```
//!
//! # `TypedFunc::call` is checked at compile time
//!
//! A [`TypedFunc`]'s signature is checked against the function once, when
//! it is made; after that, calls are unchecked in C, so the Rust types must
//! match the signature: a wrong argument type does not compile.
//!
//! ```compile_fail,E0308
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::*;
//! let mut store = Store::new(&Engine::default(), ());
//! let double: TypedFunc<i32, i32> = Func::wrap(&mut store, |x: i32| x * 2).typed(&store)?;
//! // error[E0308]: mismatched types: expected `i32`, found `f64`
//! double.call(&mut store, 1.5f64)?;
//! # Ok(()) }
//! ```
//!
//! Allowed: the declared types; a signature that does not match the
//! function is an `Err` from `typed`, never a bad call.
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::*;
//! let mut store = Store::new(&Engine::default(), ());
//! let func = Func::wrap(&mut store, |x: i32| x * 2);
//! let double: TypedFunc<i32, i32> = func.typed(&store)?;
//! assert_eq!(double.call(&mut store, 21)?, 42);
//! assert!(func.typed::<f64, i32>(&store).is_err());
//! # Ok(()) }
//! ```
//!
//! # The value traits are sealed
//!
//! [`IntoFunc`], [`WasmTy`], [`WasmParams`], [`WasmResults`] and
//! [`WasmRet`] write raw values that C trusts (a host function's results,
//! a typed call's arguments). An implementation outside this crate could
//! declare one type and write another (a forged funcref, say) and make the
//! next call crash, so none can be implemented downstream (issue 15). The
//! last four name a crate-private type in their methods; `IntoFunc`, whose
//! methods take only C types, is sealed outright:
//!
//! ```compile_fail,E0277
//! use wasmtime_mbt::*;
//! struct Forged;
//! // error: the trait bound `Forged: wasmtime_mbt::func::sealed::...` is not satisfied
//! impl IntoFunc<(), (), ()> for Forged {
//!     fn func_type(engine: &Engine) -> FuncType { FuncType::new(engine, [], [ValType::FUNCREF]) }
//!     unsafe fn call_raw(&self, _: *mut sys::wasmtime_caller_t, raw: &mut [sys::wasmtime_val_raw_t]) -> Result<()> {
//!         raw[0] = sys::wasmtime_val_raw_t { funcref: 8 as *mut _ };
//!         Ok(())
//!     }
//! }
//! ```
//!
//! Allowed: closures and the value types the crate implements them for.
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::*;
//! let mut store = Store::new(&Engine::default(), ());
//! let f = Func::wrap(&mut store, |a: i32, b: Option<Func>| -> Result<(i32, Option<Func>)> { Ok((a, b)) });
//! assert_eq!(f.typed::<(i32, Option<Func>), (i32, Option<Func>)>(&store)?.call(&mut store, (1, None))?.0, 1);
//! # Ok(()) }
//! ```
//!
//! [`IntoFunc`]: crate::IntoFunc
//! [`WasmTy`]: crate::WasmTy
//! [`WasmParams`]: crate::WasmParams
//! [`WasmResults`]: crate::WasmResults
//! [`WasmRet`]: crate::WasmRet
//! [`Memory::data`]: crate::Memory::data
//! [`Caller`]: crate::Caller
//! [`TypedFunc`]: crate::TypedFunc
//!
//! # A store driven by a `Poller` cannot be touched
//!
//! Submitting a call moves the store into the poller; the store comes back
//! only with the result, so no code can use it while the call runs.
//!
//! ```compile_fail,E0382
//! use std::time::Duration;
//! use wasmtime_mbt::*;
//! let mut store = Store::new(&Engine::default(), 0u32);
//! let f = Func::wrap(&mut store, || {});
//! let poller = Poller::new(Duration::from_micros(100));
//! let handle = poller.submit(store, (f, vec![]));
//! // error[E0382]: borrow of moved value: `store`
//! *store.data_mut() += 1;
//! # let _ = handle.join();
//! ```
//!
//! Allowed: using the store again once `join` hands it back.
//!
//! ```
//! use std::time::Duration;
//! use wasmtime_mbt::*;
//! let mut store = Store::new(&Engine::default(), 0u32);
//! let f = Func::wrap(&mut store, || {});
//! let poller = Poller::new(Duration::from_micros(100));
//! let (mut store, result) = poller.submit(store, (f, vec![])).join();
//! assert!(result.is_ok());
//! *store.data_mut() += 1;
//! assert_eq!(*store.data(), 1);
//! ```
