//! Safe, idiomatic bindings to the Wasmtime C API (in progress).
