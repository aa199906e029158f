//! Memories, tables and globals: sizes, growth, bounds, types, store limits,
//! and objects used with the wrong store.

use wasmtime_mbt::*;

const PAGE: usize = 65536;

fn instance_of(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    (store, instance)
}

#[test]
fn memory_data_is_shared_with_wasm() {
    let (mut store, instance) = instance_of(
        r#"(module (memory (export "mem") 1 3)
            (data (i32.const 10) "hello")
            (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u)
            (func (export "store32") (param i32 i32) local.get 0 local.get 1 i32.store)
            (func (export "size") (result i32) memory.size)
            (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    );
    let mem = instance.get_memory(&mut store, "mem").unwrap();
    let load8 = instance.get_typed_func::<i32, i32>(&mut store, "load8").unwrap();
    let store32 = instance.get_typed_func::<(i32, i32), ()>(&mut store, "store32").unwrap();
    let size = instance.get_typed_func::<(), i32>(&mut store, "size").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();

    assert_eq!(mem.size(&store), 1);
    assert_eq!(mem.data_size(&store), PAGE);
    assert_eq!(mem.data(&store).len(), PAGE);
    assert_eq!(&mem.data(&store)[10..15], b"hello");
    let ty = mem.ty(&store);
    assert_eq!((ty.minimum(), ty.maximum(), ty.is_64(), ty.is_shared()), (1, Some(3), false, false));

    // Host writes, wasm reads.
    mem.data_mut(&mut store)[100] = 0xab;
    assert_eq!(load8.call(&mut store, 100).unwrap(), 0xab);
    mem.write(&mut store, 200, &[1, 2, 3]).unwrap();
    assert_eq!(load8.call(&mut store, 202).unwrap(), 3);
    // Wasm writes, host reads.
    store32.call(&mut store, (300, 0x0403_0201)).unwrap();
    let mut buf = [0u8; 4];
    mem.read(&store, 300, &mut buf).unwrap();
    assert_eq!(buf, [1, 2, 3, 4]);

    // Growth from the host is seen by wasm, and the other way round.
    assert_eq!(mem.grow(&mut store, 1).unwrap(), 1);
    assert_eq!(size.call(&mut store, ()).unwrap(), 2);
    assert_eq!(mem.data_size(&store), 2 * PAGE);
    assert_eq!(grow.call(&mut store, 1).unwrap(), 2);
    assert_eq!(mem.size(&store), 3);
    assert_eq!(mem.data(&store).len(), 3 * PAGE);
    // Data survives growth; new pages are zeroed.
    assert_eq!(&mem.data(&store)[10..15], b"hello");
    assert!(mem.data(&store)[2 * PAGE..].iter().all(|b| *b == 0));

    // Beyond the maximum: an Err from the host, -1 in wasm, size unchanged.
    assert!(mem.grow(&mut store, 1).is_err());
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(mem.size(&store), 3);
    // Growing by zero is fine at the maximum.
    assert_eq!(mem.grow(&mut store, 0).unwrap(), 3);
}

#[test]
fn memory_read_write_bounds() {
    let mut store = Store::new(&Engine::default(), ());
    let mem = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let mut buf = [0u8; 8];
    // Exactly at the end: fine; one byte past: Err.
    mem.write(&mut store, PAGE - 8, &[7; 8]).unwrap();
    mem.read(&store, PAGE - 8, &mut buf).unwrap();
    assert_eq!(buf, [7; 8]);
    assert!(mem.read(&store, PAGE - 7, &mut buf).is_err());
    assert!(mem.write(&mut store, PAGE - 7, &buf).is_err());
    assert!(mem.read(&store, PAGE, &mut [0u8; 1]).is_err());
    mem.read(&store, PAGE, &mut []).unwrap();
    // Offsets that overflow `usize` are an Err, not a panic.
    assert!(mem.read(&store, usize::MAX, &mut buf).is_err());
    assert!(mem.write(&mut store, usize::MAX - 2, &buf).is_err());
    // A failed write changed nothing.
    assert!(mem.data(&store)[PAGE - 7..].iter().all(|b| *b == 7));
}

#[test]
fn memory_new_and_grow_limits() {
    let mut store = Store::new(&Engine::default(), ());
    let mem = Memory::new(&mut store, MemoryType::new(0, Some(2))).unwrap();
    assert_eq!(mem.size(&store), 0);
    assert_eq!(mem.data_size(&store), 0);
    assert!(mem.data(&store).is_empty());
    assert!(mem.read(&store, 0, &mut [0u8; 1]).is_err());
    assert_eq!(mem.grow(&mut store, 2).unwrap(), 0);
    assert!(mem.grow(&mut store, 1).is_err());
    assert!(mem.grow(&mut store, u64::MAX).is_err());
    assert_eq!(mem.size(&store), 2);
    // An invalid type: minimum above maximum, or more than 65,536 pages.
    // As natively, the type's constructor panics (fuzz finding 3).
    assert!(std::panic::catch_unwind(|| MemoryType::new(3, Some(2))).is_err());
    assert!(std::panic::catch_unwind(|| MemoryType::new(65_537, None)).is_err());
    assert!(std::panic::catch_unwind(|| MemoryType::new(0, Some(65_537))).is_err());
    assert_eq!(MemoryType::new(65_536, Some(65_536)).maximum(), Some(65_536));
}

#[test]
fn store_limiter_denies_memory_growth() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory (export "mem") 1)
            (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, StoreLimitsBuilder::new().memory_size(2 * PAGE).build());
    store.limiter(|limits| limits);
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let mem = instance.get_memory(&mut store, "mem").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
    assert_eq!(mem.grow(&mut store, 1).unwrap(), 1);
    assert!(mem.grow(&mut store, 1).is_err());
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(mem.size(&store), 2);

    // A module whose initial memory is above the limit cannot be instantiated.
    let big = Module::new(&engine, "(module (memory 3))").unwrap();
    assert!(Instance::new(&mut store, &big, &[]).is_err());
}

