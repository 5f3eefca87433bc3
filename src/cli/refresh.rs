//! `refresh`: fetch the family's version lists from the registry index into
//! the cache (and, for maintainers, into the embedded data files). The cache
//! is replaced only by a complete answer that knows at least as much; one
//! refresh at a time holds the cache directory's lock.

use super::args::{CommonArgs, RefreshArgs};
use super::{Env, OSV_URL_ENV, TOKEN_ENV, cache_dir, cargo_home, write_out};
use crate::error::{Context, Error, Result};
use crate::input::cache::{self, Cache};
use crate::input::cargo_config;
use crate::input::config;
use crate::input::osv;
#[cfg(feature = "network")]
use crate::input::registry::fetch;
use crate::input::registry::{self, FetchOptions};
use crate::input::release_notes;
use crate::input::{advisory_sources, binding_registries};
use crate::model::data::{Data, SourceKind, release_notes_json};
use crate::model::phrases::count;
use std::io::Write;
use std::time::{Duration, Instant};

/// How long to wait for another refresh of the same cache to finish.
const LOCK_WAIT: Duration = Duration::from_secs(300);

#[cfg_attr(
    not(feature = "network"),
    allow(unreachable_code, unused_variables, unused_mut)
)]
pub fn run(
    common: &CommonArgs,
    args: &RefreshArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let var = |k: &str| env.vars.get(k).cloned();
    let net = cargo_config::read(env.current_dir.as_deref(), cargo_home(env).as_deref(), &var);
    let offline = if common.offline {
        Some("--offline".to_string())
    } else {
        net.offline.clone()
    };
    if let Some(origin) = offline {
        return Err(Error::new(format!(
            "refresh needs the network, and {origin} says to stay offline; audits keep using the facts at hand"
        )));
    }
    let dir = cache_dir(common, env)
        .ok_or_else(|| Error::new("no place for the cache: set --cache-dir or CARGO_HOME"))?;
    let path = dir.join(cache::FILE_NAME);
    let configured = configured(common, env)?.unwrap_or_default();
    let index_url = match &args.index_url {
        Some(url) => url.clone(),
        None => configured
            .index_url
            .clone()
            .unwrap_or_else(|| registry::CRATES_IO_INDEX.to_string()),
    };
    let osv_env = var(OSV_URL_ENV).filter(|u| !u.is_empty());
    let osv_url = match args
        .osv_url
        .as_deref()
        .or(osv_env.as_deref())
        .or(configured.osv_url.as_deref())
    {
        Some(url) => osv::normalize_url(url).map_err(Error::new)?,
        None => osv::DEFAULT_URL.to_string(),
    };
    let index = registry::normalize_index_url(&index_url)?;
    let opts = FetchOptions {
        index,
        cainfo: net.cainfo.map(|s| (s.value, s.origin)),
        proxy: net.proxy.map(|s| (s.value, s.origin)),
        token: var(TOKEN_ENV).filter(|t| !t.is_empty()),
        deadline: Duration::from_secs(args.timeout),
    };
    let _lock = lock(&dir, err)?;
    let previous = match cache::load(&path) {
        cache::Loaded::Cache(c) => Some(c),
        _ => None,
    };

    let embedded = Data::embedded()?;
    let mut names: Vec<&str> = embedded.family.known().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let started = Instant::now();
    let show_progress = env.stderr_is_terminal;
    let mut progress = |done: usize, total: usize| {
        if show_progress {
            let _ = write!(err, "\r    Fetching {done}/{total} crates");
            if done == total {
                let _ = write!(err, "\r\x1b[K");
            }
            let _ = err.flush();
        }
    };
    let fetched = fetch(&opts, &names, previous.as_ref(), env.now, &mut progress)?;
    if let Some(first) = fetched.failures.first() {
        let more = match fetched.failures.len() {
            1 => String::new(),
            n => format!(" (and {} more)", count(n - 1, "crate", "crates")),
        };
        return Err(Error::new(format!(
            "refresh from {} failed: {first}{more}; {} was left as it was",
            opts.index.shown,
            path.display()
        )));
    }
    let mut trimmed = fetched.cache.clone();
    trimmed.trim(&embedded.published, &embedded.family);
    cache::store(&path, &trimmed)?;

    let merged = embedded
        .clone()
        .with_index(&fetched.cache, SourceKind::Registry);
    let mut text = summary(&embedded, &merged, &fetched.cache, fetched.unchanged);

    // The advisories: each source on its own, a failure keeping what it had.
    let adv_path = dir.join(advisory_sources::FILE_NAME);
    let mut adv = advisory_sources::load(&adv_path)
        .ok()
        .flatten()
        .unwrap_or_default();
    let left = opts.deadline.saturating_sub(started.elapsed());
    let sources = Sources {
        opts: &opts,
        index: &fetched.cache,
        data: &merged,
        embedded_until: embedded.provenance.advisories_date,
        now: env.now,
        timeout: left
            .min(registry::REQUEST_TIMEOUT)
            .max(Duration::from_secs(1)),
    };
    let mut warnings = Vec::new();
    match refresh_notes(&sources, adv.release_notes.as_ref(), args.write_data.is_some()) {
        Ok((notes, read)) => {
            let what = match read {
                0 => "no new wasmtime-cli crate to read".to_string(),
                n => format!("{} read", count(n, "new wasmtime-cli crate", "new wasmtime-cli crates")),
            };
            text.push_str(&format!(
                "Release notes: {what}; advisories known through {}\n",
                notes.complete_until
            ));
            adv.release_notes = Some(notes);
        }
        Err(why) => warnings.push(format!(
            "the release notes in the registry's wasmtime-cli crates could not be read ({why}); those read before are kept"
        )),
    }
    let names_ref: Vec<&str> = names.clone();
    let cached = adv
        .osv
        .as_ref()
        .map(|o| o.records.clone())
        .unwrap_or_default();
    match refresh_osv(&sources, &osv_url, &names_ref, &cached) {
        Ok((records, downloaded)) => {
            let advisories = records.values().filter(|r| r.advisory.is_some()).count();
            text.push_str(&format!(
                "OSV: {} about the family from {} ({} fetched)\n",
                count(advisories, "advisory", "advisories"),
                registry::redact(&osv_url),
                downloaded
            ));
            adv.osv = Some(advisory_sources::OsvSource {
                fetched_at: env.now,
                url: registry::redact(&osv_url),
                records,
            });
        }
        Err(why) => warnings.push(format!(
            "OSV at {} could not be asked ({why}); the advisories fetched before are kept",
            registry::redact(&osv_url)
        )),
    }
    let registries = binding_registries(args, env)?;
    for (b, answer) in refresh_bindings(&sources, &registries, env.now.date_naive()) {
        match answer {
            Ok(releases) => {
                text.push_str(&format!(
                    "{}: {} of {} from {}\n",
                    b.registry(),
                    count(releases.releases.len(), "release", "releases"),
                    b.project(),
                    releases.registry
                ));
                adv.bindings.insert(b, releases);
            }
            Err(why) => warnings.push(format!(
                "{}'s releases could not be read ({why}); those read before are kept",
                b.project()
            )),
        }
    }
    advisory_sources::store(&adv_path, &adv)?;
    for w in &warnings {
        let _ = writeln!(err, "warning: {}", crate::text::sanitize(w));
    }
    let merged = &match &adv.release_notes {
        Some(n) => merged.clone().with_release_notes(n),
        None => merged.clone(),
    };
    text = format!(
        "Fetched {} from {} into {} in {:.1} s{}",
        count(fetched.cache.crates.len(), "crate", "crates"),
        fetched.cache.index_url,
        path.display(),
        started.elapsed().as_secs_f64(),
        text
    );
    if let Some(dir) = &args.write_data {
        text.push_str(&write_data(
            dir,
            &embedded,
            merged,
            adv.release_notes.as_ref(),
            args,
        )?);
        // The bindings' releases: the embedded ones, with what was read now.
        let mut bindings = embedded.bindings.clone();
        bindings.extend(adv.bindings.iter().map(|(b, r)| (*b, r.clone())));
        if bindings != embedded.bindings {
            let file = dir.join("bindings.json");
            let doc = crate::model::data::BindingsFile {
                schema: 1,
                bindings,
            };
            let json = serde_json::to_string_pretty(&doc).map_err(|e| Error::new(e.to_string()))?;
            std::fs::write(&file, json + "\n").map_err(|e| {
                Error::in_file(&file.display().to_string(), format!("cannot write: {e}"))
            })?;
            text.push_str(&format!("Wrote {}\n", file.display()));
        }
    }
    let text: Vec<String> = text
        .lines()
        .map(|l| crate::text::wrap(l, crate::text::WIDTH, 4))
        .collect();
    write_out(out, &format!("{}\n", text.join("\n")))?;
    Ok(0)
}

