//! The recommended LTS upgrade path for a release train.
//!
//! 1. On the newest released LTS: nothing to do; say when the next LTS arrives.
//! 2. Else, when a released, still supported LTS newer than the train exists:
//!    move to the newest one, through every supported LTS newer than the train.
//! 3. Else (newer than every released LTS): wait for the next LTS, or move back
//!    to the newest LTS, as Wasmtime's maintainers suggest.
//!
//! Besides the LTS path: an EOL train is told how to be supported again now
//! (`restore`: the nearest published, supported major forward, else back to
//! the newest LTS), and a supported non-LTS train whose support ends before
//! the next LTS is out is told by when to move and where (`move_by`).

use crate::check::effort::{self, Effort};
use crate::model::data::Data;
use crate::model::policy;
use crate::model::releases::{self, Release};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(clippy::enum_variant_names)] // the words of the JSON contract
pub enum Advice {
    /// Already on the newest LTS.
    OnNewestLts,
    /// Move to a supported LTS.
    MoveToLts,
    /// Newer than every released LTS: the next LTS is the target.
    NextLts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub major: u32,
    pub version: String,
    pub lts: bool,
    pub release_date: NaiveDate,
    pub eol_date: NaiveDate,
    pub projected: bool,
    /// How many majors the move crosses (always counted upwards from the older one).
    pub majors_crossed: u32,
    /// The target's minimum supported Rust version, when the data knows it.
    pub rust_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upgrade {
    pub advice: Advice,
    pub target: Option<u32>,
    pub target_version: Option<String>,
    pub path: Vec<u32>,
    pub target_release_date: Option<NaiveDate>,
    pub target_eol_date: Option<NaiveDate>,
    pub majors_crossed: Option<u32>,
    pub target_rust_version: Option<String>,
    /// The LTS after the train (with its nominal release date).
    pub next_lts: NextLts,
    /// The other choice for trains newer than every released LTS: move back.
    pub alternative: Option<Target>,
    /// For an EOL train: the release that restores support now (`null` when
    /// the train is supported or nothing published is supported).
    pub restore: Option<Restore>,
    /// For a supported non-LTS train whose support ends before the next LTS is
    /// released: the day to have moved by, and where.
    pub move_by: Option<MoveBy>,
    /// What each option costs: every LTS stepping stone, the target, the move
    /// back, the release that restores support.
    pub effort: Vec<OptionEffort>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restore {
    pub major: u32,
    pub version: String,
    pub eol_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveBy {
    /// The train's last supported day.
    pub date: NaiveDate,
    /// The next monthly release after the train.
    pub next_major: u32,
    pub next_release_date: NaiveDate,
    /// Its newest known patch, when the data has seen it.
    pub next_version: Option<String>,
    /// It was due before the facts were taken, and is not in them.
    pub next_late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionEffort {
    /// `stepping-stone`, `target`, `move-back` or `restore`.
    pub option: &'static str,
    #[serde(flatten)]
    pub effort: Effort,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextLts {
    pub major: u32,
    pub release_date: Option<NaiveDate>,
}

pub fn recommend(data: &Data, train: u32, as_of: NaiveDate) -> Upgrade {
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

    let restore = restore(data, train, as_of);
    let on_newest = policy::is_lts(train) && newest_lts.is_none_or(|n| train >= n);
    if on_newest {
        return Upgrade {
            advice: Advice::OnNewestLts,
            target: None,
            target_version: None,
            path: Vec::new(),
            target_release_date: None,
            target_eol_date: None,
            majors_crossed: None,
            target_rust_version: None,
            next_lts,
            alternative: None,
            effort: restore_effort(data, train, restore.as_ref()),
            restore,
            move_by: None,
        };
    }
    let (advice, path, alternative) = match newer_supported.last() {
        Some(_) => (Advice::MoveToLts, newer_supported, None),
        None => {
            let back = newest_lts
                .filter(|&n| policy::is_supported(n, as_of))
                .and_then(|n| target(data, train, n))
                .filter(|t| published(data, t.major).is_some());
            (Advice::NextLts, vec![next], back)
        }
    };
    let goal = path.last().and_then(|&m| target(data, train, m));
    let mut efforts: Vec<OptionEffort> = path
        .iter()
        .enumerate()
        .map(|(i, &m)| OptionEffort {
            option: if i + 1 == path.len() {
                "target"
            } else {
                "stepping-stone"
            },
            effort: effort::effort(data, train, m),
        })
        .collect();
    if let Some(back) = &alternative {
        efforts.push(OptionEffort {
            option: "move-back",
            effort: effort::effort(data, train, back.major),
        });
    }
    // The release that restores support is often a stepping stone already.
    if restore
        .as_ref()
        .is_some_and(|r| efforts.iter().all(|e| e.effort.to != r.major))
    {
        efforts.extend(restore_effort(data, train, restore.as_ref()));
    }
    let move_by = (advice == Advice::NextLts)
        .then(|| move_by(data, train, as_of, next_lts.release_date))
        .flatten();
    Upgrade {
        advice,
        target: goal.as_ref().map(|t| t.major),
        // Only a published release is ever named: a projected LTS has no version yet.
        target_version: goal.as_ref().and_then(|t| published(data, t.major)),
        path,
        target_release_date: goal.as_ref().map(|t| t.release_date),
        target_eol_date: goal.as_ref().map(|t| t.eol_date),
        majors_crossed: goal.as_ref().map(|t| t.majors_crossed),
        target_rust_version: goal.as_ref().and_then(|t| t.rust_version.clone()),
        next_lts,
        alternative,
        restore,
        move_by,
        effort: efforts,
    }
}

/// Published: the data has a patch of the major that is not yanked.
fn published(data: &Data, major: u32) -> Option<String> {
    data.majors
        .get(&major)?
        .latest_patch()
        .map(|p| p.version.to_string())
}

/// For a train past its EOL on `as_of`: the nearest published major after it
/// that is supported, else the newest supported LTS.
fn restore(data: &Data, train: u32, as_of: NaiveDate) -> Option<Restore> {
    if policy::status(train, as_of) != policy::Status::Eol {
        return None;
    }
    let forward = data
        .majors
        .keys()
        .copied()
        .filter(|&m| m > train && policy::is_supported(m, as_of))
        .find_map(|m| Some((m, published(data, m)?)));
    let back = || {
        let lts = policy::supported_lts(as_of).into_iter().next_back()?;
        Some((lts, published(data, lts)?))
    };
    let (major, version) = forward.or_else(back)?;
    Some(Restore {
        major,
        version,
        eol_date: policy::eol_date(major)?,
    })
}

fn restore_effort(data: &Data, train: u32, restore: Option<&Restore>) -> Vec<OptionEffort> {
    restore
        .map(|r| OptionEffort {
            option: "restore",
            effort: effort::effort(data, train, r.major),
        })
        .into_iter()
        .collect()
}

/// A supported non-LTS train whose support ends before the next LTS is due.
fn move_by(
    data: &Data,
    train: u32,
    as_of: NaiveDate,
    next_lts_release: Option<NaiveDate>,
) -> Option<MoveBy> {
    if policy::is_lts(train) || policy::status(train, as_of) != policy::Status::Supported {
        return None;
    }
    let eol = policy::eol_date(train)?;
    if next_lts_release.is_some_and(|due| due <= eol) {
        return None;
    }
    let next = train + 1;
    Some(MoveBy {
        date: eol,
        next_major: next,
        next_release_date: policy::release_date(next)?,
        next_version: published(data, next),
        next_late: matches!(
            data.publication(next, as_of),
            crate::model::data::Publication::Late { .. }
        ),
    })
}

fn target(data: &Data, train: u32, major: u32) -> Option<Target> {
    let r: Release = releases::release(data, major)?;
    Some(Target {
        major,
        // A projected major is never a move (callers filter it out); its
        // version is only the line's name.
        version: r.recommended_version().to_string(),
        lts: r.lts,
        release_date: r.release_date,
        eol_date: r.eol_date,
        projected: r.projected,
        majors_crossed: major.abs_diff(train),
        rust_version: r.rust_version.map(|v| format!("{}.{}", v.major, v.minor)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(train: u32, date: &str) -> Upgrade {
        recommend(&Data::embedded().unwrap(), train, date.parse().unwrap())
    }

    #[test]
    fn examples_of_november_2026() {
        let date = "2026-11-21";
        let u = at(24, date);
        assert_eq!(
            (u.advice, u.target, u.path.clone()),
            (Advice::MoveToLts, Some(48), vec![36, 48])
        );
        let newest_48 = Data::embedded().unwrap().majors[&48]
            .latest_patch()
            .map(|p| p.version.to_string());
        assert_eq!(u.target_version, newest_48);
        assert_eq!(u.target_eol_date, Some("2028-08-20".parse().unwrap()));
        assert_eq!(u.majors_crossed, Some(24));
        assert_eq!(at(27, date).path, vec![36, 48]);
        assert_eq!(at(36, date).path, vec![48]);
        assert_eq!(at(0, date).path, vec![36, 48]);

        let u = at(48, date);
        assert_eq!((u.advice, u.target), (Advice::OnNewestLts, None));
        assert_eq!(
            u.next_lts,
            NextLts {
                major: 60,
                release_date: Some("2027-08-20".parse().unwrap())
            }
        );

        let u = at(50, date);
        assert_eq!(
            (u.advice, u.target, u.path.clone()),
            (Advice::NextLts, Some(60), vec![60])
        );
        assert_eq!(
            u.target_version, None,
            "60 is not published: no version to name"
        );
        let back = u.alternative.unwrap();
        assert_eq!(
            (back.major, Some(back.version), back.majors_crossed),
            (48, newest_48, 2)
        );
        assert_eq!(at(49, date).target, Some(60));
    }

    #[test]
    fn an_eol_train_is_told_the_release_that_restores_support() {
        let data = Data::embedded().unwrap();
        // Every non-LTS major the data knows, the day after its EOL.
        for (&major, _) in data.majors.iter().filter(|(m, _)| !policy::is_lts(**m)) {
            let Some(date) = policy::eol_date(major).and_then(|d| d.succ_opt()) else {
                continue;
            };
            let u = recommend(&data, major, date);
            let r = u.restore.expect("an EOL train gets a restore target");
            assert!(policy::is_supported(r.major, date), "{major}: {r:?}");
            let published = data.majors[&r.major].latest_patch().unwrap();
            assert_eq!(r.version, published.version.to_string());
            assert_eq!(Some(r.eol_date), policy::eol_date(r.major));
            // Nothing published and supported lies between the train and it.
            let nearer = data.majors.iter().find(|(m, f)| {
                **m > major
                    && **m < r.major
                    && policy::is_supported(**m, date)
                    && f.latest_patch().is_some()
            });
            assert!(nearer.is_none(), "{major}: {nearer:?} is nearer than {r:?}");
            assert!(
                u.effort.iter().any(|e| e.effort.to == r.major),
                "{major}: the effort of restoring is given"
            );
        }
        // A supported train needs no restoring.
        let newest = data.newest_major();
        let on = policy::release_date(newest).unwrap();
        assert_eq!(recommend(&data, newest, on).restore, None);
    }

    #[test]
    fn restore_falls_back_to_the_newest_lts_when_nothing_newer_is_published() {
        let data = Data::embedded().unwrap();
        let past = data.newest_major() + 1;
        let past = if policy::is_lts(past) { past + 1 } else { past };
        let date = policy::eol_date(past).unwrap().succ_opt().unwrap();
        let u = recommend(&data, past, date);
        let lts = policy::supported_lts(date).into_iter().rev().find(|m| {
            data.majors
                .get(m)
                .is_some_and(|f| f.latest_patch().is_some())
        });
        assert_eq!(u.restore.map(|r| r.major), lts);
    }

    #[test]
    fn a_short_lived_train_is_told_by_when_to_move() {
        let data = Data::embedded().unwrap();
        let date = policy::release_date(50).unwrap();
        let u = at(50, &date.to_string());
        let by = u.move_by.unwrap();
        assert_eq!(by.date, policy::eol_date(50).unwrap());
        assert_eq!(by.next_major, 51);
        assert_eq!(
            by.next_version,
            data.majors
                .get(&51)
                .and_then(|f| f.latest_patch())
                .map(|p| p.version.to_string())
        );
        // 59's support outlasts 60's release: the next LTS is the answer.
        assert_eq!(
            at(59, &policy::release_date(59).unwrap().to_string()).move_by,
            None
        );
        assert_eq!(at(48, "2026-11-21").move_by, None);
    }

    #[test]
    fn before_any_lts_the_first_lts_is_the_target() {
        let u = at(20, "2024-05-01");
        assert_eq!(
            (u.advice, u.target, u.alternative),
            (Advice::NextLts, Some(24), None)
        );
    }

    #[test]
    fn an_eol_lts_moves_through_each_supported_lts() {
        // 24 is EOL after 2026-08-20; on that day it is still supported and 36, 48 are newer.
        assert_eq!(at(24, "2026-08-20").path, vec![36, 48]);
        // Before 48 is released, 36 is the newest LTS.
        let u = at(36, "2026-08-19");
        assert_eq!((u.advice, u.next_lts.major), (Advice::OnNewestLts, 48));
        assert_eq!(at(40, "2026-08-19").target, Some(48));
        assert_eq!(at(40, "2026-08-19").alternative.map(|t| t.major), Some(36));
    }
}
