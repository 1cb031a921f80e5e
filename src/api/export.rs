//! Batch export (`POST /v1/{project_id}/jobs/batch-export`), streamed to a file.

use std::time::Instant;

use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;

use super::{ApiError, Client, Prepared};
use crate::download::{self, BodyError, DownloadError, Limits, Progress, Written};

/// The request body (dgc `ExportJobsReq`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest<'a> {
    pub job_list: &'a [String],
    pub export_depend: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_status: Option<&'static str>,
}

impl ExportRequest<'_> {
    /// The exact bytes that are hashed, signed and sent.
    pub fn body(&self) -> Bytes {
        // Serialising a struct of strings and bools cannot fail.
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}

impl Client {
    pub fn prepare_export(&self, request: &ExportRequest<'_>) -> Prepared {
        self.prepare_dlf(
            Method::POST,
            "/jobs/batch-export",
            &[],
            Some(request.body()),
        )
    }

    /// Exports one batch into `file` (truncated first), retrying transient
    /// failures (the download's own verdict, [`DownloadError::is_transient`]),
    /// within `limits`, and checks that the result is a complete zip.
    pub async fn export_to(
        &self,
        request: &ExportRequest<'_>,
        file: &mut download::Target,
        limits: &Limits,
        progress: &dyn Progress,
    ) -> anyhow::Result<Written> {
        let mut attempts = self.retry.start();
        loop {
            let prepared = self.prepare_export(request);
            let started = Instant::now();
            let attempt = attempts.number();
            let response = match self.send(&prepared, attempt, started).await {
                Ok(response) => response,
                Err(error) => {
                    attempts.after_failure(error).await?;
                    continue;
                }
            };
            let status = response.status().as_u16();
            let request_id = super::request_id(&response);
            match download::write_body(response, file, limits, progress).await {
                Ok(written) => {
                    self.trace_done(
                        &prepared,
                        attempt,
                        started,
                        status,
                        request_id.as_deref(),
                        written.bytes,
                    );
                    return Ok(written);
                }
                Err(BodyError::Io(error)) => return Err(error),
                Err(BodyError::Archive(error)) => return Err(error.into()),
                Err(BodyError::Download(error)) => {
                    let mirror = as_api_error(&error, prepared.url.as_str());
                    self.trace_failed(&prepared, attempt, started, &mirror);
                    let transient = error.is_transient();
                    attempts.after(mirror.into(), transient, None).await?;
                }
            }
        }
    }
}

/// The [`ApiError`] a failed download is reported as, so that the exit-code
/// table (`exit.rs`, which knows `ApiError` but not yet [`DownloadError`])
/// gives it exit 5, stating the same facts. Transitional: once
/// `exit.rs` maps `DownloadError` (to 5), report the `DownloadError` itself
/// (`attempts.after(error.into(), ...)`) and delete this.
fn as_api_error(error: &DownloadError, url: &str) -> ApiError {
    match error {
        DownloadError::NotZip {
            status,
            first_bytes,
            request_id,
        } => ApiError::NotZip {
            status: *status,
            first_bytes: first_bytes.clone(),
            request_id: request_id.clone(),
        },
        DownloadError::CutShort { url, detail } => ApiError::Truncated {
            url: url.clone(),
            detail: detail.clone(),
        },
        DownloadError::TooSlow {
            received, window, ..
        } => ApiError::Transport {
            url: url.to_string(),
            detail: format!(
                "the body timed out: {received} bytes in {:.0}s, slower than {} bytes/s",
                window.as_secs_f64(),
                download::MIN_RATE
            ),
            transient: true,
        },
        DownloadError::TooLarge { max, declared, .. } => ApiError::BadResponse {
            url: url.to_string(),
            detail: match declared {
                Some(n) => format!(
                    "the body is larger than the limit of {max} bytes (it announced {n} bytes)"
                ),
                None => format!("the body is larger than the limit of {max} bytes"),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_documented_keys() {
        let names = vec!["job_batch".to_string(), "数据".to_string()];
        let request = ExportRequest {
            job_list: &names,
            export_depend: true,
            export_status: None,
        };
        assert_eq!(
            std::str::from_utf8(&request.body()).expect("utf-8"),
            r#"{"jobList":["job_batch","数据"],"exportDepend":true}"#
        );
        let submitted = ExportRequest {
            job_list: &names[..1],
            export_depend: false,
            export_status: Some("SUBMIT"),
        };
        assert_eq!(
            std::str::from_utf8(&submitted.body()).expect("utf-8"),
            r#"{"jobList":["job_batch"],"exportDepend":false,"exportStatus":"SUBMIT"}"#
        );
    }
}
