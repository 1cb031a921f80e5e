//! DLF's import side, as the cloud documents it (api-notes §a4,
//! import-notes §m2): `POST …/jobs/check-file`, `POST …/jobs/import` and
//! `GET …/system-tasks/{id}`.
//!
//! The archive is read from the emulator's own OBS (`DLF.0803` for a path
//! that is not `obs://BUCKET/KEY`, `DLF.0815` when the object is absent, not
//! a zip, or over 10 MiB packed or inflated). Import applies at once to the
//! target workspace (the `workspace` header): each `jobs/<job>/` of the
//! archive (or `jobs/<job>.job` of a single-job export) becomes a job with its files held as bytes, with
//! `sameNamePolicy`, `params`, `jobsParam` and `resources` applied (a file
//! is rewritten only when one of them changes it, so a plain import exports
//! back byte for byte). The system task then answers `RUNNING` for
//! `task_polls` polls before its final status, with one subtask per job;
//! a job named by `--fail-import` fails its subtask (the task ends
//! `WARNING` when others succeed, `FAILED` when none does).
//!
//! Other answers: 400 `DLF.3051` for a malformed body, 400 `DLF.0810` for
//! an unknown task id.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};
use std::sync::Mutex;
use std::time::SystemTime;

use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use super::dlf::unknown_workspace;
use super::respond::{dlf_error, invalid_parameter, json_response, Req, ResBody, INVALID};
use super::store::{epoch_ms, Job, Store, Workspace};
use super::State;
use crate::auth::signer::find_header;
use crate::obs::ObjectPath;

/// The documented limit of an imported job file, packed and inflated.
pub(crate) const MAX_IMPORT_BYTES: u64 = 10 * 1024 * 1024;

/// A connection a workspace has (`--connections FILE`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Connection {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// `--connections`: workspace id (or `default`) → its connections.
pub(crate) type Connections = BTreeMap<String, Vec<Connection>>;

/// Reads `--connections FILE`.
pub(crate) fn load_connections(path: &std::path::Path) -> Result<Connections, String> {
    let text = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&text);
    serde_json::from_slice(text).map_err(|error| {
        format!(
            "{}: expected {{\"<workspace id or default>\": [{{\"name\", \"type\"}}]}}: {error}",
            path.display()
        )
    })
}

/// One subtask, as the final answer shows it.
#[derive(Debug, Clone)]
struct SubTask {
    id: String,
    name: String,
    status: &'static str,
    message: String,
}

#[derive(Debug, Clone)]
struct Task {
    id: String,
    /// The workspace it imported into ([`Store::workspace_key`]): asked
    /// about from another workspace, it does not exist.
    workspace: String,
    name: String,
    started: i64,
    ended: i64,
    status: &'static str,
    subtasks: Vec<SubTask>,
    /// Polls still to answer `RUNNING`.
    polls_left: u32,
}

/// The system tasks of this emulator's life.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    map: Mutex<HashMap<String, Task>>,
}

