//! The workspaces the emulator serves: an index of job names, their files,
//! types and sizes, built once at start-up. File contents are not held; the
//! archive builder reads them from disk as it writes each entry.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use serde::Deserialize;

use crate::model::JobType;

use super::{EmulatorError, DEFAULT_WORKSPACE_ID};

/// `.job` files bigger than this are not parsed for their metadata (a real one
/// is a few KiB); such a job is listed as a `BATCH` job.
const MAX_JOB_FILE_PARSE: u64 = 16 * 1024 * 1024;

/// The embedded sample's files carry this modification time (2024-05-20 02:00 UTC).
const SAMPLE_MTIME_SECS: u64 = 1_716_170_400;

/// Where an entry's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Embedded(&'static [u8]),
    File(PathBuf),
    /// Imported: the bytes as the archive held them.
    Memory(bytes::Bytes),
}

/// One file of a job: its path relative to the job directory (`/`-separated).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: String,
    pub source: Source,
    pub size: u64,
    pub modified: SystemTime,
}

/// What list jobs reports about a job, taken from its `.job` file.
#[derive(Debug, Clone)]
pub(crate) struct JobMeta {
    pub owner: String,
    pub priority: i64,
    pub directory: String,
    pub create_user: String,
    pub last_update_user: String,
    pub created: SystemTime,
    pub updated: SystemTime,
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub name: String,
    pub job_type: JobType,
    /// `<name>.job`.
    pub job_file: Entry,
    /// Every other file in the job's directory (scripts, resources), sorted.
    pub dependencies: Vec<Entry>,
    pub meta: JobMeta,
}

/// One workspace: jobs sorted by name.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    pub jobs: BTreeMap<String, Job>,
    /// `scripts/<name>.json` of the workspace's directory: scripts as list
    /// scripts returns them (besides those the jobs' `.script` files define).
    pub scripts: BTreeMap<String, serde_json::Value>,
    /// Its name in the Management Center, from `workspace.json`.
    pub name: Option<String>,
}

/// The default workspace and any named ones.
#[derive(Debug, Default)]
pub(crate) struct Store {
    default: Workspace,
    named: HashMap<String, Workspace>,
    /// Things skipped while indexing (printed by `run`).
    pub warnings: Vec<String>,
}

impl Store {
    /// The workspace a `workspace` header selects; absent or empty → the default.
    pub fn workspace(&self, id: Option<&str>) -> Option<&Workspace> {
        match id.map(str::trim) {
            None | Some("") | Some(DEFAULT_WORKSPACE_ID) => Some(&self.default),
            Some(id) => self.named.get(id),
        }
    }

    /// The id a `workspace` header means: `default` for none (or the
    /// default's id), else the id as sent (trimmed).
    pub fn workspace_key(id: Option<&str>) -> String {
        match id.map(str::trim) {
            None | Some("") => DEFAULT_WORKSPACE_ID.to_string(),
            Some(id) => id.to_string(),
        }
    }

    /// The workspace a `workspace` header selects, for changing it (import).
    pub fn workspace_mut(&mut self, id: Option<&str>) -> Option<&mut Workspace> {
        match id.map(str::trim) {
            None | Some("") | Some(DEFAULT_WORKSPACE_ID) => Some(&mut self.default),
            Some(id) => self.named.get_mut(id),
        }
    }

    /// The ids of the workspaces besides the default one, sorted.
    pub fn workspace_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.named.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    pub fn job_count(&self) -> usize {
        self.default.jobs.len() + self.named.values().map(|w| w.jobs.len()).sum::<usize>()
    }

