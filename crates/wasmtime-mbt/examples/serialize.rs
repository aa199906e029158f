//! Example of precompiling a module, serializing it, and later deserializing
//! it in another engine without compiling again.
//!
//! A port of Wasmtime's `examples/serialize.c`. Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example serialize
//! ```

use wasmtime_mbt::{Caller, Engine, Func, Instance, Module, Result, Store};

const HELLO_WAT: &str = r#"
(module
  (func $hello (import "" "hello"))
  (func (export "run") (call $hello))
)
"#;

/// Compiles the module and returns its serialized form.
fn serialize() -> Result<Vec<u8>> {
    // Set up our compilation context. Note that we could also work with a
    // `Config` here to configure what features are enabled and various
    // compilation settings.
    println!("Initializing...");
    let engine = Engine::default();

    // Compile our module and serialize it into a buffer.
    println!("Compiling and serializing module...");
    let module = Module::new(&engine, HELLO_WAT)?;
    let serialized = module.serialize()?;
    // `Engine::precompile_module` does the same without keeping a `Module`.
    assert!(!engine.precompile_module(HELLO_WAT.as_bytes())?.is_empty());

    println!("Serialized.");
    Ok(serialized)
}

/// Loads the serialized module into a fresh engine and runs it.
fn deserialize(buffer: &[u8]) -> Result<()> {
    // A new engine with the same (default) configuration as the one that
    // compiled the module.
    println!("Initializing...");
    let engine = Engine::default();

    // With an engine we can create a *store* which is a long-lived group of
    // wasm modules. Its data counts the host callback's calls.
    let mut store = Store::new(&engine, 0u32);

    // Deserialize the compiled module.
    println!("Deserialize module...");
    // SAFETY: the bytes were produced by `Module::serialize` just above, in
    // this process; deserializing untrusted bytes would run arbitrary code.
    let module = unsafe { Module::deserialize(&engine, buffer)? };

    // Next up we need to create the function that the wasm module imports.
    println!("Creating callback...");
    let hello = Func::wrap(&mut store, |mut caller: Caller<'_, u32>| {
        println!("Calling back...");
        println!("> Hello World!");
        *caller.data_mut() += 1;
    });

    // With our callback function we can now instantiate the compiled module.
    println!("Instantiating module...");
    let instance = Instance::new(&mut store, &module, &[hello.into()])?;

    // Look up our `run` export function and call it.
    println!("Calling export...");
    let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
    run.call(&mut store, ())?;
    assert_eq!(*store.data(), 1, "the host callback should have run once");

    println!("All finished!");
    Ok(())
}

pub fn main() -> Result<()> {
    let buffer = serialize()?;
    deserialize(&buffer)
}
