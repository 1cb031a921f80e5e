//! The transport every service client shares (DLF, IAM, the Management
//! Center, OBS): one reqwest client (rustls, timeouts, the extra CA,
//! proxies from the environment, no redirects), the retry policy, request
//! tracing through the [`Printer`], a count of requests sent, bounded reads
//! of small bodies, and the redaction of our secrets in text a server sends.
//!
//! Signing is not done here: each service prepares a signed [`Prepared`]
//! request per attempt (a fresh date each time) and sends it with
//! [`Transport::send`].

pub mod retry;
pub mod status;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::{Method, Response, Url};

use crate::auth::{self, Secret};
use crate::output::Printer;
use crate::text;

pub use retry::{Attempts, GaveUp, RetryPolicy, Retryable};

/// Sent (and signed) with every request.
pub const USER_AGENT: &str = concat!("dataarts-jobs/", env!("CARGO_PKG_VERSION"));

/// JSON answers larger than this are refused (a broken or hostile server).
pub const MAX_JSON_BODY: u64 = 64 * 1024 * 1024;
/// Error bodies are small; never read more than this of one.
pub const MAX_ERROR_BODY: usize = 64 * 1024;
/// A body arriving slower than this, over a whole `--timeout`, is a timeout.
pub const MIN_RATE: u64 = 1024;

/// Connection options, resolved from the flags.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connect timeout and read-inactivity timeout.
    pub timeout: Duration,
    /// Retries of transient failures.
    pub retries: u32,
    /// An extra trusted root certificate (PEM).
    pub ca_cert: Option<std::path::PathBuf>,
    /// Multiplies every retry delay (the test knob `DATAARTS_TEST_RETRY_DELAY_SCALE`).
    pub retry_delay_scale: f64,
}

/// Why the HTTP client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read --ca-cert {}: {detail}", path.display())]
    CaCertUnreadable {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error("--ca-cert {} holds no usable PEM certificate{}", path.display(), detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    CaCertUnusable {
        path: std::path::PathBuf,
        detail: Option<String>,
    },
    #[error("cannot set up the HTTP client (TLS roots or proxy settings): {0}")]
    Client(String),
}

/// What kind of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Connect,
    Timeout,
    Tls,
    Other,
}

/// A request that got no HTTP answer: connect, TLS, timeout, ...
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.describe())]
pub struct TransportError {
    pub method: String,
    pub url: String,
    /// `host:port` as connected to.
    pub authority: String,
    pub kind: FailureKind,
    /// The innermost cause, e.g. `connection refused`.
    pub detail: String,
    /// Whether another attempt may succeed.
    pub transient: bool,
}

impl TransportError {
    fn describe(&self) -> String {
        match self.kind {
            FailureKind::Connect => {
                format!("cannot connect to {}: {}", self.authority, self.detail)
            }
            FailureKind::Timeout => {
                format!("{} {} timed out: {}", self.method, self.url, self.detail)
            }
            FailureKind::Tls => format!("TLS with {} failed: {}", self.authority, self.detail),
            FailureKind::Other => format!("{} {} failed: {}", self.method, self.url, self.detail),
        }
    }

    /// From a reqwest error for `prepared`.
    pub fn from_reqwest(prepared: &Prepared, error: &reqwest::Error) -> Self {
        // Without the URL, which may itself hold "tls" or "certificate"
        // (a host name, an object key) and must not decide the kind.
        let chain = text::error_chain(error).replace(&format!(" for url ({})", prepared.url), "");
        let certificate = chain.to_ascii_lowercase().contains("certificate");
        let kind = if certificate || chain.contains("tls") || chain.contains("TLS") {
            FailureKind::Tls
        } else if error.is_timeout() {
            FailureKind::Timeout
        } else if error.is_connect() {
            FailureKind::Connect
        } else {
            FailureKind::Other
        };
        let detail = match kind {
            FailureKind::Tls | FailureKind::Other => chain,
            FailureKind::Connect | FailureKind::Timeout => root_cause(error),
        };
        Self {
            method: prepared.method.to_string(),
            url: prepared.url.to_string(),
            authority: authority(&prepared.url),
            kind,
            detail,
            // A certificate problem will not go away by retrying.
            transient: !certificate
                && (error.is_connect()
                    || error.is_timeout()
                    || error.is_request()
                    || error.is_body()),
        }
    }
}

