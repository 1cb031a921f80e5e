//! A backup's part of the switch: the plans of its mirrors as the changes of
//! one [`crate::switch::Switch`] in DIR, staged in its new root
//! (`new/jobs/<job>/`, `new/scripts/<name>.json`, the same under
//! `new/workspaces/<id>/` for a backup of every workspace).
//!
//! Per mirror, in order: its jobs (a job folder placed whole, or single files
//! inside it, so that a file whose bytes did not change is never rewritten),
//! pruned jobs, scripts, pruned scripts, `workspace.json`, and its manifest
//! last; the root manifest after every mirror. The switch's journal lets the
//! next run into DIR (a backup, `unpack` or `export -x`) put back a whole
//! version of everything a killed switch touched; the backup that follows
//! compares by hashes, so whatever still differs is put right.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context as _;

use super::manifest::MANIFEST_FILE;
use super::plan::{JobOp, UnitPlan};
use super::root::WORKSPACE_FILE;
use super::tree;
use super::BackupError;
use crate::fsx;
use crate::switch::{self, Switch};

/// The staging folders runs that were killed left in `dir`; `Busy` when a
/// live run holds one (a backup never runs beside another writer of DIR).
pub fn left_by_killed_runs(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let found = switch::stagings(dir)?;
    if let Some(live) = found.iter().find(|found| found.in_use) {
        return Err(BackupError::Busy {
            dir: dir.to_path_buf(),
            staging: live.path.clone(),
        }
        .into());
    }
    Ok(found.into_iter().map(|found| found.path).collect())
}

/// The switch of every mirror (`(relative to DIR, plan)`) and then of the
/// root manifest, if given: their changes added to `sw` in order, then
/// committed (all or nothing; a cancellation undoes it).
pub fn commit(
    mut sw: Switch,
    mirrors: &[(PathBuf, UnitPlan)],
    root_manifest: Option<&[u8]>,
    cancel: &AtomicBool,
) -> anyhow::Result<()> {
    for (relative, plan) in mirrors {
        add_mirror(&mut sw, relative, plan)?;
    }
    if let Some(bytes) = root_manifest {
        stage_file(&sw, MANIFEST_FILE, bytes)?;
        sw.place(MANIFEST_FILE, true);
    }
    sw.commit(cancel)?;
    Ok(())
}

/// Adds the changes of the mirror at `relative` (`""` or
/// `workspaces/<id>`), staging its manifest and `workspace.json`.
fn add_mirror(sw: &mut Switch, relative: &Path, plan: &UnitPlan) -> anyhow::Result<()> {
    if !plan.has_work() {
        return Ok(());
    }
    let at = |path: &str| under(relative, path);
    for op in &plan.jobs {
        add_job(sw, &at(&format!("jobs/{}", op.name())), op);
    }
    for name in &plan.prune_jobs {
        sw.remove(&at(&format!("jobs/{name}")));
    }
    for name in &plan.write_scripts {
        sw.place(&at(&format!("scripts/{name}.json")), true);
    }
    for name in &plan.prune_scripts {
        sw.remove(&at(&format!("scripts/{name}.json")));
    }
    if !plan.prune_jobs.is_empty() || plan.remove_unit {
        sw.remove_if_empty(&at("jobs"));
    }
    if !plan.prune_scripts.is_empty() || plan.remove_unit {
        sw.remove_if_empty(&at("scripts"));
    }
    if let Some(bytes) = &plan.workspace_file {
        stage_file(sw, &at(WORKSPACE_FILE), bytes)?;
        sw.place(&at(WORKSPACE_FILE), true);
    }
    if plan.remove_unit {
        sw.remove(&at(WORKSPACE_FILE));
        sw.remove(&at(MANIFEST_FILE));
        if !relative.as_os_str().is_empty() {
            sw.remove_if_empty(&tree::slash_path(relative));
        }
    } else if plan.changes.manifest_changed {
        // Last: the manifest, which ends the mirror's switch.
        stage_file(sw, &at(MANIFEST_FILE), &plan.manifest)?;
        sw.place(&at(MANIFEST_FILE), true);
    }
    Ok(())
}

