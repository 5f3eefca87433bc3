//! `upgrade`: moves every direct dependency on a family crate to the target
//! train in one step, in the crate's own numbering and the requirement's own
//! style (`"27"` -> `"48"`, `"=27.0.0"` -> `"=48.0.8"`, `"0.114"` -> `"0.135"`).
//! Pure: manifest texts in, new texts and a report out.
//!
//! Edits are spliced into the original bytes at the spans the TOML parser
//! reports, so only the text inside a version string changes: line endings, a
//! byte-order mark, quote style, comments and alignment stay as they were.

use crate::check::recommend;
use crate::check::resolve::{self, Blocked, Limits};
use crate::error::{Error, Result};
use crate::model::advice::Advice;
use crate::model::data::Data;
use crate::model::policy;
use chrono::NaiveDate;
use semver::Version;
use serde::Serialize;
use std::ops::Range;
use toml_edit::{Item, TableLike};

const BOM: &str = "\u{feff}";

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
    pub reason: UntouchedReason,
    pub detail: String,
}

/// Why a dependency was left as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UntouchedReason {
    /// A path dependency.
    Path,
    /// A git dependency.
    Git,
    /// It follows `[workspace.dependencies]`, which is edited instead.
    Inherited,
    /// The crate was replaced by a successor in the target's family.
    Replaced,
    /// The crate is not part of the target's family.
    Removed,
    /// The release data cannot place it in the target.
    Unknown,
    /// The requirement is not one this tool rewrites safely.
    Complex,
    /// Already at the target.
    Current,
    /// A `[patch]` entry for a family crate.
    Patch,
    /// A `[replace]` entry for a family crate.
    Replace,
}

/// Plans the move of every manifest to the chosen release: each crate to
/// the version cargo resolves for it (`choice.versions`), else to its
/// version of the same release.
pub fn plan(manifests: &[Manifest], data: &Data, choice: &Choice) -> Result<Plan> {
    let (target, patch) = (choice.target, choice.version.patch);
    let horizon = data.family.known().map(|c| c.last).max().unwrap_or(0);
    let mut out = Vec::with_capacity(manifests.len());
    for m in manifests {
        let body = m.text.strip_prefix(BOM).unwrap_or(&m.text);
        let doc = toml_edit::Document::parse(body)
            .map_err(|e| Error::in_file(&m.path, format!("not valid TOML: {}", e.message())))?;
        let mut planner = Planner {
            data,
            target,
            patch,
            versions: &choice.versions,
            horizon,
            text: body,
            splices: Vec::new(),
            edits: Vec::new(),
            untouched: Vec::new(),
        };
        for path in table_paths(doc.as_item()) {
            let Some(table) = table_at(doc.as_item(), &path) else {
                continue;
            };
            let label = path.join(".");
            for (key, item) in table.iter() {
                planner.dependency(&label, key, item);
            }
        }
        planner.patches(doc.as_item());
        let new_body = splice(body, &planner.splices);
        let bom = if body.len() < m.text.len() { BOM } else { "" };
        out.push(ManifestPlan {
            path: m.path.clone(),
            old_text: m.text.clone(),
            new_text: format!("{bom}{new_body}"),
            edits: planner.edits,
            untouched: planner.untouched,
        });
    }
    Ok(Plan {
        target,
        target_version: Version::new(u64::from(target), 0, patch),
        manifests: out,
    })
}

/// Every dependency table of a manifest, as key paths.
fn table_paths(doc: &Item) -> Vec<Vec<String>> {
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

fn table_at<'a>(doc: &'a Item, path: &[String]) -> Option<&'a dyn TableLike> {
    let mut item = doc;
    for key in path {
        item = item.as_table_like()?.get(key)?;
    }
    item.as_table_like()
}

