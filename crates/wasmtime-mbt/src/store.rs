//! `Store<T>`: the owner of all wasm objects and of the host's data `T`,
//! and the `AsContext`/`AsContextMut` traits that let `&mut Store<T>` and
//! [`Caller`](crate::Caller) be used alike.

use std::cell::Cell;
use std::fmt;
use std::ffi::c_void;
use std::ptr;

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::Owned;
use crate::rooting::{CRoot, RawRoot};
use crate::{Engine, Error, ExnRef, GcHeapOutOfMemory, ResourceLimiter, Result, Rooted};

/// Implements what every `Copy` handle into a store (`Func`, `Memory`, …)
/// shares: `Send`/`Sync` and a `Debug` showing its store id.
macro_rules! store_handle {
    ($name:ident, |$h:ident| $store_id:expr) => {
        // SAFETY: the handle is a store id plus an index; it is only
        // dereferenced through a store context whose id is checked first.
        unsafe impl Send for $name {}
        // SAFETY: as above.
        unsafe impl Sync for $name {}

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let $h = self;
                f.debug_struct(stringify!($name)).field("store_id", &$store_id).finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use store_handle;

/// The part of a store that does not depend on `T`. Public only so the
/// sealed value traits can name it; not reachable from outside the crate.
pub struct StoreOpaque {
    // Field order is drop order: the C store goes first.
    raw: Owned<sys::wasmtime_store_t>,
    context: *mut sys::wasmtime_context_t,
    engine: Engine,
    /// Wasmtime's id for this store (`store_id` in C values); 0 until known.
    id: Cell<u64>,
    /// The error a host function failed with, kept here while it travels
    /// through wasm as a C trap (which can only carry a message), so the
    /// call that started it returns the original [`Error`].
    host_error: Cell<Option<Error>>,
    /// The payload of a panic in host code, caught before it could unwind
    /// into C and kept here while a C trap unwinds the wasm: the call that
    /// led there resumes it once C has returned (see `check_call`), as
    /// `wasmtime` resumes a host panic in the caller.
    host_panic: Cell<Option<Box<dyn std::any::Any + Send>>>,
    /// Whether this store only runs wasm through `*_async` entry points,
    /// as Wasmtime's `async_required`: async host functions may be
    /// reachable, or wasm may yield (fuel or epoch yielding). C checks it
    /// for `wasmtime_func_call`; `wasmtime_func_call_unchecked` does not, and
    /// reaching an async host function or a yield there panics (an abort,
    /// behind C) or suspends an enclosing `call_async` fiber with a host
    /// frame live (issue 15 #2), so typed calls check this first.
    async_required: Cell<bool>,
    /// How many `CallFuture` polls of this store are running: while one
    /// is, wasm (and host code it calls) runs on Wasmtime's fiber, where
    /// `wasmtime` 48.0.8 refuses blocking calls (`validate_sync_call`).
    polls_running: Cell<u32>,
    /// Whether the store has a WASI context (`wasmtime_context_set_wasi`).
    /// Wasmtime's WASI functions panic (an abort, behind C) in a store
    /// without one, so linkers with WASI install an empty one first.
    wasi: Cell<bool>,
    /// The C roots behind this store's `Rooted`/`OwnedRooted` references.
    roots: crate::rooting::Roots,
    /// Signatures of the functions `Func::call` has called, for its fast
    /// path (`func/signatures.rs`).
    signatures: crate::func::signatures::Signatures,
}

/// Everything a [`Store`] owns; boxed so its address, which C keeps as the
/// store's data pointer, never moves. `repr(C)` with `opaque` first, so the
/// data pointer is also a pointer to the `StoreOpaque` (see
/// [`StoreOpaque::from_context`]).
#[repr(C)]
pub(crate) struct StoreInner<T> {
    pub(crate) opaque: StoreOpaque,
    data: T,
}

/// A collection of WebAssembly instances and host state, as `wasmtime::Store`.
///
/// All wasm objects ([`Func`](crate::Func), [`Memory`](crate::Memory), …)
/// belong to one store and are used through it; using them with another store
/// is never undefined behaviour: it panics in the accessors `wasmtime` makes
/// infallible (`Memory::size`, `Global::get`, `Func::ty`, …) and is an `Err`
/// elsewhere. `Store<T>` is `Send` when `T` is,
/// and never `Sync`.
///
/// ```
/// use wasmtime_mbt::{Engine, Store};
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, 5u32);
/// *store.data_mut() += 1;
/// assert_eq!(*store.data(), 6);
/// assert_eq!(store.into_data(), 6);
/// ```
pub struct Store<T> {
    /// From `Box::into_raw`: the root pointer of the store's memory, also
    /// C's data pointer (see `store_ptr.rs`). Freed in `Drop`/`into_data`.
    inner: std::ptr::NonNull<StoreInner<T>>,
    _owns: std::marker::PhantomData<Box<StoreInner<T>>>,
}

// SAFETY: the C store may move between threads (it wraps `wasmtime::Store`,
// which is `Send` when its data is); the host data and callbacks this crate
// stores are `Send` when `T` is. Not `Sync`: every use needs `&mut`.
unsafe impl<T: Send> Send for Store<T> {}

impl<T> Store<T> {
    /// A new store on `engine` holding `data` (`wasmtime_store_new`).
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        // SAFETY: the engine is live; we pass no data (set below) and no
        // finalizer, and take ownership of the returned store.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_store_new(engine.as_raw(), ptr::null_mut(), None)) }
            .expect("wasmtime_store_new returned null");
        // SAFETY: the store is live; its context lives as long as it does.
        let context = unsafe { sys::wasmtime_store_context(raw.as_ptr()) };
        let opaque = StoreOpaque { raw, context, engine: engine.clone(), id: Cell::new(0), host_error: Cell::new(None), host_panic: Cell::new(None), async_required: Cell::new(false), polls_running: Cell::new(0), wasi: Cell::new(false), roots: Default::default(), signatures: Default::default() };
        // The raw pointer is the root of all access (see `store_ptr.rs`):
        // no reference to the allocation outlives this statement.
        let data_ptr: *mut StoreInner<T> = Box::into_raw(Box::new(StoreInner { opaque, data }));
        // SAFETY: the context is live; the allocation never moves and
        // outlives the C store (it owns it).
        unsafe { sys::wasmtime_context_set_data(context, data_ptr.cast()) };
        // SAFETY: `Box::into_raw` never returns null.
        Store { inner: unsafe { std::ptr::NonNull::new_unchecked(data_ptr) }, _owns: std::marker::PhantomData }
    }

    /// The store's memory, shared.
    #[inline]
    fn inner(&self) -> &StoreInner<T> {
        // SAFETY: live until `Drop`; `&self` excludes host code (which
        // only runs inside calls that take `&mut`).
        unsafe { self.inner.as_ref() }
    }

    /// The store's memory, as an exclusive root pointer.
    #[inline]
    fn ptr(&mut self) -> crate::store_ptr::StorePtr<'_, T> {
        // SAFETY: the root pointer, exclusively ours while `self` is borrowed.
        unsafe { crate::store_ptr::StorePtr::new(self.inner) }
    }

    /// Like [`Store::new`], returning a `Result` as
    /// `wasmtime::Store::try_new` (it is always `Ok`: the C API reports no
    /// allocation failure here).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let store = wasmtime_mbt::Store::try_new(&wasmtime_mbt::Engine::default(), 3u8)?;
    /// assert_eq!(*store.data(), 3);
    /// # Ok(()) }
    /// ```
    pub fn try_new(engine: &Engine, data: T) -> Result<Store<T>> {
        Ok(Store::new(engine, data))
    }

    /// The engine this store was created on.
    pub fn engine(&self) -> &Engine {
        &self.inner().opaque.engine
    }

    /// The host data.
    pub fn data(&self) -> &T {
        &self.inner().data
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.ptr().into_mut().data
    }

    /// Consumes the store (freeing every wasm object in it) and returns the
    /// host data.
    pub fn into_data(self) -> T {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: the allocation from `Store::new`, freed once (`Drop` does
        // not run for `this`).
        let StoreInner { opaque, data } = *unsafe { Box::from_raw(this.inner.as_ptr()) };
        drop(opaque);
        data
    }

    /// Sets the fuel left (`wasmtime_context_set_fuel`); an `Err` unless
    /// [`Config::consume_fuel`](crate::Config::consume_fuel) is on.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine, Store};
    /// let engine = Engine::new(Config::new().consume_fuel(true))?;
    /// let mut store = Store::new(&engine, ());
    /// store.set_fuel(10_000)?;
    /// assert_eq!(store.get_fuel()?, 10_000);
    /// assert!(Store::new(&Engine::default(), ()).set_fuel(1).is_err());
    /// # Ok(()) }
    /// ```
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.ptr().into_mut().opaque.set_fuel(fuel)
    }

    /// The fuel left (`wasmtime_context_get_fuel`).
    pub fn get_fuel(&self) -> Result<u64> {
        self.inner().opaque.get_fuel()
    }

    /// Sets the epoch deadline to `ticks_beyond_current` increments of
    /// [`Engine::increment_epoch`] from now (`wasmtime_context_set_epoch_deadline`).
    /// Reaching it traps with [`Trap::Interrupt`](crate::Trap::Interrupt).
    pub fn set_epoch_deadline(&mut self, ticks_beyond_current: u64) {
        self.inner().opaque.set_epoch_deadline(ticks_beyond_current)
    }

    /// Calls `f` whenever the epoch deadline is reached, instead of
    /// trapping (`wasmtime_store_epoch_deadline_callback`), as
    /// `wasmtime::Store::epoch_deadline_callback`. `f` decides to continue
    /// with a new deadline, to yield (async calls only), to interrupt (a
    /// [`Trap::Interrupt`](crate::Trap::Interrupt)), or returns `Err` to
    /// stop the running wasm with that error. A panic in `f` becomes an
    /// error too.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().epoch_interruption(true))?;
    /// let module = Module::new(&engine, r#"(module (func (export "spin") (loop br 0)))"#)?;
    /// let mut store = Store::new(&engine, 0u32);
    /// store.set_epoch_deadline(1);
    /// store.epoch_deadline_callback(|mut cx| {
    ///     *cx.data_mut() += 1;
    ///     if *cx.data() < 3 { Ok(UpdateDeadline::Continue(1)) } else { Err(Error::msg("enough")) }
    /// });
    /// let spin = Instance::new(&mut store, &module, &[])?.get_typed_func::<(), ()>(&mut store, "spin")?;
    /// let ticker = std::thread::spawn({
    ///     let engine = engine.clone();
    ///     move || for _ in 0..1000 { engine.increment_epoch(); std::thread::sleep(std::time::Duration::from_millis(1)) }
    /// });
    /// let err = spin.call(&mut store, ()).unwrap_err();
    /// assert_eq!(err.root_cause().to_string(), "enough", "{err:?}");
    /// assert_eq!(*store.data(), 3);
    /// # drop(ticker); Ok(()) }
    /// ```
    pub fn epoch_deadline_callback<F>(&mut self, f: F)
    where
        F: FnMut(StoreContextMut<'_, T>) -> Result<UpdateDeadline> + Send + 'static,
    {
        let env = Box::into_raw(Box::new(f));
        // SAFETY: the store is live; C owns `env` and frees it with the
        // matching finalizer when the store is deleted or the callback replaced.
        unsafe {
            sys::wasmtime_store_epoch_deadline_callback(
                self.inner().opaque.raw.as_ptr(),
                Some(epoch_trampoline::<T, F>),
                env.cast(),
                Some(crate::func::drop_box::<F>),
            )
        }
    }

    /// Limits the resources wasm in this store may use, as
    /// `wasmtime::Store::limiter`: `limiter` picks the [`ResourceLimiter`]
    /// (a [`StoreLimits`](crate::StoreLimits)) out of the store's data (`wasmtime_store_limiter`).
    ///
    /// Differs from `wasmtime` in that the C API only takes fixed limits:
    /// `limiter` is called once, here, and the limits it returns then are
    /// the ones applied; [`ResourceLimiter`] is sealed (no custom limiters).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let limits = StoreLimitsBuilder::new().memory_size(1 << 16).build();
    /// let mut store = Store::new(&engine, limits);
    /// store.limiter(|limits| limits);
    /// let module = Module::new(&engine, "(module (memory 2))")?;
    /// assert!(Instance::new(&mut store, &module, &[]).is_err());
    /// # Ok(()) }
    /// ```
    pub fn limiter(&mut self, mut limiter: impl (FnMut(&mut T) -> &mut dyn ResourceLimiter) + Send + Sync + 'static) {
        let limits = crate::limits::c_limits(limiter(&mut self.ptr().into_mut().data));
        // SAFETY: the store is live; negative values keep defaults.
        unsafe {
            sys::wasmtime_store_limiter(
                self.inner().opaque.raw.as_ptr(),
                limits.memory_size,
                limits.table_elements,
                limits.instances,
                limits.tables,
                limits.memories,
            )
        }
    }

    /// Makes reaching the epoch deadline trap with
    /// [`Trap::Interrupt`](crate::Trap::Interrupt) again (the default), as
    /// `wasmtime::Store::epoch_deadline_trap`, replacing a callback set with
    /// [`Store::epoch_deadline_callback`] or
    /// [`Store::epoch_deadline_async_yield_and_update`].
    ///
    /// The C API cannot remove a callback: this installs one that
    /// interrupts, as [`UpdateDeadline::Interrupt`] does.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().epoch_interruption(true))?;
    /// let module = Module::new(&engine, r#"(module (func (export "f")))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let f = Instance::new(&mut store, &module, &[])?.get_typed_func::<(), ()>(&mut store, "f")?;
    /// store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Continue(1)));
    /// store.epoch_deadline_trap();
    /// store.set_epoch_deadline(0);
    /// let err = f.call(&mut store, ()).unwrap_err();
    /// assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt));
    /// # Ok(()) }
    /// ```
    pub fn epoch_deadline_trap(&mut self) {
        self.inner().opaque.epoch_deadline_trap()
    }

    /// Runs a garbage collection of GC references (`wasmtime_context_gc`),
    /// as `wasmtime::Store::gc`. `why` (the allocation failure that led to
    /// the collection) is accepted for compatibility; the C API takes no
    /// such hint.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let mut store = wasmtime_mbt::Store::<()>::default();
    /// store.gc(None)?;
    /// # Ok(()) }
    /// ```
    pub fn gc(&mut self, why: Option<&GcHeapOutOfMemory<()>>) -> Result<()> {
        self.inner().opaque.gc(why)
    }

    /// [`Store::gc`] as a future, as `wasmtime::Store::gc_async` (the C
    /// collection is synchronous: the future is ready at its first poll).
    ///
    /// ```
    /// let mut store = wasmtime_mbt::Store::<()>::default();
    /// pollster::block_on(store.gc_async(None)).unwrap();
    /// ```
    pub async fn gc_async(&mut self, why: Option<&GcHeapOutOfMemory<()>>) -> Result<()>
    where
        T: Send,
    {
        self.gc(why)
    }

    /// Whether a wasm exception thrown to the host is pending in this store
    /// (`wasmtime_context_has_exception`), as
    /// `wasmtime::Store::has_pending_exception`.
    ///
    /// ```
    /// let store = wasmtime_mbt::Store::<()>::default();
    /// assert!(!store.has_pending_exception());
    /// ```
    pub fn has_pending_exception(&self) -> bool {
        self.inner().opaque.has_pending_exception()
    }

    /// Makes `exception` the store's pending exception and returns the
    /// error that throws it (`wasmtime_context_set_exception`), as
    /// `wasmtime::Store::throw`: returned from a host function, it throws
    /// the exception into the calling wasm, where a `try_table` can catch
    /// it. Always an `Err`: a [`ThrownException`], or an error if
    /// `exception` has been unrooted. Panics for another store's exception.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true).wasm_exceptions(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ExnType::new(&engine, [ValType::I32])?;
    /// let tag = Tag::new(&mut store, &ty.tag_type())?;
    /// let pre = ExnRefPre::new(&mut store, ty);
/// let exn = ExnRef::new(&mut store, &pre, &tag, &[Val::I32(1)])?;
    /// let err = store.throw::<()>(exn).unwrap_err();
    /// assert!(err.is::<ThrownException>() && store.has_pending_exception());
    /// let taken = store.take_pending_exception().unwrap();
    /// assert_eq!(taken.field(&mut store, 0)?.unwrap_i32(), 1);
    /// assert!(!store.has_pending_exception());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn throw<R>(&mut self, exception: Rooted<ExnRef>) -> Result<R> {
        self.inner().opaque.throw(exception)
    }

    /// Takes the pending exception, if any, rooted in the current scope
    /// (`wasmtime_context_take_exception`), as
    /// `wasmtime::Store::take_pending_exception`: after a call failed with a
    /// [`ThrownException`], the uncaught exception.
    ///
    /// ```
    /// let mut store = wasmtime_mbt::Store::<()>::default();
    /// assert!(store.take_pending_exception().is_none());
    /// ```
    pub fn take_pending_exception(&mut self) -> Option<Rooted<ExnRef>> {
        self.inner().opaque.take_pending_exception()
    }
}