impl Tasks {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Task>> {
        match self.map.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

fn new_id() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// One job of an archive: its `.job` bytes (if present) and other files.
#[derive(Debug, Default)]
struct ArchivedJob {
    job_file: Option<Bytes>,
    files: Vec<(String, Bytes)>,
}

/// An archive's object and its jobs.
type Archived = (ObjectPath, BTreeMap<String, ArchivedJob>);

/// Reads the archive a request's `path` names, or the DLF answer refusing it.
fn read_archive(state: &State, path: Option<&str>) -> Result<Archived, Box<Response<ResBody>>> {
    let Some(path) = path else {
        return Err(Box::new(invalid_parameter(INVALID)));
    };
    let object = ObjectPath::parse(path)
        .map_err(|_| Box::new(dlf_error("DLF.0803", "The OBS path is invalid.")))?;
    let unreadable = || Box::new(dlf_error("DLF.0815", "Fail to read OBS file."));
    let stored = state
        .obs
        .get(object.bucket(), object.key())
        .ok_or_else(unreadable)?;
    if stored.bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(unreadable());
    }
    let jobs = unzip_jobs(&stored.bytes).ok_or_else(unreadable)?;
    Ok((object, jobs))
}

/// `jobs/<job>/...` entries grouped by job; in the single-job export's
/// layout (`jobs/<job>.job`, `scripts/...`, `resources/...`), the top-level
/// `scripts/` and `resources/` files belong to the archive's single-layout
/// jobs. `None` for anything that is not a readable zip within the size limit.
fn unzip_jobs(bytes: &[u8]) -> Option<BTreeMap<String, ArchivedJob>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut jobs: BTreeMap<String, ArchivedJob> = BTreeMap::new();
    let mut single: Vec<String> = Vec::new();
    let mut shared: Vec<(String, Bytes)> = Vec::new();
    let mut inflated = 0u64;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).ok()?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().ok()?.to_string();
        let place = match name.strip_prefix("jobs/") {
            Some(rest) => match rest.split_once('/') {
                Some((job, file)) => Place::Batch(job.to_string(), file.to_string()),
                None => match rest.strip_suffix(".job") {
                    Some(job) => Place::Single(job.to_string()),
                    None => continue,
                },
            },
            None => match name.split_once('/') {
                Some(("scripts" | "resources", file)) => Place::Shared(file.to_string()),
                _ => continue,
            },
        };
        let mut content = Vec::new();
        entry
            .take(MAX_IMPORT_BYTES + 1 - inflated)
            .read_to_end(&mut content)
            .ok()?;
        inflated += content.len() as u64;
        if inflated > MAX_IMPORT_BYTES {
            return None;
        }
        let (job, file) = match place {
            Place::Batch(job, file) if !job.is_empty() && !file.is_empty() => (job, file),
            Place::Single(job) if !job.is_empty() => {
                single.push(job.clone());
                jobs.entry(job).or_default().job_file = Some(Bytes::from(content));
                continue;
            }
            Place::Shared(file) if !file.is_empty() => {
                shared.push((file, Bytes::from(content)));
                continue;
            }
            _ => continue,
        };
        let slot = jobs.entry(job.clone()).or_default();
        if file == format!("{job}.job") {
            slot.job_file = Some(Bytes::from(content));
        } else {
            slot.files.push((file, Bytes::from(content)));
        }
    }
    for job in &single {
        if let Some(slot) = jobs.get_mut(job) {
            slot.files.extend(shared.iter().cloned());
        }
    }
    Some(jobs)
}

/// Where an archive entry belongs.
enum Place {
    /// `jobs/<job>/<file>`.
    Batch(String, String),
    /// `jobs/<job>.job`.
    Single(String),
    /// `scripts/<file>` or `resources/<file>`, of the single-layout jobs.
    Shared(String),
}

/// The target workspace's id (the `workspace` header) and the archive at
/// `path`; or DLF's answer refusing the workspace, else the archive.
fn workspace_and_archive<'r>(
    state: &State,
    req: &Req<'r>,
    path: Option<&str>,
) -> Result<(Option<&'r str>, Archived), Box<Response<ResBody>>> {
    let workspace_id = find_header(req.headers, "workspace");
    if state.store_read().workspace(workspace_id).is_none() {
        return Err(Box::new(unknown_workspace(req)));
    }
    Ok((workspace_id, read_archive(state, path)?))
}

