//! `backup DIR`: DIR kept an exact mirror of a workspace (or of every
//! workspace), through the `backup` module's manifest, comparison, staging
//! and switch.
//!
//! [`run`] resolves the command line into a [`BackupPlan`] and runs it in
//! stages: recover a switch a killed run left in DIR (a backup's or an
//! extraction's, as every command that writes a tree does); connect; find
//! the mirrors (one, or one per workspace of the Management Center) and read
//! their manifests, refusing another lineage; list every job and script,
//! refusing what would overwrite something unrecorded; download the jobs
//! (the export's batch engine) and extract them into staging; compare by
//! hashes; then, unless `--check` or `--dry-run`, the switch, manifests
//! last; report (`summary`). Past the recovery, DIR is untouched until the
//! switch.

mod plan;
mod summary;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use serde_json::Value;

use crate::api::studio::Workspace;
use crate::api::{ApiError, Client};
use crate::archive::{self, ExtractOptions};
use crate::backup::manifest::{self, Found, InstanceEntry, OnDisk, WorkspaceEntry};
use crate::backup::plan::{self as diff, Listing, Recorded, Unit, UpstreamJob};
use crate::backup::switch as backup_switch;
use crate::backup::{root, tree, BackupError, Source, UnitPlan, MANIFEST_FILE};
use crate::cli::BackupArgs;
use crate::download::{self, Target};
use crate::fsx::CreatedDirs;
use crate::model::{JobFailure, JobType, ListedJob};
use crate::output::{self, Printer};
use crate::switch::{self, Recovered, Staging, Switch};
use crate::text::escape_controls;

use super::{connect, Context, PartialFailure};

pub use plan::{BackupPlan, Mode};
pub use summary::{Report, WorkspaceReport};

/// The `backup` command.
pub async fn run(args: BackupArgs, ctx: &Context) -> anyhow::Result<()> {
    let started = Instant::now();
    let plan = BackupPlan::resolve(&args, &ctx.env)?;
    let report = execute(&plan, ctx, started).await?;
    report
        .print(&plan.dir, plan.mode, plan.json, &ctx.printer)
        .context("cannot write the summary to stdout")?;
    let failed = report.failures();
    if failed > 0 {
        return Err(PartialFailure::Backup {
            failed,
            requested: report.requested(),
            written: plan.mode == Mode::Write,
        }
        .into());
    }
    if plan.mode == Mode::Check && !report.is_exact() {
        return Err(PartialFailure::Drift {
            dir: plan.dir.clone(),
            differences: report.differences(),
            every_workspace: report.all_workspaces,
        }
        .into());
    }
    Ok(())
}

/// One mirror: a workspace, and where it goes.
struct Mirror {
    /// Relative to DIR: `""`, or `workspaces/<id>`.
    relative: PathBuf,
    root: PathBuf,
    source: Source,
    client: Client,
    /// With `--all-workspaces`: the workspace, and its `workspace.json`.
    workspace: Option<(Workspace, Vec<u8>)>,
    manifest: OnDisk,
    recorded: Recorded,
}

impl Mirror {
    /// The workspace id (`""` for a backup of one workspace) and, for the
    /// summary, `id (name)`.
    fn names(&self) -> (String, Option<String>) {
        match &self.workspace {
            Some((workspace, _)) => (
                workspace.id.clone(),
                Some(format!(
                    "{} ({})",
                    escape_controls(&workspace.id),
                    escape_controls(&workspace.name)
                )),
            ),
            None => (String::new(), None),
        }
    }
}

/// The root of a backup of every workspace.
struct Root {
    on_disk: OnDisk,
    /// The new root manifest.
    bytes: Vec<u8>,
    /// Workspaces the root manifest records and the listing lacks, with
    /// what their own manifests record.
    vanished: Vec<(String, Recorded)>,
}

impl Root {
    /// Whether the root manifest on disk is not exactly the new one.
    fn changed(&self) -> bool {
        self.on_disk.bytes.as_deref() != Some(&self.bytes[..])
    }

    /// The removal of each vanished workspace's mirror in `dir`.
    fn removals(&self, dir: &Path) -> Vec<Removal> {
        self.vanished
            .iter()
            .map(|(id, recorded)| Removal {
                id: id.clone(),
                plan: diff::plan_removal(&dir.join(root::mirror_dir(id)), recorded),
            })
            .collect()
    }
}

