//! Precompiled code: [`Engine::precompile_component`] and recognising
//! compiled artifacts ([`Engine::detect_precompiled`]), as `wasmtime`'s.
//! Detection reads the ELF header Wasmtime writes (its OS/ABI byte and
//! flags); the C API has no function for it.

use std::io::Read;
use std::path::Path;

use crate::component::Component;
use crate::{Engine, Error, Result};

/// What [`Engine::detect_precompiled`] found, as `wasmtime::Precompiled`.
#[derive(PartialEq, Eq, Copy, Clone, Debug)]
pub enum Precompiled {
    /// A precompiled core module.
    Module,
    /// A precompiled component.
    Component,
}

/// `ELFOSABI_WASMTIME` and the `e_flags` bits of Wasmtime's artifacts
/// (`wasmtime_environ::obj`).
const ELFOSABI_WASMTIME: u8 = 200;
const EF_WASMTIME_MODULE: u32 = 1 << 0;
const EF_WASMTIME_COMPONENT: u32 = 1 << 1;
/// The length of an ELF64 header.
const ELF64_HEADER: usize = 64;

/// The kind of artifact an ELF64 header describes: `Err` with the
/// `object` crate's message (as `wasmtime` reports it) if `header` is no
/// ELF64 header at all, `Ok(None)` for an ELF file that is not Wasmtime's.
fn detect(header: &[u8]) -> Result<Option<Precompiled>, &'static str> {
    let h = header.get(..ELF64_HEADER).ok_or("Invalid ELF header size or alignment")?;
    // Magic, 64-bit class, a known byte order, ELF version 1.
    if h[..4] != *b"\x7fELF" || h[4] != 2 || !matches!(h[5], 1 | 2) || h[6] != 1 {
        return Err("Unsupported ELF header");
    }
    if h[7] != ELFOSABI_WASMTIME || h[8] != 0 {
        return Ok(None);
    }
    let flags: [u8; 4] = h[48..52].try_into().expect("4 bytes");
    let flags = if h[5] == 1 { u32::from_le_bytes(flags) } else { u32::from_be_bytes(flags) };
    Ok(if flags & EF_WASMTIME_MODULE != 0 {
        Some(Precompiled::Module)
    } else if flags & EF_WASMTIME_COMPONENT != 0 {
        Some(Precompiled::Component)
    } else {
        None
    })
}

impl Engine {
    /// Whether `bytes` look like a module or component compiled by
    /// Wasmtime ([`Module::serialize`](crate::Module::serialize),
    /// [`Engine::precompile_module`], …). Does not check that they can be
    /// deserialized.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Engine, Precompiled};
    /// let engine = Engine::default();
    /// let module = engine.precompile_module(b"(module)")?;
    /// let component = engine.precompile_component(b"(component)")?;
    /// assert_eq!(Engine::detect_precompiled(&module), Some(Precompiled::Module));
    /// assert_eq!(Engine::detect_precompiled(&component), Some(Precompiled::Component));
    /// assert_eq!(Engine::detect_precompiled(b"\0asm\x01\0\0\0"), None);
    /// # Ok(()) }
    /// ```
    pub fn detect_precompiled(bytes: &[u8]) -> Option<Precompiled> {
        detect(bytes).ok().flatten()
    }

    /// As [`Engine::detect_precompiled`], on the start of a file; `Err` if
    /// it cannot be read or is no ELF file (as `wasmtime`).
    pub fn detect_precompiled_file(path: impl AsRef<Path>) -> Result<Option<Precompiled>> {
        let mut header = Vec::with_capacity(ELF64_HEADER);
        std::fs::File::open(path)?.take(ELF64_HEADER as u64).read_to_end(&mut header)?;
        detect(&header).map_err(Error::msg)
    }

    /// Compiles a component (text or binary) and serializes the result,
    /// for [`Component::deserialize`].
    pub fn precompile_component(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        Component::new(self, bytes)?.serialize()
    }
}
