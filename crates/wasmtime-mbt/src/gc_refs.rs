//! The `any` hierarchy's GC objects, as `wasmtime`'s: [`EqRef`],
//! [`StructRef`], [`ArrayRef`] with their allocators ([`StructRefPre`],
//! [`ArrayRefPre`]), the downcasts of [`AnyRef`], and exception objects
//! ([`ExnRef::new`], [`ExnRefPre`], …).
//!
//! Every reference of the `any` hierarchy is kept in the root set as a C
//! `anyref` root, so upcasts (`to_anyref`, `to_eqref`) are free and need no
//! store, as in `wasmtime`. An operation that needs a C `structref` or
//! `arrayref` makes a temporary one with `wasmtime_anyref_as_struct`/
//! `_as_array` (which also checks the object's kind) and unroots it after.

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::gc_types::Shared;
use crate::rooting::{CRoot, GcRefImpl, GcRootIndex, RawRoot};
use crate::store::StoreOpaque;
use crate::{
    AnyRef, ArrayType, AsContext, AsContextMut, Engine, Error, ExnRef, ExnType, HeapType, OwnedRooted, Result, Rooted,
    StoreContextMut, StructType, Tag, Val, I31,
};

/// A zeroed C reference struct (null), for C functions to fill in.
fn null_ref<T: Copy>() -> T {
    // SAFETY: only used for the C reference structs (`u64`, two `u32`s and
    // a pointer), for which all-zero is the null reference.
    unsafe { std::mem::zeroed() }
}

/// The C `anyref` root of a reference of the `any` hierarchy: panics for
/// another store's, `Err` for an unrooted one.
#[track_caller]
fn any_root(index: &GcRootIndex, opaque: &StoreOpaque) -> Result<sys::wasmtime_anyref_t> {
    match index.resolve(opaque)?.raw() {
        RawRoot::Any(raw) => Ok(raw),
        _ => Err(Error::msg("not an anyref reference")),
    }
}

/// Roots a new clone of `any` in the current scope as a `T`.
fn root_any_as<T: crate::GcRef>(opaque: &StoreOpaque, any: &sys::wasmtime_anyref_t) -> Rooted<T> {
    Rooted::new(opaque, CRoot::clone_of(&RawRoot::Any(*any)))
}

/// A temporary C `structref` root, unrooted on drop.
struct StructView(sys::wasmtime_structref_t);

impl Drop for StructView {
    fn drop(&mut self) {
        // SAFETY: an owned root made by `wasmtime_anyref_as_struct`.
        unsafe { sys::wasmtime_structref_unroot(&mut self.0) }
    }
}

/// A temporary C `arrayref` root, unrooted on drop.
struct ArrayView(sys::wasmtime_arrayref_t);

impl Drop for ArrayView {
    fn drop(&mut self) {
        // SAFETY: an owned root made by `wasmtime_anyref_as_array`.
        unsafe { sys::wasmtime_arrayref_unroot(&mut self.0) }
    }
}

fn struct_view(opaque: &StoreOpaque, any: &sys::wasmtime_anyref_t) -> Result<StructView> {
    let mut out = null_ref();
    // SAFETY: the root is live in this store; on `true` `out` is an owned root.
    if unsafe { sys::wasmtime_anyref_as_struct(opaque.context(), any, &mut out) } {
        Ok(StructView(out))
    } else {
        Err(Error::msg("the reference is not a structref"))
    }
}

fn array_view(opaque: &StoreOpaque, any: &sys::wasmtime_anyref_t) -> Result<ArrayView> {
    let mut out = null_ref();
    // SAFETY: the root is live in this store; on `true` `out` is an owned root.
    if unsafe { sys::wasmtime_anyref_as_array(opaque.context(), any, &mut out) } {
        Ok(ArrayView(out))
    } else {
        Err(Error::msg("the reference is not an arrayref"))
    }
}

/// Converts and roots an owned C value read from a GC object.
///
/// # Safety
/// `raw` must be an owned, initialised value of `opaque`.
unsafe fn take_val(opaque: &StoreOpaque, raw: sys::wasmtime_val_t) -> Result<Val> {
    // SAFETY: forwarded.
    unsafe { Val::from_raw_owned(opaque, raw) }
}

