//! `Module`: compiled WebAssembly code, shareable across stores and threads.

use std::ffi::CString;
use std::path::Path;
use std::ptr;
use std::sync::{Arc, OnceLock};

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::{take_byte_vec, Owned};
use crate::types::{name_string, ExportType, ExternType, ImportType};
use crate::{Engine, Error, Result};

/// A compiled WebAssembly module, as `wasmtime::Module`. Cheap to clone.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::{Engine, Module};
/// let engine = Engine::default();
/// // Text or binary, detected like `wasmtime::Module::new`.
/// let module = Module::new(&engine, r#"(module (func (export "f")))"#)?;
/// assert_eq!(module.exports().next().unwrap().name(), "f");
/// let empty = Module::new(&engine, b"\0asm\x01\0\0\0")?;
/// assert_eq!(empty.exports().len(), 0);
/// assert!(Module::new(&engine, b"\0asm garbage").is_err());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Module {
    inner: Arc<ModuleInner>,
}

/// What a [`Module`] shares among its clones: the C module, its engine,
/// and its import and export lists, read once when it is created.
struct ModuleInner {
    raw: Owned<sys::wasmtime_module_t>,
    engine: Engine,
    /// Read from C on first use, as `wasmtime` reads them from its module
    /// lazily: a `deserialize` of a module with many exports would
    /// otherwise pay for types nobody asks for.
    imports: OnceLock<Box<[(String, String, ExternType)]>>,
    exports: OnceLock<Box<[(String, ExternType)]>>,
}

impl ModuleInner {
    fn imports(&self) -> &[(String, String, ExternType)] {
        // SAFETY: the module is live while `self` is.
        self.imports.get_or_init(|| unsafe { read_imports(self.raw.as_ptr(), &self.engine) })
    }

    fn exports(&self) -> &[(String, ExternType)] {
        // SAFETY: as above.
        self.exports.get_or_init(|| unsafe { read_exports(self.raw.as_ptr(), &self.engine) })
    }
}

// SAFETY: `wasmtime_module_t` wraps `wasmtime::Module` (`Send + Sync`); all
// C functions on it are thread-safe.
unsafe impl Send for Module {}
// SAFETY: as above.
unsafe impl Sync for Module {}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Module").field(&self.inner.raw.as_ptr()).finish()
    }
}

/// Text format is turned into binary; binary is returned as is.
pub(crate) fn to_binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    if bytes.starts_with(b"\0asm") {
        Ok(bytes.into())
    } else {
        wat2wasm(bytes).map(Into::into)
    }
}

/// Converts WebAssembly text to binary (`wasmtime_wat2wasm`).
///
/// ```
/// let wasm = wasmtime_mbt::wat2wasm(b"(module)").unwrap();
/// assert_eq!(wasm, b"\0asm\x01\0\0\0");
/// assert!(wasmtime_mbt::wat2wasm(b"(module").is_err());
/// ```
pub fn wat2wasm(wat: &[u8]) -> Result<Vec<u8>> {
    let mut out = sys::wasm_byte_vec_t::default();
    // SAFETY: the text is passed with its length; `out` is owned on success.
    unsafe {
        Error::check(sys::wasmtime_wat2wasm(wat.as_ptr().cast(), wat.len(), &mut out))?;
        Ok(take_byte_vec(out))
    }
}

