//! Traps and wasm backtraces, as in `wasmtime`: [`Trap`] is the root cause
//! of an [`Error`](crate::Error) when WebAssembly traps, and a
//! [`WasmBacktrace`] is attached to errors raised while wasm ran.

use std::fmt;

use wasmtime_mbt_sys as sys;

macro_rules! trap_codes {
    ($($(#[$doc:meta])* $name:ident = $c:ident, $msg:literal,)*) => {
        /// Why WebAssembly trapped, as `wasmtime::Trap`: one variant per
        /// `wasmtime_trap_code_t`, in the same order (`Trap::X as u8` is the
        /// C code).
        ///
        /// A trap is the [`root_cause`](crate::Error::root_cause) of the
        /// [`Error`](crate::Error) a call returns, so recover it with
        /// [`downcast_ref`](crate::Error::downcast_ref). Its `Display` is
        /// Wasmtime's: `"wasm trap: …"`. Host functions raise one with
        /// `Err(Trap::X.into())`.
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
        /// assert_eq!(*err.downcast_ref::<Trap>().unwrap(), Trap::UnreachableCodeReached);
        /// assert!(err.root_cause().is::<Trap>());
        /// assert_eq!(Trap::UnreachableCodeReached.to_string(), "wasm trap: wasm `unreachable` instruction executed");
        /// # Ok(()) }
        /// ```
        #[non_exhaustive]
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        pub enum Trap {
            $($(#[$doc])* $name,)*
        }

        // The C codes are the discriminants, as in `wasmtime-c-api`.
        const _: () = {
            $(assert!(Trap::$name as u32 == sys::$c);)*
        };

        impl Trap {
            /// The trap with this code (`Trap::X as u8`), as
            /// `wasmtime::Trap::from_u8`; `None` if out of range.
            ///
            /// ```
            /// use wasmtime_mbt::Trap;
            /// assert_eq!(Trap::from_u8(Trap::OutOfFuel as u8), Some(Trap::OutOfFuel));
            /// assert_eq!(Trap::from_u8(0), Some(Trap::StackOverflow));
            /// assert_eq!(Trap::from_u8(255), None);
            /// ```
            pub fn from_u8(byte: u8) -> Option<Trap> {
                $(
                    if byte == Trap::$name as u8 {
                        return Some(Trap::$name);
                    }
                )*
                None
            }
        }

        impl fmt::Display for Trap {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let desc = match self {
                    $(Self::$name => $msg,)*
                };
                write!(f, "wasm trap: {desc}")
            }
        }
    };
}

trap_codes! {
    /// The current stack space was exhausted.
    StackOverflow = WASMTIME_TRAP_CODE_STACK_OVERFLOW, "call stack exhausted",
    /// An out-of-bounds memory access.
    MemoryOutOfBounds = WASMTIME_TRAP_CODE_MEMORY_OUT_OF_BOUNDS, "out of bounds memory access",
    /// A wasm atomic operation was presented with a not-naturally-aligned linear-memory address.
    HeapMisaligned = WASMTIME_TRAP_CODE_HEAP_MISALIGNED, "unaligned atomic",
    /// An out-of-bounds access to a table.
    TableOutOfBounds = WASMTIME_TRAP_CODE_TABLE_OUT_OF_BOUNDS, "undefined element: out of bounds table access",
    /// Indirect call to a null table entry.
    IndirectCallToNull = WASMTIME_TRAP_CODE_INDIRECT_CALL_TO_NULL, "uninitialized element",
    /// Signature mismatch on indirect call.
    BadSignature = WASMTIME_TRAP_CODE_BAD_SIGNATURE, "indirect call type mismatch",
    /// An integer arithmetic operation caused an overflow.
    IntegerOverflow = WASMTIME_TRAP_CODE_INTEGER_OVERFLOW, "integer overflow",
    /// An integer division by zero.
    IntegerDivisionByZero = WASMTIME_TRAP_CODE_INTEGER_DIVISION_BY_ZERO, "integer divide by zero",
    /// Failed float-to-int conversion.
    BadConversionToInteger = WASMTIME_TRAP_CODE_BAD_CONVERSION_TO_INTEGER, "invalid conversion to integer",
    /// Code that was supposed to have been unreachable was reached.
    UnreachableCodeReached = WASMTIME_TRAP_CODE_UNREACHABLE_CODE_REACHED, "wasm `unreachable` instruction executed",
    /// Execution has potentially run too long and may be interrupted.
    Interrupt = WASMTIME_TRAP_CODE_INTERRUPT, "interrupt",
    /// Execution has run out of the configured fuel amount.
    OutOfFuel = WASMTIME_TRAP_CODE_OUT_OF_FUEL, "all fuel consumed by WebAssembly",
    /// `memory.atomic.wait` on a non-shared memory.
    AtomicWaitNonSharedMemory = WASMTIME_TRAP_CODE_ATOMIC_WAIT_NON_SHARED_MEMORY, "atomic wait on non-shared memory",
    /// Call to a null reference.
    NullReference = WASMTIME_TRAP_CODE_NULL_REFERENCE, "null reference",
    /// Attempt to access beyond the bounds of an array.
    ArrayOutOfBounds = WASMTIME_TRAP_CODE_ARRAY_OUT_OF_BOUNDS, "out of bounds array access",
    /// Attempted an allocation that was too large to succeed.
    AllocationTooLarge = WASMTIME_TRAP_CODE_ALLOCATION_TOO_LARGE, "allocation size too large",
    /// Attempted to cast a reference to a type that it is not an instance of.
    CastFailure = WASMTIME_TRAP_CODE_CAST_FAILURE, "cast failure",
    /// A component entered when it may not be.
    CannotEnterComponent = WASMTIME_TRAP_CODE_CANNOT_ENTER_COMPONENT, "cannot enter component instance",
    /// An async function returned without a result.
    NoAsyncResult = WASMTIME_TRAP_CODE_NO_ASYNC_RESULT, "async-lifted export failed to produce a result",
    /// A thrown tag was not handled.
    UnhandledTag = WASMTIME_TRAP_CODE_UNHANDLED_TAG, "unhandled tag",
    /// A continuation was resumed twice.
    ContinuationAlreadyConsumed = WASMTIME_TRAP_CODE_CONTINUATION_ALREADY_CONSUMED, "continuation already consumed",
    /// A disabled opcode was executed.
    DisabledOpcode = WASMTIME_TRAP_CODE_DISABLED_OPCODE, "pulley opcode disabled at compile time was executed",
    /// Async deadlock between component tasks.
    AsyncDeadlock = WASMTIME_TRAP_CODE_ASYNC_DEADLOCK, "deadlock detected: event loop cannot make further progress",
    /// A component was left when it may not be.
    CannotLeaveComponent = WASMTIME_TRAP_CODE_CANNOT_LEAVE_COMPONENT, "cannot leave component instance",
    /// A synchronous task tried to block.
    CannotBlockSyncTask = WASMTIME_TRAP_CODE_CANNOT_BLOCK_SYNC_TASK, "cannot block a synchronous task before returning",
    /// An invalid `char` value was lifted.
    InvalidChar = WASMTIME_TRAP_CODE_INVALID_CHAR, "invalid `char` bit pattern",
    /// Debug assertion: string encoding finished.
    DebugAssertStringEncodingFinished = WASMTIME_TRAP_CODE_DEBUG_ASSERT_STRING_ENCODING_FINISHED, "should have finished string encoding",
    /// Debug assertion: equal code units.
    DebugAssertEqualCodeUnits = WASMTIME_TRAP_CODE_DEBUG_ASSERT_EQUAL_CODE_UNITS, "code units should be equal",
    /// Debug assertion: pointer aligned.
    DebugAssertPointerAligned = WASMTIME_TRAP_CODE_DEBUG_ASSERT_POINTER_ALIGNED, "pointer should be aligned",
    /// Debug assertion: upper bits unset.
    DebugAssertUpperBitsUnset = WASMTIME_TRAP_CODE_DEBUG_ASSERT_UPPER_BITS_UNSET, "upper bits should be unset",
    /// A string was out of bounds of memory.
    StringOutOfBounds = WASMTIME_TRAP_CODE_STRING_OUT_OF_BOUNDS, "string content out-of-bounds",
    /// A list was out of bounds of memory.
    ListOutOfBounds = WASMTIME_TRAP_CODE_LIST_OUT_OF_BOUNDS, "list content out-of-bounds",
    /// An invalid variant discriminant was lifted.
    InvalidDiscriminant = WASMTIME_TRAP_CODE_INVALID_DISCRIMINANT, "invalid variant discriminant",
    /// An unaligned pointer was passed to a component.
    UnalignedPointer = WASMTIME_TRAP_CODE_UNALIGNED_POINTER, "unaligned pointer",
    /// `task.cancel` without a cancellation.
    TaskCancelNotCancelled = WASMTIME_TRAP_CODE_TASK_CANCEL_NOT_CANCELLED, "`task.cancel` called by task which has not been cancelled",
    /// `task.cancel` or `task.return` called twice.
    TaskCancelOrReturnTwice = WASMTIME_TRAP_CODE_TASK_CANCEL_OR_RETURN_TWICE, "`task.return` or `task.cancel` called more than once for current task",
    /// `subtask.cancel` after the subtask finished.
    SubtaskCancelAfterTerminal = WASMTIME_TRAP_CODE_SUBTASK_CANCEL_AFTER_TERMINAL, "`subtask.cancel` called after terminal status delivered",
    /// Invalid `task.return`.
    TaskReturnInvalid = WASMTIME_TRAP_CODE_TASK_RETURN_INVALID, "invalid `task.return` signature and/or options for current task",
    /// A waitable set was dropped while it had waiters.
    WaitableSetDropHasWaiters = WASMTIME_TRAP_CODE_WAITABLE_SET_DROP_HAS_WAITERS, "cannot drop waitable set with waiters",
    /// A subtask was dropped before it resolved.
    SubtaskDropNotResolved = WASMTIME_TRAP_CODE_SUBTASK_DROP_NOT_RESOLVED, "cannot drop a subtask which has not yet resolved",
    /// `thread.new_indirect` with an invalid type.
    ThreadNewIndirectInvalidType = WASMTIME_TRAP_CODE_THREAD_NEW_INDIRECT_INVALID_TYPE, "start function does not match expected type (currently only `(i32) -> ()` is supported)",
    /// `thread.new_indirect` with an uninitialized entry.
    ThreadNewIndirectUninitialized = WASMTIME_TRAP_CODE_THREAD_NEW_INDIRECT_UNINITIALIZED, "the start function index points to an uninitialized function",
    /// Backpressure counter overflow.
    BackpressureOverflow = WASMTIME_TRAP_CODE_BACKPRESSURE_OVERFLOW, "backpressure counter overflow",
    /// An unsupported async callback code.
    UnsupportedCallbackCode = WASMTIME_TRAP_CODE_UNSUPPORTED_CALLBACK_CODE, "unsupported callback code",
    /// A thread could not be resumed.
    CannotResumeThread = WASMTIME_TRAP_CODE_CANNOT_RESUME_THREAD, "cannot resume thread which is not suspended",
    /// Concurrent future/stream operation.
    ConcurrentFutureStreamOp = WASMTIME_TRAP_CODE_CONCURRENT_FUTURE_STREAM_OP, "cannot have concurrent operations active on a future/stream",
    /// A reference count overflowed.
    ReferenceCountOverflow = WASMTIME_TRAP_CODE_REFERENCE_COUNT_OVERFLOW, "reference count overflow",
    /// A stream operation was too big.
    StreamOpTooBig = WASMTIME_TRAP_CODE_STREAM_OP_TOO_BIG, "stream read/write count too large",
    /// A waitable was used both synchronously and asynchronously.
    WaitableSyncAndAsync = WASMTIME_TRAP_CODE_WAITABLE_SYNC_AND_ASYNC, "waitable cannot be used synchronously while added to a waitable set",
    /// An exception was thrown and not caught.
    UncaughtException = WASMTIME_TRAP_CODE_UNCAUGHT_EXCEPTION, "uncaught exception propagated out of component",
}


impl std::error::Error for Trap {}

/// The old name of [`Trap`] (0.1 had a `Trap` struct and a `TrapCode` enum).
///
/// ```
/// #[allow(deprecated)]
/// let code: wasmtime_mbt::TrapCode = wasmtime_mbt::Trap::Interrupt;
/// assert_eq!(code, wasmtime_mbt::Trap::Interrupt);
/// ```
#[deprecated(since = "0.2.0", note = "use `Trap`, as in `wasmtime`")]
pub type TrapCode = Trap;

impl Trap {
    /// An owned C trap with this code.
    pub(crate) fn to_raw(self) -> *mut sys::wasm_trap_t {
        // SAFETY: every `Trap` is a valid C code; the trap returned is owned.
        unsafe { sys::wasmtime_trap_new_code(self as sys::wasmtime_trap_code_t) }
    }
}

/// The first line of Wasmtime's `Display` of a [`WasmBacktrace`].
pub(crate) const BACKTRACE_HEADER: &str = "error while executing at wasm backtrace:";

/// The wasm frames on the stack where an error happened, as
/// `wasmtime::WasmBacktrace`: attached as [`context`](crate::Error::context)
/// to errors returned while wasm ran (traps, a host function's error, a WASI
/// exit) when there were frames.
///
/// Its `Display` is Wasmtime's own ("error while executing at wasm
/// backtrace:" and one line per frame), so it is what `err.to_string()`
/// shows for a trap; the trap itself is the
/// [`root_cause`](crate::Error::root_cause). `WasmBacktrace::capture` and
/// `force_capture` are not available: the C API only gives backtraces of
/// errors.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module
///     (func $start (export "run") call $trap)
///     (func $trap unreachable))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Instance::new(&mut store, &module, &[])?;
/// let func = instance.get_typed_func::<(), ()>(&mut store, "run")?;
/// let error = func.call(&mut store, ()).unwrap_err();
/// let bt = error.downcast_ref::<WasmBacktrace>().unwrap();
/// let frames = bt.frames();
/// assert_eq!(frames.len(), 2);
/// assert_eq!(frames[0].func_name(), Some("trap"));
/// assert_eq!(frames[1].func_name(), Some("start"));
/// assert!(error.to_string().starts_with("error while executing at wasm backtrace:"));
/// assert!(format!("{error:?}").contains("wasm `unreachable` instruction executed"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WasmBacktrace {
    wasm_trace: Vec<FrameInfo>,
    /// Wasmtime's own rendering (it may demangle names and show DWARF
    /// symbols), when the C API gave it.
    text: Option<String>,
}

impl WasmBacktrace {
    /// A backtrace of these frames, shown as `text` if given.
    pub(crate) fn new(wasm_trace: Vec<FrameInfo>, text: Option<String>) -> WasmBacktrace {
        WasmBacktrace { wasm_trace, text }
    }

    /// The wasm frames, innermost first.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (func (export "f") unreachable))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let err = instance.get_typed_func::<(), ()>(&mut store, "f")?.call(&mut store, ()).unwrap_err();
    /// let frames = err.downcast_ref::<WasmBacktrace>().unwrap().frames();
    /// assert_eq!(frames.len(), 1);
    /// assert_eq!(frames[0].func_index(), 0);
    /// # Ok(()) }
    /// ```
    pub fn frames(&self) -> &[FrameInfo] {
        &self.wasm_trace
    }
}

impl fmt::Display for WasmBacktrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = &self.text {
            return f.write_str(text);
        }
        // As `wasmtime`'s, without symbols or demangling (never reached for
        // backtraces from the C API, which come with Wasmtime's text).
        writeln!(f, "{BACKTRACE_HEADER}")?;
        for (i, frame) in self.wasm_trace.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {i:>3}: ")?;
            if let Some(offset) = frame.module_offset() {
                write!(f, "{offset:#8x} - ")?;
            }
            write!(f, "{}!", frame.module_name().unwrap_or("<unknown>"))?;
            match frame.func_name() {
                Some(name) => f.write_str(name)?,
                None => write!(f, "<wasm function {}>", frame.func_index())?,
            }
        }
        Ok(())
    }
}

