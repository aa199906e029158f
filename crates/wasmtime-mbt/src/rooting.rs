//! GC rooting, as `wasmtime`'s: `Rooted<T>` (a `Copy` handle valid until
//! its [`RootScope`] is exited), `OwnedRooted<T>` (valid until dropped) and
//! the store's root set behind them.
//!
//! The C API only has owned roots (`wasmtime_externref_t` & co. are
//! `wasmtime::OwnedRooted` values that must be unrooted once). Each store
//! therefore keeps a root set ([`RootSet`]) that owns those C roots:
//!
//! - a LIFO stack for `Rooted<T>`: a `Rooted<T>` is the store id, the index
//!   of its entry and the stack's generation when it was pushed; leaving a
//!   scope unroots every entry above the scope's start and bumps the
//!   generation, so a stale handle is detected, never dereferenced;
//! - a slab of weak links for `OwnedRooted<T>`, which holds its C root in
//!   an `Arc` and unroots it when the last clone is dropped.
//!
//! Host function calls get a scope of their own (as in `wasmtime`), so the
//! references they receive are unrooted when they return.

use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, Weak};

use wasmtime_mbt_sys as sys;

use crate::store::StoreOpaque;
use crate::{AsContext, AsContextMut, Error, HeapType, Result, Val};

/// A copy of a C root's fields, of the kind it was made as. Only a view:
/// the owner is the [`CRoot`] it was copied from.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum RawRoot {
    /// An `externref` root.
    Extern(sys::wasmtime_externref_t),
    /// An `anyref` root.
    Any(sys::wasmtime_anyref_t),
    /// An `exnref` root.
    Exn(sys::wasmtime_exnref_t),
}

/// The one owner of a C root: unroots it on drop.
#[doc(hidden)]
pub struct CRoot(RawRoot);

// SAFETY: a C root is a `wasmtime::OwnedRooted` (an index and an `Arc`),
// which is `Send + Sync`; unrooting it needs no store.
unsafe impl Send for CRoot {}
// SAFETY: as above; shared access only copies the fields.
unsafe impl Sync for CRoot {}

impl CRoot {
    /// Takes ownership of a C root; `None` for a null reference.
    ///
    /// # Safety
    /// A non-null `raw` must be an owned root, not owned by anything else.
    #[inline]
    pub(crate) unsafe fn from_owned(raw: RawRoot) -> Option<CRoot> {
        (raw.store_id() != 0).then_some(CRoot(raw))
    }

    /// A new root of the same object (`wasmtime_*_clone`).
    pub(crate) fn clone_of(raw: &RawRoot) -> CRoot {
        // SAFETY: `raw` is a view of a live root; each output becomes a new
        // owned root, owned by the result.
        unsafe {
            CRoot(match raw {
                RawRoot::Extern(r) => {
                    let mut out = sys::wasmtime_externref_t::default();
                    sys::wasmtime_externref_clone(r, &mut out);
                    RawRoot::Extern(out)
                }
                RawRoot::Any(r) => {
                    let mut out = sys::wasmtime_anyref_t::default();
                    sys::wasmtime_anyref_clone(r, &mut out);
                    RawRoot::Any(out)
                }
                RawRoot::Exn(r) => {
                    let mut out = sys::wasmtime_exnref_t::default();
                    sys::wasmtime_exnref_clone(r, &mut out);
                    RawRoot::Exn(out)
                }
            })
        }
    }

    /// Gives up ownership: the caller (C) takes the root.
    #[inline]
    pub(crate) fn into_raw(self) -> RawRoot {
        let raw = self.0;
        std::mem::forget(self);
        raw
    }

    #[inline]
    pub(crate) fn raw(&self) -> RawRoot {
        self.0
    }
}

impl Drop for CRoot {
    fn drop(&mut self) {
        // SAFETY: `self.0` is an owned root, unrooted exactly once here.
        unsafe {
            match &mut self.0 {
                RawRoot::Extern(r) => sys::wasmtime_externref_unroot(r),
                RawRoot::Any(r) => sys::wasmtime_anyref_unroot(r),
                RawRoot::Exn(r) => sys::wasmtime_exnref_unroot(r),
            }
        }
    }
}

