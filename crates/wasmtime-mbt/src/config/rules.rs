//! Wasmtime 48's rules for a valid `Config`, checked in Rust before C sees it.
//!
//! `wasm_engine_new_with_config` calls `Engine::new(&config).unwrap()`: a
//! configuration Wasmtime rejects aborts the process. [`check`] therefore
//! re-implements, for the settings this crate exposes, every way
//! `wasmtime::Engine::new` 48.0.8 can fail: `Config::validate`, the compiler
//! builder (`Config::build_compiler`), the pooling allocator's pools and the
//! profilers. Messages are Wasmtime's.
//!
//! Two kinds of settings are refused rather than risked, because their
//! outcome depends on more than this crate can see:
//!
//! - Cranelift settings outside a known list ([`CRANELIFT_SETTINGS`],
//!   [`CRANELIFT_X86_FLAGS`]): Cranelift has dozens, per ISA.
//! - Pooling counts (`total_memories`, …) above 2^20: Wasmtime allocates
//!   its bookkeeping for them up front, and fails (aborts) out of memory
//!   at some size this crate cannot know.
//! - With a prebuilt library, anything that depends on how the library was
//!   built: the Winch strategy, component-model concurrency, other targets
//!   than the host.
//!
//! The rules are checked against native `wasmtime::Engine::new` by the
//! differential test in `crates/compat/tests/config_rules.rs`.

use crate::{Error, Result};

use super::{ProfilingStrategy, Strategy};

/// What the linked Wasmtime was built with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Build {
    /// Built from source by this workspace (features known exactly), rather
    /// than a prebuilt library (release defaults assumed, the rest refused).
    pub bundled: bool,
    pub cranelift: bool,
    pub winch: bool,
    pub gc: bool,
    pub pooling: bool,
    pub component_model_async: bool,
}

impl Build {
    /// The Wasmtime this crate links.
    ///
    /// A prebuilt library is assumed to have the features of Wasmtime's
    /// release builds of the C API (its CMake defaults); what those may lack
    /// elsewhere (Winch, concurrency) is refused by [`check`].
    pub(crate) fn linked() -> Build {
        use wasmtime_mbt_sys::build;
        if !build::BUNDLED {
            return Build { bundled: false, cranelift: true, winch: false, gc: true, pooling: true, component_model_async: false };
        }
        Build {
            bundled: true,
            cranelift: build::CRANELIFT,
            winch: build::WINCH,
            gc: build::GC,
            pooling: build::POOLING_ALLOCATOR,
            // `wasmtime-mbt-sys` does not forward `component-model-async`.
            component_model_async: false,
        }
    }
}

/// The wasm proposals whose setting can make `Engine::new` fail.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Features {
    pub simd: Option<bool>,
    pub relaxed_simd: Option<bool>,
    pub tail_call: Option<bool>,
    pub function_references: Option<bool>,
    pub gc: Option<bool>,
    pub gc_types: Option<bool>,
    pub exceptions: Option<bool>,
    pub stack_switching: Option<bool>,
}

/// Every setting of a `PoolingAllocationConfig` (what sizes the pools is
/// validated; `Engine::get_pooling_config` reports them all).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pooling {
    pub total_memories: u32,
    pub total_tables: u32,
    pub total_stacks: u32,
    pub total_gc_heaps: u32,
    pub total_core_instances: u32,
    pub total_component_instances: u32,
    pub table_elements: usize,
    pub max_memory_size: usize,
    pub max_unused_warm_slots: u32,
    pub decommit_batch_size: usize,
    pub async_stack_keep_resident: usize,
    pub linear_memory_keep_resident: usize,
    pub table_keep_resident: usize,
    pub max_component_instance_size: usize,
    pub max_core_instances_per_component: u32,
    pub max_memories_per_component: u32,
    pub max_tables_per_component: u32,
    pub max_core_instance_size: usize,
    pub max_tables_per_module: u32,
    pub max_memories_per_module: u32,
}

