//! `Memory` (a linear memory in a store) and `SharedMemory` (a `threads`
//! memory owned by an engine, usable from many threads).

use std::ptr;

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::{CDelete, Owned};
use crate::store::StoreOpaque;
use crate::{AsContext, AsContextMut, Engine, Error, MemoryType, Result, StoreContextMut};

/// A linear memory, as `wasmtime::Memory`. A small `Copy` handle into its
/// store; the bytes are borrowed through the store, so a slice from
/// [`Memory::data`] cannot outlive a call that may grow the memory.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::new(&Engine::default(), ());
/// let memory = Memory::new(&mut store, MemoryType::new(1, Some(2)))?;
/// memory.write(&mut store, 100, b"hi")?;
/// let mut buf = [0; 2];
/// memory.read(&store, 100, &mut buf)?;
/// assert_eq!(&buf, b"hi");
/// assert!(memory.write(&mut store, 65_535, b"hi").is_err()); // out of bounds
/// assert_eq!(memory.grow(&mut store, 1)?, 1);
/// assert_eq!(memory.size(&store), 2);
/// assert!(memory.grow(&mut store, 1).is_err()); // past the maximum
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Memory(pub(crate) sys::wasmtime_memory_t);

crate::store::store_handle!(Memory, |h| h.store_id());