#[test]
fn store_limiter_denies_instances_tables_memories_and_table_elements() {
    let engine = Engine::default();
    let empty = Module::new(&engine, "(module)").unwrap();
    let mut store = Store::new(&engine, StoreLimitsBuilder::new().instances(2).build());
    store.limiter(|limits| limits);
    Instance::new(&mut store, &empty, &[]).unwrap();
    Instance::new(&mut store, &empty, &[]).unwrap();
    assert!(Instance::new(&mut store, &empty, &[]).is_err());

    let with_memory = Module::new(&engine, "(module (memory 1))").unwrap();
    let mut store = Store::new(&engine, StoreLimitsBuilder::new().memories(1).build());
    store.limiter(|limits| limits);
    Instance::new(&mut store, &with_memory, &[]).unwrap();
    assert!(Instance::new(&mut store, &with_memory, &[]).is_err());

    let with_table = Module::new(&engine, "(module (table 1 funcref))").unwrap();
    let mut store = Store::new(&engine, StoreLimitsBuilder::new().tables(1).build());
    store.limiter(|limits| limits);
    Instance::new(&mut store, &with_table, &[]).unwrap();
    assert!(Instance::new(&mut store, &with_table, &[]).is_err());

    let mut store = Store::new(&engine, StoreLimitsBuilder::new().table_elements(10).build());
    store.limiter(|limits| limits);
    let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 5, None), Ref::Func(None)).unwrap();
    assert_eq!(table.grow(&mut store, 5, Ref::Func(None)).unwrap(), 5);
    assert!(table.grow(&mut store, 1, Ref::Func(None)).is_err());
    assert_eq!(table.size(&store), 10);
    let big = Module::new(&engine, "(module (table 11 funcref))").unwrap();
    assert!(Instance::new(&mut store, &big, &[]).is_err());
}

