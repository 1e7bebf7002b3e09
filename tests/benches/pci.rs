//! `cargo bench -p pci-tests --bench pci [-- --smoke]`: see `pci_tests::bench` and the README's
//! Performance section.

use std::process::ExitCode;

use pci_tests::bench::{Bench, Programs, Report, Sizes, machine};

/// `--only read,email`: some parts only (read, statements, scale, email, timeliness,
/// surveys, detail, tracker).
fn only() -> Vec<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let bench = Bench {
        programs: Programs {
            api: env!("CARGO_BIN_EXE_pci-api-e2e").into(),
            worker: env!("CARGO_BIN_EXE_pci-worker-e2e").into(),
            baseline: env!("CARGO_BIN_EXE_pci-sql-baseline").into(),
        },
        sizes: if smoke { Sizes::smoke() } else { Sizes::full() },
        postgres: std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()),
        log_dir: std::env::temp_dir().join(format!("pci-bench-{}", std::process::id())),
        only: only(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = std::time::Instant::now();
    let mut report = Report::default();
    let outcome = runtime.block_on(pci_tests::bench::run(&bench, &mut report));
    if bench.postgres.is_none() {
        eprintln!("[bench] PostgreSQL skipped: set TEST_DATABASE_URL to include it");
    }
    println!("{}", report.markdown());
    println!("{}", runtime.block_on(machine(&bench)));
    let took = started.elapsed().as_secs_f64();
    println!("Took {took:.0} s{}.", if smoke { " (smoke sizes: figures meaningless)" } else { "" });
    match outcome {
        Ok(()) => {
            if std::env::var_os("PCI_BENCH_KEEP_LOGS").is_none() {
                let _ = std::fs::remove_dir_all(&bench.log_dir);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}\n(process logs kept in {})", bench.log_dir.display());
            ExitCode::FAILURE
        }
    }
}
