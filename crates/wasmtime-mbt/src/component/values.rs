//! `Val`: a dynamically typed component model value, and its conversion to
//! and from the C API's `wasmtime_component_val_t`.

use wasmtime_mbt_sys as sys;

use super::resources::ResourceAny;
use crate::store::StoreOpaque;
use crate::{Error, Result};

/// A component model value, as `wasmtime::component::Val`.
///
/// ```
/// use wasmtime_mbt::component::Val;
/// let v = Val::Record(vec![("x".into(), Val::U32(1)), ("name".into(), Val::String("a".into()))]);
/// assert_eq!(v.clone(), v);
/// assert_ne!(Val::Option(None), Val::Option(Some(Box::new(Val::Bool(true)))));
/// ```
///
/// `Future`, `Stream` and `ErrorContext` values exist for signature
/// compatibility, but no value of them can be made: the C API cannot
/// convert them (it would abort the process), so functions whose types
/// carry them are refused with an `Err` when called or instantiated.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Val {
    Bool(bool),
    S8(i8),
    U8(u8),
    S16(i16),
    U16(u16),
    S32(i32),
    U32(u32),
    S64(i64),
    U64(u64),
    Float32(f32),
    Float64(f64),
    Char(char),
    String(String),
    List(Vec<Val>),
    /// A map as a list of key-value pairs.
    Map(Vec<(Val, Val)>),
    Record(Vec<(String, Val)>),
    Tuple(Vec<Val>),
    Variant(String, Option<Box<Val>>),
    Enum(String),
    Option(Option<Box<Val>>),
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    Flags(Vec<String>),
    Resource(ResourceAny),
    Future(FutureAny),
    Stream(StreamAny),
    ErrorContext(ErrorContextAny),
    FixedLengthList(Vec<Val>),
}

