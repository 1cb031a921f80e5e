//! The HTTP side: accept loop, one task per connection (HTTP/1.1 keep-alive),
//! routing, authentication, and the three APIs.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::faults::{fault_body, throttled_body, ExportFault, FaultState};
use super::log::{LogLine, RequestLog};
use super::store::{epoch_ms, Job, JobType, Store, Workspace};
use super::zipstream::{self, Compression, ConnControl, PlannedEntry, ZipBody};
use super::OffsetUnit;
use crate::auth::signer::{find_header, parse_query, verify, Received, SdkDate, VerifyError};
use crate::auth::Secret;

/// Largest request body read (the gateway's own limit is 12 MB; ours is plenty).
const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// Most names one batch export takes.
const MAX_EXPORT_NAMES: usize = 100;
/// Allowed distance between `X-Sdk-Date` and the server's clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `shutdown` waits for open connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
const JSON: &str = "application/json;charset=UTF-8";

type ResBody = BoxBody<Bytes, io::Error>;

/// What every connection shares.
pub(crate) struct State {
    pub ak: String,
    pub sk: Secret,
    pub auth_token: Option<Secret>,
    pub project_id: String,
    pub region: String,
    /// Projects IAM answers for `region` (see `Config::iam_projects`).
    pub iam_projects: u8,
    /// `http` or `https`, for the links IAM's answers carry.
    pub scheme: &'static str,
    pub domain_id: String,
    pub offset_unit: OffsetUnit,
    pub store: Store,
    pub log: Option<RequestLog>,
    pub faults: FaultState,
    pub compression: Compression,
}

/// Accepts until `shutdown` flips (or its sender is dropped), then gives open
/// connections `SHUTDOWN_GRACE` to finish.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(
                        stream,
                        tls.clone(),
                        state.clone(),
                        shutdown.clone(),
                    ));
                }
                // Out of file descriptors and the like: back off, keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drain).await;
    connections.abort_all();
}

/// Serves one connection until the client closes it or shutdown is asked:
/// plain HTTP, or HTTP inside TLS when an acceptor is given (the TLS stream
/// wraps `ConnIo`, so the reset fault still acts on the TCP socket).
async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    state: Arc<State>,
    shutdown: watch::Receiver<bool>,
) {
    let control = Arc::new(ConnControl::default());
    let io = ConnIo {
        stream,
        control: control.clone(),
    };
    match tls {
        None => serve_http(io, control, state, shutdown).await,
        Some(acceptor) => {
            // A failed or stalled handshake (e.g. a client that does not
            // trust the certificate) just ends the connection.
            if let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(io)).await
            {
                serve_http(stream, control, state, shutdown).await;
            }
        }
    }
}

