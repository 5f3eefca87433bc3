//! The recommended upgrade for a release train: one rule, used by the audit,
//! `status`, `upgrade` and `bot-config` (the cases are a table in
//! docs/policy.md).
//!
//! Only releases that cargo resolves for the train's crates and that the
//! toolchain builds are options (`check::resolve`); among them:
//!
//! 1. On the newest released LTS: nothing to do; say when the next LTS arrives.
//! 2. Else, when a released, still supported LTS newer than the train exists:
//!    move to the newest one that is an option, through every supported LTS
//!    newer than the train.
//! 3. Else (newer than every released LTS): wait for the next LTS, or move back
//!    to the newest LTS that is an option, as Wasmtime's maintainers suggest.
//!
//! Besides the LTS path: an EOL train is told how to be supported again now
//! (`restore`: the option with the most support left; on a tie the nearer
//! major, then forward), and a supported non-LTS train whose support ends
//! before the next LTS is out is told by when to move and where (`move_by`:
//! the forward option with the most support left). No option is ever one
//! with less support left than another of equal or lower effort, and what is
//! left out for a reason (does not resolve, needs a newer Rust) is said once,
//! in `notes`.

use crate::check::effort;
use crate::check::resolve::{self, Limits, Resolution, Resolved};
use crate::model::advice::{
    Advice, EffortOption, MoveBy, NextLts, Now, OptionEffort, Restore, Target, Upgrade,
};
use crate::model::data::{Data, Publication};
use crate::model::policy;
use crate::model::releases::{self, Release};
use chrono::NaiveDate;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The crates a train is made of: the name in the lockfile and whether the
/// workspace depends on it directly; the subject (`wasmtime`, else a direct
/// dependency) first.
pub type TrainCrates = [(String, bool)];

/// `wasmtime` on its own (what the tests of the rule start from).
#[cfg(test)]
pub fn wasmtime_only() -> Vec<(String, bool)> {
    vec![("wasmtime".to_string(), true)]
}

/// What stands for `name` when no lockfile says which crates come with it:
/// the crate and the optional family crates its default features turn on,
/// in any of `majors` (a project with default features holds them).
pub fn with_default_features(data: &Data, name: &str, majors: &[u32]) -> Vec<(String, bool)> {
    let mut held = vec![(name.to_string(), true)];
    for &major in majors {
        for dep in data.published.major(major).default_deps(name) {
            if !held.iter().any(|(n, _)| *n == dep) {
                held.push((dep, false));
            }
        }
    }
    held
}

/// The options of one train: each major's resolution, worked out once.
pub struct Options<'a> {
    data: &'a Data,
    crates: &'a TrainCrates,
    limits: &'a Limits,
    seen: RefCell<BTreeMap<u32, Resolution>>,
}

