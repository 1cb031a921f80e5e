//! Errors of the command layer itself: a command line that cannot work as
//! given (exit 2), and runs that finished but not for every job.

use std::path::PathBuf;

/// A usage error found by a command (the flags parse, but do not make sense
/// together, or the inputs they name do not fit).
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("nothing to export: {}", match jobs_from {
        Some(file) => format!("{file} holds no job name (only blank lines and # comments)"),
        None => "give job names, --jobs-from FILE, or --all".to_string(),
    })]
    NothingToExport {
        /// `--jobs-from` as given, when it was.
        jobs_from: Option<String>,
        /// `--match` was given (without `--all`).
        matches: bool,
    },
    #[error("--all exports every job; give either job names or --all (use --match to filter)")]
    AllWithNames,
    #[error("nothing to export: the workspace has no job{}", if *filtered { " that matches --match" } else { "" })]
    NoneListedMatch { filtered: bool },
    #[error("nothing to export: no given job name matches --match")]
    NoneGivenMatch,
    #[error("--json and -o - both write to stdout; choose one")]
    JsonAndStdout,
    #[error("--no-archive keeps no zip, so it needs --extract (or -C DIR)")]
    NoArchiveWithoutExtract,
    #[error("-o - writes the zip to standard output, which is a terminal")]
    StdoutIsTerminal,
    #[error(
        "no job named `{name}`, but a directory of that name exists here: --extract takes no value"
    )]
    ExtractTakesNoValue {
        name: String,
        #[source]
        refusal: Box<crate::api::ApiError>,
    },
    #[error("{} is not a file", path.display())]
    NotAFile { path: PathBuf },
    #[error("cannot read {}: {detail}", path.display())]
    Unreadable { path: PathBuf, detail: String },
}

/// A run that finished, but not for every job (the rest were written), or
/// a check that found differences.
#[derive(Debug, thiserror::Error)]
pub enum PartialFailure {
    #[error("{}", export_message(*failed, *requested))]
    Export { failed: usize, requested: usize },
    /// `migrate --keep-going`: jobs the source could not export.
    #[error("{failed} of {requested} jobs could not be exported from the source (each listed with its error); the others were migrated")]
    Migrate { failed: usize, requested: usize },
    #[error("{failed} of {requested} jobs and scripts could not be backed up (each listed with its error); {}", if *written { "the rest was written" } else { "nothing was changed" })]
    Backup {
        failed: usize,
        requested: usize,
        /// Whether the rest went into the directory (not with --check or --dry-run).
        written: bool,
    },
    /// `backup --check`: the directory is not the workspace's exact mirror.
    #[error("{} is not an exact mirror of {}: {differences}", dir.display(), if *every_workspace { "the project's workspaces" } else { "the workspace" })]
    Drift {
        dir: PathBuf,
        differences: String,
        /// A backup of every workspace (`--all-workspaces`).
        every_workspace: bool,
    },
}

fn export_message(failed: usize, requested: usize) -> String {
    match failed >= requested {
        true => format!(
            "{} (each listed with its error); nothing was written",
            match requested {
                1 => "the job could not be exported".to_string(),
                n => format!("none of the {n} jobs could be exported"),
            }
        ),
        false => format!(
            "{failed} of {requested} jobs could not be exported (each listed with its error); \
             the others were written"
        ),
    }
}