/// HTTP/1.1 with keep-alive over `io`, until the client closes or shutdown is asked.
async fn serve_http<I>(
    io: I,
    control: Arc<ConnControl>,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let service = service_fn(move |request| handle(state.clone(), control.clone(), request));
    let connection = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = shutdown.changed() => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

/// The TCP stream, able to end with a reset when a body asks for it.
struct ConnIo {
    stream: TcpStream,
    control: Arc<ConnControl>,
}

impl ConnIo {
    fn resetting(&self) -> bool {
        self.control.reset.load(Ordering::SeqCst)
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.resetting() {
            // SO_LINGER 0: the close sends RST instead of FIN.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.resetting() {
            return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.resetting() {
            return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
        }
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.resetting() {
            // No FIN: the drop sends the reset.
            return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()));
        }
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A response and what the log should say about it.
struct Outcome {
    response: Response<ResBody>,
    fault: Option<&'static str>,
}

impl From<Response<ResBody>> for Outcome {
    fn from(response: Response<ResBody>) -> Self {
        Self {
            response,
            fault: None,
        }
    }
}

/// One request: read the body (bounded), answer, sleep `--latency`, log.
async fn handle(
    state: Arc<State>,
    control: Arc<ConnControl>,
    request: Request<Incoming>,
) -> Result<Response<ResBody>, Infallible> {
    let arrived = SystemTime::now();
    let started = Instant::now();
    let request_id = new_request_id();
    let (parts, body) = request.into_parts();
    let headers = header_pairs(&parts.headers);
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().map(str::to_string);

    let (body, mut outcome) = match read_body(body, &parts.headers).await {
        Ok(body) => {
            let outcome = dispatch(
                &state,
                &control,
                &Req {
                    method: &parts.method,
                    path: &path,
                    raw_query: raw_query.as_deref().unwrap_or(""),
                    headers: &headers,
                    body: &body,
                    request_id: &request_id,
                    started,
                },
            );
            (body, outcome)
        }
        Err(status) => {
            let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "Request entity too large"
            } else {
                "Request error: the request body could not be read"
            };
            let body =
                json!({"error_code": "APIGW.0201", "error_msg": msg, "request_id": request_id});
            (Bytes::new(), json_response(status, &body).into())
        }
    };
    if let Some(latency) = state.faults.latency() {
        tokio::time::sleep(latency).await;
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        outcome.response.headers_mut().insert("x-request-id", value);
    }
    if let Some(log) = &state.log {
        log.write(&LogLine {
            ts_ms: epoch_ms(arrived),
            method: parts.method.as_str(),
            path: &path,
            query: raw_query.as_deref(),
            headers: &headers,
            body: &body,
            status: outcome.response.status().as_u16(),
            request_id: &request_id,
            fault: outcome.fault,
        });
    }
    Ok(outcome.response)
}

/// A received request, borrowed.
struct Req<'a> {
    method: &'a Method,
    path: &'a str,
    raw_query: &'a str,
    headers: &'a [(String, String)],
    body: &'a [u8],
    request_id: &'a str,
    started: Instant,
}

enum Route<'a> {
    BatchExport { project: &'a str },
    ListJobs { project: &'a str },
    Projects,
}

fn route<'a>(method: &Method, path: &'a str) -> Option<Route<'a>> {
    let trimmed = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let segments: Vec<&str> = trimmed.split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::POST, ["", "v1", project, "jobs", "batch-export"]) => {
            Some(Route::BatchExport { project })
        }
        (&Method::GET, ["", "v1", project, "jobs"]) => Some(Route::ListJobs { project }),
        (&Method::GET, ["", "v3", "projects"]) => Some(Route::Projects),
        _ => None,
    }
}

/// Route → authenticate → throttle → project → faults → the API, as a gateway would.
fn dispatch(state: &State, control: &Arc<ConnControl>, req: &Req<'_>) -> Outcome {
    let Some(route) = route(req.method, req.path) else {
        let body = json!({
            "error_code": "APIGW.0101",
            "error_msg": "The API does not exist or has not been published in the environment",
            "request_id": req.request_id,
        });
        return json_response(StatusCode::NOT_FOUND, &body).into();
    };
    if let Err(detail) = authenticate(state, req) {
        let body = json!({
            "error_code": "APIGW.0301",
            "error_msg": format!("Incorrect IAM authentication information: {detail}"),
            "request_id": req.request_id,
        });
        return json_response(StatusCode::UNAUTHORIZED, &body).into();
    }
    if let Err(limit) = state.faults.throttle(req.started) {
        let mut response = json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &throttled_body(&limit, req.request_id),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        return Outcome {
            response,
            fault: Some("rate_limit"),
        };
    }
    match route {
        Route::BatchExport { project } | Route::ListJobs { project }
            if project != state.project_id =>
        {
            let body = json!({
                "error_code": "APIGW.0302",
                "error_msg": "The IAM user is not authorized to access the API.",
                "request_id": req.request_id,
            });
            json_response(StatusCode::FORBIDDEN, &body).into()
        }
        Route::BatchExport { .. } => {
            let fault = state.faults.on_export();
            batch_export(state, control, req, fault)
        }
        Route::ListJobs { .. } => list_jobs(state, req).into(),
        Route::Projects => projects(state, req).into(),
    }
}

