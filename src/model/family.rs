//! The Wasmtime release family: which crates are released in lockstep with
//! Wasmtime, and how each crate's version maps to a Wasmtime major.

use crate::error::{Context, Result};
use crate::model::policy;
use chrono::NaiveDate;
use semver::Version;
use serde::Deserialize;
use std::collections::HashMap;

/// How a crate numbers its releases relative to Wasmtime major N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Scheme {
    /// N.0.patch (wasmtime, wasmtime-*, wiggle*, wasi-common, ...).
    #[serde(rename = "same")]
    Same,
    /// 0.(N+87).patch (every cranelift-* crate from Wasmtime 1 on).
    #[serde(rename = "cranelift")]
    Cranelift,
    /// 0.(N-2).patch (winch-codegen for 3..25, winch-environ).
    #[serde(rename = "winch-0.x")]
    WinchZeroMinor,
    /// 0.1.x for both 24 and 25 (pulley-interpreter): ambiguous on its own.
    #[serde(rename = "pulley-0.1")]
    PulleyZeroOne,
    /// (N-1).0.patch (wasmtime-jit-icache-coherence at 3 and 4).
    #[serde(rename = "minus-one")]
    MinusOne,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SchemeSpan {
    pub from: u32,
    pub to: u32,
    pub scheme: Scheme,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FamilyCrate {
    pub name: String,
    /// First and last Wasmtime major that published this crate.
    pub first: u32,
    pub last: u32,
    /// Published in the 0.x era (Wasmtime 0.40 and before).
    pub pre_1_0: bool,
    pub schemes: Vec<SchemeSpan>,
    /// The crate that took over its code when it was renamed, folded or merged.
    pub successor: Option<String>,
    pub note: Option<String>,
}

impl FamilyCrate {
    fn uses(&self, scheme: Scheme) -> bool {
        self.schemes.iter().any(|s| s.scheme == scheme)
    }

    /// The scheme at `major`; majors past the data keep the latest scheme.
    pub fn scheme_at(&self, major: u32) -> Option<Scheme> {
        if let Some(span) = self
            .schemes
            .iter()
            .find(|s| (s.from..=s.to).contains(&major))
        {
            return Some(span.scheme);
        }
        let last = self.schemes.iter().max_by_key(|s| s.to)?;
        (major > last.to).then_some(last.scheme)
    }
}

/// Where a family crate's version places it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// A Wasmtime major; 0 is the pre-1.0 era (Wasmtime 0.x, Cranelift 0.87 and below).
    Major(u32),
    /// pulley-interpreter 0.1.x: 24 or 25, to be settled by the rest of the lockfile.
    Pulley24Or25,
    /// A family crate at a version no Wasmtime release uses.
    Unrecognized,
}

#[derive(Debug, Clone)]
pub struct Family {
    crates: HashMap<String, FamilyCrate>,
}

#[derive(Deserialize)]
struct CratesFile {
    crates: Vec<FamilyCrate>,
}

/// Name prefixes of crates released with Wasmtime; new crates appear under them.
const FAMILY_PREFIXES: [&str; 4] = ["wasmtime-", "cranelift-", "winch-", "pulley-"];
/// The last Wasmtime 0.x minor (0.40.x).
const LAST_PRE_1_0_MINOR: u64 = 40;
/// Cranelift 0.(N+87) for Wasmtime N.
pub const CRANELIFT_OFFSET: u32 = 87;

/// The newest major a crate the data does not know may claim on `date`: the
/// one the calendar says is in development (released majors plus one, since
/// `-dev` crates of the next major exist), or the newest the data has seen.
pub fn newest_plausible_major(data_newest: u32, date: NaiveDate) -> u32 {
    let calendar = policy::newest_released(date).unwrap_or(0).saturating_add(1);
    calendar.max(data_newest)
}

impl Family {
    pub fn from_json(text: &str) -> Result<Family> {
        let file: CratesFile =
            serde_json::from_str(text).context("embedded data/crates.json is corrupt")?;
        Ok(Family {
            crates: file
                .crates
                .into_iter()
                .map(|c| (c.name.clone(), c))
                .collect(),
        })
    }

    pub fn get(&self, name: &str) -> Option<&FamilyCrate> {
        self.crates.get(name)
    }

    pub fn known(&self) -> impl Iterator<Item = &FamilyCrate> {
        self.crates.values()
    }

    /// Whether `name` is a family crate name (known, or under a family prefix).
    pub fn is_member(&self, name: &str) -> bool {
        self.crates.contains_key(name) || FAMILY_PREFIXES.iter().any(|p| name.starts_with(p))
    }

    /// [`Family::place_within`] without a calendar: unknown names still count
    /// only in the family's form, up to the largest plausible major.
    pub fn place(&self, name: &str, v: &Version) -> Option<Placement> {
        self.place_within(name, v, policy::MAX_MAJOR)
    }

