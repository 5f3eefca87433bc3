//! `refresh`'s advisory sources against a registry and an OSV API on
//! 127.0.0.1: the release notes in `wasmtime-cli` crates built here, OSV
//! records, one advisory shown once, and every hostile answer ending in one
//! warning with the source's cache left as it was.

use crate::common::server::{Request, Response, Server};
use crate::common::*;
use crate::sources::{data, embedded_index_lines, findings, isolated};
use semver::Version;
use sha2::Digest;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

const GHSA: &str = "GHSA-tst1-0000-0001";
const RUSTSEC: &str = "RUSTSEC-2026-9001";

/// The newest LTS line the data knows, its newest patch, and a made-up next patch.
fn line() -> (u32, Version, Version) {
    let d = data();
    let m = d.majors.values().rev().find(|m| m.lts).unwrap();
    let newest = m.latest_patch().unwrap().version.clone();
    let mut next = newest.clone();
    next.patch += 1;
    (m.major, newest, next)
}

/// A `.crate` holding `members`, as cargo packages one; `size` overrides what
/// a member's header claims.
fn crate_file(members: &[(&str, &[u8], Option<u64>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, content, size) in members {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_size(size.unwrap_or(content.len() as u64));
        header.set_cksum();
        tar.append(&header, *content).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

/// Wasmtime's RELEASES.md for the patch `v`, fixing the test advisory.
fn releases_md(v: &Version, day: &str) -> String {
    format!(
        "## {v}\n\nReleased {day}.\n\n### Fixed\n\n* A made-up table bounds check was fixed.\n  [{GHSA}](https://github.com/bytecodealliance/wasmtime/security/advisories/{GHSA})\n\n## {}.0.0\n\nReleased {day}.\n\n### Changed\n\n* Something.\n",
        v.major
    )
}

fn cli_line(v: &Version, crate_bytes: &[u8], day: &str) -> String {
    let sum: String = sha2::Sha256::digest(crate_bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        r#"{{"name":"wasmtime-cli","vers":"{v}","deps":[],"cksum":"{sum}","features":{{}},"yanked":false,"pubtime":"{day}T12:00:00Z"}}"#
    )
}

fn osv_record(line: u32, fixed: &Version, id: &str) -> String {
    serde_json::json!({
        "id": RUSTSEC, "modified": "2026-12-01T00:00:00Z", "published": "2026-12-01T00:00:00Z",
        "aliases": [id],
        "summary": "A made-up table bounds check",
        "affected": [{"package": {"ecosystem": "crates.io", "name": "wasmtime"},
            "ranges": [{"type": "SEMVER", "events": [
                {"introduced": format!("{line}.0.0")}, {"fixed": fixed.to_string()}]}]}]
    })
    .to_string()
}

/// What the registry and OSV serve; tests swap parts of it between refreshes.
struct World {
    index: Vec<String>,
    cli: Vec<String>,
    crates: Vec<(String, Vec<u8>)>,
    /// The result for the `wasmtime` query.
    osv: Response,
    /// An answer to the whole batch instead.
    osv_raw: Option<Vec<u8>>,
    record: String,
    /// What PyPI answers for `wasmtime`.
    pypi: Response,
}

/// PyPI's answer for `wasmtime` as recorded from the live registry.
fn pypi_answer() -> Response {
    Response::Ok {
        body: std::fs::read(fixture("shipped/pypi-wasmtime.json")).unwrap(),
        etag: None,
    }
}

const GEMS: &str =
    r#"[{"number":"36.0.0","platform":"ruby","created_at":"2025-08-21T10:00:00.000Z"}]"#;
const NUGET: &str = r#"{"items":[{"items":[{"catalogEntry":{"version":"36.0.0","published":"2025-08-22T00:00:00+00:00","listed":true}}]}]}"#;

fn clone(r: &Response) -> Response {
    match r {
        Response::Ok { body, etag } => Response::Ok {
            body: body.clone(),
            etag: etag.clone(),
        },
        Response::Status(s) => Response::Status(*s),
        Response::Hang => Response::Hang,
        Response::Endless => Response::Endless,
    }
}

fn serve(world: Arc<Mutex<World>>) -> Server {
    let base: Arc<Mutex<String>> = Arc::new(Mutex::new(String::new()));
    let b = base.clone();
    let server = Server::start(move |req: &Request| {
        let w = world.lock().unwrap();
        let ok = |body: Vec<u8>| Response::Ok { body, etag: None };
        let p = req.path.as_str();
        if p.ends_with("/config.json") {
            return ok(format!(r#"{{"dl": "{}dl"}}"#, b.lock().unwrap()).into_bytes());
        }
        if p.ends_with("/wa/sm/wasmtime") {
            return ok(w.index.join("\n").into_bytes());
        }
        if p.ends_with("/wa/sm/wasmtime-cli") {
            return ok(w.cli.join("\n").into_bytes());
        }
        if let Some(rest) = p.strip_prefix("/dl/wasmtime-cli/") {
            let vers = rest.trim_end_matches("/download");
            return match w.crates.iter().find(|(v, _)| v == vers) {
                Some((_, bytes)) => ok(bytes.clone()),
                None => Response::Status(404),
            };
        }
        if p == "/osv/v1/querybatch" && req.method == "POST" {
            if let Some(raw) = &w.osv_raw {
                return ok(raw.clone());
            }
            let Response::Ok { .. } = &w.osv else {
                return clone(&w.osv);
            };
            // One result per query, in order: the advisory for `wasmtime`.
            let q: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
            let results: Vec<serde_json::Value> = q["queries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| {
                    if q["package"]["name"] == "wasmtime" {
                        match &w.osv {
                            Response::Ok { body, .. } => serde_json::from_slice(body).unwrap(),
                            _ => unreachable!(),
                        }
                    } else {
                        serde_json::json!({})
                    }
                })
                .collect();
            return ok(serde_json::json!({ "results": results })
                .to_string()
                .into_bytes());
        }
        if p.starts_with("/osv/v1/vulns/") {
            return ok(w.record.clone().into_bytes());
        }
        if p == "/pypi/pypi/wasmtime/json" {
            return clone(&w.pypi);
        }
        if p == "/gems/api/v1/versions/wasmtime.json" {
            return ok(GEMS.as_bytes().to_vec());
        }
        if p == "/nuget/v3/registration5-semver1/wasmtime/index.json" {
            return ok(NUGET.as_bytes().to_vec());
        }
        Response::Status(404)
    });
    *base.lock().unwrap() = server.url.clone();
    server
}

fn listed(id: &str) -> Response {
    Response::Ok {
        body: serde_json::json!({"vulns": [{"id": id, "modified": "2026-12-01T00:00:00Z"}]})
            .to_string()
            .into_bytes(),
        etag: None,
    }
}

fn good_world() -> World {
    let (major, _, next) = line();
    let day = data().data_date.to_string();
    let good = crate_file(&[(
        &format!("wasmtime-cli-{next}/RELEASES.md"),
        releases_md(&next, &day).as_bytes(),
        None,
    )]);
    let mut index = embedded_index_lines();
    index.push(crate::sources::index_line(
        &next.to_string(),
        false,
        &format!("{day}T12:00:00Z"),
    ));
    World {
        index,
        cli: vec![cli_line(&next, &good, &day)],
        crates: vec![(next.to_string(), good)],
        osv: listed(RUSTSEC),
        osv_raw: None,
        record: osv_record(major, &next, GHSA),
        pypi: pypi_answer(),
    }
}

fn refresh(home: &Path, cache: &Path, server: &Server) -> Run {
    run_cmd(isolated(home, cache).args([
        "refresh",
        "--index-url",
        &server.url,
        "--osv-url",
        &format!("{}osv", server.url),
        "--pypi-url",
        &format!("{}pypi", server.url),
        "--rubygems-url",
        &format!("{}gems", server.url),
        "--nuget-url",
        &format!("{}nuget", server.url),
    ]))
}

fn source_part(cache: &Path, key: &str) -> serde_json::Value {
    let text = std::fs::read(cache.join("advisories.json")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&text).unwrap();
    v[key].clone()
}

#[test]
fn refresh_learns_an_advisory_from_release_notes_and_osv_and_shows_it_once() {
    let (_, newest, next) = line();
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let world = Arc::new(Mutex::new(good_world()));
    let server = serve(world.clone());
    let r = refresh(home.path(), cache.path(), &server);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(
        r.stdout.contains("1 new wasmtime-cli crate read"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("OSV: 1 advisory"), "{}", r.stdout);

    // The audit of a lockfile on the line's newest patch: the advisory once,
    // under its GHSA id, with its RustSec alias, fixed in the next patch.
    let dir = tempfile::tempdir().unwrap();
    let lock = lockfile_with(dir.path(), &newest);
    let audit = |extra: &[&str]| {
        run_cmd(
            isolated(home.path(), cache.path())
                .args(["--lockfile", lock.to_str().unwrap(), "--format", "json"])
                .args(extra),
        )
    };
    let r = audit(&[]);
    let j = r.json();
    let refs: Vec<&serde_json::Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["advisories"].as_array().unwrap())
        .filter(|a| a.to_string().contains(RUSTSEC) || a.to_string().contains(GHSA))
        .collect();
    assert!(!refs.is_empty(), "{j:#}");
    for a in &refs {
        assert_eq!(a["id"], GHSA, "{a}");
        assert_eq!(a["aliases"], serde_json::json!([RUSTSEC]), "{a}");
        assert_eq!(a["fixed_in"], next.to_string(), "{a}");
    }
    let vulnerable = findings(&j, "vulnerable");
    assert_eq!(vulnerable.len(), 1, "{j:#}");
    let ids: Vec<&serde_json::Value> = vulnerable[0]["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(ids.iter().filter(|i| **i == GHSA).count(), 1, "{ids:?}");
    let kinds: Vec<&str> = j["data"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"release-notes") && kinds.contains(&"osv"),
        "{kinds:?}"
    );
    // OSV is complete to the day it answered.
    let osv_day = j["data"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "osv")
        .unwrap()["date"]
        .clone();
    assert_eq!(j["data"]["advisories_date"], osv_day);

    // The human report never names it by its RustSec id alone.
    let human = audit(&["--format", "human"]).stdout;
    assert!(human.contains(GHSA), "{human}");
    assert!(!human.contains(&format!("{RUSTSEC}:")), "{human}");

    // A second refresh downloads nothing it already read.
    let before = server.requests.lock().unwrap().len();
    let r = refresh(home.path(), cache.path(), &server);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let again: Vec<String> = server.requests.lock().unwrap()[before..]
        .iter()
        .map(|q| q.path.clone())
        .collect();
    assert!(
        !again
            .iter()
            .any(|p| p.starts_with("/dl/") || p.contains("/vulns/")),
        "{again:?}"
    );
}

#[test]
fn each_advisory_source_fails_on_its_own_and_keeps_what_it_had() {
    let (major, _, next) = line();
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let world = Arc::new(Mutex::new(good_world()));
    let server = serve(world.clone());
    let r = refresh(home.path(), cache.path(), &server);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let notes = source_part(cache.path(), "release_notes");

    // Hostile crates, offered as the patch after the one already read.
    let mut later = next.clone();
    later.patch += 1;
    let day = data().data_date.to_string();
    let path = format!("wasmtime-cli-{later}/RELEASES.md");
    let md = releases_md(&later, &day);
    let whole = crate_file(&[(&path, md.as_bytes(), None)]);
    let bomb_pad = vec![0u8; 65 * 1024 * 1024];
    let crates: Vec<(&str, Vec<u8>)> = vec![
        (
            "unpacks to more than 64 MiB",
            crate_file(&[
                (&format!("wasmtime-cli-{later}/pad"), &bomb_pad, None),
                (&path, md.as_bytes(), None),
            ]),
        ),
        (
            "more than the 4 MiB",
            crate_file(&[(&path, md.as_bytes(), Some(100 * 1024 * 1024))]),
        ),
        (
            "holds no",
            crate_file(&[
                ("../RELEASES.md", md.as_bytes(), None),
                ("/RELEASES.md", md.as_bytes(), None),
            ]),
        ),
        (
            "not a complete .crate archive",
            whole[..whole.len() / 2].to_vec(),
        ),
    ];
    for (why, bytes) in crates {
        {
            let mut w = world.lock().unwrap();
            let mut g = good_world();
            g.index.push(crate::sources::index_line(
                &later.to_string(),
                false,
                &format!("{day}T13:00:00Z"),
            ));
            g.cli.push(cli_line(&later, &bytes, &day));
            g.crates.push((later.to_string(), bytes));
            *w = g;
        }
        let r = refresh(home.path(), cache.path(), &server);
        assert_eq!(r.code, 0, "{why}: {}", r.stderr);
        assert!(r.stderr.contains(why), "{why}: {}", r.stderr);
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.contains("those read before are kept"),
            "{}",
            r.stderr
        );
        assert_eq!(source_part(cache.path(), "release_notes"), notes, "{why}");
    }
    // A crate that is not what the index vouches for.
    {
        let mut w = world.lock().unwrap();
        let mut g = good_world();
        g.index.push(crate::sources::index_line(
            &later.to_string(),
            false,
            &format!("{day}T13:00:00Z"),
        ));
        g.cli.push(cli_line(&later, &whole, &day));
        g.crates
            .push((later.to_string(), b"something else".to_vec()));
        *w = g;
    }
    let r = refresh(home.path(), cache.path(), &server);
    assert!(
        r.stderr.contains("does not match the checksum"),
        "{}",
        r.stderr
    );
    assert_eq!(source_part(cache.path(), "release_notes"), notes);

    // OSV answering badly: the release notes and the index refresh anyway.
    let osv = source_part(cache.path(), "osv");
    let escape = serde_json::json!({"vulns": [{"id": "GHSA-\u{1b}]8;;evil", "modified": "x"}]});
    let cases: Vec<(&str, Response, String)> = vec![
        (
            "HTTP 500",
            Response::Status(500),
            osv_record(major, &next, GHSA),
        ),
        (
            "429 Too Many Requests",
            Response::Status(429),
            String::new(),
        ),
        (
            "not a batch answer",
            Response::Ok {
                body: b"{\"results\": 5}".to_vec(),
                etag: None,
            },
            String::new(),
        ),
        (
            "not an OSV id",
            Response::Ok {
                body: escape.to_string().into_bytes(),
                etag: None,
            },
            String::new(),
        ),
        (
            "not an OSV record",
            listed("GHSA-tst1-0000-0002"),
            "{".into(),
        ),
    ];
    for (why, answer, record) in cases {
        {
            let mut w = world.lock().unwrap();
            *w = good_world();
            w.index.push(crate::sources::index_line(
                &later.to_string(),
                false,
                &format!("{day}T13:00:00Z"),
            ));
            w.cli.push(cli_line(&later, &whole, &day));
            w.crates.push((later.to_string(), whole.clone()));
            match answer {
                Response::Ok { body, .. } if why == "not a batch answer" => w.osv_raw = Some(body),
                answer => w.osv = answer,
            }
            if !record.is_empty() {
                w.record = record;
            }
        }
        let r = refresh(home.path(), cache.path(), &server);
        assert_eq!(r.code, 0, "{why}: {}", r.stderr);
        assert!(r.stderr.contains(why), "{why}: {}", r.stderr);
        assert!(!r.stderr.contains('\u{1b}'), "{why}: {:?}", r.stderr);
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
        assert_eq!(source_part(cache.path(), "osv"), osv, "{why}");
    }
    // Nothing but the two caches was ever written.
    let names: Vec<String> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["advisories.json", "index.json"]);
}

/// wasmtime-py's releases come from PyPI's JSON API: a refresh records
/// them, the audit of a uv.lock names them, and an answer PyPI should never
/// give leaves one warning and the releases read before.
#[test]
fn bindings_releases_come_from_their_registries() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let world = Arc::new(Mutex::new(good_world()));
    let server = serve(world.clone());
    let r = refresh(home.path(), cache.path(), &server);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(r.stdout.contains("releases of wasmtime-py"), "{}", r.stdout);
    let bindings = source_part(cache.path(), "bindings");
    let py = bindings["python"]["releases"].as_array().unwrap();
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("shipped/pypi-wasmtime.json")).unwrap())
            .unwrap();
    assert_eq!(py.len(), recorded["releases"].as_object().unwrap().len());
    assert_eq!(bindings["ruby"]["releases"][0]["version"], "36.0.0");
    assert_eq!(bindings["dotnet"]["releases"][0]["date"], "2025-08-22");

    for (why, answer) in [
        ("HTTP 503", Response::Status(503)),
        (
            "no `releases` object",
            Response::Ok {
                body: b"{\"info\": {}}".to_vec(),
                etag: None,
            },
        ),
        (
            "a malformed version",
            Response::Ok {
                body: br#"{"releases": {"36.0.0\u001b]8;;": [{"upload_time_iso_8601": "2026-01-01T00:00:00Z"}]}}"#.to_vec(),
                etag: None,
            },
        ),
    ] {
        world.lock().unwrap().pypi = answer;
        let r = refresh(home.path(), cache.path(), &server);
        assert_eq!(r.code, 0, "{why}: {}", r.stderr);
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
        assert!(r.stderr.contains(why), "{why}: {}", r.stderr);
        assert!(r.stderr.contains("wasmtime-py"), "{}", r.stderr);
        assert_eq!(source_part(cache.path(), "bindings"), bindings, "{why}");
    }
}
