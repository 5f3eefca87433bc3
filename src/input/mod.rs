//! Reading the world: lockfiles, the workspace, configuration, and the
//! sources of release facts (cargo's index cache, the refresh cache, the
//! registry, a local advisory database).

pub mod advisory_db;
pub mod advisory_sources;
pub mod binary;
pub mod binding_registries;
pub mod bindings;
pub mod cache;
pub mod cargo_config;
pub mod cargo_index;
pub mod config;
pub mod crate_download;
pub mod crate_file;
pub mod files;
pub mod json;
pub mod layers;
pub mod lockfile;
pub mod osv;
pub mod pins;
pub mod registry;
pub mod release_notes;
pub mod sbom;
pub mod toolchain;
pub mod workspace;