    /// The embedded sample: `job_batch` (with `dws_sql.script`) and `job_stream`.
    pub fn sample() -> Store {
        const JOB_BATCH: &[u8] = include_bytes!("sample/jobs/job_batch/job_batch.job");
        const DWS_SQL: &[u8] = include_bytes!("sample/jobs/job_batch/dws_sql.script");
        const JOB_STREAM: &[u8] = include_bytes!("sample/jobs/job_stream/job_stream.job");
        let mtime = UNIX_EPOCH + Duration::from_secs(SAMPLE_MTIME_SECS);
        let embedded = |name: &str, bytes: &'static [u8]| Entry {
            name: name.to_string(),
            source: Source::Embedded(bytes),
            size: bytes.len() as u64,
            modified: mtime,
        };
        let mut store = Store::default();
        let batch = embedded("job_batch.job", JOB_BATCH);
        let stream = embedded("job_stream.job", JOB_STREAM);
        for (name, job_file, deps) in [
            (
                "job_batch",
                batch,
                vec![embedded("dws_sql.script", DWS_SQL)],
            ),
            ("job_stream", stream, Vec::new()),
        ] {
            let head = JobHead::parse(job_file_bytes(&job_file));
            let job = head.into_job(name, job_file, deps);
            store.default.jobs.insert(name.to_string(), job);
        }
        store
    }

    /// Indexes `dir`: the default workspace in `dir/jobs/<job>/`, workspace
    /// `<id>` in `dir/workspaces/<id>/jobs/<job>/`.
    pub fn load(dir: &Path) -> anyhow::Result<Store> {
        if !dir.is_dir() {
            return Err(EmulatorError::Data {
                path: dir.to_path_buf(),
                detail:
                    "not a directory (expected DIR/jobs/<job>/ or DIR/workspaces/<id>/jobs/<job>/)"
                        .to_string(),
            }
            .into());
        }
        let mut store = Store::default();
        let jobs_dir = dir.join("jobs");
        let workspaces_dir = dir.join("workspaces");
        let has_default = jobs_dir.is_dir() || dir.join("scripts").is_dir();
        if !has_default && !workspaces_dir.is_dir() {
            return Err(EmulatorError::Data {
                path: dir.to_path_buf(),
                detail: "holds neither jobs/ nor workspaces/ (expected DIR/jobs/<job>/ or DIR/workspaces/<id>/jobs/<job>/)".to_string(),
            }
            .into());
        }
        if has_default {
            store.default = load_root(dir, &mut store.warnings)?;
        }
        if workspaces_dir.is_dir() {
            let entries = fs::read_dir(&workspaces_dir)
                .with_context(|| format!("cannot read {}", workspaces_dir.display()))?;
            for entry in entries {
                let entry =
                    entry.with_context(|| format!("cannot read {}", workspaces_dir.display()))?;
                let path = entry.path();
                if !path.is_dir() {
                    continue;
                }
                let Some(id) = entry.file_name().to_str().map(str::to_string) else {
                    store
                        .warnings
                        .push(format!("skipped {}: not a UTF-8 name", path.display()));
                    continue;
                };
                if id == DEFAULT_WORKSPACE_ID && has_default {
                    store.warnings.push(format!(
                        "skipped {}: the default workspace is {}",
                        path.display(),
                        jobs_dir.display()
                    ));
                    continue;
                }
                let workspace = load_root(&path, &mut store.warnings)?;
                store.named.insert(id, workspace);
            }
        }
        // A backup of every workspace holds the default one as workspaces/default/.
        if let Some(default) = store.named.remove(DEFAULT_WORKSPACE_ID) {
            store.default = default;
        }
        Ok(store)
    }
}

impl Job {
    /// A job added by an import: its `.job` file's bytes and its other files
    /// (relative to the job directory), held in memory, dated `now`.
    pub(crate) fn imported(
        name: &str,
        job_file: bytes::Bytes,
        files: Vec<(String, bytes::Bytes)>,
        now: SystemTime,
    ) -> Job {
        let memory = |file_name: String, bytes: bytes::Bytes| Entry {
            name: file_name,
            size: bytes.len() as u64,
            source: Source::Memory(bytes),
            modified: now,
        };
        let head = JobHead::parse(&job_file);
        let mut dependencies: Vec<Entry> = files
            .into_iter()
            .map(|(file_name, bytes)| memory(file_name, bytes))
            .collect();
        dependencies.sort_by(|a, b| a.name.cmp(&b.name));
        head.into_job(name, memory(format!("{name}.job"), job_file), dependencies)
    }
}

fn job_file_bytes(entry: &Entry) -> &[u8] {
    match &entry.source {
        Source::Embedded(bytes) => bytes,
        Source::Memory(bytes) => bytes,
        Source::File(_) => &[],
    }
}

