//! The process configuration. It is defined in the worker crate because both binaries read the
//! same file and environment, and each must refuse keys it does not know.

pub use pci_worker::config::*;
