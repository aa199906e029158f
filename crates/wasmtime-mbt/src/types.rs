//! Wasm types: `ValType`, `FuncType`, `MemoryType`, `TableType`,
//! `GlobalType`, `ExternType`, and module import/export descriptions.
//!
//! These are plain Rust values (unlike `wasmtime`'s, they need no engine);
//! they are converted to and from the C API's `wasm_*type_t` objects at the
//! boundary.

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::{borrow_bytes, Owned};
use crate::{Error, Result};

/// The type of a wasm value.
///
/// Differs from `wasmtime::ValType` in spelling the common nullable
/// reference types `funcref`, `externref` and `anyref` as variants of
/// their own; every other reference type is [`ValType::Ref`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 128-bit vector.
    V128,
    /// `(ref null func)`.
    FuncRef,
    /// `(ref null extern)`.
    ExternRef,
    /// `(ref null any)`.
    AnyRef,
    /// Any other reference type (non-nullable, or another heap type).
    Ref(RefType),
}

/// A reference type other than the three shorthands of [`ValType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefType {
    /// Whether `null` is a value of this type.
    pub nullable: bool,
    /// What it refers to.
    pub heap_type: HeapType,
}

/// The heap type of a reference; concrete types carry no index here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum HeapType {
    Extern,
    NoExtern,
    Func,
    ConcreteFunc,
    NoFunc,
    Any,
    None,
    Eq,
    I31,
    Array,
    ConcreteArray,
    Struct,
    ConcreteStruct,
    Exn,
    ConcreteExn,
    NoExn,
}

/// Heap types in the order of `WASMTIME_HEAPTYPE_KIND_*` (0..=15).
const HEAP_TYPES: [HeapType; 16] = [
    HeapType::Extern,
    HeapType::NoExtern,
    HeapType::Func,
    HeapType::ConcreteFunc,
    HeapType::NoFunc,
    HeapType::Any,
    HeapType::None,
    HeapType::Eq,
    HeapType::I31,
    HeapType::Array,
    HeapType::ConcreteArray,
    HeapType::Struct,
    HeapType::ConcreteStruct,
    HeapType::Exn,
    HeapType::ConcreteExn,
    HeapType::NoExn,
];

impl HeapType {
    /// Whether this heap type names a concrete (indexed) type.
    fn is_concrete(self) -> bool {
        matches!(self, HeapType::ConcreteFunc | HeapType::ConcreteArray | HeapType::ConcreteStruct | HeapType::ConcreteExn)
    }

    /// The top of this type's hierarchy, as a nullable reference value type.
    fn top(self) -> ValType {
        match self {
            HeapType::Extern | HeapType::NoExtern => ValType::ExternRef,
            HeapType::Func | HeapType::ConcreteFunc | HeapType::NoFunc => ValType::FuncRef,
            _ => ValType::AnyRef,
        }
    }
}

impl ValType {
    /// A reference type, normalised to the shorthand variants where one fits.
    ///
    /// ```
    /// use wasmtime_mbt::{HeapType, ValType};
    /// assert_eq!(ValType::reference(true, HeapType::Func), ValType::FuncRef);
    /// assert!(matches!(ValType::reference(false, HeapType::Func), ValType::Ref(_)));
    /// ```
    pub fn reference(nullable: bool, heap_type: HeapType) -> ValType {
        match (nullable, heap_type) {
            (true, HeapType::Func) => ValType::FuncRef,
            (true, HeapType::Extern) => ValType::ExternRef,
            (true, HeapType::Any) => ValType::AnyRef,
            _ => ValType::Ref(RefType { nullable, heap_type }),
        }
    }

    /// Whether this is a numeric type.
    ///
    /// ```
    /// use wasmtime_mbt::ValType;
    /// assert!(ValType::F64.is_num() && !ValType::FuncRef.is_num());
    /// ```
    pub fn is_num(self) -> bool {
        matches!(self, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef | ValType::AnyRef | ValType::Ref(_))
    }

