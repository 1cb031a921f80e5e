//! `completions`: shell completion scripts, the same bytes as the committed
//! files in `completions/`.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

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
