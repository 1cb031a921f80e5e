//! `demo`: start the emulator in-process on a free loopback port and run the
//! real export path against it (signing, HTTP, streaming, atomic write,
//! extraction), then show the tree.
//!
//! The demo's export is an ordinary `export` command line, parsed and
//! resolved through the same constructor, with an environment that points
//! at the emulator (so nothing of the user's own configuration is read).

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use reqwest::Url;

use crate::cli::{Cli, Command, DemoArgs};
use crate::emulator;
use crate::env::{self, Env};
use crate::output::{self, Printer};

use super::export::{self, ExportPlan, Summary};
use super::Context;

/// The sample jobs the embedded workspace holds.
const DEMO_JOBS: [&str; 2] = ["job_batch", "job_stream"];

pub async fn run(args: DemoArgs, ctx: &Context) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = super::emulator::config_from(&["--listen", "127.0.0.1:0"])?;
    // An earlier demo's output is refused before anything starts.
    let mut plan = plan(&args, &config, "http://127.0.0.1/")?;
    export::check_targets(&plan, plan.given_names())?;

    let running = emulator::start(config).await?;
    plan.settings.dlf.value = Url::parse(&running.endpoint()).context("the emulator's endpoint")?;
    ctx.printer.info(format!(
        "demo: emulator running in-process at {} (sample workspace, signed requests)",
        running.endpoint()
    ));
    tokio::fs::create_dir_all(&args.dir)
        .await
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let result = export::execute(&plan, ctx, started).await;
    running.shutdown().await;
    let summary = result?.context("the demo's export is never a dry run")?;
    export::report_summary(&plan, &summary, &ctx.printer)?;
    print_tree(&args.dir, &summary, &ctx.printer).context("cannot write to stdout")
}

/// `export job_batch job_stream -C DIR -o DIR/jobs.zip [--force]`, against
/// the emulator at `endpoint` with its keys.
fn plan(args: &DemoArgs, config: &emulator::Config, endpoint: &str) -> anyhow::Result<ExportPlan> {
    let dir = args.dir.display().to_string();
    let archive = args.dir.join("jobs.zip").display().to_string();
    let mut argv = vec!["dataarts-jobs", "export", "-C", &dir, "-o", &archive];
    argv.extend(DEMO_JOBS);
    if args.force {
        argv.push("--force");
    }
    let Command::Export(export_args) = Cli::try_parse_from(argv)?.command else {
        anyhow::bail!("the demo's command line is not an export");
    };
    let env = Env::from_pairs(
        [
            (env::SDK_AK, config.ak.as_str()),
            (env::SDK_SK, config.sk.expose()),
            (env::SDK_PROJECT_ID, config.project_id.as_str()),
            (env::ENDPOINT, endpoint),
        ],
        None,
    );
    ExportPlan::resolve(&export_args, &env, &mut std::io::empty(), false)
}

/// The tree on stdout: the archive, then each job and its files.
fn print_tree(dir: &Path, summary: &Summary, printer: &Printer) -> std::io::Result<()> {
    printer.line(&format!("{}/", dir.display()))?;
    if summary.archive.is_some() {
        printer.line(&format!(
            "├── jobs.zip ({}, {})",
            output::size(summary.archive_bytes),
            output::plural(
                summary.jobs.values().map(Vec::len).sum::<usize>() as u64,
                "file",
                "files"
            )
        ))?;
    }
    printer.line("└── jobs/")?;
    let count = summary.jobs.len();
    for (i, (job, files)) in summary.jobs.iter().enumerate() {
        let last_job = i + 1 == count;
        printer.line(&format!(
            "    {} {job}/",
            if last_job { "└──" } else { "├──" }
        ))?;
        for (j, file) in files.iter().enumerate() {
            let name = file.rsplit('/').next().unwrap_or(file);
            let branch = if j + 1 == files.len() {
                "└──"
            } else {
                "├──"
            };
            let stem = if last_job { "    " } else { "│   " };
            printer.line(&format!("    {stem}{branch} {name}"))?;
        }
    }
    Ok(())
}
