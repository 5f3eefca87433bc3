//! What the registry published of the family, release by release: for every
//! crate and version, the day it was published, its rust-version, whether it
//! is yanked, and the family crates it requires. Cargo can only resolve a
//! release whose requirements exist (Wasmtime pins its own crates with `=`,
//! and some releases were published without every crate), so advice names
//! only what `check::resolve` finds resolvable in these facts.
//!
//! The embedded copy (`data/published.jsonl`) holds one line per Wasmtime
//! major, parsed only when that major is asked about: an audit touches a
//! handful of majors, and parsing all of them would cost more than the rest
//! of the audit. Newer sources (cargo's index cache, the refresh cache) add
//! versions on top.

use crate::model::family::{Family, Placement};
use chrono::NaiveDate;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

const PUBLISHED_JSONL: &str = include_str!("../../data/published.jsonl");

/// One published version of a family crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubVersion {
    pub version: Version,
    /// The day the registry published it (`None`: the source did not say).
    pub day: Option<NaiveDate>,
    pub rust: Option<Version>,
    pub yanked: bool,
    /// Its normal and build dependencies on other family crates.
    pub deps: Arc<[Dep]>,
}

/// A dependency on a family crate, by its real (package) name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    pub name: String,
    pub req: VersionReq,
    pub optional: bool,
    /// Optional, and turned on by the dependent's default features.
    pub default: bool,
}

/// One major's crates, each with its versions in ascending order. A crate's
/// versions are decoded when first asked for: the resolver reads a few
/// dozen of a major's ninety-odd crates.
#[derive(Debug, Clone, Default)]
pub struct MajorPublished {
    crates: BTreeMap<String, Versions>,
}

#[derive(Debug, Clone, Default)]
struct Versions {
    encoded: Option<Encoded>,
    decoded: OnceLock<Vec<PubVersion>>,
}

/// One crate's line of a major as embedded, with what decoding needs.
#[derive(Debug, Clone)]
struct Encoded {
    major: u32,
    versions: Vec<EncodedVersion>,
    deps: Arc<Vec<Vec<EncodedDep>>>,
    family: Arc<Family>,
    until: Option<NaiveDate>,
}

impl Versions {
    fn get(&self) -> &[PubVersion] {
        self.decoded.get_or_init(|| {
            let Some(e) = &self.encoded else {
                return Vec::new();
            };
            let mut list = decode_versions(e).unwrap_or_default();
            if let Some(day) = e.until {
                list.retain(|v| v.day.is_none_or(|d| d <= day));
            }
            list
        })
    }

    fn get_mut(&mut self) -> &mut Vec<PubVersion> {
        self.get();
        self.decoded.get_mut().expect("decoded just now")
    }
}

impl PartialEq for MajorPublished {
    fn eq(&self, other: &MajorPublished) -> bool {
        self.names().eq(other.names())
            && self.names().all(|n| self.versions(n) == other.versions(n))
    }
}

impl MajorPublished {
    pub fn versions(&self, name: &str) -> &[PubVersion] {
        self.crates.get(name).map_or(&[], Versions::get)
    }

    /// The optional family crates that `name`'s default features turn on,
    /// in any of its versions (read without decoding the versions).
    pub fn default_deps(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |dep: &str| {
            if !out.iter().any(|o| o == dep) {
                out.push(dep.to_string());
            }
        };
        let Some(v) = self.crates.get(name) else {
            return out;
        };
        match (&v.encoded, v.decoded.get()) {
            (Some(e), None) => {
                let mut seen: Vec<usize> = Vec::new();
                for &(.., set) in &e.versions {
                    if seen.contains(&set) {
                        continue;
                    }
                    seen.push(set);
                    for &(dep, _, _, default) in e.deps.get(set).into_iter().flatten() {
                        if default {
                            push(dep);
                        }
                    }
                }
            }
            _ => {
                for d in v.get().iter().flat_map(|v| v.deps.iter()) {
                    if d.default {
                        push(&d.name);
                    }
                }
            }
        }
        out
    }

