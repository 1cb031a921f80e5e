//! `backup DIR`: the mirror, its manifest, the prune and its guards,
//! all-or-nothing staging, `--check`, `--dry-run`, `--all-workspaces`, the
//! round trip through `emulator --data`, and paging at scale.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use assert_cmd::Command;
use dataarts_jobs::emulator::{Config, Faults, OffsetUnit, TotalFault};
use serde_json::{json, Value};
use sha2::Digest as _;

use crate::common::killed::KilledSwitch;
use crate::common::raw_server::{RawServer, Reply};
use crate::common::*;

/// Every file and folder under `root` with its bytes and modification time.
fn files_and_mtimes(root: &Path) -> BTreeMap<String, (Vec<u8>, Option<SystemTime>)> {
    snapshot(root)
        .into_iter()
        .map(|(path, bytes)| {
            let mtime = if path.ends_with('/') {
                None
            } else {
                std::fs::metadata(root.join(&path))
                    .and_then(|m| m.modified())
                    .ok()
            };
            (path, (bytes, mtime))
        })
        .collect()
}

/// Staging directories left in `dir`.
fn staging_left(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| {
                    name.starts_with(".dataarts-backup-") || name.starts_with(".dataarts-jobs-")
                })
                .collect()
        })
        .unwrap_or_default()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: stdout {}\nstderr {}", stdout(output), stderr(output)))
}

fn names(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().expect("a name").to_string())
        .collect()
}

/// Stops `emu` and starts another on the same port (the manifest records
/// `host:port`, so a restarted emulator is the same source).
fn restart(emu: Emu, configure: impl FnOnce(&mut Config)) -> Emu {
    emu.restart(configure)
}

fn serving(data: &Path) -> impl Fn(&mut Config) + '_ {
    move |c: &mut Config| c.data = Some(data.to_path_buf())
}

/// `backup <dir>` against `emu`, with the Management Center there too and
/// temporary files kept in the sandbox.
fn backup(sandbox: &Sandbox, emu: &Emu, dir: &str) -> Command {
    let mut command = sandbox.cmd(emu);
    command
        .env("DATAARTS_STUDIO_ENDPOINT", &emu.endpoint)
        .env("TMPDIR", sandbox.path("tmp"))
        .args(["backup", dir]);
    std::fs::create_dir_all(sandbox.path("tmp")).expect("mkdir");
    command
}

/// A script as a `.script` file defines it.
fn script(name: &str, content: &str) -> String {
    json!({"name": name, "type": "DWSSQL", "content": content, "directory": "/gen"}).to_string()
}

/// Three batch jobs (`a` with a script) and a real-time one.
fn small_workspace() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("tempdir");
    let a_script = script("a_sql", "select 1");
    write_workspace(
        data.path(),
        &[
            ("a", "BATCH", &[("a_sql.script", a_script.as_str())]),
            ("b", "BATCH", &[("notes.txt", "plain")]),
            ("deleted", "BATCH", &[]),
            ("stream", "REAL_TIME", &[]),
        ],
    );
    data
}

#[test]
fn a_first_backup_mirrors_every_job_and_script_with_the_documented_manifest() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(backup(&sandbox, &emu, "backup").arg("--json"));
    expect_code(&output, 0);
    let summary = json_of(&output);
    assert_eq!(summary["format"], 1);
    assert_eq!(
        names(&summary["jobs"]["added"]),
        ["job_batch", "job_stream"]
    );
    assert_eq!(names(&summary["scripts"]["added"]), ["dws_sql"]);
    assert_eq!(summary["failed"], json!([]));
    assert_eq!(summary["manifest_changed"], true);

    let tree = snapshot(&sandbox.path("backup"));
    for path in [
        "jobs/job_batch/job_batch.job",
        "jobs/job_batch/dws_sql.script",
        "jobs/job_stream/job_stream.job",
    ] {
        assert_eq!(tree[path], sample_file(path), "{path}");
    }
    let keys: Vec<&String> = tree.keys().filter(|k| !k.ends_with('/')).collect();
    assert_eq!(
        keys,
        [
            "dataarts-backup.json",
            "jobs/job_batch/dws_sql.script",
            "jobs/job_batch/job_batch.job",
            "jobs/job_stream/job_stream.job",
            "scripts/dws_sql.json"
        ]
    );
    // The script: the listed object, keys sorted, two-space indent, one newline.
    let listed: Value =
        serde_json::from_slice(&sample_file("jobs/job_batch/dws_sql.script")).expect("json");
    let mut expected = serde_json::to_vec_pretty(&listed).expect("pretty");
    expected.push(b'\n');
    assert_eq!(tree["scripts/dws_sql.json"], expected);
    assert!(String::from_utf8_lossy(&expected).starts_with("{\n  \"configuration\": {"));

    let manifest_bytes = &tree["dataarts-backup.json"];
    assert!(manifest_bytes.ends_with(b"}\n") && !manifest_bytes.ends_with(b"\n\n"));
    let manifest: Value = serde_json::from_slice(manifest_bytes).expect("manifest");
    let mut pretty = serde_json::to_vec_pretty(&manifest).expect("pretty");
    pretty.push(b'\n');
    assert_eq!(&pretty, manifest_bytes, "sorted keys, two-space indent");
    let host_port = emu.endpoint.trim_start_matches("http://");
    assert_eq!(
        manifest["source"],
        json!({"endpoint": host_port, "match": [], "project_id": PROJECT, "workspace": null})
    );
    assert_eq!(manifest["format"], 1);
    let batch = &manifest["jobs"]["job_batch"];
    assert_eq!(batch["type"], "BATCH");
    assert_eq!(batch["lastUpdateTime"], 1_716_170_400_000_i64);
    assert_eq!(batch["lastUpdateUser"], "demo_user");
    let file = sample_file("jobs/job_batch/job_batch.job");
    assert_eq!(
        batch["files"]["jobs/job_batch/job_batch.job"],
        json!({"sha256": sha256(&file), "size": file.len()})
    );
    assert_eq!(manifest["jobs"]["job_stream"]["type"], "REAL_TIME");
    assert_eq!(
        manifest["scripts"]["dws_sql"],
        json!({"file": "scripts/dws_sql.json", "sha256": sha256(&expected), "size": expected.len()})
    );
    assert!(!String::from_utf8_lossy(manifest_bytes).contains("seconds"));
    assert!(staging_left(&sandbox.path("backup")).is_empty());
}

