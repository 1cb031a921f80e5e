//! What the API gateway does before any service sees a request:
//! authentication (an IAM token, or an SDK-HMAC-SHA256 signature verified
//! with the crate's own signer, and the security token of temporary keys),
//! and the `401 APIGW.0301` answer with the canonical request echoed as the
//! real gateway does.

use std::time::Duration;

use super::respond::Req;
use super::State;
use crate::auth::constant_time_eq;
use crate::auth::signer::{find_header, verify, Received, SdkDate, VerifyError};

/// Allowed distance between `X-Sdk-Date` and the server's clock.
pub(crate) const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// An `X-Auth-Token` equal to the configured one, or a valid signature (with
/// the configured security token, if any). `Err` holds the gateway's words.
pub(crate) fn authenticate(state: &State, req: &Req<'_>) -> Result<(), String> {
    if let Some(token) = find_header(req.headers, "X-Auth-Token") {
        return match &state.auth_token {
            Some(expected) if constant_time_eq(expected.expose().as_bytes(), token.as_bytes()) => {
                Ok(())
            }
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
    let now = state.now();
    verify(&received, &state.ak, &state.sk, now, MAX_SKEW).map_err(|err| match err {
        VerifyError::Mismatch { canonical_request } => {
            let mut message = format!(
                "verify aksk signature fail, canonicalRequest: {}",
                echo_canonical(&canonical_request, state.faults.echo_secrets())
            );
            if state.faults.echo_secrets() {
                // A careless gateway: the signature that was sent, too.
                let sent = find_header(req.headers, "Authorization").unwrap_or_default();
                message.push_str(&format!(", authorization: {sent}"));
            }
            message
        }
        VerifyError::Expired => format!(
            "verify aksk signature fail, signature expired: X-Sdk-Date is more than 15 minutes from the server time {}",
            SdkDate::from_system_time(now)
        ),
        VerifyError::UnknownAccessKey => "verify aksk signature fail, the access key does not exist".to_string(),
        VerifyError::MalformedAuthorization => {
            "verify aksk signature fail, the Authorization header is missing or malformed".to_string()
        }
        VerifyError::MissingDate => {
            "verify aksk signature fail, the X-Sdk-Date header is missing or malformed".to_string()
        }
        VerifyError::MissingSignedHeader(name) => {
            format!("verify aksk signature fail, signed header {name} is missing")
        }
    })?;
    if let Some(expected) = &state.security_token {
        let sent = find_header(req.headers, "X-Security-Token").unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), expected.expose().as_bytes()) {
            return Err(
                "verify aksk signature fail, the security token is missing or invalid".to_string(),
            );
        }
    }
    Ok(())
}

/// The canonical request with `|` for newlines, as the gateway echoes it; a
/// security token's value is left out unless the `--echo-secrets` fault
/// plays a careless gateway.
fn echo_canonical(canonical: &str, echo_secrets: bool) -> String {
    canonical
        .split('\n')
        .map(|line| {
            if !echo_secrets && line.to_ascii_lowercase().starts_with("x-security-token:") {
                "x-security-token:(redacted)"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_echo_uses_pipes_and_hides_the_token() {
        let canonical = "GET\n/\n\nhost:h\nx-security-token:abc\n\nhost;x-security-token\nff";
        assert_eq!(
            echo_canonical(canonical, false),
            "GET|/||host:h|x-security-token:(redacted)||host;x-security-token|ff"
        );
        assert!(echo_canonical(canonical, true).contains("x-security-token:abc"));
    }
}
