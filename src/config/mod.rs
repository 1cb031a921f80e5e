//! Connection flags + environment + credential chain → validated settings,
//! each with where it came from (for `doctor` and `-v`). No network.
//!
//! Precedence, for every endpoint: its own flag, then an explicit `--region`
//! (so a leftover `DATAARTS_ENDPOINT` never beats a region typed on the
//! command line), then its own environment variable, then the region from
//! the environment or the credential source.

mod credentials;
mod error;
pub mod regions;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;

use crate::auth::Credentials;
use crate::cli::{ConnectionArgs, WorkspaceArgs};
use crate::env::{self, Env};
use crate::http;
use crate::model;

pub use credentials::{Source as CredentialSource, DEFAULT_PROFILE};
pub use error::ConfigError;
use regions::Service;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(String),
    /// The credential source (a credentials file or KooCLI profile).
    Credentials(CredentialSource),
    /// An SDK region table, for a region.
    RegionTable {
        service: &'static str,
        region: String,
    },
    /// Looked up with IAM (`GET /v3/projects?name=<region>`).
    IamLookup,
    /// Nothing was given: the SDKs' default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Env(var) => write!(f, "environment variable {var}"),
            Origin::Credentials(source) => write!(f, "{source}"),
            Origin::RegionTable { service, region } => {
                write!(f, "the {service} SDK's region table for {region}")
            }
            Origin::IamLookup => f.write_str("IAM lookup"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn new(value: T, origin: Origin) -> Self {
        Self { value, origin }
    }
}

/// How the project id will be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    Id(String),
    /// Looked up with IAM at `iam` for `region`, as the SDKs do.
    LookUp {
        region: String,
    },
}

/// Which workspace, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceRef {
    Id(String),
    /// Looked up with the Management Center.
    Name(String),
}

/// Everything needed to talk to the cloud, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub credentials: Credentials,
    pub credential_source: CredentialSource,
    pub region: Option<Setting<String>>,
    pub dlf: Setting<Url>,
    pub iam: Setting<Url>,
    studio: Option<Setting<Url>>,
    obs: Option<Setting<Url>>,
    pub project: Setting<Project>,
    /// `None`: the default workspace (no `workspace` header).
    pub workspace: Option<Setting<WorkspaceRef>>,
    pub http: http::Options,
    /// Settings that were given but are not used, said once (e.g. an
    /// environment endpoint overridden by `--region`).
    pub notes: Vec<String>,
}

impl Settings {
    /// The Management Center endpoint, or why there is none.
    pub fn studio(&self) -> Result<&Setting<Url>, ConfigError> {
        self.studio.as_ref().ok_or_else(|| {
            self.missing(
                Service::DataArtsStudio,
                "--studio-endpoint",
                env::STUDIO_ENDPOINT,
            )
        })
    }

    /// The OBS endpoint, or why there is none.
    pub fn obs(&self) -> Result<&Setting<Url>, ConfigError> {
        self.obs
            .as_ref()
            .ok_or_else(|| self.missing(Service::Obs, "--obs-endpoint", env::OBS_ENDPOINT))
    }

    fn missing(&self, service: Service, flag: &'static str, env: &'static str) -> ConfigError {
        match &self.region {
            Some(region) => ConfigError::NoServiceEndpoint {
                service: service.name(),
                region: region.value.clone(),
                flag,
                override_var: regions::override_var(service, &region.value),
            },
            None => ConfigError::NoServiceRegion {
                service: service.name(),
                flag,
                env,
            },
        }
    }

    /// The workspace id to send, when it is known without a lookup.
    pub fn workspace_id(&self) -> Option<&str> {
        match &self.workspace {
            Some(Setting {
                value: WorkspaceRef::Id(id),
                ..
            }) => Some(id),
            _ => None,
        }
    }
}

/// The region, with the source it came from; `explicit` when typed as a flag.
struct Region {
    setting: Option<Setting<String>>,
    explicit: bool,
}

