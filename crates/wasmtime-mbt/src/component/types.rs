//! Component type reflection, as `wasmtime::component::types`: the value
//! [`Type`]s of the component model and the types of component items
//! ([`Component`], [`ComponentInstance`], [`ComponentFunc`], [`Module`]).
//!
//! Types are read from the C API once, when they are asked for, into plain
//! Rust values shared behind `Arc`s (cheap to clone); only resource types
//! keep a C object, because their identity is only known to Wasmtime.
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::component::types::{ComponentItem, Type};
//! use wasmtime_mbt::component::Component;
//! use wasmtime_mbt::Engine;
//! let engine = Engine::default();
//! let component = Component::new(&engine, r#"(component
//!     (import "log" (func (param "msg" string)))
//!     (core module $m (func (export "f") (param i32) (result i32) local.get 0))
//!     (core instance $i (instantiate $m))
//!     (func (export "id") (param "x" u32) (result u32) (canon lift (core func $i "f"))))"#)?;
//! let ty = component.component_type();
//! let (name, import) = ty.imports(&engine).next().unwrap();
//! assert_eq!(name, "log");
//! let ComponentItem::ComponentFunc(log) = import.ty else { panic!() };
//! assert_eq!(log.params().map(|(n, t)| (n.to_string(), t)).collect::<Vec<_>>(), [("msg".to_string(), Type::String)]);
//! let ComponentItem::ComponentFunc(id) = ty.get_export(&engine, "id").unwrap().ty else { panic!() };
//! assert_eq!(id.results().collect::<Vec<_>>(), [Type::U32]);
//! # Ok(()) }
//! ```

use std::sync::Arc;

use wasmtime_mbt_sys as sys;

use crate::owned::Owned;
use crate::{Engine, ExternType, FuncType};

pub use super::resources::ResourceType;

/// A component model value type, as `wasmtime::component::types::Type`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Type {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    Float32,
    Float64,
    Char,
    String,
    List(List),
    Map(Map),
    Record(Record),
    Tuple(Tuple),
    Variant(Variant),
    Enum(Enum),
    Option(OptionType),
    Result(ResultType),
    Flags(Flags),
    Own(ResourceType),
    Borrow(ResourceType),
    Future(FutureType),
    Stream(StreamType),
    ErrorContext,
    /// A fixed-length list; the C API does not describe its element type
    /// or length.
    FixedLengthList(FixedLengthList),
}

