//! With a prebuilt shared libwasmtime, gives this package's own examples,
//! tests and benchmarks an rpath to the library's directory, so they also
//! run when started outside `cargo run`/`cargo test` (which put the library
//! on the loader path themselves). `wasmtime-mbt-sys` names the directory in
//! `DEP_WASMTIME_MBT_LIB_DIR`; a downstream binary's build script can do the
//! same.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_WASMTIME_MBT_LIB_DIR");
    let dynamic = std::env::var("DEP_WASMTIME_MBT_KIND").as_deref() == Ok("dynamic");
    let unix = std::env::var("CARGO_CFG_TARGET_FAMILY").as_deref() == Ok("unix");
    if let (true, true, Ok(dir)) = (dynamic, unix, std::env::var("DEP_WASMTIME_MBT_LIB_DIR")) {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
