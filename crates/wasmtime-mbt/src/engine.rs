//! `Engine`: compilation settings and the compiled code they produce.

use std::sync::Arc;

use wasmtime_mbt_sys as sys;

use crate::owned::Owned;
use crate::{Config, Error, Result};

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
    raw: Arc<Owned<sys::wasm_engine_t>>,
}

// SAFETY: `wasm_engine_t` wraps `wasmtime::Engine`, which is `Send + Sync`;
// every C function taking an engine is safe to call from any thread.
unsafe impl Send for Engine {}
// SAFETY: as above.
unsafe impl Sync for Engine {}

impl Default for Engine {
    /// An engine with the default configuration (`wasm_engine_new`).
    fn default() -> Engine {
        // SAFETY: `wasm_engine_new` returns an owned engine.
        let raw = unsafe { Owned::from_raw(sys::wasm_engine_new()) }.expect("wasm_engine_new returned null");
        Engine { raw: Arc::new(raw) }
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Engine").field(&self.raw.as_ptr()).finish()
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
        Ok(Engine { raw: Arc::new(raw) })
    }

    /// Whether two handles are the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.raw, &b.raw)
    }

    /// Increments the epoch of every store on this engine
    /// (`wasmtime_engine_increment_epoch`); see
    /// [`Store::set_epoch_deadline`](crate::Store::set_epoch_deadline).
    pub fn increment_epoch(&self) {
        // SAFETY: the engine is live; the C function is thread-safe.
        unsafe { sys::wasmtime_engine_increment_epoch(self.raw.as_ptr()) }
    }

    /// Whether this engine runs the Pulley interpreter (`wasmtime_engine_is_pulley`).
    ///
    /// ```
    /// assert!(!wasmtime_mbt::Engine::default().is_pulley());
    /// ```
    pub fn is_pulley(&self) -> bool {
        // SAFETY: the engine is live.
        unsafe { sys::wasmtime_engine_is_pulley(self.raw.as_ptr()) }
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
        self.raw.as_ptr()
    }
}
