//! OBS, on a listener of its own (path-style: `/BUCKET/KEY`): `PUT`, `GET`,
//! `HEAD` and `DELETE` of objects in any bucket, held in memory. Every
//! request's OBS signature V2 is verified with the crate's own
//! [`crate::auth::obs::verify`] (and the security token, when the emulator
//! has one); a `Content-MD5` that does not match the body is refused with
//! `400 BadDigest`; the ETag is the body's MD5, as OBS gives for a single PUT.
//!
//! Errors are OBS's XML (`<Error><Code/><Message/><RequestId/><HostId/></Error>`):
//! 403 `AccessDenied` (no or malformed Authorization), `InvalidAccessKeyId`,
//! `InvalidSecurityToken`, `RequestTimeTooSkewed`, `SignatureDoesNotMatch`;
//! 400 `BadDigest`, `InvalidDigest`; 404 `NoSuchKey`; 405 `MethodNotAllowed`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG};
use hyper::{Method, Response, StatusCode};
use percent_encoding::percent_decode_str;

use super::respond::{full, internal_error, Outcome, Req, ResBody};
use super::State;
use crate::auth::obs::{verify, Key, Received, VerifyError};
use crate::auth::signer::find_header;
use crate::obs::{escape_xml, md5_of};

/// Allowed distance between the request's `Date` and the server's clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// One stored object.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub bytes: Bytes,
    /// Lower-case hex MD5.
    pub etag: String,
    pub content_type: Option<String>,
}

/// Every object of every bucket.
#[derive(Debug, Default)]
pub(crate) struct Objects {
    map: Mutex<BTreeMap<(String, String), Object>>,
}

impl Objects {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), Object>> {
        match self.map.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn get(&self, bucket: &str, key: &str) -> Option<Object> {
        self.lock()
            .get(&(bucket.to_string(), key.to_string()))
            .cloned()
    }

    /// Stores `bytes` (also used by tests to plant an object).
    pub fn put(&self, bucket: &str, key: &str, bytes: Bytes, content_type: Option<String>) {
        let (_, etag) = md5_of(&bytes);
        self.lock().insert(
            (bucket.to_string(), key.to_string()),
            Object {
                bytes,
                etag,
                content_type,
            },
        );
    }

    fn delete(&self, bucket: &str, key: &str) {
        self.lock().remove(&(bucket.to_string(), key.to_string()));
    }

    /// `obs://bucket/key` of every object, sorted.
    pub fn paths(&self) -> Vec<String> {
        self.lock()
            .keys()
            .map(|(bucket, key)| format!("obs://{bucket}/{key}"))
            .collect()
    }
}

/// Handles one OBS request.
pub(crate) fn dispatch(state: &State, req: &Req<'_>) -> Outcome {
    let trimmed = req.path.strip_prefix('/').unwrap_or(req.path);
    let (bucket, raw_key) = match trimmed.split_once('/') {
        Some((bucket, key)) => (bucket, Some(key)),
        None => (trimmed, None),
    };
    let Ok(bucket) = percent_decode_str(bucket).decode_utf8() else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The bucket name is not valid.",
            req,
        )
        .into();
    };
    let key = match raw_key.filter(|key| !key.is_empty()) {
        Some(key) => match percent_decode_str(key).decode_utf8() {
            Ok(key) => Some(key.into_owned()),
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidURI",
                    "The object key is not UTF-8.",
                    req,
                )
                .into()
            }
        },
        None => None,
    };
    if let Err(refusal) = authenticate(state, req, &bucket, key.as_deref()) {
        return (*refusal).into();
    }
    let Some(key) = key else {
        // Bucket-level requests: a HEAD says the bucket exists (any does).
        return if req.method == Method::HEAD {
            empty(StatusCode::OK, req).into()
        } else {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                req,
            )
            .into()
        };
    };
    match *req.method {
        Method::PUT => put(state, req, &bucket, &key),
        Method::GET | Method::HEAD => match state.obs.get(&bucket, &key) {
            Some(object) => object_response(&object, req),
            None if req.method == Method::HEAD => empty(StatusCode::NOT_FOUND, req),
            None => error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
                req,
            ),
        },
        Method::DELETE => {
            state.obs.delete(&bucket, &key);
            empty(StatusCode::NO_CONTENT, req)
        }
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            req,
        ),
    }
    .into()
}

