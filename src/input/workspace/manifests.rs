//! The workspace read from its manifests alone, the way cargo finds it: the
//! nearest `Cargo.toml`, its root (`package.workspace` or the enclosing
//! `[workspace]` that does not exclude it), the members (`members` globs,
//! path dependencies inside the root, minus `exclude`), and of each member
//! only the keys the audit needs. Costs a few milliseconds where `cargo
//! metadata` costs tens.
//!
//! It declines (with the reason) whatever it does not fully understand, and
//! wherever cargo would refuse the workspace: the caller then asks cargo,
//! so its answers never depend on this reader. A differential test holds it
//! to `cargo metadata` on real workspaces.

use super::Workspace;
use super::{DepKind, Member, Members};
use crate::input::config;
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use toml::{Table, Value};

/// The keys of a manifest this reader looks at; the rest (features, lints,
/// targets...) is parsed but never built into tables, a third of the cost.
/// Keys that change the meaning of the rest make the reader decline.
#[derive(Deserialize)]
struct Needed {
    package: Option<Value>,
    workspace: Option<Value>,
    dependencies: Option<Value>,
    #[serde(rename = "dev-dependencies")]
    dev_dependencies: Option<Value>,
    #[serde(rename = "build-dependencies")]
    build_dependencies: Option<Value>,
    target: Option<Value>,
    #[serde(rename = "cargo-features")]
    cargo_features: Option<IgnoredAny>,
    /// The old name of `[package]`.
    project: Option<IgnoredAny>,
    #[serde(rename = "dev_dependencies")]
    old_dev_dependencies: Option<IgnoredAny>,
    #[serde(rename = "build_dependencies")]
    old_build_dependencies: Option<IgnoredAny>,
}

impl Needed {
    fn into_table(self, path: &Path) -> Read<Table> {
        for (present, key) in [
            (self.cargo_features.is_some(), "cargo-features"),
            (self.project.is_some(), "[project]"),
            (self.old_dev_dependencies.is_some(), "dev_dependencies"),
            (self.old_build_dependencies.is_some(), "build_dependencies"),
        ] {
            if present {
                return Err(format!("{} uses {key}", path.display()));
            }
        }
        let mut table = Table::new();
        for (key, value) in [
            ("package", self.package),
            ("workspace", self.workspace),
            ("dependencies", self.dependencies),
            ("dev-dependencies", self.dev_dependencies),
            ("build-dependencies", self.build_dependencies),
            ("target", self.target),
        ] {
            if let Some(v) = value {
                table.insert(key.to_string(), v);
            }
        }
        Ok(table)
    }
}

/// Why the manifests alone did not settle the workspace.
pub type Declined = String;

type Read<T> = std::result::Result<T, Declined>;

const DEP_TABLES: [(&str, DepKind); 3] = [
    ("dependencies", DepKind::Normal),
    ("build-dependencies", DepKind::Build),
    ("dev-dependencies", DepKind::Dev),
];

/// The older spellings cargo still accepts with a warning (or refuses, in edition 2024).
const UNDERSCORED: [&str; 2] = ["build_dependencies", "dev_dependencies"];

/// Reads the workspace that `cargo metadata` would report when run in `cwd`
/// with `manifest_path`. `cargo_home` bounds the search for the root as in cargo.
pub fn read(
    cwd: &Path,
    manifest_path: Option<&Path>,
    cargo_home: Option<&Path>,
) -> Read<Workspace> {
    read_traced(cwd, manifest_path, cargo_home).map(|(ws, _)| ws)
}

/// The manifest the search starts from: `manifest_path`, or the nearest
/// `Cargo.toml` at or above `cwd`.
pub fn start(cwd: &Path, manifest_path: Option<&Path>) -> Read<PathBuf> {
    Ok(match manifest_path {
        Some(p) => {
            if p.file_name().is_none_or(|n| n != "Cargo.toml") {
                return Err("the manifest path does not name a Cargo.toml".into());
            }
            normalize(&cwd.join(p))
        }
        None => cwd
            .ancestors()
            .map(|d| d.join("Cargo.toml"))
            .find(|m| m.is_file())
            .ok_or("no Cargo.toml in the current directory or above")?,
    })
}

