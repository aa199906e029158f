//! Async execution: [`CallFuture`] over `wasmtime_func_call_async` (and the
//! async instantiation functions), async host functions
//! ([`Linker::func_new_async`]), and the store settings that make running
//! wasm yield back to its caller (fuel and epochs).
//!
//! Wasmtime runs async wasm on a separate stack (a fiber); each
//! `wasmtime_call_future_poll` resumes it until it finishes or yields.
//! The C API has no wakeups, so [`CallFuture`] asks to be polled again
//! right away whenever it is pending.

use std::ffi::c_void;
use std::future::Future;
use std::alloc::Layout;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::{self, NonNull};
use std::task::{Context, Poll, Waker};

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::func::{host_failure, host_panic, raw_slice, MAX_ARITY};
use crate::instance::check_engine;
use crate::owned::Owned;
use crate::store::{StoreInner, StoreOpaque};
use crate::{
    AsContextMut, Caller, Engine, Error, Extern, Func, FuncType, Instance, InstancePre, Linker, Module, Result, Store, StoreContextMut, TypedFunc,
    Val, ValType, WasmParams, WasmResults,
};

fn fuel_async_yield_interval_raw(store: &StoreOpaque, interval: Option<u64>) -> Result<()> {
    // The C API spells "no interval" as 0; Wasmtime rejects `Some(0)`.
    if interval == Some(0) {
        return Err(Error::msg("fuel_async_yield_interval must not be 0"));
    }
    // SAFETY: the context is live; the error, if any, is owned.
    unsafe { Error::check(sys::wasmtime_context_fuel_async_yield_interval(store.context(), interval.unwrap_or(0)))? };
    // As in `wasmtime`: from now on only `*_async` entry points.
    store.require_async();
    Ok(())
}

fn epoch_deadline_async_yield_and_update_raw(store: &StoreOpaque, delta: u64) {
    // SAFETY: the context is live; the function returns nothing.
    unsafe { sys::wasmtime_context_epoch_deadline_async_yield_and_update(store.context(), delta) };
    // As in `wasmtime`: from now on only `*_async` entry points.
    store.require_async();
}

impl<T> Store<T> {
    /// Makes async wasm yield to its caller every `interval` units of fuel
    /// (`wasmtime_context_fuel_async_yield_interval`), as
    /// `wasmtime::Store::fuel_async_yield_interval`; `None` stops yielding.
    ///
    /// Needs [`Config::consume_fuel`](crate::Config::consume_fuel) (else
    /// `Err`). Afterwards this store only runs wasm through `*_async`
    /// functions: a synchronous call is an `Err`. `Some(0)` is an `Err`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().consume_fuel(true))?;
    /// let module = Module::new(&engine, r#"(module (func (export "spin") (loop br 0)))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// store.set_fuel(u64::MAX / 2)?;
    /// store.fuel_async_yield_interval(Some(10_000))?;
    /// let instance = Linker::new(&engine).instantiate_async(&mut store, &module).wait()?;
    /// let spin = instance.get_typed_func::<(), ()>(&mut store, "spin")?;
    /// let mut call = spin.call_async(&mut store, ());
    /// for _ in 0..5 {
    ///     assert!(!call.poll_once()); // the infinite loop keeps yielding
    /// }
    /// drop(call); // cancels it
    /// # Ok(()) }
    /// ```
    pub fn fuel_async_yield_interval(&mut self, interval: Option<u64>) -> Result<()> {
        fuel_async_yield_interval_raw(&self.as_context_mut().0.opaque, interval)
    }

    /// Makes reaching the epoch deadline yield to the async caller and then
    /// move the deadline `delta` ticks past the current epoch
    /// (`wasmtime_context_epoch_deadline_async_yield_and_update`), as
    /// `wasmtime::Store::epoch_deadline_async_yield_and_update`.
    ///
    /// Needs [`Config::epoch_interruption`](crate::Config::epoch_interruption)
    /// to have any effect. Afterwards this store only runs wasm through
    /// `*_async` functions.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().epoch_interruption(true))?;
    /// let mut store = Store::new(&engine, ());
    /// store.set_epoch_deadline(1);
    /// store.epoch_deadline_async_yield_and_update(1);
    /// # Ok(()) }
    /// ```
    pub fn epoch_deadline_async_yield_and_update(&mut self, delta: u64) {
        epoch_deadline_async_yield_and_update_raw(&self.as_context_mut().0.opaque, delta)
    }
}

impl<T> StoreContextMut<'_, T> {
    /// See [`Store::fuel_async_yield_interval`].
    pub fn fuel_async_yield_interval(&mut self, interval: Option<u64>) -> Result<()> {
        fuel_async_yield_interval_raw(&self.0.opaque, interval)
    }

    /// See [`Store::epoch_deadline_async_yield_and_update`].
    pub fn epoch_deadline_async_yield_and_update(&mut self, delta: u64) {
        epoch_deadline_async_yield_and_update_raw(&self.0.opaque, delta)
    }
}

/// A C value slot, written by us (arguments) or by C (results) before it
/// is read.
type CVal = MaybeUninit<sys::wasmtime_val_t>;

/// Everything the C future points at, at the start of the call's frame
/// (see [`Frame`]), which stays at one address until the C future is
/// deleted.
struct Slots {
    func: sys::wasmtime_func_t,
    /// The arguments (`[..nargs]`) followed by the results
    /// (`[nargs..nargs + nresults]`), in the frame right after the
    /// [`Frame`] header; both counts are fixed when the frame is made.
    vals: *mut CVal,
    nargs: usize,
    nresults: usize,
    /// Where [`Func::call_async`] puts the results: the caller's slice,
    /// borrowed for the future's lifetime.
    out: (*mut Val, usize),
    instance: sys::wasmtime_instance_t,
    trap: *mut sys::wasm_trap_t,
    error: *mut sys::wasmtime_error_t,
}

impl Slots {
    /// The argument slots (uninitialised until written).
    fn args_mut(&mut self) -> &mut [CVal] {
        // SAFETY: `vals` has room for `nargs + nresults` values, which only
        // the slots reach while no C future exists.
        unsafe { std::slice::from_raw_parts_mut(self.vals, self.nargs) }
    }

