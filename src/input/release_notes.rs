//! Facts from Wasmtime's RELEASES.md (for the maintainer's `refresh
//! --write-data --release-notes`): for the `## N.0.0` section, how many
//! top-level entries each of Added / Changed / Removed / Fixed has, and the
//! PRs linked from Changed and Removed entries. No prose is kept.

use crate::model::data::{Advisory, ReleaseNotes};
use std::collections::BTreeSet;

const PR_LINK: &str = "github.com/bytecodealliance/wasmtime/pull/";

/// The first `## N.0.0` section of `text`: a release branch's own notes.
pub fn parse(text: &str) -> Option<ReleaseNotes> {
    let lines: Vec<&str> = text.lines().collect();
    let (start, major) = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| Some((i, section_major(l)?)))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## ") || l.starts_with("----"))
        .map_or(lines.len(), |p| start + 1 + p);
    Some(section(major, &lines[start + 1..end]))
}

/// `## 48.0.0` (optionally followed by a date) gives 48.
fn section_major(line: &str) -> Option<u32> {
    let version = line.strip_prefix("## ")?.split_whitespace().next()?;
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    (parts.next() == Some("0") && parts.next() == Some("0") && parts.next().is_none())
        .then_some(major)
}

fn section(major: u32, lines: &[&str]) -> ReleaseNotes {
    let mut notes = ReleaseNotes {
        major,
        url: format!(
            "https://github.com/bytecodealliance/wasmtime/blob/release-{major}.0.0/RELEASES.md"
        ),
        added: 0,
        changed: 0,
        removed: 0,
        fixed: 0,
        changed_prs: Vec::new(),
        removed_prs: Vec::new(),
    };
    let mut heading = String::new();
    let mut changed_prs = BTreeSet::new();
    let mut removed_prs = BTreeSet::new();
    for line in lines {
        if let Some(h) = line.strip_prefix("### ") {
            heading = h.trim().to_ascii_lowercase();
            continue;
        }
        let top_level_bullet = line.starts_with("* ") || line.starts_with("- ");
        if top_level_bullet {
            match heading.as_str() {
                "added" => notes.added += 1,
                "changed" => notes.changed += 1,
                "removed" => notes.removed += 1,
                "fixed" => notes.fixed += 1,
                _ => {}
            }
        }
        // Nested lines belong to the entry above them.
        let target = match heading.as_str() {
            "changed" => Some(&mut changed_prs),
            "removed" => Some(&mut removed_prs),
            _ => None,
        };
        if let Some(set) = target {
            set.extend(pr_numbers(line));
        }
    }
    notes.changed_prs = changed_prs.into_iter().collect();
    notes.removed_prs = removed_prs.into_iter().collect();
    notes
}

fn pr_numbers(line: &str) -> impl Iterator<Item = u32> + '_ {
    line.match_indices(PR_LINK).filter_map(|(at, _)| {
        let digits: String = line[at + PR_LINK.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

/// A patch release's section of RELEASES.md: its day and the security
/// advisories it fixed (GHSA id and the entry's text as the title).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PatchNotes {
    pub version: semver::Version,
    pub date: chrono::NaiveDate,
    pub advisories: Vec<(String, String)>,
}

const GHSA_LINK: &str = "/security/advisories/";

/// Every `## N.M.P` section with a `Released YYYY-MM-DD.` line, newest
/// first as in the file, with the advisories its entries link to.
pub fn patches(text: &str) -> Vec<PatchNotes> {
    let mut out: Vec<PatchNotes> = Vec::new();
    let mut current: Option<PatchNotes> = None;
    let mut entry = String::new();
    let flush = |entry: &mut String, current: &mut Option<PatchNotes>| {
        if let Some(p) = current.as_mut()
            && let Some((title, id)) = advisory_of(entry)
            && !p.advisories.iter().any(|(i, _)| *i == id)
        {
            p.advisories.push((id, title));
        }
        entry.clear();
    };
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            flush(&mut entry, &mut current);
            out.extend(current.take());
            current = heading
                .split_whitespace()
                .next()
                .and_then(|v| semver::Version::parse(v).ok())
                .map(|version| PatchNotes {
                    version,
                    date: chrono::NaiveDate::MIN,
                    advisories: Vec::new(),
                });
            continue;
        }
        let Some(p) = current.as_mut() else {
            continue;
        };
        // `Released 2026-10-29.` (once `Fixed 2026-10-29.`): a word, then the day.
        if let Some(day) = line
            .trim()
            .split_once(' ')
            .filter(|(word, _)| word.chars().all(char::is_alphabetic))
            .and_then(|(_, d)| d.trim_end_matches('.').parse().ok())
        {
            p.date = day;
            continue;
        }
        if line.starts_with("* ")
            || line.starts_with("- ")
            || line.starts_with("#")
            || line.trim().is_empty()
        {
            flush(&mut entry, &mut current);
        }
        let bullet = line.starts_with("* ") || line.starts_with("- ");
        // An entry runs from its bullet to the next bullet, heading or blank line.
        if bullet || (!entry.is_empty() && !line.trim().is_empty() && !line.starts_with('#')) {
            let text = if bullet { &line[2..] } else { line };
            entry.push_str(text.trim());
            entry.push(' ');
        }
    }
    flush(&mut entry, &mut current);
    out.extend(current);
    out.retain(|p| p.date != chrono::NaiveDate::MIN);
    out
}

