//! Locating the Cargo workspace (and so its Cargo.lock) with `cargo metadata
//! --no-deps --offline`: no network, no downloaded crates, no resolution.

use crate::error::{Error, Result};
use cargo_metadata::MetadataCommand;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub lockfile: PathBuf,
}

pub fn locate(manifest_path: Option<&Path>) -> Result<Workspace> {
    if let Some(p) = manifest_path {
        if !p.exists() {
            return Err(Error::in_file(&p.display().to_string(), "no such manifest"));
        }
    }
    let mut cmd = MetadataCommand::new();
    cmd.no_deps().other_options(vec!["--offline".to_string()]);
    if let Some(p) = manifest_path {
        cmd.manifest_path(p);
    }
    let meta = cmd.exec().map_err(|e| {
        let why = match &e {
            cargo_metadata::Error::CargoMetadata { stderr } => stderr
                .lines()
                .find_map(|l| l.trim().strip_prefix("error: "))
                .unwrap_or(stderr.trim())
                .to_string(),
            other => other.to_string(),
        };
        let place = manifest_path
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the current directory".to_string());
        Error::new(format!(
            "could not locate a Cargo workspace from {place}: {why} (run inside a Cargo project, or pass --manifest-path or --lockfile)"
        ))
    })?;
    let root: PathBuf = meta.workspace_root.into_std_path_buf();
    Ok(Workspace {
        lockfile: root.join("Cargo.lock"),
        root,
    })
}
