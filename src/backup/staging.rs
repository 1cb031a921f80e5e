//! The staging directory, the switch, and the recovery of an interrupted one.
//!
//! Everything a run writes goes first into `DIR/.dataarts-backup-<random>/`
//! (on the same filesystem as the mirror, so that the switch is renames):
//!
//! ```text
//! lock                 held (an advisory lock) while the run lives
//! downloads/           the export archives
//! <n>/target           the mirror this unit updates, relative to DIR ("" or "workspaces/<id>")
//! <n>/new/             the fresh export (jobs/<job>/...), scripts/<name>.json, and the
//!                      new manifest: its presence means the unit's switch is not finished
//! <n>/old/             what the switch moved out of the mirror
//! root.json            the new root manifest of a backup of every workspace (same rule)
//! ```
//!
//! The switch renames the new jobs and scripts into place, moves replaced
//! and pruned ones into `old/`, and renames the manifest into place last.
//! A staging directory left by a run that was killed is found by the next
//! run: if its switch had not finished, whatever it had moved out and not
//! yet replaced is put back (a whole version of every file), and what its
//! new manifest recorded is treated as recorded; then it is removed. The
//! next run compares by hashes, so a mirror half switched is put right.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context as _;

use super::manifest::{self, Found, MANIFEST_FILE};
use super::plan::{job_dir, script_file, JobOp, Recorded, UnitPlan};
use super::tree;
use super::BackupError;

/// Staging directories are named `<prefix><random>`.
pub const PREFIX: &str = ".dataarts-backup-";
/// `workspace.json` in a mirror of one of every workspace: `{"name": …}`.
pub const WORKSPACE_FILE: &str = "workspace.json";
/// The pending root manifest, in the staging directory.
const PENDING_ROOT: &str = "root.json";
const LOCK: &str = "lock";
const TARGET: &str = "target";

/// A staging directory, removed (with everything in it) when dropped.
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
    lock: Option<fs::File>,
    keep: bool,
}

/// The folders of one unit in a staging directory.
#[derive(Debug, Clone)]
pub struct UnitDirs {
    /// What goes into place.
    pub new: PathBuf,
    /// What the switch moves out.
    pub old: PathBuf,
}

impl Staging {
    /// Creates a locked staging directory in `dir` (which must exist).
    pub fn create_in(dir: &Path) -> anyhow::Result<Self> {
        let path = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir_in(dir)
            .with_context(|| format!("cannot create a staging directory in {}", dir.display()))?
            .keep();
        let lock = fs::OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(path.join(LOCK))
            .and_then(|file| {
                file.try_lock().map_err(io::Error::other)?;
                Ok(file)
            });
        match lock {
            Ok(lock) => Ok(Self {
                path,
                lock: Some(lock),
                keep: false,
            }),
            Err(error) => {
                let _ = fs::remove_dir_all(&path);
                Err(anyhow::Error::new(error).context(format!(
                    "cannot lock a staging directory in {}",
                    dir.display()
                )))
            }
        }
    }

