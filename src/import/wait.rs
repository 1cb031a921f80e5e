//! Waiting for a system task: polls with a growing interval (1 s, doubling
//! up to 10 s), a throttled or failed poll (429 with `Retry-After`, 5xx, a
//! transport error) waits and polls again, all within the wait timeout; a
//! refusal (an unknown task) ends the wait with that error.

use std::time::{Duration, Instant};

use crate::api::import::SystemTask;
use crate::api::{ApiError, Client};
use crate::http::Retryable;
use crate::output::Printer;

/// The first poll interval.
const FIRST_INTERVAL: Duration = Duration::from_secs(1);
/// The longest poll interval.
const MAX_INTERVAL: Duration = Duration::from_secs(10);
/// The shortest sleep between polls, whatever the scale (no busy loop).
const MIN_SLEEP: Duration = Duration::from_millis(5);

/// How long and how fast to wait.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    pub timeout: Duration,
    /// Multiplies every interval (the tests-only knob
    /// `DATAARTS_TEST_RETRY_DELAY_SCALE`; 1.0 otherwise).
    pub scale: f64,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(600),
            scale: 1.0,
        }
    }
}

/// How a wait ended (errors aside).
#[derive(Debug, Clone)]
pub enum Waited {
    /// The task reached `SUCCESSFUL`, `FAILED` or `WARNING`.
    Ended(SystemTask),
    /// The timeout passed first; the last status seen, if any.
    TimedOut { last: Option<SystemTask> },
}

impl Waited {
    /// The last status seen: the final one, or `unknown` for a wait that
    /// timed out before any poll answered.
    pub fn status(&self) -> String {
        match self {
            Waited::Ended(task) => task.status.as_str().to_string(),
            Waited::TimedOut { last: Some(task) } => task.status.as_str().to_string(),
            Waited::TimedOut { last: None } => "unknown".to_string(),
        }
    }
}

/// The interval after `interval`: doubled, at most [`MAX_INTERVAL`].
pub fn next_interval(interval: Duration) -> Duration {
    (interval * 2).min(MAX_INTERVAL)
}

/// Polls `task_id` until it ends or `options.timeout` passes. The first poll
/// is immediate. `seen` is told every status read (for progress).
pub async fn wait(
    client: &Client,
    task_id: &str,
    options: WaitOptions,
    printer: &Printer,
    seen: &(dyn Fn(&SystemTask, Duration) + Sync),
) -> anyhow::Result<Waited> {
    let started = Instant::now();
    let deadline = started + options.timeout;
    let mut interval = FIRST_INTERVAL;
    let mut attempt = 1;
    let mut last = None;
    loop {
        let delay = match client.get_task_once(task_id, attempt).await {
            Ok(task) => {
                attempt = 1;
                seen(&task, started.elapsed());
                if task.status.is_terminal() {
                    return Ok(Waited::Ended(task));
                }
                last = Some(task);
                let delay = interval;
                interval = next_interval(interval);
                delay
            }
            Err(error) if error.is_transient() => {
                let delay = error.retry_after().unwrap_or(interval).max(interval);
                printer.info(format!(
                    "polling task {task_id}: {}, polling again in {:.1}s",
                    brief(&error),
                    delay.mul_f64(options.scale).as_secs_f64()
                ));
                attempt += 1;
                delay
            }
            Err(error) => return Err(error.into()),
        };
        let now = Instant::now();
        if now >= deadline {
            return Ok(Waited::TimedOut { last });
        }
        let sleep = delay
            .mul_f64(options.scale)
            .max(MIN_SLEEP)
            .min(deadline - now);
        // The poll after the last sleep is the last look, so a task that
        // ended in time is never reported as a timeout.
        tokio::time::sleep(sleep).await;
    }
}

/// [`wait`] with a spinner naming `what` is waited for (`import task`,
/// `task`) and each status read.
pub async fn wait_showing(
    client: &Client,
    task_id: &str,
    options: WaitOptions,
    printer: &Printer,
    what: &str,
) -> anyhow::Result<Waited> {
    let spinner = printer.spinner(format!("waiting for {what} {task_id}…"));
    let seen = |task: &SystemTask, elapsed: Duration| {
        spinner.set_message(format!(
            "waiting for {what} {task_id}… {} ({}s)",
            task.status,
            elapsed.as_secs()
        ));
    };
    let waited = wait(client, task_id, options, printer, &seen).await;
    spinner.finish();
    waited
}

fn brief(error: &ApiError) -> String {
    match error.status() {
        Some(429) => "throttled (HTTP 429)".to_string(),
        Some(status) => format!("HTTP {status}"),
        None => error.brief(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_to_ten_seconds() {
        let mut interval = FIRST_INTERVAL;
        let mut seen = vec![interval.as_secs()];
        for _ in 0..6 {
            interval = next_interval(interval);
            seen.push(interval.as_secs());
        }
        assert_eq!(seen, [1, 2, 4, 8, 10, 10, 10]);
    }

    #[test]
    fn the_status_of_a_wait_is_the_last_one_seen() {
        let task = |status: &str| {
            SystemTask::from_value(serde_json::json!({"id": "t", "status": status})).expect("task")
        };
        assert_eq!(Waited::Ended(task("WARNING")).status(), "WARNING");
        let last = Some(task("RUNNING"));
        assert_eq!(Waited::TimedOut { last }.status(), "RUNNING");
        assert_eq!(Waited::TimedOut { last: None }.status(), "unknown");
    }
}
