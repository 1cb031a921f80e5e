//! The download path: concurrent runs on one `-o`, what `-o` may be, and
//! limits against a hostile server (an endless body, a trickle).

// mkfifo and setrlimit are libc calls; each `unsafe` block says why it holds.
#![allow(unsafe_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dataarts_jobs::emulator::Faults;

use crate::common::*;

/// Temporary files (`.<name>.<random>.part`) and staging folders left in
/// the sandbox (by name: nothing is opened, a FIFO may be there).
fn leftovers(sandbox: &Sandbox) -> Vec<String> {
    std::fs::read_dir(sandbox.dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|k| k.ends_with(".part") || k.contains(".dataarts-jobs"))
        .collect()
}

/// A workspace whose one job `shared` has a script of `marker`'s bytes.
fn workspace(marker: &str) -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("tempdir");
    write_workspace(
        data.path(),
        &[("shared", "BATCH", &[("which.script", marker)])],
    );
    data
}

fn which(sandbox: &Sandbox, path: &str) -> Vec<u8> {
    zip_entries(&sandbox.path(path))
        .remove("jobs/shared/which.script")
        .expect("the script is in the archive")
}

/// Starts `export shared -o same.zip --force` against the slow emulator and
/// waits (bounded) until its request has arrived there.
fn start_slow(sandbox: &Sandbox, slow: &Emu, extra: &[&str]) -> std::process::Child {
    let child = sandbox
        .std_cmd(slow)
        .args(["export", "shared", "-o", "same.zip", "--force"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while slow.exports().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!slow.exports().is_empty(), "the slow run's request arrived");
    child
}

#[test]
fn two_runs_on_one_output_each_end_with_a_complete_archive_the_later_winning() {
    let (data_a, data_b) = (workspace("from A"), workspace("from B"));
    let slow = Emu::with(|c| {
        c.data = Some(data_a.path().to_path_buf());
        c.faults = Faults {
            first_byte_delay: Some(Duration::from_secs(5)),
            ..Faults::default()
        };
    });
    let fast = Emu::with(|c| c.data = Some(data_b.path().to_path_buf()));
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("same.zip"), b"earlier backup").expect("write");

    let a = start_slow(&sandbox, &slow, &[]);
    // B starts and finishes while A waits for its first byte.
    let b = run(sandbox
        .cmd(&fast)
        .args(["export", "shared", "-o", "same.zip", "--force"]));
    expect_code(&b, 0);
    assert_eq!(which(&sandbox, "same.zip"), b"from B");
    let a = a.wait_with_output().expect("wait");
    expect_code(&a, 0);
    // A renamed last: its archive, complete, stands.
    assert_eq!(which(&sandbox, "same.zip"), b"from A");
    assert!(leftovers(&sandbox).is_empty(), "{:?}", leftovers(&sandbox));
}

#[test]
fn a_run_that_fails_leaves_the_other_runs_archive_and_no_temporary_file() {
    let (data_a, data_b) = (workspace("from A"), workspace("from B"));
    let slow = Emu::with(|c| {
        c.data = Some(data_a.path().to_path_buf());
        c.faults = Faults {
            first_byte_delay: Some(Duration::from_secs(5)),
            ..Faults::default()
        };
    });
    let cut = Emu::with(|c| {
        c.data = Some(data_b.path().to_path_buf());
        c.faults = Faults {
            truncate_body: Some(60),
            ..Faults::default()
        };
    });
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("same.zip"), b"earlier backup").expect("write");

    let a = start_slow(&sandbox, &slow, &[]);
    // B's body is cut short while A waits: B fails and touches nothing of A's.
    let b = run(sandbox.cmd(&cut).args([
        "export",
        "shared",
        "-o",
        "same.zip",
        "--force",
        "--retries",
        "0",
    ]));
    expect_code(&b, 5);
    assert!(stderr(&b).contains("cut short"), "{}", stderr(&b));
    assert_eq!(
        std::fs::read(sandbox.path("same.zip")).expect("read"),
        b"earlier backup"
    );
    let a = a.wait_with_output().expect("wait");
    expect_code(&a, 0);
    assert_eq!(which(&sandbox, "same.zip"), b"from A");
    assert!(leftovers(&sandbox).is_empty(), "{:?}", leftovers(&sandbox));
}

