//! Types of GC objects, as `wasmtime`'s: [`StorageType`], [`FieldType`],
//! [`StructType`], [`ArrayType`] and [`ExnType`] (`wasmtime_struct_type_*`,
//! `wasmtime_array_type_*`, `wasmtime_exn_type_*`).
//!
//! Field lists are kept in Rust; a struct or array type also holds its C
//! type (registered with the engine), which allocators
//! ([`StructRefPre`](crate::StructRefPre), …) are made from.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::{CDelete, Owned};
use crate::{Engine, Error, FuncType, Mutability, RefType, Result, TagType, ValType};

/// An owned C object shared by clones of a Rust type.
pub(crate) struct Shared<T: CDelete>(Owned<T>);

// SAFETY: the C struct/array types, allocators and exception types wrap
// `wasmtime::StructType`, `StructRefPre`, … which are `Send + Sync`; they
// are only read after creation.
unsafe impl<T: CDelete> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T: CDelete> Sync for Shared<T> {}

impl<T: CDelete> Shared<T> {
    /// # Safety
    /// As for [`Owned::from_raw`].
    pub(crate) unsafe fn from_raw(ptr: *mut T) -> Option<Self> {
        // SAFETY: forwarded.
        unsafe { Owned::from_raw(ptr) }.map(Shared)
    }

    pub(crate) fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }
}

macro_rules! c_delete {
    ($($ty:ty => $delete:path,)*) => {$(
        impl CDelete for $ty {
            unsafe fn delete(ptr: *mut Self) {
                // SAFETY: forwarded: `ptr` is owned and live.
                unsafe { $delete(ptr) }
            }
        }
    )*};
}

c_delete! {
    sys::wasmtime_struct_type_t => sys::wasmtime_struct_type_delete,
    sys::wasmtime_array_type_t => sys::wasmtime_array_type_delete,
    sys::wasmtime_struct_ref_pre_t => sys::wasmtime_struct_ref_pre_delete,
    sys::wasmtime_array_ref_pre_t => sys::wasmtime_array_ref_pre_delete,
    sys::wasmtime_exn_type_t => sys::wasmtime_exn_type_delete,
}

/// What a struct field or array element holds, as `wasmtime::StorageType`:
/// a packed `i8`/`i16` or a value type.
///
/// ```
/// use wasmtime_mbt::{StorageType, ValType};
/// assert!(StorageType::I8.is_i8());
/// assert_eq!(StorageType::I16.unpack(), &ValType::I32);
/// assert_eq!(StorageType::from(ValType::I64).as_val_type(), Some(&ValType::I64));
/// assert_eq!(StorageType::I8.to_string(), "i8");
/// ```
#[derive(Debug, Clone, Hash)]
pub enum StorageType {
    /// A packed 8-bit integer (read as a zero-extended `i32`).
    I8,
    /// A packed 16-bit integer (read as a zero-extended `i32`).
    I16,
    /// A value type.
    ValType(ValType),
}

impl fmt::Display for StorageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageType::I8 => f.write_str("i8"),
            StorageType::I16 => f.write_str("i16"),
            StorageType::ValType(ty) => fmt::Display::fmt(ty, f),
        }
    }
}

impl From<ValType> for StorageType {
    /// ```
    /// assert!(wasmtime_mbt::StorageType::from(wasmtime_mbt::ValType::F32).is_val_type());
    /// ```
    fn from(v: ValType) -> Self {
        StorageType::ValType(v)
    }
}

impl From<RefType> for StorageType {
    /// ```
    /// use wasmtime_mbt::{RefType, StorageType, ValType};
    /// assert_eq!(StorageType::from(RefType::ANYREF).unpack(), &ValType::ANYREF);
    /// ```
    fn from(r: RefType) -> Self {
        StorageType::ValType(r.into())
    }
}

impl StorageType {
    /// Is this `i8`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::StorageType::I8.is_i8());
    /// ```
    pub fn is_i8(&self) -> bool {
        matches!(self, StorageType::I8)
    }

    /// Is this `i16`?
    ///
    /// ```
    /// assert!(wasmtime_mbt::StorageType::I16.is_i16());
    /// ```
    pub fn is_i16(&self) -> bool {
        matches!(self, StorageType::I16)
    }

