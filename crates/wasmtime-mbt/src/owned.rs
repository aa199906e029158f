//! One owner for every "C pointer with a delete function", and the byte
//! vector conversions shared by all modules.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmtime_mbt_sys as sys;

/// A C object that is freed by one delete function.
pub(crate) trait CDelete {
    /// Frees `ptr`.
    ///
    /// # Safety
    /// `ptr` must be a live, owned object of this type, never used again.
    unsafe fn delete(ptr: *mut Self);
}

macro_rules! c_delete {
    ($($ty:ty => $delete:path,)*) => {$(
        impl CDelete for $ty {
            unsafe fn delete(ptr: *mut Self) {
                // SAFETY: forwarded from the caller: `ptr` is owned and live.
                unsafe { $delete(ptr) }
            }
        }
    )*};
}

c_delete! {
    sys::wasm_engine_t => sys::wasm_engine_delete,
    sys::wasm_config_t => sys::wasm_config_delete,
    sys::wasmtime_store_t => sys::wasmtime_store_delete,
    sys::wasmtime_module_t => sys::wasmtime_module_delete,
    sys::wasmtime_linker_t => sys::wasmtime_linker_delete,
    sys::wasm_functype_t => sys::wasm_functype_delete,
    sys::wasm_valtype_t => sys::wasm_valtype_delete,
    sys::wasm_memorytype_t => sys::wasm_memorytype_delete,
    sys::wasm_tabletype_t => sys::wasm_tabletype_delete,
    sys::wasm_globaltype_t => sys::wasm_globaltype_delete,
    sys::wasm_externtype_t => sys::wasm_externtype_delete,
    sys::wasmtime_pooling_allocation_config_t => sys::wasmtime_pooling_allocation_config_delete,
    sys::wasmtime_instance_pre_t => sys::wasmtime_instance_pre_delete,
    sys::wasmtime_call_future_t => sys::wasmtime_call_future_delete,
    sys::wasmtime_component_t => sys::wasmtime_component_delete,
    sys::wasmtime_component_type_t => sys::wasmtime_component_type_delete,
    sys::wasmtime_component_export_index_t => sys::wasmtime_component_export_index_delete,
    sys::wasmtime_component_linker_t => sys::wasmtime_component_linker_delete,
    sys::wasmtime_component_linker_instance_t => sys::wasmtime_component_linker_instance_delete,
    sys::wasmtime_component_func_type_t => sys::wasmtime_component_func_type_delete,
    sys::wasmtime_component_instance_type_t => sys::wasmtime_component_instance_type_delete,
    sys::wasmtime_module_type_t => sys::wasmtime_module_type_delete,
    sys::wasmtime_component_resource_type_t => sys::wasmtime_component_resource_type_delete,
    sys::wasmtime_component_resource_any_t => sys::wasmtime_component_resource_any_delete,
    sys::wasmtime_component_resource_host_t => sys::wasmtime_component_resource_host_delete,
}

/// Sole owner of a C object; deletes it on drop.
pub(crate) struct Owned<T: CDelete>(NonNull<T>);

/// How many [`Owned`] C objects are alive in the process.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The number of C objects (engines, stores, modules, linkers, types, …)
/// this crate owns right now, across all threads.
///
/// For leak checks in tests and fuzz targets (`fuzz/`): the count after a
/// store and everything made from it is dropped must be back to what it was
/// before. Not part of the `wasmtime` API.
#[doc(hidden)]
pub fn live_c_objects() -> usize {
    LIVE.load(Ordering::SeqCst)
}

impl<T: CDelete> Owned<T> {
    /// Takes ownership of `ptr`, or returns `None` if it is null.
    ///
    /// # Safety
    /// A non-null `ptr` must be owned by the caller and not freed elsewhere.
    pub(crate) unsafe fn from_raw(ptr: *mut T) -> Option<Owned<T>> {
        let owned = NonNull::new(ptr).map(Owned);
        if owned.is_some() {
            LIVE.fetch_add(1, Ordering::SeqCst);
        }
        owned
    }

    /// The pointer, still owned by `self`.
    pub(crate) fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }

    /// Gives up ownership without freeing.
    pub(crate) fn into_raw(self) -> *mut T {
        let ptr = self.0.as_ptr();
        std::mem::forget(self);
        LIVE.fetch_sub(1, Ordering::SeqCst);
        ptr
    }
}

impl<T: CDelete> Drop for Owned<T> {
    fn drop(&mut self) {
        // SAFETY: `Owned` is the only owner and drops once.
        unsafe { T::delete(self.0.as_ptr()) }
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<T: CDelete> std::fmt::Debug for Owned<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Owned({:p})", self.0)
    }
}

/// Copies the contents of an owned byte vector and deletes it.
///
/// # Safety
/// `vec` must be owned by the caller (filled in by a C function that hands
/// out ownership) and not used afterwards.
pub(crate) unsafe fn take_byte_vec(mut vec: sys::wasm_byte_vec_t) -> Vec<u8> {
    // SAFETY: an owned vector describes `size` initialised bytes.
    let bytes = unsafe { borrow_bytes(vec.data.cast(), vec.size) }.to_vec();
    // SAFETY: `vec` is owned, per the caller.
    unsafe { sys::wasm_byte_vec_delete(&mut vec) };
    bytes
}

/// Like [`take_byte_vec`], as (lossy) UTF-8 without trailing NULs.
///
/// # Safety
/// As for [`take_byte_vec`].
pub(crate) unsafe fn take_string(vec: sys::wasm_byte_vec_t) -> String {
    // SAFETY: forwarded.
    let bytes = unsafe { take_byte_vec(vec) };
    String::from_utf8_lossy(&bytes).trim_end_matches('\0').to_string()
}

/// A slice over C-owned bytes; empty for a null pointer.
///
/// # Safety
/// A non-null `data` must point to `len` initialised bytes alive for `'a`.
pub(crate) unsafe fn borrow_bytes<'a>(data: *const u8, len: usize) -> &'a [u8] {
    if data.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}
