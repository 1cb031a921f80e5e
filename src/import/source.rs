//! What an import reads: a zip (uploaded byte for byte, in the batch or the
//! single-job export's layout), a directory holding
//! `jobs/<job>/...` (packed into zips in the batch-export layout, whole jobs
//! per zip, each at most [`MAX_ARCHIVE_BYTES`] packed and inflated), or an
//! object already in OBS. Every local archive passes [`archive::inspect_file`]
//! (the `unpack` safety rules) and its job names the name rules before
//! anything is uploaded; what is checked is a private copy, the very bytes
//! that are uploaded.
//!
//! Memory stays bounded whatever the source: sizes come from metadata
//! before anything is read (a job over the limit is refused unread), files
//! stream into each zip, and each checked archive waits in an unnamed
//! temporary file ([`Payload`]) until its upload reads it, one at a time.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use bytes::Bytes;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{ImportError, MAX_ARCHIVE_BYTES};
use crate::archive::{self, Limits};
use crate::names::{self, NameError};
use crate::obs::ObjectPath;

/// SOURCE as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Zip(PathBuf),
    Dir(PathBuf),
    Obs(ObjectPath),
}

impl Source {
    /// `obs://…` is an object; otherwise an existing directory or file.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        if text.starts_with("obs://") {
            return Ok(Source::Obs(ObjectPath::parse(text)?));
        }
        let path = PathBuf::from(text);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => Ok(Source::Dir(path)),
            Ok(meta) if meta.is_file() => Ok(Source::Zip(path)),
            Ok(_) => Err(ImportError::SpecialFile {
                path: path.display().to_string(),
            }
            .into()),
            Err(error) => Err(ImportError::Unreadable {
                path: path.display().to_string(),
                detail: error.to_string(),
            }
            .into()),
        }
    }

    /// Whether the source is uploaded (a local zip or directory).
    pub fn is_local(&self) -> bool {
        !matches!(self, Source::Obs(_))
    }
}

/// A checked archive's bytes, waiting for their upload in an unnamed
/// temporary file that only this run holds (gone once the last clone is
/// dropped, or the run is killed). At most [`MAX_ARCHIVE_BYTES`].
#[derive(Debug, Clone)]
pub struct Payload {
    file: Arc<File>,
    size: u64,
}

impl Payload {
    /// `size` bytes written to `file` (a [`private_copy`]) and checked.
    fn new(file: File, size: u64) -> Self {
        Self {
            file: Arc::new(file),
            size,
        }
    }