/// What the advisory sources of a refresh work from.
#[cfg_attr(not(feature = "network"), allow(dead_code))]
struct Sources<'a> {
    opts: &'a FetchOptions,
    /// The index just fetched (with each version's checksum).
    index: &'a Cache,
    /// The release facts with that index.
    data: &'a Data,
    /// The day the embedded advisories are complete to.
    embedded_until: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
    timeout: Duration,
}

/// Reads the `RELEASES.md` of the `wasmtime-cli` crates not read before
/// (see [`advisory_sources::wanted`]); `all` for the embedded data.
#[cfg(feature = "network")]
fn refresh_notes(
    s: &Sources,
    previous: Option<&advisory_sources::NotesSource>,
    all: bool,
) -> std::result::Result<(advisory_sources::NotesSource, usize), String> {
    use advisory_sources::{NOTES_CRATE, ReadNotes};
    let cli = s
        .index
        .crates
        .get(NOTES_CRATE)
        .ok_or_else(|| format!("the index has no `{NOTES_CRATE}` crate"))?;
    let mut read = previous.map(|p| p.read.clone()).unwrap_or_default();
    let want = advisory_sources::wanted(cli, s.data, s.embedded_until, &read, all);
    let mut location = previous.map(|p| p.location.clone());
    if !want.is_empty() {
        let agent = registry::agent(s.opts).map_err(|e| e.to_string())?;
        let dl = crate::input::crate_download::Downloader::new(&agent, s.opts, s.timeout)?;
        location = Some(dl.location());
        for v in &want {
            let vers = v.to_string();
            let cksum = cli
                .versions
                .iter()
                .find(|x| x.vers == vers)
                .and_then(|x| x.cksum.clone())
                .ok_or_else(|| format!("the index gives no checksum for {NOTES_CRATE} {vers}"))?;
            let bytes = dl.get(NOTES_CRATE, &vers, &cksum)?;
            let md = crate::input::crate_file::member(&bytes, NOTES_CRATE, &vers, "RELEASES.md")
                .map_err(|e| format!("{NOTES_CRATE} {vers}: {e}"))?;
            let counts = release_notes::parse(&md).filter(|n| u64::from(n.major) == v.major);
            let patches = release_notes::patches(&md)
                .into_iter()
                .filter(|p| p.version.major == v.major && p.version <= *v)
                .collect();
            // A line's newest notes hold its older ones.
            read.retain(|k, _| {
                semver::Version::parse(k).map_or(true, |old| old.major != v.major || old > *v)
            });
            read.insert(vers, ReadNotes { patches, counts });
        }
    }
    let complete_until =
        advisory_sources::complete_until(s.data, cli, s.now.date_naive(), s.embedded_until);
    Ok((
        advisory_sources::NotesSource {
            fetched_at: s.now,
            complete_until,
            location: location.unwrap_or_else(|| s.opts.index.shown.clone()),
            read,
        },
        want.len(),
    ))
}

