//! All-or-nothing extraction: recover what a killed run left, check the
//! target directory, inflate everything into a staging folder inside it, then
//! switch the units (`jobs/<job>` folders, loose files) into place.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Context;

use super::entry::{lift, same_contents, EntryReader};
use super::tree::ROOT;
use super::{esc, job_of, ArchiveError, Entry, Listing};
use crate::cancel::Interrupted;
use crate::fsx::{self, Kind};
use crate::switch::{self, Recovered, Switch, TargetError};

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
    /// Every file written, wherever it is (`jobs/`, `scripts/`, `resources/`).
    pub files: u64,
    pub bytes: u64,
    /// Job name → its files (the part of `files` under `jobs/<job>/`).
    pub jobs: BTreeMap<String, Vec<String>>,
    /// What was left by killed runs and put right first (one line each to show).
    pub recovered: Vec<Recovered>,
}

/// What gets moved into place, as a whole.
struct Plan<'l> {
    /// `jobs/<job>` directories (replaced whole) and files outside them
    /// (overwritten one by one), in archive order.
    units: Vec<String>,
    /// Directory entries outside job directories: made to exist.
    dirs: Vec<&'l Entry>,
    files: Vec<&'l Entry>,
}

impl<'l> Plan<'l> {
    fn new(listing: &'l Listing) -> Self {
        let mut plan = Plan {
            units: Vec::new(),
            dirs: Vec::new(),
            files: Vec::new(),
        };
        let mut jobs = std::collections::HashSet::new();
        for e in &listing.entries {
            if !e.is_dir {
                plan.files.push(e);
            }
            if let Some(job) = job_of(&e.path, e.is_dir) {
                if jobs.insert(job) {
                    plan.units.push(format!("jobs/{job}"));
                }
            } else if e.is_dir {
                plan.dirs.push(e);
            } else {
                plan.units.push(e.path.clone());
            }
        }
        plan
    }
}

/// Paths (relative to `dir`) the extraction would replace that already exist:
/// each `jobs/<job>` directory of the archive, and each file outside them.
/// Parent folders such as `jobs/` or `scripts/` do not count. Fails, naming
/// it, on a symbolic link or a non-folder where the archive needs a folder,
/// and on a name too long to be a file name here.
///
/// Walks the archive's tree over `dir`, descending only into folders that
/// exist.
pub fn existing_targets(listing: &Listing, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let tree = &listing.tree;
    let entries = &listing.entries;
    let too_long = entries.iter().find(|entry| {
        entry
            .path
            .split('/')
            .any(|name| name.len() > crate::names::MAX_FILE_NAME_BYTES)
    });
    if let Some(entry) = too_long {
        return Err(TargetError::NameTooLong {
            path: crate::text::escape_controls(&entry.path),
        }
        .into());
    }
    let jobs = tree.child(ROOT, "jobs", entries);
    let mut existing = Vec::new();
    let mut stack = vec![ROOT];
    while let Some(node) = stack.pop() {
        for child in tree.children(node) {
            let rel = tree.path(child, entries);
            let path = dir.join(rel);
            let kind =
                Kind::of(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let is_file = tree.is_file(child);
            let is_job = !is_file && Some(node) == jobs;
            match kind {
                Kind::Absent => {}
                Kind::Symlink if !is_file => return Err(TargetError::Symlink { path }.into()),
                Kind::Dir if is_file => return Err(TargetError::IsADirectory { path }.into()),
                Kind::Dir if !is_job => stack.push(child),
                Kind::File | Kind::Special(_) if !is_file => {
                    return Err(TargetError::NotADirectory { path }.into())
                }
                // A job folder, or a file (a link is replaced as a link).
                _ => existing.push(PathBuf::from(rel)),
            }
        }
    }
    existing.sort();
    Ok(existing)
}

/// Extracts `zip_path` (already checked by [`super::inspect`], giving `listing`) into `dir`.
///
/// First puts right what a killed run left in `dir` ([`switch::recover`]).
/// Everything is written into a staging directory inside `dir` first and then
/// switched into place, so on any failure (unsafe or corrupt data, a full disk,
/// cancellation) `dir` is left as it was. Files are created 0666 and folders
/// 0777, minus the umask. Errors wrap [`ArchiveError`], [`TargetError`],
/// [`Interrupted`] or `io::Error`; downcast to tell them apart.
pub fn extract(
    zip_path: &Path,
    listing: &Listing,
    dir: &Path,
    opts: &ExtractOptions,
) -> anyhow::Result<Extracted> {
    let mut created = fsx::CreatedDirs::create(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    let result = extract_into(zip_path, listing, dir, opts);
    if result.is_ok() {
        created.keep();
    }
    // The caller says which archive (`zip_path` may be a temporary file).
    result
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
    let recovered = switch::recover(dir)?;
    let plan = Plan::new(listing);
    // Preflight: nothing is written before these pass.
    let existing = existing_targets(listing, dir)?;
    if !existing.is_empty() && !opts.force {
        return Err(TargetError::Exists { paths: existing }.into());
    }
    check_cancel(opts.cancel)?;

    let zip =
        File::open(zip_path).with_context(|| format!("cannot open {}", zip_path.display()))?;
    let mut sw = Switch::begin(dir)?;
    stage(&zip, listing, &plan, &sw.new_root(), opts)?;
    check_cancel(opts.cancel)?;
    for e in &plan.dirs {
        sw.make_dir(&e.path);
    }
    for unit in &plan.units {
        sw.place(unit, opts.force);
    }
    sw.commit(opts.cancel)?;

    Ok(Extracted {
        dir: dir.to_path_buf(),
        files: plan.files.len() as u64,
        bytes: listing.total_size,
        jobs: listing.jobs(),
        recovered,
    })
}

/// Writes every folder and file of the archive under `root`, checks equal
/// duplicates byte for byte.
fn stage(
    zip: &File,
    listing: &Listing,
    plan: &Plan,
    root: &Path,
    opts: &ExtractOptions,
) -> anyhow::Result<()> {
    // Folders first, parents before children.
    for node in listing.tree.folders() {
        let p = root.join(listing.tree.path(node, &listing.entries));
        fsx::create_dir(&p).with_context(|| format!("cannot create {}", p.display()))?;
    }
    inflate_all(zip, listing, &plan.files, root, opts)?;
    // Same path twice with the same size and CRC: the contents must match too.
    for (k, other) in &listing.dups {
        check_cancel(opts.cancel)?;
        let e = &listing.entries[*k];
        if !same_contents(
            (zip, &e.raw, listing.data_end),
            (zip, other, listing.data_end),
            &e.path,
        )? {
            return Err(ArchiveError::ConflictingDuplicate { name: esc(&e.path) }.into());
        }
    }
    Ok(())
}

/// Inflates `files` in parallel; the first real error (not a cancellation
/// another worker saw) wins.
fn inflate_all(
    zip: &File,
    listing: &Listing,
    files: &[&Entry],
    root: &Path,
    opts: &ExtractOptions,
) -> anyhow::Result<()> {
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
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(e) = files.get(i) else { break };
                    if let Err(err) = inflate_to_file(zip, listing, e, root, &mut buf, opts) {
                        stop.store(true, Ordering::Relaxed);
                        let mut slot = first_err.lock().unwrap_or_else(|p| p.into_inner());
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
    match first_err.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(err) => Err(err),
        None => Ok(()),
    }
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
    let mut f = fsx::create_new(&p).with_context(|| format!("cannot create {}", p.display()))?;
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
