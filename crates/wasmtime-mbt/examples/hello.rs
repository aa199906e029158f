//! Example of instantiating a WebAssembly module and invoking its exported
//! function, which calls back into the host.
//!
//! A port of Wasmtime's `examples/hello.c`. Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example hello
//! ```

use wasmtime_mbt::{Caller, Engine, Func, Instance, Module, Store};

const HELLO_WAT: &str = r#"
(module
  (func $hello (import "" "hello"))
  (func (export "run") (call $hello))
)
"#;

pub fn main() -> wasmtime_mbt::Result<()> {
    // Set up our compilation context. Note that we could also work with a
    // `Config` here to configure what features are enabled and various
    // compilation settings.
    println!("Initializing...");
    let engine = Engine::default();

    // With an engine we can create a *store* which is a long-lived group of
    // wasm modules. Its host data here counts how often wasm called us.
    let mut store = Store::new(&engine, 0u32);

    // Compile our module (the text format is converted to binary for us).
    println!("Compiling module...");
    let module = Module::new(&engine, HELLO_WAT)?;

    // Next up we need to create the function that the wasm module imports:
    // a Rust closure, which may take a leading `Caller` to reach the store.
    println!("Creating callback...");
    let hello = Func::wrap(&mut store, |mut caller: Caller<'_, u32>| {
        println!("Calling back...");
        println!("> Hello World!");
        *caller.data_mut() += 1;
    });

    // With our callback function we can now instantiate the compiled module,
    // giving us an instance we can then execute exports from. Instantiation
    // can trap due to the execution of a `start` function, hence the `?`.
    println!("Instantiating module...");
    let instance = Instance::new(&mut store, &module, &[hello.into()])?;

    // Look up our `run` export function, checking its signature once.
    println!("Extracting export...");
    let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;

    // And call it!
    println!("Calling export...");
    run.call(&mut store, ())?;
    assert_eq!(*store.data(), 1, "the host callback should have run once");

    println!("All finished!");
    Ok(())
}
