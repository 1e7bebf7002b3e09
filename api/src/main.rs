// Under the benchmark's read load a third of the API's CPU went into glibc's malloc and free
// (see the README's Performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    pci_api::cli::main()
}
