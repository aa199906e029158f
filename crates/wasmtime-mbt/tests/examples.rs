//! Runs every example in `examples/` as a test, so `cargo test` checks they
//! still work: each example asserts its own results and returns `Err` (or
//! panics) when behaviour breaks.

#[path = "../examples/hello.rs"]
mod hello;

#[path = "../examples/gcd.rs"]
mod gcd;

#[path = "../examples/memory.rs"]
mod memory;

#[path = "../examples/multi.rs"]
mod multi;

#[path = "../examples/linking.rs"]
mod linking;

#[path = "../examples/fuel.rs"]
mod fuel;

#[path = "../examples/interrupt.rs"]
mod interrupt;

#[path = "../examples/serialize.rs"]
mod serialize;

#[path = "../examples/externref.rs"]
mod externref;

#[path = "../examples/threads.rs"]
mod threads;

/// Runs an example's `main`, failing the test with its error.
#[track_caller]
fn run(name: &str, main: fn() -> wasmtime_mbt::Result<()>) {
    if let Err(err) = main() {
        panic!("example `{name}` failed: {err}");
    }
}

#[test]
fn hello_example() {
    run("hello", hello::main);
}

#[test]
fn gcd_example() {
    run("gcd", gcd::main);
}

#[test]
fn memory_example() {
    run("memory", memory::main);
}

#[test]
fn multi_example() {
    run("multi", multi::main);
}

#[test]
fn linking_example() {
    run("linking", linking::main);
}

#[test]
fn fuel_example() {
    run("fuel", fuel::main);
}

#[test]
fn interrupt_example() {
    run("interrupt", interrupt::main);
}

#[test]
fn serialize_example() {
    run("serialize", serialize::main);
}

#[test]
fn externref_example() {
    run("externref", externref::main);
}

#[test]
fn threads_example() {
    run("threads", threads::main);
}
