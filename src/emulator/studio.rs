//! The DataArts Studio Management Center, on the same listener: one
//! instance, whose workspaces are the default one and each
//! `DIR/workspaces/<id>/` (named by its `workspace.json`, else its id).
//!
//! ```text
//! GET /v1/{project_id}/instances?limit&offset                → {"count", "commodity_orders": [...]}
//! GET /v1/{project_id}/workspaces/{instance_id}?limit&offset → {"count", "total_page", "data": [...]}
//! ```
//!
//! Both are paged with `limit` 1–100 and `offset` counted in records.

use hyper::{Response, StatusCode};
use serde_json::{json, Value};

use super::paging;
use super::respond::{dlf_error, invalid_parameter, json_response, Req, ResBody, INVALID};
use super::store::Workspace;
use super::{State, DEFAULT_WORKSPACE_ID};
use crate::auth::signer::parse_query;

/// The one instance's id.
pub const INSTANCE_ID: &str = "5e0c7a3b9d1f4e2a8b6c0d9e7f1a2b3c";
/// The one instance's name.
pub const INSTANCE_NAME: &str = "dataarts-emulator";
/// The time the Management Center reports for every object (2024-05-20 02:00 UTC).
const CREATED_MS: i64 = 1_716_170_400_000;

/// `limit` and `offset`, or `None` when malformed.
fn page_of(req: &Req<'_>, default_limit: u64) -> Option<(usize, usize)> {
    let query = parse_query(req.raw_query);
    let (limit, offset) = paging::parse(&query, default_limit, 100)?;
    Some((
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(usize::MAX),
    ))
}

pub(crate) fn instances(req: &Req<'_>) -> Response<ResBody> {
    let Some((skip, take)) = page_of(req, 10) else {
        return invalid_parameter(INVALID);
    };
    let all = [json!({
        "resource_id": INSTANCE_ID,
        "resource_name": INSTANCE_NAME,
        "status": 2,
        "resource_spec_code": "dayu.starter",
        "work_space_mode": "simple",
        "region_id": "emulator",
        "create_time": CREATED_MS,
    })];
    let page: Vec<&Value> = all.iter().skip(skip).take(take).collect();
    json_response(
        StatusCode::OK,
        &json!({"billing_check": false, "count": all.len(), "commodity_orders": page}),
    )
}

pub(crate) fn workspaces(state: &State, req: &Req<'_>, instance_id: &str) -> Response<ResBody> {
    let Some((skip, take)) = page_of(req, 20) else {
        return invalid_parameter(INVALID);
    };
    if instance_id != INSTANCE_ID {
        return dlf_error("DAYU.4402", "The instance does not exist.");
    }
    let mut all = Vec::new();
    let store = state.store_read();
    if let Some(default) = store.workspace(None) {
        all.push(workspace_object(DEFAULT_WORKSPACE_ID, default, true));
    }
    for id in store.workspace_ids() {
        if let Some(workspace) = store.workspace(Some(id)) {
            all.push(workspace_object(id, workspace, false));
        }
    }
    let count = all.len();
    let page: Vec<Value> = all.into_iter().skip(skip).take(take).collect();
    json_response(
        StatusCode::OK,
        &json!({
            "count": count,
            "total_page": count.div_ceil(take.max(1)),
            "data": page,
        }),
    )
}

/// A workspace as ListManagerWorkSpaces returns it.
fn workspace_object(id: &str, workspace: &Workspace, is_default: bool) -> Value {
    json!({
        "id": id,
        "name": workspace.name.as_deref().unwrap_or(id),
        "description": "",
        "is_default": if is_default { 1 } else { 0 },
        "instance_id": INSTANCE_ID,
        "eps_id": "0",
        "owner_name": "emulator",
        "job_log_location_name": format!("obs://dataarts-emulator-logs/{id}"),
        "bad_record_location_name": "",
        "member_num": 1,
        "create_user": "emulator",
        "create_time": CREATED_MS,
        "update_time": CREATED_MS,
    })
}
