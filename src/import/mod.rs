//! Importing jobs: what `import` and `migrate` share.
//!
//! - [`source`]: what is imported — a zip uploaded byte for byte, a
//!   `jobs/<job>/` tree packed into zips of at most [`MAX_ARCHIVE_BYTES`]
//!   (whole jobs per zip), or an object already in OBS; every archive passes
//!   the `unpack` safety rules before anything is uploaded;
//! - [`staging`]: where archives are staged (`<PREFIX><run-id>/<n>.zip`);
//! - [`pipeline`]: the steps — upload, pre-flight (check-file and the
//!   target's jobs), import, wait, verify by reading back, clean up;
//! - [`ledger`]: where each staged object stands, and what clean-up
//!   deletes and keeps however a run ends;
//! - [`wait`]: polling a system task with a growing interval;
//! - [`verify`]: each job's outcome from the target's listing.
//!
//! Errors state facts ([`ImportError`]); `exit.rs` maps them.

pub mod ledger;
pub mod pipeline;
pub mod source;
pub mod staging;
pub mod verify;
pub mod wait;

use std::collections::{BTreeMap, BTreeSet};

use crate::api::import::{
    is_replaceable, Approver, ImportBody, JobParams, ResourceMap, ResourceStatus, REPLACEABLE_TYPES,
};
use crate::output;
use crate::text::escape_controls;

pub use pipeline::{Importer, Report, TaskReport};
pub use verify::{JobResult, Outcome};

/// The most one import reads, packed or inflated (the documented limit).
pub const MAX_ARCHIVE_BYTES: u64 = 10 * 1024 * 1024;

/// What an import does with its archives, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `sameNamePolicy` OVERWRITE (else SKIP).
    pub overwrite: bool,
    pub params: Vec<(String, String)>,
    pub job_params: Vec<(String, String, String)>,
    /// `(TYPE, OLD, NEW)`.
    pub maps: Vec<(String, String, String)>,
    pub allow_missing: bool,
    /// `SAVED`, `SUBMITTED` or `PRODUCTION`.
    pub target_status: Option<String>,
    pub approvers: Vec<String>,
    pub execute_user: Option<String>,
    pub no_wait: bool,
    pub wait: wait::WaitOptions,
    pub keep_staging: bool,
}

impl Options {
    /// The import body for the archive at `path` holding `jobs`: every
    /// field the options give, the job parameters of those jobs only (all
    /// of them when the jobs are not known).
    pub fn body(&self, path: &str, jobs: &[String]) -> ImportBody {
        let mut jobs_param: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let carried = |job: &String| jobs.is_empty() || jobs.contains(job);
        for (job, key, value) in self.job_params.iter().filter(|(job, _, _)| carried(job)) {
            jobs_param
                .entry(job.clone())
                .or_default()
                .insert(key.clone(), value.clone());
        }
        ImportBody {
            path: path.to_string(),
            params: (!self.params.is_empty()).then(|| self.params.iter().cloned().collect()),
            same_name_policy: Some(self.policy().to_string()),
            jobs_param: (!jobs_param.is_empty()).then(|| {
                jobs_param
                    .into_iter()
                    .map(|(name, params)| JobParams { name, params })
                    .collect()
            }),
            execute_user: self.execute_user.clone(),
            target_status: self.target_status.clone(),
            approvers: (!self.approvers.is_empty()).then(|| {
                self.approvers
                    .iter()
                    .map(|name| Approver {
                        approver_name: name.clone(),
                    })
                    .collect()
            }),
            resources: (!self.maps.is_empty()).then(|| {
                self.maps
                    .iter()
                    .map(|(kind, old, new)| ResourceMap {
                        name: old.clone(),
                        kind: kind.clone(),
                        replace: new.clone(),
                    })
                    .collect()
            }),
        }
    }