/// The innermost message of an error chain, as a person would say it:
/// `connection refused` (not `Connection refused (os error 111)`).
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost: &(dyn std::error::Error + 'static) = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    let message = innermost.to_string();
    let message = match message.find(" (os error") {
        Some(at) => message[..at].to_string(),
        None => message,
    };
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => message,
    }
}

/// `host:port` of a URL (the port the scheme implies when none is given).
pub fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// A signed request, ready to send (or to print with `--dry-run`).
#[derive(Clone)]
pub struct Prepared {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Prepared {
    /// Headers with every secret redacted: signatures, tokens.
    pub fn redacted_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(name, value)| {
                (
                    name.clone(),
                    auth::shown_header_value(name, value).into_owned(),
                )
            })
            .collect()
    }

    /// The request as `--dry-run` prints it.
    pub fn render(&self) -> String {
        let mut text = format!("{} {}\n", self.method, self.url);
        for (name, value) in self.redacted_headers() {
            text.push_str(&format!("{name}: {value}\n"));
        }
        if !self.body.is_empty() {
            text.push('\n');
            match std::str::from_utf8(&self.body) {
                Ok(body) => text.push_str(body),
                Err(_) => text.push_str(&format!("({} bytes of binary data)", self.body.len())),
            }
            text.push('\n');
        }
        text
    }

    /// The signature this request carries, if any (to redact it from echoes).
    fn signature(&self) -> Option<&str> {
        let value = auth::signer::find_header(&self.headers, "Authorization")?;
        value
            .split_once("Signature=")
            .map(|(_, signature)| signature)
            .or_else(|| {
                value
                    .strip_prefix("OBS ")
                    .and_then(|rest| rest.split_once(':'))
                    .map(|(_, sig)| sig)
            })
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.redacted_headers())
            .finish_non_exhaustive()
    }
}

/// The shared transport. Cheap to clone; clones share the request count.
#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    retry: RetryPolicy,
    printer: Printer,
    timeout: Duration,
    sent: Arc<AtomicU32>,
    /// Our own secrets, redacted from any text a server sends back.
    secrets: Arc<Vec<Secret>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Builds the client: rustls, timeouts, the extra CA, proxies from the environment.
    pub fn new(
        options: &Options,
        printer: &Printer,
        secrets: Vec<Secret>,
    ) -> Result<Self, SetupError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .use_rustls_tls();
        if let Some(path) = &options.ca_cert {
            for certificate in ca_certificates(path)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder
            .build()
            .map_err(|error| SetupError::Client(text::error_chain(&error)))?;
        Ok(Self {
            client,
            retry: RetryPolicy::new(options.retries, options.retry_delay_scale),
            printer: printer.clone(),
            timeout: options.timeout,
            sent: Arc::new(AtomicU32::new(0)),
            secrets: Arc::new(secrets),
        })
    }

    pub fn printer(&self) -> &Printer {
        &self.printer
    }

    /// The per-request connect and read-inactivity timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Starts counting the attempts of one request.
    pub fn attempts(&self) -> Attempts {
        self.retry.start(self.printer.clone())
    }

    /// How many HTTP requests were sent through this transport (and its
    /// clones), retries included.
    pub fn requests_sent(&self) -> u32 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends one attempt of `prepared`; any HTTP status is an `Ok`.
    pub async fn send(&self, prepared: &Prepared) -> Result<Response, TransportError> {
        let mut request = self
            .client
            .request(prepared.method.clone(), prepared.url.clone())
            .body(prepared.body.clone());
        for (name, value) in &prepared.headers {
            request = request.header(name, value);
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        request
            .send()
            .await
            .map_err(|error| TransportError::from_reqwest(prepared, &error))
    }

    /// Text a server sent, safe to show: our secrets (and this request's
    /// signature) redacted, control characters escaped.
    pub fn sanitize(&self, prepared: &Prepared, server_text: &str) -> String {
        text::escape_controls(&self.redact(prepared, server_text))
    }

    /// Text a server sent with our secrets (and this request's signature)
    /// redacted, controls kept: for JSON output, which escapes them itself.
    pub fn redact(&self, prepared: &Prepared, server_text: &str) -> String {
        let mut secrets: Vec<&str> = self.secrets.iter().map(Secret::expose).collect();
        if let Some(signature) = prepared.signature() {
            secrets.push(signature);
        }
        text::redact(server_text, &secrets)
    }

    /// `-v`: one line for a request whose body was read in full.
    pub fn trace_done(&self, prepared: &Prepared, outcome: &Outcome<'_>) {
        if self.printer.verbose() == 0 {
            return;
        }
        self.printer.trace(
            1,
            format!(
                "> {} {} -> {}, {} in {} ms (request id {}, attempt {})",
                prepared.method,
                prepared.url,
                outcome.status,
                crate::output::size(outcome.bytes),
                outcome.started.elapsed().as_millis(),
                outcome.request_id.unwrap_or("none"),
                outcome.attempt,
            ),
        );
        self.trace_headers(prepared);
    }

    /// `-v`: one line for a request that failed (`what` says how).
    pub fn trace_failed(&self, prepared: &Prepared, attempt: u32, started: Instant, what: &str) {
        if self.printer.verbose() == 0 {
            return;
        }
        self.printer.trace(
            1,
            format!(
                "> {} {} -> {what} after {} ms (attempt {attempt})",
                prepared.method,
                prepared.url,
                started.elapsed().as_millis(),
            ),
        );
        self.trace_headers(prepared);
    }

    fn trace_headers(&self, prepared: &Prepared) {
        if self.printer.verbose() < 2 {
            return;
        }
        for (name, value) in prepared.redacted_headers() {
            self.printer.trace(2, format!(">   {name}: {value}"));
        }
    }
}

