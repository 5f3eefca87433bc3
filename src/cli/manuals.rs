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
    clap_complete::generate(
        shell,
        &mut completed(tool()),
        "cargo-wasmtime-support",
        &mut buf,
    );
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
    if shell == clap_complete::Shell::Zsh {
        // clap_complete's zsh script lists hidden positionals all the same,
        // and counts them before the subcommand's name.
        script = script
            .lines()
            .filter(|l| !l.starts_with("'::files -- "))
            .map(|l| l.replace("$line[2]", "$line[1]") + "\n")
            .collect();
    }
    if shell == clap_complete::Shell::Fish {
        script.push_str(&fish_cargo_form());
    }
    write_out(out, &script)?;
    Ok(0)
}

/// What the shells complete: not the audit's positional FILEs, which
/// pre-commit passes and people do not type. zsh's `_arguments` would take a
/// subcommand's name for one, and then complete none of its options.
fn completed(cmd: clap::Command) -> clap::Command {
    cmd.mut_arg("files", |a| a.hide(true))
}

/// fish completes `cargo wasmtime-support ...` only from completions for
/// `cargo` (zsh's `_cargo` calls `_cargo-wasmtime-support` itself, and bash's
/// cargo script calls the binary's completion): the same definition rooted at
/// `cargo`, with its helper functions renamed so they cannot replace those of
/// fish's own `cargo.fish`, and without `cargo`'s own options, which are not
/// ours to complete.
fn fish_cargo_form() -> String {
    let cargo = clap::Command::new("cargo")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .subcommand(completed(tool()).name(SUBCOMMAND).bin_name(SUBCOMMAND));
    let mut buf = Vec::new();
    clap_complete::generate(
        clap_complete::Shell::Fish,
        &mut cargo.clone(),
        "cargo",
        &mut buf,
    );
    let script = String::from_utf8_lossy(&buf)
        .replace("__fish_cargo_", "__fish_cargo_wasmtime_support_cargo_form_");
    format!("\n# The same, as `cargo wasmtime-support`.\n{script}")
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
