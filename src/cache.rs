//! The registry cache written by `refresh`: the family crates' version lists
//! from the crates.io sparse index (versions, yanked flags, rust-version,
//! publish time). Audits read it offline; a missing, partial or corrupt cache
//! never stops an audit.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "index.json";
pub const DIR_ENV: &str = "CARGO_WASMTIME_SUPPORT_CACHE_DIR";
const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cache {
    pub schema: u32,
    pub fetched_at: DateTime<Utc>,
    pub index_url: String,
    /// Per crate, every published version.
    pub crates: BTreeMap<String, Vec<IndexVersion>>,
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
}

#[derive(Deserialize)]
struct IndexLine {
    name: String,
    #[serde(flatten)]
    version: IndexVersion,
}

/// Parses a sparse-index file (one JSON object per line) for crate `name`.
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
        out.push(entry.version);
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
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return Loaded::Ignored(format!("cannot read it: {e}")),
    };
    match serde_json::from_str::<Cache>(&text) {
        Ok(c) if c.schema == SCHEMA => Loaded::Cache(c),
        Ok(c) => Loaded::Ignored(format!("unknown cache schema {}", c.schema)),
        Err(e) => Loaded::Ignored(format!("it is corrupt ({e})")),
    }
}

/// Writes the cache atomically: a reader sees the old file or the new one.
pub fn store(path: &Path, cache: &Cache) -> Result<()> {
    let shown = path.display().to_string();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::in_file(&shown, format!("cannot create its directory: {e}")))?;
    }
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string(cache).map_err(|e| Error::in_file(&shown, e))?;
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| Error::in_file(&shown, format!("cannot write the cache: {e}")))
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
            parse_index_file(r#"{"name":"wasmtime","vers":"50.0.1"}"#, "wasmtime").unwrap(),
        );
        store(&path, &c).unwrap();
        assert!(matches!(load(&path), Loaded::Cache(ref l) if *l == c));
        std::fs::write(&path, "{\"schema\": 1, \"fetched_at\": ").unwrap();
        assert!(matches!(load(&path), Loaded::Ignored(ref why) if why.contains("corrupt")));
    }
}
