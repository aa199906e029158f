//! Statically typed functions: `TypedFunc`, the `WasmTy` value trait, the
//! parameter/result list traits implemented for tuples, and `IntoFunc` for
//! host closures. Calls go through `wasmtime_func_call_unchecked` (and host
//! closures through `wasmtime_func_new_unchecked`) after one type check.

use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr;

use wasmtime_mbt_sys as sys;

use crate::store::StoreOpaque;
use crate::rooting::{with_lifo_scope, GcRef};
use crate::{AnyRef, AsContextMut, Caller, Engine, Error, Func, FuncType, HeapType, OwnedRooted, RefType, Result, Rooted, Val, ValType, I31, V128};

type ValRaw = sys::wasmtime_val_raw_t;

/// The most parameters or results a typed function may have.
pub(crate) const MAX_ARITY: usize = 16;

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

    /// The store behind a C context.
    ///
    /// # Safety
    /// As for [`StoreOpaque::from_context`], for `'a`.
    pub(crate) unsafe fn of_context(context: *mut sys::wasmtime_context_t) -> StoreRef<'a> {
        // SAFETY: forwarded.
        StoreRef::from(unsafe { StoreOpaque::from_context(context) })
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

/// The store a `Caller` borrows, for value conversions.
pub(crate) fn caller_store<'a, T>(caller: &'a Caller<'_, T>) -> StoreRef<'a> {
    (&caller.store.0.opaque).into()
}

/// The C context of a running async host call's store, kept by its future
/// to convert the results when it completes.
pub(crate) struct ContextPtr(*mut sys::wasmtime_context_t);

// SAFETY: only dereferenced (in `store`) while the host call that owns the
// store runs, on whichever thread polls it; the store itself is `Send`.
unsafe impl Send for ContextPtr {}

impl ContextPtr {
    pub(crate) fn of<T>(caller: &Caller<'_, T>) -> ContextPtr {
        // (Field access: `Caller` is not `AsContext` for every `T`.)
        ContextPtr(caller.store.0.opaque.context())
    }

    /// The store.
    ///
    /// # Safety
    /// The host call must still be running, and no `Caller` of it in use.
    pub(crate) unsafe fn store<'a>(&self) -> StoreRef<'a> {
        // SAFETY: forwarded.
        unsafe { StoreRef::of_context(self.0) }
    }
}

