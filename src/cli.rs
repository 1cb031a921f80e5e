//! The command line, as clap derive types: nothing else. No I/O, no
//! environment reads (the resolver in `config` reads the environment, so that
//! an empty variable counts as unset and usage lines show only what was
//! typed), and no imports from the rest of the crate: value enums are this
//! module's own and are mapped onto the library's types in `commands/`.
//!
//! House rules: every default is stated here, once (`default_value_t`), and
//! every consumer (the demo, the tests) builds its arguments by parsing, so
//! the defaults cannot drift apart.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    any other error (the target exists without --force, disk full, permission denied)
  2    usage or configuration error (bad flags or job names, no credentials, no project id)
  3    authentication or authorisation refused (HTTP 401/403)
  4    the API rejected the request (other 4xx: error_code, error_msg, status, request id shown)
  5    network or server failure after retries (connect, TLS, timeout, 5xx, 429, bad body)
  6    unsafe or corrupt archive, or batches that disagree; nothing was extracted or written
  7    backup --check: the directory is not an exact mirror of the workspace
  8    import, migrate, task: the import finished, but not every job was imported
  130  interrupted (Ctrl-C or SIGTERM); temporary files removed, earlier files untouched";

const CREDENTIALS_HELP: &str = "\
Credentials, first found wins:
  1. HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (+ HUAWEICLOUD_SDK_SECURITY_TOKEN)
  2. the SDK credentials file (--credentials-file, default ~/.huaweicloud/credentials), section --profile
  3. an IAM token: DATAARTS_AUTH_TOKEN or --auth-token-file, sent as X-Auth-Token
  4. the current profile of KooCLI's ~/.hcloud/config.json (plaintext profiles only)
Keys are never accepted as flags, and never printed. `dataarts-jobs doctor` shows
every setting in effect and where it came from.";

/// Export Huawei Cloud DataArts Studio (DataArts Factory) jobs, unpack them
/// safely into a jobs/<job>/ tree, back a workspace up into git, and move jobs
/// between workspaces.
#[derive(Debug, Parser)]
#[command(name = "dataarts-jobs", version = VERSION, about, max_term_width = 100)]
#[command(propagate_version = true)]
#[command(after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// `--version`: the package version, and the commit it was built from when
/// built from a git checkout (set by `build.rs`).
const VERSION: &str = match option_env!("DATAARTS_JOBS_BUILD_COMMIT") {
    Some(commit) => commit,
    None => env!("CARGO_PKG_VERSION"),
};

