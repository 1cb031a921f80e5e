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
use crate::settings::{self, Connection, ProjectId};
use crate::ui::Ui;
use crate::{credentials, env};

/// Resolves the connection flags against the environment and files (no network).
pub fn resolve(args: &ConnectionArgs) -> anyhow::Result<Connection> {
    let home = credentials::home_dir();
    settings::resolve(args, &env::var, home.as_deref())
}

/// A client for the project, looking the project id up with IAM if needed.
pub async fn connect(connection: &Connection, ui: &Ui) -> anyhow::Result<Client> {
    let http = Client::http(connection)?;
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
            let iam = Client::new(http.clone(), connection, String::new(), retry, trace);
            let id = iam.lookup_project_id(iam_endpoint, region).await?;
            if ui.verbose > 0 {
                eprintln!("> project id for {region}: {id} (from IAM)");
            }
            id
        }
    };
    Ok(Client::new(http, connection, project_id, retry, trace))
}
