//! Security and freshness findings, from the facts: patch currency
//! (`outdated-patch`), advisories affecting the exact version (`vulnerable`),
//! yanked versions, majors the data has not seen (`stale-data`) and the Rust
//! version an upgrade needs (`msrv-gap`). Pure.

use crate::audit::{CrateReport, Train};
use crate::data::{Advisory, Data};
use crate::findings::{AdvisoryRef, Code, Finding, Location};
use crate::policy;
use chrono::{Days, NaiveDate};
use semver::{Op, Version};
use std::collections::BTreeSet;

/// Releases can ship a few days after their nominal date (weekends, delays).
const RELEASE_GRACE_DAYS: u64 = 7;

pub fn findings(
    trains: &[Train],
    data: &Data,
    as_of: NaiveDate,
    workspace_rust: Option<&Version>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in trains {
        outdated_patch(t, data, &mut out);
        for c in &t.crates {
            vulnerable(t, c, data, &mut out);
            if data.yanked.contains(&(c.name.clone(), c.version.clone())) {
                let mut f = Finding::new(
                    Code::Yanked,
                    Some(t.major),
                    format!(
                        "{} {} was yanked from the registry; update to a version that is not",
                        c.name, c.version
                    ),
                );
                locate(&mut f, c);
                out.push(f);
            }
        }
    }
    if let Some(f) = stale_data(data, as_of) {
        out.push(f);
    }
    if let Some(declared) = workspace_rust {
        msrv_gaps(trains, data, declared, &mut out);
    }
    out
}

/// The version of Wasmtime a train's crates stand for: the `wasmtime` crate's,
/// else the headline crate's patch in the train's line.
fn train_version(t: &Train) -> Option<(Version, &CrateReport)> {
    let c = t
        .crates
        .iter()
        .find(|c| c.name == "wasmtime")
        .or_else(|| t.headline())?;
    if !c.version.pre.is_empty() || (c.name == "pulley-interpreter" && c.version.major == 0) {
        return None;
    }
    Some((Version::new(u64::from(t.major), 0, c.version.patch), c))
}

fn outdated_patch(t: &Train, data: &Data, out: &mut Vec<Finding>) {
    let Some(facts) = data.majors.get(&t.major) else {
        return;
    };
    let Some(newest) = facts.latest_patch() else {
        return;
    };
    let Some((used, c)) = train_version(t) else {
        return;
    };
    if newest.version <= used {
        return;
    }
    let fixed: BTreeSet<&str> = facts
        .patches
        .iter()
        .filter(|p| p.version > used && p.version <= newest.version)
        .flat_map(|p| p.advisories.iter().map(String::as_str))
        .collect();
    let refs: Vec<AdvisoryRef> = fixed
        .iter()
        .map(|id| match data.advisories.iter().find(|a| a.id == *id) {
            Some(a) => advisory_ref(a, first_fixed_in_line(a, &used)),
            None => AdvisoryRef {
                id: id.to_string(),
                aliases: Vec::new(),
                title: "(not in the advisory data)".into(),
                url: None,
                fixed_in: None,
            },
        })
        .collect();
    let what = if c.name == "wasmtime" {
        format!("wasmtime {}", c.version)
    } else {
        format!("{} {} (Wasmtime {used})", c.name, c.version)
    };
    let fixes = if refs.is_empty() {
        String::new()
    } else {
        let ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
        let n = refs.len();
        let noun = if n == 1 { "advisory" } else { "advisories" };
        if n <= 4 {
            format!(
                "; the patches since fix {n} security {noun}: {}",
                ids.join(", ")
            )
        } else {
            format!("; the patches since fix {n} security {noun}")
        }
    };
    let unknown = unknown_advisories_note(data, t.major, used.patch, &newest.version);
    let mut f = Finding::new(
        Code::OutdatedPatch,
        Some(t.major),
        format!(
            "{what} is behind the newest patch of its line, {} (EffVer micro: a patch update, no breaking changes){fixes}{unknown}",
            newest.version
        ),
    );
    locate(&mut f, c);
    f.advisories = refs;
    out.push(f);
}