    /// Is this a value type? (`wasmtime` 48 answers as `is_i16`, a bug;
    /// this answers the question asked.)
    ///
    /// ```
    /// assert!(!wasmtime_mbt::StorageType::I16.is_val_type());
    /// ```
    pub fn is_val_type(&self) -> bool {
        matches!(self, StorageType::ValType(_))
    }

    /// The value type, if this is one.
    ///
    /// ```
    /// assert!(wasmtime_mbt::StorageType::I8.as_val_type().is_none());
    /// ```
    pub fn as_val_type(&self) -> Option<&ValType> {
        match self {
            StorageType::ValType(v) => Some(v),
            _ => None,
        }
    }

    /// The value type; panics if this is a packed type.
    ///
    /// ```
    /// use wasmtime_mbt::{StorageType, ValType};
    /// assert_eq!(StorageType::ValType(ValType::I32).unwrap_val_type(), &ValType::I32);
    /// ```
    pub fn unwrap_val_type(&self) -> &ValType {
        self.as_val_type().unwrap()
    }

    /// The type of values read from such storage (`i32` for packed types).
    ///
    /// ```
    /// assert_eq!(wasmtime_mbt::StorageType::I8.unpack(), &wasmtime_mbt::ValType::I32);
    /// ```
    pub fn unpack(&self) -> &ValType {
        match self {
            StorageType::I8 | StorageType::I16 => &ValType::I32,
            StorageType::ValType(ty) => ty,
        }
    }

    /// Is this a subtype of `other`?
    ///
    /// ```
    /// use wasmtime_mbt::{StorageType, ValType};
    /// assert!(StorageType::from(ValType::NULLREF).matches(&ValType::ANYREF.into()));
    /// assert!(!StorageType::I8.matches(&StorageType::I16));
    /// ```
    pub fn matches(&self, other: &Self) -> bool {
        match (self, other) {
            (StorageType::I8, StorageType::I8) | (StorageType::I16, StorageType::I16) => true,
            (StorageType::ValType(a), StorageType::ValType(b)) => a.matches(b),
            _ => false,
        }
    }

    /// Are `a` and `b` the same storage type?
    ///
    /// ```
    /// use wasmtime_mbt::StorageType;
    /// assert!(StorageType::eq(&StorageType::I8, &StorageType::I8));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    pub fn eq(a: &Self, b: &Self) -> bool {
        match (a, b) {
            (StorageType::I8, StorageType::I8) | (StorageType::I16, StorageType::I16) => true,
            (StorageType::ValType(a), StorageType::ValType(b)) => ValType::eq(a, b),
            _ => false,
        }
    }
}

/// The type of a struct field or array element: storage and mutability, as
/// `wasmtime::FieldType`.
///
/// ```
/// use wasmtime_mbt::{FieldType, Mutability, StorageType};
/// let f = FieldType::new(Mutability::Var, StorageType::I16);
/// assert_eq!(f.mutability(), Mutability::Var);
/// assert!(f.element_type().is_i16());
/// assert_eq!(f.to_string(), "(mut i16)");
/// ```
#[derive(Debug, Clone, Hash)]
pub struct FieldType {
    mutability: Mutability,
    element_type: StorageType,
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mutability.is_var() {
            write!(f, "(mut {})", self.element_type)
        } else {
            fmt::Display::fmt(&self.element_type, f)
        }
    }
}

impl FieldType {
    /// A field type.
    ///
    /// ```
    /// use wasmtime_mbt::{FieldType, Mutability, ValType};
    /// let f = FieldType::new(Mutability::Const, ValType::I32.into());
    /// assert_eq!(f.to_string(), "i32");
    /// ```
    pub fn new(mutability: Mutability, element_type: StorageType) -> Self {
        FieldType { mutability, element_type }
    }

