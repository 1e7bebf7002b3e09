//! PCI Hub API: the HTTP/GraphQL transport over the domain (`pci_domain`), sign-in pages and the
//! command line; it can run the worker in the same process.

pub mod app;
pub mod cli;
pub mod graphql;
pub mod http;
pub mod pdf;
pub mod seed;
pub mod sign_in_limits;

pub use app::App;
