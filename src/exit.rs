//! The CLI edge: the contract's exit-code table, the one place that inspects
//! error types, and the hints that say what to do next (the way jj's
//! `command_error.rs` turns library errors into a kind and hints).
//!
//! Library layers return errors that state facts; this module decides what
//! each means to the user. Only `main` imports it.

use crate::api::ApiError;
use crate::archive::{ArchiveError, TargetError};
use crate::backup::BackupError;
use crate::cancel::Interrupted;
use crate::commands::doctor::ClockSkew;
use crate::commands::{PartialFailure, UsageError};
use crate::config::ConfigError;
use crate::download::{DestinationError, DownloadError};
use crate::emulator::EmulatorError;
use crate::http::status::Class;
use crate::http::{FailureKind, SetupError, TransportError};
use crate::import::ImportError;
use crate::names::NameError;
use crate::obs::{ObsError, PathError};
use crate::output::{Label, Printer};
use crate::text::escape_controls;

/// Exit codes of the contract.
pub mod code {
    pub const SUCCESS: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const AUTH: u8 = 3;
    pub const API: u8 = 4;
    pub const NETWORK: u8 = 5;
    pub const ARCHIVE: u8 = 6;
    pub const DRIFT: u8 = 7;
    pub const IMPORT: u8 = 8;
    pub const INTERRUPTED: u8 = 130;
}

/// What an error means at the edge: its exit code, and what to try next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: u8,
    pub hints: Vec<String>,
    /// The API's `error_code`, when the failure is an API refusal.
    pub error_code: Option<String>,
    pub request_id: Option<String>,
}

impl Failure {
    fn new(code: u8) -> Self {
        Self {
            code,
            hints: Vec::new(),
            error_code: None,
            request_id: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// The first typed error in `error`'s chain decides the exit code and hints.
pub fn classify(error: &anyhow::Error) -> Failure {
    classify_chain(error.chain())
}

/// [`classify`] over causes, outermost first.
fn classify_chain<'e>(
    causes: impl Iterator<Item = &'e (dyn std::error::Error + 'static)>,
) -> Failure {
    for cause in causes {
        if cause.is::<Interrupted>() {
            return Failure::new(code::INTERRUPTED);
        }
        if cause.is::<ClockSkew>() {
            return Failure::new(code::AUTH).hint(
                "sync this machine's clock (timedatectl, NTP): the gateway refuses signatures \
                 more than 15 minutes off",
            );
        }
        if let Some(error) = cause.downcast_ref::<ConfigError>() {
            return config(error);
        }
        if let Some(error) = cause.downcast_ref::<UsageError>() {
            return usage(error);
        }
        if cause.is::<NameError>() || cause.is::<EmulatorError>() {
            return Failure::new(code::USAGE);
        }
        if let Some(error) = cause.downcast_ref::<SetupError>() {
            return match error {
                SetupError::Client(_) => Failure::new(code::FAILURE),
                _ => Failure::new(code::USAGE),
            };
        }
        if let Some(error) = cause.downcast_ref::<ImportError>() {
            return import(error);
        }
        if let Some(error) = cause.downcast_ref::<ObsError>() {
            return obs(error);
        }
        if cause.is::<PathError>() {
            return Failure::new(code::USAGE);
        }
        if let Some(partial) = cause.downcast_ref::<PartialFailure>() {
            return match partial {
                PartialFailure::Export { .. }
                | PartialFailure::Migrate { .. }
                | PartialFailure::Backup { .. } => {
                    Failure::new(code::API)
                }
                PartialFailure::Drift { .. } => Failure::new(code::DRIFT)
                    .hint("run `dataarts-jobs backup` without --check to bring it up to date, and review the diff"),
            };
        }
        if let Some(error) = cause.downcast_ref::<BackupError>() {
            return backup(error);
        }
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            return self::api(api);
        }
        if let Some(transport) = cause.downcast_ref::<TransportError>() {
            return self::transport(transport, DLF_ENDPOINT);
        }
        if cause.is::<ArchiveError>() {
            return Failure::new(code::ARCHIVE);
        }
        if let Some(error) = cause.downcast_ref::<TargetError>() {
            return target(error);
        }
        if let Some(error) = cause.downcast_ref::<DestinationError>() {
            return match error {
                DestinationError::NotAFile { .. } => Failure::new(code::USAGE)
                    .hint("-o names the archive file to write, e.g. -o DIR/jobs.zip"),
                DestinationError::Exists { .. } => {
                    Failure::new(code::FAILURE).hint("pass --force to replace")
                }
            };
        }
        if let Some(error) = cause.downcast_ref::<DownloadError>() {
            return download(error);
        }
    }
    Failure::new(code::FAILURE)
}

