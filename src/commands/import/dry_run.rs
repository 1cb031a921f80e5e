//! `import --dry-run`: the archives, their keys and the requests a run would
//! send (uploads and imports are not sent); for an object already in OBS the
//! pre-flight runs (check-file and the target's jobs, both read-only), and
//! its verdict ends the dry run as it would end the run (after the plan).

use anyhow::Context as _;
use serde_json::{json, Value};

use crate::api::import::ResourceStatus;
use crate::http::Prepared;
use crate::import::pipeline::{self, Staged};
use crate::import::source::Payload;
use crate::import::verify::Listing;
use crate::import::Importer;
use crate::output;
use crate::text::escape_controls;

/// `--dry-run`: the plan as JSON on stdout, or as lines then a last line
/// saying how many read-only requests were sent.
pub(super) async fn dry_run(
    importer: &Importer<'_>,
    staged: &[Staged],
    json: bool,
) -> anyhow::Result<()> {
    let printer = importer.printer;
    let plan = Plan::build(importer, staged).await?;
    if json {
        let object = plan.json(importer.dlf.transport().requests_sent());
        printer
            .json_value(&object)
            .context("cannot write to stdout")?;
    } else {
        for line in plan.lines(importer.options.overwrite) {
            printer.info(line);
        }
        printer.info(summary_line(
            "nothing uploaded, nothing imported",
            importer.dlf.transport().requests_sent(),
        ));
    }
    // The pre-flight's verdict, as the run would give it (after the plan).
    importer
        .options
        .check_job_params(plan.archives.iter().flat_map(|archive| &archive.jobs))?;
    for warning in importer.options.preflight(&plan.resources)? {
        printer.warn(warning);
    }
    Ok(())
}

/// The last line of a dry run (`import` and `migrate`): what was not done,
/// and how many read-only requests were sent.
pub(crate) fn summary_line(not_done: &str, sent: u32) -> String {
    format!(
        "dry run: {not_done}; {sent} read-only {} sent",
        if sent == 1 {
            "request was"
        } else {
            "requests were"
        }
    )
}

/// What a dry run shows.
#[derive(Debug)]
struct Plan {
    /// The archives, their jobs filled in by check-file for objects
    /// already in OBS.
    archives: Vec<Staged>,
    /// check-file's answer for each archive already in OBS.
    preflight: Vec<Preflight>,
    /// The uploads and imports a run would send, in order.
    requests: Vec<Request>,
    /// The target's jobs, listed when an archive is already in OBS.
    existing: Option<Listing>,
    /// Every resource check-file reported, for the pre-flight's verdict.
    resources: Vec<ResourceStatus>,
}

/// A request a run would send, as shown. An upload's body is read, signed
/// (its `Content-MD5`) and dropped: only its size is kept, so a plan of
/// many archives holds at most one in memory.
#[derive(Debug)]
struct Request {
    prepared: Prepared,
    /// The size of an upload's body, no longer held.
    binary: Option<usize>,
}

impl Request {
    fn upload(mut prepared: Prepared) -> Self {
        let size = prepared.body.len();
        prepared.body = bytes::Bytes::new();
        Self {
            prepared,
            binary: Some(size),
        }
    }

    fn other(prepared: Prepared) -> Self {
        Self {
            prepared,
            binary: None,
        }
    }

    /// As `--dry-run` prints it ([`Prepared::render`], the body's size for
    /// an upload).
    fn render(&self) -> String {
        let mut text = self.prepared.render();
        if let Some(size) = self.binary {
            text.push_str(&format!("\n{}\n", binary_body(size)));
        }
        text
    }
}

fn binary_body(size: usize) -> String {
    format!("({size} bytes of binary data)")
}

/// The resources an archive references that the target lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Preflight {
    staging_key: String,
    missing: Vec<Missing>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Missing {
    name: String,
    kind: String,
    /// Whether a `--map` covers it.
    mapped: bool,
}

