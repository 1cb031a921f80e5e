//! `migrate`: export from one workspace, import into another.

use crate::cli::MigrateArgs;

use super::Context;

pub async fn run(_args: MigrateArgs, _ctx: &Context) -> anyhow::Result<()> {
    Err(anyhow::anyhow!(
        "migrate is not available in this build yet"
    ))
}
