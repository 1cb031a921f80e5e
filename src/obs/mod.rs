//! The OBS client: the object requests an import needs (`PUT`, `DELETE`),
//! signed with OBS signature V2 ([`crate::auth::obs`]) afresh for every
//! attempt and sent through the shared [`Transport`] (its retries, timeouts,
//! tracing and redaction).
//!
//! Addressing follows the official SDKs: virtual-hosted
//! (`https://BUCKET.obs-host/KEY`) by default, path style
//! (`http://obs-host/BUCKET/KEY`) when the endpoint's host is an IP address
//! or `localhost`. A 3xx is never followed (a signed PUT sent elsewhere is a
//! region mismatch to report, not to chase). Errors are OBS's XML
//! `<Error><Code/><Message/><RequestId/></Error>`, parsed into [`ObsError`]
//! with the server's text sanitised.

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use md5::{Digest, Md5};
use reqwest::{Method, Response, Url};

use crate::auth::obs::{self as sign, Key};
use crate::auth::{Credentials, Secret};
use crate::http::retry::parse_retry_after;
use crate::http::status::Class;
use crate::http::{self, Outcome, Prepared, Retryable, Transport, TransportError, MAX_ERROR_BODY};

/// The content type of staged archives.
pub const ZIP_CONTENT_TYPE: &str = "application/zip";

/// An object's place: `obs://BUCKET/KEY`, with a valid bucket name and an
/// object key (checked wherever one is made).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectPath {
    bucket: String,
    key: String,
}

impl ObjectPath {
    /// The object `key` in `bucket`: the bucket must be a valid bucket name
    /// ([`bucket_problem`]) and the key name an object (not empty, no
    /// trailing `/`, no control character).
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Result<Self, PathError> {
        let (bucket, key) = (bucket.into(), key.into());
        let problem = bucket_problem(&bucket).or_else(|| key_problem(&key));
        match problem {
            Some(reason) => Err(PathError {
                text: crate::text::escape_controls(&format!("obs://{bucket}/{key}")),
                reason,
            }),
            None => Ok(Self { bucket, key }),
        }
    }

    /// Parses `obs://BUCKET/KEY` (a key is required, and the bucket must be
    /// a valid bucket name).
    pub fn parse(text: &str) -> Result<Self, PathError> {
        let invalid = |reason: &'static str| PathError {
            text: crate::text::escape_controls(text),
            reason,
        };
        let rest = text
            .strip_prefix("obs://")
            .ok_or_else(|| invalid("it does not start with obs://"))?;
        let (bucket, key) = rest
            .split_once('/')
            .ok_or_else(|| invalid("it names no object key after the bucket"))?;
        Self::new(bucket, key).map_err(|error| invalid(error.reason))
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

/// Why `key` cannot name an object, if it cannot.
fn key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() || key.ends_with('/') {
        Some("it names a folder, not an object")
    } else if key.chars().any(char::is_control) {
        Some("the key holds a control character")
    } else {
        None
    }
}

impl fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "obs://{}/{}", self.bucket, self.key)
    }
}

/// A text that is not an `obs://BUCKET/KEY` path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an OBS object path (obs://BUCKET/KEY): {reason}")]
pub struct PathError {
    pub text: String,
    pub reason: &'static str,
}

/// Why `name` cannot be a bucket name, if it cannot (OBS's rules: 3–63
/// characters of `a-z 0-9 - .`, starting and ending with a letter or digit,
/// no `..`, `.-` or `-.`, not an IP address).
pub fn bucket_problem(name: &str) -> Option<&'static str> {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !(3..=63).contains(&name.len()) {
        Some("a bucket name has 3 to 63 characters")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        Some("a bucket name holds only lower-case letters, digits, '-' and '.'")
    } else if !alnum(name.chars().next()) || !alnum(name.chars().last()) {
        Some("a bucket name starts and ends with a letter or digit")
    } else if name.contains("..") || name.contains(".-") || name.contains("-.") {
        Some("a bucket name holds no '..', '.-' or '-.'")
    } else if name.parse::<IpAddr>().is_ok() {
        Some("a bucket name is not an IP address")
    } else {
        None
    }
}

