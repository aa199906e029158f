//! Example of working with a linear memory: inspecting, mutating and growing
//! it from the host and from wasm, out-of-bounds traps, and a memory created
//! by the host.
//!
//! A port of Wasmtime's `examples/memory.c` (itself from the wasm-c-api
//! examples). Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example memory
//! ```

use wasmtime_mbt::{Engine, Instance, Memory, MemoryType, Module, Store, Trap};

const MEMORY_WAT: &str = r#"
(module
  (memory (export "memory") 2 3)

  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32)
    (i32.load8_s (local.get 0))
  )
  (func (export "store") (param i32 i32)
    (i32.store8 (local.get 0) (local.get 1))
  )

  (data (i32.const 0x1000) "\01\02\03\04")
)
"#;

pub fn main() -> wasmtime_mbt::Result<()> {
    // Initialize.
    println!("Initializing...");
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());

    // Compile.
    println!("Compiling module...");
    let module = Module::new(&engine, MEMORY_WAT)?;

    // Instantiate.
    println!("Instantiating module...");
    let instance = Instance::new(&mut store, &module, &[])?;

    // Extract exports.
    println!("Extracting exports...");
    let memory = instance.get_memory(&mut store, "memory").expect("`memory` export");
    let size = instance.get_typed_func::<(), i32>(&mut store, "size")?;
    let load = instance.get_typed_func::<i32, i32>(&mut store, "load")?;
    let store_fn = instance.get_typed_func::<(i32, i32), ()>(&mut store, "store")?;

    // Check initial memory.
    println!("Checking memory...");
    assert_eq!(memory.size(&store), 2);
    assert_eq!(memory.data_size(&store), 0x20000);
    assert_eq!(memory.data(&store)[0], 0);
    assert_eq!(memory.data(&store)[0x1000], 1);
    assert_eq!(memory.data(&store)[0x1003], 4);

    assert_eq!(size.call(&mut store, ())?, 2);
    assert_eq!(load.call(&mut store, 0)?, 0);
    assert_eq!(load.call(&mut store, 0x1000)?, 1);
    assert_eq!(load.call(&mut store, 0x1003)?, 4);
    assert_eq!(load.call(&mut store, 0x1ffff)?, 0);
    assert_oob(load.call(&mut store, 0x20000));

    // Mutate memory.
    println!("Mutating memory...");
    memory.data_mut(&mut store)[0x1003] = 5;
    store_fn.call(&mut store, (0x1002, 6))?;
    assert_oob(store_fn.call(&mut store, (0x20000, 0)));

    assert_eq!(memory.data(&store)[0x1002], 6);
    assert_eq!(memory.data(&store)[0x1003], 5);
    assert_eq!(load.call(&mut store, 0x1002)?, 6);
    assert_eq!(load.call(&mut store, 0x1003)?, 5);

    // Grow memory.
    println!("Growing memory...");
    assert_eq!(memory.grow(&mut store, 1)?, 2);
    assert_eq!(memory.size(&store), 3);
    assert_eq!(memory.data_size(&store), 0x30000);

    assert_eq!(load.call(&mut store, 0x20000)?, 0);
    store_fn.call(&mut store, (0x20000, 0))?;
    assert_oob(load.call(&mut store, 0x30000));
    assert_oob(store_fn.call(&mut store, (0x30000, 0)));

    // Growing past the maximum (3 pages) fails; growing by zero is fine.
    assert!(memory.grow(&mut store, 1).is_err());
    assert_eq!(memory.grow(&mut store, 0)?, 3);

    // Create stand-alone memory.
    println!("Creating stand-alone memory...");
    let memory2 = Memory::new(&mut store, MemoryType::new(5, Some(5)))?;
    assert_eq!(memory2.size(&store), 5);
    assert!(memory2.grow(&mut store, 1).is_err());
    assert_eq!(memory2.grow(&mut store, 0)?, 5);

    // Shut down.
    println!("Shutting down...");
    drop(store);

    // All done.
    println!("Done.");
    Ok(())
}

/// Asserts that a call trapped with an out-of-bounds memory access.
#[track_caller]
fn assert_oob<T: std::fmt::Debug>(result: wasmtime_mbt::Result<T>) {
    let err = result.expect_err("expected an out-of-bounds trap");
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::MemoryOutOfBounds), "unexpected error: {err:?}");
}