/// `read`, with what it looked at.
pub fn read_traced(
    cwd: &Path,
    manifest_path: Option<&Path>,
    cargo_home: Option<&Path>,
) -> Read<(Workspace, Trace)> {
    let start = start(cwd, manifest_path)?;
    let mut reader = Reader {
        manifests: HashMap::new(),
        cargo_home: cargo_home.map(normalize),
        globs: Vec::new(),
    };
    let ws = reader.workspace(&start)?;
    let mut files: Vec<PathBuf> = reader.manifests.keys().map(PathBuf::from).collect();
    files.sort();
    Ok((
        ws,
        Trace {
            start,
            files,
            globs: reader.globs,
        },
    ))
}

struct Reader {
    /// Parsed manifests by normalized path (`None`: no file there).
    manifests: HashMap<OsString, Option<Table>>,
    cargo_home: Option<PathBuf>,
    /// Every `members` glob expanded: (root directory, pattern, result).
    globs: Vec<(PathBuf, String, Vec<PathBuf>)>,
}

/// What a read looked at: enough to tell later whether it would still give
/// the same answer (see `memo`).
#[derive(Debug, Clone)]
pub struct Trace {
    pub start: PathBuf,
    /// Every manifest path read or probed (absent ones included).
    pub files: Vec<PathBuf>,
    pub globs: Vec<(PathBuf, String, Vec<PathBuf>)>,
}

/// What a manifest says about its workspace.
enum Role {
    /// It has a `[workspace]` table.
    Root,
    /// `package.workspace` points at the root's manifest.
    Pointer(PathBuf),
    /// Neither: the root is found by walking up.
    Search,
}

/// A `[workspace]` table's member rules.
struct Rules {
    dir: PathBuf,
    members: Vec<String>,
    exclude: Vec<String>,
}

impl Rules {
    /// As cargo's `is_excluded`: under an `exclude` entry and not under a `members` entry
    /// (both compared as path prefixes, globs included verbatim).
    fn excludes(&self, manifest: &Path) -> bool {
        let under = |list: &[String]| list.iter().any(|e| manifest.starts_with(self.dir.join(e)));
        under(&self.exclude) && !under(&self.members)
    }
}

