//! `Val`: a dynamically typed wasm value, and conversions to and from the
//! C API's `wasmtime_val_t`.

use std::mem::MaybeUninit;

use wasmtime_mbt_sys as sys;

use crate::r#ref::{AnyRef, ExnRef, ExternRef};
use crate::rooting::{CRoot, RawRoot};
use crate::store::StoreOpaque;
use crate::{AsContext, Func, HeapType, RefType, Result, Rooted, ValType};

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
/// `Copy`, as `wasmtime`'s: GC references are [`Rooted`] handles into
/// the store's root set (see [`RootScope`](crate::RootScope)).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::{Engine, Store, Val, ValType};
/// let store = Store::new(&Engine::default(), ());
/// let v = Val::from(1.5f32);
/// assert_eq!(v.ty(&store)?, ValType::F32);
/// assert_eq!(v.f32(), Some(1.5));
/// assert_eq!(v.unwrap_f32(), 1.5);
/// assert_eq!(Val::I32(3).i32(), Some(3));
/// assert_eq!(Val::I32(3).i64(), None);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
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
    ExternRef(Option<Rooted<ExternRef>>),
    /// An `anyref`; `None` is null.
    AnyRef(Option<Rooted<AnyRef>>),
    /// An `exnref`; `None` is null.
    ExnRef(Option<Rooted<ExnRef>>),
    /// A continuation reference, as `wasmtime`'s stub: the C API has no
    /// such values, so this crate never produces one.
    ContRef(Option<ContRef>),
}

/// A stub for continuation references, as `wasmtime::ContRef`.
#[derive(Debug, Clone, Copy)]
pub struct ContRef;

macro_rules! accessors {
    ($($name:ident $unwrap:ident: $variant:ident => $ty:ty, $what:literal, |$v:ident| $conv:expr;)*) => {
        impl Val {$(
            #[doc = concat!("The value if it is ", $what, ", else `None`.")]
            ///
            /// ```
            /// use wasmtime_mbt::Val;
            #[doc = concat!("assert!(Val::I32(1).", stringify!($name), "().is_some() == matches!(Val::I32(1), Val::", stringify!($variant), "(_)));")]
            /// ```
            #[inline]
            pub fn $name(&self) -> Option<$ty> {
                match self {
                    Val::$variant($v) => Some($conv),
                    _ => None,
                }
            }

            #[doc = concat!("The value, which must be ", $what, "; panics otherwise.")]
            ///
            /// ```
            /// use wasmtime_mbt::Val;
            #[doc = concat!("let ok = std::panic::catch_unwind(|| { Val::I32(1).", stringify!($unwrap), "(); }).is_ok();")]
            #[doc = concat!("assert_eq!(ok, matches!(Val::I32(1), Val::", stringify!($variant), "(_)));")]
            /// ```
            #[inline]
            pub fn $unwrap(&self) -> $ty {
                self.$name().expect(concat!("expected ", stringify!($ty)))
            }
        )*}
    };
}

accessors! {
    i32 unwrap_i32: I32 => i32, "an `i32`", |v| *v;
    i64 unwrap_i64: I64 => i64, "an `i64`", |v| *v;
    f32 unwrap_f32: F32 => f32, "an `f32`", |v| f32::from_bits(*v);
    f64 unwrap_f64: F64 => f64, "an `f64`", |v| f64::from_bits(*v);
    v128 unwrap_v128: V128 => V128, "a `v128`", |v| *v;
}

