//! `--format json`: the `Audit` value itself (see `audit::SCHEMA_VERSION`).

use serde::Serialize;

pub fn render<T: Serialize>(value: &T) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        // Serializing plain structs of strings and numbers cannot fail; keep the
        // contract (valid JSON on stdout) even so.
        serde_json::json!({ "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}
