//! Renderers turn an `Audit` into text. They decide nothing: levels, verdict
//! and advice are all in the `Audit` already.

pub mod human;
pub mod json;
pub mod paint;
