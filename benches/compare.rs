//! `cargo bench --bench compare`: dataarts-jobs against curl and unzip.
//!
//! Options (after `--`): `--reps N` (default 5, or `BENCH_REPS`), `--cases
//! download,unpack,extract,parallel,parallel-all,backup,startup` (default all, or
//! `BENCH_CASES`),
//! `--smoke` (tiny sizes), `--quiet` (no per-run lines). See benches/README.md.

// Test code: panics are the failure report, and printing is its output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

#[path = "harness/mod.rs"]
mod harness;

use std::path::PathBuf;

fn main() {
    let mut opts = harness::Options {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_dataarts-jobs")),
        reps: std::env::var("BENCH_REPS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5),
        sizes: harness::Sizes::full(),
        cases: std::env::var("BENCH_CASES")
            .ok()
            .map(|v| v.split(',').map(str::to_string).collect()),
        verbose: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // cargo bench passes --bench to harness = false targets.
            "--bench" => {}
            "--reps" => {
                opts.reps = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage("--reps takes a positive number"))
            }
            "--cases" => {
                let list = args.next().unwrap_or_else(|| usage("--cases takes a list"));
                let cases: Vec<String> = list.split(',').map(str::to_string).collect();
                if let Some(bad) = cases.iter().find(|c| !harness::CASES.contains(&c.as_str())) {
                    usage(&format!("unknown case {bad}"));
                }
                opts.cases = Some(cases);
            }
            "--smoke" => opts.sizes = harness::Sizes::smoke(),
            "--quiet" => opts.verbose = false,
            other => usage(&format!("unknown argument {other}")),
        }
    }
    eprintln!(
        "bench: {} repetitions, binary {}",
        opts.reps,
        opts.bin.display()
    );
    let started = std::time::Instant::now();
    let mut bench = harness::Bench::new(opts).unwrap_or_else(|e| fail(e));
    let result = bench.run_all();
    println!("{}", bench.table());
    if let Err(error) = result {
        fail(error);
    }
    eprintln!("bench: done in {:.0} s", started.elapsed().as_secs_f64());
}

fn usage(message: &str) -> ! {
    eprintln!(
        "error: {message}\nusage: cargo bench --bench compare -- [--reps N] [--cases {}] [--smoke] [--quiet]",
        harness::CASES.join(",")
    );
    std::process::exit(2);
}

fn fail(error: anyhow::Error) -> ! {
    eprintln!("error: {error:?}");
    std::process::exit(1);
}
