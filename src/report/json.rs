//! `--format json`: the `Audit` value itself (see `audit::SCHEMA_VERSION`).

use serde::Serialize;

pub fn render<T: Serialize>(value: &T) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        // Serializing plain structs of strings and numbers cannot fail; keep the
        // contract (valid JSON on stdout) even so.
        serde_json::json!({ "error": e.to_string() }).to_string()
    });
    out.push('\n');
    escape_invisible(&out)
}

/// Writes bidi controls and other invisible format characters (from
/// lockfiles, manifests, advisories or the index) as `\uXXXX` escapes, so the
/// JSON text cannot reorder or hide what a terminal or viewer shows. The
/// decoded values are unchanged.
fn escape_invisible(json: &str) -> String {
    if !json.chars().any(crate::text::is_invisible_format) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if crate::text::is_invisible_format(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}
