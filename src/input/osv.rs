//! Advisories from an OSV API (`https://api.osv.dev` by default): one
//! `POST /v1/querybatch` for the family's crates names the advisories and when
//! each was last modified; `GET /v1/vulns/{id}` fetches the records not cached
//! at that modification. A record becomes one [`Advisory`]: GHSA id first,
//! RustSec ids beside it, its affected ranges as patched / unaffected ones.
#![cfg_attr(not(feature = "network"), allow(dead_code, unused_imports))]

use crate::model::data::Advisory;
use chrono::NaiveDate;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DEFAULT_URL: &str = "https://api.osv.dev/";
/// A batch answer for a hundred crates is a few kilobytes, a record a few.
const MAX_BATCH_ANSWER: u64 = 8 * 1024 * 1024;
const MAX_RECORD: u64 = 1024 * 1024;
/// More records than any ecosystem has for one family: a server naming more
/// is not answering the question asked.
const MAX_RECORDS: usize = 2000;
const MAX_PAGES: usize = 10;

/// What the cache keeps of a record: when OSV last modified it, and the
/// advisory it became (`None` when it is about no family crate).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub modified: String,
    pub advisory: Option<Advisory>,
}

/// An OSV id is letters, digits and dashes (`GHSA-xxxx-xxxx-xxxx`,
/// `RUSTSEC-2024-0001`); anything else, a path or a terminal escape, is none.
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !id.starts_with('.')
}

#[derive(Deserialize)]
struct RawRecord {
    id: String,
    #[serde(default)]
    modified: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    affected: Vec<RawAffected>,
    #[serde(default)]
    references: Vec<RawReference>,
}

#[derive(Deserialize)]
struct RawAffected {
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Vec<RawRange>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    ecosystem: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    events: Vec<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: String,
}

/// A record as the cache keeps it; `is_family` says which crate names count.
pub fn parse_record(text: &str, is_family: &dyn Fn(&str) -> bool) -> Result<Record, String> {
    let raw: RawRecord =
        serde_json::from_str(text).map_err(|e| format!("not an OSV record: {e}"))?;
    if !valid_id(&raw.id) {
        return Err(format!(
            "an OSV record with the id {:?}, which is not one",
            crate::text::sanitize(&raw.id)
        ));
    }
    let affected: Vec<&RawAffected> = raw
        .affected
        .iter()
        .filter(|a| {
            a.package
                .as_ref()
                .is_some_and(|p| p.ecosystem == "crates.io" && is_family(&p.name))
        })
        .collect();
    // Wasmtime's advisories name `wasmtime` (sometimes beside an internal
    // crate); the one crate an advisory is judged against is that one.
    let Some(chosen) = affected
        .iter()
        .find(|a| a.package.as_ref().is_some_and(|p| p.name == "wasmtime"))
        .or(affected.first())
    else {
        return Ok(Record {
            modified: raw.modified,
            advisory: None,
        });
    };
    let crate_name = chosen
        .package
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let (patched, unaffected) = ranges(chosen)?;
    let mut ids: Vec<String> = std::iter::once(raw.id.clone())
        .chain(raw.aliases.iter().cloned())
        .filter(|i| valid_id(i))
        .collect();
    ids.dedup();
    let id = ids
        .iter()
        .find(|i| i.starts_with("GHSA-"))
        .or_else(|| ids.iter().find(|i| i.starts_with("RUSTSEC-")))
        .unwrap_or(&raw.id)
        .clone();
    let rustsec: Vec<String> = ids
        .iter()
        .filter(|i| i.starts_with("RUSTSEC-") && **i != id)
        .cloned()
        .collect();
    let aliases: Vec<String> = ids
        .iter()
        .filter(|i| **i != id && !i.starts_with("RUSTSEC-") && !i.starts_with("GHSA-"))
        .cloned()
        .collect();
    let title = raw
        .summary
        .as_deref()
        .or(raw.details.as_deref().and_then(|d| d.lines().next()))
        .map(|t| crate::text::sanitize(t.trim()))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| id.clone());
    let url = raw
        .references
        .iter()
        .find(|r| r.kind == "ADVISORY" && r.url.starts_with("https://"))
        .map(|r| r.url.clone())
        .unwrap_or_else(|| format!("https://osv.dev/vulnerability/{}", raw.id));
    let informational = chosen
        .database_specific
        .as_ref()
        .and_then(|d| d.get("informational"))
        .and_then(|i| i.as_str())
        .map(str::to_string);
    let day = |s: &str| s.get(..10).and_then(|d| d.parse::<NaiveDate>().ok());
    Ok(Record {
        modified: raw.modified.clone(),
        advisory: Some(Advisory {
            id,
            rustsec,
            aliases,
            crate_name,
            date: raw.published.as_deref().and_then(day),
            title,
            url: Some(url),
            patched,
            unaffected,
            informational,
            withdrawn: raw.withdrawn,
            source: Some("osv".into()),
        }),
    })
}

