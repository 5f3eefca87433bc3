//! The upgrade advice for one train, as types: what to do about the LTS
//! path (`Advice`), what to do now (`Now`), and what each move costs.
//! Worked out in `check::recommend`; said in `model::phrases`; `Upgrade` is
//! a train's `upgrade` in the JSON report. (The `upgrade` command's manifest
//! rewrites are `check::upgrade`.)

use crate::model::effort::Effort;
use chrono::NaiveDate;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq)]
pub struct Upgrade {
    pub advice: Advice,
    /// The LTS after the train (with its nominal release date).
    pub next_lts: NextLts,
    /// Something to do before the LTS path: restore support, or move by a day.
    pub now: Option<Now>,
    /// What each option costs: every LTS stepping stone, the target, the move
    /// back, the release that restores support.
    pub effort: Vec<OptionEffort>,
    /// What was left out and why (a release cargo cannot resolve for the
    /// project, one that needs a newer Rust), each said once.
    pub notes: Vec<String>,
    /// The workspace's direct dependencies that bring the train in, when it
    /// depends on the train only through them (`wasmer@4.0.0`): moving the
    /// train is upgrading those, so no LTS move or effort is advised.
    pub via: Vec<String>,
}

/// The LTS path.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::enum_variant_names)] // the words of the JSON contract
pub enum Advice {
    /// Already on the newest released LTS: nothing to do until the next one.
    OnNewestLts,
    /// Move to the newest supported LTS, through every supported LTS on the
    /// way (`path` ends with `target.major`).
    MoveToLts { path: Vec<u32>, target: Target },
    /// Newer than every released LTS: the next LTS is the target, and `back`
    /// (the newest supported, published LTS) is the way back.
    NextLts {
        target: Target,
        back: Option<Target>,
    },
}

/// What to do before the LTS path can be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Now {
    /// The train is past its EOL: the release that restores support now.
    Restore(Restore),
    /// A supported non-LTS train whose support ends before the next LTS is
    /// released: the day to have moved by, and where.
    MoveBy(MoveBy),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub major: u32,
    /// The newest published, not yanked, version; `None` for a major not
    /// out yet (or every release of it yanked): only published versions are
    /// ever named.
    pub version: Option<String>,
    /// The crate `version` is of, when it is not in Wasmtime's numbering
    /// (a Cranelift-only train is told Cranelift versions).
    #[serde(skip)]
    pub krate: Option<String>,
    pub lts: bool,
    pub release_date: NaiveDate,
    pub eol_date: NaiveDate,
    pub projected: bool,
    /// How many majors the move crosses (always counted upwards from the older one).
    pub majors_crossed: u32,
    /// The target's minimum supported Rust version, when the data knows it.
    pub rust_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restore {
    pub major: u32,
    pub version: String,
    #[serde(skip)]
    pub krate: Option<String>,
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
    #[serde(skip)]
    pub krate: Option<String>,
    /// It is published, but no release of it resolves for the project.
    #[serde(skip)]
    pub unresolvable: bool,
    /// It was due before the facts were taken, and is not in them.
    pub next_late: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextLts {
    pub major: u32,
    pub release_date: Option<NaiveDate>,
}

/// Which move an effort estimate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EffortOption {
    SteppingStone,
    Target,
    MoveBack,
    Restore,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionEffort {
    pub option: EffortOption,
    #[serde(flatten)]
    pub effort: Effort,
}

impl Upgrade {
    /// The LTS the path leads to (the next LTS when the train is newer than
    /// every released one); `None` on the newest LTS.
    pub fn target(&self) -> Option<&Target> {
        match &self.advice {
            Advice::OnNewestLts => None,
            Advice::MoveToLts { target, .. } | Advice::NextLts { target, .. } => Some(target),
        }
    }

    /// The LTS stepping stones, ending with the target.
    pub fn path(&self) -> &[u32] {
        match &self.advice {
            Advice::OnNewestLts => &[],
            Advice::MoveToLts { path, .. } => path,
            Advice::NextLts { target, .. } => std::slice::from_ref(&target.major),
        }
    }

    /// The move back to the newest supported LTS, for a train newer than it.
    pub fn back(&self) -> Option<&Target> {
        match &self.advice {
            Advice::NextLts { back, .. } => back.as_ref(),
            _ => None,
        }
    }

    pub fn restore(&self) -> Option<&Restore> {
        match &self.now {
            Some(Now::Restore(r)) => Some(r),
            _ => None,
        }
    }

    pub fn move_by(&self) -> Option<&MoveBy> {
        match &self.now {
            Some(Now::MoveBy(m)) => Some(m),
            _ => None,
        }
    }

    /// The effort of `option` towards `to`.
    pub fn effort_of(&self, option: EffortOption, to: u32) -> Option<&Effort> {
        self.effort
            .iter()
            .find(|e| e.option == option && e.effort.to == to)
            .map(|e| &e.effort)
    }
}

impl Advice {
    /// The contract's name of the advice (`advice` in JSON).
    pub fn as_str(&self) -> &'static str {
        match self {
            Advice::OnNewestLts => "on-newest-lts",
            Advice::MoveToLts { .. } => "move-to-lts",
            Advice::NextLts { .. } => "next-lts",
        }
    }
}

/// The JSON contract (schema 2) keeps the flat shape: `advice` by name, the
/// target's fields beside it, `alternative`, `restore` and `move_by`.
impl Serialize for Upgrade {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            advice: &'static str,
            target: Option<u32>,
            target_version: Option<&'a str>,
            path: &'a [u32],
            target_release_date: Option<NaiveDate>,
            target_eol_date: Option<NaiveDate>,
            majors_crossed: Option<u32>,
            target_rust_version: Option<&'a str>,
            next_lts: &'a NextLts,
            alternative: Option<&'a Target>,
            restore: Option<&'a Restore>,
            move_by: Option<&'a MoveBy>,
            effort: &'a [OptionEffort],
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            notes: &'a [String],
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            via: &'a [String],
        }
        let target = self.target();
        Wire {
            advice: self.advice.as_str(),
            target: target.map(|t| t.major),
            target_version: target.and_then(|t| t.version.as_deref()),
            path: self.path(),
            target_release_date: target.map(|t| t.release_date),
            target_eol_date: target.map(|t| t.eol_date),
            majors_crossed: target.map(|t| t.majors_crossed),
            target_rust_version: target.and_then(|t| t.rust_version.as_deref()),
            next_lts: &self.next_lts,
            alternative: self.back(),
            restore: self.restore(),
            move_by: self.move_by(),
            effort: &self.effort,
            notes: &self.notes,
            via: &self.via,
        }
        .serialize(s)
    }
}

/// A version as said to a reader: `48.0.10`, or `cranelift-codegen 0.135.10`
/// for a crate in another numbering.
pub fn shown_version(krate: Option<&str>, version: &str) -> String {
    match krate {
        Some(k) => format!("{k} {version}"),
        None => version.to_string(),
    }
}
