//! The steps of one import run over a set of archives, in two phases:
//!
//! 1. [`Run::stage`]: upload each archive and pre-flight it (check-file);
//!    `migrate` stages every batch this way before importing any;
//! 2. [`Run::import`]: the pre-flight's verdict over every archive (a
//!    resource the target lacks stops the run before any import), the
//!    target's jobs (both types), then each archive imported in order and
//!    its task waited for, and the target read back to verify;
//!
//! then [`Run::finish`]: each job's result, and clean-up.
//!
//! Clean-up deletes exactly the objects this run uploaded: once their task
//! is terminal, or when the run stops before importing them. An object whose
//! task may still be reading it (a wait that timed out, Ctrl-C, an import
//! request whose fate is unknown) is kept and named. Each step records what
//! it did in a [`Ledger`]; clean-up does what the ledger says, and so does
//! the notice Ctrl-C prints (every object still staged, every task that may
//! run, every job not imported).
//!
//! A run that stops after an import was asked for still accounts for every
//! job: verified (the archives whose task ended are read back even then),
//! not verified (and why), or not imported.

use anyhow::Context as _;

use super::ledger::{CleanUp, Entry, Ledger, Stage};
use super::source::Payload;
use super::verify::{self, JobResult, Listing};
use super::wait::{self, Waited};
use super::{ImportError, Options, Unfinished};
use crate::api::import::{FileInfo, ResourceStatus, SystemTask, TaskStatus};
use crate::api::{ApiError, Client};
use crate::model::JobType;
use crate::obs::{self, ObjectPath};
use crate::output::{self, Printer};

/// Concurrent page requests when reading the target's jobs (before and after).
const READ_BACK_PARALLEL: usize = 4;

/// One archive of a run.
#[derive(Debug, Clone)]
pub struct Staged {
    /// Where the import reads it.
    pub object: ObjectPath,
    /// What it is, for people.
    pub label: String,
    /// The checked bytes to upload (read when uploaded, one archive at a
    /// time, and dropped once uploaded); `None` for an object that is
    /// already in OBS (never deleted: this run did not stage it).
    pub payload: Option<Payload>,
    /// Its jobs; empty until check-file tells, for an object in OBS.
    pub jobs: Vec<String>,
}

/// One import task, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskReport {
    pub id: String,
    /// The last status seen (`RUNNING` when the run did not wait).
    pub status: String,
    /// `obs://BUCKET/KEY` the task imports.
    pub staging_key: String,
    pub jobs: Vec<String>,
}

/// What a run did, accumulated over its archives (and `migrate`'s batches).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub jobs: Vec<JobResult>,
    pub tasks: Vec<TaskReport>,
    /// Request ids of the writes (uploads, imports, deletions).
    pub request_ids: Vec<String>,
    /// Staged objects deleted, and kept.
    pub deleted: Vec<String>,
    pub kept: Vec<String>,
    /// Whether any import was asked for: from then on, however the run
    /// ends, its summary is what was done.
    pub imports_sent: bool,
}

impl Report {
    /// Jobs that failed (with their messages) and tasks that did not end
    /// `SUCCESSFUL`; `None` when everything went as asked.
    pub fn incomplete(&self) -> Option<ImportError> {
        let failed: Vec<super::FailedJob> = self
            .jobs
            .iter()
            .filter(|job| job.outcome == Some(verify::Outcome::Failed))
            .map(|job| super::FailedJob {
                name: job.name.clone(),
                message: job.message.clone(),
            })
            .collect();
        let tasks: Vec<(String, String)> = self
            .tasks
            .iter()
            .filter(|task| task.status == "FAILED" || task.status == "WARNING")
            .map(|task| (task.id.clone(), task.status.clone()))
            .collect();
        (!failed.is_empty() || !tasks.is_empty()).then_some(ImportError::Incomplete {
            failed,
            total: self.jobs.len(),
            tasks,
        })
    }

    fn request_id(&mut self, id: Option<String>) {
        if let Some(id) = id {
            self.request_ids.push(id);
        }
    }
}

/// Runs imports into one target.
pub struct Importer<'a> {
    /// The target's DLF client (project and workspace).
    pub dlf: &'a Client,
    /// OBS, for runs that upload.
    pub obs: Option<&'a obs::Client>,
    pub options: &'a Options,
    pub printer: &'a Printer,
}

/// Prints, if dropped while armed (Ctrl-C drops the run's future), that the
/// run stopped and what it leaves behind.
struct InterruptNotice {
    printer: Printer,
    text: Option<String>,
}

