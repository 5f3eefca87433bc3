//! The release calendar around a date: one row per major that is supported,
//! recently EOL or upcoming within the window, plus the trains a project uses.

use crate::check::inventory::Inventory;
use crate::model::data::{Data, Provenance};
use crate::model::policy::{self, Status};
use crate::model::releases::Support;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Calendar {
    pub as_of: NaiveDate,
    /// The window shown: from the first day of `start`'s month to `end`.
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub data: Provenance,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub major: u32,
    pub lts: bool,
    pub branch_date: NaiveDate,
    pub release: NaiveDate,
    pub eol: NaiveDate,
    pub status: Status,
    pub projected: bool,
    /// What the project uses of this train (`wasmtime 47.0.2`), if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used: Option<String>,
}

/// `months` ahead of `as_of` and half as many behind, whole months.
pub fn calendar(
    data: &Data,
    as_of: NaiveDate,
    months: u32,
    used: &BTreeMap<u32, String>,
) -> Calendar {
    let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let start = first_of(
        as_of
            .checked_sub_months(Months::new(months / 2))
            .unwrap_or(as_of),
    );
    let end = first_of(
        as_of
            .checked_add_months(Months::new(months + 1))
            .unwrap_or(as_of),
    )
    .pred_opt()
    .unwrap_or(as_of);
    let newest = policy::newest_released(end).unwrap_or(0);
    let rows = (1..=newest)
        .filter(|&m| {
            let (Some(release), Some(eol)) = (policy::release_date(m), policy::eol_date(m)) else {
                return false;
            };
            (release <= end && eol >= start) || used.contains_key(&m)
        })
        .chain(used.keys().copied().filter(|&m| m > newest))
        .filter_map(|m| {
            let support = Support::at(data, m, as_of, used.contains_key(&m));
            Some(Row {
                major: m,
                lts: support.lts,
                branch_date: policy::branch_date(m)?,
                release: support.release_date?,
                eol: support.eol_date?,
                status: support.status,
                projected: support.projected,
                used: used.get(&m).cloned(),
            })
        })
        .collect();
    Calendar {
        as_of,
        start,
        end,
        data: data.provenance.clone(),
        rows,
    }
}

/// The project's trains, each with its most telling crate (`wasmtime 47.0.2`).
pub fn used_in(inv: &Inventory) -> BTreeMap<u32, String> {
    inv.trains
        .iter()
        .filter(|(major, _)| **major > 0)
        .map(|(&major, crates)| {
            let c = crates
                .iter()
                .find(|c| c.name == "wasmtime")
                .unwrap_or(&crates[0]);
            (major, format!("{} {}", c.name, c.version))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn rows_around_november_2026() {
        let data = Data::embedded().unwrap();
        let c = calendar(&data, d("2026-11-21"), 12, &BTreeMap::new());
        assert_eq!((c.start, c.end), (d("2026-05-01"), d("2027-11-30")));
        let majors: Vec<u32> = c.rows.iter().map(|r| r.major).collect();
        // 24 LTS ended 2026-08-20, inside the window; 36 and 48 are supported LTS;
        // 43 (EOL 2026-05-20) to 63 (due 2027-11-20).
        let mut expected = vec![24, 36];
        expected.extend(43..=63);
        assert_eq!(majors, expected);
        let r48 = c.rows.iter().find(|r| r.major == 48).unwrap();
        assert_eq!(
            (r48.lts, r48.release, r48.eol, r48.status),
            (true, d("2026-08-20"), d("2028-08-20"), Status::Supported)
        );
        assert_eq!(
            c.rows.iter().find(|r| r.major == 60).unwrap().status,
            Status::Unreleased
        );
        let newest = Data::embedded().unwrap().newest_major();
        for r in &c.rows {
            assert_eq!(r.projected, r.major > newest, "{}", r.major);
        }
    }

    #[test]
    fn used_trains_are_always_rows() {
        let data = Data::embedded().unwrap();
        let used = BTreeMap::from([(27, "wasmtime 27.0.0".to_string())]);
        let c = calendar(&data, d("2026-11-21"), 6, &used);
        let r27 = c.rows.iter().find(|r| r.major == 27).unwrap();
        assert_eq!(r27.used.as_deref(), Some("wasmtime 27.0.0"));
        assert_eq!(r27.status, Status::Eol);
    }
}
