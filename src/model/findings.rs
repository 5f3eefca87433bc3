//! Findings: every problem the audit reports has a stable kebab-case code and a
//! level the user can change (`-D`/`-W`/`-A`, config). Whether the run fails is
//! decided here, from the final levels, and nowhere else.

use serde::{Serialize, Serializer};
use std::fmt;

/// Every finding code in one table: its name, default level, summary (one
/// line, for `--help` and SARIF rule names) and help (what it means, for the
/// docs' table and SARIF rule help). `--help`, `docs/configuration.md` (checked
/// by `tests/integration/docs.rs`) and the SARIF rules are made from it; adding a code is
/// a row here and the check that emits it.
macro_rules! codes {
    ($($variant:ident, $name:literal, $level:ident, $summary:literal, $help:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant),*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name),*
                }
            }

            pub fn default_level(self) -> Level {
                match self {
                    $(Code::$variant => Level::$level),*
                }
            }

            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary),*
                }
            }

            pub fn help(self) -> &'static str {
                match self {
                    $(Code::$variant => $help),*
                }
            }
        }
    };
}

codes! {
    Eol, "eol", Warning, "a release train is past its end-of-life date",
        "a train is past its end-of-life date";
    EolSoon, "eol-soon", Warning, "a release train reaches end of life within --warn-within days",
        "a supported train's EOL is within `--warn-within` days";
    NotLts, "not-lts", Note, "a supported release train is not an LTS release",
        "a supported train is not an LTS release";
    Prerelease, "prerelease", Warning, "a release train is used at a pre-release version",
        "a train is used at a pre-release version";
    Unreleased, "unreleased", Warning, "a release train's release date is after the evaluated date",
        "a train's release date is after the evaluated date";
    MultipleTrains, "multiple-trains", Warning, "one lockfile holds more than one Wasmtime major",
        "one lockfile holds more than one Wasmtime major";
    UnsupportedOn, "unsupported-on", Error, "a release train is not supported on the --supported-through date",
        "a train is not supported on the `--supported-through` date";
    IgnoreExpired, "ignore-expired", Warning, "an ignore's `until` date has passed: its finding is shown again",
        "an ignore's `until` date has passed: its findings are shown again";
    UnusedIgnore, "unused-ignore", Warning, "an ignore in the configuration matches no finding",
        "an ignore in the configuration matches no finding";
    OutdatedPatch, "outdated-patch", Warning, "a newer patch release (with security fixes) exists in the same line",
        "a newer patch exists in the same line; names it and the advisories fixed since";
    Vulnerable, "vulnerable", Error, "a security advisory affects the exact version in use",
        "a security advisory affects the exact version in use (id, aliases, title, first fixed version in the line)";
    BindingBehind, "binding-behind", Warning, "Wasmtime patch releases that the binding in use does not include",
        "a binding (wasmtime-py, -go, -rb, -dotnet) embeds an older patch than its Wasmtime line has: names the patches and advisories no release of the binding includes, and the nearest binding release with them";
    Yanked, "yanked", Warning, "the version in use was yanked from the registry",
        "the version in use was yanked from the registry (known from cargo's index cache, a refresh, or the embedded data)";
    StaleData, "stale-data", Note, "the facts are over a week old, or predate majors the calendar says are out",
        "every source of release facts is over a week old, or the calendar says majors are out that the facts predate: run `refresh`";
    MsrvGap, "msrv-gap", Note, "the upgrade target needs a newer Rust than the workspace declares",
        "the upgrade target needs a newer Rust than the workspace's `rust-version`";
    UnrecognizedVersion, "unrecognized-version", Warning, "a family crate's version matches no Wasmtime release",
        "a family crate's version matches no Wasmtime release";
}

impl Code {
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    /// The train it is about, if any.
    pub major: Option<u32>,
    #[serde(rename = "crate", skip_serializing_if = "Option::is_none")]
    pub crate_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub message: String,
    /// Where to point annotations: the lockfile line of the package concerned.
    pub location: Option<Location>,
    /// The advisories the finding is about (`vulnerable`, `outdated-patch`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<AdvisoryRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryRef {
    pub id: String,
    pub aliases: Vec<String>,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The first fixed version in the line of the version in use, if any.
    pub fixed_in: Option<String>,
    /// Why an informational advisory is not a vulnerability (`unsound`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
}

