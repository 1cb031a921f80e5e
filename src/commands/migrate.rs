//! `migrate`: jobs from one workspace (or project, or region) into another in
//! one command. The source side is `export`'s (its plan, listing, batches of
//! at most 100 with retries and `--keep-going`); each batch's archive is
//! imported as it is, through the same steps as `import` (upload verbatim,
//! pre-flight, import, wait, verify, clean up). Every batch is exported,
//! staged and pre-flighted before the first is imported, so a resource the
//! target lacks anywhere stops the migration before it changes anything. A
//! batch whose archive is over the 10 MiB one import reads is split and
//! exported again.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use anyhow::Context as _;
use serde_json::{json, Value};

use crate::api::Client;
use crate::cli::{BatchArgs, ExportArgs, MigrateArgs, WorkspaceArgs};
use crate::config::{self, Project, Settings};
use crate::download;
use crate::import::pipeline::{self, Run, Staged};
use crate::import::source;
use crate::import::staging::Staging;
use crate::import::{ImportError, Importer, JobResult, Outcome, Report, MAX_ARCHIVE_BYTES};
use crate::model::JobFailure;
use crate::names;
use crate::obs;
use crate::output::{self, Printer};

use super::export::{self, ExportPlan, Selection};
use super::import::Migration;
use super::{connect, Context, PartialFailure};

/// A validated migration.
#[derive(Debug, Clone)]
pub struct MigratePlan {
    /// The source side, as `export` would run it.
    pub export: ExportPlan,
    pub target: Settings,
    pub bucket: String,
    pub prefix: String,
    pub options: crate::import::Options,
    pub dry_run: bool,
    pub json: bool,
}

impl MigratePlan {
    pub fn resolve(
        args: &MigrateArgs,
        env: &crate::env::Env,
        stdin: &mut dyn std::io::BufRead,
    ) -> anyhow::Result<Self> {
        // `migrate --match GLOB` on its own selects every matching job.
        let mut selection = args.selection.clone();
        if selection.jobs.is_empty()
            && selection.jobs_from.is_none()
            && !selection.matches.is_empty()
        {
            selection.all = true;
        }
        let export_args = ExportArgs {
            selection,
            no_depend: false,
            submitted: false,
            keep_going: args.keep_going,
            output: PathBuf::from("jobs.zip"),
            extract: false,
            directory: None,
            no_archive: false,
            batching: BatchArgs {
                batch_size: args.batch_size,
                parallel: 1,
            },
            force: false,
            dry_run: args.import.dry_run,
            json: false,
            max_size: crate::archive::DEFAULT_MAX_SIZE,
            workspace: WorkspaceArgs {
                workspace: args.from_workspace.clone(),
                workspace_name: args.from_workspace_name.clone(),
            },
            connection: args.connection.clone(),
        };
        let export = ExportPlan::resolve(&export_args, env, stdin, false)?;
        let mut target_connection = args.connection.clone();
        if let Some(region) = &args.to_region {
            target_connection.region = Some(region.clone());
            target_connection.endpoint = None;
            target_connection.studio_endpoint = None;
            target_connection.iam_endpoint = None;
        }
        if let Some(endpoint) = &args.to_endpoint {
            target_connection.endpoint = Some(endpoint.clone());
        }
        if let Some(project) = &args.to_project_id {
            target_connection.project_id = Some(project.clone());
        }
        let mut target = config::resolve(
            &target_connection,
            &WorkspaceArgs {
                workspace: args.to_workspace.clone(),
                workspace_name: args.to_workspace_name.clone(),
            },
            env,
        )?;
        if let (None, Some(region)) = (&args.to_project_id, &args.to_region) {
            // Another region is another project: looked up there, as the SDKs do.
            target.project = config::Setting {
                value: Project::LookUp {
                    region: region.clone(),
                },
                origin: config::Origin::IamLookup,
            };
        }
        let bucket = super::import::staging_bucket(&args.import)?.ok_or(ImportError::NoBucket)?;
        if !matches!(target.credentials, crate::auth::Credentials::AkSk { .. }) {
            return Err(obs::ObsError::TokenCredentials.into());
        }
        let options = super::import::options(&args.import, &target);
        options.check_maps()?;
        Ok(Self {
            options,
            export,
            target,
            bucket,
            prefix: args.import.obs_prefix.clone(),
            dry_run: args.import.dry_run,
            json: args.import.json,
        })
    }
}