impl Default for Pooling {
    /// `wasmtime::PoolingAllocationConfig::default()` on a 64-bit host
    /// (`PoolingAllocationConfig` and `InstanceLimits` defaults in Wasmtime
    /// 48.0.8's `config.rs`).
    fn default() -> Pooling {
        Pooling {
            total_memories: 1000,
            total_tables: 1000,
            total_stacks: 1000,
            total_gc_heaps: 1000,
            total_core_instances: 1000,
            total_component_instances: 1000,
            table_elements: 20_000,
            max_memory_size: 1 << 32,
            max_unused_warm_slots: 100,
            decommit_batch_size: 1,
            async_stack_keep_resident: 0,
            linear_memory_keep_resident: 0,
            table_keep_resident: 0,
            max_component_instance_size: 1 << 20,
            max_core_instances_per_component: u32::MAX,
            max_memories_per_component: u32::MAX,
            max_tables_per_component: u32::MAX,
            max_core_instance_size: 1 << 20,
            max_tables_per_module: 1,
            max_memories_per_module: 1,
        }
    }
}

/// Every setting of a `Config` that takes part in validation.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub strategy: Strategy,
    pub profiler: ProfilingStrategy,
    pub target: Option<String>,
    /// `cranelift_flag_set` calls, in order (the last one wins).
    pub cranelift_settings: Vec<(String, String)>,
    /// `cranelift_flag_enable` calls.
    pub cranelift_flags: Vec<String>,
    pub features: Features,
    pub max_wasm_stack: usize,
    pub async_stack_size: usize,
    pub signals_based_traps: Option<bool>,
    pub native_unwind_info: Option<bool>,
    pub concurrency_support: Option<bool>,
    pub memory_reservation: Option<u64>,
    pub memory_guard_size: Option<u64>,
    pub pooling: Option<Pooling>,

    // Settings validation does not need, recorded for the `Engine::get_*`
    // getters (`None`: Wasmtime's default).
    /// `cranelift_flag_set` settings still user-specified, as Wasmtime's
    /// `UserSpecified::Yes`: a later setter of the same name (such as
    /// `cranelift_opt_level`) takes the setting over.
    pub cranelift_user_settings: Vec<(String, String)>,
    /// Proposals explicitly enabled and disabled (`Config::wasm_*`), as
    /// Wasmtime's `enabled_features`/`disabled_features`.
    pub enabled_features: crate::WasmFeatures,
    pub disabled_features: crate::WasmFeatures,
    pub debug_info: Option<bool>,
    pub consume_fuel: Option<bool>,
    pub epoch_interruption: Option<bool>,
    pub memory_may_move: Option<bool>,
    pub memory_reservation_for_growth: Option<u64>,
    pub memory_init_cow: Option<bool>,
    pub relaxed_simd_deterministic: Option<bool>,
    pub branch_hinting: Option<bool>,
    pub parallel_compilation: bool,
    pub shared_memory: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            strategy: Strategy::Auto,
            profiler: ProfilingStrategy::None,
            target: None,
            cranelift_settings: Vec::new(),
            cranelift_flags: Vec::new(),
            features: Features::default(),
            max_wasm_stack: 512 * 1024,
            async_stack_size: 2 << 20,
            signals_based_traps: None,
            native_unwind_info: None,
            concurrency_support: None,
            memory_reservation: None,
            memory_guard_size: None,
            pooling: None,
            cranelift_user_settings: Vec::new(),
            enabled_features: crate::WasmFeatures::empty(),
            disabled_features: crate::WasmFeatures::empty(),
            debug_info: None,
            consume_fuel: None,
            epoch_interruption: None,
            memory_may_move: None,
            memory_reservation_for_growth: None,
            memory_init_cow: None,
            relaxed_simd_deterministic: None,
            branch_hinting: None,
            parallel_compilation: true,
            shared_memory: false,
        }
    }
}

impl Settings {
    /// A Cranelift setting: `user` for `cranelift_flag_set`, not for the
    /// `cranelift_*` convenience setters (Wasmtime's `UserSpecified`).
    pub(crate) fn cranelift_set(&mut self, name: &str, value: &str, user: bool) {
        self.cranelift_settings.push((name.to_string(), value.to_string()));
        self.cranelift_user_settings.retain(|(n, _)| n != name);
        if user {
            self.cranelift_user_settings.push((name.to_string(), value.to_string()));
        }
    }

    /// `Config::wasm_features(flag, enable)`.
    pub(crate) fn feature(&mut self, flag: crate::WasmFeatures, enable: bool) {
        self.enabled_features.set(flag, enable);
        self.disabled_features.set(flag, !enable);
    }
}

/// A Cranelift setting's kind: a boolean, or one of some names.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Bool,
    Enum(&'static [&'static str]),
}

