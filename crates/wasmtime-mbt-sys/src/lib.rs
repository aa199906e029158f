//! Raw FFI bindings to the [Wasmtime C API], version 48.0.8.
//!
//! Everything declared in `wasm.h`, `wasi.h`, `wasmtime.h` and
//! `wasmtime/**.h` is re-exported at the crate root under its C name
//! (`wasm_engine_new`, `wasmtime_func_call`, `WASMTIME_I32`, …). The
//! bindings were produced by bindgen and are checked in (see
//! `cargo xtask regen`), so building this crate needs no libclang.
//!
//! Wasmtime itself is linked in one of two ways:
//!
//! - with the `bundled` feature (the default), by depending on the crates.io
//!   crate `wasmtime-c-api-impl`, which builds Wasmtime from source (needs
//!   cmake); this crate's other Cargo features forward to its features;
//! - without it, `build.rs` links a prebuilt libwasmtime 48.0.x: the
//!   directory in `WASMTIME_MBT_LIB_DIR` (a folder with `libwasmtime.so`
//!   and/or `libwasmtime.a`, or an unpacked release archive with `lib/`),
//!   `WASMTIME_MBT_STATIC=1|0` to choose when both are there (each also
//!   target-prefixed, e.g. `X86_64_UNKNOWN_LINUX_GNU_WASMTIME_MBT_LIB_DIR`),
//!   else pkg-config's `wasmtime`. No cmake, C compiler or libclang is
//!   needed. A shared library is found at run time under `cargo run` and
//!   `cargo test`; `DEP_WASMTIME_MBT_LIB_DIR` names its directory for an
//!   rpath in dependents' build scripts. [`build`] says which mode was
//!   built. The [`inline`] module supplies the few `static inline` helpers
//! of the headers that bindgen cannot translate.
//!
//! C code built by a dependent's build script finds the same headers through
//! the `DEP_WASMTIME_MBT_INCLUDE` environment variable, or at [`INCLUDE_DIR`].
//!
//! Every function here is `unsafe` and follows the C API's ownership rules
//! (`own` parameters are consumed, results must be deleted). Most users want
//! the safe `wasmtime-mbt` crate instead.
//!
//! ```
//! use wasmtime_mbt_sys::*;
//!
//! // SAFETY: the engine is created and deleted exactly once.
//! unsafe {
//!     let engine = wasm_engine_new();
//!     assert!(!engine.is_null());
//!     wasm_engine_delete(engine);
//! }
//! ```
//!
//! # Async calls, by hand
//!
//! The recipe behind an async call: value buffers, trap/error out-pointers,
//! a function type, a (no-op) host callback, `wasmtime_func_call_async`,
//! the poll loop, then deleting everything. Every buffer must outlive the
//! future, and only one future may be alive per store.
//!
//! ```
//! use std::ffi::c_void;
//! use std::ptr;
//! use wasmtime_mbt_sys::*;
//!
//! unsafe extern "C" fn noop(
//!     _: *mut c_void, _: *mut wasmtime_caller_t, _: *const wasmtime_val_t, _: usize,
//!     _: *mut wasmtime_val_t, _: usize,
//! ) -> *mut wasm_trap_t {
//!     ptr::null_mut()
//! }
//!
//! // SAFETY: every buffer outlives the future, which is deleted before the
//! // store; each out-pointer is checked and what it holds deleted once.
//! unsafe {
//!     let engine = wasm_engine_new();
//!     let store = wasmtime_store_new(engine, ptr::null_mut(), None);
//!     let context = wasmtime_store_context(store);
//!     let ty = wasm_functype_new_with(&[], &[]);
//!     let mut func = wasmtime_func_t::default();
//!     wasmtime_func_new(context, ty, Some(noop), ptr::null_mut(), None, &mut func);
//!     let (args, mut results): (Vec<wasmtime_val_t>, Vec<wasmtime_val_t>) = (Vec::new(), Vec::new());
//!     let (mut trap, mut error) = (ptr::null_mut(), ptr::null_mut());
//!     let future = wasmtime_func_call_async(
//!         context, &func, args.as_ptr(), args.len(), results.as_mut_ptr(), results.len(), &mut trap, &mut error,
//!     );
//!     while !wasmtime_call_future_poll(future) {}
//!     wasmtime_call_future_delete(future);
//!     assert!(trap.is_null() && error.is_null());
//!     wasm_functype_delete(ty);
//!     wasmtime_store_delete(store);
//!     wasm_engine_delete(engine);
//! }
//! ```
//!
//! [Wasmtime C API]: https://docs.wasmtime.dev/c-api/

#![allow(non_camel_case_types, non_upper_case_globals, non_snake_case)]
#![allow(clippy::all, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags, rustdoc::bare_urls)]

// `wasmtime-c-api-impl` exports the C API as `#[no_mangle]` functions; naming
// the crate makes sure its archive reaches the linker of every dependent.
// Without `bundled`, build.rs links a prebuilt libwasmtime instead.
#[cfg(feature = "bundled")]
extern crate wasmtime_c_api as _;

#[allow(missing_docs, unsafe_op_in_unsafe_fn)]
mod bindings;
pub mod inline;

pub use bindings::*;
pub use inline::*;

/// The directory holding the vendored headers (`wasm.h`, `wasi.h`,
/// `wasmtime.h`, `wasmtime/…`) the bindings were generated from, with the
/// `wasmtime/conf.h` that matches the default features.
///
/// ```
/// let wasm_h = std::path::Path::new(wasmtime_mbt_sys::INCLUDE_DIR).join("wasm.h");
/// assert!(wasm_h.is_file());
/// ```
pub const INCLUDE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/include");

/// [`WASMTIME_VERSION`] without its trailing NUL, as a `&str`.
///
/// ```
/// assert_eq!(wasmtime_mbt_sys::wasmtime_version(), "48.0.8");
/// ```
pub fn wasmtime_version() -> &'static str {
    let bytes = WASMTIME_VERSION.strip_suffix(b"\0").unwrap_or(WASMTIME_VERSION);
    std::str::from_utf8(bytes).expect("the version is ASCII")
}

/// How this crate links Wasmtime, and the Cargo features it was built with.
///
/// With `bundled` the features describe the Wasmtime that was compiled;
/// with a prebuilt library they only say what the dependent asked for (the
/// library decides what it has).
///
/// ```
/// assert_eq!(wasmtime_mbt_sys::build::BUNDLED, cfg!(feature = "bundled"));
/// ```
pub mod build {
    /// Wasmtime was built from source (the `bundled` feature), rather than a
    /// prebuilt library linked.
    pub const BUNDLED: bool = cfg!(feature = "bundled");
    /// The `cranelift` feature.
    pub const CRANELIFT: bool = cfg!(feature = "cranelift");
    /// The `winch` feature.
    pub const WINCH: bool = cfg!(feature = "winch");
    /// The `gc` feature.
    pub const GC: bool = cfg!(feature = "gc");
    /// The `pooling-allocator` feature.
    pub const POOLING_ALLOCATOR: bool = cfg!(feature = "pooling-allocator");
}
