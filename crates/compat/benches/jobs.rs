//! Issue 16: parallel jobs over one shared memory. A wasm kernel sums a
//! 64 MiB shared buffer (the `u32` words, into an `i64`), run by one job
//! thread over the whole buffer and by two job threads with half each,
//! both through a `JobSet` whose jobs import the buffer as `env.mem`.
//!
//! Group `shared_memory_sum`, ids `1_thread` and `2_threads`; each
//! iteration includes spawning the threads, making their stores and
//! instantiating the (compiled once) module, which is small next to
//! reading 64 MiB. Each variant's sum is checked against a Rust-computed
//! one before timing. wasmtime-mbt only, so it builds in both link modes:
//!
//! ```sh
//! cargo bench -p wasmtime-mbt-compat --bench jobs
//! WASMTIME_MBT_LIB_DIR=$PWD/target/wasmtime-prebuilt/48.0.0 \
//!     cargo bench -p wasmtime-mbt-compat --no-default-features --bench jobs
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use wasmtime_mbt::{Config, Engine, Job, JobSet, MemoryType, Module, SharedMemory, Val};
use wasmtime_mbt_compat::Rng;

mod common;
use common::config;

/// 64 MiB.
const PAGES: u32 = 1024;
const BYTES: usize = PAGES as usize * 65536;

/// `sum(start, end)`: the `u32` words in bytes `start..end` (multiples of
/// 4) of the shared memory, added into an `i64`.
const SUM_WAT: &str = r#"(module
  (import "env" "mem" (memory 1024 1024 shared))
  (func (export "sum") (param $p i32) (param $end i32) (result i64) (local $acc i64)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (i32.load (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l)))
    local.get $acc))"#;

/// Fills the memory with seeded random bytes and returns the sum of its
/// `u32` words, computed in Rust.
fn fill(memory: &SharedMemory) -> i64 {
    let data = memory.data();
    assert_eq!(data.len(), BYTES);
    // SAFETY: no job is running, so nothing else reads or writes the
    // memory while this slice lives; `UnsafeCell<u8>` has `u8`'s layout.
    let bytes = unsafe { std::slice::from_raw_parts_mut(data.as_ptr().cast_mut().cast::<u8>(), data.len()) };
    let mut rng = Rng(0x5eed);
    for chunk in bytes.chunks_exact_mut(8) {
        chunk.copy_from_slice(&rng.next().to_le_bytes());
    }
    bytes.chunks_exact(4).map(|w| u32::from_le_bytes(w.try_into().unwrap()) as i64).sum()
}

/// Sums the whole memory with `threads` jobs, each summing an equal part.
fn sum(job: &Job, memory: &SharedMemory, threads: usize) -> i64 {
    let mut set = JobSet::with_shared_memory(memory.clone());
    let part = BYTES / threads;
    for t in 0..threads {
        let (start, end) = (t * part, (t + 1) * part);
        set.spawn(job, "sum", vec![Val::I32(start as i32), Val::I32(end as i32)]);
    }
    set.join().into_iter().map(|(_, outcome)| outcome.unwrap()[0].unwrap_i64()).sum()
}

fn shared_memory_sum(c: &mut Criterion) {
    let engine = Engine::new(Config::new().wasm_threads(true).shared_memory(true)).unwrap();
    let memory = SharedMemory::new(&engine, MemoryType::shared(PAGES, PAGES)).unwrap();
    let expected = fill(&memory);
    let module = Module::new(&engine, SUM_WAT).unwrap();
    let job = Job::new(&engine, &module);

    let mut g = c.benchmark_group("shared_memory_sum");
    g.throughput(Throughput::Bytes(BYTES as u64));
    // Tens of milliseconds per iteration: few, flat samples.
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    // Ids `safe/<threads>`: the report's key is `shared_memory_sum/<threads>`.
    for threads in [1, 2] {
        assert_eq!(sum(&job, &memory, threads), expected, "{threads} threads");
        g.bench_with_input(BenchmarkId::new("safe", threads), &threads, |b, &threads| b.iter(|| sum(black_box(&job), &memory, threads)));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = shared_memory_sum
}
criterion_main!(benches);
