//! What `wasmtime::Engine`'s `get_*` getters report, worked out in Rust.
//!
//! The C API has no getters, so an [`Engine`](crate::Engine) answers from the
//! [`Config`](super::Config) it was built with: [`Resolved::new`] applies
//! Wasmtime 48.0.8's defaults and rules to the recorded [`Settings`], as
//! `wasmtime::Engine::new` does (`Config::validate`, `Config::features`,
//! `Tunables::default_for_target`, `ConfigTunables::configure`,
//! `wasmtime_cranelift::builder` and `Config::build_compiler`). Only
//! settings of a config that passed [`rules::check`](super::rules::check)
//! get here.

use std::str::FromStr as _;

use target_lexicon::{Architecture, OperatingSystem, Triple};

use super::rules::{parse_bool, Build, Settings};
use super::{OptLevel, RegallocAlgorithm, Strategy};
use crate::WasmFeatures;

/// Every value an engine's getters report.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub memory_may_move: bool,
    pub memory_reservation: u64,
    pub memory_reservation_for_growth: u64,
    pub memory_guard_size: u64,
    pub memory_init_cow: bool,
    pub signals_based_traps: bool,
    pub cranelift_opt_level: Option<OptLevel>,
    pub cranelift_regalloc_algorithm: Option<RegallocAlgorithm>,
    pub strategy: Option<Strategy>,
    pub cranelift_debug_verifier: Option<bool>,
    pub native_unwind_info: Option<bool>,
    pub parallel_compilation: bool,
    pub async_stack_size: usize,
    pub max_wasm_stack: usize,
    pub shared_memory: bool,
    pub cranelift_nan_canonicalization: Option<bool>,
    pub wasm_features: WasmFeatures,
    pub branch_hinting: bool,
    pub concurrency_support: bool,
    pub epoch_interruption: bool,
    pub consume_fuel: bool,
    pub relaxed_simd_deterministic: bool,
    pub debug_info: bool,
    pub target: Option<String>,
    /// `cranelift_flag_enable` names, first-enabled order, no repeats.
    pub cranelift_flags_enabled: Vec<String>,
    /// `cranelift_flag_set` settings still user-specified after the build.
    pub cranelift_flags_set: Vec<(String, String)>,
}

/// The features Wasmtime knows (`compiler_panicking_wasm_features`): any
/// other is unsupported by every compiler.
fn known_to_wasmtime() -> WasmFeatures {
    WasmFeatures::WASM3
        | WasmFeatures::SHARED_EVERYTHING_THREADS
        | WasmFeatures::COMPONENT_MODEL
        | WasmFeatures::CUSTOM_PAGE_SIZES
        | WasmFeatures::STACK_SWITCHING
        | WasmFeatures::WIDE_ARITHMETIC
        | WasmFeatures::CM_ASYNC
        | WasmFeatures::CM_ASYNC_STACKFUL
        | WasmFeatures::CM_MORE_ASYNC_BUILTINS
        | WasmFeatures::CM_THREADING
        | WasmFeatures::CM_ERROR_CONTEXT
        | WasmFeatures::CM_GC
        | WasmFeatures::CM_MAP
        | WasmFeatures::CM64
        | WasmFeatures::CM_FIXED_LENGTH_LISTS
        | WasmFeatures::CM_IMPLEMENTS
}

/// `Config::compiler_panicking_wasm_features` for a (non-Pulley) target.
fn compiler_panicking(strategy: Option<Strategy>, target: &Triple) -> WasmFeatures {
    let mut unsupported = !known_to_wasmtime();
    match strategy {
        Some(Strategy::Winch) => {
            unsupported |= WasmFeatures::GC
                | WasmFeatures::FUNCTION_REFERENCES
                | WasmFeatures::RELAXED_SIMD
                | WasmFeatures::TAIL_CALL
                | WasmFeatures::GC_TYPES
                | WasmFeatures::EXCEPTIONS
                | WasmFeatures::LEGACY_EXCEPTIONS
                | WasmFeatures::STACK_SWITCHING;
            if matches!(target.architecture, Architecture::Aarch64(_)) {
                unsupported |= WasmFeatures::THREADS;
            }
        }
        _ => {
            let x64 = matches!(target.architecture, Architecture::X86_64 | Architecture::X86_64h);
            let unix = matches!(
                target.operating_system,
                OperatingSystem::Linux | OperatingSystem::MacOSX(_) | OperatingSystem::Darwin(_)
            );
            if !(x64 && unix) {
                unsupported |= WasmFeatures::STACK_SWITCHING;
            }
        }
    }
    unsupported
}

