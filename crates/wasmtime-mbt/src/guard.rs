//! Keeping Rust panics out of C: every function C calls (host callbacks,
//! finalizers, writers) runs user code through [`no_unwind`], and every
//! panic payload is disposed of with [`drop_payload`], because a panic
//! unwinding out of an `extern "C"` function aborts the process.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, catching a panic: `None` if it panicked (the payload is
/// dropped safely). The panic hook has already reported the panic.
#[inline]
pub(crate) fn no_unwind<R>(f: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(payload) => {
            drop_payload(payload);
            None
        }
    }
}

/// Drops a panic payload, whose own `Drop` may panic too (issue 15): that
/// second panic is caught, and its payload leaked rather than risk a third.
#[cold]
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// `error.to_string()`, which runs user `Display` code: a panic there
/// gives a fixed message instead of unwinding into C.
pub(crate) fn message_of(error: &crate::Error) -> String {
    no_unwind(|| error.to_string()).unwrap_or_else(|| "error (its `Display` panicked)".to_string())
}

/// Finalizer for a boxed value handed to C as `env` or host data: drops it
/// without letting a panicking `Drop` unwind into C. The value's `Drop`
/// ran (up to its panic); the panic itself goes no further than the hook's
/// report, since the C caller (a store, linker or GC being torn down)
/// cannot carry it.
///
/// # Safety
/// `env` must come from `Box::into_raw(Box<F>)`, and C must call the
/// finalizer exactly once.
pub(crate) unsafe extern "C" fn drop_box<F>(env: *mut std::ffi::c_void) {
    // SAFETY: per the contract above.
    let boxed = unsafe { Box::from_raw(env.cast::<F>()) };
    no_unwind(move || drop(boxed));
}
