//! Lockfiles of other languages that pin a Wasmtime binding: `uv.lock`,
//! `poetry.lock`, `pylock.toml`, pinned `requirements*.txt` (PyPI
//! `wasmtime`), `go.mod` (`wasmtime-go/vN`), `Gemfile.lock` (the `wasmtime`
//! gem) and `packages.lock.json` (NuGet `Wasmtime`). Each is read into a
//! [`Lockfile`] holding only the binding's packages, at their lines.

use crate::error::{Error, Result};
use crate::input::lockfile::{Lockfile, Package, Source};
use crate::model::inputs::{Binding, InputKind, go_module_major, version};
use semver::Version;
use serde::Deserialize;

/// The kind of lockfile a file name says it is; `None` for anything else
/// (read as a Cargo.lock).
pub fn kind_of(file_name: &str) -> Option<InputKind> {
    let name = file_name.to_ascii_lowercase();
    Some(match name.as_str() {
        "uv.lock" => InputKind::UvLock,
        "poetry.lock" => InputKind::PoetryLock,
        "pylock.toml" => InputKind::Pylock,
        "go.mod" => InputKind::GoMod,
        "gemfile.lock" | "gems.locked" => InputKind::GemfileLock,
        "packages.lock.json" => InputKind::NugetLock,
        _ if name.starts_with("pylock.") && name.ends_with(".toml") => InputKind::Pylock,
        _ if name.starts_with("requirements") && name.ends_with(".txt") => InputKind::Requirements,
        _ => return None,
    })
}

pub fn parse(kind: InputKind, text: &str, path: &str) -> Result<Lockfile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let packages = match kind {
        InputKind::UvLock | InputKind::PoetryLock => toml_packages(text, path, "package")?,
        InputKind::Pylock => toml_packages(text, path, "packages")?,
        InputKind::Requirements => requirements(text, path)?,
        InputKind::GoMod => go_mod(text, path)?,
        InputKind::GemfileLock => gemfile_lock(text, path)?,
        InputKind::NugetLock => nuget_lock(text, path)?,
        _ => unreachable!("not a binding's lockfile: {kind}"),
    };
    Ok(Lockfile {
        path: path.to_string(),
        kind,
        format: 0,
        packages,
    })
}

fn package(binding: Binding, version: Version, line: u32) -> Package {
    from(binding, version, line, None)
}

/// A binding's package from somewhere other than its registry (`origin`).
fn from(binding: Binding, version: Version, line: u32, origin: Option<String>) -> Package {
    Package {
        name: binding.project().to_string(),
        version,
        source: Source::Binding { binding, origin },
        dependencies: Vec::new(),
        line,
        reference: None,
    }
}

