//! Renderers turn an `Audit` into text. They decide nothing: levels, verdict
//! and advice are all in the `Audit` already.

pub mod calendar;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod paint;
pub mod sarif;
pub mod status;
