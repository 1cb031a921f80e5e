//! `export --extract` and `unpack`: one code path, all-or-nothing, and hostile
//! archives refused (exit 6) before anything is written.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use crate::common::killed::KilledSwitch;
use crate::common::raw_server::{RawServer, Reply};
use crate::common::zips;
use crate::common::*;

#[test]
fn export_extract_writes_the_tree_and_the_archive() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "job_batch",
        "job_stream",
        "-C",
        "backup",
        "--json",
    ]));
    expect_code(&output, 0);
    for path in [
        "jobs/job_batch/job_batch.job",
        "jobs/job_batch/dws_sql.script",
        "jobs/job_stream/job_stream.job",
    ] {
        let written = sandbox.path("backup").join(path);
        assert_eq!(
            std::fs::read(&written).expect("extracted"),
            sample_file(path),
            "{path}"
        );
        let mode = std::fs::metadata(&written)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o644, "{path}");
    }
    let mode = std::fs::metadata(sandbox.path("backup/jobs/job_batch"))
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o755);
    assert!(sandbox.path("jobs.zip").exists());
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["format"], 1);
    assert_eq!(summary["extracted_to"], "backup");
    assert_eq!(summary["jobs"][0]["name"], "job_batch");
    assert_eq!(
        summary["jobs"][0]["files"],
        serde_json::json!([
            "jobs/job_batch/job_batch.job",
            "jobs/job_batch/dws_sql.script"
        ])
    );
    // No staging directory or temporary file is left anywhere.
    let hidden: Vec<_> = sandbox
        .snapshot()
        .into_keys()
        .filter(|k| k.contains("/.") || k.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn no_archive_keeps_only_the_tree() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_stream", "-x", "--no-archive"]));
    expect_code(&output, 0);
    let files: Vec<String> = sandbox.snapshot().into_keys().collect();
    assert_eq!(
        files,
        [
            "jobs/",
            "jobs/job_stream/",
            "jobs/job_stream/job_stream.job"
        ]
    );
}

#[test]
fn an_existing_job_directory_is_refused_before_any_request() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("jobs/job_batch")).expect("mkdir");
    std::fs::write(sandbox.path("jobs/job_batch/old.script"), b"old").expect("write");
    let before = sandbox.snapshot();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "--extract", "--no-archive"]));
    expect_code(&output, 1);
    assert!(
        stderr(&output).contains("jobs/job_batch"),
        "{}",
        stderr(&output)
    );
    assert!(emu.requests().is_empty());
    assert_eq!(sandbox.snapshot(), before);
}

#[test]
fn force_replaces_job_directories_whole_and_touches_nothing_else() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("jobs/job_batch")).expect("mkdir");
    std::fs::create_dir_all(sandbox.path("jobs/unrelated")).expect("mkdir");
    std::fs::write(sandbox.path("jobs/job_batch/stale.script"), b"stale").expect("write");
    std::fs::write(sandbox.path("jobs/unrelated/keep.job"), b"keep").expect("write");
    std::fs::write(sandbox.path("notes.txt"), b"mine").expect("write");
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "job_batch",
        "--extract",
        "--no-archive",
        "--force",
    ]));
    expect_code(&output, 0);
    assert!(!sandbox.path("jobs/job_batch/stale.script").exists());
    assert_eq!(
        std::fs::read(sandbox.path("jobs/job_batch/job_batch.job")).expect("read"),
        sample_file("jobs/job_batch/job_batch.job")
    );
    assert_eq!(
        std::fs::read(sandbox.path("jobs/unrelated/keep.job")).expect("read"),
        b"keep"
    );
    assert_eq!(
        std::fs::read(sandbox.path("notes.txt")).expect("read"),
        b"mine"
    );
}

#[test]
fn unpack_extracts_what_export_wrote() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    expect_code(
        &run(sandbox
            .cmd(&emu)
            .args(["export", "job_batch", "job_stream"])),
        0,
    );
    let output = run(sandbox
        .bare()
        .args(["unpack", "jobs.zip", "-C", "restored"]));
    expect_code(&output, 0);
    assert_eq!(
        std::fs::read(sandbox.path("restored/jobs/job_batch/dws_sql.script")).expect("read"),
        sample_file("jobs/job_batch/dws_sql.script")
    );
    // Again without --force: refused, naming what exists; with --force: fine.
    let output = run(sandbox
        .bare()
        .args(["unpack", "jobs.zip", "-C", "restored"]));
    expect_code(&output, 1);
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    expect_code(
        &run(sandbox
            .bare()
            .args(["unpack", "jobs.zip", "-C", "restored", "--force"])),
        0,
    );
}

