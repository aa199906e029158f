//! `Instance`: an instantiated module, and `InstancePre`, a module whose
//! imports a linker has already resolved.

use std::ptr;

use wasmtime_mbt_sys as sys;

use crate::owned::Owned;
use crate::store::StoreOpaque;
use crate::{AsContextMut, Error, Export, Extern, Func, Global, Memory, Module, Result, SharedMemory, StoreContextMut, Table, TypedFunc, WasmParams, WasmResults};

/// An instance of a module, as `wasmtime::Instance`; a `Copy` handle into
/// its store.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (import "" "double" (func $d (param i32) (result i32)))
///     (func (export "quadruple") (param i32) (result i32) local.get 0 call $d call $d))"#)?;
/// let mut store = Store::new(&engine, ());
/// let double = Func::wrap(&mut store, |x: i32| x * 2);
/// let instance = Instance::new(&mut store, &module, &[double.into()])?;
/// let quadruple = instance.get_typed_func::<i32, i32>(&mut store, "quadruple")?;
/// assert_eq!(quadruple.call(&mut store, 5)?, 20);
/// assert!(Instance::new(&mut store, &module, &[]).is_err()); // missing import
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct Instance(pub(crate) sys::wasmtime_instance_t);

crate::store::store_handle!(Instance, |h| h.0.store_id);

