//! dataarts-jobs: export Huawei Cloud DataArts Studio (DataArts Factory, `DLF`)
//! job definitions and unpack them safely into a `jobs/<job>/` tree.
//!
//! `main.rs` parses the command line and calls [`run`]; each subcommand lives
//! in [`commands`]. The layers below: [`settings`] and [`credentials`] resolve
//! configuration, [`auth`] signs requests, [`api`] talks to DLF, [`download`]
//! streams bodies to disk, [`archive`] checks, merges and extracts zips
//! (switching them into place with [`switch`], on the primitives of [`fsx`]),
//! and [`emulator`] imitates the service locally.

pub mod api;
pub mod archive;
pub mod auth;
pub mod cancel;
pub mod cli;
pub mod commands;
pub mod credentials;
pub mod download;
pub mod emulator;
pub mod env;
pub mod exit;
pub mod fsx;
pub mod names;
pub mod regions;
pub mod settings;
pub mod switch;
pub mod text;
pub mod ui;

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use cli::{Cli, Command};
use ui::Ui;

/// Runs one parsed command line. `cancel` is set when Ctrl-C arrives, for
/// work on blocking threads that cannot simply be dropped.
pub async fn run(cli: Cli, cancel: Arc<AtomicBool>) -> anyhow::Result<()> {
    let ui = Ui::new(cli.output);
    match cli.command {
        Command::Export(args) => commands::export::run(args, &ui, cancel).await,
        Command::List(args) => commands::list::run(args, &ui).await,
        Command::Unpack(args) => commands::unpack::run(args, &ui, cancel).await,
        Command::Emulator(args) => commands::emulator::run(args).await,
        Command::Demo(args) => commands::demo::run(args, &ui, cancel).await,
        Command::Completions { shell } => {
            let script = commands::completions::script(shell);
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&script).and_then(|()| stdout.flush()) {
                Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
                _ => Ok(()),
            }
        }
    }
}
