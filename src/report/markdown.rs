//! `--format markdown`: a report for pull-request comments and release
//! checklists (and the GitHub step summary): a table of trains, the findings
//! and a checklist of actions.

use crate::check::audit::Audit;
use crate::model::advice::{Advice, EffortOption, Now};
use crate::model::findings::{Code, Verdict};
use crate::model::phrases::{self, count};
use crate::model::policy::Status;
use crate::model::train::Train;
use std::fmt::Write;

pub fn render(a: &Audit) -> String {
    let mut out = String::from("## Wasmtime support\n\n");
    let files: Vec<String> = a
        .lockfiles
        .iter()
        .map(|l| match l.kind.is_cargo() {
            true => format!("`{}`", code_span(&l.path)),
            false => format!("`{}` ({})", code_span(&l.path), l.kind.describe()),
        })
        .collect();
    let _ = writeln!(
        out,
        "Audit of {} as of **{}** (facts: {}).\n",
        files.join(", "),
        a.as_of,
        a.data.summary()
    );
    for u in &a.unreadable {
        let _ = writeln!(out, "**Not audited**: {}\n", escape(&u.error));
    }
    if a.trains.is_empty() {
        out.push_str(
            match a
                .findings
                .iter()
                .any(|f| f.code == Code::UnrecognizedVersion)
            {
                true => "No Wasmtime release train found.\n\n",
                false => "No Wasmtime crates found.\n\n",
            },
        );
    } else {
        out.push_str(
            "| Train | Status | EOL date | Days left | Upgrade target | Effort | Crates |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|\n");
        for t in &a.trains {
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} | {} | {} | {} |",
                escape(&t.label()),
                if t.dev_only { " (dev only)" } else { "" },
                status_cell(t),
                t.support
                    .eol_date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "never supported".into()),
                t.support
                    .days_left
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                target_cell(t),
                effort_cell(t),
                crates_cell(t),
            );
        }
        out.push('\n');
    }

    if !a.findings.is_empty() {
        out.push_str("### Findings\n\n");
        for f in &a.findings {
            let _ = writeln!(
                out,
                "- **{}** `{}`: {}",
                f.level.as_str(),
                f.code,
                escape(&f.message)
            );
            if f.code == Code::Vulnerable && f.advisories.len() > 1 {
                for adv in &f.advisories {
                    let fix = phrases::fix_of(
                        f.crate_name.as_deref(),
                        adv.fixed_in.as_deref().map(escape).as_deref(),
                    );
                    let _ = writeln!(
                        out,
                        "  - {} ({fix}): {}",
                        escape(&adv.id),
                        escape(&adv.title)
                    );
                }
            }
        }
        out.push('\n');
    }
    if !a.ignored.is_empty() {
        out.push_str("### Ignored\n\n");
        for i in &a.ignored {
            let _ = writeln!(
                out,
                "- `{}` for {}: {}",
                i.code,
                i.subject(escape),
                escape(&i.reason)
            );
        }
        out.push('\n');
    }

    out.push_str("### Checklist\n\n");
    for item in checklist(a) {
        out.push_str(&item);
        out.push('\n');
    }
    let r = &a.result;
    let verdict = match r.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
    };
    let _ = writeln!(
        out,
        "\n**Result: {verdict}** ({}, {}, {})",
        count(r.errors, "error", "errors"),
        count(r.warnings, "warning", "warnings"),
        count(r.notes, "note", "notes")
    );
    out
}

fn status_cell(t: &Train) -> String {
    match t.support.status {
        Status::Supported if t.prerelease_only() => "🟡 pre-releases only (line supported)".into(),
        Status::Supported if t.support.lts => "🟢 supported (LTS)".into(),
        Status::Supported => "🟢 supported".into(),
        Status::Eol => "🔴 EOL".into(),
        Status::Unreleased => "🟡 unreleased".into(),
    }
}

fn target_cell(t: &Train) -> String {
    let u = &t.upgrade;
    match &u.advice {
        Advice::OnNewestLts => format!("none (next LTS: {})", u.next_lts.major),
        Advice::MoveToLts { target, .. } => lts_version(target.major, target.version.as_deref()),
        Advice::NextLts { target, back } => match back {
            Some(back) => format!(
                "{} LTS when released, or back to {}",
                target.major,
                lts_version(back.major, back.version.as_deref())
            ),
            None => format!("{} LTS when released", target.major),
        },
    }
}

/// `48 LTS (48.0.8)`, or `48 LTS` when no release of it is published.
fn lts_version(major: u32, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{major} LTS ({v})"),
        None => format!("{major} LTS"),
    }
}

fn effort_cell(t: &Train) -> String {
    t.upgrade
        .effort
        .iter()
        .find(|e| e.option == EffortOption::Target)
        .map(|e| e.effort.short())
        .unwrap_or_else(|| "-".into())
}

fn crates_cell(t: &Train) -> String {
    match t.headline() {
        Some(c) if t.crates.len() > 1 => format!(
            "{} {} + {} more",
            escape(&c.name),
            c.version,
            t.crates.len() - 1
        ),
        Some(c) => format!("{} {}", escape(&c.name), c.version),
        None => "-".into(),
    }
}