    /// Whether the field can be written.
    ///
    /// ```
    /// use wasmtime_mbt::{FieldType, Mutability, StorageType};
    /// assert!(FieldType::new(Mutability::Const, StorageType::I8).mutability().is_const());
    /// ```
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }

    /// What the field holds.
    ///
    /// ```
    /// use wasmtime_mbt::{FieldType, Mutability, StorageType};
    /// assert!(FieldType::new(Mutability::Const, StorageType::I8).element_type().is_i8());
    /// ```
    pub fn element_type(&self) -> &StorageType {
        &self.element_type
    }

    /// Is this a subtype of `other` (immutable fields are covariant,
    /// mutable ones invariant)?
    ///
    /// ```
    /// use wasmtime_mbt::{FieldType, Mutability, ValType};
    /// let sub = FieldType::new(Mutability::Const, ValType::NULLREF.into());
    /// let sup = FieldType::new(Mutability::Const, ValType::ANYREF.into());
    /// assert!(sub.matches(&sup) && !sup.matches(&sub));
    /// let var = FieldType::new(Mutability::Var, ValType::NULLREF.into());
    /// assert!(!var.matches(&FieldType::new(Mutability::Var, ValType::ANYREF.into())));
    /// ```
    pub fn matches(&self, other: &Self) -> bool {
        match (self.mutability, other.mutability) {
            (Mutability::Const, Mutability::Const) => self.element_type.matches(&other.element_type),
            (Mutability::Var, Mutability::Var) => StorageType::eq(&self.element_type, &other.element_type),
            _ => false,
        }
    }

    /// Are `a` and `b` the same field type?
    ///
    /// ```
    /// use wasmtime_mbt::{FieldType, Mutability, StorageType};
    /// let f = FieldType::new(Mutability::Var, StorageType::I8);
    /// assert!(FieldType::eq(&f, &f.clone()));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    pub fn eq(a: &Self, b: &Self) -> bool {
        a.matches(b) && b.matches(a)
    }

    /// Is this field usable with `engine` (no concrete type of another)?
    pub(crate) fn comes_from_same_engine(&self, engine: &Engine) -> bool {
        match &self.element_type {
            StorageType::ValType(v) => v.comes_from_same_engine(engine),
            _ => true,
        }
    }

    /// A C field type; its value type (if any) is owned by the caller and
    /// freed with [`free_c_field`].
    fn to_c(&self) -> Result<sys::wasmtime_field_type_t> {
        let (kind, valtype) = match &self.element_type {
            StorageType::I8 => (sys::WASMTIME_STORAGE_TYPE_KIND_I8, std::ptr::null_mut()),
            StorageType::I16 => (sys::WASMTIME_STORAGE_TYPE_KIND_I16, std::ptr::null_mut()),
            StorageType::ValType(v) => (sys::WASMTIME_STORAGE_TYPE_KIND_VALTYPE, v.to_raw()?.into_raw()),
        };
        Ok(sys::wasmtime_field_type_t {
            mutable_: self.mutability.is_var(),
            storage: sys::wasmtime_storage_type_t { kind: kind as sys::wasmtime_storage_type_kind_t, valtype },
        })
    }

    /// Reads and deletes an owned C field type.
    ///
    /// # Safety
    /// `raw` must be an owned, initialised C field type.
    unsafe fn take_c(mut raw: sys::wasmtime_field_type_t, engine: &Engine) -> FieldType {
        let element_type = match u32::from(raw.storage.kind) {
            sys::WASMTIME_STORAGE_TYPE_KIND_I8 => StorageType::I8,
            sys::WASMTIME_STORAGE_TYPE_KIND_I16 => StorageType::I16,
            // SAFETY: a value-type storage has a live value type.
            _ => StorageType::ValType(unsafe { ValType::from_raw(raw.storage.valtype, engine) }),
        };
        let mutability = if raw.mutable_ { Mutability::Var } else { Mutability::Const };
        // SAFETY: `raw` is owned, per the caller.
        unsafe { sys::wasmtime_field_type_delete(&mut raw) };
        FieldType { mutability, element_type }
    }
}

/// Frees the value type of a field type made by `FieldType::to_c`.
fn free_c_field(field: &sys::wasmtime_field_type_t) {
    if !field.storage.valtype.is_null() {
        // SAFETY: made by `ValType::to_raw` and owned here.
        unsafe { sys::wasm_valtype_delete(field.storage.valtype) };
    }
}

/// C field types for `fields`, freed by the caller with `free_c_field`
/// (already freed on `Err`).
fn c_fields(fields: &[FieldType]) -> Result<Vec<sys::wasmtime_field_type_t>> {
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        match f.to_c() {
            Ok(c) => out.push(c),
            Err(e) => {
                out.iter().for_each(free_c_field);
                return Err(e);
            }
        }
    }
    Ok(out)
}

/// The most fields a struct type may have (`wasmtime`'s limit; the C
/// constructor aborts beyond it).
const MAX_FIELDS: usize = 10_000;

