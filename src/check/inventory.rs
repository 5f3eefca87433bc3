//! Finds the Wasmtime family crates in one or more lockfiles and groups them
//! into release trains (one per Wasmtime major; 0 is the pre-1.0 era).

use crate::check::dependents::{Graph, Puller};
use crate::input::lockfile::{Lockfile, Package, Source};
use crate::input::workspace::Members;
use crate::model::family::{Family, Placement};
use semver::Version;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateUse {
    pub name: String,
    pub version: Version,
    pub source: Source,
    /// Index into `Inventory::lockfiles`.
    pub lockfile: usize,
    /// Index of the package in its lockfile.
    pub index: usize,
    pub line: u32,
    /// The major was inferred from the rest of the lockfile (pulley-interpreter 0.1.x).
    pub inferred: bool,
    /// A workspace member (or another local crate) depends on it directly.
    pub direct: bool,
    /// The SBOM component it was read from.
    pub reference: Option<String>,
}

impl CrateUse {
    pub fn is_prerelease(&self) -> bool {
        !self.version.pre.is_empty()
    }
}

/// A lockfile read: its path as shown, format version and package count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LockfileSummary {
    pub path: String,
    pub kind: crate::model::inputs::InputKind,
    pub format: u32,
    pub packages: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub lockfiles: Vec<LockfileSummary>,
    /// Family crates by Wasmtime major, in lockfile order.
    pub trains: BTreeMap<u32, Vec<CrateUse>>,
    /// Family crates at versions no Wasmtime release uses.
    pub unrecognized: Vec<CrateUse>,
    /// Per train: the workspace members that depend on it, with the lockfile index.
    pub pullers: BTreeMap<u32, Vec<(usize, Puller)>>,
}

/// A lockfile and, when its workspace manifests were read, the members'
/// direct dependencies with their kinds.
#[derive(Debug, Clone)]
pub struct LockInput {
    pub lockfile: Lockfile,
    pub members: Members,
}

impl Inventory {
    /// The majors found in one lockfile.
    pub fn majors_in(&self, lockfile: usize) -> BTreeSet<u32> {
        self.trains
            .iter()
            .filter(|(_, crates)| crates.iter().any(|c| c.lockfile == lockfile))
            .map(|(&major, _)| major)
            .collect()
    }
}

/// [`inventory_within`] without a calendar limit for names the data does not know.
pub fn inventory(inputs: &[LockInput], family: &Family) -> Inventory {
    inventory_within(inputs, family, crate::model::policy::MAX_MAJOR)
}

/// `newest` is the newest major a crate name the data does not know may claim
/// ([`crate::model::family::newest_plausible_major`]).
pub fn inventory_within(inputs: &[LockInput], family: &Family, newest: u32) -> Inventory {
    let mut inv = Inventory::default();
    for (index, input) in inputs.iter().enumerate() {
        let lock = &input.lockfile;
        inv.lockfiles.push(LockfileSummary {
            path: lock.path.clone(),
            kind: lock.kind,
            format: lock.format,
            packages: lock.packages.len(),
        });
        let placed = place_all(lock, family, newest);
        if placed.is_empty() {
            continue;
        }
        let graph = Graph::new(lock);
        let pulley_trains = PULLEY_TRAINS
            .into_iter()
            .filter(|&m| placed.iter().any(|(_, _, pl)| *pl == Placement::Major(m)))
            .collect::<Vec<_>>();
        let mut in_this: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for &(package, p, placement) in &placed {
            let (major, inferred) = match placement {
                Placement::Major(m) => (Some(m), false),
                Placement::Pulley24Or25 => (
                    Some(settle_pulley(lock, &graph, package, &pulley_trains, family)),
                    true,
                ),
                Placement::Unrecognized => (None, false),
            };
            let used = CrateUse {
                name: p.name.clone(),
                version: p.version.clone(),
                source: p.source.clone(),
                lockfile: index,
                index: package,
                line: p.line,
                reference: p.reference.clone(),
                inferred,
                direct: graph
                    .dependents(package)
                    .iter()
                    .any(|&i| lock.packages[i].source == Source::Path),
            };
            match major {
                Some(m) => {
                    in_this.entry(m).or_default().push(package);
                    inv.trains.entry(m).or_default().push(used);
                }
                None => inv.unrecognized.push(used),
            }
        }
        for (major, targets) in in_this {
            let found = graph.pullers(&targets, &input.members);
            inv.pullers
                .entry(major)
                .or_default()
                .extend(found.into_iter().map(|p| (index, p)));
        }
    }
    inv
}

