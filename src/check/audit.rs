//! The audit: builds the trains (status, facts, advice) from an inventory,
//! runs every check on them, applies levels and ignores, and decides the
//! outcome once. Its `Options` and the checks' `Context` are in `context`.
//! Pure: no clock, files or printing. `Audit` is the JSON
//! contract (`schema_version`).

use crate::check::context::{Check, Context, Options, Sink};
use crate::check::dependents::Puller;
use crate::check::ignores::{self, Ignored};
use crate::check::inventory::{CrateUse, Inventory, LockfileSummary};
use crate::check::{bindings, lifecycle, lockfiles, recommend, resolve, security};
use crate::input::lockfile::Source;
use crate::model::data::{Data, Provenance};
use crate::model::findings::{Finding, Location, Outcome};
use crate::model::releases::{self, Support};
use crate::model::train::{CrateReport, DepKind, PullerReport, Train};
use chrono::NaiveDate;
use semver::Version;
use serde::Serialize;
use std::collections::BTreeSet;

/// Every check, in the order their findings are reported before sorting.
const CHECKS: [Check; 4] = [
    lifecycle::check,
    security::check,
    bindings::check,
    lockfiles::check,
];

/// 2: one `vulnerable` finding per crate version, train status never
/// `prerelease` (see `prerelease`), `upgrade.restore` and `upgrade.move_by`,
/// ignores by advisory, every finding located.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub schema_version: u32,
    pub as_of: NaiveDate,
    pub data_date: NaiveDate,
    /// Which release data was used: embedded, or refreshed from the registry.
    pub data: Provenance,
    pub supported_through: Option<NaiveDate>,
    pub rust_version: Option<Version>,
    pub lockfiles: Vec<LockfileSummary>,
    pub trains: Vec<Train>,
    /// Majors left out by `--exclude-dev` (used only by dev-dependencies).
    pub excluded_dev_only: Vec<u32>,
    pub findings: Vec<Finding>,
    /// Findings hidden by an ignore in the configuration.
    pub ignored: Vec<Ignored>,
    pub result: Outcome,
    /// Inputs that could not be read and were skipped (`--keep-going`): the
    /// report is about the others only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<Unreadable>,
}

/// An input skipped with `--keep-going`, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub error: String,
}

pub fn audit(inv: &Inventory, data: &Data, opts: &Options) -> Audit {
    let mut trains: Vec<Train> = inv
        .trains
        .iter()
        .map(|(&major, crates)| train(major, crates, inv, data, opts))
        .collect();
    let mut excluded_dev_only = Vec::new();
    if opts.exclude_dev {
        trains.retain(|t| {
            if t.dev_only {
                excluded_dev_only.push(t.support.major);
            }
            !t.dev_only
        });
    }

    let cx = Context {
        trains: &trains,
        inventory: inv,
        data,
        opts,
    };
    let mut sink = Sink::default();
    for check in CHECKS {
        check(&cx, &mut sink);
    }
    let findings = sink.into_findings();

    // Allowed findings are gone before ignores are matched, so an ignore only
    // ever hides what would have been shown; then the ignore findings get levels.
    let with_levels = |findings: Vec<Finding>| -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| {
                f.level = opts.levels.level_from(f.code, f.level)?;
                Some(f)
            })
            .collect()
    };
    let (findings, ignored) = ignores::apply(with_levels(findings), &trains, opts);
    let mut findings = with_levels(findings);
    // Every finding points somewhere (code scanning rejects results without a
    // location): findings about no package point at the top of the lockfile.
    if let Some(first) = inv.lockfiles.first() {
        for f in findings.iter_mut().filter(|f| f.location.is_none()) {
            f.location = Some(Location {
                path: first.path.clone(),
                line: 1,
            });
        }
    }
    // Errors first, then warnings, then notes; within a level by train.
    findings.sort_by_key(|f| (std::cmp::Reverse(f.level), f.major.unwrap_or(u32::MAX)));
    Audit {
        schema_version: SCHEMA_VERSION,
        as_of: opts.as_of,
        data_date: data.data_date,
        data: data.provenance.clone(),
        supported_through: opts.supported_through,
        rust_version: opts.rust_version.clone(),
        lockfiles: inv.lockfiles.clone(),
        trains,
        excluded_dev_only,
        result: Outcome::of(&findings),
        unreadable: Vec::new(),
        findings,
        ignored,
    }
}

