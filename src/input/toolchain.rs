//! The Rust version that builds a project, for when its workspace declares
//! no `rust-version`: cargo's Rust-version-aware resolver (resolver 3, the
//! default from edition 2024) then takes the version of the `rustc` it runs
//! as the bound for dependency updates, so that is the version to check
//! against.
//!
//! The toolchain is found as cargo and rustup find it; the first answer wins:
//!
//! 1. `$RUSTC`: cargo runs that compiler whatever rustup would choose; its
//!    `-vV` says the version.
//! 2. rustup's override: `$RUSTUP_TOOLCHAIN` if set, otherwise the nearest
//!    `rust-toolchain` or `rust-toolchain.toml` from the workspace root up
//!    (the legacy name wins when a directory has both). A channel naming a
//!    version (`1.95`, `1.95.0`, `1.95.0-x86_64-unknown-linux-gnu`) answers
//!    without running anything; `stable`, `nightly-2026-01-01` or a path
//!    does not, and the search goes on at 3. Like rustup, no file is read
//!    when the variable is set, and the walk stops at the nearest file.
//! 3. cargo's cache of `rustc -vV`, `<target-dir>/.rustc_info.json`: no
//!    process, but it remembers the toolchain that last built there, which
//!    may since have changed, so it counts only after 1 and 2.
//! 4. `rustc -vV` from `PATH`, run in the workspace root (where rustup's
//!    proxy sees the same overrides), killed after a timeout.
//!
//! Any failure (no file, garbage, a compiler that fails or hangs) means no
//! answer from that step: the next one decides, and `None` if none does.

use semver::Version;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long `rustc -vV` may take: through rustup's proxy it takes a few
/// tens of milliseconds.
pub const RUSTC_TIMEOUT: Duration = Duration::from_secs(5);

/// The most read from a file or from `rustc -vV`: the real ones are a few KiB.
const MAX_BYTES: u64 = 1024 * 1024;

/// What to look at, passed in so that nothing here reads the environment.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    /// `$RUSTC`.
    pub rustc_env: Option<&'a OsStr>,
    /// `$RUSTUP_TOOLCHAIN`.
    pub rustup_toolchain: Option<&'a str>,
    /// Where the search for a toolchain file starts, and `rustc` runs.
    pub workspace_root: Option<&'a Path>,
    /// The directory holding cargo's `.rustc_info.json`.
    pub target_dir: Option<&'a Path>,
    /// The compiler for step 4, normally `rustc`; `None` runs nothing.
    pub path_rustc: Option<&'a Path>,
    /// How long a compiler may take to answer `-vV`.
    pub timeout: Duration,
    /// `$RUSTUP_HOME`: where `RUSTUP_TOOLCHAIN`'s compiler is, to key the memo.
    pub rustup_home: Option<&'a Path>,
    /// Where the answer of `rustc -vV` is kept between runs.
    pub memo: Option<&'a Path>,
}

impl Default for Probe<'_> {
    fn default() -> Self {
        Probe {
            rustc_env: None,
            rustup_toolchain: None,
            workspace_root: None,
            target_dir: None,
            path_rustc: None,
            timeout: RUSTC_TIMEOUT,
            rustup_home: None,
            memo: None,
        }
    }
}

/// Where a version came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    RustcEnv,
    RustupToolchain,
    ToolchainFile(PathBuf),
    CargoCache(PathBuf),
    Rustc,
}

impl Origin {
    /// A short name: `$RUSTC`, `rust-toolchain.toml`, ...
    #[cfg(test)]
    pub fn describe(&self) -> String {
        let name = |path: &Path| {
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        };
        match self {
            Origin::RustcEnv => "$RUSTC".into(),
            Origin::RustupToolchain => "$RUSTUP_TOOLCHAIN".into(),
            Origin::ToolchainFile(path) => name(path),
            Origin::CargoCache(path) => format!("cargo's {}", name(path)),
            Origin::Rustc => "rustc -vV".into(),
        }
    }
}

