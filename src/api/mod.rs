//! The DataArts Factory (DLF) API client: request signing per attempt,
//! retries, error bodies, tracing. Endpoint-specific calls live in the
//! submodules.

mod error;
pub mod export;
pub mod iam;
pub mod list;
pub mod retry;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use anyhow::Context;
use bytes::Bytes;
use reqwest::{Method, Response, Url};
use serde::Deserialize;

pub use error::ApiError;
use retry::RetryPolicy;

use crate::auth::signer::{self, RequestParts, SdkDate, SigningKey};
use crate::credentials::Credentials;
use crate::settings::Connection;
use crate::text::{error_chain, escape_prefix};

/// Sent (and signed) with every request.
pub const USER_AGENT: &str = concat!("dataarts-jobs/", env!("CARGO_PKG_VERSION"));
/// The batch-export content type as the SDK sends it.
const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
/// Error bodies are small; never read more than this of one.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// How requests are traced on stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct Trace {
    /// 0: nothing; 1: one line per request; 2: and headers (redacted).
    pub verbose: u8,
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
    /// Headers with every secret redacted: the signature, tokens.
    pub fn redacted_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(name, value)| {
                let shown = if name.eq_ignore_ascii_case("authorization") {
                    signer::redact_authorization(value)
                } else if name.eq_ignore_ascii_case("x-security-token")
                    || name.eq_ignore_ascii_case("x-auth-token")
                {
                    "(redacted)".to_string()
                } else {
                    value.clone()
                };
                (name.clone(), shown)
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
            text.push_str(&String::from_utf8_lossy(&self.body));
            text.push('\n');
        }
        text
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

/// A client for one endpoint, project and workspace.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: Url,
    project_id: String,
    workspace: Option<String>,
    credentials: Credentials,
    retry: RetryPolicy,
    trace: Trace,
    /// HTTP requests sent, retries included (shared by clones).
    sent: Arc<AtomicU32>,
}

