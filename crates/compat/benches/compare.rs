//! Issue 8: the safe `wasmtime-mbt` API against (a) the raw C API through
//! `wasmtime-mbt-sys`, written the fastest correct way, and (b) the native
//! `wasmtime` crate, all from the same WAT and in the same run.
//!
//! Benchmark ids are `<case>/<impl>[/<size>]` with `<impl>` one of `safe`,
//! `raw`, `native` (and `memcpy` for the memory baseline);
//! `cargo xtask bench-report` turns criterion's JSON into docs/PERF.md.
//!
//! Cases: typed call, dynamic call, wasm→host call (per call), memory
//! read/write (64 B, 4 KiB, 1 MiB, against `copy_from_slice`), module
//! compile, `InstancePre::instantiate`, externref round trip, `call_async`
//! polled to completion, `Poller` round trip, a WASI command, and component
//! calls (typed `(u32, u32) -> u32`, 1 KiB string round trip).
//!
//! Run: `cargo bench -p wasmtime-mbt-compat` (or `cargo xtask bench-report`).
//! Each case is short (0.5 s warm-up, 2 s measurement) so the suite takes a
//! few minutes on a 2-core machine.

use std::hint::black_box;
use std::ptr;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, SamplingMode};
use wasmtime_mbt as mbt;
use wasmtime_mbt::sys;

mod common;
use common::{config, medium_wat, raw_component_add, wasm, COMPONENT_WAT};

// ---------------------------------------------------------------------------
// The WAT every implementation compiles.

/// Typed, dynamic and externref calls.
const CALLS_WAT: &str = r#"(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func (export "dyn") (param i32 i64 f32 f64) (result i64 f64)
    local.get 0 i64.extend_i32_s local.get 1 i64.add
    local.get 2 f64.promote_f32 local.get 3 f64.add)
  (func (export "id_ref") (param externref) (result externref)
    local.get 0))"#;

/// Number of host calls one `run` makes.
const HOST_CALLS: u32 = 1000;

/// wasm → host: `run` calls the imported `host.inc` 1,000 times.
const HOST_WAT: &str = r#"(module
  (import "host" "inc" (func $inc (param i32) (result i32)))
  (func (export "run") (result i32) (local $i i32) (local $acc i32)
    (loop $l
      local.get $acc call $inc local.set $acc
      local.get $i i32.const 1 i32.add local.tee $i
      i32.const 1000 i32.lt_u br_if $l)
    local.get $acc))"#;

/// 32 pages = 2 MiB, room for the 1 MiB copies.
const MEMORY_WAT: &str = r#"(module (memory (export "mem") 32))"#;

/// A typical small instance for InstancePre: an import, memory, table,
/// globals, a data segment and some exports.
const INSTANTIATE_WAT: &str = r#"(module
  (import "host" "inc" (func $inc (param i32) (result i32)))
  (memory (export "mem") 1)
  (table (export "tab") 4 funcref)
  (global $g (export "g") (mut i32) (i32.const 7))
  (global $h i64 (i64.const 9))
  (data (i32.const 16) "hello, instance pre")
  (elem (i32.const 0) $a $b $inc)
  (func $a (export "a") (param i32) (result i32) local.get 0 call $inc)
  (func $b (export "b") (param i32) (result i32) local.get 0 global.get $g i32.add)
  (func (export "c") (result i64) global.get $h))"#;

// ---------------------------------------------------------------------------
// Minimal raw C API plumbing (the "fastest correct" baseline).

mod raw {
    use super::*;

    pub unsafe fn check(error: *mut sys::wasmtime_error_t, trap: *mut sys::wasm_trap_t) {
        if !trap.is_null() {
            unsafe { sys::wasm_trap_delete(trap) };
            panic!("unexpected trap");
        }
        if !error.is_null() {
            let mut msg = sys::wasm_byte_vec_t::default();
            let text = unsafe {
                sys::wasmtime_error_message(error, &mut msg);
                let text = String::from_utf8_lossy(std::slice::from_raw_parts(msg.data.cast::<u8>(), msg.size)).into_owned();
                sys::wasm_byte_vec_delete(&mut msg);
                sys::wasmtime_error_delete(error);
                text
            };
            panic!("wasmtime error: {text}");
        }
    }

    /// An engine and one store on it.
    pub struct Env {
        pub engine: *mut sys::wasm_engine_t,
        pub store: *mut sys::wasmtime_store_t,
        pub ctx: *mut sys::wasmtime_context_t,
    }

