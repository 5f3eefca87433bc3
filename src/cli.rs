//! Command line: parsing (clap), gathering the inputs (clock, environment,
//! files), running the pure audit and printing. The only place that touches
//! the outside world.

use crate::audit::{self, Audit, Options};
use crate::config::{self, Config};
use crate::data::Data;
use crate::error::{Error, Result};
use crate::findings::{Code, Level, Levels, Selector};
use crate::input;
use crate::inventory::{self, LockInput};
use crate::render::{github, human, json, markdown, paint::Paint, sarif};
use crate::workspace;
use chrono::NaiveDate;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SUBCOMMAND: &str = "wasmtime-support";

#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo")]
enum Cargo {
    #[command(name = "wasmtime-support")]
    WasmtimeSupport(Cli),
}

/// Audit a Cargo.lock for Wasmtime release trains: are they still supported,
/// when does support end, and what is the LTS upgrade path?
#[derive(clap::Args, Debug)]
#[command(version, about, long_about = None, args_override_self = true)]
pub struct Cli {
    /// Path to Cargo.toml of the workspace to audit [default: the one of the current directory]
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,

    /// Audit this Cargo.lock directly, without cargo (`-` reads standard input)
    #[arg(long, value_name = "PATH", conflicts_with = "manifest_path")]
    lockfile: Vec<PathBuf>,

    /// Evaluate support on this date instead of today (UTC)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    date: Option<NaiveDate>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Coloring [default: $CARGO_TERM_COLOR, else auto; auto honours NO_COLOR]
    #[arg(long, value_enum, value_name = "WHEN")]
    color: Option<ColorChoice>,

    /// List every crate of each train
    #[arg(short, long)]
    verbose: bool,

    /// Fail (exit 1) when a release train is past its end of life (same as `-D eol`)
    #[arg(long)]
    deny_eol: bool,

    /// Make findings with this code (or `warnings`: every warning) errors
    #[arg(short = 'D', long = "deny", value_name = "CODE", value_parser = parse_selector)]
    deny: Vec<Selector>,

    /// Make findings with this code warnings
    #[arg(short = 'W', long = "warn", value_name = "CODE", value_parser = parse_selector)]
    warn: Vec<Selector>,

    /// Hide findings with this code
    #[arg(short = 'A', long = "allow", value_name = "CODE", value_parser = parse_selector)]
    allow: Vec<Selector>,

    /// Make not-lts findings errors: every train must be an LTS release
    #[arg(long)]
    require_lts: bool,

    /// Pre-release check: every train must still be supported on this date (unsupported-on)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    supported_through: Option<NaiveDate>,

    /// Leave out trains that only dev-dependencies pull in
    #[arg(long)]
    exclude_dev: bool,

    /// Warn (eol-soon) when a train's end of life is at most this many days away [default: 30]
    #[arg(long, value_name = "DAYS")]
    warn_within: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// A report for pull requests and release checklists
    Markdown,
    /// GitHub Actions annotations (and the step summary when GITHUB_STEP_SUMMARY is set)
    Github,
    /// SARIF 2.1.0 for code-scanning dashboards
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What the program needs from its surroundings, injectable for tests.
#[derive(Debug, Clone)]
pub struct Env {
    pub today: NaiveDate,
    pub cargo_term_color: Option<String>,
    pub no_color: bool,
    pub stdout_is_terminal: bool,
    pub github_step_summary: Option<PathBuf>,
    pub current_dir: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        Env {
            today: chrono::Utc::now().date_naive(),
            cargo_term_color: std::env::var("CARGO_TERM_COLOR").ok(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            github_step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            current_dir: std::env::current_dir().ok(),
        }
    }
}

/// Runs the program on `args` (as passed to the binary) and returns the exit code.
pub fn run(args: Vec<OsString>, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let args = as_subcommand(args);
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => return clap_error(e, out, err),
    };
    let Some(("wasmtime-support", sub)) = matches.subcommand() else {
        let _ = writeln!(err, "error: expected the `{SUBCOMMAND}` subcommand");
        return 2;
    };
    let cli = match Cargo::from_arg_matches(&matches) {
        Ok(Cargo::WasmtimeSupport(cli)) => cli,
        Err(e) => return clap_error(e, out, err),
    };
    match execute(&cli, sub, env, out) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            2
        }
    }
}

