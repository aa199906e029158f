//! `Func`: a wasm or host function in a store, `Caller` for host
//! functions, and the glue that runs Rust closures behind C callbacks.

mod host;
pub(crate) mod signatures;
mod typed;
mod unchecked;

use std::mem::MaybeUninit;
use std::ptr;

use wasmtime_mbt_sys as sys;

use crate::owned::Owned;
use crate::store::{StoreContextMut, StoreInner, StoreOpaque};
use crate::{AsContext, AsContextMut, Engine, Extern, FuncType, Result, Val};

pub(crate) use host::{drop_box, dynamic_trampoline, host_failure, host_panic, raw_slice, typed_trampoline};
pub use typed::{IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy, WasmTyList};
pub(crate) use typed::{caller_store, ContextPtr, StoreRef, MAX_ARITY};
pub use unchecked::ValRaw;

/// A WebAssembly function, defined by wasm or by the host, as
/// `wasmtime::Func`. A small `Copy` handle into its store.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::new(&Engine::default(), ());
/// let add = Func::wrap(&mut store, |a: i32, b: i32| a + b);
/// let mut results = [Val::I32(0)];
/// add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut results)?;
/// assert_eq!(results[0].i32(), Some(3));
/// assert_eq!(add.typed::<(i32, i32), i32>(&store)?.call(&mut store, (4, 5))?, 9);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Func(pub(crate) sys::wasmtime_func_t);

crate::store::store_handle!(Func, |h| h.0.store_id);

impl Func {
    /// A host function with a dynamic signature (`wasmtime_func_new`), as
    /// `wasmtime::Func::new`. `f` gets the arguments and fills the results,
    /// which start as zeros of the result types; returning `Err` traps.
    ///
    /// Panics if `ty` belongs to another engine than the store's, as
    /// `wasmtime`, or (unlike `wasmtime`) if `ty` cannot be described to the
    /// C API (a concrete or continuation reference type); [`Func::try_new`]
    /// returns that as an `Err`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), 10i64);
    /// let ty = FuncType::new(store.engine(), [ValType::I64], [ValType::I64]);
    /// let f = Func::new(&mut store, ty, |caller, args, results| {
    ///     results[0] = Val::I64(args[0].unwrap_i64() + *caller.data());
    ///     Ok(())
    /// });
    /// let mut out = [Val::I64(0)];
    /// f.call(&mut store, &[Val::I64(5)], &mut out)?;
    /// assert_eq!(out[0].i64(), Some(15));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn new<T: 'static, F>(store: impl AsContextMut<Data = T>, ty: FuncType, f: F) -> Func
    where
        F: Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    {
        match Func::try_new(store, ty, f) {
            Ok(func) => func,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`Func::new`], with a type the C API cannot describe (a
    /// continuation reference type) as an `Err` instead of a
    /// panic, as `wasmtime::Func::try_new`. A type of another engine still
    /// panics.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let ty = FuncType::new(store.engine(), [], [ValType::I32]);
    /// let f = Func::try_new(&mut store, ty, |_, _, results| {
    ///     results[0] = Val::I32(4);
    ///     Ok(())
    /// })?;
    /// assert_eq!(f.typed::<(), i32>(&store)?.call(&mut store, ())?, 4);
    /// let bad = FuncType::new(store.engine(), [ValType::CONTREF], []);
    /// assert!(Func::try_new(&mut store, bad, |_, _, _| Ok(())).is_err());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn try_new<T: 'static, F>(mut store: impl AsContextMut<Data = T>, ty: FuncType, f: F) -> Result<Func>
    where
        F: Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    {
        let store = store.as_context_mut();
        assert!(Engine::same(ty.engine(), store.0.opaque.engine()), "assertion failed: ty.comes_from_same_engine(engine)");
        let raw_ty = ty.to_raw()?;
        let env = Box::into_raw(Box::new((ty, f)));
        let mut func = sys::wasmtime_func_t::default();
        // SAFETY: the context and type are live; C owns `env` and frees it
        // with the matching `drop_box` finalizer; the trampoline's type
        // parameters match `env`.
        unsafe {
            sys::wasmtime_func_new(
                store.0.opaque.context(),
                raw_ty.as_ptr(),
                Some(dynamic_trampoline::<T, F>),
                env.cast(),
                Some(drop_box::<(FuncType, F)>),
                &mut func,
            )
        };
        Ok(Func(func))
    }

    /// A host function from a Rust closure with a static signature
    /// (`wasmtime_func_new_unchecked`), as `wasmtime::Func::wrap`. The
    /// closure may take a leading [`Caller`], up to 16 wasm parameters, and
    /// return `()`, a value, a tuple, or a `Result` of those (an `Err` traps).
    /// A panic inside the closure becomes a trap carrying the panic message.
    pub fn wrap<T: 'static, Params, Results>(mut store: impl AsContextMut<Data = T>, f: impl IntoFunc<T, Params, Results>) -> Func {
        Func::wrap_inner(&mut store.as_context_mut().0, f)
    }

    /// [`Func::wrap`], returning a `Result` as `wasmtime::Func::try_wrap`
    /// (whose only error is running out of memory, which aborts here as
    /// everywhere in Rust).
    pub fn try_wrap<T: 'static, Params, Results>(store: impl AsContextMut<Data = T>, func: impl IntoFunc<T, Params, Results>) -> Result<Func> {
        Ok(Func::wrap(store, func))
    }

