//! The `emulator` command as a user runs it: the lines it prints are enough
//! to point the client at it, and Ctrl-C stops it cleanly.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::*;

#[cfg(unix)]
#[test]
fn the_printed_lines_configure_a_client_and_ctrl_c_stops_it() {
    let sandbox = Sandbox::new();
    let mut emulator = sandbox
        .std_bare()
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--request-log",
            "requests.jsonl",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn emulator");
    let stdout = emulator.stdout.take().expect("stdout");
    let mut settings = Vec::new();
    for line in BufReader::new(stdout).lines().take(10) {
        let line = line.expect("line");
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            settings.push((name.to_string(), value.to_string()));
        }
        if line.starts_with("export DATAARTS_ENDPOINT=") {
            break;
        }
    }
    let names: Vec<&str> = settings.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_PROJECT_ID",
        "DATAARTS_ENDPOINT",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }

    let mut client = sandbox.bare();
    for (name, value) in &settings {
        client.env(name, value);
    }
    let output = client
        .args(["export", "job_batch", "job_stream"])
        .output()
        .expect("client runs");
    expect_code(&output, 0);
    assert_eq!(zip_entries(&sandbox.path("jobs.zip")).len(), 3);

    let killed = std::process::Command::new("kill")
        .args(["-INT", &emulator.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let finished = emulator.wait_with_output().expect("emulator exits");
    assert_eq!(
        finished.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&finished.stderr)
    );
    let log = std::fs::read_to_string(sandbox.path("requests.jsonl")).expect("request log");
    assert_eq!(log.lines().count(), 1);
}