/// Hostile archives, each with the rule its refusal must name.
fn hostile_archives() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        ("absolute", zips::with_name(b"/tmp/evil.job", b"x"), "evil"),
        (
            "dot-dot",
            zips::with_name(b"jobs/../../evil.job", b"x"),
            "evil",
        ),
        ("drive", zips::with_name(b"C:/evil/x.job", b"x"), "evil"),
        (
            "unc",
            zips::with_name(b"\\\\server\\share\\x.job", b"x"),
            "server",
        ),
        (
            "backslash",
            zips::with_name(b"jobs\\a\\x.job", b"x"),
            "x.job",
        ),
        ("nul", zips::with_name(b"jobs/a/x\0.job", b"x"), "x"),
        ("control", zips::with_name(b"jobs/a/x\x1b.job", b"x"), "x"),
        ("symlink", zips::with_symlink(), "link"),
        (
            "duplicate",
            zips::with_conflicting_duplicate(),
            "jobs/a/a.job",
        ),
        ("crc", zips::with_bad_crc(), "CRC"),
        ("bomb", zips::bomb(), "jobs/a/a.job"),
        (
            "git config",
            zips::with_git_or_top_level(".git/config"),
            ".git/config",
        ),
        (
            "git hook in a job",
            zips::with_git_or_top_level("jobs/a/.GIT/hooks/pre-commit"),
            "`.git`",
        ),
        (
            "workflow",
            zips::with_git_or_top_level(".github/workflows/x.yml"),
            "outside the jobs/, scripts/ and resources/ folders",
        ),
        (
            "top-level file",
            zips::with_git_or_top_level("README.md"),
            "README.md",
        ),
        (
            "data after the deflate stream",
            zips::with_data_after_the_stream(),
            "after the end of the compressed stream",
        ),
        (
            "local header size",
            zips::with_local_size_mismatch(),
            "local header",
        ),
    ]
}

#[test]
fn unpack_refuses_every_hostile_archive_and_writes_nothing() {
    for (rule, bytes, needle) in hostile_archives() {
        let sandbox = Sandbox::new();
        std::fs::write(sandbox.path("hostile.zip"), &bytes).expect("write");
        std::fs::create_dir_all(sandbox.path("out/jobs/earlier")).expect("mkdir");
        std::fs::write(sandbox.path("out/jobs/earlier/earlier.job"), b"earlier").expect("write");
        let before = sandbox.snapshot();
        let started = Instant::now();
        let output = run(sandbox
            .bare()
            .args(["unpack", "hostile.zip", "-C", "out", "--force"]));
        assert_eq!(code(&output), 6, "{rule}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(needle),
            "{rule}: {}",
            stderr(&output)
        );
        assert_eq!(sandbox.snapshot(), before, "{rule}: the tree changed");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{rule}: too slow"
        );
    }
}

#[test]
fn export_extract_refuses_every_hostile_archive_and_writes_nothing() {
    for (rule, bytes, needle) in hostile_archives() {
        let server = RawServer::start(2, move |_| Reply::zip(bytes.clone()));
        let sandbox = Sandbox::new();
        std::fs::create_dir_all(sandbox.path("out/jobs/earlier")).expect("mkdir");
        std::fs::write(sandbox.path("out/jobs/earlier/earlier.job"), b"earlier").expect("write");
        let before = sandbox.snapshot();
        let output = run(sandbox
            .cmd_at(&server.endpoint)
            .args(["export", "a", "-C", "out"]));
        assert_eq!(code(&output), 6, "{rule}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(needle),
            "{rule}: {}",
            stderr(&output)
        );
        assert_eq!(sandbox.snapshot(), before, "{rule}: something was written");
    }
}

