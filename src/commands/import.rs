//! `import SOURCE`: a zip, a `jobs/<job>/` tree or `obs://BUCKET/KEY` into
//! the target workspace, through the steps of [`crate::import::pipeline`].
//! This module resolves the command line into an [`ImportPlan`] (no
//! network), checks local archives before anything is sent, and reports.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use serde_json::{json, Value};

use crate::cli::{ImportArgs, ImportOptions, SameName, TargetStatus};
use crate::config::{self, Settings};
use crate::env::Env;
use crate::http::Prepared;
use crate::import::pipeline::{self, Staged};
use crate::import::source::{self, Source};
use crate::import::staging::Staging;
use crate::import::wait::WaitOptions;
use crate::import::{self, ImportError, Importer, Report};
use crate::obs;
use crate::output::{self, Printer};

use super::{connect, Context};

/// A validated import, ready to run.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub settings: Settings,
    pub source: Source,
    /// The staging bucket (required for a local source).
    pub bucket: Option<String>,
    pub prefix: String,
    pub options: import::Options,
    pub dry_run: bool,
    pub json: bool,
}

impl ImportPlan {
    pub fn resolve(args: &ImportArgs, env: &Env) -> anyhow::Result<Self> {
        let source = Source::parse(&args.source)?;
        let settings = config::resolve(&args.connection, &args.workspace, env)?;
        let bucket = staging_bucket(&args.import)?;
        if source.is_local() {
            if bucket.is_none() {
                return Err(ImportError::NoBucket.into());
            }
            if !matches!(settings.credentials, crate::auth::Credentials::AkSk { .. }) {
                return Err(obs::ObsError::TokenCredentials.into());
            }
        }
        Ok(Self {
            options: options(&args.import, &settings),
            settings,
            source,
            bucket,
            prefix: args.import.obs_prefix.clone(),
            dry_run: args.import.dry_run,
            json: args.import.json,
        })
    }
}

/// `--obs-bucket`, checked.
pub(crate) fn staging_bucket(args: &ImportOptions) -> Result<Option<String>, ImportError> {
    match &args.obs_bucket {
        None => Ok(None),
        Some(name) => match obs::bucket_problem(name) {
            Some(reason) => Err(ImportError::BadBucket {
                name: name.clone(),
                reason,
            }),
            None => Ok(Some(name.clone())),
        },
    }
}

/// The import options of the command line (shared with `migrate`).
pub(crate) fn options(args: &ImportOptions, settings: &Settings) -> import::Options {
    import::Options {
        overwrite: args.same_name == SameName::Overwrite,
        params: args.params.clone(),
        job_params: args.job_params.clone(),
        maps: args.maps.clone(),
        allow_missing: args.allow_missing,
        target_status: args.target_status.map(|status| {
            match status {
                TargetStatus::Saved => "SAVED",
                TargetStatus::Submitted => "SUBMITTED",
                TargetStatus::Production => "PRODUCTION",
            }
            .to_string()
        }),
        approvers: args.approvers.clone(),
        execute_user: args.execute_user.clone(),
        no_wait: args.no_wait,
        wait: WaitOptions {
            timeout: Duration::from_secs(args.wait_timeout),
            scale: settings.http.retry_delay_scale,
        },
        keep_staging: args.keep_staging,
    }
}

