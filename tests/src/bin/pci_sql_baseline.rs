//! The benchmark's ceiling server: hand-written SQL behind plain axum (see `bench::baseline`).

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    pci_tests::bench::serve_baseline().await
}
