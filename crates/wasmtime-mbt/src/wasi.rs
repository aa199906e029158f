//! WASI preview 1: [`WasiConfig`] (arguments, environment, stdio,
//! preopened directories), [`Store::set_wasi`], [`Linker::define_wasi`] and
//! [`Linker::run_command`], plus [`OutputBuffer`] to capture a guest's
//! stdout/stderr in memory.
//!
//! ```
//! # fn main() -> wasmtime_mbt::Result<()> {
//! use wasmtime_mbt::*;
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (import "wasi_snapshot_preview1" "fd_write"
//!         (func $fd_write (param i32 i32 i32 i32) (result i32)))
//!     (memory (export "memory") 1)
//!     (data (i32.const 16) "hello\n")
//!     (func (export "_start")
//!         (i32.store (i32.const 0) (i32.const 16))  ;; iov.buf
//!         (i32.store (i32.const 4) (i32.const 6))   ;; iov.len
//!         (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#)?;
//! let mut linker = Linker::new(&engine);
//! linker.define_wasi()?;
//! let mut wasi = WasiConfig::new();
//! let stdout = wasi.capture_stdout();
//! let mut store = Store::new(&engine, ());
//! store.set_wasi(wasi)?;
//! linker.run_command(&mut store, &module)?;
//! assert_eq!(stdout.contents(), b"hello\n");
//! # Ok(()) }
//! ```

use std::ffi::{c_void, CString};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use wasmtime_mbt_sys as sys;

use crate::error::ErrorExt as _;
use crate::owned::{CDelete, Owned};
use crate::{AsContextMut, Error, Linker, Module, Result, Store};

/// The error of a WASI `proc_exit(n)`, as `wasmtime_wasi::I32Exit`: the
/// root cause of the error a call into the guest returns.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::*;
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module
///     (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
///     (memory (export "memory") 1)
///     (func (export "_start") (call $exit (i32.const 7))))"#)?;
/// let mut linker = Linker::new(&engine);
/// linker.define_wasi()?;
/// let mut store = Store::new(&engine, ());
/// store.set_wasi(WasiConfig::new())?;
/// let instance = linker.instantiate(&mut store, &module)?;
/// let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
/// let err = start.call(&mut store, ()).unwrap_err();
/// assert_eq!(err.downcast_ref::<I32Exit>().unwrap().0, 7);
/// assert_eq!(I32Exit(7).to_string(), "Exited with i32 exit status 7");
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[error("Exited with i32 exit status {0}")]
pub struct I32Exit(pub i32);

impl CDelete for sys::wasi_config_t {
    unsafe fn delete(ptr: *mut Self) {
        // SAFETY: forwarded from the caller: `ptr` is owned and live.
        unsafe { sys::wasi_config_delete(ptr) }
    }
}

/// The WASI preview 1 context of a store, built step by step, as
/// `wasmtime_wasi::WasiCtxBuilder`; install it with [`Store::set_wasi`].
///
/// By default a guest has no arguments, no environment, an empty stdin,
/// discarded stdout/stderr, and no filesystem access.
///
/// Every setter calls the matching `wasi_config_*` function right away, so
/// a setting the C API rejects (a file that cannot be opened, a missing
/// preopened directory, a string with an interior NUL) is an `Err` from the
/// call that made it; the configuration stays usable.
///
/// ```
/// # fn main() -> wasmtime_mbt::Result<()> {
/// use wasmtime_mbt::WasiConfig;
/// let mut wasi = WasiConfig::new();
/// wasi.args(["prog", "--verbose"])?.env("HOME", "/home/guest")?.stdin_bytes("input");
/// let stdout = wasi.capture_stdout();
/// assert!(stdout.is_empty());
/// assert!(wasi.arg("bad\0arg").is_err());
/// assert!(wasi.stdin_file("/no/such/file").is_err());
/// # Ok(()) }
/// ```
pub struct WasiConfig {
    raw: Owned<sys::wasi_config_t>,
}

// SAFETY: `wasi_config_t` wraps `wasmtime_wasi::WasiCtxBuilder`, which is
// `Send`; the output sinks this crate registers are `Send + Sync`.
unsafe impl Send for WasiConfig {}

impl std::fmt::Debug for WasiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiConfig").field("raw", &self.raw).finish()
    }
}

