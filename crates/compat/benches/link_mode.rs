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
//! (`<case>` one of `typed_call`, `dynamic_call`, `host_call`, or the
//! counting-only `externref_round_trip`, `externref_raw` (the same through
//! the C API), `call_async`, `poller_round_trip`,
//! `poller_baseline` (a hand-written crossbeam worker), `component_typed_call`
//! and `component_raw` (the same through the C API)) it sets up,
//! makes `n` calls of that case and exits. The instructions of one call are
//! `(I(n) - I(0)) / n`; `docs/PERF.md` has the numbers and the commands.
//! With `LINK_MODE_SWITCHES=1` as well (and no valgrind), it prints the
//! wall time and the context switches of all threads per call.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use wasmtime_mbt::{Engine, Instance, Linker, Module, Store, Val};

mod common;

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
    local.get 0)
  (func (export "id_ref") (param externref) (result externref)
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
            // Counting mode only (as `compare.rs`): an externref into wasm
            // and back, in a `RootScope` per call.
            "externref_round_trip" => {
                use wasmtime_mbt::{ExternRef, RootScope, Rooted};
                let id = self.instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut *store, "id_ref").unwrap();
                let r = ExternRef::new(&mut *store, 42u64).unwrap();
                assert!(id.call(&mut *store, Some(r)).unwrap().is_some());
                Box::new(move |n| {
                    for _ in 0..n {
                        let mut scope = RootScope::new(&mut *store);
                        black_box(id.call(&mut scope, Some(black_box(r))).unwrap());
                    }
                })
            }
            // Counting mode only: `compare.rs`'s raw C version of the
            // above (`to_raw`, call, `from_raw`, `data`, unroot), on a C
            // store of its own (leaked), the C API's floor.
            "externref_raw" => Box::new(externref_raw()),
            // `add` started with `call_async` and polled to completion.
            "call_async" => {
                let add = self.instance.get_typed_func::<(i32, i32), i32>(&mut *store, "add").unwrap();
                assert_eq!(add.call_async(&mut *store, (2, 3)).wait().unwrap(), 5);
                Box::new(move |n| {
                    for _ in 0..n {
                        black_box(pollster::block_on(add.call_async(&mut *store, black_box((1, 2)))).unwrap());
                    }
                })
            }
            // A `Poller` round trip of `add` (as `compare.rs`), in a store
            // of its own.
            "poller_round_trip" => {
                let (store, instance) = setup();
                let mut store = Some(store);
                let add = instance.get_typed_func::<(i32, i32), i32>(store.as_mut().unwrap(), "add").unwrap();
                let poller = wasmtime_mbt::Poller::new(Duration::from_micros(100));
                Box::new(move |n| {
                    for _ in 0..n {
                        let (s, result) = poller.submit(store.take().unwrap(), (add, black_box((1, 2)))).join();
                        store = Some(s);
                        black_box(result.unwrap());
                    }
                })
            }
            // The same hand-off written by hand (`compare.rs`'s native
            // baseline, with this crate): a worker thread, two crossbeam
            // channels, `call_async` polled on the worker.
            "poller_baseline" => {
                let (store, instance) = setup();
                let mut store = Some(store);
                let add = instance.get_typed_func::<(i32, i32), i32>(store.as_mut().unwrap(), "add").unwrap();
                let (to_thread, jobs) = crossbeam_channel::unbounded::<(Store<()>, (i32, i32))>();
                let (to_caller, done) = crossbeam_channel::bounded::<(Store<()>, i32)>(1);
                let thread = std::thread::spawn(move || {
                    for (mut store, args) in jobs {
                        let r = pollster::block_on(add.call_async(&mut store, args)).unwrap();
                        to_caller.send((store, r)).unwrap();
                    }
                });
                // Dropping the closure disconnects `to_thread`, which ends
                // the (detached) thread.
                let _detached = thread;
                Box::new(move |n| {
                    for _ in 0..n {
                        to_thread.send((store.take().unwrap(), black_box((1, 2)))).unwrap();
                        let (s, r) = done.recv().unwrap();
                        store = Some(s);
                        black_box(r);
                    }
                })
            }
            // Counting mode only (as `compare.rs`): a typed component
            // call, and the raw C floor of it.
            "component_typed_call" => {
                use wasmtime_mbt::component::{Component, Linker};
                let engine = store.engine().clone();
                let component = Component::new(&engine, common::COMPONENT_WAT).unwrap();
                let instance = Linker::new(&engine).instantiate(&mut *store, &component).unwrap();
                let add = instance.get_typed_func::<(u32, u32), (u32,)>(&mut *store, "add").unwrap();
                assert_eq!(add.call(&mut *store, (2, 3)).unwrap(), (5,));
                Box::new(move |n| {
                    for _ in 0..n {
                        black_box(add.call(&mut *store, black_box((1, 2))).unwrap());
                    }
                })
            }
            "component_raw" => {
                let mut add = common::raw_component_add();
                Box::new(move |n| {
                    for _ in 0..n {
                        black_box(add(black_box(1), black_box(2)));
                    }
                })
            }
            other => panic!("unknown case {other:?}: typed_call, dynamic_call, host_call, externref_round_trip, externref_raw, call_async, poller_round_trip, poller_baseline, component_typed_call or component_raw"),
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