/// The shared Cranelift settings this crate can check (of
/// `cranelift-codegen` 0.135), with their kinds.
pub(crate) const CRANELIFT_SETTINGS: &[(&str, Kind)] = &[
    ("opt_level", Kind::Enum(&["none", "speed", "speed_and_size"])),
    ("regalloc_algorithm", Kind::Enum(&["backtracking", "single_pass"])),
    ("enable_verifier", Kind::Bool),
    ("enable_nan_canonicalization", Kind::Bool),
    ("enable_alias_analysis", Kind::Bool),
    ("enable_heap_access_spectre_mitigation", Kind::Bool),
    ("enable_table_access_spectre_mitigation", Kind::Bool),
    ("unwind_info", Kind::Bool),
    ("preserve_frame_pointers", Kind::Bool),
    ("stack_switch_model", Kind::Enum(&["none", "basic", "update_windows_tib"])),
];

/// The x86-64 ISA flags this crate can check (booleans).
pub(crate) const CRANELIFT_X86_FLAGS: &[&str] = &[
    "has_sse3", "has_ssse3", "has_sse41", "has_sse42", "has_avx", "has_avx2", "has_fma", "has_bmi1", "has_bmi2",
    "has_lzcnt", "has_popcnt",
];

/// Every other name Cranelift 0.135 knows (shared settings, and the x86-64
/// flags and presets): accepted by Wasmtime, but not checked here.
const CRANELIFT_UNCHECKED: &[&str] = &[
    "regalloc_checker", "regalloc_verbose_logs", "is_pic", "use_colocated_libcalls", "enable_pinned_reg", "tls_model",
    "libcall_call_conv", "enable_llvm_abi_extensions", "enable_multi_ret_implicit_sret", "machine_code_cfg_info",
    "enable_probestack", "probestack_size_log2", "probestack_strategy", "enable_incremental_compilation_cache_checks",
    "bb_padding_log2_minus_one", "log2_min_function_alignment", "enable_compact_unwind_abi", "has_cmpxchg16b",
    "has_avx_vnni", "has_avx512bitalg", "has_avx512dq", "has_avx512vl", "has_avx512vbmi", "has_avx512f",
    "has_avx512vnni", "sse3", "ssse3", "sse41", "sse42", "bonnell", "slm", "tremont", "corei7", "westmere", "skylake",
    "opteron", "k8", "athlon64", "bdver3",
];

/// Cranelift's message for a name it does not know.
fn no_such_setting(name: &str) -> Error {
    Error::msg(format!("No existing setting named '{name}'"))
}

/// Whether `name` is a Cranelift setting this crate cannot check.
fn known_unchecked(name: &str) -> bool {
    CRANELIFT_UNCHECKED.contains(&name) || (std::env::consts::ARCH != "x86_64" && CRANELIFT_X86_FLAGS.contains(&name))
}

fn cranelift_kind(name: &str) -> Option<Kind> {
    if let Some((_, kind)) = CRANELIFT_SETTINGS.iter().find(|(n, _)| *n == name) {
        return Some(*kind);
    }
    (std::env::consts::ARCH == "x86_64" && CRANELIFT_X86_FLAGS.contains(&name)).then_some(Kind::Bool)
}

pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// The error of a setting whose outcome this crate cannot predict.
fn unchecked(what: impl std::fmt::Display) -> Error {
    Error::msg(format!(
        "wasmtime-mbt cannot check {what} before handing the config to the C API \
         (whose wasm_engine_new_with_config aborts the process on a config Wasmtime rejects), \
         so it is refused"
    ))
}

/// The architecture and operating-system parts of a target triple, which
/// `Config::target` has already had Wasmtime parse (a bad triple never gets
/// here).
fn target_parts(target: &str) -> (&str, &str) {
    let parts: Vec<&str> = target.split('-').collect();
    let os = parts.get(2).or(parts.get(1)).copied().unwrap_or("");
    (parts[0], os)
}

/// Which operating system a triple's OS part names, as far as the rules care.
fn os_family(os: &str) -> &str {
    if os.starts_with("darwin") || os.starts_with("macos") {
        "macos"
    } else if os.starts_with("windows") {
        "windows"
    } else if os.starts_with("linux") {
        "linux"
    } else {
        os
    }
}

