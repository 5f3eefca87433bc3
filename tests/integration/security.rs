//! Security and freshness: patch currency, advisories, yanked versions,
//! stale data, MSRV, and `refresh` against a registry index served on 127.0.0.1.

use crate::common::*;
use cargo_wasmtime_support::policy;
use cargo_wasmtime_support::{Data, Publication};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[test]
fn wasmtime_24_0_2_is_vulnerable_and_behind_on_patches() {
    let (code, r) = audit_json("generated/wasmtime-24.0.2", &[]);
    assert_eq!(code, 1, "vulnerable is an error by default");
    let vulnerable = findings_with(&r, "vulnerable");
    // One finding per crate version, with every advisory that affects it.
    let mut crates: Vec<String> = vulnerable
        .iter()
        .map(|f| format!("{} {}", f["crate"], f["version"]))
        .collect();
    crates.sort_unstable();
    crates.dedup();
    assert_eq!(crates.len(), vulnerable.len());
    let ids: Vec<&str> = vulnerable
        .iter()
        .filter(|f| f["crate"] == "wasmtime")
        .flat_map(|f| f["advisories"].as_array().unwrap())
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"GHSA-fm79-3f68-h2fc"), "{ids:?}");
    assert!(
        !ids.contains(&"GHSA-c2f5-jxjv-2hh8"),
        "fixed in 24.0.2 itself"
    );
    let fm79 = vulnerable
        .iter()
        .find(|f| f["crate"] == "wasmtime")
        .unwrap();
    assert_eq!(fm79["version"], "24.0.2");
    assert_eq!(fm79["level"], "error");
    let adv = fm79["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "GHSA-fm79-3f68-h2fc")
        .unwrap();
    assert_eq!(adv["fixed_in"], "24.0.4");
    assert_eq!(
        adv["aliases"],
        serde_json::json!(["RUSTSEC-2025-0046", "CVE-2025-53901"])
    );
    assert!(
        fm79["message"]
            .as_str()
            .unwrap()
            .contains("GHSA-fm79-3f68-h2fc")
    );
    assert_eq!(
        fm79["location"]["line"],
        line_of("generated/wasmtime-24.0.2", "wasmtime")
    );
    // Each advisory once, even where RustSec has it twice.
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());

    let outdated = findings_with(&r, "outdated-patch");
    assert_eq!(outdated.len(), 1);
    let message = outdated[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "wasmtime 24.0.2 is behind the newest patch of its line that resolves, 24.0.13"
        ),
        "{message}"
    );
    let fixed: Vec<&str> = outdated[0]["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(
        fixed.contains(&"GHSA-fm79-3f68-h2fc") && fixed.contains(&"GHSA-vqjp-4c8c-hfgg"),
        "{fixed:?}"
    );
    assert!(
        !fixed.contains(&"GHSA-c2f5-jxjv-2hh8"),
        "already fixed in the version in use"
    );
    assert_eq!(train(&r, 24)["newest_patch"], "24.0.13");
}

fn line_of(fixture_name: &str, package: &str) -> u64 {
    let text = std::fs::read_to_string(fixture(&format!("{fixture_name}/Cargo.lock"))).unwrap();
    let at = text
        .lines()
        .position(|l| l == format!("name = \"{package}\""))
        .unwrap();
    at as u64 + 1
}

#[test]
fn cranelift_only_trains_are_checked_through_their_own_numbers() {
    let (_, r) = audit_json("rustc_codegen_cranelift", &[]);
    let outdated = findings_with(&r, "outdated-patch");
    assert_eq!(outdated.len(), 1);
    assert!(
        outdated[0]["message"].as_str().unwrap().starts_with(&format!(
            "cranelift-codegen 0.134.0 (Wasmtime 47) is behind the newest patch of its line that resolves, {}",
            resolving(train(&r, 47), 47, DATE, None).unwrap()
        )),
        "{}",
        outdated[0]["message"]
    );
    assert!(
        findings_with(&r, "vulnerable").is_empty(),
        "no advisory names cranelift-codegen 0.134"
    );
}

#[test]
fn the_newest_patch_is_not_outdated_and_pre_releases_have_no_advisories() {
    let data = Data::embedded().unwrap();
    let newest = data.majors[&48].latest_patch().unwrap().version.clone();
    let dir = tempfile::tempdir().unwrap();
    let lock = lockfile_with(dir.path(), &newest);
    let r = run(&[
        "--lockfile",
        lock.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ])
    .json();
    assert!(
        findings_with(&r, "outdated-patch").is_empty(),
        "{:#}",
        r["findings"]
    );
    // A pre-release is judged as the release it precedes, and says so.
    let (_, r) = audit_json("wasmtime", &[]);
    for f in findings_with(&r, "vulnerable") {
        let m = f["message"].as_str().unwrap();
        assert!(m.contains("(a pre-release of 49.0.0)"), "{m}");
    }
}

