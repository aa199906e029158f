//! Comparisons of `wasmtime-mbt` with the native `wasmtime` crate.
//!
//! This crate has no API of its own. Its tests (`tests/`) and benchmarks
//! (`benches/compare.rs`) build the same client code against both crates
//! and check that they agree; the comparisons need the `native` feature
//! (the default), which also selects the bundled Wasmtime build. Without it
//! (a build against a prebuilt library) the crate compiles to nothing, the
//! comparison tests are skipped, and the compatibility target
//! (`tests/compat.rs`, see the crate's README) runs its client code against
//! wasmtime-mbt alone, checked by each case's own assertions: a prebuilt
//! library cannot be compared with a native crate compiled from source in
//! the same process.
//!
//! ```
//! assert_eq!(wasmtime_mbt_compat::NATIVE, cfg!(feature = "native"));
//! ```

/// Whether the native `wasmtime` crate is built in (the `native` feature).
pub const NATIVE: bool = cfg!(feature = "native");

/// A small seeded generator (xorshift64*) for the randomised comparison
/// tests: the same seed gives the same cases on every machine.
///
/// ```
/// let mut rng = wasmtime_mbt_compat::Rng(7);
/// let first = rng.next();
/// assert_eq!(wasmtime_mbt_compat::Rng(7).next(), first);
/// assert!(rng.below(10) < 10);
/// assert!([1, 2, 3].contains(rng.pick(&[1, 2, 3])));
/// ```
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (which must not be 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