/// The error of a call that threw a wasm exception, as
/// `wasmtime::ThrownException`: the exception itself is the store's
/// pending exception ([`Store::take_pending_exception`]). Also what
/// [`Store::throw`] returns, for a host function to return in turn.
///
/// ```
/// assert_eq!(wasmtime_mbt::ThrownException.to_string(), "thrown Wasm exception");
/// ```
#[derive(Debug)]
pub struct ThrownException;

impl std::error::Error for ThrownException {}

impl fmt::Display for ThrownException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("thrown Wasm exception")
    }
}

impl StoreOpaque {
    /// The C context of this store.
    #[inline]
    pub(crate) fn context(&self) -> *mut sys::wasmtime_context_t {
        self.context
    }

    /// The signature cache of `Func::call`'s fast path.
    #[inline]
    pub(crate) fn signatures(&self) -> &crate::func::signatures::Signatures {
        &self.signatures
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The root set of this store's GC references (see `rooting.rs`).
    #[inline]
    pub(crate) fn roots(&self) -> &crate::rooting::Roots {
        &self.roots
    }

    pub(crate) fn has_pending_exception(&self) -> bool {
        // SAFETY: the context is live.
        unsafe { sys::wasmtime_context_has_exception(self.context) }
    }

    #[track_caller]
    fn throw<R>(&self, exception: Rooted<ExnRef>) -> Result<R> {
        let raw = exception.index().resolve(self)?.raw();
        let RawRoot::Exn(exn) = raw else { return Err(Error::msg("not an exnref")) };
        // SAFETY: the root is live in this store; the trap returned only
        // carries the error, the exception stays pending: it is deleted.
        unsafe {
            let trap = sys::wasmtime_context_set_exception(self.context, &exn);
            if !trap.is_null() {
                sys::wasm_trap_delete(trap);
            }
        }
        Err(Error::new(ThrownException))
    }

    pub(crate) fn take_pending_exception(&self) -> Option<Rooted<ExnRef>> {
        let mut out = sys::wasmtime_exnref_t::default();
        // SAFETY: the context is live; on `true` `out` is an owned root,
        // given to `CRoot`.
        unsafe {
            if !sys::wasmtime_context_take_exception(self.context, &mut out) {
                return None;
            }
            CRoot::from_owned(RawRoot::Exn(out)).map(|root| Rooted::new(self, root))
        }
    }

    /// The C trap that throws the pending exception from a host function
    /// (taken and set again: `wasmtime_context_set_exception` is the only
    /// source of such a trap); `None` if there is no pending exception.
    pub(crate) fn rethrow_trap(&self) -> Option<*mut sys::wasm_trap_t> {
        let mut out = sys::wasmtime_exnref_t::default();
        // SAFETY: the context is live; `out` is an owned root, unrooted
        // once set again as the pending exception.
        unsafe {
            if !sys::wasmtime_context_take_exception(self.context, &mut out) {
                return None;
            }
            let trap = sys::wasmtime_context_set_exception(self.context, &out);
            sys::wasmtime_exnref_unroot(&mut out);
            Some(trap)
        }
    }

    pub(crate) fn gc(&self, _why: Option<&GcHeapOutOfMemory<()>>) -> Result<()> {
        // SAFETY: the context is live; the error, if any, is owned.
        unsafe { Error::check(sys::wasmtime_context_gc(self.context)) }
    }

    fn set_epoch_deadline(&self, ticks_beyond_current: u64) {
        // SAFETY: the context is live.
        unsafe { sys::wasmtime_context_set_epoch_deadline(self.context, ticks_beyond_current) }
    }

    /// Installs the callback behind [`Store::epoch_deadline_trap`].
    fn epoch_deadline_trap(&self) {
        // SAFETY: the store is live; the callback takes no environment.
        unsafe { sys::wasmtime_store_epoch_deadline_callback(self.raw.as_ptr(), Some(interrupt_trampoline), ptr::null_mut(), None) }
    }

    fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        // SAFETY: the context is live; the error, if any, is owned.
        unsafe { Error::check(sys::wasmtime_context_set_fuel(self.context, fuel)) }
    }

