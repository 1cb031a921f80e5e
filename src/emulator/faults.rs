//! Fault injection: failed, delayed, cut or throttled responses, for tests and
//! for rehearsing scripts against an unreliable cloud.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use serde_json::{json, Value};

use super::zipstream::BodyFaults;
use super::Faults;

/// What the faults decide for one batch-export request.
#[derive(Debug, Default)]
pub(crate) struct ExportFault {
    /// Answer with this status instead of the archive.
    pub status: Option<StatusCode>,
    /// Otherwise, these act on the archive's body.
    pub body: BodyFaults,
}

impl ExportFault {
    /// A short name for the request log.
    pub fn label(&self) -> Option<&'static str> {
        if self.status.is_some() {
            Some("fail_status")
        } else if self.body.reset_after.is_some()
            && self.body.reset_after <= self.body.truncate_after.or(Some(u64::MAX))
        {
            Some("reset_after")
        } else if self.body.truncate_after.is_some() {
            Some("truncate_body")
        } else if self.body.first_byte_delay.is_some() {
            Some("first_byte_delay")
        } else if self.body.endless {
            Some("endless_body")
        } else {
            None
        }
    }
}

/// The fault state shared by all connections.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Faults,
    fail_status: Option<StatusCode>,
    exports_seen: AtomicU64,
    limiter: Option<RateLimiter>,
}

impl FaultState {
    /// Checks the flags (a bad status or rate is a usage error).
    pub fn new(faults: Faults) -> Result<Self, String> {
        let fail_status = match faults.fail_status {
            Some(code) => Some(
                StatusCode::from_u16(code)
                    .ok()
                    .filter(|status| (400..=599).contains(&status.as_u16()))
                    .ok_or_else(|| {
                        format!("--fail-status {code}: not an HTTP error status (400-599)")
                    })?,
            ),
            None if faults.fail_first.is_some() => Some(StatusCode::SERVICE_UNAVAILABLE),
            None => None,
        };
        let limiter = match faults.rate_limit {
            Some(rps) if !(rps.is_finite() && rps > 0.0) => {
                return Err(format!("--rate-limit {rps}: not a positive rate"))
            }
            Some(rps) => Some(RateLimiter::new(rps)),
            None => None,
        };
        Ok(Self {
            faults,
            fail_status,
            exports_seen: AtomicU64::new(0),
            limiter,
        })
    }

    /// `--latency`: the wait before answering any request.
    pub fn latency(&self) -> Option<Duration> {
        self.faults.latency
    }

    /// `--list-total`: what list jobs says about `total`.
    pub fn list_total(&self) -> Option<super::TotalFault> {
        self.faults.list_total
    }

    /// `--echo-secrets`: 401 messages echo the token and the signature.
    pub fn echo_secrets(&self) -> bool {
        self.faults.echo_secrets
    }

    /// `--clock-offset`: how far the server's clock is off the machine's.
    pub fn clock_offset(&self) -> Option<i64> {
        self.faults.clock_offset
    }

    /// `--retry-after`: the header sent with a `fail_status` response.
    pub fn retry_after(&self) -> Option<u64> {
        self.faults.retry_after
    }

    /// `--rate-limit`: `Err(limit text)` when this request comes too soon after
    /// the previous accepted one (no burst allowance).
    pub fn throttle(&self, now: Instant) -> Result<(), String> {
        match &self.limiter {
            Some(limiter) => limiter.check(now),
            None => Ok(()),
        }
    }

    /// Counts one batch-export request and decides what happens to it: all
    /// exports are faulted, or only the first `fail_first`.
    pub fn on_export(&self) -> ExportFault {
        let seen = self.exports_seen.fetch_add(1, Ordering::SeqCst);
        let applies = match self.faults.fail_first {
            Some(n) => seen < n,
            None => true,
        };
        if !applies {
            return ExportFault::default();
        }
        ExportFault {
            status: self.fail_status,
            body: BodyFaults {
                first_byte_delay: self.faults.first_byte_delay,
                truncate_after: self.faults.truncate_body,
                reset_after: self.faults.reset_after,
                endless: self.faults.endless_body,
            },
        }
    }
}