/// One workspace's directory: `root/jobs/<job>/`, `root/scripts/<name>.json`,
/// its name from `root/workspace.json`, and the listing metadata a backup
/// manifest there (`root/dataarts-backup.json`) records, so that a backup
/// directory lists back what it recorded.
fn load_root(root: &Path, warnings: &mut Vec<String>) -> anyhow::Result<Workspace> {
    let jobs = root.join("jobs");
    let mut workspace = if jobs.is_dir() {
        load_workspace(&jobs, warnings)?
    } else {
        Workspace::default()
    };
    let scripts = root.join("scripts");
    if scripts.is_dir() {
        workspace.scripts = load_scripts(&scripts, warnings)?;
    }
    workspace.name = read_small_json::<WorkspaceFile>(&root.join("workspace.json"), warnings)
        .and_then(|file| file.name);
    if let Some(recorded) =
        read_small_json::<Recorded>(&root.join(RECORDED_METADATA_FILE), warnings)
    {
        for (name, job) in recorded.jobs {
            let Some(served) = workspace.jobs.get_mut(&name) else {
                continue;
            };
            if let Some(ms) = job.last_update_time.and_then(|ms| u64::try_from(ms).ok()) {
                served.meta.updated = UNIX_EPOCH + Duration::from_millis(ms);
            }
            if let Some(user) = job.last_update_user {
                served.meta.last_update_user = user;
            }
        }
    }
    Ok(workspace)
}

/// The backup manifest whose job metadata a served directory lists back.
const RECORDED_METADATA_FILE: &str = "dataarts-backup.json";

/// `workspace.json`: `{"name": ...}`.
#[derive(Debug, Deserialize)]
struct WorkspaceFile {
    name: Option<String>,
}

/// The part of a backup manifest list jobs reports.
#[derive(Debug, Default, Deserialize)]
struct Recorded {
    #[serde(default)]
    jobs: BTreeMap<String, RecordedJob>,
}

#[derive(Debug, Deserialize)]
struct RecordedJob {
    #[serde(rename = "lastUpdateTime")]
    last_update_time: Option<i64>,
    #[serde(rename = "lastUpdateUser")]
    last_update_user: Option<String>,
}

/// A small JSON file, if it exists; one that does not parse is a warning.
fn read_small_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    warnings: &mut Vec<String>,
) -> Option<T> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() <= MAX_JOB_FILE_PARSE => {}
        Ok(_) => {
            warnings.push(format!("skipped {}: not a small file", path.display()));
            return None;
        }
        Err(_) => return None,
    }
    match fs::read(path)
        .map_err(|error| error.to_string())
        .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|error| error.to_string()))
    {
        Ok(value) => Some(value),
        Err(error) => {
            warnings.push(format!("skipped {}: {error}", path.display()));
            None
        }
    }
}

/// `scripts/<name>.json`: each a script object; its name is its `name`
/// (else the file's stem).
fn load_scripts(
    dir: &Path,
    warnings: &mut Vec<String>,
) -> anyhow::Result<BTreeMap<String, serde_json::Value>> {
    let mut scripts = BTreeMap::new();
    let entries = fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let path = entry.path();
        let Some(stem) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.strip_suffix(".json"))
            .map(str::to_string)
        else {
            continue;
        };
        let Some(value) = read_small_json::<serde_json::Value>(&path, warnings) else {
            continue;
        };
        if !value.is_object() {
            warnings.push(format!("skipped {}: not a JSON object", path.display()));
            continue;
        }
        let name = value
            .get("name")
            .and_then(serde_json::Value::as_str)
            .map_or(stem, str::to_string);
        scripts.insert(name, value);
    }
    Ok(scripts)
}