/// Every family crate of the lockfile with its placement, in lockfile order.
fn place_all<'a>(
    lock: &'a Lockfile,
    family: &Family,
    newest: u32,
) -> Vec<(usize, &'a Package, Placement)> {
    let candidates = || {
        lock.packages
            .iter()
            .enumerate()
            .filter(|(_, p)| !is_placeholder(p))
    };
    // Pre-1.0 Cranelift versions, as the known crates of this lockfile use them.
    let pre_1_0_cranelift: BTreeSet<&Version> = candidates()
        .filter(|(_, p)| p.name.starts_with("cranelift") && family.get(&p.name).is_some())
        .filter(|(_, p)| {
            family.place_within(&p.name, &p.version, newest) == Some(Placement::Major(0))
        })
        .map(|(_, p)| &p.version)
        .collect();
    let placed: Vec<(usize, &Package, Placement)> = candidates()
        .filter_map(|(i, p)| {
            if let Source::Binding { .. } = p.source {
                return Some((i, p, binding_placement(&p.version, newest)));
            }
            let placement = family
                .place_within(&p.name, &p.version, newest)
                .or_else(|| {
                    // A pre-1.0 Cranelift crate the data does not list (cranelift-simplejit)
                    // counts when it is in lockstep with a known one.
                    (p.name.starts_with("cranelift-") && pre_1_0_cranelift.contains(&p.version))
                        .then_some(Placement::Major(0))
                })?;
            Some((i, p, placement))
        })
        .collect();
    // A name the data does not know counts only in lockstep with the family:
    // Wasmtime's crates require each other at the same release, so one of
    // the release's known crates depends on it, or it on one. A third-party
    // `wasmtime-provider 2.0.0` depending on wasmtime 25 is no Wasmtime 2.
    // In Wasmtime's own workspace, a member at the release's version is one.
    let known_at = |name: &str, version: Option<&str>, major: u32| {
        placed.iter().any(|(_, k, pl)| {
            *pl == Placement::Major(major)
                && k.name == name
                && family.get(&k.name).is_some()
                && version.is_none_or(|v| k.version.to_string() == v)
        })
    };
    let refers_to = |dep: &str, p: &Package| {
        let mut words = dep.split_whitespace();
        words.next() == Some(p.name.as_str())
            && words.next().is_none_or(|v| p.version.to_string() == v)
    };
    placed
        .iter()
        .filter(|(_, p, pl)| {
            let Placement::Major(major @ 1..) = *pl else {
                return true;
            };
            if family.get(&p.name).is_some() || matches!(p.source, Source::Binding { .. }) {
                return true;
            }
            let depends_on_family = p.dependencies.iter().any(|d| {
                let mut words = d.split_whitespace();
                let name = words.next().unwrap_or_default();
                known_at(name, words.next(), major)
            });
            let family_depends_on_it = placed.iter().any(|(_, k, kp)| {
                *kp == Placement::Major(major)
                    && family.get(&k.name).is_some()
                    && k.dependencies.iter().any(|d| refers_to(d, p))
            });
            // A member of the family's own workspace at the release's version.
            let in_its_workspace = p.source == Source::Path
                && placed.iter().any(|(_, k, _)| {
                    k.source == Source::Path
                        && k.version == p.version
                        && family.get(&k.name).is_some()
                });
            depends_on_family || family_depends_on_it || in_its_workspace
        })
        .copied()
        .collect()
}

/// A binding's version is the Wasmtime release it embeds: its major is the
/// train (0.40.0 the pre-1.0 era), within the calendar's plausible majors.
fn binding_placement(v: &Version, newest: u32) -> Placement {
    match u32::try_from(v.major) {
        Ok(0) => Placement::Major(0),
        Ok(m) if m <= newest => Placement::Major(m),
        _ => Placement::Unrecognized,
    }
}

/// Path crates at 0.0.0 / 0.1.0 are unpublished workspace members (fuzzers,
/// test helpers in Wasmtime's own workspace), not releases.
fn is_placeholder(p: &Package) -> bool {
    p.source == Source::Path
        && p.version.major == 0
        && p.version.minor <= 1
        && p.version.patch == 0
        && p.version.pre.is_empty()
}

/// The trains pulley-interpreter 0.1.x shipped with.
const PULLEY_TRAINS: [u32; 2] = [24, 25];

