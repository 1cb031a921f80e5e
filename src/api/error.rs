//! Errors of the DataArts API clients (DLF, IAM, Management Center). Each
//! variant states what happened; the CLI edge (`exit.rs`) maps it to an exit
//! code and a hint.

use std::time::Duration;

use super::list::Listed;
use crate::http::status::Class;
use crate::http::{Retryable, TransportError};

/// A failure talking to a DataArts API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with a non-2xx status.
    #[error("{}", status_message(*status, error_code.as_deref(), error_msg.as_deref(), request_id.as_deref(), method, url))]
    Status {
        method: String,
        url: String,
        status: u16,
        /// Server text, escaped and with our secrets redacted.
        error_code: Option<String>,
        error_msg: Option<String>,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },
    /// Connect, TLS, timeout or another transport failure.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The body ended before it was complete.
    #[error("the response body from {url} was cut short: {detail}")]
    Truncated { url: String, detail: String },
    /// The archive the server returned lacks jobs that were asked for.
    #[error("the archive the server returned does not hold {}: {}", if jobs.len() == 1 { "the job" } else { "the jobs" }, crate::output::name_list(jobs, 10))]
    MissingFromArchive { jobs: Vec<String> },
    /// A JSON answer larger than the limit.
    #[error("the answer from {url} is larger than {} (a broken or hostile server?)", crate::output::size(*limit))]
    TooLarge { url: String, limit: u64 },
    /// A body that trickled in slower than the minimum rate.
    #[error("the answer from {url} arrived too slowly ({bytes} bytes in {seconds}s)")]
    TooSlow {
        url: String,
        bytes: u64,
        seconds: u64,
    },
    /// A 2xx JSON answer that does not have the documented shape.
    #[error("unexpected answer from {url}: {detail}")]
    BadResponse { url: String, detail: String },
    /// Paging ended with fewer distinct names than the server's `total`.
    #[error("incomplete {} listing: the server reported {total} {listing} but paging returned {found} distinct names; refusing to continue with a partial list", listing.noun())]
    IncompleteListing {
        listing: Listed,
        total: u64,
        found: u64,
    },
    /// Paging would go on past the limit of names one workspace may list.
    #[error("the listing of {listing} does not end: more than {limit} names, or a `total` of {total}; refusing to page on")]
    EndlessListing {
        listing: Listed,
        total: u64,
        limit: u64,
    },
    /// IAM knows no project named after the region.
    #[error("IAM at {iam} found no project named {region}")]
    ProjectNotFound { iam: String, region: String },
    /// IAM knows several.
    #[error("IAM at {iam} found {} projects named {region} ({})", projects.len(), projects.join(", "))]
    SeveralProjects {
        iam: String,
        region: String,
        projects: Vec<String>,
    },
    /// No workspace has the name given.
    #[error(
        "no workspace named `{name}` in this project; workspaces:{}",
        list(candidates)
    )]
    NoSuchWorkspace {
        name: String,
        suggestion: Option<String>,
        candidates: Vec<String>,
    },
    /// Several workspaces have the name given.
    #[error("several workspaces are named `{name}`:{}", list(candidates))]
    AmbiguousWorkspace {
        name: String,
        candidates: Vec<String>,
    },
    /// IAM answered with an id this tool will not put into a URL.
    #[error("IAM at {iam} answered with the project id {id:?}, which is not a project id")]
    BadProjectId { iam: String, id: String },
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return " none".to_string();
    }
    items.iter().map(|item| format!("\n  - {item}")).collect()
}

fn status_message(
    status: u16,
    code: Option<&str>,
    msg: Option<&str>,
    request_id: Option<&str>,
    method: &str,
    url: &str,
) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let what = match (code, msg) {
        (Some(code), Some(msg)) => format!("{code}: {msg}"),
        (Some(code), None) => code.to_string(),
        (None, Some(msg)) => msg.to_string(),
        (None, None) => "no error details in the response".to_string(),
    };
    // A server error refused nothing: the request may have been acted on.
    let verdict = if status >= 500 {
        "failed"
    } else {
        "was refused"
    };
    format!(
        "{method} {url} {verdict}: {what} (HTTP {status} {reason}, request id {})",
        request_id.unwrap_or("none")
    )
}

impl ApiError {
    /// A bare refusal with `status`, for tests.
    #[cfg(test)]
    pub(crate) fn with_status(status: u16) -> Self {
        ApiError::Status {
            method: "POST".into(),
            url: "http://127.0.0.1/".into(),
            status,
            error_code: None,
            error_msg: None,
            request_id: None,
            retry_after: None,
        }
    }

    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The status's class, for errors that have one.
    pub fn class(&self) -> Option<Class> {
        self.status().map(Class::of)
    }

    /// The API's `error_code`, for errors that have one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            ApiError::Status { error_code, .. } => error_code.as_deref(),
            _ => None,
        }
    }

    /// The API's `error_msg`, for errors that have one.
    pub fn error_msg(&self) -> Option<&str> {
        match self {
            ApiError::Status { error_msg, .. } => error_msg.as_deref(),
            _ => None,
        }
    }

    /// The request id, for errors that have one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Status { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the API refused the names of a batch (a split may isolate them).
    pub fn is_refusal(&self) -> bool {
        self.class().is_some_and(Class::is_refusal)
    }
}

impl Retryable for ApiError {
    fn is_transient(&self) -> bool {
        match self {
            ApiError::Status { status, .. } => Class::of(*status).is_transient(),
            ApiError::Transport(transport) => transport.transient,
            ApiError::Truncated { .. } | ApiError::TooSlow { .. } => true,
            ApiError::TooLarge { .. }
            | ApiError::MissingFromArchive { .. }
            | ApiError::BadResponse { .. }
            | ApiError::IncompleteListing { .. }
            | ApiError::EndlessListing { .. }
            | ApiError::ProjectNotFound { .. }
            | ApiError::SeveralProjects { .. }
            | ApiError::NoSuchWorkspace { .. }
            | ApiError::AmbiguousWorkspace { .. }
            | ApiError::BadProjectId { .. } => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    fn brief(&self) -> String {
        match self {
            ApiError::Status { status, .. } => format!("HTTP {status}"),
            ApiError::Transport(transport) => match transport.kind {
                crate::http::FailureKind::Connect => "a connection error".to_string(),
                crate::http::FailureKind::Timeout => "a timeout".to_string(),
                _ => "a transport error".to_string(),
            },
            ApiError::Truncated { .. } => "a body cut short".to_string(),
            ApiError::TooSlow { .. } => "a body arriving too slowly".to_string(),
            other => other.to_string(),
        }
    }
}

impl Retryable for TransportError {
    fn is_transient(&self) -> bool {
        self.transient
    }

    fn brief(&self) -> String {
        ApiError::Transport(self.clone()).brief()
    }
}
