//! One module per subcommand; `connect` is shared by those that call the API.

pub mod completions;
pub mod demo;
pub mod emulator;
pub mod export;
pub mod list;
pub mod unpack;

use crate::api::retry::RetryPolicy;
use crate::api::{Client, Trace};
use crate::cli::ConnectionArgs;
use crate::settings::{self, ProjectId};
use crate::ui::Ui;
use crate::{credentials, env};

/// Resolves the connection flags and returns a client for the project.
pub async fn connect(args: &ConnectionArgs, ui: &Ui) -> anyhow::Result<Client> {
    let home = credentials::home_dir();
    let connection = settings::resolve(args, &env::var, home.as_deref())?;
    let http = Client::http(&connection)?;
    let scale = env::var(env::TEST_RETRY_DELAY_SCALE)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(1.0);
    let retry = RetryPolicy::new(connection.retries, scale);
    let trace = Trace {
        verbose: ui.verbose,
    };
    if ui.verbose > 0 {
        eprintln!("> credentials: {}", connection.credentials_source);
    }
    let project_id = match &connection.project {
        ProjectId::Known(id) => id.clone(),
        ProjectId::LookUp {
            iam_endpoint,
            region,
        } => {
            // The lookup is read-only, so --dry-run makes it too.
            let iam = Client::new(http.clone(), &connection, String::new(), retry, trace);
            let id = iam.lookup_project_id(iam_endpoint, region).await?;
            if ui.verbose > 0 {
                eprintln!("> project id for {region}: {id} (from IAM)");
            }
            id
        }
    };
    Ok(Client::new(http, &connection, project_id, retry, trace))
}