impl Default for WasiConfig {
    fn default() -> WasiConfig {
        WasiConfig::new()
    }
}

/// A C string, or an `Err` naming `what` for an interior NUL.
fn c_string(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::msg(format!("WASI {what} {s:?} contains a NUL byte")))
}

/// A host path as a C string: the C API wants UTF-8 without NULs.
fn c_path(what: &str, path: &Path) -> Result<CString> {
    let s = path
        .to_str()
        .ok_or_else(|| Error::msg(format!("WASI {what} `{}` is not valid UTF-8", path.display())))?;
    c_string(what, s)
}

impl WasiConfig {
    /// An empty configuration (`wasi_config_new`).
    pub fn new() -> WasiConfig {
        // SAFETY: `wasi_config_new` returns an owned configuration.
        let raw = unsafe { Owned::from_raw(sys::wasi_config_new()) }.expect("wasi_config_new returned null");
        WasiConfig { raw }
    }

    fn raw(&mut self) -> *mut sys::wasi_config_t {
        self.raw.as_ptr()
    }

    /// Appends one argument (`wasi_config_set_argv`, which appends). By
    /// convention the first argument is the program's name.
    pub fn arg(&mut self, arg: impl AsRef<str>) -> Result<&mut Self> {
        self.args([arg])
    }

    /// Appends arguments (`wasi_config_set_argv`). Nothing is appended if
    /// one of them contains a NUL byte (an `Err`).
    pub fn args<S: AsRef<str>>(&mut self, args: impl IntoIterator<Item = S>) -> Result<&mut Self> {
        let args = args.into_iter().map(|a| c_string("argument", a.as_ref())).collect::<Result<Vec<_>>>()?;
        let mut ptrs: Vec<*const std::ffi::c_char> = args.iter().map(|a| a.as_ptr()).collect();
        // SAFETY: the config is live; `ptrs` holds `len` NUL-terminated UTF-8
        // strings alive for the call, which copies them.
        let ok = unsafe { sys::wasi_config_set_argv(self.raw(), ptrs.len(), ptrs.as_mut_ptr()) };
        if ok {
            Ok(self)
        } else {
            Err(Error::msg("WASI arguments were rejected by Wasmtime"))
        }
    }

    /// Replaces the arguments with this process's own (`wasi_config_inherit_argv`).
    pub fn inherit_args(&mut self) -> &mut Self {
        // SAFETY: the config is live.
        unsafe { sys::wasi_config_inherit_argv(self.raw()) };
        self
    }

