#![cfg(feature = "native")]
//! Differential testing (issues 9 and 15): native `wasmtime` and
//! `wasmtime_mbt` (same version, same process) must agree. The checks are
//! the fuzz targets' own (`fuzz/src/*.rs`, included below, not copied):
//! - `differential_corpus`: every module in `fuzz/corpus/differential/`
//!   (replay files: a module made by `wasm-smith` and the bytes its
//!   arguments are drawn from), every export called on both crates;
//!   results, trap codes, fuel, exported globals, tables and memory hashes
//!   must agree;
//! - `api_sequence_corpus`: every input in `fuzz/corpus/api_sequence/`, a
//!   sequence of safe-API operations that must not abort, must agree with
//!   native and must leave no C object, host closure or `ExternRef` payload
//!   alive once dropped;
//! - `generated_modules_agree`: random small modules from a seeded
//!   generator (integer expression trees over i32/i64 with division,
//!   shifts, conversions, `select`, loads/stores partly out of bounds,
//!   globals, calls, rare `unreachable`) through the same `differential`
//!   check. `WASMTIME_MBT_DIFF_SEED` / `WASMTIME_MBT_DIFF_MODULES` override
//!   the seed (default 9) and the count (default 300).
//!
//! The leak counts are process-wide, so the tests take a lock.

#[allow(dead_code)]
#[path = "../../../fuzz/src/differential.rs"]
mod differential;
#[allow(dead_code)]
#[path = "../../../fuzz/src/api_sequence.rs"]
mod api_sequence;

use std::path::PathBuf;
use std::sync::Mutex;

use arbitrary::Unstructured;
use wasmtime_mbt as mbt;
use wasmtime_mbt_compat::Rng;

/// An integer, often an edge case.
fn int(rng: &mut Rng) -> i64 {
    match rng.below(6) {
        0 => 0,
        1 => -1,
        2 => *rng.pick(&[i64::MIN, i64::MAX, i32::MIN as i64, i32::MAX as i64, 1, 31, 32, 63, 64, 65535, 65536]),
        _ => rng.next() as i64 >> rng.below(60),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    I32,
    I64,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
        }
    }
}

