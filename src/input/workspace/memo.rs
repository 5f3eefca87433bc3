//! The workspace as last read from its manifests, kept in the tool's cache
//! directory: parsing a large workspace's manifests is most of what an audit
//! costs (about 2 ms of 4 for Wasmtime's 98 members), and in pre-commit hooks
//! and CI jobs they rarely change between runs.
//!
//! A memo is used only while it would give the same answer: the same
//! directory, `--manifest-path` and cargo home, the same starting manifest,
//! every manifest the read looked at (absent ones included) with the same
//! length and content hash, and every `members` glob matching the same
//! directories. Anything else, or any doubt (an unreadable or corrupt memo),
//! reads the manifests again. Writing a memo is best effort.

use super::Workspace;
use super::manifests::{self, Trace};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// A memo is small (a few tens of kilobytes for 100 members).
const MAX_MEMO: u64 = 8 * 1024 * 1024;
/// Manifests are kilobytes; anything larger is not read for a fingerprint.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Memo {
    /// The tool's version: another version may read manifests differently.
    tool: String,
    cwd: PathBuf,
    manifest_path: Option<PathBuf>,
    cargo_home: Option<PathBuf>,
    start: PathBuf,
    /// Each manifest looked at, with its fingerprint (`None`: absent).
    files: Vec<(PathBuf, Option<Fingerprint>)>,
    globs: Vec<(PathBuf, String, Vec<PathBuf>)>,
    workspace: Workspace,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, Clone, Copy, Debug)]
struct Fingerprint {
    len: u64,
    hash: u64,
}

