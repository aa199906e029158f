//! Example of compiling, instantiating, and linking two WebAssembly modules
//! together through a `Linker`.
//!
//! A port of Wasmtime's `examples/linking.c`. The original `linking2` prints
//! through WASI's `fd_write`; this crate has no WASI support yet
//! (`Linker::define_wasi`), so here it imports a host `print` function
//! instead, which reads the string out of the caller's memory. Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example linking
//! ```

use wasmtime_mbt::{Caller, Engine, Error, Linker, Module, Result, Store};

/// Imports everything it needs from the module registered as `linking2`.
const LINKING1_WAT: &str = r#"
(module
  (import "linking2" "double" (func $double (param i32) (result i32)))
  (import "linking2" "log" (func $log (param i32 i32)))
  (import "linking2" "memory" (memory 1))
  (import "linking2" "memory_offset" (global $offset i32))

  (func (export "run")
    ;; Call into the other module to double our number, and we could print it
    ;; here but for now we just drop it
    i32.const 2
    call $double
    drop

    ;; Our `data` segment initialized our imported memory, so let's print the
    ;; string there now.
    global.get $offset
    i32.const 14
    call $log
  )

  (data (global.get $offset) "Hello, world!\n")
)
"#;

/// Exports `double`, `log`, its memory and an offset into it; `log` prints
/// through the host's `print` (WASI's `fd_write` in the original).
const LINKING2_WAT: &str = r#"
(module
  (import "host" "print" (func $print (param i32 i32)))

  (func (export "double") (param i32) (result i32)
    local.get 0
    i32.const 2
    i32.mul
  )

  (func (export "log") (param i32 i32)
    local.get 0
    local.get 1
    call $print
  )

  (memory (export "memory") 2)
  (global (export "memory_offset") i32 (i32.const 65536))
)
"#;

pub fn main() -> Result<()> {
    let engine = Engine::default();

    // The store's data collects everything wasm printed, so we can check it.
    let mut store = Store::new(&engine, String::new());

    // Create our linker which will be linking our modules together, and give
    // it the host function `linking2` needs.
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "print", |mut caller: Caller<'_, String>, ptr: i32, len: i32| -> Result<()> {
        let memory = caller
            .get_export("memory")
            .and_then(|e| e.into_memory())
            .ok_or_else(|| Error::msg("`log` caller has no exported memory"))?;
        let mut buf = vec![0; len as usize];
        memory.read(&caller, ptr as usize, &mut buf)?;
        let text = String::from_utf8(buf).map_err(|e| Error::msg(format!("invalid UTF-8: {e}")))?;
        print!("{text}");
        caller.data_mut().push_str(&text);
        Ok(())
    })?;

    // Compile our two modules.
    let linking1 = Module::new(&engine, LINKING1_WAT)?;
    let linking2 = Module::new(&engine, LINKING2_WAT)?;

    // Instantiate `linking2` and register its exports under the name
    // "linking2", which is where `linking1` imports them from.
    linker.module(&mut store, "linking2", &linking2)?;

    // Instantiate `linking1` with the linker now that `linking2` is defined.
    let instance = linker.instantiate(&mut store, &linking1)?;

    // Look up our `run` export function and call it.
    let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
    run.call(&mut store, ())?;
    assert_eq!(store.data(), "Hello, world!\n");

    // Both instances share one memory: the data segment of `linking1`
    // initialized the memory that `linking2` exports.
    let memory = linker.get(&mut store, "linking2", "memory")?.into_memory().expect("linking2's memory");
    assert_eq!(&memory.data(&store)[65536..65536 + 14], b"Hello, world!\n");
    let double = linker.get(&mut store, "linking2", "double")?.into_func().expect("linking2's double");
    assert_eq!(double.typed::<i32, i32>(&store)?.call(&mut store, 21)?, 42);
    Ok(())
}
