//! Wasmtime's bindings for other languages (wasmtime-py, wasmtime-go,
//! wasmtime-rb, wasmtime-dotnet). A binding's version is the Wasmtime release
//! it embeds, so its train and support are Wasmtime's; but it is released
//! only when its maintainers publish it, so Wasmtime's patch releases (and
//! their security fixes) reach it late or never. This says which Wasmtime
//! patches no release of the binding includes, which advisories affect the
//! release in use, and the binding release to move to. Pure.

use crate::check::context::{Context, Sink};
use crate::check::security::{advisory_ref, first_fixed_in_line};
use crate::model::advice::{Advice, Now, Upgrade};
use crate::model::data::{Advisory, Data};
use crate::model::findings::{AdvisoryRef, Code, Finding, Location};
use crate::model::inputs::Binding;
use crate::model::phrases::count;
use crate::model::policy;
use crate::model::train::{CrateReport, Train};
use chrono::NaiveDate;
use semver::Version;

pub fn check(cx: &Context, sink: &mut Sink) {
    for t in cx.trains {
        for c in &t.crates {
            let Some(binding) = c.source.binding() else {
                continue;
            };
            vulnerable(t, c, cx.data, sink);
            behind(t, c, binding, cx.data, cx.opts.as_of, sink);
        }
    }
}

/// The advisories that affect the Wasmtime release `v` of `major`, each
/// judged in its crate's own numbering (cranelift-codegen 0.123.x for 36.0.x).
/// Before 1.0 (`0.40.0`) the runtime's crates shared Wasmtime's number.
pub fn affecting_release<'a>(
    data: &'a Data,
    major: u32,
    v: &Version,
) -> Vec<(&'a Advisory, Option<Version>)> {
    let mut out: Vec<(&Advisory, Option<Version>)> = Vec::new();
    for a in &data.advisories {
        let own = match major {
            0 if a.crate_name.starts_with("wasmtime") => Some(Version::new(0, v.minor, v.patch)),
            0 => None,
            _ => data.family.version_for(&a.crate_name, major, v.patch),
        };
        let Some(own) = own else {
            continue;
        };
        if a.affects(&own) && !out.iter().any(|(b, _)| b.id == a.id) {
            out.push((a, first_fixed_in_line(a, &own)));
        }
    }
    out
}

fn locate(t: &Train, c: &CrateReport) -> Finding {
    Finding::new(Code::Vulnerable, Some(t.support.major), String::new())
        .about(&c.name, &c.version)
        .at(Some(Location {
            path: c.lockfile.clone(),
            line: c.line,
        }))
}

/// The Wasmtime release a binding's version embeds; a pre-release
/// (`36.0.0rc1`) is judged as the release it leads to.
fn embedded(major: u32, v: &Version) -> Version {
    match major {
        0 => Version::new(0, v.minor, v.patch),
        m => Version::new(u64::from(m), 0, v.patch),
    }
}

fn vulnerable(t: &Train, c: &CrateReport, data: &Data, sink: &mut Sink) {
    let embedded = embedded(t.support.major, &c.version);
    let refs: Vec<AdvisoryRef> = affecting_release(data, t.support.major, &embedded)
        .into_iter()
        .map(|(a, fixed)| advisory_ref(a, fixed))
        .collect();
    if refs.is_empty() {
        return;
    }
    let mut f = locate(t, c);
    // The fixes are Wasmtime's releases, not the binding's.
    f.message = crate::check::security::vulnerable_message(&f, &refs)
        .replacen(
            &format!("{} {} ", c.name, c.version),
            &format!("{} {} (it embeds Wasmtime {embedded}) ", c.name, c.version),
            1,
        )
        .replace("all fixed by ", "all fixed by Wasmtime ")
        .replace("; fixed in ", "; fixed in Wasmtime ");
    f.message.push_str(&elsewhere(c));
    sink.push(f.with_advisories(refs));
}

