//! `list`: the jobs of a workspace, every page. For people (a terminal, or
//! `--long`) a table; piped, one name a line (so `list | export
//! --jobs-from -` works); `--json` the API's job objects.

use std::time::SystemTime;

use anyhow::Context as _;

use crate::cli::{JobTypeArg, ListArgs};
use crate::config;
use crate::model::{JobType, ListedJob};
use crate::names::Matcher;
use crate::output::{iso_utc, Printer};
use crate::text::escape_controls;

use super::{connect, Context};

/// How the listing is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Names,
    /// Aligned columns, relative times (a terminal).
    Table,
    /// Tab-separated columns, ISO-8601 UTC times (`--long`, piped).
    Long,
    Json,
}

pub async fn run(args: ListArgs, ctx: &Context) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    let matcher = Matcher::new(&args.matches)?;
    let types: &[JobType] = match args.job_type {
        JobTypeArg::Batch => &[JobType::Batch],
        JobTypeArg::RealTime => &[JobType::RealTime],
        JobTypeArg::All => &JobType::ALL,
    };
    let style = match (args.json, args.long, printer.stdout_is_terminal()) {
        (true, _, _) => Style::Json,
        (false, true, true) => Style::Table,
        (false, true, false) => Style::Long,
        (false, false, true) => Style::Table,
        (false, false, false) => Style::Names,
    };
    let settings = config::resolve(&args.connection, &args.workspace, &ctx.env)?;
    let client = connect(&settings, printer).await?;
    if args.dry_run {
        for job_type in types {
            printer
                .line(&client.prepare_list(*job_type, 0).render())
                .context("cannot write to stdout")?;
        }
        return Ok(());
    }
    let mut jobs: Vec<ListedJob> =
        super::list_jobs(&client, types, usize::from(args.parallel), printer)
            .await?
            .into_iter()
            .map(|(_, job)| job)
            .collect();
    jobs.retain(|job| matcher.is_match(&job.name));
    print(&jobs, style, printer).context("cannot write to stdout")
}

fn print(jobs: &[ListedJob], style: Style, printer: &Printer) -> std::io::Result<()> {
    match style {
        Style::Json => {
            let raw: Vec<&serde_json::Value> = jobs.iter().map(|job| &job.raw).collect();
            printer.json_value(&serde_json::json!({"format": 1, "jobs": raw}))
        }
        Style::Names => {
            for job in jobs {
                printer.line(&escape_controls(&job.name))?;
            }
            Ok(())
        }
        Style::Long => {
            printer.line("NAME\tTYPE\tSTATUS\tOWNER\tUPDATED")?;
            for job in jobs {
                let row = cells(job, iso_utc);
                printer.line(&row.join("\t"))?;
            }
            Ok(())
        }
        Style::Table => {
            let now = SystemTime::now();
            let rows: Vec<[String; 5]> = jobs
                .iter()
                .map(|job| cells(job, |ms| ago(now, ms)))
                .collect();
            for line in table(&rows) {
                printer.line(&line)?;
            }
            Ok(())
        }
    }
}

/// NAME, TYPE, STATUS, OWNER, UPDATED (formatted by `time`), escaped.
fn cells(job: &ListedJob, time: impl Fn(i64) -> String) -> [String; 5] {
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(escape_controls)
            .unwrap_or_else(|| "-".to_string())
    };
    [
        escape_controls(&job.name),
        text(&job.job_type),
        text(&job.status),
        text(&job.owner),
        job.last_update_time
            .map(time)
            .unwrap_or_else(|| "-".to_string()),
    ]
}

/// Columns padded to their widest cell, under a header.
fn table(rows: &[[String; 5]]) -> Vec<String> {
    const HEADER: [&str; 5] = ["NAME", "TYPE", "STATUS", "OWNER", "UPDATED"];
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        text
    };
    let mut lines = vec![line(HEADER)];
    lines.extend(
        rows.iter()
            .map(|row| line([&row[0], &row[1], &row[2], &row[3], &row[4]])),
    );
    lines
}

/// `3 days ago`, `just now`.
fn ago(now: SystemTime, ms: i64) -> String {
    let now_ms = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let seconds = (now_ms - ms) / 1000;
    if seconds < 0 {
        return iso_utc(ms);
    }
    let (n, unit) = match seconds {
        0..=59 => return "just now".to_string(),
        60..=3599 => (seconds / 60, "minute"),
        3600..=86_399 => (seconds / 3600, "hour"),
        86_400..=2_591_999 => (seconds / 86_400, "day"),
        2_592_000..=31_535_999 => (seconds / 2_592_000, "month"),
        _ => (seconds / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_read_for_people_and_for_scripts() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_716_170_400 + 3 * 86_400);
        assert_eq!(ago(now, 1_716_170_400_000), "3 days ago");
        assert_eq!(
            ago(now, (1_716_170_400 + 3 * 86_400 - 30) * 1000),
            "just now"
        );
        assert_eq!(
            ago(now, (1_716_170_400 + 3 * 86_400 - 3600) * 1000),
            "1 hour ago"
        );
        assert_eq!(iso_utc(1_716_170_400_000), "2024-05-20T02:00:00Z");
    }

    #[test]
    fn tables_align_and_names_are_escaped() {
        let job = ListedJob::from_value(serde_json::json!({
            "name": "two\nlines", "jobType": "BATCH", "status": "SCHEDULING", "owner": "o", "lastUpdateTime": 0
        }))
        .expect("job");
        let rows = vec![cells(&job, iso_utc)];
        let lines = table(&rows);
        assert_eq!(lines[0], "NAME        TYPE   STATUS      OWNER  UPDATED");
        assert_eq!(
            lines[1],
            "two\\nlines  BATCH  SCHEDULING  o      1970-01-01T00:00:00Z"
        );
    }
}