/// The `migrate` command.
pub async fn run(args: MigrateArgs, ctx: &Context) -> anyhow::Result<()> {
    let started = Instant::now();
    let printer = &ctx.printer;
    let env = ctx.env.clone();
    let plan = tokio::task::spawn_blocking(move || {
        MigratePlan::resolve(&args, &env, &mut std::io::stdin().lock())
    })
    .await
    .context("resolving the migration stopped unexpectedly")??;
    let source = connect(&plan.export.settings, printer).await?;
    let target = connect(&plan.target, printer).await?;
    let studio = plan.export.settings.studio().ok().map(|s| s.value.clone());
    refuse_same_workspace(&source, &target, studio, printer).await?;
    let (names, mut export_failed) = choose_names(&plan.export, &source, printer).await?;
    plan.options.check_job_params(&names)?;
    let batches: Vec<Vec<String>> = names
        .chunks(plan.export.batch_size)
        .map(<[String]>::to_vec)
        .collect();
    let obs_client = obs::Client::new(
        target.transport().clone(),
        plan.target.obs()?.value.clone(),
        &plan.target.credentials,
    )?;
    if let Some(risk) = obs_client.addressing_risk(&plan.bucket) {
        printer.warn(risk);
    }
    if plan.dry_run {
        return dry_run(&plan, &target, &names, &batches, &source, printer).await;
    }
    let importer = Importer {
        dlf: &target,
        obs: Some(&obs_client),
        options: &plan.options,
        printer,
    };
    let mut report = Report::default();
    // Every batch is exported, staged and pre-flighted before any is
    // imported: a resource the target lacks, in any batch, stops the whole
    // migration before it changes anything.
    let mut run = importer.start();
    let staged = stage_batches(
        &mut run,
        &source,
        &plan,
        &batches,
        printer,
        &mut report,
        &mut export_failed,
    )
    .await;
    let done = match staged {
        Ok(()) => run.import(&mut report).await,
        Err(error) => Err(error),
    };
    let done = run.finish(&mut report, done).await;
    // Once an import was asked for (or a staged archive is kept), the
    // summary says what was done, even when the run stopped afterwards
    // (the error follows it).
    if done.is_ok() || report.imports_sent || !report.kept.is_empty() {
        super::import::print_report(
            &report,
            Some(Migration {
                batches: batches_json(&report),
                failed: &export_failed,
            }),
            plan.json,
            printer,
            source.transport().requests_sent() + target.transport().requests_sent(),
            started,
        )?;
    } else {
        super::print_failures(&export_failed, printer);
    }
    done?;
    if let Some(error) = report.incomplete() {
        return Err(error.into());
    }
    if !export_failed.is_empty() {
        return Err(PartialFailure::Migrate {
            failed: export_failed.len(),
            requested: names.len() + plan.export.refused.len(),
        }
        .into());
    }
    Ok(())
}

/// Exports each batch and stages its archives (uploaded and checked with
/// check-file), stopping at the first failure. Each staged archive is in
/// OBS from then on, not on this machine: the exports live in a temporary
/// directory only until they are uploaded.
async fn stage_batches(
    run: &mut Run<'_>,
    source: &Client,
    plan: &MigratePlan,
    batches: &[Vec<String>],
    printer: &Printer,
    report: &mut Report,
    export_failed: &mut Vec<JobFailure>,
) -> anyhow::Result<()> {
    let staging = Staging::new(&plan.bucket, &plan.prefix, SystemTime::now())?;
    let work = tempfile::Builder::new()
        .prefix(".dataarts-jobs-migrate-")
        .tempdir()
        .context("cannot create a temporary directory for the exports")?;
    let mut archives = 0usize;
    let bar = printer.bar(batches.iter().map(|b| b.len() as u64).sum(), "jobs");
    for (index, batch) in batches.iter().enumerate() {
        let which = format!("batch {} of {}", index + 1, batches.len());
        bar.set_message(format!("exporting and staging {which}"));
        let exported = export_batch(
            source,
            plan,
            batch,
            work.path(),
            &staging,
            &mut archives,
            report,
            export_failed,
        )
        .await
        .with_context(|| format!("exporting {which}"))?;
        run.stage(exported, report).await?;
        bar.inc(batch.len() as u64);
    }
    bar.finish();
    Ok(())
}