#[test]
fn max_size_refuses_archives_that_inflate_too_far() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "job_batch",
        "-C",
        "out",
        // Above the body's size (a body over --max-size is refused as it
        // arrives, exit 5), below the 1,919 bytes the archive inflates to.
        "--max-size",
        "1900",
    ]));
    expect_code(&output, 6);
    assert!(stderr(&output).contains("limit"), "{}", stderr(&output));
    assert!(
        sandbox.snapshot().is_empty(),
        "{:?}",
        sandbox.snapshot().keys()
    );

    expect_code(&run(sandbox.cmd(&emu).args(["export", "job_batch"])), 0);
    let output = run(sandbox
        .bare()
        .args(["unpack", "jobs.zip", "--max-size", "1000"]));
    expect_code(&output, 6);
    let output = run(sandbox
        .bare()
        .args(["unpack", "jobs.zip", "--max-size", "lots"]));
    expect_code(&output, 2);
}

#[test]
fn a_truncated_archive_is_refused_by_unpack() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    expect_code(
        &run(sandbox
            .cmd(&emu)
            .args(["export", "job_batch", "-o", "whole.zip"])),
        0,
    );
    let bytes = std::fs::read(sandbox.path("whole.zip")).expect("read");
    std::fs::write(sandbox.path("cut.zip"), &bytes[..bytes.len() / 2]).expect("write");
    let output = run(sandbox.bare().args(["unpack", "cut.zip", "-C", "out"]));
    expect_code(&output, 6);
    assert!(!sandbox.path("out").exists());
}

#[test]
fn gb18030_names_extract_to_their_utf8_names() {
    let name = "jobs/数据同步/数据同步.job";
    let (encoded, _, errors) = encoding_rs::GB18030.encode(name);
    assert!(!errors);
    let placeholder = "q".repeat(encoded.len());
    let bytes = zips::patch(
        zips::build_stored(&[(&placeholder, b"{\"name\":\"sync\"}")]),
        placeholder.as_bytes(),
        &encoded,
    );
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("cn.zip"), &bytes).expect("write");
    let output = run(sandbox
        .bare()
        .args(["unpack", "cn.zip", "-C", "out", "--json"]));
    expect_code(&output, 0);
    assert_eq!(
        std::fs::read(sandbox.path("out").join(name)).expect("UTF-8 path"),
        b"{\"name\":\"sync\"}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["jobs"][0]["name"], "数据同步", "{summary}");
}

#[test]
fn more_than_100000_entries_are_refused_before_anything_is_written() {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..100_001u32 {
        writer
            .start_file(format!("jobs/j{}/f{i}.job", i % 100), options)
            .expect("start entry");
    }
    let bytes = writer.finish().expect("finish").into_inner();
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("many.zip"), &bytes).expect("write");
    let output = run(sandbox.bare().args(["unpack", "many.zip", "-C", "out"]));
    expect_code(&output, 6);
    assert!(
        stderr(&output).contains("100001 entries"),
        "{}",
        stderr(&output)
    );
    assert!(!sandbox.path("out").exists());
}

/// `unpack` of `bytes` from a fresh sandbox into `out`.
fn unpack_into(sandbox: &Sandbox, bytes: &[u8], extra: &[&str]) -> std::process::Output {
    std::fs::write(sandbox.path("in.zip"), bytes).expect("write");
    run(sandbox
        .bare()
        .args(["unpack", "in.zip", "-C", "out"])
        .args(extra))
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

#[test]
fn a_symlinked_folder_on_the_way_is_refused_and_nothing_is_written_through_it() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(elsewhere.path().join("a")).expect("mkdir");
    std::fs::write(elsewhere.path().join("a/precious.job"), b"keep").expect("write");
    let archive = zips::build(&[("jobs/a/a.job", b"{}"), ("scripts/s.sql", b"select 1;")]);
    // DIR/jobs, DIR/scripts and DIR/jobs/<job> as links; --force or not.
    for (link, target) in [
        ("out/jobs", elsewhere.path().to_path_buf()),
        ("out/scripts", elsewhere.path().to_path_buf()),
        ("out/jobs/a", elsewhere.path().join("a")),
    ] {
        for force in [false, true] {
            let sandbox = Sandbox::new();
            std::fs::create_dir_all(sandbox.path(link).parent().expect("parent")).expect("mkdir");
            std::os::unix::fs::symlink(&target, sandbox.path(link)).expect("symlink");
            let before = snapshot(elsewhere.path());
            let extra: &[&str] = if force { &["--force"] } else { &[] };
            let output = unpack_into(&sandbox, &archive, extra);
            expect_code(&output, 1);
            let text = stderr(&output);
            assert!(
                text.contains("symbolic link") && text.contains(link.trim_start_matches("out/")),
                "{link}: {text}"
            );
            assert_eq!(
                snapshot(elsewhere.path()),
                before,
                "{link}: written through"
            );
            let staged: Vec<_> = sandbox
                .snapshot()
                .into_keys()
                .filter(|k| k.contains(".dataarts-jobs"))
                .collect();
            assert!(staged.is_empty(), "{staged:?}");
        }
    }
}

