//! Without libclang, `cargo xtask regen` fails with a message naming the
//! package to install, not a panic backtrace.

use std::process::Command;

#[test]
fn missing_libclang_names_the_apt_package() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["regen", "--check"])
        .env("LIBCLANG_PATH", "/nonexistent/libclang/dir")
        .output()
        .expect("xtask runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "stderr: {stderr}");
    assert!(stderr.contains("apt-get install -y libclang-dev"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
