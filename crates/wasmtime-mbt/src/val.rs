//! `Val`: a dynamically typed wasm value, and conversions to and from the
//! C API's `wasmtime_val_t`.

use std::mem::MaybeUninit;

use wasmtime_mbt_sys as sys;

use crate::r#ref::{AnyRef, ExternRef};
use crate::store::StoreOpaque;
use crate::{Func, Result, ValType};

/// A 128-bit SIMD value, as `wasmtime::V128`.
///
/// ```
/// let v = wasmtime_mbt::V128::from(7u128);
/// assert_eq!(v.as_u128(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct V128(u128);

impl V128 {
    /// The bits as an integer.
    pub fn as_u128(self) -> u128 {
        self.0
    }
}

impl From<u128> for V128 {
    fn from(bits: u128) -> V128 {
        V128(bits)
    }
}

/// A wasm value, as `wasmtime::Val`. Floats are kept as bits, like
/// `wasmtime`, so NaN payloads survive.
///
/// ```
/// use wasmtime_mbt::{Val, ValType};
/// let v = Val::from(1.5f32);
/// assert_eq!(v.ty(), ValType::F32);
/// assert_eq!(v.f32(), Some(1.5));
/// assert_eq!(Val::I32(3).i32(), Some(3));
/// assert_eq!(Val::I32(3).i64(), None);
/// ```
#[derive(Debug, Clone)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bits.
    F32(u32),
    /// An `f64`, as its bits.
    F64(u64),
    /// A `v128`.
    V128(V128),
    /// A `funcref`; `None` is null.
    FuncRef(Option<Func>),
    /// An `externref`; `None` is null.
    ExternRef(Option<ExternRef>),
    /// An `anyref`; `None` is null.
    AnyRef(Option<AnyRef>),
}

macro_rules! accessors {
    ($($name:ident: $variant:ident => $ty:ty, |$v:ident| $conv:expr;)*) => {
        impl Val {$(
            #[doc = concat!("The value if it is an `", stringify!($name), "`.")]
            pub fn $name(&self) -> Option<$ty> {
                match self {
                    Val::$variant($v) => Some($conv),
                    _ => None,
                }
            }
        )*}
    };
}

accessors! {
    i32: I32 => i32, |v| *v;
    i64: I64 => i64, |v| *v;
    f32: F32 => f32, |v| f32::from_bits(*v);
    f64: F64 => f64, |v| f64::from_bits(*v);
    v128: V128 => V128, |v| *v;
    funcref: FuncRef => Option<&Func>, |v| v.as_ref();
    externref: ExternRef => Option<&ExternRef>, |v| v.as_ref();
    anyref: AnyRef => Option<&AnyRef>, |v| v.as_ref();
}