/// Output options, accepted before or after the subcommand.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct OutputArgs {
    /// Print errors only
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// One line per request on stderr; -vv adds headers (secrets redacted)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Export jobs into a zip archive, and optionally extract them
    #[command(after_long_help = export_help())]
    Export(ExportArgs),

    /// Keep a directory an exact, git-friendly mirror of a workspace
    #[command(after_long_help = backup_help())]
    Backup(BackupArgs),

    /// Upload an archive or a jobs/ tree to OBS, import it into a workspace, wait, verify
    #[command(after_long_help = import_help())]
    Import(ImportArgs),

    /// Export jobs from one workspace and import them into another, verified
    #[command(after_long_help = migrate_help())]
    Migrate(MigrateArgs),

    /// Show (or wait for) an import's system task
    #[command(after_long_help = task_help())]
    Task(TaskArgs),

    /// List the jobs of a workspace (a table on a terminal, names when piped)
    #[command(after_long_help = list_help())]
    List(ListArgs),

    /// List the project's DataArts Studio workspaces
    #[command(after_long_help = workspaces_help())]
    Workspaces(WorkspacesArgs),

    /// Show every setting in effect, where it came from, and check it live
    #[command(after_long_help = doctor_help())]
    Doctor(DoctorArgs),

    /// Safely extract a jobs.zip into DIR/jobs/<job>/...
    #[command(after_long_help = unpack_help())]
    Unpack(UnpackArgs),

    /// Run a local DataArts emulator: DLF, IAM, Management Center and OBS
    #[command(after_long_help = emulator_help())]
    Emulator(EmulatorArgs),

    /// Zero-setup quick start: export and extract sample jobs from an in-process emulator
    #[command(after_long_help = demo_help())]
    Demo(DemoArgs),

    /// Print a shell completion script
    #[command(after_long_help = completions_help())]
    Completions {
        /// The shell to generate for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

impl Command {
    /// Whether the command was asked for JSON on stdout (`--json`): a failure
    /// is then reported as a JSON object too.
    pub fn json(&self) -> bool {
        match self {
            Command::Export(args) => args.json,
            Command::Backup(args) => args.json,
            Command::Import(args) => args.import.json,
            Command::Migrate(args) => args.import.json,
            Command::Task(args) => args.json,
            Command::List(args) => args.json,
            Command::Workspaces(args) => args.json,
            Command::Doctor(args) => args.json,
            Command::Unpack(args) => args.json,
            Command::Emulator(_) | Command::Demo(_) | Command::Completions { .. } => false,
        }
    }
}

fn with_footer(examples: &str, credentials: bool) -> String {
    let mut text = format!("Examples:\n{examples}");
    if credentials {
        text.push_str("\n\n");
        text.push_str(CREDENTIALS_HELP);
    }
    text.push_str("\n\n");
    text.push_str(EXIT_CODES);
    text
}

fn export_help() -> String {
    with_footer(
        "  dataarts-jobs export job_batch job_stream
  dataarts-jobs export --all -C backup --no-archive --force
  dataarts-jobs list --match 'etl_*' | dataarts-jobs export --jobs-from - -o etl.zip
  dataarts-jobs export --all --match 'report_*' --keep-going --json

-x/--extract takes no value: `export --extract a b` exports the jobs a and b
into ./jobs/; -C DIR extracts into DIR (and implies --extract).",
        true,
    )
}

fn backup_help() -> String {
    with_footer(
        "  dataarts-jobs backup backup/
  dataarts-jobs backup backup/ --check            # exit 7 when the workspace drifted
  dataarts-jobs backup backup/ --all-workspaces --json > backup-summary.json

DIR/jobs/<job>/ holds every job exactly as a fresh export, DIR/scripts/<name>.json
every script, DIR/dataarts-backup.json the manifest. A job deleted upstream is
pruned; nothing the manifest does not record is ever touched. Everything is
staged inside DIR first and renamed into place at the end, the manifest last:
a failure or Ctrl-C before that leaves DIR as it was. With --all-workspaces,
each workspace goes into DIR/workspaces/<id>/.",
        true,
    )
}

fn import_help() -> String {
    with_footer(
        "  dataarts-jobs import jobs.zip --obs-bucket staging --workspace TARGET_WS
  dataarts-jobs import backup/ --obs-bucket staging --same-name overwrite
  dataarts-jobs import obs://staging/exports/jobs.zip --map DWS_CONNECTION:dws_old=dws_new
  dataarts-jobs import jobs.zip --obs-bucket staging --dry-run

Steps: upload to OBS, pre-flight (check-file), import, wait for the system
task, verify by reading the target's jobs back, delete what was staged.",
        true,
    )
}

fn migrate_help() -> String {
    with_footer(
        "  dataarts-jobs migrate --all --from-workspace A_ID --to-workspace B_ID --obs-bucket staging
  dataarts-jobs migrate --match 'etl_*' --to-workspace-name prod --obs-bucket staging --dry-run",
        true,
    )
}

fn task_help() -> String {
    with_footer(
        "  dataarts-jobs task 008aae2e675933c7016759418e870000
  dataarts-jobs task 008aae2e675933c7016759418e870000 --wait --wait-timeout 1200",
        true,
    )
}

fn list_help() -> String {
    with_footer(
        "  dataarts-jobs list
  dataarts-jobs list --type real-time --match 'stream_*' --long
  dataarts-jobs list --json > jobs.json",
        true,
    )
}

fn workspaces_help() -> String {
    with_footer(
        "  dataarts-jobs workspaces
  dataarts-jobs workspaces --json",
        true,
    )
}

fn doctor_help() -> String {
    with_footer(
        "  dataarts-jobs doctor
  dataarts-jobs doctor --region cn-north-4 --json",
        true,
    )
}

fn unpack_help() -> String {
    with_footer(
        "  dataarts-jobs unpack jobs.zip
  dataarts-jobs unpack jobs.zip -C backup --force

Only jobs/, scripts/ and resources/ may be top-level folders. Entries that are
absolute, hold '..', a drive prefix, a backslash, a control character, a .git
component, a symlink, or that would exceed --max-size refuse the whole archive
(exit 6) before anything is written.",
        false,
    )
}

fn demo_help() -> String {
    with_footer(
        "  dataarts-jobs demo
  dataarts-jobs demo -C /tmp/demo --force

The demo starts the emulator on a free loopback port, signs and sends a real
batch export of job_batch and job_stream, writes DIR/jobs.zip atomically,
extracts DIR/jobs/<job>/ and prints the tree. No credentials, no network.",
        false,
    )
}

fn completions_help() -> String {
    "Examples:
  dataarts-jobs completions bash > ~/.local/share/bash-completion/completions/dataarts-jobs
  dataarts-jobs completions zsh > \"${fpath[1]}/_dataarts-jobs\"
  dataarts-jobs completions fish > ~/.config/fish/completions/dataarts-jobs.fish

The same scripts are committed in the completions/ folder."
        .to_string()
}

fn emulator_help() -> String {
    "Examples:
  dataarts-jobs emulator > emulator.env          # then: . ./emulator.env
  dataarts-jobs emulator --data ./backup --listen 127.0.0.1:9000 --request-log requests.jsonl
  dataarts-jobs emulator --fail-first 2 --fail-status 503 --retry-after 1

The emulator prints `export` lines on stdout (endpoints, project id, keys) that
configure every command, and serves until Ctrl-C."
        .to_string()
}

/// How to reach the cloud: shared by every command that talks to it.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file's project_id, else looked up with IAM]
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,

    /// Region id, e.g. cn-north-4: gives every endpoint from the SDKs' region tables [env: HUAWEICLOUD_SDK_REGION_ID]
    #[arg(long, value_name = "ID")]
    pub region: Option<String>,

    /// DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]
    #[arg(long, value_name = "URL")]
    pub iam_endpoint: Option<String>,

    /// DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]
    #[arg(long, value_name = "URL")]
    pub studio_endpoint: Option<String>,

    /// OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]
    #[arg(long, value_name = "URL")]
    pub obs_endpoint: Option<String>,

    /// The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]
    #[arg(long, value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,

    /// Section of the credentials file (or KooCLI profile) to use [default: basic]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// File holding an IAM token, sent as X-Auth-Token instead of signing
    #[arg(long, value_name = "PATH")]
    pub auth_token_file: Option<PathBuf>,

    /// Connect timeout and read-inactivity timeout, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,

    /// Retries of transient failures (connect, timeout, 429, 5xx, cut body)
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: u32,

    /// Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
}

