//! Reads that could block or run away, standard input, escaping and the
//! one-line messages, on files made by each test.

use crate::common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd`, killing it (and failing) if it is still running after 30 s.
fn run_bounded(cmd: &mut Command) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("hung: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn copy_lock(dir: &Path) -> String {
    let path = dir.join("Cargo.lock");
    std::fs::copy(root().join(lock("generated/wasmtime-27")), &path).unwrap();
    path.display().to_string()
}

fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_beside_the_lockfile_is_skipped_never_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let lockfile = copy_lock(dir.path());
    if !mkfifo(&dir.path().join("Cargo.toml")) {
        return;
    }
    let r = run_bounded(command().args(["--lockfile", &lockfile, "--date", DATE]));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    std::fs::remove_file(dir.path().join("Cargo.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("Cargo.toml")).unwrap();
    let r = run_bounded(command().args(["--lockfile", &lockfile, "--date", DATE]));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_fifo_given_as_the_lockfile_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("Cargo.lock");
    if !mkfifo(&fifo) {
        return;
    }
    let r = run_bounded(command().args(["--lockfile", fifo.to_str().unwrap(), "--date", DATE]));
    assert_usage_error(&r, &["Cargo.lock", "not a regular file"]);
}

#[test]
fn standard_input_reads_no_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let lockfile = copy_lock(dir.path());
    // A manifest here would declare an old Rust (an msrv-gap) if it were read.
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\nrust-version = \"1.20\"\n",
    )
    .unwrap();
    let beside = run_at(
        dir.path(),
        &["--lockfile", &lockfile, "--date", DATE, "--format", "json"],
    );
    assert!(
        codes(&beside.json()).contains(&"msrv-gap".to_string()),
        "the check can fail"
    );
    let env = cargo_wasmtime_support::Env {
        current_dir: Some(dir.path().to_path_buf()),
        stdin: cargo_wasmtime_support::Stdin::Given(std::fs::read(&lockfile).unwrap()),
        ..env()
    };
    let piped = run_in(
        &env,
        &["--lockfile", "-", "--date", DATE, "--format", "json"],
    );
    assert!(
        !codes(&piped.json()).contains(&"msrv-gap".to_string()),
        "{}",
        piped.stdout
    );
}

#[test]
fn standard_input_has_one_name_in_messages() {
    let mut cmd = command();
    cmd.args(["--lockfile", "-", "--date", DATE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"version = 3\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: -: "), "{stderr}");
    assert!(!stderr.contains("<stdin>"));
}

#[test]
fn an_explicit_version_2_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Cargo.lock");
    std::fs::write(
        &path,
        "version = 2\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let r = run(&["--lockfile", path.to_str().unwrap(), "--date", DATE]);
    assert_usage_error(
        &r,
        &[
            "Cargo.lock:1:",
            "format version 2",
            "formats 1 and 2, which have no `version` line",
        ],
    );
}

fn project(dir: &Path, manifest: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    copy_lock(dir);
}

const PACKAGE: &str =
    "[package]\nname = \"fixture-wasmtime-27\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

#[test]
fn cargo_metadata_errors_keep_the_place() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), &format!("{PACKAGE}\n\n\n[dependencies\n"));
    let r = run_at(dir.path(), &["--date", DATE]);
    assert_usage_error(&r, &["Cargo.toml:8:", "unclosed table"]);
}

#[test]
fn manifest_path_to_a_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&[
        "--manifest-path",
        dir.path().to_str().unwrap(),
        "--date",
        DATE,
    ]);
    assert_usage_error(&r, &["is a directory", "Cargo.toml"]);
}

#[test]
fn a_toml_date_is_a_date_in_the_config() {
    let dir = tempfile::tempdir().unwrap();
    project(
        dir.path(),
        &format!(
            "{PACKAGE}\n[dependencies]\nwasmtime = \"27\"\n\n[package.metadata.wasmtime-support]\nsupported-through = 2027-06-30\n"
        ),
    );
    let r = run_at(dir.path(), &["--date", DATE, "--format", "json"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn an_unreadable_home_with_no_cache_adds_no_warning() {
    let r = run_cmd(
        command()
            .env_remove("CARGO_WASMTIME_SUPPORT_CACHE_DIR")
            .env_remove("CARGO_HOME")
            .env("HOME", "/dev/null/home")
            .args(["--lockfile", &lock("generated/wasmtime-27"), "--date", DATE]),
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn an_unwritable_step_summary_keeps_the_annotations() {
    let r = run_cmd(
        command()
            .env("GITHUB_STEP_SUMMARY", "/dev/null/summary.md")
            .args([
                "--lockfile",
                &lock("generated/wasmtime-27"),
                "--date",
                DATE,
                "--format",
                "github",
            ]),
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("::error") || r.stdout.contains("::warning"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.starts_with("warning: /dev/null/summary.md"),
        "{}",
        r.stderr
    );
}

#[cfg(target_os = "linux")]
#[test]
fn help_into_a_full_device_fails() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let r = run_cmd(command().arg("--help").stdout(full));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot write the output"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_fifo_as_the_step_summary_never_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("summary");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return;
    }
    let mut child = command()
        .env("GITHUB_STEP_SUMMARY", &fifo)
        .args([
            "--lockfile",
            &lock("spin"),
            "--format",
            "github",
            "--date",
            DATE,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let status = status.expect("the run blocked on the FIFO");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_ne!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("step summary"), "{stderr}");
}

#[test]
fn invisible_characters_in_crate_names_are_shown_never_printed_raw() {
    let odd = "wasmtime-x\u{3164}\u{200d}\u{fe0f}";
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("Cargo.lock");
    std::fs::write(
        &lock,
        format!(
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"wasmtime\",\n]\n\n[[package]]\nname = \"wasmtime\"\nversion = \"48.0.2\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\n \"{odd}\",\n]\n\n[[package]]\nname = \"{odd}\"\nversion = \"48.0.2\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        ),
    )
    .unwrap();
    for args in [
        vec!["--lockfile", lock.to_str().unwrap(), "--date", DATE, "-v"],
        vec!["--lockfile", lock.to_str().unwrap(), "--date", DATE, "-q"],
    ] {
        let r = run(&args);
        assert_ne!(r.code, 2, "{}", r.stderr);
        for c in ['\u{3164}', '\u{200d}', '\u{fe0f}'] {
            assert!(!r.stdout.contains(c), "{c:?} printed raw:\n{}", r.stdout);
        }
    }
    let r = run(&["--lockfile", lock.to_str().unwrap(), "--date", DATE, "-v"]);
    assert!(r.stdout.contains("\\u{3164}"), "{}", r.stdout);
}