fn splice(text: &str, splices: &[(Range<usize>, String)]) -> String {
    let mut sorted: Vec<&(Range<usize>, String)> = splices.iter().collect();
    sorted.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (range, new) in sorted {
        out.push_str(&text[at..range.start]);
        out.push_str(new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

struct Planner<'a> {
    data: &'a Data,
    target: u32,
    patch: u64,
    /// The version cargo resolves for each crate.
    versions: &'a [(String, Version)],
    /// The newest major the crate list covers: a crate whose last release is
    /// older than this was really discontinued; past it nothing is known.
    horizon: u32,
    text: &'a str,
    splices: Vec<(Range<usize>, String)>,
    edits: Vec<Edit>,
    untouched: Vec<Untouched>,
}

impl Planner<'_> {
    fn leave(
        &mut self,
        table: &str,
        key: &str,
        crate_name: &str,
        reason: UntouchedReason,
        detail: String,
    ) {
        self.untouched.push(Untouched {
            table: table.to_string(),
            key: key.to_string(),
            crate_name: crate_name.to_string(),
            reason,
            detail,
        });
    }

    fn dependency(&mut self, table: &str, key: &str, item: &Item) {
        let spec = item.as_table_like();
        let field = |k: &str| spec.and_then(|t| t.get(k)).and_then(Item::as_str);
        let crate_name = field("package").unwrap_or(key).to_string();
        if !self.data.family.is_member(&crate_name) {
            return;
        }
        let leave = |p: &mut Self, reason, detail| p.leave(table, key, &crate_name, reason, detail);
        if spec
            .and_then(|t| t.get("workspace"))
            .and_then(Item::as_bool)
            == Some(true)
        {
            return leave(
                self,
                UntouchedReason::Inherited,
                "follows [workspace.dependencies]".into(),
            );
        }
        if let Some(path) = field("path") {
            return leave(
                self,
                UntouchedReason::Path,
                format!("path dependency {path}: left alone"),
            );
        }
        if let Some(git) = field("git") {
            return leave(
                self,
                UntouchedReason::Git,
                format!("git dependency {git}: left alone"),
            );
        }
        let target = self.target;
        let Some(known) = self.data.family.get(&crate_name) else {
            return leave(
                self,
                UntouchedReason::Unknown,
                "not in the release data: check it by hand".into(),
            );
        };
        if known.last < self.horizon && target > known.last {
            let detail = match &known.successor {
                Some(s) => format!(
                    "last released with Wasmtime {}; replaced by `{s}`: switch to it by hand",
                    known.last
                ),
                None => format!("last released with Wasmtime {}; no successor", known.last),
            };
            let reason = if known.successor.is_some() {
                UntouchedReason::Replaced
            } else {
                UntouchedReason::Removed
            };
            return leave(self, reason, detail);
        }
        if target < known.first {
            return leave(
                self,
                UntouchedReason::Removed,
                format!("first released with Wasmtime {}", known.first),
            );
        }
        let resolved = self
            .versions
            .iter()
            .find(|(n, _)| *n == crate_name)
            .map(|(_, v)| v.clone());
        // A crate the lockfile does not hold yet: its newest release up to
        // the chosen one that is published, never a version that is not.
        let published = || {
            self.data
                .published
                .major(target)
                .versions(&crate_name)
                .iter()
                .filter(|v| !v.yanked && v.version.pre.is_empty())
                .filter(|v| v.version.patch <= self.patch)
                .map(|v| v.version.clone())
                .max()
        };
        let Some(new_version) = resolved.or_else(published).or_else(|| {
            self.data
                .family
                .version_for(&crate_name, target, self.patch)
        }) else {
            return leave(
                self,
                UntouchedReason::Unknown,
                format!("no single version of {crate_name} belongs to Wasmtime {target}"),
            );
        };
        let value = match spec {
            Some(t) => t.get("version").and_then(Item::as_value),
            None => item.as_value(),
        };
        let Some(value) = value else {
            return leave(
                self,
                UntouchedReason::Complex,
                "no version requirement".into(),
            );
        };
        let Some(old) = value.as_str().map(str::to_string) else {
            return leave(
                self,
                UntouchedReason::Complex,
                "the version is not a string".into(),
            );
        };
        let Some(new) = rewrite_requirement(&old, &new_version) else {
            return leave(
                self,
                UntouchedReason::Complex,
                format!("requirement {old:?}: edit it by hand"),
            );
        };
        if new == old {
            return leave(self, UntouchedReason::Current, format!("already {old}"));
        }
        let respelled = value
            .span()
            .and_then(|span| Some((span.clone(), respell(self.text.get(span)?, &old, &new)?)));
        let Some((span, literal)) = respelled else {
            return leave(
                self,
                UntouchedReason::Complex,
                format!("requirement {old:?} is written with escapes: edit it by hand"),
            );
        };
        self.splices.push((span, literal));
        self.edits.push(Edit {
            table: table.to_string(),
            key: key.to_string(),
            crate_name,
            from: old,
            to: new,
        });
    }

    /// `[patch.<source>]` and `[replace]` entries for family crates: never
    /// rewritten (they name a fork or a local copy), always listed, since after
    /// the move they stop applying unless their version is on the target train.
    fn patches(&mut self, doc: &Item) {
        let target = self.target;
        if let Some(sources) = doc.get("patch").and_then(Item::as_table_like) {
            for (source, table) in sources.iter() {
                let Some(table) = table.as_table_like() else {
                    continue;
                };
                let label = format!("patch.{source}");
                for (key, item) in table.iter() {
                    let name = item
                        .as_table_like()
                        .and_then(|t| t.get("package"))
                        .and_then(Item::as_str)
                        .unwrap_or(key)
                        .to_string();
                    if self.data.family.is_member(&name) {
                        self.leave(
                            &label,
                            key,
                            &name,
                            UntouchedReason::Patch,
                            format!(
                                "[{label}] entry: not changed; it applies after the move only if it provides a Wasmtime {target} version: update or remove it by hand"
                            ),
                        );
                    }
                }
            }
        }
        if let Some(table) = doc.get("replace").and_then(Item::as_table_like) {
            for (key, _) in table.iter() {
                let name = key.split(':').next().unwrap_or(key).to_string();
                if self.data.family.is_member(&name) {
                    self.leave(
                        "replace",
                        key,
                        &name,
                        UntouchedReason::Replace,
                        format!(
                            "[replace] entry: not changed; it names one exact version and stops applying after the move to Wasmtime {target}: update or remove it by hand"
                        ),
                    );
                }
            }
        }
    }
}

/// The string literal `raw` (as written, quotes included) with its content
/// `old` replaced by `new`, in the same quote style; `None` when the literal's
/// text is not exactly its value (escapes, multi-line strings).
fn respell(raw: &str, old: &str, new: &str) -> Option<String> {
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        let inner = raw
            .strip_prefix(quote)
            .and_then(|r| r.strip_suffix(quote))
            .filter(|_| raw.len() >= 2 * quote.len());
        if let Some(inner) = inner {
            return (inner == old).then(|| format!("{quote}{new}{quote}"));
        }
    }
    None
}

