//! Bad input (issue 9): every misuse below must come back as a typed `Err`
//! with a meaningful message — never an abort, a panic or UB — and the
//! store (or the process) must stay usable: each test runs something
//! successfully afterwards.
//!
//! Cases tried: 106 bad inputs, in 19 tests
//! - binaries/text (10): empty, bad magic, bad version, truncated section,
//!   unknown section id; empty text, missing operand, unknown instruction,
//!   unclosed paren; `wat2wasm` on garbage
//! - validation (5): result type mismatch, unknown local, unknown function,
//!   duplicate export, simd with simd disabled
//! - linking (10): unknown import (instantiate, instantiate_pre), too few /
//!   too many imports, function signature mismatch (Linker, Instance::new),
//!   memory where a function is expected, memory too small, global
//!   mutability, table element type
//! - calls (10): too few / too many params, wrong param type, too few / too
//!   many results (Func::call); typed() param and result mismatch (×2 APIs),
//!   missing export; host `Func::new` result of the wrong type
//! - cross-store (22): Func::call/ty, TypedFunc::call, Memory
//!   read/write/grow/size, Global get/set, Table get/set (panics, as
//!   wasmtime's), get_export, exports, funcref/externref arguments (Val and
//!   typed), Table::set with a foreign funcref, ExternRef::data (panics, as
//!   wasmtime's), Linker::define/instance, imports from another store,
//!   Memory::data (documented panic)
//! - cross-engine (11): Instance::new, Linker instantiate/instantiate_pre/
//!   module with a module of another engine, InstancePre into another
//!   engine's store, import from another engine, a linker of another engine
//!   (instantiate, instantiate_pre, get, get_default, module)
//! - memory (5): read/write past the end, offset+len overflow (read, write),
//!   wasm load out of bounds (trap code)
//! - tables/globals (8): Global::set wrong type / immutable, Global::new
//!   wrong init, Table::set externref into funcref, Table::new wrong init
//!   (externref), Table::set out of bounds, Table::get out of bounds (None,
//!   ×2); a non-reference table element cannot be written (`Ref`)
//! - growth (4): Memory::grow past max (×2), Table::grow past max,
//!   `memory.grow` past max in wasm (-1)
//! - store limits (6): Memory::grow, `memory.grow`, Table::grow, table and
//!   memory too big at instantiation, instance count
//! - config (7): Strategy::Winch, bogus triple, NUL in target, NUL in a
//!   Cranelift flag, missing cache file, unparsable cache file, unknown cache
//!   key
//! - serialization (5): corrupted header, truncated, empty, bytes from an
//!   engine with another configuration (fuel), garbage file
//! - names (3): interior NUL in linker module/name (matched exactly, the
//!   truncated name is unknown), NUL in an export name lookup

use wasmtime_mbt::*;

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#;

/// Proves the store still works: instantiates a fresh module and calls it.
#[track_caller]
fn assert_usable<T: 'static>(store: &mut Store<T>) {
    let module = Module::new(store.engine(), ADD).expect("compile after error");
    let instance = Instance::new(&mut *store, &module, &[]).expect("instantiate after error");
    let add = instance.get_typed_func::<(i32, i32), i32>(&mut *store, "add").expect("typed after error");
    assert_eq!(add.call(&mut *store, (40, 2)).expect("call after error"), 42);
}

/// Asserts an `Err` whose message contains every needle (case-insensitive).
#[track_caller]
fn assert_err<T: std::fmt::Debug>(result: Result<T>, needles: &[&str]) -> Error {
    let err = result.expect_err("expected an Err");
    let msg = format!("{err}").to_lowercase();
    let full = format!("{err:?}").to_lowercase();
    assert!(!msg.trim().is_empty(), "empty error message: {err:?}");
    for needle in needles {
        let needle = needle.to_lowercase();
        assert!(msg.contains(&needle) || full.contains(&needle), "error {err:?} does not mention {needle:?}");
    }
    err
}

/// Runs `f`, which must panic with exactly `message`.
#[track_caller]
fn assert_panics<R>(f: impl FnOnce() -> R, message: &str) {
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).err().expect("expected a panic");
    let text = panic.downcast_ref::<&str>().copied().or(panic.downcast_ref::<String>().map(String::as_str));
    assert_eq!(text, Some(message));
}