impl Module {
    /// Compiles a module from text or binary (`wasmtime_module_new`).
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let wasm = to_binary(bytes.as_ref())?;
        Module::from_binary(engine, &wasm)
    }

    /// Compiles a module from binary only.
    ///
    /// A module using continuation types (stack switching) is an `Err`:
    /// the C API aborts the process describing them (see `cont_types.rs`).
    pub fn from_binary(engine: &Engine, wasm: &[u8]) -> Result<Module> {
        let mut ret = ptr::null_mut();
        // SAFETY: the engine is live and the bytes are passed with their length.
        unsafe { Error::check(sys::wasmtime_module_new(engine.as_raw(), wasm.as_ptr(), wasm.len(), &mut ret))? };
        if crate::cont_types::uses_continuations(wasm) {
            // SAFETY: owned, from the successful call; freed before any of
            // its types is read.
            drop(unsafe { Owned::from_raw(ret) });
            return Err(Error::msg(
                "this module uses continuation types (stack switching), which the Wasmtime C API cannot describe",
            ));
        }
        Ok(Module::from_owned(engine, ret))
    }

    /// Compiles a module from a file of text or binary.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let bytes = std::fs::read(path.as_ref()).map_err(|e| Error::msg(format!("reading {}: {e}", path.as_ref().display())))?;
        Module::new(engine, bytes)
    }

    /// A module from a file of text, binary or a precompiled artifact
    /// (recognised by its ELF header), as `wasmtime::Module::from_trusted_file`.
    /// The C API copies the file rather than mapping it.
    ///
    /// # Safety
    /// As [`Module::deserialize`]: a precompiled artifact is trusted.
    pub unsafe fn from_trusted_file(engine: &Engine, file: impl AsRef<Path>) -> Result<Module> {
        let file = file.as_ref();
        let bytes = std::fs::read(file).map_err(|e| Error::msg(format!("failed to open file {}: {e}", file.display())))?;
        if bytes.starts_with(b"\x7fELF") {
            // SAFETY: forwarded to the caller.
            return unsafe { Module::deserialize(engine, bytes) };
        }
        crate::CodeBuilder::new(engine).wasm_binary_or_text(&bytes, Some(file))?.compile_module()
    }

    /// A module from a precompiled artifact in memory, as
    /// `wasmtime::Module::deserialize_raw`. The C API copies the bytes, so
    /// `memory` need only be valid during the call — and unlike native
    /// `wasmtime`, which on a host with virtual memory refuses raw memory
    /// ("this target requires virtual memory to be enabled"), it works.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let bytes = engine.precompile_module(br#"(module (func (export "f")))"#)?;
    /// // SAFETY: the bytes were just made by this engine.
    /// let module = unsafe { Module::deserialize_raw(&engine, std::ptr::NonNull::from(&bytes[..]))? };
    /// assert!(module.get_export("f").is_some());
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    /// As [`Module::deserialize`], and `memory` must be valid to read.
    pub unsafe fn deserialize_raw(engine: &Engine, memory: std::ptr::NonNull<[u8]>) -> Result<Module> {
        // SAFETY: the caller guarantees `memory` is readable.
        let bytes = unsafe { memory.as_ref() };
        // SAFETY: forwarded to the caller.
        unsafe { Module::deserialize(engine, bytes) }
    }

    /// A module from a precompiled artifact in an open file, as
    /// `wasmtime::Module::deserialize_open_file` (read, then
    /// [`Module::deserialize`]).
    ///
    /// # Safety
    /// As [`Module::deserialize_file`].
    pub unsafe fn deserialize_open_file(engine: &Engine, mut file: std::fs::File) -> Result<Module> {
        use std::io::Read;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        // SAFETY: forwarded to the caller.
        unsafe { Module::deserialize(engine, bytes) }
    }

    fn from_owned(engine: &Engine, raw: *mut sys::wasmtime_module_t) -> Module {
        // SAFETY: `raw` was just returned, owned, by a successful C call.
        let raw = unsafe { Owned::from_raw(raw) }.expect("module");
        // `Module` is `Send + Sync` (see the impls above); the `Arc` only shares it.
        #[allow(clippy::arc_with_non_send_sync)]
        let inner = Arc::new(ModuleInner { raw, engine: engine.clone(), imports: OnceLock::new(), exports: OnceLock::new() });
        Module { inner }
    }

    /// Checks that `bytes` (text or binary) is a valid module for `engine`
    /// without compiling it (`wasmtime_module_validate`).
    ///
    /// ```
    /// use wasmtime_mbt::{Engine, Module};
    /// let engine = Engine::default();
    /// assert!(Module::validate(&engine, b"(module)").is_ok());
    /// assert!(Module::validate(&engine, b"\0asm\x02\0\0\0").is_err());
    /// ```
    pub fn validate(engine: &Engine, bytes: &[u8]) -> Result<()> {
        let wasm = to_binary(bytes)?;
        // SAFETY: the engine is live and the bytes are passed with their length.
        unsafe { Error::check(sys::wasmtime_module_validate(engine.as_raw(), wasm.as_ptr(), wasm.len())) }
    }

    /// Serializes the compiled code for [`Module::deserialize`] (`wasmtime_module_serialize`).
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let mut out = sys::wasm_byte_vec_t::default();
        // SAFETY: the module is live; `out` is owned on success.
        unsafe {
            Error::check(sys::wasmtime_module_serialize(self.inner.raw.as_ptr(), &mut out))?;
            Ok(take_byte_vec(out))
        }
    }

    /// Loads a module serialized by [`Module::serialize`] or
    /// [`Engine::precompile_module`] (`wasmtime_module_deserialize`).
    ///
    /// # Safety
    /// The bytes are trusted to be machine code produced by Wasmtime; only a
    /// version/configuration header is checked. Loading untrusted bytes is
    /// arbitrary code execution. The module must not use continuation types
    /// (the C API aborts describing them; [`Module::new`] refuses such
    /// modules, so its output is fine).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Engine, Module};
    /// let engine = Engine::default();
    /// let bytes = engine.precompile_module(br#"(module (func (export "f")))"#)?;
    /// // SAFETY: the bytes were just produced by this engine.
    /// let module = unsafe { Module::deserialize(&engine, &bytes)? };
    /// assert_eq!(module.exports().next().unwrap().name(), "f");
    /// # Ok(()) }
    /// ```
    pub unsafe fn deserialize(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        let mut ret = ptr::null_mut();
        // SAFETY: the caller vouches for the bytes; pointers are valid.
        unsafe { Error::check(sys::wasmtime_module_deserialize(engine.as_raw(), bytes.as_ptr(), bytes.len(), &mut ret))? };
        Ok(Module::from_owned(engine, ret))
    }

    /// Like [`Module::deserialize`], from a file (`wasmtime_module_deserialize_file`).
    ///
    /// # Safety
    /// As for [`Module::deserialize`]; the file must also not change while
    /// the module is alive (it may be memory-mapped).
    pub unsafe fn deserialize_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref().to_str().ok_or_else(|| Error::msg("path is not UTF-8"))?;
        let path = CString::new(path).map_err(Error::msg)?;
        let mut ret = ptr::null_mut();
        // SAFETY: the caller vouches for the file; the path is NUL-terminated.
        unsafe { Error::check(sys::wasmtime_module_deserialize_file(engine.as_raw(), path.as_ptr(), &mut ret))? };
        Ok(Module::from_owned(engine, ret))
    }

    /// The engine this module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's imports, in order, as `wasmtime::Module::imports`
    /// (read once, by `wasmtime_module_imports`, when the module is made).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module (import "env" "f" (func (param i32))) (import "env" "m" (memory 1)))"#)?;
    /// assert_eq!(module.imports().len(), 2);
    /// let import = module.imports().next().unwrap();
    /// assert_eq!((import.module(), import.name()), ("env", "f"));
    /// assert_eq!(import.ty(), ExternType::Func(FuncType::new(&engine, [ValType::I32], [])));
    /// let names: Vec<&str> = module.imports().map(|i| i.name()).collect();
    /// assert_eq!(names, ["f", "m"]);
    /// # Ok(()) }
    /// ```
    pub fn imports<'module>(&'module self) -> impl ExactSizeIterator<Item = ImportType<'module>> + 'module {
        self.inner.imports().iter().map(|(module, name, ty)| ImportType { module, name, ty })
    }

    /// The module's exports, in order, as `wasmtime::Module::exports`
    /// (read once, by `wasmtime_module_exports`, when the module is made).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let module = Module::new(&Engine::default(), r#"(module (func (export "a")) (global (export "b") i32 (i32.const 0)))"#)?;
    /// let names: Vec<&str> = module.exports().map(|e| e.name()).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// assert!(module.exports().nth(1).unwrap().ty().global().is_some());
    /// # Ok(()) }
    /// ```
    pub fn exports<'module>(&'module self) -> impl ExactSizeIterator<Item = ExportType<'module>> + 'module {
        self.inner.exports().iter().map(|(name, ty)| ExportType { name, ty })
    }

    /// The address range of the module's compiled image in memory
    /// (`wasmtime_module_image_range`), as `wasmtime::Module::image_range`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// let module = wasmtime_mbt::Module::new(&wasmtime_mbt::Engine::default(), r#"(module (func (export "f")))"#)?;
    /// let range = module.image_range();
    /// assert!(range.start < range.end);
    /// # Ok(()) }
    /// ```
    pub fn image_range(&self) -> std::ops::Range<*const u8> {
        let (mut start, mut end) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: the module is live; C writes both pointers.
        unsafe { sys::wasmtime_module_image_range(self.as_raw(), &mut start, &mut end) };
        start.cast_const().cast()..end.cast_const().cast()
    }

    /// The type of the export `name`, if there is one, as
    /// `wasmtime::Module::get_export`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let module = Module::new(&Engine::default(), r#"(module (table (export "t") 2 funcref))"#)?;
    /// assert_eq!(module.get_export("t").unwrap().unwrap_table().minimum(), 2);
    /// assert!(module.get_export("missing").is_none());
    /// # Ok(()) }
    /// ```
    pub fn get_export(&self, name: &str) -> Option<ExternType> {
        self.inner.exports().iter().find(|(n, _)| n == name).map(|(_, ty)| ty.clone())
    }

    /// Whether `a` and `b` are the same compiled module (clones of one
    /// another), as `wasmtime::Module::same`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let a = Module::new(&engine, "(module)")?;
    /// let b = Module::new(&engine, "(module)")?;
    /// assert!(Module::same(&a, &a.clone()) && !Module::same(&a, &b));
    /// # Ok(()) }
    /// ```
    pub fn same(a: &Module, b: &Module) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// The C module, borrowed.
    pub(crate) fn as_raw(&self) -> *mut sys::wasmtime_module_t {
        self.inner.raw.as_ptr()
    }
}

