//! `task TASK_ID`: show a system task (status, times, every subtask), or
//! wait for it to end as `import` does. Exit 0 for `SUCCESSFUL` (or
//! `RUNNING` without `--wait`), 8 for `FAILED` or `WARNING`.

use std::time::Duration;

use anyhow::Context as _;

use crate::api::import::{is_valid_task_id, SystemTask, TaskStatus};
use crate::cli::TaskArgs;
use crate::config;
use crate::import::wait::{self, WaitOptions, Waited};
use crate::import::{ImportError, Unfinished};
use crate::output::{self, Printer};
use crate::text::escape_controls;

use super::{connect, Context};

pub async fn run(args: TaskArgs, ctx: &Context) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    if !is_valid_task_id(&args.task_id) {
        return Err(ImportError::BadTaskId(escape_controls(&args.task_id)).into());
    }
    let settings = config::resolve(&args.connection, &args.workspace, &ctx.env)?;
    let client = connect(&settings, printer).await?;
    let task = if args.wait {
        let options = WaitOptions {
            timeout: Duration::from_secs(args.wait_timeout),
            scale: settings.http.retry_delay_scale,
        };
        let waited = wait::wait_showing(&client, &args.task_id, options, printer, "task").await?;
        let status = waited.status();
        match waited {
            Waited::Ended(task) => task,
            Waited::TimedOut { last } => {
                if let Some(task) = &last {
                    show(task, args.json, printer)?;
                }
                return Err(ImportError::WaitTimeout {
                    task_id: args.task_id.clone(),
                    status,
                    staging: None,
                    seconds: args.wait_timeout,
                    left: Box::new(Unfinished {
                        workspace: client.workspace().map(str::to_string),
                        not_imported: Vec::new(),
                    }),
                }
                .into());
            }
        }
    } else {
        client.get_task(&args.task_id).await?
    };
    show(&task, args.json, printer)?;
    match task.status {
        TaskStatus::Failed | TaskStatus::Warning => Err(ImportError::TaskEnded {
            id: task.id.clone(),
            status: task.status.as_str().to_string(),
        }
        .into()),
        _ => Ok(()),
    }
}

/// The task on stdout: the API's object under `"task"`, or lines for people.
fn show(task: &SystemTask, json: bool, printer: &Printer) -> anyhow::Result<()> {
    if json {
        return printer
            .json_value(&serde_json::json!({"format": 1, "task": task.raw}))
            .context("cannot write to stdout");
    }
    let mut lines = vec![format!(
        "task {}: {}",
        escape_controls(&task.id),
        escape_controls(task.status.as_str())
    )];
    if let Some(name) = &task.name {
        lines.push(format!("  {}", escape_controls(name)));
    }
    lines.push(format!("  started  {}", when(task.start_time)));
    lines.push(format!("  ended    {}", when(task.end_time)));
    if let Some(message) = &task.message {
        lines.push(format!("  message  {}", escape_controls(message)));
    }
    for sub in &task.subtasks {
        let message = sub
            .message
            .as_deref()
            .map(|m| format!(": {}", escape_controls(m)))
            .unwrap_or_default();
        lines.push(format!(
            "  {:<11} {}{message}",
            escape_controls(sub.status.as_str()),
            escape_controls(&sub.name)
        ));
    }
    for line in lines {
        printer.line(&line).context("cannot write to stdout")?;
    }
    Ok(())
}

/// Epoch milliseconds as ISO-8601 UTC; `-` when absent.
fn when(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".to_string(), output::iso_utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc() {
        assert_eq!(when(Some(1_544_777_081_000)), "2018-12-14T08:44:41Z");
        assert_eq!(when(None), "-");
    }
}