    /// A payload holding `bytes` (checked by nobody: for tests and tools).
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
        let mut file = private_copy()?;
        file.write_all(bytes)
            .map_err(|error| unreadable(Path::new("a temporary file"), error))?;
        Ok(Self::new(file, bytes.len() as u64))
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Its bytes, read whole (positional reads: clones do not share a
    /// cursor). Blocking; see [`Payload::load`].
    pub fn read(&self) -> Result<Bytes, ImportError> {
        let failed =
            |error: io::Error| unreadable(Path::new("the checked copy of an archive"), error);
        let len = usize::try_from(self.size)
            .map_err(|_| failed(io::Error::other("too large for memory")))?;
        let mut bytes = vec![0u8; len];
        crate::fsx::read_exact_at(&self.file, &mut bytes, 0).map_err(failed)?;
        Ok(Bytes::from(bytes))
    }

    /// [`Payload::read`] on a blocking thread.
    pub async fn load(&self) -> anyhow::Result<Bytes> {
        let payload = self.clone();
        Ok(tokio::task::spawn_blocking(move || payload.read())
            .await
            .context("reading a checked archive stopped unexpectedly")??)
    }
}

/// One archive to stage, checked.
#[derive(Debug, Clone)]
pub struct Archive {
    /// What it came from, for people: the zip's path, or the jobs it packs.
    pub label: String,
    /// The bytes that were checked, to upload.
    pub payload: Payload,
    /// The jobs it holds (`jobs/<job>/`), sorted.
    pub jobs: Vec<String>,
}

/// Reads and checks a local source: one archive for a zip, one or more for
/// a directory. Blocking (file reads); run it on a blocking thread.
pub fn load(source: &Source) -> anyhow::Result<Vec<Archive>> {
    match source {
        Source::Zip(path) => Ok(vec![load_zip(path)?]),
        Source::Dir(dir) => pack_dir(dir),
        Source::Obs(_) => Ok(Vec::new()),
    }
}

/// The `scripts/*.json` files of a backup tree at `dir`, sorted: copies of
/// the listed scripts, which the import API does not restore (it restores
/// the scripts a job references, from the job's own folder). Empty when
/// there is no such folder, or it cannot be read (this only informs).
pub fn backup_scripts(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join("scripts")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

fn unreadable(path: &Path, error: impl std::fmt::Display) -> ImportError {
    ImportError::Unreadable {
        path: path.display().to_string(),
        detail: error.to_string(),
    }
}

fn too_large(path: &Path, bytes: u64) -> ImportError {
    ImportError::ArchiveTooLarge {
        path: path.display().to_string(),
        bytes,
        limit: MAX_ARCHIVE_BYTES,
    }
}

/// A temporary file without a name (gone once closed, even if the run is
/// killed): where an archive is checked from and read back for upload.
fn private_copy() -> Result<File, ImportError> {
    tempfile::tempfile().map_err(|error| unreadable(Path::new("a temporary file"), error))
}

/// Opens `path` for reading, never through a symbolic link (one swapped in
/// after the folder was listed is refused, not followed).
fn open_no_follow(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// A zip as it is: its bytes, checked by the `unpack` rules. Its size is
/// known from the open file before a byte is read (too large: refused
/// unread), and at most [`MAX_ARCHIVE_BYTES`] + 1 bytes are read, into a
/// private copy; the copy is what is checked and what is uploaded, so a file
/// changed meanwhile cannot slip past the checks.
pub fn load_zip(path: &Path) -> anyhow::Result<Archive> {
    let mut file = File::open(path).map_err(|error| unreadable(path, error))?;
    let meta = file.metadata().map_err(|error| unreadable(path, error))?;
    if !meta.is_file() {
        return Err(ImportError::SpecialFile {
            path: path.display().to_string(),
        }
        .into());
    }
    if meta.len() > MAX_ARCHIVE_BYTES {
        return Err(too_large(path, meta.len()).into());
    }
    let mut copy = private_copy()?;
    let copied = io::copy(&mut (&mut file).take(MAX_ARCHIVE_BYTES + 1), &mut copy)
        .map_err(|error| unreadable(path, error))?;
    if copied > MAX_ARCHIVE_BYTES {
        // It grew after its size was read.
        let now = file
            .metadata()
            .map_or(copied, |meta| meta.len().max(copied));
        return Err(too_large(path, now).into());
    }
    let label = path.display().to_string();
    let jobs = check_file(&copy, &label, Layouts::BatchOrSingle)?;
    Ok(Archive {
        label,
        payload: Payload::new(copy, copied),
        jobs,
    })
}

/// Where an archive's jobs may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layouts {
    /// `jobs/<job>/...` (the batch export's layout, and what a tree packs into).
    Batch,
    /// That, or `jobs/<job>.job` beside top-level `scripts/` and `resources/`
    /// (the single-job export's `DLF_<job>.zip`, api-notes §a2): a zip
    /// source is uploaded as it is, whichever layout the server gave it.
    BatchOrSingle,
}

/// Checks the archive in `file` as `unpack` would, and its job names;
/// returns the jobs it holds, sorted.
fn check_file(file: &File, label: &str, layouts: Layouts) -> anyhow::Result<Vec<String>> {
    let limits = Limits {
        max_size: MAX_ARCHIVE_BYTES,
        ..Limits::default()
    };
    let listing = match archive::inspect_file(file, &limits) {
        Ok(listing) => listing,
        Err(archive::ArchiveError::TooLarge { total, .. }) => {
            return Err(ImportError::ArchiveTooLarge {
                path: format!("{label} (inflated)"),
                bytes: total,
                limit: MAX_ARCHIVE_BYTES,
            }
            .into());
        }
        Err(error) => return Err(anyhow::Error::new(error).context(format!("checking {label}"))),
    };
    // Entry names were checked by `inspect` with the unpack rules: only
    // jobs/, scripts/ and resources/ at the top, no `..`, no `.git`.
    let mut jobs: Vec<String> = listing.jobs().into_keys().collect();
    if layouts == Layouts::BatchOrSingle {
        // The single-job layout: the job is the `.job` file's stem.
        let single = listing.entries.iter().filter_map(|entry| {
            let file = entry.path.strip_prefix("jobs/")?;
            let stem = file.strip_suffix(".job")?;
            (!entry.is_dir && !file.contains('/')).then(|| stem.to_string())
        });
        jobs.extend(single);
        jobs.sort();
        jobs.dedup();
    }
    if jobs.is_empty() {
        return Err(ImportError::NoJobs {
            path: label.to_string(),
            zip: layouts == Layouts::BatchOrSingle,
        }
        .into());
    }
    for job in &jobs {
        if let Some(reason) = names::invalid_reason(job) {
            return Err(NameError::Invalid {
                name: job.clone(),
                reason,
            }
            .into());
        }
    }
    Ok(jobs)
}

/// A file of a job as listed: its entry name, where it is, its size then.
struct JobFile {
    /// `jobs/<job>/<relative path>`.
    name: String,
    path: PathBuf,
    size: u64,
}

/// A job's files, sorted by entry name, and their total size (from the
/// listing: nothing is read until its archive is packed).
struct JobFiles {
    name: String,
    files: Vec<JobFile>,
    bytes: u64,
}

/// Packs `dir/jobs/<job>/` folders into zips of whole jobs. Only names and
/// sizes are held for the tree; each zip is written straight to a private
/// copy, one file at a time.
pub fn pack_dir(dir: &Path) -> anyhow::Result<Vec<Archive>> {
    let jobs_dir = dir.join("jobs");
    if !jobs_dir.is_dir() {
        return Err(ImportError::NoJobs {
            path: dir.display().to_string(),
            zip: false,
        }
        .into());
    }
    let mut jobs = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&jobs_dir)
        .map_err(|error| unreadable(&jobs_dir, error))?
        .collect::<Result<_, _>>()
        .map_err(|error| unreadable(&jobs_dir, error))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let file_type = entry
            .file_type()
            .map_err(|error| unreadable(&path, error))?;
        if file_type.is_symlink() {
            return Err(ImportError::SpecialFile {
                path: path.display().to_string(),
            }
            .into());
        }
        if !file_type.is_dir() {
            continue;
        }
        let name = entry
            .file_name()
            .to_str()
            .map(str::to_string)
            .ok_or_else(|| unreadable(&path, "the folder name is not UTF-8"))?;
        if let Some(reason) = names::invalid_reason(&name) {
            return Err(NameError::Invalid { name, reason }.into());
        }
        let mut files = Vec::new();
        collect(&path, &format!("jobs/{name}"), &mut files)?;
        files.sort_by(|a, b| a.name.cmp(&b.name));
        // The import reads a job's definition from `jobs/<job>/<job>.job`.
        let definition = format!("jobs/{name}/{name}.job");
        if !files.iter().any(|file| file.name == definition) {
            return Err(ImportError::NoDefinition {
                folder: path.display().to_string(),
                name,
            }
            .into());
        }
        let bytes = files
            .iter()
            .fold(0u64, |sum, file| sum.saturating_add(file.size));
        if bytes > MAX_ARCHIVE_BYTES {
            return Err(ImportError::JobTooLarge {
                name,
                bytes,
                limit: MAX_ARCHIVE_BYTES,
            }
            .into());
        }
        jobs.push(JobFiles { name, files, bytes });
    }
    if jobs.is_empty() {
        return Err(ImportError::NoJobs {
            path: dir.display().to_string(),
            zip: false,
        }
        .into());
    }
    // Greedy: whole jobs, in name order, while the inflated size fits.
    let mut groups: Vec<&[JobFiles]> = Vec::new();
    let (mut start, mut current_bytes) = (0, 0u64);
    for (index, job) in jobs.iter().enumerate() {
        if index > start && current_bytes + job.bytes > MAX_ARCHIVE_BYTES {
            groups.push(&jobs[start..index]);
            (start, current_bytes) = (index, 0);
        }
        current_bytes += job.bytes;
    }
    groups.push(&jobs[start..]);
    let mut archives = Vec::new();
    for group in groups {
        pack_group(group, &mut archives)?;
    }
    Ok(archives)
}

