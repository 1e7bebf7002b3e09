fn main() -> std::process::ExitCode {
    pci_api::cli::main()
}