/// Base64 `Content-MD5` and lower-case hex (the ETag OBS returns) of `body`.
pub fn md5_of(body: &[u8]) -> (String, String) {
    let digest: [u8; 16] = Md5::digest(body).into();
    (sign::content_md5(&digest), hex::encode(digest))
}

/// A failure talking to OBS.
#[derive(Debug, thiserror::Error)]
pub enum ObsError {
    /// OBS answered with a non-2xx status (its XML error parsed).
    #[error("{}", status_message(.0))]
    Status(Box<StatusError>),
    /// Connect, TLS, timeout or another transport failure.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The object was stored, but OBS's ETag is not the MD5 of what was sent.
    #[error("{url}: OBS stored the object with ETag {got:?}, but the MD5 of the bytes sent is {expected} (request id {})", request_id.as_deref().unwrap_or("none"))]
    ETagMismatch {
        url: String,
        expected: String,
        got: String,
        request_id: Option<String>,
    },
    /// The credentials are an IAM token; OBS takes only AK/SK signatures.
    #[error("OBS accepts only AK/SK signatures, and the credentials in use are an IAM token")]
    TokenCredentials,
    /// The endpoint has a path or query: OBS addresses objects by host (or
    /// `/BUCKET/` for an IP), so a path would be signed as part of the key.
    #[error("the OBS endpoint {endpoint} has a path or query; an OBS endpoint is scheme://host[:port] only")]
    EndpointPath { endpoint: String },
}

/// A non-2xx answer of OBS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusError {
    pub method: String,
    pub url: String,
    pub status: u16,
    /// Server text, escaped and with our secrets redacted.
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    /// Where a 3xx pointed (never followed).
    pub location: Option<String>,
    pub retry_after: Option<Duration>,
}

fn status_message(error: &StatusError) -> String {
    let StatusError {
        method,
        url,
        status,
        code,
        message,
        request_id,
        location,
        ..
    } = error;
    let reason = reqwest::StatusCode::from_u16(*status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let what = match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.clone(),
        (None, Some(message)) => message.clone(),
        (None, None) => "no error details in the response".to_string(),
    };
    let moved = location
        .as_deref()
        .map(|to| format!(", redirected to {to}, not followed"))
        .unwrap_or_default();
    format!(
        "OBS refused {method} {url}: {what} (HTTP {status} {reason}{moved}, request id {})",
        request_id.as_deref().unwrap_or("none")
    )
}

