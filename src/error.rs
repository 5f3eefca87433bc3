//! The one error type: a single line for the user, always exit code 2.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: one_line(&message.into()),
        }
    }

    /// An error about a file: `<path>: <problem>`.
    pub fn in_file(path: &str, problem: impl fmt::Display) -> Self {
        Error::new(format!("{path}: {problem}"))
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Says what was being done when something failed, as anyhow's `Context`
/// does: on `Err(e)`, `.context("Cargo.lock")` gives the one line
/// `Cargo.lock: e`, and contexts chain outwards (`a: b: e`). Hand-written
/// rather than anyhow's because every error here must stay one sanitized
/// line with exit code 2, which this type already guarantees.
pub trait Context<T> {
    fn context(self, what: impl fmt::Display) -> Result<T>;
    fn with_context<D: fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::new(format!("{what}: {e}")))
    }

    fn with_context<D: fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.map_err(|e| Error::new(format!("{}: {e}", what())))
    }
}

/// Errors are printed as one line; multi-line messages from parsers are folded
/// and control characters from untrusted input are made visible.
fn one_line(s: &str) -> String {
    let folded: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    crate::text::sanitize(&folded.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_chain_outwards_on_one_line() {
        let io: std::result::Result<(), std::io::Error> = Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "denied\nsecond line",
        ));
        let e = io
            .context("cannot write")
            .with_context(|| "dir/\u{1b}[31mcache.json")
            .unwrap_err();
        assert_eq!(
            e.message(),
            "dir/\\u{1b}[31mcache.json: cannot write: denied second line"
        );
        let ok: std::result::Result<u8, String> = Ok(1);
        assert_eq!(ok.context("never shown"), Ok(1));
    }
}
