//! `Module`: compiled WebAssembly code, shareable across stores and threads.

use std::ffi::CString;
use std::path::Path;
use std::ptr;
use std::sync::Arc;

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
/// assert_eq!(module.exports()[0].name, "f");
/// let empty = Module::new(&engine, b"\0asm\x01\0\0\0")?;
/// assert!(empty.exports().is_empty());
/// assert!(Module::new(&engine, b"\0asm garbage").is_err());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Module {
    raw: Arc<Owned<sys::wasmtime_module_t>>,
    engine: Engine,
}

// SAFETY: `wasmtime_module_t` wraps `wasmtime::Module` (`Send + Sync`); all
// C functions on it are thread-safe.
unsafe impl Send for Module {}
// SAFETY: as above.
unsafe impl Sync for Module {}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Module").field(&self.raw.as_ptr()).finish()
    }
}

/// Text format is turned into binary; binary is returned as is.
fn to_binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
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
    pub fn from_binary(engine: &Engine, wasm: &[u8]) -> Result<Module> {
        let mut ret = ptr::null_mut();
        // SAFETY: the engine is live and the bytes are passed with their length.
        unsafe { Error::check(sys::wasmtime_module_new(engine.as_raw(), wasm.as_ptr(), wasm.len(), &mut ret))? };
        Ok(Module::from_owned(engine, ret))
    }

    /// Compiles a module from a file of text or binary.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let bytes = std::fs::read(path.as_ref()).map_err(|e| Error::msg(format!("reading {}: {e}", path.as_ref().display())))?;
        Module::new(engine, bytes)
    }

    fn from_owned(engine: &Engine, raw: *mut sys::wasmtime_module_t) -> Module {
        // SAFETY: `raw` was just returned, owned, by a successful C call.
        let raw = unsafe { Owned::from_raw(raw) }.expect("module");
        Module { raw: Arc::new(raw), engine: engine.clone() }
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
            Error::check(sys::wasmtime_module_serialize(self.raw.as_ptr(), &mut out))?;
            Ok(take_byte_vec(out))
        }
    }

    /// Loads a module serialized by [`Module::serialize`] or
    /// [`Engine::precompile_module`] (`wasmtime_module_deserialize`).
    ///
    /// # Safety
    /// The bytes are trusted to be machine code produced by Wasmtime; only a
    /// version/configuration header is checked. Loading untrusted bytes is
    /// arbitrary code execution.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Engine, Module};
    /// let engine = Engine::default();
    /// let bytes = engine.precompile_module(br#"(module (func (export "f")))"#)?;
    /// // SAFETY: the bytes were just produced by this engine.
    /// let module = unsafe { Module::deserialize(&engine, &bytes)? };
    /// assert_eq!(module.exports()[0].name, "f");
    /// # Ok(()) }
    /// ```
    pub unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module> {
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
        &self.engine
    }

    /// The module's imports, in order (`wasmtime_module_imports`).
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let module = Module::new(&Engine::default(), r#"(module (import "env" "f" (func (param i32))))"#)?;
    /// let import = &module.imports()[0];
    /// assert_eq!((import.module.as_str(), import.name.as_str()), ("env", "f"));
    /// assert_eq!(import.ty, ExternType::Func(FuncType::new([ValType::I32], [])));
    /// # Ok(()) }
    /// ```
    pub fn imports(&self) -> Vec<ImportType> {
        let mut vec = sys::wasm_importtype_vec_t::default();
        // SAFETY: the module is live; the vector and its elements are owned
        // by us until `wasm_importtype_vec_delete`.
        unsafe {
            sys::wasmtime_module_imports(self.raw.as_ptr(), &mut vec);
            let out = (0..vec.size)
                .map(|i| {
                    let item = *vec.data.add(i);
                    ImportType {
                        module: name_string(sys::wasm_importtype_module(item)),
                        name: name_string(sys::wasm_importtype_name(item)),
                        ty: ExternType::from_raw(sys::wasm_importtype_type(item)),
                    }
                })
                .collect();
            sys::wasm_importtype_vec_delete(&mut vec);
            out
        }
    }

    /// The module's exports, in order (`wasmtime_module_exports`).
    pub fn exports(&self) -> Vec<ExportType> {
        let mut vec = sys::wasm_exporttype_vec_t::default();
        // SAFETY: as in `imports`.
        unsafe {
            sys::wasmtime_module_exports(self.raw.as_ptr(), &mut vec);
            let out = (0..vec.size)
                .map(|i| {
                    let item = *vec.data.add(i);
                    ExportType {
                        name: name_string(sys::wasm_exporttype_name(item)),
                        ty: ExternType::from_raw(sys::wasm_exporttype_type(item)),
                    }
                })
                .collect();
            sys::wasm_exporttype_vec_delete(&mut vec);
            out
        }
    }

    /// The C module, borrowed.
    pub(crate) fn as_raw(&self) -> *mut sys::wasmtime_module_t {
        self.raw.as_ptr()
    }
}