fn store() -> Store<()> {
    Store::new(&Engine::default(), ())
}

// ---------------------------------------------------------------- binaries

#[test]
fn malformed_binaries_and_text_are_errors() {
    let engine = Engine::default();
    let binaries: &[(&[u8], &str)] = &[
        (b"", "unexpected end"),
        (b"\0asX\x01\0\0\0", "magic"),
        (b"\0asm\x02\0\0\0", "unknown binary version"),
        (b"\0asm\x01\0\0\0\x01\x05\x01\x60", "unexpected end"),
        (b"\0asm\x01\0\0\0\x20\x00", "section id"),
    ];
    for (bytes, needle) in binaries {
        assert_err(Module::from_binary(&engine, bytes), &[needle]);
        assert!(Module::new(&engine, bytes).is_err());
        assert!(Module::validate(&engine, bytes).is_err());
    }
    let texts = [
        ("", "expected at least one module field"),
        ("(module (func (result i32) i32.const))", "expected"),
        ("(module (func i32.frobnicate))", "i32.frobnicate"),
        ("(module (func)", "expected"),
    ];
    for (text, needle) in texts {
        assert_err(Module::new(&engine, text), &[needle]);
        assert!(Module::validate(&engine, text.as_bytes()).is_err());
    }
    assert_err(wat2wasm(b"(module (oops))"), &["oops"]);
    let mut store = Store::new(&engine, ());
    assert_usable(&mut store);
}