fn parse_body(body: &[u8]) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// `POST /v1/{project_id}/jobs/check-file`.
pub(crate) fn check_file(state: &State, req: &Req<'_>) -> Response<ResBody> {
    let Some(body) = parse_body(req.body) else {
        return invalid_parameter(INVALID);
    };
    let path = body.get("path").and_then(Value::as_str);
    let (workspace_id, (_, archived)) = match workspace_and_archive(state, req, path) {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    let mut jobs = Vec::new();
    let mut scripts = Vec::new();
    let mut referenced: BTreeMap<String, String> = BTreeMap::new();
    for (name, job) in &archived {
        let definition: Value = job
            .job_file
            .as_deref()
            .and_then(|bytes| serde_json::from_slice(bytes).ok())
            .unwrap_or(Value::Null);
        jobs.push(job_entry(name, &definition));
        collect_job_connections(&definition, &mut referenced);
        for (file, bytes) in &job.files {
            if let Some(stem) = file.strip_suffix(".script") {
                scripts.push(script_entry(stem, bytes, &mut referenced));
            }
        }
    }
    let resources: Vec<Value> = referenced
        .iter()
        .map(|(name, kind)| {
            let present = has_connection(state, workspace_id, name, kind);
            json!({"name": name, "type": kind, "status": i32::from(present)})
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"jobs": jobs, "scripts": scripts, "resources": resources}),
    )
}

/// check-file's entry for a job: its name, folder and parameters.
fn job_entry(name: &str, definition: &Value) -> Value {
    let params: serde_json::Map<String, Value> = definition
        .get("params")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|param| {
            Some((
                param.get("name")?.as_str()?.to_string(),
                param.get("value").cloned().unwrap_or(Value::Null),
            ))
        })
        .collect();
    json!({
        "name": name,
        "path": definition.get("directory").and_then(Value::as_str).unwrap_or("/"),
        "params": params,
    })
}

/// check-file's entry for a `<stem>.script` file; the connection it names
/// goes into `referenced`.
fn script_entry(stem: &str, bytes: &[u8], referenced: &mut BTreeMap<String, String>) -> Value {
    let script: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    if let Some(connection) = script.get("connectionName").and_then(Value::as_str) {
        let kind = connection_type(script.get("type").and_then(Value::as_str));
        referenced.insert(connection.to_string(), kind);
    }
    json!({
        "name": script.get("name").and_then(Value::as_str).unwrap_or(stem),
        "path": script.get("directory").and_then(Value::as_str).unwrap_or("/"),
    })
}

/// Whether the workspace has the connection `name` of `kind` (any, without
/// `--connections`; a listed connection without a type has every type).
fn has_connection(state: &State, workspace_id: Option<&str>, name: &str, kind: &str) -> bool {
    let Some(all) = &state.connections else {
        return true;
    };
    all.get(
        workspace_id
            .filter(|id| !id.trim().is_empty())
            .unwrap_or("default"),
    )
    .is_some_and(|list| {
        list.iter()
            .any(|c| c.name == name && c.kind.as_deref().is_none_or(|k| k == kind))
    })
}

/// The connections a job's nodes name (`connectionName` properties).
fn collect_job_connections(definition: &Value, out: &mut BTreeMap<String, String>) {
    for node in definition
        .get("nodes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = connection_type(node.get("type").and_then(Value::as_str));
        for property in node
            .get("properties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if property.get("name").and_then(Value::as_str) == Some("connectionName") {
                if let Some(value) = property.get("value").and_then(Value::as_str) {
                    out.insert(value.to_string(), kind.clone());
                }
            }
        }
    }
}

/// The resource type check-file reports for a node or script type.
fn connection_type(node_type: Option<&str>) -> String {
    let upper = node_type.unwrap_or_default().to_ascii_uppercase();
    if upper.starts_with("DLI") {
        "DLI_CONNECTION"
    } else if upper.starts_with("HIVE") {
        "MRS_HIVE_CONNECTION"
    } else if upper.starts_with("SPARK") {
        "MRS_SPARK_CONNECTION"
    } else {
        "DWS_CONNECTION"
    }
    .to_string()
}

/// What an import request asks for, validated.
struct ImportRequest {
    path: String,
    overwrite: bool,
    params: BTreeMap<String, String>,
    jobs_param: BTreeMap<String, BTreeMap<String, String>>,
    /// (TYPE, OLD name) → NEW name.
    resources: BTreeMap<(String, String), String>,
}

