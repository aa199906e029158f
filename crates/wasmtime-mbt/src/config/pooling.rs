//! `PoolingAllocationConfig`: every `wasmtime_pooling_allocation_config_*_set`
//! of the C API as a builder method.
//!
//! Same design as [`Config`](crate::Config): each setting that sizes a pool
//! is noted (validated with the rest of the `Config` when an engine is
//! built) and every setting is recorded as a C call, replayed on a fresh
//! `wasmtime_pooling_allocation_config_t` for each engine.

use std::sync::Arc;

use wasmtime_mbt_sys as sys;

use crate::owned::Owned;
use crate::{Error, Result};

/// One recorded C call, replayed on a fresh pooling config.
type Replay = Arc<dyn Fn(*mut sys::wasmtime_pooling_allocation_config_t) + Send + Sync>;

/// Limits and tuning of the pooling instance allocator, as
/// `wasmtime::PoolingAllocationConfig`; use it with
/// [`Config::pooling_allocation_strategy`](crate::Config::pooling_allocation_strategy).
///
/// The defaults are Wasmtime's, which reserve a lot of virtual memory; small
/// hosts and tests should lower the limits.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::{Config, Engine, PoolingAllocationConfig};
/// let mut pooling = PoolingAllocationConfig::new();
/// pooling
///     .total_core_instances(2)
///     .total_memories(2)
///     .total_tables(2)
///     .max_memory_size(1 << 20)
///     .table_elements(100);
/// let mut config = Config::new();
/// config.memory_reservation(1 << 20).memory_guard_size(0).pooling_allocation_strategy(&pooling);
/// let engine = Engine::new(&config)?;
/// # drop(engine); Ok(()) }
/// ```
#[derive(Clone)]
pub struct PoolingAllocationConfig {
    limits: super::rules::Pooling,
    replay: Vec<Replay>,
}

impl Default for PoolingAllocationConfig {
    fn default() -> PoolingAllocationConfig {
        PoolingAllocationConfig::new()
    }
}

impl std::fmt::Debug for PoolingAllocationConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolingAllocationConfig").field("settings", &self.replay.len()).finish_non_exhaustive()
    }
}

impl PoolingAllocationConfig {
    /// Wasmtime's default limits, as `wasmtime_pooling_allocation_config_new`.
    pub fn new() -> PoolingAllocationConfig {
        PoolingAllocationConfig { limits: super::rules::Pooling::default(), replay: Vec::new() }
    }

    /// Records one setting: noted now for validation, applied later to C.
    fn record(
        &mut self,
        note: impl FnOnce(&mut super::rules::Pooling),
        c: impl Fn(*mut sys::wasmtime_pooling_allocation_config_t) + Send + Sync + 'static,
    ) -> &mut PoolingAllocationConfig {
        note(&mut self.limits);
        self.replay.push(Arc::new(c));
        self
    }

    /// The limits that size the pools, for validation.
    pub(super) fn limits(&self) -> super::rules::Pooling {
        self.limits
    }

    /// A fresh C pooling config with every recorded setting applied.
    pub(super) fn to_raw(&self) -> Result<Owned<sys::wasmtime_pooling_allocation_config_t>> {
        // SAFETY: `wasmtime_pooling_allocation_config_new` returns an owned config.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_pooling_allocation_config_new()) }
            .ok_or_else(|| Error::msg("wasmtime_pooling_allocation_config_new failed"))?;
        for apply in &self.replay {
            apply(raw.as_ptr());
        }
        Ok(raw)
    }
}