fn target(error: &TargetError) -> Failure {
    let failure = Failure::new(code::FAILURE);
    match error {
        TargetError::Exists { .. } => failure.hint("pass --force to replace"),
        TargetError::Symlink { .. } => failure.hint(
            "the directory given may itself be a link, but no folder inside it may be: \
             replace the link with a real directory",
        ),
        TargetError::NotADirectory { .. }
        | TargetError::IsADirectory { .. }
        | TargetError::NameTooLong { .. } => failure,
    }
}

fn download(error: &DownloadError) -> Failure {
    let mut failure = Failure::new(code::NETWORK);
    if let DownloadError::NotZip { request_id, .. } = error {
        failure.request_id = request_id.clone();
    }
    match error {
        DownloadError::NotZip { .. } => failure.hint(
            "a proxy or gateway may have answered instead of DataArts: check HTTPS_PROXY / NO_PROXY",
        ),
        DownloadError::TooLarge { .. } => failure.hint(
            "a broken or hostile server, or a very large workspace: raise --max-size if the \
             archive really is that big",
        ),
        DownloadError::Stalled { .. } => failure.hint(
            "the server stopped sending: retry later, or raise --timeout if it is merely slow to start",
        ),
        DownloadError::TooSlow { .. } => failure.hint(
            "the connection is very slow: retry later, or raise --timeout (the window the rate is measured over)",
        ),
        DownloadError::CutShort { .. } => {
            failure.hint("the connection broke off; retry later (--retries sets how often)")
        }
    }
}

fn config(error: &ConfigError) -> Failure {
    let failure = Failure::new(code::USAGE);
    match error {
        ConfigError::NoCredentials { .. } => failure.hint(format!(
            "set {} and {}, or write them to ~/.huaweicloud/credentials ([basic] ak = ..., sk = ...); \
             then `dataarts-jobs doctor` shows every setting in effect and checks it",
            crate::env::SDK_AK,
            crate::env::SDK_SK
        )),
        ConfigError::KooCliEncrypted { .. } => failure.hint(format!(
            "export {} and {} (e.g. from your secret store) or write an SDK credentials file instead",
            crate::env::SDK_AK,
            crate::env::SDK_SK
        )),
        ConfigError::UnknownRegion {
            suggestion,
            override_var,
            ..
        } => {
            let failure = match suggestion {
                Some(close) => failure.hint(format!("did you mean `{close}`?")),
                None => failure.hint(format!(
                    "known regions: {}",
                    crate::config::regions::known_regions().collect::<Vec<_>>().join(", ")
                )),
            };
            failure.hint(format!("for another cloud, pass --endpoint URL or set {override_var}"))
        }
        ConfigError::NoEndpoint => failure.hint(format!(
            "pass --region ID (or set {}), or --endpoint URL (or set {})",
            crate::env::SDK_REGION_ID,
            crate::env::ENDPOINT
        )),
        ConfigError::NoServiceEndpoint {
            flag, override_var, ..
        } => failure.hint(format!("pass {flag} URL, or set {override_var}")),
        ConfigError::NoServiceRegion { flag, env, .. } => {
            failure.hint(format!("pass {flag} URL (or set {env}), or --region ID"))
        }
        ConfigError::NoProjectId { .. } => failure.hint(format!(
            "pass --project-id ID (or set {}), add project_id to the [basic] section of the \
             credentials file, or pass --region so it can be looked up with IAM",
            crate::env::SDK_PROJECT_ID
        )),
        _ => failure,
    }
}