    /// Adds one environment variable (`wasi_config_set_env`). A NUL byte
    /// anywhere, or `=` in the name, is an `Err`.
    pub fn env(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> Result<&mut Self> {
        self.envs([(key, value)])
    }

    /// Adds environment variables (`wasi_config_set_env`); nothing is added
    /// if one of them is invalid (see [`WasiConfig::env`]).
    pub fn envs<K: AsRef<str>, V: AsRef<str>>(&mut self, vars: impl IntoIterator<Item = (K, V)>) -> Result<&mut Self> {
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (k, v) in vars {
            let (k, v) = (k.as_ref(), v.as_ref());
            if k.contains('=') {
                return Err(Error::msg(format!("WASI environment variable name {k:?} contains `=`")));
            }
            names.push(c_string("environment variable name", k)?);
            values.push(c_string("environment variable value", v)?);
        }
        let mut name_ptrs: Vec<*const std::ffi::c_char> = names.iter().map(|s| s.as_ptr()).collect();
        let mut value_ptrs: Vec<*const std::ffi::c_char> = values.iter().map(|s| s.as_ptr()).collect();
        // SAFETY: the config is live; both arrays hold `len` NUL-terminated
        // UTF-8 strings alive for the call, which copies them.
        let ok = unsafe { sys::wasi_config_set_env(self.raw(), name_ptrs.len(), name_ptrs.as_mut_ptr(), value_ptrs.as_mut_ptr()) };
        if ok {
            Ok(self)
        } else {
            Err(Error::msg("WASI environment variables were rejected by Wasmtime"))
        }
    }

    /// Adds this process's whole environment (`wasi_config_inherit_env`).
    pub fn inherit_env(&mut self) -> &mut Self {
        // SAFETY: the config is live.
        unsafe { sys::wasi_config_inherit_env(self.raw()) };
        self
    }

    /// Makes stdin read these bytes, then end (`wasi_config_set_stdin_bytes`).
    pub fn stdin_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        let bytes = bytes.into();
        let mut vec = sys::wasm_byte_vec_t::default();
        // SAFETY: `vec` is an out-parameter filled with an owned copy of
        // `bytes`, whose ownership the config then takes.
        unsafe {
            sys::wasm_byte_vec_new(&mut vec, bytes.len(), bytes.as_ptr().cast());
            sys::wasi_config_set_stdin_bytes(self.raw(), &mut vec);
        }
        self
    }

