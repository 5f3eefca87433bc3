//! The audit command (what runs when no subcommand is given).

use super::args::{Cli, Format};
use super::{Env, color_enabled, load_data_with, write_out};
use crate::check::audit::{self, Audit};
use crate::check::context::Options;
use crate::check::inventory;
use crate::error::{Error, Result};
use crate::input::config::Config;
use crate::model::family;
use crate::model::findings::{Code, Level, Levels, Selector};
use crate::report::{github, human, json, markdown, paint::Paint, sarif};
use clap::ArgMatches;
use std::io::Write;
use std::path::Path;

pub fn run(
    cli: &Cli,
    matches: &ArgMatches,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let mut unreadable = cli.audit.keep_going.then(Vec::new);
    let only_others = cli.common.lockfile.is_empty()
        && cli.common.manifest_path.is_none()
        && !(cli.audit.bin.is_empty() && cli.audit.sbom.is_empty());
    let mut project = if only_others {
        // Binaries and SBOMs alone: the workspace here is not asked about.
        super::Project::of_nothing(&cli.common)?
    } else {
        super::project_with(&cli.common, env, &mut unreadable)?
    };
    let others = cli
        .audit
        .bin
        .iter()
        .map(|p| (p, true))
        .chain(cli.audit.sbom.iter().map(|p| (p, false)));
    for (path, is_bin) in others {
        let shown = super::shown_path(path, env);
        let read = if is_bin {
            crate::input::binary::read(path, &shown)
        } else {
            crate::input::sbom::read(path, &shown)
        };
        match (read, &mut unreadable) {
            (Ok(lockfile), _) => project.inputs.push(crate::check::inventory::LockInput {
                lockfile,
                members: Default::default(),
            }),
            (Err(e), Some(errors)) => errors.push(e),
            (Err(e), None) => return Err(e),
        }
    }
    let unreadable = unreadable.unwrap_or_default();
    for e in &unreadable {
        let _ = writeln!(err, "error: {e} (skipped: --keep-going)");
    }
    let configured_db = project.config.advisory_db.as_deref().map(Path::new);
    let data = load_data_with(&cli.common, env, err, configured_db)?;
    if cli.audit.verbose
        && let Some(why) = &project.declined
    {
        let _ = writeln!(
            err,
            "note: read the workspace with `cargo metadata`: {}",
            crate::text::sanitize(why)
        );
    }
    let mut opts = options(cli, matches, &project.config, env);
    let newest = family::newest_plausible_major(data.newest_major(), opts.as_of);
    let inv = inventory::inventory_within(&project.inputs, &data.family, newest);
    opts.rust_version = project.rust_version.clone();
    opts.rust_version_at = project.rust_version_at.clone();
    opts.toolchain = project.toolchain.clone();
    opts.pins = crate::input::pins::exact(&project.manifests, &|n| data.family.is_member(n))
        .into_iter()
        .map(|p| crate::check::context::Pin {
            at: crate::model::findings::Location {
                path: super::shown_path(&p.manifest, env),
                line: p.line,
            },
            name: p.name,
            req: p.req,
        })
        .collect();
    let mut report = audit::audit(&inv, &data, &opts);
    report.unreadable = unreadable
        .iter()
        .map(|e| audit::Unreadable {
            error: crate::text::sanitize(&e.to_string()),
        })
        .collect();
    let markdown = || {
        let used = crate::check::calendar::used_in(&inv);
        let cal = crate::check::calendar::calendar(&data, report.as_of, 12, &used);
        format!(
            "{}\n### Release calendar\n\n{}",
            markdown::render(&report),
            crate::report::calendar::mermaid(&cal)
        )
    };
    write_out(out, &render(&report, cli, env, err, markdown)?)?;
    let code = if unreadable.is_empty() {
        report.result.exit_code()
    } else {
        2
    };
    if env.process_ends_after_run {
        // Freeing thousands of small strings one by one would cost more than
        // the rest of a typical run; the OS takes them back. Callers that go
        // on (tests, embedders) free them as usual.
        std::mem::forget((project, inv, report, data));
    }
    Ok(code)
}

