//! What the audit reads besides Cargo.lock: the kinds of input, and
//! Wasmtime's bindings for other languages, which follow Wasmtime's majors
//! under their own registries' names.

use chrono::NaiveDate;
use semver::Version;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a binding's registry says of its releases, on the day it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingReleases {
    /// Where the facts come from (the registry's API URL).
    pub registry: String,
    /// The day they were taken: releases after it are unknown.
    pub date: NaiveDate,
    pub releases: Vec<BindingRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingRelease {
    pub version: String,
    pub date: NaiveDate,
    #[serde(default)]
    pub yanked: bool,
}

impl BindingReleases {
    /// The releases that are not yanked, with their versions read, oldest first.
    pub fn usable(&self) -> Vec<(Version, NaiveDate)> {
        let mut out: Vec<(Version, NaiveDate)> = self
            .releases
            .iter()
            .filter(|r| !r.yanked)
            .filter_map(|r| Some((version(&r.version)?, r.date)))
            .filter(|(v, _)| v.pre.is_empty())
            .collect();
        out.sort();
        out
    }
}

/// A registry's version as SemVer: `36.0.0`, and `36.0` or `36` padded; a
/// pre-release (`36.0.0rc1`, `36.0.0-rc1`) kept as one.
pub fn version(raw: &str) -> Option<Version> {
    let raw = raw.trim().trim_start_matches('v');
    if let Ok(v) = Version::parse(raw) {
        return Some(v);
    }
    let split = raw
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(raw.len());
    let (release, pre) = raw.split_at(split);
    let mut parts = release.split('.').map(|p| p.parse::<u64>().ok());
    let (major, minor, patch) = (
        parts.next()??,
        parts.next().unwrap_or(Some(0))?,
        parts.next().unwrap_or(Some(0))?,
    );
    if parts.next().is_some() {
        return None;
    }
    let mut v = Version::new(major, minor, patch);
    let pre = pre.trim_start_matches(['-', '.']);
    if !pre.is_empty() {
        v.pre = semver::Prerelease::new(pre).ok()?;
    }
    Some(v)
}

/// The kind of one input, as every output names it beside its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    CargoLock,
    /// A Rust binary with the dependency list `cargo auditable` embeds.
    Binary,
    CyclonedxSbom,
    SpdxSbom,
    UvLock,
    PoetryLock,
    Pylock,
    Requirements,
    GoMod,
    GemfileLock,
    NugetLock,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::CargoLock => "cargo-lock",
            InputKind::Binary => "binary",
            InputKind::CyclonedxSbom => "cyclonedx-sbom",
            InputKind::SpdxSbom => "spdx-sbom",
            InputKind::UvLock => "uv-lock",
            InputKind::PoetryLock => "poetry-lock",
            InputKind::Pylock => "pylock",
            InputKind::Requirements => "requirements",
            InputKind::GoMod => "go-mod",
            InputKind::GemfileLock => "gemfile-lock",
            InputKind::NugetLock => "nuget-lock",
        }
    }

    /// What it is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::CargoLock => "Cargo.lock",
            InputKind::Binary => "Rust binary (cargo auditable)",
            InputKind::CyclonedxSbom => "CycloneDX SBOM",
            InputKind::SpdxSbom => "SPDX SBOM",
            InputKind::UvLock => "uv lockfile",
            InputKind::PoetryLock => "Poetry lockfile",
            InputKind::Pylock => "pylock.toml",
            InputKind::Requirements => "pip requirements",
            InputKind::GoMod => "Go module file",
            InputKind::GemfileLock => "Bundler lockfile",
            InputKind::NugetLock => "NuGet lock file",
        }
    }

    /// Cargo's own lockfile: the only input `upgrade` and `bot-config` act on.
    pub fn is_cargo(self) -> bool {
        self == InputKind::CargoLock
    }

    /// An input whose "line" is not a line of text (a binary's findings
    /// point at the file).
    pub fn has_lines(self) -> bool {
        self != InputKind::Binary
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Wasmtime binding for another language. Its version is the Wasmtime
/// release it embeds (wasmtime-py 36.0.0 is built from Wasmtime 36.0.0), but
/// it is published only when its maintainers release it: Wasmtime's patch
/// releases reach it late or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Binding {
    Python,
    Go,
    Ruby,
    Dotnet,
}

