//! Statically typed component calls: [`TypedFunc<Params, Return>`] and the
//! sealed conversion traits [`ComponentType`], [`Lower`], [`Lift`] and
//! [`ComponentNamedList`], shaped like `wasmtime::component`'s.
//!
//! A typed call converts its parameters and results straight to and from
//! the C API's `wasmtime_component_val_t`, in buffers on the stack:
//! scalars, strings and lists of them skip [`Val`]; other values go
//! through it, as dynamic calls do. The type is checked once, when the
//! typed function is made.

use std::marker::PhantomData;

use wasmtime_mbt_sys as sys;

use super::resources::{Resource, ResourceAny, ResourceDynamic};
use super::types::Type;
use super::values::{raw_list, raw_string, read_raw_list, read_raw_string, RawArray, RawVals};
use super::{Func, Val};
use crate::store::StoreOpaque;
use crate::{bail, AsContextMut, Error, Result};


mod sealed {
    /// The seal of the conversion traits (named by the derive macros).
    pub trait Sealed {}
}
use sealed::Sealed;

/// A Rust type with a component model type, as
/// `wasmtime::component::ComponentType`. Sealed: implemented for the
/// integers, floats, `bool`, `char`, strings, slices/`Vec`s, `Option`,
/// `Result`, tuples and resources.
///
/// # Safety
/// Sealed; never implemented outside this crate.
pub unsafe trait ComponentType: Sealed {
    #[doc(hidden)]
    fn typecheck(ty: &Type) -> Result<()>;

    /// The check of an optional payload (`result`/`variant` cases): only
    /// `()` accepts "no payload".
    #[doc(hidden)]
    fn typecheck_payload(ty: Option<&Type>) -> Result<()> {
        match ty {
            Some(ty) => Self::typecheck(ty),
            None => bail!("expected a payload, found none"),
        }
    }
}

/// A value the host can pass to a component, as
/// `wasmtime::component::Lower`. Sealed.
///
/// # Safety
/// Sealed; never implemented outside this crate.
pub unsafe trait Lower: ComponentType {
    #[doc(hidden)]
    fn to_val(&self, store: &StoreOpaque) -> Result<Val>;

    #[doc(hidden)]
    fn to_payload(&self, store: &StoreOpaque) -> Result<Option<Box<Val>>> {
        Ok(Some(Box::new(self.to_val(store)?)))
    }

    /// The values of a parameter/result list (a tuple's elements).
    #[doc(hidden)]
    fn to_vals(&self, store: &StoreOpaque) -> Result<Vec<Val>> {
        Ok(vec![self.to_val(store)?])
    }

    /// The owned C value (by default through [`Val`]).
    #[doc(hidden)]
    fn lower_raw(&self, store: &StoreOpaque) -> Result<sys::wasmtime_component_val_t> {
        let val = self.to_val(store)?;
        val.check(store)?;
        Ok(val.to_raw(store))
    }

    /// Appends the C values of a parameter list (a tuple's elements).
    #[doc(hidden)]
    fn lower_list(&self, store: &StoreOpaque, out: &mut RawArray) -> Result<()> {
        out.push(self.lower_raw(store)?);
        Ok(())
    }
}

/// A value the host can receive from a component, as
/// `wasmtime::component::Lift`. Sealed.
///
/// # Safety
/// Sealed; never implemented outside this crate.
pub unsafe trait Lift: ComponentType + Sized {
    #[doc(hidden)]
    fn from_val(val: Val, store: &StoreOpaque) -> Result<Self>;

    #[doc(hidden)]
    fn from_payload(val: Option<Box<Val>>, store: &StoreOpaque) -> Result<Self> {
        match val {
            Some(v) => Self::from_val(*v, store),
            None => bail!("expected a payload, found none"),
        }
    }

    /// A parameter/result list (a tuple's elements) back.
    #[doc(hidden)]
    fn from_vals(vals: Vec<Val>, store: &StoreOpaque) -> Result<Self> {
        let mut vals = vals.into_iter();
        match (vals.next(), vals.next()) {
            (Some(v), None) => Self::from_val(v, store),
            _ => bail!("expected one value"),
        }
    }

