//! `Instance`: an instantiated component.

use wasmtime_mbt_sys as sys;

use super::component::{ComponentExportIndex, ExportLookup, Lookup};
use super::typed::{ComponentNamedList, Lift, Lower, TypedFunc};
use super::Func;
use crate::store::{store_handle, StoreOpaque};
use crate::{format_err, AsContextMut, Result};

/// An instantiated component, as `wasmtime::component::Instance`: a `Copy`
/// handle into its store.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::component::*;
/// use wasmtime_mbt::{Engine, Store};
/// let engine = Engine::default();
/// let component = Component::new(&engine, r#"(component
///     (core module $m (func (export "f") (result i32) i32.const 7))
///     (core instance $i (instantiate $m))
///     (func $f (result s32) (canon lift (core func $i "f")))
///     (instance $api (export "seven" (func $f)))
///     (export "api" (instance $api)))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
/// let api = instance.get_export_index(&mut store, None, "api").unwrap();
/// let seven = instance.get_export_index(&mut store, Some(&api), "seven").unwrap();
/// let f = instance.get_typed_func::<(), (i32,)>(&mut store, &seven)?;
/// assert_eq!(f.call(&mut store, ())?, (7,));
/// assert!(instance.get_func(&mut store, "seven").is_none());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Instance {
    raw: sys::wasmtime_component_instance_t,
}

store_handle!(Instance, |i| i.raw.store_id);

impl Instance {
    pub(crate) fn from_raw(raw: sys::wasmtime_component_instance_t) -> Instance {
        Instance { raw }
    }

    /// The index of the export `name` (inside the exported instance
    /// `instance`, if given).
    ///
    /// # Panics
    /// If the instance belongs to another store.
    pub fn get_export_index(&self, mut store: impl AsContextMut, instance: Option<&ComponentExportIndex>, name: &str) -> Option<ComponentExportIndex> {
        let opaque = &store.as_context_mut().0.opaque;
        opaque.assert_id(self.raw.store_id);
        self.lookup(opaque, instance, name)
    }

    fn lookup(&self, opaque: &StoreOpaque, instance: Option<&ComponentExportIndex>, name: &str) -> Option<ComponentExportIndex> {
        let parent = instance.map_or(std::ptr::null(), |i| i.as_raw());
        // SAFETY: the instance belongs to this live store (checked by the
        // callers); the name is passed with its length; the result is owned
        // or null.
        unsafe {
            ComponentExportIndex::from_raw(sys::wasmtime_component_instance_get_export_index(
                &self.raw,
                opaque.context(),
                parent,
                name.as_ptr().cast(),
                name.len(),
            ))
        }
    }

    /// The exported function `name` (a name or an index).
    ///
    /// # Panics
    /// If the instance belongs to another store.
    pub fn get_func(&self, mut store: impl AsContextMut, name: impl ExportLookup) -> Option<Func> {
        let opaque = &store.as_context_mut().0.opaque;
        opaque.assert_id(self.raw.store_id);
        let found;
        let index = match name.lookup() {
            Lookup::Index(index) => index,
            Lookup::Name(name) => {
                found = self.lookup(opaque, None, name)?;
                &found
            }
        };
        let mut func = sys::wasmtime_component_func_t::default();
        // SAFETY: the instance belongs to this live store; the index is live.
        let ok = unsafe { sys::wasmtime_component_instance_get_func(&self.raw, opaque.context(), index.as_raw(), &mut func) };
        ok.then(|| Func::from_raw(func))
    }

    /// The exported function `name`, typed (its type is checked now).
    pub fn get_typed_func<Params, Results>(&self, mut store: impl AsContextMut, name: impl ExportLookup) -> Result<TypedFunc<Params, Results>>
    where
        Params: ComponentNamedList + Lower,
        Results: ComponentNamedList + Lift,
    {
        store.as_context_mut().0.opaque.check_id(self.raw.store_id)?;
        let f = self.get_func(&mut store, name).ok_or_else(|| format_err!("failed to find function export"))?;
        f.typed::<Params, Results>(&store).map_err(|e| e.context("failed to convert function to given type"))
    }
}
