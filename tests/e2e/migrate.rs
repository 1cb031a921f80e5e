//! `migrate` between two workspaces of the emulator.

use serde_json::Value;

use crate::common::*;

/// Workspaces `A` (with `n` generated jobs plus a job with a script) and an
/// empty `B`.
fn workspaces(n: usize) -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("tempdir");
    let names = generated_names(n);
    let mut specs: Vec<JobSpec<'_>> = names
        .iter()
        .map(|n| (n.as_str(), "BATCH", &[][..]))
        .collect();
    let script: &[(&str, &str)] = &[(
        "etl.script",
        r#"{"name":"etl","type":"DWSSQL","connectionName":"dws_link"}"#,
    )];
    specs.push(("stream_job", "REAL_TIME", script));
    write_workspace(&data.path().join("workspaces/A"), &specs);
    std::fs::create_dir_all(data.path().join("workspaces/B")).expect("mkdir");
    data
}

fn emu_for(data: &tempfile::TempDir) -> Emu {
    let path = data.path().to_path_buf();
    Emu::with(move |c| c.data = Some(path))
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

/// Pseudo-random, incompressible bytes.
fn noise(len: usize, seed: u64) -> String {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'!' + (state % 90) as u8)
        })
        .collect()
}

#[test]
fn migrate_moves_every_job_byte_for_byte_and_a_rerun_skips_them() {
    let data = workspaces(5);
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--batch-size",
        "2",
        "--json",
    ]));
    expect_code(&output, 0);
    let json = json_of(&output);
    assert_eq!(json["format"], 1);
    let jobs = json["jobs"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 6);
    assert!(
        jobs.iter().all(|job| job["outcome"] == "imported"),
        "{jobs:?}"
    );
    let batches = json["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 3);
    assert_eq!(
        batches[0]["jobs"],
        serde_json::json!(["job_0000", "job_0001"])
    );
    assert!(batches.iter().all(|b| b["task_id"].is_string()));
    assert_eq!(json["tasks"].as_array().map(Vec::len), Some(3));
    assert!(
        emu.objects().is_empty(),
        "nothing left in the staging bucket: {:?}",
        emu.objects()
    );
    assert_eq!(emu.exports().len(), 3);

    for workspace in ["A", "B"] {
        let output = run(sandbox.cmd(&emu).args([
            "export",
            "--all",
            "--workspace",
            workspace,
            "-o",
            &format!("{workspace}.zip"),
        ]));
        expect_code(&output, 0);
    }
    assert_eq!(
        zip_entries(&sandbox.path("A.zip")),
        zip_entries(&sandbox.path("B.zip"))
    );

    // Safe to re-run: every job exists, SKIP leaves it.
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
    ]));
    expect_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("6 jobs: 6 skipped"), "{text}");
    assert!(emu.objects().is_empty());
}

/// `--keep-going`: a job the source refuses is in `failed` (and listed
/// with `-q`), the rest is migrated, and the run exits 4.
#[test]
fn keep_going_reports_the_jobs_the_source_could_not_export() {
    let data = workspaces(1);
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let migrate = [
        "migrate",
        "job_0000",
        "gone_job",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--keep-going",
    ];
    let output = run(sandbox.cmd(&emu).args(migrate).arg("--json"));
    expect_code(&output, 4);
    let json = json_of(&output);
    assert_eq!(json["jobs"][0]["name"], "job_0000");
    assert_eq!(json["jobs"][0]["outcome"], "imported");
    assert_eq!(json["failed"][0]["name"], "gone_job");
    assert!(json["failed"][0]["error_code"].is_string(), "{json}");
    // One object: the summary, with the run's error added.
    assert_eq!(json["error"]["exit_code"], 4, "{json}");

    let output = run(sandbox.cmd(&emu).args(migrate).arg("-q"));
    expect_code(&output, 4);
    let text = stderr(&output);
    assert!(text.contains("failed: gone_job: "), "{text}");
    assert!(
        text.contains("1 of 2 jobs could not be exported from the source (each listed with its error); the others were migrated"),
        "{text}"
    );
}

