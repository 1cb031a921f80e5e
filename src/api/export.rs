//! Batch export (`POST /v1/{project_id}/jobs/batch-export`), streamed to a file.

use std::time::Instant;

use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;

use super::Client;
use crate::download::{self, BodyError, Progress, Written};
use crate::http::{Outcome, Prepared};

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
    /// failures, and checks that the result is a complete zip.
    pub async fn export_to(
        &self,
        request: &ExportRequest<'_>,
        file: &mut download::Target,
        progress: &dyn Progress,
    ) -> anyhow::Result<Written> {
        let mut attempts = self.transport().attempts();
        loop {
            let prepared = self.prepare_export(request);
            let started = Instant::now();
            let attempt = attempts.number();
            let error = match self.send(&prepared, attempt, started).await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let request_id = crate::http::request_id(&response);
                    match download::write_body(response, file, progress).await {
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
                        Err(BodyError::Api(error)) => {
                            self.trace_failed(&prepared, attempt, started, &error);
                            error
                        }
                    }
                }
                Err(error) => error,
            };
            attempts.after_failure(error).await?;
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
