//! The views: the release calendar chart and `status` of any version.

use crate::common::*;

fn chart(args: &[&str], utf8: bool) -> Run {
    let mut all = vec!["calendar"];
    all.extend_from_slice(args);
    run_in(&cargo_wasmtime_support::Env { utf8, ..env() }, &all)
}

#[test]
fn calendar_snapshots_in_ascii_and_unicode() {
    let l = lock("spin");
    let ascii = chart(
        &["--date", DATE, "--lockfile", &l, "--color", "never"],
        true,
    );
    assert_eq!(ascii.code, 0, "{}", ascii.stderr);
    assert!(ascii.stdout.is_ascii(), "--color never is plain ASCII");
    assert!(ascii.stdout.lines().all(|l| l.chars().count() <= 80));
    assert!(
        ascii.stdout.contains(">  47            ######     |"),
        "{}",
        ascii.stdout
    );
    assert!(
        ascii
            .stdout
            .contains("> used by this project: 47 (wasmtime 47.0.2)")
    );
    assert_snapshot("calendar-spin-ascii.txt", &ascii.stdout);

    let unicode = chart(
        &["--date", DATE, "--lockfile", &l, "--color", "always"],
        true,
    );
    assert!(unicode.stdout.contains('█') && unicode.stdout.contains("▼ today 2026-11-21"));
    assert!(unicode.stdout.contains("\u{1b}[31m"), "EOL bars in red");
    assert_snapshot("calendar-spin-unicode.txt", &unicode.stdout);

    // A non-UTF-8 locale gets ASCII even with colour.
    let c_locale = chart(
        &["--date", DATE, "--lockfile", &l, "--color", "always"],
        false,
    );
    assert!(!c_locale.stdout.contains('█') && c_locale.stdout.contains('#'));

    let other_date = chart(
        &["--date", "2025-03-01", "--months", "6", "--color", "never"],
        false,
    );
    assert_snapshot("calendar-2025-03-01-6-months.txt", &other_date.stdout);
}

#[test]
fn calendar_uses_a_wider_terminal() {
    let r = run_cmd(
        command()
            .args(["calendar", "--date", DATE, "--color", "never"])
            .env("COLUMNS", "120"),
    );
    let widest = r.stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest > 80 && widest <= 120, "{widest}");
    let r = run_cmd(
        command()
            .args(["calendar", "--date", DATE, "--color", "never"])
            .env("COLUMNS", "40"),
    );
    assert!(
        r.stdout.lines().all(|l| l.chars().count() <= 80),
        "never narrower than 80"
    );
}

#[test]
fn calendar_json_and_markdown() {
    let r = run(&[
        "calendar",
        "--date",
        DATE,
        "--format",
        "json",
        "--lockfile",
        &lock("javy"),
    ]);
    let j = r.json();
    assert_eq!(j["start"], "2026-05-01");
    assert_eq!(j["end"], "2027-11-30");
    let rows = j["rows"].as_array().unwrap();
    let row = |m: u64| rows.iter().find(|r| r["major"] == m).unwrap();
    assert_eq!(
        row(38)["used"],
        "wasmtime 38.0.4",
        "used trains appear even outside the window"
    );
    assert_eq!(row(48)["lts"], true);
    assert_eq!(row(48)["release"], "2026-08-20");
    assert_eq!(row(48)["eol"], "2028-08-20");
    assert_eq!(row(48)["status"], "supported");
    assert_eq!(row(60)["status"], "unreleased");
    assert_eq!(row(49)["status"], "eol");
    let newest = cargo_wasmtime_support::Data::embedded()
        .unwrap()
        .newest_major();
    for m in 48..=60 {
        assert_eq!(row(u64::from(m))["projected"], m > newest, "{m}");
    }

    let md = run(&[
        "calendar", "--date", DATE, "--format", "markdown", "--months", "3",
    ])
    .stdout;
    assert!(
        md.contains("| 48 | yes | 2026-08-05 | 2026-08-20 | 2028-08-20 | supported |  |"),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| 50{} | no | 2026-10-05 | 2026-10-20 | 2026-12-20 | supported |  |",
            if 50 > newest { " (projected)" } else { "" }
        )),
        "{md}"
    );
    assert_usage_error(
        &run(&["calendar", "--format", "sarif"]),
        &[
            "'sarif' for '--format",
            "[possible values: human, json, markdown]",
        ],
    );
    assert_usage_error(&run(&["calendar", "--months", "0"]), &["--months"]);
}

