//! Reading Cargo.lock: formats v1 to v4, into the few fields the audit needs
//! (name, version, source, dependencies, line). Two readers: `canonical`, a
//! fast path for files as cargo writes them, and `full`, the `toml` crate as
//! the reference for everything else; the tests hold them to the same answer.

mod canonical;
mod full;

use crate::error::{Error, Result};
use crate::model::inputs::{Binding, InputKind};
use crate::model::train::CrateSource;
use rustc_hash::FxHashSet;
use semver::Version;
use std::fmt;

/// The newest lockfile format this tool understands.
pub const NEWEST_FORMAT: u32 = 4;

const CRATES_IO_GIT: &str = "https://github.com/rust-lang/crates.io-index";
const CRATES_IO_SPARSE: &str = "https://index.crates.io/";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockfile {
    /// The path as given by the user (for messages and reports).
    pub path: String,
    /// What the file is: a Cargo.lock, or another input read into the same shape.
    pub kind: InputKind,
    /// Lockfile format: 1 and 2 have no `version` key (1 keeps checksums in `[metadata]`).
    pub format: u32,
    pub packages: Vec<Package>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub version: Version,
    pub source: Source,
    /// Dependency references as written: `name`, `name version` or `name version (source)`.
    pub dependencies: Vec<String>,
    /// 1-based line of the package's `name = ...` key.
    pub line: u32,
    /// The SBOM component's `bom-ref` (or SPDX id) it was read from.
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A registry; `url` is the index URL (with `sparse+` kept for sparse registries).
    Registry { url: String },
    /// A git repository: the URL (with its `?branch=`/`?rev=` query) and the locked commit.
    Git { url: String, rev: Option<String> },
    /// A path dependency (no `source` key).
    Path,
    /// A Wasmtime binding from another language's registry, or from
    /// somewhere else (`origin`: a git repository, a directory, a `replace`).
    Binding {
        binding: Binding,
        origin: Option<String>,
    },
}

impl Source {
    pub fn parse(raw: Option<&str>) -> Source {
        let Some(raw) = raw else {
            return Source::Path;
        };
        if let Some(url) = raw.strip_prefix("registry+") {
            return Source::Registry { url: url.into() };
        }
        if raw.starts_with("sparse+") {
            return Source::Registry { url: raw.into() };
        }
        if let Some(rest) = raw.strip_prefix("git+") {
            let (url, rev) = match rest.rsplit_once('#') {
                Some((url, rev)) => (url, Some(rev.to_string())),
                None => (rest, None),
            };
            return Source::Git {
                url: url.into(),
                rev,
            };
        }
        Source::Registry { url: raw.into() }
    }

    pub fn kind(&self) -> CrateSource {
        match self {
            Source::Registry { .. } => CrateSource::Registry,
            Source::Git { .. } => CrateSource::Git,
            Source::Path => CrateSource::Path,
            Source::Binding { binding, .. } => CrateSource::Binding(*binding),
        }
    }

    pub fn is_crates_io(&self) -> bool {
        match self {
            Source::Registry { url } => {
                url == CRATES_IO_GIT || url.strip_prefix("sparse+") == Some(CRATES_IO_SPARSE)
            }
            _ => false,
        }
    }

