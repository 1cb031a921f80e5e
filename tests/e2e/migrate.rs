//! `migrate` between two workspaces of the emulator.

use serde_json::Value;

use crate::common::*;

/// Workspaces `A` (with `n` generated jobs plus a job with a script) and an
/// empty `B`.
fn workspaces(n: usize) -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("tempdir");
    let names = generated_names(n);
    let mut specs: Vec<JobSpec<'_>> = names
        .iter()
        .map(|n| (n.as_str(), "BATCH", &[][..]))
        .collect();
    let script: &[(&str, &str)] = &[(
        "etl.script",
        r#"{"name":"etl","type":"DWSSQL","connectionName":"dws_link"}"#,
    )];
    specs.push(("stream_job", "REAL_TIME", script));
    write_workspace(&data.path().join("workspaces/A"), &specs);
    std::fs::create_dir_all(data.path().join("workspaces/B")).expect("mkdir");
    data
}

fn emu_for(data: &tempfile::TempDir) -> Emu {
    let path = data.path().to_path_buf();
    Emu::with(move |c| c.data = Some(path))
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

/// Pseudo-random, incompressible bytes.
fn noise(len: usize, seed: u64) -> String {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'!' + (state % 90) as u8)
        })
        .collect()
}

#[test]
fn migrate_moves_every_job_byte_for_byte_and_a_rerun_skips_them() {
    let data = workspaces(5);
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--batch-size",
        "2",
        "--json",
    ]));
    expect_code(&output, 0);
    let json = json_of(&output);
    assert_eq!(json["format"], 1);
    let jobs = json["jobs"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 6);
    assert!(
        jobs.iter().all(|job| job["outcome"] == "imported"),
        "{jobs:?}"
    );
    let batches = json["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 3);
    assert_eq!(
        batches[0]["jobs"],
        serde_json::json!(["job_0000", "job_0001"])
    );
    assert!(batches.iter().all(|b| b["task_id"].is_string()));
    assert_eq!(json["tasks"].as_array().map(Vec::len), Some(3));
    assert!(
        emu.objects().is_empty(),
        "nothing left in the staging bucket: {:?}",
        emu.objects()
    );
    assert_eq!(emu.exports().len(), 3);

    for workspace in ["A", "B"] {
        let output = run(sandbox.cmd(&emu).args([
            "export",
            "--all",
            "--workspace",
            workspace,
            "-o",
            &format!("{workspace}.zip"),
        ]));
        expect_code(&output, 0);
    }
    assert_eq!(
        zip_entries(&sandbox.path("A.zip")),
        zip_entries(&sandbox.path("B.zip"))
    );

    // Safe to re-run: every job exists, SKIP leaves it.
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
    ]));
    expect_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("6 jobs: 6 skipped"), "{text}");
    assert!(emu.objects().is_empty());
}

/// `--keep-going`: a job the source refuses is in `failed` (and listed
/// with `-q`), the rest is migrated, and the run exits 4.
#[test]
fn keep_going_reports_the_jobs_the_source_could_not_export() {
    let data = workspaces(1);
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let migrate = [
        "migrate",
        "job_0000",
        "gone_job",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--keep-going",
    ];
    let output = run(sandbox.cmd(&emu).args(migrate).arg("--json"));
    expect_code(&output, 4);
    let json = json_of(&output);
    assert_eq!(json["jobs"][0]["name"], "job_0000");
    assert_eq!(json["jobs"][0]["outcome"], "imported");
    assert_eq!(json["failed"][0]["name"], "gone_job");
    assert!(json["failed"][0]["error_code"].is_string(), "{json}");
    assert!(json.get("error").is_none(), "one object: the summary");

    let output = run(sandbox.cmd(&emu).args(migrate).arg("-q"));
    expect_code(&output, 4);
    let text = stderr(&output);
    assert!(text.contains("failed: gone_job: "), "{text}");
    assert!(
        text.contains("1 of 2 jobs could not be exported from the source (listed above); the others were migrated"),
        "{text}"
    );
}

