//! The fast path of [`Func::call`] (issue 16): a per-store cache of each
//! function's signature lets the call check its [`Val`]s in Rust and go
//! through `wasmtime_func_call_unchecked`, instead of `wasmtime_func_call`,
//! which loads the function's type and converts every value on each call.
//!
//! The cache only decides what it can decide from [`Val`]s alone: numbers,
//! `v128`, and nullable abstract references (`funcref`, `externref`,
//! `anyref`), where any value of the matching [`Val`] variant is a subtype.
//! Everything else — non-null or concrete reference types, `exnref`, a
//! wrong count, a value of another type — takes the checked path, so
//! errors keep Wasmtime's own messages.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem::MaybeUninit;

use wasmtime_mbt_sys as sys;

use super::typed::{StoreRef, WasmTy};
use crate::store::StoreOpaque;
use crate::{AnyRef, ExternRef, Func, HeapType, Result, Rooted, Val, ValType, V128};

/// The type of one parameter or result, as far as the fast path handles it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    I32,
    I64,
    F32,
    F64,
    V128,
    /// `(ref null func)`.
    FuncRef,
    /// `(ref null extern)`.
    ExternRef,
    /// `(ref null any)`.
    AnyRef,
}

impl Kind {
    /// The kind of `ty`, or `None` where a [`Val`]'s variant does not decide
    /// whether it matches (non-null and concrete references, `exnref`, …).
    fn of(ty: &ValType) -> Option<Kind> {
        Some(match ty {
            ValType::I32 => Kind::I32,
            ValType::I64 => Kind::I64,
            ValType::F32 => Kind::F32,
            ValType::F64 => Kind::F64,
            ValType::V128 => Kind::V128,
            ValType::Ref(r) if r.is_nullable() => match r.heap_type() {
                HeapType::Func => Kind::FuncRef,
                HeapType::Extern => Kind::ExternRef,
                HeapType::Any => Kind::AnyRef,
                _ => return None,
            },
            ValType::Ref(_) => return None,
        })
    }

    /// The value of this type in `raw`, rooted in the store's current scope
    /// if it is a reference.
    ///
    /// # Safety
    /// `raw` must hold a value of this type from `store`.
    #[inline]
    unsafe fn load(self, raw: &sys::wasmtime_val_raw_t, store: StoreRef<'_>) -> Val {
        // SAFETY: forwarded: `raw` holds a value of the type each arm reads.
        unsafe {
            match self {
                Kind::I32 => Val::I32(i32::load_raw(store, raw)),
                Kind::I64 => Val::I64(i64::load_raw(store, raw)),
                Kind::F32 => Val::F32(f32::load_raw(store, raw).to_bits()),
                Kind::F64 => Val::F64(f64::load_raw(store, raw).to_bits()),
                Kind::V128 => Val::V128(V128::load_raw(store, raw)),
                Kind::FuncRef => Val::FuncRef(Option::<Func>::load_raw(store, raw)),
                Kind::ExternRef => Val::ExternRef(Option::<Rooted<ExternRef>>::load_raw(store, raw)),
                Kind::AnyRef => Val::AnyRef(Option::<Rooted<AnyRef>>::load_raw(store, raw)),
            }
        }
    }
}

/// A cached signature: the parameter kinds, then the result kinds.
struct Signature {
    kinds: Box<[Kind]>,
    params: usize,
}

/// A hasher for function identities (pointer-sized integers): one
/// multiplication, as the keys are distinct and need no DoS resistance.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

/// A store's cache: for each function called through [`Func::call`] (keyed
/// by its identity in the store), its signature, or `None` if the fast path
/// cannot handle it. Entries are only ever added, never changed or removed,
/// while the store lives.
#[derive(Default)]
pub(crate) struct Signatures {
    map: RefCell<HashMap<usize, Option<Signature>, BuildHasherDefault<IdHasher>>>,
}

/// Parameter and result kinds of a cached signature, valid while the store
/// that cached it lives (see [`Signatures::get`]).
#[derive(Clone, Copy)]
pub(crate) struct Kinds {
    ptr: *const Kind,
    len: usize,
    params: usize,
}

impl Kinds {
    fn params(&self) -> &[Kind] {
        // SAFETY: per `Signatures::get`, the boxed slice outlives the use;
        // `params <= len`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.params) }
    }
    fn results(&self) -> &[Kind] {
        // SAFETY: as above.
        unsafe { std::slice::from_raw_parts(self.ptr.add(self.params), self.len - self.params) }
    }
}

