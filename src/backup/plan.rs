//! The comparison of a fresh export (extracted into staging) with the
//! directory, and the file operations that make the directory its mirror.
//!
//! The directory is compared by the hashes of the files on disk, never by
//! what the manifest says they are: a file edited by hand, a stray file in
//! a job's directory, or a half-finished earlier switch all show as
//! differences and are put right. The manifest says what is ours: a job or
//! script it records may be replaced or pruned; anything else is left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::manifest::{self, FileEntry, Found, JobEntry, Manifest, ScriptEntry, Source, FORMAT};
use super::tree::{self, Node, Tree};
use super::BackupError;
use crate::model::{JobFailure, JobType};
use crate::text::escape_controls;

/// The jobs and scripts a backup owns: those its manifest records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub jobs: BTreeMap<String, JobEntry>,
    pub scripts: BTreeMap<String, ScriptEntry>,
}

impl Recorded {
    pub fn from_manifest(manifest: &Manifest) -> Self {
        Self {
            jobs: manifest.jobs.clone(),
            scripts: manifest.scripts.clone(),
        }
    }

    /// What a manifest found on disk records (nothing, for a root one).
    pub fn of(found: &Found) -> Self {
        match found {
            Found::Workspace(manifest) => Self::from_manifest(manifest),
            Found::Nothing | Found::Root(_) => Self::default(),
        }
    }
}

/// Writes each listed script into `staged/scripts/<name>.json` as a backup
/// keeps it: the listed object, keys sorted, two-space indent, one newline.
pub fn stage_scripts(
    staged: &Path,
    scripts: Vec<(String, serde_json::Value)>,
) -> anyhow::Result<Vec<StagedScript>> {
    let mut written = Vec::with_capacity(scripts.len());
    if scripts.is_empty() {
        return Ok(written);
    }
    let dir = staged.join("scripts");
    fs::create_dir_all(&dir)
        .map_err(|e| anyhow::Error::new(e).context(format!("cannot create {}", dir.display())))?;
    for (name, script) in scripts {
        let bytes = manifest::canonical_json(&script);
        let path = script_file(staged, &name);
        fs::write(&path, &bytes).map_err(|e| {
            anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
        })?;
        written.push(StagedScript {
            name,
            size: bytes.len() as u64,
            sha256: tree::hash_bytes(&bytes),
        });
    }
    Ok(written)
}

/// A job of the workspace, exported into `staged/jobs/<name>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamJob {
    pub name: String,
    pub job_type: JobType,
    pub last_update_time: Option<i64>,
    pub last_update_user: Option<String>,
}

/// A script of the workspace, written into `staged/scripts/<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedScript {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// A workspace's listing, sorted: what can be backed up, and the names that
/// cannot be file names here (failures of those alone).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub jobs: Vec<UpstreamJob>,
    /// `(name, the listed object)`.
    pub scripts: Vec<(String, serde_json::Value)>,
    pub failed: Vec<JobFailure>,
    pub failed_jobs: BTreeSet<String>,
    pub failed_scripts: BTreeSet<String>,
    /// The names set aside, escaped for messages.
    pub unwritable: Vec<String>,
}