/// One frame of a [`WasmBacktrace`], as `wasmtime::FrameInfo`.
///
/// `FrameInfo::module` and `FrameInfo::symbols` are not available (the C
/// API gives neither the `Module` nor DWARF symbols);
/// [`module_name`](FrameInfo::module_name) stands for `module().name()`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module $m (func $f (export "f") unreachable))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Instance::new(&mut store, &module, &[])?;
/// let err = instance.get_typed_func::<(), ()>(&mut store, "f")?.call(&mut store, ()).unwrap_err();
/// let frame = &err.downcast_ref::<WasmBacktrace>().unwrap().frames()[0];
/// assert_eq!(frame.func_index(), 0);
/// assert_eq!(frame.func_name(), Some("f"));
/// assert_eq!(frame.module_name(), Some("m"));
/// assert_eq!(frame.func_offset(), Some(1));
/// assert!(frame.module_offset().unwrap() > frame.func_offset().unwrap());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    func_index: u32,
    func_name: Option<String>,
    module_name: Option<String>,
    func_offset: Option<usize>,
    module_offset: Option<usize>,
}

impl FrameInfo {
    /// The index of the function in its module's function index space.
    ///
    /// See [`FrameInfo`] for an example.
    pub fn func_index(&self) -> u32 {
        self.func_index
    }

