//! C callbacks that run Rust host functions: panics and errors become traps,
//! never unwinding across the C boundary (a panic's payload is resumed by
//! the call into wasm once C has returned, as `wasmtime` does).

use std::any::Any;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use wasmtime_mbt_sys as sys;

use super::typed::IntoFunc;
use crate::store::StoreOpaque;
use crate::{Caller, Error, FuncType, Result, Trap, Val};

pub(crate) use crate::guard::drop_box;

/// Runs host code for the store of `caller`, turning an `Err` or a
/// panic into an owned C trap. The original error (or the panic's payload)
/// is kept in the store, so the wasm call that led here returns it (or
/// resumes the panic; see `StoreOpaque::check_call`).
#[inline]
pub(crate) fn run_host(caller: *mut sys::wasmtime_caller_t, body: impl FnOnce() -> Result<()>) -> *mut sys::wasm_trap_t {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    // SAFETY: `caller` is live for this host call; the closure that
    // borrowed its store has returned.
    let context = || unsafe { sys::wasmtime_caller_context(caller) };
    match outcome {
        Ok(Ok(())) => std::ptr::null_mut(),
        // SAFETY: as above.
        Ok(Err(error)) => unsafe { host_failure(context(), error) },
        Err(panic) => unsafe { host_panic(context(), panic) },
    }
}

/// The owned C trap for a panic in host code: the payload is kept in the
/// store, and the call into wasm that led here resumes it once C has
/// returned, as `wasmtime` resumes a host panic in the caller.
///
/// # Safety
/// As for [`host_failure`].
#[cold]
pub(crate) unsafe fn host_panic(context: *mut sys::wasmtime_context_t, panic: Box<dyn Any + Send>) -> *mut sys::wasm_trap_t {
    // Only what the C side reports while unwinding.
    let message = format!("host function panicked: {}", panic_message(&*panic));
    // SAFETY: forwarded.
    unsafe { StoreOpaque::from_context(context) }.set_host_panic(panic);
    // SAFETY: the message is passed with its length and copied; the trap
    // returned is owned.
    unsafe { sys::wasmtime_trap_new(message.as_ptr().cast(), message.len()) }
}

/// The owned C trap for a failed host call; the error itself is kept in the
/// store, so the call that led here returns it.
///
/// # Safety
/// `context` must be the live store of the running host call, with no other
/// reference to it in use.
#[cold]
pub(crate) unsafe fn host_failure(context: *mut sys::wasmtime_context_t, error: Error) -> *mut sys::wasm_trap_t {
    // SAFETY: forwarded.
    let opaque = unsafe { StoreOpaque::from_context(context) };
    // A thrown exception (`Store::throw`): C throws it into the calling
    // wasm when the host returns the trap that carries it.
    if error.is::<crate::ThrownException>() {
        if let Some(trap) = opaque.rethrow_trap() {
            return trap;
        }
    }
    // Only what the C side reports while unwinding: the call returns
    // `error` itself.
    let raw = match error.downcast_ref::<Trap>() {
        Some(trap) => trap.to_raw(),
        None => {
            let message = crate::guard::message_of(&error);
            // SAFETY: the message is passed with its length and copied; the
            // trap returned is owned.
            unsafe { sys::wasmtime_trap_new(message.as_ptr().cast(), message.len()) }
        }
    };
    opaque.set_host_error(error);
    raw
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("Box<dyn Any>")
}