/// A random expression of type `ty`, at most `depth` deep. `funcs` are the
/// earlier functions (index, result type) that may be called.
fn expr(rng: &mut Rng, ty: Ty, depth: u32, funcs: &[(usize, Ty)]) -> String {
    let t = ty.name();
    if depth == 0 || rng.below(5) == 0 {
        return match rng.below(3) {
            0 => format!("(global.get $g{t})"),
            _ => match ty {
                Ty::I32 => format!("(i32.const {})", int(rng) as i32),
                Ty::I64 => format!("(i64.const {})", int(rng)),
            },
        };
    }
    let d = depth - 1;
    match rng.below(14) {
        0..=4 => {
            let op = rng.pick(&["add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"]);
            format!("({t}.{op} {} {})", expr(rng, ty, d, funcs), expr(rng, ty, d, funcs))
        }
        5 => {
            let op = rng.pick(&["clz", "ctz", "popcnt"]);
            format!("({t}.{op} {})", expr(rng, ty, d, funcs))
        }
        6 => {
            // A comparison or eqz: always i32, extended if i64 is wanted.
            let inner = rng.pick(&[Ty::I32, Ty::I64]).to_owned();
            let it = inner.name();
            let cmp = match rng.below(2) {
                0 => format!("({it}.eqz {})", expr(rng, inner, d, funcs)),
                _ => {
                    let op = rng.pick(&["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]);
                    format!("({it}.{op} {} {})", expr(rng, inner, d, funcs), expr(rng, inner, d, funcs))
                }
            };
            match ty {
                Ty::I32 => cmp,
                Ty::I64 => format!("(i64.extend_i32_u {cmp})"),
            }
        }
        7 => match ty {
            Ty::I32 => format!("(i32.wrap_i64 {})", expr(rng, Ty::I64, d, funcs)),
            Ty::I64 => format!("(i64.extend_i32_s {})", expr(rng, Ty::I32, d, funcs)),
        },
        8 => format!("(select {} {} {})", expr(rng, ty, d, funcs), expr(rng, ty, d, funcs), expr(rng, Ty::I32, d, funcs)),
        9 => {
            // Loads: the address is masked to mostly stay in bounds, or not.
            let addr = expr(rng, Ty::I32, d, funcs);
            let addr = if rng.below(4) == 0 { addr } else { format!("(i32.and {addr} (i32.const 0xfff8))") };
            format!("({t}.load offset={} {addr})", rng.below(16))
        }
        10 => {
            // A store, then a value.
            let addr = format!("(i32.and {} (i32.const 0xfff8))", expr(rng, Ty::I32, d, funcs));
            format!("(block (result {t}) ({t}.store {addr} {}) {})", expr(rng, ty, d, funcs), expr(rng, ty, d, funcs))
        }
        11 => {
            let callable: Vec<_> = funcs.iter().filter(|(_, r)| *r == ty).collect();
            if callable.is_empty() || rng.below(3) == 0 {
                format!("(block (result {t}) (global.set $g{t} {}) (global.get $g{t}))", expr(rng, ty, d, funcs))
            } else {
                format!("(call $f{})", rng.pick(&callable).0)
            }
        }
        12 if rng.below(8) == 0 => format!("(block (result {t}) (unreachable))"),
        _ => format!("(if (result {t}) {} (then {}) (else {}))", expr(rng, Ty::I32, d, funcs), expr(rng, ty, d, funcs), expr(rng, ty, d, funcs)),
    }
}

fn module(rng: &mut Rng) -> (String, Vec<(String, Ty)>) {
    let mut wat = String::from("(module (memory 1) (global $gi32 (mut i32) (i32.const 7)) (global $gi64 (mut i64) (i64.const -3))\n");
    wat.push_str("  (data (i32.const 0) \"\\01\\02\\03\\04\\05\\06\\07\\08\\ff\\fe\\fd\\fc\")\n");
    let mut funcs = Vec::new();
    let mut exports = Vec::new();
    for i in 0..1 + rng.below(4) as usize {
        let ty = *rng.pick(&[Ty::I32, Ty::I64]);
        let depth = 2 + rng.below(4) as u32;
        let body = expr(rng, ty, depth, &funcs);
        let name = format!("f{i}");
        wat.push_str(&format!("  (func $f{i} (export \"{name}\") (result {}) {body})\n", ty.name()));
        funcs.push((i, ty));
        exports.push((name, ty));
    }
    wat.push(')');
    (wat, exports)
}

/// Serialises the tests (the live-object counts are process-wide).
static LOCK: Mutex<()> = Mutex::new(());

/// The files of `fuzz/corpus/<target>`, sorted by name.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).collect();
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

#[test]
fn differential_corpus() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let files = corpus("differential");
    let (mut instantiated, mut calls, mut traps) = (0, 0, 0);
    for (path, data) in &files {
        let s = differential::replay(data).unwrap_or_else(|| panic!("{}: not a replay file", path.display()));
        instantiated += usize::from(s.instantiated);
        calls += s.calls;
        traps += s.traps;
    }
    println!("differential corpus: {} modules, {instantiated} instantiated, {calls} calls, {traps} traps, all identical", files.len());
    assert!(calls > traps && traps > 0, "the corpus should make both calls that return and calls that trap");
}

#[test]
fn api_sequence_corpus() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let files = corpus("api_sequence");
    let mut ops = 0;
    for (_, data) in &files {
        ops += api_sequence::check(data).ops;
    }
    println!("api_sequence corpus: {} inputs, {ops} operations, all identical, nothing left alive", files.len());
    assert!(ops > files.len(), "the corpus should run operations");
}

#[test]
fn generated_modules_agree() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let seed = std::env::var("WASMTIME_MBT_DIFF_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(9u64);
    let count = std::env::var("WASMTIME_MBT_DIFF_MODULES").ok().and_then(|s| s.parse().ok()).unwrap_or(300usize);
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (mut calls, mut traps) = (0, 0);
    for i in 0..count {
        let (wat, exports) = module(&mut rng);
        let wasm = mbt::wat2wasm(wat.as_bytes()).unwrap_or_else(|e| panic!("module {i}: {e}\n{wat}"));
        // The choices of export come from seeded bytes too.
        let bytes: Vec<u8> = (0..4 * exports.len()).map(|_| rng.next() as u8).collect();
        let s = differential::check(&wasm, &mut Unstructured::new(&bytes));
        assert!(s.instantiated, "module {i} (seed {seed}) did not instantiate:\n{wat}");
        calls += s.calls;
        traps += s.traps;
    }
    println!("differential: {count} modules, {calls} calls, {traps} traps, all identical");
    assert!(traps > 0 && traps < calls, "the generator should produce both traps and values");
}

