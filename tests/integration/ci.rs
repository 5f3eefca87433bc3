//! Fitting into CI and release checklists: finding levels, configuration with
//! expiring ignores, Markdown / GitHub / SARIF output, who pulls trains in.

use crate::common::*;
use serde_json::json;
use std::path::{Path, PathBuf};

const MONOREPO: &str = "fixtures/workspaces/monorepo/Cargo.toml";

fn monorepo(extra: &[&str]) -> Run {
    let mut args = SUPPORT_ONLY.to_vec();
    args.extend(["--manifest-path", MONOREPO]);
    args.extend_from_slice(extra);
    run(&args)
}

/// A copy of a generated fixture workspace with `config` appended to its manifest.
fn workspace_with(fixture_name: &str, config: &str) -> (tempfile::TempDir, PathBuf) {
    workspace_copy(fixture_name, |m| {
        m.replace("\n[workspace]\n", &format!("\n[workspace]\n\n{config}\n"))
    })
}

fn run_in(manifest: &Path, extra: &[&str]) -> Run {
    let mut args = SUPPORT_ONLY.to_vec();
    args.extend([
        "--manifest-path",
        manifest.to_str().unwrap(),
        "--date",
        DATE,
    ]);
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn who_pulls_each_train_in_with_kind_and_chain() {
    let r = monorepo(&["--date", DATE, "--format", "json"]).json();
    assert_eq!(majors(&r), [36, 47, 48]);
    let pulled = |m: u64| train(&r, m)["pulled_in_by"].clone();
    assert_eq!(
        pulled(36),
        json!([{"lockfile": "fixtures/workspaces/monorepo/Cargo.lock", "member": "bench", "kind": "dev",
                "chain": ["bench", "wasmtime@36.0.3"]}])
    );
    assert_eq!(train(&r, 36)["dev_only"], true);
    assert_eq!(pulled(47)[0]["kind"], "build");
    assert_eq!(
        pulled(47)[0]["chain"],
        json!(["codegen", "cranelift-entity@0.134.0"])
    );
    assert_eq!(train(&r, 47)["dev_only"], false);
    let p48 = pulled(48);
    assert_eq!(p48.as_array().unwrap().len(), 2);
    assert_eq!(
        p48[0]["chain"],
        json!(["bench", "engine@0.1.0", "wasmtime@48.0.8"])
    );
    assert_eq!(p48[0]["kind"], "normal");
    assert_eq!(p48[1]["chain"], json!(["engine", "wasmtime@48.0.8"]));

    // The same from the lockfile alone: the manifests beside it give the kinds.
    let (_, l) = support_json("workspaces/monorepo", &[]);
    assert_eq!(train(&l, 36)["dev_only"], true);
    assert_eq!(train(&l, 47)["pulled_in_by"][0]["kind"], "build");

    let human = monorepo(&["--date", DATE, "-v"]).stdout;
    assert!(
        human.contains("    bench -> wasmtime@36.0.3 (dev)\n"),
        "{human}"
    );
    assert!(
        human.contains("  scope    dev-dependencies only\n"),
        "{human}"
    );
}

#[test]
fn without_manifests_the_kind_is_unknown() {
    let (_, r) = support_json("wasm-tools", &[]);
    let pulled = train(&r, 36)["pulled_in_by"].as_array().unwrap().clone();
    let members: Vec<&str> = pulled
        .iter()
        .map(|p| p["member"].as_str().unwrap())
        .collect();
    assert!(members.contains(&"wit-component"), "{members:?}");
    assert!(
        pulled
            .iter()
            .all(|p| p["kind"] == "unknown" || p["member"] == "wasm-tools")
    );
    assert_eq!(train(&r, 36)["dev_only"], false, "unknown is not dev");
}

#[test]
fn exclude_dev_leaves_dev_only_trains_out() {
    let r = monorepo(&["--date", DATE, "--format", "json", "--exclude-dev"]).json();
    assert_eq!(majors(&r), [47, 48]);
    assert_eq!(r["excluded_dev_only"], json!([36]));
    let multiple = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "multiple-trains")
        .unwrap();
    assert!(
        multiple["message"]
            .as_str()
            .unwrap()
            .contains("holds 2 Wasmtime majors (47, 48)")
    );
    let (_dir, manifest) = workspace_with(
        "generated/wasmtime-27",
        "[workspace.metadata.wasmtime-support]\nexclude-dev = true\n",
    );
    assert_eq!(
        run_in(&manifest, &["--format", "json"]).json()["excluded_dev_only"],
        json!([])
    );
}