/// Which workspace a command works in.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Connection")]
pub struct WorkspaceArgs {
    /// Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]
    #[arg(long, value_name = "ID", conflicts_with = "workspace_name")]
    pub workspace: Option<String>,

    /// The workspace by its name, looked up with the Management Center
    #[arg(long, value_name = "NAME")]
    pub workspace_name: Option<String>,
}

/// Which jobs: names, a file of names, or all; filtered by globs.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectionArgs {
    /// Job names
    #[arg(value_name = "JOB")]
    pub jobs: Vec<String>,

    /// More job names, one a line ('-' = stdin; blank lines and lines starting with # skipped)
    #[arg(long, value_name = "FILE")]
    pub jobs_from: Option<PathBuf>,

    /// Every job in the workspace (batch and real-time)
    #[arg(long)]
    pub all: bool,

    /// Keep only names matching GLOB (repeatable; patterns combine with OR)
    #[arg(long = "match", value_name = "GLOB")]
    pub matches: Vec<String>,
}

#[derive(Debug, Args, Clone)]
pub struct ExportArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,

    /// Do not export the scripts and resources the jobs depend on
    #[arg(long)]
    pub no_depend: bool,

    /// Export the submitted version instead of the latest saved one
    #[arg(long)]
    pub submitted: bool,

    /// Isolate names a batch is refused for, export the rest, list what failed (exit 4)
    #[arg(long)]
    pub keep_going: bool,

    /// Archive path; '-' writes the zip to stdout
    #[arg(short, long, value_name = "FILE", default_value = "jobs.zip")]
    pub output: PathBuf,

    /// Also extract the archive, giving DIR/jobs/<job>/... (DIR is . unless -C)
    #[arg(short = 'x', long)]
    pub extract: bool,

    /// Extract into DIR (implies --extract)
    #[arg(short = 'C', long = "directory", value_name = "DIR")]
    pub directory: Option<PathBuf>,

    /// With --extract: keep no zip archive
    #[arg(long, conflicts_with = "output")]
    pub no_archive: bool,

    #[command(flatten)]
    pub batching: BatchArgs,

    /// Overwrite an existing archive; replace existing jobs/<job>/ directories
    #[arg(long)]
    pub force: bool,

    /// Print each request it would send (secrets redacted) and the files it would write; export nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print a JSON summary on stdout instead of the text summary
    #[arg(long)]
    pub json: bool,

    /// Refuse archives larger than SIZE, downloaded or inflated (e.g. 500M, 4GiB)
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    pub max_size: u64,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// How names are split into requests.
#[derive(Debug, Args, Clone, Copy)]
pub struct BatchArgs {
    /// Names per export request (the API takes at most 100)
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub batch_size: u16,