/// Where a run stages: in a switch inside DIR, or (a run that changes
/// nothing) in a staging folder outside it.
enum Stage {
    Switch(Switch),
    CheckOnly(Staging),
}

impl Stage {
    fn staging(&self) -> &Staging {
        match self {
            Stage::Switch(sw) => sw.staging(),
            Stage::CheckOnly(staging) => staging,
        }
    }
}

/// A mirror, listed.
struct Listed {
    mirror: Mirror,
    listing: Listing,
}

/// A mirror, staged and compared.
struct Staged {
    /// The workspace id (`""` for a backup of one workspace).
    id: String,
    label: Option<String>,
    relative: PathBuf,
    plan: UnitPlan,
    failed: Vec<JobFailure>,
}

/// The mirror of a workspace gone from the listing, to remove.
struct Removal {
    id: String,
    plan: UnitPlan,
}

/// Runs a plan: the report of what was (or, read-only, would be) changed.
pub async fn execute(plan: &BackupPlan, ctx: &Context, started: Instant) -> anyhow::Result<Report> {
    let printer = &ctx.printer;
    tree::require_dir_or_absent_following(&plan.dir)?;
    // First, as every run into DIR: what a killed run left (before any
    // manifest is read: a recovery may put an older one back).
    let interrupted = recover(plan, printer)?;
    let client = connect(&plan.settings, printer).await?;
    let (mirrors, root) = find_mirrors(plan, &client, printer).await?;
    let listed = list_mirrors(plan, mirrors, printer).await?;

    // DIR is created only by a run that writes, and removed again if that
    // run fails before its switch (declared first: dropped after staging).
    let mut created = match plan.mode {
        Mode::Write => CreatedDirs::create(&plan.dir)
            .with_context(|| format!("cannot create {}", plan.dir.display()))?,
        Mode::Check | Mode::DryRun => CreatedDirs::default(),
    };
    let stage = match plan.mode {
        Mode::Write => Stage::Switch(Switch::begin(&plan.dir)?),
        Mode::Check | Mode::DryRun => Stage::CheckOnly(Staging::check_only()?),
    };
    let (stage, staged) = stage_mirrors(plan, listed, stage, ctx).await?;
    let removals = match &root {
        Some(root) => root.removals(&plan.dir),
        None => Vec::new(),
    };
    warn_unrecorded(&staged, printer);
    let root_changed = root.as_ref().is_some_and(Root::changed);

    match stage {
        Stage::Switch(sw) => {
            let root_manifest = root.filter(|_| root_changed).map(|root| root.bytes);
            switch_mirrors(sw, &staged, &removals, root_manifest, ctx).await?;
            created.keep();
        }
        Stage::CheckOnly(staging) => drop(staging),
    }

    Ok(Report {
        requests: client.transport().requests_sent(),
        seconds: started.elapsed().as_secs_f64(),
        ..report(plan, interrupted, root_changed, staged, removals)
    })
}

/// Lists every mirror's workspace, one after the other (see `list_mirror`).
async fn list_mirrors(
    plan: &BackupPlan,
    mirrors: Vec<Mirror>,
    printer: &Printer,
) -> anyhow::Result<Vec<Listed>> {
    let mut listed = Vec::with_capacity(mirrors.len());
    for mirror in mirrors {
        listed.push(list_mirror(plan, mirror, printer).await?);
    }
    Ok(listed)
}

/// Stages and compares every mirror, each at its path in the new root.
async fn stage_mirrors(
    plan: &BackupPlan,
    listed: Vec<Listed>,
    mut stage: Stage,
    ctx: &Context,
) -> anyhow::Result<(Stage, Vec<Staged>)> {
    let mut staged = Vec::with_capacity(listed.len());
    for item in listed {
        let (back, unit) = stage_mirror(plan, item, stage, ctx).await?;
        stage = back;
        staged.push(unit);
    }
    Ok((stage, staged))
}

/// Names what stands in a mirror unrecorded and unlisted: left alone.
fn warn_unrecorded(staged: &[Staged], printer: &Printer) {
    for unit in staged {
        if unit.plan.unrecorded.is_empty() {
            continue;
        }
        let shown: Vec<String> = unit
            .plan
            .unrecorded
            .iter()
            .map(|path| escape_controls(&path.display().to_string()))
            .collect();
        printer.warn(format!(
            "left alone, not recorded in the manifest: {}",
            output::name_list(&shown, 5)
        ));
    }
}

