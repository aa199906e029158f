//! `Component`: a compiled component, and `ComponentExportIndex`.

use std::ffi::CString;
use std::path::Path;
use std::ptr;
use std::sync::Arc;

use wasmtime_mbt_sys as sys;

use super::types;
use crate::error::ErrorExt as _;
use crate::owned::{take_byte_vec, Owned};
use crate::{Engine, Error, Result};

/// A compiled WebAssembly component, as `wasmtime::component::Component`.
/// Cheap to clone; shareable across threads and stores.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::component::Component;
/// use wasmtime_mbt::Engine;
/// let engine = Engine::default();
/// let component = Component::new(&engine, "(component)")?;
/// assert_eq!(component.component_type().exports(&engine).len(), 0);
/// // A core module is not a component.
/// assert!(Component::new(&engine, "(module)").is_err());
/// assert!(Component::new(&engine, b"\0asm garbage").is_err());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Component {
    inner: Arc<Inner>,
}

struct Inner {
    raw: Owned<sys::wasmtime_component_t>,
    engine: Engine,
    /// The component's type, read on first use.
    ty: std::sync::OnceLock<types::Component>,
}

// SAFETY: `wasmtime_component_t` wraps `wasmtime::component::Component`
// (`Send + Sync`); the C functions used on it only read it.
unsafe impl Send for Component {}
// SAFETY: as above.
unsafe impl Sync for Component {}

impl std::fmt::Debug for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Component").field(&self.inner.raw.as_ptr()).finish()
    }
}

impl Component {
    /// Compiles a component from text (the component text format) or
    /// binary (`wasmtime_component_new`).
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Component> {
        let bytes = bytes.as_ref();
        if bytes.starts_with(b"\0asm") {
            Component::from_binary(engine, bytes)
        } else {
            Component::from_binary(engine, &crate::wat2wasm(bytes)?)
        }
    }