    /// Concurrent requests (export batches, list pages)
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
}

#[derive(Debug, Args, Clone)]
pub struct BackupArgs {
    /// The backup directory (created if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Mirror every workspace of the project into DIR/workspaces/<id>/
    #[arg(long, conflicts_with_all = ["workspace", "workspace_name"])]
    pub all_workspaces: bool,

    /// Keep only jobs whose names match GLOB (repeatable; recorded in the manifest)
    #[arg(long = "match", value_name = "GLOB")]
    pub matches: Vec<String>,

    /// Compare only: exit 0 when DIR is an exact mirror, 7 when it is not; change nothing
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,

    /// Keep a job the API refuses as it was, back up the rest, list what failed (exit 4)
    #[arg(long)]
    pub keep_going: bool,

    #[command(flatten)]
    pub batching: BatchArgs,

    /// Go ahead although DIR's manifest names another source, the listing is empty, or an unrecorded directory stands where a job goes
    #[arg(long)]
    pub force: bool,

    /// Show what would be added, changed and removed; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print a JSON summary on stdout instead of the text summary
    #[arg(long)]
    pub json: bool,

    /// Refuse archives larger than SIZE, downloaded or inflated (e.g. 500M, 4GiB)
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    pub max_size: u64,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// What an import does with what it uploads, and how it waits.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Import")]
pub struct ImportOptions {
    /// The OBS bucket archives are staged in (it must be readable by DataArts Studio)
    #[arg(long, value_name = "BUCKET")]
    pub obs_bucket: Option<String>,

    /// Key prefix of the staged archives (a folder: `/` is added if missing)
    #[arg(long, value_name = "PREFIX", default_value = "dataarts-jobs/", value_parser = parse_obs_prefix)]
    pub obs_prefix: String,