/// The switch of every mirror, the removals, then the root manifest when
/// it changed, on a blocking thread that owns the switch (its staging
/// folder goes when it is done).
async fn switch_mirrors(
    sw: Switch,
    staged: &[Staged],
    removals: &[Removal],
    root_manifest: Option<Vec<u8>>,
    ctx: &Context,
) -> anyhow::Result<()> {
    let mirrors: Vec<(PathBuf, UnitPlan)> = staged
        .iter()
        .map(|unit| (unit.relative.clone(), unit.plan.clone()))
        .chain(
            removals
                .iter()
                .map(|removal| (root::mirror_dir(&removal.id), removal.plan.clone())),
        )
        .collect();
    let cancel = Arc::clone(&ctx.cancel);
    let spinner = ctx.printer.spinner("switching…");
    tokio::task::spawn_blocking(move || {
        backup_switch::commit(sw, &mirrors, root_manifest.as_deref(), &cancel)
    })
    .await
    .context("the backup stopped unexpectedly")??;
    spinner.finish();
    Ok(())
}

/// What the run changed (or, read-only, would change), mirror by mirror.
fn report(
    plan: &BackupPlan,
    interrupted: Vec<String>,
    root_changed: bool,
    staged: Vec<Staged>,
    removals: Vec<Removal>,
) -> Report {
    let workspaces = staged
        .into_iter()
        .map(|unit| {
            let removed_paths = unit.plan.removed_paths(&unit.relative);
            let outcome = WorkspaceReport {
                changes: unit.plan.changes,
                failed: unit.failed,
                label: unit.label,
                removed_paths,
            };
            (unit.id, outcome)
        })
        .collect();
    Report {
        workspaces,
        workspaces_removed: removals.into_iter().map(|removal| removal.id).collect(),
        root_changed,
        all_workspaces: plan.all_workspaces,
        interrupted,
        ..Report::default()
    }
}

/// Runs `work` on a blocking thread, which owns the staging folder while
/// it runs (so that a cancelled run removes it only once `work` is done).
async fn with_stage<T: Send + 'static>(
    stage: Stage,
    work: impl FnOnce(&Staging) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<(Stage, T)> {
    let (stage, result) = tokio::task::spawn_blocking(move || {
        let result = work(stage.staging());
        (stage, result)
    })
    .await
    .context("the backup stopped unexpectedly")?;
    Ok((stage, result?))
}

/// A manifest, read; an unreadable one is an error, or with `force` none.
fn read_manifest(dir: &Path, force: bool, printer: &Printer) -> anyhow::Result<OnDisk> {
    match manifest::read(dir) {
        Ok(on_disk) => Ok(on_disk),
        Err(error @ BackupError::UnreadableManifest { .. }) if force => {
            printer.warn(format!("{error}; writing a new one"));
            Ok(OnDisk {
                found: Found::Nothing,
                bytes: None,
            })
        }
        Err(error) => Err(error.into()),
    }
}

/// The lineage guard, or with `force` a warning.
fn guard_lineage(
    dir: &Path,
    found: &Found,
    current: &Source,
    every_workspace: bool,
    force: bool,
    printer: &Printer,
) -> anyhow::Result<()> {
    match manifest::check_lineage(dir, found, current, every_workspace) {
        Err(error) if force => {
            printer.warn(format!("{error}; going ahead as asked"));
            Ok(())
        }
        result => Ok(result?),
    }
}

/// The mirrors to bring up to date, their manifests read and their lineage
/// checked; with `--all-workspaces`, the root too.
async fn find_mirrors(
    plan: &BackupPlan,
    client: &Client,
    printer: &Printer,
) -> anyhow::Result<(Vec<Mirror>, Option<Root>)> {
    if !plan.all_workspaces {
        return Ok((vec![the_mirror(plan, client, printer)?], None));
    }
    let workspaces = list_workspaces(plan, client, printer).await?;
    let (mirrors, root) = every_mirror(plan, client, workspaces, printer)?;
    Ok((mirrors, Some(root)))
}