fn import(error: &ImportError) -> Failure {
    match error {
        ImportError::SpecialFile { .. } => Failure::new(code::ARCHIVE),
        ImportError::NoBucket => Failure::new(code::USAGE)
            .hint("pass --obs-bucket BUCKET (a bucket in the target's region that DataArts Studio can read)"),
        ImportError::JobTooLarge { .. } => Failure::new(code::USAGE).hint(
            "the import API reads at most 10 MiB per archive, and a job's files travel together: \
             make its files smaller (a large resource can live in OBS), or create the job in the target by hand",
        ),
        ImportError::ArchiveTooLarge { .. } => Failure::new(code::USAGE).hint(
            "the import API reads at most 10 MiB per archive: import its jobs from a jobs/<job>/ tree \
             (`dataarts-jobs unpack` it first), which is packed into archives under the limit",
        ),
        ImportError::MissingResources { resources } => {
            let mut failure = Failure::new(code::USAGE);
            for resource in resources {
                let (kind, name) = (escape_controls(&resource.kind), escape_controls(&resource.name));
                failure = failure.hint(if crate::api::import::is_replaceable(&resource.kind) {
                    format!("--map {kind}:{name}=<replacement>")
                } else {
                    format!("create {kind} {name} in the target: the import cannot replace a {kind}")
                });
            }
            failure.hint(
                "map each to a resource the target has (as above), create them in the target workspace, or pass --allow-missing to import anyway; nothing was imported",
            )
        }
        ImportError::WaitTimeout { task_id, left, .. } => rerun(
            Failure::new(code::NETWORK).hint(format!(
                "`dataarts-jobs task {task_id} --wait{}` follows the task on (--wait-timeout SECS waits longer)",
                in_workspace(&left.workspace)
            )),
            !left.not_imported.is_empty(),
        ),
        // The cause decides the exit code; what to do next is said here.
        ImportError::MayHaveStarted { left, source, .. } => {
            let mut failure = classify_chain(source.chain());
            failure.hints = vec![format!(
                "look in the target workspace before importing again: `dataarts-jobs list{}` \
                 shows whether the jobs arrived, and DataArts Studio lists its import tasks",
                in_workspace(&left.workspace)
            )];
            rerun(failure, true)
        }
        ImportError::WaitFailed {
            task_id,
            left,
            source,
            ..
        } => {
            let mut failure = classify_chain(source.chain());
            let ws = in_workspace(&left.workspace);
            let mut hints = vec![format!(
                "`dataarts-jobs task {task_id} --wait{ws}` follows the task on; \
                 `dataarts-jobs list{ws}` shows which jobs are in the target"
            )];
            hints.append(&mut failure.hints);
            failure.hints = hints;
            rerun(failure, !left.not_imported.is_empty())
        }
        ImportError::TaskEnded { status, .. } if status == "WARNING" => Failure::new(code::IMPORT).hint(
            "a WARNING task imported some jobs and failed others: the subtasks above say which and why",
        ),
        ImportError::TaskEnded { .. } => Failure::new(code::IMPORT)
            .hint("the subtasks above say why; fix the cause and run the import again"),
        ImportError::Incomplete { .. } => Failure::new(code::IMPORT).hint(
            "the import is safe to re-run once the cause is fixed: jobs that were imported are skipped (or overwritten again with --same-name overwrite)",
        ),
        ImportError::NotReplaceable { kind } => not_replaceable(kind),
        ImportError::ParamsForAbsentJobs { absent, jobs } => params_for_absent_jobs(absent, jobs),
        ImportError::SameWorkspace { .. } => Failure::new(code::USAGE)
            .hint("name another target with --to-workspace ID or --to-workspace-name NAME"),
        ImportError::NoJobs { .. } => Failure::new(code::USAGE).hint(
            "give an export zip, a folder holding jobs/<job>/<job>.job (a backup of every \
             workspace holds one per workspace: DIR/workspaces/<id>/), or obs://BUCKET/KEY",
        ),
        ImportError::Unreadable { .. }
        | ImportError::NoDefinition { .. }
        | ImportError::BadBucket { .. }
        | ImportError::BadTaskId(_) => Failure::new(code::USAGE),
    }
}

