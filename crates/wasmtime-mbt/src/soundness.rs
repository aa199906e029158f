//! Compile-fail examples that pin down the API's soundness guarantees (work in progress).
