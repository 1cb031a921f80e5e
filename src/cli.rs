//! The command line, as clap derive types. No I/O here, and no environment
//! reads beyond clap's `env =` (secrets are never taken from flags).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::archive;
use crate::env;

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    any other error (the target exists without --force, disk full, permission denied)
  2    usage or configuration error (bad flags or job names, no credentials, no project id)
  3    authentication or authorisation refused (HTTP 401/403)
  4    the API rejected the request (other 4xx: error_code, error_msg, status, request id shown)
  5    network or server failure after retries (connect, TLS, timeout, 5xx, 429, bad body)
  6    unsafe or corrupt archive, or batches that disagree; nothing was extracted or written
  130  interrupted (Ctrl-C); temporary files removed, earlier files untouched";

const CREDENTIALS_HELP: &str = "\
Credentials, first found wins:
  1. HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (+ HUAWEICLOUD_SDK_SECURITY_TOKEN)
  2. the SDK credentials file (--credentials-file, default ~/.huaweicloud/credentials), section --profile
  3. an IAM token: DATAARTS_AUTH_TOKEN or --auth-token-file, sent as X-Auth-Token
  4. the current profile of KooCLI's ~/.hcloud/config.json (plaintext profiles only)
Keys are never accepted as flags, and never printed.";

/// Export Huawei Cloud DataArts Studio (DataArts Factory) jobs and unpack them
/// safely into a jobs/<job>/ tree.
#[derive(Debug, Parser)]
#[command(name = "dataarts-jobs", version, about, max_term_width = 100)]
#[command(propagate_version = true, disable_help_subcommand = true)]
#[command(after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Output options, accepted before or after the subcommand.
#[derive(Debug, Args, Clone, Copy)]
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

    /// Print the names of the jobs in a workspace, one a line
    #[command(after_long_help = list_help())]
    List(ListArgs),

    /// Safely extract a jobs.zip into DIR/jobs/<job>/...
    #[command(after_long_help = unpack_help())]
    Unpack(UnpackArgs),

    /// Run a local DataArts Factory API emulator (for demos, tests and rehearsing scripts)
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

fn export_help() -> String {
    format!(
        "Examples:
  dataarts-jobs export job_batch job_stream
  dataarts-jobs export --all --extract backup/ --no-archive --force
  dataarts-jobs list --match 'etl_*' | dataarts-jobs export --jobs-from - -o etl.zip
  dataarts-jobs export --all --match 'report_*' --keep-going --json

{CREDENTIALS_HELP}

{EXIT_CODES}"
    )
}

fn list_help() -> String {
    format!(
        "Examples:
  dataarts-jobs list
  dataarts-jobs list --type real-time --match 'stream_*'
  dataarts-jobs list --json > jobs.json

{CREDENTIALS_HELP}

{EXIT_CODES}"
    )
}

fn unpack_help() -> String {
    format!(
        "Examples:
  dataarts-jobs unpack jobs.zip
  dataarts-jobs unpack jobs.zip -C backup --force

Entries that are absolute, hold '..', a drive prefix, a backslash, a control
character, a symlink, or that would exceed --max-size refuse the whole archive
(exit 6) before anything is written.

{EXIT_CODES}"
    )
}

