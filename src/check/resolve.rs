//! Which release of a major cargo can resolve for a train's crates, and
//! which the toolchain can build.
//!
//! Family crates pin each other (`wasmtime` 48.0.11 requires
//! `wasmtime-internal-component-macro = "=48.0.11"`, which requires
//! `wasmtime-internal-wit-bindgen = "=48.0.11"`), some releases were
//! published without every crate, and some crates stopped at older patches.
//! So a version exists for cargo only when everything it requires, and
//! everything the project's other family crates require, exists too. This is
//! a small version of cargo's resolver restricted to the family: each crate
//! the lockfile holds (under its name in the target major) gets a domain of
//! published versions (not yanked, published by the audit's day, within the
//! Rust version when one is given); versions whose requirements no version
//! in the domains meets are pruned until nothing changes; then the newest
//! version of each crate is chosen in order (the workspace's direct
//! dependencies first), backtracking when a choice empties another domain.
//! An optional requirement counts when the lockfile holds that crate (its
//! feature is on), as cargo would see it.

use crate::model::data::Data;
use crate::model::published::{Dep, MajorPublished, PubVersion};
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use semver::{Version, VersionReq};
use std::collections::BTreeMap;

/// What limits the versions cargo may choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Nothing published after this day is a fact yet.
    pub as_of: NaiveDate,
    /// The Rust version cargo resolves for (the workspace's rust-version, else
    /// the toolchain's); `None`: unknown, no limit.
    pub rust: Option<Version>,
    /// `rust` is the workspace's declared rust-version (its gaps are the
    /// `msrv-gap` check's to say), not the toolchain's.
    pub declared: bool,
}

/// A release that resolves: the version of each of the train's crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub major: u32,
    /// The train's crates under their names in this major, with the version
    /// cargo can resolve; the first is the train's subject.
    pub versions: Vec<(String, Version)>,
    /// The highest rust-version among the versions cargo would use.
    pub rust: Option<Version>,
}

impl Resolved {
    /// The subject crate and its version.
    pub fn subject(&self) -> (&str, &Version) {
        let (name, v) = &self.versions[0];
        (name, v)
    }

    pub fn version_of(&self, name: &str) -> Option<&Version> {
        self.versions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The release in Wasmtime's numbering (the family shares patch numbers).
    pub fn wasmtime_version(&self) -> Version {
        Version::new(u64::from(self.major), 0, self.subject().1.patch)
    }

    /// "48.0.10", or "cranelift-codegen 0.135.10" for a crate in another numbering.
    pub fn named(&self) -> String {
        let (name, v) = self.subject();
        if v.major == u64::from(self.major) && v.minor == 0 {
            v.to_string()
        } else {
            format!("{name} {v}")
        }
    }
}

/// Why a newer version cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// It requires a crate version the registry does not have.
    Missing { krate: String, req: VersionReq },
    /// It needs a newer Rust than the toolchain cargo resolves for.
    NeedsRust(Version),
    /// What it requires exists, but not together with what the project's
    /// other family crates require; `with`: a crate of the project that
    /// stopped at an older release, with its newest version.
    Conflicts { with: Option<(String, Version)> },
    /// No version of the crate can be used at all (yanked, or published
    /// after the audit's date).
    NoRelease,
}

/// A version newer than the one chosen, left out, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub krate: String,
    pub version: Version,
    pub why: Why,
}

impl Skipped {
    /// "48.0.11 is published without wasmtime-internal-wit-bindgen 48.0.11".
    pub fn phrase(&self) -> String {
        match &self.why {
            Why::Missing { krate, req } => {
                let wanted = req.to_string();
                let wanted = wanted.strip_prefix('=').unwrap_or(&wanted);
                format!(
                    "{} {} is published without {krate} {wanted}, so cargo cannot resolve it for this project",
                    self.krate, self.version
                )
            }
            Why::NeedsRust(rust) => format!(
                "{} {} needs Rust {}.{}",
                self.krate, self.version, rust.major, rust.minor
            ),
            Why::Conflicts {
                with: Some((other, newest)),
            } => format!(
                "{} {} cannot be used with {other}, whose newest release is {newest}",
                self.krate, self.version
            ),
            Why::Conflicts { with: None } => format!(
                "{} {} requires family crates at versions the project's other family crates rule out",
                self.krate, self.version
            ),
            Why::NoRelease => format!("no release of {} can be used", self.krate),
        }
    }
}

