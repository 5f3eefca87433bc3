//! `upgrade` on workspaces made by the test, in temporary git repositories:
//! bytes it does not own stay (CRLF, BOM, quote style), all-or-nothing writes
//! with byte-for-byte restore, the dirty check, target choice (never an
//! unpublished or end-of-life release, downgrades and Rust versions said and
//! refused), `[patch]`/`[replace]` listed, escaping of manifest text.

use crate::common::*;
use cargo_wasmtime_support::Data;
use cargo_wasmtime_support::policy;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A minimal lockfile: the package `app` depending on `crates` (name, version).
fn lockfile(crates: &[(&str, &str)]) -> String {
    let mut s = String::from(
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n",
    );
    for (n, v) in crates {
        s.push_str(&format!(" \"{n} {v}\",\n"));
    }
    s.push_str("]\n");
    for (n, v) in crates {
        s.push_str(&format!(
            "\n[[package]]\nname = \"{n}\"\nversion = \"{v}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        ));
    }
    s
}

/// A one-package workspace in a fresh, committed git repository.
fn workspace(manifest: &str, crates: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "").unwrap();
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(root.join("Cargo.lock"), lockfile(crates)).unwrap();
    commit_all(&root);
    (dir, root)
}

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {:?}", out);
}

fn commit_all(root: &Path) {
    if !root.join(".git").exists() {
        git(root, &["init", "-q"]);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", "state"]);
}

fn upgrade(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["upgrade", "--date", DATE];
    args.extend_from_slice(extra);
    run_at(root, &args)
}

fn bytes(root: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(root.join(rel)).unwrap()
}

const HEAD: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

#[test]
fn only_the_version_text_changes_crlf_bom_and_quotes_stay() {
    let manifest = format!(
        "\u{feff}{}\n[dependencies]\r\nwasmtime = '27'  # literal\r\ncranelift-codegen = {{ version = '''0.114.0''' }}\r\nwasmtime-wasi = \"27.0.0\"\r\n",
        HEAD.replace('\n', "\r\n")
    );
    let (_d, root) = workspace(
        &manifest,
        &[("wasmtime", "27.0.0"), ("cranelift-codegen", "0.114.0")],
    );
    let r = upgrade(&root, &["--to", "lts", "--no-update"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let data = Data::embedded().unwrap();
    let lts = policy::newest_released_lts(DATE.parse().unwrap()).unwrap();
    let held = serde_json::json!({"crates": [
        {"name": "wasmtime", "source": "registry"},
        {"name": "cranelift-codegen", "source": "registry"},
    ]});
    let resolves = resolving(&held, lts, DATE, None).unwrap();
    let patch = semver::Version::parse(&resolves).unwrap().patch;
    let cl = u64::from(lts) + 87;
    // wasmtime-wasi is not in the lockfile: its newest release up to that
    // patch (it is not published at every one).
    let wasi = data
        .published
        .major(lts)
        .versions("wasmtime-wasi")
        .iter()
        .filter(|v| v.version.patch <= patch && !v.yanked)
        .map(|v| v.version.clone())
        .max()
        .unwrap();
    let expected = manifest
        .replace("'27'", &format!("'{lts}'"))
        .replace("'''0.114.0'''", &format!("'''0.{cl}.{patch}'''"))
        .replace("\"27.0.0\"", &format!("\"{wasi}\""));
    assert_eq!(
        String::from_utf8(bytes(&root, "Cargo.toml")).unwrap(),
        expected
    );
}

/// A `cargo` that fails after scribbling on the lockfile.
fn failing_cargo(dir: &Path) -> PathBuf {
    let script = dir.join("fake-cargo");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ \"$1\" != update ]; then exec '{}' \"$@\"; fi\nfor a in \"$@\"; do last=$a; done\necho garbage >> \"$(dirname \"$last\")/Cargo.lock\"\necho 'error: failed to select a version for `wasmtime`' >&2\nexit 101\n",
            std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

#[cfg(unix)]
#[test]
fn a_failing_cargo_update_restores_every_byte() {
    let manifest = format!("{HEAD}\n[dependencies]\nwasmtime = \"27\"\n");
    let (dir, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let member =
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\n\n[dependencies]\nwiggle = \"27\"\n";
    std::fs::create_dir_all(root.join("b/src")).unwrap();
    std::fs::write(root.join("b/src/lib.rs"), "").unwrap();
    std::fs::write(root.join("b/Cargo.toml"), member).unwrap();
    let ws = manifest.replace(
        "[dependencies]",
        "[workspace]\nmembers = [\"b\"]\n\n[dependencies]",
    );
    std::fs::write(root.join("Cargo.toml"), &ws).unwrap();
    commit_all(&root);
    let before = [
        bytes(&root, "Cargo.toml"),
        bytes(&root, "b/Cargo.toml"),
        bytes(&root, "Cargo.lock"),
    ];
    let cargo = failing_cargo(dir.path());

    let r = run_cmd(
        command()
            .current_dir(&root)
            .env("CARGO", &cargo)
            .args(["upgrade", "--date", DATE, "--to", "lts"]),
    );
    assert_usage_error(
        &r,
        &[
            "cargo update",
            "failed to select",
            "restored",
            "b/Cargo.toml",
            "Cargo.lock",
        ],
    );
    let after = [
        bytes(&root, "Cargo.toml"),
        bytes(&root, "b/Cargo.toml"),
        bytes(&root, "Cargo.lock"),
    ];
    assert_eq!(after, before, "every byte restored");

    let r = run_cmd(
        command()
            .current_dir(&root)
            .env("CARGO", &cargo)
            .args(["upgrade", "--date", DATE, "--to", "lts", "--format", "json"]),
    );
    assert_eq!(r.code, 2);
    let doc = r.json();
    let restored: Vec<&str> = doc["restored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        restored.contains(&"Cargo.toml") && restored.contains(&"b/Cargo.toml"),
        "{doc}"
    );
    assert!(doc["error"].as_str().unwrap().contains("cargo update"));
    assert_eq!(doc["written"].as_array().unwrap().len(), 0);
    let after = [
        bytes(&root, "Cargo.toml"),
        bytes(&root, "b/Cargo.toml"),
        bytes(&root, "Cargo.lock"),
    ];
    assert_eq!(after, before);
}

#[test]
fn the_dirty_check_sees_unusual_names_and_symlink_targets() {
    let manifest = format!(
        "{HEAD}\n[workspace]\nmembers = [\"my app é\"]\n\n[dependencies]\nwasmtime = \"27\"\n"
    );
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let member_dir = root.join("my app é");
    std::fs::create_dir_all(member_dir.join("src")).unwrap();
    std::fs::write(member_dir.join("src/lib.rs"), "").unwrap();
    let member =
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\n\n[dependencies]\nwiggle = \"27\"\n";
    std::fs::write(member_dir.join("Cargo.toml"), member).unwrap();
    commit_all(&root);
    std::fs::write(
        member_dir.join("Cargo.toml"),
        format!("{member}# local edit\n"),
    )
    .unwrap();
    let before = bytes(&root, "Cargo.toml");
    let r = upgrade(&root, &["--to", "lts", "--no-update"]);
    assert_usage_error(&r, &["uncommitted changes", "my app é/Cargo.toml"]);
    assert_eq!(bytes(&root, "Cargo.toml"), before, "nothing written");
    git(&root, &["checkout", "--", "."]);

    #[cfg(unix)]
    {
        // The member's manifest is a link to a tracked file elsewhere in the
        // repository; the link is unchanged, its target is edited.
        std::fs::create_dir_all(root.join("shared")).unwrap();
        std::fs::rename(member_dir.join("Cargo.toml"), root.join("shared/b.toml")).unwrap();
        std::os::unix::fs::symlink("../shared/b.toml", member_dir.join("Cargo.toml")).unwrap();
        commit_all(&root);
        std::fs::write(
            root.join("shared/b.toml"),
            format!("{member}# local edit\n"),
        )
        .unwrap();
        let r = upgrade(&root, &["--to", "lts", "--no-update"]);
        assert_usage_error(&r, &["uncommitted changes", "Cargo.toml"]);
        assert_eq!(bytes(&root, "Cargo.toml"), before);

        git(&root, &["checkout", "--", "."]);
        let r = upgrade(&root, &["--to", "lts", "--no-update"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let link = member_dir.join("Cargo.toml");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "still a link"
        );
        assert!(
            !std::fs::read_to_string(root.join("shared/b.toml"))
                .unwrap()
                .contains("\"27\"")
        );
    }
}

#[test]
fn a_supported_non_lts_train_is_never_nothing_to_upgrade() {
    // 50 on the test date: released 2026-10-20, supported until 2026-12-20.
    let manifest = format!("{HEAD}\n[dependencies]\nwasmtime = \"50\"\n");
    let (_d, root) = workspace(&manifest, &[("wasmtime", "50.0.1")]);
    let r = upgrade(&root, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("Nothing to upgrade"), "{}", r.stdout);
    let eol = policy::eol_date(50).unwrap().to_string();
    assert!(
        r.stdout
            .contains(&format!("Wasmtime 50 is supported until {eol}")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("--allow-downgrade"), "{}", r.stdout);
    assert!(
        r.stdout.lines().all(|l| l.chars().count() <= 80),
        "{}",
        r.stdout
    );
    assert_eq!(bytes(&root, "Cargo.toml"), manifest.as_bytes());
}

#[test]
fn a_downgrade_is_said_and_needs_the_flag() {
    let manifest = format!(
        "{HEAD}\n[dependencies]\nwasmtime = \"27\"\nwt50 = {{ package = \"wasmtime\", version = \"50\" }}\n"
    );
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0"), ("wasmtime", "50.0.1")]);
    let r = upgrade(&root, &["--no-update"]);
    assert_usage_error(&r, &["would downgrade Wasmtime 50", "--allow-downgrade"]);
    let r = upgrade(&root, &["--to", "36", "--no-update"]);
    assert_usage_error(&r, &["downgrade", "--allow-downgrade"]);
    assert_eq!(
        bytes(&root, "Cargo.toml"),
        manifest.as_bytes(),
        "refusals write nothing"
    );

    let r = upgrade(&root, &["--dry-run", "--allow-downgrade"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Wasmtime 27 -> 48: upgrade"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Wasmtime 50 -> 48: downgrade"),
        "{}",
        r.stdout
    );
    let doc = upgrade(
        &root,
        &["--dry-run", "--allow-downgrade", "--format", "json"],
    )
    .json();
    assert_eq!(doc["trains"][1]["change"], "downgrade");
}

#[test]
fn targets_are_published_supported_releases() {
    let manifest = format!("{HEAD}\n[dependencies]\nwasmtime = \"27\"\n");
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let data = Data::embedded().unwrap();
    let date: chrono::NaiveDate = DATE.parse().unwrap();
    // An end-of-life target on the date is refused.
    let eol = *data
        .majors
        .keys()
        .rev()
        .find(|&&m| !policy::is_supported(m, date) && m > 27)
        .unwrap();
    assert_usage_error(
        &upgrade(&root, &["--to", &eol.to_string(), "--dry-run"]),
        &["end of life"],
    );
    // `latest` is the newest major the data knows published, with its newest
    // non-yanked patch; never a projection from the calendar.
    let newest = *data
        .majors
        .iter()
        .rev()
        .find(|(_, f)| f.latest_patch().is_some())
        .unwrap()
        .0;
    let doc = upgrade(&root, &["--to", "latest", "--dry-run", "--format", "json"]).json();
    assert_eq!(doc["target"], newest);
    let version = data.majors[&newest]
        .latest_patch()
        .unwrap()
        .version
        .to_string();
    assert_eq!(doc["target_version"], version);
    let calendar = policy::newest_released(date).unwrap();
    let notes = doc["notes"].to_string();
    if calendar > newest {
        assert!(
            notes.contains(&format!(
                "Wasmtime {calendar} is {}",
                data.publication(calendar, date).phrase(data.data_date)
            )),
            "{notes}"
        );
        assert_usage_error(
            &upgrade(&root, &["--to", &calendar.to_string(), "--dry-run"]),
            &["no published Wasmtime", "refresh"],
        );
    }
    for edit in doc["manifests"][0]["edits"].as_array().unwrap() {
        let to = edit["to"].as_str().unwrap();
        assert!(to == newest.to_string() || to == version, "{to}");
    }
}

#[test]
fn a_newer_rust_than_the_workspace_declares_is_said_and_refused() {
    let data = Data::embedded().unwrap();
    let lts = policy::newest_released_lts(DATE.parse().unwrap()).unwrap();
    let Some(needed) = data.majors[&lts].rust_version.clone() else {
        return;
    };
    let manifest = HEAD.replace("edition", "rust-version = \"1.60\"\nedition")
        + "\n[dependencies]\nwasmtime = \"27\"\n";
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let need = format!("needs Rust {}.{}", needed.major, needed.minor);
    assert_usage_error(
        &upgrade(&root, &["--no-update"]),
        &[&need, "rust-version 1.60", "--ignore-rust-version"],
    );
    assert_eq!(bytes(&root, "Cargo.toml"), manifest.as_bytes());
    let r = upgrade(&root, &["--dry-run", "--ignore-rust-version"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&need), "{}", r.stdout);
}

#[test]
fn patch_and_replace_entries_are_listed_not_changed() {
    let manifest = format!(
        "{HEAD}\n[dependencies]\nwasmtime = \"27\"\n\n[patch.crates-io]\nwasmtime = {{ git = \"https://example.com/fork\" }}\n\n[patch.'https://github.com/bytecodealliance/wasmtime']\ncranelift-codegen = {{ git = \"https://example.com/cl\" }}\n"
    );
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let r = upgrade(&root, &["--to", "lts", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.stdout.replace("\n    ", " ");
    assert!(
        out.contains("[patch.crates-io] wasmtime: [patch.crates-io] entry: not changed"),
        "{out}"
    );
    assert!(
        out.contains(
            "cranelift-codegen: [patch.https://github.com/bytecodealliance/wasmtime] entry"
        ),
        "{out}"
    );
    let doc = upgrade(&root, &["--to", "lts", "--dry-run", "--format", "json"]).json();
    let reasons: Vec<&str> = doc["manifests"][0]["untouched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["patch", "patch"]);

    let manifest = format!(
        "{HEAD}\n[dependencies]\nwasmtime = \"27\"\n\n[replace]\n\"wasmtime-wasi:27.0.0\" = {{ git = \"https://example.com/wasi\" }}\n"
    );
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let r = upgrade(&root, &["--to", "lts", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.stdout.replace("\n    ", " ");
    assert!(
        out.contains("[replace] wasmtime-wasi:27.0.0: [replace] entry: not changed"),
        "{out}"
    );
}

#[test]
fn manifest_text_is_escaped_in_the_report_and_the_diff() {
    let manifest = format!(
        "{HEAD}\n[dependencies]\nwasmtime = \"27\" # \u{202e} reversed comment\nfork = {{ package = \"wasmtime-wast\", git = \"https://e.com/\\u001b]52;c;aGk=\\u0007\\u202e\" }}\n"
    );
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let r = upgrade(&root, &["--to", "lts", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains('\u{1b}')
            && !r.stdout.contains('\u{7}')
            && !r.stdout.contains('\u{202e}'),
        "{:?}",
        r.stdout
    );
    assert!(r.stdout.contains("\\u{1b}]52;c;aGk="), "{}", r.stdout);
}

#[test]
fn a_read_only_manifest_stops_the_upgrade_before_any_write() {
    let manifest = format!(
        "{HEAD}\n[workspace]\nmembers = [\"b\", \"c\"]\n\n[dependencies]\nwasmtime = \"27\"\n"
    );
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    for m in ["b", "c"] {
        std::fs::create_dir_all(root.join(m).join("src")).unwrap();
        std::fs::write(root.join(m).join("src/lib.rs"), "").unwrap();
        std::fs::write(
            root.join(m).join("Cargo.toml"),
            format!("[package]\nname = \"{m}\"\nversion = \"0.1.0\"\n\n[dependencies]\nwiggle = \"27\"\n"),
        )
        .unwrap();
    }
    commit_all(&root);
    let last = root.join("c/Cargo.toml");
    let mut perms = std::fs::metadata(&last).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&last, perms).unwrap();
    let before = [
        bytes(&root, "Cargo.toml"),
        bytes(&root, "b/Cargo.toml"),
        bytes(&root, "c/Cargo.toml"),
    ];
    let r = upgrade(&root, &["--to", "lts", "--no-update"]);
    assert_usage_error(&r, &["c/Cargo.toml", "read-only", "nothing was written"]);
    let after = [
        bytes(&root, "Cargo.toml"),
        bytes(&root, "b/Cargo.toml"),
        bytes(&root, "c/Cargo.toml"),
    ];
    assert_eq!(after, before);
    let doc = upgrade(&root, &["--to", "lts", "--no-update", "--format", "json"]);
    assert_eq!(doc.code, 2);
    let doc = doc.json();
    assert!(
        doc["error"].as_str().unwrap().contains("read-only"),
        "{doc}"
    );
    assert_eq!(doc["written"].as_array().unwrap().len(), 0);
}

/// A `rustc` that says it is `version`, for `$RUSTC`.
fn fake_rustc(dir: &Path, version: &str) -> PathBuf {
    let path = dir.join(format!("rustc-{version}"));
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho 'rustc {version} (0000000 2026-01-01)'\necho 'binary: rustc'\necho 'release: {version}'\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// Runs in `root` with `$RUSTC` naming a compiler of `version`.
fn with_rustc(root: &Path, version: &str, args: &[&str]) -> Run {
    let rustc = fake_rustc(root.parent().unwrap(), version);
    let mut env = env();
    env.current_dir = Some(root.to_path_buf());
    env.vars.insert("RUSTC".into(), rustc.display().to_string());
    run_in(&env, args)
}

#[test]
fn without_a_declared_rust_version_the_toolchain_limits_the_choice() {
    let manifest = format!("{HEAD}\n[dependencies]\nwasmtime = \"49\"\n");
    let (_d, root) = workspace(&manifest, &[("wasmtime", "49.0.5")]);
    let data = Data::embedded().unwrap();
    let need_50 = data.majors[&50].rust_version.clone().unwrap();
    let below = format!("{}.{}.0", need_50.major, need_50.minor - 1);
    let at = format!("{}.{}.0", need_50.major, need_50.minor);
    // The toolchain is too old for 50: `--to 50` refuses, naming the Rust.
    let r = with_rustc(
        &root,
        &below,
        &["upgrade", "--date", DATE, "--to", "50", "--dry-run"],
    );
    let short = format!("needs Rust {}.{}", need_50.major, need_50.minor);
    assert_usage_error(&r, &[&short, "--ignore-rust-version"]);
    let r = with_rustc(
        &root,
        &below,
        &[
            "upgrade",
            "--date",
            DATE,
            "--to",
            "50",
            "--dry-run",
            "--ignore-rust-version",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A toolchain new enough: the same move is fine.
    let r = with_rustc(
        &root,
        &at,
        &["upgrade", "--date", DATE, "--to", "50", "--dry-run"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The audit says the line in use is out of the toolchain's reach.
    let need_49 = data.majors[&49].rust_version.clone().unwrap();
    let older = format!("{}.{}.0", need_49.major, need_49.minor - 1);
    let j = with_rustc(&root, &older, &["--date", DATE, "--format", "json"]).json();
    let notes = train(&j, 49)["upgrade"]["notes"].to_string();
    assert!(
        notes.contains("Wasmtime 49 (") && notes.contains("needs Rust"),
        "{notes}"
    );
    // The default restores support on what the old toolchain builds.
    let r = with_rustc(
        &root,
        &below,
        &["upgrade", "--date", DATE, "--dry-run", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let target = r.json()["target"].as_u64().unwrap() as u32;
    let fits = data.majors[&target]
        .rust_version
        .as_ref()
        .is_none_or(|v| *v <= semver::Version::parse(&below).unwrap());
    assert!(fits, "{target} must build with Rust {below}");
}

#[test]
fn an_lts_out_of_the_toolchains_reach_is_said_and_what_fits_named() {
    let manifest = format!("{HEAD}\n[dependencies]\nwasmtime = \"27\"\n");
    let (_d, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let data = Data::embedded().unwrap();
    let lts = policy::newest_released_lts(DATE.parse().unwrap()).unwrap();
    let need = data.majors[&lts].rust_version.clone().unwrap();
    let below = format!("{}.{}.0", need.major, need.minor - 1);
    let r = with_rustc(&root, &below, &["--date", DATE, "--format", "json"]);
    let j = r.json();
    let u = &train(&j, 27)["upgrade"];
    // The newest LTS that the toolchain builds is the target ...
    let target = u["target"].as_u64().unwrap() as u32;
    assert!(target < lts && policy::is_lts(target), "{u:#}");
    assert!(!u["target_version"].is_null(), "{u:#}");
    // ... and the newer one out of reach is said, with the Rust it needs.
    let notes: Vec<&str> = u["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let short = format!("Wasmtime {lts} (");
    let rust = format!("needs Rust {}.{}", need.major, need.minor);
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&short) && n.contains(&rust)),
        "{notes:?}"
    );
}

#[test]
fn a_date_in_the_past_ignores_what_was_published_later() {
    let data = Data::embedded().unwrap();
    let newest = data.newest_major();
    let released = data.majors[&newest].released;
    let before = released.pred_opt().unwrap().to_string();
    let r = run(&[
        "status",
        &newest.to_string(),
        "--date",
        &before,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert!(j["newest_patch"].is_null(), "{j:#}");
    assert_ne!(j["publication"], "published");
}

/// A `cargo` whose `update` takes its time (the window a signal falls in).
#[cfg(unix)]
fn slow_cargo(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("slow-cargo");
    std::fs::write(&script, "#!/bin/sh\nexec sleep 30\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Starts `upgrade` in its own process group with a slow cargo, and waits
/// until it has written the manifests and runs `cargo update`.
#[cfg(unix)]
fn upgrade_in_flight(root: &Path, cargo: &Path) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let before = bytes(root, "Cargo.toml");
    let child = command()
        .current_dir(root)
        .env("CARGO", cargo)
        .args(["upgrade", "--date", DATE, "--to", "lts"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while bytes(root, "Cargo.toml") == before {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the upgrade never wrote"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child
}

#[cfg(unix)]
fn wait_bounded(child: &mut std::process::Child) -> (Option<i32>, String) {
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            panic!("the interrupted upgrade did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code(), stderr)
}

#[cfg(unix)]
fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".cargo-wasmtime-support"))
        .collect()
}

#[cfg(unix)]
#[test]
fn an_interrupted_upgrade_puts_every_byte_back() {
    let manifest = format!("{HEAD}\n[dependencies]\nwasmtime = \"27\"\n");
    // Ctrl-C reaches the whole process group; SIGTERM only the tool.
    for (signal, group) in [(libc::SIGINT, true), (libc::SIGTERM, false)] {
        let (dir, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
        let before = [bytes(&root, "Cargo.toml"), bytes(&root, "Cargo.lock")];
        let mut child = upgrade_in_flight(&root, &slow_cargo(dir.path()));
        let pid = child.id() as i32;
        unsafe { libc::kill(if group { -pid } else { pid }, signal) };
        let (code, stderr) = wait_bounded(&mut child);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains("interrupted") && stderr.contains("restored"),
            "{stderr}"
        );
        assert_eq!(
            [bytes(&root, "Cargo.toml"), bytes(&root, "Cargo.lock")],
            before,
            "signal {signal}"
        );
        assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    }
}

#[cfg(unix)]
#[test]
fn after_a_kill_the_next_upgrade_rolls_the_interrupted_one_back() {
    let manifest = format!("{HEAD}\n[dependencies]\nwasmtime = \"27\"\n");
    let (dir, root) = workspace(&manifest, &[("wasmtime", "27.0.0")]);
    let before = [bytes(&root, "Cargo.toml"), bytes(&root, "Cargo.lock")];
    let mut child = upgrade_in_flight(&root, &slow_cargo(dir.path()));
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    let _ = wait_bounded(&mut child);
    assert_ne!(bytes(&root, "Cargo.toml"), before[0], "killed half-way");
    assert!(!leftovers(&root).is_empty(), "the journal is left");

    // A dry run says so and writes nothing.
    let r = upgrade(&root, &["--dry-run", "--to", "lts"]);
    assert_usage_error(&r, &["interrupted upgrade", "without --dry-run"]);
    // The next upgrade rolls it back first, then does its own work.
    let r = upgrade(&root, &["--no-update", "--to", "lts"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("an interrupted upgrade was rolled back: restored"),
        "{}",
        r.stderr
    );
    assert_eq!(bytes(&root, "Cargo.lock"), before[1]);
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
}
