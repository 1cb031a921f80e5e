//! The summary of `import` and `migrate`: per job its outcome, the tasks,
//! what was staged and kept, the requests and the time on stderr; or the
//! `--json` object on stdout.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{json, Value};

use crate::import::{Outcome, Report};
use crate::model::JobFailure;
use crate::output::{self, Printer};
use crate::text::escape_controls;

/// What `migrate` adds to the summary: its batches, and the jobs the source
/// could not export (`--keep-going`).
pub(crate) struct Migration<'a> {
    pub batches: Value,
    pub failed: &'a [JobFailure],
}

/// Prints the summary of `report` (with `migration`'s additions when
/// given); `requests` is how many requests the run sent.
pub(crate) fn print_report(
    report: &Report,
    migration: Option<Migration<'_>>,
    json: bool,
    printer: &Printer,
    requests: u32,
    started: Instant,
) -> anyhow::Result<()> {
    if json {
        return printer
            .json_value(&report_json(report, migration))
            .context("cannot write to stdout");
    }
    for line in job_lines(report)
        .into_iter()
        .chain(task_lines(report))
        .chain(staging_lines(report))
    {
        printer.info(line);
    }
    if let Some(migration) = &migration {
        crate::commands::print_failures(migration.failed, printer);
    }
    printer.info(totals_line(report, requests, started.elapsed()));
    Ok(())
}

/// The `--json` object: jobs, tasks, request ids (and `migrate`'s
/// `batches` and `failed`).
fn report_json(report: &Report, migration: Option<Migration<'_>>) -> Value {
    let mut object = json!({
        "format": 1,
        "jobs": report.jobs.iter().map(|job| json!({
            "name": job.name,
            "outcome": job.outcome.map(Outcome::as_str),
            "message": job.message,
        })).collect::<Vec<_>>(),
        "tasks": report.tasks.iter().map(|task| json!({
            "id": task.id,
            "status": task.status,
            "staging_key": task.staging_key,
        })).collect::<Vec<_>>(),
        "request_ids": report.request_ids,
        "staging_kept": report.kept,
        "staging_deleted": report.deleted,
    });
    if let (Some(migration), Some(map)) = (migration, object.as_object_mut()) {
        map.insert("batches".to_string(), migration.batches);
        map.insert("failed".to_string(), json!(migration.failed));
    }
    object
}

/// One line per job: its outcome, its name, and the message of a verified one.
fn job_lines(report: &Report) -> Vec<String> {
    report
        .jobs
        .iter()
        .map(|job| {
            let outcome = match (job.outcome, job.not_imported) {
                (Some(outcome), _) => outcome.as_str(),
                (None, true) => "not imported",
                (None, false) => "not verified",
            };
            let name = escape_controls(&job.name);
            // A job not verified or not imported: the message says why,
            // after the label that already says what.
            let message = match (&job.message, job.outcome) {
                (Some(message), Some(_)) => Some(message.as_str()),
                (Some(message), None) => message
                    .strip_prefix(outcome)
                    .and_then(|why| why.strip_prefix(": "))
                    .or(Some(message.as_str())),
                (None, _) => None,
            };
            match message {
                Some(message) => format!("{outcome:<12} {name}: {message}"),
                None => format!("{outcome:<12} {name}"),
            }
        })
        .collect()
}

/// One line per task: its id, last status and staging key.
fn task_lines(report: &Report) -> Vec<String> {
    report
        .tasks
        .iter()
        .map(|task| format!("task {} {} ({})", task.id, task.status, task.staging_key))
        .collect()
}

/// What became of the staged objects (only what happened).
fn staging_lines(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    if !report.kept.is_empty() {
        lines.push(format!("staging kept: {}", report.kept.join(", ")));
    }
    if !report.deleted.is_empty() {
        lines.push(format!(
            "staging deleted: {}",
            output::plural(report.deleted.len() as u64, "object", "objects")
        ));
    }
    lines
}

