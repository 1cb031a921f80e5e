//! dataarts-jobs: export Huawei Cloud DataArts Studio (DataArts Factory, `DLF`)
//! job definitions and unpack them safely into a `jobs/<job>/` tree.
//!
//! Layers, each pointing only down:
//!
//! - the edge: `main.rs` parses, runs [`run`], and hands any error to
//!   [`exit`], the one place that maps errors to exit codes and hints;
//! - [`commands`]: one module per subcommand, each resolving its arguments
//!   into a plan and running it;
//! - [`config`]: flags + environment + credential chain → settings;
//! - the services: [`api`] (DLF, IAM, Management Center), [`obs`] (object
//!   uploads and deletions), [`download`], [`archive`] (zip reading,
//!   merging, safe extraction; [`switch`] puts staged trees in place on
//!   the primitives of [`fsx`]), [`backup`] (the mirror's manifest,
//!   comparison, staging and switch), [`import`] (staging, pre-flight,
//!   import, waiting, verifying), [`emulator`];
//! - shared below them: [`http`] (transport, retries, status classes),
//!   [`auth`] (pure signing), [`output`] (the one owner of stdout and
//!   stderr), [`cli`] (clap types only), [`model`], [`names`], [`env`],
//!   [`text`], [`suggest`], [`cancel`].

pub mod api;
pub mod archive;
pub mod auth;
pub mod backup;
pub mod cancel;
pub mod cli;
pub mod commands;
pub mod config;
pub mod download;
pub mod emulator;
pub mod env;
pub mod exit;
pub mod fsx;
pub mod http;
pub mod import;
pub mod model;
pub mod names;
pub mod obs;
pub mod output;
pub mod suggest;
pub mod switch;
pub mod text;

use cli::Command;
use commands::Context;

/// Runs one parsed command.
pub async fn run(command: Command, ctx: &Context) -> anyhow::Result<()> {
    match command {
        Command::Export(args) => commands::export::run(args, ctx).await,
        Command::List(args) => commands::list::run(args, ctx).await,
        Command::Unpack(args) => commands::unpack::run(args, ctx).await,
        Command::Emulator(args) => commands::emulator::run(args, ctx).await,
        Command::Demo(args) => commands::demo::run(args, ctx).await,
        Command::Import(args) => commands::import::run(args, ctx).await,
        Command::Migrate(args) => commands::migrate::run(args, ctx).await,
        Command::Task(args) => commands::task::run(args, ctx).await,
        Command::Backup(args) => commands::backup::run(args, ctx).await,
        Command::Workspaces(args) => commands::workspaces::run(args, ctx).await,
        Command::Completions { shell } => commands::completions::run(shell, &ctx.printer),
        Command::Doctor(args) => commands::doctor::run(args, ctx).await,
    }
}
