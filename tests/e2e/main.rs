//! End-to-end tests: the real binary against the emulator (one test binary).

// Test code: panics are the failure report, and printing is its output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod backup;
mod common;
mod credentials;
mod disk_full;
mod download;
mod emulator_cli;
mod export;
mod extract;
mod import;
mod manual;
mod migrate;
mod operator;
mod output;
mod snapshots;
mod tls;
mod workspace;
mod workspaces;