/// The type of a GC struct, as `wasmtime::StructType`: its fields, and the
/// [`Engine`] it is registered with. Types made here are final and have no
/// supertype (the C API has no other kind).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::new(Config::new().wasm_gc(true))?;
/// let ty = StructType::new(&engine, [
///     FieldType::new(Mutability::Var, StorageType::I8),
///     FieldType::new(Mutability::Const, ValType::F64.into()),
/// ])?;
/// assert_eq!(ty.fields().len(), 2);
/// assert!(ty.field(0).unwrap().element_type().is_i8());
/// assert!(ty.field(2).is_none());
/// assert_eq!(ty.to_string(), "(struct (field (mut i8)) (field f64))");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct StructType {
    engine: Engine,
    /// Read from `raw` on first use for a type that came from C.
    fields: Arc<OnceLock<Box<[FieldType]>>>,
    raw: Arc<Shared<sys::wasmtime_struct_type_t>>,
}

impl fmt::Debug for StructType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StructType").field("fields", &self.field_list()).finish()
    }
}

impl fmt::Display for StructType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(struct")?;
        for field in self.field_list() {
            write!(f, " (field {field})")?;
        }
        f.write_str(")")
    }
}

impl Hash for StructType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.field_list().hash(state);
    }
}

impl StructType {
    /// A final struct type with `fields`, registered with `engine`
    /// (`wasmtime_struct_type_new`), as `wasmtime::StructType::new`. `Err`
    /// for more than 10,000 fields or a field of a continuation reference
    /// type (which the C API cannot describe); panics for a field of a
    /// concrete type of another engine, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let ty = StructType::new(&engine, [])?;
    /// assert_eq!(ty.fields().len(), 0);
    /// assert!(Engine::same(ty.engine(), &engine));
    /// # Ok(()) }
    /// ```
    pub fn new(engine: &Engine, fields: impl IntoIterator<Item = FieldType>) -> Result<Self> {
        let fields: Box<[FieldType]> = fields.into_iter().collect();
        for ty in fields.iter() {
            // `wasmtime`'s check and message; C would abort on it.
            assert!(ty.comes_from_same_engine(engine));
        }
        let n = fields.len();
        if n > MAX_FIELDS {
            return Err(Error::msg(format!(
                "attempted to define a struct type with {n} fields, but that is more than the maximum supported number of fields ({MAX_FIELDS})"
            )));
        }
        let c = c_fields(&fields)?;
        // SAFETY: the engine and field types are live; C copies the field
        // types, so ours are freed afterwards; the result is owned.
        let raw = unsafe { Shared::from_raw(sys::wasmtime_struct_type_new(engine.as_raw(), c.as_ptr(), c.len())) };
        c.iter().for_each(free_c_field);
        let raw = raw.ok_or_else(|| Error::msg("failed to create struct type"))?;
        Ok(StructType { engine: engine.clone(), fields: Arc::new(OnceLock::from(fields)), raw: Arc::new(raw) })
    }

    /// From an owned C struct type of `engine`.
    ///
    /// # Safety
    /// `raw` must be an owned, live C struct type.
    pub(crate) unsafe fn from_owned(engine: &Engine, raw: *mut sys::wasmtime_struct_type_t) -> Option<StructType> {
        // SAFETY: forwarded.
        let raw = unsafe { Shared::from_raw(raw) }?;
        Some(StructType { engine: engine.clone(), fields: Arc::new(OnceLock::new()), raw: Arc::new(raw) })
    }

    /// The fields, read from the C type on first use (so a recursive type
    /// is read one level at a time).
    fn field_list(&self) -> &[FieldType] {
        self.fields.get_or_init(|| {
            let raw = self.raw.as_ptr();
            // SAFETY: the type is live; each field type read is owned by us.
            unsafe {
                let n = sys::wasmtime_struct_type_num_fields(raw);
                (0..n)
                    .filter_map(|i| {
                        let mut out = std::mem::MaybeUninit::uninit();
                        sys::wasmtime_struct_type_field(raw, i, out.as_mut_ptr())
                            .then(|| FieldType::take_c(out.assume_init(), &self.engine))
                    })
                    .collect()
            }
        })
    }

    pub(crate) fn as_raw(&self) -> *const sys::wasmtime_struct_type_t {
        self.raw.as_ptr()
    }

    /// The engine this type is registered with.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// assert!(Engine::same(StructType::new(&engine, []).unwrap().engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The `i`th field's type, if there is one.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = StructType::new(&Engine::default(), [FieldType::new(Mutability::Var, StorageType::I16)]).unwrap();
    /// assert!(ty.field(0).unwrap().element_type().is_i16() && ty.field(1).is_none());
    /// ```
    pub fn field(&self, i: usize) -> Option<FieldType> {
        self.field_list().get(i).cloned()
    }

