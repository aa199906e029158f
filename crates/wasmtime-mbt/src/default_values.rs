//! `default_value` of the extern types, as `wasmtime`'s: a host item of the
//! type, filled with the zero or null value of its contents — a function
//! returning defaults, a zeroed global, a table of nulls, a zeroed memory,
//! a new tag. `Err` where a content type has no default (a non-nullable
//! reference).

use crate::{AsContextMut, Error, Extern, ExternType, Func, FuncType, Global, GlobalType, Memory, MemoryType, Result, SharedMemory, Table, TableType, Tag, TagType};

impl FuncType {
    /// A host function of this type returning the default value of each
    /// result, as `wasmtime::FuncType::default_value`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let ty = FuncType::new(store.engine(), [ValType::I32], [ValType::I64, ValType::EXTERNREF]);
    /// let f = ty.default_value(&mut store)?;
    /// let mut out = [Val::I64(1), Val::I64(1)];
    /// f.call(&mut store, &[Val::I32(3)], &mut out)?;
    /// assert_eq!(out[0].unwrap_i64(), 0);
    /// assert!(out[1].unwrap_externref().is_none());
    /// let non_null = FuncType::new(store.engine(), [], [ValType::Ref(RefType::new(false, HeapType::Extern))]);
    /// assert!(non_null.default_value(&mut store).is_err());
    /// # Ok(()) }
    /// ```
    ///
    /// (Generic over the store's data type where `wasmtime`'s takes any
    /// `impl AsContextMut`: its `AsContext::Data` is always `'static`.)
    pub fn default_value<T: 'static>(&self, mut store: impl AsContextMut<Data = T>) -> Result<Func> {
        let defaults = self
            .results()
            .map(|ty| ty.default_value().ok_or_else(|| Error::msg("function results do not have a default value")))
            .collect::<Result<Vec<_>>>()?;
        Func::try_new(&mut store, self.clone(), move |_, _, results| {
            results.clone_from_slice(&defaults);
            Ok(())
        })
    }
}

impl GlobalType {
    /// A host global of this type holding its content's default value, as
    /// `wasmtime::GlobalType::default_value`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let g = GlobalType::new(ValType::F64, Mutability::Var).default_value(&mut store)?;
    /// assert_eq!(g.get(&mut store).unwrap_f64(), 0.0);
    /// # Ok(()) }
    /// ```
    pub fn default_value(&self, store: impl AsContextMut) -> Result<Global> {
        let val = self.content().default_value().ok_or_else(|| Error::msg("global type has no default value"))?;
        Global::new(store, self.clone(), val)
    }
}

impl TableType {
    /// A host table of this type filled with null, as
    /// `wasmtime::TableType::default_value`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let t = TableType::new(RefType::FUNCREF, 3, None).default_value(&mut store)?;
    /// assert_eq!(t.size(&store), 3);
    /// assert!(t.get(&mut store, 2).unwrap().unwrap_func().is_none());
    /// # Ok(()) }
    /// ```
    pub fn default_value(&self, store: impl AsContextMut) -> Result<Table> {
        let init = crate::ValType::Ref(self.element().clone())
            .default_value()
            .ok_or_else(|| Error::msg("table element type does not have a default value"))?
            .ref_()
            .expect("a reference type's default is a reference");
        Table::new(store, self.clone(), init)
    }
}

impl MemoryType {
    /// A zeroed host memory of this type (a [`SharedMemory`] for a shared
    /// type), as `wasmtime::MemoryType::default_value`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::<()>::default();
    /// let m = MemoryType::new(1, Some(2)).default_value(&mut store)?;
    /// assert_eq!(m.into_memory().unwrap().data_size(&store), 65536);
    /// # Ok(()) }
    /// ```
    pub fn default_value(&self, mut store: impl AsContextMut) -> Result<Extern> {
        Ok(if self.is_shared() {
            let engine = store.as_context_mut().engine().clone();
            Extern::SharedMemory(SharedMemory::new(&engine, *self)?)
        } else {
            Extern::Memory(Memory::new(store, *self)?)
        })
    }
}

impl TagType {
    /// A new host tag of this type, as `wasmtime::TagType::default_value`.
    pub fn default_value(&self, store: impl AsContextMut) -> Result<Tag> {
        Tag::new(store, self)
    }
}

impl ExternType {
    /// The default host item of this type (see each type's
    /// `default_value`), as `wasmtime::ExternType::default_value`.
    pub fn default_value<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Result<Extern> {
        match self {
            ExternType::Func(ty) => ty.default_value(store).map(Extern::Func),
            ExternType::Global(ty) => ty.default_value(store).map(Extern::Global),
            ExternType::Table(ty) => ty.default_value(store).map(Extern::Table),
            ExternType::Memory(ty) => ty.default_value(store),
            ExternType::Tag(ty) => ty.default_value(store).map(Extern::Tag),
        }
    }
}
