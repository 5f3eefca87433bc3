//! Command-line conventions: per-command formats and options, `--quiet`,
//! `--offline`, colour variables, `--config`, completions and the manual
//! page, and the release calendar drawn in Mermaid.

use crate::common::*;

const EOL: &str = "generated/wasmtime-27";
const CLEAN: &str = "generated/wasmtime-48.0.0";

fn audit(fixture: &str, extra: &[&str]) -> Run {
    let lock = lock(fixture);
    let mut args = vec!["--lockfile", lock.as_str(), "--date", DATE];
    args.extend_from_slice(extra);
    run_support(&args)
}

#[test]
fn commands_list_and_accept_only_their_formats() {
    let help = run(&["calendar", "--help"]).stdout;
    assert!(
        help.contains("markdown") && !help.contains("sarif"),
        "{help}"
    );
    assert_usage_error(
        &run(&["calendar", "--format", "sarif", "--date", DATE]),
        &["sarif"],
    );
    let help = run(&["status", "--help"]).stdout;
    assert!(!help.contains("markdown"), "{help}");
    assert_usage_error(&run(&["status", "36", "--format", "github"]), &["github"]);
    let help = run(&["--help"]).stdout;
    assert!(help.contains("sarif"), "{help}");
    // Before the subcommand's name, --format is checked against the command too.
    assert_usage_error(
        &run(&["--format", "sarif", "calendar", "--date", DATE]),
        &["`calendar` does not support --format sarif"],
    );
    assert_usage_error(
        &run(&[
            "--format",
            "json",
            "bot-config",
            "--renovate",
            "--lockfile",
            &lock(CLEAN),
        ]),
        &["`bot-config` has no --format"],
    );
    let own_wins = run(&[
        "--format", "json", "status", "27", "--format", "human", "--date", DATE,
    ]);
    assert!(
        own_wins.stdout.starts_with("Wasmtime 27"),
        "{}",
        own_wins.stdout
    );
}

#[test]
fn options_a_command_would_ignore_are_refused() {
    assert_usage_error(
        &run(&["refresh", "--date", DATE]),
        &["`refresh` does not use --date"],
    );
    assert_usage_error(
        &run(&["status", "36", "--lockfile", &lock(CLEAN)]),
        &["--lockfile"],
    );
    assert_usage_error(&run(&["man", "--color", "never"]), &["--color"]);
    assert_usage_error(
        &run(&["refresh", "--offline"]),
        &["refresh needs the network", "--offline"],
    );
    // --offline is accepted everywhere else.
    assert_eq!(audit(CLEAN, &["--offline"]).code, 0);
    assert_eq!(run(&["calendar", "--offline", "--date", DATE]).code, 0);
    assert_eq!(run(&["status", "36", "--offline", "--date", DATE]).code, 0);
}

#[test]
fn quiet_prints_only_errors() {
    let clean = audit(CLEAN, &["-q"]);
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
    let eol = audit(EOL, &["-q", "--deny-eol"]);
    assert_eq!(eol.code, 1);
    assert!(eol.stdout.starts_with("error[eol]: "), "{}", eol.stdout);
    for line in eol.stdout.lines() {
        assert!(
            line.starts_with("error[") || line.starts_with("    "),
            "{line:?}"
        );
        assert!(line.chars().count() <= 80, "{line:?}");
    }
    // Warnings are not errors: nothing to say.
    assert_eq!(audit(EOL, &["-q"]).stdout, "");
    assert_usage_error(&audit(EOL, &["-q", "-v"]), &["--verbose"]);
}

#[test]
fn clicolor_force_and_clicolor_are_honoured() {
    let lock = lock(EOL);
    let with = |vars: &[(&str, &str)]| {
        let mut cmd = command();
        cmd.args(["--lockfile", &lock, "--date", DATE]);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        run_cmd(&mut cmd).stdout.contains('\u{1b}')
    };
    assert!(!with(&[]), "piped: no colour");
    assert!(with(&[("CLICOLOR_FORCE", "1")]));
    assert!(!with(&[("CLICOLOR_FORCE", "0")]));
    assert!(!with(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(!with(&[("CLICOLOR_FORCE", "1"), ("CLICOLOR", "0")]));
    assert!(with(&[
        ("CLICOLOR_FORCE", "1"),
        ("CARGO_TERM_COLOR", "always")
    ]));
    assert!(!with(&[
        ("CLICOLOR_FORCE", "1"),
        ("CARGO_TERM_COLOR", "never")
    ]));
}

#[test]
fn config_file_and_config_beside_a_lockfile_apply() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wasmtime-support.toml");
    std::fs::write(&config, "deny-eol = true\n").unwrap();
    let config = config.to_str().unwrap();
    assert_eq!(audit(EOL, &[]).code, 0);
    assert_eq!(audit(EOL, &["--config", config]).code, 1);

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "deny-eol = \"sometimes\"\n").unwrap();
    assert_usage_error(
        &audit(EOL, &["--config", bad.to_str().unwrap()]),
        &["bad.toml", "deny-eol"],
    );
    assert_usage_error(
        &audit(EOL, &["--config", "no/such/config.toml"]),
        &["no/such/config.toml"],
    );

    // --lockfile: the table of the manifest beside the lockfile.
    let (ws, manifest) = workspace_copy(EOL, |m| {
        m.replace(
            "\n[workspace]\n",
            "\n[workspace]\n\n[workspace.metadata.wasmtime-support]\ndeny-eol = true\n",
        )
    });
    let beside = manifest.with_file_name("Cargo.lock");
    let r = run_support(&["--lockfile", beside.to_str().unwrap(), "--date", DATE]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    drop(ws);
}

#[test]
fn completions_and_manual_page_come_from_the_definition() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("cargo-wasmtime-support"), "{shell}");
        assert!(r.stdout.contains("deny-eol"), "{shell}");
        assert!(r.stdout.contains("bot-config"), "{shell}");
    }
    assert_usage_error(&run(&["completions", "tcsh"]), &["tcsh"]);
    let man = run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH"),
        "{}",
        man.stdout
    );
    assert!(man.stdout.contains("cargo\\-wasmtime\\-support"));
    assert!(man.stdout.contains("supported\\-through"));
    // Every page the tool's page refers to exists, with its own options.
    for (sub, option) in [
        ("refresh", "osv\\-url"),
        ("upgrade", "dry\\-run"),
        ("bot-config", "renovate"),
        ("calendar", "months"),
        ("status", "format"),
    ] {
        let page = run(&["man", sub]);
        assert_eq!(page.code, 0, "{sub}: {}", page.stderr);
        let title = format!(".TH cargo-wasmtime-support-{sub} 1");
        assert!(
            page.stdout.contains(&title),
            "{sub}: {}",
            &page.stdout[..200.min(page.stdout.len())]
        );
        assert!(page.stdout.contains(option), "{sub}");
    }
    assert_usage_error(&run(&["man", "nope"]), &["nope", "refresh"]);
}

