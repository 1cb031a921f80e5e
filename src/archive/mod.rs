//! Zip reading, safety checks, merging batches, and safe extraction.
//!
//! The central directory is parsed here rather than through the `zip` crate's
//! reader: that reader keys entries by name (a later duplicate silently hides an
//! earlier one) and may replace the stored name with an extra field, and the
//! rules below need every record exactly as stored. Inflating uses `flate2`
//! directly, with our own size and CRC checks.

mod central;
mod entry;
mod extract;
mod format;
#[doc(hidden)]
pub mod fuzzing;
mod merge;
mod names;
mod tree;

use std::collections::BTreeMap;

pub use crate::switch::{recover, Recovered, TargetError};
pub use central::{inspect, inspect_file};
pub use extract::{existing_targets, extract, ExtractOptions, Extracted};
pub use merge::{merge, Merged};
pub use names::{decode_name, validate_name, TOP_LEVEL};

/// Default limit on the total uncompressed size of an archive (4 GiB).
pub const DEFAULT_MAX_SIZE: u64 = 4 * 1024 * 1024 * 1024;
/// Limit on the number of entries in an archive.
pub const MAX_ENTRIES: u64 = 100_000;

/// Limits applied by [`inspect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum total uncompressed size of all files.
    pub max_size: u64,
    /// Maximum number of entries (central directory records).
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_size: DEFAULT_MAX_SIZE,
            max_entries: MAX_ENTRIES,
        }
    }
}

/// An unsafe or corrupt archive: nothing was extracted or written (exit 6).
///
/// Names are escaped for display (`str::escape_debug`).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("unsafe entry name \"{name}\": {reason}")]
    UnsafePath { name: String, reason: &'static str },
    #[error("entry \"{name}\" is a symbolic link or other special file")]
    SpecialFile { name: String },
    #[error("entry \"{name}\" appears more than once with different contents")]
    ConflictingDuplicate { name: String },
    #[error("archive has {count} entries, more than the limit of {max}")]
    TooManyEntries { count: u64, max: u64 },
    #[error("archive would extract to {} or more, more than the limit of {}", crate::output::size(*total), crate::output::size(*max))]
    TooLarge { total: u64, max: u64 },
    #[error("entry \"{name}\" does not inflate to its declared size")]
    SizeMismatch { name: String },
    #[error("entry \"{name}\" fails its CRC check")]
    Crc { name: String },
    #[error("entry name \"{name}\" is neither UTF-8 nor GB18030")]
    Undecodable { name: String },
    #[error("entry \"{name}\" is not supported: {reason}")]
    Unsupported { name: String, reason: &'static str },
    #[error("entry name \"{name}…\" is {len} bytes in UTF-8, more than the 65535 a zip entry name can hold")]
    NameTooLong { name: String, len: usize },
    #[error("corrupt or truncated zip archive: {reason}")]
    Corrupt { reason: String },
    #[error("entry \"{name}\" differs between {first} and {second}")]
    BatchConflict {
        name: String,
        first: String,
        second: String,
    },
}

/// The central directory record of an entry, as stored.
#[derive(Debug, Clone, Default)]
pub(crate) struct Raw {
    pub name_raw: Vec<u8>,
    pub method: u16,
    pub dos_time: u16,
    pub dos_date: u16,
    pub crc32: u32,
    pub csize: u64,
    pub size: u64,
    pub header_offset: u64,
}

/// One validated entry of an archive.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Position of the record in the central directory.
    pub index: usize,
    /// Validated relative path, `/`-separated, without trailing slash.
    pub path: String,
    pub is_dir: bool,
    /// Declared uncompressed size.
    pub size: u64,
    pub crc32: u32,
    pub(crate) raw: Raw,
}

/// The validated contents of an archive.
#[derive(Debug, Clone)]
pub struct Listing {
    /// Entries in central-directory order; duplicates with equal contents removed.
    pub entries: Vec<Entry>,
    /// Sum of the declared sizes of the files.
    pub total_size: u64,
    /// Later records with the same path, size and CRC as `entries[i]`, whose
    /// contents are compared while extracting.
    pub(crate) dups: Vec<(usize, Raw)>,
    /// Where the central directory starts: no entry data may reach past it.
    pub(crate) data_end: u64,
    /// The folders and files of `entries`.
    pub(crate) tree: tree::Tree,
}

impl Listing {
    /// Job name → its file paths, for entries under `jobs/<job>/`.
    pub fn jobs(&self) -> BTreeMap<String, Vec<String>> {
        let mut jobs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in &self.entries {
            if let Some(job) = job_of(&e.path, e.is_dir) {
                let files = jobs.entry(job.to_string()).or_default();
                if !e.is_dir {
                    files.push(e.path.clone());
                }
            }
        }
        jobs
    }
}

/// The job a path belongs to: `jobs/<job>/...` or the directory `jobs/<job>`.
pub(crate) fn job_of(path: &str, is_dir: bool) -> Option<&str> {
    let rest = path.strip_prefix("jobs/")?;
    match rest.split_once('/') {
        Some((job, _)) => Some(job),
        None if is_dir => Some(rest),
        None => None,
    }
}

/// Escape a name for messages.
pub(crate) fn esc(s: &str) -> String {
    s.escape_debug().to_string()
}

#[cfg(test)]
mod tests;
