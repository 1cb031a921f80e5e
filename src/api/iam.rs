//! IAM project-id lookup, as the SDKs do it when only a region is known:
//! `GET {iam}/v3/projects?name=<region>`, signed with the same keys.

use reqwest::{Method, Url};
use serde::Deserialize;

use super::Client;
use crate::exit::UsageError;

#[derive(Deserialize)]
struct Projects {
    #[serde(default)]
    projects: Vec<Project>,
}

#[derive(Deserialize)]
struct Project {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

impl Client {
    /// Looks up the one project named `region`. None or several is a usage error (exit 2).
    pub async fn lookup_project_id(&self, iam: &Url, region: &str) -> anyhow::Result<String> {
        let query = vec![("name".to_string(), region.to_string())];
        let found: Projects = self
            .get_json(|| self.prepare(Method::GET, iam, "/v3/projects", &query, None, false))
            .await
            .map_err(|error| {
                error.context(format!(
                    "cannot look up the project id of region {region} with IAM at {iam}"
                ))
            })?;
        match found.projects.as_slice() {
            [one] => crate::settings::validate_project_id(&one.id),
            [] => Err(UsageError(format!(
                "IAM at {iam} found no project named {region}; pass --project-id ID (or set \
                 HUAWEICLOUD_SDK_PROJECT_ID), or check --region"
            ))
            .into()),
            several => Err(UsageError(format!(
                "IAM at {iam} found {} projects named {region} ({}); pass --project-id ID to choose one",
                several.len(),
                several
                    .iter()
                    .map(|p| match &p.name {
                        Some(name) => format!("{} {name}", p.id),
                        None => p.id.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into()),
        }
    }
}
