//! `Func`: a component function exported by an instance, called with
//! dynamically typed [`Val`]s.

use wasmtime_mbt_sys as sys;

use super::typed::{ComponentNamedList, Lift, Lower, TypedFunc};
use super::types::ComponentFunc;
use super::values::RawVals;
use super::Val;
use crate::store::{store_handle, StoreOpaque};
use crate::{AsContext, AsContextMut, Result};

/// A component function, as `wasmtime::component::Func`: a `Copy` handle
/// into the store of its instance.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::component::*;
/// use wasmtime_mbt::{Engine, Store};
/// let engine = Engine::default();
/// let component = Component::new(&engine, r#"(component
///     (core module $m (func (export "add") (param i32 i32) (result i32)
///         (i32.add (local.get 0) (local.get 1))))
///     (core instance $i (instantiate $m))
///     (func (export "add") (param "a" u32) (param "b" u32) (result u32)
///         (canon lift (core func $i "add"))))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
/// let add = instance.get_func(&mut store, "add").unwrap();
/// let mut out = [Val::Bool(false)];
/// add.call(&mut store, &[Val::U32(2), Val::U32(3)], &mut out)?;
/// assert_eq!(out[0], Val::U32(5));
/// // Wrong types or counts are errors.
/// assert!(add.call(&mut store, &[Val::S32(2), Val::U32(3)], &mut out).is_err());
/// assert!(add.call(&mut store, &[Val::U32(2)], &mut out).is_err());
/// assert!(add.call(&mut store, &[Val::U32(2), Val::U32(3)], &mut []).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Func {
    raw: sys::wasmtime_component_func_t,
}

store_handle!(Func, |f| f.store_id());

impl Func {
    pub(crate) fn from_raw(raw: sys::wasmtime_component_func_t) -> Func {
        Func { raw }
    }

    pub(crate) fn store_id(&self) -> u64 {
        self.raw.__bindgen_anon_1.store_id
    }

    /// The function's type (`wasmtime_component_func_type`).
    ///
    /// # Panics
    /// If the function belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> ComponentFunc {
        let opaque = &store.as_context().0.opaque;
        opaque.assert_id(self.store_id());
        // SAFETY: the function belongs to this live store; the type is owned
        // and deleted after it is read.
        unsafe {
            let raw = sys::wasmtime_component_func_type(&self.raw, opaque.context());
            let ty = ComponentFunc::from_raw(raw);
            sys::wasmtime_component_func_type_delete(raw);
            ty
        }
    }

    /// Checks the function's type against `Params` and `Return`, as
    /// `wasmtime::component::Func::typed`.
    pub fn typed<Params, Return>(&self, store: impl AsContext) -> Result<TypedFunc<Params, Return>>
    where
        Params: ComponentNamedList + Lower,
        Return: ComponentNamedList + Lift,
    {
        let opaque = &store.as_context().0.opaque;
        opaque.check_id(self.store_id())?;
        let ty = self.ty(&store);
        Params::typecheck_list(&ty.param_types().cloned().collect::<Vec<_>>()).map_err(|e| e.context("type mismatch with parameters"))?;
        Return::typecheck_list(&ty.results().collect::<Vec<_>>()).map_err(|e| e.context("type mismatch with results"))?;
        // SAFETY: the types were just checked.
        Ok(unsafe { TypedFunc::new_unchecked(*self) })
    }

    /// Calls the function (`wasmtime_component_func_call`). `params` must
    /// match the parameter types and `results` must have one slot per
    /// result; Wasmtime checks both and returns an `Err` otherwise.
    pub fn call(&self, mut store: impl AsContextMut, params: &[Val], results: &mut [Val]) -> Result<()> {
        let opaque = &store.as_context_mut().0.opaque;
        opaque.check_id(self.store_id())?;
        let args = RawVals::from_vals(params, opaque)?;
        let mut out = RawVals::placeholders(results.len());
        self.call_raw(opaque, &args.0, &mut out.0)?;
        for (slot, raw) in results.iter_mut().zip(&out.0) {
            // SAFETY: C wrote a valid result into each slot.
            *slot = unsafe { Val::from_raw(raw, self.store_id())? };
        }
        Ok(())
    }

    /// The call itself, on C values (shared with
    /// [`TypedFunc::call`](super::TypedFunc::call)): `args` stay owned by
    /// the caller, C overwrites (and frees) the `results` slots.
    pub(crate) fn call_raw(&self, opaque: &StoreOpaque, args: &[sys::wasmtime_component_val_t], results: &mut [sys::wasmtime_component_val_t]) -> Result<()> {
        opaque.assert_id(self.store_id());
        // SAFETY: the function belongs to this live store (checked); both
        // buffers hold owned, valid values.
        let error = unsafe {
            sys::wasmtime_component_func_call(&self.raw, opaque.context(), args.as_ptr(), args.len(), results.as_mut_ptr(), results.len())
        };
        // SAFETY: an owned error, if any.
        unsafe { opaque.check_call(error, std::ptr::null_mut()) }
    }

    /// Does nothing, as in `wasmtime` 48 (post-return functions run as part
    /// of [`Func::call`]).
    #[deprecated(note = "no longer has any effect")]
    pub fn post_return(&self, _store: impl AsContextMut) -> Result<()> {
        Ok(())
    }
}
