//! GraphQL mirrors of domain vocabularies, and the shared `UserError` type.

use async_graphql::{Enum, InputObject, SimpleObject};

use pci_domain as domain;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::OrganisationKind")]
pub enum OrganisationKind {
    Council,
    ImprovementService,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::Stage")]
pub enum EngagementStage {
    PreWork,
    Planning,
    Prioritisation,
    Fieldwork,
    Findings,
    Feedback,
    ReportDrafting,
    SignOff,
    Evaluation,
    FollowUp,
    Closed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::ParticipantRole")]
pub enum ParticipantRole {
    HostLead,
    HostContributor,
    PeerLead,
    PeerReviewer,
    Facilitator,
    FieldworkContributor,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::InvitationStatus")]
pub enum InvitationStatus {
    Invited,
    Accepted,
    Declined,
    Withdrawn,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::MeetingKind")]
pub enum MeetingKind {
    PlanningSession,
    PrioritisationMeeting,
    FindingsMeeting,
    FeedbackSession,
    SignOffMeeting,
    FollowUpMeeting,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::MeetingStatus")]
pub enum MeetingStatus {
    Scheduled,
    Cancelled,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::Rsvp")]
pub enum Rsvp {
    NeedsAction,
    Accepted,
    Tentative,
    Declined,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::ActorKind")]
pub enum ActorKind {
    Person,
    System,
    Anonymous,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum OrderDirection {
    Asc,
    #[default]
    Desc,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::UserErrorCode")]
pub enum UserErrorCode {
    /// The value is not acceptable; the message says why.
    Invalid,
    Required,
    TooLong,
    /// The id is malformed or names another type of object.
    InvalidId,
    NotFound,
    /// Unique value already in use (an email address, a slug).
    Taken,
    EndBeforeStart,
    InvalidTimeZone,
    /// A local time that does not exist in the meeting's time zone.
    InvalidTime,
    /// The person's organisation cannot hold this role here.
    WrongOrganisation,
    /// A role held by one person at a time is already held.
    RoleTaken,
    AlreadyParticipant,
    NotAParticipant,
    AlreadyAttending,
    /// The object is not in a status that allows this change.
    InvalidStatus,
    MeetingCancelled,
    EngagementClosed,
    /// Stages move one step at a time, forwards.
    InvalidTransition,
    /// The stage changed since the client read it.
    StageChanged,
    /// A gate rule for the next stage does not hold; `rule` names it.
    StageGateUnmet,
    StagePlanOutOfOrder,
    /// An emailed link's token is unknown, expired or already used.
    InvalidToken,
}

/// An expected problem with a mutation's input. Nothing was written.
#[derive(SimpleObject, Debug, Clone)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "personId"]`.
    pub field: Vec<String>,
    pub code: UserErrorCode,
    pub message: String,
    /// The gate rule that failed, for `STAGE_GATE_UNMET`.
    pub rule: Option<String>,
}

impl From<domain::UserError> for UserError {
    fn from(e: domain::UserError) -> Self {
        Self { field: e.field, code: e.code.into(), message: e.message, rule: e.rule.map(str::to_owned) }
    }
}

#[derive(InputObject, Debug, Default)]
pub struct StageFilter {
    #[graphql(name = "in")]
    pub in_: Option<Vec<EngagementStage>>,
}

/// Cost of a connection field for the complexity limit: page size times what each item costs.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = first.or(last).unwrap_or(crate::graphql::pagination::DEFAULT_PAGE_SIZE);
    usize::try_from(n.max(1)).unwrap_or(1).saturating_mul(child.max(1))
}
