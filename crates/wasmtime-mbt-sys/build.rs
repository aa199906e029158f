//! Links Wasmtime and publishes the vendored C headers to dependents.
//!
//! Two link modes:
//!
//! - **`bundled`** (the default feature): Wasmtime is built from source by the
//!   `wasmtime-c-api-impl` dependency; nothing to do here.
//! - **prebuilt** (`bundled` off): a `libwasmtime.so` or `libwasmtime.a` found
//!   through, in order,
//!   1. `WASMTIME_MBT_LIB_DIR` (or `<TARGET>_WASMTIME_MBT_LIB_DIR`, e.g.
//!      `X86_64_UNKNOWN_LINUX_GNU_WASMTIME_MBT_LIB_DIR`): a directory holding
//!      the library, or the prefix of an unpacked release archive (`lib/`
//!      below it);
//!   2. pkg-config, package `wasmtime`.
//!
//!   `WASMTIME_MBT_STATIC=1` (or `0`, also target-prefixed) picks the static
//!   (dynamic) library when a directory holds both; without it the shared one
//!   is preferred. A shared library is also linked (symlinked, or copied)
//!   into `OUT_DIR`, so `cargo run` and `cargo test` find it at run time
//!   without `LD_LIBRARY_PATH` (Cargo puts link paths inside the target
//!   directory on the loader path). Binaries of this package get an rpath to
//!   the library's directory; `DEP_WASMTIME_MBT_LIB_DIR` names that directory
//!   for dependents' build scripts, which may add the same rpath.
//!
//! The package declares `links = "wasmtime_mbt"`, so a crate that depends on
//! `wasmtime-mbt-sys` and builds C code (with `cc`, say) finds the headers in
//! its own build script as `DEP_WASMTIME_MBT_INCLUDE`. Nothing here needs
//! libclang, cmake or a C compiler: the bindings are checked in.

use std::env;
use std::path::{Path, PathBuf};

/// The variables that choose and locate a prebuilt library.
const LIB_DIR: &str = "WASMTIME_MBT_LIB_DIR";
const STATIC: &str = "WASMTIME_MBT_STATIC";

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo:include={}", manifest.join("include").display());
    println!("cargo:rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_BUNDLED").is_some() {
        println!("cargo:mode=bundled");
        return;
    }
    println!("cargo:mode=prebuilt");
    if let Err(message) = link_prebuilt() {
        eprintln!("{message}");
        // A panic's message is what cargo shows for a failed build script.
        panic!("{message}");
    }
}

/// A setting from the environment, the target-prefixed form first (as
/// openssl-sys reads `X86_64_UNKNOWN_LINUX_GNU_OPENSSL_DIR`).
fn setting(name: &str) -> Option<String> {
    let target = env::var("TARGET").unwrap_or_default().to_uppercase().replace('-', "_");
    let prefixed = format!("{target}_{name}");
    println!("cargo:rerun-if-env-changed={prefixed}");
    println!("cargo:rerun-if-env-changed={name}");
    env::var(&prefixed).ok().or_else(|| env::var(name).ok()).filter(|v| !v.is_empty())
}

/// Static or dynamic linking of a prebuilt library.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Static,
    Dynamic,
}

impl Kind {
    fn file_name(self) -> &'static str {
        let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
        match (self, os.as_str()) {
            (Kind::Static, "windows") => "wasmtime.lib",
            (Kind::Static, _) => "libwasmtime.a",
            (Kind::Dynamic, "windows") => "wasmtime.dll.lib",
            (Kind::Dynamic, "macos" | "ios") => "libwasmtime.dylib",
            (Kind::Dynamic, _) => "libwasmtime.so",
        }
    }
}

fn link_prebuilt() -> Result<(), String> {
    let wanted = match setting(STATIC).as_deref() {
        None => None,
        Some("1") | Some("true") | Some("yes") => Some(Kind::Static),
        Some("0") | Some("false") | Some("no") => Some(Kind::Dynamic),
        Some(other) => return Err(format!("wasmtime-mbt-sys: {STATIC}={other:?}: expected 1 (static) or 0 (dynamic)")),
    };
    if let Some(dir) = setting(LIB_DIR) {
        let (dir, kind) = find_in(Path::new(&dir), wanted)?;
        link_from(&dir, kind);
        return Ok(());
    }
    match probe_pkg_config(wanted) {
        Ok(()) => Ok(()),
        Err(pkg_config) => Err(not_found(&pkg_config)),
    }
}

