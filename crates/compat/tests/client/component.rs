// The component model: `wasmtime::component` — compiling, reflection,
// dynamic and typed calls of every value kind, host functions, resources,
// serialization and bad input.
//
// Client code: written once against `use wasmtime::*;` (and
// `wasmtime::component::*`) and compiled against both the native crate and
// wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::component::types::ComponentItem;
use wasmtime::component::*;
use wasmtime::{Engine, Error, Result, Store};

/// The kind of a component type, as Wasmtime's messages name it.
fn kind(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::S8 => "s8",
        Type::U8 => "u8",
        Type::S16 => "s16",
        Type::U16 => "u16",
        Type::S32 => "s32",
        Type::U32 => "u32",
        Type::S64 => "s64",
        Type::U64 => "u64",
        Type::Float32 => "float32",
        Type::Float64 => "float64",
        Type::Char => "char",
        Type::String => "string",
        Type::List(_) => "list",
        Type::Record(_) => "record",
        Type::Tuple(_) => "tuple",
        Type::Variant(_) => "variant",
        Type::Enum(_) => "enum",
        Type::Option(_) => "option",
        Type::Result(_) => "result",
        Type::Flags(_) => "flags",
        Type::Own(_) => "own",
        Type::Borrow(_) => "borrow",
        _ => "other",
    }
}

/// Whether `err`, with everything it wraps, mentions `text`.
fn mentions(err: &Error, text: &str) -> bool {
    format!("{err:?}").contains(text)
}

/// The core module every test component instantiates: a bump
/// `cabi_realloc`, an identity for anything passed as a pointer and a
/// length (strings and lists: the result goes through a return area), and
/// an identity for one core value.
const CORE: &str = r#"
    (core module $m
        (memory (export "mem") 4)
        (global $bump (mut i32) (i32.const 1024))
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
            (local $p i32)
            (local.set $p (i32.and
                (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                (i32.sub (i32.const 0) (local.get 2))))
            (global.set $bump (i32.add (local.get $p) (local.get 3)))
            (local.get $p))
        (func (export "id-ptr-len") (param i32 i32) (result i32)
            (i32.store (i32.const 8) (local.get 0))
            (i32.store (i32.const 12) (local.get 1))
            (i32.const 8))
        (func (export "id-i32") (param i32) (result i32) (local.get 0))
        (func (export "id-i64") (param i64) (result i64) (local.get 0))
        (func (export "id-f64") (param f64) (result f64) (local.get 0)))
    (core instance $i (instantiate $m))
"#;

/// The value types round-tripped as `list<T>`: (export name, type text).
const LIST_TYPES: &[(&str, &str)] = &[
    ("bool", "bool"),
    ("s8", "s8"),
    ("u8", "u8"),
    ("s16", "s16"),
    ("u16", "u16"),
    ("s32", "s32"),
    ("u32", "u32"),
    ("s64", "s64"),
    ("u64", "u64"),
    ("f32", "f32"),
    ("f64", "f64"),
    ("char", "char"),
    ("string", "string"),
    ("list", "(list u32)"),
    ("record", "$rec"),
    ("tuple", "(tuple u8 string)"),
    ("variant", "$var"),
    ("enum", "$en"),
    ("option", "(option string)"),
    ("result", "(result u32 (error string))"),
    ("result-empty", "(result)"),
    ("flags", "$fl"),
];

