//! One module per table. Ids are UUID v7, timestamps UTC.

pub mod audit_entry;
pub mod engagement;
pub mod engagement_peer_council;
pub mod engagement_stage_plan;
pub mod meeting;
pub mod meeting_attendee;
pub mod organisation;
pub mod participant;
pub mod person;
pub mod stage_transition;
