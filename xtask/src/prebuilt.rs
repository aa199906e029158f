//! `cargo xtask prebuilt`: a prebuilt Wasmtime C API library for building
//! `wasmtime-mbt-sys` without its `bundled` feature.
//!
//! The library lands in `<target dir>/wasmtime-prebuilt/<version>/`, laid
//! out like an unpacked C API release archive — `lib/libwasmtime.so` and/or
//! `lib/libwasmtime.a`, plus `include/` when the source has headers — which
//! is what `WASMTIME_MBT_LIB_DIR` accepts. Sources:
//!
//! * by default the wasmtime-py wheel of the host platform, fetched with
//!   `python3 -m pip download`; its `wasmtime/<platform>/_libwasmtime.so` is
//!   the C API as a shared library (the wheel has no headers);
//! * `--from FILE`: a local wheel, a `wasmtime-v<V>-<arch>-<os>-c-api.tar.xz`
//!   release archive (unpacked with the system `tar`), or a bare
//!   `libwasmtime.so` / `libwasmtime.a` / `_libwasmtime.so`.
//!
//! Every file is written under a temporary name in its destination directory
//! and then renamed into place, so an interrupted run never leaves a
//! truncated library under the real name. A file that is already there is
//! left alone (same size as the wheel's member; same bytes as a local file;
//! merely present when nothing is downloaded yet), so a second run is fast
//! and changes nothing. Messages go to stderr and stdout carries only the
//! result, so `dir=$(cargo xtask prebuilt --print-dir)` works.

use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diff;

/// The wasmtime-py release fetched when `--version` is not given, and the
/// folder name when neither `--version` nor the `--from` file name tells.
const DEFAULT_VERSION: &str = "48.0.0";

/// The build-script variable of `wasmtime-mbt-sys` naming the directory.
const LIB_DIR_VAR: &str = "WASMTIME_MBT_LIB_DIR";

/// Folder under the target directory with one directory per version.
const PREBUILT_DIR: &str = "wasmtime-prebuilt";

/// Where to get a C API release archive for hosts without a wheel.
const RELEASES: &str = "https://github.com/bytecodealliance/wasmtime/releases";

/// Options of the subcommand.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--version`: the wasmtime-py version to download; with `--from` only
    /// the name of the destination folder.
    pub version: Option<String>,
    /// `--from`: a local file to install instead of downloading the wheel.
    pub from: Option<PathBuf>,
    /// `--print-dir`: print only the absolute destination directory.
    pub print_dir: bool,
}

/// Parses the arguments after `prebuilt` (`--flag value` or `--flag=value`).
pub fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut rest = args.iter().copied();
    while let Some(arg) = rest.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
            _ => (arg, None),
        };
        let mut value = || {
            inline
                .or_else(|| rest.next().filter(|v| !v.starts_with('-')))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("prebuilt: `{flag}` needs a value"))
        };
        match flag {
            "--version" => options.version = Some(value()?),
            "--from" => options.from = Some(PathBuf::from(value()?)),
            "--print-dir" if inline.is_none() => options.print_dir = true,
            _ => return Err(format!("prebuilt: unknown argument `{arg}`")),
        }
    }
    Ok(options)
}

/// Installs the library and prints the directory (see the module docs).
pub fn run(options: Options) -> Result<(), String> {
    let from = options.from.as_deref().map(absolute).transpose()?;
    let version = match (&options.version, &from) {
        (Some(version), _) => version.clone(),
        (None, Some(file)) => version_from_path(file).unwrap_or_else(|| DEFAULT_VERSION.to_string()),
        (None, None) => DEFAULT_VERSION.to_string(),
    };
    check_version(&version)?;
    let dest = absolute(&target_directory()?.join(PREBUILT_DIR).join(&version))?;
    let host = wheel_platform(std::env::consts::OS, std::env::consts::ARCH);

    let report = match &from {
        None => {
            let platform = host?;
            let lib = dest.join("lib").join("libwasmtime.so");
            if lib.is_file() {
                vec![(lib, Outcome::UpToDate)]
            } else {
                let scratch = Scratch::new("pip")?;
                let wheel = download_wheel(&version, platform, scratch.path())?;
                install_from_wheel(&wheel, Some(platform.member), &dest)?
            }
        }
        Some(file) => {
            if !file.is_file() {
                return Err(format!("prebuilt: --from {}: no such file", file.display()));
            }
            match classify(file)? {
                SourceKind::Wheel => install_from_wheel(file, host.ok().map(|p| p.member), &dest)?,
                SourceKind::Archive => install_from_archive(file, &dest)?,
                SourceKind::Library(name) => {
                    let target = dest.join("lib").join(name);
                    let outcome = install_copy(file, &target)?;
                    vec![(target, outcome)]
                }
            }
        }
    };
    describe(&report, &dest, from.as_deref());

    if options.print_dir {
        println!("{}", dest.display());
    } else {
        eprintln!("prebuilt: to link it, build wasmtime-mbt-sys without its `bundled` feature and set");
        println!("{LIB_DIR_VAR}={}", dest.display());
    }
    Ok(())
}

