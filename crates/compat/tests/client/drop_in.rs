// Client cases of the drop-in surface: errors and traps as `wasmtime`'s
// (`downcast_ref::<Trap>()`, `Context`, `?` on foreign errors,
// `WasmBacktrace`), `Val` accessors, plain-value getters, engine-bound
// `FuncType`, and module reflection through iterators. They began in
// `tests/client-pending/` and moved here when wasmtime-mbt caught up.

use wasmtime::*;
use wasmtime::error::Context as _;

/// A trap is recognised with `err.downcast_ref::<Trap>()`.
pub fn trap_downcast_ref() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f") unreachable))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let err = instance.get_typed_func::<(), ()>(&mut store, "f")?.call(&mut store, ()).unwrap_err();
    let trap = err.downcast_ref::<Trap>().copied();
    assert_eq!(trap, Some(Trap::UnreachableCodeReached));
    Ok(format!("{trap:?}"))
}

/// `err.downcast::<Trap>()?` and comparisons with `Trap` variants.
pub fn trap_code_compare() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (memory 1)
            (func (export "div") (param i32) (result i32) i32.const 1 local.get 0 i32.div_u)
            (func (export "oob") (result i32) i32.const -1 i32.load))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let div = instance.get_typed_func::<i32, i32>(&mut store, "div")?;
    let oob = instance.get_typed_func::<(), i32>(&mut store, "oob")?;
    let a = div.call(&mut store, 0).unwrap_err().downcast::<Trap>()?;
    let b = oob.call(&mut store, ()).unwrap_err().downcast::<Trap>()?;
    assert_eq!(a, Trap::IntegerDivisionByZero);
    assert_eq!(b, Trap::MemoryOutOfBounds);
    Ok(format!("{a:?} {b:?}"))
}

/// The host's own error type.
#[derive(Debug, PartialEq)]
pub struct Refused(pub i32);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// A host error comes back from the call as the same value.
pub fn host_error_downcast() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f", |x: i32| -> Result<()> { Err(Refused(x).into()) })?;
    let module = Module::new(&engine, r#"(module (import "env" "f" (func $f (param i32))) (func (export "run") i32.const 9 call $f))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let err = instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ()).unwrap_err();
    let refused = err.downcast_ref::<Refused>();
    assert_eq!(refused, Some(&Refused(9)));
    Ok(format!("{refused:?}"))
}

/// Parses a number out of guest memory, `?` converting std errors.
fn parse(bytes: &[u8]) -> Result<i32> {
    let text = std::str::from_utf8(bytes)?;
    Ok(text.trim().parse::<i32>()?)
}

/// `?` on `Utf8Error` and `ParseIntError` inside host code.
pub fn question_mark_foreign_error() -> Result<String> {
    let good = parse(b" 42 ")?;
    let bad_utf8 = parse(&[0xff, 0xfe]).is_err();
    let bad_number = parse(b"forty-two").unwrap_err();
    let is_parse_error = bad_number.downcast_ref::<std::num::ParseIntError>().is_some();
    assert_eq!(good, 42);
    assert!(bad_utf8 && is_parse_error);
    Ok(format!("{good} {bad_utf8} {is_parse_error}"))
}

/// `.context(..)` on results and options, `.with_context(..)` lazily.
pub fn error_context() -> Result<String> {
    let engine = Engine::default();
    let err = Module::new(&engine, "(module (func (result i32)))").context("compiling the plugin").unwrap_err();
    let outer = err.to_string();
    let chain = format!("{err:#}");
    let missing: Option<i32> = None;
    let none = missing.with_context(|| format!("no value for {}", "key")).unwrap_err().to_string();
    assert_eq!(outer, "compiling the plugin");
    assert!(chain.starts_with("compiling the plugin: "));
    assert_eq!(none, "no value for key");
    Ok(format!("{outer} / {none}"))
}

/// Results read with `unwrap_i32`, `unwrap_i64`, `unwrap_f32`, `unwrap_f64`.
pub fn val_unwrap_accessors() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32 i64 f32 f64)
            i32.const 1 i64.const 2 f32.const 3.5 f64.const 4.25))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_func(&mut store, "f").unwrap();
    let mut results = [Val::I32(0), Val::I32(0), Val::I32(0), Val::I32(0)];
    f.call(&mut store, &[], &mut results)?;
    let values = (results[0].unwrap_i32(), results[1].unwrap_i64(), results[2].unwrap_f32(), results[3].unwrap_f64());
    assert_eq!(values, (1, 2, 3.5, 4.25));
    Ok(format!("{values:?}"))
}

/// `memory.size(&store)`, `memory.data_size(&store)` and
/// `memory.ty(&store).maximum()` as plain values.
pub fn memory_size_plain() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (memory (export "m") 2 5))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let memory = instance.get_memory(&mut store, "m").unwrap();
    let pages: u64 = memory.size(&store);
    let bytes: usize = memory.data_size(&store);
    let max = memory.ty(&store).maximum();
    assert_eq!((pages, bytes, max), (2, 2 * 65536, Some(5)));
    Ok(format!("{pages} {bytes} {max:?}"))
}

