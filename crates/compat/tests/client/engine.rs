// Engine reflection: the `Engine::get_*` getters (what a config set, and
// Wasmtime's defaults for the rest), `PoolingAllocationConfig::get_*`,
// `WasmFeatures`, `Engine::config`, `Engine::weak`/`EngineWeak`.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// Every getter of `engine`, one `name=value` a line (Debug formatting).
/// The Cranelift flag lists are sorted: Wasmtime keeps them in a `HashMap`.
fn describe(engine: &Engine) -> String {
    let mut flags_enabled: Vec<&str> = engine.get_cranelift_flags_enabled().collect();
    flags_enabled.sort();
    let mut flags_set: Vec<(&str, &str)> = engine.get_cranelift_flags_set().collect();
    flags_set.sort();
    let pooling = engine.get_pooling_config().map(describe_pooling);
    let lines = [
        format!("memory_may_move={:?}", engine.get_memory_may_move()),
        format!("memory_reservation={:?}", engine.get_memory_reservation()),
        format!("memory_reservation_for_growth={:?}", engine.get_memory_reservation_for_growth()),
        format!("memory_guard_size={:?}", engine.get_memory_guard_size()),
        format!("memory_init_cow={:?}", engine.get_memory_init_cow()),
        format!("signals_based_traps={:?}", engine.get_signals_based_traps()),
        format!("cranelift_opt_level={:?}", engine.get_cranelift_opt_level()),
        format!("cranelift_regalloc_algorithm={:?}", engine.get_cranelift_regalloc_algorithm()),
        format!("strategy={:?}", engine.get_strategy()),
        format!("cranelift_debug_verifier={:?}", engine.get_cranelift_debug_verifier()),
        format!("native_unwind_info={:?}", engine.get_native_unwind_info()),
        format!("parallel_compilation={:?}", engine.get_parallel_compilation()),
        format!("pooling_config={pooling:?}"),
        format!("wasm_features={:?}", engine.get_wasm_features()),
        format!("async_stack_size={:?}", engine.get_async_stack_size()),
        format!("wasm_branch_hinting={:?}", engine.get_wasm_branch_hinting()),
        format!("concurrency_support={:?}", engine.get_concurrency_support()),
        format!("epoch_interruption={:?}", engine.get_epoch_interruption()),
        format!("consume_fuel={:?}", engine.get_consume_fuel()),
        format!("max_wasm_stack={:?}", engine.get_max_wasm_stack()),
        format!("cranelift_nan_canonicalization={:?}", engine.get_cranelift_nan_canonicalization()),
        format!("relaxed_simd_deterministic={:?}", engine.get_relaxed_simd_deterministic()),
        format!("shared_memory={:?}", engine.get_shared_memory()),
        format!("debug_info={:?}", engine.get_debug_info()),
        format!("target={:?}", engine.get_target()),
        format!("cranelift_flags_enabled={flags_enabled:?}"),
        format!("cranelift_flags_set={flags_set:?}"),
        format!("is_recording={:?} is_replaying={:?}", engine.is_recording(), engine.is_replaying()),
    ];
    lines.join("\n")
}

/// Every getter of a pooling config.
fn describe_pooling(p: &PoolingAllocationConfig) -> String {
    format!(
        "decommit_batch_size={} max_unused_warm_slots={} memory_keep_resident={} table_keep_resident={} \
         async_stack_keep_resident={} total_core_instances={} total_component_instances={} total_memories={} \
         total_tables={} total_stacks={} total_gc_heaps={} max_memory_size={} table_elements={} \
         max_core_instance_size={} max_component_instance_size={} max_core_instances_per_component={} \
         max_memories_per_component={} max_tables_per_component={} max_tables_per_module={} max_memories_per_module={}",
        p.get_decommit_batch_size(),
        p.get_max_unused_warm_slots(),
        p.get_memory_keep_resident(),
        p.get_table_keep_resident(),
        p.get_async_stack_keep_resident(),
        p.get_total_core_instances(),
        p.get_total_component_instances(),
        p.get_total_memories(),
        p.get_total_tables(),
        p.get_total_stacks(),
        p.get_total_gc_heaps(),
        p.get_max_memory_size(),
        p.get_table_elements(),
        p.get_max_core_instance_size(),
        p.get_max_component_instance_size(),
        p.get_max_core_instances_per_component(),
        p.get_max_memories_per_component(),
        p.get_max_tables_per_component(),
        p.get_max_tables_per_module(),
        p.get_max_memories_per_module(),
    )
}