/// The Wasmtime patches of the line after the one the binding embeds, and
/// which of them no release of the binding includes.
fn behind(t: &Train, c: &CrateReport, b: Binding, data: &Data, as_of: NaiveDate, sink: &mut Sink) {
    let major = t.support.major;
    let Some(facts) = data.majors.get(&major).filter(|_| major > 0) else {
        return;
    };
    let embedded = embedded(major, &c.version);
    let later: Vec<&crate::model::data::Patch> = facts
        .patches
        .iter()
        .filter(|p| p.version > embedded && p.date <= as_of)
        .collect();
    let Some(releases) = data.bindings.get(&b) else {
        if later.is_empty() {
            return;
        }
        let fixed = fixed_ids(&later);
        let message = format!(
            "{} {} embeds Wasmtime {embedded}; Wasmtime has since released {} of {major} ({}{}); whether a {} release includes them is unknown here (no facts about {}'s releases): check {} for a {major}.0.x release after {}",
            c.name,
            c.version,
            count(later.len(), "patch", "patches"),
            span(&later),
            fixes(&fixed),
            b.project(),
            b.project(),
            b.registry(),
            c.version,
        );
        let message = message + &elsewhere(c);
        sink.push(behind_finding(t, c, message, &fixed, data));
        return;
    };
    let usable: Vec<(Version, NaiveDate)> = releases
        .usable()
        .into_iter()
        .filter(|(_, d)| *d <= as_of)
        .collect();
    let newest_in_line = usable
        .iter()
        .map(|(v, _)| v)
        .filter(|v| v.major == u64::from(major) && **v > c.version)
        .max();
    let covered = newest_in_line.map_or(c.version.patch, |v| v.patch);
    let lacking: Vec<&crate::model::data::Patch> = later
        .iter()
        .copied()
        .filter(|p| p.version.patch > covered)
        .collect();
    if newest_in_line.is_none() && lacking.is_empty() {
        return;
    }
    let mut message = format!("{} {} embeds Wasmtime {embedded}", c.name, c.version);
    if let Some(v) = newest_in_line {
        message.push_str(&format!(
            "; {} {v} of the same line is out (a patch update)",
            b.project()
        ));
    }
    let fixed = fixed_ids(&lacking);
    if !lacking.is_empty() {
        message.push_str(&format!(
            "; Wasmtime {} ({}{}) {} in no {} release",
            span(&lacking),
            count(lacking.len(), "patch", "patches"),
            fixes(&fixed),
            if lacking.len() == 1 { "is" } else { "are" },
            b.project(),
        ));
        match restoring_release(&usable, c, data, as_of) {
            Some((v, clean)) if clean => message.push_str(&format!(
                "; the nearest {} release with every known fix of a supported line: {v}",
                b.project()
            )),
            Some((v, _)) => message.push_str(&format!(
                "; no {} release of a supported line has every known fix: the nearest of a supported line is {v}",
                b.project()
            )),
            None => message.push_str(&format!(
                "; no {} release of a supported line is known",
                b.project()
            )),
        }
    }
    message.push_str(&format!(
        " ({}'s releases as of {})",
        b.registry(),
        releases.date
    ));
    message.push_str(&elsewhere(c));
    sink.push(behind_finding(t, c, message, &fixed, data));
}

/// A binding from outside its registry (a git repository, a directory, a
/// `replace`) is judged by its version number, as a git crate is.
fn elsewhere(c: &CrateReport) -> String {
    match (&c.url, c.source.binding()) {
        (Some(url), Some(b)) => format!(
            " ({} from {url}, not {}: judged by its version number; check it)",
            b.project(),
            b.registry()
        ),
        _ => String::new(),
    }
}

/// The nearest binding release newer than `c` on a line supported on
/// `as_of`, and whether no known advisory affects it.
fn restoring_release(
    usable: &[(Version, NaiveDate)],
    c: &CrateReport,
    data: &Data,
    as_of: NaiveDate,
) -> Option<(Version, bool)> {
    let supported =
        |v: &Version| u32::try_from(v.major).is_ok_and(|m| m > 0 && policy::is_supported(m, as_of));
    let candidates: Vec<&Version> = usable
        .iter()
        .map(|(v, _)| v)
        .filter(|v| **v > c.version && supported(v))
        .collect();
    let clean = |v: &Version| {
        let m = u32::try_from(v.major).unwrap_or(0);
        affecting_release(data, m, &Version::new(v.major, 0, v.patch)).is_empty()
    };
    if let Some(v) = candidates.iter().find(|v| clean(v)) {
        return Some(((*v).clone(), true));
    }
    candidates.first().map(|v| ((*v).clone(), false))
}