/// A component exporting `id-<name>: func(x: list<T>) -> list<T>` for
/// every entry of `LIST_TYPES`, plus scalar identities.
fn identity_component(engine: &Engine) -> Result<Component> {
    let mut wat = String::from("(component\n");
    wat.push_str(CORE);
    wat.push_str(
        r#"
        (type $rec' (record (field "a" u8) (field "b" string)))
        (export $rec "rec" (type $rec'))
        (type $var' (variant (case "none") (case "num" u32) (case "text" string)))
        (export $var "var" (type $var'))
        (type $en' (enum "red" "green" "blue"))
        (export $en "en" (type $en'))
        (type $fl' (flags "read" "write" "exec"))
        (export $fl "fl" (type $fl'))
        (func (export "id-u32") (param "x" u32) (result u32) (canon lift (core func $i "id-i32")))
        (func (export "id-s64") (param "x" s64) (result s64) (canon lift (core func $i "id-i64")))
        (func (export "id-f64") (param "x" f64) (result f64) (canon lift (core func $i "id-f64")))
        (func (export "id-char") (param "x" char) (result char) (canon lift (core func $i "id-i32")))
        (func (export "id-str") (param "x" string) (result string)
            (canon lift (core func $i "id-ptr-len") (memory (core memory $i "mem")) (realloc (core func $i "cabi_realloc"))))
        "#,
    );
    for (name, ty) in LIST_TYPES {
        wat.push_str(&format!(
            r#"(func (export "id-list-{name}") (param "x" (list {ty})) (result (list {ty}))
                (canon lift (core func $i "id-ptr-len") (memory (core memory $i "mem")) (realloc (core func $i "cabi_realloc"))))
            "#
        ));
    }
    wat.push(')');
    Component::new(engine, wat)
}

/// A value of each type of `LIST_TYPES`, in order.
fn sample_values() -> Vec<Val> {
    vec![
        Val::Bool(true),
        Val::S8(-5),
        Val::U8(250),
        Val::S16(-30000),
        Val::U16(60000),
        Val::S32(-2_000_000_000),
        Val::U32(4_000_000_000),
        Val::S64(i64::MIN),
        Val::U64(u64::MAX),
        Val::Float32(1.5),
        Val::Float64(-2.25e100),
        Val::Char('λ'),
        Val::String("hello, wörld".into()),
        Val::List(vec![Val::U32(1), Val::U32(2), Val::U32(3)]),
        Val::Record(vec![("a".into(), Val::U8(7)), ("b".into(), Val::String("seven".into()))]),
        Val::Tuple(vec![Val::U8(1), Val::String("one".into())]),
        Val::Variant("text".into(), Some(Box::new(Val::String("payload".into())))),
        Val::Enum("green".into()),
        Val::Option(Some(Box::new(Val::String("some".into())))),
        Val::Result(Err(Some(Box::new(Val::String("bad".into()))))),
        Val::Result(Ok(None)),
        Val::Flags(vec!["read".into(), "exec".into()]),
    ]
}

/// Every value kind goes through a guest identity function (as a
/// two-element list) and comes back equal, dynamically.
pub fn component_values_dynamic() -> Result<String> {
    let engine = Engine::default();
    let component = identity_component(&engine)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let mut seen = Vec::new();
    for ((name, _), value) in LIST_TYPES.iter().zip(sample_values()) {
        let f = instance.get_func(&mut store, format!("id-list-{name}").as_str()).expect(name);
        let arg = Val::List(vec![value.clone(), value.clone()]);
        let mut out = [Val::Bool(false)];
        f.call(&mut store, std::slice::from_ref(&arg), &mut out)?;
        assert_eq!(out[0], arg, "{name}");
        seen.push(format!("{name}:{:?}", out[0]));
    }
    // Other variant cases, the other enum and flags values, `none`s.
    let more = [
        ("variant", Val::Variant("none".into(), None)),
        ("variant", Val::Variant("num".into(), Some(Box::new(Val::U32(9))))),
        ("enum", Val::Enum("blue".into())),
        ("flags", Val::Flags(vec![])),
        ("option", Val::Option(None)),
        ("result", Val::Result(Ok(Some(Box::new(Val::U32(3)))))),
        ("string", Val::String(String::new())),
        ("list", Val::List(vec![])),
    ];
    for (name, value) in more {
        let f = instance.get_func(&mut store, format!("id-list-{name}").as_str()).expect(name);
        let mut out = [Val::Bool(false)];
        f.call(&mut store, &[Val::List(vec![value.clone()])], &mut out)?;
        assert_eq!(out[0], Val::List(vec![value]), "{name}");
        seen.push(format!("{name}:{:?}", out[0]));
    }
    // Scalars passed directly.
    for (name, value) in [("id-u32", Val::U32(77)), ("id-s64", Val::S64(-1)), ("id-f64", Val::Float64(0.5)), ("id-char", Val::Char('🦀'))] {
        let mut out = [Val::Bool(false)];
        instance.get_func(&mut store, name).unwrap().call(&mut store, std::slice::from_ref(&value), &mut out)?;
        assert_eq!(out[0], value);
        seen.push(format!("{name}:{:?}", out[0]));
    }
    Ok(seen.join("\n"))
}

/// `map<K, V>` values (behind `Config::wasm_component_model_map`).
pub fn component_values_map() -> Result<String> {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model_map(true);
    let engine = Engine::new(&config)?;
    let component = Component::new(
        &engine,
        format!(
            r#"(component {CORE}
            (func (export "id-map") (param "x" (map string u32)) (result (map string u32))
                (canon lift (core func $i "id-ptr-len") (memory (core memory $i "mem")) (realloc (core func $i "cabi_realloc")))))"#
        ),
    )?;
    let ty = component.component_type();
    let ComponentItem::ComponentFunc(f) = ty.get_export(&engine, "id-map").unwrap().ty else { panic!() };
    let Type::Map(map) = f.params().next().unwrap().1 else { panic!("not a map") };
    assert_eq!((map.key(), map.value()), (Type::String, Type::U32));
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let value = Val::Map(vec![(Val::String("one".into()), Val::U32(1)), (Val::String("two".into()), Val::U32(2))]);
    let mut out = [Val::Bool(false)];
    instance.get_func(&mut store, "id-map").unwrap().call(&mut store, std::slice::from_ref(&value), &mut out)?;
    assert_eq!(out[0], value);
    Ok(format!("{:?}", out[0]))
}

/// The same round trips through typed functions.
pub fn component_values_typed() -> Result<String> {
    let engine = Engine::default();
    let component = identity_component(&engine)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let id_u32 = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "id-u32")?;
    assert_eq!(id_u32.call(&mut store, (123,))?, (123,));
    let id_s64 = instance.get_typed_func::<(i64,), (i64,)>(&mut store, "id-s64")?;
    assert_eq!(id_s64.call(&mut store, (-9,))?, (-9,));
    let id_f64 = instance.get_typed_func::<(f64,), (f64,)>(&mut store, "id-f64")?;
    assert_eq!(id_f64.call(&mut store, (2.5,))?, (2.5,));
    let id_char = instance.get_typed_func::<(char,), (char,)>(&mut store, "id-char")?;
    assert_eq!(id_char.call(&mut store, ('é',))?, ('é',));
    let id_str = instance.get_typed_func::<(&str,), (String,)>(&mut store, "id-str")?;
    assert_eq!(id_str.call(&mut store, ("typed string",))?.0, "typed string");

    macro_rules! list {
        ($name:literal, $t:ty, $v:expr) => {{
            let f = instance.get_typed_func::<(&[$t],), (Vec<$t>,)>(&mut store, concat!("id-list-", $name))?;
            let v: Vec<$t> = $v;
            let (out,) = f.call(&mut store, (&v,))?;
            assert_eq!(out, v, $name);
            format!("{}:{:?}", $name, out)
        }};
    }
    let seen = [
        list!("bool", bool, vec![true, false]),
        list!("s8", i8, vec![-1, 2]),
        list!("u8", u8, vec![0, 255]),
        list!("s16", i16, vec![-300]),
        list!("u16", u16, vec![65535]),
        list!("s32", i32, vec![i32::MIN, i32::MAX]),
        list!("u32", u32, vec![u32::MAX]),
        list!("s64", i64, vec![i64::MAX]),
        list!("u64", u64, vec![1 << 60]),
        list!("f32", f32, vec![0.25]),
        list!("f64", f64, vec![1e-300]),
        list!("char", char, vec!['a', '√']),
        list!("string", String, vec!["x".into(), String::new()]),
        list!("list", Vec<u32>, vec![vec![1, 2], vec![]]),
        list!("tuple", (u8, String), vec![(1, "one".into()), (2, "two".into())]),
        list!("option", Option<String>, vec![None, Some("s".into())]),
        list!("result", Result<u32, String>, vec![Ok(1), Err("e".into())]),
        list!("result-empty", Result<(), ()>, vec![Ok(()), Err(())]),
    ];
    // Types that do not match are refused when the typed function is made.
    let wrong = [
        instance.get_typed_func::<(i32,), (u32,)>(&mut store, "id-u32").is_err(),
        instance.get_typed_func::<(u32,), (i32,)>(&mut store, "id-u32").is_err(),
        instance.get_typed_func::<(u32, u32), (u32,)>(&mut store, "id-u32").is_err(),
        instance.get_typed_func::<(u32,), ()>(&mut store, "id-u32").is_err(),
        instance.get_typed_func::<(&[u8],), (Vec<u8>,)>(&mut store, "id-list-u32").is_err(),
        instance.get_typed_func::<(&[Option<u32>],), (Vec<Option<u32>>,)>(&mut store, "id-list-option").is_err(),
        instance.get_typed_func::<(u32,), (u32,)>(&mut store, "no-such-export").is_err(),
    ];
    assert!(wrong.iter().all(|w| *w));
    Ok(format!("{}\n{wrong:?}", seen.join("\n")))
}

/// A component importing host functions `double` (in an instance) and
/// `greet` (at the root), exporting `run(x) = double(x) + 1` and
/// `hello(name) = greet(name)`.
fn host_component(engine: &Engine) -> Result<Component> {
    Component::new(
        engine,
        format!(
            r#"(component
            (import "host" (instance $host (export "double" (func (param "x" u32) (result u32)))))
            (import "greet" (func $greet (param "name" string) (result string)))
            {CORE}
            (core func $double (canon lower (func $host "double")))
            (core func $greet (canon lower (func $greet) (memory (core memory $i "mem")) (realloc (core func $i "cabi_realloc"))))
            (core module $user
                (import "" "double" (func $double (param i32) (result i32)))
                (import "" "greet" (func $greet (param i32 i32 i32)))
                (func (export "run") (param i32) (result i32)
                    (i32.add (call $double (local.get 0)) (i32.const 1)))
                (func (export "hello") (param i32 i32) (result i32)
                    (call $greet (local.get 0) (local.get 1) (i32.const 16))
                    (i32.const 16)))
            (core instance $u (instantiate $user (with "" (instance
                (export "double" (func $double)) (export "greet" (func $greet))))))
            (func (export "run") (param "x" u32) (result u32) (canon lift (core func $u "run")))
            (func (export "hello") (param "name" string) (result string)
                (canon lift (core func $u "hello") (memory (core memory $i "mem")) (realloc (core func $i "cabi_realloc")))))"#
        ),
    )
}

/// Typed (`func_wrap`) and dynamic (`func_new`) host functions, with the
/// store's data.
pub fn component_host_functions() -> Result<String> {
    let engine = Engine::default();
    let component = host_component(&engine)?;
    let mut linker = Linker::<Vec<String>>::new(&engine);
    linker.instance("host")?.func_wrap("double", |mut cx: wasmtime::StoreContextMut<'_, Vec<String>>, (x,): (u32,)| {
        cx.data_mut().push(format!("double({x})"));
        Ok((x * 2,))
    })?;
    linker.root().func_new("greet", |mut cx, ty, args, results| {
        let params: Vec<String> = ty.params().map(|(n, t)| format!("{n}: {}", kind(&t))).collect();
        let Val::String(name) = &args[0] else { panic!("not a string") };
        cx.data_mut().push(format!("greet({name}) with ({})", params.join(", ")));
        results[0] = Val::String(format!("hello, {name}!"));
        Ok(())
    })?;
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &component)?;
    let run = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "run")?;
    assert_eq!(run.call(&mut store, (20,))?, (41,));
    let hello = instance.get_typed_func::<(&str,), (String,)>(&mut store, "hello")?;
    assert_eq!(hello.call(&mut store, ("you",))?.0, "hello, you!");
    // A typed host function of the wrong type is refused at instantiation.
    let mut wrong = Linker::<Vec<String>>::new(&engine);
    wrong.instance("host")?.func_wrap("double", |_, (x,): (u64,)| Ok((x,)))?;
    wrong.root().func_wrap("greet", |_, (s,): (String,)| Ok((s,)))?;
    let err = wrong.instantiate(&mut store, &component).unwrap_err();
    Ok(format!("{:?}\nwrong type refused: {}", store.data(), mentions(&err, "type")))
}

/// A host error comes back from the call carrying its message, and a host
/// panic... is left out: native Wasmtime unwinds it through the guest.
pub fn component_host_error() -> Result<String> {
    let engine = Engine::default();
    let component = host_component(&engine)?;
    let mut linker = Linker::<()>::new(&engine);
    linker.instance("host")?.func_wrap("double", |_, (x,): (u32,)| -> Result<(u32,)> {
        if x == 0 {
            wasmtime::bail!("zero is not allowed");
        }
        Ok((x * 2,))
    })?;
    linker.root().func_new("greet", |_, _, _, _| Err(wasmtime::format_err!("no greeting")))?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component)?;
    let run = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "run")?;
    let err = run.call(&mut store, (0,)).unwrap_err();
    assert!(mentions(&err, "zero is not allowed"), "{err:?}");
    // The trapped instance cannot be entered again; a new store works.
    let poisoned = run.call(&mut store, (1,)).is_err();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component)?;
    let run = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "run")?;
    assert_eq!(run.call(&mut store, (1,))?, (3,));
    let hello = instance.get_func(&mut store, "hello").unwrap();
    let err2 = hello.call(&mut store, &[Val::String("x".into())], &mut [Val::Bool(false)]).unwrap_err();
    assert!(mentions(&err2, "no greeting"));
    Ok(format!("root cause: {}\nroot cause: {}\npoisoned: {poisoned}", err.root_cause(), err2.root_cause()))
}

/// A missing import fails instantiation; `define_unknown_imports_as_traps`
/// makes it instantiate, and a call of the missing function traps.
pub fn component_missing_import() -> Result<String> {
    let engine = Engine::default();
    let component = host_component(&engine)?;
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    let missing = linker.instantiate(&mut store, &component).unwrap_err();
    linker.define_unknown_imports_as_traps(&component)?;
    let instance = linker.instantiate(&mut store, &component)?;
    let run = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "run")?;
    let trapped = run.call(&mut store, (1,)).is_err();
    assert!(trapped);
    Ok(format!("missing mentions host: {}\ntrapped: {trapped}", mentions(&missing, "host")))
}