/// The default engine (`Engine::default()` and `Engine::new(&Config::new())`
/// agree): Wasmtime's defaults for this host.
pub fn engine_getters_default() -> Result<String> {
    let engine = Engine::default();
    let from_config = Engine::new(&Config::new())?;
    let seen = describe(&engine);
    assert_eq!(seen, describe(&from_config));
    assert_eq!(engine.get_memory_reservation(), 1 << 32);
    assert_eq!(engine.get_memory_guard_size(), 32 << 20);
    assert_eq!(engine.get_max_wasm_stack(), 512 * 1024);
    assert_eq!(engine.get_cranelift_opt_level(), Some(OptLevel::Speed));
    assert_eq!(engine.get_strategy(), Some(Strategy::Cranelift));
    assert!(engine.get_pooling_config().is_none());
    let features = engine.get_wasm_features();
    assert!(features.contains(WasmFeatures::SIMD | WasmFeatures::RELAXED_SIMD | WasmFeatures::GC_TYPES));
    assert!(features.contains(WasmFeatures::WASM2));
    assert!(!features.contains(WasmFeatures::STACK_SWITCHING));
    assert!(WasmFeatures::all().contains(features));
    assert!(!WasmFeatures::empty().contains(WasmFeatures::SIMD));
    assert!(features.simd() && features.threads() && features.component_model());
    Ok(seen)
}

/// Fuel, epochs and the wasm and async stack sizes.
pub fn engine_getters_fuel_and_stacks() -> Result<String> {
    let mut config = Config::new();
    config.consume_fuel(true).epoch_interruption(true).max_wasm_stack(256 << 10).async_stack_size(1 << 20);
    let engine = Engine::new(&config)?;
    assert!(engine.get_consume_fuel() && engine.get_epoch_interruption());
    assert_eq!((engine.get_max_wasm_stack(), engine.get_async_stack_size()), (256 << 10, 1 << 20));
    Ok(describe(&engine))
}

/// Linear-memory tunables and signals-based traps.
pub fn engine_getters_memory() -> Result<String> {
    let mut config = Config::new();
    config
        .memory_reservation(1 << 30)
        .memory_guard_size(64 << 10)
        .memory_may_move(false)
        .memory_reservation_for_growth(1 << 20)
        .memory_init_cow(false)
        .signals_based_traps(false);
    let engine = Engine::new(&config)?;
    assert_eq!(engine.get_memory_reservation(), 1 << 30);
    assert_eq!(engine.get_memory_guard_size(), 64 << 10);
    assert!(!engine.get_memory_may_move() && !engine.get_memory_init_cow() && !engine.get_signals_based_traps());
    Ok(describe(&engine))
}

/// Cranelift settings: the convenience setters, `cranelift_flag_set` (a later
/// convenience setter of the same setting takes it over) and
/// `cranelift_flag_enable`.
pub fn engine_getters_cranelift() -> Result<String> {
    let mut config = Config::new();
    config
        .cranelift_opt_level(OptLevel::SpeedAndSize)
        .cranelift_regalloc_algorithm(RegallocAlgorithm::SinglePass)
        .cranelift_debug_verifier(true)
        .cranelift_nan_canonicalization(true)
        .native_unwind_info(false)
        .parallel_compilation(false)
        .debug_info(true);
    // SAFETY: standard Cranelift settings. (`let _`: wasmtime-mbt returns a
    // `Result` here, `wasmtime` the config.)
    unsafe {
        let _ = config.cranelift_flag_set("enable_alias_analysis", "false");
        let _ = config.cranelift_flag_set("preserve_frame_pointers", "true");
        let _ = config.cranelift_flag_set("enable_verifier", "false");
        let _ = config.cranelift_flag_enable("has_sse3");
        let _ = config.cranelift_flag_enable("has_ssse3");
        let _ = config.cranelift_flag_enable("has_sse3");
    }
    let engine = Engine::new(&config)?;
    let _ = Module::new(&engine, "(module (func (export \"f\") (result f32) f32.const nan))")?;
    assert_eq!(engine.get_cranelift_opt_level(), Some(OptLevel::SpeedAndSize));
    assert_eq!(engine.get_cranelift_regalloc_algorithm(), Some(RegallocAlgorithm::SinglePass));
    assert_eq!(engine.get_cranelift_debug_verifier(), Some(false));
    assert_eq!(engine.get_native_unwind_info(), Some(false));
    let first = describe(&engine);

    // `cranelift_flag_set` then a setter of the same setting, and the reverse.
    let mut config = Config::new();
    // SAFETY: standard Cranelift settings.
    unsafe {
        let _ = config.cranelift_flag_set("opt_level", "none");
    }
    config.cranelift_opt_level(OptLevel::Speed);
    // SAFETY: as above.
    unsafe {
        let _ = config.cranelift_flag_set("enable_nan_canonicalization", "on");
        let _ = config.cranelift_flag_set("unwind_info", "false");
    }
    let engine = Engine::new(&config)?;
    assert_eq!(engine.get_cranelift_opt_level(), Some(OptLevel::Speed));
    assert_eq!(engine.get_cranelift_nan_canonicalization(), Some(true));
    Ok(format!("{first}\n--\n{}", describe(&engine)))
}