    fn get_fuel(&self) -> Result<u64> {
        let mut fuel = 0;
        // SAFETY: the context is live; the error, if any, is owned.
        unsafe { Error::check(sys::wasmtime_context_get_fuel(self.context, &mut fuel))? };
        Ok(fuel)
    }

    /// Wasmtime's id of this store, as found in the `store_id` of its values.
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        match self.id.get() {
            0 => self.probe_id(),
            id => id,
        }
    }

    /// Learns the store id by creating one host function, never called.
    #[cold]
    fn probe_id(&self) -> u64 {
        unsafe extern "C" fn never_called(
            _: *mut c_void,
            _: *mut sys::wasmtime_caller_t,
            _: *const sys::wasmtime_val_t,
            _: usize,
            _: *mut sys::wasmtime_val_t,
            _: usize,
        ) -> *mut sys::wasm_trap_t {
            ptr::null_mut()
        }
        let mut func = sys::wasmtime_func_t::default();
        // SAFETY: the context is live; the function type is owned and freed
        // after `wasmtime_func_new`, which copies it.
        unsafe {
            let ty = sys::wasm_functype_new_0_0();
            sys::wasmtime_func_new(self.context, ty, Some(never_called), ptr::null_mut(), None, &mut func);
            sys::wasm_functype_delete(ty);
        }
        self.id.set(func.store_id);
        func.store_id
    }

    /// The `T`-independent part of the store behind a C context.
    ///
    /// # Safety
    /// `context` must belong to a live `Store` of this crate, and the
    /// result must not be used across another access to that store.
    pub(crate) unsafe fn from_context<'a>(context: *mut sys::wasmtime_context_t) -> &'a StoreOpaque {
        // SAFETY: the data pointer is a `StoreInner<T>`, `repr(C)` with the
        // `StoreOpaque` first.
        unsafe { &*sys::wasmtime_context_get_data(context).cast::<StoreOpaque>() }
    }

    /// Records that items of a linker with async host functions
    /// (`has_async`) entered this store.
    pub(crate) fn note_linker(&self, has_async: bool, has_wasi: bool) {
        if has_async {
            self.require_async();
        }
        if has_wasi && !self.wasi.get() {
            // SAFETY: the context is live; C takes ownership of the fresh
            // config. An empty context cannot fail to build.
            let error = unsafe { sys::wasmtime_context_set_wasi(self.context(), sys::wasi_config_new()) };
            if !error.is_null() {
                // SAFETY: an owned error, deleted once.
                unsafe { sys::wasmtime_error_delete(error) };
            }
            self.wasi.set(true);
        }
    }

    /// Records that the store has a WASI context now.
    pub(crate) fn note_wasi(&self) {
        self.wasi.set(true);
    }

    /// Records that this store now requires `*_async` entry points.
    pub(crate) fn require_async(&self) {
        self.async_required.set(true);
    }

    /// `Err`, with `wasmtime`'s message, if the store requires `*_async`
    /// entry points, or if this runs inside an async call, on its fiber
    /// (`validate_sync_call` in `wasmtime` 48.0.8; a 48.0.0 library checks
    /// only the first, so both are checked here).
    #[inline]
    pub(crate) fn check_sync_call(&self) -> Result<()> {
        if self.async_required.get() {
            Err(async_store_error())
        } else if self.polls_running.get() != 0 {
            Err(Error::msg("cannot do blocking `call` from an async context"))
        } else {
            Ok(())
        }
    }

    /// Marks a `CallFuture` poll of this store as started (`true`) or
    /// finished (`false`); see [`StoreOpaque::check_sync_call`].
    pub(crate) fn note_poll(&self, running: bool) {
        let n = self.polls_running.get();
        self.polls_running.set(if running { n + 1 } else { n - 1 });
    }

    /// Keeps the error a host function failed with; see `host_error`.
    pub(crate) fn set_host_error(&self, error: Error) {
        self.host_error.set(Some(error));
    }

    /// Keeps the payload of a panic in host code; see `host_panic`.
    pub(crate) fn set_host_panic(&self, payload: Box<dyn std::any::Any + Send>) {
        if let Some(earlier) = self.host_panic.replace(Some(payload)) {
            crate::guard::drop_payload(earlier);
        }
    }

    /// The outcome of a C call into wasm that reports through an error
    /// return and a trap out-parameter. If it failed because a host function
    /// did, the host's own error comes back, with the wasm backtrace of the
    /// C error as context; if host code panicked, the panic is resumed here
    /// (the C call has returned, so it unwinds through Rust frames only), as
    /// `wasmtime` resumes it in the caller.
    ///
    /// # Safety
    /// Each non-null pointer must be owned by the caller; both are freed.
    #[inline]
    pub(crate) unsafe fn check_call(&self, error: *mut sys::wasmtime_error_t, trap: *mut sys::wasm_trap_t) -> Result<()> {
        // Fast path: a failing host function always makes the call fail.
        if error.is_null() && trap.is_null() {
            return Ok(());
        }
        // SAFETY: forwarded.
        unsafe { self.check_failed_call(error, trap) }
    }

    /// The slow path of [`StoreOpaque::check_call`].
    ///
    /// # Safety
    /// As for `check_call`.
    #[cold]
    unsafe fn check_failed_call(&self, error: *mut sys::wasmtime_error_t, trap: *mut sys::wasm_trap_t) -> Result<()> {
        // SAFETY: forwarded.
        let failure = unsafe { crate::error::CError::from_call(error, trap) };
        let host = self.host_error.take();
        if let Some(payload) = self.host_panic.take() {
            drop(failure);
            drop(host);
            std::panic::resume_unwind(payload);
        }
        // An uncaught wasm exception: it is pending in the store, as in
        // `wasmtime` (`take_pending_exception`).
        if failure.is_some() && self.has_pending_exception() {
            return Err(Error::new(ThrownException));
        }
        match (failure, host) {
            // As in `wasmtime`: the host's error, with the wasm backtrace
            // as context when there are frames.
            (Some(from_c), Some(from_host)) => Err(match from_c.into_backtrace() {
                Some(backtrace) => from_host.context(backtrace),
                None => from_host,
            }),
            (Some(from_c), None) => Err(from_c.into_error()),
            (None, _) => Ok(()),
        }
    }

    /// Panics, with `wasmtime`'s message, unless an object with `store_id`
    /// belongs to this store: for the accessors that `wasmtime` makes
    /// infallible. Runs before any C call (a C-side panic would abort).
    #[inline]
    #[track_caller]
    pub(crate) fn assert_id(&self, store_id: u64) {
        if store_id != self.id() {
            wrong_store_panic()
        }
    }

    /// `Err` unless an object with `store_id` belongs to this store.
    #[inline]
    pub(crate) fn check_id(&self, store_id: u64) -> Result<()> {
        if store_id == self.id() {
            Ok(())
        } else {
            Err(wrong_store_error())
        }
    }
}

