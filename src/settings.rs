//! Parsed connection flags + environment + credential chain → validated
//! connection settings. Everything the user got wrong is a [`UsageError`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;

use crate::cli::ConnectionArgs;
use crate::credentials::{self, Credentials, Lookup};
use crate::env;
use crate::exit::UsageError;
use crate::regions;

/// Where the project id comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectId {
    Known(String),
    /// Looked up with IAM `GET /v3/projects?name=<region>`, as the SDKs do.
    LookUp {
        iam_endpoint: Url,
        region: String,
    },
}

/// Everything needed to talk to the API.
#[derive(Debug, Clone)]
pub struct Connection {
    pub endpoint: Url,
    pub project: ProjectId,
    pub workspace: Option<String>,
    pub credentials: Credentials,
    pub credentials_source: String,
    pub timeout: Duration,
    pub retries: u32,
    pub ca_cert: Option<PathBuf>,
}

/// Resolves `args` against the environment (`env`) and the user's home directory.
pub fn resolve(
    args: &ConnectionArgs,
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> anyhow::Result<Connection> {
    let found = credentials::resolve(&Lookup {
        env,
        credentials_file: args.credentials_file.as_deref(),
        profile: args.profile.as_deref(),
        auth_token_file: args.auth_token_file.as_deref(),
        home,
    })?;

    let region = args.region.clone().or_else(|| found.region.clone());
    let endpoint = match (&args.endpoint, &region) {
        (Some(endpoint), _) => parse_url(endpoint, "--endpoint / DATAARTS_ENDPOINT")?,
        (None, Some(region)) => {
            let Some(endpoint) = regions::dgc_endpoint(region, env) else {
                return Err(UsageError(format!(
                    "unknown region `{region}`; known regions: {}. For another cloud, pass --endpoint URL \
                     or set {}",
                    regions::known_regions().collect::<Vec<_>>().join(", "),
                    regions::override_var(region)
                ))
                .into());
            };
            parse_url(&endpoint, &regions::override_var(region))?
        }
        (None, None) => {
            return Err(UsageError(format!(
                "no endpoint: pass --region ID (or set {}), or --endpoint URL (or set {}); \
                 no region was found in the credential source either",
                env::SDK_REGION_ID,
                env::ENDPOINT
            ))
            .into())
        }
    };

    let project = match (&args.project_id, &found.project_id, &region) {
        (Some(id), _, _) | (None, Some(id), _) => ProjectId::Known(validate_project_id(id)?),
        (None, None, Some(region)) => {
            let iam = args
                .iam_endpoint
                .clone()
                .or_else(|| found.iam_endpoint.clone())
                .unwrap_or_else(|| regions::iam_endpoint(region));
            ProjectId::LookUp {
                iam_endpoint: parse_url(&regions::with_scheme(&iam), "--iam-endpoint")?,
                region: region.clone(),
            }
        }
        (None, None, None) => {
            return Err(UsageError(format!(
                "no project id: pass --project-id ID (or set {}), add project_id to the [basic] section \
                 of the credentials file, or pass --region so it can be looked up with IAM; looked at: \
                 --project-id, {}, {}",
                env::SDK_PROJECT_ID,
                env::SDK_PROJECT_ID,
                found.source
            ))
            .into())
        }
    };

    let workspace = match &args.workspace {
        Some(workspace) if !is_header_safe(workspace) => {
            return Err(UsageError(format!(
                "workspace id {workspace:?} holds characters that cannot be sent in a header"
            ))
            .into())
        }
        other => other.clone(),
    };

    Ok(Connection {
        endpoint,
        project,
        workspace,
        credentials: found.credentials,
        credentials_source: found.source,
        timeout: Duration::from_secs(args.timeout),
        retries: args.retries,
        ca_cert: args.ca_cert.clone(),
    })
}

fn parse_url(text: &str, origin: &str) -> anyhow::Result<Url> {
    let url = Url::parse(&regions::with_scheme(text.trim()))
        .map_err(|error| UsageError(format!("invalid URL {text:?} from {origin}: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(UsageError(format!(
            "invalid URL {text:?} from {origin}: expected http:// or https:// and a host"
        ))
        .into());
    }
    Ok(url)
}

/// Project ids go into the URL path: keep them to what IAM issues.
pub fn validate_project_id(id: &str) -> anyhow::Result<String> {
    let id = id.trim();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(UsageError(format!(
            "invalid project id {id:?}: expected letters, digits, '-' or '_' (e.g. 32 hex digits)"
        ))
        .into());
    }
    Ok(id.to_string())
}

fn is_header_safe(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| (' '..='~').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Harness {
        #[command(flatten)]
        connection: ConnectionArgs,
    }

    fn args(flags: &[&str]) -> ConnectionArgs {
        let mut argv = vec!["test"];
        argv.extend_from_slice(flags);
        Harness::try_parse_from(argv).expect("parses").connection
    }

    fn keys(name: &str) -> Option<String> {
        match name {
            env::SDK_AK => Some("AK".into()),
            env::SDK_SK => Some("SK".into()),
            _ => None,
        }
    }

    #[test]
    fn region_gives_endpoint_and_iam_lookup() {
        let home = tempfile::tempdir().expect("tempdir");
        let connection =
            resolve(&args(&["--region", "cn-east-4"]), &keys, Some(home.path())).expect("resolves");
        assert_eq!(
            connection.endpoint.as_str(),
            "https://dayu.cn-east-4.myhuaweicloud.com/"
        );
        assert_eq!(
            connection.project,
            ProjectId::LookUp {
                iam_endpoint: Url::parse("https://iam.cn-east-4.myhuaweicloud.com").expect("url"),
                region: "cn-east-4".into()
            }
        );
    }

    #[test]
    fn endpoint_overrides_region_and_project_id_is_used() {
        let home = tempfile::tempdir().expect("tempdir");
        let connection = resolve(
            &args(&[
                "--region",
                "cn-north-4",
                "--endpoint",
                "http://127.0.0.1:9",
                "--project-id",
                "p1",
            ]),
            &keys,
            Some(home.path()),
        )
        .expect("resolves");
        assert_eq!(connection.endpoint.as_str(), "http://127.0.0.1:9/");
        assert_eq!(connection.project, ProjectId::Known("p1".into()));
    }

    #[test]
    fn missing_project_id_and_endpoint_are_usage_errors() {
        let home = tempfile::tempdir().expect("tempdir");
        let error = resolve(&args(&["--endpoint", "http://h"]), &keys, Some(home.path()))
            .expect_err("no project id");
        assert!(error.downcast_ref::<UsageError>().is_some());
        assert!(error.to_string().contains("--project-id"), "{error}");
        let error = resolve(&args(&["--project-id", "p"]), &keys, Some(home.path()))
            .expect_err("no endpoint");
        assert!(error.to_string().contains("--endpoint"), "{error}");
        let error = resolve(&args(&["--region", "mars-1"]), &keys, Some(home.path()))
            .expect_err("unknown region");
        assert!(error.to_string().contains("cn-north-4"), "{error}");
    }

    #[test]
    fn project_ids_that_would_change_the_path_are_refused() {
        assert!(validate_project_id("0123456789abcdef0123456789abcdef").is_ok());
        assert!(validate_project_id("../x").is_err());
        assert!(validate_project_id("a/b").is_err());
        assert!(validate_project_id("").is_err());
    }
}
