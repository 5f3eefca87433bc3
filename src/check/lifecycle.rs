//! The check of each train's support lifecycle: `eol`, `eol-soon`,
//! `not-lts`, `prerelease`, `unreleased` and `unsupported-on`, each with the
//! train's advice. (The `status` command is `check::status`.)

use crate::check::context::{Context, Options, Sink};
use crate::model::findings::{Code, Finding, Location};
use crate::model::phrases::{self, in_days};
use crate::model::policy::{self, Status};
use crate::model::train::Train;
use semver::Version;

pub fn check(cx: &Context, sink: &mut Sink) {
    for t in cx.trains {
        train(t, cx.opts, sink);
    }
}

fn train(t: &Train, opts: &Options, sink: &mut Sink) {
    let label = t.label();
    let advice = t.upgrade.sentence();
    let dev = if t.dev_only {
        " (dev-dependencies only)"
    } else {
        ""
    };
    let mut push = |code: Code, message: String| sink.push(about_train(t, code, message));
    // The advice is said once per train, with its most pressing finding;
    // the others refer to that one.
    let mut advised: Option<Code> = None;
    match t.support.status {
        Status::Eol => {
            let message = match (t.support.eol_date, t.support.days_left) {
                (Some(eol), Some(days)) => format!(
                    "{label}{dev} reached end of life on {eol} ({} ago) and gets no security fixes; {advice}",
                    phrases::days(-days)
                ),
                _ => format!("{label}{dev} was never supported by the release policy; {advice}"),
            };
            push(Code::Eol, message);
            advised = Some(Code::Eol);
        }
        Status::Unreleased => {
            if let Some(release) = t.support.release_date {
                push(
                    Code::Unreleased,
                    format!(
                        "{label}{dev} is not due for release until {release} by the release calendar"
                    ),
                );
            }
        }
        Status::Supported => {
            if let (Some(eol), Some(days)) = (t.support.eol_date, t.support.days_left)
                && days <= opts.warn_within_days
            {
                push(
                    Code::EolSoon,
                    format!(
                        "{label}{dev} reaches end of life on {eol} ({}); {advice}",
                        in_days(days)
                    ),
                );
                advised = Some(Code::EolSoon);
            }
            if !t.support.lts {
                let what = match advised {
                    Some(code) => format!(" (what to do: see {})", code.as_str()),
                    None => format!("; {advice}"),
                };
                push(
                    Code::NotLts,
                    format!(
                        "{label}{dev} is not an LTS release: it is supported for {} months only{what}",
                        policy::NORMAL_SUPPORT_MONTHS
                    ),
                );
            }
        }
    }
    if !t.prerelease.is_empty() {
        let versions: Vec<String> = t.prerelease.iter().map(Version::to_string).collect();
        push(
            Code::Prerelease,
            format!(
                "{label}{dev} is used at pre-release version {}: pre-releases themselves are never supported; move to a release of the line",
                versions.join(", ")
            ),
        );
    }
    if let Some(through) = opts.supported_through {
        let supported = policy::is_supported(t.support.major, through);
        if !supported {
            let why = match (t.support.status, t.support.release_date, t.support.eol_date) {
                (_, _, None) => "pre-1.0 releases were never supported".to_string(),
                (_, Some(release), _) if through < release => {
                    format!("it is not released until {release}")
                }
                (_, _, Some(eol)) => format!("its support ends on {eol}"),
            };
            let what = match advised {
                Some(code) => format!(" (what to do: see {})", code.as_str()),
                None => format!("; {advice}"),
            };
            push(
                Code::UnsupportedOn,
                format!("{label}{dev} is not supported on {through}: {why}{what}"),
            );
        }
    }
}

/// A finding about the train as a whole, shown by its headline crate.
fn about_train(t: &Train, code: Code, message: String) -> Finding {
    let f = Finding::new(code, Some(t.support.major), message);
    match t.headline() {
        Some(c) => f.about(&c.name, &c.version).at(Some(Location {
            path: c.lockfile.clone(),
            line: c.line,
        })),
        None => f,
    }
}
