//! `upgrade`: moves every direct dependency on a family crate to the target
//! train in one step, in the crate's own numbering and the requirement's own
//! style (`"27"` -> `"48"`, `"=27.0.0"` -> `"=48.0.8"`, `"0.114"` -> `"0.135"`),
//! keeping the manifests' formatting and comments. Pure: manifest texts in,
//! new texts and a report out.

use crate::data::Data;
use crate::error::{Error, Result};
use semver::Version;
use serde::Serialize;
use toml_edit::{DocumentMut, Item, TableLike, Value};

/// A manifest to plan for: its path as shown, and its text.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub target: u32,
    /// The Wasmtime version the requirements move to.
    pub target_version: Version,
    pub manifests: Vec<ManifestPlan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestPlan {
    pub path: String,
    #[serde(skip)]
    pub old_text: String,
    #[serde(skip)]
    pub new_text: String,
    pub edits: Vec<Edit>,
    /// Dependencies not rewritten, and why.
    pub untouched: Vec<Untouched>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// `dependencies`, `dev-dependencies`, `workspace.dependencies`, `target.'cfg(unix)'.dependencies`, ...
    pub table: String,
    /// The dependency's key (its name in the manifest).
    pub key: String,
    #[serde(rename = "crate")]
    pub crate_name: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Untouched {
    pub table: String,
    pub key: String,
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// `path`, `git`, `inherited`, `replaced`, `removed`, `unknown`, `complex`, `current`.
    pub reason: &'static str,
    pub detail: String,
}

/// Plans the move of every manifest to `target`.`patch`.
pub fn plan(manifests: &[Manifest], data: &Data, target: u32, patch: u64) -> Result<Plan> {
    let mut out = Vec::with_capacity(manifests.len());
    for m in manifests {
        let mut doc: DocumentMut = m.text.parse().map_err(|e: toml_edit::TomlError| {
            Error::in_file(&m.path, format!("not valid TOML: {}", e.message()))
        })?;
        let mut edits = Vec::new();
        let mut untouched = Vec::new();
        for path in table_paths(&doc) {
            let label = path.join(".");
            let Some(table) = table_at(&mut doc, &path) else {
                continue;
            };
            for (key, item) in table.iter_mut() {
                plan_dependency(
                    data,
                    target,
                    patch,
                    &label,
                    key.get(),
                    item,
                    &mut edits,
                    &mut untouched,
                );
            }
        }
        out.push(ManifestPlan {
            path: m.path.clone(),
            old_text: m.text.clone(),
            new_text: doc.to_string(),
            edits,
            untouched,
        });
    }
    Ok(Plan {
        target,
        target_version: Version::new(u64::from(target), 0, patch),
        manifests: out,
    })
}

/// Every dependency table of a manifest, as key paths.
fn table_paths(doc: &DocumentMut) -> Vec<Vec<String>> {
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut paths: Vec<Vec<String>> = KINDS.iter().map(|k| vec![k.to_string()]).collect();
    paths.push(vec!["workspace".into(), "dependencies".into()]);
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (cfg, _) in targets.iter() {
            for kind in KINDS {
                paths.push(vec!["target".into(), cfg.to_string(), kind.to_string()]);
            }
        }
    }
    paths
}

fn table_at<'a>(doc: &'a mut DocumentMut, path: &[String]) -> Option<&'a mut dyn TableLike> {
    let mut item: &mut Item = doc.as_item_mut();
    for key in path {
        item = item.as_table_like_mut()?.get_mut(key)?;
    }
    item.as_table_like_mut()
}

