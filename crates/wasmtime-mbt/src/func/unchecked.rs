//! The raw, unchecked function API, as `wasmtime`'s: [`ValRaw`] (the
//! untyped wasm value of `wasmtime_val_raw_t`), [`Func::new_unchecked`],
//! [`Func::call_unchecked`], [`Func::to_raw`]/[`Func::from_raw`] and
//! [`Linker::func_new_unchecked`](crate::Linker::func_new_unchecked).

use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::ptr;

use wasmtime_mbt_sys as sys;

use super::host::{drop_box, run_host};
use crate::{AsContextMut, Caller, Engine, Func, FuncType, Linker, Result};

/// An untyped wasm value as Wasmtime passes it to and from compiled code,
/// as `wasmtime::ValRaw` (`wasmtime_val_raw_t`): little-endian bits, with
/// references as raw indices or pointers valid in one store only.
///
/// ```
/// use wasmtime_mbt::ValRaw;
/// assert_eq!(ValRaw::i32(-5).get_i32(), -5);
/// assert_eq!(ValRaw::f64(2.5f64.to_bits()).get_f64(), 2.5f64.to_bits());
/// assert_eq!(ValRaw::v128(7).get_v128(), 7);
/// assert!(ValRaw::null().get_funcref().is_null());
/// ```
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct ValRaw(sys::wasmtime_val_raw_t);

// SAFETY: plain bits (references in it are only meaningful through a store),
// as `wasmtime::ValRaw`, which is `Send + Sync`.
unsafe impl Send for ValRaw {}
// SAFETY: as above.
unsafe impl Sync for ValRaw {}

impl std::fmt::Debug for ValRaw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ValRaw({:#x})", self.get_v128())
    }
}