/// Why no release of a major can be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// A crate the workspace depends on has no release in the major.
    NotPublished { krate: String },
    /// Releases resolve, but every one needs a newer Rust (`resolved`: the
    /// newest, ignoring Rust).
    NeedsRust { resolved: Resolved },
    /// No release resolves; the newest fails for this reason.
    Unresolvable(Skipped),
}

impl Blocked {
    pub fn phrase(&self, major: u32) -> String {
        match self {
            Blocked::NotPublished { krate } => {
                format!("{krate} has no Wasmtime {major} release")
            }
            Blocked::NeedsRust { resolved } => {
                let rust = resolved
                    .rust
                    .as_ref()
                    .map(|r| format!("{}.{}", r.major, r.minor))
                    .unwrap_or_default();
                format!("Wasmtime {major} ({}) needs Rust {rust}", resolved.named())
            }
            Blocked::Unresolvable(s) => {
                format!("no Wasmtime {major} release resolves: {}", s.phrase())
            }
        }
    }
}

/// The outcome for one major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub outcome: Result<Resolved, Blocked>,
    /// The subject's newest published version, when newer than the one
    /// chosen, and why it is not.
    pub skipped: Option<Skipped>,
}

impl Resolution {
    pub fn resolved(&self) -> Option<&Resolved> {
        self.outcome.as_ref().ok()
    }

    /// What cargo resolves, whether or not the Rust version builds it.
    pub fn resolved_for_any_rust(&self) -> Option<&Resolved> {
        match &self.outcome {
            Ok(r) | Err(Blocked::NeedsRust { resolved: r }) => Some(r),
            Err(_) => None,
        }
    }
}

/// At most this many tentative choices per resolution; the family's pins
/// make the first choice right nearly always.
const BUDGET: usize = 4096;

/// Resolves the train's `crates` (name, and whether the workspace depends on
/// it directly; the subject first) in `major`.
pub fn resolve(data: &Data, major: u32, crates: &[(String, bool)], limits: &Limits) -> Resolution {
    let m = data.published.major(major);
    let mut held: Vec<(String, bool)> = Vec::new();
    for (name, direct) in crates {
        let mut n = name.clone();
        for _ in 0..8 {
            if !m.versions(&n).is_empty() {
                break;
            }
            match data.family.get(&n).and_then(|c| c.successor.clone()) {
                Some(s) => n = s,
                None => break,
            }
        }
        if m.versions(&n).is_empty() {
            if *direct || held.is_empty() && crates.len() == 1 {
                return blocked(Blocked::NotPublished {
                    krate: name.clone(),
                });
            }
            continue;
        }
        match held.iter_mut().find(|(h, _)| *h == n) {
            Some(h) => h.1 |= direct,
            None => held.push((n, *direct)),
        }
    }
    if held.is_empty() {
        let krate = crates.first().map(|c| c.0.clone()).unwrap_or_default();
        return blocked(Blocked::NotPublished { krate });
    }
    // Direct dependencies first, in the order given (the subject first).
    held.sort_by_key(|(_, direct)| !direct);
    let names: Vec<&str> = held.iter().map(|(n, _)| n.as_str()).collect();
    let any_rust = Solver::new(m, &names, limits.as_of, None);
    let Some(unlimited) = any_rust.solve() else {
        let why = any_rust.explain(names[0]);
        return blocked(Blocked::Unresolvable(why));
    };
    let unlimited = resolved(major, &names, &unlimited);
    let limited = match &limits.rust {
        None => Ok(unlimited.clone()),
        // What resolves fits already: the newest choices stay the choices
        // when only versions it does not use are taken away.
        Some(rust) if unlimited.rust.as_ref().is_none_or(|r| r <= rust) => Ok(unlimited.clone()),
        Some(rust) => {
            let solver = Solver::new(m, &names, limits.as_of, Some(rust));
            match solver.solve() {
                Some(chosen) => Ok(resolved(major, &names, &chosen)),
                None => Err(Blocked::NeedsRust {
                    resolved: unlimited.clone(),
                }),
            }
        }
    };
    // The subject's newest published version, if it is not the one chosen.
    let skipped = limited.as_ref().ok().and_then(|r| {
        let (name, chosen) = r.subject();
        let newest = any_rust.newest_published(name)?;
        if newest.version <= *chosen {
            return None;
        }
        if unlimited
            .version_of(name)
            .is_some_and(|v| *v >= newest.version)
        {
            let rust = newest.rust.clone()?;
            return Some(Skipped {
                krate: name.to_string(),
                version: newest.version.clone(),
                why: Why::NeedsRust(rust),
            });
        }
        Some(any_rust.explain_version(name, newest, 0))
    });
    Resolution {
        outcome: limited,
        skipped,
    }
}

