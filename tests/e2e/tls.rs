//! Connection plumbing end to end: HTTPS with `--ca-cert`, proxies from the
//! environment, and the IAM project-id lookup.

use std::io::Write as _;
use std::path::Path;

use assert_cmd::Command;
use dataarts_jobs::emulator::TlsFiles;

use crate::common::raw_server::{RawServer, Reply};
use crate::common::{
    expect_code, run, sample_file, stderr, zip_entries, Emu, Sandbox, AK, PROJECT, SK,
};

/// A self-signed certificate for 127.0.0.1 and localhost, as PEM files in `dir`.
fn self_signed(dir: &Path) -> TlsFiles {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("certificate");
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&files.key, certified.signing_key.serialize_pem()).expect("write key");
    files
}

/// The emulator over HTTPS with a fresh self-signed certificate; the
/// certificate is copied into the sandbox as `cert.pem`.
fn https_emulator(sandbox: &Sandbox) -> (Emu, tempfile::TempDir) {
    let certs = tempfile::tempdir().expect("tempdir");
    let files = self_signed(certs.path());
    std::fs::copy(&files.cert, sandbox.path("cert.pem")).expect("copy cert");
    let emu = Emu::with(|config| config.tls = Some(files));
    assert!(
        emu.endpoint.starts_with("https://127.0.0.1:"),
        "{}",
        emu.endpoint
    );
    (emu, certs)
}

fn assert_no_archive(sandbox: &Sandbox) {
    for name in ["jobs.zip", "jobs.zip.part"] {
        assert!(!sandbox.path(name).exists(), "{name} was left behind");
    }
}

#[test]
fn https_export_needs_the_ca_cert_and_works_with_it() {
    let sandbox = Sandbox::new();
    let (emu, _certs) = https_emulator(&sandbox);

    let output = run(sandbox.cmd(&emu).args(["export", "job_batch"]));
    expect_code(&output, 5);
    let message = stderr(&output);
    assert!(
        message.to_lowercase().contains("certificate"),
        "stderr should mention the certificate:\n{message}"
    );
    assert_no_archive(&sandbox);
    assert!(
        emu.exports().is_empty(),
        "no request got through the handshake"
    );

    let output = run(sandbox
        .cmd(&emu)
        .args(["export", "job_batch", "--ca-cert", "cert.pem"]));
    expect_code(&output, 0);
    let entries = zip_entries(&sandbox.path("jobs.zip"));
    assert_eq!(
        entries.get("jobs/job_batch/job_batch.job"),
        Some(&sample_file("jobs/job_batch/job_batch.job"))
    );
    assert!(entries.contains_key("jobs/job_batch/dws_sql.script"));
    assert!(!sandbox.path("jobs.zip.part").exists());
    assert_eq!(emu.exports().len(), 1);
}

#[test]
fn an_unusable_ca_cert_is_a_usage_error_naming_the_file() {
    let sandbox = Sandbox::new();
    let emu = Emu::start();
    std::fs::write(sandbox.path("notes.txt"), "this is not a certificate\n").expect("write");
    for file in ["missing.pem", "notes.txt"] {
        let output = run(sandbox
            .cmd(&emu)
            .args(["export", "job_batch", "--ca-cert", file]));
        expect_code(&output, 2);
        let message = stderr(&output);
        assert!(message.starts_with("error: "), "{message}");
        assert!(message.contains("--ca-cert"), "{message}");
        assert!(message.contains(file), "should name {file}:\n{message}");
        assert_no_archive(&sandbox);
    }
    assert!(emu.requests().is_empty(), "nothing was sent");
}

/// A small archive, as a proxy standing in for DLF returns it.
fn small_zip() -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    writer
        .start_file(
            "jobs/job_batch/job_batch.job",
            zip::write::SimpleFileOptions::default(),
        )
        .expect("entry");
    writer
        .write_all(b"{\"name\":\"job_batch\"}")
        .expect("write");
    writer.finish().expect("finish");
    buffer.into_inner()
}

/// The binary with keys and project id but no endpoint.
fn keyed(sandbox: &Sandbox) -> Command {
    let mut command = sandbox.bare();
    command
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT);
    command
}

#[test]
fn http_proxy_carries_the_request() {
    let sandbox = Sandbox::new();
    let zip = small_zip();
    let served = zip.clone();
    let proxy = RawServer::start(4, move |_| Reply::zip(served.clone()));

    // .invalid never resolves: only a proxy that takes the request can answer.
    let output = run(keyed(&sandbox).env("HTTP_PROXY", &proxy.endpoint).args([
        "export",
        "job_batch",
        "--endpoint",
        "http://dlf.example.invalid",
    ]));
    expect_code(&output, 0);
    let lines = proxy.requests.lock().expect("lock").clone();
    assert_eq!(
        lines,
        [format!(
            "POST http://dlf.example.invalid/v1/{PROJECT}/jobs/batch-export HTTP/1.1"
        )],
        "the proxy sees the absolute URI"
    );
    assert_eq!(
        std::fs::read(sandbox.path("jobs.zip")).expect("archive"),
        zip
    );
}