/// Zips one group; a zip over the limit (entries' overhead) is split in two.
fn pack_group(group: &[JobFiles], out: &mut Vec<Archive>) -> anyhow::Result<()> {
    let (file, size) = zip_jobs(group)?;
    if size > MAX_ARCHIVE_BYTES {
        drop(file);
        if let [one] = group {
            return Err(ImportError::JobTooLarge {
                name: one.name.clone(),
                bytes: size,
                limit: MAX_ARCHIVE_BYTES,
            }
            .into());
        }
        let (first, second) = group.split_at(group.len() / 2);
        pack_group(first, out)?;
        return pack_group(second, out);
    }
    let label = match group {
        [one] => format!("job {}", one.name),
        [first, .., last] => format!("{} jobs ({} … {})", group.len(), first.name, last.name),
        [] => "no jobs".to_string(),
    };
    let jobs = check_file(&file, &label, Layouts::Batch)?;
    out.push(Archive {
        label,
        payload: Payload::new(file, size),
        jobs,
    });
    Ok(())
}

/// A zip of the jobs' files in the batch-export layout, written to a
/// private copy (returned with its size); a fixed timestamp, so the same
/// tree gives the same bytes. Each file is streamed in, and must still be
/// the size it was listed with.
fn zip_jobs(group: &[JobFiles]) -> anyhow::Result<(File, u64)> {
    let temp = || Path::new("a temporary file");
    let copy = private_copy()?;
    let mut writer = ZipWriter::new(BufWriter::new(copy));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for job in group {
        for file in &job.files {
            let mut source =
                open_no_follow(&file.path).map_err(|error| unreadable(&file.path, error))?;
            writer.start_file(file.name.as_str(), options)?;
            let copied = io::copy(&mut (&mut source).take(file.size), &mut writer)
                .map_err(|error| unreadable(&file.path, error))?;
            let mut more = [0u8; 1];
            let longer = source
                .read(&mut more)
                .map_err(|error| unreadable(&file.path, error))?;
            if copied != file.size || longer != 0 {
                return Err(unreadable(&file.path, "it changed while it was being read").into());
            }
        }
    }
    let copy = writer
        .finish()?
        .into_inner()
        .map_err(|error| unreadable(temp(), error.into_error()))?;
    let size = copy
        .metadata()
        .map_err(|error| unreadable(temp(), error))?
        .len();
    Ok((copy, size))
}

