//! `I31`: the 31-bit integer of an `i31ref`, as `wasmtime::I31`.

use std::fmt;

/// A 31-bit integer, the payload of an `i31ref`, as `wasmtime::I31`.
/// Kept in Wasmtime's own encoding (value shifted left, low bit set), so
/// equality, hashing and `Default` behave as `wasmtime`'s.
///
/// ```
/// use wasmtime_mbt::I31;
/// assert_eq!(I31::new_u32(5).unwrap().get_u32(), 5);
/// assert!(I31::new_u32(u32::MAX).is_none());
/// assert_eq!(I31::wrapping_i32(-1).get_i32(), -1);
/// assert_eq!(I31::wrapping_i32(-1).get_u32(), 0x7fff_ffff);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct I31(u32);

impl fmt::Debug for I31 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("I31").field("as_u32", &self.get_u32()).field("as_i32", &self.get_i32()).finish()
    }
}

impl I31 {
    /// `value` if it fits in 31 unsigned bits.
    #[inline]
    pub fn new_u32(value: u32) -> Option<Self> {
        ((value << 1) >> 1 == value).then(|| Self::wrapping_u32(value))
    }

    /// `value` if it fits in 31 signed bits.
    #[inline]
    pub fn new_i32(value: i32) -> Option<Self> {
        ((value << 1) >> 1 == value).then(|| Self::wrapping_i32(value))
    }

    /// The low 31 bits of `value`.
    #[inline]
    pub fn wrapping_u32(value: u32) -> Self {
        I31((value << 1) | 1)
    }

    /// The low 31 bits of `value`.
    #[inline]
    pub fn wrapping_i32(value: i32) -> Self {
        Self::wrapping_u32(value as u32)
    }

    /// The value, zero-extended.
    #[inline]
    pub fn get_u32(&self) -> u32 {
        self.0 >> 1
    }

    /// The value, sign-extended.
    #[inline]
    pub fn get_i32(&self) -> i32 {
        (self.0 as i32) >> 1
    }
}
