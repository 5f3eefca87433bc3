//! The release facts embedded in the binary (`data/*.json`): release and EOL
//! dates, patches, MSRV, the crate family, advisories and release-note counts.
//! The rules that turn a major number into dates live in `policy`; this is
//! only what actually happened, up to `data_date`.

use crate::error::{Error, Result};
use crate::model::family::Family;
use crate::model::inputs::{Binding, BindingReleases};
use crate::model::policy;
use crate::model::published::Published;
use chrono::NaiveDate;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

const RELEASES_JSON: &str = include_str!("../../data/releases.json");
/// The crate family as embedded (the maintainer's `refresh --write-data` updates it).
pub const CRATES_JSON: &str = include_str!("../../data/crates.json");
const ADVISORIES_JSON: &str = include_str!("../../data/advisories.json");
const RELEASE_NOTES_JSON: &str = include_str!("../../data/release-notes.json");
const BINDINGS_JSON: &str = include_str!("../../data/bindings.json");

/// `data/bindings.json`: what the bindings' registries said, per binding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BindingsFile {
    pub schema: u32,
    pub bindings: BTreeMap<Binding, BindingReleases>,
}

#[derive(Debug, Clone)]
pub struct Data {
    /// The day the facts were taken; nothing after it is known.
    pub data_date: NaiveDate,
    pub provenance: Provenance,
    /// Versions the registry reports as yanked (from refreshed data).
    pub yanked: HashSet<(String, Version)>,
    /// Per family crate, the newest version a registry source has seen.
    pub crate_newest: HashMap<String, Version>,
    pub pre_1_0_last: Version,
    pub pre_1_0_date: NaiveDate,
    pub majors: BTreeMap<u32, MajorFacts>,
    pub family: Family,
    /// Every family crate's releases, with what each requires (what cargo
    /// can resolve).
    pub published: Published,
    pub advisories: Vec<Advisory>,
    pub release_notes: BTreeMap<u32, ReleaseNotes>,
    /// The releases of Wasmtime's bindings for other languages; a binding
    /// missing here is unknown.
    pub bindings: BTreeMap<Binding, BindingReleases>,
}

/// Which facts are in use, for every report: the newest source's kind and
/// date, when the advisories were last known, and each source with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The newest source of release facts: `embedded`, `cargo-cache` or `registry`.
    pub source: SourceKind,
    /// The day of the newest release facts.
    pub date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_url: Option<String>,
    /// Advisories published after this day are unknown.
    pub advisories_date: NaiveDate,
    pub sources: Vec<Source>,
}

/// What the facts say about a major's release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    /// Some source knows a release of it.
    Published,
    /// The calendar has not reached its release day.
    NotDue { due: NaiveDate },
    /// Due, and the facts were taken on or after its release day without it:
    /// not published (yet) when they were taken.
    Late { due: NaiveDate },
    /// Due, but the facts are older than its release day: they cannot tell.
    Unseen { due: NaiveDate },
}

impl Publication {
    /// A phrase for reports: "due 2026-12-20", "due 2026-11-20, not
    /// published as of 2026-11-22", "due 2026-11-20; the facts predate it".
    pub fn phrase(self, data_date: NaiveDate) -> String {
        match self {
            Publication::Published => "published".into(),
            Publication::NotDue { due } => format!("due {due}"),
            Publication::Late { due } => {
                format!("due {due}, not published as of {data_date}")
            }
            Publication::Unseen { due } => format!(
                "due {due}; the facts ({data_date}) predate it: `cargo wasmtime-support refresh`"
            ),
        }
    }
}

/// One layer of facts, oldest first; newer layers win.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    pub date: NaiveDate,
    /// Where it was read from (an index URL without credentials, or a path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// The snapshot compiled into the binary.
    Embedded,
    /// What cargo itself downloaded from the registry index.
    CargoCache,
    /// The tool's own `refresh` cache.
    Registry,
    /// A local RustSec advisory database.
    AdvisoryDb,
    /// Wasmtime's release notes, read by `refresh` from the registry.
    ReleaseNotes,
    /// An OSV API's records, fetched by `refresh`.
    Osv,
}

impl SourceKind {
    /// Whether the source tells of security advisories.
    pub fn speaks_of_advisories(self) -> bool {
        matches!(
            self,
            SourceKind::Embedded
                | SourceKind::AdvisoryDb
                | SourceKind::ReleaseNotes
                | SourceKind::Osv
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Embedded => "embedded",
            SourceKind::CargoCache => "cargo-cache",
            SourceKind::Registry => "registry",
            SourceKind::AdvisoryDb => "advisory-db",
            SourceKind::ReleaseNotes => "release-notes",
            SourceKind::Osv => "osv",
        }
    }