    /// The results, as C wrote them.
    ///
    /// # Safety
    /// The call must have finished successfully (so C wrote each result)
    /// and the C future be gone.
    unsafe fn results(&self) -> &[sys::wasmtime_val_t] {
        // SAFETY: per the caller, `vals[nargs..nargs + nresults]` holds the
        // results, initialised; `MaybeUninit<T>` has `T`'s layout.
        unsafe { std::slice::from_raw_parts(self.vals.add(self.nargs).cast(), self.nresults) }
    }

    /// `Err` for a trap or error the finished call reported (freeing them);
    /// a host function's own error comes back as it was (see
    /// `StoreOpaque::check_call`).
    fn check(&mut self, store: &StoreOpaque) -> Result<()> {
        let (error, trap) = self.take_outcome();
        // SAFETY: both are null or owned by us, written by the finished call.
        unsafe { store.check_call(error, trap) }
    }

    fn take_outcome(&mut self) -> (*mut sys::wasmtime_error_t, *mut sys::wasm_trap_t) {
        (std::mem::replace(&mut self.error, ptr::null_mut()), std::mem::replace(&mut self.trap, ptr::null_mut()))
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        // Frees a trap or error nobody read (normally none: they are only
        // written when the call finishes, and then read at once).
        let (error, trap) = self.take_outcome();
        if !error.is_null() || !trap.is_null() {
            // SAFETY: both are null or owned by us.
            let _ = unsafe { Error::check_call(error, trap) };
        }
    }
}

/// The head of the one heap allocation of an async call: the [`Slots`]
/// the C future points at, and what the future keeps alive without using
/// (`keep`): the store argument it was started with (which owns or borrows
/// the store), and for [`Instance::new_async`] the linker it instantiates
/// through. The call's C values follow it in the same allocation (see
/// [`frame_layout`]). `repr(C)`, so a pointer to the frame is one to its
/// slots; fields drop in order, the store argument last.
#[repr(C)]
struct Frame<K> {
    slots: Slots,
    keep: K,
}

/// The layout of a frame with `nvals` C values, and their offset in it.
fn frame_layout<K>(nvals: usize) -> (Layout, usize) {
    let vals = Layout::array::<CVal>(nvals).expect("too many values for one call");
    let (layout, offset) = Layout::new::<Frame<K>>().extend(vals).expect("too many values for one call");
    (layout.pad_to_align(), offset)
}

/// Drops and frees the frame whose slots are at `slots`.
///
/// # Safety
/// `slots` must come from [`CallFuture::holding`] with this `K`, and
/// nothing may use the frame any more (the C future is gone).
unsafe fn free_frame<K>(slots: NonNull<Slots>) {
    let frame = slots.cast::<Frame<K>>().as_ptr();
    // SAFETY: per the caller, `frame` is a live, initialised `Frame<K>`
    // (`repr(C)`, slots first) at the start of an allocation made by
    // `holding` with the layout for its (unchanged) value counts; it is
    // dropped and freed once. The C values after it need no drop.
    unsafe {
        let (layout, _) = frame_layout::<K>((*frame).slots.nargs + (*frame).slots.nresults);
        ptr::drop_in_place(frame);
        std::alloc::dealloc(frame.cast(), layout);
    }
}

/// The store context of a store argument of an async entry point.
fn context_of<S: AsContextMut>(store: &mut S) -> *mut sys::wasmtime_context_t {
    store.as_context_mut().0.opaque.context()
}

/// How a finished call's [`Slots`] become its output.
type Finish<R> = unsafe fn(&StoreOpaque, &mut Slots) -> Result<R>;

/// An async call (or instantiation) running in a store, as returned by
/// [`Func::call_async`], [`TypedFunc::call_async`],
/// [`Linker::instantiate_async`] and [`InstancePre::instantiate_async`].
///
/// It borrows the store mutably until dropped, so only one call runs per
/// store at a time (which the C API requires). Drive it in any of three
/// ways:
///
/// * `.await` it on any executor: each poll resumes the wasm once
///   (`wasmtime_call_future_poll`); while pending it wakes its waker
///   immediately, because the C API has no wakeup mechanism — executors
///   will keep re-polling it, so it never sleeps while the wasm waits;
/// * [`poll_once`](CallFuture::poll_once) by hand;
/// * [`wait`](CallFuture::wait) to block the thread until it finishes.
///
/// Dropping an unfinished `CallFuture` cancels the call
/// (`wasmtime_call_future_delete`); the store stays usable.
///
/// A trap is an error whose root cause is a [`Trap`](crate::Trap); any other failure is
/// an `Err` with Wasmtime's message.
///
/// `CallFuture` is `Send` (when its output is): it can only be made from a
/// `Store<T>` with `T: Send`, and Wasmtime's fibers may be resumed on
/// another thread between polls. It is not `Sync`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (func (export "add") (param i32 i32) (result i32)
///     local.get 0 local.get 1 i32.add))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate_async(&mut store, &module).wait()?;
/// let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add")?;
/// // With any executor:
/// assert_eq!(pollster::block_on(add.call_async(&mut store, (1, 2)))?, 3);
/// // Or by hand:
/// let mut call = add.call_async(&mut store, (3, 4));
/// while !call.poll_once() {}
/// assert_eq!(call.wait()?, 7);
/// # Ok(()) }
/// ```
#[must_use = "a CallFuture does nothing unless polled, and cancels the call when dropped"]
pub struct CallFuture<'a, R> {
    /// The C future; `None` once finished (deleted as soon as it finishes)
    /// or if the call never started.
    raw: Option<Owned<sys::wasmtime_call_future_t>>,
    /// The call's [`Frame`] (its slots come first): the one heap
    /// allocation the future makes, never moved, freed by `free` after the
    /// C future is gone. It also owns the store argument.
    slots: NonNull<Slots>,
    /// `free_frame` for the frame's type.
    free: unsafe fn(NonNull<Slots>),
    /// The store's C context: the store is re-derived from it (C's data
    /// pointer) after each poll, because host code run by the poll builds
    /// its own `&mut` to the store (see `store_ptr.rs`).
    context: *mut sys::wasmtime_context_t,
    finish: Finish<R>,
    output: Option<Result<R>>,
    /// The store (and whatever else the frame keeps) is borrowed for `'a`.
    _borrow: PhantomData<&'a mut StoreOpaque>,
}

