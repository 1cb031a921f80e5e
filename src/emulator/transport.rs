//! The HTTP side: the accept loop, one task per connection (HTTP/1.1
//! keep-alive, plain or inside TLS), the TCP stream that can end with a
//! reset, and the per-request frame: read the body (bounded), route, sleep
//! `--latency`, add the request id, log.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_LENGTH};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::log::LogLine;
use super::respond::{gateway_error, Req, ResBody};
use super::store::epoch_ms;
use super::zipstream::ConnControl;
use super::{obs, router, State};

/// Largest request body read (the gateway's own limit is 12 MB; ours is plenty).
const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// Largest object the OBS listener takes in one PUT (imports stage ≤ 10 MiB).
const MAX_OBJECT_BODY: usize = 64 * 1024 * 1024;

/// Which service a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listener {
    /// The gateway: DLF, IAM (and the Management Center).
    Api,
    /// OBS, path-style.
    Obs,
}
/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `shutdown` waits for open connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Accepts until `shutdown` flips (or its sender is dropped), then gives open
/// connections `SHUTDOWN_GRACE` to finish.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<State>,
    service: Listener,
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
                        service,
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
    service: Listener,
    shutdown: watch::Receiver<bool>,
) {
    let control = Arc::new(ConnControl::default());
    let io = ConnIo {
        stream,
        control: control.clone(),
    };
    match tls {
        None => serve_http(io, control, state, service, shutdown).await,
        Some(acceptor) => {
            // A failed or stalled handshake (e.g. a client that does not
            // trust the certificate) just ends the connection.
            if let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(io)).await
            {
                serve_http(stream, control, state, service, shutdown).await;
            }
        }
    }
}

/// HTTP/1.1 with keep-alive over `io`, until the client closes or shutdown is asked.
async fn serve_http<I>(
    io: I,
    control: Arc<ConnControl>,
    state: Arc<State>,
    service: Listener,
    mut shutdown: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let handler =
        service_fn(move |request| handle(state.clone(), control.clone(), service, request));
    let connection = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, handler);
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

/// One request: read the body (bounded), answer, sleep `--latency`, log.
async fn handle(
    state: Arc<State>,
    control: Arc<ConnControl>,
    service: Listener,
    request: Request<Incoming>,
) -> Result<Response<ResBody>, Infallible> {
    let arrived = SystemTime::now();
    let started = Instant::now();
    let request_id = new_request_id();
    let (parts, body) = request.into_parts();
    let headers = header_pairs(&parts.headers);
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().map(str::to_string);

    let limit = match service {
        Listener::Api => MAX_REQUEST_BODY,
        Listener::Obs => MAX_OBJECT_BODY,
    };
    let (body, mut outcome) = match read_body(body, &parts.headers, limit).await {
        Ok(body) => {
            let req = Req {
                method: &parts.method,
                path: &path,
                raw_query: raw_query.as_deref().unwrap_or(""),
                headers: &headers,
                body: &body,
                request_id: &request_id,
                started,
            };
            let outcome = match service {
                Listener::Api => router::dispatch(&state, &control, &req),
                Listener::Obs => obs::dispatch(&state, &req),
            };
            // Objects are binary and large: the log shows their size only.
            let logged = match service {
                Listener::Api => body,
                Listener::Obs => Bytes::new(),
            };
            (logged, outcome)
        }
        Err(status) => {
            let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "Request entity too large"
            } else {
                "Request error: the request body could not be read"
            };
            (
                Bytes::new(),
                gateway_error(status, "APIGW.0201", msg, &request_id).into(),
            )
        }
    };
    if let Some(latency) = state.faults.latency() {
        tokio::time::sleep(latency).await;
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        outcome.response.headers_mut().insert("x-request-id", value);
    }
    if state.faults.clock_offset().is_some() {
        // hyper would send the machine's time; the shifted clock is the server's.
        if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(state.now())) {
            outcome
                .response
                .headers_mut()
                .insert(hyper::header::DATE, value);
        }
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

/// The request body, at most `MAX_REQUEST_BODY` bytes: 413 beyond, 400 if unreadable.
async fn read_body(body: Incoming, headers: &HeaderMap, limit: usize) -> Result<Bytes, StatusCode> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(StatusCode::PAYLOAD_TOO_LARGE);
    }
    match Limited::new(body, limit).collect().await {
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