    /// How a report names it.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Embedded => "embedded data",
            SourceKind::CargoCache => "cargo's index cache",
            SourceKind::Registry => "refreshed index",
            SourceKind::AdvisoryDb => "advisory database",
            SourceKind::ReleaseNotes => "release notes",
            SourceKind::Osv => "OSV",
        }
    }
}

impl Provenance {
    /// One line naming every source and its date, for report headers.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .sources
            .iter()
            .map(|s| format!("{} {}", s.kind.label(), s.date))
            .collect();
        if !self.sources.iter().any(|s| {
            s.kind.speaks_of_advisories()
                && s.kind != SourceKind::Embedded
                && s.date == self.advisories_date
        }) {
            parts.push(format!("advisories {}", self.advisories_date));
        }
        parts.join(", ")
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MajorFacts {
    pub major: u32,
    pub lts: bool,
    /// The day N.0.0 was actually published (the policy uses the nominal date).
    pub released: NaiveDate,
    pub eol: NaiveDate,
    pub rust_version: Option<Version>,
    pub patches: Vec<Patch>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Patch {
    pub version: Version,
    pub date: NaiveDate,
    /// GHSA ids of the security advisories this patch fixed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub yanked: bool,
}

impl MajorFacts {
    /// The newest patch of the line that is not yanked.
    pub fn latest_patch(&self) -> Option<&Patch> {
        self.patches
            .iter()
            .filter(|p| !p.yanked)
            .max_by(|a, b| a.version.cmp(&b.version))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Advisory {
    /// The GHSA id (RustSec ids are in `rustsec`); de-duplicated by it.
    pub id: String,
    #[serde(default)]
    pub rustsec: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(rename = "crate")]
    pub crate_name: String,
    pub date: Option<NaiveDate>,
    pub title: String,
    pub url: Option<String>,
    pub patched: Vec<VersionReq>,
    #[serde(default)]
    pub unaffected: Vec<VersionReq>,
    pub informational: Option<String>,
    pub withdrawn: Option<String>,
    /// `release-notes` when only Wasmtime's release notes speak of it: they
    /// say which lines got a fix, not which versions were affected.
    #[serde(default)]
    pub source: Option<String>,
}

impl Advisory {
    /// Whether `version` of the advisory's crate is affected: neither patched
    /// nor unaffected. Known only from the release notes, it is affected only
    /// in a line that got a fix, before that fix: of a line without one the
    /// notes say nothing (the feature may not exist there).
    pub fn affects(&self, version: &Version) -> bool {
        if self.withdrawn.is_some()
            || self.patched.iter().any(|r| r.matches(version))
            || self.unaffected.iter().any(|r| r.matches(version))
        {
            return false;
        }
        if self.source.as_deref() == Some("release-notes") {
            return self.patched.iter().flat_map(|r| &r.comparators).any(|c| {
                c.op == semver::Op::GreaterEq
                    && c.major == version.major
                    && Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)) > *version
            });
        }
        true
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ReleaseNotes {
    pub major: u32,
    pub url: String,
    pub added: u32,
    pub changed: u32,
    pub removed: u32,
    pub fixed: u32,
    pub changed_prs: Vec<u32>,
    pub removed_prs: Vec<u32>,
}

#[derive(Deserialize, Serialize)]
struct ReleasesFile {
    schema: u32,
    data_date: NaiveDate,
    source: String,
    pre_1_0: PreOneFile,
    majors: Vec<MajorFacts>,
}

#[derive(Deserialize, Serialize)]
struct PreOneFile {
    last_version: Version,
    last_date: NaiveDate,
}

#[derive(Deserialize)]
struct AdvisoriesFile {
    /// The day the advisory database was read.
    data_date: NaiveDate,
    advisories: Vec<Advisory>,
}

#[derive(Deserialize, Serialize)]
struct ReleaseNotesFile {
    schema: u32,
    majors: Vec<ReleaseNotes>,
}

impl Data {
    /// The facts compiled into this binary.
    pub fn embedded() -> Result<Data> {
        let releases: ReleasesFile = from_json("data/releases.json", RELEASES_JSON)?;
        let advisories: AdvisoriesFile = from_json("data/advisories.json", ADVISORIES_JSON)?;
        let notes: ReleaseNotesFile = from_json("data/release-notes.json", RELEASE_NOTES_JSON)?;
        let bindings: BindingsFile = from_json("data/bindings.json", BINDINGS_JSON)?;
        let family = Family::from_json(CRATES_JSON)?;
        let published = Published::embedded(&family).map_err(Error::new)?;
        Ok(Data {
            data_date: releases.data_date,
            provenance: Provenance {
                source: SourceKind::Embedded,
                date: releases.data_date,
                index_url: None,
                advisories_date: advisories.data_date,
                sources: vec![Source {
                    kind: SourceKind::Embedded,
                    date: releases.data_date,
                    location: None,
                }],
            },
            yanked: HashSet::new(),
            crate_newest: HashMap::new(),
            pre_1_0_last: releases.pre_1_0.last_version,
            pre_1_0_date: releases.pre_1_0.last_date,
            majors: releases.majors.into_iter().map(|m| (m.major, m)).collect(),
            family,
            published,
            advisories: advisories.advisories,
            release_notes: notes.majors.into_iter().map(|n| (n.major, n)).collect(),
            bindings: bindings.bindings,
        })
    }

    /// Whether `major` is out on `as_of`, as far as the facts can tell.
    pub fn publication(&self, major: u32, as_of: NaiveDate) -> Publication {
        if self.majors.contains_key(&major) {
            return Publication::Published;
        }
        match policy::release_date(major) {
            Some(due) if due > as_of => Publication::NotDue { due },
            Some(due) if due <= self.data_date => Publication::Late { due },
            Some(due) => Publication::Unseen { due },
            None => Publication::NotDue {
                due: NaiveDate::MAX,
            },
        }
    }

    /// The facts as they stood on `day`: releases published after it are
    /// not facts yet (an audit `--date` in the past, or a registry that
    /// lists a release dated in the future).
    pub fn until(mut self, day: NaiveDate) -> Data {
        for m in self.majors.values_mut() {
            m.patches.retain(|p| p.date <= day);
        }
        self.majors.retain(|_, m| !m.patches.is_empty());
        self.published.until(day);
        self
    }

    /// The newest major the data knows about.
    pub fn newest_major(&self) -> u32 {
        self.majors.keys().next_back().copied().unwrap_or(0)
    }

    /// Whether the advisory data covers `version` of the family: it was
    /// published on or before the day the advisories were last known. A
    /// version the data has no date for counts as covered only when its
    /// major's line is.
    pub fn advisories_cover(&self, major: u32, patch: u64) -> bool {
        let Some(m) = self.majors.get(&major) else {
            return false;
        };
        match m.patches.iter().find(|p| p.version.patch == patch) {
            Some(p) => p.date <= self.provenance.advisories_date,
            None => m.released <= self.provenance.advisories_date,
        }
    }

    /// Other release lines patched on the same day as `version`: several
    /// lines patched together is the usual sign of a security release.
    pub fn patched_together(&self, version: &Version) -> Vec<Version> {
        let Some(day) = self
            .majors
            .get(&u32::try_from(version.major).unwrap_or(0))
            .and_then(|m| m.patches.iter().find(|p| p.version == *version))
            .map(|p| p.date)
        else {
            return Vec::new();
        };
        self.majors
            .values()
            .filter(|m| u64::from(m.major) != version.major)
            .flat_map(|m| m.patches.iter())
            .filter(|p| p.date == day && p.version.patch > 0)
            .map(|p| p.version.clone())
            .collect()
    }

    /// `data/releases.json` for these facts (the maintainer's `refresh --write-data`).
    pub fn releases_json(&self) -> String {
        let file = ReleasesFile {
            schema: 1,
            data_date: self.data_date,
            source: "Wasmtime release tags, release branches and RELEASES.md; RustSec advisory-db; the crates.io index".into(),
            pre_1_0: PreOneFile {
                last_version: self.pre_1_0_last.clone(),
                last_date: self.pre_1_0_date,
            },
            majors: self.majors.values().cloned().collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// `data/release-notes.json` for `notes` (the maintainer's `refresh --write-data`).
pub fn release_notes_json(notes: &BTreeMap<u32, ReleaseNotes>) -> String {
    let file = ReleaseNotesFile {
        schema: 1,
        majors: notes.values().cloned().collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// A rust-version as cargo writes it (`1.85` or `1.85.0`).
pub fn rust_version(s: &str) -> Option<Version> {
    let s = s.trim();
    Version::parse(s)
        .ok()
        .or_else(|| Version::parse(&format!("{s}.0")).ok())
}

/// Releases can ship a few days after their nominal date (weekends, delays).
pub const RELEASE_GRACE_DAYS: u64 = 7;

fn from_json<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::new(format!("embedded {name} is corrupt: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn embedded_data_is_self_consistent() {
        let data = Data::embedded().unwrap();
        let newest = data.newest_major();
        assert!(newest >= 48, "the snapshot knows at least 48");
        for major in 1..=newest {
            let m = data
                .majors
                .get(&major)
                .unwrap_or_else(|| panic!("major {major} missing"));
            assert_eq!(m.lts, policy::is_lts(major), "LTS flag of {major}");
            assert_eq!(Some(m.eol), policy::eol_date(major), "EOL date of {major}");
            let nominal = policy::release_date(major).unwrap();
            assert!(
                m.released >= nominal && (m.released - nominal).num_days() <= 7,
                "release day of {major}"
            );
            assert!(!m.patches.is_empty());
            assert!(
                m.patches.windows(2).all(|w| w[0].version < w[1].version),
                "patches of {major} ascend"
            );
            assert!(
                m.patches
                    .iter()
                    .all(|p| p.version.major == u64::from(major) && p.version.pre.is_empty())
            );
            assert_eq!(m.patches[0].version, Version::new(u64::from(major), 0, 0));
        }
        // MSRV never rises within a line and never falls across lines.
        let msrvs: Vec<&Version> = data
            .majors
            .values()
            .filter_map(|m| m.rust_version.as_ref())
            .collect();
        assert!(msrvs.windows(2).all(|w| w[0] <= w[1]));

        // Every advisory a patch claims to fix is known, and every fixed version of
        // a Wasmtime-numbered crate named by an advisory exists as a patch.
        let ids: HashSet<&str> = data.advisories.iter().map(|a| a.id.as_str()).collect();
        let patches: HashSet<&Version> = data
            .majors
            .values()
            .flat_map(|m| &m.patches)
            .map(|p| &p.version)
            .collect();
        for m in data.majors.values() {
            for p in &m.patches {
                for id in &p.advisories {
                    assert!(
                        ids.contains(id.as_str()),
                        "{} fixes unknown {id}",
                        p.version
                    );
                }
            }
        }
        for a in data
            .advisories
            .iter()
            .filter(|a| a.crate_name == "wasmtime")
        {
            for c in a.patched.iter().flat_map(|r| &r.comparators) {
                let v = Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
                if c.op == semver::Op::GreaterEq && (1..=u64::from(newest)).contains(&v.major) {
                    assert!(
                        patches.contains(&v),
                        "{}: fixed version {v} is not a known patch",
                        a.id
                    );
                }
            }
        }
        // Release notes are known for a contiguous range of majors from 1.
        let notes_to = data.release_notes.keys().next_back().copied().unwrap_or(0);
        assert!(notes_to >= 48);
        assert!((1..=notes_to).all(|m| data.release_notes.contains_key(&m)));
    }

    #[test]
    fn an_advisory_known_from_release_notes_affects_only_lines_it_fixed() {
        let a = Advisory {
            id: "GHSA-hmmr-87qq-258j".into(),
            rustsec: vec![],
            aliases: vec![],
            crate_name: "wasmtime".into(),
            date: None,
            title: "t".into(),
            url: None,
            patched: vec![
                VersionReq::parse(">= 48.0.8, < 49.0.0").unwrap(),
                VersionReq::parse(">= 49.0.5, < 50.0.0").unwrap(),
            ],
            unaffected: vec![],
            informational: None,
            withdrawn: None,
            source: Some("release-notes".into()),
        };
        assert!(a.affects(&Version::new(48, 0, 7)));
        assert!(!a.affects(&Version::new(48, 0, 8)));
        assert!(a.affects(&Version::new(49, 0, 0)));
        // 24 got no fix: the notes say nothing of it.
        assert!(!a.affects(&Version::new(24, 0, 13)));
        // The same ranges from an advisory database: every unpatched version.
        let db = Advisory { source: None, ..a };
        assert!(db.affects(&Version::new(24, 0, 13)));
    }

    #[test]
    fn rust_versions_as_cargo_writes_them() {
        assert_eq!(rust_version("1.85"), Some(Version::new(1, 85, 0)));
        assert_eq!(rust_version("1.95.0"), Some(Version::new(1, 95, 0)));
        assert_eq!(rust_version("soon"), None);
    }
}