impl InterruptNotice {
    /// A notice that says nothing until armed.
    fn new(printer: &Printer) -> Self {
        Self {
            printer: printer.clone(),
            text: None,
        }
    }

    /// What to say if the run is dropped now (`None`: nothing).
    fn set(&mut self, text: Option<String>) {
        self.text = text;
    }
}

impl Drop for InterruptNotice {
    fn drop(&mut self) {
        if let Some(text) = self.text.take() {
            self.printer.left_behind(&text);
        }
    }
}

/// Every job of the target (both types), by name, with its `lastUpdateTime`.
pub async fn target_jobs(client: &Client) -> anyhow::Result<Listing> {
    let mut listing = Listing::new();
    for (_, job) in client
        .list_all_jobs(&JobType::ALL, READ_BACK_PARALLEL, &|_, _| {})
        .await?
    {
        listing.insert(job.name, job.last_update_time);
    }
    Ok(listing)
}

/// Whether a failed upload left an object in OBS all the same (it was
/// stored, with an ETag that is not the MD5 of what was sent).
fn is_stored_anyway(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<obs::ObsError>()
        .is_some_and(|obs| matches!(obs, obs::ObsError::ETagMismatch { .. }))
}

/// Whether a failed import request surely started nothing: the service
/// refused it (4xx). Anything else may have started a task.
fn is_refusal(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<ApiError>()
        .is_some_and(|api| api.status().is_some_and(|s| (400..500).contains(&s)))
}

/// What a run is doing, for what Ctrl-C says.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Staging,
    Requesting(usize),
    Waiting(usize),
    Verifying,
    CleaningUp,
}

impl<'a> Importer<'a> {
    /// A run into this target, with nothing staged yet.
    pub fn start(&'a self) -> Run<'a> {
        Run {
            importer: self,
            archives: Vec::new(),
            ledger: Ledger::new(),
            resources: Vec::new(),
            results: Vec::new(),
            tasks: Vec::new(),
            notice: InterruptNotice::new(self.printer),
        }
    }

    /// Stages, imports, verifies and cleans up `archives`, adding to
    /// `report`. However the steps end, clean-up does what the [`Ledger`]
    /// they kept says.
    pub async fn run(&self, archives: Vec<Staged>, report: &mut Report) -> anyhow::Result<()> {
        let mut run = self.start();
        let done = match run.stage(archives, report).await {
            Ok(()) => run.import(report).await,
            Err(error) => Err(error),
        };
        run.finish(report, done).await
    }

    /// check-file for one archive; its jobs are taken from the answer when
    /// the run does not know them (an object already in OBS).
    pub async fn check_file(&self, archive: &mut Staged) -> anyhow::Result<FileInfo> {
        let info = self
            .dlf
            .check_file(&archive.object.to_string())
            .await
            .with_context(|| format!("checking {}", archive.object))?;
        if archive.jobs.is_empty() {
            archive.jobs = info.job_names();
        }
        Ok(info)
    }
}

/// One run of imports into one target: its archives as they are staged,
/// where each stands ([`Ledger`]), and what Ctrl-C would say.
pub struct Run<'a> {
    importer: &'a Importer<'a>,
    archives: Vec<Staged>,
    ledger: Ledger,
    /// Every resource check-file reported, over every archive.
    resources: Vec<ResourceStatus>,
    /// Each archive's jobs as read back, once verified.
    results: Vec<Option<Vec<JobResult>>>,
    /// Each archive's task as it ended.
    tasks: Vec<Option<SystemTask>>,
    notice: InterruptNotice,
}

