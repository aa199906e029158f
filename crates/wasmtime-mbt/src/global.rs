//! `Global`: a global variable in a store.

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::Owned;
use crate::{AsContext, AsContextMut, Error, GlobalType, Result, Val};

/// A global, as `wasmtime::Global`; a `Copy` handle into its store.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::new(&Engine::default(), ());
/// let g = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(1))?;
/// g.set(&mut store, Val::I32(2))?;
/// assert_eq!(g.get(&mut store).unwrap_i32(), 2);
/// assert!(g.set(&mut store, Val::I64(3)).is_err()); // wrong type
/// let c = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(1))?;
/// assert!(c.set(&mut store, Val::I32(2)).is_err()); // immutable
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Global(pub(crate) sys::wasmtime_global_t);

crate::store::store_handle!(Global, |h| h.0.store_id);

impl Global {
    /// A new global (`wasmtime_global_new`); a value of the wrong type is an `Err`.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, val: Val) -> Result<Global> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let raw_ty = ty.to_raw()?;
        let val = val.to_c_view(opaque)?;
        let mut raw = sys::wasmtime_global_t::default();
        // SAFETY: the context, type and value are live and of this store.
        unsafe { Error::check(sys::wasmtime_global_new(opaque.context(), raw_ty.as_ptr(), &val, &mut raw))? };
        Ok(Global(raw))
    }

    /// The global's type (`wasmtime_global_type`). Panics if the global
    /// belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let g = Global::new(&mut store, GlobalType::new(ValType::F64, Mutability::Const), Val::from(1.0f64))?;
    /// assert!(g.ty(&store).content().is_f64());
    /// assert!(g.ty(&store).mutability().is_const());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let store = store.as_context();
        store.0.opaque.assert_id(self.0.store_id);
        // SAFETY: the global belongs to this live store; the type is owned.
        unsafe {
            let raw = Owned::from_raw(sys::wasmtime_global_type(store.0.opaque.context(), &self.0)).expect("global type");
            GlobalType::from_raw(raw.as_ptr(), store.engine())
        }
    }

    /// The current value (`wasmtime_global_get`); a reference is rooted in
    /// the current scope. Panics if the global belongs to another store, as
    /// `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let g = Global::new(&mut store, GlobalType::new(ValType::I64, Mutability::Const), Val::I64(7))?;
    /// assert_eq!(g.get(&mut store).unwrap_i64(), 7);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn get(&self, mut store: impl AsContextMut) -> Val {
        let store = store.as_context_mut();
        store.0.opaque.assert_id(self.0.store_id);
        let mut out = Val::raw_slot();
        // SAFETY: the global belongs to this live store; `out` is owned.
        let val = unsafe {
            sys::wasmtime_global_get(store.0.opaque.context(), &self.0, &mut out);
            Val::from_raw_owned(&store.0.opaque, out)
        };
        val.unwrap_or_else(|e| panic!("global value cannot be represented: {e}"))
    }

    /// Sets the value (`wasmtime_global_set`); an immutable global or a
    /// wrong type is an `Err`. Panics if the global belongs to another
    /// store, as `wasmtime`.
    #[track_caller]
    pub fn set(&self, mut store: impl AsContextMut, val: Val) -> Result<()> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.assert_id(self.0.store_id);
        let raw = val.to_c_view(opaque)?;
        // SAFETY: the global and value belong to this live store.
        unsafe { Error::check(sys::wasmtime_global_set(opaque.context(), &self.0, &raw)) }
    }
}
