//! The request log: one JSON line per request, secrets redacted.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;
use serde_json::{json, Map, Value};

use crate::auth::shown_header_value;

/// An append-only JSON-lines file.
#[derive(Debug)]
pub(crate) struct RequestLog {
    file: Mutex<File>,
    /// The first write error, if any.
    failed: std::sync::OnceLock<String>,
}

/// One request as logged.
pub(crate) struct LogLine<'a> {
    pub ts_ms: i64,
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub status: u16,
    pub request_id: &'a str,
    /// The fault the emulator applied, if any (`fail_status`, `truncate_body`, ...).
    pub fault: Option<&'a str>,
}

impl RequestLog {
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open request log {}", path.display()))?;
        Ok(Self {
            file: Mutex::new(file),
            failed: std::sync::OnceLock::new(),
        })
    }

    /// The first error writing the log, if there was one.
    pub fn failure(&self) -> Option<&str> {
        self.failed.get().map(String::as_str)
    }

    /// Appends `line`; a write failure is reported on stderr, never fatal.
    pub fn write(&self, line: &LogLine<'_>) {
        let mut text = line.to_json().to_string();
        text.push('\n');
        let mut file = match self.file.lock() {
            Ok(file) => file,
            Err(poisoned) => poisoned.into_inner(),
        };
        // A log that cannot be written must not stop the emulator serving;
        // the first failure is kept for whoever asks.
        if let Err(err) = file.write_all(text.as_bytes()) {
            let _ = self.failed.set(err.to_string());
        }
    }
}

impl LogLine<'_> {
    pub fn to_json(&self) -> Value {
        let mut line = json!({
            "ts_ms": self.ts_ms,
            "method": self.method,
            "path": self.path,
            "query": self.query.map(crate::auth::shown_query),
            "headers": redacted_headers(self.headers),
            "body": String::from_utf8_lossy(self.body),
            "status": self.status,
            "request_id": self.request_id,
        });
        if let (Some(fault), Some(object)) = (self.fault, line.as_object_mut()) {
            object.insert("fault".to_string(), Value::from(fault));
        }
        line
    }
}

/// Headers as a JSON object (repeated names joined with `, `), with the
/// `Signature=` of `Authorization`, `X-Security-Token` and `X-Auth-Token` redacted.
pub(crate) fn redacted_headers(headers: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        let shown = shown_header_value(name, value).into_owned();
        match map.get_mut(&lower) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&shown);
            }
            _ => {
                map.insert(lower, Value::String(shown));
            }
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let headers = vec![
            (
                "Authorization".to_string(),
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=deadbeef".to_string(),
            ),
            ("X-Security-Token".to_string(), "tok".to_string()),
            ("x-auth-token".to_string(), "iam".to_string()),
            ("accept".to_string(), "a".to_string()),
            ("accept".to_string(), "b".to_string()),
        ];
        let shown = redacted_headers(&headers).to_string();
        assert!(!shown.contains("deadbeef"), "{shown}");
        assert!(!shown.contains("\"tok\""), "{shown}");
        assert!(!shown.contains("\"iam\""), "{shown}");
        assert!(shown.contains("Signature=(redacted)"), "{shown}");
        assert!(shown.contains("\"accept\":\"a, b\""), "{shown}");
    }
}
