//! The command line: errors, colour, help, human snapshots, and running as a
//! real cargo subcommand.

use crate::common::*;
use std::process::Command;

#[test]
fn missing_lockfile_names_the_path_and_suggests_generate_lockfile() {
    let r = run(&["--lockfile", "fixtures/nope/Cargo.lock"]);
    assert_usage_error(&r, &["fixtures/nope/Cargo.lock", "cargo generate-lockfile"]);
}

#[test]
fn workspace_without_lockfile_suggests_generate_lockfile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"nolock\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    let manifest = dir.path().join("Cargo.toml");
    let r = run(&[
        "--manifest-path",
        manifest.to_str().unwrap(),
        "--date",
        DATE,
    ]);
    let expected = dir.path().canonicalize().unwrap().join("Cargo.lock");
    assert_usage_error(&r, &[expected.to_str().unwrap(), "cargo generate-lockfile"]);
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cases: Vec<(String, Vec<&str>)> = vec![
        (write("empty.lock", b""), vec!["the file is empty"]),
        (write("garbage.lock", &[0xff, 0xfe, 0x00, 0x01]), vec!["not UTF-8"]),
        (write("not-toml.lock", b"this is [not toml"), vec![":1: not a valid Cargo.lock"]),
        (write("no-packages.lock", b"[something]\nkey = 1\n"), vec!["no [[package]] entries"]),
        (write("v99.lock", b"version = 99\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n"), vec![":1: unsupported lockfile format version 99"]),
        (
            write("bad-version.lock", b"version = 4\n\n[[package]]\nname = \"wasmtime\"\nversion = \"99999999999999999999.0.0\"\n"),
            vec![":5: package `wasmtime` has an invalid version"],
        ),
        (dir.path().to_str().unwrap().to_string(), vec!["is a directory"]),
    ];
    for (path, parts) in cases {
        let r = run(&["--lockfile", &path, "--date", DATE]);
        let mut all = parts.clone();
        all.push(path.as_str());
        assert_usage_error(&r, &all);
    }
}

#[test]
fn bad_flags_get_one_line_and_exit_2() {
    let l = lock("spin");
    assert_usage_error(
        &run(&["--lockfile", &l, "--date", "2026-02-30"]),
        &["--date", "YYYY-MM-DD"],
    );
    assert_usage_error(&run(&["--lockfile", &l, "--date", "tomorrow"]), &["--date"]);
    assert_usage_error(
        &run(&["--lockfile", &l, "-D", "no-such-code"]),
        &["no-such-code", "eol-soon"],
    );
    assert_usage_error(&run(&["--lockfile", &l, "--format", "xml"]), &["--format"]);
    assert_usage_error(&run(&["--no-such-flag"]), &["--no-such-flag"]);
    assert_usage_error(
        &run(&["--lockfile", &l, "--manifest-path", "Cargo.toml"]),
        &["cannot be used with"],
    );
}

#[test]
fn help_shows_examples_and_every_code() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    for code in [
        "eol",
        "eol-soon",
        "not-lts",
        "prerelease",
        "unreleased",
        "multiple-trains",
        "unrecognized-version",
    ] {
        assert!(
            r.stdout.split([' ', ',', '\n']).any(|w| w == code),
            "{code} missing from help"
        );
    }
    assert!(r.stdout.contains("cargo wasmtime-support --deny-eol"));
    assert_eq!(run(&["--version"]).code, 0);
}

#[test]
fn colour_follows_flags_and_environment() {
    let l = lock("spin");
    let args = ["--lockfile", l.as_str(), "--date", DATE];
    let has_ansi = |r: &Run| r.stdout.contains('\u{1b}');
    assert!(!has_ansi(&run(&args)), "auto and not a terminal: plain");
    assert!(has_ansi(
        &run(&[&args[..], &["--color", "always"]].concat())
    ));
    assert!(has_ansi(&run_cmd(
        command().args(args).env("CARGO_TERM_COLOR", "always")
    )));
    assert!(!has_ansi(&run_cmd(
        command()
            .args(args)
            .args(["--color", "never"])
            .env("CARGO_TERM_COLOR", "always")
    )));
}