/// What happened to one destination file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The file was (re)written.
    Installed,
    /// The file was already there and was left alone.
    UpToDate,
}

/// Each destination file a run looked at, with what happened to it.
type Report = Vec<(PathBuf, Outcome)>;

/// Tells on stderr what a run did: each library, and a count of the rest.
fn describe(report: &Report, dest: &Path, from: Option<&Path>) {
    let source = from.map(|f| format!(" from {}", f.display())).unwrap_or_default();
    let mut others = [0usize; 2];
    for (path, outcome) in report {
        let is_library = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libwasmtime."));
        if is_library {
            let size = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            match outcome {
                Outcome::Installed => eprintln!("prebuilt: wrote {} ({size} bytes){source}", path.display()),
                Outcome::UpToDate => eprintln!("prebuilt: already there: {} ({size} bytes)", path.display()),
            }
        } else {
            others[(*outcome == Outcome::UpToDate) as usize] += 1;
        }
    }
    if others != [0, 0] {
        eprintln!("prebuilt: other files under {}: {} written, {} already there", dest.display(), others[0], others[1]);
    }
}

/// The target directory of the workspace: `cargo metadata`'s
/// `target_directory`, which follows `CARGO_TARGET_DIR` and
/// `build.target-dir`. Should cargo metadata fail (a manifest mid-edit, say),
/// `CARGO_TARGET_DIR` or `<workspace>/target`, with a warning.
fn target_directory() -> Result<PathBuf, String> {
    match crate::cargo_metadata(&["--no-deps"]) {
        Ok(metadata) => metadata["target_directory"]
            .as_str()
            .map(PathBuf::from)
            .ok_or_else(|| "cargo metadata printed no target_directory".to_string()),
        Err(e) => {
            let fallback = match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
                Some(dir) => absolute(Path::new(&dir))?,
                None => crate::workspace_root().join("target"),
            };
            eprintln!("warning: {e}\nwarning: using {} as the target directory", fallback.display());
            Ok(fallback)
        }
    }
}

/// `path` made absolute against the current directory (no symlinks resolved).
fn absolute(path: &Path) -> Result<PathBuf, String> {
    std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Rejects a version that cannot be a folder name or a pip requirement.
fn check_version(version: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+');
    if version.is_empty() || version.starts_with(['.', '-']) || !version.chars().all(allowed) {
        return Err(format!(
            "prebuilt: version {version:?} must be letters, digits, `.`, `-`, `_` or `+`, like {DEFAULT_VERSION}"
        ));
    }
    Ok(())
}

/// The version in the file name of a wheel or release archive, else in the
/// name of a directory above the file (an unpacked release archive).
fn version_from_path(path: &Path) -> Option<String> {
    path.iter().rev().filter_map(|part| part.to_str()).find_map(version_from_name)
}

/// `wasmtime-48.0.0-py3-none-manylinux1_x86_64.whl` and
/// `wasmtime-v48.0.0-x86_64-linux-c-api.tar.xz` → `48.0.0`.
fn version_from_name(name: &str) -> Option<String> {
    let rest = name.strip_prefix("wasmtime-")?;
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let candidate = rest.split('-').next()?;
    looks_like_version(candidate).then(|| candidate.to_string())
}

/// `48.0.0`, `48.0.0rc1`, `48.0.0.dev1`: at least two numeric parts, then
/// parts that start with a digit or are a `dev`/`post`/`rc` suffix — so that
/// `48.0.0.tar.xz` is not taken for a version.
fn looks_like_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let numeric = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let suffix_ok = |p: &str| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_alphanumeric())
            && (p.as_bytes()[0].is_ascii_digit() || ["dev", "post", "rc"].iter().any(|s| p.starts_with(s)))
    };
    parts.len() >= 2 && numeric(parts[0]) && numeric(parts[1]) && parts[2..].iter().all(|p| suffix_ok(p))
}

