//! `list`: job names of a workspace, every page, one a line (or `--json`).

use std::io::Write;

use anyhow::Context;

use crate::api::list::JobType;
use crate::cli::{JobTypeArg, ListArgs};
use crate::names::Matcher;
use crate::ui::Ui;

use super::{connect, resolve};

pub async fn run(args: ListArgs, ui: &Ui) -> anyhow::Result<()> {
    let matcher = Matcher::new(&args.matches)?;
    let types: &[JobType] = match args.job_type {
        JobTypeArg::Batch => &[JobType::Batch],
        JobTypeArg::RealTime => &[JobType::RealTime],
        JobTypeArg::All => &[JobType::Batch, JobType::RealTime],
    };
    let client = connect(&resolve(&args.connection)?, ui).await?;
    if args.dry_run {
        for job_type in types {
            println!("{}", client.prepare_list(*job_type, 0).render());
        }
        return Ok(());
    }
    let mut jobs = Vec::new();
    for job_type in types {
        jobs.extend(client.list_jobs(*job_type).await?);
    }
    let name =
        |job: &serde_json::Value| job.get("name").and_then(|n| n.as_str()).map(str::to_string);
    jobs.retain(|job| name(job).is_some_and(|n| matcher.is_match(&n)));

    let mut stdout = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer_pretty(&mut stdout, &jobs)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(stdout))
    } else {
        jobs.iter()
            .filter_map(name)
            .try_for_each(|n| writeln!(stdout, "{n}"))
    };
    match written.and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        // `list | head` closed the pipe: not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(error).context("cannot write to stdout"),
    }
}