fn line_at(text: &str, offset: usize) -> u32 {
    let before = text.get(..offset).unwrap_or(text);
    u32::try_from(before.bytes().filter(|&b| b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

fn bad_version(path: &str, line: u32, what: &str, raw: &str) -> Error {
    Error::new(format!(
        "{path}:{line}: {what} has version `{}`, which is not a release number",
        crate::text::sanitize(raw)
    ))
}

fn toml_packages(text: &str, path: &str, key: &str) -> Result<Vec<Package>> {
    #[derive(Deserialize)]
    struct Entry {
        name: toml::Spanned<String>,
        version: Option<String>,
        /// uv: `{ registry = URL }`, or `{ git = URL }`, `{ path = ... }`,
        /// `{ editable = ... }`; Poetry: `{ type = "git", url = URL }`.
        source: Option<toml::Value>,
    }
    let doc: toml::Table = toml::from_str(text).map_err(|e| {
        Error::new(format!(
            "{path}: not a valid lockfile: {}",
            e.message().lines().next().unwrap_or_default()
        ))
    })?;
    let Some(entries) = doc.get(key) else {
        return Ok(Vec::new());
    };
    // Re-read with spans for the lines: the table above only checks the shape.
    #[derive(Deserialize)]
    struct Doc {
        #[serde(default, alias = "packages")]
        package: Vec<Entry>,
    }
    if !entries.is_array() {
        return Err(Error::new(format!(
            "{path}: `{key}` is not an array of tables"
        )));
    }
    let doc: Doc = toml::from_str(text).map_err(|e| {
        Error::new(format!(
            "{path}: {}",
            e.message().lines().next().unwrap_or_default()
        ))
    })?;
    let mut out = Vec::new();
    for e in doc.package {
        if Binding::from_purl("pypi", None, e.name.get_ref()) != Some(Binding::Python) {
            continue;
        }
        let line = line_at(text, e.name.span().start);
        let Some(raw) = e.version else {
            return Err(Error::new(format!(
                "{path}:{line}: wasmtime has no version (a source tree, not a release): it cannot be audited"
            )));
        };
        let v = version(&raw).ok_or_else(|| bad_version(path, line, "wasmtime", &raw))?;
        out.push(from(
            Binding::Python,
            v,
            line,
            toml_origin(e.source.as_ref()),
        ));
    }
    Ok(out)
}

/// Where a uv or Poetry package comes from, when it is not a package index.
fn toml_origin(source: Option<&toml::Value>) -> Option<String> {
    let t = source?.as_table()?;
    if let Some(kind) = t.get("type").and_then(|v| v.as_str()) {
        // Poetry: `legacy` is another index; `git`, `directory`, `file`, `url` are not.
        if kind == "legacy" {
            return None;
        }
        let url = t.get("url").and_then(|v| v.as_str()).unwrap_or_default();
        return Some(crate::text::sanitize(format!("{kind} {url}").trim()));
    }
    let (key, value) = t.iter().find(|(k, _)| {
        matches!(
            k.as_str(),
            "git" | "path" | "directory" | "editable" | "url" | "virtual"
        )
    })?;
    Some(crate::text::sanitize(&format!(
        "{key} {}",
        value.as_str().unwrap_or_default()
    )))
}

/// Pinned requirements (`wasmtime==36.0.0`, with extras, markers, hashes and
/// continuation lines); a `wasmtime` requirement that is not pinned cannot
/// be audited and says so.
fn requirements(text: &str, path: &str) -> Result<Vec<Package>> {
    let mut out = Vec::new();
    for (i, raw_line) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let spec = raw_line
            .split([' ', '\t'])
            .take_while(|w| !w.starts_with('#'))
            .collect::<Vec<_>>()
            .join(" ");
        let spec = spec.trim();
        if spec.starts_with('#') || spec.starts_with('-') || spec.is_empty() {
            continue;
        }
        let end = spec
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(spec.len());
        let (name, rest) = spec.split_at(end);
        if Binding::from_purl("pypi", None, name) != Some(Binding::Python) {
            continue;
        }
        let rest = rest.trim_start();
        let rest = match rest.strip_prefix('[') {
            Some(r) => r.split_once(']').map_or("", |(_, r)| r).trim_start(),
            None => rest,
        };
        let pinned = rest
            .strip_prefix("===")
            .or_else(|| rest.strip_prefix("=="))
            .map(|r| {
                r.trim_start()
                    .split([';', ' ', '\\', ','])
                    .next()
                    .unwrap_or_default()
                    .trim()
            });
        match pinned {
            Some(raw) if !raw.contains('*') => {
                let v = version(raw).ok_or_else(|| bad_version(path, line, "wasmtime", raw))?;
                out.push(package(Binding::Python, v, line));
            }
            _ => {
                return Err(Error::new(format!(
                    "{path}:{line}: wasmtime is not pinned to one version (`wasmtime==X.Y.Z`): lock it (`uv pip compile`, `pip-compile`) to audit it"
                )));
            }
        }
    }
    Ok(out)
}

/// `require` lines and blocks; `// indirect` counts like the rest; a
/// `replace` of the binding's module makes it a fork's (or a directory's).
fn go_mod(text: &str, path: &str) -> Result<Vec<Package>> {
    let mut replaced: Vec<(String, String)> = Vec::new();
    let mut in_replace = false;
    for raw_line in text.lines() {
        let code = raw_line.split("//").next().unwrap_or_default().trim();
        let spec = if in_replace {
            if code == ")" {
                in_replace = false;
                continue;
            }
            code
        } else if let Some(rest) = code.strip_prefix("replace") {
            if rest.trim() == "(" {
                in_replace = true;
                continue;
            }
            rest.trim()
        } else {
            continue;
        };
        if let Some((old, new)) = spec.split_once("=>") {
            let module = old
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            replaced.push((module, crate::text::sanitize(new.trim())));
        }
    }
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, raw_line) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let code = raw_line.split("//").next().unwrap_or_default().trim();
        let spec = if in_block {
            if code == ")" {
                in_block = false;
                continue;
            }
            code
        } else if let Some(rest) = code.strip_prefix("require") {
            let rest = rest.trim();
            if rest == "(" {
                in_block = true;
                continue;
            }
            rest
        } else {
            continue;
        };
        let mut words = spec.split_whitespace();
        let (Some(module), Some(raw)) = (words.next(), words.next()) else {
            continue;
        };
        let module = module.trim_matches('"');
        let Some(suffix) = go_module_major(module) else {
            continue;
        };
        let v = version(raw).ok_or_else(|| bad_version(path, line, module, raw))?;
        // Go's rule: a module of major 2 or more has the `/vN` suffix.
        let consistent = match suffix {
            Some(n) => u64::from(n) == v.major,
            None => v.major <= 1,
        };
        if !consistent {
            return Err(Error::new(format!(
                "{path}:{line}: {module} at {raw}: the version's major does not match the module path"
            )));
        }
        let origin = replaced
            .iter()
            .find(|(m, _)| m == module)
            .map(|(_, to)| format!("{to} (a `replace`)"));
        out.push(from(Binding::Go, v, line, origin));
    }
    Ok(out)
}

