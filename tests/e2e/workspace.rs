//! Whole workspaces: `list`, `--all`, batching past 100, merging, `--keep-going`.

use std::io::Write;
use std::process::Stdio;

use dataarts_jobs::emulator::OffsetUnit;

use crate::common::raw_server::{RawServer, Reply};
use crate::common::*;

/// A `--data` workspace with `batch` batch jobs (each with its own script and
/// the shared `common.script`) and `real_time` real-time jobs.
fn workspace(batch: usize, real_time: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..batch {
        let name = format!("job_{i:04}");
        let script = format!("select {i} from dual;");
        write_workspace(
            dir.path(),
            &[(
                name.as_str(),
                "BATCH",
                &[
                    ("own.script", script.as_str()),
                    ("common.script", "-- shared by every job"),
                ],
            )],
        );
    }
    for i in 0..real_time {
        let name = format!("stream_{i:03}");
        write_workspace(dir.path(), &[(name.as_str(), "REAL_TIME", &[])]);
    }
    dir
}

#[test]
fn many_names_are_split_into_batches_and_merged_into_one_archive() {
    let data = workspace(250, 0);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let names = generated_names(250).join("\n");
    std::fs::write(sandbox.path("names.txt"), format!("# nightly\n{names}\n\n")).expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "--jobs-from", "names.txt", "--json"]));
    expect_code(&output, 0);

    let exports = emu.exports();
    assert_eq!(exports.len(), 3, "250 names → 3 requests");
    let mut sizes: Vec<usize> = exports
        .iter()
        .map(|r| {
            let body: serde_json::Value =
                serde_json::from_str(r["body"].as_str().expect("body")).expect("JSON");
            body["jobList"].as_array().expect("list").len()
        })
        .collect();
    sizes.sort();
    assert_eq!(sizes, [50, 100, 100]);

    let entries = zip_entries(&sandbox.path("jobs.zip"));
    assert_eq!(entries.len(), 250 * 3);
    for (path, bytes) in &entries {
        let on_disk = std::fs::read(data.path().join(path)).expect("served file");
        assert_eq!(bytes, &on_disk, "{path}");
    }
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["jobs"].as_array().expect("jobs").len(), 250);
    assert_eq!(summary["jobs"][0]["name"], "job_0000");
    assert_eq!(summary["requests"], 3);
}

#[test]
fn an_entry_shared_by_batches_is_kept_once() {
    let data = tempfile::tempdir().expect("tempdir");
    write_workspace(
        data.path(),
        &[("a", "BATCH", &[("s.script", "same")]), ("b", "BATCH", &[])],
    );
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let server_zip = {
        // Batches that both return every job, so jobs/a/s.script comes
        // twice with identical bytes.
        let sandbox = Sandbox::new();
        expect_code(
            &run(sandbox.cmd(&emu).args(["export", "a", "b", "-o", "ab.zip"])),
            0,
        );
        std::fs::read(sandbox.path("ab.zip")).expect("read")
    };
    let server = RawServer::start(8, move |_| Reply::zip(server_zip.clone()));
    let sandbox = Sandbox::new();
    let output =
        run(sandbox
            .cmd_at(&server.endpoint)
            .args(["export", "a", "b", "--batch-size", "1"]));
    expect_code(&output, 0);
    assert_eq!(server.count(), 2);
    let entries = zip_entries(&sandbox.path("jobs.zip"));
    assert_eq!(
        entries.keys().collect::<Vec<_>>(),
        ["jobs/a/a.job", "jobs/a/s.script", "jobs/b/b.job"]
    );
}