// Regression tests for the fuzzing findings (`docs/RELIABILITY.md`,
// "Fuzzing"). Each compares the two crates directly.

/// What a closure did: returned (`Ok`/`Err`) or panicked (with the message).
fn outcome<R>(f: impl FnOnce() -> Result<R, String>) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(_)) => "ok".into(),
        Ok(Err(_)) => "err".into(),
        Err(p) => format!("panic: {}", p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default()),
    }
}

/// Finding 1 (fixed): a handle used with another store returned `Err` where
/// native `wasmtime` panics with "object used with the wrong store" (it
/// returns `Err` only for `Instance::new`'s imports).
#[test]
fn wrong_store_use_panics_as_natively() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let me = mbt::Engine::default();
    let (mut a, mut b) = (mbt::Store::new(&me, ()), mbt::Store::new(&me, ()));
    let mm = mbt::Memory::new(&mut a, mbt::MemoryType::new(1, None)).unwrap();
    let mg = mbt::Global::new(&mut a, mbt::GlobalType::new(mbt::ValType::I32, mbt::Mutability::Var), mbt::Val::I32(1)).unwrap();
    let mt = mbt::Table::new(&mut a, mbt::TableType::new(mbt::RefType::FUNCREF, 1, None), mbt::Ref::Func(None)).unwrap();
    let mf = mbt::Func::wrap(&mut a, |x: i32| x);
    let mut ml = mbt::Linker::<()>::new(&me);
    let ne = wasmtime::Engine::default();
    let (mut na, mut nb) = (wasmtime::Store::new(&ne, ()), wasmtime::Store::new(&ne, ()));
    let nm = wasmtime::Memory::new(&mut na, wasmtime::MemoryType::new(1, None)).unwrap();
    let ng = wasmtime::Global::new(&mut na, wasmtime::GlobalType::new(wasmtime::ValType::I32, wasmtime::Mutability::Var), wasmtime::Val::I32(1)).unwrap();
    let nt = wasmtime::Table::new(&mut na, wasmtime::TableType::new(wasmtime::RefType::FUNCREF, 1, None), wasmtime::Ref::Func(None)).unwrap();
    let nf = wasmtime::Func::wrap(&mut na, |x: i32| x);
    let mut nl = wasmtime::Linker::<()>::new(&ne);
    let s = |r: mbt::Result<()>| r.map_err(|e| e.to_string());
    let t = |r: wasmtime::Result<()>| r.map_err(|e| e.to_string());
    let cases: Vec<(&str, String, String)> = vec![
        ("Memory::grow", outcome(|| s(mm.grow(&mut b, 1).map(drop))), outcome(|| t(nm.grow(&mut nb, 1).map(drop)))),
        ("Global::set", outcome(|| s(mg.set(&mut b, mbt::Val::I32(2)))), outcome(|| t(ng.set(&mut nb, wasmtime::Val::I32(2))))),
        ("Table::grow", outcome(|| s(mt.grow(&mut b, 1, mbt::Ref::Func(None)).map(drop))), outcome(|| t(nt.grow(&mut nb, 1, wasmtime::Ref::Func(None)).map(drop)))),
        ("Table::set", outcome(|| s(mt.set(&mut b, 0, mbt::Ref::Func(None)))), outcome(|| t(nt.set(&mut nb, 0, wasmtime::Ref::Func(None))))),
        ("Func::call", outcome(|| s(mf.call(&mut b, &[mbt::Val::I32(1)], &mut [mbt::Val::I32(0)]))), outcome(|| t(nf.call(&mut nb, &[wasmtime::Val::I32(1)], &mut [wasmtime::Val::I32(0)])))),
        ("Func::typed", outcome(|| s(mf.typed::<i32, i32>(&b).map(drop))), outcome(|| t(nf.typed::<i32, i32>(&nb).map(drop)))),
        ("Linker::define", outcome(|| s(ml.define(&mut b, "m", "m", mm).map(drop))), outcome(|| t(nl.define(&mut nb, "m", "m", nm).map(drop)))),
    ];
    let differing: Vec<_> = cases.iter().filter(|(_, m, n)| m != n).collect();
    assert!(differing.is_empty(), "(operation, mbt, native): {differing:#?}");
}

