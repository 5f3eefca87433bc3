//! Locating the Cargo workspace (and so its Cargo.lock), with the members'
//! direct dependencies and the tool's config table: from the manifests alone
//! where they are plain (`manifests`), otherwise with `cargo metadata
//! --no-deps --offline` (no network, no downloaded crates, no resolution).

pub mod manifests;
pub mod memo;

use crate::error::{Error, Result};
use crate::input::config;
use crate::model::train::DepKind;
use cargo_metadata::{DependencyKind, MetadataCommand};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Workspace {
    pub root: PathBuf,
    pub lockfile: PathBuf,
    /// The root manifest and every member's, each once.
    pub manifests: Vec<PathBuf>,
    pub members: Members,
    /// The lowest rust-version the members declare.
    pub rust_version: Option<semver::Version>,
    /// The tool's table and where it came from (for error messages).
    pub config: Option<(serde_json::Value, String)>,
    /// Why the manifests alone did not do and `cargo metadata` was asked.
    pub declined: Option<manifests::Declined>,
}

/// What is known of a lockfile's workspace members. `complete` when cargo
/// listed them; otherwise (manifests read beside a lockfile) every path package
/// is a root, with the kinds known for those listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Members {
    pub list: Vec<Member>,
    pub complete: bool,
}

/// A workspace member and its direct dependencies (by package name) with their kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub deps: Vec<(String, DepKind)>,
}

/// Where the search for a workspace runs: given by the caller, never read
/// from the process here.
#[derive(Debug, Clone, Copy, Default)]
pub struct Search<'a> {
    /// Where the search starts (cargo's current directory).
    pub cwd: Option<&'a Path>,
    /// Cargo's home: the search for a workspace root stops there.
    pub cargo_home: Option<&'a Path>,
    /// The cargo to ask when the manifests alone do not do (`$CARGO`).
    pub cargo: Option<&'a Path>,
    /// Where the workspace memo is kept, if anywhere.
    pub memo_dir: Option<&'a Path>,
}

/// The workspace of `search.cwd`, or of `manifest_path`: answered from the
/// memo while every manifest it rests on is unchanged, and remembered there
/// otherwise.
pub fn locate(manifest_path: Option<&Path>, search: &Search) -> Result<Workspace> {
    let memo_dir = search.memo_dir;
    if let Some(p) = manifest_path {
        if p.is_dir() {
            return Err(Error::in_file(
                &p.display().to_string(),
                "is a directory: --manifest-path takes the path of a Cargo.toml (such as DIR/Cargo.toml)",
            ));
        }
        if !p.is_file() {
            return Err(Error::in_file(&p.display().to_string(), "no such manifest"));
        }
    }
    let home = search.cargo_home;
    let declined = match search.cwd {
        Some(cwd) => {
            if let Some(ws) = memo_dir.and_then(|d| memo::recall(d, cwd, manifest_path, home)) {
                return Ok(ws);
            }
            match manifests::read_traced(cwd, manifest_path, home) {
                Ok((ws, trace)) => {
                    if let Some(dir) = memo_dir {
                        memo::remember(dir, cwd, manifest_path, home, &ws, &trace);
                    }
                    return Ok(ws);
                }
                Err(why) => why,
            }
        }
        None => "no current directory".to_string(),
    };
    let mut ws = from_cargo(search.cwd, manifest_path, search.cargo)?;
    ws.declined = Some(declined);
    Ok(ws)
}

/// The workspace as `cargo metadata --no-deps --offline` reports it, run in
/// `cwd` (default: the current directory), by `cargo` (default: `$CARGO`,
/// else `cargo`).
pub fn from_cargo(
    cwd: Option<&Path>,
    manifest_path: Option<&Path>,
    cargo: Option<&Path>,
) -> Result<Workspace> {
    let mut cmd = MetadataCommand::new();
    cmd.no_deps().other_options(vec!["--offline".to_string()]);
    if let Some(cargo) = cargo {
        cmd.cargo_path(cargo);
    }
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    if let Some(p) = manifest_path {
        cmd.manifest_path(p);
    }
    let meta = cmd.exec().map_err(|e| {
        let why = match &e {
            cargo_metadata::Error::CargoMetadata { stderr } => cargo_error(stderr),
            other => other.to_string(),
        };
        let place = manifest_path
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the current directory".to_string());
        Error::new(format!(
            "could not locate a Cargo workspace from {place}: {why} (run inside a Cargo project, or pass --manifest-path or --lockfile)"
        ))
    })?;
    let root: PathBuf = meta.workspace_root.clone().into_std_path_buf();
    let manifest = root.join("Cargo.toml").display().to_string();
    let config = match meta.workspace_metadata.get(config::TABLE) {
        Some(v) => Some((
            v.clone(),
            format!("{manifest} [workspace.metadata.{}]", config::TABLE),
        )),
        None => meta.root_package().and_then(|p| {
            p.metadata.get(config::TABLE).map(|v| {
                (
                    v.clone(),
                    format!("{} [package.metadata.{}]", p.manifest_path, config::TABLE),
                )
            })
        }),
    };
    let rust_version = meta
        .workspace_packages()
        .iter()
        .filter_map(|p| p.rust_version.clone())
        .min();
    let list = meta
        .workspace_packages()
        .into_iter()
        .map(|p| Member {
            name: p.name.to_string(),
            deps: p
                .dependencies
                .iter()
                .map(|d| {
                    let kind = match d.kind {
                        DependencyKind::Development => DepKind::Dev,
                        DependencyKind::Build => DepKind::Build,
                        _ => DepKind::Normal,
                    };
                    (d.name.clone(), kind)
                })
                .collect(),
        })
        .collect();
    let mut manifests = vec![root.join("Cargo.toml")];
    for p in meta.workspace_packages() {
        let m = p.manifest_path.clone().into_std_path_buf();
        if !manifests.contains(&m) {
            manifests.push(m);
        }
    }
    Ok(Workspace {
        manifests,
        lockfile: root.join("Cargo.lock"),
        root,
        members: Members {
            list,
            complete: true,
        },
        rust_version,
        config,
        declined: None,
    })
}

