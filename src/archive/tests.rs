use super::merge::ZipOut;
use super::*;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

// ---------- helpers ----------

/// A cancel flag never set.
static NO_CANCEL: AtomicBool = AtomicBool::new(false);

fn opts(method: CompressionMethod) -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(method)
}

/// A zip of (name, contents); names ending in `/` are directories.
fn build(entries: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        if let Some(d) = name.strip_suffix('/') {
            w.add_directory(d, opts(method)).unwrap();
        } else {
            w.start_file(*name, opts(method)).unwrap();
            w.write_all(data).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    (0..=hay.len().saturating_sub(needle.len()))
        .filter(|&i| &hay[i..i + needle.len()] == needle)
        .collect()
}

/// Offsets of the local header and central record whose name is `name`.
fn headers(zip: &[u8], name: &[u8]) -> (Vec<usize>, Vec<usize>) {
    let (mut local, mut central) = (Vec::new(), Vec::new());
    for q in find_all(zip, name) {
        if q >= 30 && zip[q - 30..q - 26] == [0x50, 0x4b, 3, 4] {
            local.push(q - 30);
        }
        if q >= 46 && zip[q - 46..q - 42] == [0x50, 0x4b, 1, 2] {
            central.push(q - 46);
        }
    }
    (local, central)
}

/// Rewrite the declared uncompressed size of entry `name` (local and central).
fn patch_size(zip: &mut [u8], name: &str, size: u32) {
    let (local, central) = headers(zip, name.as_bytes());
    assert!(!local.is_empty() && !central.is_empty());
    for l in local {
        zip[l + 22..l + 26].copy_from_slice(&size.to_le_bytes());
    }
    for c in central {
        zip[c + 24..c + 28].copy_from_slice(&size.to_le_bytes());
    }
}

/// Replace a name everywhere (same length).
fn patch_name(zip: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let hits = find_all(zip, from);
    assert!(!hits.is_empty());
    for q in hits {
        zip[q..q + to.len()].copy_from_slice(to);
    }
}

/// Every path under `dir` with its contents (None for directories), hidden ones included.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            let md = fs::symlink_metadata(&p).unwrap();
            if md.is_dir() {
                out.insert(rel, None);
                walk(root, &p, out);
            } else {
                out.insert(rel, Some(fs::read(&p).unwrap()));
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

struct Fixture {
    _tmp: tempfile::TempDir,
    zip: PathBuf,
    dir: PathBuf,
}

/// A zip file and a target directory holding some unrelated content.
fn fixture(zip_bytes: &[u8]) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("jobs.zip");
    fs::write(&zip, zip_bytes).unwrap();
    let dir = tmp.path().join("out");
    fs::create_dir_all(dir.join("jobs/other")).unwrap();
    fs::write(dir.join("jobs/other/x.job"), b"keep").unwrap();
    fs::write(dir.join("notes.txt"), b"mine").unwrap();
    Fixture {
        _tmp: tmp,
        zip,
        dir,
    }
}

fn run(fx: &Fixture, limits: &Limits, force: bool) -> anyhow::Result<Extracted> {
    let listing = inspect(&fx.zip, limits)?;
    let cancel = AtomicBool::new(false);
    extract(
        &fx.zip,
        &listing,
        &fx.dir,
        &ExtractOptions {
            force,
            cancel: &cancel,
            on_bytes: &|_| {},
        },
    )
}

/// Extraction fails with an ArchiveError accepted by `check`, and the target is unchanged.
fn assert_refused(zip: &[u8], limits: &Limits, check: impl Fn(&ArchiveError) -> bool) {
    let fx = fixture(zip);
    let before = snapshot(&fx.dir);
    let err = run(&fx, limits, true).expect_err("archive should be refused");
    let ae = err
        .downcast_ref::<ArchiveError>()
        .unwrap_or_else(|| panic!("not an ArchiveError: {err:#}"));
    assert!(check(ae), "unexpected error: {ae}");
    assert_eq!(snapshot(&fx.dir), before, "target directory changed");
}

// ---------- parse_size ----------

// ---------- names ----------

#[test]
fn name_table() {
    let ok = |n: &str, p: &str, d: bool| {
        assert_eq!(validate_name(n), Ok((p.to_string(), d)), "{n:?}");
    };
    let bad = |n: &str, reason: &str| {
        assert_eq!(validate_name(n), Err(reason), "{n:?}");
    };
    ok("jobs/a/b.job", "jobs/a/b.job", false);
    ok("jobs/", "jobs", true);
    ok("jobs/作业一/节点.json", "jobs/作业一/节点.json", false);
    ok("scripts/x.sql", "scripts/x.sql", false);
    ok("jobs/a..b/c", "jobs/a..b/c", false);
    ok("resources/", "resources", true);
    ok("jobs/x.job", "jobs/x.job", false);
    ok("jobs/.gitignore", "jobs/.gitignore", false);
    bad(
        "a..b/c",
        "outside the jobs/, scripts/ and resources/ folders",
    );
    bad(
        "notes.txt",
        "outside the jobs/, scripts/ and resources/ folders",
    );
    bad("jobs", "outside the jobs/, scripts/ and resources/ folders");
    bad(
        "Jobs/a/b.job",
        "outside the jobs/, scripts/ and resources/ folders",
    );
    bad(
        ".github/workflows/x.yml",
        "outside the jobs/, scripts/ and resources/ folders",
    );
    bad("lib/", "outside the jobs/, scripts/ and resources/ folders");
    bad(".git/config", "a `.git` path component");
    bad("jobs/a/.GIT/hooks/x", "a `.git` path component");
    bad("scripts/.Git", "a `.git` path component");
    bad("/etc/passwd", "absolute path");
    bad("/", "absolute path");
    bad("//server/share", "absolute path");
    bad("a/../../b", "`..` path component");
    bad("..", "`..` path component");
    bad("C:x", "drive prefix");
    bad("c:/windows", "drive prefix");
    bad("\\\\srv\\x", "contains a backslash");
    bad("a\\b", "contains a backslash");
    bad("a\0b", "contains a NUL character");
    bad("a\x07b", "contains a control character");
    bad("a\nb", "contains a control character");
    bad("a\u{85}b", "contains a control character");
    bad("a//b", "empty path component");
    bad("a//", "empty path component");
    bad("./a", "`.` path component");
    bad("a/./b", "`.` path component");
    bad("", "empty name");
}

#[test]
fn decode_names() {
    let (gb, _, bad) = encoding_rs::GB18030.encode("作业/节点");
    assert!(!bad);
    assert!(std::str::from_utf8(&gb).is_err());
    assert_eq!(decode_name(&gb, false).unwrap(), "作业/节点");
    // Flag says UTF-8 but bytes are not: refused, not guessed.
    assert!(matches!(
        decode_name(&gb, true),
        Err(ArchiveError::Undecodable { .. })
    ));
    assert_eq!(decode_name("作业".as_bytes(), false).unwrap(), "作业");
    // Not GB18030 either (0x80 alone, 0xFF).
    assert!(matches!(
        decode_name(b"\xff\x80", false),
        Err(ArchiveError::Undecodable { .. })
    ));
}

// ---------- hostile archives ----------

#[test]
fn refuses_absolute_and_dotdot_names() {
    let mut z = build(&[("Xetc/passwd", b"x")], CompressionMethod::Stored);
    patch_name(&mut z, b"Xetc/passwd", b"/etc/passwd");
    assert_refused(&z, &Limits::default(), |e| {
        matches!(
            e,
            ArchiveError::UnsafePath {
                reason: "absolute path",
                ..
            }
        )
    });
    let mut z = build(&[("jobs/xx/a", b"x")], CompressionMethod::Stored);
    patch_name(&mut z, b"jobs/xx/a", b"jobs/../a");
    assert_refused(&z, &Limits::default(), |e| {
        matches!(e, ArchiveError::UnsafePath { .. })
    });
    let mut z = build(&[("jobs/aXb", b"x")], CompressionMethod::Stored);
    patch_name(&mut z, b"jobs/aXb", b"jobs/a\\b");
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::UnsafePath { name, .. } if name == "jobs/a\\\\b"),
    );
}