#[test]
fn no_proxy_bypasses_the_proxy_for_the_emulator() {
    let sandbox = Sandbox::new();
    let emu = Emu::start();
    let proxy = RawServer::start(8, |_| {
        Reply::json(502, r#"{"error_code":"PROXY","error_msg":"bad gateway"}"#)
    });

    // The control: without NO_PROXY the loopback request does go to the proxy.
    let output = run(sandbox.cmd(&emu).env("HTTP_PROXY", &proxy.endpoint).args([
        "export",
        "job_batch",
        "--retries",
        "0",
    ]));
    expect_code(&output, 5);
    assert_eq!(proxy.count(), 1);
    assert_no_archive(&sandbox);

    let output = run(sandbox
        .cmd(&emu)
        .env("HTTP_PROXY", &proxy.endpoint)
        .env("NO_PROXY", "127.0.0.1")
        .args(["export", "job_batch"]));
    expect_code(&output, 0);
    assert_eq!(proxy.count(), 1, "the proxy saw nothing more");
    assert_eq!(emu.exports().len(), 1);
    assert!(zip_entries(&sandbox.path("jobs.zip")).contains_key("jobs/job_batch/job_batch.job"));
}

/// `export job_batch` with no project id anywhere: it comes from IAM at the emulator.
fn lookup(sandbox: &Sandbox, emu: &Emu) -> Command {
    let mut command = sandbox.cmd(emu);
    // The region from the environment: an explicit --region would choose
    // the region's endpoint over the emulator's DATAARTS_ENDPOINT.
    command
        .env_remove("HUAWEICLOUD_SDK_PROJECT_ID")
        .env("HUAWEICLOUD_SDK_REGION_ID", "cn-north-4")
        .args(["export", "job_batch", "--iam-endpoint", &emu.endpoint]);
    command
}

#[test]
fn the_project_id_is_looked_up_with_iam() {
    let sandbox = Sandbox::new();
    let emu = Emu::start();
    let output = run(&mut lookup(&sandbox, &emu));
    expect_code(&output, 0);
    assert!(zip_entries(&sandbox.path("jobs.zip")).contains_key("jobs/job_batch/job_batch.job"));

    let requests = emu.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let iam = &requests[0];
    assert_eq!(iam["method"], "GET");
    assert_eq!(iam["path"], "/v3/projects");
    assert_eq!(iam["query"], "name=cn-north-4");
    assert_eq!(iam["status"], 200);
    assert!(
        iam["headers"].get("x-project-id").is_none(),
        "IAM calls carry no project id: {iam}"
    );
    let export = &requests[1];
    assert_eq!(export["method"], "POST");
    assert_eq!(
        export["path"],
        format!("/v1/{PROJECT}/jobs/batch-export").as_str()
    );
    assert_eq!(export["headers"]["x-project-id"], PROJECT);
    assert_eq!(export["status"], 200);
}

#[test]
fn no_project_for_the_region_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let emu = Emu::with(|config| config.iam_projects = 0);
    let output = run(&mut lookup(&sandbox, &emu));
    expect_code(&output, 2);
    let message = stderr(&output);
    assert!(
        message.contains("cn-north-4"),
        "names the region:\n{message}"
    );
    assert!(
        message.contains("--project-id"),
        "says what to do:\n{message}"
    );
    assert!(emu.exports().is_empty());
    assert_no_archive(&sandbox);
}

#[test]
fn several_projects_for_the_region_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let emu = Emu::with(|config| config.iam_projects = 3);
    let output = run(&mut lookup(&sandbox, &emu));
    expect_code(&output, 2);
    let message = stderr(&output);
    assert!(
        message.contains("3 projects"),
        "says several were found:\n{message}"
    );
    assert!(message.contains(PROJECT), "lists the ids:\n{message}");
    assert!(emu.exports().is_empty());
    assert_no_archive(&sandbox);
}

#[test]
fn the_emulator_refuses_unusable_tls_files() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("notes.txt"), "this is not a certificate\n").expect("write");
    let output = run(sandbox.bare().args([
        "emulator",
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        "notes.txt",
        "--tls-key",
        "missing.pem",
    ]));
    expect_code(&output, 2);
    let message = stderr(&output);
    assert!(message.contains("--tls-cert notes.txt"), "{message}");

    let output = run(sandbox.bare().args([
        "emulator",
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        "notes.txt",
    ]));
    expect_code(&output, 2);
    assert!(stderr(&output).contains("--tls-key"), "{}", stderr(&output));
}
