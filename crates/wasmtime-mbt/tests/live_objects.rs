//! The hidden live-object counter (`live_c_objects`, used by the fuzz
//! targets' leak check): it counts C objects as they are made and dropped.
//! One test in its own binary, since the count is process-wide.

use wasmtime_mbt::*;

#[test]
fn live_c_objects_counts_what_is_made_and_dropped() {
    let before = live_c_objects();
    let engine = Engine::default();
    let with_engine = live_c_objects();
    assert!(with_engine > before, "an engine is a C object");
    {
        let module = Module::new(&engine, r#"(module (func (export "f") (param i32) (result i32) local.get 0))"#).unwrap();
        let mut store = Store::new(&engine, ());
        let linker = Linker::new(&engine);
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let f = instance.get_typed_func::<i32, i32>(&mut store, "f").unwrap();
        assert_eq!(f.call(&mut store, 7).unwrap(), 7);
        assert!(live_c_objects() >= with_engine + 3, "module, store and linker are counted");
    }
    assert_eq!(live_c_objects(), with_engine, "everything but the engine was freed");
    drop(engine);
    assert_eq!(live_c_objects(), before);
}
