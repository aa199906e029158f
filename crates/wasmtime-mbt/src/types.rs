//! Wasm types: `ValType`, `RefType`, `HeapType`, `FuncType`, `MemoryType`,
//! `TableType`, `GlobalType`, `ExternType`, and module import/export
//! descriptions.
//!
//! Value, reference and heap types are plain Rust values; a [`FuncType`]
//! carries its [`Engine`], as `wasmtime::FuncType` does. They are converted
//! to and from the C API's `wasm_*type_t` objects at the boundary.

use std::fmt;

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::{borrow_bytes, Owned};
use crate::gc_types::Shared;
use crate::{Engine, Error, HeapType, Result, TagType};

/// The type of a wasm value, as `wasmtime::ValType`: a number, a vector,
/// or a reference ([`ValType::Ref`]). `Debug` and `Display` print the wasm
/// text form (`i32`, `(ref null func)`).
///
/// Beyond `wasmtime` it is `Eq` (equality is the exact [`ValType::eq`];
/// concrete reference types compare by identity in their engine).
///
/// ```
/// use wasmtime_mbt::{HeapType, RefType, ValType};
/// let ty = ValType::FUNCREF;
/// assert_eq!(ty.to_string(), "(ref null func)");
/// assert!(matches!(ty, ValType::Ref(r) if r.heap_type().is_func()));
/// assert_eq!(ValType::from(RefType::new(true, HeapType::Func)), ValType::FUNCREF);
/// assert_eq!(format!("{:?}", ValType::I64), "i64");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
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
    /// A reference.
    Ref(RefType),
}

impl fmt::Debug for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValType::I32 => f.write_str("i32"),
            ValType::I64 => f.write_str("i64"),
            ValType::F32 => f.write_str("f32"),
            ValType::F64 => f.write_str("f64"),
            ValType::V128 => f.write_str("v128"),
            ValType::Ref(r) => fmt::Display::fmt(r, f),
        }
    }
}

impl From<RefType> for ValType {
    /// ```
    /// use wasmtime_mbt::{RefType, ValType};
    /// assert_eq!(ValType::from(RefType::EXTERNREF), ValType::EXTERNREF);
    /// ```
    fn from(r: RefType) -> ValType {
        ValType::Ref(r)
    }
}

/// A reference type: a heap type and whether `null` is a value of it, as
/// `wasmtime::RefType`. `Display` prints `(ref null func)`.
///
/// ```
/// use wasmtime_mbt::{HeapType, RefType};
/// let r = RefType::new(false, HeapType::Extern);
/// assert!(!r.is_nullable());
/// assert_eq!(*r.heap_type(), HeapType::Extern);
/// assert_eq!(r.to_string(), "(ref extern)");
/// assert!(r.matches(&RefType::EXTERNREF) && !RefType::EXTERNREF.matches(&r));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RefType {
    is_nullable: bool,
    heap_type: HeapType,
}

impl fmt::Debug for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(ref ")?;
        if self.is_nullable {
            f.write_str("null ")?;
        }
        write!(f, "{})", self.heap_type)
    }
}


macro_rules! ref_consts {
    ($($(#[$doc:meta])* $name:ident = ($nullable:expr, $heap:ident);)*) => {
        impl RefType {$(
            $(#[$doc])*
            pub const $name: RefType = RefType { is_nullable: $nullable, heap_type: HeapType::$heap };
        )*}
        impl ValType {$(
            $(#[$doc])*
            pub const $name: ValType = ValType::Ref(RefType::$name);
        )*}
    };
}

ref_consts! {
    /// `externref`, aka `(ref null extern)`.
    ///
    /// ```
    /// assert_eq!(wasmtime_mbt::RefType::EXTERNREF.to_string(), "(ref null extern)");
    /// ```
    EXTERNREF = (true, Extern);
    /// `nullexternref`, aka `(ref null noextern)`.
    ///
    /// ```
    /// assert_eq!(wasmtime_mbt::RefType::NULLEXTERNREF.to_string(), "(ref null noextern)");
    /// ```
    NULLEXTERNREF = (true, NoExtern);
    /// `funcref`, aka `(ref null func)`.
    ///
    /// ```
    /// assert_eq!(wasmtime_mbt::ValType::FUNCREF.to_string(), "(ref null func)");
    /// ```
    FUNCREF = (true, Func);
    /// `nullfuncref`, aka `(ref null nofunc)`.
    ///
    /// ```
    /// assert_eq!(wasmtime_mbt::ValType::NULLFUNCREF.to_string(), "(ref null nofunc)");
    /// ```
    NULLFUNCREF = (true, NoFunc);
    /// `anyref`, aka `(ref null any)`.
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::ANYREF.is_anyref());
    /// ```
    ANYREF = (true, Any);
    /// `eqref`, aka `(ref null eq)`.
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::EQREF.matches(&wasmtime_mbt::ValType::ANYREF));
    /// ```
    EQREF = (true, Eq);
    /// `i31ref`, aka `(ref null i31)`.
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::I31REF.matches(&wasmtime_mbt::ValType::EQREF));
    /// ```
    I31REF = (true, I31);
    /// `arrayref`, aka `(ref null array)`.
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::ARRAYREF.matches(&wasmtime_mbt::ValType::EQREF));
    /// ```
    ARRAYREF = (true, Array);
    /// `structref`, aka `(ref null struct)`.
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::STRUCTREF.matches(&wasmtime_mbt::ValType::ANYREF));
    /// ```
    STRUCTREF = (true, Struct);
    /// `nullref`, aka `(ref null none)`.
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::NULLREF.matches(&wasmtime_mbt::ValType::STRUCTREF));
    /// ```
    NULLREF = (true, None);
    /// `contref`, aka `(ref null cont)` (cannot cross into the C API).
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::CONTREF.is_contref());
    /// ```
    CONTREF = (true, Cont);
    /// `nullcontref`, aka `(ref null nocont)` (cannot cross into the C API).
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::NULLCONTREF.matches(&wasmtime_mbt::ValType::CONTREF));
    /// ```
    NULLCONTREF = (true, NoCont);
    /// `exnref`, aka `(ref null exn)`.
    ///
    /// ```
    /// assert_eq!(wasmtime_mbt::ValType::EXNREF.to_string(), "(ref null exn)");
    /// ```
    EXNREF = (true, Exn);
    /// `nullexnref`, aka `(ref null noexn)`.
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::NULLEXNREF.matches(&wasmtime_mbt::ValType::EXNREF));
    /// ```
    NULLEXNREF = (true, NoExn);
}

