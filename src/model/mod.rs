//! What everything talks about: the release policy, the crate family, the
//! release facts, findings, trains and their advice, and the phrasebook that
//! says them.

pub mod advice;
pub mod data;
pub mod effort;
pub mod family;
pub mod findings;
pub mod inputs;
pub mod phrases;
pub mod policy;
pub mod published;
pub mod releases;
pub mod train;
