//! `import SOURCE`: a zip, a `jobs/<job>/` tree or `obs://BUCKET/KEY` into
//! the target workspace, through the steps of [`crate::import::pipeline`].
//! This module resolves the command line into an [`ImportPlan`] (no
//! network), checks local archives before anything is sent, and reports
//! ([`report`], shared with `migrate`); [`dry_run`] shows the plan instead.

pub(crate) mod dry_run;
mod report;

use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;

use crate::cli::{ImportArgs, ImportOptions, SameName, TargetStatus};
use crate::config::{self, Settings};
use crate::env::Env;
use crate::import::pipeline::Staged;
use crate::import::source::{self, Archive, Source};
use crate::import::staging::Staging;
use crate::import::wait::WaitOptions;
use crate::import::{self, ImportError, Importer, Report};
use crate::obs;

use super::{connect, Context};

pub(crate) use report::{print_report, Migration};

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
        let options = options(&args.import, &settings);
        options.check_maps()?;
        Ok(Self {
            options,
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
    let (archives, scripts) = tokio::task::spawn_blocking(move || {
        let scripts = match &source {
            Source::Dir(dir) => source::backup_scripts(dir),
            _ => Vec::new(),
        };
        source::load(&source).map(|archives| (archives, scripts))
    })
    .await
    .context("reading the source stopped unexpectedly")??;
    plan.options
        .check_job_params(archives.iter().flat_map(|archive| &archive.jobs))?;
    if let (Source::Dir(dir), false) = (&plan.source, scripts.is_empty()) {
        printer.info(scripts_note(dir, &scripts));
    }
    if let Source::Dir(dir) = &plan.source {
        if dir.join("workspaces").is_dir() {
            printer.info(format!(
                "{}/ is not imported: only {}/ is; a backup of every workspace is \
                 restored one workspace at a time (import {}/<id>/ with --workspace <id>)",
                dir.join("workspaces").display(),
                dir.join("jobs").display(),
                dir.join("workspaces").display(),
            ));
        }
    }
    let client = connect(&plan.settings, printer).await?;
    let obs_client = match plan.source.is_local() {
        true => Some(obs::Client::new(
            client.transport().clone(),
            plan.settings.obs()?.value.clone(),
            &plan.settings.credentials,
        )?),
        false => None,
    };
    if let (Some(obs), Some(bucket)) = (&obs_client, &plan.bucket) {
        if let Some(risk) = obs.addressing_risk(bucket) {
            printer.warn(risk);
        }
    }
    let staged = staged(&plan, archives)?;
    let importer = Importer {
        dlf: &client,
        obs: obs_client.as_ref(),
        options: &plan.options,
        printer,
    };
    if plan.dry_run {
        return dry_run::dry_run(&importer, &staged, plan.json).await;
    }
    let mut report = Report::default();
    let done = importer.run(staged, &mut report).await;
    // Once an import was asked for (or a staged archive is kept), the
    // summary says what was done, even when the run stopped afterwards
    // (the error follows it).
    if done.is_ok() || report.imports_sent || !report.kept.is_empty() {
        print_report(
            &report,
            None,
            plan.json,
            printer,
            client.transport().requests_sent(),
            started,
        )?;
    }
    done?;
    match report.incomplete() {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

/// What a backup tree's `scripts/` is to the import: not imported.
fn scripts_note(dir: &std::path::Path, scripts: &[String]) -> String {
    format!(
        "{}/ ({}: {}) is not imported: the import restores the scripts the jobs reference, \
         from their jobs/<job>/ folders; a script no job references is not restored \
         (scripts/ keeps it for reference)",
        dir.join("scripts").display(),
        crate::output::plural(scripts.len() as u64, "script", "scripts"),
        crate::output::name_list(scripts, 5)
    )
}

/// The archives of the run where the import reads them: the object itself
/// for an `obs://` source, else each local archive under this run's staging
/// key (`<PREFIX><run-id>/<n>.zip`).
fn staged(plan: &ImportPlan, archives: Vec<Archive>) -> Result<Vec<Staged>, obs::PathError> {
    if let Source::Obs(object) = &plan.source {
        return Ok(vec![Staged {
            object: object.clone(),
            label: object.to_string(),
            payload: None,
            jobs: Vec::new(),
        }]);
    }
    let staging = Staging::new(
        plan.bucket.as_deref().unwrap_or_default(),
        &plan.prefix,
        SystemTime::now(),
    )?;
    archives
        .into_iter()
        .enumerate()
        .map(|(index, archive)| {
            Ok(Staged {
                object: staging.object(index + 1)?,
                label: archive.label,
                payload: Some(archive.payload),
                jobs: archive.jobs,
            })
        })
        .collect()
}
