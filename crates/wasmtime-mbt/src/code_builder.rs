//! `CodeBuilder`: compiling a module or a component from bytes or a file in
//! steps, as `wasmtime::CodeBuilder`, over [`Module::from_binary`] and
//! [`Component::from_binary`](crate::component::Component::from_binary).
//! Of native's builder, the DWARF package and the unsafe-intrinsics options
//! have no C API behind them (see `docs/API.md`).

use std::borrow::Cow;
use std::path::Path;

use crate::component::Component;
use crate::error::Context;
use crate::{bail, Engine, Error, Module, Result};

/// The `\0asm` magic and the version word of a core module.
const CORE_HEADER: [u8; 8] = *b"\0asm\x01\0\0\0";
/// The `\0asm` magic and the version/layer words of a component.
const COMPONENT_HEADER: [u8; 8] = *b"\0asm\x0d\0\x01\0";

/// A builder of compiled code, as `wasmtime::CodeBuilder`: configure the
/// bytes once, then compile them as a module or a component (or just
/// serialize the compiled code).
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let mut builder = CodeBuilder::new(&engine);
/// builder.wasm_binary_or_text(br#"(module (func (export "f")))"#, None)?;
/// assert!(matches!(builder.hint(), Some(CodeHint::Module)));
/// let module = builder.compile_module()?;
/// assert!(module.get_export("f").is_some());
/// // The bytes can be configured only once.
/// assert!(builder.wasm_binary(&b"\0asm\x01\0\0\0"[..], None).is_err());
/// # Ok(()) }
/// ```
pub struct CodeBuilder<'a> {
    engine: &'a Engine,
    wasm: Option<Cow<'a, [u8]>>,
}

/// What [`CodeBuilder::hint`] says the configured bytes look like, as
/// `wasmtime::CodeHint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeHint {
    /// A core WebAssembly module.
    Module,
    /// A component.
    Component,
}

impl<'a> CodeBuilder<'a> {
    /// A builder compiling for `engine`.
    pub fn new(engine: &'a Engine) -> CodeBuilder<'a> {
        CodeBuilder { engine, wasm: None }
    }

    /// Configures the binary to compile; `wasm_path` only names it. `Err`
    /// if bytes were configured already.
    pub fn wasm_binary(&mut self, wasm_bytes: impl Into<Cow<'a, [u8]>>, wasm_path: Option<&'a Path>) -> Result<&mut Self> {
        let _ = wasm_path;
        if self.wasm.is_some() {
            bail!("cannot configure wasm bytes twice");
        }
        self.wasm = Some(wasm_bytes.into());
        Ok(self)
    }

    /// As [`CodeBuilder::wasm_binary`], accepting the text format too.
    pub fn wasm_binary_or_text(&mut self, wasm_bytes: &'a [u8], wasm_path: Option<&'a Path>) -> Result<&mut Self> {
        let wasm = to_binary(wasm_bytes, wasm_path)?;
        self.wasm_binary(wasm, wasm_path)
    }

    /// Configures the binary in `file`.
    pub fn wasm_binary_file(&mut self, file: &'a Path) -> Result<&mut Self> {
        let wasm = read(file)?;
        self.wasm_binary(wasm, Some(file))
    }

    /// Configures the binary or text in `file`.
    pub fn wasm_binary_or_text_file(&mut self, file: &'a Path) -> Result<&mut Self> {
        let wasm = to_binary(&read(file)?, Some(file))?.into_owned();
        self.wasm_binary(wasm, Some(file))
    }

    /// Whether the configured bytes look like a module or a component, from
    /// their header; `None` if none are configured or neither matches.
    pub fn hint(&self) -> Option<CodeHint> {
        let header = self.wasm.as_deref()?.get(..8)?;
        if header == COMPONENT_HEADER {
            Some(CodeHint::Component)
        } else if header == CORE_HEADER {
            Some(CodeHint::Module)
        } else {
            None
        }
    }

    /// Compiles the bytes as a module.
    pub fn compile_module(&self) -> Result<Module> {
        Module::from_binary(self.engine, self.wasm()?)
    }

    /// Compiles the bytes as a component.
    pub fn compile_component(&self) -> Result<Component> {
        Component::from_binary(self.engine, self.wasm()?)
    }

    /// Compiles the bytes as a module and serializes the result (for
    /// [`Module::deserialize`]).
    pub fn compile_module_serialized(&self) -> Result<Vec<u8>> {
        self.compile_module()?.serialize()
    }

    /// Compiles the bytes as a component and serializes the result (for
    /// [`Component::deserialize`]).
    pub fn compile_component_serialized(&self) -> Result<Vec<u8>> {
        self.compile_component()?.serialize()
    }

    fn wasm(&self) -> Result<&[u8]> {
        self.wasm.as_deref().ok_or_else(|| Error::msg("no wasm bytes have been configured"))
    }
}

/// Binary as it is, text converted ([`crate::module::to_binary`]); a text
/// error names `path`, if given.
fn to_binary<'b>(bytes: &'b [u8], path: Option<&Path>) -> Result<Cow<'b, [u8]>> {
    let wasm = crate::module::to_binary(bytes);
    match path {
        Some(path) => wasm.with_context(|| format!("failed to parse {}", path.display())),
        None => wasm,
    }
}

/// The file's bytes, or native's error.
fn read(file: &Path) -> Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("failed to read input file: {}", file.display()))
}
