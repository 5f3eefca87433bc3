//! Rust binaries built with `cargo auditable`: the dependency list it embeds
//! (a zlib-compressed JSON section, `.dep-v0`, in ELF, Mach-O, PE and
//! WebAssembly files), read with the format's own crates and their limits,
//! into a [`Lockfile`] the audit reads like a Cargo.lock. The binary is
//! only read, never run.

use crate::error::{Error, Result};
use crate::input::lockfile::{Lockfile, Package, Source};
use crate::model::inputs::InputKind;
use auditable_serde::{Source as AuditSource, VersionInfo};
use std::path::Path;

/// The largest binary read (the whole file is scanned for the section).
pub const MAX_BINARY_BYTES: u64 = 512 * 1024 * 1024;
/// The largest dependency list, decompressed (`auditable-info`'s default).
pub const MAX_DEPENDENCY_JSON_BYTES: usize = 8 * 1024 * 1024;

const CRATES_IO: &str = "https://github.com/rust-lang/crates.io-index";

pub fn read(path: &Path, shown: &str) -> Result<Lockfile> {
    if path.as_os_str() == "-" {
        return Err(Error::new(
            "--bin reads a file, not standard input: give the binary's path",
        ));
    }
    let bytes = crate::input::files::read_bytes(path, shown, MAX_BINARY_BYTES)?;
    let info = auditable_info::audit_info_from_slice(&bytes, MAX_DEPENDENCY_JSON_BYTES).map_err(|e| match e {
        auditable_info::Error::NoAuditData => Error::in_file(
            shown,
            "no dependency list embedded: build it with `cargo auditable build` (`cargo install cargo-auditable`) to audit the binary",
        ),
        auditable_info::Error::OutputLimitExceeded => Error::in_file(
            shown,
            format!(
                "its embedded dependency list unpacks to more than {} MiB, this tool's limit: refused",
                MAX_DEPENDENCY_JSON_BYTES / 1024 / 1024
            ),
        ),
        other => Error::in_file(
            shown,
            format!("cannot read its embedded dependency list: {}", first_line(&other.to_string())),
        ),
    })?;
    Ok(lockfile(info, shown))
}

fn first_line(s: &str) -> String {
    crate::text::sanitize(s.lines().next().unwrap_or_default())
}

/// The dependency list as a lockfile: the root package is the project's
/// own (a path crate), dependencies by `name version`.
pub fn lockfile(info: VersionInfo, shown: &str) -> Lockfile {
    let names: Vec<String> = info
        .packages
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    let packages = info
        .packages
        .iter()
        .map(|p| Package {
            name: p.name.clone(),
            version: p.version.clone(),
            source: match &p.source {
                AuditSource::CratesIo => Source::Registry {
                    url: CRATES_IO.into(),
                },
                AuditSource::Git => Source::Git {
                    url: "(git)".into(),
                    rev: None,
                },
                AuditSource::Local => Source::Path,
                AuditSource::Registry => Source::Registry {
                    url: "(another registry)".into(),
                },
                _ => Source::Registry {
                    url: "(unknown source)".into(),
                },
            },
            dependencies: p
                .dependencies
                .iter()
                .filter_map(|&i| names.get(i).cloned())
                .collect(),
            line: 1,
            reference: None,
        })
        .collect();
    Lockfile {
        path: shown.to_string(),
        kind: InputKind::Binary,
        format: 0,
        packages,
    }
}