#[test]
fn an_unchanged_workspace_rewrites_no_file() {
    let data = tempfile::tempdir().expect("tempdir");
    for i in 0..130 {
        let name = format!("job_{i:04}");
        let own = script(&format!("sql_{i:04}"), &format!("select {i}"));
        write_workspace(
            data.path(),
            &[(name.as_str(), "BATCH", &[("own.script", own.as_str())])],
        );
    }
    for i in 0..105 {
        write_workspace(
            data.path(),
            &[(format!("stream_{i:03}").as_str(), "REAL_TIME", &[])],
        );
    }
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let before = files_and_mtimes(&sandbox.path("backup"));
    assert_eq!(
        before.keys().filter(|k| k.ends_with(".script")).count(),
        130
    );
    assert_eq!(
        before.keys().filter(|k| k.starts_with("scripts/")).count(),
        131
    );

    let output = run(backup(&sandbox, &emu, "backup").arg("--json"));
    expect_code(&output, 0);
    let summary = json_of(&output);
    assert_eq!(summary["jobs"]["unchanged"], 235);
    assert_eq!(summary["scripts"]["unchanged"], 130);
    assert_eq!(summary["jobs"]["added"], json!([]));
    assert_eq!(summary["manifest_changed"], false);
    assert_eq!(
        files_and_mtimes(&sandbox.path("backup")),
        before,
        "byte-identical, mtimes untouched"
    );
    assert!(
        !stderr(&output).contains("no longer has it"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_job_deleted_upstream_is_pruned_and_nothing_unrecorded_is_touched() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let dir = sandbox.path("backup");
    std::fs::create_dir_all(dir.join("jobs/x")).expect("mkdir");
    std::fs::write(dir.join("jobs/x/notes.md"), "hand-made").expect("write");
    std::fs::write(dir.join("README.md"), "# our backup").expect("write");
    std::fs::create_dir_all(dir.join(".git/refs")).expect("mkdir");
    std::fs::write(dir.join(".git/config"), "[core]").expect("write");
    let kept_mtime = std::fs::metadata(dir.join("jobs/a/a.job"))
        .and_then(|m| m.modified())
        .expect("mtime");

    std::fs::remove_dir_all(data.path().join("jobs/deleted")).expect("delete upstream");
    let emu = restart(emu, serving(data.path()));
    let output = run(backup(&sandbox, &emu, "backup").arg("--json"));
    expect_code(&output, 0);
    let summary = json_of(&output);
    assert_eq!(names(&summary["jobs"]["removed"]), ["deleted"]);
    assert_eq!(summary["jobs"]["unchanged"], 3);
    let text = stderr(&output);
    assert!(
        text.contains("removed") && text.contains("jobs/deleted/"),
        "{text}"
    );
    assert!(
        text.contains("jobs/x"),
        "the hand-made directory is named: {text}"
    );
    assert!(!dir.join("jobs/deleted").exists());
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("dataarts-backup.json")).expect("read"))
            .expect("manifest");
    assert!(manifest["jobs"].get("deleted").is_none());
    assert_eq!(
        std::fs::read_to_string(dir.join("jobs/x/notes.md")).expect("read"),
        "hand-made"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).expect("read"),
        "# our backup"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".git/config")).expect("read"),
        "[core]"
    );
    assert!(dir.join(".git/refs").is_dir());
    assert_eq!(
        std::fs::metadata(dir.join("jobs/a/a.job"))
            .and_then(|m| m.modified())
            .expect("mtime"),
        kept_mtime
    );
}

#[test]
fn a_changed_job_is_updated_whole_and_named_with_its_files() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let dir = sandbox.path("backup");
    let other = files_and_mtimes(&dir.join("jobs/a"));

    let b = data.path().join("jobs/b");
    std::fs::remove_file(b.join("notes.txt")).expect("remove upstream file");
    std::fs::write(b.join("added.txt"), "new file").expect("write");
    std::fs::write(
        b.join("b.job"),
        json!({"name": "b", "processType": "BATCH", "nodes": [{"name": "n"}]}).to_string(),
    )
    .expect("edit");
    let emu = restart(emu, serving(data.path()));
    let output = run(backup(&sandbox, &emu, "backup").arg("--json"));
    expect_code(&output, 0);
    let summary = json_of(&output);
    assert_eq!(
        summary["jobs"]["changed"],
        json!([{"name": "b", "files": ["jobs/b/added.txt", "jobs/b/b.job", "jobs/b/notes.txt"]}])
    );
    assert_eq!(summary["jobs"]["unchanged"], 3);
    let job: BTreeMap<String, Vec<u8>> = snapshot(&dir.join("jobs/b"));
    let upstream = snapshot(&b);
    assert_eq!(job, upstream, "exactly a fresh export, no stale file");
    assert_eq!(
        files_and_mtimes(&dir.join("jobs/a")),
        other,
        "other jobs untouched"
    );

    // A stray file in a recorded job's directory is removed by the next run.
    std::fs::write(dir.join("jobs/b/stray.tmp"), "x").expect("write");
    let output = run(backup(&sandbox, &emu, "backup").arg("--json"));
    expect_code(&output, 0);
    assert_eq!(
        json_of(&output)["jobs"]["changed"],
        json!([{"name": "b", "files": ["jobs/b/stray.tmp"]}])
    );
    assert!(!dir.join("jobs/b/stray.tmp").exists());
}

