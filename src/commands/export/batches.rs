//! The batch requests of one export, sent `--parallel` at a time, with
//! `--keep-going`'s isolation of refused names by halving, and the merge of
//! several batches' archives into one. `backup` downloads through here too.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context as _;
use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::api::{ApiError, Client};
use crate::archive;
use crate::commands::Context;
use crate::download::{self, Target, TempFile, Written};
use crate::model::JobFailure;
use crate::output::Progress;

use super::{export_request, ByteProgress};

/// How names become export requests, and what each asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// Names per request (at most 100).
    pub batch_size: usize,
    /// Requests in flight.
    pub parallel: usize,
    /// Isolate the names a batch is refused for and export the rest.
    pub keep_going: bool,
    /// `exportDepend`.
    pub depend: bool,
    /// `exportStatus: "SUBMIT"`.
    pub submitted: bool,
}

/// What the downloads produced: one complete archive (not yet in place;
/// `None` when the API refused every name), and the names it refused (with
/// `--keep-going`).
#[derive(Debug)]
pub struct Downloaded {
    pub target: Option<Target>,
    pub failed: Vec<JobFailure>,
}

/// One batch's archive, waiting to be merged.
struct Part {
    index: usize,
    label: String,
    /// The names it holds.
    names: Vec<String>,
    /// Closed once written: open files stay bounded however many batches.
    file: TempFile,
}

/// Exports `names` as one batch into archives of their own in `work_dir`
/// (not merged: `migrate` imports each as it is), isolating refused names
/// by halving with `--keep-going`. Returns each archive with the names it
/// holds, and the names refused.
pub async fn export_parts(
    client: &Client,
    batching: &Batching,
    limits: &download::Limits,
    names: &[String],
    work_dir: &Path,
) -> anyhow::Result<(Vec<(Vec<String>, TempFile)>, Vec<JobFailure>)> {
    let run = Run {
        client,
        batching,
        limits,
        progress: ByteProgress::new(Progress::hidden()),
        bar: Progress::hidden(),
        work_dir: work_dir.to_path_buf(),
        batches: 1,
    };
    let mut parts = Vec::new();
    let mut failed = Vec::new();
    run.isolate(0, vec![names.to_vec()], &mut parts, &mut failed)
        .await?;
    Ok((
        parts
            .into_iter()
            .map(|part| (part.names, part.file))
            .collect(),
        failed,
    ))
}

/// State shared by the batches of one run.
struct Run<'a> {
    client: &'a Client,
    batching: &'a Batching,
    limits: &'a download::Limits,
    progress: Arc<ByteProgress>,
    bar: Progress,
    work_dir: PathBuf,
    batches: u32,
}

/// Downloads `names` in batches into one archive, `target` (a single
/// batch streams straight into it; several are downloaded into temporary
/// files in `work_dir` and merged into it, the merge stopping when
/// `ctx.cancel` is set).
pub async fn download(
    client: &Client,
    batching: &Batching,
    limits: &download::Limits,
    names: &[String],
    mut target: Target,
    work_dir: PathBuf,
    ctx: &Context,
) -> anyhow::Result<Downloaded> {
    let printer = &ctx.printer;
    let batches: Vec<Vec<String>> = names
        .chunks(batching.batch_size.max(1))
        .map(<[String]>::to_vec)
        .collect();
    let bar = if batches.len() == 1 {
        printer.spinner("exporting")
    } else {
        printer.bar(batches.len() as u64, "batches")
    };
    let run = Run {
        client,
        batching,
        limits,
        progress: ByteProgress::new(bar.clone()),
        bar,
        work_dir,
        batches: batches.len() as u32,
    };
    let (parts, failed) = if let [only] = batches.as_slice() {
        run.single(only, &mut target).await?
    } else {
        run.many(batches).await?
    };
    run.bar.finish();
    if let Some(mut parts) = parts {
        if parts.is_empty() {
            return Ok(Downloaded {
                target: None,
                failed,
            });
        }
        parts.sort_by_key(|part| part.index);
        target = merge(parts, target, Arc::clone(&ctx.cancel)).await?;
    }
    Ok(Downloaded {
        target: Some(target),
        failed,
    })
}

/// Merges the batches' archives into `target`'s own file on a blocking
/// thread. Ctrl-C drops this future; `cancel` then stops the merge within a
/// chunk, and `target` (moved into the thread) is removed when it ends.
async fn merge(
    parts: Vec<Part>,
    target: Target,
    cancel: Arc<AtomicBool>,
) -> anyhow::Result<Target> {
    let inputs: Vec<(String, PathBuf)> = parts
        .iter()
        .map(|part| (part.label.clone(), part.file.path().to_path_buf()))
        .collect();
    let (target, merged) = tokio::task::spawn_blocking(move || {
        let merged = archive::merge(&inputs, target.file(), &cancel);
        (target, merged)
    })
    .await
    .context("merging batch archives stopped unexpectedly")?;
    merged?;
    drop(parts);
    Ok(target)
}