/// When patches after `patch` came out after the advisory data: what they
/// fix is unknown, and several lines patched the same day is the usual sign
/// of a security release.
fn unknown_advisories_note(data: &Data, major: u32, patch: u64, newest: &Version) -> String {
    if data.advisories_cover(major, newest.patch) {
        return String::new();
    }
    let mut note = format!(
        "; what the patches since fix is unknown (advisories after {})",
        data.provenance.advisories_date
    );
    let together: Vec<String> = data
        .majors
        .get(&major)
        .into_iter()
        .flat_map(|m| &m.patches)
        .filter(|p| p.version.patch > patch && !data.advisories_cover(major, p.version.patch))
        .flat_map(|p| data.patched_together(&p.version))
        .map(|v| v.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !together.is_empty() {
        let shown: Vec<&str> = together.iter().rev().take(4).map(String::as_str).collect();
        note.push_str(&format!(
            ", but other lines were patched the same days ({}), as security releases are",
            shown.join(", ")
        ));
    }
    note
}

/// Advisories published after the data's advisory date are unknown for a
/// train whose version, or a newer patch of its line, came out after it.
pub fn train_advisories_unknown_after(t: &Train, data: &Data) -> Option<NaiveDate> {
    let (used, _) = train_version(t)?;
    advisories_unknown_after(data, t.major, used.patch)
}

fn advisories_unknown_after(data: &Data, major: u32, patch: u64) -> Option<NaiveDate> {
    let m = data.majors.get(&major)?;
    let uncovered = !data.advisories_cover(major, patch)
        || m.patches
            .iter()
            .any(|p| p.version.patch > patch && !data.advisories_cover(major, p.version.patch));
    uncovered.then_some(data.provenance.advisories_date)
}

fn vulnerable(t: &Train, c: &CrateReport, data: &Data, out: &mut Vec<Finding>) {
    // Pre-releases are never listed in advisories, and semver ranges do not match them.
    if !c.version.pre.is_empty() {
        return;
    }
    for a in data
        .advisories
        .iter()
        .filter(|a| a.crate_name == c.name && a.affects(&c.version))
    {
        let fixed = first_fixed_in_line(a, &c.version);
        let mut ids = a.rustsec.clone();
        ids.extend(a.aliases.iter().cloned());
        let ids = if ids.is_empty() {
            String::new()
        } else {
            format!(" ({})", ids.join(", "))
        };
        let informational = a
            .informational
            .as_deref()
            .map(|i| format!(" [informational: {i}]"))
            .unwrap_or_default();
        let fix = match &fixed {
            Some(v) => format!("fixed in {v}"),
            None => "no fix in this line: move to a supported line".to_string(),
        };
        let mut f = Finding::new(
            Code::Vulnerable,
            Some(t.major),
            format!(
                "{} {} is affected by {}{ids}{informational}: {}; {fix}",
                c.name, c.version, a.id, a.title
            ),
        );
        locate(&mut f, c);
        f.advisories = vec![advisory_ref(a, fixed)];
        out.push(f);
    }
}

fn locate(f: &mut Finding, c: &CrateReport) {
    f.crate_name = Some(c.name.clone());
    f.version = Some(c.version.to_string());
    f.location = Some(Location {
        path: c.lockfile.clone(),
        line: c.line,
    });
}

/// The reference to `a` that findings and reports carry.
pub fn advisory_ref(a: &Advisory, fixed_in: Option<Version>) -> AdvisoryRef {
    let mut aliases = a.rustsec.clone();
    aliases.extend(a.aliases.iter().cloned());
    AdvisoryRef {
        id: a.id.clone(),
        aliases,
        title: a.title.clone(),
        url: a.url.clone(),
        fixed_in: fixed_in.map(|v| v.to_string()),
    }
}

/// The lowest patched version in the same release line as `v` (same major,
/// and same minor for 0.x), from the advisory's `>=` bounds.
pub fn first_fixed_in_line(a: &Advisory, v: &Version) -> Option<Version> {
    a.patched
        .iter()
        .flat_map(|req| &req.comparators)
        .filter(|c| {
            c.op == Op::GreaterEq
                && c.major == v.major
                && (v.major != 0 || c.minor == Some(v.minor))
        })
        .map(|c| Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)))
        .filter(|fixed| fixed > v)
        .min()
}