/// The `wasmtime_func_callback_t` behind [`Func::new`](crate::Func::new).
pub(crate) unsafe extern "C" fn dynamic_trampoline<T, F>(
    env: *mut c_void,
    caller: *mut sys::wasmtime_caller_t,
    args: *const sys::wasmtime_val_t,
    nargs: usize,
    results: *mut sys::wasmtime_val_t,
    nresults: usize,
) -> *mut sys::wasm_trap_t
where
    F: Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()>,
{
    run_host(caller, || {
        // SAFETY: `caller` is live for this call.
        let ctx = unsafe { sys::wasmtime_caller_context(caller) };
        // SAFETY: `env` is the `(FuncType, F)` box made by `Func::new` /
        // `Linker::func_new`; `caller` is live for this call; `args` and
        // `results` have the lengths given (possibly null when zero).
        let (ty, f) = unsafe { &*env.cast::<(FuncType, F)>() };
        let args = unsafe { raw_slice(args, nargs) };
        // As in `wasmtime`, the call gets a rooting scope: the references
        // it roots (its arguments among them) are unrooted when it returns.
        // SAFETY: the context is this call's live store; these shared views
        // are not used while the `Caller` handed to `f` is.
        let scope = unsafe { StoreOpaque::from_context(ctx) }.roots().borrow().enter();
        let outcome = (|| {
            let opaque = unsafe { StoreOpaque::from_context(ctx) };
            let params = args.iter().map(|a| unsafe { Val::from_raw_borrowed(opaque, a) }).collect::<Result<Vec<_>>>()?;
            let mut out: Vec<Val> = ty.result_types().iter().map(Val::placeholder).collect();
            f(unsafe { Caller::<T>::from_raw(caller, ctx) }, &params, &mut out)?;
            // SAFETY: the `Caller` handed to `f` is gone.
            unsafe { write_results(ctx, ty, out, results, nresults) }
        })();
        unsafe { StoreOpaque::from_context(ctx) }.roots().borrow_mut().exit(scope);
        outcome
    })
}

/// Hands a dynamic host function's results to C, each checked against
/// its type (C takes a root of its own for each reference).
///
/// # Safety
/// `ctx` must be the live store of the running host call, no `Caller` of
/// it in use; `results` must have room for `nresults` values.
unsafe fn write_results(ctx: *mut sys::wasmtime_context_t, ty: &FuncType, out: Vec<Val>, results: *mut sys::wasmtime_val_t, nresults: usize) -> Result<()> {
    if out.len() != nresults {
        return Err(Error::msg(format!("host function returned {} results, expected {nresults}", out.len())));
    }
    // SAFETY: the context is the live store of this call; the caller
    // handed to the host function is gone.
    let opaque = unsafe { StoreOpaque::from_context(ctx) };
    for (i, (val, ty)) in out.into_iter().zip(ty.result_types()).enumerate() {
        if !val.fits(ty) {
            return Err(Error::msg(format!("host function result {i} has type {}, expected {ty}", val.kind_name())));
        }
        // SAFETY: `i < nresults`; C takes ownership of each result.
        unsafe { *results.add(i) = val.into_raw(opaque)? };
    }
    Ok(())
}

/// The `wasmtime_func_unchecked_callback_t` behind `Func::wrap` and
/// `Linker::func_wrap`.
pub(crate) unsafe extern "C" fn typed_trampoline<T, Params, Results, F>(
    env: *mut c_void,
    caller: *mut sys::wasmtime_caller_t,
    args_and_results: *mut sys::wasmtime_val_raw_t,
    len: usize,
) -> *mut sys::wasm_trap_t
where
    F: IntoFunc<T, Params, Results>,
{
    run_host(caller, || {
        // SAFETY: `env` is the `F` box made by `Func::wrap`/`Linker::func_wrap`;
        // the buffer holds `len` values laid out by `F::func_type()`;
        // `caller` is live for this call, in a `Store<T>`.
        let f = unsafe { &*env.cast::<F>() };
        let raw = unsafe { std::slice::from_raw_parts_mut(args_and_results, len) };
        unsafe { f.call_raw(caller, raw) }
    })
}

/// A slice over a C array that may be null when empty.
#[inline]
///
/// # Safety
/// A non-null `data` must point to `len` initialised values alive for `'a`.
pub(crate) unsafe fn raw_slice<'a, V>(data: *const V, len: usize) -> &'a [V] {
    if len == 0 || data.is_null() {
        &[]
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}
