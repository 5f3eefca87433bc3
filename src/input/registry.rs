//! `refresh`'s client: fetches the family crates' index files from a sparse
//! registry index (crates.io's by default), the protocol cargo itself uses.
//! The only code that touches the network. Requests run concurrently, are
//! conditional (`If-None-Match` / `If-Modified-Since`) when the previous cache
//! has validators, and are bounded by a connect timeout, a per-request timeout
//! and an overall deadline. TLS uses the platform's verifier (the system
//! trust store, `SSL_CERT_FILE`), or cargo's `http.cainfo` bundle.
#![cfg_attr(not(feature = "network"), allow(dead_code, unused_imports))]

use crate::error::{Error, Result};
use crate::input::cache::{self, Cache, CrateFacts};
use chrono::{DateTime, Utc};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const CRATES_IO_INDEX: &str = "https://index.crates.io/";
/// Index files of the family are a few megabytes at most; a larger body is
/// refused, never cut short.
pub const MAX_INDEX_FILE: u64 = 16 * 1024 * 1024;
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default overall deadline of a refresh (`--timeout`).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
const WORKERS: usize = 8;

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

/// An index URL: what is shown and stored (never with credentials) and the
/// credentials, when the URL carried them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexUrl {
    pub shown: String,
    credentials: Option<String>,
}

/// `sparse+https://host/path` or `https://host/path`, always ending in `/`;
/// user-info (`user:pass@`) is taken out of the URL and used only to
/// authenticate.
pub fn normalize_index_url(url: &str) -> Result<IndexUrl> {
    let url = url.trim();
    let url = url.strip_prefix("sparse+").unwrap_or(url);
    let Some((scheme, rest)) = url
        .split_once("://")
        .filter(|(s, _)| matches!(*s, "https" | "http"))
    else {
        return Err(Error::new(format!(
            "index URL {:?}: expected an http(s) URL of a sparse index, such as {CRATES_IO_INDEX}",
            redact(url)
        )));
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (credentials, host) = match authority.rsplit_once('@') {
        Some((userinfo, host)) => (Some(userinfo.to_string()), host),
        None => (None, authority),
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::new(format!("index URL {:?}: no host", redact(url))));
    }
    let mut shown = format!("{scheme}://{host}{path}");
    if !shown.ends_with('/') {
        shown.push('/');
    }
    Ok(IndexUrl { shown, credentials })
}

/// `url` with any user-info replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[end..]),
        None => url.to_string(),
    }
}

#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub index: IndexUrl,
    /// A PEM bundle to trust instead of the platform's roots, and where it was set.
    pub cainfo: Option<(PathBuf, String)>,
    /// A proxy URL and where it was set; `None` leaves `HTTPS_PROXY` & co. to the client.
    pub proxy: Option<(String, String)>,
    /// A token sent as `Authorization` (for mirrors that need one).
    pub token: Option<String>,
    pub deadline: Duration,
}

/// What a refresh learnt.
#[derive(Debug)]
pub struct Fetched {
    pub cache: Cache,
    /// Crates the server answered `304 Not Modified` for.
    pub unchanged: usize,
    /// Crates that failed, with the reason; when not empty nothing may be stored.
    pub failures: Vec<String>,
}

enum Answer {
    Facts(CrateFacts),
    Unchanged,
    Absent,
}

