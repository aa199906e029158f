//! Issue 16, scaling: how cost grows with work, wasmtime-mbt (`safe`)
//! against the native `wasmtime` crate (`native`) in the same run, from the
//! same client code (each case's body is written once, with a macro that
//! instantiates it for both crates).
//!
//! * `call_params_dynamic/<n>` and `call_params_typed/<n>`: a call with
//!   `n` `i32` parameters (0, 1, 4, 8, 16) and one result, through
//!   `Func::call` with `Val`s and through `TypedFunc::call`;
//! * `instantiate_threads/<t>`: `InstancePre::instantiate` into fresh
//!   stores from `t` threads (1, 2) sharing one `Engine` and `InstancePre`;
//!   the time is per instantiation (wall time / total count), so 2 threads
//!   scaling perfectly show half the time of 1;
//! * `compile_size/<n>` and `deserialize_size/<n>`: `Module::from_binary`
//!   and `Module::deserialize` of a module of `n` functions (10, 100,
//!   1,000).
//!
//! Run: `cargo bench -p wasmtime-mbt-compat --bench scaling` (or `cargo xtask
//! bench-report`, which runs it with the others).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
mod common;
use common::{config, medium_wat, wasm};

/// Expands `$body` twice: with `$w` naming `wasmtime_mbt` and `$imp` the
/// string `"safe"`, then with `$w` naming the native `wasmtime` and `$imp`
/// `"native"`.
macro_rules! for_both {
    (|$w:ident, $imp:ident| $body:block) => {{
        {
            use wasmtime_mbt as $w;
            let $imp = "safe";
            $body
        }
        {
            use wasmtime as $w;
            let $imp = "native";
            $body
        }
    }};
}

/// A module exporting `p{n}` for each parameter count: `n` `i32`s in, their
/// first (or 7) out.
fn params_wat() -> String {
    let mut wat = String::from("(module\n");
    for n in PARAM_COUNTS {
        let params = "i32 ".repeat(n);
        let body = if n == 0 { "i32.const 7".to_string() } else { "local.get 0".to_string() };
        wat.push_str(&format!("  (func (export \"p{n}\") (param {params}) (result i32) {body})\n"));
    }
    wat.push(')');
    wat
}

const PARAM_COUNTS: [usize; 5] = [0, 1, 4, 8, 16];

fn call_params_dynamic(c: &mut Criterion) {
    let wasm = wasm(&params_wat());
    let mut g = c.benchmark_group("call_params_dynamic");
    for_both!(|w, imp| {
        let engine = w::Engine::default();
        let module = w::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = w::Store::new(&engine, ());
        let instance = w::Instance::new(&mut store, &module, &[]).unwrap();
        for n in PARAM_COUNTS {
            let f = instance.get_func(&mut store, &format!("p{n}")).unwrap();
            let params: Vec<w::Val> = (0..n as i32).map(w::Val::I32).collect();
            let mut results = [w::Val::I32(0)];
            f.call(&mut store, &params, &mut results).unwrap();
            assert_eq!(results[0].unwrap_i32(), if n == 0 { 7 } else { 0 });
            g.bench_with_input(BenchmarkId::new(imp, n), &n, |b, _| {
                b.iter(|| f.call(&mut store, black_box(&params), black_box(&mut results)).unwrap())
            });
        }
    });
    g.finish();
}

/// One typed case: `$n` parameters of the tuple type `$params`.
macro_rules! typed_case {
    ($g:ident, $imp:ident, $store:ident, $instance:ident, $n:literal, $params:ty, $args:expr) => {{
        let f = $instance.get_typed_func::<$params, i32>(&mut $store, concat!("p", $n)).unwrap();
        assert_eq!(f.call(&mut $store, $args).unwrap(), if $n == 0 { 7 } else { 1 });
        $g.bench_with_input(BenchmarkId::new($imp, $n), &$n, |b, _| b.iter(|| f.call(&mut $store, black_box($args)).unwrap()));
    }};
}