#[test]
fn config_ignore_applies_until_its_last_day_then_expires() {
    // until = 2026-12-31 (inclusive) hides Wasmtime 47's eol finding.
    let r = monorepo(&["--date", "2026-12-31", "--format", "json", "--deny-eol"]);
    assert_eq!(r.code, 0, "the ignored eol finding does not fail the run");
    let j = r.json();
    assert_eq!(codes(&j), ["multiple-trains"]);
    assert_eq!(j["ignored"][0]["code"], "eol");
    assert_eq!(j["ignored"][0]["crate"], "cranelift-entity");
    assert_eq!(j["ignored"][0]["until"], "2026-12-31");
    assert_eq!(
        j["ignored"][0]["reason"],
        "build-time code generator, moves with the next toolchain bump"
    );

    let r = monorepo(&["--date", "2027-01-01", "--format", "json", "--deny-eol"]);
    assert_eq!(r.code, 1, "expired: the finding is back and denied");
    let j = r.json();
    assert_eq!(codes(&j), ["eol", "multiple-trains", "ignore-expired"]);
    assert_eq!(j["findings"][2]["level"], "warning");
    assert!(
        j["findings"][2]["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2026-12-31")
    );
    assert_eq!(j["ignored"], json!([]));
}

#[test]
fn an_ignore_that_matches_nothing_is_reported() {
    let config = r#"[workspace.metadata.wasmtime-support]
ignore = [
  { crate = "wasmtime", version = "27", reason = "vendor pin" },
  { crate = "wasmtime", version = "30.0.0", reason = "gone" },
]"#;
    let (_dir, manifest) = workspace_with("generated/wasmtime-27", config);
    let j = run_in(&manifest, &["--format", "json"]).json();
    assert_eq!(codes(&j), ["unused-ignore"]);
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("wasmtime 30.0.0")
    );
    assert_eq!(
        j["ignored"][0]["version"], "27",
        "a major matches the whole train"
    );
}

#[test]
fn config_sets_levels_and_flags_override_it() {
    let config = "[workspace.metadata.wasmtime-support]\ndeny-eol = true\n";
    let (_dir, manifest) = workspace_with("generated/wasmtime-27", config);
    assert_eq!(run_in(&manifest, &[]).code, 1);
    assert_eq!(
        run_in(&manifest, &["-W", "eol"]).code,
        0,
        "the command line wins"
    );

    // --deny-eol and --require-lts win over the configuration's allow and warn.
    let config = "[workspace.metadata.wasmtime-support]\nallow = [\"eol\"]\n";
    let (_dir, manifest) = workspace_with("generated/wasmtime-27", config);
    assert_eq!(run_in(&manifest, &[]).code, 0);
    let r = run_in(&manifest, &["--deny-eol", "--format", "json"]);
    assert_eq!(r.code, 1, "--deny-eol beats allow = [\"eol\"]");
    assert_eq!(
        run_in(&manifest, &["--deny-eol", "-A", "eol"]).code,
        0,
        "a later flag wins over an earlier one"
    );
    let config = "[workspace.metadata.wasmtime-support]\nwarn = [\"not-lts\"]\n";
    let (_dir, manifest) = workspace_with("generated/wasmtime-50.0.1", config);
    let r = run_in(&manifest, &["--require-lts", "--format", "json"]).json();
    let not_lts = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "not-lts")
        .unwrap();
    assert_eq!(
        not_lts["level"], "error",
        "--require-lts beats warn = [\"not-lts\"]"
    );

    let config = "[workspace.metadata.wasmtime-support]\nwarn-within = 10\nrequire-lts = true\n";
    let (_dir, manifest) = workspace_with("generated/wasmtime-50.0.1", config);
    let r = run_in(&manifest, &["--format", "json"]);
    assert_eq!(r.code, 1, "require-lts makes not-lts an error");
    assert_eq!(
        codes(&r.json()),
        ["not-lts"],
        "29 days left is outside a 10-day window"
    );
    assert_eq!(
        codes(&run_in(&manifest, &["--format", "json", "--warn-within", "30"]).json()),
        ["not-lts", "eol-soon"],
        "errors first"
    );

    // [package.metadata] of a single-package project.
    let (_dir, manifest) = workspace_copy("generated/wasmtime-27", |m| {
        m.replace(
            "[workspace]",
            "[package.metadata.wasmtime-support]\nallow = [\"eol\"]\n\n[workspace]",
        )
    });
    let j = run_in(&manifest, &["--format", "json"]).json();
    assert_eq!(codes(&j), Vec::<String>::new());
}