/// Fetches every crate in `names`. `previous` (the cache so far) supplies the
/// validators for conditional requests and the facts of unchanged crates; a
/// crate it knew that the index no longer has is a failure. `progress` is
/// called (on this thread) with (done, total) as crates complete.
#[cfg(feature = "network")]
pub fn fetch(
    opts: &FetchOptions,
    names: &[&str],
    previous: Option<&Cache>,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Fetched> {
    let agent = agent(opts)?;
    // Validators are only good for the index that gave them; what the cache
    // knows counts whatever index it came from (a mirror must not know less).
    let validators = previous.filter(|p| p.index_url == opts.index.shown);
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, std::result::Result<Answer, String>)>> =
        Mutex::new(Vec::with_capacity(names.len()));
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..WORKERS.min(names.len()))
            .map(|_| {
                s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = names.get(i) else { break };
                    let old = validators.and_then(|p| p.crates.get(*name));
                    let answer = match opts.deadline.checked_sub(started.elapsed()) {
                        Some(left) if !left.is_zero() => fetch_one(&agent, opts, name, old, left),
                        _ => Err(format!(
                            "not fetched: the refresh took longer than its {} s deadline (--timeout)",
                            opts.deadline.as_secs()
                        )),
                    };
                    if let Ok(mut r) = results.lock() {
                        r.push((name.to_string(), answer));
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
                })
            })
            .collect();
        let mut shown = 0;
        loop {
            let finished = workers.iter().all(|w| w.is_finished());
            let now_done = done.load(Ordering::Relaxed);
            if now_done != shown {
                shown = now_done;
                progress(shown, names.len());
            }
            if finished {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    if started.elapsed() >= opts.deadline {
        let fetched = results.iter().filter(|(_, r)| r.is_ok()).count();
        return Ok(Fetched {
            cache: Cache::new(&opts.index.shown, now),
            unchanged: 0,
            failures: vec![format!(
                "no complete answer within the {} s deadline (--timeout): {fetched} of {} crates fetched",
                opts.deadline.as_secs(),
                names.len()
            )],
        });
    }
    // `wasmtime` first: its failure is the one to name.
    results.sort_by(|a, b| (a.0 != "wasmtime", &a.0).cmp(&(b.0 != "wasmtime", &b.0)));

    let mut cache = Cache::new(&opts.index.shown, now);
    let mut unchanged = 0;
    let mut failures = Vec::new();
    for (name, answer) in results {
        let old = previous.and_then(|p| p.crates.get(&name));
        match answer {
            Ok(Answer::Facts(facts)) => {
                if name == "wasmtime" && facts.versions.is_empty() {
                    failures.push("`wasmtime`: the index lists no versions".to_string());
                } else {
                    cache.crates.insert(name, facts);
                }
            }
            Ok(Answer::Unchanged) => match validators.and_then(|p| p.crates.get(&name)) {
                Some(old) => {
                    unchanged += 1;
                    cache.crates.insert(name, old.clone());
                }
                None => failures.push(format!(
                    "`{name}`: the server answered 304 Not Modified to an unconditional request"
                )),
            },
            Ok(Answer::Absent) if old.is_some() => failures.push(format!(
                "`{name}`: the index no longer has this crate, although the cache knew it"
            )),
            Ok(Answer::Absent) => {}
            Err(why) => failures.push(format!("`{name}`: {why}")),
        }
    }
    if failures.is_empty() && !cache.crates.contains_key("wasmtime") {
        failures.push(format!(
            "{} has no `wasmtime` crate: not a crates.io index or mirror",
            opts.index.shown
        ));
    }
    // Another index knowing less than the cache is an outdated mirror. The
    // index the cache came from, or crates.io itself, is the truth about
    // what it serves: its corrections (a removed version, a mirror that
    // served a bogus one) are taken, so a bad answer never locks a cache.
    if let Some(p) = previous
        && failures.is_empty()
        && p.index_url != opts.index.shown
        && opts.index.shown != CRATES_IO_INDEX
    {
        failures.extend(knows_less(p, &cache));
    }
    Ok(Fetched {
        cache,
        unchanged,
        failures,
    })
}

/// Resolves each host once per refresh, one lookup at a time. The client
/// asks for every request, even on a pooled connection, and some resolvers
/// (behind sandboxes and proxies) drop concurrent queries and answer only
/// after a 5 s retry: a lookup per crate made a refresh take 15 s instead of 2.
#[cfg(feature = "network")]
#[derive(Debug, Default)]
struct OnceResolver {
    inner: ureq::unversioned::resolver::DefaultResolver,
    seen:
        Mutex<std::collections::HashMap<String, ureq::unversioned::resolver::ResolvedSocketAddrs>>,
}

#[cfg(feature = "network")]
impl ureq::unversioned::resolver::Resolver for OnceResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> std::result::Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let key = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or(""),
            uri.authority().map(|a| a.as_str()).unwrap_or("")
        );
        // Held across the lookup, so concurrent requests wait for one answer.
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(addrs) = seen.get(&key) {
            return Ok(addrs.clone());
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        seen.insert(key, addrs.clone());
        Ok(addrs)
    }
}