/// The version of the toolchain that builds the project, and where it was
/// found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    pub version: Version,
    pub origin: Origin,
}

/// The Rust version cargo's resolver would use, by the precedence above.
pub fn detect(p: &Probe) -> Option<Toolchain> {
    let found = |version, origin| Some(Toolchain { version, origin });
    // Cargo builds with `$RUSTC` when it is set: nothing else counts then.
    if let Some(rustc) = p.rustc_env.filter(|r| !r.is_empty()) {
        return found(run_rustc(rustc, p)?, Origin::RustcEnv);
    }
    match p.rustup_toolchain.map(str::trim).filter(|t| !t.is_empty()) {
        Some(name) => {
            if let Some(v) = channel_version(name) {
                return found(v, Origin::RustupToolchain);
            }
        }
        None => {
            if let Some((v, path)) = p.workspace_root.and_then(toolchain_file) {
                return found(v, Origin::ToolchainFile(path));
            }
        }
    }
    if let Some(dir) = p.target_dir {
        let path = dir.join(".rustc_info.json");
        if let Some(v) = read_small(&path).and_then(|t| parse_rustc_info(&t)) {
            return found(v, Origin::CargoCache(path));
        }
    }
    let rustc = p.path_rustc?;
    // Asking rustup's proxy costs tens of milliseconds, more than the whole
    // audit: the answer is kept, keyed by the toolchain's own compiler.
    let key = p
        .rustup_toolchain
        .zip(p.rustup_home)
        .and_then(|(name, home)| {
            let compiler = home
                .join("toolchains")
                .join(name.trim())
                .join("bin")
                .join("rustc");
            let meta = std::fs::metadata(&compiler).ok()?;
            let mtime = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?;
            Some(format!(
                "{}|{}|{}",
                compiler.display(),
                meta.len(),
                mtime.as_nanos()
            ))
        });
    if let (Some(key), Some(memo)) = (&key, p.memo)
        && let Some(text) = read_small(memo)
        && let Some((k, v)) = text.trim_end().rsplit_once('\n')
        && k == key
        && let Ok(v) = Version::parse(v)
    {
        return found(v, Origin::Rustc);
    }
    let v = run_rustc(rustc.as_os_str(), p)?;
    if let (Some(key), Some(memo)) = (&key, p.memo) {
        // Only a time saver: a memo that cannot be written costs speed.
        let _ = write_memo(memo, &format!("{key}\n{v}\n"));
    }
    found(v, Origin::Rustc)
}

/// Replaces `path` with `text` through a uniquely named temporary file.
fn write_memo(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().ok_or(std::io::ErrorKind::NotFound)?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".rustc-version-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

/// The version in `rustc -vV` output: its `release:` line, or else the first
/// line, `rustc 1.95.0 (...)`. A pre-release is dropped (`1.96.0-nightly` is
/// 1.96.0), as cargo drops it when comparing with a `rust-version`.
pub fn parse_rustc_vv(text: &str) -> Option<Version> {
    let release = text.lines().find_map(|l| l.strip_prefix("release:"));
    let first = text.lines().next().and_then(|l| l.strip_prefix("rustc "));
    [release, first].into_iter().flatten().find_map(|s| {
        let mut v = Version::parse(s.split_whitespace().next()?).ok()?;
        v.pre = semver::Prerelease::EMPTY;
        v.build = semver::BuildMetadata::EMPTY;
        Some(v)
    })
}

/// The version a toolchain file pins, if its channel names one. As rustup
/// reads it: one line is a bare channel name, more is TOML with
/// `[toolchain] channel = "..."`. Only plain TOML is understood (a header,
/// `key = "string"` lines, comments); anything else gives `None`.
pub fn parse_toolchain_file(text: &str) -> Option<Version> {
    let channel = if text.lines().count() == 1 && !text.contains('=') {
        text.trim()
    } else {
        toml_channel(text)?
    };
    channel_version(channel)
}

/// `toolchain.channel` of simple TOML: under a `[toolchain]` header, or as a
/// dotted key before any header.
fn toml_channel(text: &str) -> Option<&str> {
    let segments = |s: &str| -> Vec<String> {
        s.split('.')
            .map(|k| k.trim().trim_matches(['"', '\'']).to_string())
            .filter(|k| !k.is_empty())
            .collect()
    };
    let mut table = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[') {
            table = segments(header.split_once(']')?.0);
        } else if let Some((key, value)) = line.split_once('=') {
            let mut path = table.clone();
            path.extend(segments(key));
            if path == ["toolchain", "channel"] {
                return string_value(value.trim());
            }
        }
    }
    None
}

