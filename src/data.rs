//! The release facts embedded in the binary (`data/*.json`): release and EOL
//! dates, patches, MSRV, the crate family, advisories and release-note counts.
//! The rules that turn a major number into dates live in `policy`; this is
//! only what actually happened, up to `data_date`.

use crate::error::{Error, Result};
use crate::family::Family;
use chrono::NaiveDate;
use semver::{Version, VersionReq};
use serde::Deserialize;
use std::collections::BTreeMap;

const RELEASES_JSON: &str = include_str!("../data/releases.json");
const CRATES_JSON: &str = include_str!("../data/crates.json");
const ADVISORIES_JSON: &str = include_str!("../data/advisories.json");
const RELEASE_NOTES_JSON: &str = include_str!("../data/release-notes.json");

#[derive(Debug, Clone)]
pub struct Data {
    /// The day the facts were taken; nothing after it is known.
    pub data_date: NaiveDate,
    pub pre_1_0_last: Version,
    pub majors: BTreeMap<u32, MajorFacts>,
    pub family: Family,
    pub advisories: Vec<Advisory>,
    pub release_notes: BTreeMap<u32, ReleaseNotes>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MajorFacts {
    pub major: u32,
    pub lts: bool,
    /// The day N.0.0 was actually published (the policy uses the nominal date).
    pub released: NaiveDate,
    pub eol: NaiveDate,
    pub rust_version: Option<Version>,
    pub patches: Vec<Patch>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Patch {
    pub version: Version,
    pub date: NaiveDate,
    /// GHSA ids of the security advisories this patch fixed.
    #[serde(default)]
    pub advisories: Vec<String>,
    #[serde(default)]
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

#[derive(Debug, Clone, Deserialize)]
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
}

impl Advisory {
    /// Whether `version` of the advisory's crate is affected: neither patched nor unaffected.
    pub fn affects(&self, version: &Version) -> bool {
        self.withdrawn.is_none()
            && !self.patched.iter().any(|r| r.matches(version))
            && !self.unaffected.iter().any(|r| r.matches(version))
    }
}

#[derive(Debug, Clone, Deserialize)]
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

#[derive(Deserialize)]
struct ReleasesFile {
    data_date: NaiveDate,
    pre_1_0: PreOneFile,
    majors: Vec<MajorFacts>,
}

#[derive(Deserialize)]
struct PreOneFile {
    last_version: Version,
}

#[derive(Deserialize)]
struct AdvisoriesFile {
    advisories: Vec<Advisory>,
}

#[derive(Deserialize)]
struct ReleaseNotesFile {
    majors: Vec<ReleaseNotes>,
}

impl Data {
    /// The facts compiled into this binary.
    pub fn embedded() -> Result<Data> {
        let releases: ReleasesFile = from_json("data/releases.json", RELEASES_JSON)?;
        let advisories: AdvisoriesFile = from_json("data/advisories.json", ADVISORIES_JSON)?;
        let notes: ReleaseNotesFile = from_json("data/release-notes.json", RELEASE_NOTES_JSON)?;
        Ok(Data {
            data_date: releases.data_date,
            pre_1_0_last: releases.pre_1_0.last_version,
            majors: releases.majors.into_iter().map(|m| (m.major, m)).collect(),
            family: Family::from_json(CRATES_JSON)?,
            advisories: advisories.advisories,
            release_notes: notes.majors.into_iter().map(|n| (n.major, n)).collect(),
        })
    }

    /// The newest major the data knows about.
    pub fn newest_major(&self) -> u32 {
        self.majors.keys().next_back().copied().unwrap_or(0)
    }
}

fn from_json<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::new(format!("embedded {name} is corrupt: {e}")))
}
