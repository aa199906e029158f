// Linear memories: read/write from the host, `data`/`data_mut`, growth,
// host-created memories and host functions reading guest memory.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// A module exporting a 1..4-page memory with data at offset 16 and
/// functions that load, store, query and grow it.
const MEMORY_WAT: &str = r#"(module
    (memory (export "memory") 1 4)
    (data (i32.const 16) "hello")
    (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u)
    (func (export "store32") (param i32 i32) local.get 0 local.get 1 i32.store)
    (func (export "size") (result i32) memory.size)
    (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#;

/// `Memory::read`/`write` and `data`/`data_mut`, seen by wasm and host alike.
pub fn memory_read_write() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, MEMORY_WAT)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let memory = instance.get_memory(&mut store, "memory").expect("exported memory");
    let load8 = instance.get_typed_func::<i32, i32>(&mut store, "load8")?;
    let store32 = instance.get_typed_func::<(i32, i32), ()>(&mut store, "store32")?;

    let mut buf = [0u8; 5];
    memory.read(&store, 16, &mut buf)?;
    assert_eq!(&buf, b"hello");

    memory.write(&mut store, 100, &[1, 2, 3])?;
    let loaded = load8.call(&mut store, 101)?;
    assert_eq!(loaded, 2);

    store32.call(&mut store, (200, 0x0403_0201))?;
    let bytes = memory.data(&store)[200..204].to_vec();
    assert_eq!(bytes, [1, 2, 3, 4]);

    memory.data_mut(&mut store)[300] = 77;
    let poked = load8.call(&mut store, 300)?;
    assert_eq!(poked, 77);

    let len = memory.data(&store).len();
    assert_eq!(len, 65536);
    Ok(format!("{} {loaded} {bytes:?} {poked} {len}", String::from_utf8_lossy(&buf)))
}

/// Out-of-range `read`/`write` are errors and leave memory unchanged.
pub fn memory_access_out_of_bounds() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, MEMORY_WAT)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    let mut buf = [0u8; 8];
    let read_past = memory.read(&store, 65532, &mut buf).is_err();
    let write_past = memory.write(&mut store, 65535, &[1, 2]).is_err();
    let far = memory.write(&mut store, usize::MAX, &[1]).is_err();
    let edge = memory.write(&mut store, 65535, &[9]).is_ok();
    let last = memory.data(&store)[65535];
    assert!(read_past && write_past && far && edge);
    assert_eq!(last, 9);
    Ok(format!("{read_past} {write_past} {far} {edge} {last}"))
}

/// `Memory::grow` from the host and `memory.grow` from wasm, up to the maximum.
pub fn memory_grow() -> Result<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, MEMORY_WAT)?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    let size = instance.get_typed_func::<(), i32>(&mut store, "size")?;
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;

    let old = memory.grow(&mut store, 1)?;
    assert_eq!(old, 1);
    let pages = size.call(&mut store, ())?;
    assert_eq!(pages, 2);
    let wasm_old = grow.call(&mut store, 1)?;
    assert_eq!(wasm_old, 2);
    let bytes = memory.data(&store).len();
    assert_eq!(bytes, 3 * 65536);
    // Past the maximum of 4 pages: an error from the host, -1 from wasm.
    let host_refused = memory.grow(&mut store, 2).is_err();
    let wasm_refused = grow.call(&mut store, 2)?;
    let zero = memory.grow(&mut store, 0)?;
    assert!(host_refused);
    assert_eq!((wasm_refused, zero), (-1, 3));
    // New pages are zeroed and writable.
    memory.write(&mut store, 2 * 65536 + 5, &[0xAA])?;
    let fresh = memory.data(&store)[2 * 65536 + 4];
    assert_eq!(fresh, 0);
    Ok(format!("{old} {pages} {wasm_old} {bytes} {host_refused} {wasm_refused} {zero} {fresh}"))
}