/// The `import` command.
pub async fn run(args: ImportArgs, ctx: &Context) -> anyhow::Result<()> {
    let started = Instant::now();
    let printer = &ctx.printer;
    let plan = ImportPlan::resolve(&args, &ctx.env)?;
    // Local archives are read and checked before any request.
    let source = plan.source.clone();
    let archives = tokio::task::spawn_blocking(move || source::load(&source))
        .await
        .context("reading the source stopped unexpectedly")??;
    let client = connect(&plan.settings, printer).await?;
    let obs_client = match plan.source.is_local() {
        true => Some(obs::Client::new(
            client.transport().clone(),
            plan.settings.obs()?.value.clone(),
            &plan.settings.credentials,
        )?),
        false => None,
    };
    let staged: Vec<Staged> = match &plan.source {
        Source::Obs(object) => vec![Staged {
            object: object.clone(),
            label: object.to_string(),
            bytes: None,
            jobs: Vec::new(),
        }],
        _ => {
            let staging = Staging::new(
                plan.bucket.as_deref().unwrap_or_default(),
                &plan.prefix,
                SystemTime::now(),
            );
            archives
                .into_iter()
                .enumerate()
                .map(|(index, archive)| Staged {
                    object: staging.object(index + 1),
                    label: archive.label,
                    bytes: Some(archive.bytes),
                    jobs: archive.jobs,
                })
                .collect()
        }
    };
    let importer = Importer {
        dlf: &client,
        obs: obs_client.as_ref(),
        options: &plan.options,
        printer,
    };
    if plan.dry_run {
        return dry_run(&importer, &staged, plan.json).await;
    }
    let mut report = Report::default();
    importer.run(staged, &mut report).await?;
    print_report(
        &report,
        None,
        plan.json,
        printer,
        client.transport().requests_sent(),
        started,
    )?;
    match report.incomplete() {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

/// `--dry-run`: the archives, their keys and the requests (uploads and
/// imports not sent); for an object already in OBS, the pre-flight runs.
async fn dry_run(importer: &Importer<'_>, staged: &[Staged], json: bool) -> anyhow::Result<()> {
    let printer = importer.printer;
    let mut requests: Vec<Prepared> = Vec::new();
    let mut preflight: Vec<Value> = Vec::new();
    let mut staged = staged.to_vec();
    for archive in &mut staged {
        if let (Some(obs), Some(bytes)) = (importer.obs, &archive.bytes) {
            requests.push(obs.prepare_put(&archive.object, bytes.clone()));
        } else {
            let info = importer
                .dlf
                .check_file(&archive.object.to_string())
                .await
                .with_context(|| format!("checking {}", archive.object))?;
            archive.jobs = info.job_names();
            let missing: Vec<Value> = info
                .resources
                .iter()
                .filter(|r| r.is_missing())
                .map(|r| {
                    json!({"name": r.name, "type": r.kind, "mapped": importer.options.maps_resource(r)})
                })
                .collect();
            preflight.push(
                json!({"staging_key": archive.object.to_string(), "missing_resources": missing}),
            );
        }
        requests.push(
            importer
                .dlf
                .prepare_import(&importer.options.body(&archive.object.to_string())),
        );
    }
    let existing = if staged.iter().any(|a| a.bytes.is_none()) {
        Some(pipeline::target_jobs(importer.dlf).await?)
    } else {
        None
    };
    if json {
        let object = json!({
            "format": 1,
            "dry_run": true,
            "archives": staged.iter().map(|a| json!({
                "label": a.label,
                "staging_key": a.object.to_string(),
                "archive_bytes": a.bytes.as_ref().map(|b| b.len()),
                "jobs": a.jobs,
            })).collect::<Vec<_>>(),
            "preflight": preflight,
            "requests": requests.iter().map(request_json).collect::<Vec<_>>(),
            "requests_sent": importer.dlf.transport().requests_sent(),
        });
        printer
            .json_value(&object)
            .context("cannot write to stdout")?;
        return Ok(());
    }
    for archive in &staged {
        let size = archive
            .bytes
            .as_ref()
            .map(|b| format!(", {}", output::size(b.len() as u64)))
            .unwrap_or_default();
        printer
            .line(&format!(
                "archive {}{size} → {}: {}",
                archive.label,
                archive.object,
                archive.jobs.join(", ")
            ))
            .context("cannot write to stdout")?;
        if let Some(existing) = &existing {
            for job in &archive.jobs {
                if existing.contains_key(job) {
                    printer
                        .line(&format!(
                            "  {job} exists in the target: {}",
                            if importer.options.overwrite {
                                "would be overwritten"
                            } else {
                                "would be skipped"
                            }
                        ))
                        .context("cannot write to stdout")?;
                }
            }
        }
    }
    for item in &preflight {
        for missing in item["missing_resources"].as_array().into_iter().flatten() {
            printer
                .line(&format!(
                    "missing in the target: {} {}{}",
                    missing["type"].as_str().unwrap_or_default(),
                    missing["name"].as_str().unwrap_or_default(),
                    if missing["mapped"] == true {
                        " (mapped)"
                    } else {
                        ""
                    }
                ))
                .context("cannot write to stdout")?;
        }
    }
    for request in &requests {
        printer
            .line(&request.render())
            .context("cannot write to stdout")?;
    }
    let sent = importer.dlf.transport().requests_sent();
    printer.info(format!(
        "dry run: nothing uploaded, nothing imported; {} read-only {} sent",
        sent,
        if sent == 1 {
            "request was"
        } else {
            "requests were"
        }
    ));
    Ok(())
}

/// A request as `--dry-run --json` shows it (secrets redacted).
pub(crate) fn request_json(request: &Prepared) -> Value {
    let body = if request.body.is_empty() {
        Value::Null
    } else {
        match std::str::from_utf8(&request.body) {
            Ok(text) => Value::from(text),
            Err(_) => Value::from(format!("({} bytes of binary data)", request.body.len())),
        }
    };
    json!({
        "method": request.method.as_str(),
        "url": request.url.as_str(),
        "headers": request.redacted_headers().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        "body": body,
    })
}

/// The summary: per job its outcome on stderr (or the `--json` object on
/// stdout), the tasks, what was staged and kept, the requests and time.
pub(crate) fn print_report(
    report: &Report,
    batches: Option<Value>,
    json: bool,
    printer: &Printer,
    requests: u32,
    started: Instant,
) -> anyhow::Result<()> {
    if json {
        let mut object = json!({
            "format": 1,
            "jobs": report.jobs.iter().map(|job| json!({
                "name": job.name,
                "outcome": job.outcome.map(import::Outcome::as_str),
                "message": job.message,
            })).collect::<Vec<_>>(),
            "tasks": report.tasks.iter().map(|task| json!({
                "id": task.id,
                "status": task.status,
                "staging_key": task.staging_key,
            })).collect::<Vec<_>>(),
            "request_ids": report.request_ids,
        });
        if let (Some(batches), Some(map)) = (batches, object.as_object_mut()) {
            map.insert("batches".to_string(), batches);
        }
        printer
            .json_value(&object)
            .context("cannot write to stdout")?;
        return Ok(());
    }
    for job in &report.jobs {
        let outcome = job.outcome.map_or("not verified", import::Outcome::as_str);
        let name = crate::text::escape_controls(&job.name);
        match &job.message {
            Some(message) if job.outcome.is_some() => {
                printer.info(format!("{outcome:<12} {name}: {message}"))
            }
            _ => printer.info(format!("{outcome:<12} {name}")),
        }
    }
    for task in &report.tasks {
        printer.info(format!(
            "task {} {} ({})",
            task.id, task.status, task.staging_key
        ));
    }
    if !report.kept.is_empty() {
        printer.info(format!("staging kept: {}", report.kept.join(", ")));
    }
    if !report.deleted.is_empty() {
        printer.info(format!(
            "staging deleted: {}",
            output::plural(report.deleted.len() as u64, "object", "objects")
        ));
    }
    let count = |outcome: import::Outcome| {
        report
            .jobs
            .iter()
            .filter(|job| job.outcome == Some(outcome))
            .count()
    };
    let mut parts = Vec::new();
    for outcome in [
        import::Outcome::Imported,
        import::Outcome::Overwritten,
        import::Outcome::Skipped,
        import::Outcome::Failed,
    ] {
        let n = count(outcome);
        if n > 0 {
            parts.push(format!("{n} {}", outcome.as_str()));
        }
    }
    let unverified = report
        .jobs
        .iter()
        .filter(|job| job.outcome.is_none())
        .count();
    if unverified > 0 {
        parts.push(format!("{unverified} not verified"));
    }
    printer.info(format!(
        "{}: {}; {} in {:.1}s{}",
        output::plural(report.jobs.len() as u64, "job", "jobs"),
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        },
        output::plural(u64::from(requests), "request", "requests"),
        started.elapsed().as_secs_f64(),
        if report.request_ids.is_empty() {
            String::new()
        } else {
            format!(
                "; request ids {}",
                output::name_list(&report.request_ids, 5)
            )
        }
    ));
    Ok(())
}
