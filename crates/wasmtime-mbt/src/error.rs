//! Error handling, as `wasmtime::error`: this is Wasmtime's own error type
//! (`wasmtime::Error`, from the `wasmtime-internal-core` crate that
//! `wasmtime` re-exports), with its [`Result`], [`Context`] and macros.
//!
//! Errors from the C API are rebuilt the way native Wasmtime makes them: a
//! trap is an [`Error`] whose root cause is a [`Trap`], with a
//! [`WasmBacktrace`] as context; a host function's
//! error comes back as the very value it returned (plus the backtrace); a
//! WASI `proc_exit` is an [`I32Exit`]; anything else has
//! Wasmtime's messages (`Display` is the outermost one, `{:?}` the whole
//! `Caused by:` chain).
//!
//! ```
//! use wasmtime_mbt::error::Context as _;
//! use wasmtime_mbt::{bail, Engine, Module, Result};
//!
//! fn load(wat: &str) -> Result<Module> {
//!     if wat.is_empty() {
//!         bail!("no module text");
//!     }
//!     Module::new(&Engine::default(), wat).context("loading my module")
//! }
//! let err = load("(module (func i32.bogus))").unwrap_err();
//! assert_eq!(err.to_string(), "loading my module");
//! assert!(format!("{err:?}").contains("i32.bogus"));
//! assert_eq!(load("").unwrap_err().to_string(), "no module text");
//! ```

pub use wasmtime_internal_core::error::*;

use wasmtime_mbt_sys as sys;

use crate::owned::take_string;
use crate::trap::{frames_of, FrameInfo, Trap, WasmBacktrace, BACKTRACE_HEADER};
use crate::I32Exit;

/// Constructors of [`Error`] from owned C errors and traps, kept as
/// associated functions (`Error::check(...)`) at the call sites.
pub(crate) trait ErrorExt: Sized {
    /// Reads and deletes an owned C error.
    ///
    /// # Safety
    /// `error` must be a live, owned `wasmtime_error_t`; it is freed here.
    unsafe fn from_raw(error: *mut sys::wasmtime_error_t) -> Self;

    /// `Ok(())` for a null error, else the error (freed).
    ///
    /// # Safety
    /// As for [`ErrorExt::from_raw`] when non-null.
    unsafe fn check(error: *mut sys::wasmtime_error_t) -> Result<()>;

    /// The outcome of a C call that reports through an error return and a
    /// trap out-parameter.
    ///
    /// # Safety
    /// Each non-null pointer must be owned by the caller; both are freed.
    unsafe fn check_call(error: *mut sys::wasmtime_error_t, trap: *mut sys::wasm_trap_t) -> Result<()>;
}

impl ErrorExt for Error {
    unsafe fn from_raw(error: *mut sys::wasmtime_error_t) -> Error {
        // SAFETY: forwarded.
        unsafe { CError::from_error(error) }.into_error()
    }

    unsafe fn check(error: *mut sys::wasmtime_error_t) -> Result<()> {
        if error.is_null() {
            Ok(())
        } else {
            // SAFETY: forwarded.
            Err(unsafe { Error::from_raw(error) })
        }
    }

    unsafe fn check_call(error: *mut sys::wasmtime_error_t, trap: *mut sys::wasm_trap_t) -> Result<()> {
        // SAFETY: forwarded.
        match unsafe { CError::from_call(error, trap) } {
            None => Ok(()),
            Some(failure) => Err(failure.into_error()),
        }
    }
}

/// What the C API says about a failure, read out of (and freeing) a
/// `wasmtime_error_t` or a `wasm_trap_t`.
pub(crate) struct CError {
    /// Wasmtime's `{:?}` of its error: the messages of the chain.
    message: String,
    /// The typed root Wasmtime reported (a trap code, an exit status).
    root: Option<Root>,
    /// The wasm frames of the error's `WasmBacktrace`, if any.
    frames: Vec<FrameInfo>,
}

