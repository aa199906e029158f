//! [`GcHeapOutOfMemory`], the error of a GC allocation that found no room,
//! as `wasmtime::GcHeapOutOfMemory`.

use std::fmt;

/// A GC allocation failed for lack of room in the GC heap, as
/// `wasmtime::GcHeapOutOfMemory`; `inner` is the host value that was being
/// allocated (`()` when there is none). Passed to
/// [`Store::gc`](crate::Store::gc) as the reason for a collection.
///
/// ```
/// let mut store = wasmtime_mbt::Store::<()>::default();
/// let why: Option<&wasmtime_mbt::GcHeapOutOfMemory<()>> = None;
/// store.gc(why).unwrap();
/// ```
pub struct GcHeapOutOfMemory<T> {
    inner: T,
    bytes_needed: u64,
}

impl<T> GcHeapOutOfMemory<T> {
    /// The error for `inner`, which needed `bytes_needed` bytes.
    #[allow(dead_code)]
    pub(crate) fn new(inner: T, bytes_needed: u64) -> Self {
        GcHeapOutOfMemory { inner, bytes_needed }
    }

    /// The host value that was being allocated.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The host value, and this error without it (for [`Store::gc`](crate::Store::gc)).
    pub fn take_inner(self) -> (T, GcHeapOutOfMemory<()>) {
        (self.inner, GcHeapOutOfMemory { inner: (), bytes_needed: self.bytes_needed })
    }
}

impl<T> fmt::Display for GcHeapOutOfMemory<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GC heap out of memory: no capacity for allocation of {} bytes", self.bytes_needed)
    }
}

impl<T> fmt::Debug for GcHeapOutOfMemory<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<T> std::error::Error for GcHeapOutOfMemory<T> {}
