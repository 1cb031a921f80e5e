//! `doctor`: every setting in effect and where it came from, then a live
//! check — one signed request, and the clock offset from the server's
//! `Date` header. Printed on stdout (it is the command's answer); exit 0 when
//! the check passes, else the check's own error code.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::{json, Value};

use crate::api::probe::Probe;
use crate::api::ApiError;
use crate::auth::Credentials;
use crate::cli::DoctorArgs;
use crate::config::{self, ConfigError, Origin, Project, Setting, Settings, WorkspaceRef};
use crate::output::{self, Printer};

use super::{connect, Context};

/// The gateway refuses signatures more than 15 minutes off; warn well before.
const CLOCK_WARNING: Duration = Duration::from_secs(5 * 60);

/// The check's finding about the server's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    /// No `Date` header came back.
    Unknown,
    /// Server minus local, in seconds.
    Offset(i64),
}

impl Clock {
    fn is_off(&self) -> bool {
        matches!(self, Clock::Offset(offset) if offset.unsigned_abs() > CLOCK_WARNING.as_secs())
    }
}

/// Why the live check failed, when the clock is to blame.
#[derive(Debug, thiserror::Error)]
#[error("this machine's clock is {} {} the server's", human_seconds(offset.unsigned_abs()), if *offset > 0 { "behind" } else { "ahead of" })]
pub struct ClockSkew {
    pub offset: i64,
    #[source]
    pub refusal: ApiError,
}

pub async fn run(args: DoctorArgs, ctx: &Context) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    let settings = config::resolve(&args.connection, &args.workspace, &ctx.env)?;
    let rows = setting_rows(&settings);
    if !args.json {
        for (name, value, origin) in &rows {
            printer
                .line(&format!("{name:<12} {value}  ({origin})"))
                .context("cannot write to stdout")?;
        }
        for note in &settings.notes {
            printer
                .line(&format!("{:<12} {note}", "note"))
                .context("cannot write to stdout")?;
        }
    }
    let check = check(&settings, printer).await;
    if args.json {
        let object = json!({
            "format": 1,
            "settings": rows
                .iter()
                .map(|(name, value, origin)| (name.to_string(), json!({"value": value, "origin": origin})))
                .collect::<serde_json::Map<String, Value>>(),
            "notes": settings.notes,
            "check": check.json(),
        });
        printer
            .json_value(&object)
            .context("cannot write to stdout")?;
    } else {
        for line in check.lines() {
            printer.line(&line).context("cannot write to stdout")?;
        }
    }
    match check.outcome {
        Ok(_) if check.clock.is_off() => {
            printer.warn("the clock offset is over 5 minutes; signatures are refused beyond 15: sync this machine's clock (timedatectl, NTP)");
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(error) => Err(error),
    }
}

/// NAME, value, origin for each setting.
fn setting_rows(settings: &Settings) -> Vec<(&'static str, String, String)> {
    let mut rows = vec![credential_row(settings)];
    let shown =
        |setting: &Setting<reqwest::Url>| (setting.value.to_string(), setting.origin.to_string());
    match &settings.region {
        Some(region) => rows.push(("region", region.value.clone(), region.origin.to_string())),
        None => rows.push(("region", "(none)".to_string(), "not given".to_string())),
    }
    let (dlf, dlf_origin) = shown(&settings.dlf);
    rows.push(("DLF", dlf, dlf_origin));
    let (iam, iam_origin) = shown(&settings.iam);
    rows.push(("IAM", iam, iam_origin));
    for (name, endpoint) in [("studio", settings.studio()), ("OBS", settings.obs())] {
        match endpoint {
            Ok(setting) => {
                let (value, origin) = shown(setting);
                rows.push((name, value, origin));
            }
            Err(error) => rows.push((name, "(none)".to_string(), missing(&error))),
        }
    }
    let project = match &settings.project.value {
        Project::Id(id) => id.clone(),
        Project::LookUp { region } => format!("(looked up for {region} at {})", settings.iam.value),
    };
    rows.push(("project id", project, settings.project.origin.to_string()));
    let workspace = match settings.workspace.as_ref().map(|w| &w.value) {
        None => (
            "(the default workspace)".to_string(),
            "no workspace header".to_string(),
        ),
        Some(WorkspaceRef::Id(id)) => (id.clone(), origin_of(&settings.workspace)),
        Some(WorkspaceRef::Name(name)) => (
            format!("named {name} (looked up with the Management Center)"),
            origin_of(&settings.workspace),
        ),
    };
    rows.push(("workspace", workspace.0, workspace.1));
    rows.push((
        "requests",
        format!(
            "timeout {}s, {}",
            settings.http.timeout.as_secs(),
            output::plural(u64::from(settings.http.retries), "retry", "retries")
        ),
        match (settings.http.timeout.as_secs(), settings.http.retries) {
            (60, 3) => "the defaults (--timeout, --retries)".to_string(),
            _ => "--timeout and --retries".to_string(),
        },
    ));
    rows
}

fn origin_of(setting: &Option<Setting<WorkspaceRef>>) -> String {
    setting
        .as_ref()
        .map(|s| s.origin.to_string())
        .unwrap_or_else(|| Origin::Default.to_string())
}

fn missing(error: &ConfigError) -> String {
    format!("not configured: {error}")
}

