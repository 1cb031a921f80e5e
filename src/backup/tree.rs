//! What is on disk: the entries under a directory, walked without following
//! symbolic links, each file with its size and SHA-256.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use sha2::{Digest, Sha256};

use crate::cancel::Interrupted;

/// One entry under a walked directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    File {
        size: u64,
        sha256: String,
    },
    Dir,
    /// A symbolic link or another special file (never part of an export).
    Other,
}

/// Relative path (below the walked directory) → entry.
pub type Tree = BTreeMap<PathBuf, Node>;

/// The size and SHA-256 (lower-case hex) of a file.
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// The SHA-256 of bytes.
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every entry under `dir` (not `dir` itself), files hashed. A missing
/// `dir` is an empty tree.
pub fn walk(dir: &Path, cancel: &AtomicBool) -> anyhow::Result<Tree> {
    let mut tree = Tree::new();
    match fs::symlink_metadata(dir) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(tree),
        Err(error) => {
            return Err(anyhow::Error::new(error).context(format!("cannot read {}", dir.display())))
        }
        Ok(_) => {}
    }
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let here = dir.join(&relative);
        let entries = fs::read_dir(&here).map_err(|error| {
            anyhow::Error::new(error).context(format!("cannot read {}", here.display()))
        })?;
        for entry in entries {
            crate::cancel::check(cancel).map_err(anyhow::Error::from)?;
            let entry = entry.map_err(|error| {
                anyhow::Error::new(error).context(format!("cannot read {}", here.display()))
            })?;
            let path = entry.path();
            let name = relative.join(entry.file_name());
            let file_type = entry.file_type().map_err(|error| {
                anyhow::Error::new(error).context(format!("cannot read {}", path.display()))
            })?;
            let node = if file_type.is_dir() {
                stack.push(name.clone());
                Node::Dir
            } else if file_type.is_file() {
                let (size, sha256) = hash_file(&path).map_err(|error| {
                    anyhow::Error::new(error).context(format!("cannot read {}", path.display()))
                })?;
                Node::File { size, sha256 }
            } else {
                Node::Other
            };
            tree.insert(name, node);
        }
    }
    Ok(tree)
}

/// `Err` when `path` is a symbolic link (a missing path is fine).
pub fn refuse_symlink(path: &Path) -> Result<(), super::BackupError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(super::BackupError::Symlink {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// `Err` when `path` exists and is not a directory (a symlink to one counts
/// as a symlink).
pub fn require_dir_or_absent(path: &Path) -> Result<(), super::BackupError> {
    refuse_symlink(path)?;
    match fs::symlink_metadata(path) {
        Ok(meta) if !meta.is_dir() => Err(super::BackupError::NotADirectory {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// `Err` when `path` exists and is not a directory, following a symlink
/// (DIR itself may be one).
pub fn require_dir_or_absent_following(path: &Path) -> Result<(), super::BackupError> {
    match fs::metadata(path) {
        Ok(meta) if !meta.is_dir() => Err(super::BackupError::NotADirectory {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// Whether anything (a dangling symlink included) is at `path`.
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// `Interrupted` once `cancel` is set.
pub fn check_cancel(cancel: &AtomicBool) -> Result<(), Interrupted> {
    crate::cancel::check(cancel)
}

/// `relative` as a `/`-separated string.
pub fn slash_path(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_hash_files_and_do_not_follow_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("job");
        fs::create_dir_all(root.join("sub/empty")).expect("mkdir");
        fs::write(root.join("a.job"), b"abc").expect("write");
        fs::write(root.join("sub/b.script"), b"").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc", root.join("link")).expect("symlink");
        let tree = walk(&root, &AtomicBool::new(false)).expect("walk");
        assert_eq!(
            tree[Path::new("a.job")],
            Node::File {
                size: 3,
                sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into()
            }
        );
        assert_eq!(tree[Path::new("sub")], Node::Dir);
        assert_eq!(tree[Path::new("sub/empty")], Node::Dir);
        assert!(matches!(
            tree[Path::new("sub/b.script")],
            Node::File { size: 0, .. }
        ));
        #[cfg(unix)]
        assert_eq!(tree[Path::new("link")], Node::Other);
        assert!(walk(&dir.path().join("missing"), &AtomicBool::new(false))
            .expect("walk")
            .is_empty());
        assert!(walk(&root, &AtomicBool::new(true)).is_err());
        assert_eq!(slash_path(Path::new("sub/b.script")), "sub/b.script");
    }
}