impl Run<'_> {
    /// Uploads `archives` (one at a time) and checks each with check-file,
    /// adding them to the run. Nothing is imported yet.
    pub async fn stage(
        &mut self,
        archives: Vec<Staged>,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        for archive in archives {
            let index = self.ledger.add(&archive);
            self.archives.push(archive);
            self.results.push(None);
            self.tasks.push(None);
            self.upload(index, report).await?;
            self.check(index).await?;
        }
        Ok(())
    }

    /// Uploads archive `index` if this run stages it; its checked copy is
    /// dropped once read, so a run holds at most one in memory and keeps
    /// no file open for an archive that is in OBS.
    async fn upload(&mut self, index: usize, report: &mut Report) -> anyhow::Result<()> {
        let Some(payload) = self.archives[index].payload.take() else {
            return Ok(());
        };
        let obs = self.importer.obs.ok_or(obs::ObsError::TokenCredentials)?;
        let (label, object) = {
            let archive = &self.archives[index];
            (archive.label.clone(), archive.object.clone())
        };
        let size = output::size(payload.size());
        let bytes = payload
            .load()
            .await
            .with_context(|| format!("uploading {label}"))?;
        drop(payload);
        let spinner = self
            .importer
            .printer
            .spinner(format!("uploading {label} ({size})…"));
        let stored = obs.put_object(&object, bytes).await;
        spinner.finish();
        let stored = match stored {
            Ok(stored) => stored,
            Err(error) => {
                // A mismatched ETag comes with an object stored all the
                // same: clean-up deletes it.
                if is_stored_anyway(&error) {
                    self.ledger.uploaded(index);
                    self.rearm(Phase::Staging);
                }
                return Err(error.context(format!("uploading {label}")));
            }
        };
        report.request_id(stored.request_id);
        self.ledger.uploaded(index);
        self.rearm(Phase::Staging);
        self.importer
            .printer
            .info(format!("uploaded {label} ({size}) to {object}"));
        Ok(())
    }

    /// check-file for archive `index`: the resources it references, and
    /// its jobs when the run did not know them.
    async fn check(&mut self, index: usize) -> anyhow::Result<()> {
        let info = self.importer.check_file(&mut self.archives[index]).await?;
        self.ledger.set_jobs(index, &self.archives[index].jobs);
        self.resources.extend(info.resources);
        Ok(())
    }

    /// The pre-flight's verdict over every archive staged (a resource the
    /// target lacks, or job parameters for a job no archive holds, stop the
    /// run here, before any import), the target's jobs, then each archive
    /// imported in order and its task waited for, then the read-back. The first failure stops the run; what was
    /// imported before it is still read back.
    pub async fn import(&mut self, report: &mut Report) -> anyhow::Result<()> {
        let importer = self.importer;
        importer
            .options
            .check_job_params(self.archives.iter().flat_map(|archive| &archive.jobs))?;
        for warning in importer.options.preflight(&self.resources)? {
            importer.printer.warn(warning);
        }
        let before = target_jobs(importer.dlf)
            .await
            .map_err(|error| error.context("listing the target's jobs"))?;
        for index in 0..self.archives.len() {
            if let Err(error) = self.import_one(index, report).await {
                // What did end is still verified; the error says the rest.
                if self
                    .ledger
                    .entries()
                    .iter()
                    .any(|e| e.stage == Stage::Ended)
                {
                    if let Err(unread) = self.verify(&before).await {
                        importer.printer.warn(format!(
                            "the imports that ended could not be verified: {unread:#}"
                        ));
                    }
                }
                return Err(error);
            }
        }
        if importer.options.no_wait {
            return Ok(());
        }
        self.verify(&before).await
    }

    /// Starts the import of archive `index` (its task id printed at once)
    /// and, unless the run does not wait, waits for the task to end.
    async fn import_one(&mut self, index: usize, report: &mut Report) -> anyhow::Result<()> {
        let importer = self.importer;
        let (object, jobs) = {
            let archive = &self.archives[index];
            (archive.object.clone(), archive.jobs.clone())
        };
        let body = importer.options.body(&object.to_string(), &jobs);
        // Ctrl-C while the request is out: a task may have started, and its
        // id is not known yet.
        self.ledger.requesting(index);
        self.rearm(Phase::Requesting(index));
        let started = importer.dlf.start_import(&body).await;
        let started = match started {
            Ok(started) => started,
            Err(error) if is_refusal(&error) => {
                self.ledger.refused(index);
                self.rearm(Phase::Staging);
                return Err(error.context(format!("importing {object}")));
            }
            Err(error) => {
                self.ledger.uncertain(index);
                self.rearm(Phase::Staging);
                return Err(ImportError::MayHaveStarted {
                    object: object.to_string(),
                    ours: self.ours(index),
                    left: self.unfinished(),
                    source: error,
                }
                .into());
            }
        };
        let task_id = started.task_id;
        self.ledger.started(index, &task_id);
        report.request_id(started.request_id);
        importer.printer.info(format!(
            "import task {task_id} started for {object} ({})",
            output::plural(jobs.len() as u64, "job", "jobs")
        ));
        report.tasks.push(TaskReport {
            id: task_id.clone(),
            status: TaskStatus::Running.as_str().to_string(),
            staging_key: object.to_string(),
            jobs,
        });
        if importer.options.no_wait {
            self.rearm(Phase::Staging);
            return Ok(());
        }
        self.rearm(Phase::Waiting(index));
        let waited = wait::wait_showing(
            importer.dlf,
            &task_id,
            importer.options.wait,
            importer.printer,
            "import task",
        )
        .await;
        let waited = match waited {
            Ok(waited) => waited,
            Err(error) => {
                self.rearm(Phase::Staging);
                return Err(ImportError::WaitFailed {
                    task_id,
                    object: object.to_string(),
                    ours: self.ours(index),
                    left: self.unfinished(),
                    source: error,
                }
                .into());
            }
        };
        let status = waited.status();
        if let Some(entry) = report.tasks.last_mut() {
            entry.status = status.clone();
        }
        match waited {
            Waited::Ended(task) => {
                importer
                    .printer
                    .info(format!("import task {task_id} ended {}", task.status));
                self.ledger.ended(index);
                self.rearm(Phase::Staging);
                self.tasks[index] = Some(task);
                Ok(())
            }
            Waited::TimedOut { .. } => {
                self.rearm(Phase::Staging);
                Err(ImportError::WaitTimeout {
                    task_id,
                    status,
                    staging: self.ours(index).then(|| object.to_string()),
                    seconds: importer.options.wait.timeout.as_secs(),
                    left: self.unfinished(),
                }
                .into())
            }
        }
    }

    /// Each job's outcome, from the target's jobs read back, for every
    /// archive whose task ended and that is not verified yet.
    async fn verify(&mut self, before: &Listing) -> anyhow::Result<()> {
        self.rearm(Phase::Verifying);
        let after = target_jobs(self.importer.dlf)
            .await
            .context("reading the target's jobs back");
        self.rearm(Phase::Staging);
        let after = after?;
        for (index, archive) in self.archives.iter().enumerate() {
            let ended = self
                .ledger
                .entry(index)
                .is_some_and(|entry| entry.stage == Stage::Ended);
            if ended && self.results[index].is_none() {
                self.results[index] = Some(verify::outcomes(
                    &archive.jobs,
                    before,
                    &after,
                    self.importer.options.overwrite,
                    self.tasks[index].as_ref(),
                ));
            }
        }
        Ok(())
    }

    /// Ends the run however `done` ended it: every job of every archive in
    /// `report` (verified, or why not), then clean-up. Returns `done`.
    pub async fn finish(
        mut self,
        report: &mut Report,
        done: anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let no_wait = self.importer.options.no_wait;
        for (index, result) in self.results.iter_mut().enumerate() {
            match (result.take(), self.ledger.entry(index)) {
                (Some(results), _) => report.jobs.extend(results),
                (None, Some(entry)) => report.jobs.extend(unfinished(entry, no_wait)),
                (None, None) => {}
            }
        }
        report.imports_sent |= self.ledger.imports_requested();
        // 6. Clean up.
        self.clean_up(report).await;
        self.notice.set(None);
        done
    }

    /// Deletes what the ledger says no task can still read; names what it
    /// keeps.
    async fn clean_up(&mut self, report: &mut Report) {
        let CleanUp { delete, keep } = self.ledger.clean_up();
        let object = |ledger: &Ledger, index: usize| {
            ledger
                .entry(index)
                .map(|entry| entry.object.clone())
                .into_iter()
        };
        let keep: Vec<ObjectPath> = keep
            .iter()
            .flat_map(|index| object(&self.ledger, *index))
            .collect();
        report.kept.extend(keep.iter().map(ToString::to_string));
        let Some(obs) = self.importer.obs else {
            return;
        };
        if self.options().keep_staging {
            report.kept.extend(
                delete
                    .iter()
                    .flat_map(|index| object(&self.ledger, *index))
                    .map(|object| object.to_string()),
            );
            return;
        }
        for index in delete {
            let Some(object) = object(&self.ledger, index).next() else {
                continue;
            };
            self.rearm(Phase::CleaningUp);
            match obs.delete_object(&object).await {
                Ok(stored) => {
                    report.request_id(stored.request_id);
                    report.deleted.push(object.to_string());
                    self.ledger.deleted(index);
                    self.importer
                        .printer
                        .trace(1, format!("> deleted {object}"));
                }
                Err(error) => {
                    self.importer.printer.warn(format!(
                        "could not delete the staged archive {object}: {error:#}"
                    ));
                    report.kept.push(object.to_string());
                }
            }
        }
    }

    fn options(&self) -> &Options {
        self.importer.options
    }

    /// Whether this run staged archive `index`.
    fn ours(&self, index: usize) -> bool {
        self.ledger.entry(index).is_some_and(|entry| entry.ours)
    }

    /// What the run leaves to do if it stops now.
    fn unfinished(&self) -> Box<Unfinished> {
        Box::new(Unfinished {
            workspace: self.importer.dlf.workspace().map(str::to_string),
            not_imported: self.ledger.not_imported(),
        })
    }

    /// What Ctrl-C says from now on, while the run is in `phase`.
    fn rearm(&mut self, phase: Phase) {
        let object = |index: usize| {
            self.ledger
                .entry(index)
                .map(|entry| entry.object.to_string())
                .unwrap_or_default()
        };
        let lead = match phase {
            Phase::Staging if self.ledger.imports_requested() => "stopped".to_string(),
            Phase::Staging => "stopped before importing".to_string(),
            Phase::Requesting(index) => format!(
                "stopped while requesting the import of {}: the import may have started, \
                 and its task id was not received",
                object(index)
            ),
            Phase::Waiting(index) => format!(
                "stopped while import task {} runs",
                self.ledger
                    .entry(index)
                    .and_then(|entry| entry.task_id.clone())
                    .unwrap_or_default()
            ),
            Phase::Verifying => "stopped while reading the target back".to_string(),
            Phase::CleaningUp => "stopped while deleting the staged archives".to_string(),
        };
        let workspace = self.importer.dlf.workspace();
        let text = self.ledger.notice(&lead, workspace);
        self.notice.set(text);
    }
}

