//! `upgrade`: rewrite the workspace's manifests to the target train, then let
//! cargo update the lockfile, and audit the result.

use super::args::{CommonArgs, Format, UpgradeArgs};
use super::{Env, load_data, shown_path, write_out};
use crate::audit::{self, Options};
use crate::data::Data;
use crate::effort;
use crate::error::{Error, Result};
use crate::input;
use crate::inventory::{self, LockInput};
use crate::policy;
use crate::recommend;
use crate::render::{human, json};
use crate::upgrade::{self, Manifest, Plan};
use crate::workspace;
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::Command;

pub fn run(
    common: &CommonArgs,
    args: &UpgradeArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    if !common.lockfile.is_empty() {
        return Err(Error::new(
            "upgrade edits the workspace's manifests: run it inside the workspace or pass --manifest-path, not --lockfile",
        ));
    }
    let data = load_data(common, env, err)?;
    let as_of = common.date.unwrap_or(env.today);
    let ws = workspace::locate(common.manifest_path.as_deref())?;
    let inv = inventory_of(&ws, &data)?;
    let in_use: Vec<u32> = inv.trains.keys().copied().collect();
    let Some(target) = target(args.to.as_deref(), &data, &in_use, as_of)? else {
        write_out(
            out,
            "Nothing to upgrade: every train is on the newest LTS (or no Wasmtime crate is used).\n",
        )?;
        return Ok(0);
    };
    let facts = data.majors.get(&target);
    let patch = facts
        .and_then(|f| f.latest_patch())
        .map_or(0, |p| p.version.patch);

    let manifests = ws
        .manifests
        .iter()
        .map(|p| {
            let shown = shown_path(p, env);
            let text = std::fs::read_to_string(p)
                .map_err(|e| Error::in_file(&shown, format!("cannot read: {e}")))?;
            Ok(Manifest { path: shown, text })
        })
        .collect::<Result<Vec<_>>>()?;
    let plan = upgrade::plan(&manifests, &data, target, patch)?;
    let changed: Vec<(&Path, &upgrade::ManifestPlan)> = ws
        .manifests
        .iter()
        .map(|p| p.as_path())
        .zip(&plan.manifests)
        .filter(|(_, m)| !m.edits.is_empty())
        .collect();
    let notes = reading_list(&data, &in_use, target);

    if common.format == Format::Json {
        let doc = serde_json::json!({
            "target": plan.target,
            "target_version": plan.target_version.to_string(),
            "dry_run": args.dry_run,
            "manifests": plan.manifests,
            "release_notes": notes,
        });
        if !args.dry_run {
            apply(args, &ws, &changed, err)?;
        }
        write_out(out, &json::render(&doc))?;
        return Ok(0);
    }

    let mut text = report(&plan, facts.is_none());
    if args.dry_run {
        for (_, m) in &changed {
            text.push('\n');
            text.push_str(&upgrade::unified_diff(m));
        }
        text.push_str(&format!(
            "\nDry run: {} manifest(s) would change; nothing was written.\n",
            changed.len()
        ));
    } else if !changed.is_empty() {
        apply(args, &ws, &changed, err)?;
        text.push_str(&format!("\nWrote {} manifest(s).\n", changed.len()));
        if args.no_update {
            text.push_str("Cargo.lock was not updated (--no-update): run `cargo update --workspace` before building.\n");
        } else {
            text.push_str("Updated Cargo.lock with `cargo update --workspace`.\n\n");
            let inv = inventory_of(&ws, &data)?;
            let report = audit::audit(&inv, &data, &Options::new(as_of));
            text.push_str(&human::render(&report, &Default::default()));
        }
    }
    if !notes.is_empty() {
        text.push_str(
            "\nRead before building: the release notes of every major crossed, in order:\n",
        );
        for url in &notes {
            let _ = writeln!(text, "  {url}");
        }
    }
    write_out(out, &text)?;
    Ok(0)
}

fn inventory_of(ws: &workspace::Workspace, data: &Data) -> Result<inventory::Inventory> {
    let input = LockInput {
        lockfile: input::read_lockfile(&ws.lockfile)?,
        members: ws.members.clone(),
    };
    Ok(inventory::inventory(&[input], &data.family))
}