impl RawRoot {
    #[inline]
    fn store_id(&self) -> u64 {
        match self {
            RawRoot::Extern(r) => r.store_id,
            RawRoot::Any(r) => r.store_id,
            RawRoot::Exn(r) => r.store_id,
        }
    }

    /// The raw `u32` wasm sees for this reference (`wasmtime_*_to_raw`).
    #[inline]
    pub(crate) fn to_wasm(self, store: &StoreOpaque) -> u32 {
        // SAFETY: the root is live and belongs to `store` (checked when it
        // was resolved).
        unsafe {
            match self {
                RawRoot::Extern(r) => sys::wasmtime_externref_to_raw(store.context(), &r),
                RawRoot::Any(r) => sys::wasmtime_anyref_to_raw(store.context(), &r),
                RawRoot::Exn(r) => sys::wasmtime_exnref_to_raw(store.context(), &r),
            }
        }
    }
}

const OWNED: u32 = 1 << 31;

/// Where a GC reference's C root lives in its store's root set. Every
/// reference type ([`ExternRef`](crate::ExternRef), …) is a newtype of one.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GcRootIndex {
    store_id: u64,
    generation: u32,
    /// A LIFO index, or a slab index with the `OWNED` bit.
    index: u32,
}

/// A resolved root: a view of its C root, kept alive while this lives.
pub(crate) enum Resolved {
    /// A LIFO root: alive until its scope is exited, which cannot happen
    /// while the store is borrowed for the operation at hand.
    Lifo(RawRoot),
    /// An owned root, kept alive by this clone of its `Arc`.
    Owned(Arc<CRoot>),
}

impl Resolved {
    pub(crate) fn raw(&self) -> RawRoot {
        match self {
            Resolved::Lifo(raw) => *raw,
            Resolved::Owned(root) => root.raw(),
        }
    }
}

impl GcRootIndex {
    /// Panics, with `wasmtime`'s message, unless this reference belongs to
    /// `store`.
    #[track_caller]
    pub(crate) fn assert_store(&self, store: &StoreOpaque) {
        assert!(self.store_id == store.id(), "object used with wrong store");
    }

    /// The C root, as `wasmtime`'s `try_gc_ref`: panics for another store's
    /// reference, `Err` for one that has been unrooted.
    #[track_caller]
    pub(crate) fn resolve(&self, store: &StoreOpaque) -> Result<Resolved> {
        self.assert_store(store);
        store.roots().borrow().get(self).ok_or_else(unrooted_error)
    }

    /// Like [`GcRootIndex::resolve`], but another store's reference is an
    /// `Err` too (for values passed into calls, as `wasmtime`'s
    /// "value used with wrong store").
    #[inline]
    pub(crate) fn try_resolve(&self, store: &StoreOpaque) -> Result<Resolved> {
        if self.store_id != store.id() {
            return Err(Error::msg("object used with the wrong store"));
        }
        store.roots().borrow().get(self).ok_or_else(unrooted_error)
    }
}

#[cold]
fn unrooted_error() -> Error {
    Error::msg("attempted to use a garbage-collected object that has been unrooted")
}

/// The C roots of one store's `Rooted<T>`s and `OwnedRooted<T>`s.
#[derive(Default)]
pub(crate) struct RootSet {
    lifo: Vec<LifoRoot>,
    lifo_generation: u32,
    owned: Vec<OwnedSlot>,
    free: Vec<u32>,
    /// Slab length at which dead owned slots are swept for reuse.
    sweep_at: usize,
}

struct LifoRoot {
    generation: u32,
    root: CRoot,
}

struct OwnedSlot {
    generation: u32,
    root: Weak<CRoot>,
}

impl RootSet {
    /// The start of a new LIFO scope, to pass to [`RootSet::exit`].
    #[inline]
    pub(crate) fn enter(&self) -> usize {
        self.lifo.len()
    }

    /// Unroots every LIFO root pushed since `scope` was entered.
    #[inline]
    pub(crate) fn exit(&mut self, scope: usize) {
        if self.lifo.len() > scope {
            self.lifo_generation = self.lifo_generation.wrapping_add(1);
            self.lifo.truncate(scope);
        }
    }

