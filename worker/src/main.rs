fn main() -> std::process::ExitCode {
    pci_worker::cli::main()
}
