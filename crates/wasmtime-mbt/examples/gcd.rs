//! Example of calling a WebAssembly function with a typed signature.
//!
//! A port of Wasmtime's `examples/gcd.c`. Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example gcd
//! ```

use wasmtime_mbt::{Engine, Instance, Module, Store};

const GCD_WAT: &str = r#"
(module
  (func $gcd (param i32 i32) (result i32)
    (local i32)
    block  ;; label = @1
      block  ;; label = @2
        local.get 0
        br_if 0 (;@2;)
        local.get 1
        local.set 2
        br 1 (;@1;)
      end
      loop  ;; label = @2
        local.get 1
        local.get 0
        local.tee 2
        i32.rem_u
        local.set 0
        local.get 2
        local.set 1
        local.get 0
        br_if 0 (;@2;)
      end
    end
    local.get 2
  )
  (export "gcd" (func $gcd))
)
"#;

pub fn main() -> wasmtime_mbt::Result<()> {
    // Load our WebAssembly (parsed WAT in our case), and then load it into a
    // `Module` which is attached to an `Engine`, and instantiate it in a `Store`.
    let engine = Engine::default();
    let module = Module::new(&engine, GCD_WAT)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;

    // Invoke `gcd` export
    let gcd = instance.get_typed_func::<(i32, i32), i32>(&mut store, "gcd")?;
    let (a, b) = (6, 27);
    let result = gcd.call(&mut store, (a, b))?;

    println!("gcd({a}, {b}) = {result}");
    assert_eq!(result, 3);
    Ok(())
}