/// The bindings' registries: a flag, else its environment variable
/// (`CARGO_WASMTIME_SUPPORT_PYPI_URL`, `..._RUBYGEMS_URL`, `..._NUGET_URL`).
fn binding_registries(args: &RefreshArgs, env: &Env) -> Result<binding_registries::Registries> {
    let mut r = binding_registries::Registries::default();
    for (flag, var, given, slot) in [
        (
            "--pypi-url",
            "CARGO_WASMTIME_SUPPORT_PYPI_URL",
            &args.pypi_url,
            &mut r.pypi,
        ),
        (
            "--rubygems-url",
            "CARGO_WASMTIME_SUPPORT_RUBYGEMS_URL",
            &args.rubygems_url,
            &mut r.rubygems,
        ),
        (
            "--nuget-url",
            "CARGO_WASMTIME_SUPPORT_NUGET_URL",
            &args.nuget_url,
            &mut r.nuget,
        ),
    ] {
        let from_env = env.vars.get(var).filter(|v| !v.is_empty());
        if let Some(url) = given.as_ref().or(from_env) {
            *slot = binding_registries::normalize_url(url, flag).map_err(Error::new)?;
        }
    }
    Ok(r)
}

#[cfg(feature = "network")]
fn refresh_bindings(
    s: &Sources,
    registries: &binding_registries::Registries,
    today: chrono::NaiveDate,
) -> Vec<(
    crate::model::inputs::Binding,
    std::result::Result<crate::model::inputs::BindingReleases, String>,
)> {
    match registry::agent(s.opts).map_err(|e| e.to_string()) {
        Ok(agent) => binding_registries::fetch(&agent, registries, today, s.timeout),
        Err(e) => registries
            .requests()
            .into_iter()
            .map(|(b, _)| (b, Err(e.clone())))
            .collect(),
    }
}