    /// The field types.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = StructType::new(&Engine::default(), [FieldType::new(Mutability::Var, StorageType::I16)]).unwrap();
    /// assert_eq!(ty.fields().count(), 1);
    /// ```
    pub fn fields(&self) -> impl ExactSizeIterator<Item = FieldType> + '_ {
        self.field_list().iter().cloned()
    }

    /// Is this a subtype of `other`? Types made through the C API are final
    /// with no supertype, so this is [`StructType::eq`] (a type from a module
    /// that declares supertypes compares by its fields only). Panics for
    /// types of different engines, as `wasmtime`.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let a = StructType::new(&engine, [FieldType::new(Mutability::Const, StorageType::I8)]).unwrap();
    /// let b = StructType::new(&engine, []).unwrap();
    /// assert!(a.matches(&a.clone()) && !a.matches(&b));
    /// ```
    pub fn matches(&self, other: &StructType) -> bool {
        StructType::eq(self, other)
    }

    /// Are `a` and `b` the same type (the same fields)? Panics for types of
    /// different engines.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let f = || FieldType::new(Mutability::Var, ValType::I32.into());
    /// assert!(StructType::eq(&StructType::new(&engine, [f()]).unwrap(), &StructType::new(&engine, [f()]).unwrap()));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    pub fn eq(a: &StructType, b: &StructType) -> bool {
        assert!(Engine::same(&a.engine, &b.engine), "type used with the wrong engine");
        let (a, b) = (a.field_list(), b.field_list());
        a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| FieldType::eq(x, y))
    }
}

/// The type of a GC array, as `wasmtime::ArrayType`: its element's field
/// type, and the [`Engine`] it is registered with (final, no supertype).
///
/// ```
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, ValType::I32.into()));
/// assert_eq!(ty.mutability(), Mutability::Var);
/// assert_eq!(ty.element_type().unpack(), &ValType::I32);
/// assert_eq!(ty.to_string(), "(array (field (mut i32)))");
/// ```
#[derive(Clone)]
pub struct ArrayType {
    engine: Engine,
    /// Read from `raw` on first use for a type that came from C.
    field: Arc<OnceLock<FieldType>>,
    raw: Arc<Shared<sys::wasmtime_array_type_t>>,
}

impl fmt::Debug for ArrayType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArrayType").field("field", self.field()).finish()
    }
}

impl fmt::Display for ArrayType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(array (field {}))", self.field())
    }
}

impl Hash for ArrayType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.field().hash(state);
    }
}

impl ArrayType {
    /// A final array type of `field_type` elements, registered with
    /// `engine` (`wasmtime_array_type_new`), as `wasmtime::ArrayType::new`.
    /// Panics for an element of a continuation reference type, which the C
    /// API cannot describe, or of a concrete type of another engine (as
    /// `wasmtime`).
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = ArrayType::new(&Engine::default(), FieldType::new(Mutability::Const, StorageType::I8));
    /// assert!(ty.field_type().element_type().is_i8());
    /// ```
    pub fn new(engine: &Engine, field_type: FieldType) -> Self {
        // `wasmtime`'s check and message; C would abort on it.
        assert!(field_type.comes_from_same_engine(engine));
        let c = field_type.to_c().expect("array element type cannot be described through the C API");
        // SAFETY: the engine and field type are live; C copies the field
        // type, which is freed afterwards; the result is owned.
        let raw = unsafe { Shared::from_raw(sys::wasmtime_array_type_new(engine.as_raw(), &c)) };
        free_c_field(&c);
        ArrayType { engine: engine.clone(), field: Arc::new(OnceLock::from(field_type)), raw: Arc::new(raw.expect("array type")) }
    }

    /// From an owned C array type of `engine`.
    ///
    /// # Safety
    /// `raw` must be an owned, live C array type.
    pub(crate) unsafe fn from_owned(engine: &Engine, raw: *mut sys::wasmtime_array_type_t) -> Option<ArrayType> {
        // SAFETY: forwarded.
        let raw = unsafe { Shared::from_raw(raw) }?;
        Some(ArrayType { engine: engine.clone(), field: Arc::new(OnceLock::new()), raw: Arc::new(raw) })
    }