// SAFETY: a `CallFuture` is only created from `&mut Store<T>` with `T:
// Send` (so the store, its host data and every host function it can reach
// are `Send`); the store is exclusively borrowed for its whole life;
// Wasmtime's fiber futures may be resumed from any thread (they are `Send`
// in Rust when the store data is). The raw pointers are owned (the frame,
// whose kept values are `Send` by `holding`'s bounds, and the C future) or
// exclusively borrowed (store).
unsafe impl<R: Send> Send for CallFuture<'_, R> {}

// No field is structurally pinned.
impl<R> Unpin for CallFuture<'_, R> {}

impl<R> std::fmt::Debug for CallFuture<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallFuture").field("finished", &self.raw.is_none()).finish_non_exhaustive()
    }
}

impl<'a, R> CallFuture<'a, R> {
    /// A future that has not started its call yet, whose frame (allocated
    /// here, the only allocation of the future) owns `keep` and has room
    /// for `nargs` arguments and `nresults` results; `context` finds the
    /// store's context in `keep`. Also returns the store, for the entry
    /// point's checks before the call starts.
    ///
    /// Until [`start`](Self::start) or [`fail`](Self::fail), it is a
    /// finished future with no output.
    ///
    /// # Safety
    /// The returned store reference may only be used before the call
    /// starts (a poll runs wasm, whose host calls make their own `&mut` to
    /// the store).
    unsafe fn holding<K: Send + 'a>(
        keep: K,
        (nargs, nresults): (usize, usize),
        context: impl FnOnce(&mut K) -> *mut sys::wasmtime_context_t,
        finish: Finish<R>,
    ) -> (CallFuture<'a, R>, &'a StoreOpaque) {
        let (layout, vals_offset) = frame_layout::<K>(nargs + nresults);
        // SAFETY: the layout has a non-zero size (it holds a `Slots`).
        let Some(frame) = NonNull::new(unsafe { std::alloc::alloc(layout) }.cast::<Frame<K>>()) else {
            std::alloc::handle_alloc_error(layout)
        };
        // The allocation's own pointer, from which every pointer into it
        // derives.
        let p = frame.as_ptr();
        // SAFETY: `p` points to the new, writable allocation, aligned for
        // a `Frame<K>`, which is written here (so initialised afterwards);
        // the C values after it, at `vals_offset`, stay uninitialised
        // until written.
        unsafe {
            (&raw mut (*p).keep).write(keep);
            (&raw mut (*p).slots).write(Slots {
                func: sys::wasmtime_func_t::default(),
                vals: p.cast::<u8>().add(vals_offset).cast(),
                nargs,
                nresults,
                out: (ptr::null_mut(), 0),
                instance: sys::wasmtime_instance_t::default(),
                trap: ptr::null_mut(),
                error: ptr::null_mut(),
            });
        }
        // Built before anything that could panic, so that its `Drop` frees
        // the frame.
        let mut future =
            CallFuture { raw: None, slots: frame.cast(), free: free_frame::<K>, context: ptr::null_mut(), finish, output: None, _borrow: PhantomData };
        // SAFETY: the store argument is ours, in the frame, which stays put
        // until `Drop`; only this reference to it is used here.
        let context = context(unsafe { &mut (*p).keep });
        future.context = context;
        // SAFETY: the context belongs to the store `keep` owns or borrows
        // (exclusively) for `'a`, kept alive by the frame; the entry points
        // use this reference only before the call starts (no C call that
        // runs wasm happens while it is used; polls re-derive the store).
        (future, unsafe { StoreOpaque::from_context(context) })
    }

    /// [`CallFuture::holding`] for a store argument alone.
    ///
    /// # Safety
    /// As for [`CallFuture::holding`].
    unsafe fn holding_store<S: AsContextMut + Send + 'a>(store: S, counts: (usize, usize), finish: Finish<R>) -> (CallFuture<'a, R>, &'a StoreOpaque) {
        // SAFETY: forwarded.
        unsafe { CallFuture::holding(store, counts, context_of, finish) }
    }

    /// The slots, to prepare the call before [`start`](Self::start).
    fn slots_mut(&mut self) -> &mut Slots {
        // SAFETY: the frame is ours and live; no C future points at it yet
        // (or any more) while the entry point prepares it.
        unsafe { self.slots.as_mut() }
    }

    /// Starts the C future with `start`, which gets the store's context
    /// and the slots (at their final address) and must return an owned C
    /// future, or null (then the future is finished with an `Err`).
    ///
    /// # Safety
    /// Called once, before any poll. `start` may only pass pointers into
    /// the slots or to objects that outlive `'a`; `finish` must match what
    /// the C function writes into the slots.
    unsafe fn start(&mut self, start: impl FnOnce(*mut sys::wasmtime_context_t, &mut Slots) -> *mut sys::wasmtime_call_future_t) {
        let context = self.context;
        // SAFETY: forwarded: an owned C future or null.
        self.raw = unsafe { Owned::from_raw(start(context, self.slots_mut())) };
        if self.raw.is_none() {
            self.fail(Error::msg("Wasmtime returned no call future"));
        }
    }

    /// Makes a future whose call could not start finished, with `error` as
    /// its output (so it comes out of the first poll, as from `wasmtime`'s
    /// `async fn`s).
    fn fail(&mut self, error: Error) {
        self.output = Some(Err(error));
    }

    /// Resumes the call once (`wasmtime_call_future_poll`); `true` once it
    /// has finished (also on every later call). The C future is deleted as
    /// soon as it finishes; the output is kept for [`wait`](Self::wait) or
    /// `.await`.
    ///
    /// This blocks until the wasm finishes or yields: wasm that never
    /// yields (no fuel or epoch yielding, no async host function) runs to
    /// completion inside one `poll_once`.
    pub fn poll_once(&mut self) -> bool {
        let Some(raw) = &self.raw else { return true };
        // SAFETY (both `from_context`): the store is borrowed for `'a`; each
        // reference is dropped before the next C call.
        unsafe { StoreOpaque::from_context(self.context) }.note_poll(true);
        // SAFETY: the C future is live and unfinished; everything it points
        // at is alive (slots owned by us, store borrowed for `'a`).
        let finished = unsafe { sys::wasmtime_call_future_poll(raw.as_ptr()) };
        unsafe { StoreOpaque::from_context(self.context) }.note_poll(false);
        if !finished {
            return false;
        }
        self.raw = None;
        // SAFETY: the call finished, so the slots hold its outcome; the
        // store is exclusively ours for `'a`, and the C future is gone; the
        // store reference is derived anew, after the poll.
        self.output = Some(unsafe { (self.finish)(StoreOpaque::from_context(self.context), self.slots.as_mut()) });
        true
    }

    /// Whether the call has finished (its output may already be taken).
    pub fn is_finished(&self) -> bool {
        self.raw.is_none()
    }

    /// Blocks the current thread, polling until the call finishes, and
    /// returns its output. Yields the thread between polls.
    pub fn wait(mut self) -> Result<R> {
        while !self.poll_once() {
            std::thread::yield_now();
        }
        self.take_output()
    }

    pub(crate) fn take_output(&mut self) -> Result<R> {
        self.output.take().unwrap_or_else(|| Err(Error::msg("the output of this CallFuture was already taken")))
    }
}

