//! `Config::with_host_memory`: linear memories allocated by the embedder,
//! as `wasmtime`'s [`MemoryCreator`] and [`LinearMemory`], over
//! `wasmtime_config_host_memory_creator_set`. Each engine made from the
//! config gets its own C callback struct holding a clone of the creator's
//! `Arc`; each memory it makes is a boxed [`LinearMemory`] behind C's
//! `wasmtime_linear_memory_t` callbacks. A panic in the embedder's code is
//! caught at the C boundary: a creator's panic fails the allocation (an
//! instantiation `Err`), a memory's panic in `grow_to` fails the growth.

use std::ffi::c_void;
use std::sync::Arc;

use wasmtime_mbt_sys as sys;

use super::Config;
use crate::func::drop_box;
use crate::guard::no_unwind;
use crate::store::new_error;
use crate::{MemoryType, Result};

/// Allocates the linear memories of instances, as
/// `wasmtime::MemoryCreator` (see [`Config::with_host_memory`]).
///
/// # Safety
/// The returned memories must satisfy [`LinearMemory`]'s contract, with at
/// least `reserved_size_in_bytes` (when given) plus `guard_size_in_bytes`
/// of address space reserved, as in `wasmtime`.
pub unsafe trait MemoryCreator: Send + Sync {
    /// A new memory of type `ty` with `minimum` bytes accessible and room
    /// to grow to `maximum`; `Err` with a message fails the allocation.
    fn new_memory(
        &self,
        ty: MemoryType,
        minimum: usize,
        maximum: Option<usize>,
        reserved_size_in_bytes: Option<usize>,
        guard_size_in_bytes: usize,
    ) -> std::result::Result<Box<dyn LinearMemory>, String>;
}

/// A linear memory allocated by the embedder, as `wasmtime::LinearMemory`.
///
/// # Safety
/// `as_ptr` must point to at least `byte_size` accessible bytes (followed
/// by the guard region the creator was asked for), valid until the memory
/// is dropped or grown; growing may move it only where the memory type
/// allows.
pub unsafe trait LinearMemory: Send + Sync + 'static {
    /// The accessible size in bytes.
    fn byte_size(&self) -> usize;
    /// The size it can grow to without moving, in bytes.
    fn byte_capacity(&self) -> usize;
    /// Grows the accessible size to `new_size` bytes.
    fn grow_to(&mut self, new_size: usize) -> Result<()>;
    /// The base address.
    fn as_ptr(&self) -> *mut u8;
}

impl Config {
    /// Allocates linear memories with `mem_creator` instead of Wasmtime's
    /// own allocator (`wasmtime_config_host_memory_creator_set`), as
    /// `wasmtime::Config::with_host_memory`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
    /// use wasmtime_mbt::*;
    ///
    /// /// A `Vec`-backed memory that never moves (its capacity is reserved).
    /// struct VecMemory(Vec<u8>, usize);
    /// unsafe impl LinearMemory for VecMemory {
    ///     fn byte_size(&self) -> usize { self.1 }
    ///     fn byte_capacity(&self) -> usize { self.0.len() }
    ///     fn grow_to(&mut self, new_size: usize) -> Result<()> {
    ///         ensure!(new_size <= self.0.len(), "out of reserved space");
    ///         self.1 = new_size;
    ///         Ok(())
    ///     }
    ///     fn as_ptr(&self) -> *mut u8 { self.0.as_ptr().cast_mut() }
    /// }
    /// struct Creator(AtomicUsize);
    /// unsafe impl MemoryCreator for Creator {
    ///     fn new_memory(&self, _: MemoryType, minimum: usize, _: Option<usize>, reserved: Option<usize>, guard: usize)
    ///         -> std::result::Result<Box<dyn LinearMemory>, String> {
    ///         self.0.fetch_add(1, Ordering::SeqCst);
    ///         let reserved = reserved.unwrap_or(4 << 16);
    ///         Ok(Box::new(VecMemory(vec![0; reserved + guard], minimum)))
    ///     }
    /// }
    ///
    /// let creator = Arc::new(Creator(AtomicUsize::new(0)));
    /// let mut config = Config::new();
    /// // Small reservations, no signals-based bounds checks: a `Vec` suffices.
    /// config.with_host_memory(creator.clone()).memory_reservation(4 << 16).memory_guard_size(0).signals_based_traps(false);
    /// let engine = Engine::new(&config)?;
    /// let module = Module::new(&engine, r#"(module (memory (export "m") 1 4)
    ///     (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let memory = instance.get_memory(&mut store, "m").unwrap();
    /// memory.write(&mut store, 100, b"hi")?;
    /// assert_eq!(instance.get_typed_func::<(), i32>(&mut store, "grow")?.call(&mut store, ())?, 1);
    /// assert_eq!(memory.data_size(&store), 2 << 16);
    /// assert_eq!(creator.0.load(Ordering::SeqCst), 1);
    /// # Ok(()) }
    /// ```
    pub fn with_host_memory(&mut self, mem_creator: Arc<dyn MemoryCreator>) -> &mut Self {
        self.record(
            |_| {},
            move |c| {
                let env = Box::into_raw(Box::new(mem_creator.clone()));
                let mut creator = sys::wasmtime_memory_creator_t {
                    env: env.cast(),
                    new_memory: Some(new_memory),
                    finalizer: Some(drop_box::<Arc<dyn MemoryCreator>>),
                };
                // SAFETY: `c` is a live config; C takes the struct's
                // contents (and the `env` box, freed by the finalizer).
                unsafe { sys::wasmtime_config_host_memory_creator_set(c, &mut creator) };
                Ok(())
            },
        )
    }
}

