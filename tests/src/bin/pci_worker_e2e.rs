//! `pci-worker`, for the process tests; see Cargo.toml.

// glibc's allocator, with an arena per thread, left the API at 350 MB and a third of its CPU
// in malloc under the benchmark's read load (see the README's Performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    pci_worker::cli::main()
}
