//! [`HeapType`]: the heap type of a reference, with the concrete variants
//! carrying their types, and its conversion to and from the C API's
//! `wasmtime_heaptype_t`.
//!
//! A concrete type read from C keeps its C type and reads its own
//! parameters or fields only when asked, so a recursive type
//! (`(type $t (struct (field (ref null $t))))`) is read one level at a
//! time. For the same reason equality, hashing and printing never look
//! into a concrete type: identity comes from the engine's type registry
//! (`wasmtime_wasm_valtype_equal`), as `wasmtime`'s type indices do.

use std::fmt;
use std::hash::{Hash, Hasher};

use wasmtime_mbt_sys as sys;

use crate::owned::Owned;
use crate::{ArrayType, Engine, Error, ExnType, FuncType, Result, StructType};

/// The heap type of a reference, as `wasmtime::HeapType`.
///
/// The concrete variants carry their type, as `wasmtime`'s do:
/// `HeapType::ConcreteFunc(FuncType)`, `ConcreteArray(ArrayType)`,
/// `ConcreteStruct(StructType)`, `ConcreteExn(ExnType)`. There is no
/// `ConcreteCont`: the C API has no continuation types.
///
/// Beyond `wasmtime` it is `PartialEq`/`Eq`: abstract types by kind,
/// concrete ones when they are the same type of the same engine (the
/// engine's canonical type registry decides, as [`HeapType::eq`]).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// assert!(HeapType::I31.matches(&HeapType::Eq) && HeapType::Eq.matches(&HeapType::Any));
/// assert_eq!(HeapType::Struct.top(), HeapType::Any);
/// assert_eq!(HeapType::Func.bottom(), HeapType::NoFunc);
/// assert_eq!(HeapType::NoExtern.to_string(), "noextern");
///
/// let engine = Engine::default();
/// let ty = FuncType::new(&engine, [ValType::I32], []);
/// let concrete = HeapType::from(ty.clone());
/// assert!(concrete.matches(&HeapType::Func) && HeapType::NoFunc.matches(&concrete));
/// assert_eq!(concrete.unwrap_concrete_func().params().len(), 1);
/// assert_eq!(concrete, HeapType::ConcreteFunc(FuncType::new(&engine, [ValType::I32], [])));
/// assert_ne!(concrete, HeapType::ConcreteFunc(FuncType::new(&engine, [ValType::I64], [])));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub enum HeapType {
    /// `extern`: host references.
    Extern,
    /// `noextern`: the bottom of the `extern` hierarchy.
    NoExtern,
    /// `func`: any function.
    Func,
    /// A concrete function type.
    ConcreteFunc(FuncType),
    /// `nofunc`: the bottom of the `func` hierarchy.
    NoFunc,
    /// `any`: any internal (GC) reference.
    Any,
    /// `none`: the bottom of the `any` hierarchy.
    None,
    /// `eq`: references comparable with `ref.eq`.
    Eq,
    /// `i31`: unboxed 31-bit integers.
    I31,
    /// `array`: any array.
    Array,
    /// A concrete array type.
    ConcreteArray(ArrayType),
    /// `struct`: any struct.
    Struct,
    /// A concrete struct type.
    ConcreteStruct(StructType),
    /// `exn`: any exception.
    Exn,
    /// A concrete exception type.
    ConcreteExn(ExnType),
    /// `noexn`: the bottom of the `exn` hierarchy.
    NoExn,
    /// `cont`: any continuation (stack switching; the C API has no
    /// continuation types, so it cannot cross into C).
    Cont,
    /// `nocont`: the bottom of the `cont` hierarchy (as [`HeapType::Cont`]).
    NoCont,
}

