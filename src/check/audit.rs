//! The audit: from an inventory, the data and a date to trains with their
//! status, findings and upgrade advice. Pure: no clock, files or printing.
//! `Audit` is the JSON contract (`schema_version`).

use crate::check::dependents::Puller;
use crate::check::inventory::{CrateUse, Inventory};
use crate::check::recommend;
use crate::check::security;
use crate::input::config::{Ignore, VersionMatch};
use crate::model::data::{Data, Provenance};
use crate::model::findings::{AdvisoryRef, Code, Finding, Levels, Location, Outcome};
use crate::model::phrases::{self, in_days};
use crate::model::policy::{self, Status};
use crate::model::releases;
use crate::model::train::DepKind;
use crate::model::train::{CrateReport, PullerReport, Train};
use chrono::NaiveDate;
use semver::Version;
use serde::Serialize;
use std::collections::BTreeSet;

/// 2: one `vulnerable` finding per crate version, train status never
/// `prerelease` (see `prerelease`), `upgrade.restore` and `upgrade.move_by`,
/// ignores by advisory, every finding located.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone)]
pub struct Options {
    pub as_of: NaiveDate,
    /// `eol-soon` fires when a train's EOL is at most this many days away.
    pub warn_within_days: i64,
    pub levels: Levels,
    /// Every train must still be supported on this date (`unsupported-on`).
    pub supported_through: Option<NaiveDate>,
    pub ignores: Vec<Ignore>,
    /// Leave out trains that only dev-dependencies pull in.
    pub exclude_dev: bool,
    /// The workspace's declared rust-version (its lowest, across members).
    pub rust_version: Option<Version>,
    /// Where that rust-version is declared (the manifest and line).
    pub rust_version_at: Option<Location>,
}

impl Options {
    pub fn new(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            warn_within_days: 30,
            levels: Levels::default(),
            supported_through: None,
            ignores: Vec::new(),
            exclude_dev: false,
            rust_version: None,
            rust_version_at: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub schema_version: u32,
    pub as_of: NaiveDate,
    pub data_date: NaiveDate,
    /// Which release data was used: embedded, or refreshed from the registry.
    pub data: Provenance,
    pub supported_through: Option<NaiveDate>,
    pub rust_version: Option<Version>,
    pub lockfiles: Vec<LockfileReport>,
    pub trains: Vec<Train>,
    /// Majors left out by `--exclude-dev` (used only by dev-dependencies).
    pub excluded_dev_only: Vec<u32>,
    pub findings: Vec<Finding>,
    /// Findings hidden by an ignore in the configuration.
    pub ignored: Vec<Ignored>,
    pub result: Outcome,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockfileReport {
    pub path: String,
    pub format: u32,
    pub packages: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ignored {
    pub code: Code,
    pub major: Option<u32>,
    #[serde(rename = "crate")]
    pub crate_name: Option<String>,
    pub version: Option<String>,
    /// The advisory taken out of a `vulnerable` finding, for advisory ignores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    pub reason: String,
    pub until: Option<NaiveDate>,
}

impl Ignored {
    /// What was ignored (advisory, crate, version, those that are set), each
    /// part passed through the output's own `escape`, and the `until` suffix.
    pub fn subject(&self, escape: impl Fn(&str) -> String) -> String {
        let until = self
            .until
            .map(|d| format!(" until {d}"))
            .unwrap_or_default();
        let what = [
            self.advisory.as_deref(),
            self.crate_name.as_deref(),
            self.version.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(escape)
        .collect::<Vec<_>>()
        .join(" ");
        format!("{what}{until}")
    }
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
                excluded_dev_only.push(t.major);
            }
            !t.dev_only
        });
    }

    let mut findings = Vec::new();
    for t in &trains {
        train_findings(t, opts, &mut findings);
    }
    findings.extend(security::findings(
        &trains,
        data,
        opts.as_of,
        opts.rust_version.as_ref(),
        opts.rust_version_at.as_ref(),
    ));
    for (index, lock) in inv.lockfiles.iter().enumerate() {
        let here: Vec<&Train> = trains
            .iter()
            .filter(|t| t.lockfiles.contains(&lock.path) && inv.majors_in(index).contains(&t.major))
            .collect();
        if here.len() > 1 {
            let list: Vec<String> = here.iter().map(|t| t.major.to_string()).collect();
            let mut f = Finding::new(
                Code::MultipleTrains,
                None,
                format!(
                    "{} holds {} Wasmtime majors ({}): each is built and must be kept supported separately",
                    lock.path,
                    here.len(),
                    list.join(", ")
                ),
            );
            f.location = here[1].headline().map(|c| Location {
                path: c.lockfile.clone(),
                line: c.line,
            });
            findings.push(f);
        }
    }
    for c in &inv.unrecognized {
        let mut f = Finding::new(
            Code::UnrecognizedVersion,
            None,
            format!(
                "{} {} matches no Wasmtime release; its support status is unknown",
                c.name, c.version
            ),
        );
        f.crate_name = Some(c.name.clone());
        f.version = Some(c.version.to_string());
        f.location = Some(Location {
            path: inv.lockfiles[c.lockfile].path.clone(),
            line: c.line,
        });
        findings.push(f);
    }

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
    let (findings, ignored) = apply_ignores(with_levels(findings), &trains, opts);
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
        lockfiles: inv
            .lockfiles
            .iter()
            .map(|l| LockfileReport {
                path: l.path.clone(),
                format: l.format,
                packages: l.packages,
            })
            .collect(),
        trains,
        excluded_dev_only,
        result: Outcome::of(&findings),
        findings,
        ignored,
    }
}

