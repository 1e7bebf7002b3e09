//! PCI Hub worker: job contracts, the enqueue functions the API calls, handlers, mail templates
//! and transport. Runs standalone (`pci-worker`) or inside the API process.

pub mod cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod enqueue;
pub mod jobs;
pub mod mail;
pub mod queue;
pub mod runtime;
pub mod telemetry;
pub mod tokens;

pub use config::Config;
pub use enqueue::Enqueue;