    /// The value of a C value (borrowed; by default through [`Val`]).
    ///
    /// # Safety
    /// `raw` must be a valid value produced for `store`.
    #[doc(hidden)]
    unsafe fn lift_raw(raw: &sys::wasmtime_component_val_t, store: &StoreOpaque) -> Result<Self> {
        // SAFETY: forwarded.
        unsafe { lift_via_val(raw, store) }
    }

    /// A result list (a tuple's elements) from C values.
    ///
    /// # Safety
    /// As for [`Lift::lift_raw`], for each value.
    #[doc(hidden)]
    unsafe fn lift_list(raws: &[sys::wasmtime_component_val_t], store: &StoreOpaque) -> Result<Self> {
        match raws {
            // SAFETY: forwarded.
            [raw] => unsafe { Self::lift_raw(raw, store) },
            _ => bail!("expected one value"),
        }
    }
}

/// A tuple standing for a parameter or result list, as
/// `wasmtime::component::ComponentNamedList`. Sealed.
///
/// # Safety
/// Sealed; never implemented outside this crate.
pub unsafe trait ComponentNamedList: ComponentType {
    #[doc(hidden)]
    fn typecheck_list(types: &[Type]) -> Result<()>;
    #[doc(hidden)]
    fn len() -> usize;
}

fn mismatch(expected: &str, found: &Type) -> Error {
    Error::msg(format!("type mismatch: expected `{expected}`, found `{}`", found.desc()))
}

/// [`Lift::lift_raw`] through [`Val`]: the default, and the fallback of the
/// direct conversions for a value of another kind (whose error it gives).
///
/// # Safety
/// As for [`Lift::lift_raw`].
unsafe fn lift_via_val<T: Lift>(raw: &sys::wasmtime_component_val_t, store: &StoreOpaque) -> Result<T> {
    // SAFETY: forwarded.
    T::from_val(unsafe { Val::from_raw(raw, store.id())? }, store)
}

fn wrong_val(expected: &str, found: &Val) -> Error {
    Error::msg(format!("type mismatch: expected a `{expected}` value, found `{}`", found.desc()))
}

macro_rules! primitives {
    ($($t:ty => $variant:ident $name:literal, $kind:ident . $field:ident, $to_c:expr, $from_c:expr;)*) => {$(
        impl Sealed for $t {}
        // SAFETY: sealed.
        unsafe impl ComponentType for $t {
            fn typecheck(ty: &Type) -> Result<()> {
                match ty {
                    Type::$variant => Ok(()),
                    other => Err(mismatch($name, other)),
                }
            }
        }
        // SAFETY: sealed.
        unsafe impl Lower for $t {
            fn to_val(&self, _: &StoreOpaque) -> Result<Val> {
                Ok(Val::$variant(*self))
            }

            fn lower_raw(&self, _: &StoreOpaque) -> Result<sys::wasmtime_component_val_t> {
                let of = sys::wasmtime_component_valunion_t { $field: $to_c(*self) };
                Ok(sys::wasmtime_component_val_t { kind: sys::$kind as u8, of })
            }
        }
        // SAFETY: sealed.
        unsafe impl Lift for $t {
            fn from_val(val: Val, _: &StoreOpaque) -> Result<Self> {
                match val {
                    Val::$variant(x) => Ok(x),
                    other => Err(wrong_val($name, &other)),
                }
            }

            unsafe fn lift_raw(raw: &sys::wasmtime_component_val_t, store: &StoreOpaque) -> Result<Self> {
                if u32::from(raw.kind) == sys::$kind {
                    // SAFETY: `kind` says this member is live.
                    if let Some(x) = $from_c(unsafe { raw.of.$field }) {
                        return Ok(x);
                    }
                }
                // Another kind, or no `char`: the `Val` path's error.
                // SAFETY: forwarded.
                unsafe { lift_via_val(raw, store) }
            }
        }
    )*};
}

