//! `bot-config`: print Renovate or Dependabot configuration for the
//! workspace's family crates, or merge it into the bot's file (`--write`).

use super::args::{BotConfigArgs, CommonArgs, TrackArg};
use super::{Env, load_data, project, transaction, write_out};
use crate::check::bot_config::{self, Track, dependabot, renovate};
use crate::check::inventory;
use crate::error::{Context, Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(
    common: &CommonArgs,
    args: &BotConfigArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let data = load_data(common, env, err)?;
    let mut project = project(common, env)?;
    // The bots update Cargo's dependencies: other languages' lockfiles are
    // not theirs to move here.
    if let Some(other) = project
        .inputs
        .iter()
        .find(|i| !i.lockfile.kind.is_cargo())
        .filter(|_| project.inputs.iter().all(|i| !i.lockfile.kind.is_cargo()))
    {
        return Err(Error::new(format!(
            "bot-config writes Renovate and Dependabot rules for Cargo's dependencies; {} is a {}: give a Cargo.lock",
            crate::text::sanitize(&other.lockfile.path),
            other.lockfile.kind.describe()
        )));
    }
    project.inputs.retain(|i| i.lockfile.kind.is_cargo());
    let inv = inventory::inventory(&project.inputs, &data.family);
    let track = match args.track {
        TrackArg::Lts => Track::Lts,
        TrackArg::Latest => Track::Latest,
    };
    let limits = crate::check::resolve::Limits {
        as_of: common.date.unwrap_or(env.today),
        rust: project
            .rust_version
            .clone()
            .or_else(|| project.toolchain.clone()),
        declared: project.rust_version.is_some(),
    };
    let plan = bot_config::plan(&inv, &data, track, &limits)?;
    if !plan.uncapped.is_empty() {
        let _ = writeln!(
            err,
            "warning: left uncapped, their numbering at Wasmtime {} is unknown: {}",
            plan.stay_on + 1,
            plan.uncapped.join(", ")
        );
    }
    if !args.write {
        let text = if args.dependabot {
            dependabot::render(&plan)
        } else {
            renovate::render(&plan)
        };
        return write_out(out, &text).map(|()| 0);
    }
    let root = root(common, env)?;
    let path = if args.dependabot {
        existing_or_first(
            &root,
            &[".github/dependabot.yml", ".github/dependabot.yaml"],
        )
    } else {
        renovate_file(&root)?
    };
    let shown = path.display().to_string();
    // A regular file of bounded size (never a FIFO or a device), or none yet.
    let existing = if std::fs::symlink_metadata(&path).is_err() {
        String::new()
    } else {
        crate::input::files::read_manifest(&path, &shown)?
    };
    let merged = if args.dependabot {
        dependabot::merge(&existing, &plan)
    } else {
        renovate::merge(&existing, &plan)
    }
    .map_err(|e| Error::in_file(&shown, e.message()))?;
    if merged == existing {
        return write_out(out, &format!("{shown} is up to date\n")).map(|()| 0);
    }
    write_atomically(&path, &shown, &existing, &merged)?;
    write_out(out, &format!("Wrote {shown}\n"))
        .map_err(|e| Error::new(format!("wrote {shown}, but could not say so: {e}")))?;
    Ok(0)
}

/// The workspace root: where the bots look for their files.
fn root(common: &CommonArgs, env: &Env) -> Result<PathBuf> {
    match common.lockfile.as_slice() {
        [] => Ok(super::locate_workspace(common, env, false)?.root),
        [one] if one.as_os_str() != "-" => Ok(one
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()),
        _ => Err(Error::new(
            "bot-config --write needs one workspace: --manifest-path or a single --lockfile file",
        )),
    }
}

/// Where Renovate reads its configuration, in its own order (its
/// `configFileNames`): the first that exists wins, so that is the file to
/// merge into; a new `renovate.json` would shadow any of the others. JSON5
/// and `package.json` are refused with one line rather than shadowed.
const RENOVATE_FILES: [&str; 10] = [
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    "package.json",
];

fn renovate_file(root: &Path) -> Result<PathBuf> {
    for name in RENOVATE_FILES {
        let path = root.join(name);
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let shown = path.display().to_string();
        if name == "package.json" {
            let text = crate::input::files::read_manifest(&path, &shown)?;
            let has_renovate = serde_json::from_str::<serde_json::Value>(&text)
                .is_ok_and(|v| v.get("renovate").is_some());
            if !has_renovate {
                continue;
            }
            return Err(Error::in_file(
                &shown,
                "Renovate is configured in its `renovate` key, which this tool does not edit; print the configuration and merge it by hand",
            ));
        }
        if name.ends_with(".json5") {
            return Err(Error::in_file(
                &shown,
                "Renovate reads this JSON5 file, which this tool does not edit; print the configuration and merge it by hand",
            ));
        }
        return Ok(path);
    }
    Ok(root.join(RENOVATE_FILES[0]))
}

fn existing_or_first(root: &Path, candidates: &[&str]) -> PathBuf {
    candidates
        .iter()
        .map(|c| root.join(c))
        .find(|p| p.is_file())
        .unwrap_or_else(|| root.join(candidates[0]))
}

/// Writes as `upgrade` writes: through a uniquely named temporary file
/// created exclusively beside the file (never a name a repository could
/// plant), then renamed; a symlinked file is written through and stays a
/// link, its mode is kept, a read-only or changed file is refused. A new
/// file is created only where none appeared meanwhile.
fn write_atomically(path: &Path, shown: &str, old: &str, text: &str) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        let mut changes = vec![transaction::Change {
            path: path.to_path_buf(),
            shown: shown.to_string(),
            old: old.as_bytes().to_vec(),
            new: text.as_bytes().to_vec(),
        }];
        transaction::check(&mut changes)?;
        return transaction::replace_all(&changes).map_err(|f| Error::new(f.message()));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{shown}: cannot create its directory"))?;
    let fail = |e: std::io::Error| Error::in_file(shown, format!("cannot write: {e}"));
    let mut temp = tempfile::Builder::new()
        .prefix(".cargo-wasmtime-support-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(text.as_bytes()).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // What a new file gets from `git checkout` or an editor, not 0600.
        let _ = temp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    temp.persist_noclobber(path).map_err(|e| {
        Error::in_file(
            shown,
            format!("cannot write (did it appear meanwhile?): {}", e.error),
        )
    })?;
    Ok(())
}
