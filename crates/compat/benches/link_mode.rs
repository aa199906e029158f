//! The safe API's hot calls in whichever link mode this build uses, to
//! compare a prebuilt shared libwasmtime with the bundled static build
//! (issue 13: within 5 %). Run it once per mode, same machine, same run:
//!
//! ```sh
//! cargo bench -p wasmtime-mbt-compat --bench link_mode
//! WASMTIME_MBT_LIB_DIR=$PWD/target/wasmtime-prebuilt/48.0.0 \
//!     cargo bench -p wasmtime-mbt-compat --no-default-features --bench link_mode
//! ```
//!
//! Benchmark ids are `<case>/<mode>`, `<mode>` being `bundled` or
//! `prebuilt`. (`compare.rs` needs native `wasmtime`, so it is bundled-only.)

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use wasmtime_mbt::{Engine, Instance, Linker, Module, Store, Val};

const MODE: &str = if wasmtime_mbt::sys::build::BUNDLED { "bundled" } else { "prebuilt" };

const WAT: &str = r#"(module
  (import "host" "inc" (func $inc (param i32) (result i32)))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "dyn") (param i32 i64 f32 f64) (result i64 f64)
    local.get 0 i64.extend_i32_s local.get 1 i64.add
    local.get 2 f64.promote_f32 local.get 3 f64.add)
  (func (export "run") (result i32) (local i32)
    (loop $l
      local.get 0 call $inc local.set 0
      local.get 0 i32.const 1000 i32.lt_u br_if $l)
    local.get 0))"#;

fn setup() -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT).unwrap();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "inc", |x: i32| x.wrapping_add(1)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn calls(c: &mut Criterion) {
    let (mut store, instance) = setup();

    let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
    assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
    c.bench_function(&format!("typed_call/{MODE}"), |b| b.iter(|| add.call(&mut store, black_box((1, 2))).unwrap()));

    let f = instance.get_func(&mut store, "dyn").unwrap();
    let params = [Val::I32(1), Val::I64(2), Val::from(3.0f32), Val::from(4.0f64)];
    let mut results = [Val::I64(0), Val::I64(0)];
    c.bench_function(&format!("dynamic_call/{MODE}"), |b| {
        b.iter(|| f.call(&mut store, black_box(&params), black_box(&mut results)).unwrap())
    });

    // Per host call: `run` makes 1000 of them.
    let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 1000);
    c.bench_function(&format!("host_call/{MODE}"), |b| {
        b.iter_custom(|iters| {
            let runs = iters.div_ceil(1000).max(1);
            let start = Instant::now();
            for _ in 0..runs {
                black_box(run.call(&mut store, ()).unwrap());
            }
            // The time of `iters` host calls, at the measured rate.
            start.elapsed().mul_f64(iters as f64 / (runs * 1000) as f64)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3)).without_plots();
    targets = calls
}
criterion_main!(benches);
