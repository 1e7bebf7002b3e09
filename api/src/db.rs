//! Database access shared with the worker; see `pci_worker::db`.

pub use pci_worker::db::*;
