//! OBS signature V2, exactly as the official OBS SDKs sign (esdk-obs-python
//! `obs/auth.py`, `signature='obs'`):
//!
//! ```text
//! Authorization: OBS <AK>:Base64(HMAC-SHA1(SK, StringToSign))
//! StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n
//!                CanonicalizedHeaders CanonicalizedResource
//! ```
//!
//! Pure functions: no HTTP client, no clock, no environment. The time is an
//! argument; each stage is exposed so tests compare it with the official
//! vectors and the emulator verifies a received request with the same code.

use std::time::SystemTime;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;

use super::{constant_time_eq, Secret};

/// The header that carries a temporary key's security token.
pub const HEADER_SECURITY_TOKEN: &str = "x-obs-security-token";
/// A date header that, when present, replaces `Date` in the string to sign.
pub const HEADER_OBS_DATE: &str = "x-obs-date";

const CANONICAL_PREFIX: &str = "x-obs-";
const META_PREFIX: &str = "x-obs-meta-";

/// Python's `quote(key, safe="/~")`: all but `A-Z a-z 0-9 _ . - ~ /` encoded.
const KEY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b'/');

/// Query parameters that are sub-resources and therefore signed (esdk
/// `ALLOWED_RESOURCE_PARAMTER_NAMES`, compared case-insensitively); any
/// `x-obs-*` parameter is signed too. Other parameters are not.
const SUB_RESOURCES: &[&str] = &[
    "acl",
    "append",
    "attname",
    "backtosource",
    "cors",
    "customdomain",
    "delete",
    "deletebucket",
    "directcoldaccess",
    "encryption",
    "fetch",
    "inventory",
    "length",
    "lifecycle",
    "location",
    "logging",
    "metadata",
    "mirrorbacktosource",
    "mirrorrefresh",
    "modify",
    "name",
    "notification",
    "obsalias",
    "obsbucketalias",
    "partnumber",
    "policy",
    "position",
    "quota",
    "rename",
    "replication",
    "requestpayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "storageclass",
    "storageinfo",
    "storagepolicy",
    "tagging",
    "torrent",
    "truncate",
    "uploadid",
    "uploads",
    "versionid",
    "versioning",
    "versions",
    "website",
    "x-image-process",
    "x-image-save-bucket",
    "x-image-save-object",
];

/// The parts of an OBS request that are signed.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    pub bucket: &'a str,
    /// The object key, unencoded; `None` for a bucket-level request.
    pub key: Option<&'a str>,
    /// Query parameters, unencoded; a value of `None` is a bare `?uploads`.
    pub query: &'a [(String, Option<String>)],
    /// The caller's headers (`Content-Type`, `Content-MD5`, `x-obs-*`, ...).
    pub headers: &'a [(String, String)],
    /// Path-style addressing (`host/bucket/key`); only bucket-level requests
    /// sign differently (`/bucket` instead of `/bucket/`).
    pub path_style: bool,
}

/// Access key credentials as the signer needs them.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub ak: &'a str,
    pub sk: &'a Secret,
    pub security_token: Option<&'a Secret>,
}

/// The result of signing: every stage, and the headers to send.
#[derive(Clone)]
pub struct Signed {
    /// The caller's headers, plus `Date` (unless `x-obs-date` is given), the
    /// security token and `Authorization` (last).
    pub headers: Vec<(String, String)>,
    pub string_to_sign: String,
    pub signature: String,
    pub authorization: String,
}

impl std::fmt::Debug for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signature is replayable until the date is 15 minutes old.
        f.debug_struct("Signed").finish_non_exhaustive()
    }
}

/// Signs `request` with `key` at `time` (used for `Date` unless the caller
/// gave `Date` or `x-obs-date`).
pub fn sign(request: &Request<'_>, key: &Key<'_>, time: SystemTime) -> Signed {
    let mut headers = request.headers.to_vec();
    if let Some(token) = key.security_token {
        headers.push((
            HEADER_SECURITY_TOKEN.to_string(),
            token.expose().to_string(),
        ));
    }
    if find(&headers, "date").is_none() && find(&headers, HEADER_OBS_DATE).is_none() {
        headers.push(("Date".to_string(), httpdate::fmt_http_date(time)));
    }
    let string_to_sign = string_to_sign(request.method, &headers, &resource(request));
    let signature = signature(key.sk, &string_to_sign);
    let authorization = format!("OBS {}:{signature}", key.ak);
    headers.push(("Authorization".to_string(), authorization.clone()));
    Signed {
        headers,
        string_to_sign,
        signature,
        authorization,
    }
}