    impl Env {
        pub fn new() -> Env {
            unsafe {
                let engine = sys::wasm_engine_new();
                let store = sys::wasmtime_store_new(engine, ptr::null_mut(), None);
                let ctx = sys::wasmtime_store_context(store);
                Env { engine, store, ctx }
            }
        }

        pub fn module(&self, wasm: &[u8]) -> Module {
            Module::new(self.engine, wasm)
        }

        /// Instantiates an import-free module.
        pub fn instance(&self, module: &Module) -> sys::wasmtime_instance_t {
            let mut instance = sys::wasmtime_instance_t::default();
            let mut trap = ptr::null_mut();
            unsafe {
                let err = sys::wasmtime_instance_new(self.ctx, module.0, ptr::null(), 0, &mut instance, &mut trap);
                check(err, trap);
            }
            instance
        }

        pub fn export(&self, instance: &sys::wasmtime_instance_t, name: &str) -> sys::wasmtime_extern_t {
            let mut item = sys::wasmtime_extern_t::default();
            let found = unsafe { sys::wasmtime_instance_export_get(self.ctx, instance, name.as_ptr().cast(), name.len(), &mut item) };
            assert!(found, "no export {name}");
            item
        }

        pub fn func(&self, instance: &sys::wasmtime_instance_t, name: &str) -> sys::wasmtime_func_t {
            let item = self.export(instance, name);
            assert_eq!(item.kind as u32, sys::WASMTIME_EXTERN_FUNC);
            unsafe { item.of.func }
        }

        pub fn memory(&self, instance: &sys::wasmtime_instance_t, name: &str) -> sys::wasmtime_memory_t {
            let item = self.export(instance, name);
            assert_eq!(item.kind as u32, sys::WASMTIME_EXTERN_MEMORY);
            unsafe { item.of.memory }
        }
    }

    impl Drop for Env {
        fn drop(&mut self) {
            unsafe {
                sys::wasmtime_store_delete(self.store);
                sys::wasm_engine_delete(self.engine);
            }
        }
    }

    pub struct Module(pub *mut sys::wasmtime_module_t);

    impl Module {
        pub fn new(engine: *mut sys::wasm_engine_t, wasm: &[u8]) -> Module {
            let mut module = ptr::null_mut();
            unsafe { check(sys::wasmtime_module_new(engine, wasm.as_ptr(), wasm.len(), &mut module), ptr::null_mut()) };
            Module(module)
        }
    }

    impl Drop for Module {
        fn drop(&mut self) {
            unsafe { sys::wasmtime_module_delete(self.0) }
        }
    }

    /// `host.inc` as an unchecked callback: the argument slot becomes the result.
    pub unsafe extern "C" fn inc(
        _env: *mut std::ffi::c_void,
        _caller: *mut sys::wasmtime_caller_t,
        args_and_results: *mut sys::wasmtime_val_raw_t,
        _len: usize,
    ) -> *mut sys::wasm_trap_t {
        unsafe { (*args_and_results).i32_ = (*args_and_results).i32_.wrapping_add(1) };
        ptr::null_mut()
    }

    /// A linker with `host.inc` defined through `wasmtime_linker_define_func_unchecked`.
    pub fn linker_with_inc(engine: *mut sys::wasm_engine_t) -> *mut sys::wasmtime_linker_t {
        unsafe {
            let linker = sys::wasmtime_linker_new(engine);
            let ty = sys::wasm_functype_new_1_1(sys::wasm_valtype_new_i32(), sys::wasm_valtype_new_i32());
            let (m, n) = ("host", "inc");
            let err = sys::wasmtime_linker_define_func_unchecked(
                linker,
                m.as_ptr().cast(),
                m.len(),
                n.as_ptr().cast(),
                n.len(),
                ty,
                Some(inc),
                ptr::null_mut(),
                None,
            );
            sys::wasm_functype_delete(ty);
            check(err, ptr::null_mut());
            linker
        }
    }
}

// ---------------------------------------------------------------------------
// Cases.

