use cargo_wasmtime_support::cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let env = cli::Env::from_process();
    let code = cli::run(
        std::env::args_os().collect(),
        &env,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