/// Generates the setters: same name on `wasmtime::PoolingAllocationConfig`,
/// `wasmtime_pooling_allocation_config_<name>_set` in C.
macro_rules! pooling_settings {
    ($($(#[$doc:meta])* $name:ident($ty:ty) => $c:ident;)*) => {
        impl PoolingAllocationConfig {$(
            $(#[$doc])*
            pub fn $name(&mut self, value: $ty) -> &mut PoolingAllocationConfig {
                self.record(
                    |limits| limits.$name = value,
                    // SAFETY: the pointer is the live pooling config being built.
                    move |c| unsafe { sys::$c(c, value) },
                )
            }
        )*}
    };
}

pooling_settings! {
    /// How many unused slots are kept warm (not decommitted) for reuse
    /// (`wasmtime_pooling_allocation_config_max_unused_warm_slots_set`).
    max_unused_warm_slots(u32) => wasmtime_pooling_allocation_config_max_unused_warm_slots_set;
    /// How many slots are decommitted together
    /// (`wasmtime_pooling_allocation_config_decommit_batch_size_set`).
    decommit_batch_size(usize) => wasmtime_pooling_allocation_config_decommit_batch_size_set;
    /// Bytes of each async stack kept resident (zeroed by hand rather than
    /// decommitted) when reused
    /// (`wasmtime_pooling_allocation_config_async_stack_keep_resident_set`).
    async_stack_keep_resident(usize) => wasmtime_pooling_allocation_config_async_stack_keep_resident_set;
    /// Bytes of each linear memory kept resident when its slot is reused
    /// (`wasmtime_pooling_allocation_config_linear_memory_keep_resident_set`).
    linear_memory_keep_resident(usize) => wasmtime_pooling_allocation_config_linear_memory_keep_resident_set;
    /// Bytes of each table kept resident when its slot is reused
    /// (`wasmtime_pooling_allocation_config_table_keep_resident_set`).
    table_keep_resident(usize) => wasmtime_pooling_allocation_config_table_keep_resident_set;
    /// Maximum number of component instances alive at once
    /// (`wasmtime_pooling_allocation_config_total_component_instances_set`).
    total_component_instances(u32) => wasmtime_pooling_allocation_config_total_component_instances_set;
    /// Maximum size, in bytes, of a component instance's metadata
    /// (`wasmtime_pooling_allocation_config_max_component_instance_size_set`).
    max_component_instance_size(usize) => wasmtime_pooling_allocation_config_max_component_instance_size_set;
    /// Maximum core instances in one component instance
    /// (`wasmtime_pooling_allocation_config_max_core_instances_per_component_set`).
    max_core_instances_per_component(u32) => wasmtime_pooling_allocation_config_max_core_instances_per_component_set;
    /// Maximum linear memories in one component instance
    /// (`wasmtime_pooling_allocation_config_max_memories_per_component_set`).
    max_memories_per_component(u32) => wasmtime_pooling_allocation_config_max_memories_per_component_set;
    /// Maximum tables in one component instance
    /// (`wasmtime_pooling_allocation_config_max_tables_per_component_set`).
    max_tables_per_component(u32) => wasmtime_pooling_allocation_config_max_tables_per_component_set;
    /// Maximum linear memories alive at once
    /// (`wasmtime_pooling_allocation_config_total_memories_set`).
    total_memories(u32) => wasmtime_pooling_allocation_config_total_memories_set;
    /// Maximum tables alive at once
    /// (`wasmtime_pooling_allocation_config_total_tables_set`).
    total_tables(u32) => wasmtime_pooling_allocation_config_total_tables_set;
    /// Maximum async stacks alive at once
    /// (`wasmtime_pooling_allocation_config_total_stacks_set`).
    total_stacks(u32) => wasmtime_pooling_allocation_config_total_stacks_set;
    /// Maximum core instances alive at once
    /// (`wasmtime_pooling_allocation_config_total_core_instances_set`).
    total_core_instances(u32) => wasmtime_pooling_allocation_config_total_core_instances_set;
    /// Maximum size, in bytes, of a core instance's metadata
    /// (`wasmtime_pooling_allocation_config_max_core_instance_size_set`).
    max_core_instance_size(usize) => wasmtime_pooling_allocation_config_max_core_instance_size_set;
    /// Maximum tables defined by one core module
    /// (`wasmtime_pooling_allocation_config_max_tables_per_module_set`).
    max_tables_per_module(u32) => wasmtime_pooling_allocation_config_max_tables_per_module_set;
    /// Maximum elements of one table
    /// (`wasmtime_pooling_allocation_config_table_elements_set`).
    table_elements(usize) => wasmtime_pooling_allocation_config_table_elements_set;
    /// Maximum linear memories defined by one core module
    /// (`wasmtime_pooling_allocation_config_max_memories_per_module_set`).
    max_memories_per_module(u32) => wasmtime_pooling_allocation_config_max_memories_per_module_set;
    /// Maximum size, in bytes, of one linear memory
    /// (`wasmtime_pooling_allocation_config_max_memory_size_set`).
    max_memory_size(usize) => wasmtime_pooling_allocation_config_max_memory_size_set;
    /// Maximum GC heaps alive at once
    /// (`wasmtime_pooling_allocation_config_total_gc_heaps_set`).
    total_gc_heaps(u32) => wasmtime_pooling_allocation_config_total_gc_heaps_set;
}

/// Generates the getters, as `wasmtime::PoolingAllocationConfig::get_*`:
/// the value set, or Wasmtime's default.
macro_rules! pooling_getters {
    ($($getter:ident -> $ty:ty = $field:ident;)*) => {
        impl PoolingAllocationConfig {$(
            #[doc = concat!("The configured [`", stringify!($field), "`](PoolingAllocationConfig::", stringify!($field), "), as `wasmtime::PoolingAllocationConfig::", stringify!($getter), "`.")]
            pub fn $getter(&self) -> $ty {
                self.limits.$field
            }
        )*}
    };
}

pooling_getters! {
    get_decommit_batch_size -> usize = decommit_batch_size;
    get_max_unused_warm_slots -> u32 = max_unused_warm_slots;
    get_memory_keep_resident -> usize = linear_memory_keep_resident;
    get_table_keep_resident -> usize = table_keep_resident;
    get_async_stack_keep_resident -> usize = async_stack_keep_resident;
    get_total_core_instances -> u32 = total_core_instances;
    get_total_component_instances -> u32 = total_component_instances;
    get_total_memories -> u32 = total_memories;
    get_total_tables -> u32 = total_tables;
    get_total_stacks -> u32 = total_stacks;
    get_total_gc_heaps -> u32 = total_gc_heaps;
    get_max_memory_size -> usize = max_memory_size;
    get_table_elements -> usize = table_elements;
    get_max_core_instance_size -> usize = max_core_instance_size;
    get_max_component_instance_size -> usize = max_component_instance_size;
    get_max_core_instances_per_component -> u32 = max_core_instances_per_component;
    get_max_memories_per_component -> u32 = max_memories_per_component;
    get_max_tables_per_component -> u32 = max_tables_per_component;
    get_max_tables_per_module -> u32 = max_tables_per_module;
    get_max_memories_per_module -> u32 = max_memories_per_module;
}