#[test]
fn dry_run_lists_batches_and_same_name_jobs_sending_no_write() {
    let data = workspaces(3);
    write_workspace(
        &data.path().join("workspaces/B"),
        &[("job_0001", "BATCH", &[])],
    );
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--batch-size",
        "3",
        "--same-name",
        "overwrite",
        "--dry-run",
    ]));
    expect_code(&output, 0);
    assert!(stdout(&output).is_empty(), "the plan is for people: stderr");
    let text = stderr(&output);
    assert!(
        text.contains("batch 1 (3 jobs): job_0000, job_0001, job_0002"),
        "{text}"
    );
    assert!(text.contains("batch 2 (1 job): stream_job"), "{text}");
    assert!(
        text.contains("exists in the target: job_0001 (would overwrite)"),
        "{text}"
    );
    let requests = emu.requests();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r["method"] == "GET"),
        "only reads: {:?}",
        requests
            .iter()
            .map(|r| format!("{} {}", r["method"], r["path"]))
            .collect::<Vec<_>>()
    );
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "job_0000",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--dry-run",
        "--json",
    ]));
    expect_code(&output, 0);
    let json = json_of(&output);
    assert_eq!(json["jobs"], serde_json::json!([{"name": "job_0000"}]));
    assert_eq!(json["same_name"], serde_json::json!([]));
    // `--match` alone selects every matching job.
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--match",
        "job_000[12]",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--dry-run",
        "--json",
    ]));
    expect_code(&output, 0);
    assert_eq!(
        json_of(&output)["jobs"],
        serde_json::json!([{"name": "job_0001"}, {"name": "job_0002"}])
    );
}

#[test]
fn the_same_workspace_is_refused() {
    let data = workspaces(1);
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    for args in [
        vec![
            "migrate",
            "--all",
            "--from-workspace",
            "A",
            "--to-workspace",
            "A",
            "--obs-bucket",
            "staging",
        ],
        vec!["migrate", "--all", "--obs-bucket", "staging"],
        // The default workspace by its id, or by its name, while the source
        // is the default workspace (no id): the Management Center tells.
        vec![
            "migrate",
            "--all",
            "--to-workspace",
            "default",
            "--obs-bucket",
            "staging",
        ],
        vec![
            "migrate",
            "--all",
            "--to-workspace-name",
            "default",
            "--obs-bucket",
            "staging",
        ],
    ] {
        let output = run(sandbox
            .cmd(&emu)
            .env("DATAARTS_STUDIO_ENDPOINT", &emu.endpoint)
            .args(&args));
        expect_code(&output, 2);
        assert!(
            stderr(&output).contains("source and target are the same workspace"),
            "{}",
            stderr(&output)
        );
    }
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
    ]));
    expect_code(&output, 2);
    assert!(emu.requests().iter().all(|r| r["method"] == "GET"));
}

#[test]
fn an_archive_over_10_mib_is_split_and_a_job_over_it_fails_alone() {
    let data = tempfile::tempdir().expect("tempdir");
    let big: Vec<String> = (0..3).map(|i| noise(4 * 1024 * 1024, i + 1)).collect();
    let huge = noise(11 * 1024 * 1024, 99);
    let files: Vec<[(&str, &str); 1]> = big
        .iter()
        .map(|text| [("data.script", text.as_str())])
        .collect();
    let huge_files = [("data.script", huge.as_str())];
    write_workspace(
        &data.path().join("workspaces/A"),
        &[
            ("big_a", "BATCH", &files[0][..]),
            ("big_b", "BATCH", &files[1][..]),
            ("big_c", "BATCH", &files[2][..]),
        ],
    );
    std::fs::create_dir_all(data.path().join("workspaces/B")).expect("mkdir");
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--json",
    ]));
    expect_code(&output, 0);
    let json = json_of(&output);
    let batches = json["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 2, "{batches:?}");
    assert_eq!(batches[0]["jobs"], serde_json::json!(["big_a"]));
    assert_eq!(batches[1]["jobs"], serde_json::json!(["big_b", "big_c"]));
    assert_eq!(emu.exports().len(), 3, "one export, then its two halves");
    assert!(emu.objects().is_empty());

    write_workspace(
        &data.path().join("workspaces/A"),
        &[("huge", "BATCH", &huge_files[..])],
    );
    let emu = emu_for(&data);
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "huge",
        "big_a",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
    ]));
    expect_code(&output, 8);
    let text = stderr(&output);
    assert!(text.contains("failed       huge: its export is"), "{text}");
    assert!(text.contains("imported     big_a"), "{text}");
}

/// The `migrate` arguments from workspace A to B through bucket `staging`,
/// one job per batch.
fn migrate_args<'a>(jobs: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["migrate"];
    args.extend_from_slice(jobs);
    args.extend([
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--batch-size",
        "1",
    ]);
    args
}

