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
    clap_complete::generate(shell, &mut command, BIN, &mut out);
    if shell == Shell::Bash {
        return fix_bash(&out);
    }
    out
}

const BIN: &str = "dataarts-jobs";

/// clap_complete's bash script sets `cmd` to `dataarts__jobs__subcmd__export`
/// while it names the matching `case` arms `dataarts__subcmd__jobs__subcmd__export`
/// (it treats the `-` in the binary's name as a subcommand separator;
/// clap-rs/clap#6421), so no subcommand's flags or values ever complete. The
/// arms are renamed to what the loop sets.
fn fix_bash(script: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(script)
        .replace("dataarts__subcmd__jobs__", "dataarts__jobs__")
        .into_bytes()
}

/// The committed file name for `shell` in `completions/`.
pub fn file_name(shell: Shell) -> String {
    match shell {
        Shell::Bash => format!("{BIN}.bash"),
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

    /// Runs bash's completion function on `words` (the last one being
    /// completed) and returns what it offers.
    fn complete_in_bash(words: &[&str]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("completion.bash");
        std::fs::write(&file, script(Shell::Bash)).expect("write");
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
             _dataarts__jobs {BIN} '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display(),
            quoted.join(" "),
            words.len() - 1,
            words.join(" "),
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let output = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &program])
            .current_dir(dir.path())
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn bash_completes_subcommand_flags_and_values() {
        if std::process::Command::new("bash")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("skipped: no bash here");
            return;
        }
        let flags = complete_in_bash(&[BIN, "export", "--"]);
        for flag in [
            "--output",
            "--extract",
            "--directory",
            "--jobs-from",
            "--keep-going",
        ] {
            assert!(
                flags.iter().any(|f| f == flag),
                "{flag} missing from {flags:?}"
            );
        }
        let types = complete_in_bash(&[BIN, "list", "--type", ""]);
        assert_eq!(types, ["batch", "real-time", "all"]);
        let commands = complete_in_bash(&[BIN, "ba"]);
        assert_eq!(commands, ["backup"]);
    }

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