/// `"27"` -> `"48"`, `"27.0.1"` -> `"48.0.8"`, `"=27.0.0"` -> `"=48.0.8"`,
/// `"^0.114"` -> `"^0.135"`: the same operator and number of components, and
/// the same surrounding spaces.
/// Anything with several comparators, wildcards or ranges is left to a person.
pub fn rewrite_requirement(old: &str, new: &Version) -> Option<String> {
    let trimmed = old.trim();
    let lead = &old[..old.len() - old.trim_start().len()];
    let trail = &old[old.trim_end().len()..];
    let op_len = trimmed.len() - trimmed.trim_start_matches(['=', '^', '~', '>', '<']).len();
    let (op, rest) = trimmed.split_at(op_len);
    if !matches!(op, "" | "=" | "^" | "~" | ">=") {
        return None;
    }
    let gap = &rest[..rest.len() - rest.trim_start().len()];
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
    if !plain || rest.contains('+') {
        return None;
    }
    let all = [new.major, new.minor, new.patch];
    // A pre-release requirement names a whole version; move it to a release.
    let count = if pre.is_some() { 3 } else { parts.len() };
    let numbers: Vec<String> = all[..count].iter().map(|n| n.to_string()).collect();
    Some(format!("{lead}{op}{gap}{}{trail}", numbers.join(".")))
}

