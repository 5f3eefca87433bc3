//! The phrasebook: the sentences the checks' messages and every renderer
//! share (names of trains, counts, day counts, support windows, effort,
//! upgrade advice), so that each is said one way everywhere. Policy is
//! asked, never recomputed here.

use crate::model::advice::{Advice, EffortOption, MoveBy, Now, Target, Upgrade, shown_version};
use crate::model::effort::{Class, Effort};
use crate::model::policy;
use chrono::NaiveDate;

/// `n` and the noun that goes with it: `1 crate`, `2 crates`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `Wasmtime 27`, `Wasmtime 48 LTS`, `Wasmtime 0.x (pre-1.0)`.
pub fn label(major: u32) -> String {
    match (major, policy::is_lts(major)) {
        (0, _) => "Wasmtime 0.x (pre-1.0)".to_string(),
        (m, true) => format!("Wasmtime {m} LTS"),
        (m, false) => format!("Wasmtime {m}"),
    }
}

/// `1 day`, `670 days`, `-3 days`.
pub fn days(days: i64) -> String {
    if days.abs() == 1 {
        format!("{days} day")
    } else {
        format!("{days} days")
    }
}

/// `today`, `in 1 day`, `in 29 days`.
pub fn in_days(n: i64) -> String {
    if n == 0 {
        "today".to_string()
    } else {
        format!("in {}", days(n))
    }
}

/// `until 2026-12-20 (29 days left)`: a supported major's remaining support.
pub fn until(eol: NaiveDate, days_left: i64) -> String {
    // The EOL date is the last supported day.
    if days_left == 0 {
        return format!("until {eol} (its last day)");
    }
    format!("until {eol} ({} left)", days(days_left))
}

/// `after 2026-01-20 (306 days ago)`: how long a major has been out of
/// support; the EOL date is its last supported day.
pub fn since(eol: NaiveDate, days_left: i64) -> String {
    format!("after {eol} ({} ago)", days(-days_left))
}

/// `24 months, LTS` or `2 months`: how long the release policy supports a major.
pub fn support_window(major: u32) -> String {
    let months = policy::support_months(major);
    if policy::is_lts(major) {
        format!("{months} months, LTS")
    } else {
        format!("{months} months")
    }
}

/// `LTS: 24 months, others: 2 months`: the support windows, for legends.
pub fn support_windows() -> String {
    format!(
        "LTS: {} months, others: {} months",
        policy::LTS_SUPPORT_MONTHS,
        policy::NORMAL_SUPPORT_MONTHS
    )
}

/// Where an advisory is fixed for the line in use: `fixed in 36.0.3`, or
/// `no fix in this line`.
pub fn fix(fixed_in: Option<&str>) -> String {
    match fixed_in {
        Some(v) => format!("fixed in {v}"),
        None => "no fix in this line".to_string(),
    }
}

/// [`fix`] for an advisory of `crate_name`'s version: a binding's fixes are
/// Wasmtime's releases, not the binding's (`fixed in Wasmtime 36.0.3`).
pub fn fix_of(crate_name: Option<&str>, fixed_in: Option<&str>) -> String {
    let binding = crate_name.and_then(crate::model::inputs::Binding::from_project);
    match (binding, fixed_in) {
        (Some(_), Some(v)) => format!("fixed in Wasmtime {v}"),
        _ => fix(fixed_in),
    }
}

/// A date, or `later` when the calendar has none.
fn due(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "later".to_string(), |d| d.to_string())
}

/// `48 LTS (48.0.8)`, or `60 LTS` for a target not published yet.
fn lts_with_version(t: &Target) -> String {
    match &t.version {
        Some(v) => format!("{} LTS ({})", t.major, shown_version(t.krate.as_deref(), v)),
        None => format!("{} LTS", t.major),
    }
}

/// `51 (51.0.2)` or `51 once published`.
fn next_month(m: &MoveBy) -> String {
    match &m.next_version {
        Some(v) => format!(
            "{} ({})",
            m.next_major,
            shown_version(m.krate.as_deref(), v)
        ),
        None if m.unresolvable => format!("{} once a release of it resolves", m.next_major),
        None => format!("{} once published", m.next_major),
    }
}

