//! `backup`'s domain: a directory kept an exact, reviewable mirror of a
//! workspace, made to be committed to git every night.
//!
//! - [`manifest`]: `dataarts-backup.json` (and the root manifest of a backup
//!   of every workspace) as typed structs, written with sorted keys, two-space
//!   indent and a trailing newline, holding nothing that changes when the
//!   workspace did not;
//! - [`tree`]: what is on disk (and in staging): files with their sizes and
//!   SHA-256, walked without following symbolic links;
//! - [`plan`]: the comparison of a fresh export with the directory — jobs
//!   and scripts added, changed (with the files that changed), removed and
//!   unchanged — and the file operations that make the directory a mirror;
//! - [`switch`]: the plans of the mirrors as the changes of one
//!   [`crate::switch::Switch`] in DIR (the staging folder, its lock, journal
//!   and recovery are those of every command that writes a tree), each
//!   mirror's manifest last.
//! - [`root`]: the root of a backup of every workspace: which workspaces
//!   are mirrored, which are gone, and the root manifest listing them.
//!
//! Nothing here talks to the network or to people: the command
//! (`commands::backup`) lists, downloads and reports; this module decides
//! and moves files.

pub mod manifest;
pub mod plan;
pub mod root;
pub mod switch;
pub mod tree;

use std::path::PathBuf;

pub use manifest::{Manifest, RootManifest, Source, MANIFEST_FILE};
pub use plan::{Changes, Section, UnitPlan};

/// Why a backup cannot go ahead. Each states what was found; the CLI edge
/// maps it to an exit code and a hint.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The manifest names another source than the one being backed up.
    #[error("{} is a backup of {recorded}, not of {current}", manifest.display())]
    Lineage {
        manifest: PathBuf,
        recorded: String,
        current: String,
    },
    /// The listing came back empty while the manifest records entries.
    #[error("the workspace lists no {what}, but {} records {recorded} (a change of permissions looks like this); nothing was changed", manifest.display())]
    EmptyListing {
        what: &'static str,
        recorded: usize,
        manifest: PathBuf,
    },
    /// Something the manifest does not record is where a job or script of
    /// the workspace would go.
    #[error(
        "not recorded in the backup's manifest, so not replaced: {}",
        crate::output::name_list(paths, 5)
    )]
    NotOurs { paths: Vec<String> },
    /// A folder on the way to what would be written is a symbolic link.
    #[error("{} is a symbolic link; a backup never writes or deletes through one", path.display())]
    Symlink { path: PathBuf },
    /// DIR (or a folder a backup owns in it) is a file.
    #[error("{} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    /// The manifest cannot be read as one.
    #[error("cannot read the backup manifest {}: {detail}", path.display())]
    UnreadableManifest { path: PathBuf, detail: String },
    /// Listed names that cannot be file names here.
    #[error("{} cannot be backed up here: {}", plural_names(names.len()), names.join(", "))]
    UnwritableNames { names: Vec<String> },
    /// Another run (backup, unpack, export -x) is writing into the same directory.
    #[error("another run (backup, unpack or export -x) is writing into {} (its staging directory {} is in use)", dir.display(), staging.display())]
    Busy { dir: PathBuf, staging: PathBuf },
}

fn plural_names(n: usize) -> &'static str {
    if n == 1 {
        "a listed name"
    } else {
        "listed names"
    }
}

/// Why a listed name (of a job, or a script's `<name>.json`) cannot be a file
/// name here, if it cannot.
pub fn unwritable_reason(name: &str, suffix: &str) -> Option<&'static str> {
    crate::names::invalid_reason(name).or_else(|| {
        if format!("{name}{suffix}").eq_ignore_ascii_case(".git") {
            Some("`.git` is git's own folder, never written by a backup")
        } else {
            (name.len() + suffix.len() > crate::names::MAX_FILE_NAME_BYTES)
                .then_some("it is too long for a file name here (over 255 bytes)")
        }
    })
}
