//! Retry policy: jittered exponential back-off that honours `Retry-After`.

use std::time::{Duration, Instant};

use super::ApiError;

/// First back-off delay; doubled each attempt.
const BASE_DELAY: Duration = Duration::from_millis(500);
/// Longest back-off delay we choose ourselves.
const MAX_DELAY: Duration = Duration::from_secs(30);
/// Longest `Retry-After` we honour; anything longer is capped.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How often and how long to retry transient failures.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub retries: u32,
    /// Multiplies every delay (1.0 normally; the test-only knob
    /// `DATAARTS_TEST_RETRY_DELAY_SCALE` lowers it).
    pub delay_scale: f64,
}

impl RetryPolicy {
    pub fn new(retries: u32, delay_scale: f64) -> Self {
        Self {
            retries,
            delay_scale: delay_scale.clamp(0.0, 1.0),
        }
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 1).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let chosen = match retry_after {
            Some(asked) => asked.min(MAX_RETRY_AFTER),
            None => {
                let exponential = BASE_DELAY.saturating_mul(1 << attempt.saturating_sub(1).min(16));
                let capped = exponential.min(MAX_DELAY);
                // Full jitter in [capped/2, capped]: spreads parallel batches apart.
                capped.mul_f64(0.5 + fastrand::f64() * 0.5)
            }
        };
        chosen.mul_f64(self.delay_scale)
    }

    /// Starts counting attempts for one request.
    pub fn start(&self) -> Attempts {
        Attempts {
            policy: *self,
            attempt: 1,
            started: Instant::now(),
        }
    }
}

/// The attempts of one request.
#[derive(Debug)]
pub struct Attempts {
    policy: RetryPolicy,
    attempt: u32,
    started: Instant,
}

/// The last error of a request that was retried, with the count and duration.
#[derive(Debug, thiserror::Error)]
#[error("gave up after {attempts} {} over {:.1}s", if *attempts == 1 { "attempt" } else { "attempts" }, elapsed.as_secs_f64())]
pub struct GaveUp {
    pub attempts: u32,
    pub elapsed: Duration,
}

impl Attempts {
    /// The number of the attempt being made (1-based).
    pub fn number(&self) -> u32 {
        self.attempt
    }

    /// After a failed attempt: sleeps and returns `Ok(())` if another attempt
    /// should be made, else the error to report.
    pub async fn after_failure(&mut self, error: ApiError) -> anyhow::Result<()> {
        let (transient, retry_after) = (error.is_transient(), error.retry_after());
        self.after(error.into(), transient, retry_after).await
    }

    /// [`Attempts::after_failure`] for any error, with the caller's verdict on
    /// whether it is transient (e.g. a `download::DownloadError`).
    pub async fn after(
        &mut self,
        error: anyhow::Error,
        transient: bool,
        retry_after: Option<Duration>,
    ) -> anyhow::Result<()> {
        if !transient {
            return Err(error);
        }
        if self.attempt > self.policy.retries {
            let gave_up = GaveUp {
                attempts: self.attempt,
                elapsed: self.started.elapsed(),
            };
            return Err(error.context(gave_up));
        }
        let delay = self.policy.delay(self.attempt, retry_after);
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
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(9999))),
            MAX_RETRY_AFTER
        );
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
