//! Streaming a response body to a temporary file beside its destination,
//! within limits (a largest size, a lowest rate), checking that it is a
//! complete zip through the very file this run wrote, and renaming it into
//! place.
//!
//! The temporary file's name is unique to the run (`.<output>.<random>.part`,
//! created with `O_EXCL`, so never through a planted link), so concurrent runs
//! writing the same output never touch each other's files: each ends with a
//! complete archive in place, the later rename winning. A [`Target`] removes
//! its file when dropped unless it was persisted, so a failure, a panic or
//! Ctrl-C (which drops the future) leaves nothing behind and an existing
//! output untouched.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use reqwest::Response;

use crate::archive::{self, ArchiveError, Listing};
use crate::fsx::{self, Kind};
use crate::text::{error_chain, escape_prefix};

/// Start writing a download back to disk after this many new bytes.
const WRITEBACK_STEP: u64 = 32 * 1024 * 1024;
/// How much of a non-zip body the error message shows.
const SHOWN_PREFIX: usize = 64;
/// A body slower than this (bytes per second) over a whole window is timed
/// out: the same floor as every other body ([`crate::http::MIN_RATE`]).
pub use crate::http::MIN_RATE;

/// Where download progress goes (a bar, or nothing).
pub trait Progress: Send + Sync {
    /// `n` more bytes arrived.
    fn add(&self, n: u64);
    /// An attempt failed after `n` bytes; they will be fetched again.
    fn retract(&self, n: u64);
}

/// Limits against a broken or hostile server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest body accepted, in bytes.
    pub max_size: u64,
    /// A body that brings fewer than [`MIN_RATE`] bytes per second over this
    /// long is timed out (the `--timeout` of the connection).
    pub window: Duration,
}

impl Limits {
    pub fn new(max_size: u64, window: Duration) -> Self {
        Limits {
            max_size,
            window: window.max(Duration::from_millis(100)),
        }
    }
}

/// What went wrong with a body: facts about the server's answer.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// A 2xx body that is not a zip archive.
    #[error("the server answered {status} but the body is not a zip archive; it starts with: {first_bytes}{}", request_suffix(request_id.as_deref()))]
    NotZip {
        status: u16,
        first_bytes: String,
        request_id: Option<String>,
    },
    /// The body ended (or broke off) before it was a complete archive.
    #[error("the response body from {url} was cut short: {detail}")]
    CutShort { url: String, detail: String },
    /// The body is larger than the limit.
    #[error("the response body from {url} is larger than the limit of {}{}", crate::output::size(*max), declared_suffix(*declared))]
    TooLarge {
        url: String,
        max: u64,
        /// The size the server announced (`Content-Length`), if it did.
        declared: Option<u64>,
    },
    /// No byte of the body came for a whole `--timeout`.
    #[error("the response body from {url} timed out: nothing arrived for {:.0}s after {received} bytes", waited.as_secs_f64())]
    Stalled {
        url: String,
        received: u64,
        waited: Duration,
    },
    /// The body came slower than [`MIN_RATE`] for a whole window.
    #[error("the response body from {url} timed out: {received} bytes in {:.0}s, slower than {MIN_RATE} bytes/s", window.as_secs_f64())]
    TooSlow {
        url: String,
        received: u64,
        window: Duration,
    },
}

fn request_suffix(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

fn declared_suffix(declared: Option<u64>) -> String {
    declared
        .map(|n| format!(" (it announced {})", crate::output::size(n)))
        .unwrap_or_default()
}

impl DownloadError {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            DownloadError::CutShort { .. }
            | DownloadError::Stalled { .. }
            | DownloadError::TooSlow { .. } => true,
            DownloadError::NotZip { .. } | DownloadError::TooLarge { .. } => false,
        }
    }
}

/// Why writing a body failed.
#[derive(Debug)]
pub enum BodyError {
    /// The server's answer (maybe transient: [`DownloadError::is_transient`]).
    Download(DownloadError),
    /// A complete archive whose contents are unsafe (not worth retrying).
    Archive(ArchiveError),
    /// The local disk.
    Io(anyhow::Error),
}