/// A resource the target lacks in the second batch stops the migration
/// before the first batch is imported: every batch is pre-flighted first.
#[test]
fn a_missing_resource_in_a_later_batch_stops_before_any_import() {
    let data = workspaces(1);
    let connections = data.path().join("connections.json");
    std::fs::write(
        &connections,
        r#"{"B": [{"name": "dws_other", "type": "DWS_CONNECTION"}]}"#,
    )
    .expect("write");
    let path = data.path().to_path_buf();
    let emu = Emu::with(move |c| {
        c.data = Some(path);
        c.connections = Some(connections);
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(migrate_args(&["job_0000", "stream_job"])));
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
    assert!(text.contains("nothing was imported"), "{text}");
    assert_eq!(emu.exports().len(), 2, "both batches exported");
    assert_eq!(emu.requests_to("/jobs/check-file").len(), 2);
    assert!(
        emu.requests_to("/jobs/import").is_empty(),
        "no batch imported"
    );
    assert!(
        emu.objects().is_empty(),
        "staging deleted: {:?}",
        emu.objects()
    );
    let output = run(sandbox
        .cmd(&emu)
        .args(migrate_args(&["job_0000", "stream_job"]))
        .arg("--json"));
    expect_code(&output, 2);
    let json = json_of(&output);
    assert_eq!(json["error"]["exit_code"], 2, "{json}");
    assert!(emu.requests_to("/jobs/import").is_empty());
}

/// A wait that times out on batch 1 of 2: the summary (text and JSON) says
/// what was done and which jobs were not imported, before the error, which
/// names them and says how to go on.
#[test]
fn a_wait_timeout_on_the_first_batch_names_the_jobs_not_imported() {
    let data = workspaces(2);
    let path = data.path().to_path_buf();
    let emu = Emu::with(move |c| {
        c.data = Some(path);
        c.task_polls = 40;
    });
    let sandbox = Sandbox::new();
    let mut args = migrate_args(&["job_0000", "job_0001"]);
    args.extend(["--wait-timeout", "1"]);
    let output = run(sandbox
        .cmd(&emu)
        .env("DATAARTS_TEST_RETRY_DELAY_SCALE", "1")
        .args(&args));
    expect_code(&output, 5);
    let text = stderr(&output);
    let objects = emu.objects();
    assert_eq!(
        objects.len(),
        1,
        "the first batch's archive is kept: {objects:?}"
    );
    assert!(objects[0].ends_with("/1.zip"), "{objects:?}");
    let task_id = text
        .lines()
        .find_map(|line| line.strip_prefix("import task ")?.split_whitespace().next())
        .expect("task id printed")
        .to_string();
    assert!(
        text.contains("not verified job_0000: its import task had not ended when the run stopped"),
        "{text}"
    );
    assert!(
        text.contains("not imported job_0001: the run stopped before importing its archive"),
        "{text}"
    );
    assert!(
        text.contains(&format!("staging kept: {}", objects[0])),
        "{text}"
    );
    assert!(
        text.contains("2 jobs: 1 not verified, 1 not imported"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "error: import task {task_id} did not end within 1s (last status RUNNING); the staged archive {} is kept, as the service may still be reading it; the jobs of the later archives were not imported: job_0001",
            objects[0]
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "hint: `dataarts-jobs task {task_id} --wait --workspace B` follows the task on"
        )),
        "{text}"
    );
    assert!(text.contains("re-running the import is safe"), "{text}");
    assert!(
        text.find("not imported job_0001") < text.find("error: "),
        "the summary before the error: {text}"
    );
    assert_eq!(emu.requests_to("/jobs/import").len(), 1);

    let output = run(sandbox
        .cmd(&emu)
        .env("DATAARTS_TEST_RETRY_DELAY_SCALE", "1")
        .args(&args)
        .arg("--json"));
    expect_code(&output, 5);
    let json = json_of(&output);
    // One object: the summary, with the run's error added.
    assert_eq!(json["error"]["exit_code"], 5, "{json}");
    assert_eq!(json["jobs"][0]["name"], "job_0000");
    assert_eq!(json["jobs"][0]["outcome"], Value::Null);
    assert_eq!(json["jobs"][1]["name"], "job_0001");
    assert_eq!(json["jobs"][1]["outcome"], Value::Null);
    assert_eq!(
        json["jobs"][1]["message"],
        "not imported: the run stopped before importing its archive"
    );
    assert_eq!(json["tasks"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["tasks"][0]["status"], "RUNNING");
    assert_eq!(json["batches"][0]["jobs"], serde_json::json!(["job_0000"]));
}

/// Ctrl-C while batch 1 of 2 is being imported: every batch was staged
/// first, and the notice names both objects and the jobs not imported.
#[test]
fn ctrl_c_while_waiting_names_every_staged_batch_and_the_jobs_not_imported() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let data = workspaces(2);
    let path = data.path().to_path_buf();
    let emu = Emu::with(move |c| {
        c.data = Some(path);
        c.task_polls = 1_000_000;
    });
    let sandbox = Sandbox::new();
    let mut child = sandbox
        .std_cmd(&emu)
        .env("DATAARTS_TEST_RETRY_DELAY_SCALE", "0.05")
        .args(migrate_args(&["job_0000", "job_0001"]))
        .stdout(Stdio::null())
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
        .expect("task id printed")
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
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).expect("read");
    let code = child.wait().expect("wait").code();
    seen.push_str(&rest);
    assert_eq!(code, Some(130), "{seen}");
    let mut objects = emu.objects();
    objects.sort();
    assert_eq!(objects.len(), 2, "both batches staged: {objects:?}");
    assert!(
        seen.contains(&format!(
            "stopped while import task {task_id} runs; the staged archive {} is kept",
            objects[0]
        )),
        "{seen}"
    );
    assert!(
        seen.contains(&format!(
            "`dataarts-jobs task {task_id} --wait --workspace B` follows the task"
        )),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("staged and not deleted: {}", objects[1])),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("not imported: job_0001 (in {})", objects[1])),
        "{seen}"
    );
}