/// A one-line TOML string without escapes, then nothing but a comment.
fn string_value(value: &str) -> Option<&str> {
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let (s, rest) = value[1..].split_once(quote)?;
    let rest = rest.trim_start();
    let plain = !(quote == '"' && s.contains('\\'));
    (plain && (rest.is_empty() || rest.starts_with('#'))).then_some(s)
}

/// The version a rustup channel names: `1.95`, `1.95.0`, with anything after
/// a `-` (a host, a date, `beta.2`) ignored; `None` for `stable`, a path...
fn channel_version(channel: &str) -> Option<Version> {
    let number = channel.split('-').next()?;
    let parts: Option<Vec<u64>> = number
        .split('.')
        .map(|n| {
            let digits = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
            digits.then(|| n.parse().ok()).flatten()
        })
        .collect();
    match parts?[..] {
        [major, minor] => Some(Version::new(major, minor, 0)),
        [major, minor, patch] => Some(Version::new(major, minor, patch)),
        _ => None,
    }
}

/// The nearest toolchain file from `root` up, as rustup finds it: in each
/// directory `rust-toolchain`, else `rust-toolchain.toml`; the first found
/// ends the search, with its version if its channel names one.
fn toolchain_file(root: &Path) -> Option<(Version, PathBuf)> {
    // Rustup walks up from its (physical) working directory.
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for dir in root.ancestors() {
        for name in ["rust-toolchain", "rust-toolchain.toml"] {
            let path = dir.join(name);
            if let Some(text) = read_small(&path) {
                return Some((parse_toolchain_file(&text)?, path));
            }
        }
    }
    None
}

/// The version in cargo's `.rustc_info.json`: the `release:` of its cached
/// `rustc -vV` output. Two that disagree are no answer.
fn parse_rustc_info(json: &str) -> Option<Version> {
    let info: serde_json::Value = serde_json::from_str(json).ok()?;
    let mut versions = info
        .get("outputs")?
        .as_object()?
        .values()
        .filter(|o| o.get("success").and_then(|s| s.as_bool()) == Some(true))
        .filter_map(|o| o.get("stdout")?.as_str())
        .filter(|out| out.starts_with("rustc ") && out.contains("\nrelease:"))
        .filter_map(parse_rustc_vv);
    let first = versions.next()?;
    versions.all(|v| v == first).then_some(first)
}