#[test]
fn dry_run_lists_batches_and_same_name_jobs_sending_no_write() {
    let data = workspaces(3);
    write_workspace(
        &data.path().join("workspaces/B"),
        &[("job_0001", "BATCH", &[])],
    );
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--batch-size",
        "3",
        "--same-name",
        "overwrite",
        "--dry-run",
    ]));
    expect_code(&output, 0);
    assert!(stdout(&output).is_empty(), "the plan is for people: stderr");
    let text = stderr(&output);
    assert!(
        text.contains("batch 1 (3 jobs): job_0000, job_0001, job_0002"),
        "{text}"
    );
    assert!(text.contains("batch 2 (1 job): stream_job"), "{text}");
    assert!(
        text.contains("exists in the target: job_0001 (would overwrite)"),
        "{text}"
    );
    let requests = emu.requests();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r["method"] == "GET"),
        "only reads: {:?}",
        requests
            .iter()
            .map(|r| format!("{} {}", r["method"], r["path"]))
            .collect::<Vec<_>>()
    );
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "job_0000",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--dry-run",
        "--json",
    ]));
    expect_code(&output, 0);
    let json = json_of(&output);
    assert_eq!(json["jobs"], serde_json::json!([{"name": "job_0000"}]));
    assert_eq!(json["same_name"], serde_json::json!([]));
    // `--match` alone selects every matching job.
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--match",
        "job_000[12]",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--dry-run",
        "--json",
    ]));
    expect_code(&output, 0);
    assert_eq!(
        json_of(&output)["jobs"],
        serde_json::json!([{"name": "job_0001"}, {"name": "job_0002"}])
    );
}

#[test]
fn the_same_workspace_is_refused() {
    let data = workspaces(1);
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    for args in [
        vec![
            "migrate",
            "--all",
            "--from-workspace",
            "A",
            "--to-workspace",
            "A",
            "--obs-bucket",
            "staging",
        ],
        vec!["migrate", "--all", "--obs-bucket", "staging"],
        // The default workspace by its id, or by its name, while the source
        // is the default workspace (no id): the Management Center tells.
        vec![
            "migrate",
            "--all",
            "--to-workspace",
            "default",
            "--obs-bucket",
            "staging",
        ],
        vec![
            "migrate",
            "--all",
            "--to-workspace-name",
            "default",
            "--obs-bucket",
            "staging",
        ],
    ] {
        let output = run(sandbox
            .cmd(&emu)
            .env("DATAARTS_STUDIO_ENDPOINT", &emu.endpoint)
            .args(&args));
        expect_code(&output, 2);
        assert!(
            stderr(&output).contains("source and target are the same workspace"),
            "{}",
            stderr(&output)
        );
    }
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
    ]));
    expect_code(&output, 2);
    assert!(emu.requests().iter().all(|r| r["method"] == "GET"));
}

#[test]
fn an_archive_over_10_mib_is_split_and_a_job_over_it_fails_alone() {
    let data = tempfile::tempdir().expect("tempdir");
    let big: Vec<String> = (0..3).map(|i| noise(4 * 1024 * 1024, i + 1)).collect();
    let huge = noise(11 * 1024 * 1024, 99);
    let files: Vec<[(&str, &str); 1]> = big
        .iter()
        .map(|text| [("data.script", text.as_str())])
        .collect();
    let huge_files = [("data.script", huge.as_str())];
    write_workspace(
        &data.path().join("workspaces/A"),
        &[
            ("big_a", "BATCH", &files[0][..]),
            ("big_b", "BATCH", &files[1][..]),
            ("big_c", "BATCH", &files[2][..]),
        ],
    );
    std::fs::create_dir_all(data.path().join("workspaces/B")).expect("mkdir");
    let emu = emu_for(&data);
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "--all",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
        "--json",
    ]));
    expect_code(&output, 0);
    let json = json_of(&output);
    let batches = json["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 2, "{batches:?}");
    assert_eq!(batches[0]["jobs"], serde_json::json!(["big_a"]));
    assert_eq!(batches[1]["jobs"], serde_json::json!(["big_b", "big_c"]));
    assert_eq!(emu.exports().len(), 3, "one export, then its two halves");
    assert!(emu.objects().is_empty());

    write_workspace(
        &data.path().join("workspaces/A"),
        &[("huge", "BATCH", &huge_files[..])],
    );
    let emu = emu_for(&data);
    let output = run(sandbox.cmd(&emu).args([
        "migrate",
        "huge",
        "big_a",
        "--from-workspace",
        "A",
        "--to-workspace",
        "B",
        "--obs-bucket",
        "staging",
    ]));
    expect_code(&output, 8);
    let text = stderr(&output);
    assert!(text.contains("failed       huge: its export is"), "{text}");
    assert!(text.contains("imported     big_a"), "{text}");
}
