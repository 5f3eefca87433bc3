//! The tool's own caches of registry facts: `index.json`, written by
//! `refresh`, and `cargo-index.json`, a digest of what cargo itself already
//! downloaded. Both hold, per family crate, only what the audit uses (how many
//! versions, the newest, the yanked ones, and for `wasmtime` every release with
//! its date and rust-version), so loading them costs microseconds. Audits read
//! them offline; a missing, partial or corrupt cache never stops an audit.

use crate::error::{Context, Error, Result};
use crate::model::family::{Family, Placement};
use crate::model::published::Published;
use chrono::{DateTime, Utc};
use semver::Version;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "index.json";
pub const CARGO_DIGEST_FILE: &str = "cargo-index.json";
pub const DIR_ENV: &str = "CARGO_WASMTIME_SUPPORT_CACHE_DIR";
/// A cache is a few tens of kilobytes; refuse to read anything absurd.
const MAX_CACHE_FILE: u64 = 64 * 1024 * 1024;
const SCHEMA: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cache {
    pub schema: u32,
    pub fetched_at: DateTime<Utc>,
    /// The index the facts came from (never with credentials), or cargo's cache directory.
    pub index_url: String,
    pub crates: BTreeMap<String, CrateFacts>,
}

/// What the registry says about one crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateFacts {
    /// Versions published, yanked or not.
    pub count: usize,
    /// The highest version that is not a pre-release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub yanked: Vec<String>,
    /// Versions with their details: every `wasmtime` release (the release
    /// facts), and of the other crates those the embedded data does not know
    /// (see [`Cache::trim`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<IndexVersion>,
    /// HTTP validators of the index file, for conditional requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Size and modification time of cargo's cache file this was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<Stamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub len: u64,
    pub mtime_ns: i128,
}

/// The fields of a sparse-index entry the tool uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexVersion {
    pub vers: String,
    #[serde(default)]
    pub yanked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubtime: Option<DateTime<Utc>>,
    /// Its normal and build dependencies (only the family's are kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deps: Vec<IndexDep>,
    /// The optional dependencies its default features turn on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_deps: Vec<String>,
    /// The SHA-256 of the `.crate` file, while a refresh may download it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cksum: Option<String>,
}

/// The optional dependencies (by the name the dependent gives them) that
/// the `default` feature turns on, following features that enable features
/// (`dep:x`, `x`, `x/feature`; `x?/feature` enables nothing).
pub fn default_deps<'a>(
    features: impl Fn(&str) -> Option<&'a [String]>,
    optional: &[&str],
) -> Vec<String> {
    let mut on: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut todo = vec!["default".to_string()];
    while let Some(f) = todo.pop() {
        if seen.contains(&f) {
            continue;
        }
        seen.push(f.clone());
        for item in features(&f).unwrap_or_default() {
            let (dep, implied) = match item.split_once('/') {
                Some((d, _)) if d.ends_with('?') => continue,
                Some((d, _)) => (d, true),
                None => match item.strip_prefix("dep:") {
                    Some(d) => (d, true),
                    None => (item.as_str(), false),
                },
            };
            if optional.contains(&dep) && !on.iter().any(|o| o == dep) {
                on.push(dep.to_string());
            }
            // A bare name is a feature too (an optional dependency's
            // implicit one is harmless to follow).
            if !implied {
                todo.push(dep.to_string());
            }
        }
    }
    on
}

/// A dependency as the index states it; `package` is the real name when the
/// dependency is renamed (`wasmtime-environ = { package = "..." }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDep {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    pub req: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl IndexDep {
    /// The crate depended on, whatever the dependent calls it.
    pub fn crate_name(&self) -> &str {
        self.package.as_deref().unwrap_or(&self.name)
    }
}

impl Cache {
    pub fn new(index_url: &str, fetched_at: DateTime<Utc>) -> Cache {
        Cache {
            schema: SCHEMA,
            fetched_at,
            index_url: index_url.to_string(),
            crates: BTreeMap::new(),
        }
    }