#[test]
fn another_source_is_refused_naming_both_and_force_overrides() {
    let data = small_workspace();
    write_workspace(&data.path().join("workspaces/ws-1"), &[("w", "BATCH", &[])]);
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let before = snapshot(&sandbox.path("backup"));

    let output = run(backup(&sandbox, &emu, "backup").args(["--workspace", "ws-1"]));
    expect_code(&output, 1);
    let text = stderr(&output);
    assert!(
        text.contains("the default workspace") && text.contains("workspace ws-1"),
        "{text}"
    );
    assert!(text.contains("--force"), "{text}");
    assert_eq!(snapshot(&sandbox.path("backup")), before);

    let output = run(backup(&sandbox, &emu, "backup").args(["--match", "a*"]));
    expect_code(&output, 1);
    assert!(
        stderr(&output).contains("jobs matching a*"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(&sandbox.path("backup")), before);

    let output =
        run(backup(&sandbox, &emu, "backup").args(["--workspace", "ws-1", "--force", "--json"]));
    expect_code(&output, 0);
    let summary = json_of(&output);
    assert_eq!(names(&summary["jobs"]["added"]), ["w"]);
    assert_eq!(
        names(&summary["jobs"]["removed"]),
        ["a", "b", "deleted", "stream"]
    );
    assert!(!sandbox.path("backup/jobs/a").exists());
}

#[test]
fn an_empty_listing_is_refused_while_the_manifest_records_jobs() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let before = snapshot(&sandbox.path("backup"));
    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(empty.path().join("jobs")).expect("mkdir");
    let emu = restart(emu, serving(empty.path()));
    for extra in [&[][..], &["--check"][..]] {
        let output = run(backup(&sandbox, &emu, "backup").args(extra));
        expect_code(&output, 1);
        assert!(
            stderr(&output).contains("lists no jobs"),
            "{}",
            stderr(&output)
        );
        assert_eq!(snapshot(&sandbox.path("backup")), before);
    }
    let output = run(backup(&sandbox, &emu, "backup").args(["--force", "--json"]));
    expect_code(&output, 0);
    assert_eq!(
        json_of(&output)["jobs"]["removed"].as_array().map(Vec::len),
        Some(4)
    );
    assert!(!sandbox.path("backup/jobs").exists());
}

#[test]
fn an_unrecorded_directory_where_a_job_goes_is_not_taken_over_without_force() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    // An earlier tree from `export --all --extract`, without a manifest.
    std::fs::create_dir_all(sandbox.path("backup/jobs/a")).expect("mkdir");
    std::fs::write(sandbox.path("backup/jobs/a/a.job"), "older").expect("write");
    let before = snapshot(&sandbox.path("backup"));
    let output = run(&mut backup(&sandbox, &emu, "backup"));
    expect_code(&output, 1);
    assert!(
        stderr(&output).contains("backup/jobs/a/"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(&sandbox.path("backup")), before);
    let output = run(backup(&sandbox, &emu, "backup").arg("--force"));
    expect_code(&output, 0);
    assert_eq!(
        std::fs::read(sandbox.path("backup/jobs/a/a.job")).expect("read"),
        std::fs::read(data.path().join("jobs/a/a.job")).expect("read")
    );
}

/// A backup of `small_workspace` in `sandbox/backup`, and what it holds.
fn earlier_backup(emu: &Emu, sandbox: &Sandbox) -> BTreeMap<String, (Vec<u8>, Option<SystemTime>)> {
    expect_code(&run(&mut backup(sandbox, emu, "backup")), 0);
    std::fs::write(sandbox.path("backup/README.md"), "mine").expect("write");
    files_and_mtimes(&sandbox.path("backup"))
}

/// `backup` fails with `code` and leaves DIR exactly as it was, with no staging.
fn fails_leaving_dir_as_it_was(
    sandbox: &Sandbox,
    command: &mut Command,
    code: i32,
    before: &BTreeMap<String, (Vec<u8>, Option<SystemTime>)>,
) -> String {
    let output = run(command);
    expect_code(&output, code);
    assert_eq!(&files_and_mtimes(&sandbox.path("backup")), before);
    assert!(staging_left(&sandbox.path("backup")).is_empty());
    assert!(staging_left(&sandbox.path("tmp")).is_empty());
    stderr(&output)
}

#[test]
fn failures_before_the_switch_leave_dir_byte_identical() {
    let data = small_workspace();
    // Upstream changed since the earlier backup: a switch would change DIR.
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    let before = earlier_backup(&emu, &sandbox);
    std::fs::write(
        data.path().join("jobs/a/a_sql.script"),
        script("a_sql", "select 2"),
    )
    .expect("edit");

    // 503 forever.
    let emu = restart(emu, |c| {
        c.data = Some(data.path().to_path_buf());
        c.faults = Faults {
            fail_status: Some(503),
            ..Faults::default()
        };
    });
    let text =
        fails_leaving_dir_as_it_was(&sandbox, &mut backup(&sandbox, &emu, "backup"), 5, &before);
    assert!(text.contains("503"), "{text}");
    // A body cut short, every attempt.
    let emu = restart(emu, |c| {
        c.data = Some(data.path().to_path_buf());
        c.faults = Faults {
            truncate_body: Some(100),
            ..Faults::default()
        };
    });
    fails_leaving_dir_as_it_was(&sandbox, &mut backup(&sandbox, &emu, "backup"), 5, &before);
    // --check fails the same way, with its own code.
    fails_leaving_dir_as_it_was(
        &sandbox,
        backup(&sandbox, &emu, "backup").arg("--check"),
        5,
        &before,
    );
}