fn authenticate(
    state: &State,
    req: &Req<'_>,
    bucket: &str,
    key: Option<&str>,
) -> Result<(), Box<Response<ResBody>>> {
    let query: Vec<(String, Option<String>)> = req
        .raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let decode = |text: &str| percent_decode_str(text).decode_utf8_lossy().into_owned();
            match pair.split_once('=') {
                Some((name, value)) => (decode(name), Some(decode(value))),
                None => (decode(pair), None),
            }
        })
        .collect();
    let received = Received {
        method: req.method.as_str(),
        bucket,
        key,
        query: &query,
        headers: req.headers,
    };
    let signing_key = Key {
        ak: &state.ak,
        sk: &state.sk,
        security_token: state.security_token.as_ref(),
    };
    verify(&received, &signing_key, SystemTime::now(), MAX_SKEW).map_err(|refusal| {
        let (code, message) = match refusal {
            VerifyError::Malformed => ("AccessDenied", "Access Denied: the Authorization header is missing or malformed."),
            VerifyError::UnknownAccessKey => ("InvalidAccessKeyId", "The access key Id you provided does not exist in our records."),
            VerifyError::SecurityToken => ("InvalidSecurityToken", "The security token is missing or invalid."),
            VerifyError::TooSkewed => ("RequestTimeTooSkewed", "The difference between the request time and the server's time is too large."),
            VerifyError::Mismatch { .. } => ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
        };
        Box::new(error(StatusCode::FORBIDDEN, code, message, req))
    })
}

fn put(state: &State, req: &Req<'_>, bucket: &str, key: &str) -> Response<ResBody> {
    let (md5_base64, _) = md5_of(req.body);
    if let Some(given) = find_header(req.headers, "content-md5") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(given.trim());
        if !decoded.is_ok_and(|digest| digest.len() == 16) {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
                req,
            );
        }
        if given.trim() != md5_base64 {
            return error(
                StatusCode::BAD_REQUEST,
                "BadDigest",
                "The Content-MD5 you specified did not match what was received.",
                req,
            );
        }
    }
    let content_type = find_header(req.headers, "content-type").map(str::to_string);
    state
        .obs
        .put(bucket, key, Bytes::copy_from_slice(req.body), content_type);
    let (_, etag) = md5_of(req.body);
    with_ids(Response::builder().status(StatusCode::OK), req)
        .header(ETAG, format!("\"{etag}\""))
        .header(CONTENT_LENGTH, 0)
        .body(full(Bytes::new()))
        .unwrap_or_else(|_| internal_error())
}

fn object_response(object: &Object, req: &Req<'_>) -> Response<ResBody> {
    let body = if req.method == Method::HEAD {
        Bytes::new()
    } else {
        object.bytes.clone()
    };
    with_ids(Response::builder().status(StatusCode::OK), req)
        .header(ETAG, format!("\"{}\"", object.etag))
        .header(
            CONTENT_TYPE,
            object
                .content_type
                .as_deref()
                .unwrap_or("binary/octet-stream"),
        )
        .header(CONTENT_LENGTH, object.bytes.len())
        .body(full(body))
        .unwrap_or_else(|_| internal_error())
}

fn with_ids(
    builder: hyper::http::response::Builder,
    req: &Req<'_>,
) -> hyper::http::response::Builder {
    builder
        .header("x-obs-request-id", req.request_id)
        .header(
            "x-obs-id-2",
            format!("{}emulator", &req.request_id[..8.min(req.request_id.len())]),
        )
        .header("Server", "OBS")
}

