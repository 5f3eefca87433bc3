//! JSON inputs from outside (SBOMs, NuGet lock files): serde_json's own
//! limits hold (it refuses nesting deeper than 128), and an error names the
//! file and the place.

use crate::error::{Error, Result};

pub fn bounded(text: &str, path: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        let what = e.to_string();
        let what = what.split(" at line").next().unwrap_or(&what);
        Error::new(format!(
            "{path}:{}:{}: not valid JSON: {what}",
            e.line(),
            e.column()
        ))
    })
}