#[test]
fn a_hostile_archive_is_refused_before_anything_is_written() {
    let hostile = crate::common::zips::with_name(b"jobs/a/../../../evil.job", b"x");
    let listing = r#"{"total": 1, "jobs": [{"name": "a", "jobType": "BATCH"}]}"#;
    let server = RawServer::start(32, move |line| {
        if line.starts_with("POST") {
            Reply::zip(hostile.clone())
        } else if line.contains("/scripts") {
            Reply::json(200, r#"{"total": 0, "scripts": []}"#)
        } else if line.contains("REAL_TIME") {
            Reply::json(200, r#"{"total": 0, "jobs": []}"#)
        } else {
            Reply::json(200, listing)
        }
    });
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("backup")).expect("mkdir");
    std::fs::write(sandbox.path("backup/README.md"), "mine").expect("write");
    std::fs::create_dir_all(sandbox.path("tmp")).expect("mkdir");
    let before = files_and_mtimes(&sandbox.path("backup"));
    let mut command = sandbox.cmd_at(&server.endpoint);
    command
        .env("TMPDIR", sandbox.path("tmp"))
        .args(["backup", "backup"]);
    let text = fails_leaving_dir_as_it_was(&sandbox, &mut command, 6, &before);
    assert!(text.contains("evil"), "{text}");
    assert!(!sandbox.path("evil.job").exists() && !sandbox.dir.path().join("../evil.job").exists());
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_the_export_stalls_leaves_dir_as_it_was() {
    interrupt_a_stalled_backup("-INT");
}

#[cfg(unix)]
#[test]
fn sigterm_while_the_export_stalls_leaves_dir_as_it_was() {
    interrupt_a_stalled_backup("-TERM");
}

#[cfg(unix)]
fn interrupt_a_stalled_backup(signal: &str) {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    let before = earlier_backup(&emu, &sandbox);
    std::fs::write(data.path().join("jobs/b/b.job"), "{}").expect("edit");
    let emu = restart(emu, |c| {
        c.data = Some(data.path().to_path_buf());
        c.faults = Faults {
            first_byte_delay: Some(Duration::from_secs(30)),
            ..Faults::default()
        };
    });
    let mut command = sandbox.std_cmd(&emu);
    command
        .env("TMPDIR", sandbox.path("tmp"))
        .args(["backup", "backup"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("spawn");
    // Wait (bounded) until the export request reached the emulator.
    let deadline = Instant::now() + Duration::from_secs(20);
    while emu.exports().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!emu.exports().is_empty(), "the export started");
    assert!(
        !staging_left(&sandbox.path("backup")).is_empty(),
        "staging in DIR"
    );
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert_eq!(files_and_mtimes(&sandbox.path("backup")), before);
    assert!(staging_left(&sandbox.path("backup")).is_empty());
}

#[test]
fn a_full_disk_before_the_switch_leaves_dir_as_it_was() {
    let Some(disk) = crate::disk_full::SmallDisk::mount("1m") else {
        return;
    };
    let data = tempfile::tempdir().expect("tempdir");
    write_workspace(data.path(), &[("small", "BATCH", &[])]);
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    let dir = disk.path.join("backup");
    std::fs::create_dir_all(sandbox.path("tmp")).expect("mkdir");
    let mut first = sandbox.cmd(&emu);
    first.args(["backup"]).arg(&dir);
    expect_code(&run(&mut first), 0);
    let before = files_and_mtimes(&dir);
    // Upstream grows past the disk: 2 MiB of incompressible bytes.
    crate::disk_full::big_job(data.path(), 2 * 1024 * 1024);
    let emu = restart(emu, serving(data.path()));
    let mut again = sandbox.cmd(&emu);
    again.args(["backup"]).arg(&dir);
    let output = run(&mut again);
    expect_code(&output, 1);
    assert!(
        stderr(&output).contains("No space left"),
        "{}",
        stderr(&output)
    );
    assert_eq!(files_and_mtimes(&dir), before);
    assert!(staging_left(&dir).is_empty());
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_where_the_backup_writes_is_refused() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    let elsewhere = sandbox.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::fs::create_dir_all(sandbox.path("backup")).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, sandbox.path("backup/jobs")).expect("symlink");
    for extra in [&[][..], &["--force"][..], &["--all-workspaces"][..]] {
        let dir = if extra == ["--all-workspaces"] {
            std::fs::remove_file(sandbox.path("backup/jobs")).ok();
            std::os::unix::fs::symlink(&elsewhere, sandbox.path("backup/workspaces"))
                .expect("symlink");
            "backup/workspaces"
        } else {
            "backup/jobs"
        };
        let output = run(backup(&sandbox, &emu, "backup").args(extra));
        expect_code(&output, 1);
        assert!(
            stderr(&output).contains(dir) && stderr(&output).contains("symbolic link"),
            "{}",
            stderr(&output)
        );
        assert!(
            snapshot(&elsewhere).is_empty(),
            "nothing written through it"
        );
    }
}

/// DIR itself may be a symlink (with or without a trailing slash, relative
/// or absolute): followed, as `unpack -C` follows it. A workspace's folder
/// inside DIR may not.
#[cfg(unix)]
#[test]
fn dir_itself_may_be_a_symbolic_link_and_a_workspace_folder_may_not() {
    let data = small_workspace();
    std::fs::create_dir_all(data.path().join("workspaces/w2")).expect("mkdir");
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("real")).expect("mkdir");
    std::os::unix::fs::symlink(sandbox.path("real"), sandbox.path("link")).expect("symlink");
    let output = run(&mut backup(&sandbox, &emu, "link"));
    expect_code(&output, 0);
    assert!(sandbox.path("real/dataarts-backup.json").is_file());
    assert!(sandbox.path("real/jobs/a/a.job").is_file());
    let absolute = sandbox.path("link").display().to_string();
    for dir in ["link", "link/", absolute.as_str()] {
        let output = run(backup(&sandbox, &emu, dir).arg("--check"));
        expect_code(&output, 0);
    }
    // A workspace's folder that is a symlink is refused, nothing written.
    let elsewhere = sandbox.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::fs::create_dir_all(sandbox.path("all/workspaces")).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, sandbox.path("all/workspaces/w2")).expect("symlink");
    let output = run(backup(&sandbox, &emu, "all").arg("--all-workspaces"));
    expect_code(&output, 1);
    assert!(
        stderr(&output).contains("all/workspaces/w2 is a symbolic link"),
        "{}",
        stderr(&output)
    );
    assert!(
        snapshot(&elsewhere).is_empty(),
        "nothing written through it"
    );
}

/// A job saved without edits (its listing changed, its files did not) is
/// drift for `--check`, named as such; the backup counts it unchanged and
/// rewrites only the manifest.
#[test]
fn a_job_saved_without_edits_is_named_when_check_finds_the_manifest_differs() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let job = data.path().join("jobs/a/a.job");
    let later = SystemTime::now() + Duration::from_secs(3600);
    std::fs::File::options()
        .append(true)
        .open(&job)
        .and_then(|f| f.set_modified(later))
        .expect("touch");
    let emu = restart(emu, serving(data.path()));
    let output = run(backup(&sandbox, &emu, "backup").args(["--check", "--json"]));
    expect_code(&output, 7);
    let json = json_of(&output);
    assert_eq!(json["relisted"], json!(["a"]), "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("the listing of a changed (saved without edits")),
        "{json}"
    );
    let output = run(&mut backup(&sandbox, &emu, "backup"));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("listing changed, files unchanged: a"),
        "{}",
        stderr(&output)
    );
    expect_code(&run(backup(&sandbox, &emu, "backup").arg("--check")), 0);
}

