//! Names the commit `--version` was built from, when built from a git
//! checkout: `dataarts-jobs 0.1.0 (1a2b3c4d5e6f 2026-12-01)`. Anywhere else
//! (a crates.io source, no git) the version is the package's alone.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=DATAARTS_JOBS_BUILD_COMMIT");
    if Path::new(".git").exists() {
        println!("cargo:rerun-if-changed=.git/HEAD");
        if let Ok(head) = std::fs::read_to_string(".git/HEAD") {
            if let Some(reference) = head.trim().strip_prefix("ref: ") {
                println!("cargo:rerun-if-changed=.git/{reference}");
            }
        }
        println!("cargo:rerun-if-changed=.git/packed-refs");
    }
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git").args(args).output().ok()?;
        let text = String::from_utf8(output.stdout).ok()?;
        (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
    };
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    if let (Some(commit), Some(date)) = (
        git(&["rev-parse", "--short=12", "HEAD"]),
        git(&["log", "-1", "--format=%cs"]),
    ) {
        println!("cargo:rustc-env=DATAARTS_JOBS_BUILD_COMMIT={version} ({commit} {date})");
    }
}
