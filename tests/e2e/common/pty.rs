//! Running the binary with a pseudo-terminal as stdout and/or stderr, for
//! behaviour that depends on one (progress, tables, colour, `-o -`).

#![allow(unsafe_code)]

use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a run under a terminal produced.
pub struct TerminalOutput {
    pub code: Option<i32>,
    /// Everything written to the terminal (stdout and/or stderr, as chosen).
    pub terminal: String,
    /// Whichever stream was not the terminal.
    pub other: String,
}

/// Which streams get the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attach {
    Stdout,
    Stderr,
    Both,
}

fn openpty() -> (OwnedFd, OwnedFd) {
    let mut master = -1;
    let mut slave = -1;
    // SAFETY: openpty writes two descriptors into the given ints; the name,
    // termios and window-size arguments may be null.
    let result = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(result, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Runs `command` (bounded by `timeout`) with the terminal on `attach`.
pub fn run(command: &mut Command, attach: Attach, timeout: Duration) -> TerminalOutput {
    run_with(command, attach, timeout, |_, _| {})
}

/// What the terminal has shown so far, while the command runs.
pub type Shown = Arc<Mutex<Vec<u8>>>;

/// [`run`], telling `spawned` the child's process id once it started, and
/// what the terminal shows as it arrives.
pub fn run_with(
    command: &mut Command,
    attach: Attach,
    timeout: Duration,
    spawned: impl FnOnce(u32, Shown),
) -> TerminalOutput {
    let (master, slave) = openpty();
    let slave_file = File::from(slave);
    let to_terminal = || Stdio::from(slave_file.try_clone().expect("dup"));
    match attach {
        Attach::Stdout => command.stdout(to_terminal()).stderr(Stdio::piped()),
        Attach::Stderr => command.stderr(to_terminal()).stdout(Stdio::piped()),
        Attach::Both => command.stdout(to_terminal()).stderr(to_terminal()),
    };
    // A terminal program needs to know what terminal it is on.
    command.stdin(Stdio::null()).env("TERM", "xterm");
    let mut child = command.spawn().expect("spawn");
    let shown: Shown = Arc::default();
    spawned(child.id(), Arc::clone(&shown));
    // The command keeps its copies of the terminal until they are replaced:
    // the terminal only reaches its end once every copy is closed.
    command.stdout(Stdio::null()).stderr(Stdio::null());
    drop(slave_file);
    let mut master = File::from(master);
    let reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        // EIO once the last writer is gone: the end of the output.
        while let Ok(read) = master.read(&mut buffer) {
            if read == 0 {
                break;
            }
            shown
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend_from_slice(&buffer[..read]);
        }
        std::mem::take(
            &mut *shown
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    });
    let mut other = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut other);
    } else if let Some(mut pipe) = child.stdout.take() {
        let _ = pipe.read_to_string(&mut other);
    }
    let deadline = Instant::now() + timeout;
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // The terminal's line discipline writes "\r\n" for "\n".
    let terminal = String::from_utf8_lossy(&reader.join().expect("reader")).replace("\r\n", "\n");
    TerminalOutput {
        code,
        terminal,
        other,
    }
}
