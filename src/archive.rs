//! Placeholder until the archive branch lands.
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[error("exists: {paths:?}")]
pub struct TargetExists {
    pub paths: Vec<PathBuf>,
}

pub fn parse_size(s: &str) -> Result<u64, String> {
    s.parse().map_err(|_| "bad size".to_string())
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("corrupt: {reason}")]
    Corrupt { reason: String },
}
