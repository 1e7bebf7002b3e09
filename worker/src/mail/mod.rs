//! Email: templates, calendar files and the transport that sends them.

pub mod ics;
pub mod models;
pub mod templates;
mod transport;

pub use lettre::message::Mailbox;
pub use transport::{About, SendOutcome, Transport};
