//! All-or-nothing extraction through a staging directory.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Context;

use super::central::{lift, same_contents, EntryReader};
use super::{esc, job_of, ArchiveError, Entry, Listing, TargetExists};
use crate::cancel::Interrupted;

/// Options for [`extract`].
pub struct ExtractOptions<'a> {
    /// Replace existing `jobs/<job>/` directories whole and overwrite files.
    pub force: bool,
    /// Set (e.g. by a Ctrl-C handler) to stop; [`extract`] then fails with
    /// [`crate::cancel::Interrupted`] and leaves the directory as it was.
    pub cancel: &'a AtomicBool,
    /// Called with the number of uncompressed bytes just written (a delta),
    /// from several threads.
    pub on_bytes: &'a (dyn Fn(u64) + Sync),
}

/// What [`extract`] did.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub dir: PathBuf,
    pub files: u64,
    pub bytes: u64,
    pub jobs: BTreeMap<String, Vec<String>>,
}

/// What gets moved into place, as a whole.
struct Plan<'l> {
    /// `jobs/<job>` directories, replaced whole.
    jobs: BTreeSet<&'l str>,
    /// Files outside any job directory, overwritten one by one.
    files: Vec<&'l Entry>,
    /// Directory entries outside job directories: made to exist.
    dirs: Vec<&'l Entry>,
}

impl<'l> Plan<'l> {
    fn new(listing: &'l Listing) -> Self {
        let mut plan = Plan {
            jobs: BTreeSet::new(),
            files: Vec::new(),
            dirs: Vec::new(),
        };
        for e in &listing.entries {
            if let Some(job) = job_of(&e.path, e.is_dir) {
                plan.jobs.insert(job);
            } else if e.is_dir {
                plan.dirs.push(e);
            } else {
                plan.files.push(e);
            }
        }
        plan
    }

    /// Units moved into place: (relative target, is a job directory).
    fn units(&self) -> Vec<(PathBuf, bool)> {
        let jobs = self.jobs.iter().map(|j| (Path::new("jobs").join(j), true));
        let files = self.files.iter().map(|e| (PathBuf::from(&e.path), false));
        jobs.chain(files).collect()
    }
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

/// Paths (relative to `dir`) the extraction would create that already exist:
/// each `jobs/<job>` directory of the archive, and each file outside them.
/// Parent folders such as `jobs/` or `scripts/` do not count.
pub fn existing_targets(listing: &Listing, dir: &Path) -> Vec<PathBuf> {
    Plan::new(listing)
        .units()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| exists(&dir.join(p)))
        .collect()
}

/// Extract `zip_path` (already checked by [`super::inspect`], giving `listing`) into `dir`.
///
/// Everything is written into a staging directory inside `dir` first and then
/// renamed into place, so on any failure (unsafe or corrupt data, a full disk,
/// cancellation) `dir` is left as it was. Errors wrap [`ArchiveError`],
/// [`TargetExists`], [`Interrupted`] or `io::Error`; downcast to tell them apart.
pub fn extract(
    zip_path: &Path,
    listing: &Listing,
    dir: &Path,
    opts: &ExtractOptions,
) -> anyhow::Result<Extracted> {
    let created = create_dir_tracked(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    let result = extract_into(zip_path, listing, dir, opts);
    if result.is_err() {
        for d in created.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
    result.with_context(|| format!("extracting {}", zip_path.display()))
}

/// `create_dir_all`, returning the directories it created (outermost first).
fn create_dir_tracked(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.as_os_str().is_empty() || d.is_dir() {
            break;
        }
        missing.push(d.to_path_buf());
        cur = d.parent();
    }
    missing.reverse();
    let mut created = Vec::new();
    for d in missing {
        match make_dir(&d) {
            Ok(()) => created.push(d),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(e) => {
                for c in created.iter().rev() {
                    let _ = fs::remove_dir(c);
                }
                return Err(e);
            }
        }
    }
    Ok(created)
}

fn make_dir(p: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        b.mode(0o755);
        b.create(p)?;
        fs::set_permissions(p, fs::Permissions::from_mode(0o755))
    }
    #[cfg(not(unix))]
    {
        b.create(p)
    }
}

fn create_file(p: &Path) -> io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        o.mode(0o644);
        let f = o.open(p)?;
        f.set_permissions(fs::Permissions::from_mode(0o644))?;
        Ok(f)
    }
    #[cfg(not(unix))]
    {
        o.open(p)
    }
}

fn check_cancel(cancel: &AtomicBool) -> anyhow::Result<()> {
    Ok(crate::cancel::check(cancel)?)
}