/// `global.get(&mut store).unwrap_i32()` and `global.ty(&store)` as plain values.
pub fn global_get_plain() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let global = Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(3))?;
    global.set(&mut store, Val::I32(4))?;
    let value = global.get(&mut store).unwrap_i32();
    let ty = global.ty(&store);
    let var = ty.mutability() == Mutability::Var;
    let is_i32 = ty.content().is_i32();
    assert_eq!(value, 4);
    assert!(var && is_i32);
    Ok(format!("{value} {var} {is_i32}"))
}

/// A dynamically typed host function made with `Func::new`.
pub fn func_new_dynamic() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = FuncType::new(&engine, [ValType::I32, ValType::I32], [ValType::I32]);
    let add = Func::new(&mut store, ty, |_caller, params, results| {
        results[0] = Val::I32(params[0].unwrap_i32() + params[1].unwrap_i32());
        Ok(())
    });
    let sum = add.typed::<(i32, i32), i32>(&store)?.call(&mut store, (20, 22))?;
    assert_eq!(sum, 42);
    Ok(format!("{sum}"))
}

/// A dynamically typed host function defined with `Linker::func_new`.
pub fn linker_func_new() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    let ty = FuncType::new(&engine, [ValType::I64], [ValType::I64, ValType::I64]);
    linker.func_new("env", "split", ty, |_caller, params, results| {
        let x = params[0].unwrap_i64();
        results[0] = Val::I64(x >> 32);
        results[1] = Val::I64(x & 0xffff_ffff);
        Ok(())
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "split" (func $s (param i64) (result i64 i64)))
            (func (export "run") (param i64) (result i64 i64) local.get 0 call $s))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let (hi, lo) = instance.get_typed_func::<i64, (i64, i64)>(&mut store, "run")?.call(&mut store, (5 << 32) | 7)?;
    assert_eq!((hi, lo), (5, 7));
    Ok(format!("{hi} {lo}"))
}

/// A function's type read back from the host.
pub fn func_type_reflection() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (func (export "f") (param i32 f64) (result i64) i64.const 0))"#)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_func(&mut store, "f").unwrap();
    let ty = f.ty(&store);
    let params: Vec<String> = ty.params().map(|t| t.to_string()).collect();
    let results = ty.results().len();
    assert_eq!(params, ["i32", "f64"]);
    assert_eq!(results, 1);
    Ok(format!("{params:?} {results}"))
}

/// A module's imports and exports, as the usual iterator chains.
pub fn module_imports_exports() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "f" (func (param i32)))
            (import "env" "m" (memory 1))
            (func (export "run"))
            (global (export "g") i32 (i32.const 0)))"#,
    )?;
    let imports: Vec<String> = module.imports().map(|i| format!("{}::{}", i.module(), i.name())).collect();
    let first_params = module.imports().next().unwrap().ty().unwrap_func().params().len();
    let memory_import = module.imports().nth(1).unwrap().ty().memory().is_some();
    let exports: Vec<&str> = module.exports().map(|e| e.name()).collect();
    assert_eq!(imports, ["env::f", "env::m"]);
    assert_eq!(exports, ["run", "g"]);
    assert_eq!(first_params, 1);
    assert!(memory_import);
    Ok(format!("{imports:?} {exports:?} {first_params} {memory_import}"))
}

/// The wasm frames of a trap, innermost first, with their function names.
pub fn wasm_backtrace_frames() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module $m
            (func $inner unreachable)
            (func $outer (export "run") call $inner))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let err = instance.get_typed_func::<(), ()>(&mut store, "run")?.call(&mut store, ()).unwrap_err();
    let trace = err.downcast_ref::<WasmBacktrace>().expect("a backtrace");
    let names: Vec<Option<&str>> = trace.frames().iter().map(|f| f.func_name()).collect();
    assert_eq!(names, [Some("inner"), Some("outer")]);
    Ok(format!("{names:?}"))
}

/// The types of values, asked of the store.
pub fn val_ty_store() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = Func::wrap(&mut store, || {});
    let int = Val::I32(1).ty(&store)?.is_i32();
    let float = Val::F64(0).ty(&store)?.is_f64();
    let func = Val::FuncRef(Some(f)).ty(&store)?.is_ref();
    assert!(int && float && func);
    Ok(format!("{int} {float} {func}"))
}

/// Null references made with the `Val` constructors, checked by wasm.
pub fn null_refs() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "nulls") (param funcref externref) (result i32)
            (i32.add (ref.is_null (local.get 0)) (ref.is_null (local.get 1)))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let nulls = instance.get_func(&mut store, "nulls").unwrap();
    let mut results = [Val::I32(0)];
    nulls.call(&mut store, &[Val::null_func_ref(), Val::null_extern_ref()], &mut results)?;
    let count = results[0].unwrap_i32();
    assert_eq!(count, 2);
    Ok(format!("{count}"))
}