#[test]
fn modules_failing_validation_are_errors() {
    let engine = Engine::default();
    let cases = [
        (r#"(module (func (result i32) i64.const 1))"#, "type mismatch"),
        (r#"(module (func local.get 3 drop))"#, "unknown local"),
        (r#"(module (func call 7))"#, "unknown function"),
        (r#"(module (func (export "a")) (func (export "a")))"#, "duplicate export"),
    ];
    for (wat, needle) in cases {
        assert_err(Module::new(&engine, wat), &[needle]);
        assert_err(Module::validate(&engine, wat.as_bytes()), &[needle]);
    }
    let no_simd = Engine::new(Config::new().wasm_relaxed_simd(false).wasm_simd(false)).unwrap();
    assert_err(Module::new(&no_simd, r#"(module (func (result v128) v128.const i64x2 0 0))"#), &["simd"]);
    let mut store = Store::new(&no_simd, ());
    assert_usable(&mut store);
}

// ----------------------------------------------------------------- linking

const IMPORTS_F: &str = r#"(module (import "env" "f" (func (param i32) (result i32))))"#;

#[test]
fn unknown_and_missing_imports_are_errors() {
    let engine = Engine::default();
    let module = Module::new(&engine, IMPORTS_F).unwrap();
    let mut store = Store::new(&engine, ());
    let linker = Linker::<()>::new(&engine);
    assert_err(linker.instantiate(&mut store, &module), &["unknown import", "env", "f"]);
    assert_err(linker.instantiate_pre(&module).map(drop), &["unknown import", "env"]);
    assert_err(Instance::new(&mut store, &module, &[]), &["expected 1 imports, found 0"]);
    let extra = Func::wrap(&mut store, |x: i32| x);
    assert_err(Instance::new(&mut store, &module, &[extra.into(), extra.into()]), &["expected 1 imports, found 2"]);
    assert_usable(&mut store);
}

#[test]
fn import_type_mismatches_are_errors() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, IMPORTS_F).unwrap();
    // Function signature.
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "f", |x: i64| x).unwrap();
    assert_err(linker.instantiate(&mut store, &module), &["incompatible import type", "env::f"]);
    let wrong = Func::wrap(&mut store, || {});
    assert_err(Instance::new(&mut store, &module, &[wrong.into()]), &["incompatible import type"]);
    // A memory where a function is expected.
    let mem = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    assert_err(Instance::new(&mut store, &module, &[mem.into()]), &["incompatible import type"]);
    // Memory too small.
    let wants_mem = Module::new(&engine, r#"(module (import "env" "m" (memory 2)))"#).unwrap();
    assert_err(Instance::new(&mut store, &wants_mem, &[mem.into()]), &["incompatible import type"]);
    // Global mutability.
    let wants_mut = Module::new(&engine, r#"(module (import "env" "g" (global (mut i32))))"#).unwrap();
    let g = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(1)).unwrap();
    assert_err(Instance::new(&mut store, &wants_mut, &[g.into()]), &["incompatible import type"]);
    // Table element type.
    let wants_table = Module::new(&engine, r#"(module (import "env" "t" (table 1 funcref)))"#).unwrap();
    let t = Table::new(&mut store, TableType::new(RefType::EXTERNREF, 1, None), Ref::Extern(None)).unwrap();
    assert_err(Instance::new(&mut store, &wants_table, &[t.into()]), &["incompatible import type"]);
    assert_usable(&mut store);
}

// ------------------------------------------------------------------- calls

#[test]
fn wrong_arity_and_types_to_func_call_are_errors() {
    let mut store = store();
    let module = Module::new(store.engine(), ADD).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let add = instance.get_func(&mut store, "add").unwrap();
    let mut one = [Val::I32(0)];
    assert_err(add.call(&mut store, &[Val::I32(1)], &mut one), &["expected 2 arguments, got 1"]);
    assert_err(add.call(&mut store, &[Val::I32(1), Val::I32(2), Val::I32(3)], &mut one), &["expected 2 arguments, got 3"]);
    assert_err(add.call(&mut store, &[Val::I32(1), Val::I64(2)], &mut one), &["argument type mismatch"]);
    assert_err(add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut []), &["expected 1 results, got 0"]);
    assert_err(add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut [Val::I32(0), Val::I32(0)]), &["expected 1 results, got 2"]);
    // And the right call still works on the same function.
    add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut one).unwrap();
    assert_eq!(one[0].i32(), Some(3));
    assert_usable(&mut store);
}

#[test]
fn wrong_typed_signatures_are_errors() {
    let mut store = store();
    let module = Module::new(store.engine(), ADD).unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    assert_err(instance.get_typed_func::<(i32, i64), i32>(&mut store, "add").map(drop), &["type mismatch"]);
    assert_err(instance.get_typed_func::<(i32, i32), f32>(&mut store, "add").map(drop), &["type mismatch"]);
    assert_err(instance.get_typed_func::<(), ()>(&mut store, "missing").map(drop), &["failed to find function export `missing`"]);
    let add = instance.get_func(&mut store, "add").unwrap();
    assert_err(add.typed::<i32, i32>(&store).map(drop), &["type mismatch"]);
    assert_usable(&mut store);
}

#[test]
fn host_function_returning_the_wrong_result_type_traps() {
    let mut store = store();
    let engine = store.engine().clone();
    let f = Func::new(&mut store, FuncType::new(&engine, [], [ValType::I32]), |_, _, results| {
        results[0] = Val::I64(7);
        Ok(())
    });
    assert_err(f.call(&mut store, &[], &mut [Val::I32(0)]), &["result 0 has type i64, expected i32"]);
    assert_usable(&mut store);
}

// ------------------------------------------------------------- cross-store

/// Two stores on one engine, with an instance of `wat` in the first.
fn two_stores(wat: &str) -> (Store<()>, Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut a = Store::new(&engine, ());
    let b = Store::new(&engine, ());
    let instance = Instance::new(&mut a, &module, &[]).unwrap();
    (a, b, instance)
}

const EVERYTHING: &str = r#"(module
    (memory (export "m") 1 3)
    (global (export "g") (mut i32) (i32.const 5))
    (table (export "t") 2 funcref)
    (func (export "id") (param i32) (result i32) local.get 0)
    (func (export "take_f") (param funcref))
    (func (export "take_e") (param externref)))"#;

#[test]
fn objects_from_another_store_are_errors() {
    let (mut a, mut b, instance) = two_stores(EVERYTHING);
    let id = instance.get_func(&mut a, "id").unwrap();
    let typed = id.typed::<i32, i32>(&a).unwrap();
    let mem = instance.get_memory(&mut a, "m").unwrap();
    let g = instance.get_global(&mut a, "g").unwrap();
    let t = instance.get_table(&mut a, "t").unwrap();
    let wrong = "wrong store";

    // As in `wasmtime`, using an object with another store panics; a
    // reference of another store passed as a value is an `Err` (below).
    assert_panics(|| id.call(&mut b, &[Val::I32(1)], &mut [Val::I32(0)]), "object used with the wrong store");
    assert_panics(|| typed.call(&mut b, 1), "object used with the wrong store");
    assert_panics(|| id.ty(&b), "object used with the wrong store");
    assert_panics(|| mem.read(&b, 0, &mut [0; 4]), "object used with the wrong store");
    assert_panics(|| mem.write(&mut b, 0, &[1]), "object used with the wrong store");
    assert_panics(|| mem.grow(&mut b, 1), "object used with the wrong store");
    assert_panics(|| mem.size(&b), "object used with the wrong store");
    assert_panics(|| g.get(&mut b), "object used with the wrong store");
    assert_panics(|| g.set(&mut b, Val::I32(1)), "object used with the wrong store");
    assert_panics(|| t.get(&mut b, 0), "object used with the wrong store");
    assert_panics(|| t.set(&mut b, 0, Ref::Func(None)), "object used with the wrong store");
    assert!(instance.get_export(&mut b, "id").is_none());
    assert_eq!(instance.exports(&mut b).len(), 0);

    // References from store `b` passed as arguments in store `a`.
    let take_f = instance.get_func(&mut a, "take_f").unwrap();
    let foreign_f = Func::wrap(&mut b, || {});
    assert_err(take_f.call(&mut a, &[Val::FuncRef(Some(foreign_f))], &mut []), &[wrong]);
    assert_err(take_f.typed::<Option<Func>, ()>(&a).unwrap().call(&mut a, Some(foreign_f)), &[wrong]);
    assert_err(t.set(&mut a, 0, Ref::Func(Some(foreign_f))), &[wrong]);
    let take_e = instance.get_func(&mut a, "take_e").unwrap();
    let foreign_e = ExternRef::new(&mut b, 7u32).unwrap();
    assert_err(take_e.call(&mut a, &[Val::ExternRef(Some(foreign_e))], &mut []), &[wrong]);
    assert_panics(|| foreign_e.data(&a).map(drop), "object used with wrong store");

    // Linker and imports.
    let mut linker = Linker::<()>::new(a.engine());
    // `define` panics as in `wasmtime`; `instance` and imports are an `Err`.
    assert_panics(|| linker.define(&mut b, "env", "id", id).map(drop), "object used with the wrong store");
    assert_err(linker.instance(&mut b, "inst", instance).map(drop), &[wrong]);
    let imports_f = Module::new(a.engine(), IMPORTS_F).unwrap();
    assert_err(Instance::new(&mut b, &imports_f, &[id.into()]), &[wrong]);

    // `Memory::data` cannot return a `Result`; like `wasmtime` it panics.
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| mem.data(&b).len())).unwrap_err();
    assert!(panic.downcast_ref::<&str>().is_some_and(|m| m.contains(wrong)) || panic.downcast_ref::<String>().is_some_and(|m| m.contains(wrong)));

    // Both stores still work, and the objects still work in their own store.
    assert_eq!(typed.call(&mut a, 9).unwrap(), 9);
    assert_eq!(g.get(&mut a).i32(), Some(5));
    take_f.call(&mut a, &[Val::FuncRef(Some(id))], &mut []).unwrap();
    assert_usable(&mut a);
    assert_usable(&mut b);
}

