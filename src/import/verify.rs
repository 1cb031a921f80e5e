//! Each job's outcome, decided by reading the target back (the listing
//! before and after the import), never by the subtasks: their names are
//! localised sentences ("Import the job_batch job." / "导入作业[job_batch]。"),
//! used only to attach a message to a job they mention.

use std::collections::HashMap;

use serde::Serialize;

use crate::api::import::{SubTask, SystemTask, TaskStatus};

/// What an import did to one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Absent before, present now.
    Imported,
    /// Present before, policy OVERWRITE, and its `lastUpdateTime` moved.
    Overwritten,
    /// Present before, policy SKIP.
    Skipped,
    /// Absent now, or OVERWRITE left its `lastUpdateTime` unchanged.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Imported => "imported",
            Outcome::Overwritten => "overwritten",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// One job's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobResult {
    pub name: String,
    /// `None` when not verified (the run did not wait, or stopped first),
    /// or not imported at all (`not_imported`); the message says which.
    pub outcome: Option<Outcome>,
    pub message: Option<String>,
    /// The run stopped before importing the job's archive.
    #[serde(skip)]
    pub not_imported: bool,
}

impl JobResult {
    /// A job whose import started but whose outcome was not read back.
    pub fn not_verified(name: &str, why: &str) -> Self {
        Self {
            name: name.to_string(),
            outcome: None,
            message: Some(format!("not verified: {why}")),
            not_imported: false,
        }
    }

    /// A job whose archive the run never imported.
    pub fn not_imported(name: &str, why: &str) -> Self {
        Self {
            name: name.to_string(),
            outcome: None,
            message: Some(format!("not imported: {why}")),
            not_imported: true,
        }
    }
}

/// A job's `lastUpdateTime` in a listing (`None` inside: listed, no time).
pub type Listing = HashMap<String, Option<i64>>;

/// The outcome of each of `jobs`, from the target's listing `before` and
/// `after` an import with `overwrite`, with messages from `task`.
pub fn outcomes(
    jobs: &[String],
    before: &Listing,
    after: &Listing,
    overwrite: bool,
    task: Option<&SystemTask>,
) -> Vec<JobResult> {
    jobs.iter()
        .map(|name| {
            let mentioned = task.and_then(|task| subtask_for(&task.subtasks, name));
            let (outcome, fallback) = match (before.get(name), after.get(name)) {
                (_, None) => (
                    Outcome::Failed,
                    Some("absent from the target after the import"),
                ),
                (None, Some(_)) => (Outcome::Imported, None),
                (Some(_), Some(_)) if !overwrite => (Outcome::Skipped, None),
                (Some(old), Some(new)) if new.is_some() && new != old => {
                    (Outcome::Overwritten, None)
                }
                (Some(_), Some(_)) => (
                    Outcome::Failed,
                    Some("the import left its lastUpdateTime unchanged"),
                ),
            };
            let message = match outcome {
                Outcome::Failed => mentioned
                    .and_then(|sub| sub.message.clone())
                    .or_else(|| fallback.map(str::to_string)),
                _ => mentioned
                    .filter(|sub| sub.status != TaskStatus::Successful)
                    .and_then(|sub| sub.message.clone()),
            };
            JobResult {
                name: name.clone(),
                outcome: Some(outcome),
                message,
                not_imported: false,
            }
        })
        .collect()
}

/// The subtask whose name mentions `job` as a whole word (a failed one
/// first), if any.
fn subtask_for<'t>(subtasks: &'t [SubTask], job: &str) -> Option<&'t SubTask> {
    let mentioning = || subtasks.iter().filter(|sub| mentions(&sub.name, job));
    mentioning()
        .find(|sub| sub.status == TaskStatus::Failed)
        .or_else(|| mentioning().next())
}

/// Whether `sentence` holds `job` not glued to other name characters
/// (`job_a` is not mentioned by "Import the job_ab job.").
pub fn mentions(sentence: &str, job: &str) -> bool {
    if job.is_empty() {
        return false;
    }
    let is_name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut from = 0;
    while let Some(at) = sentence[from..].find(job) {
        let start = from + at;
        let end = start + job.len();
        let before = sentence[..start].chars().next_back();
        let after = sentence[end..].chars().next();
        if !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char) {
            return true;
        }
        from = start + sentence[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(pairs: &[(&str, i64)]) -> Listing {
        pairs
            .iter()
            .map(|(n, t)| (n.to_string(), Some(*t)))
            .collect()
    }

    fn task(subtasks: &[(&str, &str, &str)]) -> SystemTask {
        SystemTask::from_value(serde_json::json!({
            "id": "t", "status": "WARNING",
            "subtasks": subtasks.iter().map(|(name, status, message)| serde_json::json!({
                "name": name, "status": status, "message": message})).collect::<Vec<_>>()
        }))
        .expect("task")
    }

    #[test]
    fn outcomes_come_from_the_read_back() {
        let jobs: Vec<String> = ["new", "kept", "moved", "stuck", "lost"]
            .map(String::from)
            .to_vec();
        let before = listing(&[("kept", 1), ("moved", 1), ("stuck", 1)]);
        let after = listing(&[("new", 5), ("kept", 1), ("moved", 5), ("stuck", 1)]);
        let shown = |results: &[JobResult]| -> Vec<Option<&str>> {
            results
                .iter()
                .map(|r| r.outcome.map(Outcome::as_str))
                .collect()
        };
        let skip = outcomes(&jobs, &before, &after, false, None);
        assert_eq!(
            shown(&skip),
            [
                Some("imported"),
                Some("skipped"),
                Some("skipped"),
                Some("skipped"),
                Some("failed")
            ]
        );
        let subtasks = task(&[
            ("导入作业[lost]。", "FAILED", "locked by another user"),
            ("Import the stuck_2 job.", "FAILED", "not this one"),
        ]);
        let overwrite = outcomes(&jobs, &before, &after, true, Some(&subtasks));
        assert_eq!(
            shown(&overwrite),
            [
                Some("imported"),
                Some("failed"),
                Some("overwritten"),
                Some("failed"),
                Some("failed")
            ]
        );
        assert_eq!(
            overwrite[4].message.as_deref(),
            Some("locked by another user")
        );
        assert_eq!(
            overwrite[3].message.as_deref(),
            Some("the import left its lastUpdateTime unchanged")
        );
    }

    #[test]
    fn mentions_need_whole_names() {
        assert!(mentions("Import the job_batch job.", "job_batch"));
        assert!(mentions("导入作业[job_batch]。", "job_batch"));
        assert!(!mentions("Import the job_batch2 job.", "job_batch"));
        assert!(!mentions("Import the xjob task.", "job"));
        assert!(mentions("job, then job", "job"));
        assert!(mentions("作业 数据同步 导入", "数据同步"));
        assert!(!mentions("anything", ""));
    }
}
