//! The layers of facts: cargo's own index cache (read offline, in cargo's
//! format), a local RustSec advisory database, and `refresh` against index
//! servers on 127.0.0.1 that behave well and badly. Nothing here depends on
//! the embedded data's values: they are read from it.

use crate::common::server::{Request, Response, Server};
use crate::common::*;
use cargo_wasmtime_support::Data;
use semver::Version;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub(crate) fn data() -> Data {
    Data::embedded().unwrap()
}

/// The newest LTS the embedded data knows, and its newest patch.
fn newest_lts() -> (u32, Version) {
    let d = data();
    let m = d.majors.values().rev().find(|m| m.lts).unwrap();
    (m.major, m.latest_patch().unwrap().version.clone())
}

/// One sparse-index line of wasmtime.
pub(crate) fn index_line(version: &str, yanked: bool, pubtime: &str) -> String {
    format!(
        r#"{{"name":"wasmtime","vers":"{version}","deps":[],"cksum":"0000000000000000000000000000000000000000000000000000000000000000","features":{{}},"yanked":{yanked},"rust_version":"1.80.0","pubtime":"{pubtime}"}}"#
    )
}

/// Every wasmtime release the embedded data knows, as index lines.
pub(crate) fn embedded_index_lines() -> Vec<String> {
    data()
        .majors
        .values()
        .flat_map(|m| m.patches.iter())
        .map(|p| {
            index_line(
                &p.version.to_string(),
                false,
                &format!("{}T12:00:00Z", p.date),
            )
        })
        .collect()
}

/// A command isolated from the developer's cargo home and caches.
pub(crate) fn isolated(cargo_home: &Path, cache: &Path) -> Command {
    let mut c = command();
    c.env("CARGO_HOME", cargo_home)
        .env("CARGO_WASMTIME_SUPPORT_CACHE_DIR", cache)
        .env_remove("CARGO_HTTP_CAINFO")
        .env_remove("CARGO_HTTP_PROXY")
        .env_remove("CARGO_NET_OFFLINE")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY");
    c
}

pub(crate) fn findings<'a>(j: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