/// A regular file's text, if it has at most `MAX_BYTES`; never a FIFO or a
/// device, which could block or never end.
fn read_small(path: &Path) -> Option<String> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > MAX_BYTES {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// `<program> -vV`, in the workspace root, its version if it succeeds within
/// the timeout; killed otherwise. Stdout is read on a thread, so a child that
/// fills the pipe, or a grandchild that keeps it open, cannot block us.
fn run_rustc(program: &OsStr, p: &Probe) -> Option<Version> {
    let deadline = Instant::now() + p.timeout;
    let mut program = PathBuf::from(program);
    if program.components().count() > 1 {
        // A relative path means from here, not from the workspace root.
        program = std::path::absolute(&program).unwrap_or(program);
    }
    let mut cmd = Command::new(program);
    cmd.arg("-vV")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Asking a version must never make rustup download a toolchain.
        .env("RUSTUP_AUTO_INSTALL", "0");
    if let Some(dir) = p.workspace_root.filter(|d| d.is_dir()) {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().ok()?;
    let (tx, rx) = mpsc::channel();
    let reader = child.stdout.take().and_then(|mut stdout| {
        let read = move || {
            let mut out = Vec::new();
            let _ = (&mut stdout).take(MAX_BYTES).read_to_end(&mut out);
            let _ = tx.send(out);
        };
        std::thread::Builder::new().spawn(read).ok()
    });
    let out = reader.and_then(|_| rx.recv_timeout(p.timeout).ok());
    let status = out.as_ref().and_then(|_| wait_until(&mut child, deadline));
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    if !status?.success() {
        return None;
    }
    parse_rustc_vv(&String::from_utf8_lossy(&out?))
}

/// The child's exit status, if it exits before `deadline`.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().ok()? {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VV: &str = "rustc 1.95.0 (abc 2026-01-01)\nbinary: rustc\nrelease: 1.95.0\n";

    const RUSTC_INFO: &str = r#"{"rustc_fingerprint":5274694875259626319,"outputs":{"7971740275564407648":{"success":true,"status":"","code":0,"stdout":"___\nlib___.rlib\nlib___.so\nlib___.so\nlib___.a\nlib___.so\n/root/.rustup/toolchains/1.93.1-x86_64-unknown-linux-gnu\noff\npacked\nunpacked\n___\ndebug_assertions\npanic=\"unwind\"\nproc_macro\ntarget_arch=\"x86_64\"\ntarget_os=\"linux\"\nunix\n","stderr":""},"17747080675513052775":{"success":true,"status":"","code":0,"stdout":"rustc 1.93.1 (01f6ddf75 2026-02-11)\nbinary: rustc\ncommit-hash: 01f6ddf7588f42ae2d7eb0a2f21d44e8e96674cf\ncommit-date: 2026-02-11\nhost: x86_64-unknown-linux-gnu\nrelease: 1.93.1\nLLVM version: 21.1.8\n","stderr":""}},"successes":{}}"#;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    /// An executable shell script, run once (`--ready`) so that it is
    /// surely closed for writing: a test forking meanwhile may still hold
    /// the file open, and executing it would fail with "text file busy".
    #[cfg(unix)]
    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        let text = format!("#!/bin/sh\n[ \"$1\" = --ready ] && exit 0\n{body}\n");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        for _ in 0..100 {
            if Command::new(&path).arg("--ready").status().is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        path
    }

    #[cfg(unix)]
    fn fake_rustc(dir: &Path, version: &str) -> PathBuf {
        let out = format!("rustc {version} (abc 2026-01-01)\nbinary: rustc\nrelease: {version}");
        script(
            dir,
            &format!("rustc-{version}"),
            &format!("printf '{out}\\n'"),
        )
    }

    #[cfg(unix)]
    #[test]
    fn rustups_answer_is_kept_until_its_compiler_changes() {
        let d = tempfile::tempdir().unwrap();
        let home = d.path().join("rustup");
        let bin = home.join("toolchains/stable-x86_64-unknown-linux-gnu/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("rustc"), "a compiler").unwrap();
        // The proxy counts how often it is asked.
        let count = d.path().join("asked");
        let proxy = script(
            d.path(),
            "rustc",
            &format!(
                "echo x >> {}\nprintf 'rustc 1.95.0 (abc 2026-01-01)\\nrelease: 1.95.0\\n'",
                count.display()
            ),
        );
        let memo = d.path().join("cache/rustc-version");
        let probe = Probe {
            rustup_toolchain: Some("stable-x86_64-unknown-linux-gnu"),
            rustup_home: Some(&home),
            path_rustc: Some(&proxy),
            memo: Some(&memo),
            ..Probe::default()
        };
        let asked = || {
            std::fs::read_to_string(&count)
                .unwrap_or_default()
                .lines()
                .count()
        };
        assert_eq!(detect(&probe).map(|t| t.version), Some(v("1.95.0")));
        assert_eq!(detect(&probe).map(|t| t.version), Some(v("1.95.0")));
        assert_eq!(asked(), 1, "the second answer comes from the memo");
        // An updated toolchain is asked again.
        std::fs::write(bin.join("rustc"), "a newer compiler").unwrap();
        assert_eq!(detect(&probe).map(|t| t.version), Some(v("1.95.0")));
        assert_eq!(asked(), 2);
    }

    #[test]
    fn rustc_vv_output() {
        assert_eq!(parse_rustc_vv(VV), Some(v("1.95.0")));
        let nightly = "rustc 1.97.0-nightly (e50aa6fba 2026-05-19)\nbinary: rustc\n\
                       host: x86_64-unknown-linux-gnu\nrelease: 1.97.0-nightly\n";
        assert_eq!(parse_rustc_vv(nightly), Some(v("1.97.0")));
        assert_eq!(
            parse_rustc_vv("rustc 1.94.1 (abc 2026-03-01)\n"),
            Some(v("1.94.1"))
        );
        assert_eq!(parse_rustc_vv("release: 1.90.0\r\n"), Some(v("1.90.0")));
        // A bad `release:` line leaves the first line to decide.
        assert_eq!(
            parse_rustc_vv("rustc 1.2.3\nrelease: ?\n"),
            Some(v("1.2.3"))
        );
        for garbage in ["", "rustc\n", "release: 1.95\n", "error: no such command\n"] {
            assert_eq!(parse_rustc_vv(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn toolchain_files_in_both_forms() {
        let cases = [
            ("1.95.0\n", Some("1.95.0")),
            ("  1.95  ", Some("1.95.0")),
            ("1.95.0-x86_64-unknown-linux-gnu\n", Some("1.95.0")),
            ("1.96.0-beta.2\n", Some("1.96.0")),
            ("stable\n", None),
            ("nightly-2026-01-01\n", None),
            ("/opt/rust\n", None),
            ("", None),
            ("[toolchain]\nchannel = \"1.95\"\n", Some("1.95.0")),
            (
                "# pinned\n[toolchain] # the build's\nchannel = '1.93.1'  # LTS\n\
                 components = [\n  \"rustfmt\",\n  \"clippy\",\n]\ntargets = [\"wasm32-wasip2\"]\n",
                Some("1.93.1"),
            ),
            (
                "[toolchain]\nprofile = \"minimal\"\nchannel = \"1.90.0\"\n",
                Some("1.90.0"),
            ),
            ("toolchain.channel = \"1.88\"\n", Some("1.88.0")),
            ("[ toolchain ]\n\"channel\" = \"1.88\"\n", Some("1.88.0")),
            ("[toolchain]\nchannel = \"stable\"\n", None),
            ("[toolchain]\nchannel = \"nightly-2026-01-01\"\n", None),
            ("[toolchain]\npath = \"/opt/rust\"\n", None),
            ("[other]\nchannel = \"1.95\"\n", None),
            ("[toolchain.x]\nchannel = \"1.95\"\n", None),
            ("[toolchain]\nchannel = \"1.95\" trailing\n", None),
            ("[toolchain]\nchannel = \"\"\"1.95\"\"\"\n", None),
            ("[toolchain]\nchannel = \"1.\\u0039\"\n", None),
            ("[toolchain]\nchannel = \"+1.95\"\n", None),
            ("[toolchain\nchannel = \"1.95\"\n", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_toolchain_file(text), expected.map(v), "{text:?}");
        }
    }

    #[test]
    fn toolchain_file_in_an_ancestor_and_the_nearest_wins() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("a/b/c");
        std::fs::create_dir_all(&root).unwrap();
        let toml = tmp.path().join("a/rust-toolchain.toml");
        std::fs::write(&toml, "[toolchain]\nchannel = \"1.90\"\n").unwrap();
        let probe = Probe {
            workspace_root: Some(&root),
            ..Probe::default()
        };
        let found = detect(&probe).unwrap();
        assert_eq!(found.version, v("1.90.0"));
        assert_eq!(found.origin.describe(), "rust-toolchain.toml");
        assert!(
            matches!(&found.origin, Origin::ToolchainFile(p) if p.ends_with("a/rust-toolchain.toml"))
        );

        // The legacy file beside it wins, as in rustup.
        std::fs::write(tmp.path().join("a/rust-toolchain"), "1.91\n").unwrap();
        assert_eq!(detect(&probe).unwrap().version, v("1.91.0"));

        // A nearer file ends the search, even naming no version.
        std::fs::write(
            tmp.path().join("a/b/rust-toolchain.toml"),
            "[toolchain]\nchannel = \"stable\"\n",
        )
        .unwrap();
        assert_eq!(detect(&probe), None);

        // A directory by that name is no file.
        std::fs::remove_file(tmp.path().join("a/b/rust-toolchain.toml")).unwrap();
        std::fs::create_dir(tmp.path().join("a/b/rust-toolchain.toml")).unwrap();
        assert_eq!(detect(&probe).unwrap().version, v("1.91.0"));
    }

    #[test]
    fn cargos_rustc_info_cache() {
        assert_eq!(parse_rustc_info(RUSTC_INFO), Some(v("1.93.1")));
        let nightly = RUSTC_INFO.replace("release: 1.93.1", "release: 1.97.0-nightly");
        assert_eq!(parse_rustc_info(&nightly), Some(v("1.97.0")));
        let failed = RUSTC_INFO.replace(
            "\"success\":true,\"status\":\"\",\"code\":0,\"stdout\":\"rustc",
            "\"success\":false,\"status\":\"\",\"code\":0,\"stdout\":\"rustc",
        );
        assert_eq!(parse_rustc_info(&failed), None);
        for garbage in [
            "",
            "{}",
            "[]",
            "{\"outputs\":[]}",
            "{\"outputs\":{\"1\":{\"success\":true,\"stdout\":7}}}",
        ] {
            assert_eq!(parse_rustc_info(garbage), None, "{garbage:?}");
        }
        // Two toolchains' answers: which is current cannot be told.
        let two = r#"{"outputs":{"1":{"success":true,"stdout":"rustc 1.90.0 (a)\nrelease: 1.90.0\n"},"2":{"success":true,"stdout":"rustc 1.91.0 (b)\nrelease: 1.91.0\n"}}}"#;
        assert_eq!(parse_rustc_info(two), None);

        let tmp = tempfile::tempdir().unwrap();
        let probe = Probe {
            target_dir: Some(tmp.path()),
            ..Probe::default()
        };
        assert_eq!(detect(&probe), None);
        let path = tmp.path().join(".rustc_info.json");
        std::fs::write(&path, RUSTC_INFO).unwrap();
        let found = detect(&probe).unwrap();
        assert_eq!(
            (found.version, found.origin.describe()),
            (v("1.93.1"), "cargo's .rustc_info.json".into())
        );
        assert_eq!(found.origin, Origin::CargoCache(path.clone()));
        // Too large is no answer.
        let padded = RUSTC_INFO.replacen(
            '{',
            &format!("{{\"pad\":\"{}\",", "x".repeat(MAX_BYTES as usize)),
            1,
        );
        std::fs::write(&path, padded).unwrap();
        assert_eq!(detect(&probe), None);
    }

    #[test]
    fn channels_naming_versions() {
        assert_eq!(channel_version("1.95"), Some(v("1.95.0")));
        assert_eq!(
            channel_version("1.95.2-aarch64-apple-darwin"),
            Some(v("1.95.2"))
        );
        assert_eq!(channel_version("1.95-2026-01-01"), Some(v("1.95.0")));
        for no in [
            "stable",
            "beta-x86_64-pc-windows-msvc",
            "1",
            "1.95.0.1",
            "1..2",
            "v1.95",
            "1.95 ",
        ] {
            assert_eq!(channel_version(no), None, "{no:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn rustc_from_the_environment_and_from_path() {
        let tmp = tempfile::tempdir().unwrap();
        let rustc = script(
            tmp.path(),
            "rustc",
            &format!("printf '{}'", VV.replace('\n', "\\n")),
        );
        let probe = Probe {
            rustc_env: Some(rustc.as_os_str()),
            ..Probe::default()
        };
        let found = detect(&probe).unwrap();
        assert_eq!(
            (found.version, found.origin),
            (v("1.95.0"), Origin::RustcEnv)
        );

        let probe = Probe {
            path_rustc: Some(&rustc),
            ..Probe::default()
        };
        assert_eq!(detect(&probe).unwrap().origin.describe(), "rustc -vV");

        // A compiler that fails, or prints nothing useful, is no answer.
        let failing = script(
            tmp.path(),
            "failing",
            &format!("printf '{}'; exit 1", VV.replace('\n', "\\n")),
        );
        let silent = script(tmp.path(), "silent", "true");
        for bad in [failing.as_path(), &silent, Path::new("/no/such/rustc")] {
            let probe = Probe {
                rustc_env: Some(bad.as_os_str()),
                path_rustc: Some(bad),
                ..Probe::default()
            };
            assert_eq!(detect(&probe), None, "{bad:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_hanging_rustc_is_killed_within_the_timeout() {
        let tmp = tempfile::tempdir().unwrap();
        // The shell's `sleep` child keeps the pipe open after the shell dies.
        let hang = script(
            tmp.path(),
            "hang",
            &format!("sleep 60\nprintf '{}'", VV.replace('\n', "\\n")),
        );
        let start = Instant::now();
        let probe = Probe {
            rustc_env: Some(hang.as_os_str()),
            path_rustc: Some(&hang),
            timeout: Duration::from_millis(300),
            ..Probe::default()
        };
        assert_eq!(detect(&probe), None);
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }

    #[cfg(unix)]
    #[test]
    fn precedence() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        let target = root.join("target");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(
            root.join("rust-toolchain.toml"),
            "[toolchain]\nchannel = \"1.92\"\n",
        )
        .unwrap();
        std::fs::write(target.join(".rustc_info.json"), RUSTC_INFO).unwrap();
        let env_rustc = fake_rustc(tmp.path(), "1.95.0");
        let path_rustc = fake_rustc(tmp.path(), "1.89.0");
        let all = Probe {
            rustc_env: Some(env_rustc.as_os_str()),
            rustup_toolchain: Some("1.94.0-x86_64-unknown-linux-gnu"),
            workspace_root: Some(&root),
            target_dir: Some(&target),
            path_rustc: Some(&path_rustc),
            ..Probe::default()
        };
        let answer = |p: Probe| detect(&p).map(|t| (t.version.to_string(), t.origin.describe()));
        let is = |version: &str, origin: &str| Some((version.to_string(), origin.to_string()));

        assert_eq!(answer(all), is("1.95.0", "$RUSTC"));
        let no_rustc = Probe {
            rustc_env: None,
            ..all
        };
        assert_eq!(answer(no_rustc), is("1.94.0", "$RUSTUP_TOOLCHAIN"));
        // Cargo builds with $RUSTC when it is set: one that fails leaves the
        // toolchain unknown, whatever else is around.
        let bad_rustc = Probe {
            rustc_env: Some(OsStr::new("/no/such/rustc")),
            ..all
        };
        assert_eq!(answer(bad_rustc), None);
        // $RUSTUP_TOOLCHAIN naming no version: rustup reads no file then.
        let stable = Probe {
            rustup_toolchain: Some("stable-x86_64-unknown-linux-gnu"),
            ..no_rustc
        };
        assert_eq!(answer(stable), is("1.93.1", "cargo's .rustc_info.json"));
        let unset = Probe {
            rustup_toolchain: None,
            ..no_rustc
        };
        assert_eq!(answer(unset), is("1.92.0", "rust-toolchain.toml"));
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let no_file = Probe {
            workspace_root: Some(&elsewhere),
            ..unset
        };
        assert_eq!(answer(no_file), is("1.93.1", "cargo's .rustc_info.json"));
        let no_cache = Probe {
            target_dir: None,
            ..no_file
        };
        assert_eq!(answer(no_cache), is("1.89.0", "rustc -vV"));
        let nothing = Probe {
            path_rustc: None,
            ..no_cache
        };
        assert_eq!(answer(nothing), None);
    }
}