impl Instance {
    /// Instantiates `module` with `imports` in order (`wasmtime_instance_new`).
    /// Missing or mistyped imports and start-function traps are an `Err`.
    pub fn new(mut store: impl AsContextMut, module: &Module, imports: &[Extern]) -> Result<Instance> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        check_engine(opaque, module)?;
        let raw_imports = imports.iter().map(|i| i.to_raw(opaque)).collect::<Result<Vec<_>>>()?;
        let context = opaque.context();
        let mut instance = sys::wasmtime_instance_t::default();
        let mut trap = ptr::null_mut();
        // SAFETY: the module and every import belong to this live store (or
        // its engine); the import array has the length passed. A start
        // function's host calls build their own `&mut` to the store, so it
        // is reached anew afterwards (see `store_ptr.rs`).
        unsafe {
            let error =
                sys::wasmtime_instance_new(context, module.as_raw(), raw_imports.as_ptr(), raw_imports.len(), &mut instance, &mut trap);
            store.0.opaque.check_call(error, trap)?;
        }
        Ok(Instance(instance))
    }

    /// The export called `name` (`wasmtime_instance_export_get`).
    pub fn get_export(&self, mut store: impl AsContextMut, name: &str) -> Option<Extern> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        opaque.check_id(self.0.store_id).ok()?;
        let mut item = sys::wasmtime_extern_t::default();
        // SAFETY: the instance belongs to this live store; `item` is owned
        // when found.
        unsafe {
            if sys::wasmtime_instance_export_get(opaque.context(), &self.0, name.as_ptr().cast(), name.len(), &mut item) {
                Extern::from_raw_owned(item)
            } else {
                None
            }
        }
    }

    /// All exports with their names, in order (`wasmtime_instance_export_nth`),
    /// as `wasmtime::Instance::exports`. Empty for an instance of another
    /// store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (memory (export "m") 1) (func (export "f")))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let names: Vec<&str> = instance.exports(&mut store).map(|e| e.name()).collect();
    /// assert_eq!(names, ["m", "f"]);
    /// # Ok(()) }
    /// ```
    pub fn exports<'a, T: 'static>(&'a self, store: impl Into<StoreContextMut<'a, T>>) -> impl ExactSizeIterator<Item = Export<'a>> + 'a {
        let store = store.into();
        let opaque = &store.0.opaque;
        let mut out = Vec::new();
        if opaque.check_id(self.0.store_id).is_err() {
            return out.into_iter();
        }
        for index in 0.. {
            let mut name = ptr::null_mut();
            let mut len = 0;
            let mut item = sys::wasmtime_extern_t::default();
            // SAFETY: the instance belongs to this live store; `item` is
            // owned. The name lives in the instance's module, which the
            // store keeps until it is dropped: not before `'a`, for which
            // it is borrowed.
            unsafe {
                if !sys::wasmtime_instance_export_nth(opaque.context(), &self.0, index, &mut name, &mut len, &mut item) {
                    break;
                }
                let bytes: &'a [u8] = crate::owned::borrow_bytes(name.cast(), len);
                if let Some(item) = Extern::from_raw_owned(item) {
                    // Wasm validation guarantees UTF-8 names.
                    out.push(Export::new(std::str::from_utf8(bytes).unwrap_or_default(), item));
                }
            }
        }
        out.into_iter()
    }

    /// The exported function `name`, if there is one.
    pub fn get_func(&self, store: impl AsContextMut, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function `name` with a checked static signature.
    pub fn get_typed_func<Params: WasmParams, Results: WasmResults>(
        &self,
        mut store: impl AsContextMut,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>> {
        let func = self.get_func(&mut store, name).ok_or_else(|| Error::msg(format!("failed to find function export `{name}`")))?;
        func.typed(&store)
    }

    /// The exported memory `name`, if there is one.
    pub fn get_memory(&self, store: impl AsContextMut, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported table `name`, if there is one.
    pub fn get_table(&self, store: impl AsContextMut, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported shared memory `name`, if there is one, as
    /// `wasmtime::Instance::get_shared_memory`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_threads(true).shared_memory(true))?;
    /// let module = Module::new(&engine, r#"(module (memory (export "m") 1 2 shared) (memory (export "p") 1))"#);
    /// # let Ok(module) = module else { return Ok(()) };
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// assert_eq!(instance.get_shared_memory(&mut store, "m").map(|m| m.size()), Some(1));
    /// assert!(instance.get_shared_memory(&mut store, "p").is_none());
    /// # Ok(()) }
    /// ```
    pub fn get_shared_memory(&self, store: impl AsContextMut, name: &str) -> Option<SharedMemory> {
        self.get_export(store, name)?.into_shared_memory()
    }

    /// The exported global `name`, if there is one.
    pub fn get_global(&self, store: impl AsContextMut, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The exported tag `name`, if there is one.
    pub fn get_tag(&self, store: impl AsContextMut, name: &str) -> Option<crate::Tag> {
        self.get_export(store, name)?.into_tag()
    }
}

/// `Err` unless `module` was compiled by the store's engine.
pub(crate) fn check_engine(store: &StoreOpaque, module: &Module) -> Result<()> {
    if crate::Engine::same(store.engine(), module.engine()) {
        Ok(())
    } else {
        Err(Error::msg("cross-`Engine` instantiation is not currently supported"))
    }
}

/// A module with its imports resolved by a [`Linker`](crate::Linker), ready
/// to instantiate quickly in many stores, as `wasmtime::InstancePre`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let mut linker = Linker::new(&engine);
/// linker.func_wrap("env", "seven", || 7i32)?;
/// let module = Module::new(&engine, r#"(module (import "env" "seven" (func $s (result i32)))
///     (func (export "get") (result i32) call $s))"#)?;
/// let pre = linker.instantiate_pre(&module)?;
/// for _ in 0..2 {
///     let mut store = Store::new(&engine, ());
///     let instance = pre.instantiate(&mut store)?;
///     assert_eq!(instance.get_typed_func::<(), i32>(&mut store, "get")?.call(&mut store, ())?, 7);
/// }
/// # Ok(()) }
/// ```
pub struct InstancePre<T> {
    pub(crate) raw: Owned<sys::wasmtime_instance_pre_t>,
    module: Module,
    /// Whether the linker had async host functions.
    pub(crate) has_async: bool,
    /// Whether the linker had WASI defined.
    pub(crate) has_wasi: bool,
    _data: std::marker::PhantomData<fn(T)>,
}

// SAFETY: `wasmtime::InstancePre` is `Send + Sync`; the C object is only
// read after creation.
unsafe impl<T> Send for InstancePre<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for InstancePre<T> {}

impl<T> std::fmt::Debug for InstancePre<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstancePre").field("module", &self.module).finish_non_exhaustive()
    }
}

impl<T> InstancePre<T> {
    pub(crate) fn new(raw: Owned<sys::wasmtime_instance_pre_t>, module: Module, has_async: bool, has_wasi: bool) -> InstancePre<T> {
        InstancePre { raw, module, has_async, has_wasi, _data: std::marker::PhantomData }
    }

    /// The module.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// Instantiates in `store` (`wasmtime_instance_pre_instantiate`).
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>) -> Result<Instance> {
        let store = store.as_context_mut();
        let opaque = &store.0.opaque;
        check_engine(opaque, &self.module)?;
        opaque.note_linker(self.has_async, self.has_wasi);
        let context = opaque.context();
        let mut instance = sys::wasmtime_instance_t::default();
        let mut trap = ptr::null_mut();
        // SAFETY: the pre-instance is live and was made on this engine; the
        // store's data type matches the linker's closures (`T`). The store
        // is reached anew after the call (see `store_ptr.rs`).
        unsafe {
            let error = sys::wasmtime_instance_pre_instantiate(self.raw.as_ptr(), context, &mut instance, &mut trap);
            store.0.opaque.check_call(error, trap)?;
        }
        Ok(Instance(instance))
    }
}
