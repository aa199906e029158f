//! The official WebAssembly spec test suite, run through `wasmtime-mbt`'s
//! safe API: see `tests/spec.rs`. This crate has no API of its own.
//!
//! ```
//! assert!(wasmtime_mbt_spec::RUNNER.ends_with("tests/spec.rs"));
//! ```

/// Where the runner lives.
pub const RUNNER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/spec.rs");
