//! One classification of HTTP statuses, for every caller: the retry policy,
//! `--keep-going`'s splitting of refused batches, and the exit codes.

/// What an HTTP status means to this tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 2xx.
    Success,
    /// 401, 403: the credentials were refused or are not allowed here.
    Auth,
    /// 404: no such API at this endpoint (wrong host, region or path).
    NotFound,
    /// 429: throttled.
    Throttled,
    /// 500, 502, 503, 504: the service failed; another attempt may succeed.
    Unavailable,
    /// Other 5xx: the service failed in a way retrying will not fix.
    ServerError,
    /// Other 4xx: the request was refused (e.g. a job that does not exist).
    Refused,
    /// Anything else (1xx, 3xx, out of range).
    Unexpected,
}

impl Class {
    pub fn of(status: u16) -> Self {
        match status {
            200..=299 => Class::Success,
            401 | 403 => Class::Auth,
            404 => Class::NotFound,
            429 => Class::Throttled,
            500 | 502 | 503 | 504 => Class::Unavailable,
            500..=599 => Class::ServerError,
            400..=499 => Class::Refused,
            _ => Class::Unexpected,
        }
    }

    /// Whether another attempt may succeed (every request we retry is
    /// read-only or idempotent).
    pub fn is_transient(self) -> bool {
        matches!(self, Class::Throttled | Class::Unavailable)
    }

    /// Whether the API refused *these names* (so `--keep-going` may split the
    /// batch to isolate them), as opposed to refusing the caller or failing.
    pub fn is_refusal(self) -> bool {
        self == Class::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_statuses_match_the_contract() {
        for code in [429, 500, 502, 503, 504] {
            assert!(Class::of(code).is_transient(), "{code}");
        }
        for code in [400, 401, 403, 404, 413, 501, 505] {
            assert!(!Class::of(code).is_transient(), "{code}");
        }
    }

    #[test]
    fn only_plain_4xx_refusals_can_be_split() {
        assert!(Class::of(400).is_refusal());
        assert!(Class::of(413).is_refusal());
        for code in [401, 403, 404, 429, 500] {
            assert!(!Class::of(code).is_refusal(), "{code}");
        }
    }
}