/// Why the output path cannot take the archive.
#[derive(Debug, thiserror::Error)]
pub enum DestinationError {
    /// A directory, device, FIFO or socket (or a link to one) stands there.
    #[error("{} is {kind}, not a regular file", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    /// A file stands there and replacing was not allowed (it may have appeared meanwhile).
    #[error("already exists: {}", path.display())]
    Exists { path: PathBuf },
}

/// The output must be absent or a regular file (a link is followed to see
/// what it points at; persisting replaces the link itself).
pub fn check_destination(path: &Path) -> anyhow::Result<()> {
    let read = || format!("cannot read {}", path.display());
    let kind = match Kind::of(path).with_context(read)? {
        Kind::Symlink => Kind::of_followed(path).with_context(read)?,
        kind => kind,
    };
    match kind {
        Kind::Absent | Kind::File => Ok(()),
        other => Err(DestinationError::NotAFile {
            path: path.to_path_buf(),
            kind: other.describe(),
        }
        .into()),
    }
}

/// A temporary file's removal guard, without the file open: removes it when
/// dropped unless it was persisted.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl TempFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An open temporary file that is removed on drop unless persisted.
#[derive(Debug)]
pub struct Target {
    file: File,
    temp: TempFile,
}

impl Target {
    /// `.<output name>.<random>.part` beside `output`, made with `O_EXCL`.
    pub fn beside(output: &Path) -> anyhow::Result<Self> {
        let dir = match output.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_string());
        Self::create(dir, &format!(".{name}."))
    }

    /// A uniquely named hidden temporary file in `dir`: `<prefix><random>.part`.
    pub fn temp_in(dir: &Path, prefix: &str) -> anyhow::Result<Self> {
        Self::create(dir, prefix)
    }

    fn create(dir: &Path, prefix: &str) -> anyhow::Result<Self> {
        let mut opened = None;
        let path = fsx::create_unique(dir, prefix, ".part", |p| {
            opened = Some(fsx::create_new(p)?);
            Ok(())
        })
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        let temp = TempFile { path, armed: true };
        let file = opened.with_context(|| format!("cannot open {}", temp.path.display()))?;
        Ok(Self { file, temp })
    }

    pub fn path(&self) -> &Path {
        &self.temp.path
    }

    /// The file this run writes (and checks through).
    pub fn file(&self) -> &File {
        &self.file
    }

    pub fn file_mut(&mut self) -> &mut File {
        &mut self.file
    }

    /// Closes the file, keeping only its removal guard (for finished batches,
    /// so open files stay bounded however many there are).
    pub fn close(self) -> TempFile {
        self.temp
    }

    /// Flushes to disk and renames over `destination` (re-checked to be
    /// absent or a regular file). Without `force`, an existing destination
    /// is refused atomically ([`DestinationError::Exists`]).
    pub async fn persist(mut self, destination: &Path, force: bool) -> anyhow::Result<()> {
        let path = self.temp.path.clone();
        let file = self
            .file
            .try_clone()
            .with_context(|| format!("cannot write {}", path.display()))?;
        tokio::task::spawn_blocking(move || file.sync_all())
            .await
            .context("flushing to disk stopped unexpectedly")?
            .with_context(|| format!("cannot write {}", path.display()))?;
        check_destination(destination)?;
        let moved = if force {
            std::fs::rename(&path, destination)
        } else {
            fsx::rename_noclobber(&path, destination)
        };
        match moved {
            Ok(()) => {
                self.temp.armed = false;
                Ok(())
            }
            Err(e) if !force && e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(DestinationError::Exists {
                    path: destination.to_path_buf(),
                }
                .into())
            }
            Err(e) => Err(anyhow::Error::new(e).context(format!(
                "cannot move {} to {}",
                path.display(),
                destination.display()
            ))),
        }
    }
}