/// An `X-Auth-Token` equal to the configured one, or a valid signature.
fn authenticate(state: &State, req: &Req<'_>) -> Result<(), String> {
    if let Some(token) = find_header(req.headers, "X-Auth-Token") {
        return match &state.auth_token {
            Some(expected) if constant_time_eq(expected.expose(), token) => Ok(()),
            _ => Err("the token is invalid or has expired".to_string()),
        };
    }
    let received = Received {
        method: req.method.as_str(),
        path: req.path,
        raw_query: req.raw_query,
        headers: req.headers,
        body: req.body,
    };
    let now = SystemTime::now();
    verify(&received, &state.ak, &state.sk, now, MAX_SKEW).map_err(|err| match err {
        VerifyError::Mismatch { canonical_request } => format!(
            "verify aksk signature fail, canonicalRequest: {}",
            echo_canonical(&canonical_request)
        ),
        VerifyError::Expired => format!(
            "verify aksk signature fail, signature expired: X-Sdk-Date is more than 15 minutes from the server time {}",
            SdkDate::from_system_time(now)
        ),
        VerifyError::UnknownAccessKey => {
            "verify aksk signature fail, the access key does not exist".to_string()
        }
        VerifyError::MalformedAuthorization => {
            "verify aksk signature fail, the Authorization header is missing or malformed".to_string()
        }
        VerifyError::MissingDate => {
            "verify aksk signature fail, the X-Sdk-Date header is missing or malformed".to_string()
        }
        VerifyError::MissingSignedHeader(name) => {
            format!("verify aksk signature fail, signed header {name} is missing")
        }
    })
}

/// The canonical request with `|` for newlines, as the gateway echoes it; a
/// security token's value is left out.
fn echo_canonical(canonical: &str) -> String {
    canonical
        .split('\n')
        .map(|line| {
            if line.to_ascii_lowercase().starts_with("x-security-token:") {
                "x-security-token:(redacted)"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn invalid_parameter(message: &str) -> Response<ResBody> {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error_code": "DLF.3051", "error_msg": message}),
    )
}

const INVALID: &str = "The request parameter is invalid.";

/// The workspace the `workspace` header names (absent → the default).
fn workspace<'s>(state: &'s State, req: &Req<'_>) -> Option<&'s Workspace> {
    state.store.workspace(find_header(req.headers, "workspace"))
}

/// The DLF 400 for a `workspace` header naming no workspace.
fn unknown_workspace(req: &Req<'_>) -> Response<ResBody> {
    let id = find_header(req.headers, "workspace").unwrap_or_default();
    invalid_parameter(&format!(
        "The request parameter is invalid: workspace {id:?} does not exist."
    ))
}

/// A parsed batch-export body.
struct ExportRequest {
    names: Vec<String>,
    depend: bool,
}

fn parse_export(body: &[u8]) -> Option<ExportRequest> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    let list = object.get("jobList")?.as_array()?;
    if list.is_empty() || list.len() > MAX_EXPORT_NAMES {
        return None;
    }
    let mut names = Vec::with_capacity(list.len());
    for name in list {
        let name = name.as_str().filter(|name| !name.is_empty())?;
        if !names.iter().any(|seen| seen == name) {
            names.push(name.to_string());
        }
    }
    let depend = match object.get("exportDepend") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(depend)) => *depend,
        Some(_) => return None,
    };
    match object.get("exportStatus") {
        None | Some(Value::Null) => {}
        Some(Value::String(status)) if status == "DEVELOP" || status == "SUBMIT" => {}
        Some(_) => return None,
    }
    Some(ExportRequest { names, depend })
}

