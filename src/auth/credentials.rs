//! How requests are authenticated: AK/SK signing, or an IAM token.

use std::fmt;

use super::Secret;

/// The credentials of a run.
#[derive(Clone)]
pub enum Credentials {
    /// AK/SK signing (SDK-HMAC-SHA256 for DLF, OBS V2 for OBS), with a
    /// security token for temporary keys.
    AkSk {
        ak: String,
        sk: Secret,
        security_token: Option<Secret>,
    },
    /// An IAM token sent as `X-Auth-Token`.
    Token(Secret),
}

impl Credentials {
    /// The access key id, when there is one.
    pub fn ak(&self) -> Option<&str> {
        match self {
            Credentials::AkSk { ak, .. } => Some(ak),
            Credentials::Token(_) => None,
        }
    }

    /// Every secret value, for redacting text a server echoes back.
    pub fn secrets(&self) -> Vec<&Secret> {
        match self {
            Credentials::AkSk {
                sk, security_token, ..
            } => std::iter::once(sk).chain(security_token).collect(),
            Credentials::Token(token) => vec![token],
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::AkSk {
                ak,
                sk,
                security_token,
            } => f
                .debug_struct("AkSk")
                .field("ak", ak)
                .field("sk", sk)
                .field("security_token", security_token)
                .finish(),
            Credentials::Token(token) => f.debug_tuple("Token").field(token).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let credentials = Credentials::AkSk {
            ak: "AK".into(),
            sk: Secret::new("SK-SECRET"),
            security_token: Some(Secret::new("TOKEN-SECRET")),
        };
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert_eq!(credentials.secrets().len(), 2);
        assert_eq!(credentials.ak(), Some("AK"));
    }
}