/// Shadowing: a second definition of a name is an error unless allowed.
pub fn component_linker_shadowing() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker.root().func_wrap("f", |_, (): ()| Ok(()))?;
    let dup = linker.root().func_wrap("f", |_, (): ()| Ok(())).is_err();
    linker.allow_shadowing(true);
    let shadowed = linker.root().func_wrap("f", |_, (): ()| Ok(())).is_ok();
    assert!(dup && shadowed);
    Ok(format!("duplicate refused: {dup}, shadowing allowed: {shadowed}"))
}

/// The host's `File` resource type.
pub struct File;

/// Host resources: made by the host, borrowed by the guest, dropped by the
/// guest or by the host; the destructor runs exactly once per handle.
pub fn component_resources() -> Result<String> {
    let engine = Engine::default();
    let component = Component::new(
        &engine,
        r#"(component
            (import "file" (type $f (sub resource)))
            (import "open" (func $open (param "rep" u32) (result (own $f))))
            (import "rep-of" (func $rep (param "f" (borrow $f)) (result u32)))
            (core func $open_l (canon lower (func $open)))
            (core func $rep_l (canon lower (func $rep)))
            (core func $drop (canon resource.drop $f))
            (core module $m
                (import "" "open" (func $open (param i32) (result i32)))
                (import "" "rep" (func $rep (param i32) (result i32)))
                (import "" "drop" (func $drop (param i32)))
                (func (export "run") (param i32) (result i32)
                    (local $h i32) (local $r i32)
                    (local.set $h (call $open (local.get 0)))
                    (local.set $r (call $rep (local.get $h)))
                    (call $drop (local.get $h))
                    (local.get $r))
                (func (export "make") (param i32) (result i32) (call $open (local.get 0)))
                (func (export "take") (param i32) (call $drop (local.get 0))))
            (core instance $i (instantiate $m (with "" (instance
                (export "open" (func $open_l)) (export "rep" (func $rep_l)) (export "drop" (func $drop))))))
            (func (export "run") (param "rep" u32) (result u32) (canon lift (core func $i "run")))
            (func (export "make") (param "rep" u32) (result (own $f)) (canon lift (core func $i "make")))
            (func (export "take") (param "f" (own $f)) (canon lift (core func $i "take"))))"#,
    )?;
    let mut linker = Linker::<Vec<u32>>::new(&engine);
    linker.root().resource("file", ResourceType::host::<File>(), |mut cx, rep| {
        cx.data_mut().push(rep);
        Ok(())
    })?;
    linker.root().func_wrap("open", |_, (rep,): (u32,)| Ok((Resource::<File>::new_own(rep),)))?;
    linker.root().func_wrap("rep-of", |_, (f,): (Resource<File>,)| {
        assert!(!f.owned());
        Ok((f.rep(),))
    })?;
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &component)?;

    // Made, borrowed and dropped inside the guest: one destructor call.
    let run = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "run")?;
    assert_eq!(run.call(&mut store, (5,))?, (5,));
    assert_eq!(store.data(), &[5]);

    // An own handed to the host: no destructor; handed back, the guest
    // drops it: one call.
    let make = instance.get_typed_func::<(u32,), (Resource<File>,)>(&mut store, "make")?;
    let (file,) = make.call(&mut store, (7,))?;
    assert_eq!((file.rep(), file.owned()), (7, true));
    assert_eq!(store.data(), &[5]);
    let take = instance.get_typed_func::<(Resource<File>,), ()>(&mut store, "take")?;
    take.call(&mut store, (file,))?;
    assert_eq!(store.data(), &[5, 7]);

    // Dynamically: a `ResourceAny`, dropped by the host.
    let make_dyn = instance.get_func(&mut store, "make").unwrap();
    let mut out = [Val::Bool(false)];
    make_dyn.call(&mut store, &[Val::U32(9)], &mut out)?;
    let Val::Resource(any) = &out[0] else { panic!("not a resource") };
    assert!(any.owned());
    assert_eq!(any.ty(), ResourceType::host::<File>());
    let back: Resource<File> = any.clone().try_into_resource(&mut store)?;
    assert_eq!(back.rep(), 9);
    let any2 = back.try_into_resource_any(&mut store)?;
    any2.resource_drop(&mut store)?;
    Ok(format!("destructor calls: {:?}", store.data()))
}

