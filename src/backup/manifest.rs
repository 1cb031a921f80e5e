//! The manifest, `DIR/dataarts-backup.json`:
//!
//! ```text
//! {"format": 1,
//!  "jobs": {"<name>": {"files": {"jobs/<name>/<file>": {"sha256": "<hex>", "size": <int>}, …},
//!                      "lastUpdateTime": <int|null>, "lastUpdateUser": "<str>"|null,
//!                      "type": "BATCH"|"REAL_TIME"}, …},
//!  "scripts": {"<name>": {"file": "scripts/<name>.json", "sha256": "<hex>", "size": <int>}, …},
//!  "source": {"endpoint": "<host[:port]>", "match": [...], "project_id": "…", "workspace": "<id>"|null}}
//! ```
//!
//! and, for a backup of every workspace, the root manifest listing them
//! (`{"format", "source", "workspaces": {"<id>": {"instance": {"id", "name"},
//! "name"}}}`). Every JSON file a backup writes has sorted keys, two-space
//! indent and one trailing newline ([`canonical_json`]), and holds nothing
//! that changes when the workspace did not (no time of the run).

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::BackupError;
use crate::model::JobType;

/// The manifest's file name, in DIR (and in each `DIR/workspaces/<id>/`).
pub const MANIFEST_FILE: &str = "dataarts-backup.json";
/// `format` of the manifests this version writes and reads.
pub const FORMAT: u32 = 1;
/// The manifest files larger than this are refused (a real one is far smaller).
const MAX_MANIFEST: u64 = 256 * 1024 * 1024;

/// What a backup mirrors: its lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Host, and port when the URL has one, of the DLF endpoint.
    pub endpoint: String,
    /// The `--match` patterns, sorted, each once.
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub project_id: String,
    /// `None`: the default workspace (no `workspace` header).
    pub workspace: Option<String>,
}

impl Source {
    /// The same lineage: endpoint, project and workspace equal, and the
    /// same set of patterns (they combine with OR, so order and repeats do
    /// not count).
    pub fn same_lineage(&self, other: &Source) -> bool {
        let patterns = |source: &Source| -> std::collections::BTreeSet<String> {
            source.matches.iter().cloned().collect()
        };
        self.endpoint == other.endpoint
            && self.project_id == other.project_id
            && self.workspace == other.workspace
            && patterns(self) == patterns(other)
    }
}

impl fmt::Display for Source {
    /// `127.0.0.1:8080 project P, workspace W, jobs matching etl_*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} project {}, ", self.endpoint, self.project_id)?;
        match &self.workspace {
            Some(id) => write!(f, "workspace {id}, ")?,
            None => f.write_str("the default workspace, ")?,
        }
        if self.matches.is_empty() {
            f.write_str("every job")
        } else {
            write!(f, "jobs matching {}", self.matches.join(" or "))
        }
    }
}

/// One workspace's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub jobs: BTreeMap<String, JobEntry>,
    pub scripts: BTreeMap<String, ScriptEntry>,
    pub source: Source,
}

/// A job as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEntry {
    /// `jobs/<name>/<file>` → its size and hash.
    pub files: BTreeMap<String, FileEntry>,
    #[serde(rename = "lastUpdateTime")]
    pub last_update_time: Option<i64>,
    #[serde(rename = "lastUpdateUser")]
    pub last_update_user: Option<String>,
    #[serde(rename = "type")]
    pub job_type: JobType,
}

/// A file's size and SHA-256 (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
}

/// A script as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptEntry {
    /// `scripts/<name>.json`.
    pub file: String,
    pub sha256: String,
    pub size: u64,
}

/// The root manifest of a backup of every workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootManifest {
    pub format: u32,
    /// `workspace` is always `None` here.
    pub source: Source,
    pub workspaces: BTreeMap<String, WorkspaceEntry>,
}

/// A workspace as the root manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceEntry {
    pub instance: InstanceEntry,
    pub name: String,
}

/// A DataArts Studio instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceEntry {
    pub id: String,
    pub name: String,
}

/// What a directory's manifest file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// No manifest (a first backup).
    Nothing,
    Workspace(Manifest),
    Root(RootManifest),
}

/// A manifest read from disk, with its exact bytes (to tell whether a new
/// one differs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDisk {
    pub found: Found,
    pub bytes: Option<Vec<u8>>,
}