/// `6 jobs: 4 imported, 2 skipped; 9 requests in 1.2s; request ids …`.
fn totals_line(report: &Report, requests: u32, elapsed: Duration) -> String {
    let mut parts = Vec::new();
    for outcome in [
        Outcome::Imported,
        Outcome::Overwritten,
        Outcome::Skipped,
        Outcome::Failed,
    ] {
        let n = report
            .jobs
            .iter()
            .filter(|job| job.outcome == Some(outcome))
            .count();
        if n > 0 {
            parts.push(format!("{n} {}", outcome.as_str()));
        }
    }
    for (not_imported, label) in [(false, "not verified"), (true, "not imported")] {
        let n = report
            .jobs
            .iter()
            .filter(|job| job.outcome.is_none() && job.not_imported == not_imported)
            .count();
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    format!(
        "{}: {}; {} in {:.1}s{}",
        output::plural(report.jobs.len() as u64, "job", "jobs"),
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        },
        output::plural(u64::from(requests), "request", "requests"),
        elapsed.as_secs_f64(),
        if report.request_ids.is_empty() {
            String::new()
        } else {
            format!(
                "; request ids {}",
                output::name_list(&report.request_ids, 5)
            )
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{JobResult, TaskReport};

    fn report() -> Report {
        let job = |name: &str, outcome, message: Option<&str>| JobResult {
            name: name.into(),
            outcome,
            message: message.map(str::to_string),
            not_imported: false,
        };
        Report {
            jobs: vec![
                job("a", Some(Outcome::Imported), None),
                job("b", Some(Outcome::Failed), Some("locked")),
                job("c\x1b", None, Some("not verified: the run did not wait")),
                JobResult::not_imported("d", "the run stopped before importing its archive"),
            ],
            tasks: vec![TaskReport {
                id: "t1".into(),
                status: "WARNING".into(),
                staging_key: "obs://b/run/1.zip".into(),
                jobs: vec!["a".into(), "b".into(), "c".into()],
            }],
            request_ids: vec!["r1".into(), "r2".into()],
            deleted: vec!["obs://b/run/1.zip".into()],
            kept: vec!["obs://b/run/2.zip".into()],
            imports_sent: true,
        }
    }

    #[test]
    fn the_summary_for_people_has_every_section() {
        let report = report();
        assert_eq!(
            job_lines(&report),
            [
                "imported     a",
                "failed       b: locked",
                "not verified c\\u{1b}: the run did not wait",
                "not imported d: the run stopped before importing its archive",
            ]
        );
        assert_eq!(task_lines(&report), ["task t1 WARNING (obs://b/run/1.zip)"]);
        assert_eq!(
            staging_lines(&report),
            [
                "staging kept: obs://b/run/2.zip",
                "staging deleted: 1 object"
            ]
        );
        assert_eq!(
            totals_line(&report, 9, Duration::from_millis(1250)),
            "4 jobs: 1 imported, 1 failed, 1 not verified, 1 not imported; 9 requests in 1.2s; request ids r1, r2"
        );
        assert_eq!(
            totals_line(&Report::default(), 1, Duration::ZERO),
            "0 jobs: none; 1 request in 0.0s"
        );
    }

    #[test]
    fn the_summary_as_json_adds_batches_when_given() {
        let report = report();
        let json = report_json(&report, None);
        assert_eq!(json["format"], 1);
        assert_eq!(
            json["jobs"][1],
            json!({"name": "b", "outcome": "failed", "message": "locked"})
        );
        assert_eq!(json["jobs"][2]["outcome"], Value::Null);
        assert_eq!(
            json["tasks"][0],
            json!({"id": "t1", "status": "WARNING", "staging_key": "obs://b/run/1.zip"})
        );
        assert_eq!(json["request_ids"], json!(["r1", "r2"]));
        assert!(json.get("batches").is_none());
        let batches = json!([{"jobs": ["a"], "task_id": "t1"}]);
        let failed = [JobFailure::local("x", "not in the source")];
        let migrated = report_json(
            &report,
            Some(Migration {
                batches: batches.clone(),
                failed: &failed,
            }),
        );
        assert_eq!(migrated["batches"], batches);
        assert_eq!(
            migrated["failed"],
            json!([{"name": "x", "error_code": null, "error_msg": "not in the source"}])
        );
    }
}
