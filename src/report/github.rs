//! `--format github`: GitHub Actions workflow commands, one per finding,
//! pointing at the lockfile line of the package concerned. Everything that
//! comes from the lockfile is escaped as GitHub's rules require, so a crafted
//! lockfile cannot inject a workflow command.

use crate::check::audit::Audit;
use crate::model::findings::Level;
use std::fmt::Write;

pub fn render(a: &Audit) -> String {
    let mut out = String::new();
    for f in &a.findings {
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &f.location {
            props.push(format!("file={}", property(&loc.path)));
            props.push(format!("line={}", loc.line));
        }
        props.push(format!(
            "title={}",
            property(&format!("wasmtime-support {}", f.code))
        ));
        let _ = writeln!(out, "::{command} {}::{}", props.join(","), data(&f.message));
    }
    for u in &a.unreadable {
        let _ = writeln!(
            out,
            "::error title={}::{} (not audited)",
            property("wasmtime-support unreadable input"),
            data(&u.error)
        );
    }
    let r = &a.result;
    let _ = writeln!(
        out,
        "wasmtime-support: {} train(s), {} error(s), {} warning(s), {} note(s)",
        a.trains.len(),
        r.errors,
        r.warnings,
        r.notes
    );
    out
}

/// Escaping for a command's message: GitHub's three escapes, then every other
/// control or invisible formatting character (ESC, bidi overrides) made visible.
pub fn data(s: &str) -> String {
    crate::text::sanitize(
        &s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
}

/// Escaping for a command's property values.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_githubs_rules() {
        assert_eq!(data("50% done\r\n::error::x"), "50%25 done%0D%0A::error::x");
        assert_eq!(property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(data("a\u{1b}]52;c;x\u{7}b"), "a\\u{1b}]52;c;x\\u{7}b");
        assert_eq!(data("why\u{202e}txt"), "why\\u{202e}txt");
    }
}
