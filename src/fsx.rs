//! Filesystem primitives the download, the extraction, the backup and the
//! import share: a rename that never replaces what stands at its
//! destination, files and folders created with the umask's modes (0666/0777
//! minus the umask, as unzip and tar do) and never through a symbolic link, a
//! target folder created for a run and removed again if it fails, the kind of
//! a path as `lstat` sees it, positional reads, and filling a buffer from a
//! reader.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Positional read, not moving any shared cursor (so threads can share a `File`).
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }
}

/// Fills `buf` from `offset` of `file` with positional reads; the end of
/// the file first is `UnexpectedEof`.
pub(crate) fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Fills `buf` as far as the reader allows; returns the count (less only at
/// the end of the input). Retries reads interrupted by a signal.
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Creates a new file for reading and writing: fails if anything (a symbolic
/// link included) already stands at `path` (`O_CREAT | O_EXCL`, which never
/// follows a link). The mode is 0666 minus the umask.
pub fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)
}

/// Creates one folder, 0777 minus the umask (never `chmod`ed afterwards).
pub fn create_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().create(path)
}

/// A folder created with its missing parents (each 0777 minus the umask),
/// removed again when dropped unless kept — innermost first, each only if it
/// is empty — so that a run that fails leaves no folder it made.
#[derive(Debug, Default)]
pub struct CreatedDirs {
    /// Outermost first.
    made: Vec<PathBuf>,
}

impl CreatedDirs {
    /// Creates `dir` and its missing parents (nothing if it is a folder, or
    /// a link to one, already).
    pub fn create(dir: &Path) -> io::Result<CreatedDirs> {
        let mut missing = Vec::new();
        let mut cur = Some(dir);
        while let Some(d) = cur {
            if d.as_os_str().is_empty() || d.is_dir() {
                break;
            }
            missing.push(d.to_path_buf());
            cur = d.parent();
        }
        let mut created = CreatedDirs::default();
        for d in missing.into_iter().rev() {
            match create_dir(&d) {
                Ok(()) => created.made.push(d),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && d.is_dir() => {}
                // Dropping `created` removes what was made so far.
                Err(e) => return Err(e),
            }
        }
        Ok(created)
    }

    /// The run succeeded: the folders stay.
    pub fn keep(&mut self) {
        self.made.clear();
    }
}

impl Drop for CreatedDirs {
    fn drop(&mut self) {
        for d in self.made.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
}

/// What stands at a path, as `lstat` sees it (a symbolic link is not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Absent,
    File,
    Dir,
    Symlink,
    /// A device, FIFO or socket (named by [`Kind::describe`]).
    Special(&'static str),
}

impl Kind {
    /// `lstat(path)`; a path that does not exist is [`Kind::Absent`], any
    /// other failure (permission denied, a file used as a folder) an error.
    pub fn of(path: &Path) -> io::Result<Kind> {
        match fs::symlink_metadata(path) {
            Ok(meta) => Ok(Kind::from_type(meta.file_type())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Kind::Absent),
            Err(e) => Err(e),
        }
    }

    /// Like [`Kind::of`], but the final component is followed if it is a link.
    pub fn of_followed(path: &Path) -> io::Result<Kind> {
        match fs::metadata(path) {
            Ok(meta) => Ok(Kind::from_type(meta.file_type())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Kind::Absent),
            Err(e) => Err(e),
        }
    }

    fn from_type(t: fs::FileType) -> Kind {
        if t.is_symlink() {
            return Kind::Symlink;
        }
        if t.is_dir() {
            return Kind::Dir;
        }
        if t.is_file() {
            return Kind::File;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return Kind::Special("a FIFO");
            }
            if t.is_socket() {
                return Kind::Special("a socket");
            }
            if t.is_block_device() || t.is_char_device() {
                return Kind::Special("a device");
            }
        }
        Kind::Special("a special file")
    }

    /// "a directory", "a FIFO", ... for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Absent => "absent",
            Kind::File => "a regular file",
            Kind::Dir => "a directory",
            Kind::Symlink => "a symbolic link",
            Kind::Special(what) => what,
        }
    }
}

/// Renames `from` to `to` unless something already stands at `to`, in one
/// step: `renameat2(RENAME_NOREPLACE)` on Linux; where the filesystem or the
/// system lacks it, a hard link then an unlink for a file (atomic too, as
/// `tempfile`'s `persist_noclobber` does), and a check then a rename for a
/// folder (the one case with a window). An existing destination fails with
/// [`io::ErrorKind::AlreadyExists`].
pub fn rename_noclobber(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        match renameat2_noreplace(from, to) {
            Ok(()) => return Ok(()),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {}
            Err(e) => return Err(e),
        }
    }
    if fs::symlink_metadata(from)?.is_dir() {
        if Kind::of(to)? != Kind::Absent {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        return fs::rename(from, to);
    }
    fs::hard_link(from, to)?;
    fs::remove_file(from)
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn renameat2_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path holds a NUL byte"))
    };
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: both pointers are NUL-terminated strings that outlive the call;
    // the other arguments are plain integers.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A path in `dir` that no other run picks, `<prefix><random><suffix>`, made by