fn load_workspace(jobs_dir: &Path, warnings: &mut Vec<String>) -> anyhow::Result<Workspace> {
    let mut workspace = Workspace::default();
    let entries =
        fs::read_dir(jobs_dir).with_context(|| format!("cannot read {}", jobs_dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", jobs_dir.display()))?;
        let path = entry.path();
        let file_type = entry
            .file_type()
            .with_context(|| format!("cannot stat {}", path.display()))?;
        if !file_type.is_dir() {
            continue;
        }
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            warnings.push(format!("skipped {}: not a UTF-8 name", path.display()));
            continue;
        };
        let job_file_name = format!("{name}.job");
        let job_path = path.join(&job_file_name);
        let job_meta = match fs::metadata(&job_path) {
            Ok(meta) if meta.is_file() => meta,
            _ => {
                warnings.push(format!("skipped {}: no {job_file_name}", path.display()));
                continue;
            }
        };
        let head = if job_meta.len() <= MAX_JOB_FILE_PARSE {
            let bytes = fs::read(&job_path)
                .with_context(|| format!("cannot read {}", job_path.display()))?;
            JobHead::parse(&bytes)
        } else {
            JobHead::default()
        };
        let job_file = Entry {
            name: job_file_name.clone(),
            source: Source::File(job_path.clone()),
            size: job_meta.len(),
            modified: job_meta.modified().unwrap_or(UNIX_EPOCH),
        };
        let mut dependencies = Vec::new();
        collect_files(&path, "", &mut dependencies, warnings)
            .with_context(|| format!("cannot index {}", path.display()))?;
        dependencies.retain(|dep| dep.name != job_file_name);
        dependencies.sort_by(|a, b| a.name.cmp(&b.name));
        let job = head.into_job(&name, job_file, dependencies);
        workspace.jobs.insert(name, job);
    }
    Ok(workspace)
}

/// Every regular file under `dir`, with `/`-separated names relative to the job
/// directory. Symlinks and special files are skipped (an export never has them).
fn collect_files(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<Entry>,
    warnings: &mut Vec<String>,
) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let Some(file_name) = entry.file_name().to_str().map(str::to_string) else {
            warnings.push(format!("skipped {}: not a UTF-8 name", path.display()));
            continue;
        };
        let name = if prefix.is_empty() {
            file_name
        } else {
            format!("{prefix}/{file_name}")
        };
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            collect_files(&path, &name, out, warnings)?;
        } else if file_type.is_file() {
            let meta = entry.metadata()?;
            out.push(Entry {
                name,
                source: Source::File(path),
                size: meta.len(),
                modified: meta.modified().unwrap_or(UNIX_EPOCH),
            });
        } else {
            warnings.push(format!("skipped {}: not a regular file", path.display()));
        }
    }
    Ok(())
}

/// The few fields of a `.job` file (a "Creating a Job" request) that list jobs reports.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobHead {
    process_type: Option<String>,
    directory: Option<String>,
    basic_config: Option<BasicConfig>,
    create_user: Option<String>,
    last_update_user: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct BasicConfig {
    owner: Option<String>,
    priority: Option<serde_json::Value>,
}

impl JobHead {
    /// Lenient: a `.job` that is not the expected JSON still lists, as `BATCH`.
    fn parse(bytes: &[u8]) -> JobHead {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    fn into_job(self, name: &str, job_file: Entry, dependencies: Vec<Entry>) -> Job {
        let job_type = self
            .process_type
            .as_deref()
            .and_then(JobType::parse)
            .unwrap_or(JobType::Batch);
        let basic = self.basic_config.unwrap_or_default();
        let priority = match basic.priority {
            Some(serde_json::Value::Number(n)) => n.as_i64().unwrap_or(0),
            Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0),
            _ => 0,
        };
        let owner = basic.owner.unwrap_or_else(|| "emulator".to_string());
        let modified = job_file.modified;
        let meta = JobMeta {
            create_user: self.create_user.unwrap_or_else(|| owner.clone()),
            last_update_user: self.last_update_user.unwrap_or_else(|| owner.clone()),
            owner,
            priority,
            directory: self.directory.unwrap_or_else(|| "/".to_string()),
            created: modified,
            updated: modified,
        };
        Job {
            name: name.to_string(),
            job_type,
            job_file,
            dependencies,
            meta,
        }
    }
}