impl Listing {
    /// Sets aside the names that cannot be a job's directory or a script's
    /// `<name>.json` here.
    pub fn sort(
        jobs: impl IntoIterator<Item = UpstreamJob>,
        scripts: impl IntoIterator<Item = serde_json::Value>,
    ) -> Self {
        let mut listing = Listing::default();
        let refuse = |listing: &mut Listing, name: &str, reason: &str| {
            // Shown escaped; `failed` keeps the name as the server has it
            // (the text that prints it escapes it).
            listing.unwritable.push(escape_controls(name));
            listing.failed.push(JobFailure::local(
                name,
                format!("not backed up: the name cannot be a file name here ({reason})"),
            ));
        };
        for job in jobs {
            match crate::names::unwritable_reason(&job.name) {
                Some(reason) => {
                    refuse(&mut listing, &job.name, reason);
                    listing.failed_jobs.insert(job.name);
                }
                None => listing.jobs.push(job),
            }
        }
        for script in scripts {
            let name = script
                .get("name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string();
            match super::unwritable_reason(&name, ".json") {
                Some(reason) => {
                    refuse(&mut listing, &name, reason);
                    listing.failed_scripts.insert(name);
                }
                None => listing.scripts.push((name, script)),
            }
        }
        listing
    }

    /// The names of the jobs to back up.
    pub fn job_names(&self) -> Vec<String> {
        self.jobs.iter().map(|job| job.name.clone()).collect()
    }

    /// The names of the scripts to back up.
    pub fn script_names(&self) -> Vec<String> {
        self.scripts.iter().map(|(name, _)| name.clone()).collect()
    }

    /// The guards of a listing, before anything is downloaded: a name that
    /// cannot be a file name fails the run unless `keep_going` (it is a
    /// failure then), and the empty-listing guard applies unless `force`.
    pub fn check(
        &self,
        recorded: &Recorded,
        manifest: &Path,
        keep_going: bool,
        force: bool,
    ) -> Result<(), BackupError> {
        if !self.unwritable.is_empty() && !keep_going {
            return Err(BackupError::UnwritableNames {
                names: self.unwritable.clone(),
            });
        }
        if !force {
            self.check_not_empty(recorded, manifest)?;
        }
        Ok(())
    }

    /// Sets aside jobs that could not be backed up this time (refused by
    /// the API, missing from the archive): listed in `failed`, no longer
    /// among `jobs`, and kept as they are in the mirror.
    pub fn set_aside(&mut self, failures: impl IntoIterator<Item = JobFailure>) {
        for failure in failures {
            self.failed_jobs.insert(failure.name.clone());
            self.failed.push(failure);
        }
        self.jobs
            .retain(|job| !self.failed_jobs.contains(&job.name));
    }

    /// The empty-listing guard: no jobs (or no scripts) listed while the
    /// manifest records some.
    pub fn check_not_empty(&self, recorded: &Recorded, manifest: &Path) -> Result<(), BackupError> {
        let kinds = [
            (
                "jobs",
                self.jobs.is_empty() && self.failed_jobs.is_empty(),
                recorded.jobs.len(),
            ),
            (
                "scripts",
                self.scripts.is_empty() && self.failed_scripts.is_empty(),
                recorded.scripts.len(),
            ),
        ];
        for (what, none_listed, recorded) in kinds {
            if none_listed && recorded > 0 {
                return Err(BackupError::EmptyListing {
                    what,
                    recorded,
                    manifest: manifest.to_path_buf(),
                });
            }
        }
        Ok(())
    }
}

/// One mirror to bring up to date: a workspace into `root`.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Where the mirror is (DIR, or `DIR/workspaces/<id>`).
    pub root: PathBuf,
    /// Where the fresh export and scripts were staged.
    pub staged: PathBuf,
    pub source: Source,
    pub recorded: Recorded,
    /// The manifest's bytes on disk now, if there is one.
    pub manifest_bytes: Option<Vec<u8>>,
    pub jobs: Vec<UpstreamJob>,
    /// Jobs that could not be backed up this time: kept as they are.
    pub failed_jobs: BTreeSet<String>,
    pub scripts: Vec<StagedScript>,
    pub failed_scripts: BTreeSet<String>,
    /// `workspace.json` as it should be (a backup of every workspace).
    pub workspace_file: Option<Vec<u8>>,
}

/// What changed in one kind of thing (jobs or scripts), for the summary and
/// `--json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Section {
    pub added: Vec<String>,
    pub changed: Vec<Changed>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl Section {
    /// Added, changed and removed.
    pub fn differences(&self) -> usize {
        self.added.len() + self.changed.len() + self.removed.len()
    }

    /// Counts a listed job or script: added when the manifest does not
    /// record it, else changed (`files` changed) or unchanged (none did).
    fn tally(&mut self, name: &str, recorded: bool, files: Vec<String>) {
        if !recorded {
            self.added.push(name.to_string());
        } else if files.is_empty() {
            self.unchanged += 1;
        } else {
            self.changed.push(Changed {
                name: name.to_string(),
                files,
            });
        }
    }
}

/// A changed job or script and the files (relative to the mirror) that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub name: String,
    pub files: Vec<String>,
}

/// Everything that differs between the workspace and the mirror.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub jobs: Section,
    pub scripts: Section,
    /// The manifest (or `workspace.json`) would be, or was, rewritten.
    pub manifest_changed: bool,
    /// Jobs whose listing changed (saved without edits: time, user or
    /// type) while their files did not: counted unchanged, their manifest
    /// entries rewritten.
    pub relisted: Vec<String>,
    /// The workspace's name changed (`workspace.json` rewritten).
    #[serde(skip)]
    pub renamed: bool,
}

impl Changes {
    /// Whether the mirror is exact (nothing to write, nothing to remove).
    pub fn is_exact(&self) -> bool {
        self.jobs.differences() == 0 && self.scripts.differences() == 0 && !self.manifest_changed
    }
}

