//! Wasmtime's release and support policy as rules on major numbers and dates.
//!
//! Major N is released on the 20th of each month, nominally
//! 2024-04-20 + (N - 20) months, branched on the 5th of the same month. Every
//! 12th major from 24 on is an LTS release supported for 24 months; every other
//! major for 2 months. A release is supported while release <= date <= EOL date.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// Majors above this are treated as nonsense (it is roughly the year 2857).
pub const MAX_MAJOR: u32 = 10_000;
/// The calendar reaches one LTS cycle past `MAX_MAJOR`, so that every
/// accepted major has a next LTS with dates.
const CALENDAR_END: u32 = MAX_MAJOR + LTS_EVERY;
pub const FIRST_LTS: u32 = 24;
pub const LTS_EVERY: u32 = 12;
pub const LTS_SUPPORT_MONTHS: u32 = 24;
pub const NORMAL_SUPPORT_MONTHS: u32 = 2;

const ANCHOR_MAJOR: u32 = 20;
const RELEASE_DAY: u32 = 20;
const BRANCH_DAY: u32 = 5;

/// The dates the tool evaluates: from Wasmtime's first releases to far past
/// any lockfile in use. Outside them the calendar arithmetic is not meaningful.
pub const EARLIEST_DATE: &str = "2019-01-01";
pub const LATEST_DATE: &str = "2199-12-31";

/// Whether `date` is within [`EARLIEST_DATE`]..=[`LATEST_DATE`].
pub fn date_in_range(date: NaiveDate) -> bool {
    let parse = |s: &str| s.parse::<NaiveDate>().ok();
    matches!((parse(EARLIEST_DATE), parse(LATEST_DATE)), (Some(a), Some(b)) if (a..=b).contains(&date))
}

fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, RELEASE_DAY).expect("2024-04-20 is a date")
}

pub fn is_lts(major: u32) -> bool {
    major >= FIRST_LTS && major % LTS_EVERY == 0
}

pub fn support_months(major: u32) -> u32 {
    if is_lts(major) {
        LTS_SUPPORT_MONTHS
    } else {
        NORMAL_SUPPORT_MONTHS
    }
}

/// The nominal release date of `major` (the policy's date, not the day it shipped).
pub fn release_date(major: u32) -> Option<NaiveDate> {
    if major == 0 || major > CALENDAR_END {
        return None;
    }
    if major >= ANCHOR_MAJOR {
        anchor().checked_add_months(Months::new(major - ANCHOR_MAJOR))
    } else {
        anchor().checked_sub_months(Months::new(ANCHOR_MAJOR - major))
    }
}

/// The day the release branch is cut (the 5th of the release month).
pub fn branch_date(major: u32) -> Option<NaiveDate> {
    release_date(major)?.with_day(BRANCH_DAY)
}

/// The last supported day of `major`.
pub fn eol_date(major: u32) -> Option<NaiveDate> {
    release_date(major)?.checked_add_months(Months::new(support_months(major)))
}

/// The first LTS after `major`.
pub fn next_lts_after(major: u32) -> u32 {
    if major < FIRST_LTS {
        FIRST_LTS
    } else {
        (major / LTS_EVERY + 1) * LTS_EVERY
    }
}

/// The newest major whose nominal release date is on or before `date`.
pub fn newest_released(date: NaiveDate) -> Option<u32> {
    let months = (i64::from(date.year()) - 2024) * 12 + i64::from(date.month()) - 4;
    let mut n = i64::from(ANCHOR_MAJOR) + months;
    if date.day() < RELEASE_DAY {
        n -= 1;
    }
    u32::try_from(n)
        .ok()
        .filter(|&n| n >= 1)
        .map(|n| n.min(MAX_MAJOR))
}

/// The newest LTS released on or before `date`.
pub fn newest_released_lts(date: NaiveDate) -> Option<u32> {
    let n = newest_released(date)?;
    let lts = n / LTS_EVERY * LTS_EVERY;
    (lts >= FIRST_LTS).then_some(lts)
}

/// Whether `major` is supported on `date` (EOL date inclusive).
pub fn is_supported(major: u32, date: NaiveDate) -> bool {
    match (release_date(major), eol_date(major)) {
        (Some(release), Some(eol)) => release <= date && date <= eol,
        _ => false,
    }
}