/// The string to sign for `method` with `headers` (as they will be sent)
/// and an already canonicalised `resource`.
pub fn string_to_sign(method: &str, headers: &[(String, String)], resource: &str) -> String {
    let mut text = String::with_capacity(256);
    text.push_str(method);
    text.push('\n');
    text.push_str(find(headers, "content-md5").unwrap_or_default());
    text.push('\n');
    text.push_str(find(headers, "content-type").unwrap_or_default());
    text.push('\n');
    if find(headers, HEADER_OBS_DATE).is_none() {
        text.push_str(find(headers, "date").unwrap_or_default());
    }
    text.push('\n');
    text.push_str(&canonical_headers(headers));
    text.push_str(resource);
    text
}

/// Each `x-obs-*` header as `name:value\n`, names lower-cased and sorted,
/// repeated names merged with `,`, `x-obs-meta-*` values trimmed.
fn canonical_headers(headers: &[(String, String)]) -> String {
    let mut merged: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if name.starts_with(CANONICAL_PREFIX) {
            merged.entry(name).or_default().push(value);
        }
    }
    let mut text = String::new();
    for (name, values) in merged {
        let joined = values.join(",");
        let value = if name.starts_with(META_PREFIX) {
            joined.trim()
        } else {
            joined.as_str()
        };
        text.push_str(&name);
        text.push(':');
        text.push_str(value);
        text.push('\n');
    }
    text
}

/// `/bucket/<encoded key>` plus the signed sub-resources, `?k` or `?k=v`
/// sorted by raw key, values unencoded. A bucket-level request is
/// `/bucket/` virtual-hosted and `/bucket` path-style.
pub fn resource(request: &Request<'_>) -> String {
    let mut text = format!("/{}", request.bucket);
    match request.key {
        Some(key) => {
            text.push('/');
            text.push_str(&encode_key(key));
        }
        None if !request.path_style => text.push('/'),
        None => {}
    }
    let mut signed: Vec<&(String, Option<String>)> = request
        .query
        .iter()
        .filter(|(name, _)| is_sub_resource(name))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    for (i, (name, value)) in signed.iter().enumerate() {
        text.push(if i == 0 { '?' } else { '&' });
        text.push_str(name);
        if let Some(value) = value {
            text.push('=');
            text.push_str(value);
        }
    }
    text
}

/// The object key as it goes into the URL path and the resource.
pub fn encode_key(key: &str) -> String {
    utf8_percent_encode(key, KEY).to_string()
}

fn is_sub_resource(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with(CANONICAL_PREFIX) || SUB_RESOURCES.contains(&lower.as_str())
}

/// `Base64(HMAC-SHA1(key = SK, message = string to sign))`.
pub fn signature(sk: &Secret, string_to_sign: &str) -> String {
    let mut mac = match Hmac::<Sha1>::new_from_slice(sk.expose().as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA1 takes keys of any length"),
    };
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// `Content-MD5`: Base64 of the binary MD5 of `body`.
pub fn content_md5(digest: &[u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(digest)
}

fn find<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Why a received request's OBS signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing or malformed Authorization header")]
    Malformed,
    #[error("the access key does not exist")]
    UnknownAccessKey,
    #[error("the security token is missing or wrong")]
    SecurityToken,
    #[error("the request time is too skewed from the server's")]
    TooSkewed,
    /// Carries the string to sign the server computed, as OBS returns it.
    #[error("the signature does not match")]
    Mismatch { string_to_sign: String },
}

/// A received object request, as a path-style server sees it.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub method: &'a str,
    pub bucket: &'a str,
    pub key: Option<&'a str>,
    pub query: &'a [(String, Option<String>)],
    pub headers: &'a [(String, String)],
}