/// Finding 2 (fixed): a host function that panicked made `Func::call`
/// return `Err("host function panicked: …")`; native `wasmtime` resumes the
/// panic in the caller of `call`.
#[test]
fn host_panic_resumes_in_the_caller_as_natively() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let me = mbt::Engine::default();
    let mut ms = mbt::Store::new(&me, ());
    let mf = mbt::Func::wrap(&mut ms, |_: i32| -> i32 { panic!("boom") });
    let ne = wasmtime::Engine::default();
    let mut ns = wasmtime::Store::new(&ne, ());
    let nf = wasmtime::Func::wrap(&mut ns, |_: i32| -> i32 { panic!("boom") });
    let m = outcome(|| mf.call(&mut ms, &[mbt::Val::I32(1)], &mut [mbt::Val::I32(0)]).map_err(|e| e.to_string()));
    let n = outcome(|| nf.call(&mut ns, &[wasmtime::Val::I32(1)], &mut [wasmtime::Val::I32(0)]).map_err(|e| e.to_string()));
    assert_eq!(n, "panic: boom");
    assert_eq!(m, n);
}

/// Finding 4 (fixed, a harness bug): an input
/// (`fuzz/regressions/api_sequence/finding-4-…`) where a dynamic call of an
/// `(externref) -> externref` export returned `Err` on the mbt side and
/// `[ExternRef(None)]` natively: an earlier mbt-only async call had set
/// `fuel_async_yield_interval` on the mbt store only, which (in both
/// crates) makes a store require `*_async` entry points.
#[test]
fn finding_4_call_agrees() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/api_sequence/finding-4-call-err-vs-ok");
    api_sequence::check(&std::fs::read(path).unwrap());
}

/// Every input under `fuzz/regressions/<target>/` (the fuzzing findings,
/// `docs/RELIABILITY.md`), replayed through the target's check, so that a
/// new finding needs only its file. Finding 7 (a harness bug):
/// `differential/finding-7-stack-overflow-fuel` recurses until the stack
/// overflows; how deep each crate gets depends on the host frames below
/// the entry point, so the fuel left differed by a few units; the check
/// now ends a run at the first stack overflow.
#[test]
fn fuzz_regressions_replay() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut n = 0;
    for target in ["differential", "api_sequence"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(target)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for path in files {
            let data = std::fs::read(&path).unwrap();
            println!("{}", path.display());
            if target == "differential" {
                differential::replay(&data).unwrap_or_else(|| panic!("{}: not a replay file", path.display()));
            } else {
                api_sequence::check(&data);
            }
            n += 1;
        }
    }
    assert!(n >= 3, "the regression inputs are missing");
}

/// Finding 6 (fixed): `Table::set` out of bounds returned an `Err` without
/// a trap code; native `wasmtime`'s error downcasts to
/// `Trap::TableOutOfBounds`.
#[test]
fn table_set_out_of_bounds_has_the_trap_code() {
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let me = mbt::Engine::default();
    let mut ms = mbt::Store::new(&me, ());
    let mt = mbt::Table::new(&mut ms, mbt::TableType::new(mbt::RefType::FUNCREF, 1, None), mbt::Ref::Func(None)).unwrap();
    let ne = wasmtime::Engine::default();
    let mut ns = wasmtime::Store::new(&ne, ());
    let nt = wasmtime::Table::new(&mut ns, wasmtime::TableType::new(wasmtime::RefType::FUNCREF, 1, None), wasmtime::Ref::Func(None)).unwrap();
    let m = mt.set(&mut ms, 5, mbt::Ref::Func(None)).unwrap_err().downcast_ref::<mbt::Trap>().map(|t| format!("{t:?}"));
    let n = nt.set(&mut ns, 5, wasmtime::Ref::Func(None)).unwrap_err().downcast_ref::<wasmtime::Trap>().map(|t| format!("{t:?}"));
    assert_eq!(n.as_deref(), Some("TableOutOfBounds"));
    assert_eq!(m, n);
}
