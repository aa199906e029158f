//! The raw function API against misuse: wrong stores are a panic with
//! `wasmtime`'s message, never an abort.

use std::panic::{catch_unwind, AssertUnwindSafe};

use wasmtime_mbt::*;

#[test]
fn raw_calls_check_the_store() {
    let engine = Engine::default();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let f = Func::wrap(&mut a, |x: i32| x + 1);
    let mut vals = [ValRaw::i32(1)];
    // SAFETY: one i32 slot for (i32) -> i32; the store is checked first
    // (a panic, as in `wasmtime`).
    let panic = catch_unwind(AssertUnwindSafe(|| unsafe { f.call_unchecked(&mut b, &mut vals) })).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>().copied(), Some("object used with the wrong store"));
    let panic = catch_unwind(AssertUnwindSafe(|| f.to_raw(&mut b))).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>().copied(), Some("object used with the wrong store"));
    // SAFETY: as above, in the right store.
    unsafe { f.call_unchecked(&mut a, &mut vals) }.unwrap();
    assert_eq!(vals[0].get_i32(), 2);
}

#[test]
fn unchecked_host_errors_are_errors_and_panics_are_resumed() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new(&engine, [], []);
    // SAFETY: touches no values.
    let fails = unsafe { Func::new_unchecked(&mut store, ty.clone(), |_, _| Err(Error::msg("raw failure"))) };
    let err = fails.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(err.root_cause().to_string(), "raw failure", "{err:?}");
    // SAFETY: touches no values.
    let panics = unsafe { Func::new_unchecked(&mut store, ty, |_, _| panic!("raw panic")) };
    let panic = catch_unwind(AssertUnwindSafe(|| panics.call(&mut store, &[], &mut []))).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>().copied(), Some("raw panic"));
}

#[test]
fn val_raw_round_trips_every_kind() {
    assert_eq!(ValRaw::i32(i32::MIN).get_i32(), i32::MIN);
    assert_eq!(ValRaw::i64(i64::MIN).get_i64(), i64::MIN);
    assert_eq!(ValRaw::u32(u32::MAX).get_u32(), u32::MAX);
    assert_eq!(ValRaw::u64(u64::MAX).get_u64(), u64::MAX);
    assert_eq!(ValRaw::f32((-1.5f32).to_bits()).get_f32(), (-1.5f32).to_bits());
    assert_eq!(ValRaw::f64(f64::MIN.to_bits()).get_f64(), f64::MIN.to_bits());
    assert_eq!(ValRaw::v128(u128::MAX - 1).get_v128(), u128::MAX - 1);
    assert_eq!(ValRaw::externref(9).get_externref(), 9);
    assert_eq!(ValRaw::anyref(8).get_anyref(), 8);
    assert_eq!(ValRaw::exnref(7).get_exnref(), 7);
    assert_eq!(ValRaw::null().get_v128(), 0);
}