/// A `--map` of a type the import cannot replace: the type meant, or drop it.
fn not_replaceable(kind: &str) -> Failure {
    let failure = Failure::new(code::USAGE);
    match crate::suggest::closest(kind, crate::api::import::REPLACEABLE_TYPES) {
        Some(type_) => failure.hint(format!("did you mean --map {type_}:OLD=NEW?")),
        None => failure.hint(
            "use one of the types above, or drop that --map: other resources the jobs reference must exist in the target",
        ),
    }
}

/// `--job-param` for a job the import does not carry: the job meant, if close.
fn params_for_absent_jobs(absent: &[String], jobs: &[String]) -> Failure {
    let failure = Failure::new(code::USAGE);
    let guess = absent
        .first()
        .and_then(|job| crate::suggest::closest(job, jobs.iter().map(String::as_str)));
    match guess {
        Some(job) => failure.hint(format!(
            "did you mean --job-param {}:KEY=VALUE? nothing was imported",
            escape_controls(job)
        )),
        None => failure.hint(
            "--job-param JOB:KEY=VALUE sets parameters of a job the import carries; nothing was imported",
        ),
    }
}

/// ` --workspace ID` for a target workspace, else nothing.
fn in_workspace(workspace: &Option<String>) -> String {
    workspace
        .as_deref()
        .map(|id| format!(" --workspace {id}"))
        .unwrap_or_default()
}

/// With the hint that a re-run is safe, when jobs were left unimported.
fn rerun(failure: Failure, left: bool) -> Failure {
    match left {
        true => failure.hint(
            "once no import task runs, re-running the import is safe: jobs already in the \
             target are skipped (or overwritten again with --same-name overwrite), the others imported",
        ),
        false => failure,
    }
}

fn obs(error: &ObsError) -> Failure {
    let mut failure = match error {
        ObsError::Status(status_error) => {
            let code_text = status_error.code.as_deref().unwrap_or("");
            match (status_error.status, code_text) {
                (401 | 403, "RequestTimeTooSkewed") => Failure::new(code::AUTH).hint(
                    "this machine's clock differs from OBS's by more than 15 minutes; sync it (timedatectl, NTP)",
                ),
                (401 | 403, "SignatureDoesNotMatch" | "InvalidAccessKeyId") => Failure::new(code::AUTH).hint(
                    "OBS refused the signature: check the AK/SK (and the security token of temporary keys); -vv shows the headers that were signed and sent",
                ),
                (401 | 403, "VirtualHostDomainRequired") => Failure::new(code::AUTH)
                    .hint("OBS wants the bucket in the host name: pass --obs-endpoint with a domain name, not an IP"),
                (401 | 403, "InvalidSecurityToken" | "ExpiredToken" | "TokenRefreshRequired") => Failure::new(code::AUTH).hint(format!(
                    "OBS refused the security token: temporary keys expire; get new ones and set {} with them",
                    crate::env::SDK_SECURITY_TOKEN
                )),
                (401 | 403, _) => Failure::new(code::AUTH).hint(
                    "the keys are valid but not allowed here: the uploading user needs PutObject and DeleteObject on the staging bucket (--obs-bucket)",
                ),
                (300..=399, _) => Failure::new(code::API).hint(
                    "OBS redirected the request: the bucket is probably in another region; pass --obs-endpoint for the bucket's region",
                ),
                (_, "NoSuchBucket") => Failure::new(code::API)
                    .hint("create the bucket in the target's region, or check --obs-bucket and --obs-endpoint"),
                (_, "BadDigest" | "InvalidDigest") => Failure::new(code::API).hint(
                    "OBS received other bytes than were sent (a proxy rewriting the body?): retry, or check HTTPS_PROXY/NO_PROXY",
                ),
                (status, _) if Class::of(status) == Class::Refused || status == 404 => Failure::new(code::API),
                _ => Failure::new(code::NETWORK).hint("OBS failed; retry later (--retries sets how often)"),
            }
        }
        ObsError::Transport(transport) => {
            return self::transport(transport, "the OBS endpoint (--obs-endpoint, or --region)")
        }
        ObsError::EndpointPath { .. } => Failure::new(code::USAGE).hint(
            "drop the path: the bucket goes into the host name (or, for an IP address, the path) by itself",
        ),
        ObsError::ETagMismatch { .. } => Failure::new(code::NETWORK)
            .hint("the object OBS stored is not what was sent: retry; a proxy may be rewriting bodies"),
        ObsError::TokenCredentials => Failure::new(code::USAGE).hint(format!(
            "OBS needs AK/SK: set {} and {} (an IAM token can import only an obs://BUCKET/KEY object that is already in OBS)",
            crate::env::SDK_AK,
            crate::env::SDK_SK
        )),
    };
    failure.error_code = error.code().map(str::to_string);
    failure.request_id = error.request_id().map(str::to_string);
    failure
}

