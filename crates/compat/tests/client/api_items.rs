// Client cases of native items added to close issue 12's "missing" list:
// the bottom reference types, `CodeBuilder` and precompiled artifacts,
// the extern types' `default_value`, raw values, `MemoryAccessError` and
// `ArrayRef`'s fixed constructors.
//
// Client code: written once against `use wasmtime::*;` and compiled against
// both the native crate and wasmtime-mbt (see `tests/compat.rs`).

use wasmtime::*;

/// `NoFunc`, `NoExtern` and `NoneRef` name the null-only reference types
/// in typed calls, both ways.
pub fn bottom_refs_typed() -> Result<String> {
    let engine = Engine::new(Config::new().wasm_gc(true).wasm_function_references(true))?;
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "f") (param (ref null nofunc)) (result i32) (ref.is_null (local.get 0)))
            (func (export "e") (param (ref null noextern)) (result i32) (ref.is_null (local.get 0)))
            (func (export "n") (result (ref null none)) (ref.null none))
            (func (export "ff") (param funcref) (result i32) (ref.is_null (local.get 0))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let f = instance.get_typed_func::<Option<NoFunc>, i32>(&mut store, "f")?.call(&mut store, NoFunc::null())?;
    let e = instance.get_typed_func::<Option<NoExtern>, i32>(&mut store, "e")?.call(&mut store, NoExtern::null())?;
    let n = instance.get_typed_func::<(), Option<NoneRef>>(&mut store, "n")?.call(&mut store, ())?;
    // A `nullfuncref` may be passed for a `funcref` parameter.
    let ff = instance.get_typed_func::<Option<NoFunc>, i32>(&mut store, "ff")?.call(&mut store, None)?;
    // The non-null bottom types cannot be passed for a nullable parameter.
    let non_null = instance.get_typed_func::<NoFunc, i32>(&mut store, "f").is_err();
    // (Not `NoneRef::null_ref`/`null_val`: native 48.0.8 returns an
    // `extern` null there, a bug; wasmtime-mbt returns the `any` null.)
    let refs = format!("{} {}", matches!(NoFunc::null_ref(), Ref::Func(None)), matches!(NoExtern::null_ref(), Ref::Extern(None)));
    let vals = format!("{} {}", NoFunc::null_val().unwrap_funcref().is_none(), NoExtern::null_val().unwrap_externref().is_none());
    Ok(format!("{f} {e} {n:?} {ff} {non_null} {refs} {vals}"))
}

