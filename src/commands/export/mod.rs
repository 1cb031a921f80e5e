//! `export`: names → batches → parallel streamed downloads → one verified
//! archive → optional safe extraction → atomic rename into place.
//!
//! [`run`] resolves the command line into an [`ExportPlan`] and [`execute`]s
//! it in stages: check the targets, connect, choose the names (listing with
//! `--all`), download (`batches`), check the archive holds every job,
//! extract, put the archive in place, report (`summary`).

mod batches;
mod plan;
mod summary;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;

use crate::api::export::ExportRequest;
use crate::api::{ApiError, Client};
use crate::archive::{self, TargetError};
use crate::cli::ExportArgs;
use crate::download::{self, Target};
use crate::model::{JobFailure, JobType};
use crate::names;
use crate::output::{self, Printer, Progress};

use super::{connect, Context, UsageError};

pub use batches::{download, export_parts, Batching, Downloaded};
pub use plan::{ExportPlan, Output, Selection};
pub use summary::Summary;

/// The `export` command.
pub async fn run(args: ExportArgs, ctx: &Context) -> anyhow::Result<()> {
    let started = Instant::now();
    let plan = resolve(args, ctx).await?;
    match execute(&plan, ctx, started).await? {
        Some(summary) => report_summary(&plan, &summary, &ctx.printer),
        None => Ok(()),
    }
}

/// Prints the summary (text or JSON) and turns failures into exit 4.
pub fn report_summary(
    plan: &ExportPlan,
    summary: &Summary,
    printer: &Printer,
) -> anyhow::Result<()> {
    summary::report(plan, summary, printer)
}

/// Resolves the arguments into a plan (reading `--jobs-from` and the
/// credentials file on a blocking thread).
pub async fn resolve(args: ExportArgs, ctx: &Context) -> anyhow::Result<ExportPlan> {
    let env = ctx.env.clone();
    let stdout_is_terminal = ctx.printer.stdout_is_terminal();
    tokio::task::spawn_blocking(move || {
        ExportPlan::resolve(
            &args,
            &env,
            &mut std::io::stdin().lock(),
            stdout_is_terminal,
        )
    })
    .await
    .context("resolving the export stopped unexpectedly")?
}

/// Runs a plan. `None` for a dry run (it printed what it would do).
pub async fn execute(
    plan: &ExportPlan,
    ctx: &Context,
    started: Instant,
) -> anyhow::Result<Option<Summary>> {
    let printer = &ctx.printer;
    // `-o` must be absent or a regular file (exit 2), before any request.
    if let Output::File(path) = &plan.output {
        download::check_destination(path)?;
    }
    // A staging directory a killed run left is put right first (saying so),
    // then targets that exist without --force (exit 1), before any request.
    if let (Some(dir), false) = (&plan.extract, plan.dry_run) {
        for recovered in archive::recover(dir)? {
            printer.info(recovered.to_string());
        }
    }
    check_targets(plan, plan.given_names())?;
    let client = connect(&plan.settings, printer).await?;
    let (names, mut failed) = choose_names(plan, &client, printer).await?;
    if matches!(plan.selection, Selection::All) {
        check_targets(plan, &names)?;
    }
    if plan.dry_run {
        print_dry_run(plan, &client, &names, printer)?;
        return Ok(None);
    }
    if names.is_empty() {
        return Ok(Some(nothing_exported(failed, &client, started)));
    }
    let work_dir = work_dir(plan);
    let target = match &plan.output {
        Output::File(path) => Target::beside(path)?,
        Output::Stdout | Output::Discard => Target::temp_in(&work_dir, ".dataarts-jobs-")?,
    };
    let limits = download::Limits::new(plan.limits.max_size, plan.settings.http.timeout);
    let downloaded = download(
        &client,
        &plan.batching(),
        &limits,
        &names,
        target,
        work_dir,
        ctx,
    )
    .await
    .map_err(|error| explain_extract_value(plan, error))?;
    failed.extend(downloaded.failed);
    let Some(target) = downloaded.target else {
        return Ok(Some(nothing_exported(failed, &client, started)));
    };
    let archive = check_archive(plan, target, &names, &mut failed)?;
    if archive.exported.is_empty() {
        return Ok(Some(nothing_exported(failed, &client, started)));
    }
    let extracted = match &plan.extract {
        Some(dir) => Some(
            super::unpack::extract(
                archive.target.path(),
                "the exported archive",
                dir,
                plan.force,
                plan.limits,
                ctx,
            )
            .await?,
        ),
        None => None,
    };
    let archive_bytes = archive.bytes;
    let jobs = archive.jobs.clone();
    let exported = archive.exported.clone();
    let written = persist(plan, archive.target, printer).await?;
    order_failures(&mut failed, &names);
    let set_aside = failed.iter().filter(|f| !names.contains(&f.name)).count();
    Ok(Some(Summary {
        exported,
        jobs,
        requested: names.len() + set_aside,
        archive: written,
        archive_bytes,
        extracted,
        failed,
        requests: client.transport().requests_sent(),
        seconds: started.elapsed().as_secs_f64(),
    }))
}

