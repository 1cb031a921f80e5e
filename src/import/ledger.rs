//! What a run has staged, where each archive stands, and the one rule
//! clean-up follows: delete exactly the objects this run uploaded that no
//! task can still be reading (their task is terminal, or the run stopped
//! before importing them); keep, and name, an object whose task may still
//! be reading it. Each step records what it did here; nothing else decides
//! what is deleted, and what Ctrl-C says it leaves behind is read from here
//! too ([`Ledger::notice`]): every object still staged, every task that may
//! still run, every job not imported.

use super::pipeline::Staged;
use crate::obs::ObjectPath;
use crate::output;

/// Where one archive stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Not in OBS: not uploaded yet, or its upload failed storing nothing.
    Local,
    /// In OBS (uploaded by this run, or there before it), and no task reads
    /// it: no import was asked for, or the import request was refused.
    Staged,
    /// The import request is out: a task may start, its id not known yet.
    Requesting,
    /// The import request failed in a way that may have started a task.
    Uncertain,
    /// A task was started and has not been seen to end: the run did not
    /// wait for it, or the wait stopped first.
    Running,
    /// Its task has ended.
    Ended,
    /// Clean-up deleted it.
    Deleted,
}

/// One archive of a run.
#[derive(Debug, Clone)]
pub struct Entry {
    pub object: ObjectPath,
    /// Uploaded by this run, so its to delete; else it was in OBS before
    /// the run and is never deleted.
    pub ours: bool,
    pub stage: Stage,
    /// Whether its import was asked for (whatever became of the request).
    pub requested: bool,
    pub jobs: Vec<String>,
    pub task_id: Option<String>,
}

impl Entry {
    /// Its jobs were not imported: no import of it was started.
    pub fn not_imported(&self) -> bool {
        matches!(self.stage, Stage::Local | Stage::Staged)
    }

    /// `the staged archive X is kept`, or `X stays in OBS` (not ours).
    fn kept(&self) -> String {
        match self.ours {
            true => format!("the staged archive {} is kept", self.object),
            false => format!("{} stays in OBS", self.object),
        }
    }
}

/// What clean-up does, as archive indices in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanUp {
    pub delete: Vec<usize>,
    pub keep: Vec<usize>,
}

