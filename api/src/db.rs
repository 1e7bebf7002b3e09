//! Database access shared with the worker; see `pci_worker::db`.

/// Commands take turns to write (see `begin_write_in_turn`).
pub use pci_worker::db::begin_write_in_turn as begin_write;
pub use pci_worker::db::*;
