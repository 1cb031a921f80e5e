//! `demo`: start the emulator in-process on a free loopback port and run the
//! real export path against it (signing, HTTP, streaming, atomic write,
//! extraction), then show the tree.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use reqwest::Url;

use crate::archive::Limits;
use crate::cli::DemoArgs;
use crate::credentials::Credentials;
use crate::emulator::{self, Config};
use crate::settings::{Connection, ProjectId};
use crate::ui::Ui;

use super::export::{self, Output, Plan};

/// The sample jobs the embedded workspace holds.
const DEMO_JOBS: [&str; 2] = ["job_batch", "job_stream"];

pub async fn run(args: DemoArgs, ui: &Ui, cancel: Arc<AtomicBool>) -> anyhow::Result<()> {
    // An earlier demo's output is refused before anything starts.
    let plan = Plan {
        names: DEMO_JOBS.iter().map(|name| name.to_string()).collect(),
        depend: true,
        submitted: false,
        keep_going: false,
        output: Output::File(args.dir.join("jobs.zip")),
        extract: Some(args.dir.clone()),
        batch_size: 100,
        parallel: 4,
        force: args.force,
        json: false,
        limits: Limits::default(),
        skipped: Vec::new(),
    };
    export::check_targets(&plan, &plan.names)?;

    let config = Config {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ..Config::default()
    };
    let connection = Connection {
        endpoint: Url::parse("http://127.0.0.1/").context("demo endpoint")?,
        project: ProjectId::Known(emulator::DEFAULT_PROJECT_ID.to_string()),
        workspace: None,
        credentials: Credentials::AkSk {
            ak: config.ak.clone(),
            sk: config.sk.clone(),
            security_token: None,
        },
        credentials_source: "the embedded emulator's demo keys".to_string(),
        timeout: Duration::from_secs(60),
        retries: 3,
        ca_cert: None,
    };
    let running = emulator::start(config).await?;
    let connection = Connection {
        endpoint: Url::parse(&running.endpoint()).context("emulator endpoint")?,
        ..connection
    };
    ui.info(format!(
        "demo: emulator running in-process at {} (sample workspace, signed requests)",
        running.endpoint()
    ));

    let result = export_into(&connection, &plan, &args.dir, ui, &cancel).await;
    running.shutdown().await;
    let summary = result?;

    println!("{}/", args.dir.display());
    if let Some(archive) = &summary.archive {
        let name = Path::new(archive)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "├── {name} ({} bytes, {} entries)",
            summary.bytes, summary.files
        );
    }
    println!("└── jobs/");
    let jobs = summary.extracted.unwrap_or_default();
    let count = jobs.len();
    for (i, (job, files)) in jobs.iter().enumerate() {
        let last_job = i + 1 == count;
        println!("    {} {job}/", if last_job { "└──" } else { "├──" });
        for (j, file) in files.iter().enumerate() {
            let name = file.rsplit('/').next().unwrap_or(file);
            let branch = if j + 1 == files.len() {
                "└──"
            } else {
                "├──"
            };
            let stem = if last_job { "    " } else { "│   " };
            println!("    {stem}{branch} {name}");
        }
    }
    Ok(())
}

async fn export_into(
    connection: &Connection,
    plan: &Plan,
    dir: &Path,
    ui: &Ui,
    cancel: &Arc<AtomicBool>,
) -> anyhow::Result<export::Summary> {
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let client = super::connect(connection, ui).await?;
    let summary = export::execute(&client, plan, ui, cancel).await?;
    export::report(plan, &summary, ui)?;
    Ok(summary)
}