impl Memory {
    /// A new memory in `store` (`wasmtime_memory_new`).
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let store = store.as_context_mut();
        let raw_ty = ty.to_raw()?;
        let mut raw = sys::wasmtime_memory_t::default();
        // SAFETY: the context and type are live.
        unsafe { Error::check(sys::wasmtime_memory_new(store.0.opaque.context(), raw_ty.as_ptr(), &mut raw))? };
        Ok(Memory(raw))
    }

    #[inline]
    pub(crate) fn store_id(&self) -> u64 {
        self.0.__bindgen_anon_1.store_id
    }

    /// The C context of `store`, panicking (before any C call) unless
    /// this memory belongs to it.
    #[inline]
    #[track_caller]
    fn context_or_panic(&self, store: &StoreOpaque) -> *mut sys::wasmtime_context_t {
        store.assert_id(self.store_id());
        store.context()
    }

    /// The memory's type (`wasmtime_memory_type`). Panics if the memory
    /// belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, Some(3)))?;
    /// assert_eq!(memory.ty(&store).maximum(), Some(3));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let context = self.context_or_panic(&store.as_context().0.opaque);
        // SAFETY: the memory belongs to this live store; the type is owned.
        unsafe {
            let raw = Owned::from_raw(sys::wasmtime_memory_type(context, &self.0)).expect("memory type");
            MemoryType::from_raw(raw.as_ptr())
        }
    }

    /// Size in pages (`wasmtime_memory_size`). Panics if the memory
    /// belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(2, None))?;
    /// assert_eq!(memory.size(&store), 2);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn size(&self, store: impl AsContext) -> u64 {
        let context = self.context_or_panic(&store.as_context().0.opaque);
        // SAFETY: the memory belongs to this live store.
        unsafe { sys::wasmtime_memory_size(context, &self.0) }
    }

    /// Size in bytes (`wasmtime_memory_data_size`). Panics if the memory
    /// belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// assert_eq!(memory.data_size(&store), 65536);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn data_size(&self, store: impl AsContext) -> usize {
        let context = self.context_or_panic(&store.as_context().0.opaque);
        // SAFETY: the memory belongs to this live store.
        unsafe { sys::wasmtime_memory_data_size(context, &self.0) }
    }

    /// Page size in bytes (`wasmtime_memory_page_size`). Panics if the
    /// memory belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// assert_eq!(memory.page_size(&store), 65536);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn page_size(&self, store: impl AsContext) -> u64 {
        let context = self.context_or_panic(&store.as_context().0.opaque);
        // SAFETY: the memory belongs to this live store.
        unsafe { sys::wasmtime_memory_page_size(context, &self.0) }
    }

    /// Base-2 logarithm of the page size (`wasmtime_memory_page_size_log2`).
    /// Panics if the memory belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// assert_eq!(memory.page_size_log2(&store), 16);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn page_size_log2(&self, store: impl AsContext) -> u8 {
        let context = self.context_or_panic(&store.as_context().0.opaque);
        // SAFETY: the memory belongs to this live store.
        unsafe { sys::wasmtime_memory_page_size_log2(context, &self.0) }
    }

    /// Grows by `delta` pages, returning the old size in pages
    /// (`wasmtime_memory_grow`). Growing past the maximum or a store limit is
    /// an `Err`. Panics if the memory belongs to another store, as
    /// `wasmtime`.
    #[track_caller]
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let context = self.context_or_panic(&store.as_context_mut().0.opaque);
        let mut prev = 0;
        // SAFETY: the memory belongs to this live store.
        unsafe { Error::check(sys::wasmtime_memory_grow(context, &self.0, delta, &mut prev))? };
        Ok(prev)
    }

    /// The memory's bytes, as `wasmtime::Memory::data`. Like `wasmtime`,
    /// this panics on a memory from another store (it cannot return a
    /// `Result` and keep the borrow-checked slice); [`Memory::read`] is the
    /// fallible access.
    #[inline]
    #[track_caller]
    pub fn data<'a, C: AsContext>(&self, store: &'a C) -> &'a [u8] {
        let opaque = &store.as_context().0.opaque;
        opaque.assert_id(self.store_id());
        let (data, len) = self.raw_data(opaque);
        // SAFETY: the bytes stay valid while the store is borrowed (growth
        // needs `&mut`).
        unsafe { crate::owned::borrow_bytes(data, len) }
    }

    /// The memory's bytes, mutably; see [`Memory::data`].
    #[inline]
    #[track_caller]
    pub fn data_mut<'a, C: AsContextMut>(&self, store: &'a mut C) -> &'a mut [u8] {
        let opaque = &store.as_context_mut().0.opaque;
        opaque.assert_id(self.store_id());
        let (data, len) = self.raw_data(opaque);
        // SAFETY: as in `data`, and the store is borrowed exclusively.
        unsafe { borrow_mut(data, len) }
    }

    /// The memory's bytes and the store's data, both mutably, as
    /// `wasmtime::Memory::data_and_store_mut`. Panics on a memory from
    /// another store, as [`Memory::data`].
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), Vec::new());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// memory.write(&mut store, 0, b"ab")?;
    /// let (data, saved) = memory.data_and_store_mut(&mut store);
    /// saved.extend_from_slice(&data[..2]);
    /// assert_eq!(store.data(), b"ab");
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn data_and_store_mut<'a, T: 'static>(&self, store: impl Into<StoreContextMut<'a, T>>) -> (&'a mut [u8], &'a mut T) {
        let inner = store.into().0.into_mut();
        inner.opaque.assert_id(self.store_id());
        let (data, len) = self.raw_data(&inner.opaque);
        // SAFETY: as in `data_mut`: the store is borrowed exclusively for
        // `'a`, and the bytes are not part of the store's data `T`.
        (unsafe { borrow_mut(data, len) }, inner.data_mut())
    }

    /// The base address of the memory's bytes (`wasmtime_memory_data`), as
    /// `wasmtime::Memory::data_ptr`. Panics on a memory from another store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// assert_eq!(memory.data_ptr(&store), memory.data_mut(&mut store).as_mut_ptr());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn data_ptr(&self, store: impl AsContext) -> *mut u8 {
        let context = self.context_or_panic(&store.as_context().0.opaque);
        // SAFETY: the memory belongs to this live store.
        unsafe { sys::wasmtime_memory_data(context, &self.0) }
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`; out of bounds is an
    /// `Err`, as `wasmtime::Memory::read`. Panics if the memory belongs to
    /// another store, as `wasmtime`.
    #[inline]
    #[track_caller]
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<(), MemoryAccessError> {
        let (data, len) = self.raw_data(&store.as_context().0.opaque);
        let end = checked_end(offset, buf.len(), len)?;
        // SAFETY: the memory's `len` bytes are valid; the range was checked.
        buf.copy_from_slice(&unsafe { crate::owned::borrow_bytes(data, len) }[offset..end]);
        Ok(())
    }

    /// Copies `buf` to `offset`; out of bounds is an `Err`, as
    /// `wasmtime::Memory::write`. Panics if the memory belongs to another
    /// store, as `wasmtime`.
    #[inline]
    #[track_caller]
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<(), MemoryAccessError> {
        let (data, len) = self.raw_data(&store.as_context_mut().0.opaque);
        let end = checked_end(offset, buf.len(), len)?;
        // SAFETY: as in `read`; the store is borrowed exclusively.
        unsafe { borrow_mut(data, len)[offset..end].copy_from_slice(buf) };
        Ok(())
    }

    /// Checks the store, then returns the base pointer and byte length.
    #[inline]
    #[track_caller]
    fn raw_data(&self, store: &StoreOpaque) -> (*mut u8, usize) {
        let context = self.context_or_panic(store);
        // SAFETY: the memory belongs to this live store.
        unsafe { (sys::wasmtime_memory_data(context, &self.0), sys::wasmtime_memory_data_size(context, &self.0)) }
    }
}

/// `offset + len` if it is within `size`, else an out-of-bounds error.
#[inline]
fn checked_end(offset: usize, len: usize, size: usize) -> Result<usize, MemoryAccessError> {
    offset.checked_add(len).filter(|&end| end <= size).ok_or(MemoryAccessError { _private: () })
}

/// The error of an out-of-bounds [`Memory::read`] or [`Memory::write`], as
/// `wasmtime::MemoryAccessError`; `?` turns it into an [`Error`].
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, ());
/// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
/// let err: MemoryAccessError = memory.write(&mut store, 65535, &[1, 2]).unwrap_err();
/// assert_eq!(err.to_string(), "out of bounds memory access");
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct MemoryAccessError {
    _private: (),
}

impl std::fmt::Display for MemoryAccessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("out of bounds memory access")
    }
}

impl std::error::Error for MemoryAccessError {}

/// # Safety
/// A non-null `data` must point to `len` bytes valid for `'a`, exclusively.
unsafe fn borrow_mut<'a>(data: *mut u8, len: usize) -> &'a mut [u8] {
    if data.is_null() || len == 0 {
        &mut []
    } else {
        // SAFETY: forwarded.
        unsafe { std::slice::from_raw_parts_mut(data, len) }
    }
}