/// A Rust type that is a wasm value: `i32`, `u32`, `i64`, `u64`, `f32`,
/// `f64`, [`V128`], `Option<Func>` (funcref), [`I31`] and `Option<I31>`,
/// and for each GC reference type `T` ([`ExternRef`](crate::ExternRef),
/// [`AnyRef`], [`ExnRef`](crate::ExnRef)) `Rooted<T>`, `OwnedRooted<T>`
/// (non-null) and their `Option`s (nullable), as `wasmtime`'s.
pub trait WasmTy: Send + Sized + 'static {
    /// Whether values of this type are GC references, whose loading roots
    /// them (host calls with such parameters get a rooting scope).
    #[doc(hidden)]
    const GC_REF: bool = false;
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
    fn into_val(self, store: StoreRef<'_>) -> Val;
    /// The value in `val`, if it has this type.
    fn from_val(store: StoreRef<'_>, val: &Val) -> Option<Self>;
}

macro_rules! num_ty {
    ($($ty:ty => $vt:ident, $field:ident, |$v:ident| $to:expr, |$r:ident| $from:expr,
        into |$iv:ident| $into:expr, from |$fv:ident| $fromv:expr;)*) => {$(
        impl WasmTy for $ty {
            fn into_val(self, _: StoreRef<'_>) -> Val {
                let $iv = self;
                $into
            }
            fn from_val(_: StoreRef<'_>, $fv: &Val) -> Option<Self> {
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
    fn into_val(self, _: StoreRef<'_>) -> Val {
        Val::FuncRef(self)
    }
    fn from_val(_: StoreRef<'_>, val: &Val) -> Option<Self> {
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

/// The raw `u32` of a nullable reference.
///
/// # Safety
/// `raw` must hold an initialised reference of the `top` hierarchy.
#[inline]
unsafe fn gc_raw(raw: &ValRaw, top: HeapType) -> u32 {
    // SAFETY: per the caller, the matching field is initialised.
    unsafe {
        match top {
            HeapType::Extern => raw.externref,
            HeapType::Exn => raw.exnref,
            _ => raw.anyref,
        }
    }
}

/// A raw slot holding reference `r` (0 for null).
#[inline]
fn gc_slot(r: u32, top: HeapType) -> ValRaw {
    match top {
        HeapType::Extern => ValRaw { externref: r },
        HeapType::Exn => ValRaw { exnref: r },
        _ => ValRaw { anyref: r },
    }
}

impl<T: GcRef> WasmTy for Rooted<T> {
    const GC_REF: bool = true;
    fn valtype() -> ValType {
        ValType::Ref(RefType::new(false, T::TOP))
    }
    fn into_val(self, _: StoreRef<'_>) -> Val {
        T::into_val(Some(self))
    }
    fn from_val(_: StoreRef<'_>, val: &Val) -> Option<Self> {
        T::from_val(val).flatten()
    }
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw> {
        Ok(gc_slot(self.store_wasm(store.get())?, T::TOP))
    }
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self {
        // SAFETY: forwarded from the caller.
        Rooted::load_wasm(store.get(), unsafe { gc_raw(raw, T::TOP) }).expect("non-null reference")
    }
}

impl<T: GcRef> WasmTy for Option<Rooted<T>> {
    const GC_REF: bool = true;
    fn valtype() -> ValType {
        ValType::Ref(RefType::new(true, T::TOP))
    }
    fn into_val(self, _: StoreRef<'_>) -> Val {
        T::into_val(self)
    }
    fn from_val(_: StoreRef<'_>, val: &Val) -> Option<Self> {
        T::from_val(val)
    }
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw> {
        let r = match self {
            Some(r) => r.store_wasm(store.get())?,
            None => 0,
        };
        Ok(gc_slot(r, T::TOP))
    }
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self {
        // SAFETY: forwarded from the caller.
        match unsafe { gc_raw(raw, T::TOP) } {
            0 => None,
            r => Rooted::load_wasm(store.get(), r),
        }
    }
}

impl<T: GcRef> WasmTy for OwnedRooted<T> {
    const GC_REF: bool = true;
    fn valtype() -> ValType {
        ValType::Ref(RefType::new(false, T::TOP))
    }
    fn into_val(self, store: StoreRef<'_>) -> Val {
        T::into_val(Some(Rooted::new(store.get(), crate::rooting::CRoot::clone_of(&self.raw()))))
    }
    fn from_val(store: StoreRef<'_>, val: &Val) -> Option<Self> {
        Rooted::<T>::from_val(store, val)?.owned_in(store.get()).ok()
    }
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw> {
        Ok(gc_slot(self.store_wasm(store.get())?, T::TOP))
    }
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self {
        // SAFETY: forwarded from the caller.
        OwnedRooted::load_wasm(store.get(), unsafe { gc_raw(raw, T::TOP) }).expect("non-null reference")
    }
}

impl<T: GcRef> WasmTy for Option<OwnedRooted<T>> {
    const GC_REF: bool = true;
    fn valtype() -> ValType {
        ValType::Ref(RefType::new(true, T::TOP))
    }
    fn into_val(self, store: StoreRef<'_>) -> Val {
        match self {
            Some(r) => r.into_val(store),
            None => T::into_val(None),
        }
    }
    fn from_val(store: StoreRef<'_>, val: &Val) -> Option<Self> {
        match T::from_val(val)? {
            Some(r) => r.owned_in(store.get()).ok().map(Some),
            None => Some(None),
        }
    }
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw> {
        let r = match self {
            Some(r) => r.store_wasm(store.get())?,
            None => 0,
        };
        Ok(gc_slot(r, T::TOP))
    }
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self {
        // SAFETY: forwarded from the caller.
        match unsafe { gc_raw(raw, T::TOP) } {
            0 => None,
            r => OwnedRooted::load_wasm(store.get(), r),
        }
    }
}

/// The raw `anyref` of an `i31ref` (through the C API, which owns the
/// encoding).
fn i31_to_raw(store: &crate::store::StoreOpaque, value: I31) -> u32 {
    let mut raw = sys::wasmtime_anyref_t::default();
    // SAFETY: the context is live; the root made here is unrooted at once
    // (an `i31ref` is not a heap object: its raw value needs no root).
    unsafe {
        sys::wasmtime_anyref_from_i31(store.context(), value.get_u32(), &mut raw);
        let r = sys::wasmtime_anyref_to_raw(store.context(), &raw);
        sys::wasmtime_anyref_unroot(&mut raw);
        r
    }
}

/// The `I31` of a non-null raw `i31ref`.
///
/// # Safety
/// `r` must be a raw `i31ref` that wasm of `store` handed over.
unsafe fn i31_from_raw(store: &crate::store::StoreOpaque, r: u32) -> I31 {
    let mut raw = sys::wasmtime_anyref_t::default();
    let mut out = 0;
    // SAFETY: `r` is a non-null `i31ref` of this live store; the root made
    // here is unrooted at once.
    unsafe {
        sys::wasmtime_anyref_from_raw(store.context(), r, &mut raw);
        sys::wasmtime_anyref_i31_get_u(store.context(), &raw, &mut out);
        sys::wasmtime_anyref_unroot(&mut raw);
    }
    I31::wrapping_u32(out)
}

impl WasmTy for I31 {
    fn valtype() -> ValType {
        ValType::Ref(RefType::new(false, HeapType::I31))
    }
    fn into_val(self, store: StoreRef<'_>) -> Val {
        Val::AnyRef(Some(AnyRef::from_i31_in(store.get(), self)))
    }
    fn from_val(store: StoreRef<'_>, val: &Val) -> Option<Self> {
        val.anyref()??.as_i31_in(store.get()).ok()?
    }
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw> {
        Ok(ValRaw { anyref: i31_to_raw(store.get(), self) })
    }
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self {
        // SAFETY: the caller guarantees an `i31ref`.
        unsafe { i31_from_raw(store.get(), raw.anyref) }
    }
}

impl WasmTy for Option<I31> {
    fn valtype() -> ValType {
        ValType::Ref(RefType::new(true, HeapType::I31))
    }
    fn into_val(self, store: StoreRef<'_>) -> Val {
        Val::AnyRef(self.map(|v| AnyRef::from_i31_in(store.get(), v)))
    }
    fn from_val(store: StoreRef<'_>, val: &Val) -> Option<Self> {
        match val.anyref()? {
            Some(r) => r.as_i31_in(store.get()).ok()?.map(Some),
            None => Some(None),
        }
    }
    fn store_raw(self, store: StoreRef<'_>) -> Result<ValRaw> {
        Ok(ValRaw { anyref: self.map_or(0, |v| i31_to_raw(store.get(), v)) })
    }
    unsafe fn load_raw(store: StoreRef<'_>, raw: &ValRaw) -> Self {
        // SAFETY: the caller guarantees a nullable `i31ref`.
        match unsafe { raw.anyref } {
            0 => None,
            // SAFETY: as above, non-null.
            r => Some(unsafe { i31_from_raw(store.get(), r) }),
        }
    }
}

/// Parameters of a typed call, or the values a host closure returns: any
/// [`WasmTy`], or a tuple of up to 16 of them (`()` for none).
pub trait WasmParams: Send + Sized {
    /// How many values.
    const COUNT: usize;
    /// Their wasm types (not `valtypes`, which is `WasmTyList`'s).
    #[doc(hidden)]
    fn list_valtypes() -> Vec<ValType>;
    /// Writes them to `raw[..COUNT]`.
    fn store_all(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()>;
    /// Appends them to `out` as [`Val`]s.
    fn into_vals(self, store: StoreRef<'_>, out: &mut Vec<Val>);
    /// Writes them to `out[..COUNT]` as C values that borrow their
    /// references' roots (as [`into_vals`](WasmParams::into_vals) then a
    /// borrowed conversion of each, without the vector), for
    /// `wasmtime_func_call_async`. `Err` for a reference from another
    /// store.
    #[doc(hidden)]
    fn write_c_vals(self, store: StoreRef<'_>, out: &mut [MaybeUninit<sys::wasmtime_val_t>]) -> Result<()>;
}

/// Results of a typed call, or the parameters a host closure receives: any
/// [`WasmTy`], or a tuple of up to 16 of them.
pub trait WasmResults: Sized {
    /// How many values.
    const COUNT: usize;
    /// Whether any of them is a GC reference.
    #[doc(hidden)]
    const GC_REFS: bool;
    /// Their wasm types (not `valtypes`, which is `WasmTyList`'s).
    #[doc(hidden)]
    fn list_valtypes() -> Vec<ValType>;
    /// Reads them from `raw[..COUNT]`.
    ///
    /// # Safety
    /// `raw` must hold values of [`WasmResults::list_valtypes`] from `store`.
    unsafe fn load_all(store: StoreRef<'_>, raw: &[ValRaw]) -> Self;
    /// Reads them from [`Val`]s, or `None` if the count or a type differs.
    fn from_vals(store: StoreRef<'_>, vals: &[Val]) -> Option<Self>;
}

impl<A: WasmTy> WasmParams for A {
    const COUNT: usize = 1;
    fn list_valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn store_all(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()> {
        raw[0] = self.store_raw(store)?;
        Ok(())
    }
    fn into_vals(self, store: StoreRef<'_>, out: &mut Vec<Val>) {
        out.push(self.into_val(store));
    }
    fn write_c_vals(self, store: StoreRef<'_>, out: &mut [MaybeUninit<sys::wasmtime_val_t>]) -> Result<()> {
        self.into_val(store).write_raw(store.get(), &mut out[0])
    }
}

impl<A: WasmTy> WasmResults for A {
    const COUNT: usize = 1;
    const GC_REFS: bool = A::GC_REF;
    fn list_valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    unsafe fn load_all(store: StoreRef<'_>, raw: &[ValRaw]) -> Self {
        // SAFETY: forwarded.
        unsafe { A::load_raw(store, &raw[0]) }
    }
    fn from_vals(store: StoreRef<'_>, vals: &[Val]) -> Option<Self> {
        match vals {
            [v] => A::from_val(store, v),
            _ => None,
        }
    }
}

/// What a host closure may return: values as for [`WasmParams`], or a
/// `Result` of them, whose `Err` becomes a trap.
pub trait WasmRet {
    /// The wasm result types.
    #[doc(hidden)]
    fn list_valtypes() -> Vec<ValType>;
    /// Writes the results, or returns the error to trap with.
    fn store_ret(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()>;
}

impl<R: WasmParams> WasmRet for R {
    fn list_valtypes() -> Vec<ValType> {
        R::list_valtypes()
    }
    fn store_ret(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()> {
        self.store_all(store, raw)
    }
}

impl<R: WasmParams> WasmRet for Result<R> {
    fn list_valtypes() -> Vec<ValType> {
        R::list_valtypes()
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
            fn list_valtypes() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            fn store_all(self, store: StoreRef<'_>, raw: &mut [ValRaw]) -> Result<()> {
                let ($($a,)*) = self;
                let mut i = 0;
                $( raw[i] = $a.store_raw(store)?; i += 1; )*
                Ok(())
            }
            fn into_vals(self, store: StoreRef<'_>, out: &mut Vec<Val>) {
                let ($($a,)*) = self;
                $( out.push($a.into_val(store)); )*
            }
            fn write_c_vals(self, store: StoreRef<'_>, out: &mut [MaybeUninit<sys::wasmtime_val_t>]) -> Result<()> {
                let ($($a,)*) = self;
                let mut i = 0;
                $( $a.into_val(store).write_raw(store.get(), &mut out[i])?; i += 1; )*
                Ok(())
            }
        }

        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments, clippy::unused_unit)]
        impl<$($a: WasmTy,)*> WasmResults for ($($a,)*) {
            const COUNT: usize = $n;
            const GC_REFS: bool = false $(|| $a::GC_REF)*;
            fn list_valtypes() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            unsafe fn load_all(store: StoreRef<'_>, raw: &[ValRaw]) -> Self {
                let mut i = 0;
                // SAFETY: forwarded: `raw[i]` holds a value of type `Ai`.
                $( let $a = unsafe { $a::load_raw(store, &raw[i]) }; i += 1; )*
                ($($a,)*)
            }
            fn from_vals(store: StoreRef<'_>, vals: &[Val]) -> Option<Self> {
                if vals.len() != $n {
                    return None;
                }
                let mut i = 0;
                $( let $a = $a::from_val(store, &vals[i])?; i += 1; )*
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
                FuncType::new(engine, <($($a,)*) as WasmResults>::list_valtypes(), R::list_valtypes())
            }
            unsafe fn call_raw(&self, caller: *mut sys::wasmtime_caller_t, raw: &mut [ValRaw]) -> Result<()> {
                // SAFETY: forwarded; the closure has no access to the store,
                // so nothing else borrows it while `store` is used.
                let store = unsafe { StoreRef::of_caller(caller) };
                let mut run = || {
                    // SAFETY: forwarded: `raw` holds this closure's parameters.
                    let ($($a,)*) = unsafe { <($($a,)*) as WasmResults>::load_all(store, raw) };
                    (self)($($a),*).store_ret(store, raw)
                };
                // Only references are rooted on the way in (the closure
                // cannot reach the store), so numeric calls skip the scope.
                if <($($a,)*) as WasmResults>::GC_REFS {
                    with_lifo_scope(store.get(), run)
                } else {
                    run()
                }
            }
        }

        #[allow(non_snake_case)]
        impl<T, F, R, $($a: WasmTy,)*> IntoFunc<T, (Caller<'_, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn func_type(engine: &Engine) -> FuncType {
                FuncType::new(engine, <($($a,)*) as WasmResults>::list_valtypes(), R::list_valtypes())
            }
            unsafe fn call_raw(&self, caller: *mut sys::wasmtime_caller_t, raw: &mut [ValRaw]) -> Result<()> {
                // SAFETY: forwarded: the caller is live, its store a `Store<T>`.
                let context = unsafe { sys::wasmtime_caller_context(caller) };
                // SAFETY: as above; this shared view is only used to enter
                // and exit the call's rooting scope, not while `caller` is.
                let scope = unsafe { StoreOpaque::from_context(context) }.roots().borrow().enter();
                let caller = unsafe { Caller::<T>::from_raw(caller, context) };
                // SAFETY: forwarded: `raw` holds this closure's parameters.
                let ($($a,)*) = unsafe { <($($a,)*) as WasmResults>::load_all((&caller.store.0.opaque).into(), raw) };
                let ret = (self)(caller, $($a),*);
                // SAFETY: the caller handed to the closure is gone; the
                // context is this call's live store.
                let store = unsafe { StoreOpaque::from_context(context) };
                let out = ret.store_ret(store.into(), raw);
                // As in `wasmtime`: the references the call rooted are
                // unrooted when it returns (its results are in `raw`).
                store.roots().borrow_mut().exit(scope);
                out
            }
        }
    };
}

for_each_arity!(tuple_lists);

/// A tuple of [`WasmTy`] types, as `wasmtime::WasmTyList` (the parameter
/// lists of `wasmtime`'s `Func::wrap_async`, not in the C API).
///
/// ```
/// use wasmtime_mbt::{ValType, WasmTyList};
/// let types: Vec<ValType> = <(i32, f64)>::valtypes().collect();
/// assert!(matches!(types[..], [ValType::I32, ValType::F64]));
/// ```
///
/// # Safety
/// Only this crate's implementations exist (the method's types are the
/// contract); implementing it elsewhere is not supported.
pub unsafe trait WasmTyList {
    /// The wasm type of each element.
    fn valtypes() -> impl Iterator<Item = ValType>;
}

macro_rules! wasm_ty_lists {
    ($n:tt $($a:ident)*) => {
        // SAFETY: the types are the elements'.
        unsafe impl<$($a: WasmTy,)*> WasmTyList for ($($a,)*) {
            fn valtypes() -> impl Iterator<Item = ValType> {
                IntoIterator::into_iter([$($a::valtype(),)*])
            }
        }
    };
}

for_each_arity!(wasm_ty_lists);

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

/// `wasmtime`'s typed-function check of the Rust types `rust` against the
/// function's `func` types: the same count, and each parameter a subtype
/// of the function's (each function result one of the Rust type's when
/// `results`), with `wasmtime`'s messages.
fn check_types(rust: &[ValType], func: &[ValType], results: bool) -> Result<()> {
    if rust.len() != func.len() {
        return Err(Error::msg(format!("expected {} types, found {}", rust.len(), func.len())));
    }
    for (r, f) in rust.iter().zip(func) {
        let (sub, sup) = if results { (f, r) } else { (r, f) };
        if !sub.matches(sup) {
            return Err(Error::msg(format!("type mismatch: expected {sup}, found {sub}")));
        }
    }
    Ok(())
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
        // As `wasmtime`: each parameter given must be a subtype of the one
        // the function takes, each result it gives one of those requested
        // (so a `Rooted<ExternRef>` may be passed for an `externref`).
        // Every `WasmTy` has an abstract type, so a concrete parameter type
        // is only matched by its own bottom: no dynamic check is needed.
        check_types(&Params::list_valtypes(), ty.param_types(), false).map_err(|e| e.context("type mismatch with parameters"))?;
        check_types(&Results::list_valtypes(), ty.result_types(), true).map_err(|e| e.context("type mismatch with results"))?;
        debug_assert!(Params::COUNT <= MAX_ARITY && Results::COUNT <= MAX_ARITY);
        Ok(TypedFunc { func, _signature: PhantomData })
    }

    /// A typed view of `func` without checking its type, as
    /// `wasmtime::TypedFunc::new_unchecked`.
    ///
    /// # Safety
    /// `Params` and `Results` must match the function's type, as
    /// [`Func::typed`] would check: calls pass raw values unchecked.
    pub unsafe fn new_unchecked(store: impl crate::AsContext, func: Func) -> TypedFunc<Params, Results> {
        let _ = store;
        TypedFunc { func, _signature: PhantomData }
    }

    /// The untyped function.
    pub fn func(&self) -> &Func {
        &self.func
    }

    /// Calls the function (`wasmtime_func_call_unchecked`). A trap is
    /// an error whose root cause is a [`Trap`](crate::Trap); values from
    /// another store are an `Err`. Panics if the function belongs to
    /// another store, as `wasmtime`.
    #[inline]
    #[track_caller]
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.check_sync_call()?;
        opaque.assert_id(self.func.0.store_id);
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
