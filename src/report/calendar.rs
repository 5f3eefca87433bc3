//! `calendar`: the release trains as a Gantt chart (like Wasmtime's release
//! documentation), plus JSON rows and a Markdown table.

use super::markdown::escape;
use super::paint::Paint;
use crate::check::calendar::{Calendar, Row};
use crate::model::phrases;
use crate::model::policy::Status;
use crate::text::sanitize;
use chrono::{Datelike, Months, NaiveDate};
use owo_colors::Style;
use std::fmt::Write;

#[derive(Debug, Clone, Copy)]
pub struct ChartOptions {
    /// Total width in columns (80 at least).
    pub width: usize,
    /// Block characters; otherwise plain ASCII.
    pub unicode: bool,
    pub paint: Paint,
}

const LABEL: usize = 10;
const NOTE: usize = 18;

/// Maps dates to bar columns.
pub struct Layout {
    pub start: NaiveDate,
    pub days: i64,
    pub columns: usize,
}

impl Layout {
    pub fn new(c: &Calendar, width: usize) -> Layout {
        Layout {
            start: c.start,
            days: (c.end - c.start).num_days() + 1,
            columns: width.saturating_sub(LABEL + NOTE).max(20),
        }
    }

    /// The column holding `date`, if it is inside the window.
    pub fn col(&self, date: NaiveDate) -> Option<usize> {
        let day = (date - self.start).num_days();
        (0..self.days)
            .contains(&day)
            .then(|| (day * self.columns as i64 / self.days) as usize)
    }

    /// The columns a bar from `from` to `to` covers (clipped to the window).
    pub fn span(&self, from: NaiveDate, to: NaiveDate) -> Option<(usize, usize)> {
        let end = self.start + chrono::Days::new(self.days as u64 - 1);
        if to < self.start || from > end {
            return None;
        }
        let first = self.col(from.max(self.start))?;
        let last = self.col(to.min(end))?;
        Some((first, last))
    }
}

pub fn render(c: &Calendar, o: &ChartOptions) -> String {
    crate::text::terminal_safe(render_unchecked(c, o))
}