primitives! {
    bool => Bool "bool", WASMTIME_COMPONENT_BOOL.boolean, same, Some;
    i8 => S8 "s8", WASMTIME_COMPONENT_S8.s8, same, Some;
    u8 => U8 "u8", WASMTIME_COMPONENT_U8.u8_, same, Some;
    i16 => S16 "s16", WASMTIME_COMPONENT_S16.s16, same, Some;
    u16 => U16 "u16", WASMTIME_COMPONENT_U16.u16_, same, Some;
    i32 => S32 "s32", WASMTIME_COMPONENT_S32.s32, same, Some;
    u32 => U32 "u32", WASMTIME_COMPONENT_U32.u32_, same, Some;
    i64 => S64 "s64", WASMTIME_COMPONENT_S64.s64, same, Some;
    u64 => U64 "u64", WASMTIME_COMPONENT_U64.u64_, same, Some;
    f32 => Float32 "f32", WASMTIME_COMPONENT_F32.f32_, same, Some;
    f64 => Float64 "f64", WASMTIME_COMPONENT_F64.f64_, same, Some;
    // A Rust `char` is always a Unicode scalar value, which C requires.
    char => Char "char", WASMTIME_COMPONENT_CHAR.character, u32::from, char::from_u32;
}

/// The identity, for the `primitives!` conversions.
fn same<T>(x: T) -> T {
    x
}

impl Sealed for str {}
// SAFETY: sealed.
unsafe impl ComponentType for str {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::String => Ok(()),
            other => Err(mismatch("string", other)),
        }
    }
}
// SAFETY: sealed.
unsafe impl Lower for str {
    fn to_val(&self, _: &StoreOpaque) -> Result<Val> {
        Ok(Val::String(self.to_string()))
    }

    fn lower_raw(&self, _: &StoreOpaque) -> Result<sys::wasmtime_component_val_t> {
        Ok(raw_string(self))
    }
}

impl Sealed for String {}
// SAFETY: sealed.
unsafe impl ComponentType for String {
    fn typecheck(ty: &Type) -> Result<()> {
        str::typecheck(ty)
    }
}
// SAFETY: sealed.
unsafe impl Lower for String {
    fn to_val(&self, _: &StoreOpaque) -> Result<Val> {
        Ok(Val::String(self.clone()))
    }

    fn lower_raw(&self, _: &StoreOpaque) -> Result<sys::wasmtime_component_val_t> {
        Ok(raw_string(self))
    }
}
// SAFETY: sealed.
unsafe impl Lift for String {
    fn from_val(val: Val, _: &StoreOpaque) -> Result<Self> {
        match val {
            Val::String(s) => Ok(s),
            other => Err(wrong_val("string", &other)),
        }
    }

    unsafe fn lift_raw(raw: &sys::wasmtime_component_val_t, store: &StoreOpaque) -> Result<Self> {
        // SAFETY: forwarded.
        match unsafe { read_raw_string(raw) } {
            Some(s) => s,
            // SAFETY: forwarded.
            None => unsafe { lift_via_val(raw, store) },
        }
    }
}

impl<T: ComponentType + ?Sized> Sealed for &T {}
// SAFETY: sealed.
unsafe impl<T: ComponentType + ?Sized> ComponentType for &T {
    fn typecheck(ty: &Type) -> Result<()> {
        T::typecheck(ty)
    }
}
// SAFETY: sealed.
unsafe impl<T: Lower + ?Sized> Lower for &T {
    fn to_val(&self, store: &StoreOpaque) -> Result<Val> {
        (**self).to_val(store)
    }

    fn lower_raw(&self, store: &StoreOpaque) -> Result<sys::wasmtime_component_val_t> {
        (**self).lower_raw(store)
    }
}