#[test]
fn stale_data_names_the_majors_the_data_has_not_seen() {
    let data = Data::embedded().unwrap();
    let newest = data.newest_major();
    // A week after the third major past the data: those due after the
    // facts were taken are unseen (one due before, and missing, is late).
    let day = |m: u32| policy::release_date(m).unwrap();
    let later_day = day(newest + 3) + chrono::Days::new(8);
    let later = later_day.to_string();
    let unseen: Vec<String> = (newest + 1..=newest + 3)
        .filter(|&m| matches!(data.publication(m, later_day), Publication::Unseen { .. }))
        .map(|m| m.to_string())
        .collect();
    assert!(unseen.len() >= 2);
    let (_, r) = audit_json("generated/wasmtime-48.0.0", &["--date", &later]);
    let stale = findings_with(&r, "stale-data");
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0]["level"], "note");
    let message = stale[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("has not seen Wasmtime {},", unseen.join(", "))),
        "{message}"
    );
    assert!(message.contains("cargo wasmtime-support refresh"));
    let before = (day(newest + 1) - chrono::Days::new(1)).to_string();
    let (_, r) = audit_json("generated/wasmtime-48.0.0", &["--date", &before]);
    // (The facts may be over a week old by then: that is said, not a major.)
    assert!(
        findings_with(&r, "stale-data")
            .iter()
            .all(|f| !f["message"].as_str().unwrap().contains("has not seen")),
        "{} is not due yet",
        newest + 1
    );
    assert_eq!(r["data"]["source"], "embedded");
    assert_eq!(r["data"]["date"], data.data_date.to_string());
    assert_eq!(
        r["data"]["advisories_date"],
        data.provenance.advisories_date.to_string()
    );
}

#[test]
fn msrv_gap_is_noted_next_to_the_upgrade() {
    // A copy of the 27 workspace that declares rust-version 1.85.
    let (dir, m) = workspace_copy("generated/wasmtime-27", |m| {
        m.replace(
            "edition = \"2021\"",
            "edition = \"2021\"\nrust-version = \"1.85\"",
        )
    });
    let r = run(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ])
    .json();
    assert_eq!(r["rust_version"], "1.85.0");
    let gaps = findings_with(&r, "msrv-gap");
    assert_eq!(gaps.len(), 1);
    assert_eq!(
        gaps[0]["message"],
        "Wasmtime 48 LTS needs Rust 1.95; this workspace declares 1.85"
    );
    assert_eq!(gaps[0]["level"], "note");
    let manifest_text = std::fs::read_to_string(&m).unwrap();
    let rust_line = manifest_text
        .lines()
        .position(|l| l.starts_with("rust-version"))
        .unwrap()
        + 1;
    assert_eq!(gaps[0]["location"]["line"], rust_line as u64);
    assert!(
        gaps[0]["location"]["path"]
            .as_str()
            .unwrap()
            .ends_with("Cargo.toml")
    );
    let human = run(&["--manifest-path", m.to_str().unwrap(), "--date", DATE]).stdout;
    assert_eq!(
        human.matches("needs Rust 1.95").count(),
        1,
        "said once: {human}"
    );

    // The same from the lockfile alone, with the manifest beside it.
    let l = dir.path().join("Cargo.lock");
    let r = run(&[
        "--lockfile",
        l.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "json",
    ])
    .json();
    assert_eq!(findings_with(&r, "msrv-gap").len(), 1);
    // No declared rust-version: nothing to compare.
    let (_, r) = audit_json("generated/wasmtime-27", &[]);
    assert!(findings_with(&r, "msrv-gap").is_empty());
}

/// A sparse index on 127.0.0.1: serves files under `dir` at their index paths,
/// answers 404 for anything else, and stops when dropped (or after a minute).
struct IndexServer {
    url: String,
    stop: Arc<AtomicBool>,
}

impl IndexServer {
    fn start(dir: PathBuf) -> IndexServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        answer(stream, &dir);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        IndexServer { url, stop }
    }
}

impl Drop for IndexServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn answer(stream: std::net::TcpStream, dir: &Path) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    reader.read_line(&mut request).unwrap();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/');
    let file = path.rsplit('/').next().unwrap_or_default();
    let body = std::fs::read(dir.join(file))
        .ok()
        .filter(|_| !file.is_empty() && !path.contains(".."));
    let mut stream = stream;
    match body {
        Some(b) => {
            write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n", b.len()).unwrap();
            stream.write_all(&b).unwrap();
        }
        None => write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap(),
    }
}

