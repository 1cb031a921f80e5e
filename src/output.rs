//! The one owner of stdout and stderr (the way uv's `printer.rs` is): data to
//! stdout, everything for people to stderr, the progress policy, verbosity,
//! colour, and a closed pipe handled once.
//!
//! - stdout carries data only (names, JSON, an archive with `-o -`). When its
//!   reader goes away (`| head`), further data is dropped and the run ends
//!   with its own exit code; any other write error (a full disk behind
//!   `> /dev/full`) is returned to the caller.
//! - stderr carries messages (`info`, suppressed by `-q`), traces (`-v`),
//!   warnings and the error block; write errors there are ignored (nothing
//!   better can be done with them).
//! - `--json`: the run's one document is held until the run ends and
//!   written by [`Printer::finish_json`]; a run that fails adds its error
//!   object to it (or prints the error object alone), so stdout always holds
//!   exactly one JSON object.
//! - Progress bars and spinners show only when stderr is a terminal and
//!   without `-q`; messages and `-v` traces printed while a bar shows are
//!   printed above it, and a bar that is dropped (Ctrl-C drops the command's
//!   future) clears its line.
//!
//! Nothing else in the crate prints: `clippy::print_stdout`/`print_stderr`
//! are denied everywhere but here.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};
use serde::Serialize;

/// How a run talks to people, decided once from the flags and the terminals.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `-q`: errors only.
    pub quiet: bool,
    /// `-v` count: 1 = one line per request, 2 = and headers.
    pub verbose: u8,
    /// `--json`: a failure is reported as a JSON object on stdout too.
    pub json: bool,
}

/// Whether stdout and stderr are terminals, and whether colour is wanted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminals {
    pub stdout: bool,
    pub stderr: bool,
    /// `NO_COLOR` is unset (colour is used only on a terminal even then).
    pub colour_allowed: bool,
}

impl Terminals {
    /// The process's own stdout and stderr, and `NO_COLOR`.
    pub fn detect() -> Self {
        Self {
            stdout: io::stdout().is_terminal(),
            stderr: io::stderr().is_terminal(),
            colour_allowed: std::env::var_os(crate::env::NO_COLOR).is_none_or(|v| v.is_empty()),
        }
    }
}

/// The kinds of line on stderr that get a coloured label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Error,
    CausedBy,
    Hint,
    Warning,
}

impl Label {
    fn text(self) -> &'static str {
        match self {
            Label::Error => "error:",
            Label::CausedBy => "  caused by:",
            Label::Hint => "hint:",
            Label::Warning => "warning:",
        }
    }

    /// SGR codes: bold red, plain, bold cyan, bold yellow.
    fn style(self) -> Option<&'static str> {
        match self {
            Label::Error => Some("1;31"),
            Label::CausedBy => None,
            Label::Hint => Some("1;36"),
            Label::Warning => Some("1;33"),
        }
    }
}

/// The output object: cheap to clone, shared by every part of a run.
#[derive(Clone)]
pub struct Printer {
    inner: Arc<Inner>,
}

struct Inner {
    options: Options,
    terminals: Terminals,
    colour: bool,
    progress: bool,
    multi: MultiProgress,
    stdout_closed: AtomicBool,
    /// The run's JSON document, written when the run ends
    /// ([`Printer::finish_json`]), so a run that fails after it still
    /// prints one object, with its `error` added.
    json_pending: Mutex<Option<serde_json::Value>>,
    /// What an interrupted run said it leaves behind ([`Printer::left_behind`]).
    left_behind: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("options", &self.inner.options)
            .field("terminals", &self.inner.terminals)
            .finish_non_exhaustive()
    }
}

impl Printer {
    pub fn new(options: Options, terminals: Terminals) -> Self {
        // With `-v`, request lines are printed above the bars (suspended).
        let progress = terminals.stderr && !options.quiet;
        let multi = if progress {
            MultiProgress::with_draw_target(ProgressDrawTarget::stderr())
        } else {
            MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
        };
        Self {
            inner: Arc::new(Inner {
                options,
                terminals,
                colour: terminals.stderr && terminals.colour_allowed,
                progress,
                multi,
                stdout_closed: AtomicBool::new(false),
                json_pending: Mutex::new(None),
                left_behind: Mutex::new(Vec::new()),
            }),
        }
    }

    /// A printer for the process's own terminals.
    pub fn detect(options: Options) -> Self {
        Self::new(options, Terminals::detect())
    }

    pub fn quiet(&self) -> bool {
        self.inner.options.quiet
    }

    pub fn verbose(&self) -> u8 {
        self.inner.options.verbose
    }

    /// Whether the run was asked for JSON on stdout.
    pub fn json(&self) -> bool {
        self.inner.options.json
    }

    pub fn stdout_is_terminal(&self) -> bool {
        self.inner.terminals.stdout
    }

    /// Whether stderr gets colours (a terminal, and `NO_COLOR` unset).
    pub fn colour(&self) -> bool {
        self.inner.colour
    }

