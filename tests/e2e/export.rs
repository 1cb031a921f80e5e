//! `export` against the emulator: the signed request, the archive's bytes,
//! atomic writes, errors and exit codes.

use std::process::Stdio;
use std::time::{Duration, Instant};

use dataarts_jobs::emulator::Faults;

use crate::common::raw_server::{RawServer, Reply};
use crate::common::*;

fn sample_entries() -> Vec<(String, Vec<u8>)> {
    [
        "jobs/job_batch/job_batch.job",
        "jobs/job_batch/dws_sql.script",
        "jobs/job_stream/job_stream.job",
    ]
    .iter()
    .map(|path| (path.to_string(), sample_file(path)))
    .collect()
}

#[test]
fn exports_the_sample_byte_for_byte_with_a_signed_request() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "job_stream"]));
    expect_code(&output, 0);

    let entries = zip_entries(&sandbox.path("jobs.zip"));
    let expected: std::collections::BTreeMap<String, Vec<u8>> =
        sample_entries().into_iter().collect();
    assert_eq!(entries, expected);
    assert!(!sandbox.path("jobs.zip.part").exists());
    assert!(
        stderr(&output).contains("exported 2 jobs"),
        "{}",
        stderr(&output)
    );

    let requests = emu.exports();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request["method"], "POST");
    assert_eq!(request["path"], format!("/v1/{PROJECT}/jobs/batch-export"));
    assert_eq!(request["status"], 200);
    let headers = &request["headers"];
    assert_eq!(headers["content-type"], "application/json;charset=utf-8");
    assert_eq!(headers["x-project-id"], PROJECT);
    assert!(headers.get("workspace").is_none());
    let authorization = headers["authorization"].as_str().expect("signed");
    assert!(
        authorization.starts_with(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders=")),
        "{authorization}"
    );
    let body: serde_json::Value =
        serde_json::from_str(request["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(
        body,
        serde_json::json!({"jobList": ["job_batch", "job_stream"], "exportDepend": true})
    );
}

#[test]
fn options_shape_the_request_body_and_headers() {
    let data = tempfile::tempdir().expect("tempdir");
    write_workspace(data.path(), &[("default_job", "BATCH", &[])]);
    write_workspace(
        &data.path().join("workspaces/ws-42"),
        &[("ws_job", "BATCH", &[("dep.script", "select 1")])],
    );
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "ws_job",
        "ws_job",
        "--workspace",
        "ws-42",
        "--no-depend",
        "--submitted",
    ]));
    expect_code(&output, 0);
    let request = &emu.exports()[0];
    assert_eq!(request["headers"]["workspace"], "ws-42");
    let body: serde_json::Value =
        serde_json::from_str(request["body"].as_str().expect("body")).expect("JSON");
    assert_eq!(
        body,
        serde_json::json!({"jobList": ["ws_job"], "exportDepend": false, "exportStatus": "SUBMIT"})
    );
    let entries = zip_entries(&sandbox.path("jobs.zip"));
    assert_eq!(
        entries.keys().collect::<Vec<_>>(),
        ["jobs/ws_job/ws_job.job"]
    );
}

#[test]
fn credentials_come_from_the_sdk_file_under_home() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path().join(".huaweicloud");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("credentials"),
        format!("[basic]\nak = {AK}\nsk = {SK}\nproject_id = {PROJECT}\n"),
    )
    .expect("write credentials");
    let output = run(sandbox
        .bare()
        .env("DATAARTS_ENDPOINT", &emu.endpoint)
        .args(["export", "job_stream", "-o", "stream.zip"]));
    expect_code(&output, 0);
    assert!(zip_entries(&sandbox.path("stream.zip")).contains_key("jobs/job_stream/job_stream.job"));
}

#[test]
fn an_existing_output_is_refused_before_any_request() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("jobs.zip"), b"earlier backup").expect("write");
    let output = run(sandbox.cmd(&emu).args(["export", "job_batch"]));
    expect_code(&output, 1);
    assert!(stderr(&output).contains("jobs.zip"), "{}", stderr(&output));
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    assert!(emu.requests().is_empty(), "no request may be sent");
    assert_eq!(
        std::fs::read(sandbox.path("jobs.zip")).expect("read"),
        b"earlier backup"
    );

    let output = run(sandbox.cmd(&emu).args(["export", "job_batch", "--force"]));
    expect_code(&output, 0);
    assert!(zip_entries(&sandbox.path("jobs.zip")).contains_key("jobs/job_batch/job_batch.job"));
}

