//! Snapshot tests of what users read: `--help` of every command, and the
//! whole `error:` / `caused by:` / `hint:` block of each exit code, so that a
//! wording change is a reviewed diff. Review changes with `cargo insta review`
//! (or accept them with `INSTA_UPDATE=always cargo test snapshots`).

use std::process::Output;

use dataarts_jobs::emulator::Faults;

use crate::common::raw_server::{RawServer, Reply};
use crate::common::{code, run, stderr, zips, Emu, Sandbox};

/// Ports, request ids and temporary paths vary from run to run.
fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r"\b[0-9a-f]{32}\b", "[REQUEST_ID]"),
        (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
        (r"over \d+\.\d+s", "over [SECONDS]s"),
    ]
}

fn assert_block(name: &str, output: &Output, expected_code: i32) {
    assert_eq!(code(output), expected_code, "{name}: {}", stderr(output));
    insta::with_settings!({filters => filters(), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, stderr(output));
    });
}

#[test]
fn help_of_every_command() {
    let sandbox = Sandbox::new();
    let commands = [
        "",
        "export",
        "backup",
        "import",
        "migrate",
        "task",
        "list",
        "workspaces",
        "doctor",
        "unpack",
        "emulator",
        "demo",
        "completions",
    ];
    for command in commands {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let output = run(sandbox.bare().args(&args));
        assert_eq!(code(&output), 0, "{command}");
        let name = if command.is_empty() {
            "help".to_string()
        } else {
            format!("help_{command}")
        };
        insta::with_settings!({prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, String::from_utf8_lossy(&output.stdout));
        });
    }
    // `help COMMAND` is the same as `COMMAND --help`.
    let via_help = run(sandbox.bare().args(["help", "export"]));
    let via_flag = run(sandbox.bare().args(["export", "--help"]));
    assert_eq!(via_help.stdout, via_flag.stdout);
}

#[test]
fn exit_1_the_target_exists() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("jobs.zip"), b"earlier").expect("write");
    assert_block(
        "exit_1",
        &run(sandbox.cmd(&emu).args(["export", "job_batch"])),
        1,
    );
}

#[test]
fn exit_2_no_credentials() {
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .bare()
        .env("DATAARTS_ENDPOINT", "http://127.0.0.1:9")
        .args(["export", "job_batch"]));
    let text = stderr(&output).replace(&sandbox.home.path().display().to_string(), "[HOME]");
    assert_eq!(code(&output), 2, "{text}");
    insta::with_settings!({filters => filters(), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("exit_2", text);
    });
}

#[test]
fn exit_2_an_unknown_region() {
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .bare()
        .env("HUAWEICLOUD_SDK_AK", "AK")
        .env("HUAWEICLOUD_SDK_SK", "SK-never-shown")
        .args(["list", "--region", "cn-nrth-4"]));
    assert_block("exit_2_region", &output, 2);
}

#[test]
fn exit_3_a_wrong_secret_key() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd(&emu)
        .env("HUAWEICLOUD_SDK_SK", "not-the-right-secret-key")
        .args(["list", "--type", "batch"]));
    // The echoed canonical request holds the date: keep the block's shape.
    let text = stderr(&output);
    let text = match text.find("canonicalRequest: ") {
        Some(at) => {
            let end = text[at..].find(" (HTTP").map_or(text.len(), |e| at + e);
            format!("{}canonicalRequest: [ECHO]{}", &text[..at], &text[end..])
        }
        None => text,
    };
    assert_eq!(code(&output), 3, "{text}");
    insta::with_settings!({filters => filters(), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("exit_3", text);
    });
}

#[test]
fn exit_4_an_unknown_job() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    assert_block(
        "exit_4",
        &run(sandbox.cmd(&emu).args(["export", "no_such_job"])),
        4,
    );
}

#[test]
fn exit_5_a_permanent_503() {
    let emu = Emu::with(|c| {
        c.faults = Faults {
            fail_status: Some(503),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args(["-q", "export", "job_batch"]));
    assert_block("exit_5", &output, 5);
}

#[test]
fn exit_5_nothing_listens() {
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd_at("http://127.0.0.1:1").args([
        "-q",
        "export",
        "job_batch",
        "--retries",
        "1",
    ]));
    assert_block("exit_5_connect", &output, 5);
}

#[test]
fn exit_6_a_hostile_archive() {
    let server = RawServer::start(2, |_| {
        Reply::zip(zips::with_name(b"jobs/../../evil.job", b"x"))
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd_at(&server.endpoint).args(["export", "a", "-x"]));
    assert_block("exit_6", &output, 6);
}

#[cfg(unix)]
#[test]
fn exit_130_interrupted() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let emu = Emu::with(|c| {
        c.faults = Faults {
            first_byte_delay: Some(Duration::from_secs(30)),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    let child = sandbox
        .std_cmd(&emu)
        .args(["export", "job_batch"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while emu.exports().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert_block("exit_130", &output, 130);
}

#[test]
fn exit_7_drift() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    assert_eq!(code(&run(sandbox.cmd(&emu).args(["backup", "mirror"]))), 0);
    std::fs::write(
        sandbox.path("mirror/jobs/job_batch/job_batch.job"),
        "edited by hand",
    )
    .expect("write");
    let output = run(sandbox
        .cmd(&emu)
        .args(["-q", "backup", "mirror", "--check"]));
    assert_block("exit_7", &output, 7);
}

#[test]
fn exit_8_a_job_that_fails_to_import() {
    let emu = Emu::with(|c| c.fail_import = vec!["job_stream".to_string()]);
    let sandbox = Sandbox::new();
    assert_eq!(
        code(&run(sandbox.cmd(&emu).args([
            "export",
            "job_batch",
            "job_stream"
        ]))),
        0
    );
    let output = run(sandbox.cmd(&emu).args([
        "-q",
        "import",
        "jobs.zip",
        "--obs-bucket",
        "staging",
        "--same-name",
        "overwrite",
    ]));
    assert_block("exit_8", &output, 8);
}
