//! SBOMs: CycloneDX JSON (1.4 to 1.6) and SPDX JSON 2.3, as `cargo
//! cyclonedx`, `cargo sbom` and container scanners write them. Family crates
//! and the bindings are found by package URL (`pkg:cargo/wasmtime@36.0.2`,
//! `pkg:pypi/wasmtime@36.0.0`), parsed by the `packageurl` crate; a
//! component without one counts by name only when the SBOM was written by a
//! Cargo tool, which lists nothing but crates.
//!
//! Read as `serde_json::Value` and walked for the few fields used, rather
//! than with a typed CycloneDX or SPDX model: those reject whole documents
//! over fields the audit never reads, where scanners' output varies most.

use crate::error::{Error, Result};
use crate::input::lockfile::{Lockfile, Package, Source};
use crate::model::inputs::{Binding, InputKind};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The largest SBOM read.
pub const MAX_SBOM_BYTES: u64 = 256 * 1024 * 1024;

const CRATES_IO: &str = "https://github.com/rust-lang/crates.io-index";

pub fn read(path: &Path, shown: &str) -> Result<Lockfile> {
    if path.as_os_str() == "-" {
        return Err(Error::new(
            "--sbom reads a file, not standard input: give the SBOM's path",
        ));
    }
    let bytes = crate::input::files::read_bytes(path, shown, MAX_SBOM_BYTES)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::in_file(shown, "not UTF-8 text: not a JSON SBOM"))?;
    parse(&text, shown)
}

pub fn parse(text: &str, shown: &str) -> Result<Lockfile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = crate::input::json::bounded(text, shown)?;
    for key in ["components", "packages", "dependencies", "relationships"] {
        if doc.get(key).is_some_and(|v| !v.is_array()) {
            return Err(Error::in_file(shown, format!("`{key}` is not a list")));
        }
    }
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let spec = doc.get("specVersion").and_then(Value::as_str).unwrap_or("");
        if !matches!(spec, "1.2" | "1.3" | "1.4" | "1.5" | "1.6") {
            return Err(Error::in_file(
                shown,
                format!(
                    "CycloneDX {} is not read (1.2 to 1.6 are)",
                    crate::text::sanitize(spec)
                ),
            ));
        }
        return cyclonedx(&doc, text, shown);
    }
    if let Some(v) = doc.get("spdxVersion").and_then(Value::as_str) {
        if !v.starts_with("SPDX-2.") {
            return Err(Error::in_file(
                shown,
                format!(
                    "{} is not read (SPDX 2.3 JSON is)",
                    crate::text::sanitize(v)
                ),
            ));
        }
        return spdx(&doc, text, shown);
    }
    Err(Error::in_file(
        shown,
        "neither a CycloneDX JSON SBOM (`bomFormat`) nor an SPDX JSON one (`spdxVersion`)",
    ))
}

/// A component as the audit sees it: a family crate or a binding.
struct Found {
    reference: Option<String>,
    name: String,
    version: String,
    source: Source,
}

/// What a package URL says: a Cargo crate (from crates.io or another
/// registry), or a binding; `None` for anything else or a malformed purl.
fn from_purl(purl: &str) -> Option<(String, Option<String>, Source)> {
    let p = <packageurl::PackageUrl as std::str::FromStr>::from_str(purl).ok()?;
    let version = p.version().map(str::to_string);
    match p.ty() {
        "cargo" => {
            let source = match p.qualifiers().get("repository_url") {
                Some(url) if !url.contains("crates.io") => Source::Registry {
                    url: url.to_string(),
                },
                _ => match p.qualifiers().get("vcs_url") {
                    Some(url) => Source::Git {
                        url: url.to_string(),
                        rev: None,
                    },
                    None => match p.qualifiers().get("download_url") {
                        Some(url) if url.starts_with("file:") => Source::Path,
                        _ => Source::Registry {
                            url: CRATES_IO.into(),
                        },
                    },
                },
            };
            Some((p.name().to_string(), version, source))
        }
        ty => {
            let b = Binding::from_purl(ty, p.namespace(), p.name())?;
            if b == Binding::Go {
                // Go's rule: the module path's `/vN` is the version's major.
                let path = format!("{}/{}", p.namespace().unwrap_or_default(), p.name());
                let suffix = crate::model::inputs::go_module_major(&path)?;
                let major = crate::model::inputs::version(version.as_deref()?)?.major;
                let consistent = match suffix {
                    Some(n) => u64::from(n) == major,
                    None => major <= 1,
                };
                if !consistent {
                    return None;
                }
            }
            Some((
                b.project().to_string(),
                version,
                Source::Binding {
                    binding: b,
                    origin: None,
                },
            ))
        }
    }
}

/// One component as the audit sees it: by its purl; without one, by name
/// only in an SBOM a Cargo tool wrote.
fn component(
    reference: Option<String>,
    name: Option<&str>,
    version: Option<&str>,
    purl: Option<&str>,
    by_cargo_tool: bool,
) -> Option<Found> {
    match purl {
        Some(purl) => from_purl(purl).map(|(n, v, source)| Found {
            reference,
            version: v.or(version.map(str::to_string)).unwrap_or_default(),
            name: n,
            source,
        }),
        None if by_cargo_tool => name.map(|n| Found {
            reference,
            name: n.to_string(),
            version: version.unwrap_or_default().to_string(),
            source: Source::Registry {
                url: CRATES_IO.into(),
            },
        }),
        None => None,
    }
}