#[test]
fn refuses_symlink() {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("jobs/a/ok.job", opts(CompressionMethod::Stored))
        .unwrap();
    w.write_all(b"ok").unwrap();
    w.add_symlink("jobs/a/link", "/etc/passwd", SimpleFileOptions::default())
        .unwrap();
    let z = w.finish().unwrap().into_inner();
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::SpecialFile { name } if name == "jobs/a/link"),
    );
}

#[test]
fn refuses_fifo() {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = opts(CompressionMethod::Stored)
        .system(zip::System::Unix)
        .external_attributes(0o010644 << 16);
    w.start_file("jobs/fifo", o).unwrap();
    let z = w.finish().unwrap().into_inner();
    assert_refused(&z, &Limits::default(), |e| {
        matches!(e, ArchiveError::SpecialFile { .. })
    });
}

#[test]
fn refuses_duplicate_with_different_bytes() {
    let mut z = build(
        &[("jobs/a/x.job", b"one"), ("jobs/a/y.job", b"two")],
        CompressionMethod::Stored,
    );
    patch_name(&mut z, b"jobs/a/y.job", b"jobs/a/x.job");
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::ConflictingDuplicate { name } if name == "jobs/a/x.job"),
    );
}

#[test]
fn refuses_duplicate_with_same_crc_but_different_bytes() {
    // Same declared size and CRC, different stored bytes: caught while extracting.
    let mut z = build(
        &[("jobs/a/x.job", b"one"), ("jobs/a/y.job", b"two")],
        CompressionMethod::Stored,
    );
    let crc_one = {
        let mut c = flate2::Crc::new();
        c.update(b"one");
        c.sum()
    };
    let (l, c) = headers(&z, b"jobs/a/y.job");
    z[l[0] + 14..l[0] + 18].copy_from_slice(&crc_one.to_le_bytes());
    z[c[0] + 16..c[0] + 20].copy_from_slice(&crc_one.to_le_bytes());
    patch_name(&mut z, b"jobs/a/y.job", b"jobs/a/x.job");
    assert!(inspect_bytes(&z).is_ok());
    assert_refused(&z, &Limits::default(), |e| {
        matches!(
            e,
            ArchiveError::ConflictingDuplicate { .. } | ArchiveError::Crc { .. }
        )
    });
}