#[test]
fn output_must_be_absent_or_a_regular_file() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let fifo = sandbox.path("pipe.zip");
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a NUL-terminated path and a mode.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0, "mkfifo");
    std::fs::create_dir(sandbox.path("folder.zip")).expect("mkdir");
    std::os::unix::fs::symlink("/dev/null", sandbox.path("null.zip")).expect("symlink");
    for (output, kind) in [
        ("pipe.zip", "a FIFO"),
        ("folder.zip", "a directory"),
        ("null.zip", "a device"),
    ] {
        for force in [false, true] {
            let mut args = vec!["export", "job_batch", "-o", output];
            if force {
                args.push("--force");
            }
            let out = run(sandbox.cmd(&emu).args(&args));
            expect_code(&out, 2);
            assert!(
                stderr(&out).contains(output) && stderr(&out).contains(kind),
                "{}",
                stderr(&out)
            );
        }
    }
    assert!(emu.requests().is_empty(), "refused before any request");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo)
        .expect("lstat")
        .file_type()
        .is_fifo());
    assert!(sandbox.path("folder.zip").is_dir());
    assert!(std::fs::symlink_metadata(sandbox.path("null.zip"))
        .expect("lstat")
        .file_type()
        .is_symlink());
    assert!(leftovers(&sandbox).is_empty(), "{:?}", leftovers(&sandbox));
}

/// A loopback server whose export answer is `body` (given the stream and a
/// deadline); serves at most `max` connections and stops by itself.
struct Hostile {
    endpoint: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Hostile {
    fn start(
        max: usize,
        body: impl Fn(&mut std::net::TcpStream, &dyn Fn() -> bool) + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&requests);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        listener.set_nonblocking(true).expect("nonblocking");
        let handle = std::thread::spawn(move || {
            // Never longer than a minute, whatever the client does, and not
            // past the end of the test.
            let deadline = Instant::now() + Duration::from_secs(60);
            let done = || stopped.load(Ordering::SeqCst) || Instant::now() > deadline;
            let mut served = 0;
            while served < max && !done() {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                served += 1;
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
                if read_request(&mut stream) {
                    seen.fetch_add(1, Ordering::SeqCst);
                    body(&mut stream, &done);
                }
            }
        });
        Self {
            endpoint,
            requests,
            stop,
            handle: Some(handle),
        }
    }

    fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Reads a request's head and its Content-Length body.
fn read_request(stream: &mut std::net::TcpStream) -> bool {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > 1 << 20 {
            return false;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buffer.len() < end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

#[test]
fn an_endless_body_stops_at_max_size_without_a_retry() {
    let server = Hostile::start(4, |stream, done| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let mut block = vec![b'x'; 64 * 1024];
        block[..4].copy_from_slice(b"PK\x03\x04");
        let frame = [
            format!("{:x}\r\n", block.len()).into_bytes(),
            block,
            b"\r\n".to_vec(),
        ]
        .concat();
        // Until the client hangs up (or 4 GiB, or the deadline).
        for _ in 0..65_536 {
            if done() || stream.write_all(&frame).is_err() {
                return;
            }
        }
    });
    let sandbox = Sandbox::new();
    let started = Instant::now();
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(["export", "a", "--max-size", "1MiB"]));
    expect_code(&output, 5);
    assert!(
        stderr(&output).contains("larger than the limit of 1.0 MiB"),
        "{}",
        stderr(&output)
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(server.count(), 1, "a body over the limit is not retried");
    assert!(
        sandbox.snapshot().is_empty(),
        "{:?}",
        sandbox.snapshot().keys()
    );
}

#[test]
fn a_trickle_slower_than_1_kib_per_second_times_out_and_is_retried() {
    let server = Hostile::start(4, |stream, done| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\nPK\x03\x04";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        // 50 bytes a second: never silent for long, always too slow.
        while !done() {
            if stream.write_all(b"z").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let sandbox = Sandbox::new();
    let started = Instant::now();
    let output = run(sandbox.cmd_at(&server.endpoint).args([
        "export",
        "a",
        "--timeout",
        "1",
        "--retries",
        "1",
    ]));
    expect_code(&output, 5);
    let text = stderr(&output);
    assert!(
        text.contains("timed out") && text.contains("1024 bytes/s"),
        "{text}"
    );
    assert!(text.contains("2 attempts"), "{text}");
    assert_eq!(server.count(), 2, "retried like a timeout");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(
        sandbox.snapshot().is_empty(),
        "{:?}",
        sandbox.snapshot().keys()
    );
}

/// A body that stops arriving is a timeout (retried), said as one: not "cut
/// short", not a broken connection.
#[test]
fn a_body_that_stops_arriving_is_a_timeout_and_is_retried() {
    let emu = Emu::with(|c| {
        c.faults = Faults {
            first_byte_delay: Some(Duration::from_secs(3)),
            ..Faults::default()
        }
    });
    let sandbox = Sandbox::new();
    let output =
        run(sandbox
            .cmd(&emu)
            .args(["export", "job_batch", "--timeout", "1", "--retries", "1"]));
    expect_code(&output, 5);
    let text = stderr(&output);
    assert!(
        text.contains("retrying after a body that stopped arriving"),
        "{text}"
    );
    assert!(
        text.contains("timed out: nothing arrived for 1s after 0 bytes (gave up after 2 attempts"),
        "{text}"
    );
    assert!(text.contains("raise --timeout"), "{text}");
    assert!(!text.contains("cut short"), "{text}");
    assert_eq!(emu.exports().len(), 2);
    assert!(leftovers(&sandbox).is_empty(), "{:?}", leftovers(&sandbox));
}

/// A listing page that never ends is refused at the 64 MiB JSON limit, once,
/// without a retry and without writing anything.
#[test]
fn an_endless_listing_page_stops_at_the_json_limit_without_a_retry() {
    let server = Hostile::start(4, |stream, done| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        let opening = br#"{"total":1,"jobs":[{"name":""#;
        let frame = |bytes: &[u8]| {
            [
                format!("{:x}\r\n", bytes.len()).into_bytes(),
                bytes.to_vec(),
                b"\r\n".to_vec(),
            ]
            .concat()
        };
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&frame(opening)).is_err()
        {
            return;
        }
        let name = frame(&vec![b'a'; 64 * 1024]);
        // Until the client hangs up (or 4 GiB, or the deadline).
        for _ in 0..65_536 {
            if done() || stream.write_all(&name).is_err() {
                return;
            }
        }
    });
    let sandbox = Sandbox::new();
    let started = Instant::now();
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(["list", "--type", "batch"]));
    expect_code(&output, 5);
    let text = stderr(&output);
    assert!(text.contains("is larger than 64.0 MiB"), "{text}");
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    assert_eq!(server.count(), 1, "a body over the limit is not retried");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(
        sandbox.snapshot().is_empty(),
        "{:?}",
        sandbox.snapshot().keys()
    );
}

/// A listing page announced larger than the limit is refused before its
/// body is read.
#[test]
fn a_listing_page_announced_over_the_json_limit_is_refused_unread() {
    let server = Hostile::start(4, |stream, _| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{{",
            65 * 1024 * 1024
        );
        let _ = stream.write_all(head.as_bytes());
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(["backup", "mirror", "--json"]));
    expect_code(&output, 5);
    let text = stdout(&output);
    assert!(text.contains("is larger than 64.0 MiB"), "{text}");
    assert!(!stderr(&output).contains("retrying"), "{}", stderr(&output));
    assert!(
        !sandbox.path("mirror").exists(),
        "bad input changes nothing"
    );
}

/// A listing page that trickles in is a timeout, retried like one.
#[test]
fn a_trickling_listing_page_times_out_and_is_retried() {
    let server = Hostile::start(4, |stream, done| {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        while !done() {
            if stream.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let sandbox = Sandbox::new();
    let started = Instant::now();
    let output = run(sandbox.cmd_at(&server.endpoint).args([
        "list",
        "--type",
        "batch",
        "--timeout",
        "1",
        "--retries",
        "1",
    ]));
    expect_code(&output, 5);
    let text = stderr(&output);
    assert!(text.contains("arrived too slowly"), "{text}");
    assert!(text.contains("2 attempts"), "{text}");
    assert_eq!(server.count(), 2, "retried like a timeout");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// An error answer whose body trickles in is shown from what arrived within
/// one timeout, never waited on for as long as the server keeps sending.
#[test]
fn a_trickling_error_body_is_cut_at_one_timeout() {
    let server = Hostile::start(4, |stream, done| {
        let head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"error_code\":\"DLF.0100\"";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        // Fast enough for the per-read timeout, far too slow to finish.
        while !done() {
            if stream.write_all(b" ").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let sandbox = Sandbox::new();
    let started = Instant::now();
    let output =
        run(sandbox
            .cmd_at(&server.endpoint)
            .args(["list", "--type", "batch", "--timeout", "2"]));
    expect_code(&output, 4);
    assert!(stderr(&output).contains("HTTP 400"), "{}", stderr(&output));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

/// With every batch file held open until the merge, 200 batches need 200
/// descriptors; closed batch files keep a run within 64.
#[test]
fn many_batches_run_within_a_low_open_file_limit() {
    let data = tempfile::tempdir().expect("tempdir");
    let names = generated_names(200);
    let specs: Vec<JobSpec<'_>> = names
        .iter()
        .map(|n| (n.as_str(), "BATCH", &[][..]))
        .collect();
    write_workspace(data.path(), &specs);
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("names.txt"), names.join("\n")).expect("write");
    let mut command = sandbox.std_cmd(&emu);
    command.args(["export", "--jobs-from", "names.txt", "--batch-size", "1"]);
    // SAFETY: setrlimit is async-signal-safe; it runs in the child before exec.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 64,
                rlim_max: 64,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let output = run(assert_cmd::Command::from_std(command).timeout(Duration::from_secs(300)));
    expect_code(&output, 0);
    assert_eq!(emu.exports().len(), 200);
    assert_eq!(zip_entries(&sandbox.path("jobs.zip")).len(), 200);
    assert!(leftovers(&sandbox).is_empty(), "{:?}", leftovers(&sandbox));
}
