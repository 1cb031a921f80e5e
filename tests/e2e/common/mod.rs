//! Shared harness: an in-process emulator on 127.0.0.1:0, a hermetic sandbox
//! for the real binary, a raw HTTP server for bodies the emulator cannot
//! produce, and zip builders for hostile archives.

#![allow(dead_code)]

pub mod killed;
pub mod pty;
pub mod raw_server;
pub mod zips;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use dataarts_jobs::emulator::{self, Config, Running};

pub const AK: &str = emulator::DEFAULT_AK;
pub const SK: &str = emulator::DEFAULT_SK;
pub const PROJECT: &str = emulator::DEFAULT_PROJECT_ID;
/// Secrets that must never appear in any output.
pub const TOKEN: &str = "SECURITY-TOKEN-must-never-be-printed";

/// The sample workspace's files, as the emulator embeds them.
pub fn sample_file(relative: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/emulator/sample")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An emulator running in-process, with a request log.
pub struct Emu {
    runtime: tokio::runtime::Runtime,
    running: Option<Running>,
    pub endpoint: String,
    /// The emulator's OBS listener (path-style).
    pub obs_endpoint: String,
    pub log: PathBuf,
    /// A clone of the API listener: it keeps the port bound after the
    /// emulator stops, for [`Emu::restart`].
    listener: std::net::TcpListener,
    _dir: tempfile::TempDir,
}

impl Emu {
    pub fn start() -> Self {
        Self::with(|_| {})
    }

    pub fn with(configure: impl FnOnce(&mut Config)) -> Self {
        Self::try_with(configure).expect("emulator starts")
    }

    /// [`Emu::with`], with the start's failure (e.g. the address in use) returned.
    pub fn try_with(configure: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        let mut config = emulator_config();
        configure(&mut config);
        let listener = std::net::TcpListener::bind(config.listen)?;
        Self::on(listener, config)
    }

    /// Stops this emulator and starts another, configured by `configure`, on
    /// the same port (the manifest of a backup records `host:port`, so it is
    /// the same source). The port stays bound in between: no other test can
    /// take it.
    pub fn restart(mut self, configure: impl FnOnce(&mut Config)) -> Self {
        let listener = self.listener.try_clone().expect("clone the listener");
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
        drop(self);
        let mut config = emulator_config();
        configure(&mut config);
        Self::on(listener, config).expect("emulator restarts")
    }

    fn on(listener: std::net::TcpListener, mut config: Config) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("requests.jsonl");
        config.request_log = Some(log.clone());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let kept = listener.try_clone()?;
        let running = runtime.block_on(emulator::start_on(config, listener))?;
        let endpoint = running.endpoint();
        let obs_endpoint = running.obs_endpoint();
        Ok(Self {
            runtime,
            running: Some(running),
            endpoint,
            obs_endpoint,
            log,
            listener: kept,
            _dir: dir,
        })
    }

    /// Every logged request, in order.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .map(|line| serde_json::from_str(line).expect("log line is JSON"))
            .collect()
    }

    /// `obs://bucket/key` of every object in the emulator's OBS.
    pub fn objects(&self) -> Vec<String> {
        self.running
            .as_ref()
            .map(Running::obs_objects)
            .unwrap_or_default()
    }

    /// Puts an object into the emulator's OBS.
    pub fn put_object(&self, bucket: &str, key: &str, bytes: Vec<u8>) {
        if let Some(running) = &self.running {
            running.put_obs_object(bucket, key, bytes);
        }
    }

    /// Logged requests to the OBS listener (paths not under /v1 or /v3).
    pub fn obs_requests(&self) -> Vec<serde_json::Value> {
        self.requests()
            .into_iter()
            .filter(|r| {
                r["path"]
                    .as_str()
                    .is_some_and(|p| !p.starts_with("/v1/") && !p.starts_with("/v3/"))
            })
            .collect()
    }

    /// Logged requests whose path ends with `suffix`.
    pub fn requests_to(&self, suffix: &str) -> Vec<serde_json::Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
            .collect()
    }

    /// Logged batch-export requests.
    pub fn exports(&self) -> Vec<serde_json::Value> {
        self.requests()
            .into_iter()
            .filter(|r| {
                r["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("/jobs/batch-export"))
            })
            .collect()
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
    }
}