fn execute(cli: &Cli, matches: &ArgMatches, env: &Env, out: &mut dyn Write) -> Result<u8> {
    let data = Data::embedded()?;
    let (inputs, config) = if cli.lockfile.is_empty() {
        let ws = workspace::locate(cli.manifest_path.as_deref())?;
        let config = match &ws.config {
            Some((value, origin)) => config::parse(value, origin)?,
            None => Config::default(),
        };
        let mut lockfile = input::read_lockfile(&ws.lockfile)?;
        lockfile.path = shown_path(&ws.lockfile, env);
        let members = ws.members;
        (vec![LockInput { lockfile, members }], config)
    } else {
        let inputs = cli
            .lockfile
            .iter()
            .map(|p| {
                Ok(LockInput {
                    lockfile: input::read_lockfile(p)?,
                    members: workspace::members_beside(p),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        (inputs, Config::default())
    };
    let inv = inventory::inventory(&inputs, &data.family);
    let opts = options(cli, matches, &config, env);
    let report = audit::audit(&inv, &data, &opts);
    write_report(&report, cli, env, out)?;
    Ok(report.result.exit_code())
}

/// Command-line flags over the configuration file over the defaults.
fn options(cli: &Cli, matches: &ArgMatches, config: &Config, env: &Env) -> Options {
    let mut opts = Options::new(cli.date.unwrap_or(env.today));
    opts.warn_within_days = i64::from(cli.warn_within.or(config.warn_within).unwrap_or(30));
    opts.supported_through = cli.supported_through.or(config.supported_through);
    opts.exclude_dev = cli.exclude_dev || config.exclude_dev;
    opts.ignores = config.ignore.clone();
    let mut levels = Levels::default();
    if config.require_lts || cli.require_lts {
        levels.push(Selector::Code(Code::NotLts), Some(Level::Error));
    }
    if config.deny_eol || cli.deny_eol {
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

fn write_report(report: &Audit, cli: &Cli, env: &Env, out: &mut dyn Write) -> Result<()> {
    let text = match cli.format {
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => {
            if let Some(path) = &env.github_step_summary {
                append(path, &markdown::render(report))?;
            }
            github::render(report)
        }
        Format::Human => human::render(
            report,
            &human::HumanOptions {
                verbose: cli.verbose,
                width: 80,
                paint: Paint {
                    enabled: color_enabled(cli.color, env),
                },
            },
        ),
    };
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::new(format!("cannot write the report: {e}"))),
    }
}

fn append(path: &Path, text: &str) -> Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| {
            Error::in_file(
                &path.display().to_string(),
                format!("cannot append the step summary: {e}"),
            )
        })
}

/// A workspace's lockfile shown relative to the current directory when inside it.
fn shown_path(path: &Path, env: &Env) -> String {
    env.current_dir
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `-D`/`-W`/`-A` in command-line order: the later wins.
fn command_line_levels(matches: &ArgMatches, levels: &mut Levels) {
    let mut ordered: Vec<(usize, Selector, Option<Level>)> = Vec::new();
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

pub fn color_enabled(choice: Option<ColorChoice>, env: &Env) -> bool {
    let choice = choice.unwrap_or(match env.cargo_term_color.as_deref() {
        Some("always") => ColorChoice::Always,
        Some("never") => ColorChoice::Never,
        _ => ColorChoice::Auto,
    });
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !env.no_color && env.stdout_is_terminal,
    }
}

/// `cargo wasmtime-support ...` runs us as `cargo-wasmtime-support wasmtime-support ...`;
/// run directly, the subcommand name is missing, so it is put in.
fn as_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_none_or(|a| a != SUBCOMMAND) {
        let at = args.len().min(1);
        args.insert(at, SUBCOMMAND.into());
    }
    args
}

fn command() -> clap::Command {
    Cargo::command().mut_subcommand(SUBCOMMAND, |c| c.after_help(after_help()))
}

fn after_help() -> String {
    let mut s = String::from(
        "Examples:\n  \
         cargo wasmtime-support                    audit this workspace's Cargo.lock\n  \
         cargo wasmtime-support --deny-eol         exit 1 if an end-of-life release is in use\n  \
         cargo wasmtime-support --supported-through 2027-06-30   pre-release check\n  \
         cargo wasmtime-support --format github    annotations for GitHub Actions\n  \
         cargo wasmtime-support --lockfile Cargo.lock --format json --date 2026-11-21\n\n\
         Finding codes (default level):\n",
    );
    for c in Code::ALL {
        s.push_str(&format!(
            "  {:<22}{:<9}{}\n",
            c.as_str(),
            c.default_level().as_str(),
            c.summary()
        ));
    }
    s.push_str(
        "\nExit status: 0 no error-level finding, 1 error-level findings, 2 usage or input error.",
    );
    s
}

fn clap_error(e: clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = write!(out, "{}", e.render());
            0
        }
        _ => {
            // One line: clap's first line, which names the argument and the problem.
            let text = e.render().to_string();
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("error: invalid arguments");
            let _ = writeln!(
                err,
                "{} (see --help)",
                crate::text::sanitize(first.trim_end())
            );
            2
        }
    }
}

fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .ok_or_else(|| "expected a calendar date as YYYY-MM-DD".to_string())
}

fn parse_selector(s: &str) -> std::result::Result<Selector, String> {
    Selector::parse(s).ok_or_else(|| {
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        format!(
            "unknown finding code; expected `warnings` or one of: {}",
            codes.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn subcommand_name_is_inserted_when_run_directly() {
        let direct = as_subcommand(vec!["cargo-wasmtime-support".into(), "--deny-eol".into()]);
        assert_eq!(
            direct,
            ["cargo-wasmtime-support", "wasmtime-support", "--deny-eol"]
        );
        let via_cargo = as_subcommand(vec![
            "cargo-wasmtime-support".into(),
            "wasmtime-support".into(),
        ]);
        assert_eq!(via_cargo, ["cargo-wasmtime-support", "wasmtime-support"]);
    }

    #[test]
    fn dates_must_be_real_and_iso() {
        assert!(parse_date("2026-11-21").is_ok());
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-1-5").is_err());
        assert!(parse_date("yesterday").is_err());
    }

    #[test]
    fn colour_follows_flag_then_cargo_then_no_color() {
        let env = |term: Option<&str>, no_color, tty| Env {
            today: NaiveDate::default(),
            cargo_term_color: term.map(str::to_string),
            no_color,
            stdout_is_terminal: tty,
            github_step_summary: None,
            current_dir: None,
        };
        assert!(color_enabled(None, &env(None, false, true)));
        assert!(!color_enabled(None, &env(None, true, true)));
        assert!(!color_enabled(None, &env(None, false, false)));
        assert!(color_enabled(None, &env(Some("always"), true, false)));
        assert!(!color_enabled(
            Some(ColorChoice::Never),
            &env(Some("always"), false, true)
        ));
        assert!(color_enabled(
            Some(ColorChoice::Always),
            &env(Some("never"), true, false)
        ));
    }
}
