//! Facts from Wasmtime's RELEASES.md (for the maintainer's `refresh
//! --write-data --release-notes`): for the `## N.0.0` section, how many
//! top-level entries each of Added / Changed / Removed / Fixed has, and the
//! PRs linked from Changed and Removed entries. No prose is kept.

use crate::model::data::ReleaseNotes;
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
}
