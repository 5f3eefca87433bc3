//! `[workspace.metadata.wasmtime-support]` (or `[package.metadata.wasmtime-support]`
//! of a single-package project): the same settings as the command-line flags,
//! plus ignores that can expire.

use crate::error::{Error, Result};
use crate::model::findings::Selector;
use chrono::NaiveDate;
use semver::Version;
use serde::Deserialize;

pub const TABLE: &str = "wasmtime-support";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub deny_eol: bool,
    pub require_lts: bool,
    pub exclude_dev: bool,
    pub warn_within: Option<u32>,
    pub supported_through: Option<NaiveDate>,
    pub deny: Vec<Selector>,
    pub warn: Vec<Selector>,
    pub allow: Vec<Selector>,
    pub ignore: Vec<Ignore>,
    /// A sparse index (mirror) for `refresh`.
    pub index_url: Option<String>,
    /// A local RustSec advisory database (relative to the configuration's directory).
    pub advisory_db: Option<String>,
    /// An OSV API (a mirror) for `refresh`.
    pub osv_url: Option<String>,
}

/// Hides findings about one crate (at an exact version, or any version of a
/// train with `version = "27"`, which also hides the train's own status
/// findings), or one advisory (`advisory = "GHSA-..."`, optionally narrowed to
/// a crate and version). It never hides advisories against other crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub crate_name: Option<String>,
    pub version: Option<VersionMatch>,
    /// A GHSA, RUSTSEC or CVE id.
    pub advisory: Option<String>,
    pub reason: String,
    /// Last day the ignore applies (inclusive).
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionMatch {
    Exact(Version),
    /// A Wasmtime major (`"27"`): any version of the crate in that train.
    Major(u32),
}

impl std::fmt::Display for VersionMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionMatch::Exact(v) => write!(f, "{v}"),
            VersionMatch::Major(m) => write!(f, "{m}"),
        }
    }
}

/// A date as a string, or as a TOML date (`supported-through = 2027-06-30`),
/// which `cargo metadata` passes on as a one-key table.
#[derive(Deserialize)]
#[serde(untagged)]
enum DateText {
    Text(String),
    Toml {
        #[serde(rename = "$__toml_private_datetime")]
        datetime: String,
    },
}

