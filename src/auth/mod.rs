//! Credentials and request signing: pure functions and data, no HTTP client,
//! no clock, no environment.
//!
//! - [`signer`]: SDK-HMAC-SHA256, as the official SDKs sign DLF, IAM and
//!   Management Center requests;
//! - [`obs`]: OBS signature V2, as the official OBS SDKs sign object requests.

mod credentials;
pub mod obs;
mod secret;
pub mod signer;
#[cfg(test)]
mod vectors_test;

pub use credentials::Credentials;
pub use secret::Secret;

/// A header's value as it may be shown (`-vv`, `--dry-run`, request logs):
/// the signature of `Authorization` (DLF's `Signature=...`, OBS's
/// `OBS AK:signature`) and every token header replaced by `(redacted)`.
pub fn shown_header_value<'v>(name: &str, value: &'v str) -> std::borrow::Cow<'v, str> {
    const SECRET_HEADERS: [&str; 3] = [
        "x-security-token",
        "x-auth-token",
        obs::HEADER_SECURITY_TOKEN,
    ];
    if name.eq_ignore_ascii_case("authorization") {
        if let Some(at) = value.find("Signature=") {
            return format!("{}Signature=(redacted)", &value[..at]).into();
        }
        if let Some((ak, _)) = value
            .strip_prefix("OBS ")
            .and_then(|rest| rest.split_once(':'))
        {
            return format!("OBS {ak}:(redacted)").into();
        }
        return "(redacted)".into();
    }
    if SECRET_HEADERS
        .iter()
        .any(|secret| name.eq_ignore_ascii_case(secret))
    {
        return "(redacted)".into();
    }
    value.into()
}

/// A query string as it may be shown: the values of the parameters that
/// carry a secret (OBS query authentication's `Signature`, security tokens)
/// redacted, everything else as it came.
pub fn shown_query(query: &str) -> String {
    const SECRET_PARAMS: [&str; 4] = [
        "signature",
        "x-obs-security-token",
        "x-security-token",
        "x-auth-token",
    ];
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if SECRET_PARAMS.iter().any(|s| name.eq_ignore_ascii_case(s)) => {
                format!("{name}=(redacted)")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `a.len() == b.len()` and equal bytes, in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_secrets_are_redacted_and_the_rest_kept() {
        assert_eq!(
            shown_query("AccessKeyId=AK&Expires=1&Signature=c2ln%3D&x-obs-security-token=T&max-keys=1"),
            "AccessKeyId=AK&Expires=1&Signature=(redacted)&x-obs-security-token=(redacted)&max-keys=1"
        );
        assert_eq!(shown_query(""), "");
    }

    #[test]
    fn secret_headers_are_redacted_and_others_shown() {
        assert_eq!(
            shown_header_value(
                "Authorization",
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab"
            ),
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=(redacted)"
        );
        assert_eq!(
            shown_header_value("authorization", "OBS AK:c2ln"),
            "OBS AK:(redacted)"
        );
        assert_eq!(
            shown_header_value("authorization", "Basic dXNlcg=="),
            "(redacted)"
        );
        for name in ["X-Security-Token", "x-auth-token", "X-Obs-Security-Token"] {
            assert_eq!(shown_header_value(name, "t0k3n"), "(redacted)");
        }
        assert_eq!(shown_header_value("workspace", "w1"), "w1");
    }
}
