//! One module per subcommand. Each turns its parsed arguments into a plan
//! (validated, no network), then runs it. Shared here: what every command
//! gets ([`Context`]) and how a command connects to the cloud ([`connect`]).

pub mod backup;
pub mod completions;
pub mod demo;
pub mod doctor;
pub mod emulator;
pub mod export;
pub mod import;
pub mod list;
pub mod migrate;
pub mod task;
pub mod unpack;
mod usage;
pub mod workspaces;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use reqwest::Url;

pub use usage::{PartialFailure, UsageError};

use crate::api::studio::Workspace;
use crate::api::Client;
use crate::config::{Project, Settings, WorkspaceRef};
use crate::env::Env;
use crate::http::Transport;
use crate::model::{JobFailure, JobType, ListedJob};
use crate::output::{self, Printer};

/// What every command runs with.
#[derive(Debug, Clone)]
pub struct Context {
    pub printer: Printer,
    /// Set when Ctrl-C or SIGTERM arrives, for blocking work.
    pub cancel: Arc<AtomicBool>,
    pub env: Env,
}

/// A client for the project and workspace of `settings`: the project id is
/// looked up with IAM and the workspace by its name with the Management
/// Center where needed (both read-only, so `--dry-run` makes them too).
pub async fn connect(settings: &Settings, printer: &Printer) -> anyhow::Result<Client> {
    for note in &settings.notes {
        printer.warn(note);
    }
    let secrets = settings
        .credentials
        .secrets()
        .into_iter()
        .cloned()
        .collect();
    let transport = Transport::new(&settings.http, printer, secrets)?;
    printer.trace(1, format!("> credentials: {}", settings.credential_source));
    let project_id = match &settings.project.value {
        Project::Id(id) => id.clone(),
        Project::LookUp { region } => {
            let iam = Client::new(
                transport.clone(),
                settings.iam.value.clone(),
                String::new(),
                None,
                settings.credentials.clone(),
            );
            let id = iam.lookup_project_id(&settings.iam.value, region).await?;
            printer.trace(1, format!("> project id for {region}: {id} (from IAM)"));
            id
        }
    };
    let client = Client::new(
        transport,
        settings.dlf.value.clone(),
        project_id,
        None,
        settings.credentials.clone(),
    );
    let workspace = match settings.workspace.as_ref().map(|w| &w.value) {
        None => None,
        Some(WorkspaceRef::Id(id)) => Some(id.clone()),
        Some(WorkspaceRef::Name(name)) => {
            let studio = client.at(settings.studio()?.value.clone());
            let found = studio.find_workspace(name).await?;
            printer.trace(
                1,
                format!(
                    "> workspace {name}: {} (instance {})",
                    found.id, found.instance.name
                ),
            );
            Some(found.id)
        }
    };
    Ok(client.in_workspace(workspace))
}

/// Every job of `types` (listed concurrently, `parallel` pages at a time),
/// with a spinner counting them (`listing jobs… 1,200 of 1,500`).
pub async fn list_jobs(
    client: &Client,
    types: &[JobType],
    parallel: usize,
    printer: &Printer,
) -> anyhow::Result<Vec<(JobType, ListedJob)>> {
    let spinner = printer.spinner("listing jobs…");
    let progress = |found: u64, total: Option<u64>| {
        spinner.set_message(listing_message("jobs", found, total));
    };
    let jobs = client.list_all_jobs(types, parallel, &progress).await?;
    spinner.finish();
    Ok(jobs)
}

/// The project's workspaces, through the Management Center at `studio`
/// (no workspace chosen for it), with a spinner.
pub async fn list_workspaces(
    client: &Client,
    studio: Url,
    printer: &Printer,
) -> anyhow::Result<Vec<Workspace>> {
    let spinner = printer.spinner("listing workspaces…");
    let workspaces = client
        .in_workspace(None)
        .at(studio)
        .list_workspaces()
        .await?;
    spinner.finish();
    Ok(workspaces)
}

/// Prints `failed: NAME: CODE MESSAGE` for each failure (even with `-q`:
/// the error that follows refers to them).
fn print_failures(failed: &[JobFailure], printer: &Printer) {
    for failure in failed {
        let why = [failure.error_code.as_deref(), failure.error_msg.as_deref()]
            .into_iter()
            .flatten()
            .map(crate::text::escape_controls)
            .collect::<Vec<_>>()
            .join(" ");
        // Spaces at either end would be invisible: such a name is quoted.
        let name = crate::text::escape_controls(&failure.name);
        let name = match name.trim() == name {
            true => name,
            false => format!("`{name}`"),
        };
        printer.error_line(format!("failed: {name}: {why}"));
    }
}

/// What a listing's spinner says: `listing jobs… 1,200 of 1,500`, or
/// without a total `listing jobs… 1,200`.
fn listing_message(what: &str, found: u64, total: Option<u64>) -> String {
    match total {
        Some(total) => format!(
            "listing {what}… {} of {}",
            output::count(found),
            output::count(total)
        ),
        None => format!("listing {what}… {}", output::count(found)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_spinners_count_what_they_found() {
        assert_eq!(
            listing_message("jobs", 1200, Some(1500)),
            "listing jobs… 1,200 of 1,500"
        );
        assert_eq!(listing_message("scripts", 7, None), "listing scripts… 7");
    }
}