/// `create` (which must fail with `AlreadyExists` if the name is taken, as
/// `O_EXCL` and `mkdir` do); another name is tried on the rare collision.
pub fn create_unique(
    dir: &Path,
    prefix: &str,
    suffix: &str,
    mut create: impl FnMut(&Path) -> io::Result<()>,
) -> io::Result<PathBuf> {
    const TRIES: usize = 16;
    let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
    for _ in 0..TRIES {
        let random: String = std::iter::repeat_with(fastrand::alphanumeric)
            .take(10)
            .collect();
        let path = dir.join(format!("{prefix}{random}{suffix}"));
        match create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Starts writing `[from, to)` of a file back to disk without waiting, so the
/// final `fsync` of a large file has little left to do. A hint: errors are ignored.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn start_writeback(file: &File, from: u64, to: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(length)) = (i64::try_from(from), i64::try_from(to - from)) else {
        return;
    };
    // SAFETY: sync_file_range only reads its integer arguments, and the file
    // descriptor stays open for the call.
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
pub fn start_writeback(_file: &File, _from: u64, _to: u64) {}

/// Flushes a folder's entries (the renames into it) to disk, where the
/// system allows opening a folder; errors are ignored (a durability hint).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noclobber_refuses_an_existing_file_and_moves_otherwise() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, b"new").expect("write");
        fs::write(&b, b"old").expect("write");
        let e = rename_noclobber(&a, &b).expect_err("exists");
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&b).expect("read"), b"old");
        assert_eq!(fs::read(&a).expect("read"), b"new");
        fs::remove_file(&b).expect("rm");
        rename_noclobber(&a, &b).expect("moves");
        assert_eq!(fs::read(&b).expect("read"), b"new");
        assert_eq!(Kind::of(&a).expect("lstat"), Kind::Absent);
    }

    #[cfg(unix)]
    #[test]
    fn noclobber_refuses_a_dangling_symlink_and_a_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a");
        fs::write(&a, b"new").expect("write");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).expect("symlink");
        let e = rename_noclobber(&a, &link).expect_err("a link stands there");
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(
            Kind::of(&dir.path().join("nowhere")).expect("lstat"),
            Kind::Absent
        );
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).expect("mkdir");
        let moved = dir.path().join("moved");
        create_dir(&moved).expect("mkdir");
        assert!(rename_noclobber(&sub, &moved).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn kinds_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(Kind::of(dir.path()).expect("lstat"), Kind::Dir);
        assert_eq!(
            Kind::of(Path::new("/dev/null")).expect("lstat"),
            Kind::Special("a device")
        );
        assert_eq!(
            Kind::of(&dir.path().join("x")).expect("lstat"),
            Kind::Absent
        );
    }

    #[test]
    fn unique_names_are_hidden_and_distinct() {
        let dir = tempfile::tempdir().expect("tempdir");
        let make = |p: &Path| create_new(p).map(drop);
        let a = create_unique(dir.path(), ".jobs.zip.", ".part", make).expect("a");
        let b = create_unique(dir.path(), ".jobs.zip.", ".part", make).expect("b");
        assert_ne!(a, b);
        let name = a.file_name().expect("name").to_string_lossy().into_owned();
        assert!(
            name.starts_with(".jobs.zip.") && name.ends_with(".part"),
            "{name}"
        );
    }

    #[test]
    fn created_folders_go_again_unless_kept_and_only_when_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let deep = dir.path().join("a/b/c");
        drop(CreatedDirs::create(&deep).expect("create"));
        assert_eq!(
            Kind::of(&dir.path().join("a")).expect("lstat"),
            Kind::Absent
        );
        let created = CreatedDirs::create(&deep).expect("create");
        fs::write(dir.path().join("a/b/x"), b"x").expect("write");
        drop(created);
        assert_eq!(Kind::of(&deep).expect("lstat"), Kind::Absent);
        assert!(dir.path().join("a/b/x").exists(), "not empty: kept");
        let mut created = CreatedDirs::create(&deep).expect("create");
        created.keep();
        drop(created);
        assert!(deep.is_dir());
        drop(CreatedDirs::create(&deep).expect("exists"));
        assert!(deep.is_dir(), "made by no one here");
    }

    #[test]
    fn read_full_fills_across_short_reads() {
        let data = [7u8; 100];
        let mut r = io::Read::chain(&data[..10], &data[10..]);
        let mut buf = [0u8; 64];
        assert_eq!(read_full(&mut r, &mut buf).expect("read"), 64);
        assert_eq!(read_full(&mut r, &mut buf).expect("read"), 36);
        assert_eq!(read_full(&mut r, &mut buf).expect("read"), 0);
    }
}