/// Every regular file under `dir`, with its size as listed; a symbolic link
/// or special file refuses.
fn collect(dir: &Path, prefix: &str, out: &mut Vec<JobFile>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|error| unreadable(dir, error))?;
    for entry in entries {
        let entry = entry.map_err(|error| unreadable(dir, error))?;
        let path = entry.path();
        let file_type = entry
            .file_type()
            .map_err(|error| unreadable(&path, error))?;
        let name = entry
            .file_name()
            .to_str()
            .map(str::to_string)
            .ok_or_else(|| unreadable(&path, "the file name is not UTF-8"))?;
        let relative = format!("{prefix}/{name}");
        if file_type.is_dir() {
            collect(&path, &relative, out)?;
        } else if file_type.is_file() {
            let size = entry
                .metadata()
                .map_err(|error| unreadable(&path, error))?
                .len();
            out.push(JobFile {
                name: relative,
                path,
                size,
            });
        } else {
            return Err(ImportError::SpecialFile {
                path: path.display().to_string(),
            }
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(root: &Path, name: &str, files: &[(&str, &[u8])]) {
        let dir = root.join("jobs").join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (file, bytes) in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, bytes).expect("write");
        }
    }

    fn entries(bytes: &[u8]) -> Vec<String> {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        (0..archive.len())
            .map(|i| {
                archive
                    .name_for_index(i)
                    .expect("name")
                    .expect("utf-8")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn a_tree_packs_into_the_batch_layout() {
        let dir = tempfile::tempdir().expect("tempdir");
        job(dir.path(), "b", &[("b.job", b"{}"), ("x.script", b"{}")]);
        job(
            dir.path(),
            "a",
            &[("a.job", b"{}"), ("resources/r.resource", b"r")],
        );
        std::fs::create_dir_all(dir.path().join("scripts")).expect("mkdir");
        std::fs::write(dir.path().join("scripts/z.json"), b"{}").expect("write");
        std::fs::write(dir.path().join("scripts/a.json"), b"{}").expect("write");
        std::fs::write(dir.path().join("scripts/notes.txt"), b"").expect("write");
        assert_eq!(backup_scripts(dir.path()), ["a.json", "z.json"]);
        let archives = pack_dir(dir.path()).expect("packs");
        assert_eq!(archives.len(), 1);
        assert_eq!(archives[0].jobs, ["a", "b"]);
        let mut names = entries(&archives[0].payload.read().expect("read"));
        names.sort();
        assert_eq!(
            names,
            [
                "jobs/a/a.job",
                "jobs/a/resources/r.resource",
                "jobs/b/b.job",
                "jobs/b/x.script"
            ]
        );
        // The same tree gives the same bytes.
        assert_eq!(
            pack_dir(dir.path()).expect("packs")[0]
                .payload
                .read()
                .expect("read"),
            archives[0].payload.read().expect("read")
        );
    }

    #[test]
    fn large_trees_split_by_whole_jobs_and_an_oversized_job_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = vec![7u8; 4 * 1024 * 1024];
        for name in ["a", "b", "c"] {
            job(
                dir.path(),
                name,
                &[(&format!("{name}.job"), b"{}"), ("data.bin", &big)],
            );
        }
        let archives = pack_dir(dir.path()).expect("packs");
        assert_eq!(archives.len(), 2);
        assert_eq!(archives[0].jobs, ["a", "b"]);
        assert_eq!(archives[1].jobs, ["c"]);
        let huge = vec![1u8; 11 * 1024 * 1024];
        job(dir.path(), "d", &[("d.job", b"{}"), ("huge.bin", &huge)]);
        let error = pack_dir(dir.path()).expect_err("refused");
        assert!(
            matches!(error.downcast_ref::<ImportError>(), Some(ImportError::JobTooLarge { name, .. }) if name == "d"),
            "{error}"
        );
    }

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, content) in files {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .expect("start");
            writer.write_all(content).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    #[test]
    fn a_zip_is_uploaded_byte_for_byte_with_its_jobs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("jobs.zip");
        let bytes = zip_of(&[("jobs/b/b.job", b"{}"), ("jobs/a/a.job", b"{}")]);
        std::fs::write(&path, &bytes).expect("write");
        let archive = load_zip(&path).expect("loads");
        assert_eq!(archive.payload.size(), bytes.len() as u64);
        // The checked copy is what is uploaded, whatever the file becomes.
        std::fs::write(&path, b"changed").expect("write");
        assert_eq!(archive.payload.read().expect("read"), bytes);
        assert_eq!(archive.jobs, ["a", "b"]);
    }

    #[test]
    fn a_single_job_export_names_its_job_by_the_job_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("DLF_job_x.zip");
        let bytes = zip_of(&[
            ("jobs/job_x.job", b"{}"),
            ("scripts/s.script", b"{}"),
            ("resources/r.resource", b"{}"),
        ]);
        std::fs::write(&path, &bytes).expect("write");
        let archive = load_zip(&path).expect("loads");
        assert_eq!(archive.jobs, ["job_x"]);
        assert_eq!(archive.payload.read().expect("read"), bytes);
        // A stem that is no valid job name is refused like a folder's name.
        std::fs::write(&path, zip_of(&[("jobs/.job", b"{}")])).expect("write");
        assert!(load_zip(&path).is_err());
        // Scripts alone are no job.
        std::fs::write(&path, zip_of(&[("scripts/s.script", b"{}")])).expect("write");
        assert!(matches!(
            load_zip(&path)
                .expect_err("no job")
                .downcast_ref::<ImportError>(),
            Some(ImportError::NoJobs { .. })
        ));
    }

    #[test]
    fn a_zip_over_the_limit_is_refused_from_its_size_unread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("huge.zip");
        // Sparse: 1 TiB on the file's metadata, nothing on disk. Reading it
        // whole (as before) fails to allocate or takes hours; its size alone
        // refuses it.
        let file = File::create(&path).expect("create");
        let size = match file.set_len(1 << 40) {
            Ok(()) => 1 << 40,
            Err(_) => {
                file.set_len(MAX_ARCHIVE_BYTES + 1).expect("set_len");
                MAX_ARCHIVE_BYTES + 1
            }
        };
        let started = std::time::Instant::now();
        let error = load_zip(&path).expect_err("refused");
        assert!(
            matches!(
                error.downcast_ref::<ImportError>(),
                Some(ImportError::ArchiveTooLarge { bytes, limit, .. })
                    if *bytes == size && *limit == MAX_ARCHIVE_BYTES
            ),
            "{error:#}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // Exactly at the limit is read (and then checked: not a zip).
        file.set_len(MAX_ARCHIVE_BYTES).expect("set_len");
        let error = load_zip(&path).expect_err("not a zip");
        assert!(
            error
                .chain()
                .any(|cause| cause.is::<archive::ArchiveError>()),
            "{error:#}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_before_it_is_read() {
        // /dev/zero never ends: refused from its metadata, not read.
        let error = load_zip(Path::new("/dev/zero")).expect_err("refused");
        assert!(
            matches!(
                error.downcast_ref::<ImportError>(),
                Some(ImportError::SpecialFile { .. })
            ),
            "{error:#}"
        );
    }

    #[test]
    fn a_job_over_the_limit_is_refused_from_its_sizes_before_any_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        job(dir.path(), "a", &[("a.job", b"{}")]);
        job(dir.path(), "b", &[("b.job", b"{}")]);
        // Sparse: 1 TiB as listed, nothing on disk; reading it (as before)
        // fails to allocate or takes hours.
        let huge = File::create(dir.path().join("jobs/b/huge.bin")).expect("create");
        let size = match huge.set_len(1 << 40) {
            Ok(()) => 1 << 40,
            Err(_) => {
                huge.set_len(MAX_ARCHIVE_BYTES + 1).expect("set_len");
                MAX_ARCHIVE_BYTES + 1
            }
        };
        let started = std::time::Instant::now();
        let error = pack_dir(dir.path()).expect_err("refused");
        assert!(
            matches!(
                error.downcast_ref::<ImportError>(),
                Some(ImportError::JobTooLarge { name, bytes, .. }) if name == "b" && *bytes == size + 2
            ),
            "{error:#}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn many_jobs_pack_into_archives_each_within_the_limit() {
        // 120 jobs of 256 KiB (incompressible): 30 MiB, more than two archives.
        let dir = tempfile::tempdir().expect("tempdir");
        let mut noise = vec![0u8; 256 * 1024];
        let mut state = 0x2545_f491_u32;
        for byte in &mut noise {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            *byte = state as u8;
        }
        let names: Vec<String> = (0..120).map(|i| format!("job{i:03}")).collect();
        for name in &names {
            let definition = format!("{name}.job");
            job(
                dir.path(),
                name,
                &[("data.bin", &noise), (&definition, b"{}")],
            );
        }
        let archives = pack_dir(dir.path()).expect("packs");
        assert!(archives.len() >= 3, "{}", archives.len());
        let mut jobs = Vec::new();
        for archive in &archives {
            assert!(archive.payload.size() <= MAX_ARCHIVE_BYTES);
            let bytes = archive.payload.read().expect("read");
            assert_eq!(bytes.len() as u64, archive.payload.size());
            assert_eq!(entries(&bytes).len(), 2 * archive.jobs.len());
            jobs.extend(archive.jobs.iter().cloned());
        }
        assert_eq!(jobs, names);
    }

    #[test]
    fn a_job_folder_without_its_definition_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        job(dir.path(), "a", &[("a.job", b"{}")]);
        job(dir.path(), "folder_x", &[("etl_a.job", b"{}")]);
        let error = pack_dir(dir.path()).expect_err("refused");
        match error.downcast_ref::<ImportError>() {
            Some(error @ ImportError::NoDefinition { name, .. }) => {
                assert_eq!(name, "folder_x");
                assert!(
                    error.to_string().contains("holds no folder_x.job"),
                    "{error}"
                );
            }
            other => panic!("expected NoDefinition, got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_and_unsafe_names_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        job(dir.path(), "a", &[("a.job", b"{}")]);
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("jobs/a/link")).expect("symlink");
        assert!(matches!(
            pack_dir(dir.path())
                .expect_err("refused")
                .downcast_ref::<ImportError>(),
            Some(ImportError::SpecialFile { .. })
        ));
        let dir = tempfile::tempdir().expect("tempdir");
        job(dir.path(), "a", &[("a.job", b"{}"), (".git/config", b"x")]);
        assert!(pack_dir(dir.path())
            .expect_err("refused")
            .chain()
            .any(|cause| cause.is::<archive::ArchiveError>()));
        let empty = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            pack_dir(empty.path())
                .expect_err("refused")
                .downcast_ref::<ImportError>(),
            Some(ImportError::NoJobs { .. })
        ));
    }
}