    /// How many `wasmtime` releases and crates this cache knows: a refresh
    /// must never replace a cache with one that knows less.
    pub fn extent(&self) -> (usize, usize) {
        let releases = self.crates.get("wasmtime").map_or(0, |c| c.versions.len());
        (releases, self.crates.len())
    }
}

impl CrateFacts {
    /// The facts of crate `name` from all of its index entries.
    pub fn from_versions(_name: &str, mut versions: Vec<IndexVersion>) -> CrateFacts {
        // A version listed twice is one version (the first line of it counts).
        let mut seen = std::collections::HashSet::new();
        versions.retain(|v| seen.insert(v.vers.clone()));
        let newest = versions
            .iter()
            .filter_map(|v| Version::parse(&v.vers).ok())
            .filter(|v| v.pre.is_empty())
            .max_by(|a, b| a.cmp_precedence(b))
            .map(|v| v.to_string());
        CrateFacts {
            count: versions.len(),
            newest,
            yanked: versions
                .iter()
                .filter(|v| v.yanked)
                .map(|v| v.vers.clone())
                .collect(),
            versions,
            ..CrateFacts::default()
        }
    }
}

impl Cache {
    /// Keeps what the audit needs and the embedded data lacks: family
    /// dependencies only (dev-dependencies never constrain a dependent), and
    /// details only of versions the embedded facts do not already know as
    /// they are, except `wasmtime`'s list of releases, kept whole without
    /// dependencies. A cache stays a few kilobytes, so an audit loads it in
    /// microseconds.
    pub fn trim(&mut self, published: &Published, family: &Family) {
        for (name, facts) in &mut self.crates {
            let whole = name == "wasmtime";
            facts.versions.retain_mut(|v| {
                v.deps.retain(|d| {
                    d.kind.as_deref() != Some("dev") && family.is_member(d.crate_name())
                });
                v.default_deps.retain(|d| family.is_member(d));
                // Known as it is, or of no major (before Wasmtime 1.0): of no use.
                let known = Version::parse(&v.vers).is_ok_and(|parsed| {
                    published.knows(name, &parsed, v.yanked)
                        || !matches!(
                            family.place(name, &parsed),
                            Some(Placement::Major(1..) | Placement::Pulley24Or25)
                        )
                });
                if known && whole {
                    v.deps.clear();
                    v.default_deps.clear();
                }
                v.cksum = None;
                whole || !known
            });
        }
    }
}

#[cfg(any(feature = "network", test))]
#[derive(Deserialize)]
struct IndexLine {
    name: String,
    #[serde(flatten)]
    version: IndexVersion,
    #[serde(default)]
    features: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    features2: BTreeMap<String, Vec<String>>,
}

/// Parses a sparse-index file (one JSON object per line) for crate `name`.
#[cfg(any(feature = "network", test))]
pub fn parse_index_file(text: &str, name: &str) -> Result<Vec<IndexVersion>> {
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let entry: IndexLine = serde_json::from_str(line).map_err(|e| {
            Error::new(format!(
                "index entry on line {} of `{name}` is not valid: {e}",
                i + 1
            ))
        })?;
        if !entry.name.eq_ignore_ascii_case(name) {
            return Err(Error::new(format!(
                "index file for `{name}` holds an entry for `{}`",
                entry.name
            )));
        }
        let mut version = entry.version;
        let optional: Vec<&str> = version
            .deps
            .iter()
            .filter(|d| d.optional)
            .map(|d| d.name.as_str())
            .collect();
        let lookup = |f: &str| {
            entry
                .features
                .get(f)
                .or_else(|| entry.features2.get(f))
                .map(Vec::as_slice)
        };
        let on = default_deps(lookup, &optional);
        // By the crate's real name, whatever the dependent calls it.
        version.default_deps = version
            .deps
            .iter()
            .filter(|d| on.contains(&d.name))
            .map(|d| d.crate_name().to_string())
            .collect();
        version.default_deps.dedup();
        out.push(version);
    }
    Ok(out)
}