/// OSV's affected intervals `[introduced, fixed)` (or `[introduced,
/// last_affected]`) as what lies between them: before the first is
/// unaffected, from a fix up to the next introduction is patched.
fn ranges(a: &RawAffected) -> Result<(Vec<VersionReq>, Vec<VersionReq>), String> {
    let mut patched = Vec::new();
    let mut unaffected = Vec::new();
    let parse = |v: &str| {
        Version::parse(v).map_err(|e| format!("version {:?}: {e}", crate::text::sanitize(v)))
    };
    let req = |s: String| VersionReq::parse(&s).map_err(|e| format!("range {s:?}: {e}"));
    for range in a.ranges.iter().filter(|r| r.kind == "SEMVER") {
        // (introduced, end, whether the end is itself affected)
        let mut spans: Vec<(Version, Option<(Version, bool)>)> = Vec::new();
        for event in &range.events {
            if let Some(v) = event.get("introduced") {
                let v = if v == "0" {
                    Version::new(0, 0, 0)
                } else {
                    parse(v)?
                };
                spans.push((v, None));
            } else if let Some((v, inclusive)) = event
                .get("fixed")
                .map(|v| (v, false))
                .or(event.get("last_affected").map(|v| (v, true)))
            {
                let v = parse(v)?;
                match spans.last_mut() {
                    Some((_, end @ None)) => *end = Some((v, inclusive)),
                    _ => return Err("a fix with no introduction before it".into()),
                }
            }
        }
        spans.sort_by(|a, b| a.0.cmp(&b.0));
        let mut from: Option<(Version, bool)> = None; // start of an unaffected gap
        let first = spans.first().map(|s| s.0.clone());
        if let Some(first) = first.filter(|f| *f > Version::new(0, 0, 0)) {
            unaffected.push(req(format!("< {first}"))?);
        }
        for (intro, end) in spans {
            if let Some((gap, inclusive)) = from.take() {
                let op = if inclusive { ">" } else { ">=" };
                patched.push(req(format!("{op} {gap}, < {intro}"))?);
            }
            match end {
                Some(end) => from = Some(end),
                None => break, // affected from here on
            }
        }
        if let Some((gap, inclusive)) = from {
            let op = if inclusive { ">" } else { ">=" };
            patched.push(req(format!("{op} {gap}"))?);
        }
    }
    Ok((patched, unaffected))
}

/// The querybatch answer: per query, the ids (with modification times) and
/// a token when more remain.
#[derive(Deserialize)]
struct BatchAnswer {
    #[serde(default)]
    results: Vec<BatchResult>,
}

#[derive(Deserialize, Default)]
struct BatchResult {
    #[serde(default)]
    vulns: Vec<BatchVuln>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct BatchVuln {
    id: String,
    #[serde(default)]
    modified: String,
}

/// `url` as the API root, ending in `/`.
pub fn normalize_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "OSV URL {:?}: expected an http(s) URL such as {DEFAULT_URL}",
            crate::input::registry::redact(url)
        ));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

/// What a refresh from OSV learnt: every record of the family, by id.
#[derive(Debug)]
pub struct Fetched {
    pub records: BTreeMap<String, Record>,
    /// Records fetched (the others were cached at the same modification).
    pub downloaded: usize,
}

