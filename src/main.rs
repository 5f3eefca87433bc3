//! The binary: `run` with the process's own surroundings (`Env::from_process`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let env = cargo_wasmtime_support::Env::from_process();
    let code = cargo_wasmtime_support::run(
        std::env::args_os().collect(),
        &env,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
