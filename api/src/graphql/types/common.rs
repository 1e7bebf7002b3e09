//! GraphQL mirrors of domain vocabularies, and the shared `UserError` type.

use async_graphql::{Enum, InputObject, SimpleObject};

use pci_domain as domain;

/// What sort of body an organisation is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::OrganisationKind")]
pub enum OrganisationKind {
    /// A Scottish local authority. Only councils can host a review or be peer councils.
    Council,
    /// The Improvement Service, which facilitates reviews and runs the platform.
    ImprovementService,
    /// Any other body. It cannot host a review or be a peer council.
    Other,
}

/// The stages of a review, in order. An engagement moves forwards one stage at a time.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::Stage")]
pub enum EngagementStage {
    /// The host supplies background, a context paper and a self-assessment.
    PreWork,
    /// The peer team and the Improvement Service discuss the pre-work and choose areas of interest.
    Planning,
    /// The host and the peer team agree the key themes for fieldwork.
    Prioritisation,
    /// Interviews and focus groups at the host council; improvement options are explored.
    Fieldwork,
    /// The peer team meets to share what fieldwork found.
    Findings,
    /// The host and the peers meet, and recommendations are made.
    Feedback,
    /// The host drafts the report; the Improvement Service and the peer team comment on drafts.
    ReportDrafting,
    /// The peer team and the host agree the final report and recommendations.
    SignOff,
    /// The host and the peer team evaluate the PCI process itself.
    Evaluation,
    /// Six months after sign-off, the host reports progress on each recommendation.
    FollowUp,
    /// Finished: nothing in the engagement can change any more.
    Closed,
}

/// A person's part in one engagement. It decides which organisation they must work for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::ParticipantRole")]
pub enum ParticipantRole {
    /// Owns the engagement on the host side and manages it. From the host council; one at a time.
    HostLead,
    /// Host council staff who help with the review and see all of it.
    HostContributor,
    /// Leads the peer team. From one of the peer councils; one at a time.
    PeerLead,
    /// A critical friend from one of the peer councils.
    PeerReviewer,
    /// Improvement Service staff who manage and facilitate the engagement.
    Facilitator,
    /// Host council staff who take part in interviews or focus groups. They see only their own place
    /// in the team and the meetings they attend.
    FieldworkContributor,
}

/// Where a person's invitation to an engagement's team stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::InvitationStatus")]
pub enum InvitationStatus {
    /// Invited, with no answer yet. They are already on the team.
    Invited,
    /// Accepted the invitation.
    Accepted,
    /// Declined; `statusReason` says why. They can be invited again.
    Declined,
    /// Taken off the team by an organiser. They can be invited again.
    Withdrawn,
}

/// Which meeting of the PCI process a meeting is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::MeetingKind")]
pub enum MeetingKind {
    /// The peer team and the Improvement Service discuss the pre-work (stage 2).
    PlanningSession,
    /// The host and the peer team agree the key themes for fieldwork (stage 3).
    PrioritisationMeeting,
    /// The peer team shares its fieldwork findings (stage 5).
    FindingsMeeting,
    /// The host and the peers meet and recommendations are made (stage 6).
    FeedbackSession,
    /// The peer team and the host agree the final report (stage 8).
    SignOffMeeting,
    /// A meeting about progress on the recommendations (stage 10).
    FollowUpMeeting,
    /// Any other meeting.
    Other,
    /// Fieldwork: peers speak to one or a few of the host's people about a theme (stage 4).
    Interview,
    /// Fieldwork: peers speak to a group of staff or service users about a theme (stage 4).
    FocusGroup,
}

/// Whether a meeting is going ahead.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::MeetingStatus")]
pub enum MeetingStatus {
    /// Going ahead, perhaps at a new time or place.
    Scheduled,
    /// Called off; `cancelReason` may say why. A cancelled meeting cannot change again.
    Cancelled,
}

/// An attendee's answer to a meeting invitation, as in a calendar reply.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::Rsvp")]
pub enum Rsvp {
    /// No answer yet, or the meeting's time or place has changed since they answered.
    NeedsAction,
    /// Will attend.
    Accepted,
    /// Might attend.
    Tentative,
    /// Will not attend.
    Declined,
}

