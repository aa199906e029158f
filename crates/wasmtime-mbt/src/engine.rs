//! `Engine`: compilation settings and the compiled code they produce.

use std::sync::{Arc, Weak};

use wasmtime_mbt_sys as sys;

use crate::config::resolved::Resolved;
use crate::owned::Owned;
use crate::{Config, Error, OptLevel, PoolingAllocationConfig, RegallocAlgorithm, Result, Strategy, WasmFeatures};

/// A Wasmtime engine, as `wasmtime::Engine`: cheap to clone (reference
/// counted), `Send + Sync`, shared by stores and modules.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::{Config, Engine};
/// let engine = Engine::new(Config::new().epoch_interruption(true))?;
/// let clone = engine.clone();
/// clone.increment_epoch();
/// assert!(Engine::same(&engine, &clone));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

/// What an engine handle shares: the C engine, and the configuration it was
/// built from, which the `get_*` getters answer from (the C API has none).
struct EngineInner {
    raw: Owned<sys::wasm_engine_t>,
    config: Config,
    resolved: Resolved,
}

// SAFETY: `wasm_engine_t` wraps `wasmtime::Engine`, which is `Send + Sync`;
// every C function taking an engine is safe to call from any thread. The
// config and resolved settings are plain data.
unsafe impl Send for EngineInner {}
// SAFETY: as above.
unsafe impl Sync for EngineInner {}

// The config's recorded C calls are `dyn Fn`s, not known to be unwind
// safe; but an engine's config is never changed after the engine is built
// (only read, or cloned), so a panic cannot leave it half-updated. An
// `Engine` stays unwind safe, as it was before it kept its config.
impl std::panic::UnwindSafe for EngineInner {}
impl std::panic::RefUnwindSafe for EngineInner {}

impl EngineInner {
    fn new(raw: Owned<sys::wasm_engine_t>, config: &Config) -> Arc<EngineInner> {
        Arc::new(EngineInner { raw, config: config.clone(), resolved: config.resolved() })
    }
}

impl Default for Engine {
    /// An engine with the default configuration (`wasm_engine_new`).
    fn default() -> Engine {
        // SAFETY: `wasm_engine_new` returns an owned engine.
        let raw = unsafe { Owned::from_raw(sys::wasm_engine_new()) }.expect("wasm_engine_new returned null");
        Engine { inner: EngineInner::new(raw, &Config::new()) }
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Engine").field(&self.inner.raw.as_ptr()).finish()
    }
}

impl Engine {
    /// An engine for `config`. An invalid or unsupported configuration is an
    /// `Err` with Wasmtime's message (the C API would abort the process).
    ///
    /// ```
    /// use wasmtime_mbt::{Config, Engine};
    /// assert!(Engine::new(&Config::new()).is_ok());
    /// ```
    pub fn new(config: &Config) -> Result<Engine> {
        let raw_config = config.to_raw()?;
        // SAFETY: the config was validated, so this does not abort; the C
        // function takes ownership of it and returns an owned engine.
        let engine = unsafe { Owned::from_raw(sys::wasm_engine_new_with_config(raw_config.into_raw())) };
        let raw = engine.ok_or_else(|| Error::msg("wasm_engine_new_with_config returned null"))?;
        Ok(Engine { inner: EngineInner::new(raw, config) })
    }

    /// The configuration this engine was built from, as
    /// `wasmtime::Engine::config` (a copy: changing the original `Config`
    /// later does not change it).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine};
    /// let engine = Engine::new(Config::new().consume_fuel(true))?;
    /// // Another engine with the same settings.
    /// let again = Engine::new(engine.config())?;
    /// assert!(again.get_consume_fuel());
    /// # Ok(()) }
    /// ```
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// A weak reference to this engine, which does not keep it alive, as
    /// `wasmtime::Engine::weak`.
    ///
    /// ```
    /// use wasmtime_mbt::Engine;
    /// let engine = Engine::default();
    /// let weak = engine.weak();
    /// assert!(Engine::same(&weak.upgrade().unwrap(), &engine));
    /// drop(engine);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn weak(&self) -> EngineWeak {
        EngineWeak { inner: Arc::downgrade(&self.inner) }
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// Whether the engine records execution for replay, as
    /// `wasmtime::Engine::is_recording`: never, since the C API cannot
    /// configure record/replay (`Config::rr`).
    pub fn is_recording(&self) -> bool {
        false
    }

    /// Whether the engine replays a recorded execution, as
    /// `wasmtime::Engine::is_replaying`: never, as for
    /// [`is_recording`](Engine::is_recording).
    pub fn is_replaying(&self) -> bool {
        false
    }

    /// Increments the epoch of every store on this engine
    /// (`wasmtime_engine_increment_epoch`); see
    /// [`Store::set_epoch_deadline`](crate::Store::set_epoch_deadline).
    pub fn increment_epoch(&self) {
        // SAFETY: the engine is live; the C function is thread-safe.
        unsafe { sys::wasmtime_engine_increment_epoch(self.inner.raw.as_ptr()) }
    }

