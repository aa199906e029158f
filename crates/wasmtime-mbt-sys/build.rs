//! Publishes the vendored C headers to dependents.
//!
//! The package declares `links = "wasmtime_mbt"`, so a crate that depends on
//! `wasmtime-mbt-sys` and builds C code (with `cc`, say) finds the headers in
//! its own build script as the environment variable `DEP_WASMTIME_MBT_INCLUDE`.
//! Nothing here needs libclang: the bindings are checked in.

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo:include={}", dir.join("include").display());
    println!("cargo:rerun-if-changed=build.rs");
}