impl Reader {
    fn load(&mut self, path: &Path) -> Read<Option<&Table>> {
        if !self.manifests.contains_key(path.as_os_str()) {
            let parsed = match std::fs::read_to_string(path) {
                Ok(text) => Some(
                    toml::from_str::<Needed>(&text)
                        .map_err(|e| format!("{} is not valid TOML: {e}", path.display()))?
                        .into_table(path)?,
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            };
            self.manifests.insert(path.as_os_str().to_owned(), parsed);
        }
        Ok(self
            .manifests
            .get(path.as_os_str())
            .and_then(Option::as_ref))
    }

    fn manifest(&mut self, path: &Path) -> Read<&Table> {
        self.load(path)?
            .ok_or_else(|| format!("{} does not exist", path.display()))
    }

    fn role(&mut self, path: &Path) -> Read<Role> {
        let m = self.manifest(path)?;
        let pointer = match m.get("package").map(|p| p.get("workspace")) {
            Some(Some(Value::String(s))) => Some(s.clone()),
            Some(Some(_)) => {
                return Err(format!(
                    "{}: package.workspace is not a string",
                    path.display()
                ));
            }
            _ => None,
        };
        Ok(match (m.get("workspace"), pointer) {
            (Some(Value::Table(_)), None) => Role::Root,
            (None, Some(p)) => Role::Pointer(normalize(&dir_of(path).join(p).join("Cargo.toml"))),
            (None, None) => Role::Search,
            _ => {
                return Err(format!(
                    "{}: unusual [workspace] / package.workspace",
                    path.display()
                ));
            }
        })
    }

    fn rules(&mut self, root: &Path) -> Read<Rules> {
        let ws = self
            .manifest(root)?
            .get("workspace")
            .and_then(Value::as_table);
        let list = |key: &str| -> Read<Vec<String>> {
            match ws.and_then(|w| w.get(key)) {
                None => Ok(Vec::new()),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        format!("{}: workspace.{key} holds a non-string", root.display())
                    }),
                Some(_) => Err(format!(
                    "{}: workspace.{key} is not an array",
                    root.display()
                )),
            }
        };
        Ok(Rules {
            dir: dir_of(root).to_path_buf(),
            members: list("members")?,
            exclude: list("exclude")?,
        })
    }

    /// Cargo's `find_root`: the root manifest of the workspace `manifest` belongs to.
    fn find_root(&mut self, manifest: &Path) -> Read<PathBuf> {
        match self.role(manifest)? {
            Role::Root => return Ok(manifest.to_path_buf()),
            Role::Pointer(root) => return Ok(root),
            Role::Search => {}
        }
        if let Some(home) = self.cargo_home.as_deref()
            && manifest.starts_with(home)
        {
            return Err(format!("{} is inside CARGO_HOME", manifest.display()));
        }
        for dir in dir_of(manifest).ancestors().skip(1) {
            // Cheaper than `Path::ends_with`, which compares component by component.
            if dir.file_name().is_some_and(|n| n == "package")
                && dir
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|n| n == "target")
            {
                return Err(format!("{} is inside target/package", manifest.display()));
            }
            let candidate = dir.join("Cargo.toml");
            if self.load(&candidate)?.is_none() {
                continue;
            }
            match self.role(&candidate)? {
                Role::Root => {
                    if !self.rules(&candidate)?.excludes(manifest) {
                        return Ok(candidate);
                    }
                }
                Role::Pointer(root) => return Ok(root),
                Role::Search => {}
            }
        }
        Ok(manifest.to_path_buf())
    }

    fn workspace(&mut self, start: &Path) -> Read<Workspace> {
        let root = self.find_root(start)?;
        let root_dir = dir_of(&root).to_path_buf();
        let is_root = matches!(self.role(&root)?, Role::Root);
        let inherited = self.inherited(&root, is_root)?;
        let mut members = Collected::default();
        if is_root {
            let found = Found {
                root: &root,
                rules: self.rules(&root)?,
                inherited: &inherited,
            };
            for pattern in &found.rules.members {
                let dirs = expand(&root_dir, pattern)?;
                self.globs
                    .push((root_dir.clone(), pattern.clone(), dirs.clone()));
                for dir in dirs {
                    self.add_member(&dir.join("Cargo.toml"), false, &found, &mut members)?;
                }
            }
            self.add_member(&root, false, &found, &mut members)?;
        } else if start == root {
            members.list.push(root.clone());
        } else {
            return Err(format!(
                "{} points at {}, which has no [workspace]",
                start.display(),
                root.display()
            ));
        }
        if !members.seen.contains(start.as_os_str()) && start != root {
            return Err(format!(
                "{} is not a member of the workspace at {}",
                start.display(),
                root.display()
            ));
        }
        let mut list = Vec::with_capacity(members.list.len());
        let mut rust_version: Option<semver::Version> = None;
        let mut manifests = vec![root.clone()];
        for m in &members.list {
            if *m != root {
                if self.find_root(m)? != root {
                    return Err(format!("{} belongs to another workspace", m.display()));
                }
                manifests.push(m.clone());
            }
            let table = self.manifest(m)?;
            let Some(package) = table.get("package").and_then(Value::as_table) else {
                if *m == root {
                    continue;
                }
                return Err(format!("{} has no [package]", m.display()));
            };
            let name = package.get("name").and_then(Value::as_str).ok_or_else(|| {
                format!("{}: package.name is missing or not a string", m.display())
            })?;
            if list.iter().any(|x: &Member| x.name == name) {
                return Err(format!("two members are named {name}"));
            }
            check_inherited_keys(package, &inherited, m)?;
            if let Some(v) = package_rust_version(package, &inherited, m)? {
                rust_version = Some(rust_version.map_or(v.clone(), |r| r.min(v)));
            }
            let deps = match members.deps.remove(m.as_os_str()) {
                Some(deps) => deps,
                None => dependencies(table, &inherited, m)?,
            };
            let deps = deps.into_iter().map(|d| (d.package, d.kind)).collect();
            list.push(Member {
                name: name.to_string(),
                deps,
            });
        }
        let config = self.config(&root)?;
        Ok(Workspace {
            lockfile: root_dir.join("Cargo.lock"),
            root: root_dir,
            manifests,
            members: Members {
                list,
                complete: true,
            },
            rust_version,
            config,
            declined: None,
        })
    }

    /// Cargo's `find_path_deps`: the manifest, then its path dependencies, as members.
    fn add_member(
        &mut self,
        manifest: &Path,
        is_path_dep: bool,
        found: &Found,
        members: &mut Collected,
    ) -> Read<()> {
        let manifest = normalize(manifest);
        if members.seen.contains(manifest.as_os_str()) {
            return Ok(());
        }
        if is_path_dep
            && !dir_of(&manifest).starts_with(&found.rules.dir)
            && self.find_root(&manifest)? != found.root
        {
            return Ok(());
        }
        if found.rules.excludes(&manifest) {
            return Ok(());
        }
        members.seen.insert(manifest.as_os_str().to_owned());
        members.list.push(manifest.clone());
        let table = self.manifest(&manifest)?;
        if !table.contains_key("package") {
            return Ok(());
        }
        let deps = dependencies(table, found.inherited, &manifest)?;
        let paths: Vec<PathBuf> = deps.iter().filter_map(|d| d.path.clone()).collect();
        members.deps.insert(manifest.into_os_string(), deps);
        for dir in paths {
            self.add_member(&dir.join("Cargo.toml"), true, found, members)?;
        }
        Ok(())
    }

    /// What members may inherit from the root: `[workspace.package]` and
    /// `[workspace.dependencies]` (with paths resolved against the root).
    fn inherited(&mut self, root: &Path, is_root: bool) -> Read<Inherited> {
        if !is_root {
            return Ok(Inherited::default());
        }
        let ws = self
            .manifest(root)?
            .get("workspace")
            .and_then(Value::as_table);
        let package = match ws.and_then(|w| w.get("package")) {
            None => Table::new(),
            Some(Value::Table(t)) => t.clone(),
            Some(_) => {
                return Err(format!(
                    "{}: workspace.package is not a table",
                    root.display()
                ));
            }
        };
        let mut dependencies = HashMap::new();
        match ws.and_then(|w| w.get("dependencies")) {
            None => {}
            Some(Value::Table(t)) => {
                for (key, spec) in t {
                    if spec.get("workspace").is_some() {
                        return Err(format!(
                            "{}: workspace.dependencies.{key} inherits",
                            root.display()
                        ));
                    }
                    let (package, path) = dep_spec(key, spec, dir_of(root), root)?;
                    dependencies.insert(key.clone(), (package, path));
                }
            }
            Some(_) => {
                return Err(format!(
                    "{}: workspace.dependencies is not a table",
                    root.display()
                ));
            }
        }
        Ok(Inherited {
            package,
            dependencies,
        })
    }

    /// The tool's table: `[workspace.metadata.…]`, else the root package's
    /// `[package.metadata.…]`, as `cargo metadata` hands them over.
    fn config(&mut self, root: &Path) -> Read<Option<(serde_json::Value, String)>> {
        let table = self.manifest(root)?;
        let manifest = root.display().to_string();
        let in_workspace = table
            .get("workspace")
            .and_then(|w| w.get("metadata"))
            .and_then(|m| m.get(config::TABLE))
            .map(|v| {
                (
                    v,
                    format!("{manifest} [workspace.metadata.{}]", config::TABLE),
                )
            });
        let in_package = || {
            table
                .get("package")
                .and_then(|p| p.get("metadata"))
                .and_then(|m| m.get(config::TABLE))
                .map(|v| {
                    (
                        v,
                        format!("{manifest} [package.metadata.{}]", config::TABLE),
                    )
                })
        };
        in_workspace
            .or_else(in_package)
            .map(|(v, origin)| {
                serde_json::to_value(v)
                    .map(|json| (json, origin))
                    .map_err(|e| format!("{manifest}: the {} table: {e}", config::TABLE))
            })
            .transpose()
    }
}

