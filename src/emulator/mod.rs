//! A local imitation of the DataArts cloud: DataArts Factory (DLF) batch
//! export (streamed zip), list jobs and list scripts, and import
//! (check-file, import, system tasks); the Management Center's instances and
//! workspaces; IAM's project lookup; and OBS on a second listener.
//!
//! It verifies SDK-HMAC-SHA256 signatures with the crate's own signer, so every
//! end-to-end test against it also tests the client's signing. Used by the
//! `emulator` and `demo` commands, the end-to-end tests and benchmarks. One
//! file per concern: `transport` (connections), `router` (the gateway's
//! routing), `gateway` (authentication), `dlf`, `scripts`, `studio` and
//! `iam` (the services), `import` (check-file, import, tasks), `obs` (the
//! object store and its listener), `paging` (how listings page), `store`
//! (the workspaces), `faults`, `log`, `tls`, `zipstream`.
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
//!   a missing or wrong security token, wrong `X-Auth-Token`.
//! - 403 `APIGW.0302` "The IAM user is not authorized to access the API." — a
//!   path project id other than the one served.
//! - 400 `DAYU.4402` "The instance does not exist." — workspaces of an
//!   unknown Management Center instance.
//! - 404 `APIGW.0101` — unknown path or method.
//! - 413 `APIGW.0201` — request body over 1 MiB.
//! - 429 `APIG.0308` — `--rate-limit` exceeded (with `Retry-After: 1`).
//! - injected `--fail-status`: 429 `APIG.0308`, 500 `DLF.0000`, 504 `APIGW.0203`,
//!   other 5xx `APIGW.0202`, 4xx the matching code above.

mod dlf;
mod faults;
mod gateway;
mod iam;
mod import;
mod log;
mod obs;
mod paging;
mod respond;
mod router;
mod scripts;
mod store;
mod studio;
mod tls;
mod transport;
mod zipstream;

#[cfg(test)]
mod tests;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::Secret;

/// The emulator's access key unless `--ak` is given. Fake: valid only here.
pub const DEFAULT_AK: &str = "EMULATOR0AK000000000";
/// The emulator's secret key unless `--sk` is given. Fake, public, emulator-only.
pub const DEFAULT_SK: &str = "emulator-only-sk-not-valid-on-any-cloud00";
/// The one project id the emulator serves unless `--project-id` is given.
pub const DEFAULT_PROJECT_ID: &str = "0e3b6d7c1f2a4b5c8d9e0f1a2b3c4d5e";
/// The id the Management Center gives the default workspace (a
/// `workspace` header with it selects the default workspace too). A backup
/// of every workspace keeps it in `workspaces/default/`, which the emulator
/// then serves as the default workspace.
pub const DEFAULT_WORKSPACE_ID: &str = "default";
pub use studio::{INSTANCE_ID, INSTANCE_NAME};
/// The account (domain) id in IAM's answers.
pub const DEFAULT_DOMAIN_ID: &str = "9a8b7c6d5e4f40312a1b0c9d8e7f6a5b";

/// A configuration the emulator cannot run with.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("{0}")]
    Fault(String),
    #[error("--project-id {0:?}: not a project id")]
    ProjectId(String),
    #[error("--data {}: {detail}", path.display())]
    Data { path: PathBuf, detail: String },
    #[error("{0}")]
    Tls(String),
    #[error("--connections {0}")]
    Connections(String),
}

/// How list jobs interprets `offset`: a number of records to skip, or a page
/// number (records skipped = offset × limit). The API docs leave it unclear;
/// the emulator can play either, so clients can be tested against both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetUnit {
    Records,
    Pages,
}

/// What list jobs says about `total` (a fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalFault {
    /// No `total` field at all.
    Missing,
    /// Half the real number.
    Low,
    /// 10^15.
    Huge,
}

/// Injected faults. Those on the body and `fail_*` act on batch-export
/// responses (all, or the first `fail_first`); `rate_limit` and `latency` on
/// every request; `list_total` on list jobs and list scripts; `echo_secrets` on 401 answers and failed import subtasks.
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
    /// Never end export bodies: after the archive, filler bytes forever.
    pub endless_body: bool,
    /// Lie about `total` in list jobs and list scripts.
    pub list_total: Option<TotalFault>,
    /// Echo the security token and the signature in 401 messages and in
    /// failed import subtasks' messages (those with a terminal escape too).
    pub echo_secrets: bool,
    /// The server's clock runs this many seconds ahead of the machine's
    /// (negative: behind): signatures are checked and `Date` sent by it.
    pub clock_offset: Option<i64>,
    /// Requests per second; a request closer than 1/RPS to the previously
    /// accepted one gets 429 `APIG.0308` (no burst allowance).
    pub rate_limit: Option<f64>,
    /// Sleep before answering every request.
    pub latency: Option<Duration>,
}