#[test]
fn table_get_set_grow_and_types() {
    let mut store = Store::new(&Engine::default(), ());
    let table = Table::new(&mut store, TableType::new(RefType::FUNCREF, 2, Some(4)), Ref::Func(None)).unwrap();
    let ty = table.ty(&store);
    assert_eq!((ty.element(), ty.minimum(), ty.maximum()), (&RefType::FUNCREF, 2, Some(4)));
    assert_eq!(table.size(&store), 2);
    assert!(table.get(&mut store, 0).unwrap().unwrap_func().is_none());
    assert!(table.get(&mut store, 2).is_none(), "out of bounds is None");
    assert!(table.get(&mut store, u64::MAX).is_none());

    let f = Func::wrap(&mut store, || 5i32);
    table.set(&mut store, 1, f.into()).unwrap();
    let got = *table.get(&mut store, 1).unwrap().unwrap_func().unwrap();
    assert_eq!(got.typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap(), 5);

    assert!(table.set(&mut store, 2, f.into()).is_err(), "out of bounds");
    assert!(table.set(&mut store, 0, Ref::Extern(None)).is_err(), "wrong reference type");

    assert_eq!(table.grow(&mut store, 2, f.into()).unwrap(), 2);
    assert_eq!(table.size(&store), 4);
    assert!(table.get(&mut store, 3).unwrap().unwrap_func().is_some());
    assert!(table.grow(&mut store, 1, Ref::Func(None)).is_err(), "past the maximum");
    assert!(table.grow(&mut store, 0, Ref::Any(None)).is_err(), "wrong init type");
    assert_eq!(table.size(&store), 4);

    // A mistyped initial value is refused.
    assert!(Table::new(&mut store, TableType::new(RefType::FUNCREF, 1, None), Ref::Any(None)).is_err());
    assert!(Table::new(&mut store, TableType::new(RefType::EXTERNREF, 1, None), Ref::Func(None)).is_err());
}

#[test]
fn table_of_non_nullable_type_needs_a_non_null_init() {
    // Tables of numbers cannot be written any more: `TableType::new` takes a `RefType`.
    let mut store = Store::new(&Engine::default(), ());
    let non_null = RefType::new(false, HeapType::Func);
    assert!(Table::new(&mut store, TableType::new(non_null.clone(), 1, None), Ref::Func(None)).is_err());
    let f = Func::wrap(&mut store, || {});
    let table = Table::new(&mut store, TableType::new(non_null.clone(), 1, None), f.into()).unwrap();
    assert_eq!(table.ty(&store).element(), &non_null);
    assert!(table.get(&mut store, 0).unwrap().unwrap_func().is_some());
}

#[test]
fn wasm_table_export_is_shared() {
    let (mut store, instance) = instance_of(
        r#"(module (table (export "t") 1 10 funcref)
            (func (export "size") (result i32) table.size 0)
            (func (export "grow") (param i32) (result i32) ref.null func local.get 0 table.grow 0)
            (func (export "call0") (result i32) i32.const 0 call_indirect (result i32)))"#,
    );
    let table = instance.get_table(&mut store, "t").unwrap();
    let size = instance.get_typed_func::<(), i32>(&mut store, "size").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
    let call0 = instance.get_typed_func::<(), i32>(&mut store, "call0").unwrap();
    let ty = table.ty(&store);
    assert_eq!((ty.minimum(), ty.maximum()), (1, Some(10)));

    let f = Func::wrap(&mut store, || 77i32);
    table.set(&mut store, 0, f.into()).unwrap();
    assert_eq!(call0.call(&mut store, ()).unwrap(), 77);
    assert_eq!(table.grow(&mut store, 3, Ref::Func(None)).unwrap(), 1);
    assert_eq!(size.call(&mut store, ()).unwrap(), 4);
    assert_eq!(grow.call(&mut store, 6).unwrap(), 4);
    assert_eq!(table.size(&store), 10);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
}

#[test]
fn globals_get_set_and_types() {
    let mut store = Store::new(&Engine::default(), ());
    let var = Global::new(&mut store, GlobalType::new(ValType::I64, Mutability::Var), Val::I64(1)).unwrap();
    let ty = var.ty(&store);
    assert_eq!((ty.content(), ty.mutability()), (&ValType::I64, Mutability::Var));
    var.set(&mut store, Val::I64(-9)).unwrap();
    assert_eq!(var.get(&mut store).i64(), Some(-9));
    assert!(var.set(&mut store, Val::I32(1)).is_err(), "wrong type");
    assert!(var.set(&mut store, Val::F64(0)).is_err(), "wrong type");
    assert_eq!(var.get(&mut store).i64(), Some(-9), "a failed set changes nothing");

    let konst = Global::new(&mut store, GlobalType::new(ValType::F32, Mutability::Const), Val::from(2.5f32)).unwrap();
    assert_eq!(konst.ty(&store).mutability(), Mutability::Const);
    assert!(konst.set(&mut store, Val::from(1.0f32)).is_err(), "immutable");
    assert_eq!(konst.get(&mut store).f32(), Some(2.5));

    // The initial value must match the type.
    assert!(Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I64(0)).is_err());
    assert!(Global::new(&mut store, GlobalType::new(ValType::FUNCREF, Mutability::Var), Val::ExternRef(None)).is_err());

    let f = Func::wrap(&mut store, || {});
    let fg = Global::new(&mut store, GlobalType::new(ValType::FUNCREF, Mutability::Var), Val::FuncRef(None)).unwrap();
    fg.set(&mut store, f.into()).unwrap();
    assert!(fg.get(&mut store).funcref().unwrap().is_some());
}