/// Resolves the connection flags and workspace flags against `env`.
pub fn resolve(
    args: &ConnectionArgs,
    workspace: &WorkspaceArgs,
    env: &Env,
) -> Result<Settings, ConfigError> {
    let lookup = credentials::Lookup {
        credentials_file: args.credentials_file.as_deref(),
        profile: args.profile.as_deref(),
        auth_token_file: args.auth_token_file.as_deref(),
    };
    let found = credentials::resolve(&lookup, env)?;
    let from_credentials = || Origin::Credentials(found.source.clone());
    let region = Region {
        explicit: args.region.is_some(),
        setting: pick(&[
            flag(&args.region, "--region"),
            var(env, env::SDK_REGION_ID),
            found
                .region
                .clone()
                .map(|r| Setting::new(r, from_credentials())),
        ]),
    };
    let mut notes = Vec::new();
    let endpoints = endpoints(args, env, &found, &region, &mut notes)?;
    let project = project(args, env, &lookup, &found, &region)?;
    let workspace = workspace_ref(workspace, env)?;

    Ok(Settings {
        credentials: found.credentials,
        credential_source: found.source,
        region: region.setting,
        dlf: endpoints.dlf,
        iam: endpoints.iam,
        studio: endpoints.studio,
        obs: endpoints.obs,
        project,
        workspace,
        http: http::Options {
            timeout: Duration::from_secs(args.timeout),
            retries: args.retries,
            ca_cert: args.ca_cert.clone(),
            retry_delay_scale: retry_delay_scale(env, &mut notes),
        },
        notes,
    })
}

/// The test knob that scales retry delays and poll intervals: a number from
/// 0 to 1 (larger is 1); anything else is ignored, with a note.
fn retry_delay_scale(env: &Env, notes: &mut Vec<String>) -> f64 {
    let Some(text) = env.var(env::TEST_RETRY_DELAY_SCALE) else {
        return 1.0;
    };
    match text.trim().parse::<f64>() {
        Ok(scale) if scale.is_finite() && scale >= 0.0 => scale.min(1.0),
        _ => {
            notes.push(format!(
                "{} is not a number from 0 to 1 (`{}`); ignored",
                env::TEST_RETRY_DELAY_SCALE,
                text.escape_debug()
            ));
            1.0
        }
    }
}

/// The endpoints of every service, by the precedence in the module docs.
struct Endpoints {
    dlf: Setting<Url>,
    iam: Setting<Url>,
    studio: Option<Setting<Url>>,
    obs: Option<Setting<Url>>,
}

fn endpoints(
    args: &ConnectionArgs,
    env: &Env,
    found: &credentials::Found,
    region: &Region,
    notes: &mut Vec<String>,
) -> Result<Endpoints, ConfigError> {
    let from_credentials = || Origin::Credentials(found.source.clone());
    let dlf = endpoint(
        Service::Dgc,
        flag(&args.endpoint, "--endpoint"),
        var(env, env::ENDPOINT),
        region,
        env,
        notes,
    )?
    .ok_or(ConfigError::NoEndpoint)?;
    let studio = endpoint(
        Service::DataArtsStudio,
        flag(&args.studio_endpoint, "--studio-endpoint"),
        var(env, env::STUDIO_ENDPOINT),
        region,
        env,
        notes,
    )
    .ok()
    .flatten();
    let obs = endpoint(
        Service::Obs,
        flag(&args.obs_endpoint, "--obs-endpoint"),
        var(env, env::OBS_ENDPOINT),
        region,
        env,
        notes,
    )
    .ok()
    .flatten();

    let iam_text = pick(&[
        flag(&args.iam_endpoint, "--iam-endpoint"),
        var(env, env::SDK_IAM_ENDPOINT),
        found
            .iam_endpoint
            .clone()
            .map(|url| Setting::new(url, from_credentials())),
        region.setting.as_ref().map(|r| {
            Setting::new(
                regions::iam_endpoint(&r.value),
                Origin::RegionTable {
                    service: "IAM",
                    region: r.value.clone(),
                },
            )
        }),
    ])
    .unwrap_or_else(|| Setting::new(regions::DEFAULT_IAM.to_string(), Origin::Default));
    let iam = parse_url(iam_text, notes)?;

    Ok(Endpoints {
        dlf,
        iam,
        studio,
        obs,
    })
}

