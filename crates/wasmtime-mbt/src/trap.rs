//! Traps: WebAssembly execution stopping abnormally, with a code and a
//! backtrace of wasm frames.

use std::fmt;

use wasmtime_mbt_sys as sys;

use crate::owned::take_string;

macro_rules! trap_codes {
    ($($(#[$doc:meta])* $name:ident = $c:ident,)*) => {
        /// Why WebAssembly trapped; one variant per `wasmtime_trap_code_t`.
        ///
        /// ```
        /// # fn main() -> wasmtime_mbt::Result<()> {
        /// use wasmtime_mbt::*;
        /// let engine = Engine::default();
        /// let module = Module::new(&engine, r#"(module (func (export "f") unreachable))"#)?;
        /// let mut store = Store::new(&engine, ());
        /// let instance = Instance::new(&mut store, &module, &[])?;
        /// let f = instance.get_typed_func::<(), ()>(&mut store, "f")?;
        /// let err = f.call(&mut store, ()).unwrap_err();
        /// assert_eq!(err.trap_code(), Some(TrapCode::UnreachableCodeReached));
        /// # Ok(()) }
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum TrapCode {
            $($(#[$doc])* $name,)*
        }

        impl TrapCode {
            /// Maps the C code; `None` for a code this crate does not know.
            pub fn from_raw(code: sys::wasmtime_trap_code_t) -> Option<TrapCode> {
                match u32::from(code) {
                    $(sys::$c => Some(TrapCode::$name),)*
                    _ => None,
                }
            }

            /// The C code of this trap.
            ///
            /// ```
            /// use wasmtime_mbt::TrapCode;
            /// let code = TrapCode::OutOfFuel;
            /// assert_eq!(TrapCode::from_raw(code.to_raw()), Some(code));
            /// ```
            pub fn to_raw(self) -> sys::wasmtime_trap_code_t {
                match self {
                    $(TrapCode::$name => sys::$c as sys::wasmtime_trap_code_t,)*
                }
            }
        }
    };
}

trap_codes! {
    /// The current stack space was exhausted.
    StackOverflow = WASMTIME_TRAP_CODE_STACK_OVERFLOW,
    /// An out-of-bounds memory access.
    MemoryOutOfBounds = WASMTIME_TRAP_CODE_MEMORY_OUT_OF_BOUNDS,
    /// A wasm atomic operation was presented with a not-naturally-aligned linear-memory address.
    HeapMisaligned = WASMTIME_TRAP_CODE_HEAP_MISALIGNED,
    /// An out-of-bounds access to a table.
    TableOutOfBounds = WASMTIME_TRAP_CODE_TABLE_OUT_OF_BOUNDS,
    /// Indirect call to a null table entry.
    IndirectCallToNull = WASMTIME_TRAP_CODE_INDIRECT_CALL_TO_NULL,
    /// Signature mismatch on indirect call.
    BadSignature = WASMTIME_TRAP_CODE_BAD_SIGNATURE,
    /// An integer arithmetic operation caused an overflow.
    IntegerOverflow = WASMTIME_TRAP_CODE_INTEGER_OVERFLOW,
    /// An integer division by zero.
    IntegerDivisionByZero = WASMTIME_TRAP_CODE_INTEGER_DIVISION_BY_ZERO,
    /// Failed float-to-int conversion.
    BadConversionToInteger = WASMTIME_TRAP_CODE_BAD_CONVERSION_TO_INTEGER,
    /// Code that was supposed to have been unreachable was reached.
    UnreachableCodeReached = WASMTIME_TRAP_CODE_UNREACHABLE_CODE_REACHED,
    /// Execution has potentially run too long and may be interrupted.
    Interrupt = WASMTIME_TRAP_CODE_INTERRUPT,
    /// Execution has run out of the configured fuel amount.
    OutOfFuel = WASMTIME_TRAP_CODE_OUT_OF_FUEL,
    /// `memory.atomic.wait` on a non-shared memory.
    AtomicWaitNonSharedMemory = WASMTIME_TRAP_CODE_ATOMIC_WAIT_NON_SHARED_MEMORY,
    /// Call to a null reference.
    NullReference = WASMTIME_TRAP_CODE_NULL_REFERENCE,
    /// Attempt to access beyond the bounds of an array.
    ArrayOutOfBounds = WASMTIME_TRAP_CODE_ARRAY_OUT_OF_BOUNDS,
    /// Attempted an allocation that was too large to succeed.
    AllocationTooLarge = WASMTIME_TRAP_CODE_ALLOCATION_TOO_LARGE,
    /// Attempted to cast a reference to a type that it is not an instance of.
    CastFailure = WASMTIME_TRAP_CODE_CAST_FAILURE,
    /// A component entered when it may not be.
    CannotEnterComponent = WASMTIME_TRAP_CODE_CANNOT_ENTER_COMPONENT,
    /// An async function returned without a result.
    NoAsyncResult = WASMTIME_TRAP_CODE_NO_ASYNC_RESULT,
    /// A thrown tag was not handled.
    UnhandledTag = WASMTIME_TRAP_CODE_UNHANDLED_TAG,
    /// A continuation was resumed twice.
    ContinuationAlreadyConsumed = WASMTIME_TRAP_CODE_CONTINUATION_ALREADY_CONSUMED,
    /// A disabled opcode was executed.
    DisabledOpcode = WASMTIME_TRAP_CODE_DISABLED_OPCODE,
    /// Async deadlock between component tasks.
    AsyncDeadlock = WASMTIME_TRAP_CODE_ASYNC_DEADLOCK,
    /// A component was left when it may not be.
    CannotLeaveComponent = WASMTIME_TRAP_CODE_CANNOT_LEAVE_COMPONENT,
    /// A synchronous task tried to block.
    CannotBlockSyncTask = WASMTIME_TRAP_CODE_CANNOT_BLOCK_SYNC_TASK,
    /// An invalid `char` value was lifted.
    InvalidChar = WASMTIME_TRAP_CODE_INVALID_CHAR,
    /// Debug assertion: string encoding finished.
    DebugAssertStringEncodingFinished = WASMTIME_TRAP_CODE_DEBUG_ASSERT_STRING_ENCODING_FINISHED,
    /// Debug assertion: equal code units.
    DebugAssertEqualCodeUnits = WASMTIME_TRAP_CODE_DEBUG_ASSERT_EQUAL_CODE_UNITS,
    /// Debug assertion: pointer aligned.
    DebugAssertPointerAligned = WASMTIME_TRAP_CODE_DEBUG_ASSERT_POINTER_ALIGNED,
    /// Debug assertion: upper bits unset.
    DebugAssertUpperBitsUnset = WASMTIME_TRAP_CODE_DEBUG_ASSERT_UPPER_BITS_UNSET,
    /// A string was out of bounds of memory.
    StringOutOfBounds = WASMTIME_TRAP_CODE_STRING_OUT_OF_BOUNDS,
    /// A list was out of bounds of memory.
    ListOutOfBounds = WASMTIME_TRAP_CODE_LIST_OUT_OF_BOUNDS,
    /// An invalid variant discriminant was lifted.
    InvalidDiscriminant = WASMTIME_TRAP_CODE_INVALID_DISCRIMINANT,
    /// An unaligned pointer was passed to a component.
    UnalignedPointer = WASMTIME_TRAP_CODE_UNALIGNED_POINTER,
    /// `task.cancel` without a cancellation.
    TaskCancelNotCancelled = WASMTIME_TRAP_CODE_TASK_CANCEL_NOT_CANCELLED,
    /// `task.cancel` or `task.return` called twice.
    TaskCancelOrReturnTwice = WASMTIME_TRAP_CODE_TASK_CANCEL_OR_RETURN_TWICE,
    /// `subtask.cancel` after the subtask finished.
    SubtaskCancelAfterTerminal = WASMTIME_TRAP_CODE_SUBTASK_CANCEL_AFTER_TERMINAL,
    /// Invalid `task.return`.
    TaskReturnInvalid = WASMTIME_TRAP_CODE_TASK_RETURN_INVALID,
    /// A waitable set was dropped while it had waiters.
    WaitableSetDropHasWaiters = WASMTIME_TRAP_CODE_WAITABLE_SET_DROP_HAS_WAITERS,
    /// A subtask was dropped before it resolved.
    SubtaskDropNotResolved = WASMTIME_TRAP_CODE_SUBTASK_DROP_NOT_RESOLVED,
    /// `thread.new_indirect` with an invalid type.
    ThreadNewIndirectInvalidType = WASMTIME_TRAP_CODE_THREAD_NEW_INDIRECT_INVALID_TYPE,
    /// `thread.new_indirect` with an uninitialized entry.
    ThreadNewIndirectUninitialized = WASMTIME_TRAP_CODE_THREAD_NEW_INDIRECT_UNINITIALIZED,
    /// Backpressure counter overflow.
    BackpressureOverflow = WASMTIME_TRAP_CODE_BACKPRESSURE_OVERFLOW,
    /// An unsupported async callback code.
    UnsupportedCallbackCode = WASMTIME_TRAP_CODE_UNSUPPORTED_CALLBACK_CODE,
    /// A thread could not be resumed.
    CannotResumeThread = WASMTIME_TRAP_CODE_CANNOT_RESUME_THREAD,
    /// Concurrent future/stream operation.
    ConcurrentFutureStreamOp = WASMTIME_TRAP_CODE_CONCURRENT_FUTURE_STREAM_OP,
    /// A reference count overflowed.
    ReferenceCountOverflow = WASMTIME_TRAP_CODE_REFERENCE_COUNT_OVERFLOW,
    /// A stream operation was too big.
    StreamOpTooBig = WASMTIME_TRAP_CODE_STREAM_OP_TOO_BIG,
    /// A waitable was used both synchronously and asynchronously.
    WaitableSyncAndAsync = WASMTIME_TRAP_CODE_WAITABLE_SYNC_AND_ASYNC,
    /// An exception was thrown and not caught.
    UncaughtException = WASMTIME_TRAP_CODE_UNCAUGHT_EXCEPTION,
}

/// One WebAssembly frame of a trap's or error's backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// Index of the function in its module's function index space.
    pub func_index: u32,
    /// The function's name from the name section, if any.
    pub func_name: Option<String>,
    /// The module's name from the name section, if any.
    pub module_name: Option<String>,
    /// Byte offset of the trapping instruction from the function's start.
    pub func_offset: usize,
    /// Byte offset of the trapping instruction from the module's start.
    pub module_offset: usize,
}

/// A WebAssembly trap: its message, its [`TrapCode`] when Wasmtime raised
/// it (none for traps made by the host), and the wasm backtrace.
///
/// Traps reach users inside [`Error::Trap`](crate::Error::Trap); see
/// [`Error::trap`](crate::Error::trap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    message: String,
    code: Option<TrapCode>,
    trace: Vec<FrameInfo>,
}

impl Trap {
    /// A trap with a message and no code, as a host function raises.
    ///
    /// ```
    /// let trap = wasmtime_mbt::Trap::new("bad input");
    /// assert_eq!(trap.message(), "bad input");
    /// assert_eq!(trap.code(), None);
    /// ```
    pub fn new(message: impl Into<String>) -> Trap {
        Trap { message: message.into(), code: None, trace: Vec::new() }
    }

    /// A trap with a code, whose message is Wasmtime's own for it.
    ///
    /// ```
    /// use wasmtime_mbt::{Trap, TrapCode};
    /// let trap = Trap::from_code(TrapCode::IntegerDivisionByZero);
    /// assert_eq!(trap.code(), Some(TrapCode::IntegerDivisionByZero));
    /// assert!(trap.message().contains("divide by zero"));
    /// ```
    pub fn from_code(code: TrapCode) -> Trap {
        // SAFETY: `wasmtime_trap_new_code` returns an owned trap for any code.
        unsafe { Trap::from_raw(sys::wasmtime_trap_new_code(code.to_raw())) }
    }

    /// The trap's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The trap's code, if Wasmtime raised it.
    pub fn code(&self) -> Option<TrapCode> {
        self.code
    }

    /// The wasm frames, innermost first (empty for host-made traps).
    pub fn trace(&self) -> &[FrameInfo] {
        &self.trace
    }

    /// Reads and deletes an owned C trap.
    ///
    /// # Safety
    /// `trap` must be a live, owned `wasm_trap_t`; it is freed here.
    pub(crate) unsafe fn from_raw(trap: *mut sys::wasm_trap_t) -> Trap {
        // SAFETY: `trap` is live and owned; every out-parameter is owned by
        // us afterwards and freed by the helpers.
        unsafe {
            let mut message = sys::wasm_message_t::default();
            sys::wasm_trap_message(trap, &mut message);
            let mut raw_code = 0;
            let code = if sys::wasmtime_trap_code(trap, &mut raw_code) { TrapCode::from_raw(raw_code) } else { None };
            let mut frames = sys::wasm_frame_vec_t::default();
            sys::wasm_trap_trace(trap, &mut frames);
            let trace = frames_of(&mut frames);
            sys::wasm_trap_delete(trap);
            Trap { message: root_cause(&take_string(message)), code, trace }
        }
    }

    /// An owned C trap with this trap's code, or its message if it has none.
    pub(crate) fn to_raw(&self) -> *mut sys::wasm_trap_t {
        // SAFETY: both constructors return an owned trap; the message is
        // passed with its length and copied.
        unsafe {
            match self.code {
                Some(code) => sys::wasmtime_trap_new_code(code.to_raw()),
                None => sys::wasmtime_trap_new(self.message.as_ptr().cast(), self.message.len()),
            }
        }
    }
}

/// The C API formats a trap with `{:?}`: a backtrace, then `Caused by:`
/// and the cause. The frames are kept in [`Trap::trace`]; the message is
/// the cause alone, as `wasmtime`'s `Display` shows it.
fn root_cause(message: &str) -> String {
    match message.rsplit_once("\nCaused by:\n") {
        Some((_, cause)) => cause.lines().map(str::trim).collect::<Vec<_>>().join("\n").trim().to_string(),
        None => message.to_string(),
    }
}

/// The trap a failed host function raised: its own trap (keeping the
/// code), or a code-less trap with the error's message; `trace` are the
/// wasm frames the failure unwound through.
pub(crate) fn host_trap(error: crate::Error, trace: Vec<FrameInfo>) -> Trap {
    match error {
        crate::Error::Trap(trap) if !trap.trace.is_empty() => trap,
        crate::Error::Trap(trap) => Trap { trace, ..trap },
        other => Trap { message: other.to_string(), code: None, trace },
    }
}

/// Reads and deletes an owned frame vector.
///
/// # Safety
/// `frames` must be owned (filled by `wasm_trap_trace` or
/// `wasmtime_error_wasm_trace`).
pub(crate) unsafe fn frames_of(frames: &mut sys::wasm_frame_vec_t) -> Vec<FrameInfo> {
    let name = |n: *const sys::wasm_name_t| -> Option<String> {
        // SAFETY: a non-null name lives as long as its frame.
        unsafe { n.as_ref() }.map(|n| {
            // SAFETY: a name vector describes `size` bytes.
            String::from_utf8_lossy(unsafe { crate::owned::borrow_bytes(n.data.cast(), n.size) }).into_owned()
        })
    };
    let mut out = Vec::with_capacity(frames.size);
    for i in 0..frames.size {
        // SAFETY: `i < size`, and each element is a live frame.
        unsafe {
            let frame = *frames.data.add(i);
            out.push(FrameInfo {
                func_index: sys::wasm_frame_func_index(frame),
                func_name: name(sys::wasmtime_frame_func_name(frame)),
                module_name: name(sys::wasmtime_frame_module_name(frame)),
                func_offset: sys::wasm_frame_func_offset(frame),
                module_offset: sys::wasm_frame_module_offset(frame),
            });
        }
    }
    // SAFETY: the vector is owned, per the caller.
    unsafe { sys::wasm_frame_vec_delete(frames) };
    out
}

#[cfg(test)]
mod tests {
    use super::root_cause;

    #[test]
    fn root_cause_strips_the_backtrace_but_keeps_plain_messages() {
        let full = "error while executing at wasm backtrace:\n    0:   0x2a - <unknown>!f\n\nCaused by:\n    wasm trap: interrupt";
        assert_eq!(root_cause(full), "wasm trap: interrupt");
        assert_eq!(root_cause("boom"), "boom");
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Trap {}