/// Cargo's error in one line, with the place it points at (`--> Cargo.toml:10:1`)
/// kept in front: `Cargo.toml:10:1: unclosed table, expected `]``.
pub fn cargo_error(stderr: &str) -> String {
    let message = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(stderr.trim());
    let place = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .map(str::trim);
    let cause = stderr
        .lines()
        .skip_while(|l| l.trim() != "Caused by:")
        .skip(1)
        .map(str::trim)
        .find(|l| !l.is_empty());
    let message = match cause {
        Some(cause) => format!("{message}: {cause}"),
        None => message.to_string(),
    };
    match place {
        Some(place) => format!("{place}: {message}"),
        None => message,
    }
}

/// Best effort for a lockfile read on its own: the members declared by the
/// `Cargo.toml` beside it (and member manifests listed by exact path that
/// exist), never complete: other path packages stay roots of unknown kind;
/// and the rust-version it declares.
pub fn beside(lockfile: &Path) -> (Members, Option<semver::Version>) {
    if lockfile.as_os_str() == "-" {
        // Standard input came from elsewhere: no manifest describes it.
        return (Members::default(), None);
    }
    let root = lockfile
        .parent()
        .and_then(|dir| Some((dir, read_manifest(&dir.join("Cargo.toml"))?)));
    let Some((dir, root)) = root else {
        return (Members::default(), None);
    };
    let mut list: Vec<Member> = member_of(&root).into_iter().collect();
    let listed = root
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str())
        .filter(|m| !m.contains('*'));
    for rel in listed {
        if let Some(m) =
            read_manifest(&dir.join(rel).join("Cargo.toml")).and_then(|t| member_of(&t))
        {
            list.push(m);
        }
    }
    let declared = root
        .get("package")
        .and_then(|p| p.get("rust-version"))
        .and_then(|v| v.as_str())
        .or_else(|| {
            root.get("workspace")?
                .get("package")?
                .get("rust-version")?
                .as_str()
        });
    (
        Members {
            list,
            complete: false,
        },
        declared.and_then(crate::model::data::rust_version),
    )
}

/// A manifest beside a lockfile, read with the lockfile's checks (a regular
/// file within the size limit: a FIFO or a device there is skipped, never
/// waited on).
fn read_manifest(path: &Path) -> Option<toml::Table> {
    let text = crate::input::files::read_manifest(path, &path.display().to_string()).ok()?;
    text.parse().ok()
}

fn member_of(manifest: &toml::Table) -> Option<Member> {
    let name = manifest.get("package")?.get("name")?.as_str()?.to_string();
    let mut deps = Vec::new();
    let mut tables: Vec<&toml::Table> = vec![manifest];
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        tables.extend(targets.values().filter_map(|t| t.as_table()));
    }
    for table in tables {
        for (key, kind) in [
            ("dependencies", DepKind::Normal),
            ("build-dependencies", DepKind::Build),
            ("dev-dependencies", DepKind::Dev),
        ] {
            for (dep, spec) in table
                .get(key)
                .and_then(|d| d.as_table())
                .into_iter()
                .flatten()
            {
                let package = spec.get("package").and_then(|p| p.as_str()).unwrap_or(dep);
                deps.push((package.to_string(), kind));
            }
        }
    }
    Some(Member { name, deps })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_errors_keep_the_place() {
        let stderr = "error: unclosed table, expected `]`\n  --> Cargo.toml:10:14\n   |\n10 | [dependencies\n   |              ^\n";
        assert_eq!(
            cargo_error(stderr),
            "Cargo.toml:10:14: unclosed table, expected `]`"
        );
        assert_eq!(cargo_error("error: no manifest\n"), "no manifest");
        assert_eq!(
            cargo_error(
                "error: failed to parse manifest at `x`\n\nCaused by:\n  cannot specify both [replace] and [patch]\n"
            ),
            "failed to parse manifest at `x`: cannot specify both [replace] and [patch]"
        );
    }
}
