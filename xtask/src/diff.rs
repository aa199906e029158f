//! Compares two directory trees and summarises how they differ.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Every file under `root`, as paths relative to it, sorted.
pub fn files_under(root: &Path) -> Result<BTreeSet<PathBuf>, String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.insert(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    Ok(found)
}

/// One line per difference between the trees `expected` (freshly generated)
/// and `actual` (checked in); empty when they are identical.
pub fn summarize(expected: &Path, actual: &Path) -> Result<Vec<String>, String> {
    let want = files_under(expected)?;
    let have = if actual.exists() { files_under(actual)? } else { BTreeSet::new() };
    let mut report = Vec::new();
    for path in want.difference(&have) {
        report.push(format!("missing: {}", path.display()));
    }
    for path in have.difference(&want) {
        report.push(format!("stale (not generated any more): {}", path.display()));
    }
    for path in want.intersection(&have) {
        let a = fs::read(expected.join(path)).map_err(|e| e.to_string())?;
        let b = fs::read(actual.join(path)).map_err(|e| e.to_string())?;
        if a != b {
            report.push(format!("differs: {} ({})", path.display(), first_difference(&a, &b)));
        }
    }
    Ok(report)
}

fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    let mut want = expected.lines();
    let mut have = actual.lines();
    let mut line = 1;
    loop {
        match (want.next(), have.next()) {
            (Some(w), Some(h)) if w == h => line += 1,
            (w, h) => {
                return format!(
                    "first at line {line}: generated {:?}, checked in {:?}",
                    w.unwrap_or("<end of file>"),
                    h.unwrap_or("<end of file>")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-diff-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for (path, body) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, body).unwrap();
        }
        root
    }

    #[test]
    fn identical_trees_have_no_differences() {
        let a = tree("same-a", &[("x.h", "one\n"), ("d/y.h", "two\n")]);
        let b = tree("same-b", &[("x.h", "one\n"), ("d/y.h", "two\n")]);
        assert_eq!(summarize(&a, &b).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn missing_stale_and_changed_files_are_each_reported() {
        let a = tree("gen", &[("new.h", ""), ("same.h", "a\nb\n"), ("x.h", "a\nb\n")]);
        let b = tree("old", &[("gone.h", ""), ("same.h", "a\nb\n"), ("x.h", "a\nc\n")]);
        let report = summarize(&a, &b).unwrap();
        assert_eq!(report.len(), 3, "{report:?}");
        assert!(report[0].starts_with("missing: new.h"));
        assert!(report[1].starts_with("stale (not generated any more): gone.h"));
        assert!(report[2].contains("x.h") && report[2].contains("line 2"), "{}", report[2]);
    }
}
