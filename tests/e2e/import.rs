//! `import` and `task` against the emulator (DLF + OBS), and a raw server for
//! what the emulator cannot do.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::raw_server::{RawServer, Reply};
use crate::common::*;

/// A `--data` dir: the default workspace with `job_batch` (a script using
/// the connection `dws_link`) and `job_stream`; an empty workspace `B`.
fn two_workspaces() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("tempdir");
    let batch = String::from_utf8(sample_file("jobs/job_batch/job_batch.job")).expect("utf-8");
    let script = String::from_utf8(sample_file("jobs/job_batch/dws_sql.script")).expect("utf-8");
    let stream = String::from_utf8(sample_file("jobs/job_stream/job_stream.job")).expect("utf-8");
    for (job, files) in [
        (
            "job_batch",
            vec![("job_batch.job", batch), ("dws_sql.script", script)],
        ),
        ("job_stream", vec![("job_stream.job", stream)]),
    ] {
        let dir = data.path().join("jobs").join(job);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write");
        }
    }
    std::fs::create_dir_all(data.path().join("workspaces/B")).expect("mkdir");
    data
}

fn emu_with(
    data: &tempfile::TempDir,
    configure: impl FnOnce(&mut dataarts_jobs::emulator::Config),
) -> Emu {
    let path = data.path().to_path_buf();
    Emu::with(move |c| {
        c.data = Some(path);
        configure(c);
    })
}

/// Exports the default workspace's jobs into `jobs.zip` in the sandbox.
fn export_default(sandbox: &Sandbox, emu: &Emu) {
    let output =
        run(sandbox
            .cmd(emu)
            .args(["export", "job_batch", "job_stream", "-o", "jobs.zip"]));
    expect_code(&output, 0);
}

fn import_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

fn outcomes(json: &Value) -> Vec<(String, String)> {
    json["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|job| {
            (
                job["name"].as_str().expect("name").to_string(),
                job["outcome"].as_str().unwrap_or("null").to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn a_zip_imports_into_another_workspace_byte_for_byte_and_nothing_stays_staged() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--json",
    ]));
    expect_code(&output, 0);
    let json = import_json(&output);
    assert_eq!(json["format"], 1);
    assert_eq!(
        outcomes(&json),
        pairs(&[("job_batch", "imported"), ("job_stream", "imported")])
    );
    let tasks = json["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["status"], "SUCCESSFUL");
    let key = tasks[0]["staging_key"].as_str().expect("key");
    assert!(key.starts_with("obs://staging/dataarts-jobs/"), "{key}");
    assert!(key.ends_with("/1.zip"), "{key}");
    assert!(!json["request_ids"].as_array().expect("ids").is_empty());
    assert!(
        emu.objects().is_empty(),
        "staging deleted: {:?}",
        emu.objects()
    );
    // The staged object was the zip, byte for byte (its MD5 was checked by the emulator).
    let put = &emu.obs_requests()[0];
    assert_eq!(put["method"], "PUT");
    assert_eq!(
        put["headers"]["content-length"]
            .as_str()
            .map(|l| l.parse::<u64>().ok()),
        Some(
            std::fs::metadata(sandbox.path("jobs.zip"))
                .ok()
                .map(|m| m.len())
        )
    );
    // Read back: the target's export holds the same files.
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["export", "--all", "--workspace", "B", "-o", "b.zip"]));
    expect_code(&output, 0);
    assert_eq!(
        zip_entries(&sandbox.path("b.zip")),
        zip_entries(&sandbox.path("jobs.zip"))
    );
    // Text summary on stderr, per job.
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
    ]));
    expect_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("skipped      job_batch"), "{text}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn skip_and_overwrite_are_told_apart_by_reading_back() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    // Into the default workspace, where both exist: SKIP leaves them.
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["import", "jobs.zip", "--obs-bucket", "staging", "--json"]));
    expect_code(&output, 0);
    assert_eq!(
        outcomes(&import_json(&output)),
        pairs(&[("job_batch", "skipped"), ("job_stream", "skipped")])
    );
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--same-name",
        "overwrite",
        "--json",
    ]));
    expect_code(&output, 0);
    assert_eq!(
        outcomes(&import_json(&output)),
        pairs(&[("job_batch", "overwritten"), ("job_stream", "overwritten")])
    );
    let import = emu.requests_to("/jobs/import");
    assert_eq!(import.len(), 2);
    let body: Value =
        serde_json::from_str(import[1]["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["sameNamePolicy"], "OVERWRITE");
}

#[test]
fn a_directory_is_packed_in_the_export_layout() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    // A backup-like tree: jobs/ plus files that are not jobs.
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "--all", "-C", "backup", "--no-archive"]));
    expect_code(&output, 0);
    std::fs::write(sandbox.path("backup/dataarts-backup.json"), "{}").expect("write");
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "backup",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--json",
    ]));
    expect_code(&output, 0);
    assert_eq!(
        outcomes(&import_json(&output)),
        pairs(&[("job_batch", "imported"), ("job_stream", "imported")])
    );
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["export", "--all", "--workspace", "B", "-o", "b.zip"]));
    expect_code(&output, 0);
    let entries = zip_entries(&sandbox.path("b.zip"));
    assert_eq!(
        entries["jobs/job_batch/dws_sql.script"],
        std::fs::read(sandbox.path("backup/jobs/job_batch/dws_sql.script")).expect("read")
    );
    assert_eq!(entries.len(), 3);
}

/// The single-job export's layout (`DLF_<job>.zip`: `jobs/<job>.job`,
/// `scripts/...`): a zip source is uploaded as it is and imported, the job
/// named by its `.job` file's stem.
#[test]
fn a_single_job_export_zip_is_imported_as_it_is() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    let job = br#"{"name":"job_x","processType":"BATCH","nodes":[]}"#;
    let script = br#"{"name":"s1","type":"DWSSQL","connectionName":"dws_link"}"#;
    let zip = zips::build(&[("jobs/job_x.job", job), ("scripts/s1.script", script)]);
    std::fs::write(sandbox.path("DLF_job_x.zip"), &zip).expect("write");
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "DLF_job_x.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--json",
    ]));
    expect_code(&output, 0);
    assert_eq!(
        outcomes(&import_json(&output)),
        pairs(&[("job_x", "imported")])
    );
    let put = &emu.obs_requests()[0];
    assert_eq!(
        put["headers"]["content-length"].as_str(),
        Some(zip.len().to_string().as_str()),
        "uploaded byte for byte"
    );
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["export", "job_x", "--workspace", "B", "-o", "b.zip"]));
    expect_code(&output, 0);
    let entries = zip_entries(&sandbox.path("b.zip"));
    assert_eq!(entries["jobs/job_x/job_x.job"], job.to_vec());
    assert_eq!(entries["jobs/job_x/s1.script"], script.to_vec());
}