    /// Makes stdin read the file at `path` (`wasi_config_set_stdin_file`).
    /// A file that cannot be opened for reading is an `Err` with the OS error.
    pub fn stdin_file(&mut self, path: impl AsRef<Path>) -> Result<&mut Self> {
        let path = path.as_ref();
        let c = c_path("stdin file", path)?;
        // Open it ourselves first, for the OS's reason on failure.
        let file = std::fs::File::open(path).map_err(|e| Error::msg(format!("cannot open WASI stdin file `{}`: {e}", path.display())))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(Error::msg(format!("cannot use WASI stdin file `{}`: it is a directory", path.display())));
        }
        // SAFETY: the config is live; the path is NUL-terminated UTF-8.
        if unsafe { sys::wasi_config_set_stdin_file(self.raw(), c.as_ptr()) } {
            Ok(self)
        } else {
            Err(Error::msg(format!("cannot open WASI stdin file `{}`", path.display())))
        }
    }

    /// Makes stdin this process's stdin (`wasi_config_inherit_stdin`).
    pub fn inherit_stdin(&mut self) -> &mut Self {
        // SAFETY: the config is live.
        unsafe { sys::wasi_config_inherit_stdin(self.raw()) };
        self
    }

    /// Writes stdout to the file at `path`, created or truncated
    /// (`wasi_config_set_stdout_file`).
    pub fn stdout_file(&mut self, path: impl AsRef<Path>) -> Result<&mut Self> {
        self.output_file(Stream::Stdout, path.as_ref())
    }

    /// Writes stdout to this process's stdout (`wasi_config_inherit_stdout`).
    pub fn inherit_stdout(&mut self) -> &mut Self {
        // SAFETY: the config is live.
        unsafe { sys::wasi_config_inherit_stdout(self.raw()) };
        self
    }

    /// Appends stdout to `buffer` (`wasi_config_set_stdout_custom`).
    pub fn stdout_buffer(&mut self, buffer: &OutputBuffer) -> &mut Self {
        self.stdout_writer(buffer.clone())
    }

    /// Captures stdout in a new [`OutputBuffer`], readable while the guest
    /// runs and afterwards.
    pub fn capture_stdout(&mut self) -> OutputBuffer {
        let buffer = OutputBuffer::new();
        self.stdout_buffer(&buffer);
        buffer
    }

    /// Sends stdout to any writer (`wasi_config_set_stdout_custom`). A write
    /// error (or panic) in `writer` becomes an I/O error in the guest.
    pub fn stdout_writer(&mut self, writer: impl Write + Send + 'static) -> &mut Self {
        self.output_custom(Stream::Stdout, Box::new(writer))
    }

    /// Writes stderr to the file at `path`, created or truncated
    /// (`wasi_config_set_stderr_file`).
    pub fn stderr_file(&mut self, path: impl AsRef<Path>) -> Result<&mut Self> {
        self.output_file(Stream::Stderr, path.as_ref())
    }

    /// Writes stderr to this process's stderr (`wasi_config_inherit_stderr`).
    pub fn inherit_stderr(&mut self) -> &mut Self {
        // SAFETY: the config is live.
        unsafe { sys::wasi_config_inherit_stderr(self.raw()) };
        self
    }

    /// Appends stderr to `buffer` (`wasi_config_set_stderr_custom`).
    pub fn stderr_buffer(&mut self, buffer: &OutputBuffer) -> &mut Self {
        self.stderr_writer(buffer.clone())
    }

    /// Captures stderr in a new [`OutputBuffer`].
    pub fn capture_stderr(&mut self) -> OutputBuffer {
        let buffer = OutputBuffer::new();
        self.stderr_buffer(&buffer);
        buffer
    }

    /// Sends stderr to any writer (`wasi_config_set_stderr_custom`); see
    /// [`WasiConfig::stdout_writer`].
    pub fn stderr_writer(&mut self, writer: impl Write + Send + 'static) -> &mut Self {
        self.output_custom(Stream::Stderr, Box::new(writer))
    }

    fn output_file(&mut self, stream: Stream, path: &Path) -> Result<&mut Self> {
        let name = stream.name();
        let c = c_path(&format!("{name} file"), path)?;
        // SAFETY: the config is live; the path is NUL-terminated UTF-8.
        let ok = unsafe {
            match stream {
                Stream::Stdout => sys::wasi_config_set_stdout_file(self.raw(), c.as_ptr()),
                Stream::Stderr => sys::wasi_config_set_stderr_file(self.raw(), c.as_ptr()),
            }
        };
        if ok {
            Ok(self)
        } else {
            // Ask the OS why (the C API only says "no"); this does not
            // truncate anything the C call did not already.
            let why = match std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path) {
                Err(e) => format!(": {e}"),
                Ok(_) => String::new(),
            };
            Err(Error::msg(format!("cannot open WASI {name} file `{}` for writing{why}", path.display())))
        }
    }

    fn output_custom(&mut self, stream: Stream, writer: Box<dyn Write + Send>) -> &mut Self {
        let sink: *mut Sink = Box::into_raw(Box::new(Mutex::new(writer)));
        // SAFETY: the config is live; C owns `sink` and frees it with
        // `drop_sink`, and only passes it to `write_sink`.
        unsafe {
            match stream {
                Stream::Stdout => sys::wasi_config_set_stdout_custom(self.raw(), Some(write_sink), sink.cast(), Some(drop_sink)),
                Stream::Stderr => sys::wasi_config_set_stderr_custom(self.raw(), Some(write_sink), sink.cast(), Some(drop_sink)),
            }
        }
        self
    }

    /// Grants the guest the host directory `host_path` under the name
    /// `guest_path` (`wasi_config_preopen_dir`), as
    /// `wasmtime_wasi::WasiCtxBuilder::preopened_dir`. The guest can reach
    /// everything below it and nothing above it.
    ///
    /// Wasmtime 48 knows two permission sets only, so `dir_perms` and
    /// `file_perms` must be `(DirPerms::READ, FilePerms::READ)` (read-only)
    /// or `(DirPerms::all(), FilePerms::all())` (read-write); any other
    /// combination is an `Err` rather than a silent widening or narrowing.
    /// A missing or non-directory `host_path` is an `Err`.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{DirPerms, FilePerms, WasiConfig};
    /// let dir = std::env::temp_dir();
    /// let mut wasi = WasiConfig::new();
    /// wasi.preopen_dir(&dir, "/tmp", DirPerms::READ, FilePerms::READ)?;
    /// wasi.preopen_dir(&dir, "/rw", DirPerms::all(), FilePerms::all())?;
    /// assert!(wasi.preopen_dir(&dir, "/x", DirPerms::READ, FilePerms::all()).is_err());
    /// assert!(wasi.preopen_dir("/no/such/dir", "/y", DirPerms::READ, FilePerms::READ).is_err());
    /// # Ok(()) }
    /// ```
    pub fn preopen_dir(&mut self, host_path: impl AsRef<Path>, guest_path: &str, dir_perms: DirPerms, file_perms: FilePerms) -> Result<&mut Self> {
        let host_path = host_path.as_ref();
        let fs_mutable = if dir_perms == DirPerms::READ && file_perms == FilePerms::READ {
            false
        } else if dir_perms == DirPerms::all() && file_perms == FilePerms::all() {
            true
        } else {
            return Err(Error::msg(format!(
                "unsupported WASI permissions {dir_perms:?}/{file_perms:?} for `{}`: Wasmtime 48 only supports \
                 (DirPerms::READ, FilePerms::READ) or (DirPerms::all(), FilePerms::all())",
                host_path.display()
            )));
        };
        let c_host = c_path("preopened directory", host_path)?;
        let c_guest = c_string("guest path", guest_path)?;
        match std::fs::metadata(host_path) {
            Err(e) => return Err(Error::msg(format!("cannot preopen directory `{}`: {e}", host_path.display()))),
            Ok(m) if !m.is_dir() => return Err(Error::msg(format!("cannot preopen `{}`: not a directory", host_path.display()))),
            Ok(_) => {}
        }
        // SAFETY: the config is live; both paths are NUL-terminated UTF-8.
        if unsafe { sys::wasi_config_preopen_dir(self.raw(), c_host.as_ptr(), c_guest.as_ptr(), fs_mutable) } {
            Ok(self)
        } else {
            Err(Error::msg(format!("cannot preopen directory `{}`", host_path.display())))
        }
    }

    /// Lets the guest use every network address the host can
    /// (`wasi_config_inherit_network`). Only WASI sockets use this.
    pub fn inherit_network(&mut self) -> &mut Self {
        // SAFETY: the config is live.
        unsafe { sys::wasi_config_inherit_network(self.raw()) };
        self
    }

    /// Allows `wasi:sockets/ip-name-lookup` (`wasi_config_allow_ip_name_lookup`);
    /// off by default.
    pub fn allow_ip_name_lookup(&mut self, enable: bool) -> &mut Self {
        // SAFETY: the config is live.
        unsafe { sys::wasi_config_allow_ip_name_lookup(self.raw(), enable) };
        self
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// What `wasi_config_set_*_custom` keeps as its data pointer.
type Sink = Mutex<Box<dyn Write + Send>>;

/// `EIO`, reported to the guest when a writer fails without an OS error.
const EIO: i32 = 5;

unsafe extern "C" fn write_sink(data: *mut c_void, buf: *const u8, len: usize) -> isize {
    // The writer's error is read and dropped inside the guard too (its
    // payload's `Drop` is user code).
    crate::guard::no_unwind(|| {
        // SAFETY: `data` is the `Sink` registered in `output_custom`, alive
        // until `drop_sink`; `buf` holds `len` bytes for this call.
        let (sink, bytes) = unsafe { (&*data.cast::<Sink>(), crate::owned::borrow_bytes(buf, len)) };
        match lock(sink).write_all(bytes) {
            Ok(()) => isize::try_from(len).unwrap_or(isize::MAX),
            Err(e) => -(e.raw_os_error().filter(|&c| c > 0).unwrap_or(EIO) as isize),
        }
    })
    .unwrap_or(-(EIO as isize))
}

unsafe extern "C" fn drop_sink(data: *mut c_void) {
    // SAFETY: `data` is the boxed `Sink` from `output_custom`, freed once.
    // A panicking writer's `Drop` must not unwind into C.
    unsafe { crate::guard::drop_box::<Sink>(data) }
}

/// Locks a mutex, ignoring poisoning (the data is plain bytes or a writer).
fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Bytes a guest wrote to stdout or stderr, shared between the WASI context
/// and the host; see [`WasiConfig::capture_stdout`]. Cheap to clone (all
/// clones share one buffer), `Send + Sync`, readable at any time.
///
/// ```
/// use std::io::Write;
/// let buf = wasmtime_mbt::OutputBuffer::new();
/// buf.clone().write_all(b"abc").unwrap();
/// assert_eq!(buf.contents(), b"abc");
/// assert_eq!(buf.to_string_lossy(), "abc");
/// assert_eq!(buf.take(), b"abc");
/// assert!(buf.is_empty());
/// ```
#[derive(Clone, Default)]
pub struct OutputBuffer(Arc<Mutex<Vec<u8>>>);

impl OutputBuffer {
    /// An empty buffer.
    pub fn new() -> OutputBuffer {
        OutputBuffer::default()
    }

    /// A copy of the bytes written so far.
    pub fn contents(&self) -> Vec<u8> {
        lock(&self.0).clone()
    }

    /// The bytes written so far, leaving the buffer empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *lock(&self.0))
    }

    /// The bytes written so far as text, invalid UTF-8 replaced.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&lock(&self.0)).into_owned()
    }

    /// How many bytes were written (and not taken).
    pub fn len(&self) -> usize {
        lock(&self.0).len()
    }

    /// Whether nothing was written (or all was taken).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Write for OutputBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Debug for OutputBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OutputBuffer").field(&self.to_string_lossy()).finish()
    }
}

