//! `Table`: a table of references in a store.

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::Owned;
use crate::{AsContext, AsContextMut, Error, Result, TableType, Val};

/// A table of references, as `wasmtime::Table`; a `Copy` handle into its store.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::new(&Engine::default(), ());
/// let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 2, None), Val::FuncRef(None))?;
/// let f = Func::wrap(&mut store, || 7i32);
/// table.set(&mut store, 1, f.into())?;
/// assert!(table.get(&mut store, 1)?.unwrap().funcref().unwrap().is_some());
/// assert!(table.get(&mut store, 2)?.is_none()); // out of bounds
/// assert!(table.set(&mut store, 0, Val::I32(1)).is_err()); // wrong type
/// assert_eq!(table.grow(&mut store, 3, Val::FuncRef(None))?, 2);
/// assert_eq!(table.size(&store), 5);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Table(pub(crate) sys::wasmtime_table_t);

crate::store::store_handle!(Table, |h| h.store_id());

impl Table {
    /// A new table filled with `init` (`wasmtime_table_new`).
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let raw_ty = ty.to_raw()?;
        let init = init.to_raw(opaque)?;
        let mut raw = sys::wasmtime_table_t::default();
        // SAFETY: the context, type and value are live and of this store.
        unsafe { Error::check(sys::wasmtime_table_new(opaque.context(), raw_ty.as_ptr(), &init, &mut raw))? };
        Ok(Table(raw))
    }

    pub(crate) fn store_id(&self) -> u64 {
        self.0.__bindgen_anon_1.store_id
    }

    /// The table's type (`wasmtime_table_type`). Panics if the table
    /// belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let table = Table::new(&mut store, TableType::new(RefType::EXTERNREF, 1, Some(4)), Val::null_extern_ref())?;
    /// let ty = table.ty(&store);
    /// assert_eq!((ty.element(), ty.minimum(), ty.maximum()), (&RefType::EXTERNREF, 1, Some(4)));
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let store = store.as_context();
        store.0.opaque.assert_id(self.store_id());
        // SAFETY: the table belongs to this live store; the type is owned.
        unsafe {
            let raw = Owned::from_raw(sys::wasmtime_table_type(store.0.opaque.context(), &self.0)).expect("table type");
            TableType::from_raw(raw.as_ptr())
        }
    }

    /// The element at `index`, or `None` out of bounds (`wasmtime_table_get`).
    pub fn get(&self, mut store: impl AsContextMut, index: u64) -> Result<Option<Val>> {
        let store = store.as_context_mut();
        store.0.opaque.check_id(self.store_id())?;
        let mut out = Val::raw_slot();
        // SAFETY: the table belongs to this live store; `out` is owned when found.
        unsafe {
            if sys::wasmtime_table_get(store.0.opaque.context(), &self.0, index, &mut out) {
                Val::from_raw_owned(out).map(Some)
            } else {
                Ok(None)
            }
        }
    }

    /// Sets the element at `index` (`wasmtime_table_set`); out of bounds or
    /// a wrong type is an `Err`.
    pub fn set(&self, mut store: impl AsContextMut, index: u64, val: Val) -> Result<()> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.check_id(self.store_id())?;
        let raw = val.to_raw(opaque)?;
        // SAFETY: the table and value belong to this live store.
        unsafe { Error::check(sys::wasmtime_table_set(opaque.context(), &self.0, index, &raw)) }
    }

    /// Size in elements (`wasmtime_table_size`). Panics if the table
    /// belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 3, None), Val::null_func_ref())?;
    /// assert_eq!(table.size(&store), 3);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn size(&self, store: impl AsContext) -> u64 {
        let store = store.as_context();
        store.0.opaque.assert_id(self.store_id());
        // SAFETY: the table belongs to this live store.
        unsafe { sys::wasmtime_table_size(store.0.opaque.context(), &self.0) }
    }

    /// Grows by `delta` elements filled with `init`, returning the old size
    /// (`wasmtime_table_grow`).
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.check_id(self.store_id())?;
        let init = init.to_raw(opaque)?;
        let mut prev = 0;
        // SAFETY: the table and value belong to this live store.
        unsafe { Error::check(sys::wasmtime_table_grow(opaque.context(), &self.0, delta, &init, &mut prev))? };
        Ok(prev)
    }
}
