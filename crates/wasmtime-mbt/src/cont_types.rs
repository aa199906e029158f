//! Finds continuation types (the stack-switching proposal) in a module's
//! binary, before its types reach the C API (issue 15 #7).
//!
//! The C API cannot describe them: `wasmtime_valtype_new` aborts the
//! process ("missing support for contref") on a `cont`, concrete
//! continuation or `nocont` heap type, and this crate reads every import
//! and export type of a module when it is made (and `Func::ty`,
//! `get_typed_func`, … read function types later). So a module that
//! defines a continuation type, or names `contref`/`nullcontref` in a
//! signature, table or global, is refused with an `Err` instead.
//!
//! This is a small reader of the type, import, table and global sections
//! of a module C has already validated. Anything it does not understand
//! ends the scan with "no continuation types seen", so it can only ever
//! refuse modules that use them.

/// Abstract heap type codes of the proposal: `cont` and `nocont`.
const CONT: u8 = 0x68;
const NOCONT: u8 = 0x75;

/// Whether `wasm` (a valid binary module) uses continuation types where
/// the C API would have to describe them.
pub(crate) fn uses_continuations(wasm: &[u8]) -> bool {
    let mut r = Reader { bytes: wasm, pos: 8 };
    scan(&mut r).unwrap_or(false)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// `None`: malformed or unknown encoding (the scan gives up).
type Scan<T> = Option<T>;

impl Reader<'_> {
    fn byte(&mut self) -> Scan<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn peek(&self) -> Scan<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip(&mut self, n: usize) -> Scan<()> {
        self.pos = self.pos.checked_add(n).filter(|&p| p <= self.bytes.len())?;
        Some(())
    }

    /// An unsigned LEB128 of up to 64 bits.
    fn u64(&mut self) -> Scan<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn u32(&mut self) -> Scan<u32> {
        u32::try_from(self.u64()?).ok()
    }

    /// A signed LEB128 (`s33`/`s64`); only its sign and first byte matter here.
    fn s64(&mut self) -> Scan<(i64, u8)> {
        let first = self.peek()?;
        let mut value = 0i64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            value |= i64::from(b & 0x7f).checked_shl(shift)?;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Some((value, first));
            }
            if shift >= 70 {
                return None;
            }
        }
    }

    fn name(&mut self) -> Scan<()> {
        let len = self.u32()? as usize;
        self.skip(len)
    }
}

fn scan(r: &mut Reader<'_>) -> Scan<bool> {
    while r.pos < r.bytes.len() {
        let id = r.byte()?;
        let size = r.u32()? as usize;
        let end = r.pos.checked_add(size).filter(|&e| e <= r.bytes.len())?;
        let mut s = Reader { bytes: &r.bytes[..end], pos: r.pos };
        let found = match id {
            1 => types(&mut s),
            2 => imports(&mut s),
            4 => tables(&mut s),
            6 => globals(&mut s),
            _ => Some(false),
        };
        // A section we could not read to its end is not evidence either way.
        if found == Some(true) {
            return Some(true);
        }
        r.pos = end;
    }
    Some(false)
}

/// Runs `item` for each element of a vector; `true` as soon as one is.
fn any(r: &mut Reader<'_>, mut item: impl FnMut(&mut Reader<'_>) -> Scan<bool>) -> Scan<bool> {
    let n = r.u32()?;
    for _ in 0..n {
        if item(r)? {
            return Some(true);
        }
    }
    Some(false)
}

fn types(r: &mut Reader<'_>) -> Scan<bool> {
    any(r, |r| {
        if r.peek()? == 0x4e {
            r.byte()?;
            any(r, sub_type)
        } else {
            sub_type(r)
        }
    })
}

fn sub_type(r: &mut Reader<'_>) -> Scan<bool> {
    if matches!(r.peek()?, 0x50 | 0x4f) {
        r.byte()?;
        let supers = r.u32()?;
        for _ in 0..supers {
            r.u32()?;
        }
    }
    if r.peek()? == 0x65 {
        r.byte()?; // shared
    }
    match r.byte()? {
        0x60 => Some(any(r, val_type)? | any(r, val_type)?),
        0x5f => any(r, field_type),
        0x5e => field_type(r),
        0x5d => r.u32().map(|_| true),
        _ => None,
    }
}

fn field_type(r: &mut Reader<'_>) -> Scan<bool> {
    let found = match r.peek()? {
        0x78 | 0x77 => {
            r.byte()?;
            false
        }
        _ => val_type(r)?,
    };
    r.byte()?; // mutability
    Some(found)
}