/// `wasmtime`'s second spelling of the reference accessors.
macro_rules! ref_accessors {
    ($($name:ident $unwrap:ident: $variant:ident => $ty:ty;)*) => {
        impl Val {$(
            #[doc = concat!("The reference if this is a (possibly null) `", stringify!($variant), "`.")]
            ///
            /// ```
            /// use wasmtime_mbt::Val;
            #[doc = concat!("assert!(Val::I32(1).", stringify!($name), "().is_none());")]
            /// ```
            #[inline]
            pub fn $name(&self) -> Option<$ty> {
                match self {
                    Val::$variant(r) => Some(r.as_ref()),
                    _ => None,
                }
            }

            #[doc = concat!("The reference, which must be a (possibly null) `", stringify!($variant), "`; panics otherwise.")]
            ///
            /// ```
            /// use wasmtime_mbt::Val;
            #[doc = concat!("assert!(std::panic::catch_unwind(|| { Val::I32(1).", stringify!($unwrap), "(); }).is_err());")]
            /// ```
            #[inline]
            pub fn $unwrap(&self) -> $ty {
                self.$name().expect(concat!("expected ", stringify!($ty)))
            }
        )*}
    };
}

ref_accessors! {
    func_ref unwrap_func_ref: FuncRef => Option<&Func>;
    extern_ref unwrap_extern_ref: ExternRef => Option<&Rooted<ExternRef>>;
    any_ref unwrap_any_ref: AnyRef => Option<&Rooted<AnyRef>>;
}

impl Val {
    /// The reference if this is a (possibly null) `funcref`: `Some(None)`
    /// is a null `funcref`, `None` another kind of value.
    ///
    /// ```
    /// use wasmtime_mbt::Val;
    /// assert_eq!(Val::null_func_ref().funcref().map(|f| f.is_none()), Some(true));
    /// assert!(Val::I32(0).funcref().is_none());
    /// ```
    #[inline]
    pub fn funcref(&self) -> Option<Option<&Func>> {
        match self {
            Val::FuncRef(f) => Some(f.as_ref()),
            _ => None,
        }
    }

    /// The reference, which must be a (possibly null) `funcref`; panics
    /// otherwise.
    ///
    /// ```
    /// use wasmtime_mbt::Val;
    /// assert!(Val::null_func_ref().unwrap_funcref().is_none());
    /// assert!(std::panic::catch_unwind(|| { Val::I64(0).unwrap_funcref(); }).is_err());
    /// ```
    #[inline]
    pub fn unwrap_funcref(&self) -> Option<&Func> {
        self.funcref().expect("expected funcref")
    }

