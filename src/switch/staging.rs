//! The staging folder of a run: `.dataarts-jobs-<random>/`, created 0700 and
//! locked (`flock`) while its run lives, removed (with everything in it) when
//! dropped.
//!
//! ```text
//! lock           held while the run lives: a folder whose lock is free was left by a killed run
//! new/<path>     the new units, at their paths relative to the root
//! old/<n>        what change n of a commit moved out of the tree
//! scratch/       the run's own files (e.g. downloads), never switched into place
//! journal.json   the commit's changes, on disk before its first move
//! committed      the commit finished its moves
//! ```

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::fsx;

/// Staging folders are `<dir>/.dataarts-jobs-<random>`.
pub const STAGING_PREFIX: &str = ".dataarts-jobs-";
pub(super) const LOCK: &str = "lock";
pub(super) const NEW: &str = "new";
pub(super) const OLD: &str = "old";
const SCRATCH: &str = "scratch";

/// A locked staging folder, removed when dropped (unless abandoned).
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
    lock: Option<File>,
    keep: bool,
}

impl Staging {
    /// Creates a locked staging folder in `dir` (which must exist).
    pub(super) fn create_in(dir: &Path) -> anyhow::Result<Staging> {
        let make = |p: &Path| {
            let mut b = fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(p)
        };
        let path = fsx::create_unique(dir, STAGING_PREFIX, "", make)
            .with_context(|| format!("cannot create a staging directory in {}", dir.display()))?;
        let ready = (|| {
            let lock = fsx::create_new(&path.join(LOCK))?;
            lock_exclusive(&lock)?;
            fsx::create_dir(&path.join(NEW))?;
            fsx::create_dir(&path.join(OLD))?;
            Ok::<File, io::Error>(lock)
        })();
        match ready {
            Ok(lock) => Ok(Staging {
                path,
                lock: Some(lock),
                keep: false,
            }),
            Err(e) => {
                let _ = fs::remove_dir_all(&path);
                Err(anyhow::Error::new(e).context(format!("cannot set up {}", path.display())))
            }
        }
    }

    /// A staging folder outside any tree (in the system's temporary
    /// folder), for a run that builds and compares but switches nothing
    /// (`backup --check`, `--dry-run`).
    pub fn check_only() -> anyhow::Result<Staging> {
        Staging::create_in(&std::env::temp_dir())
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the new units are built: `new_root()/<path>` is the unit at `<path>`.
    pub fn new_root(&self) -> PathBuf {
        self.path.join(NEW)
    }

    /// A folder for the run's own files (downloads, say), created on first
    /// use and removed with the staging folder; nothing in it is switched.
    pub fn scratch(&self) -> anyhow::Result<PathBuf> {
        let dir = self.path.join(SCRATCH);
        match fsx::create_dir(&dir) {
            Ok(()) => Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(dir),
            Err(e) => {
                Err(anyhow::Error::new(e).context(format!("cannot create {}", dir.display())))
            }
        }
    }

    /// Leaves the folder behind with its lock released, for the next run's
    /// recovery (a commit whose undo did not finish).
    pub(super) fn abandon(&mut self) {
        self.keep = true;
        self.lock = None;
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

/// Whether the staging folder's owner is gone: its lock could be taken
/// (and is now held through `lock`, until it is closed).
pub(super) fn owner_is_gone(lock: &File) -> io::Result<bool> {
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