impl Run<'_> {
    fn temp(&self) -> anyhow::Result<Target> {
        Target::temp_in(&self.work_dir, ".dataarts-jobs-batch-")
    }

    /// The common case, one batch: streamed straight into the final
    /// target. `None` parts when it went there; with a split, the parts.
    async fn single(
        &self,
        names: &[String],
        target: &mut Target,
    ) -> anyhow::Result<(Option<Vec<Part>>, Vec<JobFailure>)> {
        let mut failed = Vec::new();
        let parts = match self.try_export(names, target).await? {
            Ok(_) => None,
            Err(refusal) => match names {
                [name] => {
                    failed.push(failure(name, &refusal));
                    Some(Vec::new())
                }
                names => {
                    let (left, right) = names.split_at(names.len() / 2);
                    let mut parts = Vec::new();
                    self.isolate(
                        0,
                        vec![right.to_vec(), left.to_vec()],
                        &mut parts,
                        &mut failed,
                    )
                    .await?;
                    Some(parts)
                }
            },
        };
        Ok((parts, failed))
    }

    /// Several batches, `--parallel` at a time, each into its own file.
    async fn many(
        &self,
        batches: Vec<Vec<String>>,
    ) -> anyhow::Result<(Option<Vec<Part>>, Vec<JobFailure>)> {
        let results: Vec<(Vec<Part>, Vec<JobFailure>)> =
            stream::iter(batches.into_iter().enumerate())
                .map(|(index, names)| self.batch(index, names))
                .buffer_unordered(self.batching.parallel.max(1))
                .try_collect()
                .await?;
        let mut parts = Vec::new();
        let mut failed = Vec::new();
        for (batch_parts, batch_failed) in results {
            parts.extend(batch_parts);
            failed.extend(batch_failed);
        }
        Ok((Some(parts), failed))
    }

    /// Exports `names` into `target`; `Ok(Err(api))` is a refusal that
    /// `--keep-going` may split.
    async fn try_export(
        &self,
        names: &[String],
        target: &mut Target,
    ) -> anyhow::Result<Result<Written, ApiError>> {
        let request = export_request(self.batching, names);
        match self
            .client
            .export_to(&request, target, self.limits, self.progress.as_ref())
            .await
        {
            Ok(written) => Ok(Ok(written)),
            Err(error) if self.batching.keep_going => match error.downcast::<ApiError>() {
                Ok(api) if api.is_refusal() => Ok(Err(api)),
                Ok(api) => Err(api.into()),
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        }
    }

    /// `--keep-going`: splits refused name lists in halves until the refused
    /// names are isolated (at most 2n-1 requests for n names).
    async fn isolate(
        &self,
        index: usize,
        mut queue: Vec<Vec<String>>,
        parts: &mut Vec<Part>,
        failed: &mut Vec<JobFailure>,
    ) -> anyhow::Result<()> {
        while let Some(names) = queue.pop() {
            let mut target = self.temp()?;
            match self.try_export(&names, &mut target).await? {
                Ok(_) => parts.push(Part {
                    index,
                    label: batch_label(index, &names),
                    names,
                    file: target.close(),
                }),
                Err(refusal) if names.len() == 1 => failed.push(failure(&names[0], &refusal)),
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

    async fn batch(
        &self,
        index: usize,
        names: Vec<String>,
    ) -> anyhow::Result<(Vec<Part>, Vec<JobFailure>)> {
        let mut parts = Vec::new();
        let mut failed = Vec::new();
        self.isolate(index, vec![names], &mut parts, &mut failed)
            .await
            .with_context(|| format!("exporting batch {} of {}", index + 1, self.batches))?;
        self.bar.inc(1);
        Ok((parts, failed))
    }
}

fn failure(name: &str, refusal: &ApiError) -> JobFailure {
    JobFailure {
        name: name.to_string(),
        error_code: refusal.error_code().map(str::to_string),
        error_msg: refusal
            .error_msg()
            .map(str::to_string)
            .or_else(|| Some(refusal.to_string())),
    }
}

fn batch_label(index: usize, names: &[String]) -> String {
    match names {
        [one] => format!("batch {} ({one})", index + 1),
        [first, .., last] => format!("batch {} ({first} … {last})", index + 1),
        [] => format!("batch {}", index + 1),
    }
}