    /// Maps a crate version to its Wasmtime major; `None` for crates outside the family.
    ///
    /// Names the data knows are placed by their schemes. A name the data does
    /// not know but that carries a family prefix may be someone else's crate
    /// with its own numbering (`wasmtime-foo` 2.13.0): it counts only in the
    /// family's form (`N.0.patch`, `0.(N+87).patch` for `cranelift-*`) and with
    /// a major no newer than `newest` (see [`newest_plausible_major`]).
    pub fn place_within(&self, name: &str, v: &Version, newest: u32) -> Option<Placement> {
        let Some(known) = self.crates.get(name) else {
            return self.place_unknown(name, v, newest);
        };
        let cranelift = name == "cranelift" || name.starts_with("cranelift-");
        let major = |n: Option<u64>| match n.map(u32::try_from) {
            Some(Ok(n)) if n <= policy::MAX_MAJOR => Placement::Major(n),
            _ => Placement::Unrecognized,
        };

        let placement = if v.major == 0 {
            if cranelift {
                match v.minor.checked_sub(u64::from(CRANELIFT_OFFSET)) {
                    Some(n) if n > 0 => major(Some(n)),
                    _ => Placement::Major(0),
                }
            } else if known.uses(Scheme::WinchZeroMinor) {
                if v.minor == 0 {
                    Placement::Unrecognized
                } else {
                    major(v.minor.checked_add(2))
                }
            } else if known.uses(Scheme::PulleyZeroOne) {
                if v.minor == 1 {
                    Placement::Pulley24Or25
                } else {
                    Placement::Unrecognized
                }
            } else if known.pre_1_0 && v.minor <= LAST_PRE_1_0_MINOR {
                Placement::Major(0)
            } else {
                Placement::Unrecognized
            }
        } else if cranelift {
            Placement::Unrecognized
        } else if known.uses(Scheme::MinusOne) && (2..=3).contains(&v.major) {
            major(v.major.checked_add(1))
        } else {
            major(Some(v.major))
        };
        Some(placement)
    }

    /// An unknown name under a family prefix: a release only in the family's form.
    fn place_unknown(&self, name: &str, v: &Version, newest: u32) -> Option<Placement> {
        if !FAMILY_PREFIXES.iter().any(|p| name.starts_with(p)) {
            return None;
        }
        let n = if name.starts_with("cranelift-") {
            if v.major != 0 {
                return None;
            }
            v.minor.checked_sub(u64::from(CRANELIFT_OFFSET))?
        } else {
            if v.minor != 0 {
                return None;
            }
            v.major
        };
        let n = u32::try_from(n).ok()?;
        (1..=newest.min(policy::MAX_MAJOR))
            .contains(&n)
            .then_some(Placement::Major(n))
    }

