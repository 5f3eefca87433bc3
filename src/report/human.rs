//! The default terminal report: a header, one block per train, the findings
//! and a one-line summary. Reads well in 80 columns.

use super::paint::Paint;
use crate::check::audit::Audit;
use crate::model::advice::EffortOption;
use crate::model::findings::{Code, Level};
use crate::model::phrases::{self, count};
use crate::model::policy::Status;
use crate::model::train::{CrateReport, CrateSource, DepKind, Train};
use crate::text::{sanitize, wrap};
use std::fmt::Write;

#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub verbose: bool,
    pub width: usize,
    pub paint: Paint,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            verbose: false,
            width: crate::text::WIDTH,
            paint: Paint::PLAIN,
        }
    }
}

pub fn render(a: &Audit, o: &HumanOptions) -> String {
    crate::text::terminal_safe(render_unchecked(a, o))
}

fn render_unchecked(a: &Audit, o: &HumanOptions) -> String {
    let p = o.paint;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} as of {}",
        p.bold("Wasmtime support audit"),
        a.as_of
    );
    let facts = format!("facts: {}", a.data.summary());
    let _ = writeln!(out, "{}", p.dim(&wrap(&facts, o.width, 4)));
    for l in &a.lockfiles {
        let line = if l.kind.is_cargo() {
            format!(
                "{}: {} packages, lockfile format v{}",
                sanitize(&l.path),
                l.packages,
                l.format
            )
        } else {
            format!(
                "{}: {}, {}",
                sanitize(&l.path),
                l.kind.describe(),
                count(l.packages, "package read", "packages read")
            )
        };
        let _ = writeln!(out, "{}", p.dim(&wrap(&line, o.width, 4)));
    }
    if let Some(through) = a.supported_through {
        let _ = writeln!(
            out,
            "{}",
            p.dim(&format!("checking support through {through}"))
        );
    }
    out.push('\n');

    if a.trains.is_empty() {
        out.push_str(
            match a
                .findings
                .iter()
                .any(|f| f.code == Code::UnrecognizedVersion)
            {
                true => "No Wasmtime release train found.\n",
                false => "No Wasmtime crates found.\n",
            },
        );
    }
    for t in &a.trains {
        train_block(&mut out, t, a, o);
        out.push('\n');
    }

    for f in &a.findings {
        let head = format!("{}[{}]", f.level.as_str(), f.code);
        let many = f.code == Code::Vulnerable && f.advisories.len() > 1;
        let binding = f
            .crate_name
            .as_deref()
            .and_then(crate::model::inputs::Binding::from_project);
        let none_fixed = f.advisories.iter().all(|adv| adv.fixed_in.is_none());
        let text = if many && none_fixed && !o.verbose {
            // One action for all of them (move to a supported line): one paragraph.
            let ids: Vec<&str> = f.advisories.iter().map(|adv| adv.id.as_str()).collect();
            format!(
                "{head}: {} {} is in the affected range of {} advisories whose fixes landed only in later lines (-v lists them): {}",
                sanitize(f.crate_name.as_deref().unwrap_or_default()),
                sanitize(f.version.as_deref().unwrap_or_default()),
                f.advisories.len(),
                ids.join(", ")
            )
        } else if many {
            let git = if f.message.contains("(git source:") {
                " (git source: judged by its version number; check the fork)"
            } else {
                ""
            };
            let newest_fix = f
                .advisories
                .iter()
                .map(|adv| adv.fixed_in.as_deref().map(semver::Version::parse))
                .collect::<Option<Result<Vec<_>, _>>>()
                .and_then(Result::ok)
                .and_then(|fixes| fixes.into_iter().max())
                .map(|v| match binding {
                    Some(_) => format!(", all fixed by Wasmtime {v}"),
                    None => format!(", all fixed by {v}"),
                })
                .unwrap_or_default();
            let embeds = match binding {
                Some(_) => format!(
                    " (it embeds Wasmtime {})",
                    sanitize(f.version.as_deref().unwrap_or_default())
                ),
                None => String::new(),
            };
            format!(
                "{head}: {} {}{embeds} is affected by {} security advisories{newest_fix}{git}:",
                sanitize(f.crate_name.as_deref().unwrap_or_default()),
                sanitize(f.version.as_deref().unwrap_or_default()),
                f.advisories.len()
            )
        } else {
            format!("{head}: {}", sanitize(&f.message))
        };
        let wrapped = wrap(&text, o.width, 4);
        let rest = wrapped.strip_prefix(&head).unwrap_or(&wrapped);
        let _ = writeln!(out, "{}{}", p.level(f.level, &head), rest);
        if many && (o.verbose || !none_fixed) {
            // Advisories fixed only in later lines are one line unless -v: the
            // action is the same for all of them, moving to a supported line.
            let (unfixed, fixed): (Vec<_>, Vec<_>) =
                f.advisories.iter().partition(|adv| adv.fixed_in.is_none());
            for adv in &fixed {
                let line = format!(
                    "    {} ({}): {}",
                    adv.id,
                    phrases::fix_of(f.crate_name.as_deref(), adv.fixed_in.as_deref()),
                    sanitize(&adv.title)
                );
                let _ = writeln!(out, "{}", wrap(&line, o.width, 6));
            }
            if o.verbose {
                for adv in &unfixed {
                    let line = format!(
                        "    {} ({}): {}",
                        adv.id,
                        phrases::fix(None),
                        sanitize(&adv.title)
                    );
                    let _ = writeln!(out, "{}", wrap(&line, o.width, 6));
                }
            } else if !unfixed.is_empty() {
                let ids: Vec<&str> = unfixed.iter().map(|adv| adv.id.as_str()).collect();
                let line = format!(
                    "    {} with fixes only in later lines (-v lists them): {}",
                    count(unfixed.len(), "advisory", "advisories"),
                    ids.join(", ")
                );
                let _ = writeln!(out, "{}", wrap(&line, o.width, 6));
            }
        }
    }
    if !a.findings.is_empty() {
        out.push('\n');
    }
    for i in &a.ignored {
        let line = format!(
            "ignored[{}]: {}: {}",
            i.code,
            i.subject(sanitize),
            sanitize(&i.reason)
        );
        let _ = writeln!(out, "{}", p.dim(&wrap(&line, o.width, 4)));
    }
    if !a.excluded_dev_only.is_empty() {
        let majors: Vec<String> = a.excluded_dev_only.iter().map(|m| m.to_string()).collect();
        let line = format!(
            "left out (dev-dependencies only): Wasmtime {}",
            majors.join(", ")
        );
        let _ = writeln!(out, "{}", p.dim(&line));
    }
    if !a.ignored.is_empty() || !a.excluded_dev_only.is_empty() {
        out.push('\n');
    }
    let line = summary(a, p);
    match line.contains('\x1b') {
        true => out.push_str(&line),
        false => {
            out.push_str(&wrap(line.trim_end(), o.width, 4));
            out.push('\n');
        }
    }
    out
}