/// A unified diff of one manifest's change, with every line made safe to
/// print (control and bidi characters visible, CR of CRLF line ends dropped).
pub fn unified_diff(m: &ManifestPlan) -> String {
    let path = crate::text::sanitize(&m.path);
    let diff = similar::TextDiff::from_lines(&m.old_text, &m.new_text)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    let mut out = String::with_capacity(diff.len());
    for line in diff.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body = body.strip_suffix('\r').unwrap_or(body);
        out.push_str(&crate::text::sanitize(body));
        out.push('\n');
    }
    out
}

/// What happens to one train in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainMove {
    pub from: u32,
    pub to: u32,
    /// `upgrade`, `downgrade` or `same` (requirements pinned to an older
    /// patch still move to the target's newest patch).
    pub change: &'static str,
}

/// The chosen target: a major some source knows to be published, with its
/// newest non-yanked patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub target: u32,
    /// The release in Wasmtime's numbering.
    pub version: Version,
    /// Each crate of the trains (under its name in the target) with the
    /// version cargo resolves for it.
    pub versions: Vec<(String, Version)>,
    /// The Rust version the chosen versions need.
    pub rust: Option<Version>,
    pub moves: Vec<TrainMove>,
}

/// What `upgrade` will do, before anything is read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Move(Choice),
    /// No move by default; each line says why, per train.
    Stay(Vec<String>),
}

/// The newest non-yanked Wasmtime release of `major` that the data knows to
/// be published; `None` for a major no source has seen (a projection).
pub fn published(data: &Data, major: u32) -> Option<Version> {
    let facts = data.majors.get(&major)?;
    facts
        .patches
        .iter()
        .filter(|p| !p.yanked && p.version.pre.is_empty())
        .filter(|p| {
            !data
                .yanked
                .contains(&("wasmtime".to_string(), p.version.clone()))
        })
        .map(|p| p.version.clone())
        .max()
}

/// The newest published major released by `as_of`.
fn newest_published(data: &Data, as_of: NaiveDate) -> Option<u32> {
    data.majors
        .keys()
        .rev()
        .copied()
        .filter(|&m| policy::release_date(m).is_some_and(|d| d <= as_of))
        .find(|&m| published(data, m).is_some())
}

/// A note when the calendar says newer majors are out than the data knows.
pub fn staleness(data: &Data, as_of: NaiveDate) -> Option<String> {
    let calendar = policy::newest_released(as_of)?;
    let known = newest_published(data, as_of)?;
    if calendar <= known {
        return None;
    }
    let newest = data.publication(calendar, as_of);
    Some(format!(
        "the release data knows Wasmtime up to {known}; Wasmtime {calendar} is {}",
        newest.phrase(data.data_date)
    ))
}

/// The trains in use: each major with its crates as cargo resolves them.
pub type Trains = std::collections::BTreeMap<u32, Vec<(String, bool)>>;