impl RefType {
    /// A reference type, as `wasmtime::RefType::new`.
    ///
    /// ```
    /// use wasmtime_mbt::{HeapType, RefType};
    /// assert_eq!(RefType::new(true, HeapType::Any), RefType::ANYREF);
    /// ```
    pub fn new(is_nullable: bool, heap_type: HeapType) -> RefType {
        RefType { is_nullable, heap_type }
    }

    /// Whether `null` is a value of this type.
    ///
    /// ```
    /// assert!(wasmtime_mbt::RefType::FUNCREF.is_nullable());
    /// ```
    pub fn is_nullable(&self) -> bool {
        self.is_nullable
    }

    /// What the reference points to.
    ///
    /// ```
    /// use wasmtime_mbt::{HeapType, RefType};
    /// assert_eq!(RefType::FUNCREF.heap_type(), &HeapType::Func);
    /// ```
    pub fn heap_type(&self) -> &HeapType {
        &self.heap_type
    }

    /// Is this a subtype of `other`?
    ///
    /// ```
    /// use wasmtime_mbt::{HeapType, RefType};
    /// assert!(RefType::new(false, HeapType::I31).matches(&RefType::EQREF));
    /// assert!(!RefType::I31REF.matches(&RefType::new(false, HeapType::Eq)));
    /// ```
    pub fn matches(&self, other: &RefType) -> bool {
        (!self.is_nullable || other.is_nullable) && self.heap_type.matches(&other.heap_type)
    }

    /// Are `a` and `b` exactly the same reference type?
    ///
    /// ```
    /// use wasmtime_mbt::RefType;
    /// assert!(RefType::eq(&RefType::EQREF, &RefType::EQREF));
    /// assert!(!RefType::eq(&RefType::I31REF, &RefType::EQREF));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    pub fn eq(a: &RefType, b: &RefType) -> bool {
        a.matches(b) && b.matches(a)
    }
}

impl ValType {
    /// Whether this is a numeric type (`i32`, `i64`, `f32`, `f64`).
    ///
    /// ```
    /// use wasmtime_mbt::ValType;
    /// assert!(ValType::F64.is_num() && !ValType::V128.is_num() && !ValType::FUNCREF.is_num());
    /// ```
    pub fn is_num(&self) -> bool {
        matches!(self, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
    }

    /// Is this `i32`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::I32.is_i32());
    /// ```
    pub fn is_i32(&self) -> bool {
        matches!(self, ValType::I32)
    }

    /// Is this `i64`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::I64.is_i64());
    /// ```
    pub fn is_i64(&self) -> bool {
        matches!(self, ValType::I64)
    }

    /// Is this `f32`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::F32.is_f32());
    /// ```
    pub fn is_f32(&self) -> bool {
        matches!(self, ValType::F32)
    }

    /// Is this `f64`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::F64.is_f64());
    /// ```
    pub fn is_f64(&self) -> bool {
        matches!(self, ValType::F64)
    }

    /// Is this `v128`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::V128.is_v128());
    /// ```
    pub fn is_v128(&self) -> bool {
        matches!(self, ValType::V128)
    }

    /// Whether this is a reference type.
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::EXTERNREF.is_ref() && !wasmtime_mbt::ValType::I32.is_ref());
    /// ```
    pub fn is_ref(&self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// Is this exactly `funcref` (`(ref null func)`)?
    ///
    /// ```
    /// use wasmtime_mbt::{HeapType, RefType, ValType};
    /// assert!(ValType::FUNCREF.is_funcref());
    /// assert!(!ValType::Ref(RefType::new(false, HeapType::Func)).is_funcref());
    /// ```
    pub fn is_funcref(&self) -> bool {
        *self == ValType::FUNCREF
    }

    /// Is this exactly `externref` (`(ref null extern)`)?
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::EXTERNREF.is_externref());
    /// ```
    pub fn is_externref(&self) -> bool {
        *self == ValType::EXTERNREF
    }

