//! What the next run into a root does with the staging folders of runs
//! that were killed: every unit their switch touched is put back in one
//! piece (or, when the switch had finished its moves, it is completed),
//! and the folder is removed. Staging folders of live runs are left alone.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::journal::{is_relative_path, Change, Journal, COMMITTED};
use super::staging::{owner_is_gone, LOCK, NEW, OLD, STAGING_PREFIX};
use crate::fsx::{self, Kind};

/// A staging folder found in a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// A live run holds its lock; else it was left by a run that was killed.
    pub in_use: bool,
}

/// The staging folders in `root` (sorted), live or left by killed runs. A
/// folder with the prefix but no lock is not one (or not yet). A missing
/// root has none.
pub fn stagings(root: &Path) -> anyhow::Result<Vec<Found>> {
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot read {}", root.display())))
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", root.display()))?;
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX)
        {
            continue;
        }
        let path = entry.path();
        if Kind::of(&path)? != Kind::Dir {
            continue;
        }
        if let Some(lock) = open_lock(&path)? {
            let in_use = !owner_is_gone(&lock)?;
            out.push(Found { path, in_use });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The lock file of a staging folder, if it has one.
fn open_lock(staging: &Path) -> io::Result<Option<File>> {
    match File::open(staging.join(LOCK)) {
        Ok(lock) => Ok(Some(lock)),
        // Not ours, or a run between creating the folder and its lock.
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// How many restored units the line of a recovery names (then "and N more").
const SHOWN: usize = 10;

/// What [`recover`] did with a staging folder left by a run that was killed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The staging folder (now removed).
    pub staging: PathBuf,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The run was killed during its moves: these units were put back as they were.
    RolledBack { restored: Vec<String> },
    /// The run had finished its moves: only its staging folder was left.
    Completed,
    /// The run was killed before its first move: only staged files were left.
    Discarded,
}

impl Recovered {
    /// How many units were put back as they were.
    pub fn restored(&self) -> usize {
        match &self.outcome {
            Outcome::RolledBack { restored } => restored.len(),
            Outcome::Completed | Outcome::Discarded => 0,
        }
    }
}

impl std::fmt::Display for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self
            .staging
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match &self.outcome {
            Outcome::RolledBack { restored } if !restored.is_empty() => write!(
                f,
                "recovered from an interrupted run: put back {} as before, removed {name}",
                crate::output::name_list(restored, SHOWN)
            ),
            Outcome::RolledBack { .. } | Outcome::Discarded => write!(
                f,
                "recovered from an interrupted run: nothing had been moved, removed {name}"
            ),
            Outcome::Completed => write!(
                f,
                "recovered from an interrupted run: it had finished, removed {name}"
            ),
        }
    }
}

/// Finds the staging folders in `root` left by killed runs (those whose lock
/// is free), puts every unit they touched back in one piece, and removes them.
/// Staging folders of live runs are left alone. A missing root has nothing to recover.
pub fn recover(root: &Path) -> anyhow::Result<Vec<Recovered>> {
    let mut out = Vec::new();
    for found in stagings(root)? {
        if found.in_use {
            continue;
        }
        let staging = found.path;
        if let Some(outcome) = recover_one(root, &staging)
            .with_context(|| format!("cannot recover {}", staging.display()))?
        {
            out.push(Recovered { staging, outcome });
        }
    }
    Ok(out)
}

/// Recovers one staging folder, its lock held meanwhile (so two runs never
/// recover the same one); `None` if its owner is alive after all.
fn recover_one(root: &Path, staging: &Path) -> anyhow::Result<Option<Outcome>> {
    let Some(lock) = open_lock(staging)? else {
        return Ok(None);
    };
    if !owner_is_gone(&lock)? {
        return Ok(None);
    }
    let journal = Journal::read(staging)?;
    let outcome = match journal {
        None => Outcome::Discarded,
        Some(journal) if Kind::of(&staging.join(COMMITTED))? != Kind::Absent => {
            remove_if_empty(root, &journal.remove_if_empty);
            Outcome::Completed
        }
        Some(journal) => Outcome::RolledBack {
            restored: roll_back(root, staging, &journal)?,
        },
    };
    fs::remove_dir_all(staging)?;
    drop(lock);
    Ok(Some(outcome))
}

/// Removes each folder of `folders` (relative to `root`) that is empty, in
/// order; a link is never followed (`rmdir` refuses one).
pub(super) fn remove_if_empty(root: &Path, folders: &[String]) {
    for folder in folders.iter().filter(|f| is_relative_path(f)) {
        let _ = fs::remove_dir(root.join(folder));
    }
}

/// Undoes, from what is on disk, whatever part of the journal's moves was done.
fn roll_back(root: &Path, staging: &Path, journal: &Journal) -> anyhow::Result<Vec<String>> {
    let mut restored = Vec::new();
    for (i, change) in journal.changes.iter().enumerate().rev() {
        let path = change.path();
        if !is_relative_path(path) {
            anyhow::bail!("the journal names an unsafe path {path:?}");
        }
        let target = root.join(path);
        let aside = staging.join(OLD).join(i.to_string());
        let mut touched = false;
        if let Change::Place { .. } = change {
            let staged = staging.join(NEW).join(path);
            if Kind::of(&staged)? == Kind::Absent && Kind::of(&target)? != Kind::Absent {
                // The new unit had been placed: take it back out (into the
                // staging folder, which is ours, whatever is left of it).
                staged
                    .parent()
                    .map_or(Ok(()), fs::create_dir_all)
                    .and_then(|()| fs::rename(&target, &staged))
                    .with_context(|| format!("cannot move {} back", target.display()))?;
                touched = true;
            }
        }
        if Kind::of(&aside)? != Kind::Absent {
            fsx::rename_noclobber(&aside, &target)
                .with_context(|| format!("cannot put {} back", target.display()))?;
            touched = true;
        }
        if touched {
            restored.push(path.to_string());
        }
    }
    for folder in journal.made.iter().rev() {
        if is_relative_path(folder) {
            let _ = fs::remove_dir(root.join(folder));
        }
    }
    restored.reverse();
    Ok(restored)
}