impl<T: ComponentType> Sealed for [T] {}
// SAFETY: sealed.
unsafe impl<T: ComponentType> ComponentType for [T] {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::List(list) => T::typecheck(&list.ty()),
            other => Err(mismatch("list", other)),
        }
    }
}
// SAFETY: sealed.
unsafe impl<T: Lower> Lower for [T] {
    fn to_val(&self, store: &StoreOpaque) -> Result<Val> {
        Ok(Val::List(self.iter().map(|v| v.to_val(store)).collect::<Result<_>>()?))
    }

    fn lower_raw(&self, store: &StoreOpaque) -> Result<sys::wasmtime_component_val_t> {
        // Owned as they are made: an `Err` part-way frees the ones before.
        let mut items = RawVals(Vec::with_capacity(self.len()));
        for v in self {
            items.0.push(v.lower_raw(store)?);
        }
        Ok(raw_list(items))
    }
}

impl<T: ComponentType> Sealed for Vec<T> {}
// SAFETY: sealed.
unsafe impl<T: ComponentType> ComponentType for Vec<T> {
    fn typecheck(ty: &Type) -> Result<()> {
        <[T]>::typecheck(ty)
    }
}
// SAFETY: sealed.
unsafe impl<T: Lower> Lower for Vec<T> {
    fn to_val(&self, store: &StoreOpaque) -> Result<Val> {
        self.as_slice().to_val(store)
    }

    fn lower_raw(&self, store: &StoreOpaque) -> Result<sys::wasmtime_component_val_t> {
        self.as_slice().lower_raw(store)
    }
}
// SAFETY: sealed.
unsafe impl<T: Lift> Lift for Vec<T> {
    fn from_val(val: Val, store: &StoreOpaque) -> Result<Self> {
        match val {
            Val::List(items) => items.into_iter().map(|v| T::from_val(v, store)).collect(),
            other => Err(wrong_val("list", &other)),
        }
    }

    unsafe fn lift_raw(raw: &sys::wasmtime_component_val_t, store: &StoreOpaque) -> Result<Self> {
        // SAFETY (both): forwarded; the elements are valid values too.
        match unsafe { read_raw_list(raw) } {
            Some(items) => items.iter().map(|v| unsafe { T::lift_raw(v, store) }).collect(),
            None => unsafe { lift_via_val(raw, store) },
        }
    }
}

impl<T: ComponentType> Sealed for Option<T> {}
// SAFETY: sealed.
unsafe impl<T: ComponentType> ComponentType for Option<T> {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::Option(o) => T::typecheck(&o.ty()),
            other => Err(mismatch("option", other)),
        }
    }
}
// SAFETY: sealed.
unsafe impl<T: Lower> Lower for Option<T> {
    fn to_val(&self, store: &StoreOpaque) -> Result<Val> {
        Ok(Val::Option(self.as_ref().map(|v| v.to_val(store).map(Box::new)).transpose()?))
    }
}
// SAFETY: sealed.
unsafe impl<T: Lift> Lift for Option<T> {
    fn from_val(val: Val, store: &StoreOpaque) -> Result<Self> {
        match val {
            Val::Option(v) => v.map(|v| T::from_val(*v, store)).transpose(),
            other => Err(wrong_val("option", &other)),
        }
    }
}

impl<T: ComponentType, E: ComponentType> Sealed for Result<T, E> {}
// SAFETY: sealed.
unsafe impl<T: ComponentType, E: ComponentType> ComponentType for Result<T, E> {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::Result(r) => {
                T::typecheck_payload(r.ok().as_ref())?;
                E::typecheck_payload(r.err().as_ref())
            }
            other => Err(mismatch("result", other)),
        }
    }
}
// SAFETY: sealed.
unsafe impl<T: Lower, E: Lower> Lower for Result<T, E> {
    fn to_val(&self, store: &StoreOpaque) -> Result<Val> {
        Ok(Val::Result(match self {
            Ok(v) => Ok(v.to_payload(store)?),
            Err(e) => Err(e.to_payload(store)?),
        }))
    }
}
// SAFETY: sealed.
unsafe impl<T: Lift, E: Lift> Lift for Result<T, E> {
    fn from_val(val: Val, store: &StoreOpaque) -> Result<Self> {
        match val {
            Val::Result(Ok(v)) => Ok(Ok(T::from_payload(v, store)?)),
            Val::Result(Err(e)) => Ok(Err(E::from_payload(e, store)?)),
            other => Err(wrong_val("result", &other)),
        }
    }
}