impl<'a> Options<'a> {
    pub fn new(data: &'a Data, crates: &'a TrainCrates, limits: &'a Limits) -> Options<'a> {
        Options {
            data,
            crates,
            limits,
            seen: RefCell::new(BTreeMap::new()),
        }
    }

    pub fn resolution(&self, major: u32) -> Resolution {
        if let Some(r) = self.seen.borrow().get(&major) {
            return r.clone();
        }
        let r = resolve::resolve(self.data, major, self.crates, self.limits);
        self.seen.borrow_mut().insert(major, r.clone());
        r
    }

    /// The release of `major` cargo resolves and the toolchain builds.
    pub fn fits(&self, major: u32) -> Option<Resolved> {
        if major == 0 || !self.data.majors.contains_key(&major) {
            return None;
        }
        self.resolution(major).resolved().cloned()
    }

    /// The published majors supported on the audit's day that `keep` keeps.
    fn supported(&self, keep: impl Fn(u32) -> bool) -> Vec<u32> {
        let as_of = self.limits.as_of;
        self.data
            .majors
            .keys()
            .copied()
            .filter(|&m| keep(m) && policy::is_supported(m, as_of))
            .collect()
    }

    /// Among `majors`, the option with the most support left (see `preference`).
    /// Tried in that order, so only what is needed is resolved; with the
    /// majors tried first that are no option.
    fn best(&self, train: u32, majors: &[u32]) -> (Option<(u32, Resolved)>, Vec<u32>) {
        let mut ordered = majors.to_vec();
        ordered.sort_by_key(|&m| std::cmp::Reverse(preference(train, m)));
        let mut passed = Vec::new();
        for m in ordered {
            if let Some(r) = self.fits(m) {
                return (Some((m, r)), passed);
            }
            passed.push(m);
        }
        (None, passed)
    }

    /// Why `major` is no option, for a published major that is not one. A
    /// declared rust-version's gap is the `msrv-gap` finding's to say.
    fn why_not(&self, major: u32) -> Option<String> {
        if !self.data.majors.contains_key(&major) {
            return None;
        }
        match self.resolution(major).outcome {
            Ok(_) => None,
            Err(resolve::Blocked::NeedsRust { .. }) if self.limits.declared => None,
            Err(b) => Some(b.phrase(major)),
        }
    }

    /// Why the newest release of `major` is not the one named.
    fn skipped(&self, major: u32) -> Option<String> {
        let r = self.resolution(major);
        let chosen = r.resolved()?;
        let s = r.skipped.as_ref()?;
        Some(format!(
            "{}; the newest that {} is {}",
            s.phrase(),
            match &s.why {
                resolve::Why::NeedsRust(_) => "fits",
                _ => "resolves",
            },
            chosen.named()
        ))
    }
}

pub fn recommend(data: &Data, train: u32, crates: &TrainCrates, limits: &Limits) -> Upgrade {
    // A train of path or git crates only (Wasmtime's own workspace): judged
    // as a project using wasmtime with its default features would be.
    // (The crate names of the newest supported LTS, which is an option of
    // nearly every train; renamed crates are followed to it anyway.)
    let default = if crates.is_empty() {
        let lts = policy::supported_lts(limits.as_of).last().copied();
        let major = lts.unwrap_or_else(|| data.newest_major());
        with_default_features(data, "wasmtime", &[major])
    } else {
        Vec::new()
    };
    let crates = if crates.is_empty() {
        &default[..]
    } else {
        crates
    };
    let opts = Options::new(data, crates, limits);
    let as_of = limits.as_of;
    let mut notes: Vec<String> = Vec::new();
    let mut note = |n: Option<String>| {
        if let Some(n) = n
            && !notes.contains(&n)
        {
            notes.push(n);
        }
    };
    let newest_lts = policy::newest_released_lts(as_of);
    let next = policy::next_lts_after(train);
    let next_lts = NextLts {
        major: next,
        release_date: policy::release_date(next),
    };
    let newer_supported: Vec<u32> = policy::supported_lts(as_of)
        .into_iter()
        .filter(|&m| m > train)
        .collect();

    let on_newest = policy::is_lts(train) && newest_lts.is_none_or(|n| train >= n);
    if train > 0 && data.majors.contains_key(&train) {
        note(opts.skipped(train));
        // The line in use itself out of the toolchain's reach is said too
        // (`msrv-gap` speaks of targets only).
        if let Err(b @ resolve::Blocked::NeedsRust { .. }) = opts.resolution(train).outcome {
            note(Some(b.phrase(train)));
        }
    }
    let advice = match newer_supported.last() {
        _ if on_newest => None,
        Some(&last) => {
            let pick = newer_supported
                .iter()
                .rev()
                .copied()
                .find(|&m| opts.fits(m).is_some())
                .unwrap_or(last);
            if opts.fits(pick).is_none() {
                note(opts.why_not(pick));
            } else {
                note(opts.skipped(pick));
            }
            // A newer LTS out of reach is said, with why.
            for &m in newer_supported.iter().filter(|&&m| m > pick) {
                note(opts.why_not(m));
            }
            let path: Vec<u32> = newer_supported
                .iter()
                .copied()
                .filter(|&m| m <= pick)
                .collect();
            target(&opts, train, pick).map(|target| Advice::MoveToLts { path, target })
        }
        None => {
            let lts = newest_lts.filter(|&n| policy::is_supported(n, as_of));
            let back = lts
                .and_then(|n| target(&opts, train, n))
                .filter(|t| t.version.is_some());
            if back.is_none() {
                note(lts.and_then(|n| opts.why_not(n)));
            }
            target(&opts, train, next).map(|target| Advice::NextLts { target, back })
        }
    };
    // The calendar gives every LTS after an accepted major its dates
    // (`policy::release_date`), so a target is always found.
    let advice = advice.unwrap_or(Advice::OnNewestLts);

    let restore = restore(&opts, train, &mut note);
    let mut efforts: Vec<OptionEffort> = Vec::new();
    let path = match &advice {
        Advice::OnNewestLts => &[][..],
        Advice::MoveToLts { path, .. } => path.as_slice(),
        Advice::NextLts { target, .. } => std::slice::from_ref(&target.major),
    };
    for (i, &m) in path.iter().enumerate() {
        efforts.push(OptionEffort {
            option: if i + 1 == path.len() {
                EffortOption::Target
            } else {
                EffortOption::SteppingStone
            },
            effort: effort::effort(data, train, m),
        });
    }
    if let Advice::NextLts {
        back: Some(back), ..
    } = &advice
    {
        efforts.push(OptionEffort {
            option: EffortOption::MoveBack,
            effort: effort::effort(data, train, back.major),
        });
    }
    // The release that restores support is often a stepping stone already.
    if let Some(r) = &restore
        && efforts.iter().all(|e| e.effort.to != r.major)
    {
        efforts.push(OptionEffort {
            option: EffortOption::Restore,
            effort: effort::effort(data, train, r.major),
        });
    }
    let now = match restore {
        Some(r) => Some(Now::Restore(r)),
        None if matches!(advice, Advice::NextLts { .. }) => {
            move_by(&opts, train, next_lts.release_date, &mut note).map(Now::MoveBy)
        }
        None => None,
    };
    Upgrade {
        advice,
        next_lts,
        now,
        effort: efforts,
        notes,
        via: Vec::new(),
    }
}

/// How long an option keeps the project supported, and how far it moves:
/// more support first, then fewer majors crossed, then forward.
fn preference(train: u32, major: u32) -> (Option<NaiveDate>, std::cmp::Reverse<u32>, bool) {
    (
        policy::eol_date(major),
        std::cmp::Reverse(major.abs_diff(train)),
        major > train,
    )
}

/// For a train past its EOL: the supported option with the most support left.
fn restore(opts: &Options, train: u32, note: &mut dyn FnMut(Option<String>)) -> Option<Restore> {
    let as_of = opts.limits.as_of;
    if policy::status(train, as_of) != policy::Status::Eol {
        return None;
    }
    let supported = opts.supported(|m| m != train);
    let (best, passed) = opts.best(train, &supported);
    // A better option that is none (needs Rust, does not resolve) is said.
    for m in passed {
        note(opts.why_not(m));
    }
    let (major, resolved) = best?;
    note(opts.skipped(major));
    let (krate, version) = shown(&resolved);
    Some(Restore {
        major,
        version,
        krate,
        eol_date: policy::eol_date(major)?,
    })
}

/// A supported non-LTS train whose support ends before the next LTS is due:
/// by its EOL, the forward option with the most support left.
fn move_by(
    opts: &Options,
    train: u32,
    next_lts_release: Option<NaiveDate>,
    note: &mut dyn FnMut(Option<String>),
) -> Option<MoveBy> {
    let as_of = opts.limits.as_of;
    if policy::is_lts(train) || policy::status(train, as_of) != policy::Status::Supported {
        return None;
    }
    let eol = policy::eol_date(train)?;
    if next_lts_release.is_some_and(|due| due <= eol) {
        return None;
    }
    let forward = opts.supported(|m| m > train);
    let (best, passed) = opts.best(train, &forward);
    for m in passed {
        note(opts.why_not(m));
    }
    let (next, version, krate) = match best.clone() {
        Some((m, r)) => {
            note(opts.skipped(m));
            let (krate, version) = shown(&r);
            (m, Some(version), krate)
        }
        None => (train + 1, None, None),
    };
    Some(MoveBy {
        date: eol,
        next_major: next,
        next_release_date: policy::release_date(next)?,
        next_version: version,
        krate,
        unresolvable: best.is_none() && opts.data.majors.contains_key(&next),
        next_late: forward.is_empty()
            && matches!(opts.data.publication(next, as_of), Publication::Late { .. }),
    })
}

/// The subject's version, and its name when it is not in Wasmtime's numbering.
fn shown(r: &Resolved) -> (Option<String>, String) {
    let (name, v) = r.subject();
    let other = !(v.major == u64::from(r.major) && v.minor == 0);
    (other.then(|| name.to_string()), v.to_string())
}

fn target(opts: &Options, train: u32, major: u32) -> Option<Target> {
    let r: Release = releases::release(opts.data, major)?;
    let fits = opts.fits(major);
    let (krate, version) = match &fits {
        Some(f) => {
            let (k, v) = shown(f);
            (k, Some(v))
        }
        None => (None, None),
    };
    let rust = fits
        .as_ref()
        .and_then(|f| f.rust.clone())
        .or(r.rust_version);
    Some(Target {
        major,
        version,
        krate,
        lts: r.lts,
        release_date: r.release_date,
        eol_date: r.eol_date,
        projected: r.projected,
        majors_crossed: major.abs_diff(train),
        rust_version: rust.map(|v| format!("{}.{}", v.major, v.minor)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version of wasmtime `major` that resolves on its own, on `date`.
    fn resolving(data: &Data, major: u32, date: NaiveDate) -> Option<String> {
        let limits = Limits {
            as_of: date,
            rust: None,
            declared: false,
        };
        resolve::resolve(data, major, &wasmtime_only(), &limits)
            .resolved()
            .map(|r| r.subject().1.to_string())
    }

    fn recommend_on(data: &Data, train: u32, date: NaiveDate) -> Upgrade {
        let limits = Limits {
            as_of: date,
            rust: None,
            declared: false,
        };
        recommend(data, train, &wasmtime_only(), &limits)
    }

    fn at(train: u32, date: &str) -> Upgrade {
        recommend_on(&Data::embedded().unwrap(), train, date.parse().unwrap())
    }

    /// The advice's name, target major and path, for short assertions.
    fn shape(u: &Upgrade) -> (&'static str, Option<u32>, Vec<u32>) {
        (
            u.advice.as_str(),
            u.target().map(|t| t.major),
            u.path().to_vec(),
        )
    }

    #[test]
    fn examples_of_november_2026() {
        let date = "2026-11-21";
        let data = Data::embedded().unwrap();
        let newest_48 = resolving(&data, 48, date.parse().unwrap());
        let u = at(24, date);
        assert_eq!(shape(&u), ("move-to-lts", Some(48), vec![36, 48]));
        let target = u.target().unwrap();
        assert_eq!(target.version, newest_48);
        assert_eq!(Some(target.eol_date), policy::eol_date(48));
        assert_eq!(target.majors_crossed, 24);
        assert_eq!(at(27, date).path(), [36, 48]);
        assert_eq!(at(36, date).path(), [48]);
        assert_eq!(at(0, date).path(), [36, 48]);

        let u = at(48, date);
        assert_eq!(shape(&u), ("on-newest-lts", None, vec![]));
        assert_eq!(
            u.next_lts,
            NextLts {
                major: 60,
                release_date: policy::release_date(60)
            }
        );

        let u = at(50, date);
        assert_eq!(shape(&u), ("next-lts", Some(60), vec![60]));
        assert_eq!(
            u.target().unwrap().version,
            None,
            "60 is not published: no version to name"
        );
        let back = u.back().unwrap();
        assert_eq!(
            (back.major, back.version.clone(), back.majors_crossed),
            (48, newest_48, 2)
        );
        assert_eq!(at(49, date).target().map(|t| t.major), Some(60));
    }

    #[test]
    fn an_eol_train_is_told_the_release_that_restores_support() {
        let data = Data::embedded().unwrap();
        // Every non-LTS major the data knows, the day after its EOL.
        for (&major, _) in data.majors.iter().filter(|(m, _)| !policy::is_lts(**m)) {
            let Some(date) = policy::eol_date(major).and_then(|d| d.succ_opt()) else {
                continue;
            };
            let u = recommend_on(&data, major, date);
            let r = u.restore().expect("an EOL train gets a restore target");
            assert!(policy::is_supported(r.major, date), "{major}: {r:?}");
            assert_eq!(Some(r.version.clone()), resolving(&data, r.major, date));
            assert_eq!(Some(r.eol_date), policy::eol_date(r.major));
            // No option that resolves keeps the project supported longer.
            let longer = data.majors.keys().find(|&&m| {
                m != major
                    && policy::is_supported(m, date)
                    && policy::eol_date(m) > policy::eol_date(r.major)
                    && resolving(&data, m, date).is_some()
            });
            assert!(
                longer.is_none(),
                "{major}: {longer:?} lasts longer than {r:?}"
            );
            assert!(
                u.effort.iter().any(|e| e.effort.to == r.major),
                "{major}: the effort of restoring is given"
            );
        }
        // A supported train needs no restoring.
        let newest = data.newest_major();
        let on = policy::release_date(newest).unwrap();
        assert_eq!(recommend_on(&data, newest, on).restore(), None);
    }

    #[test]
    fn restore_falls_back_to_the_newest_lts_when_nothing_newer_is_published() {
        let data = Data::embedded().unwrap();
        let past = data.newest_major() + 1;
        let past = if policy::is_lts(past) { past + 1 } else { past };
        let date = policy::eol_date(past).unwrap().succ_opt().unwrap();
        let u = recommend_on(&data, past, date);
        let lts = policy::supported_lts(date).into_iter().rev().find(|m| {
            data.majors
                .get(m)
                .is_some_and(|f| f.latest_patch().is_some())
        });
        assert_eq!(u.restore().map(|r| r.major), lts);
    }

    #[test]
    fn a_short_lived_train_is_told_by_when_to_move() {
        let data = Data::embedded().unwrap();
        let date = policy::release_date(50).unwrap();
        let u = at(50, &date.to_string());
        let by = u.move_by().unwrap();
        assert_eq!(by.date, policy::eol_date(50).unwrap());
        assert_eq!(by.next_major, 51);
        // Nothing of 51 is published on 50's release day.
        assert_eq!(by.next_version, resolving(&data, 51, date));
        assert_eq!(by.next_version, None);
        // 59's support outlasts 60's release: the next LTS is the answer.
        assert_eq!(
            at(59, &policy::release_date(59).unwrap().to_string()).move_by(),
            None
        );
        assert_eq!(at(48, "2026-11-21").move_by(), None);
    }

    #[test]
    fn before_any_lts_the_first_lts_is_the_target() {
        let u = at(20, "2024-05-01");
        assert_eq!(shape(&u), ("next-lts", Some(24), vec![24]));
        assert_eq!(u.back(), None);
    }

    #[test]
    fn an_eol_lts_moves_through_each_supported_lts() {
        // 24 is EOL after 2026-08-20; on that day it is still supported and 36, 48 are newer.
        assert_eq!(at(24, "2026-08-20").path(), [36, 48]);
        // Before 48 is released, 36 is the newest LTS.
        let u = at(36, "2026-08-19");
        assert_eq!((u.advice, u.next_lts.major), (Advice::OnNewestLts, 48));
        let u = at(40, "2026-08-19");
        assert_eq!(u.target().map(|t| t.major), Some(48));
        assert_eq!(u.back().map(|t| t.major), Some(36));
    }

    #[test]
    fn the_last_major_accepted_still_has_a_next_lts_to_plan_for() {
        for major in [policy::MAX_MAJOR - 1, policy::MAX_MAJOR] {
            let u = at(major, "2026-11-21");
            let next = policy::next_lts_after(major);
            assert_eq!(shape(&u), ("next-lts", Some(next), vec![next]), "{major}");
            assert_eq!(
                Some(u.target().unwrap().release_date),
                policy::release_date(next)
            );
        }
    }

    // The rule's cases, one test each (the table in docs/policy.md).

    fn crates(names: &[&str]) -> Vec<(String, bool)> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), i == 0))
            .collect()
    }