/// A backup's `scripts/*.json` are not what the import API restores: said
/// in one line, and the jobs (with the scripts they reference) imported.
#[test]
fn a_backup_tree_says_its_scripts_folder_is_not_imported() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    expect_code(&run(sandbox.cmd(&emu).args(["backup", "backup"])), 0);
    assert!(sandbox.path("backup/scripts/dws_sql.json").is_file());
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "backup",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
    ]));
    expect_code(&output, 0);
    let text = stderr(&output);
    let notes: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("scripts/"))
        .collect();
    assert_eq!(notes.len(), 1, "{text}");
    assert!(
        notes[0].contains("backup/scripts/ (1 script: dws_sql.json) is not imported"),
        "{text}"
    );
    assert!(notes[0].contains("for reference"), "{text}");
    assert!(text.contains("imported     job_batch"), "{text}");
    // A tree without scripts/ says nothing of it.
    std::fs::remove_dir_all(sandbox.path("backup/scripts")).expect("rm");
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "backup",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
    ]));
    expect_code(&output, 0);
    assert!(!stderr(&output).contains("scripts/"), "{}", stderr(&output));
}

#[test]
fn an_object_already_in_obs_is_imported_and_left_in_place() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    emu.put_object(
        "exports",
        "nightly/jobs.zip",
        std::fs::read(sandbox.path("jobs.zip")).expect("read"),
    );
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "obs://exports/nightly/jobs.zip",
        "--workspace",
        "B",
        "--json",
    ]));
    expect_code(&output, 0);
    assert_eq!(
        outcomes(&import_json(&output)),
        pairs(&[("job_batch", "imported"), ("job_stream", "imported")])
    );
    assert_eq!(emu.objects(), ["obs://exports/nightly/jobs.zip"]);
    assert!(
        emu.obs_requests().is_empty(),
        "no OBS request: nothing staged"
    );
}

#[test]
fn failed_subtasks_end_in_exit_8_naming_the_jobs() {
    let data = two_workspaces();
    let emu = emu_with(&data, |c| c.fail_import = vec!["job_stream".to_string()]);
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
    ]));
    expect_code(&output, 8);
    let text = stderr(&output);
    assert!(text.contains("imported     job_batch"), "{text}");
    assert!(
        text.contains("failed       job_stream: Failed to import the job job_stream"),
        "{text}"
    );
    assert!(text.contains("WARNING"), "{text}");
    assert!(
        text.contains("error: the import finished, but 1 of 2 jobs were not imported: job_stream (Failed to import"),
        "{text}"
    );
    assert!(emu.objects().is_empty(), "terminal: staging deleted");

    let emu = emu_with(&data, |c| {
        c.fail_import = vec!["job_stream".to_string(), "job_batch".to_string()]
    });
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--json",
    ]));
    expect_code(&output, 8);
    let json = import_json(&output);
    assert_eq!(json["tasks"][0]["status"], "FAILED");
    assert_eq!(
        outcomes(&json),
        pairs(&[("job_batch", "failed"), ("job_stream", "failed")])
    );
    assert!(json["jobs"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("locked")));
    // One object: the summary, with the run's error added.
    assert_eq!(json["error"]["exit_code"], 8, "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not imported")),
        "{json}"
    );
}