/// `PoolingAllocationConfig`'s getters: defaults, then every limit set.
/// (An engine using it is compared in `tests/config_rules.rs`: the client
/// code to install it differs, `Config::allocation_strategy` natively.)
pub fn pooling_config_getters() -> Result<String> {
    let defaults = describe_pooling(&PoolingAllocationConfig::new());
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .max_unused_warm_slots(2)
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
    let copy = pooling.clone();
    pooling.total_memories(5);
    assert_eq!((copy.get_total_memories(), pooling.get_total_memories()), (4, 5));
    assert_eq!((pooling.get_table_elements(), pooling.get_max_memory_size()), (100, 1 << 20));
    assert_eq!(PoolingAllocationConfig::new().get_total_memories(), 1000);
    Ok(format!("defaults: {defaults}\nset: {}", describe_pooling(&pooling)))
}

/// Wasm proposals toggled, and the settings that go with them.
pub fn engine_getters_features() -> Result<String> {
    let mut config = Config::new();
    config
        .wasm_simd(false)
        .wasm_relaxed_simd(false)
        .wasm_threads(false)
        .wasm_gc(false)
        .wasm_function_references(false)
        .wasm_tail_call(false)
        .wasm_component_model(false)
        .wasm_custom_page_sizes(true)
        .wasm_wide_arithmetic(true)
        .wasm_memory64(true)
        .wasm_multi_memory(false)
        .wasm_branch_hinting(true)
        .relaxed_simd_deterministic(true)
        .shared_memory(true)
        .concurrency_support(false);
    let engine = Engine::new(&config)?;
    let f = engine.get_wasm_features();
    assert!(!f.contains(WasmFeatures::SIMD) && !f.relaxed_simd() && !f.threads() && !f.gc());
    assert!(f.contains(WasmFeatures::CUSTOM_PAGE_SIZES | WasmFeatures::WIDE_ARITHMETIC | WasmFeatures::MEMORY64));
    assert!(engine.get_wasm_branch_hinting() && engine.get_relaxed_simd_deterministic() && engine.get_shared_memory());
    let first = describe(&engine);

    let mut config = Config::new();
    config.wasm_stack_switching(true).wasm_exceptions(false).wasm_bulk_memory(false);
    let engine = Engine::new(&config)?;
    let f = engine.get_wasm_features();
    assert!(f.stack_switching() && !f.exceptions() && !f.bulk_memory());
    Ok(format!("{first}\n--\n{}", describe(&engine)))
}

