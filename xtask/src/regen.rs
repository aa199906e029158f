//! `cargo xtask regen`: vendored headers, `conf.h` and bindgen bindings.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{comments, diff};

/// Whether to rewrite the checked-in files or only compare against them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Rewrite `include/` and `src/bindings.rs` of the sys crate.
    Write,
    /// Generate into a temporary directory and report drift as an error.
    Check,
}

const C_API_PACKAGE: &str = "wasmtime-c-api-impl";
const SYS_PACKAGE: &str = "wasmtime-mbt-sys";

/// What the generation needs to know about the workspace.
struct Inputs {
    /// `include/` of the `wasmtime-c-api-impl` package in the cargo registry.
    c_api_include: PathBuf,
    /// Version of `wasmtime-c-api-impl`, named in the bindings' header.
    c_api_version: String,
    /// `WASMTIME_FEATURE_*` suffixes of the sys crate's default features.
    features: Vec<String>,
    /// Directory of the `wasmtime-mbt-sys` crate.
    sys_dir: PathBuf,
}

pub fn run(mode: Mode) -> Result<(), String> {
    let inputs = inputs()?;
    let scratch = std::env::temp_dir().join(format!("wasmtime-mbt-regen-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    let result = generate(&inputs, &scratch).and_then(|()| match mode {
        Mode::Write => install(&scratch, &inputs.sys_dir),
        Mode::Check => check(&scratch, &inputs.sys_dir),
    });
    let _ = fs::remove_dir_all(&scratch);
    result
}

fn inputs() -> Result<Inputs, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is in the workspace");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("running cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("parsing cargo metadata: {e}"))?;
    let package = |name: &str| {
        metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == name)
            .ok_or_else(|| format!("package `{name}` is not in the dependency graph"))
    };
    let dir_of = |p: &serde_json::Value| -> PathBuf {
        Path::new(p["manifest_path"].as_str().unwrap_or_default()).parent().unwrap_or(root).to_path_buf()
    };
    let c_api = package(C_API_PACKAGE)?;
    let sys = package(SYS_PACKAGE)?;
    let features = sys["features"]["default"]
        .as_array()
        .ok_or("wasmtime-mbt-sys has no default features")?
        .iter()
        .filter_map(|f| f.as_str())
        // `bundled` chooses how Wasmtime is linked, not what it contains.
        .filter(|f| *f != "bundled")
        .map(feature_macro_suffix)
        .collect();
    Ok(Inputs {
        c_api_include: dir_of(c_api).join("include"),
        c_api_version: c_api["version"].as_str().unwrap_or_default().to_string(),
        features,
        sys_dir: dir_of(sys),
    })
}

/// `gc-drc` → `GC_DRC`, the suffix of `WASMTIME_FEATURE_GC_DRC`.
fn feature_macro_suffix(cargo_feature: &str) -> String {
    cargo_feature.to_uppercase().replace('-', "_")
}

/// Writes `out/include/**` and `out/src/bindings.rs`.
fn generate(inputs: &Inputs, out: &Path) -> Result<(), String> {
    let include = out.join("include");
    copy_headers(&inputs.c_api_include, &include)?;
    crate::header_fixes::apply(&include, crate::header_fixes::FIXES)?;
    let template = fs::read_to_string(inputs.c_api_include.join("wasmtime/conf.h.in"))
        .map_err(|e| format!("reading conf.h.in: {e}"))?;
    fs::write(include.join("wasmtime/conf.h"), conf_h(&template, &inputs.features)?)
        .map_err(|e| e.to_string())?;
    let bindings = bindings(&include, inputs)?;
    fs::create_dir_all(out.join("src")).map_err(|e| e.to_string())?;
    fs::write(out.join("src/bindings.rs"), bindings).map_err(|e| e.to_string())
}

/// Copies the C and C++ headers, leaving out the CMake template `conf.h.in`.
fn copy_headers(from: &Path, to: &Path) -> Result<(), String> {
    for rel in diff::files_under(from)? {
        if rel.file_name().is_some_and(|n| n == "conf.h.in") {
            continue;
        }
        let target = to.join(&rel);
        fs::create_dir_all(target.parent().expect("file has a parent")).map_err(|e| e.to_string())?;
        fs::copy(from.join(&rel), &target).map_err(|e| format!("copying {}: {e}", rel.display()))?;
    }
    Ok(())
}

