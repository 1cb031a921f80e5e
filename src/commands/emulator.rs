//! `emulator`: the command-line flags onto the emulator's configuration, and
//! serving until Ctrl-C. The demo and the tests build their emulators from
//! parsed flags too, so the defaults are stated once, in `cli.rs`.

use std::time::Duration;

use anyhow::Context as _;

use crate::auth::Secret;
use crate::cli::{EmulatorArgs, OffsetUnitArg, TotalFault as TotalFaultArg};
use crate::emulator::{self, Config, Faults, OffsetUnit, TlsFiles, TotalFault};

use super::Context;

/// The emulator's configuration for `args`.
pub fn config(args: &EmulatorArgs) -> Config {
    let (ak, sk) = match (&args.ak, &args.sk) {
        (Some(ak), Some(sk)) => (ak.clone(), Secret::new(sk.clone())),
        _ => (
            emulator::DEFAULT_AK.to_string(),
            Secret::new(emulator::DEFAULT_SK),
        ),
    };
    Config {
        listen: args.listen,
        data: args.data.clone(),
        ak,
        sk,
        security_token: args.security_token.clone().map(Secret::new),
        project_id: args
            .project_id
            .clone()
            .unwrap_or_else(|| emulator::DEFAULT_PROJECT_ID.to_string()),
        region: args.region.clone(),
        auth_token: args.auth_token.clone().map(Secret::new),
        request_log: args.request_log.clone(),
        offset_unit: match args.offset_unit {
            OffsetUnitArg::Records => OffsetUnit::Records,
            OffsetUnitArg::Pages => OffsetUnit::Pages,
        },
        page_clamp: args.page_clamp,
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        },
        iam_projects: args.iam_projects,
        obs_listen: args.obs_listen,
        task_polls: args.task_polls,
        fail_import: args.fail_import.clone(),
        connections: args.connections.clone(),
        faults: Faults {
            fail_first: args.fail_first,
            fail_status: args.fail_status,
            retry_after: args.retry_after,
            first_byte_delay: args.first_byte_delay.map(Duration::from_millis),
            truncate_body: args.truncate_body,
            reset_after: args.reset_after,
            endless_body: args.endless_body,
            list_total: args.list_total.map(|fault| match fault {
                TotalFaultArg::Missing => TotalFault::Missing,
                TotalFaultArg::Low => TotalFault::Low,
                TotalFaultArg::Huge => TotalFault::Huge,
            }),
            echo_secrets: args.echo_secrets,
            clock_offset: args.clock_offset,
            rate_limit: args.rate_limit,
            latency: args.latency.map(Duration::from_millis),
        },
    }
}

/// The emulator's configuration for an `emulator` command line (the demo,
/// the tests and the benchmarks start theirs this way).
pub fn config_from(flags: &[&str]) -> anyhow::Result<Config> {
    let mut argv = vec!["dataarts-jobs", "emulator"];
    argv.extend_from_slice(flags);
    match <crate::cli::Cli as clap::Parser>::try_parse_from(argv)?.command {
        crate::cli::Command::Emulator(args) => Ok(config(&args)),
        _ => anyhow::bail!("not an emulator command line"),
    }
}

/// The `emulator` command: start, print the banner and the `export` lines,
/// serve until Ctrl-C, stop cleanly.
pub async fn run(args: EmulatorArgs, ctx: &Context) -> anyhow::Result<()> {
    let config = config(&args);
    let running = emulator::start(config.clone()).await?;
    let banner = emulator::banner(&config, &running);
    for message in &banner.messages {
        ctx.printer.info(message);
    }
    ctx.printer
        .data(banner.exports.as_bytes())
        .context("cannot write to stdout")?;
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    ctx.printer.info("DataArts emulator: stopping");
    if let Some(failure) = running.log_failure() {
        ctx.printer
            .warn(format!("the request log could not be written: {failure}"));
    }
    running.shutdown().await;
    Ok(())
}