/// A task whose messages echo our security token and signature, with a
/// terminal escape: shown redacted and escaped, in text and in JSON.
#[test]
fn task_messages_are_shown_redacted_and_escaped() {
    let data = two_workspaces();
    let emu = emu_with(&data, |c| {
        c.fail_import = vec!["job_stream".to_string()];
        c.faults.echo_secrets = true;
        c.security_token = Some(dataarts_jobs::auth::Secret::new(TOKEN));
    });
    let sandbox = Sandbox::new();
    let cmd = || {
        let mut command = sandbox.cmd(&emu);
        command.env("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN);
        command
    };
    expect_code(
        &run(cmd().args(["export", "job_batch", "job_stream", "-o", "jobs.zip"])),
        0,
    );
    let import = [
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
    ];
    let output = run(cmd().args(import));
    expect_code(&output, 8);
    let text = stderr(&output);
    assert!(text.contains("locked by another user"), "{text}");
    assert!(text.contains("X-Security-Token (redacted)"), "{text}");
    assert!(text.contains("Signature=(redacted)"), "{text}");
    assert!(text.contains("\\u{1b}[31m"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    let json_run = run(cmd().args(import).arg("--json"));
    expect_code(&json_run, 8);
    let out = stdout(&json_run);
    assert!(!out.contains(TOKEN), "{out}");
    let json = import_json(&json_run);
    let task_id = json["tasks"][0]["id"]
        .as_str()
        .expect("task id")
        .to_string();
    let shown = run(cmd().args(["task", &task_id, "--workspace", "B", "--json"]));
    expect_code(&shown, 8);
    let out = stdout(&shown);
    assert!(!out.contains(TOKEN), "{out}");
    assert!(out.contains("X-Security-Token (redacted)"), "{out}");
    let shown = run(cmd().args(["task", &task_id, "--workspace", "B"]));
    let text = stderr(&shown) + &stdout(&shown);
    assert!(!text.contains(TOKEN) && !text.contains('\u{1b}'), "{text}");
}

#[test]
fn a_stuck_task_times_out_keeping_staging_and_task_wait_finishes_it() {
    let data = two_workspaces();
    let emu = emu_with(&data, |c| c.task_polls = 40);
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let output = run(sandbox
        .cmd(&emu)
        .env("DATAARTS_TEST_RETRY_DELAY_SCALE", "1")
        .args([
            "import",
            "jobs.zip",
            "--obs-bucket",
            "staging",
            "--workspace",
            "B",
            "--wait-timeout",
            "1",
        ]));
    expect_code(&output, 5);
    let text = stderr(&output);
    let task_id = text
        .lines()
        .find_map(|line| line.strip_prefix("import task ")?.split_whitespace().next())
        .expect("task id printed")
        .to_string();
    assert!(
        text.contains(&format!(
            "error: import task {task_id} did not end within 1s"
        )),
        "{text}"
    );
    assert_eq!(emu.objects().len(), 1, "staging kept");
    assert!(text.contains(&emu.objects()[0]), "{text}");
    assert!(
        text.contains(&format!(
            "hint: `dataarts-jobs task {task_id} --wait --workspace B` follows the task on"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("staging kept: {}", emu.objects()[0])),
        "the summary comes first: {text}"
    );

    let output =
        run(sandbox
            .cmd(&emu)
            .args(["task", &task_id, "--workspace", "B", "--wait", "--json"]));
    expect_code(&output, 0);
    let json = import_json(&output);
    assert_eq!(json["format"], 1);
    assert_eq!(json["task"]["status"], "SUCCESSFUL");
    assert_eq!(json["task"]["subtasks"].as_array().map(Vec::len), Some(2));

    // Asked from another workspace (here the default one), the task does
    // not exist: the hint says to pass the import's workspace.
    let output = run(sandbox.cmd(&emu).args(["task", &task_id]));
    expect_code(&output, 4);
    assert!(stderr(&output).contains("DLF.0810"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--workspace"),
        "{}",
        stderr(&output)
    );
    let output = run(sandbox
        .cmd(&emu)
        .args(["task", &task_id, "--workspace", "B"]));
    expect_code(&output, 0);
    assert!(
        stdout(&output).contains(&format!("task {task_id}: SUCCESSFUL")),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("Import the job_batch job."));

    let output = run(sandbox
        .cmd(&emu)
        .args(["task", "0123456789abcdef0123456789abcdef"]));
    expect_code(&output, 4);
    assert!(stderr(&output).contains("DLF.0810"), "{}", stderr(&output));
    let output = run(sandbox.cmd(&emu).args(["task", "../x"]));
    expect_code(&output, 2);
}

#[test]
fn task_of_a_warning_import_exits_8_and_no_wait_keeps_staging() {
    let data = two_workspaces();
    let emu = emu_with(&data, |c| c.fail_import = vec!["job_batch".to_string()]);
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--no-wait",
        "--json",
    ]));
    expect_code(&output, 0);
    let json = import_json(&output);
    assert_eq!(json["tasks"][0]["status"], "RUNNING");
    assert_eq!(json["jobs"][0]["outcome"], Value::Null);
    assert_eq!(emu.objects().len(), 1, "--no-wait keeps staging");
    let task_id = json["tasks"][0]["id"].as_str().expect("id").to_string();
    let output = run(sandbox
        .cmd(&emu)
        .args(["task", &task_id, "--workspace", "B", "--wait"]));
    expect_code(&output, 8);
    let text = stdout(&output);
    assert!(text.contains("WARNING"), "{text}");
    assert!(
        text.contains("FAILED      Import the job_batch job.: Failed to import"),
        "{text}"
    );
}

#[test]
fn missing_connections_stop_before_any_import_and_a_map_fixes_them() {
    let data = two_workspaces();
    let connections = data.path().join("connections.json");
    std::fs::write(
        &connections,
        r#"{"default": [{"name": "dws_link", "type": "DWS_CONNECTION"}], "B": [{"name": "dws_b", "type": "DWS_CONNECTION"}]}"#,
    )
    .expect("write");
    let emu = emu_with(&data, |c| c.connections = Some(connections));
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
    ]));
    expect_code(&output, 2);
    let text = stderr(&output);
    assert!(
        text.contains("lacks a resource the jobs reference: DWS_CONNECTION dws_link"),
        "{text}"
    );
    assert!(
        text.contains("hint: --map DWS_CONNECTION:dws_link=<replacement>"),
        "{text}"
    );
    assert!(emu.requests_to("/jobs/check-file").len() == 1);
    assert!(
        emu.requests_to("/jobs/import").is_empty(),
        "no import request"
    );
    assert!(
        emu.objects().is_empty(),
        "staging deleted when stopping before the import"
    );

    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--map",
        "DWS_CONNECTION:dws_link=dws_b",
        "--param",
        "bizdate=20240101",
    ]));
    expect_code(&output, 0);
    let import = emu.requests_to("/jobs/import");
    assert_eq!(import.len(), 1);
    let body: Value =
        serde_json::from_str(import[0]["body"].as_str().expect("body")).expect("json");
    assert_eq!(
        body["resources"],
        serde_json::json!([{"name": "dws_link", "type": "DWS_CONNECTION", "replace": "dws_b"}])
    );
    assert_eq!(body["params"], serde_json::json!({"bizdate": "20240101"}));
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["export", "job_batch", "--workspace", "B", "-o", "b.zip"]));
    expect_code(&output, 0);
    let entries = zip_entries(&sandbox.path("b.zip"));
    let script: Value =
        serde_json::from_slice(&entries["jobs/job_batch/dws_sql.script"]).expect("json");
    assert_eq!(script["connectionName"], "dws_b");
    let job: Value =
        serde_json::from_slice(&entries["jobs/job_batch/job_batch.job"]).expect("json");
    assert_eq!(job["params"][0]["value"], "20240101");

    // --allow-missing imports anyway.
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--allow-missing",
        "--same-name",
        "overwrite",
    ]));
    expect_code(&output, 0);
}

/// `--dry-run` of an `obs://` object runs the pre-flight and ends as the
/// real run would: the plan, then exit 2 for a resource the target lacks.
#[test]
fn a_dry_run_that_finds_missing_resources_ends_as_the_run_would() {
    let data = two_workspaces();
    let connections = data.path().join("connections.json");
    std::fs::write(
        &connections,
        r#"{"B": [{"name": "dws_b", "type": "DWS_CONNECTION"}]}"#,
    )
    .expect("write");
    let emu = emu_with(&data, |c| c.connections = Some(connections));
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    emu.put_object(
        "exports",
        "jobs.zip",
        std::fs::read(sandbox.path("jobs.zip")).expect("read"),
    );
    let dry_run = [
        "import",
        "obs://exports/jobs.zip",
        "--workspace",
        "B",
        "--dry-run",
    ];
    let output = run(sandbox.cmd(&emu).args(dry_run));
    expect_code(&output, 2);
    let text = stderr(&output);
    assert!(
        text.contains("missing in the target: DWS_CONNECTION dws_link"),
        "{text}"
    );
    assert!(text.contains("/jobs/import"), "the plan first: {text}");
    assert!(
        text.contains("error: the target workspace lacks a resource the jobs reference: DWS_CONNECTION dws_link"),
        "{text}"
    );
    assert!(
        text.contains("hint: --map DWS_CONNECTION:dws_link=<replacement>"),
        "{text}"
    );
    let output = run(sandbox.cmd(&emu).args(dry_run).arg("--json"));
    expect_code(&output, 2);
    let json = import_json(&output);
    assert_eq!(json["dry_run"], true, "one object: the plan");
    assert_eq!(
        json["preflight"][0]["missing_resources"][0]["mapped"],
        false
    );
    // Mapped, or allowed: the dry run passes, as the run would.
    let output = run(sandbox
        .cmd(&emu)
        .args(dry_run)
        .args(["--map", "DWS_CONNECTION:dws_link=dws_b"]));
    expect_code(&output, 0);
    let output = run(sandbox.cmd(&emu).args(dry_run).arg("--allow-missing"));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("importing anyway"),
        "{}",
        stderr(&output)
    );
    assert!(emu.requests_to("/jobs/import").is_empty());
}