impl fmt::Debug for HeapType {
    /// The variant's name, as `wasmtime`'s derived `Debug` (`Any`,
    /// `NoFunc`); a concrete variant names its type's kind only
    /// (`ConcreteStruct(StructType)`), never its contents, which may be
    /// recursive.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// assert_eq!(format!("{:?}", HeapType::NoFunc), "NoFunc");
    /// let ty = HeapType::from(StructType::new(&Engine::default(), []).unwrap());
    /// assert_eq!(format!("{ty:?}"), "ConcreteStruct(StructType)");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeapType::Extern => "Extern",
            HeapType::NoExtern => "NoExtern",
            HeapType::Func => "Func",
            HeapType::ConcreteFunc(_) => "ConcreteFunc(FuncType)",
            HeapType::NoFunc => "NoFunc",
            HeapType::Any => "Any",
            HeapType::None => "None",
            HeapType::Eq => "Eq",
            HeapType::I31 => "I31",
            HeapType::Array => "Array",
            HeapType::ConcreteArray(_) => "ConcreteArray(ArrayType)",
            HeapType::Struct => "Struct",
            HeapType::ConcreteStruct(_) => "ConcreteStruct(StructType)",
            HeapType::Exn => "Exn",
            HeapType::ConcreteExn(_) => "ConcreteExn(ExnType)",
            HeapType::NoExn => "NoExn",
            HeapType::Cont => "Cont",
            HeapType::NoCont => "NoCont",
        })
    }
}

impl fmt::Display for HeapType {
    /// The wasm text name; a concrete type prints its kind only (`wasmtime`
    /// prints its type index, which the C API does not expose).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeapType::Extern => "extern",
            HeapType::NoExtern => "noextern",
            HeapType::Func => "func",
            HeapType::NoFunc => "nofunc",
            HeapType::Any => "any",
            HeapType::Eq => "eq",
            HeapType::I31 => "i31",
            HeapType::Array => "array",
            HeapType::Struct => "struct",
            HeapType::None => "none",
            HeapType::ConcreteFunc(_) => "(concrete func)",
            HeapType::ConcreteArray(_) => "(concrete array)",
            HeapType::ConcreteStruct(_) => "(concrete struct)",
            HeapType::ConcreteExn(_) => "(concrete exn)",
            HeapType::Cont => "cont",
            HeapType::NoCont => "nocont",
            HeapType::Exn => "exn",
            HeapType::NoExn => "noexn",
        })
    }
}

impl PartialEq for HeapType {
    /// [`HeapType::eq`], except that concrete types of different engines
    /// are unequal instead of a panic.
    fn eq(&self, other: &HeapType) -> bool {
        match (self.engine(), other.engine()) {
            (Some(a), Some(b)) => Engine::same(a, b) && same_concrete(self, other),
            (None, None) => std::mem::discriminant(self) == std::mem::discriminant(other),
            _ => false,
        }
    }
}

impl Eq for HeapType {}

impl Hash for HeapType {
    /// The kind only: equal types have equal kinds, and a concrete type is
    /// never looked into (it may be recursive).
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
    }
}

macro_rules! heap_from {
    ($($ty:ident => $variant:ident,)*) => {$(
        impl From<$ty> for HeapType {
            #[doc = concat!("`HeapType::", stringify!($variant), "`.")]
            ///
            /// ```
            /// use wasmtime_mbt::*;
            /// assert!(HeapType::from(FuncType::new(&Engine::default(), [], [])).is_concrete());
            /// ```
            #[inline]
            fn from(ty: $ty) -> HeapType {
                HeapType::$variant(ty)
            }
        }
    )*};
}

heap_from! {
    FuncType => ConcreteFunc,
    ArrayType => ConcreteArray,
    StructType => ConcreteStruct,
    ExnType => ConcreteExn,
}

