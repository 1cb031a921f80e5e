//! The import side of DLF (api-notes §a4, import-notes §m2): the pre-flight
//! `POST /v1/{project_id}/jobs/check-file`, the import `POST
//! /v1/{project_id}/jobs/import` (not idempotent: sent once, repeated only
//! when the request surely never reached the service), and the system task
//! `GET /v1/{project_id}/system-tasks/{task_id}`.

use std::collections::BTreeMap;

use bytes::Bytes;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{ApiError, Client};
use crate::http::{FailureKind, Prepared};

/// The import request body (dgc `ImportFileReq`); absent fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportBody {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_name_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs_param: Option<Vec<JobParams>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execute_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvers: Option<Vec<Approver>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ResourceMap>>,
}

impl ImportBody {
    /// The exact bytes that are signed and sent.
    pub fn body(&self) -> Bytes {
        // Serialising strings, maps and lists cannot fail.
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// One job's parameter values (`jobsParam` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobParams {
    pub name: String,
    pub params: BTreeMap<String, String>,
}

/// `approvers` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approver {
    pub approver_name: String,
}

/// The resource types the import can replace (`resources[].type`, the
/// "Importing a Job" API page). check-file also reports types outside this
/// list (`DLI_QUEUE`, `DLI_CONNECTION`, `DWS_CLUSTER`): those must exist in
/// the target.
pub const REPLACEABLE_TYPES: [&str; 9] = [
    "DWS_CONNECTION",
    "CDM_CLUSTER",
    "MRS_CLUSTER",
    "MRS_HIVE_CONNECTION",
    "MRS_SPARK_CONNECTION",
    "GES_GRAPH",
    "ROMA_INSTANCE",
    "TICS_INSTANCE",
    "DRS_TASK",
];

/// Whether the import can replace a resource of `kind` (`--map`).
pub fn is_replaceable(kind: &str) -> bool {
    REPLACEABLE_TYPES.contains(&kind)
}

/// `resources` entry: replace the resource `name` of `type` with `replace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceMap {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub replace: String,
}

/// check-file's answer: what the archive holds, and the resources it
/// references with whether the target has them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FileInfo {
    #[serde(default)]
    pub jobs: Vec<FileJob>,
    #[serde(default)]
    pub scripts: Vec<serde_json::Value>,
    #[serde(default)]
    pub resources: Vec<ResourceStatus>,
}

impl FileInfo {
    /// The names of the jobs the archive holds, in check-file's order
    /// (entries without a name left out).
    pub fn job_names(&self) -> Vec<String> {
        self.jobs
            .iter()
            .filter_map(|job| job.name.clone())
            .collect()
    }
}

/// A job check-file lists (`{"name", "path", "params"}`). Read leniently:
/// an entry that is not an object, or whose `name` is not a string, has no
/// name rather than failing the whole pre-flight.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "serde_json::Value")]
pub struct FileJob {
    pub name: Option<String>,
}

impl From<serde_json::Value> for FileJob {
    fn from(entry: serde_json::Value) -> Self {
        Self {
            name: entry
                .get("name")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string),
        }
    }
}

/// A resource check-file found referenced.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ResourceStatus {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    /// 0: absent in the target, 1: present.
    #[serde(default)]
    pub status: Option<i64>,
}

impl ResourceStatus {
    pub fn is_missing(&self) -> bool {
        self.status == Some(0)
    }

    /// `TYPE NAME`, safe to show (server text: controls escaped).
    pub fn shown(&self) -> String {
        format!(
            "{} {}",
            crate::text::escape_controls(&self.kind),
            crate::text::escape_controls(&self.name)
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Started {
    task_id: String,
}

/// A system task's status. `WARNING` is in the SDK's enum only (partial
/// success: some subtasks failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStatus {
    Running,
    Successful,
    Failed,
    Warning,
    /// Anything else the server says, treated as still running.
    Other(String),
}

impl TaskStatus {
    pub fn parse(text: &str) -> Self {
        match text {
            "RUNNING" => TaskStatus::Running,
            "SUCCESSFUL" => TaskStatus::Successful,
            "FAILED" => TaskStatus::Failed,
            "WARNING" => TaskStatus::Warning,
            other => TaskStatus::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            TaskStatus::Running => "RUNNING",
            TaskStatus::Successful => "SUCCESSFUL",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Warning => "WARNING",
            TaskStatus::Other(other) => other,
        }
    }

    /// `SUCCESSFUL`, `FAILED` or `WARNING`: the task will not change again.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskStatus::Successful | TaskStatus::Failed | TaskStatus::Warning
        )
    }
}

impl std::fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subtask of a system task (one per imported job, named by a localised sentence).
#[derive(Debug, Clone, PartialEq)]
pub struct SubTask {
    pub id: Option<String>,
    pub name: String,
    pub status: TaskStatus,
    pub message: Option<String>,
}