impl Plan {
    /// Prepares every request without sending it; an archive already in
    /// OBS is checked with check-file, then the target's jobs are listed.
    async fn build(importer: &Importer<'_>, staged: &[Staged]) -> anyhow::Result<Self> {
        let mut archives = staged.to_vec();
        let mut preflight = Vec::new();
        let mut requests = Vec::new();
        let mut resources = Vec::new();
        for archive in &mut archives {
            match (importer.obs, &archive.payload) {
                (Some(obs), Some(payload)) => {
                    let bytes = payload.load().await?;
                    requests.push(Request::upload(obs.prepare_put(&archive.object, bytes)?));
                }
                _ => {
                    let (checked, reported) = Preflight::check(importer, archive).await?;
                    preflight.push(checked);
                    resources.extend(reported);
                }
            }
            let body = importer
                .options
                .body(&archive.object.to_string(), &archive.jobs);
            requests.push(Request::other(importer.dlf.prepare_import(&body)));
        }
        let existing = match archives.iter().any(|archive| archive.payload.is_none()) {
            true => Some(pipeline::target_jobs(importer.dlf).await?),
            false => None,
        };
        Ok(Self {
            archives,
            preflight,
            requests,
            existing,
            resources,
        })
    }

    /// The `--dry-run --json` object.
    fn json(&self, requests_sent: u32) -> Value {
        json!({
            "format": 1,
            "dry_run": true,
            "archives": self.archives.iter().map(|archive| json!({
                "label": archive.label,
                "staging_key": archive.object.to_string(),
                "archive_bytes": archive.payload.as_ref().map(Payload::size),
                "jobs": archive.jobs,
            })).collect::<Vec<_>>(),
            "preflight": self.preflight.iter().map(Preflight::json).collect::<Vec<_>>(),
            "would_send": self.requests.iter().map(request_json).collect::<Vec<_>>(),
            "requests": requests_sent,
        })
    }