/// The typed errors the C API lets us recognise in a Wasmtime error.
enum Root {
    Trap(Trap),
    Exit(i32),
}

impl Root {
    fn message(&self) -> String {
        match self {
            Root::Trap(trap) => trap.to_string(),
            Root::Exit(status) => I32Exit(*status).to_string(),
        }
    }

    fn into_error(self) -> Error {
        match self {
            Root::Trap(trap) => Error::new(trap),
            Root::Exit(status) => Error::new(I32Exit(status)),
        }
    }

    fn wrap(self, error: Error) -> Error {
        match self {
            Root::Trap(trap) => error.context(trap),
            Root::Exit(status) => error.context(I32Exit(status)),
        }
    }
}

impl CError {
    /// Reads and deletes an owned C error.
    ///
    /// # Safety
    /// `error` must be a live, owned `wasmtime_error_t`; it is freed here.
    pub(crate) unsafe fn from_error(error: *mut sys::wasmtime_error_t) -> CError {
        // SAFETY: `error` is live and owned; out-parameters become ours.
        unsafe {
            let mut message = sys::wasm_name_t::default();
            sys::wasmtime_error_message(error, &mut message);
            let message = take_string(message);
            let mut status = 0;
            let exited = sys::wasmtime_error_exit_status(error, &mut status);
            let mut frames = sys::wasm_frame_vec_t::default();
            sys::wasmtime_error_wasm_trace(error, &mut frames);
            let frames = frames_of(&mut frames);
            sys::wasmtime_error_delete(error);
            CError { message, root: exited.then_some(Root::Exit(status)), frames }
        }
    }

    /// Reads and deletes an owned C trap.
    ///
    /// # Safety
    /// `trap` must be a live, owned `wasm_trap_t`; it is freed here.
    pub(crate) unsafe fn from_trap(trap: *mut sys::wasm_trap_t) -> CError {
        // SAFETY: `trap` is live and owned; every out-parameter is owned by
        // us afterwards and freed by the helpers.
        unsafe {
            let mut message = sys::wasm_message_t::default();
            sys::wasm_trap_message(trap, &mut message);
            let message = take_string(message);
            let mut code = 0;
            let root = if sys::wasmtime_trap_code(trap, &mut code) { Trap::from_u8(code).map(Root::Trap) } else { None };
            let mut frames = sys::wasm_frame_vec_t::default();
            sys::wasm_trap_trace(trap, &mut frames);
            let frames = frames_of(&mut frames);
            sys::wasm_trap_delete(trap);
            CError { message, root, frames }
        }
    }

    /// The failure of a C call that reports through an error return and a
    /// trap out-parameter; `None` if both are null.
    ///
    /// # Safety
    /// Each non-null pointer must be owned by the caller; both are freed.
    pub(crate) unsafe fn from_call(error: *mut sys::wasmtime_error_t, trap: *mut sys::wasm_trap_t) -> Option<CError> {
        // SAFETY: forwarded; each pointer is read and freed once.
        unsafe {
            if !trap.is_null() {
                if !error.is_null() {
                    sys::wasmtime_error_delete(error);
                }
                Some(CError::from_trap(trap))
            } else if !error.is_null() {
                Some(CError::from_error(error))
            } else {
                None
            }
        }
    }

    /// The backtrace of this failure, if it has frames, with Wasmtime's
    /// text for it.
    pub(crate) fn into_backtrace(self) -> Option<WasmBacktrace> {
        if self.frames.is_empty() {
            return None;
        }
        let text = split_debug(&self.message).into_iter().find(|m| m.starts_with(BACKTRACE_HEADER)).map(str::to_string);
        Some(WasmBacktrace::new(self.frames, text))
    }

