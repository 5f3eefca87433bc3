//! The source tree's shape: the folders follow the flow (cli → report →
//! check → input → model), each uses only those below it, and the library's
//! modules are private behind the API `lib.rs` chooses.

use std::path::{Path, PathBuf};

/// Each top-level module and its place in the flow; a module may use only
/// those with a lower rank. `text` and `error` serve every layer.
const LAYERS: [(&str, u8); 7] = [
    ("cli", 5),
    ("report", 4),
    ("check", 3),
    ("input", 2),
    ("model", 1),
    ("text", 0),
    ("error", 0),
];

fn rank(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a file names as `crate::<module>`, outside comments.
fn uses(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push((i + 1, name));
        }
    }
    found
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut upward = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        let Some(mine) = rank(&module) else {
            continue; // lib.rs and main.rs wire everything
        };
        checked += 1;
        let text = std::fs::read_to_string(file).unwrap();
        for (line, used) in uses(&text) {
            if rank(&used).is_some_and(|theirs| theirs > mine) {
                upward.push(format!("{}:{line} uses crate::{used}", relative.display()));
            }
        }
    }
    assert!(checked > 30, "only {checked} modules found under src/");
    assert!(
        upward.is_empty(),
        "upward dependencies:\n{}",
        upward.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer_and_is_private() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    assert_eq!(declared.len(), LAYERS.len(), "{declared:?}");
    for m in declared {
        assert!(rank(m).is_some(), "`{m}` has no place in the flow");
    }
    assert!(
        !lib.lines()
            .any(|l| l.trim_start().starts_with("pub mod ") && !l.contains("pub mod render")),
        "modules are private; lib.rs re-exports the API"
    );
}

#[test]
fn the_checker_sees_an_upward_use() {
    let found = uses("use crate::report::human; // crate::cli in a comment\n");
    assert_eq!(found, [(1, "report".to_string())]);
}

#[test]
fn only_env_reads_the_process_surroundings() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let reads = [
        "std::env::var",
        "env::var_os",
        "std::env::current_dir",
        "Utc::now",
        "Local::now",
        "io::stdin()",
    ];
    let mut found = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        // `Env::from_process` is the one place, and `main` hands it over.
        if relative == Path::new("cli/mod.rs") || relative == Path::new("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if reads.iter().any(|r| line.contains(r)) {
                found.push(format!("{}:{}: {}", relative.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "read through `Env` instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_core_does_no_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for layer in ["check", "model", "report"] {
        let mut files = Vec::new();
        sources(&src.join(layer), &mut files);
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for (i, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if ["std::fs", "std::process", "std::net", "ureq::"]
                    .iter()
                    .any(|io| code.contains(io))
                {
                    let shown = file.strip_prefix(&src).unwrap().display();
                    found.push(format!("{shown}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "files, processes and the network belong in input/ and cli/:\n{}",
        found.join("\n")
    );
}
