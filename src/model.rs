//! The DataArts Factory vocabulary shared by the client and the emulator:
//! job types, the rule for project ids, and jobs as list jobs returns them.

use serde::{Deserialize, Serialize};

/// `jobType` of list jobs, and a `.job` file's `processType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobType {
    Batch,
    RealTime,
}

impl JobType {
    /// Both types, in the order they are listed.
    pub const ALL: [JobType; 2] = [JobType::Batch, JobType::RealTime];

    /// The wire form: `BATCH`, `REAL_TIME`.
    pub fn as_api(self) -> &'static str {
        match self {
            JobType::Batch => "BATCH",
            JobType::RealTime => "REAL_TIME",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "BATCH" => Some(JobType::Batch),
            "REAL_TIME" => Some(JobType::RealTime),
            _ => None,
        }
    }
}

impl std::fmt::Display for JobType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_api())
    }
}

/// Project ids go into URL paths: letters, digits, `-` and `_` only (IAM
/// issues 32 hex digits).
pub fn is_valid_project_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A job as list jobs returns it: the fields this tool reads, typed, and the
/// object exactly as it came (for `list --json`).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedJob {
    pub name: String,
    pub job_type: Option<String>,
    pub status: Option<String>,
    pub owner: Option<String>,
    /// Epoch milliseconds.
    pub last_update_time: Option<i64>,
    pub last_update_user: Option<String>,
    pub raw: serde_json::Value,
}

impl ListedJob {
    /// Reads the fields of one listed job; `None` when it has no string `name`.
    pub fn from_value(raw: serde_json::Value) -> Option<Self> {
        let text = |key: &str| raw.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let name = text("name")?;
        Some(Self {
            job_type: text("jobType"),
            status: text("status"),
            owner: text("owner"),
            last_update_time: raw
                .get("lastUpdateTime")
                .and_then(serde_json::Value::as_i64),
            last_update_user: text("lastUpdateUser"),
            name,
            raw,
        })
    }
}

/// A job that could not be exported, imported or backed up, with the API's
/// words for why (the `failed` entries of summaries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobFailure {
    pub name: String,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
}

impl JobFailure {
    /// A failure found on our side (no API error code).
    pub fn local(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            error_code: None,
            error_msg: Some(message.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_types_round_trip_their_wire_form() {
        for job_type in JobType::ALL {
            assert_eq!(JobType::parse(job_type.as_api()), Some(job_type));
        }
        assert_eq!(JobType::parse("batch"), None);
        assert_eq!(
            serde_json::to_string(&JobType::RealTime).ok().as_deref(),
            Some("\"REAL_TIME\"")
        );
    }

    #[test]
    fn listed_jobs_need_a_name() {
        let job = ListedJob::from_value(serde_json::json!({
            "name": "a", "jobType": "BATCH", "lastUpdateTime": 5, "owner": 3
        }))
        .expect("named");
        assert_eq!(job.name, "a");
        assert_eq!(job.last_update_time, Some(5));
        assert_eq!(job.owner, None);
        assert!(ListedJob::from_value(serde_json::json!({"jobType": "BATCH"})).is_none());
    }

    #[test]
    fn project_ids_that_would_change_the_path_are_refused() {
        assert!(is_valid_project_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_valid_project_id("../x"));
        assert!(!is_valid_project_id("a/b"));
        assert!(!is_valid_project_id(""));
    }
}
