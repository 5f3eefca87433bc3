//! `upgrade`: rewrite the workspace's manifests to the target train, then let
//! cargo update the lockfile, and audit the result. All or nothing: a refusal
//! writes nothing and a failure (a file that cannot be written, a failing
//! `cargo update`) restores every byte it touched.

use super::args::{CommonArgs, Format, UpgradeArgs};
use super::journal::{self, Journal};
use super::transaction::{self, Change, Failure};
use super::{Env, load_data, shown_path, write_out};
use crate::check::audit;
use crate::check::context::Options;
use crate::check::effort;
use crate::check::inventory::{self, LockInput};
use crate::check::resolve::Limits;
use crate::check::upgrade::{self, Choice, Decision, Manifest, Plan};
use crate::error::{Context, Error, Result};
use crate::input::files;
use crate::input::workspace;
use crate::model::data::Data;
use crate::model::phrases::count;
use crate::model::policy;
use crate::report::{human, json};
use crate::text::{WIDTH, sanitize, wrap};
use semver::Version;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
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
    let mut ws = super::locate_workspace(common, env, false)?;
    if journal::pending(&ws.root) {
        if args.dry_run {
            return Err(Error::in_file(
                &shown_path(&ws.root.join(journal::FILE_NAME), env),
                "an interrupted upgrade left this journal: run `cargo wasmtime-support upgrade` (without --dry-run) to roll it back",
            ));
        }
        let allowed: Vec<PathBuf> = ws
            .manifests
            .iter()
            .cloned()
            .chain([ws.lockfile.clone()])
            .collect();
        if let Some(said) = journal::recover(&ws.root, &allowed)? {
            let _ = writeln!(err, "note: {said}");
        }
        ws = super::locate_workspace(common, env, false)?;
    }
    let inv = inventory_of(&ws, &data, as_of)?;
    let in_use: Vec<u32> = inv.trains.keys().copied().collect();
    let trains: upgrade::Trains = inv
        .trains
        .iter()
        .map(|(&m, crates)| (m, crate::check::audit::held_crates(crates)))
        .collect();
    let stale = upgrade::staleness(&data, as_of);
    let toolchain = match &ws.rust_version {
        Some(_) => None,
        None => super::toolchain_version(&ws.root, env),
    };
    let limits = Limits {
        as_of,
        rust: ws.rust_version.clone().or_else(|| toolchain.clone()),
        declared: ws.rust_version.is_some(),
    };
    let decision = upgrade::decide(
        &data,
        args.to.as_deref(),
        &trains,
        &limits,
        args.ignore_rust_version,
    )?;
    let choice = match decision {
        Decision::Move(c) => c,
        Decision::Stay(why) => return stay(common, &why, stale.as_deref(), out),
    };
    // A downgrade the advice makes by default is the one that restores
    // support (or fits the Rust version); one that moves a train that is
    // supported and builds needs the flag.
    let needless = |m: &upgrade::TrainMove| {
        policy::is_supported(m.from, as_of)
            && crate::check::resolve::resolve(&data, m.from, &trains[&m.from], &limits)
                .resolved()
                .is_some()
    };
    if args.to.is_some()
        || choice
            .moves
            .iter()
            .any(|m| m.change == "downgrade" && needless(m))
    {
        refuse_downgrade(&choice, args)?;
    }
    let rust = rust_version_gap(&choice, limits.rust.as_ref(), toolchain.is_none());

    let manifests = ws
        .manifests
        .iter()
        .map(|p| {
            let shown = shown_path(p, env);
            let text = files::read_manifest(p, &shown)?;
            Ok(Manifest { path: shown, text })
        })
        .collect::<Result<Vec<_>>>()?;
    let plan = upgrade::plan(&manifests, &data, &choice)?;
    let changed: Vec<Change> = ws
        .manifests
        .iter()
        .zip(&plan.manifests)
        .filter(|(_, m)| !m.edits.is_empty())
        .map(|(p, m)| Change {
            path: p.clone(),
            shown: m.path.clone(),
            old: m.old_text.as_bytes().to_vec(),
            new: m.new_text.as_bytes().to_vec(),
        })
        .collect();
    let notes = reading_list(&data, &in_use, choice.target);
    let mut messages: Vec<String> = stale.into_iter().collect();
    if let Some(gap) = &rust {
        messages.push(format!("{gap} (--ignore-rust-version)"));
    }

    let outcome = if args.dry_run || changed.is_empty() {
        Ok(Applied::default())
    } else {
        apply(args, &ws, changed.clone(), env)
    };

    if common.format == Format::Json {
        let (written, restored, error) = match &outcome {
            Ok(a) => (a.written.clone(), Vec::new(), None),
            Err(f) => (Vec::new(), f.restored.clone(), Some(f.message())),
        };
        let doc = serde_json::json!({
            "target": choice.target,
            "target_version": choice.version.to_string(),
            "dry_run": args.dry_run,
            "trains": choice.moves,
            "notes": messages,
            "manifests": plan.manifests,
            "written": written,
            "lockfile_updated": outcome.as_ref().is_ok_and(|a| a.lockfile_updated),
            "restored": restored,
            "error": error,
            "release_notes": notes,
        });
        if let (Ok(a), Err(e)) = (&outcome, write_out(out, &json::render(&doc))) {
            return Err(done_but_unreported(&e, a.written.len(), a.lockfile_updated));
        }
        return match outcome {
            Ok(_) => Ok(0),
            Err(f) => {
                let _ = writeln!(err, "error: {}", sanitize(&f.message()));
                Ok(2)
            }
        };
    }
    let applied = outcome.map_err(|f| Error::new(f.message()))?;

    let mut text = report(&plan, &choice, &messages);
    if args.dry_run {
        for m in plan.manifests.iter().filter(|m| !m.edits.is_empty()) {
            text.push('\n');
            text.push_str(&upgrade::unified_diff(m));
        }
        text.push_str(&format!(
            "\nDry run: {} would change; nothing was written.\n",
            count(changed.len(), "manifest", "manifests")
        ));
    } else if !changed.is_empty() {
        text.push_str(&format!(
            "\nWrote {}.\n",
            count(applied.written.len(), "manifest", "manifests")
        ));
        if args.no_update {
            text.push_str(&wrap(
                "Cargo.lock was not updated (--no-update): run `cargo update --workspace` before building.",
                WIDTH,
                0,
            ));
            text.push('\n');
        } else {
            text.push_str("Updated Cargo.lock with `cargo update --workspace`.\n\n");
            let inv = inventory_of(&ws, &data, as_of)?;
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
    write_out(out, &crate::text::terminal_safe(text)).map_err(|e| {
        if args.dry_run || applied.written.is_empty() {
            e
        } else {
            done_but_unreported(&e, applied.written.len(), applied.lockfile_updated)
        }
    })?;
    Ok(0)
}

/// An output that fails after the upgrade was written: the message says
/// what was done, never that nothing was.
fn done_but_unreported(e: &Error, manifests: usize, lockfile: bool) -> Error {
    let lock = if lockfile { " and Cargo.lock" } else { "" };
    Error::new(format!(
        "the upgrade was written ({}{lock}), but its report was not: {e}",
        count(manifests, "manifest", "manifests")
    ))
}

/// No move by default: say why, per train (never "nothing to upgrade" for a
/// train that needs a decision).
fn stay(
    common: &CommonArgs,
    why: &[String],
    stale: Option<&str>,
    out: &mut dyn Write,
) -> Result<u8> {
    if common.format == Format::Json {
        let doc = serde_json::json!({
            "target": null,
            "reasons": why,
            "notes": stale.into_iter().collect::<Vec<_>>(),
            "manifests": [],
        });
        write_out(out, &json::render(&doc))?;
        return Ok(0);
    }
    let mut text = String::from("No upgrade chosen; nothing was written.\n");
    for line in why.iter().map(String::as_str).chain(stale) {
        text.push_str(&wrap(&format!("  {line}"), WIDTH, 4));
        text.push('\n');
    }
    write_out(out, &text)?;
    Ok(0)
}

fn refuse_downgrade(choice: &Choice, args: &UpgradeArgs) -> Result<()> {
    let down: Vec<String> = choice
        .moves
        .iter()
        .filter(|m| m.change == "downgrade")
        .map(|m| m.from.to_string())
        .collect();
    if down.is_empty() || args.allow_downgrade {
        return Ok(());
    }
    Err(Error::new(format!(
        "moving to Wasmtime {} would downgrade Wasmtime {}; pass --allow-downgrade to do it",
        choice.target,
        down.join(", ")
    )))
}

/// Says so when the chosen versions need a newer Rust than cargo resolves
/// for (only reached with `--ignore-rust-version`).
fn rust_version_gap(choice: &Choice, have: Option<&Version>, declared: bool) -> Option<String> {
    let needed = choice.rust.as_ref()?;
    let have = have?;
    let short = |v: &Version| format!("{}.{}", v.major, v.minor);
    let whose = if declared {
        "the workspace declares rust-version"
    } else {
        "the toolchain is Rust"
    };
    ((needed.major, needed.minor) > (have.major, have.minor)).then(|| {
        format!(
            "Wasmtime {} needs Rust {} or newer; {whose} {}",
            choice.target,
            short(needed),
            short(have)
        )
    })
}

fn inventory_of(
    ws: &workspace::Workspace,
    data: &Data,
    as_of: chrono::NaiveDate,
) -> Result<inventory::Inventory> {
    let input = LockInput {
        lockfile: files::read_lockfile(&ws.lockfile, &mut std::io::empty())?,
        members: ws.members.clone(),
    };
    let newest = crate::model::family::newest_plausible_major(data.newest_major(), as_of);
    Ok(inventory::inventory_within(&[input], &data.family, newest))
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

fn report(plan: &Plan, choice: &Choice, messages: &[String]) -> String {
    let mut text = format!(
        "Upgrade to {} ({})\n",
        crate::model::phrases::label(plan.target),
        choice.version
    );
    if choice.moves.len() > 1 || choice.moves.iter().any(|m| m.change == "downgrade") {
        for m in &choice.moves {
            let what = match m.change {
                "same" => "already on it; requirements move to the newest patch".to_string(),
                change => change.to_string(),
            };
            let _ = writeln!(text, "  Wasmtime {} -> {}: {what}", m.from, m.to);
        }
    }
    for note in messages {
        text.push_str(&wrap(&format!("  Note: {note}"), WIDTH, 4));
        text.push('\n');
    }
    for m in plan.manifests.iter().filter(|m| !m.edits.is_empty()) {
        let _ = writeln!(text, "\n{}", sanitize(&m.path));
        for e in &m.edits {
            let name = if e.key == e.crate_name {
                sanitize(&e.key)
            } else {
                format!("{} ({})", sanitize(&e.key), sanitize(&e.crate_name))
            };
            let line = format!(
                "  [{}] {name} \"{}\" -> \"{}\"",
                sanitize(&e.table),
                sanitize(&e.from),
                sanitize(&e.to)
            );
            text.push_str(&wrap(&line, WIDTH, 4));
            text.push('\n');
        }
    }
    let untouched: Vec<(&str, &upgrade::Untouched)> = plan
        .manifests
        .iter()
        .flat_map(|m| m.untouched.iter().map(move |u| (m.path.as_str(), u)))
        .filter(|(_, u)| u.reason != upgrade::UntouchedReason::Current)
        .collect();
    if plan.manifests.iter().all(|m| m.edits.is_empty()) {
        text.push_str("\nNo requirement needs to change.\n");
    }
    if !untouched.is_empty() {
        text.push_str("\nNot changed:\n");
        for (path, u) in untouched {
            let line = format!(
                "  {} [{}] {}: {}",
                sanitize(path),
                sanitize(&u.table),
                sanitize(&u.key),
                sanitize(&u.detail)
            );
            text.push_str(&wrap(&line, WIDTH, 4));
            text.push('\n');
        }
    }
    text
}

#[derive(Debug, Default)]
struct Applied {
    written: Vec<String>,
    lockfile_updated: bool,
}

/// Checks the work tree, writes the manifests and updates the lockfile; on
/// any failure puts every byte back.
fn apply(
    args: &UpgradeArgs,
    ws: &workspace::Workspace,
    mut changed: Vec<Change>,
    env: &Env,
) -> std::result::Result<Applied, Failure> {
    let nothing = |error: Error| Failure {
        error,
        restored: Vec::new(),
        not_restored: Vec::new(),
    };
    if !args.allow_dirty {
        let dirty: Vec<String> = changed
            .iter()
            .filter(|c| is_dirty(&c.path))
            .map(|c| sanitize(&c.shown))
            .collect();
        if !dirty.is_empty() {
            return Err(nothing(Error::new(format!(
                "the manifests have uncommitted changes ({}); commit or stash them first, or pass --allow-dirty",
                dirty.join(", ")
            ))));
        }
    }
    transaction::check(&mut changed).map_err(nothing)?;
    // The lockfile as it was, to put back if `cargo update` fails half-way.
    let lock_before = std::fs::read(&ws.lockfile).ok();
    let lock_shown = shown_path(&ws.lockfile, env);
    let journaled: Vec<(PathBuf, String, Vec<u8>)> = changed
        .iter()
        .map(|c| (c.path.clone(), c.shown.clone(), c.old.clone()))
        .chain(
            lock_before
                .clone()
                .filter(|_| !args.no_update)
                .map(|old| (ws.lockfile.clone(), lock_shown.clone(), old)),
        )
        .collect();
    let journal = Journal::begin(&ws.root, &journaled).map_err(nothing)?;
    let result = (|| {
        transaction::replace_all(&changed)?;
        let undo = |error: Error| {
            let mut all: Vec<Change> = changed.clone();
            if let Some(old) = &lock_before
                && std::fs::read(&ws.lockfile).ok().as_ref() != Some(old)
            {
                all.push(Change {
                    path: ws.lockfile.clone(),
                    shown: lock_shown.clone(),
                    new: Vec::new(),
                    old: old.clone(),
                });
            }
            let refs: Vec<&Change> = all.iter().collect();
            transaction::restore(error, &refs)
        };
        if journal.interrupted() {
            return Err(undo(interrupted()));
        }
        let written = changed.iter().map(|c| c.shown.clone()).collect();
        if args.no_update {
            return Ok(Applied {
                written,
                lockfile_updated: false,
            });
        }
        if let Err(error) = cargo_update(&ws.root, args.offline, env, &journal) {
            return Err(undo(error));
        }
        Ok(Applied {
            written,
            lockfile_updated: true,
        })
    })();
    journal.end();
    result
}

fn interrupted() -> Error {
    Error::new("interrupted (SIGINT or SIGTERM) during the upgrade")
}

/// Runs `cargo update`, stopping it when the upgrade is interrupted.
fn cargo_update(root: &Path, offline: bool, env: &Env, journal: &Journal) -> Result<()> {
    let cargo = env.cargo.clone().unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args(["update", "--workspace", "--manifest-path"])
        .args(offline.then_some("--offline"))
        .arg(root.join("Cargo.toml"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run `cargo update`")?;
    // Read on a thread, so a chatty cargo never blocks on a full pipe.
    let mut pipe = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(p) = pipe.as_mut() {
            let _ = std::io::Read::read_to_string(p, &mut text);
        }
        text
    });
    let status = loop {
        if journal.interrupted() {
            let _ = child.kill();
            let _ = child.wait();
            let _ = reader.join();
            return Err(interrupted());
        }
        match child.try_wait().context("cannot run `cargo update`")? {
            Some(status) => break status,
            None => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    let stderr = reader.join().unwrap_or_default();
    if journal.interrupted() {
        return Err(interrupted());
    }
    if status.success() {
        return Ok(());
    }
    let why = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or_else(|| stderr.trim());
    Err(Error::new(format!(
        "`cargo update --workspace` failed: {}",
        sanitize(why)
    )))
}

/// Whether git reports uncommitted changes to `path`: the path as given and,
/// for a symlink, the file it points at (in whatever repository holds it).
/// `-z` keeps git from quoting unusual names; the pathspec names the file
/// itself, so any entry at all means it is modified or untracked. Outside a
/// repository (or without git) nothing is dirty.
fn is_dirty(path: &Path) -> bool {
    let mut paths: Vec<PathBuf> = vec![path.to_path_buf()];
    if let Ok(real) = std::fs::canonicalize(path)
        && real != path
    {
        paths.push(real);
    }
    paths.iter().any(|p| {
        let (Some(dir), Some(name)) = (p.parent(), p.file_name()) else {
            return false;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "core.quotePath=false",
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=all",
                "--",
            ])
            .arg(name)
            .stdin(std::process::Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
    })
}
