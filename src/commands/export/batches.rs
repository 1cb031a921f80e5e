//! The batch requests of one export, sent `--parallel` at a time, and
//! `--keep-going`'s isolation of refused names by halving.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Context;

use crate::api::{ApiError, Client};
use crate::download::{self, Target, TempFile, Written};
use crate::ui::Bar;

use super::{export_request, Failed, Plan};

/// One batch's archive, waiting to be merged.
pub(super) struct Part {
    pub(super) index: usize,
    pub(super) label: String,
    pub(super) names: Vec<String>,
    /// Closed once written: open files stay bounded however many batches.
    pub(super) target: TempFile,
}

/// State shared by the batches of one run.
pub(super) struct Run<'a> {
    pub(super) client: &'a Client,
    pub(super) plan: &'a Plan,
    pub(super) bar: Bar,
    pub(super) work_dir: PathBuf,
    pub(super) limits: download::Limits,
    pub(super) batches_done: AtomicU32,
    pub(super) batches: u32,
}

impl Run<'_> {
    pub(super) fn temp(&self) -> anyhow::Result<Target> {
        Target::temp_in(&self.work_dir, ".dataarts-jobs-batch-")
    }

    /// Exports `names` into `target`; `Ok(Err(api))` is a refusal that
    /// `--keep-going` may split.
    pub(super) async fn try_export(
        &self,
        names: &[String],
        target: &mut Target,
    ) -> anyhow::Result<Result<Written, ApiError>> {
        let request = export_request(self.plan, names);
        match self
            .client
            .export_to(&request, target, &self.limits, &self.bar)
            .await
        {
            Ok(written) => Ok(Ok(written)),
            Err(error) if self.plan.keep_going && is_refusal(&error) => {
                match error.downcast::<ApiError>() {
                    Ok(api) => Ok(Err(api)),
                    Err(error) => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// `--keep-going`: splits refused name lists in halves until the refused
    /// names are isolated (at most 2n-1 requests for n names).
    pub(super) async fn isolate(
        &self,
        index: usize,
        mut queue: Vec<Vec<String>>,
        parts: &mut Vec<Part>,
        failed: &mut Vec<Failed>,
    ) -> anyhow::Result<()> {
        while let Some(names) = queue.pop() {
            let mut target = self.temp()?;
            match self.try_export(&names, &mut target).await? {
                Ok(_) => parts.push(Part {
                    index,
                    label: batch_label(index, &names),
                    names,
                    target: target.close(),
                }),
                Err(refusal) if names.len() == 1 => failed.push(Failed::new(&names[0], &refusal)),
                Err(_) => {
                    let (left, right) = names.split_at(names.len() / 2);
                    // Popped from the end: keep the original order.
                    queue.push(right.to_vec());
                    queue.push(left.to_vec());
                }
            }
        }
        Ok(())
    }

    pub(super) async fn batch(
        &self,
        index: usize,
        names: Vec<String>,
    ) -> anyhow::Result<(Vec<Part>, Vec<Failed>)> {
        let mut parts = Vec::new();
        let mut failed = Vec::new();
        self.isolate(index, vec![names], &mut parts, &mut failed)
            .await
            .with_context(|| format!("exporting batch {} of {}", index + 1, self.batches))?;
        let done = self.batches_done.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar
            .set_batches(u64::from(done), u64::from(self.batches));
        Ok((parts, failed))
    }
}

fn batch_label(index: usize, names: &[String]) -> String {
    match names {
        [one] => format!("batch {} ({one})", index + 1),
        [first, .., last] => format!("batch {} ({first} … {last})", index + 1),
        [] => format!("batch {}", index + 1),
    }
}

/// A 4xx refusal of some names (not auth, throttling or a wrong endpoint).
fn is_refusal(error: &anyhow::Error) -> bool {
    error.downcast_ref::<ApiError>().is_some_and(|api| {
        matches!(api.status(), Some(400..=499))
            && !matches!(api.status(), Some(401 | 403 | 404 | 429))
    })
}
