//! `status <SPEC>` in the terminal and as Markdown.

use super::paint::Paint;
use crate::check::status::StatusReport;
use crate::model::advice::EffortOption;
use crate::model::phrases::{self, label};
use crate::model::policy::Status;
use crate::text::WIDTH;
use std::fmt::Write;

pub fn render(r: &StatusReport, p: Paint) -> String {
    crate::text::terminal_safe(render_unchecked(r, p))
}

fn render_unchecked(r: &StatusReport, p: Paint) -> String {
    let mut out = String::new();
    let what = match (&r.crate_name, &r.version) {
        (Some(name), Some(v)) => format!("{} {v}: ", crate::text::sanitize(name)),
        _ => String::new(),
    };
    let _ = writeln!(out, "{what}{}", p.bold(&label(r.support.major)));
    let status = match (r.support.status, r.support.eol_date, r.support.days_left) {
        (Status::Supported, Some(eol), Some(days)) => {
            format!("supported {}", phrases::until(eol, days))
        }
        (Status::Eol, Some(eol), Some(days)) => format!("EOL {}", phrases::since(eol, days)),
        // The `data` line below says when it was due and what the facts know.
        (Status::Unreleased, ..) => "not released yet".to_string(),
        _ => r.support.status.as_str().to_string(),
    };
    let _ = writeln!(
        out,
        "  status     on {}: {}",
        r.as_of,
        p.status(r.support.status, &status)
    );
    if let (true, Some(v)) = (r.prerelease, &r.version) {
        let line = format!(
            "  pre        {v} is a pre-release, never supported itself; judged as {}.{}.{} for advisories",
            v.major, v.minor, v.patch
        );
        let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    }
    if let (Some(branch), Some(release)) = (r.branch_date, r.support.release_date) {
        let published = r
            .published
            .filter(|d| *d != release)
            .map(|d| format!(", published {d}"))
            .unwrap_or_default();
        let label = if r.support.status == Status::Unreleased {
            "due     "
        } else {
            "released"
        };
        let _ = writeln!(out, "  {label}   {release} (branched {branch}{published})");
    }
    if let Some(eol) = r.support.eol_date {
        let _ = writeln!(
            out,
            "  support    until {eol} ({})",
            phrases::support_window(r.support.major)
        );
    }
    if r.support.projected {
        let line = format!(
            "  data       dates projected from the policy: {}",
            r.publication
        );
        let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    }
    if let Some(rust) = &r.rust_version {
        let _ = writeln!(out, "  rust       {rust} or newer");
    }
    if let Some(newest) = &r.newest_patch {
        let own = match (&r.crate_name, &r.newest_crate_version) {
            (Some(name), Some(v)) if name != "wasmtime" => {
                format!(" ({} {v})", crate::text::sanitize(name))
            }
            _ => String::new(),
        };
        let behind = match &r.version {
            Some(v)
                if v.pre.is_empty() && r.newest_crate_version.as_ref().is_some_and(|n| n > v) =>
            {
                " - a patch update, no breaking changes"
            }
            _ => "",
        };
        let line = format!("  newest     {newest}{own}{behind}");
        let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    }
    if let Some(why) = &r.newest_blocked {
        let lead = if r.newest_patch.is_some() {
            "          "
        } else {
            "newest    "
        };
        let line = format!("  {lead} {}", crate::text::sanitize(why));
        let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    }
    if r.published_known == Some(false) {
        let why = if r.newer_than_known {
            "newer than every release the facts know: unreleased, or the facts are old (`cargo wasmtime-support refresh`)"
        } else {
            "no source knows this version to be published"
        };
        let line = format!("  {}", p.status(Status::Eol, &format!("unknown    {why}")));
        let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    }
    if r.yanked {
        let _ = writeln!(
            out,
            "  {}",
            p.status(Status::Eol, "yanked from the registry")
        );
    }
    if !r.advisories.is_empty() {
        let _ = writeln!(
            out,
            "  advisories {} affect this version:",
            r.advisories.len()
        );
        for a in &r.advisories {
            let fix = phrases::fix(a.fixed_in.as_deref());
            let line = format!(
                "    {} ({fix}): {}",
                crate::text::sanitize(&a.id),
                crate::text::sanitize(&a.title)
            );
            let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 6));
        }
    }
    if let Some(day) = r.advisories_unknown_after {
        let mut line = format!(
            "  advisories {} after {day}: the advisory data is older than this version or its newer patches",
            if r.advisories.is_empty() {
                "unknown"
            } else {
                "others unknown"
            }
        );
        if !r.patched_together.is_empty() {
            let others: Vec<String> = r.patched_together.iter().map(|v| v.to_string()).collect();
            line.push_str(&format!(
                "; the newest patch came out the same day as {}, as security releases do",
                others.join(", ")
            ));
        }
        let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    } else if r.advisories.is_empty() && r.version.is_some() {
        let _ = writeln!(out, "  advisories none known for this version");
    }
    let advice = match (
        r.support.status,
        crate::model::policy::newest_released_lts(r.as_of),
    ) {
        // Nothing to move from yet: what a project would use today instead.
        (Status::Unreleased, Some(lts)) => {
            format!("not released yet; the newest released LTS is {lts}")
        }
        _ => r.upgrade.sentence(),
    };
    let line = format!("  upgrade    {advice}");
    let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    for note in r
        .upgrade
        .notes
        .iter()
        .filter(|n| r.newest_blocked.as_ref() != Some(*n))
    {
        let line = format!("             {}", crate::text::sanitize(note));
        let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    }
    let facts = format!("  facts      {}", r.data.summary());
    let facts = crate::text::wrap(&facts, WIDTH, 13);
    if r.upgrade.path().len() > 1 {
        let path: Vec<String> = r.upgrade.path().iter().map(|m| m.to_string()).collect();
        let _ = writeln!(
            out,
            "             LTS stepping stones: {}",
            path.join(" -> ")
        );
    }
    for e in &r.upgrade.effort {
        let what = match e.option {
            EffortOption::MoveBack => format!("back to {}", e.effort.to),
            EffortOption::Restore => format!("to {} (restores support)", e.effort.to),
            _ => format!("to {}", e.effort.to),
        };
        let line = format!("  effort     {what}: {}", e.effort.short());
        let _ = writeln!(out, "{}", crate::text::wrap(&line, WIDTH, 13));
    }
    let _ = writeln!(out, "{}", p.dim(&facts));
    out
}