/// Import and export reflection.
pub fn component_reflection() -> Result<String> {
    let engine = Engine::default();
    let component = host_component(&engine)?;
    let ty = component.component_type();
    let mut seen = Vec::new();
    for (name, item) in ty.imports(&engine) {
        seen.push(format!("import {name}: {}", describe(&engine, &item.ty)));
    }
    for (name, item) in ty.exports(&engine) {
        seen.push(format!("export {name}: {}", describe(&engine, &item.ty)));
    }
    let ids = identity_component(&engine)?.component_type();
    let ComponentItem::ComponentFunc(f) = ids.get_export(&engine, "id-list-record").unwrap().ty else { panic!() };
    let Type::List(list) = f.params().next().unwrap().1 else { panic!() };
    let Type::Record(record) = list.ty() else { panic!() };
    let fields: Vec<String> = record.fields().map(|f| format!("{}: {}", f.name, kind(&f.ty))).collect();
    seen.push(format!("record fields: {fields:?}"));
    let ComponentItem::ComponentFunc(f) = ids.get_export(&engine, "id-list-variant").unwrap().ty else { panic!() };
    let variant = f.results().next().unwrap().unwrap_list().ty().unwrap_variant().clone();
    let cases: Vec<String> = variant.cases().map(|c| format!("{}{}", c.name, c.ty.map(|t| format!("({})", kind(&t))).unwrap_or_default())).collect();
    seen.push(format!("variant cases: {cases:?}"));
    let ComponentItem::ComponentFunc(f) = ids.get_export(&engine, "id-list-result").unwrap().ty else { panic!() };
    let result = f.results().next().unwrap().unwrap_list().ty().unwrap_result().clone();
    seen.push(format!("result: ok {:?} err {:?}", result.ok().map(|t| kind(&t)), result.err().map(|t| kind(&t))));
    assert!(ids.get_export(&engine, "nope").is_none());
    // Export indices, from the component and from an instance.
    let index = component.get_export_index(None, "run").unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker.define_unknown_imports_as_traps(&component)?;
    let instance = linker.instantiate(&mut store, &component)?;
    let by_index = instance.get_func(&mut store, &index).is_some();
    let from_instance = instance.get_export_index(&mut store, None, "hello").is_some();
    let missing = component.get_export_index(None, "nope").is_none();
    seen.push(format!("by index: {by_index}, instance index: {from_instance}, missing: {missing}"));
    let hello = instance.get_func(&mut store, "hello").unwrap();
    let params: Vec<String> = hello.ty(&store).params().map(|(n, t)| format!("{n}: {}", kind(&t))).collect();
    seen.push(format!("hello params {params:?}"));
    Ok(seen.join("\n"))
}