macro_rules! any_sub_ref {
    ($(#[$doc:meta])* $name:ident: $heap:ident;) => {
        $(#[$doc])*
        #[derive(Debug)]
        #[repr(transparent)]
        pub struct $name {
            inner: GcRootIndex,
        }

        impl GcRefImpl for $name {
            const TOP: HeapType = HeapType::$heap;

            fn transmute_ref(index: &GcRootIndex) -> &Self {
                // SAFETY: `Self` is a `repr(transparent)` newtype of a
                // `GcRootIndex`, so the pointer cast keeps layout and lifetime.
                unsafe { &*(index as *const GcRootIndex).cast::<Self>() }
            }

            fn root_from_wasm(store: &StoreOpaque, raw: u32) -> Option<CRoot> {
                AnyRef::root_from_wasm(store, raw)
            }

            fn into_val(r: Option<Rooted<Self>>) -> Val {
                Val::AnyRef(r.map(Rooted::unchecked_cast))
            }

            fn from_val(val: &Val) -> Option<Option<Rooted<Self>>> {
                match val {
                    Val::AnyRef(r) => Some(r.map(Rooted::unchecked_cast)),
                    _ => None,
                }
            }
        }

        #[allow(dead_code)]
        impl $name {
            #[track_caller]
            fn any(&self, opaque: &StoreOpaque) -> Result<sys::wasmtime_anyref_t> {
                any_root(&self.inner, opaque)
            }

            fn as_anyref(&self) -> &AnyRef {
                AnyRef::transmute_ref(&self.inner)
            }
        }

        impl Rooted<$name> {
            /// Upcasts to an `anyref` (the same root; no store needed).
            ///
            /// ```
            /// # fn main() -> wasmtime_mbt::Result<()> {
            /// use wasmtime_mbt::*;
            /// let mut store = Store::<()>::default();
            /// let e = EqRef::from_i31(&mut store, I31::wrapping_u32(3));
            /// assert_eq!(e.to_anyref().unwrap_i31(&store)?.get_u32(), 3);
            /// # Ok(()) }
            /// ```
            pub fn to_anyref(self) -> Rooted<AnyRef> {
                self.unchecked_cast()
            }
        }

        impl OwnedRooted<$name> {
            /// Upcasts to an `anyref` (the same root; no store needed).
            ///
            /// ```
            /// # fn main() -> wasmtime_mbt::Result<()> {
            /// use wasmtime_mbt::*;
            /// let mut store = Store::<()>::default();
            /// let e = EqRef::from_i31(&mut store, I31::wrapping_u32(3)).to_owned_rooted(&mut store)?;
            /// assert!(e.to_anyref().is_i31(&store)?);
            /// # Ok(()) }
            /// ```
            pub fn to_anyref(self) -> OwnedRooted<AnyRef> {
                self.unchecked_cast()
            }
        }

        impl From<Rooted<$name>> for Rooted<AnyRef> {
            fn from(r: Rooted<$name>) -> Self {
                r.to_anyref()
            }
        }

        impl From<OwnedRooted<$name>> for OwnedRooted<AnyRef> {
            fn from(r: OwnedRooted<$name>) -> Self {
                r.to_anyref()
            }
        }
    };
}

any_sub_ref! {
    /// A reference to an object of the `eq` hierarchy (`i31`, struct or
    /// array), as `wasmtime::EqRef`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let e = EqRef::from_i31(&mut store, I31::wrapping_i32(-2));
    /// assert_eq!(e.unwrap_i31(&store)?.get_i32(), -2);
    /// assert!(!e.is_struct(&store)? && !e.is_array(&store)?);
    /// assert_eq!(e.ty(&store)?, HeapType::I31);
    /// # Ok(()) }
    /// ```
    EqRef: Eq;
}

any_sub_ref! {
    /// A reference to a GC struct, as `wasmtime::StructRef`; made by
    /// [`StructRef::new`] or by wasm (`struct.new`). Needs
    /// `Config::wasm_gc`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = StructType::new(&engine, [FieldType::new(Mutability::Var, ValType::I32.into())])?;
    /// let pre = StructRefPre::new(&mut store, ty);
    /// let s = StructRef::new(&mut store, &pre, &[Val::I32(1)])?;
    /// s.set_field(&mut store, 0, Val::I32(2))?;
    /// assert_eq!(s.field(&mut store, 0)?.unwrap_i32(), 2);
    /// # Ok(()) }
    /// ```
    StructRef: Struct;
}

any_sub_ref! {
    /// A reference to a GC array, as `wasmtime::ArrayRef`; made by
    /// [`ArrayRef::new`] or by wasm (`array.new`). Needs `Config::wasm_gc`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8));
    /// let pre = ArrayRefPre::new(&mut store, ty);
    /// let a = ArrayRef::new(&mut store, &pre, &Val::I32(7), 3)?;
    /// assert_eq!(a.len(&store)?, 3);
    /// a.set(&mut store, 1, Val::I32(0x1ff))?;
    /// assert_eq!(a.get(&mut store, 1)?.unwrap_i32(), 0xff);
    /// # Ok(()) }
    /// ```
    ArrayRef: Array;
}

macro_rules! eq_upcasts {
    ($($name:ident),*) => {$(
        impl Rooted<$name> {
            /// Upcasts to an `eqref` (the same root; no store needed).
            pub fn to_eqref(self) -> Rooted<EqRef> {
                self.unchecked_cast()
            }
        }

        impl OwnedRooted<$name> {
            /// Upcasts to an `eqref` (the same root; no store needed).
            pub fn to_eqref(self) -> OwnedRooted<EqRef> {
                self.unchecked_cast()
            }
        }

        impl From<Rooted<$name>> for Rooted<EqRef> {
            fn from(r: Rooted<$name>) -> Self {
                r.to_eqref()
            }
        }

        impl From<OwnedRooted<$name>> for OwnedRooted<EqRef> {
            fn from(r: OwnedRooted<$name>) -> Self {
                r.to_eqref()
            }
        }
    )*};
}

eq_upcasts!(StructRef, ArrayRef);

/// Downcasts shared by `AnyRef` and `EqRef`, over a C `anyref` root.
#[track_caller]
fn query(opaque: &StoreOpaque, any: &sys::wasmtime_anyref_t, f: unsafe extern "C" fn(*mut sys::wasmtime_context_t, *const sys::wasmtime_anyref_t) -> bool) -> bool {
    // SAFETY: the root is live in this store; `f` only reads it.
    unsafe { f(opaque.context(), any) }
}

fn downcast<T: crate::GcRef>(
    opaque: &StoreOpaque,
    any: &sys::wasmtime_anyref_t,
    is: unsafe extern "C" fn(*mut sys::wasmtime_context_t, *const sys::wasmtime_anyref_t) -> bool,
) -> Option<Rooted<T>> {
    query(opaque, any, is).then(|| root_any_as(opaque, any))
}

impl AnyRef {
    /// This reference as an `eqref`, if it is one (a new root in the
    /// current scope), as `wasmtime::AnyRef::as_eqref`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let a = AnyRef::from_i31(&mut store, I31::wrapping_u32(5));
    /// let e = a.as_eqref(&mut store)?.unwrap();
    /// assert_eq!(e.as_i31(&store)?, Some(I31::wrapping_u32(5)));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn as_eqref(&self, mut store: impl AsContextMut) -> Result<Option<Rooted<EqRef>>> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let any = self.c_root(opaque)?;
        Ok(downcast(opaque, &any, sys::wasmtime_anyref_is_eqref))
    }

    /// This reference as an `eqref`; panics if it is not one.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let a = AnyRef::from_i31(&mut store, I31::wrapping_u32(5));
    /// assert!(a.unwrap_eqref(&mut store)?.is_i31(&store)?);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn unwrap_eqref(&self, store: impl AsContextMut) -> Result<Rooted<EqRef>> {
        Ok(self.as_eqref(store)?.expect("AnyRef::unwrap_eqref on non-eqref"))
    }

    /// This reference as a `structref`, if it is one, as
    /// `wasmtime::AnyRef::as_struct`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let a = AnyRef::from_i31(&mut store, I31::wrapping_u32(5));
    /// assert!(a.as_struct(&store)?.is_none());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn as_struct(&self, store: impl AsContext) -> Result<Option<Rooted<StructRef>>> {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        let any = self.c_root(opaque)?;
        Ok(downcast(opaque, &any, sys::wasmtime_anyref_is_struct))
    }

    /// This reference as a `structref`; panics if it is not one.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let pre = StructRefPre::new(&mut store, StructType::new(&engine, [])?);
    /// let any = StructRef::new(&mut store, &pre, &[])?.to_anyref();
    /// assert!(any.unwrap_struct(&store)?.fields(&mut store)?.next().is_none());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn unwrap_struct(&self, store: impl AsContext) -> Result<Rooted<StructRef>> {
        Ok(self.as_struct(store)?.expect("AnyRef::unwrap_struct on non-structref"))
    }

    /// This reference as an `arrayref`, if it is one, as
    /// `wasmtime::AnyRef::as_array`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let a = AnyRef::from_i31(&mut store, I31::wrapping_u32(5));
    /// assert!(a.as_array(&store)?.is_none());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn as_array(&self, store: impl AsContext) -> Result<Option<Rooted<ArrayRef>>> {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        let any = self.c_root(opaque)?;
        Ok(downcast(opaque, &any, sys::wasmtime_anyref_is_array))
    }

    /// This reference as an `arrayref`; panics if it is not one.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let pre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Const, StorageType::I8)));
    /// let any = ArrayRef::new(&mut store, &pre, &Val::I32(1), 2)?.to_anyref();
    /// assert_eq!(any.unwrap_array(&store)?.len(&store)?, 2);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn unwrap_array(&self, store: impl AsContext) -> Result<Rooted<ArrayRef>> {
        Ok(self.as_array(store)?.expect("AnyRef::unwrap_array on non-arrayref"))
    }
}