    /// The nullable reference type whose values [`Val`](crate::Val) uses
    /// for this type (itself for non-references).
    #[inline]
    pub(crate) fn value_repr(self) -> ValType {
        match self {
            ValType::Ref(r) => r.heap_type.top(),
            other => other,
        }
    }

    /// From a `wasmtime_valkind_t`.
    #[inline]
    pub(crate) fn from_wasmtime_kind(kind: sys::wasmtime_valkind_t) -> Result<ValType> {
        Ok(match u32::from(kind) {
            sys::WASMTIME_I32 => ValType::I32,
            sys::WASMTIME_I64 => ValType::I64,
            sys::WASMTIME_F32 => ValType::F32,
            sys::WASMTIME_F64 => ValType::F64,
            sys::WASMTIME_V128 => ValType::V128,
            sys::WASMTIME_FUNCREF => ValType::FuncRef,
            sys::WASMTIME_EXTERNREF => ValType::ExternRef,
            sys::WASMTIME_ANYREF => ValType::AnyRef,
            other => return Err(Error::msg(format!("unsupported wasmtime value kind {other}"))),
        })
    }

    /// The `wasmtime_valkind_t` of values of this type.
    #[inline]
    pub(crate) fn wasmtime_kind(self) -> sys::wasmtime_valkind_t {
        (match self.value_repr() {
            ValType::I32 => sys::WASMTIME_I32,
            ValType::I64 => sys::WASMTIME_I64,
            ValType::F32 => sys::WASMTIME_F32,
            ValType::F64 => sys::WASMTIME_F64,
            ValType::V128 => sys::WASMTIME_V128,
            ValType::FuncRef => sys::WASMTIME_FUNCREF,
            ValType::ExternRef => sys::WASMTIME_EXTERNREF,
            _ => sys::WASMTIME_ANYREF,
        }) as sys::wasmtime_valkind_t
    }

    /// An owned `wasm_valtype_t`. Goes through Wasmtime's extended type API
    /// so `v128` and GC references work (the plain `wasm.h` API aborts on
    /// them); concrete reference types need a type index and are an `Err`.
    pub(crate) fn to_raw(self) -> Result<Owned<sys::wasm_valtype_t>> {
        let kind = |k: u32| sys::wasmtime_valtype_t { kind: k as sys::wasmtime_valtype_kind_t, ..Default::default() };
        let (nullable, heap_type) = match self {
            ValType::I32 => return Ok(new_valtype(sys::WASM_I32)),
            ValType::I64 => return Ok(new_valtype(sys::WASM_I64)),
            ValType::F32 => return Ok(new_valtype(sys::WASM_F32)),
            ValType::F64 => return Ok(new_valtype(sys::WASM_F64)),
            ValType::V128 => {
                // SAFETY: returns an owned value type.
                return Ok(unsafe { Owned::from_raw(sys::wasmtime_wasm_valtype_v128()) }.expect("v128"));
            }
            ValType::FuncRef => (true, HeapType::Func),
            ValType::ExternRef => (true, HeapType::Extern),
            ValType::AnyRef => (true, HeapType::Any),
            ValType::Ref(r) => (r.nullable, r.heap_type),
        };
        if heap_type.is_concrete() {
            return Err(Error::msg(format!("concrete reference type {heap_type:?} cannot be described without its type")));
        }
        let index = HEAP_TYPES.iter().position(|h| *h == heap_type).expect("listed") as sys::wasmtime_heaptype_kind_t;
        let mut ty = kind(sys::WASMTIME_VALTYPE_KIND_REF);
        ty.reftype.nullable = nullable;
        ty.reftype.heaptype.kind = index;
        // SAFETY: a non-concrete heap type needs no engine (null is allowed
        // then) and no payload; the result is owned.
        Ok(unsafe { Owned::from_raw(sys::wasmtime_valtype_to_wasm(std::ptr::null(), &ty)) }.expect("valtype"))
    }