fn train_block(out: &mut String, t: &Train, a: &Audit, o: &HumanOptions) {
    let p = o.paint;
    let many_lockfiles = a.lockfiles.len() > 1;
    // Wrapped like the rest (a pre-release-only train's status is long);
    // colour codes take no columns, so only colourless text is measured.
    let header = format!("{}  {}", p.bold(&t.label()), status_text(t, p));
    let header = match header.contains('\x1b') {
        true => header,
        false => wrap(&header, o.width, t.label().chars().count() + 2),
    };
    let _ = writeln!(out, "{header}");
    if t.dev_only {
        let _ = writeln!(out, "  scope    dev-dependencies only");
    }
    if !t.prerelease.is_empty() {
        let versions: Vec<String> = t
            .prerelease
            .iter()
            .map(|v| sanitize(&v.to_string()))
            .collect();
        let line = format!(
            "  pre      {}: pre-release crates, never supported themselves",
            versions.join(", ")
        );
        let _ = writeln!(out, "{}", wrap(&line, o.width, 11));
    }

    if o.verbose {
        let _ = writeln!(out, "  crates");
        for c in &t.crates {
            let line = format!("    {}", crate_line(c, many_lockfiles));
            let _ = writeln!(out, "{}", wrap(&line, o.width, 6));
        }
        if !t.pulled_in_by.is_empty() {
            let _ = writeln!(out, "  pulled in by");
            for puller in &t.pulled_in_by {
                let kind = match puller.kind {
                    DepKind::Normal => "",
                    DepKind::Build => " (build)",
                    DepKind::Dev => " (dev)",
                    DepKind::Unknown => "",
                };
                let line = format!("    {}{kind}", puller.chain.join(" -> "));
                let _ = writeln!(out, "{}", wrap(&line, o.width, 6));
            }
        }
    } else {
        // A binding is a package of its registry, not a crate.
        let label = match t.crates.iter().all(|c| c.source.binding().is_some()) {
            true => "packages",
            false => "crates  ",
        };
        let line = format!("  {label} {}", collapsed(t));
        let _ = writeln!(out, "{}", wrap(&line, o.width, 11));
        let unusual: Vec<String> = sources_summary(&t.crates);
        for s in unusual {
            let _ = writeln!(out, "{}", wrap(&format!("  source   {s}"), o.width, 11));
        }
        if many_lockfiles {
            let mut files: Vec<&str> = t.crates.iter().map(|c| c.lockfile.as_str()).collect();
            files.dedup();
            files.sort_unstable();
            files.dedup();
            let files: Vec<String> = files.iter().map(|f| sanitize(f)).collect();
            let line = format!("  in       {}", files.join(", "));
            let _ = writeln!(out, "{}", wrap(&line, o.width, 11));
        }
    }
    if let Some(day) = t.advisories_unknown_after {
        let line = format!(
            "  security advisories published after {day} are unknown: this line has releases newer than the advisory data"
        );
        let _ = writeln!(out, "{}", wrap(&line, o.width, 11));
    }
    // A Rust version the target needs beyond the workspace's is the msrv-gap
    // finding's to say, once for every train that moves there.
    let lines = t.upgrade.lines();
    for (i, line) in lines.into_iter().enumerate() {
        let head = if i == 0 { "  upgrade  " } else { "           " };
        let _ = writeln!(out, "{}", wrap(&format!("{head}{line}"), o.width, 11));
    }
    if o.verbose {
        let notes: Vec<&String> = t
            .upgrade
            .effort
            .iter()
            .filter(|e| e.option != EffortOption::SteppingStone)
            .flat_map(|e| &e.effort.notes)
            .collect();
        if !notes.is_empty() {
            let _ = writeln!(out, "  release notes to read, in order:");
            for url in notes {
                let _ = writeln!(out, "  {url}");
            }
        }
    }
}