fn train(major: u32, crates: &[CrateUse], inv: &Inventory, data: &Data, opts: &Options) -> Train {
    let release = releases::release(data, major);
    let status = policy::status(major, opts.as_of);
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
        })
        .collect();
    let dev_only = !pulled_in_by.is_empty() && pulled_in_by.iter().all(|p| p.kind == DepKind::Dev);
    let lockfiles: BTreeSet<usize> = crates.iter().map(|c| c.lockfile).collect();
    let mut t = Train {
        major,
        lts: policy::is_lts(major),
        status,
        release_date: release.as_ref().map(|r| r.release_date),
        eol_date: release.as_ref().map(|r| r.eol_date),
        days_left: release
            .as_ref()
            .map(|r| (r.eol_date - opts.as_of).num_days()),
        projected: release.as_ref().is_some_and(|r| r.projected),
        newest_patch: release.as_ref().and_then(|r| r.latest_patch.clone()),
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
            })
            .collect(),
        pulled_in_by,
        dev_only,
        upgrade: recommend::recommend(data, major, opts.as_of),
        advisories_unknown_after: None,
    };
    t.advisories_unknown_after = security::train_advisories_unknown_after(&t, data);
    t
}

fn train_findings(t: &Train, opts: &Options, out: &mut Vec<Finding>) {
    let label = t.label();
    let advice = t.upgrade.sentence();
    let dev = if t.dev_only {
        " (dev-dependencies only)"
    } else {
        ""
    };
    let at = t.headline().map(|c| Location {
        path: c.lockfile.clone(),
        line: c.line,
    });
    let mut push = |code: Code, message: String| {
        let mut f = Finding::new(code, Some(t.major), message);
        f.location = at.clone();
        if let Some(c) = t.headline() {
            f.crate_name = Some(c.name.clone());
            f.version = Some(c.version.to_string());
        }
        out.push(f);
    };
    match t.status {
        Status::Eol => {
            let message = match (t.eol_date, t.days_left) {
                (Some(eol), Some(days)) => format!(
                    "{label}{dev} reached end of life on {eol} ({} ago) and gets no security fixes; {advice}",
                    phrases::days(-days)
                ),
                _ => format!("{label}{dev} was never supported by the release policy; {advice}"),
            };
            push(Code::Eol, message);
        }
        Status::Unreleased => {
            if let Some(release) = t.release_date {
                push(
                    Code::Unreleased,
                    format!(
                        "{label}{dev} is not due for release until {release} by the release calendar"
                    ),
                );
            }
        }
        Status::Supported => {
            if let (Some(eol), Some(days)) = (t.eol_date, t.days_left)
                && days <= opts.warn_within_days
            {
                push(
                    Code::EolSoon,
                    format!(
                        "{label}{dev} reaches end of life on {eol} ({}); {advice}",
                        in_days(days)
                    ),
                );
            }
            if !t.lts {
                push(
                    Code::NotLts,
                    format!(
                        "{label}{dev} is not an LTS release: it is supported for {} months only; {advice}",
                        policy::NORMAL_SUPPORT_MONTHS
                    ),
                );
            }
        }
    }
    if !t.prerelease.is_empty() {
        let versions: Vec<String> = t.prerelease.iter().map(Version::to_string).collect();
        push(
            Code::Prerelease,
            format!(
                "{label}{dev} is used at pre-release version {}: pre-releases themselves are never supported; move to a release of the line",
                versions.join(", ")
            ),
        );
    }
    if let Some(through) = opts.supported_through {
        let supported = policy::is_supported(t.major, through);
        if !supported {
            let why = match (t.status, t.release_date, t.eol_date) {
                (_, _, None) => "pre-1.0 releases were never supported".to_string(),
                (_, Some(release), _) if through < release => {
                    format!("it is not released until {release}")
                }
                (_, _, Some(eol)) => format!("its support ends on {eol}"),
            };
            push(
                Code::UnsupportedOn,
                format!("{label}{dev} is not supported on {through}: {why}; {advice}"),
            );
        }
    }
}