fn string_map(value: &Value) -> Option<BTreeMap<String, String>> {
    value
        .as_object()?
        .iter()
        .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

fn parse_import(body: &[u8]) -> Option<ImportRequest> {
    let map = parse_body(body)?;
    let path = map.get("path")?.as_str()?.to_string();
    let overwrite = match map.get("sameNamePolicy") {
        None | Some(Value::Null) => false,
        Some(Value::String(policy)) if policy == "SKIP" => false,
        Some(Value::String(policy)) if policy == "OVERWRITE" => true,
        Some(_) => return None,
    };
    let params = match map.get("params") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(value) => string_map(value)?,
    };
    let mut jobs_param = BTreeMap::new();
    if let Some(list) = map.get("jobsParam").filter(|v| !v.is_null()) {
        for entry in list.as_array()? {
            let name = entry.get("name")?.as_str()?.to_string();
            let values = match entry.get("params") {
                None | Some(Value::Null) => BTreeMap::new(),
                Some(value) => string_map(value)?,
            };
            jobs_param.insert(name, values);
        }
    }
    let mut resources = BTreeMap::new();
    if let Some(list) = map.get("resources").filter(|v| !v.is_null()) {
        for entry in list.as_array()? {
            // Only the documented types: a DLI queue cannot be replaced.
            let kind = entry.get("type")?.as_str()?;
            if !crate::api::import::is_replaceable(kind) {
                return None;
            }
            resources.insert(
                (kind.to_string(), entry.get("name")?.as_str()?.to_string()),
                entry.get("replace")?.as_str()?.to_string(),
            );
        }
    }
    match map.get("targetStatus") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if ["SAVED", "SUBMITTED", "PRODUCTION"].contains(&s.as_str()) => {}
        Some(_) => return None,
    }
    if let Some(list) = map.get("approvers").filter(|v| !v.is_null()) {
        for entry in list.as_array()? {
            entry.get("approverName")?.as_str()?;
        }
    }
    if let Some(user) = map.get("executeUser").filter(|v| !v.is_null()) {
        user.as_str()?;
    }
    Some(ImportRequest {
        path,
        overwrite,
        params,
        jobs_param,
        resources,
    })
}

/// `POST /v1/{project_id}/jobs/import`.
pub(crate) fn import(state: &State, req: &Req<'_>) -> Response<ResBody> {
    let Some(request) = parse_import(req.body) else {
        return invalid_parameter(INVALID);
    };
    let (workspace_id, (object, archived)) =
        match workspace_and_archive(state, req, Some(&request.path)) {
            Ok(found) => found,
            Err(refusal) => return *refusal,
        };
    let now = SystemTime::now();
    let task_id = new_id();
    let mut store = state.store_write();
    let Some(workspace) = store.workspace_mut(workspace_id) else {
        return unknown_workspace(req);
    };
    // `--echo-secrets`: a careless service quotes the request in its
    // messages, with a terminal escape sequence in between.
    let echoed = state.faults.echo_secrets().then(|| {
        let header = |name| find_header(req.headers, name).unwrap_or_default();
        format!(
            " \u{1b}[31m(request: X-Security-Token {}, Authorization {})\u{1b}[0m",
            header("X-Security-Token"),
            header("Authorization")
        )
    });
    let subtasks: Vec<SubTask> = archived
        .into_iter()
        .map(|(name, job)| {
            let failing = state.fail_import.iter().any(|failing| failing == &name);
            let mut subtask = import_job(workspace, name, job, &request, failing, now);
            if let (Some(echoed), "FAILED") = (&echoed, subtask.status) {
                subtask.message.push_str(echoed);
            }
            subtask
        })
        .collect();
    drop(store);
    let started = epoch_ms(now);
    state.tasks.lock().insert(
        task_id.clone(),
        Task {
            id: task_id.clone(),
            workspace: Store::workspace_key(workspace_id),
            name: format!("Import the job from {object}."),
            started,
            ended: started + 1,
            status: task_status(&subtasks),
            subtasks,
            polls_left: state.task_polls,
        },
    );
    json_response(StatusCode::OK, &json!({"taskId": task_id}))
}

