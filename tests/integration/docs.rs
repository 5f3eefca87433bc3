//! The documentation cannot drift from the tool: every example in README.md
//! and docs/*.md marked with a `<!-- cmd: ARGS -->` line is the real output
//! of `cargo wasmtime-support ARGS`, run here. `UPDATE_DOCS=1 cargo test
//! --test integration docs::` rewrites the examples in place (review the diff).
//!
//! The marker line comes right before a fenced block:
//!
//! - `<!-- cmd: ARGS -->`: the whole output;
//! - `<!-- cmd, first N lines: ARGS -->`: its first N lines, then `...`.
//!
//! In a `text` block the first line is the command, `$ cargo wasmtime-support
//! ARGS`; other blocks (json, markdown, yaml) hold the output alone. Arguments
//! are split at whitespace and run from the repository root, with the
//! embedded data only and no colour; pass `--date` so the output is fixed.

use crate::common::*;
use std::path::{Path, PathBuf};

const UPDATE: &str = "UPDATE_DOCS";

fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md")];
    let mut dir: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    dir.sort();
    docs.extend(dir);
    docs
}

struct Marker {
    args: String,
    head: Option<usize>,
}

fn marker(line: &str) -> Option<Marker> {
    let inner = line.trim().strip_prefix("<!-- cmd")?.strip_suffix("-->")?;
    let (head, args) = match inner.strip_prefix(", first ") {
        Some(rest) => {
            let (n, args) = rest.split_once(" lines:")?;
            (Some(n.trim().parse().ok()?), args)
        }
        None => (None, inner.strip_prefix(':')?),
    };
    Some(Marker {
        args: args.trim().to_string(),
        head,
    })
}

/// What the block after `m` must hold.
fn expected_block(m: &Marker, lang: &str) -> String {
    let args: Vec<&str> = m.args.split_whitespace().collect();
    let r = run(&args);
    assert_ne!(
        r.code, 2,
        "documented command `{}` fails: {}",
        m.args, r.stderr
    );
    let output = format!("{}{}", r.stdout, r.stderr);
    let mut block = String::new();
    if lang == "text" {
        block.push_str(&format!("$ cargo wasmtime-support {}\n", m.args));
    }
    match m.head {
        Some(n) if output.lines().count() > n => {
            for line in output.lines().take(n) {
                block.push_str(line);
                block.push('\n');
            }
            block.push_str("...\n");
        }
        _ => block.push_str(&output),
    }
    block
}

/// Checks (or with UPDATE_DOCS rewrites) the examples of one document;
/// returns the examples checked and the stale ones.
fn check(path: &Path, update: bool) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let name = path.strip_prefix(root()).unwrap().display().to_string();
    let mut out = String::with_capacity(text.len());
    let mut stale = Vec::new();
    let mut count = 0;
    let mut i = 0;
    while i < lines.len() {
        out.push_str(lines[i]);
        let Some(m) = marker(lines[i]) else {
            i += 1;
            continue;
        };
        let open = lines.get(i + 1).map(|l| l.trim_end()).unwrap_or("");
        let fence_len = open.len() - open.trim_start_matches(['`', '~']).len();
        assert!(
            fence_len >= 3,
            "{name}:{}: a `<!-- cmd -->` line must be followed by a fenced block",
            i + 1
        );
        let fence = &open[..fence_len];
        let lang = open[fence_len..].trim();
        let close = lines[i + 2..]
            .iter()
            .position(|l| l.trim_end() == fence)
            .map(|p| p + i + 2)
            .unwrap_or_else(|| panic!("{name}:{}: unclosed block", i + 2));
        let actual: String = lines[i + 2..close].concat();
        let expected = expected_block(&m, lang);
        assert!(
            !expected.lines().any(|l| l.trim_end() == fence),
            "{name}:{}: the output contains the fence `{fence}`; use a longer one",
            i + 2
        );
        count += 1;
        if actual != expected {
            stale.push(format!(
                "{name}:{}: `cargo wasmtime-support {}`\n--- documented\n{actual}--- actual\n{expected}",
                i + 1,
                m.args
            ));
        }
        out.push_str(lines[i + 1]);
        out.push_str(if update { &expected } else { &actual });
        out.push_str(lines[close]);
        i = close + 1;
    }
    if update && out != text {
        std::fs::write(path, out).unwrap();
    }
    (count, stale)
}

#[test]
fn documented_examples_are_the_real_output() {
    let update = std::env::var_os(UPDATE).is_some();
    let mut stale = Vec::new();
    let mut readme_examples = 0;
    for doc in documents() {
        let (count, s) = check(&doc, update);
        if doc.ends_with("README.md") {
            readme_examples = count;
        }
        stale.extend(s);
    }
    assert!(readme_examples > 0, "README.md shows no checked example");
    if !update && !stale.is_empty() {
        panic!(
            "{} documented example(s) differ from the current output; \
             run `{UPDATE}=1 cargo test --test integration docs::` to rewrite them in place \
             (then review the diff):\n\n{}",
            stale.len(),
            stale.join("\n")
        );
    }
}