/// The `wasmtime (X.Y.Z)` or `wasmtime (X.Y.Z-platform)` entries under a
/// `specs:` list (four spaces in); the dependencies of specs (six) are
/// requirements, not resolutions.
fn gemfile_lock(text: &str, path: &str) -> Result<Vec<Package>> {
    let mut out = Vec::new();
    // The section (`GEM`, `GIT`, `PATH`) and its `remote:`.
    let (mut section, mut remote) = (String::new(), String::new());
    for (i, raw_line) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if !raw_line.starts_with(' ') && !raw_line.is_empty() {
            section = raw_line.trim().to_string();
            remote.clear();
        }
        if let Some(r) = raw_line.strip_prefix("  remote: ") {
            remote = r.trim().to_string();
        }
        let Some(entry) = raw_line.strip_prefix("    wasmtime (") else {
            continue;
        };
        if raw_line.starts_with("     ") {
            continue;
        }
        let Some(raw) = entry.strip_suffix(')') else {
            continue;
        };
        // `36.0.0-x86_64-linux`: the platform after the first hyphen.
        let number = raw.split('-').next().unwrap_or(raw);
        let v = version(number).ok_or_else(|| bad_version(path, line, "wasmtime", raw))?;
        let origin = (section != "GEM")
            .then(|| crate::text::sanitize(format!("{} {remote}", section.to_lowercase()).trim()));
        if !out.iter().any(|p: &Package| p.version == v) {
            out.push(from(Binding::Ruby, v, line, origin));
        }
    }
    Ok(out)
}