    /// Is this exactly `anyref` (`(ref null any)`)?
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::ANYREF.is_anyref() && !wasmtime_mbt::ValType::EQREF.is_anyref());
    /// ```
    pub fn is_anyref(&self) -> bool {
        *self == ValType::ANYREF
    }

    /// Is this exactly `contref` (`(ref null cont)`)?
    ///
    /// ```
    /// assert!(wasmtime_mbt::ValType::CONTREF.is_contref());
    /// ```
    pub fn is_contref(&self) -> bool {
        *self == ValType::CONTREF
    }

    /// The reference type, if this is one.
    ///
    /// ```
    /// use wasmtime_mbt::{RefType, ValType};
    /// assert_eq!(ValType::FUNCREF.as_ref(), Some(&RefType::FUNCREF));
    /// assert_eq!(ValType::I32.as_ref(), None);
    /// ```
    pub fn as_ref(&self) -> Option<&RefType> {
        match self {
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// The reference type; panics if this is not one.
    ///
    /// ```
    /// use wasmtime_mbt::ValType;
    /// assert!(ValType::EXTERNREF.unwrap_ref().is_nullable());
    /// assert!(std::panic::catch_unwind(|| ValType::I32.unwrap_ref().clone()).is_err());
    /// ```
    pub fn unwrap_ref(&self) -> &RefType {
        self.as_ref().expect("ValType::unwrap_ref on a non-reference type")
    }

    /// Is this a subtype of `other`, as `wasmtime::ValType::matches`?
    ///
    /// ```
    /// use wasmtime_mbt::ValType;
    /// assert!(ValType::NULLFUNCREF.matches(&ValType::FUNCREF));
    /// assert!(!ValType::FUNCREF.matches(&ValType::NULLFUNCREF));
    /// assert!(ValType::I32.matches(&ValType::I32) && !ValType::I32.matches(&ValType::I64));
    /// ```
    pub fn matches(&self, other: &ValType) -> bool {
        match (self, other) {
            (ValType::Ref(a), ValType::Ref(b)) => a.matches(b),
            (a, b) => a == b,
        }
    }

    /// Are `a` and `b` exactly the same type?
    ///
    /// ```
    /// use wasmtime_mbt::ValType;
    /// assert!(ValType::eq(&ValType::ANYREF, &ValType::ANYREF));
    /// assert!(!ValType::eq(&ValType::NULLREF, &ValType::ANYREF));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    pub fn eq(a: &ValType, b: &ValType) -> bool {
        a.matches(b) && b.matches(a)
    }

    /// The default value of this type, or `None` for a non-nullable
    /// reference type, as `wasmtime::ValType::default_value`.
    ///
    /// ```
    /// use wasmtime_mbt::{HeapType, RefType, ValType};
    /// assert_eq!(ValType::I64.default_value().unwrap().unwrap_i64(), 0);
    /// assert!(ValType::EXTERNREF.default_value().unwrap().unwrap_externref().is_none());
    /// assert!(ValType::Ref(RefType::new(false, HeapType::Any)).default_value().is_none());
    /// ```
    pub fn default_value(&self) -> Option<crate::Val> {
        crate::Val::default_for_ty(self)
    }

    /// Is this type usable with `engine` (no concrete type of another)?
    pub(crate) fn comes_from_same_engine(&self, engine: &Engine) -> bool {
        match self {
            ValType::Ref(r) => r.heap_type.comes_from_same_engine(engine),
            _ => true,
        }
    }

    /// The `WASMTIME_*` value kind of values of this type (the kind of its
    /// hierarchy's top for references; `None` for continuations).
    #[inline]
    pub(crate) fn val_kind(&self) -> Option<u32> {
        Some(match self {
            ValType::I32 => sys::WASMTIME_I32,
            ValType::I64 => sys::WASMTIME_I64,
            ValType::F32 => sys::WASMTIME_F32,
            ValType::F64 => sys::WASMTIME_F64,
            ValType::V128 => sys::WASMTIME_V128,
            ValType::Ref(r) => match r.heap_type.top() {
                HeapType::Func => sys::WASMTIME_FUNCREF,
                HeapType::Extern => sys::WASMTIME_EXTERNREF,
                HeapType::Any => sys::WASMTIME_ANYREF,
                HeapType::Exn => sys::WASMTIME_EXNREF,
                _ => return None,
            },
        })
    }

    /// From a `wasmtime_valkind_t` (the nullable top type for references).
    #[inline]
    pub(crate) fn from_wasmtime_kind(kind: sys::wasmtime_valkind_t) -> Result<ValType> {
        Ok(match u32::from(kind) {
            sys::WASMTIME_I32 => ValType::I32,
            sys::WASMTIME_I64 => ValType::I64,
            sys::WASMTIME_F32 => ValType::F32,
            sys::WASMTIME_F64 => ValType::F64,
            sys::WASMTIME_V128 => ValType::V128,
            sys::WASMTIME_FUNCREF => ValType::FUNCREF,
            sys::WASMTIME_EXTERNREF => ValType::EXTERNREF,
            sys::WASMTIME_ANYREF => ValType::ANYREF,
            sys::WASMTIME_EXNREF => ValType::EXNREF,
            other => return Err(Error::msg(format!("unsupported wasmtime value kind {other}"))),
        })
    }

    /// An owned `wasm_valtype_t`, built through `wasmtime_valtype_to_wasm`
    /// so `v128` and GC references work (the plain `wasm.h` API aborts on
    /// them); continuation reference types are an `Err`.
    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_valtype_t>> {
        let r = match self {
            ValType::I32 => return Ok(new_valtype(sys::WASM_I32)),
            ValType::I64 => return Ok(new_valtype(sys::WASM_I64)),
            ValType::F32 => return Ok(new_valtype(sys::WASM_F32)),
            ValType::F64 => return Ok(new_valtype(sys::WASM_F64)),
            ValType::V128 => {
                // SAFETY: returns an owned value type.
                return Ok(unsafe { Owned::from_raw(sys::wasmtime_wasm_valtype_v128()) }.expect("v128"));
            }
            ValType::Ref(r) => r,
        };
        r.heap_type.to_c_valtype(r.is_nullable).map_err(|_| Error::msg(format!("reference type {r} has no C API equivalent")))
    }

    /// From a borrowed `wasm_valtype_t` of `engine`, through
    /// `wasmtime_valtype_new` (never `wasm_valtype_kind`, which aborts on
    /// `v128` and GC types).
    ///
    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_valtype_t, engine: &Engine) -> ValType {
        let mut ty = sys::wasmtime_valtype_t::default();
        // SAFETY: `raw` is live; `ty` is initialised by the call, a concrete
        // payload copied by `HeapType::from_c`, and freed by
        // `wasmtime_valtype_delete`.
        unsafe {
            sys::wasmtime_valtype_new(raw, &mut ty);
            let out = match u32::from(ty.kind) {
                sys::WASMTIME_VALTYPE_KIND_I32 => ValType::I32,
                sys::WASMTIME_VALTYPE_KIND_I64 => ValType::I64,
                sys::WASMTIME_VALTYPE_KIND_F32 => ValType::F32,
                sys::WASMTIME_VALTYPE_KIND_F64 => ValType::F64,
                sys::WASMTIME_VALTYPE_KIND_V128 => ValType::V128,
                _ => ValType::Ref(RefType::new(ty.reftype.nullable, HeapType::from_c(&ty.reftype.heaptype, engine))),
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

/// The type of a function, as `wasmtime::FuncType`: parameter and result
/// types, and the [`Engine`] it belongs to. `Display` prints the wasm text
/// form.
///
/// Beyond `wasmtime` it is `PartialEq`/`Eq`/`Hash` by its parameter and
/// result types (the engine is not compared).
///
/// ```
/// use wasmtime_mbt::{Engine, FuncType, ValType};
/// let engine = Engine::default();
/// let ty = FuncType::new(&engine, [ValType::I32, ValType::I32], [ValType::I64]);
/// assert_eq!(ty.params().collect::<Vec<_>>(), [ValType::I32, ValType::I32]);
/// assert_eq!(ty.results().len(), 1);
/// assert_eq!(ty.param(1), Some(ValType::I32));
/// assert_eq!(ty.result(1), None);
/// assert_eq!(ty.to_string(), "(type (func (param i32 i32) (result i64)))");
/// assert!(Engine::same(ty.engine(), &engine));
/// ```
#[derive(Clone)]
pub struct FuncType {
    engine: Engine,
    sig: std::sync::Arc<Signature>,
}

/// A function type's parameter and result lists, shared by its clones. A
/// type read from C keeps its C type (its identity in the engine's type
/// registry); as a concrete reference's payload it reads the lists on first
/// use, so a recursive type is read one level at a time.
struct Signature {
    lists: std::sync::OnceLock<Lists>,
    source: Option<Shared<sys::wasm_functype_t>>,
}

/// Parameters, then results.
type Lists = (Box<[ValType]>, Box<[ValType]>);

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FuncType").field("params", &self.param_types()).field("results", &self.result_types()).finish()
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(type (func")?;
        if !self.param_types().is_empty() {
            f.write_str(" (param")?;
            for p in self.param_types() {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.result_types().is_empty() {
            f.write_str(" (result")?;
            for r in self.result_types() {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str("))")
    }
}

impl PartialEq for FuncType {
    fn eq(&self, other: &FuncType) -> bool {
        self.lists() == other.lists()
    }
}

impl Eq for FuncType {}

impl std::hash::Hash for FuncType {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.lists().hash(state);
    }
}

impl FuncType {
    /// A function type for `engine`, as `wasmtime::FuncType::new`. Panics
    /// if a concrete parameter or result type belongs to another engine,
    /// as `wasmtime`.
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType, ValType};
    /// let ty = FuncType::new(&Engine::default(), [ValType::F32], []);
    /// assert_eq!(ty.params().len(), 1);
    /// assert_eq!(ty.results().len(), 0);
    /// ```
    pub fn new(engine: &Engine, params: impl IntoIterator<Item = ValType>, results: impl IntoIterator<Item = ValType>) -> FuncType {
        let lists: Lists = (params.into_iter().collect(), results.into_iter().collect());
        for ty in lists.0.iter().chain(lists.1.iter()) {
            // `wasmtime`'s check and message; C would abort on it later.
            assert!(ty.comes_from_same_engine(engine));
        }
        FuncType::with_lists(engine, lists)
    }

    /// [`FuncType::new`], returning a `Result` as
    /// `wasmtime::FuncType::try_new` (whose only error is running out of
    /// memory, which aborts here as everywhere in Rust).
    pub fn try_new(
        engine: &Engine,
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> std::result::Result<FuncType, crate::OutOfMemory> {
        Ok(FuncType::new(engine, params, results))
    }

    /// The engine this type belongs to.
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType};
    /// let engine = Engine::default();
    /// assert!(Engine::same(FuncType::new(&engine, [], []).engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The `i`th parameter type, if any.
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType, ValType};
    /// let ty = FuncType::new(&Engine::default(), [ValType::I64], []);
    /// assert_eq!((ty.param(0), ty.param(1)), (Some(ValType::I64), None));
    /// ```
    pub fn param(&self, i: usize) -> Option<ValType> {
        self.param_types().get(i).cloned()
    }

    /// The parameter types.
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType, ValType};
    /// let ty = FuncType::new(&Engine::default(), [ValType::I32, ValType::F64], []);
    /// let mut params = ty.params();
    /// assert_eq!(params.len(), 2);
    /// assert_eq!(params.next(), Some(ValType::I32));
    /// ```
    pub fn params(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.param_types().iter().cloned()
    }

    /// The `i`th result type, if any.
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType, ValType};
    /// let ty = FuncType::new(&Engine::default(), [], [ValType::V128]);
    /// assert_eq!(ty.result(0), Some(ValType::V128));
    /// ```
    pub fn result(&self, i: usize) -> Option<ValType> {
        self.result_types().get(i).cloned()
    }

    /// The result types.
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType, ValType};
    /// let ty = FuncType::new(&Engine::default(), [], [ValType::I32, ValType::EXTERNREF]);
    /// assert_eq!(ty.results().collect::<Vec<_>>(), [ValType::I32, ValType::EXTERNREF]);
    /// ```
    pub fn results(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.result_types().iter().cloned()
    }

    /// Is this function type a subtype of `other`: contravariant
    /// parameters, covariant results, as `wasmtime::FuncType::matches`
    /// (C-made types are final and have no declared supertypes).
    ///
    /// Panics if the two types belong to different engines, as `wasmtime`.
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType, ValType};
    /// let engine = Engine::default();
    /// let a = FuncType::new(&engine, [ValType::FUNCREF], [ValType::NULLFUNCREF]);
    /// let b = FuncType::new(&engine, [ValType::NULLFUNCREF], [ValType::FUNCREF]);
    /// assert!(a.matches(&a));
    /// assert!(FuncType::eq(&b, &b));
    /// assert!(!b.matches(&a));
    /// ```
    pub fn matches(&self, other: &FuncType) -> bool {
        assert!(Engine::same(&self.engine, &other.engine), "type used with the wrong engine");
        // Without declared supertypes, two distinct function types match only
        // when they are equal (wasmtime's canonical type registry). Reference
        // subtyping of the signature is not function subtyping in wasm.
        self == other
    }

    /// Are `a` and `b` the same function type?
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, FuncType, ValType};
    /// let engine = Engine::default();
    /// assert!(FuncType::eq(&FuncType::new(&engine, [ValType::I32], []), &FuncType::new(&engine, [ValType::I32], [])));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    pub fn eq(a: &FuncType, b: &FuncType) -> bool {
        a.matches(b) && b.matches(a)
    }

    /// The parameter types, as a slice.
    pub(crate) fn param_types(&self) -> &[ValType] {
        &self.lists().0
    }

    /// The result types, as a slice.
    pub(crate) fn result_types(&self) -> &[ValType] {
        &self.lists().1
    }

    fn with_lists(engine: &Engine, lists: Lists) -> FuncType {
        let sig = Signature { lists: std::sync::OnceLock::from(lists), source: None };
        FuncType { engine: engine.clone(), sig: std::sync::Arc::new(sig) }
    }

    /// The lists, read from the C type on first use.
    fn lists(&self) -> &Lists {
        self.sig.lists.get_or_init(|| {
            let source = self.sig.source.as_ref().expect("a function type without lists has a C type");
            // SAFETY: the C type is live and owned by this signature.
            unsafe { read_lists(source.as_ptr(), &self.engine) }
        })
    }

    /// A function type of `engine` kept as its (owned) C type, read lazily.
    pub(crate) fn from_owned(engine: &Engine, raw: Owned<sys::wasm_functype_t>) -> FuncType {
        // SAFETY: `raw` is owned and live; `Shared` takes it over.
        let source = unsafe { Shared::from_raw(raw.into_raw()) }.expect("non-null");
        let sig = Signature { lists: std::sync::OnceLock::new(), source: Some(source) };
        FuncType { engine: engine.clone(), sig: std::sync::Arc::new(sig) }
    }

    /// An owned `wasm_functype_t`.
    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_functype_t>> {
        if let Some(source) = &self.sig.source {
            // SAFETY: the C type is live; the copy is owned.
            return Ok(unsafe { Owned::from_raw(sys::wasm_functype_copy(source.as_ptr())) }.expect("functype copy"));
        }
        let owned = |tys: &[ValType]| -> Result<Vec<*mut sys::wasm_valtype_t>> {
            tys.iter().map(|t| t.to_raw().map(Owned::into_raw)).collect()
        };
        let (params, results) = match (owned(self.param_types()), owned(self.result_types())) {
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

    /// From a borrowed `wasm_functype_t`, of `engine`.
    ///
    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_functype_t, engine: &Engine) -> FuncType {
        // SAFETY: `raw` is live, per the caller; the copy is owned. The C
        // type is kept so that the type keeps its identity in the engine's
        // registry (rebuilt from its lists, a recursive type would not).
        let copy = unsafe { Owned::from_raw(sys::wasm_functype_copy(raw)) }.expect("functype copy");
        FuncType::from_owned(engine, copy)
    }
}

