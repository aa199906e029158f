//! Project automation for wasmtime-mbt, run as `cargo xtask <command>`.
//!
//! * `cargo xtask regen` — copy the C headers out of the `wasmtime-c-api-impl`
//!   package, generate `wasmtime/conf.h` and rewrite the checked-in bindgen
//!   bindings of `wasmtime-mbt-sys`.
//! * `cargo xtask regen --check` — regenerate into a temporary directory and
//!   fail when the checked-in files differ.
//! * `cargo xtask bench-report` — run the criterion benches of `wasmtime-mbt`
//!   and write the results table into `docs/PERF.md`.

mod bench_report;
mod comments;
mod diff;
mod regen;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask regen [--check]
       cargo xtask bench-report [--no-run] [-- <criterion args>]

  regen          rewrite crates/wasmtime-mbt-sys/include and src/bindings.rs
  regen --check  fail if the checked-in headers or bindings are out of date
  bench-report   run `cargo bench -p wasmtime-mbt` (criterion) and write the
                 safe/raw/native table into docs/PERF.md (--no-run: only
                 re-read target/criterion; args after -- go to criterion)

bindgen needs libclang: `apt-get install -y libclang-dev`.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regen"] => regen::run(regen::Mode::Write),
        ["regen", "--check"] => regen::run(regen::Mode::Check),
        ["bench-report", rest @ ..] => bench_report::parse(rest).and_then(bench_report::run),
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
