//! The benchmark at tiny sizes, so that it keeps working: every part runs on every backend and
//! yields figures, the API's read answers exactly what the hand-written SQL does (checked inside
//! the run), and the properties that do not depend on speed hold. Timings are not asserted.

use pci_tests::{
    Backend, TEST_DATABASE_URL,
    bench::{Bench, Programs, Report, Sizes, run},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benchmark_runs_at_smoke_sizes() {
    let bench = Bench {
        programs: Programs {
            api: env!("CARGO_BIN_EXE_pci-api-e2e").into(),
            worker: env!("CARGO_BIN_EXE_pci-worker-e2e").into(),
            baseline: env!("CARGO_BIN_EXE_pci-sql-baseline").into(),
        },
        sizes: Sizes::smoke(),
        postgres: std::env::var(TEST_DATABASE_URL).ok().filter(|u| !u.is_empty()),
        log_dir: std::env::temp_dir().join(format!("pci-bench-smoke-{}", uuid::Uuid::now_v7().simple())),
        only: Vec::new(),
    };
    let mut report = Report::default();
    let outcome = run(&bench, &mut report).await;
    eprintln!("{}", report.markdown());
    outcome.expect("the benchmark runs");
    let backends: Vec<&str> =
        bench.backends().iter().map(|b| if *b == Backend::Sqlite { "SQLite" } else { "PostgreSQL" }).collect();
    let parts = [
        "1 read",
        "2 SQL per read",
        "3 write",
        "4 email",
        "5 scale",
        "6 memory",
        "7 timeliness",
        "8 surveys",
        "9 detail",
    ];
    for backend in &backends {
        for part in parts {
            assert!(report.rows.iter().any(|r| r.part == part && r.backend == *backend), "no {part} row for {backend}");
        }
    }
    for r in &report.rows {
        let first: f64 = r.ours.split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
        assert!(first.is_finite() && first >= 0.0, "not a figure: {} {} = {:?}", r.part, r.figure, r.ours);
    }
    // Properties, not speeds: the statement count does not grow with the rows, no write met a
    // locked database, and no email went twice.
    for r in &report.rows {
        let counted = r.figure.starts_with("statements");
        if r.part == "2 SQL per read" || counted || r.figure.starts_with("\"database is locked\"") {
            assert_eq!(r.met, Some(true), "{} {} {}: {}", r.part, r.figure, r.backend, r.ours);
        }
        if r.part == "4 email" {
            assert!(r.figure.contains("(0 duplicates)"), "{}: {}", r.backend, r.figure);
        }
    }
    let _ = std::fs::remove_dir_all(&bench.log_dir);
}
