//! What a backup found and did: the text summary on stderr and `--json` on
//! stdout (README "JSON output"), the same for a run, `--check` and
//! `--dry-run`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::backup::{Changes, Section};
use crate::model::JobFailure;
use crate::output::{self, Printer};
use crate::text::escape_controls;

use super::plan::Mode;

/// One workspace's outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkspaceReport {
    #[serde(flatten)]
    pub changes: Changes,
    pub failed: Vec<JobFailure>,
    /// What it is called, for the text summary (a backup of every workspace).
    #[serde(skip)]
    pub label: Option<String>,
    /// Removed (or, read-only, that would be): `jobs/<job>/`, `scripts/<name>.json`.
    #[serde(skip)]
    pub removed_paths: Vec<String>,
}

impl WorkspaceReport {
    /// The text lines of its jobs and scripts (and of jobs saved without
    /// edits), prefixed with the workspace when there are several.
    fn print_sections(&self, id: &str, printer: &Printer) {
        let prefix = match (&self.label, id.is_empty()) {
            (Some(label), _) => format!("workspace {label}: "),
            (None, true) => String::new(),
            (None, false) => format!("workspace {id}: "),
        };
        printer.info(format!(
            "{prefix}jobs: {}",
            section_line(&self.changes.jobs)
        ));
        printer.info(format!(
            "{prefix}scripts: {}",
            section_line(&self.changes.scripts)
        ));
        if !self.changes.relisted.is_empty() {
            let names: Vec<String> = self
                .changes
                .relisted
                .iter()
                .map(|name| escape_controls(name))
                .collect();
            printer.info(format!(
                "{prefix}listing changed, files unchanged: {}",
                output::name_list(&names, 10)
            ));
        }
    }
}

/// `backup --json` of one workspace.
#[derive(Serialize)]
struct OneJson<'a> {
    format: u32,
    directory: String,
    #[serde(flatten)]
    report: &'a WorkspaceReport,
    interrupted: &'a [String],
    requests: u32,
    seconds: f64,
}

/// `backup --all-workspaces --json`.
#[derive(Serialize)]
struct AllJson<'a> {
    format: u32,
    directory: String,
    workspaces: BTreeMap<&'a str, &'a WorkspaceReport>,
    workspaces_removed: &'a [String],
    manifest_changed: bool,
    interrupted: &'a [String],
    requests: u32,
    seconds: f64,
}

/// The whole run.
#[derive(Debug, Default)]
pub struct Report {
    /// Workspace id (`""` for a backup of one workspace) → its outcome.
    pub workspaces: BTreeMap<String, WorkspaceReport>,
    /// With `--all-workspaces`: workspaces gone from the listing.
    pub workspaces_removed: Vec<String>,
    /// With `--all-workspaces`: the root manifest changed.
    pub root_changed: bool,
    pub all_workspaces: bool,
    /// Staging directories of interrupted runs (removed, or with
    /// `--check` only found).
    pub interrupted: Vec<String>,
    pub requests: u32,
    pub seconds: f64,
}

impl Report {
    pub fn failures(&self) -> usize {
        self.workspaces.values().map(|w| w.failed.len()).sum()
    }

    /// Jobs and scripts looked at (failed ones included).
    pub fn requested(&self) -> usize {
        self.workspaces
            .values()
            .map(|w| {
                let counted = |s: &Section| s.added.len() + s.changed.len() + s.unchanged;
                counted(&w.changes.jobs) + counted(&w.changes.scripts) + w.failed.len()
            })
            .sum()
    }

    /// Whether DIR is (or now is) an exact mirror.
    pub fn is_exact(&self) -> bool {
        self.interrupted.is_empty()
            && self.workspaces_removed.is_empty()
            && !self.root_changed
            && self.workspaces.values().all(|w| w.changes.is_exact())
    }

    /// `1 job added, 2 jobs changed, …` over every workspace, for the drift error.
    pub fn differences(&self) -> String {
        let changes = || self.workspaces.values().map(|w| &w.changes);
        let mut parts = counted("job", "jobs", changes().map(|c| &c.jobs));
        parts.extend(counted("script", "scripts", changes().map(|c| &c.scripts)));
        if !self.workspaces_removed.is_empty() {
            parts.push(output::plural(
                self.workspaces_removed.len() as u64,
                "workspace removed",
                "workspaces removed",
            ));
        }
        if parts.is_empty() {
            parts.extend(self.manifest_differences());
        }
        if parts.is_empty() {
            parts.push(if self.interrupted.is_empty() {
                "the manifest differs".to_string()
            } else {
                "an interrupted run was not finished".to_string()
            });
        }
        parts.join(", ")
    }