/// Accepts a request only if at least `1/rps` passed since the last accepted one.
#[derive(Debug)]
struct RateLimiter {
    rps: f64,
    interval: Duration,
    last: Mutex<Option<Instant>>,
}

impl RateLimiter {
    fn new(rps: f64) -> Self {
        let interval = Duration::try_from_secs_f64(1.0 / rps).unwrap_or(Duration::MAX);
        Self {
            rps,
            interval,
            last: Mutex::new(None),
        }
    }

    fn check(&self, now: Instant) -> Result<(), String> {
        let mut last = match self.last.lock() {
            Ok(last) => last,
            Err(poisoned) => poisoned.into_inner(),
        };
        match *last {
            Some(previous) if now.saturating_duration_since(previous) < self.interval => {
                Err(format_rate(self.rps))
            }
            _ => {
                *last = Some(now);
                Ok(())
            }
        }
    }
}

fn format_rate(rps: f64) -> String {
    if rps.fract() == 0.0 && rps < 1e15 {
        format!("{}", rps as u64)
    } else {
        format!("{rps}")
    }
}

/// The throttling body the gateway sends with 429.
pub(crate) fn throttled_body(limit: &str, request_id: &str) -> Value {
    json!({
        "error_code": "APIG.0308",
        "error_msg": format!(
            "The throttling threshold has been reached: policy user over ratelimit, limit:{limit}, time:1 second"
        ),
        "request_id": request_id,
    })
}

/// A plausible body for an injected failure status.
pub(crate) fn fault_body(status: StatusCode, request_id: &str) -> Value {
    let (code, msg) = match status.as_u16() {
        429 => {
            return json!({
                "error_code": "APIG.0308",
                "error_msg": "The throttling threshold has been reached: policy user over ratelimit, limit:1, time:1 second",
                "request_id": request_id,
            })
        }
        400 => {
            return json!({"error_code": "DLF.3051", "error_msg": "The request parameter is invalid."})
        }
        401 => (
            "APIGW.0301",
            "Incorrect IAM authentication information: verify aksk signature fail",
        ),
        403 => (
            "APIGW.0302",
            "The IAM user is not authorized to access the API.",
        ),
        404 => (
            "APIGW.0101",
            "The API does not exist or has not been published in the environment",
        ),
        500 => return json!({"error_code": "DLF.0000", "error_msg": "Internal server error."}),
        504 => ("APIGW.0203", "Backend timeout"),
        code if code >= 500 => ("APIGW.0202", "Backend unavailable"),
        _ => ("APIGW.0201", "Request error"),
    };
    json!({"error_code": code, "error_msg": msg, "request_id": request_id})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_first_counts_exports_and_defaults_to_503() {
        let state = FaultState::new(Faults {
            fail_first: Some(2),
            retry_after: Some(3),
            ..Faults::default()
        })
        .expect("valid");
        assert_eq!(
            state.on_export().status,
            Some(StatusCode::SERVICE_UNAVAILABLE)
        );
        assert_eq!(
            state.on_export().status,
            Some(StatusCode::SERVICE_UNAVAILABLE)
        );
        assert_eq!(state.on_export().status, None);
        assert_eq!(state.retry_after(), Some(3));
    }

    #[test]
    fn rate_limiter_has_no_burst() {
        let limiter = RateLimiter::new(10.0);
        let t0 = Instant::now();
        assert!(limiter.check(t0).is_ok());
        assert_eq!(
            limiter.check(t0 + Duration::from_millis(50)),
            Err("10".to_string())
        );
        assert!(limiter.check(t0 + Duration::from_millis(100)).is_ok());
        assert!(limiter.check(t0 + Duration::from_millis(150)).is_err());
    }

    #[test]
    fn bad_flags_are_refused() {
        assert!(FaultState::new(Faults {
            fail_status: Some(200),
            ..Faults::default()
        })
        .is_err());
        assert!(FaultState::new(Faults {
            rate_limit: Some(0.0),
            ..Faults::default()
        })
        .is_err());
    }
}
