//! Logging set-up shared with the worker; see `pci_worker::telemetry`.

pub use pci_worker::telemetry::*;
