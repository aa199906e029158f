//! `Config`: every setting builds an engine, and every configuration Wasmtime
//! rejects is an `Err` with Wasmtime's message instead of a process abort
//! (`wasm_engine_new_with_config` aborts on an invalid config, so any abort
//! here would kill the whole test binary).

use std::path::{Path, PathBuf};

use wasmtime_mbt::{Config, Engine, OptLevel, PoolingAllocationConfig, ProfilingStrategy, RegallocAlgorithm, Strategy};

/// The message of the error `Engine::new` returns for `config`.
fn engine_error(config: &Config) -> String {
    match Engine::new(config) {
        Ok(_) => panic!("Engine::new accepted an invalid config: {config:?}"),
        Err(err) => err.to_string(),
    }
}

/// Asserts that `haystack` contains `needle`, showing both otherwise.
#[track_caller]
fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "expected {needle:?} in {haystack:?}");
}

/// This host's target triple, spelled for `Config::target`.
fn host_triple() -> String {
    let arch = std::env::consts::ARCH;
    if cfg!(target_os = "linux") {
        let env = if cfg!(target_env = "musl") { "musl" } else { "gnu" };
        format!("{arch}-unknown-linux-{env}")
    } else if cfg!(target_os = "macos") {
        format!("{arch}-apple-darwin")
    } else if cfg!(target_os = "windows") {
        format!("{arch}-pc-windows-msvc")
    } else {
        panic!("no host triple known for {}", std::env::consts::OS)
    }
}

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmtime-mbt-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Small pooling limits that need little virtual memory.
fn small_pooling() -> PoolingAllocationConfig {
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .total_core_instances(4)
        .total_component_instances(2)
        .total_memories(4)
        .total_tables(4)
        .total_stacks(2)
        .total_gc_heaps(2)
        .max_memory_size(1 << 20)
        .table_elements(1000)
        .max_memories_per_module(1)
        .max_tables_per_module(1)
        .max_core_instance_size(1 << 20)
        .max_component_instance_size(1 << 20)
        .max_core_instances_per_component(2)
        .max_memories_per_component(2)
        .max_tables_per_component(2)
        .max_unused_warm_slots(1)
        .decommit_batch_size(1)
        .async_stack_keep_resident(0)
        .linear_memory_keep_resident(4096)
        .table_keep_resident(4096);
    pooling
}

/// Whether Wasmtime was built from source (else a prebuilt library is linked).
const BUNDLED: bool = wasmtime_mbt::sys::build::BUNDLED;

/// What `Engine::new` says of Winch: not in the bundled build; refused
/// (uncheckable) with a prebuilt library.
const WINCH_ERROR: &str = if BUNDLED { "winch support not compiled in" } else { "cannot check the Winch strategy" };

#[test]
fn config_and_enums_are_send_sync_clone_default() {
    fn check<T: Send + Sync + Clone + Default + std::fmt::Debug>() {}
    check::<Config>();
    check::<PoolingAllocationConfig>();
    check::<Strategy>();
    check::<OptLevel>();
    check::<ProfilingStrategy>();
    check::<RegallocAlgorithm>();
    assert_eq!(Strategy::default(), Strategy::Auto);
    assert_eq!(OptLevel::default(), OptLevel::Speed);
    assert_eq!(ProfilingStrategy::default(), ProfilingStrategy::None);
    assert_eq!(RegallocAlgorithm::default(), RegallocAlgorithm::Backtracking);
}

#[test]
fn default_config_builds_an_engine() {
    Engine::new(&Config::new()).unwrap();
    Engine::new(&Config::default()).unwrap();
}

