//! The DataArts API clients: DataArts Factory (DLF), IAM's project lookup,
//! and the Management Center. One [`Client`] signs each attempt afresh
//! (SDK-HMAC-SHA256, or an IAM token), sends it through the shared
//! [`Transport`], and turns answers into typed values or [`ApiError`]s.
//! Endpoint-specific calls live in the submodules.

mod error;
pub mod export;
pub mod iam;
pub mod import;
pub mod list;
pub mod probe;
pub mod studio;

use std::time::{Instant, SystemTime};

use bytes::Bytes;
use reqwest::{Method, Response, Url};
use serde::de::DeserializeOwned;

pub use error::ApiError;

use crate::auth::signer::{self, RequestParts, SdkDate, SigningKey};
use crate::auth::Credentials;
use crate::http::retry::parse_retry_after;
use crate::http::{self, BodyFailure, Outcome, Prepared, Transport, MAX_ERROR_BODY, MAX_JSON_BODY};
use crate::text;

/// The content type of JSON bodies, as the SDK sends it.
const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";

/// What a request is scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `/v1/{project_id}/...` on DLF or the Management Center: `X-Project-Id`
    /// and the `workspace` header are sent (and signed).
    Project,
    /// IAM: neither.
    Global,
}

/// A client for one endpoint, project and workspace.
#[derive(Clone)]
pub struct Client {
    transport: Transport,
    endpoint: Url,
    project_id: String,
    workspace: Option<String>,
    credentials: Credentials,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint.as_str())
            .field("project_id", &self.project_id)
            .field("workspace", &self.workspace)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(
        transport: Transport,
        endpoint: Url,
        project_id: String,
        workspace: Option<String>,
        credentials: Credentials,
    ) -> Self {
        Self {
            transport,
            endpoint,
            project_id,
            workspace,
            credentials,
        }
    }

    /// The same client aimed at another endpoint (the Management Center).
    pub fn at(&self, endpoint: Url) -> Self {
        Self {
            endpoint,
            ..self.clone()
        }
    }

    /// The same client working in another workspace (`None`: the default one).
    pub fn in_workspace(&self, workspace: Option<String>) -> Self {
        Self {
            workspace,
            ..self.clone()
        }
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    pub fn workspace(&self) -> Option<&str> {
        self.workspace.as_deref()
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// `<endpoint path><path>`, with no query.
    fn url_for(base: &Url, path: &str) -> Url {
        let mut url = base.clone();
        let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url.set_query(None);
        url
    }

    /// Signs a request now (each attempt gets a fresh `X-Sdk-Date`).
    pub fn prepare(
        &self,
        method: Method,
        base: &Url,
        path: &str,
        query: &[(String, String)],
        body: Option<Bytes>,
        scope: Scope,
    ) -> Prepared {
        let mut url = Self::url_for(base, path);
        let mut headers: Vec<(String, String)> =
            vec![("User-Agent".into(), http::USER_AGENT.into())];
        if body.is_some() {
            headers.push(("Content-Type".into(), JSON_CONTENT_TYPE.into()));
        }
        if scope == Scope::Project {
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
        let project_id = (scope == Scope::Project).then_some(self.project_id.as_str());
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
                    project_id,
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
                if let Some(project_id) = project_id {
                    headers.push(("X-Project-Id".into(), project_id.to_string()));
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

    /// A request under `/v1/{project_id}` on this client's endpoint.
    pub fn prepare_project(
        &self,
        method: Method,
        rest: &str,
        query: &[(String, String)],
        body: Option<Bytes>,
    ) -> Prepared {
        let path = format!("/v1/{}{rest}", self.project_id);
        self.prepare(method, &self.endpoint, &path, query, body, Scope::Project)
    }

    /// Sends one attempt. A non-2xx status becomes [`ApiError::Status`]
    /// (with the parsed, sanitised error body); a 2xx response is returned
    /// for reading.
    pub async fn send(
        &self,
        prepared: &Prepared,
        attempt: u32,
        started: Instant,
    ) -> Result<Response, ApiError> {
        let error = match self.transport.send(prepared).await {
            Ok(response) if response.status().is_success() => return Ok(response),
            Ok(response) => self.read_error(prepared, response).await,
            Err(error) => ApiError::Transport(error),
        };
        self.trace_failed(prepared, attempt, started, &error);
        Err(error)
    }

    /// Sends a request whose answer is JSON, retrying transient failures
    /// (for reads, and for writes that are safe to repeat).
    pub async fn call_json<T: DeserializeOwned>(
        &self,
        make: impl Fn() -> Prepared,
    ) -> anyhow::Result<T> {
        let mut attempts = self.transport.attempts();
        loop {
            match self.call_json_once(&make(), attempts.number()).await {
                Ok(value) => return Ok(value),
                Err(error) => attempts.after_failure(error).await?,
            }
        }
    }

    /// One attempt of a request whose answer is JSON (no retry: for a write
    /// that must not happen twice).
    pub async fn call_json_once<T: DeserializeOwned>(
        &self,
        prepared: &Prepared,
        attempt: u32,
    ) -> Result<T, ApiError> {
        self.call_json_once_with_id(prepared, attempt)
            .await
            .map(|(value, _)| value)
    }

    /// [`Client::call_json_once`], also giving the response's request id
    /// (the summaries of writes report it).
    pub async fn call_json_once_with_id<T: DeserializeOwned>(
        &self,
        prepared: &Prepared,
        attempt: u32,
    ) -> Result<(T, Option<String>), ApiError> {
        let started = Instant::now();
        let response = self.send(prepared, attempt, started).await?;
        let status = response.status().as_u16();
        let request_id = http::request_id(&response);
        let url = prepared.url.to_string();
        let body = match http::read_limited(response, MAX_JSON_BODY, self.transport.timeout()).await
        {
            Ok(body) => body,
            Err(failure) => {
                let error = match failure {
                    BodyFailure::TooLarge { limit } => ApiError::TooLarge { url, limit },
                    BodyFailure::TooSlow { bytes, seconds } => ApiError::TooSlow {
                        url,
                        bytes,
                        seconds,
                    },
                    BodyFailure::Cut(detail) => ApiError::Truncated { url, detail },
                };
                self.trace_failed(prepared, attempt, started, &error);
                return Err(error);
            }
        };
        self.transport.trace_done(
            prepared,
            &Outcome {
                status,
                bytes: body.len() as u64,
                request_id: request_id.as_deref(),
                attempt,
                started,
            },
        );
        serde_json::from_slice::<T>(&body)
            .map(|value| (value, request_id))
            .map_err(|error| ApiError::BadResponse {
                url: prepared.url.to_string(),
                detail: format!(
                    "{error}; the body starts with: {}",
                    self.shown_prefix(prepared, &body, 120)
                ),
            })
    }

    /// `-v`: one line for a request that failed.
    pub fn trace_failed(
        &self,
        prepared: &Prepared,
        attempt: u32,
        started: Instant,
        error: &ApiError,
    ) {
        let what = match error {
            ApiError::Status {
                status,
                error_code,
                error_msg,
                request_id,
                ..
            } => format!(
                "{status} {}: {} (request id {})",
                error_code.as_deref().unwrap_or("-"),
                error_msg.as_deref().unwrap_or("-"),
                request_id.as_deref().unwrap_or("none"),
            ),
            other => format!("failed: {other}"),
        };
        self.transport
            .trace_failed(prepared, attempt, started, &what);
    }

    /// Reads a bounded error body and parses the API's error fields; all
    /// server text is sanitised (our secrets redacted, controls escaped).
    async fn read_error(&self, prepared: &Prepared, response: Response) -> ApiError {
        let status = response.status().as_u16();
        let header_request_id = http::request_id(&response);
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let body = http::read_prefix(response, MAX_ERROR_BODY, self.transport.timeout()).await;
        let fields = ErrorBody::parse(&body);
        let clean = |text: String| self.transport.sanitize(prepared, &text);
        let error_msg = match fields.error_msg {
            Some(msg) => Some(clean(msg)),
            None if !body.is_empty() && fields.error_code.is_none() => {
                Some(self.shown_prefix(prepared, &body, 200))
            }
            None => None,
        };
        ApiError::Status {
            method: prepared.method.to_string(),
            url: prepared.url.to_string(),
            status,
            error_code: fields.error_code.map(clean),
            error_msg,
            request_id: header_request_id.or(fields.request_id).map(clean),
            retry_after,
        }
    }

    /// The first `max` bytes of a body, quoted, escaped and redacted.
    fn shown_prefix(&self, prepared: &Prepared, body: &[u8], max: usize) -> String {
        let lossy = String::from_utf8_lossy(body);
        text::quote_prefix(&self.transport.redact(prepared, &lossy), max)
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
}