    #[inline]
    fn push_lifo(&mut self, store_id: u64, root: CRoot) -> GcRootIndex {
        let index = u32::try_from(self.lifo.len()).ok().filter(|i| i & OWNED == 0).expect("too many GC roots in one scope");
        let generation = self.lifo_generation;
        self.lifo.push(LifoRoot { generation, root });
        GcRootIndex { store_id, generation, index }
    }

    fn push_owned(&mut self, store_id: u64, root: &Arc<CRoot>) -> GcRootIndex {
        if self.free.is_empty() && self.owned.len() >= self.sweep_at {
            self.free.extend(self.owned.iter().enumerate().filter(|(_, s)| s.root.strong_count() == 0).map(|(i, _)| i as u32));
            self.sweep_at = (2 * (self.owned.len() - self.free.len())).max(16);
        }
        let root = Arc::downgrade(root);
        let (index, generation) = match self.free.pop() {
            Some(i) => {
                let slot = &mut self.owned[i as usize];
                slot.generation = slot.generation.wrapping_add(1);
                slot.root = root;
                (i, slot.generation)
            }
            None => {
                let i = u32::try_from(self.owned.len()).ok().filter(|i| i & OWNED == 0).expect("too many owned GC roots");
                self.owned.push(OwnedSlot { generation: 0, root });
                (i, 0)
            }
        };
        GcRootIndex { store_id, generation, index: index | OWNED }
    }

    #[inline]
    fn get(&self, index: &GcRootIndex) -> Option<Resolved> {
        if index.index & OWNED == 0 {
            let entry = self.lifo.get(index.index as usize)?;
            (entry.generation == index.generation).then(|| Resolved::Lifo(entry.root.raw()))
        } else {
            let slot = self.owned.get((index.index & !OWNED) as usize)?;
            if slot.generation != index.generation {
                return None;
            }
            slot.root.upgrade().map(Resolved::Owned)
        }
    }
}

/// Runs `f` in a LIFO scope of `store`'s root set: roots pushed meanwhile
/// are unrooted afterwards (host function calls).
#[inline]
pub(crate) fn with_lifo_scope<R>(store: &StoreOpaque, f: impl FnOnce() -> R) -> R {
    let scope = store.roots().borrow().enter();
    let out = f();
    store.roots().borrow_mut().exit(scope);
    out
}

mod sealed {
    use super::*;

    /// What the crate needs of a GC reference type. Sealed.
    pub trait GcRefImpl: Sized + Send + Sync + 'static {
        /// The C value kind's top heap type.
        #[doc(hidden)]
        const TOP: HeapType;
        /// `index` as a `&Self`; every such type is a `repr(transparent)`
        /// newtype of a [`GcRootIndex`].
        #[doc(hidden)]
        fn transmute_ref(index: &GcRootIndex) -> &Self;
        /// The C root of a reference of this type from the raw `u32` wasm
        /// uses (non-zero).
        #[doc(hidden)]
        fn root_from_wasm(store: &StoreOpaque, raw: u32) -> Option<CRoot>;
        /// A value holding this reference.
        #[doc(hidden)]
        fn into_val(r: Option<Rooted<Self>>) -> Val;
        /// The reference in `val`, if it holds this type.
        #[doc(hidden)]
        fn from_val(val: &Val) -> Option<Option<Rooted<Self>>>;
    }

    /// What rooted references share. Sealed.
    pub trait RootedGcRefImpl<T: GcRefImpl> {
        /// The root's index.
        #[doc(hidden)]
        fn root_index(&self) -> &GcRootIndex;
    }
}
pub(crate) use sealed::{GcRefImpl, RootedGcRefImpl};

/// A GC reference type: [`ExternRef`](crate::ExternRef),
/// [`AnyRef`](crate::AnyRef), [`EqRef`](crate::EqRef),
/// [`StructRef`](crate::StructRef), [`ArrayRef`](crate::ArrayRef),
/// [`ExnRef`](crate::ExnRef), as `wasmtime::GcRef`.
/// Sealed.
pub trait GcRef: GcRefImpl {}

impl<T: GcRefImpl> GcRef for T {}

/// A rooted GC reference, [`Rooted<T>`] or [`OwnedRooted<T>`], as
/// `wasmtime::RootedGcRef`. Sealed.
pub trait RootedGcRef<T: GcRef>: RootedGcRefImpl<T> + Deref<Target = T> {}