macro_rules! unwrap_type {
    ($($(#[$doc:meta])* $fn:ident => $variant:ident($ty:ty),)*) => {$(
        $(#[$doc])*
        #[track_caller]
        pub fn $fn(&self) -> &$ty {
            match self {
                Type::$variant(ty) => ty,
                _ => panic!(concat!("attempted to unwrap a {} as a ", stringify!($variant)), self.desc()),
            }
        }
    )*};
}

impl Type {
    unwrap_type! {
        /// The list type; panics for another type.
        unwrap_list => List(List),
        /// The record type; panics for another type.
        unwrap_record => Record(Record),
        /// The tuple type; panics for another type.
        unwrap_tuple => Tuple(Tuple),
        /// The variant type; panics for another type.
        unwrap_variant => Variant(Variant),
        /// The enum type; panics for another type.
        unwrap_enum => Enum(Enum),
        /// The option type; panics for another type.
        unwrap_option => Option(OptionType),
        /// The result type; panics for another type.
        unwrap_result => Result(ResultType),
        /// The flags type; panics for another type.
        unwrap_flags => Flags(Flags),
        /// The resource type of an `own`; panics for another type.
        unwrap_own => Own(ResourceType),
        /// The resource type of a `borrow`; panics for another type.
        unwrap_borrow => Borrow(ResourceType),
    }

    /// The short name of the type's kind (`"u32"`, `"list"`, …), as in
    /// Wasmtime's messages (private, as in `wasmtime`).
    pub(crate) fn desc(&self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::S8 => "s8",
            Type::U8 => "u8",
            Type::S16 => "s16",
            Type::U16 => "u16",
            Type::S32 => "s32",
            Type::U32 => "u32",
            Type::S64 => "s64",
            Type::U64 => "u64",
            Type::Float32 => "float32",
            Type::Float64 => "float64",
            Type::Char => "char",
            Type::String => "string",
            Type::List(_) => "list",
            Type::Map(_) => "map",
            Type::Record(_) => "record",
            Type::Tuple(_) => "tuple",
            Type::Variant(_) => "variant",
            Type::Enum(_) => "enum",
            Type::Option(_) => "option",
            Type::Result(_) => "result",
            Type::Flags(_) => "flags",
            Type::Own(_) => "own",
            Type::Borrow(_) => "borrow",
            Type::Future(_) => "future",
            Type::Stream(_) => "stream",
            Type::ErrorContext => "error-context",
            Type::FixedLengthList(_) => "list<_, N>",
        }
    }

    /// Whether a value of this type would need futures, streams or error
    /// contexts, which the C API cannot convert (it aborts the process).
    pub(crate) fn has_async_values(&self) -> bool {
        match self {
            Type::Future(_) | Type::Stream(_) | Type::ErrorContext | Type::FixedLengthList(_) => true,
            Type::List(l) => l.0.has_async_values(),
            Type::Option(o) => o.0.has_async_values(),
            Type::Map(m) => m.0 .0.has_async_values() || m.0 .1.has_async_values(),
            Type::Record(r) => r.0.iter().any(|(_, t)| t.has_async_values()),
            Type::Tuple(t) => t.0.iter().any(Type::has_async_values),
            Type::Variant(v) => v.0.iter().any(|(_, t)| t.as_ref().is_some_and(Type::has_async_values)),
            Type::Result(r) => [&r.0 .0, &r.0 .1].into_iter().flatten().any(Type::has_async_values),
            _ => false,
        }
    }
}

/// A `list<T>` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List(Arc<Type>);

impl List {
    /// The element type.
    pub fn ty(&self) -> Type {
        (*self.0).clone()
    }
}

/// A `map<K, V>` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Map(Arc<(Type, Type)>);

impl Map {
    /// The key type.
    pub fn key(&self) -> Type {
        self.0 .0.clone()
    }

    /// The value type.
    pub fn value(&self) -> Type {
        self.0 .1.clone()
    }
}

/// A fixed-length list type (not described by the C API).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixedLengthList(());

/// A field of a [`Record`].
#[derive(Clone, Debug)]
pub struct Field<'a> {
    /// The name of the field.
    pub name: &'a str,
    /// The type of the field.
    pub ty: Type,
}

/// A `record` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record(Arc<[(String, Type)]>);

impl Record {
    /// The fields, in order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = Field<'_>> {
        self.0.iter().map(|(name, ty)| Field { name, ty: ty.clone() })
    }
}

/// A `tuple` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tuple(Arc<[Type]>);

impl Tuple {
    /// The element types, in order.
    pub fn types(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.0.iter().cloned()
    }
}

/// A case of a [`Variant`].
#[derive(Clone, Debug)]
pub struct Case<'a> {
    /// The name of the case.
    pub name: &'a str,
    /// The payload type, if any.
    pub ty: Option<Type>,
}

/// A `variant` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant(Arc<[(String, Option<Type>)]>);

impl Variant {
    /// The cases, in order.
    pub fn cases(&self) -> impl ExactSizeIterator<Item = Case<'_>> {
        self.0.iter().map(|(name, ty)| Case { name, ty: ty.clone() })
    }
}

/// An `enum` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enum(Arc<[String]>);

impl Enum {
    /// The case names, in order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// An `option<T>` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionType(Arc<Type>);

impl OptionType {
    /// The payload type.
    pub fn ty(&self) -> Type {
        (*self.0).clone()
    }
}

/// A `result<T, E>` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultType(Arc<(Option<Type>, Option<Type>)>);

impl ResultType {
    /// The `ok` payload type, if any.
    pub fn ok(&self) -> Option<Type> {
        self.0 .0.clone()
    }