/// What `new` would forget of `old`: a registry never unpublishes (a yanked
/// version stays listed), so an index that lists fewer versions of a crate,
/// an older newest version, or not every `wasmtime` release the cache knows,
/// is an outdated or broken mirror.
pub fn knows_less(old: &Cache, new: &Cache) -> Vec<String> {
    let mut out = Vec::new();
    for (name, before) in &old.crates {
        let Some(after) = new.crates.get(name) else {
            continue; // reported as vanished by the caller
        };
        let newest = |f: &CrateFacts| {
            f.newest
                .as_deref()
                .and_then(|v| semver::Version::parse(v).ok())
        };
        if after.count < before.count || newest(after) < newest(before) {
            out.push(format!(
                "`{name}`: the index lists {} versions (newest {}), the cache already knows {} (newest {}): an outdated mirror?",
                after.count,
                after.newest.as_deref().unwrap_or("none"),
                before.count,
                before.newest.as_deref().unwrap_or("none"),
            ));
            continue;
        }
        let listed: std::collections::HashSet<&str> =
            after.versions.iter().map(|v| v.vers.as_str()).collect();
        if let Some(gone) = before
            .versions
            .iter()
            .find(|v| !listed.contains(v.vers.as_str()))
        {
            out.push(format!(
                "`{name}`: the index no longer lists {}, which the cache knows: an outdated mirror?",
                gone.vers
            ));
        }
    }
    out
}

#[cfg(feature = "network")]
pub fn agent(opts: &FetchOptions) -> Result<ureq::Agent> {
    use ureq::tls::{RootCerts, TlsConfig};
    let roots = match &opts.cainfo {
        None => RootCerts::PlatformVerifier,
        Some((path, origin)) => {
            let shown = path.display().to_string();
            let pem = std::fs::read(path).map_err(|e| {
                Error::in_file(
                    &shown,
                    format!("cannot read the CA bundle set by {origin}: {e}"),
                )
            })?;
            let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(Error::in_file(
                    &shown,
                    format!("no PEM certificate in the CA bundle set by {origin}"),
                ));
            }
            RootCerts::new_with_certs(&certs)
        }
    };
    let mut config = ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        // Keep every worker's connection for the next crate: one TLS
        // handshake (and one name lookup) per worker, not per crate.
        .max_idle_connections_per_host(WORKERS)
        .max_idle_connections(WORKERS)
        .http_status_as_error(false)
        .user_agent(concat!(
            "cargo-wasmtime-support/",
            env!("CARGO_PKG_VERSION")
        ))
        .tls_config(TlsConfig::builder().root_certs(roots).build());
    if let Some((proxy, origin)) = &opts.proxy {
        let p = ureq::Proxy::new(proxy).map_err(|e| {
            Error::new(format!(
                "the proxy {} set by {origin} is not valid: {e}",
                redact(proxy)
            ))
        })?;
        config = config.proxy(Some(p));
    }
    Ok(ureq::Agent::with_parts(
        config.build(),
        ureq::unversioned::transport::DefaultConnector::new(),
        OnceResolver::default(),
    ))
}

#[cfg(feature = "network")]
fn fetch_one(
    agent: &ureq::Agent,
    opts: &FetchOptions,
    name: &str,
    old: Option<&CrateFacts>,
    left: Duration,
) -> std::result::Result<Answer, String> {
    let url = format!("{}{}", opts.index.shown, index_path(name));
    let mut req = agent
        .get(&url)
        .header("Accept", "text/plain")
        .header("cargo-protocol", "version=1");
    if let Some(old) = old {
        if let Some(etag) = &old.etag {
            req = req.header("If-None-Match", etag);
        } else if let Some(lm) = &old.last_modified {
            req = req.header("If-Modified-Since", lm);
        }
    }
    if let Some(auth) = authorization(opts) {
        req = req.header("Authorization", auth);
    }
    let response = req
        .config()
        .timeout_global(Some(left.min(REQUEST_TIMEOUT)))
        .build()
        .call()
        .map_err(|e| describe(&e, opts))?;
    match response.status().as_u16() {
        200 => {}
        304 => return Ok(Answer::Unchanged),
        404 | 410 | 451 => return Ok(Answer::Absent),
        status => return Err(format!("{url} answered HTTP {status}")),
    }
    let header = |h: &str| {
        response
            .headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (etag, last_modified) = (header("etag"), header("last-modified"));
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_INDEX_FILE + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("cannot read {url}: {}", describe_io(&e)))?;
    if body.len() as u64 > MAX_INDEX_FILE {
        return Err(format!(
            "{url} is larger than {} MiB: not an index file",
            MAX_INDEX_FILE / 1024 / 1024
        ));
    }
    let text = String::from_utf8(body).map_err(|_| format!("{url} is not UTF-8 text"))?;
    let versions = cache::parse_index_file(&text, name).map_err(|e| format!("{url}: {e}"))?;
    if versions.is_empty() {
        return Err(format!("{url} answered with no versions"));
    }
    let mut facts = CrateFacts::from_versions(name, versions);
    facts.etag = etag;
    facts.last_modified = last_modified;
    Ok(Answer::Facts(facts))
}

