//! `export`: names → batches → parallel streamed downloads → one verified
//! archive → optional safe extraction → atomic rename into place.
//!
//! [`run`] turns the command line into a [`Plan`]; [`execute`] runs a plan
//! (the demo builds its own); `batches` sends the requests and isolates
//! refused names; `summary` reports the outcome.

mod batches;
mod summary;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::api::export::ExportRequest;
use crate::api::list::JobType;
use crate::api::Client;
use crate::archive::{self, Limits, TargetExists};
use crate::cli::ExportArgs;
use crate::download::{self, DestinationError, Target};
use crate::exit::{PartialExport, UsageError};
use crate::names::{self, Matcher};
use crate::ui::Ui;

use batches::{Part, Run};
use summary::print_failures;
pub use summary::{report, Failed, Summary};

use super::unpack::extract;
use super::{connect, resolve};

/// Where the archive goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    File(PathBuf),
    Stdout,
    /// `--extract --no-archive`: keep no zip.
    Discard,
}

/// A validated export, ready to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub names: Vec<String>,
    pub depend: bool,
    pub submitted: bool,
    pub keep_going: bool,
    pub output: Output,
    pub extract: Option<PathBuf>,
    pub batch_size: usize,
    pub parallel: usize,
    pub force: bool,
    pub json: bool,
    pub limits: Limits,
    /// Listed names that cannot be exported safely (reported as failed).
    pub skipped: Vec<Failed>,
}

/// The `export` command.
pub async fn run(args: ExportArgs, ui: &Ui, cancel: Arc<AtomicBool>) -> anyhow::Result<()> {
    // Names first: bad names are usage errors before anything else happens.
    let mut requested = args.jobs.clone();
    if let Some(path) = &args.jobs_from {
        requested.extend(read_jobs_from(path).await?);
    }
    let requested = names::validate_and_dedup(requested)?;
    let matcher = Matcher::new(&args.matches)?;
    if !args.all && requested.is_empty() {
        return Err(UsageError(
            "nothing to export: give job names, --jobs-from FILE, or --all".to_string(),
        )
        .into());
    }
    if args.all && !requested.is_empty() {
        return Err(UsageError(
            "--all exports every job; give either job names or --all (use --match to filter)"
                .to_string(),
        )
        .into());
    }
    let output = if args.no_archive {
        Output::Discard
    } else if args.output.as_os_str() == "-" {
        Output::Stdout
    } else {
        Output::File(args.output.clone())
    };
    let mut plan = Plan {
        names: Vec::new(),
        depend: !args.no_depend,
        submitted: args.submitted,
        keep_going: args.keep_going,
        output,
        extract: args.extract.clone(),
        batch_size: usize::from(args.batch_size),
        parallel: usize::from(args.parallel),
        force: args.force,
        json: args.json,
        limits: Limits {
            max_size: args.max_size,
            ..Limits::default()
        },
        skipped: Vec::new(),
    };
    if plan.json && plan.output == Output::Stdout {
        return Err(
            UsageError("--json and -o - both write to stdout; choose one".to_string()).into(),
        );
    }

    // Configuration errors (exit 2) first, then targets that exist without
    // --force (exit 1), all before any request.
    let connection = resolve(&args.connection)?;
    if let Output::File(path) = &plan.output {
        // Until exit.rs maps DestinationError to 2 itself.
        download::check_destination(path).map_err(|e| UsageError(format!("{e:#}")))?;
    }
    if !args.dry_run {
        if let Some(dir) = &plan.extract {
            for recovered in archive::recover(dir)? {
                ui.info(recovered.to_string());
            }
        }
        check_targets(&plan, &requested)?;
    }
    let client = connect(&connection, ui).await?;

    plan.names = if args.all {
        let mut all = Vec::new();
        for job_type in [JobType::Batch, JobType::RealTime] {
            for job in client.list_jobs(job_type).await? {
                if let Some(name) = job.get("name").and_then(|n| n.as_str()) {
                    all.push(name.to_string());
                }
            }
        }
        // A listed name that cannot be a safe directory name is not dropped
        // silently: it is reported as failed, and the run ends with exit 4.
        let (safe, unsafe_names): (Vec<String>, Vec<String>) = all
            .into_iter()
            .partition(|n| names::invalid_reason(n).is_none());
        plan.skipped = unsafe_names
            .iter()
            .filter(|name| matcher.is_match(name))
            .map(|name| Failed {
                name: name.clone(),
                error_code: None,
                error_msg: names::invalid_reason(name).map(|reason| {
                    format!("not exported: the name cannot be a directory ({reason})")
                }),
            })
            .collect();
        names::validate_and_dedup(safe)?
    } else {
        requested
    };
    plan.names.retain(|name| matcher.is_match(name));
    if plan.names.is_empty() {
        return Err(UsageError(if args.all {
            "nothing to export: the workspace has no job that matches".to_string()
        } else {
            "nothing to export: no given job name matches --match".to_string()
        })
        .into());
    }

    if args.dry_run {
        for batch in plan.names.chunks(plan.batch_size) {
            let request = export_request(&plan, batch);
            println!("{}", client.prepare_export(&request).render());
        }
        return Ok(());
    }
    if args.all {
        check_targets(&plan, &plan.names)?;
    }

    let window = connection.timeout;
    let summary = execute_within(&client, &plan, window, ui, &cancel).await;
    match summary {
        Ok(summary) => report(&plan, &summary, ui),
        Err(error) => Err(error),
    }
}