/// What a finished request reports to the trace.
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    pub status: u16,
    pub bytes: u64,
    pub request_id: Option<&'a str>,
    pub attempt: u32,
    pub started: Instant,
}

/// The request id APIG and OBS put on every response.
pub fn request_id(response: &Response) -> Option<String> {
    ["x-request-id", "x-obs-request-id"]
        .iter()
        .find_map(|name| {
            response
                .headers()
                .get(*name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        })
}

/// Why a body could not be read in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyFailure {
    /// More than the limit arrived (or was announced).
    TooLarge { limit: u64 },
    /// Slower than [`MIN_RATE`] over a whole timeout.
    TooSlow { bytes: u64, seconds: u64 },
    /// The connection failed or ended early.
    Cut(String),
}

/// Reads a whole body of at most `limit` bytes, failing a trickle that stays
/// under [`MIN_RATE`] for `timeout`.
pub async fn read_limited(
    mut response: Response,
    limit: u64,
    timeout: Duration,
) -> Result<Bytes, BodyFailure> {
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(BodyFailure::TooLarge { limit });
    }
    let mut body = Vec::new();
    let mut rate = MinRate::new(timeout);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > limit {
                    return Err(BodyFailure::TooLarge { limit });
                }
                body.extend_from_slice(&chunk);
                rate.record(chunk.len() as u64, Instant::now())?;
            }
            Ok(None) => return Ok(Bytes::from(body)),
            // Nothing for a whole timeout: too slow, not cut.
            Err(error) if error.is_timeout() => {
                return Err(BodyFailure::TooSlow {
                    bytes: body.len() as u64,
                    seconds: timeout.as_secs(),
                })
            }
            Err(error) => return Err(BodyFailure::Cut(text::error_chain(&error))),
        }
    }
}

/// Reads at most `limit` bytes of a body, for at most `within`, and stops
/// (an error body: what arrived is enough to show, and a server trickling
/// one never holds the run longer than a timeout).
pub async fn read_prefix(mut response: Response, limit: usize, within: Duration) -> Vec<u8> {
    let deadline = tokio::time::Instant::now() + within;
    let mut body = Vec::new();
    while body.len() < limit {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
            Ok(Ok(None) | Err(_)) | Err(_) => break,
        }
    }
    body.truncate(limit);
    body
}