    /// Whether this engine runs the Pulley interpreter (`wasmtime_engine_is_pulley`).
    ///
    /// ```
    /// assert!(!wasmtime_mbt::Engine::default().is_pulley());
    /// ```
    pub fn is_pulley(&self) -> bool {
        // SAFETY: the engine is live.
        unsafe { sys::wasmtime_engine_is_pulley(self.inner.raw.as_ptr()) }
    }

    /// Compiles wasm (or wat) to the serialized form that
    /// [`Module::deserialize`](crate::Module::deserialize) loads, as
    /// `wasmtime::Engine::precompile_module`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let engine = wasmtime_mbt::Engine::default();
    /// let bytes = engine.precompile_module(b"(module)")?;
    /// assert!(!bytes.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn precompile_module(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        crate::Module::new(self, bytes)?.serialize()
    }

    /// The C engine, borrowed.
    pub(crate) fn as_raw(&self) -> *mut sys::wasm_engine_t {
        self.inner.raw.as_ptr()
    }
}

/// A weak reference to an [`Engine`], as `wasmtime::EngineWeak`: it does not
/// keep the engine alive. `EngineWeak::default()` never upgrades.
///
/// ```
/// use wasmtime_mbt::{Engine, EngineWeak};
/// let engine = Engine::default();
/// let weak: EngineWeak = engine.weak();
/// // For example, a thread that ticks the epoch only while the engine lives.
/// let ticker = std::thread::spawn(move || {
///     let mut ticks = 0;
///     while let Some(engine) = weak.upgrade() {
///         engine.increment_epoch();
///         ticks += 1;
///         drop(engine);
///         std::thread::sleep(std::time::Duration::from_millis(1));
///     }
///     ticks
/// });
/// std::thread::sleep(std::time::Duration::from_millis(10));
/// drop(engine);
/// assert!(ticker.join().unwrap() > 0);
/// assert!(EngineWeak::default().upgrade().is_none());
/// ```
#[derive(Clone, Default)]
pub struct EngineWeak {
    inner: Weak<EngineInner>,
}

impl EngineWeak {
    /// The engine, if a strong handle ([`Engine`]) to it still exists, as
    /// `wasmtime::EngineWeak::upgrade`.
    pub fn upgrade(&self) -> Option<Engine> {
        self.inner.upgrade().map(|inner| Engine { inner })
    }
}

/// The settings of the engine, as `wasmtime::Engine`'s `get_*` getters: what
/// the [`Config`] set, and otherwise Wasmtime 48.0.8's default for this host
/// and build. The C API has no getters: these are worked out in Rust from the
/// `Config` the engine was built with, by Wasmtime's own rules.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::{Config, Engine, OptLevel, WasmFeatures};
///
/// let engine = Engine::default();
/// assert_eq!(engine.get_memory_reservation(), 1 << 32);
/// assert_eq!(engine.get_memory_guard_size(), 32 << 20);
/// assert_eq!(engine.get_max_wasm_stack(), 512 * 1024);
/// assert_eq!(engine.get_cranelift_opt_level(), Some(OptLevel::Speed));
/// assert!(!engine.get_consume_fuel());
/// assert!(engine.get_pooling_config().is_none());
/// assert!(engine.get_wasm_features().contains(WasmFeatures::SIMD | WasmFeatures::GC_TYPES));
///
/// let mut config = Config::new();
/// config.consume_fuel(true).max_wasm_stack(64 << 10).cranelift_opt_level(OptLevel::None).wasm_simd(false).wasm_relaxed_simd(false);
/// let engine = Engine::new(&config)?;
/// assert!(engine.get_consume_fuel());
/// assert_eq!(engine.get_max_wasm_stack(), 64 << 10);
/// assert_eq!(engine.get_cranelift_opt_level(), Some(OptLevel::None));
/// assert!(!engine.get_wasm_features().simd());
/// # Ok(()) }
/// ```
impl Engine {
    fn resolved(&self) -> &Resolved {
        &self.inner.resolved
    }

    /// The configured [`Config::memory_may_move`] value.
    pub fn get_memory_may_move(&self) -> bool {
        self.resolved().memory_may_move
    }

    /// The configured [`Config::memory_reservation`] value.
    pub fn get_memory_reservation(&self) -> u64 {
        self.resolved().memory_reservation
    }

    /// The configured [`Config::memory_reservation_for_growth`] value.
    pub fn get_memory_reservation_for_growth(&self) -> u64 {
        self.resolved().memory_reservation_for_growth
    }

    /// The configured [`Config::memory_guard_size`] value.
    pub fn get_memory_guard_size(&self) -> u64 {
        self.resolved().memory_guard_size
    }

    /// The configured [`Config::memory_init_cow`] value.
    pub fn get_memory_init_cow(&self) -> bool {
        self.resolved().memory_init_cow
    }

    /// The configured [`Config::signals_based_traps`] value.
    pub fn get_signals_based_traps(&self) -> bool {
        self.resolved().signals_based_traps
    }

