use super::*;
use journal::JOURNAL;
use staging::LOCK;

use std::collections::BTreeMap;

/// Every path under `dir` (relative) with its bytes, `None` for folders.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("list") {
            let p = e.expect("entry").path();
            let rel = p
                .strip_prefix(dir)
                .expect("under")
                .to_string_lossy()
                .into_owned();
            if fs::symlink_metadata(&p).expect("lstat").is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else {
                out.insert(rel, Some(fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out
}

fn write(p: &Path, bytes: &[u8]) {
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, bytes).expect("write");
}

/// A root with jobs/a (old), jobs/gone and notes.txt, and a switch that
/// replaces jobs/a, adds jobs/b and removes jobs/gone.
fn prepared() -> (tempfile::TempDir, Switch) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(&root.join("jobs/a/a.job"), b"old a");
    write(&root.join("jobs/gone/g.job"), b"gone");
    write(&root.join("notes.txt"), b"mine");
    let mut sw = Switch::begin(root).expect("begin");
    write(&sw.new_root().join("jobs/a/a.job"), b"new a");
    write(&sw.new_root().join("jobs/b/b.job"), b"new b");
    sw.place("jobs/a", true);
    sw.place("jobs/b", true);
    sw.remove("jobs/gone");
    (dir, sw)
}

#[test]
fn a_commit_places_replaces_removes_and_cleans_up() {
    let (dir, sw) = prepared();
    let done = sw.commit(&AtomicBool::new(false)).expect("commit");
    assert_eq!(done.added, ["jobs/b"]);
    assert_eq!(done.replaced, ["jobs/a"]);
    assert_eq!(done.removed, ["jobs/gone"]);
    let after = tree(dir.path());
    let expect: BTreeMap<String, Option<Vec<u8>>> = [
        ("jobs", None),
        ("jobs/a", None),
        ("jobs/a/a.job", Some(b"new a".to_vec())),
        ("jobs/b", None),
        ("jobs/b/b.job", Some(b"new b".to_vec())),
        ("notes.txt", Some(b"mine".to_vec())),
    ]
    .into_iter()
    .map(|(p, c)| (p.to_string(), c))
    .collect();
    assert_eq!(after, expect);
    assert!(recover(dir.path()).expect("recover").is_empty());
}

#[test]
fn without_replace_an_existing_unit_is_refused_and_nothing_moves() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir.path().join("jobs/a/a.job"), b"old");
    let before = tree(dir.path());
    let mut sw = Switch::begin(dir.path()).expect("begin");
    write(&sw.new_root().join("jobs/a/a.job"), b"new");
    write(&sw.new_root().join("jobs/b/b.job"), b"new");
    sw.place("jobs/b", false);
    sw.place("jobs/a", false);
    let err = sw.commit(&AtomicBool::new(false)).expect_err("exists");
    match err.downcast_ref::<TargetError>() {
        Some(TargetError::Exists { paths }) => assert_eq!(paths, &[PathBuf::from("jobs/a")]),
        other => panic!("{other:?}"),
    }
    assert_eq!(tree(dir.path()), before);
}

#[test]
fn a_cancelled_commit_undoes_its_moves() {
    let (dir, sw) = prepared();
    let before: Vec<String> = tree(dir.path())
        .into_keys()
        .filter(|k| !k.starts_with(STAGING_PREFIX))
        .collect();
    let err = sw.commit(&AtomicBool::new(true)).expect_err("cancelled");
    assert!(err.is::<crate::cancel::Interrupted>());
    assert_eq!(tree(dir.path()).into_keys().collect::<Vec<_>>(), before);
}

#[cfg(unix)]
#[test]
fn a_symlink_on_the_way_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("jobs")).expect("symlink");
    let mut sw = Switch::begin(dir.path()).expect("begin");
    write(&sw.new_root().join("jobs/a/a.job"), b"new");
    sw.place("jobs/a", true);
    let err = sw.commit(&AtomicBool::new(false)).expect_err("link");
    assert!(matches!(
        err.downcast_ref::<TargetError>(),
        Some(TargetError::Symlink { path }) if path.ends_with("jobs")
    ));
    assert_eq!(fs::read_dir(elsewhere.path()).expect("list").count(), 0);
}

