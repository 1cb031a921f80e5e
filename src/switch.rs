//! A journaled switch of a directory tree: new units (folders or files) are
//! built in a staging folder inside the root, then one commit moves the old
//! units aside, places the new ones and removes others, all or nothing.
//!
//! The plan is written to a journal in the staging folder before the first
//! move, and the staging folder is locked (`flock`) while its run lives. A run
//! killed during the moves (SIGKILL, power loss) leaves the journal behind;
//! [`recover`], called by the next run into the root, finds it (its lock is
//! free), puts every unit back as it was (or, when the commit had finished
//! its moves, just completes it), and removes the staging folder.
//!
//! Extraction uses it for `jobs/<job>` folders and loose files; a backup can
//! place changed job folders, remove pruned ones and place its manifest last
//! (changes are applied in the order given).
//!
//! Nothing is written or removed through a symbolic link: every folder
//! between the root and a unit must be a real folder (or absent, and then it
//! is created), and a unit that is a link is moved aside as a link.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::cancel;
use crate::fsx::{self, Kind};

/// Staging folders are `<root>/.dataarts-jobs-<random>`.
pub const STAGING_PREFIX: &str = ".dataarts-jobs-";
const JOURNAL: &str = "journal.json";
const COMMITTED: &str = "committed";
const LOCK: &str = "lock";
const NEW: &str = "new";
const OLD: &str = "old";

/// Why a switch (or the extraction planning it) will not touch the tree.
/// Nothing was written. Paths are as the caller gave them (root joined).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Units that exist, where replacing was not allowed.
    #[error("{}", exists_message(paths))]
    Exists { paths: Vec<PathBuf> },
    /// A folder between the root and a unit (or a folder unit) is a symbolic link.
    #[error("{} is a symbolic link; not writing through it", path.display())]
    Symlink { path: PathBuf },
    /// A folder between the root and a unit is a file or another non-folder.
    #[error("{} exists and is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    /// A file unit's path is a folder.
    #[error("{} is a directory; not replacing it with a file", path.display())]
    IsADirectory { path: PathBuf },
}

fn exists_message(paths: &[PathBuf]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<String> = paths
        .iter()
        .take(SHOWN)
        .map(|p| p.display().to_string())
        .collect();
    let mut text = format!("already exists: {}", shown.join(", "));
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    text
}

/// One change, in the journal and in memory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Change {
    /// `new/<path>` goes to `<root>/<path>`; an existing unit is replaced only if `replace`.
    Place { path: String, replace: bool },
    /// `<root>/<path>` is removed (if present).
    Remove { path: String },
}

impl Change {
    fn path(&self) -> &str {
        match self {
            Change::Place { path, .. } | Change::Remove { path } => path,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    format: u32,
    changes: Vec<Change>,
    /// Folders the commit creates, outermost first (removed again on roll-back if empty).
    made: Vec<String>,
}

/// A switch being prepared: build the new units under [`Switch::new_root`],
/// say where they go, then [`Switch::commit`]. Dropped without a commit, it
/// removes its staging folder and the tree is untouched.
#[derive(Debug)]
pub struct Switch {
    root: PathBuf,
    staging: PathBuf,
    _lock: File,
    changes: Vec<Change>,
    folders: Vec<String>,
    finished: bool,
}

/// What a commit did, by unit path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    /// Placed where nothing stood.
    pub added: Vec<String>,
    /// Placed over an existing unit.
    pub replaced: Vec<String>,
    pub removed: Vec<String>,
}

impl Switch {
    /// Creates a locked staging folder inside `root` (which must exist).
    pub fn begin(root: &Path) -> anyhow::Result<Switch> {
        let make = |p: &Path| {
            let mut b = fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(p)
        };
        let staging = fsx::create_unique(root, STAGING_PREFIX, "", make)
            .with_context(|| format!("cannot create a staging directory in {}", root.display()))?;
        let ready = (|| {
            let lock = fsx::create_new(&staging.join(LOCK))?;
            lock_exclusive(&lock)?;
            fsx::create_dir(&staging.join(NEW))?;
            fsx::create_dir(&staging.join(OLD))?;
            Ok::<File, io::Error>(lock)
        })();
        match ready {
            Ok(lock) => Ok(Switch {
                root: root.to_path_buf(),
                staging,
                _lock: lock,
                changes: Vec::new(),
                folders: Vec::new(),
                finished: false,
            }),
            Err(e) => {
                let _ = fs::remove_dir_all(&staging);
                Err(anyhow::Error::new(e).context(format!("cannot set up {}", staging.display())))
            }
        }
    }