/// A `--job-param` for a job the archives do not hold is refused before
/// anything is sent (a local archive) or before any import (an object in
/// OBS, whose jobs check-file tells).
#[test]
fn a_job_param_for_a_job_not_imported_is_refused_before_anything_changes() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let before = emu.requests().len();
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--job-param",
        "job_batch:a=1",
        "--job-param",
        "job_btach:bizdate=1",
    ]));
    expect_code(&output, 2);
    let text = stderr(&output);
    assert!(
        text.contains("error: parameters are given for a job the import does not carry: job_btach (its jobs: job_batch, job_stream)"),
        "{text}"
    );
    assert!(
        text.contains("hint: did you mean --job-param job_batch:KEY=VALUE?"),
        "{text}"
    );
    assert_eq!(emu.requests().len(), before, "nothing sent");
    emu.put_object(
        "exports",
        "jobs.zip",
        std::fs::read(sandbox.path("jobs.zip")).expect("read"),
    );
    for dry_run in [false, true] {
        let mut command = sandbox.cmd(&emu);
        command.args([
            "import",
            "obs://exports/jobs.zip",
            "--workspace",
            "B",
            "--job-param",
            "job_btach:bizdate=1",
        ]);
        if dry_run {
            command.arg("--dry-run");
        }
        let output = run(&mut command);
        expect_code(&output, 2);
        assert!(
            stderr(&output)
                .contains("parameters are given for a job the import does not carry: job_btach"),
            "{}",
            stderr(&output)
        );
    }
    assert!(emu.requests_to("/jobs/import").is_empty());
}

/// A `--map` that matches no resource check-file reports (a typo, most
/// likely) is warned about and sent as given; a `--map` of a type the
/// import cannot replace is refused before any request.
#[test]
fn a_map_that_matches_nothing_is_warned_about_and_one_that_cannot_apply_is_refused() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let import = |map: &str| {
        run(sandbox.cmd(&emu).args([
            "import",
            "jobs.zip",
            "--obs-bucket",
            "staging",
            "--workspace",
            "B",
            "--map",
            map,
        ]))
    };
    let output = import("DWS_CONNECTION:dws_lnk=dws_b");
    expect_code(&output, 0);
    let text = stderr(&output);
    assert!(
        text.contains("warning: the mapping DWS_CONNECTION:dws_lnk=dws_b matches no resource the jobs reference (check-file reported DWS_CONNECTION dws_link); it is sent as given"),
        "{text}"
    );
    let imports = emu.requests_to("/jobs/import");
    assert_eq!(imports.len(), 1);
    assert!(
        imports[0]["body"].to_string().contains("dws_lnk"),
        "{}",
        imports[0]
    );
    // The right name draws no warning.
    let output = import("DWS_CONNECTION:dws_link=dws_b");
    expect_code(&output, 0);
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
    // A type the import cannot replace, or a lower-case one: refused at once.
    let before = emu.requests().len();
    for (map, hint) in [
        (
            "DLI_QUEUE:q=r",
            "hint: use one of the types above, or drop that --map: other resources the jobs reference must exist in the target",
        ),
        (
            "dws_connection:dws_link=dws_b",
            "hint: did you mean --map DWS_CONNECTION:OLD=NEW?",
        ),
    ] {
        let output = import(map);
        expect_code(&output, 2);
        let text = stderr(&output);
        assert!(
            text.contains("error: the import cannot replace a resource of type "),
            "{text}"
        );
        assert!(text.contains(hint), "{text}");
    }
    assert_eq!(emu.requests().len(), before, "nothing sent");
}

#[test]
fn a_hostile_archive_is_refused_before_any_request() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let hostile = zips::build(&[("jobs/a/a.job", b"{}"), ("jobs/a/../../../etc/x", b"x")]);
    std::fs::write(sandbox.path("evil.zip"), hostile).expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .args(["import", "evil.zip", "--obs-bucket", "staging"]));
    expect_code(&output, 6);
    assert!(emu.requests().is_empty(), "{:?}", emu.requests());
    let outside = zips::build(&[("jobs/a/a.job", b"{}"), (".github/workflows/x.yml", b"x")]);
    std::fs::write(sandbox.path("outside.zip"), outside).expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .args(["import", "outside.zip", "--obs-bucket", "staging"]));
    expect_code(&output, 6);
    assert!(
        stderr(&output).contains("outside the jobs/, scripts/ and resources/ folders"),
        "{}",
        stderr(&output)
    );
    assert!(emu.requests().is_empty());
    let git = zips::build(&[
        ("jobs/a/a.job", b"{}"),
        ("jobs/a/.GIT/hooks/post-checkout", b"x"),
    ]);
    std::fs::write(sandbox.path("git.zip"), git).expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .args(["import", "git.zip", "--obs-bucket", "staging"]));
    expect_code(&output, 6);
    assert!(
        stderr(&output).contains("`.git` path component"),
        "{}",
        stderr(&output)
    );
    assert!(emu.requests().is_empty());
}

#[test]
fn usage_errors_come_before_any_request() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("jobs.zip"),
        zips::build(&[("jobs/a/a.job", b"{}")]),
    )
    .expect("write");
    let output = run(sandbox.cmd(&emu).args(["import", "jobs.zip"]));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("--obs-bucket"),
        "{}",
        stderr(&output)
    );
    let output = run(sandbox
        .cmd(&emu)
        .args(["import", "jobs.zip", "--obs-bucket", "Bad_Bucket"]));
    expect_code(&output, 2);
    let output = run(sandbox
        .cmd(&emu)
        .args(["import", "missing.zip", "--obs-bucket", "staging"]));
    expect_code(&output, 2);
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["import", "obs://staging", "--obs-bucket", "staging"]));
    expect_code(&output, 2);
    // An IAM token cannot sign OBS: only obs:// sources.
    let output = run(sandbox
        .bare()
        .env("DATAARTS_AUTH_TOKEN", "IAM-TOKEN-must-never-be-printed")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
        .env("DATAARTS_ENDPOINT", &emu.endpoint)
        .env("DATAARTS_OBS_ENDPOINT", &emu.obs_endpoint)
        .args(["import", "jobs.zip", "--obs-bucket", "staging"]));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("OBS accepts only AK/SK"),
        "{}",
        stderr(&output)
    );
    assert!(emu.requests().is_empty());
}

