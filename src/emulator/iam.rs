//! IAM's project lookup: `GET /v3/projects?name=<region>` (KeystoneListProjects).

use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};
use serde_json::{json, Value};

use super::respond::{json_response, Req, ResBody};
use super::State;
use crate::auth::signer::{find_header, parse_query};

pub(crate) fn projects(state: &State, req: &Req<'_>) -> Response<ResBody> {
    let query = parse_query(req.raw_query);
    let name = query
        .iter()
        .find(|(key, _)| key == "name")
        .map(|(_, value)| value.as_str());
    let host = find_header(req.headers, "host").unwrap_or("localhost");
    let base = format!("{}://{host}/v3/projects", state.scheme);
    let projects: Vec<Value> = if name.is_none_or(|name| name == state.region) {
        (0..state.iam_projects)
            .map(|index| {
                let id = iam_project_id(&state.project_id, index);
                json!({
                    "id": id,
                    "name": state.region,
                    "domain_id": state.domain_id,
                    "parent_id": state.domain_id,
                    "description": "",
                    "enabled": true,
                    "is_domain": false,
                    "links": {"self": format!("{base}/{id}")},
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let self_link = if req.raw_query.is_empty() {
        base
    } else {
        format!("{base}?{}", req.raw_query)
    };
    let mut response = json_response(
        StatusCode::OK,
        &json!({
            "projects": projects,
            "links": {"self": self_link, "previous": null, "next": null},
        }),
    );
    if let Ok(value) = HeaderValue::from_str(req.request_id) {
        response.headers_mut().insert("x-iam-trace-id", value);
    }
    response
}

/// The `index`th project IAM lists: the served one first, then made-up
/// ids of the same shape (32 hex digits) that DLF does not serve.
fn iam_project_id(served: &str, index: u8) -> String {
    if index == 0 {
        served.to_string()
    } else {
        format!("e5{index:030x}")
    }
}
