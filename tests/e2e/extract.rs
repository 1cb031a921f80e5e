//! `export --extract` and `unpack`: one code path, all-or-nothing, and hostile
//! archives refused (exit 6) before anything is written.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

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
        "--extract",
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
    assert_eq!(summary["extracted_to"], "backup");
    assert_eq!(
        summary["extracted"]["job_batch"],
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
        .args(["export", "job_stream", "-x", ".", "--no-archive"]));
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
        let output =
            run(sandbox
                .cmd_at(&server.endpoint)
                .args(["export", "a", "--extract", "out"]));
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
        "--extract",
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
    assert!(summary["jobs"].get("数据同步").is_some(), "{summary}");
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