#[test]
fn every_simple_setting_builds_an_engine() {
    let mut config = Config::new();
    config
        .debug_info(true)
        .consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(512 * 1024)
        .async_stack_size(2 << 20)
        .wasm_threads(true)
        .shared_memory(true)
        .wasm_tail_call(true)
        .wasm_reference_types(true)
        .wasm_function_references(true)
        .wasm_gc(true)
        .gc_support(true)
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .relaxed_simd_deterministic(true)
        .wasm_bulk_memory(true)
        .wasm_multi_value(true)
        .wasm_multi_memory(true)
        .wasm_memory64(true)
        .wasm_wide_arithmetic(true)
        .wasm_branch_hinting(true)
        .wasm_exceptions(true)
        .wasm_custom_page_sizes(true)
        .wasm_component_model(true)
        .wasm_component_model_map(true)
        .parallel_compilation(false)
        .cranelift_debug_verifier(true)
        .cranelift_nan_canonicalization(true)
        .native_unwind_info(true)
        .memory_may_move(false)
        .memory_reservation(1 << 32)
        .memory_guard_size(1 << 16)
        .memory_reservation_for_growth(1 << 20)
        .memory_init_cow(false)
        .signals_based_traps(true)
        .macos_use_mach_ports(false);
    Engine::new(&config).unwrap();
}

#[test]
fn disabling_settings_builds_an_engine() {
    let mut config = Config::new();
    config
        .wasm_threads(false)
        .shared_memory(false)
        .wasm_tail_call(false)
        .wasm_gc(false)
        .wasm_function_references(false)
        .wasm_exceptions(false)
        .wasm_reference_types(false)
        .gc_support(false)
        .wasm_relaxed_simd(false)
        .wasm_simd(false)
        .wasm_multi_memory(false)
        .wasm_memory64(false)
        .wasm_component_model(false)
        .signals_based_traps(false)
        .native_unwind_info(false);
    Engine::new(&config).unwrap();
}

#[test]
fn stack_switching_builds_an_engine_on_linux() {
    let mut config = Config::new();
    config.wasm_stack_switching(true);
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        Engine::new(&config).unwrap();
    } else {
        let _ = Engine::new(&config); // must not abort; support varies by platform
    }
}

#[test]
fn concurrency_support_is_not_compiled_in() {
    let mut config = Config::new();
    config.concurrency_support(false);
    Engine::new(&config).unwrap();
    // This build lacks Wasmtime's `component-model-async` feature.
    config.concurrency_support(true);
    let expected = if BUNDLED {
        "concurrency support was requested but was not compiled into this build of Wasmtime"
    } else {
        // A prebuilt library's build is not known: refused, not risked.
        "cannot check concurrency_support(true) against a prebuilt library"
    };
    assert_contains(&engine_error(&config), expected);
}

#[test]
fn every_strategy_opt_level_and_regalloc_builds_an_engine() {
    for strategy in [Strategy::Auto, Strategy::Cranelift] {
        Engine::new(Config::new().strategy(strategy)).unwrap();
    }
    for level in [OptLevel::None, OptLevel::Speed, OptLevel::SpeedAndSize] {
        Engine::new(Config::new().cranelift_opt_level(level)).unwrap();
    }
    for algorithm in [RegallocAlgorithm::Backtracking, RegallocAlgorithm::SinglePass] {
        Engine::new(Config::new().cranelift_regalloc_algorithm(algorithm)).unwrap();
    }
}

#[test]
fn every_profiler_builds_an_engine_or_errs() {
    Engine::new(Config::new().profiler(ProfilingStrategy::None)).unwrap();

    if cfg!(unix) {
        let engine = Engine::new(Config::new().profiler(ProfilingStrategy::PerfMap)).unwrap();
        drop(engine);
        let _ = std::fs::remove_file(format!("/tmp/perf-{}.map", std::process::id()));
    }

    if cfg!(target_os = "linux") {
        let engine = Engine::new(Config::new().profiler(ProfilingStrategy::JitDump)).unwrap();
        drop(engine);
        let _ = std::fs::remove_file(format!("jit-{}.dump", std::process::id()));
    }

    // VTune is compiled in only on x86-64; elsewhere it must be an `Err`.
    let vtune = Engine::new(Config::new().profiler(ProfilingStrategy::VTune));
    if cfg!(target_arch = "x86_64") {
        vtune.unwrap();
    } else {
        assert_contains(&vtune.unwrap_err().to_string(), "VTune is not supported on this platform");
    }
}

#[test]
fn winch_is_an_error_not_an_abort() {
    let message = engine_error(Config::new().strategy(Strategy::Winch));
    assert_contains(&message, WINCH_ERROR);
}

#[test]
fn relaxed_simd_without_simd_is_an_error() {
    let message = engine_error(Config::new().wasm_simd(false).wasm_relaxed_simd(true));
    assert_eq!(message, "cannot disable the simd proposal but enable the relaxed simd proposal");
}