fn describe(engine: &Engine, item: &ComponentItem) -> String {
    match item {
        ComponentItem::ComponentFunc(f) => {
            let params: Vec<String> = f.params().map(|(n, t)| format!("{n}: {}", kind(&t))).collect();
            let results: Vec<&str> = f.results().map(|t| kind(&t)).collect();
            format!("func({}) -> {results:?}", params.join(", "))
        }
        ComponentItem::ComponentInstance(i) => {
            let exports: Vec<String> = i.exports(engine).map(|(n, e)| format!("{n} = {}", describe(engine, &e.ty))).collect();
            format!("instance {{ {} }}", exports.join("; "))
        }
        ComponentItem::CoreFunc(_) => "core func".into(),
        ComponentItem::Module(_) => "module".into(),
        ComponentItem::Component(_) => "component".into(),
        ComponentItem::Type(t) => format!("type {}", kind(&t)),
        ComponentItem::Resource(_) => "resource".into(),
    }
}

/// `serialize` and `deserialize`: the loaded component works.
pub fn component_serialize_roundtrip() -> Result<String> {
    let engine = Engine::default();
    let bytes = identity_component(&engine)?.serialize()?;
    // SAFETY: the bytes were just produced by this engine.
    let component = unsafe { Component::deserialize(&engine, &bytes)? };
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let id = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "id-u32")?;
    assert_eq!(id.call(&mut store, (8,))?, (8,));
    let path = std::env::temp_dir().join(format!("component-{}.cwasm", std::process::id()));
    std::fs::write(&path, &bytes).map_err(Error::new)?;
    // SAFETY: as above, and the file is not changed while in use.
    let from_file = unsafe { Component::deserialize_file(&engine, &path)? };
    let exports = from_file.component_type().exports(&engine).len();
    std::fs::remove_file(&path).map_err(Error::new)?;
    // SAFETY: checking the header check; these bytes are no artifact.
    let junk = unsafe { Component::deserialize(&engine, b"not an artifact") }.is_err();
    assert!(junk);
    Ok(format!("exports after deserialize_file: {exports}, junk refused: {junk}"))
}