/// The results of the jobs of an archive the run did not verify: why not,
/// from where the archive stands.
fn unfinished(entry: &Entry, no_wait: bool) -> Vec<JobResult> {
    let result = |name: &String| match entry.stage {
        Stage::Local | Stage::Staged if entry.requested => {
            JobResult::not_imported(name, "its import request was refused")
        }
        Stage::Local | Stage::Staged | Stage::Deleted => {
            JobResult::not_imported(name, "the run stopped before importing its archive")
        }
        Stage::Requesting | Stage::Uncertain => JobResult::not_verified(
            name,
            "the import request failed, and the import may have started",
        ),
        Stage::Running if no_wait => {
            JobResult::not_verified(name, "the run did not wait for the import")
        }
        Stage::Running => {
            JobResult::not_verified(name, "its import task had not ended when the run stopped")
        }
        Stage::Ended => JobResult::not_verified(name, "the target could not be read back"),
    };
    entry.jobs.iter().map(result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refused_import_request_surely_started_nothing() {
        let refused = |status| is_refusal(&ApiError::with_status(status).into());
        assert!(refused(400));
        assert!(refused(429));
        assert!(!refused(500));
        assert!(!refused(503));
        assert!(!is_refusal(&anyhow::anyhow!("connection reset")));
        let wrapped = anyhow::Error::new(ApiError::with_status(404)).context("importing x");
        assert!(is_refusal(&wrapped));
    }

    #[test]
    fn every_job_of_an_unverified_archive_says_why() {
        let mut ledger = Ledger::new();
        let staged = |n: usize| Staged {
            object: ObjectPath::new("bkt", format!("run/{n}.zip")).expect("valid"),
            label: format!("archive {n}"),
            payload: Some(Payload::from_bytes(b"zip").expect("payload")),
            jobs: vec![format!("a{n}"), format!("b{n}")],
        };
        for n in 1..=4 {
            ledger.add(&staged(n));
            ledger.uploaded(n - 1);
        }
        ledger.requesting(0);
        ledger.started(0, "t");
        ledger.requesting(1);
        ledger.uncertain(1);
        ledger.requesting(2);
        ledger.refused(2);
        let shown = |index: usize, no_wait: bool| -> Vec<(String, bool)> {
            unfinished(ledger.entry(index).expect("entry"), no_wait)
                .into_iter()
                .map(|job| (job.message.unwrap_or_default(), job.not_imported))
                .collect()
        };
        assert_eq!(
            shown(0, true)[0],
            (
                "not verified: the run did not wait for the import".to_string(),
                false
            )
        );
        assert_eq!(
            shown(0, false)[0].0,
            "not verified: its import task had not ended when the run stopped"
        );
        assert!(shown(1, false)[1].0.contains("may have started"));
        assert_eq!(
            shown(2, false)[0],
            (
                "not imported: its import request was refused".to_string(),
                true
            )
        );
        assert_eq!(
            shown(3, false),
            vec![
                (
                    "not imported: the run stopped before importing its archive".to_string(),
                    true
                );
                2
            ]
        );
    }
}