/// The parameter and result lists of a live C function type of `engine`.
///
/// # Safety
/// `raw` must be live.
unsafe fn read_lists(raw: *const sys::wasm_functype_t, engine: &Engine) -> Lists {
    // SAFETY: the vectors belong to the live function type.
    unsafe { (valtypes(&*sys::wasm_functype_params(raw), engine), valtypes(&*sys::wasm_functype_results(raw), engine)) }
}

/// # Safety
/// `vec` must be a live vector of live value types.
unsafe fn valtypes(vec: &sys::wasm_valtype_vec_t, engine: &Engine) -> Box<[ValType]> {
    // SAFETY: forwarded from the caller.
    (0..vec.size).map(|i| unsafe { ValType::from_raw(*vec.data.add(i), engine) }).collect()
}

/// Whether a global can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Immutable.
    Const,
    /// Mutable.
    Var,
}

impl Mutability {
    /// Is this `Const`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::Mutability::Const.is_const());
    /// ```
    pub fn is_const(&self) -> bool {
        *self == Mutability::Const
    }

    /// Is this `Var`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::Mutability::Var.is_var());
    /// ```
    pub fn is_var(&self) -> bool {
        *self == Mutability::Var
    }
}

/// The type of a global.
///
/// ```
/// use wasmtime_mbt::{GlobalType, Mutability, ValType};
/// let ty = GlobalType::new(ValType::I64, Mutability::Var);
/// assert_eq!((ty.content(), ty.mutability()), (&ValType::I64, Mutability::Var));
/// assert!(ty.content().is_i64() && ty.mutability().is_var());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    pub fn content(&self) -> &ValType {
        &self.content
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
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_globaltype_t, engine: &Engine) -> GlobalType {
        // SAFETY: `raw` is live.
        unsafe {
            GlobalType {
                content: ValType::from_raw(sys::wasm_globaltype_content(raw), engine),
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
/// use wasmtime_mbt::{RefType, TableType};
/// let ty = TableType::new(RefType::FUNCREF, 1, Some(10));
/// assert_eq!((ty.element(), ty.minimum(), ty.maximum()), (&RefType::FUNCREF, 1, Some(10)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableType {
    element: RefType,
    minimum: u32,
    maximum: Option<u32>,
}

impl TableType {
    /// A table type, as `wasmtime::TableType::new`.
    ///
    /// ```
    /// use wasmtime_mbt::{RefType, TableType};
    /// assert_eq!(TableType::new(RefType::EXTERNREF, 0, None).maximum(), None);
    /// ```
    pub fn new(element: RefType, min: u32, max: Option<u32>) -> TableType {
        TableType { element, minimum: min, maximum: max }
    }

    /// The element type.
    ///
    /// ```
    /// use wasmtime_mbt::{RefType, TableType};
    /// assert!(TableType::new(RefType::FUNCREF, 0, None).element().heap_type().is_func());
    /// ```
    pub fn element(&self) -> &RefType {
        &self.element
    }

    /// The minimum size, in elements.
    ///
    /// ```
    /// use wasmtime_mbt::{RefType, TableType};
    /// assert_eq!(TableType::new(RefType::FUNCREF, 3, None).minimum(), 3u64);
    /// ```
    pub fn minimum(&self) -> u64 {
        self.minimum.into()
    }

    /// The maximum size, if any.
    ///
    /// ```
    /// use wasmtime_mbt::{RefType, TableType};
    /// assert_eq!(TableType::new(RefType::FUNCREF, 3, Some(5)).maximum(), Some(5u64));
    /// ```
    pub fn maximum(&self) -> Option<u64> {
        self.maximum.map(u64::from)
    }

    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_tabletype_t>> {
        let element = ValType::Ref(self.element.clone()).to_raw()?.into_raw();
        let limits = sys::wasm_limits_t { min: self.minimum, max: self.maximum.unwrap_or(u32::MAX) };
        // SAFETY: ownership of `element` moves in; `limits` is copied.
        Ok(unsafe { Owned::from_raw(sys::wasm_tabletype_new(element, &limits)) }.expect("tabletype"))
    }

    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_tabletype_t, engine: &Engine) -> TableType {
        // SAFETY: `raw` is live; its limits live as long as it does.
        unsafe {
            let limits = &*sys::wasm_tabletype_limits(raw);
            let element = match ValType::from_raw(sys::wasm_tabletype_element(raw), engine) {
                ValType::Ref(r) => r,
                // Tables hold references only; C never reports otherwise.
                _ => RefType::FUNCREF,
            };
            TableType { element, minimum: limits.min, maximum: (limits.max != u32::MAX).then_some(limits.max) }
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
    ///
    /// # Panics
    /// As `wasmtime`'s: if the maximum is below the minimum, or either is
    /// more than a 32-bit memory can hold (65,536 pages).
    pub fn new(minimum: u32, maximum: Option<u32>) -> MemoryType {
        MemoryType { minimum: minimum.into(), maximum: maximum.map(u64::from), is_64: false, shared: false, page_size_log2: 16 }.checked()
    }

    /// Panics with `wasmtime`'s message on limits no memory of this index
    /// type can have (found by the `api_sequence` fuzz target: `wasmtime`
    /// panics in `MemoryType::new`/`new64`, this crate used to fail later,
    /// in `Memory::new`). The rules of `wasmtime`'s `MemoryTypeBuilder`.
    fn checked(self) -> MemoryType {
        let fail = |why: &str| -> ! { panic!("called `Result::unwrap()` on an `Err` value: {why}") };
        if self.maximum.is_some_and(|max| max < self.minimum) {
            fail("maximum page size cannot be smaller than the minimum page size");
        }
        let page = 1u64 << self.page_size_log2;
        // A 64-bit memory's byte size is "what fits in a u64 less a page".
        let absolute_max = if self.is_64 { 0u64.wrapping_sub(page) } else { 1 << 32 };
        let Some(min) = self.minimum.checked_mul(page) else {
            fail("memory's minimum byte size must fit in a u64\n\nCaused by:\n    size overflow calculating memory size")
        };
        if min > absolute_max {
            fail("minimum size is too large for this memory type's index type");
        }
        // A maximum whose byte size overflows is accepted, as by `wasmtime`.
        if self.maximum.and_then(|max| max.checked_mul(page)).is_some_and(|max| max > absolute_max) {
            fail("maximum size is too large for this memory type's index type");
        }
        self
    }

    /// A 64-bit memory (`memory64`). Panics, as `wasmtime`, on a maximum
    /// below the minimum or a minimum no 64-bit memory can have.
    ///
    /// ```
    /// use wasmtime_mbt::MemoryType;
    /// assert!(MemoryType::new64(1, Some(1 << 40)).is_64());
    /// assert!(std::panic::catch_unwind(|| MemoryType::new64(2, Some(1))).is_err());
    /// assert!(std::panic::catch_unwind(|| MemoryType::new64(1 << 48, None)).is_err());
    /// ```
    pub fn new64(minimum: u64, maximum: Option<u64>) -> MemoryType {
        MemoryType { minimum, maximum, is_64: true, shared: false, page_size_log2: 16 }.checked()
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
    ///
    /// ```
    /// assert_eq!(wasmtime_mbt::MemoryType::new(1, None).page_size(), 65536);
    /// ```
    pub fn page_size(&self) -> u64 {
        1 << self.page_size_log2
    }

    /// The base-2 logarithm of the page size in bytes.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::MemoryType;
    /// assert_eq!(MemoryType::new(1, None).page_size_log2(), 16);
    /// assert_eq!(MemoryType::builder().page_size_log2(0).build()?.page_size_log2(), 0);
    /// # Ok(()) }
    /// ```
    pub fn page_size_log2(&self) -> u8 {
        self.page_size_log2
    }

    /// A builder for memory types with every option, as
    /// `wasmtime::MemoryType::builder`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::MemoryType;
    /// let ty = MemoryType::builder().min(2).max(Some(8)).memory64(true).build()?;
    /// assert_eq!((ty.minimum(), ty.maximum(), ty.is_64()), (2, Some(8), true));
    /// # Ok(()) }
    /// ```
    pub fn builder() -> MemoryTypeBuilder {
        MemoryTypeBuilder::new()
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

/// A builder for [`MemoryType`], as `wasmtime::MemoryTypeBuilder`;
/// [`MemoryTypeBuilder::build`] validates the options (through
/// `wasmtime_memorytype_new`).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::MemoryTypeBuilder;
/// let ty = MemoryTypeBuilder::new().min(1).max(Some(4)).shared(true).build()?;
/// assert!(ty.is_shared());
/// // A shared memory needs a maximum; a page size must be 1 or 64 KiB.
/// assert!(MemoryTypeBuilder::new().shared(true).build().is_err());
/// assert!(MemoryTypeBuilder::new().page_size_log2(3).build().is_err());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MemoryTypeBuilder {
    ty: MemoryType,
}

impl Default for MemoryTypeBuilder {
    fn default() -> MemoryTypeBuilder {
        MemoryTypeBuilder::new()
    }
}

impl MemoryTypeBuilder {
    /// A builder for a 32-bit, unshared memory of 0 to any number of
    /// 64 KiB pages.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let ty = wasmtime_mbt::MemoryTypeBuilder::new().build()?;
    /// assert_eq!((ty.minimum(), ty.maximum(), ty.is_64(), ty.page_size()), (0, None, false, 65536));
    /// # Ok(()) }
    /// ```
    pub fn new() -> MemoryTypeBuilder {
        MemoryTypeBuilder { ty: MemoryType { minimum: 0, maximum: None, is_64: false, shared: false, page_size_log2: 16 } }
    }

    /// The minimum size, in pages.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// assert_eq!(wasmtime_mbt::MemoryTypeBuilder::new().min(3).build()?.minimum(), 3);
    /// # Ok(()) }
    /// ```
    pub fn min(&mut self, minimum: u64) -> &mut Self {
        self.ty.minimum = minimum;
        self
    }

    /// The maximum size, in pages.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// assert_eq!(wasmtime_mbt::MemoryTypeBuilder::new().max(Some(3)).build()?.maximum(), Some(3));
    /// # Ok(()) }
    /// ```
    pub fn max(&mut self, maximum: Option<u64>) -> &mut Self {
        self.ty.maximum = maximum;
        self
    }

    /// Whether the memory is 64-bit (`memory64`).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// assert!(wasmtime_mbt::MemoryTypeBuilder::new().memory64(true).build()?.is_64());
    /// # Ok(()) }
    /// ```
    pub fn memory64(&mut self, memory64: bool) -> &mut Self {
        self.ty.is_64 = memory64;
        self
    }

    /// Whether the memory is shared (`threads`; needs a maximum).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// assert!(wasmtime_mbt::MemoryTypeBuilder::new().max(Some(1)).shared(true).build()?.is_shared());
    /// # Ok(()) }
    /// ```
    pub fn shared(&mut self, shared: bool) -> &mut Self {
        self.ty.shared = shared;
        self
    }

    /// The base-2 logarithm of the page size (`custom-page-sizes`: 0 or 16).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// assert_eq!(wasmtime_mbt::MemoryTypeBuilder::new().page_size_log2(0).build()?.page_size(), 1);
    /// # Ok(()) }
    /// ```
    pub fn page_size_log2(&mut self, page_size_log2: u8) -> &mut Self {
        self.ty.page_size_log2 = page_size_log2;
        self
    }

    /// The memory type; invalid combinations (a shared memory without a
    /// maximum, a minimum above the maximum or the index type's range, an
    /// unsupported page size) are an `Err`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::MemoryTypeBuilder;
    /// assert!(MemoryTypeBuilder::new().min(2).max(Some(1)).build().is_err());
    /// assert_eq!(MemoryTypeBuilder::new().min(1).build()?.minimum(), 1);
    /// # Ok(()) }
    /// ```
    pub fn build(&self) -> Result<MemoryType> {
        let raw = self.ty.to_raw()?;
        // SAFETY: `raw` is live; read back what C accepted.
        Ok(unsafe { MemoryType::from_raw(raw.as_ptr()) })
    }
}

/// The type of an import or export, as `wasmtime::ExternType`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let module = Module::new(&Engine::default(), r#"(module (memory (export "m") 1) (func (export "f")))"#)?;
/// let ty = module.get_export("m").unwrap();
/// assert_eq!(ty.unwrap_memory().minimum(), 1);
/// assert!(ty.func().is_none());
/// assert_eq!(module.get_export("f").unwrap().unwrap_func().params().len(), 0);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    Tag(TagType),
}

macro_rules! extern_accessors {
    ($($variant:ident($ty:ty) $get:ident $unwrap:ident;)*) => {
        impl ExternType {$(
            #[doc = concat!("The `", stringify!($ty), "` if this is a `", stringify!($variant), "`.")]
            ///
            /// ```
            /// use wasmtime_mbt::*;
            /// let ty = ExternType::from(GlobalType::new(ValType::I32, Mutability::Const));
            /// assert!(ty.global().is_some() && ty.func().is_none() && ty.table().is_none() && ty.memory().is_none());
            /// ```
            pub fn $get(&self) -> Option<&$ty> {
                match self {
                    ExternType::$variant(ty) => Some(ty),
                    _ => None,
                }
            }

            #[doc = concat!("The `", stringify!($ty), "`; panics unless this is a `", stringify!($variant), "`.")]
            ///
            /// ```
            /// use wasmtime_mbt::*;
            /// let ty = ExternType::from(MemoryType::new(1, None));
            /// assert_eq!(ty.unwrap_memory().minimum(), 1);
            /// assert!(std::panic::catch_unwind(|| ty.unwrap_func().params().len()).is_err());
            /// ```
            pub fn $unwrap(&self) -> &$ty {
                self.$get().expect(concat!("expected ", stringify!($get), " type"))
            }
        )*}

        $(
            impl From<$ty> for ExternType {
                fn from(ty: $ty) -> ExternType {
                    ExternType::$variant(ty)
                }
            }
        )*
    };
}

extern_accessors! {
    Func(FuncType) func unwrap_func;
    Global(GlobalType) global unwrap_global;
    Table(TableType) table unwrap_table;
    Memory(MemoryType) memory unwrap_memory;
    Tag(TagType) tag unwrap_tag;
}

impl ExternType {
    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_externtype_t, engine: &Engine) -> ExternType {
        // SAFETY: `raw` is live; each downcast matches its kind.
        unsafe {
            match u32::from(sys::wasm_externtype_kind(raw)) {
                sys::WASM_EXTERN_FUNC => ExternType::Func(FuncType::from_raw(sys::wasm_externtype_as_functype_const(raw), engine)),
                sys::WASM_EXTERN_GLOBAL => {
                    ExternType::Global(GlobalType::from_raw(sys::wasm_externtype_as_globaltype_const(raw), engine))
                }
                sys::WASM_EXTERN_TABLE => ExternType::Table(TableType::from_raw(sys::wasm_externtype_as_tabletype_const(raw), engine)),
                sys::WASM_EXTERN_MEMORY => {
                    ExternType::Memory(MemoryType::from_raw(sys::wasm_externtype_as_memorytype_const(raw)))
                }
                _ => ExternType::Tag(TagType::from_raw(sys::wasm_externtype_as_tagtype_const(raw), engine)),
            }
        }
    }
}

/// One import of a module, as `wasmtime::ImportType`: borrowed from the
/// [`Module`](crate::Module), whose import list is read once when it is
/// created.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let module = Module::new(&Engine::default(), r#"(module (import "env" "g" (global i64)))"#)?;
/// let import = module.imports().next().unwrap();
/// assert_eq!((import.module(), import.name()), ("env", "g"));
/// assert_eq!(*import.ty().unwrap_global().content(), ValType::I64);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ImportType<'module> {
    pub(crate) module: &'module str,
    pub(crate) name: &'module str,
    pub(crate) ty: &'module ExternType,
}

impl<'module> ImportType<'module> {
    /// The module name.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let module = wasmtime_mbt::Module::new(&wasmtime_mbt::Engine::default(), r#"(module (import "a" "b" (func)))"#)?;
    /// assert_eq!(module.imports().next().unwrap().module(), "a");
    /// # Ok(()) }
    /// ```
    pub fn module(&self) -> &'module str {
        self.module
    }

    /// The item name.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let module = wasmtime_mbt::Module::new(&wasmtime_mbt::Engine::default(), r#"(module (import "a" "b" (func)))"#)?;
    /// assert_eq!(module.imports().next().unwrap().name(), "b");
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &'module str {
        self.name
    }

    /// The item's type.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let module = wasmtime_mbt::Module::new(&wasmtime_mbt::Engine::default(), r#"(module (import "a" "b" (func (param i32))))"#)?;
    /// assert_eq!(module.imports().next().unwrap().ty().unwrap_func().params().len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

impl fmt::Debug for ImportType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportType").field("module", &self.module).field("name", &self.name).field("ty", self.ty).finish()
    }
}