impl ObsError {
    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ObsError::Status(error) => Some(error.status),
            _ => None,
        }
    }

    /// OBS's error code (`SignatureDoesNotMatch`, `BadDigest`, ...).
    pub fn code(&self) -> Option<&str> {
        match self {
            ObsError::Status(error) => error.code.as_deref(),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            ObsError::Status(error) => error.request_id.as_deref(),
            ObsError::ETagMismatch { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

impl Retryable for ObsError {
    fn is_transient(&self) -> bool {
        match self {
            ObsError::Status(error) => Class::of(error.status).is_transient(),
            ObsError::Transport(transport) => transport.transient,
            ObsError::ETagMismatch { .. }
            | ObsError::TokenCredentials
            | ObsError::EndpointPath { .. } => false,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ObsError::Status(error) => error.retry_after,
            _ => None,
        }
    }

    fn brief(&self) -> String {
        match self {
            ObsError::Status(error) => format!("OBS HTTP {}", error.status),
            ObsError::Transport(transport) => transport.brief(),
            other => other.to_string(),
        }
    }
}

/// What a successful object request reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub request_id: Option<String>,
}

/// The AK/SK OBS is signed with.
#[derive(Clone)]
struct ObsKey {
    ak: String,
    sk: Secret,
    security_token: Option<Secret>,
}

/// A client for one OBS endpoint.
#[derive(Clone)]
pub struct Client {
    transport: Transport,
    endpoint: Url,
    path_style: bool,
    key: ObsKey,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("obs::Client")
            .field("endpoint", &self.endpoint.as_str())
            .field("path_style", &self.path_style)
            .finish_non_exhaustive()
    }
}

/// Whether the SDKs address `endpoint` path style: its host is an IP
/// address or `localhost`.
pub fn uses_path_style(endpoint: &Url) -> bool {
    let host = endpoint.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok() || host.eq_ignore_ascii_case("localhost")
}

impl Client {
    /// A client for `endpoint`, signing with `credentials` (AK/SK only).
    pub fn new(
        transport: Transport,
        endpoint: Url,
        credentials: &Credentials,
    ) -> Result<Self, ObsError> {
        let Credentials::AkSk {
            ak,
            sk,
            security_token,
        } = credentials
        else {
            return Err(ObsError::TokenCredentials);
        };
        if endpoint.path() != "/" || endpoint.query().is_some() {
            return Err(ObsError::EndpointPath {
                endpoint: crate::text::escape_controls(endpoint.as_str()),
            });
        }
        Ok(Self {
            transport,
            path_style: uses_path_style(&endpoint),
            endpoint,
            key: ObsKey {
                ak: ak.clone(),
                sk: sk.clone(),
                security_token: security_token.clone(),
            },
        })
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// Why addressing `bucket` may fail before OBS sees the request: a
    /// dotted name, virtual-hosted over HTTPS, makes a host name the
    /// endpoint's wildcard certificate (`*.obs.<region>…`) does not cover,
    /// as on S3 (the certificate check then fails).
    pub fn addressing_risk(&self, bucket: &str) -> Option<String> {
        let risky = !self.path_style && self.endpoint.scheme() == "https" && bucket.contains('.');
        risky.then(|| {
            format!(
                "the bucket name {bucket} has dots: addressed as {bucket}.{} over HTTPS, \
                 it may not match the endpoint's certificate (a TLS error); a bucket without \
                 dots avoids it",
                self.endpoint.host_str().unwrap_or_default()
            )
        })
    }

    /// The URL of an object in this client's addressing style. Virtual-hosted,
    /// the bucket becomes the first label of the endpoint's host; an endpoint
    /// that cannot take it (no host) is refused, never addressed bare.
    pub fn url(&self, object: &ObjectPath) -> Result<Url, PathError> {
        let mut url = self.endpoint.clone();
        let base = self.endpoint.path().trim_end_matches('/');
        let key = sign::encode_key(&object.key);
        if self.path_style {
            url.set_path(&format!("{base}/{}/{key}", object.bucket));
        } else {
            let unaddressable = || PathError {
                text: crate::text::escape_controls(&object.to_string()),
                reason: "the OBS endpoint has no host name to put the bucket in",
            };
            let endpoint_host = self
                .endpoint
                .host_str()
                .filter(|host| !host.is_empty())
                .ok_or_else(unaddressable)?;
            let host = format!("{}.{endpoint_host}", object.bucket);
            url.set_host(Some(&host)).map_err(|_| unaddressable())?;
            url.set_path(&format!("{base}/{key}"));
        }
        url.set_query(None);
        Ok(url)
    }

    /// Signs one attempt of a request on `object` now (a fresh `Date`).
    pub fn prepare(
        &self,
        method: Method,
        object: &ObjectPath,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> Result<Prepared, PathError> {
        let url = self.url(object)?;
        let request = sign::Request {
            method: method.as_str(),
            bucket: &object.bucket,
            key: Some(&object.key),
            query: &[],
            headers: &headers,
            path_style: self.path_style,
        };
        let key = Key {
            ak: &self.key.ak,
            sk: &self.key.sk,
            security_token: self.key.security_token.as_ref(),
        };
        let signed = sign::sign(&request, &key, SystemTime::now());
        let mut headers = vec![("User-Agent".to_string(), http::USER_AGENT.to_string())];
        headers.extend(signed.headers);
        Ok(Prepared {
            method,
            url,
            headers,
            body,
        })
    }

    /// The upload of `body` to `object`, as it would be sent (`--dry-run`).
    pub fn prepare_put(&self, object: &ObjectPath, body: Bytes) -> Result<Prepared, PathError> {
        let (content_md5, _) = md5_of(&body);
        self.prepare(
            Method::PUT,
            object,
            vec![
                ("Content-MD5".to_string(), content_md5),
                ("Content-Type".to_string(), ZIP_CONTENT_TYPE.to_string()),
            ],
            body,
        )
    }

    /// Uploads `body` to `object` with `Content-MD5`, and checks that the
    /// ETag OBS returns is the body's MD5. Retries transient failures (a PUT
    /// of the same bytes is idempotent), each attempt signed afresh.
    pub async fn put_object(&self, object: &ObjectPath, body: Bytes) -> anyhow::Result<Stored> {
        let (_, md5_hex) = md5_of(&body);
        let mut attempts = self.transport.attempts();
        loop {
            let prepared = self.prepare_put(object, body.clone())?;
            let error = match self.send(&prepared, attempts.number()).await {
                Ok(response) => {
                    let etag = response
                        .headers()
                        .get(reqwest::header::ETAG)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .trim()
                        .trim_matches('"')
                        .to_ascii_lowercase();
                    let request_id = http::request_id(&response);
                    if etag != md5_hex {
                        return Err(ObsError::ETagMismatch {
                            url: prepared.url.to_string(),
                            expected: md5_hex,
                            got: self.transport.sanitize(&prepared, &etag),
                            request_id,
                        }
                        .into());
                    }
                    return Ok(Stored { request_id });
                }
                Err(error) => *error,
            };
            attempts.after_failure(error).await?;
        }
    }

    /// The deletion of `object`, as it would be sent.
    pub fn prepare_delete(&self, object: &ObjectPath) -> Result<Prepared, PathError> {
        self.prepare(Method::DELETE, object, Vec::new(), Bytes::new())
    }

    /// Deletes `object` (an object that is already gone counts as deleted),
    /// retrying transient failures.
    pub async fn delete_object(&self, object: &ObjectPath) -> anyhow::Result<Stored> {
        let mut attempts = self.transport.attempts();
        loop {
            let prepared = self.prepare_delete(object)?;
            let error = match self.send(&prepared, attempts.number()).await {
                Ok(response) => {
                    return Ok(Stored {
                        request_id: http::request_id(&response),
                    })
                }
                Err(error) if error.status() == Some(404) => {
                    return Ok(Stored {
                        request_id: error.request_id().map(str::to_string),
                    })
                }
                Err(error) => *error,
            };
            attempts.after_failure(error).await?;
        }
    }

    /// Sends one attempt; a non-2xx status becomes [`ObsError::Status`].
    async fn send(&self, prepared: &Prepared, attempt: u32) -> Result<Response, Box<ObsError>> {
        let started = Instant::now();
        let response = match self.transport.send(prepared).await {
            Ok(response) => response,
            Err(error) => {
                self.transport.trace_failed(
                    prepared,
                    attempt,
                    started,
                    &format!("failed: {error}"),
                );
                return Err(Box::new(error.into()));
            }
        };
        let status = response.status().as_u16();
        if response.status().is_success() {
            self.transport.trace_done(
                prepared,
                &Outcome {
                    status,
                    bytes: prepared.body.len() as u64,
                    request_id: http::request_id(&response).as_deref(),
                    attempt,
                    started,
                },
            );
            return Ok(response);
        }
        let error = self.read_error(prepared, response).await;
        self.transport
            .trace_failed(prepared, attempt, started, &format!("{error}"));
        Err(Box::new(error))
    }

    async fn read_error(&self, prepared: &Prepared, response: Response) -> ObsError {
        let status = response.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let location = header(reqwest::header::LOCATION);
        let retry_after = header(reqwest::header::RETRY_AFTER)
            .and_then(|value| parse_retry_after(&value, SystemTime::now()));
        let header_request_id = http::request_id(&response);
        let body = http::read_prefix(response, MAX_ERROR_BODY, self.transport.timeout()).await;
        let fields = ErrorXml::parse(&String::from_utf8_lossy(&body));
        let clean = |text: String| self.transport.sanitize(prepared, &text);
        ObsError::Status(Box::new(StatusError {
            method: prepared.method.to_string(),
            url: prepared.url.to_string(),
            status,
            code: fields.code.map(clean),
            message: fields.message.map(clean),
            request_id: header_request_id.or(fields.request_id).map(clean),
            location: location.map(|to| crate::config::redact_userinfo(&clean(to))),
            retry_after,
        }))
    }
}

/// The fields of OBS's XML error body.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ErrorXml {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

impl ErrorXml {
    /// Reads `<Code>`, `<Message>` and `<RequestId>` (entities decoded);
    /// anything that is not such XML gives no fields.
    pub fn parse(text: &str) -> Self {
        Self {
            code: element(text, "Code"),
            message: element(text, "Message"),
            request_id: element(text, "RequestId"),
        }
    }
}

fn element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&close)? + start;
    let value = unescape_xml(text[start..end].trim());
    (!value.is_empty()).then_some(value)
}

/// Decodes the five predefined XML entities and numeric references.
pub fn unescape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(end) = tail.find(';').filter(|end| *end <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for an XML element (the emulator's error bodies).
pub fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_paths_parse_and_print() {
        let path = ObjectPath::parse("obs://staging/dataarts-jobs/run/1.zip").expect("parses");
        assert_eq!(path.bucket, "staging");
        assert_eq!(path.key, "dataarts-jobs/run/1.zip");
        assert_eq!(path.to_string(), "obs://staging/dataarts-jobs/run/1.zip");
        for bad in [
            "s3://b/k",
            "obs://bucket",
            "obs://bucket/",
            "obs://bucket/dir/",
            "obs://B_ad/k",
            "obs://ab/k",
            "obs://a..b/k",
            "obs://192.168.1.1/k",
        ] {
            assert!(ObjectPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addressing_follows_the_sdks() {
        let url = |text: &str| Url::parse(text).expect("url");
        assert!(uses_path_style(&url("http://127.0.0.1:9000")));
        assert!(uses_path_style(&url("http://[::1]:9000")));
        assert!(uses_path_style(&url("http://localhost:9000")));
        assert!(!uses_path_style(&url(
            "https://obs.cn-north-4.myhuaweicloud.com"
        )));
    }

    /// A transport that sends once, with a printer that shows nothing.
    fn transport() -> Transport {
        let printer = crate::output::Printer::new(
            crate::output::Options::default(),
            crate::output::Terminals::default(),
        );
        Transport::new(
            &http::Options {
                timeout: Duration::from_secs(5),
                retries: 0,
                ca_cert: None,
                retry_delay_scale: 0.0,
            },
            &printer,
            Vec::new(),
        )
        .expect("transport")
    }

    fn client(endpoint: &str) -> Client {
        try_client(endpoint).expect("client")
    }

    fn try_client(endpoint: &str) -> Result<Client, ObsError> {
        Client::new(
            transport(),
            Url::parse(endpoint).expect("url"),
            &Credentials::AkSk {
                ak: "AK".into(),
                sk: Secret::new("SK-SECRET"),
                security_token: Some(Secret::new("TOKEN-SECRET")),
            },
        )
    }

    #[test]
    fn an_endpoint_with_a_path_or_query_is_refused() {
        for endpoint in ["http://127.0.0.1:9000/base", "https://obs.example.com/?x=1"] {
            assert!(
                matches!(try_client(endpoint), Err(ObsError::EndpointPath { .. })),
                "{endpoint}"
            );
        }
        assert!(try_client("http://127.0.0.1:9000/").is_ok());
    }

    #[test]
    fn urls_are_virtual_hosted_or_path_style() {
        let object = ObjectPath::new("staging", "dataarts-jobs/迁移 1.zip").expect("valid");
        assert_eq!(
            client("https://obs.cn-north-4.myhuaweicloud.com")
                .url(&object)
                .expect("url")
                .as_str(),
            "https://staging.obs.cn-north-4.myhuaweicloud.com/dataarts-jobs/%E8%BF%81%E7%A7%BB%201.zip"
        );
        assert_eq!(
            client("http://127.0.0.1:9000")
                .url(&object)
                .expect("url")
                .as_str(),
            "http://127.0.0.1:9000/staging/dataarts-jobs/%E8%BF%81%E7%A7%BB%201.zip"
        );
    }

    #[test]
    fn a_dotted_bucket_is_a_risk_only_virtual_hosted_over_https() {
        let cloud = client("https://obs.cn-north-4.myhuaweicloud.com");
        let risk = cloud.addressing_risk("my.bucket").expect("risky");
        assert!(
            risk.contains("my.bucket.obs.cn-north-4.myhuaweicloud.com over HTTPS"),
            "{risk}"
        );
        assert_eq!(cloud.addressing_risk("my-bucket"), None);
        assert_eq!(
            client("http://obs.example.com").addressing_risk("my.bucket"),
            None
        );
        assert_eq!(
            client("https://127.0.0.1:9000").addressing_risk("my.bucket"),
            None
        );
    }

    #[test]
    fn an_object_path_always_has_a_valid_bucket_and_key() {
        for (bucket, key) in [
            ("b", "k.zip"),
            ("Staging", "k.zip"),
            ("my_bucket", "k.zip"),
            ("a..b", "k.zip"),
            ("10.0.0.1", "k.zip"),
            ("staging", ""),
            ("staging", "dir/"),
            ("staging", "a\nb.zip"),
        ] {
            let error = ObjectPath::new(bucket, key).expect_err(bucket);
            assert!(error.to_string().contains(error.reason), "{error}");
        }
        let path = ObjectPath::new("staging", "run/1.zip").expect("valid");
        assert_eq!((path.bucket(), path.key()), ("staging", "run/1.zip"));
    }

    #[test]
    fn an_endpoint_without_a_host_is_refused_not_addressed_bare() {
        // Virtual-hosted addressing needs a host to put the bucket in;
        // the request is never sent, signed for the bucket, to the endpoint.
        let object = ObjectPath::new("staging", "k.zip").expect("valid");
        assert!(try_client("unix:/run/obs.sock").is_err(), "a path");
        let client = client("unix:/");
        let error = client.url(&object).expect_err("no host");
        assert!(error.to_string().contains("obs://staging/k.zip"), "{error}");
        assert!(client
            .prepare_put(&object, Bytes::from_static(b"zip"))
            .is_err());
        assert!(client.prepare_delete(&object).is_err());
    }

    #[test]
    fn a_put_carries_md5_type_token_and_a_redactable_signature() {
        let client = client("http://127.0.0.1:9000");
        let prepared = client
            .prepare_put(
                &ObjectPath::new("bkt", "k.zip").expect("valid"),
                Bytes::from_static(b"abc"),
            )
            .expect("prepared");
        let header = |name: &str| {
            prepared
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            header("Content-MD5").as_deref(),
            Some("kAFQmDzST7DWlj99KOF/cg==")
        );
        assert_eq!(header("Content-Type").as_deref(), Some(ZIP_CONTENT_TYPE));
        assert_eq!(
            header("x-obs-security-token").as_deref(),
            Some("TOKEN-SECRET")
        );
        assert!(header("Authorization").is_some_and(|a| a.starts_with("OBS AK:")));
        let shown = prepared.render();
        assert!(!shown.contains("TOKEN-SECRET"), "{shown}");
        assert!(shown.contains("OBS AK:(redacted)"), "{shown}");
    }

    #[test]
    fn token_credentials_cannot_sign_obs() {
        assert!(matches!(
            Client::new(
                transport(),
                Url::parse("http://h").expect("url"),
                &Credentials::Token(Secret::new("t"))
            ),
            Err(ObsError::TokenCredentials)
        ));
    }

    #[test]
    fn xml_errors_parse_with_entities() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match &amp; &lt;x&gt; &#65;</Message><RequestId>0000018A</RequestId><HostId>h</HostId></Error>"#;
        let parsed = ErrorXml::parse(body);
        assert_eq!(parsed.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(
            parsed.message.as_deref(),
            Some("The request signature we calculated does not match & <x> A")
        );
        assert_eq!(parsed.request_id.as_deref(), Some("0000018A"));
        assert_eq!(ErrorXml::parse("not xml"), ErrorXml::default());
        assert_eq!(unescape_xml("a & b &bogus; c"), "a & b &bogus; c");
        assert_eq!(unescape_xml(&escape_xml("<a&\"b\">")), "<a&\"b\">");
    }

    #[test]
    fn md5_is_base64_and_hex() {
        let (b64, hex) = md5_of(b"");
        assert_eq!(b64, "1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(hex, "d41d8cd98f00b204e9800998ecf8427e");
    }
}