fn cyclonedx(doc: &Value, text: &str, shown: &str) -> Result<Lockfile> {
    let by_cargo_tool = doc
        .pointer("/metadata/tools")
        .map(|t| t.to_string().contains("cargo-cyclonedx"))
        .unwrap_or(false);
    let mut found: Vec<Found> = Vec::new();
    let mut stack: Vec<&Value> = Vec::new();
    if let Some(root) = doc.pointer("/metadata/component") {
        stack.push(root);
    }
    if let Some(list) = doc.get("components").and_then(Value::as_array) {
        stack.extend(list.iter());
    }
    // Nested components (a container's layers) are walked without recursion.
    while let Some(c) = stack.pop() {
        if let Some(inner) = c.get("components").and_then(Value::as_array) {
            stack.extend(inner.iter());
        }
        let reference = c.get("bom-ref").and_then(Value::as_str).map(str::to_string);
        let name = c.get("name").and_then(Value::as_str);
        let version = c.get("version").and_then(Value::as_str);
        let purl = c.get("purl").and_then(Value::as_str);
        let found_one = component(reference, name, version, purl, by_cargo_tool);
        found.extend(found_one);
    }
    found.reverse();
    // `dependencies`: who depends on whom, by `bom-ref`.
    let mut deps: HashMap<&str, Vec<&str>> = HashMap::new();
    for d in doc
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(from), Some(to)) = (
            d.get("ref").and_then(Value::as_str),
            d.get("dependsOn").and_then(Value::as_array),
        ) else {
            continue;
        };
        deps.entry(from)
            .or_default()
            .extend(to.iter().filter_map(Value::as_str));
    }
    finish(found, &deps, text, shown, InputKind::CyclonedxSbom)
}

fn spdx(doc: &Value, text: &str, shown: &str) -> Result<Lockfile> {
    let by_cargo_tool = doc
        .pointer("/creationInfo/creators")
        .map(|t| t.to_string().contains("cargo-sbom"))
        .unwrap_or(false);
    let mut found: Vec<Found> = Vec::new();
    for p in doc
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let reference = p.get("SPDXID").and_then(Value::as_str).map(str::to_string);
        let name = p.get("name").and_then(Value::as_str);
        let version = p.get("versionInfo").and_then(Value::as_str);
        let purl = p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|r| r.get("referenceType").and_then(Value::as_str) == Some("purl"))
            .and_then(|r| r.get("referenceLocator").and_then(Value::as_str));
        let one = component(reference, name, version, purl, by_cargo_tool);
        found.extend(one);
    }
    let mut deps: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in doc
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = r.get("relationshipType").and_then(Value::as_str);
        let (Some(a), Some(b)) = (
            r.get("spdxElementId").and_then(Value::as_str),
            r.get("relatedSpdxElement").and_then(Value::as_str),
        ) else {
            continue;
        };
        match kind {
            Some("DEPENDS_ON") => deps.entry(a).or_default().push(b),
            Some("DEPENDENCY_OF") => deps.entry(b).or_default().push(a),
            _ => {}
        }
    }
    finish(found, &deps, text, shown, InputKind::SpdxSbom)
}

/// The line of each `"bom-ref": "..."` and `"SPDXID": "..."` in the text
/// (the first, for a reference given twice), in one pass: looking each
/// component up in the whole text would cost the text's size per component.
fn reference_lines(text: &str) -> HashMap<String, u32> {
    let mut lines = HashMap::new();
    for (i, l) in text.lines().enumerate() {
        for key in ["\"bom-ref\"", "\"SPDXID\""] {
            let Some(at) = l.find(key) else {
                continue;
            };
            let rest = l[at + key.len()..].trim_start();
            let Some(rest) = rest.strip_prefix(':') else {
                continue;
            };
            let mut de =
                serde_json::Deserializer::from_str(rest.trim_start()).into_iter::<String>();
            if let Some(Ok(value)) = de.next() {
                lines
                    .entry(value)
                    .or_insert(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
    }
    lines
}

/// The components with a version that reads as one, once each, at the line
/// of their `bom-ref` (or SPDX id) in the text.
fn finish(
    found: Vec<Found>,
    deps: &HashMap<&str, Vec<&str>>,
    text: &str,
    shown: &str,
    kind: InputKind,
) -> Result<Lockfile> {
    let lines = reference_lines(text);
    let mut packages: Vec<Package> = Vec::new();
    let mut seen: std::collections::HashSet<(String, semver::Version, Source)> =
        std::collections::HashSet::new();
    let mut by_ref: HashMap<String, String> = HashMap::new();
    for f in &found {
        let Some(v) = crate::model::inputs::version(&f.version) else {
            // A binding without a release number cannot be judged; a crate
            // that is not one of Wasmtime's is no concern of the audit's.
            if matches!(f.source, Source::Binding { .. }) {
                return Err(Error::in_file(
                    shown,
                    format!(
                        "component {} ({}) has version `{}`, which is not a release number",
                        crate::text::sanitize(f.reference.as_deref().unwrap_or("without bom-ref")),
                        f.name,
                        crate::text::sanitize(&f.version)
                    ),
                ));
            }
            continue;
        };
        if let Some(r) = &f.reference {
            by_ref.insert(r.clone(), format!("{} {v}", f.name));
        }
        if !seen.insert((f.name.clone(), v.clone(), f.source.clone())) {
            continue;
        }
        let line = f
            .reference
            .as_deref()
            .and_then(|r| lines.get(r).copied())
            .unwrap_or(1);
        packages.push(Package {
            name: f.name.clone(),
            version: v,
            source: f.source.clone(),
            dependencies: Vec::new(),
            line,
            reference: f.reference.clone(),
        });
    }
    for p in &mut packages {
        let Some(r) = p.reference.as_deref() else {
            continue;
        };
        if let Some(to) = deps.get(r) {
            p.dependencies = to.iter().filter_map(|t| by_ref.get(*t).cloned()).collect();
        }
    }
    Ok(Lockfile {
        path: shown.to_string(),
        kind,
        format: 0,
        packages,
    })
}