/// Imports one job of the archive into `workspace` (unless `failing`, it
/// has no `.job` file, or it exists and the policy skips it); its subtask.
fn import_job(
    workspace: &mut Workspace,
    name: String,
    archived: ArchivedJob,
    request: &ImportRequest,
    failing: bool,
    now: SystemTime,
) -> SubTask {
    let subtask = |status: &'static str, message: String| SubTask {
        id: new_id(),
        name: format!("Import the {name} job."),
        status,
        message,
    };
    if failing {
        return subtask(
            "FAILED",
            format!("Failed to import the job {name}: the job is locked by another user."),
        );
    }
    let Some(job_file) = archived.job_file else {
        return subtask(
            "FAILED",
            format!("Failed to import the job {name}: the archive holds no {name}.job."),
        );
    };
    let existing = workspace.jobs.get(&name);
    if existing.is_some() && !request.overwrite {
        return subtask(
            "SUCCESSFUL",
            format!("The job {name} exists and was skipped."),
        );
    }
    let job_file = rewrite_job(&job_file, &name, request);
    let files = archived
        .files
        .into_iter()
        .map(|(file, bytes)| {
            let bytes = if file.ends_with(".script") {
                rewrite_script(&bytes, request)
            } else {
                bytes
            };
            (file, bytes)
        })
        .collect();
    // An overwrite moves lastUpdateTime, even within the same millisecond.
    let updated = match existing {
        Some(old) if old.meta.updated >= now => {
            old.meta.updated + std::time::Duration::from_millis(1)
        }
        _ => now,
    };
    let mut job = Job::imported(&name, job_file, files, updated);
    if let Some(old) = existing {
        job.meta.created = old.meta.created;
    }
    workspace.jobs.insert(name.clone(), job);
    subtask("SUCCESSFUL", String::new())
}

/// `SUCCESSFUL` when no subtask failed, `FAILED` when all did, else `WARNING`.
fn task_status(subtasks: &[SubTask]) -> &'static str {
    let failed = subtasks.iter().filter(|s| s.status == "FAILED").count();
    match failed {
        0 => "SUCCESSFUL",
        n if n == subtasks.len() => "FAILED",
        _ => "WARNING",
    }
}

/// The `.job` file with `params`, `jobsParam` and `resources` applied; the
/// bytes as they were when nothing changes.
fn rewrite_job(bytes: &Bytes, name: &str, request: &ImportRequest) -> Bytes {
    let Ok(mut definition) = serde_json::from_slice::<Value>(bytes) else {
        return bytes.clone();
    };
    let mut changed = false;
    let job_values = request.jobs_param.get(name);
    if let Some(params) = definition.get_mut("params").and_then(Value::as_array_mut) {
        for param in params {
            let Some(key) = param
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
            else {
                continue;
            };
            let value = job_values
                .and_then(|values| values.get(&key))
                .or_else(|| request.params.get(&key));
            if let Some(value) = value {
                if param.get("value").and_then(Value::as_str) != Some(value.as_str()) {
                    param["value"] = Value::from(value.clone());
                    changed = true;
                }
            }
        }
    }
    if let Some(nodes) = definition.get_mut("nodes").and_then(Value::as_array_mut) {
        for node in nodes {
            let kind = connection_type(node.get("type").and_then(Value::as_str));
            let Some(properties) = node.get_mut("properties").and_then(Value::as_array_mut) else {
                continue;
            };
            for property in properties {
                let is_resource = matches!(
                    property.get("name").and_then(Value::as_str),
                    Some("connectionName" | "clusterName")
                );
                let replacement = property
                    .get("value")
                    .and_then(Value::as_str)
                    .and_then(|old| request.resources.get(&(kind.clone(), old.to_string())));
                if let (true, Some(new)) = (is_resource, replacement.cloned()) {
                    property["value"] = Value::from(new);
                    changed = true;
                }
            }
        }
    }
    if !changed {
        return bytes.clone();
    }
    Bytes::from(serde_json::to_vec_pretty(&definition).unwrap_or_else(|_| bytes.to_vec()))
}