/// What to do when the epoch deadline is reached; see
/// [`Store::epoch_deadline_callback`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateDeadline {
    /// Stop the running wasm with a [`Trap::Interrupt`](crate::Trap::Interrupt).
    Interrupt,
    /// Keep running; the new deadline is this many ticks from now.
    Continue(u64),
    /// Yield to the async caller, then continue with this many ticks.
    Yield(u64),
}

unsafe extern "C" fn epoch_trampoline<T, F>(
    context: *mut sys::wasmtime_context_t,
    env: *mut c_void,
    delta: *mut u64,
    kind: *mut sys::wasmtime_update_deadline_kind_t,
) -> *mut sys::wasmtime_error_t
where
    F: FnMut(StoreContextMut<'_, T>) -> Result<UpdateDeadline>,
{
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: `env` is the `F` box registered for this store, and the
        // context is the store's, live for this callback.
        let f = unsafe { &mut *env.cast::<F>() };
        f(StoreContextMut(unsafe { StoreInner::<T>::ptr_from_context(context) }))
    }));
    let (ticks, k) = match outcome {
        Ok(Ok(UpdateDeadline::Continue(t))) => (t, sys::WASMTIME_UPDATE_DEADLINE_CONTINUE),
        Ok(Ok(UpdateDeadline::Yield(t))) => (t, sys::WASMTIME_UPDATE_DEADLINE_YIELD),
        Ok(Ok(UpdateDeadline::Interrupt)) => return host_failure_error(context, Error::new(crate::Trap::Interrupt)),
        Ok(Err(e)) => return host_failure_error(context, e),
        // Resumed by the call that ran into the deadline, as in `wasmtime`.
        Err(payload) => return host_panic_error(context, payload, "epoch deadline callback panicked"),
    };
    // SAFETY: both out-pointers are valid for this callback.
    unsafe {
        *delta = ticks;
        *kind = k as sys::wasmtime_update_deadline_kind_t;
    }
    ptr::null_mut()
}