/// Batch 1 imported, then the import request of batch 2 fails with a 502:
/// the summary reports batch 1's jobs as read back and batch 2's as of
/// unknown fate, its staged archive kept and named.
#[test]
fn a_later_import_of_unknown_fate_still_reports_what_was_imported() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::common::raw_server::{RawServer, Reply};

    let emu = Emu::start();
    let exports = AtomicUsize::new(0);
    let imports = AtomicUsize::new(0);
    let lists = AtomicUsize::new(0);
    let server = RawServer::start(40, move |line| {
        if line.contains("/jobs/batch-export") {
            let job = ["a", "b"][exports.fetch_add(1, Ordering::SeqCst).min(1)];
            let entry = format!("jobs/{job}/{job}.job");
            Reply::zip(zips::build(&[(entry.as_str(), b"{}")]))
        } else if line.contains("/jobs/check-file") {
            Reply::json(200, r#"{"jobs":[],"resources":[]}"#)
        } else if line.contains("/jobs/import") {
            match imports.fetch_add(1, Ordering::SeqCst) {
                0 => Reply::json(200, r#"{"taskId":"t0000000000000001"}"#),
                _ => Reply::json(
                    502,
                    r#"{"error_code":"APIGW.0203","error_msg":"bad gateway"}"#,
                ),
            }
        } else if line.contains("/system-tasks/") {
            Reply::json(
                200,
                r#"{"id":"t0000000000000001","status":"SUCCESSFUL","subtasks":[]}"#,
            )
        } else if lists.fetch_add(1, Ordering::SeqCst) >= 2 && line.contains("jobType=BATCH") {
            // The read-back after the failure finds batch 1's job.
            Reply::json(
                200,
                r#"{"total":1,"jobs":[{"name":"a","lastUpdateTime":5}]}"#,
            )
        } else {
            Reply::json(200, r#"{"total":0,"jobs":[]}"#)
        }
    });
    let sandbox = Sandbox::new();
    let migrate = || {
        let mut command = sandbox.cmd_at(&server.endpoint);
        command
            .env("DATAARTS_OBS_ENDPOINT", &emu.obs_endpoint)
            .args(migrate_args(&["a", "b"]));
        command
    };
    let output = run(&mut migrate());
    expect_code(&output, 5);
    let objects = emu.objects();
    assert_eq!(objects.len(), 1, "batch 2's archive is kept: {objects:?}");
    assert!(objects[0].ends_with("/2.zip"), "{objects:?}");
    let text = stderr(&output);
    assert!(text.contains("imported     a"), "{text}");
    assert!(
        text.contains("not verified b: the import request failed, and the import may have started"),
        "{text}"
    );
    assert!(
        text.contains(&format!("staging kept: {}", objects[0])),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "error: the import request for {} failed without telling whether it started an import",
            objects[0]
        )),
        "{text}"
    );
    assert!(
        text.contains("`dataarts-jobs list --workspace B` shows whether the jobs arrived"),
        "{text}"
    );
    assert!(!text.contains("nothing was imported"), "{text}");
}

/// A `--job-param` for a job that is not migrated is refused before any
/// export.
#[test]
fn a_job_param_for_a_job_not_migrated_is_refused_before_any_export() {
    let data = workspaces(1);
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let mut args = migrate_args(&["job_0000"]);
    args.extend(["--job-param", "job_0001:bizdate=1"]);
    let output = run(sandbox.cmd(&emu).args(&args));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains(
            "parameters are given for a job the import does not carry: job_0001 (its jobs: job_0000)"
        ),
        "{}",
        stderr(&output)
    );
    assert!(emu.exports().is_empty(), "nothing exported");
    assert!(emu.obs_requests().is_empty());
}