/// The members found so far, in cargo's order, with their dependencies.
#[derive(Default)]
struct Collected {
    list: Vec<PathBuf>,
    seen: HashSet<OsString>,
    deps: HashMap<OsString, Vec<Dependency>>,
}

/// The root being filled with members.
struct Found<'a> {
    root: &'a Path,
    rules: Rules,
    inherited: &'a Inherited,
}

#[derive(Default)]
struct Inherited {
    package: Table,
    /// Key to (package name, path).
    dependencies: HashMap<String, (String, Option<PathBuf>)>,
}

struct Dependency {
    package: String,
    kind: DepKind,
    path: Option<PathBuf>,
}

/// Every dependency of a manifest, in all its tables (targets included), with
/// inheritance from the workspace resolved.
fn dependencies(manifest: &Table, inherited: &Inherited, path: &Path) -> Read<Vec<Dependency>> {
    let dir = dir_of(path);
    let mut tables: Vec<&Table> = vec![manifest];
    match manifest.get("target") {
        None => {}
        Some(Value::Table(targets)) => {
            for (cfg, t) in targets {
                tables.push(
                    t.as_table().ok_or_else(|| {
                        format!("{}: target.{cfg} is not a table", path.display())
                    })?,
                );
            }
        }
        Some(_) => return Err(format!("{}: target is not a table", path.display())),
    }
    let mut out = Vec::new();
    for table in tables {
        if let Some(key) = UNDERSCORED.iter().find(|k| table.contains_key(**k)) {
            return Err(format!("{}: the old spelling {key}", path.display()));
        }
        for (key, kind) in DEP_TABLES {
            let deps = match table.get(key) {
                None => continue,
                Some(Value::Table(t)) => t,
                Some(_) => return Err(format!("{}: {key} is not a table", path.display())),
            };
            for (name, spec) in deps {
                let (package, dep_path) = match spec.get("workspace") {
                    None => dep_spec(name, spec, dir, path)?,
                    Some(Value::Boolean(true)) => {
                        if spec.get("package").is_some() || spec.get("path").is_some() {
                            return Err(format!(
                                "{}: {name} inherits and sets package or path",
                                path.display()
                            ));
                        }
                        inherited.dependencies.get(name).cloned().ok_or_else(|| {
                            format!(
                                "{}: {name} inherits a dependency the workspace lacks",
                                path.display()
                            )
                        })?
                    }
                    Some(_) => {
                        return Err(format!(
                            "{}: {name} has an unusual `workspace` key",
                            path.display()
                        ));
                    }
                };
                out.push(Dependency {
                    package,
                    kind,
                    path: dep_path,
                });
            }
        }
    }
    Ok(out)
}

