// Fuel and epoch interruption: metering, running out, refuelling from the
// host and from host functions, epoch deadlines and deadline callbacks.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// Whether `err`, with everything it wraps, mentions `text`.
fn mentions(err: &Error, text: &str) -> bool {
    format!("{err:?}").contains(text)
}

/// A module whose `count(n)` loops `n` times and returns `n`.
const LOOP_WAT: &str = r#"(module
    (func (export "count") (param i32) (result i32) (local i32)
        (loop $l
            (local.set 1 (i32.add (local.get 1) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
        local.get 1))"#;

/// Fuel is consumed by wasm; the same work costs the same fuel both times,
/// and the amount is part of the outcome (so both crates must agree on it).
pub fn fuel_consumption() -> Result<String> {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, LOOP_WAT)?;
    let mut store = Store::new(&engine, ());
    store.set_fuel(1_000_000)?;
    let instance = Instance::new(&mut store, &module, &[])?;
    let count = instance.get_typed_func::<i32, i32>(&mut store, "count")?;
    let before = store.get_fuel()?;
    assert_eq!(count.call(&mut store, 100)?, 100);
    let after_first = store.get_fuel()?;
    assert_eq!(count.call(&mut store, 100)?, 100);
    let after_second = store.get_fuel()?;
    let first = before - after_first;
    let second = after_first - after_second;
    assert!(first > 100, "a loop of 100 iterations costs more than 100 fuel");
    assert_eq!(first, second);
    Ok(format!("{before} {first}"))
}

/// Running out of fuel traps; adding fuel lets the next call finish.
pub fn fuel_exhaustion() -> Result<String> {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, LOOP_WAT)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let count = instance.get_typed_func::<i32, i32>(&mut store, "count")?;
    store.set_fuel(50)?;
    let err = count.call(&mut store, 1000).unwrap_err();
    let out_of_fuel = mentions(&err, "all fuel consumed");
    assert!(out_of_fuel, "{err:?}");
    let left = store.get_fuel()?;
    assert_eq!(left, 0);
    store.set_fuel(100_000)?;
    let done = count.call(&mut store, 1000)?;
    assert_eq!(done, 1000);
    Ok(format!("{out_of_fuel} {left} {done}"))
}

/// A host function reads and sets the fuel through its `Caller`.
pub fn fuel_from_host() -> Result<String> {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config)?;
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "refuel", |mut caller: Caller<'_, Vec<u64>>| -> Result<()> {
        let fuel = caller.get_fuel()?;
        caller.data_mut().push(fuel);
        caller.set_fuel(10_000)
    })?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "refuel" (func $refuel))
            (func (export "run") (result i32) (local i32)
                (loop $l
                    (call $refuel)
                    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
                    (br_if $l (i32.lt_u (local.get 0) (i32.const 5))))
                local.get 0))"#,
    )?;
    let mut store = Store::new(&engine, Vec::new());
    store.set_fuel(10_000)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "run")?.call(&mut store, ())?;
    let seen = store.data().clone();
    assert_eq!(run, 5);
    assert_eq!(seen.len(), 5);
    assert!(seen.iter().all(|&fuel| fuel < 10_000 && fuel > 9_000), "{seen:?}");
    // Each iteration costs the same, so every reading is the same.
    assert!(seen[1..].iter().all(|&fuel| fuel == seen[1]), "{seen:?}");
    Ok(format!("{run} {seen:?}"))
}

/// Without `consume_fuel`, fuel calls are errors.
pub fn fuel_disabled() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let set = store.set_fuel(10).is_err();
    let get = store.get_fuel().is_err();
    assert!(set && get);
    Ok(format!("{set} {get}"))
}

/// A module with an endless `spin` loop and a loop-free `quick` function.
const SPIN_WAT: &str = r#"(module
    (func (export "spin") (loop $l (br $l)))
    (func (export "quick") (result i32) i32.const 3))"#;

/// A reached epoch deadline traps the running wasm (the default reaction,
/// with no callback); moving the deadline lets later calls run.
pub fn epoch_deadline_trap() -> Result<String> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, SPIN_WAT)?;
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);
    let instance = Instance::new(&mut store, &module, &[])?;
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin")?;
    let quick = instance.get_typed_func::<(), i32>(&mut store, "quick")?;
    let ran = quick.call(&mut store, ())?;
    // Another thread advances the epoch while the loop spins.
    let ticker = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            engine.increment_epoch();
        })
    };
    let err = spin.call(&mut store, ()).unwrap_err();
    ticker.join().unwrap();
    let interrupted = mentions(&err, "interrupt");
    assert!(interrupted, "{err:?}");
    // Move the deadline past the current epoch before calling again.
    store.set_epoch_deadline(1);
    let again = quick.call(&mut store, ())?;
    assert_eq!((ran, again), (3, 3));
    Ok(format!("{ran} {interrupted} {again}"))
}

/// An epoch deadline callback extends the deadline twice, then stops the
/// wasm with its own error; the store data counts the calls.
pub fn epoch_deadline_callback() -> Result<String> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    let engine = Engine::new(&config)?;
    let module = Module::new(&engine, SPIN_WAT)?;
    let mut store = Store::new(&engine, 0u32);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut cx| {
        *cx.data_mut() += 1;
        if *cx.data() < 3 {
            Ok(UpdateDeadline::Continue(1))
        } else {
            Err(Error::msg("third deadline"))
        }
    });
    let instance = Instance::new(&mut store, &module, &[])?;
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin")?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker = {
        let (engine, stop) = (engine.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                engine.increment_epoch();
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        })
    };
    let err = spin.call(&mut store, ()).unwrap_err();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    ticker.join().unwrap();
    let ours = mentions(&err, "third deadline");
    assert!(ours, "{err:?}");
    let calls = *store.data();
    assert_eq!(calls, 3);
    Ok(format!("{ours} {calls}"))
}
