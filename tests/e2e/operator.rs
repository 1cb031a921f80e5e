//! The first day of an operator: traps that are now errors, dry runs that say
//! what they send, `doctor`, and inputs CI systems really produce.

use std::io::Write;
use std::process::Stdio;

use dataarts_jobs::emulator::{Faults, TotalFault};

use crate::common::raw_server::{RawServer, Reply};
use crate::common::{
    expect_code, run, stderr, stdout, write_workspace, zip_entries, zips, Emu, Sandbox, AK, TOKEN,
};

#[test]
fn an_old_style_extract_directory_is_explained_not_exported_as_a_job() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("backup")).expect("mkdir");
    // `--extract backup job_batch` used to mean "extract into backup/".
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "--extract", "backup", "job_batch"]));
    expect_code(&output, 2);
    let text = stderr(&output);
    assert!(text.contains("--extract takes no value"), "{text}");
    assert!(text.contains("-C backup"), "{text}");
    assert!(!sandbox.path("jobs.zip").exists());
    assert!(!sandbox.path("jobs").exists());
    // The new spelling works.
    expect_code(
        &run(sandbox
            .cmd(&emu)
            .args(["export", "-C", "backup", "job_batch"])),
        0,
    );
    assert!(sandbox.path("backup/jobs/job_batch/job_batch.job").exists());
}

#[test]
fn an_output_that_is_a_directory_or_a_fifo_is_refused_before_any_request() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("somedir")).expect("mkdir");
    for force in [false, true] {
        let mut command = sandbox.cmd(&emu);
        command.args(["export", "job_batch", "-o", "somedir"]);
        if force {
            command.arg("--force");
        }
        let output = run(&mut command);
        expect_code(&output, 2);
        assert!(
            stderr(&output).contains("is a directory"),
            "{}",
            stderr(&output)
        );
    }
    #[cfg(unix)]
    {
        let fifo = sandbox.path("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let output =
                run(sandbox
                    .cmd(&emu)
                    .args(["export", "job_batch", "-o", "fifo", "--force"]));
            expect_code(&output, 2);
            assert!(stderr(&output).contains("FIFO"), "{}", stderr(&output));
            use std::os::unix::fs::FileTypeExt;
            assert!(std::fs::symlink_metadata(&fifo)
                .expect("meta")
                .file_type()
                .is_fifo());
        }
    }
    assert!(emu.exports().is_empty(), "nothing was sent");
}

#[test]
fn dry_run_says_what_it_sends_and_fails_as_the_real_run_would() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "--all", "--dry-run", "--json"]));
    expect_code(&output, 0);
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(plan["format"], 1);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["would_send"][0]["method"], "POST");
    assert!(plan["would_send"][0]["headers"]["Authorization"]
        .as_str()
        .is_some_and(|a| a.ends_with("Signature=(redacted)")));
    assert_eq!(plan["would_write"][0], "jobs.zip");
    assert_eq!(plan["requests"], 2, "the two listings");
    assert!(emu.exports().is_empty());

    let text = run(sandbox.cmd(&emu).args(["export", "--all", "--dry-run"]));
    assert!(
        stderr(&text).contains("1 export request not sent; 2 read-only requests were sent"),
        "{}",
        stderr(&text)
    );
    assert!(stderr(&text).contains("would write jobs.zip"));
    assert!(stdout(&text).is_empty(), "the plan is for people: stderr");

    std::fs::write(sandbox.path("jobs.zip"), b"earlier").expect("write");
    let refused = run(sandbox.cmd(&emu).args(["export", "job_batch", "--dry-run"]));
    expect_code(&refused, 1);
    assert!(stderr(&refused).contains("already exists: jobs.zip"));
}