fn backup(error: &BackupError) -> Failure {
    match error {
        BackupError::Lineage { .. } => Failure::new(code::FAILURE).hint(
            "check --endpoint, --project-id, --workspace and --match; to back up into it anyway \
             (what the manifest records and the workspace lacks is then pruned), pass --force",
        ),
        BackupError::EmptyListing { .. } => Failure::new(code::FAILURE).hint(
            "check the credentials' DataArts Studio permissions and --workspace; \
             if the workspace really is empty now, pass --force",
        ),
        BackupError::NotOurs { .. } => Failure::new(code::FAILURE).hint(
            "move it out of the way, or pass --force to take it over (it is replaced by the export)",
        ),
        BackupError::UnreadableManifest { .. } => Failure::new(code::FAILURE).hint(
            "restore it (e.g. `git checkout -- dataarts-backup.json`), or pass --force to write a new one",
        ),
        BackupError::Busy { .. } => {
            Failure::new(code::FAILURE).hint("wait for the other run to finish, then try again")
        }
        BackupError::UnwritableNames { .. } => Failure::new(code::API)
            .hint("pass --keep-going to back up the rest and list these as failed"),
        BackupError::Symlink { .. } | BackupError::NotADirectory { .. } => {
            Failure::new(code::FAILURE)
        }
    }
}

fn usage(error: &UsageError) -> Failure {
    let failure = Failure::new(code::USAGE);
    match error {
        UsageError::StdoutIsTerminal => failure.hint("redirect it or use -o FILE"),
        UsageError::ExtractTakesNoValue { name, .. } => failure.hint(format!(
            "to extract into {name}/, pass -C {name}; to export a job named {name}, check the name with `dataarts-jobs list`"
        )),
        UsageError::NothingToExport {
            jobs_from: None,
            matches: true,
        } => failure.hint("--match filters: add --all to take every job that matches"),
        UsageError::NothingToExport { .. }
        | UsageError::AllWithNames
        | UsageError::NoneListedMatch { .. }
        | UsageError::NoneGivenMatch
        | UsageError::JsonAndStdout
        | UsageError::NoArchiveWithoutExtract
        | UsageError::NotAFile { .. }
        | UsageError::Unreadable { .. } => failure,
    }
}

