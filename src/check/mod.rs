//! What the tool works out, without clock, files or printing: the
//! inventory of trains, the checks and their findings, the advice, status,
//! calendar, and the plans of `upgrade` and `bot-config`.

pub mod audit;
pub mod bindings;
pub mod bot_config;
pub mod calendar;
pub mod context;
pub mod dependents;
pub mod effort;
pub mod ignores;
pub mod inventory;
pub mod lifecycle;
pub mod lockfiles;
pub mod recommend;
pub mod resolve;
pub mod security;
pub mod status;
pub mod upgrade;