fn status_text(t: &Train, p: Paint) -> String {
    let word = match t.support.status {
        Status::Supported if t.prerelease_only() => "pre-releases only, line supported",
        Status::Supported => "supported",
        Status::Eol => "EOL",
        Status::Unreleased => "unreleased",
    };
    let detail = match (t.support.status, t.support.eol_date, t.support.days_left) {
        (Status::Supported, Some(eol), Some(days)) => phrases::until(eol, days),
        (Status::Eol, Some(eol), Some(days)) => phrases::since(eol, days),
        (Status::Eol, None, _) => "(pre-1.0 releases were never supported)".to_string(),
        (Status::Unreleased, ..) => match t.support.release_date {
            Some(d) => format!("(due {d})"),
            None => String::new(),
        },
        _ => String::new(),
    };
    let projected = if t.support.projected {
        " [projected dates]"
    } else {
        ""
    };
    format!("{} {detail}{projected}", p.status(t.support.status, word))
}

fn collapsed(t: &Train) -> String {
    let Some(first) = t.headline() else {
        return String::new();
    };
    match t.crates.len() - 1 {
        0 => format!("{} {}", first.name, first.version),
        more if t.crates.iter().all(|c| c.source.binding().is_some()) => format!(
            "{} {} + {}",
            first.name,
            first.version,
            count(more, "more package", "more packages")
        ),
        more => format!(
            "{} {} + {}",
            first.name,
            first.version,
            count(more, "more crate", "more crates")
        ),
    }
}