    fn limits(date: &str, rust: Option<&str>, declared: bool) -> Limits {
        Limits {
            as_of: date.parse().unwrap(),
            rust: rust.map(|r| semver::Version::parse(r).unwrap()),
            declared,
        }
    }

    /// A project with default features holds these for wasmtime.
    const DEFAULT_FEATURES: [&str; 3] = [
        "wasmtime",
        "wasmtime-internal-component-macro",
        "wasmtime-internal-wit-bindgen",
    ];

    #[test]
    fn rule_r1_on_the_newest_lts() {
        let data = Data::embedded().unwrap();
        let u = recommend(
            &data,
            48,
            &wasmtime_only(),
            &limits("2026-12-05", None, false),
        );
        assert_eq!(u.advice, Advice::OnNewestLts);
        assert_eq!(u.next_lts.major, 60);
    }

    #[test]
    fn rule_r2_moves_through_every_supported_lts() {
        let data = Data::embedded().unwrap();
        let u = recommend(
            &data,
            27,
            &wasmtime_only(),
            &limits("2026-12-05", None, false),
        );
        assert_eq!(u.path(), [36, 48]);
        assert!(u.target().unwrap().version.is_some());
    }

    #[test]
    fn rule_r3_an_lts_out_of_reach_is_said() {
        let data = Data::embedded().unwrap();
        let need = data.majors[&48].rust_version.clone().unwrap();
        let below = format!("{}.{}.0", need.major, need.minor - 1);
        let u = recommend(
            &data,
            27,
            &wasmtime_only(),
            &limits("2026-12-05", Some(&below), false),
        );
        assert_eq!(u.path(), [36], "the newest LTS the toolchain builds");
        assert!(
            u.notes
                .iter()
                .any(|n| n.starts_with("Wasmtime 48 (") && n.contains("needs Rust")),
            "{:?}",
            u.notes
        );
        // A declared rust-version's gap is the msrv-gap finding's to say.
        let u = recommend(
            &data,
            27,
            &wasmtime_only(),
            &limits("2026-12-05", Some(&below), true),
        );
        assert!(
            u.notes.iter().all(|n| !n.contains("needs Rust")),
            "{:?}",
            u.notes
        );
    }

