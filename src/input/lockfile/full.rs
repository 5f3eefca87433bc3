//! The reference reader: the whole file through the `toml` crate.

use super::{RawDoc, RawPackage};
use crate::error::{Error, Result};
use serde::Deserialize;

#[derive(Deserialize)]
struct RawLockfile {
    version: Option<toml::Spanned<i64>>,
    #[serde(default)]
    package: Vec<TomlPackage>,
    /// Lockfiles written before 2019 keep the root package apart.
    root: Option<TomlPackage>,
    metadata: Option<toml::Table>,
}

#[derive(Deserialize)]
struct TomlPackage {
    name: toml::Spanned<String>,
    version: toml::Spanned<String>,
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub(super) fn read(text: &str, path: &str) -> Result<RawDoc> {
    let lines = LineIndex::new(text);
    let raw: RawLockfile = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(":{}", lines.line_of(s.start)))
            .unwrap_or_default();
        Error::new(format!(
            "{path}{at}: not a valid Cargo.lock: {}",
            e.message()
        ))
    })?;
    Ok(RawDoc {
        version: raw
            .version
            .map(|v| (*v.get_ref(), lines.line_of(v.span().start))),
        has_metadata: raw.metadata.is_some(),
        packages: raw
            .root
            .into_iter()
            .chain(raw.package)
            .map(|p| RawPackage {
                name_line: lines.line_of(p.name.span().start),
                version_line: lines.line_of(p.version.span().start),
                name: p.name.into_inner(),
                version: p.version.into_inner(),
                source: p.source,
                dependencies: p.dependencies,
            })
            .collect(),
    })
}

/// Byte offset to 1-based line number.
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let newlines = text
            .bytes()
            .enumerate()
            .filter_map(|(i, b)| (b == b'\n').then_some(i))
            .collect();
        LineIndex { newlines }
    }

    fn line_of(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&nl| nl < offset);
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }
}