    /// The URL worth showing next to a crate: git URLs and non-crates.io registries.
    pub fn display_url(&self) -> Option<&str> {
        match self {
            Source::Git { url, .. } => Some(url),
            Source::Registry { url } if !self.is_crates_io() => Some(url),
            Source::Binding { origin, .. } => origin.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.display_url() {
            Some(url) => write!(f, "{} {}", self.kind(), url),
            None => write!(f, "{}", self.kind()),
        }
    }
}

/// What a reader extracts from the text, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawDoc {
    /// The `version` key and its line.
    pub version: Option<(i64, u32)>,
    /// A `[metadata]` table (format 1 keeps checksums there).
    pub has_metadata: bool,
    pub packages: Vec<RawPackage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawPackage {
    pub name: String,
    pub name_line: u32,
    pub version: String,
    pub version_line: u32,
    pub source: Option<String>,
    pub dependencies: Vec<String>,
}

/// Parses the text of a Cargo.lock. `path` only names the file in errors.
///
/// Files in the canonical form cargo writes are read by a fast line reader;
/// anything it does not fully recognise goes to the full TOML parser, which
/// stays the reference (the two are tested to agree).
pub fn parse(text: &str, path: &str) -> Result<Lockfile> {
    let raw = match canonical::read(text) {
        Some(raw) => raw,
        None => full::read(text, path)?,
    };
    finish(raw, text, path)
}

/// The canonical reader alone: `None` when it declines the text (for tests
/// and benchmarks that compare it with the full parser).
pub fn parse_canonical(text: &str, path: &str) -> Option<Result<Lockfile>> {
    canonical::read(text).map(|raw| finish(raw, text, path))
}

/// Parses with the full TOML parser only (the reference, for tests and benchmarks).
pub fn parse_full(text: &str, path: &str) -> Result<Lockfile> {
    finish(full::read(text, path)?, text, path)
}

fn finish(raw: RawDoc, text: &str, path: &str) -> Result<Lockfile> {
    let format = match raw.version {
        Some((v, line)) => match u32::try_from(v) {
            Ok(n @ 3..=NEWEST_FORMAT) => n,
            _ => {
                let newer = if v > i64::from(NEWEST_FORMAT) {
                    "; a newer cargo may have written it"
                } else {
                    ""
                };
                return Err(Error::new(format!(
                    "{path}:{line}: unsupported lockfile format version {v} (this tool reads formats 1 and 2, which have no `version` line, and `version = 3` to `version = {NEWEST_FORMAT}`{newer})"
                )));
            }
        },
        None if raw.has_metadata => 1,
        None => 2,
    };
    if raw.packages.is_empty() {
        // Cargo always records at least the root package.
        let what = if text.trim().is_empty() {
            "the file is empty"
        } else {
            "no [[package]] entries"
        };
        return Err(Error::in_file(path, format!("{what}: not a Cargo.lock")));
    }
    let mut seen: FxHashSet<(&str, &str, Option<&str>)> =
        FxHashSet::with_capacity_and_hasher(raw.packages.len(), Default::default());
    for p in &raw.packages {
        if !is_valid_name(&p.name) {
            return Err(Error::in_file(
                &format!("{path}:{}", p.name_line),
                format!("invalid package name {:?}", p.name),
            ));
        }
        if !seen.insert((&p.name, &p.version, p.source.as_deref())) {
            return Err(Error::in_file(
                &format!("{path}:{}", p.name_line),
                format!(
                    "duplicate package entry `{} {}` ({})",
                    p.name,
                    p.version,
                    Source::parse(p.source.as_deref())
                ),
            ));
        }
    }
    let mut packages = Vec::with_capacity(raw.packages.len());
    for p in raw.packages {
        let version = Version::parse(&p.version).map_err(|e| {
            Error::in_file(
                &format!("{path}:{}", p.version_line),
                format!(
                    "package `{}` has an invalid version {:?}: {e}",
                    p.name, p.version
                ),
            )
        })?;
        packages.push(Package {
            source: Source::parse(p.source.as_deref()),
            name: p.name,
            version,
            dependencies: p.dependencies,
            line: p.name_line,
            reference: None,
        });
    }
    Ok(Lockfile {
        path: path.to_string(),
        kind: InputKind::CargoLock,
        format,
        packages,
    })
}

/// Package names as cargo accepts them: Unicode identifier characters
/// (letters of any script, digits, `_`) and `-`. Cargo also wants the first
/// character to start an identifier; lockfiles are not refused for that.
/// Output escapes what is shown, so any accepted name is safe to print.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| unicode_ident::is_xid_continue(c) || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const V4: &str = r#"# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "wasmtime"
version = "27.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"
dependencies = [
 "cranelift-codegen",
]

[[package]]
name = "cranelift-codegen"
version = "0.114.0"
source = "git+https://github.com/example/wasmtime?branch=fix#0123abcd"

[[package]]
name = "app"
version = "0.1.0"
"#;

    #[test]
    fn reads_packages_sources_and_lines() {
        let lock = parse(V4, "Cargo.lock").unwrap();
        assert_eq!(lock.format, 4);
        assert_eq!(lock.packages.len(), 3);
        let w = &lock.packages[0];
        assert_eq!((w.name.as_str(), w.line), ("wasmtime", 5));
        assert!(w.source.is_crates_io());
        assert_eq!(w.dependencies, ["cranelift-codegen"]);
        assert_eq!(
            lock.packages[1].source,
            Source::Git {
                url: "https://github.com/example/wasmtime?branch=fix".into(),
                rev: Some("0123abcd".into())
            }
        );
        assert_eq!(lock.packages[2].source, Source::Path);
    }

    #[test]
    fn detects_formats_without_version_key() {
        let v2 = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n";
        assert_eq!(parse(v2, "x").unwrap().format, 2);
        let v1 = format!("{v2}\n[metadata]\n\"checksum a 1.0.0\" = \"00\"\n");
        assert_eq!(parse(&v1, "x").unwrap().format, 1);
    }

    #[test]
    fn sparse_crates_io_is_crates_io() {
        let s = Source::parse(Some("sparse+https://index.crates.io/"));
        assert!(s.is_crates_io());
        assert_eq!(s.display_url(), None);
        let mirror = Source::parse(Some("sparse+https://mirror.example/index/"));
        assert!(!mirror.is_crates_io());
        assert_eq!(
            mirror.to_string(),
            "registry sparse+https://mirror.example/index/"
        );
    }

    #[test]
    fn names_cargo_accepts_are_accepted() {
        for name in ["wasmtime", "crate_2-x", "héllo-wörld", "日本語", "ñ_crate"] {
            let text =
                format!("version = 4\n\n[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\n");
            let lock = parse(&text, "Cargo.lock").unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(lock.packages[0].name, name);
        }
        for name in ["wasm time", "a\\u001bb", "a/b", "a.b", "😀"] {
            let text =
                format!("version = 4\n\n[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\n");
            assert!(parse(&text, "Cargo.lock").is_err(), "{name}");
        }
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let e = parse("version = 99\n", "x/Cargo.lock").unwrap_err();
        assert!(
            e.message()
                .starts_with("x/Cargo.lock:1: unsupported lockfile format version 99")
        );
        let e = parse("[[package]]\nname = \"a\"\nversion = \"1.x\"\n", "L").unwrap_err();
        assert!(
            e.message()
                .starts_with("L:3: package `a` has an invalid version"),
            "{e}"
        );
        let e = parse("[[package]]\nname = \"a\"\n", "L").unwrap_err();
        assert!(e.message().contains("missing field `version`"), "{e}");
        let dup = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n";
        assert_eq!(
            parse(dup, "L").unwrap_err().message(),
            "L:5: duplicate package entry `a 1.0.0` (path)"
        );
        let e = parse("version = 4\n", "L").unwrap_err();
        assert!(e.message().contains("no [[package]] entries"), "{e}");
        assert!(
            parse("not toml at all", "L")
                .unwrap_err()
                .message()
                .starts_with("L:1: not a valid Cargo.lock")
        );
    }
}