    fn wrap_inner<T: 'static, Params, Results, F: IntoFunc<T, Params, Results>>(store: &mut StoreInner<T>, f: F) -> Func {
        let raw_ty = F::func_type(store.opaque.engine()).to_raw().expect("IntoFunc types are all expressible");
        let env = Box::into_raw(Box::new(f));
        let mut func = sys::wasmtime_func_t::default();
        // SAFETY: as in `Func::new`, with the unchecked trampoline for `F`.
        unsafe {
            sys::wasmtime_func_new_unchecked(
                store.opaque.context(),
                raw_ty.as_ptr(),
                Some(typed_trampoline::<T, Params, Results, F>),
                env.cast(),
                Some(drop_box::<F>),
                &mut func,
            )
        };
        Func(func)
    }

    /// The function's type (`wasmtime_func_type`). Panics if the function
    /// belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let f = Func::wrap(&mut store, |a: i32, b: i64| a as i64 + b);
    /// let ty = f.ty(&store);
    /// assert_eq!(ty.params().collect::<Vec<_>>(), [ValType::I32, ValType::I64]);
    /// assert_eq!(ty.results().collect::<Vec<_>>(), [ValType::I64]);
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let store = store.as_context();
        store.0.opaque.assert_id(self.0.store_id);
        self.ty_in(&store.0.opaque).expect("store checked")
    }

    /// Does the function have type `ty`, as `wasmtime::Func::matches_ty`?
    /// Panics if the function belongs to another store.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let f = Func::wrap(&mut store, |a: i32| a);
    /// assert!(f.matches_ty(&store, &FuncType::new(store.engine(), [ValType::I32], [ValType::I32])));
    /// assert!(!f.matches_ty(&store, &FuncType::new(store.engine(), [], [])));
    /// ```
    #[track_caller]
    pub fn matches_ty(&self, store: impl AsContext, func_ty: &FuncType) -> bool {
        self.ty(store).matches(func_ty)
    }

    pub(crate) fn ty_in(&self, store: &StoreOpaque) -> Result<FuncType> {
        store.check_id(self.0.store_id)?;
        // SAFETY: the function belongs to this live store; the returned type
        // is owned, and kept by the `FuncType`.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_func_type(store.context(), &self.0)) }.expect("function type");
        Ok(FuncType::from_owned(store.engine(), raw))
    }

    /// Calls the function with dynamically typed values (`wasmtime_func_call`).
    /// A wrong number or type of arguments or results, or values from
    /// another store, is an `Err` with Wasmtime's message; a trap is an error
    /// whose root cause is a [`Trap`](crate::Trap), and a host function's
    /// error comes back as it was returned (with a
    /// [`WasmBacktrace`](crate::WasmBacktrace) as context). Panics if the
    /// function belongs to another store, as `wasmtime`.
    #[track_caller]
    pub fn call(&self, mut store: impl AsContextMut, params: &[Val], results: &mut [Val]) -> Result<()> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.check_sync_call()?;
        opaque.assert_id(self.0.store_id);
        if let Some(kinds) = opaque.signatures().get(self, opaque) {
            let context = opaque.context();
            // SAFETY: the function belongs to this live store (checked
            // above), `kinds` is its cached signature, a synchronous call is
            // allowed, and no reference into the store is used past here.
            if let Some(result) = unsafe { signatures::call(context, self, kinds, params, results) } {
                return result;
            }
        }
        // The checked path: for signatures the cache cannot decide, and for
        // wrong counts or types (Wasmtime's errors).
        // Small calls keep their C values on the stack, uninitialised until
        // written (the arguments by us, the results by C).
        const INLINE: usize = 8;
        type Slot = MaybeUninit<sys::wasmtime_val_t>;
        if params.len() <= INLINE && results.len() <= INLINE {
            let mut args = [Slot::uninit(); INLINE];
            let mut out = [Slot::uninit(); INLINE];
            self.call_with(store, params, results, &mut args[..params.len()], &mut out[..results.len()])
        } else {
            let mut args = vec![Slot::uninit(); params.len()];
            let mut out = vec![Slot::uninit(); results.len()];
            self.call_with(store, params, results, &mut args, &mut out)
        }
    }

    /// [`Func::call`] with C buffers of the right lengths. Takes the store
    /// as a root pointer, not a reference: host code the call runs builds
    /// its own `&mut` to the store (see `store_ptr.rs`).
    fn call_with<T>(
        &self,
        store: StoreContextMut<'_, T>,
        params: &[Val],
        results: &mut [Val],
        args: &mut [MaybeUninit<sys::wasmtime_val_t>],
        out: &mut [MaybeUninit<sys::wasmtime_val_t>],
    ) -> Result<()> {
        let opaque = &store.0.opaque;
        for (slot, param) in args.iter_mut().zip(params) {
            param.write_raw(opaque, slot)?;
        }
        let context = opaque.context();
        let mut trap = ptr::null_mut();
        // SAFETY: the function and every argument belong to this live store;
        // every argument slot was written above; the buffers have the
        // lengths passed; on success C wrote every result slot, each owned.
        // No reference into the store is used across the call.
        unsafe {
            let error = sys::wasmtime_func_call(context, &self.0, args.as_ptr().cast(), args.len(), out.as_mut_ptr().cast(), out.len(), &mut trap);
            store.0.opaque.check_call(error, trap)?;
            Val::fill_from_raw_owned(&store.0.opaque, results, std::slice::from_raw_parts(out.as_ptr().cast(), out.len()))
        }
    }

    /// A statically typed view of this function, as `wasmtime::Func::typed`.
    /// The type is checked once here; calls through it skip the checks
    /// (`wasmtime_func_call_unchecked`). Panics if the function belongs to
    /// another store, as `wasmtime`.
    #[track_caller]
    pub fn typed<Params: WasmParams, Results: WasmResults>(&self, store: impl AsContext) -> Result<TypedFunc<Params, Results>> {
        let opaque = &store.as_context().0.opaque;
        opaque.assert_id(self.0.store_id);
        TypedFunc::new(*self, opaque)
    }

    /// The raw C value for a funcref slot: null for `None`; `Err` if `f` is
    /// from another store.
    pub(crate) fn raw_or_null(f: Option<&Func>, store: &StoreOpaque) -> Result<sys::wasmtime_func_t> {
        match f {
            Some(f) => {
                store.check_id(f.0.store_id)?;
                Ok(f.0)
            }
            None => Ok(sys::wasmtime_func_t::default()),
        }
    }

    /// `None` for a null funcref.
    pub(crate) fn from_raw_nullable(raw: sys::wasmtime_func_t) -> Option<Func> {
        (raw.store_id != 0).then_some(Func(raw))
    }
}

