//! Security and freshness findings, from the facts: patch currency
//! (`outdated-patch`), advisories affecting the exact version (`vulnerable`),
//! yanked versions, majors the data has not seen (`stale-data`) and the Rust
//! version an upgrade needs (`msrv-gap`). Pure.

use crate::check::context::{Context, Sink};
use crate::check::resolve::{self, Limits};
use crate::model::data::{Advisory, Data, Publication};
use crate::model::findings::{AdvisoryRef, Code, Finding, Level, Location};
use crate::model::phrases::{self, count};
use crate::model::policy;
use crate::model::train::{CrateReport, CrateSource, Train};
use chrono::{Days, NaiveDate};
use semver::{Op, Version};
use std::collections::BTreeSet;

/// Releases can ship a few days after their nominal date (weekends, delays).
const RELEASE_GRACE_DAYS: u64 = 7;

pub fn check(cx: &Context, sink: &mut Sink) {
    let data = cx.data;
    let limits = cx.opts.limits();
    for t in cx.trains {
        outdated_patch(t, data, &limits, &cx.opts.pins, sink);
        // Bindings are judged by the Wasmtime release they embed (`bindings`).
        for c in t.crates.iter().filter(|c| c.source.binding().is_none()) {
            vulnerable(t, c, data, sink);
            if data.yanked.contains(&(c.name.clone(), c.version.clone())) {
                let message = format!(
                    "{} {} was yanked from the registry; update to a version that is not",
                    c.name, c.version
                );
                sink.push(about_crate(Code::Yanked, t, c, message));
            }
        }
    }
    if let Some(f) = stale_data(data, cx.opts.as_of) {
        sink.push(f);
    }
    if let Some(declared) = &cx.opts.rust_version {
        msrv_gaps(
            cx.trains,
            data,
            declared,
            cx.opts.rust_version_at.as_ref(),
            sink,
        );
    }
}

/// The version of Wasmtime a train's crates stand for: the `wasmtime` crate's,
/// else the headline crate's patch in the train's line.
fn train_version(t: &Train) -> Option<(Version, &CrateReport)> {
    let c = t
        .crates
        .iter()
        .find(|c| c.name == "wasmtime")
        .or_else(|| t.headline())
        .filter(|c| c.source.binding().is_none())?;
    if !c.version.pre.is_empty() || (c.name == "pulley-interpreter" && c.version.major == 0) {
        return None;
    }
    Some((
        Version::new(u64::from(t.support.major), 0, c.version.patch),
        c,
    ))
}

fn outdated_patch(
    t: &Train,
    data: &Data,
    limits: &Limits,
    pins: &[crate::check::context::Pin],
    sink: &mut Sink,
) {
    let Some(facts) = data.majors.get(&t.support.major) else {
        return;
    };
    let Some((used, c)) = train_version(t) else {
        return;
    };
    // The newest patch cargo resolves for this train's crates: a newer one
    // that does not resolve (or needs a newer Rust) is said in the advice's
    // notes, never asked for here.
    let resolution = resolve::resolve(data, t.support.major, &t.held, limits);
    let Some(resolved) = resolution.resolved() else {
        return;
    };
    let Some(newest_crate) = resolved.version_of(&c.name) else {
        return;
    };
    if *newest_crate <= c.version || !c.version.pre.is_empty() {
        return;
    }
    let newest_version = Version::new(used.major, 0, newest_crate.patch);
    let newest = crate::model::data::Patch {
        version: newest_version,
        date: facts.released,
        advisories: Vec::new(),
        yanked: false,
    };
    let fixed: BTreeSet<&str> = facts
        .patches
        .iter()
        .filter(|p| p.version > used && p.version <= newest.version)
        .flat_map(|p| p.advisories.iter().map(String::as_str))
        .collect();
    // Only advisories against crates this train holds, at the versions it holds.
    let mut affected_crates: BTreeSet<&str> = BTreeSet::new();
    let refs: Vec<AdvisoryRef> = fixed
        .iter()
        .filter_map(|id| data.advisories.iter().find(|a| a.id == *id))
        .filter_map(|a| {
            let held = t
                .crates
                .iter()
                .filter(|held| held.name == a.crate_name && affects(a, &held.version))
                .min_by(|x, y| x.version.cmp(&y.version))?;
            affected_crates.insert(held.name.as_str());
            Some(advisory_ref(a, first_fixed_in_line(a, &held.version)))
        })
        .collect();
    let what = if c.name == "wasmtime" {
        format!("wasmtime {}", c.version)
    } else {
        format!("{} {} (Wasmtime {})", c.name, c.version, t.support.major)
    };
    let fixes = if refs.is_empty() {
        String::new()
    } else {
        let ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
        let n = refs.len();
        let crates: Vec<&str> = affected_crates.into_iter().collect();
        let listed = if n <= 4 {
            format!(": {}", ids.join(", "))
        } else {
            String::new()
        };
        format!(
            "; the patches since fix {} affecting {} here{listed}",
            count(n, "security advisory", "security advisories"),
            crates.join(", ")
        )
    };
    let unknown = unknown_advisories_note(data, t.support.major, used.patch, &newest.version);
    let newest_shown = newest_crate.to_string();
    let pinned = pin_note(pins, t, &|name| resolved.version_of(name).cloned());
    let message = format!(
        "{what} is behind the newest patch of its line that resolves, {newest_shown} (EffVer micro: a patch update, no breaking changes){fixes}{unknown}{pinned}{}",
        git_note(c)
    );
    sink.push(about_crate(Code::OutdatedPatch, t, c, message).with_advisories(refs));
}