/// Milliseconds since the epoch, as DLF reports times.
pub(crate) fn epoch_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_has_two_jobs_of_both_types() {
        let store = Store::sample();
        let ws = store.workspace(None).expect("default workspace");
        let batch = &ws.jobs["job_batch"];
        assert_eq!(batch.job_type, JobType::Batch);
        assert_eq!(batch.dependencies.len(), 1);
        assert_eq!(batch.dependencies[0].name, "dws_sql.script");
        assert_eq!(batch.meta.owner, "demo_user");
        assert_eq!(batch.meta.directory, "/demo");
        let stream = &ws.jobs["job_stream"];
        assert_eq!(stream.job_type, JobType::RealTime);
        assert!(stream.dependencies.is_empty());
        assert!(store.workspace(Some("other")).is_none());
        assert!(store.workspace(Some("")).is_some());
    }

    #[test]
    fn load_indexes_workspaces_nested_files_and_unicode_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        let job = dir.path().join("jobs/日报_job");
        fs::create_dir_all(job.join("resources")).expect("mkdir");
        fs::write(
            job.join("日报_job.job"),
            br#"{"processType":"REAL_TIME","basicConfig":{"priority":"2"}}"#,
        )
        .expect("write");
        fs::write(job.join("a.script"), b"{}").expect("write");
        fs::write(job.join("resources/r.resource"), b"{}").expect("write");
        fs::create_dir_all(dir.path().join("jobs/no_job_file")).expect("mkdir");
        let other = dir.path().join("workspaces/ws1/jobs/j1");
        fs::create_dir_all(&other).expect("mkdir");
        fs::write(other.join("j1.job"), b"not json").expect("write");

        let store = Store::load(dir.path()).expect("load");
        let ws = store.workspace(None).expect("default");
        let job = &ws.jobs["日报_job"];
        assert_eq!(job.job_type, JobType::RealTime);
        assert_eq!(job.meta.priority, 2);
        let names: Vec<_> = job.dependencies.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["a.script", "resources/r.resource"]);
        assert_eq!(ws.jobs.len(), 1);
        assert_eq!(store.warnings.len(), 1, "{:?}", store.warnings);
        let ws1 = store.workspace(Some("ws1")).expect("ws1");
        assert_eq!(ws1.jobs["j1"].job_type, JobType::Batch);
        assert!(Store::load(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn a_backup_directory_serves_its_names_scripts_and_recorded_metadata() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("workspaces/default");
        let job = root.join("jobs/j1");
        fs::create_dir_all(&job).expect("mkdir");
        fs::write(job.join("j1.job"), br#"{"processType":"REAL_TIME"}"#).expect("write");
        fs::write(root.join("workspace.json"), br#"{"name": "prod"}"#).expect("write");
        fs::write(
            root.join("dataarts-backup.json"),
            br#"{"format": 1, "jobs": {"j1": {"lastUpdateTime": 1700000000123, "lastUpdateUser": "alice", "type": "REAL_TIME", "files": {}}, "gone": {}}}"#,
        )
        .expect("write");
        let other = dir.path().join("workspaces/ws-2");
        fs::create_dir_all(other.join("scripts")).expect("mkdir");
        fs::write(
            other.join("scripts/s.json"),
            br#"{"name": "s", "content": "select 1"}"#,
        )
        .expect("write");
        fs::write(other.join("scripts/broken.json"), b"{").expect("write");

        let store = Store::load(dir.path()).expect("load");
        let default = store.workspace(None).expect("default");
        assert_eq!(default.name.as_deref(), Some("prod"));
        let j1 = &default.jobs["j1"];
        assert_eq!(epoch_ms(j1.meta.updated), 1_700_000_000_123);
        assert_eq!(j1.meta.last_update_user, "alice");
        assert!(std::ptr::eq(
            store.workspace(Some(DEFAULT_WORKSPACE_ID)).expect("by id"),
            default
        ));
        assert_eq!(store.workspace_ids(), ["ws-2"]);
        let ws2 = store.workspace(Some("ws-2")).expect("ws-2");
        assert_eq!(ws2.scripts.keys().collect::<Vec<_>>(), ["s"]);
        assert_eq!(ws2.name, None);
        assert_eq!(store.warnings.len(), 1, "{:?}", store.warnings);
    }
}