/// `CodeBuilder` from bytes and text, its hint, compiled and serialized
/// modules and components, and `Engine::detect_precompiled`.
pub fn code_builder_and_precompiled() -> Result<String> {
    let engine = Engine::default();
    let mut out = Vec::new();
    let mut builder = CodeBuilder::new(&engine);
    out.push(format!("{:?}", builder.hint().is_none()));
    builder.wasm_binary_or_text(br#"(module (func (export "f") (result i32) i32.const 7))"#, None)?;
    out.push(format!("{:?}", matches!(builder.hint(), Some(CodeHint::Module))));
    out.push(format!("{}", builder.wasm_binary(&b"\0asm\x01\0\0\0"[..], None).is_err()));
    let module = builder.compile_module()?;
    let bytes = builder.compile_module_serialized()?;
    out.push(format!("{:?} {:?}", Engine::detect_precompiled(&bytes), Engine::detect_precompiled(b"(module)")));
    // SAFETY: these bytes were just serialized by this engine.
    let copy = unsafe { Module::deserialize(&engine, &bytes)? };
    let mut store = Store::new(&engine, ());
    for m in [&module, &copy] {
        let f = Instance::new(&mut store, m, &[])?.get_typed_func::<(), i32>(&mut store, "f")?;
        out.push(f.call(&mut store, ())?.to_string());
    }

    let mut builder = CodeBuilder::new(&engine);
    builder.wasm_binary_or_text(b"(component)", None)?;
    out.push(format!("{:?}", matches!(builder.hint(), Some(CodeHint::Component))));
    builder.compile_component()?;
    let component = builder.compile_component_serialized()?;
    out.push(format!("{:?}", Engine::detect_precompiled(&component)));
    out.push(format!("{:?}", Engine::detect_precompiled(&engine.precompile_component(b"(component)")?)));
    // Compiling the wrong kind, or nothing, is an error.
    out.push(format!("{}", builder.compile_module().is_err()));
    out.push(format!("{}", CodeBuilder::new(&engine).compile_module().is_err()));
    let mut garbage = CodeBuilder::new(&engine);
    garbage.wasm_binary(&b"\0asm\x02\0\0\0"[..], None)?;
    out.push(format!("{} {}", garbage.hint().is_none(), garbage.compile_module().is_err()));
    Ok(out.join(" "))
}

/// The file forms: `CodeBuilder::wasm_binary(_or_text)_file`,
/// `detect_precompiled_file`, `Module::from_trusted_file` (text and
/// precompiled) and `deserialize_open_file`.
pub fn code_from_files() -> Result<String> {
    let engine = Engine::default();
    let dir = std::env::temp_dir().join(format!("api-items-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&dir)?;
    let wat = dir.join("m.wat");
    let cwasm = dir.join("m.cwasm");
    std::fs::write(&wat, r#"(module (func (export "f") (result i32) i32.const 9))"#)?;
    let mut out = Vec::new();
    let mut builder = CodeBuilder::new(&engine);
    builder.wasm_binary_or_text_file(&wat)?;
    std::fs::write(&cwasm, builder.compile_module_serialized()?)?;
    out.push(format!("{}", CodeBuilder::new(&engine).wasm_binary_file(&dir.join("absent.wasm")).is_err()));
    // A file that is no ELF file at all is an error (short, or long).
    let long = dir.join("long.txt");
    std::fs::write(&long, [b'x'; 100])?;
    let not_elf = [&wat, &long].map(|f| Engine::detect_precompiled_file(f).map_err(|e| e.to_string()));
    out.push(format!("{:?} {not_elf:?}", Engine::detect_precompiled_file(&cwasm)?));
    out.push(format!("{}", Engine::detect_precompiled_file(dir.join("absent")).is_err()));
    let bytes = std::fs::read(&cwasm)?;
    // SAFETY: the artifacts were written by this engine just now.
    let modules = unsafe {
        [
            Module::from_trusted_file(&engine, &wat)?,
            Module::from_trusted_file(&engine, &cwasm)?,
            Module::deserialize_open_file(&engine, std::fs::File::open(&cwasm)?)?,
        ]
    };
    // (Not `Module::deserialize_raw`: native 48.0.8 refuses it on a host
    // with virtual memory, "this target requires virtual memory to be
    // enabled"; wasmtime-mbt copies the bytes and loads them.)
    drop(bytes);
    let mut store = Store::new(&engine, ());
    for m in &modules {
        let f = Instance::new(&mut store, m, &[])?.get_typed_func::<(), i32>(&mut store, "f")?;
        out.push(f.call(&mut store, ())?.to_string());
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(out.join(" "))
}

/// Every extern type's `default_value`, used to satisfy a module's
/// imports; non-nullable contents have none.
pub fn extern_type_default_values() -> Result<String> {
    let engine = Engine::new(Config::new().wasm_exceptions(true).wasm_function_references(true))?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "m" "f" (func $f (param i32) (result i64 f32 externref)))
            (import "m" "g" (global $g (mut i32)))
            (import "m" "t" (table 2 funcref))
            (import "m" "mem" (memory 1 2))
            (import "m" "tag" (tag (param i32)))
            (func (export "run") (result i64 i32 i32)
                (call $f (i32.const 1)) drop drop
                (global.get $g)
                (i32.add (table.size 0) (memory.size))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let imports = module.imports().map(|i| i.ty().default_value(&mut store)).collect::<Result<Vec<_>>>()?;
    let instance = Instance::new(&mut store, &module, &imports)?;
    let (a, b, c) = instance.get_typed_func::<(), (i64, i32, i32)>(&mut store, "run")?.call(&mut store, ())?;
    let non_null = ValType::Ref(RefType::new(false, HeapType::Func));
    let errs = [
        FuncType::new(&engine, [], [non_null.clone()]).default_value(&mut store).is_err(),
        GlobalType::new(non_null, Mutability::Const).default_value(&mut store).is_err(),
        TableType::new(RefType::new(false, HeapType::Func), 1, None).default_value(&mut store).is_err(),
    ];
    Ok(format!("{a} {b} {c} {errs:?}"))
}

/// `Val::to_raw`/`from_raw` round trips, `TypedFunc::new_unchecked`, and
/// the small additions: `Instance::get_tag`, `Linker::try_get_by_import`,
/// `FuncType::try_new`, `Func::try_wrap`, `WasmTyList::valtypes`.
pub fn raw_values_and_small_items() -> Result<String> {
    let engine = Engine::new(Config::new().wasm_exceptions(true))?;
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "double" (func (param i32) (result i32)))
            (tag (export "t") (param i32))
            (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "double", |x: i32| x * 2)?;
    let import = module.imports().next().unwrap();
    let found = linker.try_get_by_import(&mut store, &import)?.is_some();
    let instance = linker.instantiate(&mut store, &module)?;
    let add = instance.get_func(&mut store, "add").unwrap();
    // SAFETY: the type is the function's.
    let typed = unsafe { TypedFunc::<(i32, i32), i32>::new_unchecked(&store, add) };
    let sum = typed.call(&mut store, (20, 22))?;
    let tag = instance.get_tag(&mut store, "t").is_some() && instance.get_tag(&mut store, "add").is_none();

    let ext = ExternRef::new(&mut store, 5u8)?;
    let vals = [
        Val::I32(-3),
        Val::I64(1 << 40),
        Val::F32(1.5f32.to_bits()),
        Val::F64(2.5f64.to_bits()),
        Val::V128(V128::from(7u128)),
        Val::FuncRef(Some(add)),
        Val::FuncRef(None),
        Val::ExternRef(Some(ext)),
        Val::ExternRef(None),
    ];
    let mut back = Vec::new();
    for v in &vals {
        let ty = v.ty(&store)?;
        let raw = v.to_raw(&mut store)?;
        // SAFETY: `raw` was made from a value of type `ty` in this store.
        let v2 = unsafe { Val::from_raw(&mut store, raw, ty) };
        back.push(match &v2 {
            Val::FuncRef(f) => format!("func:{}", f.is_some()),
            Val::ExternRef(Some(r)) => format!("ext:{:?}", r.data(&store)?.and_then(|d| d.downcast_ref::<u8>().copied())),
            Val::ExternRef(None) => "ext:null".to_string(),
            Val::V128(b) => format!("v128:{}", b.as_u128()),
            other => format!("{other:?}"),
        });
    }
    let fty = FuncType::try_new(&engine, [ValType::I32], [])?;
    let wrapped = Func::try_wrap(&mut store, |x: i32| x + 1)?;
    let wrapped_ty = wrapped.ty(&store);
    let list: Vec<String> = <(i32, f64, Option<Func>)>::valtypes().map(|t| t.to_string()).collect();
    Ok(format!("{found} {sum} {tag} {back:?} {} {} {list:?}", fty.params().len(), wrapped_ty.params().len()))
}

/// An out-of-bounds `Memory::read`/`write` is a `MemoryAccessError`.
pub fn memory_access_error_type() -> Result<String> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    let mut buf = [0u8; 4];
    let read: MemoryAccessError = memory.read(&store, 65534, &mut buf).unwrap_err();
    let write: MemoryAccessError = memory.write(&mut store, usize::MAX, &buf).unwrap_err();
    memory.write(&mut store, 65532, &[1, 2, 3, 4])?;
    memory.read(&store, 65532, &mut buf)?;
    let as_error: Error = read.into();
    Ok(format!("{write} {as_error} {buf:?}"))
}

/// `ArrayRef::new_fixed`, `new_from_i8_slice` and `copy_to_i8_slice`.
pub fn array_fixed_and_i8_slices() -> Result<String> {
    let engine = Engine::new(Config::new().wasm_gc(true))?;
    let mut store = Store::new(&engine, ());
    let i64s = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Var, ValType::I64.into())));
    let a = ArrayRef::new_fixed(&mut store, &i64s, &[Val::I64(1), Val::I64(-2), Val::I64(3)])?;
    let elems: Vec<i64> = a.elems(&mut store)?.map(|v| v.unwrap_i64()).collect();
    let empty = ArrayRef::new_fixed(&mut store, &i64s, &[])?.len(&store)?;
    let wrong = ArrayRef::new_fixed(&mut store, &i64s, &[Val::I32(1)]).is_err();
    let consts = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Const, ValType::I32.into())));
    let same = ArrayRef::new_fixed(&mut store, &consts, &[Val::I32(4), Val::I32(4)])?.len(&store)?;
    let bytes = ArrayRefPre::new(&mut store, ArrayType::new(&engine, FieldType::new(Mutability::Var, StorageType::I8)));
    let b = ArrayRef::new_from_i8_slice(&mut store, &bytes, &[0, 1, 255, 128])?;
    let mut out = [0u8; 4];
    b.copy_to_i8_slice(&mut store, &mut out)?;
    let short = b.copy_to_i8_slice(&mut store, &mut [0; 3]).unwrap_err().to_string();
    let not_i8 = a.copy_to_i8_slice(&mut store, &mut [0; 3]).is_err();
    let not_i8_new = ArrayRef::new_from_i8_slice(&mut store, &i64s, &[1]).is_err();
    Ok(format!("{elems:?} {empty} {wrong} {same} {out:?} {short} {not_i8} {not_i8_new}"))
}