/// The wasmtime-py wheel of one host platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WheelPlatform {
    /// The `pip download --platform` tag.
    tag: &'static str,
    /// The zip member holding the C API shared library.
    member: &'static str,
}

/// The wheel to download on a host (`std::env::consts::OS`, `ARCH`).
fn wheel_platform(os: &str, arch: &str) -> Result<WheelPlatform, String> {
    match (os, arch) {
        ("linux", "x86_64") => {
            Ok(WheelPlatform { tag: "manylinux1_x86_64", member: "wasmtime/linux-x86_64/_libwasmtime.so" })
        }
        ("linux", "aarch64") => {
            Ok(WheelPlatform { tag: "manylinux2014_aarch64", member: "wasmtime/linux-aarch64/_libwasmtime.so" })
        }
        _ => Err(format!(
            "prebuilt: no wasmtime-py wheel is fetched on {arch}-{os} (only on x86_64 and aarch64 Linux); \
             download a C API release archive from {RELEASES} and pass it with --from"
        )),
    }
}

/// What a `--from` file is, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    /// A wasmtime-py wheel: a zip with `wasmtime/<platform>/_libwasmtime.so`.
    Wheel,
    /// A C API release archive (`.tar.xz`).
    Archive,
    /// A library file, installed as `lib/<this name>`.
    Library(&'static str),
}

/// Tells a wheel, a release archive and a bare library apart by file name.
fn classify(path: &Path) -> Result<SourceKind, String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.ends_with(".whl") {
        return Ok(SourceKind::Wheel);
    }
    if name.ends_with(".tar.xz") || name.ends_with(".txz") {
        return Ok(SourceKind::Archive);
    }
    match name {
        "libwasmtime.so" | "_libwasmtime.so" => Ok(SourceKind::Library("libwasmtime.so")),
        "libwasmtime.a" => Ok(SourceKind::Library("libwasmtime.a")),
        _ => Err(format!(
            "prebuilt: --from {}: expected a wasmtime-py wheel (.whl), a C API release archive \
             (wasmtime-v<V>-<arch>-<os>-c-api.tar.xz), libwasmtime.so, libwasmtime.a or _libwasmtime.so",
            path.display()
        )),
    }
}

/// Runs `python3 -m pip download` for the wheel of `version` into `into`
/// and returns the wheel's path.
fn download_wheel(version: &str, platform: WheelPlatform, into: &Path) -> Result<PathBuf, String> {
    let requirement = format!("wasmtime=={version}");
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "pip", "download", &requirement, "--no-deps", "--only-binary=:all:"])
        .args(["--platform", platform.tag, "--disable-pip-version-check", "-d"])
        .arg(into)
        .stdin(Stdio::null())
        // pip talks on stdout; keep ours for the result.
        .stdout(Stdio::from(io::stderr()));
    eprintln!("prebuilt: python3 -m pip download {requirement} --platform {}", platform.tag);
    let status = cmd.status().map_err(|e| {
        format!("prebuilt: running python3: {e}; install Python 3 with pip, or pass a downloaded wheel or release archive with --from")
    })?;
    if !status.success() {
        return Err(format!(
            "prebuilt: `python3 -m pip download {requirement}` failed ({status}); is {version} a wasmtime-py \
             release with a {} wheel? Without network, pass a wheel or a release archive ({RELEASES}) with --from",
            platform.tag
        ));
    }
    let wheels: Vec<PathBuf> = fs::read_dir(into)
        .map_err(|e| format!("reading {}: {e}", into.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .collect();
    match wheels.as_slice() {
        [wheel] => Ok(wheel.clone()),
        _ => Err(format!("prebuilt: pip download left {} wheels in {}, expected one", wheels.len(), into.display())),
    }
}

/// The wheel member to install: `preferred` when the wheel has it, else the
/// wheel's only `wasmtime/<platform>/_libwasmtime.so`.
fn wheel_member<'a>(names: &[&'a str], preferred: Option<&str>) -> Result<&'a str, String> {
    let libraries: Vec<&'a str> = names
        .iter()
        .copied()
        .filter(|name| name.starts_with("wasmtime/") && name.ends_with("/_libwasmtime.so"))
        .collect();
    if let Some(found) = preferred.and_then(|p| libraries.iter().copied().find(|name| *name == p)) {
        return Ok(found);
    }
    match libraries.as_slice() {
        [only] => Ok(only),
        [] => Err("holds no wasmtime/<platform>/_libwasmtime.so (a wheel for another OS?)".to_string()),
        several => Err(format!("holds several libraries ({}) and none for this host", several.join(", "))),
    }
}

