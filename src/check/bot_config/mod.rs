//! Configuration for dependency bots (Renovate, Dependabot) that moves the
//! whole Wasmtime family together: one group for every family crate the
//! workspace uses, and, on an LTS line, each crate's versions capped in the
//! crate's own numbering so that bots offer the line's patch releases only.
//! Pure: the text in, the text out; `cli::bot_config` reads and writes files.

pub mod dependabot;
pub mod renovate;

use crate::check::audit::held_crates;
use crate::check::inventory::Inventory;
use crate::check::recommend;
use crate::check::resolve::Limits;
use crate::error::{Error, Result};
use crate::input::lockfile::Source;
use crate::model::data::Data;
use crate::model::policy;
use semver::Version;
use std::collections::{BTreeMap, BTreeSet};

/// Marks what this tool generated, so a later `--write` replaces it and
/// nothing else.
pub const MARK: &str = "cargo-wasmtime-support";
/// The group's name in both bots: stable, so the bots keep one branch.
pub const GROUP: &str = "wasmtime-family";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Track {
    /// Stay on the workspace's LTS line (patches only); a workspace on a
    /// non-LTS train follows the monthly majors up to the next LTS.
    Lts,
    /// Follow every monthly major.
    Latest,
}

/// What the bots are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub track: Track,
    /// The newest train the workspace uses.
    pub train: u32,
    /// Every registry family crate the workspace uses, sorted.
    pub crates: Vec<String>,
    /// With `Track::Lts`: the first disallowed version of each crate, in its
    /// own numbering (`wasmtime` 37.0.0, `cranelift-codegen` 0.124.0), and
    /// the crates that share it.
    pub caps: BTreeMap<Version, Vec<String>>,
    /// Crates whose numbering at the cap is unknown (left uncapped).
    pub uncapped: Vec<String>,
    /// The last allowed major with `Track::Lts`.
    pub stay_on: u32,
    /// One sentence for the humans reading the configuration (`{bot}`
    /// stands for the bot's flag).
    pub note: String,
}

impl Plan {
    /// The note for the bot whose flag is `bot` (`--renovate`).
    pub fn note_for(&self, bot: &str) -> String {
        self.note.replace("{bot}", bot)
    }
}

