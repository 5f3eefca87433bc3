//! Helpers for running the program in integration tests: in process through
//! `cargo_wasmtime_support::run` with an injected `Env` (`run`), or as the
//! real binary (`command`) where a test needs a process: its own
//! environment variables, a terminal, signals, or standard input as a pipe.
#![allow(dead_code)]

pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_cargo-wasmtime-support");
/// The date every test evaluates at, so nothing depends on today.
pub const DATE: &str = "2026-11-21";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// Lockfile path of a fixture, relative to the repository root (stable in snapshots).
pub fn lock(name: &str) -> String {
    format!("fixtures/{name}/Cargo.lock")
}

/// `name` in the tests' scratch directory: cargo's `CARGO_TARGET_TMPDIR`
/// (inside whatever target directory the build uses, never the checkout's
/// own unless that is the target directory), emptied once per test run so
/// that nothing one run left there is seen by the next.
pub fn scratch(name: &str) -> PathBuf {
    static FRESH: std::sync::Once = std::sync::Once::new();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasmtime-support-tests");
    FRESH.call_once(|| {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
    });
    dir.join(name)
}

/// An OSV API (or a bindings' registry) that refuses every connection.
pub const NO_OSV: &str = "http://127.0.0.1:1/";

pub fn command() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CARGO_TERM_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        // Never the developer's own registry cache: embedded data only, unless a test says otherwise.
        .env(
            "CARGO_WASMTIME_SUPPORT_CACHE_DIR",
            scratch("no-registry-cache"),
        )
        // Nor cargo's index cache or advisory databases.
        .env("CARGO_HOME", scratch("no-cargo-home"))
        // Nor the machine's toolchain: an unknown Rust limits nothing; a
        // test that needs one points RUSTC at a script.
        .env("RUSTC", scratch("no-rustc"))
        .env_remove("RUSTUP_TOOLCHAIN")
        // Nor OSV: a refresh asks a port nothing listens on, unless a test says otherwise.
        .env("CARGO_WASMTIME_SUPPORT_OSV_URL", NO_OSV)
        // Nor the bindings' registries.
        .env("CARGO_WASMTIME_SUPPORT_PYPI_URL", NO_OSV)
        .env("CARGO_WASMTIME_SUPPORT_RUBYGEMS_URL", NO_OSV)
        .env("CARGO_WASMTIME_SUPPORT_NUGET_URL", NO_OSV)
        .stdin(Stdio::null());
    cmd
}

