// The sys crate's own example, built here as an outside crate would build it.
include!("../../../crates/wasmtime-mbt-sys/examples/add.rs");
