//! Runs a WASI preview 2 command component, capturing what it prints and
//! its exit status.
//!
//! The component (`tests/fixtures/hello-wasip2.wasm`) is a core module
//! made into a `wasi:cli/command` with Wasmtime's preview 1 adapter; it
//! prints a line and exits with its argument count minus one
//! (`crates/compat/tests/wasip2.rs` builds it and checks the file).
//!
//! `cargo run -p wasmtime-mbt --example wasip2`

use wasmtime_mbt::component::{Component, Linker};
use wasmtime_mbt::{Engine, I32Exit, Store, WasiConfig};

pub fn main() -> wasmtime_mbt::Result<()> {
    let engine = Engine::default();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hello-wasip2.wasm");
    let component = Component::from_file(&engine, path)?;

    let mut linker = Linker::<()>::new(&engine);
    linker.add_wasip2()?;

    for args in [&["hello"][..], &["hello", "--fail"][..]] {
        let mut wasi = WasiConfig::new();
        wasi.args(args)?;
        let stdout = wasi.capture_stdout();
        let mut store = Store::new(&engine, ());
        store.set_wasi(wasi)?;
        let status = match linker.run_command(&mut store, &component) {
            Ok(()) => 0,
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(exit) => exit.0,
                None => return Err(e),
            },
        };
        print!("{}", stdout.to_string_lossy());
        println!("exit status {status}");
        assert_eq!(stdout.to_string_lossy(), "hello from wasip2\n");
        assert_eq!(status, if args.len() == 1 { 0 } else { 1 });
    }
    Ok(())
}
