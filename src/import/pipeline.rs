//! The steps of one import run over a set of archives: upload each, pre-flight
//! (check-file for every archive, then the target's jobs, both types), import
//! each and wait for its task, verify by reading the target back, clean up.
//!
//! Clean-up deletes exactly the objects this run uploaded: once their task
//! is terminal, or when the run stops before importing them. An object whose
//! task may still be reading it (a wait that timed out, Ctrl-C, an import
//! request whose fate is unknown) is kept and named.

use std::time::Duration;

use bytes::Bytes;

use super::verify::{self, JobResult, Listing};
use super::wait::{self, Waited};
use super::{ImportError, Options};
use crate::api::import::{ResourceStatus, SystemTask, TaskStatus};
use crate::api::{ApiError, Client};
use crate::model::JobType;
use crate::obs::{self, ObjectPath};
use crate::output::{self, Label, Printer};

/// One archive of a run.
#[derive(Debug, Clone)]
pub struct Staged {
    /// Where the import reads it.
    pub object: ObjectPath,
    /// What it is, for people.
    pub label: String,
    /// The bytes to upload; `None` for an object that is already in OBS
    /// (never deleted: this run did not stage it).
    pub bytes: Option<Bytes>,
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

/// Prints, if dropped before it is disarmed (Ctrl-C drops the run's future),
/// that the task may still run and what was kept.
struct InterruptNotice {
    printer: Printer,
    text: Option<String>,
}

impl InterruptNotice {
    fn disarm(mut self) {
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
    for job_type in JobType::ALL {
        for job in client.list_jobs(job_type, &|_, _| {}).await? {
            listing.insert(job.name, job.last_update_time);
        }
    }
    Ok(listing)
}

impl Importer<'_> {
    /// Uploads, pre-flights, imports, waits, verifies and cleans up
    /// `archives`, adding to `report`.
    pub async fn run(&self, mut archives: Vec<Staged>, report: &mut Report) -> anyhow::Result<()> {
        let mut owned: Vec<ObjectPath> = Vec::new();
        // Ctrl-C before any import leaves what was uploaded: say so.
        let mut staged_notice: Option<InterruptNotice> = None;
        // 1. Upload.
        for archive in &archives {
            let Some(bytes) = &archive.bytes else {
                continue;
            };
            let obs = self.obs.ok_or(obs::ObsError::TokenCredentials)?;
            let spinner = self.printer.spinner(format!(
                "uploading {} ({})…",
                archive.label,
                output::size(bytes.len() as u64)
            ));
            let stored = obs.put_object(&archive.object, bytes.clone()).await;
            spinner.finish();
            match stored {
                Ok(stored) => {
                    report.request_id(stored.request_id);
                    owned.push(archive.object.clone());
                    if let Some(previous) = staged_notice.take() {
                        previous.disarm();
                    }
                    staged_notice = Some(InterruptNotice {
                        printer: self.printer.clone(),
                        text: Some(format!(
                            "stopped before importing; staged and not deleted: {}",
                            owned
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    });
                    self.printer.info(format!(
                        "uploaded {} ({}) to {}",
                        archive.label,
                        output::size(bytes.len() as u64),
                        archive.object
                    ));
                }
                Err(error) => {
                    if let Some(notice) = staged_notice.take() {
                        notice.disarm();
                    }
                    self.clean_up(&owned, report).await;
                    return Err(error.context(format!("uploading {}", archive.label)));
                }
            }
        }
        // 2. Pre-flight.
        let before = match self.preflight(&mut archives).await {
            Ok(before) => before,
            Err(error) => {
                if let Some(notice) = staged_notice.take() {
                    notice.disarm();
                }
                self.clean_up(&owned, report).await;
                return Err(error);
            }
        };
        if let Some(notice) = staged_notice.take() {
            notice.disarm();
        }
        // 3. and 4. Import, wait.
        let mut tasks: Vec<Option<SystemTask>> = Vec::new();
        for (index, archive) in archives.iter().enumerate() {
            let ours = archive.bytes.is_some();
            let body = self.options.body(&archive.object.to_string());
            let started = match self.dlf.start_import(&body).await {
                Ok(started) => started,
                Err(error) => {
                    // A refused request started nothing; anything else may have.
                    let refused = error
                        .downcast_ref::<ApiError>()
                        .is_some_and(|api| api.status().is_some_and(|s| (400..500).contains(&s)));
                    let (free, kept): (Vec<ObjectPath>, Vec<ObjectPath>) = if refused {
                        (
                            archives[index..]
                                .iter()
                                .filter(|a| a.bytes.is_some())
                                .map(|a| a.object.clone())
                                .collect(),
                            Vec::new(),
                        )
                    } else {
                        (
                            archives[index + 1..]
                                .iter()
                                .filter(|a| a.bytes.is_some())
                                .map(|a| a.object.clone())
                                .collect(),
                            ours.then(|| archive.object.clone()).into_iter().collect(),
                        )
                    };
                    self.clean_up(&free, report).await;
                    self.keep(&kept, report);
                    return Err(error.context(format!("importing {}", archive.object)));
                }
            };
            report.request_id(started.request_id.clone());
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
                tasks.push(None);
                continue;
            }
            let notice = InterruptNotice {
                printer: self.printer.clone(),
                text: Some(format!(
                    "stopped while import task {task_id} runs; {} kept; `dataarts-jobs task {task_id} --wait` follows it",
                    if ours { format!("the staged archive {}", archive.object) } else { format!("{}", archive.object) }
                )),
            };
            let waited = self.wait(&task_id).await;
            notice.disarm();
            let waited = match waited {
                Ok(waited) => waited,
                Err(error) => {
                    let later: Vec<ObjectPath> = archives[index + 1..]
                        .iter()
                        .filter(|a| a.bytes.is_some())
                        .map(|a| a.object.clone())
                        .collect();
                    let done = self.finished_objects(&archives[..index], &tasks);
                    self.clean_up(&[done, later].concat(), report).await;
                    self.keep(
                        &ours
                            .then(|| archive.object.clone())
                            .into_iter()
                            .collect::<Vec<_>>(),
                        report,
                    );
                    return Err(error.context(format!("waiting for import task {task_id}")));
                }
            };
            match waited {
                Waited::Ended(task) => {
                    if let Some(entry) = report.tasks.last_mut() {
                        entry.status = task.status.as_str().to_string();
                    }
                    self.printer
                        .info(format!("import task {task_id} ended {}", task.status));
                    tasks.push(Some(task));
                }
                Waited::TimedOut { last } => {
                    let status = last
                        .as_ref()
                        .map_or_else(|| "unknown".to_string(), |t| t.status.as_str().to_string());
                    if let Some(entry) = report.tasks.last_mut() {
                        entry.status = status.clone();
                    }
                    let later: Vec<ObjectPath> = archives[index + 1..]
                        .iter()
                        .filter(|a| a.bytes.is_some())
                        .map(|a| a.object.clone())
                        .collect();
                    let done = self.finished_objects(&archives[..index], &tasks);
                    self.clean_up(&[done, later].concat(), report).await;
                    self.keep(
                        &ours
                            .then(|| archive.object.clone())
                            .into_iter()
                            .collect::<Vec<_>>(),
                        report,
                    );
                    return Err(ImportError::WaitTimeout {
                        task_id,
                        status,
                        staging: Some(archive.object.to_string()),
                        seconds: self.options.wait.timeout.as_secs(),
                    }
                    .into());
                }
            }
        }
        if self.options.no_wait {
            for archive in &archives {
                for job in &archive.jobs {
                    report.jobs.push(JobResult {
                        name: job.clone(),
                        outcome: None,
                        message: Some(
                            "not verified: the run did not wait for the import".to_string(),
                        ),
                    });
                }
            }
            self.keep(&owned, report);
            return Ok(());
        }
        // 5. Verify.
        let after = match target_jobs(self.dlf).await {
            Ok(after) => after,
            Err(error) => {
                self.clean_up(&owned, report).await;
                return Err(error.context("reading the target's jobs back"));
            }
        };
        for (archive, task) in archives.iter().zip(&tasks) {
            report.jobs.extend(verify::outcomes(
                &archive.jobs,
                &before,
                &after,
                self.options.overwrite,
                task.as_ref(),
            ));
        }
        // 6. Clean up.
        self.clean_up(&owned, report).await;
        Ok(())
    }

    /// check-file for every archive (stopping on resources the target lacks
    /// that no mapping covers), then the target's jobs.
    async fn preflight(&self, archives: &mut [Staged]) -> anyhow::Result<Listing> {
        let mut missing: Vec<ResourceStatus> = Vec::new();
        for archive in archives.iter_mut() {
            let info = self
                .dlf
                .check_file(&archive.object.to_string())
                .await
                .map_err(|error| error.context(format!("checking {}", archive.object)))?;
            if archive.jobs.is_empty() {
                archive.jobs = info.job_names();
            }
            for resource in info.resources {
                if resource.is_missing()
                    && !self.options.maps_resource(&resource)
                    && !missing.contains(&resource)
                {
                    missing.push(resource);
                }
            }
        }
        if !missing.is_empty() {
            let error = ImportError::MissingResources { resources: missing };
            if !self.options.allow_missing {
                return Err(error.into());
            }
            self.printer.warn(format!("{error}; importing anyway"));
        }
        target_jobs(self.dlf)
            .await
            .map_err(|error| error.context("listing the target's jobs"))
    }

    async fn wait(&self, task_id: &str) -> anyhow::Result<Waited> {
        let spinner = self
            .printer
            .spinner(format!("waiting for import task {task_id}…"));
        let seen = |task: &SystemTask, elapsed: Duration| {
            spinner.set_message(format!(
                "waiting for import task {task_id}… {} ({}s)",
                task.status,
                elapsed.as_secs()
            ));
        };
        let waited = wait::wait(self.dlf, task_id, self.options.wait, self.printer, &seen).await;
        spinner.finish();
        waited
    }

    /// The objects of `archives` whose task has ended (the ones before the current).
    fn finished_objects(
        &self,
        archives: &[Staged],
        tasks: &[Option<SystemTask>],
    ) -> Vec<ObjectPath> {
        archives
            .iter()
            .zip(tasks)
            .filter(|(archive, task)| archive.bytes.is_some() && task.is_some())
            .map(|(archive, _)| archive.object.clone())
            .collect()
    }

    fn keep(&self, objects: &[ObjectPath], report: &mut Report) {
        report.kept.extend(objects.iter().map(ToString::to_string));
    }

    /// Deletes `objects` (unless staging is kept); a failed deletion is a
    /// warning naming the object, never a failure of the import.
    async fn clean_up(&self, objects: &[ObjectPath], report: &mut Report) {
        if objects.is_empty() {
            return;
        }
        let Some(obs) = self.obs else {
            return;
        };
        if self.options.keep_staging {
            self.keep(objects, report);
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
