//! What every check sees (`Context`) and where it puts its findings
//! (`Sink`): a check is a function from the one to the other.

use crate::check::inventory::Inventory;
use crate::check::resolve::Limits;
use crate::input::config::Ignore;
use crate::model::data::Data;
use crate::model::findings::{Finding, Levels, Location};
use crate::model::train::Train;
use chrono::NaiveDate;
use semver::Version;

/// A check: reads the context, emits findings at their codes' default levels.
pub type Check = fn(&Context, &mut Sink);

#[derive(Debug, Clone)]
pub struct Options {
    pub as_of: NaiveDate,
    /// `eol-soon` fires when a train's EOL is at most this many days away.
    pub warn_within_days: i64,
    pub levels: Levels,
    /// Every train must still be supported on this date (`unsupported-on`).
    pub supported_through: Option<NaiveDate>,
    pub ignores: Vec<Ignore>,
    /// Leave out trains that only dev-dependencies pull in.
    pub exclude_dev: bool,
    /// The workspace's declared rust-version (its lowest, across members).
    pub rust_version: Option<Version>,
    /// Where that rust-version is declared (the manifest and line).
    pub rust_version_at: Option<Location>,
    /// The toolchain's Rust version, when the workspace declares none (what
    /// cargo's resolver then uses).
    pub toolchain: Option<Version>,
    /// Exact requirements (`=36.0.2`) on family crates in the manifests.
    pub pins: Vec<Pin>,
}

/// An exact requirement in a manifest: it keeps `cargo update` from moving
/// the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub name: String,
    pub req: String,
    pub at: Location,
}

impl Options {
    pub fn new(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            warn_within_days: 30,
            levels: Levels::default(),
            supported_through: None,
            ignores: Vec::new(),
            exclude_dev: false,
            rust_version: None,
            rust_version_at: None,
            toolchain: None,
            pins: Vec::new(),
        }
    }

    /// What limits the releases cargo may choose for this project.
    pub fn limits(&self) -> Limits {
        Limits {
            as_of: self.as_of,
            rust: self.rust_version.clone().or_else(|| self.toolchain.clone()),
            declared: self.rust_version.is_some(),
        }
    }
}

pub struct Context<'a> {
    /// The trains, with their status and advice already worked out.
    pub trains: &'a [Train],
    pub inventory: &'a Inventory,
    pub data: &'a Data,
    pub opts: &'a Options,
}

/// Collects what the checks find; levels and ignores come after.
#[derive(Debug, Default)]
pub struct Sink {
    findings: Vec<Finding>,
}

impl Sink {
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