/// The archives of one run, in order.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    entries: Vec<Entry>,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `archive` before its first step; its index. One with bytes is
    /// this run's to upload; one without was in OBS already.
    pub fn add(&mut self, archive: &Staged) -> usize {
        let ours = archive.payload.is_some();
        self.entries.push(Entry {
            object: archive.object.clone(),
            ours,
            stage: if ours { Stage::Local } else { Stage::Staged },
            requested: false,
            jobs: archive.jobs.clone(),
            task_id: None,
        });
        self.entries.len() - 1
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn entry(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    /// Archive `index` is in OBS: uploaded, or stored with an ETag that is
    /// not the MD5 of what was sent.
    pub fn uploaded(&mut self, index: usize) {
        self.set(index, Stage::Staged);
    }

    /// The jobs of archive `index` (check-file tells them for an object
    /// that was in OBS already).
    pub fn set_jobs(&mut self, index: usize, jobs: &[String]) {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.jobs = jobs.to_vec();
        }
    }

    /// The import request of archive `index` is being sent.
    pub fn requesting(&mut self, index: usize) {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.requested = true;
        }
        self.set(index, Stage::Requesting);
    }

    /// The import request of archive `index` was refused (a 4xx): no task
    /// reads it.
    pub fn refused(&mut self, index: usize) {
        self.set(index, Stage::Staged);
    }

    /// The import request of archive `index` failed in a way that may have
    /// started a task (a 5xx, a timeout, an answer that could not be read).
    pub fn uncertain(&mut self, index: usize) {
        self.set(index, Stage::Uncertain);
    }

    /// The import of archive `index` started task `task_id`.
    pub fn started(&mut self, index: usize, task_id: &str) {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.task_id = Some(task_id.to_string());
        }
        self.set(index, Stage::Running);
    }

    /// The task of archive `index` ended.
    pub fn ended(&mut self, index: usize) {
        self.set(index, Stage::Ended);
    }

    /// Clean-up deleted archive `index`.
    pub fn deleted(&mut self, index: usize) {
        self.set(index, Stage::Deleted);
    }

    /// Whether any import was asked for (a task may have started).
    pub fn imports_requested(&self) -> bool {
        self.entries.iter().any(|entry| entry.requested)
    }

    /// The jobs of the archives whose import was never started, in order.
    pub fn not_imported(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|entry| entry.not_imported())
            .flat_map(|entry| entry.jobs.iter().cloned())
            .collect()
    }

    /// What clean-up deletes and keeps, wherever the run stopped: this
    /// run's objects that no task reads are deleted, those a task may still
    /// read are kept; objects that were in OBS before are never touched.
    pub fn clean_up(&self) -> CleanUp {
        let mut plan = CleanUp::default();
        for (index, entry) in self.entries.iter().enumerate() {
            if !entry.ours {
                continue;
            }
            match entry.stage {
                Stage::Staged | Stage::Ended => plan.delete.push(index),
                Stage::Requesting | Stage::Uncertain | Stage::Running => plan.keep.push(index),
                Stage::Local | Stage::Deleted => {}
            }
        }
        plan
    }

    /// What to say if the run stops now (Ctrl-C): `lead` (what it was
    /// doing), then every import that may have started or still runs (with
    /// how to follow it in the target `workspace`), every object of this run
    /// still in OBS, and the jobs not imported. `None` when the run leaves
    /// nothing behind.
    pub fn notice(&self, lead: &str, workspace: Option<&str>) -> Option<String> {
        let in_workspace = workspace
            .map(|id| format!(" --workspace {id}"))
            .unwrap_or_default();
        let mut facts = Vec::new();
        for entry in &self.entries {
            match (entry.stage, &entry.task_id) {
                (Stage::Requesting | Stage::Uncertain, _) => facts.push(format!(
                    "{} (a task may be reading it); look for the import in the target \
                     workspace (`dataarts-jobs list{in_workspace}`, or its import tasks in \
                     DataArts Studio) before importing again",
                    entry.kept()
                )),
                (Stage::Running, Some(task)) => facts.push(format!(
                    "{} (import task {task} may still be reading it); \
                     `dataarts-jobs task {task} --wait{in_workspace}` follows the task",
                    entry.kept()
                )),
                _ => {}
            }
        }
        let left: Vec<String> = self
            .entries
            .iter()
            .filter(|entry| entry.ours && matches!(entry.stage, Stage::Staged | Stage::Ended))
            .map(|entry| entry.object.to_string())
            .collect();
        if !left.is_empty() {
            facts.push(format!("staged and not deleted: {}", left.join(", ")));
        }
        let waiting: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|entry| entry.not_imported())
            .collect();
        let jobs = self.not_imported();
        if self.imports_requested() && !jobs.is_empty() {
            let objects: Vec<String> = waiting.iter().map(|e| e.object.to_string()).collect();
            facts.push(format!(
                "not imported: {} (in {})",
                output::name_list(&jobs, 10),
                objects.join(", ")
            ));
        } else if !self.imports_requested() && !left.is_empty() {
            facts.push("nothing was imported".to_string());
        }
        if facts.is_empty() {
            return None;
        }
        Some(format!("{lead}; {}", facts.join("; ")))
    }

    /// Moves archive `index` to `stage`.
    fn set(&mut self, index: usize, stage: Stage) {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.stage = stage;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::source::Payload;

    fn object(n: usize) -> ObjectPath {
        ObjectPath::new("bkt", format!("run/{n}.zip")).expect("valid")
    }

    fn archive(n: usize, ours: bool) -> Staged {
        Staged {
            object: object(n),
            label: format!("archive {n}"),
            payload: ours.then(|| Payload::from_bytes(b"zip").expect("payload")),
            jobs: vec![format!("job{n}")],
        }
    }

    /// `n` archives of this run (numbered from 1).
    fn ours(n: usize) -> Ledger {
        let mut ledger = Ledger::new();
        for i in 1..=n {
            ledger.add(&archive(i, true));
        }
        ledger
    }

    fn plan(delete: &[usize], keep: &[usize]) -> CleanUp {
        CleanUp {
            delete: delete.to_vec(),
            keep: keep.to_vec(),
        }
    }

    /// Three archives uploaded, the first imported and waited for.
    fn first_done() -> Ledger {
        let mut ledger = ours(3);
        for index in 0..3 {
            ledger.uploaded(index);
        }
        ledger.requesting(0);
        ledger.started(0, "t1");
        ledger.ended(0);
        ledger
    }

    #[test]
    fn stopping_before_any_import_deletes_what_was_uploaded() {
        // The second upload failed: the first is deleted, nothing is kept.
        let mut ledger = ours(3);
        ledger.uploaded(0);
        assert_eq!(ledger.clean_up(), plan(&[0], &[]));
        assert!(!ledger.imports_requested());
        // Pre-flight stopped the run: every upload is deleted.
        ledger.uploaded(1);
        ledger.uploaded(2);
        assert_eq!(ledger.clean_up(), plan(&[0, 1, 2], &[]));
        assert_eq!(ledger.not_imported(), ["job1", "job2", "job3"]);
    }

    #[test]
    fn a_refused_import_deletes_its_archive_the_later_ones_and_those_read() {
        let mut ledger = first_done();
        ledger.requesting(1);
        ledger.refused(1);
        // The first was read to the end: this run staged it, so it goes too.
        assert_eq!(ledger.clean_up(), plan(&[0, 1, 2], &[]));
        assert_eq!(ledger.not_imported(), ["job2", "job3"]);
    }

    #[test]
    fn an_import_of_unknown_fate_keeps_its_archive() {
        let mut ledger = first_done();
        ledger.requesting(1);
        ledger.uncertain(1);
        assert_eq!(ledger.clean_up(), plan(&[0, 2], &[1]));
        assert_eq!(ledger.not_imported(), ["job3"]);
    }

    #[test]
    fn a_wait_that_stops_keeps_only_the_archive_being_read() {
        // A wait error or a timeout on the second task.
        let mut ledger = first_done();
        ledger.requesting(1);
        ledger.started(1, "t2");
        assert_eq!(ledger.clean_up(), plan(&[0, 2], &[1]));
    }

    #[test]
    fn a_finished_run_deletes_everything_and_no_wait_keeps_everything() {
        let mut waited = ours(2);
        let mut not_waited = ours(2);
        for index in 0..2 {
            waited.uploaded(index);
            waited.requesting(index);
            waited.started(index, "t");
            waited.ended(index);
            not_waited.uploaded(index);
            not_waited.requesting(index);
            not_waited.started(index, "t");
        }
        assert_eq!(waited.clean_up(), plan(&[0, 1], &[]));
        assert_eq!(not_waited.clean_up(), plan(&[], &[0, 1]));
        assert!(waited.not_imported().is_empty());
    }

    #[test]
    fn an_object_already_in_obs_is_never_deleted_or_kept() {
        for stop in [
            |_: &mut Ledger| {},
            |l: &mut Ledger| {
                l.requesting(0);
                l.uncertain(0);
            },
            |l: &mut Ledger| l.started(0, "t"),
            |l: &mut Ledger| {
                l.started(0, "t");
                l.ended(0);
            },
        ] {
            let mut ledger = Ledger::new();
            ledger.add(&archive(1, false));
            stop(&mut ledger);
            assert_eq!(ledger.clean_up(), CleanUp::default());
        }
    }

    #[test]
    fn ctrl_c_while_waiting_names_every_object_and_the_jobs_not_imported() {
        let mut ledger = ours(3);
        for index in 0..3 {
            ledger.uploaded(index);
        }
        ledger.requesting(0);
        ledger.started(0, "t1");
        let text = ledger
            .notice("stopped while import task t1 runs", Some("B"))
            .expect("a notice");
        assert!(
            text.starts_with("stopped while import task t1 runs; "),
            "{text}"
        );
        assert!(
            text.contains("the staged archive obs://bkt/run/1.zip is kept (import task t1 may still be reading it)"),
            "{text}"
        );
        assert!(
            text.contains("`dataarts-jobs task t1 --wait --workspace B` follows the task"),
            "{text}"
        );
        assert!(
            text.contains("staged and not deleted: obs://bkt/run/2.zip, obs://bkt/run/3.zip"),
            "{text}"
        );
        assert!(
            text.contains("not imported: job2, job3 (in obs://bkt/run/2.zip, obs://bkt/run/3.zip)"),
            "{text}"
        );
        // In the default workspace, no --workspace.
        let text = ledger.notice("stopped", None).expect("a notice");
        assert!(
            text.contains("`dataarts-jobs task t1 --wait` follows"),
            "{text}"
        );
    }

    #[test]
    fn ctrl_c_in_the_import_request_or_the_read_back_names_what_stays() {
        let mut ledger = first_done();
        ledger.requesting(1);
        let text = ledger
            .notice("stopped while requesting", None)
            .expect("notice");
        assert!(
            text.contains(
                "the staged archive obs://bkt/run/2.zip is kept (a task may be reading it)"
            ),
            "{text}"
        );
        assert!(text.contains("`dataarts-jobs list`"), "{text}");
        // 1.zip's task ended and it is not deleted yet.
        assert!(
            text.contains("staged and not deleted: obs://bkt/run/1.zip, obs://bkt/run/3.zip"),
            "{text}"
        );
        assert!(text.contains("not imported: job3"), "{text}");
        // Every task ended, reading back: each object named, none unimported.
        let mut read_back = ours(2);
        for index in 0..2 {
            read_back.uploaded(index);
            read_back.requesting(index);
            read_back.started(index, "t");
            read_back.ended(index);
        }
        let text = read_back
            .notice("stopped while reading the target back", Some("B"))
            .expect("notice");
        assert_eq!(
            text,
            "stopped while reading the target back; staged and not deleted: \
             obs://bkt/run/1.zip, obs://bkt/run/2.zip"
        );
        // Before any import: what was uploaded, and that nothing was imported.
        let mut staging = ours(2);
        staging.uploaded(0);
        let text = staging
            .notice("stopped before importing", None)
            .expect("notice");
        assert_eq!(
            text,
            "stopped before importing; staged and not deleted: obs://bkt/run/1.zip; \
             nothing was imported"
        );
        // Nothing staged, nothing started: nothing to say.
        assert_eq!(ours(1).notice("stopped", None), None);
        let mut theirs = Ledger::new();
        theirs.add(&archive(1, false));
        assert_eq!(theirs.notice("stopped", None), None);
        // Deleted objects are not named.
        read_back.deleted(0);
        read_back.deleted(1);
        assert_eq!(read_back.notice("stopped", None), None);
    }
}