/// `Err` with Wasmtime's message if `wasmtime::Engine::new` 48.0.8 would
/// reject `settings` on a Wasmtime built as `build`.
pub(crate) fn check(settings: &Settings, build: &Build) -> Result<()> {
    let s = settings;
    let host_os = os_family(std::env::consts::OS);
    let (arch, os) = match &s.target {
        None => (std::env::consts::ARCH.to_string(), host_os.to_string()),
        Some(target) => {
            let (arch, os) = target_parts(target);
            (arch.to_string(), os_family(os).to_string())
        }
    };
    if arch != std::env::consts::ARCH && !build.bundled {
        return Err(unchecked(format_args!("the target {:?} against a prebuilt library", s.target.as_deref().unwrap_or(""))));
    }
    let strategy = match s.strategy {
        Strategy::Auto => Strategy::Cranelift,
        other => other,
    };
    if strategy == Strategy::Winch && !build.bundled {
        return Err(unchecked("the Winch strategy against a prebuilt library"));
    }
    let f = &s.features;
    // `compiler_panicking_wasm_features`: explicitly enabled features the
    // compiler cannot handle, reported by the first in wasmparser's order.
    let unsupported: Vec<(&str, Option<bool>)> = match strategy {
        Strategy::Winch => vec![
            ("relaxed_simd", f.relaxed_simd),
            // Winch on aarch64 lacks threads too.
            ("threads", (arch == "aarch64" && s.enabled_features.contains(crate::WasmFeatures::THREADS)).then_some(true)),
            ("tail_call", f.tail_call),
            ("exceptions", f.exceptions),
            ("function_references", f.function_references),
            ("gc", f.gc),
            ("gc_types", f.gc_types),
            ("stack_switching", f.stack_switching),
        ],
        _ if !(arch == "x86_64" && (os == "linux" || os == "macos")) => vec![("stack_switching", f.stack_switching)],
        _ => vec![],
    };
    if let Some((name, _)) = unsupported.iter().find(|(_, on)| *on == Some(true)) {
        return Err(Error::msg(format!("the wasm_{name} feature is not supported on this compiler configuration")));
    }
    if s.max_wasm_stack > s.async_stack_size {
        return Err(Error::msg("max_wasm_stack size cannot exceed the async_stack_size"));
    }
    if s.max_wasm_stack == 0 {
        return Err(Error::msg("max_wasm_stack size cannot be zero"));
    }
    // Features after defaults and the compiler's mask.
    let winch = strategy == Strategy::Winch;
    let on = |explicit: Option<bool>, default: bool| explicit.unwrap_or(default);
    let gc_types = on(f.gc_types, build.gc && !winch);
    let exceptions = on(f.exceptions, build.gc && !winch);
    let simd = on(f.simd, true);
    let relaxed_simd = on(f.relaxed_simd, !winch);
    let stack_switching = on(f.stack_switching, false);
    if !build.gc && gc_types {
        return Err(Error::msg("support for GC was disabled at compile time"));
    }
    if !build.gc && exceptions {
        return Err(Error::msg("exceptions support requires garbage collection (GC) to be enabled in the build"));
    }
    let concurrency = s.concurrency_support.unwrap_or(build.component_model_async);
    if s.concurrency_support == Some(true) && !build.bundled {
        return Err(unchecked("concurrency_support(true) against a prebuilt library"));
    }
    if concurrency && !build.component_model_async {
        return Err(Error::msg("concurrency support was requested but was not compiled into this build of Wasmtime"));
    }

    // Tunables, as `Tunables::default_for_target` then the config's own.
    let signals_based_traps = s.signals_based_traps.unwrap_or(true);
    let memory_reservation = s.memory_reservation.unwrap_or(1 << 32);
    let memory_guard_size = s.memory_guard_size.unwrap_or(32 << 20);

    // `build_compiler`.
    match strategy {
        Strategy::Cranelift if !build.cranelift => return Err(Error::msg("cranelift support not compiled in")),
        Strategy::Winch if !build.winch => return Err(Error::msg("winch support not compiled in")),
        _ => {}
    }
    if arch != std::env::consts::ARCH {
        // Only the host's backend (no `all-arch`, no `pulley`) is compiled in.
        return Err(Error::msg("Support for this target is disabled"));
    }
    // The settings map: a later value for a name replaces an earlier one.
    let mut settings: Vec<(&str, String)> = Vec::new();
    for (name, value) in &s.cranelift_settings {
        settings.retain(|(n, _)| n != name);
        settings.push((name.as_str(), value.clone()));
    }
    let setting = |settings: &[(&str, String)], name: &str| settings.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
    // `ensure_setting_unset_or_given`: true if unset (and then sets it) or
    // already `value`.
    let mut unset_or = |name: &'static str, value: &str| match setting(&settings, name) {
        None => {
            settings.push((name, value.to_string()));
            true
        }
        Some(v) => v == value,
    };
    if let Some(unwind) = s.native_unwind_info {
        if !unset_or("unwind_info", &unwind.to_string()) {
            return Err(Error::msg("incompatible settings requested for Cranelift and Wasmtime `unwind-info` settings"));
        }
    }
    if os == "windows" && !unset_or("unwind_info", "true") {
        return Err(Error::msg("`native_unwind_info` cannot be disabled on Windows"));
    }
    if !signals_based_traps
        && !(unset_or("enable_table_access_spectre_mitigation", "false") && unset_or("enable_heap_access_spectre_mitigation", "false"))
    {
        return Err(Error::msg("when signals-based traps are disabled then spectre mitigations must also be disabled"));
    }
    if relaxed_simd && !simd {
        return Err(Error::msg("cannot disable the simd proposal but enable the relaxed simd proposal"));
    }
    if stack_switching {
        let model = match os.as_str() {
            "windows" => "update_windows_tib",
            "linux" | "macos" => "basic",
            _ => return Err(Error::msg("stack-switching feature not supported on this platform ")),
        };
        if !unset_or("stack_switch_model", model) {
            return Err(Error::msg(format!("compiler option 'stack_switch_model' must be set to '{model}' on this platform")));
        }
    }
    // Settings first, then flags, as `build_compiler` applies them.
    for (name, value) in &settings {
        let name = *name;
        match cranelift_kind(name) {
            None if known_unchecked(name) => return Err(unchecked(format_args!("the Cranelift setting {name:?}"))),
            None => return Err(no_such_setting(name)),
            Some(Kind::Bool) if parse_bool(value).is_none() => {
                return Err(Error::msg("Unexpected value for a setting, expected bool"))
            }
            Some(Kind::Enum(choices)) if !choices.contains(&value.as_str()) => {
                return Err(Error::msg(format!("Unexpected value for a setting, expected any among {}", choices.join(", "))))
            }
            Some(_) => {}
        }
    }
    for name in &s.cranelift_flags {
        match cranelift_kind(name) {
            None if known_unchecked(name) => return Err(unchecked(format_args!("the Cranelift flag {name:?}"))),
            None => return Err(no_such_setting(name)),
            Some(Kind::Enum(_)) => return Err(Error::msg("Trying to set a setting with the wrong type")),
            Some(Kind::Bool) => {}
        }
    }

    // `build_allocator`.
    if let Some(pooling) = &s.pooling {
        if !build.pooling {
            return Err(Error::msg("the pooling allocator was disabled at compile time"));
        }
        check_pooling(pooling, memory_reservation, memory_guard_size, s.async_stack_size)?;
    }
    // `build_profiler`.
    check_profiler(s.profiler)
}

