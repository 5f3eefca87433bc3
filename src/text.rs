//! Showing text: untrusted text (names, versions, sources from a lockfile)
//! escaped so it cannot move the cursor or reorder a line, and wrapping for
//! the 80 columns reports are written for.

/// The width reports are written for: they read well in 80 columns.
pub const WIDTH: usize = 80;

/// Replaces control characters (including ESC, CR, LF) and invisible
/// formatting characters (bidi overrides and isolates, zero-width characters,
/// line and paragraph separators, the byte-order mark) with visible escapes, so
/// that untrusted text cannot move the cursor, recolour the terminal, start a
/// new line or reorder what is shown around it.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A whole terminal report made safe as a last line of defence: every
/// control or invisible formatting character escaped, except newlines, tabs
/// and the colour sequences the report itself writes (`ESC [ digits;... m`).
/// Whatever a file brought in and a renderer forgot to escape is shown, never
/// obeyed.
pub fn terminal_safe(report: String) -> String {
    let is_sgr = |rest: &str| {
        let Some(body) = rest.strip_prefix('[') else {
            return 0;
        };
        let len = body
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b';')
            .count();
        if len <= 16 && body.as_bytes().get(len) == Some(&b'm') {
            len + 2
        } else {
            0
        }
    };
    if !report
        .chars()
        .any(|c| !matches!(c, '\n' | '\t' | '\x1b') && needs_escape(c))
        && !report
            .match_indices('\x1b')
            .any(|(at, _)| is_sgr(&report[at + 1..]) == 0)
    {
        return report;
    }
    let mut out = String::with_capacity(report.len() + 16);
    let mut rest = report.as_str();
    while let Some(c) = rest.chars().next() {
        let width = c.len_utf8();
        if c == '\x1b' {
            let sgr = is_sgr(&rest[1..]);
            if sgr > 0 {
                out.push_str(&rest[..1 + sgr]);
                rest = &rest[1 + sgr..];
                continue;
            }
        }
        if !matches!(c, '\n' | '\t') && needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        rest = &rest[width..];
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Characters that change how the text around them is shown without being
/// visible themselves (Unicode format characters used for spoofing, and the
/// Unicode line breaks), per the Trojan Source list (CVE-2021-42574) and the
/// zero-width characters.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// Word-wraps `text` to `width` columns, indenting continuation lines.
pub fn wrap(text: &str, width: usize, indent: usize) -> String {
    let body = text.trim_start_matches(' ');
    let lead = text.len() - body.len();
    let mut out = String::with_capacity(text.len() + 8);
    out.extend(std::iter::repeat_n(' ', lead));
    let mut col = lead;
    // Phrases that read wrong split over two lines stay together: a major
    // and its `LTS` ("48 LTS"), and alternatives around a slash.
    let mut units: Vec<String> = Vec::new();
    for word in body.split(' ') {
        let glue = units.last().is_some_and(|prev| {
            let number = !prev.is_empty() && prev.bytes().all(|b| b.is_ascii_digit());
            // Inside a short `code span`, too (an odd number of backticks so far).
            let open_code = prev.matches('`').count() % 2 == 1 && prev.len() < 40;
            (number && word.starts_with("LTS")) || word == "/" || prev.ends_with(" /") || open_code
        });
        match units.last_mut() {
            Some(prev) if glue => {
                prev.push(' ');
                prev.push_str(word);
            }
            _ => units.push(word.to_string()),
        }
    }
    for (i, word) in units.iter().enumerate() {
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
        // A word no line can hold (a long URL) is cut where it reads best:
        // after a `/`, `?`, `&`, `#` or `=`, else at the width.
        let mut rest: &str = word;
        while col + rest.chars().count() > width && width > indent + 8 {
            let room = width.saturating_sub(col);
            let cut_at = rest
                .char_indices()
                .take_while(|(i, _)| rest[..*i].chars().count() < room)
                .filter(|(_, c)| matches!(c, '/' | '?' | '&' | '#' | '='))
                .map(|(i, c)| i + c.len_utf8())
                .filter(|&i| rest[..i].chars().count() <= room && i < rest.len())
                .last()
                .or_else(|| rest.char_indices().nth(room).map(|(i, _)| i))
                .filter(|&i| i > 0);
            let Some(at) = cut_at else { break };
            out.push_str(&rest[..at]);
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', indent));
            col = indent;
            rest = &rest[at..];
        }
        out.push_str(rest);
        col += rest.chars().count();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_longer_than_a_line_is_cut_where_it_reads_best() {
        let url =
            "https://github.com/golemcloud/wasmtime.git?branch=golem-wasmtime-v36.0.3#4c2c9e0a5b1d";
        let wrapped = wrap(&format!("  source   1 git crate from {url}"), 80, 11);
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 80),
            "{wrapped}"
        );
        // Nothing lost: the line breaks (and their indents) are all that was added.
        assert_eq!(
            wrapped.replace("\n           ", ""),
            format!("  source   1 git crate from{url}")
        );
        assert!(wrapped.contains("?branch=\n"), "{wrapped}");
    }

    #[test]
    fn a_major_and_its_lts_stay_on_one_line() {
        let text = format!("{} 48 LTS and `--to` / `latest`", "x".repeat(74));
        let wrapped = wrap(&text, 80, 2);
        assert!(wrapped.contains("\n  48 LTS"), "{wrapped}");
        let text = format!("{} `--to` / `latest`", "x".repeat(72));
        let wrapped = wrap(&text, 80, 2);
        assert!(wrapped.contains("\n  `--to` / `latest`"), "{wrapped}");
        let text = format!("{} then run `cargo update -p wasmtime`", "x".repeat(60));
        let wrapped = wrap(&text, 80, 2);
        assert!(
            wrapped.contains("\n  `cargo update -p wasmtime`"),
            "{wrapped}"
        );
    }

    #[test]
    fn a_report_keeps_its_colours_and_shows_everything_else() {
        let ours = "\x1b[1m\x1b[31mwarning\x1b[0m: fine\n";
        assert_eq!(terminal_safe(ours.to_string()), ours);
        let planted = "id EVIL-\x1b[2J\x1b]0;PWNED\x07 \u{3164}x\u{200d}\u{fe0f}\r\n";
        let shown = terminal_safe(planted.to_string());
        assert!(
            !shown.contains('\x07') && !shown.contains('\r'),
            "{shown:?}"
        );
        assert!(!shown.contains("\x1b]"), "{shown:?}");
        assert!(
            !shown.contains('\u{3164}') && !shown.contains('\u{200d}'),
            "{shown:?}"
        );
        assert!(
            shown.ends_with('\n') && shown.contains("PWNED"),
            "{shown:?}"
        );
        // `ESC [2J` is no colour: shown, not obeyed.
        assert!(!shown.contains("\x1b[2J"), "{shown:?}");
    }

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(sanitize("wasmtime"), "wasmtime");
        assert_eq!(sanitize("a\u{1b}[31mb\nc\r"), "a\\u{1b}[31mb\\nc\\r");
    }

    #[test]
    fn bidi_and_invisible_characters_become_visible() {
        for (c, shown) in [
            ('\u{202e}', "\\u{202e}"),
            ('\u{2028}', "\\u{2028}"),
            ('\u{2029}', "\\u{2029}"),
            ('\u{200b}', "\\u{200b}"),
            ('\u{200f}', "\\u{200f}"),
            ('\u{2066}', "\\u{2066}"),
            ('\u{2069}', "\\u{2069}"),
            ('\u{feff}', "\\u{feff}"),
            ('\u{061c}', "\\u{61c}"),
        ] {
            assert_eq!(sanitize(&format!("a{c}b")), format!("a{shown}b"), "{c:?}");
        }
        assert_eq!(sanitize("wasmtime-ä日本"), "wasmtime-ä日本", "letters stay");
    }
}