/// LTS releases supported on `date`, oldest first.
pub fn supported_lts(date: NaiveDate) -> Vec<u32> {
    let Some(newest) = newest_released_lts(date) else {
        return Vec::new();
    };
    (FIRST_LTS..=newest)
        .step_by(LTS_EVERY as usize)
        .filter(|&m| is_supported(m, date))
        .collect()
}

/// Support status of a release train at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Supported,
    Eol,
    /// Its release date is after the evaluated date.
    Unreleased,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Supported => "supported",
            Status::Eol => "eol",
            Status::Unreleased => "unreleased",
        }
    }
}

/// The status of a released (non pre-release) major on `date`; the pre-1.0 era
/// (major 0) is always EOL.
pub fn status(major: u32, date: NaiveDate) -> Status {
    match (release_date(major), eol_date(major)) {
        (Some(release), _) if date < release => Status::Unreleased,
        (Some(_), Some(eol)) if date <= eol => Status::Supported,
        _ => Status::Eol,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn reproduces_the_release_documentation_table() {
        // major, LTS, branch, release, EOL (Wasmtime's docs/stability-release.md)
        let table = [
            (24, true, "2024-08-05", "2024-08-20", "2026-08-20"),
            (30, false, "2025-02-05", "2025-02-20", "2025-04-20"),
            (31, false, "2025-03-05", "2025-03-20", "2025-05-20"),
            (32, false, "2025-04-05", "2025-04-20", "2025-06-20"),
            (33, false, "2025-05-05", "2025-05-20", "2025-07-20"),
            (36, true, "2025-08-05", "2025-08-20", "2027-08-20"),
        ];
        for (major, lts, branch, release, eol) in table {
            assert_eq!(is_lts(major), lts, "{major}");
            assert_eq!(branch_date(major), Some(d(branch)), "{major}");
            assert_eq!(release_date(major), Some(d(release)), "{major}");
            assert_eq!(eol_date(major), Some(d(eol)), "{major}");
        }
    }

    #[test]
    fn nominal_dates_before_and_after_the_anchor() {
        assert_eq!(release_date(1), Some(d("2022-09-20")));
        assert_eq!(release_date(48), Some(d("2026-08-20")));
        assert_eq!(release_date(60), Some(d("2027-08-20")));
        assert_eq!(eol_date(60), Some(d("2029-08-20")));
        assert_eq!(release_date(0), None);
        assert_eq!(release_date(CALENDAR_END + 1), None);
        assert!(release_date(next_lts_after(MAX_MAJOR)).is_some());
    }

    #[test]
    fn lts_rule() {
        assert!(!is_lts(12), "12 was never LTS");
        assert!(!is_lts(0));
        assert!(is_lts(24) && is_lts(36) && is_lts(48) && is_lts(60));
        assert!(!is_lts(25) && !is_lts(47));
        assert_eq!(next_lts_after(12), 24);
        assert_eq!(next_lts_after(27), 36);
        assert_eq!(next_lts_after(48), 60);
        assert_eq!(next_lts_after(50), 60);
    }

    #[test]
    fn eol_date_is_the_last_supported_day() {
        assert_eq!(status(49, d("2026-11-20")), Status::Supported);
        assert_eq!(status(49, d("2026-11-21")), Status::Eol);
        assert_eq!(status(50, d("2026-10-19")), Status::Unreleased);
        assert_eq!(status(50, d("2026-10-20")), Status::Supported);
        assert_eq!(status(0, d("2026-10-20")), Status::Eol);
    }

    #[test]
    fn newest_released_follows_the_calendar() {
        assert_eq!(newest_released(d("2026-11-21")), Some(51));
        assert_eq!(newest_released(d("2026-11-19")), Some(50));
        assert_eq!(newest_released(d("2026-11-20")), Some(51));
        assert_eq!(newest_released(d("2022-09-19")), None);
        assert_eq!(newest_released_lts(d("2026-11-21")), Some(48));
        assert_eq!(newest_released_lts(d("2026-08-19")), Some(36));
        assert_eq!(newest_released_lts(d("2024-08-19")), None);
        assert_eq!(supported_lts(d("2026-11-21")), vec![36, 48]);
        assert_eq!(supported_lts(d("2026-08-20")), vec![24, 36, 48]);
        for major in 1..200 {
            let release = release_date(major).unwrap();
            assert_eq!(newest_released(release), Some(major));
            assert_eq!(
                newest_released(release.pred_opt().unwrap()),
                Some(major - 1).filter(|&m| m > 0)
            );
        }
    }
}