/// A memory created by the host with `Memory::new`, imported by wasm.
pub fn memory_host_created() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, Some(2)))?;
    memory.data_mut(&mut store)[..4].copy_from_slice(&[5, 6, 7, 8]);
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "mem" (memory 1))
            (func (export "sum") (result i32)
                (i32.add (i32.add (i32.load8_u (i32.const 0)) (i32.load8_u (i32.const 1)))
                         (i32.add (i32.load8_u (i32.const 2)) (i32.load8_u (i32.const 3)))))
            (func (export "grow") (result i32) i32.const 1 memory.grow))"#,
    )?;
    let instance = Instance::new(&mut store, &module, &[memory.into()])?;
    let sum = instance.get_typed_func::<(), i32>(&mut store, "sum")?.call(&mut store, ())?;
    let grown = instance.get_typed_func::<(), i32>(&mut store, "grow")?.call(&mut store, ())?;
    let len = memory.data(&store).len();
    assert_eq!((sum, grown, len), (26, 1, 2 * 65536));
    // A memory smaller than the import requires is refused.
    let mut store2 = Store::new(&engine, ());
    let tiny = Memory::new(&mut store2, MemoryType::new(0, None))?;
    let refused = Instance::new(&mut store2, &module, &[tiny.into()]).is_err();
    assert!(refused);
    Ok(format!("{sum} {grown} {len} {refused}"))
}

/// A host function reading a string out of the caller's exported memory
/// (the usual `(ptr, len)` pattern), writing a reply back into it.
pub fn memory_from_caller() -> Result<String> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "greet", |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| -> Result<i32> {
        let memory = match caller.get_export("memory") {
            Some(Extern::Memory(memory)) => memory,
            _ => bail!("no exported memory"),
        };
        let (ptr, len) = (ptr as usize, len as usize);
        let name = String::from_utf8_lossy(&memory.data(&caller)[ptr..ptr + len]).into_owned();
        let reply = format!("hello, {name}!");
        memory.write(&mut caller, 1024, reply.as_bytes())?;
        caller.data_mut().push(name);
        Ok(reply.len() as i32)
    })?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "greet" (func $greet (param i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 8) "wasm")
            (func (export "run") (result i32) i32.const 8 i32.const 4 call $greet))"#,
    )?;
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module)?;
    let len = instance.get_typed_func::<(), i32>(&mut store, "run")?.call(&mut store, ())?;
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    let mut reply = vec![0u8; len as usize];
    memory.read(&store, 1024, &mut reply)?;
    let reply = String::from_utf8_lossy(&reply).into_owned();
    assert_eq!(reply, "hello, wasm!");
    assert_eq!(store.data(), &["wasm".to_string()]);
    Ok(format!("{len} {reply} {:?}", store.data()))
}

/// `MemoryType::new`/`new64` limits: which ones panic (`wasmtime` unwraps
/// its builder's validation), checked the same way on both crates.
pub fn memory_type_limits() -> Result<String> {
    let panics = |f: fn() -> MemoryType| std::panic::catch_unwind(f).is_err();
    let cases: [(&str, fn() -> MemoryType); 9] = [
        ("new 1..2", || MemoryType::new(1, Some(2))),
        ("new 2..1", || MemoryType::new(2, Some(1))),
        ("new 65537", || MemoryType::new(65537, None)),
        ("new 0..65537", || MemoryType::new(0, Some(65537))),
        ("new64 1..2^40", || MemoryType::new64(1, Some(1 << 40))),
        ("new64 2..1", || MemoryType::new64(2, Some(1))),
        ("new64 2^48", || MemoryType::new64(1 << 48, None)),
        ("new64 0..2^48-1", || MemoryType::new64(0, Some((1 << 48) - 1))),
        ("new64 0..max", || MemoryType::new64(0, Some(u64::MAX))),
    ];
    let seen: Vec<String> = cases.iter().map(|(name, f)| format!("{name}: {}", panics(*f))).collect();
    let seen = seen.join(", ");
    assert_eq!(
        seen,
        "new 1..2: false, new 2..1: true, new 65537: true, new 0..65537: true, new64 1..2^40: false, \
         new64 2..1: true, new64 2^48: true, new64 0..2^48-1: false, new64 0..max: false"
    );
    Ok(seen)
}