impl EqRef {
    /// An `i31ref` as an `eqref`, rooted in the current scope, as
    /// `wasmtime::EqRef::from_i31`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let e = EqRef::from_i31(&mut store, I31::wrapping_u32(1));
    /// assert!(e.is_i31(&store).unwrap());
    /// ```
    pub fn from_i31(mut store: impl AsContextMut, value: I31) -> Rooted<EqRef> {
        let store = store.as_context_mut();
        AnyRef::from_i31_in(&store.0.opaque, value).unchecked_cast()
    }

    /// The precise heap type of this reference, as `wasmtime::EqRef::ty`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// assert_eq!(EqRef::from_i31(&mut store, I31::default()).ty(&store).unwrap(), HeapType::I31);
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> Result<HeapType> {
        self.as_anyref().ty(store)
    }

    /// Whether this reference's type is `ty` or a subtype of it.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let e = EqRef::from_i31(&mut store, I31::default());
    /// assert!(e.matches_ty(&store, &HeapType::Eq).unwrap());
    /// ```
    #[track_caller]
    pub fn matches_ty(&self, store: impl AsContext, ty: &HeapType) -> Result<bool> {
        self.as_anyref().matches_ty(store, ty)
    }

    /// Whether this is an `i31ref`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// assert!(EqRef::from_i31(&mut store, I31::default()).is_i31(&store).unwrap());
    /// ```
    #[track_caller]
    pub fn is_i31(&self, store: impl AsContext) -> Result<bool> {
        self.as_anyref().is_i31(store)
    }