    /// Where the new units are built: `new_root()/<path>` becomes `<root>/<path>`.
    pub fn new_root(&self) -> PathBuf {
        self.staging.join(NEW)
    }

    /// The staging folder (inside the root).
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Places the unit built at `new_root()/<path>`; an existing unit there is
    /// replaced whole if `replace`, else the commit fails with [`TargetError::Exists`].
    pub fn place(&mut self, path: &str, replace: bool) {
        self.changes.push(Change::Place {
            path: path.to_string(),
            replace,
        });
    }

    /// Removes the unit at `<root>/<path>`, if there is one.
    pub fn remove(&mut self, path: &str) {
        self.changes.push(Change::Remove {
            path: path.to_string(),
        });
    }

    /// Makes the folder `<root>/<path>` exist (with its parents).
    pub fn make_dir(&mut self, path: &str) {
        self.folders.push(path.to_string());
    }

    /// Applies the changes in order, all or nothing: on an error or
    /// cancellation everything done is undone. The journal is on disk before
    /// the first move; the staging folder (with the old units) is removed at the end.
    pub fn commit(mut self, cancel: &AtomicBool) -> anyhow::Result<Committed> {
        let paths = self.changes.iter().map(Change::path);
        if let Some(bad) = paths
            .chain(self.folders.iter().map(String::as_str))
            .find(|p| !is_relative_path(p))
        {
            anyhow::bail!("not a plain relative path: {bad:?}");
        }
        let made = self.folders_to_make()?;
        let conflicts = self.conflicts()?;
        if !conflicts.is_empty() {
            return Err(TargetError::Exists { paths: conflicts }.into());
        }
        let journal = Journal {
            format: 1,
            changes: self.changes.clone(),
            made: made.clone(),
        };
        write_journal(&self.staging, &journal)?;
        let mut done = Vec::new();
        let result = self.apply(&made, cancel, &mut done, usize::MAX);
        match result {
            Ok(committed) => {
                // From here on a recovery completes the switch instead of undoing it.
                let marker = self.staging.join(COMMITTED);
                if fsx::create_new(&marker).and_then(|f| f.sync_all()).is_ok() {
                    fsx::sync_dir(&self.staging);
                }
                self.finish();
                Ok(committed)
            }
            Err(e) => {
                undo(&done);
                self.finish();
                Err(e)
            }
        }
    }

    fn target(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    /// Folders between the root and each unit (and the folders asked for)
    /// that do not exist yet, outermost first; a link or a non-folder on the
    /// way is refused.
    fn folders_to_make(&self) -> anyhow::Result<Vec<String>> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut made = Vec::new();
        let around = self.changes.iter().flat_map(|c| parents(c.path()));
        let asked = self
            .folders
            .iter()
            .flat_map(|f| parents(f).chain(std::iter::once(f.as_str())));
        let mut candidates: Vec<&str> = around.chain(asked).collect();
        candidates.sort_by_key(|p| p.len());
        for folder in candidates {
            if !seen.insert(folder) {
                continue;
            }
            let path = self.target(folder);
            match Kind::of(&path).with_context(|| format!("cannot read {}", path.display()))? {
                Kind::Dir => {}
                Kind::Absent => made.push(folder.to_string()),
                Kind::Symlink => return Err(TargetError::Symlink { path }.into()),
                Kind::File | Kind::Special(_) => {
                    return Err(TargetError::NotADirectory { path }.into())
                }
            }
        }
        Ok(made)
    }

