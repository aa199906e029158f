//! Statically typed functions: `TypedFunc`, the `WasmTy` value trait, the
//! parameter/result list traits implemented for tuples, and `IntoFunc` for
//! host closures. Calls go through `wasmtime_func_call_unchecked` (and host
//! closures through `wasmtime_func_new_unchecked`) after one type check.

use std::marker::PhantomData;
use std::ptr;

use wasmtime_mbt_sys as sys;

use crate::store::StoreOpaque;
use crate::{AsContextMut, Caller, Engine, Error, ExternRef, Func, FuncType, Result, Val, ValType, V128};

type ValRaw = sys::wasmtime_val_raw_t;

/// The most parameters or results a typed function may have.
const MAX_ARITY: usize = 16;

/// Seals [`IntoFunc`] (issue 15 #1): C trusts the raw values its
/// implementations write, so only this crate's may exist.
mod sealed {
    pub trait SealedFunc<T, Params, Results> {}
}

/// The store a typed value belongs to, as the value traits see it: either
/// at hand, or behind the caller of a host function and only looked up when
/// a reference value needs it (numbers never do, so a numeric host call
/// makes no store lookup at all).
///
/// Not nameable outside the crate (`func` is a private module): since every
/// method of [`WasmTy`], [`WasmParams`], [`WasmResults`] and [`WasmRet`]
/// takes one, those traits cannot be implemented downstream — they are
/// sealed, as the raw values they write are trusted by C.
#[derive(Clone, Copy)]
pub struct StoreRef<'a> {
    opaque: Option<&'a StoreOpaque>,
    caller: *mut sys::wasmtime_caller_t,
}

impl<'a> From<&'a StoreOpaque> for StoreRef<'a> {
    fn from(opaque: &'a StoreOpaque) -> StoreRef<'a> {
        StoreRef { opaque: Some(opaque), caller: ptr::null_mut() }
    }
}

impl<'a> StoreRef<'a> {
    /// The store of a host call's caller, looked up on first use.
    ///
    /// # Safety
    /// `caller` must be live for `'a`, and nothing else may hold the store
    /// exclusively while the result is used.
    pub(crate) unsafe fn of_caller(caller: *mut sys::wasmtime_caller_t) -> StoreRef<'a> {
        StoreRef { opaque: None, caller }
    }

    /// The store.
    #[inline]
    pub(crate) fn get(self) -> &'a StoreOpaque {
        match self.opaque {
            Some(opaque) => opaque,
            // SAFETY: per `of_caller`, the caller is live and its store not
            // otherwise borrowed.
            None => unsafe { StoreOpaque::from_context(sys::wasmtime_caller_context(self.caller)) },
        }
    }
}

/// A Rust type that is a wasm value: `i32`, `u32`, `i64`, `u64`, `f32`,
/// `f64`, [`V128`], `Option<Func>` (funcref) and `Option<ExternRef>`
/// (externref).
pub trait WasmTy: Send + Sized + 'static {
    /// The wasm type.
    fn valtype() -> ValType;
    /// Writes the value in the untyped C representation.
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw>;
    /// Reads the value from the untyped C representation.
    ///
    /// # Safety
    /// `raw` must hold a value of [`WasmTy::valtype`] from `store`.
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self;
    /// The value as a dynamically typed [`Val`].
    fn into_val(self) -> Val;
    /// The value in `val`, if it has this type.
    fn from_val(val: &Val) -> Option<Self>;
}

