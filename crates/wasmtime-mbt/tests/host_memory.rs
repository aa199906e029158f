//! `Config::with_host_memory`/`with_host_stack` where the embedder's code
//! misbehaves: a creator that errs or panics, a stack that is not page
//! aligned (Wasmtime would panic, a process abort through C) — each an
//! `Err`, and the engine still usable. The ordinary behaviour is compared
//! with native `wasmtime` in `crates/compat/tests/client/api_items.rs`.

use std::ops::Range;
use std::sync::Arc;

use wasmtime_mbt::*;

struct Refusing(bool);

// SAFETY: it never returns a memory.
unsafe impl MemoryCreator for Refusing {
    fn new_memory(&self, _: MemoryType, _: usize, _: Option<usize>, _: Option<usize>, _: usize) -> std::result::Result<Box<dyn LinearMemory>, String> {
        if self.0 {
            panic!("creator panics");
        }
        Err("no memory for you".to_string())
    }
}

fn instantiate_memory(engine: &Engine) -> Result<Instance> {
    let module = Module::new(engine, "(module (memory 1))")?;
    Instance::new(&mut Store::new(engine, ()), &module, &[])
}

#[test]
fn memory_creator_error_and_panic_are_errs() {
    for panics in [false, true] {
        let engine = Engine::new(Config::new().with_host_memory(Arc::new(Refusing(panics)))).unwrap();
        let err = format!("{:#}", instantiate_memory(&engine).unwrap_err());
        let expected = if panics { "the host memory creator panicked" } else { "no memory for you" };
        assert!(err.contains(expected), "{err}");
        // Modules without memories still instantiate.
        let module = Module::new(&engine, "(module)").unwrap();
        Instance::new(&mut Store::new(&engine, ()), &module, &[]).unwrap();
    }
}

/// A stack whose base is 8 bytes past a page boundary.
struct Misaligned {
    buf: Vec<u8>,
    start: usize,
    len: usize,
}

// SAFETY: deliberately misaligned; the crate must refuse it before
// Wasmtime sees it.
unsafe impl StackMemory for Misaligned {
    fn top(&self) -> *mut u8 {
        self.buf.as_ptr().wrapping_add(self.start + self.len).cast_mut()
    }
    fn range(&self) -> Range<usize> {
        let base = self.buf.as_ptr() as usize + self.start;
        base..base + self.len
    }
    fn guard_range(&self) -> Range<*mut u8> {
        std::ptr::null_mut()..std::ptr::null_mut()
    }
}

struct MisalignedCreator;

// SAFETY: see `Misaligned`.
unsafe impl StackCreator for MisalignedCreator {
    fn new_stack(&self, size: usize, _: bool) -> Result<Box<dyn StackMemory>> {
        let buf = vec![0u8; size + 2 * 4096];
        let start = 4096 - buf.as_ptr() as usize % 4096 + 8;
        let stack = Misaligned { buf, start, len: size };
        assert_eq!(stack.range().start % 4096, 8);
        Ok(Box::new(stack))
    }
}

#[test]
fn misaligned_host_stack_is_an_err_not_an_abort() {
    let engine = Engine::new(Config::new().with_host_stack(Arc::new(MisalignedCreator))).unwrap();
    let module = Module::new(&engine, r#"(module (func (export "f") (result i32) i32.const 7))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let f = instance.get_typed_func::<(), i32>(&mut store, "f").unwrap();
    let err = format!("{:#}", f.call_async(&mut store, ()).wait().unwrap_err());
    assert!(err.contains("page aligned"), "{err}");
    // Synchronous calls need no fiber stack.
    assert_eq!(f.call(&mut store, ()).unwrap(), 7);
}