impl Effort {
    /// `49, 50` or `51 to 60`.
    fn unknown_list(&self) -> String {
        match self.unknown_majors.as_slice() {
            [first, .., last] if self.unknown_majors.len() > 3 => format!("{first} to {last}"),
            list => list
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// `macro, 229 changed/removed entries, 325 PRs` or `unknown (no release notes for 49, 50)`.
    pub fn short(&self) -> String {
        match (self.class, self.changed_removed, self.prs) {
            (Class::Unknown, ..) => format!(
                "unknown (no release notes for {} in the data)",
                self.unknown_list()
            ),
            (class, Some(entries), Some(prs)) if !self.majors.is_empty() => {
                format!(
                    "{}, {entries} changed/removed entries, {prs} PRs",
                    class.as_str()
                )
            }
            (class, ..) => class.as_str().to_string(),
        }
    }

    /// `macro: 96 changed/removed entries in the release notes, 130 PRs, 9 majors`.
    pub fn summary(&self) -> String {
        match (self.class, self.changed_removed, self.prs) {
            (Class::Unknown, ..) => {
                format!("unknown: no release-notes data for {}", self.unknown_list())
            }
            (class, Some(entries), Some(prs)) if !self.majors.is_empty() => format!(
                "{}: {} in the release notes, {}, {}",
                class.as_str(),
                count(
                    entries as usize,
                    "changed/removed entry",
                    "changed/removed entries"
                ),
                count(prs, "PR", "PRs"),
                count(self.majors.len(), "major", "majors"),
            ),
            (class, ..) => format!("{}: a patch update, no breaking changes", class.as_str()),
        }
    }
}

impl Upgrade {
    /// The advice as a sentence fragment, for finding messages and `status`.
    pub fn sentence(&self) -> String {
        if let Some(via) = self.via_sentence() {
            return via;
        }
        match &self.advice {
            Advice::OnNewestLts => format!(
                "it is the newest LTS; the next LTS is {}",
                self.next_lts.major
            ),
            Advice::MoveToLts { target, .. } => format!("move to {}", lts_with_version(target)),
            Advice::NextLts { target, back } => {
                let plan = format!(
                    "plan for {} LTS (due {})",
                    target.major,
                    due(Some(target.release_date))
                );
                let back_to = back
                    .as_ref()
                    .map(|b| format!("back to {}", lts_with_version(b)));
                let now = match &self.now {
                    Some(Now::Restore(r)) if back.as_ref().is_some_and(|b| b.major == r.major) => {
                        Some(format!(
                            "restore support now: move back to {} LTS ({})",
                            r.major,
                            shown_version(r.krate.as_deref(), &r.version)
                        ))
                    }
                    Some(Now::Restore(r)) => Some(match &back_to {
                        Some(back) => format!(
                            "restore support now: move to {} ({}) or {back}",
                            r.major,
                            shown_version(r.krate.as_deref(), &r.version)
                        ),
                        None => format!(
                            "restore support now: move to {} ({})",
                            r.major,
                            shown_version(r.krate.as_deref(), &r.version)
                        ),
                    }),
                    Some(Now::MoveBy(m)) => Some(match &back_to {
                        Some(back) => format!("by {} move to {} or {back}", m.date, next_month(m)),
                        None => format!("by {} move to {}", m.date, next_month(m)),
                    }),
                    None => None,
                };
                match (now, back_to) {
                    (Some(now), _) => format!("{now}, then {plan}"),
                    (None, Some(back)) => format!("{plan} or move {back}"),
                    (None, None) => plan,
                }
            }
        }
    }

    /// The advice over several lines, for the terminal: the move, its effort,
    /// the stepping stones; what to do now, then the plan; then what was
    /// left out and why.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = self.advice_lines();
        lines.extend(self.notes.iter().cloned());
        lines
    }

    /// A train the workspace gets only through other crates: the move is
    /// theirs to make.
    fn via_sentence(&self) -> Option<String> {
        let (last, rest) = self.via.split_last()?;
        let list = match rest {
            [] => last.clone(),
            _ => format!("{} and {last}", rest.join(", ")),
        };
        let them = if rest.is_empty() { "it" } else { "them" };
        Some(format!(
            "it comes in through {list}, not as a direct dependency: upgrade {them} to a release built on a supported Wasmtime, or accept it"
        ))
    }

    fn advice_lines(&self) -> Vec<String> {
        if let Some(via) = self.via_sentence() {
            return vec![via];
        }
        let effort_suffix = |e: Option<&Effort>| {
            e.map(|e| format!("; effort: {}", e.short()))
                .unwrap_or_default()
        };
        let projected = |p: bool| if p { " [projected]" } else { "" };
        match &self.advice {
            Advice::OnNewestLts => vec![format!(
                "none needed: this is the newest LTS; the next LTS, {}, is due {}",
                self.next_lts.major,
                due(self.next_lts.release_date)
            )],
            Advice::MoveToLts { path, target } => {
                let version = target
                    .version
                    .as_deref()
                    .map(|v| format!(": {}", shown_version(target.krate.as_deref(), v)))
                    .unwrap_or_default();
                let mut lines = vec![format!(
                    "move to {} LTS{version}, supported until {} ({} up)",
                    target.major,
                    target.eol_date,
                    count(target.majors_crossed as usize, "major", "majors")
                )];
                if let Some(e) = self.effort_of(EffortOption::Target, target.major) {
                    lines.push(format!(
                        "effort: {} (estimated from the release notes)",
                        e.short()
                    ));
                }
                // The LTS is out of reach (needs a newer Rust, does not
                // resolve): what restores support instead.
                if let Some(Now::Restore(r)) = &self.now
                    && (target.version.is_none() || r.major != target.major)
                {
                    let e = self.effort.iter().find(|e| e.effort.to == r.major);
                    lines.push(format!(
                        "what fits now: {}{} ({}), supported until {}{}",
                        r.major,
                        if policy::is_lts(r.major) { " LTS" } else { "" },
                        shown_version(r.krate.as_deref(), &r.version),
                        r.eol_date,
                        effort_suffix(e.map(|e| &e.effort))
                    ));
                }
                if let [stones @ .., _] = path.as_slice()
                    && !stones.is_empty()
                {
                    let all: Vec<String> = path.iter().map(|m| m.to_string()).collect();
                    lines.push(format!("LTS stepping stones: {}", all.join(" -> ")));
                    for &stone in stones {
                        if let Some(e) = self.effort_of(EffortOption::SteppingStone, stone) {
                            lines.push(format!("to {stone} LTS first: {}", e.short()));
                        }
                    }
                }
                lines
            }
            Advice::NextLts { target, back } => {
                let plan = format!("plan for {} LTS, due {}", target.major, target.release_date);
                let back_line = |lead: &str| {
                    back.as_ref().map(|b| {
                        format!(
                            "{lead} {} LTS{}, supported until {}{}{}",
                            b.major,
                            b.version
                                .as_deref()
                                .map(|v| format!(": {}", shown_version(b.krate.as_deref(), v)))
                                .unwrap_or_default(),
                            b.eol_date,
                            projected(b.projected),
                            effort_suffix(self.effort_of(EffortOption::MoveBack, b.major))
                        )
                    })
                };
                let mut lines = Vec::new();
                match &self.now {
                    Some(Now::Restore(r)) if back.as_ref().is_some_and(|b| b.major == r.major) => {
                        lines.extend(back_line("restore support now: move back to"));
                        lines.push(format!("then {plan}"));
                    }
                    Some(Now::Restore(r)) => {
                        let e = self.effort.iter().find(|e| e.effort.to == r.major);
                        lines.push(format!(
                            "restore support now: move to {} ({}), supported until {}{}",
                            r.major,
                            shown_version(r.krate.as_deref(), &r.version),
                            r.eol_date,
                            effort_suffix(e.map(|e| &e.effort))
                        ));
                        lines.extend(back_line("or back to"));
                        lines.push(format!("then {plan}"));
                    }
                    Some(Now::MoveBy(m)) => {
                        let next = match &m.next_version {
                            Some(_) => next_month(m),
                            None if m.unresolvable => next_month(m),
                            None => format!(
                                "{} once published (due {}{})",
                                m.next_major,
                                m.next_release_date,
                                if m.next_late { ", late" } else { "" }
                            ),
                        };
                        lines.push(format!(
                            "supported only until {}: by then move to {next}",
                            m.date
                        ));
                        lines.extend(back_line("or back to"));
                        lines.push(format!("then {plan}"));
                    }
                    None => {
                        lines.push(plan);
                        lines.extend(back_line("or move back to"));
                    }
                }
                if let Some(e) = self.effort_of(EffortOption::Target, target.major) {
                    lines.push(format!("effort of {} LTS: {}", target.major, e.short()));
                }
                lines
            }
        }
    }
}