    /// The function's name (from the name section, or inferred by
    /// Wasmtime), if any.
    ///
    /// See [`FrameInfo`] for an example.
    pub fn func_name(&self) -> Option<&str> {
        self.func_name.as_deref()
    }

    /// The module's name from its name section, if any: what
    /// `frame.module().name()` gives in `wasmtime` (not available here).
    ///
    /// See [`FrameInfo`] for an example.
    pub fn module_name(&self) -> Option<&str> {
        self.module_name.as_deref()
    }

    /// The offset of this frame's instruction from the start of the
    /// module, or `None` without address maps.
    ///
    /// See [`FrameInfo`] for an example.
    pub fn module_offset(&self) -> Option<usize> {
        self.module_offset
    }

    /// The offset of this frame's instruction from the start of its
    /// function, or `None` without address maps.
    ///
    /// See [`FrameInfo`] for an example.
    pub fn func_offset(&self) -> Option<usize> {
        self.func_offset
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
    // The C API reports an unknown offset as `usize::MAX`.
    let offset = |o: usize| (o != usize::MAX).then_some(o);
    let mut out = Vec::with_capacity(frames.size);
    for i in 0..frames.size {
        // SAFETY: `i < size`, and each element is a live frame.
        unsafe {
            let frame = *frames.data.add(i);
            out.push(FrameInfo {
                func_index: sys::wasm_frame_func_index(frame),
                func_name: name(sys::wasmtime_frame_func_name(frame)),
                module_name: name(sys::wasmtime_frame_module_name(frame)),
                func_offset: offset(sys::wasm_frame_func_offset(frame)),
                module_offset: offset(sys::wasm_frame_module_offset(frame)),
            });
        }
    }
    // SAFETY: the vector is owned, per the caller.
    unsafe { sys::wasm_frame_vec_delete(frames) };
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::owned::take_string;

    #[test]
    fn display_matches_wasmtime_for_every_code() {
        for code in 0..=u8::MAX {
            let Some(trap) = Trap::from_u8(code) else {
                assert!(code >= 50, "code {code} has no Trap");
                continue;
            };
            assert_eq!(trap as u8, code);
            // SAFETY: `to_raw` returns an owned trap, freed here.
            let from_c = unsafe {
                let raw = trap.to_raw();
                let mut message = sys::wasm_message_t::default();
                sys::wasm_trap_message(raw, &mut message);
                sys::wasm_trap_delete(raw);
                take_string(message)
            };
            // With RUST_BACKTRACE set, Wasmtime appends the backtrace it
            // captured when the error was made.
            let from_c = from_c.split("\nStack backtrace:\n").next().unwrap();
            assert_eq!(trap.to_string(), from_c);
        }
    }

    #[test]
    fn fallback_display_is_wasmtimes_layout() {
        let frame = |i, name: Option<&str>| FrameInfo {
            func_index: i,
            func_name: name.map(str::to_string),
            module_name: None,
            func_offset: Some(1),
            module_offset: Some(0x2a),
        };
        let bt = WasmBacktrace::new(vec![frame(0, Some("f")), frame(3, None)], None);
        assert_eq!(
            bt.to_string(),
            "error while executing at wasm backtrace:\n    0:     0x2a - <unknown>!f\n    1:     0x2a - <unknown>!<wasm function 3>"
        );
    }
}