/// The configuration of `emulator --listen 127.0.0.1:0`: the command
/// line's defaults, records as `offset`'s unit.
pub fn emulator_config() -> Config {
    Config {
        offset_unit: emulator::OffsetUnit::Records,
        ..dataarts_jobs::commands::emulator::config_from(&["--listen", "127.0.0.1:0"])
            .expect("config")
    }
}

/// A working directory and a home directory, both temporary.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub home: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
            home: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The binary with a hermetic environment: nothing inherited but PATH.
    pub fn std_bare(&self) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("dataarts-jobs"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("DATAARTS_TEST_RETRY_DELAY_SCALE", "0")
            .current_dir(self.dir.path());
        command
    }

    /// [`Sandbox::std_bare`] pointed at `endpoint` with the emulator's keys
    /// and project id in the environment.
    pub fn std_cmd_at(&self, endpoint: &str) -> std::process::Command {
        let mut command = self.std_bare();
        command
            .env("HUAWEICLOUD_SDK_AK", AK)
            .env("HUAWEICLOUD_SDK_SK", SK)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .env("DATAARTS_ENDPOINT", endpoint);
        command
    }

    pub fn std_cmd(&self, emu: &Emu) -> std::process::Command {
        let mut command = self.std_cmd_at(&emu.endpoint);
        command.env("DATAARTS_OBS_ENDPOINT", &emu.obs_endpoint);
        command
    }

    /// The binary pointed at another server (a [`raw_server::RawServer`]).
    pub fn cmd_at(&self, endpoint: &str) -> Command {
        let mut command = Command::from_std(self.std_cmd_at(endpoint));
        command.timeout(Duration::from_secs(120));
        command
    }

    pub fn bare(&self) -> Command {
        let mut command = Command::from_std(self.std_bare());
        command.timeout(Duration::from_secs(120));
        command
    }

    pub fn cmd(&self, emu: &Emu) -> Command {
        let mut command = Command::from_std(self.std_cmd(emu));
        command.timeout(Duration::from_secs(120));
        command
    }

    /// Every file under the sandbox (relative path → bytes), hidden files included.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(self.dir.path())
    }
}

/// Every file and directory under `root` (directories map to empty bytes, with a trailing `/`).
pub fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.insert(format!("{relative}/"), Vec::new());
                stack.push(path);
            } else {
                let mut bytes = Vec::new();
                std::fs::File::open(&path)
                    .and_then(|mut f| f.read_to_end(&mut bytes))
                    .expect("read");
                out.insert(relative, bytes);
            }
        }
    }
    out
}

/// Runs and returns the output after checking no secret leaked.
pub fn run(command: &mut Command) -> Output {
    let output = command.output().expect("runs");
    assert_no_secrets(&output);
    output
}

pub fn assert_no_secrets(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for secret in [
        SK,
        TOKEN,
        "IAM-TOKEN-must-never-be-printed",
        "KOOCLI-SK-never-printed",
    ] {
        assert!(!stdout.contains(secret), "secret on stdout:\n{stdout}");
        assert!(!stderr.contains(secret), "secret on stderr:\n{stderr}");
    }
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts the exit code, showing stderr when it differs.
#[track_caller]
pub fn expect_code(output: &Output, expected: i32) {
    assert_eq!(
        code(output),
        expected,
        "exit code; stderr:\n{}\nstdout:\n{}",
        stderr(output),
        stdout(output)
    );
}

/// Entries of a zip archive (name → bytes), read with the `zip` crate.
pub fn zip_entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut archive = zip::ZipArchive::new(file).expect("valid zip");
    let mut out = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("inflate");
        out.insert(entry.name().expect("UTF-8 name").to_string(), bytes);
    }
    out
}

/// A job for [`write_workspace`]: name, `processType`, extra files (name, text).
pub type JobSpec<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// Writes a `--data` workspace.
pub fn write_workspace(root: &Path, jobs: &[JobSpec<'_>]) {
    for (name, process_type, extra) in jobs {
        let dir = root.join("jobs").join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let job = serde_json::json!({
            "name": name,
            "processType": process_type,
            "nodes": [],
            "schedule": {"type": "EXECUTE_ONCE"},
            "directory": "/generated",
        });
        std::fs::write(dir.join(format!("{name}.job")), job.to_string()).expect("write job");
        for (file, text) in *extra {
            std::fs::write(dir.join(file), text).expect("write file");
        }
    }
}

/// `n` generated batch jobs named `job_0000`...
pub fn generated_names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("job_{i:04}")).collect()
}
