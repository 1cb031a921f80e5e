//! The steps of one import run over a set of archives: upload each, pre-flight
//! (check-file for every archive, then the target's jobs, both types), import
//! each and wait for its task, verify by reading the target back, clean up.
//!
//! Clean-up deletes exactly the objects this run uploaded: once their task
//! is terminal, or when the run stops before importing them. An object whose
//! task may still be reading it (a wait that timed out, Ctrl-C, an import
//! request whose fate is unknown) is kept and named. Each step records what
//! it did in a [`Ledger`]; clean-up does what the ledger says.

use anyhow::Context as _;

use super::ledger::{CleanUp, Ledger};
use super::source::Payload;
use super::verify::{self, JobResult, Listing};
use super::wait::{self, Waited};
use super::{ImportError, Options};
use crate::api::import::{FileInfo, ResourceStatus, SystemTask, TaskStatus};
use crate::api::{ApiError, Client};
use crate::model::JobType;
use crate::obs::{self, ObjectPath};
use crate::output::{self, Label, Printer};

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
    /// time); `None` for an object that is already in OBS (never deleted:
    /// this run did not stage it).
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

    /// What to say if the run is dropped now.
    fn arm(&mut self, text: String) {
        self.text = Some(text);
    }

    fn disarm(&mut self) {
        self.text = None;
    }
}

