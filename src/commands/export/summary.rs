//! What an export produced: the `--json` summary, the text summary, and the
//! names that failed.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::api::ApiError;
use crate::exit::PartialExport;
use crate::ui::{self, Ui};

use super::Plan;

/// A name the API refused, with its error (`--keep-going`).
#[derive(Debug, Clone, Serialize)]
pub struct Failed {
    pub name: String,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
}

impl Failed {
    pub(super) fn new(name: &str, refusal: &ApiError) -> Self {
        Self {
            name: name.to_string(),
            error_code: refusal.error_code().map(str::to_string),
            error_msg: match refusal {
                ApiError::Status { error_msg, .. } => error_msg.clone(),
                other => Some(other.to_string()),
            },
        }
    }
}

/// What an export produced (`--json` prints it).
#[derive(Debug, Serialize)]
pub struct Summary {
    pub jobs: Vec<String>,
    pub requested: usize,
    /// Export requests sent, retries included.
    pub requests: u32,
    pub files: usize,
    pub bytes: u64,
    pub archive: Option<String>,
    pub extracted_to: Option<String>,
    pub extracted: Option<BTreeMap<String, Vec<String>>>,
    /// Every file extracted (under `jobs/`, `scripts/` and `resources/`).
    #[serde(skip)]
    pub extracted_files: Option<u64>,
    pub failed: Vec<Failed>,
    pub seconds: f64,
}

pub(super) fn print_failures(failed: &[Failed], ui: &Ui) {
    for failure in failed {
        ui.info(format!(
            "failed: {}: {} {}",
            failure.name,
            failure.error_code.as_deref().unwrap_or("-"),
            failure.error_msg.as_deref().unwrap_or("")
        ));
    }
}

/// Prints the summary (text on stderr, or JSON on stdout) and turns
/// `--keep-going` failures into exit 4.
pub fn report(plan: &Plan, summary: &Summary, ui: &Ui) -> anyhow::Result<()> {
    if plan.json {
        let text = serde_json::to_string_pretty(summary).context("cannot render the summary")?;
        println!("{text}");
    } else {
        let requests = summary.requests;
        let archive = match &summary.archive {
            Some(path) if path == "-" => " to stdout".to_string(),
            Some(path) => format!(" into {path}"),
            None => String::new(),
        };
        ui.info(format!(
            "exported {} {} ({}; {} {}, {}){archive} with {requests} {} in {:.1}s",
            summary.jobs.len(),
            plural(summary.jobs.len(), "job", "jobs"),
            name_list(&summary.jobs),
            summary.files,
            plural(summary.files, "file", "files"),
            ui::human_bytes(summary.bytes),
            plural(requests as usize, "request", "requests"),
            summary.seconds
        ));
        if let (Some(dir), Some(jobs)) = (&summary.extracted_to, &summary.extracted) {
            let in_jobs: usize = jobs.values().map(Vec::len).sum();
            let files = summary
                .extracted_files
                .map_or(in_jobs, |n| usize::try_from(n).unwrap_or(usize::MAX));
            let place = if files == in_jobs {
                Path::new(dir).join("jobs")
            } else {
                Path::new(dir).to_path_buf()
            };
            ui.info(format!(
                "extracted {} {} into {}",
                files,
                plural(files, "file", "files"),
                place.display()
            ));
            for (job, files) in jobs {
                ui.info(format!("  {job}/: {}", files.join(", ")));
            }
        }
        print_failures(&summary.failed, ui);
    }
    if summary.failed.is_empty() {
        Ok(())
    } else {
        Err(PartialExport {
            failed: summary.failed.len(),
            requested: summary.requested,
        }
        .into())
    }
}

/// `a, b, c` or, for long lists, `a, b, c, d, e and 95 more`.
fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    if names.len() <= SHOWN + 1 {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}
