//! IAM project-id lookup, as the SDKs do it when only a region is known:
//! `GET {iam}/v3/projects?name=<region>`, signed with the same keys.

use reqwest::{Method, Url};
use serde::Deserialize;

use super::{ApiError, Client, Scope};
use crate::model;

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
    /// Looks up the one project named `region` with IAM at `iam`.
    pub async fn lookup_project_id(&self, iam: &Url, region: &str) -> anyhow::Result<String> {
        let query = vec![("name".to_string(), region.to_string())];
        let found: Projects = self
            .call_json(|| {
                self.prepare(
                    Method::GET,
                    iam,
                    "/v3/projects",
                    &query,
                    None,
                    Scope::Global,
                )
            })
            .await
            .map_err(|error| {
                error.context(format!(
                    "cannot look up the project id of region {region} with IAM at {iam}"
                ))
            })?;
        let iam = iam.to_string();
        match found.projects.as_slice() {
            [one] if model::is_valid_project_id(&one.id) => Ok(one.id.clone()),
            [one] => Err(ApiError::BadProjectId {
                iam,
                id: crate::text::escape_controls(&one.id),
            }
            .into()),
            [] => Err(ApiError::ProjectNotFound {
                iam,
                region: region.to_string(),
            }
            .into()),
            several => Err(ApiError::SeveralProjects {
                iam,
                region: region.to_string(),
                projects: several
                    .iter()
                    .map(|p| match &p.name {
                        Some(name) => format!("{} {name}", p.id),
                        None => p.id.clone(),
                    })
                    .collect(),
            }
            .into()),
        }
    }
}