/// `<relative>/<path>` as the switch names units.
fn under(relative: &Path, path: &str) -> String {
    match tree::slash_path(relative) {
        prefix if prefix.is_empty() => path.to_string(),
        prefix => format!("{prefix}/{path}"),
    }
}

/// Adds one job's changes: its staged folder placed whole, or (a folder
/// that is there) the files and folders that differ inside it.
fn add_job(sw: &mut Switch, job: &str, op: &JobOp) {
    match op {
        JobOp::Place { aside, .. } => sw.place(job, *aside),
        JobOp::Sync {
            remove,
            mkdir,
            write,
            ..
        } => match sync_units(remove, mkdir, write) {
            Some((removed, placed)) => {
                for path in removed {
                    sw.remove(&format!("{job}/{path}"));
                }
                for path in placed {
                    sw.place(&format!("{job}/{path}"), true);
                }
            }
            // A name the switch cannot journal: the folder goes whole.
            None => sw.place(job, true),
        },
    }
}

/// A job's sync as units inside its folder: what is removed, and what is
/// placed (each replacing what stands there): a new folder whole, with
/// everything in it, and each other file that is written. `None` when a
/// path is not UTF-8.
fn sync_units(
    remove: &[PathBuf],
    mkdir: &[PathBuf],
    write: &[PathBuf],
) -> Option<(Vec<String>, Vec<String>)> {
    let mut folders: Vec<&PathBuf> = Vec::new();
    for dir in mkdir {
        if !folders.iter().any(|folder| dir.starts_with(folder)) {
            folders.push(dir);
        }
    }
    let files = write
        .iter()
        .filter(|file| !folders.iter().any(|folder| file.starts_with(folder)));
    let placed: Vec<&PathBuf> = folders.iter().copied().chain(files).collect();
    let removed = remove.iter().filter(|path| !placed.contains(path));
    let text = |paths: Vec<&PathBuf>| -> Option<Vec<String>> {
        paths
            .into_iter()
            .map(|path| path.to_str().map(|_| tree::slash_path(path)))
            .collect()
    };
    Some((text(removed.collect())?, text(placed)?))
}

