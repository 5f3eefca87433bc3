//! The workspace read from the manifests alone agrees with `cargo metadata`
//! on every workspace in fixtures/ (Wasmtime's own 98-member workspace
//! included), from every manifest and from inside every package; where cargo
//! refuses, the manifests reader declines too.

mod common;

#[path = "common/stub.rs"]
mod stub;

use cargo_wasmtime_support::dependents::DepKind;
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
    let by_cargo = workspace::from_cargo(Some(cwd), manifest);
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
    stub::stubbed_copy(&common::root().join("fixtures"), &copy);
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
    stub::stubbed_copy(&common::fixture("workspaces/wasmtime-e6b33de513"), &copy);
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
        common::run_cmd(
            common::command()
                .current_dir(dir)
                .args(["--date", common::DATE, "-v"]),
        )
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
