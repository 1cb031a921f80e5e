//! List jobs (`GET /v1/{project_id}/jobs`), every page, both job types.
//!
//! The docs leave `offset`'s unit unclear (records or pages). We ask for
//! `offset=0`, then `offset=<records so far>`; if that second page repeats
//! names already seen or is empty while `total` says more exist, we continue
//! with page numbers instead. Paging stops at `total` or at a page that adds no
//! new name, and ending short of `total` is an error.

use std::collections::HashSet;

use reqwest::Method;
use serde::Deserialize;

use super::{ApiError, Client};
use crate::http::Prepared;
use crate::model::{JobType, ListedJob};

/// Names requested per page (the older documented maximum).
pub const PAGE_SIZE: u64 = 100;
/// No workspace lists more jobs than this; a `total` above it is a broken server.
pub const MAX_JOBS: u64 = 1_000_000;

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    total: Option<u64>,
    #[serde(default)]
    jobs: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Records,
    Pages,
}

impl Client {
    /// The list request for `job_type` at `offset` (what `--dry-run` prints).
    pub fn prepare_list(&self, job_type: JobType, offset: u64) -> Prepared {
        let query = vec![
            ("jobType".to_string(), job_type.as_api().to_string()),
            ("limit".to_string(), PAGE_SIZE.to_string()),
            ("offset".to_string(), offset.to_string()),
        ];
        self.prepare_project(Method::GET, "/jobs", &query, None)
    }

    /// Every job of `job_type`, in the server's order, each name once.
    /// `progress` is told the names found so far and the server's total.
    pub async fn list_jobs(
        &self,
        job_type: JobType,
        progress: &(dyn Fn(u64, Option<u64>) + Sync),
    ) -> anyhow::Result<Vec<ListedJob>> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut jobs = Vec::new();
        let mut unit = Unit::Records;
        let mut pages_read: u64 = 0;
        let mut total: u64;
        let mut offset: u64 = 0;
        loop {
            let page: Page = self
                .call_json(|| self.prepare_list(job_type, offset))
                .await?;
            pages_read += 1;
            total = page.total.unwrap_or(0);
            if total > MAX_JOBS {
                return Err(ApiError::EndlessListing {
                    job_type: job_type.as_api().to_string(),
                    total,
                    limit: MAX_JOBS,
                }
                .into());
            }
            let mut added = 0u64;
            for raw in page.jobs {
                let Some(job) = ListedJob::from_value(raw) else {
                    return Err(ApiError::BadResponse {
                        url: self.prepare_list(job_type, offset).url.to_string(),
                        detail: "a job in the listing has no name".to_string(),
                    }
                    .into());
                };
                if seen.insert(job.name.clone()) {
                    jobs.push(job);
                    added += 1;
                }
            }
            let have = seen.len() as u64;
            progress(have, page.total);
            if have >= total {
                break;
            }
            if added == 0 {
                // The second page under record offsets added nothing: the
                // server counts pages. Anything else: the server is done.
                if unit == Unit::Records && pages_read == 2 {
                    unit = Unit::Pages;
                    offset = 1;
                    continue;
                }
                break;
            }
            // Never loop forever: no more pages than names could need.
            if pages_read > total + 2 {
                break;
            }
            offset = match unit {
                Unit::Records => have,
                Unit::Pages => offset + 1,
            };
        }
        let found = seen.len() as u64;
        if found < total {
            return Err(ApiError::IncompleteListing {
                job_type: job_type.as_api().to_string(),
                total,
                found,
            }
            .into());
        }
        Ok(jobs)
    }
}
