//! Bindings whose C declaration disagrees with Wasmtime's definition, and
//! which `cargo xtask regen` corrects (`xtask/src/header_fixes.rs`):
//! each must have the signature of the function Wasmtime actually exports.

use wasmtime_mbt_sys::*;

/// Wasmtime 48 defines it returning nothing (`c-api/src/async.rs`); the
/// header declared a `wasmtime_error_t *` result, which would be read from
/// whatever the return register held (issue 15 #10).
#[test]
fn epoch_deadline_async_yield_and_update_returns_nothing() {
    let f: unsafe extern "C" fn(*mut wasmtime_context_t, u64) = wasmtime_context_epoch_deadline_async_yield_and_update;
    let _ = f;
}
