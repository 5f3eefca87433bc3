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

/// Errors are printed as one line; multi-line messages from parsers are folded
/// and control characters from untrusted input are made visible.
fn one_line(s: &str) -> String {
    let folded: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    crate::text::sanitize(&folded.join(" "))
}