/// Chooses the target for `to` (`None`: the audit's advice; `lts`; `latest`;
/// a major) given the trains in use. Only a release cargo resolves for every
/// crate of every train is chosen, and one within `limits.rust` unless
/// `ignore_rust`.
pub fn decide(
    data: &Data,
    to: Option<&str>,
    trains: &Trains,
    limits: &Limits,
    ignore_rust: bool,
) -> Result<Decision> {
    let as_of = limits.as_of;
    let all = all_crates(trains);
    let unlimited = Limits {
        rust: None,
        ..limits.clone()
    };
    let within = if ignore_rust { &unlimited } else { limits };
    let fits = |m: u32| resolve::resolve(data, m, &all, within);
    let target = match to {
        None => match default_target(data, trains, within) {
            Ok(t) => t,
            Err(why) => {
                // Nothing fits the Rust version, but something would with a
                // newer one: that is a refusal to say, not a choice to stay.
                if !ignore_rust
                    && let Some(have) = &limits.rust
                    && let Ok(t) = default_target(data, trains, &unlimited)
                    && let Some(r) = fits_without_rust(data, t, &all, &unlimited)
                {
                    let whose = if limits.declared {
                        "the workspace declares rust-version"
                    } else {
                        "the toolchain is Rust"
                    };
                    return Err(Error::new(format!(
                        "upgrade: Wasmtime {t} ({}) needs Rust {}; {whose} {}.{}: raise it first, or pass --ignore-rust-version",
                        r.named(),
                        r.rust
                            .as_ref()
                            .map(|v| format!("{}.{}", v.major, v.minor))
                            .unwrap_or_default(),
                        have.major,
                        have.minor
                    )));
                }
                return Ok(Decision::Stay(why));
            }
        },
        Some(which @ ("lts" | "latest")) => {
            let lts_only = which == "lts";
            data.majors
                .keys()
                .rev()
                .copied()
                .filter(|&m| !lts_only || policy::is_lts(m))
                .filter(|&m| policy::is_supported(m, as_of) && published(data, m).is_some())
                .find(|&m| fits(m).resolved().is_some())
                .ok_or_else(|| {
                    Error::new(format!(
                        "upgrade --to {which}: no supported {} resolves for this workspace{} on {as_of}",
                        if lts_only { "LTS release" } else { "Wasmtime release" },
                        rust_phrase(within)
                    ))
                })?
        }
        Some(n) => {
            let major = n.parse::<u32>().map_err(|_| {
                Error::new(format!(
                    "upgrade --to {:?}: expected a major such as 48, `lts` or `latest`",
                    crate::text::sanitize(n)
                ))
            })?;
            let released = policy::release_date(major);
            if major == 0 || released.is_none_or(|d| d > as_of) {
                let when = released.map(|d| format!(" until {d}")).unwrap_or_default();
                return Err(Error::new(format!(
                    "upgrade --to {major}: Wasmtime {major} is not a released train (not released{when})"
                )));
            }
            refuse_eol(major, as_of)?;
            if published(data, major).is_none() {
                let known = newest_published(data, as_of).unwrap_or(0);
                return Err(Error::new(format!(
                    "upgrade --to {major}: no published Wasmtime {major} release is known (the release data knows up to {known}); run `cargo wasmtime-support refresh`"
                )));
            }
            major
        }
    };
    refuse_eol(target, as_of)?;
    let resolution = fits(target);
    let resolved = match resolution.outcome {
        Ok(r) => r,
        Err(b @ Blocked::NeedsRust { .. }) => {
            return Err(Error::new(format!(
                "upgrade --to {target}: {}{}; raise the Rust version first, or pass --ignore-rust-version",
                b.phrase(target),
                rust_phrase(within)
            )));
        }
        Err(b) => {
            return Err(Error::new(format!(
                "upgrade --to {target}: {}",
                b.phrase(target)
            )));
        }
    };
    let moves = trains
        .keys()
        .map(|&from| TrainMove {
            from,
            to: target,
            change: match from.cmp(&target) {
                std::cmp::Ordering::Less => "upgrade",
                std::cmp::Ordering::Equal => "same",
                std::cmp::Ordering::Greater => "downgrade",
            },
        })
        .collect();
    Ok(Decision::Move(Choice {
        target,
        version: resolved.wasmtime_version(),
        rust: resolved.rust.clone(),
        versions: resolved.versions,
        moves,
    }))
}