/// A `Vec`-backed linear memory that never moves (its capacity is
/// allocated up front).
struct VecMemory(Vec<u8>, usize);

// SAFETY: the `Vec` is never reallocated; `byte_size` bytes are in bounds.
unsafe impl LinearMemory for VecMemory {
    fn byte_size(&self) -> usize {
        self.1
    }
    fn byte_capacity(&self) -> usize {
        self.0.len()
    }
    fn grow_to(&mut self, new_size: usize) -> Result<()> {
        ensure!(new_size <= self.0.len(), "out of reserved space");
        self.1 = new_size;
        Ok(())
    }
    fn as_ptr(&self) -> *mut u8 {
        self.0.as_ptr().cast_mut()
    }
}

/// Counts its memories; refuses memories whose minimum is over a limit.
struct VecCreator(std::sync::atomic::AtomicUsize);

// SAFETY: the memories reserve `reserved + guard` bytes.
unsafe impl MemoryCreator for VecCreator {
    fn new_memory(
        &self,
        _ty: MemoryType,
        minimum: usize,
        maximum: Option<usize>,
        reserved: Option<usize>,
        guard: usize,
    ) -> std::result::Result<Box<dyn LinearMemory>, String> {
        if minimum > 3 << 16 {
            return Err(format!("refusing {minimum} bytes (maximum {maximum:?})"));
        }
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let reserved = reserved.unwrap_or(4 << 16);
        Ok(Box::new(VecMemory(vec![0; reserved + guard], minimum)))
    }
}