/// One export of a module, as `wasmtime::ExportType`: borrowed from the
/// [`Module`](crate::Module), whose export list is read once when it is
/// created.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let module = Module::new(&Engine::default(), r#"(module (func (export "f") (result i32) i32.const 0))"#)?;
/// let export = module.exports().next().unwrap();
/// assert_eq!(export.name(), "f");
/// assert_eq!(export.ty().unwrap_func().results().collect::<Vec<_>>(), [ValType::I32]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ExportType<'module> {
    pub(crate) name: &'module str,
    pub(crate) ty: &'module ExternType,
}

impl<'module> ExportType<'module> {
    /// The export name.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let module = wasmtime_mbt::Module::new(&wasmtime_mbt::Engine::default(), r#"(module (memory (export "mem") 1))"#)?;
    /// assert_eq!(module.exports().next().unwrap().name(), "mem");
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &'module str {
        self.name
    }

    /// The item's type.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let module = wasmtime_mbt::Module::new(&wasmtime_mbt::Engine::default(), r#"(module (memory (export "mem") 2))"#)?;
    /// assert_eq!(module.exports().next().unwrap().ty().unwrap_memory().minimum(), 2);
    /// # Ok(()) }
    /// ```
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

impl fmt::Debug for ExportType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportType").field("name", &self.name).field("ty", self.ty).finish()
    }
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
