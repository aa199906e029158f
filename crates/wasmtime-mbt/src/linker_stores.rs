//! Which store each store-bound definition of a [`Linker`](crate::Linker)
//! belongs to, so that instantiating into another store fails in Rust, as
//! in `wasmtime`, instead of reaching C (issue 15 #4).
//!
//! `wasmtime::Linker::instantiate` sizes every imported memory and table
//! definition with the target store, which panics ("object used with the
//! wrong store") for an item of another store; behind the C API that panic
//! aborts the process. A function or global of another store is an `Err`
//! ("cross-`Store` instantiation is not currently supported"). Both are
//! reproduced here before the C call, after the imports are known to
//! resolve (a missing import is reported first, as in `wasmtime`).

use std::collections::HashMap;

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::Owned;
use crate::store::StoreOpaque;
use crate::{Error, Extern, ExternType, Module, Result};

/// A definition bound to a store: its store id, and whether `wasmtime`
/// sizes it at instantiation (memories and tables).
#[derive(Clone, Copy, Debug)]
struct Bound {
    store_id: u64,
    sized: bool,
}

/// The store-bound definitions of one linker, by `(module, name)`.
#[derive(Clone, Debug, Default)]
pub(crate) struct DefinedStores {
    items: HashMap<(String, String), Bound>,
}

impl DefinedStores {
    /// Records that `module`/`name` is now `item` (of `store`).
    pub(crate) fn define(&mut self, module: &str, name: &str, item: &Extern, store: &StoreOpaque) {
        let key = (module.to_string(), name.to_string());
        let sized = match item {
            Extern::Memory(_) | Extern::Table(_) => true,
            Extern::Func(_) | Extern::Global(_) => false,
            // Shared memories belong to the engine.
            _ => {
                self.items.remove(&key);
                return;
            }
        };
        self.items.insert(key, Bound { store_id: store.id(), sized });
    }

    /// Records the exports of an instance (or module) of `store` defined
    /// under `module`; `only_funcs` for a WASI command, whose other exports
    /// are not defined.
    pub(crate) fn define_exports<'a>(
        &mut self,
        module: &str,
        exports: impl IntoIterator<Item = (&'a str, ExternType)>,
        only_funcs: bool,
        store: &StoreOpaque,
    ) {
        for (name, ty) in exports {
            let sized = match ty {
                ExternType::Func(_) => false,
                _ if only_funcs => continue,
                ExternType::Global(_) => false,
                ExternType::Memory(ref m) if m.is_shared() => continue,
                ExternType::Memory(_) | ExternType::Table(_) => true,
                #[allow(unreachable_patterns)]
                _ => continue,
            };
            self.items.insert((module.to_string(), name.to_string()), Bound { store_id: store.id(), sized });
        }
    }

    /// Records that `module`/`name` is now a host function (of no store).
    pub(crate) fn define_host(&mut self, module: &str, name: &str) {
        if !self.items.is_empty() {
            self.items.remove(&(module.to_string(), name.to_string()));
        }
    }

    /// Forgets every definition under `module` (WASI, traps for unknown imports, …
    /// replace some of them with host functions).
    pub(crate) fn forget_module(&mut self, module: &str) {
        self.items.retain(|(m, _), _| m != module);
    }

    /// What `wasmtime` does before instantiating `module` into `store`
    /// with this linker's definitions: panics for a memory or table of
    /// another store, `Err` for a function or global of another store.
    #[track_caller]
    pub(crate) fn check(&self, linker: *mut sys::wasmtime_linker_t, module: &Module, store: &StoreOpaque) -> Result<()> {
        if self.items.is_empty() {
            return Ok(());
        }
        let id = store.id();
        let mut sized = false;
        let mut foreign = false;
        for import in module.imports() {
            if let Some(bound) = self.items.get(&(import.module().to_string(), import.name().to_string())) {
                if bound.store_id != id {
                    foreign = true;
                    sized |= bound.sized;
                }
            }
        }
        if !foreign {
            return Ok(());
        }
        // `wasmtime` looks every import up by name (a missing one is an
        // `Err`), then sizes the memories and tables with the store (the
        // panic), and only then checks the imports' types (an `Err`). The
        // imports are resolved here without a store, which cannot panic:
        // that checks names and types at once, so for a memory or table of
        // another store only an unknown import may stay an `Err` (fuzzing
        // finding 8: a mistyped import came back as an `Err` here where
        // `wasmtime` panics).
        let mut pre = std::ptr::null_mut();
        // SAFETY: the linker and module are live; `pre` is owned on success.
        match unsafe { Error::check(sys::wasmtime_linker_instantiate_pre(linker, module.as_raw(), &mut pre)) } {
            // SAFETY: owned, from the successful call.
            Ok(()) => drop(unsafe { Owned::from_raw(pre) }),
            Err(e) if !sized || is_unknown_import(&e) => return Err(e),
            Err(_) => {}
        }
        if sized {
            crate::store::wrong_store_panic()
        }
        Err(Error::msg("cross-`Store` instantiation is not currently supported"))
    }
}

/// Whether `e` is `wasmtime`'s `UnknownImportError` ("unknown import:
/// `module::name` has not been defined"), which the C API passes on as its
/// message only.
fn is_unknown_import(e: &Error) -> bool {
    format!("{e:?}").contains("unknown import: `")
}