/// `Config::with_host_memory`: instances' memories come from the host's
/// creator; it can refuse one; growth goes through `grow_to`.
pub fn host_memory_creator() -> Result<String> {
    let creator = std::sync::Arc::new(VecCreator(std::sync::atomic::AtomicUsize::new(0)));
    let mut config = Config::new();
    config.with_host_memory(creator.clone()).memory_reservation(4 << 16).memory_guard_size(0).signals_based_traps(false);
    let engine = Engine::new(&config)?;
    let module = Module::new(
        &engine,
        r#"(module (memory (export "m") 1 4)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
            (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &module, &[])?;
    let memory = instance.get_memory(&mut store, "m").unwrap();
    memory.write(&mut store, 70_000 - 65_536, &[42])?;
    let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
    let load = instance.get_typed_func::<i32, i32>(&mut store, "load")?;
    let grown = grow.call(&mut store, 1)?;
    let too_far = grow.call(&mut store, 5)?;
    let byte = load.call(&mut store, 70_000 - 65_536)?;
    let size = memory.data_size(&store);
    let big = Module::new(&engine, "(module (memory 4))")?;
    let refused = Instance::new(&mut store, &big, &[]).is_err();
    let made = creator.0.load(std::sync::atomic::Ordering::SeqCst);
    Ok(format!("{grown} {too_far} {byte} {size} {refused} {made}"))
}