    /// Compiles a component from a file of text or binary.
    pub fn from_file(engine: &Engine, file: impl AsRef<Path>) -> Result<Component> {
        let path = file.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::new(e).context(format!("failed to read input file: {}", path.display())))?;
        Component::new(engine, bytes)
    }

    /// Compiles a component from binary only.
    pub fn from_binary(engine: &Engine, binary: &[u8]) -> Result<Component> {
        let mut out = ptr::null_mut();
        // SAFETY: the engine is live; the bytes are passed with their length.
        unsafe { Error::check(sys::wasmtime_component_new(engine.as_raw(), binary.as_ptr(), binary.len(), &mut out))? };
        Ok(Component::from_owned(engine, out))
    }

    fn from_owned(engine: &Engine, raw: *mut sys::wasmtime_component_t) -> Component {
        // SAFETY: returned owned by a successful C call.
        let raw = unsafe { Owned::from_raw(raw) }.expect("component");
        #[allow(clippy::arc_with_non_send_sync)]
        let inner = Arc::new(Inner { raw, engine: engine.clone(), ty: std::sync::OnceLock::new() });
        Component { inner }
    }

    /// Serializes the compiled component for [`Component::deserialize`]
    /// (`wasmtime_component_serialize`).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::component::Component;
    /// use wasmtime_mbt::Engine;
    /// let engine = Engine::default();
    /// let bytes = Component::new(&engine, "(component)")?.serialize()?;
    /// // SAFETY: the bytes were just produced by this engine.
    /// let copy = unsafe { Component::deserialize(&engine, &bytes)? };
    /// assert_eq!(copy.component_type().imports(&engine).len(), 0);
    /// // SAFETY: a test of the header check; these bytes are no artifact.
    /// assert!(unsafe { Component::deserialize(&engine, b"junk") }.is_err());
    /// # Ok(()) }
    /// ```
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let mut out = sys::wasm_byte_vec_t::default();
        // SAFETY: the component is live; `out` is owned on success.
        unsafe {
            Error::check(sys::wasmtime_component_serialize(self.inner.raw.as_ptr(), &mut out))?;
            Ok(take_byte_vec(out))
        }
    }

    /// Loads a component serialized by [`Component::serialize`]
    /// (`wasmtime_component_deserialize`).
    ///
    /// # Safety
    /// The bytes are trusted to be machine code produced by Wasmtime: only
    /// a version/configuration header is checked.
    pub unsafe fn deserialize(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Component> {
        let bytes = bytes.as_ref();
        let mut out = ptr::null_mut();
        // SAFETY: the caller vouches for the bytes.
        unsafe { Error::check(sys::wasmtime_component_deserialize(engine.as_raw(), bytes.as_ptr(), bytes.len(), &mut out))? };
        Ok(Component::from_owned(engine, out))
    }

    /// Like [`Component::deserialize`], from a file
    /// (`wasmtime_component_deserialize_file`).
    ///
    /// # Safety
    /// As for [`Component::deserialize`]; the file must also not change
    /// while the component is alive (it may be memory-mapped).
    pub unsafe fn deserialize_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Component> {
        let path = path.as_ref().to_str().ok_or_else(|| Error::msg("path is not UTF-8"))?;
        let path = CString::new(path).map_err(Error::msg)?;
        let mut out = ptr::null_mut();
        // SAFETY: the caller vouches for the file; the path is NUL-terminated.
        unsafe { Error::check(sys::wasmtime_component_deserialize_file(engine.as_raw(), path.as_ptr(), &mut out))? };
        Ok(Component::from_owned(engine, out))
    }

    /// The component's type: its imports and exports
    /// (`wasmtime_component_type`, read into Rust values once).
    pub fn component_type(&self) -> types::Component {
        self.inner
            .ty
            .get_or_init(|| {
                // SAFETY: the component is live; the type is owned.
                let raw = unsafe { Owned::from_raw(sys::wasmtime_component_type(self.inner.raw.as_ptr())) }.expect("component type");
                types::read_component_type(raw, &self.inner.engine)
            })
            .clone()
    }

    /// The index of the export `name`, inside the exported instance
    /// `instance` if given (`wasmtime_component_get_export_index`). The
    /// index is faster to look up than a name, in every instance of this
    /// component. Also returns the export's type, as `wasmtime` does.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::component::{types::ComponentItem, Component};
    /// use wasmtime_mbt::Engine;
    /// let engine = Engine::default();
    /// let component = Component::new(&engine, r#"(component
    ///     (core module $m (func (export "f")))
    ///     (core instance $i (instantiate $m))
    ///     (func $f (canon lift (core func $i "f")))
    ///     (instance $inner (export "f" (func $f)))
    ///     (export "api" (instance $inner)))"#)?;
    /// let (item, api) = component.get_export(None, "api").unwrap();
    /// assert!(matches!(item, ComponentItem::ComponentInstance(_)));
    /// assert!(component.get_export_index(Some(&api), "f").is_some());
    /// assert!(component.get_export_index(None, "f").is_none());
    /// # Ok(()) }
    /// ```
    pub fn get_export_index(&self, instance: Option<&ComponentExportIndex>, name: impl ExportLookup) -> Option<ComponentExportIndex> {
        let name = match name.lookup() {
            Lookup::Index(index) => return Some(index.clone()),
            Lookup::Name(name) => name,
        };
        let parent = instance.map_or(ptr::null(), |i| i.raw.as_ptr().cast_const());
        // SAFETY: the component and the optional parent index are live; the
        // name is passed with its length; the result is owned or null.
        let raw = unsafe { sys::wasmtime_component_get_export_index(self.inner.raw.as_ptr(), parent, name.as_ptr().cast(), name.len()) };
        // SAFETY: owned or null.
        let mut index = unsafe { ComponentExportIndex::from_raw(raw) }?;
        index.path = match instance {
            None => Some(vec![name.to_string()]),
            Some(parent) => parent.path.as_ref().map(|p| p.iter().cloned().chain([name.to_string()]).collect()),
        };
        Some(index)
    }

    /// The export `name` (inside `instance` if given): its type and index.
    pub fn get_export(&self, instance: Option<&ComponentExportIndex>, name: impl ExportLookup) -> Option<(types::ComponentItem, ComponentExportIndex)> {
        let index = self.get_export_index(instance, name)?;
        let mut item = types::ComponentItem::Component(self.component_type());
        for step in index.path.as_deref()? {
            item = match item {
                types::ComponentItem::Component(c) => c.get_export(&self.inner.engine, step)?.ty,
                types::ComponentItem::ComponentInstance(i) => i.get_export(&self.inner.engine, step)?.ty,
                _ => return None,
            };
        }
        Some((item, index))
    }

    /// The engine this component was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn as_raw(&self) -> *const sys::wasmtime_component_t {
        self.inner.raw.as_ptr()
    }
}