fn inspect_bytes(z: &[u8]) -> Result<Listing, ArchiveError> {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    fs::write(tmp.path(), z).unwrap();
    inspect(tmp.path(), &Limits::default())
}

#[test]
fn accepts_duplicate_with_identical_bytes() {
    // One copy stored, one deflated: different stored bytes, same contents.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("scripts/s.sql", opts(CompressionMethod::Stored))
        .unwrap();
    w.write_all(b"select 1;").unwrap();
    w.start_file("scripts/t.sql", opts(CompressionMethod::Deflated))
        .unwrap();
    w.write_all(b"select 1;").unwrap();
    let mut z = w.finish().unwrap().into_inner();
    patch_name(&mut z, b"scripts/t.sql", b"scripts/s.sql");
    let fx = fixture(&z);
    let l = inspect(&fx.zip, &Limits::default()).unwrap();
    assert_eq!(l.entries.len(), 1);
    let done = run(&fx, &Limits::default(), false).unwrap();
    assert_eq!(done.files, 1);
    assert_eq!(
        fs::read(fx.dir.join("scripts/s.sql")).unwrap(),
        b"select 1;"
    );
}

#[test]
fn refuses_file_used_as_directory() {
    let mut z = build(
        &[("jobs/a", b"1"), ("jobs/b/c", b"2")],
        CompressionMethod::Stored,
    );
    patch_name(&mut z, b"jobs/b/c", b"jobs/a/c");
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::ConflictingDuplicate { name } if name == "jobs/a"),
    );
}

#[test]
fn refuses_too_many_entries() {
    let z = build(
        &[
            ("jobs/a", b"1"),
            ("jobs/b", b"2"),
            ("jobs/c", b"3"),
            ("jobs/d", b"4"),
        ],
        CompressionMethod::Stored,
    );
    let limits = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    assert_refused(&z, &limits, |e| {
        matches!(e, ArchiveError::TooManyEntries { count: 4, max: 3 })
    });
}

#[test]
fn refuses_total_size_over_limit() {
    let z = build(
        &[("jobs/a", b"123456"), ("jobs/b", b"123456")],
        CompressionMethod::Deflated,
    );
    let limits = Limits {
        max_size: 10,
        ..Limits::default()
    };
    assert_refused(&z, &limits, |e| {
        matches!(e, ArchiveError::TooLarge { max: 10, .. })
    });
}

#[test]
fn refuses_entry_larger_than_declared() {
    let data = vec![b'x'; 10_000];
    let mut z = build(
        &[("jobs/a/ok.job", b"fine"), ("jobs/a/big.job", &data)],
        CompressionMethod::Deflated,
    );
    patch_size(&mut z, "jobs/a/big.job", 100);
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::SizeMismatch { name } if name == "jobs/a/big.job"),
    );
}

#[test]
fn refuses_entry_smaller_than_declared() {
    let mut z = build(
        &[("jobs/a/b.job", &[7u8; 500])],
        CompressionMethod::Deflated,
    );
    patch_size(&mut z, "jobs/a/b.job", 501);
    assert_refused(&z, &Limits::default(), |e| {
        matches!(e, ArchiveError::SizeMismatch { .. })
    });
}

#[test]
fn refuses_crc_mismatch() {
    let mut z = build(
        &[("jobs/a/b.job", b"hello, crc world")],
        CompressionMethod::Stored,
    );
    let at = find_all(&z, b"hello, crc world")[0];
    z[at] ^= 1;
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::Crc { name } if name == "jobs/a/b.job"),
    );
}

#[test]
fn refuses_truncated_zip() {
    let z = build(
        &[("jobs/a/b.job", b"hello"), ("jobs/a/c.job", b"world")],
        CompressionMethod::Deflated,
    );
    for cut in [1, 10, 22, 60, z.len() - 10] {
        assert_refused(&z[..z.len() - cut], &Limits::default(), |e| {
            matches!(e, ArchiveError::Corrupt { .. })
        });
    }
    assert_refused(b"", &Limits::default(), |e| {
        matches!(e, ArchiveError::Corrupt { .. })
    });
}

#[test]
fn refuses_local_name_differing_from_central() {
    let mut z = build(&[("jobs/a/b.job", b"x")], CompressionMethod::Stored);
    let (l, _) = headers(&z, b"jobs/a/b.job");
    z[l[0] + 30 + 7] = b'c';
    assert_refused(&z, &Limits::default(), |e| {
        matches!(e, ArchiveError::Corrupt { .. })
    });
}