/// The credential source, showing at most the AK's first 4 characters.
fn credential_row(settings: &Settings) -> (&'static str, String, String) {
    let value = match &settings.credentials {
        Credentials::AkSk {
            ak, security_token, ..
        } => {
            let prefix: String = ak.chars().take(4).collect();
            let temporary = if security_token.is_some() {
                ", with a security token (temporary keys)"
            } else {
                ""
            };
            format!("AK {prefix}… with its SK{temporary}")
        }
        Credentials::Token(_) => "an IAM token (sent as X-Auth-Token)".to_string(),
    };
    ("credentials", value, settings.credential_source.to_string())
}

/// The live check: connect (IAM and workspace lookups included), one request.
struct Check {
    /// The job count on success.
    outcome: anyhow::Result<Option<u64>>,
    clock: Clock,
    elapsed: Option<Duration>,
    /// The project id, when it was looked up with IAM.
    project_id: Option<String>,
    /// The workspace id, when it was looked up by name.
    workspace_id: Option<String>,
    /// Requests are signed (AK/SK), not sent with an IAM token.
    signed: bool,
}

async fn check(settings: &Settings, printer: &Printer) -> Check {
    let client = match connect(settings, printer).await {
        Ok(client) => client,
        Err(error) => {
            return Check {
                outcome: Err(error),
                clock: Clock::Unknown,
                elapsed: None,
                project_id: None,
                workspace_id: None,
                signed: matches!(settings.credentials, Credentials::AkSk { .. }),
            }
        }
    };
    let probe = client.probe().await;
    let clock = probe.clock_offset().map_or(Clock::Unknown, Clock::Offset);
    let Probe {
        result, elapsed, ..
    } = probe;
    let outcome = result.map_err(|refusal| match (&clock, refusal.status()) {
        // A refused signature and a clock far off: say so first.
        (Clock::Offset(offset), Some(401)) if clock.is_off() => ClockSkew {
            offset: *offset,
            refusal,
        }
        .into(),
        _ => anyhow::Error::from(refusal),
    });
    Check {
        outcome,
        clock,
        elapsed: Some(elapsed),
        project_id: matches!(settings.project.value, Project::LookUp { .. })
            .then(|| client.project_id().to_string()),
        workspace_id: matches!(
            settings.workspace.as_ref().map(|w| &w.value),
            Some(WorkspaceRef::Name(_))
        )
        .then(|| client.workspace().map(str::to_string))
        .flatten(),
        signed: matches!(settings.credentials, Credentials::AkSk { .. }),
    }
}

impl Check {
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(id) = &self.project_id {
            lines.push(format!("{:<12} {id}  (looked up with IAM)", "project id"));
        }
        if let Some(id) = &self.workspace_id {
            lines.push(format!(
                "{:<12} {}  (looked up by name with the Management Center)",
                "workspace id",
                crate::text::escape_controls(id)
            ));
        }
        let took = self
            .elapsed
            .map(|e| format!(" in {} ms", e.as_millis()))
            .unwrap_or_default();
        let request = match self.signed {
            true => "a signed list request",
            false => "a list request with the IAM token",
        };
        lines.push(match &self.outcome {
            Ok(Some(total)) => format!(
                "{:<12} ok: {request} answered{took} ({} in the workspace)",
                "check",
                output::plural(*total, "batch job", "batch jobs")
            ),
            Ok(None) => format!("{:<12} ok: {request} answered{took}", "check"),
            Err(error) => format!("{:<12} failed: {error}", "check"),
        });
        lines.push(match &self.clock {
            Clock::Unknown if self.elapsed.is_none() => {
                format!("{:<12} unknown (no server was reached)", "clock")
            }
            Clock::Unknown => format!("{:<12} unknown (the server sent no Date header)", "clock"),
            Clock::Offset(offset) => format!(
                "{:<12} the server's clock is {} this machine's{}",
                "clock",
                match offset {
                    0 => "in step with".to_string(),
                    o if *o > 0 => format!("{} ahead of", human_seconds(o.unsigned_abs())),
                    o => format!("{} behind", human_seconds(o.unsigned_abs())),
                },
                if self.clock.is_off() {
                    " — over 5 minutes: signatures are refused beyond 15"
                } else {
                    ""
                }
            ),
        });
        lines
    }

    fn json(&self) -> Value {
        json!({
            "ok": self.outcome.is_ok(),
            "project_id": self.project_id,
            "workspace_id": self.workspace_id,
            "batch_jobs": self.outcome.as_ref().ok().copied().flatten(),
            "elapsed_ms": self.elapsed.map(|e| e.as_millis() as u64),
            "clock_offset_seconds": match self.clock {
                Clock::Offset(offset) => Some(offset),
                Clock::Unknown => None,
            },
            "error": self.outcome.as_ref().err().map(|e| format!("{e:#}")),
        })
    }
}

/// `0 s`, `42 s`, `30 min 5 s`, `2 h 3 min`.
fn human_seconds(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_like_people_say_them() {
        assert_eq!(human_seconds(42), "42 s");
        assert_eq!(human_seconds(1805), "30 min 5 s");
        assert_eq!(human_seconds(7380), "2 h 3 min");
        assert!(Clock::Offset(301).is_off());
        assert!(Clock::Offset(-301).is_off());
        assert!(!Clock::Offset(300).is_off());
        assert!(!Clock::Unknown.is_off());
    }
}