/// Writes the wheel's `_libwasmtime.so` as `dest/lib/libwasmtime.so`, unless
/// that file already has the member's size.
fn install_from_wheel(wheel: &Path, preferred: Option<&str>, dest: &Path) -> Result<Report, String> {
    let context = |e: &dyn std::fmt::Display| format!("prebuilt: wheel {}: {e}", wheel.display());
    let file = File::open(wheel).map_err(|e| context(&e))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| context(&e))?;
    // Members whose names are not UTF-8 cannot be the library; skip them.
    let names: Vec<String> = zip.file_names().filter_map(|name| name.ok().map(|n| n.into_owned())).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let member = wheel_member(&names, preferred).map_err(|e| context(&e))?.to_string();
    let mut entry = zip.by_name(&member).map_err(|e| context(&e))?;
    let target = dest.join("lib").join("libwasmtime.so");
    if fs::metadata(&target).is_ok_and(|m| m.is_file() && m.len() == entry.size()) {
        return Ok(vec![(target, Outcome::UpToDate)]);
    }
    let mut staged = Staged::create(&target)?;
    // Reading the member to its end also checks its CRC-32.
    let written = io::copy(&mut entry, staged.file()).map_err(|e| context(&format!("{member}: {e}")))?;
    if written != entry.size() {
        return Err(context(&format!("{member}: read {written} of {} bytes", entry.size())));
    }
    staged.commit()?;
    Ok(vec![(target, Outcome::Installed)])
}

/// Unpacks a release archive with `tar -xJf` and installs its `lib/` and
/// `include/` into `dest`.
fn install_from_archive(archive: &Path, dest: &Path) -> Result<Report, String> {
    let scratch = Scratch::new("archive")?;
    let status = Command::new("tar")
        .arg("-xJf")
        .arg(archive)
        .arg("-C")
        .arg(scratch.path())
        .stdin(Stdio::null())
        .stdout(Stdio::from(io::stderr()))
        .status()
        .map_err(|e| format!("prebuilt: running tar: {e} (it needs tar and xz)"))?;
    if !status.success() {
        return Err(format!("prebuilt: `tar -xJf {}` failed ({status})", archive.display()));
    }
    let root = archive_root(scratch.path()).map_err(|e| format!("prebuilt: archive {}: {e}", archive.display()))?;
    let mut report = install_tree(&root.join("lib"), &dest.join("lib"))?;
    if root.join("include").is_dir() {
        report.extend(install_tree(&root.join("include"), &dest.join("include"))?);
    }
    Ok(report)
}

/// The top directory of an unpacked archive: `dir` when it has `lib/`, else
/// its only subdirectory that has one; its `lib/` must hold the library.
fn archive_root(dir: &Path) -> Result<PathBuf, String> {
    let root = if dir.join("lib").is_dir() {
        dir.to_path_buf()
    } else {
        let mut tops: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.join("lib").is_dir())
            .collect();
        match tops.len() {
            1 => tops.remove(0),
            0 => return Err("has no lib/ (expected <top dir>/lib/libwasmtime.{a,so})".to_string()),
            n => return Err(format!("has {n} top directories with a lib/, expected one")),
        }
    };
    let has_library = ["libwasmtime.so", "libwasmtime.a"].iter().any(|name| root.join("lib").join(name).is_file());
    if !has_library {
        return Err(format!("{}/lib holds neither libwasmtime.so nor libwasmtime.a", root.display()));
    }
    Ok(root)
}

