//! Comparisons of `wasmtime-mbt` with the native `wasmtime` crate.
//!
//! This crate has no API of its own. Its tests (`tests/`) and benchmarks
//! (`benches/compare.rs`) build the same client code against both crates
//! and check that they agree; the comparisons need the `native` feature
//! (the default), which also selects the bundled Wasmtime build. Without it
//! (a build against a prebuilt library) the crate compiles to nothing, the
//! comparison tests are skipped, and the compatibility target
//! (`tests/compat.rs`, see the crate's README) runs its client code against
//! wasmtime-mbt alone, checked by each case's own assertions: a prebuilt
//! library cannot be compared with a native crate compiled from source in
//! the same process.
//!
//! ```
//! assert_eq!(wasmtime_mbt_compat::NATIVE, cfg!(feature = "native"));
//! ```

/// Whether the native `wasmtime` crate is built in (the `native` feature).
pub const NATIVE: bool = cfg!(feature = "native");
