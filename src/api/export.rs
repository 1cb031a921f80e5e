//! Batch export (`POST /v1/{project_id}/jobs/batch-export`), streamed to a file.

use std::time::Instant;

use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;

use super::Client;
use crate::download::{self, BodyError, DownloadError, Limits, Progress, Written};
use crate::http::{Outcome, Prepared, Retryable};

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
        self.prepare_project(
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
        let mut attempts = self.transport().attempts();
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
            let request_id = crate::http::request_id(&response);
            match download::write_body(response, file, limits, progress).await {
                Ok(written) => {
                    self.transport().trace_done(
                        &prepared,
                        &Outcome {
                            status,
                            bytes: written.bytes,
                            request_id: request_id.as_deref(),
                            attempt,
                            started,
                        },
                    );
                    return Ok(written);
                }
                Err(BodyError::Io(error)) => return Err(error),
                Err(BodyError::Archive(error)) => {
                    return Err(anyhow::Error::new(error)
                        .context("the archive the server returned was refused"))
                }
                Err(BodyError::Download(error)) => {
                    // What a proxy or gateway answered may echo our request.
                    let error = match error {
                        DownloadError::NotZip {
                            status,
                            first_bytes,
                            request_id,
                        } => DownloadError::NotZip {
                            status,
                            first_bytes: self.transport().redact(&prepared, &first_bytes),
                            request_id,
                        },
                        other => other,
                    };
                    self.transport().trace_failed(
                        &prepared,
                        attempt,
                        started,
                        &format!("failed: {error}"),
                    );
                    attempts.after_failure(error).await?;
                }
            }
        }
    }
}

impl Retryable for DownloadError {
    fn is_transient(&self) -> bool {
        DownloadError::is_transient(self)
    }

    fn brief(&self) -> String {
        match self {
            DownloadError::CutShort { .. } => "a body cut short".to_string(),
            DownloadError::TooSlow { .. } => "a body arriving too slowly".to_string(),
            DownloadError::Stalled { .. } => "a body that stopped arriving".to_string(),
            other => other.to_string(),
        }
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