fn render_unchecked(c: &Calendar, o: &ChartOptions) -> String {
    let p = o.paint;
    let layout = Layout::new(c, o.width);
    let (bar, today_mark, today_head, more_left, more_right) = if o.unicode {
        ("█", "│", "▼", "◀", "▶")
    } else {
        ("#", "|", "v", "<", ">")
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} to {}",
        p.bold("Wasmtime release calendar"),
        c.start.format("%Y-%m"),
        c.end.format("%Y-%m"),
    );
    let facts = format!("facts: {}", c.data.summary());
    let _ = writeln!(out, "{}", p.dim(&crate::text::wrap(&facts, o.width, 4)));
    out.push('\n');

    // Axis: years, months, and today's marker.
    let mut years = vec![' '; layout.columns];
    let mut months = vec![' '; layout.columns];
    let per_month = layout.columns as f64 * 30.4 / layout.days as f64;
    let step = (4.0 / per_month).ceil().max(1.0) as u32;
    let mut month = c.start;
    let mut index = 0u32;
    while month <= c.end {
        if let Some(col) = layout.col(month) {
            if index % step == 0 {
                put(&mut months, col, &month.format("%b").to_string());
            }
            if month.month() == 1 || index == 0 {
                put(&mut years, col, &month.year().to_string());
            }
        }
        index += 1;
        month = match month.checked_add_months(Months::new(1)) {
            Some(m) => m,
            None => break,
        };
    }
    let today = layout.col(c.as_of);
    let mut marker = vec![' '; layout.columns];
    if let Some(col) = today {
        put(&mut marker, col.saturating_sub(0), today_head);
        let text = format!(" today {}", c.as_of);
        if col + 1 + text.len() <= layout.columns {
            put(&mut marker, col + 1, &text);
        } else if col >= text.len() {
            put(&mut marker, col - text.len(), text.trim_start());
        }
    }
    let pad = " ".repeat(LABEL);
    let _ = writeln!(
        out,
        "{pad}{}",
        p.dim(years.iter().collect::<String>().trim_end())
    );
    let _ = writeln!(
        out,
        "{pad}{}",
        p.dim(months.iter().collect::<String>().trim_end())
    );
    let _ = writeln!(out, "{pad}{}", marker.iter().collect::<String>().trim_end());

    for row in &c.rows {
        let label = format!(
            "{}{:>3}{}",
            if row.used.is_some() {
                format!("{more_right} ")
            } else {
                "  ".to_string()
            },
            row.major,
            if row.lts { " LTS" } else { "" }
        );
        let label = format!("{label:<LABEL$}");
        let label = if row.used.is_some() {
            p.bold(&label)
        } else {
            label
        };
        // Each cell is a character and whether it is the bar, the today mark or blank.
        let mut cells: Vec<(&str, Cell)> = vec![(" ", Cell::Blank); layout.columns];
        if let Some(col) = today {
            cells[col] = (today_mark, Cell::Today);
        }
        match layout.span(row.release, row.eol) {
            Some((first, last)) => cells[first..=last].fill((bar, Cell::Bar)),
            None if row.eol < c.start => cells[0] = (more_left, Cell::Bar),
            None => cells[layout.columns - 1] = (more_right, Cell::Bar),
        }
        let style = bar_style(row);
        let mut line = String::new();
        for run in cells.chunk_by(|a, b| a.1 == b.1) {
            let text: String = run.iter().map(|(ch, _)| *ch).collect();
            line.push_str(&match run[0].1 {
                Cell::Bar => p.style(&text, style),
                Cell::Today => p.dim(&text),
                Cell::Blank => text,
            });
        }
        let mut note = match row.status {
            Status::Eol => format!("EOL {}", row.eol),
            Status::Unreleased => format!("from {}", row.release),
            _ => format!("until {}", row.eol),
        };
        if row.projected {
            note.push('*');
        }
        let _ = writeln!(out, "{label}{line} {note}");
    }

    out.push('\n');
    let _ = writeln!(
        out,
        "{}",
        p.dim(&format!(
            "{bar} supported, release to end of life   {today_mark} today   {}",
            phrases::support_windows()
        ))
    );
    if c.rows.iter().any(|r| r.projected) {
        let _ = writeln!(
            out,
            "{}",
            p.dim("* projected: dates from the release policy, not yet in the data")
        );
    }
    let used: Vec<String> = c
        .rows
        .iter()
        .filter_map(|r| {
            r.used
                .as_ref()
                .map(|u| format!("{} ({})", r.major, sanitize(u)))
        })
        .collect();
    if !used.is_empty() {
        let line = format!("{more_right} used by this project: {}", used.join(", "));
        let _ = writeln!(out, "{}", crate::text::wrap(&line, crate::text::WIDTH, 2));
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Blank,
    Bar,
    Today,
}

fn bar_style(row: &Row) -> Style {
    let base = match row.status {
        Status::Supported => Style::new().green(),
        Status::Eol => Style::new().red(),
        Status::Unreleased => Style::new().blue(),
    };
    if row.used.is_some() {
        base.bold()
    } else {
        base
    }
}

fn put(line: &mut [char], col: usize, text: &str) {
    for (i, ch) in text.chars().enumerate() {
        if let Some(cell) = line.get_mut(col + i) {
            *cell = ch;
        }
    }
}

pub fn markdown(c: &Calendar) -> String {
    let mut out = format!(
        "## Wasmtime release calendar\n\n{} to {}, as of **{}** (facts: {}).\n\n",
        c.start,
        c.end,
        c.as_of,
        c.data.summary()
    );
    out.push_str("| Major | LTS | Branch | Release | End of life | Status | Used |\n|---|---|---|---|---|---|---|\n");
    for r in &c.rows {
        let _ = writeln!(
            out,
            "| {}{} | {} | {} | {} | {} | {} | {} |",
            r.major,
            if r.projected { " (projected)" } else { "" },
            if r.lts { "yes" } else { "no" },
            r.branch_date,
            r.release,
            r.eol,
            r.status.as_str(),
            r.used.as_deref().map(escape).unwrap_or_default()
        );
    }
    out.push('\n');
    out.push_str(&mermaid(c));
    out
}

