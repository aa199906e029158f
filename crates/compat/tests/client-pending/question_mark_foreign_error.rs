// Pending client case: ? on a foreign (std) error type in a function returning wasmtime::Result.
//
// Written against `use wasmtime::*;` like tests/client/*.rs, but does not
// compile against the current wasmtime-mbt (see crates/compat/README.md);
// compiled and run against the native crate only until it can move.

use wasmtime::*;

/// Parses a number out of guest memory, `?` converting std errors.
fn parse(bytes: &[u8]) -> Result<i32> {
    let text = std::str::from_utf8(bytes)?;
    Ok(text.trim().parse::<i32>()?)
}

/// `?` on `Utf8Error` and `ParseIntError` inside host code.
pub fn question_mark_foreign_error() -> Result<String> {
    let good = parse(b" 42 ")?;
    let bad_utf8 = parse(&[0xff, 0xfe]).is_err();
    let bad_number = parse(b"forty-two").unwrap_err();
    let is_parse_error = bad_number.downcast_ref::<std::num::ParseIntError>().is_some();
    assert_eq!(good, 42);
    assert!(bad_utf8 && is_parse_error);
    Ok(format!("{good} {bad_utf8} {is_parse_error}"))
}
