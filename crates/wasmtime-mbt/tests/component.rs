//! The component model's abort guards: every path where the C API would
//! abort the process (a handle of another store, a panic in a host function
//! or a resource destructor, a wrong result from a host function, WASI in a
//! store without a WASI context) is an `Err`, a trap or a Rust panic in the
//! caller instead. The ordinary behaviour is covered by
//! `crates/compat/tests/client/component.rs` (run against native Wasmtime
//! too).

use std::panic::{catch_unwind, AssertUnwindSafe};

use wasmtime_mbt::component::*;
use wasmtime_mbt::{Config, Engine, Store, WasiConfig};

/// A component exporting `id: func(x: u32) -> u32` and `call-host`, which
/// calls the imported `host: func(x: u32) -> u32`.
const WITH_HOST: &str = r#"(component
    (import "host" (func $host (param "x" u32) (result u32)))
    (core func $h (canon lower (func $host)))
    (core module $m
        (import "" "host" (func $host (param i32) (result i32)))
        (func (export "id") (param i32) (result i32) (local.get 0))
        (func (export "call-host") (param i32) (result i32) (call $host (local.get 0))))
    (core instance $i (instantiate $m (with "" (instance (export "host" (func $h))))))
    (func (export "id") (param "x" u32) (result u32) (canon lift (core func $i "id")))
    (func (export "call-host") (param "x" u32) (result u32) (canon lift (core func $i "call-host"))))"#;

/// A component with a host resource: `make` returns one, `take` drops one.
const WITH_RESOURCE: &str = r#"(component
    (import "res" (type $r (sub resource)))
    (import "new" (func $new (param "rep" u32) (result (own $r))))
    (core func $new_l (canon lower (func $new)))
    (core func $drop (canon resource.drop $r))
    (core module $m
        (import "" "new" (func $new (param i32) (result i32)))
        (import "" "drop" (func $drop (param i32)))
        (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
        (func (export "take") (param i32) (call $drop (local.get 0))))
    (core instance $i (instantiate $m (with "" (instance (export "new" (func $new_l)) (export "drop" (func $drop))))))
    (func (export "make") (param "rep" u32) (result (own $r)) (canon lift (core func $i "make")))
    (func (export "take") (param "r" (own $r)) (canon lift (core func $i "take"))))"#;

struct Res;

fn host_linker(engine: &Engine, host: impl Fn(u32) -> wasmtime_mbt::Result<u32> + Send + Sync + 'static) -> Linker<()> {
    let mut linker = Linker::new(engine);
    linker.root().func_wrap("host", move |_, (x,): (u32,)| Ok((host(x)?,))).unwrap();
    linker
}

#[test]
fn func_of_another_store() {
    let engine = Engine::default();
    let component = Component::new(&engine, WITH_HOST).unwrap();
    let linker = host_linker(&engine, Ok);
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let instance = linker.instantiate(&mut a, &component).unwrap();
    let id = instance.get_func(&mut a, "id").unwrap();
    let err = id.call(&mut b, &[Val::U32(1)], &mut [Val::Bool(false)]).unwrap_err();
    assert_eq!(err.to_string(), "object used with the wrong store");
    let typed = instance.get_typed_func::<(u32,), (u32,)>(&mut a, "id").unwrap();
    assert!(typed.call(&mut b, (1,)).is_err());
    assert!(id.typed::<(u32,), (u32,)>(&b).is_err());
    // Infallible accessors panic in Rust, as in `wasmtime`.
    let panic = catch_unwind(AssertUnwindSafe(|| id.ty(&b))).unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"object used with the wrong store"));
    assert!(catch_unwind(AssertUnwindSafe(|| instance.get_func(&mut b, "id"))).is_err());
    // The right store still works.
    assert_eq!(typed.call(&mut a, (4,)).unwrap(), (4,));
}

#[test]
fn host_function_panic_is_resumed_in_the_caller() {
    let engine = Engine::default();
    let component = Component::new(&engine, WITH_HOST).unwrap();
    let linker = host_linker(&engine, |x| if x == 13 { panic!("unlucky {x}") } else { Ok(x) });
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let f = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "call-host").unwrap();
    assert_eq!(f.call(&mut store, (2,)).unwrap(), (2,));
    // As in `wasmtime`, the panic is resumed in the caller.
    let payload = catch_unwind(AssertUnwindSafe(|| f.call(&mut store, (13,)))).unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("unlucky 13"));
}