async fn read_jobs_from(path: &Path) -> anyhow::Result<Vec<String>> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        if path.as_os_str() == "-" {
            names::read_names(std::io::stdin().lock(), "stdin")
        } else {
            let file = std::fs::File::open(&path).map_err(|error| {
                UsageError(format!(
                    "cannot read --jobs-from {}: {error}",
                    path.display()
                ))
            })?;
            names::read_names(std::io::BufReader::new(file), &path.display().to_string())
        }
    })
    .await
    .context("reading job names")?
}

/// The archive and the `DIR/jobs/<name>/` directories must not exist without --force.
pub fn check_targets(plan: &Plan, names: &[String]) -> anyhow::Result<()> {
    if plan.force {
        return Ok(());
    }
    let mut existing = Vec::new();
    if let Output::File(path) = &plan.output {
        if path.exists() {
            existing.push(path.clone());
        }
    }
    if let Some(dir) = &plan.extract {
        for name in names {
            let job_dir = dir.join("jobs").join(name);
            if job_dir.exists() {
                existing.push(job_dir);
            }
        }
    }
    if existing.is_empty() {
        Ok(())
    } else {
        Err(TargetExists { paths: existing }.into())
    }
}

fn export_request<'a>(plan: &Plan, names: &'a [String]) -> ExportRequest<'a> {
    ExportRequest {
        job_list: names,
        export_depend: plan.depend,
        export_status: plan.submitted.then_some("SUBMIT"),
    }
}

/// Runs a validated plan against `client`, with the default `--timeout` as
/// the download's rate window.
pub async fn execute(
    client: &Client,
    plan: &Plan,
    ui: &Ui,
    cancel: &Arc<AtomicBool>,
) -> anyhow::Result<Summary> {
    execute_within(client, plan, DEFAULT_RATE_WINDOW, ui, cancel).await
}

