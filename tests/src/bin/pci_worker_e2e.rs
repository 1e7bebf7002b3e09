//! `pci-worker`, for the process tests; see Cargo.toml.

fn main() -> std::process::ExitCode {
    pci_worker::cli::main()
}