/// The calendar as a Mermaid `gantt` block (GitHub renders it in comments
/// and job summaries), over the window asked for: bars are cut to it, and a
/// bar that runs on says its true end in its name. The evaluated date is a
/// milestone (Mermaid's own today marker would show the reader's today, not
/// the report's), named in words: the gantt grammar reads any name shaped
/// like a date as a date. Mermaid's task classes are used for their look in
/// its default theme: the project's trains stand out (`crit`), supported
/// releases are the strong default bars, projected ones the light `active`
/// bars, ended ones grey (`done`).
pub fn mermaid(c: &Calendar) -> String {
    let mut out = String::from("```mermaid\ngantt\n");
    let _ = writeln!(out, "    title Wasmtime release trains as of {}", c.as_of);
    out.push_str("    dateFormat YYYY-MM-DD\n    axisFormat %Y-%m\n    todayMarker off\n");
    out.push_str("    section Report date\n");
    let _ = writeln!(
        out,
        "    as of this report :milestone, today, {}, 0d",
        c.as_of
    );
    out.push_str("    section Trains\n");
    for r in &c.rows {
        let mut name = format!("{}{}", r.major, if r.lts { " LTS" } else { "" });
        if r.used.is_some() {
            name.push_str(" (this project)");
        }
        if r.eol < c.start || r.release > c.end {
            // Outside the window, only the project's own: a mark at its edge.
            if r.used.is_some() {
                let (verb, day, at) = if r.eol < c.start {
                    ("ended", r.eol, c.start)
                } else {
                    ("due", r.release, c.end)
                };
                let _ = writeln!(
                    out,
                    "    {name} {verb} {} :crit, milestone, w{}, {at}, 0d",
                    month_of(day),
                    r.major
                );
            }
            continue;
        }
        if r.projected {
            name.push_str(" (projected)");
        }
        let (from, to) = (r.release.max(c.start), r.eol.min(c.end));
        if r.release < c.start {
            let _ = write!(name, " from {}", month_of(r.release));
        }
        if r.eol > c.end {
            let _ = write!(name, " until {}", month_of(r.eol));
        }
        let mut tags = Vec::new();
        if r.used.is_some() {
            tags.push("crit");
        }
        match r.status {
            Status::Eol => tags.push("done"),
            Status::Supported if !r.projected => {}
            Status::Supported | Status::Unreleased => tags.push("active"),
        }
        tags.push("");
        let _ = writeln!(
            out,
            "    {name} :{}w{}, {from}, {to}",
            tags.join(", "),
            r.major,
        );
    }
    out.push_str("```\n");
    out
}

/// `2028-08`: a month in words a gantt name may carry (a whole date would
/// be read as one).
fn month_of(d: NaiveDate) -> String {
    d.format("%b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::calendar::calendar;
    use crate::model::data::Data;
    use std::collections::BTreeMap;

    #[test]
    fn bars_follow_the_policy_dates() {
        let data = Data::embedded().unwrap();
        let c = calendar(&data, "2026-11-21".parse().unwrap(), 12, &BTreeMap::new());
        let o = ChartOptions {
            width: 80,
            unicode: false,
            paint: Paint::PLAIN,
        };
        let chart = render(&c, &o);
        let layout = Layout::new(&c, 80);
        assert_eq!(layout.columns, 52);
        for row in &c.rows {
            let line = chart
                .lines()
                .find(|l| {
                    l.get(..LABEL).is_some_and(|label| {
                        label.trim()
                            == format!("{}{}", row.major, if row.lts { " LTS" } else { "" })
                    })
                })
                .unwrap_or_else(|| panic!("no row for {}", row.major));
            assert!(line.chars().count() <= 80, "{line}");
            let bar: String = line.chars().skip(LABEL).take(layout.columns).collect();
            let filled: Vec<usize> = bar
                .char_indices()
                .filter(|(_, ch)| *ch == '#')
                .map(|(i, _)| i)
                .collect();
            match layout.span(row.release, row.eol) {
                Some((first, last)) => assert_eq!(
                    filled,
                    (first..=last).collect::<Vec<_>>(),
                    "row {}",
                    row.major
                ),
                None => assert!(filled.is_empty()),
            }
        }
        // 49: released 2026-09-20, EOL 2026-11-20, in a 579-day window of 52 columns.
        let c49 = layout
            .span("2026-09-20".parse().unwrap(), "2026-11-20".parse().unwrap())
            .unwrap();
        assert_eq!(c49, ((142 * 52 / 579) as usize, (203 * 52 / 579) as usize));
        // An LTS bar runs to the window's end; 24 months vs 2 months.
        let lts48 = c.rows.iter().find(|r| r.major == 48).unwrap();
        assert_eq!(
            layout.span(lts48.release, lts48.eol).unwrap().1,
            51,
            "48 LTS runs past the window"
        );
    }
}
