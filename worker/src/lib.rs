//! PCI Hub worker: the job runtime, the handlers of the jobs the domain defines, mail templates
//! and transport. Runs standalone (`pci-worker`) or inside the API process.

pub mod cli;
pub mod delivery;
pub mod jobs;
pub mod mail;
pub mod queue;
pub mod runtime;