/// How a job's directory is brought up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOp {
    /// The staged directory is renamed into place (what is there, not a
    /// directory, moved aside first).
    Place { name: String, aside: bool },
    /// File by file: `remove` moved aside (deepest last), `mkdir` created,
    /// `write` renamed into place; every other file is left as it is.
    Sync {
        name: String,
        remove: Vec<PathBuf>,
        mkdir: Vec<PathBuf>,
        write: Vec<PathBuf>,
    },
}

impl JobOp {
    /// The job's name.
    pub fn name(&self) -> &str {
        match self {
            JobOp::Place { name, .. } | JobOp::Sync { name, .. } => name,
        }
    }
}

/// The file operations of one mirror, and what they change.
#[derive(Debug, Clone)]
pub struct UnitPlan {
    pub jobs: Vec<JobOp>,
    /// Recorded jobs the workspace no longer has, whose directories exist.
    pub prune_jobs: Vec<String>,
    /// Scripts whose `scripts/<name>.json` is (re)written.
    pub write_scripts: Vec<String>,
    /// Recorded scripts the workspace no longer has, whose files exist.
    pub prune_scripts: Vec<String>,
    /// The new manifest's bytes.
    pub manifest: Vec<u8>,
    /// `workspace.json`, when it must be (re)written.
    pub workspace_file: Option<Vec<u8>>,
    /// The mirror is gone from the workspace listing: its manifest (and
    /// `workspace.json`) are removed too, and `root` when it is left empty.
    pub remove_unit: bool,
    pub changes: Changes,
    /// Entries under `jobs/` and `scripts/` that are neither recorded nor
    /// of the workspace: left alone, said so.
    pub unrecorded: Vec<PathBuf>,
}

impl UnitPlan {
    /// Whether the switch has anything to do.
    pub fn has_work(&self) -> bool {
        !self.changes.is_exact() || !self.jobs.is_empty() || !self.prune_jobs.is_empty()
    }

    /// What the switch removes (or, read-only, would), relative to DIR for
    /// a mirror at `relative`: `jobs/<job>/` and `scripts/<name>.json`.
    pub fn removed_paths(&self, relative: &Path) -> Vec<String> {
        let jobs = self
            .prune_jobs
            .iter()
            .map(|name| format!("{}/", tree::slash_path(&job_dir(relative, name))));
        let scripts = self
            .prune_scripts
            .iter()
            .map(|name| tree::slash_path(&script_file(relative, name)));
        jobs.chain(scripts).collect()
    }
}

/// `jobs/<job>` of a mirror at `root`.
pub fn job_dir(root: &Path, name: &str) -> PathBuf {
    root.join("jobs").join(name)
}

/// `scripts/<name>.json` of a mirror at `root`.
pub fn script_file(root: &Path, name: &str) -> PathBuf {
    root.join("scripts").join(format!("{name}.json"))
}

/// Before anything is downloaded: the folders a backup writes through are
/// not symbolic links (`root` itself may be one: DIR may, and a workspace's
/// folder in DIR is checked where it is made), and nothing the manifest
/// does not record stands where a job or script of the workspace would go
/// (unless `force`).
pub fn check_targets(
    root: &Path,
    recorded: &Recorded,
    jobs: &[String],
    scripts: &[String],
    force: bool,
) -> Result<(), BackupError> {
    tree::require_dir_or_absent_following(root)?;
    tree::require_dir_or_absent(&root.join("jobs"))?;
    tree::require_dir_or_absent(&root.join("scripts"))?;
    let mut not_ours = Vec::new();
    for name in jobs {
        let dir = job_dir(root, name);
        tree::refuse_symlink(&dir)?;
        if !recorded.jobs.contains_key(name) && tree::exists(&dir) {
            not_ours.push(format!("{}/", dir.display()));
        }
    }
    for name in recorded.jobs.keys() {
        tree::refuse_symlink(&job_dir(root, name))?;
    }
    for name in scripts {
        let file = script_file(root, name);
        if !recorded.scripts.contains_key(name) && tree::exists(&file) {
            not_ours.push(file.display().to_string());
        }
    }
    if !not_ours.is_empty() && !force {
        return Err(BackupError::NotOurs { paths: not_ours });
    }
    Ok(())
}

