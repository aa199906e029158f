//! `Config::with_host_stack`: async fiber stacks allocated by the embedder,
//! as `wasmtime`'s [`StackCreator`] and [`StackMemory`], over
//! `wasmtime_config_host_stack_creator_set`. C passes Wasmtime only each
//! stack's top and length (`StackMemory::guard_range` does not cross it).
//! A panic in the embedder's `new_stack` fails the allocation.

use std::ffi::c_void;
use std::ops::Range;
use std::sync::Arc;

use wasmtime_mbt_sys as sys;

use super::Config;
use crate::func::drop_box;
use crate::guard::no_unwind;
use crate::store::new_error;
use crate::{Error, Result};

/// Allocates the stacks async calls run on, as `wasmtime::StackCreator`
/// (see [`Config::with_host_stack`]).
///
/// # Safety
/// The stacks must satisfy [`StackMemory`]'s contract.
pub unsafe trait StackCreator: Send + Sync {
    /// A new stack of at least `size` usable bytes (zeroed if `zeroed`).
    fn new_stack(&self, size: usize, zeroed: bool) -> Result<Box<dyn StackMemory>, Error>;
}

/// A stack allocated by the embedder, as `wasmtime::StackMemory`.
///
/// # Safety
/// `top` must be the (exclusive) top of `range`, which must be writable
/// memory of the requested size, valid until the stack is dropped.
pub unsafe trait StackMemory: Send + Sync {
    /// The top of the stack (it grows down).
    fn top(&self) -> *mut u8;
    /// The usable range, as addresses.
    fn range(&self) -> Range<usize>;
    /// The guard region below the stack (not passed to the C API).
    fn guard_range(&self) -> Range<*mut u8>;
}

impl Config {
    /// Allocates async stacks with `stack_creator`
    /// (`wasmtime_config_host_stack_creator_set`), as
    /// `wasmtime::Config::with_host_stack`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use std::ops::Range;
    /// use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
    /// use wasmtime_mbt::*;
    ///
    /// /// A page-aligned heap allocation (Wasmtime requires page alignment).
    /// struct HeapStack(*mut u8, std::alloc::Layout);
    /// unsafe impl Send for HeapStack {}
    /// unsafe impl Sync for HeapStack {}
    /// unsafe impl StackMemory for HeapStack {
    ///     fn top(&self) -> *mut u8 { self.0.wrapping_add(self.1.size()) }
    ///     fn range(&self) -> Range<usize> { self.0 as usize..self.0 as usize + self.1.size() }
    ///     fn guard_range(&self) -> Range<*mut u8> { std::ptr::null_mut()..std::ptr::null_mut() }
    /// }
    /// impl Drop for HeapStack {
    ///     fn drop(&mut self) { unsafe { std::alloc::dealloc(self.0, self.1) } }
    /// }
    /// struct Creator(AtomicUsize);
    /// unsafe impl StackCreator for Creator {
    ///     fn new_stack(&self, size: usize, _zeroed: bool) -> Result<Box<dyn StackMemory>> {
    ///         self.0.fetch_add(1, Ordering::SeqCst);
    ///         let layout = std::alloc::Layout::from_size_align(size.next_multiple_of(4096) + 4096, 4096)?;
    ///         let base = unsafe { std::alloc::alloc_zeroed(layout) };
    ///         ensure!(!base.is_null(), "out of memory");
    ///         Ok(Box::new(HeapStack(base, layout)))
    ///     }
    /// }
    ///
    /// let creator = Arc::new(Creator(AtomicUsize::new(0)));
    /// let engine = Engine::new(Config::new().with_host_stack(creator.clone()))?;
    /// let module = Module::new(&engine, r#"(module (func (export "f") (result i32) i32.const 7))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let f = instance.get_typed_func::<(), i32>(&mut store, "f")?;
    /// assert_eq!(f.call_async(&mut store, ()).wait()?, 7);
    /// assert!(creator.0.load(Ordering::SeqCst) >= 1);
    /// # Ok(()) }
    /// ```
    pub fn with_host_stack(&mut self, stack_creator: Arc<dyn StackCreator>) -> &mut Self {
        self.record(
            |_| {},
            move |c| {
                let env = Box::into_raw(Box::new(stack_creator.clone()));
                let mut creator = sys::wasmtime_stack_creator_t {
                    env: env.cast(),
                    new_stack: Some(new_stack),
                    finalizer: Some(drop_box::<Arc<dyn StackCreator>>),
                };
                // SAFETY: `c` is a live config; C copies the struct (and
                // owns the `env` box, freed by the finalizer).
                unsafe { sys::wasmtime_config_host_stack_creator_set(c, &mut creator) };
                Ok(())
            },
        )
    }
}

/// `wasmtime_new_stack_memory_callback_t`: runs the creator, hands C the
/// stack.
unsafe extern "C" fn new_stack(env: *mut c_void, size: usize, zeroed: bool, stack_ret: *mut sys::wasmtime_stack_memory_t) -> *mut sys::wasmtime_error_t {
    // SAFETY: `env` is the `Arc` boxed in `with_host_stack`, live while C
    // holds the creator.
    let creator = unsafe { &*env.cast::<Arc<dyn StackCreator>>() };
    match no_unwind(|| creator.new_stack(size, zeroed).and_then(check_aligned)) {
        Some(Ok(stack)) => {
            let env = Box::into_raw(Box::new(stack));
            // SAFETY: `stack_ret` is C's out-parameter for this call.
            unsafe {
                stack_ret.write(sys::wasmtime_stack_memory_t {
                    env: env.cast(),
                    get_stack_memory: Some(get_stack_memory),
                    finalizer: Some(drop_box::<Box<dyn StackMemory>>),
                })
            };
            std::ptr::null_mut()
        }
        Some(Err(e)) => new_error(&crate::guard::message_of(&e)),
        None => new_error("the host stack creator panicked"),
    }
}

/// The stack, or `Err` if its top or base is not page aligned: Wasmtime
/// panics on such a stack (a process abort through C).
fn check_aligned(stack: Box<dyn StackMemory>) -> Result<Box<dyn StackMemory>> {
    const PAGE: usize = 4096;
    let (top, range) = (stack.top() as usize, stack.range());
    if top % PAGE != 0 || range.start % PAGE != 0 || top != range.end {
        crate::bail!("a host stack must be page aligned ({PAGE} bytes), with `top` the end of its `range`");
    }
    Ok(stack)
}

/// `wasmtime_stack_memory_get_callback_t`: the top and the length.
unsafe extern "C" fn get_stack_memory(env: *mut c_void, out_len: *mut usize) -> *mut u8 {
    // SAFETY: C passes the env of a live stack and an out-parameter.
    let stack = unsafe { &*env.cast::<Box<dyn StackMemory>>() };
    // A panic here cannot be reported: the stack then reads as empty.
    let (top, len) = no_unwind(|| (stack.top(), stack.range().len())).unwrap_or((std::ptr::null_mut(), 0));
    // SAFETY: as above.
    unsafe { out_len.write(len) };
    top
}
