//! The comparison benchmark's logic, shared by `benches/compare.rs` (full
//! sizes, release binary) and `tests/bench_smoke.rs` (tiny sizes, debug
//! binary, one repetition, no timing assertions).
//!
//! Every figure is a ratio against a reference measured in the same run, with
//! the runs alternated (ours, reference, ours, reference, ...) and medians
//! taken, because timings on small shared machines drift.

#![allow(dead_code)]
// wait4, sync and rusage are libc calls: each `unsafe` block says why it holds.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context};
use dataarts_jobs::auth::signer::{sign, RequestParts, SdkDate, SigningKey};
use dataarts_jobs::auth::Secret;

const MIB: u64 = 1024 * 1024;

/// Data sizes of every case.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// The big download: `big_jobs` jobs, each with one incompressible file.
    pub big_jobs: usize,
    pub big_file: u64,
    /// The small download whose peak RSS the big one is compared with.
    pub small_jobs: usize,
    pub small_file: u64,
    /// `unpack`: jobs, each a `.job` and a `.script` of about `unpack_file` bytes.
    pub unpack_jobs: usize,
    pub unpack_file: usize,
    /// Parallel batches: jobs, batch size, emulator latency (also the
    /// `export --all` case, whose listing is included).
    pub parallel_jobs: usize,
    pub parallel_batch: usize,
    pub latency_ms: u64,
    /// `backup` of an unchanged workspace: jobs.
    pub backup_jobs: usize,
}

impl Sizes {
    /// The sizes of the issue: 1 GiB, 16 MiB, 10,000 entries, 1,000 jobs.
    pub fn full() -> Self {
        Sizes {
            big_jobs: 16,
            big_file: 64 * MIB,
            small_jobs: 4,
            small_file: 4 * MIB,
            unpack_jobs: 5_000,
            unpack_file: 20 * 1024,
            parallel_jobs: 1_000,
            parallel_batch: 10,
            latency_ms: 100,
            backup_jobs: 1_000,
        }
    }

    /// Seconds, for CI: every case runs, the numbers mean nothing.
    pub fn smoke() -> Self {
        Sizes {
            big_jobs: 2,
            big_file: 3 * MIB / 2,
            small_jobs: 1,
            small_file: MIB + 1,
            unpack_jobs: 50,
            unpack_file: 2 * 1024,
            parallel_jobs: 20,
            parallel_batch: 10,
            latency_ms: 10,
            backup_jobs: 20,
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `dataarts-jobs` binary to measure.
    pub bin: PathBuf,
    /// Repetitions of each side of each comparison.
    pub reps: usize,
    pub sizes: Sizes,
    /// Case names to run (`None`: all). See [`CASES`].
    pub cases: Option<Vec<String>>,
    /// Print each run as it happens.
    pub verbose: bool,
}

/// Case names, in the order they run.
pub const CASES: &[&str] = &[
    "download",
    "unpack",
    "extract",
    "parallel",
    "parallel-all",
    "backup",
    "startup",
];

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub case: String,
    pub measure: String,
    pub ours: String,
    pub reference: String,
    pub ratio: String,
    pub target: String,
    /// `None`: no verdict (informational, or the reference is missing).
    pub pass: Option<bool>,
}

/// The result of one measured process.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub wall: Duration,
    /// Peak resident set size in KiB (wait4's `ru_maxrss`).
    pub max_rss_kib: u64,
    pub cpu: Duration,
}

/// Runs `cmd` to completion; fails on a non-zero exit, showing its stderr.
pub fn measure(cmd: &mut Command, log: &Path) -> anyhow::Result<Measured> {
    let stderr =
        fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    let started = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    let wall = started.elapsed();
    drop(child);
    if reaped != pid {
        bail!(
            "wait4 failed for {cmd:?}: {}",
            std::io::Error::last_os_error()
        );
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    if !ok {
        let text = fs::read_to_string(log).unwrap_or_default();
        let code = if libc::WIFEXITED(status) {
            format!("exit {}", libc::WEXITSTATUS(status))
        } else {
            format!("signal {}", libc::WTERMSIG(status))
        };
        bail!("{cmd:?} failed ({code}):\n{text}");
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Measured {
        wall,
        max_rss_kib: usage.ru_maxrss as u64,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
    })
}

/// Whether `tool --version` runs.
pub fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg(if tool == "unzip" { "-v" } else { "--version" })
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn fmt_secs(s: f64) -> String {
    if s < 0.1 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{s:.3} s")
    }
}