#[test]
fn jobs_from_keeps_names_as_they_are_and_keep_going_reports_invalid_ones() {
    let data = tempfile::tempdir().expect("tempdir");
    write_workspace(
        data.path(),
        &[(" padded ", "BATCH", &[]), ("plain", "BATCH", &[])],
    );
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    // A BOM, a Windows line ending, a padded name, an invalid one.
    std::fs::write(
        sandbox.path("names.txt"),
        "\u{feff}plain\r\n padded \nbad\u{1}name\n# comment\n",
    )
    .expect("write");
    let strict = run(sandbox
        .cmd(&emu)
        .args(["export", "--jobs-from", "names.txt"]));
    expect_code(&strict, 2);
    assert!(
        stderr(&strict).contains("error: invalid job name \"bad\\u{1}name\" in names.txt (line 3)"),
        "{}",
        stderr(&strict)
    );
    assert!(emu.exports().is_empty());
    let output = run(sandbox.cmd(&emu).args([
        "export",
        "--jobs-from",
        "names.txt",
        "--keep-going",
        "--json",
    ]));
    expect_code(&output, 4);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let names: Vec<&str> = summary["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .filter_map(|j| j["name"].as_str())
        .collect();
    assert_eq!(names, ["plain", " padded "]);
    assert_eq!(summary["failed"][0]["name"], "bad\u{1}name");
    assert!(zip_entries(&sandbox.path("jobs.zip")).contains_key("jobs/ padded / padded .job"));
    // `-q` prints errors only: the failures the error refers to are errors.
    let quiet = run(sandbox.cmd(&emu).args([
        "export",
        "--jobs-from",
        "names.txt",
        "--keep-going",
        "--force",
        "-q",
    ]));
    expect_code(&quiet, 4);
    let text = stderr(&quiet);
    assert!(text.contains("failed: bad\\u{1}name"), "{text}");
    assert!(text.contains("(each listed with its error)"), "{text}");
    assert!(!text.contains("exported 2 jobs"), "{text}");
}

#[test]
fn listed_names_that_cannot_be_file_names_fail_alone() {
    let data = tempfile::tempdir().expect("tempdir");
    let long = "数".repeat(86);
    write_workspace(data.path(), &[("short", "BATCH", &[])]);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    // The emulator cannot hold a 258-byte directory name either: a raw
    // server lists it and serves the short job.
    let listing = format!(r#"{{"total": 2, "jobs": [{{"name": "short"}}, {{"name": "{long}"}}]}}"#);
    let sandbox = Sandbox::new();
    let archive = {
        let staging = Sandbox::new();
        expect_code(
            &run(staging.cmd(&emu).args(["export", "short", "-o", "s.zip"])),
            0,
        );
        std::fs::read(staging.path("s.zip")).expect("read")
    };
    let server = RawServer::start(8, move |line| {
        if line.contains("batch-export") {
            Reply::zip(archive.clone())
        } else if line.contains("REAL_TIME") {
            Reply::json(200, r#"{"total": 0, "jobs": []}"#)
        } else {
            Reply::json(200, &listing)
        }
    });
    let output = run(sandbox.cmd_at(&server.endpoint).args([
        "export",
        "--all",
        "-C",
        "out",
        "--keep-going",
        "--json",
    ]));
    expect_code(&output, 4);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["jobs"][0]["name"], "short");
    assert_eq!(summary["failed"][0]["name"], long.as_str());
    assert!(sandbox.path("out/jobs/short/short.job").exists());
    // Without extracting too: an archive holding it could not be unpacked here.
    let output = run(sandbox.cmd_at(&server.endpoint).args([
        "export",
        "--all",
        "-o",
        "ln.zip",
        "--keep-going",
        "--json",
    ]));
    expect_code(&output, 4);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["failed"][0]["name"], long.as_str());
    assert_eq!(
        zip_entries(&sandbox.path("ln.zip"))
            .keys()
            .collect::<Vec<_>>(),
        ["jobs/short/short.job"]
    );
}

#[test]
fn every_job_asked_for_must_be_in_the_archive() {
    let server = RawServer::start(4, |_| Reply::zip(zips::build(&[])));
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(["export", "job_a", "job_b"]));
    expect_code(&output, 5);
    assert!(
        stderr(&output).contains("does not hold the jobs: job_a, job_b"),
        "{}",
        stderr(&output)
    );
    assert!(
        sandbox.snapshot().is_empty(),
        "nothing written: {:?}",
        sandbox.snapshot().keys()
    );

    let only_a = zips::build(&[("jobs/job_a/job_a.job", b"{}")]);
    let server = RawServer::start(4, move |_| Reply::zip(only_a.clone()));
    let output = run(sandbox.cmd_at(&server.endpoint).args([
        "export",
        "job_a",
        "job_b",
        "--keep-going",
        "--json",
    ]));
    expect_code(&output, 4);
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(summary["jobs"][0]["name"], "job_a");
    assert_eq!(summary["failed"][0]["name"], "job_b");
}

/// An argument that is not UTF-8 is a usage error (exit 2), not a panic;
/// with `--json` the error is one JSON object.
#[test]
fn an_argument_that_is_not_utf8_is_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let sandbox = Sandbox::new();
    let bad = std::ffi::OsStr::from_bytes(b"job_\xff");
    for json in [false, true] {
        let mut command = sandbox.cmd_at("http://127.0.0.1:9");
        command.arg("export").arg(bad);
        if json {
            command.arg("--json");
        }
        let output = run(&mut command);
        expect_code(&output, 2);
        assert!(
            stderr(&output).contains("invalid UTF-8"),
            "{}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
        if json {
            let error: serde_json::Value =
                serde_json::from_str(&stdout(&output)).expect("one JSON object");
            assert_eq!(error["error"]["exit_code"], 2);
        }
    }
}