    /// The `i31` value, if this is an `i31ref`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let e = EqRef::from_i31(&mut store, I31::wrapping_u32(8));
    /// assert_eq!(e.as_i31(&store).unwrap().unwrap().get_u32(), 8);
    /// ```
    #[track_caller]
    pub fn as_i31(&self, store: impl AsContext) -> Result<Option<I31>> {
        self.as_anyref().as_i31(store)
    }

    /// The `i31` value; panics if this is not an `i31ref`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// assert_eq!(EqRef::from_i31(&mut store, I31::wrapping_u32(8)).unwrap_i31(&store).unwrap().get_u32(), 8);
    /// ```
    #[track_caller]
    pub fn unwrap_i31(&self, store: impl AsContext) -> Result<I31> {
        Ok(self.as_i31(store)?.expect("EqRef::unwrap_i31 on non-i31"))
    }

    /// Whether this is a `structref`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// assert!(!EqRef::from_i31(&mut store, I31::default()).is_struct(&store).unwrap());
    /// ```
    #[track_caller]
    pub fn is_struct(&self, store: impl AsContext) -> Result<bool> {
        self.as_anyref().is_struct(store)
    }

    /// This reference as a `structref`, if it is one.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// assert!(EqRef::from_i31(&mut store, I31::default()).as_struct(&store).unwrap().is_none());
    /// ```
    #[track_caller]
    pub fn as_struct(&self, store: impl AsContext) -> Result<Option<Rooted<StructRef>>> {
        self.as_anyref().as_struct(store)
    }

    /// This reference as a `structref`; panics if it is not one.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let pre = StructRefPre::new(&mut store, StructType::new(&engine, [])?);
    /// let eq = StructRef::new(&mut store, &pre, &[])?.to_eqref();
    /// assert!(eq.unwrap_struct(&store).is_ok());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn unwrap_struct(&self, store: impl AsContext) -> Result<Rooted<StructRef>> {
        Ok(self.as_struct(store)?.expect("EqRef::unwrap_struct on non-structref"))
    }

    /// Whether this is an `arrayref`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// assert!(!EqRef::from_i31(&mut store, I31::default()).is_array(&store).unwrap());
    /// ```
    #[track_caller]
    pub fn is_array(&self, store: impl AsContext) -> Result<bool> {
        self.as_anyref().is_array(store)
    }

    /// This reference as an `arrayref`, if it is one.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// assert!(EqRef::from_i31(&mut store, I31::default()).as_array(&store).unwrap().is_none());
    /// ```
    #[track_caller]
    pub fn as_array(&self, store: impl AsContext) -> Result<Option<Rooted<ArrayRef>>> {
        self.as_anyref().as_array(store)
    }

    /// This reference as an `arrayref`; panics if it is not one.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let pre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I16)));
    /// let eq = ArrayRef::new(&mut store, &pre, &Val::I32(0), 1)?.to_eqref();
    /// assert!(eq.unwrap_array(&store).is_ok());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn unwrap_array(&self, store: impl AsContext) -> Result<Rooted<ArrayRef>> {
        Ok(self.as_array(store)?.expect("EqRef::unwrap_array on non-arrayref"))
    }
}

/// Panics, as `wasmtime`, unless `ty` is of `engine`.
#[track_caller]
fn assert_engine(ty: &Engine, engine: &Engine) {
    assert!(Engine::same(ty, engine), "type used with the wrong engine");
}

/// An allocator of structs of one type in one store, as
/// `wasmtime::StructRefPre` (`wasmtime_struct_ref_pre_new`).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::new(Config::new().wasm_gc(true))?;
/// let mut store = Store::new(&engine, ());
/// let pre = StructRefPre::new(&mut store, StructType::new(&engine, [FieldType::new(Mutability::Const, StorageType::I8)])?);
/// for i in 0..3 {
///     let s = StructRef::new(&mut store, &pre, &[Val::I32(i)])?;
///     assert_eq!(s.field(&mut store, 0)?.unwrap_i32(), i);
/// }
/// # Ok(()) }
/// ```
pub struct StructRefPre {
    store_id: u64,
    ty: StructType,
    raw: Shared<sys::wasmtime_struct_ref_pre_t>,
}

