//! `Config`: every `wasmtime_config_*_set` of the C API as a builder method.
//!
//! `wasm_engine_new_with_config` aborts the process when Wasmtime rejects a
//! configuration. A `Config` therefore records each setting twice: as a C
//! call to replay on a fresh `wasm_config_t`, and in [`rules::Settings`],
//! which [`rules::check`] validates with Wasmtime 48's own rules (and
//! messages) before any C config exists. Only a config that passes is
//! created, replayed and handed to C, so an invalid config is an `Err`,
//! never an abort. Settings Wasmtime checks at once (`target`,
//! `cache_config_load`) are tried on a throwaway C config when set.
//!
//! Because the C object is made fresh for each engine, a `Config` is
//! `Clone`, can build any number of engines, and never frees anything twice.
//!
//! `Config::with_host_memory` and `with_host_stack` (C callback structs)
//! live in `config/host_memory.rs` and `config/host_stack.rs`.
//!
//! [`Engine::new`]: crate::Engine::new

use std::ffi::CString;
use std::path::Path;
use std::sync::Arc;

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::Owned;
use crate::{Error, Result};

mod host_memory;
mod host_stack;
mod pooling;
pub(crate) mod resolved;
pub(crate) mod rules;
pub use host_memory::{LinearMemory, MemoryCreator};
pub use host_stack::{StackCreator, StackMemory};
pub use pooling::PoolingAllocationConfig;

/// One recorded C call, replayed on a fresh `wasm_config_t`.
type Replay = Arc<dyn Fn(*mut sys::wasm_config_t) -> Result<()> + Send + Sync>;

/// Global configuration for an [`Engine`](crate::Engine), as `wasmtime::Config`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::{Config, Engine};
/// let mut config = Config::new();
/// config.debug_info(true).consume_fuel(true);
/// let engine = Engine::new(&config)?;
/// # drop(engine); Ok(()) }
/// ```
#[derive(Clone)]
pub struct Config {
    settings: rules::Settings,
    replay: Vec<Replay>,
    /// The pooling allocator's config, for `Engine::get_pooling_config`.
    pooling: Option<PoolingAllocationConfig>,
}

impl Default for Config {
    fn default() -> Config {
        Config::new()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").field("settings", &self.replay.len()).finish_non_exhaustive()
    }
}

impl Config {
    /// The default configuration, as `wasm_config_new`.
    pub fn new() -> Config {
        Config { settings: rules::Settings::default(), replay: Vec::new(), pooling: None }
    }

    /// Records one setting: noted now for validation, applied later to C.
    fn record(
        &mut self,
        note: impl FnOnce(&mut rules::Settings),
        c: impl Fn(*mut sys::wasm_config_t) -> Result<()> + Send + Sync + 'static,
    ) -> &mut Config {
        note(&mut self.settings);
        self.replay.push(Arc::new(c));
        self
    }

