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
//!
//! Timings on a shared 2-core machine spread by up to 24 % between runs, so
//! the binary also has a counting mode for `valgrind --tool=callgrind`, whose
//! instruction counts do not depend on load: with `LINK_MODE_COUNT=<case>:<n>`
//! (`<case>` one of `typed_call`, `dynamic_call`, `host_call`) it sets up,
//! makes `n` calls of that case and exits. The instructions of one call are
//! `(I(n) - I(0)) / n`; `docs/PERF.md` has the numbers and the commands.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
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

/// The three measured cases, each a closure making `n` calls (`host_call`:
/// `n` wasm-to-host calls, in runs of 1000) — shared by criterion and the
/// counting mode, so both measure the same code.
struct Cases {
    store: Store<()>,
    instance: Instance,
}

impl Cases {
    fn new() -> Cases {
        let (store, instance) = setup();
        Cases { store, instance }
    }

    /// Returns a closure that makes `n` calls of `case`.
    fn case(&mut self, case: &str) -> Box<dyn FnMut(u64) + '_> {
        let store = &mut self.store;
        match case {
            "typed_call" => {
                let add = self.instance.get_typed_func::<(i32, i32), i32>(&mut *store, "add").unwrap();
                assert_eq!(add.call(&mut *store, (2, 3)).unwrap(), 5);
                Box::new(move |n| {
                    for _ in 0..n {
                        black_box(add.call(&mut *store, black_box((1, 2))).unwrap());
                    }
                })
            }
            "dynamic_call" => {
                let f = self.instance.get_func(&mut *store, "dyn").unwrap();
                let params = [Val::I32(1), Val::I64(2), Val::from(3.0f32), Val::from(4.0f64)];
                let mut results = [Val::I64(0), Val::I64(0)];
                Box::new(move |n| {
                    for _ in 0..n {
                        f.call(&mut *store, black_box(&params), black_box(&mut results)).unwrap();
                    }
                })
            }
            "host_call" => {
                let run = self.instance.get_typed_func::<(), i32>(&mut *store, "run").unwrap();
                assert_eq!(run.call(&mut *store, ()).unwrap(), 1000);
                Box::new(move |n| {
                    for _ in 0..n.div_ceil(1000) {
                        black_box(run.call(&mut *store, ()).unwrap());
                    }
                })
            }
            other => panic!("unknown case {other:?}: typed_call, dynamic_call or host_call"),
        }
    }
}

const CASES: [&str; 3] = ["typed_call", "dynamic_call", "host_call"];

fn calls(c: &mut Criterion) {
    let mut cases = Cases::new();
    for case in CASES {
        let mut run = cases.case(case);
        c.bench_function(&format!("{case}/{MODE}"), |b| {
            b.iter_custom(|iters| {
                // `host_call` makes calls in runs of 1000: time whole runs and
                // scale to `iters` calls.
                let calls = if case == "host_call" { iters.div_ceil(1000) * 1000 } else { iters };
                let start = Instant::now();
                run(calls);
                start.elapsed().mul_f64(iters as f64 / calls as f64)
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3)).without_plots();
    targets = calls
}
fn main() {
    // Counting mode (see the module docs): no criterion, a fixed number of calls.
    if let Ok(spec) = std::env::var("LINK_MODE_COUNT") {
        let (case, n) = spec.split_once(':').expect("LINK_MODE_COUNT=<case>:<n>");
        let n: u64 = n.parse().expect("LINK_MODE_COUNT: <n> is a number");
        let mut cases = Cases::new();
        cases.case(case)(n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