/// Everything the emulator serves. `Debug` shows no secret. Built from the
/// `emulator` command's arguments (`commands::emulator::config`), so the
/// defaults are the command line's.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// `None` → the embedded sample workspace.
    pub data: Option<PathBuf>,
    pub ak: String,
    pub sk: Secret,
    /// Required with the keys when set (temporary credentials).
    pub security_token: Option<Secret>,
    pub project_id: String,
    pub region: String,
    /// Accepted as `X-Auth-Token` instead of a signature.
    pub auth_token: Option<Secret>,
    pub request_log: Option<PathBuf>,
    pub offset_unit: OffsetUnit,
    /// Most records one list page returns, whatever `limit` asks.
    pub page_clamp: Option<u64>,
    pub faults: Faults,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    /// How many projects IAM's lookup answers for the configured region: 1
    /// (the served project), or 0 or several to rehearse a client's errors.
    pub iam_projects: u8,
    /// Where the OBS listener binds (port 0 picks a free one).
    pub obs_listen: SocketAddr,
    /// Polls an import's system task answers `RUNNING` before its final status.
    pub task_polls: u32,
    /// Jobs whose import subtask fails.
    pub fail_import: Vec<String>,
    /// `--connections FILE`: the connections each workspace has, for check-file.
    pub connections: Option<PathBuf>,
}

/// A PEM certificate chain (leaf first) and its PEM private key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// What every connection shares.
pub(crate) struct State {
    pub ak: String,
    pub sk: Secret,
    pub security_token: Option<Secret>,
    pub auth_token: Option<Secret>,
    pub project_id: String,
    pub region: String,
    /// Projects IAM answers for `region` (see `Config::iam_projects`).
    pub iam_projects: u8,
    /// `http` or `https`, for the links IAM's answers carry.
    pub scheme: &'static str,
    pub domain_id: String,
    pub offset_unit: OffsetUnit,
    pub page_clamp: Option<u64>,
    /// The workspaces; imports change them.
    pub store: std::sync::RwLock<store::Store>,
    /// OBS's objects.
    pub obs: obs::Objects,
    /// Import tasks.
    pub tasks: import::Tasks,
    pub task_polls: u32,
    pub fail_import: Vec<String>,
    /// `None`: every connection a job references exists.
    pub connections: Option<import::Connections>,
    pub log: Option<log::RequestLog>,
    pub faults: faults::FaultState,
    pub compression: zipstream::Compression,
}