fn api(error: &ApiError) -> Failure {
    let mut failure = match error {
        ApiError::Status { .. } => {
            let class = error.class().unwrap_or(Class::Unexpected);
            let code = match class {
                Class::Auth => code::AUTH,
                Class::NotFound | Class::Refused => code::API,
                _ => code::NETWORK,
            };
            let failure = Failure::new(code);
            match status_hint(error, class) {
                Some(hint) => failure.hint(hint),
                None => failure,
            }
        }
        ApiError::Transport(transport) => return self::transport(transport, DLF_ENDPOINT),
        ApiError::ProjectNotFound { .. } => Failure::new(code::USAGE).hint(format!(
            "pass --project-id ID (or set {}), or check --region",
            crate::env::SDK_PROJECT_ID
        )),
        ApiError::SeveralProjects { .. } => {
            Failure::new(code::USAGE).hint("pass --project-id ID to choose one")
        }
        ApiError::NoSuchWorkspace { suggestion, .. } => match suggestion {
            Some(close) => Failure::new(code::USAGE).hint(format!("did you mean `{close}`?")),
            None => Failure::new(code::USAGE).hint("`dataarts-jobs workspaces` lists them"),
        },
        ApiError::AmbiguousWorkspace { .. } => Failure::new(code::USAGE).hint(
            "choose one by its id: --workspace ID (migrate: --from-workspace or --to-workspace)",
        ),
        ApiError::IncompleteListing { .. } | ApiError::EndlessListing { .. } => {
            Failure::new(code::NETWORK)
                .hint("retry later: a listing that misses jobs is refused, so no backup is partial")
        }
        ApiError::MissingFromArchive { .. } => Failure::new(code::NETWORK).hint(
            "the job may have been deleted or renamed since it was listed: check with `dataarts-jobs list`, or pass --keep-going to export the rest",
        ),
        ApiError::BadProjectId { .. } => Failure::new(code::USAGE)
            .hint("pass --project-id ID (the project's id from the console's My Credentials page)"),
        ApiError::TooLarge { .. } => Failure::new(code::NETWORK)
            .hint("a broken or hostile server, or a proxy answering instead: check the endpoint and HTTPS_PROXY/NO_PROXY"),
        ApiError::BadResponse { .. } => Failure::new(code::NETWORK)
            .hint("the server's answer does not have the documented shape: check the endpoint (--endpoint or --region); -v shows each request"),
        ApiError::Truncated { .. } | ApiError::TooSlow { .. } => Failure::new(code::NETWORK)
            .hint("the connection is slow or broke off; retry later (--retries, --timeout)"),
    };
    failure.error_code = error.error_code().map(str::to_string);
    failure.request_id = error.request_id().map(str::to_string);
    failure
}

/// Whether a refused signature looks like clock skew rather than wrong keys.
fn mentions_clock(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    ["signature expired", "more than 15 minutes", "time skew"]
        .iter()
        .any(|needle| lower.contains(needle))
}

fn status_hint(error: &ApiError, class: Class) -> Option<String> {
    let code = error.error_code().unwrap_or("");
    let status = error.status().unwrap_or(0);
    Some(match class {
        Class::Auth if status == 401 && error.error_msg().is_some_and(mentions_clock) => {
            "the gateway says the signature's time is off: this machine's clock differs from the \
             server's by more than 15 minutes; sync it (timedatectl, NTP) — `dataarts-jobs doctor` \
             shows the offset"
                .to_string()
        }
        Class::Auth if status == 401 => {
            "the gateway refused the credentials: check the AK/SK (or token) \
             and that this machine's clock is right (signatures expire after 15 minutes); \
             -vv shows the headers that were signed and sent"
                .to_string()
        }
        Class::Auth => "the credentials are valid but not allowed here: check the project id, the \
             workspace (--workspace) and the IAM user's DataArts Studio permissions"
            .to_string(),
        Class::NotFound => {
            "no such API at this endpoint: check --endpoint or --region (APIGW.0101 means \
             the host or path is wrong)"
                .to_string()
        }
        Class::Refused if code == "DLF.0100" => {
            "a job does not exist in this workspace: check the names with \
             `dataarts-jobs list`, or pass --keep-going to export the rest"
                .to_string()
        }
        Class::Refused if code == "DLF.0810" || code == "DLF.20810" => {
            "no such system task in this project and workspace: pass the --workspace the import \
             ran in (tasks may also expire)"
                .to_string()
        }
        Class::Refused if code == "DLF.0815" => {
            "DataArts could not read the archive in OBS: stage it in a bucket of the target's \
             region that DataArts Studio may read, as a zip of at most 10 MiB"
                .to_string()
        }
        Class::Refused if code == "DLF.3051" => {
            "the request was refused as invalid: check the job names and the workspace id"
                .to_string()
        }
        Class::Throttled => {
            "the API is throttling requests: lower --parallel, or retry later".to_string()
        }
        Class::Unavailable | Class::ServerError => {
            "the service failed; retry later (--retries sets how often)".to_string()
        }
        _ => return None,
    })
}

/// The endpoint settings a transport failure's hint names, for DataArts.
const DLF_ENDPOINT: &str = "the endpoint (--endpoint or --region)";

