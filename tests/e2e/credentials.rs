//! Every credential source on its own, and their precedence.

use dataarts_jobs::auth::Secret;

use crate::common::*;

const IAM_TOKEN: &str = "IAM-TOKEN-must-never-be-printed";
const KOO_SK: &str = "KOOCLI-SK-never-printed";

fn write_home_file(sandbox: &Sandbox, relative: &str, text: &str) {
    let path = sandbox.home.path().join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The binary pointed at `emu`, with no credentials in the environment.
fn without_keys(sandbox: &Sandbox, emu: &Emu) -> assert_cmd::Command {
    let mut command = sandbox.bare();
    command
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
        .env("DATAARTS_ENDPOINT", &emu.endpoint);
    command
}

#[test]
fn environment_keys_win_over_the_credentials_file() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    write_home_file(
        &sandbox,
        ".huaweicloud/credentials",
        "[basic]\nak = WRONGAK\nsk = WRONGSK\n",
    );
    let output = run(sandbox.cmd(&emu).args(["export", "job_batch"]));
    expect_code(&output, 0);
}

#[test]
fn credentials_file_flag_and_profile_select_a_section() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("creds.ini"),
        format!("[basic]\nak = WRONGAK\nsk = WRONGSK\n\n[ci]\nak = {AK}\nsk = {SK}\n"),
    )
    .expect("write");
    let output = run(without_keys(&sandbox, &emu).args([
        "export",
        "job_batch",
        "--credentials-file",
        "creds.ini",
        "--profile",
        "ci",
    ]));
    expect_code(&output, 0);
    let output = run(without_keys(&sandbox, &emu)
        .env(
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            sandbox.path("creds.ini"),
        )
        .args(["export", "job_batch", "-o", "second.zip"]));
    expect_code(&output, 3);
    let output = run(without_keys(&sandbox, &emu).args([
        "export",
        "job_batch",
        "--credentials-file",
        "missing.ini",
    ]));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("missing.ini"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_iam_token_is_sent_instead_of_a_signature() {
    let emu = Emu::with(|c| c.auth_token = Some(Secret::new(IAM_TOKEN)));
    let sandbox = Sandbox::new();
    let output = run(without_keys(&sandbox, &emu)
        .env("DATAARTS_AUTH_TOKEN", IAM_TOKEN)
        .args(["export", "job_batch", "-vv"]));
    expect_code(&output, 0);
    let request = &emu.exports()[0];
    assert_eq!(request["headers"]["x-auth-token"], "(redacted)");
    assert!(request["headers"].get("authorization").is_none());

    std::fs::write(sandbox.path("token.txt"), format!("{IAM_TOKEN}\n")).expect("write");
    let output = run(without_keys(&sandbox, &emu).args([
        "export",
        "job_batch",
        "--auth-token-file",
        "token.txt",
        "-o",
        "b.zip",
    ]));
    expect_code(&output, 0);

    let output = run(without_keys(&sandbox, &emu)
        .env("DATAARTS_AUTH_TOKEN", "a-wrong-token")
        .args(["export", "job_batch", "-o", "c.zip"]));
    expect_code(&output, 3);
    assert!(!sandbox.path("c.zip").exists());
}

#[test]
fn a_plaintext_koocli_profile_is_used_last() {
    let emu = Emu::with(|c| c.sk = Secret::new(KOO_SK));
    let sandbox = Sandbox::new();
    write_home_file(
        &sandbox,
        ".hcloud/config.json",
        &serde_json::json!({
            "current": "work",
            "profiles": [
                {"name": "work", "mode": "AKSK", "accessKeyId": AK, "secretAccessKey": KOO_SK,
                 "region": "cn-north-4", "projectId": PROJECT}
            ]
        })
        .to_string(),
    );
    let output = run(sandbox
        .bare()
        .env("DATAARTS_ENDPOINT", &emu.endpoint)
        .args(["export", "job_batch", "-v"]));
    expect_code(&output, 0);
    assert!(
        stderr(&output).contains("KooCLI profile `work`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_encrypted_koocli_profile_says_how_to_proceed() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    write_home_file(
        &sandbox,
        ".hcloud/config.json",
        r#"{"current":"default","profiles":[{"name":"default","mode":"AKSK","authEncrypt":true,
            "accessKeyId":"ENCRYPTED-AK","secretAccessKey":"ENCRYPTED-SK"}]}"#,
    );
    let output = run(sandbox
        .bare()
        .env("DATAARTS_ENDPOINT", &emu.endpoint)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
        .args(["export", "job_batch"]));
    expect_code(&output, 2);
    let text = stderr(&output);
    assert!(
        text.contains("encrypted") && text.contains("HUAWEICLOUD_SDK_AK"),
        "{text}"
    );
    assert!(!text.contains("ENCRYPTED-SK"));
    assert!(emu.requests().is_empty());
}

#[test]
fn region_picks_the_endpoint_override_variable() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .bare()
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
        .env("HUAWEICLOUD_SDK_REGION_ID", "cn-north-4")
        .env("HUAWEICLOUD_SDK_REGION_DGC_CN_NORTH_4", &emu.endpoint)
        .args(["export", "job_batch"]));
    expect_code(&output, 0);
    let output = run(sandbox
        .bare()
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .args([
            "export",
            "job_batch",
            "--region",
            "atlantis-1",
            "--project-id",
            PROJECT,
        ]));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("unknown region"),
        "{}",
        stderr(&output)
    );
}
