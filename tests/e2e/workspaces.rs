//! `workspaces` and `--workspace-name`, through the emulator's Management
//! Center (and a raw server for a misbehaving one).

use assert_cmd::Command;

use crate::common::raw_server::{RawServer, Reply};
use crate::common::*;

/// The default workspace, `ws-1` (named by its workspace.json) and `ws-2`.
fn three_workspaces() -> tempfile::TempDir {
    let data = tempfile::tempdir().expect("tempdir");
    write_workspace(data.path(), &[("default_job", "BATCH", &[])]);
    let ws1 = data.path().join("workspaces/ws-1");
    write_workspace(&ws1, &[("prod_job", "BATCH", &[])]);
    std::fs::write(ws1.join("workspace.json"), r#"{"name": "production"}"#).expect("write");
    write_workspace(
        &data.path().join("workspaces/ws-2"),
        &[("test_job", "BATCH", &[])],
    );
    data
}

/// The binary pointed at `emu` for both DLF and the Management Center.
pub fn studio_cmd(sandbox: &Sandbox, emu: &Emu) -> Command {
    let mut command = sandbox.cmd(emu);
    command.env("DATAARTS_STUDIO_ENDPOINT", &emu.endpoint);
    command
}

#[test]
fn workspaces_lists_ids_and_names_piped_long_and_as_json() {
    let data = three_workspaces();
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let output = run(studio_cmd(&sandbox, &emu).arg("workspaces"));
    expect_code(&output, 0);
    assert_eq!(
        stdout(&output),
        "default\tdefault\nws-1\tproduction\nws-2\tws-2\n"
    );

    let output = run(studio_cmd(&sandbox, &emu).args(["workspaces", "--long"]));
    expect_code(&output, 0);
    let lines: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(lines[0], "ID\tNAME\tINSTANCE\tDEFAULT");
    assert_eq!(lines[1], "default\tdefault\tdataarts-emulator\tyes");
    assert_eq!(lines[2], "ws-1\tproduction\tdataarts-emulator\t-");

    let output = run(studio_cmd(&sandbox, &emu).args(["workspaces", "--json"]));
    expect_code(&output, 0);
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(listed["format"], 1);
    let workspaces = listed["workspaces"].as_array().expect("array");
    assert_eq!(workspaces.len(), 3);
    assert_eq!(workspaces[1]["id"], "ws-1");
    assert_eq!(workspaces[1]["name"], "production");
    assert_eq!(workspaces[0]["is_default"], 1);
    assert_eq!(
        workspaces[1]["instance_id"],
        dataarts_jobs::emulator::INSTANCE_ID
    );
    assert_eq!(workspaces[1]["instance_name"], "dataarts-emulator");

    // Both Management Center calls are signed project calls without a workspace header.
    let studio: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.contains("/instances") || p.contains("/workspaces/"))
        })
        .collect();
    assert!(studio.len() >= 2);
    for request in &studio {
        assert_eq!(request["status"], 200, "{request}");
        assert!(request["headers"].get("workspace").is_none(), "{request}");
    }
}

#[test]
fn workspace_name_selects_the_workspace_or_names_the_candidates() {
    let data = three_workspaces();
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let sandbox = Sandbox::new();
    let output = run(studio_cmd(&sandbox, &emu).args(["list", "--workspace-name", "production"]));
    expect_code(&output, 0);
    assert_eq!(stdout(&output), "prod_job\n");
    // doctor shows the id the name resolved to.
    let output = run(studio_cmd(&sandbox, &emu).args(["doctor", "--workspace-name", "production"]));
    expect_code(&output, 0);
    assert!(
        stdout(&output)
            .contains("workspace id ws-1  (looked up by name with the Management Center)"),
        "{}",
        stdout(&output)
    );

    let output = run(studio_cmd(&sandbox, &emu).args(["list", "--workspace-name", "prodution"]));
    expect_code(&output, 2);
    let text = stderr(&output);
    assert!(text.contains("no workspace named `prodution`"), "{text}");
    assert!(
        text.contains("production (id ws-1, instance dataarts-emulator)"),
        "{text}"
    );
    assert!(text.contains("did you mean `production`?"), "{text}");

    // Two workspaces of one name: exit 2 naming both.
    std::fs::write(
        data.path().join("workspaces/ws-2/workspace.json"),
        r#"{"name": "production"}"#,
    )
    .expect("write");
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let output = run(studio_cmd(&sandbox, &emu).args(["list", "--workspace-name", "production"]));
    expect_code(&output, 2);
    let text = stderr(&output);
    assert!(
        text.contains("several workspaces are named `production`"),
        "{text}"
    );
    assert!(
        text.contains("id ws-1") && text.contains("id ws-2"),
        "{text}"
    );

    // Names are the server's text: escaped in these messages too.
    std::fs::write(
        data.path().join("workspaces/ws-2/workspace.json"),
        r#"{"name": "nl\nx\u001b]0;pwn\u0007"}"#,
    )
    .expect("write");
    let emu = Emu::with(|c| c.data = Some(data.path().to_path_buf()));
    let output = run(studio_cmd(&sandbox, &emu).args(["list", "--workspace-name", "nope"]));
    expect_code(&output, 2);
    let text = stderr(&output);
    assert!(
        text.contains("nl\\nx\\u{1b}]0;pwn\\u{7} (id ws-2"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}

#[test]
fn workspaces_needs_a_studio_endpoint() {
    let emu = Emu::start();
    let sandbox = Sandbox::new();
    let output = run(sandbox.cmd(&emu).arg("workspaces"));
    expect_code(&output, 2);
    assert!(
        stderr(&output).contains("--studio-endpoint"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_management_center_that_pages_badly_is_read_without_looping() {
    // The count says 5, but pages after the first are empty: stop there.
    let server = RawServer::start(16, |line| {
        if line.contains("/instances") {
            Reply::json(
                200,
                r#"{"count": 1, "commodity_orders": [{"resource_id": "i1", "resource_name": "one", "status": 2}]}"#,
            )
        } else if line.contains("offset=0") {
            Reply::json(
                200,
                r#"{"count": 5, "data": [{"id": "w1", "name": "a", "is_default": 1}, {"id": "w2", "name": "b", "is_default": 0}]}"#,
            )
        } else {
            Reply::json(200, r#"{"count": 5, "data": []}"#)
        }
    });
    let sandbox = Sandbox::new();
    let output = run(sandbox
        .cmd_at(&server.endpoint)
        .env("DATAARTS_STUDIO_ENDPOINT", &server.endpoint)
        .arg("workspaces"));
    expect_code(&output, 0);
    assert_eq!(stdout(&output), "w1\ta\nw2\tb\n");
    assert!(server.count() <= 3, "{} requests", server.count());
}
