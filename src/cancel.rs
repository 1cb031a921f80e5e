//! Cancellation: what a run does when Ctrl-C or SIGTERM arrives.
//!
//! `main` drops the command's future, which removes temporary files through
//! their destructors; blocking work (extraction, merging) cannot be dropped, so
//! it polls a shared flag and stops with [`Interrupted`].

use std::sync::atomic::{AtomicBool, Ordering};

/// The run was cancelled by Ctrl-C or SIGTERM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// `Err(Interrupted)` once `flag` is set.
pub fn check(flag: &AtomicBool) -> Result<(), Interrupted> {
    if flag.load(Ordering::Relaxed) {
        Err(Interrupted)
    } else {
        Ok(())
    }
}