    /// The element's field type, read from the C type on first use.
    fn field(&self) -> &FieldType {
        self.field.get_or_init(|| {
            // SAFETY: the type is live; the field type read is owned by us.
            unsafe {
                let mut out = std::mem::MaybeUninit::uninit();
                sys::wasmtime_array_type_element(self.raw.as_ptr(), out.as_mut_ptr());
                FieldType::take_c(out.assume_init(), &self.engine)
            }
        })
    }

    pub(crate) fn as_raw(&self) -> *const sys::wasmtime_array_type_t {
        self.raw.as_ptr()
    }

    /// The engine this type is registered with.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8));
    /// assert!(Engine::same(ty.engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The elements' field type.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = ArrayType::new(&Engine::default(), FieldType::new(Mutability::Var, StorageType::I8));
    /// assert!(ty.field_type().mutability().is_var());
    /// ```
    pub fn field_type(&self) -> FieldType {
        self.field().clone()
    }

    /// Whether elements can be written.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = ArrayType::new(&Engine::default(), FieldType::new(Mutability::Const, StorageType::I8));
    /// assert!(ty.mutability().is_const());
    /// ```
    pub fn mutability(&self) -> Mutability {
        self.field().mutability()
    }

    /// What the elements hold.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let ty = ArrayType::new(&Engine::default(), FieldType::new(Mutability::Const, StorageType::I16));
    /// assert!(ty.element_type().is_i16());
    /// ```
    pub fn element_type(&self) -> StorageType {
        self.field().element_type().clone()
    }

    /// Is this a subtype of `other`? As for [`StructType::matches`]: C-made
    /// types are final, so this is [`ArrayType::eq`].
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let a = ArrayType::new(&engine, FieldType::new(Mutability::Const, StorageType::I8));
    /// let b = ArrayType::new(&engine, FieldType::new(Mutability::Const, StorageType::I16));
    /// assert!(a.matches(&a) && !a.matches(&b));
    /// ```
    pub fn matches(&self, other: &ArrayType) -> bool {
        ArrayType::eq(self, other)
    }

    /// Are `a` and `b` the same type? Panics for types of different engines.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let f = || FieldType::new(Mutability::Var, StorageType::I8);
    /// assert!(ArrayType::eq(&ArrayType::new(&engine, f()), &ArrayType::new(&engine, f())));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    pub fn eq(a: &ArrayType, b: &ArrayType) -> bool {
        assert!(Engine::same(&a.engine, &b.engine), "type used with the wrong engine");
        FieldType::eq(a.field(), b.field())
    }
}

/// The type of an exception object: its tag's payload types, as
/// `wasmtime::ExnType`. Needs an engine with GC (`Config::wasm_gc`).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::new(Config::new().wasm_gc(true).wasm_exceptions(true))?;
/// let ty = ExnType::new(&engine, [ValType::I32, ValType::F64])?;
/// assert_eq!(ty.fields().len(), 2);
/// assert!(ty.field(0).unwrap().mutability().is_const());
/// assert_eq!(ty.tag_type().ty().params().len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Hash)]
pub struct ExnType {
    func_ty: FuncType,
}

impl fmt::Display for ExnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(exn {}", self.func_ty)?;
        for field in self.fields() {
            write!(f, " (field {field})")?;
        }
        f.write_str(")")
    }
}

impl ExnType {
    /// The exception type with payload `fields`
    /// (`wasmtime_exn_type_new`), as `wasmtime::ExnType::new`; `Err` if the
    /// engine has no GC runtime.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true)).unwrap();
    /// assert!(ExnType::new(&engine, [ValType::I64]).is_ok());
    /// ```
    pub fn new(engine: &Engine, fields: impl IntoIterator<Item = ValType>) -> Result<ExnType> {
        let func_ty = FuncType::new(engine, fields, []);
        Self::check(&func_ty)?;
        Ok(ExnType { func_ty })
    }

    /// The exception type of a tag's payload, as
    /// `wasmtime::ExnType::from_tag_type`; `Err` if its function type has
    /// results.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true)).unwrap();
    /// let tag = TagType::new(FuncType::new(&engine, [ValType::I32], []));
    /// assert_eq!(ExnType::from_tag_type(&tag).unwrap().fields().len(), 1);
    /// let bad = TagType::new(FuncType::new(&engine, [], [ValType::I32]));
    /// assert!(ExnType::from_tag_type(&bad).is_err());
    /// ```
    pub fn from_tag_type(tag: &TagType) -> Result<ExnType> {
        let func_ty = tag.ty();
        if func_ty.results().len() != 0 {
            return Err(Error::msg("Cannot create an exception type from a tag type with results in the signature"));
        }
        Self::check(func_ty)?;
        Ok(ExnType { func_ty: func_ty.clone() })
    }