/// A dependency's package name (after a rename) and path directory.
fn dep_spec(
    key: &str,
    spec: &Value,
    dir: &Path,
    manifest: &Path,
) -> Read<(String, Option<PathBuf>)> {
    let bad = |what: &str| format!("{}: dependency {key} has {what}", manifest.display());
    match spec {
        Value::String(_) => Ok((key.to_string(), None)),
        Value::Table(t) => {
            let package = match t.get("package") {
                None => key.to_string(),
                Some(Value::String(p)) => p.clone(),
                Some(_) => return Err(bad("a non-string package")),
            };
            let path = match t.get("path") {
                None => None,
                Some(Value::String(p)) => Some(normalize(&dir.join(p))),
                Some(_) => return Err(bad("a non-string path")),
            };
            Ok((package, path))
        }
        _ => Err(bad("an unusual specification")),
    }
}

/// `[package]` keys set to `{ workspace = true }` must exist in `[workspace.package]`.
fn check_inherited_keys(package: &Table, inherited: &Inherited, path: &Path) -> Read<()> {
    for (key, value) in package {
        if let Some(w) = value.get("workspace") {
            if key == "metadata" {
                continue;
            }
            if w.as_bool() != Some(true) || !inherited.package.contains_key(key) {
                return Err(format!(
                    "{}: package.{key} inherits what the workspace lacks",
                    path.display()
                ));
            }
        }
    }
    Ok(())
}

fn package_rust_version(
    package: &Table,
    inherited: &Inherited,
    path: &Path,
) -> Read<Option<semver::Version>> {
    let value = match package.get("rust-version") {
        None => return Ok(None),
        Some(v) if v.get("workspace").is_some() => inherited.package.get("rust-version"),
        Some(v) => Some(v),
    };
    let Some(value) = value else {
        return Ok(None);
    };
    value
        .as_str()
        .and_then(crate::model::data::rust_version)
        .filter(|v| v.pre.is_empty() && v.build.is_empty())
        .map(Some)
        .ok_or_else(|| format!("{}: an unusual rust-version {value:?}", path.display()))
}

/// Cargo's expansion of a `members` entry: glob matches that are directories,
/// or the path itself when nothing matches (cargo then requires its manifest).
pub fn expand(root_dir: &Path, pattern: &str) -> Read<Vec<PathBuf>> {
    let full = root_dir.join(pattern);
    let text = full
        .to_str()
        .ok_or_else(|| format!("workspace member {pattern:?} is not UTF-8"))?;
    let matches = glob::glob(text)
        .map_err(|e| format!("workspace member {pattern:?} is not a valid glob: {e}"))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| format!("workspace member {pattern:?}: {e}"))?;
    if matches.is_empty() {
        return Ok(vec![full]);
    }
    Ok(matches.into_iter().filter(|p| p.is_dir()).collect())
}

fn dir_of(manifest: &Path) -> &Path {
    manifest.parent().unwrap_or(Path::new(""))
}

/// Cargo's `normalize_path`: `.` and `..` removed lexically, symlinks kept.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}
