//! Store resource limits, as `wasmtime`'s `limits` module:
//! [`StoreLimits`] built with [`StoreLimitsBuilder`], applied through
//! [`Store::limiter`](crate::Store::limiter) as a [`ResourceLimiter`].

use crate::Result;

/// Wasmtime's default limit on instances, tables and memories per store.
const DEFAULT_LIMIT: usize = 10000;

mod sealed {
    /// Seals [`ResourceLimiter`](super::ResourceLimiter): the C API applies
    /// fixed limits only, so [`StoreLimits`](super::StoreLimits) is the one
    /// limiter it can back.
    pub trait Sealed {
        /// The limits to hand to `wasmtime_store_limiter`.
        fn store_limits(&self) -> &super::StoreLimits;
    }
}

/// Decides how far memories and tables may grow and how many instances,
/// tables and memories a store may hold, as `wasmtime::ResourceLimiter`.
///
/// Sealed: the C API (`wasmtime_store_limiter`) takes fixed numbers and has
/// no callback while memories and tables grow, so [`StoreLimits`] is the
/// only implementation. Its methods answer as Wasmtime's `StoreLimits` does.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::{ResourceLimiter, StoreLimitsBuilder};
/// let mut limits = StoreLimitsBuilder::new().memory_size(1 << 16).instances(3).build();
/// assert!(limits.memory_growing(0, 1 << 16, None)?);
/// assert!(!limits.memory_growing(0, 2 << 16, None)?);
/// assert_eq!((limits.instances(), limits.tables()), (3, 10000));
/// # Ok(()) }
/// ```
pub trait ResourceLimiter: Send + sealed::Sealed {
    /// Whether a memory may grow from `current` to `desired` bytes.
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool>;

    /// Called when growing a memory failed; `Ok` ignores the failure.
    fn memory_grow_failed(&mut self, error: crate::Error) -> Result<()> {
        let _ = error;
        Ok(())
    }

    /// Whether a table may grow from `current` to `desired` elements.
    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool>;

    /// Called when growing a table failed; `Ok` ignores the failure.
    fn table_grow_failed(&mut self, error: crate::Error) -> Result<()> {
        let _ = error;
        Ok(())
    }

    /// The most instances a store may hold.
    fn instances(&self) -> usize {
        DEFAULT_LIMIT
    }

    /// The most tables a store may hold.
    fn tables(&self) -> usize {
        DEFAULT_LIMIT
    }

    /// The most memories a store may hold.
    fn memories(&self) -> usize {
        DEFAULT_LIMIT
    }
}

/// Resource limits for a store, as `wasmtime::StoreLimits`; see
/// [`Store::limiter`](crate::Store::limiter). `None` sizes keep Wasmtime's
/// default (no limit beyond the type's maximum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    memory_size: Option<usize>,
    table_elements: Option<usize>,
    instances: usize,
    tables: usize,
    memories: usize,
}

impl Default for StoreLimits {
    fn default() -> StoreLimits {
        StoreLimits { memory_size: None, table_elements: None, instances: DEFAULT_LIMIT, tables: DEFAULT_LIMIT, memories: DEFAULT_LIMIT }
    }
}

/// Whether growing to `desired` stays within `limit` and `maximum`.
fn allowed(limit: Option<usize>, desired: usize, maximum: Option<usize>) -> bool {
    limit.is_none_or(|limit| desired <= limit) && maximum.is_none_or(|max| desired <= max)
}

impl sealed::Sealed for StoreLimits {
    fn store_limits(&self) -> &StoreLimits {
        self
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> Result<bool> {
        Ok(allowed(self.memory_size, desired, maximum))
    }

    fn table_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> Result<bool> {
        Ok(allowed(self.table_elements, desired, maximum))
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.tables
    }

    fn memories(&self) -> usize {
        self.memories
    }
}

/// The arguments of `wasmtime_store_limiter` (negative: Wasmtime's default).
pub(crate) struct CLimits {
    pub(crate) memory_size: i64,
    pub(crate) table_elements: i64,
    pub(crate) instances: i64,
    pub(crate) tables: i64,
    pub(crate) memories: i64,
}

/// The C arguments for `limiter`.
pub(crate) fn c_limits(limiter: &dyn ResourceLimiter) -> CLimits {
    let limits = limiter.store_limits();
    let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
    let size = |v: Option<usize>| v.map_or(-1, n);
    CLimits {
        memory_size: size(limits.memory_size),
        table_elements: size(limits.table_elements),
        instances: n(limits.instances),
        tables: n(limits.tables),
        memories: n(limits.memories),
    }
}

/// Builds [`StoreLimits`], as `wasmtime::StoreLimitsBuilder`.
///
/// ```
/// let limits = wasmtime_mbt::StoreLimitsBuilder::new().instances(2).memories(1).build();
/// # let _ = limits;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    /// No limits beyond Wasmtime's defaults.
    pub fn new() -> StoreLimitsBuilder {
        StoreLimitsBuilder::default()
    }

    /// Maximum bytes a linear memory may grow to.
    pub fn memory_size(mut self, limit: usize) -> Self {
        self.0.memory_size = Some(limit);
        self
    }

    /// Maximum elements of a table.
    pub fn table_elements(mut self, limit: usize) -> Self {
        self.0.table_elements = Some(limit);
        self
    }

    /// Maximum instances in the store.
    pub fn instances(mut self, limit: usize) -> Self {
        self.0.instances = limit;
        self
    }

    /// Maximum tables in the store.
    pub fn tables(mut self, tables: usize) -> Self {
        self.0.tables = tables;
        self
    }

    /// Maximum memories in the store.
    pub fn memories(mut self, memories: usize) -> Self {
        self.0.memories = memories;
        self
    }

    /// The limits.
    pub fn build(self) -> StoreLimits {
        self.0
    }
}