/// An exact requirement that holds a crate of the train at the version in
/// use: `cargo update` cannot move it, so the note names it and the edit.
fn pin_note(
    pins: &[crate::check::context::Pin],
    t: &Train,
    newest_of: &dyn Fn(&str) -> Option<Version>,
) -> String {
    let holding = pins.iter().find_map(|p| {
        let c = t.crates.iter().find(|c| {
            c.name == p.name
                && semver::VersionReq::parse(&p.req).is_ok_and(|r| r.matches(&c.version))
        })?;
        let newest = newest_of(&c.name).filter(|n| *n > c.version)?;
        Some((p, newest))
    });
    let Some((p, newest)) = holding else {
        return String::new();
    };
    format!(
        "; {}:{} pins {} with \"{}\", so `cargo update` cannot move it: change the requirement to \"={newest}\" (or drop the `=`), then run `cargo update -p {}`",
        p.at.path, p.at.line, p.name, p.req, p.name
    )
}

/// Whether `a` affects `v`; a pre-release is judged as the release it precedes
/// (advisory ranges never name pre-releases, and semver ranges skip them).
fn affects(a: &Advisory, v: &Version) -> bool {
    a.affects(&release_of(v))
}

fn release_of(v: &Version) -> Version {
    Version::new(v.major, v.minor, v.patch)
}

/// The advisories against `name` that affect `version`, with the first fixed
/// version in its line.
pub fn affecting<'a>(
    data: &'a Data,
    name: &'a str,
    version: &'a Version,
) -> impl Iterator<Item = (&'a Advisory, Option<Version>)> + 'a {
    let judged = release_of(version);
    let fixed = judged.clone();
    data.advisories
        .iter()
        .filter(move |a| a.crate_name == name && a.affects(&judged))
        .map(move |a| (a, first_fixed_in_line(a, &fixed)))
}

/// Git sources carry an upstream version number that a fork may not honour.
fn git_note(c: &CrateReport) -> &'static str {
    if c.source == CrateSource::Git {
        " (git source: judged by its version number; check the fork)"
    } else {
        ""
    }
}

/// When patches after `patch` came out after the advisory data: what they
/// fix is unknown, and several lines patched the same day is the usual sign
/// of a security release.
fn unknown_advisories_note(data: &Data, major: u32, patch: u64, newest: &Version) -> String {
    if data.advisories_cover(major, newest.patch) {
        return String::new();
    }
    let mut note = format!(
        "; advisories published after {} are unknown",
        data.provenance.advisories_date
    );
    // The newest such patch of each other line, oldest line first.
    let mut together: std::collections::BTreeMap<u64, Version> = Default::default();
    for v in data
        .majors
        .get(&major)
        .into_iter()
        .flat_map(|m| &m.patches)
        .filter(|p| p.version.patch > patch && !data.advisories_cover(major, p.version.patch))
        .flat_map(|p| data.patched_together(&p.version))
    {
        let newest = together.entry(v.major).or_insert_with(|| v.clone());
        if v > *newest {
            *newest = v;
        }
    }
    if !together.is_empty() {
        let shown: Vec<String> = together.values().map(|v| v.to_string()).collect();
        note.push_str(&format!(
            ", and other lines were patched the same days ({}), as in a security release",
            shown.join(", ")
        ));
    }
    note
}

/// Advisories published after the data's advisory date are unknown for a
/// train whose version, or a newer patch of its line, came out after it.
pub fn train_advisories_unknown_after(t: &Train, data: &Data) -> Option<NaiveDate> {
    let (used, _) = train_version(t)?;
    advisories_unknown_after(data, t.support.major, used.patch)
}

fn advisories_unknown_after(data: &Data, major: u32, patch: u64) -> Option<NaiveDate> {
    let m = data.majors.get(&major)?;
    let uncovered = !data.advisories_cover(major, patch)
        || m.patches
            .iter()
            .any(|p| p.version.patch > patch && !data.advisories_cover(major, p.version.patch));
    uncovered.then_some(data.provenance.advisories_date)
}

