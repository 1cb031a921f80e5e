//! The DataArts Studio Management Center, on the studio endpoint
//! (`dayu.<region>`): instances and their workspaces.
//!
//! ```text
//! GET /v1/{project_id}/instances?limit=100&offset=N           → {"count", "commodity_orders": [...]}
//! GET /v1/{project_id}/workspaces/{instance_id}?limit&offset  → {"count", "data": [...]}
//! ```
//!
//! Both are paged with `limit` at most 100 and `offset` counted in records;
//! paging stops at the count, on an empty page, or on a page that adds no
//! new id, and never runs past a fixed number of pages. (The Terraform
//! provider's loop, which stops only at the count, runs forever on an
//! empty page before it; these do not.) These calls carry no `workspace`
//! header: call them on a client in no workspace.

use std::collections::HashSet;

use reqwest::Method;
use serde::Deserialize;

use super::{ApiError, Client};

/// Records asked for per page (the documented maximum).
const PAGE_SIZE: u64 = 100;
/// No project has more pages than this of either listing.
const MAX_PAGES: u64 = 1_000;
/// Instance statuses whose workspaces exist: effective, frozen, grace period.
const LIVE_STATUSES: [i64; 3] = [2, 4, 5];

/// A DataArts Studio instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub name: String,
}

/// A workspace, with the instance it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub instance: Instance,
    /// `is_default == 1`.
    pub is_default: bool,
    /// The API's object, with `instance_id` and `instance_name` added.
    pub raw: serde_json::Value,
}

#[derive(Deserialize)]
struct InstancePage {
    #[serde(default)]
    count: Option<u64>,
    #[serde(default)]
    commodity_orders: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct WorkspacePage {
    #[serde(default)]
    count: Option<u64>,
    #[serde(default)]
    data: Vec<serde_json::Value>,
}

fn text(value: &serde_json::Value, key: &str) -> Option<String> {
    match value.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Client {
    /// Every live DataArts Studio instance of the project (call on a client
    /// aimed at the studio endpoint).
    pub async fn list_instances(&self) -> anyhow::Result<Vec<Instance>> {
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        let mut offset = 0u64;
        for _ in 0..MAX_PAGES {
            let query = page_query(offset);
            let page: InstancePage = self
                .call_json(|| self.prepare_project(Method::GET, "/instances", &query, None))
                .await?;
            let mut added = 0;
            for order in &page.commodity_orders {
                let Some(id) = text(order, "resource_id") else {
                    continue;
                };
                if !seen.insert(id.clone()) {
                    continue;
                }
                added += 1;
                let live = order
                    .get("status")
                    .and_then(serde_json::Value::as_i64)
                    .is_none_or(|status| LIVE_STATUSES.contains(&status));
                if live {
                    let name = text(order, "resource_name").unwrap_or_else(|| id.clone());
                    found.push(Instance { id, name });
                }
            }
            offset += page.commodity_orders.len() as u64;
            if added == 0 || page.count.is_some_and(|count| seen.len() as u64 >= count) {
                break;
            }
        }
        Ok(found)
    }

    /// Every workspace of `instance`.
    pub async fn list_instance_workspaces(
        &self,
        instance: &Instance,
    ) -> anyhow::Result<Vec<Workspace>> {
        let path = format!("/workspaces/{}", instance.id);
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        let mut offset = 0u64;
        for _ in 0..MAX_PAGES {
            let query = page_query(offset);
            let page: WorkspacePage = self
                .call_json(|| self.prepare_project(Method::GET, &path, &query, None))
                .await?;
            let mut added = 0;
            for mut raw in page.data.iter().cloned() {
                let Some(id) = text(&raw, "id") else {
                    return Err(ApiError::BadResponse {
                        url: self
                            .prepare_project(Method::GET, &path, &query, None)
                            .url
                            .to_string(),
                        detail: "a workspace in the listing has no id".to_string(),
                    }
                    .into());
                };
                if !seen.insert(id.clone()) {
                    continue;
                }
                added += 1;
                let name = text(&raw, "name").unwrap_or_else(|| id.clone());
                let is_default =
                    raw.get("is_default").and_then(serde_json::Value::as_i64) == Some(1);
                if let Some(object) = raw.as_object_mut() {
                    object.insert("instance_id".into(), instance.id.clone().into());
                    object.insert("instance_name".into(), instance.name.clone().into());
                }
                found.push(Workspace {
                    id,
                    name,
                    instance: instance.clone(),
                    is_default,
                    raw,
                });
            }
            offset += page.data.len() as u64;
            if added == 0 || page.count.is_some_and(|count| seen.len() as u64 >= count) {
                break;
            }
        }
        Ok(found)
    }

    /// Every workspace of every live instance (the instances' listings
    /// read concurrently), in the instances' order.
    pub async fn list_workspaces(&self) -> anyhow::Result<Vec<Workspace>> {
        let instances = self.list_instances().await?;
        let listings = instances
            .iter()
            .map(|instance| self.list_instance_workspaces(instance));
        let listed = futures_util::future::try_join_all(listings).await?;
        Ok(listed.into_iter().flatten().collect())
    }

    /// The one workspace named `name`; none or several is an error naming the candidates.
    pub async fn find_workspace(&self, name: &str) -> anyhow::Result<Workspace> {
        let all = self.list_workspaces().await?;
        // Names and ids are the server's text: escaped wherever shown.
        let shown = crate::text::escape_controls;
        let describe = |w: &Workspace| {
            format!(
                "{} (id {}, instance {})",
                shown(&w.name),
                shown(&w.id),
                shown(&w.instance.name)
            )
        };
        let mut matching: Vec<&Workspace> = all.iter().filter(|w| w.name == name).collect();
        match matching.len() {
            1 => Ok(matching.remove(0).clone()),
            0 => Err(ApiError::NoSuchWorkspace {
                name: shown(name),
                suggestion: crate::suggest::closest(name, all.iter().map(|w| w.name.as_str()))
                    .map(shown),
                candidates: all.iter().map(describe).collect(),
            }
            .into()),
            _ => Err(ApiError::AmbiguousWorkspace {
                name: shown(name),
                candidates: matching.into_iter().map(describe).collect(),
            }
            .into()),
        }
    }
}

fn page_query(offset: u64) -> Vec<(String, String)> {
    vec![
        ("limit".to_string(), PAGE_SIZE.to_string()),
        ("offset".to_string(), offset.to_string()),
    ]
}