    /// The compiler's optimization level ([`Config::cranelift_opt_level`],
    /// or the `opt_level` of [`Config::cranelift_flag_set`]).
    pub fn get_cranelift_opt_level(&self) -> Option<OptLevel> {
        self.resolved().cranelift_opt_level
    }

    /// The compiler's register allocator
    /// ([`Config::cranelift_regalloc_algorithm`]).
    pub fn get_cranelift_regalloc_algorithm(&self) -> Option<RegallocAlgorithm> {
        self.resolved().cranelift_regalloc_algorithm
    }

    /// The configured [`Config::strategy`], `Auto` resolved to the compiler
    /// used (Cranelift).
    pub fn get_strategy(&self) -> Option<Strategy> {
        self.resolved().strategy
    }

    /// Whether the compiler runs Cranelift's verifier
    /// ([`Config::cranelift_debug_verifier`]).
    pub fn get_cranelift_debug_verifier(&self) -> Option<bool> {
        self.resolved().cranelift_debug_verifier
    }

    /// Whether the compiler emits native unwind info
    /// ([`Config::native_unwind_info`]).
    pub fn get_native_unwind_info(&self) -> Option<bool> {
        self.resolved().native_unwind_info
    }

    /// The configured [`Config::parallel_compilation`] value.
    pub fn get_parallel_compilation(&self) -> bool {
        self.resolved().parallel_compilation
    }

    /// The pooling allocator's configuration, if the engine uses it
    /// ([`Config::pooling_allocation_strategy`]).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine, PoolingAllocationConfig};
    /// let mut pooling = PoolingAllocationConfig::new();
    /// pooling.total_memories(2).total_tables(2).total_core_instances(2).max_memory_size(1 << 20);
    /// let mut config = Config::new();
    /// config.memory_reservation(1 << 20).memory_guard_size(0).pooling_allocation_strategy(&pooling);
    /// let engine = Engine::new(&config)?;
    /// let pooling = engine.get_pooling_config().unwrap();
    /// assert_eq!(pooling.get_total_memories(), 2);
    /// assert_eq!(pooling.get_table_elements(), 20_000);
    /// # Ok(()) }
    /// ```
    pub fn get_pooling_config(&self) -> Option<&PoolingAllocationConfig> {
        self.inner.config.pooling_config()
    }

    /// The wasm proposals enabled in this engine: Wasmtime's defaults for
    /// this build and compiler, then the `Config::wasm_*` settings.
    pub fn get_wasm_features(&self) -> WasmFeatures {
        self.resolved().wasm_features
    }

    /// The configured [`Config::async_stack_size`] value.
    pub fn get_async_stack_size(&self) -> usize {
        self.resolved().async_stack_size
    }

    /// The configured [`Config::wasm_branch_hinting`] value.
    pub fn get_wasm_branch_hinting(&self) -> bool {
        self.resolved().branch_hinting
    }

    /// The configured [`Config::concurrency_support`] value.
    pub fn get_concurrency_support(&self) -> bool {
        self.resolved().concurrency_support
    }

    /// The configured [`Config::epoch_interruption`] value.
    pub fn get_epoch_interruption(&self) -> bool {
        self.resolved().epoch_interruption
    }

    /// The configured [`Config::consume_fuel`] value.
    pub fn get_consume_fuel(&self) -> bool {
        self.resolved().consume_fuel
    }

    /// The configured [`Config::max_wasm_stack`] value.
    pub fn get_max_wasm_stack(&self) -> usize {
        self.resolved().max_wasm_stack
    }

    /// Whether the compiler canonicalizes NaNs
    /// ([`Config::cranelift_nan_canonicalization`]).
    pub fn get_cranelift_nan_canonicalization(&self) -> Option<bool> {
        self.resolved().cranelift_nan_canonicalization
    }

    /// The configured [`Config::relaxed_simd_deterministic`] value.
    pub fn get_relaxed_simd_deterministic(&self) -> bool {
        self.resolved().relaxed_simd_deterministic
    }

    /// The configured [`Config::shared_memory`] value.
    pub fn get_shared_memory(&self) -> bool {
        self.resolved().shared_memory
    }

    /// The configured [`Config::debug_info`] value.
    pub fn get_debug_info(&self) -> bool {
        self.resolved().debug_info
    }

    /// The target compiled for ([`Config::target`], or the host), as
    /// Wasmtime prints the triple.
    pub fn get_target(&self) -> Option<String> {
        self.resolved().target.clone()
    }

    /// The flags enabled with [`Config::cranelift_flag_enable`].
    pub fn get_cranelift_flags_enabled(&self) -> impl Iterator<Item = &str> {
        self.resolved().cranelift_flags_enabled.iter().map(String::as_str)
    }

    /// The settings set with [`Config::cranelift_flag_set`], unless a later
    /// setter of the same setting (such as [`Config::cranelift_opt_level`])
    /// replaced them.
    pub fn get_cranelift_flags_set(&self) -> impl Iterator<Item = (&str, &str)> {
        self.resolved().cranelift_flags_set.iter().map(|(name, value)| (name.as_str(), value.as_str()))
    }
}