    /// The reference if this is a (possibly null) `externref`.
    ///
    /// ```
    /// use wasmtime_mbt::Val;
    /// assert_eq!(Val::null_extern_ref().externref().map(|r| r.is_none()), Some(true));
    /// assert!(Val::null_func_ref().externref().is_none());
    /// ```
    #[inline]
    pub fn externref(&self) -> Option<Option<&Rooted<ExternRef>>> {
        match self {
            Val::ExternRef(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// The reference, which must be a (possibly null) `externref`; panics
    /// otherwise.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let v = Val::from(ExternRef::new(&mut store, 5u32)?);
    /// let data = v.unwrap_externref().unwrap().data(&store)?.unwrap();
    /// assert_eq!(data.downcast_ref::<u32>(), Some(&5));
    /// assert!(std::panic::catch_unwind(|| { Val::I32(0).unwrap_externref(); }).is_err());
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn unwrap_externref(&self) -> Option<&Rooted<ExternRef>> {
        self.externref().expect("expected externref")
    }

    /// The reference if this is a (possibly null) `anyref`.
    ///
    /// ```
    /// use wasmtime_mbt::Val;
    /// assert_eq!(Val::null_any_ref().anyref().map(|r| r.is_none()), Some(true));
    /// assert!(Val::I32(0).anyref().is_none());
    /// ```
    #[inline]
    pub fn anyref(&self) -> Option<Option<&Rooted<AnyRef>>> {
        match self {
            Val::AnyRef(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// The reference, which must be a (possibly null) `anyref`; panics
    /// otherwise.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let v = Val::from(AnyRef::from_i31(&mut store, I31::wrapping_u32(9)));
    /// assert_eq!(v.unwrap_anyref().unwrap().unwrap_i31(&store)?.get_u32(), 9);
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn unwrap_anyref(&self) -> Option<&Rooted<AnyRef>> {
        self.anyref().expect("expected anyref")
    }

    /// The reference if this is a (possibly null) `exnref`.
    ///
    /// ```
    /// use wasmtime_mbt::Val;
    /// assert_eq!(Val::ExnRef(None).exnref().map(|r| r.is_none()), Some(true));
    /// assert!(Val::I32(0).exnref().is_none());
    /// ```
    #[inline]
    pub fn exnref(&self) -> Option<Option<&Rooted<ExnRef>>> {
        match self {
            Val::ExnRef(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// The reference, which must be a (possibly null) `exnref`; panics
    /// otherwise.
    ///
    /// ```
    /// use wasmtime_mbt::Val;
    /// assert!(Val::ExnRef(None).unwrap_exnref().is_none());
    /// ```
    #[inline]
    pub fn unwrap_exnref(&self) -> Option<&Rooted<ExnRef>> {
        self.exnref().expect("expected exnref")
    }

    /// The reference in this value, if it is one, as `wasmtime::Val::ref_`.
    ///
    /// ```
    /// use wasmtime_mbt::{Ref, Val};
    /// assert!(matches!(Val::null_func_ref().ref_(), Some(Ref::Func(None))));
    /// assert!(Val::I32(1).ref_().is_none());
    /// ```
    #[inline]
    pub fn ref_(self) -> Option<crate::Ref> {
        use crate::Ref;
        match self {
            Val::FuncRef(f) => Some(Ref::Func(f)),
            Val::ExternRef(e) => Some(Ref::Extern(e)),
            Val::AnyRef(a) => Some(Ref::Any(a)),
            Val::ExnRef(e) => Some(Ref::Exn(e)),
            Val::I32(_) | Val::I64(_) | Val::F32(_) | Val::F64(_) | Val::V128(_) | Val::ContRef(_) => None,
        }
    }

    /// The null reference of `heap_type`'s hierarchy, as
    /// `wasmtime::Val::null_ref`.
    ///
    /// Panics for the `cont` hierarchy, which the C API cannot hold.
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType, HeapType, Val};
    /// let ty = FuncType::new(&Engine::default(), [], []);
    /// assert!(matches!(Val::null_ref(&HeapType::ConcreteFunc(ty)), Val::FuncRef(None)));
    /// assert!(matches!(Val::null_ref(&HeapType::I31), Val::AnyRef(None)));
    /// ```
    pub fn null_ref(heap_type: &HeapType) -> Val {
        match heap_type.top() {
            HeapType::Func => Val::FuncRef(None),
            HeapType::Extern => Val::ExternRef(None),
            HeapType::Any => Val::AnyRef(None),
            HeapType::Exn => Val::ExnRef(None),
            top => panic!("null `{top}` references cannot be held in a `Val` of this crate"),
        }
    }

    /// The value in the untyped raw representation wasm and
    /// [`Func::call_unchecked`] use, as `wasmtime::Val::to_raw`: references
    /// become their raw index or pointer (see [`ExternRef::to_raw`],
    /// [`Func::to_raw`]), valid only in this store. `Err` for an unrooted
    /// reference or a continuation.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let raw = Val::I64(-5).to_raw(&mut store)?;
    /// assert_eq!(raw.get_i64(), -5);
    /// let r = Val::ExternRef(Some(ExternRef::new(&mut store, 7u32)?));
    /// let raw = r.to_raw(&mut store)?;
    /// // SAFETY: `raw` came from this store, with this type.
    /// let back = unsafe { Val::from_raw(&mut store, raw, ValType::EXTERNREF) };
    /// let data = back.unwrap_externref().unwrap().data(&store)?.unwrap();
    /// assert_eq!(data.downcast_ref::<u32>(), Some(&7));
    /// # Ok(()) }
    /// ```
    pub fn to_raw(&self, mut store: impl crate::AsContextMut) -> Result<crate::ValRaw> {
        use crate::ValRaw;
        Ok(match self {
            Val::I32(i) => ValRaw::i32(*i),
            Val::I64(i) => ValRaw::i64(*i),
            Val::F32(u) => ValRaw::f32(*u),
            Val::F64(u) => ValRaw::f64(*u),
            Val::V128(b) => ValRaw::v128(b.as_u128()),
            Val::FuncRef(f) => ValRaw::funcref(f.map_or(std::ptr::null_mut(), |f| f.to_raw(&mut store))),
            Val::ExternRef(e) => ValRaw::externref(e.map_or(Ok(0), |e| e.to_raw(&mut store))?),
            Val::AnyRef(e) => ValRaw::anyref(e.map_or(Ok(0), |e| e.to_raw(&mut store))?),
            Val::ExnRef(e) => ValRaw::exnref(e.map_or(Ok(0), |e| e.to_raw(&mut store))?),
            Val::ContRef(_) => return Err(crate::Error::msg("continuation references not yet supported in to_raw conversion")),
        })
    }

    /// The value of type `ty` in a raw representation, as
    /// `wasmtime::Val::from_raw`; references are rooted in the current
    /// scope. Panics for continuation types, as `wasmtime`.
    ///
    /// # Safety
    /// `raw` must hold a value of type `ty` from this store (as made by
    /// [`Val::to_raw`] or by wasm).
    pub unsafe fn from_raw(mut store: impl crate::AsContextMut, raw: crate::ValRaw, ty: ValType) -> Val {
        let heap = match &ty {
            ValType::I32 => return Val::I32(raw.get_i32()),
            ValType::I64 => return Val::I64(raw.get_i64()),
            ValType::F32 => return Val::F32(raw.get_f32()),
            ValType::F64 => return Val::F64(raw.get_f64()),
            ValType::V128 => return Val::V128(raw.get_v128().into()),
            ValType::Ref(r) => r.heap_type(),
        };
        match heap {
            HeapType::NoFunc => Val::FuncRef(None),
            HeapType::NoExtern => Val::ExternRef(None),
            HeapType::None => Val::AnyRef(None),
            HeapType::NoExn => Val::ExnRef(None),
            HeapType::Cont | HeapType::NoCont => unimplemented!("continuation references in `Val::from_raw`"),
            // SAFETY: the caller guarantees a funcref of this store.
            h if h.top() == HeapType::Func => Val::FuncRef(unsafe { Func::from_raw(&mut store, raw.get_funcref()) }),
            h if h.top() == HeapType::Extern => Val::ExternRef(ExternRef::from_raw(&mut store, raw.get_externref())),
            h if h.top() == HeapType::Exn => Val::ExnRef(ExnRef::from_raw(&mut store, raw.get_exnref())),
            _ => Val::AnyRef(AnyRef::from_raw(&mut store, raw.get_anyref())),
        }
    }

    /// The null `funcref` (of type `nullfuncref`).
    ///
    /// ```
    /// assert!(matches!(wasmtime_mbt::Val::null_func_ref(), wasmtime_mbt::Val::FuncRef(None)));
    /// ```
    #[inline]
    pub const fn null_func_ref() -> Val {
        Val::FuncRef(None)
    }

    /// The null `externref` (of type `nullexternref`).
    ///
    /// ```
    /// assert!(matches!(wasmtime_mbt::Val::null_extern_ref(), wasmtime_mbt::Val::ExternRef(None)));
    /// ```
    #[inline]
    pub const fn null_extern_ref() -> Val {
        Val::ExternRef(None)
    }

    /// The null `anyref` (of type `nullref`).
    ///
    /// ```
    /// assert!(matches!(wasmtime_mbt::Val::null_any_ref(), wasmtime_mbt::Val::AnyRef(None)));
    /// ```
    #[inline]
    pub const fn null_any_ref() -> Val {
        Val::AnyRef(None)
    }

    /// The value's most precise type, as `wasmtime::Val::ty`: a null
    /// reference has its hierarchy's bottom type (like `wasmtime`, a null
    /// `externref` reports `nullfuncref`), a function `(ref $concrete)`.
    ///
    /// Panics if a reference belongs to another store, as `wasmtime`; a
    /// non-null `anyref` has its precise heap type (`i31`, `struct`, …),
    /// an `Err` if it has been unrooted.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// assert_eq!(Val::I64(1).ty(&store)?, ValType::I64);
    /// assert_eq!(Val::null_func_ref().ty(&store)?, ValType::NULLFUNCREF);
    /// assert_eq!(Val::null_any_ref().ty(&store)?, ValType::NULLREF);
    /// let f = Func::wrap(&mut store, || {});
    /// assert_eq!(Val::from(f).ty(&store)?, ValType::Ref(RefType::new(false, HeapType::ConcreteFunc(f.ty(&store)))));
    /// let r = ExternRef::new(&mut store, ())?;
    /// assert_eq!(Val::from(r).ty(&store)?, ValType::EXTERNREF);
    /// # Ok(()) }
    /// ```
    pub fn ty(&self, store: impl AsContext) -> Result<ValType> {
        let store = store.as_context();
        self.assert_belongs_to(&store.0.opaque);
        Ok(match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(None) | Val::ExternRef(None) => ValType::NULLFUNCREF,
            Val::FuncRef(Some(f)) => ValType::Ref(RefType::new(false, HeapType::ConcreteFunc(f.ty(&store)))),
            Val::ExternRef(Some(_)) => ValType::EXTERNREF,
            Val::AnyRef(None) => ValType::NULLREF,
            Val::AnyRef(Some(a)) => ValType::Ref(RefType::new(false, a.ty_in(&store.0.opaque)?)),
            Val::ExnRef(None) => ValType::NULLEXNREF,
            Val::ExnRef(Some(e)) => ValType::Ref(RefType::new(false, HeapType::ConcreteExn(e.ty(&store)?))),
            Val::ContRef(_) => return Err(crate::Error::msg("continuation references not yet supported in embedder API")),
        })
    }

    /// Does this value have type `ty` (or a subtype of it), as
    /// `wasmtime::Val::matches_ty`? Panics if a reference belongs to
    /// another store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// assert!(Val::I32(1).matches_ty(&store, &ValType::I32)?);
    /// assert!(!Val::I32(1).matches_ty(&store, &ValType::I64)?);
    /// assert!(Val::null_extern_ref().matches_ty(&store, &ValType::EXTERNREF)?);
    /// assert!(!Val::null_extern_ref().matches_ty(&store, &ValType::Ref(RefType::new(false, HeapType::Extern)))?);
    /// let f = Func::wrap(&mut store, || {});
    /// assert!(Val::from(f).matches_ty(&store, &ValType::FUNCREF)?);
    /// assert!(!Val::from(f).matches_ty(&store, &ValType::ANYREF)?);
    /// # Ok(()) }
    /// ```
    pub fn matches_ty(&self, store: impl AsContext, ty: &ValType) -> Result<bool> {
        let store = store.as_context();
        self.assert_belongs_to(&store.0.opaque);
        assert!(ty.comes_from_same_engine(store.engine()));
        match (self, ty) {
            // The precise type of a non-null `anyref` comes from the store.
            (Val::AnyRef(Some(a)), ValType::Ref(r)) => Ok(a.ty_in(&store.0.opaque)?.matches(r.heap_type())),
            // A concrete type: the value's own type decides.
            (Val::FuncRef(Some(f)), ValType::Ref(r)) if r.heap_type().is_concrete_func() => {
                Ok(HeapType::ConcreteFunc(f.ty(&store)).matches(r.heap_type()))
            }
            (Val::ExnRef(Some(e)), ValType::Ref(r)) if r.heap_type().is_concrete_exn() => {
                Ok(HeapType::ConcreteExn(e.ty(&store)?).matches(r.heap_type()))
            }
            _ => Ok(self.fits(ty)),
        }
    }

    /// Whether this value is of type `ty` (no store check).
    pub(crate) fn fits(&self, ty: &ValType) -> bool {
        let r = match (self, ty) {
            (Val::I32(_), ValType::I32)
            | (Val::I64(_), ValType::I64)
            | (Val::F32(_), ValType::F32)
            | (Val::F64(_), ValType::F64)
            | (Val::V128(_), ValType::V128) => return true,
            (_, ValType::Ref(r)) => r,
            _ => return false,
        };
        let (is_null, top) = match self {
            Val::FuncRef(f) => (f.is_none(), HeapType::Func),
            Val::ExternRef(e) => (e.is_none(), HeapType::Extern),
            Val::AnyRef(a) => (a.is_none(), HeapType::Any),
            Val::ExnRef(e) => (e.is_none(), HeapType::Exn),
            _ => return false,
        };
        if r.heap_type().top() != top {
            return false;
        }
        if is_null {
            r.is_nullable()
        } else {
            // A non-null reference's precise heap type is not tracked here:
            // accept any `anyref` type, and any non-bottom type of the other
            // hierarchies (a concrete one is checked by `matches_ty` with
            // the store, or by C).
            top == HeapType::Any || !r.heap_type().is_bottom()
        }
    }

    /// Panics, as `wasmtime` does, if a reference in this value belongs to
    /// another store than `store`.
    #[inline]
    pub(crate) fn assert_belongs_to(&self, store: &StoreOpaque) {
        let id = match self {
            Val::FuncRef(Some(f)) => f.0.store_id,
            Val::ExternRef(Some(r)) => return r.index().assert_store(store),
            Val::AnyRef(Some(r)) => return r.index().assert_store(store),
            Val::ExnRef(Some(r)) => return r.index().assert_store(store),
            _ => return,
        };
        store.assert_id(id);
    }

    /// The zero value (or null reference) of a type, or `None` for a
    /// non-nullable reference type, as `wasmtime::Val::default_for_ty`.
    ///
    /// ```
    /// use wasmtime_mbt::{HeapType, RefType, Val, ValType};
    /// assert_eq!(Val::default_for_ty(&ValType::I64).unwrap().unwrap_i64(), 0);
    /// assert!(matches!(Val::default_for_ty(&ValType::FUNCREF), Some(Val::FuncRef(None))));
    /// assert!(Val::default_for_ty(&ValType::Ref(RefType::new(false, HeapType::Func))).is_none());
    /// ```
    pub fn default_for_ty(ty: &ValType) -> Option<Val> {
        Some(match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(V128(0)),
            ValType::Ref(r) if r.is_nullable() => match r.heap_type().top() {
                HeapType::Func => Val::FuncRef(None),
                HeapType::Extern => Val::ExternRef(None),
                HeapType::Any => Val::AnyRef(None),
                HeapType::Exn => Val::ExnRef(None),
                _ => return None,
            },
            ValType::Ref(_) => return None,
        })
    }

    /// A placeholder for a result slot of type `ty`: its default, or a
    /// null of its hierarchy for non-nullable references (which the host
    /// function must overwrite).
    pub(crate) fn placeholder(ty: &ValType) -> Val {
        Val::default_for_ty(ty).unwrap_or_else(|| match ty.val_kind() {
            Some(sys::WASMTIME_FUNCREF) => Val::FuncRef(None),
            Some(sys::WASMTIME_EXTERNREF) => Val::ExternRef(None),
            Some(sys::WASMTIME_EXNREF) => Val::ExnRef(None),
            _ => Val::AnyRef(None),
        })
    }

    /// The `WASMTIME_*` kind of this value.
    #[inline]
    fn kind(&self) -> u32 {
        match self {
            Val::I32(_) => sys::WASMTIME_I32,
            Val::I64(_) => sys::WASMTIME_I64,
            Val::F32(_) => sys::WASMTIME_F32,
            Val::F64(_) => sys::WASMTIME_F64,
            Val::V128(_) => sys::WASMTIME_V128,
            Val::FuncRef(_) => sys::WASMTIME_FUNCREF,
            Val::ExternRef(_) => sys::WASMTIME_EXTERNREF,
            Val::AnyRef(_) => sys::WASMTIME_ANYREF,
            Val::ExnRef(_) => sys::WASMTIME_EXNREF,
            // Never written to C: `write_raw` refuses it first.
            Val::ContRef(_) => u32::MAX,
        }
    }

    /// A short name of this value's kind, for messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Val::I32(_) => "i32",
            Val::I64(_) => "i64",
            Val::F32(_) => "f32",
            Val::F64(_) => "f64",
            Val::V128(_) => "v128",
            Val::FuncRef(_) => "funcref",
            Val::ExternRef(_) => "externref",
            Val::AnyRef(_) => "anyref",
            Val::ExnRef(_) => "exnref",
            Val::ContRef(_) => "contref",
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
    pub(crate) fn to_c_view(self, store: &StoreOpaque) -> Result<sys::wasmtime_val_t> {
        let mut raw = MaybeUninit::uninit();
        self.write_raw(store, &mut raw)?;
        // SAFETY: `write_raw` initialised the kind and the matching union
        // field; a union needs no more.
        Ok(unsafe { raw.assume_init() })
    }

    /// [`Val::to_c_view`] straight into a C slot. Writing the fields in place
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
                Val::ExternRef(r) => (&raw mut (*of).externref).write(match r {
                    Some(r) => extern_raw(r.raw_view(store)?.raw()),
                    None => Default::default(),
                }),
                Val::AnyRef(r) => (&raw mut (*of).anyref).write(match r {
                    Some(r) => any_raw(r.raw_view(store)?.raw()),
                    None => Default::default(),
                }),
                Val::ExnRef(r) => (&raw mut (*of).exnref).write(match r {
                    Some(r) => exn_raw(r.raw_view(store)?.raw()),
                    None => Default::default(),
                }),
                Val::ContRef(_) => return Err(crate::Error::msg("continuation references not yet supported in to_raw conversion")),
            }
            (&raw mut (*p).kind).write(self.kind() as sys::wasmtime_valkind_t);
        }
        Ok(())
    }

    /// Like [`Val::to_raw`] but gives C a new root of its own for any
    /// reference, for host function results (C takes ownership of them).
    pub(crate) fn into_raw(self, store: &StoreOpaque) -> Result<sys::wasmtime_val_t> {
        let mut raw = self.to_c_view(store)?;
        match self {
            Val::ExternRef(Some(r)) => raw.of.externref = extern_raw(r.clone_for_c(store)?),
            Val::AnyRef(Some(r)) => raw.of.anyref = any_raw(r.clone_for_c(store)?),
            Val::ExnRef(Some(r)) => raw.of.exnref = exn_raw(r.clone_for_c(store)?),
            _ => {}
        }
        Ok(raw)
    }

    /// Takes ownership of a C value (results of calls, global/table reads),
    /// rooting any reference in `store`'s current scope.
    ///
    /// # Safety
    /// `raw` must be an initialised, owned value of `store`.
    #[inline]
    pub(crate) unsafe fn from_raw_owned(store: &StoreOpaque, raw: sys::wasmtime_val_t) -> Result<Val> {
        // SAFETY: the union field read matches `kind`; references are owned
        // and each is given to one `CRoot`.
        unsafe {
            Ok(match u32::from(raw.kind) {
                sys::WASMTIME_I32 => Val::I32(raw.of.i32_),
                sys::WASMTIME_I64 => Val::I64(raw.of.i64_),
                sys::WASMTIME_F32 => Val::F32(raw.of.f32_.to_bits()),
                sys::WASMTIME_F64 => Val::F64(raw.of.f64_.to_bits()),
                sys::WASMTIME_V128 => Val::V128(V128(u128::from_le_bytes(raw.of.v128))),
                sys::WASMTIME_FUNCREF => Val::FuncRef(Func::from_raw_nullable(raw.of.funcref)),
                sys::WASMTIME_EXTERNREF => Val::ExternRef(CRoot::from_owned(RawRoot::Extern(raw.of.externref)).map(|r| Rooted::new(store, r))),
                sys::WASMTIME_ANYREF => Val::AnyRef(CRoot::from_owned(RawRoot::Any(raw.of.anyref)).map(|r| Rooted::new(store, r))),
                sys::WASMTIME_EXNREF => Val::ExnRef(CRoot::from_owned(RawRoot::Exn(raw.of.exnref)).map(|r| Rooted::new(store, r))),
                _ => return Err(unsupported_kind(raw)),
            })
        }
    }

    /// Takes ownership of every value into `slots`, converting all of them
    /// even when one fails (so none is leaked), and returns the first error.
    ///
    /// # Safety
    /// As for [`Val::from_raw_owned`], for each value.
    pub(crate) unsafe fn fill_from_raw_owned(store: &StoreOpaque, slots: &mut [Val], raws: &[sys::wasmtime_val_t]) -> Result<()> {
        let mut first_error = None;
        for (slot, raw) in slots.iter_mut().zip(raws) {
            // SAFETY: forwarded.
            match unsafe { Val::from_raw_owned(store, *raw) } {
                Ok(v) => *slot = v,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Copies a borrowed C value (host function arguments), taking new
    /// roots for references in `store`'s current scope.
    ///
    /// # Safety
    /// `raw` must be an initialised, live value of `store`.
    pub(crate) unsafe fn from_raw_borrowed(store: &StoreOpaque, raw: &sys::wasmtime_val_t) -> Result<Val> {
        let mut owned = sys::wasmtime_val_t { kind: raw.kind, of: raw.of };
        // SAFETY: `wasmtime_val_clone` makes an owned copy of a live value.
        unsafe {
            sys::wasmtime_val_clone(raw, &mut owned);
            Val::from_raw_owned(store, owned)
        }
    }
}

/// The error for a C value of a kind [`Val`] cannot hold;
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
    Rooted<ExternRef> => |v| Val::ExternRef(Some(v));
    Option<Rooted<ExternRef>> => |v| Val::ExternRef(v);
    Rooted<AnyRef> => |v| Val::AnyRef(Some(v));
    Option<Rooted<AnyRef>> => |v| Val::AnyRef(v);
    Rooted<ExnRef> => |v| Val::ExnRef(Some(v));
    Option<Rooted<ExnRef>> => |v| Val::ExnRef(v);
    Rooted<crate::StructRef> => |v| Val::AnyRef(Some(v.to_anyref()));
    Option<Rooted<crate::StructRef>> => |v| Val::AnyRef(v.map(|r| r.to_anyref()));
    Rooted<crate::ArrayRef> => |v| Val::AnyRef(Some(v.to_anyref()));
    Option<Rooted<crate::ArrayRef>> => |v| Val::AnyRef(v.map(|r| r.to_anyref()));
    crate::Ref => |v| match v {
        crate::Ref::Func(f) => Val::FuncRef(f),
        crate::Ref::Extern(e) => Val::ExternRef(e),
        crate::Ref::Any(a) => Val::AnyRef(a),
        crate::Ref::Exn(e) => Val::ExnRef(e),
    };
    u128 => |v| Val::V128(V128(v));
}

/// The C struct of a resolved root of each kind. A `Rooted<T>` only ever
/// holds roots of `T`'s kind, so another kind is a bug: it yields null.
macro_rules! raw_of_kind {
    ($($name:ident: $variant:ident => $ty:ty;)*) => {$(
        #[inline]
        fn $name(raw: RawRoot) -> $ty {
            match raw {
                RawRoot::$variant(r) => r,
                _ => {
                    debug_assert!(false, "root of the wrong kind");
                    <$ty>::default()
                }
            }
        }
    )*};
}

raw_of_kind! {
    extern_raw: Extern => sys::wasmtime_externref_t;
    any_raw: Any => sys::wasmtime_anyref_t;
    exn_raw: Exn => sys::wasmtime_exnref_t;
}

impl From<V128> for u128 {
    /// ```
    /// assert_eq!(u128::from(wasmtime_mbt::V128::from(5u128)), 5);
    /// ```
    fn from(v: V128) -> u128 {
        v.0
    }
}