#[test]
fn human_reports_match_snapshots() {
    for (name, extra) in [
        ("javy", vec![]),
        ("spin-2022-v3", vec![]),
        ("wasmtime", vec![]),
        ("generated/wasmtime-50.0.1", vec![]),
        ("generated/wasmtime-48.0.0", vec![]),
        ("generated/wasmtime-27", vec!["--deny-eol"]),
        ("generated/wasmtime-25.0.0", vec!["-v"]),
        ("rustc_codegen_cranelift-2020-v1", vec![]),
    ] {
        let l = lock(name);
        let mut args = vec!["--lockfile", l.as_str(), "--date", DATE];
        args.extend(extra);
        let r = run(&args);
        assert!(r.stderr.is_empty(), "{}", r.stderr);
        for line in r.stdout.lines() {
            assert!(
                line.chars().count() <= 80,
                "{name}: line over 80 columns: {line}"
            );
        }
        assert_snapshot(&format!("human-{}.txt", name.replace('/', "-")), &r.stdout);
    }
}

fn cargo() -> Command {
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.env("PATH", path)
        .env("CARGO_NET_OFFLINE", "true")
        .env(
            "CARGO_WASMTIME_SUPPORT_CACHE_DIR",
            scratch("no-registry-cache"),
        )
        .env_remove("CARGO_TERM_COLOR")
        .env_remove("NO_COLOR");
    cmd
}