/// The server side: verifies `received` against the one key pair (and
/// security token, if any) the server knows, at server time `now`.
pub fn verify(
    received: &Received<'_>,
    key: &Key<'_>,
    now: SystemTime,
    max_skew: std::time::Duration,
) -> Result<(), VerifyError> {
    let header = find(received.headers, "authorization").ok_or(VerifyError::Malformed)?;
    let (ak, given) = header
        .strip_prefix("OBS ")
        .and_then(|rest| rest.split_once(':'))
        .ok_or(VerifyError::Malformed)?;
    if ak != key.ak {
        return Err(VerifyError::UnknownAccessKey);
    }
    if let Some(expected) = key.security_token {
        let sent = find(received.headers, HEADER_SECURITY_TOKEN).unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), expected.expose().as_bytes()) {
            return Err(VerifyError::SecurityToken);
        }
    }
    let date = find(received.headers, HEADER_OBS_DATE)
        .or_else(|| find(received.headers, "date"))
        .and_then(|value| httpdate::parse_http_date(value).ok())
        .ok_or(VerifyError::TooSkewed)?;
    let skew = match now.duration_since(date) {
        Ok(behind) => behind,
        Err(ahead) => ahead.duration(),
    };
    if skew > max_skew {
        return Err(VerifyError::TooSkewed);
    }
    let request = Request {
        method: received.method,
        bucket: received.bucket,
        key: received.key,
        query: received.query,
        headers: received.headers,
        path_style: true,
    };
    let string_to_sign = string_to_sign(received.method, received.headers, &resource(&request));
    let expected = signature(key.sk, &string_to_sign);
    if constant_time_eq(expected.as_bytes(), given.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch { string_to_sign })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::time::{Duration, UNIX_EPOCH};

    const VECTORS: &str = include_str!("../../tests/fixtures/obs-signing-vectors.json");

    #[derive(Deserialize)]
    struct File {
        ak: String,
        sk: String,
        vectors: Vec<Vector>,
    }

    #[derive(Deserialize)]
    struct Vector {
        name: String,
        method: String,
        bucket: String,
        key: Option<String>,
        query: Option<serde_json::Map<String, serde_json::Value>>,
        headers: serde_json::Map<String, serde_json::Value>,
        string_to_sign: String,
        authorization: String,
    }

    type Query = Vec<(String, Option<String>)>;
    type Headers = Vec<(String, String)>;

    fn parts(vector: &Vector) -> (Query, Headers) {
        let query = vector
            .query
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
            .collect();
        let headers = vector
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        (query, headers)
    }

    /// Every vector of the official signer, stage by stage: the string to
    /// sign, then the Authorization header.
    #[test]
    fn every_official_vector_is_reproduced() {
        let file: File = serde_json::from_str(VECTORS).expect("vectors parse");
        let sk = Secret::new(file.sk.clone());
        assert_eq!(file.vectors.len(), 9);
        for vector in &file.vectors {
            let (query, headers) = parts(vector);
            let request = Request {
                method: &vector.method,
                bucket: &vector.bucket,
                key: vector.key.as_deref(),
                query: &query,
                headers: &headers,
                path_style: false,
            };
            let key = Key {
                ak: &file.ak,
                sk: &sk,
                security_token: None,
            };
            // Stage 1: the canonical resource is the string to sign's last line.
            assert_eq!(
                Some(resource(&request).as_str()),
                vector.string_to_sign.rsplit('\n').next(),
                "{}: canonical resource",
                vector.name
            );
            // The vectors carry their own Date (or x-obs-date): the time
            // argument must not be used.
            let signed = sign(&request, &key, UNIX_EPOCH);
            assert_eq!(
                signed.string_to_sign, vector.string_to_sign,
                "{}: string to sign",
                vector.name
            );
            assert_eq!(
                signed.authorization, vector.authorization,
                "{}: authorization",
                vector.name
            );
            assert_eq!(
                signed.headers.last().map(|(_, v)| v.as_str()),
                Some(vector.authorization.as_str())
            );
        }
    }

    #[test]
    fn the_security_token_is_a_signed_x_obs_header() {
        let sk = Secret::new("SKSECRETEXAMPLE");
        let token = Secret::new("TOKEN123");
        let headers = vec![
            (
                "Date".to_string(),
                "Sat, 28 Nov 2026 19:17:51 GMT".to_string(),
            ),
            ("Content-Type".to_string(), "application/zip".to_string()),
            (
                "Content-MD5".to_string(),
                "KeJ8O5mKLFHolKDBCFtIww==".to_string(),
            ),
        ];
        let request = Request {
            method: "PUT",
            bucket: "mybucket",
            key: Some("imports/jobs.zip"),
            query: &[],
            headers: &headers,
            path_style: false,
        };
        let key = Key {
            ak: "AKTESTEXAMPLE",
            sk: &sk,
            security_token: Some(&token),
        };
        let signed = sign(&request, &key, UNIX_EPOCH);
        // The same request as the official `put_md5_token` vector.
        assert_eq!(
            signed.authorization,
            "OBS AKTESTEXAMPLE:A610eTTToine0DNees8R80Qecnw="
        );
        assert!(signed
            .headers
            .iter()
            .any(|(name, value)| name == HEADER_SECURITY_TOKEN && value == "TOKEN123"));
    }

    #[test]
    fn a_date_is_added_from_the_time_argument() {
        let sk = Secret::new("sk");
        let key = Key {
            ak: "AK",
            sk: &sk,
            security_token: None,
        };
        let request = Request {
            method: "DELETE",
            bucket: "b",
            key: Some("k"),
            query: &[],
            headers: &[],
            path_style: true,
        };
        let time = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let signed = sign(&request, &key, time);
        assert!(signed
            .string_to_sign
            .starts_with("DELETE\n\n\nFri, 15 Jan 2027 08:00:00 GMT\n/b/k"));
    }

    #[test]
    fn verify_accepts_its_own_signature_and_refuses_tampering() {
        let sk = Secret::new("sk");
        let token = Secret::new("tok");
        let key = Key {
            ak: "AK",
            sk: &sk,
            security_token: Some(&token),
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let headers = vec![("Content-Type".to_string(), "application/zip".to_string())];
        let request = Request {
            method: "PUT",
            bucket: "b",
            key: Some("dir/a b.zip"),
            query: &[],
            headers: &headers,
            path_style: true,
        };
        let signed = sign(&request, &key, now);
        let received = Received {
            method: "PUT",
            bucket: "b",
            key: Some("dir/a b.zip"),
            query: &[],
            headers: &signed.headers,
        };
        let skew = Duration::from_secs(900);
        assert_eq!(verify(&received, &key, now, skew), Ok(()));
        let other = Received {
            key: Some("dir/other.zip"),
            ..received
        };
        assert!(matches!(
            verify(&other, &key, now, skew),
            Err(VerifyError::Mismatch { .. })
        ));
        assert_eq!(
            verify(&received, &key, now + Duration::from_secs(901), skew),
            Err(VerifyError::TooSkewed)
        );
        let no_token = Key {
            security_token: Some(&Secret::new("other")),
            ..key
        };
        assert_eq!(
            verify(&received, &no_token, now, skew),
            Err(VerifyError::SecurityToken)
        );
    }

    #[test]
    fn only_sub_resources_are_signed() {
        let query = vec![
            ("uploadId".to_string(), Some("UP1".to_string())),
            ("max-keys".to_string(), Some("10".to_string())),
            ("partNumber".to_string(), Some("2".to_string())),
        ];
        let request = Request {
            method: "PUT",
            bucket: "b",
            key: Some("k"),
            query: &query,
            headers: &[],
            path_style: true,
        };
        assert_eq!(resource(&request), "/b/k?partNumber=2&uploadId=UP1");
        let bucket = Request {
            key: None,
            query: &[],
            ..request
        };
        assert_eq!(resource(&bucket), "/b");
        assert_eq!(
            resource(&Request {
                path_style: false,
                ..bucket
            }),
            "/b/"
        );
    }
}