// ---------- zip bombs ----------

fn raw(size: u64, csize: u64, crc32: u32, method: u16) -> Raw {
    Raw {
        name_raw: Vec::new(),
        method,
        dos_time: 0,
        dos_date: 0x21,
        crc32,
        csize,
        size,
        header_offset: 0,
    }
}

#[test]
fn refuses_declared_5gib_without_inflating() {
    let data = [0u8; 16];
    let mut out = ZipOut::new(Vec::new());
    out.add(
        "jobs/a/bomb.bin",
        false,
        &raw(5 << 30, 16, 0, 8),
        &mut &data[..],
        &NO_CANCEL,
    )
    .unwrap();
    let z = out.finish().unwrap();
    let t = std::time::Instant::now();
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::TooLarge { total, max } if *total == 5 << 30 && *max == DEFAULT_MAX_SIZE),
    );
    assert!(t.elapsed().as_secs() < 5);
}

#[test]
fn refuses_small_declared_huge_inflation_quickly() {
    let data = vec![0u8; 64 << 20];
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("jobs/a/bomb.bin", opts(CompressionMethod::Deflated))
        .unwrap();
    w.write_all(&data).unwrap();
    let mut z = w.finish().unwrap().into_inner();
    assert!(z.len() < 1 << 20);
    patch_size(&mut z, "jobs/a/bomb.bin", 1000);
    let t = std::time::Instant::now();
    assert_refused(&z, &Limits::default(), |e| {
        matches!(e, ArchiveError::SizeMismatch { .. })
    });
    assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
}

// ---------- encodings ----------

#[test]
fn gb18030_names_extract_to_utf8() {
    let (gb, _, _) = encoding_rs::GB18030.encode("作业一");
    let placeholder = "X".repeat(gb.len());
    let mut z = build(
        &[(&format!("jobs/{placeholder}/a.job"), b"A")],
        CompressionMethod::Deflated,
    );
    patch_name(&mut z, placeholder.as_bytes(), &gb);
    let fx = fixture(&z);
    let done = run(&fx, &Limits::default(), false).unwrap();
    assert_eq!(fs::read(fx.dir.join("jobs/作业一/a.job")).unwrap(), b"A");
    assert_eq!(
        done.jobs.get("作业一"),
        Some(&vec!["jobs/作业一/a.job".to_string()])
    );
}

// ---------- target handling ----------

#[test]
fn without_force_existing_job_is_refused_and_tree_unchanged() {
    let z = build(
        &[("jobs/other/new.job", b"new")],
        CompressionMethod::Deflated,
    );
    let fx = fixture(&z);
    let before = snapshot(&fx.dir);
    let err = run(&fx, &Limits::default(), false).unwrap_err();
    match err.downcast_ref::<TargetError>() {
        Some(TargetError::Exists { paths }) => assert_eq!(paths, &[PathBuf::from("jobs/other")]),
        other => panic!("expected Exists, got {other:?}"),
    }
    // The fact only: the hint belongs to the command line.
    assert!(!err.root_cause().to_string().contains("--force"));
    assert_eq!(snapshot(&fx.dir), before);
}

