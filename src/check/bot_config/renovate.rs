//! Renovate: `packageRules` with one `groupName` for the family and, on an
//! LTS line, `allowedVersions` per numbering scheme.

use super::{GROUP, MARK, Plan, Track};
use crate::error::{Context, Error, Result};
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

const SCHEMA: &str = "https://docs.renovatebot.com/renovate-schema.json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    description: String,
    match_managers: [&'static str; 1],
    match_package_names: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    group_name: Option<&'static str>,
    /// `false` on the group rule: Renovate otherwise puts a crate whose
    /// update it counts as major (wasmtime 47 -> 48) on a branch of its own,
    /// apart from the same move in another numbering (cranelift 0.134 ->
    /// 0.135, a minor), which cannot build alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    separate_major_minor: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_versions: Option<String>,
}

fn rules(plan: &Plan) -> Vec<Rule<'_>> {
    let mut rules = vec![Rule {
        description: format!("{MARK}: {}", plan.note_for("--renovate")),
        match_managers: ["cargo"],
        match_package_names: &plan.crates,
        group_name: Some(GROUP),
        separate_major_minor: Some(false),
        allowed_versions: None,
    }];
    if plan.track == Track::Lts {
        for (cap, names) in &plan.caps {
            rules.push(Rule {
                description: format!(
                    "{MARK}: Wasmtime {} and older, in these crates' numbering",
                    plan.stay_on
                ),
                match_managers: ["cargo"],
                match_package_names: names,
                group_name: None,
                separate_major_minor: None,
                allowed_versions: Some(format!("<{cap}")),
            });
        }
    }
    rules
}

fn pretty(value: &impl Serialize, indent: &[u8]) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(indent),
    );
    value
        .serialize(&mut ser)
        .expect("serialising plain data cannot fail");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

/// A new `renovate.json`.
pub fn render(plan: &Plan) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct File<'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        package_rules: Vec<Rule<'a>>,
    }
    let file = File {
        schema: SCHEMA,
        package_rules: rules(plan),
    };
    pretty(&file, b"  ") + "\n"
}

/// The members of a JSON object in file order, each value as written.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// `existing` with the generated rules replaced by the plan's; every other
/// member and rule is kept as written.
pub fn merge(existing: &str, plan: &Plan) -> Result<String> {
    if existing.trim().is_empty() {
        return Ok(render(plan));
    }
    let Members(mut members) = serde_json::from_str(existing).map_err(|e| {
        Error::new(format!(
            "not a JSON object ({e}); Renovate's JSON5 files are not supported"
        ))
    })?;
    // JSON parsers keep one of two equal keys (most the last): which one the
    // bot reads is not for this tool to guess.
    let mut seen = std::collections::HashSet::new();
    if let Some((key, _)) = members.iter().find(|(k, _)| !seen.insert(k.as_str())) {
        return Err(Error::new(format!(
            "the key {:?} appears twice, and which one Renovate reads is unclear; keep one",
            crate::text::sanitize(key)
        )));
    }
    let indent = detect_indent(existing);
    let mut kept: Vec<String> = Vec::new();
    let position = members.iter().position(|(k, _)| k == "packageRules");
    if let Some(at) = position {
        let old: Vec<Box<RawValue>> =
            serde_json::from_str(members[at].1.get()).context("`packageRules` is not an array")?;
        for rule in old {
            let value: serde_json::Value =
                serde_json::from_str(rule.get()).expect("a value serde_json has just read");
            let ours = value
                .get("description")
                .and_then(|d| d.as_str())
                .is_some_and(|d| d.starts_with(&format!("{MARK}:")));
            if !ours {
                kept.push(rule.get().to_string());
            }
        }
    }
    let inner = format!("{indent}{indent}");
    let mut items: Vec<String> = kept;
    for rule in rules(plan) {
        let text = pretty(&rule, indent.as_bytes());
        items.push(text.replace('\n', &format!("\n{inner}")));
    }
    let array = format!(
        "[\n{inner}{}\n{indent}]",
        items.join(&format!(",\n{inner}"))
    );
    let array = RawValue::from_string(array).expect("the array built above is JSON");
    match position {
        Some(at) => members[at].1 = array,
        None => members.push(("packageRules".to_string(), array)),
    }
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| {
            format!(
                "{indent}{}: {}",
                serde_json::to_string(k).expect("a string"),
                v.get()
            )
        })
        .collect();
    let merged = format!("{{\n{}\n}}\n", body.join(",\n"));
    // What is written must read back as the object it was, plus the rules.
    serde_json::from_str::<serde_json::Value>(&merged)
        .context("merging would write invalid JSON")?;
    Ok(merged)
}

/// The indentation unit of a pretty-printed JSON file (two spaces if unsure).
fn detect_indent(text: &str) -> String {
    text.lines()
        .skip(1)
        .find(|l| !l.trim().is_empty())
        .map(|l| {
            l.chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect::<String>()
        })
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| "  ".to_string())
}
