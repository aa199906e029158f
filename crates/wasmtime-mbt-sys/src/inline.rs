//! Rust versions of the headers' `static inline` functions and value macros.
//!
//! bindgen translates declarations, not function bodies, so the small
//! helpers that C users get from `wasm.h` and `wasmtime/*.h` are written out
//! here by hand, with the same names and the same behaviour.

use std::os::raw::{c_char, c_void};

use crate::bindings::*;

/// Fills `out` with the bytes of the NUL-terminated string `s`, without the
/// NUL (C: `wasm_name_new_from_string`).
///
/// # Safety
/// `out` must be valid for writes and `s` must point to a NUL-terminated
/// string. The caller owns `out` afterwards (`wasm_name_delete`, which is
/// [`wasm_byte_vec_delete`]).
///
/// ```
/// use wasmtime_mbt_sys::*;
/// let mut name = wasm_name_t::default();
/// unsafe {
///     wasm_name_new_from_string(&mut name, c"memory".as_ptr());
///     assert_eq!(std::slice::from_raw_parts(name.data.cast::<u8>(), name.size), b"memory");
///     wasm_byte_vec_delete(&mut name);
/// }
/// ```
pub unsafe fn wasm_name_new_from_string(out: *mut wasm_name_t, s: *const c_char) {
    // SAFETY: the caller guarantees `s` is NUL-terminated and `out` writable.
    unsafe { wasm_byte_vec_new(out, libc_strlen(s), s) }
}

/// Like [`wasm_name_new_from_string`] but keeps the terminating NUL
/// (C: `wasm_name_new_from_string_nt`).
///
/// # Safety
/// As for [`wasm_name_new_from_string`].
///
/// ```
/// use wasmtime_mbt_sys::*;
/// let mut name = wasm_name_t::default();
/// unsafe {
///     wasm_name_new_from_string_nt(&mut name, c"f".as_ptr());
///     assert_eq!(std::slice::from_raw_parts(name.data.cast::<u8>(), name.size), b"f\0");
///     wasm_byte_vec_delete(&mut name);
/// }
/// ```
pub unsafe fn wasm_name_new_from_string_nt(out: *mut wasm_name_t, s: *const c_char) {
    // SAFETY: as above; the length includes the NUL, which is in bounds.
    unsafe { wasm_byte_vec_new(out, libc_strlen(s) + 1, s) }
}

/// `strlen` without a libc dependency.
///
/// # Safety
/// `s` must point to a NUL-terminated string.
unsafe fn libc_strlen(s: *const c_char) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes().len()
}

/// Whether `k` is a numeric value kind (C: `wasm_valkind_is_num`).
///
/// ```
/// use wasmtime_mbt_sys::*;
/// assert!(wasm_valkind_is_num(WASM_F64 as wasm_valkind_t));
/// assert!(!wasm_valkind_is_num(WASM_FUNCREF as wasm_valkind_t));
/// ```
pub fn wasm_valkind_is_num(k: wasm_valkind_t) -> bool {
    u32::from(k) < WASM_EXTERNREF
}

/// Whether `k` is a reference value kind (C: `wasm_valkind_is_ref`).
///
/// ```
/// use wasmtime_mbt_sys::*;
/// assert!(wasm_valkind_is_ref(WASM_EXTERNREF as wasm_valkind_t));
/// assert!(!wasm_valkind_is_ref(WASM_I32 as wasm_valkind_t));
/// ```
pub fn wasm_valkind_is_ref(k: wasm_valkind_t) -> bool {
    !wasm_valkind_is_num(k)
}

/// Whether the value type `t` is numeric (C: `wasm_valtype_is_num`).
///
/// # Safety
/// `t` must point to a live `wasm_valtype_t`.
pub unsafe fn wasm_valtype_is_num(t: *const wasm_valtype_t) -> bool {
    // SAFETY: `t` is live, per the caller.
    wasm_valkind_is_num(unsafe { wasm_valtype_kind(t) })
}

/// Whether the value type `t` is a reference (C: `wasm_valtype_is_ref`).
///
/// # Safety
/// `t` must point to a live `wasm_valtype_t`.
pub unsafe fn wasm_valtype_is_ref(t: *const wasm_valtype_t) -> bool {
    // SAFETY: `t` is live, per the caller.
    wasm_valkind_is_ref(unsafe { wasm_valtype_kind(t) })
}

