//! `bot-config`: Renovate and Dependabot configuration that moves the whole
//! family in one update and, on an LTS line, offers its patches only. The
//! output is parsed and its rules checked against the embedded data, for
//! workspaces on 36 LTS, 48 LTS and 50.

use crate::common::*;
use cargo_wasmtime_support::Data;
use cargo_wasmtime_support::Placement;
use cargo_wasmtime_support::policy;
use semver::{Version, VersionReq};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const FIXTURES: [&str; 3] = [
    "generated/wasmtime-36.0.3",
    "generated/wasmtime-48.0.0",
    "generated/wasmtime-50.0.1",
];

/// The family crates of a fixture's lockfile with their versions and train.
fn family_crates(fixture: &str) -> (BTreeMap<String, Version>, u32) {
    let data = Data::embedded().unwrap();
    let text = std::fs::read_to_string(root().join(lock(fixture))).unwrap();
    let lockfile: toml::Value = toml::from_str(&text).unwrap();
    let mut crates = BTreeMap::new();
    let mut train = 0;
    for p in lockfile["package"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        let version = Version::parse(p["version"].as_str().unwrap()).unwrap();
        if p.get("source").is_none() {
            continue;
        }
        if let Some(Placement::Major(m)) = data.family.place(name, &version) {
            train = train.max(m);
            crates.insert(name.to_string(), version);
        }
    }
    (crates, train)
}

/// The last major the bots may offer: the train if LTS, else the next LTS.
fn stay_on(train: u32) -> u32 {
    if policy::is_lts(train) {
        train
    } else {
        policy::next_lts_after(train)
    }
}

fn bot_config(fixture: &str, extra: &[&str]) -> Run {
    let lock = lock(fixture);
    let mut args = vec!["bot-config", "--lockfile", &lock, "--date", DATE];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    r
}

/// The version of `name` released with `major`.0.0 (the first disallowed one).
fn version_at(name: &str, major: u32) -> Version {
    Data::embedded()
        .unwrap()
        .family
        .version_for(name, major, 0)
        .unwrap()
}

#[test]
fn renovate_groups_the_family_and_caps_each_crate_in_its_numbering() {
    for fixture in FIXTURES {
        let (crates, train) = family_crates(fixture);
        let last = stay_on(train);
        let r = bot_config(fixture, &["--renovate"]).json();
        let rules = r["packageRules"].as_array().unwrap();
        let names = |rule: &Value| -> Vec<String> {
            rule["matchPackageNames"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_string())
                .collect()
        };
        let groups: Vec<&Value> = rules
            .iter()
            .filter(|r| r.get("groupName").is_some())
            .collect();
        assert_eq!(groups.len(), 1, "{fixture}: one group");
        // One branch per family move, whatever Renovate calls each crate's step.
        assert_eq!(groups[0]["separateMajorMinor"], false, "{fixture}");
        assert_eq!(
            names(groups[0]),
            crates.keys().cloned().collect::<Vec<_>>(),
            "{fixture}"
        );
        let mut capped = BTreeMap::new();
        for rule in rules.iter().filter(|r| r.get("allowedVersions").is_some()) {
            let req = VersionReq::parse(rule["allowedVersions"].as_str().unwrap()).unwrap();
            for name in names(rule) {
                assert!(capped.insert(name, req.clone()).is_none());
            }
        }
        assert_eq!(capped.len(), crates.len(), "{fixture}: every crate capped");
        for (name, version) in &crates {
            let req = &capped[name];
            let patch = Version::new(version.major, version.minor, version.patch + 1);
            assert!(
                req.matches(&patch),
                "{fixture}: {name} {patch} is refused by {req}"
            );
            assert!(
                req.matches(&version_at(name, last)),
                "{fixture}: {name} at {last} refused"
            );
            assert!(
                !req.matches(&version_at(name, last + 1)),
                "{fixture}: {name} at {} allowed by {req}",
                last + 1
            );
        }
        let cranelift = &capped["cranelift-codegen"];
        assert!(cranelift.to_string().starts_with("<0."), "{cranelift}");
    }
}

#[test]
fn renovate_latest_groups_without_caps() {
    let r = bot_config(
        "generated/wasmtime-48.0.0",
        &["--renovate", "--track", "latest"],
    )
    .json();
    let rules = r["packageRules"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["groupName"], "wasmtime-family");
    assert!(rules[0].get("allowedVersions").is_none());
}

fn yaml(text: &str) -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"))
}