#[test]
fn force_replaces_job_whole_and_leaves_the_rest() {
    let z = build(
        &[
            ("jobs/", b""),
            ("jobs/other/", b""),
            ("jobs/other/new.job", b"new"),
            ("jobs/fresh/f.job", b"fresh"),
        ],
        CompressionMethod::Deflated,
    );
    let fx = fixture(&z);
    fs::create_dir_all(fx.dir.join("jobs/keepme")).unwrap();
    fs::write(fx.dir.join("jobs/keepme/k.job"), b"k").unwrap();
    let done = run(&fx, &Limits::default(), true).unwrap();
    assert_eq!(done.files, 2);
    assert_eq!(done.bytes, 8);
    let after = snapshot(&fx.dir);
    let expect: BTreeMap<PathBuf, Option<Vec<u8>>> = [
        ("jobs", None),
        ("jobs/other", None),
        ("jobs/other/new.job", Some(b"new".to_vec())),
        ("jobs/fresh", None),
        ("jobs/fresh/f.job", Some(b"fresh".to_vec())),
        ("jobs/keepme", None),
        ("jobs/keepme/k.job", Some(b"k".to_vec())),
        ("notes.txt", Some(b"mine".to_vec())),
    ]
    .into_iter()
    .map(|(p, c)| (PathBuf::from(p), c))
    .collect();
    assert_eq!(
        after, expect,
        "stale x.job must be gone, nothing else touched"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = |p: &str| fs::metadata(fx.dir.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!(m("jobs/fresh/f.job"), 0o644);
        assert_eq!(m("jobs/fresh"), 0o755);
    }
}

#[test]
fn a_name_too_long_for_a_file_name_here_is_refused_before_writing() {
    let long = "报".repeat(86);
    let path = format!("jobs/{long}/x.job");
    let z = build(
        &[("jobs/ok/ok.job", b"ok"), (path.as_str(), b"job")],
        CompressionMethod::Deflated,
    );
    let fx = fixture(&z);
    let before = snapshot(&fx.dir);
    let err = run(&fx, &Limits::default(), true).unwrap_err();
    match err.downcast_ref::<TargetError>() {
        Some(TargetError::NameTooLong { path: shown }) => assert_eq!(shown, &path),
        other => panic!("expected NameTooLong, got {other:?} ({err:#})"),
    }
    assert_eq!(snapshot(&fx.dir), before, "nothing written");
}

#[test]
fn single_job_layout_files_overwritten_only_with_force() {
    let z = build(
        &[
            ("jobs/j.job", b"job"),
            ("scripts/s.sql", b"select 2;"),
            ("resources/r.json", b"{}"),
        ],
        CompressionMethod::Deflated,
    );
    let fx = fixture(&z);
    fs::create_dir_all(fx.dir.join("scripts")).unwrap();
    fs::write(fx.dir.join("scripts/s.sql"), b"old").unwrap();
    fs::write(fx.dir.join("scripts/unrelated.sql"), b"u").unwrap();
    let l = inspect(&fx.zip, &Limits::default()).unwrap();
    assert_eq!(
        existing_targets(&l, &fx.dir).unwrap(),
        vec![PathBuf::from("scripts/s.sql")]
    );
    let before = snapshot(&fx.dir);
    let err = run(&fx, &Limits::default(), false).unwrap_err();
    assert!(matches!(
        err.downcast_ref::<TargetError>(),
        Some(TargetError::Exists { .. })
    ));
    assert_eq!(snapshot(&fx.dir), before);

    run(&fx, &Limits::default(), true).unwrap();
    assert_eq!(
        fs::read(fx.dir.join("scripts/s.sql")).unwrap(),
        b"select 2;"
    );
    assert_eq!(
        fs::read(fx.dir.join("scripts/unrelated.sql")).unwrap(),
        b"u"
    );
    assert_eq!(fs::read(fx.dir.join("jobs/j.job")).unwrap(), b"job");
    assert_eq!(fs::read(fx.dir.join("resources/r.json")).unwrap(), b"{}");
    assert_eq!(fs::read(fx.dir.join("jobs/other/x.job")).unwrap(), b"keep");
}

#[test]
fn missing_dir_is_created_and_removed_on_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let good = build(&[("jobs/a/b.job", b"b")], CompressionMethod::Deflated);
    let mut bad = good.clone();
    let at = find_all(&bad, b"jobs/a/b.job")[0] + 12; // deflated data follows the local name
    bad[at] ^= 0xff;
    let zip = tmp.path().join("bad.zip");
    fs::write(&zip, &bad).unwrap();
    let dir = tmp.path().join("new/deeper");
    let cancel = AtomicBool::new(false);
    let eo = ExtractOptions {
        force: false,
        cancel: &cancel,
        on_bytes: &|_| {},
    };
    let l = inspect(&zip, &Limits::default()).unwrap();
    assert!(extract(&zip, &l, &dir, &eo).is_err());
    assert!(!tmp.path().join("new").exists());

    fs::write(&zip, &good).unwrap();
    let l = inspect(&zip, &Limits::default()).unwrap();
    let seen = std::sync::atomic::AtomicU64::new(0);
    let count = |n: u64| {
        seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    };
    let eo = ExtractOptions {
        on_bytes: &count,
        ..eo
    };
    let done = extract(&zip, &l, &dir, &eo).unwrap();
    assert_eq!(done.dir, dir);
    assert_eq!(fs::read(dir.join("jobs/a/b.job")).unwrap(), b"b");
    assert_eq!(seen.into_inner(), 1);
}

#[test]
fn cancel_leaves_dir_unchanged() {
    let z = build(&[("jobs/a/b.job", b"b")], CompressionMethod::Deflated);
    let fx = fixture(&z);
    let before = snapshot(&fx.dir);
    let l = inspect(&fx.zip, &Limits::default()).unwrap();
    let cancel = AtomicBool::new(true);
    let err = extract(
        &fx.zip,
        &l,
        &fx.dir,
        &ExtractOptions {
            force: false,
            cancel: &cancel,
            on_bytes: &|_| {},
        },
    )
    .unwrap_err();
    assert!(err.downcast_ref::<crate::cancel::Interrupted>().is_some());
    assert_eq!(snapshot(&fx.dir), before);
}