pub fn run_cmd(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// The surroundings `command` gives the binary, as an `Env`: the repository
/// as the current directory, no registry cache, no cargo home of the
/// developer's, no colour. The clock is the real one, as the binary's: it
/// stamps what `refresh` fetches; every evaluation passes `--date`.
pub fn env() -> cargo_wasmtime_support::Env {
    let now = chrono::Utc::now();
    cargo_wasmtime_support::Env {
        today: now.date_naive(),
        now,
        current_dir: Some(root().to_path_buf()),
        cache_dir: Some(scratch("no-registry-cache")),
        cargo_home: Some(scratch("no-cargo-home")),
        cargo: std::env::var_os("CARGO").map(PathBuf::from),
        // No toolchain: cargo's cache of the compiler's version is looked
        // for in a target directory that does not exist.
        vars: [
            (
                "CARGO_TARGET_DIR".to_string(),
                scratch("no-target").display().to_string(),
            ),
            (
                "CARGO_WASMTIME_SUPPORT_OSV_URL".to_string(),
                NO_OSV.to_string(),
            ),
            (
                "CARGO_WASMTIME_SUPPORT_PYPI_URL".to_string(),
                NO_OSV.to_string(),
            ),
            (
                "CARGO_WASMTIME_SUPPORT_RUBYGEMS_URL".to_string(),
                NO_OSV.to_string(),
            ),
            (
                "CARGO_WASMTIME_SUPPORT_NUGET_URL".to_string(),
                NO_OSV.to_string(),
            ),
        ]
        .into(),
        ..Default::default()
    }
}

/// Runs the program in process with `env`.
pub fn run_in(env: &cargo_wasmtime_support::Env, args: &[&str]) -> Run {
    let argv = std::iter::once("cargo-wasmtime-support")
        .chain(args.iter().copied())
        .map(std::ffi::OsString::from)
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cargo_wasmtime_support::run(argv, env, &mut out, &mut err);
    Run {
        code: i32::from(code),
        stdout: String::from_utf8(out).expect("UTF-8 stdout"),
        stderr: String::from_utf8(err).expect("UTF-8 stderr"),
    }
}

/// Runs the program in process in `dir`.
pub fn run_at(dir: &Path, args: &[&str]) -> Run {
    let env = cargo_wasmtime_support::Env {
        current_dir: Some(dir.to_path_buf()),
        ..env()
    };
    run_in(&env, args)
}

/// Runs the program in process, as `command` would run the binary.
pub fn run(args: &[&str]) -> Run {
    run_in(&env(), args)
}

/// Audits fixture `name` at the test date with `extra` arguments, as JSON.
pub fn audit_json(name: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let lock = lock(name);
    let mut args = vec![
        "--lockfile",
        lock.as_str(),
        "--date",
        DATE,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert!(r.stderr.is_empty(), "unexpected stderr: {}", r.stderr);
    (r.code, r.json())
}

/// Hides the security and freshness codes, for tests about support windows.
pub const SUPPORT_ONLY: [&str; 10] = [
    "-A",
    "vulnerable",
    "-A",
    "outdated-patch",
    "-A",
    "stale-data",
    "-A",
    "yanked",
    "-A",
    "msrv-gap",
];

/// `run` with only the support-window findings.
pub fn run_support(args: &[&str]) -> Run {
    let mut all: Vec<&str> = SUPPORT_ONLY.to_vec();
    all.extend_from_slice(args);
    run(&all)
}

/// `audit_json` with only the support-window findings.
pub fn support_json(name: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args: Vec<&str> = SUPPORT_ONLY.to_vec();
    args.extend_from_slice(extra);
    audit_json(name, &args)
}

/// Asserts an error run: exit 2, nothing on stdout, one line on stderr containing every part.
pub fn assert_usage_error(r: &Run, parts: &[&str]) {
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "stdout: {}", r.stdout);
    assert_eq!(
        r.stderr.lines().count(),
        1,
        "one line expected: {:?}",
        r.stderr
    );
    for p in parts {
        assert!(r.stderr.contains(p), "{p:?} missing from {:?}", r.stderr);
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

/// Compares `actual` with the snapshot `tests/snapshots/NAME.snap` (insta:
/// `cargo insta review`, or `INSTA_UPDATE=always cargo test`, accepts a change).
pub fn assert_snapshot(name: &str, actual: &str) {
    insta::with_settings!({
        snapshot_path => root().join("tests/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, actual);
    });
}

/// The majors of the trains in a JSON report.
pub fn majors(report: &serde_json::Value) -> Vec<u64> {
    report["trains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["major"].as_u64().unwrap())
        .collect()
}

pub fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

pub fn train(report: &serde_json::Value, major: u64) -> &serde_json::Value {
    report["trains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["major"] == major)
        .unwrap_or_else(|| panic!("no train {major} in {report:#}"))
}

/// A copy of a generated one-package fixture workspace whose manifest `edit`
/// changes; returns the directory (kept alive by the caller) and the manifest.
pub fn workspace_copy(
    fixture_name: &str,
    edit: impl Fn(String) -> String,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture(fixture_name);
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::copy(from.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    let manifest = std::fs::read_to_string(from.join("Cargo.toml")).unwrap();
    let path = dir.path().join("Cargo.toml");
    std::fs::write(&path, edit(manifest)).unwrap();
    (dir, path)
}

/// A lockfile holding one crate, wasmtime `version`, written into `dir`.
pub fn lockfile_with(dir: &Path, version: &semver::Version) -> PathBuf {
    let path = dir.join("Cargo.lock");
    std::fs::write(
        &path,
        format!(
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"wasmtime\",\n]\n\n[[package]]\nname = \"wasmtime\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\n"
        ),
    )
    .unwrap();
    path
}

/// The version of `major` cargo resolves for the crates of `train` (a train
/// of a JSON report) on `date`, within `rust`: what the advice must name.
pub fn resolving(
    train: &serde_json::Value,
    major: u32,
    date: &str,
    rust: Option<&str>,
) -> Option<String> {
    let data = cargo_wasmtime_support::Data::embedded().unwrap();
    let mut crates: Vec<(String, bool)> = Vec::new();
    for c in train["crates"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap().to_string();
        if c["source"] == "registry" && !crates.iter().any(|(n, _)| *n == name) {
            crates.push((name, false));
        }
    }
    crates.sort_by_key(|(n, _)| n != "wasmtime");
    if let Some(first) = crates.first_mut() {
        first.1 = true;
    }
    let limits = cargo_wasmtime_support::Limits {
        as_of: date.parse().unwrap(),
        rust: rust.map(|r| semver::Version::parse(r).unwrap()),
        declared: rust.is_some(),
    };
    cargo_wasmtime_support::resolve(&data, major, &crates, &limits)
        .resolved()
        .map(|r| r.subject().1.to_string())
}

/// Writes a cache entry the way cargo does (with tame-index's writer).
pub fn write_cargo_entry(
    cargo_home: &std::path::Path,
    name: &str,
    lines: &[String],
) -> std::path::PathBuf {
    use tame_index::index::cache::{CacheWrite, HttpRevision, Revision};
    let home = tame_index::PathBuf::from_path_buf(cargo_home.to_path_buf()).unwrap();
    let (dir, _) =
        tame_index::utils::get_index_details("sparse+https://index.crates.io/", Some(home), true)
            .unwrap();
    let krate = tame_index::IndexKrate::from_slice(lines.join("\n").as_bytes()).unwrap();
    let path = dir
        .into_std_path_buf()
        .join(".cache")
        .join(cargo_wasmtime_support::index_path(name));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::fs::File::create(&path).unwrap();
    CacheWrite::Krate(&krate)
        .write_cache_entry(&mut f, &Revision::Http(HttpRevision::Etag("\"1\"")))
        .unwrap();
    path
}

/// The findings of `code` in a JSON report.
pub fn findings_with<'a>(r: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}
