//! `cargo bench -p pci-tests --bench pci [-- --smoke]`: see `pci_tests::bench` and the README's
//! Performance section.

use std::process::ExitCode;

use pci_tests::bench::{Bench, Programs, Sizes, machine};

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
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = std::time::Instant::now();
    match runtime.block_on(pci_tests::bench::run(&bench)) {
        Ok(report) => {
            if bench.postgres.is_none() {
                eprintln!("[bench] PostgreSQL skipped: set TEST_DATABASE_URL to include it");
            }
            println!("{}", report.markdown());
            println!("{}", runtime.block_on(machine(&bench)));
            println!(
                "Took {:.0} s{}.",
                started.elapsed().as_secs_f64(),
                if smoke { " (smoke sizes: figures meaningless)" } else { "" }
            );
            let _ = std::fs::remove_dir_all(&bench.log_dir);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}\n(process logs kept in {})", bench.log_dir.display());
            ExitCode::FAILURE
        }
    }
}