/// A mirror's manifest read, and its lineage guarded: what it records.
fn open_manifest(
    plan: &BackupPlan,
    root: &Path,
    source: &Source,
    printer: &Printer,
) -> anyhow::Result<(OnDisk, Recorded)> {
    let manifest = read_manifest(root, plan.force, printer)?;
    guard_lineage(root, &manifest.found, source, false, plan.force, printer)?;
    let recorded = Recorded::of(&manifest.found);
    Ok((manifest, recorded))
}

/// The one mirror of a backup of one workspace: DIR.
fn the_mirror(plan: &BackupPlan, client: &Client, printer: &Printer) -> anyhow::Result<Mirror> {
    let source = plan.source(client.project_id(), client.workspace().map(str::to_string));
    let (manifest, recorded) = open_manifest(plan, &plan.dir, &source, printer)?;
    Ok(Mirror {
        relative: PathBuf::new(),
        root: plan.dir.clone(),
        source,
        client: client.clone(),
        workspace: None,
        manifest,
        recorded,
    })
}

/// Every workspace of the project (the Management Center on the studio
/// endpoint), each id a folder name here.
async fn list_workspaces(
    plan: &BackupPlan,
    client: &Client,
    printer: &Printer,
) -> anyhow::Result<Vec<Workspace>> {
    let studio = plan.settings.studio()?.value.clone();
    let workspaces = super::list_workspaces(client, studio, printer).await?;
    root::refuse_unwritable_ids(workspaces.iter().map(|w| w.id.as_str()))?;
    Ok(workspaces)
}

/// With `--all-workspaces`: DIR's root manifest read, its lineage and the
/// empty-listing guard checked; a mirror per workspace listed; and the
/// root: the new root manifest, and the workspaces gone from the listing
/// with what their mirrors record.
fn every_mirror(
    plan: &BackupPlan,
    client: &Client,
    workspaces: Vec<Workspace>,
    printer: &Printer,
) -> anyhow::Result<(Vec<Mirror>, Root)> {
    tree::require_dir_or_absent(&plan.dir.join(root::WORKSPACES))?;
    let source = plan.source(client.project_id(), None);
    let on_disk = read_manifest(&plan.dir, plan.force, printer)?;
    guard_lineage(
        &plan.dir,
        &on_disk.found,
        &source,
        true,
        plan.force,
        printer,
    )?;
    let recorded = root::recorded_ids(&on_disk.found);
    if !plan.force {
        root::check_listed(workspaces.len(), &recorded, &plan.dir)?;
    }
    let entries: BTreeMap<String, WorkspaceEntry> = workspaces
        .iter()
        .map(|workspace| (workspace.id.clone(), workspace_entry(workspace)))
        .collect();
    let mirrors = workspaces
        .into_iter()
        .map(|workspace| workspace_mirror(plan, client, workspace, printer))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut vanished = Vec::new();
    for id in root::vanished(&recorded, &entries) {
        let manifest = read_manifest(&plan.dir.join(root::mirror_dir(&id)), plan.force, printer)?;
        vanished.push((id, Recorded::of(&manifest.found)));
    }
    let bytes = root::manifest_bytes(source, entries);
    Ok((
        mirrors,
        Root {
            on_disk,
            bytes,
            vanished,
        },
    ))
}

/// A workspace's mirror in `DIR/workspaces/<id>/`.
fn workspace_mirror(
    plan: &BackupPlan,
    client: &Client,
    workspace: Workspace,
    printer: &Printer,
) -> anyhow::Result<Mirror> {
    let relative = root::mirror_dir(&workspace.id);
    let root = plan.dir.join(&relative);
    // Between DIR and the entries: never a symlink.
    tree::require_dir_or_absent(&root)?;
    let source = plan.source(client.project_id(), Some(workspace.id.clone()));
    let (manifest, recorded) = open_manifest(plan, &root, &source, printer)?;
    let file = root::workspace_file(&workspace.name);
    Ok(Mirror {
        relative,
        root,
        source,
        client: client.in_workspace(Some(workspace.id.clone())),
        workspace: Some((workspace, file)),
        manifest,
        recorded,
    })
}

/// A workspace as the root manifest records it.
fn workspace_entry(workspace: &Workspace) -> WorkspaceEntry {
    WorkspaceEntry {
        instance: InstanceEntry {
            id: workspace.instance.id.clone(),
            name: workspace.instance.name.clone(),
        },
        name: workspace.name.clone(),
    }
}

