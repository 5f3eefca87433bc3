//! One view of a Wasmtime major: the policy's dates plus the facts the data
//! holds about it (publication day, patches, MSRV). Majors past the data are
//! computed from the policy alone and marked `projected`.

use crate::model::data::Data;
use crate::model::policy;
use chrono::NaiveDate;
use semver::Version;

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