    /// [`record`](Config::record) for a setting Wasmtime checks at once (the
    /// C setter returns an error): it is tried on a throwaway C config
    /// first, and on `Err` nothing is recorded.
    fn try_record(
        &mut self,
        note: impl FnOnce(&mut rules::Settings),
        c: impl Fn(*mut sys::wasm_config_t) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Config> {
        // SAFETY: `wasm_config_new` returns an owned config, deleted on drop.
        let probe = unsafe { Owned::from_raw(sys::wasm_config_new()) }.ok_or_else(|| Error::msg("wasm_config_new failed"))?;
        c(probe.as_ptr())?;
        Ok(self.record(note, c))
    }

    /// Checks the configuration with Wasmtime 48's rules, as
    /// [`Engine::new`](crate::Engine::new) does first, without building an
    /// engine. Not in `wasmtime`'s API: the differential test of the rules
    /// against native `wasmtime::Engine::new` uses it.
    ///
    /// ```
    /// use wasmtime_mbt::Config;
    /// let mut config = Config::new();
    /// config.max_wasm_stack(0);
    /// assert_eq!(config.validate().unwrap_err().to_string(), "max_wasm_stack size cannot be zero");
    /// ```
    #[doc(hidden)]
    pub fn validate(&self) -> Result<()> {
        rules::check(&self.settings, &rules::Build::linked())
    }

    /// What an engine built from this (valid) configuration reports through
    /// its `get_*` getters.
    pub(crate) fn resolved(&self) -> resolved::Resolved {
        resolved::Resolved::new(&self.settings, &rules::Build::linked())
    }

    /// The pooling allocator's config, if the pooling allocator is used.
    pub(crate) fn pooling_config(&self) -> Option<&PoolingAllocationConfig> {
        self.pooling.as_ref()
    }

    /// Validates the configuration and builds the C object for one engine.
    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_config_t>> {
        self.validate()?;
        // SAFETY: `wasm_config_new` returns an owned config.
        let raw = unsafe { Owned::from_raw(sys::wasm_config_new()) }.ok_or_else(|| Error::msg("wasm_config_new failed"))?;
        for apply in &self.replay {
            apply(raw.as_ptr())?;
        }
        Ok(raw)
    }

    /// The compilation strategy (`wasmtime_config_strategy_set`), as
    /// `wasmtime::Config::strategy`. A strategy not compiled into this build
    /// (Winch, unless the sys crate's `winch` feature is on) makes
    /// [`Engine::new`](crate::Engine::new) fail; with a prebuilt library,
    /// whose build this crate cannot see, Winch is refused.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine, Strategy};
    /// let engine = Engine::new(Config::new().strategy(Strategy::Cranelift))?;
    /// let err = Engine::new(Config::new().strategy(Strategy::Winch)).unwrap_err();
    /// let expected = if wasmtime_mbt::sys::build::BUNDLED { "winch support not compiled in" } else { "cannot check the Winch strategy" };
    /// assert!(err.to_string().contains(expected), "{err}");
    /// # drop(engine); Ok(()) }
    /// ```
    pub fn strategy(&mut self, strategy: Strategy) -> &mut Config {
        self.record(
            |s| s.strategy = strategy,
            // SAFETY: the pointer is the live config being built.
            move |c| {
                unsafe { sys::wasmtime_config_strategy_set(c, strategy.to_raw()) };
                Ok(())
            },
        )
    }

    /// Cranelift's optimization level (`wasmtime_config_cranelift_opt_level_set`),
    /// as `wasmtime::Config::cranelift_opt_level`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine, OptLevel};
    /// let engine = Engine::new(Config::new().cranelift_opt_level(OptLevel::SpeedAndSize))?;
    /// # drop(engine); Ok(()) }
    /// ```
    pub fn cranelift_opt_level(&mut self, level: OptLevel) -> &mut Config {
        let value = match level {
            OptLevel::None => "none",
            OptLevel::Speed => "speed",
            OptLevel::SpeedAndSize => "speed_and_size",
        };
        self.record(
            |s| s.cranelift_set("opt_level", value, false),
            // SAFETY: the pointer is the live config being built.
            move |c| {
                unsafe { sys::wasmtime_config_cranelift_opt_level_set(c, level.to_raw()) };
                Ok(())
            },
        )
    }

    /// Cranelift's register allocator
    /// (`wasmtime_config_cranelift_regalloc_algorithm_set`), as
    /// `wasmtime::Config::cranelift_regalloc_algorithm`.
    pub fn cranelift_regalloc_algorithm(&mut self, algorithm: RegallocAlgorithm) -> &mut Config {
        let value = match algorithm {
            RegallocAlgorithm::Backtracking => "backtracking",
            RegallocAlgorithm::SinglePass => "single_pass",
        };
        self.record(
            |s| s.cranelift_set("regalloc_algorithm", value, false),
            // SAFETY: the pointer is the live config being built.
            move |c| {
                unsafe { sys::wasmtime_config_cranelift_regalloc_algorithm_set(c, algorithm.to_raw()) };
                Ok(())
            },
        )
    }

    /// The profiler to emit information for (`wasmtime_config_profiler_set`),
    /// as `wasmtime::Config::profiler`. A profiler unsupported on this
    /// platform makes [`Engine::new`](crate::Engine::new) fail.
    ///
    /// Note that Wasmtime's profilers write files: `JitDump` writes
    /// `./jit-<pid>.dump`, `PerfMap` writes `/tmp/perf-<pid>.map`.
    pub fn profiler(&mut self, profiler: ProfilingStrategy) -> &mut Config {
        self.record(
            |s| s.profiler = profiler,
            // SAFETY: the pointer is the live config being built.
            move |c| {
                unsafe { sys::wasmtime_config_profiler_set(c, profiler.to_raw()) };
                Ok(())
            },
        )
    }

    /// Compiles for `target`, a target triple (`wasmtime_config_target_set`),
    /// as `wasmtime::Config::target`.
    ///
    /// # Errors
    ///
    /// An unknown triple is an `Err` with Wasmtime's message, at once; so is
    /// a string with a NUL byte.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine};
    /// let mut config = Config::new();
    /// assert!(config.target("bogus-triple").is_err());
    /// // Any known triple is accepted here; `Engine::new` then fails if no
    /// // backend for it is compiled in.
    /// config.target("x86_64-unknown-linux-gnu")?;
    /// # Ok(()) }
    /// ```
    pub fn target(&mut self, target: &str) -> Result<&mut Config> {
        let raw = c_string("target", target)?;
        self.try_record(
            |s| s.target = Some(target.to_string()),
            // SAFETY: the pointer is the live config being built; the string
            // is a valid C string that outlives the call.
            move |c| unsafe { Error::check(sys::wasmtime_config_target_set(c, raw.as_ptr())) },
        )
    }

    /// Enables the boolean Cranelift flag `flag`
    /// (`wasmtime_config_cranelift_flag_enable`), as
    /// `wasmtime::Config::cranelift_flag_enable`.
    ///
    /// # Errors
    ///
    /// A string with a NUL byte is an `Err` at once. An unknown flag makes
    /// [`Engine::new`](crate::Engine::new) fail.
    ///
    /// # Safety
    ///
    /// As for Wasmtime: a wrong flag may break the invariants of the
    /// generated code, and so memory safety.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine};
    /// let mut config = Config::new();
    /// // SAFETY: an unknown flag is only rejected.
    /// unsafe { config.cranelift_flag_enable("no_such_flag")? };
    /// assert!(Engine::new(&config).is_err());
    /// # Ok(()) }
    /// ```
    pub unsafe fn cranelift_flag_enable(&mut self, flag: &str) -> Result<&mut Config> {
        let raw = c_string("Cranelift flag", flag)?;
        Ok(self.record(
            |s| s.cranelift_flags.push(flag.to_string()),
            // SAFETY: the pointer is the live config being built; the string
            // is valid UTF-8 and outlives the call.
            move |c| {
                unsafe { sys::wasmtime_config_cranelift_flag_enable(c, raw.as_ptr()) };
                Ok(())
            },
        ))
    }

    /// Sets the Cranelift setting `name` to `value`
    /// (`wasmtime_config_cranelift_flag_set`), as
    /// `wasmtime::Config::cranelift_flag_set`.
    ///
    /// # Errors
    ///
    /// A string with a NUL byte is an `Err` at once. An unknown setting or
    /// value makes [`Engine::new`](crate::Engine::new) fail with Wasmtime's
    /// message.
    ///
    /// # Safety
    ///
    /// As for Wasmtime: a wrong setting may break the invariants of the
    /// generated code, and so memory safety.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine};
    /// let mut config = Config::new();
    /// // SAFETY: a bad value is only rejected.
    /// unsafe { config.cranelift_flag_set("opt_level", "bogus")? };
    /// assert!(Engine::new(&config).is_err());
    /// # Ok(()) }
    /// ```
    pub unsafe fn cranelift_flag_set(&mut self, name: &str, value: &str) -> Result<&mut Config> {
        let raw_name = c_string("Cranelift setting", name)?;
        let raw_value = c_string("Cranelift setting value", value)?;
        Ok(self.record(
            |s| s.cranelift_set(name, value, true),
            // SAFETY: the pointer is the live config being built; the strings
            // are valid UTF-8 and outlive the call.
            move |c| {
                unsafe { sys::wasmtime_config_cranelift_flag_set(c, raw_name.as_ptr(), raw_value.as_ptr()) };
                Ok(())
            },
        ))
    }

    /// Enables Wasmtime's compilation cache, configured by the TOML file at
    /// `path`, or by the default file (`$HOME/.config/wasmtime/config.toml`
    /// on Unix; defaults if it is missing) for `None`
    /// (`wasmtime_config_cache_config_load`).
    ///
    /// `wasmtime::Config` has no method of this name: natively this is
    /// `config.cache(Some(Cache::from_file(path)?))`. The file is read now,
    /// and read again when each engine is built.
    ///
    /// # Errors
    ///
    /// A file that cannot be read or parsed, or an invalid cache
    /// configuration, is an `Err` with Wasmtime's message, at once; so is a
    /// path that is not UTF-8 or holds a NUL byte.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use std::path::Path;
    /// use wasmtime_mbt::Config;
    /// let err = Config::new().cache_config_load(Some(Path::new("/no/such/cache.toml"))).unwrap_err();
    /// assert!(err.to_string().contains("failed to read config file"));
    /// # Ok(()) }
    /// ```
    pub fn cache_config_load(&mut self, path: Option<&Path>) -> Result<&mut Config> {
        let raw = match path {
            None => None,
            Some(path) => {
                let text = path.to_str().ok_or_else(|| Error::msg(format!("cache config path {path:?} is not valid UTF-8")))?;
                Some(c_string("cache config path", text)?)
            }
        };
        self.try_record(
            |_| {},
            move |c| {
                let ptr = raw.as_ref().map_or(std::ptr::null(), |raw| raw.as_ptr());
                // SAFETY: the pointer is the live config being built; the
                // path is null or a valid C string that outlives the call.
                unsafe { Error::check(sys::wasmtime_config_cache_config_load(c, ptr)) }
            },
        )
    }

    /// Uses the pooling instance allocator with the given limits
    /// (`wasmtime_pooling_allocation_strategy_set`), as
    /// `wasmtime::Config::allocation_strategy(InstanceAllocationStrategy::Pooling(..))`.
    ///
    /// The pooling config is copied: changing it later does not affect this
    /// `Config`. Limits the host cannot reserve memory for make
    /// [`Engine::new`](crate::Engine::new) fail.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine, PoolingAllocationConfig};
    /// let mut pooling = PoolingAllocationConfig::new();
    /// pooling.total_memories(4).total_tables(4).total_core_instances(4).max_memory_size(1 << 20);
    /// let mut config = Config::new();
    /// config.memory_reservation(1 << 20).memory_guard_size(0).pooling_allocation_strategy(&pooling);
    /// let engine = Engine::new(&config)?;
    /// # drop(engine); Ok(()) }
    /// ```
    pub fn pooling_allocation_strategy(&mut self, pooling: &PoolingAllocationConfig) -> &mut Config {
        let recorded = pooling.clone();
        self.pooling = Some(pooling.clone());
        self.record(
            |s| s.pooling = Some(pooling.limits()),
            move |c| {
                let raw = recorded.to_raw()?;
                // SAFETY: both pointers are live; C copies the pooling
                // config, which `raw` then frees.
                unsafe { sys::wasmtime_pooling_allocation_strategy_set(c, raw.as_ptr()) };
                Ok(())
            },
        )
    }
}

/// A string for C, or an `Err` naming `what` if it holds a NUL byte.
fn c_string(what: &str, text: &str) -> Result<CString> {
    CString::new(text).map_err(|e| Error::msg(format!("{what} {text:?} contains a NUL byte at position {}", e.nul_position())))
}

/// Generates `Config` methods for `bool`/integer settings that have the same
/// name on `wasmtime::Config` and a `wasmtime_config_<c>_set` in C.
macro_rules! simple_settings {
    ($($(#[$doc:meta])* $name:ident($ty:ty) => $c:ident $(, $s:ident => $note:expr)?;)*) => {
        impl Config {$(
            $(#[$doc])*
            pub fn $name(&mut self, value: $ty) -> &mut Config {
                self.record(
                    #[allow(unused_variables)]
                    |settings| { $(let $s = settings; ($note)(value);)? },
                    // SAFETY: the pointer is the live config being built.
                    move |c| { unsafe { sys::$c(c, value as _) }; Ok(()) },
                )
            }
        )*}
    };
}

simple_settings! {
    /// Generate DWARF debug info for compiled code (`wasmtime_config_debug_info_set`).
    debug_info(bool) => wasmtime_config_debug_info_set, s => |v| s.debug_info = Some(v);
    /// Count fuel while wasm runs; see [`Store::set_fuel`](crate::Store::set_fuel)
    /// (`wasmtime_config_consume_fuel_set`).
    consume_fuel(bool) => wasmtime_config_consume_fuel_set, s => |v| s.consume_fuel = Some(v);
    /// Allow interrupting wasm by incrementing the engine's epoch
    /// (`wasmtime_config_epoch_interruption_set`).
    epoch_interruption(bool) => wasmtime_config_epoch_interruption_set, s => |v| s.epoch_interruption = Some(v);
    /// Maximum stack wasm may use, in bytes (`wasmtime_config_max_wasm_stack_set`).
    /// Zero, or more than [`async_stack_size`](Config::async_stack_size),
    /// makes [`Engine::new`](crate::Engine::new) fail.
    max_wasm_stack(usize) => wasmtime_config_max_wasm_stack_set, s => |v| s.max_wasm_stack = v;

    /// The threads proposal: shared memories and atomics
    /// (`wasmtime_config_wasm_threads_set`).
    wasm_threads(bool) => wasmtime_config_wasm_threads_set, s => |v| s.feature(crate::WasmFeatures::THREADS, v);
    /// Allow creating shared memories from the host
    /// (`wasmtime_config_shared_memory_set`).
    shared_memory(bool) => wasmtime_config_shared_memory_set, s => |v| s.shared_memory = v;
    /// The tail-call proposal (`wasmtime_config_wasm_tail_call_set`).
    wasm_tail_call(bool) => wasmtime_config_wasm_tail_call_set, s => |v| { s.features.tail_call = Some(v); s.feature(crate::WasmFeatures::TAIL_CALL, v); };
    /// The reference-types proposal (`wasmtime_config_wasm_reference_types_set`).
    wasm_reference_types(bool) => wasmtime_config_wasm_reference_types_set, s => |v| s.feature(crate::WasmFeatures::REFERENCE_TYPES, v);
    /// The typed function references proposal
    /// (`wasmtime_config_wasm_function_references_set`).
    wasm_function_references(bool) => wasmtime_config_wasm_function_references_set, s => |v| { s.features.function_references = Some(v); s.feature(crate::WasmFeatures::FUNCTION_REFERENCES, v); };
    /// The GC proposal (`wasmtime_config_wasm_gc_set`).
    wasm_gc(bool) => wasmtime_config_wasm_gc_set, s => |v| { s.features.gc = Some(v); s.feature(crate::WasmFeatures::GC, v); };
    /// Runtime support for garbage-collected types, needed by the GC,
    /// reference-types and exceptions proposals
    /// (`wasmtime_config_gc_support_set`).
    gc_support(bool) => wasmtime_config_gc_support_set, s => |v| { s.features.gc_types = Some(v); s.feature(crate::WasmFeatures::GC_TYPES, v); };
    /// The fixed-width SIMD proposal (`wasmtime_config_wasm_simd_set`).
    wasm_simd(bool) => wasmtime_config_wasm_simd_set, s => |v| { s.features.simd = Some(v); s.feature(crate::WasmFeatures::SIMD, v); };
    /// The relaxed SIMD proposal (`wasmtime_config_wasm_relaxed_simd_set`).
    /// Needs [`wasm_simd`](Config::wasm_simd).
    wasm_relaxed_simd(bool) => wasmtime_config_wasm_relaxed_simd_set, s => |v| { s.features.relaxed_simd = Some(v); s.feature(crate::WasmFeatures::RELAXED_SIMD, v); };
    /// Make relaxed SIMD instructions deterministic across platforms
    /// (`wasmtime_config_wasm_relaxed_simd_deterministic_set`).
    relaxed_simd_deterministic(bool) => wasmtime_config_wasm_relaxed_simd_deterministic_set, s => |v| s.relaxed_simd_deterministic = Some(v);
    /// The bulk-memory proposal (`wasmtime_config_wasm_bulk_memory_set`).
    wasm_bulk_memory(bool) => wasmtime_config_wasm_bulk_memory_set, s => |v| s.feature(crate::WasmFeatures::BULK_MEMORY, v);
    /// The multi-value proposal (`wasmtime_config_wasm_multi_value_set`).
    wasm_multi_value(bool) => wasmtime_config_wasm_multi_value_set, s => |v| s.feature(crate::WasmFeatures::MULTI_VALUE, v);
    /// The multi-memory proposal (`wasmtime_config_wasm_multi_memory_set`).
    wasm_multi_memory(bool) => wasmtime_config_wasm_multi_memory_set, s => |v| s.feature(crate::WasmFeatures::MULTI_MEMORY, v);
    /// The 64-bit memories proposal (`wasmtime_config_wasm_memory64_set`).
    wasm_memory64(bool) => wasmtime_config_wasm_memory64_set, s => |v| s.feature(crate::WasmFeatures::MEMORY64, v);
    /// The wide-arithmetic proposal (`wasmtime_config_wasm_wide_arithmetic_set`).
    wasm_wide_arithmetic(bool) => wasmtime_config_wasm_wide_arithmetic_set, s => |v| s.feature(crate::WasmFeatures::WIDE_ARITHMETIC, v);
    /// The branch-hinting proposal (`wasmtime_config_wasm_branch_hinting_set`).
    wasm_branch_hinting(bool) => wasmtime_config_wasm_branch_hinting_set, s => |v| s.branch_hinting = Some(v);
    /// The exception-handling proposal (`wasmtime_config_wasm_exceptions_set`).
    wasm_exceptions(bool) => wasmtime_config_wasm_exceptions_set, s => |v| { s.features.exceptions = Some(v); s.feature(crate::WasmFeatures::EXCEPTIONS, v); };
    /// The custom-page-sizes proposal (`wasmtime_config_wasm_custom_page_sizes_set`).
    wasm_custom_page_sizes(bool) => wasmtime_config_wasm_custom_page_sizes_set, s => |v| s.feature(crate::WasmFeatures::CUSTOM_PAGE_SIZES, v);
    /// The stack-switching proposal (`wasmtime_config_wasm_stack_switching_set`).
    wasm_stack_switching(bool) => wasmtime_config_wasm_stack_switching_set, s => |v| { s.features.stack_switching = Some(v); s.feature(crate::WasmFeatures::STACK_SWITCHING, v); };
    /// The component model (`wasmtime_config_wasm_component_model_set`).
    wasm_component_model(bool) => wasmtime_config_wasm_component_model_set, s => |v| s.feature(crate::WasmFeatures::COMPONENT_MODEL, v);
    /// The component model's `map` type
    /// (`wasmtime_config_wasm_component_model_map_set`).
    wasm_component_model_map(bool) => wasmtime_config_wasm_component_model_map_set, s => |v| s.feature(crate::WasmFeatures::CM_MAP, v);
    /// Runtime support for component-model concurrency
    /// (`wasmtime_config_concurrency_support_set`).
    concurrency_support(bool) => wasmtime_config_concurrency_support_set, s => |v| s.concurrency_support = Some(v);

    /// Compile functions in parallel (`wasmtime_config_parallel_compilation_set`).
    parallel_compilation(bool) => wasmtime_config_parallel_compilation_set, s => |v| s.parallel_compilation = v;
    /// Run Cranelift's IR verifier on generated code, which slows compilation
    /// (`wasmtime_config_cranelift_debug_verifier_set`).
    cranelift_debug_verifier(bool) => wasmtime_config_cranelift_debug_verifier_set, s => |v: bool| s.cranelift_set("enable_verifier", &v.to_string(), false);
    /// Canonicalize NaNs produced by float instructions, for determinism
    /// (`wasmtime_config_cranelift_nan_canonicalization_set`).
    cranelift_nan_canonicalization(bool) => wasmtime_config_cranelift_nan_canonicalization_set, s => |v: bool| s.cranelift_set("enable_nan_canonicalization", &v.to_string(), false);
    /// Register unwind info for compiled code with the host's unwinder
    /// (`wasmtime_config_native_unwind_info_set`).
    native_unwind_info(bool) => wasmtime_config_native_unwind_info_set, s => |v| s.native_unwind_info = Some(v);

    /// Whether a linear memory may move when it grows
    /// (`wasmtime_config_memory_may_move_set`).
    memory_may_move(bool) => wasmtime_config_memory_may_move_set, s => |v| s.memory_may_move = Some(v);
    /// Bytes of virtual memory reserved up front for each linear memory
    /// (`wasmtime_config_memory_reservation_set`).
    memory_reservation(u64) => wasmtime_config_memory_reservation_set, s => |v| s.memory_reservation = Some(v);
    /// Bytes of guard region after each linear memory
    /// (`wasmtime_config_memory_guard_size_set`).
    memory_guard_size(u64) => wasmtime_config_memory_guard_size_set, s => |v| s.memory_guard_size = Some(v);
    /// Extra bytes reserved when a linear memory moves to grow
    /// (`wasmtime_config_memory_reservation_for_growth_set`).
    memory_reservation_for_growth(u64) => wasmtime_config_memory_reservation_for_growth_set, s => |v| s.memory_reservation_for_growth = Some(v);
    /// Initialize linear memories copy-on-write from the module image
    /// (`wasmtime_config_memory_init_cow_set`).
    memory_init_cow(bool) => wasmtime_config_memory_init_cow_set, s => |v| s.memory_init_cow = Some(v);
    /// Catch traps with signal handlers rather than explicit checks
    /// (`wasmtime_config_signals_based_traps_set`).
    signals_based_traps(bool) => wasmtime_config_signals_based_traps_set, s => |v| s.signals_based_traps = Some(v);
    /// On macOS, catch traps with Mach ports rather than signals; ignored
    /// elsewhere (`wasmtime_config_macos_use_mach_ports_set`).
    macos_use_mach_ports(bool) => wasmtime_config_macos_use_mach_ports_set;
    /// Stack size, in bytes, of the fibers running async wasm
    /// (`wasmtime_config_async_stack_size_set`).
    async_stack_size(usize) => wasmtime_config_async_stack_size_set, s => |v| s.async_stack_size = v;
}

/// How wasm is compiled, as `wasmtime::Strategy` (`wasmtime_strategy_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// Let Wasmtime choose: Cranelift in this build (`WASMTIME_STRATEGY_AUTO`).
    #[default]
    Auto,
    /// The optimizing Cranelift compiler (`WASMTIME_STRATEGY_CRANELIFT`).
    Cranelift,
    /// The Winch baseline compiler (`WASMTIME_STRATEGY_WINCH`). Not compiled
    /// into this build: [`Engine::new`](crate::Engine::new) fails with it.
    Winch,
}

impl Strategy {
    fn to_raw(self) -> sys::wasmtime_strategy_t {
        (match self {
            Strategy::Auto => sys::WASMTIME_STRATEGY_AUTO,
            Strategy::Cranelift => sys::WASMTIME_STRATEGY_CRANELIFT,
            Strategy::Winch => sys::WASMTIME_STRATEGY_WINCH,
        }) as sys::wasmtime_strategy_t
    }
}

/// Cranelift's optimization level, as `wasmtime::OptLevel`
/// (`wasmtime_opt_level_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OptLevel {
    /// No optimizations: fastest compilation (`WASMTIME_OPT_LEVEL_NONE`).
    None,
    /// Optimize for speed (the default, `WASMTIME_OPT_LEVEL_SPEED`).
    #[default]
    Speed,
    /// Optimize for speed and size (`WASMTIME_OPT_LEVEL_SPEED_AND_SIZE`).
    SpeedAndSize,
}

impl OptLevel {
    fn to_raw(self) -> sys::wasmtime_opt_level_t {
        (match self {
            OptLevel::None => sys::WASMTIME_OPT_LEVEL_NONE,
            OptLevel::Speed => sys::WASMTIME_OPT_LEVEL_SPEED,
            OptLevel::SpeedAndSize => sys::WASMTIME_OPT_LEVEL_SPEED_AND_SIZE,
        }) as sys::wasmtime_opt_level_t
    }
}

/// Which profiler compiled code is reported to, as
/// `wasmtime::ProfilingStrategy` (`wasmtime_profiling_strategy_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfilingStrategy {
    /// No profiling (the default, `WASMTIME_PROFILING_STRATEGY_NONE`).
    #[default]
    None,
    /// `perf`'s jitdump format, written to `./jit-<pid>.dump`; Linux only
    /// (`WASMTIME_PROFILING_STRATEGY_JITDUMP`).
    JitDump,
    /// Intel VTune, through ittapi; x86-64 only
    /// (`WASMTIME_PROFILING_STRATEGY_VTUNE`).
    VTune,
    /// `perf`'s map format, written to `/tmp/perf-<pid>.map`; Unix only
    /// (`WASMTIME_PROFILING_STRATEGY_PERFMAP`).
    PerfMap,
}

impl ProfilingStrategy {
    fn to_raw(self) -> sys::wasmtime_profiling_strategy_t {
        (match self {
            ProfilingStrategy::None => sys::WASMTIME_PROFILING_STRATEGY_NONE,
            ProfilingStrategy::JitDump => sys::WASMTIME_PROFILING_STRATEGY_JITDUMP,
            ProfilingStrategy::VTune => sys::WASMTIME_PROFILING_STRATEGY_VTUNE,
            ProfilingStrategy::PerfMap => sys::WASMTIME_PROFILING_STRATEGY_PERFMAP,
        }) as sys::wasmtime_profiling_strategy_t
    }
}

/// Cranelift's register allocator, as `wasmtime::RegallocAlgorithm`
/// (`wasmtime_regalloc_algorithm_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RegallocAlgorithm {
    /// Better code, slower compilation (the default,
    /// `WASMTIME_REGALLOC_BACKTRACKING`).
    #[default]
    Backtracking,
    /// Faster compilation, worse code (`WASMTIME_REGALLOC_SINGLE_PASS`).
    SinglePass,
}