fn typed_call(c: &mut Criterion) {
    let wasm = wasm(CALLS_WAT);
    let mut g = c.benchmark_group("typed_call");

    {
        let engine = mbt::Engine::default();
        let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = mbt::Store::new(&engine, ());
        let instance = mbt::Instance::new(&mut store, &module, &[]).unwrap();
        let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
        assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
        g.bench_function("safe", |b| b.iter(|| add.call(&mut store, black_box((1, 2))).unwrap()));
    }

    {
        let env = raw::Env::new();
        let module = env.module(&wasm);
        let instance = env.instance(&module);
        let add = env.func(&instance, "add");
        let call = |a: i32, b: i32| -> i32 {
            let mut buf = [sys::wasmtime_val_raw_t { i32_: a }, sys::wasmtime_val_raw_t { i32_: b }];
            let mut trap = ptr::null_mut();
            unsafe {
                let err = sys::wasmtime_func_call_unchecked(env.ctx, &add, buf.as_mut_ptr(), buf.len(), &mut trap);
                if !err.is_null() || !trap.is_null() {
                    raw::check(err, trap);
                }
                buf[0].i32_
            }
        };
        assert_eq!(call(2, 3), 5);
        g.bench_function("raw", |b| b.iter(|| call(black_box(1), black_box(2))));
    }

    {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
        assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
        g.bench_function("native", |b| b.iter(|| add.call(&mut store, black_box((1, 2))).unwrap()));
    }
    g.finish();
}

fn dynamic_call(c: &mut Criterion) {
    let wasm = wasm(CALLS_WAT);
    let mut g = c.benchmark_group("dynamic_call");

    {
        use mbt::Val;
        let engine = mbt::Engine::default();
        let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = mbt::Store::new(&engine, ());
        let instance = mbt::Instance::new(&mut store, &module, &[]).unwrap();
        let f = instance.get_func(&mut store, "dyn").unwrap();
        let params = [Val::I32(1), Val::I64(2), Val::from(3.0f32), Val::from(4.0f64)];
        let mut results = [Val::I64(0), Val::F64(0)];
        f.call(&mut store, &params, &mut results).unwrap();
        assert_eq!(results[0].i64(), Some(3));
        g.bench_function("safe", |b| b.iter(|| f.call(&mut store, black_box(&params), black_box(&mut results)).unwrap()));
    }

    {
        let env = raw::Env::new();
        let module = env.module(&wasm);
        let instance = env.instance(&module);
        let f = env.func(&instance, "dyn");
        let val = |kind: u32, of: sys::wasmtime_valunion_t| sys::wasmtime_val_t { kind: kind as _, of };
        let params = [
            val(sys::WASMTIME_I32, sys::wasmtime_valunion_t { i32_: 1 }),
            val(sys::WASMTIME_I64, sys::wasmtime_valunion_t { i64_: 2 }),
            val(sys::WASMTIME_F32, sys::wasmtime_valunion_t { f32_: 3.0 }),
            val(sys::WASMTIME_F64, sys::wasmtime_valunion_t { f64_: 4.0 }),
        ];
        let mut results = [val(sys::WASMTIME_I64, sys::wasmtime_valunion_t { i64_: 0 }); 2];
        let mut call = |params: &[sys::wasmtime_val_t]| unsafe {
            let mut trap = ptr::null_mut();
            let err = sys::wasmtime_func_call(env.ctx, &f, params.as_ptr(), params.len(), results.as_mut_ptr(), results.len(), &mut trap);
            if !err.is_null() || !trap.is_null() {
                raw::check(err, trap);
            }
            // Numeric results own nothing: no unroot needed.
            results[0].of.i64_
        };
        assert_eq!(call(&params), 3);
        g.bench_function("raw", |b| b.iter(|| call(black_box(&params))));
    }

    {
        use wasmtime::Val;
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let f = instance.get_func(&mut store, "dyn").unwrap();
        let params = [Val::I32(1), Val::I64(2), Val::from(3.0f32), Val::from(4.0f64)];
        let mut results = [Val::I64(0), Val::F64(0)];
        f.call(&mut store, &params, &mut results).unwrap();
        assert_eq!(results[0].i64(), Some(3));
        g.bench_function("native", |b| b.iter(|| f.call(&mut store, black_box(&params), black_box(&mut results)).unwrap()));
    }
    g.finish();
}

/// Times `run` (1,000 host calls) and reports the time per host call.
fn per_host_call(iters: u64, mut run: impl FnMut() -> i32) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(run());
    }
    start.elapsed() / HOST_CALLS
}