/// `batches` of the summary: one per archive whose import started (an
/// export batch, or a part of one split for size), with its task.
fn batches_json(report: &Report) -> Value {
    report
        .tasks
        .iter()
        .map(|task| json!({"jobs": task.jobs, "task_id": task.id}))
        .collect()
}

/// Source and target must differ: endpoint, project or workspace. When one
/// side is the default workspace (no id) and the other gives an id, the
/// Management Center at `studio` says whether that id is the default one
/// (when it cannot be asked, the two count as different).
async fn refuse_same_workspace(
    source: &Client,
    target: &Client,
    studio: Option<reqwest::Url>,
    printer: &Printer,
) -> Result<(), ImportError> {
    let same_project = crate::http::authority(source.endpoint())
        == crate::http::authority(target.endpoint())
        && source.project_id() == target.project_id();
    if !same_project {
        return Ok(());
    }
    let same = match (source.workspace(), target.workspace()) {
        (None, Some(id)) | (Some(id), None) if !id.is_empty() => match studio {
            Some(studio) => match super::list_workspaces(source, studio, printer).await {
                Ok(workspaces) => workspaces.iter().any(|w| w.id == id && w.is_default),
                Err(error) => {
                    printer.trace(
                        1,
                        format!("cannot tell whether workspace {id} is the default one: {error:#}"),
                    );
                    false
                }
            },
            None => false,
        },
        (one, other) => one.unwrap_or_default() == other.unwrap_or_default(),
    };
    if same {
        return Err(ImportError::SameWorkspace {
            workspace: source
                .workspace()
                .unwrap_or("the default workspace")
                .to_string(),
            project: source.project_id().to_string(),
            endpoint: crate::http::authority(source.endpoint()),
        });
    }
    Ok(())
}

/// The names to migrate (listed with `--all`), filtered; names that cannot
/// be jobs are set aside as failures.
async fn choose_names(
    plan: &ExportPlan,
    source: &Client,
    printer: &Printer,
) -> anyhow::Result<(Vec<String>, Vec<JobFailure>)> {
    let mut failed = plan.refused.clone();
    let candidates = match &plan.selection {
        Selection::Names(names) => names.clone(),
        Selection::All => export::list_all(source, plan.parallel, printer).await?,
    };
    let mut names = Vec::new();
    for name in candidates.into_iter().filter(|n| plan.matcher.is_match(n)) {
        match names::invalid_reason(&name) {
            Some(reason) => failed.push(JobFailure::local(
                name.clone(),
                format!("not migrated: {reason}"),
            )),
            None => names.push(name),
        }
    }
    if names.is_empty() {
        return Err(match plan.selection {
            Selection::All => super::UsageError::NoneListedMatch {
                filtered: !plan.matcher.patterns().is_empty(),
            },
            Selection::Names(_) => super::UsageError::NoneGivenMatch,
        }
        .into());
    }
    Ok((names, failed))
}

