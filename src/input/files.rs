//! Bounded reads of lockfiles (a file, or standard input as given) and
//! manifests: regular files only, never a FIFO or a device, within a size
//! limit, UTF-8, with one clear error naming the file.

use crate::error::{Error, Result};
use crate::input::lockfile::{self, Lockfile};
use std::io::Read;
use std::path::Path;

/// Larger files are refused: the largest real lockfiles are a few MiB.
pub const MAX_LOCKFILE_BYTES: u64 = 64 * 1024 * 1024;

/// How standard input is named in messages and reports: as it was given.
pub const STDIN: &str = "-";

/// Reads and parses the lockfile at `path` (`-` for `stdin`).
pub fn read_lockfile(path: &Path, stdin: &mut dyn Read) -> Result<Lockfile> {
    if path.as_os_str() == "-" {
        let text = read_stdin(stdin)?;
        return lockfile::parse(&text, STDIN);
    }
    let shown = path.display().to_string();
    let kind = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(crate::input::bindings::kind_of);
    match kind {
        Some(kind) => {
            let bytes = read_bytes(path, &shown, MAX_LOCKFILE_BYTES)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::in_file(&shown, format!("not UTF-8 text: not a {}", kind.describe()))
            })?;
            crate::input::bindings::parse(kind, &text, &shown)
        }
        None => lockfile::parse(&read_file(path, &shown)?, &shown),
    }
}

/// Reads a manifest (`Cargo.toml`) with the same checks as a lockfile: a
/// regular file (never a FIFO or a device), at most the size limit, UTF-8.
pub fn read_manifest(path: &Path, shown: &str) -> Result<String> {
    let bytes = read_regular(path, shown).map_err(|e| match e {
        Refused::Missing => Error::in_file(shown, "no such file"),
        Refused::Other(e) => e,
    })?;
    String::from_utf8(bytes).map_err(|_| Error::in_file(shown, "not UTF-8 text: not a Cargo.toml"))
}

fn read_stdin(stdin: &mut dyn Read) -> Result<String> {
    let mut bytes = Vec::new();
    stdin
        .take(MAX_LOCKFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::in_file(STDIN, format!("cannot read: {}", io_reason(&e))))?;
    into_text(bytes, STDIN)
}

fn read_file(path: &Path, shown: &str) -> Result<String> {
    let bytes = read_regular(path, shown).map_err(|e| match e {
        Refused::Missing => Error::in_file(
            shown,
            "no such file; run `cargo generate-lockfile` to create the lockfile",
        ),
        Refused::Other(e) => e,
    })?;
    into_text(bytes, shown)
}

enum Refused {
    Missing,
    Other(Error),
}

/// The bytes of a regular file of at most `MAX_LOCKFILE_BYTES`. Checked before
/// reading and again on the open file, which is opened without blocking: a
/// FIFO, a device (a link to `/dev/zero`) or a directory is refused, never
/// waited on or read without end.
fn read_regular(path: &Path, shown: &str) -> std::result::Result<Vec<u8>, Refused> {
    read_regular_within(path, shown, MAX_LOCKFILE_BYTES)
}

fn read_regular_within(
    path: &Path,
    shown: &str,
    limit: u64,
) -> std::result::Result<Vec<u8>, Refused> {
    let cannot = |e: &std::io::Error| {
        Refused::Other(Error::in_file(
            shown,
            format!("cannot read: {}", io_reason(e)),
        ))
    };
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Refused::Missing,
        _ => cannot(&e),
    })?;
    check_kind(&meta, shown, limit).map_err(Refused::Other)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| cannot(&e))?;
    let meta = file.metadata().map_err(|e| cannot(&e))?;
    check_kind(&meta, shown, limit).map_err(Refused::Other)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(&e))?;
    if bytes.len() as u64 > limit {
        return Err(Refused::Other(too_large_for(shown, limit)));
    }
    Ok(bytes)
}

fn check_kind(meta: &std::fs::Metadata, shown: &str, limit: u64) -> Result<()> {
    if meta.is_dir() {
        return Err(Error::in_file(shown, "is a directory, not a file"));
    }
    if !meta.is_file() {
        let hint = match limit {
            MAX_LOCKFILE_BYTES => "; pipe it to `--lockfile -` instead",
            _ => "",
        };
        return Err(Error::in_file(
            shown,
            format!("not a regular file (a FIFO, socket or device): refused{hint}"),
        ));
    }
    if meta.len() > limit {
        return Err(too_large_for(shown, limit));
    }
    Ok(())
}

fn too_large_for(shown: &str, limit: u64) -> Error {
    if limit == MAX_LOCKFILE_BYTES {
        return too_large(shown);
    }
    Error::in_file(
        shown,
        format!(
            "larger than {} MiB, this tool's limit for it",
            limit / (1024 * 1024)
        ),
    )
}

/// The bytes of a regular file (a binary, an SBOM) of at most `limit` bytes,
/// with the same refusals as a lockfile's.
pub fn read_bytes(path: &Path, shown: &str, limit: u64) -> Result<Vec<u8>> {
    read_regular_within(path, shown, limit).map_err(|e| match e {
        Refused::Missing => Error::in_file(shown, "no such file"),
        Refused::Other(e) => e,
    })
}

fn into_text(bytes: Vec<u8>, shown: &str) -> Result<String> {
    if bytes.len() as u64 > MAX_LOCKFILE_BYTES {
        return Err(too_large(shown));
    }
    String::from_utf8(bytes)
        .map_err(|_| Error::in_file(shown, "not UTF-8 text (a binary file?): not a Cargo.lock"))
}

fn too_large(shown: &str) -> Error {
    Error::in_file(
        shown,
        format!(
            "larger than {} MiB: not a Cargo file this tool will read",
            MAX_LOCKFILE_BYTES / (1024 * 1024)
        ),
    )
}

/// `permission denied` rather than `Permission denied (os error 13)`.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text).to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("Cargo.lock");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read_lockfile(&fifo, &mut std::io::empty()).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
            let e = read_manifest(&fifo, "Cargo.toml").unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_manifest(&zero, "zero").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = read_lockfile(dir.path(), &mut std::io::empty()).unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
    }

    #[test]
    fn a_manifest_over_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("Cargo.toml");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_LOCKFILE_BYTES + 1).unwrap();
        let e = read_manifest(&big, "Cargo.toml").unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
    }
}