macro_rules! num_ty {
    ($($ty:ty => $vt:ident, $field:ident, |$v:ident| $to:expr, |$r:ident| $from:expr,
        into |$iv:ident| $into:expr, from |$fv:ident| $fromv:expr;)*) => {$(
        impl WasmTy for $ty {
            fn into_val(self) -> Val {
                let $iv = self;
                $into
            }
            fn from_val($fv: &Val) -> Option<Self> {
                $fromv
            }
            fn valtype() -> ValType {
                ValType::$vt
            }
            fn store_raw(self, _: StoreRef<'_>) -> Result<ValRaw> {
                let $v = self;
                Ok(ValRaw { $field: $to })
            }
            unsafe fn load_raw(_: StoreRef<'_>, raw: &ValRaw) -> Self {
                // SAFETY: the caller guarantees the field matches the type.
                let $r = unsafe { raw.$field };
                $from
            }
        }
    )*};
}

num_ty! {
    i32 => I32, i32_, |v| v.to_le(), |r| i32::from_le(r), into |v| Val::I32(v), from |v| v.i32();
    u32 => I32, i32_, |v| (v as i32).to_le(), |r| i32::from_le(r) as u32, into |v| Val::I32(v as i32), from |v| v.i32().map(|v| v as u32);
    i64 => I64, i64_, |v| v.to_le(), |r| i64::from_le(r), into |v| Val::I64(v), from |v| v.i64();
    u64 => I64, i64_, |v| (v as i64).to_le(), |r| i64::from_le(r) as u64, into |v| Val::I64(v as i64), from |v| v.i64().map(|v| v as u64);
    f32 => F32, i32_, |v| (v.to_bits() as i32).to_le(), |r| f32::from_bits(i32::from_le(r) as u32), into |v| Val::from(v), from |v| v.f32();
    f64 => F64, i64_, |v| (v.to_bits() as i64).to_le(), |r| f64::from_bits(i64::from_le(r) as u64), into |v| Val::from(v), from |v| v.f64();
    V128 => V128, v128, |v| v.as_u128().to_le_bytes(), |r| V128::from(u128::from_le_bytes(r)), into |v| Val::V128(v), from |v| v.v128();
}

impl WasmTy for Option<Func> {
    fn valtype() -> ValType {
        ValType::FUNCREF
    }
    fn into_val(self) -> Val {
        Val::FuncRef(self)
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.funcref().map(|f| f.copied())
    }
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw> {
        let funcref = match self {
            // SAFETY: the function was checked to belong to this live store.
            Some(f) => {
                let store = store.get();
                unsafe { sys::wasmtime_func_to_raw(store.context(), &Func::raw_or_null(Some(&f), store)?) }
            }
            None => ptr::null_mut(),
        };
        Ok(ValRaw { funcref })
    }
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self {
        // SAFETY: the caller guarantees a funcref of this store.
        let p = unsafe { raw.funcref };
        if p.is_null() {
            return None;
        }
        let mut func = sys::wasmtime_func_t::default();
        // SAFETY: a non-null raw funcref of this live store.
        unsafe { sys::wasmtime_func_from_raw(store.get().context(), p, &mut func) };
        Some(Func(func))
    }
}

impl WasmTy for Option<ExternRef> {
    fn valtype() -> ValType {
        ValType::EXTERNREF
    }
    fn into_val(self) -> Val {
        Val::ExternRef(self)
    }
    fn from_val(val: &Val) -> Option<Self> {
        val.externref().map(|r| r.cloned())
    }
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw> {
        let externref = match &self {
            Some(r) => {
                let store = store.get();
                let raw = ExternRef::raw_or_null(Some(r), store)?;
                // SAFETY: the ref was checked to belong to this live store.
                unsafe { sys::wasmtime_externref_to_raw(store.context(), &raw) }
            }
            None => 0,
        };
        Ok(ValRaw { externref })
    }
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self {
        // SAFETY: the caller guarantees an externref of this store.
        let r = unsafe { raw.externref };
        if r == 0 {
            return None;
        }
        let mut out = sys::wasmtime_externref_t::default();
        // SAFETY: a non-null raw externref of this live store; `out` is an
        // owned root.
        unsafe {
            sys::wasmtime_externref_from_raw(store.get().context(), r, &mut out);
            ExternRef::from_raw_owned(out)
        }
    }
}

