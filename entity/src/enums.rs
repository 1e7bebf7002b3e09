//! Closed vocabularies of the PCI domain, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        // As the GraphQL schema spells them (`PRE_WORK`): the audit log's `changes` is read
        // through the API. The database stores `as_str()`.
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value,)+ }
            }

            /// The value as the GraphQL schema spells it (`PRE_WORK`).
            pub fn api_name(self) -> String {
                self.as_str().to_ascii_uppercase()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(OrganisationKind {
    Council = "council",
    ImprovementService = "improvement_service",
    Other = "other",
});

string_enum!(
    /// The stages of one engagement, in order.
    Stage {
        PreWork = "pre_work",
        Planning = "planning",
        Prioritisation = "prioritisation",
        Fieldwork = "fieldwork",
        Findings = "findings",
        Feedback = "feedback",
        ReportDrafting = "report_drafting",
        SignOff = "sign_off",
        Evaluation = "evaluation",
        FollowUp = "follow_up",
        Closed = "closed",
    }
);

impl Stage {
    pub fn position(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or_default()
    }

    /// The one stage an engagement may move to from this one; `None` once closed.
    pub fn next(self) -> Option<Stage> {
        Self::ALL.get(self.position() + 1).copied()
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::PreWork => "Pre-work",
            Stage::Planning => "Planning session",
            Stage::Prioritisation => "Prioritisation meeting",
            Stage::Fieldwork => "Fieldwork",
            Stage::Findings => "Findings meeting",
            Stage::Feedback => "Feedback session",
            Stage::ReportDrafting => "Report drafting",
            Stage::SignOff => "Sign-off",
            Stage::Evaluation => "Evaluation",
            Stage::FollowUp => "Follow-up",
            Stage::Closed => "Closed",
        }
    }
}

string_enum!(ParticipantRole {
    HostLead = "host_lead",
    HostContributor = "host_contributor",
    PeerLead = "peer_lead",
    PeerReviewer = "peer_reviewer",
    Facilitator = "facilitator",
    FieldworkContributor = "fieldwork_contributor",
});

impl ParticipantRole {
    /// As running text calls the role: "peer reviewer".
    pub fn label(self) -> &'static str {
        match self {
            Self::HostLead => "host lead",
            Self::HostContributor => "host contributor",
            Self::PeerLead => "peer lead",
            Self::PeerReviewer => "peer reviewer",
            Self::Facilitator => "facilitator",
            Self::FieldworkContributor => "fieldwork contributor",
        }
    }
}

impl ParticipantRole {
    /// Which side of the review a role belongs to; it decides which organisation the person
    /// must come from.
    pub fn side(self) -> Side {
        match self {
            Self::HostLead | Self::HostContributor | Self::FieldworkContributor => Side::Host,
            Self::PeerLead | Self::PeerReviewer => Side::Peer,
            Self::Facilitator => Side::ImprovementService,
        }
    }

    /// Roles held by at most one active participant per engagement.
    pub fn is_singular(self) -> bool {
        matches!(self, Self::HostLead | Self::PeerLead)
    }
}

string_enum!(
    /// A side of a review: the host council, the peer councils, the Improvement Service.
    Side {
        Host = "host",
        Peer = "peer",
        ImprovementService = "improvement_service",
    }
);

string_enum!(InvitationStatus {
    Invited = "invited",
    Accepted = "accepted",
    Declined = "declined",
    Withdrawn = "withdrawn",
});

impl InvitationStatus {
    /// Still part of the team (or about to be).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Invited | Self::Accepted)
    }
}

string_enum!(MeetingKind {
    PlanningSession = "planning_session",
    PrioritisationMeeting = "prioritisation_meeting",
    FindingsMeeting = "findings_meeting",
    FeedbackSession = "feedback_session",
    SignOffMeeting = "sign_off_meeting",
    FollowUpMeeting = "follow_up_meeting",
    Other = "other",
    /// Fieldwork: peers speak to one or a few of the host's people.
    Interview = "interview",
    /// Fieldwork: peers speak to a group of the host's staff or service users.
    FocusGroup = "focus_group",
});

