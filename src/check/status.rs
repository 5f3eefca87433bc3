//! `status <SPEC>`: everything known about one version (or major) of a family
//! crate, without a project. Pure.

use crate::check::recommend;
use crate::check::resolve::{self, Limits};
use crate::check::security;
use crate::error::{Error, Result};
use crate::model::advice::Upgrade;
use crate::model::data::{Data, Provenance};
use crate::model::family::Placement;
use crate::model::findings::AdvisoryRef;
use crate::model::policy;
use crate::model::releases::{self, Support};
use chrono::NaiveDate;
use semver::Version;
use serde::Serialize;

/// What the user asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// A Wasmtime major (`27`).
    Major(u32),
    /// A version of a family crate (`27.0.1` is `wasmtime@27.0.1`).
    Version {
        crate_name: String,
        version: Version,
    },
}

impl Spec {
    pub fn parse(s: &str) -> Result<Spec> {
        let s = s.trim();
        let bad = |why: &str| Error::new(format!("status {s:?}: {why}"));
        if let Some((name, version)) = s.split_once('@') {
            let version = Version::parse(version)
                .map_err(|e| bad(&format!("`{version}` is not a version ({e})")))?;
            return Ok(Spec::Version {
                crate_name: name.to_string(),
                version,
            });
        }
        if let Ok(major) = s.parse::<u32>() {
            if major == 0 || major > policy::MAX_MAJOR {
                return Err(bad(
                    "expected a Wasmtime major from 1, a version such as 27.0.1, or crate@version",
                ));
            }
            return Ok(Spec::Major(major));
        }
        let version = Version::parse(s).map_err(|_| {
            bad("expected a Wasmtime version (27.0.1), a major (27) or crate@version (cranelift-codegen@0.114.0)")
        })?;
        Ok(Spec::Version {
            crate_name: "wasmtime".into(),
            version,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub as_of: NaiveDate,
    #[serde(rename = "crate")]
    pub crate_name: Option<String>,
    pub version: Option<Version>,
    /// The major, its status and dates on the evaluated day.
    #[serde(flatten)]
    pub support: Support,
    /// The version asked about is a pre-release (`-rc.1`, `-dev`): never
    /// supported itself; judged as the release it precedes for advisories.
    pub prerelease: bool,
    pub branch_date: Option<NaiveDate>,
    /// The day it was really published, when the data knows it.
    pub published: Option<NaiveDate>,
    pub rust_version: Option<String>,
    pub newest_patch: Option<Version>,
    /// The newest patch in this crate's own numbering (`0.123.14` for cranelift-codegen).
    pub newest_crate_version: Option<Version>,
    /// Why the newest patch cannot be used here (needs a newer Rust), or
    /// why nothing of the line resolves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_blocked: Option<String>,
    /// Advisories affecting the exact version (empty for a major).
    pub advisories: Vec<AdvisoryRef>,
    pub yanked: bool,
    /// Whether some source knows this exact version to be published
    /// (`None` for a major, or a crate whose versions are not all listed).
    pub published_known: Option<bool>,
    /// The version is newer than every release the sources know.
    pub newer_than_known: bool,
    /// Set when this version, or a patch after it, was published after the
    /// advisory data: advisories after this day are unknown.
    pub advisories_unknown_after: Option<NaiveDate>,
    /// Other release lines patched the same day as the newest patch (several
    /// lines patched together is the usual sign of a security release).
    pub patched_together: Vec<Version>,
    /// Whether the major is out: `published`, or when it is (or was) due.
    pub publication: String,
    pub upgrade: Upgrade,
    /// The facts this report rests on.
    pub data: Provenance,
}

pub fn status(data: &Data, spec: &Spec, limits: &Limits) -> Result<StatusReport> {
    let as_of = limits.as_of;
    let (crate_name, version, major) = match spec {
        Spec::Major(m) => (None, None, *m),
        Spec::Version {
            crate_name,
            version,
        } => {
            let shown = format!("{crate_name}@{version}");
            let newest = crate::model::family::newest_plausible_major(data.newest_major(), as_of);
            let major = match data.family.place_within(crate_name, version, newest) {
                None => {
                    return Err(Error::new(format!(
                        "status {shown:?}: `{crate_name}` is not a crate of the Wasmtime release family"
                    )));
                }
                Some(Placement::Major(m)) => m,
                Some(Placement::Pulley24Or25) if version.patch >= 1 => 25,
                Some(Placement::Pulley24Or25) => {
                    return Err(Error::new(format!(
                        "status {shown:?}: pulley-interpreter 0.1.0 shipped with both Wasmtime 24 and 25; ask about `24` or `25`"
                    )));
                }
                Some(Placement::Unrecognized) => {
                    return Err(Error::new(format!(
                        "status {shown:?}: no Wasmtime release has {crate_name} {version}"
                    )));
                }
            };
            (Some(crate_name.clone()), Some(version.clone()), major)
        }
    };
    let release = releases::release(data, major);
    let prerelease = version.as_ref().is_some_and(|v| !v.pre.is_empty());
    let publication = data.publication(major, as_of);
    let advisories = match (&crate_name, &version) {
        (Some(name), Some(v)) => security::affecting(data, name, v)
            .map(|(a, fixed)| security::advisory_ref(a, fixed))
            .collect(),
        _ => Vec::new(),
    };
    // Asked about one crate, not a lockfile: judged as a project with its
    // default features would use it.
    let name = crate_name.clone().unwrap_or_else(|| "wasmtime".to_string());
    let held = recommend::with_default_features(data, &name, &[major]);
    // The newest release cargo resolves for this crate, in its own numbering.
    let resolution = (major > 0 && data.majors.contains_key(&major))
        .then(|| resolve::resolve(data, major, &held, limits));
    // What resolves, even when it needs a newer Rust (then said why); a
    // line nothing of which resolves names no newest patch.
    let resolved = resolution.as_ref().and_then(|r| r.resolved_for_any_rust());
    let blocked = resolution
        .as_ref()
        .and_then(|r| r.outcome.as_ref().err())
        .map(|b| b.phrase(major));
    let newest_patch = match (resolved, &blocked) {
        (Some(r), _) => Some(r.wasmtime_version()),
        (None, Some(_)) => None,
        (None, None) => release.as_ref().and_then(|r| r.latest_patch.clone()),
    };
    // The release line's version this crate version stands for (`0.123.3` is 36.0.3).
    let line_version = version
        .as_ref()
        .filter(|v| v.pre.is_empty())
        .map(|v| Version::new(u64::from(major), 0, v.patch));
    let known_patches: Vec<&Version> = data
        .majors
        .get(&major)
        .map(|m| m.patches.iter().map(|p| &p.version).collect())
        .unwrap_or_default();
    let exact_numbering = crate_name.as_deref() != Some("pulley-interpreter") || major >= 26;
    let published_known = line_version
        .as_ref()
        .filter(|_| exact_numbering)
        .map(|v| known_patches.contains(&v));
    let newer_than_known = match (&line_version, data.majors.keys().next_back()) {
        (Some(v), Some(&newest)) => {
            major > newest
                || (published_known == Some(false)
                    && known_patches.iter().all(|p| p.patch < v.patch))
        }
        _ => false,
    };
    let advisories_unknown_after = {
        let since = line_version.as_ref().map_or(0, |v| v.patch);
        let uncovered = version.is_some()
            && (published_known == Some(false)
                || !data.advisories_cover(major, since)
                || known_patches
                    .iter()
                    .any(|p| p.patch > since && !data.advisories_cover(major, p.patch)));
        uncovered.then_some(data.provenance.advisories_date)
    };
    let patched_together = newest_patch
        .as_ref()
        .filter(|p| p.patch > 0 && advisories_unknown_after.is_some())
        .map(|p| data.patched_together(p))
        .unwrap_or_default();
    let newest_crate_version = match (resolved, &newest_patch) {
        (Some(r), _) => Some(r.subject().1.clone()),
        (None, Some(p)) => match &crate_name {
            Some(name) => data.family.version_for(name, major, p.patch),
            None => Some(p.clone()),
        },
        _ => None,
    };
    Ok(StatusReport {
        as_of,
        yanked: match (&crate_name, &version) {
            (Some(n), Some(v)) => data.yanked.contains(&(n.clone(), v.clone())),
            _ => false,
        },
        crate_name,
        version,
        support: Support::at(data, major, as_of, false),
        prerelease,
        branch_date: release.as_ref().map(|r| r.branch_date),
        published: release.as_ref().and_then(|r| r.published),
        rust_version: release
            .as_ref()
            .and_then(|r| r.rust_version.as_ref())
            .map(|v| format!("{}.{}", v.major, v.minor)),
        newest_patch,
        newest_crate_version,
        newest_blocked: blocked,
        advisories,
        published_known,
        newer_than_known,
        advisories_unknown_after,
        patched_together,
        publication: publication.phrase(data.data_date),
        upgrade: recommend::recommend(data, major, &held, limits),
        data: data.provenance.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::Status;

    fn at(spec: &str) -> Result<StatusReport> {
        status(
            &Data::embedded().unwrap(),
            &Spec::parse(spec)?,
            &Limits {
                as_of: "2026-11-21".parse().unwrap(),
                rust: None,
                declared: false,
            },
        )
    }

    #[test]
    fn specs() {
        assert_eq!(Spec::parse("27").unwrap(), Spec::Major(27));
        assert_eq!(
            Spec::parse("27.0.1").unwrap(),
            Spec::Version {
                crate_name: "wasmtime".into(),
                version: Version::new(27, 0, 1)
            }
        );
        assert!(matches!(
            Spec::parse("cranelift-codegen@0.114.0").unwrap(),
            Spec::Version { .. }
        ));
        for bad in ["latest", "27.x", "0", "wasmtime@", "wasmtime@27"] {
            assert!(Spec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_version_scheme() {
        let r = at("cranelift-codegen@0.114.0").unwrap();
        assert_eq!((r.support.major, r.support.status), (27, Status::Eol));
        assert_eq!(at("winch-codegen@0.20.0").unwrap().support.major, 22);
        let r = at("wasi-common@36.0.12").unwrap();
        assert_eq!(
            (r.support.major, r.support.lts, r.support.status),
            (36, true, Status::Supported)
        );
        // Each crate's newest patch is its own: wasi-common stopped before
        // wasmtime did.
        let data = Data::embedded().unwrap();
        let newest_of = |name: &str| {
            data.published
                .major(36)
                .versions(name)
                .iter()
                .filter(|v| v.day.is_some_and(|d| d <= "2026-11-21".parse().unwrap()))
                .map(|v| v.version.clone())
                .max()
        };
        assert_eq!(r.newest_crate_version, newest_of("wasi-common"));
        assert!(newest_of("wasi-common") < newest_of("wasmtime"));
        assert_eq!(
            at("cranelift-codegen@0.123.3")
                .unwrap()
                .newest_crate_version,
            newest_of("cranelift-codegen")
        );
        assert_eq!(at("pulley-interpreter@0.1.2").unwrap().support.major, 25);
        assert_eq!(
            at("wasmtime-jit-icache-coherence@2.0.0")
                .unwrap()
                .support
                .major,
            3
        );
        let rc = at("49.0.0-rc.1").unwrap();
        assert!(rc.prerelease);
        assert_eq!(
            rc.support.status,
            policy::status(49, "2026-11-21".parse().unwrap())
        );
        let r = at("24.0.2").unwrap();
        assert!(
            r.advisories
                .iter()
                .any(|a| a.id == "GHSA-fm79-3f68-h2fc" && a.fixed_in.as_deref() == Some("24.0.4"))
        );
        assert!(at("24").unwrap().advisories.is_empty());
    }

    #[test]
    fn unknown_versions_and_advisories_are_said_so() {
        let data = Data::embedded().unwrap();
        let newest = data.newest_major();
        let last = data.majors[&newest].latest_patch().unwrap().version.clone();
        // A patch past every known one: unknown, newer than the facts.
        let r = at(&format!("{newest}.0.{}", last.patch + 90)).unwrap();
        assert_eq!(r.published_known, Some(false));
        assert!(r.newer_than_known);
        assert_eq!(
            r.advisories_unknown_after,
            Some(data.provenance.advisories_date)
        );
        // A known version published after the advisory data: its advisories are unknown.
        let late = data
            .majors
            .values()
            .flat_map(|m| &m.patches)
            .find(|p| p.date > data.provenance.advisories_date)
            .unwrap();
        let r = at(&late.version.to_string()).unwrap();
        assert_eq!(r.published_known, Some(true));
        assert!(!r.newer_than_known);
        assert!(r.advisories_unknown_after.is_some());
        // An old version of a line whose patches are all covered: known, no unknowns.
        let r = at("24.0.2").unwrap();
        assert_eq!(r.published_known, Some(true));
        assert_eq!(r.advisories_unknown_after, None);
        // A major the data has not seen.
        let r = at(&format!("{}.0.0", newest + 1)).unwrap();
        assert!(r.newer_than_known);
    }

    #[test]
    fn errors_are_clear() {
        assert!(
            at("serde@1.0.0")
                .unwrap_err()
                .to_string()
                .contains("not a crate of the Wasmtime release family")
        );
        assert!(
            at("pulley-interpreter@0.1.0")
                .unwrap_err()
                .to_string()
                .contains("both Wasmtime 24 and 25")
        );
        assert!(
            at("cranelift-codegen@1.0.0")
                .unwrap_err()
                .to_string()
                .contains("no Wasmtime release has")
        );
    }
}