fn fmt_mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

/// Flushes dirty pages so one run's write-back does not land in the next.
fn settle() {
    // SAFETY: sync(2) has no preconditions.
    unsafe { libc::sync() };
}

/// A small, fast PRNG (xorshift64*), enough for incompressible bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn write_random(path: &Path, len: u64, seed: u64) -> anyhow::Result<()> {
    let mut rng = Rng(seed | 1);
    let mut out = std::io::BufWriter::with_capacity(
        MIB as usize,
        fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    let mut block = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        for chunk in block.chunks_exact_mut(8) {
            chunk.copy_from_slice(&rng.next().to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.flush()?;
    Ok(())
}

fn job_json(name: &str, kind: &str, script: Option<&str>, filler: usize, rng: &mut Rng) -> String {
    let mut nodes = String::new();
    let mut i = 0;
    while nodes.len() < filler {
        if i > 0 {
            nodes.push(',');
        }
        let _ = write!(
            nodes,
            r#"
    {{
      "name": "node_{i}",
      "type": "{}",
      "location": {{ "x": "{}.5", "y": "-{}.5" }},
      "preNodeName": [{}],
      "conditions": [],
      "properties": [
        {{ "name": "scriptName", "value": "{}" }},
        {{ "name": "connectionName", "value": "dws_link_{}" }},
        {{ "name": "database", "value": "warehouse_{}" }},
        {{ "name": "scriptArgs", "value": "bizdate=${{bizdate}}&region={}" }}
      ],
      "pollingInterval": {},
      "maxExecutionTime": {},
      "retryTimes": {},
      "retryInterval": 120,
      "failPolicy": "FAIL_CHILD"
    }}"#,
            ["DWSSQL", "HiveSQL", "SparkSQL", "Shell", "CDMJob"][rng.below(5)],
            rng.below(900),
            rng.below(700),
            if i > 0 {
                format!("\"node_{}\"", i - 1)
            } else {
                String::new()
            },
            script.unwrap_or("none"),
            rng.below(40),
            rng.below(12),
            ["cn-north-4", "cn-east-3", "ap-southeast-1"][rng.below(3)],
            10 + rng.below(50),
            60 + rng.below(600),
            rng.below(4),
        );
        i += 1;
    }
    format!(
        r#"{{
  "name": "{name}",
  "processType": "{kind}",
  "nodes": [{nodes}
  ],
  "schedule": {{
    "type": "CRON",
    "cron": {{ "startTime": "2024-05-20T00:00:00+08", "expression": "0 {} {} * * ?" }}
  }},
  "params": [],
  "directory": "/bench/{}",
  "logPath": "obs://dlf-log-bench/{name}"
}}
"#,
        rng.below(60),
        rng.below(24),
        rng.below(30)
    )
}

fn script_text(name: &str, len: usize, rng: &mut Rng) -> String {
    const COLS: &[&str] = &[
        "order_id",
        "customer_id",
        "order_date",
        "amount",
        "currency",
        "region",
        "status",
        "sku",
        "quantity",
        "discount",
        "channel",
        "updated_at",
    ];
    const TABLES: &[&str] = &["orders", "customers", "payments", "shipments", "returns"];
    let mut sql = String::new();
    while sql.len() < len {
        let t = TABLES[rng.below(TABLES.len())];
        let a = COLS[rng.below(COLS.len())];
        let b = COLS[rng.below(COLS.len())];
        let _ = write!(
            sql,
            "insert into dw.{t}_daily_{}\\nselect {a}, {b}, sum(amount) as total_{}\\nfrom ods.{t}\\nwhere order_date = to_date('${{bizdate}}', 'YYYYMMDD') and {a} > {}\\ngroup by {a}, {b};\\n",
            rng.below(100),
            rng.below(1000),
            rng.below(100_000)
        );
    }
    format!(
        r#"{{
  "name": "{name}",
  "type": "DWSSQL",
  "directory": "/bench",
  "content": "{sql}",
  "connectionName": "dws_link",
  "database": "postgres",
  "configuration": {{ "statement_timeout": "3600000" }}
}}
"#
    )
}

