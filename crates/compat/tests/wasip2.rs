//! WASI preview 2: a real `wasi:cli/command` component, made from a WAT
//! core module (`fd_write`, `args_get`, `proc_exit`) and Wasmtime's official
//! preview 1 adapter (`wasi-preview1-component-adapter-provider`, encoded
//! with `wit-component`), run through `component::Linker::add_wasip2`.
//!
//! The component is also checked in as
//! `crates/wasmtime-mbt/tests/fixtures/hello-wasip2.wasm` (used by the safe
//! crate's tests and its `wasip2` example, which have no such
//! dependencies); `same_as_fixture` checks the file is what this encoding
//! gives. Regenerate it with `WASMTIME_MBT_BLESS=1 cargo test -p
//! wasmtime-mbt-compat --test wasip2`.

use wasmtime_mbt::component::{Component, Linker};
use wasmtime_mbt::{Engine, I32Exit, Store, WasiConfig};

/// The core module: prints "hello from wasip2\n", then exits with the
/// number of arguments minus one (`proc_exit`), so `prog` alone exits 0.
const CORE: &str = r#"(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 64) "hello from wasip2\n")
    (func (export "_start")
        (i32.store (i32.const 0) (i32.const 64))
        (i32.store (i32.const 4) (i32.const 18))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
        (if (i32.gt_u (i32.load (i32.const 16)) (i32.const 1))
            (then (call $proc_exit (i32.sub (i32.load (i32.const 16)) (i32.const 1)))))))"#;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../wasmtime-mbt/tests/fixtures/hello-wasip2.wasm");

fn encode() -> Vec<u8> {
    let core = wasmtime_mbt::wat2wasm(CORE.as_bytes()).expect("core module");
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&core)
        .expect("module")
        .adapter("wasi_snapshot_preview1", wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER)
        .expect("adapter")
        .encode()
        .expect("encode")
}

#[test]
fn same_as_fixture() {
    let bytes = encode();
    if std::env::var_os("WASMTIME_MBT_BLESS").is_some() {
        std::fs::write(FIXTURE, &bytes).expect("write fixture");
    }
    let checked_in = std::fs::read(FIXTURE).expect("fixture (regenerate with WASMTIME_MBT_BLESS=1)");
    assert!(checked_in == bytes, "{FIXTURE} is stale: regenerate with WASMTIME_MBT_BLESS=1");
}

/// Runs the command with `args`, returning stdout and the exit status.
fn run(args: &[&str]) -> (String, i32) {
    let engine = Engine::default();
    let component = Component::new(&engine, encode()).expect("component");
    let mut linker = Linker::<()>::new(&engine);
    linker.add_wasip2().expect("wasip2");
    let mut wasi = WasiConfig::new();
    wasi.args(args).expect("args");
    let stdout = wasi.capture_stdout();
    let mut store = Store::new(&engine, ());
    store.set_wasi(wasi).expect("set_wasi");
    let status = match linker.run_command(&mut store, &component) {
        Ok(()) => 0,
        Err(e) => e.downcast_ref::<I32Exit>().unwrap_or_else(|| panic!("{e:?}")).0,
    };
    (stdout.to_string_lossy(), status)
}

#[test]
fn command_prints_and_exits_zero() {
    assert_eq!(run(&["prog"]), ("hello from wasip2\n".to_string(), 0));
}

#[test]
fn command_nonzero_exit() {
    // `proc_exit(n)` with `n != 0` reaches preview 2 as `exit(err)`: status 1.
    assert_eq!(run(&["prog", "a", "b"]), ("hello from wasip2\n".to_string(), 1));
}
