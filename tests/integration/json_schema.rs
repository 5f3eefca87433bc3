//! The JSON report keeps its contract: every report, on every fixture and at
//! dates that reach every kind of advice, validates against
//! `docs/audit.schema.json` (schema_version 2), and the schema names exactly
//! the finding codes the tool has.

use crate::common::*;
use serde_json::{Value, json};

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/audit.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the audit schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn lockfiles() -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![root().join("fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.file_name().is_some_and(|n| n == "Cargo.lock") {
                let rel = path.strip_prefix(root()).unwrap();
                found.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_report_validates_against_the_schema() {
    let v = validator();
    let locks = lockfiles();
    assert!(locks.len() >= 10, "{locks:?}");
    let mut advice_seen = std::collections::BTreeSet::new();
    let mut reports = 0;
    for lock in &locks {
        for extra in [
            &["--date", DATE][..],
            &["--date", "2024-06-01"],
            &[
                "--date",
                "2027-01-01",
                "--supported-through",
                "2028-01-01",
                "-v",
            ],
            &["--date", DATE, "--exclude-dev", "--deny-eol"],
        ] {
            let mut args = vec!["--lockfile", lock.as_str(), "--format", "json"];
            args.extend_from_slice(extra);
            let r = run(&args);
            assert_ne!(r.code, 2, "{lock} {extra:?}: {}", r.stderr);
            let doc = r.json();
            let problems = errors(&v, &doc);
            assert!(problems.is_empty(), "{lock} {extra:?}: {problems:#?}");
            for t in doc["trains"].as_array().unwrap() {
                let u = &t["upgrade"];
                advice_seen.insert(u["advice"].as_str().unwrap().to_string());
                for now in ["restore", "move_by"] {
                    if !u[now].is_null() {
                        advice_seen.insert(now.to_string());
                    }
                }
            }
            reports += 1;
        }
    }
    assert!(reports >= 40);
    for kind in [
        "on-newest-lts",
        "move-to-lts",
        "next-lts",
        "restore",
        "move_by",
    ] {
        assert!(advice_seen.contains(kind), "no report had {kind}");
    }
}

#[test]
fn the_schema_rejects_what_breaks_the_contract() {
    let v = validator();
    let r = run(&[
        "--lockfile",
        &lock("generated/wasmtime-50.0.1"),
        "--format",
        "json",
        "--date",
        DATE,
    ]);
    let doc = r.json();
    assert!(errors(&v, &doc).is_empty());
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        edit(&mut d);
        !v.is_valid(&d)
    };
    assert!(broken(&|d| d["schema_version"] = json!(3)));
    assert!(broken(
        &|d| d["trains"][0]["upgrade"]["advice"] = json!("wait")
    ));
    assert!(broken(&|d| {
        d["trains"][0]["upgrade"]["restore"] =
            json!({"major": 50, "version": "50.0.1", "eol_date": "2026-12-20"});
        d["trains"][0]["upgrade"]["move_by"] = json!({"date": "2026-12-20", "next_major": 51, "next_release_date": "2026-11-20", "next_version": null, "next_late": false});
    }));
    assert!(broken(&|d| {
        d["trains"][0]
            .as_object_mut()
            .unwrap()
            .insert("surprise".into(), json!(1));
    }));
    assert!(broken(&|d| {
        d["findings"][0]["code"] = json!("not-a-code");
    }));
}

#[test]
fn the_schema_names_every_finding_code() {
    let text = std::fs::read_to_string(root().join("docs/audit.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let mut in_schema: Vec<&str> = schema["$defs"]["finding"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    in_schema.sort();
    let sarif = run(&[
        "--lockfile",
        &lock("generated/wasmtime-27"),
        "--format",
        "sarif",
        "--date",
        DATE,
    ])
    .json();
    let mut rules: Vec<String> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    assert_eq!(in_schema, rules);
}
