//! One view of a Wasmtime major: the policy's dates plus the facts the data
//! holds about it (publication day, patches, MSRV). Majors past the data are
//! computed from the policy alone and marked `projected`.

use crate::model::data::{Data, Publication};
use crate::model::policy::{self, Status};
use chrono::NaiveDate;
use semver::Version;
use serde::Serialize;

/// A major as every report shows it on a date: its support status, the
/// policy's dates, and whether the facts have seen it. Trains, `status` and
/// the calendar all take it from here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Support {
    /// The Wasmtime major; 0 is the pre-1.0 era (Wasmtime 0.x, Cranelift <= 0.87).
    pub major: u32,
    pub lts: bool,
    pub status: Status,
    pub release_date: Option<NaiveDate>,
    pub eol_date: Option<NaiveDate>,
    /// Days from the evaluated date to the EOL date; negative once past.
    pub days_left: Option<i64>,
    /// The dates come from the policy alone: the data has not seen this major.
    pub projected: bool,
}

impl Support {
    /// `major` on `as_of`. A major that was due before the facts were taken
    /// but is not in them is not out yet, unless a lockfile holds it
    /// (`in_use`): a resolved lockfile is proof of publication.
    pub fn at(data: &Data, major: u32, as_of: NaiveDate, in_use: bool) -> Support {
        let release = release(data, major);
        let status = match data.publication(major, as_of) {
            Publication::Late { .. } if !in_use => Status::Unreleased,
            _ => policy::status(major, as_of),
        };
        Support {
            major,
            lts: policy::is_lts(major),
            status,
            release_date: release.as_ref().map(|r| r.release_date),
            eol_date: release.as_ref().map(|r| r.eol_date),
            days_left: release.as_ref().map(|r| (r.eol_date - as_of).num_days()),
            projected: release.as_ref().is_some_and(|r| r.projected),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub major: u32,
    pub lts: bool,
    pub branch_date: NaiveDate,
    /// Nominal release date (the policy's; `published` is when it really shipped).
    pub release_date: NaiveDate,
    pub published: Option<NaiveDate>,
    pub eol_date: NaiveDate,
    /// Not in the data: dates computed from the policy only.
    pub projected: bool,
    pub rust_version: Option<Version>,
    /// The newest patch of the line that the data knows.
    pub latest_patch: Option<Version>,
}

/// The release view of `major`; `None` for the pre-1.0 era and absurd majors.
pub fn release(data: &Data, major: u32) -> Option<Release> {
    let facts = data.majors.get(&major);
    Some(Release {
        major,
        lts: policy::is_lts(major),
        branch_date: policy::branch_date(major)?,
        release_date: policy::release_date(major)?,
        published: facts.map(|f| f.released),
        eol_date: policy::eol_date(major)?,
        projected: facts.is_none(),
        rust_version: facts.and_then(|f| f.rust_version.clone()),
        latest_patch: facts
            .and_then(|f| f.latest_patch())
            .map(|p| p.version.clone()),
    })
}