    /// `SKIP` or `OVERWRITE`.
    pub fn policy(&self) -> &'static str {
        if self.overwrite {
            "OVERWRITE"
        } else {
            "SKIP"
        }
    }

    /// Refuses a mapping of a resource type the import cannot replace
    /// (checked before anything is read or sent).
    pub fn check_maps(&self) -> Result<(), ImportError> {
        match self.maps.iter().find(|(kind, _, _)| !is_replaceable(kind)) {
            Some((kind, _, _)) => Err(ImportError::NotReplaceable { kind: kind.clone() }),
            None => Ok(()),
        }
    }

    /// Refuses job parameters for a job that none of `jobs` (every job the
    /// run imports) is: they could only be a mistake. When the jobs are not
    /// known (check-file named none), nothing is refused.
    pub fn check_job_params<'j>(
        &self,
        jobs: impl IntoIterator<Item = &'j String>,
    ) -> Result<(), ImportError> {
        let jobs: BTreeSet<&String> = jobs.into_iter().collect();
        if jobs.is_empty() {
            return Ok(());
        }
        let mut absent: Vec<String> = Vec::new();
        for (job, _, _) in &self.job_params {
            if !jobs.contains(job) && !absent.contains(job) {
                absent.push(job.clone());
            }
        }
        match absent.is_empty() {
            true => Ok(()),
            false => Err(ImportError::ParamsForAbsentJobs {
                absent,
                jobs: jobs.into_iter().cloned().collect(),
            }),
        }
    }

    /// The pre-flight's verdict on the resources check-file reported for
    /// every archive of a run: refused when the target lacks one that no
    /// `--map` covers (unless `--allow-missing`: then a warning to show).
    /// A mapping that matches no reported resource (a typo, most likely)
    /// is warned about and sent as given. The run and its `--dry-run`
    /// decide here alike.
    pub fn preflight(&self, resources: &[ResourceStatus]) -> Result<Vec<String>, ImportError> {
        let mut warnings = Vec::new();
        for (kind, old, new) in &self.maps {
            if !resources.iter().any(|r| &r.kind == kind && &r.name == old) {
                let reported: BTreeSet<String> =
                    resources.iter().map(ResourceStatus::shown).collect();
                warnings.push(format!(
                    "the mapping {} matches no resource the jobs reference ({}); it is sent as given",
                    escape_controls(&format!("{kind}:{old}={new}")),
                    match reported.is_empty() {
                        true => "check-file reported none".to_string(),
                        false => format!(
                            "check-file reported {}",
                            reported.into_iter().collect::<Vec<_>>().join(", ")
                        ),
                    }
                ));
            }
        }
        let mut missing: Vec<ResourceStatus> = Vec::new();
        for resource in resources {
            if resource.is_missing() && !self.maps_resource(resource) && !missing.contains(resource)
            {
                missing.push(resource.clone());
            }
        }
        if missing.is_empty() {
            return Ok(warnings);
        }
        let error = ImportError::MissingResources { resources: missing };
        match self.allow_missing {
            true => {
                warnings.push(format!("{error}; importing anyway"));
                Ok(warnings)
            }
            false => Err(error),
        }
    }

    /// Whether a `--map` covers `resource`.
    pub fn maps_resource(&self, resource: &ResourceStatus) -> bool {
        self.maps
            .iter()
            .any(|(kind, old, _)| kind == &resource.kind && old == &resource.name)
    }
}

/// What a run that stopped while an import may still run leaves to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unfinished {
    /// The target workspace (to follow the task in, to list the jobs).
    pub workspace: Option<String>,
    /// The jobs of the archives the run did not import.
    pub not_imported: Vec<String>,
}

/// A failed job and why, for [`ImportError::Incomplete`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedJob {
    pub name: String,
    pub message: Option<String>,
}