    /// Whether bars and spinners are drawn.
    pub fn shows_progress(&self) -> bool {
        self.inner.progress
    }

    // ---- stderr: for people ----

    /// A message for people (suppressed by `-q`).
    pub fn info(&self, line: impl AsRef<str>) {
        if !self.quiet() {
            self.stderr_line(line.as_ref());
        }
    }

    /// A line that is part of an error's report (`failed: NAME: ...`):
    /// shown even with `-q`, which prints errors only.
    pub fn error_line(&self, line: impl AsRef<str>) {
        self.stderr_line(line.as_ref());
    }

    /// `warning: ...` (suppressed by `-q`).
    pub fn warn(&self, message: impl AsRef<str>) {
        if !self.quiet() {
            self.labelled(Label::Warning, message.as_ref());
        }
    }

    /// A trace line, shown from `-v` (`level` 1) or `-vv` (`level` 2) on.
    pub fn trace(&self, level: u8, line: impl AsRef<str>) {
        if self.verbose() >= level {
            self.stderr_line(line.as_ref());
        }
    }

    /// A labelled line (`error:`, `hint:`...), shown even with `-q`.
    pub fn labelled(&self, label: Label, message: &str) {
        let mut text = String::new();
        match label.style().filter(|_| self.colour()) {
            Some(sgr) => {
                let _ = write!(text, "\x1b[{sgr}m{}\x1b[0m", label.text());
            }
            None => text.push_str(label.text()),
        }
        text.push(' ');
        text.push_str(message);
        self.stderr_line(&text);
    }