    /// Why a manifest differs when no file does: jobs whose listing
    /// changed, workspaces renamed, the list of workspaces.
    fn manifest_differences(&self) -> Vec<String> {
        let mut parts = Vec::new();
        let relisted: Vec<String> = self
            .workspaces
            .values()
            .flat_map(|w| w.changes.relisted.iter().map(|name| escape_controls(name)))
            .collect();
        if !relisted.is_empty() {
            parts.push(format!(
                "the listing of {} changed (saved without edits: the manifest records its time, user and type)",
                output::name_list(&relisted, 10)
            ));
        }
        let renamed: Vec<String> = self
            .workspaces
            .iter()
            .filter(|(_, w)| w.changes.renamed)
            .map(|(id, _)| escape_controls(id))
            .collect();
        if !renamed.is_empty() {
            parts.push(format!(
                "the name of workspace {} changed",
                renamed.join(", ")
            ));
        }
        if self.root_changed && renamed.is_empty() {
            parts.push("the list of workspaces changed".to_string());
        }
        parts
    }

    /// Prints the summary: JSON on stdout with `--json`, else text on
    /// stderr. What is (or would be) removed is said on stderr either way.
    pub fn print(
        &self,
        dir: &Path,
        mode: Mode,
        json: bool,
        printer: &Printer,
    ) -> std::io::Result<()> {
        let verb = if mode.read_only() {
            "would remove"
        } else {
            "removed"
        };
        if mode == Mode::DryRun && !json {
            printer.info(format!(
                "dry run: what a backup would change in {}:",
                dir.display()
            ));
        }
        for (id, workspace) in &self.workspaces {
            if !json {
                workspace.print_sections(id, printer);
            }
            for path in &workspace.removed_paths {
                printer.info(format!(
                    "{verb} {} (the workspace no longer has it)",
                    dir.join(path).display()
                ));
            }
            if !json {
                crate::commands::print_failures(&workspace.failed, printer);
            }
        }
        for id in &self.workspaces_removed {
            printer.info(format!(
                "{verb} workspace {id}: {} (gone from the workspace listing)",
                dir.join("workspaces").join(id).display()
            ));
        }
        if json {
            return self.print_json(dir, printer);
        }
        let run = format!(
            "{} in {:.1}s",
            output::plural(u64::from(self.requests), "request", "requests"),
            self.seconds
        );
        let any_manifest =
            self.root_changed || self.workspaces.values().any(|w| w.changes.manifest_changed);
        printer.info(match mode {
            Mode::Write => format!(
                "backed up into {}: manifest {}; {run}",
                dir.display(),
                if any_manifest { "updated" } else { "unchanged" }
            ),
            Mode::Check if self.is_exact() && self.failures() > 0 => format!(
                "{} mirrors what could be read of the workspace; {} could not be checked; {run}",
                dir.display(),
                output::plural(self.failures() as u64, "job or script", "jobs and scripts")
            ),
            Mode::Check if self.is_exact() => {
                format!(
                    "{} is an exact mirror of the workspace; {run}",
                    dir.display()
                )
            }
            Mode::Check => format!("checked {}; {run}", dir.display()),
            Mode::DryRun => format!(
                "dry run: nothing in {} was changed{}; {run}",
                dir.display(),
                if any_manifest {
                    " (the manifest would be updated)"
                } else {
                    ""
                }
            ),
        });
        Ok(())
    }

    fn print_json(&self, dir: &Path, printer: &Printer) -> std::io::Result<()> {
        let directory = dir.display().to_string();
        if self.all_workspaces {
            printer.json_value(&AllJson {
                format: 1,
                directory,
                workspaces: self
                    .workspaces
                    .iter()
                    .map(|(id, report)| (id.as_str(), report))
                    .collect(),
                workspaces_removed: &self.workspaces_removed,
                manifest_changed: self.root_changed,
                interrupted: &self.interrupted,
                requests: self.requests,
                seconds: self.seconds,
            })
        } else {
            let empty = WorkspaceReport::default();
            printer.json_value(&OneJson {
                format: 1,
                directory,
                report: self.workspaces.values().next().unwrap_or(&empty),
                interrupted: &self.interrupted,
                requests: self.requests,
                seconds: self.seconds,
            })
        }
    }
}