#[test]
fn objects_from_another_engine_are_errors() {
    let e1 = Engine::default();
    let e2 = Engine::default();
    let m1 = Module::new(&e1, IMPORTS_F).unwrap();
    let mut s2 = Store::new(&e2, ());
    // Wasmtime says "cross-`Engine` ..."; the linker's own check "... different engine ...".
    let cross = "engine";
    assert_err(Instance::new(&mut s2, &m1, &[]), &[cross]);
    let linker2 = Linker::<()>::new(&e2);
    assert_err(linker2.instantiate(&mut s2, &m1), &[cross]);
    assert_err(linker2.instantiate_pre(&m1).map(drop), &[cross]);
    let mut l2 = Linker::<()>::new(&e2);
    assert_err(l2.module(&mut s2, "m", &m1).map(drop), &[cross]);
    // An import from a store on another engine.
    let mut s1 = Store::new(&e1, ());
    let f1 = Func::wrap(&mut s1, |x: i32| x);
    let m2 = Module::new(&e2, IMPORTS_F).unwrap();
    assert_err(Instance::new(&mut s2, &m2, &[f1.into()]), &["wrong store"]);
    // InstancePre from engine 1, store from engine 2.
    let mut l1 = Linker::<()>::new(&e1);
    l1.func_wrap("env", "f", |x: i32| x).unwrap();
    let pre = l1.instantiate_pre(&m1).unwrap();
    assert_err(pre.instantiate(&mut s2), &[cross]);
    // A linker of engine 1 with a store and module of engine 2.
    let m2_add = Module::new(&e2, ADD).unwrap();
    assert_err(l1.instantiate(&mut s2, &m2_add), &["engine"]);
    assert_err(l1.instantiate_pre(&m2_add).map(drop), &["engine"]);
    assert_usable(&mut s1);
    assert_usable(&mut s2);
}

