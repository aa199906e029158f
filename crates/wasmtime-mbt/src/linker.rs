//! `Linker`: resolves imports by name, as `wasmtime::Linker`.

use std::marker::PhantomData;
use std::ptr;

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::func::{drop_box, dynamic_trampoline, typed_trampoline};
use crate::instance::check_engine;
use crate::owned::Owned;
use crate::{AsContextMut, Caller, Engine, Error, Extern, ExternType, Func, FuncType, ImportType, Instance, InstancePre, IntoFunc, Module, Result, Val};

/// The shape shared by `wasmtime_linker_define_func`, `…_func_unchecked`
/// and `…_async_func`; `C` is the callback type.
pub(crate) type DefineFn<C> = unsafe extern "C" fn(
    *mut sys::wasmtime_linker_t,
    *const std::os::raw::c_char,
    usize,
    *const std::os::raw::c_char,
    usize,
    *const sys::wasm_functype_t,
    C,
    *mut std::ffi::c_void,
    Option<unsafe extern "C" fn(*mut std::ffi::c_void)>,
) -> *mut sys::wasmtime_error_t;

/// Defines items by `module`/`name` and instantiates modules against them,
/// as `wasmtime::Linker<T>`. Host functions defined here receive a
/// [`Caller<'_, T>`] and work in every `Store<T>` on the linker's engine.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let mut linker = Linker::<u32>::new(&engine);
/// linker.func_wrap("host", "count", |mut caller: Caller<'_, u32>| *caller.data_mut() += 1)?;
/// let module = Module::new(&engine, r#"(module (import "host" "count" (func $c))
///     (func (export "run") call $c call $c))"#)?;
/// let mut store = Store::new(&engine, 0);
/// let instance = linker.instantiate(&mut store, &module)?;
/// instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ())?;
/// assert_eq!(*store.data(), 2);
/// # Ok(()) }
/// ```
pub struct Linker<T> {
    pub(crate) raw: Owned<sys::wasmtime_linker_t>,
    engine: Engine,
    /// Whether an async host function was defined (`func_new_async`).
    pub(crate) has_async: bool,
    /// Whether WASI was defined (`define_wasi`).
    pub(crate) has_wasi: bool,
    /// The store of each store-bound definition (issue 15 #4).
    pub(crate) stores: crate::linker_stores::DefinedStores,
    _data: PhantomData<fn(T)>,
}

// SAFETY: `wasmtime::Linker` is `Send + Sync` when its host functions are;
// ours are all `Send + Sync` (required by `func_wrap`/`func_new`).
unsafe impl<T> Send for Linker<T> {}
// SAFETY: as above; `&Linker` only allows C calls that read the linker.
unsafe impl<T> Sync for Linker<T> {}

impl<T> std::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linker").field("raw", &self.raw).finish_non_exhaustive()
    }
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Linker<T> {
        // SAFETY: the linker is live; the clone is owned.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_linker_clone(self.raw.as_ptr())) }.expect("linker clone");
        Linker { raw, engine: self.engine.clone(), has_async: self.has_async, has_wasi: self.has_wasi, stores: self.stores.clone(), _data: PhantomData }
    }
}

