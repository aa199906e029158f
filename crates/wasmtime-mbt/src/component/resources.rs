//! Resources: [`ResourceType`], host resources [`Resource<T>`] and the
//! dynamically typed [`ResourceAny`], as in `wasmtime::component`.
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::component::*;
//! use wasmtime_mbt::{Engine, Store};
//! struct File;
//! let engine = Engine::default();
//! let component = Component::new(&engine, r#"(component
//!     (import "file" (type $f (sub resource)))
//!     (import "open" (func $open (result (own $f))))
//!     (core func $open_lowered (canon lower (func $open)))
//!     (core func $drop (canon resource.drop $f))
//!     (core module $m
//!         (import "" "open" (func $open (result i32)))
//!         (import "" "drop" (func $drop (param i32)))
//!         (func (export "run") (call $drop (call $open))))
//!     (core instance $i (instantiate $m (with "" (instance
//!         (export "open" (func $open_lowered)) (export "drop" (func $drop))))))
//!     (func (export "run") (canon lift (core func $i "run"))))"#)?;
//! let mut linker = Linker::<Vec<u32>>::new(&engine);
//! linker.root().resource("file", ResourceType::host::<File>(), |mut cx, rep| {
//!     cx.data_mut().push(rep);
//!     Ok(())
//! })?;
//! linker.root().func_wrap("open", |_, (): ()| Ok((Resource::<File>::new_own(42),)))?;
//! let mut store = Store::new(&engine, Vec::new());
//! let instance = linker.instantiate(&mut store, &component)?;
//! instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ())?;
//! assert_eq!(store.data(), &[42]); // the destructor ran once, with the rep
//! # Ok(()) }
//! ```

use std::any::TypeId;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::ptr;
use std::sync::{Arc, Mutex};

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::Owned;
use crate::store::StoreOpaque;
use crate::{AsContextMut, Error, Result};

/// The type of a resource, as `wasmtime::component::ResourceType`.
///
/// Equality is Wasmtime's (`wasmtime_component_resource_type_equal`).
/// Unlike `wasmtime`'s it is `Clone`, not `Copy` (it owns a C object).
#[derive(Clone)]
pub struct ResourceType(Arc<Owned<sys::wasmtime_component_resource_type_t>>);

// SAFETY: the C object wraps `wasmtime::component::ResourceType`, which is
// `Send + Sync`; C only reads it.
unsafe impl Send for ResourceType {}
// SAFETY: as above.
unsafe impl Sync for ResourceType {}

impl PartialEq for ResourceType {
    fn eq(&self, other: &ResourceType) -> bool {
        // SAFETY: both types are live.
        unsafe { sys::wasmtime_component_resource_type_equal(self.raw(), other.raw()) }
    }
}

impl Eq for ResourceType {}

impl std::fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ResourceType").field(&self.0.as_ptr()).finish()
    }
}

/// The first C payload given to `ResourceType::host::<T>()` types, so they
/// stay apart from small `host_dynamic` payloads.
const HOST_TYPE_BASE: u32 = 0x8000_0000;

/// The C payload standing for the Rust type `T` (one per `TypeId`).
fn host_type_id<T: 'static>() -> u32 {
    static IDS: Mutex<Option<HashMap<TypeId, u32>>> = Mutex::new(None);
    let mut ids = IDS.lock().unwrap_or_else(|e| e.into_inner());
    let ids = ids.get_or_insert_with(HashMap::new);
    let next = HOST_TYPE_BASE + ids.len() as u32;
    *ids.entry(TypeId::of::<T>()).or_insert(next)
}