    /// The version of `name` released with Wasmtime `major`.`patch`, if the
    /// crate's scheme at that major is known and unambiguous.
    pub fn version_for(&self, name: &str, major: u32, patch: u64) -> Option<Version> {
        let scheme = match self.crates.get(name) {
            Some(c) => c.scheme_at(major)?,
            None if name.starts_with("cranelift-") => Scheme::Cranelift,
            None if self.is_member(name) => Scheme::Same,
            None => return None,
        };
        let major = u64::from(major);
        match scheme {
            Scheme::Same => Some(Version::new(major, 0, patch)),
            Scheme::Cranelift => Some(Version::new(0, major + u64::from(CRANELIFT_OFFSET), patch)),
            Scheme::WinchZeroMinor => Some(Version::new(0, major.checked_sub(2)?, patch)),
            Scheme::MinusOne => Some(Version::new(major.checked_sub(1)?, 0, patch)),
            Scheme::PulleyZeroOne => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::data::Data;

    /// Placement on 2026-11-21 (the calendar allows up to 52 then).
    fn place(name: &str, v: &str) -> Option<Placement> {
        let data = Data::embedded().unwrap();
        let newest = newest_plausible_major(data.newest_major(), date());
        data.family
            .place_within(name, &Version::parse(v).unwrap(), newest)
    }

    fn date() -> NaiveDate {
        "2026-11-21".parse().unwrap()
    }

    #[test]
    fn version_arithmetic_never_overflows() {
        let max = u64::MAX;
        for (name, v) in [
            ("winch-codegen", format!("0.{max}.0")),
            ("wasmtime", format!("{max}.0.0")),
            ("cranelift-codegen", format!("0.{max}.0")),
            ("wasmtime-made-up", format!("{max}.0.0")),
        ] {
            let placed = place(name, &v);
            assert!(
                !matches!(placed, Some(Placement::Major(_))),
                "{name} {v}: {placed:?}"
            );
        }
    }

    #[test]
    fn every_version_scheme() {
        use Placement::*;
        assert_eq!(place("wasmtime", "27.0.1"), Some(Major(27)));
        assert_eq!(place("wasi-common", "36.0.12"), Some(Major(36)));
        assert_eq!(place("cranelift-codegen", "0.114.0"), Some(Major(27)));
        assert_eq!(place("cranelift-codegen", "0.135.8"), Some(Major(48)));
        assert_eq!(place("cranelift-codegen", "0.88.0"), Some(Major(1)));
        assert_eq!(place("cranelift-codegen", "0.87.0"), Some(Major(0)));
        assert_eq!(place("cranelift-codegen", "0.56.0"), Some(Major(0)));
        assert_eq!(place("winch-codegen", "0.20.0"), Some(Major(22)));
        assert_eq!(place("winch-codegen", "0.1.0"), Some(Major(3)));
        assert_eq!(place("winch-codegen", "38.0.4"), Some(Major(38)));
        assert_eq!(place("pulley-interpreter", "0.1.2"), Some(Pulley24Or25));
        assert_eq!(place("pulley-interpreter", "46.0.0"), Some(Major(46)));
        assert_eq!(
            place("wasmtime-jit-icache-coherence", "2.0.0"),
            Some(Major(3))
        );
        assert_eq!(
            place("wasmtime-jit-icache-coherence", "3.0.1"),
            Some(Major(4))
        );
        assert_eq!(
            place("wasmtime-jit-icache-coherence", "5.0.0"),
            Some(Major(5))
        );
        assert_eq!(place("wasmtime", "0.39.1"), Some(Major(0)));
        assert_eq!(place("wasmtime", "49.0.0-dev"), Some(Major(49)));
        assert_eq!(place("cranelift-codegen", "0.136.0-dev"), Some(Major(49)));
    }

    #[test]
    fn new_names_under_family_prefixes_are_members() {
        assert_eq!(
            place("wasmtime-internal-new-thing", "51.0.0"),
            Some(Placement::Major(51))
        );
        assert_eq!(
            place("pulley-newcrate", "52.0.1"),
            Some(Placement::Major(52))
        );
        // Someone else's crate at 0.x under a family prefix is not a release train.
        assert_eq!(place("wasmtime-py-helper", "0.3.0"), None);
        assert_eq!(place("serde", "1.0.0"), None);
        assert_eq!(place("wit-bindgen", "0.46.0"), None);
    }

    #[test]
    fn unknown_names_count_only_in_the_family_form_and_calendar() {
        // Host crates under the prefixes with their own numbering.
        assert_eq!(place("wasmtime-rb-host", "2.13.0"), None);
        assert_eq!(place("wasmtime-rb-host", "1.20.0"), None);
        assert_eq!(place("cranelift-toy", "0.3.0"), None);
        assert_eq!(place("cranelift-toy", "1.0.0"), None);
        // In the family's form, with a major the calendar allows.
        assert_eq!(
            place("wasmtime-rb-host", "2.0.1"),
            Some(Placement::Major(2))
        );
        assert_eq!(
            place("cranelift-toy", "0.114.2"),
            Some(Placement::Major(27))
        );
        let data = Data::embedded().unwrap();
        let newest = newest_plausible_major(data.newest_major(), date());
        let past = (newest + 1).to_string();
        assert_eq!(place("wasmtime-rb-host", &format!("{past}.0.0")), None);
        assert_eq!(
            place(
                "cranelift-toy",
                &format!("0.{}.0", newest + 1 + CRANELIFT_OFFSET)
            ),
            None
        );
        assert_eq!(
            place("wasmtime-rb-host", &format!("{newest}.0.0-dev")),
            Some(Placement::Major(newest))
        );
        // Names the data knows keep their own schemes whatever the calendar says.
        assert_eq!(
            place("wasmtime", &format!("{past}.0.0")),
            Some(Placement::Major(newest + 1))
        );
    }

    #[test]
    fn the_calendar_limit_includes_the_major_in_development_and_the_data() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(newest_plausible_major(0, d("2026-11-21")), 52);
        assert_eq!(newest_plausible_major(60, d("2026-11-21")), 60);
        assert_eq!(newest_plausible_major(0, d("2020-01-01")), 1);
    }

    #[test]
    fn impossible_versions_are_unrecognized() {
        assert_eq!(
            place("cranelift-codegen", "1.0.0"),
            Some(Placement::Unrecognized)
        );
        assert_eq!(place("wasmtime", "0.41.0"), Some(Placement::Unrecognized));
        assert_eq!(
            place("wasmtime", "4000000000.0.0"),
            Some(Placement::Unrecognized)
        );
        assert_eq!(
            place("cranelift-codegen", "0.18446744073709551615.0"),
            Some(Placement::Unrecognized)
        );
    }

    #[test]
    fn version_for_inverts_the_schemes() {
        let data = Data::embedded().unwrap();
        let f = &data.family;
        assert_eq!(
            f.version_for("cranelift-entity", 48, 8),
            Some(Version::new(0, 135, 8))
        );
        assert_eq!(
            f.version_for("wasmtime", 60, 0),
            Some(Version::new(60, 0, 0))
        );
        assert_eq!(
            f.version_for("winch-codegen", 22, 1),
            Some(Version::new(0, 20, 1))
        );
        assert_eq!(
            f.version_for("winch-codegen", 48, 0),
            Some(Version::new(48, 0, 0))
        );
        assert_eq!(
            f.version_for("wasmtime-jit-icache-coherence", 3, 0),
            Some(Version::new(2, 0, 0))
        );
        assert_eq!(f.version_for("pulley-interpreter", 24, 0), None);
        assert_eq!(f.version_for("serde", 24, 0), None);
    }
}
