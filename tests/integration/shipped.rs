//! Auditing what is shipped: a binary built with `cargo auditable`, its SBOMs
//! (`cargo cyclonedx`, `cargo sbom`), and lockfiles of Wasmtime's bindings
//! (`uv lock`, Poetry, `uv export`, hand-made go.mod, Gemfile.lock and NuGet
//! lock). The artifacts were made here (docs/inputs.md has the commands);
//! what the tests expect is read from the embedded data.

use crate::common::*;
use cargo_wasmtime_support::{Data, Placement};
use semver::Version;

fn shipped(name: &str) -> String {
    format!("fixtures/shipped/{name}")
}

fn json_of(args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--date", DATE, "--format", "json"]);
    let r = run(&all);
    (r.code, r.json(), r.stderr)
}

/// The train the demo crate's cranelift-entity belongs to, per the data.
fn demo_major() -> u64 {
    let lock = std::fs::read_to_string(fixture("shipped/auditable-demo.Cargo.lock")).unwrap();
    let v = lock
        .split("name = \"cranelift-entity\"\nversion = \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let data = Data::embedded().unwrap();
    match data
        .family
        .place("cranelift-entity", &Version::parse(v).unwrap())
    {
        Some(Placement::Major(m)) => u64::from(m),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_binary_built_with_cargo_auditable_is_audited_like_its_lockfile() {
    let (code, bin, stderr) = json_of(&["--bin", &shipped("auditable-demo")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(bin["lockfiles"][0]["kind"], "binary");
    assert_eq!(bin["lockfiles"][0]["path"], shipped("auditable-demo"));
    assert_eq!(majors(&bin), [demo_major()]);
    let (_, lock, _) = json_of(&["--lockfile", &shipped("auditable-demo.Cargo.lock")]);
    // The same crates at the same versions as the lockfile it was built from.
    let crates = |r: &serde_json::Value| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = r["trains"][0]["crates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].to_string(), c["version"].to_string()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(crates(&bin), crates(&lock));
    assert!(
        crates(&bin)
            .iter()
            .any(|(n, _)| n == "\"cranelift-entity\"")
    );
    assert_eq!(bin["trains"][0]["upgrade"], lock["trains"][0]["upgrade"]);
}

#[test]
fn a_binary_without_the_dependency_list_says_how_to_build_one() {
    let r = run(&["--bin", &shipped("plain-demo"), "--date", DATE]);
    assert_usage_error(&r, &["plain-demo", "cargo auditable build"]);
    // Cut short, or not a binary at all: one line, never a panic.
    let dir = scratch("shipped-bad-binaries");
    std::fs::create_dir_all(&dir).unwrap();
    let whole = std::fs::read(fixture("shipped/auditable-demo")).unwrap();
    for (name, bytes) in [
        ("truncated", whole[..whole.len() / 3].to_vec()),
        ("empty", Vec::new()),
        ("text", b"#!/bin/sh\necho hi\n".to_vec()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let r = run(&["--bin", path.to_str().unwrap(), "--date", DATE]);
        assert_usage_error(&r, &[name]);
    }
    // A dependency list whose compressed section is garbage.
    let mut corrupt = whole.clone();
    let section = dep_section(&whole).unwrap();
    for b in &mut corrupt[section.0..section.0 + section.1] {
        *b ^= 0x5a;
    }
    let path = dir.join("corrupt");
    std::fs::write(&path, corrupt).unwrap();
    let r = run(&["--bin", path.to_str().unwrap(), "--date", DATE]);
    assert_usage_error(&r, &["corrupt", "dependency list"]);
}

/// The `.dep-v0` section's file offset and size, from the ELF section headers.
fn dep_section(elf: &[u8]) -> Option<(usize, usize)> {
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    let (shoff, shentsize, shnum, shstrndx) =
        (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
    let names = u64_at(shoff + shstrndx * shentsize + 0x18);
    (0..shnum).find_map(|i| {
        let h = shoff + i * shentsize;
        let name = names + u16::from_le_bytes(elf[h..h + 2].try_into().unwrap()) as usize;
        elf[name..]
            .starts_with(b".dep-v0\0")
            .then(|| (u64_at(h + 0x18), u64_at(h + 0x20)))
    })
}

#[test]
fn sboms_from_cargo_cyclonedx_and_cargo_sbom_find_the_same_train() {
    for (file, kind) in [
        ("auditable-demo.cdx.json", "cyclonedx-sbom"),
        ("auditable-demo.spdx.json", "spdx-sbom"),
    ] {
        let (code, r, stderr) = json_of(&["--sbom", &shipped(file)]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(r["lockfiles"][0]["kind"], kind);
        assert_eq!(majors(&r), [demo_major()], "{file}");
        let entity = r["trains"][0]["crates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "cranelift-entity")
            .unwrap();
        // Located at its component: the bom-ref (or SPDX id), at its line.
        let reference = entity["ref"].as_str().unwrap();
        let text = std::fs::read_to_string(fixture(&format!("shipped/{file}"))).unwrap();
        let line = text
            .lines()
            .position(|l| l.contains(&serde_json::to_string(reference).unwrap()))
            .unwrap()
            + 1;
        assert_eq!(entity["line"], line as u64, "{file}");
    }
}

#[test]
fn hostile_sboms_get_one_line() {
    let dir = scratch("shipped-bad-sboms");
    std::fs::create_dir_all(&dir).unwrap();
    let deep = format!(
        "{{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    for (name, text, says) in [
        ("deep.json", deep.as_str(), "not valid JSON"),
        (
            "cut.json",
            "{\"bomFormat\":\"CycloneDX\",\"compo",
            "not valid JSON",
        ),
        ("other.json", "{\"hello\": 1}", "neither a CycloneDX"),
        (
            "old.json",
            "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"0.9\"}",
            "CycloneDX 0.9",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let r = run(&["--sbom", path.to_str().unwrap(), "--date", DATE]);
        assert_usage_error(&r, &[name, says]);
    }
    // Duplicates count once; a purl with escapes is decoded as the spec
    // says; one naming no family crate, or malformed, is not a crate.
    let bom = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "components": [
            {"bom-ref": "a", "name": "wasmtime", "version": "36.0.2", "purl": "pkg:cargo/wasmtime@36.0.2"},
            {"bom-ref": "b", "name": "wasmtime", "version": "36.0.2", "purl": "pkg:cargo/wasmtime@36.0.2"},
            {"bom-ref": "c", "name": "x", "purl": "pkg:cargo/wasmtime-wasi%40evil@36.0.2"},
            {"bom-ref": "d", "name": "x", "purl": "pkg:cargo/wasm%74ime-wasi@36.0.2"},
            {"bom-ref": "e", "name": "x", "purl": "pkg:cargo/%E2%80%AEwasmtime@99999999999999999999.0.0"},
            {"bom-ref": "f", "name": "wasmtime", "version": "36.0.2"}
        ]
    });
    let path = dir.join("tricky.json");
    std::fs::write(&path, bom.to_string()).unwrap();
    let (code, r, stderr) = json_of(&["--sbom", path.to_str().unwrap()]);
    assert!(code <= 1, "{stderr}");
    let names: Vec<&str> = r["trains"][0]["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["wasmtime", "wasmtime-wasi"], "{r:#}");
}

/// wasmtime-py 36.0.0, as `uv lock` resolved it: the train is 36, and the
/// report names the Wasmtime patches of 36 that no wasmtime-py release has.
#[test]
fn a_uv_lock_on_wasmtime_py_names_the_patches_it_lacks() {
    let data = Data::embedded().unwrap();
    let facts = &data.majors[&36];
    let python = &data.bindings[&serde_json::from_str("\"python\"").unwrap()];
    let in_py: Vec<Version> = python
        .usable()
        .into_iter()
        .map(|(v, _)| v)
        .filter(|v| v.major == 36)
        .collect();
    let lacking: Vec<&Version> = facts
        .patches
        .iter()
        .map(|p| &p.version)
        .filter(|v| v.patch > in_py.iter().map(|v| v.patch).max().unwrap_or(0))
        .filter(|v| v.to_string() != "36.0.0")
        .collect();
    assert!(!lacking.is_empty(), "wasmtime-py has every patch of 36 now");
    for file in ["uv.lock", "poetry.lock", "pylock.toml", "requirements.txt"] {
        let (code, r, stderr) = json_of(&["--lockfile", &shipped(file)]);
        assert_eq!(code, 1, "{file}: {stderr}");
        assert_eq!(majors(&r), [36], "{file}");
        let t = train(&r, 36);
        assert_eq!(t["crates"][0]["name"], "wasmtime-py");
        assert_eq!(t["crates"][0]["source"], "binding:wasmtime-py");
        let behind = findings_with(&r, "binding-behind");
        assert_eq!(behind.len(), 1, "{file}");
        let m = behind[0]["message"].as_str().unwrap();
        let first = lacking.first().unwrap().to_string();
        let last = lacking.last().unwrap().to_string();
        assert!(m.contains(&first) && m.contains(&last), "{m}");
        assert!(m.contains("in no wasmtime-py release"), "{m}");
        // The advisories those patches fixed, each named once.
        let fixed: std::collections::BTreeSet<&str> = facts
            .patches
            .iter()
            .filter(|p| lacking.contains(&&p.version))
            .flat_map(|p| p.advisories.iter().map(String::as_str))
            .collect();
        let named: std::collections::BTreeSet<&str> = behind[0]["advisories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(named, fixed, "{file}");
        // The version advised is one PyPI has.
        let target = t["upgrade"]["target_version"].as_str().unwrap();
        assert!(
            python.releases.iter().any(|r| r.version == target),
            "{target} is not on PyPI"
        );
        // The report points at the lockfile's line for wasmtime.
        let text = std::fs::read_to_string(fixture(&format!("shipped/{file}"))).unwrap();
        let line = behind[0]["location"]["line"].as_u64().unwrap() as usize;
        assert!(
            text.lines()
                .nth(line - 1)
                .unwrap()
                .to_lowercase()
                .contains("wasmtime"),
            "{file}:{line}"
        );
    }
}

#[test]
fn go_gems_and_nuget_pins_are_found_and_unknown_releases_said_so() {
    for (file, project) in [
        ("go.mod", "wasmtime-go"),
        ("Gemfile.lock", "wasmtime-rb"),
        ("packages.lock.json", "wasmtime-dotnet"),
    ] {
        let (_, r, stderr) = json_of(&["--lockfile", &shipped(file)]);
        assert!(stderr.is_empty(), "{stderr}");
        assert_eq!(majors(&r), [36], "{file}");
        assert_eq!(train(&r, 36)["crates"][0]["name"], project);
        let behind = findings_with(&r, "binding-behind");
        let m = behind[0]["message"].as_str().unwrap();
        assert!(m.contains("unknown here"), "{m}");
        assert!(
            train(&r, 36)["upgrade"]["target_version"].is_null(),
            "no {project} version is named without its releases"
        );
    }
}

#[test]
fn keep_going_audits_the_rest_and_still_fails() {
    let uv = shipped("uv.lock");
    let plain = shipped("plain-demo");
    let r = run(&["--lockfile", &uv, "--bin", &plain, "--date", DATE]);
    assert_usage_error(&r, &["plain-demo"]);
    let r = run(&[
        "--lockfile",
        &uv,
        "--bin",
        &plain,
        "--keep-going",
        "--date",
        DATE,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("plain-demo"), "{}", r.stderr);
    let report = r.json();
    assert_eq!(majors(&report), [36]);
    // The machine-read outputs say what was left out, too.
    let skipped = report["unreadable"][0]["error"].as_str().unwrap();
    assert!(skipped.contains("plain-demo"), "{skipped}");
    let both = [
        "--lockfile",
        &uv,
        "--bin",
        &plain,
        "--keep-going",
        "--date",
        DATE,
    ];
    let sarif: serde_json::Value =
        serde_json::from_str(&run(&[&both[..], &["--format", "sarif"]].concat()).stdout).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert!(
        inv["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("plain-demo")
    );
    let github = run(&[&both[..], &["--format", "github"]].concat()).stdout;
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::error") && l.contains("plain-demo")),
        "{github}"
    );
}

#[test]
fn every_output_names_each_input_and_its_kind() {
    let args = [
        "--lockfile",
        "fixtures/shipped/uv.lock",
        "--bin",
        "fixtures/shipped/auditable-demo",
        "--sbom",
        "fixtures/shipped/auditable-demo.cdx.json",
        "--date",
        DATE,
    ];
    let human = run(&args).stdout;
    let markdown = run(&[&args[..], &["--format", "markdown"]].concat()).stdout;
    let sarif: serde_json::Value =
        serde_json::from_str(&run(&[&args[..], &["--format", "sarif"]].concat()).stdout).unwrap();
    for (path, kind) in [
        ("fixtures/shipped/uv.lock", "uv-lock"),
        ("fixtures/shipped/auditable-demo", "binary"),
        ("fixtures/shipped/auditable-demo.cdx.json", "cyclonedx-sbom"),
    ] {
        assert!(human.contains(path), "{human}");
        assert!(markdown.contains(path), "{markdown}");
        let artifacts = sarif["runs"][0]["artifacts"].as_array().unwrap();
        assert!(
            artifacts
                .iter()
                .any(|a| a["location"]["uri"] == path && a["properties"]["kind"] == kind),
            "{artifacts:#?}"
        );
    }
}

#[test]
fn upgrade_and_bot_config_stay_with_cargo() {
    let r = run(&[
        "bot-config",
        "--renovate",
        "--lockfile",
        &shipped("uv.lock"),
    ]);
    assert_usage_error(&r, &["uv.lock", "Cargo"]);
    let r = run(&["upgrade", "--bin", &shipped("auditable-demo")]);
    assert_usage_error(&r, &["--bin"]);
}

/// A binding before 1.0 or at a pre-release is judged like the crate of the
/// same number: never a pass for want of a patch line.
#[test]
fn old_and_prerelease_bindings_are_judged_too() {
    let dir = scratch("shipped-odd-bindings");
    for (name, text) in [
        ("pre-1.0", "wasmtime==0.40.0\n"),
        ("rc", "\u{feff}wasmtime==36.0.0rc1\t# the candidate\n"),
    ] {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("requirements.txt"), text).unwrap();
        let (code, r, stderr) =
            json_of(&["--lockfile", d.join("requirements.txt").to_str().unwrap()]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert_eq!(findings_with(&r, "vulnerable").len(), 1, "{name}: {r:#}");
    }
}

/// The LTS named for a binding is its registry's release, and when that
/// release lacks fixes of its own line the advice says so.
#[test]
fn binding_advice_says_when_the_target_release_lacks_fixes() {
    let data = Data::embedded().unwrap();
    let (_, r, _) = json_of(&["--lockfile", &shipped("uv.lock")]);
    let u = &train(&r, 36)["upgrade"];
    let target = u["target_version"].as_str().unwrap();
    let v = Version::parse(target).unwrap();
    let line = &data.majors[&(v.major as u32)];
    let fixed_later = line
        .patches
        .iter()
        .any(|p| p.version > v && !p.advisories.is_empty());
    let notes = u["notes"].to_string();
    assert_eq!(
        notes.contains("their fixes are in no wasmtime-py release"),
        fixed_later,
        "{u:#}"
    );
    assert!(u["effort"].as_array().unwrap().is_empty(), "{u:#}");
}

#[test]
fn sbom_bindings_need_release_numbers_and_go_paths_their_major() {
    let dir = scratch("shipped-sbom-bindings");
    std::fs::create_dir_all(&dir).unwrap();
    let bom = |purl: &str| {
        serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5",
            "components": [{"bom-ref": "x", "name": "wasmtime", "purl": purl}]})
        .to_string()
    };
    let path = dir.join("latest.json");
    std::fs::write(&path, bom("pkg:pypi/wasmtime@latest")).unwrap();
    let r = run(&["--sbom", path.to_str().unwrap(), "--date", DATE]);
    assert_usage_error(&r, &["latest.json", "`latest`"]);
    let path = dir.join("go.json");
    std::fs::write(
        &path,
        bom("pkg:golang/github.com/bytecodealliance/wasmtime-go/v36@v22.0.0"),
    )
    .unwrap();
    let (_, r, _) = json_of(&["--sbom", path.to_str().unwrap()]);
    assert!(r["trains"].as_array().unwrap().is_empty(), "{r:#}");
    let r = run(&["--sbom", "-", "--date", DATE]);
    assert_usage_error(&r, &["--sbom", "path"]);
}

/// `multiple-trains` points into the file it is about, even when another
/// input holds the train's headline crate.
#[test]
fn multiple_trains_points_into_its_own_file() {
    let dir = scratch("shipped-two-sboms");
    std::fs::create_dir_all(&dir).unwrap();
    let bom = |purls: &[&str]| {
        let components: Vec<serde_json::Value> = purls
            .iter()
            .enumerate()
            .map(|(i, p)| serde_json::json!({"bom-ref": format!("c{i}"), "name": "x", "purl": p}))
            .collect();
        serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components})
            .to_string()
    };
    let a = dir.join("a.json");
    let b = dir.join("b.json");
    std::fs::write(&a, bom(&["pkg:cargo/wasmtime@48.0.2"])).unwrap();
    std::fs::write(
        &b,
        bom(&[
            "pkg:cargo/wasmtime@36.0.2",
            "pkg:cargo/cranelift-entity@0.135.2",
        ]),
    )
    .unwrap();
    let (_, r, _) = json_of(&["--sbom", a.to_str().unwrap(), "--sbom", b.to_str().unwrap()]);
    let f = findings_with(&r, "multiple-trains");
    assert_eq!(f.len(), 1, "{r:#}");
    let at = f[0]["location"]["path"].as_str().unwrap();
    assert!(at.ends_with("shipped-two-sboms/b.json"), "{at}");
}
