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

use super::{ApiError, Client, Prepared};

/// Names requested per page (the older documented maximum).
pub const PAGE_SIZE: u64 = 100;

/// The `jobType` values of list jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobType {
    Batch,
    RealTime,
}

impl JobType {
    pub fn as_api(self) -> &'static str {
        match self {
            JobType::Batch => "BATCH",
            JobType::RealTime => "REAL_TIME",
        }
    }
}

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
    /// The first list request for `job_type` (what `--dry-run` prints).
    pub fn prepare_list(&self, job_type: JobType, offset: u64) -> Prepared {
        let query = vec![
            ("jobType".to_string(), job_type.as_api().to_string()),
            ("limit".to_string(), PAGE_SIZE.to_string()),
            ("offset".to_string(), offset.to_string()),
        ];
        self.prepare_dlf(Method::GET, "/jobs", &query, None)
    }

    /// Every job object of `job_type`, in the server's order, each name once.
    pub async fn list_jobs(&self, job_type: JobType) -> anyhow::Result<Vec<serde_json::Value>> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut jobs = Vec::new();
        let mut unit = Unit::Records;
        let mut pages_read: u64 = 0;
        let mut total: u64;
        let mut offset: u64 = 0;
        loop {
            let page: Page = self
                .get_json(|| self.prepare_list(job_type, offset))
                .await?;
            pages_read += 1;
            total = page.total.unwrap_or(0);
            let mut added = 0u64;
            for job in page.jobs {
                let Some(name) = job.get("name").and_then(|n| n.as_str()) else {
                    return Err(ApiError::BadResponse {
                        url: self.prepare_list(job_type, offset).url.to_string(),
                        detail: "a job in the listing has no name".to_string(),
                    }
                    .into());
                };
                if seen.insert(name.to_string()) {
                    jobs.push(job);
                    added += 1;
                }
            }
            let have = seen.len() as u64;
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