#[test]
fn host_function_wrong_result_is_an_error() {
    let engine = Engine::default();
    let component = Component::new(&engine, WITH_HOST).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.root().func_new("host", |_, _, _, results| {
        results[0] = Val::String("not a u32".into());
        Ok(())
    }).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let f = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "call-host").unwrap();
    let err = f.call(&mut store, (1,)).unwrap_err();
    assert!(format!("{err:?}").contains("type mismatch"), "{err:?}");
}

#[test]
fn typed_host_function_checked_at_instantiation() {
    let engine = Engine::default();
    let component = Component::new(&engine, WITH_HOST).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.root().func_wrap("host", |_, (x,): (String,)| Ok((x,))).unwrap();
    let mut store = Store::new(&engine, ());
    let err = linker.instantiate(&mut store, &component).unwrap_err();
    assert_eq!(err.to_string(), "failed to convert function `host` to given type");
    assert!(format!("{err:?}").contains("type mismatch with parameters"));
}

#[test]
fn cross_engine_instantiation() {
    let a = Engine::default();
    let b = Engine::new(&Config::new()).unwrap();
    let component = Component::new(&a, WITH_HOST).unwrap();
    let linker = host_linker(&b, Ok);
    let mut store = Store::new(&b, ());
    let err = linker.instantiate(&mut store, &component).unwrap_err();
    assert_eq!(err.to_string(), "cross-`Engine` instantiation is not currently supported");
}

fn resource_setup(engine: &Engine, dtor: impl Fn(u32) -> wasmtime_mbt::Result<()> + Send + Sync + 'static) -> (Component, Linker<()>) {
    let component = Component::new(engine, WITH_RESOURCE).unwrap();
    let mut linker = Linker::new(engine);
    linker.root().resource("res", ResourceType::host::<Res>(), move |_, rep| dtor(rep)).unwrap();
    linker.root().func_wrap("new", |_, (rep,): (u32,)| Ok((Resource::<Res>::new_own(rep),))).unwrap();
    (component, linker)
}

#[test]
fn resource_of_another_store() {
    let engine = Engine::default();
    let (component, linker) = resource_setup(&engine, |_| Ok(()));
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let ia = linker.instantiate(&mut a, &component).unwrap();
    let ib = linker.instantiate(&mut b, &component).unwrap();
    let mut out = [Val::Bool(false)];
    ia.get_func(&mut a, "make").unwrap().call(&mut a, &[Val::U32(1)], &mut out).unwrap();
    let Val::Resource(r) = &out[0] else { panic!() };
    // Handed to a function of another store, or dropped there: `Err`.
    let take_b = ib.get_func(&mut b, "take").unwrap();
    let err = take_b.call(&mut b, &[out[0].clone()], &mut []).unwrap_err();
    assert_eq!(err.to_string(), "object used with the wrong store");
    assert!(r.clone().resource_drop(&mut b).is_err());
    assert!(r.clone().try_into_resource::<Res>(&mut b).is_err());
    // A resource of the wrong host type is refused.
    assert!(r.clone().try_into_resource::<String>(&mut a).is_err());
    // In its own store it is fine.
    r.clone().resource_drop(&mut a).unwrap();
}

#[test]
fn resource_destructor_panic_and_error() {
    let engine = Engine::default();
    let (component, linker) = resource_setup(&engine, |rep| match rep {
        1 => panic!("dtor panicked"),
        2 => wasmtime_mbt::bail!("dtor failed"),
        _ => Ok(()),
    });
    for rep in [1, 2] {
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &component).unwrap();
        let take = instance.get_typed_func::<(Resource<Res>,), ()>(&mut store, "take").unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| take.call(&mut store, (Resource::new_own(rep),))));
        match rep {
            // A panic is resumed in the caller, as in `wasmtime`.
            1 => assert_eq!(outcome.unwrap_err().downcast_ref::<&str>(), Some(&"dtor panicked")),
            _ => assert_eq!(outcome.unwrap().unwrap_err().root_cause().to_string(), "dtor failed"),
        }
    }
}

