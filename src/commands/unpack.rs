//! `unpack`: safe extraction of a jobs.zip (the same code path as
//! `export --extract` and `backup`).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;

use crate::archive::{self, ExtractOptions, Extracted, Limits};
use crate::cli::UnpackArgs;
use crate::output;

use super::{Context, UsageError};

/// `unpack --json` (README "JSON output").
#[derive(Serialize)]
struct Json<'a> {
    format: u32,
    archive: String,
    archive_bytes: u64,
    extracted_to: String,
    extracted_files: u64,
    extracted_bytes: u64,
    jobs: Vec<JobJson<'a>>,
    seconds: f64,
}

#[derive(Serialize)]
struct JobJson<'a> {
    name: &'a str,
    files: &'a [String],
}

pub async fn run(args: UnpackArgs, ctx: &Context) -> anyhow::Result<()> {
    let started = Instant::now();
    let archive_bytes = match tokio::fs::metadata(&args.zip).await {
        Ok(meta) if meta.is_file() => meta.len(),
        Ok(_) => {
            return Err(UsageError::NotAFile {
                path: args.zip.clone(),
            }
            .into())
        }
        Err(error) => {
            return Err(UsageError::Unreadable {
                path: args.zip.clone(),
                detail: error.to_string(),
            }
            .into())
        }
    };
    let limits = Limits {
        max_size: args.max_size,
        ..Limits::default()
    };
    let label = args.zip.display().to_string();
    let extracted = extract(&args.zip, &label, &args.dir, args.force, limits, ctx).await?;
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let summary = Json {
            format: 1,
            archive: args.zip.display().to_string(),
            archive_bytes,
            extracted_to: args.dir.display().to_string(),
            extracted_files: extracted.files,
            extracted_bytes: extracted.bytes,
            jobs: extracted
                .jobs
                .iter()
                .map(|(name, files)| JobJson { name, files })
                .collect(),
            seconds,
        };
        ctx.printer
            .json_value(&summary)
            .context("cannot write the summary to stdout")?;
    } else {
        ctx.printer.info(format!(
            "extracted {} ({}) of {} from {} into {} in {seconds:.1}s",
            output::plural(extracted.files, "file", "files"),
            output::size(extracted.bytes),
            output::plural(extracted.jobs.len() as u64, "job", "jobs"),
            args.zip.display(),
            args.dir.display(),
        ));
    }
    Ok(())
}

/// Safe extraction on a blocking thread, with a bar over the bytes.
pub async fn extract(
    zip: &Path,
    label: &str,
    dir: &Path,
    force: bool,
    limits: Limits,
    ctx: &Context,
) -> anyhow::Result<Extracted> {
    let label = label.to_string();
    let zip = zip.to_path_buf();
    let dir = dir.to_path_buf();
    let cancel = Arc::clone(&ctx.cancel);
    let printer = ctx.printer.clone();
    tokio::task::spawn_blocking(move || {
        let listing = archive::inspect(&zip, &limits)
            .with_context(|| format!("cannot unpack {}", zip.display()))?;
        let bar = printer.bytes_bar(listing.total_size, "extracting");
        let on_bytes = |n: u64| bar.inc(n);
        let options = ExtractOptions {
            force,
            cancel: &cancel,
            on_bytes: &on_bytes,
        };
        let result = archive::extract(&zip, &listing, &dir, &options)
            .with_context(|| format!("extracting {label} into {}", dir.display()));
        bar.finish();
        // What killed runs left was put right first: say so, a line each.
        if let Ok(extracted) = &result {
            for recovered in &extracted.recovered {
                printer.info(recovered.to_string());
            }
        }
        result
    })
    .await
    .context("extraction stopped unexpectedly")?
}