fn checklist(a: &Audit) -> Vec<String> {
    let mut items = Vec::new();
    // A patch update that fixes advisories comes first: no breaking changes.
    for f in a
        .findings
        .iter()
        .filter(|f| f.code == Code::OutdatedPatch && !f.advisories.is_empty())
    {
        let (Some(major), Some(newest)) = (
            f.major,
            f.major
                .and_then(|m| a.trains.iter().find(|t| t.support.major == m))
                .and_then(|t| t.newest_patch.as_ref()),
        ) else {
            continue;
        };
        let n = f.advisories.len();
        items.push(format!(
            "- [ ] Update {} to {newest} (a patch update that fixes {})",
            escape(&phrases::label(major)),
            count(n, "security advisory", "security advisories")
        ));
    }
    for t in &a.trains {
        let label = escape(&t.label());
        let u = &t.upgrade;
        let supported = t.support.status == Status::Supported;
        let eol = t
            .support
            .eol_date
            .map(|d| d.to_string())
            .unwrap_or_default();
        let item = match (&u.advice, &u.now) {
            _ if !u.via.is_empty() => format!(
                "- [ ] {label} comes in through {}: upgrade it to a release built on a supported Wasmtime, or accept it",
                u.via
                    .iter()
                    .map(|v| format!("`{}`", escape(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (Advice::OnNewestLts, _) if supported => {
                format!("- [x] {label} is supported until {eol}")
            }
            (Advice::OnNewestLts, _) => format!("- [ ] Replace {label}: it is not supported"),
            (Advice::MoveToLts { target, .. }, _) if supported => format!(
                "- [ ] Move {label} to {} before its support ends on {eol}",
                lts_version(target.major, target.version.as_deref())
            ),
            (Advice::MoveToLts { path, target }, _) => format!(
                "- [ ] Move {label} to {}{}",
                lts_version(target.major, target.version.as_deref()),
                if path.len() > 1 {
                    let path: Vec<String> = path.iter().map(|m| m.to_string()).collect();
                    format!(", through {}", path.join(" → "))
                } else {
                    String::new()
                }
            ),
            (Advice::NextLts { target, back }, now) => {
                let m = target.major;
                let due = target.release_date;
                let back_to = back
                    .as_ref()
                    .map(|b| format!(" or back to {}", lts_version(b.major, b.version.as_deref())))
                    .unwrap_or_default();
                match now {
                    Some(Now::Restore(r)) if back.as_ref().is_some_and(|b| b.major == r.major) => {
                        format!(
                            "- [ ] Restore support for {label} now: move back to {} LTS ({}); then plan the move to {m} LTS (due {due})",
                            r.major, r.version
                        )
                    }
                    Some(Now::Restore(r)) => format!(
                        "- [ ] Restore support for {label} now: move to {} ({}){back_to}; then plan the move to {m} LTS (due {due})",
                        r.major, r.version
                    ),
                    Some(Now::MoveBy(by)) => format!(
                        "- [ ] Move {label} by {} to {}{back_to} (its support ends before {m} LTS is due {due})",
                        by.date,
                        match &by.next_version {
                            Some(v) => format!("{} ({v})", by.next_major),
                            None => format!("{} once published", by.next_major),
                        }
                    ),
                    None => match back {
                        Some(b) => format!(
                            "- [ ] Plan {label}'s move to {m} LTS (due {due}) or back to {}",
                            lts_version(b.major, b.version.as_deref())
                        ),
                        None => format!("- [ ] Plan {label}'s move to {m} LTS"),
                    },
                }
            }
        };
        items.push(item);
    }
    let direct = a.trains.iter().filter(|t| t.upgrade.via.is_empty()).count();
    if direct > 1 && a.findings.iter().any(|f| f.code == Code::MultipleTrains) {
        items.push("- [ ] Settle on one Wasmtime major per lockfile".into());
    }
    if let Some(through) = a.supported_through {
        let ok = !a.findings.iter().any(|f| f.code == Code::UnsupportedOn);
        let mark = if ok { "x" } else { " " };
        items.push(format!(
            "- [{mark}] Every Wasmtime train is supported through {through}"
        ));
    }
    let notes: Vec<&str> = a
        .trains
        .iter()
        .flat_map(|t| &t.upgrade.effort)
        .filter(|e| e.option == EffortOption::Target)
        .flat_map(|e| e.effort.notes.iter().map(String::as_str))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !notes.is_empty() {
        items.push(format!(
            "- [ ] Read the release notes of the {} crossed (effort estimated from them)",
            count(notes.len(), "major", "majors")
        ));
    }
    if items.is_empty() {
        items.push("- [x] Nothing to do".into());
    }
    items
}

/// Backslash-escapes Markdown syntax in untrusted text and keeps it on one line.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '(' | ')' | '#' | '+'
            | '!' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c if crate::text::is_invisible_format(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span: backticks and newlines cannot end it early.
fn code_span(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '`' || c.is_control() || crate::text::is_invisible_format(c) {
                '\''
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markdown_syntax_and_newlines_are_neutralised() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(
            escape("a\u{202e}b"),
            "a\\u{202e}b",
            "bidi override made visible"
        );
        assert_eq!(
            escape("[x](http://e) <img>"),
            "\\[x\\]\\(http://e\\) \\<img\\>"
        );
        assert_eq!(escape("line\n## heading"), "line \\#\\# heading");
    }
}