    /// The crates of the major, by name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.crates.keys().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.crates.is_empty()
    }

    fn forget_after(&mut self, day: NaiveDate) {
        for v in self.crates.values_mut() {
            match (&mut v.encoded, v.decoded.get_mut()) {
                (_, Some(list)) => list.retain(|v| v.day.is_none_or(|d| d <= day)),
                (Some(e), None) => e.until = Some(e.until.map_or(day, |d| d.min(day))),
                (None, None) => {}
            }
        }
    }

    fn add(&mut self, name: &str, v: PubVersion) {
        let list = self.crates.entry(name.to_string()).or_default().get_mut();
        match list.binary_search_by(|x| x.version.cmp(&v.version)) {
            Ok(i) => {
                // A newer source knows better; keep what it does not say.
                let old = &mut list[i];
                old.yanked = v.yanked;
                if v.day.is_some() {
                    old.day = v.day;
                }
                if v.rust.is_some() {
                    old.rust = v.rust;
                }
                if !v.deps.is_empty() || old.deps.is_empty() {
                    old.deps = v.deps;
                }
            }
            Err(i) => list.insert(i, v),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Slot {
    raw: Option<&'static str>,
    added: Vec<(String, PubVersion)>,
    parsed: OnceLock<MajorPublished>,
}

/// The published facts of every major, embedded and added.
#[derive(Debug, Clone)]
pub struct Published {
    /// The day the embedded facts were taken.
    pub embedded_date: NaiveDate,
    majors: BTreeMap<u32, Slot>,
    family: Arc<Family>,
    /// Nothing published after this day is a fact (see `until`).
    until: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct Header {
    data_date: NaiveDate,
}

/// One line of `data/published.jsonl`: a major's crates. Versions are
/// `[version, day, rust-version, yanked, deps]`, `deps` an index into
/// `deps`, whose entries are `[name, req, optional, on by default]`; a req of `=`, `^` or
/// `~` alone means that operator with the dependency's own version of the
/// same release (what nearly every family requirement is).
/// `[name, req, optional, on by default]`.
type EncodedDep<S = &'static str> = (S, S, bool, bool);

/// `[version, day, rust-version, yanked, index of its deps list]`.
type EncodedVersion<S = &'static str> = (S, Option<NaiveDate>, Option<S>, bool, usize);

#[derive(Deserialize, Serialize)]
struct MajorLine<S: Ord> {
    major: u32,
    deps: Vec<Vec<EncodedDep<S>>>,
    crates: BTreeMap<S, Vec<EncodedVersion<S>>>,
}

impl Published {
    /// The embedded facts (lines located now, parsed on first use).
    pub fn embedded(family: &Family) -> Result<Published, String> {
        let mut lines = PUBLISHED_JSONL.lines();
        let header: Header = lines
            .next()
            .and_then(|l| serde_json::from_str(l).ok())
            .ok_or("embedded data/published.jsonl has no header line")?;
        let mut majors = BTreeMap::new();
        for line in lines.filter(|l| !l.is_empty()) {
            let major = line
                .strip_prefix("{\"major\":")
                .and_then(|rest| rest.split(',').next())
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or("embedded data/published.jsonl has a line without its major first")?;
            majors.insert(
                major,
                Slot {
                    raw: Some(line),
                    ..Slot::default()
                },
            );
        }
        Ok(Published {
            embedded_date: header.data_date,
            majors,
            family: Arc::new(family.clone()),
            until: None,
        })
    }

    /// Facts with nothing embedded (tests, and sources read on their own).
    pub fn empty(family: &Family, date: NaiveDate) -> Published {
        Published {
            embedded_date: date,
            majors: BTreeMap::new(),
            family: Arc::new(family.clone()),
            until: None,
        }
    }

    /// What was published of `major` (nothing, for a major no source knows).
    pub fn major(&self, major: u32) -> &MajorPublished {
        static NOTHING: OnceLock<MajorPublished> = OnceLock::new();
        let Some(slot) = self.majors.get(&major) else {
            return NOTHING.get_or_init(MajorPublished::default);
        };
        slot.parsed.get_or_init(|| {
            let mut m = slot
                .raw
                .and_then(|raw| decode(raw, &self.family))
                .unwrap_or_default();
            for (name, v) in &slot.added {
                m.add(name, v.clone());
            }
            if let Some(day) = self.until {
                m.forget_after(day);
            }
            m
        })
    }

    /// The majors some source knows a release of.
    pub fn majors(&self) -> impl Iterator<Item = u32> + '_ {
        self.majors.keys().copied()
    }

    /// Whether the embedded facts already know `name` `version` as it is now.
    pub fn knows(&self, name: &str, version: &Version, yanked: bool) -> bool {
        let Some(Placement::Major(major)) = self.family.place(name, version) else {
            return false;
        };
        self.major(major)
            .versions(name)
            .iter()
            .any(|v| v.version == *version && v.yanked == yanked)
    }

    /// Adds (or corrects) a version from a newer source.
    pub fn add(&mut self, name: &str, v: PubVersion) {
        let majors: &[u32] = match self.family.place(name, &v.version) {
            Some(Placement::Major(m)) if m > 0 => &[m],
            // pulley-interpreter 0.1.x served both.
            Some(Placement::Pulley24Or25) => &[24, 25],
            _ => return,
        };
        for &major in majors {
            let slot = self.majors.entry(major).or_default();
            if let Some(parsed) = slot.parsed.get_mut() {
                parsed.add(name, v.clone());
            }
            slot.added.push((name.to_string(), v.clone()));
        }
    }

    /// Forgets what was published after `day` (an audit `--date` in the past).
    pub fn until(&mut self, day: NaiveDate) {
        self.until = Some(self.until.map_or(day, |d| d.min(day)));
        // Majors already read are cut now; the others when they are read.
        for slot in self.majors.values_mut() {
            if let Some(m) = slot.parsed.get_mut() {
                m.forget_after(day);
            }
        }
    }

    /// `data/published.jsonl` for these facts (the maintainer's `refresh --write-data`).
    pub fn to_jsonl(&self) -> String {
        let mut out = serde_json::json!({
            "schema": 1,
            "data_date": self.embedded_date,
            "about": "per Wasmtime major: each family crate's versions [version, day, rust-version, yanked, deps]; deps index the major's `deps` lists of [name, req, optional, on by default]; a bare =, ^ or ~ is the dependency's version of the same release",
        })
        .to_string();
        out.push('\n');
        for major in self.majors() {
            let line = encode(major, self.major(major), &self.family);
            out.push_str(&serde_json::to_string(&line).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

fn encode(major: u32, m: &MajorPublished, family: &Family) -> MajorLine<String> {
    let mut deps: Vec<Vec<EncodedDep<String>>> = Vec::new();
    let mut crates = BTreeMap::new();
    for name in m.names() {
        let mut list = Vec::new();
        for v in m.versions(name) {
            let set: Vec<EncodedDep<String>> = v
                .deps
                .iter()
                .map(|d| {
                    let short = ["=", "^", "~"].into_iter().find(|op| {
                        family
                            .version_for(&d.name, major, v.version.patch)
                            .is_some_and(|same| d.req.to_string() == format!("{op}{same}"))
                    });
                    let req = short.map_or_else(|| d.req.to_string(), str::to_string);
                    (d.name.clone(), req, d.optional, d.default)
                })
                .collect();
            let index = match deps.iter().position(|s| *s == set) {
                Some(i) => i,
                None => {
                    deps.push(set);
                    deps.len() - 1
                }
            };
            list.push((
                v.version.to_string(),
                v.day,
                v.rust.as_ref().map(Version::to_string),
                v.yanked,
                index,
            ));
        }
        crates.insert(name.to_string(), list);
    }
    MajorLine {
        major,
        deps,
        crates,
    }
}

/// Reads a line without copying its strings: they stay in the binary's text.
fn decode(raw: &'static str, family: &Arc<Family>) -> Option<MajorPublished> {
    let line: MajorLine<&'static str> = serde_json::from_str(raw).ok()?;
    let deps = Arc::new(line.deps);
    let crates = line
        .crates
        .into_iter()
        .map(|(name, versions)| {
            let encoded = Encoded {
                major: line.major,
                versions,
                deps: deps.clone(),
                family: family.clone(),
                until: None,
            };
            (
                name.to_string(),
                Versions {
                    encoded: Some(encoded),
                    decoded: OnceLock::new(),
                },
            )
        })
        .collect();
    Some(MajorPublished { crates })
}

fn decode_versions(e: &Encoded) -> Option<Vec<PubVersion>> {
    let family = &*e.family;
    let mut list = Vec::with_capacity(e.versions.len());
    for (version, day, rust, yanked, deps) in &e.versions {
        let version = Version::parse(version).ok()?;
        let deps: Arc<[Dep]> = e
            .deps
            .get(*deps)?
            .iter()
            .filter_map(|(dep, req, optional, default)| {
                let op = match *req {
                    "=" => Some(semver::Op::Exact),
                    "^" => Some(semver::Op::Caret),
                    "~" => Some(semver::Op::Tilde),
                    _ => None,
                };
                // Built, not formatted and parsed: an audit decodes
                // thousands of these.
                let req = match op {
                    Some(op) => {
                        let same = family.version_for(dep, e.major, version.patch)?;
                        VersionReq {
                            comparators: vec![semver::Comparator {
                                op,
                                major: same.major,
                                minor: Some(same.minor),
                                patch: Some(same.patch),
                                pre: same.pre,
                            }],
                        }
                    }
                    None => VersionReq::parse(req).ok()?,
                };
                Some(Dep {
                    name: dep.to_string(),
                    req,
                    optional: *optional,
                    default: *default,
                })
            })
            .collect();
        list.push(PubVersion {
            version,
            day: *day,
            rust: rust.and_then(crate::model::data::rust_version),
            yanked: *yanked,
            deps,
        });
    }
    list.sort_by(|a, b| a.version.cmp(&b.version));
    Some(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::data::Data;

    #[test]
    fn embedded_lines_decode_and_round_trip() {
        let data = Data::embedded().unwrap();
        let p = &data.published;
        let newest = data.newest_major();
        let m = p.major(newest);
        let wasmtime = m.versions("wasmtime");
        assert!(!wasmtime.is_empty(), "the newest major has wasmtime");
        // Every wasmtime release requires its own environ at the same release.
        for v in wasmtime {
            let environ = v.deps.iter().find(|d| d.name == "wasmtime-environ");
            let environ = environ.expect("wasmtime requires wasmtime-environ");
            assert!(
                environ.req.matches(&v.version),
                "{}: {}",
                v.version,
                environ.req
            );
        }
        let again = Published {
            majors: BTreeMap::new(),
            ..p.clone()
        };
        // Leaked: decoding borrows from text that lives as long as the binary's.
        let text: &'static str = Box::leak(p.to_jsonl().into_boxed_str());
        let first = text.lines().nth(1).unwrap();
        let decoded = decode(first, &Arc::new(data.family.clone())).unwrap();
        let major: u32 = first[9..].split(',').next().unwrap().parse().unwrap();
        assert_eq!(&decoded, p.major(major));
        assert!(again.major(major).is_empty());
    }

    #[test]
    fn later_sources_add_and_until_forgets() {
        let data = Data::embedded().unwrap();
        let mut p = data.published.clone();
        let newest = data.newest_major();
        let last = p.major(newest).versions("wasmtime").last().unwrap().clone();
        let next = PubVersion {
            version: Version::new(last.version.major, 0, last.version.patch + 1),
            day: last.day.and_then(|d| d.succ_opt()),
            ..last.clone()
        };
        p.add("wasmtime", next.clone());
        assert_eq!(
            p.major(newest).versions("wasmtime").last().unwrap().version,
            next.version
        );
        p.until(last.day.unwrap());
        assert_eq!(
            p.major(newest).versions("wasmtime").last().unwrap().version,
            last.version
        );
    }
}
