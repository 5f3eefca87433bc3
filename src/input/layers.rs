//! The layers of release facts, newest last: the embedded snapshot, then
//! registry facts (cargo's index cache, the refresh cache), then a local
//! RustSec database. Each layer only adds or corrects; each is named in
//! the report's provenance with its date.

use crate::input::advisory_db::AdvisoryDb;
use crate::input::advisory_sources::{NotesSource, OsvSource};
use crate::input::cache::Cache;
use crate::input::release_notes::{self, RELEASE_NOTES_SOURCE};
use crate::model::data::{
    Advisory, Data, MajorFacts, Patch, RELEASE_GRACE_DAYS, Source, SourceKind, rust_version,
};
use crate::model::policy;
use crate::model::published::{Dep, PubVersion};
use semver::Version;
use std::collections::{HashMap, HashSet};

impl Data {
    /// Merges registry facts (the refresh cache, or the digest of cargo's
    /// own index cache) into the facts: new majors and patches (with publish
    /// dates and rust-version), yanked flags and each crate's newest version.
    /// One pass over the versions. Versions the calendar cannot have released
    /// by the day they were fetched (a mirror's `10000.0.0`) are ignored, and
    /// build metadata plays no part in ordering.
    pub fn with_index(mut self, cache: &Cache, kind: SourceKind) -> Data {
        let fetched = cache.fetched_at.date_naive();
        let plausible = fetched
            .checked_add_days(chrono::Days::new(RELEASE_GRACE_DAYS))
            .and_then(policy::newest_released)
            .unwrap_or(0);
        if let Some(wasmtime) = cache.crates.get("wasmtime") {
            let mut seen: HashMap<Version, (u32, usize)> = self
                .majors
                .values()
                .flat_map(|m| {
                    m.patches
                        .iter()
                        .enumerate()
                        .map(move |(i, p)| (p.version.clone(), (m.major, i)))
                })
                .collect();
            let mut touched: HashSet<u32> = HashSet::new();
            for iv in &wasmtime.versions {
                let Ok(mut v) = Version::parse(&iv.vers) else {
                    continue;
                };
                v.build = semver::BuildMetadata::EMPTY;
                let Ok(major) = u32::try_from(v.major) else {
                    continue;
                };
                if !v.pre.is_empty() || v.minor != 0 || major == 0 || major > plausible {
                    continue;
                }
                let Some(eol) = policy::eol_date(major) else {
                    continue;
                };
                let day = iv.pubtime.map(|t| t.date_naive()).unwrap_or(fetched);
                let rust = iv.rust_version.as_deref().and_then(rust_version);
                if let Some(&(m, i)) = seen.get(&v) {
                    if let Some(facts) = self.majors.get_mut(&m) {
                        facts.patches[i].yanked = iv.yanked;
                        if facts.rust_version.is_none() {
                            facts.rust_version = rust;
                        }
                    }
                    continue;
                }
                let facts = self.majors.entry(major).or_insert_with(|| MajorFacts {
                    major,
                    lts: policy::is_lts(major),
                    released: day,
                    eol,
                    rust_version: None,
                    patches: Vec::new(),
                });
                if v.patch == 0 {
                    facts.released = facts.released.min(day);
                }
                if facts.rust_version.is_none() {
                    facts.rust_version = rust;
                }
                seen.insert(v.clone(), (major, facts.patches.len()));
                facts.patches.push(Patch {
                    version: v,
                    date: day,
                    advisories: Vec::new(),
                    yanked: iv.yanked,
                });
                touched.insert(major);
            }
            for major in touched {
                if let Some(m) = self.majors.get_mut(&major) {
                    m.patches.sort_by(|a, b| a.version.cmp(&b.version));
                }
            }
        }
        for (name, facts) in &cache.crates {
            for iv in &facts.versions {
                let Ok(mut version) = Version::parse(&iv.vers) else {
                    continue;
                };
                version.build = semver::BuildMetadata::EMPTY;
                let day = iv.pubtime.map(|t| t.date_naive());
                // What the calendar cannot have released by the fetch day is no fact.
                if day.is_some_and(|d| d > fetched) {
                    continue;
                }
                let deps: Vec<Dep> = iv
                    .deps
                    .iter()
                    .filter(|d| d.kind.as_deref() != Some("dev"))
                    .filter(|d| self.family.is_member(d.crate_name()))
                    .filter_map(|d| {
                        let name = d.crate_name().to_string();
                        Some(Dep {
                            default: d.optional && iv.default_deps.contains(&name),
                            name,
                            req: semver::VersionReq::parse(&d.req).ok()?,
                            optional: d.optional,
                        })
                    })
                    .collect();
                self.published.add(
                    name,
                    PubVersion {
                        version,
                        day,
                        rust: iv.rust_version.as_deref().and_then(rust_version),
                        yanked: iv.yanked,
                        deps: deps.into(),
                    },
                );
            }
            for y in &facts.yanked {
                if let Ok(v) = Version::parse(y) {
                    self.yanked.insert((name.clone(), v));
                }
            }
            if let Some(newest) = facts.newest.as_deref().and_then(|v| Version::parse(v).ok()) {
                let entry = self
                    .crate_newest
                    .entry(name.clone())
                    .or_insert(newest.clone());
                if newest > *entry {
                    *entry = newest;
                }
            }
        }
        self.data_date = self.data_date.max(fetched);
        self.provenance.source = kind;
        self.provenance.date = self.data_date;
        if kind == SourceKind::Registry {
            self.provenance.index_url = Some(cache.index_url.clone());
        }
        self.provenance.sources.push(Source {
            kind,
            date: fetched,
            location: Some(cache.index_url.clone()),
        });
        self
    }

