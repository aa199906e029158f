//! Example of running WebAssembly on several OS threads: one `Engine` and
//! one compiled `Module` are shared, and each thread has its own `Store`.
//!
//! A port of Wasmtime's `examples/threads.c`, with shorter sleeps. Run with:
//!
//! ```sh
//! cargo run -p wasmtime-mbt --example threads
//! ```

use std::time::Duration;

use wasmtime_mbt::{Caller, Engine, Error, Func, Global, GlobalType, Instance, Module, Mutability, Result, Store, Val, ValType};

const THREADS_WAT: &str = r#"
(module
    (func $message (import "" "hello") (param i32))
    (global $id (import "" "id") i32)
    (func (export "run") (call $message (global.get $id)))
)
"#;

const N_THREADS: i32 = 10;
const N_REPS: usize = 3;

/// Runs the module `N_REPS` times in a new store; returns the ids the host
/// callback received.
fn run(engine: &Engine, module: &Module, id: i32) -> Result<Vec<i32>> {
    // Create a store for this thread. Its data records the callback's calls.
    let mut store = Store::new(engine, Vec::new());

    // Run the example N times.
    for _ in 0..N_REPS {
        std::thread::sleep(Duration::from_millis(5));

        // Create imports: the callback and this thread's id.
        let hello = Func::wrap(&mut store, |mut caller: Caller<'_, Vec<i32>>, id: i32| {
            println!("> Thread {id} running");
            caller.data_mut().push(id);
        });
        let id_global = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(id))?;

        // Instantiate, extract the export and call it.
        let instance = Instance::new(&mut store, module, &[hello.into(), id_global.into()])?;
        let run = instance.get_typed_func::<(), ()>(&mut store, "run")?;
        run.call(&mut store, ())?;
    }
    Ok(store.into_data())
}

pub fn main() -> Result<()> {
    // Initialize, and compile the module once: `Engine` and `Module` are
    // `Send + Sync` and cheap to clone.
    let engine = Engine::default();
    let module = Module::new(&engine, THREADS_WAT)?;

    // Spawn threads.
    let threads: Vec<_> = (0..N_THREADS)
        .map(|id| {
            println!("Initializing thread {id}...");
            let (engine, module) = (engine.clone(), module.clone());
            std::thread::spawn(move || run(&engine, &module, id))
        })
        .collect();

    for (id, thread) in (0..).zip(threads) {
        println!("Waiting for thread: {id}");
        let seen = thread.join().map_err(|_| Error::msg(format!("thread {id} panicked")))??;
        // Each thread's callback ran once per repetition, with its own id.
        assert_eq!(seen, vec![id; N_REPS]);
    }
    Ok(())
}
