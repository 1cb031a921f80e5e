//! Errors of the DataArts API client. Each variant carries what the user needs
//! to see; `exit.rs` maps them to exit codes.

use std::time::Duration;

/// A failure talking to the API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with a non-2xx status.
    #[error("{}", status_message(*status, error_code.as_deref(), error_msg.as_deref(), request_id.as_deref(), method, url))]
    Status {
        method: String,
        url: String,
        status: u16,
        error_code: Option<String>,
        error_msg: Option<String>,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },
    /// Connect, TLS, timeout or another transport failure.
    #[error("request to {url} failed: {detail}")]
    Transport {
        url: String,
        detail: String,
        transient: bool,
    },
    /// The body ended before it was complete.
    #[error("the response body from {url} was cut short: {detail}")]
    Truncated { url: String, detail: String },
    /// A 2xx body that is not a zip archive.
    #[error("the server answered {status} but the body is not a zip archive; it starts with: {first_bytes}{}", request_suffix(request_id.as_deref()))]
    NotZip {
        status: u16,
        first_bytes: String,
        request_id: Option<String>,
    },
    /// A 2xx JSON answer that does not have the documented shape.
    #[error("unexpected answer from {url}: {detail}")]
    BadResponse { url: String, detail: String },
    /// Paging ended with fewer distinct jobs than the server's `total`.
    #[error("incomplete job listing: the server reported {total} {job_type} jobs but paging returned {found} distinct names; refusing to continue with a partial list")]
    IncompleteListing {
        job_type: String,
        total: u64,
        found: u64,
    },
}

fn request_suffix(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
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
    format!(
        "{method} {url} was refused: {what} (HTTP {status} {reason}, request id {})",
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

    /// Whether another attempt may succeed (the export request is read-only).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Status { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            ApiError::Transport { transient, .. } => *transient,
            ApiError::Truncated { .. } => true,
            ApiError::NotZip { .. }
            | ApiError::BadResponse { .. }
            | ApiError::IncompleteListing { .. } => false,
        }
    }

    /// The delay the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API's `error_code`, for errors that have one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            ApiError::Status { error_code, .. } => error_code.as_deref(),
            _ => None,
        }
    }

    /// What to try next, where there is something useful to say.
    pub fn hint(&self) -> Option<String> {
        let ApiError::Status {
            status, error_code, ..
        } = self
        else {
            return match self {
                ApiError::Transport { detail, .. } if detail.contains("CaUsedAsEndEntity") => Some(
                    "the server presents a CA certificate as its own; reissue the server certificate \
                     with basicConstraints CA:FALSE, signed by the CA you pass with --ca-cert"
                        .to_string(),
                ),
                ApiError::Transport { detail, .. } if detail.contains("certificate") => Some(
                    "the server's TLS certificate is not trusted: pass --ca-cert PEM with the CA \
                     that issued it, or check that the endpoint is right"
                        .to_string(),
                ),
                ApiError::Transport { .. } => Some(
                    "check the endpoint (--endpoint or --region), the network and HTTPS_PROXY/NO_PROXY"
                        .to_string(),
                ),
                _ => None,
            };
        };
        let code = error_code.as_deref().unwrap_or("");
        Some(match (*status, code) {
            (401, "APIGW.0301") | (401, _) => {
                "the gateway refused the credentials: check the AK/SK (or token) \
                 and that this machine's clock is right (signatures expire after 15 minutes); \
                 -vv shows what was signed"
                    .to_string()
            }
            (403, _) => {
                "the credentials are valid but not allowed here: check the project id, the \
                 workspace (--workspace) and the IAM user's DataArts Studio permissions"
                    .to_string()
            }
            (404, _) => {
                "no such API at this endpoint: check --endpoint or --region (APIGW.0101 means \
                 the host or path is wrong)"
                    .to_string()
            }
            (400, "DLF.0100") => "a job does not exist in this workspace: check the names with \
                 `dataarts-jobs list`, or pass --keep-going to export the rest"
                .to_string(),
            (400, "DLF.3051") => "the request was refused as invalid: check the job names and the \
                 workspace id"
                .to_string(),
            (429, _) => {
                "the API is throttling requests: lower --parallel, or retry later".to_string()
            }
            (500..=599, _) => {
                "the service failed; retry later (--retries sets how often)".to_string()
            }
            _ => return None,
        })
    }
}