macro_rules! perms {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $flag:ident = $bit:expr,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(u8);

        impl $name {
            $($(#[$fdoc])* pub const $flag: $name = $name($bit);)*

            /// No permission.
            pub const fn empty() -> $name {
                $name(0)
            }

            /// Every permission.
            pub const fn all() -> $name {
                $name(0 $(| $bit)*)
            }

            /// Whether every permission in `other` is in `self`.
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }
        }

        impl std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let names: Vec<&str> = [$((stringify!($flag), $bit)),*]
                    .into_iter()
                    .filter(|&(_, bit)| self.0 & bit != 0)
                    .map(|(name, _)| name)
                    .collect();
                write!(f, "{}({})", stringify!($name), if names.is_empty() { "empty".to_string() } else { names.join(" | ") })
            }
        }
    };
}

perms! {
    /// What a guest may do with a preopened directory itself; see
    /// [`WasiConfig::preopen_dir`].
    ///
    /// ```
    /// use wasmtime_mbt::DirPerms;
    /// assert_eq!(DirPerms::READ | DirPerms::MUTATE, DirPerms::all());
    /// assert!(DirPerms::all().contains(DirPerms::READ));
    /// ```
    DirPerms {
        /// List and open entries.
        READ = 1,
        /// Create, rename and remove entries.
        MUTATE = 2,
    }
}

