//! Streaming a response body to a temporary file beside its destination,
//! checking it is a complete zip, and renaming it into place.
//!
//! A [`Target`] removes its file when dropped unless it was persisted, so a
//! failure, a panic or Ctrl-C (which drops the future) leaves nothing behind.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use reqwest::Response;

use crate::api::ApiError;
use crate::text::{error_chain, escape_prefix};

/// Start writing a download back to disk after this many new bytes.
const WRITEBACK_STEP: u64 = 32 * 1024 * 1024;
/// How much of a non-zip body the error message shows.
const SHOWN_PREFIX: usize = 64;

/// Where download progress goes (a bar, or nothing).
pub trait Progress: Send + Sync {
    /// `n` more bytes arrived.
    fn add(&self, n: u64);
    /// An attempt failed after `n` bytes; they will be fetched again.
    fn retract(&self, n: u64);
}

/// A temporary file that is removed on drop unless persisted.
#[derive(Debug)]
pub struct Target {
    path: PathBuf,
    file: std::fs::File,
    keep: bool,
}

impl Target {
    /// `<output>.part`, created (or truncated) beside the output.
    pub async fn part_for(output: &Path) -> anyhow::Result<Self> {
        let mut name = output.as_os_str().to_owned();
        name.push(".part");
        let path = PathBuf::from(name);
        // A stale .part (an earlier run killed hard) is replaced; creating with
        // O_EXCL never follows a symlink planted at that name.
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(anyhow::Error::new(error)
                    .context(format!("cannot replace the stale {}", path.display())))
            }
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self {
            path,
            file,
            keep: false,
        })
    }

    /// A uniquely named hidden temporary file in `dir`.
    pub fn temp_in(dir: &Path, prefix: &str) -> anyhow::Result<Self> {
        let named = tempfile::Builder::new()
            .prefix(prefix)
            .suffix(".part")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        // Keep the file, and take over its removal with our own guard.
        let (file, path) = named
            .keep()
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        Ok(Self {
            path,
            file,
            keep: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file_mut(&mut self) -> &mut std::fs::File {
        &mut self.file
    }

    /// Flushes to disk and renames over `destination`. Without `force`, an
    /// existing destination is refused (it may have appeared meanwhile).
    pub async fn persist(mut self, destination: &Path, force: bool) -> anyhow::Result<()> {
        let file = self
            .file
            .try_clone()
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        tokio::task::spawn_blocking(move || file.sync_all())
            .await
            .context("flushing to disk stopped unexpectedly")?
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        if !force && tokio::fs::try_exists(destination).await.unwrap_or(false) {
            return Err(crate::archive::TargetExists {
                paths: vec![destination.to_path_buf()],
            }
            .into());
        }
        tokio::fs::rename(&self.path, destination)
            .await
            .with_context(|| {
                format!(
                    "cannot move {} to {}",
                    self.path.display(),
                    destination.display()
                )
            })?;
        self.keep = true;
        Ok(())
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Why writing a body failed: the network (maybe transient) or the local disk.
#[derive(Debug)]
pub enum BodyError {
    Api(ApiError),
    Io(anyhow::Error),
}

fn is_zip_magic(head: &[u8]) -> bool {
    // A local file header, an empty archive's end record, or a spanned marker.
    matches!(
        head.get(..4),
        Some(b"PK\x03\x04") | Some(b"PK\x05\x06") | Some(b"PK\x07\x08")
    )
}

/// A complete zip archive written to a [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub bytes: u64,
    /// Entries in its central directory.
    pub entries: usize,
}

/// Streams `response` into `target` (from the start), checking the zip magic
/// as soon as it arrives, the length against `Content-Length`, and finally
/// that the file is a complete zip archive.
pub async fn write_body(
    mut response: Response,
    target: &mut Target,
    progress: &dyn Progress,
) -> Result<Written, BodyError> {
    let url = response.url().to_string();
    let status = response.status().as_u16();
    let request_id = crate::http::request_id(&response);
    let expected = response.content_length();
    let path = target.path.clone();
    let io = |error: std::io::Error| {
        BodyError::Io(anyhow::Error::new(error).context(format!("cannot write {}", path.display())))
    };

    // Truncate only what an earlier attempt left: ext4 treats truncating a
    // file to zero as "replace via truncate" and flushes it all on close.
    let file = &mut target.file;
    if file.metadata().map_err(io)?.len() > 0 {
        file.set_len(0).map_err(io)?;
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut head: Vec<u8> = Vec::with_capacity(SHOWN_PREFIX);
    let mut checked = false;
    let mut written: u64 = 0;
    let mut flushed: u64 = 0;

    let cut_short = |written: u64, detail: String| {
        progress.retract(written);
        BodyError::Api(ApiError::Truncated {
            url: url.clone(),
            detail,
        })
    };

    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) => {
                return Err(cut_short(
                    written,
                    format!("after {written} bytes: {}", error_chain(&error)),
                ))
            }
        };
        if head.len() < SHOWN_PREFIX {
            let take = (SHOWN_PREFIX - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        if !checked && head.len() >= 4 {
            if !is_zip_magic(&head) {
                // Gather a little more of the body for the message, then stop.
                while head.len() < SHOWN_PREFIX {
                    match response.chunk().await {
                        Ok(Some(more)) => {
                            let take = (SHOWN_PREFIX - head.len()).min(more.len());
                            head.extend_from_slice(&more[..take]);
                        }
                        _ => break,
                    }
                }
                progress.retract(written);
                return Err(BodyError::Api(ApiError::NotZip {
                    status,
                    first_bytes: escape_prefix(&head, SHOWN_PREFIX),
                    request_id,
                }));
            }
            checked = true;
        }
        // Written where it is received, as curl does: each chunk goes to the
        // page cache in well under a millisecond, and one thread doing both
        // avoids a hand-off per chunk (a writer thread measured ~20 % slower).
        file.write_all(&chunk).map_err(io)?;
        written += chunk.len() as u64;
        progress.add(chunk.len() as u64);
        if written - flushed >= WRITEBACK_STEP {
            start_writeback(file, flushed, written);
            flushed = written;
        }
    }

    if !checked {
        progress.retract(written);
        return Err(BodyError::Api(ApiError::NotZip {
            status,
            first_bytes: escape_prefix(&head, SHOWN_PREFIX),
            request_id,
        }));
    }
    if let Some(expected) = expected {
        if written != expected {
            return Err(cut_short(
                written,
                format!("received {written} of {expected} bytes (Content-Length)"),
            ));
        }
    }
    let check_path = target.path.clone();
    let complete = tokio::task::spawn_blocking(move || check_complete_zip(&check_path))
        .await
        .map_err(|error| BodyError::Io(anyhow::Error::new(error)))?;
    match complete {
        Ok(entries) => Ok(Written {
            bytes: written,
            entries,
        }),
        Err(detail) => Err(cut_short(
            written,
            format!("{written} bytes received, but they are not a complete zip archive ({detail})"),
        )),
    }
}

/// Asks the kernel to start writing `[from, to)` to disk without waiting,
/// so that the final `fsync` of a large download has little left to do and
/// disk writes overlap the transfer.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn start_writeback(file: &std::fs::File, from: u64, to: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(length)) = (i64::try_from(from), i64::try_from(to - from)) else {
        return;
    };
    // SAFETY: sync_file_range only reads its integer arguments, and the file
    // descriptor stays open for the call. It is a hint: errors are ignored.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            offset,
            length,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File, _from: u64, _to: u64) {}

/// A complete zip: the central directory is readable and every entry it lists
/// has a readable local header. Returns the number of entries.
pub fn check_complete_zip(path: &Path) -> Result<usize, String> {
    let file = std::fs::File::open(path).map_err(|error| error.to_string())?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|error| format!("no readable central directory: {error}"))?;
    for index in 0..archive.len() {
        archive
            .by_index_raw(index)
            .map_err(|error| format!("entry {index} is unreadable: {error}"))?;
    }
    Ok(archive.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_zip() -> Vec<u8> {
        let mut buffer = std::io::Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut buffer);
        writer
            .start_file("jobs/a/a.job", zip::write::SimpleFileOptions::default())
            .expect("start");
        writer.write_all(b"{\"name\":\"a\"}").expect("write");
        writer.finish().expect("finish");
        buffer.into_inner()
    }

    #[test]
    fn magic_accepts_zips_only() {
        assert!(is_zip_magic(b"PK\x03\x04rest"));
        assert!(is_zip_magic(b"PK\x05\x06"));
        assert!(!is_zip_magic(b"<html>"));
        assert!(!is_zip_magic(b"PK"));
    }

    #[test]
    fn complete_zip_check_finds_truncation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bytes = small_zip();
        let whole = dir.path().join("whole.zip");
        std::fs::write(&whole, &bytes).expect("write");
        assert_eq!(check_complete_zip(&whole), Ok(1));
        let cut = dir.path().join("cut.zip");
        std::fs::write(&cut, &bytes[..bytes.len() - 10]).expect("write");
        assert!(check_complete_zip(&cut).is_err());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_planted_symlink_at_the_part_name_is_not_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").expect("write");
        std::os::unix::fs::symlink(&victim, dir.path().join("jobs.zip.part")).expect("symlink");
        let mut target = Target::part_for(&dir.path().join("jobs.zip"))
            .await
            .expect("create");
        target.file_mut().write_all(b"zip bytes").expect("write");
        drop(target);
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
    }

    #[tokio::test]
    async fn target_is_removed_unless_persisted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = dir.path().join("jobs.zip");
        let target = Target::part_for(&output).await.expect("create");
        let part = target.path().to_path_buf();
        assert!(part.ends_with("jobs.zip.part"));
        assert!(part.exists());
        drop(target);
        assert!(!part.exists());

        std::fs::write(&output, b"old").expect("write");
        let mut target = Target::part_for(&output).await.expect("create");
        target.file_mut().write_all(b"new").expect("write");
        assert!(target.persist(&output, false).await.is_err());
        assert_eq!(std::fs::read(&output).expect("read"), b"old");
        assert!(!part.exists());

        let mut target = Target::part_for(&output).await.expect("create");
        target.file_mut().write_all(b"new").expect("write");
        target.persist(&output, true).await.expect("persist");
        assert_eq!(std::fs::read(&output).expect("read"), b"new");
        assert!(!part.exists());
    }
}