    /// From a borrowed `wasm_valtype_t`, through `wasmtime_valtype_new`
    /// (never `wasm_valtype_kind`, which aborts on `v128` and GC types).
    ///
    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_valtype_t) -> ValType {
        let mut ty = sys::wasmtime_valtype_t::default();
        // SAFETY: `raw` is live; `ty` is initialised by the call and its
        // payload freed by `wasmtime_valtype_delete`.
        unsafe {
            sys::wasmtime_valtype_new(raw, &mut ty);
            let out = match u32::from(ty.kind) {
                sys::WASMTIME_VALTYPE_KIND_I32 => ValType::I32,
                sys::WASMTIME_VALTYPE_KIND_I64 => ValType::I64,
                sys::WASMTIME_VALTYPE_KIND_F32 => ValType::F32,
                sys::WASMTIME_VALTYPE_KIND_F64 => ValType::F64,
                sys::WASMTIME_VALTYPE_KIND_V128 => ValType::V128,
                _ => {
                    let heap = HEAP_TYPES.get(usize::from(ty.reftype.heaptype.kind)).copied().unwrap_or(HeapType::Any);
                    ValType::reference(ty.reftype.nullable, heap)
                }
            };
            sys::wasmtime_valtype_delete(&mut ty);
            out
        }
    }
}

/// An owned `wasm_valtype_t` of a `wasm.h` numeric kind.
fn new_valtype(kind: u32) -> Owned<sys::wasm_valtype_t> {
    // SAFETY: numeric `wasm_valkind_t` constants are valid; ownership is ours.
    unsafe { Owned::from_raw(sys::wasm_valtype_new(kind as sys::wasm_valkind_t)) }.expect("valtype")
}

/// The type of a function: parameter and result types.
///
/// ```
/// use wasmtime_mbt::{FuncType, ValType};
/// let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I64]);
/// assert_eq!(ty.params(), &[ValType::I32, ValType::I32]);
/// assert_eq!(ty.results(), &[ValType::I64]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    params: Vec<ValType>,
    results: Vec<ValType>,
}

impl FuncType {
    /// A function type (unlike `wasmtime::FuncType::new`, no engine needed).
    pub fn new(params: impl IntoIterator<Item = ValType>, results: impl IntoIterator<Item = ValType>) -> FuncType {
        FuncType { params: params.into_iter().collect(), results: results.into_iter().collect() }
    }

    /// The parameter types.
    pub fn params(&self) -> &[ValType] {
        &self.params
    }

    /// The result types.
    pub fn results(&self) -> &[ValType] {
        &self.results
    }

    /// An owned `wasm_functype_t`.
    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_functype_t>> {
        let owned = |tys: &[ValType]| -> Result<Vec<*mut sys::wasm_valtype_t>> {
            tys.iter().map(|t| t.to_raw().map(Owned::into_raw)).collect()
        };
        let (params, results) = match (owned(&self.params), owned(&self.results)) {
            (Ok(p), Ok(r)) => (p, r),
            (p, r) => {
                for ptr in p.iter().chain(r.iter()).flatten() {
                    // SAFETY: each pointer was just created and is owned here.
                    unsafe { sys::wasm_valtype_delete(*ptr) };
                }
                return Err(p.err().or(r.err()).expect("one side failed"));
            }
        };
        // SAFETY: ownership of every valtype moves into the function type.
        Ok(unsafe { Owned::from_raw(sys::wasm_functype_new_with(&params, &results)) }.expect("functype"))
    }

    /// From a borrowed `wasm_functype_t`.
    ///
    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_functype_t) -> FuncType {
        // SAFETY: the vectors belong to the live function type.
        unsafe {
            FuncType {
                params: valtypes(&*sys::wasm_functype_params(raw)),
                results: valtypes(&*sys::wasm_functype_results(raw)),
            }
        }
    }
}

/// # Safety
/// `vec` must be a live vector of live value types.
unsafe fn valtypes(vec: &sys::wasm_valtype_vec_t) -> Vec<ValType> {
    // SAFETY: forwarded from the caller.
    (0..vec.size).map(|i| unsafe { ValType::from_raw(*vec.data.add(i)) }).collect()
}

/// Whether a global can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Immutable.
    Const,
    /// Mutable.
    Var,
}

