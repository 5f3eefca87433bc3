//! The workspace read from the manifests alone agrees with `cargo metadata`
//! on every workspace in fixtures/ (Wasmtime's own 98-member workspace
//! included), from every manifest and from inside every package; where cargo
//! refuses, the manifests reader declines too.

#[path = "common/stub.rs"]
mod stub;

use cargo_wasmtime_support::DepKind;
use cargo_wasmtime_support::workspace::{self, Workspace, manifests};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Workspaces the manifests reader must read itself (never declining) from
/// every manifest cargo accepts.
const PLAIN: [&str; 5] = [
    "workspaces/wasmtime-e6b33de513",
    "workspaces/monorepo",
    "workspaces/upgrade-me",
    "workspaces/layouts",
    "workspaces/single-package",
];

type Deps = BTreeSet<(String, DepKind)>;

/// What the audit uses of a workspace, in a comparable form. Dependencies
/// are compared as sets: the audit only asks which kinds lead to a crate.
#[derive(Debug, PartialEq)]
struct Seen {
    root: PathBuf,
    lockfile: PathBuf,
    manifests: Vec<PathBuf>,
    members: BTreeMap<String, Deps>,
    rust_version: Option<semver::Version>,
    config: Option<(serde_json::Value, String)>,
}

fn seen(ws: Workspace) -> Seen {
    Seen {
        root: ws.root,
        lockfile: ws.lockfile,
        manifests: ws.manifests,
        members: ws
            .members
            .list
            .into_iter()
            .map(|m| (m.name, m.deps.into_iter().collect()))
            .collect(),
        rust_version: ws.rust_version,
        config: ws.config,
    }
}

struct Outcome {
    cargo_ok: bool,
    fast_ok: bool,
}

/// Reads the workspace both ways from `cwd` (with `manifest`) and checks they agree.
fn compare(cwd: &Path, manifest: Option<&Path>, cases: &mut Vec<String>) -> Outcome {
    let by_cargo = workspace::from_cargo(Some(cwd), manifest, None);
    let fast = manifests::read(cwd, manifest, None);
    let what = format!("from {} with {manifest:?}", cwd.display());
    match (&by_cargo, &fast) {
        (Ok(c), Ok(f)) => {
            assert!(c.members.complete && f.members.complete, "{what}");
            assert_eq!(seen(f.clone()), seen(c.clone()), "{what}");
        }
        (Err(e), Ok(f)) => panic!(
            "{what}: cargo refuses ({e}) but the manifests reader read {:?}",
            f.root
        ),
        _ => {}
    }
    cases.push(what);
    Outcome {
        cargo_ok: by_cargo.is_ok(),
        fast_ok: fast.is_ok(),
    }
}

#[test]
fn manifests_reader_agrees_with_cargo_metadata_on_every_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("fixtures");
    stub::stubbed_copy(&crate::common::root().join("fixtures"), &copy);
    let mut cases = Vec::new();
    let mut read_fast = 0;
    for manifest in stub::manifests(&copy) {
        let dir = manifest.parent().unwrap();
        let plain = PLAIN.iter().any(|p| manifest.starts_with(copy.join(p)));
        let mut starts: Vec<(PathBuf, Option<PathBuf>)> =
            vec![(copy.clone(), Some(manifest.clone()))];
        // Inside the package, and by a relative path from a sibling directory.
        if dir.join("src").is_dir() {
            starts.push((dir.join("src"), None));
            starts.push((dir.join("src"), Some(PathBuf::from("../Cargo.toml"))));
        } else {
            starts.push((dir.to_path_buf(), None));
        }
        for (cwd, m) in starts {
            let outcome = compare(&cwd, m.as_deref(), &mut cases);
            if plain && outcome.cargo_ok {
                assert!(
                    outcome.fast_ok,
                    "declined a plain workspace from {} with {m:?}: {:?}",
                    cwd.display(),
                    manifests::read(&cwd, m.as_deref(), None).err()
                );
            }
            read_fast += usize::from(outcome.fast_ok);
        }
    }
    // Every fixture was visited, and Wasmtime's members all were read.
    assert!(cases.len() > 300, "{}", cases.len());
    assert!(read_fast > 250, "{read_fast}");
}