/// The callback of [`Store::epoch_deadline_trap`]: always interrupts.
unsafe extern "C" fn interrupt_trampoline(
    context: *mut sys::wasmtime_context_t,
    _env: *mut c_void,
    _delta: *mut u64,
    _kind: *mut sys::wasmtime_update_deadline_kind_t,
) -> *mut sys::wasmtime_error_t {
    host_failure_error(context, Error::new(crate::Trap::Interrupt))
}

/// The owned C error for a failed host callback (epoch callback, component
/// host function or destructor); `error` itself is kept in the store, so the
/// call that led here returns it (as for host functions).
#[cold]
pub(crate) fn host_failure_error(context: *mut sys::wasmtime_context_t, error: Error) -> *mut sys::wasmtime_error_t {
    let raw = new_error(&crate::guard::message_of(&error));
    // SAFETY: the context is the store's, live for this callback, and the
    // callback that borrowed it has returned.
    unsafe { StoreOpaque::from_context(context) }.set_host_error(error);
    raw
}

/// The owned C error for a panic in a host callback: the payload is kept
/// in the store, and the call that led here resumes it (see
/// `StoreOpaque::check_call`). `what` is the message C sees meanwhile.
#[cold]
pub(crate) fn host_panic_error(context: *mut sys::wasmtime_context_t, payload: Box<dyn std::any::Any + Send>, what: &str) -> *mut sys::wasmtime_error_t {
    let raw = new_error(what);
    // SAFETY: the context is the store's, live for this callback, and the
    // callback that borrowed it has returned.
    unsafe { StoreOpaque::from_context(context) }.set_host_panic(payload);
    raw
}