#[test]
fn gc_without_reference_types_is_left_to_module_validation() {
    // Wasmtime 48 does not reject this pair when building an engine (the
    // wasm validator does, per module); what matters here is that C agrees
    // with the native check and does not abort.
    Engine::new(Config::new().wasm_reference_types(false).wasm_gc(true)).unwrap();
}

#[test]
fn conflicting_unwind_info_settings_are_an_error() {
    let mut config = Config::new();
    // SAFETY: the conflict is rejected when the engine is built.
    unsafe { config.cranelift_flag_set("unwind_info", "false").unwrap() };
    config.native_unwind_info(true);
    assert_eq!(
        engine_error(&config),
        "incompatible settings requested for Cranelift and Wasmtime `unwind-info` settings"
    );
}

#[test]
fn bad_stack_sizes_are_errors() {
    assert_eq!(engine_error(Config::new().max_wasm_stack(0)), "max_wasm_stack size cannot be zero");
    assert_eq!(
        engine_error(Config::new().async_stack_size(64 * 1024).max_wasm_stack(1 << 20)),
        "max_wasm_stack size cannot exceed the async_stack_size"
    );
}

#[test]
fn bogus_target_is_an_error_at_once() {
    let mut config = Config::new();
    let err = config.target("bogus-triple").unwrap_err();
    assert_eq!(err.to_string(), "Unrecognized architecture: bogus");
    // Nothing was recorded: the config still builds a host engine.
    Engine::new(&config).unwrap();
}

#[test]
fn host_target_builds_an_engine() {
    let mut config = Config::new();
    config.target(&host_triple()).unwrap();
    Engine::new(&config).unwrap();
}

#[test]
fn target_without_a_compiled_backend_is_an_error() {
    // Only the host's Cranelift backend is compiled in (no `all-arch`).
    let other = if cfg!(target_arch = "x86_64") { "riscv64gc-unknown-linux-gnu" } else { "x86_64-unknown-linux-gnu" };
    let mut config = Config::new();
    config.target(other).unwrap();
    let expected = if BUNDLED { "Support for this target is disabled" } else { "cannot check the target" };
    assert_contains(&engine_error(&config), expected);
}

#[test]
fn interior_nul_strings_are_errors() {
    let mut config = Config::new();
    assert_contains(&config.target("x86_64\0-linux").unwrap_err().to_string(), "NUL");
    // SAFETY: nothing is recorded: the strings are rejected.
    unsafe {
        assert_contains(&config.cranelift_flag_enable("has_sse41\0").unwrap_err().to_string(), "NUL");
        assert_contains(&config.cranelift_flag_set("opt\0_level", "speed").unwrap_err().to_string(), "NUL");
        assert_contains(&config.cranelift_flag_set("opt_level", "speed\0").unwrap_err().to_string(), "NUL");
    }
    let err = config.cache_config_load(Some(Path::new("cache\0.toml"))).unwrap_err();
    assert_contains(&err.to_string(), "NUL");
    // The rejected settings left the config valid.
    Engine::new(&config).unwrap();
}

#[test]
fn bogus_cranelift_setting_is_an_error_not_an_abort() {
    let mut config = Config::new();
    // SAFETY: the value is rejected when the engine is built.
    unsafe { config.cranelift_flag_set("opt_level", "bogus").unwrap() };
    assert_eq!(engine_error(&config), "Unexpected value for a setting, expected any among none, speed, speed_and_size");

    let mut config = Config::new();
    // SAFETY: the flag is rejected when the engine is built.
    unsafe { config.cranelift_flag_enable("no_such_flag").unwrap() };
    assert_eq!(engine_error(&config), "No existing setting named 'no_such_flag'");

    let mut config = Config::new();
    // SAFETY: the setting does not exist and is rejected.
    unsafe { config.cranelift_flag_set("no_such_setting", "1").unwrap() };
    assert_eq!(engine_error(&config), "No existing setting named 'no_such_setting'");
}

#[test]
fn valid_cranelift_settings_build_an_engine() {
    let mut config = Config::new();
    // SAFETY: standard, safe Cranelift settings.
    unsafe {
        config.cranelift_flag_set("opt_level", "speed_and_size").unwrap();
        config.cranelift_flag_enable("enable_verifier").unwrap();
    }
    Engine::new(&config).unwrap();
}