#[cfg(not(feature = "network"))]
fn refresh_bindings(
    _: &Sources,
    registries: &binding_registries::Registries,
    _: chrono::NaiveDate,
) -> Vec<(
    crate::model::inputs::Binding,
    std::result::Result<crate::model::inputs::BindingReleases, String>,
)> {
    registries
        .requests()
        .into_iter()
        .map(|(b, _)| (b, Err("built without network support".to_string())))
        .collect()
}

/// Asks the OSV API at `url` for the family's advisories.
#[cfg(feature = "network")]
fn refresh_osv(
    s: &Sources,
    url: &str,
    names: &[&str],
    cached: &std::collections::BTreeMap<String, osv::Record>,
) -> std::result::Result<(std::collections::BTreeMap<String, osv::Record>, usize), String> {
    let agent = registry::agent(s.opts).map_err(|e| e.to_string())?;
    let is_family = |n: &str| s.data.family.is_member(n);
    let fetched = osv::fetch(&agent, url, names, cached, &is_family, s.timeout)?;
    Ok((fetched.records, fetched.downloaded))
}

#[cfg(not(feature = "network"))]
fn refresh_notes(
    _: &Sources,
    _: Option<&advisory_sources::NotesSource>,
    _: bool,
) -> std::result::Result<(advisory_sources::NotesSource, usize), String> {
    Err("built without network support".into())
}

#[cfg(not(feature = "network"))]
fn refresh_osv(
    _: &Sources,
    _: &str,
    _: &[&str],
    _: &std::collections::BTreeMap<String, osv::Record>,
) -> std::result::Result<(std::collections::BTreeMap<String, osv::Record>, usize), String> {
    Err("built without network support".into())
}

