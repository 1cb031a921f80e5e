//! Routing, as the gateway does it: match the path → authenticate →
//! throttle → check the project → the service's handler.

use std::sync::Arc;

use hyper::header::{HeaderValue, RETRY_AFTER};
use hyper::{Method, StatusCode};

use super::faults::throttled_body;
use super::respond::{gateway_error, json_response, Outcome, Req};
use super::zipstream::ConnControl;
use super::{dlf, gateway, iam, import, scripts, studio, State};

/// The APIs the emulator serves.
enum Route<'a> {
    BatchExport { project: &'a str },
    ListJobs { project: &'a str },
    CheckFile { project: &'a str },
    Import { project: &'a str },
    SystemTask { project: &'a str, task: &'a str },
    ListScripts { project: &'a str },
    Instances { project: &'a str },
    Workspaces { project: &'a str, instance: &'a str },
    Projects,
}

impl Route<'_> {
    /// The project id in the path, for routes under `/v1/{project_id}`.
    fn project(&self) -> Option<&str> {
        match self {
            Route::BatchExport { project }
            | Route::ListJobs { project }
            | Route::CheckFile { project }
            | Route::Import { project }
            | Route::SystemTask { project, .. }
            | Route::ListScripts { project }
            | Route::Instances { project }
            | Route::Workspaces { project, .. } => Some(project),
            Route::Projects => None,
        }
    }
}

fn route<'a>(method: &Method, path: &'a str) -> Option<Route<'a>> {
    let trimmed = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let segments: Vec<&str> = trimmed.split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::POST, ["", "v1", project, "jobs", "batch-export"]) => {
            Some(Route::BatchExport { project })
        }
        (&Method::GET, ["", "v1", project, "jobs"]) => Some(Route::ListJobs { project }),
        (&Method::POST, ["", "v1", project, "jobs", "check-file"]) => {
            Some(Route::CheckFile { project })
        }
        (&Method::POST, ["", "v1", project, "jobs", "import"]) => Some(Route::Import { project }),
        (&Method::GET, ["", "v1", project, "system-tasks", task]) => {
            Some(Route::SystemTask { project, task })
        }
        (&Method::GET, ["", "v1", project, "scripts"]) => Some(Route::ListScripts { project }),
        (&Method::GET, ["", "v1", project, "instances"]) => Some(Route::Instances { project }),
        (&Method::GET, ["", "v1", project, "workspaces", instance]) if !instance.is_empty() => {
            Some(Route::Workspaces { project, instance })
        }
        (&Method::GET, ["", "v3", "projects"]) => Some(Route::Projects),
        _ => None,
    }
}

/// Route → authenticate → throttle → project → the API.
pub(crate) fn dispatch(state: &State, control: &Arc<ConnControl>, req: &Req<'_>) -> Outcome {
    let Some(route) = route(req.method, req.path) else {
        return gateway_error(
            StatusCode::NOT_FOUND,
            "APIGW.0101",
            "The API does not exist or has not been published in the environment",
            req.request_id,
        )
        .into();
    };
    if let Err(detail) = gateway::authenticate(state, req) {
        return gateway_error(
            StatusCode::UNAUTHORIZED,
            "APIGW.0301",
            &format!("Incorrect IAM authentication information: {detail}"),
            req.request_id,
        )
        .into();
    }
    if let Err(limit) = state.faults.throttle(req.started) {
        let mut response = json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &throttled_body(&limit, req.request_id),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        return Outcome {
            response,
            fault: Some("rate_limit"),
        };
    }
    if route
        .project()
        .is_some_and(|project| project != state.project_id)
    {
        return gateway_error(
            StatusCode::FORBIDDEN,
            "APIGW.0302",
            "The IAM user is not authorized to access the API.",
            req.request_id,
        )
        .into();
    }
    match route {
        Route::BatchExport { .. } => {
            dlf::batch_export(state, control, req, state.faults.on_export())
        }
        Route::ListJobs { .. } => dlf::list_jobs(state, req).into(),
        Route::CheckFile { .. } => import::check_file(state, req).into(),
        Route::Import { .. } => import::import(state, req).into(),
        Route::SystemTask { task, .. } => import::system_task(state, req, task).into(),
        Route::ListScripts { .. } => scripts::list_scripts(state, req).into(),
        Route::Instances { .. } => studio::instances(req).into(),
        Route::Workspaces { instance, .. } => studio::workspaces(state, req, instance).into(),
        Route::Projects => iam::projects(state, req).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert!(matches!(
            route(&Method::POST, "/v1/p/jobs/batch-export"),
            Some(Route::BatchExport { project: "p" })
        ));
        assert!(matches!(
            route(&Method::GET, "/v1/p/jobs/"),
            Some(Route::ListJobs { project: "p" })
        ));
        assert!(matches!(
            route(&Method::GET, "/v3/projects"),
            Some(Route::Projects)
        ));
        assert!(matches!(
            route(&Method::GET, "/v1/p/scripts"),
            Some(Route::ListScripts { project: "p" })
        ));
        assert!(matches!(
            route(&Method::GET, "/v1/p/instances"),
            Some(Route::Instances { project: "p" })
        ));
        assert!(matches!(
            route(&Method::GET, "/v1/p/workspaces/i1"),
            Some(Route::Workspaces {
                project: "p",
                instance: "i1"
            })
        ));
        assert!(route(&Method::GET, "/v1/p/jobs/batch-export").is_none());
        assert!(route(&Method::DELETE, "/v1/p/jobs").is_none());
        assert!(route(&Method::GET, "/").is_none());
        assert!(route(&Method::GET, "").is_none());
    }
}
