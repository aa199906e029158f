//! The `differential` check: one module, instantiated on native `wasmtime`
//! and on `wasmtime_mbt` (same Wasmtime version, same process), every
//! exported function called with arguments drawn from the input. Compilation
//! and instantiation outcomes, results, trap codes, remaining fuel, exported
//! globals, table sizes and a hash of every exported memory must agree after
//! each step; any difference panics (a fuzz finding).
//!
//! The fuzz target makes the module with `wasm-smith`; the corpus replay in
//! `crates/compat/tests/differential.rs` reads modules stored in
//! [`encode_replay`]'s format, so it needs no `wasm-smith` (whose `derive`
//! feature of `arbitrary` would rebuild Wasmtime in the main workspace).

use arbitrary::Unstructured;
use wasmtime_mbt as mbt;

/// Fuel given to each store: bounds infinite loops, and both crates must
/// consume exactly the same amount.
const FUEL: u64 = 100_000;
/// Most calls made per module.
const MAX_CALLS: usize = 64;

/// The prefix of a replay file: the module's bytes are stored, not made.
pub const REPLAY_MAGIC: &[u8; 8] = b"mbtwasm\0";

/// A replay file: [`REPLAY_MAGIC`], the module's length (u32, little
/// endian), the module, then the bytes the arguments are drawn from.
pub fn encode_replay(wasm: &[u8], args: &[u8]) -> Vec<u8> {
    let mut out = REPLAY_MAGIC.to_vec();
    out.extend_from_slice(&(wasm.len() as u32).to_le_bytes());
    out.extend_from_slice(wasm);
    out.extend_from_slice(args);
    out
}

/// Splits a replay file into the module and the argument bytes; `None` if
/// `data` is not one.
pub fn decode_replay(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = data.strip_prefix(REPLAY_MAGIC.as_slice())?;
    let len = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let rest = &rest[4..];
    (rest.len() >= len).then(|| rest.split_at(len))
}

/// The features both engines enable; the fuzz target asks `wasm-smith` for
/// modules within them.
pub fn mbt_config() -> mbt::Config {
    let mut c = mbt::Config::new();
    c.consume_fuel(true).wasm_multi_memory(true).wasm_bulk_memory(true).wasm_reference_types(true).wasm_simd(true).wasm_tail_call(true).wasm_multi_value(true);
    c
}

/// [`mbt_config`] for the native crate.
pub fn native_config() -> wasmtime::Config {
    let mut c = wasmtime::Config::new();
    c.consume_fuel(true).wasm_multi_memory(true).wasm_bulk_memory(true).wasm_reference_types(true).wasm_simd(true).wasm_tail_call(true).wasm_multi_value(true);
    c
}

/// A value, comparable across the two crates (floats by their bits).
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    /// A null reference of any kind.
    Null,
    /// A non-null function reference.
    Func,
    /// A non-null `externref`; its `u32` payload if it has one.
    Extern(Option<u32>),
    /// A non-null reference of another kind.
    OtherRef,
}

/// The outcome of one step, comparable across the two crates.
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum Outcome {
    Ok(Vec<Value>),
    /// A trap, with its code.
    Trap(String),
    /// An error that is not a trap; the text is not compared (wording may
    /// differ between the C API and the Rust API).
    Error,
}

/// A view of an instance's exported state after a step.
#[derive(Debug, PartialEq, Eq, Clone, Default)]
pub struct State {
    pub fuel: u64,
    pub globals: Vec<(String, Value)>,
    pub memories: Vec<(String, usize, u64)>,
    pub tables: Vec<(String, u64)>,
}

/// FNV-1a: a hash with no dependency, good enough to tell memories apart.
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// An argument drawn from the input for a parameter type.
#[derive(Debug, Clone)]
enum Arg {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    NullRef,
    Extern(u32),
}

/// The parameter types that arguments can be made for.
#[derive(Debug, Clone, Copy)]
enum Param {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
    /// Another (nullable) reference type: passed null.
    NullableRef,
}

