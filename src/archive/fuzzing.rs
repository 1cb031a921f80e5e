//! The unpack path under arbitrary bytes, for the fuzz target (`fuzz/`) and
//! for `cargo test` (a replay of the committed corpus and a proptest): the
//! same calls `unpack` and `export --extract` make ([`super::inspect`], then
//! [`super::extract`]) into a fresh directory, with the invariants that must
//! hold whatever the bytes. Panics when one does not.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::{extract, inspect, ExtractOptions, Limits, TOP_LEVEL};

/// Writes `data` as an archive, unpacks it into an empty directory, and checks:
/// no panic; on success only regular files and folders under the three
/// top-level folders, each file's bytes as many as reported; on failure an
/// empty directory (nothing written, no staging left).
pub fn unpack_arbitrary(data: &[u8]) {
    let Ok(tmp) = tempfile::tempdir() else { return };
    let zip = tmp.path().join("input.zip");
    if std::fs::write(&zip, data).is_err() {
        return;
    }
    let dir = tmp.path().join("out");
    if std::fs::create_dir(&dir).is_err() {
        return;
    }
    let limits = Limits {
        max_size: 64 << 20,
        ..Limits::default()
    };
    let cancel = AtomicBool::new(false);
    let opts = ExtractOptions {
        force: false,
        cancel: &cancel,
        on_bytes: &|_| {},
    };
    let result = inspect(&zip, &limits)
        .map_err(anyhow::Error::new)
        .and_then(|listing| extract(&zip, &listing, &dir, &opts));
    let mut files = 0;
    walk(&dir, &dir, &mut files);
    match result {
        Ok(done) => assert_eq!(done.files, files, "files reported and written differ"),
        Err(_) => assert_eq!(files, 0, "a refused archive left files"),
    }
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    for name in &left {
        let name = name.to_string_lossy();
        assert!(
            TOP_LEVEL.contains(&name.as_ref()),
            "unexpected top-level {name:?}"
        );
    }
}

fn walk(root: &Path, dir: &Path, files: &mut u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        assert!(path.starts_with(root), "{} escaped", path.display());
        assert!(
            !meta.file_type().is_symlink(),
            "{} is a link",
            path.display()
        );
        if meta.is_dir() {
            walk(root, &path, files);
        } else {
            assert!(meta.is_file(), "{} is special", path.display());
            *files += 1;
        }
    }
}