impl ResourceType {
    /// The type of host resources [`Resource<T>`].
    ///
    /// ```
    /// use wasmtime_mbt::component::ResourceType;
    /// struct A;
    /// struct B;
    /// assert_eq!(ResourceType::host::<A>(), ResourceType::host::<A>());
    /// assert_ne!(ResourceType::host::<A>(), ResourceType::host::<B>());
    /// ```
    pub fn host<T: 'static>() -> ResourceType {
        ResourceType::host_dynamic(host_type_id::<T>())
    }

    /// A host resource type named by a number
    /// (`wasmtime_component_resource_type_new_host`). This crate gives
    /// [`ResourceType::host`] types the payloads from `0x8000_0000` up.
    ///
    /// ```
    /// use wasmtime_mbt::component::ResourceType;
    /// assert_eq!(ResourceType::host_dynamic(1), ResourceType::host_dynamic(1));
    /// assert_ne!(ResourceType::host_dynamic(1), ResourceType::host_dynamic(2));
    /// ```
    pub fn host_dynamic(payload: u32) -> ResourceType {
        // SAFETY: returns an owned type.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_component_resource_type_new_host(payload)) }.expect("resource type");
        ResourceType::from_owned(raw)
    }

    /// A copy of a C resource type (borrowed).
    ///
    /// # Safety
    /// `raw` must be a live resource type.
    pub(crate) unsafe fn clone_raw(raw: *const sys::wasmtime_component_resource_type_t) -> ResourceType {
        // SAFETY: forwarded; the clone is owned.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_component_resource_type_clone(raw)) }.expect("resource type");
        ResourceType::from_owned(raw)
    }

    /// `ResourceType` is `Send + Sync` (see the impls above); the `Arc`
    /// only shares the owner.
    #[allow(clippy::arc_with_non_send_sync)]
    fn from_owned(raw: Owned<sys::wasmtime_component_resource_type_t>) -> ResourceType {
        ResourceType(Arc::new(raw))
    }

    pub(crate) fn raw(&self) -> *const sys::wasmtime_component_resource_type_t {
        self.0.as_ptr()
    }
}

/// A host-defined resource of Rust type `T`, as
/// `wasmtime::component::Resource<T>`: a 32-bit `rep` that only the host
/// sees, and whether it is an `own` or a `borrow`.
///
/// ```
/// use wasmtime_mbt::component::Resource;
/// struct Counter;
/// let r = Resource::<Counter>::new_own(7);
/// assert_eq!((r.rep(), r.owned()), (7, true));
/// assert!(!Resource::<Counter>::new_borrow(7).owned());
/// ```
pub struct Resource<T: 'static> {
    rep: u32,
    owned: bool,
    _marker: PhantomData<fn() -> T>,
}

impl<T: 'static> Resource<T> {
    /// A new owned resource with `rep`.
    pub fn new_own(rep: u32) -> Resource<T> {
        Resource { rep, owned: true, _marker: PhantomData }
    }

    /// A new borrowed resource with `rep`.
    pub fn new_borrow(rep: u32) -> Resource<T> {
        Resource { rep, owned: false, _marker: PhantomData }
    }

    /// The host's representation of this resource.
    pub fn rep(&self) -> u32 {
        self.rep
    }

    /// Whether this is an `own` (else a `borrow`).
    pub fn owned(&self) -> bool {
        self.owned
    }

    /// Converts a [`ResourceAny`] of type `ResourceType::host::<T>()` back.
    pub fn try_from_resource_any(resource: ResourceAny, mut store: impl AsContextMut) -> Result<Resource<T>> {
        let opaque = &store.as_context_mut().0.opaque;
        resource.to_host::<T>(opaque)
    }

    /// Converts this resource into a [`ResourceAny`] in `store`.
    pub fn try_into_resource_any(self, mut store: impl AsContextMut) -> Result<ResourceAny> {
        self.into_any(&store.as_context_mut().0.opaque)
    }

    pub(crate) fn into_any(self, store: &StoreOpaque) -> Result<ResourceAny> {
        ResourceAny::from_host(store, self.owned, self.rep, host_type_id::<T>())
    }
}

impl<T: 'static> std::fmt::Debug for Resource<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resource").field("rep", &self.rep).field("owned", &self.owned).finish()
    }
}

/// A host resource whose type is a number, as
/// `wasmtime::component::ResourceDynamic`: of type
/// [`ResourceType::host_dynamic(ty)`](ResourceType::host_dynamic).
///
/// Here `ResourceType::host::<T>()` types are dynamic types too (payloads
/// from `0x8000_0000`), so a `Resource<T>` also converts to a
/// `ResourceDynamic`, which native Wasmtime refuses.
///
/// ```
/// use wasmtime_mbt::component::ResourceDynamic;
/// let r = ResourceDynamic::new_own(7, 3);
/// assert_eq!((r.rep(), r.ty(), r.owned()), (7, 3, true));
/// assert!(!ResourceDynamic::new_borrow(7, 3).owned());
/// ```
#[derive(Debug)]
pub struct ResourceDynamic {
    rep: u32,
    ty: u32,
    owned: bool,
}