#[test]
fn many_entries_extract_in_parallel() {
    let names: Vec<String> = (0..500)
        .map(|i| format!("jobs/j{}/f{i}.json", i % 7))
        .collect();
    let bodies: Vec<Vec<u8>> = (0..500)
        .map(|i| format!("{{\"n\":{i}}}").repeat(i % 50 + 1).into_bytes())
        .collect();
    let entries: Vec<(&str, &[u8])> = names
        .iter()
        .zip(&bodies)
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let z = build(&entries, CompressionMethod::Deflated);
    let fx = fixture(&z);
    let done = run(&fx, &Limits::default(), false).unwrap();
    assert_eq!(done.files, 500);
    assert_eq!(done.jobs.len(), 7);
    for (n, b) in names.iter().zip(&bodies) {
        assert_eq!(&fs::read(fx.dir.join(n)).unwrap(), b);
    }
}

// ---------- merge ----------

#[test]
fn merge_keeps_shared_identical_once_and_refuses_conflicts() {
    let tmp = tempfile::tempdir().unwrap();
    let p1 = tmp.path().join("1.zip");
    let p2 = tmp.path().join("2.zip");
    let p3 = tmp.path().join("3.zip");
    fs::write(
        &p1,
        build(
            &[("jobs/a/a.job", b"A"), ("scripts/s.sql", b"select 1;")],
            CompressionMethod::Deflated,
        ),
    )
    .unwrap();
    fs::write(
        &p2,
        build(
            &[("jobs/b/b.job", b"B"), ("scripts/s.sql", b"select 1;")],
            CompressionMethod::Stored,
        ),
    )
    .unwrap();
    fs::write(
        &p3,
        build(
            &[("scripts/s.sql", b"select 3;")],
            CompressionMethod::Deflated,
        ),
    )
    .unwrap();
    let out = tmp.path().join("all.zip");
    let m = merge(
        &[("1".into(), p1.clone()), ("2".into(), p2.clone())],
        &fs::File::create(&out).unwrap(),
        &NO_CANCEL,
    )
    .unwrap();
    assert_eq!(
        m,
        Merged {
            entries: 3,
            bytes: 11
        }
    );
    let l = inspect(&out, &Limits::default()).unwrap();
    let paths: Vec<&str> = l.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["jobs/a/a.job", "scripts/s.sql", "jobs/b/b.job"]);
    // The zip crate reads our output too.
    let mut za = zip::ZipArchive::new(fs::File::open(&out).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut za.by_name("jobs/b/b.job").unwrap(), &mut s).unwrap();
    assert_eq!(s, "B");

    let err = merge(
        &[("1".into(), p1), ("3".into(), p3)],
        &fs::File::create(&out).unwrap(),
        &NO_CANCEL,
    )
    .unwrap_err();
    match err.downcast_ref::<ArchiveError>() {
        Some(ArchiveError::BatchConflict {
            name,
            first,
            second,
        }) => {
            assert_eq!(
                (name.as_str(), first.as_str(), second.as_str()),
                ("scripts/s.sql", "1", "3")
            );
        }
        other => panic!("expected BatchConflict, got {other:?}"),
    }
}

#[test]
fn zipout_writes_zip64_that_inspect_reads() {
    // 70,000 entries forces ZIP64 end records.
    let mut out = ZipOut::new(Vec::new());
    for i in 0..70_000u32 {
        out.add(
            &format!("jobs/{i}"),
            false,
            &raw(0, 0, 0, 0),
            &mut &[][..],
            &NO_CANCEL,
        )
        .unwrap();
    }
    let z = out.finish().unwrap();
    let tmp = tempfile::NamedTempFile::new().unwrap();
    fs::write(tmp.path(), &z).unwrap();
    let l = inspect(tmp.path(), &Limits::default()).unwrap();
    assert_eq!(l.entries.len(), 70_000);
    let za = zip::ZipArchive::new(Cursor::new(z)).unwrap();
    assert_eq!(za.len(), 70_000);
}

// ---------- property tests ----------

mod props {
    use super::*;
    use proptest::prelude::*;

    fn check_path(p: &str) {
        assert!(!p.is_empty());
        assert!(!p.starts_with('/'));
        assert!(!p.contains('\\'));
        assert!(!p.chars().any(char::is_control));
        assert!(p.split('/').all(|c| !c.is_empty() && c != "." && c != ".."));
        assert!(!Path::new(p).is_absolute());
    }

    proptest! {
        // 512 cases in `cargo test`; PROPTEST_CASES=N runs a longer campaign.
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512),
            ..ProptestConfig::default()
        })]

        #[test]
        fn names_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..40), flag in any::<bool>()) {
            if let Ok(name) = decode_name(&raw, flag) {
                if let Ok((p, _)) = validate_name(&name) {
                    check_path(&p);
                }
            }
        }

        #[test]
        fn texty_names_never_panic(name in "[a-z./\\\\:\0\n]{0,12}") {
            if let Ok((p, _)) = validate_name(&name) {
                check_path(&p);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(l) = inspect_bytes(&data) {
                for e in &l.entries { check_path(&e.path); }
            }
        }

        #[test]
        fn mutated_zip_never_panics(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut z = build(
                &[("jobs/a/", b""), ("jobs/a/b.job", b"hello hello hello"), ("scripts/c.sql", b"x")],
                CompressionMethod::Deflated,
            );
            let i = pos.index(z.len());
            z[i] = byte;
            let fx = fixture(&z);
            let before = snapshot(&fx.dir);
            match run(&fx, &Limits::default(), false) {
                Ok(done) => {
                    for paths in done.jobs.values() {
                        for p in paths { check_path(p); }
                    }
                }
                Err(_) => prop_assert_eq!(snapshot(&fx.dir), before),
            }
        }
    }
}