/// Compares the staged export with the mirror and plans the switch: the
/// jobs, then the scripts (each listed one compared with the mirror, each
/// recorded one the workspace lacks pruned unless it failed this time),
/// then the new manifest, and what stands unrecorded beside them.
pub fn plan(unit: &Unit, cancel: &AtomicBool) -> anyhow::Result<UnitPlan> {
    let jobs = plan_jobs(unit, cancel)?;
    let scripts = plan_scripts(unit)?;
    let manifest = manifest::canonical_json(&Manifest {
        format: FORMAT,
        jobs: jobs.entries,
        scripts: scripts.entries,
        source: unit.source.clone(),
    });
    let workspace_file = workspace_file_to_write(unit);
    let renamed = workspace_file.is_some();
    let manifest_changed =
        unit.manifest_bytes.as_deref() != Some(&manifest[..]) || workspace_file.is_some();
    Ok(UnitPlan {
        jobs: jobs.work,
        prune_jobs: jobs.prune,
        write_scripts: scripts.work,
        prune_scripts: scripts.prune,
        manifest,
        workspace_file,
        remove_unit: false,
        changes: Changes {
            jobs: jobs.section,
            scripts: scripts.section,
            manifest_changed,
            relisted: jobs.relisted,
            renamed,
        },
        unrecorded: unrecorded(unit),
    })
}

/// One kind of thing (jobs or scripts), compared: what changed, what the
/// new manifest records, what the switch writes (`W`) and what it prunes.
struct Compared<E, W> {
    section: Section,
    entries: BTreeMap<String, E>,
    work: Vec<W>,
    prune: Vec<String>,
    /// Recorded, no file changed, and the entry did ([`Changes::relisted`]).
    relisted: Vec<String>,
}

impl<E, W> Default for Compared<E, W> {
    fn default() -> Self {
        Self {
            section: Section::default(),
            entries: BTreeMap::new(),
            work: Vec::new(),
            prune: Vec::new(),
            relisted: Vec::new(),
        }
    }
}

impl<E: Clone, W> Compared<E, W> {
    /// The recorded entries the listing lacks (see [`gone`]): removed, and
    /// pruned where anything stands for them in the mirror (at `path`).
    fn remove_gone(
        &mut self,
        recorded: &BTreeMap<String, E>,
        listed: &BTreeSet<&str>,
        failed: &BTreeSet<String>,
        path: impl Fn(&str) -> PathBuf,
    ) {
        self.section.removed = gone(recorded, listed, failed, &mut self.entries);
        self.prune = on_disk(&self.section.removed, path);
    }
}

/// Every listed job, by name, compared with its directory in the mirror;
/// then the recorded jobs the workspace no longer lists.
fn plan_jobs(unit: &Unit, cancel: &AtomicBool) -> anyhow::Result<Compared<JobEntry, JobOp>> {
    let mut compared = Compared::default();
    let mut jobs: Vec<&UpstreamJob> = unit.jobs.iter().collect();
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    for job in jobs {
        let (op, files, entry) = compare_job(unit, job, cancel)?;
        let recorded = unit.recorded.jobs.get(&job.name);
        if recorded.is_some_and(|recorded| recorded != &entry) && files.is_empty() {
            compared.relisted.push(job.name.clone());
        }
        compared.section.tally(&job.name, recorded.is_some(), files);
        compared.work.extend(op);
        compared.entries.insert(job.name.clone(), entry);
    }
    let listed = unit.jobs.iter().map(|job| job.name.as_str()).collect();
    compared.remove_gone(&unit.recorded.jobs, &listed, &unit.failed_jobs, |name| {
        job_dir(&unit.root, name)
    });
    Ok(compared)
}

/// A listed job's staged export compared with its directory in the mirror:
/// how to bring the directory up to date (nothing when it is), the files
/// that change, and the job's new manifest entry.
fn compare_job(
    unit: &Unit,
    job: &UpstreamJob,
    cancel: &AtomicBool,
) -> anyhow::Result<(Option<JobOp>, Vec<String>, JobEntry)> {
    tree::check_cancel(cancel)?;
    let staged = tree::walk(&job_dir(&unit.staged, &job.name), cancel)?;
    let target = job_dir(&unit.root, &job.name);
    let prefix = format!("jobs/{}/", job.name);
    let (op, files) = match fs::symlink_metadata(&target) {
        Ok(meta) if meta.is_dir() => {
            let disk = tree::walk(&target, cancel)?;
            sync(&job.name, &staged, &disk, &prefix)
        }
        // Something that is not a directory (moved aside), or nothing.
        found => (
            Some(JobOp::Place {
                name: job.name.clone(),
                aside: found.is_ok(),
            }),
            every_file(&staged, &prefix),
        ),
    };
    Ok((op, files, job_entry(job, &staged, &prefix)))
}