/// Majors the calendar says are out (with a few days' grace) but the data has not seen.
fn stale_data(data: &Data, as_of: NaiveDate) -> Option<Finding> {
    let expected = policy::newest_released(as_of.checked_sub_days(Days::new(RELEASE_GRACE_DAYS))?)?;
    let known = data.newest_major();
    if expected <= known {
        return None;
    }
    let missing = if expected == known + 1 {
        format!("Wasmtime {expected}")
    } else if expected - known <= 4 {
        let list: Vec<String> = (known + 1..=expected).map(|m| m.to_string()).collect();
        format!("Wasmtime {}", list.join(", "))
    } else {
        format!("Wasmtime {} to {expected}", known + 1)
    };
    Some(Finding::new(
        Code::StaleData,
        None,
        format!(
            "the release data ({}, {}) has not seen {missing}, which the release calendar says are out; their dates are projected and their patches and advisories unknown: run `cargo wasmtime-support refresh`",
            data.provenance.source, data.provenance.date
        ),
    ))
}

fn msrv_gaps(trains: &[Train], data: &Data, declared: &Version, out: &mut Vec<Finding>) {
    let mut targets: BTreeSet<u32> = BTreeSet::new();
    for t in trains {
        targets.extend(t.upgrade.target);
        targets.extend(t.upgrade.alternative.as_ref().map(|a| a.major));
    }
    for major in targets {
        let Some(needed) = data
            .majors
            .get(&major)
            .and_then(|f| f.rust_version.as_ref())
        else {
            continue;
        };
        if needed > declared {
            out.push(Finding::new(
                Code::MsrvGap,
                Some(major),
                format!(
                    "{} needs Rust {}.{}; this workspace declares {}.{}",
                    crate::audit::label(major),
                    needed.major,
                    needed.minor,
                    declared.major,
                    declared.minor
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adv(id: &str) -> Advisory {
        Data::embedded()
            .unwrap()
            .advisories
            .into_iter()
            .find(|a| a.id == id)
            .unwrap()
    }

    #[test]
    fn advisories_follow_patched_and_unaffected_ranges() {
        let v = Version::parse("24.0.2").unwrap();
        let fm79 = adv("GHSA-fm79-3f68-h2fc");
        assert!(fm79.affects(&v));
        assert_eq!(first_fixed_in_line(&fm79, &v), Some(Version::new(24, 0, 4)));
        assert!(
            !adv("GHSA-c2f5-jxjv-2hh8").affects(&v),
            "fixed in 24.0.2 itself"
        );
        assert!(!fm79.affects(&Version::new(9, 0, 0)), "unaffected below 10");
        assert!(fm79.affects(&Version::new(25, 0, 0)));
        assert_eq!(
            first_fixed_in_line(&fm79, &Version::new(25, 0, 0)),
            None,
            "no fix in the 25 line"
        );
        let cranelift = adv("GHSA-hpqh-2wqx-7qp5");
        assert!(cranelift.affects(&Version::new(0, 73, 0)));
        assert!(!cranelift.affects(&Version::new(0, 73, 1)));
    }

    #[test]
    fn advisories_are_unique_by_ghsa_id() {
        let data = Data::embedded().unwrap();
        let ids: BTreeSet<&str> = data.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids.len(), data.advisories.len());
        let wh6w = adv("GHSA-wh6w-3828-g9qf");
        assert_eq!(wh6w.rustsec, ["RUSTSEC-2022-0075", "RUSTSEC-2022-0098"]);
    }
}