/// Command-line flags over the configuration file over the defaults.
fn options(cli: &Cli, matches: &ArgMatches, config: &Config, env: &Env) -> Options {
    let a = &cli.audit;
    let mut opts = Options::new(cli.common.date.unwrap_or(env.today));
    opts.warn_within_days = i64::from(a.warn_within.or(config.warn_within).unwrap_or(30));
    opts.supported_through = a.supported_through.or(config.supported_through);
    opts.exclude_dev = a.exclude_dev || config.exclude_dev;
    opts.ignores = config.ignore.clone();
    let mut levels = Levels::default();
    if config.require_lts {
        levels.push(Selector::Code(Code::NotLts), Some(Level::Error));
    }
    if config.deny_eol {
        levels.push(Selector::Code(Code::Eol), Some(Level::Error));
    }
    for (list, level) in [
        (&config.deny, Some(Level::Error)),
        (&config.warn, Some(Level::Warning)),
        (&config.allow, None),
    ] {
        for selector in list {
            levels.push(*selector, level);
        }
    }
    command_line_levels(matches, &mut levels);
    opts.levels = levels;
    opts
}

/// `-D`/`-W`/`-A`, `--deny-eol` and `--require-lts` in command-line order:
/// the later wins, and all of them win over the configuration.
fn command_line_levels(matches: &ArgMatches, levels: &mut Levels) {
    let mut ordered: Vec<(usize, Selector, Option<Level>)> = Vec::new();
    for (id, code) in [("deny_eol", Code::Eol), ("require_lts", Code::NotLts)] {
        if matches.get_flag(id)
            && let Some(index) = matches.index_of(id)
        {
            ordered.push((index, Selector::Code(code), Some(Level::Error)));
        }
    }
    for (id, level) in [
        ("deny", Some(Level::Error)),
        ("warn", Some(Level::Warning)),
        ("allow", None),
    ] {
        let values = matches.get_many::<Selector>(id).into_iter().flatten();
        let indices = matches.indices_of(id).into_iter().flatten();
        for (index, selector) in indices.zip(values) {
            ordered.push((index, *selector, level));
        }
    }
    ordered.sort_by_key(|(index, ..)| *index);
    for (_, selector, level) in ordered {
        levels.push(selector, level);
    }
}

/// `markdown` gives the Markdown report with the release calendar.
fn render(
    report: &Audit,
    cli: &Cli,
    env: &Env,
    err: &mut dyn Write,
    markdown: impl Fn() -> String,
) -> Result<String> {
    Ok(match cli.common.format {
        Format::Json => json::render(report),
        Format::Markdown => markdown(),
        Format::Sarif => sarif::render(report),
        Format::Github => {
            // The annotations matter more than the summary: a summary that
            // cannot be written is a warning, never the end of the run.
            if let Some(path) = &env.github_step_summary
                && let Err(e) = append(path, &markdown())
            {
                let _ = writeln!(err, "warning: {e}");
            }
            github::render(report)
        }
        Format::Human if cli.audit.quiet => {
            human::quiet(report, color_enabled(cli.common.color, env))
        }
        Format::Human => human::render(
            report,
            &human::HumanOptions {
                verbose: cli.audit.verbose,
                width: crate::text::WIDTH,
                paint: Paint {
                    enabled: color_enabled(cli.common.color, env),
                },
            },
        ),
    })
}

fn append(path: &Path, text: &str) -> Result<()> {
    let shown = path.display().to_string();
    let fail =
        |e: std::io::Error| Error::in_file(&shown, format!("cannot append the step summary: {e}"));
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    // Never wait on a FIFO (or a device) nobody reads: opened without
    // blocking, then written only if it is a regular file.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NONBLOCK);
    let mut file = opts.open(path).map_err(fail)?;
    if !file.metadata().map_err(fail)?.is_file() {
        return Err(Error::in_file(
            &shown,
            "cannot append the step summary: not a regular file",
        ));
    }
    file.write_all(text.as_bytes()).map_err(fail)
}
