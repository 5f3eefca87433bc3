//! No input makes the tool panic or lie: the fast canonical lockfile reader
//! agrees with the full TOML parser on real and mutated lockfiles, the whole
//! pipeline survives arbitrary input, and bad input gets one line and exit 2.

use crate::common::*;
use cargo_wasmtime_support::{Data, LockInput, Options, audit, inventory, lockfile, render};

const REAL: [&str; 17] = [
    "spin",
    "javy",
    "wasmtime",
    "Viceroy",
    "rustc_codegen_cranelift",
    "wasm-tools",
    "spin-2022-v3",
    "rustc_codegen_cranelift-2020-v1",
    "workspaces/monorepo",
    "generated/wasmtime-24.0.2",
    "generated/wasmtime-25.0.0",
    "generated/wasmtime-27",
    "generated/wasmtime-36.0.3",
    "generated/wasmtime-48.0.0",
    "generated/wasmtime-50.0.1",
    "generated/winch-codegen-0.20.0",
    "generated/no-wasmtime",
];

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("{name}/Cargo.lock"))).unwrap()
}

#[test]
fn canonical_reader_agrees_with_the_full_parser_on_every_fixture() {
    for name in REAL {
        let t = text(name);
        let full = lockfile::parse_full(&t, name).unwrap();
        match lockfile::parse_canonical(&t, name) {
            Some(fast) => assert_eq!(fast.unwrap(), full, "{name}"),
            // Only the v1 format (checksums in [metadata]) is left to the full parser.
            None => assert_eq!(full.format, 1, "{name} should be canonical"),
        }
        assert_eq!(lockfile::parse(&t, name).unwrap(), full, "{name}");
    }
}

/// xorshift64*: reproducible mutations without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TRICKY_LINES: [&str; 16] = [
    "[[package]]",
    "name = \"wasmtime\"",
    "version = \"27.0.0\"",
    "version = 4",
    "version = 99",
    "dependencies = [",
    "]",
    " \"wasmtime\",",
    "[metadata]",
    "name = \"dup\" # comment",
    "source = \"git+https://example.com/\\u001b[31m#abc\"",
    "version = \"99999999999999999999.0.0\"",
    "checksum = 'x'",
    "",
    "\t",
    "[[patch.unused]]",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..=rng.below(3) {
        let at = rng.below(lines.len());
        match rng.below(7) {
            0 if !lines.is_empty() => {
                lines.remove(at);
            }
            1 if !lines.is_empty() => {
                let line = lines[at].clone();
                lines.insert(at, line);
            }
            2 if at + 1 < lines.len() => lines.swap(at, at + 1),
            3 => lines.insert(at, TRICKY_LINES[rng.below(TRICKY_LINES.len())].to_string()),
            4 if !lines.is_empty() => {
                let chars: Vec<char> = lines[at].chars().collect();
                if !chars.is_empty() {
                    let i = rng.below(chars.len());
                    let pick = [
                        '"', '\\', '[', ']', '=', ' ', '#', '0', '9', 'x', '.', '-', '\u{1b}',
                        '\r', '\u{e9}',
                    ];
                    let mut chars = chars;
                    chars[i] = pick[rng.below(pick.len())];
                    lines[at] = chars.into_iter().collect();
                }
            }
            5 => lines.truncate(at),
            _ => {}
        }
    }
    let mut out = lines.join("\n");
    if rng.below(2) == 0 {
        out.push('\n');
    }
    out
}

#[test]
fn mutated_lockfiles_never_panic_and_both_readers_agree() {
    let data = Data::embedded().unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut canonical_accepted = 0;
    let mut errors = 0;
    for name in REAL {
        let original = text(name);
        let rounds = if original.len() > 200_000 { 6 } else { 45 };
        for _ in 0..rounds {
            let m = mutate(&mut rng, &original);
            let full = lockfile::parse_full(&m, "m");
            if let Some(fast) = lockfile::parse_canonical(&m, "m") {
                canonical_accepted += 1;
                assert_eq!(fast, full, "readers disagree on a mutation of {name}:\n{m}");
            }
            match lockfile::parse(&m, "m") {
                Ok(lock) => {
                    let input = LockInput {
                        lockfile: lock,
                        members: Default::default(),
                    };
                    let inv = inventory(&[input], &data.family);
                    let report = audit(&inv, &data, &Options::new("2026-11-21".parse().unwrap()));
                    render::json::render(&report);
                    render::markdown::render(&report);
                    render::github::render(&report);
                    render::sarif::render(&report);
                    render::human::render(&report, &Default::default());
                }
                Err(e) => {
                    errors += 1;
                    assert!(!e.message().contains('\n'), "one line: {e}");
                    assert!(e.message().starts_with("m"), "names the file: {e}");
                }
            }
        }
    }
    assert!(
        canonical_accepted > 50 && errors > 50,
        "{canonical_accepted} fast, {errors} errors: the mutations exercise both paths"
    );
}