/// Bad input is an `Err`: garbage bytes, a core module, bad text, and
/// calls with wrong argument types or counts.
pub fn component_bad_input() -> Result<String> {
    let engine = Engine::default();
    let garbage = Component::new(&engine, b"\0asm\x0d\0\x01\0garbage").is_err();
    let core_module = Component::new(&engine, "(module)").is_err();
    let core_binary = Component::from_binary(&engine, b"\0asm\x01\0\0\0").is_err();
    let bad_text = Component::new(&engine, "(component (func").is_err();
    let component = identity_component(&engine)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let f = instance.get_func(&mut store, "id-u32").unwrap();
    let mut out = [Val::Bool(false)];
    let wrong_type = f.call(&mut store, &[Val::S32(1)], &mut out).is_err();
    let too_few = f.call(&mut store, &[], &mut out).is_err();
    let too_many = f.call(&mut store, &[Val::U32(1), Val::U32(2)], &mut out).is_err();
    let no_result_slot = f.call(&mut store, &[Val::U32(1)], &mut []).is_err();
    let list = instance.get_func(&mut store, "id-list-enum").unwrap();
    let bad_case = list.call(&mut store, &[Val::List(vec![Val::Enum("purple".into())])], &mut out).is_err();
    let mixed = list.call(&mut store, &[Val::List(vec![Val::U32(1)])], &mut out).is_err();
    let all = [garbage, core_module, core_binary, bad_text, wrong_type, too_few, too_many, no_result_slot, bad_case, mixed];
    assert!(all.iter().all(|x| *x), "{all:?}");
    Ok(format!("{all:?}"))
}