/// Where the cache lives: `--cache-dir`, else `$CARGO_WASMTIME_SUPPORT_CACHE_DIR`,
/// else `$CARGO_HOME/wasmtime-support`, else `~/.cargo/wasmtime-support`.
pub fn dir(
    flag: Option<&Path>,
    env_dir: Option<&Path>,
    cargo_home: Option<&Path>,
    home: Option<&Path>,
) -> Option<PathBuf> {
    flag.or(env_dir)
        .map(Path::to_path_buf)
        .or_else(|| cargo_home.map(|c| c.join("wasmtime-support")))
        .or_else(|| home.map(|h| h.join(".cargo").join("wasmtime-support")))
}

pub enum Loaded {
    Missing,
    Cache(Cache),
    /// Unreadable or corrupt: the reason, for a warning.
    Ignored(String),
}

pub fn load(path: &Path) -> Loaded {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return Loaded::Ignored(format!("cannot read it: {e}")),
    };
    if !meta.is_file() {
        return Loaded::Ignored("not a regular file".into());
    }
    if meta.len() > MAX_CACHE_FILE {
        return Loaded::Ignored(format!("larger than {MAX_CACHE_FILE} bytes"));
    }
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) => return Loaded::Ignored(format!("cannot read it: {e}")),
    };
    #[derive(Deserialize)]
    struct Schema {
        schema: u32,
    }
    match serde_json::from_slice::<Schema>(&text) {
        Ok(s) if s.schema != SCHEMA => {
            return Loaded::Ignored(format!(
                "it was written by another version of the tool (schema {})",
                s.schema
            ));
        }
        _ => {}
    }
    match serde_json::from_slice::<Cache>(&text) {
        Ok(c) => Loaded::Cache(c),
        Err(e) => Loaded::Ignored(format!("it is corrupt ({e})")),
    }
}

/// Writes the cache atomically: a reader sees the old file or the new one.
/// The temporary file is unique to this process, so concurrent writers never
/// share it.
pub fn store(path: &Path, cache: &Cache) -> Result<()> {
    store_json(path, cache, ".index-")
}

