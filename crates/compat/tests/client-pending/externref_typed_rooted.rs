// Pending client case: typed signatures over Option<Rooted<ExternRef>>.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// Externrefs through typed wasm calls and typed host functions.
pub fn externref_typed_rooted() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "len", |caller: Caller<'_, ()>, r: Option<Rooted<ExternRef>>| -> Result<i32> {
        let r = r.expect("non-null");
        Ok(r.data(&caller)?.unwrap().downcast_ref::<String>().unwrap().len() as i32)
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "len" (func $len (param externref) (result i32)))
            (func (export "id") (param externref) (result externref) local.get 0)
            (func (export "len") (param externref) (result i32) local.get 0 call $len))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let id = instance.get_typed_func::<Option<Rooted<ExternRef>>, Option<Rooted<ExternRef>>>(&mut store, "id")?;
    let len = instance.get_typed_func::<Option<Rooted<ExternRef>>, i32>(&mut store, "len")?;
    let r = ExternRef::new(&mut store, String::from("hello"))?;
    let back = id.call(&mut store, Some(r))?.unwrap();
    let text = back.data(&store)?.unwrap().downcast_ref::<String>().unwrap().clone();
    let n = len.call(&mut store, Some(back))?;
    assert_eq!((text.as_str(), n), ("hello", 5));
    Ok(format!("{text} {n}"))
}
