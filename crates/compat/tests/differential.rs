#![cfg(feature = "native")]
//! Differential testing (issue 9): random small modules run through
//! `wasmtime_mbt` and through the native `wasmtime` crate (same version, same
//! process) must give identical results or identical trap codes.
//!
//! `wasm-smith` would perturb the dependency graph (it needs `arbitrary`'s
//! `derive` feature, which Wasmtime's copy lacks, so Wasmtime would be
//! rebuilt), so a small seeded generator below builds the modules as WAT:
//! integer expression trees over i32/i64 with division, shifts, rotations,
//! conversions, `select`, memory loads/stores (some out of bounds), globals,
//! calls between functions, and rare `unreachable`. Every export takes no
//! parameters. `WASMTIME_MBT_DIFF_SEED` / `WASMTIME_MBT_DIFF_MODULES`
//! override the seed (default 9) and the count (default 300).

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

/// The outcome of one call, comparable across the two runtimes.
#[derive(Debug, PartialEq)]
enum Outcome {
    Value(i64),
    Trap(String),
}

fn run_mbt(engine: &mbt::Engine, wat: &str, exports: &[(String, Ty)]) -> Vec<Outcome> {
    let module = mbt::Module::new(engine, wat).unwrap_or_else(|e| panic!("mbt compile: {e}\n{wat}"));
    let mut store = mbt::Store::new(engine, ());
    let instance = mbt::Instance::new(&mut store, &module, &[]).unwrap();
    exports
        .iter()
        .map(|(name, ty)| {
            let f = instance.get_func(&mut store, name).unwrap();
            let mut out = [mbt::Val::default_for_ty(&match ty {
                Ty::I32 => mbt::ValType::I32,
                Ty::I64 => mbt::ValType::I64,
            })
            .unwrap()];
            match f.call(&mut store, &[], &mut out) {
                Ok(()) => Outcome::Value(out[0].i32().map(i64::from).or(out[0].i64()).unwrap()),
                Err(e) => Outcome::Trap(format!("{:?}", e.downcast_ref::<mbt::Trap>().unwrap_or_else(|| panic!("non-trap error {e:?}")))),
            }
        })
        .collect()
}

fn run_native(engine: &wasmtime::Engine, wat: &str, exports: &[(String, Ty)]) -> Vec<Outcome> {
    let module = wasmtime::Module::new(engine, wat).unwrap();
    let mut store = wasmtime::Store::new(engine, ());
    let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
    exports
        .iter()
        .map(|(name, _)| {
            let f = instance.get_func(&mut store, name).unwrap();
            let ty = f.ty(&store);
            let mut out = [ty.results().next().map(|t| wasmtime::Val::default_for_ty(&t).unwrap()).unwrap()];
            match f.call(&mut store, &[], &mut out) {
                Ok(()) => Outcome::Value(out[0].i32().map(i64::from).or(out[0].i64()).unwrap()),
                Err(e) => Outcome::Trap(format!("{:?}", e.downcast_ref::<wasmtime::Trap>().unwrap_or_else(|| panic!("non-trap error {e:?}")))),
            }
        })
        .collect()
}

#[test]
fn mbt_and_native_wasmtime_agree_on_random_modules() {
    let seed = std::env::var("WASMTIME_MBT_DIFF_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(9u64);
    let count = std::env::var("WASMTIME_MBT_DIFF_MODULES").ok().and_then(|s| s.parse().ok()).unwrap_or(300usize);
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mbt_engine = mbt::Engine::default();
    let native_engine = wasmtime::Engine::default();
    let (mut calls, mut traps) = (0, 0);
    for i in 0..count {
        let (wat, exports) = module(&mut rng);
        let ours = run_mbt(&mbt_engine, &wat, &exports);
        let theirs = run_native(&native_engine, &wat, &exports);
        assert_eq!(ours, theirs, "module {i} (seed {seed}) differs:\n{wat}");
        calls += ours.len();
        traps += ours.iter().filter(|o| matches!(o, Outcome::Trap(_))).count();
    }
    println!("differential: {count} modules, {calls} calls, {traps} traps, all identical");
    assert!(traps > 0 && traps < calls, "the generator should produce both traps and values");
}