macro_rules! unmakeable {
    ($($(#[$doc:meta])* $name:ident,)*) => {$(
        $(#[$doc])*
        ///
        /// No value of this type can be made through the C API.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(Never);
    )*};
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Never {}

unmakeable! {
    /// A future handle, as `wasmtime::component::FutureAny`.
    FutureAny,
    /// A stream handle, as `wasmtime::component::StreamAny`.
    StreamAny,
    /// An error context handle, as `wasmtime::component::ErrorContextAny`.
    ErrorContextAny,
}

impl Val {
    /// The name of the value's kind, as in type errors.
    pub(crate) fn desc(&self) -> &'static str {
        match self {
            Val::Bool(_) => "bool",
            Val::S8(_) => "s8",
            Val::U8(_) => "u8",
            Val::S16(_) => "s16",
            Val::U16(_) => "u16",
            Val::S32(_) => "s32",
            Val::U32(_) => "u32",
            Val::S64(_) => "s64",
            Val::U64(_) => "u64",
            Val::Float32(_) => "f32",
            Val::Float64(_) => "f64",
            Val::Char(_) => "char",
            Val::String(_) => "string",
            Val::List(_) => "list",
            Val::Map(_) => "map",
            Val::Record(_) => "record",
            Val::Tuple(_) => "tuple",
            Val::Variant(..) => "variant",
            Val::Enum(_) => "enum",
            Val::Option(_) => "option",
            Val::Result(_) => "result",
            Val::Flags(_) => "flags",
            Val::Resource(_) => "resource",
            Val::Future(_) => "future",
            Val::Stream(_) => "stream",
            Val::ErrorContext(_) => "error-context",
            Val::FixedLengthList(_) => "list<_, N>",
        }
    }

    /// `Err` unless every part of the value can be handed to C for `store`:
    /// resources must belong to it. Runs before anything is built, so a
    /// refused value leaves nothing to free.
    pub(crate) fn check(&self, store: &StoreOpaque) -> Result<()> {
        match self {
            Val::Resource(r) => store.check_id(r.store_id()),
            Val::List(v) | Val::Tuple(v) | Val::FixedLengthList(v) => v.iter().try_for_each(|v| v.check(store)),
            Val::Map(v) => v.iter().try_for_each(|(k, v)| k.check(store).and_then(|()| v.check(store))),
            Val::Record(v) => v.iter().try_for_each(|(_, v)| v.check(store)),
            Val::Variant(_, Some(v)) | Val::Option(Some(v)) | Val::Result(Ok(Some(v)) | Err(Some(v))) => v.check(store),
            Val::Future(n) => match n.0 {},
            Val::Stream(n) => match n.0 {},
            Val::ErrorContext(n) => match n.0 {},
            _ => Ok(()),
        }
    }

    /// The C value, owned by the caller (free it with
    /// `wasmtime_component_val_delete`, or hand it to C). Call
    /// [`Val::check`] first.
    pub(crate) fn to_raw(&self, store: &StoreOpaque) -> sys::wasmtime_component_val_t {
        let mut of = sys::wasmtime_component_valunion_t { u64_: 0 };
        let kind = match self {
            Val::Bool(b) => {
                of.boolean = *b;
                sys::WASMTIME_COMPONENT_BOOL
            }
            Val::S8(x) => {
                of.s8 = *x;
                sys::WASMTIME_COMPONENT_S8
            }
            Val::U8(x) => {
                of.u8_ = *x;
                sys::WASMTIME_COMPONENT_U8
            }
            Val::S16(x) => {
                of.s16 = *x;
                sys::WASMTIME_COMPONENT_S16
            }
            Val::U16(x) => {
                of.u16_ = *x;
                sys::WASMTIME_COMPONENT_U16
            }
            Val::S32(x) => {
                of.s32 = *x;
                sys::WASMTIME_COMPONENT_S32
            }
            Val::U32(x) => {
                of.u32_ = *x;
                sys::WASMTIME_COMPONENT_U32
            }
            Val::S64(x) => {
                of.s64 = *x;
                sys::WASMTIME_COMPONENT_S64
            }
            Val::U64(x) => {
                of.u64_ = *x;
                sys::WASMTIME_COMPONENT_U64
            }
            Val::Float32(x) => {
                of.f32_ = *x;
                sys::WASMTIME_COMPONENT_F32
            }
            Val::Float64(x) => {
                of.f64_ = *x;
                sys::WASMTIME_COMPONENT_F64
            }
            Val::Char(c) => {
                // A Rust `char` is always a Unicode scalar value, which C
                // requires (it would abort on a surrogate).
                of.character = u32::from(*c);
                sys::WASMTIME_COMPONENT_CHAR
            }
            Val::String(s) => {
                of.string = new_name(s);
                sys::WASMTIME_COMPONENT_STRING
            }
            Val::Enum(s) => {
                of.enumeration = new_name(s);
                sys::WASMTIME_COMPONENT_ENUM
            }
            Val::List(v) => {
                of.list = new_vec(v.iter().map(|v| v.to_raw(store)).collect(), sys::wasmtime_component_vallist_new);
                sys::WASMTIME_COMPONENT_LIST
            }
            Val::FixedLengthList(v) => {
                of.list = new_vec(v.iter().map(|v| v.to_raw(store)).collect(), sys::wasmtime_component_vallist_new);
                FIXED_LENGTH_LIST
            }
            Val::Tuple(v) => {
                of.tuple = new_vec(v.iter().map(|v| v.to_raw(store)).collect(), sys::wasmtime_component_valtuple_new);
                sys::WASMTIME_COMPONENT_TUPLE
            }
            Val::Record(fields) => {
                let entries = fields
                    .iter()
                    .map(|(name, v)| sys::wasmtime_component_valrecord_entry { name: new_name(name), val: v.to_raw(store) })
                    .collect();
                of.record = new_vec(entries, sys::wasmtime_component_valrecord_new);
                sys::WASMTIME_COMPONENT_RECORD
            }
            Val::Map(pairs) => {
                let entries =
                    pairs.iter().map(|(k, v)| sys::wasmtime_component_valmap_entry { key: k.to_raw(store), value: v.to_raw(store) }).collect();
                of.map = new_vec(entries, sys::wasmtime_component_valmap_new);
                sys::WASMTIME_COMPONENT_MAP
            }
            Val::Flags(names) => {
                of.flags = new_vec(names.iter().map(|n| new_name(n)).collect(), sys::wasmtime_component_valflags_new);
                sys::WASMTIME_COMPONENT_FLAGS
            }
            Val::Variant(name, payload) => {
                of.variant = sys::wasmtime_component_valvariant_t { discriminant: new_name(name), val: boxed(payload.as_deref(), store) };
                sys::WASMTIME_COMPONENT_VARIANT
            }
            Val::Option(payload) => {
                of.option = boxed(payload.as_deref(), store);
                sys::WASMTIME_COMPONENT_OPTION
            }
            Val::Result(r) => {
                let (is_ok, payload) = match r {
                    Ok(v) => (true, v),
                    Err(v) => (false, v),
                };
                of.result = sys::wasmtime_component_valresult_t { is_ok, val: boxed(payload.as_deref(), store) };
                sys::WASMTIME_COMPONENT_RESULT
            }
            Val::Resource(r) => {
                of.resource = r.raw_copy(store).expect("checked by `Val::check`");
                sys::WASMTIME_COMPONENT_RESOURCE
            }
            Val::Future(n) => match n.0 {},
            Val::Stream(n) => match n.0 {},
            Val::ErrorContext(n) => match n.0 {},
        };
        sys::wasmtime_component_val_t { kind: kind as u8, of }
    }

    /// Reads a C value (borrowed, not consumed) produced for `store`.
    ///
    /// # Safety
    /// `raw` must be a valid value whose union member matches `kind`.
    pub(crate) unsafe fn from_raw(raw: &sys::wasmtime_component_val_t, store_id: u64) -> Result<Val> {
        // SAFETY (every arm): `kind` tells which union member is live; the
        // vectors and boxes it points to are live as long as `raw`.
        unsafe {
            let of = &raw.of;
            Ok(match u32::from(raw.kind) {
                sys::WASMTIME_COMPONENT_BOOL => Val::Bool(of.boolean),
                sys::WASMTIME_COMPONENT_S8 => Val::S8(of.s8),
                sys::WASMTIME_COMPONENT_U8 => Val::U8(of.u8_),
                sys::WASMTIME_COMPONENT_S16 => Val::S16(of.s16),
                sys::WASMTIME_COMPONENT_U16 => Val::U16(of.u16_),
                sys::WASMTIME_COMPONENT_S32 => Val::S32(of.s32),
                sys::WASMTIME_COMPONENT_U32 => Val::U32(of.u32_),
                sys::WASMTIME_COMPONENT_S64 => Val::S64(of.s64),
                sys::WASMTIME_COMPONENT_U64 => Val::U64(of.u64_),
                sys::WASMTIME_COMPONENT_F32 => Val::Float32(of.f32_),
                sys::WASMTIME_COMPONENT_F64 => Val::Float64(of.f64_),
                sys::WASMTIME_COMPONENT_CHAR => {
                    Val::Char(char::from_u32(of.character).ok_or_else(|| Error::msg(format!("invalid char value {:#x}", of.character)))?)
                }
                sys::WASMTIME_COMPONENT_STRING => Val::String(read_name(&of.string)?),
                sys::WASMTIME_COMPONENT_ENUM => Val::Enum(read_name(&of.enumeration)?),
                sys::WASMTIME_COMPONENT_LIST => Val::List(read_vals(of.list.data, of.list.size, store_id)?),
                FIXED_LENGTH_LIST => Val::FixedLengthList(read_vals(of.list.data, of.list.size, store_id)?),
                sys::WASMTIME_COMPONENT_TUPLE => Val::Tuple(read_vals(of.tuple.data, of.tuple.size, store_id)?),
                sys::WASMTIME_COMPONENT_RECORD => Val::Record(
                    slice(of.record.data, of.record.size)
                        .iter()
                        .map(|e| Ok((read_name(&e.name)?, Val::from_raw(&e.val, store_id)?)))
                        .collect::<Result<_>>()?,
                ),
                sys::WASMTIME_COMPONENT_MAP => Val::Map(
                    slice(of.map.data, of.map.size)
                        .iter()
                        .map(|e| Ok((Val::from_raw(&e.key, store_id)?, Val::from_raw(&e.value, store_id)?)))
                        .collect::<Result<_>>()?,
                ),
                sys::WASMTIME_COMPONENT_FLAGS => Val::Flags(slice(of.flags.data, of.flags.size).iter().map(|n| read_name(n)).collect::<Result<_>>()?),
                sys::WASMTIME_COMPONENT_VARIANT => Val::Variant(read_name(&of.variant.discriminant)?, read_box(of.variant.val, store_id)?),
                sys::WASMTIME_COMPONENT_OPTION => Val::Option(read_box(of.option, store_id)?),
                sys::WASMTIME_COMPONENT_RESULT => {
                    let payload = read_box(of.result.val, store_id)?;
                    Val::Result(if of.result.is_ok { Ok(payload) } else { Err(payload) })
                }
                sys::WASMTIME_COMPONENT_RESOURCE => {
                    let copy = sys::wasmtime_component_resource_any_clone(of.resource);
                    Val::Resource(ResourceAny::from_raw(copy, store_id))
                }
                kind => return Err(Error::msg(format!("unsupported component value kind {kind}"))),
            })
        }
    }
}

/// The kind C gives fixed-length lists (the Rust enum's next variant; not
/// in the header).
const FIXED_LENGTH_LIST: u32 = sys::WASMTIME_COMPONENT_MAP + 1;

/// An owned C name holding a copy of `s`.
fn new_name(s: &str) -> sys::wasm_name_t {
    let mut out = sys::wasm_name_t { size: 0, data: std::ptr::null_mut() };
    // SAFETY: the bytes are copied into a new owned vector.
    unsafe { sys::wasm_byte_vec_new(&mut out, s.len(), s.as_ptr().cast()) };
    out
}

/// An owned C vector made by `new` (which moves the elements out of `items`).
fn new_vec<E, V: Default>(items: Vec<E>, new: unsafe extern "C" fn(*mut V, usize, *const E)) -> V {
    let mut out = V::default();
    // SAFETY: `new` reads (moves) `len` elements; the Rust buffer is then
    // only deallocated (`E` is plain C data without `Drop`).
    unsafe { new(&mut out, items.len(), items.as_ptr()) };
    out
}

/// A C heap box holding the value, or null.
fn boxed(v: Option<&Val>, store: &StoreOpaque) -> *mut sys::wasmtime_component_val_t {
    match v {
        None => std::ptr::null_mut(),
        Some(v) => {
            let mut raw = v.to_raw(store);
            // SAFETY: `raw` is moved into a new C allocation.
            unsafe { sys::wasmtime_component_val_new(&mut raw) }
        }
    }
}

/// # Safety
/// A non-null `data` must point to `len` live values.
unsafe fn slice<'a, E>(data: *const E, len: usize) -> &'a [E] {
    // SAFETY: forwarded.
    unsafe { crate::func::raw_slice(data, len) }
}

/// # Safety
/// As for [`slice`].
unsafe fn read_vals(data: *const sys::wasmtime_component_val_t, len: usize, store_id: u64) -> Result<Vec<Val>> {
    // SAFETY: forwarded.
    unsafe { slice(data, len).iter().map(|v| Val::from_raw(v, store_id)).collect() }
}

/// # Safety
/// A non-null `v` must be a live value.
unsafe fn read_box(v: *const sys::wasmtime_component_val_t, store_id: u64) -> Result<Option<Box<Val>>> {
    // SAFETY: forwarded.
    unsafe { v.as_ref().map(|v| Val::from_raw(v, store_id).map(Box::new)).transpose() }
}

/// # Safety
/// `name` must be a live byte vector.
unsafe fn read_name(name: &sys::wasm_name_t) -> Result<String> {
    // SAFETY: forwarded.
    let bytes = unsafe { crate::owned::borrow_bytes(name.data.cast(), name.size) };
    String::from_utf8(bytes.to_vec()).map_err(|_| Error::msg("component string is not valid UTF-8"))
}

/// Owned C values, deleted on drop: the argument and result buffers of a
/// call.
pub(crate) struct RawVals(pub(crate) Vec<sys::wasmtime_component_val_t>);

/// A `false` boolean: a valid value C may overwrite (a result slot).
fn placeholder() -> sys::wasmtime_component_val_t {
    sys::wasmtime_component_val_t { kind: sys::WASMTIME_COMPONENT_BOOL as u8, of: sys::wasmtime_component_valunion_t { boolean: false } }
}

/// An owned C string value holding a copy of `s`.
pub(crate) fn raw_string(s: &str) -> sys::wasmtime_component_val_t {
    sys::wasmtime_component_val_t { kind: sys::WASMTIME_COMPONENT_STRING as u8, of: sys::wasmtime_component_valunion_t { string: new_name(s) } }
}

/// An owned C list value made of `items` (moved into it).
pub(crate) fn raw_list(items: RawVals) -> sys::wasmtime_component_val_t {
    let list = new_vec(items.into_inner(), sys::wasmtime_component_vallist_new);
    sys::wasmtime_component_val_t { kind: sys::WASMTIME_COMPONENT_LIST as u8, of: sys::wasmtime_component_valunion_t { list } }
}

/// A C string value's text.
///
/// # Safety
/// `raw` must be a valid value.
pub(crate) unsafe fn read_raw_string(raw: &sys::wasmtime_component_val_t) -> Option<Result<String>> {
    // SAFETY: `kind` says the `string` member is live.
    (u32::from(raw.kind) == sys::WASMTIME_COMPONENT_STRING).then(|| unsafe { read_name(&raw.of.string) })
}

/// A C list value's elements.
///
/// # Safety
/// `raw` must be a valid value (the slice borrows from it).
pub(crate) unsafe fn read_raw_list(raw: &sys::wasmtime_component_val_t) -> Option<&[sys::wasmtime_component_val_t]> {
    // SAFETY: `kind` says the `list` member is live; its elements live as
    // long as `raw`.
    (u32::from(raw.kind) == sys::WASMTIME_COMPONENT_LIST).then(|| unsafe { slice(raw.of.list.data, raw.of.list.size) })
}

/// The most parameters or results a typed call has (the longest tuple).
pub(crate) const MAX_TYPED: usize = 12;

/// Up to [`MAX_TYPED`] owned C values on the stack, deleted on drop: a
/// typed call's argument and result buffers (no allocation). Named by the
/// hidden methods of the sealed conversion traits; not a public API.
#[doc(hidden)]
pub struct RawArray {
    vals: [std::mem::MaybeUninit<sys::wasmtime_component_val_t>; MAX_TYPED],
    len: usize,
}

impl RawArray {
    /// An empty buffer.
    pub(crate) fn new() -> RawArray {
        RawArray { vals: [std::mem::MaybeUninit::uninit(); MAX_TYPED], len: 0 }
    }

    /// `n` result slots.
    ///
    /// # Panics
    /// If `n` exceeds [`MAX_TYPED`] (no tuple is that long).
    pub(crate) fn placeholders(n: usize) -> RawArray {
        let mut out = RawArray::new();
        (0..n).for_each(|_| out.push(placeholder()));
        out
    }

    /// Appends an owned value.
    ///
    /// # Panics
    /// If the buffer is full (no tuple is that long).
    pub(crate) fn push(&mut self, val: sys::wasmtime_component_val_t) {
        self.vals[self.len].write(val);
        self.len += 1;
    }

    /// The values.
    pub(crate) fn as_slice(&self) -> &[sys::wasmtime_component_val_t] {
        // SAFETY: the first `len` elements are initialised.
        unsafe { std::slice::from_raw_parts(self.vals.as_ptr().cast(), self.len) }
    }

    /// The values, to be overwritten by C.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [sys::wasmtime_component_val_t] {
        // SAFETY: the first `len` elements are initialised.
        unsafe { std::slice::from_raw_parts_mut(self.vals.as_mut_ptr().cast(), self.len) }
    }
}

impl Drop for RawArray {
    fn drop(&mut self) {
        delete_all(self.as_mut_slice());
    }
}

/// Deletes owned C values.
fn delete_all(vals: &mut [sys::wasmtime_component_val_t]) {
    for v in vals {
        // SAFETY: each value is owned by the caller and deleted once.
        unsafe { sys::wasmtime_component_val_delete(v) };
    }
}

impl RawVals {
    /// `n` result slots.
    pub(crate) fn placeholders(n: usize) -> RawVals {
        RawVals((0..n).map(|_| placeholder()).collect())
    }

    /// The C values for `vals`, or `Err` if one cannot go to `store`.
    pub(crate) fn from_vals(vals: &[Val], store: &StoreOpaque) -> Result<RawVals> {
        vals.iter().try_for_each(|v| v.check(store))?;
        Ok(RawVals(vals.iter().map(|v| v.to_raw(store)).collect()))
    }
}

impl RawVals {
    /// Gives up ownership of the values (moved into C).
    pub(crate) fn into_inner(self) -> Vec<sys::wasmtime_component_val_t> {
        let mut this = std::mem::ManuallyDrop::new(self);
        std::mem::take(&mut this.0)
    }
}

impl Drop for RawVals {
    fn drop(&mut self) {
        delete_all(&mut self.0);
    }
}