impl Signatures {
    /// The cached signature of `func` (of `store`, checked by the caller),
    /// loading its type on first use. The kinds point into a boxed slice
    /// that is never freed or moved while the store lives, so they stay
    /// valid across re-entrant calls that add entries.
    #[inline]
    pub(crate) fn get(&self, func: &Func, store: &StoreOpaque) -> Option<Kinds> {
        let key = func.0.__private as usize;
        let cached = self.map.borrow().get(&key).map(|sig| sig.as_ref().map(Signature::kinds));
        match cached {
            Some(kinds) => kinds,
            None => self.load(key, func, store),
        }
    }

    #[cold]
    fn load(&self, key: usize, func: &Func, store: &StoreOpaque) -> Option<Kinds> {
        // (The type is loaded before the map is borrowed: nothing here runs
        // wasm, but keep the borrow short anyway.)
        let signature = func.ty_in(store).ok().and_then(|ty| {
            let kinds: Option<Box<[Kind]>> = ty.param_types().iter().chain(ty.result_types()).map(Kind::of).collect();
            Some(Signature { kinds: kinds?, params: ty.param_types().len() })
        });
        let kinds = signature.as_ref().map(Signature::kinds);
        self.map.borrow_mut().entry(key).or_insert(signature);
        kinds
    }
}

impl Signature {
    fn kinds(&self) -> Kinds {
        Kinds { ptr: self.kinds.as_ptr(), len: self.kinds.len(), params: self.params }
    }
}

/// The most values (parameters or results) the fast path keeps on the
/// stack; longer signatures use a `Vec`.
const INLINE: usize = 16;

/// Calls `func` through `wasmtime_func_call_unchecked` if `kinds` decides
/// `params` and `results` (their counts and types match); `None` if not,
/// before anything reached C, so the checked path can produce Wasmtime's
/// error.
///
/// # Safety
/// `func` must belong to the live store behind `context`, and `kinds` be
/// its cached signature; the store must allow a synchronous call, and no
/// reference into it be held (host code builds its own).
#[inline]
pub(crate) unsafe fn call(context: *mut sys::wasmtime_context_t, func: &Func, kinds: Kinds, params: &[Val], results: &mut [Val]) -> Option<Result<()>> {
    let (param_kinds, result_kinds) = (kinds.params(), kinds.results());
    if params.len() != param_kinds.len() || results.len() != result_kinds.len() {
        return None;
    }
    // SAFETY: per this function's contract, the store is live and nothing
    // else borrows it; the reference is not used across the C call.
    let store = unsafe { StoreRef::of_context(context) };
    let len = params.len().max(results.len());
    // Uninitialised until written: the arguments by us, the results by C.
    type Slot = MaybeUninit<sys::wasmtime_val_raw_t>;
    let mut inline = [Slot::uninit(); INLINE];
    let mut heap = Vec::new();
    let raw: &mut [Slot] = if len <= INLINE {
        &mut inline[..len]
    } else {
        heap.resize(len, Slot::uninit());
        &mut heap
    };
    // One pass checks each argument's type and converts it. A mismatch
    // returns before anything reached C (the raw values written so far are
    // plain bits, owning nothing), so the checked path reports it.
    for i in 0..params.len() {
        raw[i] = MaybeUninit::new(match store_val(param_kinds[i], &params[i], store)? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        });
    }
    let mut trap = std::ptr::null_mut();
    // SAFETY: every argument has the type the function takes (checked
    // against its signature above) and belongs to this store; `raw` has
    // room for the results. No reference into the store is held across
    // the call; it is reached anew from `context` afterwards.
    unsafe {
        let error = sys::wasmtime_func_call_unchecked(context, &func.0, raw.as_mut_ptr().cast(), len, &mut trap);
        let store = StoreRef::of_context(context);
        if let Err(e) = store.get().check_call(error, trap) {
            return Some(Err(e));
        }
        // On success C wrote every result slot.
        for i in 0..results.len() {
            results[i] = result_kinds[i].load(raw[i].assume_init_ref(), store);
        }
    }
    Some(Ok(()))
}

/// `val` in the untyped representation if it has type `kind` (`None`:
/// leave it to the checked path); `Err` for a reference from another store.
#[inline]
fn store_val(kind: Kind, val: &Val, store: StoreRef<'_>) -> Option<Result<sys::wasmtime_val_raw_t>> {
    Some(match (kind, val) {
        (Kind::I32, Val::I32(v)) => v.store_raw(store),
        (Kind::I64, Val::I64(v)) => v.store_raw(store),
        (Kind::F32, Val::F32(v)) => f32::from_bits(*v).store_raw(store),
        (Kind::F64, Val::F64(v)) => f64::from_bits(*v).store_raw(store),
        (Kind::V128, Val::V128(v)) => v.store_raw(store),
        (Kind::FuncRef, Val::FuncRef(f)) => f.store_raw(store),
        (Kind::ExternRef, Val::ExternRef(r)) => r.store_raw(store),
        (Kind::AnyRef, Val::AnyRef(r)) => r.store_raw(store),
        _ => return None,
    })
}
