//! What real projects showed: phantom trains from third-party crates under the
//! family's prefixes, pre-releases beside releases, lockfiles given twice,
//! advice that restores support now, findings that can be acted on, scoped
//! ignores and every output located. Facts come from the embedded data and
//! the release policy, never pinned.

use crate::common::*;
use cargo_wasmtime_support::Data;
use cargo_wasmtime_support::policy;
use serde_json::Value;
use std::path::PathBuf;

/// A generated fixture's lockfile with `extra` appended, in a temporary directory.
fn lockfile_with(fixture_name: &str, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture(&format!("{fixture_name}/Cargo.lock"))).unwrap();
    let path = dir.path().join("Cargo.lock");
    std::fs::write(&path, format!("{text}\n{extra}")).unwrap();
    (dir, path)
}

fn registry(name: &str, version: &str) -> String {
    format!(
        "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
    )
}

fn json_of(lock: &std::path::Path, date: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "--lockfile",
        lock.to_str().unwrap(),
        "--date",
        date,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    (r.code, r.json())
}

fn findings<'a>(r: &'a Value, code: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

#[test]
fn third_party_crates_under_family_prefixes_are_not_trains() {
    let extra = registry("wasmtime-rb-host", "2.13.0")
        + &registry("wasmtime-cli-helper", "1.20.0")
        + &registry("cranelift-toy", "0.3.0")
        + &registry("wasmtime-far-future", "900.0.0");
    let (_dir, lock) = lockfile_with("generated/wasmtime-48.0.0", &extra);
    let (code, r) = json_of(&lock, DATE, &["--deny-eol"]);
    let (plain_code, plain) = audit_json("generated/wasmtime-48.0.0", &["--deny-eol"]);
    assert_eq!(majors(&r), majors(&plain));
    assert_eq!(code, plain_code);
    assert!(findings(&r, "multiple-trains").is_empty());
    assert!(findings(&r, "unrecognized-version").is_empty());
    let names: Vec<&str> = r["trains"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["crates"].as_array().unwrap())
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(!names.iter().any(|n| n.contains("rb-host")
        || n.contains("cli-helper")
        || n.contains("toy")
        || n.contains("far-future")));

    // In the family's form, within the calendar and in lockstep with the
    // family (it requires one of the release's crates), an unknown name counts.
    let (_dir, lock) = lockfile_with(
        "generated/wasmtime-48.0.0",
        &registry("wasmtime-internal-new", "48.0.0").replacen(
            "\n\n",
            "\ndependencies = [\"wasmtime-environ\"]\n\n",
            1,
        ),
    );
    let (_, r) = json_of(&lock, DATE, &[]);
    assert!(
        train(&r, 48)["crates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "wasmtime-internal-new")
    );
}

#[test]
fn a_prerelease_crate_does_not_hide_the_trains_status() {
    let extra = "[[package]]\nname = \"wasmtime-local-fork\"\nversion = \"27.0.0-dev\"\ndependencies = [\"wasmtime\"]\n\n";
    let (_dir, lock) = lockfile_with("generated/wasmtime-27", extra);
    let (code, r) = json_of(&lock, DATE, &["--deny-eol"]);
    assert_eq!(code, 1, "27 is EOL on {DATE}: --deny-eol fails");
    let t = train(&r, 27);
    assert_eq!(t["status"], "eol");
    assert_eq!(t["prerelease"], serde_json::json!(["27.0.0-dev"]));
    for code in ["eol", "prerelease", "vulnerable"] {
        assert!(!findings(&r, code).is_empty(), "{code}");
    }
}

#[test]
fn the_same_lockfile_twice_counts_once() {
    let lock = lock("generated/wasmtime-27");
    let dotted = format!("./{lock}");
    let once = run(&["--lockfile", &lock, "--date", DATE, "--format", "json"]).json();
    let twice = run(&[
        "--lockfile",
        &lock,
        "--lockfile",
        &dotted,
        "--lockfile",
        &lock,
        "--date",
        DATE,
        "--format",
        "json",
    ])
    .json();
    assert_eq!(twice["lockfiles"].as_array().unwrap().len(), 1);
    assert_eq!(twice["trains"], once["trains"]);
    assert_eq!(twice["findings"], once["findings"]);
}

#[test]
fn an_eol_train_newer_than_the_newest_lts_is_told_how_to_restore_support() {
    let data = Data::embedded().unwrap();
    let date = policy::eol_date(49).unwrap().succ_opt().unwrap();
    let (_, r) = audit_json("generated/wasmtime-49.0.0", &["--date", &date.to_string()]);
    let restore = &train(&r, 49)["upgrade"]["restore"];
    let major = restore["major"].as_u64().unwrap() as u32;
    assert!(policy::is_supported(major, date), "{restore}");
    assert_eq!(
        restore["version"].as_str(),
        resolving(train(&r, 49), major, &date.to_string(), None).as_deref()
    );
    assert_eq!(
        restore["eol_date"],
        policy::eol_date(major).unwrap().to_string()
    );
    // Where support lasts longest: no supported release that resolves ends later.
    let longer = data.majors.keys().find(|&&m| {
        policy::is_supported(m, date)
            && policy::eol_date(m) > policy::eol_date(major)
            && resolving(train(&r, 49), m, &date.to_string(), None).is_some()
    });
    assert_eq!(longer, None, "{restore}");
    assert_eq!(major, *policy::supported_lts(date).last().unwrap());

    let human = run(&[
        "--lockfile",
        &lock("generated/wasmtime-49.0.0"),
        "--date",
        &date.to_string(),
    ])
    .stdout;
    assert!(human.contains("restore support now"), "{human}");
    assert!(human.contains(&format!("then plan for {} LTS", policy::next_lts_after(49))));
    assert!(human.lines().all(|l| l.chars().count() <= 80), "{human}");

    // A supported train needs no restoring.
    let (_, r) = audit_json("generated/wasmtime-48.0.0", &[]);
    assert!(train(&r, 48)["upgrade"]["restore"].is_null());
}

#[test]
fn a_short_lived_train_is_told_by_when_to_move() {
    let eol = policy::eol_date(50).unwrap();
    let next_lts = policy::next_lts_after(50);
    assert!(eol < policy::release_date(next_lts).unwrap());
    let date = policy::release_date(50).unwrap().to_string();
    let (_, r) = audit_json("generated/wasmtime-50.0.1", &["--date", &date]);
    let by = &train(&r, 50)["upgrade"]["move_by"];
    assert_eq!(by["date"], eol.to_string());
    assert_eq!(by["next_major"], 51);
    assert!(train(&r, 50)["upgrade"]["restore"].is_null());
    let human = run(&[
        "--lockfile",
        &lock("generated/wasmtime-50.0.1"),
        "--date",
        &date,
    ])
    .stdout;
    assert!(
        human.contains(&format!("supported only until {eol}: by then move to 51")),
        "{human}"
    );
}

#[test]
fn the_checklist_starts_with_a_patch_update_that_fixes_advisories() {
    let (_, audit) = audit_json("generated/wasmtime-36.0.3", &[]);
    let newest = resolving(train(&audit, 36), 36, DATE, None).unwrap();
    let r = run(&[
        "--lockfile",
        &lock("generated/wasmtime-36.0.3"),
        "--date",
        DATE,
        "--format",
        "markdown",
    ]);
    let checklist = r.stdout.split("### Checklist\n\n").nth(1).unwrap();
    assert!(
        checklist.starts_with(&format!(
            "- [ ] Update Wasmtime 36 LTS to {newest} (a patch update that fixes"
        )),
        "{checklist}"
    );
}

#[test]
fn outdated_patch_lists_only_advisories_against_crates_in_the_lockfile() {
    let data = Data::embedded().unwrap();
    let (_, r) = audit_json("generated/wasmtime-36.0.3", &[]);
    let held: Vec<&str> = train(&r, 36)["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let outdated = findings(&r, "outdated-patch");
    assert_eq!(outdated.len(), 1);
    let listed = outdated[0]["advisories"].as_array().unwrap();
    assert!(!listed.is_empty());
    for a in listed {
        let adv = data.advisories.iter().find(|d| d.id == a["id"]).unwrap();
        assert!(held.contains(&adv.crate_name.as_str()), "{}", adv.id);
    }
    // Every advisory the patches fixed that names a crate held here is listed.
    let fixed: Vec<&str> = data.majors[&36]
        .patches
        .iter()
        .filter(|p| p.version > semver::Version::new(36, 0, 3))
        .flat_map(|p| p.advisories.iter().map(String::as_str))
        .filter(|id| {
            data.advisories
                .iter()
                .any(|a| a.id == *id && held.contains(&a.crate_name.as_str()))
        })
        .collect();
    assert!(fixed.iter().all(|id| listed.iter().any(|a| a["id"] == *id)));
}

#[test]
fn git_sources_are_judged_by_their_number_and_warned_about() {
    let text = std::fs::read_to_string(fixture("generated/wasmtime-24.0.2/Cargo.lock")).unwrap();
    let forked = text.replacen(
        "name = \"wasmtime\"\nversion = \"24.0.2\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"",
        "name = \"wasmtime\"\nversion = \"24.0.2\"\nsource = \"git+https://github.com/example/wasmtime?branch=fix#0123abcd\"",
        1,
    );
    assert_ne!(forked, text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Cargo.lock");
    std::fs::write(&path, forked).unwrap();
    let (_, r) = json_of(&path, DATE, &[]);
    let f = findings(&r, "vulnerable")
        .into_iter()
        .find(|f| f["crate"] == "wasmtime")
        .unwrap();
    assert_eq!(f["level"], "warning");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("git source: judged by its version number; check the fork")
    );
    let (_, r) = json_of(&path, DATE, &["-D", "vulnerable"]);
    let f = findings(&r, "vulnerable")
        .into_iter()
        .find(|f| f["crate"] == "wasmtime")
        .unwrap();
    assert_eq!(f["level"], "error", "-D raises it");
}

#[test]
fn counts_are_of_findings_shown_in_order_of_severity_then_train() {
    for name in ["generated/wasmtime-27", "spin-2022-v3", "javy"] {
        let r = run(&["--lockfile", &lock(name), "--date", DATE, "-v"]);
        let shown = |level: &str| {
            r.stdout
                .lines()
                .filter(|l| l.starts_with(&format!("{level}[")))
                .count()
        };
        let summary = r.stdout.lines().last().unwrap();
        for (level, noun) in [("error", "error"), ("warning", "warning"), ("note", "note")] {
            let n = shown(level);
            let plural = if n == 1 { "" } else { "s" };
            assert!(
                summary.contains(&format!("{n} {noun}{plural}")),
                "{name}: {summary}"
            );
        }
        assert!(r.stdout.lines().all(|l| l.chars().count() <= 80), "{name}");

        let j = audit_json(name, &[]).1;
        let rank = |f: &Value| match f["level"].as_str().unwrap() {
            "error" => 0,
            "warning" => 1,
            _ => 2,
        };
        let keys: Vec<(u32, u64)> = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (rank(f), f["major"].as_u64().unwrap_or(u64::MAX)))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{name}");
        assert!(findings(&j, "msrv-gap").len() <= 1);
    }
}

#[test]
fn eol_advisories_are_one_line_unless_verbose() {
    let lock = lock("generated/wasmtime-27");
    let short = run(&["--lockfile", &lock, "--date", DATE]).stdout;
    let long = run(&["--lockfile", &lock, "--date", DATE, "-v"]).stdout;
    let (_, j) = audit_json("generated/wasmtime-27", &[]);
    let f = findings(&j, "vulnerable")
        .into_iter()
        .find(|f| f["crate"] == "wasmtime")
        .unwrap();
    let ids: Vec<&str> = f["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() > 1);
    assert!(short.replace("\n    ", " ").contains(&format!(
        "is in the affected range of {} advisories whose fixes landed only in",
        ids.len()
    )));
    assert_eq!(short.matches("(no fix in this line)").count(), 0);
    assert_eq!(long.matches("(no fix in this line)").count(), ids.len());
    for id in ids {
        assert!(short.contains(id) && long.contains(id));
    }
}

#[test]
fn advisory_titles_are_plain_text_and_escaped_per_output() {
    let (_, j) = audit_json("spin-2022-v3", &[]);
    let titles: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["advisories"].as_array().into_iter().flatten())
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.iter().any(|t| t.contains("x86_64")));
    assert!(titles.iter().all(|t| !t.contains("\\_")), "{titles:?}");
    let human = run(&["--lockfile", &lock("spin-2022-v3"), "--date", DATE, "-v"]).stdout;
    assert!(human.contains("x86_64") && !human.contains("x86\\_64"));
    let md = run(&[
        "--lockfile",
        &lock("spin-2022-v3"),
        "--date",
        DATE,
        "--format",
        "markdown",
    ])
    .stdout;
    assert!(md.contains("x86\\_64"), "Markdown escapes it again");
}