/// Asks `url` for every advisory about `names`, fetching the records the
/// `cached` ones do not already have at their modification time.
#[cfg(feature = "network")]
pub fn fetch(
    agent: &ureq::Agent,
    url: &str,
    names: &[&str],
    cached: &BTreeMap<String, Record>,
    is_family: &dyn Fn(&str) -> bool,
    timeout: std::time::Duration,
) -> Result<Fetched, String> {
    use std::io::Read;
    let read = |response: ureq::http::Response<ureq::Body>, what: &str, max: u64| {
        match response.status().as_u16() {
            200 => {}
            429 => {
                return Err(format!(
                    "{what} answered 429 Too Many Requests; try again later"
                ));
            }
            s => return Err(format!("{what} answered HTTP {s}")),
        }
        let mut body = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(max + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("cannot read {what}: {e}"))?;
        if body.len() as u64 > max {
            return Err(format!("{what} is larger than {} MiB", max / 1024 / 1024));
        }
        String::from_utf8(body).map_err(|_| format!("{what} is not UTF-8 text"))
    };
    let batch = format!("{url}v1/querybatch");
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    let mut pending: Vec<(&str, Option<String>)> = names.iter().map(|n| (*n, None)).collect();
    for _ in 0..MAX_PAGES {
        if pending.is_empty() {
            break;
        }
        let queries: Vec<serde_json::Value> = pending
            .iter()
            .map(|(name, token)| {
                let mut q =
                    serde_json::json!({"package": {"name": name, "ecosystem": "crates.io"}});
                if let Some(t) = token {
                    q["page_token"] = t.clone().into();
                }
                q
            })
            .collect();
        let response = agent
            .post(&batch)
            .header("Content-Type", "application/json")
            .config()
            .timeout_global(Some(timeout))
            .build()
            .send(serde_json::json!({ "queries": queries }).to_string())
            .map_err(|e| {
                format!(
                    "{batch}: {}",
                    crate::input::registry::redact(&e.to_string())
                )
            })?;
        let text = read(response, &batch, MAX_BATCH_ANSWER)?;
        let answer: BatchAnswer = serde_json::from_str(&text)
            .map_err(|e| format!("{batch} answered something that is not a batch answer: {e}"))?;
        if answer.results.len() != pending.len() {
            return Err(format!(
                "{batch} answered {} results to {} queries",
                answer.results.len(),
                pending.len()
            ));
        }
        let mut next = Vec::new();
        for ((name, _), result) in pending.iter().zip(answer.results) {
            for v in result.vulns {
                if !valid_id(&v.id) {
                    return Err(format!(
                        "{batch} named an advisory {:?}, which is not an OSV id",
                        crate::text::sanitize(&v.id)
                    ));
                }
                listed.insert(v.id, v.modified);
            }
            if let Some(t) = result.next_page_token.filter(|t| !t.is_empty()) {
                next.push((*name, Some(t)));
            }
        }
        if listed.len() > MAX_RECORDS {
            return Err(format!("{batch} named more than {MAX_RECORDS} advisories"));
        }
        pending = next;
    }
    if !pending.is_empty() {
        return Err(format!("{batch} kept answering with more pages"));
    }
    let mut records = BTreeMap::new();
    let mut downloaded = 0;
    for (id, modified) in listed {
        if let Some(old) = cached
            .get(&id)
            .filter(|r| r.modified == modified && !modified.is_empty())
        {
            records.insert(id, old.clone());
            continue;
        }
        let at = format!("{url}v1/vulns/{id}");
        let response = agent
            .get(&at)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .map_err(|e| format!("{at}: {}", crate::input::registry::redact(&e.to_string())))?;
        let text = read(response, &at, MAX_RECORD)?;
        let record = parse_record(&text, is_family).map_err(|e| format!("{at}: {e}"))?;
        downloaded += 1;
        records.insert(id, record);
    }
    Ok(Fetched {
        records,
        downloaded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(name: &str) -> bool {
        name.starts_with("wasmtime") || name.starts_with("cranelift")
    }

    #[test]
    fn a_record_becomes_one_advisory_with_its_ranges() {
        let text = r#"{
            "id": "RUSTSEC-2026-0101", "modified": "2026-11-20T00:00:00Z",
            "published": "2026-11-19T10:00:00Z",
            "aliases": ["GHSA-abcd-efgh-ijkl", "CVE-2026-1234"],
            "summary": "Out-of-bounds read in the \u001b[31mtable\u001b[0m code",
            "affected": [
              {"package": {"ecosystem": "PyPI", "name": "wasmtime"}},
              {"package": {"ecosystem": "crates.io", "name": "wasmtime"},
               "ranges": [{"type": "SEMVER", "events": [
                 {"introduced": "0"}, {"fixed": "36.0.24"},
                 {"introduced": "37.0.0"}, {"fixed": "48.0.12"},
                 {"introduced": "49.0.0"}, {"fixed": "50.0.4"},
                 {"introduced": "51.0.0"}, {"fixed": "51.0.1"}]}]}
            ],
            "references": [{"type": "ADVISORY", "url": "https://github.com/bytecodealliance/wasmtime/security/advisories/GHSA-abcd-efgh-ijkl"}]
        }"#;
        let a = parse_record(text, &family).unwrap().advisory.unwrap();
        assert_eq!(a.id, "GHSA-abcd-efgh-ijkl");
        assert_eq!(a.rustsec, ["RUSTSEC-2026-0101"]);
        assert_eq!(a.aliases, ["CVE-2026-1234"]);
        assert!(!a.title.contains('\u{1b}'), "{}", a.title);
        let affected = |v: &str| a.affects(&Version::parse(v).unwrap());
        assert!(affected("36.0.23"));
        assert!(!affected("36.0.24"));
        assert!(affected("37.0.0"));
        assert!(affected("48.0.8"));
        assert!(!affected("48.0.12"));
        assert!(affected("50.0.3"));
        assert!(!affected("50.0.4"));
        assert!(affected("51.0.0"));
        assert!(!affected("51.0.1"));
    }

    #[test]
    fn introduced_later_and_last_affected() {
        let text = r#"{"id": "GHSA-aaaa-bbbb-cccc", "modified": "m",
            "affected": [{"package": {"ecosystem": "crates.io", "name": "cranelift-codegen"},
              "ranges": [{"type": "SEMVER", "events": [
                {"introduced": "0.100.0"}, {"last_affected": "0.110.2"}]}]}]}"#;
        let a = parse_record(text, &family).unwrap().advisory.unwrap();
        let affected = |v: &str| a.affects(&Version::parse(v).unwrap());
        assert!(!affected("0.99.0"));
        assert!(affected("0.100.0"));
        assert!(affected("0.110.2"));
        assert!(!affected("0.110.3"));
        // About no family crate: kept as a record without an advisory.
        let other = r#"{"id": "GHSA-aaaa-bbbb-dddd", "modified": "m",
            "affected": [{"package": {"ecosystem": "crates.io", "name": "serde"}}]}"#;
        assert!(parse_record(other, &family).unwrap().advisory.is_none());
    }

    #[test]
    fn malformed_records_and_ids_are_refused() {
        for bad in [
            "not json",
            r#"{"id": "../../etc/passwd", "modified": "m"}"#,
            "{\"id\": \"GHSA-\\u001b]8;;x\", \"modified\": \"m\"}",
            r#"{"id": "GHSA-aaaa-bbbb-cccc", "affected": [{"package": {"ecosystem": "crates.io", "name": "wasmtime"},
                "ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0.0"}]}]}]}"#,
            r#"{"id": "GHSA-aaaa-bbbb-cccc", "affected": [{"package": {"ecosystem": "crates.io", "name": "wasmtime"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "one"}]}]}]}"#,
        ] {
            let e = parse_record(bad, &family).unwrap_err();
            assert!(!e.contains('\n') && !e.contains('\u{1b}'), "{e}");
        }
        assert!(valid_id("GHSA-hmmr-87qq-258j"));
        assert!(valid_id("RUSTSEC-2024-0438"));
        assert!(!valid_id("GHSA/../x"));
        assert!(!valid_id(""));
    }
}