impl<T: GcRef, U: RootedGcRefImpl<T> + Deref<Target = T>> RootedGcRef<T> for U {}

/// The raw `u32` of a rooted reference, for identity comparisons.
fn raw_identity<T: GcRef>(store: &StoreOpaque, r: &impl RootedGcRef<T>) -> Result<u32> {
    Ok(r.root_index().resolve(store)?.raw().to_wasm(store))
}

/// A GC reference rooted in the current scope, as `wasmtime::Rooted`: a
/// `Copy` handle, valid until the [`RootScope`] it was created in (or, at
/// top level, the store) goes away. Dereferences to `T` for its methods.
///
/// Using it after its scope is an `Err` ("attempted to use a
/// garbage-collected object that has been unrooted"); using it with
/// another store panics, as in `wasmtime`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::<()>::default();
/// let outer = ExternRef::new(&mut store, 1u32)?;
/// let inner;
/// {
///     let mut scope = RootScope::new(&mut store);
///     inner = ExternRef::new(&mut scope, 2u32)?;
///     assert!(inner.data(&scope)?.is_some());
/// }
/// assert!(outer.data(&store)?.is_some());
/// assert!(inner.data(&store).is_err());
/// # Ok(()) }
/// ```
#[repr(transparent)]
pub struct Rooted<T: GcRef> {
    inner: GcRootIndex,
    _phantom: PhantomData<T>,
}

impl<T: GcRef> Clone for Rooted<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: GcRef> Copy for Rooted<T> {}

impl<T: GcRef> fmt::Debug for Rooted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(&format!("Rooted<{}>", std::any::type_name::<T>())).field("inner", &self.inner).finish()
    }
}

impl<T: GcRef> Deref for Rooted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        T::transmute_ref(&self.inner)
    }
}

impl<T: GcRef> RootedGcRefImpl<T> for Rooted<T> {
    fn root_index(&self) -> &GcRootIndex {
        &self.inner
    }
}

impl<T: GcRef> Rooted<T> {
    /// Roots `root` in `store`'s current scope.
    #[inline]
    pub(crate) fn new(store: &StoreOpaque, root: CRoot) -> Rooted<T> {
        let inner = store.roots().borrow_mut().push_lifo(store.id(), root);
        Rooted { inner, _phantom: PhantomData }
    }