#[test]
fn bad_config_is_an_error_naming_the_key() {
    let cases = [
        (
            "deny-eoll = true",
            vec![
                "[workspace.metadata.wasmtime-support]",
                "unknown field `deny-eoll`",
            ],
        ),
        (
            "warn-within = \"soon\"",
            vec!["key `warn-within`", "expected u32"],
        ),
        (
            "supported-through = \"2027-13-01\"",
            vec!["key `supported-through`", "YYYY-MM-DD"],
        ),
        (
            "deny = [\"eol\", \"everything\"]",
            vec!["key `deny[1]`", "\"everything\""],
        ),
        (
            "ignore = [{ crate = \"wasmtime\", version = \"27.0.0\" }]",
            vec!["key `ignore[0]`", "missing field `reason`"],
        ),
        (
            "ignore = [{ crate = \"wasmtime\", version = \"27.0.0\", reason = \"r\", until = \"someday\" }]",
            vec!["key `ignore[0].until`"],
        ),
    ];
    for (body, parts) in cases {
        let (_dir, manifest) = workspace_with(
            "generated/wasmtime-27",
            &format!("[workspace.metadata.wasmtime-support]\n{body}\n"),
        );
        let mut all = parts.clone();
        let shown = manifest.canonicalize().unwrap();
        all.push(shown.to_str().unwrap());
        assert_usage_error(&run_in(&manifest, &[]), &all);
    }
}

#[test]
fn supported_through_is_the_pre_release_check() {
    let r = run_support(&[
        "--lockfile",
        &lock("generated/wasmtime-36.0.3"),
        "--date",
        DATE,
        "--supported-through",
        "2027-08-20",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "36 LTS is supported on its EOL date");
    assert_eq!(r.json()["supported_through"], "2027-08-20");
    let r = run_support(&[
        "--lockfile",
        &lock("generated/wasmtime-36.0.3"),
        "--date",
        DATE,
        "--supported-through",
        "2027-08-21",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(codes(&j), ["unsupported-on"]);
    assert_eq!(j["findings"][0]["level"], "error");
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("its support ends on 2027-08-20")
    );

    let r = run_support(&[
        "--lockfile",
        &lock("wasmtime"),
        "--date",
        DATE,
        "--supported-through",
        "2026-12-01",
        "--format",
        "json",
    ]);
    // Its crates are pre-releases of 49: the train is judged by 49's support window.
    let eol_49 = cargo_wasmtime_support::policy::eol_date(49).unwrap();
    assert!(r.json()["findings"].as_array().unwrap().iter().any(|f| {
        f["code"] == "unsupported-on"
            && f["message"]
                .as_str()
                .unwrap()
                .contains(&format!("its support ends on {eol_49}"))
    }));
    let human = run_support(&[
        "--lockfile",
        &lock("generated/wasmtime-48.0.0"),
        "--date",
        DATE,
        "--supported-through",
        "2028-01-01",
    ])
    .stdout;
    assert!(
        human.contains("checking support through 2028-01-01"),
        "{human}"
    );
}

#[test]
fn every_code_is_produced_by_some_input() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("Cargo.lock");
    std::fs::write(
        &odd,
        "version = 4\n\n[[package]]\nname = \"cranelift-codegen\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    let r = run_support(&[
        "--lockfile",
        odd.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ])
    .json();
    assert_eq!(codes(&r), ["unrecognized-version"]);
    assert_eq!(r["findings"][0]["location"]["line"], 4);

    let mut seen: Vec<String> = codes(&r);
    for (name, extra) in [
        ("javy", vec![]),
        ("wasmtime", vec![]),
        ("generated/wasmtime-50.0.1", vec![]),
        ("generated/wasmtime-50.0.1", vec!["--date", "2026-10-01"]),
        (
            "generated/wasmtime-36.0.3",
            vec!["--supported-through", "2030-01-01"],
        ),
    ] {
        let (_, r) = support_json(name, &extra);
        seen.extend(codes(&r));
    }
    seen.extend(codes(
        &monorepo(&["--date", "2027-01-01", "--format", "json"]).json(),
    ));
    let (_dir, manifest) = workspace_with(
        "generated/wasmtime-27",
        "[workspace.metadata.wasmtime-support]\nignore = [{ crate = \"wasmtime\", version = \"30\", reason = \"r\" }]\n",
    );
    seen.extend(codes(&run_in(&manifest, &["--format", "json"]).json()));
    let help = run(&["--help"]).stdout;
    for code in [
        "eol",
        "eol-soon",
        "not-lts",
        "prerelease",
        "unreleased",
        "multiple-trains",
        "unsupported-on",
        "ignore-expired",
        "unused-ignore",
        "unrecognized-version",
    ] {
        assert!(
            seen.iter().any(|c| c == code),
            "{code} never produced: {seen:?}"
        );
        assert!(
            help.split([' ', ',', '\n']).any(|w| w == code),
            "{code} missing from --help"
        );
    }
}

