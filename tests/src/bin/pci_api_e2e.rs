//! `pci-api`, for the benchmark; see Cargo.toml.

fn main() -> std::process::ExitCode {
    pci_api::cli::main()
}