/// The content's fingerprint; reading a manifest costs microseconds where
/// parsing it costs tens, and unlike a modification time it cannot miss an
/// edit made within the file system's clock tick.
fn fingerprint(path: &Path) -> std::io::Result<Option<Fingerprint>> {
    // Never read what is not a manifest-sized regular file (a FIFO would
    // block, `/dev/zero` never ends): such a memo is simply not used.
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() <= MAX_MANIFEST => {}
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not a manifest",
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    match std::fs::read(path) {
        Ok(bytes) => {
            let mut h = std::hash::DefaultHasher::new();
            bytes.hash(&mut h);
            Ok(Some(Fingerprint {
                len: bytes.len() as u64,
                hash: h.finish(),
            }))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Where the memo of (`cwd`, `manifest_path`) lives in `dir`.
fn file_for(dir: &Path, cwd: &Path, manifest_path: Option<&Path>, home: Option<&Path>) -> PathBuf {
    let mut h = std::hash::DefaultHasher::new();
    (cwd, manifest_path, home).hash(&mut h);
    dir.join("workspaces")
        .join(format!("{:016x}.json", h.finish()))
}

/// The remembered workspace, when it is still what a read would give.
pub fn recall(
    dir: &Path,
    cwd: &Path,
    manifest_path: Option<&Path>,
    home: Option<&Path>,
) -> Option<Workspace> {
    let path = file_for(dir, cwd, manifest_path, home);
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_MEMO {
        return None;
    }
    let memo: Memo = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    let same = memo.tool == env!("CARGO_PKG_VERSION")
        && memo.cwd == cwd
        && memo.manifest_path.as_deref() == manifest_path
        && memo.cargo_home.as_deref() == home
        && manifests::start(cwd, manifest_path).ok()? == memo.start
        && memo
            .files
            .iter()
            .all(|(f, print)| fingerprint(f).ok().as_ref() == Some(print))
        && memo.globs.iter().all(|(root, pattern, dirs)| {
            manifests::expand(root, pattern).ok().as_ref() == Some(dirs)
        });
    same.then_some(memo.workspace)
}

/// Remembers a workspace read from its manifests (best effort: a cache
/// directory that cannot be written costs only speed).
pub fn remember(
    dir: &Path,
    cwd: &Path,
    manifest_path: Option<&Path>,
    home: Option<&Path>,
    ws: &Workspace,
    trace: &Trace,
) {
    let mut files = Vec::with_capacity(trace.files.len());
    for f in &trace.files {
        match fingerprint(f) {
            Ok(print) => files.push((f.clone(), print)),
            Err(_) => return,
        }
    }
    let memo = Memo {
        tool: env!("CARGO_PKG_VERSION").to_string(),
        cwd: cwd.to_path_buf(),
        manifest_path: manifest_path.map(Path::to_path_buf),
        cargo_home: home.map(Path::to_path_buf),
        start: trace.start.clone(),
        files,
        globs: trace.globs.clone(),
        workspace: ws.clone(),
    };
    let path = file_for(dir, cwd, manifest_path, home);
    let Some(parent) = path.parent() else { return };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    let Ok(bytes) = serde_json::to_vec(&memo) else {
        return;
    };
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(parent) {
        use std::io::Write;
        if tmp.write_all(&bytes).is_ok() {
            let _ = tmp.persist(&path);
        }
    }
    prune(parent, KEEP);
}

/// How many workspaces' memos are kept: one per workspace (and per way of
/// naming it), the least recently written removed first.
pub const KEEP: usize = 64;

/// Keeps the `keep` most recently written memos in `dir`.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut memos: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if memos.len() <= keep {
        return;
    }
    memos.sort();
    for (_, path) in &memos[..memos.len() - keep] {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_memos_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::write(dir.path().join(format!("{i}.json")), "{}").unwrap();
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
        std::fs::write(dir.path().join("other.txt"), "").unwrap();
        prune(dir.path(), 3);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["2.json", "3.json", "4.json", "other.txt"]);
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn recalled_only_while_the_manifests_are_unchanged() {
        let ws_dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let root = ws_dir.path();
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        );
        write(
            &root.join("crates/a/Cargo.toml"),
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[dependencies]\nwasmtime = \"48\"\n",
        );
        let read = || manifests::read_traced(root, None, None).unwrap();
        let (ws, trace) = read();
        assert!(recall(cache.path(), root, None, None).is_none());
        remember(cache.path(), root, None, None, &ws, &trace);
        assert_eq!(recall(cache.path(), root, None, None), Some(ws.clone()));

        // The same length, another content: read again.
        write(
            &root.join("crates/a/Cargo.toml"),
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[dependencies]\nwasmtime = \"47\"\n",
        );
        assert!(recall(cache.path(), root, None, None).is_none());
        let (ws, trace) = read();
        remember(cache.path(), root, None, None, &ws, &trace);
        assert_eq!(recall(cache.path(), root, None, None), Some(ws));

        // A new member matching the glob: read again.
        write(
            &root.join("crates/b/Cargo.toml"),
            "[package]\nname = \"b\"\nversion = \"0.1.0\"\n",
        );
        assert!(recall(cache.path(), root, None, None).is_none());
        let (ws, trace) = read();
        assert_eq!(ws.members.list.len(), 2);
        remember(cache.path(), root, None, None, &ws, &trace);

        // A memo naming a FIFO or an endless file is not used (and reads nothing).
        let fifo = root.join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        for f in std::fs::read_dir(cache.path().join("workspaces")).unwrap() {
            let path = f.unwrap().path();
            let mut memo: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            memo["files"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!([fifo, {"len": 0, "hash": 0}]));
            memo["files"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!(["/dev/zero", {"len": 0, "hash": 0}]));
            std::fs::write(&path, serde_json::to_vec(&memo).unwrap()).unwrap();
        }
        assert!(recall(cache.path(), root, None, None).is_none());

        // Asked from elsewhere, or corrupt: no memo.
        assert!(recall(cache.path(), &root.join("crates"), None, None).is_none());
        for f in std::fs::read_dir(cache.path().join("workspaces")).unwrap() {
            std::fs::write(f.unwrap().path(), "{").unwrap();
        }
        assert!(recall(cache.path(), root, None, None).is_none());
    }
}