fn fixed_ids(patches: &[&crate::model::data::Patch]) -> Vec<String> {
    let mut ids: Vec<String> = patches
        .iter()
        .flat_map(|p| p.advisories.iter().cloned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn fixes(ids: &[String]) -> String {
    match ids.len() {
        0 => String::new(),
        n if n <= 4 => format!(
            ", fixing {}: {}",
            count(n, "advisory", "advisories"),
            ids.join(", ")
        ),
        n => format!(", fixing {}", count(n, "advisory", "advisories")),
    }
}

fn span(patches: &[&crate::model::data::Patch]) -> String {
    match (patches.first(), patches.last()) {
        (Some(a), Some(b)) if a.version != b.version => format!("{} to {}", a.version, b.version),
        (Some(a), _) => a.version.to_string(),
        _ => String::new(),
    }
}

fn behind_finding(
    t: &Train,
    c: &CrateReport,
    message: String,
    ids: &[String],
    data: &Data,
) -> Finding {
    let refs: Vec<AdvisoryRef> = ids
        .iter()
        .filter_map(|id| data.advisories.iter().find(|a| a.id == *id))
        .map(|a| advisory_ref(a, None))
        .collect();
    let mut f = locate(t, c).with_advisories(refs);
    f.code = Code::BindingBehind;
    f.level = Code::BindingBehind.default_level();
    f.message = message;
    f
}

/// A train held only through bindings: the advice names the binding's
/// releases (the versions its users can install), not the Rust crates'.
pub fn advise(upgrade: &mut Upgrade, b: Binding, data: &Data, as_of: NaiveDate) {
    let releases: Vec<Version> = data
        .bindings
        .get(&b)
        .map(|r| {
            r.usable()
                .into_iter()
                .filter(|(_, d)| *d <= as_of)
                .map(|(v, _)| v)
                .collect()
        })
        .unwrap_or_default();
    let known = data.bindings.contains_key(&b);
    let newest_of = |major: u32| {
        releases
            .iter()
            .filter(|v| v.major == u64::from(major))
            .max()
            .map(|v| v.to_string())
    };
    let mut missing: Vec<u32> = Vec::new();
    let mut named: Vec<(u32, String)> = Vec::new();
    let mut retarget = |major: u32, version: &mut Option<String>, krate: &mut Option<String>| {
        *krate = Some(b.project().to_string());
        *version = if known { newest_of(major) } else { None };
        match version {
            Some(v) => named.push((major, v.clone())),
            // A major not out yet has no release of anything: nothing to say.
            None if known && policy::release_date(major).is_some_and(|d| d <= as_of) => {
                missing.push(major)
            }
            None => {}
        }
    };
    match &mut upgrade.advice {
        Advice::OnNewestLts => {}
        Advice::MoveToLts { target, .. } => {
            retarget(target.major, &mut target.version, &mut target.krate)
        }
        Advice::NextLts { target, back } => {
            retarget(target.major, &mut target.version, &mut target.krate);
            if let Some(back) = back {
                retarget(back.major, &mut back.version, &mut back.krate);
            }
        }
    }
    match &mut upgrade.now {
        Some(Now::Restore(r)) => {
            let mut v = Some(r.version.clone());
            retarget(r.major, &mut v, &mut r.krate);
            match v {
                Some(v) => r.version = v,
                None => upgrade.now = None,
            }
        }
        Some(Now::MoveBy(m)) => {
            let mut v = m.next_version.take();
            retarget(m.next_major, &mut v, &mut m.krate);
            m.next_version = v;
            m.unresolvable = false;
        }
        None => {}
    }
    // Cargo's notes (what it cannot resolve, what Rust a release needs) are
    // not this binding's, nor is the effort counted from the Rust crates'
    // release notes.
    upgrade.notes.clear();
    upgrade.via.clear();
    upgrade.effort.clear();
    named.sort();
    named.dedup();
    for (major, v) in &named {
        let Some(parsed) = crate::model::inputs::version(v) else {
            continue;
        };
        let n = affecting_release(data, *major, &embedded(*major, &parsed)).len();
        if n > 0 {
            upgrade.notes.push(format!(
                "the newest {} of {major}, {v}, embeds Wasmtime {}, which {} known {} affect: their fixes are in no {} release of {major} yet",
                b.project(),
                embedded(*major, &parsed),
                n,
                if n == 1 { "advisory" } else { "advisories" },
                b.project()
            ));
        }
    }
    for major in missing {
        upgrade.notes.push(format!(
            "{} has no release of Wasmtime {major} ({} as of {})",
            b.project(),
            b.registry(),
            data.bindings[&b].date
        ));
    }
    if !known {
        upgrade.notes.push(format!(
            "{}'s releases are unknown here: check {} for its release of the target line",
            b.project(),
            b.registry()
        ));
    }
}