/// The module's imports (`wasmtime_module_imports`).
///
/// # Safety
/// `raw` must be live.
unsafe fn read_imports(raw: *const sys::wasmtime_module_t, engine: &Engine) -> Box<[(String, String, ExternType)]> {
    let mut vec = sys::wasm_importtype_vec_t::default();
    // SAFETY: the module is live; the vector and its elements are owned by
    // us until `wasm_importtype_vec_delete`.
    unsafe {
        sys::wasmtime_module_imports(raw, &mut vec);
        let out = (0..vec.size)
            .map(|i| {
                let item = *vec.data.add(i);
                (
                    name_string(sys::wasm_importtype_module(item)),
                    name_string(sys::wasm_importtype_name(item)),
                    ExternType::from_raw(sys::wasm_importtype_type(item), engine),
                )
            })
            .collect();
        sys::wasm_importtype_vec_delete(&mut vec);
        out
    }
}

/// The module's exports (`wasmtime_module_exports`).
///
/// # Safety
/// `raw` must be live.
unsafe fn read_exports(raw: *const sys::wasmtime_module_t, engine: &Engine) -> Box<[(String, ExternType)]> {
    let mut vec = sys::wasm_exporttype_vec_t::default();
    // SAFETY: as in `read_imports`.
    unsafe {
        sys::wasmtime_module_exports(raw, &mut vec);
        let out = (0..vec.size)
            .map(|i| {
                let item = *vec.data.add(i);
                (name_string(sys::wasm_exporttype_name(item)), ExternType::from_raw(sys::wasm_exporttype_type(item), engine))
            })
            .collect();
        sys::wasm_exporttype_vec_delete(&mut vec);
        out
    }
}