impl Resolved {
    /// The getters' values for an engine built from `s` on a Wasmtime built
    /// as `build`.
    pub(crate) fn new(s: &Settings, build: &Build) -> Resolved {
        // `Strategy::not_auto`.
        let strategy = match s.strategy {
            Strategy::Auto if build.cranelift => Some(Strategy::Cranelift),
            Strategy::Auto if build.winch => Some(Strategy::Winch),
            Strategy::Auto => None,
            other => Some(other),
        };
        // `compiler_target`: `Config::target` already had Wasmtime parse the
        // triple, so it parses here too.
        let target = s.target.as_deref().and_then(|t| Triple::from_str(t).ok()).unwrap_or(target_lexicon::HOST);

        // `Config::features`. wasmtime-mbt always builds Wasmtime with
        // `threads` and `component-model` (as do its prebuilt release builds).
        let mut features = WasmFeatures::WASM3;
        features.set(WasmFeatures::GC_TYPES, build.gc);
        features.set(WasmFeatures::EXCEPTIONS, build.gc);
        features.set(WasmFeatures::THREADS, true);
        features.set(WasmFeatures::COMPONENT_MODEL, true);
        features.set(WasmFeatures::CM_ASYNC, s.concurrency_support.unwrap_or(build.component_model_async));
        features &= !compiler_panicking(strategy, &target);
        features &= !s.disabled_features;
        features |= s.enabled_features;

        // `Tunables::default_u64` (every target this crate can build for is
        // 64-bit with native signals and virtual memory), then the config's.
        let signals_based_traps = s.signals_based_traps.unwrap_or(true);

        // The compiler's final Cranelift settings: `wasmtime_cranelift::builder`'s
        // and Cranelift's defaults, the config's (a later value for a name
        // replaces an earlier one), then `build_compiler`'s
        // `ensure_setting_unset_or_given`.
        let mut settings: Vec<(&str, String)> = Vec::new();
        for (name, value) in &s.cranelift_settings {
            settings.retain(|(n, _)| n != name);
            settings.push((name.as_str(), value.clone()));
        }
        let is_set = |settings: &[(&str, String)], name: &str| settings.iter().any(|(n, _)| *n == name);
        if let Some(unwind) = s.native_unwind_info {
            if !is_set(&settings, "unwind_info") {
                settings.push(("unwind_info", unwind.to_string()));
            }
        }
        if target.operating_system == OperatingSystem::Windows && !is_set(&settings, "unwind_info") {
            settings.push(("unwind_info", "true".to_string()));
        }
        // `build_compiler` enables the `cranelift_flag_enable` flags after
        // applying the settings.
        for name in &s.cranelift_flags {
            settings.retain(|(n, _)| n != name);
            settings.push((name.as_str(), "true".to_string()));
        }
        let value = |name: &str, default: &str| {
            settings.iter().rev().find(|(n, _)| *n == name).map_or(default.to_string(), |(_, v)| v.clone())
        };
        let flag = |name: &str, default: &str| parse_bool(&value(name, default));
        // The compiler's values: none without a compiler.
        fn compiler<T>(strategy: Option<Strategy>, value: Option<T>) -> Option<T> {
            strategy.and(value)
        }
        let cranelift_opt_level = compiler(strategy, match value("opt_level", "speed").as_str() {
            "none" => Some(OptLevel::None),
            "speed" => Some(OptLevel::Speed),
            "speed_and_size" => Some(OptLevel::SpeedAndSize),
            _ => None,
        });
        let cranelift_regalloc_algorithm = compiler(strategy, match value("regalloc_algorithm", "backtracking").as_str() {
            "backtracking" => Some(RegallocAlgorithm::Backtracking),
            "single_pass" => Some(RegallocAlgorithm::SinglePass),
            _ => None,
        });

        // `build_compiler` then inserts these itself, no longer user-specified.
        const TAKEN_OVER_SETTINGS: &[&str] = &["probestack_strategy", "preserve_frame_pointers"];
        const TAKEN_OVER_FLAGS: &[&str] = &["enable_probestack", "enable_multi_ret_implicit_sret"];
        let mut cranelift_flags_enabled: Vec<String> = Vec::new();
        for name in &s.cranelift_flags {
            if !TAKEN_OVER_FLAGS.contains(&name.as_str()) && !cranelift_flags_enabled.contains(name) {
                cranelift_flags_enabled.push(name.clone());
            }
        }
        let cranelift_flags_set = s
            .cranelift_user_settings
            .iter()
            .filter(|(name, _)| !TAKEN_OVER_SETTINGS.contains(&name.as_str()))
            .cloned()
            .collect();

        Resolved {
            memory_may_move: s.memory_may_move.unwrap_or(true),
            memory_reservation: s.memory_reservation.unwrap_or(1 << 32),
            memory_reservation_for_growth: s.memory_reservation_for_growth.unwrap_or(2 << 30),
            memory_guard_size: s.memory_guard_size.unwrap_or(32 << 20),
            memory_init_cow: s.memory_init_cow.unwrap_or(true),
            signals_based_traps,
            cranelift_opt_level,
            cranelift_regalloc_algorithm,
            strategy,
            cranelift_debug_verifier: compiler(strategy, flag("enable_verifier", "false")),
            native_unwind_info: compiler(strategy, flag("unwind_info", "true")),
            parallel_compilation: s.parallel_compilation,
            async_stack_size: s.async_stack_size,
            max_wasm_stack: s.max_wasm_stack,
            shared_memory: s.shared_memory,
            cranelift_nan_canonicalization: compiler(strategy, flag("enable_nan_canonicalization", "false")),
            wasm_features: features,
            branch_hinting: s.branch_hinting.unwrap_or(false),
            // `Config::validate`: the Cargo feature, then the config's.
            concurrency_support: s.concurrency_support.unwrap_or(build.component_model_async),
            epoch_interruption: s.epoch_interruption.unwrap_or(false),
            consume_fuel: s.consume_fuel.unwrap_or(false),
            relaxed_simd_deterministic: s.relaxed_simd_deterministic.unwrap_or(false),
            debug_info: s.debug_info.unwrap_or(false),
            target: compiler(strategy, Some(target.to_string())),
            cranelift_flags_enabled,
            cranelift_flags_set,
        }
    }
}