/// A derived record.
#[derive(ComponentType, Lift, Lower, Debug, PartialEq, Clone)]
#[component(record)]
pub struct Pair {
    pub a: u8,
    pub b: String,
}

/// A derived variant.
#[derive(ComponentType, Lift, Lower, Debug, PartialEq, Clone)]
#[component(variant)]
pub enum Var {
    #[component(name = "none")]
    Nothing,
    #[component(name = "num")]
    Num(u32),
    #[component(name = "text")]
    Text(String),
}

/// A derived enum.
#[derive(ComponentType, Lift, Lower, Debug, PartialEq, Clone, Copy)]
#[component(enum)]
#[repr(u8)]
pub enum Color {
    #[component(name = "red")]
    Red,
    #[component(name = "green")]
    Green,
    #[component(name = "blue")]
    Blue,
}

/// `#[derive(ComponentType, Lift, Lower)]` records, variants and enums in
/// typed calls, and type checks of derived types.
pub fn component_derives() -> Result<String> {
    let engine = Engine::default();
    let component = identity_component(&engine)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let pairs = vec![Pair { a: 1, b: "one".into() }, Pair { a: 2, b: String::new() }];
    let f = instance.get_typed_func::<(&[Pair],), (Vec<Pair>,)>(&mut store, "id-list-record")?;
    assert_eq!(f.call(&mut store, (&pairs,))?.0, pairs);
    let vars = vec![Var::Nothing, Var::Num(7), Var::Text("t".into())];
    let g = instance.get_typed_func::<(&[Var],), (Vec<Var>,)>(&mut store, "id-list-variant")?;
    assert_eq!(g.call(&mut store, (&vars,))?.0, vars);
    let colors = vec![Color::Blue, Color::Red, Color::Green];
    let h = instance.get_typed_func::<(&[Color],), (Vec<Color>,)>(&mut store, "id-list-enum")?;
    assert_eq!(h.call(&mut store, (&colors,))?.0, colors);
    let wrong = [
        instance.get_typed_func::<(&[Pair],), (Vec<Pair>,)>(&mut store, "id-list-variant").is_err(),
        instance.get_typed_func::<(&[Color],), (Vec<Color>,)>(&mut store, "id-list-record").is_err(),
        instance.get_typed_func::<(&[Var],), (Vec<Var>,)>(&mut store, "id-list-enum").is_err(),
    ];
    assert!(wrong.iter().all(|w| *w));
    Ok(format!("{pairs:?}\n{vars:?}\n{colors:?}\n{wrong:?}"))
}