fn batch_export(
    state: &State,
    control: &Arc<ConnControl>,
    req: &Req<'_>,
    fault: ExportFault,
) -> Outcome {
    let label = fault.label();
    if let Some(status) = fault.status {
        let mut response = json_response(status, &fault_body(status, req.request_id));
        if let Some(seconds) = state.faults.retry_after() {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        return Outcome {
            response,
            fault: label,
        };
    }
    let Some(export) = parse_export(req.body) else {
        return invalid_parameter(INVALID).into();
    };
    let Some(workspace) = workspace(state, req) else {
        return unknown_workspace(req).into();
    };
    let mut jobs: Vec<&Job> = Vec::with_capacity(export.names.len());
    for name in &export.names {
        match workspace.jobs.get(name) {
            Some(job) => jobs.push(job),
            None => {
                let body =
                    json!({"error_code": "DLF.0100", "error_msg": "The job does not exists."});
                return json_response(StatusCode::BAD_REQUEST, &body).into();
            }
        }
    }
    let mut entries = Vec::new();
    for job in jobs {
        let prefix = format!("jobs/{}/", job.name);
        entries.push(PlannedEntry {
            zip_name: format!("{prefix}{}", job.job_file.name),
            entry: job.job_file.clone(),
        });
        if export.depend {
            for dependency in &job.dependencies {
                entries.push(PlannedEntry {
                    zip_name: format!("{prefix}{}", dependency.name),
                    entry: dependency.clone(),
                });
            }
        }
    }
    let chunks = zipstream::spawn(entries, state.compression);
    let body = ZipBody::new(chunks, control.clone(), fault.body);
    let response = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, "application/octet-stream")
        .header("content-disposition", "attachment; filename=\"jobs.zip\"")
        .body(body.boxed())
        .unwrap_or_else(|_| internal_error());
    Outcome {
        response,
        fault: label,
    }
}

fn list_jobs(state: &State, req: &Req<'_>) -> Response<ResBody> {
    let query = parse_query(req.raw_query);
    let param = |name: &str| {
        query
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let limit = match param("limit") {
        None => 10,
        Some(text) => match text.parse::<u64>() {
            Ok(limit) if (1..=1000).contains(&limit) => limit,
            _ => return invalid_parameter(INVALID),
        },
    };
    let offset = match param("offset") {
        None => 0,
        Some(text) => match text.parse::<u64>() {
            Ok(offset) => offset,
            Err(_) => return invalid_parameter(INVALID),
        },
    };
    let job_type = match param("jobType") {
        None | Some("") => JobType::Batch,
        Some(text) => match JobType::parse(text) {
            Some(job_type) => job_type,
            None => return invalid_parameter(INVALID),
        },
    };
    let name_filter = param("jobName").filter(|name| !name.is_empty());
    let Some(workspace) = workspace(state, req) else {
        return unknown_workspace(req);
    };
    let matching: Vec<&Job> = workspace
        .jobs
        .values()
        .filter(|job| job.job_type == job_type)
        .filter(|job| name_filter.is_none_or(|filter| job.name.contains(filter)))
        .collect();
    let skip = match state.offset_unit {
        OffsetUnit::Records => offset,
        OffsetUnit::Pages => offset.saturating_mul(limit),
    };
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    let jobs: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(take)
        .map(|job| job_result(job))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"total": matching.len(), "jobs": jobs}),
    )
}

/// A JobResult as list jobs returns it (dgc `job_result.py`).
fn job_result(job: &Job) -> Value {
    let (status, last_instance) = match job.job_type {
        JobType::Batch => ("SCHEDULING", "success"),
        JobType::RealTime => ("NORMAL", "running"),
    };
    let created = epoch_ms(job.meta.created);
    let updated = epoch_ms(job.meta.updated);
    json!({
        "name": job.name,
        "jobType": job.job_type.as_str(),
        "owner": job.meta.owner,
        "priority": job.meta.priority,
        "status": status,
        "createUser": job.meta.create_user,
        "createTime": created,
        "startTime": created,
        "endTime": 4_102_415_999_000_i64,
        "lastInstanceStatus": last_instance,
        "lastInstanceEndTime": updated,
        "lastUpdateTime": updated,
        "lastUpdateUser": job.meta.last_update_user,
        "path": job.meta.directory,
        "singleNodeJobFlag": job.dependencies.is_empty(),
        "alarms": [],
    })
}

