//! Example of interrupting a WebAssembly function's infinite loop with epoch
//! interruption, from another thread.
//!
//! A port of Wasmtime's `examples/interrupt.c`, with a 100 ms delay instead
//! of one second. Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example interrupt
//! ```

use std::time::Duration;

use wasmtime_mbt::{Config, Engine, Error, Instance, Module, Store, Trap};

const INTERRUPT_WAT: &str = r#"
(module
  (func (export "run")
    (loop
      br 0)
  )
)
"#;

pub fn main() -> wasmtime_mbt::Result<()> {
    // Create an engine with epoch interruption enabled.
    let engine = Engine::new(Config::new().epoch_interruption(true))?;
    let mut store = Store::new(&engine, ());
    // Trap as soon as the epoch is incremented once.
    store.set_epoch_deadline(1);

    // Compile and instantiate our module.
    let module = Module::new(&engine, INTERRUPT_WAT)?;
    let instance = Instance::new(&mut store, &module, &[])?;

    // Look up our `run` export function.
    let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;

    // Spawn a thread to increment the epoch (send us an interrupt) after a
    // period of time. The engine is `Send + Sync` and cheap to clone.
    let interrupter = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            println!("Sending an interrupt");
            engine.increment_epoch();
        })
    };

    // And call it!
    println!("Entering infinite loop...");
    let err = run.call(&mut store, ()).expect_err("an infinite loop only ends with a trap");
    println!("Got a trap!...");
    interrupter.join().map_err(|_| Error::msg("interrupt thread panicked"))?;

    // The trap says why we stopped.
    println!("> {err:?}");
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Interrupt), "unexpected error: {err:?}");
    Ok(())
}