/// Writes `DIR/jobs/<name>/<name>.job` (+ files) for every job of a case.
fn job_dir(data: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let dir = data.join("jobs").join(name);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Jobs each with one incompressible dependency file of `size` bytes.
pub fn gen_big(data: &Path, prefix: &str, jobs: usize, size: u64) -> anyhow::Result<Vec<String>> {
    let mut rng = Rng(7);
    let mut names = Vec::new();
    for j in 0..jobs {
        let name = format!("{prefix}_{j:02}");
        let dir = job_dir(data, &name)?;
        fs::write(
            dir.join(format!("{name}.job")),
            job_json(&name, "BATCH", None, 0, &mut rng),
        )?;
        write_random(
            &dir.join(format!("{name}_data.bin")),
            size,
            0x9e37_79b9 + j as u64,
        )?;
        names.push(name);
    }
    Ok(names)
}

/// Jobs each with a `.job` and a `.script` of about `size` bytes of text.
pub fn gen_text(
    data: &Path,
    prefix: &str,
    jobs: usize,
    size: usize,
) -> anyhow::Result<Vec<String>> {
    let mut rng = Rng(11);
    let mut names = Vec::new();
    for j in 0..jobs {
        let name = format!("{prefix}_{j:05}");
        let script = format!("sql_{j:05}");
        let dir = job_dir(data, &name)?;
        let kind = if j % 5 == 4 { "REAL_TIME" } else { "BATCH" };
        fs::write(
            dir.join(format!("{name}.job")),
            job_json(&name, kind, Some(&script), size, &mut rng),
        )?;
        if size > 0 {
            fs::write(
                dir.join(format!("{script}.script")),
                script_text(&script, size, &mut rng),
            )?;
        }
        names.push(name);
    }
    Ok(names)
}

/// A running `dataarts-jobs emulator`, stopped with SIGINT on drop.
pub struct Emulator {
    child: Child,
    pub vars: HashMap<String, String>,
}

impl Emulator {
    pub fn start(
        bin: &Path,
        data: &Path,
        latency_ms: Option<u64>,
        log: &Path,
    ) -> anyhow::Result<Self> {
        let mut cmd = Command::new(bin);
        cmd.args(["emulator", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .env_clear()
            .env("HOME", data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(log)?);
        if let Some(ms) = latency_ms {
            cmd.args(["--latency", &ms.to_string()]);
        }
        let mut child = cmd.spawn().context("cannot start the emulator")?;
        let stdout = child.stdout.take().context("no emulator stdout")?;
        let mut vars = HashMap::new();
        let mut emulator = Emulator {
            child,
            vars: HashMap::new(),
        };
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some((name, value)) = line
                .strip_prefix("export ")
                .and_then(|rest| rest.split_once('='))
            {
                vars.insert(name.to_string(), value.to_string());
                if name == "DATAARTS_ENDPOINT" {
                    break;
                }
            }
        }
        for needed in [
            "DATAARTS_ENDPOINT",
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_SDK_SK",
            "HUAWEICLOUD_SDK_PROJECT_ID",
        ] {
            if !vars.contains_key(needed) {
                let text = fs::read_to_string(log).unwrap_or_default();
                bail!("the emulator did not print {needed}:\n{text}");
            }
        }
        emulator.vars = vars;
        Ok(emulator)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars.get(name).map(String::as_str).unwrap_or_default()
    }

    /// CPU time (user + system) the emulator has used so far.
    pub fn cpu(&self) -> anyhow::Result<Duration> {
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        let rest = stat.rsplit_once(')').context("bad /proc stat")?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // After the command name: state is field 3, utime 14, stime 15.
        let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Ok(Duration::from_secs_f64(ticks as f64 / hz as f64))
    }

    /// The client's environment: hermetic HOME, the emulator's keys.
    pub fn client(&self, bin: &Path, home: &Path) -> Command {
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("HOME", home)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for name in [
            "DATAARTS_ENDPOINT",
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_SDK_SK",
            "HUAWEICLOUD_SDK_PROJECT_ID",
        ] {
            cmd.env(name, self.var(name));
        }
        cmd
    }

    /// `curl -sS -o out` of the batch export of `names`, signed with the project's signer.
    pub fn curl(&self, names: &[String], body_file: &Path, out: &Path) -> anyhow::Result<Command> {
        let endpoint = self.var("DATAARTS_ENDPOINT");
        let project = self.var("HUAWEICLOUD_SDK_PROJECT_ID");
        let host = endpoint
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(endpoint)
            .trim_end_matches('/');
        let path = format!("/v1/{project}/jobs/batch-export");
        let body = serde_json::to_vec(&serde_json::json!({
            "jobList": names,
            "exportDepend": true,
        }))?;
        fs::write(body_file, &body)?;
        let sk = Secret::new(self.var("HUAWEICLOUD_SDK_SK"));
        let key = SigningKey {
            ak: self.var("HUAWEICLOUD_SDK_AK"),
            sk: &sk,
            security_token: None,
            project_id: Some(project),
        };
        let headers = vec![(
            "Content-Type".to_string(),
            "application/json;charset=utf-8".to_string(),
        )];
        let parts = RequestParts {
            method: "POST",
            host,
            path: &path,
            query: &[],
            headers: &headers,
            body: &body,
        };
        let signed = sign(&parts, &key, &SdkDate::from_system_time(SystemTime::now()));
        let mut cmd = Command::new("curl");
        cmd.args(["-sS", "--fail", "-X", "POST", "-o"]).arg(out);
        for (name, value) in &signed.headers {
            cmd.arg("-H").arg(format!("{name}: {value}"));
        }
        cmd.arg("--data-binary")
            .arg(format!("@{}", body_file.display()))
            .arg(format!("{}{path}", endpoint.trim_end_matches('/')));
        Ok(cmd)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn remove(path: &Path) {
    if path.is_dir() {
        let _ = fs::remove_dir_all(path);
    } else {
        let _ = fs::remove_file(path);
    }
}

fn write_names(path: &Path, names: &[String]) -> anyhow::Result<()> {
    fs::write(path, names.join("\n") + "\n")?;
    Ok(())
}

/// Checks that `dir/jobs/<name>/` exists for every name.
fn check_tree(dir: &Path, names: &[String]) -> anyhow::Result<()> {
    for name in names {
        let job = dir.join("jobs").join(name).join(format!("{name}.job"));
        if !job.is_file() {
            bail!("{} is missing after extraction", job.display());
        }
    }
    Ok(())
}

fn check_zip(path: &Path, min_len: u64) -> anyhow::Result<()> {
    let len = fs::metadata(path)
        .with_context(|| format!("{} is missing", path.display()))?
        .len();
    if len < min_len {
        bail!(
            "{} holds {len} bytes, expected at least {min_len}",
            path.display()
        );
    }
    Ok(())
}

/// The benchmark run: a work directory, options, the rows so far.
pub struct Bench {
    opts: Options,
    work: tempfile::TempDir,
    home: PathBuf,
    curl: bool,
    unzip: bool,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Bench {
    pub fn new(opts: Options) -> anyhow::Result<Self> {
        let work = tempfile::Builder::new()
            .prefix("dataarts-bench-")
            .tempdir()
            .context("cannot create a work directory")?;
        let home = work.path().join("home");
        fs::create_dir_all(&home)?;
        let curl = have("curl");
        let unzip = have("unzip");
        let mut notes = Vec::new();
        if !curl {
            notes.push("curl not found: curl references skipped".to_string());
        }
        if !unzip {
            notes.push("unzip not found: unzip references skipped".to_string());
        }
        Ok(Bench {
            opts,
            work,
            home,
            curl,
            unzip,
            rows: Vec::new(),
            notes,
        })
    }

    fn wants(&self, case: &str) -> bool {
        self.opts
            .cases
            .as_ref()
            .is_none_or(|cases| cases.iter().any(|c| c == case))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.work.path().join(name)
    }

    fn log(&self, msg: impl AsRef<str>) {
        if self.opts.verbose {
            eprintln!("bench: {}", msg.as_ref());
        }
    }

    fn run(&self, label: &str, cmd: &mut Command) -> anyhow::Result<Measured> {
        settle();
        let log = self.path(&format!("{label}.stderr"));
        let m = measure(cmd, &log).with_context(|| format!("run {label}"))?;
        self.log(format!(
            "{label}: {} wall, {} cpu, {} peak RSS",
            fmt_secs(secs(m.wall)),
            fmt_secs(secs(m.cpu)),
            fmt_mib(m.max_rss_kib as f64)
        ));
        Ok(m)
    }

    fn export_cmd(&self, emu: &Emulator, list: &Path, out: &Path) -> Command {
        let mut cmd = emu.client(&self.opts.bin, &self.home);
        cmd.args(["-q", "export", "--force", "--jobs-from"])
            .arg(list)
            .arg("-o")
            .arg(out);
        cmd
    }

    /// Runs every selected case; fails if any run fails.
    pub fn run_all(&mut self) -> anyhow::Result<()> {
        if self.wants("download") || self.wants("extract") {
            self.big_cases()?;
        }
        if self.wants("unpack") {
            self.unpack_case()?;
        }
        if self.wants("parallel") {
            self.parallel_case()?;
        }
        if self.wants("parallel-all") {
            self.parallel_all_case()?;
        }
        if self.wants("backup") {
            self.backup_case()?;
        }
        if self.wants("startup") {
            self.startup_case()?;
        }
        Ok(())
    }

    fn big_cases(&mut self) -> anyhow::Result<()> {
        let s = self.opts.sizes.clone();
        let reps = self.opts.reps;
        let data = self.path("data-big");
        self.log("generating the big and small archives' data");
        let big = gen_big(&data, "big", s.big_jobs, s.big_file)?;
        let small = gen_big(&data, "small", s.small_jobs, s.small_file)?;
        let big_bytes = s.big_jobs as u64 * s.big_file;
        let small_bytes = s.small_jobs as u64 * s.small_file;
        let emu = Emulator::start(&self.opts.bin, &data, None, &self.path("emulator-big.log"))?;
        let big_list = self.path("big.names");
        let small_list = self.path("small.names");
        write_names(&big_list, &big)?;
        write_names(&small_list, &small)?;
        let out = self.path("ours.zip");
        let ref_out = self.path("curl.zip");
        let body = self.path("body.json");
        let big_label = human(big_bytes);
        let small_label = human(small_bytes);

        if self.wants("download") {
            let mut ours = Vec::new();
            let mut theirs = Vec::new();
            let mut rss = Vec::new();
            let mut rss_small = Vec::new();
            let mut emu_share = Vec::new();
            let mut emu_share_ours = Vec::new();
            for rep in 0..reps {
                let before = emu.cpu()?;
                let m = self.run(
                    &format!("export-{big_label}-{rep}"),
                    &mut self.export_cmd(&emu, &big_list, &out),
                )?;
                emu_share_ours.push(secs(emu.cpu()? - before) / secs(m.wall));
                check_zip(&out, big_bytes)?;
                ours.push(secs(m.wall));
                rss.push(m.max_rss_kib as f64);
                remove(&out);
                if self.curl {
                    let before = emu.cpu()?;
                    let m = self.run(
                        &format!("curl-{big_label}-{rep}"),
                        &mut emu.curl(&big, &body, &ref_out)?,
                    )?;
                    emu_share.push(secs(emu.cpu()? - before) / secs(m.wall));
                    check_zip(&ref_out, big_bytes)?;
                    theirs.push(secs(m.wall));
                    remove(&ref_out);
                }
                let m = self.run(
                    &format!("export-{small_label}-{rep}"),
                    &mut self.export_cmd(&emu, &small_list, &out),
                )?;
                check_zip(&out, small_bytes)?;
                rss_small.push(m.max_rss_kib as f64);
                remove(&out);
            }
            let case = format!("download {big_label} with `export -o`");
            self.push_ratio(
                &case,
                "wall time vs curl",
                &mut ours,
                &mut theirs,
                1.10,
                "≤ 1.10 × curl",
            );
            let rss_big = median(&mut rss);
            let rss_small = median(&mut rss_small);
            let delta = (rss_big - rss_small) / 1024.0;
            self.rows.push(Row {
                case: "the same".into(),
                measure: format!("peak RSS (vs {small_label})"),
                ours: fmt_mib(rss_big),
                reference: fmt_mib(rss_small),
                ratio: format!("{delta:+.1} MiB"),
                target: "≤ 32 MiB, within 4 MiB".into(),
                pass: Some(rss_big <= 32.0 * 1024.0 && delta.abs() <= 4.0),
            });
            if self.curl {
                let share = median(&mut emu_share);
                let share_ours = median(&mut emu_share_ours);
                self.rows.push(Row {
                    case: "the emulator".into(),
                    measure: format!("CPU share serving {big_label}"),
                    ours: format!("{:.0} % (to export)", share_ours * 100.0),
                    reference: format!("{:.0} % (to curl)", share * 100.0),
                    ratio: "-".into(),
                    target: "not the bottleneck (< 100 %)".into(),
                    pass: Some(share < 0.95),
                });
            }
        }

        if self.wants("extract") {
            let tree = self.path("tree-ours");
            let ref_tree = self.path("tree-ref");
            let mut ours = Vec::new();
            let mut theirs = Vec::new();
            for rep in 0..reps {
                let mut cmd = self.export_cmd(&emu, &big_list, &out);
                cmd.arg("-C").arg(&tree);
                let m = self.run(&format!("export-extract-{rep}"), &mut cmd)?;
                check_zip(&out, big_bytes)?;
                check_tree(&tree, &big)?;
                ours.push(secs(m.wall));
                remove(&out);
                remove(&tree);
                if self.curl && self.unzip {
                    let a = self.run(
                        &format!("curl-then-unzip-{rep}"),
                        &mut emu.curl(&big, &body, &ref_out)?,
                    )?;
                    let mut unzip = Command::new("unzip");
                    unzip.arg("-q").arg(&ref_out).arg("-d").arg(&ref_tree);
                    let b = self.run(&format!("unzip-after-curl-{rep}"), &mut unzip)?;
                    check_tree(&ref_tree, &big)?;
                    theirs.push(secs(a.wall) + secs(b.wall));
                    remove(&ref_out);
                    remove(&ref_tree);
                }
            }
            let case = format!("`export --extract` of {big_label}");
            self.push_ratio(
                &case,
                "wall time vs curl + unzip",
                &mut ours,
                &mut theirs,
                0.8,
                "≤ 0.8 × curl + unzip",
            );
        }
        drop(emu);
        remove(&data);
        Ok(())
    }

    fn unpack_case(&mut self) -> anyhow::Result<()> {
        let s = self.opts.sizes.clone();
        let reps = self.opts.reps;
        let data = self.path("data-text");
        self.log("generating the text jobs");
        let names = gen_text(&data, "etl", s.unpack_jobs, s.unpack_file)?;
        let list = self.path("text.names");
        write_names(&list, &names)?;
        let zip = self.path("text.zip");
        {
            let emu =
                Emulator::start(&self.opts.bin, &data, None, &self.path("emulator-text.log"))?;
            self.run("export-text", &mut self.export_cmd(&emu, &list, &zip))?;
        }
        check_zip(&zip, 1)?;
        let entries = names.len() * if s.unpack_file > 0 { 2 } else { 1 };
        let inflated: u64 = walk_size(&data.join("jobs"))?;
        let tree = self.path("unpack-ours");
        let ref_tree = self.path("unpack-ref");
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for rep in 0..reps {
            let mut cmd = Command::new(&self.opts.bin);
            cmd.env_clear()
                .env("HOME", &self.home)
                .args(["-q", "unpack"])
                .arg(&zip)
                .arg("-C")
                .arg(&tree);
            let m = self.run(&format!("unpack-{rep}"), &mut cmd)?;
            check_tree(&tree, &names)?;
            ours.push(secs(m.wall));
            remove(&tree);
            if self.unzip {
                let mut unzip = Command::new("unzip");
                unzip.arg("-q").arg(&zip).arg("-d").arg(&ref_tree);
                let m = self.run(&format!("unzip-{rep}"), &mut unzip)?;
                check_tree(&ref_tree, &names)?;
                theirs.push(secs(m.wall));
                remove(&ref_tree);
            }
        }
        let case = format!(
            "`unpack` of {entries} deflated entries ({} inflated)",
            human(inflated)
        );
        self.push_ratio(
            &case,
            "wall time vs `unzip -q`",
            &mut ours,
            &mut theirs,
            1.0,
            "≤ 1.0 × unzip",
        );
        remove(&data);
        Ok(())
    }

    fn parallel_case(&mut self) -> anyhow::Result<()> {
        let s = self.opts.sizes.clone();
        let reps = self.opts.reps;
        let data = self.path("data-many");
        let names = gen_text(&data, "job", s.parallel_jobs, 0)?;
        let list = self.path("many.names");
        write_names(&list, &names)?;
        let emu = Emulator::start(
            &self.opts.bin,
            &data,
            Some(s.latency_ms),
            &self.path("emulator-many.log"),
        )?;
        let out = self.path("many.zip");
        let batch = s.parallel_batch.to_string();
        let mut p4 = Vec::new();
        let mut p1 = Vec::new();
        for rep in 0..reps {
            for (parallel, into) in [("4", &mut p4), ("1", &mut p1)] {
                let mut cmd = self.export_cmd(&emu, &list, &out);
                cmd.args(["--batch-size", &batch, "--parallel", parallel]);
                let m = self.run(&format!("parallel-{parallel}-{rep}"), &mut cmd)?;
                check_zip(&out, 1)?;
                into.push(secs(m.wall));
                remove(&out);
            }
        }
        let requests = s.parallel_jobs.div_ceil(s.parallel_batch);
        let m4 = median(&mut p4);
        let m1 = median(&mut p1);
        let speedup = m1 / m4;
        self.rows.push(Row {
            case: format!(
                "{} jobs, `--batch-size {}` ({requests} requests, `--jobs-from`), {} ms latency",
                s.parallel_jobs, s.parallel_batch, s.latency_ms
            ),
            measure: "`--parallel 4` vs `--parallel 1`".into(),
            ours: fmt_secs(m4),
            reference: fmt_secs(m1),
            ratio: format!("{speedup:.2} × faster"),
            target: "≥ 3.5 × faster".into(),
            pass: Some(speedup >= 3.5),
        });
        drop(emu);
        remove(&data);
        Ok(())
    }

    /// `export --all`: the listing (both job types, pages after the first
    /// concurrently) is part of the run, unlike with `--jobs-from`.
    fn parallel_all_case(&mut self) -> anyhow::Result<()> {
        let s = self.opts.sizes.clone();
        let reps = self.opts.reps;
        let data = self.path("data-all");
        gen_text(&data, "job", s.parallel_jobs, 0)?;
        let emu = Emulator::start(
            &self.opts.bin,
            &data,
            Some(s.latency_ms),
            &self.path("emulator-all.log"),
        )?;
        let out = self.path("all.zip");
        let batch = s.parallel_batch.to_string();
        let mut p4 = Vec::new();
        let mut p1 = Vec::new();
        for rep in 0..reps {
            for (parallel, into) in [("4", &mut p4), ("1", &mut p1)] {
                let mut cmd = emu.client(&self.opts.bin, &self.home);
                cmd.args(["-q", "export", "--all", "--force", "--batch-size", &batch])
                    .args(["--parallel", parallel, "-o"])
                    .arg(&out);
                let m = self.run(&format!("all-{parallel}-{rep}"), &mut cmd)?;
                check_zip(&out, 1)?;
                into.push(secs(m.wall));
                remove(&out);
            }
        }
        let requests = s.parallel_jobs.div_ceil(s.parallel_batch);
        let m4 = median(&mut p4);
        let m1 = median(&mut p1);
        let speedup = m1 / m4;
        self.rows.push(Row {
            case: format!(
                "`export --all` of {} jobs, `--batch-size {}` ({requests} export requests and the listing), {} ms latency",
                s.parallel_jobs, s.parallel_batch, s.latency_ms
            ),
            measure: "`--parallel 4` vs `--parallel 1`".into(),
            ours: fmt_secs(m4),
            reference: fmt_secs(m1),
            ratio: format!("{speedup:.2} × faster"),
            target: "≥ 3.5 × faster".into(),
            pass: Some(speedup >= 3.5),
        });
        drop(emu);
        remove(&data);
        Ok(())
    }

    /// `backup` of an unchanged workspace (a second run, checked to write
    /// no file) next to `export --all -C DIR --force --no-archive` of the same.
    fn backup_case(&mut self) -> anyhow::Result<()> {
        let s = self.opts.sizes.clone();
        let reps = self.opts.reps;
        let data = self.path("data-backup");
        let names = gen_text(&data, "job", s.backup_jobs, 0)?;
        let emu = Emulator::start(
            &self.opts.bin,
            &data,
            None,
            &self.path("emulator-backup.log"),
        )?;
        let mirror = self.path("backup-ours");
        let tree = self.path("backup-ref");
        let backup = |dir: &Path| {
            let mut cmd = emu.client(&self.opts.bin, &self.home);
            cmd.args(["-q", "backup"]).arg(dir);
            cmd
        };
        let export = || {
            let mut cmd = emu.client(&self.opts.bin, &self.home);
            cmd.args(["-q", "export", "--all", "--force", "--no-archive", "-C"])
                .arg(&tree);
            cmd
        };
        // Untimed first runs: each timed run then finds its tree in place.
        self.run("backup-first", &mut backup(&mirror))?;
        check_tree(&mirror, &names)?;
        self.run("export-all-extract-first", &mut export())?;
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for rep in 0..reps {
            let before = tree_state(&mirror)?;
            let m = self.run(&format!("backup-again-{rep}"), &mut backup(&mirror))?;
            if tree_state(&mirror)? != before {
                bail!(
                    "a second backup of an unchanged workspace changed files in {}",
                    mirror.display()
                );
            }
            ours.push(secs(m.wall));
            let m = self.run(&format!("export-all-extract-{rep}"), &mut export())?;
            check_tree(&tree, &names)?;
            theirs.push(secs(m.wall));
        }
        let o = median(&mut ours);
        let t = median(&mut theirs);
        self.rows.push(Row {
            case: format!(
                "`backup` of {} jobs, unchanged workspace (a second run)",
                s.backup_jobs
            ),
            measure: "wall time vs `export --all -C DIR --force --no-archive`".into(),
            ours: fmt_secs(o),
            reference: fmt_secs(t),
            ratio: format!("{:.2} ×", o / t),
            target: "writes no file (checked: every path, size and mtime)".into(),
            pass: Some(true),
        });
        drop(emu);
        remove(&mirror);
        remove(&tree);
        remove(&data);
        Ok(())
    }

    fn startup_case(&mut self) -> anyhow::Result<()> {
        // Many short runs: each figure is one `--version`.
        let runs = (self.opts.reps * 10).max(1);
        let mut times = Vec::new();
        let mut rss = Vec::new();
        for rep in 0..runs {
            let mut cmd = Command::new(&self.opts.bin);
            cmd.env_clear().env("HOME", &self.home).arg("--version");
            let log = self.path("version.stderr");
            let m = measure(&mut cmd, &log).with_context(|| format!("run version-{rep}"))?;
            times.push(secs(m.wall));
            rss.push(m.max_rss_kib as f64);
        }
        let t = median(&mut times);
        self.rows.push(Row {
            case: "start-up".into(),
            measure: format!("`dataarts-jobs --version` (median of {runs})"),
            ours: fmt_secs(t),
            reference: "-".into(),
            ratio: format!("{} peak RSS", fmt_mib(median(&mut rss))),
            target: "≤ 5 ms".into(),
            pass: Some(t <= 0.005),
        });
        Ok(())
    }

    fn push_ratio(
        &mut self,
        case: &str,
        measure: &str,
        ours: &mut [f64],
        theirs: &mut [f64],
        limit: f64,
        target: &str,
    ) {
        let o = median(ours);
        if theirs.is_empty() {
            self.rows.push(Row {
                case: case.into(),
                measure: measure.into(),
                ours: fmt_secs(o),
                reference: "skipped".into(),
                ratio: "-".into(),
                target: target.into(),
                pass: None,
            });
            return;
        }
        let t = median(theirs);
        let ratio = o / t;
        self.rows.push(Row {
            case: case.into(),
            measure: measure.into(),
            ours: fmt_secs(o),
            reference: fmt_secs(t),
            ratio: format!("{ratio:.2} ×"),
            target: target.into(),
            pass: Some(ratio <= limit),
        });
    }

    /// The table, as Markdown.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "| case | measure | ours (median) | reference (median) | ratio | target | result |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|\n");
        for r in &self.rows {
            let verdict = match r.pass {
                Some(true) => "PASS",
                Some(false) => "MISS",
                None => "-",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {verdict} |",
                r.case, r.measure, r.ours, r.reference, r.ratio, r.target
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "\nnote: {note}");
        }
        out
    }
}

/// Every path under `dir` with its size and modification time.
fn tree_state(dir: &Path) -> anyhow::Result<Vec<(PathBuf, u64, SystemTime)>> {
    let mut state = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(here) = stack.pop() {
        for entry in fs::read_dir(&here)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                state.push((entry.path(), meta.len(), meta.modified()?));
            }
        }
    }
    state.sort();
    Ok(state)
}

fn walk_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            walk_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

fn human(bytes: u64) -> String {
    if bytes >= 1024 * MIB {
        format!("{:.1} GiB", bytes as f64 / (1024 * MIB) as f64).replace(".0 GiB", " GiB")
    } else if bytes >= MIB {
        format!("{:.0} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}