    /// Units that exist where replacing is not allowed.
    fn conflicts(&self) -> anyhow::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for change in &self.changes {
            if let Change::Place {
                path,
                replace: false,
            } = change
            {
                let target = self.target(path);
                if Kind::of(&target)? != Kind::Absent {
                    out.push(PathBuf::from(path));
                }
            }
        }
        Ok(out)
    }

    /// Like [`Switch::commit`], but stops dead after `moves` moves, as a
    /// killed run would: no undo, no clean-up, the lock released.
    #[cfg(test)]
    pub(crate) fn commit_and_die_after(mut self, moves: usize) {
        let made = self.folders_to_make().expect("folders");
        let journal = Journal {
            format: 1,
            changes: self.changes.clone(),
            made: made.clone(),
        };
        write_journal(&self.staging, &journal).expect("journal");
        let cancel = AtomicBool::new(false);
        let mut done = Vec::new();
        let finished = self.apply(&made, &cancel, &mut done, moves).is_ok();
        if finished {
            let _ = fsx::create_new(&self.staging.join(COMMITTED));
        }
        self.finished = true;
    }

    /// Creates the folders, then applies the changes; `limit` (for tests)
    /// stops after that many moves.
    fn apply(
        &self,
        made: &[String],
        cancel: &AtomicBool,
        done: &mut Vec<Step>,
        limit: usize,
    ) -> anyhow::Result<Committed> {
        let stop = |done: &Vec<Step>| {
            if done.len() >= limit {
                Err(anyhow::anyhow!("stopped after {limit} moves"))
            } else {
                Ok(())
            }
        };
        for folder in made {
            let path = self.target(folder);
            match fsx::create_dir(&path) {
                Ok(()) => done.push(Step::Made(path)),
                Err(e)
                    if e.kind() == io::ErrorKind::AlreadyExists
                        && Kind::of(&path)? == Kind::Dir => {}
                Err(e) => {
                    return Err(
                        anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
                    )
                }
            }
        }
        let mut committed = Committed::default();
        for (i, change) in self.changes.iter().enumerate() {
            cancel::check(cancel)?;
            let target = self.target(change.path());
            let aside = self.staging.join(OLD).join(i.to_string());
            let existed = Kind::of(&target)? != Kind::Absent;
            match change {
                Change::Place { path, replace } => {
                    if existed {
                        if !replace {
                            return Err(TargetError::Exists {
                                paths: vec![PathBuf::from(path)],
                            }
                            .into());
                        }
                        move_aside(&target, &aside, done)?;
                        stop(done)?;
                    }
                    let staged = self.new_root().join(path);
                    fsx::rename_noclobber(&staged, &target).map_err(|e| {
                        if e.kind() == io::ErrorKind::AlreadyExists {
                            anyhow::Error::new(TargetError::Exists {
                                paths: vec![PathBuf::from(path)],
                            })
                        } else {
                            anyhow::Error::new(e)
                                .context(format!("cannot move {} into place", target.display()))
                        }
                    })?;
                    done.push(Step::Placed { target, staged });
                    stop(done)?;
                    if existed {
                        committed.replaced.push(path.clone());
                    } else {
                        committed.added.push(path.clone());
                    }
                }
                Change::Remove { path } => {
                    if existed {
                        move_aside(&target, &aside, done)?;
                        stop(done)?;
                        committed.removed.push(path.clone());
                    }
                }
            }
        }
        cancel::check(cancel)?;
        Ok(committed)
    }