impl Drop for InterruptNotice {
    fn drop(&mut self) {
        if let Some(text) = self.text.take() {
            self.printer.labelled(Label::Warning, &text);
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

impl Importer<'_> {
    /// Uploads, pre-flights, imports, waits, verifies and cleans up
    /// `archives`, adding to `report`. However the steps end, clean-up
    /// does what the [`Ledger`] they kept says.
    pub async fn run(&self, mut archives: Vec<Staged>, report: &mut Report) -> anyhow::Result<()> {
        let mut ledger = Ledger::new(&archives);
        let done = self.steps(&mut archives, &mut ledger, report).await;
        // 6. Clean up.
        self.clean_up(&ledger, report).await;
        done
    }

    /// Steps 1 to 5, each recording in `ledger` what it did to the staged
    /// objects; the first failure stops the run.
    async fn steps(
        &self,
        archives: &mut [Staged],
        ledger: &mut Ledger,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        // Ctrl-C before any import leaves what was uploaded: say so.
        let mut notice = InterruptNotice::new(self.printer);
        // 1. Upload.
        let uploaded = self.upload(archives, ledger, &mut notice, report).await;
        // 2. Pre-flight.
        let before = match uploaded {
            Ok(()) => self.preflight(archives).await,
            Err(error) => Err(error),
        };
        notice.disarm();
        let before = before?;
        // 3. and 4. Import, wait.
        let mut tasks = Vec::with_capacity(archives.len());
        for (index, archive) in archives.iter().enumerate() {
            tasks.push(self.import_and_wait(index, archive, ledger, report).await?);
        }
        if self.options.no_wait {
            not_verified(archives, report);
            return Ok(());
        }
        // 5. Verify.
        self.verify(archives, &tasks, &before, report).await
    }

    /// Uploads the archives this run stages, re-arming `notice` with what is
    /// staged after each; the first failure stops, naming the archive.
    async fn upload(
        &self,
        archives: &[Staged],
        ledger: &mut Ledger,
        notice: &mut InterruptNotice,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        for (index, archive) in archives.iter().enumerate() {
            let Some(payload) = &archive.payload else {
                continue;
            };
            let obs = self.obs.ok_or(obs::ObsError::TokenCredentials)?;
            let size = output::size(payload.size());
            let bytes = payload
                .load()
                .await
                .with_context(|| format!("uploading {}", archive.label))?;
            let spinner = self
                .printer
                .spinner(format!("uploading {} ({size})…", archive.label));
            let stored = obs.put_object(&archive.object, bytes).await;
            spinner.finish();
            let stored = match stored {
                Ok(stored) => stored,
                Err(error) => {
                    // A mismatched ETag comes with an object stored all the
                    // same: clean-up deletes it.
                    if is_stored_anyway(&error) {
                        ledger.uploaded(index);
                    }
                    return Err(error.context(format!("uploading {}", archive.label)));
                }
            };
            report.request_id(stored.request_id);
            ledger.uploaded(index);
            notice.arm(format!(
                "stopped before importing; staged and not deleted: {}",
                ledger
                    .unread()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            self.printer.info(format!(
                "uploaded {} ({size}) to {}",
                archive.label, archive.object
            ));
        }
        Ok(())
    }

    /// check-file for every archive (stopping on resources the target lacks
    /// that no mapping covers), then the target's jobs.
    async fn preflight(&self, archives: &mut [Staged]) -> anyhow::Result<Listing> {
        let mut resources: Vec<ResourceStatus> = Vec::new();
        for archive in archives.iter_mut() {
            resources.extend(self.check_file(archive).await?.resources);
        }
        if let Some(warning) = self.options.preflight(&resources)? {
            self.printer.warn(warning);
        }
        target_jobs(self.dlf)
            .await
            .map_err(|error| error.context("listing the target's jobs"))
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

    /// Starts the import of archive `index` (its task id printed at once)
    /// and, unless the run does not wait, waits for the task to end: its
    /// final state, or `None` when not waited for.
    async fn import_and_wait(
        &self,
        index: usize,
        archive: &Staged,
        ledger: &mut Ledger,
        report: &mut Report,
    ) -> anyhow::Result<Option<SystemTask>> {
        let body = self.options.body(&archive.object.to_string());
        // Ctrl-C while the request is out: a task may have started, and its
        // id is not known yet.
        let mut notice = InterruptNotice::new(self.printer);
        let others: Vec<&ObjectPath> = ledger
            .unread()
            .into_iter()
            .filter(|object| **object != archive.object)
            .collect();
        notice.arm(starting_notice(archive, &others));
        let started = self.dlf.start_import(&body).await;
        notice.disarm();
        let started = match started {
            Ok(started) => started,
            Err(error) => {
                ledger.import_failed(index, is_refusal(&error));
                return Err(error.context(format!("importing {}", archive.object)));
            }
        };
        ledger.started(index);
        report.request_id(started.request_id);
        let task_id = started.task_id;
        self.printer.info(format!(
            "import task {task_id} started for {} ({})",
            archive.object,
            output::plural(archive.jobs.len() as u64, "job", "jobs")
        ));
        report.tasks.push(TaskReport {
            id: task_id.clone(),
            status: TaskStatus::Running.as_str().to_string(),
            staging_key: archive.object.to_string(),
            jobs: archive.jobs.clone(),
        });
        if self.options.no_wait {
            return Ok(None);
        }
        let waited = self
            .wait(&task_id, archive)
            .await
            .with_context(|| format!("waiting for import task {task_id}"))?;
        let status = waited.status();
        if let Some(entry) = report.tasks.last_mut() {
            entry.status = status.clone();
        }
        match waited {
            Waited::Ended(task) => {
                self.printer
                    .info(format!("import task {task_id} ended {}", task.status));
                ledger.ended(index);
                Ok(Some(task))
            }
            Waited::TimedOut { .. } => Err(ImportError::WaitTimeout {
                task_id,
                status,
                staging: Some(archive.object.to_string()),
                seconds: self.options.wait.timeout.as_secs(),
            }
            .into()),
        }
    }

    /// Waits for the task importing `archive`; Ctrl-C meanwhile prints the
    /// task id and what is kept.
    async fn wait(&self, task_id: &str, archive: &Staged) -> anyhow::Result<Waited> {
        let kept = match archive.payload {
            Some(_) => format!("the staged archive {}", archive.object),
            None => archive.object.to_string(),
        };
        let mut notice = InterruptNotice::new(self.printer);
        notice.arm(format!(
            "stopped while import task {task_id} runs; {kept} kept; `dataarts-jobs task {task_id} --wait` follows it"
        ));
        let waited = wait::wait_showing(
            self.dlf,
            task_id,
            self.options.wait,
            self.printer,
            "import task",
        )
        .await;
        notice.disarm();
        waited
    }

    /// Each job's outcome, from the target's jobs read back.
    async fn verify(
        &self,
        archives: &[Staged],
        tasks: &[Option<SystemTask>],
        before: &Listing,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        let after = target_jobs(self.dlf)
            .await
            .context("reading the target's jobs back")?;
        for (archive, task) in archives.iter().zip(tasks) {
            report.jobs.extend(verify::outcomes(
                &archive.jobs,
                before,
                &after,
                self.options.overwrite,
                task.as_ref(),
            ));
        }
        Ok(())
    }

    /// Deletes what `ledger` says no task can still read; names what it keeps.
    async fn clean_up(&self, ledger: &Ledger, report: &mut Report) {
        let CleanUp { delete, keep } = ledger.clean_up();
        self.delete(&delete, report).await;
        report.kept.extend(keep.iter().map(ToString::to_string));
    }

    /// Deletes `objects` (unless staging is kept); a failed deletion is a
    /// warning naming the object, never a failure of the import.
    async fn delete(&self, objects: &[ObjectPath], report: &mut Report) {
        if objects.is_empty() {
            return;
        }
        let Some(obs) = self.obs else {
            return;
        };
        if self.options.keep_staging {
            report.kept.extend(objects.iter().map(ToString::to_string));
            return;
        }
        for object in objects {
            match obs.delete_object(object).await {
                Ok(stored) => {
                    report.request_id(stored.request_id);
                    report.deleted.push(object.to_string());
                    self.printer.trace(1, format!("> deleted {object}"));
                }
                Err(error) => {
                    self.printer.warn(format!(
                        "could not delete the staged archive {object}: {error:#}"
                    ));
                    report.kept.push(object.to_string());
                }
            }
        }
    }
}

/// What Ctrl-C while the import request of `archive` is in flight leaves:
/// an import that may have started, with no task id to follow it by, and
/// `others`, uploaded and not yet imported.
fn starting_notice(archive: &Staged, others: &[&ObjectPath]) -> String {
    let object = &archive.object;
    let kept = match archive.payload {
        Some(_) => format!("the staged archive {object} is kept (a task may be reading it)"),
        None => format!("{object} stays in OBS"),
    };
    let also = match others {
        [] => String::new(),
        others => format!(
            "; also staged and not deleted: {}",
            others
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "stopped while requesting the import of {object}: the import may have started, \
         and its task id was not received; {kept}{also}; look for the import in the target \
         workspace (`dataarts-jobs list`, or its import tasks in DataArts Studio) \
         before importing again"
    )
}

/// The jobs of a run that did not wait: in the report, not verified.
fn not_verified(archives: &[Staged], report: &mut Report) {
    for archive in archives {
        for job in &archive.jobs {
            report.jobs.push(JobResult {
                name: job.clone(),
                outcome: None,
                message: Some("not verified: the run did not wait for the import".to_string()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(n: usize, ours: bool) -> Staged {
        Staged {
            object: ObjectPath::new("bkt", format!("run/{n}.zip")).expect("valid"),
            label: format!("archive {n}"),
            payload: ours.then(|| Payload::from_bytes(b"zip").expect("payload")),
            jobs: vec!["a".into()],
        }
    }

    #[test]
    fn ctrl_c_during_the_import_request_names_what_it_leaves() {
        let (first, second) = (staged(1, true), staged(2, true));
        let text = starting_notice(&first, &[&second.object]);
        assert!(text.contains("import of obs://bkt/run/1.zip: the import may have started"));
        assert!(text.contains("the staged archive obs://bkt/run/1.zip is kept"));
        assert!(text.contains("also staged and not deleted: obs://bkt/run/2.zip"));
        assert!(text.contains("task id was not received"));
        assert!(text.contains("dataarts-jobs list"));
        let in_obs = starting_notice(&staged(1, false), &[]);
        assert!(
            in_obs.contains("obs://bkt/run/1.zip stays in OBS"),
            "{in_obs}"
        );
        assert!(!in_obs.contains("also staged"), "{in_obs}");
    }

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
}
