//! `Linker` and `LinkerInstance`: host definitions for component imports.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use wasmtime_mbt_sys as sys;

use super::typed::{ComponentNamedList, Lift, Lower};
use super::types::{ComponentFunc, ResourceType};
use super::values::RawVals;
use super::{Component, Instance, Val};
use crate::error::ErrorExt as _;
use crate::func::{drop_box, raw_slice};
use crate::owned::Owned;
use crate::store::{host_failure_error, StoreInner, StoreOpaque};
use crate::{bail, AsContextMut, Engine, Error, Module, Result, StoreContextMut};

/// A type check of a typed host function, run against the component's
/// import type when a component is instantiated.
type Check = Arc<dyn Fn(&ComponentFunc) -> Result<()> + Send + Sync>;

/// Host definitions for a component's imports, as
/// `wasmtime::component::Linker<T>`.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::component::*;
/// use wasmtime_mbt::{Engine, Store};
/// let engine = Engine::default();
/// let component = Component::new(&engine, r#"(component
///     (import "host" (instance $host (export "double" (func (param "x" u32) (result u32)))))
///     (core func $double (canon lower (func $host "double")))
///     (core module $m
///         (import "" "double" (func $double (param i32) (result i32)))
///         (func (export "run") (param i32) (result i32)
///             (i32.add (call $double (local.get 0)) (i32.const 1))))
///     (core instance $i (instantiate $m (with "" (instance (export "double" (func $double))))))
///     (func (export "run") (param "x" u32) (result u32) (canon lift (core func $i "run"))))"#)?;
/// let mut linker = Linker::<u32>::new(&engine);
/// linker.instance("host")?.func_wrap("double", |mut cx, (x,): (u32,)| {
///     *cx.data_mut() += 1;
///     Ok((x * 2,))
/// })?;
/// let mut store = Store::new(&engine, 0);
/// let instance = linker.instantiate(&mut store, &component)?;
/// let run = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "run")?;
/// assert_eq!(run.call(&mut store, (20,))?, (41,));
/// assert_eq!(*store.data(), 1);
/// // A linker without the import cannot instantiate the component.
/// assert!(Linker::<u32>::new(&engine).instantiate(&mut store, &component).is_err());
/// # Ok(()) }
/// ```
pub struct Linker<T: 'static> {
    raw: Owned<sys::wasmtime_component_linker_t>,
    engine: Engine,
    checks: Vec<(Vec<String>, Check)>,
    pub(crate) has_wasi: bool,
    _data: PhantomData<fn(T)>,
}

// SAFETY: `wasmtime::component::Linker` is `Send + Sync` when its host
// functions are; ours are all `Send + Sync` (required by `func_*`).
unsafe impl<T> Send for Linker<T> {}
// SAFETY: as above; `&Linker` only allows C calls that read the linker.
unsafe impl<T> Sync for Linker<T> {}

impl<T> std::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linker").field("raw", &self.raw).finish_non_exhaustive()
    }
}