fn fits_without_rust(
    data: &Data,
    major: u32,
    all: &[(String, bool)],
    unlimited: &Limits,
) -> Option<resolve::Resolved> {
    resolve::resolve(data, major, all, unlimited)
        .resolved()
        .cloned()
}

/// ` with Rust 1.95` for messages.
fn rust_phrase(limits: &Limits) -> String {
    limits
        .rust
        .as_ref()
        .map(|r| format!(" with Rust {}.{}", r.major, r.minor))
        .unwrap_or_default()
}

/// Every crate of every train, once (direct when any train's is).
fn all_crates(trains: &Trains) -> Vec<(String, bool)> {
    let mut all: Vec<(String, bool)> = Vec::new();
    for (name, direct) in trains.values().flatten() {
        match all.iter_mut().find(|(n, _)| n == name) {
            Some(a) => a.1 |= *direct,
            None => all.push((name.clone(), *direct)),
        }
    }
    all.sort_by_key(|(n, d)| (n != "wasmtime", !d));
    all
}

fn refuse_eol(target: u32, as_of: NaiveDate) -> Result<()> {
    if policy::is_supported(target, as_of) {
        return Ok(());
    }
    let eol = policy::eol_date(target)
        .map(|d| format!(" on {d}"))
        .unwrap_or_default();
    Err(Error::new(format!(
        "upgrade --to {target}: Wasmtime {target} reached end of life{eol}; choose a supported release (`--to lts` or `--to latest`)"
    )))
}