/// The type of a global.
///
/// ```
/// use wasmtime_mbt::{GlobalType, Mutability, ValType};
/// let ty = GlobalType::new(ValType::I64, Mutability::Var);
/// assert_eq!((ty.content(), ty.mutability()), (ValType::I64, Mutability::Var));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    content: ValType,
    mutability: Mutability,
}

impl GlobalType {
    /// A global type.
    pub fn new(content: ValType, mutability: Mutability) -> GlobalType {
        GlobalType { content, mutability }
    }

    /// The value type.
    pub fn content(&self) -> ValType {
        self.content
    }

    /// Whether it is mutable.
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }

    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_globaltype_t>> {
        let content = self.content.to_raw()?.into_raw();
        let m = match self.mutability {
            Mutability::Const => sys::WASM_CONST,
            Mutability::Var => sys::WASM_VAR,
        };
        // SAFETY: ownership of `content` moves into the global type.
        Ok(unsafe { Owned::from_raw(sys::wasm_globaltype_new(content, m as sys::wasm_mutability_t)) }.expect("globaltype"))
    }

    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_globaltype_t) -> GlobalType {
        // SAFETY: `raw` is live.
        unsafe {
            GlobalType {
                content: ValType::from_raw(sys::wasm_globaltype_content(raw)),
                mutability: if u32::from(sys::wasm_globaltype_mutability(raw)) == sys::WASM_VAR {
                    Mutability::Var
                } else {
                    Mutability::Const
                },
            }
        }
    }
}

/// The type of a table: element type and size limits.
///
/// ```
/// use wasmtime_mbt::{TableType, ValType};
/// let ty = TableType::new(ValType::FuncRef, 1, Some(10));
/// assert_eq!((ty.element(), ty.minimum(), ty.maximum()), (ValType::FuncRef, 1, Some(10)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    element: ValType,
    minimum: u32,
    maximum: Option<u32>,
}

impl TableType {
    /// A table type.
    pub fn new(element: ValType, minimum: u32, maximum: Option<u32>) -> TableType {
        TableType { element, minimum, maximum }
    }

    /// The element type.
    pub fn element(&self) -> ValType {
        self.element
    }

    /// The minimum size.
    pub fn minimum(&self) -> u32 {
        self.minimum
    }

    /// The maximum size, if any.
    pub fn maximum(&self) -> Option<u32> {
        self.maximum
    }

    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_tabletype_t>> {
        if !self.element.is_ref() {
            return Err(Error::msg(format!("table element type must be a reference type, not {:?}", self.element)));
        }
        let element = self.element.to_raw()?.into_raw();
        let limits = sys::wasm_limits_t { min: self.minimum, max: self.maximum.unwrap_or(u32::MAX) };
        // SAFETY: ownership of `element` moves in; `limits` is copied.
        Ok(unsafe { Owned::from_raw(sys::wasm_tabletype_new(element, &limits)) }.expect("tabletype"))
    }

    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_tabletype_t) -> TableType {
        // SAFETY: `raw` is live; its limits live as long as it does.
        unsafe {
            let limits = &*sys::wasm_tabletype_limits(raw);
            TableType {
                element: ValType::from_raw(sys::wasm_tabletype_element(raw)),
                minimum: limits.min,
                maximum: (limits.max != u32::MAX).then_some(limits.max),
            }
        }
    }
}

/// The type of a linear memory, in pages.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::MemoryType;
/// let ty = MemoryType::new(1, Some(4));
/// assert_eq!((ty.minimum(), ty.maximum(), ty.is_shared()), (1, Some(4), false));
/// let shared = MemoryType::shared(1, 2);
/// assert!(shared.is_shared());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    minimum: u64,
    maximum: Option<u64>,
    is_64: bool,
    shared: bool,
    page_size_log2: u8,
}

impl MemoryType {
    /// A 32-bit memory of 64 KiB pages.
    pub fn new(minimum: u32, maximum: Option<u32>) -> MemoryType {
        MemoryType { minimum: minimum.into(), maximum: maximum.map(u64::from), is_64: false, shared: false, page_size_log2: 16 }
    }