#[test]
fn markdown_and_json_match_snapshots() {
    let md = monorepo(&["--date", DATE, "--format", "markdown"]);
    assert_eq!(md.code, 0);
    assert_snapshot("markdown-monorepo.md", &md.stdout);
    let md = run_support(&[
        "--lockfile",
        &lock("generated/wasmtime-50.0.1"),
        "--date",
        DATE,
        "--format",
        "markdown",
        "--supported-through",
        "2027-01-31",
    ]);
    assert_eq!(md.code, 1);
    assert_snapshot("markdown-50-supported-through.md", &md.stdout);
    let json = monorepo(&["--date", "2027-01-01", "--format", "json"]);
    assert_snapshot("json-monorepo-2027-01-01.json", &json.stdout);
    let human = monorepo(&["--date", DATE]);
    assert_snapshot("human-monorepo.txt", &human.stdout);
}

#[test]
fn github_annotations_point_at_lockfile_lines_and_write_the_step_summary() {
    let summary = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(summary.path(), "earlier step\n").unwrap();
    let r = run_cmd(
        command()
            .args([
                "--manifest-path",
                MONOREPO,
                "--date",
                "2027-01-01",
                "--format",
                "github",
                "--deny-eol",
            ])
            .env("GITHUB_STEP_SUMMARY", summary.path()),
    );
    assert_eq!(r.code, 1);
    let first = r
        .stdout
        .lines()
        .find(|l| l.contains("title=wasmtime-support eol::"))
        .unwrap();
    // Located at the train's subject: cranelift-entity, the workspace's direct dependency.
    assert!(first.starts_with("::error file=fixtures/workspaces/monorepo/Cargo.lock,line=374,title=wasmtime-support eol::Wasmtime 47 reached end of life"), "{first}");
    let lock = std::fs::read_to_string(fixture("workspaces/monorepo/Cargo.lock")).unwrap();
    assert!(
        lock.lines()
            .nth(228)
            .unwrap()
            .starts_with("name = \"cranelift-"),
        "line 229 is the package's name line"
    );
    assert!(r.stdout.contains(
        "::warning file=fixtures/workspaces/monorepo/Cargo.lock,line=1,title=wasmtime-support ignore-expired::"
    ));
    // One annotation per finding: advisories of one crate version are one.
    let vulnerable: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("title=wasmtime-support vulnerable::"))
        .collect();
    let j = run_cmd(command().args([
        "--manifest-path",
        MONOREPO,
        "--date",
        "2027-01-01",
        "--format",
        "json",
    ]))
    .json();
    let findings = j["findings"].as_array().unwrap();
    assert_eq!(
        vulnerable.len(),
        findings
            .iter()
            .filter(|f| f["code"] == "vulnerable")
            .count()
    );
    for f in findings.iter().filter(|f| f["code"] == "vulnerable") {
        let ids: Vec<&str> = f["advisories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        let line = vulnerable
            .iter()
            .find(|l| {
                l.contains(&format!(
                    "::{} {} ",
                    f["crate"].as_str().unwrap(),
                    f["version"].as_str().unwrap()
                ))
            })
            .unwrap();
        assert!(ids.iter().all(|id| line.contains(id)), "{line}");
    }
    // Every annotation has a file and a line.
    assert!(
        r.stdout
            .lines()
            .filter(|l| l.starts_with("::"))
            .all(|l| l.contains(" file=") && l.contains(",line=")),
        "{}",
        r.stdout
    );
    let written = std::fs::read_to_string(summary.path()).unwrap();
    assert!(
        written.starts_with("earlier step\n## Wasmtime support\n"),
        "appended: {written}"
    );
    assert!(written.contains("| Wasmtime 47 | 🔴 EOL |"));
}