    /// What to do with jobs (and scripts) of the same name in the target
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = SameName::Skip)]
    pub same_name: SameName,

    /// A public job parameter for the imported jobs (repeatable)
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub params: Vec<(String, String)>,

    /// A parameter of one job (repeatable)
    #[arg(long = "job-param", value_name = "JOB:KEY=VALUE", value_parser = parse_job_param)]
    pub job_params: Vec<(String, String, String)>,

    /// Replace a resource (connection, cluster) the jobs reference (repeatable)
    #[arg(long = "map", value_name = "TYPE:OLD=NEW", value_parser = parse_mapping)]
    pub maps: Vec<(String, String, String)>,

    /// Import even when the pre-flight finds resources missing in the target
    #[arg(long)]
    pub allow_missing: bool,

    /// The status imported jobs get when approval is on
    #[arg(long, value_enum, value_name = "STATUS")]
    pub target_status: Option<TargetStatus>,

    /// An approver, when approval is on (repeatable)
    #[arg(long = "approver", value_name = "NAME")]
    pub approvers: Vec<String>,

    /// The user the imported jobs run as
    #[arg(long, value_name = "USER")]
    pub execute_user: Option<String>,

    /// Stop once the import has started (the task id is printed; `task ID --wait` resumes)
    #[arg(long)]
    pub no_wait: bool,

    /// How long to wait for the system task, in seconds (--timeout stays per request)
    #[arg(long, value_name = "SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub wait_timeout: u64,

    /// Keep the staged archives in OBS
    #[arg(long)]
    pub keep_staging: bool,

    /// Print the plan (archives, keys, the import body); upload and import nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print a JSON summary on stdout instead of the text summary
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone)]
pub struct ImportArgs {
    /// A zip archive, a directory holding jobs/<job>/..., or obs://BUCKET/KEY
    #[arg(value_name = "SOURCE")]
    pub source: String,

    #[command(flatten)]
    pub import: ImportOptions,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args, Clone)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,

    /// The source workspace id [default: the default workspace]
    #[arg(long, value_name = "ID", conflicts_with = "from_workspace_name")]
    pub from_workspace: Option<String>,

    /// The source workspace by its name
    #[arg(long, value_name = "NAME")]
    pub from_workspace_name: Option<String>,

    /// The target workspace id
    #[arg(long, value_name = "ID", conflicts_with = "to_workspace_name")]
    pub to_workspace: Option<String>,

    /// The target workspace by its name
    #[arg(long, value_name = "NAME")]
    pub to_workspace_name: Option<String>,

    /// The target project [default: the source's]
    #[arg(long, value_name = "ID")]
    pub to_project_id: Option<String>,

    /// The target region [default: the source's]
    #[arg(long, value_name = "ID")]
    pub to_region: Option<String>,

    /// The target DLF endpoint [default: the source's, or the target region's]
    #[arg(long, value_name = "URL")]
    pub to_endpoint: Option<String>,

    /// Isolate names an export batch is refused for, migrate the rest (exit 4)
    #[arg(long)]
    pub keep_going: bool,

    /// Names per export request (the API takes at most 100)
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub batch_size: u16,

    #[command(flatten)]
    pub import: ImportOptions,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args, Clone)]
pub struct TaskArgs {
    /// The system task id an import printed
    #[arg(value_name = "TASK_ID")]
    pub task_id: String,

    /// Poll until the task ends
    #[arg(long)]
    pub wait: bool,

    /// With --wait: how long to wait, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub wait_timeout: u64,

    /// Print the API's task object as JSON on stdout
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Which job types `list` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobTypeArg {
    Batch,
    RealTime,
    All,
}

#[derive(Debug, Args, Clone)]
pub struct ListArgs {
    /// Keep only names matching GLOB (repeatable; patterns combine with OR)
    #[arg(long = "match", value_name = "GLOB")]
    pub matches: Vec<String>,

    /// Job type to list
    #[arg(long = "type", value_enum, default_value_t = JobTypeArg::All)]
    pub job_type: JobTypeArg,

    /// A table even when piped: tab-separated, times in ISO-8601 UTC
    #[arg(long, conflicts_with = "json")]
    pub long: bool,

    /// Print {"format": 1, "jobs": [...]} with the API's job objects
    #[arg(long)]
    pub json: bool,

    /// Print the first request of each listing (secrets redacted); send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Concurrent page requests once the total is known
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args, Clone)]
pub struct WorkspacesArgs {
    /// A table even when piped: tab-separated
    #[arg(long, conflicts_with = "json")]
    pub long: bool,

    /// Print {"format": 1, "workspaces": [...]}
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args, Clone)]
pub struct DoctorArgs {
    /// Print the settings and the check as JSON on stdout
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub workspace: WorkspaceArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args, Clone)]
pub struct UnpackArgs {
    /// The archive to extract
    #[arg(value_name = "ZIP")]
    pub zip: PathBuf,