fn host_call(c: &mut Criterion) {
    let wasm = wasm(HOST_WAT);
    let mut g = c.benchmark_group("host_call");

    {
        let engine = mbt::Engine::default();
        let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
        let mut linker = mbt::Linker::new(&engine);
        linker.func_wrap("host", "inc", |x: i32| x.wrapping_add(1)).unwrap();
        let mut store = mbt::Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), HOST_CALLS as i32);
        g.bench_function("safe", |b| b.iter_custom(|iters| per_host_call(iters, || run.call(&mut store, ()).unwrap())));
    }

    {
        let env = raw::Env::new();
        let module = env.module(&wasm);
        let linker = raw::linker_with_inc(env.engine);
        let mut instance = sys::wasmtime_instance_t::default();
        unsafe {
            let mut trap = ptr::null_mut();
            let err = sys::wasmtime_linker_instantiate(linker, env.ctx, module.0, &mut instance, &mut trap);
            raw::check(err, trap);
        }
        let run = env.func(&instance, "run");
        let call = || unsafe {
            let mut buf = [sys::wasmtime_val_raw_t { i32_: 0 }];
            let mut trap = ptr::null_mut();
            let err = sys::wasmtime_func_call_unchecked(env.ctx, &run, buf.as_mut_ptr(), 1, &mut trap);
            if !err.is_null() || !trap.is_null() {
                raw::check(err, trap);
            }
            buf[0].i32_
        };
        assert_eq!(call(), HOST_CALLS as i32);
        g.bench_function("raw", |b| b.iter_custom(|iters| per_host_call(iters, call)));
        unsafe { sys::wasmtime_linker_delete(linker) };
    }

    {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::from_binary(&engine, &wasm).unwrap();
        let mut linker = wasmtime::Linker::new(&engine);
        linker.func_wrap("host", "inc", |x: i32| x.wrapping_add(1)).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let run = instance.get_typed_func::<(), i32>(&mut store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap(), HOST_CALLS as i32);
        g.bench_function("native", |b| b.iter_custom(|iters| per_host_call(iters, || run.call(&mut store, ()).unwrap())));
    }
    g.finish();
}

const SIZES: [(usize, &str); 3] = [(64, "64B"), (4096, "4KiB"), (1 << 20, "1MiB")];

fn memory(c: &mut Criterion) {
    let wasm = wasm(MEMORY_WAT);

    // Safe.
    let engine = mbt::Engine::default();
    let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
    let mut store = mbt::Store::new(&engine, ());
    let instance = mbt::Instance::new(&mut store, &module, &[]).unwrap();
    let mem = instance.get_memory(&mut store, "mem").unwrap();

    // Raw.
    let env = raw::Env::new();
    let raw_module = env.module(&wasm);
    let raw_instance = env.instance(&raw_module);
    let raw_mem = env.memory(&raw_instance, "mem");
    let raw_read = |offset: usize, buf: &mut [u8]| unsafe {
        let data = sys::wasmtime_memory_data(env.ctx, &raw_mem);
        let len = sys::wasmtime_memory_data_size(env.ctx, &raw_mem);
        assert!(offset.checked_add(buf.len()).is_some_and(|end| end <= len), "out of bounds");
        ptr::copy_nonoverlapping(data.add(offset), buf.as_mut_ptr(), buf.len());
    };
    let raw_write = |offset: usize, buf: &[u8]| unsafe {
        let data = sys::wasmtime_memory_data(env.ctx, &raw_mem);
        let len = sys::wasmtime_memory_data_size(env.ctx, &raw_mem);
        assert!(offset.checked_add(buf.len()).is_some_and(|end| end <= len), "out of bounds");
        ptr::copy_nonoverlapping(buf.as_ptr(), data.add(offset), buf.len());
    };

    // Native.
    let n_engine = wasmtime::Engine::default();
    let n_module = wasmtime::Module::from_binary(&n_engine, &wasm).unwrap();
    let mut n_store = wasmtime::Store::new(&n_engine, ());
    let n_instance = wasmtime::Instance::new(&mut n_store, &n_module, &[]).unwrap();
    let n_mem = n_instance.get_memory(&mut n_store, "mem").unwrap();

    for (dir, name) in [(0, "memory_read"), (1, "memory_write")] {
        let mut g = c.benchmark_group(name);
        for (size, label) in SIZES {
            // Offset 8 so the wasm side is not page-aligned, like a real
            // guest pointer; the host buffers are fresh `Vec`s.
            let offset = 8;
            let mut buf = vec![0x5au8; size];
            let src = vec![0xa5u8; size];
            if dir == 0 {
                g.bench_with_input(BenchmarkId::new("safe", label), &size, |b, _| {
                    b.iter(|| mem.read(&store, black_box(offset), black_box(&mut buf)).unwrap())
                });
                g.bench_with_input(BenchmarkId::new("raw", label), &size, |b, _| {
                    b.iter(|| raw_read(black_box(offset), black_box(&mut buf)))
                });
                g.bench_with_input(BenchmarkId::new("native", label), &size, |b, _| {
                    b.iter(|| n_mem.read(&n_store, black_box(offset), black_box(&mut buf)).unwrap())
                });
            } else {
                g.bench_with_input(BenchmarkId::new("safe", label), &size, |b, _| {
                    b.iter(|| mem.write(&mut store, black_box(offset), black_box(&src)).unwrap())
                });
                g.bench_with_input(BenchmarkId::new("raw", label), &size, |b, _| {
                    b.iter(|| raw_write(black_box(offset), black_box(&src)))
                });
                g.bench_with_input(BenchmarkId::new("native", label), &size, |b, _| {
                    b.iter(|| n_mem.write(&mut n_store, black_box(offset), black_box(&src)).unwrap())
                });
            }
            g.bench_with_input(BenchmarkId::new("memcpy", label), &size, |b, _| {
                b.iter(|| black_box(&mut buf[..]).copy_from_slice(black_box(&src[..])))
            });
        }
        g.finish();
    }
}