/// The audit's advice turned into one target. Several trains are unified on
/// the newest supported LTS that resolves for all of them; otherwise, per
/// train, the LTS its advice leads to, or the release that restores support
/// (also when the train's own line needs a newer Rust): the newest of those.
/// `Err` carries, per train, why nothing moves by default.
fn default_target(
    data: &Data,
    trains: &Trains,
    limits: &Limits,
) -> std::result::Result<u32, Vec<String>> {
    if trains.is_empty() {
        return Err(vec!["no Wasmtime crate is used".into()]);
    }
    let as_of = limits.as_of;
    if trains.len() > 1 {
        let all = all_crates(trains);
        let lts = data
            .majors
            .keys()
            .rev()
            .copied()
            .filter(|&m| policy::is_lts(m) && policy::is_supported(m, as_of))
            .find(|&m| resolve::resolve(data, m, &all, limits).resolved().is_some());
        if let Some(lts) = lts {
            return Ok(lts);
        }
    }
    let mut goals = Vec::new();
    let mut why = Vec::new();
    for (&train, crates) in trains {
        let rec = recommend::recommend(data, train, crates, limits);
        if let Some(r) = rec.restore() {
            goals.push(r.major);
            continue;
        }
        match &rec.advice {
            Advice::OnNewestLts => why.push(format!(
                "Wasmtime {train} is the newest LTS: nothing to upgrade (next LTS: Wasmtime {}{})",
                rec.next_lts.major,
                rec.next_lts
                    .release_date
                    .map(|d| format!(", due {d}"))
                    .unwrap_or_default()
            )),
            Advice::MoveToLts { target, .. } => match &target.version {
                Some(_) => goals.push(target.major),
                None => why.push(format!(
                    "Wasmtime {train}: no release of the recommended LTS (Wasmtime {}) resolves for this workspace{}{}",
                    target.major,
                    rust_phrase(limits),
                    rec.notes
                        .first()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                )),
            },
            Advice::NextLts { back, .. } => {
                let back = back
                    .as_ref()
                    .map(|b| {
                        format!(
                            ", or back to the newest LTS with `--to {} --allow-downgrade`",
                            b.major
                        )
                    })
                    .unwrap_or_default();
                let next = format!(
                    "the next LTS, Wasmtime {}, is due {}",
                    rec.next_lts.major,
                    rec.next_lts
                        .release_date
                        .map_or("at an unknown date".to_string(), |d| d.to_string())
                );
                if policy::is_supported(train, as_of) {
                    let eol = policy::eol_date(train)
                        .map(|d| d.to_string())
                        .unwrap_or_default();
                    let onward = match rec.move_by() {
                        Some(m) if m.next_version.is_some() => format!(
                            "move on with `--to {}` (Wasmtime {})",
                            m.next_major, m.next_major
                        ),
                        Some(m) if m.unresolvable => format!(
                            "move on to Wasmtime {} once a release of it resolves for this workspace (none does yet)",
                            m.next_major
                        ),
                        _ => {
                            let month = train + 1;
                            let when = data.publication(month, as_of).phrase(data.data_date);
                            format!(
                                "move on to Wasmtime {month} once published ({when}) with `--to latest`"
                            )
                        }
                    };
                    why.push(format!(
                        "Wasmtime {train} is supported until {eol} but is not an LTS, and {next}: no move is chosen by default; before {eol} {onward}{back}"
                    ));
                    continue;
                }
                why.push(format!(
                    "Wasmtime {train} is end-of-life and no supported release resolves for this workspace{} ({next}){back}",
                    rust_phrase(limits)
                ));
            }
        }
    }
    goals.into_iter().max().ok_or(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A choice of `target`.`patch` with no resolved versions: every crate
    /// moves to its version of that release.
    fn release(target: u32, patch: u64) -> Choice {
        Choice {
            target,
            version: Version::new(u64::from(target), 0, patch),
            versions: Vec::new(),
            rust: None,
            moves: Vec::new(),
        }
    }

    fn trains(majors: &[u32]) -> Trains {
        majors
            .iter()
            .map(|&m| (m, vec![("wasmtime".to_string(), true)]))
            .collect()
    }

    fn on(date: NaiveDate) -> Limits {
        Limits {
            as_of: date,
            rust: None,
            declared: false,
        }
    }

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
            &release(48, 0),
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
        let reasons: Vec<(&str, UntouchedReason)> = m
            .untouched
            .iter()
            .map(|u| (u.key.as_str(), u.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("fork", UntouchedReason::Git),
                ("local", UntouchedReason::Path),
                ("wasmtime-wasi-runtime-config", UntouchedReason::Replaced),
                ("wasmtime-wasi-config", UntouchedReason::Inherited)
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
    fn a_target_past_the_crate_list_keeps_every_current_crate() {
        let data = Data::embedded().unwrap();
        let horizon = data.family.known().map(|c| c.last).max().unwrap();
        let gone = data
            .family
            .known()
            .find(|c| c.last < horizon && c.successor.is_none() && !c.name.starts_with("pulley"))
            .unwrap();
        let text = format!(
            "[dependencies]\nwasmtime = \"27\"\ncranelift-codegen = \"0.114\"\n{} = \"{}\"\n",
            gone.name, gone.last
        );
        let target = horizon + 2;
        let p = plan(
            &[Manifest {
                path: "Cargo.toml".into(),
                text,
            }],
            &data,
            &release(target, 0),
        )
        .unwrap();
        let m = &p.manifests[0];
        let to: Vec<&str> = m.edits.iter().map(|e| e.to.as_str()).collect();
        assert_eq!(to, [target.to_string(), format!("0.{}", target + 87)]);
        assert_eq!(m.untouched.len(), 1, "{:?}", m.untouched);
        assert_eq!(m.untouched[0].reason, UntouchedReason::Removed);
        assert_eq!(m.untouched[0].crate_name, gone.name);
    }

    #[test]
    fn decisions_follow_the_advice_and_never_name_an_unpublished_release() {
        let data = Data::embedded().unwrap();
        let date: NaiveDate = "2026-11-21".parse().unwrap();
        // 50 is a supported non-LTS train on that date: no default move, said why.
        match decide(&data, None, &trains(&[50]), &on(date), false).unwrap() {
            Decision::Stay(why) => {
                assert!(
                    why[0].contains("Wasmtime 50 is supported until 2026-12-20"),
                    "{why:?}"
                )
            }
            other => panic!("{other:?}"),
        }
        let Decision::Move(c) = decide(&data, None, &trains(&[27, 50]), &on(date), false).unwrap()
        else {
            panic!("27 must move");
        };
        assert_eq!(c.target, 48);
        let changes: Vec<&str> = c.moves.iter().map(|m| m.change).collect();
        assert_eq!(changes, ["upgrade", "downgrade"]);
        // The newest 48 that resolves, not the newest published.
        let resolves = resolve::resolve(&data, 48, &trains(&[48])[&48], &on(date));
        assert_eq!(
            Some(c.version.clone()),
            resolves.resolved().map(|r| r.wasmtime_version())
        );
        let Decision::Move(latest) =
            decide(&data, Some("latest"), &trains(&[27]), &on(date), false).unwrap()
        else {
            panic!()
        };
        assert!(data.majors.contains_key(&latest.target));
        assert!(published(&data, latest.target).is_some());
        // 49 ended on 2026-11-20 and is newer than every LTS: support is
        // restored where it lasts longest, back on the newest LTS.
        let Decision::Move(c) = decide(&data, None, &trains(&[49]), &on(date), false).unwrap()
        else {
            panic!("49 must move");
        };
        assert_eq!(c.target, 48);
        assert_eq!(c.moves[0].change, "downgrade");
        // 47 ended on 2026-09-20, 49 on 2026-11-20 (whether or not the data knows it).
        for eol in ["47", "49"] {
            let e = decide(&data, Some(eol), &trains(&[27]), &on(date), false).unwrap_err();
            assert!(e.to_string().contains("end of life"), "{e}");
        }
        let e = decide(&data, Some("10001"), &trains(&[27]), &on(date), false).unwrap_err();
        assert!(e.to_string().contains("not a released train"), "{e}");
    }

    #[test]
    fn a_major_whose_every_patch_is_yanked_is_never_a_target() {
        let mut data = Data::embedded().unwrap();
        let date: NaiveDate = "2026-11-21".parse().unwrap();
        for p in &mut data.majors.get_mut(&48).unwrap().patches {
            p.yanked = true;
        }
        assert_eq!(published(&data, 48), None);
        let e = decide(&data, Some("48"), &trains(&[27]), &on(date), false).unwrap_err();
        assert!(e.to_string().contains("no published Wasmtime 48"), "{e}");
        match decide(&data, Some("lts"), &trains(&[27]), &on(date), false).unwrap() {
            Decision::Move(c) => assert_ne!(c.target, 48),
            Decision::Stay(why) => panic!("{why:?}"),
        }
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
            &release(48, 0),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("x/Cargo.toml: not valid TOML"),
            "{e}"
        );
    }

    #[test]
    fn rule_r8_several_trains_are_unified_on_one_lts() {
        let data = Data::embedded().unwrap();
        let date: NaiveDate = "2026-12-05".parse().unwrap();
        // 27 and 50: 48 LTS resolves for both, and both move there.
        let Decision::Move(c) = decide(&data, None, &trains(&[27, 50]), &on(date), false).unwrap()
        else {
            panic!("27 must move");
        };
        assert_eq!(c.target, 48);
        // A crate of one train that 48 lacks keeps both on the LTS that has it.
        let last = data.family.get("wasi-common").unwrap().last;
        let mut with_wasi = trains(&[27, 50]);
        with_wasi
            .get_mut(&27)
            .unwrap()
            .push(("wasi-common".to_string(), true));
        let Decision::Move(c) = decide(&data, None, &with_wasi, &on(date), false).unwrap() else {
            panic!("27 must move");
        };
        assert!(c.target <= last && policy::is_lts(c.target), "{}", c.target);
    }
}