fn demo_help() -> String {
    format!(
        "Examples:
  dataarts-jobs demo
  dataarts-jobs demo -C /tmp/demo --force

The demo starts the emulator on a free loopback port, signs and sends a real
batch export of job_batch and job_stream, writes DIR/jobs.zip atomically,
extracts DIR/jobs/<job>/ and prints the tree. No credentials, no network.

{EXIT_CODES}"
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
  dataarts-jobs emulator
  dataarts-jobs emulator --data ./backup --listen 127.0.0.1:9000 --request-log requests.jsonl
  dataarts-jobs emulator --fail-first 2 --fail-status 503 --retry-after 1

The emulator prints the endpoint and the (fake) credentials to use."
        .to_string()
}

/// How to reach the DataArts Factory API, shared by `export` and `list`.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Project id [default: the credentials file's project_id, else looked up with IAM]
    #[arg(long, value_name = "ID", env = env::SDK_PROJECT_ID)]
    pub project_id: Option<String>,

    /// Region id, e.g. cn-north-4; gives the endpoint from the SDK's region table
    #[arg(long, value_name = "ID", env = env::SDK_REGION_ID)]
    pub region: Option<String>,

    /// DataArts endpoint URL; overrides the region (emulator, private clouds, .myhuaweicloud.eu)
    #[arg(long, value_name = "URL", env = env::ENDPOINT)]
    pub endpoint: Option<String>,

    /// IAM endpoint for the project-id lookup [default: from the region]
    #[arg(long, value_name = "URL", env = env::SDK_IAM_ENDPOINT)]
    pub iam_endpoint: Option<String>,

    /// Workspace id, sent as the `workspace` header [default: the default workspace]
    #[arg(long, value_name = "ID", env = env::WORKSPACE)]
    pub workspace: Option<String>,

    /// The SDK credentials file [default: ~/.huaweicloud/credentials]
    #[arg(long, value_name = "PATH", env = env::SDK_CREDENTIALS_FILE)]
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

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Job names
    #[arg(value_name = "JOB")]
    pub jobs: Vec<String>,

    /// Read more job names from FILE, one a line ('-' = stdin; blank lines and # comments skipped)
    #[arg(long, value_name = "FILE")]
    pub jobs_from: Option<PathBuf>,

    /// Export every job in the workspace (batch and real-time)
    #[arg(long)]
    pub all: bool,

    /// Keep only names matching GLOB (repeatable; patterns combine with OR)
    #[arg(long = "match", value_name = "GLOB")]
    pub matches: Vec<String>,

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

    /// Also extract into DIR, giving DIR/jobs/<job>/...
    #[arg(short = 'x', long, value_name = "DIR", num_args = 0..=1, default_missing_value = ".")]
    pub extract: Option<PathBuf>,

    /// With --extract: keep no zip archive
    #[arg(long, requires = "extract", conflicts_with = "output")]
    pub no_archive: bool,

    /// Names per request (the API takes at most 100)
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub batch_size: u16,

    /// Concurrent batch requests
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,

    /// Overwrite an existing archive; replace existing jobs/<job>/ directories
    #[arg(long)]
    pub force: bool,

    /// Print each request that would be sent (secrets redacted); send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print a JSON summary on stdout instead of the text summary
    #[arg(long)]
    pub json: bool,

    /// With --extract: refuse archives that inflate to more (e.g. 500M, 4GiB)
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = archive::parse_size)]
    pub max_size: u64,

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

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Keep only names matching GLOB (repeatable; patterns combine with OR)
    #[arg(long = "match", value_name = "GLOB")]
    pub matches: Vec<String>,

    /// Job type to list
    #[arg(long = "type", value_enum, default_value = "all")]
    pub job_type: JobTypeArg,

    /// Print the API's job objects as a JSON array
    #[arg(long)]
    pub json: bool,

    /// Print each request that would be sent (secrets redacted); send nothing
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
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
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = archive::parse_size)]
    pub max_size: u64,

    /// Print a JSON summary on stdout instead of the text summary
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Serve DIR/jobs/<job>/... (workspace <id> in DIR/workspaces/<id>/jobs/) instead of the sample
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Access key the emulator accepts [default: a fixed fake key]
    #[arg(long, value_name = "AK", requires = "sk")]
    pub ak: Option<String>,

    /// Secret key the emulator accepts [default: a fixed fake key]
    #[arg(long, value_name = "SK", requires = "ak", hide_default_value = true)]
    pub sk: Option<String>,

    /// The one project id served (others get 403)
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

    /// How list jobs counts `offset`
    #[arg(long, value_enum, default_value = "pages")]
    pub offset_unit: crate::emulator::OffsetUnit,

    /// Serve HTTPS with this PEM certificate (chain, leaf first); needs --tls-key. A self-signed one must not be marked as a CA (CA:FALSE): rustls clients refuse that
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// How many projects IAM's lookup finds for --region (0 or several rehearse a client's errors)
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub iam_projects: u8,

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

    /// Fault: answer 429 APIG.0308 above RPS requests a second (no burst)
    #[arg(long, value_name = "RPS", help_heading = "Faults")]
    pub rate_limit: Option<f64>,

    /// Fault: add MS of latency to every request
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    pub latency: Option<u64>,
}

#[derive(Debug, Args)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from(["dataarts-jobs", "list", "-vv"]).expect("parses");
        assert_eq!(cli.output.verbose, 2);
        let cli = Cli::try_parse_from(["dataarts-jobs", "-q", "unpack", "a.zip"]).expect("parses");
        assert!(cli.output.quiet);
    }

    #[test]
    fn extract_takes_an_optional_directory() {
        let parse = |args: &[&str]| match Cli::try_parse_from(args).expect("parses").command {
            Command::Export(export) => export,
            other => panic!("not export: {other:?}"),
        };
        let export = parse(&["dataarts-jobs", "export", "a", "--extract"]);
        assert_eq!(export.extract, Some(PathBuf::from(".")));
        let export = parse(&["dataarts-jobs", "export", "a", "--extract", "out"]);
        assert_eq!(export.extract, Some(PathBuf::from("out")));
        assert_eq!(export.jobs, vec!["a"]);
    }

    #[test]
    fn batch_size_is_bounded_by_the_api_limit() {
        assert!(
            Cli::try_parse_from(["dataarts-jobs", "export", "--batch-size", "101", "a"]).is_err()
        );
        assert!(
            Cli::try_parse_from(["dataarts-jobs", "export", "--batch-size", "0", "a"]).is_err()
        );
        assert!(Cli::try_parse_from(["dataarts-jobs", "export", "--no-archive", "a"]).is_err());
        let both = [
            "dataarts-jobs",
            "export",
            "a",
            "-x",
            "d",
            "--no-archive",
            "-o",
            "f.zip",
        ];
        assert!(Cli::try_parse_from(both).is_err());
        assert!(
            Cli::try_parse_from(["dataarts-jobs", "export", "a", "-x", "d", "--no-archive"])
                .is_ok()
        );
    }
}