/// The advisories `fixes` name, one per GHSA id, against `wasmtime`:
/// patched in each line at the patch whose notes name it, dated by its
/// first fix, and marked as known from the release notes (so a line without
/// a fix is not called affected).
pub fn advisories<'a>(fixes: impl IntoIterator<Item = &'a PatchNotes>) -> Vec<Advisory> {
    let mut by_id: std::collections::BTreeMap<
        &str,
        (&str, chrono::NaiveDate, Vec<&semver::Version>),
    > = std::collections::BTreeMap::new();
    for p in fixes {
        for (id, title) in &p.advisories {
            let e = by_id.entry(id).or_insert((title, p.date, Vec::new()));
            e.1 = e.1.min(p.date);
            if !e.2.contains(&&p.version) {
                e.2.push(&p.version);
            }
        }
    }
    by_id
        .into_iter()
        .map(|(id, (title, date, mut versions))| {
            versions.sort();
            Advisory {
                id: id.to_string(),
                rustsec: Vec::new(),
                aliases: Vec::new(),
                crate_name: "wasmtime".into(),
                date: Some(date),
                title: crate::text::sanitize(title),
                url: Some(format!(
                    "https://github.com/bytecodealliance/wasmtime/security/advisories/{id}"
                )),
                patched: versions
                    .iter()
                    .filter_map(|v| {
                        semver::VersionReq::parse(&format!(
                            ">= {v}, < {}.0.0",
                            v.major.checked_add(1)?
                        ))
                        .ok()
                    })
                    .collect(),
                unaffected: Vec::new(),
                informational: None,
                withdrawn: None,
                source: Some(RELEASE_NOTES_SOURCE.into()),
            }
        })
        .collect()
}

/// The `source` of an advisory known only from release notes.
pub const RELEASE_NOTES_SOURCE: &str = "release-notes";

/// An entry that links to a GHSA advisory: its title (the entry's words
/// before the links) and the id.
fn advisory_of(entry: &str) -> Option<(String, String)> {
    let at = entry.find(GHSA_LINK)? + GHSA_LINK.len();
    let id: String = entry[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if !id.starts_with("GHSA-") || id.len() != 19 {
        return None;
    }
    let words = entry.split(" [").next().unwrap_or(entry);
    let title = words
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches('.')
        .to_string();
    (!title.is_empty()).then_some((title, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "## 49.0.0

Unreleased.

### Added

* A new API.
  [#14200](https://github.com/bytecodealliance/wasmtime/pull/14200)
* Another one.

### Changed

* The `Config` type changed.
  [#14201](https://github.com/bytecodealliance/wasmtime/pull/14201)
  [#14202](https://github.com/bytecodealliance/wasmtime/pull/14202)
* Something else, see
  [#14203](https://github.com/bytecodealliance/wasmtime/pull/14203).

### Removed

* Old thing. [#14199](https://github.com/bytecodealliance/wasmtime/pull/14199)

### Fixed

* A bug.

--------------------------------------------------------------------------------

## 48.0.0

### Changed

* Not counted: the first section only is this branch's.
";

    #[test]
    fn counts_entries_and_prs_of_each_section() {
        let n = parse(SAMPLE).unwrap();
        assert_eq!(
            (n.major, n.added, n.changed, n.removed, n.fixed),
            (49, 2, 2, 1, 1)
        );
        assert_eq!(n.changed_prs, [14201, 14202, 14203]);
        assert_eq!(n.removed_prs, [14199]);
        assert!(n.url.ends_with("release-49.0.0/RELEASES.md"));
    }

    #[test]
    fn only_major_sections() {
        assert!(parse("# Release notes\n\nnothing here\n").is_none());
        assert_eq!(section_major("## 48.0.0"), Some(48));
        assert_eq!(section_major("## 48.0.1"), None);
        assert_eq!(section_major("### 48.0.0"), None);
    }

    #[test]
    fn patch_sections_give_their_day_and_the_advisories_they_fix() {
        let md = r"## 49.0.5

Released 2026-10-29.

### Fixed

* wasi-sockets: UDP `connect` only required the address to be permitted for
  sending *or* receiving.
  [GHSA-hmmr-87qq-258j](https://github.com/bytecodealliance/wasmtime/security/advisories/GHSA-hmmr-87qq-258j)

* Update rustls to 0.23.46
  [#14767](https://github.com/bytecodealliance/wasmtime/pull/14767)
* Panic with typed functions has been fixed.
  [GHSA-3982-jqvv-277m](https://github.com/bytecodealliance/wasmtime/security/advisories/GHSA-3982-jqvv-277m)

--------------------------------------------------------------------------------

## 49.0.4

Fixed 2026-10-19.

### Fixed

* wasi-http: Guests can add conflicting content lengths to messages
  [GHSA-r8xh-cgf7-392j](https://github.com/bytecodealliance/wasmtime/security/advisories/GHSA-r8xh-cgf7-392j)

## 49.0.0

Unreleased.
";
        let p = patches(md);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].version, semver::Version::new(49, 0, 5));
        assert_eq!(p[0].date.to_string(), "2026-10-29");
        assert_eq!(
            p[0].advisories,
            [
                (
                    "GHSA-hmmr-87qq-258j".to_string(),
                    "wasi-sockets: UDP `connect` only required the address to be permitted for sending *or* receiving".to_string()
                ),
                (
                    "GHSA-3982-jqvv-277m".to_string(),
                    "Panic with typed functions has been fixed".to_string()
                ),
            ]
        );
        assert_eq!(p[1].advisories[0].0, "GHSA-r8xh-cgf7-392j");
        assert_eq!(
            p[1].date.to_string(),
            "2026-10-19",
            "`Fixed DAY.` as once written"
        );
    }
}