    #[test]
    fn rule_r4_a_short_line_is_told_by_when_to_move() {
        let data = Data::embedded().unwrap();
        // 51 is out and, for wasmtime alone, resolves: move to it by 50's EOL.
        let u = recommend(
            &data,
            50,
            &wasmtime_only(),
            &limits("2026-12-05", None, false),
        );
        let by = u.move_by().unwrap();
        assert_eq!(by.date, policy::eol_date(50).unwrap());
        assert_eq!((by.next_major, by.next_version.is_some()), (51, true));
        assert_eq!(u.back().map(|b| b.major), Some(48));
        // With default features nothing of 51 resolves: it is said, and no
        // version of it named.
        let u = recommend(
            &data,
            50,
            &crates(&DEFAULT_FEATURES),
            &limits("2026-12-05", None, false),
        );
        let by = u.move_by().unwrap();
        assert_eq!((by.next_major, by.next_version.as_deref()), (51, None));
        assert!(by.unresolvable);
        assert!(
            u.notes
                .iter()
                .any(|n| n.contains("no Wasmtime 51 release resolves")),
            "{:?}",
            u.notes
        );
    }

    #[test]
    fn rule_r5_restore_where_support_lasts_longest() {
        let data = Data::embedded().unwrap();
        let u = recommend(
            &data,
            49,
            &crates(&DEFAULT_FEATURES),
            &limits("2026-12-05", None, false),
        );
        let r = u.restore().unwrap();
        assert_eq!(r.major, 48, "not 50: less support at equal effort");
        // An end-of-life train older than the LTS moves forward to it.
        let day = policy::eol_date(47)
            .unwrap()
            .succ_opt()
            .unwrap()
            .to_string();
        let u = recommend(&data, 47, &wasmtime_only(), &limits(&day, None, false));
        assert_eq!(u.restore().map(|r| r.major), Some(48));
    }