/// An owned C error with `message`.
pub(crate) fn new_error(message: &str) -> *mut sys::wasmtime_error_t {
    let message = std::ffi::CString::new(message.replace('\0', " ")).expect("no NUL left");
    // SAFETY: the message is NUL-terminated; the error is owned by the caller.
    unsafe { sys::wasmtime_error_new(message.as_ptr()) }
}

#[cold]
#[track_caller]
pub(crate) fn wrong_store_panic() -> ! {
    panic!("object used with the wrong store")
}

#[cold]
fn wrong_store_error() -> Error {
    Error::msg("object used with the wrong store")
}

#[cold]
fn async_store_error() -> Error {
    Error::msg("store configuration requires that `*_async` functions are used instead")
}

/// A shared borrow of a store, as `wasmtime::StoreContext`.
pub struct StoreContext<'a, T>(pub(crate) &'a StoreInner<T>);

/// An exclusive borrow of a store, as `wasmtime::StoreContextMut`.
///
/// Holds the store's root pointer rather than a `&mut` (see
/// `store_ptr.rs`), so host calls nested inside it stay sound.
pub struct StoreContextMut<'a, T>(pub(crate) crate::store_ptr::StorePtr<'a, T>);

impl<T> StoreInner<T> {
    /// The host data, mutably (for borrows split from the opaque part).
    pub(crate) fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The store behind a C context whose data pointer this crate set.
    ///
    /// # Safety
    /// `context` must belong to a live `Store<T>` (with this `T`), and no
    /// other reference to its `StoreInner` may be used while the result is.
    pub(crate) unsafe fn from_context<'a>(context: *mut sys::wasmtime_context_t) -> &'a mut StoreInner<T> {
        // SAFETY: forwarded.
        unsafe { Self::ptr_from_context(context) }.into_mut()
    }