impl Finding {
    /// A finding at its code's default level.
    pub fn new(code: Code, major: Option<u32>, message: String) -> Finding {
        Finding {
            code,
            level: code.default_level(),
            major,
            crate_name: None,
            version: None,
            message,
            location: None,
            advisories: Vec::new(),
        }
    }

    /// The crate version the finding is about.
    pub fn about(mut self, name: &str, version: &impl ToString) -> Finding {
        self.crate_name = Some(name.to_string());
        self.version = Some(version.to_string());
        self
    }

    /// Where annotations point.
    pub fn at(mut self, location: Option<Location>) -> Finding {
        self.location = location;
        self
    }

    pub fn with_advisories(mut self, advisories: Vec<AdvisoryRef>) -> Finding {
        self.advisories = advisories;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
}

/// What `-D`, `-W` and `-A` name: one code, or every warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector {
    Code(Code),
    Warnings,
}

impl Selector {
    pub fn parse(s: &str) -> Option<Selector> {
        if s == "warnings" {
            Some(Selector::Warnings)
        } else {
            Code::parse(s).map(Selector::Code)
        }
    }
}

/// A level override: `None` allows (hides) the finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Override {
    pub selector: Selector,
    pub level: Option<Level>,
}

/// Level overrides in the order given; a later one wins. As with rustc, a code
/// named on its own beats `warnings`, which applies to whatever is still a warning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levels {
    overrides: Vec<Override>,
}

impl Levels {
    pub fn push(&mut self, selector: Selector, level: Option<Level>) {
        self.overrides.push(Override { selector, level });
    }

    /// The final level of `code`; `None` when it is allowed.
    pub fn level_of(&self, code: Code) -> Option<Level> {
        self.level_from(code, code.default_level())
    }

    /// The final level of a finding of `code` that starts at `start` (its
    /// code's default, or lower for findings judged less surely).
    pub fn level_from(&self, code: Code, start: Level) -> Option<Level> {
        let mut level = Some(start);
        if let Some(o) = self.last(|s| s == Selector::Code(code)) {
            level = o.level;
        }
        if level == Some(Level::Warning)
            && let Some(o) = self.last(|s| s == Selector::Warnings)
        {
            level = o.level;
        }
        level
    }

    fn last(&self, pick: impl Fn(Selector) -> bool) -> Option<&Override> {
        self.overrides.iter().rev().find(|o| pick(o.selector))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Outcome {
    /// The run fails exactly when an error-level finding remains.
    pub fn of(findings: &[Finding]) -> Outcome {
        let count = |l: Level| findings.iter().filter(|f| f.level == l).count();
        let errors = count(Level::Error);
        Outcome {
            verdict: if errors > 0 {
                Verdict::Fail
            } else {
                Verdict::Pass
            },
            errors,
            warnings: count(Level::Warning),
            notes: count(Level::Note),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case_and_parse_back() {
        let names: HashSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for c in Code::ALL {
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
            assert_eq!(Code::parse(c.as_str()), Some(*c));
        }
        assert_eq!(Selector::parse("warnings"), Some(Selector::Warnings));
        assert_eq!(Selector::parse("nope"), None);
    }

    #[test]
    fn overrides_follow_rustc_rules() {
        let mut l = Levels::default();
        assert_eq!(l.level_of(Code::Eol), Some(Level::Warning));
        l.push(Selector::Warnings, Some(Level::Error));
        assert_eq!(l.level_of(Code::Eol), Some(Level::Error));
        assert_eq!(l.level_of(Code::NotLts), Some(Level::Note));
        l.push(Selector::Code(Code::Eol), None);
        assert_eq!(l.level_of(Code::Eol), None, "a named code beats `warnings`");
        l.push(Selector::Code(Code::NotLts), Some(Level::Warning));
        assert_eq!(
            l.level_of(Code::NotLts),
            Some(Level::Error),
            "`-D warnings` catches raised notes too"
        );
        l.push(Selector::Code(Code::Eol), Some(Level::Note));
        assert_eq!(
            l.level_of(Code::Eol),
            Some(Level::Note),
            "the later override wins"
        );
    }
}