/// Facts that stop or spoil an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {detail}")]
    Unreadable { path: String, detail: String },
    #[error("{path} holds no job to import: no jobs/<job>/ folder{}", if *zip { " and no jobs/<job>.job file" } else { "" })]
    NoJobs { path: String, zip: bool },
    #[error("{folder}/ holds no {name}.job: a job's folder holds its definition as <job>.job, as the batch export lays it out")]
    NoDefinition { folder: String, name: String },
    #[error("job `{name}` is {} with its files, more than the {} one import may read", output::size(*bytes), output::size(*limit))]
    JobTooLarge {
        name: String,
        bytes: u64,
        limit: u64,
    },
    #[error("{path} is {}, more than the {} one import may read", output::size(*bytes), output::size(*limit))]
    ArchiveTooLarge {
        path: String,
        bytes: u64,
        limit: u64,
    },
    #[error("{path} is a symbolic link or special file; only regular files are imported")]
    SpecialFile { path: String },
    #[error("a local archive is staged in OBS for the import, and no staging bucket was given")]
    NoBucket,
    #[error("invalid OBS bucket name {name:?}: {reason}")]
    BadBucket { name: String, reason: &'static str },
    #[error("invalid system task id {0:?}")]
    BadTaskId(String),
    #[error("the import cannot replace a resource of type {}: it replaces {}", escape_controls(kind), REPLACEABLE_TYPES.join(", "))]
    NotReplaceable { kind: String },
    #[error("parameters are given for {} the import does not carry: {} (its jobs: {})", if absent.len() == 1 { "a job" } else { "jobs" }, escape_controls(&absent.join(", ")), escape_controls(&output::name_list(jobs, 10)))]
    ParamsForAbsentJobs {
        absent: Vec<String>,
        jobs: Vec<String>,
    },
    #[error("the target workspace lacks {} the jobs reference: {}", if resources.len() == 1 { "a resource" } else { "resources" }, resources.iter().map(ResourceStatus::shown).collect::<Vec<_>>().join(", "))]
    MissingResources { resources: Vec<ResourceStatus> },
    #[error("import task {task_id} did not end within {seconds}s (last status {status}){}{}", staging.as_deref().map(|s| format!("; the staged archive {s} is kept, as the service may still be reading it")).unwrap_or_default(), later_jobs(&left.not_imported))]
    WaitTimeout {
        task_id: String,
        status: String,
        /// The object the task reads, when this run staged it.
        staging: Option<String>,
        seconds: u64,
        left: Box<Unfinished>,
    },
    /// The import request failed in a way that does not tell whether a
    /// task started (a 5xx, a timeout, an answer that could not be read).
    #[error("the import request for {object} failed without telling whether it started an import: the import may have started; {}{}", kept(object, *ours, "a task may be reading it"), later_jobs(&left.not_imported))]
    MayHaveStarted {
        object: String,
        /// Staged by this run (kept), else in OBS before it.
        ours: bool,
        left: Box<Unfinished>,
        #[source]
        source: anyhow::Error,
    },
    /// An import task started, and polling it failed: whether it ended,
    /// and how, is unknown.
    #[error("import task {task_id} started, but polling it failed, so it may still be running; {}{}", kept(object, *ours, "the task may still be reading it"), later_jobs(&left.not_imported))]
    WaitFailed {
        task_id: String,
        object: String,
        ours: bool,
        left: Box<Unfinished>,
        #[source]
        source: anyhow::Error,
    },
    #[error("system task {id} ended {status}")]
    TaskEnded { id: String, status: String },
    #[error("{}", incomplete_message(failed, *total, tasks))]
    Incomplete {
        failed: Vec<FailedJob>,
        total: usize,
        /// `(task id, status)` of tasks that did not end `SUCCESSFUL`.
        tasks: Vec<(String, String)>,
    },
    #[error(
        "source and target are the same workspace ({workspace} of project {project} at {endpoint})"
    )]
    SameWorkspace {
        workspace: String,
        project: String,
        endpoint: String,
    },
}

/// `the staged archive X is kept (why)`, or `X stays in OBS` for an object
/// the run did not stage.
fn kept(object: &str, ours: bool, why: &str) -> String {
    match ours {
        true => format!("the staged archive {object} is kept ({why})"),
        false => format!("{object} stays in OBS"),
    }
}

/// `; the jobs of the later archives were not imported: a, b` (or nothing).
fn later_jobs(jobs: &[String]) -> String {
    match jobs {
        [] => String::new(),
        jobs => format!(
            "; the jobs of the later archives were not imported: {}",
            output::name_list(jobs, 10)
        ),
    }
}