impl<R> Future for CallFuture<'_, R> {
    type Output = Result<R>;

    /// One [`poll_once`](CallFuture::poll_once); while pending, wakes the
    /// waker at once. Polling again after `Ready` returns an `Err`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<R>> {
        let this = self.get_mut();
        if this.poll_once() {
            Poll::Ready(this.take_output())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl<R> Drop for CallFuture<'_, R> {
    fn drop(&mut self) {
        // Deleting an unfinished C future cancels the call; it must go
        // before the frame it points at.
        drop(self.raw.take());
        // SAFETY: the frame came from `holding`, with the `free` made for
        // its type, and nothing points at it any more.
        unsafe { (self.free)(self.slots) };
    }
}

/// The results as a vector, for [`AsyncCall`](crate::AsyncCall) on
/// `(Func, Vec<Val>)`.
unsafe fn finish_vals(store: &StoreOpaque, slots: &mut Slots) -> Result<Vec<Val>> {
    slots.check(store)?;
    let mut vals = vec![Val::I32(0); slots.nresults];
    // SAFETY: on success the call wrote one owned value per result slot;
    // each is taken exactly once (finishing happens once).
    unsafe { Val::fill_from_raw_owned(store, &mut vals, slots.results()) }.map(|()| vals)
}

/// Moves the results into the caller's slice of [`Func::call_async`], as
/// [`Func::call`] does.
unsafe fn finish_into(store: &StoreOpaque, slots: &mut Slots) -> Result<()> {
    slots.check(store)?;
    let (out, len) = slots.out;
    // SAFETY: `out` is the `&'a mut [Val]` of `call_async`, borrowed for
    // the future's lifetime, of `nresults` values (Wasmtime checked that
    // count); on success the call wrote one owned value per result slot,
    // each taken exactly once.
    unsafe { Val::fill_from_raw_owned(store, std::slice::from_raw_parts_mut(out, len), slots.results()) }
}

unsafe fn finish_typed<Results: WasmResults>(store: &StoreOpaque, slots: &mut Slots) -> Result<Results> {
    slots.check(store)?;
    // On the stack (`Val` is `Copy`): a typed function has at most
    // `MAX_ARITY` results.
    let mut vals = [Val::I32(0); MAX_ARITY];
    let vals = &mut vals[..Results::COUNT];
    // SAFETY: on success the call wrote one owned value per result slot
    // (`Results::COUNT` of them, the count `call_async` reserved); each is
    // taken exactly once.
    unsafe { Val::fill_from_raw_owned(store, vals, slots.results()) }?;
    // The function's type was checked against `Results` when the
    // `TypedFunc` was made, so this only fails if that check was wrong.
    Results::from_vals(store.into(), vals).ok_or_else(|| Error::msg("async call results do not match the typed function's results"))
}

unsafe fn finish_instance(store: &StoreOpaque, slots: &mut Slots) -> Result<Instance> {
    slots.check(store)?;
    Ok(Instance(slots.instance))
}

impl Func {
    /// Calls the function asynchronously (`wasmtime_func_call_async`), as
    /// `wasmtime::Func::call_async`: the returned [`CallFuture`] writes the
    /// results into `results` when it finishes (`.await` it, or drive it
    /// with [`poll_once`](CallFuture::poll_once) / [`wait`](CallFuture::wait)).
    ///
    /// A call that cannot start (a reference argument from another store,
    /// the wrong number of arguments or results) comes out of the first
    /// poll as an `Err`, as does a wrongly typed argument. A function of
    /// another store panics, as in `wasmtime` (here when the future is made,
    /// there when it is first polled).
    ///
    /// Differs from `wasmtime` in needing a `Send` store argument (`&mut
    /// Store<T>`, a `Store<T>` or a `StoreContextMut`, not a [`Caller`]: a
    /// host function cannot start a nested async call).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (func (export "mul") (param i64 i64) (result i64)
    ///     local.get 0 local.get 1 i64.mul))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate_async(&mut store, &module).wait()?;
    /// let mul = instance.get_func(&mut store, "mul").unwrap();
    /// let mut results = [Val::I64(0)];
    /// pollster::block_on(mul.call_async(&mut store, &[Val::I64(6), Val::I64(7)], &mut results))?;
    /// assert_eq!(results[0].i64(), Some(42));
    /// assert!(mul.call_async(&mut store, &[Val::I64(6)], &mut results).wait().is_err()); // wrong arity
    /// # Ok(()) }
    #[track_caller]
    pub fn call_async<'a>(&self, mut store: impl AsContextMut<Data: Send> + Send + 'a, params: &[Val], results: &'a mut [Val]) -> CallFuture<'a, ()> {
        store.as_context_mut().0.opaque.assert_id(self.0.store_id);
        // SAFETY: `opaque` is only used before the call starts.
        let (mut future, opaque) = unsafe { CallFuture::holding_store(store, (params.len(), results.len()), finish_into) };
        // Wasmtime checks the numbers of arguments and results (with the
        // same messages as `Func::call`), and the argument types.
        match self.prepare_async(opaque, future.slots_mut(), params) {
            Ok(()) => {
                future.slots_mut().out = (results.as_mut_ptr(), results.len());
                // SAFETY: every pointer passed is into the slots; the
                // function and reference arguments were checked to belong
                // to this store; `out` is borrowed for `'a`.
                unsafe { future.start(call_func_async) }
            }
            Err(error) => future.fail(error),
        }
        future
    }