#[test]
fn markers_are_parsed() {
    let m = marker("<!-- cmd: --lockfile a --date 2026-11-21 -->").unwrap();
    assert_eq!(
        (m.args.as_str(), m.head),
        ("--lockfile a --date 2026-11-21", None)
    );
    let m = marker("<!-- cmd, first 12 lines: calendar --date 2026-11-21 -->").unwrap();
    assert_eq!(
        (m.args.as_str(), m.head),
        ("calendar --date 2026-11-21", Some(12))
    );
    assert!(marker("<!-- a comment -->").is_none());
    assert!(marker("<!-- cmd, first x lines: calendar -->").is_none());
}

/// Snippets are copied as they are: no `<URL>`-style placeholder, no
/// made-up path, and every relative link leads to a file.
#[test]
fn snippets_have_no_placeholders_and_links_resolve() {
    let mut problems = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        for (n, line) in text.lines().enumerate() {
            for bad in [
                "<URL",
                "path/to/",
                "example.com",
                "mirror.example",
                "<your",
                "TODO",
            ] {
                if line.contains(bad) {
                    problems.push(format!("{name}:{}: placeholder `{bad}`", n + 1));
                }
            }
            let mut rest = line;
            while let Some(at) = rest.find("](") {
                let after = &rest[at + 2..];
                let end = after.find(')').unwrap_or(after.len());
                let target = after[..end].split('#').next().unwrap();
                if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
                    let resolved = doc.parent().unwrap().join(target);
                    if !resolved.exists() {
                        problems.push(format!("{name}:{}: broken link `{target}`", n + 1));
                    }
                }
                rest = &after[end..];
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The README's first screen: what it does, install, one audit, one test command.
#[test]
fn readme_first_screen_has_the_essentials() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let first: String = readme.lines().take(40).collect::<Vec<_>>().join("\n");
    for needed in [
        "cargo install --locked --path .",
        "cargo wasmtime-support --lockfile fixtures/",
        "cargo test --locked",
    ] {
        assert!(
            first.contains(needed),
            "`{needed}` not in README's first 40 lines"
        );
    }
}

/// `rust-version` is the real minimum: the highest `rust-version` among the
/// locked dependencies (and edition 2024's 1.85).
#[test]
fn rust_version_covers_every_locked_dependency() {
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let parse = |s: &str| {
        let mut parts: Vec<u64> = s.split('.').map(|p| p.parse().unwrap()).collect();
        parts.resize(3, 0);
        parts
    };
    let mut needed = (parse("1.85"), "edition 2024".to_string());
    let mut declared = None;
    for p in meta["packages"].as_array().unwrap() {
        let Some(v) = p["rust_version"].as_str() else {
            continue;
        };
        let name = p["name"].as_str().unwrap();
        if name == "cargo-wasmtime-support" {
            declared = Some(parse(v));
        } else if parse(v) > needed.0 {
            needed = (parse(v), format!("{name} {}", p["version"]));
        }
    }
    assert_eq!(
        declared,
        Some(needed.0.clone()),
        "Cargo.toml's rust-version should be {:?}, as {} needs",
        needed.0,
        needed.1
    );
}

/// The finding codes' table in docs/configuration.md, as the codes table in
/// `model/findings.rs` makes it.
fn codes_table() -> String {
    let mut t = String::from("| code | default level | when |\n|---|---|---|\n");
    for c in cargo_wasmtime_support::Code::ALL {
        t.push_str(&format!(
            "| `{}` | {} | {} |\n",
            c.as_str(),
            c.default_level().as_str(),
            c.help()
        ));
    }
    t
}

#[test]
fn the_codes_table_in_the_docs_is_the_one_in_the_code() {
    const MARK: &str = "<!-- codes: the table in src/model/findings.rs -->\n";
    let path = root().join("docs/configuration.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find(MARK)
        .expect("docs/configuration.md marks the codes table")
        + MARK.len();
    let end = start
        + text[start..]
            .find("\n\n")
            .map_or(text.len() - start, |i| i + 1);
    let want = codes_table();
    if text[start..end] != want {
        if std::env::var_os(UPDATE).is_some() {
            std::fs::write(&path, format!("{}{want}{}", &text[..start], &text[end..])).unwrap();
        } else {
            panic!(
                "docs/configuration.md's codes table is not the code's ({UPDATE}=1 rewrites it):\n{}",
                &text[start..end]
            );
        }
    }
}

#[test]
fn every_case_of_the_rule_has_its_test() {
    let policy = std::fs::read_to_string(root().join("docs/policy.md")).unwrap();
    let sources: String = ["src/check/recommend.rs", "src/check/upgrade.rs"]
        .iter()
        .map(|p| std::fs::read_to_string(root().join(p)).unwrap())
        .collect();
    let rows: Vec<&str> = policy.lines().filter(|l| l.starts_with("| R")).collect();
    assert!(rows.len() >= 9, "{rows:?}");
    for row in rows {
        let test = row
            .rsplit('`')
            .nth(1)
            .unwrap_or_else(|| panic!("no test named in {row}"));
        assert!(
            sources.contains(&format!("fn {test}()")),
            "{test} (docs/policy.md) is not a test"
        );
    }
}