    fn stderr_line(&self, line: &str) {
        self.inner.multi.suspend(|| {
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "{line}");
        });
    }

    // ---- stdout: data ----

    /// Writes `bytes` to stdout. Once its reader has gone away this is a
    /// no-op; other failures are returned.
    pub fn data(&self, bytes: &[u8]) -> io::Result<()> {
        if self.stdout_closed() {
            return Ok(());
        }
        let mut stdout = io::stdout().lock();
        let written = stdout.write_all(bytes).and_then(|()| stdout.flush());
        self.absorb_closed(written)
    }

    /// One line of data (a name, a table row).
    pub fn line(&self, text: &str) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        bytes.extend_from_slice(text.as_bytes());
        bytes.push(b'\n');
        self.data(&bytes)
    }

    /// The run's JSON document: held until the run ends, then written
    /// pretty-printed with a trailing newline by [`Printer::finish_json`].
    /// A run prints one document; a second one writes the first out now.
    pub fn json_value(&self, value: &impl Serialize) -> io::Result<()> {
        let value = serde_json::to_value(value).map_err(io::Error::other)?;
        let earlier = self.pending().replace(value);
        match earlier {
            Some(earlier) => self.write_json(&earlier),
            None => Ok(()),
        }
    }

    /// Writes the run's JSON document as the run ends. A run that failed
    /// (`error`: the object for its `"error"` key) adds it to the document
    /// it made, or, having made none, prints `{"format": 1, "error": …}`:
    /// one object either way, so a redirected stdout is never empty.
    pub fn finish_json(&self, error: Option<serde_json::Value>) -> io::Result<()> {
        let pending = self.pending().take();
        let document = match (pending, error) {
            (Some(mut document), Some(error)) => {
                if let Some(object) = document.as_object_mut() {
                    object.entry("error").or_insert(error);
                }
                document
            }
            (Some(document), None) => document,
            (None, Some(error)) => serde_json::json!({"format": 1, "error": error}),
            (None, None) => return Ok(()),
        };
        self.write_json(&document)
    }

    /// Warns that a run that is being stopped leaves `text` behind (a task
    /// that may still run, a staged object), and keeps it for the error
    /// that ends the run (`--json` puts it in the error's message).
    pub fn left_behind(&self, text: &str) {
        self.labelled(Label::Warning, text);
        self.inner
            .left_behind
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(text.to_string());
    }

    /// What [`Printer::left_behind`] recorded, in order.
    pub fn left_behind_notes(&self) -> Vec<String> {
        self.inner
            .left_behind
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Option<serde_json::Value>> {
        self.inner
            .json_pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_json(&self, value: &serde_json::Value) -> io::Result<()> {
        let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
        bytes.push(b'\n');
        self.data(&bytes)
    }

    /// Copies `reader` to stdout in chunks (an archive with `-o -`).
    pub fn copy_to_stdout(&self, reader: &mut impl Read) -> io::Result<()> {
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            if self.stdout_closed() {
                return Ok(());
            }
            let read = match reader.read(&mut buffer) {
                Ok(0) => return Ok(()),
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            self.data(&buffer[..read])?;
        }
    }

    /// Whether stdout's reader has gone away.
    pub fn stdout_closed(&self) -> bool {
        self.inner.stdout_closed.load(Ordering::Relaxed)
    }

    fn absorb_closed(&self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.inner.stdout_closed.store(true, Ordering::Relaxed);
                Ok(())
            }
            other => other,
        }
    }

    // ---- progress ----

    /// A spinner with a message (e.g. `listing jobs… 1,200 of 1,500`).
    pub fn spinner(&self, message: impl Into<String>) -> Progress {
        let bar = self.add(ProgressBar::no_length());
        bar.set_style(style("{spinner} {msg} [{elapsed}]"));
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// A bar over `total` units: `{pos}/{len} {unit}`, a message (bytes and
    /// rate), and the ETA.
    pub fn bar(&self, total: u64, unit: &str) -> Progress {
        let bar = self.add(ProgressBar::new(total));
        let template =
            format!("{{spinner}} [{{bar:25}}] {{pos}}/{{len}} {unit}, {{msg}} (ETA {{eta}})");
        bar.set_style(style(&template));
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// A bar over `total` bytes (extraction).
    pub fn bytes_bar(&self, total: u64, label: &str) -> Progress {
        let bar = self.add(ProgressBar::new(total));
        let template = format!("{label} [{{bar:30}}] {{done}}/{{total}} ({{rate}}, ETA {{eta}})");
        bar.set_style(
            style(&template)
                .with_key(
                    "done",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = w.write_str(&size(state.pos()));
                    },
                )
                .with_key(
                    "total",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = w.write_str(&size(state.len().unwrap_or(0)));
                    },
                )
                .with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}/s", size(state.per_sec() as u64));
                    },
                ),
        );
        Progress { bar }
    }

    fn add(&self, bar: ProgressBar) -> ProgressBar {
        let bar = if self.inner.progress {
            bar
        } else {
            ProgressBar::hidden()
        };
        self.inner
            .multi
            .add(bar.with_finish(ProgressFinish::AndClear))
    }

    /// Clears every bar's line (on Ctrl-C, before the error is printed).
    pub fn clear_progress(&self) {
        let _ = self.inner.multi.clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// A bar or spinner (hidden when progress is off). Dropping it clears its line.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A progress that never draws (for work without a printer).
    pub fn hidden() -> Self {
        Self {
            bar: ProgressBar::hidden(),
        }
    }

    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    pub fn set_position(&self, position: u64) {
        self.bar.set_position(position);
    }

    pub fn set_length(&self, length: u64) {
        self.bar.set_length(length);
    }

    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Removes the line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A size in one style everywhere: `812 B`, `1.5 KiB`, `2.0 GiB` (binary
/// units, one decimal).
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1023.95 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A count with thousands separators: `1,500`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `n` with the noun in the right number: `1 job`, `2 jobs`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// At most `shown` names, then `and N more`: `a, b, c and 12 more`.
pub fn name_list(names: &[String], shown: usize) -> String {
    if names.len() <= shown {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..shown].join(", "),
        count((names.len() - shown) as u64)
    )
}

/// Epoch milliseconds as `2024-05-20T02:00:00Z` (UTC, whole seconds); the
/// number itself when it is out of range.
pub fn iso_utc(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_have_one_style() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1024), "1.0 KiB");
        assert_eq!(size(2228), "2.2 KiB");
        assert_eq!(size(1024 * 1024 - 1), "1.0 MiB");
        assert_eq!(size(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }

    #[test]
    fn times_are_utc_to_the_second() {
        assert_eq!(iso_utc(1_544_777_081_999), "2018-12-14T08:44:41Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso_utc(i64::MAX), i64::MAX.to_string());
    }

    #[test]
    fn counts_and_lists_read_well() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1500), "1,500");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(plural(1, "job", "jobs"), "1 job");
        assert_eq!(plural(2, "job", "jobs"), "2 jobs");
        let names: Vec<String> = (0..12).map(|i| format!("j{i}")).collect();
        assert_eq!(name_list(&names[..2], 10), "j0, j1");
        assert_eq!(
            name_list(&names, 10),
            "j0, j1, j2, j3, j4, j5, j6, j7, j8, j9 and 2 more"
        );
    }

    #[test]
    fn labels_are_coloured_only_on_a_colour_terminal() {
        let plain = Printer::new(Options::default(), Terminals::default());
        assert!(!plain.colour());
        let coloured = Printer::new(
            Options::default(),
            Terminals {
                stdout: false,
                stderr: true,
                colour_allowed: true,
            },
        );
        assert!(coloured.colour());
        let no_color = Printer::new(
            Options::default(),
            Terminals {
                stdout: false,
                stderr: true,
                colour_allowed: false,
            },
        );
        assert!(!no_color.colour());
    }

    #[test]
    fn progress_shows_only_on_a_terminal_without_quiet() {
        let terminal = Terminals {
            stdout: false,
            stderr: true,
            colour_allowed: true,
        };
        assert!(Printer::new(Options::default(), terminal).shows_progress());
        let quiet = Options {
            quiet: true,
            ..Options::default()
        };
        assert!(!Printer::new(quiet, terminal).shows_progress());
        let verbose = Options {
            verbose: 1,
            ..Options::default()
        };
        assert!(Printer::new(verbose, terminal).shows_progress());
        assert!(!Printer::new(Options::default(), Terminals::default()).shows_progress());
    }
}