    /// Writes the function and `params` into `slots` (made with room for
    /// them).
    fn prepare_async(&self, opaque: &StoreOpaque, slots: &mut Slots, params: &[Val]) -> Result<()> {
        opaque.check_id(self.0.store_id)?;
        slots.func = self.0;
        for (slot, param) in slots.args_mut().iter_mut().zip(params) {
            param.write_raw(opaque, slot)?;
        }
        Ok(())
    }

    /// An async call whose output is the results, for
    /// [`AsyncCall`](crate::AsyncCall) on `(Func, Vec<Val>)`. Unlike
    /// [`Func::call_async`], it checks the arity itself (it needs the
    /// number of results), so a wrong one is finished at once.
    pub(crate) fn call_async_vec<'a, T: Send>(&self, store: &'a mut Store<T>, params: &[Val]) -> CallFuture<'a, Vec<Val>> {
        let ty = self.ty_in(&store.as_context_mut().0.opaque);
        let nresults = ty.as_ref().map_or(0, |ty| ty.results().len());
        // SAFETY: `opaque` is only used before the call starts.
        let (mut future, opaque) = unsafe { CallFuture::holding_store(store, (params.len(), nresults), finish_vals) };
        let prepared = ty.and_then(|ty| {
            if ty.params().len() != params.len() {
                return Err(Error::msg(format!("expected {} arguments, got {}", ty.params().len(), params.len())));
            }
            self.prepare_async(opaque, future.slots_mut(), params)
        });
        match prepared {
            // SAFETY: as in `call_async`.
            Ok(()) => unsafe { future.start(call_func_async) },
            Err(error) => future.fail(error),
        }
        future
    }
}