/// Installs every file (and, on Unix, symlink) below `from` into `to`,
/// keeping relative paths.
fn install_tree(from: &Path, to: &Path) -> Result<Report, String> {
    let mut report = Vec::new();
    for rel in diff::files_under(from)? {
        let (source, target) = (from.join(&rel), to.join(&rel));
        let outcome = match fs::read_link(&source) {
            #[cfg(unix)]
            Ok(link) => install_symlink(&link, &target)?,
            _ => install_copy(&source, &target)?,
        };
        report.push((target, outcome));
    }
    Ok(report)
}

/// Copies `source` to `target` (atomically) unless `target` already has the
/// same bytes.
fn install_copy(source: &Path, target: &Path) -> Result<Outcome, String> {
    if same_contents(source, target)? {
        return Ok(Outcome::UpToDate);
    }
    let mut input = File::open(source).map_err(|e| format!("prebuilt: opening {}: {e}", source.display()))?;
    let mut staged = Staged::create(target)?;
    io::copy(&mut input, staged.file()).map_err(|e| format!("prebuilt: copying {}: {e}", source.display()))?;
    staged.commit()?;
    Ok(Outcome::Installed)
}

/// Makes `target` a symlink to `link` (atomically) unless it already is one.
#[cfg(unix)]
fn install_symlink(link: &Path, target: &Path) -> Result<Outcome, String> {
    if fs::read_link(target).is_ok_and(|existing| existing == link) {
        return Ok(Outcome::UpToDate);
    }
    let temp = temp_name(target)?;
    let _ = fs::remove_file(&temp);
    let made = std::os::unix::fs::symlink(link, &temp).and_then(|()| fs::rename(&temp, target));
    if let Err(e) = made {
        let _ = fs::remove_file(&temp);
        return Err(format!("prebuilt: linking {} -> {}: {e}", target.display(), link.display()));
    }
    Ok(Outcome::Installed)
}

