// Tables as seen through wasm: exported and imported tables shared between
// instances, `table.grow`/`table.size`, and host functions in tables.
// The host-side `Table` API: `Table::new` with a `Ref`, `get`, `set`,
// `size`, `grow`.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// A table exported by one instance and filled by another, then called
/// through with `call_indirect`.
pub fn table_shared_between_instances() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let owner = Module::new(
        &engine,
        r#"(module
            (type $t (func (param i32) (result i32)))
            (table (export "table") 4 funcref)
            (func (export "call") (param i32 i32) (result i32) local.get 1 local.get 0 call_indirect (type $t))
            (func (export "size") (result i32) table.size))"#,
    )?;
    let owner = Instance::new(&mut store, &owner, &[])?;
    let table = owner.get_table(&mut store, "table").expect("exported table");
    let filler = Module::new(
        &engine,
        r#"(module
            (import "" "table" (table 1 funcref))
            (elem (i32.const 1) $neg $sq)
            (func $neg (param i32) (result i32) i32.const 0 local.get 0 i32.sub)
            (func $sq (param i32) (result i32) local.get 0 local.get 0 i32.mul))"#,
    )?;
    Instance::new(&mut store, &filler, &[table.into()])?;
    let call = owner.get_typed_func::<(i32, i32), i32>(&mut store, "call")?;
    let neg = call.call(&mut store, (1, 5))?;
    let sq = call.call(&mut store, (2, 5))?;
    let empty = call.call(&mut store, (0, 5)).is_err();
    let size = owner.get_typed_func::<(), i32>(&mut store, "size")?.call(&mut store, ())?;
    assert_eq!((neg, sq, size), (-5, 25, 4));
    assert!(empty);
    Ok(format!("{neg} {sq} {empty} {size}"))
}

/// `table.grow` up to the table's maximum, with a host function as the fill value.
pub fn table_grow_from_wasm() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (type $t (func (result i32)))
            (table $tab 1 3 funcref)
            (func (export "grow") (param funcref i32) (result i32) local.get 0 local.get 1 table.grow $tab)
            (func (export "size") (result i32) table.size $tab)
            (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $t)))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let host = Func::wrap(&mut store, || 9i32);
    let grow = instance.get_typed_func::<(Option<Func>, i32), i32>(&mut store, "grow")?;
    let size = instance.get_typed_func::<(), i32>(&mut store, "size")?;
    let call = instance.get_typed_func::<i32, i32>(&mut store, "call")?;
    let old = grow.call(&mut store, (Some(host), 2))?;
    let too_far = grow.call(&mut store, (None, 1))?;
    let now = size.call(&mut store, ())?;
    let via_table = call.call(&mut store, 2)?;
    let null = call.call(&mut store, 0).is_err();
    assert_eq!((old, too_far, now, via_table), (1, -1, 3, 9));
    assert!(null);
    Ok(format!("{old} {too_far} {now} {via_table} {null}"))
}

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
