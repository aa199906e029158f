//! `ArrayRef::new_fixed`, `new_from_i8_slice` and `copy_to_i8_slice`, as
//! `wasmtime`'s. The C API allocates arrays only as `len` copies of one
//! value (`wasmtime_arrayref_new`), so an array of given elements is
//! allocated and then filled element by element: that needs a mutable
//! array, unless all the elements are the same. An immutable array of
//! differing elements is an `Err` here (`wasmtime` makes it).

use crate::{bail, AsContextMut, ArrayRef, ArrayRefPre, Mutability, Result, Rooted, Val};

impl ArrayRef {
    /// A new array holding `elems`, rooted in the current scope, as
    /// `wasmtime::ArrayRef::new_fixed`. `Err` if an element does not match
    /// the element type, or (see the module docs) for an immutable array
    /// of differing elements; panics if `allocator` belongs to another
    /// store.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, ValType::I64.into()));
    /// let pre = ArrayRefPre::new(&mut store, ty);
    /// let a = ArrayRef::new_fixed(&mut store, &pre, &[Val::I64(1), Val::I64(2), Val::I64(3)])?;
    /// assert_eq!(a.elems(&mut store)?.map(|v| v.unwrap_i64()).collect::<Vec<_>>(), [1, 2, 3]);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn new_fixed(mut store: impl AsContextMut, allocator: &ArrayRefPre, elems: &[Val]) -> Result<Rooted<ArrayRef>> {
        let mut store = store.as_context_mut();
        let Some(first) = elems.first() else {
            // Any value of the element type would do; none is read.
            return ArrayRef::new(&mut store, allocator, &placeholder(allocator), 0);
        };
        let differing = elems[1..].iter().any(|e| !same_bits(first, e));
        if differing && allocator.ty.mutability() == Mutability::Const {
            bail!("an immutable array of differing elements cannot be made through the Wasmtime C API");
        }
        let len = u32::try_from(elems.len())?;
        let array = ArrayRef::new(&mut store, allocator, first, len)?;
        if differing {
            for (i, elem) in (1..).zip(&elems[1..]) {
                array.set(&mut store, i, *elem)?;
            }
        }
        Ok(array)
    }

    /// A new `i8` array holding `elems`, as
    /// `wasmtime::ArrayRef::new_from_i8_slice` (see [`ArrayRef::new_fixed`]).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::new(Config::new().wasm_gc(true))?;
    /// let mut store = Store::new(&engine, ());
    /// let ty = ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8));
    /// let pre = ArrayRefPre::new(&mut store, ty);
    /// let a = ArrayRef::new_from_i8_slice(&mut store, &pre, b"hi!")?;
    /// let mut out = [0; 3];
    /// a.copy_to_i8_slice(&mut store, &mut out)?;
    /// assert_eq!(&out, b"hi!");
    /// assert!(a.copy_to_i8_slice(&mut store, &mut [0; 2]).is_err());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn new_from_i8_slice(store: impl AsContextMut, allocator: &ArrayRefPre, elems: &[u8]) -> Result<Rooted<ArrayRef>> {
        let elem_ty = allocator.ty.element_type();
        if !elem_ty.is_i8() {
            bail!("element type mismatch: cannot create an array of `{elem_ty}` elements from a slice of `i8`s");
        }
        let vals: Vec<Val> = elems.iter().map(|&b| Val::I32(i32::from(b))).collect();
        ArrayRef::new_fixed(store, allocator, &vals)
    }

    /// Copies the elements of an `i8` array into `dst`, which must have the
    /// array's length, as `wasmtime::ArrayRef::copy_to_i8_slice`.
    #[track_caller]
    pub fn copy_to_i8_slice(&self, mut store: impl AsContextMut, dst: &mut [u8]) -> Result<()> {
        let mut store = store.as_context_mut();
        let ty = self.ty(&store)?;
        let elem_ty = ty.element_type();
        if !elem_ty.is_i8() {
            bail!("element type mismatch: cannot read an array of `{elem_ty}` elements into a slice of `i8`s");
        }
        let len = self.len(&store)?;
        let dst_len = u32::try_from(dst.len())?;
        if dst_len != len {
            bail!("destination slice length is {dst_len} but the array length is {len}");
        }
        for (i, slot) in (0..).zip(dst.iter_mut()) {
            *slot = self.get(&mut store, i)?.unwrap_i32() as u8;
        }
        Ok(())
    }
}

/// Whether two values are the same number (by bits), or both null.
fn same_bits(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::I32(x), Val::I32(y)) => x == y,
        (Val::F32(x), Val::F32(y)) => x == y,
        (Val::I64(x), Val::I64(y)) => x == y,
        (Val::F64(x), Val::F64(y)) => x == y,
        (Val::V128(x), Val::V128(y)) => x.as_u128() == y.as_u128(),
        (Val::FuncRef(None), Val::FuncRef(None))
        | (Val::ExternRef(None), Val::ExternRef(None))
        | (Val::AnyRef(None), Val::AnyRef(None))
        | (Val::ExnRef(None), Val::ExnRef(None)) => true,
        _ => false,
    }
}

/// A value of the allocator's element type (for an empty array), or
/// `i32` 0 where the type has no default (C then reports the mismatch).
fn placeholder(allocator: &ArrayRefPre) -> Val {
    allocator.ty.element_type().unpack().default_value().unwrap_or(Val::I32(0))
}