impl Client {
    /// Builds the HTTP client: rustls, timeouts, the extra CA, proxies from the environment.
    pub fn http(connection: &Connection) -> anyhow::Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(connection.timeout)
            .read_timeout(connection.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .use_rustls_tls();
        if let Some(path) = &connection.ca_cert {
            let pem = std::fs::read(path)
                .with_context(|| format!("cannot read --ca-cert {}", path.display()))
                .map_err(|e| crate::exit::UsageError(format!("{e:#}")))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| {
                crate::exit::UsageError(format!(
                    "--ca-cert {} holds no usable PEM certificate: {error}",
                    path.display()
                ))
            })?;
            if certificates.is_empty() {
                return Err(crate::exit::UsageError(format!(
                    "--ca-cert {} holds no PEM certificate",
                    path.display()
                ))
                .into());
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        builder
            .build()
            .context("cannot set up the HTTP client (TLS roots or proxy settings)")
    }

    pub fn new(
        http: reqwest::Client,
        connection: &Connection,
        project_id: String,
        retry: RetryPolicy,
        trace: Trace,
    ) -> Self {
        Self {
            http,
            endpoint: connection.endpoint.clone(),
            project_id,
            workspace: connection.workspace.clone(),
            credentials: connection.credentials.clone(),
            retry,
            trace,
            sent: Arc::new(AtomicU32::new(0)),
        }
    }

    /// How many HTTP requests this client (and its clones) sent, retries included.
    pub fn requests_sent(&self) -> u32 {
        self.sent.load(Ordering::Relaxed)
    }

    /// `/v1/{project_id}/<rest>` under the endpoint's own path (if any).
    fn url_for(base: &Url, path: &str) -> Url {
        let mut url = base.clone();
        let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url.set_query(None);
        url
    }

    /// Signs a request now (each attempt gets a fresh `X-Sdk-Date`).
    fn prepare(
        &self,
        method: Method,
        base: &Url,
        path: &str,
        query: &[(String, String)],
        body: Option<Bytes>,
        dlf_headers: bool,
    ) -> Prepared {
        let mut url = Self::url_for(base, path);
        let mut headers: Vec<(String, String)> = vec![("User-Agent".into(), USER_AGENT.into())];
        if body.is_some() {
            headers.push(("Content-Type".into(), JSON_CONTENT_TYPE.into()));
        }
        if dlf_headers {
            if let Some(workspace) = &self.workspace {
                headers.push(("workspace".into(), workspace.clone()));
            }
        }
        let body = body.unwrap_or_default();
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let canonical_query = signer::canonical_query(query);
        match &self.credentials {
            Credentials::AkSk {
                ak,
                sk,
                security_token,
            } => {
                let key = SigningKey {
                    ak,
                    sk,
                    security_token: security_token.as_ref(),
                    project_id: dlf_headers.then_some(self.project_id.as_str()),
                };
                let parts = RequestParts {
                    method: method.as_str(),
                    host: &host,
                    path: url.path(),
                    query,
                    headers: &headers,
                    body: &body,
                };
                let signed =
                    signer::sign(&parts, &key, &SdkDate::from_system_time(SystemTime::now()));
                headers = signed.headers;
            }
            Credentials::Token(token) => {
                if dlf_headers {
                    headers.push(("X-Project-Id".into(), self.project_id.clone()));
                }
                headers.push(("Host".into(), host));
                headers.push(("X-Auth-Token".into(), token.expose().to_string()));
            }
        }
        if !canonical_query.is_empty() {
            url.set_query(Some(&canonical_query));
        }
        Prepared {
            method,
            url,
            headers,
            body,
        }
    }

    /// A DLF request under `/v1/{project_id}`.
    pub fn prepare_dlf(
        &self,
        method: Method,
        rest: &str,
        query: &[(String, String)],
        body: Option<Bytes>,
    ) -> Prepared {
        let path = format!("/v1/{}{rest}", self.project_id);
        self.prepare(method, &self.endpoint.clone(), &path, query, body, true)
    }

    /// Sends one attempt. A non-2xx status becomes [`ApiError::Status`]
    /// (with the parsed error body); a 2xx response is returned for reading,
    /// and the caller traces it with [`Client::trace_done`] once the body is read.
    pub async fn send(
        &self,
        prepared: &Prepared,
        attempt: u32,
        started: Instant,
    ) -> Result<Response, ApiError> {
        let mut request = self
            .http
            .request(prepared.method.clone(), prepared.url.clone())
            .body(prepared.body.clone());
        for (name, value) in &prepared.headers {
            request = request.header(name, value);
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        let error = match request.send().await {
            Ok(response) if response.status().is_success() => return Ok(response),
            Ok(response) => read_error(prepared, response).await,
            Err(error) => transport_error(&prepared.url, &error),
        };
        self.trace_failed(prepared, attempt, started, &error);
        Err(error)
    }

    /// GET a JSON document, with retries.
    pub async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        make: impl Fn() -> Prepared,
    ) -> anyhow::Result<T> {
        let mut attempts = self.retry.start();
        loop {
            let prepared = make();
            let started = Instant::now();
            let result = async {
                let response = self.send(&prepared, attempts.number(), started).await?;
                let status = response.status().as_u16();
                let request_id = request_id(&response);
                let body = response.bytes().await.map_err(|error| {
                    let error = ApiError::Truncated {
                        url: prepared.url.to_string(),
                        detail: error_chain(&error),
                    };
                    self.trace_failed(&prepared, attempts.number(), started, &error);
                    error
                })?;
                self.trace_done(
                    &prepared,
                    attempts.number(),
                    started,
                    status,
                    request_id.as_deref(),
                    body.len() as u64,
                );
                serde_json::from_slice::<T>(&body).map_err(|error| ApiError::BadResponse {
                    url: prepared.url.to_string(),
                    detail: format!(
                        "{error}; the body starts with: {}",
                        escape_prefix(&body, 120)
                    ),
                })
            }
            .await;
            match result {
                Ok(value) => return Ok(value),
                Err(error) => attempts.after_failure(error).await?,
            }
        }
    }

    /// `-v`: one line for a request whose body was read in full.
    pub fn trace_done(
        &self,
        prepared: &Prepared,
        attempt: u32,
        started: Instant,
        status: u16,
        request_id: Option<&str>,
        bytes: u64,
    ) {
        if self.trace.verbose == 0 {
            return;
        }
        eprintln!(
            "> {} {} -> {status}, {bytes} bytes in {} ms (request id {}, attempt {attempt})",
            prepared.method,
            prepared.url,
            started.elapsed().as_millis(),
            request_id.unwrap_or("none"),
        );
        self.trace_headers(prepared);
    }

    /// `-v`: one line for a request that failed.
    pub fn trace_failed(
        &self,
        prepared: &Prepared,
        attempt: u32,
        started: Instant,
        error: &ApiError,
    ) {
        if self.trace.verbose == 0 {
            return;
        }
        let elapsed = started.elapsed().as_millis();
        match error {
            ApiError::Status {
                status,
                error_code,
                error_msg,
                request_id,
                ..
            } => eprintln!(
                "> {} {} -> {status} {}: {} after {elapsed} ms (request id {}, attempt {attempt})",
                prepared.method,
                prepared.url,
                error_code.as_deref().unwrap_or("-"),
                error_msg.as_deref().unwrap_or("-"),
                request_id.as_deref().unwrap_or("none"),
            ),
            other => eprintln!(
                "> {} {} -> failed after {elapsed} ms (attempt {attempt}): {other}",
                prepared.method, prepared.url,
            ),
        }
        self.trace_headers(prepared);
    }

    fn trace_headers(&self, prepared: &Prepared) {
        if self.trace.verbose < 2 {
            return;
        }
        for (name, value) in prepared.redacted_headers() {
            eprintln!(">   {name}: {value}");
        }
    }
}

/// The request id APIG puts on every response.
pub fn request_id(response: &Response) -> Option<String> {
    response
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

/// Reads a bounded error body and parses the API's error fields.
async fn read_error(prepared: &Prepared, mut response: Response) -> ApiError {
    let status = response.status().as_u16();
    let mut request_id = request_id(&response);
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| retry::parse_retry_after(value, SystemTime::now()));
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body.truncate(MAX_ERROR_BODY);
    let fields = ErrorBody::parse(&body);
    if request_id.is_none() {
        request_id = fields.request_id.clone();
    }
    let error_msg = fields.error_msg.or_else(|| {
        (!body.is_empty() && fields.error_code.is_none()).then(|| escape_prefix(&body, 200))
    });
    ApiError::Status {
        method: prepared.method.to_string(),
        url: prepared.url.to_string(),
        status,
        error_code: fields.error_code,
        error_msg,
        request_id,
        retry_after,
    }
}

/// The error fields the SDK looks for, in its order.
#[derive(Debug, Default, PartialEq)]
struct ErrorBody {
    error_code: Option<String>,
    error_msg: Option<String>,
    request_id: Option<String>,
}

impl ErrorBody {
    fn parse(body: &[u8]) -> Self {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
        else {
            return Self::default();
        };
        let text = |key: &str| {
            map.get(key).and_then(|value| match value {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let pick = |keys: &[&str]| keys.iter().find_map(|key| text(key));
        let mut parsed = Self {
            error_code: pick(&["error_code", "errorCode", "code"]),
            error_msg: pick(&["error_msg", "errorMsg", "message"]),
            request_id: pick(&["request_id", "requestId"]),
        };
        if parsed.error_code.is_none() {
            // Some services nest the fields: {"error": {"code": ..., "message": ...}}.
            if let Some(serde_json::Value::Object(inner)) =
                map.values().find(|value| value.is_object())
            {
                let inner_text =
                    |key: &str| inner.get(key).and_then(|v| v.as_str()).map(str::to_string);
                parsed.error_code = inner_text("code").or_else(|| inner_text("error_code"));
                parsed.error_msg = inner_text("message").or_else(|| inner_text("error_msg"));
            }
        }
        parsed
    }
}

fn transport_error(url: &Url, error: &reqwest::Error) -> ApiError {
    // reqwest repeats the URL, which the message already names.
    let detail = error_chain(error).replace(&format!(" for url ({url})"), "");
    // A certificate problem will not go away by retrying.
    let certificate = detail.contains("certificate") || detail.contains("Certificate");
    let transient = !certificate
        && (error.is_connect() || error.is_timeout() || error.is_request() || error.is_body());
    ApiError::Transport {
        url: url.to_string(),
        detail,
        transient,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_parse_like_the_sdk() {
        let dlf = ErrorBody::parse(
            br#"{"error_code":"DLF.0100","error_msg":"The job does not exists."}"#,
        );
        assert_eq!(dlf.error_code.as_deref(), Some("DLF.0100"));
        assert_eq!(dlf.error_msg.as_deref(), Some("The job does not exists."));
        let apig = ErrorBody::parse(
            br#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication","request_id":"r1"}"#,
        );
        assert_eq!(apig.request_id.as_deref(), Some("r1"));
        let camel = ErrorBody::parse(br#"{"errorCode":"X.1","errorMsg":"m"}"#);
        assert_eq!(camel.error_code.as_deref(), Some("X.1"));
        let nested = ErrorBody::parse(br#"{"error":{"code":"IAM.1","message":"no"}}"#);
        assert_eq!(nested.error_code.as_deref(), Some("IAM.1"));
        assert_eq!(ErrorBody::parse(b"<html>"), ErrorBody::default());
    }

    #[test]
    fn transient_statuses_match_the_contract() {
        let status = ApiError::with_status;
        for code in [429, 500, 502, 503, 504] {
            assert!(status(code).is_transient(), "{code}");
        }
        for code in [400, 401, 403, 404, 413, 501] {
            assert!(!status(code).is_transient(), "{code}");
        }
    }

    #[test]
    fn redaction_hides_signature_and_tokens() {
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
    }
}