impl DateText {
    fn as_str(&self) -> &str {
        match self {
            DateText::Text(s) | DateText::Toml { datetime: s } => s,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    deny_eol: Option<bool>,
    require_lts: Option<bool>,
    exclude_dev: Option<bool>,
    warn_within: Option<u32>,
    supported_through: Option<DateText>,
    #[serde(default)]
    deny: Vec<String>,
    #[serde(default)]
    warn: Vec<String>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
    index_url: Option<String>,
    advisory_db: Option<String>,
    osv_url: Option<String>,
}

impl Ignore {
    /// `wasmtime 27.0.0`, `GHSA-xxxx`, `GHSA-xxxx on wasmtime 27.0.0`.
    pub fn what(&self) -> String {
        let krate = match (&self.crate_name, &self.version) {
            (Some(c), Some(v)) => Some(format!("{c} {v}")),
            (Some(c), None) => Some(c.clone()),
            _ => None,
        };
        match (&self.advisory, krate) {
            (Some(a), Some(k)) => format!("{a} on {k}"),
            (Some(a), None) => a.clone(),
            (None, Some(k)) => k,
            (None, None) => String::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    #[serde(rename = "crate")]
    crate_name: Option<String>,
    version: Option<String>,
    advisory: Option<String>,
    reason: String,
    until: Option<DateText>,
}

/// Parses the tool's table; `origin` names it in errors (`path/Cargo.toml [workspace.metadata.wasmtime-support]`).
pub fn parse(value: &serde_json::Value, origin: &str) -> Result<Config> {
    let raw: RawConfig = serde_path_to_error::deserialize(value).map_err(|e| {
        let key = e.path().to_string();
        let key = if key == "." {
            String::new()
        } else {
            format!(" key `{key}`")
        };
        Error::new(format!("{origin}{key}: {}", e.inner()))
    })?;
    let bad = |key: &str, expected: &str| {
        Error::new(format!("{origin} key `{key}`: expected {expected}"))
    };
    let date = |key: &str, s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|_| s.len() == 10)
            .ok_or_else(|| bad(key, &format!("a date as YYYY-MM-DD, found {s:?}")))
    };
    let selectors = |key: &str, list: &[String]| -> Result<Vec<Selector>> {
        list.iter()
            .enumerate()
            .map(|(i, s)| {
                Selector::parse(s).ok_or_else(|| {
                    bad(
                        &format!("{key}[{i}]"),
                        &format!("a finding code or `warnings`, found {s:?}"),
                    )
                })
            })
            .collect()
    };
    let mut ignore = Vec::with_capacity(raw.ignore.len());
    for (i, r) in raw.ignore.iter().enumerate() {
        let version = match &r.version {
            None => None,
            Some(v) => Some(if let Ok(major) = v.parse::<u32>() {
                VersionMatch::Major(major)
            } else {
                VersionMatch::Exact(Version::parse(v).map_err(|_| {
                    bad(
                        &format!("ignore[{i}].version"),
                        &format!(
                            "a version such as \"27.0.0\" or a major such as \"27\", found {v:?}"
                        ),
                    )
                })?)
            }),
        };
        match (&r.advisory, &r.crate_name, &version) {
            (Some(a), ..) if !is_advisory_id(a) => {
                return Err(bad(
                    &format!("ignore[{i}].advisory"),
                    &format!(
                        "an advisory id such as \"GHSA-xxxx-xxxx-xxxx\" or \"RUSTSEC-2024-0001\", found {a:?}"
                    ),
                ));
            }
            (Some(_), None, Some(_)) => {
                return Err(bad(
                    &format!("ignore[{i}].crate"),
                    "the crate the version belongs to",
                ));
            }
            (None, None, _) => {
                return Err(bad(
                    &format!("ignore[{i}]"),
                    "`crate` and `version`, or `advisory`",
                ));
            }
            (None, Some(_), None) => {
                return Err(bad(
                    &format!("ignore[{i}].version"),
                    "a version such as \"27.0.0\" or a major such as \"27\"",
                ));
            }
            _ => {}
        }
        if r.reason.trim().is_empty() {
            return Err(bad(&format!("ignore[{i}].reason"), "a non-empty reason"));
        }
        ignore.push(Ignore {
            crate_name: r.crate_name.clone(),
            version,
            advisory: r.advisory.clone(),
            reason: r.reason.clone(),
            until: r
                .until
                .as_ref()
                .map(DateText::as_str)
                .map(|s| date(&format!("ignore[{i}].until"), s))
                .transpose()?,
        });
    }
    Ok(Config {
        deny_eol: raw.deny_eol.unwrap_or(false),
        require_lts: raw.require_lts.unwrap_or(false),
        exclude_dev: raw.exclude_dev.unwrap_or(false),
        warn_within: raw.warn_within,
        supported_through: raw
            .supported_through
            .as_ref()
            .map(|s| date("supported-through", s.as_str()))
            .transpose()?,
        deny: selectors("deny", &raw.deny)?,
        warn: selectors("warn", &raw.warn)?,
        allow: selectors("allow", &raw.allow)?,
        ignore,
        advisory_db: raw.advisory_db.clone(),
        osv_url: raw
            .osv_url
            .map(|u| {
                crate::input::osv::normalize_url(&u).map_err(|_| {
                    bad(
                        "osv-url",
                        &format!(
                            "an http(s) URL of an OSV API, found {:?}",
                            crate::input::registry::redact(&u)
                        ),
                    )
                })
            })
            .transpose()?,
        index_url: raw
            .index_url
            .map(|u| {
                crate::input::registry::normalize_index_url(&u)
                    .map(|_| u.clone())
                    .map_err(|_| {
                        bad(
                            "index-url",
                            &format!(
                                "an http(s) URL of a sparse index, found {:?}",
                                crate::input::registry::redact(&u)
                            ),
                        )
                    })
            })
            .transpose()?,
    })
}

/// `GHSA-xxxx-xxxx-xxxx`, `RUSTSEC-YYYY-NNNN` or `CVE-YYYY-N...`.
fn is_advisory_id(s: &str) -> bool {
    let ok = |rest: &str, seps: usize| {
        !rest.is_empty()
            && rest.split('-').count() == seps
            && rest
                .split('-')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
    };
    if let Some(rest) = s.strip_prefix("GHSA-") {
        ok(rest, 3)
    } else if let Some(rest) = s
        .strip_prefix("RUSTSEC-")
        .or_else(|| s.strip_prefix("CVE-"))
    {
        ok(rest, 2)
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORIGIN: &str = "Cargo.toml [workspace.metadata.wasmtime-support]";

    fn err(v: serde_json::Value) -> String {
        parse(&v, ORIGIN).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            &json!({
                "deny-eol": true, "require-lts": true, "exclude-dev": true, "warn-within": 60,
                "supported-through": "2027-06-30", "deny": ["warnings"], "warn": ["not-lts"], "allow": ["multiple-trains"],
                "ignore": [
                    {"crate": "wasmtime", "version": "27.0.0", "reason": "pinned by vendor", "until": "2027-01-31"},
                    {"crate": "cranelift-codegen", "version": "27", "reason": "same"}
                ]
            }),
            ORIGIN,
        )
        .unwrap();
        assert!(c.deny_eol && c.require_lts && c.exclude_dev);
        assert_eq!(c.warn_within, Some(60));
        assert_eq!(c.supported_through, "2027-06-30".parse().ok());
        assert_eq!(c.deny, [Selector::Warnings]);
        assert_eq!(
            c.ignore[0].version,
            Some(VersionMatch::Exact(Version::new(27, 0, 0)))
        );
        assert_eq!(c.ignore[0].until, "2027-01-31".parse().ok());
        assert_eq!(c.ignore[1].version, Some(VersionMatch::Major(27)));
        assert_eq!(c.ignore[1].until, None);
    }

    #[test]
    fn errors_name_the_key_and_what_was_expected() {
        assert!(err(json!({"deny-eoll": true})).contains("unknown field `deny-eoll`"));
        assert!(
            err(json!({"deny-eol": "yes"}))
                .contains("key `deny-eol`: invalid type: string \"yes\", expected a boolean")
        );
        assert!(err(json!({"warn-within": -3})).contains("key `warn-within`"));
        assert!(
            err(json!({"supported-through": "soon"}))
                .contains("key `supported-through`: expected a date as YYYY-MM-DD")
        );
        assert!(
            err(json!({"deny": ["eol", "nope"]}))
                .contains("key `deny[1]`: expected a finding code")
        );
        assert!(
            err(json!({"ignore": [{"crate": "wasmtime", "version": "27.0.0"}]}))
                .contains("missing field `reason`")
        );
        assert!(
            err(json!({"ignore": [{"crate": "wasmtime", "version": "x", "reason": "r"}]}))
                .contains("key `ignore[0].version`")
        );
        assert!(
            err(json!({"ignore": [{"crate": "wasmtime", "version": "27", "reason": " "}]}))
                .contains("key `ignore[0].reason`")
        );
        assert!(err(json!({"ignore": [{"crate": "w", "version": "27", "reason": "r", "until": "2027-02-30"}]})).contains("key `ignore[0].until`"));
        // A TOML date, as cargo metadata passes it on.
        let c = parse(
            &json!({"supported-through": {"$__toml_private_datetime": "2027-06-30"}}),
            "Cargo.toml",
        )
        .unwrap();
        assert_eq!(c.supported_through, "2027-06-30".parse().ok());
        assert!(
            err(json!({"supported-through": {"$__toml_private_datetime": "2027-06-30T10:00:00"}}))
                .contains("a date as YYYY-MM-DD")
        );
        assert!(
            err(json!({"ignore": [{"crate": "w", "version": "27", "reason": "r", "why": "?"}]}))
                .contains("unknown field `why`")
        );
        assert!(err(json!(true)).starts_with(ORIGIN));
        assert!(
            err(json!({"ignore": [{"advisory": "27", "reason": "r"}]}))
                .contains("key `ignore[0].advisory`")
        );
        assert!(
            err(json!({"ignore": [{"reason": "r"}]}))
                .contains("expected `crate` and `version`, or `advisory`")
        );
        assert!(
            err(json!({"ignore": [{"crate": "wasmtime", "reason": "r"}]}))
                .contains("key `ignore[0].version`")
        );
    }

    #[test]
    fn ignores_can_name_an_advisory() {
        let c = parse(
            &json!({"ignore": [
                {"advisory": "GHSA-fm79-3f68-h2fc", "reason": "not reachable"},
                {"advisory": "RUSTSEC-2021-0067", "crate": "cranelift-codegen", "reason": "r"}
            ]}),
            ORIGIN,
        )
        .unwrap();
        assert_eq!(c.ignore[0].advisory.as_deref(), Some("GHSA-fm79-3f68-h2fc"));
        assert_eq!(c.ignore[0].crate_name, None);
        assert_eq!(c.ignore[0].what(), "GHSA-fm79-3f68-h2fc");
        assert_eq!(c.ignore[1].what(), "RUSTSEC-2021-0067 on cranelift-codegen");
    }
}