    /// Merges the advisories of a local RustSec database (see [`merge`]).
    pub fn with_advisory_db(mut self, db: &AdvisoryDb) -> Data {
        for a in &db.advisories {
            self.merge_advisory(a.clone());
        }
        self.provenance.advisories_date = self.provenance.advisories_date.max(db.date);
        self.provenance.sources.push(Source {
            kind: SourceKind::AdvisoryDb,
            date: db.date,
            location: Some(db.path.display().to_string()),
        });
        self
    }

    /// Merges what the release notes read by `refresh` say: the advisories
    /// each patch fixed, and the counts of majors the facts lack.
    pub fn with_release_notes(mut self, notes: &NotesSource) -> Data {
        for a in release_notes::advisories(notes.patches()) {
            self.merge_advisory(a);
        }
        for read in notes.read.values() {
            if let Some(counts) = &read.counts {
                self.release_notes
                    .entry(counts.major)
                    .or_insert_with(|| counts.clone());
            }
        }
        self.provenance.advisories_date = self.provenance.advisories_date.max(notes.complete_until);
        self.provenance.sources.push(Source {
            kind: SourceKind::ReleaseNotes,
            date: notes.complete_until,
            location: Some(notes.location.clone()),
        });
        self
    }

    /// Merges the OSV records `refresh` fetched; OSV knows every advisory
    /// published by the day it answered.
    pub fn with_osv(mut self, osv: &OsvSource) -> Data {
        for a in osv.records.values().filter_map(|r| r.advisory.clone()) {
            self.merge_advisory(a);
        }
        let day = osv.fetched_at.date_naive();
        self.provenance.advisories_date = self.provenance.advisories_date.max(day);
        self.provenance.sources.push(Source {
            kind: SourceKind::Osv,
            date: day,
            location: Some(osv.url.clone()),
        });
        self
    }