    /// Lets C register (and so validate) the type.
    fn check(func_ty: &FuncType) -> Result<()> {
        Self::c_type(func_ty).map(drop)
    }

    /// This type as a new C exception type.
    pub(crate) fn to_c(&self) -> Result<Shared<sys::wasmtime_exn_type_t>> {
        Self::c_type(&self.func_ty)
    }

    fn c_type(func_ty: &FuncType) -> Result<Shared<sys::wasmtime_exn_type_t>> {
        let raw = func_ty.to_raw()?;
        let mut out = std::ptr::null_mut();
        // SAFETY: the engine and function type are live; the parameter
        // vector belongs to the function type; the result, if any, is owned.
        unsafe {
            let params = sys::wasm_functype_params(raw.as_ptr());
            Error::check(sys::wasmtime_exn_type_new(func_ty.engine().as_raw(), params, &mut out))?;
            Ok(Shared::from_raw(out).expect("exception type"))
        }
    }

    /// From an owned C exception type of `engine`.
    ///
    /// # Safety
    /// `raw` must be an owned, live C exception type.
    pub(crate) unsafe fn from_owned(engine: &Engine, raw: *mut sys::wasmtime_exn_type_t) -> Option<ExnType> {
        // SAFETY: forwarded; the tag type returned is owned.
        unsafe {
            let raw = Shared::from_raw(raw)?;
            let tag = Owned::from_raw(sys::wasmtime_exn_type_tag_type(raw.as_ptr()))?;
            Some(ExnType { func_ty: TagType::from_raw(tag.as_ptr(), engine).ty().clone() })
        }
    }

    /// The tag type of exceptions of this type.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true)).unwrap();
    /// let ty = ExnType::new(&engine, [ValType::F32]).unwrap();
    /// assert_eq!(ty.tag_type().ty().param(0), Some(ValType::F32));
    /// ```
    pub fn tag_type(&self) -> TagType {
        TagType::new(self.func_ty.clone())
    }

    /// The `i`th field's type (immutable), if there is one.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true)).unwrap();
    /// let ty = ExnType::new(&engine, [ValType::F32]).unwrap();
    /// assert!(ty.field(0).is_some() && ty.field(1).is_none());
    /// ```
    pub fn field(&self, i: usize) -> Option<FieldType> {
        self.func_ty.param(i).map(|v| FieldType::new(Mutability::Const, v.into()))
    }

    /// The field types.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true)).unwrap();
    /// assert_eq!(ExnType::new(&engine, [ValType::I32, ValType::I32, ValType::I32]).unwrap().fields().len(), 3);
    /// ```
    pub fn fields(&self) -> impl ExactSizeIterator<Item = FieldType> + '_ {
        self.func_ty.params().map(|v| FieldType::new(Mutability::Const, v.into()))
    }

    /// The engine of this type.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true)).unwrap();
    /// assert!(Engine::same(ExnType::new(&engine, []).unwrap().engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Engine {
        self.func_ty.engine()
    }

    /// Is this the same type as `other` (exception types have no subtypes)?
    /// Panics for types of different engines.
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true)).unwrap();
    /// let a = ExnType::new(&engine, [ValType::I32]).unwrap();
    /// assert!(a.matches(&a) && !a.matches(&ExnType::new(&engine, []).unwrap()));
    /// ```
    pub fn matches(&self, other: &ExnType) -> bool {
        assert!(Engine::same(self.engine(), other.engine()), "type used with the wrong engine");
        self.func_ty == other.func_ty
    }

    /// Are `a` and `b` the same type?
    ///
    /// ```
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true)).unwrap();
    /// let a = ExnType::new(&engine, []).unwrap();
    /// assert!(ExnType::eq(&a, &a.clone()));
    /// ```
    #[allow(clippy::should_implement_trait)] // `wasmtime`'s name
    pub fn eq(a: &ExnType, b: &ExnType) -> bool {
        a.matches(b)
    }

    pub(crate) fn func_ty(&self) -> &FuncType {
        &self.func_ty
    }
}