#[test]
fn a_wrong_key_is_refused_by_obs_with_exit_3() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("jobs.zip"),
        zips::build(&[("jobs/a/a.job", b"{}")]),
    )
    .expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .env("HUAWEICLOUD_SDK_SK", "a-wrong-secret-key")
        .args(["import", "jobs.zip", "--obs-bucket", "staging"]));
    expect_code(&output, 3);
    let text = stderr(&output);
    assert!(text.contains("SignatureDoesNotMatch"), "{text}");
    assert!(text.contains("request id"), "{text}");
    assert!(!text.contains("a-wrong-secret-key"), "{text}");
    assert!(emu.objects().is_empty());
    assert!(emu.requests_to("/jobs/import").is_empty());
}

#[test]
fn bad_digest_from_obs_is_an_api_refusal_before_any_import() {
    let emu = Emu::start();
    let obs = RawServer::start(4, |_| Reply::obs_error(400, "BadDigest"));
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("jobs.zip"),
        zips::build(&[("jobs/a/a.job", b"{}")]),
    )
    .expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .env("DATAARTS_OBS_ENDPOINT", &obs.endpoint)
        .args(["import", "jobs.zip", "--obs-bucket", "staging", "--json"]));
    expect_code(&output, 4);
    let json = import_json(&output);
    assert_eq!(json["error"]["error_code"], "BadDigest");
    assert!(
        stderr(&output).contains("BadDigest: refused by the raw server"),
        "{}",
        stderr(&output)
    );
    assert_eq!(obs.count(), 1, "a refusal is not retried");
    assert!(emu.requests().is_empty(), "no DLF request");
    let line = obs.requests.lock().expect("lock")[0].clone();
    assert!(
        line.starts_with("PUT /staging/dataarts-jobs/"),
        "path style for an IP endpoint: {line}"
    );
}

/// OBS stored the object but its ETag is not the MD5 sent: the object is
/// in the bucket all the same, so clean-up deletes it.
#[test]
fn an_object_stored_with_the_wrong_etag_is_deleted() {
    let emu = Emu::start();
    let obs = RawServer::start(4, |line| {
        if line.starts_with("DELETE ") {
            Reply {
                status: 204,
                content_type: "application/xml",
                body: Vec::new(),
                hang: false,
            }
        } else {
            Reply {
                status: 200,
                content_type: "application/xml\r\nETag: \"0123456789abcdef0123456789abcdef\"",
                body: Vec::new(),
                hang: false,
            }
        }
    });
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("jobs.zip"),
        zips::build(&[("jobs/a/a.job", b"{}")]),
    )
    .expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .env("DATAARTS_OBS_ENDPOINT", &obs.endpoint)
        .args(["import", "jobs.zip", "--obs-bucket", "staging"]));
    expect_code(&output, 5);
    let text = stderr(&output);
    assert!(text.contains("OBS stored the object with ETag"), "{text}");
    let requests = obs.requests.lock().expect("lock").clone();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let put = requests[0].strip_prefix("PUT ").expect("a PUT first");
    let key = put.split_whitespace().next().expect("path");
    assert!(
        requests[1].starts_with(&format!("DELETE {key} ")),
        "the object stored is deleted: {requests:?}"
    );
    assert!(emu.requests().is_empty(), "no DLF request");
}

#[test]
fn throttled_polls_are_honoured() {
    let polls = AtomicUsize::new(0);
    let lists = AtomicUsize::new(0);
    let server = RawServer::start(20, move |line| {
        if line.contains("/jobs/check-file") {
            Reply::json(
                200,
                r#"{"jobs":[{"name":"a"}],"scripts":[],"resources":[]}"#,
            )
        } else if line.contains("/jobs/import") {
            Reply::json(200, r#"{"taskId":"t0000000000000001"}"#)
        } else if line.contains("/system-tasks/") {
            match polls.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Reply::throttled(),
                _ => Reply::json(
                    200,
                    r#"{"id":"t0000000000000001","status":"SUCCESSFUL","subtasks":[]}"#,
                ),
            }
        } else if line.contains("jobType=BATCH") {
            // The second round of listings (the read-back) finds the job.
            if lists.fetch_add(1, Ordering::SeqCst) == 0 {
                Reply::json(200, r#"{"total":0,"jobs":[]}"#)
            } else {
                Reply::json(
                    200,
                    r#"{"total":1,"jobs":[{"name":"a","lastUpdateTime":5}]}"#,
                )
            }
        } else {
            Reply::json(200, r#"{"total":0,"jobs":[]}"#)
        }
    });
    let sandbox = Sandbox::new();
    let output =
        run(sandbox
            .cmd_at(&server.endpoint)
            .args(["import", "obs://staging/k.zip", "--json"]));
    expect_code(&output, 0);
    let text = stderr(&output);
    assert_eq!(
        text.matches("throttled (HTTP 429), polling again in")
            .count(),
        2,
        "{text}"
    );
    assert_eq!(outcomes(&import_json(&output)), pairs(&[("a", "imported")]));
    let requests = server.requests.lock().expect("lock").clone();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.contains("/jobs/import"))
            .count(),
        1
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.contains("/system-tasks/"))
            .count(),
        3
    );
}