fn incomplete_message(failed: &[FailedJob], total: usize, tasks: &[(String, String)]) -> String {
    let mut text = if failed.is_empty() {
        format!("the import finished, but not cleanly ({total} jobs verified)")
    } else {
        let listed: Vec<String> = failed
            .iter()
            .take(10)
            .map(|job| match &job.message {
                Some(message) => format!("{} ({message})", job.name),
                None => job.name.clone(),
            })
            .collect();
        let more = failed
            .len()
            .checked_sub(10)
            .filter(|n| *n > 0)
            .map(|n| format!(" and {n} more"))
            .unwrap_or_default();
        format!(
            "the import finished, but {} of {total} {} not imported: {}{more}",
            failed.len(),
            if total == 1 { "job was" } else { "jobs were" },
            listed.join("; ")
        )
    };
    for (id, status) in tasks {
        text.push_str(&format!("; task {id} ended {status}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_carries_every_option_given_and_nothing_else() {
        let options = Options::default();
        assert_eq!(
            std::str::from_utf8(&options.body("obs://b/k", &[]).body()).expect("utf-8"),
            r#"{"path":"obs://b/k","sameNamePolicy":"SKIP"}"#
        );
        let options = Options {
            overwrite: true,
            params: vec![("p".into(), "v".into())],
            job_params: vec![
                ("a".into(), "x".into(), "1".into()),
                ("a".into(), "y".into(), "2".into()),
            ],
            maps: vec![("DWS_CONNECTION".into(), "old".into(), "new".into())],
            approvers: vec!["boss".into()],
            execute_user: Some("etl".into()),
            target_status: Some("SUBMITTED".into()),
            ..Options::default()
        };
        let body: serde_json::Value =
            serde_json::from_slice(&options.body("obs://b/k", &[]).body()).expect("json");
        assert_eq!(body["sameNamePolicy"], "OVERWRITE");
        assert_eq!(body["jobsParam"][0]["params"]["y"], "2");
        assert_eq!(body["resources"][0]["replace"], "new");
        assert_eq!(body["approvers"][0]["approverName"], "boss");
        // An archive that does not hold job `a` gets none of its parameters.
        let other: serde_json::Value =
            serde_json::from_slice(&options.body("obs://b/k", &["z".into()]).body()).expect("json");
        assert!(other.get("jobsParam").is_none(), "{other}");
        assert!(options.maps_resource(&ResourceStatus {
            name: "old".into(),
            kind: "DWS_CONNECTION".into(),
            status: Some(0)
        }));
    }

    #[test]
    fn the_preflight_refuses_unmapped_missing_resources_unless_allowed() {
        let resource = |name: &str, status| ResourceStatus {
            name: name.into(),
            kind: "DWS_CONNECTION".into(),
            status: Some(status),
        };
        let reported = [resource("a", 0), resource("b", 1), resource("a", 0)];
        let error = Options::default()
            .preflight(&reported)
            .expect_err("refused");
        assert!(
            matches!(&error, ImportError::MissingResources { resources } if resources.len() == 1),
            "{error}"
        );
        let mapped = Options {
            maps: vec![("DWS_CONNECTION".into(), "a".into(), "x".into())],
            ..Options::default()
        };
        assert_eq!(
            mapped.preflight(&reported).expect("passes"),
            Vec::<String>::new()
        );
        let allowed = Options {
            allow_missing: true,
            ..Options::default()
        };
        let warnings = allowed.preflight(&reported).expect("passes");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].ends_with("; importing anyway"), "{warnings:?}");
        let typo = Options {
            maps: vec![
                ("DWS_CONNECTION".into(), "a".into(), "x".into()),
                ("DWS_CONNECTION".into(), "c".into(), "y".into()),
            ],
            ..Options::default()
        };
        assert_eq!(
            typo.preflight(&reported).expect("passes"),
            [
                "the mapping DWS_CONNECTION:c=y matches no resource the jobs reference \
              (check-file reported DWS_CONNECTION a, DWS_CONNECTION b); it is sent as given"
            ]
        );
    }

    #[test]
    fn mappings_and_job_parameters_that_cannot_apply_are_refused() {
        let options = Options {
            maps: vec![("DLI_QUEUE".into(), "q".into(), "r".into())],
            job_params: vec![
                ("a".into(), "k".into(), "1".into()),
                ("b".into(), "k".into(), "1".into()),
                ("b".into(), "l".into(), "2".into()),
            ],
            ..Options::default()
        };
        assert_eq!(
            options.check_maps().expect_err("refused").to_string(),
            format!(
                "the import cannot replace a resource of type DLI_QUEUE: it replaces {}",
                crate::api::import::REPLACEABLE_TYPES.join(", ")
            )
        );
        let jobs = ["a".to_string(), "c".to_string()];
        assert_eq!(
            options
                .check_job_params(&jobs)
                .expect_err("refused")
                .to_string(),
            "parameters are given for a job the import does not carry: b (its jobs: a, c)"
        );
        assert!(options.check_job_params(&[]).is_ok(), "jobs not known");
        assert!(options
            .check_job_params(&["a".to_string(), "b".to_string()])
            .is_ok());
    }

    #[test]
    fn an_incomplete_import_names_the_failed_jobs() {
        let error = ImportError::Incomplete {
            failed: vec![FailedJob {
                name: "a".into(),
                message: Some("locked".into()),
            }],
            total: 3,
            tasks: vec![("t1".into(), "WARNING".into())],
        };
        assert_eq!(
            error.to_string(),
            "the import finished, but 1 of 3 jobs were not imported: a (locked); task t1 ended WARNING"
        );
    }
}
