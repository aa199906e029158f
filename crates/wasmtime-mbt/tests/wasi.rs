//! WASI preview 1 through `WasiConfig`, `Store::set_wasi` and
//! `Linker::define_wasi`, with guests written in WAT.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmtime_mbt::*;

/// The imports every guest here may use.
const IMPORTS: &str = r#"
    (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "path_open"
        (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
    (memory (export "memory") 1)
    ;; write(fd, ptr, len): the whole buffer, or trap.
    (func $write (param $fd i32) (param $ptr i32) (param $len i32)
        (i32.store (i32.const 0) (local.get $ptr))
        (i32.store (i32.const 4) (local.get $len))
        (if (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
        (if (i32.ne (i32.load (i32.const 8)) (local.get $len)) (then unreachable)))
    ;; read(fd, ptr, cap) -> bytes read, or trap.
    (func $read (param $fd i32) (param $ptr i32) (param $cap i32) (result i32)
        (i32.store (i32.const 0) (local.get $ptr))
        (i32.store (i32.const 4) (local.get $cap))
        (if (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
        (i32.load (i32.const 8)))
"#;

fn guest(body: &str) -> String {
    guest_with("", body)
}

/// A guest with extra imports (which must precede the shared functions).
fn guest_with(imports: &str, body: &str) -> String {
    format!("(module {imports} {IMPORTS} {body})")
}

/// Copies stdin to stdout.
const ECHO: &str = r#"
    (func (export "_start") (local $n i32)
        (loop $l
            (local.set $n (call $read (i32.const 0) (i32.const 1024) (i32.const 4096)))
            (if (local.get $n) (then
                (call $write (i32.const 1) (i32.const 1024) (local.get $n))
                (br $l)))))"#;

/// Prints the raw argument buffer, then the raw environment buffer.
const ARGS_ENV: &str = r#"
    (func (export "_start")
        (if (call $args_sizes_get (i32.const 16) (i32.const 20)) (then unreachable))
        (if (call $args_get (i32.const 256) (i32.const 1024)) (then unreachable))
        (call $write (i32.const 1) (i32.const 1024) (i32.load (i32.const 20)))
        (if (call $environ_sizes_get (i32.const 16) (i32.const 20)) (then unreachable))
        (if (call $environ_get (i32.const 256) (i32.const 1024)) (then unreachable))
        (call $write (i32.const 1) (i32.const 1024) (i32.load (i32.const 20))))"#;

fn engine() -> Engine {
    Engine::default()
}

fn linker(engine: &Engine) -> Linker<()> {
    let mut linker = Linker::new(engine);
    linker.define_wasi().unwrap();
    linker
}

/// Runs a command; its exit code and captured stdout/stderr.
fn run(wat: &str, mut wasi: WasiConfig) -> (Result<()>, Vec<u8>, Vec<u8>) {
    let engine = engine();
    let module = Module::new(&engine, wat).unwrap();
    let stdout = wasi.capture_stdout();
    let stderr = wasi.capture_stderr();
    let mut store = Store::new(&engine, ());
    store.set_wasi(wasi).unwrap();
    let result = linker(&engine).run_command(&mut store, &module);
    (result, stdout.take(), stderr.take())
}

/// A fresh, empty directory under the system temp dir.
fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "wasmtime-mbt-wasi-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn echo_stdin_to_stdout() {
    let mut wasi = WasiConfig::new();
    let input: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    wasi.stdin_bytes(input.clone());
    let (result, stdout, stderr) = run(&guest(ECHO), wasi);
    result.unwrap();
    assert_eq!(stdout, input);
    assert!(stderr.is_empty());
}

#[test]
fn no_stdin_reads_empty() {
    let (result, stdout, _) = run(&guest(ECHO), WasiConfig::new());
    result.unwrap();
    assert!(stdout.is_empty());
}

#[test]
fn stdin_from_file() {
    let dir = temp_dir();
    let path = dir.join("stdin.txt");
    std::fs::write(&path, b"from a file").unwrap();
    let mut wasi = WasiConfig::new();
    wasi.stdin_file(&path).unwrap();
    let (result, stdout, _) = run(&guest(ECHO), wasi);
    result.unwrap();
    assert_eq!(stdout, b"from a file");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn stdout_and_stderr_to_files() {
    let dir = temp_dir();
    let wat = guest(
        r#"(data (i32.const 2048) "out!err!")
        (func (export "_start")
            (call $write (i32.const 1) (i32.const 2048) (i32.const 4))
            (call $write (i32.const 2) (i32.const 2052) (i32.const 4)))"#,
    );
    let engine = engine();
    let module = Module::new(&engine, &wat).unwrap();
    let mut wasi = WasiConfig::new();
    wasi.stdout_file(dir.join("out")).unwrap().stderr_file(dir.join("err")).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_wasi(wasi).unwrap();
    linker(&engine).run_command(&mut store, &module).unwrap();
    drop(store);
    assert_eq!(std::fs::read(dir.join("out")).unwrap(), b"out!");
    assert_eq!(std::fs::read(dir.join("err")).unwrap(), b"err!");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn args_and_env() {
    let mut wasi = WasiConfig::new();
    wasi.arg("prog").unwrap().args(["a b", "ü"]).unwrap();
    wasi.env("KEY", "value").unwrap().envs([("EMPTY", ""), ("X", "1=2")]).unwrap();
    let (result, stdout, _) = run(&guest(ARGS_ENV), wasi);
    result.unwrap();
    assert_eq!(stdout, "prog\0a b\0ü\0KEY=value\0EMPTY=\0X=1=2\0".as_bytes());
}

#[test]
fn no_args_no_env_by_default() {
    let (result, stdout, _) = run(&guest(ARGS_ENV), WasiConfig::new());
    result.unwrap();
    assert!(stdout.is_empty());
}

#[test]
fn inherit_args_and_env() {
    // (No `set_var`: other tests run on other threads.)
    let mut wasi = WasiConfig::new();
    wasi.inherit_args().inherit_env();
    let (result, stdout, _) = run(&guest(ARGS_ENV), wasi);
    result.unwrap();
    let text = String::from_utf8(stdout).unwrap();
    for (k, v) in std::env::vars() {
        assert!(text.contains(&format!("{k}={v}\0")), "{k} missing from {text:?}");
    }
    let arg0 = std::env::args().next().unwrap();
    assert!(text.starts_with(&format!("{arg0}\0")), "{text:?}");
}

#[test]
fn write_to_stderr() {
    let wat = guest(
        r#"(data (i32.const 2048) "to stdout\nto stderr\n")
        (func (export "_start")
            (call $write (i32.const 1) (i32.const 2048) (i32.const 10))
            (call $write (i32.const 2) (i32.const 2058) (i32.const 10)))"#,
    );
    let (result, stdout, stderr) = run(&wat, WasiConfig::new());
    result.unwrap();
    assert_eq!(stdout, b"to stdout\n");
    assert_eq!(stderr, b"to stderr\n");
}

#[test]
fn output_buffer_readable_during_run() {
    let engine = engine();
    let wat = guest_with(
        r#"(import "host" "peek" (func $peek))"#,
        r#"(data (i32.const 2048) "early")
        (func (export "_start")
            (call $write (i32.const 1) (i32.const 2048) (i32.const 5))
            (call $peek))"#,
    );
    let module = Module::new(&engine, wat).unwrap();
    let mut wasi = WasiConfig::new();
    let stdout = wasi.capture_stdout();
    let seen = OutputBuffer::new();
    let mut linker = linker(&engine);
    let (out, seen2) = (stdout.clone(), seen.clone());
    linker
        .func_wrap("host", "peek", move || {
            use std::io::Write;
            seen2.clone().write_all(&out.contents()).unwrap();
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    store.set_wasi(wasi).unwrap();
    linker.run_command(&mut store, &module).unwrap();
    assert_eq!(seen.contents(), b"early");
    assert_eq!(stdout.contents(), b"early");
}

#[test]
fn custom_writer_and_failing_writer() {
    struct Failing;
    impl std::io::Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("nope"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // fd_write's errno is returned by the guest's `_start`-less export.
    let engine = engine();
    let wat = guest(
        r#"(data (i32.const 2048) "x")
        (func (export "_start"))
        (func (export "try_write") (result i32)
            (i32.store (i32.const 0) (i32.const 2048))
            (i32.store (i32.const 4) (i32.const 1))
            (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))"#,
    );
    let module = Module::new(&engine, wat).unwrap();
    let mut wasi = WasiConfig::new();
    wasi.stdout_writer(Failing);
    let mut store = Store::new(&engine, ());
    store.set_wasi(wasi).unwrap();
    let instance = linker(&engine).instantiate(&mut store, &module).unwrap();
    let try_write = instance.get_typed_func::<(), i32>(&mut store, "try_write").unwrap();
    // The guest sees EIO (WASI errno 29), not a host panic or abort.
    assert_eq!(try_write.call(&mut store, ()).unwrap(), 29);

    struct Panicking;
    impl std::io::Write for Panicking {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            panic!("writer panicked")
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut wasi = WasiConfig::new();
    wasi.stdout_writer(Panicking);
    store.set_wasi(wasi).unwrap();
    assert_eq!(try_write.call(&mut store, ()).unwrap(), 29);
}

#[test]
fn proc_exit_status() {
    let exit = |code: i32| guest(&format!(r#"(func (export "_start") (call $proc_exit (i32.const {code})))"#));
    let (result, _, _) = run(&exit(3), WasiConfig::new());
    let err = result.unwrap_err();
    assert_eq!(err.downcast_ref::<I32Exit>().map(|e| e.0), Some(3));
    assert!(err.root_cause().is::<I32Exit>(), "{err:?}");
    assert_eq!(err.root_cause().to_string(), "Exited with i32 exit status 3");
    assert!(err.downcast_ref::<Trap>().is_none());

    // proc_exit(0) is success for `run_command`.
    let (result, _, _) = run(&exit(0), WasiConfig::new());
    result.unwrap();

    // Calling `_start` directly reports it as Wasmtime does: an exit error.
    let engine = engine();
    let module = Module::new(&engine, exit(0)).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_wasi(WasiConfig::new()).unwrap();
    let instance = linker(&engine).instantiate(&mut store, &module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").unwrap();
    assert_eq!(start.call(&mut store, ()).unwrap_err().downcast_ref::<I32Exit>().map(|e| e.0), Some(0));

    // Out-of-range statuses are an error, not an exit.
    let (result, _, _) = run(&exit(200), WasiConfig::new());
    let err = result.unwrap_err();
    assert!(err.downcast_ref::<I32Exit>().is_none(), "{err:?}");
}

#[test]
fn trap_is_not_an_exit() {
    let (result, _, _) = run(&guest(r#"(func (export "_start") unreachable)"#), WasiConfig::new());
    let err = result.unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));
    assert!(err.downcast_ref::<I32Exit>().is_none());
}

#[test]
fn run_command_needs_start() {
    let (result, _, _) = run(&guest(""), WasiConfig::new());
    assert!(result.unwrap_err().to_string().contains("_start"));
}

/// Reads `in.txt` from the preopen (fd 3) to stdout, then writes
/// `out.txt`; a failing `path_open` exits with its errno.
const FILES: &str = r#"
    (data (i32.const 2048) "in.txt")
    (data (i32.const 2064) "out.txt")
    (data (i32.const 2080) "written by guest")
    (func $open (param $path i32) (param $len i32) (param $oflags i32) (param $rights i64) (result i32)
        (local $e i32)
        (local.set $e (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
            (local.get $oflags) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 100)))
        (if (local.get $e) (then (call $proc_exit (local.get $e))))
        (i32.load (i32.const 100)))
    (func (export "_start") (local $fd i32)
        ;; rights: fd_read = 1 << 1, fd_write = 1 << 6; oflags: creat = 1, trunc = 8
        (local.set $fd (call $open (i32.const 2048) (i32.const 6) (i32.const 0) (i64.const 2)))
        (call $write (i32.const 1) (i32.const 4096)
            (call $read (local.get $fd) (i32.const 4096) (i32.const 4096)))
        (drop (call $fd_close (local.get $fd)))
        (local.set $fd (call $open (i32.const 2064) (i32.const 7) (i32.const 9) (i64.const 64)))
        (call $write (local.get $fd) (i32.const 2080) (i32.const 16))
        (drop (call $fd_close (local.get $fd))))"#;

#[test]
fn read_and_write_files_in_preopen() {
    let dir = temp_dir();
    std::fs::write(dir.join("in.txt"), b"host data").unwrap();
    let mut wasi = WasiConfig::new();
    wasi.preopen_dir(&dir, "/sandbox", DirPerms::all(), FilePerms::all()).unwrap();
    let (result, stdout, _) = run(&guest(FILES), wasi);
    result.unwrap();
    assert_eq!(stdout, b"host data");
    assert_eq!(std::fs::read(dir.join("out.txt")).unwrap(), b"written by guest");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn read_only_preopen_denies_writes() {
    let dir = temp_dir();
    std::fs::write(dir.join("in.txt"), b"host data").unwrap();
    let mut wasi = WasiConfig::new();
    wasi.preopen_dir(&dir, ".", DirPerms::READ, FilePerms::READ).unwrap();
    let (result, stdout, _) = run(&guest(FILES), wasi);
    assert_eq!(stdout, b"host data");
    let err = result.unwrap_err();
    let status = err.downcast_ref::<I32Exit>().expect("exits with the errno").0;
    assert_eq!(status, EPERM, "creating a file in a read-only preopen");
    assert!(!dir.join("out.txt").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// WASI's `EPERM`, which Wasmtime returns for paths escaping a preopen
/// (rather than `ENOTCAPABLE`, 76) and for writes to a read-only one.
const EPERM: i32 = 63;

/// `try_open(ptr, len)`: the errno of opening that path (read-only) in fd 3.
const TRY_OPEN: &str = r#"
    (func (export "_start"))
    (func (export "try_open") (param $path i32) (param $len i32) (result i32)
        (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
            (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100)))"#;

#[test]
fn paths_outside_preopen_are_denied() {
    let dir = temp_dir();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/ok.txt"), b"ok").unwrap();
    // A file just outside the sandbox, which must stay unreachable.
    let outside = dir.with_extension("outside");
    std::fs::write(&outside, b"secret").unwrap();

    let engine = engine();
    let module = Module::new(&engine, guest(TRY_OPEN)).unwrap();
    let mut wasi = WasiConfig::new();
    wasi.preopen_dir(dir.join("sub"), "/sandbox", DirPerms::READ, FilePerms::READ).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_wasi(wasi).unwrap();
    let instance = linker(&engine).instantiate(&mut store, &module).unwrap();
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    let try_open = instance.get_typed_func::<(i32, i32), i32>(&mut store, "try_open").unwrap();
    let mut open = |path: &str| {
        memory.write(&mut store, 2048, path.as_bytes()).unwrap();
        try_open.call(&mut store, (2048, path.len() as i32)).unwrap()
    };
    let outside_name = outside.file_name().unwrap().to_str().unwrap().to_string();
    let results: Vec<(String, i32)> = [
        "ok.txt".to_string(),
        "../x".to_string(),
        format!("../{outside_name}"),
        "./../ok.txt".to_string(),
        outside.to_str().unwrap().to_string(),
        "/etc/passwd".to_string(),
    ]
    .into_iter()
    .map(|p| {
        let e = open(&p);
        (p, e)
    })
    .collect();
    assert_eq!(results[0], ("ok.txt".to_string(), 0));
    for (path, errno) in &results[1..] {
        assert_eq!(*errno, EPERM, "opening {path:?} must be denied with EPERM");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&outside).unwrap();
}

#[test]
fn interior_nul_is_an_error() {
    let mut wasi = WasiConfig::new();
    let err = wasi.arg("a\0b").unwrap_err();
    assert!(err.to_string().contains("NUL"), "{err}");
    assert!(wasi.args(["ok", "bad\0"]).is_err());
    assert!(wasi.env("K\0", "v").is_err());
    assert!(wasi.env("K", "v\0").is_err());
    assert!(wasi.env("K=V", "v").unwrap_err().to_string().contains('='));
    assert!(wasi.stdin_file("a\0b").is_err());
    assert!(wasi.stdout_file("a\0b").is_err());
    assert!(wasi.stderr_file("a\0b").is_err());
    let dir = temp_dir();
    assert!(wasi.preopen_dir(&dir, "g\0", DirPerms::READ, FilePerms::READ).is_err());
    assert!(wasi.preopen_dir("a\0b", "g", DirPerms::READ, FilePerms::READ).is_err());
    // Nothing half-applied: the config still works and has no arguments.
    let (result, stdout, _) = run(&guest(ARGS_ENV), wasi);
    result.unwrap();
    assert!(stdout.is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_paths_are_errors() {
    let dir = temp_dir();
    let mut wasi = WasiConfig::new();

    let missing = dir.join("missing");
    let err = wasi.preopen_dir(&missing, "/m", DirPerms::READ, FilePerms::READ).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    std::fs::write(dir.join("file"), b"").unwrap();
    let err = wasi.preopen_dir(dir.join("file"), "/f", DirPerms::READ, FilePerms::READ).unwrap_err();
    assert!(err.to_string().contains("not a directory"), "{err}");

    let err = wasi.stdin_file(&missing).unwrap_err();
    assert!(err.to_string().contains("stdin") && err.to_string().contains("missing"), "{err}");
    let err = wasi.stdin_file(&dir).unwrap_err();
    assert!(err.to_string().contains("directory"), "{err}");
    let err = wasi.stdout_file(missing.join("out")).unwrap_err();
    assert!(err.to_string().contains("stdout"), "{err}");
    let err = wasi.stderr_file(missing.join("err")).unwrap_err();
    assert!(err.to_string().contains("stderr"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[cfg(unix)]
#[test]
fn unreadable_stdin_file_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let path = dir.join("secret");
    std::fs::write(&path, b"x").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        // Running as root: permissions are not enforced.
        eprintln!("skipped: file permissions are not enforced for this user");
    } else {
        assert!(WasiConfig::new().stdin_file(&path).is_err());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unsupported_permission_combinations() {
    let dir = temp_dir();
    let mut wasi = WasiConfig::new();
    for (d, f) in [
        (DirPerms::READ, FilePerms::all()),
        (DirPerms::all(), FilePerms::READ),
        (DirPerms::empty(), FilePerms::empty()),
        (DirPerms::MUTATE, FilePerms::WRITE),
    ] {
        let err = wasi.preopen_dir(&dir, "/d", d, f).unwrap_err();
        assert!(err.to_string().contains("unsupported WASI permissions"), "{err}");
    }
    wasi.preopen_dir(&dir, "/r", DirPerms::READ, FilePerms::READ).unwrap();
    wasi.preopen_dir(&dir, "/w", DirPerms::READ | DirPerms::MUTATE, FilePerms::READ | FilePerms::WRITE).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn network_settings_are_accepted() {
    let mut wasi = WasiConfig::new();
    wasi.inherit_network().allow_ip_name_lookup(true).allow_ip_name_lookup(false);
    let (result, _, _) = run(&guest(ECHO), wasi);
    result.unwrap();
}

#[test]
fn set_wasi_replaces_the_context() {
    let engine = engine();
    let module = Module::new(&engine, guest(ARGS_ENV)).unwrap();
    let linker = linker(&engine);
    let mut store = Store::new(&engine, ());
    for word in ["first", "second"] {
        let mut wasi = WasiConfig::new();
        wasi.arg(word).unwrap();
        let out = wasi.capture_stdout();
        store.set_wasi(wasi).unwrap();
        linker.run_command(&mut store, &module).unwrap();
        assert_eq!(out.contents(), format!("{word}\0").as_bytes());
    }
}

#[test]
fn wasi_config_is_send() {
    fn send<T: Send>(_: &T) {}
    let wasi = WasiConfig::new();
    send(&wasi);
    std::thread::spawn(move || drop(wasi)).join().unwrap();
}

#[test]
fn a_store_without_set_wasi_gets_an_empty_context() {
    // Wasmtime's WASI functions panic in a store without a context (an
    // abort behind the C API, whatever the path: start function, typed or
    // dynamic call); the linker installs an empty one instead.
    let engine = engine();
    let module = Module::new(&engine, guest(ECHO)).unwrap();
    let linker = linker(&engine);
    let mut store = Store::new(&engine, ());
    linker.run_command(&mut store, &module).unwrap();
    // Through a typed call of the same export, in another fresh store.
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start").unwrap();
    start.call(&mut store, ()).unwrap();
    // A later `set_wasi` replaces the empty context.
    let mut wasi = WasiConfig::new();
    wasi.stdin_bytes(b"hi".to_vec());
    let stdout = wasi.capture_stdout();
    store.set_wasi(wasi).unwrap();
    start.call(&mut store, ()).unwrap();
    assert_eq!(stdout.take(), b"hi");
}