/// Parameters of a typed call, or the values a host closure returns: any
/// [`WasmTy`], or a tuple of up to 16 of them (`()` for none).
pub trait WasmParams: Send + Sized {
    /// How many values.
    const COUNT: usize;
    /// Their wasm types.
    fn valtypes() -> Vec<ValType>;
    /// Writes them to `raw[..COUNT]`.
    fn store_all(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()>;
    /// Appends them to `out` as [`Val`]s.
    fn into_vals(self, out: &mut Vec<Val>);
}

/// Results of a typed call, or the parameters a host closure receives: any
/// [`WasmTy`], or a tuple of up to 16 of them.
pub trait WasmResults: Sized {
    /// How many values.
    const COUNT: usize;
    /// Their wasm types.
    fn valtypes() -> Vec<ValType>;
    /// Reads them from `raw[..COUNT]`.
    ///
    /// # Safety
    /// `raw` must hold values of [`WasmResults::valtypes`] from `store`.
    unsafe fn load_all(store: StoreRef<'_>, raw: &[ValRaw]) -> Self;
    /// Reads them from [`Val`]s, or `None` if the count or a type differs.
    fn from_vals(vals: &[Val]) -> Option<Self>;
}

impl<A: WasmTy> WasmParams for A {
    const COUNT: usize = 1;
    fn valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn store_all(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()> {
        raw[0] = self.store_raw(store)?;
        Ok(())
    }
    fn into_vals(self, out: &mut Vec<Val>) {
        out.push(self.into_val());
    }
}

impl<A: WasmTy> WasmResults for A {
    const COUNT: usize = 1;
    fn valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    unsafe fn load_all(store: StoreRef<'_>, raw: &[ValRaw]) -> Self {
        // SAFETY: forwarded.
        unsafe { A::load_raw(store, &raw[0]) }
    }
    fn from_vals(vals: &[Val]) -> Option<Self> {
        match vals {
            [v] => A::from_val(v),
            _ => None,
        }
    }
}

/// What a host closure may return: values as for [`WasmParams`], or a
/// `Result` of them, whose `Err` becomes a trap.
pub trait WasmRet {
    /// The wasm result types.
    fn valtypes() -> Vec<ValType>;
    /// Writes the results, or returns the error to trap with.
    fn store_ret(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()>;
}

impl<R: WasmParams> WasmRet for R {
    fn valtypes() -> Vec<ValType> {
        R::valtypes()
    }
    fn store_ret(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()> {
        self.store_all(store, raw)
    }
}

impl<R: WasmParams> WasmRet for Result<R> {
    fn valtypes() -> Vec<ValType> {
        R::valtypes()
    }
    fn store_ret(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()> {
        self?.store_all(store, raw)
    }
}

/// A Rust closure usable as a host function: `Fn(A1, …, An) -> R` or
/// `Fn(Caller<'_, T>, A1, …, An) -> R` with `n <= 16`, each `Ai: WasmTy`
/// and `R: WasmRet`. See [`Func::wrap`] and
/// [`Linker::func_wrap`](crate::Linker::func_wrap).
///
/// Sealed: implemented for closures by this crate only.
pub trait IntoFunc<T, Params, Results>: sealed::SealedFunc<T, Params, Results> + Send + Sync + 'static {
    /// The function type the closure has, for `engine`.
    fn func_type(engine: &Engine) -> FuncType;
    /// Reads the parameters from `raw`, runs the closure, writes the results.
    ///
    /// # Safety
    /// `caller` must be the live caller of this host call, in a `Store<T>`;
    /// `raw` must hold parameters of [`IntoFunc::func_type`] from its store
    /// and have room for the results.
    unsafe fn call_raw(&self, caller: *mut sys::wasmtime_caller_t, raw: &mut [ValRaw]) -> Result<()>;
}

macro_rules! for_each_arity {
    ($m:ident) => {
        $m!(0);
        $m!(1 A1);
        $m!(2 A1 A2);
        $m!(3 A1 A2 A3);
        $m!(4 A1 A2 A3 A4);
        $m!(5 A1 A2 A3 A4 A5);
        $m!(6 A1 A2 A3 A4 A5 A6);
        $m!(7 A1 A2 A3 A4 A5 A6 A7);
        $m!(8 A1 A2 A3 A4 A5 A6 A7 A8);
        $m!(9 A1 A2 A3 A4 A5 A6 A7 A8 A9);
        $m!(10 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
        $m!(11 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
        $m!(12 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);
        $m!(13 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13);
        $m!(14 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14);
        $m!(15 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15);
        $m!(16 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15 A16);
    };
}

macro_rules! tuple_lists {
    ($n:tt $($a:ident)*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        impl<$($a: WasmTy,)*> WasmParams for ($($a,)*) {
            const COUNT: usize = $n;
            fn valtypes() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            fn store_all(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()> {
                let ($($a,)*) = self;
                let mut i = 0;
                $( raw[i] = $a.store_raw(store)?; i += 1; )*
                Ok(())
            }
            fn into_vals(self, out: &mut Vec<Val>) {
                let ($($a,)*) = self;
                $( out.push($a.into_val()); )*
            }
        }

        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments, clippy::unused_unit)]
        impl<$($a: WasmTy,)*> WasmResults for ($($a,)*) {
            const COUNT: usize = $n;
            fn valtypes() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            unsafe fn load_all(store: StoreRef<'_>, raw: &[ValRaw]) -> Self {
                let mut i = 0;
                // SAFETY: forwarded: `raw[i]` holds a value of type `Ai`.
                $( let $a = unsafe { $a::load_raw(store, &raw[i]) }; i += 1; )*
                ($($a,)*)
            }
            fn from_vals(vals: &[Val]) -> Option<Self> {
                if vals.len() != $n {
                    return None;
                }
                let mut i = 0;
                $( let $a = $a::from_val(&vals[i])?; i += 1; )*
                Some(($($a,)*))
            }
        }

        impl<T, F, R, $($a: WasmTy,)*> sealed::SealedFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
        }

        impl<T, F, R, $($a: WasmTy,)*> sealed::SealedFunc<T, (Caller<'_, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
        }

        #[allow(non_snake_case)]
        impl<T, F, R, $($a: WasmTy,)*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn func_type(engine: &Engine) -> FuncType {
                FuncType::new(engine, <($($a,)*) as WasmResults>::valtypes(), R::valtypes())
            }
            unsafe fn call_raw(&self, caller: *mut sys::wasmtime_caller_t, raw: &mut [ValRaw]) -> Result<()> {
                // SAFETY: forwarded; the closure has no access to the store,
                // so nothing else borrows it while `store` is used.
                let store = unsafe { StoreRef::of_caller(caller) };
                // SAFETY: forwarded: `raw` holds this closure's parameters.
                let ($($a,)*) = unsafe { <($($a,)*) as WasmResults>::load_all(store, raw) };
                (self)($($a),*).store_ret(store, raw)
            }
        }

        #[allow(non_snake_case)]
        impl<T, F, R, $($a: WasmTy,)*> IntoFunc<T, (Caller<'_, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn func_type(engine: &Engine) -> FuncType {
                FuncType::new(engine, <($($a,)*) as WasmResults>::valtypes(), R::valtypes())
            }
            unsafe fn call_raw(&self, caller: *mut sys::wasmtime_caller_t, raw: &mut [ValRaw]) -> Result<()> {
                // SAFETY: forwarded: the caller is live, its store a `Store<T>`.
                let context = unsafe { sys::wasmtime_caller_context(caller) };
                let caller = unsafe { Caller::<T>::from_raw(caller, context) };
                // SAFETY: forwarded: `raw` holds this closure's parameters.
                let ($($a,)*) = unsafe { <($($a,)*) as WasmResults>::load_all((&caller.store.0.opaque).into(), raw) };
                let ret = (self)(caller, $($a),*);
                // SAFETY: the caller handed to the closure is gone; the
                // context is this call's live store.
                ret.store_ret(unsafe { StoreOpaque::from_context(context) }.into(), raw)
            }
        }
    };
}

for_each_arity!(tuple_lists);

/// A buffer for one typed call, left uninitialised: zeroing it would cost
/// more than the call's own bookkeeping.
#[inline(always)]
#[allow(clippy::uninit_assumed_init)]
fn uninit_raw_buffer() -> [ValRaw; MAX_ARITY] {
    // SAFETY: `ValRaw` is a union of plain integers, floats, bytes and
    // pointers; a union has no validity invariant, so uninitialised bytes
    // are a valid value. Only slots written first (the parameters by
    // `store_all`, the results by the callee) are ever read.
    unsafe { std::mem::MaybeUninit::uninit().assume_init() }
}

/// A function with a statically known signature, as `wasmtime::TypedFunc`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (func (export "swap") (param i32 i64) (result i64 i32)
///     local.get 1 local.get 0))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Instance::new(&mut store, &module, &[])?;
/// let swap = instance.get_typed_func::<(i32, i64), (i64, i32)>(&mut store, "swap")?;
/// assert_eq!(swap.call(&mut store, (1, 2))?, (2, 1));
/// // The wrong signature is caught once, here:
/// assert!(instance.get_typed_func::<i32, i32>(&mut store, "swap").is_err());
/// # Ok(()) }
/// ```
pub struct TypedFunc<Params, Results> {
    func: Func,
    _signature: PhantomData<fn(Params) -> Results>,
}

impl<Params, Results> Clone for TypedFunc<Params, Results> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Params, Results> Copy for TypedFunc<Params, Results> {}

impl<Params, Results> std::fmt::Debug for TypedFunc<Params, Results> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc").field("func", &self.func).finish()
    }
}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    pub(crate) fn new(func: Func, store: &StoreOpaque) -> Result<Self> {
        let ty = func.ty_in(store)?;
        let (params, results) = (Params::valtypes(), Results::valtypes());
        if ty.param_types() != params || ty.result_types() != results {
            return Err(Error::msg(format!(
                "type mismatch: the function has type {:?} -> {:?}, but {params:?} -> {results:?} was requested",
                ty.param_types(),
                ty.result_types(),
            )));
        }
        debug_assert!(Params::COUNT <= MAX_ARITY && Results::COUNT <= MAX_ARITY);
        Ok(TypedFunc { func, _signature: PhantomData })
    }

    /// The untyped function.
    pub fn func(&self) -> &Func {
        &self.func
    }

    /// Calls the function (`wasmtime_func_call_unchecked`). A trap is
    /// an error whose root cause is a [`Trap`](crate::Trap); values from
    /// another store are an `Err`.
    #[inline]
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.check_id(self.func.0.store_id)?;
        opaque.check_sync_call()?;
        let mut raw = uninit_raw_buffer();
        params.store_all(opaque.into(), &mut raw)?;
        let len = Params::COUNT.max(Results::COUNT);
        let context = opaque.context();
        let mut trap = ptr::null_mut();
        // SAFETY: the type was checked in `new`, the function and every
        // reference argument belong to this live store, and `raw` holds the
        // parameters and has room for the results. Host code the call runs
        // builds its own `&mut` to the store, so the store is reached anew
        // afterwards (see `store_ptr.rs`).
        unsafe {
            let error = sys::wasmtime_func_call_unchecked(context, &self.func.0, raw.as_mut_ptr(), len, &mut trap);
            let opaque = &store.0.opaque;
            opaque.check_call(error, trap)?;
            Ok(Results::load_all(opaque.into(), &raw))
        }
    }
}