#[test]
fn linker_get_with_a_store_of_another_engine_is_not_an_abort() {
    let e1 = Engine::default();
    let mut l1 = Linker::<()>::new(&e1);
    l1.func_wrap("env", "f", |x: i32| x).unwrap();
    let mut s2 = Store::new(&Engine::default(), ());
    assert!(l1.get(&mut s2, "env", "f").is_err());
    assert_usable(&mut s2);
}

#[test]
fn linker_module_with_a_store_of_another_engine_is_an_error() {
    let e1 = Engine::default();
    let mut l1 = Linker::<()>::new(&e1);
    let e2 = Engine::default();
    let mut s2 = Store::new(&e2, ());
    let m2 = Module::new(&e2, ADD).unwrap();
    assert_err(l1.module(&mut s2, "m", &m2).map(drop), &["engine"]);
    assert_usable(&mut s2);
}

#[test]
fn linker_get_default_with_a_store_of_another_engine_is_an_error() {
    let e1 = Engine::default();
    let mut l1 = Linker::<()>::new(&e1);
    l1.func_wrap("m", "", || {}).unwrap();
    let mut s2 = Store::new(&Engine::default(), ());
    assert_err(l1.get_default(&mut s2, "m"), &["engine"]);
    assert_usable(&mut s2);
}

// ------------------------------------------------------------------ memory

#[test]
fn out_of_bounds_memory_access_is_an_error() {
    let mut store = store();
    let module = Module::new(
        store.engine(),
        r#"(module (memory (export "m") 1) (func (export "load") (param i32) (result i32) local.get 0 i32.load))"#,
    )
    .unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let mem = instance.get_memory(&mut store, "m").unwrap();
    let oob = "out of bounds";
    let mut buf = [0u8; 8];
    assert_err(mem.read(&store, 65536 - 4, &mut buf).map_err(Error::from), &[oob]);
    assert_err(mem.write(&mut store, 65536, &[1]).map_err(Error::from), &[oob]);
    assert_err(mem.read(&store, usize::MAX, &mut buf).map_err(Error::from), &[oob]);
    assert_err(mem.write(&mut store, usize::MAX - 2, &buf).map_err(Error::from), &[oob]);
    let load = instance.get_typed_func::<i32, i32>(&mut store, "load").unwrap();
    let err = assert_err(load.call(&mut store, 65534), &[oob]);
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::MemoryOutOfBounds));
    // In-bounds access right at the end still works.
    mem.write(&mut store, 65532, &[1, 0, 0, 0]).unwrap();
    assert_eq!(load.call(&mut store, 65532).unwrap(), 1);
    assert_usable(&mut store);
}

// ----------------------------------------------------------- tables/globals