/// Watches a body's arrival rate: over every window of `timeout`, at least
/// `MIN_RATE` bytes per second must arrive.
#[derive(Debug, Clone)]
pub struct MinRate {
    window: Duration,
    window_start: Instant,
    window_bytes: u64,
}

impl MinRate {
    pub fn new(timeout: Duration) -> Self {
        Self {
            window: timeout,
            window_start: Instant::now(),
            window_bytes: 0,
        }
    }

    /// Records `bytes` arriving at `now`; an error when the window that just
    /// closed saw too few bytes.
    pub fn record(&mut self, bytes: u64, now: Instant) -> Result<(), BodyFailure> {
        self.window_bytes += bytes;
        let elapsed = now.saturating_duration_since(self.window_start);
        if elapsed < self.window {
            return Ok(());
        }
        let needed = MIN_RATE.saturating_mul(elapsed.as_secs().max(1));
        if self.window_bytes < needed {
            return Err(BodyFailure::TooSlow {
                bytes: self.window_bytes,
                seconds: elapsed.as_secs(),
            });
        }
        self.window_start = now;
        self.window_bytes = 0;
        Ok(())
    }
}

fn ca_certificates(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, SetupError> {
    let pem = std::fs::read(path).map_err(|error| SetupError::CaCertUnreadable {
        path: path.to_path_buf(),
        detail: error.to_string(),
    })?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| {
        SetupError::CaCertUnusable {
            path: path.to_path_buf(),
            detail: Some(text::error_chain(&error)),
        }
    })?;
    if certificates.is_empty() {
        return Err(SetupError::CaCertUnusable {
            path: path.to_path_buf(),
            detail: None,
        });
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_signatures_and_tokens() {
        let prepared = Prepared {
            method: Method::POST,
            url: Url::parse("http://h/x").expect("url"),
            headers: vec![
                (
                    "Authorization".into(),
                    "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=deadbeef".into(),
                ),
                ("X-Security-Token".into(), "TOKEN-SECRET".into()),
                ("X-Auth-Token".into(), "IAM-SECRET".into()),
            ],
            body: Bytes::from_static(b"{}"),
        };
        let shown = format!("{}{prepared:?}", prepared.render());
        for secret in ["deadbeef", "TOKEN-SECRET", "IAM-SECRET"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("Access=AK"));
        assert_eq!(prepared.signature(), Some("deadbeef"));
    }

    #[test]
    fn a_trickle_is_too_slow_and_a_steady_body_is_not() {
        let start = Instant::now();
        let mut rate = MinRate::new(Duration::from_secs(2));
        assert!(rate.record(10, start + Duration::from_millis(500)).is_ok());
        assert!(matches!(
            rate.record(10, start + Duration::from_secs(3)),
            Err(BodyFailure::TooSlow { bytes: 20, .. })
        ));
        let mut rate = MinRate::new(Duration::from_secs(1));
        for second in 1..=5 {
            assert!(rate
                .record(4096, start + Duration::from_secs(second))
                .is_ok());
        }
    }

    /// A refused connection to a URL that mentions TLS is a retryable
    /// connect failure, not a TLS one.
    #[tokio::test]
    async fn the_url_does_not_decide_the_kind_of_failure() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        let url = Url::parse(&format!("http://127.0.0.1:{port}/tls-certificate/x")).expect("url");
        let prepared = Prepared {
            method: Method::GET,
            url: url.clone(),
            headers: Vec::new(),
            body: Bytes::new(),
        };
        let error = reqwest::Client::new()
            .get(url)
            .send()
            .await
            .expect_err("nothing listens");
        let failure = TransportError::from_reqwest(&prepared, &error);
        assert_eq!(failure.kind, FailureKind::Connect, "{failure}");
        assert!(failure.transient, "{failure}");
    }

    #[test]
    fn root_causes_read_like_sentences() {
        let io = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        );
        assert_eq!(root_cause(&io), "connection refused");
        let url = Url::parse("https://h.example/p").expect("url");
        assert_eq!(authority(&url), "h.example:443");
    }
}
