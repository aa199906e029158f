//! [`WasmFeatures`]: the wasm proposals an engine enables, our own copy of
//! `wasmparser` 0.254's `WasmFeatures` (the type `wasmtime` 48.0.8
//! re-exports), so the safe crate does not build `wasmparser` for it.
//!
//! Every flag has wasmparser's name, bit value, declaration order (which
//! `Debug` and iteration follow) and default; the composites `MVP`, `WASM1`,
//! `WASM2`, `WASM3` and `LIME1` are the same unions. Both types come from
//! `bitflags` 2 with the same derives, so they have the same methods,
//! operators and `Debug` output. It is a different type all the same: a
//! value cannot be passed where a `wasmparser::WasmFeatures` is expected
//! (rebuild one with `wasmparser::WasmFeatures::from_bits_retain(f.bits())`).

/// Defines [`WasmFeatures`] (one flag a line: the getter's name, the
/// constant's name, its bits and its default), its `Default`, the per-flag
/// getters and [`WasmFeaturesInflated`], as wasmparser's
/// `define_wasm_features!` does.
macro_rules! define_wasm_features {
    (
        $(#[$outer:meta])*
        pub struct WasmFeatures: $repr:ty {
            $(
                $(#[doc = $doc:literal])*
                pub $field:ident: $const:ident($flag:expr) = $default:expr;
            )*
        }
    ) => {
        bitflags::bitflags! {
            $(#[$outer])*
            pub struct WasmFeatures: $repr {
                $(
                    $(#[doc = $doc])*
                    #[doc = concat!("\nDefaults to `", stringify!($default), "`.")]
                    const $const = $flag;
                )*
            }
        }

        /// The set wasmparser enables by default: the flags documented as
        /// defaulting to `true` (all the phase-4 proposals). This is not what an
        /// [`Engine`](crate::Engine) enables: see
        /// [`Engine::get_wasm_features`](crate::Engine::get_wasm_features).
        ///
        /// ```
        /// use wasmtime_mbt::WasmFeatures;
        ///
        /// let features = WasmFeatures::default();
        /// assert!(features.contains(WasmFeatures::WASM3 | WasmFeatures::COMPONENT_MODEL | WasmFeatures::CM_ASYNC));
        /// assert!(!features.stack_switching() && !features.custom_page_sizes());
        /// ```
        impl Default for WasmFeatures {
            #[inline]
            fn default() -> Self {
                let mut features = WasmFeatures::empty();
                $(features.set(WasmFeatures::$const, $default);)*
                features
            }
        }

        impl WasmFeatures {
            /// Builds the bit-packed set from the one-field-a-flag struct.
            ///
            /// ```
            /// use wasmtime_mbt::WasmFeatures;
            ///
            /// let f = WasmFeatures::WASM2;
            /// assert_eq!(WasmFeatures::from_inflated(f.inflate()), f);
            /// ```
            #[inline]
            pub fn from_inflated(inflated: WasmFeaturesInflated) -> Self {
                let mut features = WasmFeatures::empty();
                $(features.set(WasmFeatures::$const, inflated.$field);)*
                features
            }

            /// The set as a struct with one `bool` field a flag, named as the
            /// getters, which can be matched on exhaustively.
            ///
            /// ```
            /// use wasmtime_mbt::WasmFeatures;
            ///
            /// let inflated = WasmFeatures::WASM2.inflate();
            /// assert!(inflated.simd && !inflated.gc);
            /// ```
            #[inline]
            pub fn inflate(&self) -> WasmFeaturesInflated {
                WasmFeaturesInflated { $($field: self.$field(),)* }
            }

            $(
                #[doc = concat!("Whether all the bits of [`WasmFeatures::", stringify!($const), "`] are set: `self.contains(WasmFeatures::", stringify!($const), ")`.")]
                #[inline]
                pub fn $field(&self) -> bool {
                    self.contains(WasmFeatures::$const)
                }
            )*
        }

        /// [`WasmFeatures`] with one field a flag, for exhaustive matching
        /// ([`WasmFeatures::inflate`], [`WasmFeatures::from_inflated`]). In
        /// `wasmtime` this is `wasmparser::WasmFeaturesInflated`, not re-exported.
        pub struct WasmFeaturesInflated {
            $(
                $(#[doc = $doc])*
                #[doc = concat!("\nDefaults to `", stringify!($default), "`.")]
                pub $field: bool,
            )*
        }
    };
}

define_wasm_features! {
    /// The WebAssembly proposals and features enabled for validation: a
    /// `u64` of bit flags, as `wasmtime::WasmFeatures` (wasmparser 0.254's
    /// `WasmFeatures`), with its constants, bit values and methods.
    ///
    /// An engine's set is [`Engine::get_wasm_features`](crate::Engine::get_wasm_features);
    /// the `Config::wasm_*` methods change it. The `bitflags` 2 methods
    /// (`empty`, `all`, `contains`, `intersects`, `insert`, `remove`, `set`,
    /// `toggle`, `union`, `bits`, `from_bits`, `from_bits_truncate`,
    /// `from_bits_retain`, `from_name`, `iter`, `iter_names`, …) and
    /// operators (`|`, `&`, `^`, `!`, `-` and their assignments) are there,
    /// plus one getter a flag (`simd()`, `gc()`, …). `Debug` prints the
    /// flag names as wasmparser's does.
    ///
    /// It is not the same type as `wasmparser::WasmFeatures`: see the
    /// [`docs/API.md`](crate::api_map) row.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Config, Engine, WasmFeatures};
    ///
    /// let mut features = WasmFeatures::WASM2;
    /// assert!(features.simd() && !features.gc());
    /// features.insert(WasmFeatures::GC);
    /// assert!(features.contains(WasmFeatures::GC | WasmFeatures::SIMD));
    /// features.set(WasmFeatures::SIMD, false);
    /// assert!(!features.simd());
    /// assert_eq!(WasmFeatures::SIMD.bits(), 1 << 6);
    /// assert_eq!(format!("{:?}", WasmFeatures::MVP), "WasmFeatures(FLOATS | GC_TYPES)");
    /// assert_eq!(format!("{:?}", WasmFeatures::empty()), "WasmFeatures(0x0)");
    /// assert_eq!(WasmFeatures::from_bits_truncate(u64::MAX), WasmFeatures::all());
    /// let names: Vec<&str> = WasmFeatures::WASM1.iter_names().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["MUTABLE_GLOBAL", "FLOATS", "GC_TYPES"]);
    ///
    /// let mut config = Config::new();
    /// config.wasm_simd(false).wasm_relaxed_simd(false);
    /// let engine = Engine::new(&config)?;
    /// let enabled = engine.get_wasm_features();
    /// assert!(!enabled.simd() && enabled.contains(WasmFeatures::BULK_MEMORY | WasmFeatures::GC));
    /// # Ok(()) }
    /// ```
    #[derive(Hash, Debug, Copy, Clone, Eq, PartialEq)]
    pub struct WasmFeatures: u64 {
        /// The WebAssembly `mutable-global` proposal.
        pub mutable_global: MUTABLE_GLOBAL(1) = true;
        /// The WebAssembly `saturating-float-to-int` proposal.
        pub saturating_float_to_int: SATURATING_FLOAT_TO_INT(1 << 1) = true;
        /// The WebAssembly `sign-extension-ops` proposal.
        pub sign_extension: SIGN_EXTENSION(1 << 2) = true;
        /// The WebAssembly reference types proposal: two bits, `1 << 3` for
        /// the proposal and [`WasmFeatures::CALL_INDIRECT_OVERLONG`] (the part
        /// that `LIME1` has).
        pub reference_types: REFERENCE_TYPES((1 << 3) | Self::CALL_INDIRECT_OVERLONG.bits()) = true;
        /// The WebAssembly multi-value proposal.
        pub multi_value: MULTI_VALUE(1 << 4) = true;
        /// The WebAssembly bulk memory operations proposal: two bits, `1 << 5`
        /// for the proposal and [`WasmFeatures::BULK_MEMORY_OPT`] (the part
        /// that `LIME1` has).
        pub bulk_memory: BULK_MEMORY((1 << 5) | Self::BULK_MEMORY_OPT.bits()) = true;
        /// The WebAssembly SIMD proposal.
        pub simd: SIMD(1 << 6) = true;
        /// The WebAssembly Relaxed SIMD proposal.
        pub relaxed_simd: RELAXED_SIMD(1 << 7) = true;
        /// The WebAssembly threads proposal.
        pub threads: THREADS(1 << 8) = true;
        /// The WebAssembly shared-everything-threads proposal; includes new
        /// component model built-ins.
        pub shared_everything_threads: SHARED_EVERYTHING_THREADS(1 << 9) = false;
        /// The WebAssembly tail-call proposal.
        pub tail_call: TAIL_CALL(1 << 10) = true;
        /// Whether floating-point instructions and types are allowed: not a
        /// proposal, a way for an embedding to reject floats (whose NaN
        /// patterns may differ between hosts).
        pub floats: FLOATS(1 << 11) = true;
        /// The WebAssembly multi memory proposal.
        pub multi_memory: MULTI_MEMORY(1 << 12) = true;
        /// The WebAssembly exception handling proposal.
        pub exceptions: EXCEPTIONS(1 << 13) = true;
        /// The WebAssembly memory64 proposal.
        pub memory64: MEMORY64(1 << 14) = true;
        /// The WebAssembly extended_const proposal.
        pub extended_const: EXTENDED_CONST(1 << 15) = true;
        /// The WebAssembly component model proposal.
        pub component_model: COMPONENT_MODEL(1 << 16) = true;
        /// The WebAssembly typed function references proposal.
        pub function_references: FUNCTION_REFERENCES(1 << 17) = true;
        /// The WebAssembly memory control proposal.
        pub memory_control: MEMORY_CONTROL(1 << 18) = false;
        /// The WebAssembly gc proposal.
        pub gc: GC(1 << 19) = true;
        /// The WebAssembly custom-page-sizes proposal.
        pub custom_page_sizes: CUSTOM_PAGE_SIZES(1 << 20) = false;
        /// The WebAssembly legacy exception handling proposal (phase 1).
        pub legacy_exceptions: LEGACY_EXCEPTIONS(1 << 23) = false;
        /// Whether GC types (`externref`, `anyref`, …; not `funcref` or
        /// `exnref`) are allowed: not a proposal, a way for an engine without
        /// a garbage collector to reject them. `externref` also needs
        /// [`WasmFeatures::REFERENCE_TYPES`].
        pub gc_types: GC_TYPES(1 << 24) = true;
        /// The WebAssembly stack-switching proposal.
        pub stack_switching: STACK_SWITCHING(1 << 25) = false;
        /// The WebAssembly wide-arithmetic proposal.
        pub wide_arithmetic: WIDE_ARITHMETIC(1 << 26) = false;
        /// The component model's `value` type (🪙 in the component model's
        /// Explainer).
        pub cm_values: CM_VALUES(1 << 21) = false;
        /// Nested namespaces and packages in component model names (🪺).
        pub cm_nested_names: CM_NESTED_NAMES(1 << 22) = false;
        /// The component model's async lift/lower ABI, streams, futures and
        /// errors (🔀).
        pub cm_async: CM_ASYNC(1 << 27) = true;
        /// The "stackful ABI" of the component model async proposal (🚟).
        pub cm_async_stackful: CM_ASYNC_STACKFUL(1 << 28) = false;
        /// More intrinsics and intrinsic options of the component model async
        /// proposal (🚝).
        pub cm_more_async_builtins: CM_MORE_ASYNC_BUILTINS(1 << 29) = false;
        /// Threading in the component model (🧵).
        pub cm_threading: CM_THREADING(1 << 30) = false;
        /// The `error-context` intrinsics of the component model async
        /// proposal (📝).
        pub cm_error_context: CM_ERROR_CONTEXT(1 << 31) = false;
        /// Fixed-length lists in the component model (🔧).
        pub cm_fixed_length_lists: CM_FIXED_LENGTH_LISTS(1 << 32) = false;
        /// Wasm GC in the component model (🛸).
        pub cm_gc: CM_GC(1 << 33) = false;
        /// The part of the reference-types proposal that allows an over-long
        /// LEB encoding of `call_indirect`'s table immediate; part of `LIME1`.
        pub call_indirect_overlong: CALL_INDIRECT_OVERLONG(1 << 34) = true;
        /// The part of the bulk-memory proposal with just `memory.copy` and
        /// `memory.fill`; part of `LIME1`.
        pub bulk_memory_opt: BULK_MEMORY_OPT(1 << 35) = true;
        /// The WebAssembly custom descriptors proposal.
        pub custom_descriptors: CUSTOM_DESCRIPTORS(1 << 36) = false;
        /// The WebAssembly compact import section proposal.
        pub compact_imports: COMPACT_IMPORTS(1 << 37) = false;
        /// Maps in the component model (🗺️).
        pub cm_map: CM_MAP(1 << 38) = false;
        /// 64-bit contexts in the component model (🐘).
        pub cm64: CM64(1 << 39) = false;
        /// The component model's `(implements "...")` directive (🏷️).
        pub cm_implements: CM_IMPLEMENTS(1 << 40) = false;
        /// The component model's `(versionsuffix "...")` directive (🔗).
        pub cm_canon_names: CM_CANON_NAMES(1 << 41) = false;
    }
}

impl WasmFeatures {
    /// The MVP of WebAssembly, its first release: just the non-proposal
    /// flags [`FLOATS`](WasmFeatures::FLOATS) and
    /// [`GC_TYPES`](WasmFeatures::GC_TYPES).
    pub const MVP: WasmFeatures = WasmFeatures::FLOATS.union(WasmFeatures::GC_TYPES);

    /// WebAssembly 1.0 (2017): the MVP and mutable globals.
    pub const WASM1: WasmFeatures = WasmFeatures::MVP.union(WasmFeatures::MUTABLE_GLOBAL);

    /// WebAssembly 2.0 (2022): 1.0, bulk memory, reference types, sign
    /// extension, saturating float-to-int, multi-value and SIMD.
    pub const WASM2: WasmFeatures = WasmFeatures::WASM1
        .union(WasmFeatures::BULK_MEMORY)
        .union(WasmFeatures::REFERENCE_TYPES)
        .union(WasmFeatures::SIGN_EXTENSION)
        .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
        .union(WasmFeatures::MULTI_VALUE)
        .union(WasmFeatures::SIMD);

    /// WebAssembly 3.0 (draft, as wasmparser 0.254 has it): 2.0, GC, tail
    /// calls, extended constants, function references, multi-memory, relaxed
    /// SIMD, threads, exceptions and memory64.
    pub const WASM3: WasmFeatures = WasmFeatures::WASM2
        .union(WasmFeatures::GC)
        .union(WasmFeatures::TAIL_CALL)
        .union(WasmFeatures::EXTENDED_CONST)
        .union(WasmFeatures::FUNCTION_REFERENCES)
        .union(WasmFeatures::MULTI_MEMORY)
        .union(WasmFeatures::RELAXED_SIMD)
        .union(WasmFeatures::THREADS)
        .union(WasmFeatures::EXCEPTIONS)
        .union(WasmFeatures::MEMORY64);

    /// "lime1" ("linear memory version 1", the tool conventions' stable set):
    /// 1.0, multi-value, sign extension, saturating float-to-int,
    /// [`BULK_MEMORY_OPT`](WasmFeatures::BULK_MEMORY_OPT), extended constants
    /// and [`CALL_INDIRECT_OVERLONG`](WasmFeatures::CALL_INDIRECT_OVERLONG).
    pub const LIME1: WasmFeatures = WasmFeatures::WASM1
        .union(WasmFeatures::MULTI_VALUE)
        .union(WasmFeatures::SIGN_EXTENSION)
        .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
        .union(WasmFeatures::BULK_MEMORY_OPT)
        .union(WasmFeatures::EXTENDED_CONST)
        .union(WasmFeatures::CALL_INDIRECT_OVERLONG);
}

/// [`WasmFeatures::from_inflated`].
impl From<WasmFeaturesInflated> for WasmFeatures {
    #[inline]
    fn from(inflated: WasmFeaturesInflated) -> Self {
        Self::from_inflated(inflated)
    }
}

/// [`WasmFeatures::inflate`].
impl From<WasmFeatures> for WasmFeaturesInflated {
    #[inline]
    fn from(features: WasmFeatures) -> Self {
        features.inflate()
    }
}
