//! `wasmtime_mbt::Config` is validated by the crate's own rules
//! (`config/rules.rs`), because the C API aborts on a config Wasmtime
//! rejects. This test checks those rules against native
//! `wasmtime::Engine::new` 48.0.8 (the same Wasmtime build, bundled mode):
//! every setter on its own, then thousands of random combinations, must give
//! the same `Ok`/`Err`, and the same message where both fail; where both
//! build an engine, every `Engine::get_*` getter (worked out in Rust by
//! `config/resolved.rs`, the C API has none) must agree too.
//!
//! Settings the rules refuse on purpose (their outcome cannot be predicted;
//! see the rules' docs) are not generated: Cranelift settings outside the
//! checked list, the JitDump profiler (it writes `./jit-<pid>.dump`), and
//! pooling counts above 2^20 (checked on our side alone below: native
//! Wasmtime runs out of memory on its bookkeeping for them). `WASMTIME_MBT_CONFIG_CASES` overrides the
//! number of random cases (default 3000), `WASMTIME_MBT_CONFIG_SEED` the seed.
#![cfg(feature = "native")]

use wasmtime_mbt as mbt;
use wasmtime_mbt_compat::Rng;

/// One setter call, applied to both configs.
#[derive(Clone, Debug)]
enum Op {
    Strategy(u8),
    OptLevel(u8),
    Regalloc(u8),
    Profiler(u8),
    Target(&'static str),
    FlagSet(&'static str, &'static str),
    FlagEnable(&'static str),
    Bool(&'static str, bool),
    Size(&'static str, u64),
    Pooling(Vec<(&'static str, u64)>),
}

const BOOLS: &[&str] = &[
    "debug_info", "consume_fuel", "epoch_interruption", "wasm_threads", "shared_memory", "wasm_tail_call",
    "wasm_reference_types", "wasm_function_references", "wasm_gc", "gc_support", "wasm_simd", "wasm_relaxed_simd",
    "relaxed_simd_deterministic", "wasm_bulk_memory", "wasm_multi_value", "wasm_multi_memory", "wasm_memory64",
    "wasm_wide_arithmetic", "wasm_branch_hinting", "wasm_exceptions", "wasm_custom_page_sizes", "wasm_stack_switching",
    "wasm_component_model", "wasm_component_model_map", "concurrency_support", "parallel_compilation",
    "cranelift_debug_verifier", "cranelift_nan_canonicalization", "native_unwind_info", "memory_may_move",
    "memory_init_cow", "signals_based_traps", "macos_use_mach_ports",
];

const SIZES: &[&str] = &["max_wasm_stack", "async_stack_size", "memory_reservation", "memory_guard_size", "memory_reservation_for_growth"];

const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc", "x86_64-apple-darwin", "aarch64-unknown-linux-gnu",
    "riscv64gc-unknown-linux-gnu", "x86_64-unknown-freebsd", "not-a-triple",
];

const FLAG_SETS: &[(&str, &str)] = &[
    ("opt_level", "none"), ("opt_level", "speed"), ("opt_level", "speed_and_size"), ("opt_level", "fast"),
    ("regalloc_algorithm", "single_pass"), ("enable_verifier", "true"), ("enable_verifier", "maybe"),
    ("enable_nan_canonicalization", "on"), ("enable_heap_access_spectre_mitigation", "true"),
    ("enable_heap_access_spectre_mitigation", "false"), ("enable_table_access_spectre_mitigation", "true"),
    ("unwind_info", "false"), ("unwind_info", "true"), ("preserve_frame_pointers", "true"),
    ("stack_switch_model", "basic"), ("stack_switch_model", "none"), ("has_avx", "true"), ("has_sse41", "0"),
    ("no_such_setting", "1"),
];

const FLAG_ENABLES: &[&str] = &["enable_verifier", "has_avx2", "unwind_info", "opt_level", "no_such_flag"];

const POOLING: &[&str] = &[
    "total_memories", "total_tables", "total_stacks", "total_gc_heaps", "total_core_instances", "table_elements",
    "max_memory_size", "max_memories_per_module", "max_tables_per_module",
];

fn strategy(i: u8) -> (mbt::Strategy, wasmtime::Strategy) {
    match i % 3 {
        0 => (mbt::Strategy::Auto, wasmtime::Strategy::Auto),
        1 => (mbt::Strategy::Cranelift, wasmtime::Strategy::Cranelift),
        _ => (mbt::Strategy::Winch, wasmtime::Strategy::Winch),
    }
}

/// Applies `op` to both configs. `Err` means the setter itself failed, on
/// both sides (checked).
fn apply(op: &Op, ours: &mut mbt::Config, native: &mut wasmtime::Config) -> Result<(), String> {
    match op {
        Op::Strategy(i) => {
            let (a, b) = strategy(*i);
            ours.strategy(a);
            native.strategy(b);
        }
        Op::OptLevel(i) => {
            let (a, b) = match i % 3 {
                0 => (mbt::OptLevel::None, wasmtime::OptLevel::None),
                1 => (mbt::OptLevel::Speed, wasmtime::OptLevel::Speed),
                _ => (mbt::OptLevel::SpeedAndSize, wasmtime::OptLevel::SpeedAndSize),
            };
            ours.cranelift_opt_level(a);
            native.cranelift_opt_level(b);
        }
        Op::Regalloc(i) => {
            let (a, b) = match i % 2 {
                0 => (mbt::RegallocAlgorithm::Backtracking, wasmtime::RegallocAlgorithm::Backtracking),
                _ => (mbt::RegallocAlgorithm::SinglePass, wasmtime::RegallocAlgorithm::SinglePass),
            };
            ours.cranelift_regalloc_algorithm(a);
            native.cranelift_regalloc_algorithm(b);
        }
        Op::Profiler(i) => {
            let (a, b) = match i % 3 {
                0 => (mbt::ProfilingStrategy::None, wasmtime::ProfilingStrategy::None),
                1 => (mbt::ProfilingStrategy::PerfMap, wasmtime::ProfilingStrategy::PerfMap),
                _ => (mbt::ProfilingStrategy::VTune, wasmtime::ProfilingStrategy::VTune),
            };
            ours.profiler(a);
            native.profiler(b);
        }
        Op::Target(t) => {
            let a = ours.target(t).map(drop).map_err(|e| e.to_string());
            let b = native.target(t).map(drop).map_err(|e| e.to_string());
            assert_eq!(a.is_ok(), b.is_ok(), "target({t:?}): ours {a:?}, native {b:?}");
            a?;
        }
        Op::FlagSet(name, value) => {
            // SAFETY: only settings of the checked list, or unknown ones.
            unsafe {
                ours.cranelift_flag_set(name, value).unwrap();
                native.cranelift_flag_set(name, value);
            }
        }
        Op::FlagEnable(name) => {
            // SAFETY: as above.
            unsafe {
                ours.cranelift_flag_enable(name).unwrap();
                native.cranelift_flag_enable(name);
            }
        }
        Op::Bool(name, v) => set_bool(name, *v, ours, native),
        Op::Size(name, v) => {
            let v = *v;
            match *name {
                "max_wasm_stack" => drop((ours.max_wasm_stack(v as usize), native.max_wasm_stack(v as usize))),
                "async_stack_size" => drop((ours.async_stack_size(v as usize), native.async_stack_size(v as usize))),
                "memory_reservation" => drop((ours.memory_reservation(v), native.memory_reservation(v))),
                "memory_guard_size" => drop((ours.memory_guard_size(v), native.memory_guard_size(v))),
                "memory_reservation_for_growth" => {
                    drop((ours.memory_reservation_for_growth(v), native.memory_reservation_for_growth(v)))
                }
                other => unreachable!("{other}"),
            }
        }
        Op::Pooling(limits) => {
            let mut a = mbt::PoolingAllocationConfig::new();
            let mut b = wasmtime::PoolingAllocationConfig::new();
            for (name, v) in limits {
                let v = *v;
                match *name {
                    "total_memories" => drop((a.total_memories(v as u32), b.total_memories(v as u32))),
                    "total_tables" => drop((a.total_tables(v as u32), b.total_tables(v as u32))),
                    "total_stacks" => drop((a.total_stacks(v as u32), b.total_stacks(v as u32))),
                    "total_gc_heaps" => drop((a.total_gc_heaps(v as u32), b.total_gc_heaps(v as u32))),
                    "total_core_instances" => drop((a.total_core_instances(v as u32), b.total_core_instances(v as u32))),
                    "table_elements" => drop((a.table_elements(v as usize), b.table_elements(v as usize))),
                    "max_memory_size" => drop((a.max_memory_size(v as usize), b.max_memory_size(v as usize))),
                    "max_memories_per_module" => drop((a.max_memories_per_module(v as u32), b.max_memories_per_module(v as u32))),
                    "max_tables_per_module" => drop((a.max_tables_per_module(v as u32), b.max_tables_per_module(v as u32))),
                    other => unreachable!("{other}"),
                }
            }
            ours.pooling_allocation_strategy(&a);
            native.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(b));
        }
    }
    Ok(())
}

/// Every boolean setter, by name, on both configs.
fn set_bool(name: &str, v: bool, ours: &mut mbt::Config, native: &mut wasmtime::Config) {
    macro_rules! both {
        ($($m:ident)*) => {
            match name {
                $(stringify!($m) => { ours.$m(v); native.$m(v); })*
                other => unreachable!("{other}"),
            }
        };
    }
    both!(
        debug_info consume_fuel epoch_interruption wasm_threads shared_memory wasm_tail_call wasm_reference_types
        wasm_function_references wasm_gc gc_support wasm_simd wasm_relaxed_simd relaxed_simd_deterministic
        wasm_bulk_memory wasm_multi_value wasm_multi_memory wasm_memory64 wasm_wide_arithmetic wasm_branch_hinting
        wasm_exceptions wasm_custom_page_sizes wasm_stack_switching wasm_component_model wasm_component_model_map
        concurrency_support parallel_compilation cranelift_debug_verifier cranelift_nan_canonicalization
        native_unwind_info memory_may_move memory_init_cow signals_based_traps macos_use_mach_ports
    );
}

/// Every getter of an engine (`mbt::Engine` or `wasmtime::Engine`), one
/// `name=value` a line. The Cranelift flag lists are sorted: Wasmtime keeps
/// them in a `HashMap`.
macro_rules! describe_engine {
    ($engine:expr) => {{
        let e = &$engine;
        let mut flags_enabled: Vec<&str> = e.get_cranelift_flags_enabled().collect();
        flags_enabled.sort();
        let mut flags_set: Vec<(&str, &str)> = e.get_cranelift_flags_set().collect();
        flags_set.sort();
        let pooling = e.get_pooling_config().map(|p| {
            format!(
                "{:?}",
                [
                    p.get_decommit_batch_size() as u64, p.get_max_unused_warm_slots().into(), p.get_memory_keep_resident() as u64,
                    p.get_table_keep_resident() as u64, p.get_async_stack_keep_resident() as u64, p.get_total_core_instances().into(),
                    p.get_total_component_instances().into(), p.get_total_memories().into(), p.get_total_tables().into(),
                    p.get_total_stacks().into(), p.get_total_gc_heaps().into(), p.get_max_memory_size() as u64,
                    p.get_table_elements() as u64, p.get_max_core_instance_size() as u64, p.get_max_component_instance_size() as u64,
                    p.get_max_core_instances_per_component().into(), p.get_max_memories_per_component().into(),
                    p.get_max_tables_per_component().into(), p.get_max_tables_per_module().into(), p.get_max_memories_per_module().into(),
                ]
            )
        });
        [
            format!("memory_may_move={:?}", e.get_memory_may_move()),
            format!("memory_reservation={:?}", e.get_memory_reservation()),
            format!("memory_reservation_for_growth={:?}", e.get_memory_reservation_for_growth()),
            format!("memory_guard_size={:?}", e.get_memory_guard_size()),
            format!("memory_init_cow={:?}", e.get_memory_init_cow()),
            format!("signals_based_traps={:?}", e.get_signals_based_traps()),
            format!("cranelift_opt_level={:?}", e.get_cranelift_opt_level()),
            format!("cranelift_regalloc_algorithm={:?}", e.get_cranelift_regalloc_algorithm()),
            format!("strategy={:?}", e.get_strategy()),
            format!("cranelift_debug_verifier={:?}", e.get_cranelift_debug_verifier()),
            format!("native_unwind_info={:?}", e.get_native_unwind_info()),
            format!("parallel_compilation={:?}", e.get_parallel_compilation()),
            format!("pooling_config={pooling:?}"),
            format!("wasm_features={:?}", e.get_wasm_features()),
            format!("async_stack_size={:?}", e.get_async_stack_size()),
            format!("wasm_branch_hinting={:?}", e.get_wasm_branch_hinting()),
            format!("concurrency_support={:?}", e.get_concurrency_support()),
            format!("epoch_interruption={:?}", e.get_epoch_interruption()),
            format!("consume_fuel={:?}", e.get_consume_fuel()),
            format!("max_wasm_stack={:?}", e.get_max_wasm_stack()),
            format!("cranelift_nan_canonicalization={:?}", e.get_cranelift_nan_canonicalization()),
            format!("relaxed_simd_deterministic={:?}", e.get_relaxed_simd_deterministic()),
            format!("shared_memory={:?}", e.get_shared_memory()),
            format!("debug_info={:?}", e.get_debug_info()),
            format!("target={:?}", e.get_target()),
            format!("cranelift_flags_enabled={flags_enabled:?}"),
            format!("cranelift_flags_set={flags_set:?}"),
            format!("is_recording={:?} is_replaying={:?}", e.is_recording(), e.is_replaying()),
        ]
        .join("\n")
    }};
}

/// The getters that differ between two descriptions, as readable lines.
fn getter_diff(ours: &str, native: &str) -> Vec<String> {
    ours.lines()
        .zip(native.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("ours {a} | native {b}"))
        .collect()
}

/// The outcome of building an engine from `ops` on both sides.
#[derive(Debug)]
struct Outcome {
    ours: Result<(), String>,
    native: Result<(), String>,
    /// Where both built an engine: the getters that disagree.
    getters: Vec<String>,
}

/// One case at a time: engines with pooling allocators use up the
/// process's mappings, which the rules read (`vm.max_map_count`).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run(ops: &[Op]) -> Outcome {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut ours = mbt::Config::new();
    let mut native = wasmtime::Config::new();
    for op in ops {
        if let Err(e) = apply(op, &mut ours, &mut native) {
            return Outcome { ours: Err(e.clone()), native: Err(e), getters: Vec::new() };
        }
    }
    // The native engine's getters, read before it is dropped: its pools'
    // reservations must be gone when ours are tried.
    let native = wasmtime::Engine::new(&native).map(|e| describe_engine!(e)).map_err(|e| e.to_string());
    let mut verdict = ours.validate().map_err(|e| e.to_string());
    let mut getters = Vec::new();
    if let (Ok(()), Ok(native)) = (&verdict, &native) {
        // Both accept: C must build the engine too (an abort here fails the
        // test process, no less visibly than an assertion).
        match mbt::Engine::new(&ours) {
            Ok(engine) => getters = getter_diff(&describe_engine!(engine), native),
            Err(e) => verdict = Err(e.to_string()),
        }
    }
    Outcome { ours: verdict, native: native.map(drop), getters }
}

/// Messages that may differ where both sides fail, with the reason.
fn same_message(ours: &str, native: &str) -> bool {
    if ours == native {
        return true;
    }
    // Wasmtime applies Cranelift settings from a hash map, so which of two
    // bad ones it reports first varies from run to run.
    let cranelift = |m: &str| {
        m.starts_with("Unexpected value for a setting") || m.starts_with("No existing setting named") || m.starts_with("Trying to set a setting")
    };
    if cranelift(ours) && cranelift(native) {
        return true;
    }
    // Cranelift's ISA lookup message names internals of `target-lexicon`;
    // ours names the architecture.
    (ours.starts_with("failed to create compiler for target") && native.contains("support for"))
        // OS errors of a failed trial reservation vs Wasmtime's context chain.
        || (ours.starts_with("failed to create") && native.starts_with("failed to create"))
}

/// A size, often an edge case.
fn size(rng: &mut Rng) -> u64 {
    match rng.below(6) {
        0 => 0,
        1 => 1 << rng.below(40),
        2 => rng.below(1 << 22),
        3 => 512 * 1024,
        4 => 2 << 20,
        _ => 1 << 32,
    }
}
/// A random setter call.
fn op(rng: &mut Rng) -> Op {
    match rng.below(12) {
        0 => Op::Strategy(rng.below(3) as u8),
        1 => Op::OptLevel(rng.below(3) as u8),
        2 => Op::Regalloc(rng.below(2) as u8),
        3 => Op::Profiler(rng.below(3) as u8),
        4 => Op::Target(*rng.pick(TARGETS)),
        5 => {
            let (n, v) = *rng.pick(FLAG_SETS);
            Op::FlagSet(n, v)
        }
        6 => Op::FlagEnable(*rng.pick(FLAG_ENABLES)),
        7 => Op::Size(*rng.pick(SIZES), size(rng)),
        8 => {
            let n = rng.below(4);
            let limits = (0..n)
                .map(|_| {
                    let name = *rng.pick(POOLING);
                    let v = match rng.below(4) {
                        0 => rng.below(8),
                        1 => rng.below(200),
                        2 => 1 << rng.below(17),
                        _ => 1 << (16 + rng.below(18)),
                    };
                    // Natively, huge pool counts abort (out of memory).
                    let v = if name.starts_with("total_") { v.min(1 << 17) } else { v };
                    (name, v)
                })
                .collect();
            Op::Pooling(limits)
        }
        _ => Op::Bool(*rng.pick(BOOLS), rng.below(2) == 0),
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `cases`, returning the disagreements as readable lines.
fn disagreements(cases: impl Iterator<Item = Vec<Op>>) -> (usize, Vec<String>) {
    let mut count = 0;
    let mut bad = Vec::new();
    for ops in cases {
        count += 1;
        let outcome = run(&ops);
        let agree = match (&outcome.ours, &outcome.native) {
            (Ok(()), Ok(())) => outcome.getters.is_empty(),
            (Err(a), Err(b)) => same_message(a, b),
            _ => false,
        };
        if !agree {
            bad.push(format!(
                "{ops:?}\n    ours:   {:?}\n    native: {:?}\n    getters: {:?}",
                outcome.ours, outcome.native, outcome.getters
            ));
        }
    }
    (count, bad)
}

fn assert_none(what: &str, (count, bad): (usize, Vec<String>)) {
    println!("{what}: {count} cases, {} disagreements", bad.len());
    assert!(bad.is_empty(), "{what}: {} of {count} cases disagree:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn every_setter_alone_agrees_with_native() {
    let mut cases: Vec<Vec<Op>> = Vec::new();
    for i in 0..3 {
        cases.push(vec![Op::Strategy(i), Op::OptLevel(i), Op::Regalloc(i), Op::Profiler(i)]);
    }
    cases.extend(TARGETS.iter().map(|t| vec![Op::Target(t)]));
    cases.extend(FLAG_SETS.iter().map(|(n, v)| vec![Op::FlagSet(n, v)]));
    cases.extend(FLAG_ENABLES.iter().map(|n| vec![Op::FlagEnable(n)]));
    for &name in BOOLS {
        cases.push(vec![Op::Bool(name, true)]);
        cases.push(vec![Op::Bool(name, false)]);
    }
    for &name in SIZES {
        for v in [0, 1, 4096, 512 * 1024, 2 << 20, 1 << 32, u64::MAX / 2] {
            cases.push(vec![Op::Size(name, v)]);
        }
    }
    for &name in POOLING {
        for v in [0, 1, 100, 1 << 16, 1 << 18] {
            cases.push(vec![Op::Pooling(vec![(name, v)])]);
        }
    }
    // Known interactions, spelled out.
    cases.push(vec![Op::Bool("wasm_simd", false)]);
    cases.push(vec![Op::Bool("wasm_simd", false), Op::Bool("wasm_relaxed_simd", false)]);
    cases.push(vec![Op::Strategy(2), Op::Bool("wasm_gc", true)]);
    cases.push(vec![Op::Bool("wasm_stack_switching", true), Op::FlagSet("stack_switch_model", "none")]);
    cases.push(vec![Op::Bool("signals_based_traps", false), Op::FlagSet("enable_heap_access_spectre_mitigation", "true")]);
    cases.push(vec![Op::Bool("native_unwind_info", true), Op::FlagSet("unwind_info", "false")]);
    cases.push(vec![Op::Target("x86_64-pc-windows-msvc"), Op::FlagSet("unwind_info", "false")]);
    cases.push(vec![Op::Size("memory_reservation", 1 << 20), Op::Pooling(vec![])]);
    cases.push(vec![Op::Size("memory_reservation", 1 << 20), Op::Pooling(vec![("max_memory_size", 1 << 20)])]);
    assert_none("single setters", disagreements(cases.into_iter()));
}

#[test]
fn random_combinations_agree_with_native() {
    let mut rng = Rng(env_u64("WASMTIME_MBT_CONFIG_SEED", 0x5eed_c0f1) | 1);
    let n = env_u64("WASMTIME_MBT_CONFIG_CASES", 3000);
    let cases: Vec<Vec<Op>> = (0..n)
        .map(|_| {
            let len = 1 + rng.below(6);
            (0..len).map(|_| op(&mut rng)).collect()
        })
        .collect();
    assert_none("random combinations", disagreements(cases.into_iter()));
}

#[test]
fn pooling_counts_beyond_the_checked_bound_are_refused() {
    for v in [(1u32 << 20) + 1, u32::MAX] {
        let mut pooling = mbt::PoolingAllocationConfig::new();
        pooling.total_core_instances(v);
        let mut config = mbt::Config::new();
        config.pooling_allocation_strategy(&pooling);
        let err = mbt::Engine::new(&config).unwrap_err().to_string();
        assert!(err.contains("cannot check a pooling limit total_core_instances"), "{err}");
    }
}

/// Every getter of an engine with the pooling allocator, every pooling
/// setting changed from its default, agrees with native.
#[test]
fn pooling_engine_getters_agree_with_native() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    macro_rules! pooling {
        ($p:expr) => {{
            let p = &mut $p;
            p.max_unused_warm_slots(2)
                .decommit_batch_size(2)
                .async_stack_keep_resident(4096)
                .linear_memory_keep_resident(4096)
                .table_keep_resident(4096)
                .total_component_instances(4)
                .max_component_instance_size(1 << 16)
                .max_core_instances_per_component(3)
                .max_memories_per_component(3)
                .max_tables_per_component(3)
                .total_memories(4)
                .total_tables(4)
                .total_stacks(4)
                .total_core_instances(4)
                .max_core_instance_size(1 << 16)
                .max_tables_per_module(2)
                .table_elements(100)
                .max_memories_per_module(2)
                .max_memory_size(1 << 20)
                .total_gc_heaps(4);
        }};
    }
    let mut a = mbt::PoolingAllocationConfig::new();
    let mut b = wasmtime::PoolingAllocationConfig::new();
    pooling!(a);
    pooling!(b);
    let mut ours = mbt::Config::new();
    ours.memory_reservation(1 << 20).memory_guard_size(0).consume_fuel(true).pooling_allocation_strategy(&a);
    let mut native = wasmtime::Config::new();
    native.memory_reservation(1 << 20).memory_guard_size(0).consume_fuel(true);
    native.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(b));
    let ours = mbt::Engine::new(&ours).unwrap();
    let native = wasmtime::Engine::new(&native).unwrap();
    let (ours, native) = (describe_engine!(ours), describe_engine!(native));
    assert!(ours.contains("pooling_config=Some"), "{ours}");
    assert_eq!(ours, native, "{:?}", getter_diff(&ours, &native));
}