impl Binding {
    pub const ALL: [Binding; 4] = [Binding::Python, Binding::Go, Binding::Ruby, Binding::Dotnet];

    /// The binding's project name, which the reports use for it.
    pub fn project(self) -> &'static str {
        match self {
            Binding::Python => "wasmtime-py",
            Binding::Go => "wasmtime-go",
            Binding::Ruby => "wasmtime-rb",
            Binding::Dotnet => "wasmtime-dotnet",
        }
    }

    /// Its registry and the package's name there.
    pub fn registry(self) -> &'static str {
        match self {
            Binding::Python => "PyPI",
            Binding::Go => "the Go module proxy",
            Binding::Ruby => "RubyGems",
            Binding::Dotnet => "NuGet",
        }
    }

    pub fn package(self) -> &'static str {
        match self {
            Binding::Python => "wasmtime",
            Binding::Go => "github.com/bytecodealliance/wasmtime-go",
            Binding::Ruby => "wasmtime",
            Binding::Dotnet => "Wasmtime",
        }
    }

    /// The package-URL type (`pkg:pypi/wasmtime@36.0.0`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Binding::Python => "pypi",
            Binding::Go => "golang",
            Binding::Ruby => "gem",
            Binding::Dotnet => "nuget",
        }
    }

    pub fn from_project(name: &str) -> Option<Binding> {
        Binding::ALL.into_iter().find(|b| b.project() == name)
    }

    /// The binding a package of this purl type and name is, if any (names
    /// compared as their registries do: PyPI and NuGet case-insensitively,
    /// PyPI with `-`, `_` and `.` alike).
    pub fn from_purl(purl_type: &str, namespace: Option<&str>, name: &str) -> Option<Binding> {
        let pep503 = |s: &str| s.to_ascii_lowercase().replace(['_', '.'], "-");
        match purl_type {
            "pypi" if pep503(name) == "wasmtime" => Some(Binding::Python),
            "gem" if name == "wasmtime" => Some(Binding::Ruby),
            "nuget" if name.eq_ignore_ascii_case("wasmtime") => Some(Binding::Dotnet),
            "golang" => {
                let path = match namespace {
                    Some(ns) => format!("{ns}/{name}"),
                    None => name.to_string(),
                };
                go_module_major(&path).map(|_| Binding::Go)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.project())
    }
}

/// `github.com/bytecodealliance/wasmtime-go/v36` → `Some(36)`; the module
/// without a `/vN` suffix is majors 0 and 1.
pub fn go_module_major(path: &str) -> Option<Option<u32>> {
    let rest = path.strip_prefix("github.com/bytecodealliance/wasmtime-go")?;
    if rest.is_empty() {
        return Some(None);
    }
    let n = rest.strip_prefix("/v")?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    n.parse().ok().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_are_found_by_their_registries_names() {
        assert_eq!(
            Binding::from_purl("pypi", None, "Wasmtime"),
            Some(Binding::Python)
        );
        assert_eq!(Binding::from_purl("pypi", None, "wasmtime_py"), None);
        assert_eq!(
            Binding::from_purl("nuget", None, "Wasmtime"),
            Some(Binding::Dotnet)
        );
        assert_eq!(Binding::from_purl("gem", None, "Wasmtime"), None);
        assert_eq!(
            Binding::from_purl(
                "golang",
                Some("github.com/bytecodealliance"),
                "wasmtime-go/v36"
            ),
            Some(Binding::Go)
        );
        assert_eq!(
            go_module_major("github.com/bytecodealliance/wasmtime-go/v36"),
            Some(Some(36))
        );
        assert_eq!(
            go_module_major("github.com/bytecodealliance/wasmtime-go/v036"),
            None
        );
        assert_eq!(
            go_module_major("github.com/bytecodealliance/wasmtime-gox"),
            None
        );
    }
}
