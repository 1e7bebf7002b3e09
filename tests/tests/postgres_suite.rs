//! Says whether the PostgreSQL half of the suite runs, where `cargo test` output shows it.

fn main() {
    match std::env::var(pci_tests::TEST_DATABASE_URL) {
        Ok(url) if !url.is_empty() => {
            let shown = url.split('@').next_back().unwrap_or("?");
            println!("PostgreSQL suite: enabled (TEST_DATABASE_URL points at {shown})");
        }
        _ => println!(
            "PostgreSQL suite: SKIPPED - set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run it (.ci/run does)"
        ),
    }
}