perms! {
    /// What a guest may do with files in a preopened directory; see
    /// [`WasiConfig::preopen_dir`].
    ///
    /// ```
    /// use wasmtime_mbt::FilePerms;
    /// assert_eq!(FilePerms::READ | FilePerms::WRITE, FilePerms::all());
    /// ```
    FilePerms {
        /// Read files.
        READ = 1,
        /// Write files.
        WRITE = 2,
    }
}

impl<T> Store<T> {
    /// Installs the WASI context that the functions from
    /// [`Linker::define_wasi`] use in this store
    /// (`wasmtime_context_set_wasi`), replacing any earlier one (instances
    /// already running see the new one too).
    ///
    /// A store that a linker with [`Linker::define_wasi`] touches before
    /// this is called gets an empty context (no arguments, environment or
    /// preopens; empty stdin; stdout and stderr discarded): Wasmtime's WASI
    /// functions would panic, which aborts the process behind the C API, in
    /// a store without one.
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::{Engine, Store, WasiConfig};
    /// let mut store = Store::new(&Engine::default(), ());
    /// let mut wasi = WasiConfig::new();
    /// wasi.arg("prog")?;
    /// store.set_wasi(wasi)?;
    /// # Ok(()) }
    /// ```
    pub fn set_wasi(&mut self, config: WasiConfig) -> Result<()> {
        let opaque = &self.as_context_mut().0.opaque;
        // SAFETY: the context is live; C takes ownership of the config, also
        // on error.
        unsafe { Error::check(sys::wasmtime_context_set_wasi(opaque.context(), config.raw.into_raw()))? };
        opaque.note_wasi();
        Ok(())
    }
}