#[test]
fn config_builds_many_engines_and_clones_are_independent() {
    let mut config = Config::new();
    config.consume_fuel(true).wasm_simd(true).cranelift_opt_level(OptLevel::None);
    config.target(&host_triple()).unwrap();
    // SAFETY: a standard Cranelift setting.
    unsafe { config.cranelift_flag_enable("enable_verifier").unwrap() };
    config.pooling_allocation_strategy(&small_pooling()).memory_reservation(1 << 20).memory_guard_size(0);

    let a = Engine::new(&config).unwrap();
    let b = Engine::new(&config).unwrap();
    assert!(!Engine::same(&a, &b));

    let mut clone = config.clone();
    let c = Engine::new(&clone).unwrap();
    clone.strategy(Strategy::Winch);
    assert_contains(&engine_error(&clone), WINCH_ERROR);
    // The original is unaffected by changes to the clone.
    let d = Engine::new(&config).unwrap();
    drop((a, b, c, d, config));
    // The clone, dropped last, still owns everything it recorded.
    clone.strategy(Strategy::Cranelift);
    Engine::new(&clone).unwrap();
}

#[test]
fn engines_outlive_their_config() {
    let engine = {
        let mut config = Config::new();
        config.epoch_interruption(true).pooling_allocation_strategy(&small_pooling());
        config.memory_reservation(1 << 20).memory_guard_size(0);
        Engine::new(&config).unwrap()
    };
    engine.increment_epoch();
}

#[test]
fn pooling_with_small_limits_builds_an_engine() {
    let pooling = small_pooling();
    let mut config = Config::new();
    config.memory_reservation(1 << 20).memory_guard_size(0).pooling_allocation_strategy(&pooling);
    Engine::new(&config).unwrap();
    // The pooling config is reusable, and copied into the `Config`.
    let mut other = Config::new();
    other.memory_reservation(1 << 20).memory_guard_size(0).pooling_allocation_strategy(&pooling);
    Engine::new(&other).unwrap();
    Engine::new(&config).unwrap();
}

#[test]
fn pooling_changes_after_use_do_not_leak_into_the_config() {
    let mut pooling = small_pooling();
    let mut config = Config::new();
    config.memory_reservation(1 << 20).memory_guard_size(0).pooling_allocation_strategy(&pooling);
    // Too big for the 1 MiB reservation, but applied after the copy was taken.
    pooling.max_memory_size(2 << 20);
    Engine::new(&config).unwrap();
}

#[test]
fn pooling_limits_beyond_the_reservation_are_an_error() {
    let mut pooling = small_pooling();
    pooling.max_memory_size(2 << 20);
    let mut config = Config::new();
    config.memory_reservation(1 << 20).memory_guard_size(0).pooling_allocation_strategy(&pooling);
    assert_eq!(
        engine_error(&config),
        "maximum memory size of 0x200000 bytes exceeds the configured memory reservation of 0x100000 bytes"
    );
}

#[test]
fn cache_config_load_reads_the_file() {
    let dir = temp_dir("cache");
    let cache_dir = dir.join("cache");
    let file = dir.join("cache.toml");
    let toml_path = cache_dir.to_str().unwrap().replace('\\', "\\\\");
    std::fs::write(&file, format!("[cache]\ndirectory = \"{toml_path}\"\n")).unwrap();

    let mut config = Config::new();
    config.cache_config_load(Some(&file)).unwrap();
    Engine::new(&config).unwrap();
    Engine::new(&config).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cache_config_load_errors_are_wasmtimes() {
    let dir = temp_dir("cache-errors");

    let missing = dir.join("missing.toml");
    let err = Config::new().cache_config_load(Some(&missing)).unwrap_err();
    assert_contains(&err.to_string(), "failed to read config file");
    assert_contains(&err.to_string(), "missing.toml");

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[cache]\nno_such_key = 1\n").unwrap();
    let err = Config::new().cache_config_load(Some(&bad)).unwrap_err();
    assert_contains(&err.to_string(), "failed to parse config file");

    std::fs::remove_dir_all(&dir).unwrap();
}