macro_rules! valtype_shorthands {
    ($($name:ident => $kind:ident),* $(,)?) => {$(
        #[doc = concat!("A new owned value type of kind `", stringify!($kind), "` (C: `", stringify!($name), "`).")]
        ///
        /// # Safety
        /// The result is owned by the caller: delete it with
        /// [`wasm_valtype_delete`] or pass it to a function that takes ownership.
        pub unsafe fn $name() -> *mut wasm_valtype_t {
            // SAFETY: any `wasm_valkind_t` constant is a valid kind.
            unsafe { wasm_valtype_new($kind as wasm_valkind_t) }
        }
    )*};
}

valtype_shorthands! {
    wasm_valtype_new_i32 => WASM_I32,
    wasm_valtype_new_i64 => WASM_I64,
    wasm_valtype_new_f32 => WASM_F32,
    wasm_valtype_new_f64 => WASM_F64,
    wasm_valtype_new_externref => WASM_EXTERNREF,
    wasm_valtype_new_funcref => WASM_FUNCREF,
}

/// A `wasm_valtype_vec_t` that owns the given value types.
///
/// # Safety
/// Every pointer must be an owned, live `wasm_valtype_t`; ownership moves
/// into the vector.
///
/// ```
/// use wasmtime_mbt_sys::*;
/// unsafe {
///     let mut v = wasm_valtype_vec_from(&[wasm_valtype_new_i32(), wasm_valtype_new_f64()]);
///     assert_eq!(v.size, 2);
///     wasm_valtype_vec_delete(&mut v);
/// }
/// ```
pub unsafe fn wasm_valtype_vec_from(types: &[*mut wasm_valtype_t]) -> wasm_valtype_vec_t {
    let mut vec = wasm_valtype_vec_t::default();
    // SAFETY: `types` is a valid slice; the C side copies the pointers and
    // takes ownership of what they point to.
    unsafe { wasm_valtype_vec_new(&mut vec, types.len(), types.as_ptr()) };
    vec
}

/// A new function type from owned parameter and result types; the general
/// form of the `wasm_functype_new_N_M` short-hands.
///
/// # Safety
/// As for [`wasm_valtype_vec_from`]; the result is owned by the caller
/// ([`wasm_functype_delete`]).
///
/// ```
/// use wasmtime_mbt_sys::*;
/// unsafe {
///     let ty = wasm_functype_new_with(&[wasm_valtype_new_i32()], &[]);
///     assert_eq!((*wasm_functype_params(ty)).size, 1);
///     assert_eq!((*wasm_functype_results(ty)).size, 0);
///     wasm_functype_delete(ty);
/// }
/// ```
pub unsafe fn wasm_functype_new_with(
    params: &[*mut wasm_valtype_t],
    results: &[*mut wasm_valtype_t],
) -> *mut wasm_functype_t {
    // SAFETY: forwarded from the caller; `wasm_functype_new` takes ownership
    // of both vectors.
    unsafe {
        let mut params = wasm_valtype_vec_from(params);
        let mut results = wasm_valtype_vec_from(results);
        wasm_functype_new(&mut params, &mut results)
    }
}

macro_rules! functype_shorthands {
    ($($name:ident ( $($p:ident),* ) -> ( $($r:ident),* );)*) => {$(
        #[doc = concat!("C: `", stringify!($name), "`; see [`wasm_functype_new_with`].")]
        ///
        /// # Safety
        /// Every argument must be an owned, live value type (ownership moves
        /// in); the result is owned by the caller.
        pub unsafe fn $name($($p: *mut wasm_valtype_t,)* $($r: *mut wasm_valtype_t),*) -> *mut wasm_functype_t {
            // SAFETY: forwarded from the caller.
            unsafe { wasm_functype_new_with(&[$($p),*], &[$($r),*]) }
        }
    )*};
}

functype_shorthands! {
    wasm_functype_new_0_0() -> ();
    wasm_functype_new_1_0(p) -> ();
    wasm_functype_new_2_0(p1, p2) -> ();
    wasm_functype_new_3_0(p1, p2, p3) -> ();
    wasm_functype_new_0_1() -> (r);
    wasm_functype_new_1_1(p) -> (r);
    wasm_functype_new_2_1(p1, p2) -> (r);
    wasm_functype_new_3_1(p1, p2, p3) -> (r);
    wasm_functype_new_0_2() -> (r1, r2);
    wasm_functype_new_1_2(p) -> (r1, r2);
    wasm_functype_new_2_2(p1, p2) -> (r1, r2);
    wasm_functype_new_3_2(p1, p2, p3) -> (r1, r2);
}

