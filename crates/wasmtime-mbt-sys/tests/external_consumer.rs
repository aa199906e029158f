//! A crate outside the workspace, depending only on `wasmtime-mbt-sys` by
//! path, builds and calls a wasm function (`tests/sys-consumer`).

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn a_crate_outside_the_workspace_links_and_calls_wasm() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let consumer = root.join("tests/sys-consumer");
    // Same versions as the workspace, so the shared target dir reuses Wasmtime.
    std::fs::copy(root.join("Cargo.lock"), consumer.join("Cargo.lock")).unwrap();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.args(["run", "--quiet", "--offline", "--manifest-path"]).arg(consumer.join("Cargo.toml"));
    // The same link mode as this build (WASMTIME_MBT_LIB_DIR is inherited).
    if !cfg!(feature = "bundled") {
        cargo.arg("--no-default-features");
    }
    let output = cargo
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.trim(), "add(40, 2) = 42");
}
