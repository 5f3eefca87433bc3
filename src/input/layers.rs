//! The layers of release facts, newest last: the embedded snapshot, then
//! registry facts (cargo's index cache, the refresh cache), then a local
//! RustSec database. Each layer only adds or corrects; each is named in
//! the report's provenance with its date.

use crate::input::advisory_db::AdvisoryDb;
use crate::input::cache::Cache;
use crate::model::data::{
    Data, MajorFacts, Patch, RELEASE_GRACE_DAYS, Source, SourceKind, rust_version,
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

    /// Merges the advisories of a local RustSec database: an advisory it has
    /// replaces the embedded one with the same GHSA or RustSec id.
    pub fn with_advisory_db(mut self, db: &AdvisoryDb) -> Data {
        for a in &db.advisories {
            let same = self
                .advisories
                .iter()
                .position(|e| e.id == a.id || e.rustsec.iter().any(|r| a.rustsec.contains(r)));
            match same {
                Some(i) => {
                    let mut merged = a.clone();
                    for r in &self.advisories[i].rustsec {
                        if !merged.rustsec.contains(r) {
                            merged.rustsec.push(r.clone());
                        }
                    }
                    merged.id = self.advisories[i].id.clone();
                    self.advisories[i] = merged;
                }
                None => self.advisories.push(a.clone()),
            }
        }
        self.provenance.advisories_date = self.provenance.advisories_date.max(db.date);
        self.provenance.sources.push(Source {
            kind: SourceKind::AdvisoryDb,
            date: db.date,
            location: Some(db.path.display().to_string()),
        });
        self
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
