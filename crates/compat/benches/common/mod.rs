//! What the criterion benches of this crate share (`mod common;` in each):
//! criterion settings and test modules.

#![allow(dead_code)] // Each bench binary uses a part.

use std::time::Duration;

use criterion::Criterion;
use wasmtime_mbt as mbt;

/// A "medium" module: `n` functions with locals, a loop, branches and calls.
pub fn medium_wat(n: usize) -> String {
    let mut wat = String::from("(module\n  (memory (export \"mem\") 1)\n  (global $acc (mut i32) (i32.const 0))\n");
    for i in 0..n {
        let call_prev = if i == 0 { String::new() } else { format!("local.get 2 local.get 0 call $f{} local.set 2", i - 1) };
        wat.push_str(&format!(
            r#"  (func $f{i} (export "f{i}") (param i32 i32) (result i32) (local i32 i64)
    local.get 0 local.get 1 i32.add local.set 2
    (block $done (loop $top
      local.get 1 i32.eqz br_if $done
      local.get 2 i32.const {k} i32.mul i32.const 7 i32.rem_u
      local.get 2 i32.const 3 i32.shl i32.xor local.set 2
      local.get 3 local.get 2 i64.extend_i32_u i64.add i64.const 1 i64.rotl local.set 3
      local.get 1 i32.const 1 i32.sub local.set 1
      br $top))
    (if (i32.gt_u (local.get 2) (i32.const {k}))
      (then (i32.store (i32.and (local.get 2) (i32.const 1020)) (local.get 0)))
      (else (global.set $acc (i32.add (global.get $acc) (i32.load (i32.const 64))))))
    {call_prev}
    local.get 2 local.get 3 i32.wrap_i64 i32.add)
"#,
            k = i * 31 + 5,
        ));
    }
    wat.push_str(")\n");
    wat
}

pub fn wasm(wat: &str) -> Vec<u8> {
    mbt::wat2wasm(wat.as_bytes()).expect("valid WAT")
}

/// The crate's criterion settings: short cases (0.5 s warm-up, 2 s
/// measurement, 20 samples) so a suite takes minutes on a 2-core machine,
/// and no plots (criterion is built without plotters).
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .without_plots()
}