#[allow(clippy::too_many_arguments)]
fn plan_dependency(
    data: &Data,
    target: u32,
    patch: u64,
    table: &str,
    key: &str,
    item: &mut Item,
    edits: &mut Vec<Edit>,
    untouched: &mut Vec<Untouched>,
) {
    let spec = item.as_table_like().map(|t| {
        let s = |k: &str| t.get(k).and_then(Item::as_str).map(str::to_string);
        (
            s("package"),
            s("path"),
            s("git"),
            t.get("workspace").and_then(Item::as_bool) == Some(true),
        )
    });
    let crate_name = spec
        .as_ref()
        .and_then(|(package, ..)| package.clone())
        .unwrap_or_else(|| key.to_string());
    if !data.family.is_member(&crate_name) {
        return;
    }
    let mut leave = |reason: &'static str, detail: String| {
        untouched.push(Untouched {
            table: table.to_string(),
            key: key.to_string(),
            crate_name: crate_name.clone(),
            reason,
            detail,
        });
    };
    if let Some((_, path, git, inherited)) = &spec {
        if *inherited {
            return leave("inherited", "follows [workspace.dependencies]".into());
        }
        if let Some(path) = path {
            return leave("path", format!("path dependency {path}: left alone"));
        }
        if let Some(git) = git {
            return leave("git", format!("git dependency {git}: left alone"));
        }
    }
    let Some(known) = data.family.get(&crate_name) else {
        return leave(
            "unknown",
            "not in the release data: check it by hand".into(),
        );
    };
    let newest = data.newest_major();
    if known.last < newest && target > known.last {
        return match &known.successor {
            Some(s) => leave(
                "replaced",
                format!(
                    "last released with Wasmtime {}; replaced by `{s}`: switch to it by hand",
                    known.last
                ),
            ),
            None => leave(
                "removed",
                format!("last released with Wasmtime {}; no successor", known.last),
            ),
        };
    }
    if target < known.first {
        return leave(
            "removed",
            format!("first released with Wasmtime {}", known.first),
        );
    }
    let Some(new_version) = data.family.version_for(&crate_name, target, patch) else {
        return leave(
            "unknown",
            format!("no single version of {crate_name} belongs to Wasmtime {target}"),
        );
    };
    let value = match item.as_table_like_mut() {
        Some(t) => t.get_mut("version").and_then(Item::as_value_mut),
        None => item.as_value_mut(),
    };
    let Some(value) = value else {
        return leave("complex", "no version requirement".into());
    };
    let Some(old) = value.as_str().map(str::to_string) else {
        return leave("complex", "the version is not a string".into());
    };
    let Some(new) = rewrite_requirement(&old, &new_version) else {
        return leave("complex", format!("requirement {old:?}: edit it by hand"));
    };
    if new == old {
        return leave("current", format!("already {old}"));
    }
    let decor = value.decor().clone();
    let mut replacement = Value::from(new.as_str());
    *replacement.decor_mut() = decor;
    *value = replacement;
    edits.push(Edit {
        table: table.to_string(),
        key: key.to_string(),
        crate_name,
        from: old,
        to: new,
    });
}