/// Who made a change.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "pci_entity::ActorKind")]
pub enum ActorKind {
    /// A person: signed in, or answering through a link emailed to them.
    Person,
    /// The command line (administration and demo data), not a person.
    System,
    /// A request from someone who was not signed in.
    Anonymous,
}

/// Which way a list is sorted.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum OrderDirection {
    /// Smallest, earliest or A first.
    Asc,
    /// Largest, latest or Z first.
    #[default]
    Desc,
}

/// Why a mutation refused its input. Programs switch on it; `UserError.message` explains it to people.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::UserErrorCode")]
pub enum UserErrorCode {
    /// The value is not acceptable; the message says why.
    Invalid,
    /// A required value is missing or blank.
    Required,
    /// The text is longer than allowed; the message gives the limit.
    TooLong,
    /// The id is malformed or names another type of object.
    InvalidId,
    /// No such object, or one the caller may not see (the two look alike on purpose).
    NotFound,
    /// Unique value already in use (an email address, a slug).
    Taken,
    /// The meeting's end is not after its start.
    EndBeforeStart,
    /// Not an IANA time zone name such as Europe/London.
    InvalidTimeZone,
    /// A local time that does not exist in the meeting's time zone.
    InvalidTime,
    /// The person's organisation cannot hold this role here.
    WrongOrganisation,
    /// A role held by one person at a time is already held.
    RoleTaken,
    /// The person already takes part in the engagement (invited or accepted).
    AlreadyParticipant,
    /// The person does not take part in the engagement; invite them to the team first.
    NotAParticipant,
    /// The person is already invited to the meeting.
    AlreadyAttending,
    /// The object is not in a status that allows this change.
    InvalidStatus,
    /// The meeting has been cancelled and can no longer change.
    MeetingCancelled,
    /// The engagement is closed and can no longer change.
    EngagementClosed,
    /// Stages move one step at a time, forwards.
    InvalidTransition,
    /// The stage changed since the client read it.
    StageChanged,
    /// A gate rule for the next stage does not hold; `rule` names it.
    StageGateUnmet,
    /// A stage is planned for a date before an earlier stage's.
    StagePlanOutOfOrder,
    /// An emailed link's token is unknown, expired or already used.
    InvalidToken,
    /// The survey has closed (or was cancelled): it takes no more changes or answers.
    SurveyClosed,
    /// This survey response was submitted already; it cannot change.
    AlreadySubmitted,
    /// Only a paper's latest version may be revised; someone else may have written a newer one
    /// since the client read it.
    NotLatestVersion,
    /// The file's content is not of a type that may be attached, or its name says another type;
    /// the message lists the accepted ones.
    FileTypeRefused,
    /// The file is larger than the limit the message gives.
    FileTooLarge,
    /// The paper or note has as many files as it may have.
    TooManyFiles,
    /// Something else rests on it (a finding cites this excerpt, a recommendation this finding): change that first.
    InUse,
}

/// An expected problem with a mutation's input. Nothing was written.
#[derive(SimpleObject, Debug, Clone)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "personId"]`.
    pub field: Vec<String>,
    /// Machine-readable reason; switch on it rather than on the message.
    pub code: UserErrorCode,
    /// What is wrong, in a sentence to show to the user.
    pub message: String,
    /// The gate rule that failed, for `STAGE_GATE_UNMET`.
    pub rule: Option<String>,
}

impl From<domain::UserError> for UserError {
    fn from(e: domain::UserError) -> Self {
        Self { field: e.field, code: e.code.into(), message: e.message, rule: e.rule.map(str::to_owned) }
    }
}

/// Matches engagements in any of the given stages.
#[derive(InputObject, Debug, Default)]
pub struct StageFilter {
    /// The stages to match; null matches every stage, an empty list none.
    #[graphql(name = "in")]
    pub in_: Option<Vec<EngagementStage>>,
}

/// Cost of a connection field for the complexity limit: page size times what each item costs.
/// A size past the maximum costs as the maximum, so that the field itself answers it with
/// BAD_USER_INPUT (what it is) rather than the cost limit with "too complex".
pub fn page_cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    use crate::graphql::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
    let n = first.or(last).unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    usize::try_from(n).unwrap_or(1).saturating_mul(child.max(1))
}