/// Interesting bit patterns, often chosen over random ones.
fn edgy<T: Copy>(u: &mut Unstructured<'_>, edges: &[T], random: impl FnOnce(&mut Unstructured<'_>) -> T) -> T {
    if u.ratio(1, 3).unwrap_or(false) {
        *u.choose(edges).unwrap_or(&edges[0])
    } else {
        random(u)
    }
}

fn draw(u: &mut Unstructured<'_>, p: Param) -> Arg {
    match p {
        Param::I32 => Arg::I32(edgy(u, &[0, 1, -1, i32::MIN, i32::MAX, 65536], |u| u.arbitrary().unwrap_or(0))),
        Param::I64 => Arg::I64(edgy(u, &[0, 1, -1, i64::MIN, i64::MAX, 1 << 32], |u| u.arbitrary().unwrap_or(0))),
        Param::F32 => Arg::F32(edgy(u, &[0, 0x8000_0000, 0x7fc0_0000, 0x7f80_0000, 0xff80_0000, 0x7fa0_0001, 0x3f80_0000], |u| u.arbitrary().unwrap_or(0))),
        Param::F64 => Arg::F64(edgy(u, &[0, 1 << 63, 0x7ff8_0000_0000_0000, 0x7ff0_0000_0000_0000, 0x7ff4_0000_0000_0001, 0x3ff0_0000_0000_0000], |u| u.arbitrary().unwrap_or(0))),
        Param::V128 => Arg::V128(u.arbitrary().unwrap_or(0)),
        Param::FuncRef | Param::NullableRef => Arg::NullRef,
        Param::ExternRef => {
            if u.arbitrary().unwrap_or(false) {
                Arg::Extern(u.arbitrary().unwrap_or(0))
            } else {
                Arg::NullRef
            }
        }
    }
}

/// Why a function's signature is not called (no way to make an argument).
fn mbt_param(t: &mbt::ValType) -> Option<Param> {
    Some(match t {
        mbt::ValType::I32 => Param::I32,
        mbt::ValType::I64 => Param::I64,
        mbt::ValType::F32 => Param::F32,
        mbt::ValType::F64 => Param::F64,
        mbt::ValType::V128 => Param::V128,
        mbt::ValType::Ref(r) if !r.is_nullable() => return None,
        mbt::ValType::Ref(r) if matches!(r.heap_type().top(), mbt::HeapType::Func) => Param::FuncRef,
        mbt::ValType::Ref(r) if matches!(r.heap_type().top(), mbt::HeapType::Extern) => Param::ExternRef,
        mbt::ValType::Ref(_) => Param::NullableRef,
    })
}

mod mbt_side {
    use super::*;

    pub fn value(store: &mbt::Store<()>, v: &mbt::Val) -> Value {
        match v {
            mbt::Val::I32(x) => Value::I32(*x),
            mbt::Val::I64(x) => Value::I64(*x),
            mbt::Val::F32(x) => Value::F32(*x),
            mbt::Val::F64(x) => Value::F64(*x),
            mbt::Val::V128(x) => Value::V128(x.as_u128()),
            mbt::Val::FuncRef(None) | mbt::Val::ExternRef(None) | mbt::Val::AnyRef(None) => Value::Null,
            mbt::Val::FuncRef(Some(_)) => Value::Func,
            mbt::Val::ExternRef(Some(r)) => Value::Extern(r.data(store).ok().flatten().and_then(|d| d.downcast_ref::<u32>()).copied()),
            _ => Value::OtherRef,
        }
    }

    pub fn arg(store: &mut mbt::Store<()>, a: &Arg, ty: &mbt::ValType) -> mbt::Val {
        match a {
            Arg::I32(x) => mbt::Val::I32(*x),
            Arg::I64(x) => mbt::Val::I64(*x),
            Arg::F32(x) => mbt::Val::F32(*x),
            Arg::F64(x) => mbt::Val::F64(*x),
            Arg::V128(x) => mbt::Val::V128(mbt::V128::from(*x)),
            Arg::NullRef => mbt::Val::null_ref(ty.as_ref().expect("a reference parameter").heap_type()),
            Arg::Extern(n) => mbt::Val::ExternRef(Some(mbt::ExternRef::new(&mut *store, *n).expect("externref"))),
        }
    }

