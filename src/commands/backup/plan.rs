//! `backup`'s arguments and environment → one validated [`BackupPlan`],
//! before any request.

use std::path::PathBuf;

use crate::archive::Limits;
use crate::backup::Source;
use crate::cli::BackupArgs;
use crate::commands::export::Batching;
use crate::config::{self, Settings};
use crate::env::Env;
use crate::names::Matcher;

/// What a run does to DIR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Bring DIR up to date.
    Write,
    /// `--check`: compare, change nothing; exit 7 on a difference.
    Check,
    /// `--dry-run`: compare, say what would change, change nothing.
    DryRun,
}

impl Mode {
    /// Whether DIR is left as it is.
    pub fn read_only(self) -> bool {
        self != Mode::Write
    }
}

/// A validated backup, ready to run.
#[derive(Debug, Clone)]
pub struct BackupPlan {
    pub settings: Settings,
    pub dir: PathBuf,
    pub all_workspaces: bool,
    pub matcher: Matcher,
    pub mode: Mode,
    pub force: bool,
    pub batching: Batching,
    pub json: bool,
    pub limits: Limits,
}

impl BackupPlan {
    pub fn resolve(args: &BackupArgs, env: &Env) -> anyhow::Result<Self> {
        let matcher = Matcher::new(&args.matches)?;
        let mut settings = config::resolve(&args.connection, &args.workspace, env)?;
        if args.all_workspaces {
            // Every workspace is backed up by its id: a DATAARTS_WORKSPACE
            // in the environment selects none of them.
            settings.workspace = None;
        }
        let mode = if args.check {
            Mode::Check
        } else if args.dry_run {
            Mode::DryRun
        } else {
            Mode::Write
        };
        Ok(Self {
            settings,
            dir: args.dir.clone(),
            all_workspaces: args.all_workspaces,
            matcher,
            mode,
            force: args.force,
            batching: Batching {
                batch_size: usize::from(args.batching.batch_size),
                parallel: usize::from(args.batching.parallel),
                keep_going: args.keep_going,
                depend: true,
                submitted: false,
            },
            json: args.json,
            limits: Limits {
                max_size: args.max_size,
                ..Limits::default()
            },
        })
    }

    /// The lineage of a backup of `workspace` (`None`: the default one).
    pub fn source(&self, project_id: &str, workspace: Option<String>) -> Source {
        let url = &self.settings.dlf.value;
        let host = url.host_str().unwrap_or_default();
        let endpoint = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        // Patterns combine with OR: recorded sorted and once each, so
        // their order on the command line is not another lineage.
        let matches: std::collections::BTreeSet<String> =
            self.matcher.patterns().iter().cloned().collect();
        Source {
            endpoint,
            matches: matches.into_iter().collect(),
            project_id: project_id.to_string(),
            workspace,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn plan(args: &[&str]) -> BackupPlan {
        let mut argv = vec![
            "dataarts-jobs",
            "backup",
            "out",
            "--endpoint",
            "https://dayu-dlf.cn-north-4.myhuaweicloud.com/",
            "--project-id",
            "p",
        ];
        argv.extend_from_slice(args);
        let Command::Backup(backup) = Cli::try_parse_from(argv).expect("parses").command else {
            panic!("not backup")
        };
        let env = Env::from_pairs(
            [
                ("HUAWEICLOUD_SDK_AK", "a"),
                ("HUAWEICLOUD_SDK_SK", "s"),
                ("DATAARTS_WORKSPACE", "from-env"),
            ],
            None,
        );
        BackupPlan::resolve(&backup, &env).expect("plan")
    }

    #[test]
    fn the_source_names_the_host_and_the_scope() {
        let matching = plan(&["--match", "etl_*"]);
        assert_eq!(matching.mode, Mode::Write);
        assert_eq!(matching.batching.batch_size, 100);
        assert!(matching.batching.depend);
        let source = matching.source("p", Some("w".into()));
        assert_eq!(source.endpoint, "dayu-dlf.cn-north-4.myhuaweicloud.com");
        assert_eq!(source.matches, ["etl_*"]);
        assert_eq!(matching.settings.workspace_id(), Some("from-env"));
        assert!(plan(&["--all-workspaces"]).settings.workspace.is_none());
        assert_eq!(plan(&["--check"]).mode, Mode::Check);
        assert!(plan(&["--dry-run"]).mode.read_only());
    }
}
