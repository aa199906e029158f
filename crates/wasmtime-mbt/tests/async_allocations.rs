//! Heap allocations of an async call driven to completion (issue 16): the
//! safe layer adds at most one (the `CallFuture`'s frame, holding the store
//! argument, the arguments and the results) to what the same
//! `wasmtime_func_call_async` call makes through the raw C API, whatever the
//! arity. Counted by this binary's global allocator, on the current thread
//! only. With a prebuilt library the C side's allocations go through that
//! library's own allocator, so the raw count is 0 there; in a bundled build
//! both counts include them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr;

use wasmtime_mbt::*;
use wasmtime_mbt_sys as sys;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: never fails for a const-initialised `Cell`, but an
    // allocator must not panic.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: forwards every request to `System` unchanged; counting touches
// only a thread-local `Cell`, which neither allocates nor unwinds.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations per run of `f` on this thread: the least of several runs,
/// after warm-up runs (first calls fill Wasmtime's caches).
fn allocations(mut f: impl FnMut()) -> usize {
    for _ in 0..3 {
        f();
    }
    (0..5)
        .map(|_| {
            let before = ALLOCATIONS.with(Cell::get);
            f();
            ALLOCATIONS.with(Cell::get) - before
        })
        .min()
        .unwrap()
}

/// `(func (param i32 × n) (result i32 × m))` returning its first `m`
/// parameters, exported as `f`.
fn wat(n: usize, m: usize) -> String {
    let params = " i32".repeat(n);
    let results = " i32".repeat(m);
    let body: String = (0..m).map(|i| format!(" local.get {i}")).collect();
    format!("(module (func (export \"f\") (param{params}) (result{results}){body}))")
}

/// The same call through the raw C API, with every buffer on the stack:
/// the C side's own allocations.
struct Raw {
    store: *mut sys::wasmtime_store_t,
    func: sys::wasmtime_func_t,
}

impl Raw {
    fn new(engine: *mut sys::wasm_engine_t, wat: &str) -> Raw {
        // SAFETY: plain C API use; every out-pointer is live; the objects
        // made here are freed in `Drop` or at once.
        unsafe {
            let store = sys::wasmtime_store_new(engine, ptr::null_mut(), None);
            let context = sys::wasmtime_store_context(store);
            let mut wasm = sys::wasm_byte_vec_t { size: 0, data: ptr::null_mut() };
            assert!(sys::wasmtime_wat2wasm(wat.as_ptr().cast(), wat.len(), &mut wasm).is_null());
            let mut module = ptr::null_mut();
            assert!(sys::wasmtime_module_new(engine, wasm.data.cast(), wasm.size, &mut module).is_null());
            sys::wasm_byte_vec_delete(&mut wasm);
            let mut instance = sys::wasmtime_instance_t::default();
            let mut trap = ptr::null_mut();
            assert!(sys::wasmtime_instance_new(context, module, ptr::null(), 0, &mut instance, &mut trap).is_null());
            assert!(trap.is_null());
            sys::wasmtime_module_delete(module);
            let mut export = std::mem::zeroed::<sys::wasmtime_extern_t>();
            assert!(sys::wasmtime_instance_export_get(context, &instance, c"f".as_ptr(), 1, &mut export));
            Raw { store, func: export.of.func }
        }
    }

    /// Calls `f` with `n` arguments and `m` results (at most 32 each).
    fn call(&self, n: usize, m: usize) {
        let value = |i: i32| sys::wasmtime_val_t { kind: sys::WASMTIME_I32 as _, of: sys::wasmtime_valunion_t { i32_: i } };
        let args: [sys::wasmtime_val_t; 32] = std::array::from_fn(|i| value(i as i32));
        let mut results = [value(0); 32];
        // SAFETY: the function belongs to the store; the buffers outlive the
        // future, deleted here.
        unsafe {
            let context = sys::wasmtime_store_context(self.store);
            let (mut trap, mut error) = (ptr::null_mut(), ptr::null_mut());
            let future = sys::wasmtime_func_call_async(context, &self.func, args.as_ptr(), n, results.as_mut_ptr(), m, &mut trap, &mut error);
            while !sys::wasmtime_call_future_poll(future) {}
            sys::wasmtime_call_future_delete(future);
            assert!(trap.is_null() && error.is_null());
        }
        assert_eq!(results[m.saturating_sub(1)].kind, sys::WASMTIME_I32 as sys::wasmtime_valkind_t);
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: the store is ours.
        unsafe { sys::wasmtime_store_delete(self.store) };
    }
}

/// The raw call's allocations, for `n` arguments and `m` results.
fn raw_allocations(n: usize, m: usize) -> usize {
    // SAFETY: the engine is ours, deleted after the store.
    let engine = unsafe { sys::wasm_engine_new() };
    let raw = Raw::new(engine, &wat(n, m));
    let count = allocations(|| raw.call(n, m));
    drop(raw);
    // SAFETY: nothing uses the engine any more.
    unsafe { sys::wasm_engine_delete(engine) };
    count
}

#[test]
fn typed_call_async_makes_one_allocation() {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(2, 1)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance.get_typed_func::<(i32, i32), i32>(&mut store, "f").unwrap();
    let safe = allocations(|| assert_eq!(f.call_async(&mut store, (7, 8)).wait().unwrap(), 7));
    let raw = raw_allocations(2, 1);
    assert!(safe <= raw + 1, "typed call_async: {safe} allocations, raw C: {raw}");
    // Driven by an executor (`pollster` itself allocates once per
    // `block_on`, for its waker).
    let awaited = allocations(|| assert_eq!(pollster::block_on(f.call_async(&mut store, (7, 8))).unwrap(), 7));
    let block_on = allocations(|| pollster::block_on(async {}));
    assert!(awaited <= raw + block_on + 1, "awaited typed call_async: {awaited} allocations, raw C: {raw}, block_on: {block_on}");
}

#[test]
fn typed_call_async_at_the_largest_arity_makes_one_allocation() {
    type Sixteen = (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32);
    let engine = Engine::default();
    let module = Module::new(&engine, wat(16, 16)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance.get_typed_func::<Sixteen, Sixteen>(&mut store, "f").unwrap();
    let args: Sixteen = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    let safe = allocations(|| {
        let r = f.call_async(&mut store, args).wait().unwrap();
        assert_eq!((r.0, r.7, r.15), (1, 8, 16));
    });
    let raw = raw_allocations(16, 16);
    assert!(safe <= raw + 1, "typed call_async, 16 → 16: {safe} allocations, raw C: {raw}");
}

#[test]
fn dynamic_call_async_makes_one_allocation() {
    let engine = Engine::default();
    for (n, m) in [(2, 1), (20, 12)] {
        let module = Module::new(&engine, wat(n, m)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let f = instance.get_func(&mut store, "f").unwrap();
        let params: Vec<Val> = (0..n as i32).map(Val::I32).collect();
        let mut results = vec![Val::I64(0); m];
        let safe = allocations(|| f.call_async(&mut store, &params, &mut results).wait().unwrap());
        assert_eq!(results.iter().map(|v| v.i32().unwrap()).collect::<Vec<_>>(), (0..m as i32).collect::<Vec<_>>());
        let raw = raw_allocations(n, m);
        assert!(safe <= raw + 1, "dynamic call_async, {n} → {m}: {safe} allocations, raw C: {raw}");
    }
}