/// Staging folders of interrupted runs (a backup's or an extraction's): a
/// run that writes recovers them (see `crate::switch`), saying so in one
/// line; one that does not reports them. Refuses to run beside a live one.
/// Returns them.
fn recover(plan: &BackupPlan, printer: &Printer) -> anyhow::Result<Vec<String>> {
    let left = backup_switch::left_by_killed_runs(&plan.dir)?;
    let shown: Vec<String> = left.iter().map(|p| p.display().to_string()).collect();
    if left.is_empty() {
        return Ok(shown);
    }
    if plan.mode.read_only() {
        printer.warn(format!(
            "an interrupted run left {} (the next backup, unpack or export -x into it repairs it)",
            shown.join(", ")
        ));
        return Ok(shown);
    }
    let recovered = switch::recover(&plan.dir)?;
    let shown: Vec<String> = recovered
        .iter()
        .map(|r| r.staging.display().to_string())
        .collect();
    let restored: usize = recovered.iter().map(Recovered::restored).sum();
    printer.info(format!(
        "recovered from an interrupted run: removed {}{}",
        shown.join(", "),
        match restored {
            0 => String::new(),
            n => format!(
                "; put back {} it had moved out",
                output::plural(n as u64, "entry", "entries")
            ),
        }
    ));
    Ok(shown)
}

/// Every script of a workspace, with a spinner counting them.
async fn list_scripts(
    client: &Client,
    parallel: usize,
    printer: &Printer,
) -> anyhow::Result<Vec<Value>> {
    let spinner = printer.spinner("listing scripts…");
    let progress = |found: u64, total: Option<u64>| {
        spinner.set_message(super::listing_message("scripts", found, total));
    };
    let scripts = client.list_scripts(parallel, &progress).await?;
    spinner.finish();
    Ok(scripts)
}

/// Lists a mirror's workspace (jobs of both types and scripts, all at
/// once), sets aside names that cannot be file names, and applies the
/// guards: an empty listing while the manifest records entries, and
/// anything unrecorded where a job or script would go.
async fn list_mirror(
    plan: &BackupPlan,
    mirror: Mirror,
    printer: &Printer,
) -> anyhow::Result<Listed> {
    let parallel = plan.batching.parallel;
    let (jobs, scripts) = futures_util::future::try_join(
        super::list_jobs(&mirror.client, &JobType::ALL, parallel, printer),
        list_scripts(&mirror.client, parallel, printer),
    )
    .await?;
    let jobs = jobs
        .into_iter()
        .filter(|(_, job)| plan.matcher.is_match(&job.name))
        .map(|(job_type, job)| upstream_job(job_type, job));
    let listing = Listing::sort(jobs, scripts);
    listing.check(
        &mirror.recorded,
        &mirror.root.join(MANIFEST_FILE),
        plan.batching.keep_going,
        plan.force,
    )?;
    diff::check_targets(
        &mirror.root,
        &mirror.recorded,
        &listing.job_names(),
        &listing.script_names(),
        plan.force,
    )?;
    Ok(Listed { mirror, listing })
}

fn upstream_job(job_type: JobType, job: ListedJob) -> UpstreamJob {
    UpstreamJob {
        name: job.name,
        job_type,
        last_update_time: job.last_update_time,
        last_update_user: job.last_update_user,
    }
}

/// Exports a mirror's jobs into staging, writes its scripts there, and
/// compares with the mirror.
async fn stage_mirror(
    plan: &BackupPlan,
    listed: Listed,
    stage: Stage,
    ctx: &Context,
) -> anyhow::Result<(Stage, Staged)> {
    let Listed {
        mirror,
        mut listing,
    } = listed;
    let staged = stage.staging().new_root().join(&mirror.relative);
    let stage = export_jobs(plan, &mirror.client, &mut listing, &staged, stage, ctx).await?;
    let (id, label) = mirror.names();
    let Listing {
        jobs,
        scripts,
        failed,
        failed_jobs,
        failed_scripts,
        ..
    } = listing;
    let unit = Unit {
        root: mirror.root,
        staged,
        source: mirror.source,
        recorded: mirror.recorded,
        manifest_bytes: mirror.manifest.bytes,
        jobs,
        failed_jobs,
        scripts: Vec::new(),
        failed_scripts,
        workspace_file: mirror.workspace.map(|(_, file)| file),
    };
    let (stage, unit_plan) = compare(unit, scripts, stage, ctx).await?;
    Ok((
        stage,
        Staged {
            id,
            label,
            relative: mirror.relative,
            plan: unit_plan,
            failed,
        },
    ))
}

