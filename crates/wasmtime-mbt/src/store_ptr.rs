//! How the crate reaches a store's `StoreInner<T>` without breaking Rust's
//! aliasing rules when C re-enters (issue 15 #3).
//!
//! The `StoreInner<T>` of a `Store<T>` lives in a heap allocation made with
//! `Box::into_raw`; that raw pointer is the *root* of all access to it, and
//! the same pointer is C's data pointer for the store
//! (`wasmtime_context_set_data`). A host function that wasm calls gets it
//! back from C and builds `&mut StoreInner<T>` (its `Caller`), while the Rust
//! frames that called into wasm still exist.
//!
//! Under Stacked Borrows that retag of the root pops every reference the
//! outer frames derived from it, so the rules here are:
//!
//! * `Store<T>` keeps the root as a raw `NonNull` (a `Box` field would
//!   assert uniqueness every time the `Store` moves, and invalidate C's copy
//!   of the pointer).
//! * `StoreContextMut` (and so `Caller`) holds a [`StorePtr`]: the root
//!   pointer plus a lifetime, with no reference inside. Passing one by
//!   value to a closure therefore creates no protected `&mut` that a
//!   nested host call would invalidate; each access derefs the root anew.
//! * A reference into the store (`&StoreOpaque`, `&mut T`) is never held
//!   across a C call that can run wasm (calls, instantiation, polling a
//!   future): code re-derives it after the call, from the `StorePtr` or
//!   from C's data pointer (`StoreOpaque::from_context`), both of which
//!   carry the root's provenance.
//!
//! (Miri cannot check this: it does not run the foreign C code. The
//! reasoning is Stacked Borrows', applied by hand.)

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

use crate::store::StoreInner;

/// Exclusive access to a store for `'a`, as a root pointer; see the module
/// docs. Dereferencing yields a fresh reference each time.
pub(crate) struct StorePtr<'a, T> {
    ptr: NonNull<StoreInner<T>>,
    _borrow: PhantomData<&'a mut StoreInner<T>>,
}

impl<'a, T> StorePtr<'a, T> {
    /// # Safety
    /// `ptr` must be the root pointer of a live `StoreInner<T>` (from
    /// `Store`, or C's data pointer of its context), usable exclusively
    /// through the result for `'a` but for re-entrant host calls.
    #[inline]
    pub(crate) unsafe fn new(ptr: NonNull<StoreInner<T>>) -> StorePtr<'a, T> {
        StorePtr { ptr, _borrow: PhantomData }
    }

    /// A shorter exclusive borrow.
    #[inline]
    pub(crate) fn reborrow(&mut self) -> StorePtr<'_, T> {
        StorePtr { ptr: self.ptr, _borrow: PhantomData }
    }

    /// The whole borrow as a reference, for code that keeps no reference
    /// across a re-entrant C call.
    #[inline]
    pub(crate) fn into_mut(self) -> &'a mut StoreInner<T> {
        // SAFETY: exclusive for `'a`, per `new`.
        unsafe { &mut *self.ptr.as_ptr() }
    }
}

impl<T> Deref for StorePtr<'_, T> {
    type Target = StoreInner<T>;
    #[inline]
    fn deref(&self) -> &StoreInner<T> {
        // SAFETY: live and ours for `'a`, per `new`.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> DerefMut for StorePtr<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut StoreInner<T> {
        // SAFETY: live and ours for `'a`, per `new`.
        unsafe { self.ptr.as_mut() }
    }
}