/// Nothing could be exported: a summary of the failures alone (reported
/// as a run that fails, exit 4).
fn nothing_exported(failed: Vec<JobFailure>, client: &Client, started: Instant) -> Summary {
    Summary {
        exported: Vec::new(),
        jobs: Default::default(),
        requested: failed.len(),
        archive: None,
        archive_bytes: 0,
        extracted: None,
        failed,
        requests: client.transport().requests_sent(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The old `--extract DIR` spelling: `export --extract backup job_a` now
/// exports a job named `backup`. When the API says no such job exists and a
/// directory of that name does, say what happened instead.
fn explain_extract_value(plan: &ExportPlan, error: anyhow::Error) -> anyhow::Error {
    let refused_name = error
        .downcast_ref::<ApiError>()
        .filter(|api| api.error_code() == Some("DLF.0100"))
        .is_some();
    if plan.extract.as_deref() != Some(Path::new(".")) || !refused_name {
        return error;
    }
    let Some(name) = plan
        .given_names()
        .iter()
        .find(|name| Path::new(name).is_dir())
    else {
        return error;
    };
    match error.downcast::<ApiError>() {
        Ok(refusal) => UsageError::ExtractTakesNoValue {
            name: name.clone(),
            refusal: Box::new(refusal),
        }
        .into(),
        Err(error) => error,
    }
}

/// The archive and the `DIR/jobs/<name>/` directories must not exist without --force.
pub fn check_targets(plan: &ExportPlan, names: &[String]) -> Result<(), TargetError> {
    if plan.force {
        return Ok(());
    }
    let mut existing = Vec::new();
    if let Output::File(path) = &plan.output {
        if std::fs::symlink_metadata(path).is_ok() {
            existing.push(path.clone());
        }
    }
    if let Some(dir) = &plan.extract {
        for name in names {
            let job_dir = dir.join("jobs").join(name);
            if std::fs::symlink_metadata(&job_dir).is_ok() {
                existing.push(job_dir);
            }
        }
    }
    if existing.is_empty() {
        Ok(())
    } else {
        Err(TargetError::Exists { paths: existing })
    }
}

/// The names to export, and the ones set aside before any export request:
/// listed names that cannot be a directory here, and refused input names.
async fn choose_names(
    plan: &ExportPlan,
    client: &Client,
    printer: &Printer,
) -> anyhow::Result<(Vec<String>, Vec<JobFailure>)> {
    let mut failed = plan.refused.clone();
    let candidates = match &plan.selection {
        Selection::Names(names) => names.clone(),
        Selection::All => list_all(client, plan.parallel, printer).await?,
    };
    let mut names = Vec::with_capacity(candidates.len());
    for name in candidates
        .into_iter()
        .filter(|name| plan.matcher.is_match(name))
    {
        // A name that cannot be a file name here fails that job alone,
        // extracting or not: an archive holding it could not be unpacked here.
        match names::unwritable_reason(&name) {
            Some(reason) => failed.push(JobFailure::local(
                name.clone(),
                format!("not exported: the name cannot be a directory here ({reason})"),
            )),
            None => names.push(name),
        }
    }
    if names.is_empty() && failed.is_empty() {
        return Err(match plan.selection {
            Selection::All => UsageError::NoneListedMatch {
                filtered: !plan.matcher.patterns().is_empty(),
            },
            Selection::Names(_) => UsageError::NoneGivenMatch,
        }
        .into());
    }
    Ok((names, failed))
}

/// Every job of the workspace, both types, with a spinner counting them.
pub async fn list_all(
    client: &Client,
    parallel: usize,
    printer: &Printer,
) -> anyhow::Result<Vec<String>> {
    let jobs = super::list_jobs(client, &JobType::ALL, parallel, printer).await?;
    Ok(jobs.into_iter().map(|(_, job)| job.name).collect())
}

fn export_request<'a>(batching: &Batching, names: &'a [String]) -> ExportRequest<'a> {
    ExportRequest {
        job_list: names,
        export_depend: batching.depend,
        export_status: batching.submitted.then_some("SUBMIT"),
    }
}

/// `--dry-run`: each export request as it would be sent, and the files.
fn print_dry_run(
    plan: &ExportPlan,
    client: &Client,
    names: &[String],
    printer: &Printer,
) -> anyhow::Result<()> {
    let requests: Vec<crate::http::Prepared> = names
        .chunks(plan.batch_size)
        .map(|batch| client.prepare_export(&export_request(&plan.batching(), batch)))
        .collect();
    let files = planned_files(plan);
    if plan.json {
        let object = serde_json::json!({
            "format": 1,
            "dry_run": true,
            "jobs": names.iter().map(|name| serde_json::json!({"name": name})).collect::<Vec<_>>(),
            "would_send": requests.iter().map(summary::request_json).collect::<Vec<_>>(),
            "would_write": files,
            "requests": client.transport().requests_sent(),
        });
        printer
            .json_value(&object)
            .context("cannot write to stdout")?;
        return Ok(());
    }
    // The plan is for people: stderr, like every dry run.
    for request in &requests {
        printer.info(request.render());
    }
    for file in &files {
        printer.info(format!("would write {file}"));
    }
    printer.info(format!(
        "dry run: {} export {} not sent; {} read-only {} sent",
        requests.len(),
        if requests.len() == 1 {
            "request"
        } else {
            "requests"
        },
        client.transport().requests_sent(),
        if client.transport().requests_sent() == 1 {
            "request was"
        } else {
            "requests were"
        },
    ));
    Ok(())
}

fn planned_files(plan: &ExportPlan) -> Vec<String> {
    let mut files = Vec::new();
    match &plan.output {
        Output::File(path) => files.push(path.display().to_string()),
        Output::Stdout => files.push("- (stdout)".to_string()),
        Output::Discard => {}
    }
    if let Some(dir) = &plan.extract {
        files.push(format!("{}/", dir.join("jobs").display()));
    }
    files
}

/// The downloaded archive, checked to hold every job asked for.
struct Archive {
    target: Target,
    bytes: u64,
    exported: Vec<String>,
    /// Job name → its files in the archive.
    jobs: BTreeMap<String, Vec<String>>,
}

/// Every job asked for (and not refused) must be in the archive: a missing
/// one fails the run (exit 5, nothing written), or with `--keep-going` that
/// job alone.
fn check_archive(
    plan: &ExportPlan,
    target: Target,
    names: &[String],
    failed: &mut Vec<JobFailure>,
) -> anyhow::Result<Archive> {
    // Through the file this run wrote, never by its path.
    let listing = archive::inspect_file(target.file(), &plan.limits)
        .context("the archive the server returned was refused")?;
    let jobs = listing.jobs();
    let bytes = target
        .file()
        .metadata()
        .with_context(|| format!("cannot read {}", target.path().display()))?
        .len();
    let refused: Vec<&str> = failed.iter().map(|f| f.name.as_str()).collect();
    let wanted: Vec<&String> = names
        .iter()
        .filter(|name| !refused.contains(&name.as_str()))
        .collect();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|name| !jobs.contains_key(name.as_str()))
        .map(|name| name.to_string())
        .collect();
    if !missing.is_empty() {
        if !plan.keep_going {
            return Err(ApiError::MissingFromArchive { jobs: missing }.into());
        }
        for name in &missing {
            failed.push(JobFailure::local(
                name.clone(),
                "not in the archive the server returned",
            ));
        }
    }
    let exported = wanted
        .into_iter()
        .filter(|name| !missing.contains(name))
        .cloned()
        .collect();
    Ok(Archive {
        target,
        bytes,
        exported,
        jobs,
    })
}