/// `dependencies.<framework>.Wasmtime.resolved`, once per version.
fn nuget_lock(text: &str, path: &str) -> Result<Vec<Package>> {
    let doc: serde_json::Value = crate::input::json::bounded(text, path)?;
    let Some(frameworks) = doc.get("dependencies").and_then(|d| d.as_object()) else {
        return Err(Error::new(format!(
            "{path}: not a NuGet lock file (no `dependencies` object)"
        )));
    };
    let mut out: Vec<Package> = Vec::new();
    for deps in frameworks.values().filter_map(|d| d.as_object()) {
        for (name, dep) in deps {
            if Binding::from_purl("nuget", None, name) != Some(Binding::Dotnet) {
                continue;
            }
            let Some(raw) = dep.get("resolved").and_then(|r| r.as_str()) else {
                continue;
            };
            let line = text
                .find(&format!("\"{name}\""))
                .map_or(1, |at| line_at(text, at));
            let v = version(raw).ok_or_else(|| bad_version(path, line, name, raw))?;
            if !out.iter().any(|p| p.version == v) {
                out.push(package(Binding::Dotnet, v, line));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(l: &Lockfile) -> Vec<(String, String, u32)> {
        l.packages
            .iter()
            .map(|p| (p.name.clone(), p.version.to_string(), p.line))
            .collect()
    }

    #[test]
    fn names_say_the_kind() {
        assert_eq!(kind_of("uv.lock"), Some(InputKind::UvLock));
        assert_eq!(
            kind_of("requirements-dev.txt"),
            Some(InputKind::Requirements)
        );
        assert_eq!(kind_of("pylock.prod.toml"), Some(InputKind::Pylock));
        assert_eq!(kind_of("Gemfile.lock"), Some(InputKind::GemfileLock));
        assert_eq!(kind_of("Cargo.lock"), None);
    }

    #[test]
    fn requirements_need_a_pin() {
        let text = "# deps\nnumpy==2.0\nWasmtime[extra] == 36.0.0 ; python_version >= '3.9' \\\n    --hash=sha256:abc\n";
        let l = parse(InputKind::Requirements, text, "requirements.txt").unwrap();
        assert_eq!(versions(&l), [("wasmtime-py".into(), "36.0.0".into(), 3)]);
        let e = parse(InputKind::Requirements, "wasmtime>=36\n", "r.txt").unwrap_err();
        assert!(
            e.to_string().starts_with("r.txt:1: wasmtime is not pinned"),
            "{e}"
        );
    }

    #[test]
    fn go_mod_blocks_and_lines() {
        let text = "module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/bytecodealliance/wasmtime-go/v36 v36.0.0 // indirect\n\tgolang.org/x/sys v0.1.0\n)\nrequire github.com/bytecodealliance/wasmtime-go v1.0.0\n";
        let l = parse(InputKind::GoMod, text, "go.mod").unwrap();
        assert_eq!(
            versions(&l),
            [
                ("wasmtime-go".into(), "36.0.0".into(), 6),
                ("wasmtime-go".into(), "1.0.0".into(), 9)
            ]
        );
        let bad = "require github.com/bytecodealliance/wasmtime-go/v36 v35.0.0\n";
        assert!(parse(InputKind::GoMod, bad, "go.mod").is_err());
    }

    #[test]
    fn gemfile_specs_not_requirements() {
        let text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rb_sys (0.9.100)\n    wasmtime (36.0.0-x86_64-linux)\n      rb_sys (~> 0.9)\n    other (1.0)\n      wasmtime (>= 30)\n";
        let l = parse(InputKind::GemfileLock, text, "Gemfile.lock").unwrap();
        assert_eq!(versions(&l), [("wasmtime-rb".into(), "36.0.0".into(), 5)]);
    }

    #[test]
    fn uv_and_pylock() {
        let uv = "version = 1\n\n[[package]]\nname = \"wasmtime\"\nversion = \"36.0.0\"\n";
        let l = parse(InputKind::UvLock, uv, "uv.lock").unwrap();
        assert_eq!(versions(&l), [("wasmtime-py".into(), "36.0.0".into(), 4)]);
        let py =
            "lock-version = \"1.0\"\n[[packages]]\nname = \"wasmtime\"\nversion = \"48.0.0\"\n";
        let l = parse(InputKind::Pylock, py, "pylock.toml").unwrap();
        assert_eq!(versions(&l), [("wasmtime-py".into(), "48.0.0".into(), 3)]);
        assert!(parse(InputKind::UvLock, "[[package]\n", "uv.lock").is_err());
    }

    #[test]
    fn bindings_from_elsewhere_say_where() {
        let origin = |l: &Lockfile| match &l.packages[0].source {
            Source::Binding { origin, .. } => origin.clone(),
            other => panic!("{other:?}"),
        };
        let uv = "[[package]]\nname = \"wasmtime\"\nversion = \"36.0.0\"\nsource = { git = \"https://example.com/fork?rev=1\" }\n";
        let l = parse(InputKind::UvLock, uv, "uv.lock").unwrap();
        assert_eq!(
            origin(&l).as_deref(),
            Some("git https://example.com/fork?rev=1")
        );
        let registry = uv.replace(
            "git = \"https://example.com/fork?rev=1\"",
            "registry = \"https://pypi.org/simple\"",
        );
        assert_eq!(
            origin(&parse(InputKind::UvLock, &registry, "uv.lock").unwrap()),
            None
        );
        let go = "require github.com/bytecodealliance/wasmtime-go/v36 v36.0.0\nreplace (\n\tgithub.com/bytecodealliance/wasmtime-go/v36 => ../fork\n)\n";
        let l = parse(InputKind::GoMod, go, "go.mod").unwrap();
        assert_eq!(origin(&l).as_deref(), Some("../fork (a `replace`)"));
        let gems = "GIT\n  remote: https://example.com/wasmtime-rb\n  specs:\n    wasmtime (36.0.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    rb_sys (0.9.1)\n";
        let l = parse(InputKind::GemfileLock, gems, "Gemfile.lock").unwrap();
        assert_eq!(
            origin(&l).as_deref(),
            Some("git https://example.com/wasmtime-rb")
        );
    }

    #[test]
    fn versions_pad_and_keep_prereleases() {
        assert_eq!(version("36.0"), Some(Version::new(36, 0, 0)));
        assert_eq!(version("v36.0.1"), Some(Version::new(36, 0, 1)));
        assert_eq!(version("36.0.0rc1").unwrap().pre.as_str(), "rc1");
        assert_eq!(version("36.x"), None);
        assert_eq!(version("1.2.3.4"), None);
    }
}