/// Exports one batch and turns it into archives to stage: each at most
/// [`MAX_ARCHIVE_BYTES`] (a larger one is split and exported again; a
/// single job over it fails alone), each checked by the `unpack` rules.
#[allow(clippy::too_many_arguments)]
async fn export_batch(
    source: &Client,
    plan: &MigratePlan,
    batch: &[String],
    work: &std::path::Path,
    staging: &Staging,
    archives: &mut usize,
    report: &mut Report,
    export_failed: &mut Vec<JobFailure>,
) -> anyhow::Result<Vec<Staged>> {
    let limits = download::Limits::new(
        plan.export.limits.max_size,
        plan.export.settings.http.timeout,
    );
    let mut staged = Vec::new();
    let mut queue = vec![batch.to_vec()];
    while let Some(names) = queue.pop() {
        let (parts, failed) =
            export::export_parts(source, &plan.export.batching(), &limits, &names, work).await?;
        export_failed.extend(failed);
        for (part_names, target) in parts {
            let size = std::fs::metadata(target.path())
                .with_context(|| format!("cannot read {}", target.path().display()))?
                .len();
            if size > MAX_ARCHIVE_BYTES {
                if let [only] = part_names.as_slice() {
                    report.jobs.push(JobResult {
                        name: only.clone(),
                        outcome: Some(Outcome::Failed),
                        message: Some(format!(
                            "its export is {}, more than the {} one import reads",
                            output::size(size),
                            output::size(MAX_ARCHIVE_BYTES)
                        )),
                        not_imported: false,
                    });
                } else {
                    let (left, right) = part_names.split_at(part_names.len() / 2);
                    // Popped from the end: keep the original order.
                    queue.push(right.to_vec());
                    queue.push(left.to_vec());
                }
                continue;
            }
            let path = target.path().to_path_buf();
            let archive = tokio::task::spawn_blocking(move || source::load_zip(&path))
                .await
                .context("checking an export stopped unexpectedly")??;
            *archives += 1;
            staged.push(Staged {
                object: staging.object(*archives)?,
                label: match part_names.as_slice() {
                    [one] => format!("the export of {one}"),
                    [first, .., last] => {
                        format!("the export of {} jobs ({first} … {last})", part_names.len())
                    }
                    [] => "an empty export".to_string(),
                },
                payload: Some(archive.payload),
                jobs: archive.jobs,
            });
        }
    }
    Ok(staged)
}

/// `--dry-run`: the jobs, the batches, and the target's same-name jobs with
/// what the policy does to each. Only read-only requests are sent.
async fn dry_run(
    plan: &MigratePlan,
    target: &Client,
    names: &[String],
    batches: &[Vec<String>],
    source: &Client,
    printer: &Printer,
) -> anyhow::Result<()> {
    let existing = pipeline::target_jobs(target).await?;
    let action = if plan.options.overwrite {
        "overwrite"
    } else {
        "skip"
    };
    let same_name: Vec<&String> = names.iter().filter(|n| existing.contains_key(*n)).collect();
    let sent = source.transport().requests_sent() + target.transport().requests_sent();
    if plan.json {
        let object = json!({
            "format": 1,
            "dry_run": true,
            "jobs": names.iter().map(|name| json!({"name": name})).collect::<Vec<_>>(),
            "batches": batches.iter().map(|b| json!({"jobs": b})).collect::<Vec<_>>(),
            "same_name": same_name.iter().map(|n| json!({"name": n, "action": action})).collect::<Vec<_>>(),
            "requests": sent,
        });
        printer
            .json_value(&object)
            .context("cannot write to stdout")?;
        return Ok(());
    }
    // The plan is for people: stderr, like every dry run.
    printer.info(format!(
        "{} from {} to {}:",
        output::plural(names.len() as u64, "job", "jobs"),
        source.workspace().unwrap_or("the default workspace"),
        target.workspace().unwrap_or("the default workspace"),
    ));
    for (index, batch) in batches.iter().enumerate() {
        printer.info(format!(
            "batch {} ({}): {}",
            index + 1,
            output::plural(batch.len() as u64, "job", "jobs"),
            batch.join(", ")
        ));
    }
    for name in &same_name {
        printer.info(format!("exists in the target: {name} (would {action})"));
    }
    printer.info(super::import::dry_run::summary_line(
        "nothing exported, uploaded or imported",
        sent,
    ));
    Ok(())
}