    fn finish(&mut self) {
        if !self.finished {
            self.finished = true;
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

impl Drop for Switch {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The proper ancestors of a relative path, outermost first (`a/b/c` → `a`, `a/b`).
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

fn move_aside(target: &Path, aside: &Path, done: &mut Vec<Step>) -> anyhow::Result<()> {
    fs::rename(target, aside).with_context(|| format!("cannot move {} aside", target.display()))?;
    done.push(Step::MovedAside {
        target: target.to_path_buf(),
        aside: aside.to_path_buf(),
    });
    Ok(())
}

/// A move made by a live commit, undone in reverse order on failure.
enum Step {
    Made(PathBuf),
    MovedAside { target: PathBuf, aside: PathBuf },
    Placed { target: PathBuf, staged: PathBuf },
}

fn undo(done: &[Step]) {
    for step in done.iter().rev() {
        match step {
            Step::Placed { target, staged } => {
                let _ = fs::rename(target, staged);
            }
            Step::MovedAside { target, aside } => {
                let _ = fs::rename(aside, target);
            }
            Step::Made(p) => {
                let _ = fs::remove_dir(p);
            }
        }
    }
}

fn write_journal(staging: &Path, journal: &Journal) -> anyhow::Result<()> {
    let path = staging.join(JOURNAL);
    let tmp = staging.join(format!("{JOURNAL}.tmp"));
    let text = serde_json::to_vec_pretty(journal).context("cannot render the journal")?;
    let mut f =
        fsx::create_new(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(&text)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    fsx::sync_dir(staging);
    Ok(())
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn flock(file: &File, flags: libc::c_int) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock takes a descriptor that stays open for the call and integer flags.
    if unsafe { libc::flock(file.as_raw_fd(), flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn lock_exclusive(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    return flock(file, libc::LOCK_EX | libc::LOCK_NB);
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(())
    }
}

/// Whether the staging folder's owner is gone (its lock could be taken).
fn owner_is_gone(lock: &File) -> io::Result<bool> {
    #[cfg(unix)]
    return match flock(lock, libc::LOCK_EX | libc::LOCK_NB) {
        Ok(()) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => Ok(false),
        Err(e) => Err(e),
    };
    #[cfg(not(unix))]
    {
        let _ = lock;
        Ok(true)
    }
}

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
                restored.join(", ")
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
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(STAGING_PREFIX) {
            continue;
        }
        let staging = entry.path();
        if Kind::of(&staging)? != Kind::Dir {
            continue;
        }
        if let Some(outcome) = recover_one(root, &staging)
            .with_context(|| format!("cannot recover {}", staging.display()))?
        {
            out.push(Recovered { staging, outcome });
        }
    }
    out.sort_by(|a, b| a.staging.cmp(&b.staging));
    Ok(out)
}

fn recover_one(root: &Path, staging: &Path) -> anyhow::Result<Option<Outcome>> {
    let lock = match File::open(staging.join(LOCK)) {
        Ok(lock) => lock,
        // Not ours, or a run between creating the folder and its lock.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !owner_is_gone(&lock)? {
        return Ok(None);
    }
    if Kind::of(&staging.join(COMMITTED))? != Kind::Absent {
        fs::remove_dir_all(staging)?;
        return Ok(Some(Outcome::Completed));
    }
    let text = match fs::read(staging.join(JOURNAL)) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::remove_dir_all(staging)?;
            return Ok(Some(Outcome::Discarded));
        }
        Err(e) => return Err(e.into()),
    };
    let journal: Journal = serde_json::from_slice(&text).context("unreadable journal")?;
    let restored = roll_back(root, staging, &journal)?;
    fs::remove_dir_all(staging)?;
    Ok(Some(Outcome::RolledBack { restored }))
}

/// A plain relative path: no empty, `.` or `..` component (so not absolute).
fn is_relative_path(path: &str) -> bool {
    !path
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
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
                // The new unit had been placed: take it back out.
                fs::rename(&target, &staged)
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

#[cfg(test)]
mod tests;