/// A system task, typed, and the object exactly as it came (for `--json`).
#[derive(Debug, Clone, PartialEq)]
pub struct SystemTask {
    pub id: String,
    pub name: Option<String>,
    pub status: TaskStatus,
    pub message: Option<String>,
    /// Epoch milliseconds.
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub subtasks: Vec<SubTask>,
    pub raw: serde_json::Value,
}

impl SystemTask {
    /// Reads a task object; `None` when it has no string `status`.
    pub fn from_value(raw: serde_json::Value) -> Option<Self> {
        let text = |value: &serde_json::Value, key: &str| {
            value.get(key).and_then(|v| v.as_str()).map(str::to_string)
        };
        let status = TaskStatus::parse(&text(&raw, "status")?);
        let subtasks = raw
            .get("subtasks")
            .and_then(|v| v.as_array())
            .map(|list| {
                list.iter()
                    .map(|sub| SubTask {
                        id: text(sub, "id"),
                        name: text(sub, "name").unwrap_or_default(),
                        status: TaskStatus::parse(&text(sub, "status").unwrap_or_default()),
                        message: text(sub, "message").filter(|m| !m.is_empty()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            id: text(&raw, "id").unwrap_or_default(),
            name: text(&raw, "name"),
            status,
            message: text(&raw, "message").filter(|m| !m.is_empty()),
            start_time: raw.get("startTime").and_then(serde_json::Value::as_i64),
            end_time: raw.get("endTime").and_then(serde_json::Value::as_i64),
            subtasks,
            raw,
        })
    }
}

/// A started import: the task id and the request id of the POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportStarted {
    pub task_id: String,
    pub request_id: Option<String>,
}

/// A system task id goes into the URL path: letters, digits, `-` and `_`.
pub fn is_valid_task_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Client {
    pub fn prepare_check_file(&self, path: &str) -> Prepared {
        let body = serde_json::json!({ "path": path }).to_string();
        self.prepare_project(
            Method::POST,
            "/jobs/check-file",
            &[],
            Some(Bytes::from(body)),
        )
    }

    /// The pre-flight: what the archive at `path` holds and references. It
    /// reads only, so transient failures are retried.
    pub async fn check_file(&self, path: &str) -> anyhow::Result<FileInfo> {
        self.call_json(|| self.prepare_check_file(path)).await
    }

    pub fn prepare_import(&self, body: &ImportBody) -> Prepared {
        self.prepare_project(Method::POST, "/jobs/import", &[], Some(body.body()))
    }

    /// Starts an import. Not idempotent: a failure is retried only when the
    /// request surely never reached the service (no connection was made, or
    /// the gateway throttled it); anything else is reported as it is.
    pub async fn start_import(&self, body: &ImportBody) -> anyhow::Result<ImportStarted> {
        let mut attempts = self.transport().attempts();
        loop {
            let prepared = self.prepare_import(body);
            match self
                .call_json_once_with_id::<Started>(&prepared, attempts.number())
                .await
            {
                Ok((started, _)) if !is_valid_task_id(&started.task_id) => {
                    return Err(ApiError::BadResponse {
                        url: prepared.url.to_string(),
                        detail: format!(
                            "the import started a task whose id is not valid: `{}`",
                            self.transport().sanitize(&prepared, &started.task_id)
                        ),
                    }
                    .into())
                }
                Ok((started, request_id)) => {
                    return Ok(ImportStarted {
                        task_id: started.task_id,
                        request_id,
                    })
                }
                Err(error) if never_arrived(&error) => attempts.after_failure(error).await?,
                Err(error) => return Err(error.into()),
            }
        }
    }

    pub fn prepare_task(&self, task_id: &str) -> Prepared {
        self.prepare_project(Method::GET, &format!("/system-tasks/{task_id}"), &[], None)
    }

    /// A system task, retrying transient failures (a read).
    pub async fn get_task(&self, task_id: &str) -> anyhow::Result<SystemTask> {
        let prepared = self.prepare_task(task_id);
        let raw: serde_json::Value = self.call_json(|| self.prepare_task(task_id)).await?;
        Ok(self
            .read_task(&prepared, raw)
            .ok_or_else(|| no_status(&prepared))?)
    }

    /// One read of a system task (the waiting loop decides about retries).
    pub async fn get_task_once(&self, task_id: &str, attempt: u32) -> Result<SystemTask, ApiError> {
        let prepared = self.prepare_task(task_id);
        let raw: serde_json::Value = self.call_json_once(&prepared, attempt).await?;
        self.read_task(&prepared, raw)
            .ok_or_else(|| no_status(&prepared))
    }

    /// A task object as it came, made safe to show: its texts (names,
    /// messages) sanitised, and our secrets redacted from the raw object.
    /// `None` when it has no status.
    fn read_task(&self, prepared: &Prepared, raw: serde_json::Value) -> Option<SystemTask> {
        let raw = redact_strings(raw, &|text| self.transport().redact(prepared, text));
        let mut task = SystemTask::from_value(raw)?;
        let texts = [task.name.as_mut(), task.message.as_mut()]
            .into_iter()
            .flatten()
            .chain(
                task.subtasks
                    .iter_mut()
                    .flat_map(|sub| std::iter::once(&mut sub.name).chain(sub.message.as_mut())),
            );
        for text in texts {
            *text = crate::text::escape_controls(text);
        }
        Some(task)
    }
}

fn no_status(prepared: &Prepared) -> ApiError {
    ApiError::BadResponse {
        url: prepared.url.to_string(),
        detail: "the task has no status".to_string(),
    }
}

/// Every string of `value` (keys too) passed through `redact`.
fn redact_strings(value: serde_json::Value, redact: &dyn Fn(&str) -> String) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => Value::String(redact(&text)),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| redact_strings(item, redact))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| (redact(&key), redact_strings(item, redact)))
                .collect(),
        ),
        other => other,
    }
}