fn flag(value: &Option<String>, name: &'static str) -> Option<Setting<String>> {
    value
        .as_ref()
        .filter(|v| !v.is_empty())
        .map(|v| Setting::new(v.clone(), Origin::Flag(name)))
}

fn var(env: &Env, name: &str) -> Option<Setting<String>> {
    env.var(name)
        .map(|v| Setting::new(v.to_string(), Origin::Env(name.to_string())))
}

fn pick(candidates: &[Option<Setting<String>>]) -> Option<Setting<String>> {
    candidates.iter().flatten().next().cloned()
}

/// One service's endpoint, by the precedence in the module docs.
fn endpoint(
    service: Service,
    flag: Option<Setting<String>>,
    var: Option<Setting<String>>,
    region: &Region,
    env: &Env,
    notes: &mut Vec<String>,
) -> Result<Option<Setting<Url>>, ConfigError> {
    if let Some(flag) = flag {
        return parse_url(flag, notes).map(Some);
    }
    match (&region.setting, var) {
        (Some(explicit), var) if region.explicit => {
            match (from_region(service, explicit, env, notes), var) {
                (Ok(found), var) => {
                    if let Some(var) = var {
                        notes.push(format!(
                            "{} is set but --region {} was given: using the region's {} endpoint",
                            var.origin_name(),
                            explicit.value,
                            service.name()
                        ));
                    }
                    Ok(Some(found))
                }
                // A region without this service in its table: the variable serves.
                (Err(_), Some(var)) => parse_url(var, notes).map(Some),
                (Err(error), None) => Err(error),
            }
        }
        (_, Some(var)) => parse_url(var, notes).map(Some),
        (Some(region), None) => from_region(service, region, env, notes).map(Some),
        (None, None) => Ok(None),
    }
}

/// The endpoint of `service` in `region`'s table (or its override variable).
fn from_region(
    service: Service,
    region: &Setting<String>,
    env: &Env,
    notes: &mut Vec<String>,
) -> Result<Setting<Url>, ConfigError> {
    let Some((url, found)) = regions::endpoint(service, &region.value, env) else {
        return Err(ConfigError::UnknownRegion {
            region: region.value.clone(),
            suggestion: crate::suggest::closest(&region.value, regions::known_regions()),
            override_var: regions::override_var(service, &region.value),
        });
    };
    let origin = match found {
        regions::Found::Override(var) => Origin::Env(var),
        regions::Found::Table => Origin::RegionTable {
            service: service.name(),
            region: region.value.clone(),
        },
    };
    parse_url(Setting::new(url, origin), notes)
}

impl Setting<String> {
    fn origin_name(&self) -> String {
        match &self.origin {
            Origin::Env(var) => var.clone(),
            other => other.to_string(),
        }
    }
}

