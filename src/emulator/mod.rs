//! A local imitation of the DataArts Factory (DLF) API and of IAM's project
//! lookup: batch export (streamed zip), list jobs, `GET /v3/projects`.
//!
//! It verifies SDK-HMAC-SHA256 signatures with the crate's own signer, so every
//! end-to-end test against it also tests the client's signing. Used by the
//! `emulator` and `demo` commands, the end-to-end tests and benchmarks.
//!
//! Error codes it answers with (HTTP status, `error_code`):
//! - 400 `DLF.3051` "The request parameter is invalid." — malformed JSON, no or
//!   empty `jobList`, a non-string or empty name, more than 100 names, a bad
//!   `exportDepend`/`exportStatus`, bad `limit`/`offset`/`jobType`; also an
//!   unknown `workspace` header (message says so).
//! - 400 `DLF.0100` "The job does not exists." — any unknown name refuses the batch.
//! - 401 `APIGW.0301` "Incorrect IAM authentication information: ..." — missing,
//!   malformed, stale (15 min) or wrong signature (the message then echoes the
//!   canonical request the server computed, `|` for newlines), unknown AK,
//!   wrong `X-Auth-Token`.
//! - 403 `APIGW.0302` "The IAM user is not authorized to access the API." — a
//!   path project id other than the one served.
//! - 404 `APIGW.0101` — unknown path or method.
//! - 413 `APIGW.0201` — request body over 1 MiB.
//! - 429 `APIG.0308` — `--rate-limit` exceeded (with `Retry-After: 1`).
//! - injected `--fail-status`: 429 `APIG.0308`, 500 `DLF.0000`, 504 `APIGW.0203`,
//!   other 5xx `APIGW.0202`, 4xx the matching code above.

mod faults;
mod log;
mod server;
mod store;
mod tls;
mod zipstream;

#[cfg(test)]
mod tests;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::Secret;
use crate::exit::UsageError;

/// The emulator's access key unless `--ak` is given. Fake: valid only here.
pub const DEFAULT_AK: &str = "EMULATOR0AK000000000";
/// The emulator's secret key unless `--sk` is given. Fake, public, emulator-only.
pub const DEFAULT_SK: &str = "emulator-only-sk-not-valid-on-any-cloud00";
/// The one project id the emulator serves unless `--project-id` is given.
pub const DEFAULT_PROJECT_ID: &str = "0e3b6d7c1f2a4b5c8d9e0f1a2b3c4d5e";
/// The region name IAM answers for unless `--region` is given.
pub const DEFAULT_REGION: &str = "cn-north-4";
/// The account (domain) id in IAM's answers.
pub const DEFAULT_DOMAIN_ID: &str = "9a8b7c6d5e4f40312a1b0c9d8e7f6a5b";
/// Default listen address.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// How list jobs interprets `offset`: a number of records to skip, or a page
/// number (records skipped = offset × limit). The API docs leave it unclear;
/// the emulator can play either, so clients can be tested against both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OffsetUnit {
    #[default]
    Records,
    Pages,
}

impl std::str::FromStr for OffsetUnit {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "records" => Ok(OffsetUnit::Records),
            "pages" => Ok(OffsetUnit::Pages),
            other => Err(format!("{other}: expected records or pages")),
        }
    }
}

/// Injected faults. Those on the body and `fail_*` act on batch-export
/// responses (all, or the first `fail_first`); `rate_limit` and `latency` on
/// every request.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Fault only the first N batch-export requests (then answer normally).
    pub fail_first: Option<u64>,
    /// Status of a failed export (default 503 when `fail_first` is set).
    pub fail_status: Option<u16>,
    /// `Retry-After` seconds sent with `fail_status`.
    pub retry_after: Option<u64>,
    /// Sleep after the headers, before the first body byte.
    pub first_byte_delay: Option<Duration>,
    /// End the body after this many bytes and close the connection.
    pub truncate_body: Option<u64>,
    /// Abort the connection (TCP reset) after this many body bytes.
    pub reset_after: Option<u64>,
    /// Requests per second; a request closer than 1/RPS to the previously
    /// accepted one gets 429 `APIG.0308` (no burst allowance).
    pub rate_limit: Option<f64>,
    /// Sleep before answering every request.
    pub latency: Option<Duration>,
}

/// Everything the emulator serves. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// `None` → the embedded sample workspace.
    pub data: Option<PathBuf>,
    pub ak: String,
    pub sk: Secret,
    pub project_id: String,
    pub region: String,
    /// Accepted as `X-Auth-Token` instead of a signature.
    pub auth_token: Option<Secret>,
    pub request_log: Option<PathBuf>,
    pub offset_unit: OffsetUnit,
    pub faults: Faults,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    /// How many projects IAM's lookup answers for the configured region: 1
    /// (the served project), or 0 or several to rehearse a client's errors.
    pub iam_projects: u8,
}