/// `externref_raw`'s calls (see [`Cases::case`]).
fn externref_raw() -> impl FnMut(u64) {
    use std::ptr;
    use wasmtime_mbt::sys;
    unsafe extern "C" fn drop_u64(p: *mut std::ffi::c_void) {
        drop(unsafe { Box::from_raw(p.cast::<u64>()) });
    }
    fn ok(error: *mut sys::wasmtime_error_t, trap: *mut sys::wasm_trap_t) {
        assert!(error.is_null() && trap.is_null(), "externref_raw: the C call failed");
    }
    // SAFETY: plain C API use; everything is leaked at exit.
    unsafe {
        let engine = sys::wasm_engine_new();
        let store = sys::wasmtime_store_new(engine, ptr::null_mut(), None);
        let ctx = sys::wasmtime_store_context(store);
        let mut wasm = sys::wasm_byte_vec_t::default();
        ok(sys::wasmtime_wat2wasm(WAT.as_ptr().cast(), WAT.len(), &mut wasm), ptr::null_mut());
        let mut module = ptr::null_mut();
        ok(sys::wasmtime_module_new(engine, wasm.data.cast(), wasm.size, &mut module), ptr::null_mut());
        // The one import, `host.inc`, is unused here: a linker with it.
        let linker = sys::wasmtime_linker_new(engine);
        let mut instance = sys::wasmtime_instance_t::default();
        let mut trap = ptr::null_mut();
        let params = [sys::wasm_valtype_new(sys::WASM_I32 as u8)];
        let results = [sys::wasm_valtype_new(sys::WASM_I32 as u8)];
        let mut pv = sys::wasm_valtype_vec_t::default();
        let mut rv = sys::wasm_valtype_vec_t::default();
        sys::wasm_valtype_vec_new(&mut pv, 1, params.as_ptr());
        sys::wasm_valtype_vec_new(&mut rv, 1, results.as_ptr());
        let ty = sys::wasm_functype_new(&mut pv, &mut rv);
        unsafe extern "C" fn inc_cb(
            _: *mut std::ffi::c_void,
            _: *mut sys::wasmtime_caller_t,
            _: *mut sys::wasmtime_val_raw_t,
            _: usize,
        ) -> *mut sys::wasm_trap_t {
            ptr::null_mut()
        }
        ok(sys::wasmtime_linker_define_func_unchecked(linker, c"host".as_ptr(), 4, c"inc".as_ptr(), 3, ty, Some(inc_cb), ptr::null_mut(), None), ptr::null_mut());
        ok(sys::wasmtime_linker_instantiate(linker, ctx, module, &mut instance, &mut trap), trap);
        let mut item = sys::wasmtime_extern_t::default();
        assert!(sys::wasmtime_instance_export_get(ctx, &instance, c"id_ref".as_ptr(), 6, &mut item));
        let id = item.of.func;
        let mut r = sys::wasmtime_externref_t::default();
        assert!(sys::wasmtime_externref_new(ctx, Box::into_raw(Box::new(42u64)).cast(), Some(drop_u64), &mut r));
        move |n| {
            for _ in 0..n {
                let mut buf = [sys::wasmtime_val_raw_t { externref: sys::wasmtime_externref_to_raw(ctx, black_box(&r)) }];
                let mut trap = ptr::null_mut();
                ok(sys::wasmtime_func_call_unchecked(ctx, &id, buf.as_mut_ptr(), 1, &mut trap), trap);
                let mut out = sys::wasmtime_externref_t::default();
                sys::wasmtime_externref_from_raw(ctx, buf[0].externref, &mut out);
                black_box(sys::wasmtime_externref_data(ctx, &out));
                sys::wasmtime_externref_unroot(&mut out);
            }
        }
    }
}

/// The summed (voluntary, involuntary) context switches of this process's
/// threads, from `/proc/self/task/*/status` (zeros where there is none).
fn context_switches() -> (u64, u64) {
    let mut sum = (0, 0);
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else { continue };
        for line in status.lines() {
            let value = |l: &str| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            if line.starts_with("voluntary_ctxt_switches") {
                sum.0 += value(line);
            } else if line.starts_with("nonvoluntary_ctxt_switches") {
                sum.1 += value(line);
            }
        }
    }
    sum
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
        let mut run = cases.case(case);
        if std::env::var_os("LINK_MODE_SWITCHES").is_some() {
            // Context switches of all threads (a thread that parks or
            // yields switches), and the wall time: for the cross-thread
            // cases, where instruction counts miss the waiting.
            let before = (context_switches(), Instant::now());
            run(n);
            let (after, elapsed) = (context_switches(), before.1.elapsed());
            let per = |a: u64, b: u64| (a - b) as f64 / n.max(1) as f64;
            eprintln!(
                "{case}: {:.0} ns/op, {:.3} voluntary + {:.3} involuntary context switches/op",
                elapsed.as_nanos() as f64 / n.max(1) as f64,
                per(after.0, before.0.0),
                per(after.1, before.0.1)
            );
        } else {
            run(n);
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