#[test]
fn markdown_has_a_mermaid_gantt_with_the_projects_trains() {
    let lock = lock(EOL);
    let cal = run(&[
        "calendar",
        "--format",
        "markdown",
        "--date",
        DATE,
        "--lockfile",
        &lock,
    ]);
    assert_eq!(cal.code, 0, "{}", cal.stderr);
    let json = run(&[
        "calendar",
        "--format",
        "json",
        "--date",
        DATE,
        "--lockfile",
        &lock,
    ])
    .json();
    let gantt = cal
        .stdout
        .split("```mermaid\ngantt\n")
        .nth(1)
        .expect("a gantt block");
    let gantt = gantt.split("```").next().unwrap();
    assert!(
        gantt.contains(&format!("as of this report :milestone, today, {DATE}, 0d")),
        "{gantt}"
    );
    for row in json["rows"].as_array().unwrap() {
        let major = row["major"].as_u64().unwrap();
        let line = gantt
            .lines()
            .find(|l| l.contains(&format!("w{major}, ")))
            .unwrap_or_else(|| panic!("no row for {major}:\n{gantt}"));
        assert_eq!(
            line.contains("(projected)"),
            row["projected"] == true,
            "{line}"
        );
        assert_eq!(line.contains("crit"), row.get("used").is_some(), "{line}");
        // Bars are cut to the window asked for; a train of the project's
        // outside it is a mark at the window's edge.
        let (start, end) = (
            json["start"].as_str().unwrap(),
            json["end"].as_str().unwrap(),
        );
        let (release, eol) = (
            row["release"].as_str().unwrap(),
            row["eol"].as_str().unwrap(),
        );
        if eol < start {
            assert!(
                line.ends_with(&format!("milestone, w{major}, {start}, 0d")),
                "{line}"
            );
        } else {
            assert!(
                line.ends_with(&format!("{}, {}", release.max(start), eol.min(end))),
                "{line}"
            );
        }
        // No task name is shaped like a date (the gantt grammar reads it as one).
        let name = line.split(':').next().unwrap();
        assert!(
            !name.chars().any(|c| c.is_ascii_digit()) || !name.contains('-'),
            "{line}"
        );
    }

    let report = audit(EOL, &["--format", "markdown"]).stdout;
    assert!(report.contains("```mermaid\ngantt\n"), "{report}");
    assert!(
        report.contains("27 (this project) ended Jan 2025 :crit, milestone, w27, "),
        "{report}"
    );
}

#[test]
fn projected_rows_are_marked_in_the_chart() {
    let json = run(&["calendar", "--format", "json", "--date", DATE]).json();
    let chart = run(&["calendar", "--date", DATE]).stdout;
    let projected: Vec<u64> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["projected"] == true)
        .map(|r| r["major"].as_u64().unwrap())
        .collect();
    for line in chart
        .lines()
        .filter(|l| l.len() > 5 && l[..5].trim().parse::<u64>().is_ok())
    {
        let major: u64 = line[..5].trim().parse().unwrap();
        assert_eq!(line.ends_with('*'), projected.contains(&major), "{line}");
    }
    assert_eq!(
        chart.contains("* projected"),
        !projected.is_empty(),
        "{chart}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
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

/// `upgrade --offline` passes `--offline` to `cargo update` (seen through a
/// stand-in cargo that records `update` and runs the real one otherwise).
#[test]
fn upgrade_passes_offline_to_cargo_update() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&fixture("workspaces/upgrade-me"), &ws);
    let log = dir.path().join("update-args");
    let fake = dir.path().join("cargo");
    let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nif [ \"$1\" = update ]; then echo \"$@\" > '{}'; exit 0; fi\nexec '{real}' \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (offline, expected) in [(true, true), (false, false)] {
        copy_dir(&fixture("workspaces/upgrade-me"), &ws);
        let _ = std::fs::remove_file(&log);
        let mut cmd = command();
        cmd.env("CARGO", &fake)
            .args([
                "upgrade",
                "--allow-dirty",
                "--date",
                DATE,
                "--manifest-path",
            ])
            .arg(ws.join("Cargo.toml"));
        if offline {
            cmd.arg("--offline");
        }
        let r = run_cmd(&mut cmd);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let args = std::fs::read_to_string(&log).expect("cargo update ran");
        assert_eq!(args.contains("--offline"), expected, "{args}");
    }
}