#[test]
fn an_unknown_job_exits_4_with_the_api_error_and_writes_nothing() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("jobs.zip"), b"earlier backup").expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "no_such_job", "--force"]));
    expect_code(&output, 4);
    let text = stderr(&output);
    assert!(text.starts_with("error: "), "{text}");
    for needle in [
        "DLF.0100",
        "The job does not exists.",
        "HTTP 400",
        "request id",
    ] {
        assert!(text.contains(needle), "{needle} missing: {text}");
    }
    let request_id = emu.exports()[0]["request_id"]
        .as_str()
        .expect("id")
        .to_string();
    assert!(text.contains(&request_id), "{text}");
    assert_eq!(
        std::fs::read(sandbox.path("jobs.zip")).expect("read"),
        b"earlier backup"
    );
    assert!(!sandbox.path("jobs.zip.part").exists());
    assert_eq!(emu.exports().len(), 1, "4xx is not retried");
}

#[test]
fn a_wrong_secret_key_exits_3_with_a_hint() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env("HUAWEICLOUD_SDK_SK", "not-the-right-secret-key")
        .args(["export", "job_batch"]));
    expect_code(&output, 3);
    let text = stderr(&output);
    assert!(text.contains("APIGW.0301"), "{text}");
    assert!(text.contains("hint:") && text.contains("clock"), "{text}");
    assert!(!text.contains("not-the-right-secret-key"));
    assert!(!sandbox.path("jobs.zip").exists());
    assert!(!sandbox.path("jobs.zip.part").exists());
}

#[test]
fn another_project_exits_3() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env(
            "HUAWEICLOUD_SDK_PROJECT_ID",
            "ffffffffffffffffffffffffffffffff",
        )
        .args(["export", "job_batch"]));
    expect_code(&output, 3);
    assert!(stderr(&output).contains("HTTP 403"), "{}", stderr(&output));
}

#[test]
fn security_token_is_sent_signed_and_never_shown() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN)
        .args(["export", "job_batch", "-vv"]));
    expect_code(&output, 0);
    let request = &emu.exports()[0];
    assert_eq!(request["headers"]["x-security-token"], "(redacted)");
    let authorization = request["headers"]["authorization"]
        .as_str()
        .expect("signed");
    assert!(
        authorization.contains("x-security-token"),
        "{authorization}"
    );
}

#[test]
fn a_body_cut_short_leaves_no_part_and_the_earlier_output_intact() {
    let emu = Emu::with(|c| {
        c.faults = Faults {
            truncate_body: Some(100),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("jobs.zip"), b"earlier backup").expect("write");
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "job_batch",
        "job_stream",
        "--force",
        "--retries",
        "1",
    ]));
    expect_code(&output, 5);
    let text = stderr(&output);
    assert!(text.contains("cut short"), "{text}");
    assert!(text.contains("2 attempts"), "{text}");
    assert_eq!(emu.exports().len(), 2);
    assert_eq!(
        std::fs::read(sandbox.path("jobs.zip")).expect("read"),
        b"earlier backup"
    );
    assert!(!sandbox.path("jobs.zip.part").exists());
    let leftovers: Vec<_> = sandbox
        .snapshot()
        .into_keys()
        .filter(|k| k != "jobs.zip")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_non_zip_body_exits_5_and_shows_its_first_bytes() {
    let server = RawServer::start(4, |_| Reply {
        status: 200,
        content_type: "text/html",
        body: b"<html><body>Maintenance\x00window</body></html>".to_vec(),
        hang: false,
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(["export", "job_batch"]));
    expect_code(&output, 5);
    let text = stderr(&output);
    assert!(text.contains("not a zip"), "{text}");
    assert!(
        text.contains("<html><body>Maintenance\\x00window"),
        "{text}"
    );
    assert_eq!(server.count(), 1, "a non-zip body is not retried");
    assert!(!sandbox.path("jobs.zip").exists());
    assert!(!sandbox.path("jobs.zip.part").exists());
    // --json carries the request id the message names.
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(["export", "job_batch", "--json"]));
    expect_code(&output, 5);
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(error["error"]["request_id"], "raw-200", "{error}");
}

