//! `Ref`: a reference value of any hierarchy, as `wasmtime::Ref` (what
//! tables hold).

use crate::{AnyRef, AsContext, ExnRef, ExternRef, Func, HeapType, RefType, Result, Rooted, Val, ValType};

/// A reference value, possibly null, as `wasmtime::Ref`: one variant per
/// type hierarchy, so a null still knows its type.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::<()>::default();
/// let r = Ref::from(ExternRef::new(&mut store, 1u8)?);
/// assert!(r.is_extern() && r.is_non_null());
/// assert!(r.unwrap_extern().unwrap().data(&store)?.is_some());
/// assert_eq!(r.ty(&store)?, RefType::new(false, HeapType::Extern));
/// assert!(Ref::null(&HeapType::Func).is_null());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub enum Ref {
    /// A `funcref`; `None` is null.
    Func(Option<Func>),
    /// An `externref`; `None` is null.
    Extern(Option<Rooted<ExternRef>>),
    /// An `anyref`; `None` is null.
    Any(Option<Rooted<AnyRef>>),
    /// An `exnref`; `None` is null.
    Exn(Option<Rooted<ExnRef>>),
}

macro_rules! from_impls {
    ($($ty:ty => $variant:ident;)*) => {$(
        impl From<$ty> for Ref {
            #[inline]
            fn from(r: $ty) -> Ref {
                Ref::$variant(Some(r))
            }
        }

        impl From<Option<$ty>> for Ref {
            #[inline]
            fn from(r: Option<$ty>) -> Ref {
                Ref::$variant(r)
            }
        }
    )*};
}

from_impls! {
    Func => Func;
    Rooted<ExternRef> => Extern;
    Rooted<AnyRef> => Any;
    Rooted<ExnRef> => Exn;
}

impl From<Rooted<crate::StructRef>> for Ref {
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let pre = StructRefPre::new(&mut store, StructType::new(&engine, [])?);
    /// let r = Ref::from(StructRef::new(&mut store, &pre, &[])?);
    /// assert!(r.unwrap_any().unwrap().is_struct(&store)?);
    /// # Ok(()) }
    /// ```
    fn from(r: Rooted<crate::StructRef>) -> Ref {
        Ref::Any(Some(r.to_anyref()))
    }
}

impl From<Option<Rooted<crate::StructRef>>> for Ref {
    fn from(r: Option<Rooted<crate::StructRef>>) -> Ref {
        Ref::Any(r.map(|r| r.to_anyref()))
    }
}

impl From<Rooted<crate::ArrayRef>> for Ref {
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let pre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8)));
    /// let r = Ref::from(ArrayRef::new(&mut store, &pre, &Val::I32(0), 1)?);
    /// assert!(r.unwrap_any().unwrap().is_array(&store)?);
    /// # Ok(()) }
    /// ```
    fn from(r: Rooted<crate::ArrayRef>) -> Ref {
        Ref::Any(Some(r.to_anyref()))
    }
}

impl From<Option<Rooted<crate::ArrayRef>>> for Ref {
    fn from(r: Option<Rooted<crate::ArrayRef>>) -> Ref {
        Ref::Any(r.map(|r| r.to_anyref()))
    }
}

macro_rules! accessors {
    ($($is:ident $as:ident $unwrap:ident: $variant:ident => $ty:ty, $what:literal;)*) => {
        impl Ref {$(
            #[doc = concat!("Whether this is ", $what, " (possibly null).")]
            #[inline]
            pub fn $is(&self) -> bool {
                matches!(self, Ref::$variant(_))
            }

            #[doc = concat!("The reference if this is ", $what, ": `Some(None)` for its null.")]
            #[inline]
            pub fn $as(&self) -> Option<Option<&$ty>> {
                match self {
                    Ref::$variant(r) => Some(r.as_ref()),
                    _ => None,
                }
            }

            #[doc = concat!("The reference, which must be ", $what, "; panics otherwise.")]
            ///
            /// ```
            /// use wasmtime_mbt::{HeapType, Ref};
            #[doc = concat!("assert!(std::panic::catch_unwind(|| { Ref::null(&HeapType::I31).", stringify!($unwrap), "(); }).is_ok() == Ref::null(&HeapType::I31).", stringify!($is), "());")]
            /// ```
            #[inline]
            pub fn $unwrap(&self) -> Option<&$ty> {
                self.$as().expect(concat!("Ref::", stringify!($unwrap), " on non-", stringify!($variant), " reference"))
            }
        )*}
    };
}

accessors! {
    is_func as_func unwrap_func: Func => Func, "a `funcref`";
    is_extern as_extern unwrap_extern: Extern => Rooted<ExternRef>, "an `externref`";
    is_any as_any unwrap_any: Any => Rooted<AnyRef>, "an `anyref`";
    is_exn as_exn unwrap_exn: Exn => Rooted<ExnRef>, "an `exnref`";
}

impl Ref {
    /// The null reference of `heap_type`'s hierarchy. Panics for the `cont`
    /// hierarchy, which the C API does not have.
    ///
    /// ```
    /// use wasmtime_mbt::{HeapType, Ref};
    /// assert!(matches!(Ref::null(&HeapType::NoExtern), Ref::Extern(None)));
    /// ```
    #[inline]
    pub fn null(heap_type: &HeapType) -> Self {
        match heap_type.top() {
            HeapType::Any => Ref::Any(None),
            HeapType::Extern => Ref::Extern(None),
            HeapType::Func => Ref::Func(None),
            HeapType::Exn => Ref::Exn(None),
            ty => unreachable!("not a heap type: {ty:?}"),
        }
    }

    /// Whether this is a null reference.
    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Ref::Any(None) | Ref::Extern(None) | Ref::Func(None) | Ref::Exn(None))
    }

    /// Whether this is not a null reference.
    #[inline]
    pub fn is_non_null(&self) -> bool {
        !self.is_null()
    }

    /// The reference's most precise type, as `wasmtime::Ref::ty`: nullable
    /// only for a null, whose heap type is its hierarchy's bottom (`none`
    /// for a null `exnref`, as `wasmtime`'s). Panics for another store's
    /// reference.
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> Result<RefType> {
        let store = store.as_context();
        Val::from(self.clone()).assert_belongs_to(&store.0.opaque);
        let heap = match self {
            Ref::Extern(None) => HeapType::NoExtern,
            Ref::Extern(Some(_)) => HeapType::Extern,
            Ref::Func(None) => HeapType::NoFunc,
            Ref::Func(Some(f)) => HeapType::ConcreteFunc(f.ty(&store)),
            Ref::Any(None) => HeapType::None,
            Ref::Any(Some(a)) => a.ty_in(&store.0.opaque)?,
            Ref::Exn(None) => HeapType::None,
            Ref::Exn(Some(e)) => HeapType::ConcreteExn(e.ty(&store)?),
        };
        Ok(RefType::new(self.is_null(), heap))
    }

    /// Whether the reference has type `ty` (or a subtype); panics for
    /// another store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let store = Store::<()>::default();
    /// assert!(Ref::Func(None).matches_ty(&store, &RefType::FUNCREF)?);
    /// assert!(!Ref::Func(None).matches_ty(&store, &RefType::new(false, HeapType::Func))?);
    /// assert!(!Ref::Func(None).matches_ty(&store, &RefType::EXTERNREF)?);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn matches_ty(&self, store: impl AsContext, ty: &RefType) -> Result<bool> {
        Val::from(self.clone()).matches_ty(store, &ValType::Ref(ty.clone()))
    }
}
