//! The man pages in `man/` are exactly what clap_mangen makes of the command
//! line today. Regenerate with `SNAPSHOTS=overwrite cargo test manual`.

use std::path::PathBuf;

use clap::CommandFactory;
use dataarts_jobs::cli::Cli;

/// `dataarts-jobs.1`, and `dataarts-jobs-<command>.1` for each subcommand.
fn pages() -> Vec<(String, Vec<u8>)> {
    let root = Cli::command();
    let mut pages = vec![("dataarts-jobs.1".to_string(), render(root.clone()))];
    for sub in root.get_subcommands() {
        // clap takes static names without its `string` feature; a test may leak.
        let name: &'static str =
            Box::leak(format!("dataarts-jobs-{}", sub.get_name()).into_boxed_str());
        let command = sub.clone().name(name).display_name(name);
        pages.push((format!("{name}.1"), render(command)));
    }
    pages
}

/// The page for `command`, naming the package version only (not the commit
/// `--version` names, which would make every commit stale the pages).
fn render(command: clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command.version(env!("CARGO_PKG_VERSION")))
        .render(&mut out)
        .expect("render");
    out
}

#[test]
fn committed_man_pages_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("man");
    let overwrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let mut stale = Vec::new();
    let pages = pages();
    for (name, bytes) in &pages {
        let path = dir.join(name);
        if overwrite {
            std::fs::create_dir_all(&dir).expect("create man/");
            std::fs::write(&path, bytes).expect("write man page");
            continue;
        }
        match std::fs::read(&path) {
            Ok(actual) if &actual == bytes => {}
            _ => stale.push(name.clone()),
        }
    }
    let committed = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert!(
        stale.is_empty() && committed == pages.len(),
        "stale man pages: {stale:?} ({committed} committed, {} expected); run `SNAPSHOTS=overwrite cargo test manual`",
        pages.len()
    );
}