macro_rules! heap_predicates {
    ($($(#[$doc:meta])* $name:ident => [$($pat:tt)*];)*) => {
        impl HeapType {$(
            $(#[$doc])*
            #[inline]
            pub fn $name(&self) -> bool {
                matches!(self, $($pat)*)
            }
        )*}
    };
}

heap_predicates! {
    /// Is this `extern`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::Extern.is_extern());
    /// ```
    is_extern => [HeapType::Extern];
    /// Is this `func`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::Func.is_func() && !wasmtime_mbt::HeapType::NoFunc.is_func());
    /// ```
    is_func => [HeapType::Func];
    /// Is this `nofunc`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::NoFunc.is_no_func());
    /// ```
    is_no_func => [HeapType::NoFunc];
    /// Is this `any`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::Any.is_any());
    /// ```
    is_any => [HeapType::Any];
    /// Is this `i31`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::I31.is_i31());
    /// ```
    is_i31 => [HeapType::I31];
    /// Is this `none`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::None.is_none());
    /// ```
    is_none => [HeapType::None];
    /// Is this `cont`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::Cont.is_cont());
    /// ```
    is_cont => [HeapType::Cont];
    /// Is this `exn`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::Exn.is_exn());
    /// ```
    is_exn => [HeapType::Exn];
    /// Is this `noexn`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::NoExn.is_no_exn());
    /// ```
    is_no_exn => [HeapType::NoExn];
    /// Is this a concrete (indexed) type?
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = StructType::new(&Engine::default(), []).unwrap();
    /// assert!(HeapType::ConcreteStruct(ty).is_concrete() && !HeapType::Struct.is_concrete());
    /// ```
    is_concrete => [HeapType::ConcreteFunc(_) | HeapType::ConcreteArray(_) | HeapType::ConcreteStruct(_) | HeapType::ConcreteExn(_)];
    /// Is this a concrete function type?
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// assert!(HeapType::ConcreteFunc(FuncType::new(&Engine::default(), [], [])).is_concrete_func());
    /// ```
    is_concrete_func => [HeapType::ConcreteFunc(_)];
    /// Is this a concrete array type?
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = ArrayType::new(&Engine::default(), FieldType::new(Mutability::Var, StorageType::I8));
    /// assert!(HeapType::ConcreteArray(ty).is_concrete_array());
    /// ```
    is_concrete_array => [HeapType::ConcreteArray(_)];
    /// Is this a concrete struct type?
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// assert!(HeapType::ConcreteStruct(StructType::new(&Engine::default(), []).unwrap()).is_concrete_struct());
    /// ```
    is_concrete_struct => [HeapType::ConcreteStruct(_)];
    /// Is this a concrete exception type?
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// assert!(HeapType::ConcreteExn(ExnType::new(&Engine::default(), []).unwrap()).is_concrete_exn());
    /// ```
    is_concrete_exn => [HeapType::ConcreteExn(_)];
    /// Is this a concrete continuation type? Always `false`: the C API has
    /// no continuation types.
    ///
    /// ```
    /// assert!(!wasmtime_mbt::HeapType::Cont.is_concrete_cont());
    /// ```
    is_concrete_cont => [HeapType::Cont if false];
    /// Is this the top of its hierarchy (`any`, `extern`, `func`, `cont`, `exn`)?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::Extern.is_top() && !wasmtime_mbt::HeapType::Eq.is_top());
    /// ```
    is_top => [HeapType::Any | HeapType::Extern | HeapType::Func | HeapType::Cont | HeapType::Exn];
    /// Is this the bottom of its hierarchy (`none`, `noextern`, `nofunc`, `nocont`, `noexn`)?
    ///
    /// ```
    /// assert!(wasmtime_mbt::HeapType::None.is_bottom() && !wasmtime_mbt::HeapType::Any.is_bottom());
    /// ```
    is_bottom => [HeapType::None | HeapType::NoExtern | HeapType::NoFunc | HeapType::NoCont | HeapType::NoExn];
}

macro_rules! concrete_accessors {
    ($($(#[$doc:meta])* $as:ident / $unwrap:ident => $variant:ident($ty:ident);)*) => {
        impl HeapType {$(
            $(#[$doc])*
            #[inline]
            pub fn $as(&self) -> Option<&$ty> {
                match self {
                    HeapType::$variant(ty) => Some(ty),
                    _ => None,
                }
            }

            #[doc = concat!("The type of a `", stringify!($variant), "`; panics for any other heap type, as `wasmtime`.")]
            ///
            /// ```should_panic
            /// wasmtime_mbt::HeapType::Any.unwrap_concrete_func();
            /// ```
            #[inline]
            #[track_caller]
            pub fn $unwrap(&self) -> &$ty {
                self.$as().unwrap()
            }
        )*}
    };
}

concrete_accessors! {
    /// The function type of a `ConcreteFunc`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = HeapType::from(FuncType::new(&Engine::default(), [], [ValType::I64]));
    /// assert_eq!(ty.as_concrete_func().unwrap().results().len(), 1);
    /// assert!(HeapType::Func.as_concrete_func().is_none());
    /// ```
    as_concrete_func / unwrap_concrete_func => ConcreteFunc(FuncType);
    /// The array type of a `ConcreteArray`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = ArrayType::new(&Engine::default(), FieldType::new(Mutability::Var, StorageType::I8));
    /// assert!(HeapType::from(ty).as_concrete_array().unwrap().element_type().is_i8());
    /// assert!(HeapType::Array.as_concrete_array().is_none());
    /// ```
    as_concrete_array / unwrap_concrete_array => ConcreteArray(ArrayType);
    /// The struct type of a `ConcreteStruct`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = StructType::new(&Engine::default(), []).unwrap();
    /// assert_eq!(HeapType::from(ty).as_concrete_struct().unwrap().fields().len(), 0);
    /// assert!(HeapType::Struct.as_concrete_struct().is_none());
    /// ```
    as_concrete_struct / unwrap_concrete_struct => ConcreteStruct(StructType);
    /// The exception type of a `ConcreteExn`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = ExnType::new(&Engine::default(), [ValType::I32]).unwrap();
    /// assert_eq!(HeapType::from(ty).as_concrete_exn().unwrap().fields().len(), 1);
    /// assert!(HeapType::Exn.as_concrete_exn().is_none());
    /// ```
    as_concrete_exn / unwrap_concrete_exn => ConcreteExn(ExnType);
}

impl HeapType {
    /// Is this an abstract (non-concrete) heap type?
    ///
    /// ```
    /// use wasmtime_mbt::HeapType;
    /// assert!(HeapType::Func.is_abstract() && HeapType::NoExn.is_abstract());
    /// ```
    #[inline]
    pub fn is_abstract(&self) -> bool {
        !self.is_concrete()
    }

    /// The top of this type's hierarchy.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = HeapType::from(FuncType::new(&Engine::default(), [], []));
    /// assert_eq!(ty.top(), HeapType::Func);
    /// assert_eq!(HeapType::I31.top(), HeapType::Any);
    /// ```
    pub fn top(&self) -> HeapType {
        match self {
            HeapType::Func | HeapType::ConcreteFunc(_) | HeapType::NoFunc => HeapType::Func,
            HeapType::Extern | HeapType::NoExtern => HeapType::Extern,
            HeapType::Any
            | HeapType::Eq
            | HeapType::I31
            | HeapType::Array
            | HeapType::ConcreteArray(_)
            | HeapType::Struct
            | HeapType::ConcreteStruct(_)
            | HeapType::None => HeapType::Any,
            HeapType::Cont | HeapType::NoCont => HeapType::Cont,
            HeapType::Exn | HeapType::ConcreteExn(_) | HeapType::NoExn => HeapType::Exn,
        }
    }

    /// The bottom of this type's hierarchy.
    ///
    /// ```
    /// use wasmtime_mbt::HeapType;
    /// assert_eq!(HeapType::Array.bottom(), HeapType::None);
    /// assert_eq!(HeapType::Extern.bottom(), HeapType::NoExtern);
    /// ```
    pub fn bottom(&self) -> HeapType {
        match self.top() {
            HeapType::Func => HeapType::NoFunc,
            HeapType::Extern => HeapType::NoExtern,
            HeapType::Cont => HeapType::NoCont,
            HeapType::Exn => HeapType::NoExn,
            _ => HeapType::None,
        }
    }

    /// Is this heap type a subtype of `other`, as `wasmtime::HeapType::matches`?
    ///
    /// Two concrete types match when they are the same type; panics when
    /// they belong to different engines, as `wasmtime`. Declared
    /// supertypes of a module's types are not visible through the C API,
    /// so a concrete type matches no other concrete type (`wasmtime` also
    /// accepts a declared subtype).
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let array = HeapType::from(ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8)));
    /// assert!(HeapType::None.matches(&array) && array.matches(&HeapType::Eq));
    /// assert!(array.matches(&array.clone()) && !array.matches(&HeapType::Struct));
    /// assert!(!HeapType::Any.matches(&HeapType::Eq));
    /// assert!(!HeapType::Extern.matches(&HeapType::Any));
    /// ```
    #[track_caller]
    pub fn matches(&self, other: &HeapType) -> bool {
        use HeapType as H;
        match (self, other) {
            (H::ConcreteFunc(_), H::ConcreteFunc(_))
            | (H::ConcreteArray(_), H::ConcreteArray(_))
            | (H::ConcreteStruct(_), H::ConcreteStruct(_))
            | (H::ConcreteExn(_), H::ConcreteExn(_)) => {
                let (a, b) = (self.engine().expect("concrete"), other.engine().expect("concrete"));
                assert!(Engine::same(a, b), "type used with the wrong engine");
                same_concrete(self, other)
            }
            (a, b) if a.is_abstract() && std::mem::discriminant(a) == std::mem::discriminant(b) => true,
            (H::NoExtern, H::Extern) => true,
            (H::NoFunc, H::ConcreteFunc(_) | H::Func) => true,
            (H::ConcreteFunc(_), H::Func) => true,
            (H::NoCont, H::Cont) => true,
            (H::None, H::ConcreteArray(_) | H::Array | H::ConcreteStruct(_) | H::Struct | H::I31 | H::Eq | H::Any) => true,
            (H::ConcreteArray(_), H::Array | H::Eq | H::Any) => true,
            (H::Array, H::Eq | H::Any) => true,
            (H::ConcreteStruct(_), H::Struct | H::Eq | H::Any) => true,
            (H::Struct, H::Eq | H::Any) => true,
            (H::I31, H::Eq | H::Any) => true,
            (H::Eq, H::Any) => true,
            (H::NoExn, H::Exn | H::ConcreteExn(_)) => true,
            (H::ConcreteExn(_), H::Exn) => true,
            _ => false,
        }
    }

    /// Are `a` and `b` the same heap type (each matches the other)?
    /// Panics for concrete types of different engines.
    ///
    /// ```
    /// use wasmtime_mbt::HeapType;
    /// assert!(HeapType::eq(&HeapType::Any, &HeapType::Any));
    /// assert!(!HeapType::eq(&HeapType::I31, &HeapType::Any));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    #[track_caller]
    pub fn eq(a: &HeapType, b: &HeapType) -> bool {
        a.matches(b) && b.matches(a)
    }

    /// Is this type usable with `engine` (abstract, or a concrete type of
    /// `engine`)? `wasmtime` asserts it where types meet an engine.
    pub(crate) fn comes_from_same_engine(&self, engine: &Engine) -> bool {
        self.engine().is_none_or(|e| Engine::same(e, engine))
    }

    /// The engine of a concrete type.
    fn engine(&self) -> Option<&Engine> {
        Some(match self {
            HeapType::ConcreteFunc(t) => t.engine(),
            HeapType::ConcreteArray(t) => t.engine(),
            HeapType::ConcreteStruct(t) => t.engine(),
            HeapType::ConcreteExn(t) => t.engine(),
            _ => return None,
        })
    }

    /// The `WASMTIME_HEAPTYPE_KIND_*` of this type (`None` for
    /// continuations, which C does not have).
    fn c_kind(&self) -> Option<u32> {
        Some(match self {
            HeapType::Extern => sys::WASMTIME_HEAPTYPE_KIND_EXTERN,
            HeapType::NoExtern => sys::WASMTIME_HEAPTYPE_KIND_NOEXTERN,
            HeapType::Func => sys::WASMTIME_HEAPTYPE_KIND_FUNC,
            HeapType::ConcreteFunc(_) => sys::WASMTIME_HEAPTYPE_KIND_CONCRETE_FUNC,
            HeapType::NoFunc => sys::WASMTIME_HEAPTYPE_KIND_NOFUNC,
            HeapType::Any => sys::WASMTIME_HEAPTYPE_KIND_ANY,
            HeapType::None => sys::WASMTIME_HEAPTYPE_KIND_NONE,
            HeapType::Eq => sys::WASMTIME_HEAPTYPE_KIND_EQ,
            HeapType::I31 => sys::WASMTIME_HEAPTYPE_KIND_I31,
            HeapType::Array => sys::WASMTIME_HEAPTYPE_KIND_ARRAY,
            HeapType::ConcreteArray(_) => sys::WASMTIME_HEAPTYPE_KIND_CONCRETE_ARRAY,
            HeapType::Struct => sys::WASMTIME_HEAPTYPE_KIND_STRUCT,
            HeapType::ConcreteStruct(_) => sys::WASMTIME_HEAPTYPE_KIND_CONCRETE_STRUCT,
            HeapType::Exn => sys::WASMTIME_HEAPTYPE_KIND_EXN,
            HeapType::ConcreteExn(_) => sys::WASMTIME_HEAPTYPE_KIND_CONCRETE_EXN,
            HeapType::NoExn => sys::WASMTIME_HEAPTYPE_KIND_NOEXN,
            HeapType::Cont | HeapType::NoCont => return None,
        })
    }

    /// An owned `wasm_valtype_t` of a reference to this type, built
    /// through `wasmtime_valtype_to_wasm`; a concrete payload is lent to the
    /// call (C copies it). `Err` for continuation types.
    pub(crate) fn to_c_valtype(&self, nullable: bool) -> Result<Owned<sys::wasm_valtype_t>> {
        let Some(kind) = self.c_kind() else {
            return Err(Error::msg(format!("heap type {self} has no C API equivalent")));
        };
        let mut heap = sys::wasmtime_heaptype_t { kind: kind as sys::wasmtime_heaptype_kind_t, ..Default::default() };
        // The C objects that back the payload, alive until C has copied it.
        let _func;
        let _exn;
        match self {
            HeapType::ConcreteFunc(t) => {
                let owned = t.to_raw()?;
                heap.of.concrete_func = owned.as_ptr();
                _func = owned;
            }
            HeapType::ConcreteArray(t) => heap.of.concrete_array = t.as_raw().cast_mut(),
            HeapType::ConcreteStruct(t) => heap.of.concrete_struct = t.as_raw().cast_mut(),
            HeapType::ConcreteExn(t) => {
                let owned = t.to_c()?;
                heap.of.concrete_exn = owned.as_ptr();
                _exn = owned;
            }
            _ => {}
        }
        let engine = self.engine().map_or(std::ptr::null(), |e| e.as_raw().cast_const());
        let ty = sys::wasmtime_valtype_t {
            kind: sys::WASMTIME_VALTYPE_KIND_REF as sys::wasmtime_valtype_kind_t,
            reftype: sys::wasmtime_reftype_t { nullable, heaptype: heap },
        };
        // SAFETY: an abstract heap type needs no engine (null) and no
        // payload; a concrete one's payload is live for the call, which only
        // reads (clones) it, and `engine` is its engine. The result is owned.
        Ok(unsafe { Owned::from_raw(sys::wasmtime_valtype_to_wasm(engine, &ty)) }.expect("valtype"))
    }

    /// From a C heap type of `engine`; a concrete payload is copied (the
    /// caller still owns and deletes `raw`).
    ///
    /// # Safety
    /// `raw` must be initialised, its payload live.
    pub(crate) unsafe fn from_c(raw: &sys::wasmtime_heaptype_t, engine: &Engine) -> HeapType {
        // SAFETY: the payload named by `kind` is live, per the caller; each
        // copy is owned by the Rust type made from it.
        unsafe {
            match u32::from(raw.kind) {
                sys::WASMTIME_HEAPTYPE_KIND_EXTERN => HeapType::Extern,
                sys::WASMTIME_HEAPTYPE_KIND_NOEXTERN => HeapType::NoExtern,
                sys::WASMTIME_HEAPTYPE_KIND_FUNC => HeapType::Func,
                sys::WASMTIME_HEAPTYPE_KIND_CONCRETE_FUNC => {
                    let copy = Owned::from_raw(sys::wasm_functype_copy(raw.of.concrete_func)).expect("function type copy");
                    HeapType::ConcreteFunc(FuncType::from_owned(engine, copy))
                }
                sys::WASMTIME_HEAPTYPE_KIND_NOFUNC => HeapType::NoFunc,
                sys::WASMTIME_HEAPTYPE_KIND_ANY => HeapType::Any,
                sys::WASMTIME_HEAPTYPE_KIND_NONE => HeapType::None,
                sys::WASMTIME_HEAPTYPE_KIND_EQ => HeapType::Eq,
                sys::WASMTIME_HEAPTYPE_KIND_I31 => HeapType::I31,
                sys::WASMTIME_HEAPTYPE_KIND_ARRAY => HeapType::Array,
                sys::WASMTIME_HEAPTYPE_KIND_CONCRETE_ARRAY => HeapType::ConcreteArray(
                    ArrayType::from_owned(engine, sys::wasmtime_array_type_copy(raw.of.concrete_array)).expect("array type copy"),
                ),
                sys::WASMTIME_HEAPTYPE_KIND_STRUCT => HeapType::Struct,
                sys::WASMTIME_HEAPTYPE_KIND_CONCRETE_STRUCT => HeapType::ConcreteStruct(
                    StructType::from_owned(engine, sys::wasmtime_struct_type_copy(raw.of.concrete_struct)).expect("struct type copy"),
                ),
                sys::WASMTIME_HEAPTYPE_KIND_EXN => HeapType::Exn,
                sys::WASMTIME_HEAPTYPE_KIND_CONCRETE_EXN => HeapType::ConcreteExn(
                    ExnType::from_owned(engine, sys::wasmtime_exn_type_copy(raw.of.concrete_exn)).expect("exception type copy"),
                ),
                sys::WASMTIME_HEAPTYPE_KIND_NOEXN => HeapType::NoExn,
                other => unreachable!("unknown C heap type kind {other}"),
            }
        }
    }
}

/// Are two concrete types of the same engine the same type? Decided by the
/// engine's registry (`wasmtime_wasm_valtype_equal` compares type indices),
/// so it never recurses into the types.
fn same_concrete(a: &HeapType, b: &HeapType) -> bool {
    if std::mem::discriminant(a) != std::mem::discriminant(b) {
        return false;
    }
    match (a.to_c_valtype(false), b.to_c_valtype(false)) {
        // SAFETY: both value types are live and owned here.
        (Ok(x), Ok(y)) => unsafe { sys::wasmtime_wasm_valtype_equal(x.as_ptr(), y.as_ptr()) },
        _ => false,
    }
}
