//! End-to-end tests: the real binary against the emulator (one test binary).

mod common;
mod credentials;
mod disk_full;
mod download;
mod emulator_cli;
mod export;
mod extract;
mod tls;
mod workspace;