impl RegallocAlgorithm {
    fn to_raw(self) -> sys::wasmtime_regalloc_algorithm_t {
        (match self {
            RegallocAlgorithm::Backtracking => sys::WASMTIME_REGALLOC_BACKTRACKING,
            RegallocAlgorithm::SinglePass => sys::WASMTIME_REGALLOC_SINGLE_PASS,
        }) as sys::wasmtime_regalloc_algorithm_t
    }
}

#[cfg(test)]
mod tests {
    //! The replayed C calls really reach the C engine: settings observable
    //! when compiling a module through the raw C API.

    use super::*;
    use crate::owned::take_byte_vec;

    /// Builds a C engine from `config` and compiles `wat` with it.
    fn compile_in_c(config: &Config, wat: &str) -> Result<()> {
        let raw = config.to_raw()?;
        // SAFETY: `to_raw` validated the config; C takes ownership of it.
        let engine = unsafe { Owned::from_raw(sys::wasm_engine_new_with_config(raw.into_raw())) }.unwrap();
        let mut wasm = sys::wasm_byte_vec_t::default();
        // SAFETY: `wat` is `wat.len()` readable bytes; `wasm` is filled in on success.
        unsafe { Error::check(sys::wasmtime_wat2wasm(wat.as_ptr().cast(), wat.len(), &mut wasm))? };
        // SAFETY: `wasm` is owned, filled in by C.
        let bytes = unsafe { take_byte_vec(wasm) };
        let mut module = std::ptr::null_mut();
        // SAFETY: the engine is live; `bytes` is readable; `module` is an out-parameter.
        unsafe { Error::check(sys::wasmtime_module_new(engine.as_ptr(), bytes.as_ptr(), bytes.len(), &mut module))? };
        // SAFETY: on success `module` is owned by us.
        drop(unsafe { Owned::from_raw(module) });
        Ok(())
    }