/// Downloads the listed jobs (the export's batch engine) into staging and
/// extracts them into `into`. The jobs the API refuses or the archive
/// lacks (with `--keep-going`; errors otherwise) are set aside as failed.
async fn export_jobs(
    plan: &BackupPlan,
    client: &Client,
    listing: &mut Listing,
    into: &Path,
    stage: Stage,
    ctx: &Context,
) -> anyhow::Result<Stage> {
    let names = listing.job_names();
    if names.is_empty() {
        return Ok(stage);
    }
    let downloads = stage.staging().scratch()?;
    let target = Target::temp_in(&downloads, ".dataarts-jobs-")?;
    let limits = download::Limits::new(plan.limits.max_size, plan.settings.http.timeout);
    let downloaded = super::export::download(
        client,
        &plan.batching,
        &limits,
        &names,
        target,
        downloads,
        ctx,
    )
    .await?;
    listing.set_aside(downloaded.failed);
    let Some(archive) = downloaded.target else {
        return Ok(stage);
    };
    let zip = archive.path().to_path_buf();
    let wanted = listing.job_names();
    let limits = plan.limits;
    let keep_going = plan.batching.keep_going;
    let into = into.to_path_buf();
    let cancel = Arc::clone(&ctx.cancel);
    let printer = ctx.printer.clone();
    let (stage, missing) = with_stage(stage, move |_| {
        extract(&zip, &into, &wanted, limits, keep_going, &cancel, &printer)
    })
    .await?;
    drop(archive);
    listing.set_aside(
        missing
            .into_iter()
            .map(|name| JobFailure::local(name, "not in the archive the server returned")),
    );
    Ok(stage)
}

/// Writes a mirror's scripts into staging and compares everything staged
/// with the mirror, on a blocking thread.
async fn compare(
    unit: Unit,
    scripts: Vec<(String, Value)>,
    stage: Stage,
    ctx: &Context,
) -> anyhow::Result<(Stage, UnitPlan)> {
    let cancel = Arc::clone(&ctx.cancel);
    let spinner = ctx.printer.spinner("comparing…");
    let (stage, unit_plan) = with_stage(stage, move |_| {
        let mut unit = unit;
        unit.scripts = diff::stage_scripts(&unit.staged, scripts)?;
        diff::plan(&unit, &cancel)
    })
    .await?;
    spinner.finish();
    Ok((stage, unit_plan))
}

/// Checks the archive (the `unpack` rules) and that it holds every job in
/// `wanted`, and extracts it into `into`. Returns the jobs it lacks (an
/// error unless `keep_going`).
fn extract(
    zip: &Path,
    into: &Path,
    wanted: &[String],
    limits: archive::Limits,
    keep_going: bool,
    cancel: &AtomicBool,
    printer: &Printer,
) -> anyhow::Result<Vec<String>> {
    let listing =
        archive::inspect(zip, &limits).with_context(|| format!("checking {}", zip.display()))?;
    let jobs = listing.jobs();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|name| !jobs.contains_key(name.as_str()))
        .cloned()
        .collect();
    if !missing.is_empty() && !keep_going {
        return Err(ApiError::MissingFromArchive { jobs: missing }.into());
    }
    let outside = listing
        .entries
        .iter()
        .filter(|entry| !entry.is_dir && !entry.path.starts_with("jobs/"))
        .count();
    if outside > 0 {
        printer.warn(format!(
            "the archive holds {} outside jobs/<job>/, which no job's directory includes",
            output::plural(outside as u64, "file", "files")
        ));
    }
    let bar = printer.bytes_bar(listing.total_size, "extracting");
    let on_bytes = |n: u64| bar.inc(n);
    let options = ExtractOptions {
        force: false,
        cancel,
        on_bytes: &on_bytes,
    };
    let result = archive::extract(zip, &listing, into, &options)
        .context("extracting the exported archive into the staging directory");
    bar.finish();
    result?;
    Ok(missing)
}
