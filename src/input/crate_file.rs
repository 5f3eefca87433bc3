//! One file out of a published `.crate` (a gzip-compressed tarball), read as
//! it is decompressed: nothing of the archive is written to disk, no path in
//! it is ever used as one, and every size is bounded, so a hostile archive
//! (a decompression bomb, a huge member, links, `../` names) costs at most
//! the limits below and ends in one line saying what was wrong.
#![cfg_attr(not(feature = "network"), allow(dead_code))]

use sha2::{Digest, Sha256};
use std::io::Read;

/// A `wasmtime-cli` crate is about half a megabyte compressed.
pub const MAX_COMPRESSED: u64 = 16 * 1024 * 1024;
/// What may be decompressed in all while looking for the member (the real
/// archive unpacks to about 3 MiB).
pub const MAX_UNPACKED: u64 = 64 * 1024 * 1024;
/// A `RELEASES.md` is tens of kilobytes.
pub const MAX_MEMBER: u64 = 4 * 1024 * 1024;

/// Whether `bytes` hash to the registry's `cksum` (hex SHA-256).
pub fn checksum_matches(bytes: &[u8], cksum: &str) -> bool {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.eq_ignore_ascii_case(cksum.trim())
}

/// The text of `<name>-<version>/<member>` in the `.crate` `gz`: only a
/// regular file at exactly that path counts (cargo's own layout).
pub fn member(gz: &[u8], name: &str, version: &str, member: &str) -> Result<String, String> {
    let wanted = format!("{name}-{version}/{member}");
    let unpacked = Bounded {
        inner: flate2::read::GzDecoder::new(gz),
        left: MAX_UNPACKED,
    };
    let mut archive = tar::Archive::new(unpacked);
    let entries = archive.entries().map_err(|e| describe(&e))?;
    for entry in entries {
        let entry = entry.map_err(|e| describe(&e))?;
        if entry.path_bytes().as_ref() != wanted.as_bytes() {
            continue;
        }
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(format!("{wanted} is not a regular file in the archive"));
        }
        let size = entry.header().size().map_err(|e| describe(&e))?;
        if size > MAX_MEMBER {
            return Err(format!(
                "{wanted} is {} MiB, more than the {} MiB a release-notes file may be",
                size / 1024 / 1024,
                MAX_MEMBER / 1024 / 1024
            ));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        entry
            .take(MAX_MEMBER)
            .read_to_end(&mut bytes)
            .map_err(|e| describe(&e))?;
        return String::from_utf8(bytes).map_err(|_| format!("{wanted} is not UTF-8 text"));
    }
    Err(format!("the archive holds no {wanted}"))
}

fn describe(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::FileTooLarge {
        return e.to_string();
    }
    format!("not a complete .crate archive ({e})")
}

/// A reader that fails once more than `left` bytes came through.
struct Bounded<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!(
                    "the archive unpacks to more than {} MiB: not a crate",
                    MAX_UNPACKED / 1024 / 1024
                ),
            )
        })?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A `.crate` holding `members` (path, kind, content), built as cargo builds one.
    pub fn archive(members: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, kind, content) in members {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            // Written raw: `set_path` refuses the `../` names a hostile archive holds.
            let name = &mut header.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            if *kind == tar::EntryType::Symlink {
                header.set_link_name("/etc/passwd").unwrap();
            }
            header.set_cksum();
            builder.append(&header, *content).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    const NAME: &str = "wasmtime-cli-49.0.5/RELEASES.md";

    #[test]
    fn only_the_member_at_its_own_path_is_read() {
        let gz = archive(&[
            ("../RELEASES.md", tar::EntryType::Regular, b"outside"),
            ("/RELEASES.md", tar::EntryType::Regular, b"absolute"),
            (
                "wasmtime-cli-49.0.5/src/RELEASES.md",
                tar::EntryType::Regular,
                b"nested",
            ),
            (NAME, tar::EntryType::Regular, b"## 49.0.5\n"),
        ]);
        assert_eq!(
            member(&gz, "wasmtime-cli", "49.0.5", "RELEASES.md").unwrap(),
            "## 49.0.5\n"
        );
        let only_outside = archive(&[("../RELEASES.md", tar::EntryType::Regular, b"x")]);
        let e = member(&only_outside, "wasmtime-cli", "49.0.5", "RELEASES.md").unwrap_err();
        assert!(
            e.contains("holds no wasmtime-cli-49.0.5/RELEASES.md"),
            "{e}"
        );
    }

    #[test]
    fn hostile_archives_end_in_one_line() {
        let link = archive(&[(NAME, tar::EntryType::Symlink, b"")]);
        let e = member(&link, "wasmtime-cli", "49.0.5", "RELEASES.md").unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");

        let huge = vec![b'#'; (MAX_MEMBER + 1) as usize];
        let big = archive(&[(NAME, tar::EntryType::Regular, &huge)]);
        let e = member(&big, "wasmtime-cli", "49.0.5", "RELEASES.md").unwrap_err();
        assert!(e.contains("more than the 4 MiB"), "{e}");

        // A bomb: zeros compress a thousandfold; the member comes after them.
        let zeros = vec![0u8; (MAX_UNPACKED + 1024 * 1024) as usize];
        let bomb = archive(&[
            ("wasmtime-cli-49.0.5/pad", tar::EntryType::Regular, &zeros),
            (NAME, tar::EntryType::Regular, b"## 49.0.5\n"),
        ]);
        assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
        let e = member(&bomb, "wasmtime-cli", "49.0.5", "RELEASES.md").unwrap_err();
        assert!(e.contains("unpacks to more than 64 MiB"), "{e}");

        let whole = archive(&[(NAME, tar::EntryType::Regular, &[b'x'; 100_000])]);
        let e = member(
            &whole[..whole.len() / 2],
            "wasmtime-cli",
            "49.0.5",
            "RELEASES.md",
        )
        .unwrap_err();
        assert!(e.contains("not a complete .crate archive"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        let e = member(b"not gzip", "wasmtime-cli", "49.0.5", "RELEASES.md").unwrap_err();
        assert!(e.contains("not a complete .crate archive"), "{e}");
    }

    #[test]
    fn checksums() {
        let sum = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert!(checksum_matches(b"hello", sum));
        assert!(!checksum_matches(b"hello!", sum));
    }
}