/// An http(s) URL with a host; user info is removed (it is never sent and
/// never shown: requests are signed) with a note saying so.
fn parse_url(text: Setting<String>, notes: &mut Vec<String>) -> Result<Setting<Url>, ConfigError> {
    let invalid = |detail: String| ConfigError::InvalidUrl {
        text: redact_userinfo(&text.value),
        origin: text.origin.to_string(),
        detail,
    };
    let mut url = Url::parse(&regions::with_scheme(text.value.trim()))
        .map_err(|error| invalid(error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            "expected http:// or https:// and a host".to_string(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
        notes.push(format!(
            "the user name and password in the URL from {} are ignored (requests are signed, never sent with a password)",
            text.origin
        ));
    }
    Ok(Setting::new(url, text.origin))
}

/// `https://user:pass@host` → `https://(redacted)@host`, for messages.
pub fn redact_userinfo(text: &str) -> String {
    let Some(scheme_end) = text.find("://").map(|i| i + 3) else {
        return text.to_string();
    };
    let rest = &text[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}(redacted){}", &text[..scheme_end], &rest[at..]),
        None => text.to_string(),
    }
}

fn project(
    args: &ConnectionArgs,
    env: &Env,
    lookup: &credentials::Lookup<'_>,
    found: &credentials::Found,
    region: &Region,
) -> Result<Setting<Project>, ConfigError> {
    let keys_from_file = matches!(found.source, credentials::Source::File { .. });
    // The credentials file's project_id counts even when the keys came from
    // elsewhere (the contract's order: flag, variable, file, IAM).
    let in_file = || {
        (!keys_from_file)
            .then(|| credentials::project_id_in_file(lookup, env))
            .flatten()
            .map(|(id, source)| Setting::new(id, Origin::Credentials(source)))
    };
    let given = pick(&[
        flag(&args.project_id, "--project-id"),
        var(env, env::SDK_PROJECT_ID),
        found
            .project_id
            .clone()
            .map(|id| Setting::new(id, Origin::Credentials(found.source.clone()))),
    ])
    .or_else(in_file);
    if let Some(given) = given {
        let id = given.value.trim().to_string();
        if !model::is_valid_project_id(&id) {
            return Err(ConfigError::InvalidProjectId {
                id,
                origin: given.origin.to_string(),
            });
        }
        return Ok(Setting::new(Project::Id(id), given.origin));
    }
    match &region.setting {
        Some(region) => Ok(Setting::new(
            Project::LookUp {
                region: region.value.clone(),
            },
            Origin::IamLookup,
        )),
        None => {
            let mut looked = vec![
                "--project-id (not given)".to_string(),
                format!("{} (not set)", env::SDK_PROJECT_ID),
                format!("{} (no project_id)", found.source),
            ];
            if let (false, Some(path)) =
                (keys_from_file, credentials::credentials_file(lookup, env))
            {
                looked.push(format!("{} (no project_id)", path.display()));
            }
            looked.push(format!(
                "--region and {} (not set, so IAM cannot be asked)",
                env::SDK_REGION_ID
            ));
            Err(ConfigError::NoProjectId { looked })
        }
    }
}

fn workspace_ref(
    args: &WorkspaceArgs,
    env: &Env,
) -> Result<Option<Setting<WorkspaceRef>>, ConfigError> {
    let chosen = if let Some(id) = flag(&args.workspace, "--workspace") {
        Some(Setting::new(WorkspaceRef::Id(id.value), id.origin))
    } else if let Some(name) = flag(&args.workspace_name, "--workspace-name") {
        Some(Setting::new(WorkspaceRef::Name(name.value), name.origin))
    } else {
        var(env, env::WORKSPACE).map(|id| Setting::new(WorkspaceRef::Id(id.value), id.origin))
    };
    if let Some(Setting {
        value: WorkspaceRef::Id(id),
        ..
    }) = &chosen
    {
        check_workspace_id(id)?;
    }
    Ok(chosen)
}

/// A workspace id goes into a header: printable ASCII only.
pub fn check_workspace_id(id: &str) -> Result<(), ConfigError> {
    if id.is_empty() || !id.chars().all(|c| (' '..='~').contains(&c)) {
        return Err(ConfigError::InvalidWorkspace { id: id.to_string() });
    }
    Ok(())
}

/// Paths a command may want to show (for `doctor`).
pub fn default_credentials_file(env: &Env) -> Option<PathBuf> {
    env.home()
        .map(|home| home.join(".huaweicloud").join("credentials"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Harness {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        workspace: WorkspaceArgs,
    }

    fn resolve_with(flags: &[&str], vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut argv = vec!["test"];
        argv.extend_from_slice(flags);
        let harness = Harness::try_parse_from(argv).expect("parses");
        let home = tempfile::tempdir().expect("tempdir");
        let mut all = vec![(env::SDK_AK, "AK"), (env::SDK_SK, "SK")];
        all.extend_from_slice(vars);
        let env = Env::from_pairs(all, Some(home.path()));
        resolve(&harness.connection, &harness.workspace, &env)
    }

    #[test]
    fn the_retry_scale_is_a_number_from_0_to_1_or_ignored_with_a_note() {
        let scale = |value: &str| {
            let settings = resolve_with(
                &["--region", "cn-north-4"],
                &[(env::TEST_RETRY_DELAY_SCALE, value)],
            )
            .expect("resolves");
            (settings.http.retry_delay_scale, settings.notes)
        };
        assert_eq!(scale("0"), (0.0, vec![]));
        assert_eq!(scale("0.25"), (0.25, vec![]));
        assert_eq!(scale("7"), (1.0, vec![]));
        for bad in ["NaN", "inf", "-1", "fast"] {
            let (value, notes) = scale(bad);
            assert_eq!(value, 1.0, "{bad}");
            assert_eq!(notes.len(), 1, "{bad}: {notes:?}");
            assert!(notes[0].contains("ignored"), "{notes:?}");
        }
    }

    #[test]
    fn region_gives_every_endpoint_and_an_iam_lookup() {
        let settings = resolve_with(&["--region", "cn-east-4"], &[]).expect("resolves");
        assert_eq!(
            settings.dlf.value.as_str(),
            "https://dayu.cn-east-4.myhuaweicloud.com/"
        );
        assert_eq!(
            settings.studio().expect("studio").value.as_str(),
            "https://dayu.cn-east-4.myhuaweicloud.com/"
        );
        assert_eq!(
            settings.obs().expect("obs").value.as_str(),
            "https://obs.cn-east-4.myhuaweicloud.com/"
        );
        assert_eq!(
            settings.iam.value.as_str(),
            "https://iam.cn-east-4.myhuaweicloud.com/"
        );
        assert_eq!(
            settings.project.value,
            Project::LookUp {
                region: "cn-east-4".into()
            }
        );
        assert_eq!(settings.project.origin, Origin::IamLookup);
    }

    #[test]
    fn endpoint_overrides_region_and_project_id_is_used() {
        let settings = resolve_with(
            &[
                "--region",
                "cn-north-4",
                "--endpoint",
                "http://127.0.0.1:9",
                "--project-id",
                "p1",
            ],
            &[],
        )
        .expect("resolves");
        assert_eq!(settings.dlf.value.as_str(), "http://127.0.0.1:9/");
        assert_eq!(settings.dlf.origin, Origin::Flag("--endpoint"));
        assert_eq!(settings.project.value, Project::Id("p1".into()));
    }

    #[test]
    fn an_explicit_region_beats_a_leftover_endpoint_variable_and_says_so() {
        let settings = resolve_with(
            &["--region", "cn-north-4", "--project-id", "p"],
            &[(env::ENDPOINT, "http://127.0.0.1:1")],
        )
        .expect("resolves");
        assert_eq!(
            settings.dlf.value.as_str(),
            "https://dayu-dlf.cn-north-4.myhuaweicloud.com/"
        );
        assert!(
            settings.notes.iter().any(|n| n.contains(env::ENDPOINT)),
            "{:?}",
            settings.notes
        );
        // Without the flag, the variable wins over the region variable.
        let settings = resolve_with(
            &["--project-id", "p"],
            &[
                (env::ENDPOINT, "http://127.0.0.1:1"),
                (env::SDK_REGION_ID, "cn-north-4"),
            ],
        )
        .expect("resolves");
        assert_eq!(settings.dlf.value.as_str(), "http://127.0.0.1:1/");
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let settings = resolve_with(
            &["--region", "cn-north-4"],
            &[
                (env::WORKSPACE, ""),
                (env::SDK_PROJECT_ID, ""),
                (env::ENDPOINT, ""),
            ],
        )
        .expect("resolves");
        assert_eq!(settings.workspace, None);
        assert_eq!(settings.project.origin, Origin::IamLookup);
        assert!(settings.notes.is_empty(), "{:?}", settings.notes);
    }

    #[test]
    fn missing_project_id_and_endpoint_and_unknown_regions_are_errors() {
        let error = resolve_with(&["--endpoint", "http://h"], &[]).expect_err("no project id");
        assert!(matches!(error, ConfigError::NoProjectId { .. }));
        assert!(error.to_string().contains("--project-id"), "{error}");
        let error = resolve_with(&["--project-id", "p"], &[]).expect_err("no endpoint");
        assert!(matches!(error, ConfigError::NoEndpoint));
        match resolve_with(&["--region", "cn-nrth-4"], &[]).expect_err("unknown region") {
            ConfigError::UnknownRegion { suggestion, .. } => {
                assert_eq!(suggestion, Some("cn-north-4"))
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn the_credentials_file_gives_the_project_id_when_the_keys_come_from_elsewhere() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("credentials");
        std::fs::write(&file, "[basic]\nproject_id = p-from-file\n").expect("write");
        let path = file.to_str().expect("utf-8");
        let settings = resolve_with(&["--endpoint", "http://h", "--credentials-file", path], &[])
            .expect("resolves");
        assert_eq!(settings.project.value, Project::Id("p-from-file".into()));
        assert!(
            settings.project.origin.to_string().contains(path),
            "{}",
            settings.project.origin
        );
        // The variable still wins over the file.
        let settings = resolve_with(
            &["--endpoint", "http://h", "--credentials-file", path],
            &[(env::SDK_PROJECT_ID, "p-env")],
        )
        .expect("resolves");
        assert_eq!(settings.project.value, Project::Id("p-env".into()));
        // Without one, the error names the file among the places looked at.
        std::fs::write(&file, "[basic]\nregion = x\n").expect("write");
        let error = resolve_with(&["--endpoint", "http://h", "--credentials-file", path], &[])
            .expect_err("no project id");
        assert!(
            error
                .to_string()
                .contains(&format!("{path} (no project_id)")),
            "{error}"
        );
    }

    #[test]
    fn user_info_in_an_endpoint_is_dropped_and_redacted() {
        let settings = resolve_with(
            &[
                "--endpoint",
                "https://user:s3cret@dlf.example:8443/x",
                "--project-id",
                "p",
            ],
            &[],
        )
        .expect("resolves");
        assert_eq!(settings.dlf.value.as_str(), "https://dlf.example:8443/x");
        assert!(!format!("{:?}", settings.notes).contains("s3cret"));
        assert_eq!(
            redact_userinfo("https://user:s3cret@h/p@q"),
            "https://(redacted)@h/p@q"
        );
        let error = resolve_with(
            &["--endpoint", "ftp://u:s3cret@h", "--project-id", "p"],
            &[],
        )
        .expect_err("not http");
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }

    #[test]
    fn workspace_flags_and_variables() {
        let settings = resolve_with(
            &[
                "--endpoint",
                "http://h",
                "--project-id",
                "p",
                "--workspace-name",
                "prod",
            ],
            &[(env::WORKSPACE, "w1")],
        )
        .expect("resolves");
        assert_eq!(
            settings.workspace.map(|w| w.value),
            Some(WorkspaceRef::Name("prod".into()))
        );
        let settings = resolve_with(
            &["--endpoint", "http://h", "--project-id", "p"],
            &[(env::WORKSPACE, "w1")],
        )
        .expect("resolves");
        assert_eq!(settings.workspace_id(), Some("w1"));
        assert!(matches!(
            resolve_with(
                &[
                    "--endpoint",
                    "http://h",
                    "--project-id",
                    "p",
                    "--workspace",
                    "a\tb"
                ],
                &[]
            ),
            Err(ConfigError::InvalidWorkspace { .. })
        ));
    }

    #[test]
    fn obs_has_no_endpoint_in_some_regions() {
        let settings =
            resolve_with(&["--region", "ru-moscow-1", "--project-id", "p"], &[]).expect("resolves");
        assert!(matches!(
            settings.obs(),
            Err(ConfigError::NoServiceEndpoint { .. })
        ));
    }
}