    /// One advisory, shown once: `new` joins the advisory it shares an id
    /// with (GHSA id, RustSec id or alias), keeping the GHSA id as the id and
    /// every other id beside it. A source that states affected ranges wins
    /// over release notes, which only say where fixes landed (two such
    /// statements add up); otherwise the later source wins. The patches
    /// that fixed it learn its id.
    fn merge_advisory(&mut self, new: Advisory) {
        let ids = |a: &Advisory| -> Vec<String> {
            std::iter::once(a.id.clone())
                .chain(a.rustsec.iter().cloned())
                .chain(a.aliases.iter().cloned())
                .collect()
        };
        fn all_ids(a: &Advisory) -> impl Iterator<Item = &str> {
            std::iter::once(&a.id)
                .chain(&a.rustsec)
                .chain(&a.aliases)
                .map(String::as_str)
        }
        let same = self
            .advisories
            .iter()
            .position(|e| all_ids(e).any(|i| all_ids(&new).any(|n| n == i)));
        let merged = match same {
            None => new,
            Some(i) => {
                let old = self.advisories[i].clone();
                let notes_only = |a: &Advisory| a.source.as_deref() == Some(RELEASE_NOTES_SOURCE);
                let mut merged = match (notes_only(&old), notes_only(&new)) {
                    (false, true) => old.clone(),
                    (true, true) => {
                        let mut m = old.clone();
                        for r in &new.patched {
                            if !m.patched.contains(r) {
                                m.patched.push(r.clone());
                            }
                        }
                        m
                    }
                    _ => new.clone(),
                };
                let all: Vec<String> = ids(&old).into_iter().chain(ids(&new)).collect();
                merged.id = all
                    .iter()
                    .find(|i| i.starts_with("GHSA-"))
                    .unwrap_or(&old.id)
                    .clone();
                merged.rustsec = Vec::new();
                merged.aliases = Vec::new();
                for i in all {
                    if i == merged.id || merged.rustsec.contains(&i) || merged.aliases.contains(&i)
                    {
                        continue;
                    }
                    if i.starts_with("RUSTSEC-") {
                        merged.rustsec.push(i);
                    } else if !i.starts_with("GHSA-") {
                        merged.aliases.push(i);
                    }
                }
                merged.rustsec.sort();
                self.advisories.remove(i);
                merged
            }
        };
        if merged.crate_name == "wasmtime" {
            let fixed: Vec<Version> = merged
                .patched
                .iter()
                .flat_map(|r| &r.comparators)
                .filter(|c| c.op == semver::Op::GreaterEq)
                .map(|c| Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)))
                .collect();
            for v in fixed {
                let patch = u32::try_from(v.major)
                    .ok()
                    .and_then(|m| self.majors.get_mut(&m))
                    .and_then(|m| m.patches.iter_mut().find(|p| p.version == v));
                if let Some(p) = patch
                    && !p.advisories.contains(&merged.id)
                {
                    p.advisories.push(merged.id.clone());
                    p.advisories.sort();
                }
            }
        }
        self.advisories.push(merged);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_of(versions: &[(&str, bool)], fetched: &str) -> Cache {
        let mut c = Cache::new("https://index.example/", fetched.parse().unwrap());
        let versions = versions
            .iter()
            .map(|(v, yanked)| crate::input::cache::IndexVersion {
                vers: v.to_string(),
                yanked: *yanked,
                rust_version: None,
                pubtime: None,
                deps: Vec::new(),
                default_deps: Vec::new(),
                cksum: None,
            })
            .collect();
        c.crates.insert(
            "wasmtime".into(),
            crate::input::cache::CrateFacts::from_versions("wasmtime", versions),
        );
        c
    }

    #[test]
    fn index_facts_are_checked_and_the_newest_source_wins() {
        let data = Data::embedded().unwrap();
        let lts = *data.majors.iter().rev().find(|(_, m)| m.lts).unwrap().0;
        let patches: Vec<String> = data.majors[&lts]
            .patches
            .iter()
            .map(|p| p.version.to_string())
            .collect();
        // Every patch of the line yanked: no patch of it is ever recommended.
        let all_yanked: Vec<(&str, bool)> = patches.iter().map(|v| (v.as_str(), true)).collect();
        let merged = data.clone().with_index(
            &cache_of(&all_yanked, "2099-01-01T00:00:00Z"),
            SourceKind::Registry,
        );
        assert!(merged.majors[&lts].latest_patch().is_none());
        // A later source un-yanks.
        let unyanked: Vec<(&str, bool)> = patches.iter().map(|v| (v.as_str(), false)).collect();
        let again = merged.with_index(
            &cache_of(&unyanked, "2099-01-02T00:00:00Z"),
            SourceKind::Registry,
        );
        assert!(again.majors[&lts].latest_patch().is_some());
        assert_eq!(again.provenance.sources.len(), 3);

        // A major the calendar cannot have released by the fetch day is ignored.
        let newest = data.newest_major();
        let far = format!("{}.0.0", newest + 40);
        let fetched = format!("{}T00:00:00Z", data.data_date);
        let merged = data
            .clone()
            .with_index(&cache_of(&[(&far, false)], &fetched), SourceKind::Registry);
        assert_eq!(merged.newest_major(), newest);

        // Build metadata is no part of the order or the name.
        let last = data.majors[&lts].latest_patch().unwrap().version.clone();
        let next = format!("{lts}.0.{}+build.7", last.patch + 1);
        let merged = data
            .clone()
            .with_index(&cache_of(&[(&next, false)], &fetched), SourceKind::Registry);
        assert_eq!(
            merged.majors[&lts]
                .latest_patch()
                .unwrap()
                .version
                .to_string(),
            format!("{lts}.0.{}", last.patch + 1)
        );
    }
}
