//! Command line: parsing (clap), gathering the inputs (clock, environment,
//! files, cache), running the pure core and printing. The only place that
//! touches the outside world; each command has its own file.

mod args;
mod audit;
mod bot_config;
mod calendar;
mod journal;
mod manuals;
mod refresh;
mod status;
mod transaction;
mod upgrade;

pub use args::{ColorChoice, Format};

use crate::check::inventory::LockInput;
use crate::error::{Context, Error, Result};
use crate::input::advisory_db;
use crate::input::advisory_sources;
use crate::input::cache::{self, Cache};
use crate::input::cargo_index;
use crate::input::config::{self, Config};
use crate::input::files;
use crate::input::toolchain;
use crate::input::workspace;
use crate::model::data::Data;
use crate::model::data::SourceKind;
use crate::model::findings::{Code, Location};
use args::{Cargo, Command, CommonArgs};
use chrono::NaiveDate;
use clap::{CommandFactory, FromArgMatches, ValueEnum};
use semver::Version;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SUBCOMMAND: &str = "wasmtime-support";
/// A token sent as `Authorization` to an index mirror that needs one.
pub const TOKEN_ENV: &str = "CARGO_WASMTIME_SUPPORT_INDEX_TOKEN";
/// The OSV API `refresh` asks (as `--osv-url`; the flag wins).
pub const OSV_URL_ENV: &str = "CARGO_WASMTIME_SUPPORT_OSV_URL";

/// What the program needs from its surroundings, injectable for tests.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub today: NaiveDate,
    pub cargo_term_color: Option<String>,
    pub no_color: bool,
    /// CLICOLOR_FORCE is set and not `0`: colour even when not a terminal.
    pub clicolor_force: bool,
    /// CLICOLOR is `0`: no colour.
    pub clicolor_off: bool,
    pub stdout_is_terminal: bool,
    pub github_step_summary: Option<PathBuf>,
    pub current_dir: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    pub cargo_home: Option<PathBuf>,
    /// The cargo that runs this subcommand (`$CARGO`), for `cargo metadata`
    /// and `cargo update`; `cargo` from `PATH` when unset.
    pub cargo: Option<PathBuf>,
    /// What `--lockfile -` reads.
    pub stdin: Stdin,
    /// The time, for stamping what `refresh` fetched.
    pub now: chrono::DateTime<chrono::Utc>,
    pub home: Option<PathBuf>,
    /// Columns of the terminal stdout is, if it is one.
    pub terminal_width: Option<usize>,
    /// The locale's character set is UTF-8.
    pub utf8: bool,
    pub stderr_is_terminal: bool,
    /// The process exits right after `run` (the binary), so memory need not be freed.
    pub process_ends_after_run: bool,
    /// The compiler to ask for its version when nothing else tells the
    /// toolchain (`rustc` on `PATH` for the binary; none by default).
    pub rustc: Option<PathBuf>,
    /// The environment variables of cargo's network settings (`CARGO_HTTP_*`,
    /// `CARGO_NET_OFFLINE`), of the toolchain (`RUSTC`, `RUSTUP_TOOLCHAIN`,
    /// `CARGO_TARGET_DIR`) and the index token.
    pub vars: std::collections::BTreeMap<String, String>,
}

/// Standard input: the process's own, or given text (tests, embedders).
#[derive(Debug, Clone, Default)]
pub enum Stdin {
    Process,
    #[default]
    Empty,
    Given(Vec<u8>),
}

impl Stdin {
    fn reader(&self) -> Box<dyn std::io::Read + '_> {
        match self {
            Stdin::Process => Box::new(std::io::stdin().lock()),
            Stdin::Empty => Box::new(std::io::empty()),
            Stdin::Given(bytes) => Box::new(bytes.as_slice()),
        }
    }
}