/// Whether `a` and `b` are files with the same bytes (false when `b` is
/// missing).
fn same_contents(a: &Path, b: &Path) -> Result<bool, String> {
    let (Ok(meta_a), Ok(meta_b)) = (fs::metadata(a), fs::metadata(b)) else {
        return Ok(false);
    };
    if !meta_b.is_file() || meta_a.len() != meta_b.len() {
        return Ok(false);
    }
    let open =
        |p: &Path| File::open(p).map(BufReader::new).map_err(|e| format!("prebuilt: opening {}: {e}", p.display()));
    let (mut reader_a, mut reader_b) = (open(a)?, open(b)?);
    let (mut buf_a, mut buf_b) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = read_full(&mut reader_a, &mut buf_a).map_err(|e| format!("prebuilt: reading {}: {e}", a.display()))?;
        let m = read_full(&mut reader_b, &mut buf_b).map_err(|e| format!("prebuilt: reading {}: {e}", b.display()))?;
        if n != m || buf_a[..n] != buf_b[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

/// Fills `buf` from `reader` as far as it goes; returns how much was read
/// (less than `buf.len()` only at the end).
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Tells temporary names of one process apart (tests run in threads).
static SEQUENCE: AtomicUsize = AtomicUsize::new(0);

/// A fresh `.<name>.tmp-<pid>-<n>` next to `target`, whose directory is
/// created if missing.
fn temp_name(target: &Path) -> Result<PathBuf, String> {
    let dir = target.parent().ok_or_else(|| format!("prebuilt: {} has no parent", target.display()))?;
    fs::create_dir_all(dir).map_err(|e| format!("prebuilt: creating {}: {e}", dir.display()))?;
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    Ok(dir.join(format!(".{name}.tmp-{}-{n}", std::process::id())))
}

/// A file written under a temporary name next to its destination, renamed
/// into place by [`Staged::commit`] and deleted when dropped uncommitted.
struct Staged {
    /// The temporary name being written.
    temp: PathBuf,
    /// The name it gets on commit.
    target: PathBuf,
    /// The open file; `None` once [`Staged::commit`] took it.
    file: Option<File>,
    /// Set once the file has its target name.
    committed: bool,
}

impl Staged {
    /// Creates the temporary file for `target`.
    fn create(target: &Path) -> Result<Staged, String> {
        let temp = temp_name(target)?;
        let file = File::create(&temp).map_err(|e| format!("prebuilt: creating {}: {e}", temp.display()))?;
        Ok(Staged { temp, target: target.to_path_buf(), file: Some(file), committed: false })
    }

    /// The open temporary file.
    fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("open until committed")
    }

    /// Flushes the file to disk, makes it world-readable (and, for a shared
    /// library, executable, as release archives have it) and renames it to
    /// the target.
    fn commit(mut self) -> Result<(), String> {
        let file = self.file.take().expect("committed once");
        let fail = |e: io::Error| format!("prebuilt: writing {}: {e}", self.target.display());
        file.sync_all().map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let shared = self.target.extension().is_some_and(|ext| ext == "so");
            let mode = if shared { 0o755 } else { 0o644 };
            file.set_permissions(fs::Permissions::from_mode(mode)).map_err(fail)?;
        }
        drop(file);
        fs::rename(&self.temp, &self.target).map_err(fail)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    /// Removes the temporary file unless it was renamed into place.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// A temporary directory, deleted with its contents when dropped.
struct Scratch(PathBuf);

impl Scratch {
    /// Creates an empty `wasmtime-mbt-prebuilt-<purpose>-<pid>-<n>` in the
    /// system temporary directory.
    fn new(purpose: &str) -> Result<Scratch, String> {
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("wasmtime-mbt-prebuilt-{purpose}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| format!("prebuilt: creating {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }

    /// The directory.
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    /// Deletes the directory and everything in it.
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A fresh scratch directory for one test.
    fn scratch() -> Scratch {
        Scratch::new("test").unwrap()
    }

    /// Writes a zip with the given members (deflated) to `path`.
    fn write_zip(path: &Path, members: &[(&str, &[u8])]) {
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }

    /// Every file below `dir`, relative and sorted, temporary names included.
    fn listing(dir: &Path) -> Vec<String> {
        diff::files_under(dir).unwrap().iter().map(|p| p.display().to_string()).collect()
    }

    #[test]
    fn parses_flags_in_both_spellings() {
        assert_eq!(parse(&[]).unwrap(), Options::default());
        let options = parse(&["--version", "47.0.1", "--from=/tmp/x.whl", "--print-dir"]).unwrap();
        assert_eq!(
            options,
            Options { version: Some("47.0.1".into()), from: Some("/tmp/x.whl".into()), print_dir: true }
        );
        assert_eq!(parse(&["--version=1.2.3"]).unwrap().version.as_deref(), Some("1.2.3"));
    }

    #[test]
    fn rejects_missing_values_and_unknown_flags() {
        assert!(parse(&["--from"]).unwrap_err().contains("`--from` needs a value"));
        assert!(parse(&["--version", "--print-dir"]).unwrap_err().contains("`--version` needs a value"));
        assert!(parse(&["--version="]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--print-dir=yes"]).unwrap_err().contains("unknown argument"));
        assert!(parse(&["--check"]).unwrap_err().contains("unknown argument `--check`"));
    }

    #[test]
    fn reads_versions_from_wheel_and_archive_names() {
        let version = |p: &str| version_from_path(Path::new(p));
        assert_eq!(version("/tmp/wheel/wasmtime-48.0.0-py3-none-manylinux1_x86_64.whl").as_deref(), Some("48.0.0"));
        assert_eq!(version("wasmtime-v48.0.8-x86_64-linux-c-api.tar.xz").as_deref(), Some("48.0.8"));
        assert_eq!(version("wasmtime-v49.0.0rc1-aarch64-linux-c-api.tar.xz").as_deref(), Some("49.0.0rc1"));
        assert_eq!(
            version("/opt/wasmtime-v47.0.1-x86_64-linux-c-api/lib/libwasmtime.so").as_deref(),
            Some("47.0.1"),
            "an unpacked archive's directory names the version"
        );
        assert_eq!(version("/work/wasmtime-mbt/target/libwasmtime.so"), None);
        assert_eq!(version("wasmtime-dev-x86_64-linux-c-api.tar.xz"), None);
        assert_eq!(version("wasmtime-48.0.0.tar.xz"), None, "extensions are not version parts");
        assert_eq!(version("_libwasmtime.so"), None);
    }

    #[test]
    fn versions_must_be_safe_folder_names() {
        for good in ["48.0.0", "49.0.0rc1", "1.0.0+local_1", "dev"] {
            assert!(check_version(good).is_ok(), "{good}");
        }
        for bad in ["", "..", "../48.0.0", "48/0", "-1", "48 0", ".hidden"] {
            assert!(check_version(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn picks_the_wheel_of_the_host() {
        let x86 = wheel_platform("linux", "x86_64").unwrap();
        assert_eq!(x86.tag, "manylinux1_x86_64");
        assert_eq!(x86.member, "wasmtime/linux-x86_64/_libwasmtime.so");
        let arm = wheel_platform("linux", "aarch64").unwrap();
        assert_eq!(arm.tag, "manylinux2014_aarch64");
        assert_eq!(arm.member, "wasmtime/linux-aarch64/_libwasmtime.so");
        for (os, arch) in [("macos", "aarch64"), ("windows", "x86_64"), ("linux", "riscv64")] {
            let err = wheel_platform(os, arch).unwrap_err();
            assert!(err.contains(&format!("{arch}-{os}")) && err.contains("--from"), "{err}");
        }
    }

    #[test]
    fn classifies_sources_by_file_name() {
        let kind = |p: &str| classify(Path::new(p));
        assert_eq!(kind("/x/wasmtime-48.0.0-py3-none-manylinux1_x86_64.whl"), Ok(SourceKind::Wheel));
        assert_eq!(kind("wasmtime-v48.0.0-x86_64-linux-c-api.tar.xz"), Ok(SourceKind::Archive));
        assert_eq!(kind("/x/_libwasmtime.so"), Ok(SourceKind::Library("libwasmtime.so")));
        assert_eq!(kind("libwasmtime.so"), Ok(SourceKind::Library("libwasmtime.so")));
        assert_eq!(kind("libwasmtime.a"), Ok(SourceKind::Library("libwasmtime.a")));
        assert!(kind("wasmtime-v48.0.0-x86_64-linux-c-api.zip").is_err());
        assert!(kind("libwasmtime.so.48").is_err());
    }

    #[test]
    fn chooses_the_wheel_member() {
        let x86 = "wasmtime/linux-x86_64/_libwasmtime.so";
        let arm = "wasmtime/linux-aarch64/_libwasmtime.so";
        let other = "wasmtime/_bindings.py";
        assert_eq!(wheel_member(&[other, x86], Some(x86)), Ok(x86));
        assert_eq!(wheel_member(&[arm, other], Some(x86)), Ok(arm), "the only library, for a cross build");
        assert_eq!(wheel_member(&[arm, x86], Some(x86)), Ok(x86));
        assert!(wheel_member(&[arm, x86], None).unwrap_err().contains("several"));
        assert!(wheel_member(&[other, "wasmtime/darwin-arm64/_libwasmtime.dylib"], Some(x86)).is_err());
    }

    #[test]
    fn installs_a_wheel_as_lib_libwasmtime_so_once() {
        let dir = scratch();
        let wheel = dir.path().join("wasmtime-48.0.0-py3-none-manylinux1_x86_64.whl");
        let library = b"\x7fELF not really a library".repeat(100);
        write_zip(
            &wheel,
            &[
                ("wasmtime/__init__.py", b"# python"),
                ("wasmtime/linux-x86_64/_libwasmtime.so", &library),
                ("wasmtime-48.0.0.dist-info/RECORD", b""),
            ],
        );
        let dest = dir.path().join("target/wasmtime-prebuilt/48.0.0");
        let preferred = Some("wasmtime/linux-x86_64/_libwasmtime.so");
        let so = dest.join("lib/libwasmtime.so");

        assert_eq!(install_from_wheel(&wheel, preferred, &dest).unwrap(), vec![(so.clone(), Outcome::Installed)]);
        assert_eq!(fs::read(&so).unwrap(), library);
        assert_eq!(listing(&dest), ["lib/libwasmtime.so"], "only the library, no temporary file");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&so).unwrap().permissions().mode() & 0o777, 0o755);
        }

        assert_eq!(install_from_wheel(&wheel, preferred, &dest).unwrap(), vec![(so.clone(), Outcome::UpToDate)]);

        fs::write(&so, b"truncated").unwrap();
        assert_eq!(install_from_wheel(&wheel, preferred, &dest).unwrap(), vec![(so.clone(), Outcome::Installed)]);
        assert_eq!(fs::read(&so).unwrap(), library, "a library of the wrong size is replaced");
    }

    #[test]
    fn a_wheel_without_the_library_is_an_error_and_writes_nothing() {
        let dir = scratch();
        let wheel = dir.path().join("wasmtime-48.0.0-py3-none-macosx_11_0_arm64.whl");
        write_zip(&wheel, &[("wasmtime/darwin-aarch64/_libwasmtime.dylib", b"mach-o")]);
        let dest = dir.path().join("dest");
        let err = install_from_wheel(&wheel, Some("wasmtime/linux-x86_64/_libwasmtime.so"), &dest).unwrap_err();
        assert!(err.contains("_libwasmtime.so") && err.contains(&wheel.display().to_string()), "{err}");
        assert!(!dest.exists());
    }

    #[test]
    fn a_dropped_staged_file_leaves_nothing_behind() {
        let dir = scratch();
        let target = dir.path().join("lib/libwasmtime.so");
        let mut staged = Staged::create(&target).unwrap();
        staged.file().write_all(b"half a libr").unwrap();
        drop(staged);
        assert!(!target.exists());
        assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    }

    #[test]
    fn installs_a_bare_library_unless_the_bytes_match() {
        let dir = scratch();
        let source = dir.path().join("_libwasmtime.so");
        let target = dir.path().join("dest/lib/libwasmtime.so");
        fs::write(&source, b"version one").unwrap();
        assert_eq!(install_copy(&source, &target), Ok(Outcome::Installed));
        assert_eq!(install_copy(&source, &target), Ok(Outcome::UpToDate));
        fs::write(&source, b"version two").unwrap();
        assert_eq!(install_copy(&source, &target), Ok(Outcome::Installed), "same size, other bytes");
        assert_eq!(fs::read(&target).unwrap(), b"version two");
    }

    #[test]
    fn installs_lib_and_include_of_a_release_archive() {
        let dir = scratch();
        let top = dir.path().join("wasmtime-v48.0.0-x86_64-linux-c-api");
        fs::create_dir_all(top.join("lib")).unwrap();
        fs::create_dir_all(top.join("include/wasmtime")).unwrap();
        fs::write(top.join("lib/libwasmtime.a"), b"!<arch>\n").unwrap();
        fs::write(top.join("lib/libwasmtime.so"), b"\x7fELF").unwrap();
        fs::write(top.join("include/wasmtime.h"), b"#include <wasm.h>\n").unwrap();
        fs::write(top.join("include/wasmtime/conf.h"), b"#define WASMTIME_FEATURE_WAT\n").unwrap();
        fs::write(top.join("README.md"), b"not installed").unwrap();
        let archive = dir.path().join("wasmtime-v48.0.0-x86_64-linux-c-api.tar.xz");
        let status = Command::new("tar")
            .arg("-cJf")
            .arg(&archive)
            .arg("-C")
            .arg(dir.path())
            .arg("wasmtime-v48.0.0-x86_64-linux-c-api")
            .status()
            .expect("this test needs tar with xz support");
        assert!(status.success());

        let dest = dir.path().join("dest");
        let report = install_from_archive(&archive, &dest).unwrap();
        assert_eq!(
            listing(&dest),
            // `files_under` sorts by path components: `wasmtime/` before `wasmtime.h`.
            ["include/wasmtime/conf.h", "include/wasmtime.h", "lib/libwasmtime.a", "lib/libwasmtime.so"]
        );
        assert!(report.iter().all(|(_, outcome)| *outcome == Outcome::Installed), "{report:?}");
        assert_eq!(fs::read(dest.join("lib/libwasmtime.a")).unwrap(), b"!<arch>\n");

        let again = install_from_archive(&archive, &dest).unwrap();
        assert_eq!(again.len(), 4);
        assert!(again.iter().all(|(_, outcome)| *outcome == Outcome::UpToDate), "{again:?}");
    }

    #[test]
    fn an_archive_without_a_library_is_an_error() {
        let dir = scratch();
        fs::create_dir_all(dir.path().join("top/lib")).unwrap();
        fs::write(dir.path().join("top/lib/other.a"), b"").unwrap();
        assert!(archive_root(dir.path()).unwrap_err().contains("neither libwasmtime.so nor libwasmtime.a"));
        fs::remove_dir_all(dir.path().join("top")).unwrap();
        assert!(archive_root(dir.path()).unwrap_err().contains("has no lib/"));
    }
}