#[test]
fn an_import_post_that_may_have_arrived_is_not_repeated() {
    let server = RawServer::start(20, |line| {
        if line.contains("/jobs/check-file") {
            Reply::json(200, r#"{"jobs":[{"name":"a"}],"resources":[]}"#)
        } else if line.contains("/jobs/import") {
            Reply::json(
                503,
                r#"{"error_code":"APIGW.0202","error_msg":"backend unavailable"}"#,
            )
        } else {
            Reply::json(200, r#"{"total":0,"jobs":[]}"#)
        }
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(["import", "obs://staging/k.zip"]));
    expect_code(&output, 5);
    let requests = server.requests.lock().expect("lock").clone();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.contains("/jobs/import"))
            .count(),
        1,
        "{requests:?}"
    );
    let text = stderr(&output);
    assert!(
        text.contains("error: the import request for obs://staging/k.zip failed without telling whether it started an import: the import may have started; obs://staging/k.zip stays in OBS"),
        "{text}"
    );
    assert!(text.contains("(HTTP 503 Service Unavailable"), "{text}");
    assert!(
        !text.contains("was refused"),
        "a 503 refuses nothing: {text}"
    );
    assert!(
        text.contains(
            "hint: look in the target workspace before importing again: `dataarts-jobs list`"
        ),
        "{text}"
    );
    assert!(
        text.contains("not verified a: the import request failed, and the import may have started"),
        "the summary comes first: {text}"
    );
}

/// The import POST of a staged archive gets a 502 (or no answer): a task
/// may have started, so the staged object is kept and named, with how to
/// look; the summary (`--json` too) says so before the error.
#[test]
fn an_import_of_unknown_fate_keeps_and_names_the_staged_archive() {
    let emu = Emu::start();
    let server = RawServer::start(20, |line| {
        if line.contains("/jobs/check-file") {
            Reply::json(200, r#"{"jobs":[{"name":"a"}],"resources":[]}"#)
        } else if line.contains("/jobs/import") {
            Reply::json(
                502,
                r#"{"error_code":"APIGW.0203","error_msg":"bad gateway"}"#,
            )
        } else {
            Reply::json(200, r#"{"total":0,"jobs":[]}"#)
        }
    });
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("jobs.zip"),
        zips::build(&[("jobs/a/a.job", b"{}")]),
    )
    .expect("write");
    let import = || {
        let mut command = sandbox.cmd_at(&server.endpoint);
        command
            .env("DATAARTS_OBS_ENDPOINT", &emu.obs_endpoint)
            .args([
                "import",
                "jobs.zip",
                "--obs-bucket",
                "staging",
                "--workspace",
                "B",
            ]);
        command
    };
    let output = run(&mut import());
    expect_code(&output, 5);
    let objects = emu.objects();
    assert_eq!(objects.len(), 1, "staging kept: {objects:?}");
    let key = &objects[0];
    let text = stderr(&output);
    assert!(text.contains(&format!("staging kept: {key}")), "{text}");
    assert!(
        text.contains(&format!("the import may have started; the staged archive {key} is kept (a task may be reading it)")),
        "{text}"
    );
    assert!(
        text.contains("`dataarts-jobs list --workspace B` shows whether the jobs arrived"),
        "{text}"
    );
    assert!(text.contains("re-running the import is safe"), "{text}");
    let output = run(import().arg("--json"));
    expect_code(&output, 5);
    let json = import_json(&output);
    assert_eq!(json["jobs"][0]["name"], "a");
    assert_eq!(json["jobs"][0]["outcome"], Value::Null);
    assert!(
        json["jobs"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("may have started")),
        "{json}"
    );
    assert_eq!(json["tasks"], serde_json::json!([]));
    // One object: the summary, with the run's error added.
    assert_eq!(json["error"]["exit_code"], 5, "{json}");
    assert_eq!(emu.objects().len(), 2, "both runs keep theirs");
}

/// The task started, then polling it was refused: its end is unknown, so
/// the staged object is kept and named, with how to follow the task.
#[test]
fn a_refused_poll_keeps_the_staged_archive_and_says_how_to_follow_the_task() {
    let emu = Emu::start();
    let server = RawServer::start(20, |line| {
        if line.contains("/jobs/check-file") {
            Reply::json(200, r#"{"jobs":[{"name":"a"}],"resources":[]}"#)
        } else if line.contains("/jobs/import") {
            Reply::json(200, r#"{"taskId":"t0000000000000002"}"#)
        } else if line.contains("/system-tasks/") {
            Reply::json(
                400,
                r#"{"error_code":"DLF.0810","error_msg":"The queried task does not exist."}"#,
            )
        } else {
            Reply::json(200, r#"{"total":0,"jobs":[]}"#)
        }
    });
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("jobs.zip"),
        zips::build(&[("jobs/a/a.job", b"{}")]),
    )
    .expect("write");
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .env("DATAARTS_OBS_ENDPOINT", &emu.obs_endpoint)
        .args([
            "import",
            "jobs.zip",
            "--obs-bucket",
            "staging",
            "--workspace",
            "B",
        ]));
    expect_code(&output, 4);
    let objects = emu.objects();
    assert_eq!(objects.len(), 1, "staging kept: {objects:?}");
    let key = &objects[0];
    let text = stderr(&output);
    assert!(text.contains("task t0000000000000002 RUNNING"), "{text}");
    assert!(text.contains(&format!("staging kept: {key}")), "{text}");
    assert!(
        text.contains(&format!("error: import task t0000000000000002 started, but polling it failed, so it may still be running; the staged archive {key} is kept")),
        "{text}"
    );
    assert!(text.contains("DLF.0810"), "{text}");
    assert!(
        text.contains(
            "hint: `dataarts-jobs task t0000000000000002 --wait --workspace B` follows the task on"
        ),
        "{text}"
    );
}

#[test]
fn ctrl_c_while_waiting_prints_the_task_and_keeps_staging() {
    for signal in ["-INT", "-TERM"] {
        let data = two_workspaces();
        let emu = emu_with(&data, |c| c.task_polls = 1_000_000);
        let sandbox = Sandbox::new();
        export_default(&sandbox, &emu);
        // With --json (the second round), the error's message names them too.
        let json = signal == "-TERM";
        let mut command = sandbox.std_cmd(&emu);
        command
            .env("DATAARTS_TEST_RETRY_DELAY_SCALE", "0.05")
            .args([
                "import",
                "jobs.zip",
                "--obs-bucket",
                "staging",
                "--workspace",
                "B",
            ]);
        if json {
            command.arg("--json");
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
        let mut seen = String::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !seen.contains("import task ") && Instant::now() < deadline {
            let mut line = String::new();
            if reader.read_line(&mut line).expect("read") == 0 {
                break;
            }
            seen.push_str(&line);
        }
        let task_id = seen
            .lines()
            .find_map(|line| line.strip_prefix("import task ")?.split_whitespace().next())
            .expect("task id printed at once")
            .to_string();
        // Bounded: the task is being polled.
        while emu
            .requests_to(&format!("/system-tasks/{task_id}"))
            .is_empty()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).expect("read");
        let code = child.wait().expect("wait").code();
        seen.push_str(&rest);
        assert_eq!(code, Some(130), "{seen}");
        assert_eq!(emu.objects().len(), 1, "staging kept");
        let key = &emu.objects()[0];
        assert!(seen.contains(key), "{seen}");
        assert!(
            seen.contains(&format!("stopped while import task {task_id} runs")),
            "{seen}"
        );
        assert!(
            seen.contains(&format!(
                "`dataarts-jobs task {task_id} --wait --workspace B` follows the task"
            )),
            "{seen}"
        );
        assert!(seen.contains("interrupted"), "{seen}");
        assert!(!seen.contains(SK));
        let mut stdout = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut stdout)
            .expect("read");
        if json {
            let object: Value = serde_json::from_str(&stdout).expect("one JSON object");
            assert_eq!(object["error"]["exit_code"], 130);
            let message = object["error"]["message"].as_str().expect("message");
            assert!(
                message.starts_with("interrupted; stopped while import task"),
                "{message}"
            );
            assert!(
                message.contains(&task_id) && message.contains(key),
                "{message}"
            );
        }
    }
}

#[test]
fn ctrl_c_while_the_import_request_is_in_flight_says_it_may_have_started() {
    // OBS is the emulator's; DLF a raw server that never answers the import.
    let emu = Emu::start();
    let server = RawServer::start(20, |line| {
        if line.contains("/jobs/check-file") {
            Reply::json(200, r#"{"jobs":[{"name":"a"}],"resources":[]}"#)
        } else if line.contains("/jobs/import") {
            Reply::hang()
        } else {
            Reply::json(200, r#"{"total":0,"jobs":[]}"#)
        }
    });
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("jobs.zip"),
        zips::build(&[("jobs/a/a.job", b"{}")]),
    )
    .expect("write");
    let mut child = sandbox
        .std_cmd_at(&server.endpoint)
        .env("DATAARTS_OBS_ENDPOINT", &emu.obs_endpoint)
        .args(["import", "jobs.zip", "--obs-bucket", "staging"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let import_sent = || {
        server
            .requests
            .lock()
            .expect("lock")
            .iter()
            .any(|line| line.contains("/jobs/import"))
    };
    // Bounded: the import request arrives after the upload and pre-flight.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !import_sent() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(import_sent(), "the import request never arrived");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut seen = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut seen)
        .expect("read");
    let code = child.wait().expect("wait").code();
    assert_eq!(code, Some(130), "{seen}");
    let objects = emu.objects();
    assert_eq!(objects.len(), 1, "staging kept: {objects:?}");
    let key = &objects[0];
    assert!(
        seen.contains(&format!(
            "stopped while requesting the import of {key}: the import may have started"
        )),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("the staged archive {key} is kept")),
        "{seen}"
    );
    assert!(seen.contains("interrupted"), "{seen}");
    assert!(!seen.contains(SK));
}

/// Ctrl-C after the task ended, while the target is read back: nothing is
/// deleted then, so the notice names the staged object.
#[test]
fn ctrl_c_while_reading_back_names_the_staged_archive() {
    let emu = Emu::start();
    let lists = AtomicUsize::new(0);
    let server = RawServer::start(20, move |line| {
        if line.contains("/jobs/check-file") {
            Reply::json(200, r#"{"jobs":[{"name":"a"}],"resources":[]}"#)
        } else if line.contains("/jobs/import") {
            Reply::json(200, r#"{"taskId":"t0000000000000003"}"#)
        } else if line.contains("/system-tasks/") {
            Reply::json(
                200,
                r#"{"id":"t0000000000000003","status":"SUCCESSFUL","subtasks":[]}"#,
            )
        } else if lists.fetch_add(1, Ordering::SeqCst) < 2 {
            // The listing before the import (both job types) answers.
            Reply::json(200, r#"{"total":0,"jobs":[]}"#)
        } else {
            Reply::hang()
        }
    });
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("jobs.zip"),
        zips::build(&[("jobs/a/a.job", b"{}")]),
    )
    .expect("write");
    let mut child = sandbox
        .std_cmd_at(&server.endpoint)
        .env("DATAARTS_OBS_ENDPOINT", &emu.obs_endpoint)
        .args([
            "import",
            "jobs.zip",
            "--obs-bucket",
            "staging",
            "--workspace",
            "B",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let listings = || {
        server
            .requests
            .lock()
            .expect("lock")
            .iter()
            .filter(|line| line.contains("/jobs?"))
            .count()
    };
    // Bounded: the read-back comes after the upload, the import and its task.
    let deadline = Instant::now() + Duration::from_secs(30);
    while listings() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(listings() >= 3, "the read-back never started");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut seen = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut seen)
        .expect("read");
    let code = child.wait().expect("wait").code();
    assert_eq!(code, Some(130), "{seen}");
    let objects = emu.objects();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert!(
        seen.contains(&format!(
            "stopped while reading the target back; staged and not deleted: {}",
            objects[0]
        )),
        "{seen}"
    );
}

#[test]
fn temporary_keys_sign_dlf_and_obs() {
    let data = two_workspaces();
    let emu = emu_with(&data, |c| {
        c.security_token = Some(dataarts_jobs::auth::Secret::new(TOKEN));
    });
    let sandbox = Sandbox::new();
    let with_token = |command: &mut assert_cmd::Command| {
        command.env("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN);
    };
    let mut export = sandbox.cmd(&emu);
    with_token(&mut export);
    expect_code(
        &run(export.args(["export", "job_batch", "job_stream", "-o", "jobs.zip"])),
        0,
    );
    let mut import = sandbox.cmd(&emu);
    with_token(&mut import);
    let output = run(import.args([
        "-vv",
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
    ]));
    expect_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("x-obs-security-token: (redacted)"), "{text}");
    assert!(
        text.contains("OBS EMULATOR0AK000000000:(redacted)"),
        "{text}"
    );
    let put = &emu.obs_requests()[0];
    assert_eq!(put["status"], 200);
    // Without the token, OBS refuses the keys (exit 3).
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
    ]));
    expect_code(&output, 3);
    assert!(
        stderr(&output).contains("InvalidSecurityToken"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn dry_run_uploads_and_imports_nothing() {
    let data = two_workspaces();
    let emu = emu_with(&data, |_| {});
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let before = emu.requests().len();
    let output = run(sandbox.cmd(&emu).args([
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--workspace",
        "B",
        "--dry-run",
        "--execute-user",
        "etl",
        "--target-status",
        "submitted",
        "--approver",
        "boss",
        "--job-param",
        "job_batch:bizdate=1",
    ]));
    expect_code(&output, 0);
    assert!(stdout(&output).is_empty(), "the plan is for people: stderr");
    let text = stderr(&output);
    assert!(text.contains("PUT http://"), "{text}");
    assert!(text.contains("Content-MD5: "), "{text}");
    assert!(text.contains("/jobs/import"), "{text}");
    assert!(text.contains(r#""executeUser":"etl""#), "{text}");
    assert!(text.contains(r#""targetStatus":"SUBMITTED""#), "{text}");
    assert!(
        text.contains(r#""approvers":[{"approverName":"boss"}]"#),
        "{text}"
    );
    assert!(
        text.contains(r#""jobsParam":[{"name":"job_batch","params":{"bizdate":"1"}}]"#),
        "{text}"
    );
    assert!(text.contains("(redacted)"), "{text}");
    assert_eq!(emu.requests().len(), before, "nothing sent");
    // obs:// runs the pre-flight (read-only).
    emu.put_object(
        "staging",
        "k.zip",
        std::fs::read(sandbox.path("jobs.zip")).expect("read"),
    );
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["import", "obs://staging/k.zip", "--dry-run", "--json"]));
    expect_code(&output, 0);
    let json = import_json(&output);
    assert_eq!(json["dry_run"], true);
    assert_eq!(
        json["archives"][0]["jobs"],
        serde_json::json!(["job_batch", "job_stream"])
    );
    assert!(emu.requests_to("/jobs/check-file").len() == 1);
    assert!(emu.requests_to("/jobs/import").is_empty());
}

/// A dotted bucket name, addressed virtual-hosted over HTTPS, is warned
/// about (the endpoint's wildcard certificate does not cover it); the
/// emulator's path-style OBS draws no warning.
#[test]
fn a_dotted_bucket_over_virtual_hosted_https_is_warned_about() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let dry_run = |endpoint: Option<&str>| {
        let mut command = sandbox.cmd(&emu);
        command.args([
            "import",
            "jobs.zip",
            "--obs-bucket",
            "my.staging",
            "--dry-run",
        ]);
        if let Some(endpoint) = endpoint {
            command.args(["--obs-endpoint", endpoint]);
        }
        run(&mut command)
    };
    let output = dry_run(Some("https://obs.example.invalid"));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains(
            "warning: the bucket name my.staging has dots: addressed as my.staging.obs.example.invalid over HTTPS, it may not match the endpoint's certificate (a TLS error); a bucket without dots avoids it"
        ),
        "{}",
        stderr(&output)
    );
    let output = dry_run(None);
    expect_code(&output, 0);
    assert!(!stderr(&output).contains("has dots"), "{}", stderr(&output));
}

/// A backup of every workspace is restored one workspace at a time: its
/// `workspaces/` folder is said not to be imported, and a folder with
/// only `workspaces/` is pointed at them. A job folder without its
/// `<job>.job` is refused before anything is uploaded.
#[test]
fn a_tree_import_says_what_it_does_not_import_and_refuses_a_folder_without_its_job() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "-C", "tree", "--no-archive"]));
    expect_code(&output, 0);
    std::fs::create_dir_all(sandbox.path("tree/workspaces/w2/jobs")).expect("mkdir");
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["import", "tree", "--obs-bucket", "staging", "--dry-run"]));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("tree/workspaces/ is not imported: only tree/jobs/ is"),
        "{}",
        stderr(&output)
    );
    std::fs::create_dir_all(sandbox.path("only/workspaces/w2/jobs")).expect("mkdir");
    let output = run(sandbox
        .cmd(&emu)
        .args(["import", "only", "--obs-bucket", "staging"]));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("DIR/workspaces/<id>/"),
        "{}",
        stderr(&output)
    );
    std::fs::create_dir_all(sandbox.path("tree/jobs/folder_x")).expect("mkdir");
    std::fs::write(sandbox.path("tree/jobs/folder_x/etl_a.job"), "{}").expect("write");
    let before = emu.requests().len();
    let output = run(sandbox
        .cmd(&emu)
        .args(["import", "tree", "--obs-bucket", "staging"]));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("folder_x/ holds no folder_x.job"),
        "{}",
        stderr(&output)
    );
    assert_eq!(emu.requests().len(), before, "nothing sent");
}