flags! {
    Perms {
        #[component(name = "read")]
        const READ;
        #[component(name = "write")]
        const WRITE;
        #[component(name = "exec")]
        const EXEC;
    }
}

/// `flags!`: the bit operations, `Debug`, typed calls with a list of flags,
/// and the type check against other types.
pub fn component_flags_macro() -> Result<String> {
    let rx = Perms::READ | Perms::EXEC;
    let ops = [
        rx.contains(Perms::READ),
        rx.contains(Perms::READ | Perms::WRITE),
        rx.intersects(Perms::WRITE | Perms::EXEC),
        !rx == Perms::WRITE,
        Perms::all() == Perms::READ | Perms::WRITE | Perms::EXEC,
        (rx ^ Perms::all()) == Perms::WRITE,
        Perms::empty() == Perms::default(),
    ];
    assert_eq!(ops, [true, false, true, true, true, true, true]);
    let shown = format!("{rx:?} {:?} {:?} {:?}", Perms::empty(), Perms::all(), rx.as_array());
    assert_eq!(shown, "(READ|EXEC) () (READ|WRITE|EXEC) [5]");
    let engine = Engine::default();
    let component = identity_component(&engine)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let list = vec![rx, Perms::empty(), Perms::all(), Perms::WRITE];
    let f = instance.get_typed_func::<(&[Perms],), (Vec<Perms>,)>(&mut store, "id-list-flags")?;
    let back = f.call(&mut store, (&list,))?.0;
    assert_eq!(back, list);
    let wrong = instance.get_typed_func::<(&[Perms],), (Vec<Perms>,)>(&mut store, "id-list-enum").is_err();
    assert!(wrong);
    Ok(format!("{ops:?} {shown} {back:?} {wrong}"))
}
