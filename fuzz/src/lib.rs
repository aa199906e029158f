//! Check functions shared by the fuzz targets (`fuzz_targets/`) and the
//! corpus replay in `crates/compat/tests/differential.rs` (which includes
//! these files with `#[path]`, so both run the same code).

pub mod api_sequence;
pub mod differential;
