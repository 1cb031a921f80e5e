//! The journal: a commit's plan, written (and flushed) into its staging
//! folder before the first move, read back by the recovery of a killed run.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::fsx;

pub(super) const JOURNAL: &str = "journal.json";
/// Its presence: the commit finished its moves (a recovery completes it).
pub(super) const COMMITTED: &str = "committed";
const FORMAT: u32 = 1;

/// One change, in the journal and in memory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(super) enum Change {
    /// `new/<path>` goes to `<root>/<path>`; an existing unit is replaced only if `replace`.
    Place { path: String, replace: bool },
    /// `<root>/<path>` is removed (if present).
    Remove { path: String },
}

impl Change {
    pub(super) fn path(&self) -> &str {
        match self {
            Change::Place { path, .. } | Change::Remove { path } => path,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Journal {
    pub format: u32,
    pub changes: Vec<Change>,
    /// Folders the commit creates, outermost first (removed again on roll-back if empty).
    pub made: Vec<String>,
    /// Folders removed, in order, once the moves are done, if they are left empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_if_empty: Vec<String>,
}

impl Journal {
    pub(super) fn new(changes: &[Change], made: &[String], remove_if_empty: &[String]) -> Self {
        Journal {
            format: FORMAT,
            changes: changes.to_vec(),
            made: made.to_vec(),
            remove_if_empty: remove_if_empty.to_vec(),
        }
    }

    /// Writes the journal into `staging` through a temporary file, flushed.
    pub(super) fn write(&self, staging: &Path) -> anyhow::Result<()> {
        let path = staging.join(JOURNAL);
        let tmp = staging.join(format!("{JOURNAL}.tmp"));
        let text = serde_json::to_vec_pretty(self).context("cannot render the journal")?;
        let mut f =
            fsx::create_new(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(&text)
            .and_then(|()| f.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        fsx::sync_dir(staging);
        Ok(())
    }

    /// The journal in `staging`; `None` when the run was killed before writing one.
    pub(super) fn read(staging: &Path) -> anyhow::Result<Option<Journal>> {
        match fs::read(staging.join(JOURNAL)) {
            Ok(text) => Ok(Some(
                serde_json::from_slice(&text).context("unreadable journal")?,
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// A plain relative path: no empty, `.` or `..` component (so not absolute).
pub(super) fn is_relative_path(path: &str) -> bool {
    !path
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
}