    /// A 64-bit memory (`memory64`).
    pub fn new64(minimum: u64, maximum: Option<u64>) -> MemoryType {
        MemoryType { minimum, maximum, is_64: true, shared: false, page_size_log2: 16 }
    }

    /// A shared 32-bit memory (`threads`); shared memories need a maximum.
    pub fn shared(minimum: u32, maximum: u32) -> MemoryType {
        MemoryType { shared: true, ..MemoryType::new(minimum, Some(maximum)) }
    }

    /// Minimum size in pages.
    pub fn minimum(&self) -> u64 {
        self.minimum
    }

    /// Maximum size in pages, if any.
    pub fn maximum(&self) -> Option<u64> {
        self.maximum
    }

    /// Whether this is a 64-bit memory.
    pub fn is_64(&self) -> bool {
        self.is_64
    }

    /// Whether this memory is shared.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// Page size in bytes.
    pub fn page_size(&self) -> u64 {
        1 << self.page_size_log2
    }

    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_memorytype_t>> {
        let mut ret = std::ptr::null_mut();
        // SAFETY: plain values in, an owned type or an owned error out.
        unsafe {
            Error::check(sys::wasmtime_memorytype_new(
                self.minimum,
                self.maximum.is_some(),
                self.maximum.unwrap_or(0),
                self.is_64,
                self.shared,
                self.page_size_log2,
                &mut ret,
            ))?;
            Ok(Owned::from_raw(ret).expect("memorytype"))
        }
    }

    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_memorytype_t) -> MemoryType {
        // SAFETY: `raw` is live.
        unsafe {
            let mut max = 0;
            let has_max = sys::wasmtime_memorytype_maximum(raw, &mut max);
            MemoryType {
                minimum: sys::wasmtime_memorytype_minimum(raw),
                maximum: has_max.then_some(max),
                is_64: sys::wasmtime_memorytype_is64(raw),
                shared: sys::wasmtime_memorytype_isshared(raw),
                page_size_log2: sys::wasmtime_memorytype_page_size_log2(raw),
            }
        }
    }
}

/// The type of an import or export.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A global.
    Global(GlobalType),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// An exception tag.
    Tag,
}

impl ExternType {
    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_externtype_t) -> ExternType {
        // SAFETY: `raw` is live; each downcast matches its kind.
        unsafe {
            match u32::from(sys::wasm_externtype_kind(raw)) {
                sys::WASM_EXTERN_FUNC => ExternType::Func(FuncType::from_raw(sys::wasm_externtype_as_functype_const(raw))),
                sys::WASM_EXTERN_GLOBAL => {
                    ExternType::Global(GlobalType::from_raw(sys::wasm_externtype_as_globaltype_const(raw)))
                }
                sys::WASM_EXTERN_TABLE => ExternType::Table(TableType::from_raw(sys::wasm_externtype_as_tabletype_const(raw))),
                sys::WASM_EXTERN_MEMORY => {
                    ExternType::Memory(MemoryType::from_raw(sys::wasm_externtype_as_memorytype_const(raw)))
                }
                _ => ExternType::Tag,
            }
        }
    }
}

/// One import of a module.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportType {
    /// The module name.
    pub module: String,
    /// The item name.
    pub name: String,
    /// The item's type.
    pub ty: ExternType,
}

/// One export of a module.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExportType {
    /// The export name.
    pub name: String,
    /// The item's type.
    pub ty: ExternType,
}

/// A borrowed C name as a `String`.
///
/// # Safety
/// `name` must be null or a live name vector.
pub(crate) unsafe fn name_string(name: *const sys::wasm_name_t) -> String {
    // SAFETY: forwarded from the caller.
    match unsafe { name.as_ref() } {
        // SAFETY: a live name describes `size` bytes.
        Some(n) => String::from_utf8_lossy(unsafe { borrow_bytes(n.data.cast(), n.size) }).into_owned(),
        None => String::new(),
    }
}
