//! WASI preview 1 (work in progress).
