//! The command-line interface, as clap definitions.

use crate::model::findings::{Code, Selector};
use chrono::NaiveDate;
use clap::{Parser, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo")]
pub enum Cargo {
    #[command(name = "wasmtime-support")]
    WasmtimeSupport(Cli),
}

/// Audit a Cargo.lock for Wasmtime release trains: are they still supported,
/// when does support end, and what is the LTS upgrade path?
#[derive(clap::Args, Debug)]
// Not `args_conflicts_with_subcommands`: it also rejects the global options
// before a subcommand (`--date X calendar`); `audit_only_with_subcommand`
// refuses the audit's own options there instead.
#[command(version, about, long_about = None, args_override_self = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub audit: AuditArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Fetch release facts and advisories (the registry's index and release notes, OSV) into the local cache
    Refresh(RefreshArgs),
    /// Show the release trains around a date as a Gantt chart (the project's trains marked)
    Calendar(CalendarArgs),
    /// Everything known about one version: `27.0.1`, `27`, or `crate@version`
    Status(StatusArgs),
    /// Move every family crate of the workspace's manifests to the target train in one step
    Upgrade(UpgradeArgs),
    /// Renovate or Dependabot configuration that moves the family's crates together
    BotConfig(BotConfigArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(CompletionsArgs),
    /// Print a manual page (roff): `man > cargo-wasmtime-support.1`, or a
    /// subcommand's: `man refresh > cargo-wasmtime-support-refresh.1`
    Man(ManArgs),
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print [default: the tool's own]
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

#[derive(clap::Args, Debug)]
#[command(
    group(clap::ArgGroup::new("bot").required(true).args(["renovate", "dependabot"])),
    after_help = "Examples:\n  cargo wasmtime-support bot-config --renovate\n  cargo wasmtime-support bot-config --dependabot --write\n  cargo wasmtime-support bot-config --renovate --track latest --write"
)]
pub struct BotConfigArgs {
    /// Renovate: `packageRules` (renovate.json)
    #[arg(long)]
    pub renovate: bool,

    /// Dependabot: `groups` and `ignore` (.github/dependabot.yml)
    #[arg(long)]
    pub dependabot: bool,

    /// Merge into the bot's file in the workspace root, keeping its other content
    #[arg(long)]
    pub write: bool,

    /// `lts`: stay on the workspace's LTS line, patch releases only (a non-LTS
    /// train moves up to the next LTS); `latest`: follow every monthly major
    #[arg(long, value_enum, value_name = "LINE", default_value_t = TrackArg::Lts)]
    pub track: TrackArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrackArg {
    Lts,
    Latest,
}

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  cargo wasmtime-support upgrade --dry-run\n  cargo wasmtime-support upgrade --to lts\n  cargo wasmtime-support upgrade --to 48 --no-update"
)]
pub struct UpgradeArgs {
    /// A released major (48), `lts` (the newest released LTS) or `latest` (the newest released major)
    /// [default: the audit's recommended target]
    #[arg(long, value_name = "TARGET")]
    pub to: Option<String>,

    /// Print a unified diff of every manifest it would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not run `cargo update` after writing the manifests
    #[arg(long)]
    pub no_update: bool,

    /// Write even when the manifests have uncommitted changes
    #[arg(long)]
    pub allow_dirty: bool,

    /// Allow a target older than a train in use (a downgrade)
    #[arg(long)]
    pub allow_downgrade: bool,

    /// Allow a target that needs a newer Rust than the workspace's rust-version
    #[arg(long)]
    pub ignore_rust_version: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = DataFormat::Human)]
    pub format: DataFormat,

    /// The global `--offline`, for `cargo update`.
    #[arg(skip)]
    pub offline: bool,
}

#[derive(clap::Args, Debug)]
pub struct CalendarArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ViewFormat::Human)]
    pub format: ViewFormat,

    /// Months shown after the date (and half as many before)
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=120))]
    pub months: u32,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  cargo wasmtime-support status 27.0.1\n  cargo wasmtime-support status 36\n  cargo wasmtime-support status cranelift-codegen@0.114.0"
)]
pub struct StatusArgs {
    /// A Wasmtime version (27.0.1), a major (27), or crate@version (cranelift-codegen@0.114.0)
    #[arg(value_name = "SPEC")]
    pub spec: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = DataFormat::Human)]
    pub format: DataFormat,
}