impl<T: 'static> Linker<T> {
    /// An empty linker (`wasmtime_component_linker_new`).
    pub fn new(engine: &Engine) -> Linker<T> {
        // SAFETY: the engine is live; the linker is owned.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_component_linker_new(engine.as_raw())) }.expect("linker");
        Linker { raw, engine: engine.clone(), checks: Vec::new(), has_wasi: false, _data: PhantomData }
    }

    /// The linker's engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn as_raw(&mut self) -> *mut sys::wasmtime_component_linker_t {
        self.raw.as_ptr()
    }

    /// Whether later definitions may replace earlier ones of the same name
    /// (default `false`: a duplicate is an `Err`).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        // SAFETY: the linker is live.
        unsafe { sys::wasmtime_component_linker_allow_shadowing(self.raw.as_ptr(), allow) };
        self
    }

    /// The root namespace, where top-level imports are defined.
    pub fn root(&mut self) -> LinkerInstance<'_, T> {
        // SAFETY: the linker is live and mutably borrowed for as long as the
        // returned instance lives, as C requires.
        let raw = unsafe { Owned::from_raw(sys::wasmtime_component_linker_root(self.raw.as_ptr())) }.expect("linker root");
        LinkerInstance { raw, parents: Vec::new(), path: Vec::new(), checks: &mut self.checks, _data: PhantomData }
    }

    /// The instance `name` in the root namespace (made if missing).
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        self.root().into_instance(name)
    }

    /// Defines every import of `component` that this linker does not as a
    /// function that traps when called.
    pub fn define_unknown_imports_as_traps(&mut self, component: &Component) -> Result<()> {
        // SAFETY: the linker and component are live.
        unsafe { Error::check(sys::wasmtime_component_linker_define_unknown_imports_as_traps(self.raw.as_ptr(), component.as_raw())) }
    }

    /// Instantiates `component` in `store` with this linker's definitions
    /// (`wasmtime_component_linker_instantiate`).
    pub fn instantiate(&self, mut store: impl AsContextMut<Data = T>, component: &Component) -> Result<Instance> {
        let opaque = &store.as_context_mut().0.opaque;
        if !Engine::same(opaque.engine(), component.engine()) || !Engine::same(&self.engine, component.engine()) {
            bail!("cross-`Engine` instantiation is not currently supported");
        }
        self.check_component(component)?;
        opaque.note_linker(false, self.has_wasi);
        let mut out = sys::wasmtime_component_instance_t::default();
        // SAFETY: the linker, store and component are live.
        let error = unsafe { sys::wasmtime_component_linker_instantiate(self.raw.as_ptr(), opaque.context(), component.as_raw(), &mut out) };
        // SAFETY: an owned error, if any.
        unsafe { opaque.check_call(error, ptr::null_mut())? };
        Ok(Instance::from_raw(out))
    }

    /// What must hold before C sees `component`: no value types the C API
    /// cannot convert, and typed host functions matching their imports.
    fn check_component(&self, component: &Component) -> Result<()> {
        let ty = component.component_type();
        let imports = ty.import_funcs();
        if imports.iter().map(|(_, f)| f).chain(&ty.export_funcs()).any(ComponentFunc::has_async_values) {
            bail!("component functions with future, stream, error-context or fixed-length list values are not supported by the C API");
        }
        for (path, check) in &self.checks {
            if let Some((_, func)) = imports.iter().find(|(p, _)| p == path) {
                check(func).map_err(|e| e.context(format!("failed to convert function `{}` to given type", path.join("/"))))?;
            }
        }
        Ok(())
    }
}

/// A namespace of a [`Linker`] (the root, or a nested instance), as
/// `wasmtime::component::LinkerInstance`. Borrows the linker mutably.
pub struct LinkerInstance<'a, T: 'static> {
    // Field order is drop order: this instance before its root.
    raw: Owned<sys::wasmtime_component_linker_instance_t>,
    /// The instances this one was made from and owns, innermost first (a
    /// `Vec` drops in order: each before its parent).
    parents: Vec<Owned<sys::wasmtime_component_linker_instance_t>>,
    path: Vec<String>,
    checks: &'a mut Vec<(Vec<String>, Check)>,
    _data: PhantomData<fn(T)>,
}

impl<T> std::fmt::Debug for LinkerInstance<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkerInstance").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The C environment of a host function: the closure.
struct HostFunc<F>(F);

/// What the host trampoline calls: a `func_new` closure (which gets the
/// function's type) or a `func_wrap` one (which does not, so the type is
/// not read from C on each call).
trait HostCall<T>: Send + Sync + 'static {
    /// # Safety
    /// `ty` must be the live C type of the function being called.
    unsafe fn call(&self, cx: StoreContextMut<'_, T>, ty: *const sys::wasmtime_component_func_type_t, args: &[Val], results: &mut [Val]) -> Result<()>;
}