impl StructRefPre {
    /// An allocator for `ty` in `store`. Panics if `ty` is of another
    /// engine than the store's.
    #[track_caller]
    pub fn new(mut store: impl AsContextMut, ty: StructType) -> Self {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        assert_engine(ty.engine(), opaque.engine());
        // SAFETY: the context and type are live; the result is owned.
        let raw = unsafe { Shared::from_raw(sys::wasmtime_struct_ref_pre_new(opaque.context(), ty.as_raw())) };
        StructRefPre { store_id: opaque.id(), ty, raw: raw.expect("struct allocator") }
    }
}

/// An allocator of arrays of one type in one store, as
/// `wasmtime::ArrayRefPre` (`wasmtime_array_ref_pre_new`).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::new(Config::new().wasm_gc(true))?;
/// let mut store = Store::new(&engine, ());
/// let pre = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Var, ValType::F64.into())));
/// let a = ArrayRef::new(&mut store, &pre, &Val::from(1.5f64), 4)?;
/// assert_eq!(a.get(&mut store, 3)?.unwrap_f64(), 1.5);
/// # Ok(()) }
/// ```
pub struct ArrayRefPre {
    store_id: u64,
    pub(crate) ty: ArrayType,
    raw: Shared<sys::wasmtime_array_ref_pre_t>,
}

impl ArrayRefPre {
    /// An allocator for `ty` in `store`. Panics if `ty` is of another
    /// engine than the store's.
    #[track_caller]
    pub fn new(mut store: impl AsContextMut, ty: ArrayType) -> Self {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        assert_engine(ty.engine(), opaque.engine());
        // SAFETY: the context and type are live; the result is owned.
        let raw = unsafe { Shared::from_raw(sys::wasmtime_array_ref_pre_new(opaque.context(), ty.as_raw())) };
        ArrayRefPre { store_id: opaque.id(), ty, raw: raw.expect("array allocator") }
    }
}

/// C views of `vals` for `opaque` (borrowed: C copies them).
fn raw_vals(opaque: &StoreOpaque, vals: &[Val]) -> Result<Vec<sys::wasmtime_val_t>> {
    vals.iter().map(|v| v.to_c_view(opaque)).collect()
}

/// Takes an owned C `structref`/`arrayref` as a root in the current scope
/// (kept as an `anyref` root).
fn root_new<T: crate::GcRef>(opaque: &StoreOpaque, any: sys::wasmtime_anyref_t) -> Result<Rooted<T>> {
    // SAFETY: `any` is an owned root, given to `CRoot`.
    let root = unsafe { CRoot::from_owned(RawRoot::Any(any)) }.ok_or_else(|| Error::msg("allocation returned null"))?;
    Ok(Rooted::new(opaque, root))
}