impl<T: 'static> Sealed for Resource<T> {}
// SAFETY: sealed.
unsafe impl<T: 'static> ComponentType for Resource<T> {
    /// Any `own` or `borrow`: an import's resource type is still abstract
    /// before instantiation (the C API gives no substituted type), so the
    /// resource type itself is checked when a value is converted.
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::Own(_) | Type::Borrow(_) => Ok(()),
            other => Err(mismatch("own or borrow", other)),
        }
    }
}
// SAFETY: sealed.
unsafe impl<T: 'static> Lower for Resource<T> {
    fn to_val(&self, store: &StoreOpaque) -> Result<Val> {
        let copy = if self.owned() { Resource::<T>::new_own(self.rep()) } else { Resource::<T>::new_borrow(self.rep()) };
        Ok(Val::Resource(copy.into_any(store)?))
    }
}
// SAFETY: sealed.
unsafe impl<T: 'static> Lift for Resource<T> {
    fn from_val(val: Val, store: &StoreOpaque) -> Result<Self> {
        match val {
            Val::Resource(r) => r.to_host::<T>(store),
            other => Err(wrong_val("resource", &other)),
        }
    }
}

impl Sealed for ResourceDynamic {}
// SAFETY: sealed.
unsafe impl ComponentType for ResourceDynamic {
    fn typecheck(ty: &Type) -> Result<()> {
        ResourceAny::typecheck(ty)
    }
}
// SAFETY: sealed.
unsafe impl Lower for ResourceDynamic {
    fn to_val(&self, store: &StoreOpaque) -> Result<Val> {
        let copy = if self.owned() { ResourceDynamic::new_own(self.rep(), self.ty()) } else { ResourceDynamic::new_borrow(self.rep(), self.ty()) };
        Ok(Val::Resource(copy.into_any(store)?))
    }
}
// SAFETY: sealed.
unsafe impl Lift for ResourceDynamic {
    fn from_val(val: Val, store: &StoreOpaque) -> Result<Self> {
        match val {
            Val::Resource(r) => ResourceDynamic::from_any(&r, store),
            other => Err(wrong_val("resource", &other)),
        }
    }
}

impl Sealed for ResourceAny {}
// SAFETY: sealed.
unsafe impl ComponentType for ResourceAny {
    fn typecheck(ty: &Type) -> Result<()> {
        match ty {
            Type::Own(_) | Type::Borrow(_) => Ok(()),
            other => Err(mismatch("own or borrow", other)),
        }
    }
}
// SAFETY: sealed.
unsafe impl Lower for ResourceAny {
    fn to_val(&self, _: &StoreOpaque) -> Result<Val> {
        Ok(Val::Resource(self.clone()))
    }
}
// SAFETY: sealed.
unsafe impl Lift for ResourceAny {
    fn from_val(val: Val, _: &StoreOpaque) -> Result<Self> {
        match val {
            Val::Resource(r) => Ok(r),
            other => Err(wrong_val("resource", &other)),
        }
    }
}

