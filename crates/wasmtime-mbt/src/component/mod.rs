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
#[doc(hidden)]
pub use typed::__internal;
/// Derives (`#[derive(ComponentType, Lift, Lower)]` with
/// `#[component(record)]`, `#[component(variant)]` or `#[component(enum)]`),
/// and `flags!` for `flags` types, as `wasmtime`'s.
///
/// ```
/// use wasmtime_mbt::component::flags;
/// flags! {
///     Perms {
///         #[component(name = "read")]
///         const READ;
///         #[component(name = "write")]
///         const WRITE;
///     }
/// }
/// let rw = Perms::READ | Perms::WRITE;
/// assert!(rw.contains(Perms::READ) && rw == Perms::all());
/// assert_eq!(!Perms::READ, Perms::WRITE);
/// assert_eq!(format!("{rw:?}"), "(READ|WRITE)");
/// ```
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::component::{Component, ComponentType, Lift, Linker, Lower};
/// use wasmtime_mbt::{Engine, Store};
/// #[derive(ComponentType, Lift, Lower, Debug, PartialEq, Clone, Copy)]
/// #[component(record)]
/// struct Point {
///     x: u32,
///     #[component(name = "y-coord")]
///     y: u32,
/// }
/// #[derive(ComponentType, Lift, Lower, Debug, PartialEq)]
/// #[component(enum)]
/// enum Dir {
///     #[component(name = "up")]
///     Up,
///     #[component(name = "down")]
///     Down,
/// }
/// let engine = Engine::default();
/// let component = Component::new(&engine, r#"(component
///     (core module $m
///         (func (export "sum") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
///         (func (export "flip") (param i32) (result i32) (i32.xor (local.get 0) (i32.const 1))))
///     (core instance $i (instantiate $m))
///     (type $p' (record (field "x" u32) (field "y-coord" u32)))
///     (export $p "point" (type $p'))
///     (type $d' (enum "up" "down"))
///     (export $d "dir" (type $d'))
///     (func (export "sum") (param "p" $p) (result u32) (canon lift (core func $i "sum")))
///     (func (export "flip") (param "d" $d) (result $d) (canon lift (core func $i "flip"))))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
/// let sum = instance.get_typed_func::<(Point,), (u32,)>(&mut store, "sum")?;
/// assert_eq!(sum.call(&mut store, (Point { x: 2, y: 5 },))?, (7,));
/// let flip = instance.get_typed_func::<(Dir,), (Dir,)>(&mut store, "flip")?;
/// assert_eq!(flip.call(&mut store, (Dir::Up,))?, (Dir::Down,));
/// // The names are checked against the component's types.
/// #[derive(ComponentType, Lift, Lower)]
/// #[component(record)]
/// struct Wrong { x: u32, y: u32 }
/// assert!(instance.get_typed_func::<(Wrong,), (u32,)>(&mut store, "sum").is_err());
/// # Ok(()) }
/// ```
pub use wasmtime_mbt_macros::{flags, ComponentType, Lift, Lower};
pub use types::Type;
pub use values::{ErrorContextAny, FutureAny, StreamAny, Val};
