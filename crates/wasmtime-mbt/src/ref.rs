//! GC reference types, as `wasmtime`'s: `ExternRef` (host data visible to
//! wasm as `externref`), `AnyRef` (`anyref`, e.g. `i31`) and `ExnRef`
//! (`exnref`). Each is a newtype of a root index and is used through a
//! [`Rooted`] or [`OwnedRooted`] (see `rooting.rs` for who owns the C roots).

use std::any::Any;
use std::ffi::c_void;

use wasmtime_mbt_sys as sys;

use crate::rooting::{CRoot, GcRefImpl, GcRootIndex, RawRoot};
use crate::store::StoreOpaque;
use crate::{AsContext, AsContextMut, Error, HeapType, Result, Rooted, StoreContext, StoreContextMut, Val, I31};

/// The host data behind an externref.
type HostData = Box<dyn Any + Send + Sync>;

macro_rules! gc_ref_type {
    ($(#[$doc:meta])* $name:ident: $top:ident, $variant:ident, $val:ident, $raw:ty, $from_raw:path;) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[repr(transparent)]
        pub struct $name {
            pub(crate) inner: GcRootIndex,
        }

        impl GcRefImpl for $name {
            const TOP: HeapType = HeapType::$top;

            fn transmute_ref(index: &GcRootIndex) -> &Self {
                // SAFETY: `Self` is a `repr(transparent)` newtype of a
                // `GcRootIndex`, so the pointer cast keeps layout and lifetime.
                unsafe { &*(index as *const GcRootIndex).cast::<Self>() }
            }

            #[inline]
            fn root_from_wasm(store: &StoreOpaque, raw: u32) -> Option<CRoot> {
                if raw == 0 {
                    return None;
                }
                let mut out = <$raw>::default();
                // SAFETY: `raw` is a non-null reference of this kind that
                // wasm handed over in this live store; `out` becomes an
                // owned root, given to `CRoot`.
                unsafe {
                    $from_raw(store.context(), raw, &mut out);
                    CRoot::from_owned(RawRoot::$variant(out))
                }
            }

            fn into_val(r: Option<Rooted<Self>>) -> Val {
                Val::$val(r)
            }

            fn from_val(val: &Val) -> Option<Option<Rooted<Self>>> {
                match val {
                    Val::$val(r) => Some(*r),
                    _ => None,
                }
            }
        }

        impl $name {
            /// The C root of this reference (a borrowed view): panics for
            /// another store's reference, `Err` for an unrooted one.
            #[track_caller]
            #[allow(dead_code)]
            pub(crate) fn c_root(&self, store: &StoreOpaque) -> Result<$raw> {
                match self.inner.resolve(store)?.raw() {
                    RawRoot::$variant(raw) => Ok(raw),
                    _ => Err(Error::msg(concat!("not an ", stringify!($top), " reference"))),
                }
            }

            /// A reference from the raw `u32` wasm uses, rooted in the
            /// current scope (`wasmtime_*_from_raw`); `None` for 0.
            pub fn from_raw(mut store: impl AsContextMut, raw: u32) -> Option<Rooted<Self>> {
                let store = store.as_context_mut();
                Rooted::load_wasm(&store.0.opaque, raw)
            }

            /// The raw `u32` wasm uses for this reference
            /// (`wasmtime_*_to_raw`); `Err` if it has been unrooted.
            #[track_caller]
            pub fn to_raw(&self, mut store: impl AsContextMut) -> Result<u32> {
                let store = store.as_context_mut();
                let opaque = &store.0.opaque;
                Ok(self.inner.resolve(opaque)?.raw().to_wasm(opaque))
            }
        }
    };
}

gc_ref_type! {
    /// A reference to host data that wasm can hold as an `externref`, as
    /// `wasmtime::ExternRef`. The data is dropped when wasm and the host no
    /// longer reference it, or with the store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let r: Rooted<ExternRef> = ExternRef::new(&mut store, String::from("hello"))?;
    /// let data = r.data(&store)?.unwrap();
    /// assert_eq!(data.downcast_ref::<String>().unwrap(), "hello");
    /// let raw = r.to_raw(&mut store)?;
    /// let back = ExternRef::from_raw(&mut store, raw).unwrap();
    /// assert!(Rooted::ref_eq(&store, &r, &back)?);
    /// # Ok(()) }
    /// ```
    ExternRef: Extern, Extern, ExternRef, sys::wasmtime_externref_t, sys::wasmtime_externref_from_raw;
}

gc_ref_type! {
    /// A reference in the `any` hierarchy of the GC proposal, as
    /// `wasmtime::AnyRef`; the C API can make `i31` values and query the
    /// kind of any value.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let r = AnyRef::from_i31(&mut store, I31::wrapping_u32(42));
    /// assert_eq!(r.unwrap_i31(&store)?.get_u32(), 42);
    /// assert!(r.is_eqref(&store)? && !r.is_struct(&store)?);
    /// # Ok(()) }
    /// ```
    AnyRef: Any, Any, AnyRef, sys::wasmtime_anyref_t, sys::wasmtime_anyref_from_raw;
}

gc_ref_type! {
    /// A reference to a wasm exception, as `wasmtime::ExnRef`. This crate
    /// roots the ones it receives from wasm (`exnref` globals, tables,
    /// parameters and results) and passes them back.
    ExnRef: Exn, Exn, ExnRef, sys::wasmtime_exnref_t, sys::wasmtime_exnref_from_raw;
}

unsafe extern "C" fn drop_host_data(data: *mut c_void) {
    // SAFETY: `data` came from `Box::into_raw` in `ExternRef::new` and the
    // finalizer runs once; a panicking `Drop` of the data stays in Rust.
    unsafe { crate::guard::drop_box::<HostData>(data) }
}

impl ExternRef {
    /// A new externref in `store` holding `value`, rooted in the current
    /// scope (`wasmtime_externref_new`), as `wasmtime::ExternRef::new`.
    pub fn new<T>(mut store: impl AsContextMut, value: T) -> Result<Rooted<ExternRef>>
    where
        T: 'static + Any + Send + Sync,
    {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let boxed: Box<HostData> = Box::new(Box::new(value));
        let mut raw = sys::wasmtime_externref_t::default();
        // SAFETY: the context is live; on success C owns `boxed` and calls
        // the finalizer once; on failure it has already called it.
        let ok = unsafe {
            sys::wasmtime_externref_new(opaque.context(), Box::into_raw(boxed).cast(), Some(drop_host_data), &mut raw)
        };
        // SAFETY: on success `raw` is an owned root.
        match ok.then(|| unsafe { CRoot::from_owned(RawRoot::Extern(raw)) }).flatten() {
            Some(root) => Ok(Rooted::new(opaque, root)),
            None => Err(Error::msg("failed to allocate an externref")),
        }
    }

    /// The host data, or `None` if it was not created by this crate
    /// (`wasmtime_externref_data`), as `wasmtime::ExternRef::data`. `Err`
    /// if the reference has been unrooted; panics for another store's.
    #[track_caller]
    pub fn data<'a, T: 'static>(&self, store: impl Into<StoreContext<'a, T>>) -> Result<Option<&'a (dyn Any + Send + Sync)>> {
        let store: StoreContext<'a, T> = store.into();
        let opaque: &'a StoreOpaque = &store.0.opaque;
        let raw = self.c_root(opaque)?;
        // SAFETY: the root is live in this store; the data pointer is the
        // `HostData` box made by `new`, alive as long as the object, which
        // the store keeps alive while it is borrowed for `'a` (no GC can
        // run without `&mut`).
        unsafe {
            let data = sys::wasmtime_externref_data(opaque.context(), &raw);
            Ok(data.cast::<HostData>().as_ref().map(|b| &**b))
        }
    }

    /// The host data, mutably, as `wasmtime::ExternRef::data_mut`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let r = ExternRef::new(&mut store, 0usize)?;
    /// *r.data_mut(&mut store)?.unwrap().downcast_mut::<usize>().unwrap() += 10;
    /// assert_eq!(r.data(&store)?.unwrap().downcast_ref::<usize>(), Some(&10));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn data_mut<'a, T: 'static>(&self, store: impl Into<StoreContextMut<'a, T>>) -> Result<Option<&'a mut (dyn Any + Send + Sync)>> {
        let store: StoreContextMut<'a, T> = store.into();
        let opaque: &'a StoreOpaque = &store.0.into_mut().opaque;
        let raw = self.c_root(opaque)?;
        // SAFETY: as in `data`; the store is borrowed exclusively for `'a`,
        // so no other borrow of this object's data exists meanwhile (every
        // access goes through a borrow of the store).
        unsafe {
            let data = sys::wasmtime_externref_data(opaque.context(), &raw);
            Ok(data.cast::<HostData>().as_mut().map(|b| &mut **b))
        }
    }
}

impl AnyRef {
    /// An `i31ref`, rooted in the current scope
    /// (`wasmtime_anyref_from_i31`), as `wasmtime::AnyRef::from_i31`.
    pub fn from_i31(mut store: impl AsContextMut, value: I31) -> Rooted<AnyRef> {
        let store = store.as_context_mut();
        AnyRef::from_i31_in(&store.0.opaque, value)
    }

    pub(crate) fn from_i31_in(opaque: &StoreOpaque, value: I31) -> Rooted<AnyRef> {
        let mut raw = sys::wasmtime_anyref_t::default();
        // SAFETY: the context is live; `raw` becomes an owned root.
        let root = unsafe {
            sys::wasmtime_anyref_from_i31(opaque.context(), value.get_u32(), &mut raw);
            CRoot::from_owned(RawRoot::Any(raw))
        };
        Rooted::new(opaque, root.expect("an i31ref is never null"))
    }

    /// Whether this is an `i31ref` (`wasmtime_anyref_is_i31`).
    #[track_caller]
    pub fn is_i31(&self, store: impl AsContext) -> Result<bool> {
        Ok(self.as_i31(store)?.is_some())
    }

    /// The `i31` value if this is an `i31ref` (`wasmtime_anyref_i31_get_u`).
    #[track_caller]
    pub fn as_i31(&self, store: impl AsContext) -> Result<Option<I31>> {
        let store = store.as_context();
        self.as_i31_in(&store.0.opaque)
    }

    #[track_caller]
    pub(crate) fn as_i31_in(&self, opaque: &StoreOpaque) -> Result<Option<I31>> {
        let raw = self.c_root(opaque)?;
        let mut out = 0;
        // SAFETY: the root is live in this store.
        let is = unsafe { sys::wasmtime_anyref_i31_get_u(opaque.context(), &raw, &mut out) };
        Ok(is.then(|| I31::wrapping_u32(out)))
    }

    /// The `i31` value; panics if this is not an `i31ref` (as `wasmtime`),
    /// `Err` if the reference was unrooted.
    #[track_caller]
    pub fn unwrap_i31(&self, store: impl AsContext) -> Result<I31> {
        Ok(self.as_i31(store)?.expect("AnyRef::unwrap_i31 on non-i31"))
    }

    /// Whether this is an `eqref` (`wasmtime_anyref_is_eqref`).
    #[track_caller]
    pub fn is_eqref(&self, store: impl AsContext) -> Result<bool> {
        self.query(store, sys::wasmtime_anyref_is_eqref)
    }

    /// Whether this is a `structref` (`wasmtime_anyref_is_struct`).
    #[track_caller]
    pub fn is_struct(&self, store: impl AsContext) -> Result<bool> {
        self.query(store, sys::wasmtime_anyref_is_struct)
    }

    /// Whether this is an `arrayref` (`wasmtime_anyref_is_array`).
    #[track_caller]
    pub fn is_array(&self, store: impl AsContext) -> Result<bool> {
        self.query(store, sys::wasmtime_anyref_is_array)
    }

    /// The precise heap type of this reference (`wasmtime_anyref_type`),
    /// as `wasmtime::AnyRef::ty`: `i31`, or the (concrete) struct or array
    /// type. Panics for another store's reference.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let r = AnyRef::from_i31(&mut store, I31::wrapping_u32(1));
    /// assert_eq!(r.ty(&store)?, HeapType::I31);
    /// assert!(r.matches_ty(&store, &HeapType::Eq)? && !r.matches_ty(&store, &HeapType::Struct)?);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> Result<HeapType> {
        let store = store.as_context();
        self.ty_in(&store.0.opaque)
    }

    #[track_caller]
    pub(crate) fn ty_in(&self, opaque: &StoreOpaque) -> Result<HeapType> {
        let raw = self.c_root(opaque)?;
        let mut out = std::mem::MaybeUninit::<sys::wasmtime_heaptype_t>::uninit();
        // SAFETY: the root is live in this store; on `true` C wrote an owned
        // heap type, read once and deleted here.
        unsafe {
            if !sys::wasmtime_anyref_type(opaque.context(), &raw, out.as_mut_ptr()) {
                return Err(Error::msg("the anyref has no type"));
            }
            let mut out = out.assume_init();
            let ty = HeapType::from_c(&out, opaque.engine());
            sys::wasmtime_heaptype_delete(&mut out);
            Ok(ty)
        }
    }

    /// Whether this reference's type is `ty` or a subtype of it, as
    /// `wasmtime::AnyRef::matches_ty`. Panics for another store's reference.
    #[track_caller]
    pub fn matches_ty(&self, store: impl AsContext, ty: &HeapType) -> Result<bool> {
        Ok(self.ty(store)?.matches(ty))
    }

    #[track_caller]
    fn query(
        &self,
        store: impl AsContext,
        f: unsafe extern "C" fn(*mut sys::wasmtime_context_t, *const sys::wasmtime_anyref_t) -> bool,
    ) -> Result<bool> {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        let raw = self.c_root(opaque)?;
        // SAFETY: the root is live in this store; `f` only reads it.
        Ok(unsafe { f(opaque.context(), &raw) })
    }
}