#[test]
fn transient_failures_are_retried_then_succeed() {
    let emu = Emu::with(|c| {
        c.faults = Faults {
            fail_first: Some(2),
            fail_status: Some(500),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args(["export", "job_batch"]));
    expect_code(&output, 0);
    let statuses: Vec<_> = emu.exports().iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, [500, 500, 200]);
    assert!(zip_entries(&sandbox.path("jobs.zip")).contains_key("jobs/job_batch/job_batch.job"));
}

#[test]
fn a_permanent_503_exits_5_after_four_attempts() {
    let emu = Emu::with(|c| {
        c.faults = Faults {
            fail_status: Some(503),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args(["export", "job_batch"]));
    expect_code(&output, 5);
    assert_eq!(emu.exports().len(), 4);
    let text = stderr(&output);
    assert!(text.contains("gave up after 4 attempts"), "{text}");
    assert!(text.contains("HTTP 503"), "{text}");
}

#[test]
fn retry_after_is_honoured() {
    let emu = Emu::with(|c| {
        c.faults = Faults {
            fail_first: Some(1),
            fail_status: Some(429),
            retry_after: Some(1),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env("DATAARTS_TEST_RETRY_DELAY_SCALE", "1")
        .args(["export", "job_batch"]));
    expect_code(&output, 0);
    let exports = emu.exports();
    assert_eq!(exports.len(), 2);
    let gap = exports[1]["ts_ms"].as_i64().expect("ts") - exports[0]["ts_ms"].as_i64().expect("ts");
    assert!(gap >= 1000, "second attempt came {gap} ms after the first");
}

#[test]
fn a_connection_reset_mid_body_is_retried() {
    let emu = Emu::with(|c| {
        c.faults = Faults {
            fail_first: Some(1),
            reset_after: Some(200),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "job_stream"]));
    // fail_first with a body fault but no status: the first answer is cut, then normal.
    expect_code(&output, 0);
    assert!(emu.exports().len() >= 2);
    assert_eq!(zip_entries(&sandbox.path("jobs.zip")).len(), 3);
}

#[test]
fn missing_credentials_exit_2_naming_every_place() {
    let sandbox = Sandbox::new();
    let output = run(sandbox.bare().args([
        "export",
        "job_batch",
        "--endpoint",
        "http://127.0.0.1:9",
        "--project-id",
        PROJECT,
    ]));
    expect_code(&output, 2);
    let text = stderr(&output);
    for place in [
        "HUAWEICLOUD_SDK_AK",
        ".huaweicloud/credentials",
        "DATAARTS_AUTH_TOKEN",
        ".hcloud/config.json",
    ] {
        assert!(text.contains(place), "{place} missing: {text}");
    }
}

#[test]
fn bad_names_and_empty_requests_are_usage_errors() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    for args in [
        vec!["export", "a/b"],
        vec!["export", ".."],
        vec!["export", "tab\tname"],
        vec!["export"],
        vec!["export", "--batch-size", "101", "job_batch"],
    ] {
        let output = run(sandbox.cmd(&emu).args(&args));
        expect_code(&output, 2);
    }
    // The message fits what was given.
    std::fs::write(sandbox.path("names.txt"), "# none yet\n\n").expect("write");
    for (args, expected) in [
        (
            vec!["export", "--jobs-from", "names.txt"],
            "error: nothing to export: names.txt holds no job name (only blank lines and # comments)",
        ),
        (
            vec!["export", "--match", "etl_*"],
            "hint: --match filters: add --all to take every job that matches",
        ),
    ] {
        let output = run(sandbox.cmd(&emu).args(&args));
        expect_code(&output, 2);
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    assert!(emu.requests().is_empty());
    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(empty.path().join("jobs")).expect("mkdir");
    let emu = Emu::with(|c| c.data = Some(empty.path().to_path_buf()));
    let output = run(sandbox.cmd(&emu).args(["export", "--all"]));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("error: nothing to export: the workspace has no job\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn output_dash_streams_the_zip_to_stdout() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args(["export", "job_stream", "-o", "-"]));
    expect_code(&output, 0);
    let path = sandbox.path("from-stdout.zip");
    std::fs::write(&path, &output.stdout).expect("write");
    assert_eq!(
        zip_entries(&path).get("jobs/job_stream/job_stream.job"),
        Some(&sample_file("jobs/job_stream/job_stream.job"))
    );
    // Only the written file: no temporary file left in the working directory.
    assert_eq!(sandbox.snapshot().len(), 1);
}

#[test]
fn json_summary_goes_to_stdout() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "job_stream", "--json", "-q"]));
    expect_code(&output, 0);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    assert_eq!(summary["format"], 1);
    assert_eq!(summary["jobs"][0]["name"], "job_batch");
    assert_eq!(summary["jobs"][1]["name"], "job_stream");
    assert_eq!(summary["files"], 3);
    assert_eq!(summary["archive"], "jobs.zip");
    assert_eq!(summary["failed"], serde_json::json!([]));
    assert!(output.stderr.is_empty(), "-q prints nothing on success");
}

#[test]
fn dry_run_sends_nothing_and_redacts_the_signature() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN)
        .args(["export", "job_batch", "--dry-run"]));
    expect_code(&output, 0);
    assert!(stdout(&output).is_empty(), "the plan is for people: stderr");
    let text = stderr(&output);
    assert!(
        text.contains(&format!(
            "POST {}/v1/{PROJECT}/jobs/batch-export",
            emu.endpoint
        )),
        "{text}"
    );
    assert!(text.contains("Signature=(redacted)"), "{text}");
    assert!(text.contains("X-Security-Token: (redacted)"), "{text}");
    assert!(
        text.contains(r#"{"jobList":["job_batch"],"exportDepend":true}"#),
        "{text}"
    );
    assert!(emu.requests().is_empty(), "dry run sent a request");
    assert!(!sandbox.path("jobs.zip").exists());
}

