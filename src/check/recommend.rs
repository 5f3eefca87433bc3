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

use crate::check::effort;
use crate::model::advice::{
    Advice, EffortOption, MoveBy, NextLts, Now, OptionEffort, Restore, Target, Upgrade,
};
use crate::model::data::{Data, Publication};
use crate::model::policy;
use crate::model::releases::{self, Release};
use chrono::NaiveDate;

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
    let advice = match newer_supported.last() {
        _ if on_newest => None,
        Some(&last) => target(data, train, last).map(|target| Advice::MoveToLts {
            path: newer_supported.clone(),
            target,
        }),
        None => {
            let back = newest_lts
                .filter(|&n| policy::is_supported(n, as_of))
                .and_then(|n| target(data, train, n))
                .filter(|t| t.version.is_some());
            target(data, train, next).map(|target| Advice::NextLts { target, back })
        }
    };
    // The calendar gives every LTS after an accepted major its dates
    // (`policy::release_date`), so a target is always found.
    let advice = advice.unwrap_or(Advice::OnNewestLts);

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
            move_by(data, train, as_of, next_lts.release_date).map(Now::MoveBy)
        }
        None => None,
    };
    Upgrade {
        advice,
        next_lts,
        now,
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
        next_late: matches!(data.publication(next, as_of), Publication::Late { .. }),
    })
}

fn target(data: &Data, train: u32, major: u32) -> Option<Target> {
    let r: Release = releases::release(data, major)?;
    Some(Target {
        major,
        version: published(data, major),
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
        let newest_48 = data.majors[&48]
            .latest_patch()
            .map(|p| p.version.to_string());
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
            let u = recommend(&data, major, date);
            let r = u.restore().expect("an EOL train gets a restore target");
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
        assert_eq!(recommend(&data, newest, on).restore(), None);
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
        assert_eq!(
            by.next_version,
            data.majors
                .get(&51)
                .and_then(|f| f.latest_patch())
                .map(|p| p.version.to_string())
        );
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
}
