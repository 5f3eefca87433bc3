//! The whole run as users start it, through cargo: `cargo wasmtime-support`
//! in Wasmtime's own 98-member workspace (fixtures/workspaces, stubbed in a
//! temporary directory) against a cargo subcommand that does nothing, the
//! floor set by rustup's proxy and cargo's dispatch. Runs are interleaved
//! (ABAB..., the order flipped every round) so that load on the machine
//! falls on both alike; the medians and their ratio are printed (the goal is
//! at most 1.3x). `cargo bench --bench through_cargo`; `ROUNDS=n` sets the
//! number of rounds (default 41). See docs/performance.md.

#[path = "../tests/integration/common/stub.rs"]
mod stub;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-wasmtime-support");
const WORKSPACE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/workspaces/wasmtime-e6b33de513"
);

fn main() {
    // `cargo bench` passes `--bench`; this is no divan benchmark, nothing to filter.
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(41);
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let ws = tmp.path().join("wasmtime");
    stub::stubbed_copy(Path::new(WORKSPACE), &ws);
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let ext = std::env::consts::EXE_SUFFIX;
    std::fs::copy(BIN, bin.join(format!("cargo-wasmtime-support{ext}"))).unwrap();
    let noop = tmp.path().join("noop.rs");
    std::fs::write(&noop, "fn main() {}\n").unwrap();
    let built = Command::new("rustc")
        .args(["-O", "-o"])
        .arg(bin.join(format!("cargo-noop{ext}")))
        .arg(&noop)
        .status()
        .expect("rustc runs");
    assert!(built.success(), "cannot build the do-nothing subcommand");
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let cache = tmp.path().join("no-cache");

    let cargo = |args: &[&str]| {
        let mut cmd = Command::new("cargo");
        cmd.args(args)
            .current_dir(&ws)
            .env("PATH", &path)
            .env("CARGO_WASMTIME_SUPPORT_CACHE_DIR", &cache)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    };
    let mut commands: Vec<(&str, Command)> = vec![
        ("cargo noop", cargo(&["noop"])),
        (
            "cargo wasmtime-support",
            cargo(&["wasmtime-support", "--date", "2026-11-21"]),
        ),
        (
            "cargo metadata --no-deps --offline",
            cargo(&[
                "metadata",
                "--no-deps",
                "--offline",
                "--format-version",
                "1",
            ]),
        ),
    ];
    // The two programs started directly: what each adds to cargo's dispatch.
    let direct = |program: &str, args: &[&str]| {
        let mut cmd = Command::new(bin.join(format!("{program}{ext}")));
        cmd.args(args)
            .current_dir(&ws)
            .env("CARGO_WASMTIME_SUPPORT_CACHE_DIR", &cache)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    };
    commands.push(("cargo-noop (direct)", direct("cargo-noop", &[])));
    commands.push((
        "cargo-wasmtime-support (direct)",
        direct(
            "cargo-wasmtime-support",
            &["wasmtime-support", "--date", "2026-11-21"],
        ),
    ));
    // The audit exits 1 when it finds errors; anything else is a broken setup.
    for (name, cmd) in &mut commands {
        let status = cmd.status().expect("cargo runs");
        assert!(
            matches!(status.code(), Some(0 | 1)),
            "`{name}` failed: {status}"
        );
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); commands.len()];
    for round in 0..rounds {
        let n = commands.len();
        for k in 0..n {
            let i = if round % 2 == 0 { k } else { n - 1 - k };
            let start = Instant::now();
            let _ = commands[i].1.status();
            times[i].push(start.elapsed());
        }
    }
    let medians: Vec<Duration> = times.iter_mut().map(|t| median(t)).collect();
    let mut out = String::new();
    out.push_str(&format!(
        "{rounds} interleaved rounds in the Wasmtime workspace (98 members):\n"
    ));
    for ((name, _), m) in commands.iter().zip(&medians) {
        out.push_str(&format!(
            "  {name:<36} median {:>7.1} ms\n",
            m.as_secs_f64() * 1e3
        ));
    }
    out.push_str(&format!(
        "  cargo wasmtime-support / cargo noop: {:.2}x (goal: at most 1.3x)\n",
        medians[1].as_secs_f64() / medians[0].as_secs_f64()
    ));
    std::io::stdout()
        .write_all(out.as_bytes())
        .expect("stdout is writable");
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}