/// The two real index files, with `edit` applied to the wasmtime one.
fn index_dir(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("tests/data/index");
    let wasmtime = std::fs::read_to_string(sample.join("wasmtime")).unwrap();
    std::fs::write(dir.path().join("wasmtime"), edit(wasmtime)).unwrap();
    std::fs::copy(
        sample.join("cranelift-codegen"),
        dir.path().join("cranelift-codegen"),
    )
    .unwrap();
    dir
}

fn with_cache(cache: &Path, args: &[&str]) -> Run {
    let env = cargo_wasmtime_support::Env {
        cache_dir: Some(cache.to_path_buf()),
        ..env()
    };
    run_in(&env, args)
}

#[test]
fn refresh_learns_new_majors_patches_and_dates_then_audits_use_them_offline() {
    let data = Data::embedded().unwrap();
    let newest = data.newest_major();
    let last = data.majors[&newest].latest_patch().unwrap().version.clone();
    let next_patch = format!("{newest}.0.{}", last.patch + 1);
    let lts = *data.majors.iter().rev().find(|(_, m)| m.lts).unwrap().0;
    let lts_last = data.majors[&lts].latest_patch().unwrap().version.clone();
    let lts_next = format!("{lts}.0.{}", lts_last.patch + 1);
    // The real index file, plus a patch of the newest line and of the newest LTS.
    let index = index_dir(|s| {
        let line = |v: &str| {
            format!(
                "{{\"name\":\"wasmtime\",\"vers\":\"{v}\",\"deps\":[],\"cksum\":\"00\",\"features\":{{}},\"yanked\":false,\"rust_version\":\"1.99\",\"pubtime\":\"{DATE}T10:00:00Z\"}}"
            )
        };
        format!("{s}\n{}\n{}", line(&next_patch), line(&lts_next))
    });
    let server = IndexServer::start(index.path().to_path_buf());
    let cache = tempfile::tempdir().unwrap();
    let r = with_cache(cache.path(), &["refresh", "--index-url", &server.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Fetched 2 crates from"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("Newest Wasmtime: {next_patch}")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("2 patch releases newer"), "{}", r.stdout);
    assert!(cache.path().join("index.json").is_file());
    drop(server);

    // Offline now: the server is gone, the cache is used.
    let lock50 = lock("generated/wasmtime-50.0.1");
    let j = with_cache(
        cache.path(),
        &["--lockfile", &lock50, "--date", DATE, "--format", "json"],
    )
    .json();
    assert_eq!(j["data"]["source"], "registry");
    assert_eq!(j["data"]["index_url"], server_url_of(&j));
    assert_eq!(j["data"]["sources"][1]["kind"], "registry");

    // The LTS's target version is the new patch.
    let lock27 = lock("generated/wasmtime-27");
    let j = with_cache(
        cache.path(),
        &["--lockfile", &lock27, "--date", DATE, "--format", "json"],
    )
    .json();
    assert_eq!(train(&j, 27)["upgrade"]["target_version"], lts_next);
    let human = with_cache(cache.path(), &["--lockfile", &lock27, "--date", DATE]).stdout;
    assert!(human.contains("refreshed index "), "{human}");
}

fn server_url_of(j: &serde_json::Value) -> String {
    j["data"]["index_url"].as_str().unwrap().to_string()
}

#[test]
fn refresh_reports_yanked_versions() {
    let index = index_dir(|s| {
        s.lines()
            .map(|l| {
                if l.contains("\"vers\": \"50.0.1\"") || l.contains("\"vers\":\"50.0.1\"") {
                    l.replace("\"yanked\": false", "\"yanked\": true")
                        .replace("\"yanked\":false", "\"yanked\":true")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let server = IndexServer::start(index.path().to_path_buf());
    let cache = tempfile::tempdir().unwrap();
    assert_eq!(
        with_cache(cache.path(), &["refresh", "--index-url", &server.url]).code,
        0
    );
    let lock50 = lock("generated/wasmtime-50.0.1");
    let j = with_cache(
        cache.path(),
        &["--lockfile", &lock50, "--date", DATE, "--format", "json"],
    )
    .json();
    let yanked = findings_with(&j, "yanked");
    assert_eq!(yanked.len(), 1, "{:#}", j["findings"]);
    assert_eq!(yanked[0]["crate"], "wasmtime");
    assert_eq!(yanked[0]["level"], "warning");
    let newest = train(&j, 50)["newest_patch"].as_str().unwrap();
    assert_ne!(
        newest, "50.0.1",
        "a yanked patch is never the one to move to"
    );
    assert_eq!(
        Some(newest.to_string()),
        resolving(train(&j, 50), 50, DATE, None),
        "the newest that resolves"
    );
}

#[test]
fn a_corrupt_response_is_rejected_and_the_cache_kept() {
    let cache = tempfile::tempdir().unwrap();
    let good = index_dir(|s| s);
    let server = IndexServer::start(good.path().to_path_buf());
    assert_eq!(
        with_cache(cache.path(), &["refresh", "--index-url", &server.url]).code,
        0
    );
    drop(server);
    let before = std::fs::read(cache.path().join("index.json")).unwrap();

    let bad = index_dir(|s| format!("{s}\n{{\"name\": \"wasmtime\", \"vers\": "));
    let server = IndexServer::start(bad.path().to_path_buf());
    let r = with_cache(cache.path(), &["refresh", "--index-url", &server.url]);
    assert_usage_error(
        &r,
        &[
            "wa/sm/wasmtime",
            "index entry on line 240 of `wasmtime` is not valid",
            "was left as it was",
        ],
    );
    assert_eq!(
        std::fs::read(cache.path().join("index.json")).unwrap(),
        before
    );
    drop(server);

    // Server down: a clear error, exit 2, the cache kept.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = with_cache(
        cache.path(),
        &[
            "refresh",
            "--index-url",
            &format!("http://127.0.0.1:{port}/"),
        ],
    );
    assert_usage_error(
        &r,
        &["cannot connect", "http://127.0.0.1:", "was left as it was"],
    );
    assert_eq!(
        std::fs::read(cache.path().join("index.json")).unwrap(),
        before
    );

    // Not an index at all.
    let empty = tempfile::tempdir().unwrap();
    let server = IndexServer::start(empty.path().to_path_buf());
    assert_usage_error(
        &with_cache(cache.path(), &["refresh", "--index-url", &server.url]),
        &["`wasmtime`: the index no longer has this crate, although the cache knew it"],
    );
    assert_usage_error(
        &with_cache(cache.path(), &["refresh", "--index-url", "ftp://example"]),
        &["expected an http(s) URL"],
    );
}

#[test]
fn a_corrupt_cache_never_stops_an_audit() {
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(
        cache.path().join("index.json"),
        "{\"schema\": 1, \"crates\": {\"wasm",
    )
    .unwrap();
    let r = with_cache(
        cache.path(),
        &[
            "--lockfile",
            &lock("generated/wasmtime-48.0.0"),
            "--date",
            DATE,
            "--format",
            "json",
            "--allow",
            "vulnerable",
        ],
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.json()["data"]["source"], "embedded");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("warning: ignoring the registry cache "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("refresh"), "{}", r.stderr);
}

#[test]
fn write_data_regenerates_the_embedded_releases_file() {
    let index = index_dir(|s| s);
    let server = IndexServer::start(index.path().to_path_buf());
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = with_cache(
        cache.path(),
        &[
            "refresh",
            "--index-url",
            &server.url,
            "--write-data",
            out.path().to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("releases.json")).unwrap())
            .unwrap();
    let majors = written["majors"].as_array().unwrap();
    let m50 = majors.iter().find(|m| m["major"] == 50).unwrap();
    assert_eq!(m50["released"], "2026-10-20");
    assert_eq!(m50["eol"], "2026-12-20");
    assert_eq!(m50["rust_version"], "1.97.0");
    let m24 = majors.iter().find(|m| m["major"] == 24).unwrap();
    let p4 = m24["patches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == "24.0.4")
        .unwrap();
    assert!(
        p4["advisories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "GHSA-fm79-3f68-h2fc"),
        "advisory facts kept"
    );
}

#[test]
fn facts_over_a_week_old_are_said_with_their_age() {
    let data = Data::embedded().unwrap();
    let lock = lock("generated/wasmtime-48.0.0");
    let on = |days: u64| {
        let date = data.data_date + chrono::Days::new(days);
        let (_, j) = audit_json_at(&lock, &date.to_string());
        findings_with(&j, "stale-data")
            .into_iter()
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(on(7).is_empty(), "{:?}", on(7));
    let stale = on(8);
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert!(stale[0].contains("8 days old"), "{stale:?}");
    assert!(
        stale[0].contains("cargo wasmtime-support refresh"),
        "{stale:?}"
    );
}

fn audit_json_at(lock: &str, date: &str) -> (i32, serde_json::Value) {
    let r = run(&["--lockfile", lock, "--date", date, "--format", "json"]);
    (r.code, r.json())
}