macro_rules! tuples {
    ($(($($t:ident $i:tt),*);)*) => {$(
        impl<$($t: ComponentType),*> Sealed for ($($t,)*) {}
        // SAFETY: sealed.
        unsafe impl<$($t: ComponentType),*> ComponentType for ($($t,)*) {
            fn typecheck(ty: &Type) -> Result<()> {
                match ty {
                    Type::Tuple(t) => Self::typecheck_list(&t.types().collect::<Vec<_>>()),
                    other => Err(mismatch("tuple", other)),
                }
            }

            #[allow(unused_variables)]
            fn typecheck_payload(ty: Option<&Type>) -> Result<()> {
                match ty {
                    // `()` stands for "no payload" too.
                    None if Self::len() == 0 => Ok(()),
                    None => bail!("expected a payload, found none"),
                    Some(ty) => Self::typecheck(ty),
                }
            }
        }
        // SAFETY: sealed.
        unsafe impl<$($t: ComponentType),*> ComponentNamedList for ($($t,)*) {
            #[allow(unused_variables)]
            fn typecheck_list(types: &[Type]) -> Result<()> {
                if types.len() != Self::len() {
                    bail!("expected {} types, found {}", Self::len(), types.len());
                }
                $($t::typecheck(&types[$i])?;)*
                Ok(())
            }

            fn len() -> usize {
                <[&str]>::len(&[$(stringify!($t)),*])
            }
        }
        // SAFETY: sealed.
        unsafe impl<$($t: Lower),*> Lower for ($($t,)*) {
            #[allow(unused_variables)]
            fn to_val(&self, store: &StoreOpaque) -> Result<Val> {
                Ok(Val::Tuple(self.to_vals(store)?))
            }

            fn to_payload(&self, store: &StoreOpaque) -> Result<Option<Box<Val>>> {
                if Self::len() == 0 { Ok(None) } else { Ok(Some(Box::new(self.to_val(store)?))) }
            }

            #[allow(unused_variables)]
            fn to_vals(&self, store: &StoreOpaque) -> Result<Vec<Val>> {
                Ok(vec![$(self.$i.to_val(store)?),*])
            }

            #[allow(unused_variables)]
            fn lower_list(&self, store: &StoreOpaque, out: &mut RawArray) -> Result<()> {
                $(out.push(self.$i.lower_raw(store)?);)*
                Ok(())
            }
        }
        // SAFETY: sealed.
        unsafe impl<$($t: Lift),*> Lift for ($($t,)*) {
            fn from_val(val: Val, store: &StoreOpaque) -> Result<Self> {
                match val {
                    Val::Tuple(items) => Self::from_vals(items, store),
                    other => Err(wrong_val("tuple", &other)),
                }
            }

            fn from_payload(val: Option<Box<Val>>, store: &StoreOpaque) -> Result<Self> {
                match val {
                    None => Self::from_vals(Vec::new(), store),
                    Some(v) => Self::from_val(*v, store),
                }
            }

            #[allow(unused_variables, unused_mut)]
            fn from_vals(vals: Vec<Val>, store: &StoreOpaque) -> Result<Self> {
                if vals.len() != <Self as ComponentNamedList>::len() {
                    bail!("expected {} values, found {}", <Self as ComponentNamedList>::len(), vals.len());
                }
                let mut vals = vals.into_iter();
                Ok(($($t::from_val(vals.next().expect(stringify!($i)), store)?,)*))
            }

            #[allow(unused_variables)]
            unsafe fn lift_list(raws: &[sys::wasmtime_component_val_t], store: &StoreOpaque) -> Result<Self> {
                if raws.len() != <Self as ComponentNamedList>::len() {
                    bail!("expected {} values, found {}", <Self as ComponentNamedList>::len(), raws.len());
                }
                // SAFETY: forwarded, for each value.
                Ok(($(unsafe { $t::lift_raw(&raws[$i], store)? },)*))
            }
        }
    )*};
}

tuples! {
    ();
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
    (A 0, B 1, C 2, D 3, E 4);
    (A 0, B 1, C 2, D 3, E 4, F 5);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
}

