//! Example of multi-value: a host function and wasm functions that return
//! several values.
//!
//! A port of Wasmtime's `examples/multi.c` (itself from the wasm-c-api
//! examples). Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example multi
//! ```

use wasmtime_mbt::{Config, Engine, Func, Instance, Module, Store, Val};

const MULTI_WAT: &str = r#"
(module
  (func $f (import "" "f") (param i32 i64) (result i64 i32))

  (func $g (export "g") (param i32 i64) (result i64 i32)
    (call $f (local.get 0) (local.get 1))
  )

  (func $round_trip_many
    (export "round_trip_many")
    (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (result i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)

    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    local.get 5
    local.get 6
    local.get 7
    local.get 8
    local.get 9)
)
"#;

pub fn main() -> wasmtime_mbt::Result<()> {
    // Configure our engine with multi-value enabled (it is on by default).
    println!("Initializing...");
    let engine = Engine::new(Config::new().wasm_multi_value(true))?;
    let mut store = Store::new(&engine, ());

    // Compile.
    println!("Compiling module...");
    let module = Module::new(&engine, MULTI_WAT)?;

    // Create the host callback: it swaps its two arguments, returning a tuple.
    println!("Creating callback...");
    let callback = Func::wrap(&mut store, |a: i32, b: i64| -> (i64, i32) {
        println!("Calling back...");
        println!("> {a} {b}");
        (b + 1, a + 1)
    });

    // Instantiate.
    println!("Instantiating module...");
    let instance = Instance::new(&mut store, &module, &[callback.into()])?;

    // Extract exports.
    println!("Extracting export...");
    let g = instance.get_typed_func::<(i32, i64), (i64, i32)>(&mut store, "g")?;

    // Call `$g`.
    println!("Calling export \"g\"...");
    let (a, b) = g.call(&mut store, (1, 3))?;

    println!("Printing result...");
    println!("> {a} {b}");
    assert_eq!((a, b), (4, 2));

    // Call `$round_trip_many`, here dynamically with `Val`s.
    println!("Calling export \"round_trip_many\"...");
    let round_trip_many = instance.get_func(&mut store, "round_trip_many").expect("`round_trip_many` export");
    let params: Vec<Val> = (0..10).map(Val::I64).collect();
    let mut results = vec![Val::I64(-1); 10];
    round_trip_many.call(&mut store, &params, &mut results)?;

    println!("Printing result...");
    let values: Vec<i64> = results.iter().map(|v| v.i64().expect("an i64 result")).collect();
    println!("> {values:?}");
    assert_eq!(values, (0..10).collect::<Vec<i64>>());

    println!("Done.");
    Ok(())
}
