//! A journaled switch of a directory tree: new units (folders or files) are
//! built in a staging folder inside the root, then one commit moves the old
//! units aside, places the new ones and removes others, all or nothing.
//!
//! The plan is written to a journal in the staging folder before the first
//! move, and the staging folder is locked (`flock`) while its run lives. A run
//! killed during the moves (SIGKILL, power loss) leaves the journal behind;
//! [`recover`], called by the next run into the root, finds it (its lock is
//! free), puts every unit back as it was (or, when the commit had finished
//! its moves, just completes it), and removes the staging folder. Whichever
//! command left it: extraction and backup switch the same way.
//!
//! Extraction places `jobs/<job>` folders and loose files. A backup places
//! job folders, or single files inside them, scripts and `workspace.json`,
//! removes pruned ones, and places each mirror's manifest last and the root
//! manifest after them all (changes are applied in the order given), with
//! its downloads in the staging folder's [`Staging::scratch`]. A run that
//! switches nothing builds in a [`Staging::check_only`] folder instead.
//!
//! Nothing is written or removed through a symbolic link: every folder
//! between the root and a unit must be a real folder (or absent, and then it
//! is created), and a unit that is a link is moved aside as a link.

mod journal;
mod recovery;
mod staging;

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::Context;

use crate::cancel;
use crate::fsx::{self, Kind};
use journal::{is_relative_path, Change, Journal, COMMITTED};
use staging::OLD;

pub use recovery::{recover, stagings, Found, Outcome, Recovered};
pub use staging::{Staging, STAGING_PREFIX};

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
    /// A name in a unit's path is longer than a file name may be here.
    #[error(
        "{path} cannot be written here: a name in it is over {} bytes",
        crate::names::MAX_FILE_NAME_BYTES
    )]
    NameTooLong { path: String },
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

