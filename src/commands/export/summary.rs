//! What an export produced: the text summary on stderr, the `--json`
//! summary on stdout, and the jobs that failed.

use std::collections::BTreeMap;

use anyhow::Context as _;
use serde::Serialize;

use crate::archive::Extracted;
use crate::commands::PartialFailure;
use crate::http::Prepared;
use crate::model::JobFailure;
use crate::output::{self, Printer};

use super::ExportPlan;

/// What an export produced.
#[derive(Debug)]
pub struct Summary {
    /// The jobs in the archive, in the order asked for.
    pub exported: Vec<String>,
    /// Job name → its files in the archive.
    pub jobs: BTreeMap<String, Vec<String>>,
    /// Jobs asked for (exported and failed).
    pub requested: usize,
    /// Where the archive went: a path, `-` for stdout, `None` with `--no-archive`.
    pub archive: Option<String>,
    pub archive_bytes: u64,
    pub extracted: Option<Extracted>,
    pub failed: Vec<JobFailure>,
    /// HTTP requests of the whole run (lookups, listing, retries included).
    pub requests: u32,
    /// Wall time of the whole run.
    pub seconds: f64,
}

/// `export --json` (README "JSON output").
#[derive(Serialize)]
struct Json<'a> {
    format: u32,
    jobs: Vec<JobJson<'a>>,
    requested: usize,
    files: usize,
    archive: Option<&'a str>,
    archive_bytes: u64,
    extracted_to: Option<String>,
    extracted_files: Option<u64>,
    extracted_bytes: Option<u64>,
    failed: &'a [JobFailure],
    requests: u32,
    seconds: f64,
}

#[derive(Serialize)]
struct JobJson<'a> {
    name: &'a str,
    files: &'a [String],
}

impl Summary {
    fn json(&self) -> Json<'_> {
        Json {
            format: 1,
            jobs: self
                .exported
                .iter()
                .map(|name| JobJson {
                    name,
                    files: self.jobs.get(name).map(Vec::as_slice).unwrap_or_default(),
                })
                .collect(),
            requested: self.requested,
            files: self.files(),
            archive: self.archive.as_deref(),
            archive_bytes: self.archive_bytes,
            extracted_to: self.extracted.as_ref().map(|e| e.dir.display().to_string()),
            extracted_files: self.extracted.as_ref().map(|e| e.files),
            extracted_bytes: self.extracted.as_ref().map(|e| e.bytes),
            failed: &self.failed,
            requests: self.requests,
            seconds: self.seconds,
        }
    }

    /// Files of the exported jobs in the archive.
    fn files(&self) -> usize {
        self.exported
            .iter()
            .map(|name| self.jobs.get(name).map_or(0, Vec::len))
            .sum()
    }

    /// The one-line text summary; `stdout_closed`: the reader of stdout
    /// went away before the archive was all written.
    fn line(&self, stdout_closed: bool) -> String {
        let files = self.files();
        let destination = match self.archive.as_deref() {
            Some("-") if stdout_closed => {
                " to stdout, which its reader closed before the end".to_string()
            }
            Some("-") => " to stdout".to_string(),
            Some(path) => format!(" into {path}"),
            None => String::new(),
        };
        let mut line = format!(
            "exported {} ({}){destination}: {}, {}",
            output::plural(self.exported.len() as u64, "job", "jobs"),
            output::name_list(&self.exported, 10),
            output::plural(files as u64, "file", "files"),
            output::size(self.archive_bytes),
        );
        if let Some(extracted) = &self.extracted {
            line.push_str(&format!(
                "; extracted {} ({}) into {}",
                output::plural(extracted.files, "file", "files"),
                output::size(extracted.bytes),
                extracted.dir.display()
            ));
        }
        line.push_str(&format!(
            "; {} in {:.1}s",
            output::plural(u64::from(self.requests), "request", "requests"),
            self.seconds
        ));
        line
    }
}

/// Prints the summary (text on stderr, or JSON on stdout) and turns
/// failures into exit 4.
pub(super) fn report(
    plan: &ExportPlan,
    summary: &Summary,
    printer: &Printer,
) -> anyhow::Result<()> {
    if plan.json {
        printer
            .json_value(&summary.json())
            .context("cannot write the summary to stdout")?;
    } else {
        if !summary.exported.is_empty() {
            printer.info(summary.line(printer.stdout_closed()));
        }
        crate::commands::print_failures(&summary.failed, printer);
    }
    if summary.failed.is_empty() {
        Ok(())
    } else {
        Err(PartialFailure::Export {
            failed: summary.failed.len(),
            requested: summary.requested,
        }
        .into())
    }
}

/// A request as the JSON of `--dry-run --json` shows it (secrets redacted).
pub(super) fn request_json(request: &Prepared) -> serde_json::Value {
    let headers: serde_json::Map<String, serde_json::Value> = request
        .redacted_headers()
        .into_iter()
        .map(|(name, value)| (name, serde_json::Value::String(value)))
        .collect();
    serde_json::json!({
        "method": request.method.as_str(),
        "url": request.url.as_str(),
        "headers": headers,
        "body": String::from_utf8_lossy(&request.body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_at_most_ten_jobs_and_the_whole_run() {
        let names: Vec<String> = (0..12).map(|i| format!("j{i}")).collect();
        let jobs = names
            .iter()
            .map(|name| (name.clone(), vec![format!("jobs/{name}/{name}.job")]))
            .collect();
        let summary = Summary {
            exported: names,
            jobs,
            requested: 12,
            archive: Some("jobs.zip".into()),
            archive_bytes: 2228,
            extracted: None,
            failed: Vec::new(),
            requests: 1,
            seconds: 0.31,
        };
        assert_eq!(
            summary.line(false),
            "exported 12 jobs (j0, j1, j2, j3, j4, j5, j6, j7, j8, j9 and 2 more) into jobs.zip: \
             12 files, 2.2 KiB; 1 request in 0.3s"
        );
        let json = serde_json::to_value(summary.json()).expect("json");
        assert_eq!(json["format"], 1);
        assert_eq!(json["jobs"][0]["name"], "j0");
        assert_eq!(json["archive_bytes"], 2228);
        assert!(json["extracted_bytes"].is_null());
    }
}