    /// Extract into DIR
    #[arg(
        short = 'C',
        long = "directory",
        value_name = "DIR",
        default_value = "."
    )]
    pub dir: PathBuf,

    /// Replace existing jobs/<job>/ directories and overwrite existing files
    #[arg(long)]
    pub force: bool,

    /// Refuse archives that inflate to more (e.g. 500M, 4GiB)
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    pub max_size: u64,

    /// Print a JSON summary on stdout instead of the text summary
    #[arg(long)]
    pub json: bool,
}

/// How the emulator's list jobs counts `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OffsetUnitArg {
    Records,
    Pages,
}

/// What the emulator's list jobs says about `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TotalFault {
    /// No `total` field at all
    Missing,
    /// Half the real number
    Low,
    /// 10^15
    Huge,
}

#[derive(Debug, Args, Clone)]
pub struct EmulatorArgs {
    /// Address to listen on (port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Address of the OBS listener (port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub obs_listen: SocketAddr,

    /// Serve DIR/jobs/<job>/... and DIR/scripts/<name>.json (workspace <id> in DIR/workspaces/<id>/) instead of the sample; a backup directory lists back what its manifest recorded
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Access key the emulator accepts [default: a fixed fake key]
    #[arg(long, value_name = "AK", requires = "sk")]
    pub ak: Option<String>,

    /// Secret key the emulator accepts [default: a fixed fake key]
    #[arg(long, value_name = "SK", requires = "ak", hide_default_value = true)]
    pub sk: Option<String>,

    /// Also accept this security token (temporary keys) and require it with the keys
    #[arg(long, value_name = "TOKEN")]
    pub security_token: Option<String>,

    /// The one project id served (others get 403) [default: a fixed fake id]
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,

    /// The region IAM's project lookup answers for
    #[arg(long, value_name = "ID", default_value = "cn-north-4")]
    pub region: String,

    /// Also accept this IAM token as X-Auth-Token
    #[arg(long, value_name = "TOKEN")]
    pub auth_token: Option<String>,

    /// Append one JSON line per request (secrets redacted) to FILE
    #[arg(long, value_name = "FILE")]
    pub request_log: Option<PathBuf>,

    /// How list jobs and list scripts count `offset`
    #[arg(long, value_enum, default_value_t = OffsetUnitArg::Pages)]
    pub offset_unit: OffsetUnitArg,

    /// Most records one page of list jobs or list scripts returns, whatever `limit` asks (a server that clamps)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub page_clamp: Option<u64>,

    /// Serve HTTPS with this PEM certificate (chain, leaf first); needs --tls-key. A self-signed one must not be marked as a CA (CA:FALSE): rustls clients refuse that
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// How many projects IAM's lookup finds for --region (0 or several rehearse a client's errors)
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub iam_projects: u8,

    /// Polls an import's system task stays RUNNING before its final status
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub task_polls: u32,

    /// Fail this job's subtask in imports: the task ends WARNING, or FAILED when no job succeeds (repeatable)
    #[arg(long = "fail-import", value_name = "JOB")]
    pub fail_import: Vec<String>,

    /// The connections each workspace has, for check-file: {"<workspace id or default>": [{"name", "type"}]}
    #[arg(long, value_name = "FILE")]
    pub connections: Option<PathBuf>,

    /// Fault: fail only the first N batch-export requests (with --fail-status)
    #[arg(long, value_name = "N", help_heading = "Faults")]
    pub fail_first: Option<u64>,

    /// Fault: the status for failed batch exports [default: 503]
    #[arg(long, value_name = "CODE", help_heading = "Faults", value_parser = clap::value_parser!(u16).range(400..=599))]
    pub fail_status: Option<u16>,

    /// Fault: send Retry-After: SECS with failures
    #[arg(long, value_name = "SECS", help_heading = "Faults")]
    pub retry_after: Option<u64>,

    /// Fault: delay the first byte of export bodies
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    pub first_byte_delay: Option<u64>,

    /// Fault: cut export bodies short after BYTES
    #[arg(long, value_name = "BYTES", help_heading = "Faults")]
    pub truncate_body: Option<u64>,