/// The index of an export of a component, as
/// `wasmtime::component::ComponentExportIndex`: found once with
/// [`Component::get_export_index`] or
/// [`Instance::get_export_index`](super::Instance::get_export_index), then
/// used for fast lookups.
pub struct ComponentExportIndex {
    raw: Owned<sys::wasmtime_component_export_index_t>,
    /// The names leading here, when known (for [`Component::get_export`]).
    path: Option<Vec<String>>,
}

// SAFETY: the C index is plain data (`wasmtime`'s index is `Copy + Send + Sync`).
unsafe impl Send for ComponentExportIndex {}
// SAFETY: as above.
unsafe impl Sync for ComponentExportIndex {}

impl Clone for ComponentExportIndex {
    fn clone(&self) -> ComponentExportIndex {
        // SAFETY: the index is live; the copy is owned.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_component_export_index_clone(self.raw.as_ptr())) }.expect("export index");
        ComponentExportIndex { raw, path: self.path.clone() }
    }
}

impl std::fmt::Debug for ComponentExportIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentExportIndex").finish_non_exhaustive()
    }
}

impl ComponentExportIndex {
    /// # Safety
    /// A non-null `raw` must be owned by the caller.
    pub(crate) unsafe fn from_raw(raw: *mut sys::wasmtime_component_export_index_t) -> Option<ComponentExportIndex> {
        // SAFETY: forwarded.
        unsafe { Owned::from_raw(raw) }.map(|raw| ComponentExportIndex { raw, path: None })
    }

    pub(crate) fn as_raw(&self) -> *const sys::wasmtime_component_export_index_t {
        self.raw.as_ptr()
    }
}

mod sealed {
    pub trait Sealed {}
}

/// What names an export: a `&str`, a `String` or a
/// [`ComponentExportIndex`], as `wasmtime::component::ExportLookup`.
/// Sealed.
pub trait ExportLookup: sealed::Sealed {
    #[doc(hidden)]
    fn lookup(&self) -> Lookup<'_>;
}

#[doc(hidden)]
pub enum Lookup<'a> {
    Name(&'a str),
    Index(&'a ComponentExportIndex),
}

impl<T: ExportLookup + ?Sized> sealed::Sealed for &T {}
impl<T: ExportLookup + ?Sized> ExportLookup for &T {
    fn lookup(&self) -> Lookup<'_> {
        (**self).lookup()
    }
}

impl sealed::Sealed for str {}
impl ExportLookup for str {
    fn lookup(&self) -> Lookup<'_> {
        Lookup::Name(self)
    }
}

impl sealed::Sealed for String {}
impl ExportLookup for String {
    fn lookup(&self) -> Lookup<'_> {
        Lookup::Name(self)
    }
}

impl sealed::Sealed for ComponentExportIndex {}
impl ExportLookup for ComponentExportIndex {
    fn lookup(&self) -> Lookup<'_> {
        Lookup::Index(self)
    }
}
