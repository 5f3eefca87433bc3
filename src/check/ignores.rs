//! The configuration's ignores: a current ignore moves what it covers to
//! `ignored`; an expired one brings its findings back (`ignore-expired`); one
//! that matches nothing is reported (`unused-ignore`).

use crate::check::context::Options;
use crate::check::security;
use crate::input::config::{Ignore, VersionMatch};
use crate::model::findings::{AdvisoryRef, Code, Finding};
use crate::model::train::Train;
use chrono::NaiveDate;
use semver::Version;
use serde::Serialize;

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

/// Moves findings covered by a current ignore to `ignored`; expired ignores
/// bring theirs back with `ignore-expired`, unmatched ones add `unused-ignore`.
/// An advisory ignore takes its advisory out of a `vulnerable` finding, which
/// goes only when no advisory is left.
pub fn apply(
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
                .filter(|t| t.support.major == major)
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
