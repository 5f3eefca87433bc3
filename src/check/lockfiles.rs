//! Findings about the lockfiles as a whole: several majors in one
//! (`multiple-trains`), and family crates at versions no release has
//! (`unrecognized-version`).

use crate::check::context::{Context, Sink};
use crate::model::findings::{Code, Finding, Location};
use crate::model::train::Train;

pub fn check(cx: &Context, sink: &mut Sink) {
    let inv = cx.inventory;
    for (index, lock) in inv.lockfiles.iter().enumerate() {
        let here: Vec<&Train> = cx
            .trains
            .iter()
            .filter(|t| {
                t.lockfiles.contains(&lock.path) && inv.majors_in(index).contains(&t.support.major)
            })
            .collect();
        if here.len() > 1 {
            let list: Vec<String> = here.iter().map(|t| t.support.major.to_string()).collect();
            let through: Vec<String> = here
                .iter()
                .filter(|t| !t.upgrade.via.is_empty())
                .map(|t| format!("{} through {}", t.support.major, t.upgrade.via.join(", ")))
                .collect();
            let through = if through.is_empty() {
                String::new()
            } else {
                format!(
                    "; some come in through other crates ({})",
                    through.join("; ")
                )
            };
            let message = format!(
                "{} holds {} Wasmtime majors ({}): each is built and must be kept supported separately{through}",
                lock.path,
                here.len(),
                list.join(", ")
            );
            // The second train's first crate in this lockfile (its headline
            // crate may be another lockfile's).
            let second = here[1]
                .headline()
                .filter(|c| c.lockfile == lock.path)
                .or_else(|| {
                    here[1]
                        .crates
                        .iter()
                        .filter(|c| c.lockfile == lock.path)
                        .min_by_key(|c| c.line)
                })
                .map(|c| Location {
                    path: c.lockfile.clone(),
                    line: c.line,
                });
            sink.push(Finding::new(Code::MultipleTrains, None, message).at(second));
        }
    }
    for c in &inv.unrecognized {
        let message = format!(
            "{} {} matches no Wasmtime release; its support status is unknown",
            c.name, c.version
        );
        sink.push(
            Finding::new(Code::UnrecognizedVersion, None, message)
                .about(&c.name, &c.version)
                .at(Some(Location {
                    path: inv.lockfiles[c.lockfile].path.clone(),
                    line: c.line,
                })),
        );
    }
}