    /// An [`OwnedRooted<T>`] of the same object, valid past this scope.
    /// `Err` if `self` has been unrooted; panics for another store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let owned = {
    ///     let mut scope = RootScope::new(&mut store);
    ///     ExternRef::new(&mut scope, "hello")?.to_owned_rooted(&mut scope)?
    /// };
    /// assert_eq!(owned.data(&store)?.unwrap().downcast_ref::<&str>(), Some(&"hello"));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn to_owned_rooted(&self, mut store: impl AsContextMut) -> Result<OwnedRooted<T>> {
        let store = store.as_context_mut();
        self.owned_in(&store.0.opaque)
    }

    #[track_caller]
    pub(crate) fn owned_in(&self, store: &StoreOpaque) -> Result<OwnedRooted<T>> {
        let root = CRoot::clone_of(&self.inner.resolve(store)?.raw());
        Ok(OwnedRooted::new(store, root))
    }

    /// Whether `a` and `b` are the same root (not merely the same object).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let a = ExternRef::new(&mut store, 1)?;
    /// let b = ExternRef::new(&mut store, 1)?;
    /// assert!(Rooted::rooted_eq(a, a) && !Rooted::rooted_eq(a, b));
    /// # Ok(()) }
    /// ```
    pub fn rooted_eq(a: Self, b: Self) -> bool {
        a.inner == b.inner
    }

    /// Whether `a` and `b` refer to the same object; `Err` if either has
    /// been unrooted, a panic if either belongs to another store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let a = ExternRef::new(&mut store, "x")?;
    /// let owned = a.to_owned_rooted(&mut store)?;
    /// let other = ExternRef::new(&mut store, "x")?;
    /// assert!(Rooted::ref_eq(&store, &a, &owned)?);
    /// assert!(!Rooted::ref_eq(&store, &a, &other)?);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ref_eq(store: impl AsContext, a: &impl RootedGcRef<T>, b: &impl RootedGcRef<T>) -> Result<bool> {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        Ok(raw_identity(opaque, a)? == raw_identity(opaque, b)?)
    }

    /// Hashes the root (consistent with [`Rooted::rooted_eq`]).
    pub fn rooted_hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
    }

    /// Hashes the object (consistent with [`Rooted::ref_eq`]); `Err` if
    /// unrooted.
    #[track_caller]
    pub fn ref_hash<H: Hasher>(&self, store: impl AsContext, state: &mut H) -> Result<()> {
        let store = store.as_context();
        raw_identity(&store.0.opaque, self)?.hash(state);
        Ok(())
    }

    /// The raw `u32` for wasm (`wasmtime_*_to_raw`); `Err` for another
    /// store's or an unrooted reference.
    #[inline]
    pub(crate) fn store_wasm(&self, store: &StoreOpaque) -> Result<u32> {
        // Fast path (typed call parameters): a live LIFO root of this
        // store, read in place, without building a `Resolved`.
        let index = &self.inner;
        if index.store_id == store.id() && index.index & OWNED == 0 {
            let raw = store.roots().borrow().lifo.get(index.index as usize).filter(|e| e.generation == index.generation).map(|e| e.root.raw());
            if let Some(raw) = raw {
                return Ok(raw.to_wasm(store));
            }
        }
        Ok(self.inner.try_resolve(store)?.raw().to_wasm(store))
    }

    /// A new C root of this reference, handed to C (host function results):
    /// `Err` for another store's or an unrooted reference.
    pub(crate) fn clone_for_c(&self, store: &StoreOpaque) -> Result<RawRoot> {
        Ok(CRoot::clone_of(&self.inner.try_resolve(store)?.raw()).into_raw())
    }

    /// A borrowed C view of the root, for C calls that do not take
    /// ownership: `Err` for another store's or an unrooted reference.
    pub(crate) fn raw_view(&self, store: &StoreOpaque) -> Result<Resolved> {
        self.inner.try_resolve(store)
    }

    pub(crate) fn index(&self) -> &GcRootIndex {
        &self.inner
    }

    /// Loads a non-null raw wasm reference, rooting it in the current scope.
    #[inline]
    pub(crate) fn load_wasm(store: &StoreOpaque, raw: u32) -> Option<Rooted<T>> {
        T::root_from_wasm(store, raw).map(|root| Rooted::new(store, root))
    }

    /// The same root as another reference type of the same C kind (an
    /// upcast, or a downcast already checked).
    pub(crate) fn unchecked_cast<U: GcRef>(self) -> Rooted<U> {
        Rooted { inner: self.inner, _phantom: PhantomData }
    }
}

/// A GC reference rooted until dropped, as `wasmtime::OwnedRooted`: it
/// keeps one C root, unrooted when the last clone is dropped (with or
/// without its store). Dereferences to `T` for its methods.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::<()>::default();
/// let owned = ExternRef::new(&mut store, 7u8)?.to_owned_rooted(&mut store)?;
/// let again: Rooted<ExternRef> = owned.to_rooted(&mut store);
/// assert!(OwnedRooted::ref_eq(&store, &owned, &again)?);
/// # Ok(()) }
/// ```
pub struct OwnedRooted<T: GcRef> {
    inner: GcRootIndex,
    root: Arc<CRoot>,
    _phantom: PhantomData<T>,
}

impl<T: GcRef> Clone for OwnedRooted<T> {
    fn clone(&self) -> Self {
        OwnedRooted { inner: self.inner, root: self.root.clone(), _phantom: PhantomData }
    }
}

impl<T: GcRef> fmt::Debug for OwnedRooted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(&format!("OwnedRooted<{}>", std::any::type_name::<T>())).field("inner", &self.inner).finish()
    }
}

impl<T: GcRef> Deref for OwnedRooted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        T::transmute_ref(&self.inner)
    }
}

impl<T: GcRef> RootedGcRefImpl<T> for OwnedRooted<T> {
    fn root_index(&self) -> &GcRootIndex {
        &self.inner
    }
}

impl<T: GcRef> OwnedRooted<T> {
    pub(crate) fn new(store: &StoreOpaque, root: CRoot) -> OwnedRooted<T> {
        let root = Arc::new(root);
        let inner = store.roots().borrow_mut().push_owned(store.id(), &root);
        OwnedRooted { inner, root, _phantom: PhantomData }
    }

