//! A crate outside the workspace, depending only on `wasmtime-mbt-sys` by
//! path, builds and calls a wasm function (`tests/sys-consumer`); without
//! `bundled` and without a library, its build fails with a clear message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `cargo <args>` on `tests/sys-consumer`, sharing this build's target
/// directory (same versions as the workspace, so Wasmtime is reused), with
/// `env` changes applied.
fn consumer_cargo(args: &[&str], env: &[(&str, Option<&std::ffi::OsStr>)]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let consumer = root.join("tests/sys-consumer");
    std::fs::copy(root.join("Cargo.lock"), consumer.join("Cargo.lock")).unwrap();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.args(args).args(["--quiet", "--offline", "--manifest-path"]).arg(consumer.join("Cargo.toml"));
    cargo.env("CARGO_TARGET_DIR", target_dir);
    for (name, value) in env {
        match value {
            Some(value) => cargo.env(name, value),
            None => cargo.env_remove(name),
        };
    }
    cargo.output().expect("cargo runs")
}

#[test]
fn a_crate_outside_the_workspace_links_and_calls_wasm() {
    // The same link mode as this build (WASMTIME_MBT_LIB_DIR is inherited).
    let args: &[&str] = if cfg!(feature = "bundled") { &["run"] } else { &["run", "--no-default-features"] };
    let output = consumer_cargo(args, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.trim(), "add(40, 2) = 42");
}

/// A prebuilt-mode build of the consumer that must fail; its stderr.
fn failed_prebuilt_build(env: &[(&str, Option<&std::ffi::OsStr>)]) -> String {
    let output = consumer_cargo(&["build", "--no-default-features"], env);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "built without a library:\n{stderr}");
    // A build-script error, not a linker error.
    assert!(stderr.contains("failed to run custom build command for `wasmtime-mbt-sys"), "{stderr}");
    stderr
}

#[test]
fn without_bundled_and_without_a_library_the_build_error_names_the_ways_out() {
    let prefixed = std::env::consts::ARCH.to_uppercase() + "_UNKNOWN_LINUX_GNU_WASMTIME_MBT_LIB_DIR";
    let nowhere = Some(std::ffi::OsStr::new("/nonexistent"));
    let stderr = failed_prebuilt_build(&[
        ("WASMTIME_MBT_LIB_DIR", None),
        (&prefixed, None),
        // No pkg-config answer either.
        ("PKG_CONFIG_PATH", nowhere),
        ("PKG_CONFIG_LIBDIR", nowhere),
    ]);
    for needle in ["no Wasmtime library to link", "WASMTIME_MBT_LIB_DIR", "WASMTIME_MBT_STATIC", "pkg-config", "`bundled` feature"] {
        assert!(stderr.contains(needle), "{needle:?} missing from:\n{stderr}");
    }
}

#[test]
fn a_lib_dir_without_the_library_is_a_clear_error() {
    let empty = std::env::temp_dir().join(format!("wasmtime-mbt-empty-lib-dir-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let stderr = failed_prebuilt_build(&[("WASMTIME_MBT_LIB_DIR", Some(empty.as_os_str()))]);
    assert!(stderr.contains("holds no libwasmtime.so or libwasmtime.a"), "{stderr}");
    std::fs::remove_dir(&empty).unwrap();
}