/// A job as the new manifest records it: its listing, and every staged
/// file (`<prefix><path>`) with its size and hash.
fn job_entry(job: &UpstreamJob, staged: &Tree, prefix: &str) -> JobEntry {
    JobEntry {
        files: staged
            .iter()
            .filter_map(|(path, node)| match node {
                Node::File { size, sha256 } => Some((
                    format!("{prefix}{}", tree::slash_path(path)),
                    FileEntry {
                        sha256: sha256.clone(),
                        size: *size,
                    },
                )),
                Node::Dir | Node::Other => None,
            })
            .collect(),
        last_update_time: job.last_update_time,
        last_update_user: job.last_update_user.clone(),
        job_type: job.job_type,
    }
}

/// Every staged script compared with its file in the mirror; then the
/// recorded scripts the workspace no longer lists.
fn plan_scripts(unit: &Unit) -> anyhow::Result<Compared<ScriptEntry, String>> {
    let mut compared = Compared::default();
    for script in &unit.scripts {
        let same = script_unchanged(&unit.root, script)?;
        let relative = format!("scripts/{}.json", script.name);
        let files = if same {
            Vec::new()
        } else {
            vec![relative.clone()]
        };
        let recorded = unit.recorded.scripts.contains_key(&script.name);
        compared.section.tally(&script.name, recorded, files);
        if !same {
            compared.work.push(script.name.clone());
        }
        compared.entries.insert(
            script.name.clone(),
            ScriptEntry {
                file: relative,
                sha256: script.sha256.clone(),
                size: script.size,
            },
        );
    }
    let listed = unit.scripts.iter().map(|s| s.name.as_str()).collect();
    compared.remove_gone(
        &unit.recorded.scripts,
        &listed,
        &unit.failed_scripts,
        |name| script_file(&unit.root, name),
    );
    Ok(compared)
}

/// Whether the mirror's `scripts/<name>.json` is a file holding exactly
/// the staged script's bytes.
fn script_unchanged(root: &Path, script: &StagedScript) -> anyhow::Result<bool> {
    let file = script_file(root, &script.name);
    match fs::symlink_metadata(&file) {
        Ok(meta) if meta.is_file() => {
            let (size, sha256) = tree::hash_file(&file).map_err(|e| {
                anyhow::Error::new(e).context(format!("cannot read {}", file.display()))
            })?;
            Ok(size == script.size && sha256 == script.sha256)
        }
        _ => Ok(false),
    }
}

/// The recorded names the workspace did not list, in order: those that
/// failed this time keep their entries (copied into `entries`: never pruned
/// because of a refusal); the others are returned, to be removed.
fn gone<E: Clone>(
    recorded: &BTreeMap<String, E>,
    listed: &BTreeSet<&str>,
    failed: &BTreeSet<String>,
    entries: &mut BTreeMap<String, E>,
) -> Vec<String> {
    let mut removed = Vec::new();
    for (name, entry) in recorded {
        if listed.contains(name.as_str()) {
            continue;
        }
        if failed.contains(name) {
            entries.insert(name.clone(), entry.clone());
        } else {
            removed.push(name.clone());
        }
    }
    removed
}

/// Those of `names` that something stands for in the mirror (at `path`).
fn on_disk<'a>(
    names: impl IntoIterator<Item = &'a String>,
    path: impl Fn(&str) -> PathBuf,
) -> Vec<String> {
    names
        .into_iter()
        .filter(|name| tree::exists(&path(name)))
        .cloned()
        .collect()
}

/// `workspace.json` as it should be, when the mirror's is not exactly it.
fn workspace_file_to_write(unit: &Unit) -> Option<Vec<u8>> {
    unit.workspace_file.clone().filter(|wanted| {
        fs::read(unit.root.join(super::root::WORKSPACE_FILE))
            .ok()
            .as_ref()
            != Some(wanted)
    })
}

/// The plan for a mirror whose workspace is gone: everything it records is
/// removed, its manifest last; anything else in it is left alone.
pub fn plan_removal(root: &Path, recorded: &Recorded) -> UnitPlan {
    let mut changes = Changes {
        manifest_changed: true,
        ..Changes::default()
    };
    changes.jobs.removed = recorded.jobs.keys().cloned().collect();
    changes.scripts.removed = recorded.scripts.keys().cloned().collect();
    UnitPlan {
        jobs: Vec::new(),
        prune_jobs: on_disk(recorded.jobs.keys(), |name| job_dir(root, name)),
        write_scripts: Vec::new(),
        prune_scripts: on_disk(recorded.scripts.keys(), |name| script_file(root, name)),
        manifest: Vec::new(),
        workspace_file: None,
        remove_unit: true,
        changes,
        unrecorded: Vec::new(),
    }
}