#[test]
fn dependabot_ignores_use_explicit_ranges_in_each_crates_numbering() {
    for fixture in FIXTURES {
        let (crates, train) = family_crates(fixture);
        let last = stay_on(train);
        let y = yaml(&bot_config(fixture, &["--dependabot"]).stdout);
        assert_eq!(y["version"], 2);
        let cargo = &y["updates"][0];
        assert_eq!(cargo["package-ecosystem"], "cargo");
        let patterns: Vec<&str> = cargo["groups"]["wasmtime-family"]["patterns"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(
            patterns,
            crates.keys().map(String::as_str).collect::<Vec<_>>()
        );
        let ignores = cargo["ignore"].as_sequence().unwrap();
        assert_eq!(ignores.len(), crates.len(), "{fixture}");
        for ignore in ignores {
            let name = ignore["dependency-name"].as_str().unwrap();
            let version = &crates[name];
            let ranges: Vec<VersionReq> = ignore["versions"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|v| VersionReq::parse(v.as_str().unwrap()).unwrap())
                .collect();
            let ignored = |v: &Version| ranges.iter().any(|r| r.matches(v));
            let patch = Version::new(version.major, version.minor, version.patch + 1);
            assert!(!ignored(&patch), "{fixture}: {name} {patch} ignored");
            assert!(!ignored(&version_at(name, last)), "{fixture}: {name}");
            assert!(ignored(&version_at(name, last + 1)), "{fixture}: {name}");
            // The next Cranelift "minor" (a Wasmtime major) is ignored too.
            if name.starts_with("cranelift-") {
                assert!(ignored(&Version::new(
                    0,
                    version_at(name, last).minor + 1,
                    0
                )));
            }
        }
    }
    let latest = yaml(
        &bot_config(
            "generated/wasmtime-50.0.1",
            &["--dependabot", "--track", "latest"],
        )
        .stdout,
    );
    assert!(latest["updates"][0].get("ignore").is_none());
}

/// A workspace directory with a copy of a fixture's lockfile.
fn workspace(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(lock(fixture)), dir.path().join("Cargo.lock")).unwrap();
    dir
}

