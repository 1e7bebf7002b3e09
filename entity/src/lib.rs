//! Database models, enums and small domain types shared by the API and the worker.
//!
//! Nothing here knows about GraphQL or HTTP: the API maps these types onto its schema.

pub mod clock;
pub mod email;
pub mod enums;
pub mod models;

pub use clock::{Clock, ManualClock, ShiftedClock, SystemClock};
pub use email::EmailAddress;
pub use enums::*;
pub use models::*;

/// A new time-ordered identifier (UUID v7), so primary keys sort by creation time.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
