//! `completions SHELL` and `man`: generated from the clap definition, so
//! they always list the options the binary really takes.

use super::{SUBCOMMAND, command, write_out};
use crate::error::{Context, Result};
use std::io::Write;

/// The binary as users call it: `cargo-wasmtime-support` (what cargo runs
/// for `cargo wasmtime-support`), with the subcommand's options.
fn tool() -> clap::Command {
    let cmd = command()
        .find_subcommand(SUBCOMMAND)
        .expect("the subcommand is defined")
        .clone()
        .name("cargo-wasmtime-support");
    named("cargo-wasmtime-support".to_string(), cmd)
}

/// Every subcommand named after the binary that runs it: taken out of
/// `cargo`'s definition, they would keep `cargo wasmtime-support ...` and the
/// completion scripts would look for functions under names they never use.
fn named(bin: String, cmd: clap::Command) -> clap::Command {
    cmd.bin_name(bin.clone()).mut_subcommands(|sub| {
        let name = format!("{bin} {}", sub.get_name());
        named(name, sub)
    })
}

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut tool(), "cargo-wasmtime-support", &mut buf);
    let mut script = String::from_utf8_lossy(&buf).into_owned();
    if shell == clap_complete::Shell::Bash {
        // clap_complete 4.6 names a subcommand's branch from the binary's
        // name with its hyphens turned into separators, but looks it up
        // with them turned into `__`: with a hyphenated binary no subcommand
        // option ever completes. One name for both.
        script = script.replace(
            "cargo__subcmd__wasmtime__subcmd__support__subcmd__",
            "cargo__wasmtime__support__subcmd__",
        );
    }
    write_out(out, &script)?;
    Ok(0)
}

/// The tool's page, or a subcommand's (`cargo-wasmtime-support-refresh`,
/// the name the tool's page refers to it by).
pub fn man(sub: Option<&str>, out: &mut dyn Write) -> Result<u8> {
    let tool = tool();
    let page = match sub {
        None => tool,
        Some(name) => {
            let Some(cmd) = tool
                .get_subcommands()
                .find(|c| c.get_name() == name && name != "help")
            else {
                let names: Vec<&str> = tool
                    .get_subcommands()
                    .map(|c| c.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                return Err(crate::error::Error::new(format!(
                    "man: no subcommand `{}`; the pages are for {}",
                    crate::text::sanitize(name),
                    names.join(", ")
                )));
            };
            let full = format!("cargo-wasmtime-support-{name}");
            cmd.clone().name(full.clone()).bin_name(full)
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut buf)
        .context("cannot render the manual page")?;
    write_out(out, &String::from_utf8_lossy(&buf))?;
    Ok(0)
}
