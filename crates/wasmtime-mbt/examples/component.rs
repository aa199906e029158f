//! A component with a host import, called through a typed export.
//!
//! `cargo run -p wasmtime-mbt --example component`

use wasmtime_mbt::component::{Component, Linker};
use wasmtime_mbt::{Engine, Store};

/// `greet(name)` asks the host for a greeting (`host.prefix`) and appends
/// the name to it, in guest memory.
const GREETER: &str = r#"(component
    (import "host" (instance $host (export "prefix" (func (result string)))))
    (core module $mem
        (memory (export "mem") 1)
        (global $bump (mut i32) (i32.const 1024))
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
            (local $p i32)
            (local.set $p (global.get $bump))
            (global.set $bump (i32.add (local.get $p) (local.get 3)))
            (local.get $p)))
    (core instance $mem (instantiate $mem))
    (core func $prefix (canon lower (func $host "prefix") (memory (core memory $mem "mem")) (realloc (core func $mem "cabi_realloc"))))
    (core module $m
        (import "" "mem" (memory 1))
        (import "" "prefix" (func $prefix (param i32)))
        ;; greet(name_ptr, name_len) -> ret_ptr: prefix ++ name at 4096
        (func (export "greet") (param $name i32) (param $len i32) (result i32)
            (local $plen i32)
            (call $prefix (i32.const 16))
            (local.set $plen (i32.load (i32.const 20)))
            (memory.copy (i32.const 4096) (i32.load (i32.const 16)) (local.get $plen))
            (memory.copy (i32.add (i32.const 4096) (local.get $plen)) (local.get $name) (local.get $len))
            (i32.store (i32.const 32) (i32.const 4096))
            (i32.store (i32.const 36) (i32.add (local.get $plen) (local.get $len)))
            (i32.const 32)))
    (core instance $i (instantiate $m (with "" (instance
        (export "mem" (memory $mem "mem")) (export "prefix" (func $prefix))))))
    (func (export "greet") (param "name" string) (result string)
        (canon lift (core func $i "greet") (memory (core memory $mem "mem")) (realloc (core func $mem "cabi_realloc")))))"#;

pub fn main() -> wasmtime_mbt::Result<()> {
    let engine = Engine::default();
    let component = Component::new(&engine, GREETER)?;

    let mut linker = Linker::<u32>::new(&engine);
    linker.instance("host")?.func_wrap("prefix", |mut cx, (): ()| {
        *cx.data_mut() += 1;
        Ok(("Hello, ".to_string(),))
    })?;

    let mut store = Store::new(&engine, 0);
    let instance = linker.instantiate(&mut store, &component)?;
    let greet = instance.get_typed_func::<(&str,), (String,)>(&mut store, "greet")?;
    let (greeting,) = greet.call(&mut store, ("component",))?;
    println!("{greeting}");
    assert_eq!(greeting, "Hello, component");
    assert_eq!(*store.data(), 1, "the host import ran once");
    Ok(())
}