fn is_zip_magic(head: &[u8]) -> bool {
    // A local file header, an empty archive's end record, or a spanned marker.
    matches!(
        head.get(..4),
        Some(b"PK\x03\x04") | Some(b"PK\x05\x06") | Some(b"PK\x07\x08")
    )
}

/// A complete zip archive written to a [`Target`].
#[derive(Debug, Clone)]
pub struct Written {
    pub bytes: u64,
    /// Entries in its central directory (equal duplicates counted once).
    pub entries: usize,
    /// Its validated contents.
    pub listing: Listing,
}

/// The facts of the response that messages need.
struct Source {
    url: String,
    status: u16,
    request_id: Option<String>,
}

/// Streams `response` into `target` (from the start), checking the zip magic
/// as soon as it arrives, the size against `limits` and `Content-Length`,
/// the rate against [`MIN_RATE`], and finally that the file is a complete
/// zip archive, read back through `target`'s own handle.
pub async fn write_body(
    mut response: Response,
    target: &mut Target,
    limits: &Limits,
    progress: &dyn Progress,
) -> Result<Written, BodyError> {
    let source = Source {
        url: response.url().to_string(),
        status: response.status().as_u16(),
        request_id: crate::http::request_id(&response),
    };
    let declared = response.content_length();
    if let Some(n) = declared.filter(|&n| n > limits.max_size) {
        return Err(BodyError::Download(DownloadError::TooLarge {
            url: source.url,
            max: limits.max_size,
            declared: Some(n),
        }));
    }
    let mut sink = Sink::start(target)?;
    let received = receive(&mut response, &mut sink, &source, limits, progress).await;
    let written = sink.written;
    let fail = |e: BodyError| {
        progress.retract(written);
        e
    };
    received.map_err(fail)?;
    if let Some(expected) = declared.filter(|&n| n != written) {
        return Err(fail(BodyError::Download(DownloadError::CutShort {
            url: source.url,
            detail: format!("received {written} of {expected} bytes (Content-Length)"),
        })));
    }
    let listing = check_complete(target, &source, written)
        .await
        .map_err(fail)?;
    Ok(Written {
        bytes: written,
        entries: listing.entries.len(),
        listing,
    })
}

/// The file being written and how far.
struct Sink<'t> {
    file: &'t mut File,
    path: PathBuf,
    written: u64,
    flushed: u64,
}

impl<'t> Sink<'t> {
    fn start(target: &'t mut Target) -> Result<Self, BodyError> {
        let path = target.temp.path.clone();
        let file = &mut target.file;
        // Truncate only what an earlier attempt left: ext4 treats truncating a
        // file to zero as "replace via truncate" and flushes it all on close.
        let reset = (|| {
            if file.metadata()?.len() > 0 {
                file.set_len(0)?;
            }
            file.seek(SeekFrom::Start(0)).map(drop)
        })();
        reset.map_err(|e| local(e, &path))?;
        Ok(Sink {
            file,
            path,
            written: 0,
            flushed: 0,
        })
    }

    /// Written where it is received, as curl does: each chunk goes to the page
    /// cache in well under a millisecond, and one thread doing both avoids a
    /// hand-off per chunk (a writer thread measured ~20 % slower).
    fn write(&mut self, chunk: &[u8]) -> Result<(), BodyError> {
        self.file
            .write_all(chunk)
            .map_err(|e| local(e, &self.path))?;
        self.written += chunk.len() as u64;
        if self.written - self.flushed >= WRITEBACK_STEP {
            fsx::start_writeback(self.file, self.flushed, self.written);
            self.flushed = self.written;
        }
        Ok(())
    }
}

fn local(e: std::io::Error, path: &Path) -> BodyError {
    BodyError::Io(anyhow::Error::new(e).context(format!("cannot write {}", path.display())))
}

