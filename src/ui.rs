//! What the user sees: the one place deciding whether progress bars show,
//! human messages on stderr, and error rendering.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::OutputArgs;
use crate::download::Progress;
use crate::exit;

/// Output policy for one run.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub quiet: bool,
    pub verbose: u8,
    bars: bool,
}

impl Ui {
    pub fn new(args: OutputArgs) -> Self {
        let terminal = std::io::stderr().is_terminal();
        Self {
            quiet: args.quiet,
            verbose: args.verbose,
            // Bars interleave badly with -v logs, and only make sense on a terminal.
            bars: terminal && !args.quiet && args.verbose == 0,
        }
    }

    /// A human message on stderr (suppressed by `-q`).
    pub fn info(&self, message: impl AsRef<str>) {
        if !self.quiet {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "{}", message.as_ref());
        }
    }

    /// A progress bar for `batches` batches of unknown total size; hidden unless allowed.
    pub fn download_bar(&self, batches: u64) -> Bar {
        if !self.bars {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{spinner} {bytes} ({bytes_per_sec}) {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message(format!("batches 0/{batches}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }

    /// A bar for extraction of `total` bytes.
    pub fn extract_bar(&self, total: u64) -> Bar {
        if !self.bars {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "extracting {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(bar)
    }
}

/// A progress bar (possibly hidden).
#[derive(Debug, Clone)]
pub struct Bar(ProgressBar);

impl Bar {
    pub fn set_batches(&self, done: u64, total: u64) {
        self.0.set_message(format!("batches {done}/{total}"));
    }

    pub fn inc(&self, n: u64) {
        self.0.inc(n);
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn add(&self, n: u64) {
        self.0.inc(n);
    }

    fn retract(&self, n: u64) {
        self.0.set_position(self.0.position().saturating_sub(n));
    }
}

/// Prints `error: ...`, `caused by: ...` lines and a hint, once, on stderr.
pub fn report_error(error: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    let mut chain = error.chain();
    if let Some(first) = chain.next() {
        let _ = writeln!(stderr, "error: {first}");
    }
    let mut previous = error.to_string();
    for cause in chain {
        let message = cause.to_string();
        // Transport errors already fold their sources into one message.
        if previous.contains(&message) {
            continue;
        }
        let _ = writeln!(stderr, "  caused by: {message}");
        previous = message;
    }
    if let Some(hint) = exit::hint_for(error) {
        let _ = writeln!(stderr, "hint: {hint}");
    }
}

/// `1.2 MiB`-style sizes for summaries.
pub fn human_bytes(bytes: u64) -> String {
    indicatif::HumanBytes(bytes).to_string()
}
