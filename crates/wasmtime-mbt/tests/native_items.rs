//! `docs/native-items.txt` lists every item of the native `wasmtime` 48.0.8
//! core API as `present`, `not-possible` or `missing`. These tests keep it
//! from going stale: a `present` item must be defined in the crate's source,
//! a type marked otherwise must not be, the not-possible items must be
//! exactly those of docs/API.md's "Not possible" table, and the counts in
//! docs/API.md must match.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const STATUSES: &[&str] = &["present", "not-possible", "missing"];

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `(item, status)` in file order.
fn listing() -> Vec<(String, String)> {
    let mut items = Vec::new();
    let mut seen = BTreeSet::new();
    for (n, line) in read("docs/native-items.txt").lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 2, "docs/native-items.txt:{}: want `item status`: {line:?}", n + 1);
        assert!(STATUSES.contains(&fields[1]), "docs/native-items.txt:{}: unknown status {:?}", n + 1, fields[1]);
        assert!(seen.insert(fields[0].to_string()), "docs/native-items.txt:{}: {} listed twice", n + 1, fields[0]);
        items.push((fields[0].to_string(), fields[1].to_string()));
    }
    assert!(items.len() > 900, "only {} items", items.len());
    items
}

fn type_of(item: &str) -> &str {
    item.split("::").next().unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // `wasmtime::component` is not core: its own section of API.md.
            if path.file_name().unwrap() != "component" {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// What the crate's core source defines, by name.
struct Defined {
    /// Names after `struct`, `enum`, `trait`, `type`, `union`, `macro_rules!`,
    /// and every name in a `pub use`.
    types: BTreeSet<String>,
    /// Names after `fn`, `const`, `type`, and every identifier passed to one
    /// of the crate's own `macro_rules!` macros (which generate methods such
    /// as the `Config` setters from those names).
    members: BTreeSet<String>,
    /// Names after `pub struct`, `pub enum`, `pub trait`, `pub type`, or in
    /// a `pub use`: what a type marked not present must not be.
    public_types: BTreeSet<String>,
}

fn defined() -> Defined {
    let mut files = Vec::new();
    rust_files(&root().join("crates/wasmtime-mbt/src"), &mut files);
    let text = files.join("\n");
    let tokens: Vec<&str> = text.split(|c: char| !is_ident(c)).filter(|t| !t.is_empty()).collect();
    let mut d = Defined { types: BTreeSet::new(), members: BTreeSet::new(), public_types: BTreeSet::new() };
    let mut macros = BTreeSet::new();
    for w in tokens.windows(3) {
        match w[0] {
            "struct" | "enum" | "trait" | "union" => {
                d.types.insert(w[1].to_string());
            }
            "type" => {
                d.types.insert(w[1].to_string());
                d.members.insert(w[1].to_string());
            }
            "fn" | "const" => {
                d.members.insert(w[1].to_string());
            }
            "macro_rules" => {
                d.types.insert(w[1].to_string());
                macros.insert(w[1].to_string());
            }
            "pub" if matches!(w[1], "struct" | "enum" | "trait" | "type" | "union") => {
                d.public_types.insert(w[2].to_string());
            }
            _ => {}
        }
    }
    for (i, _) in text.match_indices("pub use ") {
        let end = text[i..].find(';').map_or(text.len(), |e| i + e);
        for name in text[i + 8..end].split(|c: char| !is_ident(c)).filter(|t| !t.is_empty()) {
            d.types.insert(name.to_string());
            d.public_types.insert(name.to_string());
        }
    }
    for name in &macros {
        let call = format!("{name}!");
        for (i, _) in text.match_indices(&call) {
            if i > 0 && is_ident(text[..i].chars().next_back().unwrap()) {
                continue;
            }
            let rest = text[i + call.len()..].trim_start();
            if !rest.starts_with(['{', '(', '[']) {
                continue;
            }
            let mut depth = 0usize;
            let mut end = rest.len();
            for (j, c) in rest.char_indices() {
                match c {
                    '{' | '(' | '[' => depth += 1,
                    '}' | ')' | ']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            for ident in rest[..end].split(|c: char| !is_ident(c)).filter(|t| !t.is_empty()) {
                d.members.insert(ident.to_string());
            }
        }
    }
    d
}

#[test]
fn every_present_item_is_defined() {
    let d = defined();
    let mut absent = Vec::new();
    for (item, status) in listing() {
        if status != "present" {
            continue;
        }
        let ok = match item.split_once("::") {
            Some((ty, member)) => d.types.contains(ty) && d.members.contains(member),
            None => d.types.contains(&item),
        };
        if !ok {
            absent.push(item);
        }
    }
    assert!(absent.is_empty(), "marked present in docs/native-items.txt but not found in crates/wasmtime-mbt/src: {absent:?}");
}

#[test]
fn no_type_marked_absent_is_defined() {
    let d = defined();
    let stale: Vec<_> = listing()
        .into_iter()
        .filter(|(item, status)| status != "present" && !item.contains("::") && d.public_types.contains(item))
        .collect();
    assert!(stale.is_empty(), "now defined in crates/wasmtime-mbt/src, update docs/native-items.txt and docs/API.md: {stale:?}");
}

/// Backticked items of the first column of docs/API.md's "Not possible" table.
fn not_possible_table() -> BTreeSet<String> {
    let api = read("docs/API.md");
    let start = api.find("\n## Not possible through the 48.0.8 C API").expect("API.md has the Not possible section");
    let section = &api[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let mut items = BTreeSet::new();
    for row in section.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| native item")) {
        let first = row[2..].split(" | ").next().unwrap();
        for (k, part) in first.split('`').enumerate() {
            if k % 2 == 1 {
                items.insert(part.to_string());
            }
        }
    }
    assert!(items.len() > 50, "found only {items:?}");
    items
}

#[test]
fn not_possible_items_are_the_api_md_table() {
    let items = listing();
    let table = not_possible_table();
    let mut by_type: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (item, status) in &items {
        by_type.entry(type_of(item)).or_default().push((item, status));
    }
    let not_in_table: Vec<_> = items
        .iter()
        .filter(|(item, status)| status == "not-possible" && !table.contains(item) && !table.contains(&format!("{}::*", type_of(item))))
        .map(|(item, _)| item)
        .collect();
    assert!(not_in_table.is_empty(), "not-possible in docs/native-items.txt, not in API.md's Not possible table: {not_in_table:?}");
    let mut wrong = Vec::new();
    for entry in &table {
        let ok = match entry.strip_suffix("::*") {
            Some(ty) => by_type.get(ty).is_some_and(|all| all.iter().all(|(_, s)| *s == "not-possible")),
            None => items.iter().any(|(item, s)| item == entry && s == "not-possible"),
        };
        if !ok {
            wrong.push(entry);
        }
    }
    assert!(wrong.is_empty(), "in API.md's Not possible table but not all not-possible in docs/native-items.txt: {wrong:?}");
}

#[test]
fn api_md_counts_match_the_listing() {
    let items = listing();
    let count = |s: &str| items.iter().filter(|(_, st)| st == s).count();
    let expected = format!(
        "{} items: **{} present, {} not possible, {} missing**",
        items.len(),
        count("present"),
        count("not-possible"),
        count("missing")
    );
    let api = read("docs/API.md");
    assert!(api.contains(&expected), "docs/API.md should say {expected:?} (in \"Every native item\")");
}
