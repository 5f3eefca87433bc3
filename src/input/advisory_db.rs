//! A local RustSec advisory database (a clone of `rustsec/advisory-db`, as
//! cargo-audit and cargo-deny keep one): only the family crates' advisories
//! are read (`crates/<name>/*.md`: a TOML front block with `[advisory]` and
//! `[versions]`, then a `# ` title). Malformed files are skipped with a note.

use crate::model::data::Advisory;
use chrono::{DateTime, NaiveDate, Utc};
use semver::VersionReq;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One advisory file is a few kilobytes; anything larger is not one.
const MAX_ADVISORY_FILE: u64 = 256 * 1024;

#[derive(Debug, Clone)]
pub struct AdvisoryDb {
    pub path: PathBuf,
    /// When the database was last fetched (or, failing that, its newest advisory).
    pub date: NaiveDate,
    pub advisories: Vec<Advisory>,
    /// Files that were skipped, with the reason.
    pub notes: Vec<String>,
}

/// The database to read: `explicit` (flag or config) when given, else
/// cargo-audit's `$CARGO_HOME/advisory-db`, else the newest clone under
/// cargo-deny's `$CARGO_HOME/advisory-dbs/`.
pub fn locate(explicit: Option<&Path>, cargo_home: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let home = cargo_home?;
    let audit = home.join("advisory-db");
    if audit.join("crates").is_dir() {
        return Some(audit);
    }
    let deny = std::fs::read_dir(home.join("advisory-dbs")).ok()?;
    deny.filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("crates").is_dir())
        .max_by_key(|p| fetched_at(p))
}