/// The default `--timeout`.
const DEFAULT_RATE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs a validated plan against `client`; a body slower than
/// [`download::MIN_RATE`] over `window` times out.
pub async fn execute_within(
    client: &Client,
    plan: &Plan,
    window: std::time::Duration,
    ui: &Ui,
    cancel: &Arc<AtomicBool>,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let sent_before = client.requests_sent();
    // Temporary files live beside their destination where there is one:
    // renames stay on one filesystem, and a small /tmp cannot fail a large export.
    let work_dir = match (&plan.output, &plan.extract) {
        (Output::File(path), _) => parent_dir(path),
        (Output::Stdout | Output::Discard, Some(dir)) => existing_ancestor(dir),
        // `-o -` alone writes nothing beside the user's files.
        (Output::Stdout | Output::Discard, None) => std::env::temp_dir(),
    };
    let batches: Vec<Vec<String>> = plan
        .names
        .chunks(plan.batch_size)
        .map(<[String]>::to_vec)
        .collect();
    let run = Run {
        client,
        plan,
        bar: ui.download_bar(batches.len() as u64),
        work_dir,
        limits: download::Limits::new(plan.limits.max_size, window),
        batches_done: AtomicU32::new(0),
        batches: batches.len() as u32,
    };

    let mut final_target = match &plan.output {
        Output::File(path) => Target::beside(path)?,
        Output::Stdout | Output::Discard => Target::temp_in(&run.work_dir, ".dataarts-jobs-")?,
    };

    let mut failed = plan.skipped.clone();
    // Entries of the archive streamed straight into the final target, if it was.
    let mut direct: Option<usize> = None;
    let mut parts: Vec<Part> = Vec::new();
    if batches.len() == 1 {
        // The common case: stream straight into <output>.part.
        match run.try_export(&batches[0], &mut final_target).await? {
            Ok(written) => direct = Some(written.entries),
            Err(refusal) => match batches[0].as_slice() {
                [name] => failed.push(Failed::new(name, &refusal)),
                names => {
                    let (left, right) = names.split_at(names.len() / 2);
                    let queue = vec![right.to_vec(), left.to_vec()];
                    run.isolate(0, queue, &mut parts, &mut failed).await?;
                }
            },
        }
        run.batches_done.store(1, Ordering::Relaxed);
        run.bar.set_batches(1, 1);
    } else {
        let results: Vec<(Vec<Part>, Vec<Failed>)> =
            stream::iter(batches.iter().cloned().enumerate())
                .map(|(index, names)| run.batch(index, names))
                .buffer_unordered(plan.parallel)
                .try_collect()
                .await?;
        for (batch_parts, batch_failed) in results {
            parts.extend(batch_parts);
            failed.extend(batch_failed);
        }
    }
    run.bar.finish();

    // Keep the order of the names in the archive and the failure list.
    let position: BTreeMap<&str, usize> = plan
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    failed.sort_by_key(|f| position.get(f.name.as_str()).copied().unwrap_or(usize::MAX));
    parts.sort_by_key(|part| {
        (
            part.index,
            part.names
                .first()
                .and_then(|n| position.get(n.as_str()).copied())
                .unwrap_or(usize::MAX),
        )
    });

    let exported: Vec<String> = if direct.is_some() {
        plan.names.clone()
    } else {
        parts
            .iter()
            .flat_map(|part| part.names.iter().cloned())
            .collect()
    };
    if exported.is_empty() {
        print_failures(&failed, ui);
        return Err(PartialExport {
            failed: failed.len(),
            requested: plan.names.len() + plan.skipped.len(),
        }
        .into());
    }

    // Each download was checked to be a complete zip; a merge writes its own.
    let files = match direct {
        Some(entries) => entries,
        None => {
            let inputs: Vec<(String, PathBuf)> = parts
                .iter()
                .map(|part| (part.label.clone(), part.target.path().to_path_buf()))
                .collect();
            let (target, merged) = tokio::task::spawn_blocking(move || {
                let merged = archive::merge(&inputs, final_target.file());
                (final_target, merged)
            })
            .await
            .context("merging batch archives")?;
            final_target = target;
            drop(parts);
            usize::try_from(merged?.entries).unwrap_or(usize::MAX)
        }
    };

    let archive_path = final_target.path().to_path_buf();
    let bytes = tokio::fs::metadata(&archive_path)
        .await
        .with_context(|| format!("cannot read {}", archive_path.display()))?
        .len();

    let mut extracted = None;
    if let Some(dir) = &plan.extract {
        let done = extract(&archive_path, dir, plan.force, plan.limits, ui, cancel).await?;
        for recovered in &done.recovered {
            ui.info(recovered.to_string());
        }
        extracted = Some(done);
    }

    let archive = match &plan.output {
        Output::File(path) => {
            final_target
                .persist(path, plan.force)
                .await
                .map_err(exists_with_hint)?;
            Some(path.display().to_string())
        }
        Output::Stdout => {
            copy_to_stdout(final_target.path()).await?;
            Some("-".to_string())
        }
        Output::Discard => None,
    };

    let summary = Summary {
        jobs: exported,
        requested: plan.names.len() + plan.skipped.len(),
        requests: client.requests_sent() - sent_before,
        files,
        bytes,
        archive,
        extracted_to: plan.extract.as_ref().map(|dir| dir.display().to_string()),
        extracted_files: extracted.as_ref().map(|e| e.files),
        extracted: extracted.map(|e| e.jobs),
        failed,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok(summary)
}

/// An output that appeared meanwhile, as the command line shows it (until
/// exit.rs attaches the "--force" hint to `DestinationError::Exists` itself).
fn exists_with_hint(error: anyhow::Error) -> anyhow::Error {
    match error.downcast_ref::<DestinationError>() {
        Some(DestinationError::Exists { path }) => TargetExists {
            paths: vec![path.clone()],
        }
        .into(),
        _ => error,
    }
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

async fn copy_to_stdout(path: &Path) -> anyhow::Result<()> {
    let mut file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut stdout = tokio::io::stdout();
    match tokio::io::copy(&mut file, &mut stdout).await {
        Ok(_) => {}
        // The reader went away (`| head`): not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(error) => {
            return Err(anyhow::Error::new(error).context("cannot write the archive to stdout"))
        }
    }
    use tokio::io::AsyncWriteExt;
    match stdout.flush().await {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(error).context("cannot write the archive to stdout"))
        }
        _ => Ok(()),
    }
}
