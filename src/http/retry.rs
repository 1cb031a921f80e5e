//! Retry policy: jittered exponential back-off that honours `Retry-After`,
//! announcing each retry on stderr (unless `-q`), so a slow CI log says why.

use std::time::{Duration, Instant};

use crate::output::Printer;

/// First back-off delay; doubled each attempt.
const BASE_DELAY: Duration = Duration::from_millis(500);
/// Longest back-off delay we choose ourselves.
const MAX_DELAY: Duration = Duration::from_secs(30);
/// Longest `Retry-After` we honour; anything longer is capped.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// A failure the retry loop can reason about.
pub trait Retryable: std::error::Error + Send + Sync + 'static {
    /// Whether another attempt may succeed.
    fn is_transient(&self) -> bool;
    /// The delay the server asked for, if any.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
    /// A few words for the retry announcement: `HTTP 503`, `a connection error`.
    fn brief(&self) -> String;
}

/// How often and how long to retry transient failures.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub retries: u32,
    /// Multiplies every delay: from 0 to 1 (1.0 normally; the test-only
    /// knob `DATAARTS_TEST_RETRY_DELAY_SCALE` lowers it, checked in config).
    pub delay_scale: f64,
}

impl RetryPolicy {
    pub fn new(retries: u32, delay_scale: f64) -> Self {
        Self {
            retries,
            delay_scale,
        }
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 1).
    ///
    /// Without `Retry-After`: exponential, jittered in `[d/2, d]`. With it:
    /// never less than the server asked, and growing as the exponential
    /// delay does when that is longer, jittered in `[d, 1.5 d]`, so parallel
    /// requests refused together (a 429 for each) do not retry in lockstep.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = BASE_DELAY
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(MAX_DELAY);
        let chosen = match retry_after {
            Some(asked) => asked
                .min(MAX_RETRY_AFTER)
                .max(exponential)
                .mul_f64(1.0 + fastrand::f64() * 0.5),
            None => exponential.mul_f64(0.5 + fastrand::f64() * 0.5),
        };
        chosen.mul_f64(self.delay_scale)
    }

    /// Starts counting attempts for one request.
    pub fn start(&self, printer: Printer) -> Attempts {
        Attempts {
            policy: *self,
            attempt: 1,
            started: Instant::now(),
            printer,
        }
    }
}

/// The attempts of one request.
#[derive(Debug)]
pub struct Attempts {
    policy: RetryPolicy,
    attempt: u32,
    started: Instant,
    printer: Printer,
}

/// A request that was retried and still failed: the last failure first,
/// then how often and how long it was tried.
#[derive(Debug, thiserror::Error)]
#[error("{error} (gave up after {attempts} {} over {:.1}s)", if *attempts == 1 { "attempt" } else { "attempts" }, elapsed.as_secs_f64())]
pub struct GaveUp {
    pub attempts: u32,
    pub elapsed: Duration,
    #[source]
    pub error: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl Attempts {
    /// The number of the attempt being made (1-based).
    pub fn number(&self) -> u32 {
        self.attempt
    }

    /// After a failed attempt: announces the retry, sleeps, and returns
    /// `Ok(())` if another attempt should be made, else the error to report.
    pub async fn after_failure<E: Retryable>(&mut self, error: E) -> anyhow::Result<()> {
        if !error.is_transient() {
            return Err(error.into());
        }
        if self.attempt > self.policy.retries {
            if self.attempt == 1 {
                return Err(error.into());
            }
            return Err(GaveUp {
                attempts: self.attempt,
                elapsed: self.started.elapsed(),
                error: Box::new(error),
            }
            .into());
        }
        let delay = self.policy.delay(self.attempt, error.retry_after());
        self.printer.info(format!(
            "retrying after {} in {:.1}s (attempt {} of {})",
            error.brief(),
            delay.as_secs_f64(),
            self.attempt + 1,
            self.policy.retries + 1
        ));
        tokio::time::sleep(delay).await;
        self.attempt += 1;
        Ok(())
    }
}

/// Parses `Retry-After`: delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn delays_grow_with_jitter_and_cap() {
        let policy = RetryPolicy::new(5, 1.0);
        for attempt in 1..=10 {
            let delay = policy.delay(attempt, None);
            let ceiling = BASE_DELAY.saturating_mul(1 << (attempt - 1)).min(MAX_DELAY);
            assert!(
                delay <= ceiling && delay >= ceiling / 2,
                "{attempt}: {delay:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_capped_and_scaled() {
        let policy = RetryPolicy::new(3, 1.0);
        let within = |delay: Duration, low: Duration| {
            assert!(
                delay >= low && delay <= low.mul_f64(1.5),
                "{delay:?} vs {low:?}"
            );
        };
        for _ in 0..50 {
            within(
                policy.delay(1, Some(Duration::from_secs(2))),
                Duration::from_secs(2),
            );
            within(
                policy.delay(1, Some(Duration::from_secs(9999))),
                MAX_RETRY_AFTER,
            );
            // Asked for less than the back-off has grown to: the back-off.
            within(
                policy.delay(3, Some(Duration::from_millis(10))),
                BASE_DELAY.saturating_mul(4).min(MAX_DELAY),
            );
        }
        // Spread: parallel requests refused together do not all wait the same.
        let delays: std::collections::BTreeSet<Duration> = (0..20)
            .map(|_| policy.delay(1, Some(Duration::from_secs(1))))
            .collect();
        assert!(delays.len() > 1);
        let instant = RetryPolicy::new(3, 0.0);
        assert_eq!(
            instant.delay(3, Some(Duration::from_secs(2))),
            Duration::ZERO
        );
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