/// Options every command takes.
#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    /// Path to Cargo.toml of the workspace [default: the one of the current directory]
    #[arg(long, value_name = "PATH", global = true)]
    pub manifest_path: Option<PathBuf>,

    /// Read this Cargo.lock directly, without cargo (`-` reads standard input;
    /// repeatable); uv.lock, poetry.lock, pylock.toml, requirements*.txt,
    /// go.mod, Gemfile.lock and packages.lock.json are read for Wasmtime's
    /// bindings
    #[arg(
        long,
        value_name = "PATH",
        global = true,
        conflicts_with = "manifest_path"
    )]
    pub lockfile: Vec<PathBuf>,

    /// Evaluate support on this date instead of today (UTC; 2019-01-01 to 2199-12-31)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, global = true)]
    pub date: Option<NaiveDate>,

    /// The output format: each command has its own `--format`, copied here.
    #[arg(skip = Format::Human)]
    pub format: Format,

    /// Coloring [default: $CARGO_TERM_COLOR, else auto; auto honours NO_COLOR,
    /// CLICOLOR_FORCE and CLICOLOR]
    #[arg(long, value_enum, value_name = "WHEN", global = true)]
    pub color: Option<ColorChoice>,

    /// Read the configuration from this TOML file (the keys of
    /// `[workspace.metadata.wasmtime-support]`) instead of the manifests
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,

    /// Where the registry cache lives [default: $CARGO_WASMTIME_SUPPORT_CACHE_DIR, else $CARGO_HOME/wasmtime-support]
    #[arg(long, value_name = "DIR", global = true)]
    pub cache_dir: Option<PathBuf>,

    /// A local RustSec advisory database to read [default: the config's advisory-db, else $CARGO_HOME/advisory-db or the newest under $CARGO_HOME/advisory-dbs]
    #[arg(long, value_name = "PATH", global = true)]
    pub advisory_db: Option<PathBuf>,

    /// Never use the network (`refresh` refuses; `upgrade` passes it to cargo)
    #[arg(long, global = true)]
    pub offline: bool,
}

/// The audit's own options (ids as clap names them), refused with a subcommand.
pub const AUDIT_ONLY: [(&str, &str); 13] = [
    ("bin", "--bin"),
    ("sbom", "--sbom"),
    ("keep_going", "--keep-going"),
    ("verbose", "--verbose"),
    ("quiet", "--quiet"),
    ("deny_eol", "--deny-eol"),
    ("deny", "--deny"),
    ("warn", "--warn"),
    ("allow", "--allow"),
    ("require_lts", "--require-lts"),
    ("supported_through", "--supported-through"),
    ("exclude_dev", "--exclude-dev"),
    ("warn_within", "--warn-within"),
];

/// Options of the audit (the command run when no subcommand is given).
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// List every crate of each train, and who pulls the train in
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Print only error-level findings (nothing when there is none)
    #[arg(short, long)]
    pub quiet: bool,

    /// Fail (exit 1) when a release train is past its end of life (same as `-D eol`)
    #[arg(long)]
    pub deny_eol: bool,

    /// Make findings with this code (or `warnings`: every warning) errors
    #[arg(short = 'D', long = "deny", value_name = "CODE", value_parser = parse_selector)]
    pub deny: Vec<Selector>,

    /// Make findings with this code warnings
    #[arg(short = 'W', long = "warn", value_name = "CODE", value_parser = parse_selector)]
    pub warn: Vec<Selector>,

    /// Hide findings with this code
    #[arg(short = 'A', long = "allow", value_name = "CODE", value_parser = parse_selector)]
    pub allow: Vec<Selector>,

    /// Make not-lts findings errors: every train must be an LTS release
    #[arg(long)]
    pub require_lts: bool,

    /// Pre-release check: every train must still be supported on this date (unsupported-on)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub supported_through: Option<NaiveDate>,

    /// Leave out trains that only dev-dependencies pull in
    #[arg(long)]
    pub exclude_dev: bool,

    /// Audit a Rust binary built with `cargo auditable` (its embedded
    /// dependency list; the binary is never run; repeatable)
    #[arg(long = "bin", value_name = "PATH")]
    pub bin: Vec<PathBuf>,

    /// Audit an SBOM: CycloneDX JSON 1.4-1.6 or SPDX JSON 2.3 (repeatable)
    #[arg(long, value_name = "PATH")]
    pub sbom: Vec<PathBuf>,

    /// Audit the other inputs when one cannot be read (it is named on stderr,
    /// and the exit code is 2)
    #[arg(long)]
    pub keep_going: bool,

    /// Changed Cargo.lock or Cargo.toml files (as pre-commit passes them): the
    /// lockfile of each one's workspace is audited
    #[arg(value_name = "FILE", conflicts_with_all = ["lockfile", "manifest_path"])]
    pub files: Vec<PathBuf>,

    /// Warn (eol-soon) when a train's end of life is at most this many days away [default: 30]
    #[arg(long, value_name = "DAYS")]
    pub warn_within: Option<u32>,
}