/// Whether a failed import POST surely did not reach the service: the
/// connection was never made, or the gateway refused it for throttling.
fn never_arrived(error: &ApiError) -> bool {
    match error {
        ApiError::Transport(transport) => transport.kind == FailureKind::Connect,
        ApiError::Status { status, .. } => *status == 429,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_holds_only_what_was_given() {
        let body = ImportBody {
            path: "obs://b/k.zip".into(),
            same_name_policy: Some("SKIP".into()),
            ..ImportBody::default()
        };
        assert_eq!(
            std::str::from_utf8(&body.body()).expect("utf-8"),
            r#"{"path":"obs://b/k.zip","sameNamePolicy":"SKIP"}"#
        );
        let full = ImportBody {
            path: "obs://b/k.zip".into(),
            params: Some(BTreeMap::from([("p".into(), "v".into())])),
            same_name_policy: Some("OVERWRITE".into()),
            jobs_param: Some(vec![JobParams {
                name: "j".into(),
                params: BTreeMap::from([("k".into(), "1".into())]),
            }]),
            execute_user: Some("u1".into()),
            target_status: Some("SUBMITTED".into()),
            approvers: Some(vec![Approver {
                approver_name: "a1".into(),
            }]),
            resources: Some(vec![ResourceMap {
                name: "old".into(),
                kind: "DWS_CONNECTION".into(),
                replace: "new".into(),
            }]),
        };
        let value: serde_json::Value = serde_json::from_slice(&full.body()).expect("json");
        assert_eq!(
            value,
            serde_json::json!({
                "path": "obs://b/k.zip", "params": {"p": "v"}, "sameNamePolicy": "OVERWRITE",
                "jobsParam": [{"name": "j", "params": {"k": "1"}}], "executeUser": "u1",
                "targetStatus": "SUBMITTED", "approvers": [{"approverName": "a1"}],
                "resources": [{"name": "old", "type": "DWS_CONNECTION", "replace": "new"}]
            })
        );
    }

    #[test]
    fn tasks_parse_with_the_undocumented_warning() {
        let task = SystemTask::from_value(serde_json::json!({
            "id": "t1", "name": "Import the job from obs://b/k.", "status": "WARNING",
            "startTime": 1, "endTime": 2,
            "subtasks": [{"id": "s1", "name": "Import the a job.", "status": "FAILED", "message": "locked"},
                         {"id": "s2", "name": "Import the b job.", "status": "SUCCESSFUL", "message": ""}]
        }))
        .expect("task");
        assert_eq!(task.status, TaskStatus::Warning);
        assert!(task.status.is_terminal());
        assert_eq!(task.subtasks.len(), 2);
        assert_eq!(task.subtasks[0].message.as_deref(), Some("locked"));
        assert_eq!(task.subtasks[1].message, None);
        assert!(!TaskStatus::parse("QUEUED").is_terminal());
        assert!(SystemTask::from_value(serde_json::json!({"id": "x"})).is_none());
    }

    #[test]
    fn check_file_jobs_are_named_or_left_out() {
        let info: FileInfo = serde_json::from_value(serde_json::json!({
            "jobs": [{"name": "a", "path": "/", "params": {}}, {"path": "/x"},
                     {"name": 7}, "b", null, {"name": "c"}],
            "resources": [{"name": "dws", "type": "DWS_CONNECTION", "status": 0}]
        }))
        .expect("file info");
        assert_eq!(info.jobs.len(), 6);
        assert_eq!(info.job_names(), ["a", "c"]);
        assert!(info.resources[0].is_missing());
        let empty: FileInfo = serde_json::from_str("{}").expect("file info");
        assert!(empty.job_names().is_empty());
    }

    #[test]
    fn only_requests_that_never_arrived_are_repeated() {
        assert!(never_arrived(&ApiError::with_status(429)));
        assert!(!never_arrived(&ApiError::with_status(503)));
        assert!(!never_arrived(&ApiError::with_status(400)));
        assert!(is_valid_task_id("008aae2e675933c7016759418e870000"));
        assert!(!is_valid_task_id("../x"));
        assert!(!is_valid_task_id(""));
    }
}