#[test]
fn status_for_each_version_scheme() {
    let cases = [
        ("27.0.1", 27, "eol"),
        ("27", 27, "eol"),
        ("cranelift-codegen@0.114.0", 27, "eol"),
        ("winch-codegen@0.20.0", 22, "eol"),
        ("wasi-common@36.0.12", 36, "supported"),
        ("pulley-interpreter@0.1.3", 25, "eol"),
        ("wasmtime-jit-icache-coherence@3.0.0", 4, "eol"),
        ("wasmtime@49.0.0-rc.1", 49, "eol"),
        ("60", 60, "unreleased"),
    ];
    for (spec, major, status) in cases {
        let r = run(&["status", spec, "--date", DATE, "--format", "json"]);
        assert_eq!(r.code, 0, "{spec}: {}", r.stderr);
        let j = r.json();
        assert_eq!(j["major"], major, "{spec}");
        assert_eq!(j["status"], status, "{spec}");
    }
    // A pre-release keeps its train's status and is judged as the release it
    // precedes for advisories: never "none known" for a vulnerable line.
    let rc = run(&["status", "27.0.0-rc.1", "--date", DATE, "--format", "json"]).json();
    let release = run(&["status", "27.0.0", "--date", DATE, "--format", "json"]).json();
    assert_eq!(rc["prerelease"], true);
    assert_eq!(release["prerelease"], false);
    assert_eq!(rc["status"], release["status"]);
    assert!(!release["advisories"].as_array().unwrap().is_empty());
    assert_eq!(rc["advisories"], release["advisories"]);
    let human = run(&["status", "27.0.0-rc.1", "--date", DATE]).stdout;
    assert!(!human.contains("none known"), "{human}");
    assert!(human.lines().all(|l| l.chars().count() <= 80), "{human}");
    // A crate under a family prefix with its own numbering is not in the family.
    assert_usage_error(
        &run(&["status", "wasmtime-rb-host@2.13.0", "--date", DATE]),
        &["not a crate of the Wasmtime release family"],
    );

    let j = run(&["status", "24.0.2", "--date", DATE, "--format", "json"]).json();
    assert_eq!(j["lts"], true);
    assert_eq!(j["eol_date"], "2026-08-20");
    assert_eq!(j["days_left"], -93);
    assert_eq!(j["newest_patch"], "24.0.13");
    assert_eq!(j["upgrade"]["path"], serde_json::json!([36, 48]));
    let ids: Vec<&str> = j["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"GHSA-fm79-3f68-h2fc") && !ids.contains(&"GHSA-c2f5-jxjv-2hh8"));

    for (spec, name) in [
        ("cranelift-codegen@0.114.0", "cranelift"),
        ("36.0.3", "36.0.3"),
        ("50", "50"),
    ] {
        let r = run(&["status", spec, "--date", DATE, "--color", "never"]);
        assert_snapshot(&format!("status-{name}.txt"), &r.stdout);
    }
}

#[test]
fn status_rejects_what_is_not_a_family_version() {
    assert_usage_error(
        &run(&["status", "latest"]),
        &["\"latest\"", "expected a Wasmtime version"],
    );
    assert_usage_error(
        &run(&["status", "serde@1.0.0"]),
        &["not a crate of the Wasmtime release family"],
    );
    assert_usage_error(
        &run(&["status", "cranelift-codegen@1.0.0"]),
        &["no Wasmtime release has cranelift-codegen 1.0.0"],
    );
    assert_usage_error(&run(&["status", "wasmtime@x"]), &["`x` is not a version"]);
    assert_usage_error(&run(&["status"]), &["SPEC"]);
    assert_usage_error(
        &run(&["status", "27", "--format", "sarif"]),
        &["'sarif' for '--format", "[possible values: human, json]"],
    );
}