/// A PEM certificate chain (leaf first) and its PEM private key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            data: None,
            ak: DEFAULT_AK.to_string(),
            sk: Secret::new(DEFAULT_SK),
            project_id: DEFAULT_PROJECT_ID.to_string(),
            region: DEFAULT_REGION.to_string(),
            auth_token: None,
            request_log: None,
            offset_unit: OffsetUnit::default(),
            faults: Faults::default(),
            tls: None,
            iam_projects: 1,
        }
    }
}

/// A started emulator. Dropping it stops accepting connections as well.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
    warnings: Vec<String>,
    jobs: usize,
    tls: bool,
}

impl Running {
    /// `http://127.0.0.1:PORT`, or `https://` with TLS (a wildcard listen
    /// address shows as loopback).
    pub fn endpoint(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// What was skipped while indexing `--data` (job directories without a `.job`, ...).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Jobs served, over all workspaces.
    pub fn job_count(&self) -> usize {
        self.jobs
    }

    /// Stops accepting, lets open connections finish (up to 5 s), then returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

/// Binds, indexes the workspace, spawns the accept loop and returns at once.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let store = match &config.data {
        Some(dir) => {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || store::Store::load(&dir))
                .await
                .context("indexing --data failed")??
        }
        None => store::Store::sample(),
    };
    let faults = faults::FaultState::new(config.faults.clone()).map_err(UsageError)?;
    if config.project_id.is_empty() || config.project_id.contains('/') {
        return Err(UsageError(format!(
            "--project-id {:?}: not a project id",
            config.project_id
        ))
        .into());
    }
    let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let log = config
        .request_log
        .as_deref()
        .map(log::RequestLog::open)
        .transpose()?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let warnings = store.warnings.clone();
    let jobs = store.job_count();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let state = Arc::new(server::State {
        ak: config.ak,
        sk: config.sk,
        auth_token: config.auth_token,
        project_id: config.project_id,
        region: config.region,
        iam_projects: config.iam_projects,
        scheme,
        domain_id: DEFAULT_DOMAIN_ID.to_string(),
        offset_unit: config.offset_unit,
        store,
        log,
        faults,
        compression: zipstream::Compression::DeflateFast,
    });
    let (shutdown, signal) = watch::channel(false);
    let serves_tls = tls.is_some();
    let task = tokio::spawn(server::accept_loop(listener, tls, state, signal));
    Ok(Running {
        addr,
        shutdown,
        task,
        warnings,
        jobs,
        tls: serves_tls,
    })
}

/// The `emulator` command: start, print the endpoint, project id and
/// credentials as `export` lines on stdout, serve until Ctrl-C, stop cleanly.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let default_sk = config.sk.expose() == DEFAULT_SK;
    let source = match &config.data {
        Some(dir) => dir.display().to_string(),
        None => "the embedded sample workspace".to_string(),
    };
    let project_id = config.project_id.clone();
    let ak = config.ak.clone();
    let region = config.region.clone();
    let tls_cert = config.tls.as_ref().map(|tls| tls.cert.clone());
    let running = start(config).await?;
    for warning in running.warnings() {
        eprintln!("warning: {warning}");
    }
    let endpoint = running.endpoint();
    eprintln!(
        "DataArts emulator: {} job(s) from {source}, project {project_id} (region {region}), listening on {endpoint}. Ctrl-C stops it.",
        running.job_count()
    );
    // stdout is for the lines a script reads; a closed pipe is not an error.
    let mut stdout = std::io::stdout().lock();
    let lines = export_lines(&ak, default_sk, &project_id, &region, &endpoint);
    let _ = stdout
        .write_all(lines.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    if let Some(cert) = tls_cert {
        eprintln!(
            "DataArts emulator: HTTPS with {}; a client that does not already trust it needs --ca-cert (the certificate itself if self-signed).",
            cert.display()
        );
    }
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    eprintln!("DataArts emulator: stopping");
    running.shutdown().await;
    Ok(())
}

/// The `export` lines `run` prints: paste them into a shell to point the
/// client at the emulator. A custom SK is not shown (the user has it).
fn export_lines(
    ak: &str,
    default_sk: bool,
    project_id: &str,
    region: &str,
    endpoint: &str,
) -> String {
    let sk = if default_sk {
        // The default SK is a public, emulator-only value: safe to show.
        format!("export HUAWEICLOUD_SDK_SK={DEFAULT_SK}\n")
    } else {
        "# HUAWEICLOUD_SDK_SK: the --sk given to the emulator (not shown)\n".to_string()
    };
    format!(
        "export HUAWEICLOUD_SDK_AK={ak}\n{sk}\
         export HUAWEICLOUD_SDK_PROJECT_ID={project_id}\n\
         export HUAWEICLOUD_SDK_REGION_ID={region}\n\
         export HUAWEICLOUD_SDK_IAM_ENDPOINT={endpoint}\n\
         export DATAARTS_ENDPOINT={endpoint}\n"
    )
}
