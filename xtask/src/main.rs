//! Project automation for wasmtime-mbt, run as `cargo xtask <command>`.
//!
//! * `cargo xtask regen` — copy the C headers out of the `wasmtime-c-api-impl`
//!   package, generate `wasmtime/conf.h` and rewrite the checked-in bindgen
//!   bindings of `wasmtime-mbt-sys`.
//! * `cargo xtask regen --check` — regenerate into a temporary directory and
//!   fail when the checked-in files differ.
//! * `cargo xtask bench-report` — run the criterion benches of `wasmtime-mbt`
//!   and write the results table into `docs/PERF.md`.
//! * `cargo xtask prebuilt` — put a prebuilt Wasmtime C API library (from the
//!   wasmtime-py wheel, a release archive or a local file) under
//!   `target/wasmtime-prebuilt/<version>/` and print the
//!   `WASMTIME_MBT_LIB_DIR` to build against it.

mod bench_report;
mod comments;
mod diff;
mod header_fixes;
mod prebuilt;
mod regen;

use std::path::Path;
use std::process::{Command, ExitCode};

/// Printed by `cargo xtask help` and after unknown arguments.
const USAGE: &str = "usage: cargo xtask regen [--check]
       cargo xtask bench-report [--no-run] [-- <criterion args>]
       cargo xtask prebuilt [--version <V>] [--from <FILE>] [--print-dir]

  regen          rewrite crates/wasmtime-mbt-sys/include and src/bindings.rs
  regen --check  fail if the checked-in headers or bindings are out of date
  bench-report   run `cargo bench -p wasmtime-mbt` (criterion) and write the
                 safe/raw/native table into docs/PERF.md (--no-run: only
                 re-read target/criterion; args after -- go to criterion)
  prebuilt       put a prebuilt libwasmtime under
                 <target dir>/wasmtime-prebuilt/<V>/ (lib/, include/) and
                 print WASMTIME_MBT_LIB_DIR=<that dir> as the last line;
                 does nothing when the library is already there
    --version <V>  wasmtime-py version to download (default 48.0.0); with
                   --from only the folder name (default: from the file name)
    --from <FILE>  use a local wasmtime-py wheel (.whl), C API release archive
                   (wasmtime-v<V>-<arch>-<os>-c-api.tar.xz, unpacked with
                   `tar -xJf`) or libwasmtime.so / libwasmtime.a /
                   _libwasmtime.so instead of `python3 -m pip download`
    --print-dir    print only the absolute directory

bindgen needs libclang: `apt-get install -y libclang-dev`.";

/// Dispatches to the subcommand named by the first argument.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regen"] => regen::run(regen::Mode::Write),
        ["regen", "--check"] => regen::run(regen::Mode::Check),
        ["bench-report", rest @ ..] => bench_report::parse(rest).and_then(bench_report::run),
        ["prebuilt", rest @ ..] => prebuilt::parse(rest).and_then(prebuilt::run),
        ["help"] | ["--help"] | ["-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(format!("unknown arguments {args:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the directory above this crate.
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is in the workspace")
}

/// Runs `cargo metadata --format-version 1 <extra>` in the workspace root
/// (with the `cargo` that runs this xtask) and parses its JSON output.
fn cargo_metadata(extra: &[&str]) -> Result<serde_json::Value, String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1"])
        .args(extra)
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("running cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("parsing cargo metadata: {e}"))
}
