//! `cargo wasmtime-support`: which Wasmtime release trains does a Cargo.lock
//! contain, are they still supported, and what is the LTS upgrade path?
//!
//! The folders follow the flow, top to bottom; each uses only those below it:
//!
//! - `cli/`: wiring. Arguments, the process environment (`Env`: clock,
//!   variables, current directory), files written, exit codes.
//! - `report/`: the renderers (human, JSON, Markdown, GitHub, SARIF, status,
//!   calendar).
//! - `check/`: what the tool works out, pure: the inventory of trains, the
//!   checks and their findings, the advice, status, calendar, and the plans of
//!   `upgrade` and `bot-config`.
//! - `input/`: reading the world: lockfiles, the workspace, configuration,
//!   and the layers of facts (cargo's index cache, the refresh cache, the
//!   registry, a RustSec database).
//! - `model/`: what everything talks about: the release policy, the crate
//!   family, the release facts, findings, trains and advice, and the
//!   phrasebook that says them.
//!
//! `text` (escaping, wrapping) and `error` (one line, exit code 2) are used by
//! all of them.

mod check;
mod cli;
mod error;
mod input;
mod model;
mod report;
mod text;

pub use check::audit::{Audit, audit};
pub use check::context::Options;
pub use check::inventory::{Inventory, LockInput, inventory};
pub use check::resolve::{Limits, Resolution, Resolved, resolve};
pub use check::upgrade::{Choice, Manifest, UntouchedReason, plan};
pub use cli::{Env, Stdin, run};
pub use error::{Error, Result};
pub use input::registry::index_path;
pub use input::{lockfile, workspace};
pub use model::data::{Data, Publication};
pub use model::family::Placement;
pub use model::findings::{Code, Level};
pub use model::policy;
pub use model::train::DepKind;

/// The audit's renderers (from `report/`), each from an `Audit` to text.
pub mod render {
    pub use crate::report::{github, human, json, markdown, sarif};
}