fn blocked(b: Blocked) -> Resolution {
    Resolution {
        outcome: Err(b),
        skipped: None,
    }
}

fn resolved(major: u32, names: &[&str], chosen: &BTreeMap<&str, &PubVersion>) -> Resolved {
    let versions: Vec<(String, Version)> = names
        .iter()
        .filter_map(|n| Some((n.to_string(), chosen.get(n)?.version.clone())))
        .collect();
    let rust = chosen.values().filter_map(|v| v.rust.clone()).max();
    Resolved {
        major,
        versions,
        rust,
    }
}

/// The versions of one crate still possible: bit `i` is its `i`-th usable
/// version (oldest first). A major publishes a few dozen patches at most; a
/// crate with more keeps its newest 128, older ones never being the answer.
type Domain = u128;
const MAX_VERSIONS: usize = 128;

/// A counted requirement of one version: the crate it names (an index), the
/// versions of it that meet it, and the requirement itself (for reasons).
struct Need<'a> {
    target: usize,
    meets: Domain,
    dep: &'a Dep,
}

/// The resolver over one major, on bitsets: pruning a domain is a few
/// `and`s per requirement, where comparing names and versions each time cost
/// more than the rest of an audit.
struct Solver<'a> {
    m: &'a MajorPublished,
    /// Held crates first (direct ones leading), then the crates they require.
    names: Vec<&'a str>,
    held: Vec<bool>,
    /// Per crate, the versions usable on their own (published by the day,
    /// not yanked, within the Rust version), oldest first.
    versions: Vec<Vec<&'a PubVersion>>,
    /// Per crate and version, its counted requirements.
    needs: Vec<Vec<Vec<Need<'a>>>>,
    rust_limited: bool,
    as_of: NaiveDate,
}

/// The versions of `versions` (ascending) that `req` accepts. Nearly every
/// family requirement is one exact version: found by bisection.
fn meeting(versions: &[&PubVersion], req: &VersionReq) -> Domain {
    if let [c] = req.comparators.as_slice()
        && c.op == semver::Op::Exact
        && let (Some(minor), Some(patch)) = (c.minor, c.patch)
    {
        let wanted = Version {
            major: c.major,
            minor,
            patch,
            pre: c.pre.clone(),
            build: semver::BuildMetadata::EMPTY,
        };
        return versions
            .binary_search_by(|u| u.version.cmp_precedence(&wanted))
            .map_or(0, |i| 1 << i);
    }
    versions
        .iter()
        .enumerate()
        .filter(|(_, u)| req.matches(&u.version))
        .fold(0, |acc, (i, _)| acc | (1 << i))
}

/// The versions in a domain, oldest first.
fn bits(d: Domain) -> impl DoubleEndedIterator<Item = usize> {
    let mut v = Vec::with_capacity(d.count_ones() as usize);
    let mut rest = d;
    while rest != 0 {
        let i = rest.trailing_zeros() as usize;
        v.push(i);
        rest &= rest - 1;
    }
    v.into_iter()
}