#[test]
fn the_wasmtime_workspace_has_its_98_members() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("wasmtime");
    stub::stubbed_copy(
        &crate::common::fixture("workspaces/wasmtime-e6b33de513"),
        &copy,
    );
    let ws = manifests::read(&copy.join("crates/wasmtime/src"), None, None).unwrap();
    assert_eq!(ws.root, copy);
    assert_eq!(ws.members.list.len(), 98);
    assert!(ws.manifests.len() == 98 || ws.manifests.len() == 99);
}

#[test]
fn verbose_says_why_cargo_metadata_was_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    let manifest = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    let lock = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n";
    std::fs::write(dir.join("Cargo.lock"), lock).unwrap();
    let run = |toml: &str| {
        std::fs::write(dir.join("Cargo.toml"), toml).unwrap();
        crate::common::run_cmd(crate::common::command().current_dir(dir).args([
            "--date",
            crate::common::DATE,
            "-v",
        ]))
    };
    let plain = run(manifest);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(!plain.stderr.contains("cargo metadata"), "{}", plain.stderr);

    let old = run(&format!("{manifest}\n[dev_dependencies]\nserde = \"1\"\n"));
    assert_eq!(old.code, 0, "{}", old.stderr);
    assert!(
        old.stderr
            .contains("note: read the workspace with `cargo metadata`:")
            && old.stderr.contains("dev_dependencies"),
        "{}",
        old.stderr
    );
}

/// Writes `files` (path, content) under `dir`, with an empty lib for each package.
fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        if text.contains("[package]") {
            let src = path.parent().unwrap().join("src");
            std::fs::create_dir_all(&src).unwrap();
            std::fs::write(src.join("lib.rs"), "").unwrap();
        }
    }
}

fn package(name: &str, rest: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{rest}")
}