/// `jobs/<x>` and `scripts/<x>` entries that are neither recorded nor listed.
fn unrecorded(unit: &Unit) -> Vec<PathBuf> {
    let jobs: BTreeSet<&str> = unit.jobs.iter().map(|job| job.name.as_str()).collect();
    let scripts: BTreeSet<&str> = unit.scripts.iter().map(|s| s.name.as_str()).collect();
    let mut found = Vec::new();
    let entries = |dir: PathBuf| -> Vec<(String, PathBuf)> {
        fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (name, path) in entries(unit.root.join("jobs")) {
        if !jobs.contains(name.as_str())
            && !unit.recorded.jobs.contains_key(&name)
            && !unit.failed_jobs.contains(&name)
        {
            found.push(path);
        }
    }
    for (file_name, path) in entries(unit.root.join("scripts")) {
        let name = file_name.strip_suffix(".json");
        let ours = name.is_some_and(|name| {
            scripts.contains(name)
                || unit.recorded.scripts.contains_key(name)
                || unit.failed_scripts.contains(name)
        });
        if !ours {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Every file (and empty folder) of `staged`, as the summary names them.
fn every_file(staged: &Tree, prefix: &str) -> Vec<String> {
    let mut files = BTreeSet::new();
    for (path, node) in staged {
        match node {
            Node::File { .. } | Node::Other => {
                files.insert(format!("{prefix}{}", tree::slash_path(path)));
            }
            Node::Dir => {
                if !staged
                    .keys()
                    .any(|other| other != path && other.starts_with(path))
                {
                    files.insert(format!("{prefix}{}/", tree::slash_path(path)));
                }
            }
        }
    }
    files.into_iter().collect()
}

/// The operations that turn `disk` into `staged`, and the paths that change.
fn sync(name: &str, staged: &Tree, disk: &Tree, prefix: &str) -> (Option<JobOp>, Vec<String>) {
    let mut remove: Vec<PathBuf> = Vec::new();
    let mut changed = BTreeSet::new();
    let shown = |path: &Path, dir: bool| {
        let text = format!("{prefix}{}", tree::slash_path(path));
        if dir {
            format!("{text}/")
        } else {
            text
        }
    };
    // Parents come before their children in a BTreeMap of paths.
    for (path, node) in disk {
        if remove.iter().any(|removed| path.starts_with(removed)) {
            continue;
        }
        let keep = matches!(
            (node, staged.get(path)),
            (Node::Dir, Some(Node::Dir)) | (Node::File { .. }, Some(Node::File { .. }))
        );
        if keep {
            continue;
        }
        remove.push(path.clone());
        if matches!(node, Node::Dir) {
            let inside: Vec<&PathBuf> = disk
                .iter()
                .filter(|(other, kind)| other.starts_with(path) && !matches!(kind, Node::Dir))
                .map(|(other, _)| other)
                .collect();
            if inside.is_empty() {
                changed.insert(shown(path, true));
            }
            changed.extend(inside.into_iter().map(|other| shown(other, false)));
        } else {
            changed.insert(shown(path, false));
        }
    }
    let gone = |path: &Path| remove.iter().any(|removed| path.starts_with(removed));
    let mut mkdir = Vec::new();
    let mut write = Vec::new();
    for (path, node) in staged {
        let on_disk = if gone(path) { None } else { disk.get(path) };
        match node {
            Node::Dir => {
                if on_disk.is_none() {
                    mkdir.push(path.clone());
                    if !staged
                        .iter()
                        .any(|(other, kind)| other.starts_with(path) && !matches!(kind, Node::Dir))
                    {
                        changed.insert(shown(path, true));
                    }
                }
            }
            Node::File { .. } | Node::Other => {
                if on_disk != Some(node) {
                    write.push(path.clone());
                    changed.insert(shown(path, false));
                }
            }
        }
    }
    if remove.is_empty() && mkdir.is_empty() && write.is_empty() {
        return (None, Vec::new());
    }
    (
        Some(JobOp::Sync {
            name: name.to_string(),
            remove,
            mkdir,
            write,
        }),
        changed.into_iter().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &str) -> Node {
        Node::File {
            size: content.len() as u64,
            sha256: tree::hash_bytes(content.as_bytes()),
        }
    }

    /// A listed batch job with no update time nor user.
    fn job(name: &str) -> UpstreamJob {
        UpstreamJob {
            name: name.to_string(),
            job_type: JobType::Batch,
            last_update_time: None,
            last_update_user: None,
        }
    }

    /// What a manifest recording one script `name` (and no job) records.
    fn recording_script(name: &str) -> Recorded {
        let mut recorded = Recorded::default();
        recorded.scripts.insert(
            name.into(),
            ScriptEntry {
                file: format!("scripts/{name}.json"),
                sha256: String::new(),
                size: 0,
            },
        );
        recorded
    }

    fn tree_of(entries: &[(&str, Node)]) -> Tree {
        entries
            .iter()
            .map(|(path, node)| (PathBuf::from(path), node.clone()))
            .collect()
    }

    #[test]
    fn sync_writes_only_what_differs_and_removes_strays() {
        let staged = tree_of(&[
            ("j.job", file("new")),
            ("same.script", file("same")),
            ("res", Node::Dir),
            ("res/r.resource", file("r")),
        ]);
        let disk = tree_of(&[
            ("j.job", file("old")),
            ("same.script", file("same")),
            ("stray.txt", file("x")),
            (
                "res",
                Node::File {
                    size: 1,
                    sha256: "0".into(),
                },
            ),
            ("old", Node::Dir),
            ("old/a", file("a")),
            ("old/b", Node::Dir),
            ("link", Node::Other),
        ]);
        let (op, changed) = sync("j", &staged, &disk, "jobs/j/");
        let Some(JobOp::Sync {
            remove,
            mkdir,
            write,
            ..
        }) = op
        else {
            panic!("not a sync: {op:?}")
        };
        let paths = |v: &[PathBuf]| v.iter().map(|p| tree::slash_path(p)).collect::<Vec<_>>();
        assert_eq!(paths(&remove), ["link", "old", "res", "stray.txt"]);
        assert_eq!(paths(&mkdir), ["res"]);
        assert_eq!(paths(&write), ["j.job", "res/r.resource"]);
        assert_eq!(
            changed,
            [
                "jobs/j/j.job",
                "jobs/j/link",
                "jobs/j/old/a",
                "jobs/j/res",
                "jobs/j/res/r.resource",
                "jobs/j/stray.txt"
            ]
        );
        let (op, changed) = sync("j", &staged, &staged, "jobs/j/");
        assert!(op.is_none() && changed.is_empty());
    }

    #[test]
    fn names_that_cannot_be_file_names_are_set_aside() {
        let long = "数".repeat(86);
        let listing = Listing::sort(
            [job("ok"), job(&long)],
            [
                serde_json::json!({"name": "s"}),
                serde_json::json!({"name": "a/b"}),
                serde_json::json!({"name": "tab\there"}),
            ],
        );
        assert_eq!(listing.jobs, [job("ok")]);
        assert_eq!(listing.scripts.len(), 1);
        assert_eq!(listing.unwritable.len(), 3);
        assert!(listing.failed_jobs.contains(&long));
        // Shown escaped; `failed` keeps the name as the server has it.
        assert_eq!(listing.unwritable[2], "tab\\there");
        assert_eq!(listing.failed[2].name, "tab\there");
        let mut recorded = Recorded::default();
        assert!(listing.check_not_empty(&recorded, Path::new("m")).is_ok());
        recorded = recording_script("s");
        assert!(Listing::default()
            .check_not_empty(&recorded, Path::new("m"))
            .is_err());
    }

    #[test]
    fn listed_entries_tally_as_added_changed_or_unchanged() {
        let mut section = Section::default();
        section.tally("new", false, vec!["jobs/new/new.job".into()]);
        section.tally("same", true, Vec::new());
        section.tally("edited", true, vec!["jobs/edited/e.job".into()]);
        assert_eq!(
            section,
            Section {
                added: vec!["new".into()],
                changed: vec![Changed {
                    name: "edited".into(),
                    files: vec!["jobs/edited/e.job".into()],
                }],
                removed: Vec::new(),
                unchanged: 1,
            }
        );
    }

    #[test]
    fn recorded_entries_gone_from_the_listing_are_removed_unless_they_failed() {
        let recorded: BTreeMap<String, u8> = [
            ("a".into(), 1),
            ("failed".into(), 2),
            ("listed".into(), 3),
            ("z".into(), 4),
        ]
        .into();
        let listed = BTreeSet::from(["listed"]);
        let failed = BTreeSet::from(["failed".to_string()]);
        let mut entries = BTreeMap::from([("listed".to_string(), 30)]);
        let removed = gone(&recorded, &listed, &failed, &mut entries);
        assert_eq!(removed, ["a", "z"]);
        assert_eq!(
            entries,
            BTreeMap::from([("failed".to_string(), 2), ("listed".to_string(), 30)]),
            "a failure keeps its entry, a listed one its new entry"
        );
    }

    #[test]
    fn a_job_entry_records_every_staged_file_under_its_prefix() {
        let job = UpstreamJob {
            name: "j".into(),
            job_type: JobType::RealTime,
            last_update_time: Some(7),
            last_update_user: Some("u".into()),
        };
        let staged = tree_of(&[
            ("j.job", file("job")),
            ("res", Node::Dir),
            ("res/r.resource", file("r")),
            ("link", Node::Other),
        ]);
        let entry = job_entry(&job, &staged, "jobs/j/");
        assert_eq!(
            entry.files.keys().collect::<Vec<_>>(),
            ["jobs/j/j.job", "jobs/j/res/r.resource"]
        );
        assert_eq!(entry.files["jobs/j/j.job"].size, 3);
        assert_eq!(entry.files["jobs/j/j.job"].sha256, tree::hash_bytes(b"job"));
        assert_eq!(
            (entry.last_update_time, entry.last_update_user.as_deref()),
            (Some(7), Some("u"))
        );
        assert_eq!(entry.job_type, JobType::RealTime);
    }

    #[test]
    fn only_a_workspace_manifest_records_jobs_and_scripts() {
        let recorded = recording_script("s");
        let manifest = Manifest {
            format: FORMAT,
            jobs: BTreeMap::new(),
            scripts: recorded.scripts.clone(),
            source: Source {
                endpoint: "h".into(),
                matches: Vec::new(),
                project_id: "p".into(),
                workspace: None,
            },
        };
        assert_eq!(Recorded::of(&Found::Workspace(manifest)), recorded);
        assert_eq!(Recorded::of(&Found::Nothing), Recorded::default());
    }

    #[test]
    fn a_listing_passes_its_guards_and_sets_failed_jobs_aside() {
        let mut listing = Listing::sort(
            [job("a"), job("b"), job("c"), job("a/b")],
            [serde_json::json!({"name": "s"})],
        );
        assert_eq!(listing.job_names(), ["a", "b", "c"]);
        assert_eq!(listing.script_names(), ["s"]);
        let recorded = Recorded::default();
        let manifest = Path::new("m");
        assert!(matches!(
            listing.check(&recorded, manifest, false, false),
            Err(BackupError::UnwritableNames { .. })
        ));
        assert!(listing.check(&recorded, manifest, true, false).is_ok());

        listing.set_aside([JobFailure::local("b", "refused")]);
        listing.set_aside([JobFailure::local("c", "missing")]);
        assert_eq!(listing.job_names(), ["a"]);
        assert!(["a/b", "b", "c"]
            .iter()
            .all(|name| listing.failed_jobs.contains(*name)));
        let failed: Vec<&str> = listing.failed.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(failed, ["a/b", "b", "c"]);

        let recorded = recording_script("s");
        let empty = Listing::default();
        assert!(matches!(
            empty.check(&recorded, manifest, false, false),
            Err(BackupError::EmptyListing {
                what: "scripts",
                ..
            })
        ));
        assert!(empty.check(&recorded, manifest, false, true).is_ok());
    }

    #[test]
    fn removed_paths_are_named_from_dir() {
        let mut unit = plan_removal(Path::new("/nowhere"), &Recorded::default());
        unit.prune_jobs = vec!["a".into(), "b".into()];
        unit.prune_scripts = vec!["s".into()];
        assert_eq!(
            unit.removed_paths(Path::new("")),
            ["jobs/a/", "jobs/b/", "scripts/s.json"]
        );
        assert_eq!(
            unit.removed_paths(Path::new("workspaces/w")),
            [
                "workspaces/w/jobs/a/",
                "workspaces/w/jobs/b/",
                "workspaces/w/scripts/s.json"
            ]
        );
    }

    #[test]
    fn every_file_names_empty_folders_with_a_slash() {
        let staged = tree_of(&[("a", Node::Dir), ("a/x", file("x")), ("empty", Node::Dir)]);
        assert_eq!(
            every_file(&staged, "jobs/j/"),
            ["jobs/j/a/x", "jobs/j/empty/"]
        );
    }
}
