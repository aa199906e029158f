// Pending client case: Store::limiter with a closure returning &mut StoreLimits.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// Store data holding the limits.
struct Limited {
    limits: StoreLimits,
}

/// `store.limiter(|s| &mut s.limits)` caps memory growth.
pub fn store_limiter_closure() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (memory (export "m") 1) (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#)?;
    let mut store = Store::new(&engine, Limited { limits: StoreLimitsBuilder::new().memory_size(2 << 16).build() });
    store.limiter(|s| &mut s.limits);
    let instance = Instance::new(&mut store, &module, &[])?;
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
    let ok = grow.call(&mut store, 1)?;
    let refused = grow.call(&mut store, 1)?;
    assert_eq!((ok, refused), (1, -1));
    Ok(format!("{ok} {refused}"))
}
