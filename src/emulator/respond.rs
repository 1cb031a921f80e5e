//! What every handler shares: the borrowed request, the response type, and
//! the JSON answers of the gateway and of DLF.

use std::time::Instant;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::CONTENT_TYPE;
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Value};

/// A response body: whole, or streamed (an archive).
pub(crate) type ResBody = BoxBody<Bytes, std::io::Error>;

const JSON: &str = "application/json;charset=UTF-8";

/// The DLF message for a malformed request.
pub(crate) const INVALID: &str = "The request parameter is invalid.";

/// A received request, borrowed.
pub(crate) struct Req<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub request_id: &'a str,
    pub started: Instant,
}

/// A response and what the log should say about it.
pub(crate) struct Outcome {
    pub response: Response<ResBody>,
    pub fault: Option<&'static str>,
}

impl From<Response<ResBody>> for Outcome {
    fn from(response: Response<ResBody>) -> Self {
        Self {
            response,
            fault: None,
        }
    }
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response<ResBody> {
    let bytes = Bytes::from(body.to_string());
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, JSON)
        .body(full(bytes))
        .unwrap_or_else(|_| internal_error())
}

pub(crate) fn full(bytes: Bytes) -> ResBody {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

/// Only reached if a fixed, valid header failed to build: answer 500.
pub(crate) fn internal_error() -> Response<ResBody> {
    let mut response = Response::new(full(Bytes::from_static(
        br#"{"error_code":"DLF.0000","error_msg":"Internal server error."}"#,
    )));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// A gateway (APIG) error: `{"error_code", "error_msg", "request_id"}`.
pub(crate) fn gateway_error(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
) -> Response<ResBody> {
    json_response(
        status,
        &json!({"error_code": code, "error_msg": message, "request_id": request_id}),
    )
}

/// A DLF 400: `{"error_code", "error_msg"}`.
pub(crate) fn dlf_error(code: &str, message: &str) -> Response<ResBody> {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error_code": code, "error_msg": message}),
    )
}

/// DLF.3051, the answer to a malformed request.
pub(crate) fn invalid_parameter(message: &str) -> Response<ResBody> {
    dlf_error("DLF.3051", message)
}

/// A query parameter's last value.
pub(crate) fn query_param<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}
