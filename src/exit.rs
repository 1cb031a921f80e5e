//! The exit-code table of the contract, and the one place that inspects error types.

use std::fmt;

/// A usage or configuration error (exit 2): bad flags, bad names, no credentials.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

use crate::api::ApiError;
use crate::archive::{ArchiveError, TargetExists};
use crate::cancel::Interrupted;

/// Exit codes of the contract.
pub mod code {
    pub const SUCCESS: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const AUTH: u8 = 3;
    pub const API: u8 = 4;
    pub const NETWORK: u8 = 5;
    pub const ARCHIVE: u8 = 6;
    pub const INTERRUPTED: u8 = 130;
}

/// Some names could not be exported (`--keep-going`): exit 4 after the rest were written.
#[derive(Debug, thiserror::Error)]
#[error(
    "{failed} of {requested} jobs could not be exported (listed above); the others were written"
)]
pub struct PartialExport {
    pub failed: usize,
    pub requested: usize,
}

/// The exit code for `error`: the first typed error in its chain decides.
pub fn code_for(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if cause.is::<Interrupted>() {
            return code::INTERRUPTED;
        }
        if cause.is::<UsageError>() {
            return code::USAGE;
        }
        if cause.is::<PartialExport>() {
            return code::API;
        }
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            return match api.status() {
                Some(401 | 403) => code::AUTH,
                Some(429) | Some(500..=599) => code::NETWORK,
                Some(400..=499) => code::API,
                _ => code::NETWORK,
            };
        }
        if cause.is::<ArchiveError>() {
            return code::ARCHIVE;
        }
        if cause.is::<TargetExists>() {
            return code::FAILURE;
        }
    }
    code::FAILURE
}

/// What to try next for `error`, if anything useful can be said.
pub fn hint_for(error: &anyhow::Error) -> Option<String> {
    error.chain().find_map(|cause| {
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            return api.hint();
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    fn status(status: u16) -> ApiError {
        ApiError::with_status(status)
    }

    #[test]
    fn classification_follows_the_table() {
        let cases: Vec<(anyhow::Error, u8)> = vec![
            (UsageError("x".into()).into(), 2),
            (status(401).into(), 3),
            (status(403).into(), 3),
            (status(400).into(), 4),
            (status(404).into(), 4),
            (status(429).into(), 5),
            (status(503).into(), 5),
            (
                ApiError::Truncated {
                    url: "u".into(),
                    detail: "d".into(),
                }
                .into(),
                5,
            ),
            (Interrupted.into(), 130),
            (TargetExists { paths: vec![] }.into(), 1),
            (anyhow::anyhow!("disk full"), 1),
            (
                PartialExport {
                    failed: 1,
                    requested: 2,
                }
                .into(),
                4,
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(code_for(&error), expected, "{error:#}");
        }
    }

    #[test]
    fn context_does_not_hide_the_type() {
        let error = Err::<(), _>(status(401))
            .context("exporting batch 1")
            .expect_err("error");
        assert_eq!(code_for(&error), 3);
        assert!(hint_for(&error).is_some_and(|hint| hint.contains("clock")));
    }
}
