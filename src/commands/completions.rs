//! `completions`: shell completion scripts, the same bytes as the committed
//! files in `completions/`.

use anyhow::Context as _;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::output::Printer;

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "dataarts-jobs", &mut out);
    out
}

/// The committed file name for `shell` in `completions/`.
pub fn file_name(shell: Shell) -> String {
    match shell {
        Shell::Bash => "dataarts-jobs.bash".to_string(),
        Shell::Zsh => "_dataarts-jobs".to_string(),
        Shell::Fish => "dataarts-jobs.fish".to_string(),
        Shell::PowerShell => "_dataarts-jobs.ps1".to_string(),
        Shell::Elvish => "dataarts-jobs.elv".to_string(),
        _ => format!("dataarts-jobs.{shell}"),
    }
}

pub fn run(shell: Shell, printer: &Printer) -> anyhow::Result<()> {
    printer
        .data(&script(shell))
        .context("cannot write the completion script to stdout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;
    use std::path::PathBuf;

    /// The committed scripts are exactly what the binary prints. Regenerate
    /// with `SNAPSHOTS=overwrite cargo test completions`.
    #[test]
    fn committed_completions_are_current() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
        let overwrite = std::env::var(crate::env::SNAPSHOTS).is_ok_and(|v| v == "overwrite");
        let mut stale = Vec::new();
        for shell in Shell::value_variants() {
            let path = dir.join(file_name(*shell));
            let expected = script(*shell);
            if overwrite {
                std::fs::create_dir_all(&dir).expect("create completions/");
                std::fs::write(&path, &expected).expect("write completion script");
                continue;
            }
            match std::fs::read(&path) {
                Ok(actual) if actual == expected => {}
                _ => stale.push(path.display().to_string()),
            }
        }
        assert!(
            stale.is_empty(),
            "stale completion scripts: {stale:?}; run `SNAPSHOTS=overwrite cargo test completions`"
        );
    }
}
