//! A release train as the audit reports it: one Wasmtime major in the
//! lockfiles, with its crates, who pulls it in, and its upgrade advice.

use crate::model::advice::Upgrade;
use crate::model::inputs::Binding;
use crate::model::phrases;
use crate::model::releases::Support;
use chrono::NaiveDate;
use semver::Version;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Serialize)]
pub struct Train {
    /// The major, its status and dates on the evaluated day.
    #[serde(flatten)]
    pub support: Support,
    /// The newest patch of this line that the data knows.
    pub newest_patch: Option<Version>,
    /// Pre-release versions among its crates (`27.0.0-dev`): those crates are
    /// pre-releases; the train's status is still the release policy's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prerelease: Vec<Version>,
    /// Set when the train's version, or a newer patch of its line, came out
    /// after the advisory data: advisories after that day are unknown.
    pub advisories_unknown_after: Option<NaiveDate>,
    /// The lockfiles it was found in.
    pub lockfiles: Vec<String>,
    pub crates: Vec<CrateReport>,
    /// Workspace members that depend on the train, with the shortest chain.
    pub pulled_in_by: Vec<PullerReport>,
    /// Only dev-dependencies pull it in.
    pub dev_only: bool,
    pub upgrade: Upgrade,
    /// The crates cargo resolves for the train: registry crates, each with
    /// whether the workspace depends on it directly; the subject first.
    #[serde(skip)]
    pub held: Vec<(String, bool)>,
}

impl Train {
    /// Crates named first when a train is shown by one crate.
    pub const HEADLINE_CRATES: [&str; 4] = [
        "wasmtime",
        "wasmtime-wasi",
        "cranelift-codegen",
        "cranelift",
    ];

    /// `Wasmtime 27`, `Wasmtime 48 LTS`, `Wasmtime 0.x (pre-1.0)`.
    pub fn label(&self) -> String {
        phrases::label(self.support.major)
    }

    /// Every crate of it is a pre-release (`49.0.0-dev`): the line may be
    /// supported, what the project uses of it never is.
    pub fn prerelease_only(&self) -> bool {
        !self.crates.is_empty() && self.crates.iter().all(|c| !c.version.pre.is_empty())
    }

    /// The crate that stands for the train in one-line summaries.
    pub fn headline(&self) -> Option<&CrateReport> {
        let subject = self
            .held
            .first()
            .and_then(|(name, _)| self.crates.iter().find(|c| c.name == *name));
        subject.or_else(|| self.headline_by_name())
    }

    fn headline_by_name(&self) -> Option<&CrateReport> {
        Self::HEADLINE_CRATES
            .iter()
            .find_map(|h| self.crates.iter().find(|c| c.name == *h))
            .or_else(|| self.crates.iter().min_by(|a, b| a.name.cmp(&b.name)))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CrateReport {
    pub name: String,
    pub version: Version,
    pub source: CrateSource,
    /// The git URL (a fork still belongs to the upstream train) or a non-crates.io registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub lockfile: String,
    pub line: u32,
    /// The major was inferred from the rest of the lockfile.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    /// The SBOM component it was read from (`bom-ref`, or an SPDX id).
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A workspace member depends on it directly.
    #[serde(skip)]
    pub direct: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PullerReport {
    pub lockfile: String,
    pub member: String,
    pub kind: DepKind,
    pub chain: Vec<String>,
    /// The chain's first step is the project's own (a path crate).
    #[serde(skip)]
    pub first_is_path: bool,
}

/// Where a crate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CrateSource {
    Registry,
    Git,
    Path,
    /// A binding's package in its own registry (`binding:python`).
    Binding(Binding),
}

impl CrateSource {
    pub fn binding(self) -> Option<Binding> {
        match self {
            CrateSource::Binding(b) => Some(b),
            _ => None,
        }
    }
}

impl Serialize for CrateSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for CrateSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CrateSource::Registry => "registry",
            CrateSource::Git => "git",
            CrateSource::Path => "path",
            CrateSource::Binding(b) => return write!(f, "binding:{}", b.project()),
        })
    }
}

/// How a workspace member depends on a crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    Normal,
    Build,
    Dev,
    /// The member's manifest was not available (a lockfile read on its own).
    Unknown,
}