impl Env {
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let vars = [
            "CARGO_HTTP_CAINFO",
            "CARGO_HTTP_PROXY",
            "CARGO_NET_OFFLINE",
            "CARGO_TARGET_DIR",
            "RUSTC",
            "RUSTUP_HOME",
            "RUSTUP_TOOLCHAIN",
            TOKEN_ENV,
            OSV_URL_ENV,
        ]
        .iter()
        .filter_map(|k| Some((k.to_string(), std::env::var(k).ok()?)))
        .collect();
        let now = chrono::Utc::now();
        Env {
            vars,
            rustc: Some(PathBuf::from("rustc")),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            process_ends_after_run: true,
            today: now.date_naive(),
            now,
            stdin: Stdin::Process,
            cargo: path("CARGO"),
            cargo_term_color: std::env::var("CARGO_TERM_COLOR").ok(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            clicolor_force: std::env::var_os("CLICOLOR_FORCE")
                .is_some_and(|v| !v.is_empty() && v != "0"),
            clicolor_off: std::env::var_os("CLICOLOR").is_some_and(|v| v == "0"),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            github_step_summary: path("GITHUB_STEP_SUMMARY"),
            current_dir: std::env::current_dir().ok(),
            cache_dir: path(cache::DIR_ENV),
            cargo_home: path("CARGO_HOME"),
            home: path("HOME").or_else(|| path("USERPROFILE")),
            terminal_width: terminal_size::terminal_size()
                .map(|(w, _)| usize::from(w.0))
                .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok()),
            utf8: ["LC_ALL", "LC_CTYPE", "LANG"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
                .is_some_and(|v| {
                    let v = v.to_ascii_lowercase();
                    v.contains("utf-8") || v.contains("utf8")
                }),
        }
    }
}

/// Runs the program on `args` (as passed to the binary) and returns the exit code.
pub fn run(args: Vec<OsString>, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let matches = match command().try_get_matches_from(as_subcommand(args)) {
        Ok(m) => m,
        Err(e) => return clap_error(e, out, err),
    };
    let Some((SUBCOMMAND, sub)) = matches.subcommand() else {
        let _ = writeln!(err, "error: expected the `{SUBCOMMAND}` subcommand");
        return 2;
    };
    let mut cli = match Cargo::from_arg_matches(&matches) {
        Ok(Cargo::WasmtimeSupport(cli)) => cli,
        Err(e) => return clap_error(e, out, err),
    };
    cli.common.format = match command_format(&cli, sub) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    if let Some(Command::Upgrade(a)) = &mut cli.command {
        a.offline = cli.common.offline;
    }
    if !cli.audit.files.is_empty() {
        match lockfiles_of(&cli.audit.files) {
            Ok(locks) => cli.common.lockfile = locks,
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return 2;
            }
        }
    }
    if let Some((name, _)) = sub.subcommand()
        && let Some((_, flag)) = args::AUDIT_ONLY
            .iter()
            .find(|(id, _)| sub.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
    {
        let _ = writeln!(
            err,
            "error: `{flag}` is an option of the audit and cannot be used with `{name}` (see --help)"
        );
        return 2;
    }
    if let Err(e) = reject_ignored(sub) {
        let _ = writeln!(err, "error: {e}");
        return 2;
    }
    let result = match &cli.command {
        None => audit::run(&cli, sub, env, out, err),
        Some(Command::Refresh(args)) => refresh::run(&cli.common, args, env, out, err),
        Some(Command::Calendar(args)) => calendar::run(&cli.common, args, env, out, err),
        Some(Command::Status(args)) => status::run(&cli.common, args, env, out, err),
        Some(Command::Upgrade(args)) => upgrade::run(&cli.common, args, env, out, err),
        Some(Command::BotConfig(args)) => bot_config::run(&cli.common, args, env, out, err),
        Some(Command::Completions(args)) => manuals::completions(args.shell, out),
        Some(Command::Man(args)) => manuals::man(args.subcommand.as_deref(), out),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            2
        }
    }
}