fn summary(embedded: &Data, merged: &Data, fetched: &Cache, unchanged: usize) -> String {
    // Patch releases only: a new major's `.0.0` is said as a new major.
    let patches = |d: &Data| {
        d.majors
            .values()
            .flat_map(|m| &m.patches)
            .filter(|p| p.version.patch > 0)
            .count()
    };
    let new_majors: Vec<String> = merged
        .majors
        .keys()
        .filter(|m| !embedded.majors.contains_key(m))
        .map(|m| m.to_string())
        .collect();
    let newest = merged
        .majors
        .values()
        .next_back()
        .and_then(|m| m.latest_patch())
        .map(|p| p.version.to_string())
        .unwrap_or_default();
    let mut text = String::new();
    if unchanged > 0 {
        text.push_str(&format!(" ({unchanged} unchanged)"));
    }
    let new_patches = match patches(merged).saturating_sub(patches(embedded)) {
        0 => "no patch release".to_string(),
        n => count(n, "patch release", "patch releases"),
    };
    text.push_str(&format!(
        "\nNewest Wasmtime: {newest}; {new_patches} newer than the embedded data"
    ));
    if !new_majors.is_empty() {
        text.push_str(&format!(", new majors: {}", new_majors.join(", ")));
    }
    let yanked: usize = fetched.crates.values().map(|c| c.yanked.len()).sum();
    if yanked > 0 {
        text.push_str(&format!(
            "; {} known",
            count(yanked, "yanked version", "yanked versions")
        ));
    }
    text.push('\n');
    text
}

/// The maintainer's `--write-data`: the embedded release facts, rewritten
/// with what the registry's release notes (and `--release-notes` files) say.
fn write_data(
    dir: &std::path::Path,
    embedded: &Data,
    merged: &Data,
    notes: Option<&advisory_sources::NotesSource>,
    args: &RefreshArgs,
) -> Result<String> {
    let mut text = String::new();
    // Security fixes the release notes name, for the advisories and patches.
    let mut fixes: Vec<release_notes::PatchNotes> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut complete_until: Option<chrono::NaiveDate> = notes.map(|n| n.complete_until);
    for path in &args.release_notes {
        let shown = path.display().to_string();
        let md = std::fs::read_to_string(path).with_context(|| format!("{shown}: cannot read"))?;
        let patches = release_notes::patches(&md);
        // A file knows its line up to its newest patch.
        if notes.is_none()
            && let Some(newest) = patches.iter().map(|p| p.date).max()
        {
            complete_until = Some(complete_until.map_or(newest, |d| d.min(newest)));
        }
        fixes.extend(patches);
        files.push(md);
    }
    if let Some(n) = notes {
        fixes.extend(n.patches().cloned());
    }
    let mut merged = merged.clone();
    for p in &fixes {
        let Some(facts) = u32::try_from(p.version.major)
            .ok()
            .and_then(|m| merged.majors.get_mut(&m))
        else {
            continue;
        };
        if let Some(patch) = facts.patches.iter_mut().find(|x| x.version == p.version) {
            for (id, _) in &p.advisories {
                if !patch.advisories.contains(id) {
                    patch.advisories.push(id.clone());
                }
            }
            patch.advisories.sort();
        }
    }
    let merged = &merged;
    if !fixes.is_empty() {
        let file = dir.join("advisories.json");
        let shown = file.display().to_string();
        let old =
            std::fs::read_to_string(&file).with_context(|| format!("{shown}: cannot read"))?;
        let new = advisories_json(&old, &fixes, complete_until).context(&shown)?;
        std::fs::write(&file, new).with_context(|| format!("{shown}: cannot write"))?;
        text.push_str(&format!("Wrote {}\n", file.display()));
    }
    let file = dir.join("releases.json");
    std::fs::write(&file, merged.releases_json())
        .map_err(|e| Error::in_file(&file.display().to_string(), format!("cannot write: {e}")))?;
    text.push_str(&format!("Wrote {}\n", file.display()));
    let file = dir.join("published.jsonl");
    let mut published = merged.published.clone();
    published.embedded_date = merged.data_date;
    std::fs::write(&file, published.to_jsonl())
        .map_err(|e| Error::in_file(&file.display().to_string(), format!("cannot write: {e}")))?;
    text.push_str(&format!("Wrote {}\n", file.display()));
    let file = dir.join("crates.json");
    let shown = file.display().to_string();
    let crates = crates_json(crate::model::data::CRATES_JSON, merged).context(&shown)?;
    std::fs::write(&file, crates).with_context(|| format!("{shown}: cannot write"))?;
    text.push_str(&format!("Wrote {}\n", file.display()));
    let mut counts = embedded.release_notes.clone();
    for read in notes.iter().flat_map(|n| n.read.values()) {
        if let Some(c) = &read.counts {
            counts.entry(c.major).or_insert_with(|| c.clone());
        }
    }
    for (path, md) in args.release_notes.iter().zip(&files) {
        let n = release_notes::parse(md).ok_or_else(|| {
            Error::in_file(
                &path.display().to_string(),
                "no `## N.0.0` section: not a Wasmtime RELEASES.md",
            )
        })?;
        counts.insert(n.major, n);
    }
    if counts != embedded.release_notes {
        let notes = counts;
        let file = dir.join("release-notes.json");
        std::fs::write(&file, release_notes_json(&notes)).map_err(|e| {
            Error::in_file(&file.display().to_string(), format!("cannot write: {e}"))
        })?;
        text.push_str(&format!("Wrote {}\n", file.display()));
    }
    Ok(text)
}