/// One line per source other than crates.io: `12 path crates`, `3 git crates from URL`.
fn sources_summary(crates: &[CrateReport]) -> Vec<String> {
    let mut groups: Vec<(CrateSource, Option<&str>, usize)> = Vec::new();
    for c in crates {
        if c.source == CrateSource::Registry && c.url.is_none() {
            continue;
        }
        let key = (c.source, c.url.as_deref());
        match groups.iter_mut().find(|(s, u, _)| (*s, *u) == key) {
            Some(g) => g.2 += 1,
            None => groups.push((key.0, key.1, 1)),
        }
    }
    groups
        .into_iter()
        .map(|(source, url, n)| {
            if let Some(b) = source.binding() {
                return match url {
                    Some(u) => {
                        format!("{} from {}, not {}", b.project(), sanitize(u), b.registry())
                    }
                    None => format!("{} from {} (`{}`)", b.project(), b.registry(), b.package()),
                };
            }
            let crates = count(n, &format!("{source} crate"), &format!("{source} crates"));
            match url {
                Some(u) => format!("{crates} from {}", sanitize(u)),
                None => crates,
            }
        })
        .collect()
}

fn crate_line(c: &CrateReport, many_lockfiles: bool) -> String {
    let mut s = format!("{} {}", c.name, c.version);
    match &c.url {
        Some(url) => {
            let _ = write!(s, " ({} {})", c.source, sanitize(url));
        }
        None if c.source != CrateSource::Registry => {
            let _ = write!(s, " ({})", c.source);
        }
        None => {}
    }
    if c.inferred {
        s.push_str(" [train inferred from the lockfile]");
    }
    if many_lockfiles {
        let _ = write!(s, " in {}", sanitize(&c.lockfile));
    }
    s
}

fn summary(a: &Audit, p: Paint) -> String {
    let with_status = |s: Status| {
        a.trains
            .iter()
            .filter(|t| t.support.status == s && !(s == Status::Supported && t.prerelease_only()))
            .count()
    };
    let trains = count(a.trains.len(), "train", "trains");
    let mut parts = vec![format!("{} supported", with_status(Status::Supported))];
    let pre = a
        .trains
        .iter()
        .filter(|t| t.support.status == Status::Supported && t.prerelease_only())
        .count();
    if pre > 0 {
        parts.push(format!("{pre} on pre-releases only"));
    }
    let eol = with_status(Status::Eol);
    if eol > 0 {
        parts.push(format!("{eol} EOL"));
    }
    let unreleased = with_status(Status::Unreleased);
    if unreleased > 0 {
        parts.push(format!("{unreleased} unreleased"));
    }
    let r = &a.result;
    let verdict = match r.verdict {
        crate::model::findings::Verdict::Pass => p.status(Status::Supported, "pass"),
        crate::model::findings::Verdict::Fail => p.status(Status::Eol, "fail"),
    };
    format!(
        "{trains} ({}); {}, {}, {}: {verdict}\n",
        parts.join(", "),
        count(r.errors, "error", "errors"),
        count(r.warnings, "warning", "warnings"),
        count(r.notes, "note", "notes"),
    )
}

/// `--quiet`: the error-level findings only, one per paragraph; nothing when
/// there is none. (The machine formats are never abridged.)
pub fn quiet(report: &Audit, color: bool) -> String {
    crate::text::terminal_safe(quiet_unchecked(report, color))
}

fn quiet_unchecked(report: &Audit, color: bool) -> String {
    let paint = Paint { enabled: color };
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.level == Level::Error) {
        let head = format!("{}[{}]", f.level.as_str(), f.code);
        let text = wrap(
            &format!("{head}: {}", sanitize(&f.message)),
            crate::text::WIDTH,
            4,
        );
        let rest = text.strip_prefix(&head).unwrap_or(&text);
        out.push_str(&format!("{}{rest}\n", paint.level(f.level, &head)));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::text::wrap;

    #[test]
    fn wrap_keeps_lines_within_width() {
        let text = "warning[eol]: Wasmtime 27 reached end of life on 2025-01-20 (670 days ago) and gets no security fixes; upgrade to 48 LTS (48.0.0)";
        let w = wrap(text, 40, 4);
        assert!(w.lines().all(|l| l.chars().count() <= 40), "{w}");
        assert!(w.lines().skip(1).all(|l| l.starts_with("    ")));
        assert_eq!(
            w.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
    }
}
