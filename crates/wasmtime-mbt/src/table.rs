//! `Table`: a table of references in a store.

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::Owned;
use crate::store::StoreOpaque;
use crate::{AsContext, AsContextMut, Error, Ref, Result, TableType, Trap, Val, ValType};

/// A table of references, as `wasmtime::Table`; a `Copy` handle into its store.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let mut store = Store::new(&Engine::default(), ());
/// let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 2, None), Ref::Func(None))?;
/// let f = Func::wrap(&mut store, || 7i32);
/// table.set(&mut store, 1, f.into())?;
/// assert!(table.get(&mut store, 1).unwrap().unwrap_func().is_some());
/// assert!(table.get(&mut store, 2).is_none()); // out of bounds
/// assert_eq!(table.grow(&mut store, 3, Ref::Func(None))?, 2);
/// assert_eq!(table.size(&store), 5);
/// table.fill(&mut store, 2, f.into(), 3)?;
/// Table::copy(&mut store, &table, 0, &table, 3, 2)?;
/// assert!(table.get(&mut store, 0).unwrap().unwrap_func().is_some());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Table(pub(crate) sys::wasmtime_table_t);

crate::store::store_handle!(Table, |h| h.store_id());

impl Table {
    /// A new table filled with `init` (`wasmtime_table_new`).
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Ref) -> Result<Table> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let raw_ty = ty.to_raw()?;
        let init = Val::from(init).to_c_view(opaque)?;
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
    /// let table = Table::new(&mut store, TableType::new(RefType::EXTERNREF, 1, Some(4)), Ref::Extern(None))?;
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
            TableType::from_raw(raw.as_ptr(), store.engine())
        }
    }

    /// The element at `index`, or `None` out of bounds
    /// (`wasmtime_table_get`), rooted in the current scope. Panics if the
    /// table belongs to another store, as `wasmtime`.
    #[track_caller]
    pub fn get(&self, mut store: impl AsContextMut, index: u64) -> Option<Ref> {
        let store = store.as_context_mut();
        self.get_in(&store.0.opaque, index)
    }

    #[track_caller]
    fn get_in(&self, opaque: &StoreOpaque, index: u64) -> Option<Ref> {
        opaque.assert_id(self.store_id());
        let mut out = Val::raw_slot();
        // SAFETY: the table belongs to this live store; `out` is owned when found.
        let val = unsafe {
            if !sys::wasmtime_table_get(opaque.context(), &self.0, index, &mut out) {
                return None;
            }
            Val::from_raw_owned(opaque, out)
        };
        match val {
            Ok(v) => v.ref_(),
            Err(e) => panic!("table element cannot be represented: {e}"),
        }
    }

    /// Sets the element at `index` (`wasmtime_table_set`); out of bounds (an
    /// error whose root cause is [`Trap::TableOutOfBounds`], as in
    /// `wasmtime`) or a wrong type is an `Err`. Panics if the table belongs to another
    /// store, as `wasmtime`.
    #[track_caller]
    pub fn set(&self, mut store: impl AsContextMut, index: u64, val: Ref) -> Result<()> {
        let store = store.as_context_mut();
        self.set_in(&store.0.opaque, index, val)
    }

    #[track_caller]
    fn set_in(&self, opaque: &StoreOpaque, index: u64, val: Ref) -> Result<()> {
        opaque.assert_id(self.store_id());
        let raw = Val::from(val).to_c_view(opaque)?;
        // SAFETY: the table and value belong to this live store.
        let result = unsafe { Error::check(sys::wasmtime_table_set(opaque.context(), &self.0, index, &raw)) };
        result.map_err(|error| self.out_of_bounds_as_trap(opaque, index, error))
    }

    /// Wasmtime fails an out-of-bounds `set` with a bare
    /// [`Trap::TableOutOfBounds`], which the C API hands back as a message
    /// only: the error is made a trap again (a type mismatch, which Wasmtime
    /// reports first, keeps its own error).
    #[cold]
    fn out_of_bounds_as_trap(&self, opaque: &StoreOpaque, index: u64, error: Error) -> Error {
        // SAFETY: the table belongs to this live store (checked by the caller).
        let size = unsafe { sys::wasmtime_table_size(opaque.context(), &self.0) };
        if index >= size && error.to_string() == Trap::TableOutOfBounds.to_string() {
            Trap::TableOutOfBounds.into()
        } else {
            error
        }
    }

    /// Size in elements (`wasmtime_table_size`). Panics if the table
    /// belongs to another store, as `wasmtime`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 3, None), Ref::Func(None))?;
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
    /// (`wasmtime_table_grow`). Panics if the table belongs to another
    /// store, as `wasmtime`.
    #[track_caller]
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Ref) -> Result<u64> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.assert_id(self.store_id());
        let init = Val::from(init).to_c_view(opaque)?;
        let mut prev = 0;
        // SAFETY: the table and value belong to this live store.
        unsafe { Error::check(sys::wasmtime_table_grow(opaque.context(), &self.0, delta, &init, &mut prev))? };
        Ok(prev)
    }

    /// Sets `len` elements from `dst` to `val`, as `wasmtime::Table::fill`
    /// (the C API has no fill: each element is set in turn after one type
    /// and bounds check, so nothing changes on an `Err`).
    #[track_caller]
    pub fn fill(&self, mut store: impl AsContextMut, dst: u64, val: Ref, len: u64) -> Result<()> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let ty = self.ty(&store);
        if !Val::from(val.clone()).fits(&ValType::Ref(ty.element().clone())) {
            return Err(Error::msg("type mismatch: value does not match table element type"));
        }
        let end = dst.checked_add(len).ok_or(Trap::TableOutOfBounds)?;
        if end > self.size(&store) {
            return Err(Trap::TableOutOfBounds.into());
        }
        for i in dst..end {
            self.set_in(opaque, i, val.clone())?;
        }
        Ok(())
    }

    /// Copies `len` elements of `src_table` from `src_index` to `dst_table`
    /// at `dst_index`, as `wasmtime::Table::copy` (overlapping ranges
    /// included; the C API has no copy, so elements are moved one by one
    /// after the bounds and type checks). Panics if a table belongs to
    /// another store.
    #[track_caller]
    pub fn copy(mut store: impl AsContextMut, dst_table: &Table, dst_index: u64, src_table: &Table, src_index: u64, len: u64) -> Result<()> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        let src_end = src_index.checked_add(len).ok_or(Trap::TableOutOfBounds)?;
        let dst_end = dst_index.checked_add(len).ok_or(Trap::TableOutOfBounds)?;
        if src_end > src_table.size(&store) || dst_end > dst_table.size(&store) {
            return Err(Trap::TableOutOfBounds.into());
        }
        let (src_ty, dst_ty) = (src_table.ty(&store), dst_table.ty(&store));
        if !src_ty.element().matches(dst_ty.element()) {
            return Err(Error::msg(format!("type mismatch: expected {}, found {}", dst_ty.element(), src_ty.element()))
                .context("type mismatch: source table's element type does not match destination table's element type"));
        }
        let move_one = |src: u64, dst: u64| -> Result<()> {
            let val = src_table.get_in(opaque, src).ok_or(Trap::TableOutOfBounds)?;
            dst_table.set_in(opaque, dst, val)
        };
        crate::rooting::with_lifo_scope(opaque, || {
            if dst_index < src_index {
                (src_index..src_end).zip(dst_index..dst_end).try_for_each(|(s, d)| move_one(s, d))
            } else {
                (src_index..src_end).rev().zip((dst_index..dst_end).rev()).try_for_each(|(s, d)| move_one(s, d))
            }
        })
    }
}
