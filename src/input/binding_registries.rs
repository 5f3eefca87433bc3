//! What the bindings' registries say of their releases: PyPI's JSON API
//! (`/pypi/wasmtime/json`), RubyGems' versions API
//! (`/api/v1/versions/wasmtime.json`) and NuGet's registration index
//! (`/v3/registration5-semver1/wasmtime/index.json`). Each registry's root
//! URL is configurable; each answer is parsed on its own, and a registry
//! that fails leaves its earlier facts in place. (wasmtime-go's releases are
//! Go modules, one module path per major: they stay unknown.)

#![cfg_attr(not(feature = "network"), allow(dead_code))]

use crate::model::inputs::{Binding, BindingRelease, BindingReleases, version};
use chrono::NaiveDate;
use serde_json::Value;

pub const PYPI_URL: &str = "https://pypi.org/";
pub const RUBYGEMS_URL: &str = "https://rubygems.org/";
pub const NUGET_URL: &str = "https://api.nuget.org/";

/// The largest answer read (PyPI's for wasmtime is about 0.5 MiB).
pub const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// The registries asked, each with its root URL (ending in `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registries {
    pub pypi: String,
    pub rubygems: String,
    pub nuget: String,
}

impl Default for Registries {
    fn default() -> Self {
        Registries {
            pypi: PYPI_URL.into(),
            rubygems: RUBYGEMS_URL.into(),
            nuget: NUGET_URL.into(),
        }
    }
}

impl Registries {
    /// The bindings asked about, with the URL of their answer.
    pub fn requests(&self) -> Vec<(Binding, String)> {
        vec![
            (Binding::Python, format!("{}pypi/wasmtime/json", self.pypi)),
            (
                Binding::Ruby,
                format!("{}api/v1/versions/wasmtime.json", self.rubygems),
            ),
            (
                Binding::Dotnet,
                format!("{}v3/registration5-semver1/wasmtime/index.json", self.nuget),
            ),
        ]
    }
}

/// `url` as a registry root, ending in `/`.
pub fn normalize_url(url: &str, what: &str) -> Result<String, String> {
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "{what} URL {:?}: expected an http(s) URL",
            crate::input::registry::redact(url)
        ));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

/// Reads one registry's answer into the binding's releases, as of `today`.
pub fn parse(
    b: Binding,
    text: &str,
    url: &str,
    today: NaiveDate,
) -> Result<BindingReleases, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut releases = match b {
        Binding::Python => pypi(&doc)?,
        Binding::Ruby => rubygems(&doc)?,
        Binding::Dotnet => nuget(&doc)?,
        Binding::Go => return Err("not asked".into()),
    };
    if releases.is_empty() {
        return Err("it lists no release".into());
    }
    releases
        .sort_by(|a, b| (version(&a.version), &a.version).cmp(&(version(&b.version), &b.version)));
    Ok(BindingReleases {
        registry: crate::input::registry::redact(url),
        date: today,
        releases,
    })
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn checked(v: &str) -> Result<String, String> {
    if v.is_empty() || v.len() > 64 || v.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("a malformed version {v:?}"));
    }
    Ok(v.to_string())
}

/// `releases: {version: [file, ...]}`: a release's date is its first file's;
/// it is yanked when every file is.
fn pypi(doc: &Value) -> Result<Vec<BindingRelease>, String> {
    let releases = doc
        .get("releases")
        .and_then(Value::as_object)
        .ok_or("no `releases` object")?;
    let mut out = Vec::new();
    for (v, files) in releases {
        let files = files
            .as_array()
            .ok_or("a release that is not a list of files")?;
        let date = files
            .iter()
            .filter_map(|f| f.get("upload_time_iso_8601").and_then(Value::as_str))
            .filter_map(day)
            .min();
        let Some(date) = date else {
            continue; // a release without files cannot be installed
        };
        let yanked = files
            .iter()
            .all(|f| f.get("yanked").and_then(Value::as_bool) == Some(true));
        out.push(BindingRelease {
            version: checked(v)?,
            date,
            yanked,
        });
    }
    Ok(out)
}

/// `[{number, platform, created_at, yanked?}]`: one entry per platform build.
fn rubygems(doc: &Value) -> Result<Vec<BindingRelease>, String> {
    let list = doc.as_array().ok_or("not a list of versions")?;
    let mut out: Vec<BindingRelease> = Vec::new();
    for e in list {
        let (Some(v), Some(date)) = (
            e.get("number").and_then(Value::as_str),
            e.get("created_at").and_then(Value::as_str).and_then(day),
        ) else {
            return Err("a version without `number` or `created_at`".into());
        };
        let yanked = e.get("yanked").and_then(Value::as_bool) == Some(true);
        match out.iter_mut().find(|r| r.version == v) {
            Some(r) => {
                r.date = r.date.min(date);
                r.yanked &= yanked;
            }
            None => out.push(BindingRelease {
                version: checked(v)?,
                date,
                yanked,
            }),
        }
    }
    Ok(out)
}