#[test]
fn table_and_global_type_mismatches_are_errors() {
    let mut store = store();
    let g = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(1)).unwrap();
    assert_err(g.set(&mut store, Val::I64(2)), &["type mismatch"]);
    let c = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Const), Val::I32(1)).unwrap();
    assert_err(c.set(&mut store, Val::I32(2)), &["immutable"]);
    assert_err(Global::new(&mut store, GlobalType::new(ValType::F64, Mutability::Const), Val::I32(1)), &["type mismatch"]);
    let t = Table::new(&mut store, TableType::new(RefType::FUNCREF, 2, Some(4)), Ref::Func(None)).unwrap();
    assert_err(t.set(&mut store, 0, Ref::Extern(None)), &["type mismatch"]);
    assert_err(Table::new(&mut store, TableType::new(RefType::FUNCREF, 1, None), Ref::Extern(None)), &["type mismatch"]);
    assert_err(t.set(&mut store, 2, Ref::Func(None)), &["out of bounds"]);
    assert!(t.get(&mut store, 2).is_none());
    assert!(t.get(&mut store, u64::MAX).is_none());
    // The objects still work.
    g.set(&mut store, Val::I32(3)).unwrap();
    assert_eq!(g.get(&mut store).i32(), Some(3));
    assert_eq!(c.get(&mut store).i32(), Some(1));
    assert_usable(&mut store);
}

// ----------------------------------------------------------- growth/limits

#[test]
fn growth_past_the_maximum_is_an_error() {
    let mut store = store();
    let module = Module::new(
        store.engine(),
        r#"(module (memory (export "m") 1 2) (table (export "t") 1 2 funcref)
            (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    )
    .unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let mem = instance.get_memory(&mut store, "m").unwrap();
    let t = instance.get_table(&mut store, "t").unwrap();
    assert_err(mem.grow(&mut store, 2), &["grow"]);
    assert_err(mem.grow(&mut store, u64::MAX), &["grow"]);
    assert_eq!(mem.size(&store), 1);
    assert_err(t.grow(&mut store, 5, Ref::Func(None)), &["grow"]);
    assert_eq!(t.size(&store), 1);
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 5).unwrap(), -1);
    // Growing within the maximum still works.
    assert_eq!(mem.grow(&mut store, 1).unwrap(), 1);
    assert_eq!(t.grow(&mut store, 1, Ref::Func(None)).unwrap(), 1);
    assert_usable(&mut store);
}