    /// The error as native Wasmtime has it: the chain of messages rebuilt
    /// (outermost first), the typed root where its message is, and the
    /// backtrace where Wasmtime attached it.
    pub(crate) fn into_error(self) -> Error {
        let CError { message, mut root, frames } = self;
        let parts = split_debug(&message);
        let last = parts.len() - 1;
        let root_at = root.as_ref().map(|r| {
            let text = r.message();
            parts.iter().rposition(|p| *p == text).unwrap_or(last)
        });
        let mut frames = (!frames.is_empty()).then_some(frames);
        let mut error: Option<Error> = None;
        for (i, part) in parts.iter().enumerate().rev() {
            error = Some(match (error, root_at == Some(i)) {
                (None, true) => root.take().expect("root").into_error(),
                (Some(inner), true) => root.take().expect("root").wrap(inner),
                (inner, false) => {
                    let backtrace = match part.starts_with(BACKTRACE_HEADER) {
                        true => frames.take().map(|f| WasmBacktrace::new(f, Some(part.to_string()))),
                        false => None,
                    };
                    match (inner, backtrace) {
                        (None, _) => Error::msg(part.to_string()),
                        (Some(inner), Some(backtrace)) => inner.context(backtrace),
                        (Some(inner), None) => inner.context(part.to_string()),
                    }
                }
            });
        }
        let error = error.expect("at least one message");
        match frames {
            Some(frames) => error.context(WasmBacktrace::new(frames, None)),
            None => error,
        }
    }
}

/// Splits Wasmtime's `{:?}` of an error into the messages of its chain,
/// outermost first; drops a captured Rust backtrace.
fn split_debug(message: &str) -> Vec<&str> {
    let message = match message.rfind("\nStack backtrace:\n") {
        Some(at) => &message[..at],
        None => message,
    };
    let Some((head, causes)) = message.split_once("\n\nCaused by:\n") else {
        return vec![message];
    };
    let causes = causes.strip_suffix('\n').unwrap_or(causes);
    let mut out = vec![head];
    // Several causes are numbered `{i: >5}: `, a single one is indented.
    match causes.strip_prefix("    0: ").filter(|rest| rest.contains("\n    1: ")) {
        Some(mut rest) => {
            for i in 1.. {
                let separator = format!("\n{i: >5}: ");
                match rest.split_once(&separator) {
                    Some((cause, tail)) => {
                        out.push(cause);
                        rest = tail;
                    }
                    None => {
                        out.push(rest);
                        break;
                    }
                }
            }
        }
        None => out.push(causes.strip_prefix("    ").unwrap_or(causes)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_debug_finds_each_message() {
        assert_eq!(split_debug("boom"), ["boom"]);
        assert_eq!(split_debug("outer\n\nCaused by:\n    inner\n"), ["outer", "inner"]);
        assert_eq!(
            split_debug("a\nb\n\nCaused by:\n    0: c\n    1: d\ne\n    2: f\n"),
            ["a\nb", "c", "d\ne", "f"]
        );
        assert_eq!(split_debug("a\n\nCaused by:\n    b\n\nStack backtrace:\n  0: x"), ["a", "b"]);
    }

    #[test]
    fn rebuilt_errors_print_as_the_original() {
        // The messages of a chain (a captured Rust backtrace differs).
        let chain = |e: &Error| e.chain().map(|c| c.to_string()).collect::<Vec<_>>();
        let original = Error::msg("root").context("middle").context(format!("{BACKTRACE_HEADER}\n    0:   0x2a - <unknown>!f"));
        let rebuilt = CError { message: format!("{original:?}"), root: None, frames: Vec::new() }.into_error();
        assert_eq!(chain(&rebuilt), chain(&original));
        assert_eq!(format!("{rebuilt:#}"), format!("{original:#}"));

        let trap = Error::new(Trap::Interrupt).context("while running");
        let rebuilt = CError { message: format!("{trap:?}"), root: Some(Root::Trap(Trap::Interrupt)), frames: Vec::new() }.into_error();
        assert_eq!(chain(&rebuilt), chain(&trap));
        assert!(rebuilt.root_cause().is::<Trap>());
        assert_eq!(rebuilt.downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    }
}