impl Val {
    /// The value's type.
    #[inline]
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::AnyRef(_) => ValType::AnyRef,
        }
    }

    /// The zero value (or null reference) of a type, as
    /// `wasmtime::Val::default_for_ty`.
    ///
    /// ```
    /// use wasmtime_mbt::{Val, ValType};
    /// assert_eq!(Val::default_for_ty(ValType::I64).i64(), Some(0));
    /// assert!(matches!(Val::default_for_ty(ValType::FuncRef), Val::FuncRef(None)));
    /// ```
    pub fn default_for_ty(ty: ValType) -> Val {
        match ty.value_repr() {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(V128(0)),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            _ => Val::AnyRef(None),
        }
    }

    /// A zeroed C value slot for C functions to fill in.
    #[inline]
    pub(crate) fn raw_slot() -> sys::wasmtime_val_t {
        sys::wasmtime_val_t { kind: 0, of: sys::wasmtime_valunion_t { i64_: 0 } }
    }

    /// A borrowed C view of this value for `store`, for C functions that do
    /// not take ownership of their arguments. References from another store
    /// are an `Err`.
    #[inline]
    pub(crate) fn to_raw(&self, store: &StoreOpaque) -> Result<sys::wasmtime_val_t> {
        let mut raw = MaybeUninit::uninit();
        self.write_raw(store, &mut raw)?;
        // SAFETY: `write_raw` initialised the kind and the matching union
        // field; a union needs no more.
        Ok(unsafe { raw.assume_init() })
    }

    /// [`Val::to_raw`] straight into a C slot. Writing the fields in place
    /// (rather than returning the 32-byte value) spares a store-forwarding
    /// stall per value on the dynamic call path.
    #[inline]
    pub(crate) fn write_raw(&self, store: &StoreOpaque, slot: &mut MaybeUninit<sys::wasmtime_val_t>) -> Result<()> {
        let p = slot.as_mut_ptr();
        // SAFETY: `p` points to writable (possibly uninitialised) memory of
        // a `wasmtime_val_t`; each write targets one field of it.
        unsafe {
            let of = &raw mut (*p).of;
            match self {
                Val::I32(v) => (&raw mut (*of).i32_).write(*v),
                Val::I64(v) => (&raw mut (*of).i64_).write(*v),
                Val::F32(v) => (&raw mut (*of).f32_).write(f32::from_bits(*v)),
                Val::F64(v) => (&raw mut (*of).f64_).write(f64::from_bits(*v)),
                Val::V128(v) => (&raw mut (*of).v128).write(v.0.to_le_bytes()),
                Val::FuncRef(f) => (&raw mut (*of).funcref).write(Func::raw_or_null(f.as_ref(), store)?),
                Val::ExternRef(r) => (&raw mut (*of).externref).write(ExternRef::raw_or_null(r.as_ref(), store)?),
                Val::AnyRef(r) => (&raw mut (*of).anyref).write(AnyRef::raw_or_null(r.as_ref(), store)?),
            }
            (&raw mut (*p).kind).write(self.ty().wasmtime_kind());
        }
        Ok(())
    }

    /// Like [`Val::to_raw`] but hands ownership of any reference to C, for
    /// host function results.
    pub(crate) fn into_raw(self, store: &StoreOpaque) -> Result<sys::wasmtime_val_t> {
        let raw = self.to_raw(store)?;
        match self {
            Val::ExternRef(Some(r)) => std::mem::forget(r),
            Val::AnyRef(Some(r)) => std::mem::forget(r),
            _ => {}
        }
        Ok(raw)
    }

    /// Takes ownership of a C value (results of calls, global/table reads).
    ///
    /// # Safety
    /// `raw` must be an initialised, owned value.
    #[inline]
    pub(crate) unsafe fn from_raw_owned(raw: sys::wasmtime_val_t) -> Result<Val> {
        // SAFETY: the union field read matches `kind`; references are owned.
        unsafe {
            Ok(match u32::from(raw.kind) {
                sys::WASMTIME_I32 => Val::I32(raw.of.i32_),
                sys::WASMTIME_I64 => Val::I64(raw.of.i64_),
                sys::WASMTIME_F32 => Val::F32(raw.of.f32_.to_bits()),
                sys::WASMTIME_F64 => Val::F64(raw.of.f64_.to_bits()),
                sys::WASMTIME_V128 => Val::V128(V128(u128::from_le_bytes(raw.of.v128))),
                sys::WASMTIME_FUNCREF => Val::FuncRef(Func::from_raw_nullable(raw.of.funcref)),
                sys::WASMTIME_EXTERNREF => Val::ExternRef(ExternRef::from_raw_owned(raw.of.externref)),
                sys::WASMTIME_ANYREF => Val::AnyRef(AnyRef::from_raw_owned(raw.of.anyref)),
                _ => return Err(unsupported_kind(raw)),
            })
        }
    }

    /// Takes ownership of every value into `slots`, converting all of them
    /// even when one fails (so none is leaked), and returns the first error.
    ///
    /// # Safety
    /// As for [`Val::from_raw_owned`], for each value.
    pub(crate) unsafe fn fill_from_raw_owned(slots: &mut [Val], raws: &[sys::wasmtime_val_t]) -> Result<()> {
        let mut first_error = None;
        for (slot, raw) in slots.iter_mut().zip(raws) {
            // SAFETY: forwarded.
            match unsafe { Val::from_raw_owned(*raw) } {
                Ok(v) => *slot = v,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Copies a borrowed C value (host function arguments), taking new
    /// roots for references.
    ///
    /// # Safety
    /// `raw` must be an initialised, live value.
    pub(crate) unsafe fn from_raw_borrowed(raw: &sys::wasmtime_val_t) -> Result<Val> {
        let mut owned = sys::wasmtime_val_t { kind: raw.kind, of: raw.of };
        // SAFETY: `wasmtime_val_clone` makes an owned copy of a live value.
        unsafe {
            sys::wasmtime_val_clone(raw, &mut owned);
            Val::from_raw_owned(owned)
        }
    }
}

/// The error for a C value of a kind [`Val`] cannot hold (e.g. `exnref`);
/// its root is released rather than leaked.
///
/// # Safety
/// `raw` must be owned.
#[cold]
unsafe fn unsupported_kind(mut raw: sys::wasmtime_val_t) -> crate::Error {
    // SAFETY: `raw` is owned, per the caller.
    unsafe { sys::wasmtime_val_unroot(&mut raw) };
    ValType::from_wasmtime_kind(raw.kind).err().unwrap_or_else(|| crate::Error::msg("unsupported value kind"))
}

macro_rules! from_impls {
    ($($ty:ty => |$v:ident| $e:expr;)*) => {$(
        impl From<$ty> for Val {
            fn from($v: $ty) -> Val {
                $e
            }
        }
    )*};
}

from_impls! {
    i32 => |v| Val::I32(v);
    i64 => |v| Val::I64(v);
    f32 => |v| Val::F32(v.to_bits());
    f64 => |v| Val::F64(v.to_bits());
    V128 => |v| Val::V128(v);
    Func => |v| Val::FuncRef(Some(v));
    Option<Func> => |v| Val::FuncRef(v);
    ExternRef => |v| Val::ExternRef(Some(v));
    Option<ExternRef> => |v| Val::ExternRef(v);
    AnyRef => |v| Val::AnyRef(Some(v));
}