#[test]
fn batches_that_disagree_on_an_entry_exit_6_and_write_nothing() {
    let first = crate::common::zips::build(&[("jobs/a/s.script", b"version 1")]);
    let second = crate::common::zips::build(&[("jobs/a/s.script", b"version 2")]);
    let served = std::sync::atomic::AtomicUsize::new(0);
    let server = RawServer::start(8, move |_| {
        let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Reply::zip(if n == 0 {
            first.clone()
        } else {
            second.clone()
        })
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd_at(&server.endpoint).args([
        "export",
        "a",
        "b",
        "--batch-size",
        "1",
        "--parallel",
        "1",
    ]));
    expect_code(&output, 6);
    assert!(
        stderr(&output).contains("jobs/a/s.script"),
        "{}",
        stderr(&output)
    );
    assert!(
        sandbox.snapshot().is_empty(),
        "{:?}",
        sandbox.snapshot().keys()
    );
}

#[test]
fn all_finds_batch_and_real_time_jobs_across_pages_in_either_offset_unit() {
    let data = workspace(130, 120);
    for unit in [OffsetUnit::Records, OffsetUnit::Pages] {
        let emu = Emu::with(|c| {
            c.data = Some(data.path().to_path_buf());
            c.offset_unit = unit;
        });
        let sandbox = Sandbox::new();
        let output = run(sandbox.cmd(&emu).args(["export", "--all", "--json", "-q"]));
        expect_code(&output, 0);
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(
            summary["jobs"].as_array().expect("jobs").len(),
            250,
            "{unit:?}"
        );
        let entries = zip_entries(&sandbox.path("jobs.zip"));
        assert!(
            entries.contains_key("jobs/stream_119/stream_119.job"),
            "{unit:?}"
        );
        assert!(entries.contains_key("jobs/job_0129/own.script"), "{unit:?}");
        let lists: Vec<_> = emu
            .requests()
            .into_iter()
            .filter(|r| r["method"] == "GET")
            .map(|r| r["query"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(
            lists.iter().any(|q| q.contains("jobType=REAL_TIME")),
            "{lists:?}"
        );
        assert!(lists.len() <= 8, "{unit:?}: {lists:?}");
    }
}

#[test]
fn list_prints_names_and_json_and_filters() {
    let data = workspace(3, 2);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args(["list"]));
    expect_code(&output, 0);
    assert_eq!(
        stdout(&output),
        "job_0000\njob_0001\njob_0002\nstream_000\nstream_001\n"
    );
    let output = run(sandbox
        .cmd(&emu)
        .args(["list", "--type", "real-time", "--json"]));
    expect_code(&output, 0);
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(listed["format"], 1);
    let jobs = &listed["jobs"];
    assert_eq!(jobs.as_array().expect("array").len(), 2);
    assert_eq!(jobs[0]["jobType"], "REAL_TIME");
    let output = run(sandbox
        .cmd(&emu)
        .args(["list", "--match", "job_0001", "--match", "stream_*"]));
    assert_eq!(stdout(&output), "job_0001\nstream_000\nstream_001\n");
}

#[test]
fn list_piped_into_export_jobs_from_stdin() {
    let data = workspace(5, 1);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let listed = run(sandbox.cmd(&emu).args(["list", "--match", "job_000[1-3]"]));
    expect_code(&listed, 0);
    let mut child = sandbox
        .std_cmd(&emu)
        .args(["export", "--jobs-from", "-", "-o", "picked.zip"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&listed.stdout)
        .expect("pipe names");
    let output = child.wait_with_output().expect("wait");
    assert_no_secrets(&output);
    expect_code(&output, 0);
    let jobs: std::collections::BTreeSet<String> = zip_entries(&sandbox.path("picked.zip"))
        .keys()
        .filter_map(|p| p.split('/').nth(1).map(str::to_string))
        .collect();
    assert_eq!(
        jobs.into_iter().collect::<Vec<_>>(),
        ["job_0001", "job_0002", "job_0003"]
    );
}

#[test]
fn keep_going_isolates_refused_names_and_exits_4() {
    let data = workspace(148, 0);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let mut names = generated_names(148);
    names.insert(30, "deleted_since_listing".to_string());
    names.insert(120, "never_existed".to_string());
    std::fs::write(sandbox.path("names.txt"), names.join("\n")).expect("write");
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "--jobs-from",
        "names.txt",
        "--keep-going",
        "--json",
    ]));
    expect_code(&output, 4);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["jobs"].as_array().expect("jobs").len(), 148);
    assert_eq!(
        summary["failed"],
        serde_json::json!([
            {"name": "deleted_since_listing", "error_code": "DLF.0100", "error_msg": "The job does not exists."},
            {"name": "never_existed", "error_code": "DLF.0100", "error_msg": "The job does not exists."},
        ])
    );
    let jobs: std::collections::BTreeSet<String> = zip_entries(&sandbox.path("jobs.zip"))
        .keys()
        .filter_map(|p| p.split('/').nth(1).map(str::to_string))
        .collect();
    assert_eq!(jobs.len(), 148);
    assert!(emu.exports().len() <= 2 * 150, "bounded splitting");
    assert!(
        stderr(&output).contains("2 of 150 jobs could not be exported"),
        "{}",
        stderr(&output)
    );

    // Without --keep-going the first refusal stops the run and writes nothing.
    let strict = Sandbox::new();
    std::fs::write(strict.path("names.txt"), names.join("\n")).expect("write");
    let output = run(strict
        .cmd(&emu)
        .args(["export", "--jobs-from", "names.txt"]));
    expect_code(&output, 4);
    assert_eq!(strict.snapshot().len(), 1, "{:?}", strict.snapshot().keys());
}