impl ResourceDynamic {
    /// A new owned resource with `rep`, of type `ty`.
    pub fn new_own(rep: u32, ty: u32) -> ResourceDynamic {
        ResourceDynamic { rep, ty, owned: true }
    }

    /// A new borrowed resource with `rep`, of type `ty`.
    pub fn new_borrow(rep: u32, ty: u32) -> ResourceDynamic {
        ResourceDynamic { rep, ty, owned: false }
    }

    /// The host's representation of this resource.
    pub fn rep(&self) -> u32 {
        self.rep
    }

    /// The resource's type number.
    pub fn ty(&self) -> u32 {
        self.ty
    }

    /// Whether this is an `own` (else a `borrow`).
    pub fn owned(&self) -> bool {
        self.owned
    }

    /// Converts a host-defined [`ResourceAny`] (taking its handle).
    pub fn try_from_resource_any(resource: ResourceAny, mut store: impl AsContextMut) -> Result<ResourceDynamic> {
        ResourceDynamic::from_any(&resource, &store.as_context_mut().0.opaque)
    }

    /// Converts this resource into a [`ResourceAny`] in `store`.
    pub fn try_into_resource_any(self, mut store: impl AsContextMut) -> Result<ResourceAny> {
        self.into_any(&store.as_context_mut().0.opaque)
    }

    pub(crate) fn from_any(resource: &ResourceAny, store: &StoreOpaque) -> Result<ResourceDynamic> {
        let (rep, ty, owned) = resource.host_parts(store)?;
        Ok(ResourceDynamic { rep, ty, owned })
    }

    pub(crate) fn into_any(self, store: &StoreOpaque) -> Result<ResourceAny> {
        ResourceAny::from_host(store, self.owned, self.rep, self.ty)
    }
}

/// Any resource, host- or guest-defined, as
/// `wasmtime::component::ResourceAny`. Every one that a guest hands out
/// should be given back with [`ResourceAny::resource_drop`].
///
/// Unlike `wasmtime`'s it is `Clone`, not `Copy` (it owns a C handle);
/// clones stand for the same resource. Two values are equal when one is a
/// clone of the other (the C API cannot compare handles), so a handle that
/// comes back from the guest equals no earlier one.
pub struct ResourceAny {
    raw: Owned<sys::wasmtime_component_resource_any_t>,
    store_id: u64,
    /// Shared by clones: equality is "the same handle or a clone of it"
    /// (the C API cannot compare two handles).
    identity: Arc<()>,
}

// SAFETY: a C resource handle is plain data (a `wasmtime` `ResourceAny`,
// which is `Copy + Send + Sync`); every use goes through its store, whose
// id is checked first.
unsafe impl Send for ResourceAny {}
// SAFETY: as above.
unsafe impl Sync for ResourceAny {}

impl Clone for ResourceAny {
    fn clone(&self) -> ResourceAny {
        // SAFETY: the handle is live; the clone is owned.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_component_resource_any_clone(self.raw.as_ptr())) }.expect("resource clone");
        ResourceAny { raw, store_id: self.store_id, identity: self.identity.clone() }
    }
}

impl PartialEq for ResourceAny {
    fn eq(&self, other: &ResourceAny) -> bool {
        Arc::ptr_eq(&self.identity, &other.identity)
    }
}

impl std::fmt::Debug for ResourceAny {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceAny").field("owned", &self.owned()).finish_non_exhaustive()
    }
}

impl ResourceAny {
    /// Takes ownership of a C handle that belongs to `store_id`.
    ///
    /// # Safety
    /// `raw` must be a live, owned handle.
    pub(crate) unsafe fn from_raw(raw: *mut sys::wasmtime_component_resource_any_t, store_id: u64) -> ResourceAny {
        // SAFETY: forwarded.
        ResourceAny { raw: unsafe { Owned::from_raw(raw) }.expect("resource"), store_id, identity: Arc::new(()) }
    }