/// `advisories.json` with the advisories that release notes name and it
/// lacks: one entry per GHSA id, for `wasmtime`, patched in each line at the
/// patch whose notes name it, marked as known from the release notes (so a
/// line without a fix is not called affected); its date moves up to the day
/// the notes are complete to.
fn advisories_json(
    text: &str,
    fixes: &[release_notes::PatchNotes],
    complete_until: Option<chrono::NaiveDate>,
) -> std::result::Result<String, String> {
    let mut doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let known: std::collections::BTreeSet<String> = doc["advisories"]
        .as_array()
        .ok_or("no `advisories` list")?
        .iter()
        .flat_map(|a| {
            let mut ids = vec![a["id"].as_str().unwrap_or_default().to_string()];
            for key in ["aliases", "rustsec"] {
                ids.extend(
                    a[key]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_string)),
                );
            }
            ids
        })
        .collect();
    let list = doc["advisories"]
        .as_array_mut()
        .ok_or("no `advisories` list")?;
    for a in release_notes::advisories(fixes) {
        if known.contains(&a.id) {
            continue;
        }
        let mut value = serde_json::to_value(&a).map_err(|e| e.to_string())?;
        if let Some(o) = value.as_object_mut() {
            o.retain(|_, v| !v.is_null());
        }
        list.push(value);
    }
    if let Some(day) = complete_until {
        let old = doc["data_date"]
            .as_str()
            .and_then(|d| d.parse::<chrono::NaiveDate>().ok());
        if old.is_none_or(|o| o < day) {
            doc["data_date"] = day.to_string().into();
        }
    }
    let mut out = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out)
}

/// `crates.json` with each crate's last major moved up to the newest major
/// the registry has a release of it in (its scheme extended to cover it).
fn crates_json(text: &str, merged: &Data) -> std::result::Result<String, String> {
    let mut doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let crates = doc
        .get_mut("crates")
        .and_then(|c| c.as_array_mut())
        .ok_or("no `crates` list")?;
    for c in crates {
        let Some(name) = c.get("name").and_then(|n| n.as_str()).map(str::to_string) else {
            continue;
        };
        let Some(newest) = merged.crate_newest.get(&name) else {
            continue;
        };
        let Some(crate::model::family::Placement::Major(major)) =
            merged.family.place(&name, newest)
        else {
            continue;
        };
        let last = c.get("last").and_then(|l| l.as_u64()).unwrap_or(0);
        if u64::from(major) <= last {
            continue;
        }
        c["last"] = major.into();
        if let Some(span) = c
            .get_mut("schemes")
            .and_then(|s| s.as_array_mut())
            .and_then(|s| s.last_mut())
            .filter(|s| s.get("to").and_then(|t| t.as_u64()) == Some(last))
        {
            span["to"] = major.into();
        }
    }
    let mut out = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out)
}