    pub fn outcome(store: &mbt::Store<()>, r: mbt::Result<Vec<mbt::Val>>) -> Outcome {
        match r {
            Ok(vals) => Outcome::Ok(vals.iter().map(|v| value(store, v)).collect()),
            Err(e) => match e.downcast_ref::<mbt::Trap>() {
                Some(t) => Outcome::Trap(format!("{t:?}")),
                None => Outcome::Error,
            },
        }
    }

    pub fn state(store: &mut mbt::Store<()>, module: &mbt::Module, instance: &mbt::Instance) -> State {
        let mut s = State { fuel: store.get_fuel().unwrap_or(0), ..State::default() };
        let names: Vec<String> = module.exports().map(|e| e.name().to_string()).collect();
        for name in names {
            match instance.get_export(&mut *store, &name) {
                Some(mbt::Extern::Global(g)) => {
                    let v = g.get(&mut *store);
                    s.globals.push((name, value(store, &v)));
                }
                Some(mbt::Extern::Memory(m)) => s.memories.push((name, m.data_size(&*store), fnv(m.data(&*store)))),
                Some(mbt::Extern::Table(t)) => s.tables.push((name, t.size(&*store))),
                _ => {}
            }
        }
        s
    }
}

mod native_side {
    use super::*;

    pub fn value(store: &mut wasmtime::Store<()>, v: &wasmtime::Val) -> Value {
        match v {
            wasmtime::Val::I32(x) => Value::I32(*x),
            wasmtime::Val::I64(x) => Value::I64(*x),
            wasmtime::Val::F32(x) => Value::F32(*x),
            wasmtime::Val::F64(x) => Value::F64(*x),
            wasmtime::Val::V128(x) => Value::V128(x.as_u128()),
            wasmtime::Val::FuncRef(None) | wasmtime::Val::ExternRef(None) | wasmtime::Val::AnyRef(None) | wasmtime::Val::ExnRef(None) | wasmtime::Val::ContRef(None) => Value::Null,
            wasmtime::Val::FuncRef(Some(_)) => Value::Func,
            wasmtime::Val::ExternRef(Some(r)) => Value::Extern(r.data(&*store).ok().flatten().and_then(|d| d.downcast_ref::<u32>()).copied()),
            _ => Value::OtherRef,
        }
    }

    pub fn arg(store: &mut wasmtime::Store<()>, a: &Arg, ty: &wasmtime::ValType) -> wasmtime::Val {
        match a {
            Arg::I32(x) => wasmtime::Val::I32(*x),
            Arg::I64(x) => wasmtime::Val::I64(*x),
            Arg::F32(x) => wasmtime::Val::F32(*x),
            Arg::F64(x) => wasmtime::Val::F64(*x),
            Arg::V128(x) => wasmtime::Val::V128(wasmtime::V128::from(*x)),
            Arg::NullRef => wasmtime::Val::null_ref(ty.as_ref().expect("a reference parameter").heap_type()),
            Arg::Extern(n) => wasmtime::Val::ExternRef(Some(wasmtime::ExternRef::new(&mut *store, *n).expect("externref"))),
        }
    }

    pub fn outcome(store: &mut wasmtime::Store<()>, r: wasmtime::Result<Vec<wasmtime::Val>>) -> Outcome {
        match r {
            Ok(vals) => Outcome::Ok(vals.iter().map(|v| value(store, v)).collect()),
            Err(e) => match e.downcast_ref::<wasmtime::Trap>() {
                Some(t) => Outcome::Trap(format!("{t:?}")),
                None => Outcome::Error,
            },
        }
    }

    pub fn state(store: &mut wasmtime::Store<()>, module: &wasmtime::Module, instance: &wasmtime::Instance) -> State {
        let mut s = State { fuel: store.get_fuel().unwrap_or(0), ..State::default() };
        let names: Vec<String> = module.exports().map(|e| e.name().to_string()).collect();
        for name in names {
            match instance.get_export(&mut *store, &name) {
                Some(wasmtime::Extern::Global(g)) => {
                    let v = g.get(&mut *store);
                    let v = value(store, &v);
                    s.globals.push((name, v));
                }
                Some(wasmtime::Extern::Memory(m)) => s.memories.push((name, m.data_size(&*store), fnv(m.data(&*store)))),
                Some(wasmtime::Extern::Table(t)) => s.tables.push((name, t.size(&*store))),
                _ => {}
            }
        }
        s
    }
}