/// When every job is refused, `--keep-going --json` still prints the
/// summary with each failure (and the error), and says nothing was written.
#[test]
fn keep_going_when_every_job_is_refused_lists_them_and_writes_nothing() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "nope1",
        "nope2",
        "--keep-going",
        "-o",
        "kg.zip",
        "--json",
    ]));
    expect_code(&output, 4);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["jobs"], serde_json::json!([]));
    assert_eq!(summary["archive"], serde_json::Value::Null);
    assert_eq!(summary["failed"][0]["name"], "nope1");
    assert_eq!(summary["failed"][1]["error_code"], "DLF.0100");
    assert_eq!(summary["error"]["exit_code"], 4);
    assert_eq!(
        summary["error"]["message"],
        "none of the 2 jobs could be exported (each listed with its error); nothing was written"
    );
    assert!(!sandbox.path("kg.zip").exists());
    let output = run(sandbox.cmd(&emu).args(["export", "nope1", "--keep-going"]));
    expect_code(&output, 4);
    let text = stderr(&output);
    assert!(text.contains("failed: nope1: DLF.0100"), "{text}");
    assert!(
        text.contains("error: the job could not be exported (each listed with its error); nothing was written"),
        "{text}"
    );
    assert!(!text.contains("exported 0"), "{text}");
    // Spaces at either end of a name would be invisible: it is quoted.
    let output = run(sandbox.cmd(&emu).args(["export", " nope2", "--keep-going"]));
    expect_code(&output, 4);
    assert!(
        stderr(&output).contains("failed: ` nope2`: DLF.0100"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_listing_short_of_its_total_exits_5() {
    let server = RawServer::start(16, |_| {
        Reply::json(
            200,
            r#"{"total": 5, "jobs": [{"name": "a"}, {"name": "b"}]}"#,
        )
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd_at(&server.endpoint).args(["list"]));
    expect_code(&output, 5);
    assert!(
        stderr(&output).contains("incomplete job listing"),
        "{}",
        stderr(&output)
    );
    // Both job types are listed (concurrently), each stopping within 4 pages.
    assert!(server.count() <= 8, "paging stopped: {}", server.count());
}

#[test]
fn all_reports_listed_names_that_cannot_be_directories() {
    let data = workspace(2, 0);
    write_workspace(data.path(), &[("back\\slash", "BATCH", &[])]);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args(["export", "--all", "--json"]));
    expect_code(&output, 4);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let names: Vec<&str> = summary["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .filter_map(|job| job["name"].as_str())
        .collect();
    assert_eq!(names, ["job_0000", "job_0001"]);
    assert_eq!(summary["failed"][0]["name"], "back\\slash");
    assert!(zip_entries(&sandbox.path("jobs.zip")).contains_key("jobs/job_0001/job_0001.job"));
}
