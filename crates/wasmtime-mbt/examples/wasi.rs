//! Runs a WASI command written in WAT, capturing what it prints.
//!
//! `cargo run -p wasmtime-mbt --example wasi`

use wasmtime_mbt::{Engine, I32Exit, Linker, Module, Store, WasiConfig};

const HELLO: &str = r#"(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "Hello from WASI!\n")
    (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16)) ;; iov.buf
        (i32.store (i32.const 4) (i32.const 17)) ;; iov.len
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (call $proc_exit (i32.const 7))))"#;

pub fn main() -> wasmtime_mbt::Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, HELLO)?;

    let mut linker = Linker::new(&engine);
    linker.define_wasi()?;

    let mut wasi = WasiConfig::new();
    wasi.arg("hello")?;
    let stdout = wasi.capture_stdout();
    let mut store = Store::new(&engine, ());
    store.set_wasi(wasi)?;

    // `run_command` is `Ok` for a clean exit; `proc_exit(n != 0)` is an
    // `Err` carrying the status.
    let exit_code = match linker.run_command(&mut store, &module) {
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => exit.0,
            None => return Err(e),
        },
    };
    print!("captured stdout: {}", stdout.to_string_lossy());
    println!("exit code: {exit_code}");
    Ok(())
}