/// `PoolingInstanceAllocator::new`: the pools' sizes, and a trial
/// reservation of each, as Wasmtime maps them.
fn check_pooling(p: &Pooling, memory_reservation: u64, memory_guard_size: u64, stack_size: usize) -> Result<()> {
    // Counts whose bookkeeping Wasmtime allocates up front (about 1.8 KiB a
    // slot: 2^24 slots abort natively too, out of memory).
    const MAX_SLOTS: u32 = 1 << 20;
    for (name, count) in [
        ("total_memories", p.total_memories),
        ("total_tables", p.total_tables),
        ("total_stacks", p.total_stacks),
        ("total_gc_heaps", p.total_gc_heaps),
        ("total_core_instances", p.total_core_instances),
        ("total_component_instances", p.total_component_instances),
    ] {
        if count > MAX_SLOTS {
            return Err(unchecked(format_args!("a pooling limit {name} above {MAX_SLOTS} ({count})")));
        }
    }
    let page = page_size();
    let round = |bytes: u64| bytes.checked_next_multiple_of(page);
    let too_large = |what: &str| Error::msg(what.to_string());
    // MemoryPool.
    if p.max_memory_size as u64 > memory_reservation {
        return Err(Error::msg(format!(
            "maximum memory size of {:#x} bytes exceeds the configured memory reservation of {:#x} bytes",
            p.max_memory_size, memory_reservation
        )));
    }
    let expected_slot = round(memory_reservation).ok_or_else(|| too_large("memory reservation is too large"))?;
    let max_memory = round(p.max_memory_size as u64).ok_or_else(|| too_large("maximum size of memory is too large"))?;
    let guard = round(memory_guard_size).ok_or_else(|| too_large("guard region is too large"))?;
    let faulting = expected_slot.max(max_memory).checked_add(guard).ok_or_else(|| too_large("faulting region is too large"))?;
    let slot = faulting;
    let post_guard = faulting.saturating_sub(slot);
    let slab = slot
        .checked_mul(u64::from(p.total_memories))
        .and_then(|b| b.checked_add(guard))
        .and_then(|b| b.checked_add(post_guard))
        .filter(|b| usize::try_from(*b).is_ok())
        .ok_or_else(|| too_large("total size of memory reservation exceeds addressable memory"))?;
    trial_map(slab, false).map_err(|e| Error::msg(format!("failed to create memory pool mapping: {e}")))?;
    // TablePool: 8-byte elements.
    let table = 8usize
        .checked_mul(p.table_elements)
        .and_then(|b| round(b as u64))
        .ok_or_else(|| too_large("table size exceeds addressable memory"))?;
    let tables = table
        .checked_mul(u64::from(p.total_tables))
        .filter(|b| usize::try_from(*b).is_ok())
        .ok_or_else(|| too_large("total size of tables exceeds addressable memory"))?;
    trial_map(tables, true).map_err(|e| Error::msg(format!("failed to create table pool mapping: {e}")))?;
    // StackPool: one guard page per stack, each a separate mapping.
    if stack_size > 0 {
        let stack = round(stack_size as u64)
            .and_then(|b| b.checked_add(page))
            .ok_or_else(|| too_large("stack size exceeds addressable memory"))?;
        let stacks = stack
            .checked_mul(u64::from(p.total_stacks))
            .filter(|b| usize::try_from(*b).is_ok())
            .ok_or_else(|| too_large("total size of execution stacks exceeds addressable memory"))?;
        if let Some(free) = free_mappings() {
            // Each guard page splits the mapping: two mappings a stack,
            // plus the few the other pools just made. Past that, Wasmtime's
            // `mprotect` fails.
            if u64::from(p.total_stacks) * 2 + 8 > free {
                return Err(Error::msg("failed to protect stack guard page"));
            }
        }
        trial_map(stacks, true).map_err(|e| Error::msg(format!("failed to create stack pool mapping: {e}")))?;
    }
    Ok(())
}