fn call_params_typed(c: &mut Criterion) {
    let wasm = wasm(&params_wat());
    let mut g = c.benchmark_group("call_params_typed");
    type P4 = (i32, i32, i32, i32);
    type P8 = (i32, i32, i32, i32, i32, i32, i32, i32);
    type P16 = (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32);
    for_both!(|w, imp| {
        let engine = w::Engine::default();
        let module = w::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = w::Store::new(&engine, ());
        let instance = w::Instance::new(&mut store, &module, &[]).unwrap();
        typed_case!(g, imp, store, instance, 0, (), ());
        typed_case!(g, imp, store, instance, 1, i32, 1);
        typed_case!(g, imp, store, instance, 4, P4, (1, 2, 3, 4));
        typed_case!(g, imp, store, instance, 8, P8, (1, 2, 3, 4, 5, 6, 7, 8));
        typed_case!(g, imp, store, instance, 16, P16, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16));
    });
    g.finish();
}

/// A small instance with an import, memory, table, globals and data.
const INSTANCE_WAT: &str = r#"(module
  (import "host" "inc" (func $inc (param i32) (result i32)))
  (memory (export "mem") 1)
  (table (export "tab") 4 funcref)
  (global $g (export "g") (mut i32) (i32.const 7))
  (data (i32.const 16) "hello, instance pre")
  (elem (i32.const 0) $a $inc)
  (func $a (export "a") (param i32) (result i32) local.get 0 call $inc))"#;

fn instantiate_threads(c: &mut Criterion) {
    let wasm = wasm(INSTANCE_WAT);
    let mut g = c.benchmark_group("instantiate_threads");
    for_both!(|w, imp| {
        let engine = w::Engine::default();
        let module = w::Module::from_binary(&engine, &wasm).unwrap();
        let mut linker = w::Linker::<()>::new(&engine);
        linker.func_wrap("host", "inc", |x: i32| x.wrapping_add(1)).unwrap();
        let pre = linker.instantiate_pre(&module).unwrap();
        for threads in [1u64, 2] {
            g.bench_with_input(BenchmarkId::new(imp, threads), &threads, |b, &threads| {
                b.iter_custom(|iters| {
                    let per_thread = iters.div_ceil(threads);
                    let start = Instant::now();
                    std::thread::scope(|s| {
                        for _ in 0..threads {
                            s.spawn(|| {
                                for _ in 0..per_thread {
                                    let mut store = w::Store::new(&engine, ());
                                    black_box(pre.instantiate(&mut store).unwrap());
                                }
                            });
                        }
                    });
                    // Per instantiation, so that perfect scaling halves it.
                    start.elapsed().mul_f64(iters as f64 / (per_thread * threads) as f64)
                })
            });
        }
    });
    g.finish();
}

const MODULE_SIZES: [usize; 3] = [10, 100, 1000];

fn compile_and_deserialize(c: &mut Criterion) {
    let modules: Vec<(usize, Vec<u8>)> = MODULE_SIZES.iter().map(|&n| (n, wasm(&medium_wat(n)))).collect();
    for group in ["compile_size", "deserialize_size"] {
        let mut g = c.benchmark_group(group);
        g.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(3));
        for_both!(|w, imp| {
            let engine = w::Engine::default();
            for (n, bytes) in &modules {
                if group == "compile_size" {
                    g.bench_with_input(BenchmarkId::new(imp, n), n, |b, _| b.iter(|| w::Module::from_binary(&engine, black_box(bytes)).unwrap()));
                } else {
                    let serialized = w::Module::from_binary(&engine, bytes).unwrap().serialize().unwrap();
                    // SAFETY: the bytes were just serialized by this engine.
                    g.bench_with_input(BenchmarkId::new(imp, n), n, |b, _| {
                        b.iter(|| unsafe { w::Module::deserialize(&engine, black_box(&serialized)) }.unwrap())
                    });
                }
            }
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = call_params_dynamic, call_params_typed, instantiate_threads, compile_and_deserialize
}
criterion_main!(benches);
