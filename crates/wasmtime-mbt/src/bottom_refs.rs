//! The bottom reference types `NoFunc`, `NoExtern` and `NoneRef`, as
//! `wasmtime`'s: uninhabited, so the only value of their nullable
//! reference types (`nullfuncref`, `nullexternref`, `nullref`) is null.
//! They let typed functions name those types (`Option<NoFunc>`, …).

use std::convert::Infallible;
use std::ptr;

use wasmtime_mbt_sys::wasmtime_val_raw_t as ValRaw;

use crate::func::StoreRef;
use crate::{HeapType, Ref, RefType, Result, Val, ValType, WasmTy};

macro_rules! bottom_refs {
    ($($(#[$doc:meta])* $name:ident: $heap:ident, $wasm:literal, $ref_variant:ident, $val_variant:ident, $slot:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name {
            _inner: Infallible,
        }

        impl $name {
            #[doc = concat!("The null `", $wasm, "` reference.")]
            #[inline]
            pub fn null() -> Option<$name> {
                None
            }

            #[doc = concat!("The null `", $wasm, "` reference as a [`Ref`].")]
            #[inline]
            pub fn null_ref() -> Ref {
                Ref::$ref_variant(None)
            }

            #[doc = concat!("The null `", $wasm, "` reference as a [`Val`].")]
            #[inline]
            pub fn null_val() -> Val {
                Val::$val_variant(None)
            }
        }

        impl WasmTy for $name {
            fn valtype() -> ValType {
                ValType::Ref(RefType::new(false, HeapType::$heap))
            }
            fn store_raw(self, _: StoreRef<'_>) -> Result<ValRaw> {
                match self._inner {}
            }
            unsafe fn load_raw(_: StoreRef<'_>, _: &ValRaw) -> Self {
                unreachable!(concat!(stringify!($name), " is uninhabited"))
            }
            fn into_val(self, _: StoreRef<'_>) -> Val {
                match self._inner {}
            }
            fn from_val(_: StoreRef<'_>, _: &Val) -> Option<Self> {
                None
            }
        }

        impl WasmTy for Option<$name> {
            fn valtype() -> ValType {
                ValType::Ref(RefType::new(true, HeapType::$heap))
            }
            fn store_raw(self, _: StoreRef<'_>) -> Result<ValRaw> {
                Ok($slot)
            }
            unsafe fn load_raw(_: StoreRef<'_>, _: &ValRaw) -> Self {
                None
            }
            fn into_val(self, _: StoreRef<'_>) -> Val {
                $name::null_val()
            }
            /// Only a null of the same hierarchy.
            fn from_val(_: StoreRef<'_>, val: &Val) -> Option<Self> {
                matches!(val, Val::$val_variant(None)).then_some(None)
            }
        }
    )*};
}

bottom_refs! {
    /// The uninhabited type of `(ref nofunc)`, the bottom of the `func`
    /// hierarchy, as `wasmtime::NoFunc`: `Option<NoFunc>` stands for
    /// `nullfuncref`, whose only value is null.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///     (func (export "f") (param (ref null nofunc)) (result i32)
    ///         (ref.is_null (local.get 0))))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let f = instance.get_typed_func::<Option<NoFunc>, i32>(&mut store, "f")?;
    /// assert_eq!(f.call(&mut store, NoFunc::null())?, 1);
    /// assert!(matches!(NoFunc::null_ref(), Ref::Func(None)));
    /// assert!(NoFunc::null_val().funcref().unwrap().is_none());
    /// # Ok(()) }
    /// ```
    NoFunc: NoFunc, "(ref null nofunc)", Func, FuncRef, ValRaw { funcref: ptr::null_mut() };
    /// The uninhabited type of `(ref noextern)`, the bottom of the `extern`
    /// hierarchy, as `wasmtime::NoExtern`: `Option<NoExtern>` stands for
    /// `nullexternref`, whose only value is null.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///     (func (export "f") (param (ref null noextern)) (result i32)
    ///         (ref.is_null (local.get 0))))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let f = instance.get_typed_func::<Option<NoExtern>, i32>(&mut store, "f")?;
    /// assert_eq!(f.call(&mut store, NoExtern::null())?, 1);
    /// assert!(matches!(NoExtern::null_ref(), Ref::Extern(None)));
    /// # Ok(()) }
    /// ```
    NoExtern: NoExtern, "(ref null noextern)", Extern, ExternRef, ValRaw { externref: 0 };
    /// The uninhabited type of `(ref none)`, the bottom of the `any`
    /// hierarchy, as `wasmtime::NoneRef`: `Option<NoneRef>` stands for
    /// `nullref`, whose only value is null.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///     (func (export "f") (result (ref null none)) (ref.null none)))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let f = instance.get_typed_func::<(), Option<NoneRef>>(&mut store, "f")?;
    /// assert_eq!(f.call(&mut store, ())?, None);
    /// assert!(matches!(NoneRef::null_ref(), Ref::Any(None)));
    /// # Ok(()) }
    /// ```
    NoneRef: None, "(ref null none)", Any, AnyRef, ValRaw { anyref: 0 };
}