/// IAM `GET /v3/projects?name=<region>` (KeystoneListProjects).
fn projects(state: &State, req: &Req<'_>) -> Response<ResBody> {
    let query = parse_query(req.raw_query);
    let name = query
        .iter()
        .find(|(key, _)| key == "name")
        .map(|(_, value)| value.as_str());
    let host = find_header(req.headers, "host").unwrap_or("localhost");
    let base = format!("{}://{host}/v3/projects", state.scheme);
    let projects: Vec<Value> = if name.is_none_or(|name| name == state.region) {
        (0..state.iam_projects)
            .map(|index| {
                let id = iam_project_id(&state.project_id, index);
                json!({
                    "id": id,
                    "name": state.region,
                    "domain_id": state.domain_id,
                    "parent_id": state.domain_id,
                    "description": "",
                    "enabled": true,
                    "is_domain": false,
                    "links": {"self": format!("{base}/{id}")},
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let self_link = if req.raw_query.is_empty() {
        base
    } else {
        format!("{base}?{}", req.raw_query)
    };
    let mut response = json_response(
        StatusCode::OK,
        &json!({
            "projects": projects,
            "links": {"self": self_link, "previous": null, "next": null},
        }),
    );
    if let Ok(value) = HeaderValue::from_str(req.request_id) {
        response.headers_mut().insert("x-iam-trace-id", value);
    }
    response
}

/// The `index`th project IAM lists: the served one first, then made-up
/// ids of the same shape (32 hex digits) that DLF does not serve.
fn iam_project_id(served: &str, index: u8) -> String {
    if index == 0 {
        served.to_string()
    } else {
        format!("e5{index:030x}")
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response<ResBody> {
    let bytes = Bytes::from(body.to_string());
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, JSON)
        .body(full(bytes))
        .unwrap_or_else(|_| internal_error())
}

fn full(bytes: Bytes) -> ResBody {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

/// Only reached if a fixed, valid header failed to build: answer 500.
fn internal_error() -> Response<ResBody> {
    let mut response = Response::new(full(Bytes::from_static(
        br#"{"error_code":"DLF.0000","error_msg":"Internal server error."}"#,
    )));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// The request body, at most `MAX_REQUEST_BODY` bytes: 413 beyond, 400 if unreadable.
async fn read_body(body: Incoming, headers: &HeaderMap) -> Result<Bytes, StatusCode> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY as u64) {
        return Err(StatusCode::PAYLOAD_TOO_LARGE);
    }
    match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<LengthLimitError>() => Err(StatusCode::PAYLOAD_TOO_LARGE),
        Err(_) => Err(StatusCode::BAD_REQUEST),
    }
}

/// Headers as (name, value) pairs in arrival order; values as (lossy) UTF-8.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// 32 lower-case hex characters, as APIG's request ids.
fn new_request_id() -> String {
    format!("{:032x}", fastrand::u128(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert!(matches!(
            route(&Method::POST, "/v1/p/jobs/batch-export"),
            Some(Route::BatchExport { project: "p" })
        ));
        assert!(matches!(
            route(&Method::GET, "/v1/p/jobs/"),
            Some(Route::ListJobs { project: "p" })
        ));
        assert!(matches!(
            route(&Method::GET, "/v3/projects"),
            Some(Route::Projects)
        ));
        assert!(route(&Method::GET, "/v1/p/jobs/batch-export").is_none());
        assert!(route(&Method::DELETE, "/v1/p/jobs").is_none());
        assert!(route(&Method::GET, "/").is_none());
        assert!(route(&Method::GET, "").is_none());
    }

    #[test]
    fn export_body_validation() {
        assert!(parse_export(br#"{"jobList":["a","a","b"]}"#)
            .is_some_and(|e| e.names == ["a", "b"] && e.depend));
        assert!(
            parse_export(br#"{"jobList":["a"],"exportDepend":false,"exportStatus":"SUBMIT"}"#)
                .is_some_and(|e| !e.depend)
        );
        for bad in [
            &br#"{"jobList":[]}"#[..],
            br#"{"jobList":[1]}"#,
            br#"{"jobList":[""]}"#,
            br#"{"jobList":"a"}"#,
            br#"{}"#,
            br#"[]"#,
            b"",
            b"{not json",
            br#"{"jobList":["a"],"exportDepend":"yes"}"#,
            br#"{"jobList":["a"],"exportStatus":"LIVE"}"#,
        ] {
            assert!(
                parse_export(bad).is_none(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn canonical_echo_uses_pipes_and_hides_the_token() {
        assert_eq!(
            echo_canonical("GET\n/\n\nhost:h\nx-security-token:abc\n\nhost;x-security-token\nff"),
            "GET|/||host:h|x-security-token:(redacted)||host;x-security-token|ff"
        );
    }
}
