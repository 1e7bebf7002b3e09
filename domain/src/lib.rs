//! PCI Hub's domain: what the API and the worker share. Configuration, database access, the
//! outbox and job contracts, link tokens, the access policy, the audit log, sign-in and
//! credentials, and the commands of a review. It knows neither GraphQL nor HTTP, nor how jobs
//! run.

pub mod config;
pub mod db;
pub mod jobs;
pub mod outbox;
pub mod process;
pub mod telemetry;
pub mod tokens;

pub mod activity;
pub mod audit;
pub mod auth;
mod command;
pub mod policy;
mod validate;

pub mod document;
pub mod engagement;
pub mod fieldwork;
pub mod files;
pub mod findings;
pub mod follow_up;
pub mod meeting;
pub mod organisation;
pub mod participant;
pub mod person;
pub mod planning;
pub mod prework;
pub mod report;
pub mod search;
pub mod stage;
pub mod surveys;

pub use command::*;
pub use config::Config;
pub use outbox::Enqueue;