fn train(major: u32, crates: &[CrateUse], inv: &Inventory, data: &Data, opts: &Options) -> Train {
    let release = releases::release(data, major);
    let prerelease: BTreeSet<&Version> = crates
        .iter()
        .filter(|c| c.is_prerelease())
        .map(|c| &c.version)
        .collect();
    let pulled_in_by: Vec<PullerReport> = inv
        .pullers
        .get(&major)
        .into_iter()
        .flatten()
        .map(|(lockfile, p): &(usize, Puller)| PullerReport {
            lockfile: inv.lockfiles[*lockfile].path.clone(),
            member: p.member.clone(),
            kind: p.kind,
            chain: p.chain.clone(),
            first_is_path: p.first_is_path,
        })
        .collect();
    let dev_only = !pulled_in_by.is_empty() && pulled_in_by.iter().all(|p| p.kind == DepKind::Dev);
    let lockfiles: BTreeSet<usize> = crates.iter().map(|c| c.lockfile).collect();
    let held = held_crates(crates);
    let mut t = Train {
        support: Support::at(data, major, opts.as_of, true),
        newest_patch: newest_patch(data, major, &held, opts, release.as_ref()),
        prerelease: prerelease.into_iter().cloned().collect(),
        lockfiles: lockfiles
            .into_iter()
            .map(|i| inv.lockfiles[i].path.clone())
            .collect(),
        crates: crates
            .iter()
            .map(|c| CrateReport {
                name: c.name.clone(),
                version: c.version.clone(),
                source: c.source.kind(),
                url: c.source.display_url().map(str::to_string),
                lockfile: inv.lockfiles[c.lockfile].path.clone(),
                line: c.line,
                inferred: c.inferred,
                reference: c.reference.clone(),
                direct: c.direct,
            })
            .collect(),
        pulled_in_by,
        dev_only,
        upgrade: recommend::recommend(data, major, &held, &opts.limits()),
        advisories_unknown_after: None,
        held,
    };
    t.advisories_unknown_after = security::train_advisories_unknown_after(&t, data);
    t.upgrade.via = brought_in_by(&t.pulled_in_by, &data.family);
    // Held only through a binding: the advice in the binding's releases.
    let binding = t.crates.iter().find_map(|c| c.source.binding());
    if let Some(b) = binding.filter(|_| t.held.is_empty()) {
        bindings::advise(&mut t.upgrade, b, data, opts.as_of);
    }
    if !t.upgrade.via.is_empty() {
        t.upgrade.effort.clear();
    }
    t
}

/// The direct dependencies a train comes in through, when no workspace
/// member depends on one of its crates directly: the first step of every
/// chain, when that step is someone else's crate (not the project's own
/// path crate, not a family crate). Empty when the workspace's members are
/// not known (a lockfile alone).
fn brought_in_by(pullers: &[PullerReport], family: &crate::model::family::Family) -> Vec<String> {
    let mut via: Vec<String> = Vec::new();
    for p in pullers {
        let Some(first) = p
            .chain
            .get(1)
            .filter(|_| p.chain.len() >= 3 && !p.first_is_path)
        else {
            return Vec::new();
        };
        let name = first.split('@').next().unwrap_or(first);
        if family.is_member(name) {
            return Vec::new();
        }
        if !via.contains(first) {
            via.push(first.clone());
        }
    }
    via.sort();
    via
}

/// The newest patch of the train's line that cargo resolves for its crates
/// (whatever Rust it needs: the line is already in use); none when no
/// release of it resolves; the newest known for a line the registry facts
/// do not cover.
fn newest_patch(
    data: &Data,
    major: u32,
    held: &[(String, bool)],
    opts: &Options,
    release: Option<&releases::Release>,
) -> Option<Version> {
    if major == 0 || held.is_empty() || data.published.major(major).is_empty() {
        return release.and_then(|r| r.latest_patch.clone());
    }
    resolve::resolve(data, major, held, &opts.limits())
        .resolved_for_any_rust()
        .map(|r| r.wasmtime_version())
}

/// The registry crates of a train as cargo resolves them, the subject
/// first: a crate the workspace depends on directly (`wasmtime` first, then
/// the headline crates), else `wasmtime`, else the headline crate.
pub fn held_crates(crates: &[CrateUse]) -> Vec<(String, bool)> {
    let mut held: Vec<(String, bool)> = Vec::new();
    for c in crates
        .iter()
        .filter(|c| matches!(c.source, Source::Registry { .. }))
    {
        match held.iter_mut().find(|(n, _)| *n == c.name) {
            Some(h) => h.1 |= c.direct,
            None => held.push((c.name.clone(), c.direct)),
        }
    }
    let rank = |(name, direct): &(String, bool)| {
        let headline = Train::HEADLINE_CRATES
            .iter()
            .position(|h| h == name)
            .unwrap_or(usize::MAX);
        (!direct, name != "wasmtime", headline, name.clone())
    };
    held.sort_by_key(rank);
    held
}
