//! What cargo itself already downloaded: whenever cargo resolves (`cargo
//! update`, `cargo add`, a build), it stores the sparse-index entries of each
//! crate under `$CARGO_HOME/registry/index/<index dir>/.cache/`. The family
//! crates' entries are read from there with `tame-index` (the cargo-deny
//! authors' reader of cargo's format, which also finds the index directory
//! under both of cargo's hashing schemes and honours source replacement),
//! under cargo's package lock. Absent or unreadable entries are never an
//! error: a note at most.
//!
//! Reading cargo's files costs milliseconds, so the facts are kept in a
//! digest (`cargo-index.json` in the tool's cache directory) stamped with
//! each file's size and modification time; an audit only stats the files and
//! reads again the ones that changed.

use crate::input::cache::{Cache, CrateFacts, IndexDep, IndexVersion, Stamp, default_deps};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use tame_index::index::cache::ValidCacheEntry;

/// A cache entry of the family is a few megabytes at most.
const MAX_ENTRY: u64 = 64 * 1024 * 1024;

/// The directories holding cargo's cache of the crates.io index (or of the
/// registry that replaces it), newest hashing scheme first, existing ones only.
pub fn cache_dirs(cargo_home: &Path, cwd: Option<&Path>) -> Vec<PathBuf> {
    let (Some(home), config_root) = (
        tame_index::PathBuf::from_path_buf(cargo_home.to_path_buf()).ok(),
        cwd.and_then(|c| tame_index::PathBuf::from_path_buf(c.to_path_buf()).ok()),
    ) else {
        return Vec::new();
    };
    // The cargo version only picks git or sparse when nothing is configured;
    // naming one avoids running `cargo -V`. Every supported cargo defaults to sparse.
    let url = match tame_index::IndexUrl::crates_io(config_root, Some(&home), Some("1.85.0")) {
        Ok(url) => url,
        Err(_) => tame_index::IndexUrl::CratesIoSparse,
    };
    if matches!(url, tame_index::IndexUrl::Local(_)) {
        return Vec::new();
    }
    let mut dirs = Vec::new();
    for stable in [true, false] {
        if let Ok((path, _)) =
            tame_index::utils::get_index_details(url.as_str(), Some(home.clone()), stable)
        {
            let cache = path.join(".cache").into_std_path_buf();
            if cache.is_dir() && !dirs.contains(&cache) {
                dirs.push(cache);
            }
        }
    }
    dirs
}

/// The newest cache file of `name` across `dirs`, with its stamp.
pub fn locate(dirs: &[PathBuf], name: &str) -> Option<(PathBuf, Stamp)> {
    let rel = crate::input::registry::index_path(name);
    dirs.iter()
        .filter_map(|d| {
            let p = d.join(&rel);
            let m = std::fs::metadata(&p).ok().filter(|m| m.is_file())?;
            Some((p, stamp(&m)?))
        })
        .max_by_key(|(_, s)| s.mtime_ns)
}

fn stamp(meta: &std::fs::Metadata) -> Option<Stamp> {
    let t = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(Stamp {
        len: meta.len(),
        mtime_ns: i128::try_from(t.as_nanos()).ok()?,
    })
}

/// Reads one cache file of cargo's into the facts of crate `name`.
pub fn read_entry(path: &Path, name: &str) -> Result<CrateFacts, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() || meta.len() > MAX_ENTRY {
        return Err("not a cache entry".into());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let entry = ValidCacheEntry::read(&bytes).map_err(|e| format!("not a cache entry: {e}"))?;
    let krate = entry
        .to_krate(None)
        .map_err(|e| format!("corrupt entry: {e}"))?
        .ok_or("an empty entry")?;
    let versions: Vec<IndexVersion> = krate
        .versions
        .iter()
        .filter(|v| v.name.eq_ignore_ascii_case(name))
        .map(|v| {
            let features: std::collections::BTreeMap<&str, &[String]> = v
                .features()
                .map(|(k, list)| (k.as_str(), list.as_slice()))
                .collect();
            let optional: Vec<&str> = v
                .deps
                .iter()
                .filter(|d| d.optional)
                .map(|d| d.name.as_str())
                .collect();
            let on = default_deps(|f| features.get(f).copied(), &optional);
            // By the crate's real name, whatever the dependent calls it.
            let mut real: Vec<String> = v
                .deps
                .iter()
                .filter(|d| on.iter().any(|o| o == d.name.as_str()))
                .map(|d| d.crate_name().to_string())
                .collect();
            real.dedup();
            (v, real)
        })
        .map(|(v, default_deps)| IndexVersion {
            default_deps,
            cksum: None,
            vers: v.version.to_string(),
            yanked: v.yanked,
            rust_version: v.rust_version.as_ref().map(|r| r.to_string()),
            pubtime: v
                .pubtime
                .as_ref()
                .and_then(|t| t.parse::<DateTime<Utc>>().ok()),
            deps: v
                .deps
                .iter()
                .filter(|d| d.kind != tame_index::krate::DependencyKind::Dev)
                .map(|d| IndexDep {
                    name: d.crate_name().to_string(),
                    package: None,
                    req: d.req.to_string(),
                    optional: d.optional,
                    kind: (d.kind == tame_index::krate::DependencyKind::Build)
                        .then(|| "build".to_string()),
                })
                .collect(),
        })
        .collect();
    if versions.is_empty() {
        return Err(format!("holds no version of `{name}`"));
    }
    let mut facts = CrateFacts::from_versions(name, versions);
    facts.stamp = stamp(&meta);
    Ok(facts)
}

