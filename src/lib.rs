//! `cargo wasmtime-support`: which Wasmtime release trains does a Cargo.lock
//! contain, are they still supported, and what is the LTS upgrade path?
//!
//! The flow: `cli` (arguments, clock, files) → `workspace`/`input` (find and read
//! Cargo.lock) → `lockfile` (parse) → `inventory` (family crates by train, using
//! `family`) → `audit` (status from `policy` and `releases`, advice from
//! `recommend`, `findings` with levels) → `render` (human, json).
//! Everything from `lockfile` to `render` is pure.

pub mod advisory_db;
pub mod audit;
pub mod bot_config;
pub mod cache;
pub mod calendar;
pub mod cargo_config;
pub mod cargo_index;
pub mod cli;
pub mod config;
pub mod data;
pub mod dependents;
pub mod effort;
pub mod error;
pub mod family;
pub mod findings;
pub mod fnv;
pub mod input;
pub mod inventory;
pub mod lockfile;
pub mod policy;
pub mod recommend;
pub mod registry;
pub mod release_notes;
pub mod releases;
pub mod render;
pub mod security;
pub mod status;
pub mod text;
pub mod upgrade;
pub mod workspace;