impl MeetingKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::PlanningSession => "Planning session",
            Self::PrioritisationMeeting => "Prioritisation meeting",
            Self::FindingsMeeting => "Findings meeting",
            Self::FeedbackSession => "Feedback session",
            Self::SignOffMeeting => "Sign-off meeting",
            Self::FollowUpMeeting => "Follow-up meeting",
            Self::Other => "Meeting",
            Self::Interview => "Interview",
            Self::FocusGroup => "Focus group",
        }
    }
}

string_enum!(MeetingStatus {
    Scheduled = "scheduled",
    Cancelled = "cancelled",
});

string_enum!(Rsvp {
    NeedsAction = "needs_action",
    Accepted = "accepted",
    Tentative = "tentative",
    Declined = "declined",
});

impl Rsvp {
    /// How emails and pages tell the attendee where they stand ("you are down as ..."); `None`
    /// before they have answered.
    pub fn phrase(self) -> Option<&'static str> {
        match self {
            Rsvp::NeedsAction => None,
            Rsvp::Accepted => Some("attending"),
            Rsvp::Tentative => Some("maybe attending"),
            Rsvp::Declined => Some("not attending"),
        }
    }
}

string_enum!(
    /// Where one email stands, modelled on GOV.UK Notify's statuses.
    DeliveryStatus {
        /// Rendered, waiting for its first attempt.
        Queued = "queued",
        /// Handed to the SMTP server; no reply recorded yet.
        Sending = "sending",
        /// The server accepted it (250).
        Sent = "sent",
        /// A temporary failure (4xx, no connection, timeout); another attempt is scheduled.
        Failed = "failed",
        /// A permanent failure (5xx, invalid address); not retried.
        Bounced = "bounced",
        /// Temporary failures went on past the retry horizon; not retried.
        Abandoned = "abandoned",
        /// Not sent because it stopped being true first (e.g. the participant was withdrawn).
        Cancelled = "cancelled",
    }
);

impl DeliveryStatus {
    /// No further attempt will be made.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Sent | Self::Bounced | Self::Abandoned | Self::Cancelled)
    }
}

string_enum!(EmailPurpose {
    ParticipantInvitation = "participant_invitation",
    MeetingRequest = "meeting_request",
    MeetingCancellation = "meeting_cancellation",
    MeetingReminder = "meeting_reminder",
    SignIn = "sign_in",
    SurveyInvitation = "survey_invitation",
    SurveyReminder = "survey_reminder",
    SurveyThanks = "survey_thanks",
    FeedbackRequest = "feedback_request",
    FeedbackReminder = "feedback_reminder",
    FeedbackSummary = "feedback_summary",
    SignOffRequest = "sign_off_request",
    FollowUpRequest = "follow_up_request",
    FollowUpReminder = "follow_up_reminder",
    FollowUpEscalation = "follow_up_escalation",
    FollowUpSummary = "follow_up_summary",
    FollowUpDelegation = "follow_up_delegation",
});

string_enum!(
    /// What an emailed action link may do; a token for one purpose is useless for another.
    TokenPurpose {
        InvitationResponse = "invitation_response",
        MeetingRsvp = "meeting_rsvp",
        SignIn = "sign_in",
        /// A survey's personal link: used again and again until the survey closes.
        SurveyResponse = "survey_response",
        /// A follow-up link: the host lead's for the round, or an owner's for one recommendation;
        /// used again and again until the round is submitted.
        FollowUp = "follow_up",
    }
);

string_enum!(
    /// What a personal access token may do.
    TokenScope {
        /// Queries only.
        Read = "read",
        /// Queries and mutations.
        Write = "write",
    }
);

