//! The root of a backup of every workspace: `DIR/dataarts-backup.json`
//! listing the workspaces (id, name, instance), each mirrored into
//! `DIR/workspaces/<id>/` beside its `workspace.json`. What the listing of
//! workspaces and the root manifest on disk decide, without I/O.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::manifest::{self, Found, RootManifest, Source, WorkspaceEntry, FORMAT, MANIFEST_FILE};
use super::BackupError;
use crate::text::escape_controls;

/// The folder of DIR that holds a mirror per workspace.
pub const WORKSPACES: &str = "workspaces";

/// `workspace.json` in a workspace's mirror: `{"name": …}`.
pub const WORKSPACE_FILE: &str = "workspace.json";

/// `workspaces/<id>`: where a workspace's mirror is, relative to DIR.
pub fn mirror_dir(id: &str) -> PathBuf {
    Path::new(WORKSPACES).join(id)
}

/// `workspace.json` of a workspace's mirror: `{"name": …}`.
pub fn workspace_file(name: &str) -> Vec<u8> {
    manifest::canonical_json(&serde_json::json!({ "name": name }))
}

/// Refuses the listing when a workspace id cannot be a folder name here.
pub fn refuse_unwritable_ids<'a>(
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<(), BackupError> {
    let names: Vec<String> = ids
        .into_iter()
        .filter(|id| super::unwritable_reason(id, "").is_some())
        .map(escape_controls)
        .collect();
    if names.is_empty() {
        Ok(())
    } else {
        Err(BackupError::UnwritableNames { names })
    }
}

/// The workspaces the root manifest found in DIR records, by id.
pub fn recorded_ids(found: &Found) -> Vec<String> {
    match found {
        Found::Root(root) => root.workspaces.keys().cloned().collect(),
        Found::Nothing | Found::Workspace(_) => Vec::new(),
    }
}

/// The empty-listing guard: no workspace listed while the root manifest
/// in `dir` records some.
pub fn check_listed(listed: usize, recorded: &[String], dir: &Path) -> Result<(), BackupError> {
    if listed == 0 && !recorded.is_empty() {
        return Err(BackupError::EmptyListing {
            what: "workspaces",
            recorded: recorded.len(),
            manifest: dir.join(MANIFEST_FILE),
        });
    }
    Ok(())
}

/// The recorded workspaces the listing lacks, in order (an id that cannot
/// be a folder name here was never mirrored: it has nothing to prune).
pub fn vanished(recorded: &[String], listed: &BTreeMap<String, WorkspaceEntry>) -> Vec<String> {
    recorded
        .iter()
        .filter(|id| !listed.contains_key(*id) && super::unwritable_reason(id, "").is_none())
        .cloned()
        .collect()
}

/// The root manifest's bytes, for the workspaces listed.
pub fn manifest_bytes(source: Source, workspaces: BTreeMap<String, WorkspaceEntry>) -> Vec<u8> {
    manifest::canonical_json(&RootManifest {
        format: FORMAT,
        source,
        workspaces,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::manifest::InstanceEntry;

    fn entry(name: &str) -> WorkspaceEntry {
        WorkspaceEntry {
            instance: InstanceEntry {
                id: "i".into(),
                name: "main".into(),
            },
            name: name.into(),
        }
    }

    fn source() -> Source {
        Source {
            endpoint: "h".into(),
            matches: Vec::new(),
            project_id: "p".into(),
            workspace: None,
        }
    }

    #[test]
    fn workspaces_listed_and_recorded_decide_what_is_mirrored_and_pruned() {
        assert_eq!(mirror_dir("w1"), Path::new("workspaces/w1"));
        assert_eq!(workspace_file("prod"), b"{\n  \"name\": \"prod\"\n}\n");
        assert!(refuse_unwritable_ids(["w1", "w2"]).is_ok());
        let refused = refuse_unwritable_ids(["w1", "a/b", "..", "tab\there", ".GIT"])
            .expect_err("unwritable ids")
            .to_string();
        assert!(refused.contains("a/b, .., tab\\there, .GIT"), "{refused}");

        let listed = BTreeMap::from([("w1".to_string(), entry("prod"))]);
        let bytes = manifest_bytes(source(), listed.clone());
        let found = manifest::parse(&bytes).expect("a root manifest");
        assert_eq!(recorded_ids(&found), ["w1"]);
        assert!(recorded_ids(&Found::Nothing).is_empty());

        let recorded = vec!["gone".to_string(), "w1".to_string(), "x/y".to_string()];
        assert_eq!(vanished(&recorded, &listed), ["gone"]);
        assert!(check_listed(1, &recorded, Path::new("d")).is_ok());
        assert!(check_listed(0, &[], Path::new("d")).is_ok());
        assert!(matches!(
            check_listed(0, &recorded, Path::new("d")),
            Err(BackupError::EmptyListing {
                what: "workspaces",
                recorded: 3,
                ..
            })
        ));
    }
}
