//! Runs a test scenario in a child process: for scenarios that used to
//! abort the process (a Wasmtime panic behind C, a panic unwinding into C),
//! so that a regression fails one test instead of taking the whole test
//! binary down.
//!
//! `isolated!(fn name() { body })` defines the `#[test]` `name`. Run
//! normally, it re-executes this test binary for `name` alone with
//! `WASMTIME_MBT_ISOLATED=name` and asserts that the child exited
//! normally and that its test passed; in the child, the variable is set and
//! `body` runs (asserting the scenario's expected outcome).

use std::process::Command;

/// The environment variable that selects the scenario in the child.
pub const VAR: &str = "WASMTIME_MBT_ISOLATED";

/// `body` in a child process; see the module docs.
#[track_caller]
pub fn run(name: &str, body: impl FnOnce()) {
    if std::env::var(VAR).as_deref() == Ok(name) {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(VAR, name)
        .output()
        .expect("re-executing the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scenario `{name}` did not exit normally ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    assert!(stdout.contains("1 passed"), "scenario `{name}` did not run in the child:\n{stdout}\n{stderr}");
}

/// Defines a `#[test]` whose body runs in a child process (see [`run`]).
macro_rules! isolated {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            $crate::isolate::run(stringify!($name), || $body)
        }
    };
}
