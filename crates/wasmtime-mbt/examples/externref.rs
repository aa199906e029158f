//! Example of using `externref` values: host data passed through a wasm
//! table, a global and a function, and read back.
//!
//! A port of Wasmtime's `examples/externref.c`. Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example externref
//! ```

use wasmtime_mbt::{Config, Engine, ExternRef, Instance, Module, Ref, Result, RootScope, Rooted, Store};

const EXTERNREF_WAT: &str = r#"
(module
  (table $table (export "table") 10 externref)

  (global $global (export "global") (mut externref) (ref.null extern))

  (func (export "func") (param externref) (result externref)
    local.get 0
  )
)
"#;

/// The string inside an externref made by this example.
fn string_of<'a>(store: &'a RootScope<&mut Store<()>>, r: &ExternRef) -> Result<&'a str> {
    let data = r.data(store)?.expect("host data made by `ExternRef::new`");
    Ok(data.downcast_ref::<String>().expect("a String"))
}

pub fn main() -> Result<()> {
    // Create a new configuration with Wasm reference types enabled.
    println!("Initializing...");
    let engine = Engine::new(Config::new().wasm_reference_types(true))?;

    // With an engine we can create a *store* which is a group of wasm
    // instances that can interact with each other.
    let mut store = Store::new(&engine, ());

    // Compile and instantiate the module.
    println!("Compiling module...");
    let module = Module::new(&engine, EXTERNREF_WAT)?;
    println!("Instantiating module...");
    let instance = Instance::new(&mut store, &module, &[])?;

    {
        // GC references are rooted in a scope: the ones made through
        // `scope` are unrooted when it is dropped.
        let mut scope = RootScope::new(&mut store);

        // Create a new `externref` value, wrapping any `Send + Sync` host data.
        println!("Creating new `externref`...");
        let externref = ExternRef::new(&mut scope, String::from("Hello, World!"))?;
        // The `externref`'s wrapped data should be the string "Hello, World!".
        assert_eq!(string_of(&scope, &externref)?, "Hello, World!");

        // Set `table[3]` to our `externref`, and read it back.
        println!("Touching `externref` table...");
        let table = instance.get_table(&mut scope, "table").expect("`table` export");
        table.set(&mut scope, 3, externref.into())?;
        let elem = table.get(&mut scope, 3).expect("index 3 is in bounds");
        let elem = elem.unwrap_extern().expect("not null");
        assert_eq!(string_of(&scope, elem)?, "Hello, World!");
        // The other elements are still null.
        assert!(matches!(table.get(&mut scope, 4), Some(Ref::Extern(None))));

        // Set the global to our `externref`, and get it back.
        println!("Touching `externref` global...");
        let global = instance.get_global(&mut scope, "global").expect("`global` export");
        global.set(&mut scope, externref.into())?;
        let global_val = global.get(&mut scope);
        let global_ref = global_val.externref().expect("an externref").expect("not null");
        assert_eq!(string_of(&scope, global_ref)?, "Hello, World!");

        // Call `func`, which returns the same reference we gave it.
        println!("Calling `externref` func...");
        let func = instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut scope, "func")?;
        let ret = func.call(&mut scope, Some(externref))?.expect("not null");
        assert_eq!(string_of(&scope, &ret)?, "Hello, World!");
        // A null reference round-trips too.
        assert!(func.call(&mut scope, None)?.is_none());
    }

    // Leaving the scope unrooted our references; the store can now collect
    // what wasm does not hold either.
    println!("GCing within the store...");
    store.gc(None)?;

    // Clean up after ourselves at this point
    println!("All finished!");
    Ok(())
}
