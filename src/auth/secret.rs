//! A string that must never be printed: secret keys, security tokens, IAM tokens.

use std::fmt;

/// A secret value. `Debug` and `Display` print `(redacted)`; the value is only
/// reachable through [`Secret::expose`], which makes every use greppable.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for signing or for a header sent on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("SKvery-secret");
        assert_eq!(format!("{secret:?}"), "(redacted)");
        assert_eq!(format!("{secret}"), "(redacted)");
        assert_eq!(format!("{:?}", Some(&secret)), "Some((redacted))");
        assert_eq!(secret.expose(), "SKvery-secret");
    }
}
