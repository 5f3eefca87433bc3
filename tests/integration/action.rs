//! The GitHub Action (`action.yml`) and the pre-commit hook
//! (`.pre-commit-hooks.yaml`): their metadata is parsed and checked, and the
//! action's own steps are run here with a fake runner environment.

use crate::common::*;
use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn load(file: &str) -> Value {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn steps(action: &Value) -> &Vec<Value> {
    action["runs"]["steps"].as_sequence().unwrap()
}

fn step<'a>(action: &'a Value, id: &str) -> &'a Value {
    steps(action)
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

#[test]
fn action_metadata_has_the_required_keys() {
    let action = load("action.yml");
    for key in ["name", "description"] {
        assert!(action[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_mapping().unwrap();
    for input in [
        "args",
        "format",
        "deny-eol",
        "supported-through",
        "manifest-path",
    ] {
        let i = &inputs[input];
        assert!(i["description"].is_string(), "input {input}");
        assert!(i["default"].is_string(), "input {input} default");
    }
    assert_eq!(inputs["format"]["default"], "github");
    for s in steps(&action) {
        assert!(s["run"].is_string() ^ s["uses"].is_string(), "{s:?}");
        if s["run"].is_string() {
            assert_eq!(s["shell"], "bash", "composite run steps need a shell");
        }
    }
    let cache = steps(&action)
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .expect("the build is cached");
    assert!(
        cache["with"]["key"]
            .as_str()
            .unwrap()
            .contains("steps.version.outputs.version")
    );
    // Every expression names a declared input or an existing step.
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let ids: Vec<&str> = steps(&action)
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    for expr in text.split("${{").skip(1) {
        let expr = expr.split("}}").next().unwrap().trim();
        if let Some(name) = expr.strip_prefix("inputs.") {
            assert!(inputs.contains_key(name), "undeclared input {name}");
        } else if let Some(rest) = expr.strip_prefix("steps.") {
            let id = rest.split('.').next().unwrap();
            assert!(ids.contains(&id), "unknown step {id}");
        }
    }
    for (name, output) in action["outputs"].as_mapping().unwrap() {
        assert!(output["value"].is_string(), "output {name:?}");
    }
}

/// Runs a step's `run` script as the runner would, with `inputs` (others
/// at their defaults) and the step outputs `steps`.
fn run_step(
    step: &Value,
    inputs: &BTreeMap<&str, &str>,
    steps: &BTreeMap<&str, String>,
    runner: &Path,
) -> (i32, String) {
    let action = load("action.yml");
    let expand = |s: &str| -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find("${{") {
            out.push_str(&rest[..at]);
            let end = rest[at..].find("}}").unwrap() + at;
            let expr = rest[at + 3..end].trim();
            let value = if let Some(name) = expr.strip_prefix("inputs.") {
                inputs.get(name).map(|v| v.to_string()).unwrap_or_else(|| {
                    action["inputs"][name]["default"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
            } else {
                steps
                    .get(expr)
                    .unwrap_or_else(|| panic!("no value for {expr}"))
                    .clone()
            };
            out.push_str(&value);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    };
    let script = runner.join("step.sh");
    std::fs::write(&script, expand(step["run"].as_str().unwrap())).unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(root())
        .env("GITHUB_ACTION_PATH", root())
        .env("RUNNER_TEMP", runner)
        .env("GITHUB_OUTPUT", runner.join("output"))
        .env("GITHUB_STEP_SUMMARY", runner.join("summary.md"))
        .env("CARGO_WASMTIME_SUPPORT_CACHE_DIR", runner.join("no-cache"))
        .env("CARGO_HOME", runner.join("no-cargo-home"))
        .env_remove("NO_COLOR")
        .env_remove("CARGO_TERM_COLOR");
    if let Some(env) = step["env"].as_mapping() {
        for (k, v) in env {
            cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap()));
        }
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
    )
}

/// A fake runner: RUNNER_TEMP with the installed tool in `<root>/bin`.
fn runner() -> (tempfile::TempDir, BTreeMap<&'static str, String>) {
    let dir = tempfile::tempdir().unwrap();
    let install = dir.path().join("cargo-wasmtime-support");
    std::fs::create_dir_all(install.join("bin")).unwrap();
    std::os::unix::fs::symlink(BIN, install.join("bin/cargo-wasmtime-support")).unwrap();
    let steps = BTreeMap::from([
        ("steps.version.outputs.root", install.display().to_string()),
        (
            "steps.version.outputs.version",
            env!("CARGO_PKG_VERSION").to_string(),
        ),
    ]);
    (dir, steps)
}

fn outputs(runner: &Path) -> String {
    std::fs::read_to_string(runner.join("output")).unwrap_or_default()
}

fn summary(runner: &Path) -> String {
    std::fs::read_to_string(runner.join("summary.md")).unwrap_or_default()
}

#[test]
fn the_version_step_reads_the_tools_version() {
    let action = load("action.yml");
    let (dir, steps) = runner();
    let (code, log) = run_step(
        step(&action, "version"),
        &BTreeMap::new(),
        &steps,
        dir.path(),
    );
    assert_eq!(code, 0, "{log}");
    let out = outputs(dir.path());
    assert!(
        out.contains(&format!("version={}\n", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
}

#[test]
fn the_audit_step_annotates_summarises_and_fails_on_eol() {
    let action = load("action.yml");
    let (dir, steps) = runner();
    let args = format!("--lockfile {} --date {DATE}", lock("generated/wasmtime-27"));
    let inputs = BTreeMap::from([("args", args.as_str()), ("deny-eol", "true")]);
    let (code, log) = run_step(step(&action, "audit"), &inputs, &steps, dir.path());
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("::error file="), "{log}");
    let out = outputs(dir.path());
    assert!(out.contains("exit-code=1\n"), "{out}");
    let report = out.lines().find_map(|l| l.strip_prefix("report=")).unwrap();
    assert!(std::fs::read_to_string(report).unwrap().contains("::error"));
    assert!(
        summary(dir.path()).contains("## Wasmtime support"),
        "{}",
        summary(dir.path())
    );
}

#[test]
fn the_audit_step_writes_the_summary_for_every_format() {
    let action = load("action.yml");
    let (dir, steps) = runner();
    let args = format!(
        "--lockfile {} --date {DATE} {}",
        lock("generated/wasmtime-48.0.0"),
        SUPPORT_ONLY.join(" ")
    );
    let inputs = BTreeMap::from([("args", args.as_str()), ("format", "json")]);
    let (code, log) = run_step(step(&action, "audit"), &inputs, &steps, dir.path());
    assert_eq!(code, 0, "{log}");
    let json: serde_json::Value = serde_json::from_str(&log).expect("the log is the JSON report");
    assert_eq!(json["result"]["verdict"], "pass");
    assert!(outputs(dir.path()).contains("exit-code=0\n"));
    assert!(
        summary(dir.path()).contains("## Wasmtime support"),
        "{}",
        summary(dir.path())
    );
}

#[test]
fn the_refresh_step_runs_before_the_audit_and_never_stops_it() {
    let action = load("action.yml");
    let ids: Vec<&str> = steps(&action)
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    let at = |id: &str| ids.iter().position(|i| *i == id).unwrap();
    assert!(at("refresh") < at("audit"), "{ids:?}");
    assert_eq!(action["inputs"]["refresh"]["default"], "true");

    // A refresh that cannot run (here: cargo says offline) is a warning.
    let (dir, steps) = runner();
    let offline = tempfile::tempdir().unwrap();
    std::fs::write(
        offline.path().join("config.toml"),
        "[net]\noffline = true\n",
    )
    .unwrap();
    let mut step_def = step(&action, "refresh").clone();
    step_def["env"]["CARGO_HOME"] = offline.path().to_str().unwrap().into();
    let (code, log) = run_step(&step_def, &BTreeMap::new(), &steps, dir.path());
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("net.offline"), "{log}");
    assert!(
        log.contains("::warning title=wasmtime-support::refresh failed"),
        "{log}"
    );

    // Turned off, it does nothing; a bad value is refused.
    let (code, log) = run_step(
        step(&action, "refresh"),
        &BTreeMap::from([("refresh", "false")]),
        &steps,
        dir.path(),
    );
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("Not refreshing"), "{log}");
    let (code, log) = run_step(
        step(&action, "refresh"),
        &BTreeMap::from([("refresh", "yes")]),
        &steps,
        dir.path(),
    );
    assert_eq!(code, 2, "{log}");
    assert!(
        log.contains("::error") && log.contains("input refresh"),
        "{log}"
    );
}

#[test]
fn the_audit_step_refuses_a_bad_input() {
    let action = load("action.yml");
    let (dir, steps) = runner();
    let inputs = BTreeMap::from([("deny-eol", "yes")]);
    let (code, log) = run_step(step(&action, "audit"), &inputs, &steps, dir.path());
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("::error") && log.contains("deny-eol"), "{log}");
    assert!(summary(dir.path()).is_empty());
}

#[test]
fn pre_commit_hook_runs_the_audit_when_manifests_change() {
    let hooks = load(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().unwrap();
    assert_eq!(hooks.len(), 1);
    let hook = &hooks[0];
    for key in ["id", "name", "entry", "language"] {
        assert!(hook[key].is_string(), "{key}");
    }
    assert_eq!(hook["entry"], "cargo-wasmtime-support");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["pass_filenames"], true);
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    for path in ["Cargo.lock", "Cargo.toml", "crates/a/Cargo.toml"] {
        assert!(files.is_match(path), "{path}");
    }
    for path in ["Cargo.lock.orig", "src/main.rs", "NotCargo.toml"] {
        assert!(!files.is_match(path), "{path}");
    }

    // As pre-commit runs it: from the repository root, with the changed
    // files, the workspace in a subdirectory.
    let repo = tempfile::tempdir().unwrap();
    let ws = repo.path().join("engine");
    std::fs::create_dir_all(ws.join("crates/a")).unwrap();
    std::fs::copy(
        root().join(lock("generated/wasmtime-27")),
        ws.join("Cargo.lock"),
    )
    .unwrap();
    std::fs::write(ws.join("crates/a/Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
    let args: Vec<String> = hook["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .chain([
            "--date".into(),
            DATE.into(),
            "engine/crates/a/Cargo.toml".into(),
            "engine/Cargo.lock".into(),
        ])
        .collect();
    let r = run_cmd(command().current_dir(repo.path()).args(&args));
    assert_eq!(
        r.code, 1,
        "27 is EOL: --deny-eol fails\n{}{}",
        r.stdout, r.stderr
    );
    assert!(r.stdout.contains("engine/Cargo.lock"), "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("Wasmtime 27").count(),
        r.stdout.matches("Wasmtime 27").count().min(3)
    );
    let r = run_at(repo.path(), &["README.md"]);
    assert_usage_error(&r, &["README.md", "not a Cargo.lock or Cargo.toml"]);
}

/// The workflows in docs/ci.md parse, and use only the action's inputs.
#[test]
fn documented_workflows_use_declared_inputs() {
    let action = load("action.yml");
    let inputs = action["inputs"].as_mapping().unwrap();
    let text = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let mut uses_found = 0;
    for block in text.split("```yaml\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let doc: Value = serde_yaml_ng::from_str(block).unwrap_or_else(|e| panic!("{e}:\n{block}"));
        let mut stack = vec![&doc];
        while let Some(v) = stack.pop() {
            match v {
                Value::Mapping(m) => {
                    let ours = m
                        .get("uses")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.ends_with("cargo-wasmtime-support") || u == "./");
                    if ours {
                        uses_found += 1;
                        for key in m
                            .get("with")
                            .and_then(Value::as_mapping)
                            .into_iter()
                            .flatten()
                        {
                            let key = key.0.as_str().unwrap();
                            assert!(inputs.contains_key(key), "undeclared input {key}");
                        }
                    }
                    stack.extend(m.values());
                }
                Value::Sequence(s) => stack.extend(s),
                _ => {}
            }
        }
    }
    assert!(uses_found >= 2, "the documented workflows use the action");
}