/// A `.script` file with `resources` applied to its `connectionName`.
fn rewrite_script(bytes: &Bytes, request: &ImportRequest) -> Bytes {
    let Ok(mut script) = serde_json::from_slice::<Value>(bytes) else {
        return bytes.clone();
    };
    let kind = connection_type(script.get("type").and_then(Value::as_str));
    let replacement = script
        .get("connectionName")
        .and_then(Value::as_str)
        .and_then(|old| request.resources.get(&(kind, old.to_string())))
        .cloned();
    match replacement {
        Some(new) => {
            script["connectionName"] = Value::from(new);
            Bytes::from(serde_json::to_vec_pretty(&script).unwrap_or_else(|_| bytes.to_vec()))
        }
        None => bytes.clone(),
    }
}

/// `GET /v1/{project_id}/system-tasks/{task_id}`.
pub(crate) fn system_task(state: &State, req: &Req<'_>, task_id: &str) -> Response<ResBody> {
    let workspace = Store::workspace_key(find_header(req.headers, "workspace"));
    let mut tasks = state.tasks.lock();
    let Some(task) = tasks
        .get_mut(task_id)
        .filter(|task| task.workspace == workspace)
    else {
        return dlf_error("DLF.0810", "The queried task does not exist.");
    };
    let running = task.polls_left > 0;
    task.polls_left = task.polls_left.saturating_sub(1);
    let now = epoch_ms(SystemTime::now());
    let subtasks: Vec<Value> = task
        .subtasks
        .iter()
        .map(|sub| {
            let (status, message) = if running {
                ("RUNNING", "")
            } else {
                (sub.status, sub.message.as_str())
            };
            json!({"id": sub.id, "name": sub.name, "lastUpdate": now, "status": status,
                   "message": message, "taskId": task.id})
        })
        .collect();
    let mut body = json!({
        "id": task.id,
        "name": task.name,
        "projectId": state.project_id,
        "startTime": task.started,
        "lastUpdate": now,
        "status": if running { "RUNNING" } else { task.status },
        "subtasks": subtasks,
    });
    if !running {
        body["endTime"] = Value::from(task.ended.max(task.started));
        if task.status != "SUCCESSFUL" {
            body["message"] = Value::from("Some jobs failed to be imported.");
        }
    }
    json_response(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in files {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("start");
            writer.write_all(content).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    #[test]
    fn both_export_layouts_are_read() {
        let batch = unzip_jobs(&zip_of(&[
            ("jobs/a/a.job", b"{}"),
            ("jobs/a/s.script", b"{}"),
        ]))
        .expect("zip");
        assert!(batch["a"].job_file.is_some());
        assert_eq!(batch["a"].files[0].0, "s.script");
        let single = unzip_jobs(&zip_of(&[
            ("jobs/x.job", b"{}"),
            ("scripts/s.script", b"{}"),
            ("resources/r.resource", b"{}"),
        ]))
        .expect("zip");
        assert_eq!(single.keys().collect::<Vec<_>>(), ["x"]);
        assert!(single["x"].job_file.is_some());
        let files: Vec<&str> = single["x"].files.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(files, ["s.script", "r.resource"]);
    }

    fn request(resources: &[(&str, &str)], params: &[(&str, &str)]) -> ImportRequest {
        ImportRequest {
            path: "obs://b/k".into(),
            overwrite: false,
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            jobs_param: BTreeMap::new(),
            resources: resources
                .iter()
                .map(|(k, v)| (("DWS_CONNECTION".to_string(), k.to_string()), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn files_are_kept_byte_for_byte_unless_something_applies() {
        let job = Bytes::from_static(
            br#"{"nodes":[{"type":"DWSSQL","properties":[{"name":"connectionName","value":"old"}]}],
               "params":[{"name":"p","value":"1"}]}"#,
        );
        assert_eq!(rewrite_job(&job, "j", &request(&[], &[])), job);
        assert_eq!(
            rewrite_job(&job, "j", &request(&[("other", "x")], &[])),
            job
        );
        // A mapping of another type leaves the connection as it is.
        let mut other_type = request(&[], &[]);
        other_type
            .resources
            .insert(("MRS_HIVE_CONNECTION".into(), "old".into()), "new".into());
        assert_eq!(rewrite_job(&job, "j", &other_type), job);
        let mapped = rewrite_job(&job, "j", &request(&[("old", "new")], &[("p", "2")]));
        let value: Value = serde_json::from_slice(&mapped).expect("json");
        assert_eq!(value["nodes"][0]["properties"][0]["value"], "new");
        assert_eq!(value["params"][0]["value"], "2");
        let script = Bytes::from_static(br#"{"connectionName":"old","type":"DWSSQL"}"#);
        let value: Value =
            serde_json::from_slice(&rewrite_script(&script, &request(&[("old", "new")], &[])))
                .expect("json");
        assert_eq!(value["connectionName"], "new");
    }

    #[test]
    fn bodies_are_validated() {
        assert!(
            parse_import(br#"{"path":"obs://b/k","sameNamePolicy":"OVERWRITE"}"#)
                .is_some_and(|r| r.overwrite)
        );
        assert!(parse_import(br#"{"path":"obs://b/k","sameNamePolicy":"MERGE"}"#).is_none());
        assert!(parse_import(br#"{"sameNamePolicy":"SKIP"}"#).is_none());
        assert!(parse_import(br#"{"path":"obs://b/k","params":{"a":1}}"#).is_none());
        assert!(parse_import(br#"{"path":"obs://b/k","targetStatus":"DONE"}"#).is_none());
        let dli =
            br#"{"path":"obs://b/k","resources":[{"name":"q","type":"DLI_QUEUE","replace":"r"}]}"#;
        assert!(
            parse_import(dli).is_none(),
            "a DLI queue cannot be replaced"
        );
    }

    #[test]
    fn each_job_gets_a_subtask_and_the_task_sums_them_up() {
        let mut workspace = Workspace::default();
        let now = SystemTime::now();
        let mut import = |name: &str, job_file: Option<&'static [u8]>, failing: bool| {
            let archived = ArchivedJob {
                job_file: job_file.map(Bytes::from_static),
                files: Vec::new(),
            };
            let request = request(&[], &[]);
            import_job(
                &mut workspace,
                name.into(),
                archived,
                &request,
                failing,
                now,
            )
        };
        let imported = import("a", Some(b"{}"), false);
        assert_eq!(imported.status, "SUCCESSFUL");
        let skipped = import("a", Some(b"{}"), false);
        assert_eq!(skipped.message, "The job a exists and was skipped.");
        let locked = import("b", Some(b"{}"), true);
        let no_job_file = import("c", None, false);
        assert_eq!(no_job_file.name, "Import the c job.");
        assert_eq!(
            workspace.jobs.keys().collect::<Vec<_>>(),
            ["a"],
            "only the imported job"
        );
        assert_eq!(task_status(&[imported.clone(), skipped]), "SUCCESSFUL");
        assert_eq!(task_status(&[imported, locked.clone()]), "WARNING");
        assert_eq!(task_status(&[locked, no_job_file]), "FAILED");
    }
}
