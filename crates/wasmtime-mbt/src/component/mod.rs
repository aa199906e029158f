//! The component model, as `wasmtime::component`: compile a [`Component`],
//! define its imports in a [`Linker`], instantiate it into a
//! [`Store`](crate::Store) and call its exports, dynamically with [`Val`]s
//! ([`Func`]) or with Rust types ([`TypedFunc`]); host [`Resource`]s;
//! type reflection in [`types`]; WASI preview 2 with
//! [`Linker::add_wasip2`].
//!
//! Built on the component part of the C API
//! (`wasmtime/component/*.h`). Every value crosses it as a
//! `wasmtime_component_val_t`, typed calls included (they check types once,
//! then convert through [`Val`]). What the C API would abort on is refused
//! first: handles of another store, futures/streams/error contexts (an
//! `Err` at instantiation), panics in host functions and destructors (a
//! trap carrying the panic message).
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::component::*;
//! use wasmtime_mbt::{Engine, Store};
//! let engine = Engine::default();
//! let component = Component::new(&engine, r#"(component
//!     (core module $m (func (export "answer") (result i32) i32.const 42))
//!     (core instance $i (instantiate $m))
//!     (func (export "answer") (result u32) (canon lift (core func $i "answer"))))"#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
//! let answer = instance.get_typed_func::<(), (u32,)>(&mut store, "answer")?;
//! assert_eq!(answer.call(&mut store, ())?, (42,));
//! # Ok(()) }
//! ```

#[allow(clippy::module_inception)]
mod component;
mod func;
mod instance;
mod linker;
mod resources;
mod typed;
pub mod types;
mod values;
mod wasi;

pub use component::{Component, ComponentExportIndex, ExportLookup};
#[doc(hidden)]
pub use component::Lookup;
pub use func::Func;
pub use instance::Instance;
pub use linker::{Linker, LinkerInstance};
pub use resources::{Resource, ResourceAny, ResourceDynamic, ResourceType};
pub use typed::{ComponentNamedList, ComponentType, Lift, Lower, TypedFunc};
pub use types::Type;
pub use values::{ErrorContextAny, FutureAny, StreamAny, Val};