/// One refresh of a cache directory at a time (cargo's kind of file lock);
/// a second one waits for the first.
fn lock(dir: &std::path::Path, err: &mut dyn Write) -> Result<tame_index::index::FileLock> {
    let shown = dir.display().to_string();
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{shown}: cannot create the cache directory"))?;
    let path = tame_index::PathBuf::from_path_buf(dir.join(".refresh.lock"))
        .map_err(|p| Error::in_file(&p.display().to_string(), "not a UTF-8 path"))?;
    let opts = tame_index::flock::LockOptions::new(&path).exclusive(false);
    if let Ok(lock) = opts.try_lock() {
        return Ok(lock);
    }
    let _ = writeln!(
        err,
        "    Blocking waiting for another refresh of {shown} to finish"
    );
    opts.lock(|_| Some(LOCK_WAIT))
        .with_context(|| format!("{shown}: cannot lock the cache directory"))
}

/// The configuration (`index-url`, `osv-url`), when run inside a workspace that has one.
fn configured(common: &CommonArgs, env: &Env) -> Result<Option<config::Config>> {
    if let Some(path) = &common.config {
        return Ok(Some(super::config_file(path)?));
    }
    if !common.lockfile.is_empty() {
        return Ok(None);
    }
    // Outside any workspace there is simply no configuration.
    let Ok(ws) = super::locate_workspace(common, env, false) else {
        return Ok(None);
    };
    match &ws.config {
        Some((value, origin)) => Ok(Some(config::parse(value, origin)?)),
        None => Ok(None),
    }
}

/// Built without the `network` feature there is no HTTP client to fetch with.
#[cfg(not(feature = "network"))]
fn fetch(
    opts: &FetchOptions,
    _names: &[&str],
    _previous: Option<&Cache>,
    _now: chrono::DateTime<chrono::Utc>,
    _progress: &mut dyn FnMut(usize, usize),
) -> Result<registry::Fetched> {
    Err(Error::new(format!(
        "refresh: built without network support (the `network` feature), cannot fetch {}",
        opts.index.shown
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisories_from_release_notes_are_added_once_with_their_lines() {
        let md = |line: &str, patch: u64, day: &str, ids: &[&str]| {
            let entries: String = ids
                .iter()
                .map(|id| {
                    format!(
                        "* Something was fixed.\n  [{id}](https://github.com/bytecodealliance/wasmtime/security/advisories/{id})\n\n"
                    )
                })
                .collect();
            format!("## {line}.0.{patch}\n\nReleased {day}.\n\n### Fixed\n\n{entries}")
        };
        let fixes: Vec<release_notes::PatchNotes> = [
            md(
                "48",
                8,
                "2026-10-29",
                &["GHSA-hmmr-87qq-258j", "GHSA-aaaa-bbbb-cccc"],
            ),
            md("49", 5, "2026-10-29", &["GHSA-hmmr-87qq-258j"]),
            md("36", 19, "2026-10-19", &[]),
        ]
        .iter()
        .flat_map(|m| release_notes::patches(m))
        .collect();
        let before = r#"{"data_date": "2026-08-21", "advisories": [
            {"id": "GHSA-aaaa-bbbb-cccc", "aliases": [], "rustsec": []}]}"#;
        let day = "2026-10-29".parse().ok();
        let after: serde_json::Value =
            serde_json::from_str(&advisories_json(before, &fixes, day).unwrap()).unwrap();
        let list = after["advisories"].as_array().unwrap();
        assert_eq!(list.len(), 2, "the known one is not added again: {list:#?}");
        let new = &list[1];
        assert_eq!(new["id"], "GHSA-hmmr-87qq-258j");
        assert_eq!(new["source"], "release-notes");
        let patched: Vec<semver::VersionReq> =
            serde_json::from_value(new["patched"].clone()).unwrap();
        assert_eq!(
            patched,
            [">= 48.0.8, < 49.0.0", ">= 49.0.5, < 50.0.0"].map(|r| r.parse().unwrap())
        );
        assert_eq!(after["data_date"], "2026-10-29");
        // A date never moves back.
        let older = advisories_json(before, &fixes, "2026-01-01".parse().ok()).unwrap();
        assert!(older.contains("\"data_date\": \"2026-08-21\""), "{older}");
    }
}