/// An OBS endpoint with a path is refused before any request (it would be
/// signed as part of every key); an unreachable OBS endpoint's hint names
/// the OBS setting, not DataArts'.
#[test]
fn obs_endpoint_mistakes_name_the_obs_setting() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let before = emu.requests().len();
    let import = |endpoint: &str| {
        run(sandbox.cmd(&emu).args([
            "import",
            "jobs.zip",
            "--obs-bucket",
            "staging",
            "--workspace",
            "B",
            "--retries",
            "0",
            "--obs-endpoint",
            endpoint,
        ]))
    };
    let output = import(&format!("{}/base", emu.obs_endpoint));
    expect_code(&output, 2);
    assert!(
        stderr(&output)
            .contains("has a path or query; an OBS endpoint is scheme://host[:port] only"),
        "{}",
        stderr(&output)
    );
    assert_eq!(emu.requests().len(), before, "nothing sent");
    let output = import("http://127.0.0.1:1");
    expect_code(&output, 5);
    assert!(
        stderr(&output).contains("hint: check the OBS endpoint (--obs-endpoint, or --region)"),
        "{}",
        stderr(&output)
    );
}

/// `--keep-staging` keeps what the run staged, and names it: in the summary
/// of a run that ends, and in the summary (with the error) of one the
/// pre-flight stops.
#[test]
fn keep_staging_keeps_and_names_what_was_staged() {
    let data = two_workspaces();
    let connections = data.path().join("connections.json");
    std::fs::write(
        &connections,
        r#"{"default": [{"name": "dws_link", "type": "DWS_CONNECTION"}], "B": []}"#,
    )
    .expect("write");
    let emu = emu_with(&data, |c| c.connections = Some(connections));
    let sandbox = Sandbox::new();
    export_default(&sandbox, &emu);
    let import = |extra: &[&str]| {
        run(sandbox
            .cmd(&emu)
            .args([
                "import",
                "jobs.zip",
                "--obs-bucket",
                "staging",
                "--workspace",
                "B",
                "--keep-staging",
                "--json",
            ])
            .args(extra))
    };
    // The pre-flight stops the run: the staged archive is kept and named.
    let output = import(&[]);
    expect_code(&output, 2);
    let json = import_json(&output);
    assert_eq!(json["error"]["exit_code"], 2, "{json}");
    let kept = json["staging_kept"]
        .as_array()
        .expect("staging_kept")
        .clone();
    assert_eq!(kept.len(), 1, "{json}");
    assert_eq!(emu.objects().len(), 1);
    assert!(kept[0]
        .as_str()
        .is_some_and(|key| key.ends_with(&emu.objects()[0])));
    assert!(emu.requests_to("/jobs/import").is_empty());
    // A run that imports keeps its archive too, and says so.
    let output = import(&["--allow-missing"]);
    expect_code(&output, 0);
    let json = import_json(&output);
    assert_eq!(
        json["staging_kept"].as_array().map(Vec::len),
        Some(1),
        "{json}"
    );
    assert_eq!(json["staging_deleted"], serde_json::json!([]), "{json}");
    assert_eq!(emu.objects().len(), 2, "both runs' archives kept");
}