/// What one run did, for statistics.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub compiled: bool,
    pub instantiated: bool,
    pub calls: usize,
    pub traps: usize,
}

/// Runs the check on a replay file (see [`encode_replay`]); `None` if `data`
/// is not one.
pub fn replay(data: &[u8]) -> Option<Summary> {
    let (wasm, args) = decode_replay(data)?;
    Some(check(wasm, &mut Unstructured::new(args)))
}

/// The check itself: panics when the two crates disagree.
pub fn check(wasm: &[u8], u: &mut Unstructured<'_>) -> Summary {
    let mut summary = Summary::default();
    // Made once per process: an engine per input would dominate the time.
    static ENGINES: std::sync::OnceLock<(mbt::Engine, wasmtime::Engine)> = std::sync::OnceLock::new();
    let (mbt_engine, native_engine) = ENGINES.get_or_init(|| (mbt::Engine::new(&mbt_config()).expect("mbt engine"), wasmtime::Engine::new(&native_config()).expect("native engine")));

    let mbt_module = mbt::Module::new(mbt_engine, wasm);
    let native_module = wasmtime::Module::new(native_engine, wasm);
    let (mbt_module, native_module) = match (mbt_module, native_module) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(_), Err(_)) => return summary,
        (a, b) => panic!("compilation differs: mbt {:?}, native {:?}", a.map(|_| ()), b.map(|_| ())),
    };
    summary.compiled = true;
    // Only modules without imports are instantiated (wasm-smith is asked for
    // none); an import-less module may still trap in its start function.
    if mbt_module.imports().len() != 0 {
        return summary;
    }

    let mut ms = mbt::Store::new(mbt_engine, ());
    let mut ns = wasmtime::Store::new(native_engine, ());
    ms.set_fuel(FUEL).expect("mbt fuel");
    ns.set_fuel(FUEL).expect("native fuel");
    let mi = mbt::Instance::new(&mut ms, &mbt_module, &[]);
    let ni = wasmtime::Instance::new(&mut ns, &native_module, &[]);
    let (mi, ni) = match (mi, ni) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(a), Err(b)) => {
            let a = mbt_side::outcome(&ms, Err(a));
            let b = native_side::outcome(&mut ns, Err(b));
            assert_eq!(a, b, "instantiation fails differently");
            return summary;
        }
        (a, b) => panic!("instantiation differs: mbt {:?}, native {:?}", a.map(|_| ()), b.map(|_| ())),
    };
    summary.instantiated = true;
    let before = (mbt_side::state(&mut ms, &mbt_module, &mi), native_side::state(&mut ns, &native_module, &ni));
    assert_eq!(before.0, before.1, "state after instantiation differs");

    let funcs: Vec<String> = mbt_module.exports().filter(|e| e.ty().func().is_some()).map(|e| e.name().to_string()).collect();
    if funcs.is_empty() {
        return summary;
    }
    for i in 0..MAX_CALLS {
        // Exports chosen by the input; once it is used up, each export not
        // yet reached in order (arguments then default to zeros).
        let name = if u.is_empty() {
            match funcs.get(i) {
                Some(name) => name,
                None => break,
            }
        } else {
            match u.choose(&funcs) {
                Ok(name) => name,
                Err(_) => break,
            }
        };
        let mf = mi.get_func(&mut ms, name).expect("mbt export");
        let nf = ni.get_func(&mut ns, name).expect("native export");
        let mty = mf.ty(&ms);
        let nty = nf.ty(&ns);
        let Some(params) = mty.params().map(|t| mbt_param(&t)).collect::<Option<Vec<_>>>() else { continue };
        let args: Vec<Arg> = params.iter().map(|p| draw(u, *p)).collect();
        let margs: Vec<mbt::Val> = args.iter().zip(mty.params()).map(|(a, t)| mbt_side::arg(&mut ms, a, &t)).collect();
        let nargs: Vec<wasmtime::Val> = args.iter().zip(nty.params()).map(|(a, t)| native_side::arg(&mut ns, a, &t)).collect();
        let mut mres: Vec<mbt::Val> = mty.results().map(|_| mbt::Val::I32(0)).collect();
        let mut nres: Vec<wasmtime::Val> = nty.results().map(|_| wasmtime::Val::I32(0)).collect();
        // Through `TypedFunc` when the signature has one, else `Func::call`.
        let mr = typed_mbt(&mut ms, &mf, &args).unwrap_or_else(|| mf.call(&mut ms, &margs, &mut mres).map(|()| mres));
        let nr = nf.call(&mut ns, &nargs, &mut nres).map(|()| nres);
        let mo = mbt_side::outcome(&ms, mr);
        let no = native_side::outcome(&mut ns, nr);
        assert_eq!(mo, no, "call {name}({args:?}) differs");
        summary.calls += 1;
        if matches!(mo, Outcome::Trap(_)) {
            summary.traps += 1;
        }
        // How deep wasm gets before the stack runs out depends on the host
        // frames below the entry point (the two crates reach wasm through
        // different Rust code), so after a stack overflow the fuel left and
        // any global or memory written on the way down may differ: the run
        // ends here (a harness bug of the first long run, RELIABILITY.md
        // finding 7).
        if mo == Outcome::Trap("StackOverflow".into()) {
            break;
        }
        let after = (mbt_side::state(&mut ms, &mbt_module, &mi), native_side::state(&mut ns, &native_module, &ni));
        assert_eq!(after.0, after.1, "state after call {name}({args:?}) differs");
        if after.0.fuel == 0 {
            ms.set_fuel(FUEL).expect("mbt fuel");
            ns.set_fuel(FUEL).expect("native fuel");
        }
    }
    summary
}