impl<T: 'static> Linker<T> {
    /// Defines the WASI preview 1 functions (`wasi_snapshot_preview1` and
    /// `wasi_unstable`) in this linker (`wasmtime_linker_define_wasi`).
    ///
    /// They act on the WASI context of the store they run in, so every
    /// store instantiating through this linker needs [`Store::set_wasi`]
    /// first; otherwise the first WASI call traps (see [`Store::set_wasi`]).
    pub fn define_wasi(&mut self) -> Result<&mut Self> {
        // SAFETY: the linker is live.
        unsafe { Error::check(sys::wasmtime_linker_define_wasi(self.as_raw()))? };
        self.has_wasi = true;
        self.stores.forget_module("wasi_snapshot_preview1");
        self.stores.forget_module("wasi_unstable");
        Ok(self)
    }

    /// Instantiates a WASI command and runs its `_start` export, as a WASI
    /// runtime would. Returns `Ok(())` when `_start` returns or the guest
    /// calls `proc_exit(0)`; `proc_exit(n)` with `n != 0` is an error whose
    /// root cause is [`I32Exit(n)`](I32Exit); traps and instantiation
    /// failures are returned as they are.
    ///
    /// (Calling `_start` yourself reports `proc_exit(0)` as an error with
    /// `I32Exit(0)`, as `wasmtime` does.)
    ///
    /// ```
    /// # fn main() -> wasmtime_mbt::Result<()> {
    /// use wasmtime_mbt::*;
    /// let engine = Engine::default();
    /// let exit = |code: i32| Module::new(&engine, format!(r#"(module
    ///     (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    ///     (memory (export "memory") 1)
    ///     (func (export "_start") (call $exit (i32.const {code}))))"#));
    /// let mut linker = Linker::new(&engine);
    /// linker.define_wasi()?;
    /// let mut store = Store::new(&engine, ());
    /// store.set_wasi(WasiConfig::new())?;
    /// linker.run_command(&mut store, &exit(0)?)?;
    /// let err = linker.run_command(&mut store, &exit(3)?).unwrap_err();
    /// assert_eq!(err.downcast_ref::<I32Exit>().unwrap().0, 3);
    /// # Ok(()) }
    /// ```
    pub fn run_command(&self, mut store: impl AsContextMut<Data = T>, module: &Module) -> Result<()> {
        let instance = self.instantiate(&mut store, module)?;
        let start = instance
            .get_func(&mut store, "_start")
            .ok_or_else(|| Error::msg("module has no `_start` export (not a WASI command)"))?;
        match start.call(&mut store, &[], &mut []) {
            Err(e) if e.downcast_ref::<I32Exit>().is_some_and(|exit| exit.0 == 0) => Ok(()),
            other => other,
        }
    }
}

/// The exit code of a finished WASI command: `Ok(0)` when it returned,
/// `Ok(n)` for `proc_exit(n)`, or the error (a trap, …).
pub(crate) fn exit_code(result: Result<()>) -> Result<i32> {
    match result {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => Err(e),
        },
    }
}