#[test]
fn verbose_traces_show_requests_without_secrets() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN)
        .args(["-vv", "export", "job_batch"]));
    expect_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("-> 200"), "{text}");
    assert!(text.contains("Signature=(redacted)"), "{text}");
    assert!(text.contains("X-Security-Token: (redacted)"), "{text}");
    assert!(!text.contains(SK) && !text.contains(TOKEN), "{text}");
    // A signature is 64 hex digits: no such run may appear anywhere.
    let longest_hex_run = text
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_hex_run < 64, "a signature leaked: {text}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_a_stalled_download_exits_130_and_cleans_up() {
    interrupt_a_stalled_download("-INT");
}

#[cfg(unix)]
#[test]
fn sigterm_during_a_stalled_download_cleans_up_too() {
    interrupt_a_stalled_download("-TERM");
}

#[cfg(unix)]
fn interrupt_a_stalled_download(signal: &str) {
    let emu = Emu::with(|c| {
        c.faults = Faults {
            first_byte_delay: Some(Duration::from_secs(30)),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("jobs.zip"), b"earlier backup").expect("write");
    let child = sandbox
        .std_cmd(&emu)
        .args(["export", "job_batch", "--force"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait (bounded) until the request reached the emulator and the run's
    // temporary file (`.jobs.zip.<random>.part`) exists.
    let part_exists = || {
        sandbox
            .snapshot()
            .keys()
            .any(|k| k.starts_with(".jobs.zip.") && k.ends_with(".part"))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while (emu.exports().is_empty() || !part_exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(part_exists(), "the download started");
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(stderr(&output).contains("interrupted"));
    assert!(!part_exists());
    assert_eq!(
        std::fs::read(sandbox.path("jobs.zip")).expect("read"),
        b"earlier backup"
    );
}

#[test]
fn dry_run_with_all_lists_then_prints_each_batch() {
    let data = tempfile::tempdir().expect("tempdir");
    let names = generated_names(3);
    let specs: Vec<JobSpec<'_>> = names
        .iter()
        .map(|n| (n.as_str(), "BATCH", &[][..]))
        .collect();
    write_workspace(data.path(), &specs);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "--all", "--batch-size", "2", "--dry-run"]));
    expect_code(&output, 0);
    assert!(stdout(&output).is_empty(), "the plan is for people: stderr");
    let text = stderr(&output);
    assert_eq!(text.matches("POST ").count(), 2, "{text}");
    assert!(
        text.contains(r#"{"jobList":["job_0002"],"exportDepend":true}"#),
        "{text}"
    );
    assert!(
        emu.exports().is_empty(),
        "only the read-only list calls may run"
    );
    assert!(!emu.requests().is_empty());

    let output = run(sandbox.cmd(&emu).args(["list", "--dry-run"]));
    expect_code(&output, 0);
    let text = stdout(&output);
    assert!(
        text.contains("jobType=BATCH") && text.contains("jobType=REAL_TIME"),
        "{text}"
    );
    assert!(text.contains("Signature=(redacted)"), "{text}");
}

/// Two batches that disagree on a shared entry's bytes: exit 6 naming the
/// entry and both batches, and nothing written.
#[test]
fn batches_that_disagree_on_an_entry_are_refused_naming_both() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let served = AtomicUsize::new(0);
    let server = RawServer::start(4, move |_| {
        let (job, script) = match served.fetch_add(1, Ordering::SeqCst) {
            0 => ("a", "select 1"),
            _ => ("b", "select 2"),
        };
        Reply::zip(zips::build(&[
            (&format!("jobs/{job}/{job}.job"), b"{}"),
            ("scripts/shared.script", script.as_bytes()),
        ]))
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
        "-x",
    ]));
    expect_code(&output, 6);
    let text = stderr(&output);
    assert!(
        text.contains(
            "entry \"scripts/shared.script\" differs between batch 1 (a) and batch 2 (b)"
        ),
        "{text}"
    );
    assert!(
        sandbox.snapshot().is_empty(),
        "{:?}",
        sandbox.snapshot().keys()
    );
}