fn write(dir: &Path, extra: &[&str]) -> Run {
    let lock = dir.join("Cargo.lock");
    let mut args = vec![
        "bot-config",
        "--write",
        "--lockfile",
        lock.to_str().unwrap(),
        "--date",
        DATE,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn write_merges_into_renovate_json_keeping_everything_else() {
    let dir = workspace("generated/wasmtime-36.0.3");
    let path = dir.path().join("renovate.json");
    let original = r#"{
  "extends": ["config:recommended"],
  "packageRules": [
    {
      "matchPackageNames": ["serde"],
      "automerge": true
    }
  ],
  "timezone": "Europe/Berlin"
}
"#;
    std::fs::write(&path, original).unwrap();
    let r = write(dir.path(), &["--renovate"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Wrote "), "{}", r.stdout);
    let text = std::fs::read_to_string(&path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    // Key order and the unrelated rule, as written.
    let keys: Vec<usize> = ["\"extends\"", "\"packageRules\"", "\"timezone\""]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.contains(
        "    {\n      \"matchPackageNames\": [\"serde\"],\n      \"automerge\": true\n    }"
    ));
    assert_eq!(v["timezone"], "Europe/Berlin");
    let rules = v["packageRules"].as_array().unwrap();
    assert_eq!(rules[0]["automerge"], true);
    assert!(rules.iter().any(|r| r["groupName"] == "wasmtime-family"));

    // Again: nothing changes. Then following every major drops the caps.
    let again = write(dir.path(), &["--renovate"]);
    assert!(
        again.stdout.ends_with("is up to date\n"),
        "{}",
        again.stdout
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(
        write(dir.path(), &["--renovate", "--track", "latest"]).code,
        0
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let rules = v["packageRules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert!(rules.iter().all(|r| r.get("allowedVersions").is_none()));
}

const DEPENDABOT: &str = "\
# Keep the actions and crates fresh.
version: 2
updates:
  - package-ecosystem: \"github-actions\"
    directory: \"/\"
    schedule:
      interval: \"daily\" # every day
  # The Rust side.
  - package-ecosystem: cargo
    directory: /
    schedule:
      interval: weekly
    groups:
      serde:
        patterns: [\"serde*\"]
    ignore:
      - dependency-name: \"tokio\"
        versions: [\">= 2\"]
    open-pull-requests-limit: 5
";

#[test]
fn write_merges_into_dependabot_yml_keeping_comments_and_entries() {
    let dir = workspace("generated/wasmtime-48.0.0");
    let path = dir.path().join(".github/dependabot.yml");
    std::fs::create_dir(dir.path().join(".github")).unwrap();
    std::fs::write(&path, DEPENDABOT).unwrap();
    let r = write(dir.path(), &["--dependabot"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    for line in DEPENDABOT.lines() {
        assert!(text.contains(line), "lost {line:?}:\n{text}");
    }
    let y = yaml(&text);
    let cargo = &y["updates"][1];
    assert_eq!(cargo["groups"]["serde"]["patterns"][0], "serde*");
    assert!(cargo["groups"]["wasmtime-family"]["patterns"].is_sequence());
    let ignores = cargo["ignore"].as_sequence().unwrap();
    assert!(ignores.iter().any(|i| i["dependency-name"] == "tokio"));
    assert!(ignores.iter().any(|i| i["dependency-name"] == "wasmtime"));
    assert_eq!(cargo["open-pull-requests-limit"], 5);
    assert_eq!(y["updates"][0]["schedule"]["interval"], "daily");

    let again = write(dir.path(), &["--dependabot"]);
    assert!(
        again.stdout.ends_with("is up to date\n"),
        "{}",
        again.stdout
    );
    // Following every major: the generated ignores go, the user's stay.
    assert_eq!(
        write(dir.path(), &["--dependabot", "--track", "latest"]).code,
        0
    );
    let y = yaml(&std::fs::read_to_string(&path).unwrap());
    let ignores = y["updates"][1]["ignore"].as_sequence().unwrap();
    assert_eq!(ignores.len(), 1);
    assert_eq!(ignores[0]["dependency-name"], "tokio");
}

#[test]
fn write_creates_dependabot_yml_and_adds_a_cargo_entry() {
    let dir = workspace("generated/wasmtime-50.0.1");
    assert_eq!(write(dir.path(), &["--dependabot"]).code, 0);
    let path = dir.path().join(".github/dependabot.yml");
    let created = yaml(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(created["updates"][0]["package-ecosystem"], "cargo");

    let only_actions = "version: 2\nupdates:\n- package-ecosystem: github-actions\n  directory: /\n  schedule:\n    interval: daily\n";
    std::fs::write(&path, only_actions).unwrap();
    assert_eq!(write(dir.path(), &["--dependabot"]).code, 0);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(only_actions), "{text}");
    let y = yaml(&text);
    assert_eq!(y["updates"][1]["package-ecosystem"], "cargo");
}

#[test]
fn write_refuses_what_it_cannot_merge_and_writes_nothing() {
    let dir = workspace("generated/wasmtime-36.0.3");
    let cases = [
        (
            "renovate.json",
            "--renovate",
            "{ \"extends\": [",
            "not a JSON object",
        ),
        ("renovate.json", "--renovate", "[1, 2]", "not a JSON object"),
        (
            ".github/dependabot.yml",
            "--dependabot",
            "version: 2\nupdates: [\n",
            "not valid YAML",
        ),
        (
            ".github/dependabot.yml",
            "--dependabot",
            "version: 2\nupdates: [{package-ecosystem: cargo, directory: /}]\n",
            "flow style",
        ),
        // Two `packageRules`: parsers keep one, which is not ours to guess.
        (
            "renovate.json",
            "--renovate",
            "{\"packageRules\": [], \"extends\": [], \"packageRules\": [{\"enabled\": false}]}\n",
            "appears twice",
        ),
        // An inherited `ignore` that a written one would replace.
        (
            ".github/dependabot.yml",
            "--dependabot",
            "version: 2\ndefaults: &defaults\n  schedule:\n    interval: weekly\n  ignore:\n    - dependency-name: serde\nupdates:\n  - package-ecosystem: cargo\n    directory: /\n    <<: *defaults\n",
            "merge key",
        ),
    ];
    std::fs::create_dir(dir.path().join(".github")).unwrap();
    for (file, flag, content, why) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, content).unwrap();
        let r = write(dir.path(), &[flag]);
        assert_usage_error(&r, &[file, why]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }
}

#[test]
fn bot_config_needs_exactly_one_bot() {
    let lock = lock("wasmtime-48.0.0");
    let none = run(&["bot-config", "--lockfile", &lock]);
    assert_usage_error(&none, &["--renovate"]);
    let both = run(&[
        "bot-config",
        "--renovate",
        "--dependabot",
        "--lockfile",
        &lock,
    ]);
    assert_usage_error(&both, &["--dependabot"]);
}

/// A cargo entry with neither `groups` nor `ignore`, items at column 0:
/// both keys are added, and any sequence of writes keeps the file mergeable.
#[test]
fn repeated_writes_keep_the_file_mergeable() {
    let dir = workspace("generated/wasmtime-36.0.3");
    std::fs::create_dir(dir.path().join(".github")).unwrap();
    let path = dir.path().join(".github/dependabot.yml");
    let original = "version: 2\nupdates:\n- package-ecosystem: cargo\n  directory: /\n  schedule:\n    interval: weekly\n# trailing comment\n";
    std::fs::write(&path, original).unwrap();
    let mut first = None;
    for track in ["lts", "lts", "latest", "lts", "latest", "latest"] {
        let r = write(dir.path(), &["--dependabot", "--track", track]);
        assert_eq!(r.code, 0, "{track}: {}", r.stderr);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("# trailing comment\n"), "{text}");
        let y = yaml(&text);
        let cargo = &y["updates"][0];
        assert!(cargo["groups"]["wasmtime-family"]["patterns"].is_sequence());
        assert_eq!(cargo.get("ignore").is_some(), track == "lts", "{text}");
        if track == "lts" {
            let text = text.clone();
            assert_eq!(
                *first.get_or_insert(text.clone()),
                text,
                "the same input, the same file"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn write_refuses_a_fifo_instead_of_waiting_on_it() {
    let dir = workspace("generated/wasmtime-36.0.3");
    let path = dir.path().join("renovate.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return;
    }
    let r = write(dir.path(), &["--renovate"]);
    assert_usage_error(&r, &["renovate.json"]);
}

#[cfg(unix)]
#[test]
fn write_never_follows_a_planted_name_and_keeps_links_and_modes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace("generated/wasmtime-36.0.3");
    let victim = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(victim.path(), "precious").unwrap();
    // A repository can carry links under any name the tool might use.
    for name in [
        ".renovate.json.wasmtime-support.tmp",
        ".cargo-wasmtime-support-planted.tmp",
    ] {
        std::os::unix::fs::symlink(victim.path(), dir.path().join(name)).unwrap();
    }
    let r = write(dir.path(), &["--renovate"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(victim.path()).unwrap(), "precious");
    let made = dir.path().join("renovate.json");
    assert!(
        !std::fs::symlink_metadata(&made)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::metadata(&made).unwrap().permissions().mode() & 0o777,
        0o644
    );

    // A linked configuration is written through, the link and the mode kept.
    let dir = workspace("generated/wasmtime-36.0.3");
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let target = shared.join("renovate.json");
    std::fs::write(&target, "{\"extends\": [\"config:recommended\"]}\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("renovate.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let r = write(dir.path(), &["--renovate"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(
        text.contains("config:recommended") && text.contains("packageRules"),
        "{text}"
    );
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // A read-only one is refused, as `upgrade` refuses, and left alone.
    let dir = workspace("generated/wasmtime-36.0.3");
    let path = dir.path().join("renovate.json");
    std::fs::write(&path, "{}\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let r = write(dir.path(), &["--renovate"]);
    assert_usage_error(&r, &["renovate.json", "read-only"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn write_goes_into_the_file_renovate_reads_and_never_shadows_it() {
    // A JSON file Renovate reads, wherever it is: merged there, no renovate.json made.
    for name in [".renovaterc", ".gitlab/renovate.json", ".renovaterc.json"] {
        let dir = workspace("generated/wasmtime-36.0.3");
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{\"extends\": [\"config:recommended\"]}\n").unwrap();
        let r = write(dir.path(), &["--renovate"]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("packageRules") && text.contains("config:recommended"),
            "{text}"
        );
        assert!(
            !dir.path().join("renovate.json").exists(),
            "{name}: shadowed"
        );
    }
    // Files it cannot edit are refused, with nothing written.
    for (name, text) in [
        (
            ".github/renovate.json5",
            "{extends: ['config:recommended']}\n",
        ),
        (".renovaterc.json5", "{}\n"),
        (
            "package.json",
            "{\"name\": \"x\", \"renovate\": {\"extends\": []}}\n",
        ),
    ] {
        let dir = workspace("generated/wasmtime-36.0.3");
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let r = write(dir.path(), &["--renovate"]);
        assert_usage_error(&r, &[name]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        assert!(
            !dir.path().join("renovate.json").exists(),
            "{name}: shadowed"
        );
    }
    // A package.json without Renovate's key is no configuration.
    let dir = workspace("generated/wasmtime-36.0.3");
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}\n").unwrap();
    let r = write(dir.path(), &["--renovate"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join("renovate.json").exists());
}

#[test]
fn dependabot_groups_security_updates_too() {
    let r = bot_config("generated/wasmtime-36.0.3", &["--dependabot"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = yaml(&r.stdout);
    let groups = &doc["updates"][0]["groups"];
    let version = &groups["wasmtime-family"];
    let security = &groups["wasmtime-family-security"];
    assert_eq!(version["applies-to"], "version-updates", "{}", r.stdout);
    assert_eq!(security["applies-to"], "security-updates", "{}", r.stdout);
    assert_eq!(security["patterns"], version["patterns"]);
    assert!(!security["patterns"].as_sequence().unwrap().is_empty());
}
