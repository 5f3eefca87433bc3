//! Downloading a `.crate` file as cargo does: the registry's `config.json`
//! names the download URL (`dl`, a template or a base), the index entry's
//! `cksum` vouches for the bytes, and the registry's credentials go along
//! only where cargo would send them (`auth-required`, or the index's own
//! host). A crate file never changes once published, so one already read
//! is never asked for again: the refresh cache is keyed by version.
#![cfg_attr(not(feature = "network"), allow(dead_code, unused_imports))]

use crate::input::crate_file;
use crate::input::registry::{self, FetchOptions};
use serde::Deserialize;
use std::io::Read;
use std::time::Duration;

/// A registry's `config.json` is a few hundred bytes.
const MAX_CONFIG: u64 = 64 * 1024;

#[derive(Deserialize)]
struct RegistryConfig {
    dl: String,
    #[serde(default, rename = "auth-required")]
    auth_required: bool,
}

/// The URL of `name` `version` from the `dl` value of a registry's config.
pub fn crate_url(dl: &str, name: &str, version: &str, cksum: &str) -> String {
    const MARKERS: [&str; 5] = [
        "{crate}",
        "{version}",
        "{prefix}",
        "{lowerprefix}",
        "{sha256-checksum}",
    ];
    if !MARKERS.iter().any(|m| dl.contains(m)) {
        return format!("{}/{name}/{version}/download", dl.trim_end_matches('/'));
    }
    let prefix = match name.len() {
        0..=2 => name.len().to_string(),
        3 => format!("3/{}", &name[..1]),
        _ => format!("{}/{}", &name[..2], &name[2..4]),
    };
    let lower = prefix.to_ascii_lowercase();
    dl.replace("{crate}", name)
        .replace("{version}", version)
        .replace("{prefix}", &prefix)
        .replace("{lowerprefix}", &lower)
        .replace("{sha256-checksum}", cksum)
}

/// Downloads from one registry.
#[cfg(feature = "network")]
pub struct Downloader<'a> {
    agent: &'a ureq::Agent,
    dl: String,
    auth: Option<String>,
    timeout: Duration,
}

#[cfg(feature = "network")]
impl<'a> Downloader<'a> {
    /// Reads the registry's `config.json`.
    pub fn new(
        agent: &'a ureq::Agent,
        opts: &FetchOptions,
        timeout: Duration,
    ) -> Result<Downloader<'a>, String> {
        let url = format!("{}config.json", opts.index.shown);
        let auth = registry::authorization(opts);
        let mut req = agent.get(&url);
        if let Some(a) = &auth {
            req = req.header("Authorization", a);
        }
        let response = req
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .map_err(|e| format!("{url}: {}", registry::describe(&e, opts)))?;
        let text = body(response, &url, MAX_CONFIG)?;
        let config: RegistryConfig = serde_json::from_slice(&text)
            .map_err(|e| format!("{url} is not a registry configuration: {e}"))?;
        if !(config.dl.starts_with("https://") || config.dl.starts_with("http://")) {
            return Err(format!(
                "{url} names downloads at {:?}, not an http(s) URL",
                crate::text::sanitize(&registry::redact(&config.dl))
            ));
        }
        let same_host = host(&config.dl) == host(&opts.index.shown);
        Ok(Downloader {
            agent,
            auth: auth.filter(|_| config.auth_required || same_host),
            dl: config.dl,
            timeout,
        })
    }

    /// Where downloads come from, for the report.
    pub fn location(&self) -> String {
        registry::redact(&self.dl)
    }

    /// The verified bytes of `name` `version`.
    pub fn get(&self, name: &str, version: &str, cksum: &str) -> Result<Vec<u8>, String> {
        let url = crate_url(&self.dl, name, version, cksum);
        let shown = registry::redact(&url);
        let mut req = self.agent.get(&url);
        if let Some(a) = &self.auth {
            req = req.header("Authorization", a);
        }
        let response = req
            .config()
            .timeout_global(Some(self.timeout))
            .build()
            .call()
            .map_err(|e| format!("{shown}: {}", registry::redact(&e.to_string())))?;
        let bytes = body(response, &shown, crate_file::MAX_COMPRESSED)?;
        if !crate_file::checksum_matches(&bytes, cksum) {
            return Err(format!(
                "{shown} does not match the checksum the index gives for {name} {version}"
            ));
        }
        Ok(bytes)
    }
}

#[cfg(feature = "network")]
fn body(
    response: ureq::http::Response<ureq::Body>,
    shown: &str,
    max: u64,
) -> Result<Vec<u8>, String> {
    match response.status().as_u16() {
        200 => {}
        429 => {
            return Err(format!(
                "{shown} answered 429 Too Many Requests; try again later"
            ));
        }
        s => return Err(format!("{shown} answered HTTP {s}")),
    }
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("{shown} is larger than {} MiB", max / 1024 / 1024));
    }
    Ok(bytes)
}

fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_urls_as_cargo_builds_them() {
        assert_eq!(
            crate_url(
                "https://static.crates.io/crates",
                "wasmtime-cli",
                "49.0.5",
                "ab"
            ),
            "https://static.crates.io/crates/wasmtime-cli/49.0.5/download"
        );
        assert_eq!(
            crate_url(
                "https://m.example/{prefix}/{lowerprefix}/{crate}/{crate}-{version}.crate?sum={sha256-checksum}",
                "Wasmtime-CLI",
                "49.0.5",
                "ab"
            ),
            "https://m.example/Wa/sm/wa/sm/Wasmtime-CLI/Wasmtime-CLI-49.0.5.crate?sum=ab"
        );
        assert_eq!(host("https://u:p@h.example:8080/x"), "h.example:8080");
    }
}