    /// A fresh C copy of the handle, for a value handed to C, after checking
    /// that it belongs to `store`.
    pub(crate) fn raw_copy(&self, store: &StoreOpaque) -> Result<*mut sys::wasmtime_component_resource_any_t> {
        store.check_id(self.store_id)?;
        // SAFETY: the handle is live; the clone is owned by the caller.
        Ok(unsafe { sys::wasmtime_component_resource_any_clone(self.raw.as_ptr()) })
    }

    pub(crate) fn store_id(&self) -> u64 {
        self.store_id
    }

    fn from_host(store: &StoreOpaque, owned: bool, rep: u32, ty: u32) -> Result<ResourceAny> {
        // SAFETY: returns an owned host resource.
        let host = unsafe { Owned::from_raw(sys::wasmtime_component_resource_host_new(owned, rep, ty)) }.expect("host resource");
        let mut out = ptr::null_mut();
        // SAFETY: the context and the host resource are live; `out` is owned
        // on success.
        unsafe { Error::check(sys::wasmtime_component_resource_host_to_any(store.context(), host.as_ptr(), &mut out))? };
        // SAFETY: owned on success.
        Ok(unsafe { ResourceAny::from_raw(out, store.id()) })
    }

    pub(crate) fn to_host<T: 'static>(&self, store: &StoreOpaque) -> Result<Resource<T>> {
        store.check_id(self.store_id)?;
        // Before converting: the conversion takes the handle out of the
        // store's table.
        if self.ty() != ResourceType::host::<T>() {
            return Err(Error::msg("mismatched resource types"));
        }
        let (rep, ty, owned) = self.host_parts(store)?;
        debug_assert_eq!(ty, host_type_id::<T>());
        Ok(Resource { rep, owned, _marker: PhantomData })
    }

    /// The rep, type number and ownership of a host resource (taking the
    /// handle, for an `own`).
    fn host_parts(&self, store: &StoreOpaque) -> Result<(u32, u32, bool)> {
        store.check_id(self.store_id)?;
        let mut out = ptr::null_mut();
        // SAFETY: the context and handle are live; `out` is owned on success.
        unsafe { Error::check(sys::wasmtime_component_resource_any_to_host(store.context(), self.raw.as_ptr(), &mut out))? };
        // SAFETY: owned on success.
        let host = unsafe { Owned::from_raw(out) }.expect("host resource");
        // SAFETY: the host resource is live.
        Ok(unsafe {
            (
                sys::wasmtime_component_resource_host_rep(host.as_ptr()),
                sys::wasmtime_component_resource_host_type(host.as_ptr()),
                sys::wasmtime_component_resource_host_owned(host.as_ptr()),
            )
        })
    }

    /// Converts a host [`Resource<T>`] into a `ResourceAny` in `store`.
    pub fn try_from_resource<T: 'static>(resource: Resource<T>, store: impl AsContextMut) -> Result<ResourceAny> {
        resource.try_into_resource_any(store)
    }

    /// Converts back into a [`Resource<T>`], if it is one.
    pub fn try_into_resource<T: 'static>(self, store: impl AsContextMut) -> Result<Resource<T>> {
        Resource::try_from_resource_any(self, store)
    }

    /// The resource's type.
    pub fn ty(&self) -> ResourceType {
        // SAFETY: the handle is live; the type is owned.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_component_resource_any_type(self.raw.as_ptr())) }.expect("resource type");
        ResourceType::from_owned(raw)
    }

    /// Whether this is an `own` (else a `borrow`).
    pub fn owned(&self) -> bool {
        // SAFETY: the handle is live.
        unsafe { sys::wasmtime_component_resource_any_owned(self.raw.as_ptr()) }
    }

    /// Drops the resource in `store`, running its destructor (guest or
    /// host) for an `own` (`wasmtime_component_resource_any_drop`).
    pub fn resource_drop(self, mut store: impl AsContextMut) -> Result<()> {
        let opaque = &store.as_context_mut().0.opaque;
        opaque.check_id(self.store_id)?;
        // SAFETY: the context and handle are live.
        let error = unsafe { sys::wasmtime_component_resource_any_drop(opaque.context(), self.raw.as_ptr()) };
        // SAFETY: an owned error, if any.
        unsafe { opaque.check_call(error, ptr::null_mut()) }
    }
}
