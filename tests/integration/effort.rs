//! Upgrade effort in EffVer terms, in every output.

use crate::common::*;
use serde_json::json;

#[test]
fn json_carries_the_effort_of_every_option() {
    let (_, r) = support_json("generated/wasmtime-27", &[]);
    let effort = train(&r, 27)["upgrade"]["effort"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(effort.len(), 2, "the stepping stone and the target");
    assert_eq!(effort[0]["option"], "stepping-stone");
    assert_eq!(effort[0]["to"], 36);
    assert_eq!(effort[0]["changed_removed"], 96);
    assert_eq!(effort[0]["prs"], 130);
    assert_eq!(effort[0]["class"], "macro");
    assert_eq!(effort[1]["option"], "target");
    assert_eq!(effort[1]["to"], 48);
    assert_eq!(effort[1]["changed_removed"], 229);
    assert_eq!(effort[1]["prs"], 325);
    assert_eq!(effort[1]["majors"], json!((28..=48).collect::<Vec<_>>()));
    let notes = effort[1]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 21);
    assert_eq!(
        notes[20],
        "https://github.com/bytecodealliance/wasmtime/blob/release-48.0.0/RELEASES.md"
    );

    // 47 -> 48 crosses one major with 14 entries: one typical major (the
    // upper quartile over 25 to 50 is 14), so meso.
    let (_, r) = support_json("spin", &[]);
    let e = &train(&r, 47)["upgrade"]["effort"][0];
    assert_eq!(
        (e["changed_removed"].as_u64(), e["class"].as_str()),
        (Some(14), Some("meso"))
    );
}

#[test]
fn past_the_data_the_effort_is_unknown_not_zero() {
    let (_, r) = support_json("generated/wasmtime-50.0.1", &[]);
    let effort = train(&r, 50)["upgrade"]["effort"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(effort[0]["option"], "target");
    assert_eq!(effort[0]["class"], "unknown");
    assert_eq!(effort[0]["changed_removed"], serde_json::Value::Null);
    assert_eq!(effort[1]["option"], "move-back");
    assert_eq!(effort[1]["to"], 48);
    // The notes of 49 and 50 are known (from the registry's wasmtime-cli).
    assert!(effort[1]["changed_removed"].is_u64(), "{:#}", effort[1]);
    assert_ne!(effort[1]["class"], "unknown");
    let (_, r) = support_json("generated/wasmtime-48.0.0", &[]);
    assert_eq!(
        train(&r, 48)["upgrade"]["effort"],
        json!([]),
        "nothing to do on the newest LTS"
    );
}

#[test]
fn human_markdown_and_status_show_it() {
    let l = lock("generated/wasmtime-27");
    let human = run_support(&["--lockfile", &l, "--date", DATE]).stdout;
    assert!(human.contains("effort: macro, 229 changed/removed entries, 325 PRs (estimated from\n           the release notes)"), "{human}");
    assert!(
        human.contains("to 36 LTS first: macro, 96 changed/removed entries, 130 PRs"),
        "{human}"
    );
    let verbose = run_support(&["--lockfile", &l, "--date", DATE, "-v"]).stdout;
    assert!(verbose.contains("  release notes to read, in order:\n  https://github.com/bytecodealliance/wasmtime/blob/release-28.0.0/RELEASES.md\n"), "{verbose}");

    let md = run_support(&["--lockfile", &l, "--date", DATE, "--format", "markdown"]).stdout;
    let (_, r) = audit_json("generated/wasmtime-27", &[]);
    let resolves = resolving(train(&r, 27), 48, DATE, None).unwrap();
    assert!(
        md.contains(&format!(
            "| 48 LTS ({resolves}) | macro, 229 changed/removed entries, 325 PRs |"
        )),
        "{md}"
    );
    assert!(
        md.contains("- [ ] Read the release notes of the 21 majors crossed"),
        "{md}"
    );

    let status = run(&["status", "27.0.0", "--date", DATE, "--color", "never"]).stdout;
    assert!(
        status.contains("  effort     to 36: macro, 96 changed/removed entries, 130 PRs\n"),
        "{status}"
    );
    assert!(
        status.contains("  effort     to 48: macro, 229 changed/removed entries, 325 PRs\n"),
        "{status}"
    );
    let status = run(&["status", "50", "--date", DATE, "--color", "never"]).stdout;
    assert!(status.contains("  effort     back to 48: "), "{status}");
    assert!(
        !status.contains("back to 48: unknown"),
        "49 and 50 have notes: {status}"
    );

    // A patch update is always micro.
    let (_, r) = audit_json("generated/wasmtime-36.0.3", &[]);
    let outdated = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "outdated-patch")
        .unwrap()
        .clone();
    assert!(
        outdated["message"]
            .as_str()
            .unwrap()
            .contains("(EffVer micro: a patch update, no breaking changes)")
    );
}
