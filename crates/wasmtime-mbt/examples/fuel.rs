//! Example of limiting a WebAssembly function's execution with fuel.
//!
//! A port of Wasmtime's `examples/fuel.c`. Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example fuel
//! ```

use wasmtime_mbt::{Config, Engine, Instance, Module, Store, Trap};

const FUEL_WAT: &str = r#"
(module
  (func $fibonacci (param $n i32) (result i32)
    (if
      (i32.lt_s (local.get $n) (i32.const 2))
      (then (return (local.get $n)))
    )
    (i32.add
      (call $fibonacci (i32.sub (local.get $n) (i32.const 1)))
      (call $fibonacci (i32.sub (local.get $n) (i32.const 2)))
    )
  )
  (export "fibonacci" (func $fibonacci))
)
"#;

/// The fuel each call starts with.
const FUEL: u64 = 10_000;

pub fn main() -> wasmtime_mbt::Result<()> {
    // Enable fuel consumption in the engine's configuration.
    let engine = Engine::new(Config::new().consume_fuel(true))?;
    let mut store = Store::new(&engine, ());
    store.set_fuel(FUEL)?;

    // Compile and instantiate our module.
    let module = Module::new(&engine, FUEL_WAT)?;
    let instance = Instance::new(&mut store, &module, &[])?;

    // Look up our `fibonacci` export function.
    let fibonacci = instance.get_typed_func::<i32, i32>(&mut store, "fibonacci")?;

    // Call it repeatedly until it runs out of fuel.
    let mut last_consumed = 0;
    for n in 1.. {
        let fuel_before = store.get_fuel()?;
        let output = match fibonacci.call(&mut store, n) {
            Ok(v) => v,
            Err(err) => {
                assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::OutOfFuel), "unexpected error: {err:?}");
                println!("Exhausted fuel computing fib({n})");
                // 10 000 fuel is enough for a couple dozen terms, no more.
                assert!((10..30).contains(&n), "ran out of fuel at an unexpected n = {n}");
                break;
            }
        };
        let consumed = fuel_before - store.get_fuel()?;
        println!("fib({n}) = {output} [consumed {consumed} fuel]");
        assert_eq!(output, fib(n));
        assert!(consumed > last_consumed, "each term costs more than the previous one");
        last_consumed = consumed;

        // Refill the tank for the next call.
        store.set_fuel(FUEL)?;
    }
    Ok(())
}

/// The reference the wasm results are checked against.
fn fib(n: i32) -> i32 {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}