fn empty(status: StatusCode, req: &Req<'_>) -> Response<ResBody> {
    with_ids(Response::builder().status(status), req)
        .body(full(Bytes::new()))
        .unwrap_or_else(|_| internal_error())
}

/// An OBS XML error.
fn error(status: StatusCode, code: &str, message: &str, req: &Req<'_>) -> Response<ResBody> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Error><Code>{}</Code><Message>{}</Message><RequestId>{}</RequestId><HostId>emulator</HostId></Error>",
        escape_xml(code),
        escape_xml(message),
        escape_xml(req.request_id)
    );
    with_ids(Response::builder().status(status), req)
        .header(CONTENT_TYPE, "application/xml")
        .body(full(Bytes::from(body)))
        .unwrap_or_else(|_| internal_error())
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use crate::auth::obs::{sign, Key, Request};
    use crate::auth::Secret;
    use crate::emulator::{start, Config, DEFAULT_AK, DEFAULT_SK};

    fn config() -> Config {
        crate::commands::emulator::config_from(&["--listen", "127.0.0.1:0"]).expect("config")
    }

    async fn put(
        endpoint: &str,
        sk: &str,
        key: &str,
        body: &'static [u8],
        md5: Option<&str>,
    ) -> reqwest::Response {
        let sk = Secret::new(sk);
        let mut headers = vec![("Content-Type".to_string(), "application/zip".to_string())];
        if let Some(md5) = md5 {
            headers.push(("Content-MD5".to_string(), md5.to_string()));
        }
        let request = Request {
            method: "PUT",
            bucket: "b",
            key: Some(key),
            query: &[],
            headers: &headers,
            path_style: true,
        };
        let signed = sign(
            &request,
            &Key {
                ak: DEFAULT_AK,
                sk: &sk,
                security_token: None,
            },
            SystemTime::now(),
        );
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .put(format!(
                "{endpoint}/b/{}",
                crate::auth::obs::encode_key(key)
            ))
            .body(body);
        for (name, value) in signed.headers {
            builder = builder.header(name, value);
        }
        builder.send().await.expect("sends")
    }

    #[tokio::test]
    async fn objects_are_stored_with_their_md5_and_bad_requests_refused() {
        let running = start(config()).await.expect("starts");
        let endpoint = running.obs_endpoint();
        let (md5, hex) = crate::obs::md5_of(b"zip bytes");
        let stored = put(
            &endpoint,
            DEFAULT_SK,
            "dir/a b.zip",
            b"zip bytes",
            Some(&md5),
        )
        .await;
        assert_eq!(stored.status(), 200);
        assert_eq!(
            stored.headers()["etag"].to_str().expect("etag"),
            format!("\"{hex}\"")
        );
        assert!(stored.headers().contains_key("x-obs-request-id"));
        assert_eq!(running.obs_objects(), ["obs://b/dir/a b.zip"]);

        let (other_md5, _) = crate::obs::md5_of(b"other bytes");
        let refused = put(
            &endpoint,
            DEFAULT_SK,
            "c.zip",
            b"zip bytes",
            Some(&other_md5),
        )
        .await;
        assert_eq!(refused.status(), 400);
        assert!(refused
            .text()
            .await
            .expect("body")
            .contains("<Code>BadDigest</Code>"));

        let forged = put(&endpoint, "not-the-sk", "d.zip", b"zip bytes", None).await;
        assert_eq!(forged.status(), 403);
        assert!(forged
            .text()
            .await
            .expect("body")
            .contains("<Code>SignatureDoesNotMatch</Code>"));

        let unsigned = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .get(format!("{endpoint}/b/dir/a%20b.zip"))
            .send()
            .await
            .expect("sends");
        assert_eq!(unsigned.status(), 403);
        assert_eq!(running.obs_objects().len(), 1);
        running.shutdown().await;
    }
}
