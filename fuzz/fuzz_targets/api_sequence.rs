//! `cargo fuzz run api_sequence`: [`api_sequence::check`] on the raw input
//! (a sequence of safe-API operations; see `src/api_sequence.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmtime_mbt_fuzz::api_sequence;

fuzz_target!(|data: &[u8]| {
    api_sequence::check(data);
});