    /// A staging directory outside the mirror, for runs that change nothing
    /// in it (`--check`, `--dry-run`).
    pub fn create_temporary() -> anyhow::Result<Self> {
        Self::create_in(&std::env::temp_dir())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where downloads go.
    pub fn downloads(&self) -> anyhow::Result<PathBuf> {
        let dir = self.path.join("downloads");
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }

    /// The folders of unit `n`, which updates the mirror at `target`
    /// (relative to DIR).
    pub fn unit(&self, n: usize, target: &Path) -> anyhow::Result<UnitDirs> {
        let dir = self.path.join(n.to_string());
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        fs::write(dir.join(TARGET), tree::slash_path(target))
            .with_context(|| format!("cannot write {}", dir.display()))?;
        Ok(UnitDirs {
            new: dir.join("new"),
            old: dir.join("old"),
        })
    }

    /// Where the new root manifest waits for the end of the switch.
    pub fn pending_root(&self) -> PathBuf {
        self.path.join(PENDING_ROOT)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        self.lock = None;
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
impl Staging {
    /// Leaves the directory behind, unlocked, as a killed run does.
    pub(crate) fn abandon(mut self) -> PathBuf {
        self.keep = true;
        self.path.clone()
    }
}

/// Staging directories in `dir` (left by runs that were killed, or in use
/// by one running now).
pub fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| entry.file_name().to_string_lossy().starts_with(PREFIX))
                .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
                .map(|entry| entry.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// `Busy` when a live run holds `staging`'s lock.
pub fn refuse_if_busy(dir: &Path, staging: &Path) -> Result<(), BackupError> {
    let Ok(lock) = fs::File::open(staging.join(LOCK)) else {
        return Ok(());
    };
    match lock.try_lock() {
        Err(fs::TryLockError::WouldBlock) => Err(BackupError::Busy {
            dir: dir.to_path_buf(),
            staging: staging.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// What a recovery found and did.
#[derive(Debug, Default)]
pub struct Recovered {
    /// The staging directories removed.
    pub removed: Vec<PathBuf>,
    /// Files and folders put back where an unfinished switch had moved them out.
    pub restored: usize,
    /// Mirror (relative to DIR) → what its unfinished switch was about to record.
    pub pending: Vec<(PathBuf, Recorded)>,
    /// The root manifest an unfinished switch was about to write.
    pub pending_root: Option<manifest::RootManifest>,
}

/// Recovers from the staging directories `found` in `dir` (see the module
/// docs) and removes them. None may be in use (see [`refuse_if_busy`]).
pub fn recover(dir: &Path, found: &[PathBuf]) -> anyhow::Result<Recovered> {
    let mut recovered = Recovered::default();
    for staging in found {
        refuse_if_busy(dir, staging)?;
        if let Ok(bytes) = fs::read(staging.join(PENDING_ROOT)) {
            if let Ok(Found::Root(root)) = manifest::parse(&bytes) {
                recovered.pending_root = Some(root);
            }
        }
        let units = fs::read_dir(staging)
            .map(|entries| entries.flatten().map(|e| e.path()).collect::<Vec<_>>())
            .unwrap_or_default();
        for unit in units {
            let Some(target) = fs::read_to_string(unit.join(TARGET))
                .ok()
                .and_then(|text| safe_relative(&text))
            else {
                continue;
            };
            let pending = unit.join("new").join(MANIFEST_FILE);
            let Ok(bytes) = fs::read(&pending) else {
                // The manifest went into place: the switch had finished.
                continue;
            };
            let root = dir.join(&target);
            recovered.restored += restore(&unit.join("old"), &root, Path::new(""))?;
            if let Ok(Found::Workspace(manifest)) = manifest::parse(&bytes) {
                let mut recorded = Recorded::default();
                recorded.merge(&manifest);
                recovered.pending.push((target, recorded));
            }
        }
        fs::remove_dir_all(staging)
            .with_context(|| format!("cannot remove {}", staging.display()))?;
        recovered.removed.push(staging.clone());
    }
    Ok(recovered)
}

/// `""` or `workspaces/<id>`, as a relative path that stays inside DIR.
fn safe_relative(text: &str) -> Option<PathBuf> {
    let path = PathBuf::from(text.trim());
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(path)
}

/// Moves what is under `old/relative` back to `root/relative` wherever
/// nothing stands there now; returns how many entries were put back.
fn restore(old: &Path, root: &Path, relative: &Path) -> anyhow::Result<usize> {
    let here = old.join(relative);
    let Ok(meta) = fs::symlink_metadata(&here) else {
        return Ok(0);
    };
    let target = root.join(relative);
    if !relative.as_os_str().is_empty() && !tree::exists(&target) {
        if let Some(parent) = target.parent() {
            make_dirs(parent)?;
        }
        fs::rename(&here, &target)
            .with_context(|| format!("cannot put {} back", target.display()))?;
        return Ok(1);
    }
    if !meta.is_dir() || fs::symlink_metadata(&target).is_ok_and(|m| !m.is_dir()) {
        // Something else stands there now: the newer version wins.
        return Ok(0);
    }
    let mut restored = 0;
    for entry in fs::read_dir(&here).with_context(|| format!("cannot read {}", here.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", here.display()))?;
        restored += restore(old, root, &relative.join(entry.file_name()))?;
    }
    Ok(restored)
}

/// `create_dir_all`, refusing to create through a symbolic link.
fn make_dirs(path: &Path) -> anyhow::Result<()> {
    let mut missing = Vec::new();
    let mut current = Some(path);
    while let Some(dir) = current {
        match fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(BackupError::Symlink {
                    path: dir.to_path_buf(),
                }
                .into())
            }
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Err(BackupError::NotADirectory {
                    path: dir.to_path_buf(),
                }
                .into())
            }
            Err(_) => missing.push(dir),
        }
        current = dir.parent().filter(|p| !p.as_os_str().is_empty());
    }
    for dir in missing.into_iter().rev() {
        match fs::create_dir(dir) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(error) => {
                return Err(
                    anyhow::Error::new(error).context(format!("cannot create {}", dir.display()))
                )
            }
        }
    }
    Ok(())
}

/// Moves `from` to `to`, creating `to`'s parent folders.
fn move_to(from: &Path, to: &Path) -> anyhow::Result<()> {
    if let Some(parent) = to.parent() {
        make_dirs(parent)?;
    }
    fs::rename(from, to)
        .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))
}

/// Moves `target` (if anything is there) to `aside`.
fn move_aside(target: &Path, aside: &Path) -> anyhow::Result<()> {
    if tree::exists(target) {
        move_to(target, aside)?;
    }
    Ok(())
}

/// Writes the new manifest into the unit's staging (it marks the switch as
/// unfinished until it is renamed into place), flushed to disk.
pub fn stage_manifest(plan: &UnitPlan) -> anyhow::Result<()> {
    if plan.remove_unit {
        return Ok(());
    }
    make_dirs(&plan.staged)?;
    let path = plan.staged.join(MANIFEST_FILE);
    let file =
        fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
    use std::io::Write as _;
    let mut writer = io::BufWriter::new(file);
    writer
        .write_all(&plan.manifest)
        .and_then(|()| writer.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    writer
        .get_ref()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    if let Some(bytes) = &plan.workspace_file {
        let path = plan.staged.join(WORKSPACE_FILE);
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// The switch of one unit (its manifest staged by [`stage_manifest`]):
/// everything renamed into place, the manifest last. `old` receives what
/// is moved out.
pub fn switch(plan: &UnitPlan, old: &Path, cancel: &AtomicBool) -> anyhow::Result<()> {
    let root = &plan.root;
    // Once begun, a switch is finished: stopping half way would leave more
    // for the next run to repair. The flag is looked at only before it.
    tree::check_cancel(cancel)?;
    if !plan.remove_unit {
        make_dirs(root)?;
    }
    for op in &plan.jobs {
        switch_job(op, root, &plan.staged, old)?;
    }
    for name in &plan.prune_jobs {
        move_aside(&job_dir(root, name), &job_dir(old, name))?;
    }
    for name in &plan.write_scripts {
        let target = script_file(root, name);
        move_aside(&target, &script_file(old, name))?;
        move_to(&script_file(&plan.staged, name), &target)?;
    }
    for name in &plan.prune_scripts {
        move_aside(&script_file(root, name), &script_file(old, name))?;
    }
    if !plan.prune_jobs.is_empty() || plan.remove_unit {
        remove_if_empty(&root.join("jobs"));
    }
    if !plan.prune_scripts.is_empty() || plan.remove_unit {
        remove_if_empty(&root.join("scripts"));
    }
    if plan.workspace_file.is_some() {
        let target = root.join(WORKSPACE_FILE);
        move_aside(&target, &old.join(WORKSPACE_FILE))?;
        move_to(&plan.staged.join(WORKSPACE_FILE), &target)?;
    }
    if plan.remove_unit {
        move_aside(&root.join(WORKSPACE_FILE), &old.join(WORKSPACE_FILE))?;
        move_aside(&root.join(MANIFEST_FILE), &old.join(MANIFEST_FILE))?;
        remove_if_empty(root);
        return Ok(());
    }
    // Last: the manifest (or, unchanged, the staged copy goes), which ends
    // the unit's switch.
    let staged_manifest = plan.staged.join(MANIFEST_FILE);
    if plan.changes.manifest_changed {
        move_to(&staged_manifest, &root.join(MANIFEST_FILE))?;
    } else {
        fs::remove_file(&staged_manifest)
            .with_context(|| format!("cannot remove {}", staged_manifest.display()))?;
    }
    Ok(())
}

/// Brings one job's directory in `root` up to date from `staged`, moving
/// what it replaces or removes into `old`.
fn switch_job(op: &JobOp, root: &Path, staged: &Path, old: &Path) -> anyhow::Result<()> {
    match op {
        JobOp::Place { name, aside } => {
            let target = job_dir(root, name);
            if *aside {
                move_aside(&target, &job_dir(old, name))?;
            }
            move_to(&job_dir(staged, name), &target)
        }
        JobOp::Sync {
            name,
            remove,
            mkdir,
            write,
        } => {
            let target = job_dir(root, name);
            let staged = job_dir(staged, name);
            let aside = job_dir(old, name);
            for path in remove {
                move_aside(&target.join(path), &aside.join(path))?;
            }
            for path in mkdir {
                make_dirs(&target.join(path))?;
            }
            for path in write {
                move_aside(&target.join(path), &aside.join(path))?;
                move_to(&staged.join(path), &target.join(path))?;
            }
            Ok(())
        }
    }
}

/// The switch of every unit, then the root manifest (a backup of every
/// workspace): first everything is staged (each unit's manifest marks its
/// switch as unfinished, and `root`'s pending copy its own), then the
/// renames, each unit's manifest last, the root's after them all.
pub fn switch_all(
    dir: &Path,
    staging: &Staging,
    units: &[(UnitPlan, UnitDirs)],
    root: Option<&[u8]>,
    cancel: &AtomicBool,
) -> anyhow::Result<()> {
    let busy: Vec<&(UnitPlan, UnitDirs)> = units.iter().filter(|(p, _)| p.has_work()).collect();
    for (plan, _) in &busy {
        stage_manifest(plan)?;
    }
    let pending_root = staging.pending_root();
    if let Some(bytes) = root {
        fs::write(&pending_root, bytes)
            .and_then(|()| fs::File::open(&pending_root)?.sync_all())
            .with_context(|| format!("cannot write {}", pending_root.display()))?;
    }
    tree::check_cancel(cancel)?;
    // Begun, the switch is finished (see `switch`).
    let never = AtomicBool::new(false);
    for (plan, dirs) in busy {
        switch(plan, &dirs.old, &never)?;
    }
    if root.is_some() {
        move_to(&pending_root, &dir.join(MANIFEST_FILE))?;
    }
    Ok(())
}

/// DIR, created for a run that writes, removed again (when left empty) on
/// drop unless kept: a run that fails before its switch leaves no DIR it
/// made.
#[derive(Debug)]
pub struct CreatedDir {
    path: Option<PathBuf>,
}

impl CreatedDir {
    /// Creates `dir` if it is missing.
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        if tree::exists(dir) {
            return Ok(Self { path: None });
        }
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Self {
            path: Some(dir.to_path_buf()),
        })
    }

    /// Nothing to create (a run that changes nothing).
    pub fn none() -> Self {
        Self { path: None }
    }

    /// The run switched: DIR stays.
    pub fn keep(&mut self) {
        self.path = None;
    }
}

impl Drop for CreatedDir {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = fs::remove_dir(path);
        }
    }
}

/// Removes `dir` when it is an empty folder.
fn remove_if_empty(dir: &Path) {
    let _ = fs::remove_dir(dir);
}

/// Writes `bytes` to `dir/name` through a staged file renamed into place,
/// unless the file already holds exactly them. Returns whether it wrote.
pub fn put_file(staged: &Path, dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<bool> {
    let target = dir.join(name);
    if fs::read(&target).ok().as_deref() == Some(bytes) {
        return Ok(false);
    }
    fs::write(staged, bytes).with_context(|| format!("cannot write {}", staged.display()))?;
    move_to(staged, &target)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::plan::Changes;

    fn unit_plan(root: &Path, staged: &Path) -> UnitPlan {
        UnitPlan {
            root: root.to_path_buf(),
            staged: staged.to_path_buf(),
            jobs: vec![
                JobOp::Place {
                    name: "new".into(),
                    aside: false,
                },
                JobOp::Sync {
                    name: "kept".into(),
                    remove: vec!["stray".into()],
                    mkdir: vec![],
                    write: vec!["kept.job".into()],
                },
            ],
            prune_jobs: vec!["gone".into()],
            write_scripts: vec!["s".into()],
            prune_scripts: vec![],
            manifest: b"{\"format\": 1}\n".to_vec(),
            workspace_file: None,
            remove_unit: false,
            changes: Changes {
                manifest_changed: true,
                ..Changes::default()
            },
            unrecorded: vec![],
        }
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }

    #[test]
    fn the_switch_renames_into_place_and_moves_the_old_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(&root.join("jobs/kept/kept.job"), "old");
        write(&root.join("jobs/kept/same.script"), "same");
        write(&root.join("jobs/kept/stray"), "x");
        write(&root.join("jobs/gone/gone.job"), "gone");
        write(&root.join("README.md"), "mine");
        let staging = Staging::create_in(root).expect("staging");
        let unit = staging.unit(0, Path::new("")).expect("unit");
        write(&unit.new.join("jobs/new/new.job"), "new");
        write(&unit.new.join("jobs/kept/kept.job"), "newer");
        write(&unit.new.join("scripts/s.json"), "{}\n");
        let plan = unit_plan(root, &unit.new);
        stage_manifest(&plan).expect("staged");
        let mtime = fs::metadata(root.join("jobs/kept/same.script"))
            .and_then(|m| m.modified())
            .expect("mtime");
        switch(&plan, &unit.old, &AtomicBool::new(false)).expect("switch");
        assert_eq!(
            fs::read_to_string(root.join("jobs/new/new.job")).expect("read"),
            "new"
        );
        assert_eq!(
            fs::read_to_string(root.join("jobs/kept/kept.job")).expect("read"),
            "newer"
        );
        assert!(!root.join("jobs/kept/stray").exists());
        assert!(!root.join("jobs/gone").exists());
        assert_eq!(
            fs::read_to_string(root.join("scripts/s.json")).expect("read"),
            "{}\n"
        );
        assert_eq!(
            fs::read_to_string(root.join(MANIFEST_FILE)).expect("read"),
            "{\"format\": 1}\n"
        );
        assert_eq!(
            fs::metadata(root.join("jobs/kept/same.script"))
                .and_then(|m| m.modified())
                .expect("mtime"),
            mtime,
            "an unchanged file is not rewritten"
        );
        assert_eq!(
            fs::read_to_string(root.join("README.md")).expect("read"),
            "mine"
        );
        let path = staging.path().to_path_buf();
        drop(staging);
        assert!(!path.exists());
        assert!(leftovers(root).is_empty());
    }

    #[test]
    fn an_unfinished_switch_is_put_back_and_its_staging_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(&root.join("jobs/kept/kept.job"), "old");
        let staging = Staging::create_in(root).expect("staging");
        let unit = staging.unit(0, Path::new("")).expect("unit");
        // Killed between moving the old file aside and putting the new one in place.
        write(
            &unit.new.join(MANIFEST_FILE),
            r#"{"format": 1, "jobs": {"placed": {"files": {}, "lastUpdateTime": null, "lastUpdateUser": null, "type": "BATCH"}}, "scripts": {}, "source": {"endpoint": "h", "match": [], "project_id": "p", "workspace": null}}"#,
        );
        move_aside(
            &root.join("jobs/kept/kept.job"),
            &unit.old.join("jobs/kept/kept.job"),
        )
        .expect("aside");
        let path = staging.abandon();
        let found = leftovers(root);
        assert_eq!(found, std::slice::from_ref(&path));
        let recovered = recover(root, &found).expect("recover");
        assert_eq!(recovered.restored, 1);
        assert_eq!(recovered.removed, std::slice::from_ref(&path));
        assert!(recovered.pending[0].1.jobs.contains_key("placed"));
        assert_eq!(
            fs::read_to_string(root.join("jobs/kept/kept.job")).expect("read"),
            "old"
        );
        assert!(!path.exists());
    }

    #[test]
    fn a_staging_directory_in_use_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let staging = Staging::create_in(dir.path()).expect("staging");
        let found = leftovers(dir.path());
        assert!(matches!(
            recover(dir.path(), &found)
                .expect_err("busy")
                .downcast_ref::<BackupError>(),
            Some(BackupError::Busy { .. })
        ));
        drop(staging);
        assert!(leftovers(dir.path()).is_empty());
    }
}
