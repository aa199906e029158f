// Modules: compiling WAT and binaries, validation errors, serialization and
// precompilation, and looking up exports of an instance by kind.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// Whether `err`, with everything it wraps, mentions `text`.
fn mentions(err: &Error, text: &str) -> bool {
    format!("{err:?}").contains(text)
}

/// The binary encoding of `(module (func (export "f") (result i32) i32.const 42))`.
const BINARY: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> i32
    0x03, 0x02, 0x01, 0x00, // function section
    0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x00, // export "f" = func 0
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, // code: i32.const 42
];

/// WAT text and the equivalent binary compile to the same behaviour;
/// `Module::from_binary` accepts only the binary.
pub fn module_text_and_binary() -> Result<String> {
    let engine = Engine::default();
    let from_text = Module::new(&engine, r#"(module (func (export "f") (result i32) i32.const 42))"#)?;
    let from_bytes = Module::new(&engine, BINARY)?;
    let from_binary = Module::from_binary(&engine, BINARY)?;
    let text_refused = Module::from_binary(&engine, b"(module)").is_err();
    let mut store = Store::new(&engine, ());
    let mut results = Vec::new();
    for module in [&from_text, &from_bytes, &from_binary] {
        let instance = Instance::new(&mut store, module, &[])?;
        results.push(instance.get_typed_func::<(), i32>(&mut store, "f")?.call(&mut store, ())?);
    }
    assert_eq!(results, [42, 42, 42]);
    assert!(text_refused);
    assert!(Engine::same(from_text.engine(), &engine));
    Ok(format!("{results:?} {text_refused}"))
}

/// Invalid modules are errors from `Module::new` and `Module::validate`.
pub fn module_invalid() -> Result<String> {
    let engine = Engine::default();
    let bad_text = Module::new(&engine, "(module (func (export \"f\") (result i32)").unwrap_err();
    let bad_type = Module::new(&engine, r#"(module (func (result i32) i64.const 1))"#).unwrap_err();
    let bad_bytes = Module::new(&engine, b"\0asm\x01\0\0\0\x01\xff").is_err();
    let type_mismatch = mentions(&bad_type, "type mismatch");
    let valid = Module::validate(&engine, BINARY).is_ok();
    let invalid = Module::validate(&engine, &BINARY[..BINARY.len() - 1]).is_err();
    assert!(bad_bytes && type_mismatch && valid && invalid, "{bad_type:?}");
    let _ = bad_text;
    Ok(format!("{bad_bytes} {type_mismatch} {valid} {invalid}"))
}

/// `Module::serialize` then `Module::deserialize` gives a working module;
/// garbage is refused by `deserialize`.
pub fn module_serialize_roundtrip() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "fib") (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
                (then (local.get 0))
                (else (i32.add (call 0 (i32.sub (local.get 0) (i32.const 1)))
                               (call 0 (i32.sub (local.get 0) (i32.const 2))))))))"#,
    )?;
    let bytes = module.serialize()?;
    // SAFETY: the bytes were just produced by `serialize` with this engine.
    let module = unsafe { Module::deserialize(&engine, &bytes)? };
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let fib = instance.get_typed_func::<i32, i32>(&mut store, "fib")?.call(&mut store, 20)?;
    // SAFETY: `deserialize` checks the header, and these bytes have none.
    let garbage = unsafe { Module::deserialize(&engine, b"definitely not a module") }.is_err();
    assert_eq!(fib, 6765);
    assert!(garbage);
    Ok(format!("{fib} {garbage}"))
}

/// `Engine::precompile_module` output loads with `Module::deserialize`, also
/// in a second engine with the same configuration, but not in one with a
/// different configuration.
pub fn module_precompile() -> Result<String> {
    let engine = Engine::default();
    let bytes = engine.precompile_module(br#"(module (func (export "f") (param i32) (result i32) local.get 0 i32.const 3 i32.mul))"#)?;
    let same_config = Engine::new(&Config::new())?;
    // SAFETY: produced by `precompile_module` with an identical configuration.
    let module = unsafe { Module::deserialize(&same_config, &bytes)? };
    let mut store = Store::new(&same_config, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let tripled = instance.get_typed_func::<i32, i32>(&mut store, "f")?.call(&mut store, 14)?;
    let mut config = Config::new();
    config.consume_fuel(true);
    let fuel_engine = Engine::new(&config)?;
    // SAFETY: the configuration check is what is being tested.
    let mismatch = unsafe { Module::deserialize(&fuel_engine, &bytes) }.is_err();
    assert_eq!(tripled, 42);
    assert!(mismatch);
    Ok(format!("{tripled} {mismatch}"))
}

/// `Instance::get_export` by kind, and the typed getters returning `None`
/// for the wrong kind or a missing name.
pub fn instance_exports_by_kind() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "f"))
            (memory (export "m") 1)
            (global (export "g") i32 (i32.const 0))
            (table (export "t") 1 funcref))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let kinds: Vec<&str> = ["f", "m", "g", "t", "nope"]
        .iter()
        .map(|name| match instance.get_export(&mut store, name) {
            Some(Extern::Func(_)) => "func",
            Some(Extern::Memory(_)) => "memory",
            Some(Extern::Global(_)) => "global",
            Some(Extern::Table(_)) => "table",
            Some(_) => "other",
            None => "none",
        })
        .collect();
    assert_eq!(kinds, ["func", "memory", "global", "table", "none"]);
    let wrong_kind = instance.get_memory(&mut store, "f").is_none()
        && instance.get_func(&mut store, "m").is_none()
        && instance.get_table(&mut store, "g").is_none()
        && instance.get_global(&mut store, "t").is_none();
    let into = instance.get_export(&mut store, "m").and_then(Extern::into_memory).is_some()
        && instance.get_export(&mut store, "m").and_then(Extern::into_func).is_none();
    assert!(wrong_kind && into);
    Ok(format!("{kinds:?} {wrong_kind} {into}"))
}

/// A module instantiated many times in one store gives independent instances.
pub fn module_many_instances() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (global $n (mut i32) (i32.const 0))
            (func (export "next") (result i32) global.get $n i32.const 1 i32.add global.set $n global.get $n))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let a = Instance::new(&mut store, &module, &[])?;
    let b = Instance::new(&mut store, &module, &[])?;
    let next_a = a.get_typed_func::<(), i32>(&mut store, "next")?;
    let next_b = b.get_typed_func::<(), i32>(&mut store, "next")?;
    let values = [next_a.call(&mut store, ())?, next_a.call(&mut store, ())?, next_b.call(&mut store, ())?, next_a.call(&mut store, ())?];
    assert_eq!(values, [1, 2, 1, 3]);
    Ok(format!("{values:?}"))
}