#[test]
fn store_limits_are_errors() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, StoreLimitsBuilder::new().memory_size(2 << 16).table_elements(10).instances(3).build());
    store.limiter(|limits| limits);
    let module = Module::new(
        &engine,
        r#"(module (memory (export "m") 1) (table (export "t") 1 funcref)
            (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    )
    .unwrap();
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let mem = instance.get_memory(&mut store, "m").unwrap();
    assert_err(mem.grow(&mut store, 2), &["grow"]);
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    let t = instance.get_table(&mut store, "t").unwrap();
    assert_err(t.grow(&mut store, 10, Ref::Func(None)), &["grow"]);
    let big_table = Module::new(&engine, r#"(module (table 11 funcref))"#).unwrap();
    assert_err(Instance::new(&mut store, &big_table, &[]), &["table"]);
    let big_mem = Module::new(&engine, r#"(module (memory 3))"#).unwrap();
    assert_err(Instance::new(&mut store, &big_mem, &[]), &["memory"]);
    // The existing instance still runs.
    assert_eq!(grow.call(&mut store, 0).unwrap(), 2);
    // Instances (Wasmtime counts failed instantiations too, so a fresh store).
    let mut store = Store::new(&engine, StoreLimitsBuilder::new().instances(2).build());
    store.limiter(|limits| limits);
    let small = Module::new(&engine, ADD).unwrap();
    Instance::new(&mut store, &small, &[]).unwrap();
    Instance::new(&mut store, &small, &[]).unwrap();
    assert_err(Instance::new(&mut store, &small, &[]), &["instance count too high"]);
    // And a fresh store on the same engine is unaffected.
    assert_usable(&mut Store::new(&engine, ()));
}

// ------------------------------------------------------------------ config

#[test]
fn unsupported_config_is_an_error() {
    let winch = if wasmtime_mbt::sys::build::BUNDLED { "winch support not compiled in" } else { "cannot check the Winch strategy" };
    assert_err(Engine::new(Config::new().strategy(Strategy::Winch)), &[winch]);
    assert_err(Config::new().target("bogus-triple").map(drop), &["bogus"]);
    assert_err(Config::new().target("x86_64\0-linux").map(drop), &["nul"]);
    // SAFETY: the string is rejected before reaching Wasmtime.
    assert_err(unsafe { Config::new().cranelift_flag_enable("opt\0level") }.map(drop), &["nul"]);
    assert_err(Config::new().cache_config_load(Some(std::path::Path::new("/no/such/cache.toml"))).map(drop), &["failed to read config file"]);
    let dir = std::env::temp_dir().join(format!("wasmtime-mbt-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("cache.toml");
    std::fs::write(&bad, "this is [not valid toml").unwrap();
    assert_err(Config::new().cache_config_load(Some(&bad)).map(drop), &["config file"]);
    std::fs::write(&bad, "[cache]\nno-such-key = 1\n").unwrap();
    assert_err(Config::new().cache_config_load(Some(&bad)).map(drop), &["config file"]);
    std::fs::remove_dir_all(&dir).ok();
    // The process still makes working engines.
    assert_usable(&mut Store::new(&Engine::new(&Config::new()).unwrap(), ()));
}

// ----------------------------------------------------------- serialization

#[test]
fn deserializing_bad_bytes_is_an_error() {
    let engine = Engine::default();
    let good = engine.precompile_module(ADD.as_bytes()).unwrap();
    // SAFETY (all below): Wasmtime checks the header before trusting any
    // code; every input here fails that check.
    let mut corrupted = good.clone();
    corrupted[..16].copy_from_slice(&[0xAA; 16]);
    assert_err(unsafe { Module::deserialize(&engine, &corrupted) }.map(drop), &[]);
    assert_err(unsafe { Module::deserialize(&engine, &good[..good.len() / 3]) }.map(drop), &[]);
    assert_err(unsafe { Module::deserialize(&engine, b"") }.map(drop), &[]);
    let fuel_engine = Engine::new(Config::new().consume_fuel(true)).unwrap();
    assert_err(unsafe { Module::deserialize(&fuel_engine, &good) }.map(drop), &["fuel"]);
    let path = std::env::temp_dir().join(format!("wasmtime-mbt-bad-input-{}.cwasm", std::process::id()));
    std::fs::write(&path, b"garbage, not an ELF file").unwrap();
    assert_err(unsafe { Module::deserialize_file(&engine, &path) }.map(drop), &[]);
    std::fs::remove_file(&path).ok();
    // The good bytes still load.
    let module = unsafe { Module::deserialize(&engine, &good) }.unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    assert_eq!(instance.get_typed_func::<(i32, i32), i32>(&mut store, "add").unwrap().call(&mut store, (1, 1)).unwrap(), 2);
}

// ------------------------------------------------------------------- names

#[test]
fn interior_nul_in_linker_names_is_kept_exactly() {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("en\0v", "f\0x", |x: i32| x + 1).unwrap();
    // Names are passed with their length: "en\0v" is not "en".
    let truncated = Module::new(&engine, r#"(module (import "en" "f" (func (param i32) (result i32))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    assert_err(linker.instantiate(&mut store, &truncated), &["unknown import"]);
    let exact = Module::new(
        &engine,
        r#"(module (import "en\00v" "f\00x" (func $f (param i32) (result i32)))
            (func (export "run\00!") (param i32) (result i32) local.get 0 call $f))"#,
    )
    .unwrap();
    let instance = linker.instantiate(&mut store, &exact).unwrap();
    assert!(instance.get_func(&mut store, "run").is_none());
    let run = instance.get_typed_func::<i32, i32>(&mut store, "run\0!").unwrap();
    assert_eq!(run.call(&mut store, 1).unwrap(), 2);
    assert!(linker.get(&mut store, "en\0v", "f\0x").is_ok());
    assert!(linker.get(&mut store, "en", "f").is_err());
    assert_usable(&mut store);
}
