//! What makes `upgrade` all or nothing across interruption. Before a file is
//! written, a journal beside the workspace root records every file the
//! upgrade may touch with its bytes as they were; it is removed once the
//! upgrade is complete or undone. While it runs, SIGINT and SIGTERM only
//! raise a flag: the upgrade stops at the next step and puts every byte
//! back. After a SIGKILL (or a power cut) the journal is still there, and
//! the next `upgrade` rolls the interrupted one back, temporary files
//! included, before doing anything else.

use crate::error::{Context, Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub const FILE_NAME: &str = ".cargo-wasmtime-support-upgrade.journal";
/// The prefix of every temporary file the tool creates beside a target.
pub const TEMP_PREFIX: &str = ".cargo-wasmtime-support-";
/// Manifests and a lockfile: a few megabytes at most.
const MAX_JOURNAL: u64 = 256 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Entry {
    path: PathBuf,
    shown: String,
    /// The bytes before the upgrade, base64.
    old: String,
}

#[derive(Serialize, Deserialize)]
struct Record {
    tool: String,
    entries: Vec<Entry>,
}

/// An upgrade in progress.
pub struct Journal {
    path: PathBuf,
    interrupted: Arc<AtomicBool>,
    #[cfg(unix)]
    handlers: Vec<signal_hook::SigId>,
}

impl Journal {
    /// Records `files` (path, shown, bytes before) and starts catching
    /// SIGINT and SIGTERM.
    pub fn begin(root: &Path, files: &[(PathBuf, String, Vec<u8>)]) -> Result<Journal> {
        use base64::Engine;
        let path = root.join(FILE_NAME);
        let shown = path.display().to_string();
        let record = Record {
            tool: concat!("cargo-wasmtime-support ", env!("CARGO_PKG_VERSION")).into(),
            entries: files
                .iter()
                .map(|(path, shown, old)| Entry {
                    path: path.clone(),
                    shown: shown.clone(),
                    old: base64::engine::general_purpose::STANDARD.encode(old),
                })
                .collect(),
        };
        let text = serde_json::to_vec(&record).context(&shown)?;
        let fail = |e: std::io::Error| Error::in_file(&shown, format!("cannot write: {e}"));
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(".tmp")
            .tempfile_in(root)
            .map_err(fail)?;
        tmp.write_all(&text).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        // A rename replaces whatever has the name, a planted link included.
        tmp.persist(&path).map_err(|e| fail(e.error))?;
        let interrupted = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        let handlers = [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM]
            .iter()
            .filter_map(|&s| signal_hook::flag::register(s, interrupted.clone()).ok())
            .collect();
        Ok(Journal {
            path,
            interrupted,
            #[cfg(unix)]
            handlers,
        })
    }

    /// Whether SIGINT or SIGTERM arrived since [`Journal::begin`].
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// The upgrade is complete or undone: the journal goes, and signals
    /// act as usual again.
    pub fn end(self) {
        let _ = std::fs::remove_file(&self.path);
        #[cfg(unix)]
        for id in &self.handlers {
            signal_hook::low_level::unregister(*id);
        }
    }
}

/// Rolls back an upgrade a journal in `root` says was interrupted: every
/// file back to its bytes before, the temporary files beside them removed,
/// the journal removed. `Ok(None)` when there is none. Only files in
/// `allowed` (the workspace's manifests and lockfile) are ever written: a
/// journal is a file in the work tree, and a repository could carry one.
pub fn recover(root: &Path, allowed: &[PathBuf]) -> Result<Option<String>> {
    use base64::Engine;
    let path = root.join(FILE_NAME);
    let shown = path.display().to_string();
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Ok(None);
    };
    if !meta.is_file() || meta.len() > MAX_JOURNAL {
        return Err(Error::in_file(
            &shown,
            "not a journal this tool wrote (not a regular file); remove it by hand",
        ));
    }
    let text = std::fs::read(&path).with_context(|| format!("{shown}: cannot read"))?;
    let record: Record = serde_json::from_slice(&text).map_err(|e| {
        Error::in_file(
            &shown,
            format!("not a journal this tool can read ({e}); remove it by hand"),
        )
    })?;
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let allowed: Vec<PathBuf> = allowed.iter().map(|p| real(p)).collect();
    if let Some(e) = record
        .entries
        .iter()
        .find(|e| !allowed.contains(&real(&e.path)))
    {
        return Err(Error::in_file(
            &shown,
            format!(
                "names {}, which is no file of this workspace an upgrade writes: not a journal of this tool's; remove it by hand",
                crate::text::sanitize(&e.path.display().to_string())
            ),
        ));
    }
    let mut restored = Vec::new();
    for e in &record.entries {
        let old = base64::engine::general_purpose::STANDARD
            .decode(&e.old)
            .map_err(|_| Error::in_file(&shown, "a damaged entry; remove it by hand"))?;
        let now = std::fs::read(&e.path).ok();
        if now.as_deref() != Some(old.as_slice()) {
            write_back(&e.path, &e.shown, &old)?;
            restored.push(crate::text::sanitize(&e.shown));
        }
    }
    let mut dirs: Vec<&Path> = record
        .entries
        .iter()
        .filter_map(|e| e.path.parent())
        .chain([root])
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        remove_temporaries(dir);
    }
    std::fs::remove_file(&path).with_context(|| format!("{shown}: cannot remove"))?;
    Ok(Some(if restored.is_empty() {
        "an interrupted upgrade had written nothing yet; its journal was removed".to_string()
    } else {
        format!(
            "an interrupted upgrade was rolled back: restored {} byte for byte",
            restored.join(", ")
        )
    }))
}

/// Whether `root` holds the journal of an interrupted upgrade.
pub fn pending(root: &Path) -> bool {
    std::fs::symlink_metadata(root.join(FILE_NAME)).is_ok()
}

fn write_back(path: &Path, shown: &str, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| Error::in_file(shown, format!("cannot restore: {e}"));
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The tool's temporary files left in `dir` by a process that was killed.
fn remove_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(".tmp") {
            // A link is removed, never followed.
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_left_behind_rolls_the_upgrade_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("Cargo.toml");
        let b = dir.path().join("Cargo.lock");
        std::fs::write(&a, "before a").unwrap();
        std::fs::write(&b, "before b").unwrap();
        let j = Journal::begin(
            dir.path(),
            &[
                (a.clone(), "Cargo.toml".into(), b"before a".to_vec()),
                (b.clone(), "Cargo.lock".into(), b"before b".to_vec()),
            ],
        )
        .unwrap();
        // Killed half-way: one file written, a temporary file left.
        std::fs::write(&a, "after a").unwrap();
        std::fs::write(dir.path().join(".cargo-wasmtime-support-x1.tmp"), "x").unwrap();
        std::mem::forget(j);
        assert!(pending(dir.path()));
        let allowed = [a.clone(), b.clone()];
        // A journal naming a file outside the workspace's own is refused.
        assert!(recover(dir.path(), std::slice::from_ref(&a)).is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "after a");
        let said = recover(dir.path(), &allowed).unwrap().unwrap();
        assert!(said.contains("restored Cargo.toml byte for byte"), "{said}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "before a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "before b");
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(recover(dir.path(), &allowed).unwrap().is_none());
    }

    #[test]
    fn a_damaged_journal_is_named_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "{").unwrap();
        let e = recover(dir.path(), &[]).unwrap_err();
        assert!(e.to_string().contains("remove it by hand"), "{e}");
    }
}
