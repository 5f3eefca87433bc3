//! Every version the advice names resolves with real cargo. Projects on each
//! release line (default features, and with `wasmtime-wasi`) are resolved
//! offline by cargo from the registry's index entries of 2026-12-05
//! (`tests/data/resolve/`); the audit of each lockfile names versions, and a
//! project pinning each of them must resolve too.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The day the index entries were taken.
const DAY: &str = "2026-12-05";

/// A cargo home whose index cache holds the recorded entries, and nothing else.
fn cargo_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = root().join("tests/data/resolve/index");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let lines: Vec<String> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        write_cargo_entry(home.path(), &name, &lines);
    }
    home
}

fn project(dir: &Path, deps: &[(&str, String)]) -> PathBuf {
    let mut manifest =
        "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"
            .to_string();
    for (name, req) in deps {
        manifest.push_str(&format!("{name} = \"{req}\"\n"));
    }
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    dir.join("Cargo.lock")
}

/// `cargo generate-lockfile --offline`: `Err` with cargo's first error line.
fn generate(home: &Path, dir: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["generate-lockfile", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_HOME", home)
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .unwrap();
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(err
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or(&err)
        .to_string())
}

/// Every (major, version) the audit names in Wasmtime's numbering: each
/// train's newest patch, the LTS target, the move back, the release that
/// restores support and the one to move to by a train's EOL.
fn named(report: &serde_json::Value) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    for t in report["trains"].as_array().unwrap() {
        let u = &t["upgrade"];
        let mut push = |major: &serde_json::Value, version: &serde_json::Value| {
            if let (Some(m), Some(v)) = (major.as_u64(), version.as_str()) {
                out.push((m, v.to_string()));
            }
        };
        push(&t["major"], &t["newest_patch"]);
        push(&u["target"], &u["target_version"]);
        push(&u["alternative"]["major"], &u["alternative"]["version"]);
        push(&u["restore"]["major"], &u["restore"]["version"]);
        push(&u["move_by"]["next_major"], &u["move_by"]["next_version"]);
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_version_the_advice_names_resolves_with_cargo() {
    let home = cargo_home();
    let work = tempfile::tempdir().unwrap();
    let mut checked = Vec::new();
    for major in [24, 36, 48, 49, 50] {
        for wasi in [false, true] {
            let mut deps = vec![("wasmtime", major.to_string())];
            if wasi {
                deps.push(("wasmtime-wasi", major.to_string()));
            }
            let dir = work.path().join(format!("on-{major}-{wasi}"));
            let lock = project(&dir, &deps);
            generate(home.path(), &dir).unwrap_or_else(|e| panic!("{deps:?}: {e}"));
            let report = run(&[
                "--lockfile",
                lock.to_str().unwrap(),
                "--date",
                DAY,
                "--format",
                "json",
            ])
            .json();
            for (m, version) in named(&report) {
                let mut pinned = vec![("wasmtime", format!("={version}"))];
                if wasi {
                    pinned.push(("wasmtime-wasi", m.to_string()));
                }
                let dir = work.path().join(format!("pin-{major}-{wasi}-{version}"));
                project(&dir, &pinned);
                generate(home.path(), &dir).unwrap_or_else(|e| {
                    panic!(
                        "a project on {deps:?} is told {version}, which cargo cannot resolve: {e}"
                    )
                });
                checked.push(version);
            }
        }
    }
    assert!(
        checked.len() >= 10,
        "the advice names versions: {checked:?}"
    );
}

#[test]
fn what_the_advice_leaves_out_fails_in_cargo_too() {
    // The check above can fail: cargo refuses the newest published 48 for a
    // project with default features, which the tool never names.
    let home = cargo_home();
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), &[("wasmtime", "=48.0.11".to_string())]);
    let e = generate(home.path(), dir.path()).unwrap_err();
    assert!(e.contains("wasmtime-internal-wit-bindgen"), "{e}");
}