/// A switch being prepared: build the new units under [`Switch::new_root`],
/// say where they go, then [`Switch::commit`]. Dropped without a commit, it
/// removes its staging folder and the tree is untouched.
#[derive(Debug)]
pub struct Switch {
    root: PathBuf,
    staging: Staging,
    changes: Vec<Change>,
    folders: Vec<String>,
    empty_folders: Vec<String>,
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
        Ok(Switch {
            root: root.to_path_buf(),
            staging: Staging::create_in(root)?,
            changes: Vec::new(),
            folders: Vec::new(),
            empty_folders: Vec::new(),
        })
    }

    /// Where the new units are built: `new_root()/<path>` becomes `<root>/<path>`.
    pub fn new_root(&self) -> PathBuf {
        self.staging.new_root()
    }

    /// The staging folder (inside the root).
    pub fn staging(&self) -> &Staging {
        &self.staging
    }

    /// Places the unit (a folder or a file) built at `new_root()/<path>`; an
    /// existing unit there is replaced whole if `replace`, else the commit
    /// fails with [`TargetError::Exists`].
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

    /// Once the changes are done, removes the folder `<root>/<path>` if they
    /// left it empty (e.g. `jobs/` after the last job was removed). Such
    /// folders go in the order given, so name a folder's subfolders first.
    pub fn remove_if_empty(&mut self, path: &str) {
        self.empty_folders.push(path.to_string());
    }

    /// Applies the changes in order, all or nothing: on an error or
    /// cancellation everything done is undone. The journal is on disk before
    /// the first move; the staging folder (with the old units) is removed at
    /// the end — or, if an undo could not finish, left for the next run's
    /// [`recover`].
    pub fn commit(mut self, cancel: &AtomicBool) -> anyhow::Result<Committed> {
        let made = self.preflight()?;
        Journal::new(&self.changes, &made, &self.empty_folders).write(self.staging.path())?;
        let mut done = Vec::new();
        match self.apply(&made, cancel, &mut done, usize::MAX) {
            Ok(committed) => {
                // From here on a recovery completes the switch instead of undoing it.
                self.mark_committed();
                recovery::remove_if_empty(&self.root, &self.empty_folders);
                Ok(committed)
            }
            Err(e) => {
                if !undo(&done) {
                    self.staging.abandon();
                }
                Err(e)
            }
        }
    }

    /// What a commit checks before its journal: plain relative paths, each
    /// unit changed once and none inside another (a roll-back puts each back
    /// on its own), real folders on the way (returning those to create), no
    /// unit that exists where replacing is not allowed, and every unit to
    /// place built.
    fn preflight(&self) -> anyhow::Result<Vec<String>> {
        let paths = self.changes.iter().map(Change::path);
        let folders = self.folders.iter().chain(&self.empty_folders);
        if let Some(bad) = paths
            .chain(folders.map(String::as_str))
            .find(|p| !is_relative_path(p))
        {
            anyhow::bail!("not a plain relative path: {bad:?}");
        }
        let mut units = HashSet::new();
        for path in self.changes.iter().map(Change::path) {
            if !units.insert(path) {
                anyhow::bail!("{path} is changed twice");
            }
        }
        if let Some((outer, inner)) = self.changes.iter().find_map(|c| {
            let inner = c.path();
            parents(inner)
                .find(|p| units.contains(p))
                .map(|p| (p, inner))
        }) {
            anyhow::bail!("{inner} is inside {outer}, which is changed too");
        }
        let made = self.folders_to_make()?;
        let conflicts = self.conflicts()?;
        if !conflicts.is_empty() {
            return Err(TargetError::Exists { paths: conflicts }.into());
        }
        for change in &self.changes {
            if let Change::Place { path, .. } = change {
                // A recovery takes a placed unit back out where none is staged.
                if Kind::of(&self.new_root().join(path))? == Kind::Absent {
                    anyhow::bail!("nothing was built to place at {path}");
                }
            }
        }
        Ok(made)
    }

    fn mark_committed(&self) {
        let staging = self.staging.path();
        if fsx::create_new(&staging.join(COMMITTED))
            .and_then(|f| f.sync_all())
            .is_ok()
        {
            fsx::sync_dir(staging);
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
        let made = self.preflight().expect("preflight");
        Journal::new(&self.changes, &made, &self.empty_folders)
            .write(self.staging.path())
            .expect("journal");
        let cancel = AtomicBool::new(false);
        let mut done = Vec::new();
        if self.apply(&made, &cancel, &mut done, moves).is_ok() {
            let _ = fsx::create_new(&self.staging.path().join(COMMITTED));
        }
        self.staging.abandon();
    }

    /// Leaves the staging folder as a run killed before its commit does
    /// (no journal, the lock released); returns its path.
    #[cfg(test)]
    pub(crate) fn abandon(mut self) -> PathBuf {
        self.staging.abandon();
        self.staging.path().to_path_buf()
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
        self.make_folders(made, done)?;
        let stop = |done: &Vec<Step>| {
            if done.len() >= limit {
                Err(anyhow::anyhow!("stopped after {limit} moves"))
            } else {
                Ok(())
            }
        };
        let mut committed = Committed::default();
        for (i, change) in self.changes.iter().enumerate() {
            cancel::check(cancel)?;
            let target = self.target(change.path());
            let aside = self.staging.path().join(OLD).join(i.to_string());
            let existed = Kind::of(&target)? != Kind::Absent;
            match change {
                Change::Place { path, replace } => {
                    if existed {
                        if !replace {
                            return Err(exists(path));
                        }
                        move_aside(&target, &aside, done)?;
                        stop(done)?;
                    }
                    let staged = self.new_root().join(path);
                    fsx::rename_noclobber(&staged, &target).map_err(|e| {
                        if e.kind() == io::ErrorKind::AlreadyExists {
                            exists(path)
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

    /// Creates the folders `made` (outermost first).
    fn make_folders(&self, made: &[String], done: &mut Vec<Step>) -> anyhow::Result<()> {
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
        Ok(())
    }
}

/// The unit at `path` exists, where replacing was not allowed.
fn exists(path: &str) -> anyhow::Error {
    TargetError::Exists {
        paths: vec![PathBuf::from(path)],
    }
    .into()
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

/// Undoes a live commit's moves, in reverse order; whether every move was undone.
fn undo(done: &[Step]) -> bool {
    let mut complete = true;
    for step in done.iter().rev() {
        match step {
            Step::Placed { target, staged } => complete &= fs::rename(target, staged).is_ok(),
            Step::MovedAside { target, aside } => complete &= fs::rename(aside, target).is_ok(),
            Step::Made(p) => {
                let _ = fs::remove_dir(p);
            }
        }
    }
    complete
}

#[cfg(test)]
mod tests;