/// A component function with statically known parameter and result types,
/// as `wasmtime::component::TypedFunc<Params, Return>`. Parameters and
/// results are converted straight to and from C values in stack buffers;
/// the type is checked once, when the typed function is made.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::component::*;
/// use wasmtime_mbt::{Engine, Store};
/// let engine = Engine::default();
/// let component = Component::new(&engine, r#"(component
///     (core module $m (func (export "add") (param i32 i32) (result i32)
///         (i32.add (local.get 0) (local.get 1))))
///     (core instance $i (instantiate $m))
///     (func (export "add") (param "a" u32) (param "b" u32) (result u32)
///         (canon lift (core func $i "add"))))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
/// let add = instance.get_typed_func::<(u32, u32), (u32,)>(&mut store, "add")?;
/// assert_eq!(add.call(&mut store, (2, 3))?, (5,));
/// // Checked once, against the function's type.
/// assert!(instance.get_typed_func::<(u32,), (u32,)>(&mut store, "add").is_err());
/// assert!(instance.get_typed_func::<(i32, u32), (u32,)>(&mut store, "add").is_err());
/// # Ok(()) }
/// ```
pub struct TypedFunc<Params, Return> {
    func: Func,
    _types: PhantomData<fn(Params) -> Return>,
}

impl<Params, Return> Clone for TypedFunc<Params, Return> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Params, Return> Copy for TypedFunc<Params, Return> {}

impl<Params, Return> std::fmt::Debug for TypedFunc<Params, Return> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc").field("func", &self.func).finish()
    }
}

impl<Params, Return> TypedFunc<Params, Return>
where
    Params: ComponentNamedList + Lower,
    Return: ComponentNamedList + Lift,
{
    /// A typed view of `func` without checking its type.
    ///
    /// # Safety
    /// As in `wasmtime`, the types must match the function's; here a
    /// mismatch is an `Err` from [`TypedFunc::call`], never undefined
    /// behaviour.
    pub unsafe fn new_unchecked(func: Func) -> TypedFunc<Params, Return> {
        TypedFunc { func, _types: PhantomData }
    }

    /// The untyped function.
    pub fn func(&self) -> &Func {
        &self.func
    }

    /// Calls the function with `params`.
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Return> {
        let cx = store.as_context_mut();
        // Before converting: a `Resource<T>` parameter becomes a handle in
        // the store it is converted for.
        let opaque = &cx.0.opaque;
        opaque.check_id(self.func.store_id())?;
        let mut args = RawArray::new();
        params.lower_list(opaque, &mut args)?;
        let mut results = RawArray::placeholders(<Return as ComponentNamedList>::len());
        self.func.call_raw(opaque, args.as_slice(), results.as_mut_slice())?;
        // SAFETY: C wrote a valid result for this store into each slot.
        unsafe { Return::lift_list(results.as_slice(), opaque) }
    }

    /// Does nothing, as in `wasmtime` 48.
    #[deprecated(note = "no longer has any effect")]
    pub fn post_return(&self, _store: impl AsContextMut) -> Result<()> {
        Ok(())
    }
}

/// What the derive macros' generated code names; not a public API.
#[doc(hidden)]
pub mod __internal {
    pub use super::sealed::Sealed;
    pub use super::{ComponentType, Lift, Lower};
    pub use crate::component::types::Type;
    pub use crate::component::Val;
    pub use crate::store::StoreOpaque;
    pub use crate::Result;
    use crate::{bail, Error};

    /// A check of one field or payload type.
    pub type Check = fn(&Type) -> Result<()>;

    /// Checks a record type's field names and types, in order.
    pub fn typecheck_record(ty: &Type, fields: &[(&str, Check)]) -> Result<()> {
        let Type::Record(r) = ty else { bail!("type mismatch: expected `record`, found `{}`", ty.desc()) };
        if r.fields().len() != fields.len() {
            bail!("expected {} fields, found {}", fields.len(), r.fields().len());
        }
        for (field, (name, check)) in r.fields().zip(fields) {
            if field.name != *name {
                bail!("expected field `{name}`, found `{}`", field.name);
            }
            check(&field.ty).map_err(|e| e.context(format!("type mismatch for field `{name}`")))?;
        }
        Ok(())
    }

