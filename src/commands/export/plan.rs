//! `export`'s arguments and environment → one validated [`ExportPlan`],
//! before any request: names first (bad names are usage errors before
//! anything else), then the combinations of flags, then the connection.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::archive::Limits;
use crate::cli::ExportArgs;
use crate::commands::UsageError;
use crate::config::{self, Settings};
use crate::env::Env;
use crate::model::JobFailure;
use crate::names::{self, Matcher, NameError};

/// Where the archive goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    File(PathBuf),
    Stdout,
    /// `--extract --no-archive`: keep no zip.
    Discard,
}

/// Which jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These names (valid, de-duplicated, in the order given).
    Names(Vec<String>),
    /// Every job of the workspace, listed.
    All,
}

/// A validated export, ready to run.
#[derive(Debug, Clone)]
pub struct ExportPlan {
    pub settings: Settings,
    pub selection: Selection,
    pub matcher: Matcher,
    /// Names refused before any request (`--jobs-from` with `--keep-going`).
    pub refused: Vec<JobFailure>,
    pub depend: bool,
    pub submitted: bool,
    pub keep_going: bool,
    pub output: Output,
    /// `-x` / `-C DIR`: extract into this directory too.
    pub extract: Option<PathBuf>,
    pub batch_size: usize,
    pub parallel: usize,
    pub force: bool,
    pub dry_run: bool,
    pub json: bool,
    pub limits: Limits,
}

impl ExportPlan {
    /// Resolves `args` against `env`. `stdin` feeds `--jobs-from -`;
    /// `stdout_is_terminal` refuses `-o -` to a terminal.
    pub fn resolve(
        args: &ExportArgs,
        env: &Env,
        stdin: &mut dyn BufRead,
        stdout_is_terminal: bool,
    ) -> anyhow::Result<Self> {
        let selection_args = &args.selection;
        let mut given = selection_args.jobs.clone();
        let mut refused = Vec::new();
        if let Some(path) = &selection_args.jobs_from {
            let lines = read_jobs_from(path, stdin)?;
            match lines.iter().find_map(|(number, name)| {
                names::invalid_reason(name).map(|reason| (*number, name, reason))
            }) {
                Some((line, name, reason)) if !args.keep_going => {
                    return Err(NameError::InvalidLine {
                        name: name.clone(),
                        reason,
                        origin: jobs_from_origin(path),
                        line,
                    }
                    .into())
                }
                _ => {}
            }
            let checked = names::check(lines.into_iter().map(|(_, name)| name));
            refused = checked
                .invalid
                .into_iter()
                .map(|(name, reason)| {
                    JobFailure::local(name, format!("not a valid job name: {reason}"))
                })
                .collect();
            given.extend(checked.valid);
        }
        let given = names::validate_and_dedup(given)?;
        let matcher = Matcher::new(&selection_args.matches)?;
        let selection = match (selection_args.all, given.is_empty()) {
            (true, true) => Selection::All,
            (true, false) => return Err(UsageError::AllWithNames.into()),
            (false, true) if refused.is_empty() => {
                return Err(UsageError::NothingToExport {
                    jobs_from: selection_args
                        .jobs_from
                        .as_ref()
                        .map(|path| path.display().to_string()),
                    matches: !selection_args.matches.is_empty(),
                }
                .into())
            }
            (false, _) => Selection::Names(given),
        };

        let output = if args.no_archive {
            Output::Discard
        } else if args.output.as_os_str() == "-" {
            Output::Stdout
        } else {
            Output::File(args.output.clone())
        };
        let extract = match (&args.directory, args.extract) {
            (Some(dir), _) => Some(dir.clone()),
            (None, true) => Some(PathBuf::from(".")),
            (None, false) => None,
        };
        if args.no_archive && extract.is_none() {
            return Err(UsageError::NoArchiveWithoutExtract.into());
        }
        if output == Output::Stdout {
            if args.json {
                return Err(UsageError::JsonAndStdout.into());
            }
            if stdout_is_terminal && !args.dry_run {
                return Err(UsageError::StdoutIsTerminal.into());
            }
        }

        let settings = config::resolve(&args.connection, &args.workspace, env)?;
        Ok(Self {
            settings,
            selection,
            matcher,
            refused,
            depend: !args.no_depend,
            submitted: args.submitted,
            keep_going: args.keep_going,
            output,
            extract,
            batch_size: usize::from(args.batching.batch_size),
            parallel: usize::from(args.batching.parallel),
            force: args.force,
            dry_run: args.dry_run,
            json: args.json,
            limits: Limits {
                max_size: args.max_size,
                ..Limits::default()
            },
        })
    }