    const SIMD: &str = "(module (func (result v128) v128.const i64x2 0 0))";
    const TWO_MEMORIES: &str = "(module (memory 1) (memory 1))";

    #[test]
    fn default_config_compiles_simd_and_multi_memory() {
        compile_in_c(&Config::new(), SIMD).unwrap();
        compile_in_c(&Config::new(), TWO_MEMORIES).unwrap();
    }

    #[test]
    fn disabled_simd_reaches_c() {
        let mut config = Config::new();
        config.wasm_relaxed_simd(false).wasm_simd(false);
        let err = format!("{:#}", compile_in_c(&config, SIMD).unwrap_err());
        assert!(err.contains("SIMD support is not enabled"), "{err}");
    }

    #[test]
    fn pooling_limits_reach_c() {
        let mut pooling = PoolingAllocationConfig::new();
        pooling.total_core_instances(2).total_memories(4).total_tables(2).max_memory_size(1 << 20).max_memories_per_module(1);
        let mut config = Config::new();
        config.memory_reservation(1 << 20).memory_guard_size(0).pooling_allocation_strategy(&pooling);
        compile_in_c(&config, "(module (memory 1))").unwrap();
        let err = format!("{:#}", compile_in_c(&config, TWO_MEMORIES).unwrap_err());
        assert!(err.contains("defined memories count of 2 exceeds the per-instance limit of 1"), "{err}");
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn fallible_settings_replay_without_error() {
        let mut config = Config::new();
        config.target(&format!("{}-unknown-linux-gnu", std::env::consts::ARCH)).unwrap();
        // SAFETY: a standard Cranelift setting.
        unsafe { config.cranelift_flag_set("opt_level", "none").unwrap() };
        compile_in_c(&config, SIMD).unwrap();
    }
}
