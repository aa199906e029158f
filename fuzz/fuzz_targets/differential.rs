//! `cargo fuzz run differential`: a `wasm-smith` module from the input, then
//! [`differential::check`] (native `wasmtime` and `wasmtime_mbt` must agree).
//! Inputs in the replay format (the checked-in corpus) are checked as they
//! are. With `WASMTIME_MBT_FUZZ_DUMP=<dir>`, each generated module is also
//! written there in the replay format (how `corpus/differential` was made).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasmtime_mbt_fuzz::differential;

/// A `wasm-smith` configuration within the features both engines enable.
fn config(u: &mut Unstructured<'_>) -> arbitrary::Result<wasm_smith::Config> {
    let mut c = wasm_smith::Config::arbitrary(u)?;
    c.max_imports = 0;
    c.min_funcs = 1;
    c.min_exports = 1;
    c.export_everything = u.arbitrary()?;
    c.max_funcs = c.max_funcs.clamp(1, 40);
    c.max_exports = c.max_exports.max(1);
    c.max_instructions = c.max_instructions.min(400);
    c.max_memories = c.max_memories.min(2);
    c.max_tables = c.max_tables.min(4);
    c.max_table_elements = c.max_table_elements.min(1000);
    c.max_memory32_bytes = c.max_memory32_bytes.min(16 << 16);
    c.max_data_segments = c.max_data_segments.min(16);
    c.max_element_segments = c.max_element_segments.min(16);
    c.memory64_enabled = false;
    c.threads_enabled = false;
    c.exceptions_enabled = false;
    c.gc_enabled = false;
    c.relaxed_simd_enabled = false;
    c.custom_page_sizes_enabled = false;
    c.wide_arithmetic_enabled = false;
    Ok(c)
}

fuzz_target!(|data: &[u8]| {
    if differential::replay(data).is_some() {
        return;
    }
    let mut u = Unstructured::new(data);
    let Ok(config) = config(&mut u) else { return };
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else { return };
    let wasm = module.to_bytes();
    let rest = u.take_rest();
    if let Some(dir) = std::env::var_os("WASMTIME_MBT_FUZZ_DUMP") {
        let file = encode_replay_name(&wasm, rest);
        std::fs::write(std::path::Path::new(&dir).join(file), differential::encode_replay(&wasm, rest)).expect("dump");
    }
    differential::check(&wasm, &mut Unstructured::new(rest));
});

fn encode_replay_name(wasm: &[u8], rest: &[u8]) -> String {
    format!("{:016x}", differential::fnv(&differential::encode_replay(wasm, rest)))
}