fn val_type(r: &mut Reader<'_>) -> Scan<bool> {
    match r.byte()? {
        0x7f | 0x7e | 0x7d | 0x7c | 0x7b => Some(false),
        0x63 | 0x64 => heap_type(r),
        b @ 0x68..=0x75 => Some(b == CONT || b == NOCONT),
        _ => None,
    }
}

fn heap_type(r: &mut Reader<'_>) -> Scan<bool> {
    if r.peek()? == 0x65 {
        r.byte()?; // shared
    }
    let (value, first) = r.s64()?;
    // A type index refers to the type section, which is scanned itself.
    Some(value < 0 && (first == CONT || first == NOCONT))
}

fn limits(r: &mut Reader<'_>) -> Scan<()> {
    let flags = r.byte()?;
    r.u64()?;
    if flags & 1 != 0 {
        r.u64()?;
    }
    if flags & 8 != 0 {
        r.u32()?; // page size
    }
    Some(())
}

fn table_type(r: &mut Reader<'_>) -> Scan<bool> {
    let found = val_type(r)?;
    limits(r)?;
    Some(found)
}

fn global_type(r: &mut Reader<'_>) -> Scan<bool> {
    let found = val_type(r)?;
    r.byte()?; // mutability (and shared)
    Some(found)
}

fn imports(r: &mut Reader<'_>) -> Scan<bool> {
    any(r, |r| {
        r.name()?;
        r.name()?;
        match r.byte()? {
            0x00 => r.u32().map(|_| false),
            0x01 => table_type(r),
            0x02 => limits(r).map(|()| false),
            0x03 => global_type(r),
            0x04 => {
                r.byte()?;
                r.u32().map(|_| false)
            }
            _ => None,
        }
    })
}

fn tables(r: &mut Reader<'_>) -> Scan<bool> {
    any(r, |r| {
        if r.peek()? == 0x40 {
            r.byte()?;
            r.byte()?;
            let found = table_type(r)?;
            const_expr(r)?;
            Some(found)
        } else {
            table_type(r)
        }
    })
}

fn globals(r: &mut Reader<'_>) -> Scan<bool> {
    any(r, |r| {
        let found = global_type(r)?;
        const_expr(r)?;
        Some(found)
    })
}

/// Skips a constant expression up to its `end`.
fn const_expr(r: &mut Reader<'_>) -> Scan<()> {
    loop {
        match r.byte()? {
            0x0b => return Some(()),
            0x41 | 0x42 => {
                r.s64()?;
            }
            0x43 => r.skip(4)?,
            0x44 => r.skip(8)?,
            0xd0 => {
                heap_type(r)?;
            }
            0xd2 | 0x23 => {
                r.u32()?;
            }
            0x6a | 0x6b | 0x6c | 0x7c | 0x7d | 0x7e => {}
            0xfd => {
                if r.u32()? != 12 {
                    return None;
                }
                r.skip(16)?;
            }
            0xfb => match r.u32()? {
                0 | 1 | 6 | 7 => {
                    r.u32()?;
                }
                8 => {
                    r.u32()?;
                    r.u32()?;
                }
                0x1a | 0x1b | 0x1c => {}
                _ => return None,
            },
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::uses_continuations;

    fn wasm(wat: &str) -> Vec<u8> {
        crate::wat2wasm(wat.as_bytes()).unwrap()
    }

    #[test]
    fn finds_continuation_types_and_nothing_else() {
        for (wat, expected) in [
            ("(module)", false),
            ("(module (type $f (func)) (type (cont $f)))", true),
            ("(module (type $f (func)) (type $c (cont $f)) (func (param (ref null $c))) (func (param i32)))", true),
            ("(module (func (param contref)))", true),
            ("(module (func (result (ref null nocont)) unreachable))", true),
            ("(module (global (mut nullcontref) (ref.null nocont)))", true),
            ("(module (table 1 contref))", true),
            ("(module (import \"m\" \"t\" (table 1 (ref null cont))))", true),
            ("(module (import \"m\" \"g\" (global i32)) (global i64 (i64.const -5)) (table 1 funcref) (memory 1 2))", false),
            ("(module (type $s (struct (field i8) (field (mut i64)) (field anyref))) (type (array (mut f32))) (rec (type (func (param (ref null $s))))))", false),
            ("(module (table 2 externref (ref.null extern)) (global f64 (f64.const 1.5)) (global v128 (v128.const i32x4 1 2 3 4)))", false),
        ] {
            assert_eq!(uses_continuations(&wasm(wat)), expected, "{wat}");
        }
    }
}