    /// The store behind a C context, as a root pointer (see `store_ptr.rs`).
    ///
    /// # Safety
    /// As for [`StoreInner::from_context`].
    pub(crate) unsafe fn ptr_from_context<'a>(context: *mut sys::wasmtime_context_t) -> crate::store_ptr::StorePtr<'a, T> {
        // SAFETY: the data pointer was set in `Store::new`: the root
        // pointer of a live `StoreInner<T>`, non-null.
        unsafe {
            let ptr = sys::wasmtime_context_get_data(context).cast::<StoreInner<T>>();
            crate::store_ptr::StorePtr::new(std::ptr::NonNull::new_unchecked(ptr))
        }
    }
}

impl<T> StoreContext<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        &self.0.data
    }

    /// The store's engine.
    pub fn engine(&self) -> &Engine {
        &self.0.opaque.engine
    }

    /// The fuel left; see [`Store::get_fuel`].
    pub fn get_fuel(&self) -> Result<u64> {
        self.0.opaque.get_fuel()
    }
}

impl<T> StoreContextMut<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        &self.0.data
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.0.data
    }

    /// The store's engine.
    pub fn engine(&self) -> &Engine {
        &self.0.opaque.engine
    }

    /// The fuel left; see [`Store::get_fuel`].
    pub fn get_fuel(&self) -> Result<u64> {
        self.0.opaque.get_fuel()
    }

    /// Sets the fuel left; see [`Store::set_fuel`].
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.0.opaque.set_fuel(fuel)
    }

    /// Sets the epoch deadline; see [`Store::set_epoch_deadline`].
    pub fn set_epoch_deadline(&mut self, ticks_beyond_current: u64) {
        self.0.opaque.set_epoch_deadline(ticks_beyond_current)
    }

    /// Traps on the epoch deadline again; see [`Store::epoch_deadline_trap`].
    pub fn epoch_deadline_trap(&mut self) {
        self.0.opaque.epoch_deadline_trap()
    }

    /// Runs a garbage collection; see [`Store::gc`].
    pub fn gc(&mut self, why: Option<&GcHeapOutOfMemory<()>>) -> Result<()> {
        self.0.opaque.gc(why)
    }

    /// See [`Store::has_pending_exception`].
    pub fn has_pending_exception(&self) -> bool {
        self.0.opaque.has_pending_exception()
    }

    /// See [`Store::throw`].
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true).wasm_exceptions(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ExnType::new(&engine, [])?;
    /// let tag = Tag::new(&mut store, &ty.tag_type())?;
    /// let pre = ExnRefPre::new(&mut store, ty);
/// let exn = ExnRef::new(&mut store, &pre, &tag, &[])?;
    /// let mut cx = store.as_context_mut();
    /// assert!(cx.throw::<()>(exn).unwrap_err().is::<ThrownException>());
    /// assert!(cx.take_pending_exception().is_some());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn throw<R>(&mut self, exception: Rooted<ExnRef>) -> Result<R> {
        self.0.opaque.throw(exception)
    }

    /// See [`Store::take_pending_exception`].
    pub fn take_pending_exception(&mut self) -> Option<Rooted<ExnRef>> {
        self.0.opaque.take_pending_exception()
    }

    /// See [`Store::gc_async`].
    pub async fn gc_async(&mut self, why: Option<&GcHeapOutOfMemory<()>>) -> Result<()>
    where
        T: Send + 'static,
    {
        self.gc(why)
    }
}

