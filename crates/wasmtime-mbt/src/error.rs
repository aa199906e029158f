//! The crate's error type: Wasmtime's own messages, traps and WASI exits.

use std::fmt;

use wasmtime_mbt_sys as sys;

use crate::owned::take_string;
use crate::trap::{frames_of, FrameInfo, Trap, TrapCode};

/// `Result` with this crate's [`Error`], as `wasmtime::Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, carrying Wasmtime's own message.
///
/// Mirrors `wasmtime::Error` in use (`Error::msg`, [`bail!`](crate::bail),
/// [`ensure!`](crate::ensure), [`format_err!`](crate::format_err), traps
/// recoverable with [`Error::trap`]) but is a plain enum, so it can be
/// matched. It implements `std::error::Error + Send + Sync + 'static`, so `?`
/// turns it into `anyhow::Error` or `Box<dyn Error>`.
///
/// ```
/// use wasmtime_mbt::{Engine, Module, Error};
/// let err = Module::new(&Engine::default(), "(module (func i32.bogus))").unwrap_err();
/// assert!(matches!(err, Error::Wasmtime { .. }));
/// assert!(err.to_string().contains("i32.bogus"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error reported by Wasmtime: compilation, linking, instantiation,
    /// a bad configuration, and so on.
    #[error("{message}")]
    Wasmtime {
        /// Wasmtime's message, with its context chain.
        message: String,
        /// Wasm frames, when the error happened while wasm ran.
        trace: Vec<FrameInfo>,
    },
    /// WebAssembly trapped.
    #[error(transparent)]
    Trap(#[from] Trap),
    /// A WASI program called `proc_exit`.
    #[error("{message}")]
    Exit {
        /// The exit status.
        status: i32,
        /// Wasmtime's message.
        message: String,
    },
    /// A misuse caught by this crate before reaching the C API: a type or
    /// arity mismatch, an object from another store, an out-of-bounds
    /// access, an unsupported configuration.
    #[error("{0}")]
    Msg(String),
}

impl Error {
    /// An error with the given message, as `wasmtime::Error::msg`.
    ///
    /// ```
    /// let err = wasmtime_mbt::Error::msg("nope");
    /// assert_eq!(err.to_string(), "nope");
    /// ```
    pub fn msg(message: impl fmt::Display) -> Error {
        Error::Msg(message.to_string())
    }

    /// The trap inside this error, if it is one.
    ///
    /// ```
    /// use wasmtime_mbt::{Error, Trap};
    /// let err = Error::from(Trap::new("boom"));
    /// assert_eq!(err.trap().unwrap().message(), "boom");
    /// assert!(Error::msg("x").trap().is_none());
    /// ```
    pub fn trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(trap) => Some(trap),
            _ => None,
        }
    }

    /// The trap code, if this error is a trap raised by Wasmtime.
    pub fn trap_code(&self) -> Option<TrapCode> {
        self.trap().and_then(Trap::code)
    }

    /// The WASI exit status, if this error is a `proc_exit`.
    ///
    /// ```
    /// assert_eq!(wasmtime_mbt::Error::msg("x").exit_status(), None);
    /// ```
    pub fn exit_status(&self) -> Option<i32> {
        match self {
            Error::Exit { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The wasm backtrace carried by this error or trap (may be empty).
    pub fn trace(&self) -> &[FrameInfo] {
        match self {
            Error::Wasmtime { trace, .. } => trace,
            Error::Trap(trap) => trap.trace(),
            _ => &[],
        }
    }

    /// Reads and deletes an owned C error.
    ///
    /// # Safety
    /// `error` must be a live, owned `wasmtime_error_t`; it is freed here.
    pub(crate) unsafe fn from_raw(error: *mut sys::wasmtime_error_t) -> Error {
        // SAFETY: `error` is live and owned; out-parameters become ours.
        unsafe {
            let mut message = sys::wasm_name_t::default();
            sys::wasmtime_error_message(error, &mut message);
            let message = take_string(message);
            let mut status = 0;
            let exited = sys::wasmtime_error_exit_status(error, &mut status);
            let mut frames = sys::wasm_frame_vec_t::default();
            sys::wasmtime_error_wasm_trace(error, &mut frames);
            let trace = frames_of(&mut frames);
            sys::wasmtime_error_delete(error);
            if exited {
                Error::Exit { status, message }
            } else {
                Error::Wasmtime { message, trace }
            }
        }
    }

    /// `Ok(())` for a null error, else the error (freed).
    ///
    /// # Safety
    /// As for [`Error::from_raw`] when non-null.
    pub(crate) unsafe fn check(error: *mut sys::wasmtime_error_t) -> Result<()> {
        if error.is_null() {
            Ok(())
        } else {
            // SAFETY: forwarded.
            Err(unsafe { Error::from_raw(error) })
        }
    }

    /// The outcome of a C call that reports through an error return and a
    /// trap out-parameter.
    ///
    /// # Safety
    /// Each non-null pointer must be owned by the caller; both are freed.
    pub(crate) unsafe fn check_call(error: *mut sys::wasmtime_error_t, trap: *mut sys::wasm_trap_t) -> Result<()> {
        // SAFETY: forwarded; each pointer is read and freed once.
        unsafe {
            if !trap.is_null() {
                if !error.is_null() {
                    sys::wasmtime_error_delete(error);
                }
                return Err(Error::Trap(Trap::from_raw(trap)));
            }
            Error::check(error)
        }
    }
}

/// Returns early with an [`Error::Msg`] made by `format!`, as `wasmtime::bail!`.
///
/// ```
/// fn check(n: i32) -> wasmtime_mbt::Result<i32> {
///     if n < 0 { wasmtime_mbt::bail!("negative: {n}") }
///     Ok(n)
/// }
/// assert_eq!(check(-1).unwrap_err().to_string(), "negative: -1");
/// ```
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::format_err!($($arg)*)) };
}

/// Returns early with an error unless the condition holds, as `wasmtime::ensure!`.
///
/// ```
/// fn half(n: i32) -> wasmtime_mbt::Result<i32> {
///     wasmtime_mbt::ensure!(n % 2 == 0, "{n} is odd");
///     Ok(n / 2)
/// }
/// assert_eq!(half(4).unwrap(), 2);
/// assert_eq!(half(3).unwrap_err().to_string(), "3 is odd");
/// ```
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => { if !$cond { $crate::bail!($($arg)*) } };
}

/// Makes an [`Error::Msg`] with `format!` syntax, as `wasmtime::format_err!`.
///
/// ```
/// let err = wasmtime_mbt::format_err!("{} + {}", 1, 2);
/// assert_eq!(err.to_string(), "1 + 2");
/// ```
#[macro_export]
macro_rules! format_err {
    ($($arg:tt)*) => { $crate::Error::msg(format!($($arg)*)) };
}
