//! A full disk: exit 1, no temporary file left, earlier files untouched.
//! Needs a small tmpfs, so these tests run where `mount` is permitted (CI
//! runs as root); elsewhere they say so and pass without checking.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// A tmpfs of `size` mounted on a fresh directory, unmounted on drop.
pub(crate) struct SmallDisk {
    pub(crate) path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    pub(crate) fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .output()
            .ok()?;
        if !mounted.status.success() {
            eprintln!(
                "skipped: cannot mount a tmpfs here ({})",
                String::from_utf8_lossy(&mounted.stderr).trim()
            );
            return None;
        }
        Some(Self { path, _dir: dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

/// An emulator serving one job, `big`, with 2 MiB of incompressible bytes.
fn big_job_emulator() -> (Emu, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("tempdir");
    big_job(data.path(), 2 * 1024 * 1024);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    (emu, data)
}

/// A workspace with one job whose dependency is `size` incompressible bytes.
pub(crate) fn big_job(root: &Path, size: usize) {
    write_workspace(root, &[("big", "BATCH", &[])]);
    let mut bytes = vec![0u8; size];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for byte in bytes.iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = state as u8;
    }
    std::fs::write(root.join("jobs/big/blob.bin"), bytes).expect("write blob");
}

#[test]
fn a_full_disk_during_download_exits_1_and_keeps_the_earlier_archive() {
    let Some(disk) = SmallDisk::mount("512k") else {
        return;
    };
    let (emu, _data) = big_job_emulator();
    let sandbox = Sandbox::new();
    let output_path = disk.path.join("jobs.zip");
    std::fs::write(&output_path, b"earlier backup").expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "big", "--force", "-o"])
        .arg(&output_path));
    expect_code(&output, 1);
    assert!(
        stderr(&output).contains("No space left"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(&output_path).expect("read"),
        b"earlier backup"
    );
    let names: Vec<_> = std::fs::read_dir(&disk.path)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["jobs.zip"], "a temporary file was left behind");
}

#[test]
fn a_full_disk_during_extraction_leaves_the_tree_as_it_was() {
    let Some(disk) = SmallDisk::mount("512k") else {
        return;
    };
    let (emu, _data) = big_job_emulator();
    let sandbox = Sandbox::new();
    expect_code(
        &run(sandbox.cmd(&emu).args(["export", "big", "-o", "big.zip"])),
        0,
    );
    std::fs::create_dir_all(disk.path.join("jobs/earlier")).expect("mkdir");
    std::fs::write(disk.path.join("jobs/earlier/earlier.job"), b"{}").expect("write");
    let before = snapshot(&disk.path);
    let output = run(sandbox
        .bare()
        .args(["unpack", "big.zip", "-C"])
        .arg(&disk.path));
    expect_code(&output, 1);
    assert!(
        stderr(&output).contains("No space left"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(&disk.path), before);
}
