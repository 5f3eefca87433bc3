//! `upgrade`: every requirement style, inherited workspace dependencies,
//! renamed and removed crates, comments kept, dry-run diffs, refusals.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURE: &str = "workspaces/upgrade-me";
const MANIFESTS: [&str; 4] = [
    "Cargo.toml",
    "app/Cargo.toml",
    "tools/Cargo.toml",
    "plugin/Cargo.toml",
];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the fixture workspace to change.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    copy_dir(&fixture(FIXTURE), &root);
    (dir, root)
}

fn upgrade(root: &Path, extra: &[&str]) -> Run {
    let manifest = root.join("Cargo.toml");
    let mut cmd = command();
    cmd.current_dir(root)
        .args(["upgrade", "--manifest-path"])
        .arg(&manifest)
        .args(["--date", DATE])
        .args(extra);
    run_cmd(&mut cmd)
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

fn snapshot_all(root: &Path) -> Vec<String> {
    MANIFESTS
        .iter()
        .map(|m| read(root, m))
        .chain([read(root, "Cargo.lock")])
        .collect()
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let (_dir, root) = workspace();
    let before = snapshot_all(&root);
    let r = upgrade(&root, &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(snapshot_all(&root), before, "a dry run writes nothing");
    assert_snapshot("upgrade-dry-run.txt", &r.stdout);
    assert!(r.stdout.lines().all(|l| l.chars().count() <= 80));
    let joined = r.stdout.replace("\n    ", " ");
    assert!(
        r.stdout
            .contains("\n-wasmtime = \"27\"                 # major only\n")
    );
    // wasi-common (a build-dependency of tools) has no Wasmtime 48 release:
    // the newest LTS cargo resolves for the whole workspace is 36.
    assert!(
        r.stdout
            .contains("\n+wasmtime = \"36\"                 # major only\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("+cranelift-entity = \"0.123\"      # Cranelift's own numbering\n")
    );
    assert!(joined.contains("wasmtime-wasi-runtime-config: last released with Wasmtime 26; replaced by `wasmtime-wasi-config`"));
    assert!(joined.contains("wasmtime-my-plugin: path dependency ../plugin: left alone"));
    assert!(
        r.stdout.contains(
            "https://github.com/bytecodealliance/wasmtime/blob/release-36.0.0/RELEASES.md"
        )
    );
}

#[test]
fn upgrade_rewrites_every_style_and_keeps_the_formatting() {
    let (_dir, root) = workspace();
    let lock_before = read(&root, "Cargo.lock");
    let r = upgrade(&root, &["--no-update"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Wrote 3 manifests."), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Cargo.lock was not updated (--no-update)")
    );
    assert_eq!(read(&root, "Cargo.lock"), lock_before);

    let ws = read(&root, "Cargo.toml");
    assert_eq!(
        ws,
        read_fixture("Cargo.toml")
            .replace("wasmtime = \"27\"", "wasmtime = \"36\"")
            .replace("\"0.114\"", "\"0.123\""),
        "only the two values changed: comments and alignment intact"
    );
    let app = read(&root, "app/Cargo.toml");
    let v48 = resolving_in_workspace(&root, 36);
    assert!(app.contains(&format!(
        "wasmtime-wasi = {{ version = \"{v48}\", default-features = false }}"
    )));
    assert!(app.contains(&format!("wiggle = \"={v48}\"")));
    assert!(app.contains("wasmtime = { workspace = true }"));
    assert!(app.contains(
        "# Renamed to wasmtime-wasi-config after 26.\nwasmtime-wasi-runtime-config = \"26\""
    ));
    assert!(app.contains(&format!(
        "[target.'cfg(unix)'.dependencies]\nwasmtime-cli-flags = \"{v48}\""
    )));
    assert_eq!(
        read(&root, "tools/Cargo.toml"),
        read_fixture("tools/Cargo.toml").replace("\"27.0\"", "\"36.0\""),
        "wasi-common moves with the rest: 36 has it"
    );
    for m in MANIFESTS {
        read(&root, m)
            .parse::<toml::Table>()
            .unwrap_or_else(|e| panic!("{m} no longer parses: {e}"));
    }
    // Run again: nothing left to change.
    let again = upgrade(&root, &["--no-update", "--dry-run"]);
    assert!(
        again.stdout.contains("No requirement needs to change."),
        "{}",
        again.stdout
    );
}

fn read_fixture(rel: &str) -> String {
    std::fs::read_to_string(fixture(FIXTURE).join(rel)).unwrap()
}

#[test]
fn targets_lts_latest_and_a_number() {
    let (_dir, root) = workspace();
    let json = |extra: &[&str]| {
        let mut args = vec!["--dry-run", "--format", "json"];
        args.extend_from_slice(extra);
        upgrade(&root, &args).json()
    };
    // wasi-common has no 48: 36 is the newest LTS cargo resolves here.
    assert_eq!(json(&[])["target"], 36, "the audit's recommended target");
    assert_eq!(json(&["--to", "lts"])["target"], 36);
    let e = upgrade(&root, &["--to", "48", "--dry-run"]);
    assert_usage_error(&e, &["wasi-common has no Wasmtime 48 release"]);
    let data = cargo_wasmtime_support::Data::embedded().unwrap();
    assert_eq!(
        json(&["--to", "36"])["target_version"],
        resolving_in_workspace(&root, 36),
        "the newest patch that resolves"
    );
    // `latest`: the newest supported release that resolves, never a
    // projection; wasi-common stops at 46, so nothing newer than 36 does here.
    let latest = json(&["--to", "latest"]);
    assert!(
        data.majors
            .contains_key(&(latest["target"].as_u64().unwrap() as u32))
    );
    assert_eq!(latest["target"], 36);
    let edits = &json(&["--to", "36"])["manifests"][0]["edits"];
    assert_eq!(edits[0]["from"], "27");
    assert_eq!(edits[0]["to"], "36");
    assert_eq!(edits[1]["to"], "0.123");
}

#[test]
fn refuses_without_writing_anything() {
    let (_dir, root) = workspace();
    let before = snapshot_all(&root);
    assert_usage_error(
        &upgrade(&root, &["--to", "60"]),
        &["Wasmtime 60 is not a released train", "2027-08-20"],
    );
    assert_usage_error(
        &upgrade(&root, &["--to", "soon"]),
        &["expected a major such as 48"],
    );
    assert_usage_error(
        &run(&["upgrade", "--lockfile", &lock("generated/wasmtime-27")]),
        &["upgrade edits the workspace's manifests"],
    );
    assert_eq!(snapshot_all(&root), before);

    // A manifest that is not valid TOML: cargo itself rejects the workspace,
    // and nothing is written.
    std::fs::write(
        root.join("tools/Cargo.toml"),
        "[package\nname = \"tools\"\n",
    )
    .unwrap();
    let r = upgrade(&root, &["--no-update"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("tools/Cargo.toml") || r.stderr.contains("could not locate"),
        "{}",
        r.stderr
    );
    assert_eq!(read(&root, "Cargo.toml"), before[0]);
    assert_eq!(read(&root, "app/Cargo.toml"), before[1]);
}

fn git(root: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn refuses_uncommitted_manifests_unless_allowed() {
    let (_dir, root) = workspace();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "start"]);
    let clean = upgrade(&root, &["--no-update", "--dry-run"]);
    assert_eq!(clean.code, 0);

    std::fs::write(
        root.join("app/Cargo.toml"),
        read(&root, "app/Cargo.toml") + "\n# local edit\n",
    )
    .unwrap();
    let edited = read(&root, "app/Cargo.toml");
    let r = upgrade(&root, &["--no-update"]);
    assert_usage_error(
        &r,
        &["uncommitted changes", "app/Cargo.toml", "--allow-dirty"],
    );
    assert_eq!(read(&root, "app/Cargo.toml"), edited);
    assert!(
        read(&root, "Cargo.toml").contains("wasmtime = \"27\""),
        "nothing written"
    );

    let r = upgrade(&root, &["--no-update", "--allow-dirty"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read(&root, "app/Cargo.toml").contains(&format!(
        "wiggle = \"={}\"\n",
        resolving_in_workspace(&root, 36)
    )));
    assert!(read(&root, "app/Cargo.toml").ends_with("# local edit\n"));
}

/// Needs crates.io: `cargo test -- --ignored`.
#[test]
#[ignore = "runs `cargo update` against the registry"]
fn a_real_upgrade_leaves_the_lockfile_on_the_target_train() {
    let (_dir, root) = workspace();
    // The renamed and the removed crate need a person; take them out first.
    let app = read(&root, "app/Cargo.toml").replace("wasmtime-wasi-runtime-config = \"26\"\n", "");
    std::fs::write(root.join("app/Cargo.toml"), app).unwrap();
    let tools = read(&root, "tools/Cargo.toml").replace(
        "[build-dependencies]\nwasi-common = { version = \"27.0\", default-features = false }\n",
        "",
    );
    std::fs::write(root.join("tools/Cargo.toml"), tools).unwrap();
    let r = run_cmd(
        command()
            .current_dir(&root)
            .args(["upgrade", "--date", DATE])
            .env_remove("CARGO_NET_OFFLINE"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let audit = run(&[
        "--lockfile",
        root.join("Cargo.lock").to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ])
    .json();
    assert_eq!(majors(&audit), [48]);
}

/// The release of `major` cargo resolves for every train of the workspace
/// at `root`, in Wasmtime's numbering.
fn resolving_in_workspace(root: &Path, major: u32) -> String {
    let audit = run(&[
        "--lockfile",
        root.join("Cargo.lock").to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ])
    .json();
    let mut crates = serde_json::json!({"crates": []});
    for t in audit["trains"].as_array().unwrap() {
        for c in t["crates"].as_array().unwrap() {
            crates["crates"].as_array_mut().unwrap().push(c.clone());
        }
    }
    let v = resolving(&crates, major, DATE, None).unwrap();
    let v = semver::Version::parse(&v).unwrap();
    format!("{major}.0.{}", v.patch)
}

#[cfg(target_os = "linux")]
#[test]
fn a_report_that_cannot_be_written_never_claims_nothing_was() {
    let (_dir, root) = workspace();
    let before = snapshot_all(&root);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else { return };
    let manifest = root.join("Cargo.toml");
    let out = command()
        .current_dir(&root)
        .args(["upgrade", "--no-update", "--manifest-path"])
        .arg(&manifest)
        .args(["--date", DATE])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(
        snapshot_all(&root),
        before,
        "the upgrade itself was written"
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the upgrade was written"), "{stderr}");
    assert!(!stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}