/// One finding per crate version, listing every advisory that affects it.
fn vulnerable(t: &Train, c: &CrateReport, data: &Data, sink: &mut Sink) {
    let refs: Vec<AdvisoryRef> = affecting(data, &c.name, &c.version)
        .map(|(a, fixed)| advisory_ref(a, fixed))
        .collect();
    if refs.is_empty() {
        return;
    }
    let mut f = about_crate(Code::Vulnerable, t, c, String::new());
    if c.source == CrateSource::Git {
        // A fork may carry the fix under the upstream number: not an error by default.
        f.level = Level::Warning;
    }
    f.message = vulnerable_message(&f, &refs);
    if c.source == CrateSource::Git {
        f.message.push_str(GIT_NOTE);
    }
    sink.push(f.with_advisories(refs));
}

const GIT_NOTE: &str = " (git source: judged by its version number; check the fork)";

/// The message of a `vulnerable` finding about `f`'s crate version with these
/// advisories (rebuilt when an ignore takes some out).
pub fn vulnerable_message(f: &Finding, refs: &[AdvisoryRef]) -> String {
    let name = f.crate_name.as_deref().unwrap_or_default();
    let version = f.version.as_deref().unwrap_or_default();
    let pre = match Version::parse(version) {
        Ok(v) if !v.pre.is_empty() => format!(" (a pre-release of {})", release_of(&v)),
        _ => String::new(),
    };
    let git = if f.message.ends_with(GIT_NOTE) {
        GIT_NOTE
    } else {
        ""
    };
    let body = if let [a] = refs {
        let ids = if a.aliases.is_empty() {
            String::new()
        } else {
            format!(" ({})", a.aliases.join(", "))
        };
        let informational = a
            .informational
            .as_deref()
            .map(|i| format!(" [informational: {i}]"))
            .unwrap_or_default();
        let fix = match &a.fixed_in {
            Some(v) => phrases::fix(Some(v)),
            None => format!("{}: move to a supported line", phrases::fix(None)),
        };
        format!(
            "{name} {version}{pre} is affected by {}{ids}{informational}: {}; {fix}",
            a.id, a.title
        )
    } else {
        let ids: Vec<&str> = refs.iter().map(|a| a.id.as_str()).collect();
        let unfixed = refs.iter().filter(|a| a.fixed_in.is_none()).count();
        let newest_fix = refs
            .iter()
            .filter_map(|a| Version::parse(a.fixed_in.as_deref()?).ok())
            .max();
        let fix = match (unfixed, newest_fix) {
            (0, Some(v)) => format!("all fixed by {v}"),
            (n, _) if n == refs.len() => {
                "none is fixed in this line: move to a supported line".to_string()
            }
            (n, _) => format!("{n} have fixes only in later lines"),
        };
        format!(
            "{name} {version}{pre} is affected by {} security advisories ({}); {fix}",
            refs.len(),
            ids.join(", ")
        )
    };
    format!("{body}{git}")
}

/// Advisory titles are plain text; some sources carry Markdown escapes
/// (`x86\_64`), which are removed here and added back per output.
pub fn plain_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut chars = title.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            chars.next();
        } else {
            out.push(c);
        }
    }
    out
}

/// A finding about one crate version of a train, at its lockfile line.
fn about_crate(code: Code, t: &Train, c: &CrateReport, message: String) -> Finding {
    Finding::new(code, Some(t.support.major), message)
        .about(&c.name, &c.version)
        .at(Some(Location {
            path: c.lockfile.clone(),
            line: c.line,
        }))
}

/// The reference to `a` that findings and reports carry.
pub fn advisory_ref(a: &Advisory, fixed_in: Option<Version>) -> AdvisoryRef {
    let mut aliases = a.rustsec.clone();
    aliases.extend(a.aliases.iter().cloned());
    AdvisoryRef {
        id: a.id.clone(),
        aliases,
        title: plain_title(&a.title),
        informational: a.informational.clone(),
        url: a.url.clone(),
        fixed_in: fixed_in.map(|v| v.to_string()),
    }
}

/// The lowest patched version in the same release line as `v` (same major,
/// and same minor for 0.x), from the advisory's `>=` bounds.
pub fn first_fixed_in_line(a: &Advisory, v: &Version) -> Option<Version> {
    a.patched
        .iter()
        .flat_map(|req| &req.comparators)
        .filter(|c| {
            c.op == Op::GreaterEq
                && c.major == v.major
                && (v.major != 0 || c.minor == Some(v.minor))
        })
        .map(|c| Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0)))
        .filter(|fixed| fixed > v)
        .min()
}

/// Majors the calendar says are out (with a few days' grace) but the data has not seen.
/// Facts older than this, from every source, are worth a refresh.
const STALE_AFTER_DAYS: i64 = 7;