/// The context a host function runs in, as `wasmtime::Caller`: access to
/// the store's data, and to the calling instance's exports.
pub struct Caller<'a, T> {
    store: StoreContextMut<'a, T>,
    caller: *mut sys::wasmtime_caller_t,
}

impl<'a, T> Caller<'a, T> {
    /// Wraps a C caller.
    ///
    /// # Safety
    /// `caller` must be the live caller of a host call in a `Store<T>`,
    /// `context` its context (`wasmtime_caller_context`), and the result
    /// must not outlive the call.
    #[inline]
    pub(crate) unsafe fn from_raw(caller: *mut sys::wasmtime_caller_t, context: *mut sys::wasmtime_context_t) -> Caller<'a, T> {
        // SAFETY: forwarded; the caller's context is the store's.
        let inner = unsafe { StoreInner::<T>::ptr_from_context(context) };
        Caller { store: StoreContextMut(inner), caller }
    }

    /// The store's host data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The store's host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// The store's engine.
    pub fn engine(&self) -> &Engine {
        self.store.engine()
    }

    /// An export of the calling instance (`wasmtime_caller_export_get`), as
    /// `wasmtime::Caller::get_export`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let mut linker = Linker::new(&engine);
    /// linker.func_wrap("host", "peek", |mut caller: Caller<'_, ()>, ptr: i32| -> Result<i32> {
    ///     let mem = caller.get_export("memory").and_then(|e| e.into_memory()).ok_or_else(|| Error::msg("no memory"))?;
    ///     Ok(mem.data(&caller)[ptr as usize] as i32)
    /// })?;
    /// let module = Module::new(&engine, r#"(module (import "host" "peek" (func $peek (param i32) (result i32)))
    ///     (memory (export "memory") 1) (data (i32.const 8) "\2a")
    ///     (func (export "run") (result i32) i32.const 8 call $peek))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let run = linker.instantiate(&mut store, &module)?.get_typed_func::<(), i32>(&mut store, "run")?;
    /// assert_eq!(run.call(&mut store, ())?, 42);
    /// # Ok(()) }
    /// ```
    pub fn get_export(&mut self, name: &str) -> Option<Extern> {
        let mut item = sys::wasmtime_extern_t::default();
        // SAFETY: the caller is live for this host call; `item` is owned on success.
        let found = unsafe { sys::wasmtime_caller_export_get(self.caller, name.as_ptr().cast(), name.len(), &mut item) };
        // SAFETY: `item` was filled and is owned.
        if found { unsafe { Extern::from_raw_owned(item) } } else { None }
    }

    /// The fuel left; see [`Store::get_fuel`](crate::Store::get_fuel).
    pub fn get_fuel(&self) -> Result<u64> {
        self.store.get_fuel()
    }

    /// Sets the fuel left; see [`Store::set_fuel`](crate::Store::set_fuel).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.store.set_fuel(fuel)
    }

    /// Runs a garbage collection; see [`Store::gc`](crate::Store::gc).
    pub fn gc(&mut self, why: Option<&crate::GcHeapOutOfMemory<()>>) -> Result<()> {
        self.store.gc(why)
    }

    /// See [`Store::gc_async`](crate::Store::gc_async).
    pub async fn gc_async(&mut self, why: Option<&crate::GcHeapOutOfMemory<()>>) -> Result<()>
    where
        T: Send + 'static,
    {
        self.store.gc(why)
    }

    /// See [`Store::fuel_async_yield_interval`](crate::Store::fuel_async_yield_interval).
    pub fn fuel_async_yield_interval(&mut self, interval: Option<u64>) -> Result<()> {
        self.store.fuel_async_yield_interval(interval)
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> crate::StoreContext<'_, T> {
        self.store.as_context()
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        self.store.as_context_mut()
    }
}