impl<T, F> HostCall<T> for HostFunc<F>
where
    F: Fn(StoreContextMut<'_, T>, ComponentFunc, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
{
    unsafe fn call(&self, cx: StoreContextMut<'_, T>, ty: *const sys::wasmtime_component_func_type_t, args: &[Val], results: &mut [Val]) -> Result<()> {
        // SAFETY: forwarded.
        (self.0)(cx, unsafe { ComponentFunc::from_raw(ty) }, args, results)
    }
}

/// The C environment of a `func_wrap` host function.
struct TypedHostFunc<F>(F);

impl<T, F> HostCall<T> for TypedHostFunc<F>
where
    F: Fn(StoreContextMut<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
{
    unsafe fn call(&self, cx: StoreContextMut<'_, T>, _: *const sys::wasmtime_component_func_type_t, args: &[Val], results: &mut [Val]) -> Result<()> {
        (self.0)(cx, args, results)
    }
}

/// The C environment of a resource destructor.
struct Dtor<F>(F);

impl<'a, T: 'static> LinkerInstance<'a, T> {
    fn add_instance(&mut self, name: &str) -> Result<Owned<sys::wasmtime_component_linker_instance_t>> {
        let mut out = ptr::null_mut();
        // SAFETY: the instance is live; the name is passed with its length;
        // the new instance is owned and borrows `self` (kept borrowed by the
        // callers for as long as it lives).
        unsafe { Error::check(sys::wasmtime_component_linker_instance_add_instance(self.raw.as_ptr(), name.as_ptr().cast(), name.len(), &mut out))? };
        // SAFETY: owned on success.
        Ok(unsafe { Owned::from_raw(out) }.expect("linker instance"))
    }

    /// The nested instance `name` (made if missing).
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        let raw = self.add_instance(name)?;
        let mut path = self.path.clone();
        path.push(name.to_string());
        Ok(LinkerInstance { raw, parents: Vec::new(), path, checks: self.checks, _data: PhantomData })
    }

    /// Turns this namespace into its nested instance `name` (made if
    /// missing), as `wasmtime`'s `LinkerInstance::into_instance`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::component::Linker;
    /// let mut linker = Linker::<()>::new(&wasmtime_mbt::Engine::default());
    /// let mut inner = linker.root().into_instance("a")?.into_instance("b")?;
    /// inner.func_wrap("f", |_, (): ()| Ok(()))?;
    /// # Ok(()) }
    /// ```
    pub fn into_instance(mut self, name: &str) -> Result<LinkerInstance<'a, T>> {
        let raw = self.add_instance(name)?;
        let LinkerInstance { raw: parent, mut parents, mut path, checks, .. } = self;
        parents.insert(0, parent);
        path.push(name.to_string());
        Ok(LinkerInstance { raw, parents, path, checks, _data: PhantomData })
    }

    /// Defines a core module `name` (`wasmtime_component_linker_instance_add_module`).
    pub fn module(&mut self, name: &str, module: &Module) -> Result<()> {
        // SAFETY: the instance and module are live; the name has its length.
        unsafe { Error::check(sys::wasmtime_component_linker_instance_add_module(self.raw.as_ptr(), name.as_ptr().cast(), name.len(), module.as_raw())) }
    }

    /// Defines a host function `name` with dynamically typed values. `func`
    /// gets the import's type, the arguments, and one result slot per
    /// result to fill. An `Err` or a panic becomes a trap in the guest, and
    /// the call into the guest returns that error.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::component::*;
    /// use wasmtime_mbt::{Engine, Store};
    /// let engine = Engine::default();
    /// let component = Component::new(&engine, r#"(component
    ///     (import "check" (func $check (param "x" u32) (result u32)))
    ///     (core func $c (canon lower (func $check)))
    ///     (core module $m (import "" "check" (func $c (param i32) (result i32)))
    ///         (func (export "run") (param i32) (result i32) (call $c (local.get 0))))
    ///     (core instance $i (instantiate $m (with "" (instance (export "check" (func $c))))))
    ///     (func (export "run") (param "x" u32) (result u32) (canon lift (core func $i "run"))))"#)?;
    /// let mut linker = Linker::<()>::new(&engine);
    /// linker.root().func_new("check", |_, ty, args, results| {
    ///     assert_eq!(ty.params().len(), 1);
    ///     match args[0] {
    ///         Val::U32(0) => wasmtime_mbt::bail!("zero is not allowed"),
    ///         Val::U32(x) => results[0] = Val::U32(x + 1),
    ///         _ => unreachable!(),
    ///     }
    ///     Ok(())
    /// })?;
    /// let mut store = Store::new(&engine, ());
    /// let run = linker.instantiate(&mut store, &component)?.get_typed_func::<(u32,), (u32,)>(&mut store, "run")?;
    /// assert_eq!(run.call(&mut store, (1,))?, (2,));
    /// let err = run.call(&mut store, (0,)).unwrap_err();
    /// // The host's error, with the wasm backtrace as context.
    /// assert_eq!(err.root_cause().to_string(), "zero is not allowed");
    /// # Ok(()) }
    /// ```
    pub fn func_new(
        &mut self,
        name: &str,
        func: impl Fn(StoreContextMut<'_, T>, ComponentFunc, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        self.add_func(name, HostFunc(func))
    }

    fn add_func<H: HostCall<T>>(&mut self, name: &str, func: H) -> Result<()> {
        let env = Box::into_raw(Box::new(func));
        // SAFETY: the instance is live; C owns `env` from here and frees it
        // with `drop_box` (also on error).
        unsafe {
            Error::check(sys::wasmtime_component_linker_instance_add_func(
                self.raw.as_ptr(),
                name.as_ptr().cast(),
                name.len(),
                Some(host_trampoline::<T, H>),
                env.cast(),
                Some(drop_box::<H>),
            ))
        }
    }

    /// Defines a host function `name` with Rust-typed parameters and
    /// results (tuples, as in `wasmtime`). Its type is checked against the
    /// component's import when a component is instantiated.
    pub fn func_wrap<F, Params, Return>(&mut self, name: &str, func: F) -> Result<()>
    where
        F: Fn(StoreContextMut<'_, T>, Params) -> Result<Return> + Send + Sync + 'static,
        Params: ComponentNamedList + Lift + 'static,
        Return: ComponentNamedList + Lower + 'static,
    {
        self.add_func(
            name,
            TypedHostFunc(move |cx: StoreContextMut<'_, T>, args: &[Val], results: &mut [Val]| {
                let opaque: *const StoreOpaque = &cx.0.opaque;
                // SAFETY: the store outlives this call; `cx` is only moved
                // into `func`, and the pointer is used after it returned.
                let params = Params::from_vals(args.to_vec(), unsafe { &*opaque })?;
                let ret = func(cx, params)?;
                let vals = ret.to_vals(unsafe { &*opaque })?;
                if vals.len() != results.len() {
                    bail!("expected {} results, found {}", results.len(), vals.len());
                }
                for (slot, v) in results.iter_mut().zip(vals) {
                    *slot = v;
                }
                Ok(())
            }),
        )?;
        let mut path = self.path.clone();
        path.push(name.to_string());
        let check: Check = Arc::new(|ty: &ComponentFunc| {
            Params::typecheck_list(&ty.param_types().cloned().collect::<Vec<_>>()).map_err(|e| e.context("type mismatch with parameters"))?;
            Return::typecheck_list(&ty.results().collect::<Vec<_>>()).map_err(|e| e.context("type mismatch with results"))
        });
        self.checks.retain(|(p, _)| *p != path);
        self.checks.push((path, check));
        Ok(())
    }

    /// Defines a resource type `name` whose owned handles the guest drops
    /// by calling `dtor` with their `rep` (exactly once per handle).
    pub fn resource(
        &mut self,
        name: &str,
        ty: ResourceType,
        dtor: impl Fn(StoreContextMut<'_, T>, u32) -> Result<()> + Send + Sync + 'static,
    ) -> Result<()> {
        let env = Box::into_raw(Box::new(Dtor(dtor)));
        // SAFETY: the instance and type are live; C owns `env` from here.
        unsafe { self.add_resource(name, &ty, env) }
    }

    /// # Safety
    /// `env` must come from `Box::into_raw`.
    unsafe fn add_resource<F>(&mut self, name: &str, ty: &ResourceType, env: *mut Dtor<F>) -> Result<()>
    where
        F: Fn(StoreContextMut<'_, T>, u32) -> Result<()> + Send + Sync + 'static,
    {
        // SAFETY: forwarded; C frees `env` with `drop_box`.
        unsafe {
            Error::check(sys::wasmtime_component_linker_instance_add_resource(
                self.raw.as_ptr(),
                name.as_ptr().cast(),
                name.len(),
                ty.raw(),
                Some(dtor_trampoline::<T, F>),
                env.cast(),
                Some(drop_box::<Dtor<F>>),
            ))
        }
    }
}

/// Runs host code for the store behind `context`; an `Err` or a panic
/// becomes an owned C error, and the error itself is kept in the store so
/// the call that led here returns it (a panic's payload is resumed there,
/// as in `wasmtime`).
fn run_host(context: *mut sys::wasmtime_context_t, body: impl FnOnce() -> Result<()>) -> *mut sys::wasmtime_error_t {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => ptr::null_mut(),
        Ok(Err(error)) => host_failure_error(context, error),
        Err(panic) => crate::store::host_panic_error(context, panic, "host function panicked"),
    }
}

/// The `wasmtime_component_func_callback_t` of host functions.
unsafe extern "C" fn host_trampoline<T, H: HostCall<T>>(
    env: *mut c_void,
    context: *mut sys::wasmtime_context_t,
    ty: *const sys::wasmtime_component_func_type_t,
    args: *mut sys::wasmtime_component_val_t,
    nargs: usize,
    results: *mut sys::wasmtime_component_val_t,
    nresults: usize,
) -> *mut sys::wasmtime_error_t {
    run_host(context, || {
        // SAFETY: `env` is the `H` box of this function; `ty` and the
        // argument buffer are live for this call; `context` is a live
        // `Store<T>` (this linker only instantiates into those).
        let f = unsafe { &*env.cast::<H>() };
        let store_id = unsafe { StoreOpaque::from_context(context) }.id();
        let params = unsafe { raw_slice(args, nargs) }.iter().map(|v| unsafe { Val::from_raw(v, store_id) }).collect::<Result<Vec<_>>>()?;
        let mut out = vec![Val::Bool(false); nresults];
        unsafe { f.call(StoreContextMut(StoreInner::<T>::ptr_from_context(context)), ty, &params, &mut out)? };
        // SAFETY: the context is live; the closure's borrow has ended.
        let raw = RawVals::from_vals(&out, unsafe { StoreOpaque::from_context(context) })?;
        for (i, v) in raw.into_inner().into_iter().enumerate() {
            // SAFETY: `i < nresults`; the slot holds C's placeholder (a
            // `bool`, nothing to free) and C takes ownership of the value.
            unsafe { results.add(i).write(v) };
        }
        Ok(())
    })
}

/// The `wasmtime_component_resource_destructor_t` of host resources.
unsafe extern "C" fn dtor_trampoline<T, F>(env: *mut c_void, context: *mut sys::wasmtime_context_t, rep: u32) -> *mut sys::wasmtime_error_t
where
    F: Fn(StoreContextMut<'_, T>, u32) -> Result<()>,
{
    run_host(context, || {
        // SAFETY: `env` is the `Dtor<F>` box; `context` is a live `Store<T>`.
        let Dtor(f) = unsafe { &*env.cast::<Dtor<F>>() };
        f(StoreContextMut(unsafe { StoreInner::<T>::ptr_from_context(context) }), rep)
    })
}