#[test]
fn ignores_are_scoped_to_their_crate_or_advisory() {
    let (_, plain) = audit_json("generated/wasmtime-27", &[]);
    let wasmtime_vuln = findings(&plain, "vulnerable")
        .into_iter()
        .find(|f| f["crate"] == "wasmtime")
        .unwrap()
        .clone();
    let first_id = wasmtime_vuln["advisories"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let total = wasmtime_vuln["advisories"].as_array().unwrap().len();
    let config = format!(
        r#"[workspace.metadata.wasmtime-support]
ignore = [
  {{ crate = "wasmtime-environ", version = "27", reason = "not ours" }},
  {{ advisory = "{first_id}", reason = "not reachable" }},
]"#
    );
    let (_dir, manifest) = workspace_copy("generated/wasmtime-27", |m| {
        m.replace("\n[workspace]\n", &format!("\n[workspace]\n\n{config}\n"))
    });
    let j = run(&[
        "--manifest-path",
        manifest.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ])
    .json();
    let vuln = findings(&j, "vulnerable")
        .into_iter()
        .find(|f| f["crate"] == "wasmtime")
        .expect("an ignore on another crate never hides wasmtime's advisories");
    let ids: Vec<&str> = vuln["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), total - 1);
    assert!(!ids.contains(&first_id.as_str()));
    assert!(!vuln["message"].as_str().unwrap().contains(&first_id));
    let ignored = j["ignored"].as_array().unwrap();
    assert!(ignored.iter().any(|i| i["advisory"] == first_id.as_str()));
    // The major ignore hides the train's own status findings.
    assert!(findings(&j, "eol").is_empty());
    assert!(ignored.iter().any(|i| i["code"] == "eol"));
}

#[test]
fn global_options_are_accepted_before_a_subcommand() {
    let r = run(&["--date", DATE, "--format", "json", "calendar"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json();
    let r = run(&["--date", DATE, "status", "27"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_usage_error(
        &run(&["--deny-eol", "calendar"]),
        &["--deny-eol", "calendar"],
    );
}

#[test]
fn dates_outside_the_documented_range_are_refused() {
    for date in ["9999-12-31", "0000-01-01", "2200-01-01", "2018-12-31"] {
        assert_usage_error(
            &run(&["--lockfile", &lock("generated/wasmtime-27"), "--date", date]),
            &["--date", policy::EARLIEST_DATE, policy::LATEST_DATE],
        );
    }
    for date in [policy::EARLIEST_DATE, policy::LATEST_DATE] {
        let r = run(&["--lockfile", &lock("generated/wasmtime-27"), "--date", date]);
        assert_ne!(r.code, 2, "{date}: {}", r.stderr);
        let r = run(&["--date", date, "calendar"]);
        assert_eq!(r.code, 0, "{date}: {}", r.stderr);
    }
}

#[test]
fn every_sarif_result_has_a_location() {
    let (dir, m) = workspace_copy("generated/wasmtime-27", |m| {
        m.replace(
            "edition = \"2021\"",
            "edition = \"2021\"\nrust-version = \"1.60\"",
        )
    });
    let r = run(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "sarif",
    ]);
    let j = r.json();
    let results = j["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1, "{res}");
        assert!(loc["artifactLocation"]["uri"].is_string(), "{res}");
    }
    let gap = results.iter().find(|r| r["ruleId"] == "msrv-gap");
    if let Some(gap) = gap {
        let uri = gap["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.ends_with("Cargo.toml"), "{uri}");
    }
    drop(dir);
}
