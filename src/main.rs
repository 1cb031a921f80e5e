//! The `dataarts-jobs` binary: parse, build the output object and the
//! runtime, race the command against Ctrl-C (or SIGTERM, as a CI runner
//! cancelling a job sends), report, map the exit code.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Parser;

use dataarts_jobs::cancel::Interrupted;
use dataarts_jobs::cli::{Cli, Command};
use dataarts_jobs::commands::Context;
use dataarts_jobs::env::Env;
use dataarts_jobs::exit;
use dataarts_jobs::output::{self, Printer};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let printer = Printer::detect(output::Options {
        quiet: cli.output.quiet,
        verbose: cli.output.verbose,
        json: cli.command.json(),
    });
    // One thread drives every connection: downloads are bound by the network
    // and the disk, not the CPU, and keeping hyper's reads and our writes on
    // one thread avoids a cross-thread hand-off per chunk (measured: 1.7x ->
    // 1.06x curl's time on a 1 GiB export). Blocking work (extraction,
    // merging, fsync) runs on tokio's blocking pool.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let error = anyhow::Error::new(error).context("cannot start the async runtime");
            return ExitCode::from(exit::report(&printer, &error));
        }
    };
    let ctx = Context {
        printer: printer.clone(),
        cancel: Arc::new(AtomicBool::new(false)),
        env: Env::process(),
    };
    // The emulator treats Ctrl-C as its normal stop and handles it itself.
    let stops_on_ctrl_c = matches!(cli.command, Command::Emulator(_));
    let result = runtime.block_on(async {
        if stops_on_ctrl_c {
            return dataarts_jobs::run(cli.command, &ctx).await;
        }
        tokio::select! {
            result = dataarts_jobs::run(cli.command, &ctx) => result,
            () = interrupted() => {
                // Dropping the command's future runs the destructors of its
                // temporary files; blocking work sees the flag and cleans up.
                ctx.cancel.store(true, Ordering::SeqCst);
                Err(Interrupted.into())
            }
        }
    });
    // Waits for blocking tasks (an extraction unwinding its staging directory).
    drop(runtime);
    match result.and_then(|()| {
        printer
            .finish_json(None)
            .map_err(|error| anyhow::Error::new(error).context("cannot write to stdout"))
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => ExitCode::from(exit::report(&printer, &error)),
    }
}

/// A command line clap refused (or `--help`/`--version`): clap prints it;
/// with `--json`, a JSON error object goes to stdout too.
fn usage_error(error: &clap::Error) -> ExitCode {
    let _ = error.print();
    if !error.use_stderr() {
        return ExitCode::SUCCESS;
    }
    // `--json` as a flag: not after `--`, where it would be a job name.
    if std::env::args_os()
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--json")
    {
        let printer = Printer::detect(output::Options {
            json: true,
            ..output::Options::default()
        });
        let object = serde_json::json!({
            "exit_code": exit::code::USAGE,
            "message": usage_message(error),
            "error_code": null,
            "request_id": null,
        });
        let _ = printer.finish_json(Some(object));
    }
    ExitCode::from(exit::code::USAGE)
}

/// clap's message without its usage and help lines, on one line
/// (`the following required arguments were not provided: <DIR>`).
fn usage_message(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let body = rendered
        .split("\nUsage:")
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    let words: Vec<&str> = body.split_whitespace().collect();
    match words.is_empty() {
        true => error.kind().to_string(),
        false => words.join(" "),
    }
}

/// Completes on Ctrl-C, or on SIGTERM where there is one. Either way the run
/// is cancelled, its temporary files removed, and the exit code is 130.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    // Without a handler for Ctrl-C there is nothing to wait for: never complete.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