/// `wasmtime_new_memory_callback_t`: runs the creator, hands C the memory.
unsafe extern "C" fn new_memory(
    env: *mut c_void,
    ty: *const sys::wasm_memorytype_t,
    minimum: usize,
    maximum: usize,
    reserved_size_in_bytes: usize,
    guard_size_in_bytes: usize,
    memory_ret: *mut sys::wasmtime_linear_memory_t,
) -> *mut sys::wasmtime_error_t {
    // SAFETY: `env` is the `Arc` boxed in `with_host_memory`, live while C
    // holds the creator; `ty` is a valid type for this call.
    let (creator, ty) = unsafe { (&*env.cast::<Arc<dyn MemoryCreator>>(), MemoryType::from_raw(ty)) };
    let maximum = (maximum != usize::MAX).then_some(maximum);
    let reserved = (reserved_size_in_bytes != 0).then_some(reserved_size_in_bytes);
    let made = no_unwind(|| creator.new_memory(ty, minimum, maximum, reserved, guard_size_in_bytes));
    match made {
        Some(Ok(memory)) => {
            let env = Box::into_raw(Box::new(memory));
            // SAFETY: `memory_ret` is C's out-parameter for this call.
            unsafe {
                memory_ret.write(sys::wasmtime_linear_memory_t {
                    env: env.cast(),
                    get_memory: Some(get_memory),
                    grow_memory: Some(grow_memory),
                    finalizer: Some(drop_box::<Box<dyn LinearMemory>>),
                })
            };
            std::ptr::null_mut()
        }
        Some(Err(message)) => new_error(&message),
        None => new_error("the host memory creator panicked"),
    }
}

/// The memory behind a `wasmtime_linear_memory_t`'s `env`.
///
/// # Safety
/// `env` must be the box made in [`new_memory`], not yet finalized, and
/// not borrowed elsewhere (C calls one callback at a time).
unsafe fn memory<'a>(env: *mut c_void) -> &'a mut Box<dyn LinearMemory> {
    // SAFETY: forwarded.
    unsafe { &mut *env.cast::<Box<dyn LinearMemory>>() }
}

/// `wasmtime_memory_get_callback_t`.
unsafe extern "C" fn get_memory(env: *mut c_void, byte_size: *mut usize, byte_capacity: *mut usize) -> *mut u8 {
    // SAFETY: C passes the env of a live memory and two out-parameters.
    let memory = unsafe { memory(env) };
    // A panic here cannot be reported: the memory then reads as empty.
    let (size, capacity, ptr) = no_unwind(|| (memory.byte_size(), memory.byte_capacity(), memory.as_ptr())).unwrap_or((0, 0, std::ptr::null_mut()));
    // SAFETY: as above.
    unsafe {
        byte_size.write(size);
        byte_capacity.write(capacity);
    }
    ptr
}

/// `wasmtime_memory_grow_callback_t`.
unsafe extern "C" fn grow_memory(env: *mut c_void, new_size: usize) -> *mut sys::wasmtime_error_t {
    // SAFETY: C passes the env of a live memory.
    let memory = unsafe { memory(env) };
    match no_unwind(|| memory.grow_to(new_size)) {
        Some(Ok(())) => std::ptr::null_mut(),
        Some(Err(e)) => new_error(&crate::guard::message_of(&e)),
        None => new_error("the host memory's `grow_to` panicked"),
    }
}