impl StructRef {
    /// A new struct with `fields`, rooted in the current scope
    /// (`wasmtime_structref_new`), as `wasmtime::StructRef::new`. `Err` if
    /// the values do not match the struct type's fields (or belong to
    /// another store); panics if `allocator` belongs to another store.
    #[track_caller]
    pub fn new(mut store: impl AsContextMut, allocator: &StructRefPre, fields: &[Val]) -> Result<Rooted<StructRef>> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.assert_id(allocator.store_id);
        let n = allocator.ty.fields().len();
        if fields.len() != n {
            return Err(Error::msg(format!("expected {n} fields, got {}", fields.len())));
        }
        let raw = raw_vals(opaque, fields)?;
        let mut out = null_ref();
        // SAFETY: the context, allocator and values are live; on success
        // `out` is an owned root, converted to an `anyref` root and unrooted.
        unsafe {
            Error::check(sys::wasmtime_structref_new(opaque.context(), allocator.raw.as_ptr(), raw.as_ptr(), raw.len(), &mut out))?;
            let mut any = null_ref();
            sys::wasmtime_structref_to_anyref(&out, &mut any);
            sys::wasmtime_structref_unroot(&mut out);
            root_new(opaque, any)
        }
    }

    /// The struct's type (`wasmtime_structref_type`), as
    /// `wasmtime::StructRef::ty`. Panics for another store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = StructType::new(&engine, [FieldType::new(Mutability::Var, StorageType::I16)])?;
    /// let pre = StructRefPre::new(&mut store, ty.clone());
    /// let s = StructRef::new(&mut store, &pre, &[Val::I32(0)])?;
    /// assert!(StructType::eq(&s.ty(&store)?, &ty));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> Result<StructType> {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        let view = struct_view(opaque, &self.any(opaque)?)?;
        // SAFETY: the root is live in this store; the result is owned.
        unsafe { StructType::from_owned(opaque.engine(), sys::wasmtime_structref_type(opaque.context(), &view.0)) }
            .ok_or_else(|| Error::msg("the structref has no type"))
    }

    /// Whether the struct's type is `ty` (see [`StructType::matches`]).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = StructType::new(&engine, [])?;
    /// let pre = StructRefPre::new(&mut store, ty.clone());
    /// let s = StructRef::new(&mut store, &pre, &[])?;
    /// assert!(s.matches_ty(&store, &ty)?);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn matches_ty(&self, store: impl AsContext, ty: &StructType) -> Result<bool> {
        Ok(self.ty(store)?.matches(ty))
    }

    /// The values of all fields (packed fields zero-extended to `i32`), as
    /// `wasmtime::StructRef::fields`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = StructType::new(&engine, vec![FieldType::new(Mutability::Const, ValType::I64.into()); 2])?;
    /// let pre = StructRefPre::new(&mut store, ty);
    /// let s = StructRef::new(&mut store, &pre, &[Val::I64(1), Val::I64(2)])?;
    /// let v: Vec<i64> = s.fields(&mut store)?.map(|v| v.unwrap_i64()).collect();
    /// assert_eq!(v, [1, 2]);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn fields<'a, T: 'static>(&'a self, store: impl Into<StoreContextMut<'a, T>>) -> Result<impl ExactSizeIterator<Item = Val> + 'a> {
        let mut store: StoreContextMut<'a, T> = store.into();
        let n = self.ty(&store)?.fields().len();
        let vals = (0..n).map(|i| self.field(&mut store, i)).collect::<Result<Vec<_>>>()?;
        Ok(vals.into_iter())
    }

    /// The `index`th field's value (packed fields zero-extended to `i32`),
    /// rooted in the current scope (`wasmtime_structref_field`), as
    /// `wasmtime::StructRef::field`. `Err` out of bounds; panics for another
    /// store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = StructType::new(&engine, [FieldType::new(Mutability::Const, StorageType::I8)])?;
    /// let pre = StructRefPre::new(&mut store, ty);
    /// let s = StructRef::new(&mut store, &pre, &[Val::I32(-1)])?;
    /// assert_eq!(s.field(&mut store, 0)?.unwrap_i32(), 255);
    /// assert!(s.field(&mut store, 1).is_err());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn field(&self, mut store: impl AsContextMut, index: usize) -> Result<Val> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let view = struct_view(opaque, &self.any(opaque)?)?;
        let mut out = Val::raw_slot();
        // SAFETY: the root is live in this store; on success `out` is an
        // owned value, taken by `take_val`.
        unsafe {
            Error::check(sys::wasmtime_structref_field(opaque.context(), &view.0, index, &mut out))?;
            take_val(opaque, out)
        }
    }

    /// Sets the `index`th field (`wasmtime_structref_set_field`), as
    /// `wasmtime::StructRef::set_field`. `Err` out of bounds, for an
    /// immutable field, a value of the wrong type or of another store;
    /// panics for another store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = StructType::new(&engine, [FieldType::new(Mutability::Var, ValType::I32.into())])?;
    /// let pre = StructRefPre::new(&mut store, ty);
    /// let s = StructRef::new(&mut store, &pre, &[Val::I32(0)])?;
    /// s.set_field(&mut store, 0, Val::I32(9))?;
    /// assert!(s.set_field(&mut store, 0, Val::I64(9)).is_err());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn set_field(&self, mut store: impl AsContextMut, index: usize, value: Val) -> Result<()> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let view = struct_view(opaque, &self.any(opaque)?)?;
        let raw = value.to_c_view(opaque)?;
        // SAFETY: the root and value are live in this store; C copies the value.
        unsafe { Error::check(sys::wasmtime_structref_set_field(opaque.context(), &view.0, index, &raw)) }
    }
}

