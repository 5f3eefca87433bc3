//! Property: on any manifest, the upgrade planner changes only the text of
//! version strings. Generated manifests mix quote styles, line endings, a
//! byte-order mark, comments, inline, dotted and header tables, target tables,
//! renamed and inherited dependencies, and crates outside the family.

use cargo_wasmtime_support::Data;
use cargo_wasmtime_support::{Choice, Manifest, UntouchedReason, plan};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Dep {
    name: &'static str,
    /// Written under another key with `package = ...`.
    renamed: bool,
    form: u8,
    quote: &'static str,
    req: String,
    comment: bool,
}

const NAMES: [&str; 7] = [
    "wasmtime",
    "wasmtime-wasi",
    "cranelift-codegen",
    "cranelift-entity",
    "wiggle",
    "serde",
    "wasmtime-environ",
];

fn requirement(name: &str, major: u32, patch: u32, style: u8) -> String {
    let (a, b) = if name.starts_with("cranelift") {
        (0, major + 87)
    } else {
        (major, 0)
    };
    match style {
        0 => format!("{a}"),
        1 => format!("{a}.{b}.{patch}"),
        2 => format!("={a}.{b}.{patch}"),
        3 => format!("^{a}.{b}"),
        4 => format!("~{a}.{b}.{patch}"),
        _ => format!("{a}.{b}"),
    }
}

fn dep() -> impl Strategy<Value = Dep> {
    (
        0..NAMES.len(),
        any::<bool>(),
        0u8..6,
        prop::sample::select(vec!["\"", "'", "'''"]),
        (24u32..48, 0u32..5, 0u8..6),
        any::<bool>(),
    )
        .prop_map(
            |(n, renamed, form, quote, (major, patch, style), comment)| {
                let name = NAMES[n];
                Dep {
                    name,
                    renamed,
                    form,
                    quote,
                    req: requirement(name, major, patch, style),
                    comment,
                }
            },
        )
}

/// The manifest text (with `\n` line ends; the caller converts).
fn render(deps: &[Dep], workspace: bool) -> String {
    let mut body = String::from(
        "[package]\nname = \"app\" # the app\nversion = \"0.1.0\"\nedition = \"2021\"\n\n",
    );
    let mut headers = String::new();
    let mut targets = String::new();
    let table = if workspace {
        "workspace.dependencies"
    } else {
        "dependencies"
    };
    body.push_str(&format!("[{table}]\n"));
    for (i, d) in deps.iter().enumerate() {
        let key = if d.renamed {
            format!("alias{i}")
        } else {
            d.name.to_string()
        };
        let key = if !d.renamed && deps[..i].iter().any(|o| !o.renamed && o.name == d.name) {
            format!("dup{i}")
        } else {
            key
        };
        let package = if d.renamed || key.starts_with("dup") {
            format!("package = \"{}\", ", d.name)
        } else {
            String::new()
        };
        let q = d.quote;
        let v = format!("{q}{}{q}", d.req);
        if d.comment {
            body.push_str("# a comment with 27 and 0.114 in it\n");
        }
        match d.form {
            0 if package.is_empty() => body.push_str(&format!("{key} = {v}\n")),
            0 | 1 => body.push_str(&format!(
                "{key} = {{ {package}version = {v}, features = [\"x\"] }}\n"
            )),
            2 => {
                headers.push_str(&format!("\n[{table}.{key}]\n"));
                if !package.is_empty() {
                    headers.push_str(&format!("package = \"{}\"\n", d.name));
                }
                headers.push_str(&format!(
                    "version = {v} # pinned\ndefault-features = false\n"
                ));
            }
            3 => {
                if !package.is_empty() {
                    body.push_str(&format!("{key}.package = \"{}\"\n", d.name));
                }
                body.push_str(&format!("{key}.version = {v}\n"));
            }
            4 if !workspace && package.is_empty() => {
                body.push_str(&format!("{key} = {{ workspace = true }}\n"))
            }
            _ => targets.push_str(&format!("{key} = {{ {package}version = {v} }}\n")),
        }
    }
    if !targets.is_empty() {
        headers.push_str(&format!(
            "\n[target.'cfg(unix)'.dev-dependencies]\n{targets}"
        ));
    }
    body + &headers
}

/// Every run of digits and dots as one `#`: what must be equal before and after.
fn mask(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_run = false;
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            if !in_run {
                out.push('#');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
}

/// The document with every version-like string replaced by `V`.
fn normalized(text: &str) -> toml::Value {
    fn walk(v: toml::Value) -> toml::Value {
        match v {
            toml::Value::String(s)
                if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || "=^~.".contains(c)) =>
            {
                toml::Value::String("V".into())
            }
            toml::Value::Table(t) => {
                toml::Value::Table(t.into_iter().map(|(k, v)| (k, walk(v))).collect())
            }
            toml::Value::Array(a) => toml::Value::Array(a.into_iter().map(walk).collect()),
            other => other,
        }
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    walk(toml::Value::Table(
        body.parse::<toml::Table>().expect("valid TOML"),
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn only_version_strings_change(
        deps in prop::collection::vec(dep(), 1..8),
        crlf in any::<bool>(),
        bom in any::<bool>(),
        workspace in any::<bool>(),
        target in prop::sample::select(vec![36u32, 48]),
    ) {
        let data = Data::embedded().unwrap();
        let mut text = render(&deps, workspace);
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        if bom {
            text.insert(0, '\u{feff}');
        }
        let p = plan(&[Manifest { path: "Cargo.toml".into(), text: text.clone() }], &data, &release(target, 3)).unwrap();
        let m = &p.manifests[0];
        prop_assert_eq!(mask(&m.new_text), mask(&text));
        prop_assert_eq!(normalized(&m.new_text), normalized(&text));
        prop_assert_eq!(m.new_text.starts_with('\u{feff}'), bom);
        prop_assert_eq!(m.new_text.matches("\r\n").count(), text.matches("\r\n").count());
        for e in &m.edits {
            let major = if e.crate_name.starts_with("cranelift") { format!("0.{}", target + 87) } else { target.to_string() };
            prop_assert!(e.to.trim_start_matches(['=', '^', '~']).starts_with(&major), "{:?}", e);
        }
        // Every family requirement is either rewritten or reported.
        let family = deps.iter().filter(|d| d.name != "serde").count();
        let inherited = m.untouched.iter().filter(|u| u.reason == UntouchedReason::Inherited).count();
        prop_assert!(m.edits.len() + m.untouched.len() >= family - inherited.min(family), "{:?}", m);
        // A second run finds nothing left to change.
        let again = plan(&[Manifest { path: "Cargo.toml".into(), text: m.new_text.clone() }], &data, &release(target, 3)).unwrap();
        prop_assert!(again.manifests[0].edits.is_empty(), "{:?}", again.manifests[0].edits);
    }
}

/// `target`.`patch` with no resolved versions: each crate moves to its version of that release.
fn release(target: u32, patch: u64) -> Choice {
    Choice {
        target,
        version: semver::Version::new(u64::from(target), 0, patch),
        versions: Vec::new(),
        rust: None,
        moves: Vec::new(),
    }
}