fn train(j: &serde_json::Value, major: u32) -> &serde_json::Value {
    j["trains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["major"] == major)
        .unwrap_or_else(|| panic!("no train {major}"))
}

#[test]
fn cargo_index_cache_brings_newer_patches_and_yanked_flags_offline() {
    let (lts, newest) = newest_lts();
    let next = Version::new(newest.major, 0, newest.patch + 1);
    let used = Version::new(u64::from(lts), 0, 0);
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut lines = embedded_index_lines();
    lines.retain(|l| !l.contains(&format!("\"vers\":\"{used}\"")));
    lines.push(index_line(&used.to_string(), true, "2026-01-01T00:00:00Z"));
    lines.push(index_line(
        &next.to_string(),
        false,
        &format!("{DATE}T00:00:00Z"),
    ));
    write_cargo_entry(home.path(), "wasmtime", &lines);
    let lock = lockfile_with(work.path(), &used);
    let args = [
        "--lockfile",
        lock.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ];
    let r = run_cmd(isolated(home.path(), cache.path()).args(args));
    let j = r.json();
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let t = train(&j, lts);
    assert_eq!(t["newest_patch"], next.to_string(), "{t:#}");
    assert_eq!(
        findings(&j, "yanked")[0]["crate"],
        "wasmtime",
        "{:#}",
        j["findings"]
    );
    let kinds: Vec<&str> = j["data"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["embedded", "cargo-cache"]);
    assert_eq!(j["data"]["source"], "cargo-cache");
    assert!(
        !t["advisories_unknown_after"].is_null(),
        "a patch newer than the advisories makes them unknown"
    );
    // The digest is kept, and a second run gives the same answer from it.
    assert!(cache.path().join("cargo-index.json").is_file());
    let again = run_cmd(isolated(home.path(), cache.path()).args(args)).json();
    assert_eq!(train(&again, lts)["newest_patch"], next.to_string());

    // The human header names the sources.
    let human = run_cmd(isolated(home.path(), cache.path()).args(&args[..4])).stdout;
    assert!(human.contains("cargo's index cache"), "{human}");

    // A corrupt entry: skipped with a note, the audit goes on.
    let path = write_cargo_entry(home.path(), "wasmtime", &lines);
    std::fs::write(&path, b"\x03\x02\x00\x00\x00garbage").unwrap();
    let r = run_cmd(isolated(home.path(), cache.path()).args(args));
    assert!(
        r.stderr.contains("note: cargo's index cache"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("skipped"), "{}", r.stderr);
    assert_eq!(r.json()["data"]["source"], "embedded");
}

const ADVISORY: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "wasmtime"
date = "2099-01-02"
url = "https://example.invalid/advisory"
aliases = ["GHSA-test-test-test"]

[versions]
patched = [">= 10000.0.0"]
```

# A test advisory against every wasmtime

Details.
"#;

#[test]
fn a_local_advisory_database_adds_advisories() {
    let (lts, newest) = newest_lts();
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let lock = lockfile_with(work.path(), &newest);
    let args = |db: Option<&Path>| {
        let mut a = vec![
            "--lockfile".to_string(),
            lock.display().to_string(),
            "--date".into(),
            DATE.into(),
            "--format".into(),
            "json".into(),
        ];
        if let Some(db) = db {
            a.push("--advisory-db".into());
            a.push(db.display().to_string());
        }
        a
    };
    let before = run_cmd(isolated(home.path(), cache.path()).args(args(None))).json();
    assert!(findings(&before, "vulnerable").is_empty());

    // cargo-audit's place: found without a flag.
    let db = home.path().join("advisory-db");
    std::fs::create_dir_all(db.join("crates/wasmtime")).unwrap();
    std::fs::create_dir_all(db.join("crates/serde")).unwrap();
    std::fs::write(db.join("crates/wasmtime/RUSTSEC-2099-0001.md"), ADVISORY).unwrap();
    std::fs::write(
        db.join("crates/wasmtime/RUSTSEC-2099-0002.md"),
        "not an advisory",
    )
    .unwrap();
    let r = run_cmd(isolated(home.path(), cache.path()).args(args(None)));
    let j = r.json();
    let v = findings(&j, "vulnerable");
    assert_eq!(v.len(), 1, "{:#}", j["findings"]);
    assert!(
        v[0]["message"]
            .as_str()
            .unwrap()
            .contains("GHSA-test-test-test"),
        "{}",
        v[0]["message"]
    );
    assert_eq!(v[0]["major"], lts);
    assert!(r.stderr.contains("RUSTSEC-2099-0002.md"), "{}", r.stderr);
    assert!(
        j["data"]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "advisory-db")
    );

    // Named explicitly; a path that is not a database is an error.
    let r = run_cmd(isolated(home.path(), cache.path()).args(args(Some(&db))));
    assert_eq!(findings(&r.json(), "vulnerable").len(), 1);
    let r = run_cmd(isolated(home.path(), cache.path()).args(args(Some(work.path()))));
    assert_usage_error(&r, &["not a RustSec advisory database"]);

    // Named by the configuration, relative to its manifest.
    let own = work.path().join("audit-db");
    std::fs::create_dir_all(own.join("crates/wasmtime")).unwrap();
    std::fs::write(own.join("crates/wasmtime/RUSTSEC-2099-0001.md"), ADVISORY).unwrap();
    std::fs::write(
        work.path().join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[package.metadata.wasmtime-support]\nadvisory-db = \"audit-db\"\n",
    )
    .unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let r = run_cmd(isolated(elsewhere.path(), cache.path()).args(args(None)));
    assert_eq!(findings(&r.json(), "vulnerable").len(), 1, "{}", r.stderr);
}

/// A server answering for wasmtime with `lines` (and an ETag), 404 otherwise.
fn index_server(lines: Vec<String>, etag: &'static str) -> Server {
    let body = lines.join("\n").into_bytes();
    Server::start(move |req: &Request| {
        if !req.path.ends_with("/wa/sm/wasmtime") {
            return Response::Status(404);
        }
        if req.header("if-none-match") == Some(etag) {
            return Response::Status(304);
        }
        Response::Ok {
            body: body.clone(),
            etag: Some(etag.to_string()),
        }
    })
}

fn refresh(home: &Path, cache: &Path, url: &str, extra: &[&str]) -> Run {
    run_cmd(
        isolated(home, cache)
            .args(["refresh", "--index-url", url])
            .args(extra),
    )
}

#[test]
fn refresh_is_conditional_and_keeps_the_cache_on_every_failure() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let server = index_server(embedded_index_lines(), "\"v1\"");
    let r = refresh(home.path(), cache.path(), &server.url, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Fetched 1 crate from"), "{}", r.stdout);
    let stored = std::fs::read(cache.path().join("index.json")).unwrap();

    // Unchanged: a 304, and the same facts.
    let r = refresh(home.path(), cache.path(), &server.url, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("(1 unchanged)"), "{}", r.stdout);
    assert!(
        server
            .requests
            .lock()
            .unwrap()
            .iter()
            .any(|q| q.header("if-none-match") == Some("\"v1\""))
    );
    let facts = |b: &[u8]| {
        let v: serde_json::Value = serde_json::from_slice(b).unwrap();
        v["crates"].clone()
    };
    assert_eq!(
        facts(&std::fs::read(cache.path().join("index.json")).unwrap()),
        facts(&stored)
    );
    drop(server);
    let stored = std::fs::read(cache.path().join("index.json")).unwrap();
    let kept = || std::fs::read(cache.path().join("index.json")).unwrap() == stored;

    // An empty body, a crate that vanished, an endless body, a server that never answers.
    let cases: Vec<(Server, &str, Vec<&str>)> = vec![
        (
            Server::start(|_: &Request| Response::Ok {
                body: Vec::new(),
                etag: None,
            }),
            "no versions",
            vec![],
        ),
        (
            Server::start(|_: &Request| Response::Status(404)),
            "no longer has this crate",
            vec![],
        ),
        (
            Server::start(|_: &Request| Response::Endless),
            "larger than 16 MiB",
            vec![],
        ),
        (
            Server::start(|_: &Request| Response::Hang),
            "2 s deadline",
            vec!["--timeout", "2"],
        ),
    ];
    for (server, why, extra) in cases {
        let started = Instant::now();
        let r = refresh(home.path(), cache.path(), &server.url, &extra);
        assert_usage_error(&r, &[why, "was left as it was"]);
        assert!(kept(), "{why}: the cache changed");
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "{why}: too slow"
        );
    }
}

#[test]
fn refresh_honours_offline_proxy_ca_and_keeps_credentials_secret() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let server = index_server(embedded_index_lines(), "\"v1\"");

    // Offline, three ways: refused before any request.
    let r = refresh(home.path(), cache.path(), &server.url, &["--offline"]);
    assert_usage_error(&r, &["--offline", "stay offline"]);
    let r = run_cmd(
        isolated(home.path(), cache.path())
            .env("CARGO_NET_OFFLINE", "true")
            .args(["refresh", "--index-url", &server.url]),
    );
    assert_usage_error(&r, &["CARGO_NET_OFFLINE"]);
    std::fs::write(home.path().join("config.toml"), "[net]\noffline = true\n").unwrap();
    let r = refresh(home.path(), cache.path(), &server.url, &[]);
    assert_usage_error(&r, &["net.offline"]);
    std::fs::remove_file(home.path().join("config.toml")).unwrap();
    assert!(server.requests.lock().unwrap().is_empty());

    // cargo's CA setting is read (and a missing bundle named).
    let r = run_cmd(
        isolated(home.path(), cache.path())
            .env("CARGO_HTTP_CAINFO", "/nonexistent/ca.pem")
            .args(["refresh", "--index-url", &server.url]),
    );
    assert_usage_error(&r, &["/nonexistent/ca.pem", "CARGO_HTTP_CAINFO"]);

    // cargo's proxy setting: the request goes through the proxy.
    std::fs::write(
        home.path().join("config.toml"),
        format!("[http]\nproxy = \"{}\"\n", server.url.trim_end_matches('/')),
    )
    .unwrap();
    let r = refresh(home.path(), cache.path(), "http://index.invalid/", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        server
            .requests
            .lock()
            .unwrap()
            .iter()
            .any(|q| q.path.starts_with("http://index.invalid"))
    );
    std::fs::remove_file(home.path().join("config.toml")).unwrap();

    // Credentials in the URL authenticate, and are never shown or stored.
    let secret_url = server.url.replace("http://", "http://user:s3cret@");
    let cache2 = tempfile::tempdir().unwrap();
    let r = refresh(home.path(), cache2.path(), &secret_url, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("s3cret") && !r.stderr.contains("s3cret"));
    let stored = std::fs::read_to_string(cache2.path().join("index.json")).unwrap();
    assert!(!stored.contains("s3cret"));
    assert!(
        server
            .requests
            .lock()
            .unwrap()
            .iter()
            .any(|q| q.header("authorization") == Some("Basic dXNlcjpzM2NyZXQ="))
    );
    drop(server);
    let down = secret_url.replace(server_port(&secret_url), &free_port().to_string());
    let r = refresh(home.path(), cache2.path(), &down, &[]);
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains("s3cret"), "{}", r.stderr);
}

fn server_port(url: &str) -> &str {
    url.rsplit(':').next().unwrap().trim_end_matches('/')
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn implausible_index_data_is_ignored() {
    let (lts, newest) = newest_lts();
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut lines = embedded_index_lines();
    let next = format!("{}.0.{}", newest.major, newest.patch + 1);
    lines.push(index_line("10000.0.0", false, "2026-11-01T00:00:00Z"));
    lines.push(index_line(
        &format!("{next}+build"),
        false,
        "2026-11-01T00:00:00Z",
    ));
    let server = index_server(lines, "\"v1\"");
    assert_eq!(refresh(home.path(), cache.path(), &server.url, &[]).code, 0);
    let lock = lockfile_with(work.path(), &newest);
    let j = run_cmd(isolated(home.path(), cache.path()).args([
        "--lockfile",
        lock.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ]))
    .json();
    assert_eq!(
        train(&j, lts)["newest_patch"],
        next,
        "build metadata is not part of a version's order or name"
    );
    let newest_known = data().newest_major();
    assert!(
        j["trains"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["major"].as_u64() <= Some(u64::from(newest_known))),
        "10000 is not a major"
    );
}

#[test]
fn concurrent_refreshes_both_succeed() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let server = index_server(embedded_index_lines(), "\"v1\"");
    let spawn = || {
        isolated(home.path(), cache.path())
            .args(["refresh", "--index-url", &server.url])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let names: Vec<String> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn facts_dated_in_the_future_are_not_used() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let (_, newest) = newest_lts();
    let lock = lockfile_with(work.path(), &newest);
    let far = data().newest_major() + 30;
    for fetched_at in ["2199-12-31T00:00:00Z", "+262142-12-25T00:00:00Z"] {
        std::fs::write(
            cache.path().join("index.json"),
            format!(
                r#"{{"schema":2,"fetched_at":"{fetched_at}","index_url":"https://x/","crates":{{"wasmtime":{{"count":1,"newest":"{far}.0.0","versions":[{{"vers":"{far}.0.0"}}]}}}}}}"#
            ),
        )
        .unwrap();
        let r = run_cmd(isolated(home.path(), cache.path()).args([
            "--lockfile",
            lock.to_str().unwrap(),
            "--date",
            DATE,
            "--format",
            "json",
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains("after today"), "{}", r.stderr);
        assert_eq!(r.json()["data"]["source"], "embedded");
    }
}

#[test]
fn a_release_dated_after_today_is_no_fact_yet() {
    let (lts, newest) = newest_lts();
    let future = format!("{lts}.0.{}", newest.patch + 90);
    let mut lines = embedded_index_lines();
    lines.push(index_line(&future, false, "2099-01-01T00:00:00Z"));
    let server = index_server(lines, "\"f\"");
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let r = refresh(home.path(), cache.path(), &server.url, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Neither the line's newest, nor a patch target, nor an upgrade target.
    let status = run_cmd(isolated(home.path(), cache.path()).args(["status", &lts.to_string()]));
    assert!(!status.stdout.contains(&future), "{}", status.stdout);
    let dir = tempfile::tempdir().unwrap();
    let older = Version::new(newest.major, 0, 0);
    let lock = lockfile_with(dir.path(), &older);
    let audit = run_cmd(isolated(home.path(), cache.path()).args([
        "--lockfile",
        lock.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert!(!audit.stdout.contains(&future), "{}", audit.stdout);
}

#[test]
fn a_bad_answer_never_locks_the_cache() {
    let (lts, newest) = newest_lts();
    let mut poisoned = embedded_index_lines();
    // One line twice, and a release no calendar allows.
    poisoned.push(poisoned.last().unwrap().clone());
    poisoned.push(index_line("9999.0.0", false, "2026-01-01T00:00:00Z"));
    let served = std::sync::Arc::new(std::sync::Mutex::new(poisoned));
    let shared = served.clone();
    let server = Server::start(move |req: &Request| {
        if !req.path.ends_with("/wa/sm/wasmtime") {
            return Response::Status(404);
        }
        Response::Ok {
            body: shared.lock().unwrap().join("\n").into_bytes(),
            etag: None,
        }
    });
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let r = refresh(home.path(), cache.path(), &server.url, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The same index, corrected: its word is taken.
    *served.lock().unwrap() = embedded_index_lines();
    let r = refresh(home.path(), cache.path(), &server.url, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let status = run_cmd(isolated(home.path(), cache.path()).args(["status", &lts.to_string()]));
    assert!(
        status.stdout.contains(&newest.to_string()),
        "{}",
        status.stdout
    );

    // Another index that knows less than the cache is an outdated mirror.
    let mut fewer = embedded_index_lines();
    fewer.pop();
    let mirror = index_server(fewer, "\"m\"");
    let r = refresh(home.path(), cache.path(), &mirror.url, &[]);
    assert_usage_error(&r, &["outdated mirror", "was left as it was"]);
}
