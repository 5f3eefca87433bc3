//! Helpers for showing untrusted text (names, versions, sources from a lockfile).

/// `n` and the noun that goes with it: "1 crate", "2 crates".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Replaces control characters (including ESC, CR, LF) with visible escapes so
/// that text from a lockfile cannot move the cursor, recolour the terminal or
/// start a new line.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Word-wraps `text` to `width` columns, indenting continuation lines.
pub fn wrap(text: &str, width: usize, indent: usize) -> String {
    let body = text.trim_start_matches(' ');
    let lead = text.len() - body.len();
    let mut out = String::with_capacity(text.len() + 8);
    out.extend(std::iter::repeat_n(' ', lead));
    let mut col = lead;
    for (i, word) in body.split(' ').enumerate() {
        let len = word.chars().count();
        if i > 0 {
            if col > indent && col + 1 + len > width {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                col = indent;
            } else {
                out.push(' ');
                col += 1;
            }
        }
        out.push_str(word);
        col += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(sanitize("wasmtime"), "wasmtime");
        assert_eq!(sanitize("a\u{1b}[31mb\nc\r"), "a\\u{1b}[31mb\\nc\\r");
    }
}
