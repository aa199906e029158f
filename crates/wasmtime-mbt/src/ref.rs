//! GC references owned by the host: `ExternRef` (host data visible to wasm
//! as `externref`) and `AnyRef` (`anyref`, e.g. `i31`).
//!
//! Each value is a root in its store; dropping it unroots it
//! (`wasmtime_*ref_unroot`), cloning takes a new root.

use std::any::Any;
use std::ffi::c_void;

use wasmtime_mbt_sys as sys;

use crate::store::StoreOpaque;
use crate::{AsContext, AsContextMut, Error, Result};

/// The host data behind an externref.
type HostData = Box<dyn Any + Send + Sync>;

macro_rules! rooted_ref {
    ($(#[$doc:meta])* $name:ident($raw:ty): $clone:path, $unroot:path;) => {
        $(#[$doc])*
        pub struct $name {
            raw: $raw,
        }

        // SAFETY: the C value is an owned root (`OwnedRooted` in Wasmtime),
        // which is `Send + Sync`; the store itself is only touched through
        // a store context.
        unsafe impl Send for $name {}
        // SAFETY: as above.
        unsafe impl Sync for $name {}

        impl Clone for $name {
            fn clone(&self) -> $name {
                let mut raw = <$raw>::default();
                // SAFETY: `self.raw` is a live root; `raw` becomes a new one.
                unsafe { $clone(&self.raw, &mut raw) };
                $name { raw }
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: `self.raw` is a live root owned by `self`.
                unsafe { $unroot(&mut self.raw) }
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).field("store_id", &self.raw.store_id).finish_non_exhaustive()
            }
        }

        impl $name {
            /// Wraps an owned C root; `None` for null.
            ///
            /// # Safety
            /// A non-null `raw` must be an owned root.
            pub(crate) unsafe fn from_raw_owned(raw: $raw) -> Option<$name> {
                (raw.store_id != 0).then_some($name { raw })
            }

            /// The id of the store this reference belongs to.
            #[inline]
            pub(crate) fn store_id(&self) -> u64 {
                self.raw.store_id
            }

            /// A borrowed C view of `r` (null for `None`), checked to
            /// belong to `store`.
            pub(crate) fn raw_or_null(r: Option<&$name>, store: &StoreOpaque) -> Result<$raw> {
                match r {
                    Some(r) => {
                        store.check_id(r.raw.store_id)?;
                        Ok(r.raw)
                    }
                    None => Ok(<$raw>::default()),
                }
            }
        }
    };
}

rooted_ref! {
    /// A reference to host data that wasm can hold as an `externref`, as
    /// `wasmtime::ExternRef`. The data is dropped when wasm and the host no
    /// longer reference it, or with the store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let r = ExternRef::new(&mut store, String::from("hello"))?;
    /// let data = r.data(&store)?.unwrap();
    /// assert_eq!(data.downcast_ref::<String>().unwrap(), "hello");
    /// # Ok(()) }
    /// ```
    ExternRef(sys::wasmtime_externref_t): sys::wasmtime_externref_clone, sys::wasmtime_externref_unroot;
}

rooted_ref! {
    /// A reference in the `any` hierarchy of the GC proposal, as
    /// `wasmtime::AnyRef`; the C API can make `i31` values.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let r = AnyRef::from_i31(&mut store, 42);
    /// assert_eq!(r.i31_get_u(&mut store)?, Some(42));
    /// # Ok(()) }
    /// ```
    AnyRef(sys::wasmtime_anyref_t): sys::wasmtime_anyref_clone, sys::wasmtime_anyref_unroot;
}

unsafe extern "C" fn drop_host_data(data: *mut c_void) {
    // SAFETY: `data` came from `Box::into_raw` in `ExternRef::new` and the
    // finalizer runs once; a panicking `Drop` of the data stays in Rust.
    unsafe { crate::guard::drop_box::<HostData>(data) }
}

impl ExternRef {
    /// A new externref in `store` holding `data` (`wasmtime_externref_new`).
    pub fn new<T: Any + Send + Sync>(mut store: impl AsContextMut, data: T) -> Result<ExternRef> {
        let store = store.as_context_mut();
        let boxed: Box<HostData> = Box::new(Box::new(data));
        let mut raw = sys::wasmtime_externref_t::default();
        // SAFETY: the context is live; on success C owns `boxed` and calls
        // the finalizer once; on failure it has already called it.
        let ok = unsafe {
            sys::wasmtime_externref_new(store.0.opaque.context(), Box::into_raw(boxed).cast(), Some(drop_host_data), &mut raw)
        };
        if !ok {
            return Err(Error::msg("failed to allocate an externref"));
        }
        Ok(ExternRef { raw })
    }

    /// The host data, or `None` if it was not created by this crate
    /// (`wasmtime_externref_data`). An `Err` if `store` is not its store.
    pub fn data<'a>(&self, store: &'a impl AsContext) -> Result<Option<&'a (dyn Any + Send + Sync)>> {
        let store = store.as_context();
        store.0.opaque.check_id(self.raw.store_id)?;
        // SAFETY: the ref belongs to this live store; the data pointer is
        // the `HostData` box made by `new`, alive as long as the store.
        unsafe {
            let data = sys::wasmtime_externref_data(store.0.opaque.context(), &self.raw);
            Ok(data.cast::<HostData>().as_ref().map(|b| &**b))
        }
    }
}

impl AnyRef {
    /// An `i31ref` holding the low 31 bits of `value` (`wasmtime_anyref_from_i31`).
    pub fn from_i31(mut store: impl AsContextMut, value: u32) -> AnyRef {
        let store = store.as_context_mut();
        let mut raw = sys::wasmtime_anyref_t::default();
        // SAFETY: the context is live; `raw` becomes an owned root.
        unsafe { sys::wasmtime_anyref_from_i31(store.0.opaque.context(), value, &mut raw) };
        AnyRef { raw }
    }

    /// The zero-extended value if this is an `i31ref` (`wasmtime_anyref_i31_get_u`).
    pub fn i31_get_u(&self, mut store: impl AsContextMut) -> Result<Option<u32>> {
        let store = store.as_context_mut();
        store.0.opaque.check_id(self.raw.store_id)?;
        let mut out = 0;
        // SAFETY: the ref belongs to this live store.
        let is = unsafe { sys::wasmtime_anyref_i31_get_u(store.0.opaque.context(), &self.raw, &mut out) };
        Ok(is.then_some(out))
    }

    /// The sign-extended value if this is an `i31ref` (`wasmtime_anyref_i31_get_s`).
    pub fn i31_get_s(&self, mut store: impl AsContextMut) -> Result<Option<i32>> {
        let store = store.as_context_mut();
        store.0.opaque.check_id(self.raw.store_id)?;
        let mut out = 0;
        // SAFETY: the ref belongs to this live store.
        let is = unsafe { sys::wasmtime_anyref_i31_get_s(store.0.opaque.context(), &self.raw, &mut out) };
        Ok(is.then_some(out))
    }
}