#[test]
fn a_run_killed_mid_switch_is_rolled_back_whole_by_the_next() {
    // Moves: jobs/a aside (1), jobs/a placed (2), jobs/b placed (3), jobs/gone aside (4).
    for moves in 1..=3 {
        let (dir, sw) = prepared();
        let staging = sw.staging().path().to_path_buf();
        sw.commit_and_die_after(moves);
        assert!(staging.exists(), "{moves}: a killed run leaves its staging");
        let recovered = recover(dir.path()).expect("recover");
        assert_eq!(recovered.len(), 1, "{moves}");
        assert_eq!(recovered[0].staging, staging);
        assert!(
            matches!(recovered[0].outcome, Outcome::RolledBack { .. }),
            "{moves}"
        );
        let line = recovered[0].to_string();
        assert!(
            line.contains("put back") && line.contains("jobs/a"),
            "{line}"
        );
        let after = tree(dir.path());
        assert_eq!(
            after.get("jobs/a/a.job"),
            Some(&Some(b"old a".to_vec())),
            "{moves}"
        );
        assert_eq!(
            after.get("jobs/gone/g.job"),
            Some(&Some(b"gone".to_vec())),
            "{moves}"
        );
        assert!(!after.contains_key("jobs/b"), "{moves}");
        assert!(
            after.keys().all(|k| !k.starts_with(STAGING_PREFIX)),
            "{moves}"
        );
    }
}

#[test]
fn a_run_killed_after_its_moves_is_completed() {
    let (dir, sw) = prepared();
    sw.commit_and_die_after(usize::MAX);
    let recovered = recover(dir.path()).expect("recover");
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0].outcome, Outcome::Completed);
    let after = tree(dir.path());
    assert_eq!(after.get("jobs/a/a.job"), Some(&Some(b"new a".to_vec())));
    assert!(!after.contains_key("jobs/gone"));
    assert!(after.keys().all(|k| !k.starts_with(STAGING_PREFIX)));
}

#[test]
fn a_live_run_is_left_alone_and_a_run_killed_while_staging_is_discarded() {
    let (dir, sw) = prepared();
    assert!(
        recover(dir.path()).expect("recover").is_empty(),
        "the lock is held"
    );
    assert!(sw.staging().path().exists());
    // Killed before the journal: dropping the lock without the clean-up.
    let staging = sw.abandon();
    let recovered = recover(dir.path()).expect("recover");
    assert_eq!(recovered[0].outcome, Outcome::Discarded);
    assert!(!staging.exists());
    assert_eq!(
        tree(dir.path()).get("jobs/a/a.job"),
        Some(&Some(b"old a".to_vec()))
    );
}

#[test]
fn a_journal_with_an_unsafe_path_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let staging = dir.path().join(format!("{STAGING_PREFIX}x"));
    fs::create_dir_all(staging.join("old/0")).expect("mkdir");
    fs::write(staging.join(LOCK), b"").expect("lock");
    fs::write(
        staging.join(JOURNAL),
        br#"{"format":1,"changes":[{"op":"remove","path":"../escape"}],"made":[]}"#,
    )
    .expect("journal");
    assert!(recover(dir.path()).is_err());
    assert!(staging.join("old/0").exists());
}

#[test]
fn a_path_that_leaves_the_root_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    for bad in ["../x", "/etc", "jobs//a", "jobs/./a", ""] {
        let mut sw = Switch::begin(dir.path()).expect("begin");
        sw.remove(bad);
        assert!(sw.commit(&AtomicBool::new(false)).is_err(), "{bad:?}");
    }
    assert!(fs::read_dir(dir.path()).expect("list").next().is_none());
}

#[test]
fn files_deep_in_folders_are_units_and_emptied_folders_go_after_the_moves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(&root.join("w/jobs/a/a.job"), b"old a");
    write(&root.join("w/jobs/a/same.job"), b"same");
    write(&root.join("w/scripts/s.json"), b"gone");
    let mut sw = Switch::begin(root).expect("begin");
    write(&sw.new_root().join("w/jobs/a/a.job"), b"new a");
    write(&sw.new_root().join("w/m.json"), b"manifest");
    sw.place("w/jobs/a/a.job", true);
    sw.remove("w/scripts/s.json");
    sw.remove_if_empty("w/scripts");
    sw.remove_if_empty("w/jobs");
    sw.place("w/m.json", false);
    let done = sw.commit(&AtomicBool::new(false)).expect("commit");
    assert_eq!(done.replaced, ["w/jobs/a/a.job"]);
    assert_eq!(done.added, ["w/m.json"]);
    let after = tree(root);
    assert_eq!(after.get("w/jobs/a/a.job"), Some(&Some(b"new a".to_vec())));
    assert_eq!(
        after.get("w/jobs/a/same.job"),
        Some(&Some(b"same".to_vec()))
    );
    assert_eq!(after.get("w/m.json"), Some(&Some(b"manifest".to_vec())));
    assert!(!after.contains_key("w/scripts"), "left empty: removed");
    assert!(after.contains_key("w/jobs"), "not empty: kept");
    assert!(stagings(root).expect("stagings").is_empty());
}