/// `WasmFeatures` as a value: every flag's name and bits (in declaration
/// order), the composites, `Default`, `all`, `Debug` with stray bits, the
/// set operations and iteration, `from_bits*`, `inflate`/`from_inflated`
/// and every getter, for the default engine's set and a few others.
pub fn wasm_features_surface() -> Result<String> {
    let mut lines: Vec<String> = WasmFeatures::all()
        .iter_names()
        .map(|(name, flag)| format!("{name}={:#x}", flag.bits()))
        .collect();
    let composites = [
        ("MVP", WasmFeatures::MVP),
        ("WASM1", WasmFeatures::WASM1),
        ("WASM2", WasmFeatures::WASM2),
        ("WASM3", WasmFeatures::WASM3),
        ("LIME1", WasmFeatures::LIME1),
        ("default", WasmFeatures::default()),
        ("all", WasmFeatures::all()),
        ("empty", WasmFeatures::empty()),
    ];
    for (name, f) in composites {
        lines.push(format!("{name}={:#x} {f:?}", f.bits()));
    }
    assert_eq!(WasmFeatures::from_name("SIMD"), Some(WasmFeatures::SIMD));
    assert_eq!(WasmFeatures::from_bits(1 << 63), None);
    assert_eq!(WasmFeatures::from_bits(1 << 3).map(|f| f.bits()), Some(1 << 3));
    let stray = WasmFeatures::from_bits_retain((1 << 3) | (1 << 63));
    lines.push(format!("stray={stray:?} truncated={:?}", WasmFeatures::from_bits_truncate(stray.bits())));
    let mut f = WasmFeatures::WASM2 - WasmFeatures::SIMD;
    f |= WasmFeatures::GC;
    f.toggle(WasmFeatures::THREADS);
    f.remove(WasmFeatures::REFERENCE_TYPES);
    f.set(WasmFeatures::CM_MAP, true);
    lines.push(format!(
        "ops={f:?} and={:?} xor={:?} not_intersects={}",
        f & WasmFeatures::LIME1,
        f ^ WasmFeatures::MVP,
        (!f).intersects(WasmFeatures::GC)
    ));
    let engine = Engine::default();
    for f in [engine.get_wasm_features(), WasmFeatures::LIME1, f] {
        assert_eq!(WasmFeatures::from_inflated(f.inflate()), f);
        let inflated = f.inflate();
        let getters = [
            f.mutable_global(), f.saturating_float_to_int(), f.sign_extension(), f.reference_types(),
            f.multi_value(), f.bulk_memory(), f.simd(), f.relaxed_simd(), f.threads(),
            f.shared_everything_threads(), f.tail_call(), f.floats(), f.multi_memory(), f.exceptions(),
            f.memory64(), f.extended_const(), f.component_model(), f.function_references(),
            f.memory_control(), f.gc(), f.custom_page_sizes(), f.legacy_exceptions(), f.gc_types(),
            f.stack_switching(), f.wide_arithmetic(), f.cm_values(), f.cm_nested_names(), f.cm_async(),
            f.cm_async_stackful(), f.cm_more_async_builtins(), f.cm_threading(), f.cm_error_context(),
            f.cm_fixed_length_lists(), f.cm_gc(), f.call_indirect_overlong(), f.bulk_memory_opt(),
            f.custom_descriptors(), f.compact_imports(), f.cm_map(), f.cm64(), f.cm_implements(),
            f.cm_canon_names(),
        ];
        let bits: String = getters.iter().map(|&on| if on { '1' } else { '0' }).collect();
        assert_eq!(inflated.simd, f.simd());
        let names: Vec<&str> = f.iter_names().map(|(name, _)| name).collect();
        lines.push(format!("{bits} {} {names:?}", f.iter().count()));
    }
    Ok(lines.join("\n"))
}

/// An explicit target and strategy, and `Engine::config` building another
/// engine with the same settings.
pub fn engine_getters_target_and_config() -> Result<String> {
    let mut config = Config::new();
    config.target("x86_64-unknown-linux-gnu")?.strategy(Strategy::Cranelift).consume_fuel(true);
    let engine = Engine::new(&config)?;
    assert_eq!(engine.get_target().as_deref(), Some("x86_64-unknown-linux-gnu"));
    let again = Engine::new(engine.config())?;
    assert!(!Engine::same(&engine, &again));
    assert_eq!(describe(&engine), describe(&again));
    let mut auto = Config::new();
    auto.strategy(Strategy::Auto);
    let auto = Engine::new(&auto)?;
    assert_eq!(auto.get_strategy(), Some(Strategy::Cranelift));
    Ok(format!("{}\n--\nauto: {:?} {:?}", describe(&engine), auto.get_strategy(), Engine::default().get_target()))
}

/// `Engine::weak`: upgrades while a strong handle lives, not after.
pub fn engine_weak_upgrade() -> Result<String> {
    let engine = Engine::default();
    let weak: EngineWeak = engine.weak();
    let clone = weak.clone();
    let strong = weak.upgrade().expect("the engine is alive");
    assert!(Engine::same(&strong, &engine));
    drop(engine);
    let alive_through_upgrade = clone.upgrade().is_some();
    drop(strong);
    let after = weak.upgrade().is_none() && clone.upgrade().is_none();
    let never = EngineWeak::default().upgrade().is_none();
    assert!(alive_through_upgrade && after && never);
    // An epoch ticker that stops with the engine.
    let engine = Engine::new(Config::new().epoch_interruption(true))?;
    let weak = engine.weak();
    let ticker = std::thread::spawn(move || {
        let mut ticks = 0u32;
        while let Some(engine) = weak.upgrade() {
            engine.increment_epoch();
            ticks += 1;
            drop(engine);
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        ticks
    });
    std::thread::sleep(std::time::Duration::from_millis(20));
    drop(engine);
    let ticked = ticker.join().unwrap() > 0;
    assert!(ticked);
    Ok(format!("alive_through_upgrade={alive_through_upgrade} after={after} never={never} ticked={ticked}"))
}
