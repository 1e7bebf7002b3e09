//! PCI Hub API: configuration, HTTP/GraphQL transport and the domain commands.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod graphql;
pub mod http;
pub mod policy;
pub mod seed;
pub mod telemetry;

pub use app::App;
pub use config::Config;