impl<T: 'static> Linker<T> {
    /// An empty linker (`wasmtime_linker_new`).
    pub fn new(engine: &Engine) -> Linker<T> {
        // SAFETY: the engine is live; the linker is owned.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_linker_new(engine.as_raw())) }.expect("linker");
        Linker { raw, engine: engine.clone(), has_async: false, has_wasi: false, stores: Default::default(), _data: PhantomData }
    }

    /// The linker's engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// `Err` unless `engine` is this linker's engine (Wasmtime asserts it,
    /// which would abort the process).
    pub(crate) fn check_engine(&self, engine: &Engine) -> Result<()> {
        if Engine::same(&self.engine, engine) {
            Ok(())
        } else {
            Err(Error::msg("cannot use a store or module of a different engine than the linker's"))
        }
    }

    pub(crate) fn as_raw(&self) -> *mut sys::wasmtime_linker_t {
        self.raw.as_ptr()
    }

    /// Whether later definitions may replace earlier ones of the same name
    /// (`wasmtime_linker_allow_shadowing`); off by default.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        // SAFETY: the linker is live.
        unsafe { sys::wasmtime_linker_allow_shadowing(self.raw.as_ptr(), allow) };
        self
    }

    /// Defines `module`/`name` as `item` (`wasmtime_linker_define`).
    /// Panics if the item belongs to another store, as `wasmtime`.
    #[track_caller]
    pub fn define(&mut self, store: impl crate::AsContext<Data = T>, module: &str, name: &str, item: impl Into<Extern>) -> Result<&mut Self> {
        let store = store.as_context();
        self.check_engine(store.0.opaque.engine())?;
        let item = item.into();
        // As `wasmtime`: an item of another store panics (before any C call).
        item.assert_store(&store.0.opaque);
        let raw = item.to_raw(&store.0.opaque)?;
        // SAFETY: the linker, store and item are live; names are passed with lengths.
        unsafe {
            Error::check(sys::wasmtime_linker_define(
                self.raw.as_ptr(),
                store.0.opaque.context(),
                module.as_ptr().cast(),
                module.len(),
                name.as_ptr().cast(),
                name.len(),
                &raw,
            ))?
        };
        self.stores.define(module, name, &item, &store.0.opaque);
        Ok(self)
    }

    /// Defines a host function from a typed closure
    /// (`wasmtime_linker_define_func_unchecked`); see [`Func::wrap`].
    pub fn func_wrap<Params, Results>(&mut self, module: &str, name: &str, f: impl IntoFunc<T, Params, Results>) -> Result<&mut Self> {
        self.func_wrap_inner(module, name, f)
    }

    fn func_wrap_inner<Params, Results, F: IntoFunc<T, Params, Results>>(&mut self, module: &str, name: &str, f: F) -> Result<&mut Self> {
        let ty = F::func_type(&self.engine).to_raw()?;
        // SAFETY: the trampoline's type parameters match the boxed `F`.
        unsafe {
            self.define_host_func(
                module,
                name,
                &ty,
                sys::wasmtime_linker_define_func_unchecked,
                Some(typed_trampoline::<T, Params, Results, F>),
                Box::new(f),
            )
        }
    }

    /// Defines a host function through one of the C API's
    /// `wasmtime_linker_define_*func*` functions, which all take the same
    /// arguments but for the kind of callback. C owns `env` from here on and
    /// frees it with `drop_box::<E>` (also when the definition fails).
    ///
    /// # Safety
    /// `callback` must expect exactly `E` as its environment.
    pub(crate) unsafe fn define_host_func<C, E>(
        &mut self,
        module: &str,
        name: &str,
        ty: &Owned<sys::wasm_functype_t>,
        define: DefineFn<C>,
        callback: C,
        env: Box<E>,
    ) -> Result<&mut Self> {
        let env = Box::into_raw(env);
        // SAFETY: the linker and type are live; names are passed with their
        // lengths; `callback` matches `env`, per the caller.
        unsafe {
            Error::check(define(
                self.raw.as_ptr(),
                module.as_ptr().cast(),
                module.len(),
                name.as_ptr().cast(),
                name.len(),
                ty.as_ptr(),
                callback,
                env.cast(),
                Some(drop_box::<E>),
            ))?
        };
        self.stores.define_host(module, name);
        Ok(self)
    }

    /// Defines a host function with a dynamic signature
    /// (`wasmtime_linker_define_func`); see [`Func::new`].
    pub fn func_new<F>(&mut self, module: &str, name: &str, ty: FuncType, f: F) -> Result<&mut Self>
    where
        F: Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    {
        assert!(Engine::same(ty.engine(), &self.engine), "assertion failed: ty.comes_from_same_engine(self.engine())");
        let raw_ty = ty.to_raw()?;
        // SAFETY: the trampoline's type parameters match the boxed pair.
        unsafe { self.define_host_func(module, name, &raw_ty, sys::wasmtime_linker_define_func, Some(dynamic_trampoline::<T, F>), Box::new((ty, f))) }
    }

    /// Defines every export of `instance` under the module name `name`
    /// (`wasmtime_linker_define_instance`).
    pub fn instance(&mut self, mut store: impl AsContextMut<Data = T>, name: &str, instance: Instance) -> Result<&mut Self> {
        let mut store = store.as_context_mut();
        self.check_engine(store.0.opaque.engine())?;
        store.0.opaque.check_id(instance.0.store_id)?;
        // SAFETY: the linker, store and instance are live and match.
        unsafe {
            Error::check(sys::wasmtime_linker_define_instance(
                self.raw.as_ptr(),
                store.0.opaque.context(),
                name.as_ptr().cast(),
                name.len(),
                &instance.0,
            ))?
        };
        let exports: Vec<(String, Extern)> = instance.exports(&mut store).map(|e| (e.name().to_string(), e.into_extern())).collect();
        for (export, item) in exports {
            self.stores.define(name, &export, &item, &store.0.opaque);
        }
        Ok(self)
    }

    /// Instantiates `module` under the name `name`, handling WASI commands
    /// and reactors (`wasmtime_linker_module`).
    pub fn module(&mut self, mut store: impl AsContextMut<Data = T>, name: &str, module: &Module) -> Result<&mut Self> {
        let store = store.as_context_mut();
        self.check_engine(store.0.opaque.engine())?;
        check_engine(&store.0.opaque, module)?;
        self.stores.check(self.raw.as_ptr(), module, &store.0.opaque)?;
        store.0.opaque.note_linker(self.has_async, self.has_wasi);
        // SAFETY: the linker, store and module are live and on one engine;
        // start functions may run host code, hence `check_call`.
        unsafe {
            let error = sys::wasmtime_linker_module(
                self.raw.as_ptr(),
                store.0.opaque.context(),
                name.as_ptr().cast(),
                name.len(),
                module.as_raw(),
            );
            store.0.opaque.check_call(error, ptr::null_mut())?
        };
        // A command's functions are defined (as functions of `store`), a
        // reactor's instance with all its exports.
        let command = module.get_export("_start").is_some();
        self.stores.define_exports(name, module.exports().map(|e| (e.name(), e.ty())), command, &store.0.opaque);
        Ok(self)
    }

    /// Defines every unresolved function import of `module` as a function
    /// that traps (`wasmtime_linker_define_unknown_imports_as_traps`).
    pub fn define_unknown_imports_as_traps(&mut self, module: &Module) -> Result<()> {
        self.check_engine(module.engine())?;
        // SAFETY: the linker and module are live.
        unsafe { Error::check(sys::wasmtime_linker_define_unknown_imports_as_traps(self.raw.as_ptr(), module.as_raw())) }
    }

    /// Defines every unresolved import of `module` as a default value
    /// (`wasmtime_linker_define_unknown_imports_as_default_values`), as
    /// `wasmtime::Linker::define_unknown_imports_as_default_values`:
    /// functions return zeros (or null references), globals, memories and
    /// tables are new, zero-filled, items in `store`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (import "env" "f" (func $f (result i32)))
    ///     (func (export "run") (result i32) call $f))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let mut linker = Linker::new(&engine);
    /// linker.define_unknown_imports_as_default_values(&mut store, &module)?;
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// assert_eq!(instance.get_typed_func::<(), i32>(&mut store, "run")?.call(&mut store, ())?, 0);
    /// # Ok(()) }
    /// ```
    pub fn define_unknown_imports_as_default_values(&mut self, mut store: impl AsContextMut<Data = T>, module: &Module) -> Result<()> {
        let store = store.as_context_mut();
        self.check_engine(store.0.opaque.engine())?;
        self.check_engine(module.engine())?;
        // SAFETY: the linker, store and module are live and on one engine.
        unsafe {
            Error::check(sys::wasmtime_linker_define_unknown_imports_as_default_values(
                self.raw.as_ptr(),
                store.0.opaque.context(),
                module.as_raw(),
            ))
        }
    }

    /// Instantiates `module` with imports from this linker
    /// (`wasmtime_linker_instantiate`). A missing import is an `Err` naming it.
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>, module: &Module) -> Result<Instance> {
        let store = store.as_context_mut();
        self.check_engine(store.0.opaque.engine())?;
        check_engine(&store.0.opaque, module)?;
        self.stores.check(self.raw.as_ptr(), module, &store.0.opaque)?;
        store.0.opaque.note_linker(self.has_async, self.has_wasi);
        let mut instance = sys::wasmtime_instance_t::default();
        let mut trap = ptr::null_mut();
        // SAFETY: the linker, store and module are live and on one engine;
        // the store's data type is `T`, as every closure here expects.
        unsafe {
            let error = sys::wasmtime_linker_instantiate(self.raw.as_ptr(), store.0.opaque.context(), module.as_raw(), &mut instance, &mut trap);
            store.0.opaque.check_call(error, trap).map_err(|e| UnknownImportError::recognise(e, module))?;
        }
        Ok(Instance(instance))
    }

    /// Resolves `module`'s imports now (`wasmtime_linker_instantiate_pre`).
    pub fn instantiate_pre(&self, module: &Module) -> Result<InstancePre<T>> {
        self.check_engine(module.engine())?;
        let mut ret = ptr::null_mut();
        // SAFETY: the linker and module are live; `ret` is owned on success.
        unsafe {
            Error::check(sys::wasmtime_linker_instantiate_pre(self.raw.as_ptr(), module.as_raw(), &mut ret))
                .map_err(|e| UnknownImportError::recognise(e, module))?;
            Ok(InstancePre::new(Owned::from_raw(ret).expect("instance pre"), module.clone(), self.has_async, self.has_wasi))
        }
    }

    /// The item defined as `module`/`name` (`wasmtime_linker_get`), as
    /// `wasmtime::Linker::get`: an `Err` when there is none.
    pub fn get(&self, mut store: impl AsContextMut<Data = T>, module: &str, name: &str) -> Result<Extern> {
        let store = store.as_context_mut();
        self.check_engine(store.0.opaque.engine())?;
        store.0.opaque.note_linker(self.has_async, self.has_wasi);
        let mut item = sys::wasmtime_extern_t::default();
        // SAFETY: the linker and store are live; `item` is owned when found.
        let found = unsafe {
            sys::wasmtime_linker_get(
                self.raw.as_ptr(),
                store.0.opaque.context(),
                module.as_ptr().cast(),
                module.len(),
                name.as_ptr().cast(),
                name.len(),
                &mut item,
            )
            .then(|| Extern::from_raw_owned(item))
            .flatten()
        };
        found.ok_or_else(|| Error::msg(format!("missing definition for `{module}::{name}`")))
    }

    /// The item defined for `import`, as `wasmtime::Linker::get_by_import`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let mut linker = Linker::new(&engine);
    /// linker.func_wrap("env", "one", || 1i32)?;
    /// let module = Module::new(&engine, r#"(module (import "env" "one" (func (result i32))) (import "env" "two" (func)))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let found: Vec<bool> = module.imports().map(|i| linker.get_by_import(&mut store, &i).is_some()).collect();
    /// assert_eq!(found, [true, false]);
    /// # Ok(()) }
    /// ```
    pub fn get_by_import(&self, store: impl AsContextMut<Data = T>, import: &ImportType) -> Option<Extern> {
        self.get(store, import.module(), import.name()).ok()
    }

    /// [`Linker::get_by_import`], returning a `Result` as
    /// `wasmtime::Linker::try_get_by_import` (whose only error is running
    /// out of memory, which aborts here as everywhere in Rust).
    pub fn try_get_by_import(&self, store: impl AsContextMut<Data = T>, import: &ImportType) -> Result<Option<Extern>> {
        Ok(self.get_by_import(store, import))
    }

    /// The default export (`""` or `_start`) of the module defined as `name`
    /// (`wasmtime_linker_get_default`).
    pub fn get_default(&self, mut store: impl AsContextMut<Data = T>, name: &str) -> Result<Func> {
        let store = store.as_context_mut();
        self.check_engine(store.0.opaque.engine())?;
        store.0.opaque.note_linker(self.has_async, self.has_wasi);
        let mut func = sys::wasmtime_func_t::default();
        // SAFETY: the linker and store are live.
        unsafe {
            Error::check(sys::wasmtime_linker_get_default(
                self.raw.as_ptr(),
                store.0.opaque.context(),
                name.as_ptr().cast(),
                name.len(),
                &mut func,
            ))?
        };
        Ok(Func(func))
    }
}

