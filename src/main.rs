//! The `drupal-sync` executable: parse arguments, set up logging and the runtime, run.

use std::process::ExitCode;

use clap::Parser;
use drupal_sync::cli::Cli;
use drupal_sync::Output;

fn main() -> ExitCode {
    // clap exits 2 on a usage error, which CI scripts read as `plan --detailed-exitcode`'s
    // "changes": a typo must fail the job instead (CONTRACT §4).
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Before there is a command line there is no `Output`: clap prints its own usage
            // error (or `--help`, `--version`), styled by its own terminal detection.
            let _ = e.print();
            return ExitCode::from(u8::from(e.use_stderr()));
        }
    };
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "drupal_sync=info",
        (false, _) => "drupal_sync=debug",
    };
    let output = Output::detect(cli.color, cli.quiet);
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(level))
        .with_writer(std::io::stderr)
        .with_ansi(output.color_stderr)
        .with_target(false)
        .without_time()
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            output.error(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    let exit = runtime.block_on(drupal_sync::run(cli, output));
    ExitCode::from(exit.code())
}
