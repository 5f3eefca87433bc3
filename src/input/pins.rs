//! Exact requirements (`wasmtime = "=36.0.2"`) on family crates in a
//! workspace's manifests: they are what keeps `cargo update` from moving a
//! crate to its newest patch, so the advice names them and the edit.

use std::path::{Path, PathBuf};
use toml_edit::{Document, Item, Table};

/// One `=` requirement: the crate, the requirement as written, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub name: String,
    pub req: String,
    pub manifest: PathBuf,
    pub line: u32,
}

const TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];

/// The exact requirements on crates `is_family` accepts, in `manifests`.
/// A manifest that cannot be read or parsed gives none: the audit has
/// already read it, and this is advice, never a reason to stop.
pub fn exact(manifests: &[PathBuf], is_family: &dyn Fn(&str) -> bool) -> Vec<Pin> {
    let mut out = Vec::new();
    for path in manifests {
        let Ok(text) = crate::input::files::read_manifest(path, &path.display().to_string()) else {
            continue;
        };
        let Ok(doc) = Document::parse(text.as_str()) else {
            continue;
        };
        let line_of = |at: usize| u32::try_from(text[..at].matches('\n').count() + 1).unwrap_or(0);
        let mut tables: Vec<&Table> = Vec::new();
        for t in TABLES {
            tables.extend(doc.get(t).and_then(Item::as_table));
        }
        if let Some(targets) = doc.get("target").and_then(Item::as_table) {
            for (_, target) in targets.iter() {
                for t in TABLES {
                    tables.extend(target.get(t).and_then(Item::as_table));
                }
            }
        }
        tables.extend(
            doc.get("workspace")
                .and_then(|w| w.get("dependencies"))
                .and_then(Item::as_table),
        );
        for table in tables {
            for (key, item) in table.iter() {
                let (name, version) = match item {
                    Item::Value(v) if v.is_str() => (key, Some(v)),
                    Item::Value(v) => match v.as_inline_table() {
                        Some(t) => (
                            t.get("package").and_then(|p| p.as_str()).unwrap_or(key),
                            t.get("version"),
                        ),
                        None => (key, None),
                    },
                    Item::Table(t) => (
                        t.get("package").and_then(Item::as_str).unwrap_or(key),
                        t.get("version").and_then(Item::as_value),
                    ),
                    _ => (key, None),
                };
                let Some(v) = version else { continue };
                let Some(req) = v.as_str().filter(|r| r.trim_start().starts_with('=')) else {
                    continue;
                };
                if !is_family(name) {
                    continue;
                }
                out.push(Pin {
                    name: name.to_string(),
                    req: req.to_string(),
                    manifest: path.clone(),
                    line: v.span().map_or(0, |s| line_of(s.start)),
                });
            }
        }
    }
    out
}

/// The manifests of a workspace, or the one beside a lockfile.
pub fn beside(lockfile: &Path) -> Vec<PathBuf> {
    let manifest = lockfile.with_file_name("Cargo.toml");
    if manifest.is_file() {
        vec![manifest]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_requirements_are_found_wherever_they_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Cargo.toml");
        std::fs::write(
            &path,
            "[package]\nname = \"p\"\nversion = \"0.1.0\"\n\n[dependencies]\nwasmtime = \"=36.0.2\"\nserde = \"=1.0.0\"\nwiggle = { version = \"36\" }\nwt = { package = \"wasmtime-wasi\", version = \"= 36.0.2\" }\n\n[target.'cfg(unix)'.dev-dependencies.cranelift-codegen]\nversion = \"=0.123.2\"\n",
        )
        .unwrap();
        let family = |n: &str| n.starts_with("wasmtime") || n.starts_with("cranelift");
        let pins = exact(std::slice::from_ref(&path), &family);
        let found: Vec<(&str, &str, u32)> = pins
            .iter()
            .map(|p| (p.name.as_str(), p.req.as_str(), p.line))
            .collect();
        assert_eq!(
            found,
            [
                ("wasmtime", "=36.0.2", 6),
                ("wasmtime-wasi", "= 36.0.2", 9),
                ("cranelift-codegen", "=0.123.2", 12),
            ]
        );
    }
}