#[test]
fn the_target_directory_itself_may_be_a_symlink() {
    let sandbox = Sandbox::new();
    let real = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(real.path(), sandbox.path("out")).expect("symlink");
    let output = unpack_into(&sandbox, &zips::build(&[("jobs/a/a.job", b"{}")]), &[]);
    expect_code(&output, 0);
    assert_eq!(
        std::fs::read(real.path().join("jobs/a/a.job")).expect("read"),
        b"{}"
    );
}

#[test]
fn a_file_where_a_folder_belongs_is_refused() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("out")).expect("mkdir");
    std::fs::write(sandbox.path("out/scripts"), b"a file").expect("write");
    let output = unpack_into(
        &sandbox,
        &zips::build(&[("scripts/s.sql", b"x")]),
        &["--force"],
    );
    expect_code(&output, 1);
    assert!(
        stderr(&output).contains("error: extracting in.zip into out\n  caused by: out/scripts exists and is not a directory"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(sandbox.path("out/scripts")).expect("read"),
        b"a file"
    );
}

#[test]
fn modes_are_0666_and_0777_minus_the_umask() {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("in.zip"),
        zips::build(&[("jobs/a/a.job", b"{}"), ("scripts/s.sql", b"x")]),
    )
    .expect("write");
    // The real binary under a real umask, as a user's shell would run it.
    let mut sh = std::process::Command::new("sh");
    sh.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", sandbox.home.path())
        .env("BIN", assert_cmd::cargo::cargo_bin("dataarts-jobs"))
        .current_dir(sandbox.dir.path())
        .args(["-c", "umask 077; exec \"$BIN\" unpack in.zip -C out"]);
    let output = run(assert_cmd::Command::from_std(sh).timeout(Duration::from_secs(60)));
    expect_code(&output, 0);
    for (path, expected) in [
        ("out/jobs/a/a.job", 0o600),
        ("out/scripts/s.sql", 0o600),
        ("out/jobs/a", 0o700),
        ("out/jobs", 0o700),
        ("out/scripts", 0o700),
    ] {
        assert_eq!(mode(&sandbox.path(path)), expected, "{path}");
    }
}

#[test]
fn every_file_written_is_counted() {
    let archive = zips::build(&[
        ("jobs/a/a.job", b"{}"),
        ("scripts/s.sql", b"select 1;"),
        ("resources/r.json", b"[]"),
    ]);
    let server = RawServer::start(2, move |_| Reply::zip(archive.clone()));
    let sandbox = Sandbox::new();
    let output =
        run(sandbox
            .cmd_at(&server.endpoint)
            .args(["export", "a", "-C", "out", "--no-archive"]));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("extracted 3 files (13 B) into out"),
        "{}",
        stderr(&output)
    );
    let output = unpack_into(
        &Sandbox::new(),
        &zips::build(&[("jobs/a/a.job", b"{}"), ("scripts/s.sql", b"x")]),
        &["--json"],
    );
    expect_code(&output, 0);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["extracted_files"], 2);
}

