//! One module per table. Ids are UUID v7, timestamps UTC.

pub mod action_token;
pub mod analysis_item;
pub mod analysis_item_evidence;
pub mod audit_entry;
pub mod document;
pub mod document_version;
pub mod email_delivery;
pub mod engagement;
pub mod engagement_peer_council;
pub mod engagement_stage_plan;
pub mod meeting;
pub mod meeting_attendee;
pub mod organisation;
pub mod outbox;
pub mod participant;
pub mod person;
pub mod personal_access_token;
pub mod questionnaire;
pub mod questionnaire_version;
pub mod session;
pub mod stage_transition;
pub mod survey;
pub mod survey_draft;
pub mod survey_recipient;
pub mod survey_response;