/// Writes `value` as JSON to `path` whole or not at all: through a
/// temporary file (named with `prefix`) beside it, renamed over it.
pub fn store_json(path: &Path, value: &impl Serialize, prefix: &str) -> Result<()> {
    let shown = path.display().to_string();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{shown}: cannot create its directory"))?;
    let text = serde_json::to_vec(value).context(&shown)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("{shown}: cannot write the cache"))?;
    tmp.write_all(&text)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("{shown}: cannot write the cache"))?;
    tmp.persist(path)
        .map_err(|e| Error::in_file(&shown, format!("cannot write the cache: {}", e.error)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_index_lines() {
        let text = r#"{"name":"wasmtime","vers":"48.0.8","deps":[],"cksum":"00","features":{},"yanked":false,"rust_version":"1.95.0","pubtime":"2026-10-29T18:34:30Z","v":2}
{"name":"wasmtime","vers":"0.0.0","deps":[],"cksum":"00","features":{},"yanked":true}
"#;
        let v = parse_index_file(text, "wasmtime").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].rust_version.as_deref(), Some("1.95.0"));
        assert_eq!(v[0].pubtime.unwrap().date_naive().to_string(), "2026-10-29");
        assert!(v[1].yanked && v[1].pubtime.is_none());
        assert!(parse_index_file("{not json", "wasmtime").is_err());
        assert!(
            parse_index_file(text, "cranelift-codegen")
                .unwrap_err()
                .to_string()
                .contains("holds an entry for `wasmtime`")
        );
        let facts = CrateFacts::from_versions("wasmtime", v);
        assert_eq!(facts.count, 2);
        assert_eq!(facts.newest.as_deref(), Some("48.0.8"));
        assert_eq!(facts.yanked, ["0.0.0"]);
        assert_eq!(facts.versions.len(), 2);
    }

    #[test]
    fn every_crate_keeps_its_versions_until_trimmed() {
        let text = r#"{"name":"cranelift-codegen","vers":"0.135.0"}
{"name":"cranelift-codegen","vers":"0.136.0-rc.1"}
{"name":"cranelift-codegen","vers":"0.134.1+build","yanked":true}
{"name":"cranelift-codegen","vers":"0.14.0"}"#;
        let facts = CrateFacts::from_versions(
            "cranelift-codegen",
            parse_index_file(text, "cranelift-codegen").unwrap(),
        );
        assert_eq!(facts.count, 4);
        assert_eq!(facts.newest.as_deref(), Some("0.135.0"));
        assert_eq!(facts.yanked, ["0.134.1+build"]);
        assert_eq!(facts.versions.len(), 4);
        // What the embedded facts know as it is stays out of a stored cache.
        let data = crate::model::data::Data::embedded().unwrap();
        let known = data.published.major(48).versions("cranelift-codegen")[0].clone();
        let mut cache = Cache::new(
            "https://index.example/",
            "2026-12-05T00:00:00Z".parse().unwrap(),
        );
        let mut facts = facts;
        facts.versions.push(IndexVersion {
            vers: known.version.to_string(),
            yanked: known.yanked,
            rust_version: None,
            pubtime: None,
            deps: Vec::new(),
            default_deps: Vec::new(),
            cksum: None,
        });
        cache.crates.insert("cranelift-codegen".into(), facts);
        cache.trim(&data.published, &data.family);
        let kept: Vec<&str> = cache.crates["cranelift-codegen"]
            .versions
            .iter()
            .map(|v| v.vers.as_str())
            .collect();
        assert!(
            !kept.contains(&known.version.to_string().as_str()),
            "{kept:?}"
        );
        assert!(kept.contains(&"0.134.1+build"), "{kept:?}");
        // Of no major (before Wasmtime 1.0): no use to any audit.
        assert!(!kept.contains(&"0.14.0"), "{kept:?}");
    }

    #[test]
    fn location_precedence() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            dir(
                Some(&p("/f")),
                Some(&p("/e")),
                Some(&p("/c")),
                Some(&p("/h"))
            ),
            Some(p("/f"))
        );
        assert_eq!(
            dir(None, Some(&p("/e")), Some(&p("/c")), None),
            Some(p("/e"))
        );
        assert_eq!(
            dir(None, None, Some(&p("/c")), Some(&p("/h"))),
            Some(p("/c/wasmtime-support"))
        );
        assert_eq!(
            dir(None, None, None, Some(&p("/h"))),
            Some(p("/h/.cargo/wasmtime-support"))
        );
        assert_eq!(dir(None, None, None, None), None);
    }

    #[test]
    fn store_then_load_and_tolerate_corruption() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("sub").join(FILE_NAME);
        assert!(matches!(load(&path), Loaded::Missing));
        let mut c = Cache::new(
            "https://index.crates.io/",
            "2026-11-21T05:00:00Z".parse().unwrap(),
        );
        c.crates.insert(
            "wasmtime".into(),
            CrateFacts::from_versions(
                "wasmtime",
                parse_index_file(r#"{"name":"wasmtime","vers":"50.0.1"}"#, "wasmtime").unwrap(),
            ),
        );
        store(&path, &c).unwrap();
        assert!(matches!(load(&path), Loaded::Cache(ref l) if *l == c));
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE_NAME]);
        std::fs::write(&path, "{\"schema\": 2, \"fetched_at\": ").unwrap();
        assert!(matches!(load(&path), Loaded::Ignored(ref why) if why.contains("corrupt")));
        std::fs::write(&path, "{\"schema\": 1}").unwrap();
        assert!(matches!(load(&path), Loaded::Ignored(ref why) if why.contains("schema 1")));
    }
}