fn transport(error: &TransportError, endpoint: &str) -> Failure {
    let failure = Failure::new(code::NETWORK);
    if error.detail.contains("CaUsedAsEndEntity") {
        return failure.hint(
            "the server presents a CA certificate as its own; reissue the server certificate \
             with basicConstraints CA:FALSE, signed by the CA you pass with --ca-cert",
        );
    }
    if error.kind == FailureKind::Tls && error.detail.to_ascii_lowercase().contains("certificate") {
        return failure.hint(
            "the server's TLS certificate is not trusted: pass --ca-cert PEM with the CA \
             that issued it, or check that the endpoint is right",
        );
    }
    failure.hint(format!(
        "check {endpoint}, the network and HTTPS_PROXY/NO_PROXY"
    ))
}

/// Prints `error: ...`, `caused by: ...` lines and the hints on stderr (and,
/// with `--json`, the error object on stdout), then returns the exit code.
pub fn report(printer: &Printer, error: &anyhow::Error) -> u8 {
    let failure = classify(error);
    if failure.code == code::INTERRUPTED {
        printer.clear_progress();
    }
    let lines = message_lines(error);
    if let Some((first, causes)) = lines.split_first() {
        printer.labelled(Label::Error, first);
        for cause in causes {
            printer.labelled(Label::CausedBy, cause);
        }
    }
    for hint in &failure.hints {
        printer.labelled(Label::Hint, hint);
    }
    if printer.json() {
        let mut message = lines.join(": ");
        for note in printer.left_behind_notes() {
            message.push_str("; ");
            message.push_str(&note);
        }
        let object = serde_json::json!({
            "exit_code": failure.code,
            "message": message,
            "error_code": failure.error_code,
            "request_id": failure.request_id,
        });
        // Nothing more can be done if stdout fails too.
        let _ = printer.finish_json(Some(object));
    }
    failure.code
}