fn page_size() -> u64 {
    // SAFETY: `sysconf` has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).unwrap_or(4096)
}

/// How many more memory mappings `vm.max_map_count` allows this process.
fn free_mappings() -> Option<u64> {
    let max: u64 = std::fs::read_to_string("/proc/sys/vm/max_map_count").ok()?.trim().parse().ok()?;
    let used = std::fs::read_to_string("/proc/self/maps").ok()?.lines().count() as u64;
    Some(max.saturating_sub(used))
}

/// Reserves (then releases) `bytes` of address space as Wasmtime's `Mmap`
/// does: private, anonymous, `MAP_NORESERVE`; inaccessible or read-write.
fn trial_map(bytes: u64, accessible: bool) -> std::io::Result<()> {
    if bytes == 0 {
        return Ok(());
    }
    let len = usize::try_from(bytes).map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
    let prot = if accessible { libc::PROT_READ | libc::PROT_WRITE } else { libc::PROT_NONE };
    // SAFETY: a fresh anonymous mapping at an address of the kernel's
    // choosing touches no existing memory; it is unmapped at once.
    unsafe {
        let ptr = libc::mmap(std::ptr::null_mut(), len, prot, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE, -1, 0);
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        libc::munmap(ptr, len);
    }
    Ok(())
}

/// `build_profiler`: the profilers open their files when the engine is built.
fn check_profiler(profiler: ProfilingStrategy) -> Result<()> {
    let pid = std::process::id();
    // Opened as the profiler opens it (jitdump: read-write, to be mapped;
    // perfmap: append), but never truncated: the check must not clobber a
    // dump another engine of this process is writing.
    let open = |path: String, read_write: bool| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true);
        if read_write {
            options.read(true);
        } else {
            options.append(true);
        }
        options.open(&path).map(drop).map_err(|e| Error::msg(format!("{e}")))
    };
    match profiler {
        ProfilingStrategy::None => Ok(()),
        ProfilingStrategy::JitDump => open(format!("./jit-{pid}.dump"), true),
        ProfilingStrategy::PerfMap => open(format!("/tmp/perf-{pid}.map"), false),
        ProfilingStrategy::VTune if std::env::consts::ARCH == "x86_64" => Ok(()),
        ProfilingStrategy::VTune => Err(Error::msg("VTune profiling is not supported on this platform")),
    }
}