/// Expands CMake's `#cmakedefine` lines the way `configure_file` does.
pub fn conf_h(template: &str, features: &[String]) -> Result<String, String> {
    let mut seen = Vec::new();
    let mut out = String::new();
    for line in template.lines() {
        match line.strip_prefix("#cmakedefine ") {
            Some(name) => {
                let name = name.trim();
                let on = features.iter().any(|f| name == format!("WASMTIME_FEATURE_{f}"));
                if on {
                    seen.push(name.to_string());
                    out.push_str(&format!("#define {name}\n"));
                } else {
                    out.push_str(&format!("/* #undef {name} */\n"));
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    for f in features {
        if !seen.contains(&format!("WASMTIME_FEATURE_{f}")) {
            return Err(format!("feature `{f}` has no WASMTIME_FEATURE_{f} line in conf.h.in"));
        }
    }
    Ok(out)
}

#[derive(Debug)]
struct RustdocComments;

impl bindgen::callbacks::ParseCallbacks for RustdocComments {
    fn process_comment(&self, comment: &str) -> Option<String> {
        Some(comments::to_rustdoc(comment))
    }
}

fn bindings(include: &Path, inputs: &Inputs) -> Result<String, String> {
    let builder = bindgen::Builder::default()
        .header_contents("wasmtime-mbt.h", "#include <wasm.h>\n#include <wasi.h>\n#include <wasmtime.h>\n")
        .clang_arg(format!("-I{}", include.display()))
        .allowlist_function("(wasm|wasi|wasmtime)_.*")
        .allowlist_type("(wasm|wasi|wasmtime)_.*")
        .allowlist_var("(WASM|WASI|WASMTIME|wasm|wasi|wasmtime)_.*")
        .prepend_enum_name(false)
        .derive_default(true)
        .merge_extern_blocks(true)
        .sort_semantically(true)
        .layout_tests(true)
        .parse_callbacks(Box::new(RustdocComments))
        .formatter(bindgen::Formatter::Rustfmt);
    let generated = generate_catching_missing_libclang(builder)?;
    let header = format!(
        "// @generated by `cargo xtask regen`. DO NOT EDIT.\n\
         // Wasmtime C API headers of {C_API_PACKAGE} {}.\n\
         // WASMTIME_FEATURE_*: {}.\n\n",
        inputs.c_api_version,
        inputs.features.join(", ")
    );
    Ok(header + &generated)
}

/// bindgen panics when libclang cannot be loaded; turn that into an error
/// that tells the user which package to install.
fn generate_catching_missing_libclang(builder: bindgen::Builder) -> Result<String, String> {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || builder.generate()));
    std::panic::set_hook(quiet);
    match outcome {
        Ok(Ok(bindings)) => Ok(bindings.to_string()),
        Ok(Err(e)) => Err(format!("bindgen failed: {e}")),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            if message.contains("libclang") {
                Err(format!(
                    "libclang was not found; install it with `apt-get install -y libclang-dev` \
                     (or set LIBCLANG_PATH). bindgen said: {message}"
                ))
            } else {
                Err(format!("bindgen panicked: {message}"))
            }
        }
    }
}

fn install(generated: &Path, sys_dir: &Path) -> Result<(), String> {
    let include = sys_dir.join("include");
    if include.exists() {
        fs::remove_dir_all(&include).map_err(|e| e.to_string())?;
    }
    copy_headers(&generated.join("include"), &include)?;
    fs::copy(generated.join("src/bindings.rs"), sys_dir.join("src/bindings.rs"))
        .map_err(|e| e.to_string())?;
    println!("regenerated {} and {}", include.display(), sys_dir.join("src/bindings.rs").display());
    Ok(())
}

fn check(generated: &Path, sys_dir: &Path) -> Result<(), String> {
    let mut report = diff::summarize(&generated.join("include"), &sys_dir.join("include"))?;
    let report_bindings = diff::summarize(&generated.join("src"), &sys_dir.join("src"))?;
    report.extend(report_bindings.into_iter().filter(|line| line.contains("bindings.rs")));
    if report.is_empty() {
        println!("headers and bindings are up to date");
        Ok(())
    } else {
        Err(format!(
            "checked-in files differ from `cargo xtask regen` output:\n  {}\nrun `cargo xtask regen` and commit the result",
            report.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_map_to_macro_suffixes() {
        assert_eq!(feature_macro_suffix("gc-drc"), "GC_DRC");
        assert_eq!(feature_macro_suffix("wat"), "WAT");
    }

    #[test]
    fn conf_h_defines_only_enabled_features() {
        let template = "#ifndef X\n#cmakedefine WASMTIME_FEATURE_WAT\n#cmakedefine WASMTIME_FEATURE_GC\n#endif";
        let out = conf_h(template, &["GC".to_string()]).unwrap();
        assert_eq!(out, "#ifndef X\n/* #undef WASMTIME_FEATURE_WAT */\n#define WASMTIME_FEATURE_GC\n#endif\n");
    }

    #[test]
    fn conf_h_rejects_a_feature_the_template_does_not_know() {
        let err = conf_h("#cmakedefine WASMTIME_FEATURE_WAT\n", &["NOPE".to_string()]).unwrap_err();
        assert!(err.contains("WASMTIME_FEATURE_NOPE"), "{err}");
    }
}