    /// Checks a variant type's case names and payloads, in order.
    pub fn typecheck_variant(ty: &Type, cases: &[(&str, Option<Check>)]) -> Result<()> {
        let Type::Variant(v) = ty else { bail!("type mismatch: expected `variant`, found `{}`", ty.desc()) };
        if v.cases().len() != cases.len() {
            bail!("expected {} cases, found {}", cases.len(), v.cases().len());
        }
        for (case, (name, check)) in v.cases().zip(cases) {
            if case.name != *name {
                bail!("expected case `{name}`, found `{}`", case.name);
            }
            match (case.ty.as_ref(), check) {
                (None, None) => {}
                (Some(ty), Some(check)) => check(ty).map_err(|e| e.context(format!("type mismatch for case `{name}`")))?,
                _ => bail!("payload mismatch for case `{name}`"),
            }
        }
        Ok(())
    }

    /// Checks an enum type's case names, in order.
    pub fn typecheck_enum(ty: &Type, names: &[&str]) -> Result<()> {
        let Type::Enum(e) = ty else { bail!("type mismatch: expected `enum`, found `{}`", ty.desc()) };
        if !e.names().eq(names.iter().copied()) {
            bail!("enum case names do not match");
        }
        Ok(())
    }

    /// A record value's field values, checked against `names`.
    pub fn record_fields(val: Val, names: &[&str]) -> Result<std::vec::IntoIter<Val>> {
        let Val::Record(fields) = val else { bail!("expected a record value") };
        if fields.len() != names.len() || fields.iter().zip(names).any(|((n, _), m)| n != m) {
            bail!("record fields do not match");
        }
        Ok(fields.into_iter().map(|(_, v)| v).collect::<Vec<_>>().into_iter())
    }

    /// A variant value's case name and payload.
    pub fn variant_parts(val: Val) -> Result<(String, Option<Box<Val>>)> {
        match val {
            Val::Variant(name, payload) => Ok((name, payload)),
            _ => bail!("expected a variant value"),
        }
    }

    /// An enum value's case name.
    pub fn enum_name(val: Val) -> Result<String> {
        match val {
            Val::Enum(name) => Ok(name),
            _ => bail!("expected an enum value"),
        }
    }

    /// The payload a case needs.
    pub fn payload(payload: Option<Box<Val>>) -> Result<Box<Val>> {
        payload.ok_or_else(|| Error::msg("expected a payload, found none"))
    }

    /// The error for a case name the type does not have.
    pub fn unknown_case(name: &str) -> Error {
        Error::msg(format!("unknown case `{name}`"))
    }

    /// Checks a flags type's names, in order.
    pub fn typecheck_flags(ty: &Type, names: &[&str]) -> Result<()> {
        let Type::Flags(f) = ty else { bail!("type mismatch: expected `flags`, found `{}`", ty.desc()) };
        if !f.names().eq(names.iter().copied()) {
            bail!("flags names do not match");
        }
        Ok(())
    }

    /// The flags value with the names of the set bits.
    pub fn flags_val(bits: &[u32], names: &[&str]) -> Val {
        Val::Flags(names.iter().enumerate().filter(|(n, _)| bits[n / 32] >> (n % 32) & 1 != 0).map(|(_, name)| name.to_string()).collect())
    }

    /// Sets the bits of the names in a flags value.
    pub fn flags_bits(val: Val, names: &[&str], bits: &mut [u32]) -> Result<()> {
        let Val::Flags(set) = val else { bail!("expected a flags value") };
        for name in set {
            let n = names.iter().position(|m| *m == name).ok_or_else(|| Error::msg(format!("unknown flag `{name}`")))?;
            bits[n / 32] |= 1 << (n % 32);
        }
        Ok(())
    }

    /// `Debug` of a flags type, as `wasmtime`'s: `(A|C)`.
    pub fn format_flags(bits: &[u32], names: &[&str], f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("(")?;
        let mut wrote = false;
        for (n, name) in names.iter().enumerate() {
            if bits[n / 32] >> (n % 32) & 1 != 0 {
                if wrote {
                    f.write_str("|")?;
                }
                wrote = true;
                f.write_str(name)?;
            }
        }
        f.write_str(")")
    }
}