/// The format of the command: its own `--format`, or one given before the
/// subcommand's name (`--format json calendar`) if the command has it.
fn command_format(cli: &args::Cli, matches: &clap::ArgMatches) -> Result<Format> {
    use clap::parser::ValueSource::CommandLine;
    let (own, supported): (Format, &[Format]) = match &cli.command {
        None => return Ok(cli.audit.format),
        Some(Command::Calendar(a)) => (
            a.format.into(),
            &[Format::Human, Format::Json, Format::Markdown],
        ),
        Some(Command::Status(a)) => (a.format.into(), &[Format::Human, Format::Json]),
        Some(Command::Upgrade(a)) => (a.format.into(), &[Format::Human, Format::Json]),
        Some(_) => (Format::Human, &[]),
    };
    let Some((name, sub)) = matches.subcommand() else {
        return Ok(own);
    };
    // (Asking clap about an argument a command lacks would panic.)
    let own_given = !supported.is_empty() && sub.value_source("format") == Some(CommandLine);
    if own_given || matches.value_source("format") != Some(CommandLine) {
        return Ok(own);
    }
    let before = cli.audit.format;
    if supported.contains(&before) {
        return Ok(before);
    }
    let names: Vec<String> = supported
        .iter()
        .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
        .collect();
    let given = before
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    Err(Error::new(if names.is_empty() {
        format!("`{name}` has no --format")
    } else {
        format!(
            "`{name}` does not support --format {given}; expected {}",
            names.join(", ")
        )
    }))
}

/// The shared (global) options each subcommand would ignore: refused
/// rather than silently dropped. (clap still lists them in the
/// subcommand's help, as it propagates global options to every subcommand.)
fn ignored_by(subcommand: &str) -> &'static [&'static str] {
    const ALL: &[&str] = &[
        "manifest_path",
        "lockfile",
        "date",
        "color",
        "cache_dir",
        "offline",
        "config",
        "advisory_db",
    ];
    match subcommand {
        "refresh" => &["lockfile", "date", "color", "advisory_db"],
        "status" => &["manifest_path", "lockfile", "config"],
        "bot-config" => &["color", "config"],
        "completions" | "man" => ALL,
        _ => &[],
    }
}

fn reject_ignored(matches: &clap::ArgMatches) -> Result<()> {
    let Some((name, sub)) = matches.subcommand() else {
        return Ok(());
    };
    let given = |id: &str| sub.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
    if let Some(id) = ignored_by(name).iter().find(|id| given(id)) {
        return Err(Error::new(format!(
            "`{name}` does not use --{} (see `cargo wasmtime-support {name} --help`)",
            id.replace('_', "-")
        )));
    }
    Ok(())
}

/// The release facts, in layers, newest winning: the embedded snapshot, what
/// cargo already downloaded, the tool's own refresh cache, and a local RustSec
/// advisory database. Sources older than what is loaded are skipped; absent
/// or unreadable ones are never an error (a warning or a note at most).
fn load_data(common: &CommonArgs, env: &Env, err: &mut dyn Write) -> Result<Data> {
    load_data_with(common, env, err, None)
}