/// pulley-interpreter 0.1.x shipped with both 24 and 25. The crate that depends
/// on it decides; failing that, the other 24/25 crates of the lockfile
/// (`in_lockfile`, found once per lockfile); failing that, 0.1.1 and later
/// only shipped with 25. Dependents come from the resolved graph, so settling
/// every pulley entry costs one pass over the dependency edges.
fn settle_pulley(
    lock: &Lockfile,
    graph: &Graph,
    pulley: usize,
    in_lockfile: &[u32],
    family: &Family,
) -> u32 {
    let from_dependents: BTreeSet<u32> = graph
        .dependents(pulley)
        .iter()
        .map(|&i| &lock.packages[i])
        .filter_map(|p| match family.place(&p.name, &p.version) {
            Some(Placement::Major(m)) if PULLEY_TRAINS.contains(&m) => Some(m),
            _ => None,
        })
        .collect();
    if let (1, Some(&only)) = (from_dependents.len(), from_dependents.first()) {
        return only;
    }
    if let [only] = in_lockfile {
        return *only;
    }
    if lock.packages[pulley].version.patch >= 1 {
        25
    } else {
        24
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::lockfile;
    use crate::model::data::Data;

    fn inv(text: &str) -> Inventory {
        let data = Data::embedded().unwrap();
        let input = LockInput {
            lockfile: lockfile::parse(text, "Cargo.lock").unwrap(),
            members: Members::default(),
        };
        inventory_within(&[input], &data.family, newest(&data))
    }

    fn newest(data: &Data) -> u32 {
        crate::model::family::newest_plausible_major(
            data.newest_major(),
            "2026-11-21".parse().unwrap(),
        )
    }

    fn pkg(name: &str, version: &str, deps: &[&str]) -> String {
        let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
        format!(
            "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [{}]\n\n",
            deps.join(", ")
        )
    }

    #[test]
    fn pulley_follows_the_crate_that_depends_on_it() {
        let text = pkg("cranelift-codegen", "0.112.2", &["pulley-interpreter"])
            + &pkg("pulley-interpreter", "0.1.0", &[]);
        let i = inv(&text);
        assert_eq!(i.trains.keys().copied().collect::<Vec<_>>(), vec![25]);
        assert!(
            i.trains[&25]
                .iter()
                .any(|c| c.name == "pulley-interpreter" && c.inferred)
        );

        let text = pkg("wasmtime", "24.0.5", &["pulley-interpreter"])
            + &pkg("pulley-interpreter", "0.1.0", &[]);
        assert_eq!(
            inv(&text).trains.keys().copied().collect::<Vec<_>>(),
            vec![24]
        );
    }

    #[test]
    fn unknown_names_count_only_in_the_family_form() {
        // Pre-1.0 Cranelift crates the data does not list count in lockstep with known ones.
        let text =
            pkg("cranelift-codegen", "0.56.0", &[]) + &pkg("cranelift-simplejit", "0.56.0", &[]);
        assert_eq!(inv(&text).trains[&0].len(), 2);
        // Alone, or at another version, such a name is someone else's crate.
        assert!(
            inv(&pkg("cranelift-simplejit", "0.56.0", &[]))
                .trains
                .is_empty()
        );
        let text = pkg("cranelift-codegen", "0.56.0", &[]) + &pkg("cranelift-toy", "0.3.0", &[]);
        assert_eq!(inv(&text).trains[&0].len(), 1);
        // Host crates with their own numbering make no train and no warning.
        let text = pkg("wasmtime", "48.0.0", &[]) + &pkg("wasmtime-rb-host", "2.13.0", &[]);
        let i = inv(&text);
        assert_eq!(i.trains.keys().copied().collect::<Vec<_>>(), vec![48]);
        assert!(i.unrecognized.is_empty());
    }

    #[test]
    fn an_unknown_name_in_the_family_form_counts_only_in_lockstep() {
        // A third-party crate at 2.0.0 that pulls in wasmtime 25: no Wasmtime 2.
        let text = pkg("app", "0.1.0", &["wasmtime-provider"])
            + &pkg("wasmtime-provider", "2.0.0", &["wasmtime"])
            + &pkg("wasmtime", "25.0.3", &[]);
        let i = inv(&text);
        assert_eq!(i.trains.keys().copied().collect::<Vec<_>>(), vec![25]);
        // A crate of the release the data does not list yet, required by one it knows.
        let text = pkg("wasmtime", "48.0.2", &["wasmtime-internal-new 48.0.2"])
            + &pkg("wasmtime-internal-new", "48.0.2", &[])
            + &pkg("wasmtime-internal-newer", "48.0.2", &["wasmtime-environ"])
            + &pkg("wasmtime-environ", "48.0.2", &[]);
        let i = inv(&text);
        let names: Vec<&str> = i.trains[&48].iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 4, "{names:?}");
    }

    #[test]
    fn pulley_alone_is_placed_by_its_patch() {
        assert!(
            inv(&pkg("pulley-interpreter", "0.1.3", &[]))
                .trains
                .contains_key(&25)
        );
        assert!(
            inv(&pkg("pulley-interpreter", "0.1.0", &[]))
                .trains
                .contains_key(&24)
        );
    }

    #[test]
    fn placeholders_are_not_trains_but_unknown_versions_are_reported() {
        let text = "[[package]]\nname = \"wasmtime-fuzzing\"\nversion = \"0.0.0\"\n\n[[package]]\nname = \"cranelift-isle-veri\"\nversion = \"0.1.0\"\n\n"
            .to_string()
            + &pkg("cranelift-codegen", "1.2.3", &[]);
        let i = inv(&text);
        assert!(i.trains.is_empty());
        assert_eq!(i.unrecognized.len(), 1);
        assert_eq!(i.unrecognized[0].name, "cranelift-codegen");
    }
}
