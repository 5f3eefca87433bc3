//! `advisories.json`, the refresh cache of security facts beside the index
//! cache: what the release notes in the registry's `wasmtime-cli` crates say
//! (each patch's day and the advisories it fixed, each major's counts), and
//! the OSV records of the family. Each source is replaced only by a complete
//! answer of its own; an audit reads the file offline, and a missing or
//! corrupt one costs facts, never the audit.
#![cfg_attr(not(feature = "network"), allow(dead_code))]

use crate::error::Result;
use crate::input::cache::CrateFacts;
use crate::input::osv;
use crate::input::release_notes::PatchNotes;
use crate::model::data::{Data, ReleaseNotes};
use crate::model::policy;
use chrono::{DateTime, NaiveDate, Utc};
use semver::Version;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const FILE_NAME: &str = "advisories.json";
const SCHEMA: u32 = 1;
const MAX_FILE: u64 = 32 * 1024 * 1024;
/// The crate whose package carries Wasmtime's `RELEASES.md`.
pub const NOTES_CRATE: &str = "wasmtime-cli";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AdvisoryCache {
    pub schema: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_notes: Option<NotesSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osv: Option<OsvSource>,
    /// What the bindings' registries said, per binding.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bindings: BTreeMap<crate::model::inputs::Binding, crate::model::inputs::BindingReleases>,
}

/// The release notes read from the registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotesSource {
    pub fetched_at: DateTime<Utc>,
    /// Security fixes released after this day are in no notes read yet.
    pub complete_until: NaiveDate,
    /// Where the crates were downloaded from (never with credentials).
    pub location: String,
    /// By `wasmtime-cli` version read: what its `RELEASES.md` says.
    pub read: BTreeMap<String, ReadNotes>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadNotes {
    pub patches: Vec<PatchNotes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<ReleaseNotes>,
}

/// The OSV records of the family.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OsvSource {
    pub fetched_at: DateTime<Utc>,
    pub url: String,
    pub records: BTreeMap<String, osv::Record>,
}

impl NotesSource {
    /// Every patch the notes read describe.
    pub fn patches(&self) -> impl Iterator<Item = &PatchNotes> {
        self.read.values().flat_map(|r| &r.patches)
    }
}

/// The cache at `path`: `Ok(None)` when there is none, `Err` (a reason for a
/// warning) when it cannot be used.
pub fn load(path: &Path) -> std::result::Result<Option<AdvisoryCache>, String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    if !meta.is_file() || meta.len() > MAX_FILE {
        return Err("not a regular file of a plausible size".into());
    }
    let text = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let cache: AdvisoryCache =
        serde_json::from_slice(&text).map_err(|e| format!("not a valid cache: {e}"))?;
    if cache.schema != SCHEMA {
        return Err(format!(
            "it was written by another version of the tool (schema {})",
            cache.schema
        ));
    }
    Ok(Some(cache))
}

/// Writes `cache` to `path` whole or not at all.
pub fn store(path: &Path, cache: &AdvisoryCache) -> Result<()> {
    let mut cache = cache.clone();
    cache.schema = SCHEMA;
    crate::input::cache::store_json(path, &cache, ".advisories-")
}

/// The newest `wasmtime-cli` release of each major line (not yanked, not a
/// pre-release), with its publish day.
fn newest_per_line(cli: &CrateFacts) -> BTreeMap<u32, (Version, Option<NaiveDate>)> {
    let mut out: BTreeMap<u32, (Version, Option<NaiveDate>)> = BTreeMap::new();
    for iv in cli.versions.iter().filter(|v| !v.yanked) {
        let Ok(v) = Version::parse(&iv.vers) else {
            continue;
        };
        let Ok(major) = u32::try_from(v.major) else {
            continue;
        };
        if !v.pre.is_empty() || major == 0 {
            continue;
        }
        let day = iv.pubtime.map(|t| t.date_naive());
        if out.get(&major).is_none_or(|(old, _)| v > *old) {
            out.insert(major, (v, day));
        }
    }
    out
}

/// The `wasmtime-cli` versions whose notes a refresh reads: each line's
/// newest, for lines supported since the embedded advisories were taken (the
/// only ones that get security fixes) and lines whose counts are unknown;
/// not those already read, nor (unless `all`, for the embedded data) those
/// published by the day the embedded advisories are complete to.
pub fn wanted(
    cli: &CrateFacts,
    data: &Data,
    embedded_until: NaiveDate,
    read: &BTreeMap<String, ReadNotes>,
    all: bool,
) -> Vec<Version> {
    newest_per_line(cli)
        .into_iter()
        .filter(|(major, (v, day))| {
            let counts_unknown = !data.release_notes.contains_key(major);
            let supported_since = policy::eol_date(*major).is_some_and(|e| e >= embedded_until);
            let new = all || day.is_none_or(|d| d > embedded_until);
            !read.contains_key(&v.to_string()) && (counts_unknown || (supported_since && new))
        })
        .map(|(_, (v, _))| v)
        .collect()
}