#[test]
fn bad_input_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let dup = "version = 4\n\n[[package]]\nname = \"wasmtime\"\nversion = \"27.0.0\"\n\n[[package]]\nname = \"wasmtime\"\nversion = \"27.0.0\"\n";
    let cases: Vec<(String, Vec<&str>)> = vec![
        (write("dup.lock", dup.as_bytes()), vec![":8: duplicate package entry `wasmtime 27.0.0`"]),
        (write("huge-version.lock", b"version = 4\n\n[[package]]\nname = \"wasmtime\"\nversion = \"99999999999999999999.0.0\"\n"), vec![":5: package `wasmtime` has an invalid version"]),
        (write("bad-name.lock", b"version = 4\n\n[[package]]\nname = \"wasm time\"\nversion = \"1.0.0\"\n"), vec![":4: invalid package name"]),
        (write("v99.lock", b"version = 99\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n"), vec![":1: unsupported lockfile format version 99"]),
        (write("toml-no-packages.lock", b"[workspace]\nmembers = []\n"), vec!["no [[package]] entries"]),
        (write("binary.lock", &[0x7f, b'E', b'L', b'F', 0, 0, 0xff, 0xfe]), vec!["not UTF-8"]),
    ];
    for (path, parts) in cases {
        let mut all = parts.clone();
        all.push(path.as_str());
        assert_usage_error(&run(&["--lockfile", &path, "--date", DATE]), &all);
    }

    // A path through a regular file cannot be read.
    let file = write("plain", b"x");
    let through = format!("{file}/Cargo.lock");
    assert_usage_error(&run(&["--lockfile", &through]), &[&through, "cannot read"]);

    // Larger than the documented limit (64 MiB): refused before reading.
    let big = dir.path().join("big.lock");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    assert_usage_error(
        &run(&["--lockfile", big.to_str().unwrap()]),
        &["larger than 64 MiB"],
    );

    assert_usage_error(
        &run(&["--lockfile", &lock("spin"), "--date", "2026-13-01"]),
        &["--date"],
    );
    assert_usage_error(
        &run(&["--lockfile", &lock("spin"), "--date", "99999-01-01"]),
        &["--date"],
    );
}

#[cfg(unix)]
#[test]
fn a_non_utf8_path_is_named_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"lock-\xff.lock");
    let path = dir.path().join(name);
    let r = run_cmd(
        command()
            .arg("--lockfile")
            .arg(&path)
            .args(["--date", DATE]),
    );
    assert_usage_error(&r, &["lock-\u{fffd}.lock", "no such file"]);
    std::fs::copy(fixture("generated/wasmtime-27/Cargo.lock"), &path).unwrap();
    let r = run_cmd(
        command()
            .arg("--lockfile")
            .arg(&path)
            .args(["--date", DATE, "--format", "json"]),
    );
    assert_eq!(r.json()["trains"][0]["major"], 27);
}

#[test]
fn untrusted_text_cannot_corrupt_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Cargo.lock");
    // A git source with an ANSI escape, a newline, Markdown and a workflow command.
    let source = "git+https://example.com/\\u001b[2J\\u001b[31mred\\n::error::x|`*#abc";
    std::fs::write(
        &path,
        format!("version = 4\n\n[[package]]\nname = \"wasmtime\"\nversion = \"27.0.0\"\nsource = \"{source}\"\n"),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    for format in ["human", "markdown", "github", "json", "sarif"] {
        let r = run_support(&[
            "--lockfile",
            p,
            "--date",
            DATE,
            "--format",
            format,
            "-v",
            "--color",
            "never",
        ]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(
            !r.stdout.contains('\u{1b}'),
            "{format} passes an escape through:\n{}",
            r.stdout
        );
        assert!(
            r.stdout.lines().all(|l| !l.starts_with("::error::x")),
            "{format}:\n{}",
            r.stdout
        );
        if format == "json" || format == "sarif" {
            serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap();
        }
    }
    let human = run_support(&["--lockfile", p, "--date", DATE, "-v", "--color", "never"]).stdout;
    assert!(human.contains("\\u{1b}[2J"), "shown escaped: {human}");
}