#[test]
fn wasm_globals_imported_and_exported() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "base" (global $base i32))
            (import "host" "counter" (global $counter (mut i32)))
            (global $own (export "own") (mut i64) (i64.const 5))
            (global (export "konst") i32 (i32.const 3))
            (func (export "bump") (result i32)
                (global.set $counter (i32.add (global.get $counter) (global.get $base)))
                (global.set $own (i64.add (global.get $own) (i64.const 1)))
                global.get $counter))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let base = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(10)).unwrap();
    let counter = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(0)).unwrap();
    let instance = Instance::new(&mut store, &module, &[base.into(), counter.into()]).unwrap();
    let bump = instance.get_typed_func::<(), i32>(&mut store, "bump").unwrap();
    assert_eq!(bump.call(&mut store, ()).unwrap(), 10);
    counter.set(&mut store, Val::I32(100)).unwrap();
    assert_eq!(bump.call(&mut store, ()).unwrap(), 110);
    assert_eq!(counter.get(&mut store).i32(), Some(110));
    let own = instance.get_global(&mut store, "own").unwrap();
    assert_eq!(own.get(&mut store).i64(), Some(7));
    let konst = instance.get_global(&mut store, "konst").unwrap();
    assert_eq!(konst.ty(&store).mutability(), Mutability::Const);
    assert!(konst.set(&mut store, Val::I32(4)).is_err());

    // Mutability must match the import exactly, in both directions.
    assert!(Instance::new(&mut store, &module, &[counter.into(), counter.into()]).is_err());
    assert!(Instance::new(&mut store, &module, &[base.into(), base.into()]).is_err());
    assert!(Instance::new(&mut store, &module, &[base.into(), counter.into()]).is_ok());
}

/// Runs `f`, which must panic with `wasmtime`'s wrong-store message (raised
/// in Rust before any C call, so it unwinds even with a prebuilt library).
#[track_caller]
fn assert_wrong_store<R>(f: impl FnOnce() -> R) {
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).err().expect("expected a wrong-store panic");
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with the wrong store"));
}

#[test]
#[should_panic(expected = "object used with the wrong store")]
fn memory_size_with_the_wrong_store_panics() {
    let mut store1 = Store::<()>::default();
    let store2 = Store::new(store1.engine(), ());
    let mem = Memory::new(&mut store1, MemoryType::new(1, None)).unwrap();
    mem.size(&store2);
}

#[test]
#[should_panic(expected = "object used with the wrong store")]
fn global_get_with_the_wrong_store_panics() {
    let mut store1 = Store::<()>::default();
    let mut store2 = Store::new(store1.engine(), ());
    let g = Global::new(&mut store1, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(0)).unwrap();
    g.get(&mut store2);
}

#[test]
#[should_panic(expected = "object used with the wrong store")]
fn table_size_with_the_wrong_store_panics() {
    let mut store1 = Store::<()>::default();
    let store2 = Store::new(store1.engine(), ());
    let t = Table::new(&mut store1, TableType::new(RefType::FUNCREF, 0, None), Ref::Func(None)).unwrap();
    t.size(&store2);
}