/// The error's message, then each cause that adds something (transport
/// errors and retries already fold their sources into one message).
fn message_lines(error: &anyhow::Error) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if lines
            .last()
            .is_some_and(|previous| previous.contains(&message))
        {
            continue;
        }
        lines.push(message);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    fn status(status: u16) -> ApiError {
        ApiError::with_status(status)
    }

    fn code_for(error: anyhow::Error) -> u8 {
        classify(&error).code
    }

    #[test]
    fn classification_follows_the_table() {
        let cases: Vec<(anyhow::Error, u8)> = vec![
            (ConfigError::NoEndpoint.into(), 2),
            (status(401).into(), 3),
            (status(403).into(), 3),
            (status(400).into(), 4),
            (status(404).into(), 4),
            (status(429).into(), 5),
            (status(503).into(), 5),
            (
                ApiError::Truncated {
                    url: "u".into(),
                    detail: "d".into(),
                }
                .into(),
                5,
            ),
            (Interrupted.into(), 130),
            (TargetError::Exists { paths: vec![] }.into(), 1),
            (anyhow::anyhow!("disk full"), 1),
            (
                PartialFailure::Export {
                    failed: 1,
                    requested: 2,
                }
                .into(),
                4,
            ),
            (
                PartialFailure::Backup {
                    failed: 1,
                    requested: 2,
                    written: true,
                }
                .into(),
                4,
            ),
            (
                PartialFailure::Drift {
                    dir: "b".into(),
                    differences: "1 job changed".into(),
                    every_workspace: false,
                }
                .into(),
                7,
            ),
            (
                BackupError::Lineage {
                    manifest: "m".into(),
                    recorded: "a".into(),
                    current: "b".into(),
                }
                .into(),
                1,
            ),
            (BackupError::UnwritableNames { names: vec![] }.into(), 4),
            (
                anyhow::Error::new(ArchiveError::NameTooLong {
                    name: "jobs/a".into(),
                    len: 70_000,
                })
                .context("merging batch archives"),
                6,
            ),
        ];
        for (error, expected) in cases {
            let shown = format!("{error:#}");
            assert_eq!(code_for(error), expected, "{shown}");
        }
    }

    #[test]
    fn context_does_not_hide_the_type_and_hints_follow_the_cause() {
        let error = Err::<(), _>(status(401))
            .context("exporting batch 1")
            .expect_err("error");
        let failure = classify(&error);
        assert_eq!(failure.code, 3);
        assert!(failure.hints.iter().any(|hint| hint.contains("clock")));
    }

    #[test]
    fn a_clock_message_gets_the_clock_hint() {
        let error = ApiError::Status {
            method: "GET".into(),
            url: "u".into(),
            status: 401,
            error_code: Some("APIGW.0301".into()),
            error_msg: Some("verify aksk signature fail, signature expired: X-Sdk-Date is more than 15 minutes from the server time".into()),
            request_id: Some("r".into()),
            retry_after: None,
        };
        let failure = classify(&error.into());
        assert_eq!(failure.hints.len(), 1);
        assert!(failure.hints[0].contains("sync it"), "{:?}", failure.hints);
        assert_eq!(failure.error_code.as_deref(), Some("APIGW.0301"));
        assert_eq!(failure.request_id.as_deref(), Some("r"));
    }

    #[test]
    fn missing_resources_get_a_map_line_only_when_the_import_can_replace_them() {
        let resource = |kind: &str, name: &str| crate::api::import::ResourceStatus {
            name: name.into(),
            kind: kind.into(),
            status: Some(0),
        };
        let failure = classify(
            &ImportError::MissingResources {
                resources: vec![
                    resource("DWS_CONNECTION", "dws"),
                    resource("DLI_QUEUE", "q1"),
                ],
            }
            .into(),
        );
        assert_eq!(failure.code, 2);
        assert_eq!(failure.hints[0], "--map DWS_CONNECTION:dws=<replacement>");
        assert_eq!(
            failure.hints[1],
            "create DLI_QUEUE q1 in the target: the import cannot replace a DLI_QUEUE"
        );
    }

    #[test]
    fn an_import_of_unknown_fate_takes_its_code_from_the_cause() {
        let uncertain = |status: u16| ImportError::MayHaveStarted {
            object: "obs://b/k".into(),
            ours: true,
            left: Box::new(crate::import::Unfinished {
                workspace: Some("B".into()),
                not_imported: Vec::new(),
            }),
            source: anyhow::Error::new(status_error(status)),
        };
        let failure = classify(&uncertain(502).into());
        assert_eq!(failure.code, 5);
        assert_eq!(failure.request_id.as_deref(), Some("r"));
        assert!(
            failure.hints[0].contains("`dataarts-jobs list --workspace B`"),
            "{:?}",
            failure.hints
        );
        assert!(failure
            .hints
            .iter()
            .all(|hint| !hint.contains("retry later")));
        let poll = ImportError::WaitFailed {
            task_id: "t1".into(),
            object: "obs://b/k".into(),
            ours: true,
            left: Box::new(crate::import::Unfinished {
                workspace: None,
                not_imported: vec!["c".into()],
            }),
            source: anyhow::Error::new(status_error(401)),
        };
        let failure = classify(&anyhow::Error::new(poll).context("importing"));
        assert_eq!(failure.code, 3);
        assert!(failure.hints[0].starts_with("`dataarts-jobs task t1 --wait` follows"));
        assert!(failure.hints.iter().any(|hint| hint.contains("AK/SK")));
        assert!(failure
            .hints
            .iter()
            .any(|hint| hint.contains("re-running the import is safe")));
    }

    fn status_error(status: u16) -> ApiError {
        ApiError::Status {
            method: "POST".into(),
            url: "u".into(),
            status,
            error_code: None,
            error_msg: None,
            request_id: Some("r".into()),
            retry_after: None,
        }
    }

    #[test]
    fn unknown_regions_get_a_suggestion() {
        let failure = classify(
            &ConfigError::UnknownRegion {
                region: "cn-nrth-4".into(),
                suggestion: Some("cn-north-4"),
                override_var: "HUAWEICLOUD_SDK_REGION_DGC_CN_NRTH_4".into(),
            }
            .into(),
        );
        assert_eq!(failure.code, 2);
        assert_eq!(failure.hints[0], "did you mean `cn-north-4`?");
    }
}