#[test]
fn check_exits_0_for_a_mirror_7_for_drift_and_never_writes() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    // No backup yet: everything would be added.
    let output = run(backup(&sandbox, &emu, "backup").args(["--check", "--json"]));
    expect_code(&output, 7);
    assert_eq!(
        json_of(&output)["jobs"]["added"].as_array().map(Vec::len),
        Some(4)
    );
    assert!(!sandbox.path("backup").exists(), "--check creates nothing");

    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let output = run(backup(&sandbox, &emu, "backup").arg("--check"));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("exact mirror"),
        "{}",
        stderr(&output)
    );

    // A file edited by hand is drift.
    let dir = sandbox.path("backup");
    std::fs::write(dir.join("jobs/a/a.job"), "edited by hand").expect("write");
    std::fs::write(dir.join("scripts/a_sql.json"), "{}\n").expect("write");
    let before = files_and_mtimes(&dir);
    let output = run(backup(&sandbox, &emu, "backup").args(["--check", "--json"]));
    expect_code(&output, 7);
    let summary = json_of(&output);
    assert_eq!(
        summary["jobs"]["changed"],
        json!([{"name": "a", "files": ["jobs/a/a.job"]}])
    );
    assert_eq!(
        summary["scripts"]["changed"],
        json!([{"name": "a_sql", "files": ["scripts/a_sql.json"]}])
    );
    let text = stderr(&output);
    assert!(
        text.contains("not an exact mirror") && text.contains("1 job changed"),
        "{text}"
    );
    assert_eq!(files_and_mtimes(&dir), before, "--check changes nothing");
    assert!(staging_left(&dir).is_empty() && staging_left(&sandbox.path("tmp")).is_empty());

    // A job deleted upstream is drift too.
    std::fs::remove_dir_all(data.path().join("jobs/deleted")).expect("delete");
    let emu = restart(emu, serving(data.path()));
    let output = run(backup(&sandbox, &emu, "backup").args(["--check", "--json"]));
    expect_code(&output, 7);
    assert_eq!(names(&json_of(&output)["jobs"]["removed"]), ["deleted"]);
    assert!(
        stderr(&output).contains("would remove"),
        "{}",
        stderr(&output)
    );
    assert_eq!(files_and_mtimes(&dir), before);

    // An error is its own exit code, never 0 or 7.
    let emu = restart(emu, |c| {
        c.data = Some(data.path().to_path_buf());
        c.sk = dataarts_jobs::auth::Secret::new("another-secret-key-entirely");
    });
    let output = run(backup(&sandbox, &emu, "backup").args(["--check", "--json"]));
    expect_code(&output, 3);
    assert_eq!(json_of(&output)["error"]["exit_code"], 3);
    assert_eq!(files_and_mtimes(&dir), before);
}

#[test]
fn dry_run_says_what_would_change_and_exits_0() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    std::fs::remove_dir_all(data.path().join("jobs/deleted")).expect("delete");
    write_workspace(data.path(), &[("fresh", "BATCH", &[])]);
    let emu = restart(emu, serving(data.path()));
    let before = files_and_mtimes(&sandbox.path("backup"));
    let output = run(backup(&sandbox, &emu, "backup").arg("--dry-run"));
    expect_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("1 added (fresh)"), "{text}");
    assert!(text.contains("1 removed (deleted)"), "{text}");
    assert!(
        text.contains("would remove") && text.contains("nothing in"),
        "{text}"
    );
    assert_eq!(files_and_mtimes(&sandbox.path("backup")), before);
}

/// A raw server listing `a` and `b`, whose exports (one name each) refuse
/// the second one once `refuse` is set.
fn refusing_server(refuse: Arc<AtomicUsize>) -> RawServer {
    let exports = AtomicUsize::new(0);
    RawServer::start(64, move |line| {
        if line.starts_with("POST") {
            let n = exports.fetch_add(1, Ordering::SeqCst);
            let names = ["a", "b"];
            let name = names[n % 2];
            if refuse.load(Ordering::SeqCst) == 1 && name == "b" {
                return Reply::json(
                    400,
                    r#"{"error_code": "DLF.0100", "error_msg": "The job does not exists."}"#,
                );
            }
            let path = format!("jobs/{name}/{name}.job");
            let text = format!(
                "{{\"name\": \"{name}\", \"v\": {}}}",
                refuse.load(Ordering::SeqCst)
            );
            Reply::zip(crate::common::zips::build(&[(
                path.as_str(),
                text.as_bytes(),
            )]))
        } else if line.contains("/scripts") {
            Reply::json(200, r#"{"total": 0, "scripts": []}"#)
        } else if line.contains("REAL_TIME") {
            Reply::json(200, r#"{"total": 0, "jobs": []}"#)
        } else {
            Reply::json(
                200,
                r#"{"total": 2, "jobs": [{"name": "a", "jobType": "BATCH"}, {"name": "b", "jobType": "BATCH"}]}"#,
            )
        }
    })
}

#[test]
fn keep_going_keeps_a_refused_job_as_it_was_and_exits_4() {
    let refuse = Arc::new(AtomicUsize::new(0));
    let server = refusing_server(Arc::clone(&refuse));
    let sandbox = Sandbox::new();
    let args = ["backup", "backup", "--batch-size", "1", "--parallel", "1"];
    expect_code(&run(sandbox.cmd_at(&server.endpoint).args(args)), 0);
    let old_b = std::fs::read(sandbox.path("backup/jobs/b/b.job")).expect("read");
    let manifest = |sandbox: &Sandbox| -> Value {
        serde_json::from_slice(
            &std::fs::read(sandbox.path("backup/dataarts-backup.json")).expect("read"),
        )
        .expect("manifest")
    };
    let old_entry = manifest(&sandbox)["jobs"]["b"].clone();

    refuse.store(1, Ordering::SeqCst);
    // Without --keep-going the refusal fails the run; nothing changes.
    let before = snapshot(&sandbox.path("backup"));
    let output = run(sandbox.cmd_at(&server.endpoint).args(args));
    expect_code(&output, 4);
    assert_eq!(snapshot(&sandbox.path("backup")), before);

    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(args)
        .args(["--keep-going", "--json"]));
    expect_code(&output, 4);
    let summary = json_of(&output);
    assert_eq!(
        summary["failed"],
        json!([{"name": "b", "error_code": "DLF.0100", "error_msg": "The job does not exists."}])
    );
    assert_eq!(
        summary["jobs"]["removed"],
        json!([]),
        "never pruned because of a refusal"
    );
    assert_eq!(
        std::fs::read(sandbox.path("backup/jobs/b/b.job")).expect("read"),
        old_b
    );
    assert_eq!(manifest(&sandbox)["jobs"]["b"], old_entry);
    assert!(
        std::fs::read_to_string(sandbox.path("backup/jobs/a/a.job"))
            .expect("read")
            .contains("\"v\": 1"),
        "the rest was written"
    );
    assert!(stderr(&output).contains("1 of 2 jobs and scripts could not be backed up"));
    // --check --keep-going does not call what it could not read a mirror.
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .args(args)
        .args(["--check", "--keep-going"]));
    expect_code(&output, 4);
    let text = stderr(&output);
    assert!(!text.contains("is an exact mirror"), "{text}");
    assert!(
        text.contains("backup mirrors what could be read of the workspace; 1 job or script could not be checked"),
        "{text}"
    );
}