    /// The plan for people: each archive (with the target's same-name jobs
    /// and what the policy does to them), the missing resources, the requests.
    fn lines(&self, overwrite: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for archive in &self.archives {
            let size = archive
                .payload
                .as_ref()
                .map(|payload| format!(", {}", output::size(payload.size())))
                .unwrap_or_default();
            lines.push(format!(
                "archive {}{size} → {}: {}",
                archive.label,
                archive.object,
                archive
                    .jobs
                    .iter()
                    .map(|job| escape_controls(job))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let Some(existing) = &self.existing else {
                continue;
            };
            let fate = match overwrite {
                true => "would be overwritten",
                false => "would be skipped",
            };
            for job in archive
                .jobs
                .iter()
                .filter(|job| existing.contains_key(*job))
            {
                lines.push(format!(
                    "  {} exists in the target: {fate}",
                    escape_controls(job)
                ));
            }
        }
        for missing in self.preflight.iter().flat_map(|item| &item.missing) {
            lines.push(format!(
                "missing in the target: {} {}{}",
                escape_controls(&missing.kind),
                escape_controls(&missing.name),
                if missing.mapped { " (mapped)" } else { "" }
            ));
        }
        lines.extend(self.requests.iter().map(Request::render));
        lines
    }
}

impl Preflight {
    /// check-file for `archive` (its jobs filled in from the answer), and
    /// the resources it reported.
    async fn check(
        importer: &Importer<'_>,
        archive: &mut Staged,
    ) -> anyhow::Result<(Self, Vec<ResourceStatus>)> {
        let info = importer.check_file(archive).await?;
        let checked = Self {
            staging_key: archive.object.to_string(),
            missing: info
                .resources
                .iter()
                .filter(|resource| resource.is_missing())
                .map(|resource| Missing {
                    name: resource.name.clone(),
                    kind: resource.kind.clone(),
                    mapped: importer.options.maps_resource(resource),
                })
                .collect(),
        };
        Ok((checked, info.resources))
    }

    fn json(&self) -> Value {
        let missing: Vec<Value> = self
            .missing
            .iter()
            .map(|m| json!({"name": m.name, "type": m.kind, "mapped": m.mapped}))
            .collect();
        json!({"staging_key": self.staging_key, "missing_resources": missing})
    }
}

/// A request as `--dry-run --json` shows it (secrets redacted).
fn request_json(shown: &Request) -> Value {
    let request = &shown.prepared;
    let body = if let Some(size) = shown.binary {
        Value::from(binary_body(size))
    } else if request.body.is_empty() {
        Value::Null
    } else {
        match std::str::from_utf8(&request.body) {
            Ok(text) => Value::from(text),
            Err(_) => Value::from(format!("({} bytes of binary data)", request.body.len())),
        }
    };
    json!({
        "method": request.method.as_str(),
        "url": request.url.as_str(),
        "headers": request.redacted_headers().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        "body": body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obs::ObjectPath;

    fn plan() -> Plan {
        let staged = |n: usize, bytes: Option<&'static [u8]>, jobs: &[&str]| Staged {
            object: ObjectPath::new("bkt", format!("run/{n}.zip")).expect("valid"),
            label: format!("archive {n}"),
            payload: bytes.map(|bytes| Payload::from_bytes(bytes).expect("payload")),
            jobs: jobs.iter().map(|job| job.to_string()).collect(),
        };
        Plan {
            archives: vec![
                staged(1, Some(b"zip"), &["a", "b"]),
                staged(2, None, &["c"]),
            ],
            preflight: vec![Preflight {
                staging_key: "obs://bkt/run/2.zip".into(),
                missing: vec![
                    Missing {
                        name: "dws".into(),
                        kind: "DWS_CONNECTION".into(),
                        mapped: true,
                    },
                    Missing {
                        name: "dli".into(),
                        kind: "DLI_CONNECTION".into(),
                        mapped: false,
                    },
                ],
            }],
            requests: Vec::new(),
            existing: Some(Listing::from([
                ("b".to_string(), Some(1)),
                ("c".to_string(), None),
            ])),
            resources: Vec::new(),
        }
    }

    #[test]
    fn the_plan_for_people_names_same_name_jobs_and_missing_resources() {
        assert_eq!(
            plan().lines(false),
            [
                "archive archive 1, 3 B → obs://bkt/run/1.zip: a, b",
                "  b exists in the target: would be skipped",
                "archive archive 2 → obs://bkt/run/2.zip: c",
                "  c exists in the target: would be skipped",
                "missing in the target: DWS_CONNECTION dws (mapped)",
                "missing in the target: DLI_CONNECTION dli",
            ]
        );
        let overwrite = plan().lines(true);
        assert_eq!(
            overwrite[1],
            "  b exists in the target: would be overwritten"
        );
        let unlisted = Plan {
            existing: None,
            ..plan()
        };
        assert_eq!(unlisted.lines(false).len(), 4);
    }

    #[test]
    fn the_plan_as_json_keeps_its_keys() {
        let json = plan().json(3);
        assert_eq!(json["format"], 1);
        assert_eq!(json["dry_run"], true);
        assert_eq!(json["requests"], 3);
        assert_eq!(json["archives"][0]["archive_bytes"], 3);
        assert_eq!(json["archives"][1]["archive_bytes"], Value::Null);
        assert_eq!(json["archives"][1]["staging_key"], "obs://bkt/run/2.zip");
        assert_eq!(
            json["preflight"][0],
            json!({"staging_key": "obs://bkt/run/2.zip", "missing_resources": [
                {"name": "dws", "type": "DWS_CONNECTION", "mapped": true},
                {"name": "dli", "type": "DLI_CONNECTION", "mapped": false}]})
        );
    }

    #[test]
    fn an_upload_is_shown_by_its_size_without_holding_its_body() {
        let put = Prepared {
            method: reqwest::Method::PUT,
            url: reqwest::Url::parse("http://127.0.0.1:9/bkt/run/1.zip").expect("url"),
            headers: vec![("Content-Type".into(), "application/zip".into())],
            body: bytes::Bytes::from_static(b"PK\x03\x04zip"),
        };
        let request = Request::upload(put);
        assert!(request.prepared.body.is_empty());
        assert_eq!(
            request.render(),
            "PUT http://127.0.0.1:9/bkt/run/1.zip\nContent-Type: application/zip\n\n(7 bytes of binary data)\n"
        );
        assert_eq!(request_json(&request)["body"], "(7 bytes of binary data)");
    }

    #[test]
    fn the_last_line_counts_the_read_only_requests() {
        assert_eq!(
            summary_line("nothing uploaded, nothing imported", 1),
            "dry run: nothing uploaded, nothing imported; 1 read-only request was sent"
        );
        assert_eq!(
            summary_line("nothing exported", 0),
            "dry run: nothing exported; 0 read-only requests were sent"
        );
    }
}