impl ArrayRef {
    /// A new array of `len` copies of `elem`, rooted in the current scope
    /// (`wasmtime_arrayref_new`), as `wasmtime::ArrayRef::new`. `Err` if
    /// `elem` does not match the element type (or belongs to another store);
    /// panics if `allocator` belongs to another store.
    #[track_caller]
    pub fn new(mut store: impl AsContextMut, allocator: &ArrayRefPre, elem: &Val, len: u32) -> Result<Rooted<ArrayRef>> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.assert_id(allocator.store_id);
        let raw = elem.to_c_view(opaque)?;
        let mut out = null_ref();
        // SAFETY: the context, allocator and value are live; on success
        // `out` is an owned root, converted to an `anyref` root and unrooted.
        unsafe {
            Error::check(sys::wasmtime_arrayref_new(opaque.context(), allocator.raw.as_ptr(), &raw, len, &mut out))?;
            let mut any = null_ref();
            sys::wasmtime_arrayref_to_anyref(&out, &mut any);
            sys::wasmtime_arrayref_unroot(&mut out);
            root_new(opaque, any)
        }
    }

    /// The array's type (`wasmtime_arrayref_type`), as
    /// `wasmtime::ArrayRef::ty`. Panics for another store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I16));
    /// let pre = ArrayRefPre::new(&mut store, ty.clone());
    /// let a = ArrayRef::new(&mut store, &pre, &Val::I32(0), 0)?;
    /// assert!(ArrayType::eq(&a.ty(&store)?, &ty));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> Result<ArrayType> {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        let view = array_view(opaque, &self.any(opaque)?)?;
        // SAFETY: the root is live in this store; the result is owned.
        unsafe { ArrayType::from_owned(opaque.engine(), sys::wasmtime_arrayref_type(opaque.context(), &view.0)) }
            .ok_or_else(|| Error::msg("the arrayref has no type"))
    }

    /// Whether the array's type is `ty` (see [`ArrayType::matches`]).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I16));
    /// let pre = ArrayRefPre::new(&mut store, ty.clone());
    /// let a = ArrayRef::new(&mut store, &pre, &Val::I32(0), 0)?;
    /// assert!(a.matches_ty(&store, &ty)?);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn matches_ty(&self, store: impl AsContext, ty: &ArrayType) -> Result<bool> {
        Ok(self.ty(store)?.matches(ty))
    }

    /// The number of elements (`wasmtime_arrayref_len`), as
    /// `wasmtime::ArrayRef::len`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Const, StorageType::I8));
    /// let pre = ArrayRefPre::new(&mut store, ty);
    /// let a = ArrayRef::new(&mut store, &pre, &Val::I32(0), 10)?;
    /// assert_eq!(a.len(&store)?, 10);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    #[allow(clippy::len_without_is_empty)] // `wasmtime`'s API
    pub fn len(&self, store: impl AsContext) -> Result<u32> {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        let view = array_view(opaque, &self.any(opaque)?)?;
        let mut out = 0;
        // SAFETY: the root is live in this store.
        unsafe { Error::check(sys::wasmtime_arrayref_len(opaque.context(), &view.0, &mut out))? };
        Ok(out)
    }

    /// The values of all elements, as `wasmtime::ArrayRef::elems`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Const, ValType::I32.into()));
    /// let pre = ArrayRefPre::new(&mut store, ty);
    /// let a = ArrayRef::new(&mut store, &pre, &Val::I32(4), 2)?;
    /// assert_eq!(a.elems(&mut store)?.map(|v| v.unwrap_i32()).sum::<i32>(), 8);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn elems<'a, T: 'static>(&'a self, store: impl Into<StoreContextMut<'a, T>>) -> Result<impl ExactSizeIterator<Item = Val> + 'a> {
        let mut store: StoreContextMut<'a, T> = store.into();
        let n = self.len(&store)?;
        let vals = (0..n).map(|i| self.get(&mut store, i)).collect::<Result<Vec<_>>>()?;
        Ok(vals.into_iter())
    }

    /// The `index`th element, rooted in the current scope
    /// (`wasmtime_arrayref_get`), as `wasmtime::ArrayRef::get`. `Err` out of
    /// bounds; panics for another store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Const, ValType::I32.into()));
    /// let pre = ArrayRefPre::new(&mut store, ty);
    /// let a = ArrayRef::new(&mut store, &pre, &Val::I32(4), 2)?;
    /// assert!(a.get(&mut store, 2).is_err());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn get(&self, mut store: impl AsContextMut, index: u32) -> Result<Val> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let view = array_view(opaque, &self.any(opaque)?)?;
        let mut out = Val::raw_slot();
        // SAFETY: the root is live in this store; on success `out` is an
        // owned value, taken by `take_val`.
        unsafe {
            Error::check(sys::wasmtime_arrayref_get(opaque.context(), &view.0, index, &mut out))?;
            take_val(opaque, out)
        }
    }

    /// Sets the `index`th element (`wasmtime_arrayref_set`), as
    /// `wasmtime::ArrayRef::set`. `Err` out of bounds, for an immutable
    /// array, a value of the wrong type or of another store; panics for
    /// another store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, ValType::I32.into()));
    /// let pre = ArrayRefPre::new(&mut store, ty);
    /// let a = ArrayRef::new(&mut store, &pre, &Val::I32(4), 2)?;
    /// a.set(&mut store, 0, Val::I32(5))?;
    /// assert!(a.set(&mut store, 2, Val::I32(5)).is_err());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<()> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let view = array_view(opaque, &self.any(opaque)?)?;
        let raw = value.to_c_view(opaque)?;
        // SAFETY: the root and value are live in this store; C copies the value.
        unsafe { Error::check(sys::wasmtime_arrayref_set(opaque.context(), &view.0, index, &raw)) }
    }
}

/// An allocator of exception objects of one type in one store, as
/// `wasmtime::ExnRefPre`. (The C API allocates from the tag alone; this
/// keeps the type for `ExnRef::new`'s checks.)
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::new(Config::new().wasm_gc(true).wasm_exceptions(true))?;
/// let mut store = Store::new(&engine, ());
/// let ty = ExnType::new(&engine, [ValType::I32])?;
/// let tag = Tag::new(&mut store, &ty.tag_type())?;
/// let pre = ExnRefPre::new(&mut store, ty);
/// let exn = ExnRef::new(&mut store, &pre, &tag, &[Val::I32(42)])?;
/// assert_eq!(exn.field(&mut store, 0)?.unwrap_i32(), 42);
/// assert!(Tag::eq(&exn.tag(&mut store)?, &tag, &store));
/// # Ok(()) }
/// ```
pub struct ExnRefPre {
    store_id: u64,
    ty: ExnType,
}

impl ExnRefPre {
    /// An allocator for `ty` in `store`. Panics if `ty` is of another
    /// engine than the store's.
    #[track_caller]
    pub fn new(mut store: impl AsContextMut, ty: ExnType) -> Self {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        assert_engine(ty.engine(), opaque.engine());
        ExnRefPre { store_id: opaque.id(), ty }
    }
}