pub fn plan(inv: &Inventory, data: &Data, track: Track, limits: &Limits) -> Result<Plan> {
    let as_of = limits.as_of;
    let mut crates = BTreeSet::new();
    for uses in inv.trains.iter().filter(|(m, _)| **m > 0).map(|(_, u)| u) {
        for c in uses {
            if matches!(c.source, Source::Registry { .. }) {
                crates.insert(c.name.clone());
            }
        }
    }
    let train = inv
        .trains
        .iter()
        .filter(|(m, uses)| {
            **m > 0
                && uses
                    .iter()
                    .any(|c| matches!(c.source, Source::Registry { .. }))
        })
        .map(|(m, _)| *m)
        .next_back()
        .ok_or_else(|| {
            Error::new(
                "the lockfile holds no Wasmtime family crate from a registry: nothing for a bot to update",
            )
        })?;
    let crates: Vec<String> = crates.into_iter().collect();
    let lts = policy::is_lts(train);
    // An end-of-life train is let through to where the audit's advice takes
    // it (the release that restores support, else its LTS target): a cap on
    // a dead line would keep the bots on it.
    let advice = recommend::recommend(data, train, &held_crates(&inv.trains[&train]), limits);
    let eol_target = (policy::status(train, as_of) == policy::Status::Eol)
        .then(|| {
            advice.restore().map(|r| r.major).or_else(|| {
                advice
                    .target()
                    .filter(|t| t.version.is_some())
                    .map(|t| t.major)
            })
        })
        .flatten();
    let stay_on = match eol_target {
        Some(target) if policy::is_lts(target) => target,
        Some(target) => policy::next_lts_after(target),
        None if lts => train,
        None => policy::next_lts_after(train),
    };

    let mut caps: BTreeMap<Version, Vec<String>> = BTreeMap::new();
    let mut uncapped = Vec::new();
    if track == Track::Lts {
        for name in &crates {
            match data.family.version_for(name, stay_on + 1, 0) {
                Some(v) => caps.entry(v).or_default().push(name.clone()),
                None => uncapped.push(name.clone()),
            }
        }
    }
    let date = |m: u32| {
        data.majors
            .get(&m)
            .map(|f| f.released)
            .or_else(|| policy::release_date(m))
            .map(|d| d.to_string())
            .unwrap_or_else(|| "unknown".to_string())
    };
    let released = |m: u32| {
        data.majors
            .get(&m)
            .map(|f| f.released)
            .or_else(|| policy::release_date(m))
            .is_some_and(|d| d <= as_of)
    };
    let next = policy::next_lts_after(stay_on);
    let note = match track {
        Track::Latest => format!(
            "Every Wasmtime family crate moves in one update, following each monthly major (now on {train})."
        ),
        Track::Lts if eol_target.is_some() => format!(
            "Wasmtime {train} reached end of life: every family crate moves in one update, \
             up to {stay_on} LTS (released {}) and then its patch releases only; \
             `cargo wasmtime-support upgrade` makes the move the bots cannot.",
            date(stay_on)
        ),
        Track::Lts if lts => {
            let when = if released(next) {
                format!("{next} LTS was released {}: move", date(next))
            } else {
                format!("when {next} LTS is out (due {}), move", date(next))
            };
            format!(
                "Wasmtime {train} LTS: patch releases only, every family crate in one update; \
                 {when} with `cargo wasmtime-support upgrade --to {next}`, \
                 then rerun `cargo wasmtime-support bot-config {{bot}} --write`."
            )
        }
        Track::Lts => format!(
            "Wasmtime {train} is not an LTS release: every family crate moves in one update, \
             monthly, up to {stay_on} LTS ({} {}) and then its patch releases only.",
            if released(stay_on) { "released" } else { "due" },
            date(stay_on)
        ),
    };
    Ok(Plan {
        track,
        train,
        crates,
        caps,
        uncapped,
        stay_on,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::family::Placement;
    use chrono::NaiveDate;

    fn inventory(versions: &[(&str, &str)], data: &Data) -> Inventory {
        let mut inv = Inventory::default();
        for (i, (name, v)) in versions.iter().enumerate() {
            let version = Version::parse(v).unwrap();
            let Some(Placement::Major(m)) = data.family.place(name, &version) else {
                panic!("{name} {v} is not placed");
            };
            inv.trains
                .entry(m)
                .or_default()
                .push(crate::check::inventory::CrateUse {
                    name: name.to_string(),
                    version,
                    source: Source::Registry {
                        url: "https://github.com/rust-lang/crates.io-index".into(),
                    },
                    lockfile: 0,
                    index: i,
                    line: 1,
                    inferred: false,
                    direct: true,
                    reference: None,
                });
        }
        inv
    }

    fn day() -> Limits {
        Limits {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            rust: None,
            declared: false,
        }
    }

    #[test]
    fn an_lts_line_is_capped_in_each_crates_numbering() {
        let data = Data::embedded().unwrap();
        let inv = inventory(
            &[("wasmtime", "36.0.3"), ("cranelift-codegen", "0.123.3")],
            &data,
        );
        let p = plan(&inv, &data, Track::Lts, &day()).unwrap();
        assert_eq!(p.train, 36);
        assert_eq!(p.stay_on, 36);
        assert_eq!(p.caps[&Version::new(37, 0, 0)], ["wasmtime"]);
        assert_eq!(p.caps[&Version::new(0, 124, 0)], ["cranelift-codegen"]);
        assert!(p.note.contains("upgrade --to 48"), "{}", p.note);
    }

    #[test]
    fn a_non_lts_train_follows_up_to_the_next_lts() {
        let data = Data::embedded().unwrap();
        let inv = inventory(&[("wasmtime", "50.0.1")], &data);
        let p = plan(&inv, &data, Track::Lts, &day()).unwrap();
        assert_eq!((p.train, p.stay_on), (50, 60));
        assert_eq!(p.caps[&Version::new(61, 0, 0)], ["wasmtime"]);
        let latest = plan(&inv, &data, Track::Latest, &day()).unwrap();
        assert!(latest.caps.is_empty());
    }

    #[test]
    fn an_eol_line_is_let_through_to_where_the_advice_goes() {
        let data = Data::embedded().unwrap();
        // 22 ended long ago and 24 LTS ended on 2026-08-20: never capped there.
        let inv = inventory(&[("wasmtime", "22.0.1")], &data);
        let p = plan(&inv, &data, Track::Lts, &day()).unwrap();
        let limits = day();
        let advice = recommend::recommend(&data, 22, &recommend::wasmtime_only(), &limits);
        let goal = advice.restore().map(|r| r.major).unwrap();
        assert!(policy::is_supported(goal, limits.as_of));
        assert_eq!(p.stay_on, goal);
        assert!(
            p.caps
                .contains_key(&Version::new(u64::from(goal) + 1, 0, 0))
        );
        assert!(
            !p.caps.contains_key(&Version::new(25, 0, 0)),
            "{:?}",
            p.caps
        );
    }

    #[test]
    fn no_family_crate_is_an_error() {
        let data = Data::embedded().unwrap();
        let e = plan(&Inventory::default(), &data, Track::Lts, &day()).unwrap_err();
        assert!(e.message().contains("no Wasmtime family crate"));
    }
}