/// Writes `bytes` at `new_root()/<path>`, flushed to disk.
fn stage_file(sw: &Switch, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let file = sw.new_root().join(path);
    if let Some(parent) = file.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut out =
        fsx::create_new(&file).with_context(|| format!("cannot write {}", file.display()))?;
    out.write_all(bytes)
        .and_then(|()| out.sync_all())
        .with_context(|| format!("cannot write {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::plan::Changes;

    fn unit_plan() -> UnitPlan {
        UnitPlan {
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

    fn read(path: &Path) -> String {
        fs::read_to_string(path).expect("read")
    }

    /// A mirror with a job `kept` (its `kept.job` to replace, a stray file,
    /// a file that stays the same), a job `gone` and a README, and a switch
    /// staging the new `new` and `kept` jobs and script `s`.
    fn prepared() -> (tempfile::TempDir, Switch) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(&root.join("jobs/kept/kept.job"), "old");
        write(&root.join("jobs/kept/same.script"), "same");
        write(&root.join("jobs/kept/stray"), "x");
        write(&root.join("jobs/gone/gone.job"), "gone");
        write(&root.join("README.md"), "mine");
        let mut sw = Switch::begin(root).expect("switch");
        let new = sw.new_root();
        write(&new.join("jobs/new/new.job"), "new");
        write(&new.join("jobs/kept/kept.job"), "newer");
        write(&new.join("jobs/kept/same.script"), "same");
        write(&new.join("scripts/s.json"), "{}\n");
        add_mirror(&mut sw, Path::new(""), &unit_plan()).expect("staged");
        (dir, sw)
    }

    #[test]
    fn the_switch_renames_into_place_and_moves_the_old_aside() {
        let (dir, sw) = prepared();
        let root = dir.path();
        let path = sw.staging().path().to_path_buf();
        let mtime = fs::metadata(root.join("jobs/kept/same.script"))
            .and_then(|m| m.modified())
            .expect("mtime");
        sw.commit(&AtomicBool::new(false)).expect("switch");
        assert_eq!(read(&root.join("jobs/new/new.job")), "new");
        assert_eq!(read(&root.join("jobs/kept/kept.job")), "newer");
        assert!(!root.join("jobs/kept/stray").exists());
        assert!(!root.join("jobs/gone").exists());
        assert_eq!(read(&root.join("scripts/s.json")), "{}\n");
        assert_eq!(read(&root.join(MANIFEST_FILE)), "{\"format\": 1}\n");
        assert_eq!(
            fs::metadata(root.join("jobs/kept/same.script"))
                .and_then(|m| m.modified())
                .expect("mtime"),
            mtime,
            "an unchanged file is not rewritten"
        );
        assert_eq!(read(&root.join("README.md")), "mine");
        assert!(!path.exists());
        assert!(left_by_killed_runs(root).expect("stagings").is_empty());
    }

    #[test]
    fn an_unfinished_switch_is_put_back_and_its_staging_removed() {
        let (dir, sw) = prepared();
        let root = dir.path();
        let path = sw.staging().path().to_path_buf();
        // Killed between moving the old file aside and putting the new one
        // in place (steps: scripts/ made, jobs/new placed, jobs/kept/stray
        // aside, jobs/kept/kept.job aside).
        sw.commit_and_die_after(4);
        assert!(!root.join("jobs/kept/kept.job").exists());
        let found = left_by_killed_runs(root).expect("stagings");
        assert_eq!(found, std::slice::from_ref(&path));
        let recovered = switch::recover(root).expect("recover");
        assert_eq!(recovered.len(), 1);
        assert_eq!(recovered[0].staging, path);
        assert_eq!(recovered[0].restored(), 3);
        assert_eq!(read(&root.join("jobs/kept/kept.job")), "old");
        assert_eq!(read(&root.join("jobs/kept/stray")), "x");
        assert!(!root.join("jobs/new").exists());
        assert!(!root.join("scripts").exists(), "the folder it made is gone");
        assert!(!root.join(MANIFEST_FILE).exists(), "the old manifest stays");
        assert!(!path.exists());
    }

    #[test]
    fn a_staging_directory_in_use_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sw = Switch::begin(dir.path()).expect("switch");
        assert!(matches!(
            left_by_killed_runs(dir.path())
                .expect_err("busy")
                .downcast_ref::<BackupError>(),
            Some(BackupError::Busy { .. })
        ));
        drop(sw);
        assert!(left_by_killed_runs(dir.path())
            .expect("stagings")
            .is_empty());
    }

    #[test]
    fn a_sync_places_new_folders_whole_and_replaces_what_changed_kind() {
        let paths = |v: &[&str]| v.iter().map(PathBuf::from).collect::<Vec<_>>();
        let (removed, placed) = sync_units(
            &paths(&["link", "old", "res", "stray.txt"]),
            &paths(&["res", "res/sub"]),
            &paths(&["j.job", "res/r.resource", "res/sub/x"]),
        )
        .expect("UTF-8");
        assert_eq!(removed, ["link", "old", "stray.txt"]);
        assert_eq!(placed, ["res", "j.job"]);
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = PathBuf::from(std::ffi::OsStr::from_bytes(b"\xff"));
            assert!(sync_units(&[odd], &[], &[]).is_none());
        }
    }

    #[test]
    fn a_vanished_mirror_is_removed_with_its_manifest_and_emptied_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let mirror = root.join("workspaces/w");
        write(&mirror.join("jobs/a/a.job"), "a");
        write(&mirror.join("scripts/s.json"), "{}");
        write(&mirror.join(MANIFEST_FILE), "{}");
        write(&mirror.join(WORKSPACE_FILE), "{}");
        write(&root.join("workspaces/keep/x"), "x");
        let mut plan = crate::backup::plan::plan_removal(&mirror, &Default::default());
        plan.prune_jobs = vec!["a".into()];
        plan.prune_scripts = vec!["s".into()];
        let sw = Switch::begin(root).expect("switch");
        let mirrors = [(PathBuf::from("workspaces/w"), plan)];
        commit(sw, &mirrors, Some(b"root\n"), &AtomicBool::new(false)).expect("commit");
        assert!(!root.join("workspaces/w").exists());
        assert!(root.join("workspaces/keep/x").exists());
        assert_eq!(read(&root.join(MANIFEST_FILE)), "root\n");
    }
}
