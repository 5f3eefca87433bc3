//! All-or-nothing file replacement for `upgrade`: every new text is first
//! written to a temporary file beside its target (same directory, so the
//! rename is atomic and on the same file system), then each is renamed over
//! its target; on any failure every file already replaced is put back byte for
//! byte. Targets are the canonical paths, so a symlinked manifest is written
//! through to the file it points at and the link stays a link.

use crate::error::{Context, Error, Result};
use std::io::Write;
use std::path::PathBuf;
use tempfile::NamedTempFile;

/// A file to replace: where, how it is shown, the bytes it had when planned
/// and the bytes it gets.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: PathBuf,
    pub shown: String,
    pub old: Vec<u8>,
    pub new: Vec<u8>,
}

/// A failed transaction: the error and what was put back (or could not be).
#[derive(Debug)]
pub struct Failure {
    pub error: Error,
    pub restored: Vec<String>,
    pub not_restored: Vec<String>,
}

impl Failure {
    /// The error with what happened to the files, in one line.
    pub fn message(&self) -> String {
        let mut text = self.error.to_string();
        if !self.restored.is_empty() {
            text.push_str(&format!(
                "; restored {} byte for byte",
                self.restored.join(", ")
            ));
        }
        if !self.not_restored.is_empty() {
            text.push_str(&format!(
                "; COULD NOT restore {}: check them by hand",
                self.not_restored.join(", ")
            ));
        }
        if self.restored.is_empty() && self.not_restored.is_empty() {
            text.push_str("; nothing was written");
        }
        text
    }
}

/// Checks every target before anything is written: still the planned bytes,
/// a regular file, writable.
pub fn check(changes: &mut [Change]) -> Result<()> {
    for c in changes.iter_mut() {
        let real = std::fs::canonicalize(&c.path)
            .with_context(|| format!("{}: cannot resolve", c.shown))?;
        let meta = std::fs::metadata(&real).with_context(|| format!("{}: cannot read", c.shown))?;
        if !meta.is_file() {
            return Err(Error::in_file(&c.shown, "not a regular file"));
        }
        if meta.permissions().readonly() {
            return Err(Error::in_file(
                &c.shown,
                "is read-only; nothing was written",
            ));
        }
        let now = std::fs::read(&real).with_context(|| format!("{}: cannot read", c.shown))?;
        if now != c.old {
            return Err(Error::in_file(
                &c.shown,
                "changed while the upgrade was planned; nothing was written: run it again",
            ));
        }
        c.path = real;
    }
    Ok(())
}

/// Replaces every file or none (as far as the file system allows: a failed
/// restore is reported, never hidden).
pub fn replace_all(changes: &[Change]) -> std::result::Result<(), Failure> {
    let mut staged = Vec::with_capacity(changes.len());
    for c in changes {
        match stage(c, &c.new) {
            Ok(t) => staged.push(t),
            Err(error) => {
                return Err(Failure {
                    error,
                    restored: Vec::new(),
                    not_restored: Vec::new(),
                });
            }
        }
    }
    let mut done: Vec<&Change> = Vec::new();
    for (c, temp) in changes.iter().zip(staged) {
        if let Err(e) = temp.persist(&c.path) {
            let error = Error::in_file(&c.shown, format!("cannot write: {}", e.error));
            return Err(restore(error, &done));
        }
        done.push(c);
    }
    Ok(())
}

/// Puts back the original bytes of `changes`.
pub fn restore(error: Error, changes: &[&Change]) -> Failure {
    let mut failure = Failure {
        error,
        restored: Vec::new(),
        not_restored: Vec::new(),
    };
    for c in changes {
        let back = stage(c, &c.old)
            .and_then(|t| {
                t.persist(&c.path)
                    .map(drop)
                    .map_err(|e| Error::new(e.error.to_string()))
            })
            .or_else(|_| std::fs::write(&c.path, &c.old).map_err(|e| Error::new(e.to_string())));
        match back {
            Ok(()) => failure.restored.push(c.shown.clone()),
            Err(_) => failure.not_restored.push(c.shown.clone()),
        }
    }
    failure
}

/// A temporary file beside `c.path` holding `bytes`, with the target's permissions.
fn stage(c: &Change, bytes: &[u8]) -> Result<NamedTempFile> {
    let dir = c
        .path
        .parent()
        .ok_or_else(|| Error::in_file(&c.shown, "has no parent directory"))?;
    let fail = |e: std::io::Error| Error::in_file(&c.shown, format!("cannot write beside it: {e}"));
    let mut temp = tempfile::Builder::new()
        .prefix(".cargo-wasmtime-support-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    if let Ok(meta) = std::fs::metadata(&c.path) {
        temp.as_file()
            .set_permissions(meta.permissions())
            .map_err(fail)?;
    }
    Ok(temp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(dir: &std::path::Path, name: &str, old: &str, new: &str) -> Change {
        let path = dir.join(name);
        std::fs::write(&path, old).unwrap();
        Change {
            path,
            shown: name.to_string(),
            old: old.as_bytes().to_vec(),
            new: new.as_bytes().to_vec(),
        }
    }

    #[test]
    fn every_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let mut changes = vec![
            change(dir.path(), "a", "a = 1\r\n", "a = 2\r\n"),
            change(dir.path(), "b", "b", "bb"),
        ];
        check(&mut changes).unwrap();
        replace_all(&changes).unwrap();
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), b"a = 2\r\n");
        assert_eq!(std::fs::read(dir.path().join("b")).unwrap(), b"bb");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "no temporary file left behind");
    }

    #[test]
    fn a_failed_rename_puts_back_the_files_already_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = change(dir.path(), "first", "one", "ONE");
        // The second target is a non-empty directory: the rename over it fails
        // after the first file was replaced.
        let blocked = dir.path().join("second");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), "x").unwrap();
        let second = Change {
            path: blocked,
            shown: "second".into(),
            old: Vec::new(),
            new: b"TWO".to_vec(),
        };
        let f = replace_all(&[first, second]).unwrap_err();
        assert_eq!(std::fs::read(dir.path().join("first")).unwrap(), b"one");
        assert_eq!(f.restored, ["first"]);
        assert!(
            f.message().contains("second: cannot write"),
            "{}",
            f.message()
        );
        assert!(f.message().contains("restored first byte for byte"));
    }

    #[test]
    fn a_file_changed_since_planning_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut changes = vec![change(dir.path(), "a", "a", "b")];
        std::fs::write(dir.path().join("a"), "edited").unwrap();
        let e = check(&mut changes).unwrap_err();
        assert!(e.to_string().contains("changed while"), "{e}");
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), b"edited");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = change(dir.path(), "real.toml", "x = 1", "x = 2");
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&real.path, &link).unwrap();
        let mut changes = vec![Change {
            path: link.clone(),
            ..real
        }];
        check(&mut changes).unwrap();
        replace_all(&changes).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "x = 2");
    }
}
