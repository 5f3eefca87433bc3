//! Reading lockfiles from disk or standard input, with clear errors.

use crate::error::{Error, Result};
use crate::lockfile::{self, Lockfile};
use std::io::Read;
use std::path::Path;

/// Larger files are refused: the largest real lockfiles are a few MiB.
pub const MAX_LOCKFILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads and parses the lockfile at `path` (`-` for standard input).
pub fn read_lockfile(path: &Path) -> Result<Lockfile> {
    let shown = path.display().to_string();
    let text = if path.as_os_str() == "-" {
        read_stdin()?
    } else {
        read_file(path, &shown)?
    };
    lockfile::parse(&text, &shown)
}

fn read_stdin() -> Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_LOCKFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::in_file("<stdin>", format!("cannot read: {e}")))?;
    into_text(bytes, "<stdin>")
}

fn read_file(path: &Path, shown: &str) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::in_file(
            shown,
            "no such file; run `cargo generate-lockfile` to create the lockfile",
        ),
        _ => Error::in_file(shown, format!("cannot read: {}", io_reason(&e))),
    })?;
    if meta.is_dir() {
        return Err(Error::in_file(shown, "is a directory, not a Cargo.lock"));
    }
    if meta.len() > MAX_LOCKFILE_BYTES {
        return Err(too_large(shown));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_LOCKFILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::in_file(shown, format!("cannot read: {}", io_reason(&e))))?;
    into_text(bytes, shown)
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
            "larger than {} MiB: not a Cargo.lock this tool will read",
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