/// Starts `wasmtime_func_call_async` on the slots.
fn call_func_async(context: *mut sys::wasmtime_context_t, s: &mut Slots) -> *mut sys::wasmtime_call_future_t {
    // SAFETY: every pointer is into the slots (`vals` has `nargs` written
    // arguments, then room for `nresults` results), which outlive the C
    // future; the caller checked the function and arguments against the
    // store.
    unsafe {
        sys::wasmtime_func_call_async(
            context,
            &s.func,
            s.vals.cast::<sys::wasmtime_val_t>(),
            s.nargs,
            s.vals.add(s.nargs).cast::<sys::wasmtime_val_t>(),
            s.nresults,
            &mut s.trap,
            &mut s.error,
        )
    }
}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    /// Calls the function asynchronously (`wasmtime_func_call_async`), as
    /// `wasmtime::TypedFunc::call_async`, used as
    /// `f.call_async(&mut store, params).await?`. Reference values from
    /// another store are an `Err` from the first poll (a function of
    /// another store panics, as in `wasmtime`); a trap is an error with a
    /// [`Trap`](crate::Trap). The store argument must be `Send`, as for
    /// [`Func::call_async`].
    ///
    /// The future makes one heap allocation (its frame, holding the store
    /// argument, the parameters and the results).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> { pollster::block_on(run()) }
    /// # async fn run() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (func (export "div") (param i32 i32) (result i32)
    ///     local.get 0 local.get 1 i32.div_s))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate_async(&mut store, &module).await?;
    /// let div = instance.get_typed_func::<(i32, i32), i32>(&mut store, "div")?;
    /// assert_eq!(div.call_async(&mut store, (84, 2)).await?, 42);
    /// let err = div.call_async(&mut store, (1, 0)).wait().unwrap_err();
    /// assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::IntegerDivisionByZero));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn call_async<'a>(&self, mut store: impl AsContextMut<Data: Send> + Send + 'a, params: Params) -> CallFuture<'a, Results>
    where
        Params: Sync,
        Results: Sync,
    {
        store.as_context_mut().0.opaque.assert_id(self.func().0.store_id);
        // SAFETY: `opaque` is only used before the call starts.
        let (mut future, opaque) = unsafe { CallFuture::holding_store(store, (Params::COUNT, Results::COUNT), finish_typed::<Results>) };
        let slots = future.slots_mut();
        let prepared = opaque.check_id(self.func().0.store_id).and_then(|()| {
            slots.func = self.func().0;
            params.write_c_vals(opaque.into(), slots.args_mut())
        });
        match prepared {
            // SAFETY: as in `Func::call_async`; the type was checked when
            // the `TypedFunc` was made, and the slots have room for
            // `Results::COUNT` results, as `finish_typed` expects.
            Ok(()) => unsafe { future.start(call_func_async) },
            Err(error) => future.fail(error),
        }
        future
    }
}
impl<T> Linker<T> {
    /// Instantiates `module` asynchronously with imports from this linker
    /// (`wasmtime_linker_instantiate_async`), as
    /// `wasmtime::Linker::instantiate_async`. Required when the linker has
    /// async host functions or the store yields (fuel/epoch); the start
    /// function, if any, runs inside the future.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (global $g (mut i32) (i32.const 0))
    ///     (func $start i32.const 5 global.set $g) (start $start)
    ///     (func (export "get") (result i32) global.get $g))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate_async(&mut store, &module).wait()?;
    /// let get = instance.get_typed_func::<(), i32>(&mut store, "get")?;
    /// assert_eq!(get.call_async(&mut store, ()).wait()?, 5);
    /// # Ok(()) }
    /// ```
    pub fn instantiate_async<'a>(&'a self, store: impl AsContextMut<Data = T> + Send + 'a, module: &'a Module) -> CallFuture<'a, Instance>
    where
        T: Send + 'static,
    {
        // SAFETY: `opaque` is only used before the call starts.
        let (mut future, opaque) = unsafe { CallFuture::holding_store(store, (0, 0), finish_instance) };
        let prepared = check_engine(opaque, module).and_then(|()| self.check_engine(opaque.engine())).and_then(|()| self.stores.check(self.raw.as_ptr(), module, opaque));
        let linker = self.raw.as_ptr();
        match prepared {
            Ok(()) => {
                opaque.note_linker(self.has_async, self.has_wasi);
                // SAFETY: the linker and module are borrowed for `'a`; the
                // store's data type is `T`, as every closure of this linker
                // expects; the out-pointers are into the slots.
                unsafe {
                    future.start(|context, s| {
                        sys::wasmtime_linker_instantiate_async(linker, context, module.as_raw(), &mut s.instance, &mut s.trap, &mut s.error)
                    })
                }
            }
            Err(error) => future.fail(error),
        }
        future
    }

    /// Defines an async host function (`wasmtime_linker_define_async_func`),
    /// as `wasmtime::Linker::func_new_async`.
    ///
    /// When wasm calls it, `f` runs with the [`Caller`] and the arguments
    /// and returns a future; the call stays suspended (the wasm's
    /// [`CallFuture`] reports pending) until that future resolves. Its
    /// `Ok` values are the results (checked against `ty`); an `Err`, or a
    /// panic in `f` or in the future, traps. The future is polled with a
    /// no-op waker, once per poll of the wasm's `CallFuture`.
    ///
    /// Only async entry points can call it: instantiate with
    /// [`Linker::instantiate_async`] and call with `call_async`. A
    /// synchronous [`Func::call`] or [`Linker::instantiate`] on such a store
    /// is an `Err`. So is a synchronous [`TypedFunc::call`] in any store
    /// this linker's items entered: Wasmtime does not check the unchecked
    /// call path it uses, and would panic behind C (an abort) on reaching
    /// an async host function, so this crate refuses it up front.
    ///
    /// Differs from `wasmtime` in that the future cannot borrow the
    /// `Caller`: take what it needs from the caller before returning it.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use std::future::Future;
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll};
    /// use wasmtime_mbt::*;
    ///
    /// /// Ready after being polled `n` times.
    /// struct After(u32, i32);
    /// impl Future for After {
    ///     type Output = Result<Vec<Val>>;
    ///     fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
    ///         if self.0 == 0 { return Poll::Ready(Ok(vec![Val::I32(self.1)])) }
    ///         self.0 -= 1;
    ///         Poll::Pending
    ///     }
    /// }
    ///
    /// let engine = Engine::default();
    /// let mut linker = Linker::<i32>::new(&engine);
    /// let ty = FuncType::new(&engine, [ValType::I32], [ValType::I32]);
    /// linker.func_new_async("host", "slow_add", ty, |caller, args| {
    ///     After(3, args[0].i32().unwrap() + *caller.data())
    /// })?;
    /// let module = Module::new(&engine, r#"(module (import "host" "slow_add" (func $f (param i32) (result i32)))
    ///     (func (export "run") (param i32) (result i32) local.get 0 call $f))"#)?;
    /// let mut store = Store::new(&engine, 100);
    /// let instance = linker.instantiate_async(&mut store, &module).wait()?;
    /// let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
    /// let mut call = run.call_async(&mut store, 1);
    /// let mut pending = 0;
    /// while !call.poll_once() { pending += 1 }
    /// assert_eq!(pending, 3);
    /// assert_eq!(call.wait()?, 101);
    /// # Ok(()) }
    /// ```
    pub fn func_new_async<F, Fut>(&mut self, module: &str, name: &str, ty: FuncType, f: F) -> Result<&mut Self>
    where
        T: 'static,
        F: Fn(Caller<'_, T>, &[Val]) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<Val>>> + Send + 'static,
    {
        assert!(Engine::same(ty.engine(), self.engine()), "assertion failed: ty.comes_from_same_engine(self.engine())");
        let raw_ty = ty.to_raw()?;
        self.has_async = true;
        // SAFETY: the trampoline's type parameters match the boxed pair.
        unsafe {
            self.define_host_func(
                module,
                name,
                &raw_ty,
                sys::wasmtime_linker_define_async_func,
                Some(async_trampoline::<T, F, Fut>),
                Box::new((ty, f)),
            )
        }
    }

    /// Defines an async host function from a typed closure, as
    /// `wasmtime::Linker::func_wrap_async`: the closure gets the
    /// [`Caller`] and the parameters as a tuple (or a single value) and
    /// returns a future of the results; an `Err` traps. Built on
    /// [`Linker::func_new_async`], with the same rules.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let mut linker = Linker::<()>::new(&engine);
    /// linker.func_wrap_async("host", "add", |_caller: Caller<'_, ()>, (a, b): (i32, i64)| async move {
    ///     Ok(a as i64 + b)
    /// })?;
    /// let module = Module::new(&engine, r#"(module (import "host" "add" (func $add (param i32 i64) (result i64)))
    ///     (func (export "run") (result i64) i32.const 40 i64.const 2 call $add))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = linker.instantiate_async(&mut store, &module).wait()?;
    /// let run = instance.get_typed_func::<(), i64>(&mut store, "run")?;
    /// assert_eq!(run.call_async(&mut store, ()).wait()?, 42);
    /// # Ok(()) }
    /// ```
    pub fn func_wrap_async<Params, Results, F, Fut>(&mut self, module: &str, name: &str, f: F) -> Result<&mut Self>
    where
        T: 'static,
        Params: WasmResults + 'static,
        Results: WasmParams + 'static,
        F: Fn(Caller<'_, T>, Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Results>> + Send + 'static,
    {
        let ty = FuncType::new(self.engine(), <Params as WasmResults>::list_valtypes(), <Results as WasmParams>::list_valtypes());
        self.func_new_async(module, name, ty, move |caller, args| {
            // Wasmtime checked the argument types against `ty`.
            let context = crate::func::ContextPtr::of(&caller);
            let started = Params::from_vals(crate::func::caller_store(&caller), args).map(|params| f(caller, params));
            async move {
                let results = started.ok_or_else(|| Error::msg("host function arguments do not match its type"))?.await?;
                let mut vals = Vec::with_capacity(Results::COUNT);
                // SAFETY: the host call is still running (its future is
                // being polled) and the `Caller` it had is gone with the
                // future awaited above.
                results.into_vals(unsafe { context.store() }, &mut vals);
                Ok(vals)
            }
        })
    }
}

impl<T> InstancePre<T> {
    /// Instantiates asynchronously in `store`
    /// (`wasmtime_instance_pre_instantiate_async`), as
    /// `wasmtime::InstancePre::instantiate_async`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (func (export "one") (result i32) i32.const 1))"#)?;
    /// let pre = Linker::<()>::new(&engine).instantiate_pre(&module)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = pre.instantiate_async(&mut store).wait()?;
    /// let one = instance.get_typed_func::<(), i32>(&mut store, "one")?;
    /// assert_eq!(one.call_async(&mut store, ()).wait()?, 1);
    /// # Ok(()) }
    /// ```
    pub fn instantiate_async<'a>(&'a self, store: impl AsContextMut<Data = T> + Send + 'a) -> CallFuture<'a, Instance>
    where
        T: Send,
    {
        // SAFETY: `opaque` is only used before the call starts.
        let (mut future, opaque) = unsafe { CallFuture::holding_store(store, (0, 0), finish_instance) };
        let pre = self.raw.as_ptr();
        match check_engine(opaque, self.module()) {
            Ok(()) => {
                opaque.note_linker(self.has_async, self.has_wasi);
                // SAFETY: the pre-instance is borrowed for `'a` and was made
                // on this engine for stores of `T`; the out-pointers are
                // into the slots.
                unsafe { future.start(|context, s| sys::wasmtime_instance_pre_instantiate_async(pre, context, &mut s.instance, &mut s.trap, &mut s.error)) }
            }
            Err(error) => future.fail(error),
        }
        future
    }
}

impl Instance {
    /// Instantiates `module` with `imports` in order, asynchronously, as
    /// `wasmtime::Instance::new_async`: the start function, if any, runs
    /// inside the future.
    ///
    /// The C API has no positional async instantiation: this defines the
    /// imports by their names in a fresh C linker and instantiates
    /// through it (`wasmtime_linker_instantiate_async`). So a module that
    /// imports one name twice is an `Err` (from the first poll), as is a
    /// wrong number of imports. The store argument must be `Send`, as for
    /// [`Func::call_async`].
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (import "" "seven" (func $s (result i32)))
    ///     (func (export "run") (result i32) call $s))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let seven = Func::wrap(&mut store, || 7i32);
    /// let instance = pollster::block_on(Instance::new_async(&mut store, &module, &[seven.into()]))?;
    /// let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
    /// assert_eq!(run.call_async(&mut store, ()).wait()?, 7);
    /// assert!(Instance::new_async(&mut store, &module, &[]).wait().is_err());
    /// # Ok(()) }
    /// ```
    pub fn new_async<'a>(mut store: impl AsContextMut<Data: Send> + Send + 'a, module: &'a Module, imports: &[Extern]) -> CallFuture<'a, Instance> {
        let (linker, error) = match positional_linker(&store.as_context_mut().0.opaque, module, imports) {
            Ok(linker) => (Some(linker), None),
            Err(error) => (None, Some(error)),
        };
        let raw_linker = linker.as_ref().map_or(ptr::null_mut(), |l| l.0.as_ptr());
        // The linker goes before the store argument (tuple fields drop in
        // order).
        // SAFETY: the returned store reference is not used.
        let (mut future, _) = unsafe { CallFuture::holding((linker, store), (0, 0), |(_, store)| context_of(store), finish_instance) };
        match error {
            Some(error) => future.fail(error),
            // SAFETY: without an error the linker exists, kept by the
            // future's frame (dropped after the C future); it has no host
            // functions of its own; the module is borrowed for `'a`; the
            // out-pointers are into the slots.
            None => unsafe {
                future.start(|context, s| {
                    sys::wasmtime_linker_instantiate_async(raw_linker, context, module.as_raw(), &mut s.instance, &mut s.trap, &mut s.error)
                })
            },
        }
        future
    }
}

/// The C linker of an [`Instance::new_async`].
struct PositionalLinker(Owned<sys::wasmtime_linker_t>);

// SAFETY: a C linker may move between threads (`wasmtime::Linker` is
// `Send`); this one holds no host functions.
unsafe impl Send for PositionalLinker {}

/// A C linker defining `module`'s imports, in order, as `imports`.
fn positional_linker(opaque: &StoreOpaque, module: &Module, imports: &[Extern]) -> Result<PositionalLinker> {
    check_engine(opaque, module)?;
    if module.imports().len() != imports.len() {
        return Err(Error::msg(format!("expected {} imports, found {}", module.imports().len(), imports.len())));
    }
    // SAFETY: the engine is live; the linker is owned.
    let linker = PositionalLinker(unsafe { Owned::from_raw(sys::wasmtime_linker_new(opaque.engine().as_raw())) }.expect("linker"));
    for (import, item) in module.imports().zip(imports) {
        let raw = item.to_raw(opaque)?;
        let (m, n) = (import.module(), import.name());
        // SAFETY: the linker and store are live; the item was checked to
        // belong to the store; names are passed with their lengths.
        unsafe {
            Error::check(sys::wasmtime_linker_define(linker.0.as_ptr(), opaque.context(), m.as_ptr().cast(), m.len(), n.as_ptr().cast(), n.len(), &raw))?
        };
    }
    Ok(linker)
}

// ---------------------------------------------------------------------------
// Async host functions.

/// The state of one call of an async host function: the continuation's env.
struct HostCall<Fut> {
    future: Fut,
    done: bool,
    context: *mut sys::wasmtime_context_t,
    results: *mut sys::wasmtime_val_t,
    nresults: usize,
    result_types: Vec<ValType>,
    trap_ret: *mut *mut sys::wasm_trap_t,
}

/// A continuation that is complete at once (for a call that failed before
/// it produced a future).
unsafe extern "C" fn already_done(_: *mut c_void) -> bool {
    true
}

/// The `wasmtime_func_async_callback_t` behind [`Linker::func_new_async`].
unsafe extern "C" fn async_trampoline<T, F, Fut>(
    env: *mut c_void,
    caller: *mut sys::wasmtime_caller_t,
    args: *const sys::wasmtime_val_t,
    nargs: usize,
    results: *mut sys::wasmtime_val_t,
    nresults: usize,
    trap_ret: *mut *mut sys::wasm_trap_t,
    continuation_ret: *mut sys::wasmtime_async_continuation_t,
) where
    F: Fn(Caller<'_, T>, &[Val]) -> Fut,
    Fut: Future<Output = Result<Vec<Val>>> + Send + 'static,
{
    // Always hand back a valid continuation: C's placeholder panics.
    // SAFETY: `continuation_ret` is a live out-parameter.
    unsafe { *continuation_ret = sys::wasmtime_async_continuation_t { callback: Some(already_done), env: ptr::null_mut(), finalizer: None } };
    // SAFETY: `caller` is live for this call.
    let context = unsafe { sys::wasmtime_caller_context(caller) };
    let started = catch_unwind(AssertUnwindSafe(|| -> Result<Box<HostCall<Fut>>> {
        // SAFETY: `env` is the `(FuncType, F)` box made by `func_new_async`;
        // `caller` is live for this call; `args` has `nargs` values.
        let (ty, f) = unsafe { &*env.cast::<(FuncType, F)>() };
        let args = unsafe { raw_slice(args, nargs) };
        // SAFETY: the context is this call's live store; the view is not
        // used once the `Caller` exists.
        let opaque = unsafe { crate::store::StoreOpaque::from_context(context) };
        let params = args.iter().map(|a| unsafe { Val::from_raw_borrowed(opaque, a) }).collect::<Result<Vec<_>>>()?;
        let future = f(unsafe { Caller::<T>::from_raw(caller, context) }, &params);
        Ok(Box::new(HostCall { future, done: false, context, results, nresults, result_types: ty.result_types().to_vec(), trap_ret }))
    }));
    // SAFETY: the out-parameters are live; a trap written here is owned by C.
    unsafe {
        match started {
            Ok(Ok(call)) => {
                *continuation_ret = sys::wasmtime_async_continuation_t {
                    callback: Some(poll_host_call::<T, Fut>),
                    env: Box::into_raw(call).cast(),
                    finalizer: Some(drop_host_call::<Fut>),
                }
            }
            Ok(Err(error)) => *trap_ret = host_failure(context, error),
            Err(panic) => *trap_ret = host_panic(context, panic),
        }
    }
}

/// The continuation callback: polls the host future once.
unsafe extern "C" fn poll_host_call<T, Fut>(env: *mut c_void) -> bool
where
    Fut: Future<Output = Result<Vec<Val>>>,
{
    // SAFETY: `env` is the live `HostCall` box made by `async_trampoline`;
    // C keeps the call's result and trap slots alive until this returns
    // `true`.
    let call = unsafe { &mut *env.cast::<HostCall<Fut>>() };
    if call.done {
        return true;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the `HostCall` is boxed and never moved until it is
        // dropped, so the future stays pinned.
        let future = unsafe { Pin::new_unchecked(&mut call.future) };
        match future.poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Pending => None,
            Poll::Ready(Ok(values)) => Some(unsafe { call.write_results::<T>(values) }),
            Poll::Ready(Err(error)) => Some(Err(error)),
        }
    }));
    if let Ok(None) = outcome {
        return false;
    }
    call.done = true;
    // SAFETY (both): the context is this call's live store; the trap slot
    // is live until we return `true`; C owns the trap.
    match outcome {
        Ok(None) | Ok(Some(Ok(()))) => {}
        Ok(Some(Err(error))) => unsafe { *call.trap_ret = host_failure(call.context, error) },
        // Resumed by the poll that finishes the call (as `wasmtime`'s
        // fiber resumes it in the poll).
        Err(panic) => unsafe { *call.trap_ret = host_panic(call.context, panic) },
    }
    true
}