/// Timing against a real archive: `BENCH_ZIP=/path/x.zip cargo test --lib bench_extract -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_extract() {
    let Some(zip) = std::env::var_os("BENCH_ZIP") else {
        return;
    };
    let zip = PathBuf::from(zip);
    let tmp = tempfile::tempdir().unwrap();
    let t = std::time::Instant::now();
    let l = inspect(&zip, &Limits::default()).unwrap();
    let t_inspect = t.elapsed();
    let cancel = AtomicBool::new(false);
    let done = extract(
        &zip,
        &l,
        &tmp.path().join("out"),
        &ExtractOptions {
            force: false,
            cancel: &cancel,
            on_bytes: &|_| {},
        },
    )
    .unwrap();
    eprintln!(
        "inspect {:?}, total {:?}: {} files, {} bytes",
        t_inspect,
        t.elapsed(),
        done.files,
        done.bytes
    );
}

// ---------- the fuzz target's entry point ----------

/// Every input of the committed fuzz corpus (`fuzz/corpus/unpack/`), through
/// the fuzz target's function: the unpack path and its invariants.
#[test]
fn fuzz_corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/unpack");
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        fuzzing::unpack_arbitrary(&fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n >= 5, "corpus missing: {}", dir.display());
}

mod fuzz_props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
            ..ProptestConfig::default()
        })]

        /// A corpus input with a few bytes overwritten, through the fuzz target's function.
        #[test]
        fn mutated_corpus_inputs_keep_the_invariants(
            pick in any::<prop::sample::Index>(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        ) {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/unpack");
            let mut inputs: Vec<PathBuf> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
            inputs.sort();
            let mut data = fs::read(pick.get(&inputs)).unwrap();
            for (at, byte) in edits {
                if !data.is_empty() {
                    let i = at.index(data.len());
                    data[i] = byte;
                }
            }
            fuzzing::unpack_arbitrary(&data);
        }
    }
}

// ---------- local headers and data descriptors ----------

/// A zip written as a stream: flag bit 3, zero sizes in the local headers,
/// a data descriptor after each entry's data (as the emulator and Java write).
fn build_streamed(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new_stream(Vec::new());
    for (name, data) in entries {
        w.start_file(*name, opts(CompressionMethod::Deflated))
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn streamed_archives_with_data_descriptors_extract() {
    let z = build_streamed(&[("jobs/a/a.job", b"streamed a"), ("jobs/a/b.job", b"b")]);
    let (l, _) = headers(&z, b"jobs/a/a.job");
    assert_ne!(z[l[0] + 6] & 8, 0, "flag bit 3 is set");
    let fx = fixture(&z);
    run(&fx, &Limits::default(), false).unwrap();
    assert_eq!(
        fs::read(fx.dir.join("jobs/a/a.job")).unwrap(),
        b"streamed a"
    );
}

#[test]
fn a_data_descriptor_that_disagrees_is_refused() {
    let z = build_streamed(&[("jobs/a/a.job", b"streamed a")]);
    // The descriptor follows the data: signature, CRC, sizes.
    let sig = find_all(&z, &[0x50, 0x4b, 7, 8]);
    assert_eq!(sig.len(), 1);
    let mut bad = z.clone();
    bad[sig[0] + 8] ^= 1; // its compressed size
    assert_refused(
        &bad,
        &Limits::default(),
        |e| matches!(e, ArchiveError::Corrupt { reason } if reason.contains("data descriptor")),
    );
}

#[test]
fn a_local_header_whose_sizes_disagree_is_refused() {
    let mut z = build(&[("jobs/a/a.job", b"hello")], CompressionMethod::Stored);
    let (l, _) = headers(&z, b"jobs/a/a.job");
    z[l[0] + 22] ^= 1; // the local uncompressed size only
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::Corrupt { reason } if reason.contains("local header")),
    );
}

#[test]
fn data_after_the_end_of_a_deflate_stream_is_refused() {
    let contents = b"some text some text some text";
    let mut deflated = {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(contents).unwrap();
        enc.finish().unwrap()
    };
    deflated.extend_from_slice(b"EXTRA");
    let mut crc = flate2::Crc::new();
    crc.update(contents);
    let mut out = ZipOut::new(Vec::new());
    let mut r = raw(contents.len() as u64, deflated.len() as u64, crc.sum(), 8);
    r.name_raw = b"jobs/a/a.job".to_vec();
    out.add("jobs/a/a.job", false, &r, &mut &deflated[..], &NO_CANCEL)
        .unwrap();
    let z = out.finish().unwrap();
    assert_refused(
        &z,
        &Limits::default(),
        |e| matches!(e, ArchiveError::Corrupt { reason } if reason.contains("after the end of the compressed stream")),
    );
    // Without the extra bytes (and the size that counts them), it extracts.
    let mut out = ZipOut::new(Vec::new());
    r.csize -= 5;
    out.add(
        "jobs/a/a.job",
        false,
        &r,
        &mut &deflated[..deflated.len() - 5],
        &NO_CANCEL,
    )
    .unwrap();
    let fx = fixture(&out.finish().unwrap());
    run(&fx, &Limits::default(), false).unwrap();
}