/// `2 jobs added, 1 job changed`: what `sections` add, change and remove
/// together, each count that is not zero.
fn counted<'a>(one: &str, many: &str, sections: impl Iterator<Item = &'a Section>) -> Vec<String> {
    let mut sums = [0usize; 3];
    for section in sections {
        sums[0] += section.added.len();
        sums[1] += section.changed.len();
        sums[2] += section.removed.len();
    }
    ["added", "changed", "removed"]
        .into_iter()
        .zip(sums)
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| {
            output::plural(
                n as u64,
                &format!("{one} {kind}"),
                &format!("{many} {kind}"),
            )
        })
        .collect()
}

/// `2 added (a, b), 1 changed (c: jobs/c/c.job), 0 removed, 5 unchanged`.
pub fn section_line(section: &Section) -> String {
    let names = |names: &[String]| {
        if names.is_empty() {
            String::new()
        } else {
            format!(" ({})", output::name_list(names, 10))
        }
    };
    let changed: Vec<String> = section
        .changed
        .iter()
        .map(|c| format!("{}: {}", c.name, output::name_list(&c.files, 5)))
        .collect();
    format!(
        "{} added{}, {} changed{}, {} removed{}, {} unchanged",
        section.added.len(),
        names(&section.added),
        section.changed.len(),
        if changed.is_empty() {
            String::new()
        } else if changed.len() <= 10 {
            format!(" ({})", changed.join("; "))
        } else {
            format!(
                " ({} and {} more)",
                changed[..10].join("; "),
                output::count((changed.len() - 10) as u64)
            )
        },
        section.removed.len(),
        names(&section.removed),
        section.unchanged
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::plan::Changed;

    #[test]
    fn sections_read_as_one_line_and_json_has_the_contract_keys() {
        let section = Section {
            added: vec!["a".into(), "b".into()],
            changed: vec![Changed {
                name: "c".into(),
                files: vec!["jobs/c/c.job".into(), "jobs/c/x.script".into()],
            }],
            removed: vec!["d".into()],
            unchanged: 5,
        };
        assert_eq!(
            section_line(&section),
            "2 added (a, b), 1 changed (c: jobs/c/c.job, jobs/c/x.script), 1 removed (d), 5 unchanged"
        );
        let report = WorkspaceReport {
            changes: Changes {
                jobs: section,
                scripts: Section::default(),
                manifest_changed: true,
                relisted: vec!["e".into()],
                renamed: false,
            },
            ..WorkspaceReport::default()
        };
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "jobs": {"added": ["a", "b"], "changed": [{"name": "c", "files": ["jobs/c/c.job", "jobs/c/x.script"]}], "removed": ["d"], "unchanged": 5},
                "scripts": {"added": [], "changed": [], "removed": [], "unchanged": 0},
                "manifest_changed": true,
                "relisted": ["e"],
                "failed": [],
            })
        );
        let mut whole = Report::default();
        whole.workspaces.insert(String::new(), report);
        assert_eq!(
            whole.differences(),
            "2 jobs added, 1 job changed, 1 job removed"
        );
    }

    #[test]
    fn differences_sum_over_workspaces_in_a_fixed_order() {
        let mut report = Report::default();
        assert_eq!(report.differences(), "the manifest differs");
        let mut relisted = WorkspaceReport::default();
        relisted.changes.relisted = vec!["job_a".into()];
        relisted.changes.renamed = true;
        report.workspaces.insert("w1".into(), relisted);
        assert_eq!(
            report.differences(),
            "the listing of job_a changed (saved without edits: the manifest records its time, \
             user and type), the name of workspace w1 changed"
        );
        report.workspaces.clear();
        report.interrupted.push("x".into());
        assert_eq!(report.differences(), "an interrupted run was not finished");
        for id in ["a", "b"] {
            let mut outcome = WorkspaceReport::default();
            outcome.changes.scripts.added.push(format!("{id}-s"));
            outcome.changes.scripts.removed.push(format!("{id}-r"));
            outcome.changes.jobs.removed.push(format!("{id}-j"));
            report.workspaces.insert(id.into(), outcome);
        }
        report.workspaces_removed.push("gone".into());
        assert_eq!(
            report.differences(),
            "2 jobs removed, 2 scripts added, 2 scripts removed, 1 workspace removed"
        );
    }
}