#[test]
fn runs_as_a_real_cargo_subcommand() {
    let manifest = fixture("generated/wasmtime-27/Cargo.toml");
    let r = run_cmd(
        cargo()
            .args(["wasmtime-support", "--manifest-path"])
            .arg(&manifest)
            .args(["--date", DATE, "--format", "json", "--deny-eol"]),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    assert_eq!(majors(&j), [27]);
    // Shown relative to the current directory (the repository root here).
    assert_eq!(
        j["lockfiles"][0]["path"],
        "fixtures/generated/wasmtime-27/Cargo.lock"
    );

    // From inside the workspace, without --manifest-path.
    let r = run_cmd(
        cargo()
            .current_dir(fixture("generated/wasmtime-48.0.0"))
            .args([
                "wasmtime-support",
                "--date",
                DATE,
                "--deny-eol",
                "--allow",
                "vulnerable",
            ]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Wasmtime 48 LTS  supported until 2028-08-20"),
        "{}",
        r.stdout
    );
}

#[test]
fn outside_any_workspace_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_at(dir.path(), &["--date", DATE]);
    assert_usage_error(&r, &["could not locate a Cargo workspace", "--lockfile"]);
}

/// Every lockfile the repository holds.
fn every_fixture_lockfile() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.file_name().is_some_and(|n| n == "Cargo.lock") {
                out.push(p.strip_prefix(root()).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("fixtures"), &mut out);
    out.sort();
    out
}

#[test]
fn every_human_line_of_every_command_fits_80_columns() {
    let data = cargo_wasmtime_support::Data::embedded().unwrap();
    let lts = *data.majors.iter().rev().find(|(_, m)| m.lts).unwrap().0;
    let lts_day = data.majors[&lts].released;
    let dates = [
        lts_day.pred_opt().unwrap().to_string(),
        lts_day.to_string(),
        data.data_date.to_string(),
    ];
    let mut checked = 0;
    let mut check = |what: &str, text: &str| {
        for line in text.lines() {
            assert!(
                line.chars().count() <= 80,
                "{what}: {} columns:\n{line}",
                line.chars().count()
            );
        }
        checked += 1;
    };
    for lock in every_fixture_lockfile() {
        for date in &dates {
            for extra in [&[][..], &["-v"][..]] {
                let mut args = vec!["--lockfile", lock.as_str(), "--date", date.as_str()];
                args.extend(extra);
                let r = run(&args);
                check(&format!("{lock} {date} {extra:?}"), &r.stdout);
                check(&format!("{lock} {date} stderr"), &r.stderr);
            }
            let r = run(&["calendar", "--lockfile", lock.as_str(), "--date", date]);
            check(&format!("calendar {lock} {date}"), &r.stdout);
            let j = run(&[
                "--lockfile",
                lock.as_str(),
                "--date",
                date,
                "--format",
                "json",
            ])
            .json();
            for t in j["trains"].as_array().unwrap() {
                let major = t["major"].to_string();
                let r = run(&["status", &major, "--date", date]);
                check(&format!("status {major} {date}"), &r.stdout);
                if let Some(c) = t["crates"].as_array().unwrap().first() {
                    let spec = format!(
                        "{}@{}",
                        c["name"].as_str().unwrap(),
                        c["version"].as_str().unwrap()
                    );
                    let r = run(&["status", &spec, "--date", date]);
                    check(&format!("status {spec} {date}"), &r.stdout);
                }
            }
        }
    }
    // What is shipped: binaries, SBOMs, the bindings (a pre-release-only
    // train and an EOL one among them).
    let odd = scratch("80-columns-bindings");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(odd.join("requirements.txt"), "wasmtime==36.0.0rc1\n").unwrap();
    std::fs::write(odd.join("requirements-old.txt"), "wasmtime==22.0.0\n").unwrap();
    let (req, old) = (
        odd.join("requirements.txt").display().to_string(),
        odd.join("requirements-old.txt").display().to_string(),
    );
    for inputs in [
        &["--bin", "fixtures/shipped/auditable-demo"][..],
        &["--sbom", "fixtures/shipped/auditable-demo.cdx.json"],
        &[
            "--lockfile",
            "fixtures/shipped/uv.lock",
            "--lockfile",
            "fixtures/shipped/go.mod",
        ],
        &["--lockfile", &req, "--lockfile", &old],
    ] {
        for date in &dates {
            for extra in [&[][..], &["-v"][..]] {
                let args = [inputs, &["--date", date.as_str()], extra].concat();
                let r = run(&args);
                check(&format!("{args:?}"), &r.stdout);
                check(&format!("{args:?} stderr"), &r.stderr);
            }
        }
    }
    for args in [
        &["--help"][..],
        &["upgrade", "--help"],
        &["refresh", "--help"],
    ] {
        let r = run(args);
        check(&format!("{args:?}"), &r.stdout);
    }
    assert!(checked > 100, "{checked}");
}

#[cfg(unix)]
#[test]
fn bash_completes_the_options_of_every_subcommand() {
    let script = run(&["completions", "bash"]).stdout;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("completion.bash");
    std::fs::write(&file, &script).unwrap();
    for (sub, typed, want) in [
        ("calendar", "--mo", "--months"),
        ("bot-config", "--ren", "--renovate"),
        ("upgrade", "--dry", "--dry-run"),
        ("status", "--form", "--format"),
    ] {
        let probe = format!(
            "source '{}'; COMP_WORDS=(cargo-wasmtime-support {sub} {typed}); COMP_CWORD=2; \
             COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; \
             _cargo__wasmtime__support cargo-wasmtime-support {typed} {sub}; echo \"${{COMPREPLY[*]}}\"",
            file.display()
        );
        let Ok(out) = std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-c", &probe])
            .output()
        else {
            return; // no bash here
        };
        let got = String::from_utf8_lossy(&out.stdout);
        assert!(
            got.split_whitespace().any(|w| w == want),
            "{sub} {typed}: {got:?}"
        );
    }
}

/// fish completes both the binary and `cargo wasmtime-support` from the one
/// script (zsh's `_cargo` calls `_cargo-wasmtime-support` by itself;
/// `scripts/check-clients.sh shells` checks it in a real zsh).
#[cfg(unix)]
#[test]
fn fish_completes_both_forms() {
    let script = run(&["completions", "fish"]).stdout;
    let dir = scratch("fish-completion");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cargo-wasmtime-support.fish");
    std::fs::write(&file, &script).unwrap();
    for prefix in ["cargo-wasmtime-support", "cargo wasmtime-support"] {
        for (typed, want) in [
            ("calendar --mo", "--months"),
            ("bot-config --ren", "--renovate"),
            ("sta", "status"),
            ("--form", "--format"),
        ] {
            let probe = format!(
                "source '{}'; complete -C '{prefix} {typed}'",
                file.display()
            );
            let Ok(out) = std::process::Command::new("fish")
                .args(["--no-config", "-c", &probe])
                .output()
            else {
                return; // no fish here
            };
            let got = String::from_utf8_lossy(&out.stdout);
            assert!(
                got.lines().any(|l| l.split('\t').next() == Some(want)),
                "{prefix} {typed}: {got:?}"
            );
        }
    }
}

/// zsh's `_arguments` counts positionals before the subcommand's name: with
/// the audit's FILEs listed, `calendar` would be taken for a file and no
/// subcommand option would complete (`scripts/check-clients.sh shells` runs
/// the script in a real zsh).
#[test]
fn zsh_dispatches_on_the_subcommand_name() {
    let script = run(&["completions", "zsh"]).stdout;
    assert!(
        !script.contains("::files"),
        "a positional before the subcommand"
    );
    assert!(script.contains("case $line[1] in"));
    assert!(!script.contains("$line[2]"));
    assert!(script.contains("(calendar)") && script.contains("--months="));
}