impl<Fut> HostCall<Fut> {
    /// Checks and writes the host function's results.
    ///
    /// # Safety
    /// The call must still be running in a `Store<T>`.
    unsafe fn write_results<T>(&self, values: Vec<Val>) -> Result<()> {
        if values.len() != self.nresults || values.len() != self.result_types.len() {
            return Err(Error::msg(format!("host function returned {} results, expected {}", values.len(), self.nresults)));
        }
        for (i, (val, ty)) in values.iter().zip(&self.result_types).enumerate() {
            if !val.fits(ty) {
                return Err(Error::msg(format!("host function result {i} has type {}, expected {ty}", val.kind_name())));
            }
        }
        // SAFETY: the context is the live store of this call (a `Store<T>`),
        // which no other code uses while the host function runs.
        let store = unsafe { StoreInner::<T>::from_context(self.context) };
        let raw = values.into_iter().map(|v| v.into_raw(&store.opaque)).collect::<Result<Vec<_>>>()?;
        for (i, raw) in raw.into_iter().enumerate() {
            // SAFETY: `i < nresults`; C takes ownership of each result.
            unsafe { *self.results.add(i) = raw };
        }
        Ok(())
    }
}

/// The continuation finalizer: drops the host call (and its future).
unsafe extern "C" fn drop_host_call<Fut>(env: *mut c_void) {
    // SAFETY: `env` came from `Box::into_raw` in `async_trampoline`; C
    // calls the finalizer once. A panic in the future's `Drop` must not
    // unwind into C.
    unsafe { crate::guard::drop_box::<HostCall<Fut>>(env) }
}