/// The directory (`dir` or `dir/lib`) holding the library, and its kind.
fn find_in(dir: &Path, wanted: Option<Kind>) -> Result<(PathBuf, Kind), String> {
    let kinds: &[Kind] = match wanted {
        Some(Kind::Static) => &[Kind::Static],
        Some(Kind::Dynamic) => &[Kind::Dynamic],
        None => &[Kind::Dynamic, Kind::Static],
    };
    for candidate in [dir.to_path_buf(), dir.join("lib")] {
        for &kind in kinds {
            let file = candidate.join(kind.file_name());
            println!("cargo:rerun-if-changed={}", file.display());
            if file.is_file() {
                return Ok((candidate, kind));
            }
        }
    }
    let names: Vec<_> = kinds.iter().map(|k| k.file_name()).collect();
    Err(format!(
        "wasmtime-mbt-sys: {LIB_DIR}={} holds no {} (looked in it and in its lib/).\n\
         Point it at a directory with the library, or at an unpacked Wasmtime C API release \
         archive; `cargo xtask prebuilt` puts one under target/wasmtime-prebuilt/.",
        dir.display(),
        names.join(" or ")
    ))
}

/// Emits the link lines for the library in `dir`.
fn link_from(dir: &Path, kind: Kind) {
    match kind {
        Kind::Static => {
            println!("cargo:rustc-link-search=native={}", dir.display());
            println!("cargo:rustc-link-lib=static=wasmtime");
            // What Wasmtime's own CMake config lists for its static library.
            match env::var("CARGO_CFG_TARGET_OS").as_deref() {
                Ok("linux") | Ok("android") => {
                    for lib in ["pthread", "dl", "m"] {
                        println!("cargo:rustc-link-lib=dylib={lib}");
                    }
                }
                Ok("macos") => println!("cargo:rustc-link-lib=framework=CoreFoundation"),
                Ok("windows") => {
                    for lib in ["ws2_32", "advapi32", "userenv", "ntdll", "shell32", "ole32", "bcrypt"] {
                        println!("cargo:rustc-link-lib=dylib={lib}");
                    }
                }
                _ => {}
            }
            println!("cargo:lib_dir={}", dir.display());
        }
        Kind::Dynamic => {
            let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
            let search = match expose_in(&out, dir, kind.file_name()) {
                Ok(()) => out,
                Err(_) => dir.to_path_buf(),
            };
            println!("cargo:rustc-link-search=native={}", search.display());
            println!("cargo:rustc-link-lib=dylib=wasmtime");
            if env::var("CARGO_CFG_TARGET_FAMILY").as_deref() == Ok("unix") {
                // For this package's tests and examples run outside cargo.
                println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
            }
            println!("cargo:lib_dir={}", dir.display());
        }
    }
    println!("cargo:kind={}", if kind == Kind::Static { "static" } else { "dynamic" });
}

/// Makes `out/name` the library `dir/name` (a symlink, else a copy).
fn expose_in(out: &Path, dir: &Path, name: &str) -> std::io::Result<()> {
    let source = std::fs::canonicalize(dir.join(name))?;
    let link = out.join(name);
    if std::fs::read_link(&link).ok().as_deref() == Some(source.as_path()) {
        return Ok(());
    }
    let _ = std::fs::remove_file(&link);
    #[cfg(unix)]
    let made = std::os::unix::fs::symlink(&source, &link);
    #[cfg(not(unix))]
    let made = std::fs::copy(&source, &link).map(drop);
    made
}

/// pkg-config's package `wasmtime`, as Wasmtime's CMake install writes it.
fn probe_pkg_config(wanted: Option<Kind>) -> Result<(), String> {
    let mut config = pkg_config::Config::new();
    config.atleast_version("48.0.0").cargo_metadata(false);
    if let Some(kind) = wanted {
        config.statik(kind == Kind::Static);
    }
    let library = config.probe("wasmtime").map_err(|e| e.to_string())?;
    // Link from the directory pkg-config names, with the same rules as a
    // `WASMTIME_MBT_LIB_DIR`, so the run-time path handling is the same.
    for dir in &library.link_paths {
        if let Ok((dir, kind)) = find_in(dir, wanted) {
            link_from(&dir, kind);
            return Ok(());
        }
    }
    Err(format!("pkg-config found wasmtime, but none of its link paths {:?} holds the library", library.link_paths))
}

fn not_found(pkg_config: &str) -> String {
    format!(
        "\nwasmtime-mbt-sys: no Wasmtime library to link.\n\n\
         The `bundled` feature is off, so a prebuilt libwasmtime (48.0.x) is needed. Either\n\
         - set {LIB_DIR} to a directory holding libwasmtime.so and/or libwasmtime.a, or to an\n\
         \x20 unpacked Wasmtime C API release archive (with lib/ below it); the target-prefixed\n\
         \x20 form (e.g. X86_64_UNKNOWN_LINUX_GNU_{LIB_DIR}) wins over it;\n\
         \x20 {STATIC}=1 or 0 picks the static or the shared library when both are there;\n\
         \x20 `cargo xtask prebuilt` (in the wasmtime-mbt repository) fetches one;\n\
         - or install Wasmtime where pkg-config finds its package `wasmtime`\n\
         \x20 (pkg-config said: {pkg_config});\n\
         - or enable the `bundled` feature to build Wasmtime from source (needs cmake).\n"
    )
}