/// Types that give shared access to a store: `Store<T>`, `&Store<T>`,
/// `&mut Store<T>`, [`Caller`](crate::Caller), and the context types.
pub trait AsContext {
    /// The host data type of the store.
    type Data;

    /// Borrows the store.
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Types that give exclusive access to a store.
pub trait AsContextMut: AsContext {
    /// Borrows the store mutably.
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.inner())
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.ptr())
    }
}

impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(&self.0)
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.0.reborrow())
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, C::Data> {
        (**self).as_context_mut()
    }
}

// The context conversions `wasmtime` has, for APIs taking
// `impl Into<StoreContext<'a, T>>` (e.g. `ExternRef::data`).
impl<'a, T> From<StoreContextMut<'a, T>> for StoreContext<'a, T> {
    fn from(store: StoreContextMut<'a, T>) -> StoreContext<'a, T> {
        StoreContext(store.0.into_mut())
    }
}

impl<'a, T: AsContext> From<&'a T> for StoreContext<'a, T::Data> {
    fn from(t: &'a T) -> StoreContext<'a, T::Data> {
        t.as_context()
    }
}

impl<'a, T: AsContext> From<&'a mut T> for StoreContext<'a, T::Data> {
    fn from(t: &'a mut T) -> StoreContext<'a, T::Data> {
        T::as_context(t)
    }
}

impl<'a, T: AsContextMut> From<&'a mut T> for StoreContextMut<'a, T::Data> {
    fn from(t: &'a mut T) -> StoreContextMut<'a, T::Data> {
        t.as_context_mut()
    }
}

impl<T> Drop for Store<T> {
    fn drop(&mut self) {
        // SAFETY: the allocation from `Store::new`, freed once; no
        // reference into it survives (they all borrow `self`).
        drop(unsafe { Box::from_raw(self.inner.as_ptr()) });
    }
}

impl<T: Default> Default for Store<T> {
    /// A store on a new default [`Engine`] holding `T::default()`, as
    /// `wasmtime`'s `impl Default for Store<T>`.
    ///
    /// ```
    /// let store = wasmtime_mbt::Store::<Vec<u8>>::default();
    /// assert!(store.data().is_empty());
    /// ```
    fn default() -> Store<T> {
        Store::new(&Engine::default(), T::default())
    }
}

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("context", &self.inner().opaque.context).finish_non_exhaustive()
    }
}
