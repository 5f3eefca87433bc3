//! Upgrade effort in effort-based versioning (EffVer) terms, estimated from
//! the release notes: how many Changed and Removed entries (and the distinct
//! PRs behind them) lie between two trains.
//!
//! Classes: `micro` when nothing needs changing (a patch update within a line,
//! or majors whose notes change or remove nothing); `meso` up to the upper
//! quartile of one major's Changed+Removed count (a typical single-major
//! upgrade); `macro` beyond it. The quartiles come from the data (majors 25 to
//! the newest, by the (n+1)p rule). Majors without notes make the effort
//! `unknown`, never zero.

use crate::model::data::Data;
use crate::model::effort::{Class, Effort};
use serde::Serialize;
use std::collections::BTreeSet;

/// The first major of the reference sample: the current monthly cadence and
/// notes format (the sample runs to the newest major with notes).
pub const REFERENCE_FROM: u32 = 25;

/// Quartiles of one major's Changed+Removed count over the reference majors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
}

pub fn thresholds(data: &Data) -> Thresholds {
    let mut counts: Vec<f64> = data
        .release_notes
        .range(REFERENCE_FROM..)
        .map(|(_, n)| f64::from(n.changed + n.removed))
        .collect();
    counts.sort_by(f64::total_cmp);
    Thresholds {
        q1: quantile(&counts, 0.25),
        median: quantile(&counts, 0.5),
        q3: quantile(&counts, 0.75),
    }
}

/// The (n+1)p quantile of sorted values, interpolated, clamped to the ends.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
        return 0.0;
    };
    let pos = p * (sorted.len() as f64 + 1.0);
    if pos <= 1.0 {
        return *first;
    }
    if pos >= sorted.len() as f64 {
        return *last;
    }
    let i = pos.floor() as usize;
    let frac = pos - pos.floor();
    sorted[i - 1] + frac * (sorted[i] - sorted[i - 1])
}

pub fn classify(changed_removed: u32, t: &Thresholds) -> Class {
    if changed_removed == 0 {
        Class::Micro
    } else if f64::from(changed_removed) <= t.q3 {
        Class::Meso
    } else {
        Class::Macro
    }
}

/// The effort of moving from train `from` to train `to` (either direction:
/// moving back undoes the same majors' changes).
pub fn effort(data: &Data, from: u32, to: u32) -> Effort {
    let (low, high) = (from.min(to), from.max(to));
    let majors: Vec<u32> = (low + 1..=high)
        .map(|m| m.max(1))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut unknown_majors = Vec::new();
    let mut total = 0;
    let mut prs = BTreeSet::new();
    let mut notes = Vec::new();
    for &m in &majors {
        match data.release_notes.get(&m) {
            Some(n) => {
                total += n.changed + n.removed;
                prs.extend(n.changed_prs.iter().chain(&n.removed_prs).copied());
                notes.push(n.url.clone());
            }
            None => unknown_majors.push(m),
        }
    }
    let known = unknown_majors.is_empty();
    Effort {
        from,
        to,
        class: if known {
            classify(total, &thresholds(data))
        } else {
            Class::Unknown
        },
        majors,
        changed_removed: known.then_some(total),
        prs: known.then_some(prs.len()),
        notes,
        unknown_majors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Data {
        Data::embedded().unwrap()
    }

    #[test]
    fn thresholds_from_the_data() {
        let d = data();
        let t = thresholds(&d);
        assert!(t.q1 <= t.median && t.median <= t.q3, "{t:?}");
        // The quartiles split the reference majors as quartiles do.
        let counts: Vec<f64> = d
            .release_notes
            .range(REFERENCE_FROM..)
            .map(|(_, n)| f64::from(n.changed + n.removed))
            .collect();
        let share = |f: &dyn Fn(f64) -> bool| {
            counts.iter().filter(|&&c| f(c)).count() as f64 / counts.len() as f64
        };
        assert!(share(&|c| c <= t.q3) >= 0.7, "{t:?} {counts:?}");
        assert!(share(&|c| c >= t.q1) >= 0.7, "{t:?} {counts:?}");
        // With the (n+1)p rule on four values 1, 2, 3, 4: 1.25, 2.5, 3.75.
        let four = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            (
                quantile(&four, 0.25),
                quantile(&four, 0.5),
                quantile(&four, 0.75)
            ),
            (1.25, 2.5, 3.75)
        );
    }

    #[test]
    fn known_paths_sum_the_notes() {
        let d = data();
        let e = effort(&d, 27, 36);
        assert_eq!(e.majors, (28..=36).collect::<Vec<_>>());
        assert_eq!(
            (e.changed_removed, e.prs, e.class),
            (Some(96), Some(130), Class::Macro)
        );
        assert_eq!(e.notes.len(), 9);
        assert_eq!(
            e.notes[0],
            "https://github.com/bytecodealliance/wasmtime/blob/release-28.0.0/RELEASES.md"
        );
        let e = effort(&d, 27, 48);
        assert_eq!((e.changed_removed, e.prs), (Some(229), Some(325)));
        // 47 -> 48: 14 entries; 43 -> 44: 5.
        assert_eq!(effort(&d, 47, 48).changed_removed, Some(14));
        assert_eq!(effort(&d, 43, 44).class, Class::Meso);
    }

    #[test]
    fn classes_at_their_boundaries() {
        let t = thresholds(&data());
        let last_meso = t.q3.floor() as u32;
        assert_eq!(classify(0, &t), Class::Micro);
        assert_eq!(classify(1, &t), Class::Meso);
        assert_eq!(classify(last_meso, &t), Class::Meso);
        assert_eq!(classify(last_meso + 1, &t), Class::Macro);
    }

    #[test]
    fn majors_past_the_data_are_unknown_not_zero() {
        let d = data();
        let known = *d.release_notes.keys().next_back().unwrap();
        let e = effort(&d, 48, 60);
        assert_eq!(e.class, Class::Unknown);
        assert_eq!(e.changed_removed, None);
        assert_eq!(e.unknown_majors, (known + 1..=60).collect::<Vec<_>>());
        // Moving back undoes the majors crossed: unknown when one of them is.
        let back = effort(&d, known + 2, known);
        assert_eq!(
            (back.majors.clone(), back.class),
            (vec![known + 1, known + 2], Class::Unknown)
        );
        // The pre-1.0 era starts counting at 1.
        assert_eq!(effort(&data(), 0, 36).majors.first(), Some(&1));
    }
}