/// The receive loop: chunks to the sink, the magic checked on the first
/// bytes, the size and the rate watched throughout.
async fn receive(
    response: &mut Response,
    sink: &mut Sink<'_>,
    source: &Source,
    limits: &Limits,
    progress: &dyn Progress,
) -> Result<(), BodyError> {
    let mut head: Vec<u8> = Vec::with_capacity(SHOWN_PREFIX);
    let mut checked = false;
    let floor = (MIN_RATE as f64 * limits.window.as_secs_f64()) as u64;
    let mut in_window: u64 = 0;
    let window_end = tokio::time::sleep(limits.window);
    tokio::pin!(window_end);
    loop {
        let next = tokio::select! {
            biased;
            next = response.chunk() => next,
            () = &mut window_end => {
                if in_window < floor {
                    return Err(BodyError::Download(DownloadError::TooSlow {
                        url: source.url.clone(),
                        received: in_window,
                        window: limits.window,
                    }));
                }
                in_window = 0;
                window_end.as_mut().reset(tokio::time::Instant::now() + limits.window);
                continue;
            }
        };
        let chunk = match next {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) if error.is_timeout() => {
                return Err(BodyError::Download(DownloadError::Stalled {
                    url: source.url.clone(),
                    received: sink.written,
                    waited: limits.window,
                }))
            }
            Err(error) => {
                return Err(BodyError::Download(DownloadError::CutShort {
                    url: source.url.clone(),
                    detail: format!("after {} bytes: {}", sink.written, error_chain(&error)),
                }))
            }
        };
        if sink.written + chunk.len() as u64 > limits.max_size {
            return Err(BodyError::Download(DownloadError::TooLarge {
                url: source.url.clone(),
                max: limits.max_size,
                declared: None,
            }));
        }
        if !checked {
            remember_head(&mut head, &chunk);
            if head.len() >= 4 {
                if !is_zip_magic(&head) {
                    return Err(not_zip(response, head, source, limits.window).await);
                }
                checked = true;
            }
        }
        sink.write(&chunk)?;
        in_window += chunk.len() as u64;
        progress.add(chunk.len() as u64);
    }
    if !checked {
        return Err(BodyError::Download(DownloadError::NotZip {
            status: source.status,
            first_bytes: escape_prefix(&head, SHOWN_PREFIX),
            request_id: source.request_id.clone(),
        }));
    }
    Ok(())
}

fn remember_head(head: &mut Vec<u8>, chunk: &Bytes) {
    let take = SHOWN_PREFIX.saturating_sub(head.len()).min(chunk.len());
    head.extend_from_slice(&chunk[..take]);
}

/// Gathers a little more of a non-zip body for the message, for at most
/// `within`, then stops.
async fn not_zip(
    response: &mut Response,
    mut head: Vec<u8>,
    source: &Source,
    within: Duration,
) -> BodyError {
    let deadline = tokio::time::Instant::now() + within;
    while head.len() < SHOWN_PREFIX {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(more))) => remember_head(&mut head, &more),
            _ => break,
        }
    }
    BodyError::Download(DownloadError::NotZip {
        status: source.status,
        first_bytes: escape_prefix(&head, SHOWN_PREFIX),
        request_id: source.request_id.clone(),
    })
}

/// Reads the archive's central directory back through the target's own file
/// handle (never by path: another process may have put something else there).
async fn check_complete(
    target: &Target,
    source: &Source,
    written: u64,
) -> Result<Listing, BodyError> {
    let file = target
        .file
        .try_clone()
        .map_err(|e| local(e, &target.temp.path))?;
    let limits = archive::Limits {
        max_size: u64::MAX,
        ..archive::Limits::default()
    };
    let checked = tokio::task::spawn_blocking(move || archive::inspect_file(&file, &limits))
        .await
        .map_err(|error| {
            BodyError::Io(anyhow::Error::new(error).context("checking the archive"))
        })?;
    match checked {
        Ok(listing) => Ok(listing),
        Err(ArchiveError::Corrupt { reason }) => {
            Err(BodyError::Download(DownloadError::CutShort {
                url: source.url.clone(),
                detail: format!(
                    "{written} bytes received, but they are not a complete zip archive ({reason})"
                ),
            }))
        }
        Err(other) => Err(BodyError::Archive(other)),
    }
}

#[cfg(test)]
mod tests;