impl<'a> Solver<'a> {
    fn new(
        m: &'a MajorPublished,
        held: &[&'a str],
        as_of: NaiveDate,
        rust: Option<&Version>,
    ) -> Solver<'a> {
        let held_set: FxHashMap<&str, ()> = held.iter().map(|&h| (h, ())).collect();
        let counts = |d: &Dep| !d.optional || held_set.contains_key(d.name.as_str());
        let mut names: Vec<&str> = held.to_vec();
        let mut index: FxHashMap<&str, usize> =
            names.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let mut i = 0;
        while i < names.len() {
            for v in m.versions(names[i]) {
                for d in v.deps.iter().filter(|d| counts(d)) {
                    if !index.contains_key(d.name.as_str()) {
                        index.insert(d.name.as_str(), names.len());
                        names.push(d.name.as_str());
                    }
                }
            }
            i += 1;
        }
        let versions: Vec<Vec<&PubVersion>> = names
            .iter()
            .map(|&n| {
                let ok: Vec<&PubVersion> = m
                    .versions(n)
                    .iter()
                    .filter(|v| {
                        v.version.pre.is_empty()
                            && !v.yanked
                            && v.day.is_none_or(|d| d <= as_of)
                            && rust.is_none_or(|r| v.rust.as_ref().is_none_or(|vr| vr <= r))
                    })
                    .collect();
                let skip = ok.len().saturating_sub(MAX_VERSIONS);
                ok[skip..].to_vec()
            })
            .collect();
        let needs = versions
            .iter()
            .map(|vs| {
                vs.iter()
                    .map(|v| {
                        v.deps
                            .iter()
                            .filter(|d| counts(d))
                            .filter_map(|d| {
                                let target = *index.get(d.name.as_str())?;
                                let meets = meeting(&versions[target], &d.req);
                                Some(Need {
                                    target,
                                    meets,
                                    dep: d,
                                })
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Solver {
            m,
            held: (0..names.len()).map(|i| i < held.len()).collect(),
            names,
            versions,
            needs,
            rust_limited: rust.is_some(),
            as_of,
        }
    }

    fn usable(&self) -> Vec<Domain> {
        self.versions
            .iter()
            .map(|vs| {
                if vs.len() == MAX_VERSIONS {
                    Domain::MAX
                } else {
                    (1 << vs.len()) - 1
                }
            })
            .collect()
    }

    /// Removes versions whose counted requirements nothing in the domains meets.
    fn prune(&self, dom: &mut [Domain]) {
        loop {
            let mut changed = false;
            for c in 0..dom.len() {
                let mut keep = dom[c];
                let mut rest = dom[c];
                while rest != 0 {
                    let v = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    if self.needs[c][v]
                        .iter()
                        .any(|n| dom[n.target] & n.meets == 0)
                    {
                        keep &= !(1 << v);
                    }
                }
                if keep != dom[c] {
                    dom[c] = keep;
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    fn solve(&self) -> Option<BTreeMap<&'a str, &'a PubVersion>> {
        let mut dom = self.usable();
        self.prune(&mut dom);
        let mut budget = BUDGET;
        let chosen = self.choose(dom, 0, &mut budget)?;
        Some(
            chosen
                .iter()
                .enumerate()
                .filter_map(|(c, &d)| {
                    let v = bits(d).next_back()?;
                    Some((self.names[c], self.versions[c][v]))
                })
                .collect(),
        )
    }

    fn choose(&self, dom: Vec<Domain>, c: usize, budget: &mut usize) -> Option<Vec<Domain>> {
        if (0..dom.len()).any(|h| self.held[h] && dom[h] == 0) {
            return None;
        }
        if c == dom.len() {
            return Some(dom);
        }
        if dom[c] == 0 {
            // Nothing left requires it (pruning removed whatever did).
            return self.choose(dom, c + 1, budget);
        }
        for v in bits(dom[c]).rev() {
            *budget = budget.checked_sub(1)?;
            let mut next = dom.clone();
            next[c] = 1 << v;
            for n in &self.needs[c][v] {
                next[n.target] &= n.meets;
            }
            self.prune(&mut next);
            if next[c] != 0
                && let Some(found) = self.choose(next, c + 1, budget)
            {
                return Some(found);
            }
        }
        None
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }

    /// The newest version of `name` usable on its own.
    fn newest_published(&self, name: &str) -> Option<&'a PubVersion> {
        self.versions[self.index(name)?].last().copied()
    }

    /// Why the newest usable version of `name` does not resolve.
    fn explain(&self, name: &str) -> Skipped {
        match self.newest_published(name) {
            Some(v) => self.explain_version(name, v, 0),
            None => Skipped {
                krate: name.to_string(),
                version: self
                    .m
                    .versions(name)
                    .last()
                    .map_or(Version::new(0, 0, 0), |v| v.version.clone()),
                why: Why::NoRelease,
            },
        }
    }

    /// Follows the first requirement of `v` that fails down to a crate
    /// version the registry does not have.
    fn explain_version(&self, name: &str, v: &'a PubVersion, depth: usize) -> Skipped {
        let here = |why| Skipped {
            krate: name.to_string(),
            version: v.version.clone(),
            why,
        };
        let Some(c) = self.index(name) else {
            return here(Why::NoRelease);
        };
        let Some(at) = self.versions[c].iter().position(|u| std::ptr::eq(*u, v)) else {
            return here(Why::NoRelease);
        };
        let usable = self.usable();
        let mut pruned = usable.clone();
        self.prune(&mut pruned);
        for n in &self.needs[c][at] {
            if pruned[n.target] & n.meets != 0 {
                continue;
            }
            let d = n.dep;
            let Some(next) = bits(usable[n.target] & n.meets).next_back() else {
                // Usable but for the Rust version: that is the reason.
                let rust = self
                    .m
                    .versions(&d.name)
                    .iter()
                    .filter(|u| d.req.matches(&u.version) && !u.yanked)
                    .filter(|u| u.day.is_none_or(|day| day <= self.as_of))
                    .find_map(|u| u.rust.clone())
                    .filter(|_| self.rust_limited);
                return match rust {
                    Some(rust) => here(Why::NeedsRust(rust)),
                    None => here(Why::Missing {
                        krate: d.name.clone(),
                        req: d.req.clone(),
                    }),
                };
            };
            if depth < 8 {
                let deeper =
                    self.explain_version(&d.name, self.versions[n.target][next], depth + 1);
                return here(deeper.why);
            }
        }
        // A crate of the project that stopped at an older release.
        let with = (0..self.names.len())
            .filter(|&h| self.held[h] && h != c)
            .filter_map(|h| Some((self.names[h], self.versions[h].last()?)))
            .find(|(_, newest)| newest.version.patch < v.version.patch)
            .map(|(n, newest)| (n.to_string(), newest.version.clone()));
        here(Why::Conflicts { with })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::published::Published;

    /// A release of a made-up line 60: `(crate, patch, rust, deps)`, where a
    /// dep is `(crate, exact patch, optional)`.
    type Release<'a> = (&'a str, u64, &'a str, &'a [(&'a str, u64, bool)]);

    fn data(releases: &[Release]) -> Data {
        let mut data = Data::embedded().unwrap();
        let mut p = Published::empty(&data.family, "2027-09-01".parse().unwrap());
        for &(name, patch, rust, deps) in releases {
            p.add(
                name,
                PubVersion {
                    version: Version::new(60, 0, patch),
                    day: Some("2027-08-20".parse().unwrap()),
                    rust: Some(Version::parse(rust).unwrap()),
                    yanked: false,
                    deps: deps
                        .iter()
                        .map(|&(dep, p, optional)| Dep {
                            name: dep.to_string(),
                            req: VersionReq::parse(&format!("=60.0.{p}")).unwrap(),
                            optional,
                            default: false,
                        })
                        .collect(),
                },
            );
        }
        data.published = p;
        data
    }

    fn limits(rust: Option<&str>) -> Limits {
        Limits {
            as_of: "2027-09-01".parse().unwrap(),
            rust: rust.map(|r| Version::parse(r).unwrap()),
            declared: false,
        }
    }

    fn held(names: &[&str]) -> Vec<(String, bool)> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), i == 0))
            .collect()
    }

    const ENGINE: &str = "wasmtime";
    const MACRO: &str = "wasmtime-internal-component-macro";
    const BINDGEN: &str = "wasmtime-internal-wit-bindgen";
    const WASI: &str = "wasmtime-wasi";

    #[test]
    fn a_release_published_without_a_pinned_crate_is_skipped_and_said() {
        let d = data(&[
            (ENGINE, 1, "1.90.0", &[(MACRO, 1, true)]),
            (ENGINE, 2, "1.90.0", &[(MACRO, 2, true)]),
            (MACRO, 1, "1.90.0", &[(BINDGEN, 1, false)]),
            (MACRO, 2, "1.90.0", &[(BINDGEN, 2, false)]),
            (BINDGEN, 1, "1.90.0", &[]),
        ]);
        // The macro crate held (default features): 60.0.2 cannot resolve.
        let r = resolve(&d, 60, &held(&[ENGINE, MACRO]), &limits(None));
        assert_eq!(r.resolved().unwrap().subject().1, &Version::new(60, 0, 1));
        let s = r.skipped.unwrap();
        assert_eq!(s.version, Version::new(60, 0, 2));
        assert!(
            s.phrase()
                .contains("published without wasmtime-internal-wit-bindgen 60.0.2"),
            "{}",
            s.phrase()
        );
        // Not held, the optional pin does not count: 60.0.2 resolves.
        let r = resolve(&d, 60, &held(&[ENGINE]), &limits(None));
        assert_eq!(r.resolved().unwrap().subject().1, &Version::new(60, 0, 2));
    }

    #[test]
    fn each_crate_keeps_its_own_newest_patch() {
        // wasmtime-wasi stopped at 60.0.1 and accepts any newer engine.
        let d = data(&[
            (ENGINE, 1, "1.90.0", &[]),
            (ENGINE, 2, "1.90.0", &[]),
            (WASI, 1, "1.90.0", &[]),
        ]);
        let r = resolve(&d, 60, &held(&[ENGINE, WASI]), &limits(None));
        let r = r.resolved().unwrap();
        assert_eq!(r.version_of(ENGINE), Some(&Version::new(60, 0, 2)));
        assert_eq!(r.version_of(WASI), Some(&Version::new(60, 0, 1)));
    }

    #[test]
    fn a_pin_from_another_crate_holds_the_engine_back() {
        // wasmtime-wasi 60.0.1 pins the engine exactly: cargo must take 60.0.1.
        let d = data(&[
            (ENGINE, 1, "1.90.0", &[]),
            (ENGINE, 2, "1.90.0", &[]),
            (WASI, 1, "1.90.0", &[(ENGINE, 1, false)]),
        ]);
        let r = resolve(&d, 60, &held(&[ENGINE, WASI]), &limits(None));
        assert_eq!(r.resolved().unwrap().subject().1, &Version::new(60, 0, 1));
        let s = r.skipped.unwrap();
        assert_eq!(
            s.phrase(),
            "wasmtime 60.0.2 cannot be used with wasmtime-wasi, whose newest release is 60.0.1"
        );
    }

    #[test]
    fn a_newer_rust_is_said_and_what_fits_named() {
        let d = data(&[(ENGINE, 1, "1.90.0", &[]), (ENGINE, 2, "1.99.0", &[])]);
        let r = resolve(&d, 60, &held(&[ENGINE]), &limits(Some("1.95.0")));
        assert_eq!(r.resolved().unwrap().subject().1, &Version::new(60, 0, 1));
        assert_eq!(
            r.skipped.unwrap().why,
            Why::NeedsRust(Version::new(1, 99, 0))
        );
        // Every release too new: blocked, with what would resolve.
        let r = resolve(&d, 60, &held(&[ENGINE]), &limits(Some("1.80.0")));
        match r.outcome {
            Err(Blocked::NeedsRust { resolved }) => {
                assert_eq!(resolved.subject().1, &Version::new(60, 0, 2));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_direct_crate_missing_from_the_major_blocks_it() {
        let d = data(&[(ENGINE, 1, "1.90.0", &[])]);
        let r = resolve(&d, 60, &held(&["wasi-common", ENGINE]), &limits(None));
        assert_eq!(
            r.outcome,
            Err(Blocked::NotPublished {
                krate: "wasi-common".into()
            })
        );
        // Pulled in by something else, it is simply gone after the move.
        let crates = vec![
            (ENGINE.to_string(), true),
            ("wasi-common".to_string(), false),
        ];
        assert!(resolve(&d, 60, &crates, &limits(None)).resolved().is_some());
    }
}