    /// A [`Rooted<T>`] of the same object in `context`'s current scope.
    /// Panics if `self` belongs to another store.
    #[track_caller]
    pub fn to_rooted(&self, mut context: impl AsContextMut) -> Rooted<T> {
        let store = context.as_context_mut();
        let opaque = &store.0.opaque;
        self.inner.assert_store(opaque);
        Rooted::new(opaque, CRoot::clone_of(&self.root.raw()))
    }

    /// Whether `a` and `b` refer to the same object; see [`Rooted::ref_eq`].
    #[track_caller]
    pub fn ref_eq(store: impl AsContext, a: &impl RootedGcRef<T>, b: &impl RootedGcRef<T>) -> Result<bool> {
        Rooted::ref_eq(store, a, b)
    }

    /// Hashes the root (consistent with identity of roots).
    pub fn rooted_hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
    }

    /// Hashes the object (consistent with [`OwnedRooted::ref_eq`]).
    #[track_caller]
    pub fn ref_hash<H: Hasher>(&self, store: impl AsContext, state: &mut H) {
        let store = store.as_context();
        self.inner.assert_store(&store.0.opaque);
        self.root.raw().to_wasm(&store.0.opaque).hash(state);
    }

    /// The raw `u32` for wasm; `Err` for another store's reference.
    pub(crate) fn store_wasm(&self, store: &StoreOpaque) -> Result<u32> {
        if self.inner.store_id != store.id() {
            return Err(Error::msg("object used with the wrong store"));
        }
        Ok(self.root.raw().to_wasm(store))
    }

    /// A view of the C root, alive as long as `self`.
    pub(crate) fn raw(&self) -> RawRoot {
        self.root.raw()
    }

    /// Loads a non-null raw wasm reference as an owned root.
    pub(crate) fn load_wasm(store: &StoreOpaque, raw: u32) -> Option<OwnedRooted<T>> {
        T::root_from_wasm(store, raw).map(|root| OwnedRooted::new(store, root))
    }

    /// The same root as another reference type of the same C kind.
    pub(crate) fn unchecked_cast<U: GcRef>(self) -> OwnedRooted<U> {
        OwnedRooted { inner: self.inner, root: self.root, _phantom: PhantomData }
    }
}

/// A nested rooting scope, as `wasmtime::RootScope`: [`Rooted<T>`]s made
/// through it are unrooted when it is dropped. Use it wherever the store
/// it wraps would be used.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::<()>::default();
/// let r;
/// {
///     let mut scope = RootScope::new(&mut store);
///     scope.reserve(1);
///     r = ExternRef::new(&mut scope, 5u32)?;
///     assert_eq!(r.data(&scope)?.unwrap().downcast_ref::<u32>(), Some(&5));
/// }
/// let err = r.data(&store).unwrap_err();
/// assert!(err.to_string().contains("unrooted"));
/// # Ok(()) }
/// ```
pub struct RootScope<C: AsContextMut> {
    store: C,
    scope: usize,
}

impl<C: AsContextMut> RootScope<C> {
    /// Enters a new scope on `store`.
    #[inline]
    pub fn new(store: C) -> Self {
        let scope = store.as_context().0.opaque.roots().borrow().enter();
        RootScope { store, scope }
    }

    /// Reserves room for `additional` roots in this scope.
    pub fn reserve(&mut self, additional: usize) {
        self.store.as_context_mut().0.opaque.roots().borrow_mut().lifo.reserve(additional);
    }
}

impl<C: AsContextMut> Drop for RootScope<C> {
    #[inline]
    fn drop(&mut self) {
        self.store.as_context_mut().0.opaque.roots().borrow_mut().exit(self.scope);
    }
}

impl<C: AsContextMut> AsContext for RootScope<C> {
    type Data = C::Data;
    fn as_context(&self) -> crate::StoreContext<'_, C::Data> {
        self.store.as_context()
    }
}

impl<C: AsContextMut> AsContextMut for RootScope<C> {
    fn as_context_mut(&mut self) -> crate::StoreContextMut<'_, C::Data> {
        self.store.as_context_mut()
    }
}

/// The root set type, for the store's field.
pub(crate) type Roots = RefCell<RootSet>;
