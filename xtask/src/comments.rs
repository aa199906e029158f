//! Turns the Doxygen comments of the C headers into rustdoc-safe Markdown.
//!
//! rustdoc treats any line indented by four spaces as a Rust code block and
//! runs it as a doctest; C snippets in the headers would then fail to
//! compile. Prose lines are therefore left-trimmed, and Doxygen `\code`
//! blocks and Markdown fences become ```` ```text ```` blocks, which rustdoc
//! shows but never compiles.

/// Rewrites one C doc comment for rustdoc.
pub fn to_rustdoc(comment: &str) -> String {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in comment.lines() {
        let trimmed = line.trim();
        let opens_or_closes = trimmed.starts_with("\\code")
            || trimmed.starts_with("\\endcode")
            || trimmed.starts_with("```");
        if opens_or_closes {
            out.push(if in_code { "```" } else { "```text" }.to_string());
            in_code = !in_code;
        } else if in_code {
            out.push(line.trim_end().to_string());
        } else {
            out.push(trimmed.to_string());
        }
    }
    if in_code {
        out.push("```".to_string());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::to_rustdoc;

    #[test]
    fn indented_prose_is_trimmed_so_rustdoc_does_not_compile_it() {
        let doc = to_rustdoc("Creates a thing.\n\n     wasm_thing_new(x);\n");
        assert_eq!(doc, "Creates a thing.\n\nwasm_thing_new(x);");
    }

    #[test]
    fn code_blocks_become_text_fences_and_keep_indentation() {
        let doc = to_rustdoc("Example:\n\\code{.c}\n  int x = 1;\n\\endcode\nDone.");
        assert_eq!(doc, "Example:\n```text\n  int x = 1;\n```\nDone.");
    }

    #[test]
    fn markdown_fences_are_retagged_and_unclosed_fences_are_closed() {
        assert_eq!(to_rustdoc("```\nfoo()\n```"), "```text\nfoo()\n```");
        assert_eq!(to_rustdoc("```c\nfoo()"), "```text\nfoo()\n```");
    }
}