#[test]
fn a_script_name_that_cannot_be_a_file_name_fails_the_run_or_is_listed_in_failed() {
    let data = small_workspace();
    std::fs::create_dir_all(data.path().join("scripts")).expect("mkdir");
    std::fs::write(
        data.path().join("scripts/bad.json"),
        json!({"name": "etl/daily", "content": "select 1"}).to_string(),
    )
    .expect("write");
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    let output = run(&mut backup(&sandbox, &emu, "backup"));
    expect_code(&output, 4);
    assert!(stderr(&output).contains("etl/daily"), "{}", stderr(&output));
    assert!(!sandbox.path("backup").exists(), "DIR unchanged");

    let output = run(backup(&sandbox, &emu, "backup").args(["--keep-going", "--json"]));
    expect_code(&output, 4);
    let summary = json_of(&output);
    assert_eq!(summary["failed"][0]["name"], "etl/daily");
    assert_eq!(summary["scripts"]["added"], json!(["a_sql"]));
    assert!(sandbox.path("backup/jobs/a/a.job").exists());
}

#[test]
fn every_workspace_is_mirrored_and_a_vanished_one_pruned() {
    let data = small_workspace();
    let ws1 = data.path().join("workspaces/ws-1");
    write_workspace(&ws1, &[("prod_job", "BATCH", &[])]);
    std::fs::write(ws1.join("workspace.json"), r#"{"name": "production"}"#).expect("write");
    write_workspace(
        &data.path().join("workspaces/ws-2"),
        &[("test_job", "REAL_TIME", &[])],
    );
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    let output = run(backup(&sandbox, &emu, "backup").args(["--all-workspaces", "--json"]));
    expect_code(&output, 0);
    let summary = json_of(&output);
    assert_eq!(summary["format"], 1);
    assert_eq!(
        names(&summary["workspaces"]["ws-1"]["jobs"]["added"]),
        ["prod_job"]
    );
    assert_eq!(
        summary["workspaces"]["default"]["jobs"]["added"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    let dir = sandbox.path("backup");
    assert!(dir.join("workspaces/default/jobs/a/a.job").is_file());
    assert!(dir.join("workspaces/default/scripts/a_sql.json").is_file());
    assert!(dir
        .join("workspaces/ws-2/jobs/test_job/test_job.job")
        .is_file());
    let ws1_manifest: Value = serde_json::from_slice(
        &std::fs::read(dir.join("workspaces/ws-1/dataarts-backup.json")).expect("read"),
    )
    .expect("manifest");
    assert_eq!(ws1_manifest["source"]["workspace"], "ws-1");
    let root: Value =
        serde_json::from_slice(&std::fs::read(dir.join("dataarts-backup.json")).expect("read"))
            .expect("root");
    assert_eq!(root["workspaces"]["ws-1"]["name"], "production");
    assert_eq!(
        root["workspaces"]["ws-1"]["instance"],
        json!({"id": dataarts_jobs::emulator::INSTANCE_ID, "name": "dataarts-emulator"})
    );
    assert_eq!(root["source"]["workspace"], Value::Null);
    expect_code(
        &run(backup(&sandbox, &emu, "backup").args(["--all-workspaces", "--check"])),
        0,
    );
    // --check covers every workspace.
    std::fs::write(
        dir.join("workspaces/ws-2/jobs/test_job/test_job.job"),
        "edited",
    )
    .expect("write");
    let output =
        run(backup(&sandbox, &emu, "backup").args(["--all-workspaces", "--check", "--json"]));
    expect_code(&output, 7);
    assert_eq!(
        json_of(&output)["workspaces"]["ws-2"]["jobs"]["changed"][0]["name"],
        "test_job"
    );
    assert!(
        stderr(&output)
            .contains("backup is not an exact mirror of the project's workspaces: 1 job changed"),
        "{}",
        stderr(&output)
    );

    // ws-2 disappears.
    std::fs::write(dir.join("workspaces/ws-1/NOTES.md"), "ours").expect("write");
    std::fs::remove_dir_all(data.path().join("workspaces/ws-2")).expect("remove");
    let emu = restart(emu, serving(data.path()));
    let output = run(backup(&sandbox, &emu, "backup").args(["--all-workspaces", "--json"]));
    expect_code(&output, 0);
    let summary = json_of(&output);
    assert_eq!(names(&summary["workspaces_removed"]), ["ws-2"]);
    assert!(summary["workspaces"].get("ws-2").is_none());
    assert!(!dir.join("workspaces/ws-2").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("workspaces/ws-1/NOTES.md")).expect("read"),
        "ours"
    );
    let root: Value =
        serde_json::from_slice(&std::fs::read(dir.join("dataarts-backup.json")).expect("read"))
            .expect("root");
    assert!(root["workspaces"].get("ws-2").is_none());
    expect_code(
        &run(backup(&sandbox, &emu, "backup").args(["--all-workspaces", "--check"])),
        0,
    );
}

#[test]
fn a_backup_served_by_the_emulator_checks_as_an_exact_mirror() {
    let data = small_workspace();
    write_workspace(&data.path().join("workspaces/ws-1"), &[("w", "BATCH", &[])]);
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "one")), 0);
    expect_code(
        &run(backup(&sandbox, &emu, "all").arg("--all-workspaces")),
        0,
    );
    // The same address, now serving each backup directory.
    let emu = restart(emu, serving(&sandbox.path("one")));
    let output = run(backup(&sandbox, &emu, "one").args(["--check", "--json"]));
    expect_code(&output, 0);
    assert_eq!(json_of(&output)["jobs"]["unchanged"], 4);
    assert_eq!(json_of(&output)["scripts"]["unchanged"], 1);
    let emu = restart(emu, serving(&sandbox.path("all")));
    let output = run(backup(&sandbox, &emu, "all").args(["--all-workspaces", "--check"]));
    expect_code(&output, 0);
}