impl ExnRef {
    /// A new exception object of `tag` with `fields`, rooted in the current
    /// scope (`wasmtime_exnref_new`), as `wasmtime::ExnRef::new`. `Err` if
    /// the tag's type is not the allocator's or the values do not match it;
    /// panics if the allocator or tag belongs to another store.
    #[track_caller]
    pub fn new(mut store: impl AsContextMut, allocator: &ExnRefPre, tag: &Tag, fields: &[Val]) -> Result<Rooted<ExnRef>> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.assert_id(allocator.store_id);
        assert!(tag.store_id() == opaque.id(), "tag comes from the wrong store");
        let tag_ty = tag.ty(&store);
        let opaque = &store.0.opaque;
        if tag_ty.ty() != allocator.ty.func_ty() {
            return Err(Error::msg("incorrect signature for tag when creating exception object"));
        }
        let expected = allocator.ty.fields().len();
        if fields.len() != expected {
            return Err(Error::msg(format!("expected {expected} fields, got {}", fields.len())));
        }
        let raw = raw_vals(opaque, fields)?;
        let mut out = sys::wasmtime_exnref_t::default();
        // SAFETY: the context, tag and values are live; on success `out`
        // is an owned root, given to `CRoot`.
        unsafe {
            Error::check(sys::wasmtime_exnref_new(opaque.context(), &tag.0, raw.as_ptr(), raw.len(), &mut out))?;
            let root = CRoot::from_owned(RawRoot::Exn(out)).ok_or_else(|| Error::msg("allocation returned null"))?;
            Ok(Rooted::new(opaque, root))
        }
    }

    /// The exception's tag (`wasmtime_exnref_tag`), as
    /// `wasmtime::ExnRef::tag`. Panics for another store's reference.
    #[track_caller]
    pub fn tag(&self, mut store: impl AsContextMut) -> Result<Tag> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let raw = self.c_root(opaque)?;
        let mut tag = sys::wasmtime_tag_t::default();
        // SAFETY: the root is live in this store.
        unsafe { Error::check(sys::wasmtime_exnref_tag(opaque.context(), &raw, &mut tag))? };
        Ok(Tag(tag))
    }

    /// The exception's type (`wasmtime_exnref_type`), as
    /// `wasmtime::ExnRef::ty`. Panics for another store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true).wasm_exceptions(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ExnType::new(&engine, [ValType::I64, ValType::F32])?;
    /// let tag = Tag::new(&mut store, &ty.tag_type())?;
    /// let pre = ExnRefPre::new(&mut store, ty.clone());
    /// let exn = ExnRef::new(&mut store, &pre, &tag, &[Val::I64(1), Val::from(2.0f32)])?;
    /// assert!(ExnType::eq(&exn.ty(&store)?, &ty));
    /// assert!(exn.matches_ty(&store, &HeapType::Exn)?);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> Result<ExnType> {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        let raw = self.c_root(opaque)?;
        // SAFETY: the root is live in this store; the result is owned.
        unsafe { ExnType::from_owned(opaque.engine(), sys::wasmtime_exnref_type(opaque.context(), &raw)) }
            .ok_or_else(|| Error::msg("the exnref has no type"))
    }

    /// Whether the exception's type matches `ty`, as
    /// `wasmtime::ExnRef::matches_ty`: `exn`, or its own concrete type.
    #[track_caller]
    pub fn matches_ty(&self, store: impl AsContext, ty: &HeapType) -> Result<bool> {
        Ok(HeapType::ConcreteExn(self.ty(store)?).matches(ty))
    }

    /// The values of all fields, as `wasmtime::ExnRef::fields`.
    #[track_caller]
    pub fn fields<'a, T: 'static>(&'a self, store: impl Into<StoreContextMut<'a, T>>) -> Result<impl ExactSizeIterator<Item = Val> + 'a> {
        let mut store: StoreContextMut<'a, T> = store.into();
        let opaque = &store.0.opaque;
        let raw = self.c_root(opaque)?;
        // SAFETY: the root is live in this store.
        let n = unsafe { sys::wasmtime_exnref_field_count(opaque.context(), &raw) };
        let vals = (0..n).map(|i| self.field(&mut store, i)).collect::<Result<Vec<_>>>()?;
        Ok(vals.into_iter())
    }

    /// The `index`th field, rooted in the current scope
    /// (`wasmtime_exnref_field`), as `wasmtime::ExnRef::field`. `Err` out of
    /// bounds; panics for another store's reference.
    #[track_caller]
    pub fn field(&self, mut store: impl AsContextMut, index: usize) -> Result<Val> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let raw = self.c_root(opaque)?;
        let mut out = Val::raw_slot();
        // SAFETY: the root is live in this store; on success `out` is an
        // owned value, taken by `take_val`.
        unsafe {
            Error::check(sys::wasmtime_exnref_field(opaque.context(), &raw, index, &mut out))?;
            take_val(opaque, out)
        }
    }
}