/// Stores a host pointer in a `wasm_val_t` as a pointer-sized integer
/// (C: `wasm_val_init_ptr`).
///
/// # Safety
/// `out` must be valid for writes.
pub unsafe fn wasm_val_init_ptr(out: *mut wasm_val_t, p: *mut c_void) {
    // SAFETY: `out` is writable, per the caller.
    unsafe { *out = wasm_i64_val(p as isize as i64) };
}

/// Reads back a pointer stored by [`wasm_val_init_ptr`] (C: `wasm_val_ptr`).
///
/// ```
/// use wasmtime_mbt_sys::*;
/// let mut x = 7u8;
/// let mut val = wasm_val_t::default();
/// unsafe {
///     wasm_val_init_ptr(&mut val, (&mut x as *mut u8).cast());
///     assert_eq!(wasm_val_ptr(&val), (&mut x as *mut u8).cast());
/// }
/// ```
///
/// # Safety
/// `val` must point to a `wasm_val_t` of kind `i64`.
pub unsafe fn wasm_val_ptr(val: *const wasm_val_t) -> *mut c_void {
    // SAFETY: the caller guarantees the union holds an i64.
    unsafe { (*val).of.i64_ as isize as *mut c_void }
}

macro_rules! val_constructors {
    ($($name:ident($ty:ty) => $kind:ident . $field:ident;)*) => {$(
        #[doc = concat!("A `wasm_val_t` of kind `", stringify!($kind), "` (C: `", stringify!($kind), "_VAL`).")]
        ///
        /// ```
        /// use wasmtime_mbt_sys::*;
        #[doc = concat!("let v = ", stringify!($name), "(Default::default());")]
        #[doc = concat!("assert_eq!(v.kind, ", stringify!($kind), " as wasm_valkind_t);")]
        /// ```
        pub fn $name(value: $ty) -> wasm_val_t {
            wasm_val_t {
                kind: $kind as wasm_valkind_t,
                of: wasm_val_t__bindgen_ty_1 { $field: value },
            }
        }
    )*};
}

val_constructors! {
    wasm_i32_val(i32) => WASM_I32.i32_;
    wasm_i64_val(i64) => WASM_I64.i64_;
    wasm_f32_val(f32) => WASM_F32.f32_;
    wasm_f64_val(f64) => WASM_F64.f64_;
}

macro_rules! null_ref_helpers {
    ($($ty:ident: $set:ident, $is:ident;)*) => {$(
        #[doc = concat!("Makes `*r` a null reference (C: `", stringify!($set), "`).")]
        ///
        /// # Safety
        /// `r` must be valid for writes.
        pub unsafe fn $set(r: *mut $ty) {
            // SAFETY: null is encoded as a zero store id; `r` is writable.
            unsafe { (*r).store_id = 0 }
        }

        #[doc = concat!("Whether `*r` is a null reference (C: `", stringify!($is), "`).")]
        ///
        /// # Safety
        /// `r` must be valid for reads.
        pub unsafe fn $is(r: *const $ty) -> bool {
            // SAFETY: `r` is readable, per the caller.
            unsafe { (*r).store_id == 0 }
        }
    )*};
}

null_ref_helpers! {
    wasmtime_func_t: wasmtime_funcref_set_null, wasmtime_funcref_is_null;
    wasmtime_externref_t: wasmtime_externref_set_null, wasmtime_externref_is_null;
    wasmtime_anyref_t: wasmtime_anyref_set_null, wasmtime_anyref_is_null;
    wasmtime_eqref_t: wasmtime_eqref_set_null, wasmtime_eqref_is_null;
    wasmtime_structref_t: wasmtime_structref_set_null, wasmtime_structref_is_null;
    wasmtime_arrayref_t: wasmtime_arrayref_set_null, wasmtime_arrayref_is_null;
    wasmtime_exnref_t: wasmtime_exnref_set_null, wasmtime_exnref_is_null;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_refs_round_trip() {
        let mut r = wasmtime_externref_t { store_id: 5, ..Default::default() };
        unsafe {
            assert!(!wasmtime_externref_is_null(&r));
            wasmtime_externref_set_null(&mut r);
            assert!(wasmtime_externref_is_null(&r));
        }
    }

    #[test]
    fn functype_shorthand_keeps_param_and_result_kinds() {
        unsafe {
            let ty = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i64(), wasm_valtype_new_f32());
            let params = &*wasm_functype_params(ty);
            let results = &*wasm_functype_results(ty);
            assert_eq!(params.size, 2);
            assert_eq!(wasm_valtype_kind(*params.data.add(1)), WASM_I64 as wasm_valkind_t);
            assert_eq!(wasm_valtype_kind(*results.data), WASM_F32 as wasm_valkind_t);
            wasm_functype_delete(ty);
        }
    }
}