#[test]
fn an_interrupted_switch_is_repaired_by_the_next_run() {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let good = snapshot(&sandbox.path("backup"));
    let dir = sandbox.path("backup");
    // As a backup killed during its switch leaves it (the format of every
    // switch): it was replacing jobs/a/a.job (changed upstream since) and
    // jobs/b/b.job (half written here by hand), then the manifest; a.job had
    // been moved out and not yet replaced.
    let a_job = std::fs::read(dir.join("jobs/a/a.job")).expect("read");
    let manifest = std::fs::read(dir.join("dataarts-backup.json")).expect("read");
    let staging = KilledSwitch::in_dir(&dir, "killed")
        .place("jobs/a/a.job", true)
        .place("jobs/b/b.job", true)
        .place("dataarts-backup.json", true)
        .staged("jobs/a/a.job", b"a as the workspace had it then")
        .staged("jobs/b/b.job", &good["jobs/b/b.job"])
        .staged("dataarts-backup.json", &manifest)
        .moved_aside(0, "", &a_job)
        .leave();
    std::fs::remove_file(dir.join("jobs/a/a.job")).expect("moved out");
    std::fs::write(dir.join("jobs/b/b.job"), "half written").expect("write");

    // --check reports it, and leaves it.
    let output = run(backup(&sandbox, &emu, "backup").args(["--check", "--json"]));
    expect_code(&output, 7);
    assert_eq!(
        json_of(&output)["interrupted"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(staging.exists());

    let output = run(backup(&sandbox, &emu, "backup").arg("--json"));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("recovered from an interrupted run"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        json_of(&output)["jobs"]["changed"],
        json!([{"name": "b", "files": ["jobs/b/b.job"]}]),
        "trusts the hashes, not the presence"
    );
    assert_eq!(snapshot(&dir), good);
    assert!(staging_left(&dir).is_empty());
}

/// A first backup of the small workspace into `backup`, and what DIR holds
/// then (`_data`, the workspace the emulator serves, lives as long).
struct BackedUp {
    _data: tempfile::TempDir,
    emu: Emu,
    sandbox: Sandbox,
    dir: std::path::PathBuf,
    good: BTreeMap<String, Vec<u8>>,
}

fn backed_up() -> BackedUp {
    let data = small_workspace();
    let emu = Emu::with(serving(data.path()));
    let sandbox = Sandbox::new();
    expect_code(&run(&mut backup(&sandbox, &emu, "backup")), 0);
    let dir = sandbox.path("backup");
    let good = snapshot(&dir);
    BackedUp {
        _data: data,
        emu,
        sandbox,
        dir,
        good,
    }
}

/// The one line of stderr that says what a run recovered.
fn recovered_line(output: &std::process::Output) -> String {
    let text = stderr(output);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("recovered")).collect();
    assert_eq!(lines.len(), 1, "{text}");
    lines[0].to_string()
}

#[test]
fn a_killed_backup_switch_is_recovered_by_an_unpack_into_the_same_dir() {
    let mirror = backed_up();
    let (emu, sandbox, dir) = (&mirror.emu, &mirror.sandbox, &mirror.dir);
    // A backup killed after replacing jobs/a/a.job and adding the job `new`,
    // before pruning `deleted` and placing its manifest.
    let a_job = std::fs::read(dir.join("jobs/a/a.job")).expect("read");
    let staging = KilledSwitch::in_dir(dir, "Back1p")
        .place("jobs/a/a.job", true)
        .place("jobs/new", false)
        .remove("jobs/deleted")
        .place("dataarts-backup.json", true)
        .staged("dataarts-backup.json", b"{}\n")
        .moved_aside(0, "", &a_job)
        .leave();
    std::fs::write(dir.join("jobs/a/a.job"), "a, newer").expect("placed");
    std::fs::create_dir(dir.join("jobs/new")).expect("placed");
    std::fs::write(dir.join("jobs/new/new.job"), "new").expect("placed");

    std::fs::write(
        sandbox.path("in.zip"),
        zips::build(&[("jobs/fresh/f.job", b"f")]),
    )
    .expect("write");
    let output = run(sandbox.bare().args(["unpack", "in.zip", "-C", "backup"]));
    expect_code(&output, 0);
    let line = recovered_line(&output);
    assert!(
        line.contains("put back jobs/a/a.job, jobs/new as before")
            && line.contains(".dataarts-jobs-Back1p"),
        "{line}"
    );
    assert!(!staging.exists());
    let mut after = snapshot(dir);
    assert_eq!(after.remove("jobs/fresh/f.job").as_deref(), Some(&b"f"[..]));
    after.remove("jobs/fresh/");
    assert_eq!(
        after, mirror.good,
        "the backup as it was before the killed switch"
    );
    // The unpacked job is no job of the workspace: left alone, DIR exact.
    expect_code(&run(backup(sandbox, emu, "backup").arg("--check")), 0);
}

#[test]
fn a_killed_extraction_into_dir_is_recovered_by_the_next_backup() {
    let mirror = backed_up();
    let (emu, sandbox, dir) = (&mirror.emu, &mirror.sandbox, &mirror.dir);
    // An `unpack --force` into DIR killed during its switch: jobs/a moved
    // aside whole, the archive's copy not yet in place.
    let mut killed = KilledSwitch::in_dir(dir, "Unp4ck")
        .place("jobs/a", true)
        .staged("jobs/a/a.job", b"from an archive");
    for (path, bytes) in mirror.good.iter().filter(|(p, _)| !p.ends_with('/')) {
        if let Some(inside) = path.strip_prefix("jobs/a/") {
            killed = killed.moved_aside(0, inside, bytes);
        }
    }
    let staging = killed.leave();
    std::fs::remove_dir_all(dir.join("jobs/a")).expect("moved aside");

    let output = run(backup(sandbox, emu, "backup").arg("--json"));
    expect_code(&output, 0);
    let line = recovered_line(&output);
    assert!(
        line.contains(".dataarts-jobs-Unp4ck")
            && line.contains("put back 1 entry it had moved out"),
        "{line}"
    );
    let json = json_of(&output);
    assert_eq!(json["jobs"]["changed"], json!([]));
    assert_eq!(json["jobs"]["added"], json!([]));
    assert!(!staging.exists());
    assert_eq!(snapshot(dir), mirror.good);
}

/// 250 batch jobs, 120 real-time ones and 130 scripts of their own.
fn big_workspace() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("tempdir");
    for i in 0..250 {
        write_workspace(
            data.path(),
            &[(format!("job_{i:04}").as_str(), "BATCH", &[])],
        );
    }
    for i in 0..120 {
        write_workspace(
            data.path(),
            &[(format!("stream_{i:03}").as_str(), "REAL_TIME", &[])],
        );
    }
    std::fs::create_dir_all(data.path().join("scripts")).expect("mkdir");
    for i in 0..130 {
        std::fs::write(
            data.path().join(format!("scripts/sql_{i:03}.json")),
            script(&format!("sql_{i:03}"), "select 1"),
        )
        .expect("write");
    }
    data
}