    /// How the names become requests.
    pub fn batching(&self) -> super::Batching {
        super::Batching {
            batch_size: self.batch_size,
            parallel: self.parallel,
            keep_going: self.keep_going,
            depend: self.depend,
            submitted: self.submitted,
        }
    }

    /// The names given on the command line and in `--jobs-from` (none with `--all`).
    pub fn given_names(&self) -> &[String] {
        match &self.selection {
            Selection::Names(names) => names,
            Selection::All => &[],
        }
    }
}

/// What `--jobs-from PATH` is called in messages.
fn jobs_from_origin(path: &Path) -> String {
    match path.as_os_str() == "-" {
        true => "stdin".to_string(),
        false => path.display().to_string(),
    }
}

/// The names of `--jobs-from`, each with its line number.
fn read_jobs_from(path: &Path, stdin: &mut dyn BufRead) -> Result<Vec<(usize, String)>, NameError> {
    if path.as_os_str() == "-" {
        return names::read_names(stdin, "stdin");
    }
    let file = std::fs::File::open(path).map_err(|error| NameError::Unopenable {
        origin: path.display().to_string(),
        detail: error.to_string(),
    })?;
    names::read_names(std::io::BufReader::new(file), &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn plan(args: &[&str], stdin: &str) -> anyhow::Result<ExportPlan> {
        let mut argv = vec![
            "dataarts-jobs",
            "export",
            "--endpoint",
            "http://h",
            "--project-id",
            "p",
        ];
        argv.extend_from_slice(args);
        let Command::Export(export) = Cli::try_parse_from(argv).expect("parses").command else {
            panic!("not export")
        };
        let env = Env::from_pairs(
            [("HUAWEICLOUD_SDK_AK", "a"), ("HUAWEICLOUD_SDK_SK", "s")],
            None,
        );
        ExportPlan::resolve(&export, &env, &mut stdin.as_bytes(), false)
    }

    fn usage(error: anyhow::Error) -> String {
        error.to_string()
    }

    #[test]
    fn defaults_come_from_the_command_line_definition() {
        let plan = plan(&["a"], "").expect("plan");
        assert_eq!(plan.selection, Selection::Names(vec!["a".into()]));
        assert_eq!(plan.output, Output::File("jobs.zip".into()));
        assert_eq!((plan.batch_size, plan.parallel), (100, 4));
        assert!(plan.depend && !plan.force && plan.extract.is_none());
        assert_eq!(plan.limits.max_size, 4 << 30);
    }

    #[test]
    fn extract_and_directory() {
        assert_eq!(
            plan(&["a", "-x"], "").expect("plan").extract,
            Some(PathBuf::from("."))
        );
        assert_eq!(
            plan(&["a", "-C", "out"], "").expect("plan").extract,
            Some(PathBuf::from("out"))
        );
        assert_eq!(
            plan(&["a", "-C", "out", "--no-archive"], "")
                .expect("plan")
                .output,
            Output::Discard
        );
        assert!(
            usage(plan(&["a", "--no-archive"], "").expect_err("refused")).contains("--no-archive")
        );
    }

    #[test]
    fn combinations_that_cannot_work_are_usage_errors() {
        assert!(usage(plan(&[], "").expect_err("refused")).contains("nothing to export"));
        assert!(usage(plan(&["--all", "a"], "").expect_err("refused")).contains("--all"));
        assert!(
            usage(plan(&["a", "-o", "-", "--json"], "").expect_err("refused")).contains("stdout")
        );
        assert!(plan(&["a/b"], "").expect_err("bad name").is::<NameError>());
    }

    #[test]
    fn jobs_from_names_are_taken_as_they_are_and_invalid_ones_refused_or_reported() {
        let plan_ok = plan(&["--jobs-from", "-"], " padded \nok\n").expect("plan");
        assert_eq!(plan_ok.given_names(), [" padded ", "ok"]);
        assert!(plan(&["--jobs-from", "-"], "ok\nbad\u{1}name\n").is_err());
        let kept = plan(&["--jobs-from", "-", "--keep-going"], "ok\nbad\u{1}name\n").expect("plan");
        assert_eq!(kept.given_names(), ["ok"]);
        assert_eq!(kept.refused.len(), 1);
    }
}
