//! `completions SHELL` and `man`: generated from the clap definition, so
//! they always list the options the binary really takes.

use super::{SUBCOMMAND, command, write_out};
use crate::error::{Context, Result};
use std::io::Write;

/// The binary as users call it: `cargo-wasmtime-support` (what cargo runs
/// for `cargo wasmtime-support`), with the subcommand's options.
fn tool() -> clap::Command {
    command()
        .find_subcommand(SUBCOMMAND)
        .expect("the subcommand is defined")
        .clone()
        .name("cargo-wasmtime-support")
        .bin_name("cargo-wasmtime-support")
}

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut tool(), "cargo-wasmtime-support", &mut buf);
    write_out(out, &String::from_utf8_lossy(&buf))?;
    Ok(0)
}

pub fn man(out: &mut dyn Write) -> Result<u8> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(tool())
        .render(&mut buf)
        .context("cannot render the manual page")?;
    write_out(out, &String::from_utf8_lossy(&buf))?;
    Ok(0)
}
