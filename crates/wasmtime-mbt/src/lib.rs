//! Safe, idiomatic Rust bindings to the Wasmtime C API.
//!
//! The API mirrors the [`wasmtime`](https://docs.rs/wasmtime/48) crate —
//! `Engine`, `Store<T>`, `Module`, `Linker`, `Instance`, `Func`/`TypedFunc`,
//! `Memory`, … — on top of the C ABI of Wasmtime 48.0.8
//! ([`wasmtime_mbt_sys`]). Where the C API forces a difference, the item's
//! documentation says so.
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::*;
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (import "host" "double" (func $double (param i32) (result i32)))
//!     (func (export "run") (param i32) (result i32)
//!         local.get 0 call $double i32.const 1 i32.add))"#)?;
//! let mut linker = Linker::new(&engine);
//! linker.func_wrap("host", "double", |x: i32| x * 2)?;
//! let mut store = Store::new(&engine, ());
//! let instance = linker.instantiate(&mut store, &module)?;
//! let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
//! assert_eq!(run.call(&mut store, 20)?, 41);
//! # Ok(()) }
//! ```

#![deny(missing_docs)]
#![warn(unsafe_op_in_unsafe_fn)]

mod array_fixed;
mod async_call;
mod bottom_refs;
mod code_builder;
pub mod component;
mod config;
mod default_values;
mod cont_types;
mod engine;
pub mod error;
mod externals;
mod func;
mod gc;
mod gc_refs;
mod gc_types;
mod global;
mod i31;
mod guard;
mod heap_type;
mod instance;
mod job;
mod limits;
mod linker;
mod linker_stores;
mod memory;
mod module;
mod owned;
mod poller;
mod precompiled;
mod r#ref;
mod rooting;
pub mod soundness;
#[doc = include_str!("../../../docs/API.md")]
pub mod api_map {}
/// The README's Rust blocks run as doctests too.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
mod store;
mod store_ptr;
mod table;
mod tag;
mod trap;
mod types;
mod val;
mod val_ref;
mod wasi;
mod wasm_features;

pub use config::{Config, LinearMemory, MemoryCreator, OptLevel, PoolingAllocationConfig, ProfilingStrategy, RegallocAlgorithm, StackCreator, StackMemory, Strategy};
pub use bottom_refs::{NoExtern, NoFunc, NoneRef};
pub use code_builder::{CodeBuilder, CodeHint};
pub use precompiled::Precompiled;
pub use engine::{Engine, EngineWeak};
pub use wasm_features::{WasmFeatures, WasmFeaturesInflated};
pub use error::{bail, ensure, format_err, Error, OutOfMemory, Result, ToWasmtimeResult};
pub use externals::{Export, Extern};
pub use func::{Caller, Func, IntoFunc, TypedFunc, ValRaw, WasmParams, WasmResults, WasmRet, WasmTy, WasmTyList};
pub use gc::GcHeapOutOfMemory;
pub use gc_refs::{ArrayRef, ArrayRefPre, EqRef, ExnRefPre, StructRef, StructRefPre};
pub use gc_types::{ArrayType, ExnType, FieldType, StorageType, StructType};
pub use global::Global;
pub use instance::{Instance, InstancePre};
pub use limits::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
pub use linker::{Linker, UnknownImportError};
pub use memory::{Memory, MemoryAccessError, SharedMemory};
pub use module::{wat2wasm, Module};
pub use i31::I31;
pub use r#ref::{AnyRef, ExnRef, ExternRef};
pub use rooting::{GcRef, OwnedRooted, RootScope, Rooted, RootedGcRef};
pub use store::{ThrownException, AsContext, AsContextMut, Store, StoreContext, StoreContextMut, UpdateDeadline};
#[doc(hidden)]
pub use owned::live_c_objects;
pub use table::Table;
pub use tag::{Tag, TagType};
#[allow(deprecated)]
pub use trap::TrapCode;
pub use trap::{FrameInfo, Trap, WasmBacktrace};
pub use heap_type::HeapType;
pub use types::{ExportType, ExternType, FuncType, GlobalType, ImportType, MemoryType, MemoryTypeBuilder, Mutability, RefType, TableType, ValType};
pub use val::{ContRef, Val, V128};
pub use val_ref::Ref;

// Each of these modules lists its public items itself.
#[allow(unused_imports)]
pub use async_call::*;
#[allow(unused_imports)]
pub use job::*;
#[allow(unused_imports)]
pub use poller::*;
#[allow(unused_imports)]
pub use wasi::*;

pub use wasmtime_mbt_sys as sys;

/// The Wasmtime version this crate binds (`WASMTIME_VERSION`).
///
/// ```
/// assert_eq!(wasmtime_mbt::version(), "48.0.8");
/// ```
pub fn version() -> &'static str {
    sys::wasmtime_version()
}