impl CDelete for sys::wasmtime_sharedmemory_t {
    unsafe fn delete(ptr: *mut Self) {
        // SAFETY: forwarded: `ptr` is owned and live.
        unsafe { sys::wasmtime_sharedmemory_delete(ptr) }
    }
}

/// A shared linear memory, as `wasmtime::SharedMemory`: owned by an
/// engine, `Send + Sync`, and importable into any store on that engine.
/// Needs [`Config::wasm_threads`](crate::Config::wasm_threads).
pub struct SharedMemory(Owned<sys::wasmtime_sharedmemory_t>);

// SAFETY: `wasmtime::SharedMemory` is `Send + Sync`; its C functions take
// `const` pointers and synchronise internally.
unsafe impl Send for SharedMemory {}
// SAFETY: as above.
unsafe impl Sync for SharedMemory {}

impl Clone for SharedMemory {
    fn clone(&self) -> SharedMemory {
        // SAFETY: the memory is live; the clone is owned.
        SharedMemory(unsafe { Owned::from_raw(sys::wasmtime_sharedmemory_clone(self.0.as_ptr())) }.expect("clone"))
    }
}

impl std::fmt::Debug for SharedMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedMemory").field(&self.0.as_ptr()).finish()
    }
}

impl SharedMemory {
    /// A new shared memory (`wasmtime_sharedmemory_new`); `ty` must be shared.
    pub fn new(engine: &Engine, ty: MemoryType) -> Result<SharedMemory> {
        let raw_ty = ty.to_raw()?;
        let mut ret = ptr::null_mut();
        // SAFETY: the engine and type are live; `ret` is owned on success.
        unsafe {
            Error::check(sys::wasmtime_sharedmemory_new(engine.as_raw(), raw_ty.as_ptr(), &mut ret))?;
            Ok(SharedMemory(Owned::from_raw(ret).expect("shared memory")))
        }
    }

    /// # Safety
    /// `raw` must be owned.
    pub(crate) unsafe fn from_raw_owned(raw: *mut sys::wasmtime_sharedmemory_t) -> SharedMemory {
        // SAFETY: forwarded.
        SharedMemory(unsafe { Owned::from_raw(raw) }.expect("shared memory"))
    }

    pub(crate) fn as_raw(&self) -> *mut sys::wasmtime_sharedmemory_t {
        self.0.as_ptr()
    }

    /// The memory's type.
    pub fn ty(&self) -> MemoryType {
        // SAFETY: the memory is live; the type is owned and freed here.
        unsafe {
            let raw = Owned::from_raw(sys::wasmtime_sharedmemory_type(self.0.as_ptr())).expect("type");
            MemoryType::from_raw(raw.as_ptr())
        }
    }

    /// Page size in bytes.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_threads(true).shared_memory(true))?;
    /// let memory = SharedMemory::new(&engine, MemoryType::shared(1, 2))?;
    /// assert_eq!(memory.page_size(), 65536);
    /// # Ok(()) }
    /// ```
    pub fn page_size(&self) -> u64 {
        self.ty().page_size()
    }

    /// Size in pages.
    pub fn size(&self) -> u64 {
        // SAFETY: the memory is live.
        unsafe { sys::wasmtime_sharedmemory_size(self.0.as_ptr()) }
    }

    /// Size in bytes.
    pub fn data_size(&self) -> usize {
        // SAFETY: the memory is live.
        unsafe { sys::wasmtime_sharedmemory_data_size(self.0.as_ptr()) }
    }

    /// Grows by `delta` pages, returning the old size.
    pub fn grow(&self, delta: u64) -> Result<u64> {
        let mut prev = 0;
        // SAFETY: the memory is live.
        unsafe { Error::check(sys::wasmtime_sharedmemory_grow(self.0.as_ptr(), delta, &mut prev))? };
        Ok(prev)
    }

    /// The bytes, as cells: other threads may write them concurrently, so
    /// they cannot be a plain `&[u8]` (as in `wasmtime::SharedMemory::data`).
    pub fn data(&self) -> &[std::cell::UnsafeCell<u8>] {
        // SAFETY: the memory is live while `self` is; `UnsafeCell<u8>` has
        // the layout of `u8` and admits shared mutation.
        unsafe {
            let data = sys::wasmtime_sharedmemory_data(self.0.as_ptr()).cast::<std::cell::UnsafeCell<u8>>();
            let len = sys::wasmtime_sharedmemory_data_size(self.0.as_ptr());
            if data.is_null() || len == 0 {
                &[]
            } else {
                std::slice::from_raw_parts(data, len)
            }
        }
    }
}