#[test]
fn unusual_workspaces_agree_with_cargo_or_are_declined() {
    let root = "[workspace]\nmembers = [\"a\"]\n";
    let a = |rest: &str| package("a", rest);
    let cases: Vec<Vec<(&str, String)>> = vec![
        // A member inherits a dependency the workspace does not declare.
        vec![
            ("Cargo.toml", root.into()),
            ("a/Cargo.toml", a("[dependencies]\nx.workspace = true\n")),
        ],
        // A listed member without a manifest.
        vec![
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"a\", \"b\"]\n".into(),
            ),
            ("a/Cargo.toml", a("")),
        ],
        // The old underscored table name.
        vec![
            ("Cargo.toml", root.into()),
            ("a/Cargo.toml", a("[dev_dependencies]\nserde = \"1\"\n")),
        ],
        // A glob matching a directory without a manifest.
        vec![
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\"]\n".into(),
            ),
            ("crates/a/Cargo.toml", a("")),
            ("crates/empty/README", "not a package".into()),
        ],
        // A path dependency inside the root that is a workspace of its own.
        vec![
            ("Cargo.toml", root.into()),
            (
                "a/Cargo.toml",
                a("[dependencies]\nb = { path = \"../b\" }\n"),
            ),
            ("b/Cargo.toml", package("b", "\n[workspace]\n")),
        ],
        // A path dependency outside the root, in no workspace.
        vec![
            ("ws/Cargo.toml", root.into()),
            (
                "ws/a/Cargo.toml",
                a("[dependencies]\nb = { path = \"../../b\" }\n"),
            ),
            ("b/Cargo.toml", package("b", "")),
        ],
        // package.workspace pointing at a manifest without [workspace].
        vec![
            ("Cargo.toml", package("top", "")),
            ("a/Cargo.toml", a("workspace = \"..\"\n")),
        ],
        // A package inside a workspace that does not list it.
        vec![
            ("Cargo.toml", root.into()),
            ("a/Cargo.toml", a("")),
            ("c/Cargo.toml", package("c", "")),
        ],
        // Two members with one name.
        vec![
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"a\", \"b\"]\n".into(),
            ),
            ("a/Cargo.toml", a("")),
            ("b/Cargo.toml", a("")),
        ],
        // rust-version inherited but not declared by the workspace.
        vec![
            ("Cargo.toml", root.into()),
            ("a/Cargo.toml", a("rust-version.workspace = true\n")),
        ],
        // A root package with members, renamed and target-specific dependencies.
        vec![
            (
                "Cargo.toml",
                package(
                    "top",
                    "rust-version = \"1.82\"\n[workspace]\nmembers = [\"a\"]\n[target.'cfg(unix)'.build-dependencies]\nw = { package = \"wasmtime\", version = \"36\" }\n[dependencies]\na = { path = \"a\" }\n",
                ),
            ),
            ("a/Cargo.toml", a("rust-version = \"1.79\"\n")),
        ],
    ];
    let mut checked = Vec::new();
    let mut declined = 0;
    for (i, files) in cases.iter().enumerate() {
        let tmp = tempfile::tempdir().unwrap();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        write_tree(tmp.path(), &files);
        for (rel, _) in &files {
            if !rel.ends_with("Cargo.toml") {
                continue;
            }
            let outcome = compare(tmp.path(), Some(&tmp.path().join(rel)), &mut checked);
            declined += usize::from(!outcome.fast_ok);
            if i == cases.len() - 1 {
                assert!(outcome.cargo_ok && outcome.fast_ok, "case {i} {rel}");
            }
        }
    }
    assert!(declined >= 8, "{declined}");
}

#[test]
fn paths_and_exclusions_follow_cargo() {
    let ws = tempfile::tempdir().unwrap();
    write_tree(
        ws.path(),
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/x/y\", \"crates/*\"]\nexclude = [\"crates/x\"]\n",
            ),
            ("crates/x/y/Cargo.toml", &package("y", "")),
            ("crates/x/Cargo.toml", &package("x", "")),
            ("crates/xy/Cargo.toml", &package("xy", "")),
        ],
    );
    let mut checked = Vec::new();
    let from = ws.path().join("crates/x/y/src/../../../crates");
    for rel in [
        "x/y/Cargo.toml",
        "x/Cargo.toml",
        "xy/Cargo.toml",
        "../Cargo.toml",
    ] {
        compare(&from, Some(Path::new(rel)), &mut checked);
    }
    let read = manifests::read(ws.path(), None, None).unwrap();
    let names: BTreeSet<&str> = read.members.list.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["xy", "y"]));
}

/// The remembered workspace answers only while the manifests are unchanged:
/// the second run gives the same report, an edit is seen at once.
#[test]
fn the_remembered_workspace_never_hides_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let fixture = crate::common::fixture("generated/wasmtime-27");
    for f in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(fixture.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    let audit = || {
        crate::common::run_cmd(
            crate::common::command()
                .current_dir(dir.path())
                .env("CARGO_WASMTIME_SUPPORT_CACHE_DIR", cache.path())
                .args(["--date", crate::common::DATE, "--format", "json"]),
        )
        .json()
    };
    let kinds = |j: &serde_json::Value| j["trains"][0]["pulled_in_by"][0]["kind"].clone();
    let first = audit();
    assert!(cache.path().join("workspaces").is_dir(), "remembered");
    assert_eq!(audit(), first, "the same answer from the memo");
    assert_eq!(kinds(&first), "normal");

    let manifest = dir.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("[dependencies]", "[dev-dependencies]"),
    )
    .unwrap();
    assert_eq!(kinds(&audit()), "dev", "the edit is seen");
}