/// The `Authorization` header for the registry: the token, else the
/// index URL's user-info.
pub fn authorization(opts: &FetchOptions) -> Option<String> {
    if let Some(token) = &opts.token {
        return Some(token.clone());
    }
    opts.index.credentials.as_ref().map(|userinfo| {
        format!(
            "Basic {}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, userinfo)
        )
    })
}

/// A transport error as one line, with the remedy when there is a usual one.
#[cfg(feature = "network")]
pub fn describe(e: &ureq::Error, opts: &FetchOptions) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if matches!(e, ureq::Error::Timeout(_)) || lower.contains("timed out") {
        return format!(
            "no answer in time ({text}); each request may take {} s, the whole refresh --timeout",
            REQUEST_TIMEOUT.as_secs()
        );
    }
    if lower.contains("certificate") || lower.contains("unknownissuer") || lower.contains("tls") {
        let remedy = match &opts.cainfo {
            Some((path, origin)) => format!(
                "the CA bundle {} (set by {origin}) does not vouch for the server",
                path.display()
            ),
            None => "behind a TLS-inspecting proxy, set CARGO_HTTP_CAINFO or SSL_CERT_FILE to your proxy's CA bundle".into(),
        };
        return format!("TLS: {text}; {remedy}");
    }
    if lower.contains("dns") || lower.contains("resolve") || lower.contains("connect") {
        return format!(
            "cannot connect ({text}); check the network, or set a proxy with CARGO_HTTP_PROXY or HTTPS_PROXY"
        );
    }
    redact(&text)
}

fn describe_io(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::TimedOut {
        "no answer in time".into()
    } else {
        e.to_string()
    }
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
            normalize_index_url("sparse+https://index.crates.io/")
                .unwrap()
                .shown,
            "https://index.crates.io/"
        );
        assert_eq!(
            normalize_index_url("http://127.0.0.1:8080/index")
                .unwrap()
                .shown,
            "http://127.0.0.1:8080/index/"
        );
        assert!(normalize_index_url("file:///tmp/index").is_err());
        assert!(normalize_index_url("https:///path").is_err());
    }

    #[test]
    fn a_cache_never_learns_less() {
        let facts = |name: &str, versions: &[&str]| {
            CrateFacts::from_versions(
                name,
                versions
                    .iter()
                    .map(|v| cache::IndexVersion {
                        vers: v.to_string(),
                        yanked: false,
                        rust_version: None,
                        pubtime: None,
                        deps: Vec::new(),
                        default_deps: Vec::new(),
                        cksum: None,
                    })
                    .collect(),
            )
        };
        let at = "2026-11-21T00:00:00Z".parse().unwrap();
        let mut old = Cache::new("https://a/", at);
        old.crates
            .insert("wasmtime".into(), facts("wasmtime", &["50.0.1", "50.0.2"]));
        old.crates.insert(
            "cranelift-codegen".into(),
            facts("cranelift-codegen", &["0.137.0", "0.137.1"]),
        );
        // The same knowledge (or more) is fine.
        assert!(knows_less(&old, &old).is_empty());
        // A release swapped for another keeps the count but drops 50.0.2.
        let mut swapped = old.clone();
        swapped.crates.insert(
            "wasmtime".into(),
            facts("wasmtime", &["50.0.1", "10000.0.0"]),
        );
        assert!(knows_less(&old, &swapped)[0].contains("no longer lists 50.0.2"));
        // Another crate cut short.
        let mut cut = old.clone();
        cut.crates.insert(
            "cranelift-codegen".into(),
            facts("cranelift-codegen", &["0.14.0"]),
        );
        assert!(knows_less(&old, &cut)[0].contains("`cranelift-codegen`"));
    }

    #[test]
    fn credentials_never_shown() {
        let u = normalize_index_url("https://user:s3cret@mirror.example/idx").unwrap();
        assert_eq!(u.shown, "https://mirror.example/idx/");
        assert_eq!(u.credentials.as_deref(), Some("user:s3cret"));
        assert_eq!(redact("http://user:s3cret@h:1/x"), "http://***@h:1/x");
        let e = normalize_index_url("ftp://user:s3cret@h/").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