/// The digest of cargo's cache for `names`: entries whose stamp matches
/// `previous` are taken from it, the others read again. Returns the digest
/// (`None` when cargo has none of the crates), whether it changed, and notes.
pub fn digest(
    dirs: &[PathBuf],
    names: &[&str],
    previous: Option<&Cache>,
) -> (Option<Cache>, bool, Vec<String>) {
    let mut notes = Vec::new();
    let location = dirs
        .first()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let mut out = Cache::new(&location, DateTime::<Utc>::from(UNIX_EPOCH));
    let mut changed = previous.is_none_or(|p| p.index_url != location);
    let mut lock: Option<tame_index::index::FileLock> = None;
    let mut newest_ns: i128 = 0;
    for name in names {
        let Some((path, stamp)) = locate(dirs, name) else {
            changed |= previous.is_some_and(|p| p.crates.contains_key(*name));
            continue;
        };
        newest_ns = newest_ns.max(stamp.mtime_ns);
        if let Some(old) = previous
            .and_then(|p| p.crates.get(*name))
            .filter(|o| o.stamp == Some(stamp))
        {
            out.crates.insert(name.to_string(), old.clone());
            continue;
        }
        changed = true;
        if lock.is_none() {
            lock = Some(package_lock(dirs));
        }
        match read_entry(&path, name) {
            Ok(facts) => {
                out.crates.insert(name.to_string(), facts);
            }
            Err(why) => notes.push(format!(
                "cargo's index cache {}: {why}; skipped",
                path.display()
            )),
        }
    }
    if out.crates.is_empty() {
        return (None, changed, notes);
    }
    out.fetched_at = DateTime::<Utc>::from(UNIX_EPOCH)
        + chrono::Duration::nanoseconds(i64::try_from(newest_ns).unwrap_or(i64::MAX));
    (Some(out), changed, notes)
}

/// Cargo's package-cache lock, shared, so cargo never writes an entry while it
/// is read; when cargo holds it (or it cannot be taken), read without it: a
/// torn entry fails its checks and is skipped.
fn package_lock(dirs: &[PathBuf]) -> tame_index::index::FileLock {
    let root = dirs
        .first()
        .and_then(|d| d.ancestors().nth(4))
        .and_then(|r| tame_index::PathBuf::from_path_buf(r.to_path_buf()).ok());
    tame_index::flock::LockOptions::cargo_package_lock(root)
        .and_then(|o| o.shared().try_lock())
        .unwrap_or_else(|_| tame_index::index::FileLock::unlocked())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a cache entry in cargo's format with tame-index's own writer.
    fn write_entry(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
        let krate: tame_index::IndexKrate =
            tame_index::IndexKrate::from_slice(lines.join("\n").as_bytes()).unwrap();
        let path = dir.join(crate::input::registry::index_path(name));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut f = std::fs::File::create(&path).unwrap();
        use tame_index::index::cache::{CacheWrite, HttpRevision, Revision};
        CacheWrite::Krate(&krate)
            .write_cache_entry(&mut f, &Revision::Http(HttpRevision::Etag("\"x\"")))
            .unwrap();
        path
    }

    const WASMTIME: &[&str] = &[
        r#"{"name":"wasmtime","vers":"48.0.0","deps":[],"cksum":"0000000000000000000000000000000000000000000000000000000000000000","features":{},"yanked":false,"rust_version":"1.95.0","pubtime":"2026-08-20T10:00:00Z"}"#,
        r#"{"name":"wasmtime","vers":"48.0.99","deps":[],"cksum":"0000000000000000000000000000000000000000000000000000000000000000","features":{},"yanked":true,"pubtime":"2026-11-01T10:00:00Z"}"#,
    ];

    #[test]
    fn reads_cargo_format_and_reuses_unchanged_entries() {
        let d = tempfile::tempdir().unwrap();
        let path = write_entry(d.path(), "wasmtime", WASMTIME);
        let dirs = vec![d.path().to_path_buf()];
        let (cache, changed, notes) = digest(&dirs, &["wasmtime", "wiggle"], None);
        assert!(changed && notes.is_empty(), "{notes:?}");
        let cache = cache.unwrap();
        let w = &cache.crates["wasmtime"];
        assert_eq!(w.count, 2);
        assert_eq!(w.yanked, ["48.0.99"]);
        assert_eq!(
            w.versions[1].pubtime.unwrap().to_rfc3339(),
            "2026-11-01T10:00:00+00:00"
        );
        assert!(w.stamp.is_some());

        let (again, changed, _) = digest(&dirs, &["wasmtime", "wiggle"], Some(&cache));
        assert!(!changed);
        assert_eq!(again.unwrap(), cache);

        std::fs::write(&path, b"\x03garbage").unwrap();
        let (none, changed, notes) = digest(&dirs, &["wasmtime"], Some(&cache));
        assert!(changed && none.is_none());
        assert!(notes[0].contains("skipped"), "{notes:?}");
    }

    #[test]
    fn finds_both_index_directory_names() {
        let home = tempfile::tempdir().unwrap();
        assert!(cache_dirs(home.path(), None).is_empty());
        let index = home.path().join("registry").join("index");
        for dir in [
            "index.crates.io-1949cf8c6b5b557f",
            "index.crates.io-6f17d22bba15001f",
        ] {
            std::fs::create_dir_all(index.join(dir).join(".cache")).unwrap();
        }
        assert_eq!(cache_dirs(home.path(), None).len(), 2);
    }
}
