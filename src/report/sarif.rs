//! `--format sarif`: SARIF 2.1.0, one rule per finding code, results located
//! at lines of the lockfile, with what GitHub code scanning asks beyond the
//! standard: a `help` text per rule, `security-severity` on the security
//! rules, stable `partialFingerprints`, and paths relative to the checkout
//! (`%SRCROOT%`).

use crate::check::audit::Audit;
use crate::model::findings::{Code, Level};
use serde_json::{Value, json};

pub fn render(a: &Audit) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            let mut rule = json!({
                "id": c.as_str(),
                "name": rule_name(c.as_str()),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.help() },
                "help": {
                    "text": c.help(),
                    "markdown": format!("{}\n\nSee the finding codes in `docs/configuration.md` of cargo-wasmtime-support.", c.help()),
                },
                "defaultConfiguration": { "level": level(c.default_level()) },
            });
            // GitHub ranks security results by this score (CVSS-like, 0-10).
            let security = match c {
                Code::Vulnerable => Some("7.5"),
                Code::OutdatedPatch | Code::BindingBehind => Some("5.0"),
                Code::Eol => Some("5.0"),
                _ => None,
            };
            rule["properties"] = match security {
                Some(score) => json!({ "tags": ["security", "dependencies"], "security-severity": score }),
                None => json!({ "tags": ["dependencies"] }),
            };
            rule
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
                        "artifactLocation": artifact(&loc.path),
                        "region": { "startLine": loc.line.max(1) },
                    }
                }]);
            }
            // The same finding on the same crate keeps its identity from run
            // to run, whatever line it moves to.
            let identity = format!(
                "{}|{}|{}|{}|{}",
                f.code.as_str(),
                f.major.map(|m| m.to_string()).unwrap_or_default(),
                f.crate_name.as_deref().unwrap_or_default(),
                f.version.as_deref().unwrap_or_default(),
                f.location
                    .as_ref()
                    .map(|l| l.path.as_str())
                    .unwrap_or_default(),
            );
            r["partialFingerprints"] = json!({ "cargoWasmtimeSupport/v1": fingerprint(&identity) });
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
                    "informationUri": "https://docs.wasmtime.dev/stability-release.html",
                    "rules": rules,
                }
            },
            "results": results,
            // Inputs skipped with --keep-going: the run did not read everything.
            "invocations": [{
                "executionSuccessful": a.unreadable.is_empty(),
                "toolExecutionNotifications": a.unreadable.iter().map(|u| json!({
                    "level": "error",
                    "message": { "text": format!("{} (not audited)", crate::text::sanitize(&u.error)) },
                })).collect::<Vec<Value>>(),
            }],
            // Every input read, with what it is (a Cargo.lock, a binary, an
            // SBOM, a binding's lockfile).
            "artifacts": a.lockfiles.iter().map(|l| json!({
                "location": artifact(&l.path),
                "description": { "text": l.kind.describe() },
                "properties": { "kind": l.kind.as_str() },
            })).collect::<Vec<Value>>(),
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

/// A rule's readable name, distinct from its id: `WasmtimeEolSoon`.
fn rule_name(id: &str) -> String {
    std::iter::once("Wasmtime")
        .chain(id.split('-'))
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn fingerprint(identity: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(identity.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a result is: a path relative to the checkout (`%SRCROOT%`, as code
/// scanning wants), or a `file://` URI when it is outside; standard input,
/// which has no path, as the lockfile's usual name.
fn artifact(path: &str) -> Value {
    let path = match path {
        "-" | "<stdin>" => "Cargo.lock",
        p => p,
    };
    if path.starts_with('/') {
        json!({ "uri": uri(path) })
    } else {
        json!({ "uri": uri(path.trim_start_matches("./")), "uriBaseId": "%SRCROOT%" })
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
    fn rule_names_read_and_differ_from_ids() {
        assert_eq!(super::rule_name("eol-soon"), "WasmtimeEolSoon");
        assert_eq!(super::rule_name("vulnerable"), "WasmtimeVulnerable");
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("fixtures/spin/Cargo.lock"), "fixtures/spin/Cargo.lock");
        assert_eq!(uri("/w/my app/Cargo.lock"), "file:///w/my%20app/Cargo.lock");
        assert_eq!(uri("a:b#c"), "a%3Ab%23c");
    }
}