/// Calls `f` through `TypedFunc` for the common all-scalar signatures of up
/// to two parameters and at most one result; `None` for the others.
fn typed_mbt(store: &mut mbt::Store<()>, f: &mbt::Func, args: &[Arg]) -> Option<mbt::Result<Vec<mbt::Val>>> {
    let ty = f.ty(&*store);
    let results: Vec<mbt::ValType> = ty.results().collect();
    macro_rules! with_result {
        ($params:ty, $args:expr) => {
            match results.as_slice() {
                [] => Some(f.typed::<$params, ()>(&*store).ok()?.call(&mut *store, $args).map(|()| vec![])),
                [mbt::ValType::I32] => Some(f.typed::<$params, i32>(&*store).ok()?.call(&mut *store, $args).map(|r| vec![mbt::Val::I32(r)])),
                [mbt::ValType::I64] => Some(f.typed::<$params, i64>(&*store).ok()?.call(&mut *store, $args).map(|r| vec![mbt::Val::I64(r)])),
                [mbt::ValType::F32] => Some(f.typed::<$params, f32>(&*store).ok()?.call(&mut *store, $args).map(|r| vec![mbt::Val::F32(r.to_bits())])),
                [mbt::ValType::F64] => Some(f.typed::<$params, f64>(&*store).ok()?.call(&mut *store, $args).map(|r| vec![mbt::Val::F64(r.to_bits())])),
                _ => None,
            }
        };
    }
    match args {
        [] => with_result!((), ()),
        [Arg::I32(a)] => with_result!(i32, *a),
        [Arg::I64(a)] => with_result!(i64, *a),
        [Arg::F32(a)] => with_result!(f32, f32::from_bits(*a)),
        [Arg::F64(a)] => with_result!(f64, f64::from_bits(*a)),
        [Arg::I32(a), Arg::I32(b)] => with_result!((i32, i32), (*a, *b)),
        [Arg::I64(a), Arg::I64(b)] => with_result!((i64, i64), (*a, *b)),
        [Arg::I32(a), Arg::I64(b)] => with_result!((i32, i64), (*a, *b)),
        [Arg::I64(a), Arg::I32(b)] => with_result!((i64, i32), (*a, *b)),
        _ => None,
    }
}