fn stale_data(data: &Data, as_of: NaiveDate) -> Option<Finding> {
    let expected = policy::newest_released(as_of.checked_sub_days(Days::new(RELEASE_GRACE_DAYS))?)?;
    let known = data.newest_major();
    // Majors due after the facts were taken: the facts cannot tell whether
    // they are out. (One due before then and missing is late, not unseen.)
    let unseen: Vec<u32> = (known.saturating_add(1)..=expected)
        .filter(|&m| matches!(data.publication(m, as_of), Publication::Unseen { .. }))
        .collect();
    let age = (as_of - data.provenance.date).num_days();
    let missing = match unseen.as_slice() {
        [] if age > STALE_AFTER_DAYS => {
            return Some(Finding::new(
                Code::StaleData,
                None,
                format!(
                    "the release facts are {age} days old (newest source: {}, {}): releases and advisories published since are unknown; run `cargo wasmtime-support refresh`",
                    data.provenance.source.label(),
                    data.provenance.date
                ),
            ));
        }
        [] => return None,
        [one] => format!("Wasmtime {one}"),
        few if few.len() <= 4 => {
            let list: Vec<String> = few.iter().map(|m| m.to_string()).collect();
            format!("Wasmtime {}", list.join(", "))
        }
        many => format!("Wasmtime {} to {}", many[0], many[many.len() - 1]),
    };
    Some(Finding::new(
        Code::StaleData,
        None,
        format!(
            "the release data ({}, {}) has not seen {missing}, which the release calendar says are out; their dates are projected and their patches and advisories unknown: run `cargo wasmtime-support refresh`",
            data.provenance.source.as_str(),
            data.provenance.date
        ),
    ))
}

fn msrv_gaps(
    trains: &[Train],
    data: &Data,
    declared: &Version,
    at: Option<&Location>,
    sink: &mut Sink,
) {
    let mut targets: BTreeSet<u32> = BTreeSet::new();
    for t in trains {
        targets.extend(t.upgrade.target().map(|t| t.major));
        targets.extend(t.upgrade.back().map(|b| b.major));
        // The release that restores support, unless it is on the LTS path.
        targets.extend(
            t.upgrade
                .restore()
                .map(|r| r.major)
                .filter(|m| !t.upgrade.path().contains(m)),
        );
    }
    for major in targets {
        let Some(needed) = data
            .majors
            .get(&major)
            .and_then(|f| f.rust_version.as_ref())
        else {
            continue;
        };
        if needed > declared {
            let message = format!(
                "{} needs Rust {}.{}; this workspace declares {}.{}",
                crate::model::phrases::label(major),
                needed.major,
                needed.minor,
                declared.major,
                declared.minor
            );
            sink.push(Finding::new(Code::MsrvGap, Some(major), message).at(at.cloned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adv(id: &str) -> Advisory {
        Data::embedded()
            .unwrap()
            .advisories
            .into_iter()
            .find(|a| a.id == id)
            .unwrap()
    }

    #[test]
    fn advisories_follow_patched_and_unaffected_ranges() {
        let v = Version::parse("24.0.2").unwrap();
        let fm79 = adv("GHSA-fm79-3f68-h2fc");
        assert!(fm79.affects(&v));
        assert_eq!(first_fixed_in_line(&fm79, &v), Some(Version::new(24, 0, 4)));
        assert!(
            !adv("GHSA-c2f5-jxjv-2hh8").affects(&v),
            "fixed in 24.0.2 itself"
        );
        assert!(!fm79.affects(&Version::new(9, 0, 0)), "unaffected below 10");
        assert!(fm79.affects(&Version::new(25, 0, 0)));
        assert_eq!(
            first_fixed_in_line(&fm79, &Version::new(25, 0, 0)),
            None,
            "no fix in the 25 line"
        );
        let cranelift = adv("GHSA-hpqh-2wqx-7qp5");
        assert!(cranelift.affects(&Version::new(0, 73, 0)));
        assert!(!cranelift.affects(&Version::new(0, 73, 1)));
    }

    #[test]
    fn titles_lose_markdown_escapes_only() {
        assert_eq!(
            plain_title("read/write on x86\\_64"),
            "read/write on x86_64"
        );
        assert_eq!(plain_title("`a\\*b`"), "`a*b`");
        assert_eq!(plain_title("C:\\dir and \\n"), "C:\\dir and \\n");
        assert_eq!(plain_title("trailing \\"), "trailing \\");
    }

    #[test]
    fn advisories_are_unique_by_ghsa_id() {
        let data = Data::embedded().unwrap();
        let ids: BTreeSet<&str> = data.advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids.len(), data.advisories.len());
        let wh6w = adv("GHSA-wh6w-3828-g9qf");
        assert_eq!(wh6w.rustsec, ["RUSTSEC-2022-0075", "RUSTSEC-2022-0098"]);
    }
}