/// Reads the advisories of `crates` from the database at `path`. `Err` when
/// the path is not an advisory database at all.
pub fn read(path: &Path, crates: &[&str]) -> Result<AdvisoryDb, String> {
    let dir = path.join("crates");
    if !dir.is_dir() {
        return Err(format!(
            "{}: not a RustSec advisory database (no `crates` directory)",
            path.display()
        ));
    }
    let mut advisories = Vec::new();
    let mut notes = Vec::new();
    for name in crates {
        let Ok(entries) = std::fs::read_dir(dir.join(name)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        files.sort();
        for file in files {
            match read_file(&file, name) {
                Ok(Some(a)) => advisories.push(a),
                Ok(None) => {}
                Err(why) => notes.push(format!("{}: {why}; skipped", file.display())),
            }
        }
    }
    let newest_advisory = advisories.iter().filter_map(|a| a.date).max();
    let Some(date) = fetched_at(path).map(|t| t.date_naive()).or(newest_advisory) else {
        return Err(format!(
            "{}: no advisory of the Wasmtime family and no fetch date: not used",
            path.display()
        ));
    };
    Ok(AdvisoryDb {
        path: path.to_path_buf(),
        date,
        advisories,
        notes,
    })
}

/// When the clone was last fetched: git's `FETCH_HEAD` (or `HEAD`) time.
fn fetched_at(path: &Path) -> Option<DateTime<Utc>> {
    ["FETCH_HEAD", "HEAD"]
        .iter()
        .filter_map(|f| std::fs::metadata(path.join(".git").join(f)).ok())
        .filter_map(|m| m.modified().ok())
        .max()
        .map(DateTime::<Utc>::from)
}

fn read_file(file: &Path, crate_name: &str) -> Result<Option<Advisory>, String> {
    let meta = std::fs::metadata(file).map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() || meta.len() > MAX_ADVISORY_FILE {
        return Err("not a regular advisory file".into());
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read it: {e}"))?;
    parse(&text, crate_name)
}

#[derive(Deserialize)]
struct Front {
    advisory: FrontAdvisory,
    #[serde(default)]
    versions: FrontVersions,
}

#[derive(Deserialize)]
struct FrontAdvisory {
    id: String,
    package: String,
    /// RustSec writes dates as strings (`"2024-03-11"`).
    date: Option<toml::Value>,
    url: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    informational: Option<String>,
    withdrawn: Option<toml::Value>,
}

#[derive(Deserialize, Default)]
struct FrontVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Parses one advisory file; `Ok(None)` when it is about another crate.
pub fn parse(text: &str, crate_name: &str) -> Result<Option<Advisory>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let rest = text
        .strip_prefix("```toml")
        .ok_or("no ```toml front block")?;
    let end = rest
        .find("\n```")
        .ok_or("the ```toml front block is not closed")?;
    let front: Front = toml::from_str(&rest[..end]).map_err(|e| {
        let msg = e.to_string();
        format!("invalid front block: {}", msg.lines().next().unwrap_or(""))
    })?;
    let a = front.advisory;
    if a.package != crate_name {
        return Ok(None);
    }
    if let Some(bad) = std::iter::once(&a.id)
        .chain(&a.aliases)
        .find(|i| !crate::input::osv::valid_id(i))
    {
        return Err(format!(
            "{:?} is not an advisory id",
            crate::text::sanitize(bad)
        ));
    }
    let title = rest[end + 4..]
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or("no `# ` title")?
        .to_string();
    let reqs = |list: &[String]| -> Result<Vec<VersionReq>, String> {
        list.iter()
            .map(|r| VersionReq::parse(r).map_err(|e| format!("version range {r:?}: {e}")))
            .collect()
    };
    let ghsa = a.aliases.iter().find(|x| x.starts_with("GHSA-")).cloned();
    let (id, rustsec) = if a.id.starts_with("RUSTSEC-") {
        (ghsa.unwrap_or_else(|| a.id.clone()), vec![a.id.clone()])
    } else {
        (a.id.clone(), Vec::new())
    };
    let day = |v: &toml::Value| match v {
        toml::Value::String(s) => s.get(..10).and_then(|d| d.parse::<NaiveDate>().ok()),
        toml::Value::Datetime(d) => d.to_string().get(..10).and_then(|d| d.parse().ok()),
        _ => None,
    };
    let date = a.date.as_ref().and_then(day);
    Ok(Some(Advisory {
        id,
        rustsec,
        aliases: a.aliases,
        crate_name: a.package,
        date,
        title,
        url: a.url,
        patched: reqs(&front.versions.patched)?,
        unaffected: reqs(&front.versions.unaffected)?,
        informational: a.informational,
        withdrawn: a.withdrawn.map(|w| match w {
            toml::Value::String(s) => s,
            toml::Value::Datetime(d) => d.to_string(),
            _ => "withdrawn".to_string(),
        }),
        source: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "wasmtime"
date = "2099-01-02"
url = "https://example.invalid/advisory"
aliases = ["CVE-2099-1", "GHSA-aaaa-bbbb-cccc"]

[versions]
patched = [">= 48.0.9, < 49.0.0", ">= 50.0.2"]
```

# Something bad in wasmtime

Details.
"#;

    #[test]
    fn reads_a_rustsec_file() {
        let a = parse(SAMPLE, "wasmtime").unwrap().unwrap();
        assert_eq!(a.id, "GHSA-aaaa-bbbb-cccc");
        assert_eq!(a.rustsec, ["RUSTSEC-2099-0001"]);
        assert_eq!(a.title, "Something bad in wasmtime");
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2099, 1, 2));
        assert!(a.affects(&"48.0.8".parse().unwrap()));
        assert!(!a.affects(&"48.0.9".parse().unwrap()));
        assert!(a.affects(&"49.0.5".parse().unwrap()));
        assert!(parse(SAMPLE, "cranelift-codegen").unwrap().is_none());
    }

    #[test]
    fn an_id_that_is_no_id_is_refused_and_shown_escaped() {
        let evil = SAMPLE.replace("RUSTSEC-2099-0001", "EVIL-\\u001b[2J\\u001b]0;PWNED\\u0007");
        let e = parse(&evil, "wasmtime").unwrap_err();
        assert!(e.contains("not an advisory id"), "{e}");
        assert!(!e.contains('\x1b') && !e.contains('\x07'), "{e:?}");
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(parse("# just a title", "wasmtime").is_err());
        assert!(parse("```toml\n[advisory]\nid = 1\n```\n# t", "wasmtime").is_err());
        assert!(parse(&SAMPLE.replace(">= 50.0.2", "not a range"), "wasmtime").is_err());
        assert!(parse(&SAMPLE.replace("# Something", "Something"), "wasmtime").is_err());
    }
}
