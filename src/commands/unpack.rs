//! `unpack`: safe extraction of a jobs.zip (the same code path as `export --extract`).

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use serde::Serialize;

use crate::archive::{self, ExtractOptions, Limits};
use crate::cli::UnpackArgs;
use crate::exit::UsageError;
use crate::ui::{self, Ui};

#[derive(Serialize)]
struct Summary<'a> {
    archive: String,
    extracted_to: String,
    files: u64,
    bytes: u64,
    jobs: &'a std::collections::BTreeMap<String, Vec<String>>,
    seconds: f64,
}

pub async fn run(args: UnpackArgs, ui: &Ui, cancel: Arc<AtomicBool>) -> anyhow::Result<()> {
    let started = Instant::now();
    match tokio::fs::metadata(&args.zip).await {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Err(UsageError(format!("{} is not a file", args.zip.display())).into()),
        Err(error) => {
            return Err(UsageError(format!("cannot read {}: {error}", args.zip.display())).into())
        }
    }
    let limits = Limits {
        max_size: args.max_size,
        ..Limits::default()
    };
    let extracted = extract(&args.zip, &args.dir, args.force, limits, ui, &cancel).await?;
    for recovered in &extracted.recovered {
        ui.info(recovered.to_string());
    }
    if args.json {
        let summary = Summary {
            archive: args.zip.display().to_string(),
            extracted_to: args.dir.display().to_string(),
            files: extracted.files,
            bytes: extracted.bytes,
            jobs: &extracted.jobs,
            seconds: started.elapsed().as_secs_f64(),
        };
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        ui.info(format!(
            "extracted {} files ({}) from {} into {} in {:.1}s",
            extracted.files,
            ui::human_bytes(extracted.bytes),
            args.zip.display(),
            args.dir.display(),
            started.elapsed().as_secs_f64()
        ));
        for (job, files) in &extracted.jobs {
            ui.info(format!("  jobs/{job}/: {}", files.len()));
        }
    }
    Ok(())
}

/// Safe extraction on a blocking thread (the same path `unpack` uses).
pub async fn extract(
    zip: &Path,
    dir: &Path,
    force: bool,
    limits: Limits,
    ui: &Ui,
    cancel: &Arc<AtomicBool>,
) -> anyhow::Result<archive::Extracted> {
    let zip = zip.to_path_buf();
    let dir = dir.to_path_buf();
    let cancel = Arc::clone(cancel);
    let ui = *ui;
    tokio::task::spawn_blocking(move || {
        let listing = archive::inspect(&zip, &limits)
            .with_context(|| format!("cannot unpack {}", zip.display()))?;
        let bar = ui.extract_bar(listing.total_size);
        let on_bytes = |n: u64| bar.inc(n);
        let options = ExtractOptions {
            force,
            cancel: &cancel,
            on_bytes: &on_bytes,
        };
        let result = archive::extract(&zip, &listing, &dir, &options);
        bar.finish();
        result.map_err(exists_with_hint)
    })
    .await
    .context("extraction stopped unexpectedly")?
}

/// Paths that exist, as the command line shows them (with the "--force"
/// hint), until exit.rs attaches that hint to `TargetError::Exists` itself.
fn exists_with_hint(error: anyhow::Error) -> anyhow::Error {
    let exists =
        error
            .chain()
            .find_map(|cause| match cause.downcast_ref::<archive::TargetError>() {
                Some(archive::TargetError::Exists { paths }) => Some(archive::TargetExists {
                    paths: paths.clone(),
                }),
                _ => None,
            });
    match exists {
        Some(exists) => anyhow::Error::new(exists).context(format!("{error}")),
        None => error,
    }
}
