//! `--format sarif`: SARIF 2.1.0, one rule per finding code, results located
//! at lines of the lockfile.

use crate::check::audit::Audit;
use crate::model::findings::{Code, Level};
use serde_json::{Value, json};

pub fn render(a: &Audit) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.help() },
                "defaultConfiguration": { "level": level(c.default_level()) },
            })
        })
        .collect();
    let results: Vec<Value> = a
        .findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0),
                "level": level(f.level),
                "message": { "text": crate::text::sanitize(&f.message) },
            });
            if let Some(loc) = &f.location {
                r["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&loc.path) },
                        "region": { "startLine": loc.line.max(1) },
                    }
                }]);
            }
            if let Some(major) = f.major {
                r["properties"] = json!({ "wasmtimeMajor": major });
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
            "properties": {
                "asOf": a.as_of.to_string(),
                "facts": a.data,
            },
        }],
    });
    super::json::render(&doc)
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

/// A relative URI reference for a relative path, a `file://` URI for an
/// absolute one; characters outside the unreserved set are percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("fixtures/spin/Cargo.lock"), "fixtures/spin/Cargo.lock");
        assert_eq!(uri("/w/my app/Cargo.lock"), "file:///w/my%20app/Cargo.lock");
        assert_eq!(uri("a:b#c"), "a%3Ab%23c");
    }
}