/// Moves findings covered by a current ignore to `ignored`; expired ignores
/// bring theirs back with `ignore-expired`, unmatched ones add `unused-ignore`.
/// An advisory ignore takes its advisory out of a `vulnerable` finding, which
/// goes only when no advisory is left.
fn apply_ignores(
    findings: Vec<Finding>,
    trains: &[Train],
    opts: &Options,
) -> (Vec<Finding>, Vec<Ignored>) {
    let mut matched = vec![false; opts.ignores.len()];
    let current = |ig: &Ignore| ig.until.is_none_or(|until| opts.as_of <= until);
    let mut kept = Vec::with_capacity(findings.len());
    let mut ignored = Vec::new();
    for mut f in findings {
        if f.code == Code::Vulnerable {
            let before = f.advisories.len();
            let mut left = Vec::with_capacity(before);
            for adv in std::mem::take(&mut f.advisories) {
                let hit = opts
                    .ignores
                    .iter()
                    .enumerate()
                    .find(|(_, ig)| covers_advisory(ig, &f, &adv));
                match hit {
                    Some((i, ig)) => {
                        matched[i] = true;
                        if current(ig) {
                            ignored.push(ignored_entry(&f, ig, Some(adv.id.clone())));
                        } else {
                            left.push(adv);
                        }
                    }
                    None => left.push(adv),
                }
            }
            if left.is_empty() {
                continue;
            }
            if left.len() != before {
                f.message = security::vulnerable_message(&f, &left);
            }
            f.advisories = left;
        }
        let hit = opts
            .ignores
            .iter()
            .enumerate()
            .find(|(_, ig)| ig.advisory.is_none() && covers(ig, &f, trains));
        match hit {
            Some((i, ig)) => {
                matched[i] = true;
                if current(ig) {
                    ignored.push(ignored_entry(&f, ig, None));
                } else {
                    kept.push(f);
                }
            }
            None => kept.push(f),
        }
    }
    for (i, ig) in opts.ignores.iter().enumerate() {
        let what = ig.what();
        let mut f = match ig.until {
            Some(until) if opts.as_of > until => Finding::new(
                Code::IgnoreExpired,
                None,
                format!(
                    "the ignore for {what} expired on {until} (reason: {}); {}",
                    ig.reason,
                    if matched[i] {
                        "its findings are shown again"
                    } else {
                        "it matches nothing now either"
                    }
                ),
            ),
            _ if !matched[i] => Finding::new(
                Code::UnusedIgnore,
                None,
                format!(
                    "the ignore for {what} matches no finding; remove it from the configuration"
                ),
            ),
            _ => continue,
        };
        f.crate_name = ig.crate_name.clone();
        f.version = ig.version.as_ref().map(ToString::to_string);
        kept.push(f);
    }
    (kept, ignored)
}

fn ignored_entry(f: &Finding, ig: &Ignore, advisory: Option<String>) -> Ignored {
    Ignored {
        code: f.code,
        major: f.major,
        crate_name: ig.crate_name.clone().or_else(|| f.crate_name.clone()),
        version: ig
            .version
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| f.version.clone()),
        advisory,
        reason: ig.reason.clone(),
        until: ig.until,
    }
}

/// The train's own status, as opposed to findings about one crate.
fn is_train_status(code: Code) -> bool {
    matches!(
        code,
        Code::Eol
            | Code::EolSoon
            | Code::NotLts
            | Code::Prerelease
            | Code::Unreleased
            | Code::UnsupportedOn
    )
}

fn version_matches(ig: &Ignore, version: Option<&str>, major: Option<u32>) -> bool {
    match &ig.version {
        None => true,
        Some(VersionMatch::Exact(v)) => {
            version.is_some_and(|u| Version::parse(u).is_ok_and(|u| u == *v))
        }
        Some(VersionMatch::Major(m)) => major == Some(*m),
    }
}

/// Whether a crate ignore covers a finding: findings about the crate it names
/// at a matching version; with a major (`"27"`), also the status findings of
/// that train when the train holds the crate.
fn covers(ig: &Ignore, f: &Finding, trains: &[Train]) -> bool {
    let Some(name) = &ig.crate_name else {
        return false;
    };
    if is_train_status(f.code) {
        return match (&ig.version, f.major) {
            (Some(VersionMatch::Major(m)), Some(major)) if *m == major => trains
                .iter()
                .filter(|t| t.major == major)
                .any(|t| t.crates.iter().any(|c| c.name == *name)),
            _ => false,
        };
    }
    f.crate_name.as_deref() == Some(name.as_str())
        && version_matches(ig, f.version.as_deref(), f.major)
}

/// Whether an advisory ignore covers one advisory of a `vulnerable` finding.
fn covers_advisory(ig: &Ignore, f: &Finding, adv: &AdvisoryRef) -> bool {
    let Some(id) = &ig.advisory else {
        return false;
    };
    (adv.id == *id || adv.aliases.iter().any(|a| a == id))
        && ig
            .crate_name
            .as_ref()
            .is_none_or(|c| f.crate_name.as_deref() == Some(c.as_str()))
        && version_matches(ig, f.version.as_deref(), f.major)
}
