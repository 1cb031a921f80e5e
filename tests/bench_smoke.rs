//! The benchmark in smoke mode: every case with tiny sizes and one
//! repetition against the debug binary, so that `cargo test` keeps it from
//! rotting. No timing assertions: it fails only if a case breaks (a non-zero
//! exit, a missing archive or tree, an emulator that does not start).

// Test code: panics are the failure report, and printing is its output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

#[path = "../benches/harness/mod.rs"]
mod harness;

#[test]
fn bench_smoke_runs_every_case() {
    let opts = harness::Options {
        bin: env!("CARGO_BIN_EXE_dataarts-jobs").into(),
        reps: 1,
        sizes: harness::Sizes::smoke(),
        cases: None,
        verbose: false,
    };
    let mut bench = harness::Bench::new(opts).expect("work directory");
    bench.run_all().expect("every benchmark case runs");
    let table = bench.table();
    println!("{table}");
    // download (time, RSS, emulator share unless curl is missing), unpack,
    // extract, parallel, start-up.
    assert!(bench.rows.len() >= 6, "missing rows:\n{table}");
}