#[test]
fn wasip2_without_set_wasi() {
    // The store gets an empty WASI context: output discarded, no abort.
    let engine = Engine::default();
    let component = Component::from_file(&engine, concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hello-wasip2.wasm")).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.add_wasip2().unwrap();
    let mut store = Store::new(&engine, ());
    linker.run_command(&mut store, &component).unwrap();
}

#[test]
fn wasip2_command_fixture() {
    let engine = Engine::default();
    let component = Component::from_file(&engine, concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hello-wasip2.wasm")).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.add_wasip2().unwrap();
    for (args, status) in [(&["prog"][..], 0), (&["prog", "x"][..], 1)] {
        let mut wasi = WasiConfig::new();
        wasi.args(args).unwrap();
        let stdout = wasi.capture_stdout();
        let mut store = Store::new(&engine, ());
        store.set_wasi(wasi).unwrap();
        let got = match linker.run_command(&mut store, &component) {
            Ok(()) => 0,
            Err(e) => e.downcast_ref::<wasmtime_mbt::I32Exit>().expect("exit status").0,
        };
        assert_eq!((stdout.to_string_lossy().as_str(), got), ("hello from wasip2\n", status));
    }
    // A component that is no command.
    let not_command = Component::new(&engine, "(component)").unwrap();
    let mut store = Store::new(&engine, ());
    let err = linker.run_command(&mut store, &not_command).unwrap_err();
    assert!(err.to_string().contains("wasi:cli/run"));
}

#[test]
fn component_from_missing_file() {
    let engine = Engine::default();
    let err = Component::from_file(&engine, "/no/such/file.wasm").unwrap_err();
    assert!(err.to_string().contains("/no/such/file.wasm"));
}

#[test]
fn resource_dynamic() {
    let engine = Engine::default();
    let component = Component::new(&engine, WITH_RESOURCE).unwrap();
    let mut linker = Linker::<Vec<u32>>::new(&engine);
    linker.root().resource("res", ResourceType::host_dynamic(5), |mut cx, rep| {
        cx.data_mut().push(rep);
        Ok(())
    }).unwrap();
    linker.root().func_wrap("new", |_, (rep,): (u32,)| Ok((ResourceDynamic::new_own(rep, 5),))).unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let make = instance.get_typed_func::<(u32,), (ResourceDynamic,)>(&mut store, "make").unwrap();
    let (r,) = make.call(&mut store, (3,)).unwrap();
    assert_eq!((r.rep(), r.ty(), r.owned()), (3, 5, true));
    let take = instance.get_typed_func::<(ResourceDynamic,), ()>(&mut store, "take").unwrap();
    take.call(&mut store, (r,)).unwrap();
    assert_eq!(store.data(), &[3]);
    // Of another type number: the guest's type check refuses it.
    assert!(take.call(&mut store, (ResourceDynamic::new_own(4, 6),)).is_err());
}

#[derive(ComponentType, Lift, Lower, Debug, PartialEq, Clone)]
#[component(record)]
struct Person {
    name: String,
    age: u8,
}

#[derive(ComponentType, Lift, Lower, Debug, PartialEq, Clone)]
#[component(variant)]
enum Shape {
    #[component(name = "none")]
    Nothing,
    #[component(name = "circle")]
    Circle(f64),
    #[component(name = "named")]
    Named(Person),
}

#[test]
fn derived_records_and_variants_round_trip() {
    let engine = Engine::default();
    let component = Component::new(&engine, r#"(component
        (core module $m
            (memory (export "mem") 1)
            (global $bump (mut i32) (i32.const 1024))
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
                (local $p i32)
                (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
                (global.set $bump (i32.add (local.get $p) (local.get 3)))
                (local.get $p))
            (func (export "id") (param i32 i32) (result i32)
                (i32.store (i32.const 8) (local.get 0))
                (i32.store (i32.const 12) (local.get 1))
                (i32.const 8)))
        (core instance $i (instantiate $m))
        (type $person' (record (field "name" string) (field "age" u8)))
        (export $person "person" (type $person'))
        (type $shape' (variant (case "none") (case "circle" f64) (case "named" $person)))
        (export $shape "shape" (type $shape'))
        (func (export "people") (param "x" (list $person)) (result (list $person))
            (canon lift (core func $i "id") (memory (core memory $i "mem")) (realloc (core func $i "cabi_realloc"))))
        (func (export "shapes") (param "x" (list $shape)) (result (list $shape))
            (canon lift (core func $i "id") (memory (core memory $i "mem")) (realloc (core func $i "cabi_realloc")))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
    let people = vec![Person { name: "ada".into(), age: 36 }, Person { name: "alan".into(), age: 41 }];
    let f = instance.get_typed_func::<(&[Person],), (Vec<Person>,)>(&mut store, "people").unwrap();
    assert_eq!(f.call(&mut store, (&people,)).unwrap().0, people);
    let shapes = vec![Shape::Nothing, Shape::Circle(1.5), Shape::Named(people[0].clone())];
    let g = instance.get_typed_func::<(&[Shape],), (Vec<Shape>,)>(&mut store, "shapes").unwrap();
    assert_eq!(g.call(&mut store, (&shapes,)).unwrap().0, shapes);
    // A record is not a variant, and the wrong names are refused.
    assert!(instance.get_typed_func::<(&[Shape],), (Vec<Shape>,)>(&mut store, "people").is_err());
    #[derive(ComponentType, Lift, Lower)]
    #[component(record)]
    struct Misnamed {
        nom: String,
        age: u8,
    }
    assert!(instance.get_typed_func::<(&[Misnamed],), (Vec<Misnamed>,)>(&mut store, "people").is_err());
}

/// A typed view made with `new_unchecked` over the wrong types: every
/// mismatch (parameter types, result kinds, result counts) is an `Err` from
/// the call, never undefined behaviour — the stack-buffer fast path checks
/// each C value's kind before reading it.
#[test]
fn unchecked_typed_func_with_wrong_types_is_an_error() {
    let engine = Engine::default();
    let component = Component::new(&engine, WITH_HOST).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = host_linker(&engine, Ok).instantiate(&mut store, &component).unwrap();
    let id = instance.get_func(&mut store, "id").unwrap();
    // SAFETY (each): the point of the test; mismatches must be errors.
    let right = unsafe { TypedFunc::<(u32,), (u32,)>::new_unchecked(id) };
    assert_eq!(right.call(&mut store, (7,)).unwrap(), (7,));

    let err = |e: wasmtime_mbt::Error| format!("{e:#}");
    let wrong_result = unsafe { TypedFunc::<(u32,), (i64,)>::new_unchecked(id) };
    assert!(err(wrong_result.call(&mut store, (7,)).unwrap_err()).contains("expected a `s64` value, found `u32`"));
    let wrong_char = unsafe { TypedFunc::<(u32,), (char,)>::new_unchecked(id) };
    assert!(err(wrong_char.call(&mut store, (7,)).unwrap_err()).contains("expected a `char` value"));
    let wrong_list = unsafe { TypedFunc::<(u32,), (Vec<u32>,)>::new_unchecked(id) };
    assert!(err(wrong_list.call(&mut store, (7,)).unwrap_err()).contains("expected a `list` value"));
    let wrong_string = unsafe { TypedFunc::<(u32,), (String,)>::new_unchecked(id) };
    assert!(err(wrong_string.call(&mut store, (7,)).unwrap_err()).contains("expected a `string` value"));
    let wrong_count = unsafe { TypedFunc::<(u32,), (u32, u32)>::new_unchecked(id) };
    assert!(wrong_count.call(&mut store, (7,)).is_err());
    let wrong_arity = unsafe { TypedFunc::<(u32, u32), (u32,)>::new_unchecked(id) };
    assert!(wrong_arity.call(&mut store, (1, 2)).is_err());
    // The instance is still usable after all of these.
    assert_eq!(right.call(&mut store, (8,)).unwrap(), (8,));
    // A parameter of the wrong type fails in Wasmtime's lowering, inside
    // the instance. Whether Wasmtime lets the instance be entered again
    // afterwards differs between releases (48.0.0, the prebuilt library,
    // refuses: "cannot enter component instance"; 48.0.8 allows it), so
    // this comes last and only the `Err` is checked.
    let wrong_param = unsafe { TypedFunc::<(String,), (u32,)>::new_unchecked(id) };
    assert!(wrong_param.call(&mut store, ("x".to_string(),)).is_err());
}
