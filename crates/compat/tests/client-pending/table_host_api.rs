// Pending client case: the host-side Table API with RefType / Ref.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// `Table::new` with a `RefType` and a `Ref`, `size`, `set`, `get`, `grow`.
pub fn table_host_api() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 2, Some(4)), Ref::Func(None))?;
    let f = Func::wrap(&mut store, || 5i32);
    table.set(&mut store, 1, Ref::Func(Some(f)))?;
    let size = table.size(&store);
    let null = table.get(&mut store, 0).unwrap().unwrap_func().is_none();
    let got = *table.get(&mut store, 1).unwrap().unwrap_func().unwrap();
    let five = got.typed::<(), i32>(&store)?.call(&mut store, ())?;
    let old = table.grow(&mut store, 2, Ref::Func(None))?;
    let too_far = table.grow(&mut store, 1, Ref::Func(None)).is_err();
    let out_of_bounds = table.get(&mut store, 4).is_none();
    assert_eq!((size, five, old), (2, 5, 2));
    assert!(null && too_far && out_of_bounds);
    Ok(format!("{size} {null} {five} {old} {too_far} {out_of_bounds}"))
}
