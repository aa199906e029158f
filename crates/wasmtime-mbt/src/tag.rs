//! Exception tags, as `wasmtime::Tag` and `wasmtime::TagType`
//! (`wasmtime_tag_*`, `wasm_tagtype_*`).

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::{CDelete, Owned};
use crate::{AsContext, AsContextMut, Engine, Error, FuncType, Result};

/// The type of an exception tag: the function type of its payload (results
/// empty), as `wasmtime::TagType`.
///
/// ```
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let ty = TagType::new(FuncType::new(&engine, [ValType::I32], []));
/// assert_eq!(ty.ty().params().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagType {
    ty: FuncType,
}

impl TagType {
    /// The tag type of payloads of type `ty`'s parameters.
    pub fn new(ty: FuncType) -> TagType {
        TagType { ty }
    }

    /// The payload's function type.
    pub fn ty(&self) -> &FuncType {
        &self.ty
    }

    /// An owned `wasm_tagtype_t`.
    pub(crate) fn to_raw(&self) -> Result<Owned<sys::wasm_tagtype_t>> {
        let func = self.ty.to_raw()?;
        // SAFETY: the function type's ownership moves into the tag type.
        Ok(unsafe { Owned::from_raw(sys::wasm_tagtype_new(func.into_raw())) }.expect("tagtype"))
    }

    /// From a borrowed `wasm_tagtype_t`, of `engine`.
    ///
    /// # Safety
    /// `raw` must be live.
    pub(crate) unsafe fn from_raw(raw: *const sys::wasm_tagtype_t, engine: &Engine) -> TagType {
        // SAFETY: the function type belongs to the live tag type.
        TagType { ty: unsafe { FuncType::from_raw(sys::wasm_tagtype_functype(raw), engine) } }
    }
}

impl CDelete for sys::wasm_tagtype_t {
    unsafe fn delete(ptr: *mut Self) {
        // SAFETY: forwarded: `ptr` is owned and live.
        unsafe { sys::wasm_tagtype_delete(ptr) }
    }
}

/// An exception tag in a store, as `wasmtime::Tag`: a `Copy` handle.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::new(Config::new().wasm_exceptions(true))?;
/// let mut store = Store::new(&engine, ());
/// let ty = TagType::new(FuncType::new(&engine, [ValType::I64], []));
/// let a = Tag::new(&mut store, &ty)?;
/// let b = Tag::new(&mut store, &ty)?;
/// assert!(Tag::eq(&a, &a, &store) && !Tag::eq(&a, &b, &store));
/// assert_eq!(a.ty(&store).ty().params().len(), 1);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Tag(pub(crate) sys::wasmtime_tag_t);

crate::store::store_handle!(Tag, |h| h.store_id());

impl Tag {
    /// A new tag of type `ty` in `store` (`wasmtime_tag_new`).
    pub fn new(mut store: impl AsContextMut, ty: &TagType) -> Result<Tag> {
        let store = store.as_context_mut();
        if !Engine::same(ty.ty().engine(), store.0.opaque.engine()) {
            return Err(Error::msg("tag type belongs to a different engine than the store"));
        }
        let raw_ty = ty.to_raw()?;
        let mut raw = sys::wasmtime_tag_t::default();
        // SAFETY: the context and type are live.
        unsafe { Error::check(sys::wasmtime_tag_new(store.0.opaque.context(), raw_ty.as_ptr(), &mut raw))? };
        Ok(Tag(raw))
    }

    pub(crate) fn store_id(&self) -> u64 {
        self.0.__bindgen_anon_1.store_id
    }

    /// The tag's type (`wasmtime_tag_type`). Panics on a tag from another
    /// store, as `wasmtime`.
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> TagType {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        opaque.assert_id(self.store_id());
        // SAFETY: the tag belongs to this live store; the type is owned.
        unsafe {
            let raw = Owned::from_raw(sys::wasmtime_tag_type(opaque.context(), &self.0)).expect("tag type");
            TagType::from_raw(raw.as_ptr(), opaque.engine())
        }
    }

    /// Whether `a` and `b` are the same tag (`wasmtime_tag_eq`). Panics on
    /// tags from another store, as `wasmtime`.
    #[track_caller]
    pub fn eq(a: &Tag, b: &Tag, store: impl AsContext) -> bool {
        let store = store.as_context();
        let opaque = &store.0.opaque;
        opaque.assert_id(a.store_id());
        opaque.assert_id(b.store_id());
        // SAFETY: both tags belong to this live store.
        unsafe { sys::wasmtime_tag_eq(opaque.context(), &a.0, &b.0) }
    }
}