    /// Fault: reset the connection after BYTES of an export body
    #[arg(long, value_name = "BYTES", help_heading = "Faults")]
    pub reset_after: Option<u64>,

    /// Fault: export bodies never end (zip bytes, then filler, forever)
    #[arg(long, help_heading = "Faults")]
    pub endless_body: bool,

    /// Fault: list jobs and list scripts lie about `total`
    #[arg(long, value_enum, value_name = "HOW", help_heading = "Faults")]
    pub list_total: Option<TotalFault>,

    /// Fault: error messages (401 answers, failed import subtasks) echo the request's security token and signature, with a terminal escape sequence, as a careless service might
    #[arg(long, help_heading = "Faults")]
    pub echo_secrets: bool,

    /// Fault: the server's clock runs SECS ahead (negative: behind) of this machine's
    #[arg(
        long,
        value_name = "SECS",
        help_heading = "Faults",
        allow_hyphen_values = true
    )]
    pub clock_offset: Option<i64>,

    /// Fault: answer 429 APIG.0308 above RPS requests a second (no burst)
    #[arg(long, value_name = "RPS", help_heading = "Faults")]
    pub rate_limit: Option<f64>,

    /// Fault: add MS of latency to every request
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    pub latency: Option<u64>,
}

#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// Where to write jobs.zip and the extracted jobs/ tree
    #[arg(
        short = 'C',
        long = "directory",
        value_name = "DIR",
        default_value = "."
    )]
    pub dir: PathBuf,

    /// Replace an earlier demo's output
    #[arg(long)]
    pub force: bool,
}

/// `import --same-name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SameName {
    Skip,
    Overwrite,
}

/// `import --target-status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetStatus {
    Saved,
    Submitted,
    Production,
}

/// Parses a size: `123`, `500K`/`500M`/`4G`/`1T` (powers of 1000),
/// An OBS key prefix for staging: empty, or folders (`a/b/`; the final `/`
/// is added when missing) without empty, `.` or `..` segments, a leading
/// `/`, backslashes or control characters, so every key stays in the bucket.
pub fn parse_obs_prefix(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    if s.chars().any(|c| c.is_control() || c == '\\') {
        return Err("a prefix may not hold control characters or backslashes".into());
    }
    if s.starts_with('/') {
        return Err("a prefix starts with a folder name, not `/`".into());
    }
    let folders = s.strip_suffix('/').unwrap_or(s);
    if let Some(bad) = folders
        .split('/')
        .find(|segment| matches!(*segment, "" | "." | ".."))
    {
        return Err(format!(
            "a prefix may not hold an empty, `.` or `..` folder (found `{bad}`)"
        ));
    }
    if folders.len() > 512 {
        return Err("a prefix is at most 512 bytes".into());
    }
    Ok(format!("{folders}/"))
}

/// `4KiB`/`4MiB`/`4GiB`/`1TiB` (powers of 1024); suffixes are case-insensitive
/// and may end in `B` (`500MB`, `4kib`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    if digits.is_empty() {
        return Err(format!(
            "invalid size {s:?}: expected a number with an optional unit, e.g. 500M, 4G or 4GiB"
        ));
    }
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("invalid size {s:?}: number too large"))?;
    let mult: u64 = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "m" | "mb" => 1000_u64.pow(2),
        "g" | "gb" => 1000_u64.pow(3),
        "t" | "tb" => 1000_u64.pow(4),
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        "ti" | "tib" => 1 << 40,
        other => {
            return Err(format!(
                "invalid size {s:?}: unknown unit {other:?} (use K, M, G, T for powers of 1000 or KiB, MiB, GiB, TiB for powers of 1024)"
            ))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("invalid size {s:?}: too large"))
}

/// `KEY=VALUE` (the key non-empty; the value may hold `=`).
fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("{s:?}: expected KEY=VALUE")),
    }
}

/// `JOB:KEY=VALUE`.
fn parse_job_param(s: &str) -> Result<(String, String, String), String> {
    let shape = || format!("{s:?}: expected JOB:KEY=VALUE");
    let (job, rest) = s.split_once(':').ok_or_else(shape)?;
    let (key, value) = parse_key_value(rest).map_err(|_| shape())?;
    if job.is_empty() {
        return Err(shape());
    }
    Ok((job.to_string(), key, value))
}