#[test]
fn a_deflate_stream_without_its_end_is_refused() {
    // A stored (non-final) deflate block holding all the bytes, and no final block.
    let contents = b"complete bytes, unfinished stream";
    let mut stream = vec![0u8]; // BFINAL = 0, BTYPE = 00 (stored)
    stream.extend_from_slice(&(contents.len() as u16).to_le_bytes());
    stream.extend_from_slice(&(!(contents.len() as u16)).to_le_bytes());
    stream.extend_from_slice(contents);
    let mut crc = flate2::Crc::new();
    crc.update(contents);
    let mut r = raw(contents.len() as u64, stream.len() as u64, crc.sum(), 8);
    r.name_raw = b"jobs/a/a.job".to_vec();
    let mut out = ZipOut::new(Vec::new());
    out.add("jobs/a/a.job", false, &r, &mut &stream[..], &NO_CANCEL)
        .unwrap();
    assert_refused(
        &out.finish().unwrap(),
        &Limits::default(),
        |e| matches!(e, ArchiveError::Corrupt { reason } if reason.contains("ends before its end marker")),
    );
}

#[test]
fn merge_refuses_a_name_too_long_for_a_zip_in_utf8() {
    // 30,000 two-byte GB18030 characters fit a zip name (60,000 bytes) but
    // grow to 90,000 bytes in UTF-8: refused, not truncated into a corrupt zip.
    let long = "作".repeat(30_000);
    let (gb, _, bad) = encoding_rs::GB18030.encode(&long);
    assert!(!bad && gb.len() == 60_000);
    let placeholder = "X".repeat(gb.len());
    let mut z = build(
        &[(&format!("jobs/{placeholder}"), b"A")],
        CompressionMethod::Stored,
    );
    patch_name(&mut z, placeholder.as_bytes(), &gb);
    let tmp = tempfile::tempdir().unwrap();
    let part = tmp.path().join("1.zip");
    fs::write(&part, &z).unwrap();
    let out = tmp.path().join("all.zip");
    let err = merge(
        &[("1".into(), part)],
        &fs::File::create(&out).unwrap(),
        &NO_CANCEL,
    )
    .unwrap_err();
    match err.downcast_ref::<ArchiveError>() {
        Some(ArchiveError::NameTooLong { name, len }) => {
            assert_eq!(*len, "jobs/".len() + 90_000);
            assert!(name.starts_with("jobs/作作"), "{name}");
            assert!(name.chars().count() <= 60, "{name}");
        }
        other => panic!("expected NameTooLong, got {other:?} ({err:#})"),
    }
}

#[test]
fn a_set_cancel_flag_stops_a_merge_before_it_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let part = tmp.path().join("1.zip");
    fs::write(
        &part,
        build(&[("jobs/a/a.job", b"A")], CompressionMethod::Stored),
    )
    .unwrap();
    let out = tmp.path().join("all.zip");
    fs::write(&out, b"").unwrap();
    let err = merge(
        &[("1".into(), part)],
        &fs::OpenOptions::new().write(true).open(&out).unwrap(),
        &AtomicBool::new(true),
    )
    .unwrap_err();
    assert!(err.is::<crate::cancel::Interrupted>(), "{err:#}");
    assert_eq!(fs::metadata(&out).unwrap().len(), 0);
}

/// Reads zeros, and sets `cancel` after its first read.
struct CancelAfterFirstRead<'a> {
    cancel: &'a AtomicBool,
    reads: usize,
}

impl std::io::Read for CancelAfterFirstRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.reads += 1;
        self.cancel
            .store(true, std::sync::atomic::Ordering::Relaxed);
        buf.fill(0);
        Ok(buf.len())
    }
}

#[test]
fn cancelling_stops_a_large_entry_copy_within_the_entry() {
    // 64 MiB of data: cancelled after the first chunk, far from the end.
    let cancel = AtomicBool::new(false);
    let mut data = CancelAfterFirstRead {
        cancel: &cancel,
        reads: 0,
    };
    let mut out = ZipOut::new(Vec::new());
    let err = out
        .add(
            "jobs/a/big.bin",
            false,
            &raw(64 << 20, 64 << 20, 0, 0),
            &mut data,
            &cancel,
        )
        .unwrap_err();
    assert!(err.is::<crate::cancel::Interrupted>(), "{err:#}");
    assert_eq!(data.reads, 1);
}