/// An import no definition was found for, as `wasmtime::UnknownImportError`:
/// the error of [`Linker::instantiate`] and [`Linker::instantiate_pre`] for
/// it, recovered with `err.downcast_ref::<UnknownImportError>()`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (import "env" "gone" (func)))"#)?;
/// let err = Linker::<()>::new(&engine).instantiate_pre(&module).unwrap_err();
/// let unknown = err.downcast_ref::<UnknownImportError>().unwrap();
/// assert_eq!((unknown.module(), unknown.name()), ("env", "gone"));
/// assert!(unknown.ty().func().is_some());
/// assert_eq!(err.to_string(), "unknown import: `env::gone` has not been defined");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct UnknownImportError {
    module: String,
    name: String,
    ty: ExternType,
}

impl UnknownImportError {
    /// `error` as an `UnknownImportError` when it is Wasmtime's for one of
    /// `module`'s imports (C reports it as a message only), else `error`.
    fn recognise(error: Error, module: &Module) -> Error {
        let message = error.to_string();
        let Some(rest) = message.strip_prefix("unknown import: `").and_then(|m| m.strip_suffix("` has not been defined")) else {
            return error;
        };
        match module.imports().find(|i| rest == format!("{}::{}", i.module(), i.name())) {
            Some(import) => Error::new(UnknownImportError { module: import.module().to_string(), name: import.name().to_string(), ty: import.ty() }),
            None => error,
        }
    }

    /// The module name of the import.
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The field name of the import.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The type of the import.
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

impl std::fmt::Display for UnknownImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown import: `{}::{}` has not been defined", self.module, self.name)
    }
}

impl std::error::Error for UnknownImportError {}
