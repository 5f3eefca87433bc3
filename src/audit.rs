//! The audit: from an inventory, the data and a date to trains with their
//! status, findings and upgrade advice. Pure: no clock, files or printing.
//! `Audit` is the JSON contract (`schema_version`).

use crate::data::Data;
use crate::findings::{Code, Finding, Levels, Outcome};
use crate::inventory::{CrateUse, Inventory, LockfileSummary};
use crate::policy::{self, Status};
use crate::recommend::{self, Upgrade};
use crate::releases;
use chrono::NaiveDate;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone)]
pub struct Options {
    pub as_of: NaiveDate,
    /// `eol-soon` fires when a train's EOL is at most this many days away.
    pub warn_within_days: i64,
    pub levels: Levels,
}

impl Options {
    pub fn new(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            warn_within_days: 30,
            levels: Levels::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub schema_version: u32,
    pub as_of: NaiveDate,
    pub data_date: NaiveDate,
    pub lockfiles: Vec<LockfileReport>,
    pub trains: Vec<Train>,
    pub findings: Vec<Finding>,
    pub result: Outcome,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockfileReport {
    pub path: String,
    pub format: u32,
    pub packages: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Train {
    /// The Wasmtime major; 0 is the pre-1.0 era (Wasmtime 0.x, Cranelift <= 0.87).
    pub major: u32,
    pub lts: bool,
    pub status: Status,
    pub release_date: Option<NaiveDate>,
    pub eol_date: Option<NaiveDate>,
    /// Days from the evaluated date to the EOL date; negative once past.
    pub days_left: Option<i64>,
    /// The dates come from the policy alone: the data has not seen this major.
    pub projected: bool,
    pub crates: Vec<CrateReport>,
    pub upgrade: Upgrade,
}

impl Train {
    /// `Wasmtime 27`, `Wasmtime 48 LTS`, `Wasmtime 0.x (pre-1.0)`.
    pub fn label(&self) -> String {
        match (self.major, self.lts) {
            (0, _) => "Wasmtime 0.x (pre-1.0)".to_string(),
            (m, true) => format!("Wasmtime {m} LTS"),
            (m, false) => format!("Wasmtime {m}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CrateReport {
    pub name: String,
    pub version: String,
    /// `registry`, `git` or `path`.
    pub source: &'static str,
    /// The git URL (a fork still belongs to the upstream train) or a non-crates.io registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub lockfile: String,
    pub line: u32,
    /// The major was inferred from the rest of the lockfile.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

pub fn audit(inv: &Inventory, data: &Data, opts: &Options) -> Audit {
    let mut findings = Vec::new();
    let trains: Vec<Train> = inv
        .trains
        .iter()
        .map(|(&major, crates)| train(major, crates, inv, data, opts))
        .collect();

    for t in &trains {
        train_findings(t, opts, &mut findings);
    }
    for (index, lock) in inv.lockfiles.iter().enumerate() {
        let majors = inv.majors_in(index);
        if majors.len() > 1 {
            let list: Vec<String> = majors.iter().map(|m| m.to_string()).collect();
            findings.push(finding(
                Code::MultipleTrains,
                None,
                format!(
                    "{} holds {} Wasmtime majors ({}): each is built and must be kept supported separately",
                    lock.path,
                    majors.len(),
                    list.join(", ")
                ),
            ));
        }
    }
    for c in &inv.unrecognized {
        let mut f = finding(
            Code::UnrecognizedVersion,
            None,
            format!(
                "{} {} matches no Wasmtime release; its support status is unknown",
                c.name, c.version
            ),
        );
        f.crate_name = Some(c.name.clone());
        f.version = Some(c.version.to_string());
        findings.push(f);
    }

    let findings: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut f| {
            f.level = opts.levels.level_of(f.code)?;
            Some(f)
        })
        .collect();
    Audit {
        schema_version: SCHEMA_VERSION,
        as_of: opts.as_of,
        data_date: data.data_date,
        lockfiles: inv.lockfiles.iter().map(lockfile_report).collect(),
        trains,
        result: Outcome::of(&findings),
        findings,
    }
}

fn lockfile_report(l: &LockfileSummary) -> LockfileReport {
    LockfileReport {
        path: l.path.clone(),
        format: l.format,
        packages: l.packages,
    }
}

fn train(major: u32, crates: &[CrateUse], inv: &Inventory, data: &Data, opts: &Options) -> Train {
    let release = releases::release(data, major);
    let prerelease = crates.iter().any(CrateUse::is_prerelease);
    let status = if prerelease {
        Status::Prerelease
    } else {
        policy::status(major, opts.as_of)
    };
    Train {
        major,
        lts: policy::is_lts(major),
        status,
        release_date: release.as_ref().map(|r| r.release_date),
        eol_date: release.as_ref().map(|r| r.eol_date),
        days_left: release
            .as_ref()
            .map(|r| (r.eol_date - opts.as_of).num_days()),
        projected: release.as_ref().is_some_and(|r| r.projected),
        crates: crates
            .iter()
            .map(|c| CrateReport {
                name: c.name.clone(),
                version: c.version.to_string(),
                source: c.source.kind(),
                url: c.source.display_url().map(str::to_string),
                lockfile: inv.lockfiles[c.lockfile].path.clone(),
                line: c.line,
                inferred: c.inferred,
            })
            .collect(),
        upgrade: recommend::recommend(data, major, opts.as_of),
    }
}

fn train_findings(t: &Train, opts: &Options, out: &mut Vec<Finding>) {
    let label = t.label();
    let advice = advice_sentence(&t.upgrade);
    match t.status {
        Status::Eol => {
            let message = match (t.eol_date, t.days_left) {
                (Some(eol), Some(days)) => format!(
                    "{label} reached end of life on {eol} ({} ago) and gets no security fixes; {advice}",
                    days_text(-days)
                ),
                _ => format!("{label} was never supported by the release policy; {advice}"),
            };
            out.push(finding(Code::Eol, Some(t.major), message));
        }
        Status::Prerelease => {
            let versions: Vec<&str> = t
                .crates
                .iter()
                .filter(|c| c.version.contains('-'))
                .map(|c| c.version.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            out.push(finding(
                Code::Prerelease,
                Some(t.major),
                format!(
                    "{label} is used at pre-release version {}: pre-releases are never supported",
                    versions.join(", ")
                ),
            ));
        }
        Status::Unreleased => {
            if let Some(release) = t.release_date {
                out.push(finding(
                    Code::Unreleased,
                    Some(t.major),
                    format!(
                        "{label} is not due for release until {release} by the release calendar"
                    ),
                ));
            }
        }
        Status::Supported => {
            if let (Some(eol), Some(days)) = (t.eol_date, t.days_left)
                && days <= opts.warn_within_days
            {
                out.push(finding(
                    Code::EolSoon,
                    Some(t.major),
                    format!(
                        "{label} reaches end of life on {eol} ({}); {advice}",
                        in_days(days)
                    ),
                ));
            }
            if !t.lts {
                out.push(finding(
                    Code::NotLts,
                    Some(t.major),
                    format!(
                        "{label} is not an LTS release: it is supported for {} months only; {advice}",
                        policy::NORMAL_SUPPORT_MONTHS
                    ),
                ));
            }
        }
    }
}

fn finding(code: Code, major: Option<u32>, message: String) -> Finding {
    Finding {
        code,
        level: code.default_level(),
        major,
        crate_name: None,
        version: None,
        message,
    }
}

/// The upgrade advice as a sentence fragment, for finding messages.
pub fn advice_sentence(u: &Upgrade) -> String {
    match (u.advice, u.target, u.target_version.as_deref()) {
        (recommend::Advice::OnNewestLts, ..) => {
            format!("it is the newest LTS; the next LTS is {}", u.next_lts.major)
        }
        (recommend::Advice::MoveToLts, Some(t), Some(v)) => {
            format!("upgrade to {t} LTS ({v})")
        }
        (recommend::Advice::NextLts, Some(t), _) => match &u.alternative {
            Some(back) => format!(
                "plan for {t} LTS (due {}) or move back to {} LTS ({})",
                u.target_release_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                back.major,
                back.version
            ),
            None => format!(
                "plan for {t} LTS (due {})",
                u.target_release_date
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
        },
        _ => "no upgrade target is known".to_string(),
    }
}

/// `1 day`, `670 days`.
pub fn days_text(days: i64) -> String {
    if days.abs() == 1 {
        format!("{days} day")
    } else {
        format!("{days} days")
    }
}

/// `today`, `in 1 day`, `in 29 days`.
pub fn in_days(days: i64) -> String {
    if days == 0 {
        "today".to_string()
    } else {
        format!("in {}", days_text(days))
    }
}