    /// The `err` payload type, if any.
    pub fn err(&self) -> Option<Type> {
        self.0 .1.clone()
    }
}

/// A `flags` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flags(Arc<[String]>);

impl Flags {
    /// The flag names, in order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// A `future<T>` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FutureType(Option<Arc<Type>>);

impl FutureType {
    /// The payload type, if any.
    pub fn ty(&self) -> Option<Type> {
        self.0.as_deref().cloned()
    }
}

/// A `stream<T>` type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamType(Option<Arc<Type>>);

impl StreamType {
    /// The element type, if any.
    pub fn ty(&self) -> Option<Type> {
        self.0.as_deref().cloned()
    }
}

/// The type of a component function, as
/// `wasmtime::component::types::ComponentFunc`.
#[derive(Clone, Debug)]
pub struct ComponentFunc(Arc<FuncInner>);

#[derive(Debug)]
struct FuncInner {
    async_: bool,
    params: Vec<(String, Type)>,
    result: Option<Type>,
}

impl ComponentFunc {
    /// Whether the function is `async`.
    pub fn async_(&self) -> bool {
        self.0.async_
    }

    /// The parameters' names and types, in order.
    pub fn params(&self) -> impl ExactSizeIterator<Item = (&str, Type)> + '_ {
        self.0.params.iter().map(|(n, t)| (n.as_str(), t.clone()))
    }

    /// The result types (zero or one).
    pub fn results(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.0.result.iter().cloned()
    }

    pub(crate) fn param_types(&self) -> impl ExactSizeIterator<Item = &Type> + '_ {
        self.0.params.iter().map(|(_, t)| t)
    }

    pub(crate) fn result_type(&self) -> Option<&Type> {
        self.0.result.as_ref()
    }

    pub(crate) fn has_async_values(&self) -> bool {
        self.param_types().chain(self.result_type()).any(Type::has_async_values)
    }
}

/// The type of a core module inside a component, as
/// `wasmtime::component::types::Module`.
#[derive(Clone, Debug)]
pub struct Module(Arc<ModuleInner>);

#[derive(Debug)]
struct ModuleInner {
    imports: Vec<((String, String), ExternType)>,
    exports: Vec<(String, ExternType)>,
}

impl Module {
    /// The module's imports (`engine` is that of the component; the types
    /// were read when this value was made).
    pub fn imports<'a>(&'a self, _engine: &'a Engine) -> impl ExactSizeIterator<Item = ((&'a str, &'a str), ExternType)> + 'a {
        self.0.imports.iter().map(|((m, n), t)| ((m.as_str(), n.as_str()), t.clone()))
    }

    /// The module's exports.
    pub fn exports<'a>(&'a self, _engine: &'a Engine) -> impl ExactSizeIterator<Item = (&'a str, ExternType)> + 'a {
        self.0.exports.iter().map(|(n, t)| (n.as_str(), t.clone()))
    }
}

/// The type of a component, as `wasmtime::component::types::Component`.
#[derive(Clone, Debug)]
pub struct Component(Arc<Items>);

/// The type of a component instance, as
/// `wasmtime::component::types::ComponentInstance`.
#[derive(Clone, Debug)]
pub struct ComponentInstance(Arc<Items>);

#[derive(Debug, Default)]
struct Items {
    imports: Vec<(String, ComponentItem)>,
    exports: Vec<(String, ComponentItem)>,
}

fn externs<'a>(items: &'a [(String, ComponentItem)]) -> impl ExactSizeIterator<Item = (&'a str, ComponentExtern<'a>)> + 'a {
    items.iter().map(|(n, ty)| (n.as_str(), ComponentExtern::new(ty)))
}

fn find<'a>(items: &'a [(String, ComponentItem)], name: &str) -> Option<ComponentExtern<'a>> {
    items.iter().find(|(n, _)| n == name).map(|(_, ty)| ComponentExtern::new(ty))
}

impl Component {
    /// The import called `name`.
    pub fn get_import<'a>(&'a self, _engine: &'a Engine, name: &str) -> Option<ComponentExtern<'a>> {
        find(&self.0.imports, name)
    }

    /// The imports, in order.
    pub fn imports<'a>(&'a self, _engine: &'a Engine) -> impl ExactSizeIterator<Item = (&'a str, ComponentExtern<'a>)> + 'a {
        externs(&self.0.imports)
    }

    /// The export called `name`.
    pub fn get_export<'a>(&'a self, _engine: &'a Engine, name: &str) -> Option<ComponentExtern<'a>> {
        find(&self.0.exports, name)
    }

    /// The exports, in order.
    pub fn exports<'a>(&'a self, _engine: &'a Engine) -> impl ExactSizeIterator<Item = (&'a str, ComponentExtern<'a>)> + 'a {
        externs(&self.0.exports)
    }
}

