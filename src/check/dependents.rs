//! Who pulls a release train in: for each workspace member, the shortest
//! dependency chain to a crate of the train (like `cargo tree -i`), and the
//! kind (normal, build, dev) of the member's direct dependency that starts it.

use crate::input::lockfile::{Lockfile, Source};
use crate::input::workspace::Members;
use crate::model::train::DepKind;
use rustc_hash::FxHashMap;
use semver::Version;
use serde::Serialize;
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Puller {
    pub member: String,
    pub kind: DepKind,
    /// `member`, then `name@version` of each crate down to the train's crate.
    pub chain: Vec<String>,
    /// The chain's first step is the project's own (a path crate).
    pub first_is_path: bool,
}

/// The dependency graph of one lockfile, with dependency strings resolved.
pub struct Graph<'a> {
    lock: &'a Lockfile,
    /// For each package, the packages that depend on it.
    reverse: Vec<Vec<usize>>,
    /// For each package, its dependencies.
    forward: Vec<Vec<usize>>,
}

impl<'a> Graph<'a> {
    pub fn new(lock: &'a Lockfile) -> Graph<'a> {
        let index = Index::new(lock);
        let n = lock.packages.len();
        let mut forward = vec![Vec::new(); n];
        let mut reverse = vec![Vec::new(); n];
        for (i, p) in lock.packages.iter().enumerate() {
            for dep in &p.dependencies {
                if let Some(j) = index.resolve(lock, dep) {
                    forward[i].push(j);
                    reverse[j].push(i);
                }
            }
        }
        Graph {
            lock,
            reverse,
            forward,
        }
    }

    /// The packages that depend on package `i`.
    pub fn dependents(&self, i: usize) -> &[usize] {
        &self.reverse[i]
    }

    /// Who pulls in the packages `targets` (one train's crates in this lockfile).
    pub fn pullers(&self, targets: &[usize], members: &Members) -> Vec<Puller> {
        let n = self.lock.packages.len();
        // Distance to the nearest target and the next step towards it.
        let mut next: Vec<Option<usize>> = vec![None; n];
        let mut dist: Vec<u32> = vec![u32::MAX; n];
        let mut queue = VecDeque::new();
        for &t in targets {
            dist[t] = 0;
            queue.push_back(t);
        }
        while let Some(x) = queue.pop_front() {
            for &up in &self.reverse[x] {
                if dist[up] == u32::MAX {
                    dist[up] = dist[x] + 1;
                    next[up] = Some(x);
                    queue.push_back(up);
                }
            }
        }

        let mut out = Vec::new();
        for (i, p) in self.lock.packages.iter().enumerate() {
            if p.source != Source::Path || dist[i] == 0 || dist[i] == u32::MAX {
                continue;
            }
            let member = members.list.iter().find(|m| m.name == p.name);
            if member.is_none() && members.complete {
                continue;
            }
            // The member's direct dependency that starts the chain: shortest, then
            // normal before build before dev.
            let kind_of = |dep: usize| -> DepKind {
                let name = &self.lock.packages[dep].name;
                member
                    .and_then(|m| {
                        m.deps
                            .iter()
                            .filter(|(d, _)| d == name)
                            .map(|(_, k)| *k)
                            .min()
                    })
                    .unwrap_or(DepKind::Unknown)
            };
            // Among equals, the crate that stands for the train (`wasmtime`
            // before `cranelift-codegen`): the edge a reader looks for.
            let rank = |d: usize| {
                let name = self.lock.packages[d].name.as_str();
                crate::model::train::Train::HEADLINE_CRATES
                    .iter()
                    .position(|h| *h == name)
                    .unwrap_or(usize::MAX)
            };
            let Some((first, kind)) = self.forward[i]
                .iter()
                .filter(|&&d| dist[d] != u32::MAX)
                .map(|&d| (d, kind_of(d)))
                .min_by_key(|&(d, k)| (dist[d], k, rank(d)))
            else {
                continue;
            };
            // Any non-dev route decides whether the train is dev-only, not just the shortest.
            let kind = if kind == DepKind::Dev {
                self.forward[i]
                    .iter()
                    .filter(|&&d| dist[d] != u32::MAX)
                    .map(|&d| kind_of(d))
                    .min()
                    .unwrap_or(kind)
            } else {
                kind
            };
            let mut chain = vec![p.name.clone()];
            let mut at = Some(first);
            while let Some(x) = at {
                let q = &self.lock.packages[x];
                chain.push(format!("{}@{}", q.name, q.version));
                at = next[x];
            }
            out.push(Puller {
                member: p.name.clone(),
                kind,
                chain,
                first_is_path: self.lock.packages[first].source == Source::Path,
            });
        }
        out
    }
}

/// Lookups of packages by name and by name and version, so that resolving
/// every dependency entry stays linear however many versions a crate has.
struct Index<'a> {
    by_name: FxHashMap<&'a str, Vec<usize>>,
    by_version: FxHashMap<(&'a str, &'a Version), Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(lock: &'a Lockfile) -> Index<'a> {
        let n = lock.packages.len();
        let mut by_name: FxHashMap<&str, Vec<usize>> =
            FxHashMap::with_capacity_and_hasher(n, Default::default());
        let mut by_version: FxHashMap<(&str, &Version), Vec<usize>> =
            FxHashMap::with_capacity_and_hasher(n, Default::default());
        for (i, p) in lock.packages.iter().enumerate() {
            by_name.entry(p.name.as_str()).or_default().push(i);
            by_version
                .entry((p.name.as_str(), &p.version))
                .or_default()
                .push(i);
        }
        Index {
            by_name,
            by_version,
        }
    }

    /// Resolves a lockfile dependency entry: `name`, `name version` or
    /// `name version (source)`.
    fn resolve(&self, lock: &Lockfile, dep: &str) -> Option<usize> {
        let mut parts = dep.splitn(3, ' ');
        let name = parts.next()?;
        let candidates = self.by_name.get(name)?;
        if candidates.len() == 1 {
            return candidates.first().copied();
        }
        let Some(version) = parts.next() else {
            return candidates.first().copied();
        };
        let version = Version::parse(version).ok()?;
        let same_version = self.by_version.get(&(name, &version))?;
        let Some(source) = parts.next() else {
            return same_version.first().copied();
        };
        let source = Source::parse(Some(source.trim_start_matches('(').trim_end_matches(')')));
        same_version
            .iter()
            .copied()
            .find(|&i| lock.packages[i].source == source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::lockfile;
    use crate::input::workspace::Member;

    const LOCK: &str = r#"
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["helper", "wasmtime 27.0.0", "tester"]

[[package]]
name = "tester"
version = "0.1.0"
dependencies = ["wasmtime 36.0.3"]

[[package]]
name = "helper"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["wasmtime 27.0.0"]

[[package]]
name = "wasmtime"
version = "27.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasmtime"
version = "36.0.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn the_direct_edge_to_the_trains_own_crate_is_the_one_shown() {
        let text = r#"
[[package]]
name = "p-c"
version = "0.1.0"
dependencies = ["cranelift-codegen", "wasmtime"]

[[package]]
name = "cranelift-codegen"
version = "0.123.2"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasmtime"
version = "36.0.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["cranelift-codegen"]
"#;
        let lock = lockfile::parse(text, "Cargo.lock").unwrap();
        let g = Graph::new(&lock);
        let members = Members {
            list: vec![Member {
                name: "p-c".into(),
                deps: vec![
                    ("cranelift-codegen".into(), DepKind::Normal),
                    ("wasmtime".into(), DepKind::Normal),
                ],
            }],
            complete: true,
        };
        let p = g.pullers(&[1, 2], &members);
        assert_eq!(p[0].chain, ["p-c", "wasmtime@36.0.2"]);
    }

    #[test]
    fn shortest_chain_and_kind_of_the_first_edge() {
        let lock = lockfile::parse(LOCK, "Cargo.lock").unwrap();
        let g = Graph::new(&lock);
        let members = vec![
            Member {
                name: "app".into(),
                deps: vec![
                    ("helper".into(), DepKind::Normal),
                    ("wasmtime".into(), DepKind::Dev),
                    ("tester".into(), DepKind::Dev),
                ],
            },
            Member {
                name: "tester".into(),
                deps: vec![("wasmtime".into(), DepKind::Build)],
            },
        ];
        let members = Members {
            list: members,
            complete: true,
        };
        let p27 = g.pullers(&[3], &members);
        assert_eq!(p27.len(), 1);
        assert_eq!(p27[0].chain, ["app", "wasmtime@27.0.0"]);
        assert_eq!(
            p27[0].kind,
            DepKind::Normal,
            "also reached through the normal dep `helper`"
        );

        let p36 = g.pullers(&[4], &members);
        assert_eq!(p36.len(), 2);
        assert_eq!((p36[0].member.as_str(), p36[0].kind), ("app", DepKind::Dev));
        assert_eq!(p36[0].chain, ["app", "tester@0.1.0", "wasmtime@36.0.3"]);
        assert_eq!(
            (p36[1].member.as_str(), p36[1].kind),
            ("tester", DepKind::Build)
        );

        let unknown = g.pullers(&[4], &Members::default());
        assert_eq!(
            unknown.iter().map(|p| p.kind).collect::<Vec<_>>(),
            [DepKind::Unknown, DepKind::Unknown]
        );
    }
}