#[test]
fn every_page_is_read_whatever_the_server_counts_or_clamps() {
    let data = big_workspace();
    type Setup = Box<dyn Fn(&mut Config)>;
    let cases: Vec<(&str, Setup)> = vec![
        ("records", Box::new(|c| c.offset_unit = OffsetUnit::Records)),
        ("pages", Box::new(|c| c.offset_unit = OffsetUnit::Pages)),
        (
            "records, clamped",
            Box::new(|c| {
                c.offset_unit = OffsetUnit::Records;
                c.page_clamp = Some(30);
            }),
        ),
        (
            "pages, clamped",
            Box::new(|c| {
                c.offset_unit = OffsetUnit::Pages;
                c.page_clamp = Some(7);
            }),
        ),
        (
            "no total",
            Box::new(|c| c.faults.list_total = Some(TotalFault::Missing)),
        ),
        (
            "a low total",
            Box::new(|c| {
                c.offset_unit = OffsetUnit::Pages;
                c.faults.list_total = Some(TotalFault::Low);
            }),
        ),
    ];
    for (case, configure) in cases {
        let emu = Emu::with(|c| {
            c.data = Some(data.path().to_path_buf());
            configure(c);
        });
        let sandbox = Sandbox::new();
        let output = run(backup(&sandbox, &emu, "backup").args(["--json", "--parallel", "3"]));
        expect_code(&output, 0);
        let summary = json_of(&output);
        assert_eq!(
            summary["jobs"]["added"].as_array().map(Vec::len),
            Some(370),
            "{case}"
        );
        assert_eq!(
            summary["scripts"]["added"].as_array().map(Vec::len),
            Some(130),
            "{case}"
        );
        let lists = emu
            .requests()
            .into_iter()
            .filter(|r| r["method"] == "GET")
            .count();
        assert!(lists <= 3 * (500 / 7 + 10), "{case}: {lists} list requests");
    }
    let emu = Emu::with(|c| {
        c.data = Some(data.path().to_path_buf());
        c.faults.list_total = Some(TotalFault::Huge);
    });
    let sandbox = Sandbox::new();
    let output = run(&mut backup(&sandbox, &emu, "backup"));
    expect_code(&output, 5);
    assert!(
        stderr(&output).contains("does not end"),
        "{}",
        stderr(&output)
    );
    assert!(!sandbox.path("backup").exists());
}

#[test]
fn pages_are_requested_concurrently_once_the_total_is_known() {
    let data = big_workspace();
    let emu = Emu::with(|c| {
        c.data = Some(data.path().to_path_buf());
        c.offset_unit = OffsetUnit::Pages;
        c.faults.latency = Some(Duration::from_millis(300));
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args(["list", "--parallel", "4"]));
    expect_code(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 370);
    let arrivals = |job_type: &str| -> Vec<i64> {
        emu.requests()
            .iter()
            .filter(|r| r["query"].as_str().is_some_and(|q| q.contains(job_type)))
            .map(|r| r["ts_ms"].as_i64().expect("ts_ms"))
            .collect()
    };
    let batch = arrivals("jobType=BATCH");
    let real_time = arrivals("jobType=REAL_TIME");
    // BATCH: page 0, the probe (offset=100: past the end), then pages 1
    // and 2 together (each answered 300 ms after it arrived).
    assert_eq!(batch.len(), 4, "{batch:?}");
    let mut sorted = batch.clone();
    sorted.sort_unstable();
    assert!(
        sorted[3] - sorted[2] < 150,
        "pages 1 and 2 at once: {sorted:?}"
    );
    assert!(
        sorted[2] - sorted[1] >= 150,
        "after the probe's answer: {sorted:?}"
    );
    // Both types at once.
    let first_real_time = real_time.iter().min().copied().expect("listed");
    assert!(
        (first_real_time - sorted[0]).abs() < 150,
        "{sorted:?} {real_time:?}"
    );
}