#[test]
fn memory_page_size_accessors() {
    let engine = Engine::new(Config::new().wasm_custom_page_sizes(true)).unwrap();
    let mut store = Store::new(&engine, ());
    let big = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    assert_eq!((big.page_size(&store), big.page_size_log2(&store)), (65536, 16));
    let ty = MemoryType::builder().page_size_log2(0).min(3).build().unwrap();
    let small = Memory::new(&mut store, ty).unwrap();
    assert_eq!((small.page_size(&store), small.page_size_log2(&store)), (1, 0));
    assert_eq!((small.size(&store), small.data_size(&store)), (3, 3));
    assert_eq!(small.ty(&store).page_size_log2(), 0);
}

#[test]
fn memory_table_global_from_another_store_panic() {
    let engine = Engine::default();
    let mut store1 = Store::new(&engine, ());
    let mut store2 = Store::new(&engine, ());
    let mem = Memory::new(&mut store1, MemoryType::new(1, None)).unwrap();
    let table = Table::new(&mut store1, TableType::new(RefType::FUNCREF, 1, None), Ref::Func(None)).unwrap();
    let global = Global::new(&mut store1, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(1)).unwrap();
    let f1 = Func::wrap(&mut store1, || {});

    assert_wrong_store(|| mem.size(&store2));
    assert_wrong_store(|| mem.data_size(&store2));
    assert_wrong_store(|| mem.ty(&store2));
    assert_wrong_store(|| mem.page_size(&store2));
    assert_wrong_store(|| mem.page_size_log2(&store2));
    // Like wasmtime, every memory accessor panics for another store too.
    assert_wrong_store(|| mem.grow(&mut store2, 1));
    assert_wrong_store(|| mem.read(&store2, 0, &mut [0u8; 1]));
    assert_wrong_store(|| mem.write(&mut store2, 0, &[1]));
    assert_wrong_store(|| mem.data(&store2).len());
    assert_wrong_store(|| mem.data_mut(&mut store2).len());

    assert_wrong_store(|| table.size(&store2));
    assert_wrong_store(|| table.ty(&store2));
    // Like wasmtime, every table accessor panics for another store.
    assert_wrong_store(|| table.get(&mut store2, 0));
    assert_wrong_store(|| table.set(&mut store2, 0, Ref::Func(None)));
    assert_wrong_store(|| table.grow(&mut store2, 1, Ref::Func(None)));
    assert_wrong_store(|| table.fill(&mut store2, 0, Ref::Func(None), 1));

    assert_wrong_store(|| global.get(&mut store2));
    assert_wrong_store(|| global.set(&mut store2, Val::I32(2)));
    assert_wrong_store(|| global.ty(&store2));
    assert_wrong_store(|| f1.ty(&store2));
    // The objects still work in their own store afterwards.
    assert_eq!((mem.size(&store1), table.size(&store1), global.get(&mut store1).unwrap_i32()), (1, 1, 1));

    // Values from another store put into this store's objects.
    let table2 = Table::new(&mut store2, TableType::new(RefType::FUNCREF, 1, None), Ref::Func(None)).unwrap();
    assert!(table2.set(&mut store2, 0, f1.into()).is_err());
    assert!(table2.grow(&mut store2, 1, f1.into()).is_err());
    assert!(Table::new(&mut store2, TableType::new(RefType::FUNCREF, 1, None), f1.into()).is_err());
    let g2 = Global::new(&mut store2, GlobalType::new(ValType::FUNCREF, Mutability::Var), Val::FuncRef(None)).unwrap();
    assert!(g2.set(&mut store2, f1.into()).is_err());

    // Importing them into an instance of the other store.
    let engine2 = store2.engine().clone();
    let imports_mem = Module::new(&engine2, r#"(module (import "" "m" (memory 1)))"#).unwrap();
    assert!(Instance::new(&mut store2, &imports_mem, &[mem.into()]).is_err());
    let imports_table = Module::new(&engine2, r#"(module (import "" "t" (table 1 funcref)))"#).unwrap();
    assert!(Instance::new(&mut store2, &imports_table, &[table.into()]).is_err());
    let imports_global = Module::new(&engine2, r#"(module (import "" "g" (global (mut i32))))"#).unwrap();
    assert!(Instance::new(&mut store2, &imports_global, &[global.into()]).is_err());

    // Everything still works in its own store.
    assert_eq!(mem.size(&store1), 1);
    assert_eq!(table.size(&store1), 1);
    assert_eq!(global.get(&mut store1).i32(), Some(1));
    assert_eq!(table2.size(&store2), 1);
}