/// NuGet's registration index, with its pages inlined (as it serves them
/// for a package of this size): `items[].items[].catalogEntry`, where an
/// unlisted package is one whose `listed` is false.
fn nuget(doc: &Value) -> Result<Vec<BindingRelease>, String> {
    let pages = doc
        .get("items")
        .and_then(Value::as_array)
        .ok_or("no `items` pages")?;
    let mut out = Vec::new();
    for page in pages {
        let entries = page
            .get("items")
            .and_then(Value::as_array)
            .ok_or("a page whose entries are not inlined")?;
        for e in entries {
            let entry = e
                .get("catalogEntry")
                .ok_or("an entry without `catalogEntry`")?;
            let (Some(v), Some(date)) = (
                entry.get("version").and_then(Value::as_str),
                entry.get("published").and_then(Value::as_str).and_then(day),
            ) else {
                return Err("an entry without `version` or `published`".into());
            };
            out.push(BindingRelease {
                version: checked(v)?,
                date,
                yanked: entry.get("listed").and_then(Value::as_bool) == Some(false),
            });
        }
    }
    Ok(out)
}

/// Asks every registry; each binding's answer or why there is none.
#[cfg(feature = "network")]
pub fn fetch(
    agent: &ureq::Agent,
    registries: &Registries,
    today: NaiveDate,
    timeout: std::time::Duration,
) -> Vec<(Binding, Result<BindingReleases, String>)> {
    use std::io::Read;
    registries
        .requests()
        .into_iter()
        .map(|(b, url)| {
            let shown = crate::input::registry::redact(&url);
            let answer = (|| {
                let response = agent
                    .get(&url)
                    .config()
                    .timeout_global(Some(timeout))
                    .build()
                    .call()
                    .map_err(|e| format!("{shown}: {e}"))?;
                match response.status().as_u16() {
                    200 => {}
                    s => return Err(format!("{shown} answered HTTP {s}")),
                }
                let mut body = Vec::new();
                response
                    .into_body()
                    .into_reader()
                    .take(MAX_ANSWER_BYTES + 1)
                    .read_to_end(&mut body)
                    .map_err(|e| format!("cannot read {shown}: {e}"))?;
                if body.len() as u64 > MAX_ANSWER_BYTES {
                    return Err(format!(
                        "{shown} is larger than {} MiB",
                        MAX_ANSWER_BYTES / 1024 / 1024
                    ));
                }
                let text =
                    String::from_utf8(body).map_err(|_| format!("{shown} is not UTF-8 text"))?;
                parse(b, &text, &url, today).map_err(|e| format!("{shown}: {e}"))
            })();
            (b, answer)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
    }

    #[test]
    fn the_recorded_pypi_answer_reads() {
        let text = include_str!("../../fixtures/shipped/pypi-wasmtime.json");
        let r = parse(
            Binding::Python,
            text,
            "https://pypi.org/pypi/wasmtime/json",
            today(),
        )
        .unwrap();
        let v36: Vec<&str> = r
            .releases
            .iter()
            .filter(|x| x.version.starts_with("36."))
            .map(|x| x.version.as_str())
            .collect();
        assert_eq!(v36, ["36.0.0"]);
        assert!(r.releases.iter().any(|x| x.version == "27.0.0" && x.yanked));
    }

    #[test]
    fn rubygems_and_nuget_answers() {
        let gems = r#"[{"number":"36.0.0","platform":"x86_64-linux","created_at":"2025-08-21T00:00:00Z"},
                      {"number":"36.0.0","platform":"ruby","created_at":"2025-08-20T00:00:00Z"},
                      {"number":"35.0.0","platform":"ruby","created_at":"2025-07-21T00:00:00Z","yanked":true}]"#;
        let r = parse(Binding::Ruby, gems, "http://x/", today()).unwrap();
        assert_eq!(r.releases.len(), 2);
        assert_eq!(r.releases[1].date.to_string(), "2025-08-20");
        assert!(r.releases[0].yanked);
        let nuget = r#"{"items":[{"items":[{"catalogEntry":{"version":"36.0.0","published":"2025-08-22T00:00:00Z"}},
                                          {"catalogEntry":{"version":"35.0.0","published":"1900-01-01T00:00:00Z","listed":false}}]}]}"#;
        let r = parse(Binding::Dotnet, nuget, "http://x/", today()).unwrap();
        assert_eq!(r.releases.len(), 2);
        assert!(r.releases[0].yanked);
    }

    #[test]
    fn malformed_answers_are_refused() {
        for (b, text) in [
            (Binding::Python, "{}"),
            (Binding::Python, r#"{"releases":{"1.0":"x"}}"#),
            (Binding::Python, r#"{"releases":{}}"#),
            (
                Binding::Ruby,
                r#"[{"number":"1 0","created_at":"2020-01-01"}]"#,
            ),
            (Binding::Dotnet, r#"{"items":[{"@id":"page"}]}"#),
            (Binding::Python, "[[[["),
        ] {
            assert!(parse(b, text, "http://x/", today()).is_err(), "{text}");
        }
    }
}