/// The target train: the flag's, else the audit's recommended target.
fn target(to: Option<&str>, data: &Data, in_use: &[u32], as_of: NaiveDate) -> Result<Option<u32>> {
    let released = policy::newest_released(as_of).unwrap_or(0);
    let major = match to {
        None => {
            return Ok(in_use
                .iter()
                .filter_map(|&m| recommend::recommend(data, m, as_of).target)
                .filter(|&t| t <= released)
                .max());
        }
        Some("lts") => policy::newest_released_lts(as_of).ok_or_else(|| {
            Error::new(format!("upgrade --to lts: no LTS is released by {as_of}"))
        })?,
        Some("latest") => released,
        Some(n) => n.parse::<u32>().map_err(|_| {
            Error::new(format!(
                "upgrade --to {n:?}: expected a major such as 48, `lts` or `latest`"
            ))
        })?,
    };
    if major == 0 || major > released {
        let when = policy::release_date(major)
            .map(|d| format!(" until {d}"))
            .unwrap_or_default();
        return Err(Error::new(format!(
            "upgrade --to {major}: Wasmtime {major} is not a released train (not released{when})"
        )));
    }
    Ok(Some(major))
}

/// Release notes of every major between the trains in use and the target.
fn reading_list(data: &Data, in_use: &[u32], target: u32) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for &m in in_use.iter().filter(|&&m| m != target) {
        for url in effort::effort(data, m, target).notes {
            if !notes.contains(&url) {
                notes.push(url);
            }
        }
    }
    notes
}

fn report(plan: &Plan, projected: bool) -> String {
    let mut text = format!(
        "Upgrade to {} ({})\n",
        audit::label(plan.target),
        plan.target_version
    );
    if projected {
        text.push_str("  (the release data has not seen this major: its newest patch is unknown; `refresh` learns it)\n");
    }
    for m in plan.manifests.iter().filter(|m| !m.edits.is_empty()) {
        let _ = writeln!(text, "\n{}", m.path);
        for e in &m.edits {
            let name = if e.key == e.crate_name {
                e.key.clone()
            } else {
                format!("{} ({})", e.key, e.crate_name)
            };
            let _ = writeln!(text, "  [{}] {name} {:?} -> {:?}", e.table, e.from, e.to);
        }
    }
    let untouched: Vec<(&str, &upgrade::Untouched)> = plan
        .manifests
        .iter()
        .flat_map(|m| m.untouched.iter().map(move |u| (m.path.as_str(), u)))
        .filter(|(_, u)| u.reason != "current")
        .collect();
    if plan.manifests.iter().all(|m| m.edits.is_empty()) {
        text.push_str("\nNo requirement needs to change.\n");
    }
    if !untouched.is_empty() {
        text.push_str("\nNot changed:\n");
        for (path, u) in untouched {
            let _ = writeln!(text, "  {path} [{}] {}: {}", u.table, u.key, u.detail);
        }
    }
    text
}

/// Checks the work tree, writes the manifests and updates the lockfile.
fn apply(
    args: &UpgradeArgs,
    ws: &workspace::Workspace,
    changed: &[(&Path, &upgrade::ManifestPlan)],
    err: &mut dyn Write,
) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    if !args.allow_dirty {
        let dirty = dirty_manifests(&ws.root, changed);
        if !dirty.is_empty() {
            return Err(Error::new(format!(
                "the manifests have uncommitted changes ({}); commit or stash them first, or pass --allow-dirty",
                dirty.join(", ")
            )));
        }
    }
    for (path, m) in changed {
        std::fs::write(path, &m.new_text)
            .map_err(|e| Error::in_file(&m.path, format!("cannot write: {e}")))?;
    }
    if args.no_update {
        return Ok(());
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["update", "--workspace", "--manifest-path"])
        .arg(ws.root.join("Cargo.toml"))
        .stdout(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            Error::new(format!(
                "cannot run `cargo update`: {e}; the manifests were written"
            ))
        })?;
    if !status.status.success() {
        let _ = err.write_all(&status.stderr);
        return Err(Error::new(
            "`cargo update --workspace` failed (see above); the manifests were written, Cargo.lock was not updated",
        ));
    }
    Ok(())
}

/// Manifests git reports as modified (nothing when git or a repository is absent).
fn dirty_manifests(root: &Path, changed: &[(&Path, &upgrade::ManifestPlan)]) -> Vec<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["status", "--porcelain", "--"])
        .args(changed.iter().map(|(p, _)| p))
        .output();
    match output {
        Ok(o) if o.status.success() => {
            let listed = String::from_utf8_lossy(&o.stdout).to_string();
            changed
                .iter()
                .filter(|(p, _)| {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    listed.lines().any(|l| {
                        l.ends_with(&name)
                            && l.get(3..)
                                .is_some_and(|rel| p.to_string_lossy().ends_with(rel.trim()))
                    })
                })
                .map(|(_, m)| m.path.clone())
                .collect()
        }
        _ => Vec::new(),
    }
}