impl State {
    /// The workspaces, for reading (a poisoned lock still holds valid data:
    /// every change is applied whole under it).
    pub(crate) fn store_read(&self) -> std::sync::RwLockReadGuard<'_, store::Store> {
        match self.store.read() {
            Ok(store) => store,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The workspaces, for an import.
    pub(crate) fn store_write(&self) -> std::sync::RwLockWriteGuard<'_, store::Store> {
        match self.store.write() {
            Ok(store) => store,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// A started emulator. Dropping it stops accepting connections as well.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    /// The OBS listener's address.
    pub obs_addr: SocketAddr,
    state: Arc<State>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
    warnings: Vec<String>,
    jobs: usize,
    tls: bool,
}

impl State {
    /// The server's clock (the machine's, shifted by `--clock-offset`).
    pub(crate) fn now(&self) -> std::time::SystemTime {
        let now = std::time::SystemTime::now();
        match self.faults.clock_offset() {
            Some(offset) if offset >= 0 => now + Duration::from_secs(offset.unsigned_abs()),
            Some(offset) => now - Duration::from_secs(offset.unsigned_abs()),
            None => now,
        }
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
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

    /// The OBS endpoint, `http://127.0.0.1:PORT` (path-style addressing).
    pub fn obs_endpoint(&self) -> String {
        format!("http://{}", loopback_for(self.obs_addr))
    }

    /// `obs://bucket/key` of every object the OBS listener holds, sorted.
    pub fn obs_objects(&self) -> Vec<String> {
        self.state.obs.paths()
    }

    /// Stores an object in the emulator's OBS as a PUT would (for tests and
    /// rehearsals of `import obs://...`).
    pub fn put_obs_object(&self, bucket: &str, key: &str, bytes: Vec<u8>) {
        self.state
            .obs
            .put(bucket, key, bytes::Bytes::from(bytes), None);
    }

    /// What was skipped while indexing `--data` (job directories without a `.job`, ...).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Jobs served, over all workspaces.
    pub fn job_count(&self) -> usize {
        self.jobs
    }

    /// Why the request log could not be written, if it could not.
    pub fn log_failure(&self) -> Option<String> {
        self.state
            .log
            .as_ref()
            .and_then(|log| log.failure())
            .map(str::to_string)
    }

    /// Stops accepting, lets open connections finish (up to 5 s), then returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

/// Binds, indexes the workspace, spawns the accept loop and returns at once.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    serve(config, listener).await
}

/// [`start`] on a listener the caller already holds (`config.listen` is not
/// used): a test that keeps a clone of it can start another emulator on the
/// very same port after stopping this one, without the port ever being free.
pub async fn start_on(config: Config, listener: std::net::TcpListener) -> anyhow::Result<Running> {
    listener
        .set_nonblocking(true)
        .context("cannot make the listener non-blocking")?;
    let listener = TcpListener::from_std(listener).context("cannot use the listener")?;
    serve(config, listener).await
}

async fn serve(config: Config, listener: TcpListener) -> anyhow::Result<Running> {
    let store = match &config.data {
        Some(dir) => {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || store::Store::load(&dir))
                .await
                .context("indexing --data failed")??
        }
        None => store::Store::sample(),
    };
    let faults = faults::FaultState::new(config.faults.clone()).map_err(EmulatorError::Fault)?;
    if !crate::model::is_valid_project_id(&config.project_id) {
        return Err(EmulatorError::ProjectId(config.project_id).into());
    }
    let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let log = config
        .request_log
        .as_deref()
        .map(log::RequestLog::open)
        .transpose()?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let obs_listener = TcpListener::bind(config.obs_listen)
        .await
        .with_context(|| format!("cannot listen on {} (OBS)", config.obs_listen))?;
    let obs_addr = obs_listener
        .local_addr()
        .context("cannot read the OBS listening address")?;
    let connections = config
        .connections
        .as_deref()
        .map(import::load_connections)
        .transpose()
        .map_err(EmulatorError::Connections)?;
    let warnings = store.warnings.clone();
    let jobs = store.job_count();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let state = Arc::new(State {
        ak: config.ak,
        sk: config.sk,
        security_token: config.security_token,
        auth_token: config.auth_token,
        project_id: config.project_id,
        region: config.region,
        iam_projects: config.iam_projects,
        scheme,
        domain_id: DEFAULT_DOMAIN_ID.to_string(),
        offset_unit: config.offset_unit,
        page_clamp: config.page_clamp,
        store: std::sync::RwLock::new(store),
        obs: obs::Objects::default(),
        tasks: import::Tasks::default(),
        task_polls: config.task_polls,
        fail_import: config.fail_import,
        connections,
        log,
        faults,
        compression: zipstream::Compression::DeflateFast,
    });
    let (shutdown, signal) = watch::channel(false);
    let serves_tls = tls.is_some();
    let api = tokio::spawn(transport::accept_loop(
        listener,
        tls,
        Arc::clone(&state),
        transport::Listener::Api,
        signal.clone(),
    ));
    let obs = tokio::spawn(transport::accept_loop(
        obs_listener,
        None,
        Arc::clone(&state),
        transport::Listener::Obs,
        signal,
    ));
    let task = tokio::spawn(async move {
        let _ = tokio::join!(api, obs);
    });
    Ok(Running {
        addr,
        obs_addr,
        state,
        shutdown,
        task,
        warnings,
        jobs,
        tls: serves_tls,
    })
}

/// What the `emulator` command prints: a banner on stderr and `export`
/// lines on stdout (the only data).
pub struct Banner {
    /// Lines for people (stderr).
    pub messages: Vec<String>,
    /// `export NAME=value` lines (stdout).
    pub exports: String,
}

/// The banner for a started emulator.
pub fn banner(config: &Config, running: &Running) -> Banner {
    let source = match &config.data {
        Some(dir) => dir.display().to_string(),
        None => "the embedded sample workspace".to_string(),
    };
    let endpoint = running.endpoint();
    let mut messages: Vec<String> = running
        .warnings()
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect();
    messages.push(format!(
        "DataArts emulator: {} job(s) from {source}, project {} (region {}), listening on {endpoint}, OBS on {}. Ctrl-C stops it.",
        running.job_count(),
        config.project_id,
        config.region,
        running.obs_endpoint()
    ));
    if let Some(tls) = &config.tls {
        messages.push(format!(
            "DataArts emulator: HTTPS with {}; a client that does not already trust it needs --ca-cert (the certificate itself if self-signed).",
            tls.cert.display()
        ));
    }
    Banner {
        messages,
        exports: export_lines(config, &endpoint, &running.obs_endpoint()),
    }
}

/// A wildcard address shows as loopback.
fn loopback_for(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// The `export` lines that point every command at the emulator. A custom SK
/// is not shown (the user has it); nor is a custom security token.
fn export_lines(config: &Config, endpoint: &str, obs_endpoint: &str) -> String {
    let sk = if config.sk.expose() == DEFAULT_SK {
        // The default SK is a public, emulator-only value: safe to show.
        format!("export HUAWEICLOUD_SDK_SK={DEFAULT_SK}\n")
    } else {
        "# HUAWEICLOUD_SDK_SK: the --sk given to the emulator (not shown)\n".to_string()
    };
    let token = if config.security_token.is_some() {
        "# HUAWEICLOUD_SDK_SECURITY_TOKEN: the --security-token given to the emulator (not shown)\n"
    } else {
        ""
    };
    format!(
        "export HUAWEICLOUD_SDK_AK={ak}\n{sk}{token}\
         export HUAWEICLOUD_SDK_PROJECT_ID={project}\n\
         export HUAWEICLOUD_SDK_REGION_ID={region}\n\
         export HUAWEICLOUD_SDK_IAM_ENDPOINT={endpoint}\n\
         export DATAARTS_ENDPOINT={endpoint}\n\
         export DATAARTS_STUDIO_ENDPOINT={endpoint}\n\
         export DATAARTS_OBS_ENDPOINT={obs_endpoint}\n",
        ak = config.ak,
        project = config.project_id,
        region = config.region,
    )
}
