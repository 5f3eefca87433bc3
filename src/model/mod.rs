//! What the tool talks about: the release policy, the crate family, the
//! release facts and findings.

pub mod data;
pub mod family;
pub mod findings;
pub mod policy;
pub mod releases;