fn module_compile(c: &mut Criterion) {
    let wasm = wasm(&medium_wat(200));
    let mut g = c.benchmark_group("module_compile");
    g.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(4));

    let engine = mbt::Engine::default();
    g.bench_function("safe", |b| b.iter(|| mbt::Module::from_binary(&engine, black_box(&wasm)).unwrap()));

    let env = raw::Env::new();
    g.bench_function("raw", |b| b.iter(|| raw::Module::new(env.engine, black_box(&wasm))));

    let n_engine = wasmtime::Engine::default();
    g.bench_function("native", |b| b.iter(|| wasmtime::Module::from_binary(&n_engine, black_box(&wasm)).unwrap()));
    g.finish();
}

fn instantiate_pre(c: &mut Criterion) {
    let wasm = wasm(INSTANTIATE_WAT);
    let mut g = c.benchmark_group("instantiate_pre");

    // Each iteration instantiates into a fresh store, made (and dropped)
    // outside the timed region.
    {
        let engine = mbt::Engine::default();
        let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
        let mut linker = mbt::Linker::new(&engine);
        linker.func_wrap("host", "inc", |x: i32| x.wrapping_add(1)).unwrap();
        let pre = linker.instantiate_pre(&module).unwrap();
        g.bench_function("safe", |b| {
            b.iter_batched(
                || mbt::Store::new(&engine, ()),
                |mut store| {
                    black_box(pre.instantiate(&mut store).unwrap());
                    store
                },
                BatchSize::SmallInput,
            )
        });
    }

    {
        struct RawStore(*mut sys::wasmtime_store_t);
        impl Drop for RawStore {
            fn drop(&mut self) {
                unsafe { sys::wasmtime_store_delete(self.0) }
            }
        }
        let env = raw::Env::new();
        let module = env.module(&wasm);
        let linker = raw::linker_with_inc(env.engine);
        let mut pre = ptr::null_mut();
        unsafe { raw::check(sys::wasmtime_linker_instantiate_pre(linker, module.0, &mut pre), ptr::null_mut()) };
        g.bench_function("raw", |b| {
            b.iter_batched(
                || RawStore(unsafe { sys::wasmtime_store_new(env.engine, ptr::null_mut(), None) }),
                |store| unsafe {
                    let mut instance = sys::wasmtime_instance_t::default();
                    let mut trap = ptr::null_mut();
                    let err = sys::wasmtime_instance_pre_instantiate(pre, sys::wasmtime_store_context(store.0), &mut instance, &mut trap);
                    if !err.is_null() || !trap.is_null() {
                        raw::check(err, trap);
                    }
                    black_box(instance);
                    store
                },
                BatchSize::SmallInput,
            )
        });
        unsafe {
            sys::wasmtime_instance_pre_delete(pre);
            sys::wasmtime_linker_delete(linker);
        }
    }

    {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::from_binary(&engine, &wasm).unwrap();
        let mut linker = wasmtime::Linker::new(&engine);
        linker.func_wrap("host", "inc", |x: i32| x.wrapping_add(1)).unwrap();
        let pre = linker.instantiate_pre(&module).unwrap();
        g.bench_function("native", |b| {
            b.iter_batched(
                || wasmtime::Store::new(&engine, ()),
                |mut store| {
                    black_box(pre.instantiate(&mut store).unwrap());
                    store
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn externref_round_trip(c: &mut Criterion) {
    let wasm = wasm(CALLS_WAT);
    let mut g = c.benchmark_group("externref_round_trip");

    // Passing an externref into wasm and getting it back (a typed call of
    // `(param externref) (result externref)`), dropping the returned root.
    {
        use mbt::{ExternRef, RootScope, Rooted};
        let engine = mbt::Engine::default();
        let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = mbt::Store::new(&engine, ());
        let instance = mbt::Instance::new(&mut store, &module, &[]).unwrap();
        let id = instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut store, "id_ref").unwrap();
        let r = ExternRef::new(&mut store, 42u64).unwrap();
        let back = id.call(&mut store, Some(r)).unwrap().unwrap();
        assert_eq!(back.data(&store).unwrap().unwrap().downcast_ref::<u64>(), Some(&42));
        // As for native below: a `RootScope` per call releases the
        // returned root.
        g.bench_function("safe", |b| {
            b.iter(|| {
                let mut scope = RootScope::new(&mut store);
                black_box(id.call(&mut scope, Some(black_box(r))).unwrap());
            })
        });
    }

    {
        unsafe extern "C" fn drop_u64(p: *mut std::ffi::c_void) {
            drop(unsafe { Box::from_raw(p.cast::<u64>()) });
        }
        let env = raw::Env::new();
        let module = env.module(&wasm);
        let instance = env.instance(&module);
        let id = env.func(&instance, "id_ref");
        let mut r = sys::wasmtime_externref_t::default();
        assert!(unsafe { sys::wasmtime_externref_new(env.ctx, Box::into_raw(Box::new(42u64)).cast(), Some(drop_u64), &mut r) });
        let call = |r: &sys::wasmtime_externref_t| unsafe {
            let mut buf = [sys::wasmtime_val_raw_t { externref: sys::wasmtime_externref_to_raw(env.ctx, r) }];
            let mut trap = ptr::null_mut();
            let err = sys::wasmtime_func_call_unchecked(env.ctx, &id, buf.as_mut_ptr(), 1, &mut trap);
            if !err.is_null() || !trap.is_null() {
                raw::check(err, trap);
            }
            let mut out = sys::wasmtime_externref_t::default();
            sys::wasmtime_externref_from_raw(env.ctx, buf[0].externref, &mut out);
            let data = sys::wasmtime_externref_data(env.ctx, &out);
            sys::wasmtime_externref_unroot(&mut out);
            data
        };
        assert_eq!(unsafe { *call(&r).cast::<u64>() }, 42);
        g.bench_function("raw", |b| b.iter(|| call(black_box(&r))));
        unsafe { sys::wasmtime_externref_unroot(&mut r) };
    }

    {
        use wasmtime::{ExternRef, Rooted, RootScope};
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let id = instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut store, "id_ref").unwrap();
        let r = ExternRef::new(&mut store, 42u64).unwrap();
        let back = id.call(&mut store, Some(r)).unwrap().unwrap();
        assert_eq!(back.data(&store).unwrap().unwrap().downcast_ref::<u64>(), Some(&42));
        // A `RootScope` per call releases the returned LIFO root, the
        // idiomatic equivalent of dropping an owned root.
        g.bench_function("native", |b| {
            b.iter(|| {
                let mut scope = RootScope::new(&mut store);
                black_box(id.call(&mut scope, Some(black_box(r))).unwrap());
            })
        });
    }
    g.finish();
}

fn call_async(c: &mut Criterion) {
    let wasm = wasm(CALLS_WAT);
    let mut g = c.benchmark_group("call_async");

    // `add(1, 2)` started asynchronously and polled to completion (the
    // wasm never yields, so one poll finishes it).
    {
        let engine = mbt::Engine::default();
        let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = mbt::Store::new(&engine, ());
        let instance = mbt::Instance::new(&mut store, &module, &[]).unwrap();
        let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
        assert_eq!(add.call_async(&mut store, (2, 3)).wait().unwrap(), 5);
        g.bench_function("safe", |b| {
            b.iter(|| pollster::block_on(add.call_async(&mut store, black_box((1, 2)))).unwrap())
        });
    }

    {
        let env = raw::Env::new();
        let module = env.module(&wasm);
        let instance = env.instance(&module);
        let add = env.func(&instance, "add");
        let call = |a: i32, b: i32| unsafe {
            let args = [
                sys::wasmtime_val_t { kind: sys::WASMTIME_I32 as _, of: sys::wasmtime_valunion_t { i32_: a } },
                sys::wasmtime_val_t { kind: sys::WASMTIME_I32 as _, of: sys::wasmtime_valunion_t { i32_: b } },
            ];
            let mut results = [sys::wasmtime_val_t { kind: sys::WASMTIME_I32 as _, of: sys::wasmtime_valunion_t { i32_: 0 } }];
            let mut trap = ptr::null_mut();
            let mut err = ptr::null_mut();
            let future = sys::wasmtime_func_call_async(env.ctx, &add, args.as_ptr(), 2, results.as_mut_ptr(), 1, &mut trap, &mut err);
            assert!(!future.is_null());
            while !sys::wasmtime_call_future_poll(future) {}
            sys::wasmtime_call_future_delete(future);
            if !err.is_null() || !trap.is_null() {
                raw::check(err, trap);
            }
            results[0].of.i32_
        };
        assert_eq!(call(2, 3), 5);
        g.bench_function("raw", |b| b.iter(|| call(black_box(1), black_box(2))));
    }

    {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = pollster::block_on(wasmtime::Instance::new_async(&mut store, &module, &[])).unwrap();
        let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
        assert_eq!(pollster::block_on(add.call_async(&mut store, (2, 3))).unwrap(), 5);
        g.bench_function("native", |b| b.iter(|| pollster::block_on(add.call_async(&mut store, black_box((1, 2)))).unwrap()));
    }
    g.finish();
}

fn poller_round_trip(c: &mut Criterion) {
    let wasm = wasm(CALLS_WAT);
    let mut g = c.benchmark_group("poller_round_trip");

    // Move a store to the background thread, run `add` there, get the
    // store and result back.
    {
        let engine = mbt::Engine::default();
        let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = mbt::Store::new(&engine, ());
        let instance = mbt::Instance::new(&mut store, &module, &[]).unwrap();
        let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
        let poller = mbt::Poller::new(Duration::from_micros(100));
        let mut store = Some(store);
        g.bench_function("safe", |b| {
            b.iter(|| {
                let (s, result) = poller.submit(store.take().unwrap(), (add, black_box((1, 2)))).join();
                store = Some(s);
                result.unwrap()
            })
        });
        drop(poller);
    }

    // Baseline: the same hand-off with the `wasmtime` crate, a plain thread
    // and two crossbeam channels (what a minimal hand-written poller does).
    {
        type Job = (wasmtime::Store<()>, (i32, i32));
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::from_binary(&engine, &wasm).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let add = instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap();
        let (to_thread, jobs) = crossbeam_channel::unbounded::<Job>();
        let (to_caller, done) = crossbeam_channel::bounded::<(wasmtime::Store<()>, i32)>(1);
        let thread = std::thread::spawn(move || {
            for (mut store, args) in jobs {
                let r = pollster::block_on(add.call_async(&mut store, args)).unwrap();
                to_caller.send((store, r)).unwrap();
            }
        });
        let mut store = Some(store);
        g.bench_function("native", |b| {
            b.iter(|| {
                to_thread.send((store.take().unwrap(), black_box((1, 2)))).unwrap();
                let (s, r) = done.recv().unwrap();
                store = Some(s);
                r
            })
        });
        drop(to_thread);
        thread.join().unwrap();
    }
    g.finish();
}

/// A WASI command: writes to stdout (discarded) and returns from `_start`.
const WASI_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

fn wasi_command(c: &mut Criterion) {
    let wasm = wasm(WASI_WAT);
    let mut g = c.benchmark_group("wasi_command");

    // Start to exit: a new store with a default WASI context, instantiate,
    // run `_start`, drop the store. The module and linker are made once.
    {
        let engine = mbt::Engine::default();
        let module = mbt::Module::from_binary(&engine, &wasm).unwrap();
        let mut linker = mbt::Linker::new(&engine);
        linker.define_wasi().unwrap();
        g.bench_function("safe", |b| {
            b.iter(|| {
                let mut store = mbt::Store::new(&engine, ());
                store.set_wasi(mbt::WasiConfig::new()).unwrap();
                linker.run_command(&mut store, &module).unwrap();
            })
        });
    }

    {
        let env = raw::Env::new();
        let module = env.module(&wasm);
        let linker = unsafe { sys::wasmtime_linker_new(env.engine) };
        unsafe { raw::check(sys::wasmtime_linker_define_wasi(linker), ptr::null_mut()) };
        g.bench_function("raw", |b| {
            b.iter(|| unsafe {
                let store = sys::wasmtime_store_new(env.engine, ptr::null_mut(), None);
                let ctx = sys::wasmtime_store_context(store);
                raw::check(sys::wasmtime_context_set_wasi(ctx, sys::wasi_config_new()), ptr::null_mut());
                let mut instance = sys::wasmtime_instance_t::default();
                let mut trap = ptr::null_mut();
                raw::check(sys::wasmtime_linker_instantiate(linker, ctx, module.0, &mut instance, &mut trap), trap);
                let mut item = sys::wasmtime_extern_t::default();
                let name = "_start";
                assert!(sys::wasmtime_instance_export_get(ctx, &instance, name.as_ptr().cast(), name.len(), &mut item));
                let err = sys::wasmtime_func_call(ctx, &item.of.func, ptr::null(), 0, ptr::null_mut(), 0, &mut trap);
                raw::check(err, trap);
                sys::wasmtime_store_delete(store);
            })
        });
        unsafe { sys::wasmtime_linker_delete(linker) };
    }
    g.finish();
}

/// The component model: a typed `(u32, u32) -> u32` call and a 1 KiB
/// string round trip, safe (through the C API's `wasmtime_component_val_t`)
/// against native `wasmtime::component`. The `raw` row of the scalar call
/// is the C API's only call path (`wasmtime_component_func_call`, which
/// converts to and from dynamic `Val`s inside Wasmtime) with stack
/// buffers: the floor of any C-API binding.
fn component_calls(c: &mut Criterion) {
    let text = "x".repeat(1024);
    let mut g = c.benchmark_group("component_typed_call");
    {
        let engine = mbt::Engine::default();
        let component = mbt::component::Component::new(&engine, COMPONENT_WAT).unwrap();
        let mut store = mbt::Store::new(&engine, ());
        let instance = mbt::component::Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let add = instance.get_typed_func::<(u32, u32), (u32,)>(&mut store, "add").unwrap();
        assert_eq!(add.call(&mut store, (2, 3)).unwrap(), (5,));
        g.bench_function("safe", |b| b.iter(|| add.call(&mut store, black_box((1, 2))).unwrap()));
    }
    {
        let mut add = raw_component_add();
        assert_eq!(add(2, 3), 5);
        g.bench_function("raw", |b| b.iter(|| add(black_box(1), black_box(2))));
    }
    {
        let engine = wasmtime::Engine::default();
        let component = wasmtime::component::Component::new(&engine, COMPONENT_WAT).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::component::Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let add = instance.get_typed_func::<(u32, u32), (u32,)>(&mut store, "add").unwrap();
        assert_eq!(add.call(&mut store, (2, 3)).unwrap(), (5,));
        g.bench_function("native", |b| b.iter(|| add.call(&mut store, black_box((1, 2))).unwrap()));
    }
    g.finish();

    let mut g = c.benchmark_group("component_string_1k");
    {
        let engine = mbt::Engine::default();
        let component = mbt::component::Component::new(&engine, COMPONENT_WAT).unwrap();
        let mut store = mbt::Store::new(&engine, ());
        let instance = mbt::component::Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let echo = instance.get_typed_func::<(&str,), (String,)>(&mut store, "echo").unwrap();
        assert_eq!(echo.call(&mut store, (&text,)).unwrap().0, text);
        g.bench_function("safe", |b| b.iter(|| echo.call(&mut store, (black_box(text.as_str()),)).unwrap()));
    }
    {
        let engine = wasmtime::Engine::default();
        let component = wasmtime::component::Component::new(&engine, COMPONENT_WAT).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::component::Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let echo = instance.get_typed_func::<(&str,), (String,)>(&mut store, "echo").unwrap();
        assert_eq!(echo.call(&mut store, (&text,)).unwrap().0, text);
        g.bench_function("native", |b| b.iter(|| echo.call(&mut store, (black_box(text.as_str()),)).unwrap()));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = typed_call, dynamic_call, host_call, memory, module_compile, instantiate_pre, externref_round_trip,
        call_async, poller_round_trip, wasi_command, component_calls
}
criterion_main!(benches);
