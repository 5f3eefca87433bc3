//! An upgrade's effort in effort-based versioning (EffVer) terms; estimated
//! in `check::effort`, said in `model::phrases`.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Micro,
    Meso,
    Macro,
    Unknown,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Micro => "micro",
            Class::Meso => "meso",
            Class::Macro => "macro",
            Class::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effort {
    pub from: u32,
    pub to: u32,
    pub class: Class,
    /// The majors whose changes the move crosses, in reading order.
    pub majors: Vec<u32>,
    /// Sum of Changed + Removed entries; `None` when a major has no notes data.
    pub changed_removed: Option<u32>,
    /// Distinct PRs linked from those entries.
    pub prs: Option<usize>,
    /// The release notes to read, in order.
    pub notes: Vec<String>,
    /// Majors the data has no release notes for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_majors: Vec<u32>,
}
