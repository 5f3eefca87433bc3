//! Makes a copy of a manifests-only workspace loadable by cargo: an empty
//! `src/lib.rs` where a package has no `src/lib.rs` or `src/main.rs`, and an
//! empty build script where a manifest declares `links` or `build`.

use std::path::{Path, PathBuf};

/// Copies the directory `from` to `to`, then adds the stub targets in `to`.
pub fn stubbed_copy(from: &Path, to: &Path) {
    copy_dir(from, to);
    for manifest in manifests(to) {
        stub(&manifest);
    }
}

/// Every `Cargo.toml` under `dir`, in a stable order.
pub fn manifests(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "Cargo.toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn stub(manifest: &Path) {
    let text = std::fs::read_to_string(manifest).unwrap();
    if !text.lines().any(|l| l.trim() == "[package]") {
        return;
    }
    let dir = manifest.parent().unwrap();
    let write = |rel: &str, content: &str| {
        let path = dir.join(rel);
        if !path.exists() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
    };
    if !dir.join("src/main.rs").exists() {
        write("src/lib.rs", "");
    }
    let value = |key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    if value("links").is_some() {
        write("build.rs", "fn main() {}\n");
    }
    if let Some(build) = value("build").filter(|b| b != "false" && b != "true") {
        write(&build, "fn main() {}\n");
    }
}
