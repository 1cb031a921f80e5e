//! What a run has staged, where each staged object stands, and the one rule
//! clean-up follows: delete exactly the objects this run uploaded that no
//! task can still be reading (their task is terminal, or the run stopped
//! before importing them); keep, and name, an object whose task may still
//! be reading it. Each step records what it did here; nothing else decides
//! what is deleted.

use super::pipeline::Staged;
use crate::obs::ObjectPath;

/// Where one archive's object stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Already in OBS before the run: never this run's to delete.
    NotOurs,
    /// Not in OBS: not uploaded yet, or its upload failed storing nothing.
    Local,
    /// Uploaded, and no task reads it: none was started, or the import
    /// request was refused.
    Unread,
    /// A task may be reading it: the run did not wait for the task, the
    /// wait stopped before the task ended, or the import request failed in a
    /// way that may have started one.
    Reading,
    /// Its task has ended.
    Read,
}

/// What clean-up does, in archive order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanUp {
    pub delete: Vec<ObjectPath>,
    pub keep: Vec<ObjectPath>,
}

/// The staged objects of one run, in archive order.
#[derive(Debug, Clone)]
pub struct Ledger {
    entries: Vec<(ObjectPath, Stage)>,
}

impl Ledger {
    /// Every archive of a run before its first step: those with bytes are
    /// this run's to upload, the others were in OBS already.
    pub fn new(archives: &[Staged]) -> Self {
        Self {
            entries: archives
                .iter()
                .map(|archive| {
                    let stage = match archive.payload {
                        Some(_) => Stage::Local,
                        None => Stage::NotOurs,
                    };
                    (archive.object.clone(), stage)
                })
                .collect(),
        }
    }

    /// Archive `index` is in OBS: uploaded, or stored with an ETag that is
    /// not the MD5 of what was sent.
    pub fn uploaded(&mut self, index: usize) {
        self.set(index, Stage::Unread);
    }

    /// The import of archive `index` started a task.
    pub fn started(&mut self, index: usize) {
        self.set(index, Stage::Reading);
    }

    /// The task of archive `index` ended.
    pub fn ended(&mut self, index: usize) {
        self.set(index, Stage::Read);
    }

    /// The import request of archive `index` failed: `refused` (a 4xx)
    /// started nothing, anything else may have started a task. The run stops
    /// there, and clean-up leaves the archives before it as they are.
    pub fn import_failed(&mut self, index: usize, refused: bool) {
        if !refused {
            self.started(index);
        }
    }

    /// The objects uploaded that no task reads yet (what Ctrl-C before the
    /// first import leaves behind).
    pub fn unread(&self) -> Vec<&ObjectPath> {
        self.entries
            .iter()
            .filter(|(_, stage)| *stage == Stage::Unread)
            .map(|(object, _)| object)
            .collect()
    }

    /// What clean-up deletes and keeps, wherever the run ended.
    pub fn clean_up(&self) -> CleanUp {
        let mut plan = CleanUp::default();
        for (object, stage) in &self.entries {
            match stage {
                Stage::Unread | Stage::Read => plan.delete.push(object.clone()),
                Stage::Reading => plan.keep.push(object.clone()),
                Stage::NotOurs | Stage::Local => {}
            }
        }
        plan
    }

    /// Moves archive `index` to `stage`; an object that is not ours stays so.
    fn set(&mut self, index: usize, stage: Stage) {
        if let Some((_, current)) = self.entries.get_mut(index) {
            if *current != Stage::NotOurs {
                *current = stage;
            }
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

    /// `n` archives of this run (numbered from 1).
    fn ours(n: usize) -> Ledger {
        let archives: Vec<Staged> = (1..=n)
            .map(|i| Staged {
                object: object(i),
                label: format!("archive {i}"),
                payload: Some(Payload::from_bytes(b"zip").expect("payload")),
                jobs: vec![format!("job{i}")],
            })
            .collect();
        Ledger::new(&archives)
    }

    fn plan(delete: &[usize], keep: &[usize]) -> CleanUp {
        CleanUp {
            delete: delete.iter().map(|n| object(*n)).collect(),
            keep: keep.iter().map(|n| object(*n)).collect(),
        }
    }

    /// Three archives uploaded, the first imported and waited for.
    fn first_done() -> Ledger {
        let mut ledger = ours(3);
        for index in 0..3 {
            ledger.uploaded(index);
        }
        ledger.started(0);
        ledger.ended(0);
        ledger
    }

    #[test]
    fn stopping_before_any_import_deletes_what_was_uploaded() {
        // The second upload failed: the first is deleted, nothing is kept.
        let mut ledger = ours(3);
        ledger.uploaded(0);
        assert_eq!(ledger.unread(), [&object(1)]);
        assert_eq!(ledger.clean_up(), plan(&[1], &[]));
        // Pre-flight stopped the run: every upload is deleted.
        ledger.uploaded(1);
        ledger.uploaded(2);
        assert_eq!(ledger.clean_up(), plan(&[1, 2, 3], &[]));
    }

    #[test]
    fn a_refused_import_deletes_its_archive_the_later_ones_and_those_read() {
        let mut ledger = first_done();
        ledger.import_failed(1, true);
        // The first was read to the end: this run staged it, so it goes too.
        assert_eq!(ledger.clean_up(), plan(&[1, 2, 3], &[]));
    }

    #[test]
    fn an_import_of_unknown_fate_keeps_its_archive() {
        let mut ledger = first_done();
        ledger.import_failed(1, false);
        assert_eq!(ledger.clean_up(), plan(&[1, 3], &[2]));
    }

    #[test]
    fn a_wait_that_stops_keeps_only_the_archive_being_read() {
        // A wait error or a timeout on the second task.
        let mut ledger = first_done();
        ledger.started(1);
        assert_eq!(ledger.clean_up(), plan(&[1, 3], &[2]));
    }

    #[test]
    fn a_finished_run_deletes_everything_and_no_wait_keeps_everything() {
        let mut waited = ours(2);
        let mut not_waited = ours(2);
        for index in 0..2 {
            waited.uploaded(index);
            waited.started(index);
            waited.ended(index);
            not_waited.uploaded(index);
            not_waited.started(index);
        }
        assert_eq!(waited.clean_up(), plan(&[1, 2], &[]));
        assert_eq!(not_waited.clean_up(), plan(&[], &[1, 2]));
    }

    #[test]
    fn an_object_already_in_obs_is_never_deleted_or_kept() {
        let archives = [Staged {
            object: object(1),
            label: object(1).to_string(),
            payload: None,
            jobs: Vec::new(),
        }];
        for stop in [
            |_: &mut Ledger| {},
            |l: &mut Ledger| l.import_failed(0, false),
            |l: &mut Ledger| l.started(0),
            |l: &mut Ledger| {
                l.started(0);
                l.ended(0);
            },
        ] {
            let mut ledger = Ledger::new(&archives);
            stop(&mut ledger);
            assert!(ledger.unread().is_empty());
            assert_eq!(ledger.clean_up(), CleanUp::default());
        }
    }
}
