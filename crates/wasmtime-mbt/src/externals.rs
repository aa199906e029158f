//! `Extern`: any item an instance exports or a module imports.

use wasmtime_mbt_sys as sys;

use crate::store::StoreOpaque;
use crate::{AsContext, ExternType, Func, Global, Memory, Result, SharedMemory, Table, Tag};

/// An exported or imported item, as `wasmtime::Extern`.
#[derive(Debug, Clone)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A global.
    Global(Global),
    /// A table.
    Table(Table),
    /// A memory.
    Memory(Memory),
    /// A shared memory (`threads`).
    SharedMemory(SharedMemory),
    /// An exception tag.
    Tag(Tag),
}

macro_rules! into_accessors {
    ($($name:ident: $variant:ident => $ty:ty;)*) => {
        impl Extern {$(
            #[doc = concat!("The item if it is a `", stringify!($variant), "`.")]
            pub fn $name(self) -> Option<$ty> {
                match self {
                    Extern::$variant(x) => Some(x),
                    _ => None,
                }
            }
        )*}
    };
}

into_accessors! {
    into_func: Func => Func;
    into_global: Global => Global;
    into_table: Table => Table;
    into_memory: Memory => Memory;
    into_shared_memory: SharedMemory => SharedMemory;
    into_tag: Tag => Tag;
}

impl Extern {
    /// The item's type, as `wasmtime::Extern::ty`. Panics if the item
    /// belongs to another store than `store`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let mut store = Store::new(&Engine::default(), ());
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// assert_eq!(Extern::from(memory).ty(&store).unwrap_memory().minimum(), 1);
    /// let f = Func::wrap(&mut store, |x: i32| x);
    /// assert_eq!(Extern::from(f).ty(&store).unwrap_func().params().len(), 1);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::SharedMemory(m) => ExternType::Memory(m.ty()),
            Extern::Tag(t) => ExternType::Tag(t.ty(store)),
        }
    }

    /// Takes ownership of a C extern (only shared memories own anything);
    /// `None` for kinds this crate does not know.
    ///
    /// # Safety
    /// `raw` must be an initialised, owned `wasmtime_extern_t`.
    pub(crate) unsafe fn from_raw_owned(raw: sys::wasmtime_extern_t) -> Option<Extern> {
        // SAFETY: the union field read matches `kind`.
        unsafe {
            Some(match u32::from(raw.kind) {
                sys::WASMTIME_EXTERN_FUNC => Extern::Func(Func(raw.of.func)),
                sys::WASMTIME_EXTERN_GLOBAL => Extern::Global(Global(raw.of.global)),
                sys::WASMTIME_EXTERN_TABLE => Extern::Table(Table(raw.of.table)),
                sys::WASMTIME_EXTERN_MEMORY => Extern::Memory(Memory(raw.of.memory)),
                sys::WASMTIME_EXTERN_SHAREDMEMORY => Extern::SharedMemory(SharedMemory::from_raw_owned(raw.of.sharedmemory)),
                sys::WASMTIME_EXTERN_TAG => Extern::Tag(Tag(raw.of.tag)),
                // A kind this crate does not know; release what C gave us.
                _ => {
                    let mut raw = raw;
                    sys::wasmtime_extern_delete(&mut raw);
                    return None;
                }
            })
        }
    }

    /// Panics, with `wasmtime`'s message, unless the item belongs to
    /// `store` (shared memories belong to an engine, not a store): for
    /// `Linker::define`, which `wasmtime` makes panic (it reads the item's
    /// type), where `Instance::new` returns an `Err`.
    #[track_caller]
    pub(crate) fn assert_store(&self, store: &StoreOpaque) {
        match self {
            Extern::Func(f) => store.assert_id(f.0.store_id),
            Extern::Global(g) => store.assert_id(g.0.store_id),
            Extern::Table(t) => store.assert_id(t.store_id()),
            Extern::Memory(m) => store.assert_id(m.store_id()),
            Extern::SharedMemory(_) => {}
            Extern::Tag(t) => store.assert_id(t.store_id()),
        }
    }

    /// A borrowed C view, checked to belong to `store` (shared memories
    /// belong to an engine, not a store).
    pub(crate) fn to_raw(&self, store: &StoreOpaque) -> Result<sys::wasmtime_extern_t> {
        use sys::wasmtime_extern_union_t as U;
        let (kind, of) = match self {
            Extern::Func(f) => {
                store.check_id(f.0.store_id)?;
                (sys::WASMTIME_EXTERN_FUNC, U { func: f.0 })
            }
            Extern::Global(g) => {
                store.check_id(g.0.store_id)?;
                (sys::WASMTIME_EXTERN_GLOBAL, U { global: g.0 })
            }
            Extern::Table(t) => {
                store.check_id(t.store_id())?;
                (sys::WASMTIME_EXTERN_TABLE, U { table: t.0 })
            }
            Extern::Memory(m) => {
                store.check_id(m.store_id())?;
                (sys::WASMTIME_EXTERN_MEMORY, U { memory: m.0 })
            }
            Extern::SharedMemory(m) => (sys::WASMTIME_EXTERN_SHAREDMEMORY, U { sharedmemory: m.as_raw() }),
            Extern::Tag(t) => {
                store.check_id(t.store_id())?;
                (sys::WASMTIME_EXTERN_TAG, U { tag: t.0 })
            }
        };
        Ok(sys::wasmtime_extern_t { kind: kind as sys::wasmtime_extern_kind_t, of })
    }
}

macro_rules! from_impls {
    ($($ty:ident),*) => {$(
        impl From<$ty> for Extern {
            fn from(x: $ty) -> Extern {
                Extern::$ty(x)
            }
        }
    )*};
}

from_impls!(Func, Global, Table, Memory, SharedMemory, Tag);

/// An export of an instance, by name, as `wasmtime::Export`; see
/// [`Instance::exports`](crate::Instance::exports).
#[derive(Debug, Clone)]
pub struct Export<'instance> {
    name: &'instance str,
    definition: Extern,
}

impl<'instance> Export<'instance> {
    pub(crate) fn new(name: &'instance str, definition: Extern) -> Export<'instance> {
        Export { name, definition }
    }

    /// The export's name.
    pub fn name(&self) -> &'instance str {
        self.name
    }

    /// The export's type; panics if `store` is not the instance's.
    #[track_caller]
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        self.definition.ty(store)
    }

    /// The exported item.
    pub fn into_extern(self) -> Extern {
        self.definition
    }

    /// The item if it is a function.
    pub fn into_func(self) -> Option<Func> {
        self.definition.into_func()
    }

    /// The item if it is a table.
    pub fn into_table(self) -> Option<Table> {
        self.definition.into_table()
    }

    /// The item if it is a memory.
    pub fn into_memory(self) -> Option<Memory> {
        self.definition.into_memory()
    }

    /// The item if it is a shared memory.
    pub fn into_shared_memory(self) -> Option<SharedMemory> {
        self.definition.into_shared_memory()
    }

    /// The item if it is a global.
    pub fn into_global(self) -> Option<Global> {
        self.definition.into_global()
    }

    /// The item if it is a tag.
    pub fn into_tag(self) -> Option<Tag> {
        self.definition.into_tag()
    }
}