/// `"27"` -> `"48"`, `"27.0.1"` -> `"48.0.8"`, `"=27.0.0"` -> `"=48.0.8"`,
/// `"^0.114"` -> `"^0.135"`: the same operator and number of components.
/// Anything with several comparators, wildcards or ranges is left to a person.
pub fn rewrite_requirement(old: &str, new: &Version) -> Option<String> {
    let trimmed = old.trim();
    let op_len = trimmed.len() - trimmed.trim_start_matches(['=', '^', '~', '>', '<']).len();
    let (op, rest) = trimmed.split_at(op_len);
    if !matches!(op, "" | "=" | "^" | "~" | ">=") {
        return None;
    }
    let rest = rest.trim_start();
    let (numbers, pre) = match rest.split_once('-') {
        Some((n, p)) => (n, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    let plain = (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !plain {
        return None;
    }
    let all = [new.major, new.minor, new.patch];
    // A pre-release requirement names a whole version; move it to a release.
    let count = if pre.is_some() { 3 } else { parts.len() };
    let numbers: Vec<String> = all[..count].iter().map(|n| n.to_string()).collect();
    Some(format!("{op}{}", numbers.join(".")))
}

/// A unified diff of one manifest's change.
pub fn unified_diff(m: &ManifestPlan) -> String {
    similar::TextDiff::from_lines(&m.old_text, &m.new_text)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{}", m.path), &format!("b/{}", m.path))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_keep_their_style() {
        let v = Version::new(48, 0, 8);
        assert_eq!(rewrite_requirement("27", &v).as_deref(), Some("48"));
        assert_eq!(rewrite_requirement("27.0.1", &v).as_deref(), Some("48.0.8"));
        assert_eq!(
            rewrite_requirement("=27.0.0", &v).as_deref(),
            Some("=48.0.8")
        );
        assert_eq!(rewrite_requirement("^27.0", &v).as_deref(), Some("^48.0"));
        assert_eq!(
            rewrite_requirement("~27.0.1", &v).as_deref(),
            Some("~48.0.8")
        );
        assert_eq!(rewrite_requirement(">=27", &v).as_deref(), Some(">=48"));
        assert_eq!(
            rewrite_requirement("0.114", &Version::new(0, 135, 8)).as_deref(),
            Some("0.135")
        );
        assert_eq!(
            rewrite_requirement("49.0.0-rc.1", &v).as_deref(),
            Some("48.0.8")
        );
        for complex in [">=27, <29", "*", "27.*", "<48", "27.x", ""] {
            assert_eq!(rewrite_requirement(complex, &v), None, "{complex}");
        }
    }

    #[test]
    fn plans_every_table_and_keeps_comments() {
        let data = Data::embedded().unwrap();
        let text = r#"[package]
name = "app"

[dependencies]
# the engine
wasmtime = "27" # pinned by the SDK
wasmtime-wasi = { version = "27.0.0", features = ["p2"] }
cranelift-entity = "0.114"
wiggle = "=27.0.0"
serde = "1"
fork = { package = "wasmtime-wast", git = "https://example.com/wasmtime" }
local = { package = "wasmtime-environ", path = "../environ" }
wasmtime-wasi-runtime-config = "26"
wasmtime-wasi-config = { workspace = true }

[target.'cfg(unix)'.dev-dependencies]
wasmtime-cli-flags = "27.0.1"

[build-dependencies]
winch-codegen = "0.20"
"#;
        let p = plan(
            &[Manifest {
                path: "Cargo.toml".into(),
                text: text.into(),
            }],
            &data,
            48,
            0,
        )
        .unwrap();
        let m = &p.manifests[0];
        let edits: Vec<(&str, &str, &str)> = m
            .edits
            .iter()
            .map(|e| (e.key.as_str(), e.from.as_str(), e.to.as_str()))
            .collect();
        assert_eq!(
            edits,
            [
                ("wasmtime", "27", "48"),
                ("wasmtime-wasi", "27.0.0", "48.0.0"),
                ("cranelift-entity", "0.114", "0.135"),
                ("wiggle", "=27.0.0", "=48.0.0"),
                ("winch-codegen", "0.20", "48.0"),
                ("wasmtime-cli-flags", "27.0.1", "48.0.0"),
            ]
        );
        assert_eq!(m.edits[5].table, "target.cfg(unix).dev-dependencies");
        assert!(
            m.new_text
                .contains("# the engine\nwasmtime = \"48\" # pinned by the SDK\n"),
            "{}",
            m.new_text
        );
        assert!(
            m.new_text
                .contains("wasmtime-wasi = { version = \"48.0.0\", features = [\"p2\"] }")
        );
        let reasons: Vec<(&str, &str)> = m
            .untouched
            .iter()
            .map(|u| (u.key.as_str(), u.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("fork", "git"),
                ("local", "path"),
                ("wasmtime-wasi-runtime-config", "replaced"),
                ("wasmtime-wasi-config", "inherited")
            ]
        );
        assert!(
            m.untouched[2]
                .detail
                .contains("replaced by `wasmtime-wasi-config`")
        );
        assert!(
            m.new_text.contains("wasmtime-wasi-runtime-config = \"26\""),
            "never silently dropped"
        );
    }

    #[test]
    fn invalid_toml_is_an_error_naming_the_file() {
        let data = Data::embedded().unwrap();
        let e = plan(
            &[Manifest {
                path: "x/Cargo.toml".into(),
                text: "[dependencies\n".into(),
            }],
            &data,
            48,
            0,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("x/Cargo.toml: not valid TOML"),
            "{e}"
        );
    }
}