/// 200 names of 64 KiB (`jobs/a/a/…/a/x<i>`, 13 MB of names) and, last, a
/// file also used as a folder (`jobs/b`, `jobs/b/c`). Hashing every prefix
/// of every name (the old check) takes minutes on this; the tree of names a
/// fraction of a second.
#[test]
fn deep_names_are_checked_in_linear_time() {
    let deep = "a/".repeat(32 * 1024 - 8);
    let names: Vec<String> = (0..200).map(|i| format!("jobs/{deep}x{i}")).collect();
    let mut entries: Vec<zips::RawEntry> = names
        .iter()
        .map(|n| zips::RawEntry::deflated(n, b"x"))
        .collect();
    entries.push(zips::RawEntry::deflated("jobs/b", b"y"));
    entries.push(zips::RawEntry::deflated("jobs/b/c", b"z"));
    let archive = zips::build_raw(&entries);
    assert!(archive.len() > 13_000_000);
    let sandbox = Sandbox::new();
    let started = Instant::now();
    let output = unpack_into(&sandbox, &archive, &[]);
    eprintln!("deep names refused in {:?}", started.elapsed());
    expect_code(&output, 6);
    assert!(
        stderr(&output).contains("\"jobs/b\" appears more than once with different contents"),
        "{}",
        &stderr(&output)[..300.min(stderr(&output).len())]
    );
    assert!(!sandbox.path("out").exists());
}

/// What a run killed (SIGKILL) during `--force`'s switch leaves, exactly as
/// `switch.rs` writes it: the journal, a released lock, the new copy staged,
/// the old copy moved aside, and `jobs/job_batch` missing.
fn killed_run_leftovers(dir: &std::path::Path) -> std::path::PathBuf {
    let staging = KilledSwitch::in_dir(dir, "Kill3d")
        .place("jobs/job_batch", true)
        .staged("jobs/job_batch/job_batch.job", b"new")
        .moved_aside(0, "job_batch.job", b"old")
        .moved_aside(0, "old.script", b"old script")
        .leave();
    std::fs::create_dir_all(dir.join("jobs/other")).expect("mkdir");
    std::fs::write(dir.join("jobs/other/o.job"), b"other").expect("write");
    staging
}

#[test]
fn the_next_unpack_puts_back_what_a_killed_run_left_half_switched() {
    let sandbox = Sandbox::new();
    let staging = killed_run_leftovers(&sandbox.path("out"));
    let output = unpack_into(&sandbox, &zips::build(&[("jobs/fresh/f.job", b"f")]), &[]);
    expect_code(&output, 0);
    let text = stderr(&output);
    let line: Vec<&str> = text.lines().filter(|l| l.contains("recovered")).collect();
    assert_eq!(line.len(), 1, "{text}");
    assert!(
        line[0].contains("jobs/job_batch") && line[0].contains(".dataarts-jobs-Kill3d"),
        "{text}"
    );
    assert!(!staging.exists());
    assert_eq!(
        std::fs::read(sandbox.path("out/jobs/job_batch/job_batch.job")).expect("read"),
        b"old"
    );
    assert_eq!(
        std::fs::read(sandbox.path("out/jobs/job_batch/old.script")).expect("read"),
        b"old script"
    );
    assert_eq!(
        std::fs::read(sandbox.path("out/jobs/fresh/f.job")).expect("read"),
        b"f"
    );
    assert_eq!(
        std::fs::read(sandbox.path("out/jobs/other/o.job")).expect("read"),
        b"other"
    );
}

#[test]
fn the_next_export_extract_recovers_before_checking_targets() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let staging = killed_run_leftovers(&sandbox.path("out"));
    // job_batch is back in place after recovery, so without --force it exists.
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "-C", "out", "--no-archive"]));
    expect_code(&output, 1);
    let text = stderr(&output);
    assert!(
        text.contains("recovered") && text.contains("jobs/job_batch"),
        "{text}"
    );
    assert!(emu.exports().is_empty(), "refused before any request");
    assert!(!staging.exists());
    assert_eq!(
        std::fs::read(sandbox.path("out/jobs/job_batch/job_batch.job")).expect("read"),
        b"old"
    );
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "job_batch",
        "-C",
        "out",
        "--no-archive",
        "--force",
    ]));
    expect_code(&output, 0);
    assert!(!stderr(&output).contains("recovered"));
    assert!(!sandbox.path("out/jobs/job_batch/old.script").exists());
}
