//! `refresh`: fetch the family's version lists from the registry index into
//! the cache (and, for maintainers, into the embedded data files).

use super::args::{CommonArgs, RefreshArgs};
use super::{Env, cache_file, write_out};
use crate::cache;
use crate::config;
use crate::data::{Data, release_notes_json};
use crate::error::{Error, Result};
use crate::registry;
use crate::release_notes;
use crate::workspace;
use std::io::Write;

#[cfg_attr(not(feature = "network"), allow(unreachable_code, unused_variables))]
pub fn run(common: &CommonArgs, args: &RefreshArgs, env: &Env, out: &mut dyn Write) -> Result<u8> {
    let path = cache_file(common, env)
        .ok_or_else(|| Error::new("no place for the cache: set --cache-dir or CARGO_HOME"))?;
    let index_url = match &args.index_url {
        Some(url) => url.clone(),
        None => configured_index(common)?.unwrap_or_else(|| registry::CRATES_IO_INDEX.to_string()),
    };
    let embedded = Data::embedded()?;
    let mut names: Vec<&str> = embedded.family.known().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    #[cfg(feature = "network")]
    let fetched = registry::fetch(&index_url, &names, chrono::Utc::now())?;
    #[cfg(not(feature = "network"))]
    let fetched: cache::Cache = return Err(Error::new(format!(
        "refresh: built without network support (the `network` feature), cannot fetch {index_url}"
    )));
    cache::store(&path, &fetched)?;

    let merged = embedded.clone().with_index(&fetched);
    let new_majors: Vec<String> = merged
        .majors
        .keys()
        .filter(|m| !embedded.majors.contains_key(m))
        .map(|m| m.to_string())
        .collect();
    let patches = |d: &Data| d.majors.values().map(|m| m.patches.len()).sum::<usize>();
    let newest = merged
        .majors
        .values()
        .next_back()
        .and_then(|m| m.latest_patch())
        .map(|p| p.version.to_string())
        .unwrap_or_default();
    let mut text = format!(
        "Fetched {} crates from {} into {}\nNewest Wasmtime: {newest}; {} patch releases newer than the embedded data",
        fetched.crates.len(),
        fetched.index_url,
        path.display(),
        patches(&merged) - patches(&embedded),
    );
    if !new_majors.is_empty() {
        text.push_str(&format!(", new majors: {}", new_majors.join(", ")));
    }
    text.push('\n');
    if let Some(dir) = &args.write_data {
        let file = dir.join("releases.json");
        std::fs::write(&file, merged.releases_json()).map_err(|e| {
            Error::in_file(&file.display().to_string(), format!("cannot write: {e}"))
        })?;
        text.push_str(&format!("Wrote {}\n", file.display()));
        if !args.release_notes.is_empty() {
            let mut notes = embedded.release_notes.clone();
            for path in &args.release_notes {
                let shown = path.display().to_string();
                let md = std::fs::read_to_string(path)
                    .map_err(|e| Error::in_file(&shown, format!("cannot read: {e}")))?;
                let n = release_notes::parse(&md).ok_or_else(|| {
                    Error::in_file(&shown, "no `## N.0.0` section: not a Wasmtime RELEASES.md")
                })?;
                notes.insert(n.major, n);
            }
            let file = dir.join("release-notes.json");
            std::fs::write(&file, release_notes_json(&notes)).map_err(|e| {
                Error::in_file(&file.display().to_string(), format!("cannot write: {e}"))
            })?;
            text.push_str(&format!("Wrote {}\n", file.display()));
        }
    }
    write_out(out, &text)?;
    Ok(0)
}

/// The config's `index-url`, when run inside a workspace that sets one.
fn configured_index(common: &CommonArgs) -> Result<Option<String>> {
    if let Some(path) = &common.config {
        return Ok(super::config_file(path)?.index_url);
    }
    if !common.lockfile.is_empty() {
        return Ok(None);
    }
    // Outside any workspace there is simply no configuration.
    let Ok(ws) = workspace::locate(common.manifest_path.as_deref()) else {
        return Ok(None);
    };
    match &ws.config {
        Some((value, origin)) => Ok(config::parse(value, origin)?.index_url),
        None => Ok(None),
    }
}