    #[test]
    fn rule_r6_the_newest_patch_that_resolves() {
        let data = Data::embedded().unwrap();
        let l = limits("2026-12-05", None, false);
        let held = crates(&DEFAULT_FEATURES);
        let newest = data
            .published
            .major(48)
            .versions("wasmtime")
            .last()
            .unwrap()
            .version
            .clone();
        let r = resolve::resolve(&data, 48, &held, &l);
        let chosen = r.resolved().unwrap().subject().1.clone();
        assert!(chosen < newest, "{chosen} {newest}");
        let skipped = r.skipped.unwrap();
        assert_eq!(skipped.version, newest);
        assert!(
            skipped
                .phrase()
                .contains("published without wasmtime-internal-wit-bindgen")
        );
        // Without the crates default features pull in, the newest resolves.
        let alone = resolve::resolve(&data, 48, &wasmtime_only(), &l);
        assert_eq!(alone.resolved().unwrap().subject().1, &newest);
    }

    #[test]
    fn rule_r7_a_crate_missing_from_a_major() {
        let data = Data::embedded().unwrap();
        let last = data.family.get("wasi-common").unwrap().last;
        let lts = policy::next_lts_after(last);
        let day = policy::release_date(lts).unwrap().to_string();
        let u = recommend(
            &data,
            36,
            &crates(&["wasi-common"]),
            &limits(&day, None, false),
        );
        assert!(
            u.target()
                .is_none_or(|t| t.major != lts || t.version.is_none())
        );
        assert!(
            u.notes
                .iter()
                .any(|n| n.contains(&format!("wasi-common has no Wasmtime {lts} release"))),
            "{:?}",
            u.notes
        );
    }

    #[test]
    fn rule_r9_later_releases_are_not_facts() {
        let data = Data::embedded()
            .unwrap()
            .until("2026-11-10".parse().unwrap());
        assert!(!data.majors.contains_key(&51));
        let u = recommend(
            &data,
            50,
            &wasmtime_only(),
            &limits("2026-11-10", None, false),
        );
        assert_eq!(u.move_by().unwrap().next_version, None);
        assert!(
            !u.move_by().unwrap().unresolvable,
            "51 is not out: once published"
        );
    }
}