/// The day up to which the notes know every security fix: a fix ships in a
/// `wasmtime` patch, and a line's notes stop at its newest `wasmtime-cli`,
/// so for each line supported `today` the day before its first `wasmtime`
/// patch beyond that (today when there is none); never earlier than
/// `floor`, what the embedded advisories already know.
pub fn complete_until(
    data: &Data,
    cli: &CrateFacts,
    today: NaiveDate,
    floor: NaiveDate,
) -> NaiveDate {
    let covered = newest_per_line(cli);
    let mut until = today;
    for (major, facts) in &data.majors {
        if !policy::is_supported(*major, today) {
            continue;
        }
        let first_unread = facts
            .patches
            .iter()
            .filter(|p| covered.get(major).is_none_or(|(c, _)| p.version > *c))
            .map(|p| p.date)
            .min();
        if let Some(day) = first_unread.and_then(|d| d.pred_opt()) {
            until = until.min(day);
        }
    }
    until.max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::cache::IndexVersion;

    fn cli(versions: &[(&str, &str)]) -> CrateFacts {
        CrateFacts::from_versions(
            NOTES_CRATE,
            versions
                .iter()
                .map(|(v, day)| IndexVersion {
                    vers: v.to_string(),
                    yanked: false,
                    rust_version: None,
                    pubtime: Some(format!("{day}T12:00:00Z").parse().unwrap()),
                    deps: Vec::new(),
                    default_deps: Vec::new(),
                    cksum: None,
                })
                .collect(),
        )
    }

    #[test]
    fn only_new_notes_of_supported_lines_are_read() {
        let data = Data::embedded().unwrap();
        let until = data.provenance.advisories_date;
        let lts = *data.majors.iter().rev().find(|(_, m)| m.lts).unwrap().0;
        let old = 10;
        let after = until.succ_opt().unwrap().to_string();
        let facts = cli(&[
            (&format!("{lts}.0.1"), &until.to_string()),
            (&format!("{lts}.0.2"), &after),
            (&format!("{old}.0.1"), &after),
        ]);
        let read = BTreeMap::new();
        let want = wanted(&facts, &data, until, &read, false);
        // The LTS line's newest only; an old line's late publication is no news.
        assert_eq!(want, [Version::new(lts.into(), 0, 2)]);
        // Once read, never again.
        let mut read = BTreeMap::new();
        read.insert(
            format!("{lts}.0.2"),
            ReadNotes {
                patches: Vec::new(),
                counts: None,
            },
        );
        assert!(wanted(&facts, &data, until, &read, false).is_empty());
        // Publication on the embedded day counts as known, except for the data.
        let facts = cli(&[(&format!("{lts}.0.1"), &until.to_string())]);
        assert!(wanted(&facts, &data, until, &BTreeMap::new(), false).is_empty());
        assert_eq!(
            wanted(&facts, &data, until, &BTreeMap::new(), true).len(),
            1
        );
    }

    #[test]
    fn notes_are_complete_until_the_first_patch_they_do_not_cover() {
        let data = Data::embedded().unwrap();
        let today = data.data_date;
        let supported: Vec<u32> = data
            .majors
            .keys()
            .copied()
            .filter(|m| policy::is_supported(*m, today))
            .collect();
        let newest = |m: u32| data.majors[&m].latest_patch().unwrap().clone();
        // Notes of every supported line's newest patch: complete to today.
        let all: Vec<(String, String)> = supported
            .iter()
            .map(|m| (newest(*m).version.to_string(), newest(*m).date.to_string()))
            .collect();
        let pairs: Vec<(&str, &str)> = all.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let floor = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        assert_eq!(complete_until(&data, &cli(&pairs), today, floor), today);
        // One line's notes a patch behind: the day before that patch.
        let m = *supported
            .iter()
            .max_by_key(|m| data.majors[m].patches.len())
            .unwrap();
        assert!(data.majors[&m].patches.len() >= 2);
        let behind: Vec<(String, String)> = data.majors[&m]
            .patches
            .iter()
            .rev()
            .skip(1)
            .take(1)
            .map(|p| (p.version.to_string(), p.date.to_string()))
            .collect();
        {
            let (v, d) = &behind[0];
            let mut pairs = pairs.clone();
            pairs.retain(|(x, _)| !x.starts_with(&format!("{m}.")));
            pairs.push((v.as_str(), d.as_str()));
            assert_eq!(
                complete_until(&data, &cli(&pairs), today, floor),
                newest(m).date.pred_opt().unwrap().min(today)
            );
            // Never before what is already known.
            assert_eq!(complete_until(&data, &cli(&pairs), today, today), today);
        }
    }
}
