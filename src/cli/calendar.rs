//! `calendar`: the release trains around a date, the project's own marked.

use super::args::{CalendarArgs, CommonArgs, Format};
use super::{Env, color_enabled, load_data, project, write_out};
use crate::check::calendar;
use crate::check::inventory;
use crate::error::{Error, Result};
use crate::report::calendar::{ChartOptions, markdown, render};
use crate::report::{json, paint::Paint};
use crate::text::WIDTH;
use std::collections::BTreeMap;
use std::io::Write;

pub fn run(
    common: &CommonArgs,
    args: &CalendarArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let data = load_data(common, env, err)?;
    let as_of = common.date.unwrap_or(env.today);
    let used = used_trains(common, env, &data)?;
    let cal = calendar::calendar(&data, as_of, args.months, &used);
    let text = match common.format {
        Format::Json => json::render(&cal),
        Format::Markdown => markdown(&cal),
        Format::Human => {
            let color = color_enabled(common.color, env);
            render(
                &cal,
                &ChartOptions {
                    width: env.terminal_width.unwrap_or(WIDTH).clamp(WIDTH, 240),
                    unicode: color && env.utf8,
                    paint: Paint { enabled: color },
                },
            )
        }
        Format::Github | Format::Sarif => {
            return Err(Error::new(
                "calendar --format: expected human, json or markdown",
            ));
        }
    };
    write_out(out, &text)?;
    Ok(0)
}

/// The trains of the project at hand: with --lockfile, or when run inside a
/// workspace. Outside any workspace the chart simply marks nothing.
fn used_trains(
    common: &CommonArgs,
    env: &Env,
    data: &crate::model::data::Data,
) -> Result<BTreeMap<u32, String>> {
    let project = if common.lockfile.is_empty() && common.manifest_path.is_none() {
        match project(common, env) {
            Ok(p) => p,
            Err(_) => return Ok(BTreeMap::new()),
        }
    } else {
        project(common, env)?
    };
    let inv = inventory::inventory_within(
        &project.inputs,
        &data.family,
        crate::model::family::newest_plausible_major(
            data.newest_major(),
            common.date.unwrap_or(env.today),
        ),
    );
    Ok(calendar::used_in(&inv))
}
