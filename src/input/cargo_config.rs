//! The few settings of cargo's own configuration that decide whether and how
//! `refresh` reaches the network, read as cargo reads them: the environment
//! (`CARGO_HTTP_CAINFO`, `CARGO_HTTP_PROXY`, `CARGO_NET_OFFLINE`) over
//! `.cargo/config.toml` files from the current directory up, over
//! `$CARGO_HOME/config.toml`. The closest file wins.

use std::path::{Path, PathBuf};

/// A configuration file is small; skip anything absurd.
const MAX_CONFIG_FILE: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetConfig {
    /// A CA bundle (PEM) to trust instead of the system's.
    pub cainfo: Option<Setting<PathBuf>>,
    pub proxy: Option<Setting<String>>,
    /// Where `offline` was set, when it was.
    pub offline: Option<String>,
    /// Files that could not be read, for a note.
    pub notes: Vec<String>,
}

/// A value and where it was set (`CARGO_HTTP_PROXY`, or a file's path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: String,
}

/// Reads the settings; `var` looks up an environment variable.
pub fn read(
    cwd: Option<&Path>,
    cargo_home: Option<&Path>,
    var: &dyn Fn(&str) -> Option<String>,
) -> NetConfig {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(cwd) = cwd {
        for dir in cwd.ancestors() {
            files.extend(config_file(&dir.join(".cargo")));
        }
    }
    if let Some(f) = cargo_home.and_then(config_file) {
        if !files.contains(&f) {
            files.push(f);
        }
    }
    let mut cfg = NetConfig::default();
    // Farthest first, so that closer files overwrite.
    for file in files.iter().rev() {
        let shown = file.display().to_string();
        let value = match read_toml(file) {
            Ok(v) => v,
            Err(why) => {
                cfg.notes.push(format!("{shown}: {why}"));
                continue;
            }
        };
        let get = |table: &str, key: &str| value.get(table).and_then(|t| t.get(key)).cloned();
        if let Some(toml::Value::String(p)) = get("http", "cainfo") {
            // Relative paths are relative to the directory holding `.cargo/`.
            let base = file
                .parent()
                .and_then(Path::parent)
                .unwrap_or(Path::new("."));
            cfg.cainfo = Some(Setting {
                value: base.join(p),
                origin: shown.clone(),
            });
        }
        if let Some(toml::Value::String(p)) = get("http", "proxy") {
            cfg.proxy = Some(Setting {
                value: p,
                origin: shown.clone(),
            });
        }
        if let Some(toml::Value::Boolean(b)) = get("net", "offline") {
            cfg.offline = b.then(|| format!("net.offline in {shown}"));
        }
    }
    if let Some(p) = var("CARGO_HTTP_CAINFO").filter(|v| !v.is_empty()) {
        cfg.cainfo = Some(Setting {
            value: PathBuf::from(p),
            origin: "CARGO_HTTP_CAINFO".into(),
        });
    }
    if let Some(p) = var("CARGO_HTTP_PROXY").filter(|v| !v.is_empty()) {
        cfg.proxy = Some(Setting {
            value: p,
            origin: "CARGO_HTTP_PROXY".into(),
        });
    }
    match var("CARGO_NET_OFFLINE").as_deref() {
        Some("true" | "1") => cfg.offline = Some("CARGO_NET_OFFLINE".into()),
        Some("false" | "0") => cfg.offline = None,
        _ => {}
    }
    cfg
}

fn config_file(dir: &Path) -> Option<PathBuf> {
    ["config.toml", "config"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

fn read_toml(file: &Path) -> Result<toml::Table, String> {
    let meta = std::fs::metadata(file).map_err(|e| format!("cannot read it: {e}"))?;
    if meta.len() > MAX_CONFIG_FILE {
        return Err("too large for a cargo configuration".into());
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read it: {e}"))?;
    text.parse::<toml::Table>()
        .map_err(|e| format!("not valid TOML: {}", e.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_file_then_environment_wins() {
        let d = tempfile::tempdir().unwrap();
        let home = d.path().join("home");
        let proj = d.path().join("proj").join("sub");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(proj.join(".cargo")).unwrap();
        std::fs::create_dir_all(d.path().join("proj").join(".cargo")).unwrap();
        std::fs::write(
            home.join("config.toml"),
            "[http]\nproxy = \"http://home:1\"\ncainfo = \"/etc/home.pem\"\n[net]\noffline = true\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("proj").join(".cargo").join("config.toml"),
            "[http]\nproxy = \"http://proj:2\"\n",
        )
        .unwrap();
        std::fs::write(
            proj.join(".cargo").join("config"),
            "[http]\ncainfo = \"ca.pem\"\n",
        )
        .unwrap();
        let none = |_: &str| None;
        let cfg = read(Some(&proj), Some(&home), &none);
        assert_eq!(cfg.proxy.as_ref().unwrap().value, "http://proj:2");
        assert_eq!(cfg.cainfo.as_ref().unwrap().value, proj.join("ca.pem"));
        assert!(cfg.offline.as_deref().unwrap().contains("net.offline"));

        let env = |k: &str| match k {
            "CARGO_HTTP_PROXY" => Some("http://env:3".to_string()),
            "CARGO_NET_OFFLINE" => Some("false".to_string()),
            _ => None,
        };
        let cfg = read(Some(&proj), Some(&home), &env);
        assert_eq!(cfg.proxy.unwrap().origin, "CARGO_HTTP_PROXY");
        assert_eq!(cfg.offline, None);
    }

    #[test]
    fn a_broken_file_is_a_note() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join(".cargo")).unwrap();
        std::fs::write(d.path().join(".cargo").join("config.toml"), "[http\n").unwrap();
        let cfg = read(Some(d.path()), None, &|_| None);
        assert_eq!(cfg.notes.len(), 1);
        assert!(cfg.notes[0].contains("not valid TOML"));
    }
}
