//! `refresh`: fetches the family crates' index files from a sparse registry
//! index (crates.io's by default), the protocol cargo itself uses. The only
//! code that touches the network.
#![cfg_attr(not(feature = "network"), allow(dead_code, unused_imports))]

use crate::cache::{self, Cache};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::io::Read;
use std::time::Duration;

pub const CRATES_IO_INDEX: &str = "https://index.crates.io/";
/// Index files of the family are well under a megabyte; refuse anything absurd.
const MAX_INDEX_FILE: u64 = 16 * 1024 * 1024;

/// The path of a crate's file in a sparse index (`3/w/wit`, `wa/sm/wasmtime`).
pub fn index_path(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    match name.len() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

/// `sparse+https://host/path` or `https://host/path`, always ending in `/`.
pub fn normalize_index_url(url: &str) -> Result<String> {
    let url = url.strip_prefix("sparse+").unwrap_or(url);
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Error::new(format!(
            "index URL {url:?}: expected an http(s) URL of a sparse index, such as {CRATES_IO_INDEX}"
        )));
    }
    Ok(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

/// Fetches every crate in `names`; crates the index does not have are skipped.
/// Any other failure fails the whole refresh, so a partial answer never
/// replaces a complete cache.
#[cfg(feature = "network")]
pub fn fetch(index_url: &str, names: &[&str], now: DateTime<Utc>) -> Result<Cache> {
    let base = normalize_index_url(index_url)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .user_agent(concat!(
            "cargo-wasmtime-support/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .into();
    let mut cache = Cache::new(&base, now);
    for name in names {
        let url = format!("{base}{}", index_path(name));
        let response = agent.get(&url).call().map_err(|e| {
            Error::new(format!(
                "cannot fetch {url}: {e}; the cache was left as it was"
            ))
        })?;
        match response.status().as_u16() {
            200 => {}
            404 | 410 | 451 => continue,
            status => {
                return Err(Error::new(format!(
                    "{url} answered HTTP {status}; the cache was left as it was"
                )));
            }
        }
        let mut text = String::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_INDEX_FILE)
            .read_to_string(&mut text)
            .map_err(|e| {
                Error::new(format!(
                    "cannot read {url}: {e}; the cache was left as it was"
                ))
            })?;
        let versions = cache::parse_index_file(&text, name)
            .map_err(|e| Error::new(format!("{url}: {e}; the cache was left as it was")))?;
        cache.crates.insert(name.to_string(), versions);
    }
    if !cache.crates.contains_key("wasmtime") {
        return Err(Error::new(format!(
            "{base} has no `wasmtime` crate: not a crates.io index or mirror; the cache was left as it was"
        )));
    }
    Ok(cache)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_index_paths() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("wit"), "3/w/wit");
        assert_eq!(index_path("wasmtime"), "wa/sm/wasmtime");
        assert_eq!(index_path("Cranelift-Codegen"), "cr/an/cranelift-codegen");
    }

    #[test]
    fn index_urls() {
        assert_eq!(
            normalize_index_url("sparse+https://index.crates.io/").unwrap(),
            "https://index.crates.io/"
        );
        assert_eq!(
            normalize_index_url("http://127.0.0.1:8080/index").unwrap(),
            "http://127.0.0.1:8080/index/"
        );
        assert!(normalize_index_url("file:///tmp/index").is_err());
    }
}