/// `TYPE:OLD=NEW`, e.g. `DWS_CONNECTION:dws_old=dws_new`.
fn parse_mapping(s: &str) -> Result<(String, String, String), String> {
    let shape = || format!("{s:?}: expected TYPE:OLD=NEW, e.g. DWS_CONNECTION:dws_old=dws_new");
    let (kind, rest) = s.split_once(':').ok_or_else(shape)?;
    let (old, new) = rest.split_once('=').ok_or_else(shape)?;
    if kind.is_empty() || old.is_empty() || new.is_empty() {
        return Err(shape());
    }
    Ok((kind.to_string(), old.to_string(), new.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Cli {
        let mut argv = vec!["dataarts-jobs"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("parses")
    }

    fn export(args: &[&str]) -> ExportArgs {
        let mut argv = vec!["export"];
        argv.extend_from_slice(args);
        match parse(&argv).command {
            Command::Export(export) => export,
            other => panic!("not export: {other:?}"),
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        assert_eq!(parse(&["list", "-vv"]).output.verbose, 2);
        assert!(parse(&["-q", "unpack", "a.zip"]).output.quiet);
    }

    #[test]
    fn extract_is_a_flag_and_directory_takes_the_value() {
        let args = export(&["--extract", "a", "b"]);
        assert!(args.extract);
        assert_eq!(args.selection.jobs, ["a", "b"]);
        assert_eq!(args.directory, None);
        let args = export(&["-x", "a", "-C", "out"]);
        assert_eq!(args.directory, Some(PathBuf::from("out")));
        assert_eq!(args.selection.jobs, ["a"]);
    }

    #[test]
    fn limits_and_conflicts_are_enforced_by_the_parser() {
        let fails = |args: &[&str]| {
            let mut argv = vec!["dataarts-jobs"];
            argv.extend_from_slice(args);
            Cli::try_parse_from(argv).is_err()
        };
        assert!(fails(&["export", "--batch-size", "101", "a"]));
        assert!(fails(&["export", "--batch-size", "0", "a"]));
        assert!(fails(&["export", "a", "-x", "--no-archive", "-o", "f.zip"]));
        assert!(fails(&[
            "list",
            "--workspace",
            "w",
            "--workspace-name",
            "n"
        ]));
        assert!(fails(&["import", "x.zip", "--map", "nocolon"]));
        assert!(!fails(&["export", "a", "-x", "--no-archive"]));
    }

    #[test]
    fn import_values_parse_into_their_parts() {
        let cli = parse(&[
            "import",
            "x.zip",
            "--param",
            "k=v=w",
            "--job-param",
            "job_a:p=1",
            "--map",
            "DWS_CONNECTION:old=new",
        ]);
        let Command::Import(args) = cli.command else {
            panic!("not import")
        };
        assert_eq!(args.import.params, [("k".into(), "v=w".into())]);
        assert_eq!(
            args.import.job_params,
            [("job_a".into(), "p".into(), "1".into())]
        );
        assert_eq!(
            args.import.maps,
            [("DWS_CONNECTION".into(), "old".into(), "new".into())]
        );
        assert_eq!(args.import.same_name, SameName::Skip);
    }

    #[test]
    fn obs_prefixes_are_folders_inside_the_bucket() {
        assert_eq!(
            parse_obs_prefix("dataarts-jobs/"),
            Ok("dataarts-jobs/".into())
        );
        assert_eq!(parse_obs_prefix("a/b"), Ok("a/b/".into()));
        assert_eq!(parse_obs_prefix(""), Ok(String::new()));
        for bad in ["../", "a/./b/", "/lead/", "a//b/", "a\\b/", "a\nb/", ".."] {
            assert!(parse_obs_prefix(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parse_size_units() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("500K"), Ok(500_000));
        assert_eq!(parse_size("500M"), Ok(500_000_000));
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("4g"), Ok(4_000_000_000));
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("4mib"), Ok(4 << 20));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert!(parse_size("").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("4X").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("20000000000T").is_err());
    }
}
