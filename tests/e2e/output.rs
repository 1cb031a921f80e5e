//! What users see on their terminals and in their pipes: closed and full
//! stdout, tables, progress, colour, `-o -`.

use std::process::Stdio;
use std::time::Duration;

use crate::common::pty::{self, Attach};
use crate::common::{
    assert_no_secrets, code, expect_code, run, stderr, write_workspace, Emu, Sandbox,
};

/// Runs the command with stdout's read end closed before it writes.
fn with_closed_stdout(mut command: std::process::Command) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    assert_no_secrets(&output);
    output
}

fn assert_quiet_end(what: &str, output: &std::process::Output, expected: i32) {
    let text = stderr(output);
    assert!(!text.contains("panicked"), "{what}: {text}");
    assert_ne!(code(output), 101, "{what}: {text}");
    assert_eq!(code(output), expected, "{what}: {text}");
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("list", vec!["list"]),
        ("list --json", vec!["list", "--json"]),
        (
            "export --dry-run",
            vec![
                "export",
                "--dry-run",
                "--batch-size",
                "1",
                "job_batch",
                "job_stream",
            ],
        ),
        (
            "export --json",
            vec!["export", "job_batch", "--json", "-o", "json.zip"],
        ),
        (
            "export -o -",
            vec!["export", "job_batch", "job_stream", "-o", "-"],
        ),
        ("completions", vec!["completions", "bash"]),
    ];
    for (what, args) in cases {
        let mut command = sandbox.std_cmd(&emu);
        command.args(&args);
        let output = with_closed_stdout(command);
        assert_quiet_end(what, &output, 0);
        if what == "export -o -" {
            // The summary does not claim the archive reached the reader.
            assert!(
                stderr(&output).contains("to stdout, which its reader closed before the end"),
                "{}",
                stderr(&output)
            );
        }
    }
    // The archive of `--json` was written all the same.
    assert!(sandbox.path("json.zip").exists());

    let mut command = sandbox.std_cmd(&emu);
    command.args(["export", "job_batch", "-o", "unpack-me.zip"]);
    expect_code(&command.output().expect("runs"), 0);
    let mut command = sandbox.std_bare();
    command.args(["unpack", "unpack-me.zip", "-C", "out", "--json"]);
    assert_quiet_end("unpack --json", &with_closed_stdout(command), 0);

    let mut command = sandbox.std_bare();
    command.args(["demo", "-C", "demo"]);
    assert_quiet_end("demo", &with_closed_stdout(command), 0);
}

/// Linux has `/dev/full` (every write fails with ENOSPC).
#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("Linux has /dev/full");
    let output = sandbox
        .std_cmd(&emu)
        .args(["list", "--json"])
        .stdout(Stdio::from(full))
        .output()
        .expect("runs");
    assert_quiet_end("list --json > /dev/full", &output, 1);
    assert!(
        stderr(&output).contains("cannot write to stdout"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn list_prints_a_table_on_a_terminal_and_names_when_piped() {
    let data = tempfile::tempdir().expect("tempdir");
    write_workspace(
        data.path(),
        &[("etl_daily", "BATCH", &[]), ("stream_a", "REAL_TIME", &[])],
    );
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let shown = pty::run(
        sandbox.std_cmd(&emu).arg("list"),
        Attach::Stdout,
        Duration::from_secs(60),
    );
    assert_eq!(shown.code, Some(0), "{}", shown.other);
    let lines: Vec<&str> = shown.terminal.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("UPDATED"),
        "{}",
        shown.terminal
    );
    assert!(
        lines[1].starts_with("etl_daily ") && lines[1].contains("BATCH"),
        "{}",
        shown.terminal
    );
    assert!(
        lines[1].ends_with(" ago") || lines[1].ends_with("just now"),
        "{}",
        shown.terminal
    );

    let piped = run(sandbox.cmd(&emu).arg("list"));
    assert_eq!(
        String::from_utf8_lossy(&piped.stdout),
        "etl_daily\nstream_a\n"
    );
    let long = run(sandbox.cmd(&emu).args(["list", "--long"]));
    let text = String::from_utf8_lossy(&long.stdout).into_owned();
    let row: Vec<&str> = text.lines().nth(1).expect("a row").split('\t').collect();
    assert_eq!(row[0], "etl_daily");
    assert_eq!(row[1], "BATCH");
    assert!(
        row[4].ends_with('Z') && row[4].contains('T'),
        "ISO-8601 UTC: {text}"
    );
}

#[test]
fn the_archive_is_refused_to_a_terminal() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let shown = pty::run(
        sandbox
            .std_cmd(&emu)
            .args(["export", "job_batch", "-o", "-"]),
        Attach::Stdout,
        Duration::from_secs(60),
    );
    assert_eq!(shown.code, Some(2), "{}", shown.other);
    assert!(
        shown.other.contains("redirect it or use -o FILE"),
        "{}",
        shown.other
    );
    assert!(emu.exports().is_empty(), "no request was sent");
}