/// A usage error with `--json` says in its one-line message what clap
/// said (the missing argument included), without the usage lines.
#[test]
fn a_usage_error_in_json_carries_the_whole_message() {
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd_at("http://127.0.0.1:9")
        .args(["backup", "--json"]));
    expect_code(&output, 2);
    let error: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("one JSON object");
    assert_eq!(
        error["error"]["message"],
        "the following required arguments were not provided: <DIR>"
    );
}

/// A retried failure's JSON message says each cause once.
#[test]
fn a_retried_failure_in_json_says_its_cause_once() {
    let emu = Emu::with(|c| {
        c.faults.fail_first = Some(100);
        c.faults.fail_status = Some(500);
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "--retries", "1", "--json"]));
    expect_code(&output, 5);
    let error: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("one JSON object");
    let message = error["error"]["message"].as_str().expect("message");
    assert_eq!(
        message.matches("Internal server error").count(),
        1,
        "{message}"
    );
    assert!(message.contains("gave up after 2 attempts"), "{message}");
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env("DATAARTS_WORKSPACE", "")
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", "")
        .env("HUAWEICLOUD_SDK_REGION_ID", "")
        .env("DATAARTS_STUDIO_ENDPOINT", "")
        .args(["export", "job_batch"]));
    expect_code(&output, 0);
    let export = &emu.exports()[0];
    assert!(export["headers"].get("workspace").is_none(), "{export}");
}

#[test]
fn a_password_in_the_endpoint_is_never_sent_nor_shown() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let endpoint = emu
        .endpoint
        .replace("http://", "http://user:pa55w0rd-secret@");
    let output = run(sandbox
        .cmd_at(&endpoint)
        .args(["-vv", "export", "job_batch"]));
    expect_code(&output, 0);
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!all.contains("pa55w0rd-secret"), "{all}");
    assert!(
        stderr(&output).contains("user name and password"),
        "said once: {}",
        stderr(&output)
    );
    let export = &emu.exports()[0];
    assert!(export["headers"]
        .get("authorization")
        .is_some_and(|a| a.as_str().is_some_and(|a| a.starts_with("SDK-HMAC-SHA256"))));
    let dry = run(sandbox
        .cmd_at(&endpoint)
        .args(["export", "job_batch", "--dry-run"]));
    assert!(!stdout(&dry).contains("pa55w0rd-secret") && !stderr(&dry).contains("pa55w0rd-secret"));
}

#[test]
fn duplicate_keys_in_the_credentials_file_are_an_error_naming_the_key() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let file = sandbox.path("credentials.ini");
    std::fs::write(
        &file,
        format!("\u{feff}[basic]\nak = {AK}\nsk = first\nsk = second\n"),
    )
    .expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .env_remove("HUAWEICLOUD_SDK_AK")
        .env_remove("HUAWEICLOUD_SDK_SK")
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file)
        .args(["export", "job_batch"]));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("gives `sk` twice"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("second"));
}

#[test]
fn secrets_a_server_echoes_are_redacted_and_its_text_escaped() {
    let emu = Emu::with(|c| {
        c.sk = dataarts_jobs::auth::Secret::new("a-different-secret-key-on-the-server");
        c.faults = Faults {
            echo_secrets: true,
            ..Faults::default()
        };
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", TOKEN)
        .args(["export", "job_batch"]));
    expect_code(&output, 3);
    let text = stderr(&output);
    assert!(
        text.contains("x-security-token:(redacted)"),
        "the token echoed back is redacted: {text}"
    );
    assert!(
        text.contains("Signature=(redacted)"),
        "so is the signature: {text}"
    );
    assert!(!text.contains(TOKEN));

    // Control characters from a server never reach the terminal raw.
    let server = RawServer::start(2, |_| {
        Reply::json(400, "{\"error_code\":\"DLF.0100\",\"error_msg\":\"bad\\u001b]8;;http://evil\\u0007\\nhint: run rm -rf\"}")
    });
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(["export", "job_batch"]));
    expect_code(&output, 4);
    let text = stderr(&output);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        !text.lines().any(|line| line.starts_with("hint: run")),
        "{text}"
    );
}

