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

use super::EmulatorError;

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
            None | Some("") => Some(&self.default),
            Some(id) => self.named.get(id),
        }
    }

    /// The workspace a `workspace` header selects, for changing it (import).
    pub fn workspace_mut(&mut self, id: Option<&str>) -> Option<&mut Workspace> {
        match id.map(str::trim) {
            None | Some("") => Some(&mut self.default),
            Some(id) => self.named.get_mut(id),
        }
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
        if !jobs_dir.is_dir() && !workspaces_dir.is_dir() {
            return Err(EmulatorError::Data {
                path: dir.to_path_buf(),
                detail: "holds neither jobs/ nor workspaces/ (expected DIR/jobs/<job>/ or DIR/workspaces/<id>/jobs/<job>/)".to_string(),
            }
            .into());
        }
        if jobs_dir.is_dir() {
            store.default = load_workspace(&jobs_dir, &mut store.warnings)?;
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
                let jobs = path.join("jobs");
                let workspace = if jobs.is_dir() {
                    load_workspace(&jobs, &mut store.warnings)?
                } else {
                    Workspace::default()
                };
                store.named.insert(id, workspace);
            }
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
}
