//! The DataArts Factory handlers: batch export (a streamed zip) and list jobs.

use std::sync::Arc;

use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Response, StatusCode};
use serde_json::{json, Value};

use http_body_util::BodyExt;

use super::faults::{fault_body, ExportFault};
use super::respond::{
    dlf_error, internal_error, invalid_parameter, json_response, query_param, Outcome, Req,
    ResBody, INVALID,
};
use super::store::{epoch_ms, Job, Store, Workspace};
use super::zipstream::{self, ConnControl, PlannedEntry, ZipBody};
use super::{paging, State};
use crate::auth::signer::{find_header, parse_query};
use crate::model::JobType;

/// Most names one batch export takes.
const MAX_EXPORT_NAMES: usize = 100;

/// The workspace the `workspace` header names (absent → the default).
pub(crate) fn workspace<'s>(store: &'s Store, req: &Req<'_>) -> Option<&'s Workspace> {
    store.workspace(find_header(req.headers, "workspace"))
}

/// The DLF 400 for a `workspace` header naming no workspace.
pub(crate) fn unknown_workspace(req: &Req<'_>) -> Response<ResBody> {
    let id = find_header(req.headers, "workspace").unwrap_or_default();
    invalid_parameter(&format!(
        "The request parameter is invalid: workspace {id:?} does not exist."
    ))
}

/// A parsed batch-export body.
struct ExportRequest {
    names: Vec<String>,
    depend: bool,
}

fn parse_export(body: &[u8]) -> Option<ExportRequest> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    let list = object.get("jobList")?.as_array()?;
    if list.is_empty() || list.len() > MAX_EXPORT_NAMES {
        return None;
    }
    let mut names = Vec::with_capacity(list.len());
    for name in list {
        let name = name.as_str().filter(|name| !name.is_empty())?;
        if !names.iter().any(|seen| seen == name) {
            names.push(name.to_string());
        }
    }
    let depend = match object.get("exportDepend") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(depend)) => *depend,
        Some(_) => return None,
    };
    match object.get("exportStatus") {
        None | Some(Value::Null) => {}
        Some(Value::String(status)) if status == "DEVELOP" || status == "SUBMIT" => {}
        Some(_) => return None,
    }
    Some(ExportRequest { names, depend })
}

pub(crate) fn batch_export(
    state: &State,
    control: &Arc<ConnControl>,
    req: &Req<'_>,
    fault: ExportFault,
) -> Outcome {
    let label = fault.label();
    if let Some(status) = fault.status {
        let mut response = json_response(status, &fault_body(status, req.request_id));
        if let Some(seconds) = state.faults.retry_after() {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        return Outcome {
            response,
            fault: label,
        };
    }
    let Some(export) = parse_export(req.body) else {
        return invalid_parameter(INVALID).into();
    };
    let store = state.store_read();
    let Some(workspace) = workspace(&store, req) else {
        return unknown_workspace(req).into();
    };
    let mut jobs: Vec<&Job> = Vec::with_capacity(export.names.len());
    for name in &export.names {
        match workspace.jobs.get(name) {
            Some(job) => jobs.push(job),
            None => return dlf_error("DLF.0100", "The job does not exists.").into(),
        }
    }
    let mut entries = Vec::new();
    for job in jobs {
        let prefix = format!("jobs/{}/", job.name);
        entries.push(PlannedEntry {
            zip_name: format!("{prefix}{}", job.job_file.name),
            entry: job.job_file.clone(),
        });
        if export.depend {
            for dependency in &job.dependencies {
                entries.push(PlannedEntry {
                    zip_name: format!("{prefix}{}", dependency.name),
                    entry: dependency.clone(),
                });
            }
        }
    }
    let chunks = zipstream::spawn(entries, state.compression);
    let body = ZipBody::new(chunks, control.clone(), fault.body);
    let response = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, "application/octet-stream")
        .header("content-disposition", "attachment; filename=\"jobs.zip\"")
        .body(body.boxed())
        .unwrap_or_else(|_| internal_error());
    Outcome {
        response,
        fault: label,
    }
}

/// `limit`, `offset`, `jobType`, `jobName` of a list request.
struct ListQuery<'q> {
    limit: u64,
    offset: u64,
    job_type: JobType,
    name_filter: Option<&'q str>,
}

fn parse_list(query: &[(String, String)]) -> Option<ListQuery<'_>> {
    let (limit, offset) = paging::parse(query, 10, 1000)?;
    let job_type = match query_param(query, "jobType") {
        None | Some("") => JobType::Batch,
        Some(text) => JobType::parse(text)?,
    };
    Some(ListQuery {
        limit,
        offset,
        job_type,
        name_filter: query_param(query, "jobName").filter(|name| !name.is_empty()),
    })
}

pub(crate) fn list_jobs(state: &State, req: &Req<'_>) -> Response<ResBody> {
    let query = parse_query(req.raw_query);
    let Some(list) = parse_list(&query) else {
        return invalid_parameter(INVALID);
    };
    let store = state.store_read();
    let Some(workspace) = workspace(&store, req) else {
        return unknown_workspace(req);
    };
    let matching: Vec<&Job> = workspace
        .jobs
        .values()
        .filter(|job| job.job_type == list.job_type)
        .filter(|job| {
            list.name_filter
                .is_none_or(|filter| job.name.contains(filter))
        })
        .collect();
    let body = paging::listing_page(state, "jobs", &matching, (list.limit, list.offset), |job| {
        job_result(job)
    });
    json_response(StatusCode::OK, &body)
}

/// A JobResult as list jobs returns it (dgc `job_result.py`).
fn job_result(job: &Job) -> Value {
    let (status, last_instance) = match job.job_type {
        JobType::Batch => ("SCHEDULING", "success"),
        JobType::RealTime => ("NORMAL", "running"),
    };
    let created = epoch_ms(job.meta.created);
    let updated = epoch_ms(job.meta.updated);
    json!({
        "name": job.name,
        "jobType": job.job_type.as_api(),
        "owner": job.meta.owner,
        "priority": job.meta.priority,
        "status": status,
        "createUser": job.meta.create_user,
        "createTime": created,
        "startTime": created,
        "endTime": 4_102_415_999_000_i64,
        "lastInstanceStatus": last_instance,
        "lastInstanceEndTime": updated,
        "lastUpdateTime": updated,
        "lastUpdateUser": job.meta.last_update_user,
        "path": job.meta.directory,
        "singleNodeJobFlag": job.dependencies.is_empty(),
        "alarms": [],
    })
}