impl ComponentInstance {
    /// The export called `name`.
    pub fn get_export<'a>(&'a self, _engine: &'a Engine, name: &str) -> Option<ComponentExtern<'a>> {
        find(&self.0.exports, name)
    }

    /// The exports, in order.
    pub fn exports<'a>(&'a self, _engine: &'a Engine) -> impl ExactSizeIterator<Item = (&'a str, ComponentExtern<'a>)> + 'a {
        externs(&self.0.exports)
    }
}

/// An import or export of a component, as
/// `wasmtime::component::types::ComponentExtern`. The C API does not
/// report `implements` or `external_id`: both are always `None`.
#[derive(Clone, Debug)]
pub struct ComponentExtern<'a> {
    /// The item's type.
    pub ty: ComponentItem,
    /// The interface this item implements (not reported by the C API).
    pub implements: Option<&'a str>,
    /// The item's external id (not reported by the C API).
    pub external_id: Option<&'a str>,
}

impl<'a> ComponentExtern<'a> {
    fn new(ty: &ComponentItem) -> ComponentExtern<'a> {
        ComponentExtern { ty: ty.clone(), implements: None, external_id: None }
    }

    /// Whether this item implements the interface `name` (always `false`:
    /// see the type's documentation).
    pub fn is_implements(&self, name: &str) -> bool {
        self.implements == Some(name)
    }
}

/// The type of an item of a component, as
/// `wasmtime::component::types::ComponentItem`.
#[derive(Clone, Debug)]
pub enum ComponentItem {
    /// A component function.
    ComponentFunc(ComponentFunc),
    /// A core function.
    CoreFunc(FuncType),
    /// A core module.
    Module(Module),
    /// A component.
    Component(Component),
    /// A component instance.
    ComponentInstance(ComponentInstance),
    /// A value type.
    Type(Type),
    /// A resource type.
    Resource(ResourceType),
}

// --- reading from C -------------------------------------------------------

/// An owned C value type, deleted on drop.
struct OwnedValType(sys::wasmtime_component_valtype_t);

impl Drop for OwnedValType {
    fn drop(&mut self) {
        // SAFETY: filled in by a C function that hands out ownership.
        unsafe { sys::wasmtime_component_valtype_delete(&mut self.0) }
    }
}

/// An owned C item type, deleted on drop.
struct OwnedItem(sys::wasmtime_component_item_t);

impl Drop for OwnedItem {
    fn drop(&mut self) {
        // SAFETY: filled in by a C function that hands out ownership.
        unsafe { sys::wasmtime_component_item_delete(&mut self.0) }
    }
}

/// A name C returns as pointer and length, borrowed from a live type.
///
/// # Safety
/// `ptr` must point to `len` bytes (or be null with `len == 0`).
unsafe fn c_name(ptr: *const std::os::raw::c_char, len: usize) -> String {
    // SAFETY: forwarded.
    String::from_utf8_lossy(unsafe { crate::owned::borrow_bytes(ptr.cast(), len) }).into_owned()
}

/// Reads one value type out of `fill` (a C getter writing an owned valtype).
fn read_owned(fill: impl FnOnce(*mut sys::wasmtime_component_valtype_t) -> bool) -> Option<Type> {
    let mut raw = OwnedValType(Default::default());
    if fill(&mut raw.0) {
        // SAFETY: the C getter filled in a valid, owned type.
        Some(unsafe { Type::from_raw(&raw.0) })
    } else {
        // Nothing was written: nothing to delete.
        std::mem::forget(raw);
        None
    }
}

/// Reads the names a C type lists through a count and an nth getter.
fn read_names(count: usize, nth: impl Fn(usize, *mut *const std::os::raw::c_char, *mut usize) -> bool) -> Arc<[String]> {
    (0..count)
        .filter_map(|i| {
            let (mut p, mut n) = (std::ptr::null(), 0);
            // SAFETY: the name is borrowed from the live type.
            nth(i, &mut p, &mut n).then(|| unsafe { c_name(p, n) })
        })
        .collect()
}