#[derive(clap::Args, Debug)]
pub struct RefreshArgs {
    /// The sparse index to read [default: the config's index-url, else https://index.crates.io/]
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,

    /// The OSV API to ask for advisories [default: $CARGO_WASMTIME_SUPPORT_OSV_URL, else the config's osv-url, else https://api.osv.dev/]
    #[arg(long, value_name = "URL")]
    pub osv_url: Option<String>,

    /// PyPI, for wasmtime-py's releases [default: $CARGO_WASMTIME_SUPPORT_PYPI_URL, else https://pypi.org/]
    #[arg(long, value_name = "URL")]
    pub pypi_url: Option<String>,

    /// RubyGems, for wasmtime-rb's releases [default: $CARGO_WASMTIME_SUPPORT_RUBYGEMS_URL, else https://rubygems.org/]
    #[arg(long, value_name = "URL")]
    pub rubygems_url: Option<String>,

    /// NuGet, for wasmtime-dotnet's releases [default: $CARGO_WASMTIME_SUPPORT_NUGET_URL, else https://api.nuget.org/]
    #[arg(long, value_name = "URL")]
    pub nuget_url: Option<String>,

    /// Give up after this many seconds in all (each request also times out after 30 s)
    #[arg(long, value_name = "SECONDS", default_value_t = crate::input::registry::DEFAULT_DEADLINE.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,

    /// Maintainers: also rewrite DIR/releases.json (the embedded data) with what was fetched
    #[arg(long, value_name = "DIR")]
    pub write_data: Option<PathBuf>,

    /// Maintainers, with --write-data: a release branch's RELEASES.md whose `## N.0.0`
    /// section updates DIR/release-notes.json (repeatable)
    #[arg(long, value_name = "FILE", requires = "write_data")]
    pub release_notes: Vec<PathBuf>,
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

/// The formats of `calendar`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ViewFormat {
    Human,
    Json,
    /// A table and a Mermaid chart
    Markdown,
}

/// The formats of `status` and `upgrade`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    Human,
    Json,
}

impl From<ViewFormat> for Format {
    fn from(f: ViewFormat) -> Format {
        match f {
            ViewFormat::Human => Format::Human,
            ViewFormat::Json => Format::Json,
            ViewFormat::Markdown => Format::Markdown,
        }
    }
}

impl From<DataFormat> for Format {
    fn from(f: DataFormat) -> Format {
        match f {
            DataFormat::Human => Format::Human,
            DataFormat::Json => Format::Json,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    use crate::model::policy::{EARLIEST_DATE, LATEST_DATE, date_in_range};
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .ok_or_else(|| "expected a calendar date as YYYY-MM-DD".to_string())?;
    if date_in_range(date) {
        Ok(date)
    } else {
        Err(format!(
            "expected a date from {EARLIEST_DATE} to {LATEST_DATE} (the range the release calendar is evaluated in)"
        ))
    }
}

fn parse_selector(s: &str) -> Result<Selector, String> {
    Selector::parse(s).ok_or_else(|| {
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        format!(
            "unknown finding code; expected `warnings` or one of: {}",
            codes.join(", ")
        )
    })
}