/// Puts the checked archive where the plan says; returns its path for the summary.
async fn persist(
    plan: &ExportPlan,
    target: Target,
    printer: &Printer,
) -> anyhow::Result<Option<String>> {
    match &plan.output {
        Output::File(path) => {
            target.persist(path, plan.force).await?;
            Ok(Some(path.display().to_string()))
        }
        Output::Stdout => {
            let path = target.path().to_path_buf();
            let printer = printer.clone();
            tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                let mut file = std::fs::File::open(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                printer
                    .copy_to_stdout(&mut file)
                    .context("cannot write the archive to stdout")
            })
            .await
            .context("writing the archive stopped unexpectedly")??;
            drop(target);
            Ok(Some("-".to_string()))
        }
        Output::Discard => Ok(None),
    }
}

/// Failures in the order of the names (then the rest as they came).
fn order_failures(failed: &mut [JobFailure], names: &[String]) {
    let position: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    failed.sort_by_key(|f| position.get(f.name.as_str()).copied().unwrap_or(usize::MAX));
}

/// `dir` if it exists, else its nearest existing ancestor (extraction creates
/// `dir` itself, and removes it again on failure).
fn existing_ancestor(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|candidate| !candidate.as_os_str().is_empty() && candidate.is_dir())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Where temporary files go: beside their destination where there is one
/// (renames stay on one filesystem; a small /tmp cannot fail a large export).
fn work_dir(plan: &ExportPlan) -> PathBuf {
    match (&plan.output, &plan.extract) {
        (Output::File(path), _) => parent_dir(path),
        (Output::Stdout | Output::Discard, Some(dir)) => existing_ancestor(dir),
        // `-o -` alone writes nothing beside the user's files.
        (Output::Stdout | Output::Discard, None) => std::env::temp_dir(),
    }
}

/// Download progress: bytes and rate on the bar's message.
struct ByteProgress {
    bar: Progress,
    bytes: AtomicU64,
    started: Instant,
}

impl ByteProgress {
    fn new(bar: Progress) -> Arc<Self> {
        let progress = Arc::new(Self {
            bar,
            bytes: AtomicU64::new(0),
            started: Instant::now(),
        });
        progress.show();
        progress
    }

    fn show(&self) {
        let bytes = self.bytes.load(Ordering::Relaxed);
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        self.bar.set_message(format!(
            "{} at {}/s",
            output::size(bytes),
            output::size((bytes as f64 / seconds) as u64)
        ));
    }
}

impl download::Progress for ByteProgress {
    fn add(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
        self.show();
    }

    fn retract(&self, n: u64) {
        let _ = self
            .bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                Some(b.saturating_sub(n))
            });
        self.show();
    }
}