/// Reads `dir/dataarts-backup.json`, if there is one.
pub fn read(dir: &Path) -> Result<OnDisk, BackupError> {
    let path = dir.join(MANIFEST_FILE);
    let unreadable = |detail: String| BackupError::UnreadableManifest {
        path: path.clone(),
        detail,
    };
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Ok(OnDisk {
                found: Found::Nothing,
                bytes: None,
            })
        }
        Err(error) => return Err(unreadable(error.to_string())),
    };
    if !meta.is_file() {
        return Err(unreadable("not a regular file".to_string()));
    }
    if meta.len() > MAX_MANIFEST {
        return Err(unreadable(format!("larger than {MAX_MANIFEST} bytes")));
    }
    let bytes = std::fs::read(&path).map_err(|error| unreadable(error.to_string()))?;
    let found = parse(&bytes).map_err(unreadable)?;
    Ok(OnDisk {
        found,
        bytes: Some(bytes),
    })
}

/// The lineage guard: `Err` when the manifest found in `dir` records another
/// source than `current` (a backup of every workspace when
/// `every_workspace`).
pub fn check_lineage(
    dir: &Path,
    found: &Found,
    current: &Source,
    every_workspace: bool,
) -> Result<(), BackupError> {
    let recorded = match found {
        Found::Nothing => return Ok(()),
        Found::Workspace(manifest) if !every_workspace && manifest.source.same_lineage(current) => {
            return Ok(())
        }
        Found::Root(root) if every_workspace && root.source.same_lineage(current) => return Ok(()),
        Found::Workspace(manifest) => manifest.source.to_string(),
        Found::Root(root) => every_workspace_of(&root.source),
    };
    Err(BackupError::Lineage {
        manifest: dir.join(MANIFEST_FILE),
        recorded,
        current: if every_workspace {
            every_workspace_of(current)
        } else {
            current.to_string()
        },
    })
}

/// `127.0.0.1:8080 project P, every workspace, every job`.
fn every_workspace_of(source: &Source) -> String {
    let jobs = if source.matches.is_empty() {
        "every job".to_string()
    } else {
        format!("jobs matching {}", source.matches.join(" or "))
    };
    format!(
        "{} project {}, every workspace, {jobs}",
        source.endpoint, source.project_id
    )
}

/// A manifest's bytes: a workspace's, or a root one (it has `workspaces`).
pub fn parse(bytes: &[u8]) -> Result<Found, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    let format = value.get("format").and_then(Value::as_u64);
    if format != Some(u64::from(FORMAT)) {
        return Err(match format {
            Some(other) => format!("format {other} is not one this version reads ({FORMAT})"),
            None => "it has no `format`".to_string(),
        });
    }
    if value.get("workspaces").is_some() {
        serde_json::from_value(value)
            .map(Found::Root)
            .map_err(|error| error.to_string())
    } else {
        serde_json::from_value(value)
            .map(Found::Workspace)
            .map_err(|error| error.to_string())
    }
}