#[test]
fn list_escapes_names_so_one_job_is_one_line() {
    let server = RawServer::start(4, |line| {
        if line.contains("REAL_TIME") {
            Reply::json(200, r#"{"total": 0, "jobs": []}"#)
        } else {
            Reply::json(
                200,
                r#"{"total": 2, "jobs": [{"name": "two\nlines"}, {"name": "plain"}]}"#,
            )
        }
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd_at(&server.endpoint).arg("list"));
    expect_code(&output, 0);
    assert_eq!(stdout(&output), "two\\nlines\nplain\n");
}

#[test]
fn list_piped_into_export_is_lossless() {
    let data = tempfile::tempdir().expect("tempdir");
    write_workspace(
        data.path(),
        &[
            (" lead", "BATCH", &[]),
            ("trail ", "BATCH", &[]),
            ("mid dle", "REAL_TIME", &[]),
        ],
    );
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let listed = run(sandbox.cmd(&emu).arg("list"));
    let mut child = sandbox
        .std_cmd(&emu)
        .args(["export", "--jobs-from", "-", "-o", "all.zip", "--json"])
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
        .expect("pipe");
    let output = child.wait_with_output().expect("wait");
    expect_code(&output, 0);
    let entries = zip_entries(&sandbox.path("all.zip"));
    for job in [" lead", "trail ", "mid dle"] {
        assert!(
            entries.contains_key(&format!("jobs/{job}/{job}.job")),
            "{job:?}: {:?}",
            entries.keys()
        );
    }
}

#[test]
fn doctor_shows_every_setting_with_its_origin_and_checks_live() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).arg("doctor"));
    expect_code(&output, 0);
    let text = stdout(&output);
    assert!(
        text.contains(&format!(
            "credentials  AK {}… with its SK  (environment variables HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK)",
            &AK[..4]
        )),
        "{text}"
    );
    assert!(
        !text.contains(&AK[4..]),
        "only 4 characters of the AK: {text}"
    );
    assert!(
        text.contains("environment variable DATAARTS_ENDPOINT"),
        "{text}"
    );
    assert!(
        text.contains("environment variable HUAWEICLOUD_SDK_PROJECT_ID"),
        "{text}"
    );
    assert!(text.contains("check        ok"), "{text}");
    assert!(text.contains("in step with"), "{text}");
    let json = run(sandbox.cmd(&emu).args(["doctor", "--json"]));
    let object: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(object["format"], 1);
    assert_eq!(object["check"]["ok"], true);
    assert_eq!(
        object["settings"]["DLF"]["origin"],
        "environment variable DATAARTS_ENDPOINT"
    );
}

#[test]
fn doctor_points_at_the_clock_when_it_is_off() {
    let emu = Emu::with(|c| c.faults.clock_offset = Some(30 * 60));
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).arg("doctor"));
    expect_code(&output, 3);
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        text.contains("30 min 0 s behind the server's")
            || text.contains("29 min 59 s behind the server's"),
        "{text}"
    );
    assert!(text.contains("hint: sync this machine's clock"), "{text}");
    // A clock 6 minutes off still works, with a warning.
    let emu = Emu::with(|c| c.faults.clock_offset = Some(-6 * 60));
    let output = run(sandbox.cmd(&emu).arg("doctor"));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("warning: the clock offset is over 5 minutes"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn listings_that_lie_about_total_never_hide_jobs_nor_loop() {
    let data = tempfile::tempdir().expect("tempdir");
    let names: Vec<String> = (0..250).map(|i| format!("job_{i:03}")).collect();
    let specs: Vec<crate::common::JobSpec<'_>> = names
        .iter()
        .map(|n| (n.as_str(), "BATCH", &[][..]))
        .collect();
    write_workspace(data.path(), &specs);
    for (fault, expected) in [
        (TotalFault::Missing, 0),
        (TotalFault::Low, 0),
        (TotalFault::Huge, 5),
    ] {
        let emu = Emu::with(|c| {
            c.data = Some(data.path().to_path_buf());
            c.faults.list_total = Some(fault);
        });
        let sandbox = Sandbox::new();
        let output = run(sandbox.cmd(&emu).args(["list", "--type", "batch"]));
        expect_code(&output, expected);
        if expected == 0 {
            assert_eq!(stdout(&output).lines().count(), 250, "{fault:?}: every job");
        }
        assert!(emu.requests().len() < 20, "{fault:?}: bounded paging");
    }
}

#[test]
fn an_endless_export_body_stops_at_max_size() {
    let emu = Emu::with(|c| c.faults.endless_body = true);
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "--max-size", "2M"]));
    expect_code(&output, 5);
    assert!(
        sandbox.snapshot().is_empty(),
        "{:?}",
        sandbox.snapshot().keys()
    );
}

/// An `--obs-prefix` that would leave the bucket (or hide in it) is a usage
/// error before anything is read, uploaded or imported.
#[test]
fn an_obs_prefix_outside_the_bucket_is_refused_before_any_request() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    for prefix in ["../", "a/./b/", "/lead/", "a//b/"] {
        let output = run(sandbox.cmd(&emu).args([
            "import",
            "missing.zip",
            "--obs-bucket",
            "staging",
            "--obs-prefix",
            prefix,
        ]));
        expect_code(&output, 2);
        assert!(
            stderr(&output).contains("--obs-prefix"),
            "{}",
            stderr(&output)
        );
    }
    assert!(emu.requests().is_empty() && emu.obs_requests().is_empty());
}
