//! Every function named in the MoonBit API doc has a row in docs/API.md's
//! function table.

use std::collections::BTreeSet;

/// MoonBit built-ins the seed doc calls; not part of its API.
const BUILTINS: &[&str] = &["inspect", "length", "not"];

fn docs(name: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/").to_string() + name).unwrap()
}

/// Identifiers called (`name(`) inside the doc's code blocks.
fn called_functions(markdown: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        let bytes = line.as_bytes();
        for (i, _) in line.match_indices('(') {
            let start = line[..i].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |p| p + 1);
            let name = &line[start..i];
            if !name.is_empty() && bytes[start].is_ascii_lowercase() && !BUILTINS.contains(&name) {
                names.insert(name.to_string());
            }
        }
    }
    names
}

#[test]
fn every_moonbit_function_has_a_row_in_the_table() {
    let seed = called_functions(&docs("moonbit-api.md"));
    assert!(seed.len() >= 30, "found only {seed:?}");
    let api = docs("API.md");
    let table = &api[api.find("## Function table").expect("API.md has a function table")..];
    let missing: Vec<_> = seed.iter().filter(|name| !table.contains(&format!("| `{name}` |"))).collect();
    assert!(missing.is_empty(), "missing from docs/API.md's table: {missing:?}");
}

#[test]
fn the_vendored_seed_is_the_shared_one_when_present() {
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds/wasmtime-mbt-api.md");
    if let Ok(original) = std::fs::read_to_string(shared) {
        assert_eq!(original, docs("moonbit-api.md"), "docs/moonbit-api.md is out of date");
    }
}

#[test]
fn the_extractor_finds_calls_only_in_code() {
    let names = called_functions("engine_new() prose\n```mbt\nlet e = engine_new()\nif not(x) { store_delete(s) }\n```\n");
    assert_eq!(names.into_iter().collect::<Vec<_>>(), ["engine_new", "store_delete"]);
}