/// `value` as every JSON file of a backup is written: keys sorted at every
/// level, two-space indent, one trailing newline.
pub fn canonical_json(value: &impl Serialize) -> Vec<u8> {
    // Serialising plain data to a Value cannot fail; a failure writes `null`.
    let value = serde_json::to_value(value).unwrap_or(Value::Null);
    let mut bytes = serde_json::to_vec_pretty(&sorted(value)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The same value with every object's keys inserted in sorted order (so the
/// output is sorted whether or not `serde_json` keeps insertion order).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sorted(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let mut files = BTreeMap::new();
        files.insert(
            "jobs/j/j.job".to_string(),
            FileEntry {
                sha256: "ab".repeat(32),
                size: 12,
            },
        );
        let mut jobs = BTreeMap::new();
        jobs.insert(
            "j".to_string(),
            JobEntry {
                files,
                last_update_time: Some(1_716_170_400_000),
                last_update_user: None,
                job_type: JobType::RealTime,
            },
        );
        let mut scripts = BTreeMap::new();
        scripts.insert(
            "s".to_string(),
            ScriptEntry {
                file: "scripts/s.json".into(),
                sha256: "cd".repeat(32),
                size: 3,
            },
        );
        Manifest {
            format: FORMAT,
            jobs,
            scripts,
            source: Source {
                endpoint: "127.0.0.1:8080".into(),
                matches: vec!["etl_*".into()],
                project_id: "p".into(),
                workspace: None,
            },
        }
    }

    #[test]
    fn the_order_and_repeats_of_patterns_are_not_another_lineage() {
        let recorded = manifest();
        let mut current = recorded.source.clone();
        current.matches = vec!["b*".into(), "etl_*".into()];
        let mut reordered = recorded.clone();
        reordered.source.matches = vec!["etl_*".into(), "b*".into(), "etl_*".into()];
        let found = Found::Workspace(reordered);
        assert!(check_lineage(Path::new("d"), &found, &current, false).is_ok());
        current.matches = vec!["b*".into()];
        assert!(check_lineage(Path::new("d"), &found, &current, false).is_err());
        current.workspace = Some("w".into());
        assert!(!recorded.source.same_lineage(&current));
    }

    #[test]
    fn the_manifest_has_the_documented_shape_with_sorted_keys() {
        let bytes = canonical_json(&manifest());
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        let expected = format!(
            r#"{{
  "format": 1,
  "jobs": {{
    "j": {{
      "files": {{
        "jobs/j/j.job": {{
          "sha256": "{}",
          "size": 12
        }}
      }},
      "lastUpdateTime": 1716170400000,
      "lastUpdateUser": null,
      "type": "REAL_TIME"
    }}
  }},
  "scripts": {{
    "s": {{
      "file": "scripts/s.json",
      "sha256": "{}",
      "size": 3
    }}
  }},
  "source": {{
    "endpoint": "127.0.0.1:8080",
    "match": [
      "etl_*"
    ],
    "project_id": "p",
    "workspace": null
  }}
}}
"#,
            "ab".repeat(32),
            "cd".repeat(32)
        );
        assert_eq!(text, expected);
        assert_eq!(parse(&bytes), Ok(Found::Workspace(manifest())));
        // Written again, byte for byte the same.
        assert_eq!(canonical_json(&manifest()), bytes);
    }

    #[test]
    fn listed_objects_are_written_with_sorted_keys_at_every_level() {
        let value: Value = serde_json::from_str(
            r#"{"name":"s","type":"DWSSQL","configuration":{"z":1,"a":[{"y":2,"b":3}]},"content":"数据\n"}"#,
        )
        .expect("json");
        let text = String::from_utf8(canonical_json(&value)).expect("utf-8");
        assert_eq!(
            text,
            "{\n  \"configuration\": {\n    \"a\": [\n      {\n        \"b\": 3,\n        \"y\": 2\n      }\n    ],\n    \"z\": 1\n  },\n  \"content\": \"数据\\n\",\n  \"name\": \"s\",\n  \"type\": \"DWSSQL\"\n}\n"
        );
    }

    #[test]
    fn root_manifests_and_bad_files_are_told_apart() {
        let root = RootManifest {
            format: 1,
            source: manifest().source,
            workspaces: BTreeMap::from([(
                "w".to_string(),
                WorkspaceEntry {
                    instance: InstanceEntry {
                        id: "i".into(),
                        name: "main".into(),
                    },
                    name: "prod".into(),
                },
            )]),
        };
        assert_eq!(parse(&canonical_json(&root)), Ok(Found::Root(root)));
        assert!(parse(b"{").is_err());
        assert!(parse(br#"{"format": 2, "jobs": {}}"#)
            .expect_err("format 2")
            .contains("format 2"));
        assert!(parse(br#"{"jobs": {}}"#).is_err());
        let current = manifest().source;
        let found = Found::Workspace(manifest());
        assert!(check_lineage(Path::new("d"), &found, &current, false).is_ok());
        let other = Source {
            workspace: Some("w".into()),
            ..current.clone()
        };
        let refused = check_lineage(Path::new("d"), &found, &other, false)
            .expect_err("another workspace")
            .to_string();
        assert_eq!(
            refused,
            "d/dataarts-backup.json is a backup of 127.0.0.1:8080 project p, the default workspace, \
             jobs matching etl_*, not of 127.0.0.1:8080 project p, workspace w, jobs matching etl_*"
        );
        assert!(check_lineage(Path::new("d"), &found, &current, true).is_err());
        assert!(check_lineage(Path::new("d"), &Found::Nothing, &other, true).is_ok());
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read(dir.path()).expect("read").found, Found::Nothing);
        std::fs::write(dir.path().join(MANIFEST_FILE), b"not json").expect("write");
        assert!(matches!(
            read(dir.path()),
            Err(BackupError::UnreadableManifest { .. })
        ));
    }
}
