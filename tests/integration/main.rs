//! The integration tests, in one binary (one link instead of one per file):
//! each module is one area of behaviour; `common` runs the program in process
//! or as the real binary, with fixtures and local servers.

mod common;

mod action;
mod advisory_sources;
mod audit;
mod bot_config;
mod ci;
mod cli;
mod conventions;
mod docs;
mod effort;
mod hostile_input;
mod json_schema;
mod layout;
mod real_projects;
mod resolves_with_cargo;
mod robustness;
mod security;
mod shipped;
mod sources;
mod upgrade;
mod upgrade_props;
mod upgrade_safety;
mod views;
mod workspace_discovery;