macro_rules! raw_accessors {
    ($($(#[$doc:meta])* $new:ident / $get:ident: $ty:ty => |$v:ident| $set:expr, |$r:ident| $read:expr;)*) => {
        impl ValRaw {$(
            $(#[$doc])*
            #[inline]
            pub fn $new($v: $ty) -> ValRaw {
                let mut raw = ValRaw::null();
                $set(&mut raw.0);
                raw
            }

            #[doc = concat!("The value read as `", stringify!($ty), "` (see [`ValRaw::", stringify!($new), "`]).")]
            #[inline]
            pub fn $get(&self) -> $ty {
                let $r = &self.0;
                // SAFETY: every field is plain bits, and `null` zeroes all
                // 16 bytes first, so any field may be read.
                unsafe { $read }
            }
        )*}
    };
}

raw_accessors! {
    /// An `i32`.
    i32 / get_i32: i32 => |v| |r: &mut sys::wasmtime_val_raw_t| r.i32_ = v.to_le(), |r| i32::from_le(r.i32_);
    /// An `i64`.
    i64 / get_i64: i64 => |v| |r: &mut sys::wasmtime_val_raw_t| r.i64_ = v.to_le(), |r| i64::from_le(r.i64_);
    /// An `i32` from its unsigned bits.
    u32 / get_u32: u32 => |v| |r: &mut sys::wasmtime_val_raw_t| r.i32_ = (v as i32).to_le(), |r| i32::from_le(r.i32_) as u32;
    /// An `i64` from its unsigned bits.
    u64 / get_u64: u64 => |v| |r: &mut sys::wasmtime_val_raw_t| r.i64_ = (v as i64).to_le(), |r| i64::from_le(r.i64_) as u64;
    /// An `f32` from its bits.
    f32 / get_f32: u32 => |v| |r: &mut sys::wasmtime_val_raw_t| r.i32_ = (v as i32).to_le(), |r| i32::from_le(r.i32_) as u32;
    /// An `f64` from its bits.
    f64 / get_f64: u64 => |v| |r: &mut sys::wasmtime_val_raw_t| r.i64_ = (v as i64).to_le(), |r| i64::from_le(r.i64_) as u64;
    /// A `v128` from its bits.
    v128 / get_v128: u128 => |v| |r: &mut sys::wasmtime_val_raw_t| r.v128 = v.to_le_bytes(), |r| u128::from_le_bytes(r.v128);
    /// A `funcref` (see [`Func::to_raw`]); null is `null_mut()`.
    funcref / get_funcref: *mut c_void => |v| |r: &mut sys::wasmtime_val_raw_t| r.funcref = v, |r| r.funcref;
    /// An `externref` index; 0 is null.
    externref / get_externref: u32 => |v| |r: &mut sys::wasmtime_val_raw_t| r.externref = v.to_le(), |r| u32::from_le(r.externref);
    /// An `anyref` index; 0 is null.
    anyref / get_anyref: u32 => |v| |r: &mut sys::wasmtime_val_raw_t| r.anyref = v.to_le(), |r| u32::from_le(r.anyref);
    /// An `exnref` index; 0 is null.
    exnref / get_exnref: u32 => |v| |r: &mut sys::wasmtime_val_raw_t| r.exnref = v.to_le(), |r| u32::from_le(r.exnref);
}

impl ValRaw {
    /// All bits zero: a null reference of any kind, or zero.
    #[inline]
    pub fn null() -> ValRaw {
        // SAFETY: every field of the union is plain bits or a raw pointer,
        // for which all-zero is valid.
        ValRaw(unsafe { std::mem::zeroed() })
    }
}

/// The `wasmtime_func_unchecked_callback_t` behind [`Func::new_unchecked`].
unsafe extern "C" fn unchecked_trampoline<T, F>(
    env: *mut c_void,
    caller: *mut sys::wasmtime_caller_t,
    args_and_results: *mut sys::wasmtime_val_raw_t,
    len: usize,
) -> *mut sys::wasm_trap_t
where
    F: Fn(Caller<'_, T>, &mut [MaybeUninit<ValRaw>]) -> Result<()>,
{
    run_host(caller, || {
        // SAFETY: `env` is the `F` box made by `new_unchecked`; `caller` is
        // live for this call, in a `Store<T>`; the buffer has `len` slots
        // (`ValRaw` is a transparent `wasmtime_val_raw_t`).
        let f = unsafe { &*env.cast::<F>() };
        let raw: &mut [MaybeUninit<ValRaw>] =
            if len == 0 { &mut [] } else { unsafe { std::slice::from_raw_parts_mut(args_and_results.cast(), len) } };
        let context = unsafe { sys::wasmtime_caller_context(caller) };
        f(unsafe { Caller::<T>::from_raw(caller, context) }, raw)
    })
}

impl Func {
    /// A host function over raw values (`wasmtime_func_new_unchecked`), as
    /// `wasmtime::Func::new_unchecked`: `func` gets one buffer holding the
    /// parameters and, on return, the results (`max(params, results)` slots).
    ///
    /// # Safety
    /// `func` must read and write values exactly as `ty` says; references
    /// must be valid in this store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let ty = FuncType::new(store.engine(), [ValType::I32], [ValType::I32]);
    /// // SAFETY: reads one i32 and writes one i32, as `ty` says.
    /// let double = unsafe {
    ///     Func::new_unchecked(&mut store, ty, |_, vals| {
    ///         let x = vals[0].assume_init().get_i32();
    ///         vals[0].write(ValRaw::i32(x * 2));
    ///         Ok(())
    ///     })
    /// };
    /// assert_eq!(double.typed::<i32, i32>(&store)?.call(&mut store, 21)?, 42);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub unsafe fn new_unchecked<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &mut [MaybeUninit<ValRaw>]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        let store = store.as_context_mut();
        assert!(Engine::same(ty.engine(), store.0.opaque.engine()), "assertion failed: ty.comes_from_same_engine(engine)");
        let raw_ty = ty.to_raw().expect("a function type the C API can describe");
        let mut out = sys::wasmtime_func_t::default();
        // SAFETY: the context and type are live; C owns the boxed closure
        // and frees it with `drop_box`; the trampoline matches it.
        unsafe {
            let env = Box::into_raw(Box::new(func));
            sys::wasmtime_func_new_unchecked(
                store.0.opaque.context(),
                raw_ty.as_ptr(),
                Some(trampoline_of::<T, _>(&*env)),
                env.cast(),
                Some(drop_box_of(env)),
                &mut out,
            )
        };
        Func(out)
    }

    /// Calls the function with raw values (`wasmtime_func_call_unchecked`),
    /// as `wasmtime::Func::call_unchecked`: `params_and_returns` holds the
    /// parameters and receives the results. A function from another store
    /// is an `Err`, as is a store with async host functions.
    ///
    /// # Safety
    /// The buffer must have `max(params, results)` slots, hold values of the
    /// function's parameter types, and references valid in this store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let add = Func::wrap(&mut store, |a: i32, b: i32| a + b);
    /// let mut vals = [ValRaw::i32(40), ValRaw::i32(2)];
    /// // SAFETY: two i32 slots for (i32, i32) -> i32.
    /// unsafe { add.call_unchecked(&mut store, &mut vals)? };
    /// assert_eq!(vals[0].get_i32(), 42);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub unsafe fn call_unchecked(&self, mut store: impl AsContextMut, params_and_returns: *mut [ValRaw]) -> Result<()> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.assert_id(self.0.store_id);
        opaque.check_sync_call()?;
        let mut trap = ptr::null_mut();
        // SAFETY: the function belongs to this live store; the buffer is
        // the caller's responsibility.
        unsafe {
            let error = sys::wasmtime_func_call_unchecked(
                opaque.context(),
                &self.0,
                params_and_returns.cast::<sys::wasmtime_val_raw_t>(),
                params_and_returns.len(),
                &mut trap,
            );
            opaque.check_call(error, trap)
        }
    }

    /// The function as a raw `funcref` for a [`ValRaw`]
    /// (`wasmtime_func_to_raw`), as `wasmtime::Func::to_raw`. Panics on a
    /// function from another store.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let f = Func::wrap(&mut store, || 3i32);
    /// let raw = f.to_raw(&mut store);
    /// // SAFETY: `raw` came from `to_raw` in this store.
    /// let back = unsafe { Func::from_raw(&mut store, raw) }.unwrap();
    /// assert_eq!(back.typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap(), 3);
    /// // SAFETY: null is always a valid raw funcref.
    /// assert!(unsafe { Func::from_raw(&mut store, std::ptr::null_mut()) }.is_none());
    /// ```
    #[track_caller]
    pub fn to_raw(&self, mut store: impl AsContextMut) -> *mut c_void {
        let store = store.as_context_mut();
        store.0.opaque.assert_id(self.0.store_id);
        // SAFETY: the function belongs to this live store.
        unsafe { sys::wasmtime_func_to_raw(store.0.opaque.context(), &self.0) }
    }

    /// The function behind a raw `funcref` (`wasmtime_func_from_raw`), as
    /// `wasmtime::Func::from_raw`; `None` for null.
    ///
    /// # Safety
    /// `raw` must be null or a `funcref` of this store (from
    /// [`Func::to_raw`] or a [`ValRaw`] wasm produced in it).
    pub unsafe fn from_raw(mut store: impl AsContextMut, raw: *mut c_void) -> Option<Func> {
        if raw.is_null() {
            return None;
        }
        let store = store.as_context_mut();
        let mut out = sys::wasmtime_func_t::default();
        // SAFETY: the caller vouches for `raw`; the context is live.
        unsafe { sys::wasmtime_func_from_raw(store.0.opaque.context(), raw, &mut out) };
        Func::from_raw_nullable(out)
    }
}

/// The finalizer for the box `env` points at.
fn drop_box_of<F>(_env: *mut F) -> unsafe extern "C" fn(*mut c_void) {
    drop_box::<F>
}

impl<T: 'static> Linker<T> {
    /// Defines a host function over raw values
    /// (`wasmtime_linker_define_func_unchecked`), as
    /// `wasmtime::Linker::func_new_unchecked`; see [`Func::new_unchecked`].
    ///
    /// # Safety
    /// As for [`Func::new_unchecked`].
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let mut linker = Linker::<()>::new(&engine);
    /// let ty = FuncType::new(&engine, [], [ValType::I64]);
    /// // SAFETY: writes one i64, as `ty` says.
    /// unsafe { linker.func_new_unchecked("env", "big", ty, |_, vals| { vals[0].write(ValRaw::i64(1 << 40)); Ok(()) })? };
    /// let module = Module::new(&engine, r#"(module (import "env" "big" (func $b (result i64))) (func (export "run") (result i64) call $b))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// assert_eq!(instance.get_typed_func::<(), i64>(&mut store, "run")?.call(&mut store, ())?, 1 << 40);
    /// # Ok(()) }
    /// ```
    pub unsafe fn func_new_unchecked(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &mut [MaybeUninit<ValRaw>]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        assert!(Engine::same(ty.engine(), self.engine()), "assertion failed: ty.comes_from_same_engine(self.engine())");
        let raw_ty = ty.to_raw()?;
        let func = Box::new(func);
        // SAFETY: the trampoline's type parameters match the boxed closure.
        unsafe { self.define_host_func(module, name, &raw_ty, sys::wasmtime_linker_define_func_unchecked, Some(trampoline_of(&*func)), func) }
    }
}

/// The trampoline for the closure `f` points at.
fn trampoline_of<T, F>(_f: &F) -> unsafe extern "C" fn(*mut c_void, *mut sys::wasmtime_caller_t, *mut sys::wasmtime_val_raw_t, usize) -> *mut sys::wasm_trap_t
where
    F: Fn(Caller<'_, T>, &mut [MaybeUninit<ValRaw>]) -> Result<()>,
{
    unchecked_trampoline::<T, F>
}