#[test]
fn a_unit_that_was_not_built_is_refused_before_anything_moves() {
    let (dir, mut sw) = prepared();
    sw.place("jobs/never-built", true);
    let before: Vec<String> = tree(dir.path())
        .into_keys()
        .filter(|k| !k.starts_with(STAGING_PREFIX))
        .collect();
    let err = sw.commit(&AtomicBool::new(false)).expect_err("not built");
    assert!(err.to_string().contains("jobs/never-built"), "{err}");
    assert_eq!(tree(dir.path()).into_keys().collect::<Vec<_>>(), before);
}

#[test]
fn a_unit_changed_twice_or_inside_another_is_refused() {
    // `prepared` places jobs/a already.
    for (again, message) in [
        ("jobs/a", "jobs/a is changed twice"),
        ("jobs/a/a.job", "jobs/a/a.job is inside jobs/a"),
    ] {
        let (dir, mut sw) = prepared();
        sw.remove(again);
        let err = sw.commit(&AtomicBool::new(false)).expect_err("overlap");
        assert!(err.to_string().contains(message), "{err}");
        assert_eq!(
            tree(dir.path()).get("jobs/a/a.job"),
            Some(&Some(b"old a".to_vec()))
        );
    }
}

#[test]
fn a_run_killed_after_its_moves_has_its_emptied_folders_removed_by_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir.path().join("jobs/gone/g.job"), b"gone");
    let mut sw = Switch::begin(dir.path()).expect("begin");
    sw.remove("jobs/gone");
    sw.remove_if_empty("jobs");
    sw.commit_and_die_after(usize::MAX);
    assert!(dir.path().join("jobs").exists());
    let recovered = recover(dir.path()).expect("recover");
    assert_eq!(recovered[0].outcome, Outcome::Completed);
    assert!(fs::read_dir(dir.path()).expect("list").next().is_none());
}

#[test]
fn stagings_are_found_live_or_left_and_a_check_only_one_stays_outside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = Switch::begin(dir.path()).expect("begin");
    let left = Switch::begin(dir.path()).expect("begin").abandon();
    fs::create_dir(dir.path().join(format!("{STAGING_PREFIX}no-lock"))).expect("mkdir");
    let mut expect = vec![
        Found {
            path: live.staging().path().to_path_buf(),
            in_use: true,
        },
        Found {
            path: left.clone(),
            in_use: false,
        },
    ];
    expect.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(stagings(dir.path()).expect("stagings"), expect);
    assert_eq!(recover(dir.path()).expect("recover").len(), 1);
    assert!(!left.exists() && live.staging().path().exists());

    let check = Staging::check_only().expect("check-only");
    let scratch = check.scratch().expect("scratch");
    assert!(scratch.starts_with(check.path()) && scratch.is_dir());
    assert!(check.new_root().starts_with(check.path()));
    assert!(!check.path().starts_with(dir.path()));
    let path = check.path().to_path_buf();
    drop(check);
    assert!(!path.exists());
}

#[test]
fn a_long_recovery_line_names_ten_units_then_counts_the_rest() {
    let recovered = Recovered {
        staging: PathBuf::from(format!("/d/{STAGING_PREFIX}x")),
        outcome: Outcome::RolledBack {
            restored: (0..12).map(|i| format!("jobs/j{i}")).collect(),
        },
    };
    let line = recovered.to_string();
    assert!(line.contains("jobs/j9 and 2 more as before"), "{line}");
    assert_eq!(recovered.restored(), 12);
}

#[test]
fn a_placed_unit_is_taken_back_out_even_where_its_staged_folder_is_gone() {
    let (dir, sw) = prepared();
    let staging = sw.staging().path().to_path_buf();
    // Moves: jobs/a aside, jobs/a placed, jobs/b placed; then new/jobs
    // (left empty by them) is lost.
    sw.commit_and_die_after(3);
    fs::remove_dir(staging.join("new/jobs")).expect("rmdir");
    let recovered = recover(dir.path()).expect("recover");
    assert_eq!(
        recovered[0].outcome,
        Outcome::RolledBack {
            restored: vec!["jobs/a".into(), "jobs/b".into()]
        }
    );
    let after = tree(dir.path());
    assert_eq!(after.get("jobs/a/a.job"), Some(&Some(b"old a".to_vec())));
    assert!(!after.contains_key("jobs/b"));
}
