//! `status <SPEC>`: one version's train, dates, patches, advisories and upgrade path.

use super::args::{CommonArgs, Format, StatusArgs};
use super::{Env, color_enabled, load_data, write_out};
use crate::check::resolve::Limits;
use crate::check::status::{Spec, status};
use crate::error::{Error, Result};
use crate::report::{json, paint::Paint, status::render};
use std::io::Write;

pub fn run(
    common: &CommonArgs,
    args: &StatusArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let spec = Spec::parse(&args.spec)?;
    let data = load_data(common, env, err)?;
    let limits = Limits {
        as_of: common.date.unwrap_or(env.today),
        rust: env
            .current_dir
            .as_deref()
            .and_then(|d| super::toolchain_version(d, env)),
        declared: false,
    };
    let report = status(&data, &spec, &limits)?;
    let text = match common.format {
        Format::Json => json::render(&report),
        Format::Human => render(
            &report,
            Paint {
                enabled: color_enabled(common.color, env),
            },
        ),
        _ => return Err(Error::new("status --format: expected human or json")),
    };
    write_out(out, &text)?;
    Ok(0)
}