#[test]
fn errors_are_coloured_on_a_terminal_unless_no_color() {
    let sandbox = Sandbox::new();
    let mut command = sandbox.std_bare();
    command
        .args(["export", "job_batch"])
        .env("DATAARTS_ENDPOINT", "http://127.0.0.1:9");
    let shown = pty::run(&mut command, Attach::Stderr, Duration::from_secs(60));
    assert_eq!(shown.code, Some(2));
    assert!(
        shown.terminal.contains("\x1b[1;31merror:\x1b[0m"),
        "{:?}",
        shown.terminal
    );
    assert!(!shown.terminal.contains("panicked"));
    assert!(
        shown.terminal.contains("\x1b[1;36mhint:\x1b[0m"),
        "{:?}",
        shown.terminal
    );

    command.env("NO_COLOR", "1");
    let plain = pty::run(&mut command, Attach::Stderr, Duration::from_secs(60));
    assert!(
        plain.terminal.starts_with("error: "),
        "{:?}",
        plain.terminal
    );
    assert!(!plain.terminal.contains('\x1b'), "{:?}", plain.terminal);

    let piped = run(sandbox
        .bare()
        .args(["export", "job_batch"])
        .env("DATAARTS_ENDPOINT", "http://127.0.0.1:9"));
    assert!(!stderr(&piped).contains('\x1b'));
}

#[test]
fn progress_shows_on_a_terminal_and_clears_its_line() {
    let data = tempfile::tempdir().expect("tempdir");
    let names: Vec<String> = (0..30).map(|i| format!("job_{i:02}")).collect();
    let specs: Vec<crate::common::JobSpec<'_>> = names
        .iter()
        .map(|n| (n.as_str(), "BATCH", &[][..]))
        .collect();
    write_workspace(data.path(), &specs);
    let emu = Emu::with(|c| {
        c.data = Some(data.path().to_path_buf());
        c.faults.latency = Some(Duration::from_millis(150));
    });
    let sandbox = Sandbox::new();
    let shown = pty::run(
        sandbox
            .std_cmd(&emu)
            .args(["export", "--all", "--batch-size", "5", "--parallel", "2"]),
        Attach::Stderr,
        Duration::from_secs(60),
    );
    assert_eq!(shown.code, Some(0), "{}", shown.terminal);
    assert!(
        shown.terminal.contains("listing jobs"),
        "a listing spinner: {:?}",
        shown.terminal
    );
    assert!(
        shown.terminal.contains("batches"),
        "a bar over batches: {:?}",
        shown.terminal
    );
    assert!(
        shown.terminal.contains("ETA"),
        "an ETA: {:?}",
        shown.terminal
    );
    // The summary names at most 10 jobs and counts the whole run's requests.
    let summary = shown
        .terminal
        .lines()
        .rev()
        .find(|l| l.contains("exported 30 jobs"))
        .expect("summary");
    assert!(summary.contains("and 20 more"), "{summary}");
    assert!(
        summary.contains("8 requests"),
        "2 listings + 6 batches: {summary}"
    );
}

#[test]
fn a_retry_is_announced_without_a_terminal() {
    let emu = Emu::with(|c| {
        c.faults.fail_first = Some(1);
        c.faults.retry_after = Some(0);
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args(["export", "job_batch"]));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("retrying after HTTP 503 in 0.0s (attempt 2 of 4)"),
        "{}",
        stderr(&output)
    );
    let quiet = run(sandbox
        .cmd(&emu)
        .args(["-q", "export", "job_batch", "--force"]));
    expect_code(&quiet, 0);
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));
}

#[cfg(unix)]
#[test]
fn ctrl_c_clears_the_progress_line() {
    let emu = Emu::with(|c| c.faults.first_byte_delay = Some(Duration::from_secs(30)));
    let sandbox = Sandbox::new();
    let mut command = sandbox.std_cmd(&emu);
    command.args(["export", "job_batch"]);
    // Interrupt from a thread once the request reached the emulator and the
    // progress line is on the terminal.
    let log = emu.log.clone();
    let (pid_tx, pid_rx) = std::sync::mpsc::channel::<(u32, pty::Shown)>();
    let killer = std::thread::spawn(move || {
        let Ok((pid, terminal)) = pid_rx.recv_timeout(Duration::from_secs(20)) else {
            return;
        };
        let drawn = || {
            let bytes = terminal
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            String::from_utf8_lossy(&bytes).contains("exporting")
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while (std::fs::read_to_string(&log).map_or(true, |t| !t.contains("batch-export"))
            || !drawn())
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status();
    });
    let shown = pty::run_with(
        &mut command,
        Attach::Stderr,
        Duration::from_secs(60),
        |pid, terminal| {
            let _ = pid_tx.send((pid, terminal));
        },
    );
    killer.join().expect("killer");
    assert_eq!(shown.code, Some(130), "{:?}", shown.terminal);
    assert!(
        shown.terminal.contains("exporting"),
        "the spinner drew: {:?}",
        shown.terminal
    );
    // The last thing on the terminal: the line cleared, then the error.
    let tail = shown.terminal.rsplit('\r').next().unwrap_or_default();
    assert!(tail.starts_with("\x1b[2K"), "{:?}", shown.terminal);
    assert!(
        tail.contains("interrupted") && !tail.contains("exporting"),
        "{tail:?}"
    );
}