string_enum!(ActorKind {
    Person = "person",
    System = "system",
    Anonymous = "anonymous",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_step_in_order_and_end_closed() {
        assert_eq!(Stage::PreWork.next(), Some(Stage::Planning));
        assert_eq!(Stage::FollowUp.next(), Some(Stage::Closed));
        assert_eq!(Stage::Closed.next(), None);
        let mut s = Stage::PreWork;
        let mut steps = 0;
        while let Some(n) = s.next() {
            assert_eq!(n.position(), s.position() + 1);
            s = n;
            steps += 1;
        }
        assert_eq!(steps, 10);
    }

    #[test]
    fn api_names_are_the_schema_spelling() {
        fn check<T: Serialize + Copy>(all: &[T], api: impl Fn(T) -> String) {
            for v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), serde_json::Value::String(api(*v)));
            }
        }
        check(Stage::ALL, Stage::api_name);
        check(ParticipantRole::ALL, ParticipantRole::api_name);
        check(InvitationStatus::ALL, InvitationStatus::api_name);
        check(MeetingKind::ALL, MeetingKind::api_name);
        check(Rsvp::ALL, Rsvp::api_name);
        check(DeliveryStatus::ALL, DeliveryStatus::api_name);
        check(OrganisationKind::ALL, OrganisationKind::api_name);
        assert_eq!(Stage::PreWork.api_name(), "PRE_WORK");
        assert_eq!(ParticipantRole::PeerReviewer.api_name(), "PEER_REVIEWER");
    }
}

string_enum!(
    /// What a survey is for.
    SurveyPurpose {
        /// In pre-work: the host's staff and stakeholders rate the service.
        SelfAssessment = "self_assessment",
        /// After sign-off: everyone who took part rates the review.
        Evaluation = "evaluation",
    }
);

string_enum!(
    /// A paper the host writes in an engagement: one of each kind, kept as numbered versions.
    DocumentKind {
        /// Pre-work: the service's structures and context.
        ContextPaper = "context_paper",
        /// Pre-work: what the self-assessment and the data show, with the analysis items.
        AnalysisPaper = "analysis_paper",
        /// Report drafting: the report of the review, commented on in feedback rounds and signed off.
        Report = "report",
    }
);

impl DocumentKind {
    /// The paper's usual title, and how messages name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::ContextPaper => "Context paper",
            Self::AnalysisPaper => "Report and analysis paper",
            Self::Report => "Peer review report",
        }
    }
}

string_enum!(
    /// What an item of the analysis paper says of the service.
    AnalysisItemKind {
        Strength = "strength",
        Weakness = "weakness",
        /// An area for improvement (AFI): what the review goes on to probe.
        AreaForImprovement = "area_for_improvement",
    }
);

string_enum!(
    /// Where an entry of the interview wish-list stands, as the host says.
    InterviewRequestStatus {
        Pending = "pending",
        Arranged = "arranged",
        /// It cannot happen (with a reason).
        NotPossible = "not_possible",
    }
);

string_enum!(
    /// What an evidence excerpt records.
    ExcerptKind {
        Quote = "quote",
        Observation = "observation",
    }
);

string_enum!(
    /// How far an improvement option has got, in order.
    OptionStage {
        Identified = "identified",
        Explored = "explored",
        Evaluated = "evaluated",
    }
);

string_enum!(
    /// What a finding says of the service.
    FindingKind {
        Strength = "strength",
        AreaForImprovement = "area_for_improvement",
    }
);

string_enum!(
    /// How soon a recommendation should be acted on.
    RecommendationPriority {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

string_enum!(
    /// How the host resolved a comment on the report.
    CommentResolution {
        Accepted = "accepted",
        /// Changed in a later version (which the comment names).
        Changed = "changed",
        /// Declined, with a reason.
        Declined = "declined",
    }
);

string_enum!(
    /// Where a recommendation stands at follow-up.
    ProgressStatus {
        NotStarted = "not_started",
        InProgress = "in_progress",
        Implemented = "implemented",
        /// Decided against, with a reason.
        NotPursued = "not_pursued",
    }
);

string_enum!(
    /// A party's answer to a sign-off request.
    SignOffDecision {
        Approved = "approved",
        /// Changes are needed first (with a reason).
        ChangesNeeded = "changes_needed",
    }
);
