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
use crate::model::published::{MajorPublished, PubVersion};
use chrono::NaiveDate;
use semver::{Version, VersionReq};
use std::collections::{BTreeMap, BTreeSet};

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

type Domains<'a> = BTreeMap<&'a str, Vec<&'a PubVersion>>;

struct Solver<'a> {
    m: &'a MajorPublished,
    held: BTreeSet<&'a str>,
    /// Held crates first (direct ones leading), then the crates they require.
    order: Vec<&'a str>,
    /// Every version usable on its own (published by the day, not yanked,
    /// within the Rust version), before any requirement is checked.
    usable: Domains<'a>,
    rust_limited: bool,
    as_of: NaiveDate,
}

impl<'a> Solver<'a> {
    fn new(
        m: &'a MajorPublished,
        held: &[&'a str],
        as_of: NaiveDate,
        rust: Option<&Version>,
    ) -> Solver<'a> {
        let held_set: BTreeSet<&str> = held.iter().copied().collect();
        let mut order: Vec<&str> = held.to_vec();
        let mut i = 0;
        while i < order.len() {
            for v in m.versions(order[i]) {
                for d in v.deps.iter() {
                    if (!d.optional || held_set.contains(d.name.as_str()))
                        && !order.contains(&d.name.as_str())
                    {
                        order.push(d.name.as_str());
                    }
                }
            }
            i += 1;
        }
        let usable = order
            .iter()
            .map(|&n| {
                let ok = m
                    .versions(n)
                    .iter()
                    .filter(|v| {
                        v.version.pre.is_empty()
                            && !v.yanked
                            && v.day.is_none_or(|d| d <= as_of)
                            && rust.is_none_or(|r| v.rust.as_ref().is_none_or(|vr| vr <= r))
                    })
                    .collect();
                (n, ok)
            })
            .collect();
        Solver {
            m,
            held: held_set,
            order,
            usable,
            rust_limited: rust.is_some(),
            as_of,
        }
    }

    fn counts(&self, d: &crate::model::published::Dep) -> bool {
        !d.optional || self.held.contains(d.name.as_str())
    }

    /// Removes versions whose counted requirements nothing in the domains meets.
    fn prune(&self, dom: &mut Domains<'a>) {
        loop {
            let mut changed = false;
            for &c in &self.order {
                let before = dom.get(c).map_or(0, Vec::len);
                let keep: Vec<&PubVersion> = dom
                    .get(c)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|v| {
                        v.deps.iter().filter(|d| self.counts(d)).all(|d| {
                            dom.get(d.name.as_str())
                                .is_some_and(|ds| ds.iter().any(|u| d.req.matches(&u.version)))
                        })
                    })
                    .collect();
                if keep.len() != before {
                    changed = true;
                    dom.insert(c, keep);
                }
            }
            if !changed {
                return;
            }
        }
    }

    fn solve(&self) -> Option<BTreeMap<&'a str, &'a PubVersion>> {
        let mut dom = self.usable.clone();
        self.prune(&mut dom);
        let mut budget = BUDGET;
        let chosen = self.choose(dom, 0, &mut budget)?;
        Some(chosen)
    }

    fn choose(
        &self,
        dom: Domains<'a>,
        i: usize,
        budget: &mut usize,
    ) -> Option<BTreeMap<&'a str, &'a PubVersion>> {
        if self
            .held
            .iter()
            .any(|h| dom.get(h).is_none_or(Vec::is_empty))
        {
            return None;
        }
        let Some(&c) = self.order.get(i) else {
            return Some(
                dom.into_iter()
                    .filter_map(|(n, vs)| Some((n, *vs.first()?)))
                    .collect(),
            );
        };
        let candidates = dom.get(c).cloned().unwrap_or_default();
        if candidates.is_empty() {
            // Nothing left requires it (pruning removed whatever did).
            return self.choose(dom, i + 1, budget);
        }
        for v in candidates.iter().rev() {
            *budget = budget.checked_sub(1)?;
            let mut next = dom.clone();
            next.insert(c, vec![v]);
            for d in v.deps.iter().filter(|d| self.counts(d)) {
                if let Some(ds) = next.get_mut(d.name.as_str()) {
                    ds.retain(|u| d.req.matches(&u.version));
                }
            }
            self.prune(&mut next);
            if next.get(c).is_some_and(|vs| !vs.is_empty())
                && let Some(found) = self.choose(next, i + 1, budget)
            {
                return Some(found);
            }
        }
        None
    }

    /// The newest version of `name` usable on its own.
    fn newest_published(&self, name: &str) -> Option<&'a PubVersion> {
        self.usable.get(name)?.last().copied()
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
                why: Why::Missing {
                    krate: name.to_string(),
                    req: VersionReq::STAR,
                },
            },
        }
    }

    /// Follows the first requirement of `v` that fails down to a crate
    /// version the registry does not have.
    fn explain_version(&self, name: &str, v: &'a PubVersion, depth: usize) -> Skipped {
        let mut pruned = self.usable.clone();
        self.prune(&mut pruned);
        let here = |why| Skipped {
            krate: name.to_string(),
            version: v.version.clone(),
            why,
        };
        for d in v.deps.iter().filter(|d| self.counts(d)) {
            let meets = |dom: &Domains<'a>| {
                dom.get(d.name.as_str())
                    .into_iter()
                    .flatten()
                    .filter(|u| d.req.matches(&u.version))
                    .max_by(|a, b| a.version.cmp(&b.version))
                    .copied()
            };
            if meets(&pruned).is_some() {
                continue;
            }
            let Some(next) = meets(&self.usable) else {
                // Usable but for the Rust version: that is the reason.
                let published = self
                    .m
                    .versions(&d.name)
                    .iter()
                    .filter(|u| d.req.matches(&u.version) && !u.yanked)
                    .filter(|u| u.day.is_none_or(|day| day <= self.as_of))
                    .find_map(|u| u.rust.clone())
                    .filter(|_| self.rust_limited);
                return match published {
                    Some(rust) => here(Why::NeedsRust(rust)),
                    None => here(Why::Missing {
                        krate: d.name.clone(),
                        req: d.req.clone(),
                    }),
                };
            };
            if depth < 8 {
                let deeper = self.explain_version(&d.name, next, depth + 1);
                return Skipped {
                    krate: name.to_string(),
                    version: v.version.clone(),
                    why: deeper.why,
                };
            }
        }
        here(Why::Missing {
            krate: name.to_string(),
            req: VersionReq::parse(&format!("={}", v.version)).unwrap_or(VersionReq::STAR),
        })
    }
}