/// `load_data`, with the advisory database the configuration names.
fn load_data_with(
    common: &CommonArgs,
    env: &Env,
    err: &mut dyn Write,
    configured_db: Option<&Path>,
) -> Result<Data> {
    let mut data = Data::embedded()?;
    let names: Vec<String> = data.family.known().map(|c| c.name.clone()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let cache_dir = cache_dir(common, env);
    let mut layers: Vec<(Cache, SourceKind)> = Vec::new();

    if let Some(home) = cargo_home(env) {
        let dirs = cargo_index::cache_dirs(&home, env.current_dir.as_deref());
        if !dirs.is_empty() {
            let digest_path = cache_dir.as_ref().map(|d| d.join(cache::CARGO_DIGEST_FILE));
            let previous = match digest_path.as_deref().map(cache::load) {
                Some(cache::Loaded::Cache(c)) => Some(c),
                _ => None,
            };
            let (mut digest, changed, notes) =
                cargo_index::digest(&dirs, &names, previous.as_ref());
            if changed && let Some(d) = &mut digest {
                d.trim(&data.published, &data.family);
            }
            for n in notes {
                let _ = writeln!(err, "note: {}", crate::text::sanitize(&n));
            }
            if let (Some(d), Some(path), true) = (&digest, &digest_path, changed) {
                // Only a time saver: an unwritable cache directory costs speed, not facts.
                let _ = cache::store(path, d);
            }
            layers.extend(digest.map(|d| (d, SourceKind::CargoCache)));
        }
    }
    // A cache that cannot even be looked at (an unreadable $HOME) is one that
    // does not exist as far as this run can tell: no warning about it.
    if let Some(path) = cache_dir
        .as_ref()
        .map(|d| d.join(cache::FILE_NAME))
        .filter(|p| std::fs::metadata(p).is_ok())
    {
        match cache::load(&path) {
            cache::Loaded::Missing => {}
            cache::Loaded::Cache(c) => layers.push((c, SourceKind::Registry)),
            cache::Loaded::Ignored(why) => {
                let _ = writeln!(
                    err,
                    "warning: ignoring the registry cache {}: {}; `cargo wasmtime-support refresh` rebuilds it",
                    path.display(),
                    crate::text::sanitize(&why)
                );
            }
        }
    }
    layers.sort_by_key(|(c, _)| c.fetched_at);
    // Facts from the future (a wrong clock, a restored archive, a hostile
    // file) would pass the calendar's checks and silence stale-data: unused.
    let tomorrow = env.today.succ_opt().unwrap_or(env.today);
    for (layer, kind) in &layers {
        if layer.fetched_at.date_naive() > tomorrow {
            let _ = writeln!(
                err,
                "note: ignoring {} dated {}, after today",
                kind.label(),
                layer.fetched_at.date_naive()
            );
            continue;
        }
        if layer.fetched_at.date_naive() < data.data_date {
            continue;
        }
        data = data.with_index(layer, *kind);
    }

    // The advisories `refresh` fetched: release notes, then OSV.
    if let Some(path) = cache_dir
        .as_ref()
        .map(|d| d.join(advisory_sources::FILE_NAME))
        .filter(|p| std::fs::metadata(p).is_ok())
    {
        match advisory_sources::load(&path) {
            Ok(None) => {}
            Ok(Some(adv)) => {
                let mut ahead = |day: NaiveDate| {
                    if day > tomorrow {
                        let _ = writeln!(
                            err,
                            "note: ignoring advisories of {} dated {day}, after today",
                            path.display()
                        );
                    }
                    day > tomorrow
                };
                if let Some(notes) = adv
                    .release_notes
                    .as_ref()
                    .filter(|n| !ahead(n.fetched_at.date_naive()) && !ahead(n.complete_until))
                {
                    data = data.with_release_notes(notes);
                }
                if let Some(osv) = adv
                    .osv
                    .as_ref()
                    .filter(|o| !ahead(o.fetched_at.date_naive()))
                {
                    data = data.with_osv(osv);
                }
                for (b, releases) in &adv.bindings {
                    let newer = data.bindings.get(b).is_none_or(|e| e.date <= releases.date);
                    if newer && !ahead(releases.date) {
                        data.bindings.insert(*b, releases.clone());
                    }
                }
            }
            Err(why) => {
                let _ = writeln!(
                    err,
                    "warning: ignoring the advisory cache {}: {}; `cargo wasmtime-support refresh` rebuilds it",
                    path.display(),
                    crate::text::sanitize(&why)
                );
            }
        }
    }

    let home = cargo_home(env);
    let named = common.advisory_db.as_deref().or(configured_db);
    if let Some(path) = advisory_db::locate(named, home.as_deref()) {
        let wasmtime_family: Vec<&str> = names.clone();
        match advisory_db::read(&path, &wasmtime_family) {
            Ok(mut db) => {
                // A database cannot know advisories of days still to come.
                db.date = db.date.min(env.today);
                for n in &db.notes {
                    let _ = writeln!(err, "note: {}", crate::text::sanitize(n));
                }
                if db.date >= data.provenance.advisories_date || named.is_some() {
                    data = data.with_advisory_db(&db);
                }
            }
            Err(why) if named.is_some() => return Err(Error::new(why)),
            Err(why) => {
                let _ = writeln!(err, "note: {}", crate::text::sanitize(&why));
            }
        }
    }
    Ok(data.until(common.date.unwrap_or(env.today)))
}

/// The lockfiles of the workspaces `files` (changed `Cargo.lock` and
/// `Cargo.toml` files, as pre-commit passes them) belong to: a lockfile is
/// itself, a manifest's is the nearest `Cargo.lock` at or above it (where
/// cargo keeps the workspace's). Each once.
fn lockfiles_of(files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = Vec::new();
    for f in files {
        let shown = f.display().to_string();
        let lock = match f.file_name().and_then(|n| n.to_str()) {
            Some("Cargo.lock") => f.clone(),
            Some("Cargo.toml") => {
                let dir = f
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let found = dir
                    .ancestors()
                    .map(|d| d.join("Cargo.lock"))
                    .find(|l| l.is_file());
                match found {
                    Some(l) => l.strip_prefix(".").map(Path::to_path_buf).unwrap_or(l),
                    None => {
                        return Err(Error::in_file(
                            &shown,
                            "no Cargo.lock beside it or above it: run `cargo generate-lockfile`",
                        ));
                    }
                }
            }
            _ => {
                return Err(Error::in_file(
                    &shown,
                    "not a Cargo.lock or Cargo.toml (the files to audit are lockfiles and manifests)",
                ));
            }
        };
        let key = std::fs::canonicalize(&lock).unwrap_or_else(|_| lock.clone());
        if !out
            .iter()
            .any(|o| std::fs::canonicalize(o).unwrap_or_else(|_| o.clone()) == key)
        {
            out.push(lock);
        }
    }
    Ok(out)
}

/// `$CARGO_HOME`, else `~/.cargo`.
fn cargo_home(env: &Env) -> Option<PathBuf> {
    env.cargo_home
        .clone()
        .or_else(|| env.home.as_ref().map(|h| h.join(".cargo")))
}

/// The workspace of the current directory or `--manifest-path`; `memo`: kept
/// in, and answered from, the cache directory.
fn locate_workspace(common: &CommonArgs, env: &Env, memo: bool) -> Result<workspace::Workspace> {
    let home = cargo_home(env);
    let memo_dir = cache_dir(common, env).filter(|_| memo);
    let search = workspace::Search {
        cwd: env.current_dir.as_deref(),
        cargo_home: home.as_deref(),
        cargo: env.cargo.as_deref(),
        memo_dir: memo_dir.as_deref(),
    };
    workspace::locate(common.manifest_path.as_deref(), &search)
}

fn cache_dir(common: &CommonArgs, env: &Env) -> Option<PathBuf> {
    cache::dir(
        common.cache_dir.as_deref(),
        env.cache_dir.as_deref(),
        env.cargo_home.as_deref(),
        env.home.as_deref(),
    )
}

/// The lockfiles to read, and what the workspace says about itself.
struct Project {
    inputs: Vec<LockInput>,
    config: Config,
    rust_version: Option<Version>,
    /// Why the workspace was read with `cargo metadata` (shown with `-v`).
    declined: Option<String>,
    /// The manifest line that declares `rust_version`.
    rust_version_at: Option<Location>,
    /// The toolchain's Rust version, when no rust-version is declared.
    toolchain: Option<Version>,
    /// The manifests read (for exact requirements).
    manifests: Vec<PathBuf>,
}

impl Project {
    /// No lockfile: the inputs are all given some other way (`--bin`,
    /// `--sbom`); the configuration is `--config`'s, if any.
    fn of_nothing(common: &CommonArgs) -> Result<Project> {
        let config = match common.config.as_deref() {
            Some(path) => anchored(config_file(path)?, path),
            None => Config::default(),
        };
        Ok(Project {
            inputs: Vec::new(),
            config,
            rust_version: None,
            declined: None,
            rust_version_at: None,
            toolchain: None,
            manifests: Vec::new(),
        })
    }
}

/// The Rust version of the toolchain that builds the project at `root`
/// (see `input::toolchain` for where it is looked for).
pub(crate) fn toolchain_version(root: &Path, env: &Env) -> Option<Version> {
    let var = |k: &str| env.vars.get(k).filter(|v| !v.is_empty());
    let target = var("CARGO_TARGET_DIR")
        .map(|t| root.join(t))
        .unwrap_or_else(|| root.join("target"));
    let rustup_home = var("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| env.home.as_ref().map(|h| h.join(".rustup")));
    let memo = cache::dir(
        None,
        env.cache_dir.as_deref(),
        env.cargo_home.as_deref(),
        env.home.as_deref(),
    )
    .map(|d| d.join("rustc-version"));
    let probe = toolchain::Probe {
        rustc_env: var("RUSTC").map(|r| std::ffi::OsStr::new(r.as_str())),
        rustup_toolchain: var("RUSTUP_TOOLCHAIN").map(String::as_str),
        workspace_root: Some(root),
        target_dir: Some(&target),
        path_rustc: env.rustc.as_deref(),
        rustup_home: rustup_home.as_deref(),
        memo: memo.as_deref(),
        ..toolchain::Probe::default()
    };
    toolchain::detect(&probe).map(|t| t.version)
}

fn project(common: &CommonArgs, env: &Env) -> Result<Project> {
    project_with(common, env, &mut None)
}

/// With `unreadable`, a lockfile that cannot be read is put there and the
/// others are read (`--keep-going`); without, it is the error.
fn project_with(
    common: &CommonArgs,
    env: &Env,
    unreadable: &mut Option<Vec<Error>>,
) -> Result<Project> {
    let given = match common.config.as_deref() {
        Some(path) => Some(anchored(config_file(path)?, path)),
        None => None,
    };
    if common.lockfile.is_empty() {
        let ws = locate_workspace(common, env, true)?;
        let config = match (given, &ws.config) {
            (Some(c), _) => c,
            (None, Some((value, origin))) => anchored(config::parse(value, origin)?, &ws.lockfile),
            (None, None) => Config::default(),
        };
        let mut lockfile = files::read_lockfile(&ws.lockfile, &mut env.stdin.reader())?;
        lockfile.path = shown_path(&ws.lockfile, env);
        let rust_version_at = ws
            .rust_version
            .as_ref()
            .and_then(|v| rust_version_line(&ws.manifests, v, env));
        let toolchain = match &ws.rust_version {
            Some(_) => None,
            None => toolchain_version(&ws.root, env),
        };
        Ok(Project {
            inputs: vec![LockInput {
                lockfile,
                members: ws.members,
            }],
            config,
            rust_version: ws.rust_version,
            declined: ws.declined,
            rust_version_at,
            toolchain,
            manifests: ws.manifests,
        })
    } else {
        let mut inputs = Vec::with_capacity(common.lockfile.len());
        let mut rust_version: Option<Version> = None;
        let mut beside: Option<(Config, String)> = None;
        let own = common.lockfile.iter().filter(|p| p.as_os_str() != "-");
        for p in own.filter(|_| given.is_none()) {
            let Some((value, origin)) = config_beside(p)? else {
                continue;
            };
            let config = anchored(config::parse(&value, &origin)?, p);
            match &beside {
                Some((c, first)) if *c != config => {
                    return Err(Error::new(format!(
                        "{first} and {origin} configure the audit differently; choose one with --config"
                    )));
                }
                Some(_) => {}
                None => beside = Some((config, origin)),
            }
        }
        let mut manifests = Vec::new();
        let mut read_beside = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for p in &common.lockfile {
            // The same file given twice (under any name) is read once.
            if p.as_os_str() != "-"
                && let Ok(canonical) = std::fs::canonicalize(p)
                && !seen.insert(canonical)
            {
                continue;
            }
            let lockfile = match files::read_lockfile(p, &mut env.stdin.reader()) {
                Ok(l) => l,
                Err(e) => match unreadable {
                    Some(errors) => {
                        errors.push(e);
                        continue;
                    }
                    None => return Err(e),
                },
            };
            if p.as_os_str() != "-" {
                read_beside.extend(crate::input::pins::beside(p));
            }
            let (members, declared) = workspace::beside(p);
            if declared.is_some() {
                manifests.push(p.with_file_name("Cargo.toml"));
            }
            rust_version = match (rust_version, declared) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            inputs.push(LockInput { lockfile, members });
        }
        let rust_version_at = rust_version
            .as_ref()
            .and_then(|v| rust_version_line(&manifests, v, env));
        // The toolchain of the project beside the (first) lockfile, if any.
        let toolchain = match (&rust_version, common.lockfile.first()) {
            (None, Some(p)) if p.as_os_str() != "-" && p.with_file_name("Cargo.toml").is_file() => {
                let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
                toolchain_version(dir.unwrap_or(Path::new(".")), env)
            }
            _ => None,
        };
        Ok(Project {
            inputs,
            config: given.or(beside.map(|(c, _)| c)).unwrap_or_default(),
            rust_version,
            declined: None,
            rust_version_at,
            toolchain,
            manifests: read_beside,
        })
    }
}

/// Relative paths in a configuration are relative to the directory of the
/// file that holds it (`file` is that file, or one beside it).
fn anchored(mut config: Config, file: &Path) -> Config {
    if let (Some(db), Some(dir)) = (&config.advisory_db, file.parent()) {
        config.advisory_db = Some(dir.join(db).display().to_string());
    }
    config
}

/// `--config PATH`: a TOML file with the keys of the manifests' table.
fn config_file(path: &Path) -> Result<Config> {
    let shown = path.display().to_string();
    // A regular file of bounded size, never a FIFO or a device.
    let text = files::read_manifest(path, &shown)?;
    let value: toml::Table = toml::from_str(&text)
        .map_err(|e| Error::in_file(&shown, format!("not valid TOML: {}", e.message())))?;
    let value =
        serde_json::to_value(value).with_context(|| format!("{shown}: unsupported value"))?;
    config::parse(&value, &shown)
}

/// The tool's table in the manifest beside a lockfile, if there is one.
fn config_beside(lockfile: &Path) -> Result<Option<(serde_json::Value, String)>> {
    let manifest = lockfile.with_file_name("Cargo.toml");
    let shown = manifest.display().to_string();
    // As for the members beside it: a manifest that is missing or not a
    // readable regular file (a FIFO, a device) just is not there.
    let Ok(text) = files::read_manifest(&manifest, &shown) else {
        return Ok(None);
    };
    let Ok(doc) = toml::from_str::<toml::Table>(&text) else {
        // Not ours to judge: the audit reads the lockfile, not this manifest.
        return Ok(None);
    };
    for section in ["workspace", "package"] {
        if let Some(table) = doc
            .get(section)
            .and_then(|s| s.get("metadata"))
            .and_then(|m| m.get(config::TABLE))
        {
            let value = serde_json::to_value(table)
                .with_context(|| format!("{shown}: unsupported value"))?;
            return Ok(Some((
                value,
                format!("{shown} [{section}.metadata.{}]", config::TABLE),
            )));
        }
    }
    Ok(None)
}

/// The first manifest line declaring `rust-version = "<declared>"`.
fn rust_version_line(manifests: &[PathBuf], declared: &Version, env: &Env) -> Option<Location> {
    manifests.iter().find_map(|m| {
        let text = std::fs::read_to_string(m).ok()?;
        let line = text.lines().position(|l| {
            let Some(value) = l.trim_start().strip_prefix("rust-version") else {
                return false;
            };
            let value = value.trim_start().strip_prefix('=').unwrap_or("").trim();
            let value = value
                .split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            crate::model::data::rust_version(value).is_some_and(|v| v == *declared)
        })?;
        Some(Location {
            path: shown_path(m, env),
            line: u32::try_from(line + 1).ok()?,
        })
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

fn write_out(out: &mut dyn Write, text: &str) -> Result<()> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::new(format!("cannot write the output: {e}"))),
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
        ColorChoice::Auto => {
            !env.no_color && !env.clicolor_off && (env.clicolor_force || env.stdout_is_terminal)
        }
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
    // Help reads in 80 columns, like the reports, however wide the terminal.
    Cargo::command()
        .max_term_width(crate::text::WIDTH)
        .mut_subcommand(SUBCOMMAND, |c| {
            c.after_help(after_help())
                .max_term_width(crate::text::WIDTH)
        })
}

fn after_help() -> String {
    // Every line within 80 columns, so no terminal re-wraps it.
    let mut s = String::from(
        "Examples:\n  \
         cargo wasmtime-support                     audit this workspace\n  \
         cargo wasmtime-support --deny-eol          exit 1 on an end-of-life train\n  \
         cargo wasmtime-support --format github     GitHub Actions annotations\n  \
         cargo wasmtime-support refresh             fresh releases and advisories\n  \
         cargo wasmtime-support calendar            the trains as a chart\n  \
         cargo wasmtime-support status 27.0.1       one version's support\n  \
         cargo wasmtime-support upgrade --dry-run   the move to the advised LTS\n  \
         cargo wasmtime-support --supported-through 2027-06-30\n  \
         \x20                                          a pre-release check\n\n\
         Finding codes by default level (each explained in docs/configuration.md):\n",
    );
    for level in ["error", "warning", "note"] {
        let codes: Vec<&str> = Code::ALL
            .iter()
            .filter(|c| c.default_level().as_str() == level)
            .map(|c| c.as_str())
            .collect();
        if codes.is_empty() {
            continue;
        }
        let line = format!("  {:<9}{}", format!("{level}:"), codes.join(", "));
        s.push_str(&crate::text::wrap(&line, crate::text::WIDTH, 11));
        s.push('\n');
    }
    s.push_str(
        "\nExit status: 0 no error-level finding, 1 error-level findings, 2 usage or\ninput error.",
    );
    s
}

fn clap_error(e: clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            match write_out(out, &e.render().to_string()) {
                Ok(()) => 0,
                Err(e) => {
                    let _ = writeln!(err, "error: {e}");
                    2
                }
            }
        }
        _ => {
            // One line: clap's first paragraph, which names the argument and the problem.
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .skip_while(|l| l.trim().is_empty())
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let first = if first.is_empty() {
                "error: invalid arguments".to_string()
            } else {
                first.join(" ")
            };
            let _ = writeln!(err, "{} (see --help)", crate::text::sanitize(&first));
            2
        }
    }
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
        assert!(args::parse_date("2026-11-21").is_ok());
        assert!(args::parse_date("2026-02-30").is_err());
        assert!(args::parse_date("2026-1-5").is_err());
        assert!(args::parse_date("yesterday").is_err());
        for outside in ["9999-12-31", "0000-01-01", "2018-12-31", "2200-01-01"] {
            assert!(
                args::parse_date(outside)
                    .unwrap_err()
                    .contains("2199-12-31"),
                "{outside}"
            );
        }
        assert!(args::parse_date(crate::model::policy::EARLIEST_DATE).is_ok());
        assert!(args::parse_date(crate::model::policy::LATEST_DATE).is_ok());
    }

    #[test]
    fn colour_follows_flag_then_cargo_then_no_color() {
        let env = |term: Option<&str>, no_color, tty| Env {
            cargo_term_color: term.map(str::to_string),
            no_color,
            stdout_is_terminal: tty,
            ..Env::default()
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
