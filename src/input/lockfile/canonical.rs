//! A fast reader for the canonical form cargo writes: a `version` line, then
//! `[[package]]` blocks of `name`, `version`, `source`, `checksum` and a
//! one-entry-per-line `dependencies` array. It accepts nothing else: any other
//! table, key, spacing, comment after a value, escape or line ending makes it
//! answer `None`, and the full TOML parser reads the file instead.

use super::{RawDoc, RawPackage};

pub(super) fn read(text: &str) -> Option<RawDoc> {
    if text.contains('\r') {
        return None;
    }
    let mut doc = RawDoc {
        version: None,
        has_metadata: false,
        packages: Vec::with_capacity(text.len() / 200),
    };
    let mut current: Option<Partial> = None;
    let mut lines = text.split('\n').zip(1u32..);
    while let Some((line, number)) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            // TOML forbids control characters other than tab in comments.
            if line.chars().any(|c| c.is_control() && c != '\t') {
                return None;
            }
            continue;
        }
        if line == "[[package]]" {
            if let Some(p) = current.take() {
                doc.packages.push(p.finish()?);
            }
            current = Some(Partial::default());
            continue;
        }
        let (key, value) = key_value(line)?;
        let Some(p) = current.as_mut() else {
            // Before the first table only `version = N` is canonical.
            if key != "version" || doc.version.is_some() {
                return None;
            }
            doc.version = Some((integer(value)?, number));
            continue;
        };
        match key {
            "name" if p.name.is_none() => p.name = Some((string(value)?.to_string(), number)),
            "version" if p.version.is_none() => {
                p.version = Some((string(value)?.to_string(), number))
            }
            "source" if p.source.is_none() => p.source = Some(string(value)?.to_string()),
            "checksum" if !p.checksum => {
                string(value)?;
                p.checksum = true;
            }
            "dependencies" if p.dependencies.is_none() && value == "[" => {
                let mut deps = Vec::new();
                loop {
                    let (item, _) = lines.next()?;
                    if item == "]" {
                        break;
                    }
                    deps.push(string(item.strip_prefix(' ')?.strip_suffix(',')?)?.to_string());
                }
                p.dependencies = Some(deps);
            }
            _ => return None,
        }
    }
    if let Some(p) = current.take() {
        doc.packages.push(p.finish()?);
    }
    Some(doc)
}

#[derive(Default)]
struct Partial {
    name: Option<(String, u32)>,
    version: Option<(String, u32)>,
    source: Option<String>,
    checksum: bool,
    dependencies: Option<Vec<String>>,
}

impl Partial {
    fn finish(self) -> Option<RawPackage> {
        let (name, name_line) = self.name?;
        let (version, version_line) = self.version?;
        Some(RawPackage {
            name,
            name_line,
            version,
            version_line,
            source: self.source,
            dependencies: self.dependencies.unwrap_or_default(),
        })
    }
}

/// `key = value` with exactly one space on each side of `=`.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let space = line.bytes().position(|b| b == b' ')?;
    let value = line[space..].strip_prefix(" = ")?;
    Some((&line[..space], value))
}

/// A basic string with no escapes and no ASCII control characters: `"..."`.
/// (TOML forbids the ASCII ones; tab is allowed there but declined here.)
fn string(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    let plain = inner
        .bytes()
        .all(|b| b >= 0x20 && b != 0x7f && b != b'"' && b != b'\\');
    plain.then_some(inner)
}

/// A decimal integer as TOML writes it: digits, no sign, no leading zero.
fn integer(value: &str) -> Option<i64> {
    let plain = !value.is_empty()
        && value.len() <= 18
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    if plain { value.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_canonical_form() {
        let text = "# comment\nversion = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"00\"\ndependencies = [\n \"b\",\n \"c 1.0.0\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"0.1.0\"\n";
        let doc = read(text).unwrap();
        assert_eq!(doc.version, Some((4, 2)));
        assert_eq!(doc.packages.len(), 2);
        assert_eq!(doc.packages[0].dependencies, ["b", "c 1.0.0"]);
        assert_eq!(
            (doc.packages[1].name_line, doc.packages[1].version_line),
            (15, 16)
        );
    }

    #[test]
    fn declines_everything_else() {
        let base = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n";
        assert!(read(base).is_some());
        for other in [
            base.replace("\n", "\r\n"),
            base.replace("name = \"a\"", "name = \"a\" # trailing"),
            base.replace("name = \"a\"", "name=\"a\""),
            base.replace("name = \"a\"", "name = 'a'"),
            base.replace("name = \"a\"", "name = \"a\\u0041\""),
            base.replace("version = 4", "version = 04"),
            base.replace("version = 4", "version = +4"),
            format!("{base}name = \"again\"\n"),
            format!("{base}replace = \"x\"\n"),
            format!("{base}dependencies = [\"x\"]\n"),
            format!("{base}dependencies = [\n \"x\"\n]\n"),
            format!("{base}dependencies = [\n \"x\",\n"),
            format!("{base}\n[metadata]\n\"checksum a 1.0.0\" = \"00\"\n"),
            format!("{base}\n[[patch.unused]]\nname = \"p\"\nversion = \"1.0.0\"\n"),
            format!("[root]\nname = \"r\"\nversion = \"1.0.0\"\n\n{base}"),
            "version = 4\nversion = 4\n".to_string(),
            "version = 4\n\n[[package]]\nname = \"a\"\n".to_string(),
            "# \u{1}\nversion = 4\n".to_string(),
        ] {
            assert!(read(&other).is_none(), "accepted:\n{other}");
        }
    }
}