fn extract_into(
    zip_path: &Path,
    listing: &Listing,
    dir: &Path,
    opts: &ExtractOptions,
) -> anyhow::Result<Extracted> {
    let plan = Plan::new(listing);
    let units = plan.units();

    // Preflight: nothing is written before these pass.
    let existing: Vec<PathBuf> = units
        .iter()
        .filter(|(p, _)| exists(&dir.join(p)))
        .map(|(p, _)| p.clone())
        .collect();
    if !existing.is_empty() && !opts.force {
        return Err(TargetExists { paths: existing }.into());
    }
    for (rel, is_job) in &units {
        let target = dir.join(rel);
        for anc in rel.ancestors().skip(1) {
            let a = dir.join(anc);
            if anc.as_os_str().is_empty() {
                break;
            }
            if exists(&a) && !a.is_dir() {
                anyhow::bail!("{} exists and is not a directory", a.display());
            }
        }
        if !is_job && target.is_dir() {
            anyhow::bail!(
                "{} is a directory; not replacing it with a file",
                target.display()
            );
        }
    }
    for e in &plan.dirs {
        let a = dir.join(&e.path);
        if exists(&a) && !a.is_dir() {
            anyhow::bail!("{} exists and is not a directory", a.display());
        }
    }
    check_cancel(opts.cancel)?;

    let zip =
        File::open(zip_path).with_context(|| format!("cannot open {}", zip_path.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".dataarts-jobs-")
        .tempdir_in(dir)
        .with_context(|| format!("cannot create a staging directory in {}", dir.display()))?;
    let new_root = staging.path().join("new");
    let old_root = staging.path().join("old");
    make_dir(&new_root)?;
    make_dir(&old_root)?;

    // Directories first, parents before children.
    let mut dirs: BTreeSet<&str> = BTreeSet::new();
    for e in &listing.entries {
        if e.is_dir {
            dirs.insert(&e.path);
        }
        for (i, _) in e.path.match_indices('/') {
            dirs.insert(&e.path[..i]);
        }
    }
    for d in &dirs {
        let p = new_root.join(d);
        make_dir(&p).with_context(|| format!("cannot create {}", p.display()))?;
    }

    // Inflate files in parallel.
    let files: Vec<&Entry> = listing.entries.iter().filter(|e| !e.is_dir).collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_err: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16)
        .min(files.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(e) = files.get(i) else { break };
                    let r = inflate_to_file(&zip, listing, e, &new_root, &mut buf, opts);
                    if let Err(err) = r {
                        stop.store(true, Ordering::Relaxed);
                        let mut slot = first_err.lock().unwrap_or_else(|p| p.into_inner());
                        // Prefer a real error over a cancellation seen by another worker.
                        let replace = match &*slot {
                            None => true,
                            Some(prev) => prev.is::<Interrupted>() && !err.is::<Interrupted>(),
                        };
                        if replace {
                            *slot = Some(err);
                        }
                        break;
                    }
                }
            });
        }
    });
    if let Some(err) = first_err.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(err);
    }

    // Same path twice with the same size and CRC: the contents must match too.
    for (k, other) in &listing.dups {
        check_cancel(opts.cancel)?;
        let e = &listing.entries[*k];
        if !same_contents(
            (&zip, &e.raw, listing.data_end),
            (&zip, other, listing.data_end),
            &e.path,
        )? {
            return Err(ArchiveError::ConflictingDuplicate { name: esc(&e.path) }.into());
        }
    }
    check_cancel(opts.cancel)?;

    // Move into place, undoing everything on failure.
    let mut journal = Vec::new();
    let r = commit(&plan, &units, dir, &new_root, &old_root, opts, &mut journal);
    if r.is_err() {
        rollback(journal);
    }
    r?;
    drop(staging);

    Ok(Extracted {
        dir: dir.to_path_buf(),
        files: files.len() as u64,
        bytes: listing.total_size,
        jobs: listing.jobs(),
    })
}

fn inflate_to_file(
    zip: &File,
    listing: &Listing,
    e: &Entry,
    root: &Path,
    buf: &mut [u8],
    opts: &ExtractOptions,
) -> anyhow::Result<()> {
    check_cancel(opts.cancel)?;
    let mut r = EntryReader::open(zip, &e.raw, listing.data_end, &e.path)?;
    let p = root.join(&e.path);
    let mut f = create_file(&p).with_context(|| format!("cannot create {}", p.display()))?;
    loop {
        let n = match io::Read::read(&mut r, buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(lift(err)),
        };
        f.write_all(&buf[..n])
            .with_context(|| format!("cannot write {}", p.display()))?;
        (opts.on_bytes)(n as u64);
        check_cancel(opts.cancel)?;
    }
    Ok(())
}

enum Step {
    Created(PathBuf),
    MovedAside { target: PathBuf, aside: PathBuf },
    Placed { target: PathBuf, staged: PathBuf },
}

fn ensure_dir(p: &Path, journal: &mut Vec<Step>) -> anyhow::Result<()> {
    if p.is_dir() {
        return Ok(());
    }
    if let Some(parent) = p.parent() {
        ensure_dir(parent, journal)?;
    }
    make_dir(p).with_context(|| format!("cannot create {}", p.display()))?;
    journal.push(Step::Created(p.to_path_buf()));
    Ok(())
}

fn commit(
    plan: &Plan,
    units: &[(PathBuf, bool)],
    dir: &Path,
    new_root: &Path,
    old_root: &Path,
    opts: &ExtractOptions,
    journal: &mut Vec<Step>,
) -> anyhow::Result<()> {
    for e in &plan.dirs {
        ensure_dir(&dir.join(&e.path), journal)?;
    }
    for (n, (rel, _)) in units.iter().enumerate() {
        check_cancel(opts.cancel)?;
        let target = dir.join(rel);
        let staged = new_root.join(rel);
        if let Some(parent) = target.parent() {
            ensure_dir(parent, journal)?;
        }
        if exists(&target) {
            if !opts.force {
                return Err(TargetExists {
                    paths: vec![rel.clone()],
                }
                .into());
            }
            let aside = old_root.join(n.to_string());
            fs::rename(&target, &aside)
                .with_context(|| format!("cannot move {} aside", target.display()))?;
            journal.push(Step::MovedAside {
                target: target.clone(),
                aside,
            });
        }
        fs::rename(&staged, &target)
            .with_context(|| format!("cannot move {} into place", target.display()))?;
        journal.push(Step::Placed { target, staged });
    }
    Ok(())
}

fn rollback(journal: Vec<Step>) {
    for step in journal.into_iter().rev() {
        match step {
            Step::Placed { target, staged } => {
                let _ = fs::rename(&target, &staged);
            }
            Step::MovedAside { target, aside } => {
                let _ = fs::rename(&aside, &target);
            }
            Step::Created(p) => {
                let _ = fs::remove_dir(&p);
            }
        }
    }
}