#[test]
fn crafted_input_cannot_inject_workflow_commands_or_markdown() {
    let dir = tempfile::tempdir().unwrap();
    // A directory name with a newline, a comma and a colon: it reaches messages and properties.
    let evil_dir = dir.path().join("x,title=pwned:\n::error::injected");
    std::fs::create_dir(&evil_dir).unwrap();
    let lockfile = evil_dir.join("Cargo.lock");
    std::fs::copy(fixture("generated/wasmtime-27/Cargo.lock"), &lockfile).unwrap();
    let r = run_support(&[
        "--lockfile",
        lockfile.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "github",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in r.stdout.lines() {
        assert!(!line.starts_with("::error::injected"), "injected: {line}");
        if let Some(props) = line.strip_prefix("::warning ") {
            // GitHub splits properties on `,` and ends them at `::`.
            let props: Vec<&str> = props.split("::").next().unwrap().split(',').collect();
            assert_eq!(props.len(), 3, "{line}");
            assert!(
                props[0].starts_with("file=")
                    && props[0]
                        .ends_with("x%2Ctitle=pwned%3A%0A%3A%3Aerror%3A%3Ainjected/Cargo.lock"),
                "{line}"
            );
            assert!(
                props[1].starts_with("line=") && props[2].starts_with("title="),
                "{line}"
            );
        }
    }
    assert_eq!(
        r.stdout.lines().filter(|l| l.starts_with("::")).count(),
        1,
        "{}",
        r.stdout
    );

    // An ignore reason from the config reaches messages; it cannot start a line either.
    let (_ws, manifest) = workspace_with(
        "generated/wasmtime-27",
        "[workspace.metadata.wasmtime-support]\nignore = [{ crate = \"wasmtime\", version = \"30\", reason = \"a\\n::error::x | ## y\", until = \"2026-01-01\" }]\n",
    );
    let r = run_in(&manifest, &["--format", "github"]);
    assert!(
        r.stdout.lines().all(|l| !l.starts_with("::error::x")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("reason: a%0A::error::x | ## y"),
        "{}",
        r.stdout
    );
    let md = run_in(&manifest, &["--format", "markdown"]).stdout;
    assert!(md.contains("reason: a ::error::x \\| \\#\\# y"), "{md}");
    let human = run_in(&manifest, &[]).stdout;
    assert!(human.contains("reason: a\\n::error::x"), "{human}");
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let r = monorepo(&[
        "--date",
        "2027-01-01",
        "--format",
        "sarif",
        "--deny-eol",
        "--supported-through",
        "2030-01-01",
    ]);
    assert_eq!(r.code, 1);
    let doc = r.json();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules.len(),
        cargo_wasmtime_support::Code::ALL.len(),
        "one rule per code"
    );
    let results = run0["results"].as_array().unwrap();
    let eol = results.iter().find(|r| r["ruleId"] == "eol").unwrap();
    assert_eq!(eol["level"], "error");
    assert_eq!(rules[eol["ruleIndex"].as_u64().unwrap() as usize], "eol");
    assert_eq!(
        eol["locations"][0]["physicalLocation"]["region"]["startLine"], 374,
        "the train's subject: the direct dependency cranelift-entity"
    );
    assert!(results.iter().any(|r| r["ruleId"] == "unsupported-on"));
    // A broken document is rejected, so the check above can fail.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_carries_what_github_code_scanning_asks_for() {
    let bytes = std::fs::read(root().join(lock("spin"))).unwrap();
    let env = cargo_wasmtime_support::Env {
        stdin: cargo_wasmtime_support::Stdin::Given(bytes),
        ..env()
    };
    for args in [
        vec!["--lockfile", "fixtures/spin/Cargo.lock"],
        vec!["--lockfile", "-"],
    ] {
        let mut args = args;
        args.extend(["--date", DATE, "--format", "sarif"]);
        let j = crate::common::run_in(&env, &args).json();
        let run = &j["runs"][0];
        assert!(run["tool"]["driver"]["informationUri"].is_string());
        for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
            assert!(rule["help"]["text"].is_string(), "{rule}");
            assert_ne!(rule["name"], rule["id"], "{rule}");
            if rule["id"] == "vulnerable" {
                assert!(
                    rule["properties"]["security-severity"].is_string(),
                    "{rule}"
                );
            }
        }
        let results = run["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for r in results {
            assert!(
                r["partialFingerprints"]["cargoWasmtimeSupport/v1"].is_string(),
                "{r}"
            );
            let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{r}");
            assert!(!artifact["uri"].as_str().unwrap().starts_with('-'), "{r}");
        }
    }
}
