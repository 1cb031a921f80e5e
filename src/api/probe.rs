//! One signed request to check a connection (`doctor`): list jobs with
//! `limit=1`, and the server's clock from its `Date` header.

use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use serde::Deserialize;

use super::{ApiError, Client};
use crate::http::{self, BodyFailure, Outcome, MAX_JSON_BODY};

/// What the check found.
#[derive(Debug)]
pub struct Probe {
    /// The listing's `total` of batch jobs, or why the request failed.
    pub result: Result<Option<u64>, ApiError>,
    /// The server's `Date` header, when it sent one.
    pub server_date: Option<SystemTime>,
    /// When the answer arrived, by this machine's clock.
    pub local_date: SystemTime,
    pub elapsed: Duration,
}

impl Probe {
    /// Server time minus local time, in whole seconds (the `Date` header's
    /// resolution), when the server said.
    pub fn clock_offset(&self) -> Option<i64> {
        let server = self.server_date?;
        Some(match server.duration_since(self.local_date) {
            Ok(ahead) => i64::try_from(ahead.as_secs()).unwrap_or(i64::MAX),
            Err(behind) => -i64::try_from(behind.duration().as_secs()).unwrap_or(i64::MAX),
        })
    }
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    total: Option<u64>,
}

impl Client {
    /// Sends one `GET .../jobs?jobType=BATCH&limit=1&offset=0`, once.
    pub async fn probe(&self) -> Probe {
        let query = vec![
            ("jobType".to_string(), "BATCH".to_string()),
            ("limit".to_string(), "1".to_string()),
            ("offset".to_string(), "0".to_string()),
        ];
        let prepared = self.prepare_project(Method::GET, "/jobs", &query, None);
        let started = Instant::now();
        let response = match self.transport().send(&prepared).await {
            Ok(response) => response,
            Err(error) => {
                return Probe {
                    result: Err(error.into()),
                    server_date: None,
                    local_date: SystemTime::now(),
                    elapsed: started.elapsed(),
                }
            }
        };
        let local_date = SystemTime::now();
        let server_date = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| httpdate::parse_http_date(value).ok());
        let result = if response.status().is_success() {
            let status = response.status().as_u16();
            let request_id = http::request_id(&response);
            match http::read_limited(response, MAX_JSON_BODY, self.transport().timeout()).await {
                Ok(body) => {
                    self.transport().trace_done(
                        &prepared,
                        &Outcome {
                            status,
                            bytes: body.len() as u64,
                            request_id: request_id.as_deref(),
                            attempt: 1,
                            started,
                        },
                    );
                    serde_json::from_slice::<Page>(&body)
                        .map(|page| page.total)
                        .map_err(|error| ApiError::BadResponse {
                            url: prepared.url.to_string(),
                            detail: error.to_string(),
                        })
                }
                Err(BodyFailure::TooLarge { limit }) => Err(ApiError::TooLarge {
                    url: prepared.url.to_string(),
                    limit,
                }),
                Err(BodyFailure::TooSlow { bytes, seconds }) => Err(ApiError::TooSlow {
                    url: prepared.url.to_string(),
                    bytes,
                    seconds,
                }),
                Err(BodyFailure::Cut(detail)) => Err(ApiError::Truncated {
                    url: prepared.url.to_string(),
                    detail,
                }),
            }
        } else {
            let error = self.read_error(&prepared, response).await;
            self.trace_failed(&prepared, 1, started, &error);
            Err(error)
        };
        Probe {
            result,
            server_date,
            local_date,
            elapsed: started.elapsed(),
        }
    }
}
