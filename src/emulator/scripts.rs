//! List scripts (`GET /v1/{project_id}/scripts?limit&offset&scriptName`,
//! `{"total", "scripts": [...]}`, content inline): the scripts the jobs'
//! `.script` files define (each a "Creating a Script" request, named by its
//! `name`), and the workspace directory's `scripts/<name>.json`, which win
//! (so a `backup` directory served with `--data` lists its scripts back
//! exactly). Computed at each request from what the workspace holds.

use std::collections::BTreeMap;
use std::fs;

use hyper::{Response, StatusCode};
use serde_json::Value;

use super::dlf::{unknown_workspace, workspace};
use super::paging;
use super::respond::{invalid_parameter, json_response, query_param, Req, ResBody, INVALID};
use super::store::{Entry, Source, Workspace};
use super::State;
use crate::auth::signer::parse_query;

/// `.script` files bigger than this are not read (a real one is a few KiB).
const MAX_SCRIPT_FILE: u64 = 16 * 1024 * 1024;

pub(crate) fn list_scripts(state: &State, req: &Req<'_>) -> Response<ResBody> {
    let query = parse_query(req.raw_query);
    let Some((limit, offset)) = paging::parse(&query, 10, 1000) else {
        return invalid_parameter(INVALID);
    };
    let filter = query_param(&query, "scriptName").filter(|name| !name.is_empty());
    let store = state.store_read();
    let Some(workspace) = workspace(&store, req) else {
        return unknown_workspace(req);
    };
    let matching: Vec<Value> = scripts_of(workspace)
        .into_iter()
        .filter(|(name, _)| filter.is_none_or(|filter| name.contains(filter)))
        .map(|(_, script)| script)
        .collect();
    let body = paging::listing_page(state, "scripts", &matching, (limit, offset), Value::clone);
    json_response(StatusCode::OK, &body)
}

/// Every script of `workspace` by name, as list scripts returns them.
pub(crate) fn scripts_of(workspace: &Workspace) -> BTreeMap<String, Value> {
    let mut scripts = BTreeMap::new();
    for job in workspace.jobs.values() {
        for entry in &job.dependencies {
            if let Some((name, script)) = script_of(entry) {
                scripts.entry(name).or_insert(script);
            }
        }
    }
    for (name, script) in &workspace.scripts {
        scripts.insert(name.clone(), script.clone());
    }
    scripts
}

/// The script a `.script` file defines: a JSON object, named by its `name`
/// (else the file's stem). Anything else defines none.
fn script_of(entry: &Entry) -> Option<(String, Value)> {
    let file_name = entry.name.rsplit('/').next().unwrap_or(&entry.name);
    let stem = file_name.strip_suffix(".script")?;
    if entry.size > MAX_SCRIPT_FILE {
        return None;
    }
    let value: Value = match &entry.source {
        Source::Embedded(bytes) => serde_json::from_slice(bytes).ok()?,
        Source::Memory(bytes) => serde_json::from_slice(bytes).ok()?,
        Source::File(path) => serde_json::from_slice(&fs::read(path).ok()?).ok()?,
    };
    if !value.is_object() {
        return None;
    }
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(stem)
        .to_string();
    Some((name, value))
}

#[cfg(test)]
mod tests {
    use super::super::store::Store;
    use super::*;

    #[test]
    fn the_sample_defines_its_script_and_directories_add_theirs() {
        let store = Store::sample();
        let scripts = scripts_of(store.workspace(None).expect("default"));
        assert_eq!(scripts.keys().collect::<Vec<_>>(), ["dws_sql"]);
        assert_eq!(scripts["dws_sql"]["type"], "DWSSQL");

        let dir = tempfile::tempdir().expect("tempdir");
        let job = dir.path().join("jobs/j");
        fs::create_dir_all(&job).expect("mkdir");
        fs::write(job.join("j.job"), br#"{"processType":"BATCH"}"#).expect("write");
        fs::write(job.join("a.script"), br#"{"name":"a","content":"old"}"#).expect("write");
        fs::write(job.join("plain.script"), b"select 1;").expect("write");
        fs::write(job.join("unnamed.script"), br#"{"content":"x"}"#).expect("write");
        fs::create_dir_all(dir.path().join("scripts")).expect("mkdir");
        fs::write(
            dir.path().join("scripts/a.json"),
            br#"{"name":"a","content":"new"}"#,
        )
        .expect("write");
        fs::write(dir.path().join("scripts/b.json"), br#"{"content":"b"}"#).expect("write");
        let store = Store::load(dir.path()).expect("load");
        let scripts = scripts_of(store.workspace(None).expect("default"));
        assert_eq!(
            scripts.keys().collect::<Vec<_>>(),
            ["a", "b", "unnamed"],
            "non-JSON .script files define no script"
        );
        assert_eq!(scripts["a"]["content"], "new", "scripts/<name>.json wins");
    }
}
