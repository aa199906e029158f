//! Corrections applied to the vendored Wasmtime headers by `cargo xtask
//! regen`, where a header's declaration disagrees with the function the C
//! API actually defines. Both the vendored header (which C consumers of the
//! sys crate include) and the bindings generated from it come out right,
//! and `regen --check` keeps them so.
//!
//! Each fix names the exact text it replaces: when a Wasmtime update
//! changes that text (say, fixes the header upstream), regen fails and says
//! which fix to revisit, instead of silently doing nothing.

use std::fs;
use std::path::Path;

/// One replacement in one header.
pub struct Fix {
    /// Path under `include/`.
    pub file: &'static str,
    /// The upstream text, exactly.
    pub old: &'static str,
    /// What it becomes.
    pub new: &'static str,
    /// Why, for the error message.
    pub why: &'static str,
}

/// Every fix, in order.
pub const FIXES: &[Fix] = &[Fix {
    file: "wasmtime/async.h",
    old: "WASM_API_EXTERN wasmtime_error_t *\nwasmtime_context_epoch_deadline_async_yield_and_update(",
    new: "WASM_API_EXTERN void\nwasmtime_context_epoch_deadline_async_yield_and_update(",
    why: "Wasmtime 48 defines wasmtime_context_epoch_deadline_async_yield_and_update returning nothing \
          (c-api/src/async.rs); the header declares a wasmtime_error_t * result",
}];

/// Applies `fixes` to the headers under `include`.
pub fn apply(include: &Path, fixes: &[Fix]) -> Result<(), String> {
    for fix in fixes {
        let path = include.join(fix.file);
        let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        match text.matches(fix.old).count() {
            1 => fs::write(&path, text.replacen(fix.old, fix.new, 1)).map_err(|e| e.to_string())?,
            n => {
                return Err(format!(
                    "header fix for {} no longer applies ({n} matches of its text; revisit xtask/src/header_fixes.rs): {}",
                    fix.file, fix.why
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_replaces_its_text_once_and_fails_loudly_when_it_is_gone() {
        let dir = std::env::temp_dir().join(format!("xtask-header-fixes-{}", std::process::id()));
        fs::create_dir_all(dir.join("wasmtime")).unwrap();
        let header = dir.join("wasmtime/async.h");
        fs::write(&header, "x\nWASM_API_EXTERN wasmtime_error_t *\nwasmtime_context_epoch_deadline_async_yield_and_update(\n    wasmtime_context_t *context, uint64_t delta);\n").unwrap();
        apply(&dir, FIXES).unwrap();
        let fixed = fs::read_to_string(&header).unwrap();
        assert!(fixed.contains("WASM_API_EXTERN void\nwasmtime_context_epoch_deadline_async_yield_and_update("), "{fixed}");
        let err = apply(&dir, FIXES).unwrap_err();
        assert!(err.contains("no longer applies"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