impl Type {
    /// Reads a C value type (borrowed, not consumed).
    ///
    /// # Safety
    /// `raw` must be a valid value type whose union member matches `kind`.
    pub(crate) unsafe fn from_raw(raw: &sys::wasmtime_component_valtype_t) -> Type {
        // SAFETY (every arm): `kind` tells which union member is live, and
        // the pointed-to type is live as long as `raw`.
        unsafe {
            match u32::from(raw.kind) {
                sys::WASMTIME_COMPONENT_VALTYPE_BOOL => Type::Bool,
                sys::WASMTIME_COMPONENT_VALTYPE_S8 => Type::S8,
                sys::WASMTIME_COMPONENT_VALTYPE_S16 => Type::S16,
                sys::WASMTIME_COMPONENT_VALTYPE_S32 => Type::S32,
                sys::WASMTIME_COMPONENT_VALTYPE_S64 => Type::S64,
                sys::WASMTIME_COMPONENT_VALTYPE_U8 => Type::U8,
                sys::WASMTIME_COMPONENT_VALTYPE_U16 => Type::U16,
                sys::WASMTIME_COMPONENT_VALTYPE_U32 => Type::U32,
                sys::WASMTIME_COMPONENT_VALTYPE_U64 => Type::U64,
                sys::WASMTIME_COMPONENT_VALTYPE_F32 => Type::Float32,
                sys::WASMTIME_COMPONENT_VALTYPE_F64 => Type::Float64,
                sys::WASMTIME_COMPONENT_VALTYPE_CHAR => Type::Char,
                sys::WASMTIME_COMPONENT_VALTYPE_STRING => Type::String,
                sys::WASMTIME_COMPONENT_VALTYPE_LIST => {
                    let ty = raw.of.list;
                    let elem = read_owned(|out| {
                        sys::wasmtime_component_list_type_element(ty, out);
                        true
                    });
                    Type::List(List(Arc::new(elem.expect("list element"))))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_MAP => {
                    let ty = raw.of.map;
                    let key = read_owned(|out| {
                        sys::wasmtime_component_map_type_key(ty, out);
                        true
                    });
                    let value = read_owned(|out| {
                        sys::wasmtime_component_map_type_value(ty, out);
                        true
                    });
                    Type::Map(Map(Arc::new((key.expect("map key"), value.expect("map value")))))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_RECORD => {
                    let ty = raw.of.record;
                    let fields = (0..sys::wasmtime_component_record_type_field_count(ty))
                        .filter_map(|i| {
                            let (mut p, mut n) = (std::ptr::null(), 0);
                            let field = read_owned(|out| sys::wasmtime_component_record_type_field_nth(ty, i, &mut p, &mut n, out))?;
                            Some((c_name(p, n), field))
                        })
                        .collect();
                    Type::Record(Record(fields))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_TUPLE => {
                    let ty = raw.of.tuple;
                    let types = (0..sys::wasmtime_component_tuple_type_types_count(ty))
                        .filter_map(|i| read_owned(|out| sys::wasmtime_component_tuple_type_types_nth(ty, i, out)))
                        .collect();
                    Type::Tuple(Tuple(types))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_VARIANT => {
                    let ty = raw.of.variant;
                    let cases = (0..sys::wasmtime_component_variant_type_case_count(ty))
                        .filter_map(|i| {
                            let (mut p, mut n, mut has) = (std::ptr::null(), 0, false);
                            let mut payload = OwnedValType(Default::default());
                            if !sys::wasmtime_component_variant_type_case_nth(ty, i, &mut p, &mut n, &mut has, &mut payload.0) {
                                std::mem::forget(payload);
                                return None;
                            }
                            let payload = if has {
                                Some(Type::from_raw(&payload.0))
                            } else {
                                std::mem::forget(payload);
                                None
                            };
                            Some((c_name(p, n), payload))
                        })
                        .collect();
                    Type::Variant(Variant(cases))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_ENUM => {
                    let ty = raw.of.enum_;
                    Type::Enum(Enum(read_names(sys::wasmtime_component_enum_type_names_count(ty), |i, p, n| {
                        sys::wasmtime_component_enum_type_names_nth(ty, i, p, n)
                    })))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_OPTION => {
                    let ty = raw.of.option;
                    let payload = read_owned(|out| {
                        sys::wasmtime_component_option_type_ty(ty, out);
                        true
                    });
                    Type::Option(OptionType(Arc::new(payload.expect("option payload"))))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_RESULT => {
                    let ty = raw.of.result;
                    let ok = read_owned(|out| sys::wasmtime_component_result_type_ok(ty, out));
                    let err = read_owned(|out| sys::wasmtime_component_result_type_err(ty, out));
                    Type::Result(ResultType(Arc::new((ok, err))))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_FLAGS => {
                    let ty = raw.of.flags;
                    Type::Flags(Flags(read_names(sys::wasmtime_component_flags_type_names_count(ty), |i, p, n| {
                        sys::wasmtime_component_flags_type_names_nth(ty, i, p, n)
                    })))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_OWN => Type::Own(ResourceType::clone_raw(raw.of.own)),
                sys::WASMTIME_COMPONENT_VALTYPE_BORROW => Type::Borrow(ResourceType::clone_raw(raw.of.borrow)),
                sys::WASMTIME_COMPONENT_VALTYPE_FUTURE => {
                    let ty = raw.of.future;
                    Type::Future(FutureType(read_owned(|out| sys::wasmtime_component_future_type_ty(ty, out)).map(Arc::new)))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_STREAM => {
                    let ty = raw.of.stream;
                    Type::Stream(StreamType(read_owned(|out| sys::wasmtime_component_stream_type_ty(ty, out)).map(Arc::new)))
                }
                sys::WASMTIME_COMPONENT_VALTYPE_ERROR_CONTEXT => Type::ErrorContext,
                // The C enum's next kind, missing from the header.
                _ => Type::FixedLengthList(FixedLengthList(())),
            }
        }
    }
}

impl ComponentFunc {
    /// Reads a C function type (borrowed).
    ///
    /// # Safety
    /// `raw` must be a live function type.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasmtime_component_func_type_t) -> ComponentFunc {
        // SAFETY: the type is live; names are borrowed from it.
        unsafe {
            let params = (0..sys::wasmtime_component_func_type_param_count(raw))
                .filter_map(|i| {
                    let (mut p, mut n) = (std::ptr::null(), 0);
                    let ty = read_owned(|out| sys::wasmtime_component_func_type_param_nth(raw, i, &mut p, &mut n, out))?;
                    Some((c_name(p, n), ty))
                })
                .collect();
            let result = read_owned(|out| sys::wasmtime_component_func_type_result(raw, out));
            ComponentFunc(Arc::new(FuncInner { async_: sys::wasmtime_component_func_type_async(raw), params, result }))
        }
    }
}

/// Reads the items a C type lists through a count and an nth getter.
fn read_items(
    engine: &Engine,
    count: usize,
    nth: impl Fn(usize, *mut *const std::os::raw::c_char, *mut usize, *mut sys::wasmtime_component_item_t) -> bool,
) -> Vec<(String, ComponentItem)> {
    (0..count)
        .filter_map(|i| {
            let (mut p, mut n) = (std::ptr::null(), 0);
            let mut item = OwnedItem(Default::default());
            if !nth(i, &mut p, &mut n, &mut item.0) {
                std::mem::forget(item);
                return None;
            }
            // SAFETY: the name is borrowed from the live type; the item was
            // filled in, owned.
            Some(unsafe { (c_name(p, n), ComponentItem::from_raw(&item.0, engine)) })
        })
        .collect()
}

impl Component {
    /// Reads a C component type (borrowed).
    ///
    /// # Safety
    /// `raw` must be a live component type of `engine`.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasmtime_component_type_t, engine: &Engine) -> Component {
        let e = engine.as_raw();
        // SAFETY: the type and engine are live.
        unsafe {
            let imports = read_items(engine, sys::wasmtime_component_type_import_count(raw, e), |i, p, n, out| {
                sys::wasmtime_component_type_import_nth(raw, e, i, p, n, out)
            });
            let exports = read_items(engine, sys::wasmtime_component_type_export_count(raw, e), |i, p, n, out| {
                sys::wasmtime_component_type_export_nth(raw, e, i, p, n, out)
            });
            Component(Arc::new(Items { imports, exports }))
        }
    }

    /// Every component function type among the imports, with its path of
    /// instance names.
    pub(crate) fn import_funcs(&self) -> Vec<(Vec<String>, ComponentFunc)> {
        let mut out = Vec::new();
        fn walk(items: &[(String, ComponentItem)], path: &mut Vec<String>, out: &mut Vec<(Vec<String>, ComponentFunc)>) {
            for (name, item) in items {
                path.push(name.clone());
                match item {
                    ComponentItem::ComponentFunc(f) => out.push((path.clone(), f.clone())),
                    ComponentItem::ComponentInstance(i) => walk(&i.0.exports, path, out),
                    _ => {}
                }
                path.pop();
            }
        }
        walk(&self.0.imports, &mut Vec::new(), &mut out);
        out
    }

    /// Every component function type among the exports (nested too).
    pub(crate) fn export_funcs(&self) -> Vec<ComponentFunc> {
        let mut out = Vec::new();
        fn walk(items: &[(String, ComponentItem)], out: &mut Vec<ComponentFunc>) {
            for (_, item) in items {
                match item {
                    ComponentItem::ComponentFunc(f) => out.push(f.clone()),
                    ComponentItem::ComponentInstance(i) => walk(&i.0.exports, out),
                    _ => {}
                }
            }
        }
        walk(&self.0.exports, &mut out);
        out
    }
}

impl ComponentItem {
    /// Reads a C item (borrowed).
    ///
    /// # Safety
    /// `raw` must be a valid item whose union member matches `kind`.
    unsafe fn from_raw(raw: &sys::wasmtime_component_item_t, engine: &Engine) -> ComponentItem {
        let e = engine.as_raw();
        // SAFETY (every arm): `kind` tells which member is live; the pointed
        // types are live as long as `raw`.
        unsafe {
            match u32::from(raw.kind) {
                sys::WASMTIME_COMPONENT_ITEM_COMPONENT => ComponentItem::Component(Component::from_raw(raw.of.component, engine)),
                sys::WASMTIME_COMPONENT_ITEM_COMPONENT_INSTANCE => {
                    let ty = raw.of.component_instance;
                    let exports = read_items(engine, sys::wasmtime_component_instance_type_export_count(ty, e), |i, p, n, out| {
                        sys::wasmtime_component_instance_type_export_nth(ty, e, i, p, n, out)
                    });
                    ComponentItem::ComponentInstance(ComponentInstance(Arc::new(Items { imports: Vec::new(), exports })))
                }
                sys::WASMTIME_COMPONENT_ITEM_MODULE => {
                    let ty = raw.of.module;
                    let imports = (0..sys::wasmtime_module_type_import_count(ty, e))
                        .filter_map(|i| {
                            let it = sys::wasmtime_module_type_import_nth(ty, e, i);
                            if it.is_null() {
                                return None;
                            }
                            let out = (
                                (crate::types::name_string(sys::wasm_importtype_module(it)), crate::types::name_string(sys::wasm_importtype_name(it))),
                                ExternType::from_raw(sys::wasm_importtype_type(it), engine),
                            );
                            sys::wasm_importtype_delete(it);
                            Some(out)
                        })
                        .collect();
                    let exports = (0..sys::wasmtime_module_type_export_count(ty, e))
                        .filter_map(|i| {
                            let it = sys::wasmtime_module_type_export_nth(ty, e, i);
                            if it.is_null() {
                                return None;
                            }
                            let out = (crate::types::name_string(sys::wasm_exporttype_name(it)), ExternType::from_raw(sys::wasm_exporttype_type(it), engine));
                            sys::wasm_exporttype_delete(it);
                            Some(out)
                        })
                        .collect();
                    ComponentItem::Module(Module(Arc::new(ModuleInner { imports, exports })))
                }
                sys::WASMTIME_COMPONENT_ITEM_COMPONENT_FUNC => ComponentItem::ComponentFunc(ComponentFunc::from_raw(raw.of.component_func)),
                sys::WASMTIME_COMPONENT_ITEM_RESOURCE => ComponentItem::Resource(ResourceType::clone_raw(raw.of.resource)),
                sys::WASMTIME_COMPONENT_ITEM_CORE_FUNC => ComponentItem::CoreFunc(FuncType::from_raw(raw.of.core_func, engine)),
                _ => ComponentItem::Type(Type::from_raw(&raw.of.type_)),
            }
        }
    }
}

/// Owner of a C component type, for [`super::Component::component_type`].
pub(crate) fn read_component_type(raw: Owned<sys::wasmtime_component_type_t>, engine: &Engine) -> Component {
    // SAFETY: the type is live (owned) for this call.
    unsafe { Component::from_raw(raw.as_ptr(), engine) }
}
